/*
 * Pairing entry and exit records, and following process names.  See
 * calls.h.  One sink thread owns a struct hst_calls.
 */
#include <stdlib.h>
#include <string.h>

#include "core/systable.h"
#include "decode/modes.h"
#include "sink/calls.h"

struct pending {
	struct hst_drec *entry; /* copy of the entry record */
	size_t cap;
	int has;
};

struct pname {
	char name[HST_COMM_LEN];
};

int hst_calls_init(struct hst_calls *c, const struct hst_calls_ops *ops, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->arg = arg;
	if (hst_tidmap_init(&c->pending, sizeof(struct pending)) < 0)
		return -1;
	if (hst_tidmap_init(&c->names, sizeof(struct pname)) < 0) {
		hst_tidmap_free(&c->pending);
		return -1;
	}
	return 0;
}

static void free_pending(pid_t tid, void *slot, void *arg)
{
	struct pending *p = slot;
	(void)tid, (void)arg;
	free(p->entry);
}

void hst_calls_free(struct hst_calls *c)
{
	hst_tidmap_each(&c->pending, free_pending, NULL);
	hst_tidmap_free(&c->pending);
	hst_tidmap_free(&c->names);
}

bool hst_calls_is_exec(const struct hst_drec *d)
{
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);
	return sig && (!strcmp(sig->name, "execve") || !strcmp(sig->name, "execveat"));
}

/* The basename of execve's path, or NULL. */
static const char *exec_basename(const struct hst_drec *entry, size_t *len)
{
	int arg = hst_arg_index(entry->nr, entry->flags, "pathname");
	const struct hst_dval *v = arg < 0 ? NULL : hst_drec_val(entry, (unsigned)arg);
	const char *s, *slash;

	if (!v || v->type != HST_A_PATH || (v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) || v->len == 0)
		return NULL;
	s = hst_drec_blob(entry) + v->off;
	slash = memrchr(s, '/', v->len);
	*len = slash ? v->len - (size_t)(slash + 1 - s) : v->len;
	return slash ? slash + 1 : s;
}

size_t hst_names_slot_size(void)
{
	return sizeof(struct pname);
}

static void set_name(struct hst_tidmap *names, pid_t tgid, const char *s, size_t n)
{
	struct pname *p = hst_tidmap_put(names, tgid);

	if (!p)
		return;
	n = n < HST_COMM_LEN - 1 ? n : HST_COMM_LEN - 1;
	memmove(p->name, s, n);
	p->name[n] = '\0';
}

const char *hst_calls_name(struct hst_calls *c, pid_t tgid, const struct hst_drec *d, char buf[HST_COMM_LEN])
{
	return hst_names_get(&c->names, tgid, d, buf);
}

const char *hst_names_get(struct hst_tidmap *names, pid_t tgid, const struct hst_drec *d, char buf[HST_COMM_LEN])
{
	struct pname *p = hst_tidmap_get(names, tgid);
	const char *base;
	size_t len;

	if (p && p->name[0])
		return p->name;
	/* A first execve names the process it is about to become. */
	if (d && d->kind == HST_RAW_SYSCALL_ENTRY && hst_calls_is_exec(d) &&
	    (base = exec_basename(d, &len)) && len) {
		len = len < HST_COMM_LEN - 1 ? len : HST_COMM_LEN - 1;
		memcpy(buf, base, len);
		buf[len] = '\0';
		return buf;
	}
	return NULL;
}

/* The pid a successful fork, vfork, clone or clone3 returned; else 0. */
static pid_t forked(const struct hst_drec *entry, const struct hst_drec *exit)
{
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);

	if (!exit || (exit->flags & HST_RAWF_ERROR) || exit->rval <= 0 || !sig)
		return 0;
	if (strcmp(sig->name, "clone") && strcmp(sig->name, "clone3") && strcmp(sig->name, "fork") &&
	    strcmp(sig->name, "vfork"))
		return 0;
	return (pid_t)exit->rval;
}

/* A forked child not named yet is called as its parent. */
static void inherit_name(struct hst_tidmap *names, pid_t child, pid_t parent_tgid)
{
	struct pname *parent;
	char copy[HST_COMM_LEN];

	if (hst_tidmap_get(names, child) || !(parent = hst_tidmap_get(names, parent_tgid)) || !parent->name[0])
		return;
	/* set_name may move the map's slots: the parent's name is copied first. */
	memcpy(copy, parent->name, HST_COMM_LEN);
	set_name(names, child, copy, strlen(copy));
}

/* Process names follow execve and fork. */
void hst_names_follow(struct hst_tidmap *names, const struct hst_drec *entry, const struct hst_drec *exit)
{
	pid_t child = forked(entry, exit);
	const char *base;
	size_t len;

	if (!exit || (exit->flags & HST_RAWF_ERROR))
		return;
	if (hst_calls_is_exec(entry) && exit->rval == 0 && (base = exec_basename(entry, &len)) && len)
		set_name(names, entry->tgid, base, len);
	else if (child > 0)
		inherit_name(names, child, entry->tgid);
}

/*
 * An attached process is named by its comm until it execs; a forked one
 * by its parent's name (rval), which its own calls can precede the
 * parent's fork returning with.
 */
void hst_names_new(struct hst_tidmap *names, const struct hst_drec *d)
{
	if (d->kind != HST_RAW_NEW_TRACEE || hst_tidmap_get(names, d->tgid))
		return;
	if (d->blob_len)
		set_name(names, d->tgid, hst_drec_blob(d), d->blob_len);
	else if (d->tid == d->tgid && d->rval > 0)
		inherit_name(names, d->tgid, (pid_t)d->rval);
}

/* A process that ended (its leader's exit or kill; not a detach) is forgotten. */
void hst_names_gone(struct hst_tidmap *names, const struct hst_drec *d)
{
	if ((d->kind == HST_RAW_EXITED || d->kind == HST_RAW_KILLED) && d->tid == d->tgid &&
	    !hst_raw_superseded(d->kind, d->nr))
		hst_tidmap_del(names, d->tgid);
}

static void emit(struct hst_calls *c, const struct hst_drec *entry, const struct hst_drec *exit)
{
	c->ops->call(c->arg, entry, exit);
	hst_names_follow(&c->names, entry, exit);
}

static void on_entry(struct hst_calls *c, const struct hst_drec *d)
{
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);
	struct pending *p;

	if (sig && sig->ret == HST_R_NORETURN) {
		emit(c, d, NULL);
		return;
	}
	p = hst_tidmap_put(&c->pending, d->tid);
	if (!p)
		return;
	if (p->cap < d->size) {
		void *n = realloc(p->entry, d->size);
		if (!n)
			return;
		p->entry = n;
		p->cap = d->size;
	}
	memcpy(p->entry, d, d->size);
	p->has = 1;
}

static void on_exit_stop(struct hst_calls *c, const struct hst_drec *d)
{
	struct pending *p = hst_tidmap_get(&c->pending, d->tid);

	if (!p || !p->has)
		return; /* no entry seen (attached mid-call) */
	p->has = 0;
	emit(c, p->entry, d);
}

/*
 * The leader d->tid was superseded by an execve of thread d->nr (the
 * tracer's EXITED record with a non-zero nr): the leader's pending call
 * never returns, and the former tid's pending execve returns under the
 * leader's tid.  The process and its name live on.
 */
static void on_superseded(struct hst_calls *c, const struct hst_drec *d)
{
	struct pending *p = hst_tidmap_get(&c->pending, d->tid), moved = { 0 };

	if (p && p->has)
		emit(c, p->entry, NULL);
	if (p) {
		free(p->entry);
		hst_tidmap_del(&c->pending, d->tid);
	}
	c->ops->other(c->arg, d);
	p = hst_tidmap_get(&c->pending, (pid_t)d->nr);
	if (!p)
		return;
	moved = *p;
	hst_tidmap_del(&c->pending, (pid_t)d->nr);
	p = hst_tidmap_put(&c->pending, d->tid);
	if (!p) {
		free(moved.entry);
		return;
	}
	*p = moved;
	if (p->has)
		p->entry->tid = d->tid;
}

static void on_gone(struct hst_calls *c, const struct hst_drec *d)
{
	struct pending *p;

	if (d->kind == HST_RAW_EXITED && d->nr > 0) {
		on_superseded(c, d);
		return;
	}
	p = hst_tidmap_get(&c->pending, d->tid);

	if (p && p->has && (d->kind != HST_RAW_DETACHED || c->emit_detached)) {
		c->gone = d->kind;
		emit(c, p->entry, NULL);
		c->gone = 0;
	}
	if (p) {
		free(p->entry);
		hst_tidmap_del(&c->pending, d->tid);
	}
	c->ops->other(c->arg, d);
	hst_names_gone(&c->names, d);
}

void hst_calls_record(struct hst_calls *c, const struct hst_drec *d)
{
	switch (d->kind) {
	case HST_RAW_SYSCALL_ENTRY: on_entry(c, d); break;
	case HST_RAW_SYSCALL_EXIT: on_exit_stop(c, d); break;
	case HST_RAW_EXITED:
	case HST_RAW_KILLED:
	case HST_RAW_DETACHED: on_gone(c, d); break;
	case HST_RAW_NEW_TRACEE:
		hst_names_new(&c->names, d);
		c->ops->other(c->arg, d);
		break;
	default: c->ops->other(c->arg, d); break;
	}
}

static void finish_one(pid_t tid, void *slot, void *arg)
{
	struct pending *p = slot;
	struct hst_calls *c = arg;

	(void)tid;
	if (p->has)
		c->ops->call(c->arg, p->entry, NULL);
	p->has = 0;
}

void hst_calls_finish(struct hst_calls *c)
{
	hst_tidmap_each(&c->pending, finish_one, c);
}
