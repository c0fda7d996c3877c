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

#include <stdbool.h>
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

/* --summary-per-pid: one process's rows. */
struct hst_summary_proc {
	pid_t tgid;
	char name[16];                /* as the trace told it ("" unknown); escaped when printed */
	struct hst_summary_row *rows; /* indexed by syscall number */
};

struct hst_summary {
	struct hst_summary_row *rows; /* indexed by syscall number */
	unsigned nrows;
	struct hst_tidmap pending;    /* tid -> entry time and number */
	enum hst_summary_sort sort;
	bool per_pid;                 /* also count per process (hst_summary_add_pid) */
	struct hst_summary_proc *procs; /* in order of first appearance */
	unsigned nprocs, cap_procs;
	struct hst_tidmap proc_index; /* tgid -> index in procs + 1 */
};

int hst_summary_init(struct hst_summary *s, enum hst_summary_sort sort);
void hst_summary_free(struct hst_summary *s);

/* A record's header fields (raw or decoded: the same meaning). */
void hst_summary_add(struct hst_summary *s, unsigned kind, pid_t tid, int32_t nr, uint64_t ts_ns,
		     unsigned raw_flags, int64_t rval);

/*
 * Count per process too: a table per process before the total.  Then feed
 * records with hst_summary_add_pid.  0 or -1 (out of memory).
 */
int hst_summary_per_pid(struct hst_summary *s);
void hst_summary_add_pid(struct hst_summary *s, pid_t tgid, unsigned kind, pid_t tid, int32_t nr,
			 uint64_t ts_ns, unsigned raw_flags, int64_t rval);
/* What process tgid is called (the trace's name for it, untrusted bytes). */
void hst_summary_name(struct hst_summary *s, pid_t tgid, const char *name);

/*
 * strace's table; nothing for an empty summary except the header, as strace.
 * Per process: "PID 1234 (name)" and its table for each process, in the
 * order they first made a call, then "All processes" and the total table.
 */
void hst_summary_print(const struct hst_summary *s, struct hst_out *o);

/* "time", "calls", "errors", "name", "nothing" (and strace's aliases); -1 if unknown. */
int hst_summary_sort_parse(const char *name);

#endif
