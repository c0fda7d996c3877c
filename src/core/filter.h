/*
 * Filters in strace's -e syntax: which syscalls, which outcomes and which
 * signals to show.
 *
 *   trace=SET    syscall names, %groups (data/groups.tbl, then the rows'
 *                categories: %time, %system, %other), /regex, all, none;
 *                "!" before the set negates it, "?" before an element makes
 *                "matches nothing" not an error.  A bare SET means trace=SET.
 *   status=SET   successful, failed, unfinished, unavailable, detached
 *   signal=SET   signal names (with or without SIG), numbers, all, none
 *   pid=LIST     only these processes and threads (comma-separated pids)
 *   path=PATH    only calls with a path argument equal to PATH (or to
 *                what PATH resolves to when the filter is made, as strace),
 *                or a descriptor argument naming it (-P; up to
 *                HST_FILTER_PATHS of them; every consumer applies it the
 *                same way through hst_select_record, src/sink/sinks.h)
 *
 * Several expressions combine: each trace= or signal= adds to (or, negated,
 * takes from) what the earlier ones selected; the first one starts from
 * nothing (or from everything when it is negated), as strace does.
 *
 * A filter is plain data, built on the caller's thread before tracing and
 * read-only afterwards: any thread may test it.
 */
#ifndef HST_FILTER_H
#define HST_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HST_FILTER_NR_MAX 1024  /* syscall numbers 0..1023 */
#define HST_FILTER_PATHS 16

enum hst_status_bits {
	HST_STATUS_SUCCESSFUL = 1u << 0,
	HST_STATUS_FAILED = 1u << 1,
	HST_STATUS_UNFINISHED = 1u << 2,
	HST_STATUS_UNAVAILABLE = 1u << 3,
	HST_STATUS_DETACHED = 1u << 4,
	HST_STATUS_ALL = (1u << 5) - 1,
};

struct hst_filter {
	uint64_t nr[HST_FILTER_NR_MAX / 64]; /* selected syscalls */
	uint64_t signals;                     /* bit s-1: signal s selected */
	unsigned status;                      /* enum hst_status_bits */
	bool trace_set, signal_set, status_set; /* an expression named it */
	unsigned npaths;                      /* path= */
	char *paths[HST_FILTER_PATHS];
	char *resolved[HST_FILTER_PATHS];     /* realpath of paths[i] if it differs, or NULL */
	unsigned npids;                       /* pid= */
	int pids[64];
};

/* pid=: whether records of this process or thread are shown. */
static inline bool hst_filter_pid(const struct hst_filter *f, int tgid, int tid)
{
	if (!f->npids)
		return true;
	for (unsigned i = 0; i < f->npids; i++)
		if (f->pids[i] == tgid || f->pids[i] == tid)
			return true;
	return false;
}

/*
 * path=: whether the n bytes at s (not NUL-terminated) are one of the
 * paths, as given or resolved.  Every -P comparison goes through here.
 */
bool hst_filter_path(const struct hst_filter *f, const char *s, size_t n);

/* Free what hst_filter_add allocated (the paths). */
void hst_filter_free(struct hst_filter *f);

/* Everything selected: the default. */
void hst_filter_init(struct hst_filter *f);

/*
 * Add one expression.  0, or -1 with a one-line message in err (an unknown
 * name lists the closest known ones: "unknown syscall 'opn' (did you mean
 * open, openat?)").
 */
int hst_filter_add(struct hst_filter *f, const char *expr, char *err, size_t errlen);

/* Whether syscall nr (x86_64) is selected. */
static inline bool hst_filter_syscall(const struct hst_filter *f, long nr)
{
	if (nr < 0 || nr >= HST_FILTER_NR_MAX)
		return !f->trace_set;
	return (f->nr[nr / 64] >> (nr % 64)) & 1;
}

static inline bool hst_filter_signal(const struct hst_filter *f, int sig)
{
	return sig < 1 || sig > 64 || ((f->signals >> (sig - 1)) & 1);
}

/* True when every syscall is selected (nothing for seccomp to skip). */
bool hst_filter_all_syscalls(const struct hst_filter *f);
/* True when no syscall is selected (trace=none: signals and exits only). */
bool hst_filter_none(const struct hst_filter *f);

#endif
