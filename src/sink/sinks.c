/*
 * Text and log sink threads; see sinks.h.  A text sink renders with one of
 * two renderers, chosen at start by hst_text_config.human: strace's lines
 * (render_text.c) or human sentences (render_human.c); the thread, the
 * merge of the worker rings and the batching are the same for both.
 *
 * Both batch their writes: they render or append into a buffer and write it
 * when it is large, or when the input runs dry, right before they would
 * sleep.  An idle trace therefore shows every line at once, and a busy one
 * costs one write per buffer, not per line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ring.h"
#include "core/systable.h"
#include "sink/calls.h"
#include "sink/out.h"
#include "sink/sinks.h"
#include "sink/summary.h"

#define FLUSH_BYTES (64u * 1024u)

const struct hst_drec *hst_merge_next(struct hst_merge *m, bool block, int *closed)
{
	/* One ring (one worker): no 64-bit division per record. */
	struct hst_ring *r = m->rings[m->n > 1 ? m->next_seq % m->n : 0];
	const struct hst_drec *d;
	size_t len;

	*closed = 0;
	if (block)
		d = hst_ring_next_mc(r, m->consumer, &len);
	else
		d = hst_ring_try_next_mc(r, m->consumer, &len, closed);
	if (!d) {
		if (block)
			*closed = 1;
		return NULL;
	}
	m->next_seq++;
	return d;
}

void hst_merge_detach(struct hst_merge *m)
{
	for (unsigned i = 0; i < m->n; i++)
		hst_ring_detach_mc(m->rings[i], m->consumer);
}

struct hst_sink {
	pthread_t thread;
	int fd;
	int err;
	uint64_t bytes;
	/* text */
	struct hst_merge merge;
	const struct renderer *renderer;
	struct hst_text text;
	struct hst_human *human;
	struct hst_json *json;
	struct hst_group *group;
	const struct hst_filter *filter;
	struct hst_calls gate;    /* status filter: whole calls, then rendered */
	struct hst_tidmap held;   /* status filter: tid -> struct held */
	bool gated;
	struct hst_select select;  /* -e, -P: which records are shown */
	struct hst_out out;
	/* log */
	struct hst_ring *raw;
	unsigned consumer;
	struct hst_log_sink_config log;
	struct hst_log_writer *writer;
	uint64_t processes;
	uint64_t last_status_ns;
	/* summary (reads the raw ring, or the decoded rings through gate) */
	struct hst_summary *summary;
	bool counting;            /* decoded summary: the record in hand is selected */
};

/* --- text --------------------------------------------------------------- */

/*
 * A text sink renders either strace's lines or human sentences; everything
 * else (merging the rings, batching the writes) is the same.
 */
struct renderer {
	void (*record)(struct hst_sink *s, const struct hst_drec *d);
	void (*finish)(struct hst_sink *s);
	bool at_join;  /* finish in hst_sink_join: after the outputs before it */
};

static void strace_record(struct hst_sink *s, const struct hst_drec *d)
{
	hst_text_record(&s->text, d, &s->out);
}

static void strace_finish(struct hst_sink *s)
{
	hst_text_finish(&s->text, &s->out);
}

static void human_record(struct hst_sink *s, const struct hst_drec *d)
{
	hst_human_record(s->human, d, &s->out);
}

static void human_finish(struct hst_sink *s)
{
	hst_human_finish(s->human, &s->out);
}

static void json_record(struct hst_sink *s, const struct hst_drec *d)
{
	hst_json_record(s->json, d, &s->out);
}

static void json_finish(struct hst_sink *s)
{
	hst_json_finish(s->json, &s->out);
}

static const struct renderer strace_renderer = { strace_record, strace_finish };
static const struct renderer human_renderer = { human_record, human_finish };
static const struct renderer json_renderer = { json_record, json_finish };

static void group_record(struct hst_sink *s, const struct hst_drec *d)
{
	hst_group_record(s->group, d, &s->out);
}

static void group_finish(struct hst_sink *s)
{
	hst_group_finish(s->group, &s->out);
}

static const struct renderer group_renderer = { group_record, group_finish, true };

/*
 * Filters (-e trace=, signal=, status=).  Calls and signals not selected are
 * dropped here; with a status filter, calls go through calls.c so that a
 * call is rendered (entry and exit back to back) only once its outcome is
 * known, as strace -z/-Z print only whole calls.
 */
/*
 * strace's outcome classes: successful, failed (an error code), unfinished
 * (never returned: exit_group, a thread that died in the call, the
 * leader's call when another thread's execve superseded it, the end of
 * the stream), detached (hstrace detached while the call was in progress),
 * unavailable (returned, but the error status could not be fetched: the
 * tracer gets every return value with PTRACE_GET_SYSCALL_INFO at the exit
 * stop, and a tracee that dies there has no exit stop, so no record shows
 * this and status=unavailable selects nothing, as strace 6.1 shows nothing
 * for the cases above).
 */
static unsigned call_status(const struct hst_drec *exit, unsigned gone)
{
	if (!exit)
		return gone == HST_RAW_DETACHED ? HST_STATUS_DETACHED : HST_STATUS_UNFINISHED;
	if ((exit->flags & HST_RAWF_ERROR) || exit->rval < 0)
		return HST_STATUS_FAILED;
	return HST_STATUS_SUCCESSFUL;
}

static void gate_render(struct hst_sink *s, const struct hst_drec *entry, const struct hst_drec *exit,
			unsigned status)
{
	if (!(s->filter->status & status))
		return;
	s->renderer->record(s, entry);
	if (exit)
		s->renderer->record(s, exit);
}

/*
 * A call the kernel interrupted to restart it (-ERESTARTSYS and the like)
 * may be one hstrace interrupted to detach: its exit stop is where the
 * tracer detaches.  Held until the thread's next record tells which.
 */
struct held {
	struct hst_drec *entry, *exit;
	size_t entry_cap, exit_cap;
	bool has;
};

static bool is_restart(const struct hst_drec *exit)
{
	return exit && (exit->flags & HST_RAWF_ERROR) && hst_errno_restarts(-exit->rval);
}

static bool copy_rec(struct hst_drec **to, size_t *cap, const struct hst_drec *d)
{
	if (*cap < d->size) {
		void *n = realloc(*to, d->size);
		if (!n)
			return false;
		*to = n;
		*cap = d->size;
	}
	memcpy(*to, d, d->size);
	return true;
}

static void gate_call(void *arg, const struct hst_drec *entry, const struct hst_drec *exit)
{
	struct hst_sink *s = arg;
	struct held *h;

	if (is_restart(exit) && (h = hst_tidmap_put(&s->held, exit->tid)) &&
	    copy_rec(&h->entry, &h->entry_cap, entry) && copy_rec(&h->exit, &h->exit_cap, exit)) {
		h->has = true;
		return;
	}
	gate_render(s, entry, exit, call_status(exit, s->gate.gone));
}

/* d is the next record of a thread with a held call: detached, or it failed. */
static void gate_release(struct hst_sink *s, const struct hst_drec *d)
{
	struct held *h = hst_tidmap_get(&s->held, d->tid);

	if (!h || !h->has)
		return;
	h->has = false;
	if (d->kind == HST_RAW_DETACHED)
		gate_render(s, h->entry, NULL, HST_STATUS_DETACHED);
	else
		gate_render(s, h->entry, h->exit, HST_STATUS_FAILED);
}

static void release_all(pid_t tid, void *slot, void *arg)
{
	struct held *h = slot;
	struct hst_sink *s = arg;

	(void)tid;
	if (h->has)
		gate_render(s, h->entry, h->exit, HST_STATUS_FAILED);
	h->has = false;
}

static void free_held(pid_t tid, void *slot, void *arg)
{
	struct held *h = slot;

	(void)tid, (void)arg;
	free(h->entry);
	free(h->exit);
}

static void gate_other(void *arg, const struct hst_drec *d)
{
	struct hst_sink *s = arg;
	s->renderer->record(s, d);
}

static const struct hst_calls_ops gate_ops = { gate_call, gate_other };

/* --- the selection every consumer shares (sinks.h) ---------------------- */

enum { SHOWN_NOT = 0, SHOWN_PATH = 1, SHOWN_FD = 2 };

int hst_select_init(struct hst_select *sel, const struct hst_filter *f)
{
	memset(sel, 0, sizeof(*sel));
	sel->filter = f;
	return hst_tidmap_init(&sel->calls, 1) < 0 ? -ENOMEM : 0;
}

void hst_select_free(struct hst_select *sel)
{
	hst_tidmap_free(&sel->calls);
	free(sel->fds);
	sel->fds = NULL;
	sel->nfds = sel->cap_fds = 0;
}

/*
 * -P: a path argument of the entry equals one of the filter's paths.
 */
static bool touches_path(const struct hst_filter *f, const struct hst_drec *d)
{
	const struct hst_dval *v = hst_drec_vals(d);

	for (unsigned i = 0; i < d->nvals; i++) {
		if (v[i].type != HST_A_PATH || (v[i].flags & (HST_DVF_NULL | HST_DVF_FAULT)))
			continue;
		if (hst_filter_path(f, hst_drec_blob(d) + v[i].off, v[i].len))
			return true;
	}
	return false;
}

static int path_fd_find(const struct hst_select *sel, pid_t tgid, int fd)
{
	for (unsigned i = 0; i < sel->nfds; i++)
		if (sel->fds[i].tgid == tgid && sel->fds[i].fd == fd)
			return (int)i;
	return -1;
}

static void path_fd_add(struct hst_select *sel, pid_t tgid, int fd)
{
	if (fd < 0 || path_fd_find(sel, tgid, fd) >= 0)
		return;
	if (sel->nfds == sel->cap_fds) {
		unsigned cap = sel->cap_fds ? sel->cap_fds * 2 : 16;
		struct hst_path_fd *n = realloc(sel->fds, cap * sizeof(*n));
		if (!n)
			return;
		sel->fds = n;
		sel->cap_fds = cap;
	}
	sel->fds[sel->nfds++] = (struct hst_path_fd){ tgid, fd };
}

static void path_fd_drop(struct hst_select *sel, pid_t tgid, int lo, int hi)
{
	for (unsigned i = 0; i < sel->nfds;) {
		if (sel->fds[i].tgid == tgid && sel->fds[i].fd >= lo && sel->fds[i].fd <= hi)
			sel->fds[i] = sel->fds[--sel->nfds];
		else
			i++;
	}
}

/*
 * What a descriptor names, as the tracer read it from /proc at the stop
 * (a deleted file's " (deleted)" left out, as strace leaves it out), is
 * one of the paths.  len 0: the descriptor was not open.
 */
static bool names_path(const struct hst_filter *f, const char *s, size_t n)
{
	static const char deleted[] = " (deleted)";
	size_t dlen = sizeof(deleted) - 1;

	if (n > dlen && memcmp(s + n - dlen, deleted, dlen) == 0)
		n -= dlen;
	return n > 0 && hst_filter_path(f, s, n);
}

/*
 * -P: a descriptor argument of the entry is on a path.  Where the record
 * holds what the descriptor named at the stop (the tracer reads it for
 * -P and -y), that decides, as /proc decides for strace; otherwise (a log
 * recorded without either) the descriptors followed since their open.
 * AT_FDCWD and other negative numbers name nothing, as for strace.
 */
static bool uses_path_fd(const struct hst_select *sel, const struct hst_drec *d)
{
	const struct hst_dval *v = hst_drec_vals(d);

	for (unsigned i = 0; i < d->nvals; i++) {
		int fd = (int)v[i].v;
		if ((v[i].type != HST_A_FD && v[i].type != HST_A_DIRFD) || fd < 0)
			continue;
		if ((v[i].flags & HST_DVF_FDPATH) ? names_path(sel->filter, hst_drec_blob(d) + v[i].off, v[i].len)
						   : path_fd_find(sel, d->tgid, fd) >= 0)
			return true;
	}
	/* The descriptors in poll's array and select's sets (decode_set_fdpaths). */
	const char *p = hst_drec_blob(d) + d->set_paths_off;
	for (uint32_t k = 0; k < d->set_paths_n; k++) {
		uint32_t hdr[2];
		memcpy(hdr, p, sizeof(hdr));
		if (names_path(sel->filter, p + sizeof(hdr), hdr[1]))
			return true;
		p += (sizeof(hdr) + hdr[1] + 3) & ~(size_t)3;
	}
	return false;
}

static bool named(const struct hst_syscall_sig *sig, const char *name)
{
	return sig && strcmp(sig->name, name) == 0;
}

/*
 * The descriptors a successful call adds or ends, for -P: the one a call
 * on the path returned, copies of a followed one (dup, dup2, dup3, fcntl
 * F_DUPFD), closes, and a forked child's copy of its parent's table.
 */
static void path_follow(struct hst_select *sel, const struct hst_drec *x, unsigned shown)
{
	const struct hst_syscall_sig *sig = hst_record_sig(x->nr, x->flags);
	int64_t r = x->rval;

	if (!sig || (x->flags & HST_RAWF_ERROR) || r < 0)
		return;
	if ((named(sig, "fork") || named(sig, "vfork") || named(sig, "clone") || named(sig, "clone3")) && r > 0) {
		unsigned n = sel->nfds;
		for (unsigned i = 0; i < n; i++)
			if (sel->fds[i].tgid == x->tgid)
				path_fd_add(sel, (pid_t)r, sel->fds[i].fd);
		return;
	}
	if (shown == SHOWN_NOT)
		return;
	if (named(sig, "close")) {
		path_fd_drop(sel, x->tgid, (int)x->args[0], (int)x->args[0]);
	} else if (named(sig, "close_range")) {
		path_fd_drop(sel, x->tgid, (int)x->args[0], x->args[1] > INT32_MAX ? INT32_MAX : (int)x->args[1]);
	} else if (named(sig, "dup2") || named(sig, "dup3")) {
		if (path_fd_find(sel, x->tgid, (int)x->args[0]) >= 0)
			path_fd_add(sel, x->tgid, (int)x->args[1]);
		else if (x->args[0] != x->args[1])
			path_fd_drop(sel, x->tgid, (int)x->args[1], (int)x->args[1]);
	} else if (named(sig, "dup") || (named(sig, "fcntl") && (x->args[1] == F_DUPFD || x->args[1] == F_DUPFD_CLOEXEC))) {
		if (shown == SHOWN_FD)
			path_fd_add(sel, x->tgid, (int)r);
	} else if (sig->ret == HST_R_FD && shown == SHOWN_PATH) {
		path_fd_add(sel, x->tgid, (int)r);
	}
}

/* -P decides at a call's entry; its exit follows the entry's decision. */
static bool path_selected(struct hst_select *sel, const struct hst_drec *d)
{
	uint8_t *shown;

	if (d->kind == HST_RAW_SYSCALL_ENTRY) {
		shown = hst_tidmap_put(&sel->calls, d->tid);
		if (shown)
			*shown = touches_path(sel->filter, d) ? SHOWN_PATH : uses_path_fd(sel, d) ? SHOWN_FD : SHOWN_NOT;
		return shown && *shown;
	}
	shown = hst_tidmap_get(&sel->calls, d->tid);
	path_follow(sel, d, shown ? *shown : SHOWN_NOT);
	return shown && *shown;
}

bool hst_select_record(struct hst_select *sel, const struct hst_drec *d)
{
	const struct hst_filter *f = sel->filter;

	if (!f)
		return true;
	if (!hst_filter_pid(f, d->tgid, d->tid))
		return false;
	if (f->npaths && (d->kind == HST_RAW_EXITED || d->kind == HST_RAW_KILLED) && d->tid == d->tgid &&
	    !hst_raw_superseded(d->kind, d->nr))
		path_fd_drop(sel, d->tgid, 0, INT32_MAX);
	if (f->npaths && (d->kind == HST_RAW_SYSCALL_ENTRY || d->kind == HST_RAW_SYSCALL_EXIT) &&
	    !path_selected(sel, d))
		return false;
	return hst_select_header(f, d->kind, d->nr, d->flags);
}

bool hst_select_header(const struct hst_filter *f, unsigned kind, int32_t nr, unsigned raw_flags)
{
	if (!f)
		return true;
	switch (kind) {
	case HST_RAW_SYSCALL_ENTRY:
	case HST_RAW_SYSCALL_EXIT:
		if (raw_flags & (HST_RAWF_I386 | HST_RAWF_X32)) {
			/*
			 * Another ABI's call is selected by its name, as the
			 * seccomp filter selects it (libseccomp resolves names
			 * per ABI): i386's write is write.  A call x86_64 lacks
			 * (socketcall, mmap2) is shown unless nothing is traced.
			 */
			const char *name = hst_abi_name(nr, raw_flags);
			long nr64 = name ? hst_syscall_lookup(name) : -1;
			if (nr64 >= 0)
				return hst_filter_syscall(f, nr64);
			return !f->trace_set || !hst_filter_none(f);
		}
		return hst_filter_syscall(f, nr);
	case HST_RAW_SIGNAL:
		return hst_filter_signal(f, nr);
	default:
		return true;
	}
}

static void render(struct hst_sink *s, const struct hst_drec *d)
{
	if (!hst_select_record(&s->select, d))
		return;
	if (s->gated) {
		gate_release(s, d);
		hst_calls_record(&s->gate, d);
	} else
		s->renderer->record(s, d);
}

static int text_flush(struct hst_sink *s)
{
	size_t n = s->out.len;
	int err = hst_out_flush(&s->out, s->fd);
	if (err == 0)
		s->bytes += n;
	return err;
}

static void *text_main(void *arg)
{
	struct hst_sink *s = arg;
	const struct hst_drec *d;
	int closed = 0;

	while (!closed) {
		d = hst_merge_next(&s->merge, false, &closed);
		if (!d && !closed) {
			/* Dry: show what we have before sleeping. */
			if ((s->err = text_flush(s)) < 0)
				break;
			d = hst_merge_next(&s->merge, true, &closed);
		}
		if (!d)
			break;
		render(s, d);
		if (s->out.len >= FLUSH_BYTES && (s->err = text_flush(s)) < 0)
			break;
	}
	if (s->err == 0) {
		if (s->gated) {
			hst_tidmap_each(&s->held, release_all, s);
			hst_calls_finish(&s->gate);
		}
		if (!s->renderer->at_join)
			s->renderer->finish(s);
		s->err = text_flush(s);
	}
	if (s->err < 0)
		hst_merge_detach(&s->merge);
	return NULL;
}

int hst_sink_text_start(struct hst_sink **out, struct hst_ring **rings, unsigned n, unsigned consumer,
			int fd, bool color, const struct hst_text_config *cfg)
{
	struct hst_sink *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->merge = (struct hst_merge){ rings, n, consumer, 0 };
	hst_out_init(&s->out, color);
	s->renderer = cfg->group ? &group_renderer : cfg->json || cfg->perfetto ? &json_renderer :
		      cfg->human ? &human_renderer : &strace_renderer;
	s->filter = cfg->filter;
	err = hst_text_init(&s->text, cfg);
	if (err < 0)
		goto fail_text;
	if (cfg->human && (err = hst_human_new(&s->human, cfg)) < 0)
		goto fail_human;
	if ((cfg->json || cfg->perfetto) && (err = hst_json_new(&s->json, cfg)) < 0)
		goto fail_json;
	if (cfg->group && (err = hst_group_new(&s->group, cfg)) < 0)
		goto fail_group;
	s->gated = cfg->filter && cfg->filter->status != HST_STATUS_ALL;
	if ((err = hst_select_init(&s->select, cfg->filter)) < 0)
		goto fail_paths;
	if (s->gated && hst_calls_init(&s->gate, &gate_ops, s) < 0) {
		err = -ENOMEM;
		goto fail_gate;
	}
	s->gate.emit_detached = true; /* status=detached needs them */
	if (s->gated && hst_tidmap_init(&s->held, sizeof(struct held)) < 0) {
		err = -ENOMEM;
		goto fail_held;
	}
	err = -pthread_create(&s->thread, NULL, text_main, s);
	if (err < 0)
		goto fail_thread;
	*out = s;
	return 0;

fail_thread:
	if (s->gated)
		hst_tidmap_free(&s->held);
fail_held:
	if (s->gated)
		hst_calls_free(&s->gate);
fail_gate:
	hst_select_free(&s->select);
fail_paths:
	hst_group_free(s->group);
fail_group:
	hst_json_free(s->json);
fail_json:
	hst_human_free(s->human);
fail_human:
	hst_text_free(&s->text);
fail_text:
	hst_out_free(&s->out);
	free(s);
	return err;
}

/* --- log ---------------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void log_status(struct hst_sink *s, bool final)
{
	char line[160];
	int n;

	if (!s->log.status)
		return;
	if (final)
		n = snprintf(line, sizeof(line), "\r\033[K");
	else
		n = snprintf(line, sizeof(line), "\rhstrace: %" PRIu64 " records, %" PRIu64 " bytes, %" PRIu64
			     " tracees\033[K", hst_log_writer_records(s->writer),
			     hst_log_writer_bytes(s->writer), s->processes);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* a status line is best effort */
	}
}

static void log_maybe_status(struct hst_sink *s)
{
	uint64_t now = mono_ns();
	if (s->log.status && now - s->last_status_ns > 200000000u) {
		s->last_status_ns = now;
		log_status(s, false);
	}
}

static void *log_main(void *arg)
{
	struct hst_sink *s = arg;
	const struct hst_raw *r;
	size_t len;
	int closed = 0;

	for (;;) {
		r = hst_ring_try_next_mc(s->raw, s->consumer, &len, &closed);
		if (!r && !closed) {
			/* Dry: push the block out so a killed tracer loses little. */
			if ((s->err = hst_log_writer_flush(s->writer)) < 0)
				break;
			log_maybe_status(s);
			r = hst_ring_next_mc(s->raw, s->consumer, &len);
		}
		if (!r)
			break;
		if (r->kind == HST_RAW_NEW_TRACEE)
			s->processes++;
		if ((s->err = hst_log_writer_append(s->writer, r)) < 0)
			break;
		if ((hst_log_writer_records(s->writer) & 4095) == 0)
			log_maybe_status(s);
	}
	if (s->err == 0)
		s->err = hst_log_writer_flush(s->writer);
	if (s->err < 0) {
		/* Stop holding the producer back first: it may be waiting for room. */
		hst_ring_detach_mc(s->raw, s->consumer);
		if (s->log.on_error)
			s->log.on_error(s->log.on_error_arg);
	}
	s->bytes = hst_log_writer_bytes(s->writer);
	int err = hst_log_writer_close(s->writer);
	if (s->err == 0)
		s->err = err;
	log_status(s, true);
	s->writer = NULL;
	return NULL;
}

int hst_sink_log_start(struct hst_sink **out, struct hst_ring *raw, unsigned consumer,
		       const struct hst_log_sink_config *cfg)
{
	struct hst_sink *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->raw = raw;
	s->consumer = consumer;
	s->log = *cfg;
	s->fd = cfg->fd;
	err = hst_log_writer_open(&s->writer, cfg->fd, cfg->meta, cfg->argv);
	if (err < 0)
		goto fail_writer;
	err = -pthread_create(&s->thread, NULL, log_main, s);
	if (err < 0)
		goto fail_thread;
	*out = s;
	return 0;

fail_thread:
	hst_log_writer_close(s->writer);
fail_writer:
	free(s);
	return err;
}

/* --- summary -------------------------------------------------------------- */

/*
 * The -c table needs only the records' headers, so like the log sink it
 * reads the raw ring: counting costs no decoding.  With -P (whose decision
 * needs the decoded path arguments) or per-process tables (which name
 * each process, as calls.c follows names through exec), it reads the
 * decoded rings instead, through the same selection as the other outputs.
 * The table is written by hst_sink_join, so that it follows a trace
 * written to the same fd.
 */
static void *summary_raw_main(void *arg)
{
	struct hst_sink *s = arg;
	const struct hst_filter *f = s->filter;
	const struct hst_raw *r;
	size_t len;

	while ((r = hst_ring_next_mc(s->raw, s->consumer, &len))) {
		if (f && (!hst_filter_pid(f, r->tgid, r->tid) || !hst_select_header(f, r->kind, r->nr, r->flags)))
			continue;
		hst_summary_add(s->summary, r->kind, r->tid, r->nr, r->ts_ns, r->flags, r->rval);
	}
	return NULL;
}

/* Whole calls from calls.c: entry and exit counted back to back. */
static void summary_call(void *arg, const struct hst_drec *entry, const struct hst_drec *exit)
{
	struct hst_sink *s = arg;
	char buf[HST_COMM_LEN];

	if (!s->counting)
		return;
	hst_summary_add_pid(s->summary, entry->tgid, entry->kind, entry->tid, entry->nr, entry->ts_ns,
			    entry->flags, entry->rval);
	if (exit)
		hst_summary_add_pid(s->summary, exit->tgid, exit->kind, exit->tid, exit->nr, exit->ts_ns,
				    exit->flags, exit->rval);
	hst_summary_name(s->summary, entry->tgid, hst_calls_name(&s->gate, entry->tgid, entry, buf));
}

static void summary_other(void *arg, const struct hst_drec *d)
{
	(void)arg, (void)d;
}

static const struct hst_calls_ops summary_ops = { summary_call, summary_other };

static void *summary_decoded_main(void *arg)
{
	struct hst_sink *s = arg;
	const struct hst_drec *d;
	int closed;

	/*
	 * Every record goes to calls.c, which follows process names through
	 * exec and fork; only selected calls count.  A call's entry and exit
	 * are selected alike, and calls.c hands a call over at its exit (or
	 * at its entry for one that never returns).
	 */
	while ((d = hst_merge_next(&s->merge, true, &closed))) {
		s->counting = hst_select_record(&s->select, d);
		hst_calls_record(&s->gate, d);
	}
	s->counting = false;
	hst_calls_finish(&s->gate);
	return NULL;
}

int hst_sink_summary_start(struct hst_sink **out, const struct hst_summary_source *src, int fd,
			   const struct hst_summary_config *cfg)
{
	struct hst_sink *s = calloc(1, sizeof(*s));
	bool decoded = src->rings != NULL;
	int err = -ENOMEM;

	if (!s)
		return -ENOMEM;
	s->raw = src->raw;
	s->consumer = src->consumer;
	s->merge = (struct hst_merge){ src->rings, src->nrings, src->consumer, 0 };
	s->fd = fd;
	s->filter = cfg->filter;
	hst_out_init(&s->out, false);
	s->summary = malloc(sizeof(*s->summary));
	if (!s->summary || hst_summary_init(s->summary, cfg->sort) < 0)
		goto fail_summary;
	if (cfg->per_pid && hst_summary_per_pid(s->summary) < 0)
		goto fail_calls;
	if (decoded && hst_select_init(&s->select, cfg->filter) < 0)
		goto fail_calls;
	if (decoded && hst_calls_init(&s->gate, &summary_ops, s) < 0)
		goto fail_select;
	s->gated = decoded;
	err = -pthread_create(&s->thread, NULL, decoded ? summary_decoded_main : summary_raw_main, s);
	if (err == 0) {
		*out = s;
		return 0;
	}
	if (decoded)
		hst_calls_free(&s->gate);
fail_select:
	if (decoded)
		hst_select_free(&s->select);
fail_calls:
	hst_summary_free(s->summary);
fail_summary:
	free(s->summary);
	hst_out_free(&s->out);
	free(s);
	return err;
}

int hst_sink_join(struct hst_sink *s, uint64_t *bytes_written)
{
	int err;

	pthread_join(s->thread, NULL);
	if (s->renderer && s->renderer->at_join && s->err == 0) {
		s->renderer->finish(s);
		s->err = text_flush(s);
	}
	if (s->summary) {
		/* Written here, not by its thread: after the outputs joined before. */
		hst_summary_print(s->summary, &s->out);
		s->bytes = s->out.len;
		s->err = hst_out_flush(&s->out, s->fd);
	}
	err = s->err;
	if (bytes_written)
		*bytes_written += s->bytes;
	if (s->renderer) {
		hst_human_free(s->human);
		hst_json_free(s->json);
		hst_group_free(s->group);
		if (s->gated) {
			hst_tidmap_each(&s->held, free_held, NULL);
			hst_tidmap_free(&s->held);
			hst_calls_free(&s->gate);
		}
		hst_select_free(&s->select);
		hst_text_free(&s->text);
		hst_out_free(&s->out);
	}
	if (s->summary) {
		if (s->gated) {
			hst_calls_free(&s->gate);
			hst_select_free(&s->select);
		}
		hst_summary_free(s->summary);
		free(s->summary);
		hst_out_free(&s->out);
	}
	free(s);
	return err;
}
