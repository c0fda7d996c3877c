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
	struct hst_ring *r = m->rings[m->next_seq % m->n];
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
	bool gated;
	struct hst_tidmap paths;  /* -P: tid -> whether its current call is shown */
	struct path_fd { pid_t tgid; int fd; } path_fds[64];
	unsigned npath_fds;
	struct hst_out out;
	/* log */
	struct hst_ring *raw;
	unsigned consumer;
	struct hst_log_sink_config log;
	struct hst_log_writer *writer;
	uint64_t processes;
	uint64_t last_status_ns;
	/* summary (also reads the raw ring) */
	struct hst_summary *summary;
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
static bool status_selected(const struct hst_filter *f, const struct hst_drec *exit)
{
	if (!exit)
		return f->status & HST_STATUS_UNFINISHED;
	if ((exit->flags & HST_RAWF_ERROR) || exit->rval < 0)
		return f->status & HST_STATUS_FAILED;
	return f->status & HST_STATUS_SUCCESSFUL;
}

static void gate_call(void *arg, const struct hst_drec *entry, const struct hst_drec *exit)
{
	struct hst_sink *s = arg;

	if (!status_selected(s->filter, exit))
		return;
	s->renderer->record(s, entry);
	if (exit)
		s->renderer->record(s, exit);
}

static void gate_other(void *arg, const struct hst_drec *d)
{
	struct hst_sink *s = arg;
	s->renderer->record(s, d);
}

static const struct hst_calls_ops gate_ops = { gate_call, gate_other };

/* -P: a path argument of the entry equals one of the filter's paths. */
static bool touches_path(const struct hst_filter *f, const struct hst_drec *d)
{
	const struct hst_dval *v = hst_drec_vals(d);

	for (unsigned i = 0; i < d->nvals; i++) {
		if (v[i].type != HST_A_PATH || (v[i].flags & (HST_DVF_NULL | HST_DVF_FAULT)))
			continue;
		for (unsigned k = 0; k < f->npaths; k++)
			if (strlen(f->paths[k]) == v[i].len &&
			    memcmp(f->paths[k], hst_drec_blob(d) + v[i].off, v[i].len) == 0)
				return true;
	}
	return false;
}

/*
 * Descriptors opened on a -P path, per process, so that the calls using
 * them are shown too (as strace does); forgotten at close.
 */
static int path_fd_find(const struct hst_sink *s, pid_t tgid, int fd)
{
	for (unsigned i = 0; i < s->npath_fds; i++)
		if (s->path_fds[i].tgid == tgid && s->path_fds[i].fd == fd)
			return (int)i;
	return -1;
}

static bool uses_path_fd(const struct hst_sink *s, const struct hst_drec *d)
{
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);

	for (unsigned i = 0; sig && i < sig->nargs; i++)
		if ((sig->type[i] == HST_A_FD || sig->type[i] == HST_A_DIRFD) &&
		    path_fd_find(s, d->tgid, (int)d->args[i]) >= 0)
			return true;
	return false;
}

/* -P decides at a call's entry; its exit and resumption follow. */
static bool path_selected(struct hst_sink *s, const struct hst_drec *d)
{
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);
	uint8_t *keep;

	if (d->kind == HST_RAW_SYSCALL_ENTRY) {
		keep = hst_tidmap_put(&s->paths, d->tid);
		if (keep)
			*keep = touches_path(s->filter, d) ? 1 : uses_path_fd(s, d) ? 2 : 0;
		return keep && *keep;
	}
	keep = hst_tidmap_get(&s->paths, d->tid);
	if (!keep || !*keep)
		return false;
	if (*keep == 1 && sig && sig->ret == HST_R_FD && !(d->flags & HST_RAWF_ERROR) && d->rval >= 0 &&
	    s->npath_fds < sizeof(s->path_fds) / sizeof(s->path_fds[0]) && path_fd_find(s, d->tgid, (int)d->rval) < 0)
		s->path_fds[s->npath_fds++] = (struct path_fd){ d->tgid, (int)d->rval };
	if (sig && !strcmp(sig->name, "close") && !(d->flags & HST_RAWF_ERROR)) {
		int i = path_fd_find(s, d->tgid, (int)d->args[0]);
		if (i >= 0)
			s->path_fds[i] = s->path_fds[--s->npath_fds];
	}
	return true;
}

static bool selected(struct hst_sink *s, const struct hst_drec *d)
{
	const struct hst_filter *f = s->filter;

	if (!f)
		return true;
	if (!hst_filter_pid(f, d->tgid, d->tid))
		return false;
	if (f->npaths && (d->kind == HST_RAW_SYSCALL_ENTRY || d->kind == HST_RAW_SYSCALL_EXIT) &&
	    !path_selected(s, d))
		return false;
	switch (d->kind) {
	case HST_RAW_SYSCALL_ENTRY:
	case HST_RAW_SYSCALL_EXIT:
		/* i386/x32 numbers are other calls: shown unless nothing is traced. */
		if (d->flags & (HST_RAWF_I386 | HST_RAWF_X32))
			return !f->trace_set || !hst_filter_none(f);
		return hst_filter_syscall(f, d->nr);
	case HST_RAW_SIGNAL:
		return hst_filter_signal(f, d->nr);
	default:
		return true;
	}
}

static void render(struct hst_sink *s, const struct hst_drec *d)
{
	if (!selected(s, d))
		return;
	if (s->gated)
		hst_calls_record(&s->gate, d);
	else
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
		if (s->gated)
			hst_calls_finish(&s->gate);
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
	if (hst_tidmap_init(&s->paths, 1) < 0) {
		err = -ENOMEM;
		goto fail_paths;
	}
	if (s->gated && hst_calls_init(&s->gate, &gate_ops, s) < 0) {
		err = -ENOMEM;
		goto fail_gate;
	}
	err = -pthread_create(&s->thread, NULL, text_main, s);
	if (err < 0)
		goto fail_thread;
	*out = s;
	return 0;

fail_thread:
	if (s->gated)
		hst_calls_free(&s->gate);
fail_gate:
	hst_tidmap_free(&s->paths);
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
	if (s->err < 0)
		hst_ring_detach_mc(s->raw, s->consumer);
	if (s->err == 0)
		s->err = hst_log_writer_flush(s->writer);
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
 * reads the raw ring: counting costs no decoding.  The table is written by
 * hst_sink_join, so that it follows a trace written to the same fd.
 */
static void *summary_main(void *arg)
{
	struct hst_sink *s = arg;
	const struct hst_filter *f = s->filter;
	const struct hst_raw *r;
	size_t len;

	while ((r = hst_ring_next_mc(s->raw, s->consumer, &len))) {
		if ((r->kind == HST_RAW_SYSCALL_ENTRY || r->kind == HST_RAW_SYSCALL_EXIT) && f &&
		    !hst_filter_syscall(f, r->nr))
			continue;
		hst_summary_add(s->summary, r->kind, r->tid, r->nr, r->ts_ns, r->flags, r->rval);
	}
	return NULL;
}

int hst_sink_summary_start(struct hst_sink **out, struct hst_ring *raw, unsigned consumer, int fd,
			   int sort, const struct hst_filter *filter)
{
	struct hst_sink *s = calloc(1, sizeof(*s));
	int err = -ENOMEM;

	if (!s)
		return -ENOMEM;
	s->raw = raw;
	s->consumer = consumer;
	s->fd = fd;
	s->filter = filter;
	hst_out_init(&s->out, false);
	s->summary = malloc(sizeof(*s->summary));
	if (!s->summary || hst_summary_init(s->summary, sort) < 0)
		goto fail;
	err = -pthread_create(&s->thread, NULL, summary_main, s);
	if (err == 0) {
		*out = s;
		return 0;
	}
	hst_summary_free(s->summary);
fail:
	free(s->summary);
	hst_out_free(&s->out);
	free(s);
	return err;
}

int hst_sink_join(struct hst_sink *s, uint64_t *bytes_written)
{
	int err;

	pthread_join(s->thread, NULL);
	if (!s->raw && s->renderer->at_join && s->err == 0) {
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
	if (!s->raw) {
		hst_human_free(s->human);
		hst_json_free(s->json);
		hst_group_free(s->group);
		if (s->gated)
			hst_calls_free(&s->gate);
		hst_tidmap_free(&s->paths);
		hst_text_free(&s->text);
		hst_out_free(&s->out);
	}
	if (s->summary) {
		hst_summary_free(s->summary);
		free(s->summary);
		hst_out_free(&s->out);
	}
	free(s);
	return err;
}
