/*
 * Whole calls from a stream of decoded records, for the sinks that write
 * one line per call (human sentences, JSON): the entry record is kept per
 * thread until its exit arrives, and process names are followed through
 * execve (the basename of the program) and fork/clone (the parent's name),
 * since the records carry no comm.  Owned by one sink thread.
 */
#ifndef HST_CALLS_H
#define HST_CALLS_H

#include <stdbool.h>
#include <stddef.h>

#include "decode/event.h"
#include "sink/tidmap.h"

#define HST_COMM_LEN 16  /* a comm: 15 bytes and the NUL */

struct hst_calls_ops {
	/* A call; exit NULL when it never returned (exit_group, a thread that
	 * died or was detached in the call, the end of the stream). */
	void (*call)(void *arg, const struct hst_drec *entry, const struct hst_drec *exit);
	/* Anything else: signals, group-stops, exits, kills, detaches. */
	void (*other)(void *arg, const struct hst_drec *d);
};

struct hst_calls {
	struct hst_tidmap pending; /* tid -> the entry record waiting for its exit */
	struct hst_tidmap names;   /* tgid -> comm */
	const struct hst_calls_ops *ops;
	void *arg;
	bool emit_detached;        /* pass on a call pending at detach (exit NULL); off: dropped */
	unsigned gone;             /* during ops->call with exit NULL: the record that ended
				    * the call (HST_RAW_EXITED, _KILLED, _DETACHED), or 0 */
};

int hst_calls_init(struct hst_calls *c, const struct hst_calls_ops *ops, void *arg);
void hst_calls_free(struct hst_calls *c);
void hst_calls_record(struct hst_calls *c, const struct hst_drec *d);
/* The stream ended: calls still open are passed on with exit NULL. */
void hst_calls_finish(struct hst_calls *c);

/*
 * The name of process tgid, or NULL if the stream has not told it.  For a
 * first execve's entry, the program it is about to become.  d may be NULL.
 */
const char *hst_calls_name(struct hst_calls *c, pid_t tgid, const struct hst_drec *d, char buf[HST_COMM_LEN]);

/* Whether d is an execve or execveat record. */
bool hst_calls_is_exec(const struct hst_drec *d);

/*
 * Process names alone, for a consumer that pairs calls itself (the
 * library's hstrace_next): a tidmap of tgid -> name (init it with
 * hst_names_slot_size()), fed every whole call, every NEW_TRACEE record (an
 * attached process's comm, a forked one's parent) and every exit.
 */
size_t hst_names_slot_size(void);
void hst_names_follow(struct hst_tidmap *names, const struct hst_drec *entry, const struct hst_drec *exit);
void hst_names_new(struct hst_tidmap *names, const struct hst_drec *d);
void hst_names_gone(struct hst_tidmap *names, const struct hst_drec *d);
const char *hst_names_get(struct hst_tidmap *names, pid_t tgid, const struct hst_drec *d, char buf[HST_COMM_LEN]);

#endif
