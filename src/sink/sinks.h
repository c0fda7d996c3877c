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

struct hst_sink;

int hst_sink_text_start(struct hst_sink **out, struct hst_ring **rings, unsigned n, unsigned consumer,
			int fd, bool color, const struct hst_text_config *cfg);

struct hst_log_sink_config {
	int fd;
	bool status;                    /* live status line on stderr */
	const struct hst_log_meta *meta;
	const char *const *argv;
};

int hst_sink_log_start(struct hst_sink **out, struct hst_ring *raw, unsigned consumer,
		       const struct hst_log_sink_config *cfg);

/*
 * The -c summary: counts the raw ring's records (filtered syscalls only)
 * and writes strace's table to fd at the end.  sort: enum hst_summary_sort.
 */
int hst_sink_summary_start(struct hst_sink **out, struct hst_ring *raw, unsigned consumer, int fd,
			   int sort, const struct hst_filter *filter);

/* Wait for the sink to finish.  Returns 0 or its first write error; frees. */
int hst_sink_join(struct hst_sink *s, uint64_t *bytes_written);

#endif
