/*
 * Text rendering of decoded records, exactly in strace's format when colour
 * is off.  A renderer is fed every decoded record in capture order (seq) and
 * keeps what strace keeps: which thread's line is open (its entry printed,
 * its exit not yet), which calls were interrupted by another thread's output
 * ("<unfinished ...>" then "<... NAME resumed>"), and how many tracees are
 * alive (the "[pid N]" prefix appears when there is more than one).
 * One renderer per sink thread.
 */
#ifndef HST_RENDER_H
#define HST_RENDER_H

#include <stdbool.h>

#include "core/filter.h"
#include "decode/event.h"
#include "sink/out.h"
#include "sink/tidmap.h"

struct hst_text_config {
	bool pid_column;   /* "PID   " before every line (strace -f -o FILE) */
	unsigned strsize;  /* -s */
	bool verbose;      /* -v: unabridged structs and arrays */
	bool human;        /* sentences (render_human.c) instead of strace's lines */
	bool json;         /* JSON Lines (render_json.c) instead of strace's lines */
	bool perfetto;     /* Chrome trace-event JSON for Perfetto (render_json.c) */
	bool group;        /* --group: one block per file and socket at the end (group.c) */
	int64_t clock_offset_ns;  /* CLOCK_REALTIME - CLOCK_MONOTONIC when tracing began */
	unsigned timestamps;      /* -t 1, -tt 2, -ttt 3 */
	bool relative;            /* -r: time since the previous line */
	bool durations;           /* -T: time spent in each call */
	const struct hst_filter *filter; /* which calls and signals to show; NULL: all */
	unsigned hex;      /* enum hst_out_hex: -x, -xx */
	bool fd_paths;     /* -y: "3</etc/passwd>" where the record holds the path */
};

struct hst_text {
	struct hst_text_config cfg;
	struct hst_tidmap tids; /* live tracees, with their open call */
	pid_t open_tid;         /* thread whose line is open, or 0 */
	uint64_t last_ts;       /* -r: the previous line's stop time */
};

int hst_text_init(struct hst_text *t, const struct hst_text_config *cfg);
void hst_text_free(struct hst_text *t);

/* Render one record (appending to o). */
void hst_text_record(struct hst_text *t, const struct hst_drec *d, struct hst_out *o);

/* The stream ended: close a line left open at a call's entry. */
void hst_text_finish(struct hst_text *t, struct hst_out *o);

/* Name of syscall nr into buf ("syscall_451" when unnamed). */
/* The longest name hst_text_syscall_name writes, NUL included ("i386:sched_rr_get_interval_time64"). */
#define HST_NAME_MAX 48
const char *hst_text_syscall_name(long nr, unsigned raw_flags, char buf[HST_NAME_MAX]);

/*
 * Human sentences from decoded records (--human, HSTRACE_FMT_HUMAN): one
 * line per call once it returned, "cat[42] opened /etc/passwd for reading
 * -> fd 3", with its mode ("[DANGER] ", "[warn] ") in front when it is not
 * info.  The sentences are data/human.tbl.  The renderer pairs entries with
 * exits per thread and remembers each process's name (the basename of its
 * last execve, inherited across fork).  One renderer per sink thread.
 */
struct hst_human;

int hst_human_new(struct hst_human **out, const struct hst_text_config *cfg);
void hst_human_free(struct hst_human *h);
void hst_human_record(struct hst_human *h, const struct hst_drec *d, struct hst_out *o);
/* The stream ended: calls still waiting for their exit are shown as such. */
void hst_human_finish(struct hst_human *h, struct hst_out *o);

/*
 * JSON Lines (--json, HSTRACE_FMT_JSON): one object per call once it
 * returned, and per signal, exit and kill; render_json.c describes the
 * fields.  One renderer per sink thread.
 */
struct hst_json;

int hst_json_new(struct hst_json **out, const struct hst_text_config *cfg);
void hst_json_free(struct hst_json *j);
void hst_json_record(struct hst_json *j, const struct hst_drec *d, struct hst_out *o);
void hst_json_finish(struct hst_json *j, struct hst_out *o);

/* --group (group.c): the report is written by hst_group_finish only. */
struct hst_group;

int hst_group_new(struct hst_group **out, const struct hst_text_config *cfg);
void hst_group_free(struct hst_group *g);
void hst_group_record(struct hst_group *g, const struct hst_drec *d, struct hst_out *o);
void hst_group_finish(struct hst_group *g, struct hst_out *o);

/*
 * Every reference of data/human.tbl names an argument of its syscall (or
 * ret) and a known filter.  0, or -1 with the first bad one in msg.  Tests.
 */
int hst_human_verify(char *msg, size_t len);

#endif
