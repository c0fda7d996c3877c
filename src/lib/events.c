/*
 * hstrace_next(): decoded records back in capture order, entry and exit
 * paired into one hstrace_call_t with its typed arguments filled in.
 *
 * Runs on the owner thread, as one more consumer of the workers' output
 * rings.  An entry is copied aside (per thread, into a buffer reused from
 * call to call) because the ring moves on while the call is in progress; the
 * call is handed out when its exit arrives, or when the thread dies inside
 * it ("= ?").  Strings and buffers of the event live in an arena that is
 * reset at every call, as the header promises.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"
#include "core/systable.h"
#include "decode/modes.h"
#include "lib/lib.h"
#include "sink/calls.h"
#include "sink/render.h"
#include "sink/tidmap.h"

struct pending {
	struct hst_drec *entry; /* copy of the entry record */
	size_t cap;
	int has;
};

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct hst_events {
	struct hst_merge merge;
	struct hst_tidmap tids;   /* struct pending */
	struct chunk *arena;
	hstrace_call_t call;
	char name[HST_NAME_MAX];
	struct hst_tidmap names;  /* tgid -> process name (calls.h, hst_names_*) */
	char comm[HST_COMM_LEN];  /* call.comm */
	/* an exit record held back while its thread's last call goes out */
	struct hst_drec deferred;
	int has_deferred;
	int done;
	struct hst_select select;         /* hstrace_filter: the outputs' selection */
};

/* --- arena -------------------------------------------------------------- */

static void *arena_alloc(struct hst_events *ev, size_t n)
{
	struct chunk *c = ev->arena;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		size_t size = n > 65536 ? n : 65536;
		struct chunk *nc = malloc(sizeof(*nc) + size);
		if (!nc)
			return NULL;
		nc->next = c;
		nc->used = 0;
		nc->size = size;
		ev->arena = c = nc;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

static void arena_reset(struct hst_events *ev)
{
	struct chunk *c = ev->arena;
	if (!c)
		return;
	/* Keep the newest chunk, free the rest. */
	struct chunk *rest = c->next;
	c->next = NULL;
	c->used = 0;
	while (rest) {
		struct chunk *n = rest->next;
		free(rest);
		rest = n;
	}
}

static char *arena_str(struct hst_events *ev, const char *s, size_t n)
{
	char *p = arena_alloc(ev, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* --- filling the typed struct ------------------------------------------- */

static const struct hst_dval *find_val(const struct hst_drec *d, unsigned arg)
{
	const struct hst_dval *v = hst_drec_vals(d);
	for (unsigned i = 0; i < d->nvals; i++)
		if (v[i].arg == arg)
			return &v[i];
	return NULL;
}

static const char *const *fill_strv(struct hst_events *ev, const struct hst_drec *d,
				    const struct hst_dval *v, size_t *count)
{
	const char *p = hst_drec_blob(d) + v->off;
	const char **arr = arena_alloc(ev, (v->len + 1) * sizeof(char *));

	*count = 0;
	if (!arr)
		return NULL;
	for (uint32_t i = 0; i < v->len; i++) {
		uint32_t hdr[2];
		memcpy(hdr, p, sizeof(hdr));
		arr[i] = hdr[1] & HST_CAPF_FAULT ? NULL : arena_str(ev, p + 8, hdr[0]);
		p += 8 + ((hdr[0] + 3) & ~3u);
	}
	arr[v->len] = NULL;
	*count = v->len;
	return arr;
}

static void fill_field(struct hst_events *ev, char *base, const struct hst_inner_field *f,
		       const struct hst_drec *d, const struct hst_dval *v)
{
	uint64_t raw = d->args[f->arg];
	bool bytes = v && !(v->flags & (HST_DVF_FAULT | HST_DVF_NULL));

	switch (f->kind) {
	case HST_F_INT:
		*(int *)(base + f->off) = (int)raw;
		break;
	case HST_F_LONG:
		*(long *)(base + f->off) = (long)raw;
		break;
	case HST_F_U64:
		*(uint64_t *)(base + f->off) = raw;
		break;
	case HST_F_STR:
		*(const char **)(base + f->off) = bytes ? arena_str(ev, hst_drec_blob(d) + v->off, v->len) : NULL;
		break;
	case HST_F_BUF:
		*(const void **)(base + f->off) = bytes ? arena_str(ev, hst_drec_blob(d) + v->off, v->len) : NULL;
		*(size_t *)(base + f->aux_off) = bytes ? v->len : 0;
		break;
	case HST_F_BLOB: {
		/* The first piece: the struct at the argument's own address (for
		 * inout, the one after the entry bytes: the call's result). */
		struct hst_piece pieces[2];
		unsigned n = bytes ? hst_drec_pieces(d, v, pieces, 2) : 0;
		const struct hst_piece *piece = n > 1 && pieces[0].entry ? &pieces[1] : n ? &pieces[0] : NULL;
		uint32_t len = piece ? piece->len : 0;
		void *copy = len ? arena_alloc(ev, len) : NULL;
		if (copy)
			memcpy(copy, piece->data, len);
		*(const void **)(base + f->off) = copy;
		*(size_t *)(base + f->aux_off) = copy ? len : 0;
		break;
	}
	case HST_F_STRV: {
		size_t count = 0;
		*(const char *const **)(base + f->off) = bytes ? fill_strv(ev, d, v, &count) : NULL;
		*(size_t *)(base + f->aux_off) = count;
		break;
	}
	default:
		break;
	}
}

static void fill_inner(struct hst_events *ev, hstrace_call_t *c, const struct hst_drec *entry,
		       const struct hst_drec *exit)
{
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);

	memset(&c->inner, 0, sizeof(c->inner));
	if (!sig) {
		memcpy(c->inner.raw, entry->args, sizeof(c->inner.raw));
		return;
	}
	const struct hst_inner_layout *lay = &hst_inner_layouts[entry->nr];
	for (unsigned i = 0; i < lay->nfields; i++) {
		const struct hst_inner_field *f = &lay->f[i];
		const struct hst_drec *d = f->arg < sig->exit_from || !exit ? entry : exit;
		fill_field(ev, (char *)&c->inner, f, d, find_val(d, f->arg));
	}
}

/* --- pairing ------------------------------------------------------------ */

static void emit_call(struct hst_events *ev, const struct hst_drec *entry, const struct hst_drec *exit)
{
	hstrace_call_t *c = &ev->call;
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);

	memset(c, 0, offsetof(hstrace_call_t, inner));
	c->comm = hst_names_get(&ev->names, entry->tgid, entry, ev->comm);
	if (c->comm && c->comm != ev->comm)
		c->comm = memcpy(ev->comm, c->comm, HST_COMM_LEN); /* the map may change before the next call */
	c->kind = HSTRACE_EV_SYSCALL;
	c->syscall = entry->nr;
	c->name = hst_text_syscall_name(entry->nr, entry->flags, ev->name);
	c->pid = entry->tgid;
	c->tid = entry->tid;
	c->seq = entry->seq;
	c->ts_ns = entry->ts_ns;
	c->category = sig ? (hstrace_category_t)sig->category : HSTRACE_CAT_OTHER;
	c->mode = (hstrace_mode_t)hst_mode_of(entry, exit);
	memcpy(c->args, entry->args, sizeof(c->args));
	if (exit) {
		c->returned = true;
		c->duration_ns = exit->ts_ns - entry->ts_ns;
		if (exit->flags & HST_RAWF_ERROR) {
			c->ret = -1;
			c->error = (int)-exit->rval;
		} else {
			c->ret = exit->rval;
		}
	}
	fill_inner(ev, c, entry, exit);
}

static int save_entry(struct hst_events *ev, const struct hst_drec *d)
{
	struct pending *p = hst_tidmap_put(&ev->tids, d->tid);

	if (!p)
		return -ENOMEM;
	if (p->cap < d->size) {
		void *n = realloc(p->entry, d->size);
		if (!n)
			return -ENOMEM;
		p->entry = n;
		p->cap = d->size;
	}
	memcpy(p->entry, d, d->size);
	p->has = 1;
	return 0;
}

static void emit_simple(struct hst_events *ev, const struct hst_drec *d)
{
	hstrace_call_t *c = &ev->call;

	memset(c, 0, sizeof(*c));
	c->comm = hst_names_get(&ev->names, d->tgid, NULL, ev->comm);
	if (c->comm)
		c->comm = memcpy(ev->comm, c->comm, HST_COMM_LEN);
	c->pid = d->tgid;
	c->tid = d->tid;
	c->seq = d->seq;
	c->ts_ns = d->ts_ns;
	if (d->kind == HST_RAW_SIGNAL || d->kind == HST_RAW_GROUP_STOP) {
		c->kind = d->kind == HST_RAW_SIGNAL ? HSTRACE_EV_SIGNAL : HSTRACE_EV_STOPPED;
		c->syscall = d->nr;
		c->name = hst_signal_name(d->nr);
		c->category = HSTRACE_CAT_SIGNAL;
	} else if (d->kind == HST_RAW_DETACHED) {
		c->kind = HSTRACE_EV_DETACHED;
		c->name = "detached";
		c->category = HSTRACE_CAT_PROCESS;
	} else {
		c->kind = d->kind == HST_RAW_EXITED ? HSTRACE_EV_EXITED : HSTRACE_EV_KILLED;
		c->ret = d->rval;
		c->core_dumped = (d->flags & HST_RAWF_CORE) != 0;
		c->name = d->kind == HST_RAW_EXITED ? "exited" : "killed";
		c->category = HSTRACE_CAT_PROCESS;
	}
}

/*
 * The leader d->tid was superseded by an execve in thread d->nr: the
 * leader's own call never returns (dropped, as strace ends it with "= ?"),
 * and the execve, pending under the old tid, returns under the leader's.
 */
static void supersede(struct hst_events *ev, const struct hst_drec *d)
{
	struct pending *leader = hst_tidmap_get(&ev->tids, d->tid);
	struct pending *execer = hst_tidmap_get(&ev->tids, (pid_t)d->nr);

	if (leader)
		leader->has = 0;
	if (!execer || !execer->has)
		return;
	execer->entry->tid = d->tid;
	if (save_entry(ev, execer->entry) < 0)
		return;
	execer = hst_tidmap_get(&ev->tids, (pid_t)d->nr); /* the put may move slots */
	if (execer) {
		free(execer->entry);
		hst_tidmap_del(&ev->tids, (pid_t)d->nr);
	}
}

/* One decoded record in; true when it produced an event in ev->call. */
static bool consume(struct hst_events *ev, const struct hst_drec *d)
{
	struct pending *p;

	switch (d->kind) {
	case HST_RAW_SYSCALL_ENTRY:
		save_entry(ev, d);
		return false;
	case HST_RAW_SYSCALL_EXIT:
		p = hst_tidmap_get(&ev->tids, d->tid);
		if (!p || !p->has)
			return false;
		p->has = 0;
		emit_call(ev, p->entry, d);
		hst_names_follow(&ev->names, p->entry, d);
		return true;
	case HST_RAW_NEW_TRACEE:
		hst_names_new(&ev->names, d);
		return false;
	case HST_RAW_SIGNAL:
	case HST_RAW_GROUP_STOP:
		emit_simple(ev, d);
		return true;
	case HST_RAW_EXITED:
	case HST_RAW_KILLED:
	case HST_RAW_DETACHED:
		if (hst_raw_superseded(d->kind, d->nr)) {
			supersede(ev, d);
			return false;
		}
		p = hst_tidmap_get(&ev->tids, d->tid);
		if (p && p->has) {
			/* Its last call never returned (or not while traced): that goes first. */
			memcpy(&ev->deferred, d, sizeof(ev->deferred));
			ev->has_deferred = 1;
			emit_call(ev, p->entry, NULL);
		} else {
			emit_simple(ev, d);
			hst_names_gone(&ev->names, d);
		}
		if (p) {
			free(p->entry);
			hst_tidmap_del(&ev->tids, d->tid);
		}
		return true;
	default:
		return false;
	}
}

const hstrace_call_t *hst_events_next(struct hst_events *ev)
{
	const struct hst_drec *d;
	int closed;

	arena_reset(ev);
	if (ev->has_deferred) {
		ev->has_deferred = 0;
		emit_simple(ev, &ev->deferred);
		hst_names_gone(&ev->names, &ev->deferred);
		return &ev->call;
	}
	while (!ev->done) {
		d = hst_merge_next(&ev->merge, true, &closed);
		if (!d) {
			ev->done = 1;
			break;
		}
		/* hstrace_filter(): what it leaves out is not an event. */
		if (!hst_select_record(&ev->select, d))
			continue;
		if (consume(ev, d))
			return &ev->call;
	}
	return NULL;
}

int hst_events_create(struct hst_events **out, struct hst_ring **rings, unsigned n, unsigned consumer,
		      const struct hst_filter *filter)
{
	struct hst_events *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return -ENOMEM;
	ev->merge = (struct hst_merge){ rings, n, consumer, 0 };
	if (hst_select_init(&ev->select, filter) < 0) {
		free(ev);
		return -ENOMEM;
	}
	if (hst_tidmap_init(&ev->tids, sizeof(struct pending)) < 0) {
		hst_select_free(&ev->select);
		free(ev);
		return -ENOMEM;
	}
	if (hst_tidmap_init(&ev->names, hst_names_slot_size()) < 0) {
		hst_tidmap_free(&ev->tids);
		hst_select_free(&ev->select);
		free(ev);
		return -ENOMEM;
	}
	*out = ev;
	return 0;
}

void hst_events_detach(struct hst_events *ev)
{
	if (!ev->done) {
		hst_merge_detach(&ev->merge);
		ev->done = 1;
	}
}

static void free_pending(pid_t tid, void *slot, void *arg)
{
	struct pending *p = slot;
	(void)tid;
	(void)arg;
	free(p->entry);
}

void hst_events_free(struct hst_events *ev)
{
	if (!ev)
		return;
	hst_tidmap_each(&ev->tids, free_pending, NULL);
	hst_tidmap_free(&ev->tids);
	hst_tidmap_free(&ev->names);
	hst_select_free(&ev->select);
	arena_reset(ev);
	free(ev->arena);
	free(ev);
}
