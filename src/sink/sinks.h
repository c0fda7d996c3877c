/*
 * Sink threads.  A text sink reads the decode workers' output rings (one
 * consumer slot in each), merges them back into capture order and renders
 * strace text to an fd.  A log sink reads the raw ring directly: the log
 * holds raw records, so recording costs no decoding at all.
 *
 * Each sink owns its thread, its renderer state and its output buffer.  A
 * sink that cannot write any more (EPIPE, ENOSPC) detaches from its rings so
 * the rest of the pipeline goes on, and reports the error at join.
 */
#ifndef HST_SINKS_H
#define HST_SINKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "decode/event.h"
#include "sink/render.h"
#include "sink/tidmap.h"

struct hst_ring;

/* Reading decoded records back in capture order from n worker rings. */
struct hst_merge {
	struct hst_ring **rings;
	unsigned n;
	unsigned consumer;
	uint64_t next_seq;
};

/*
 * Next decoded record.  block=false returns NULL with *closed=0 when the
 * next record is not ready yet.  NULL with *closed=1: the stream ended.
 */
const struct hst_drec *hst_merge_next(struct hst_merge *m, bool block, int *closed);

/* Leave all rings (the consumer stops holding the producers back). */
void hst_merge_detach(struct hst_merge *m);

/*
 * Which records a consumer shows: the one decision every consumer of a
 * trace shares (text, human, JSON, Perfetto and --group outputs, the -c
 * summary, hstrace_next()), so a filter means the same everywhere.  It
 * applies -e pid=, -P (path=: a call with the path as a path argument, or
 * with a descriptor argument naming it), -e trace= and -e signal=.  Status
 * filters (-z, -Z, status=) need whole calls and are the consumers' own.
 *
 * What a descriptor names is what the tracer read from /proc/TID/fd/N at
 * the call's entry stop (it does for every descriptor argument with -P or
 * -y, and with -P for those in poll's array and select's sets), as strace
 * reads it at each call: so a descriptor opened before an
 * attach, or by a call seccomp left out, is matched too.  A record without
 * that capture (a log recorded with neither) falls back to following
 * descriptors through the calls seen: the one a call on the path
 * returned, its dup copies and a forked child's copies, until closed.
 *
 * That following keeps state, so each consumer owns one struct hst_select
 * and feeds it every record in capture order; the filter itself is shared
 * and read-only.
 */
struct hst_path_fd {
	pid_t tgid;
	int fd;
};

struct hst_select {
	const struct hst_filter *filter; /* NULL: everything */
	struct hst_tidmap calls;          /* -P: tid -> why its current call is shown */
	struct hst_path_fd *fds;          /* -P: descriptors on a path, per process */
	unsigned nfds, cap_fds;
};

/* 0 or -ENOMEM.  f may be NULL (everything is selected). */
int hst_select_init(struct hst_select *sel, const struct hst_filter *f);
void hst_select_free(struct hst_select *sel);
/* Whether d is shown; every record must come through here, in order. */
bool hst_select_record(struct hst_select *sel, const struct hst_drec *d);
/*
 * The stateless part, from a record's header alone (raw or decoded):
 * -e trace= and signal=.  Without -P and pid=, hst_select_record is this.
 */
bool hst_select_header(const struct hst_filter *f, unsigned kind, int32_t nr, unsigned raw_flags);

struct hst_sink;

int hst_sink_text_start(struct hst_sink **out, struct hst_ring **rings, unsigned n, unsigned consumer,
			int fd, bool color, const struct hst_text_config *cfg);

struct hst_log_sink_config {
	int fd;
	bool status;                    /* live status line on stderr */
	const struct hst_log_meta *meta;
	const char *const *argv;
	/* Called once on the sink's thread when the log cannot be written. */
	void (*on_error)(void *arg);
	void *on_error_arg;
};

int hst_sink_log_start(struct hst_sink **out, struct hst_ring *raw, unsigned consumer,
		       const struct hst_log_sink_config *cfg);

/*
 * Where a summary reads: the raw ring (rings NULL), or the decode workers'
 * rings when it needs decoded records (-P, per-process tables).
 */
struct hst_summary_source {
	struct hst_ring *raw;
	struct hst_ring **rings;
	unsigned nrings;
	unsigned consumer;  /* its slot in raw, or in each of rings */
};

struct hst_summary_config {
	int sort;                        /* enum hst_summary_sort */
	bool per_pid;                    /* a table per process, then the total */
	const struct hst_filter *filter; /* NULL: every call */
};

/*
 * The -c summary: counts the selected calls (hst_select) and writes
 * strace's table to fd when joined.
 */
int hst_sink_summary_start(struct hst_sink **out, const struct hst_summary_source *src, int fd,
			   const struct hst_summary_config *cfg);

/* Wait for the sink to finish.  Returns 0 or its first write error; frees. */
int hst_sink_join(struct hst_sink *s, uint64_t *bytes_written);

#endif
