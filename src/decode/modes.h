/*
 * Modes: how much attention a call deserves (info, warning, danger), from
 * the rules of data/modes.tbl.  A pure function of a call's decoded entry
 * and exit records: no state, any thread.  The human sink shows the mode
 * ("[DANGER] ..."); hstrace_next() hands it out as hstrace_call_t.mode.
 */
#ifndef HST_MODES_H
#define HST_MODES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "decode/event.h"

/* The same numbers as the public hstrace_mode_t. */
enum hst_mode {
	HST_MODE_INFO = 0,
	HST_MODE_WARNING,
	HST_MODE_DANGER,
};

/*
 * The mode of a call.  entry: its entry record; exit: its exit record, or
 * NULL when it never returned.  Arguments rendered at exit are looked up in
 * exit, the others in entry.  Records that are not syscalls are info.
 */
enum hst_mode hst_mode_of(const struct hst_drec *entry, const struct hst_drec *exit);

/* "info", "warning", "danger"; NULL for other numbers. */
const char *hst_mode_name(unsigned mode);

/*
 * Every argument name the rules refer to exists in its syscall's signature.
 * 0, or -1 with the first offending rule described in msg.  For tests.
 */
int hst_modes_verify(char *msg, size_t len);

/* --- helpers shared with the human renderer ------------------------------ */

/* The value of argument arg in d, or NULL when d has none for it. */
const struct hst_dval *hst_drec_val(const struct hst_drec *d, unsigned arg);

/* The record holding argument arg of a call (exit for args rendered at exit). */
const struct hst_drec *hst_call_rec(const struct hst_drec *entry, const struct hst_drec *exit,
				    unsigned arg);

/* Index of the argument called name in syscall nr's signature, or -1. */
int hst_arg_index(long nr, unsigned raw_flags, const char *name);

/*
 * The socket address an IN/OUT value captured (its first piece): true with
 * the bytes in *ss and their length in *len, false when the argument has no
 * typed value (a row still typed "ptr"), was NULL or unreadable.
 */
bool hst_dval_sockaddr(const struct hst_drec *d, const struct hst_dval *v,
		       struct sockaddr_storage *ss, size_t *len);

#endif
