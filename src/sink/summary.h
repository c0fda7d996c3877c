/*
 * The -c / -C summary: per syscall, calls, errors and time, printed as
 * strace's table.  Time is the latency of each call, from its entry stop
 * to its exit stop (what strace prints with -w; strace's default -c
 * measures system CPU time, which a tracer that does not read the tracee's
 * rusage at every stop cannot know).  Fed records in capture order by one
 * sink thread; the table is printed once at the end.
 */
#ifndef HST_SUMMARY_H
#define HST_SUMMARY_H

#include <stdint.h>
#include <sys/types.h>

#include "sink/out.h"
#include "sink/tidmap.h"

enum hst_summary_sort {
	HST_SORT_TIME = 0, /* default: most time first */
	HST_SORT_CALLS,
	HST_SORT_ERRORS,
	HST_SORT_NAME,
	HST_SORT_NOTHING,  /* syscall number order */
};

struct hst_summary_row {
	uint64_t calls, errors, time_ns;
};

struct hst_summary {
	struct hst_summary_row *rows; /* indexed by syscall number */
	unsigned nrows;
	struct hst_tidmap pending;    /* tid -> entry time and number */
	enum hst_summary_sort sort;
};

int hst_summary_init(struct hst_summary *s, enum hst_summary_sort sort);
void hst_summary_free(struct hst_summary *s);

/* A record's header fields (raw or decoded: the same meaning). */
void hst_summary_add(struct hst_summary *s, unsigned kind, pid_t tid, int32_t nr, uint64_t ts_ns,
		     unsigned raw_flags, int64_t rval);

/* strace's table; nothing for an empty summary except the header, as strace. */
void hst_summary_print(const struct hst_summary *s, struct hst_out *o);

/* "time", "calls", "errors", "name", "nothing" (and strace's aliases); -1 if unknown. */
int hst_summary_sort_parse(const char *name);

#endif
