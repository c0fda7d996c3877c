/*
 * Raw records: what the ptrace thread captures at each stop.
 *
 * A raw record is self-contained: an exit record repeats the syscall number
 * and arguments of its entry, so any decode worker can decode any record
 * without looking up per-thread state.  The same bytes travel through the
 * raw ring and are written unchanged into the binary log, which is why every
 * field has a fixed width and the layout is little-endian x86_64 only.
 *
 * Layout (all sizes are multiples of 8):
 *
 *   struct hst_raw                    fixed header, 96 bytes
 *   struct hst_cap + bytes (padded)   ncaps times
 *
 * A capture is a piece of tracee memory read while the tracee was stopped at
 * that syscall (entry for inputs, exit for outputs), tagged with the argument
 * it belongs to.  An argument may own several captures (execve's argv is one
 * HST_CAP_STRV_COUNT capture followed by one HST_CAP_STR per element).
 * With -y, the targets of the descriptors among the arguments (and of a
 * returned descriptor) follow the argument captures as HST_CAP_FDPATH, so
 * a log recorded with -y shows them when read back; with -P, those of the
 * arguments at entry, which -P compares with its paths.
 *
 * New fields are only ever appended to the header; readers use hdr_size.
 */
#ifndef HST_RECORD_H
#define HST_RECORD_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

enum hst_raw_kind {
	HST_RAW_SYSCALL_ENTRY = 1,
	HST_RAW_SYSCALL_EXIT = 2,
	HST_RAW_SIGNAL = 3,      /* signal-delivery-stop; siginfo in a capture */
	HST_RAW_GROUP_STOP = 4,  /* "--- stopped by SIGSTOP ---" */
	HST_RAW_EXITED = 5,      /* rval = exit code; nr != 0: see hst_raw_superseded() */
	HST_RAW_KILLED = 6,      /* rval = signal, flags HST_RAWF_CORE */
	HST_RAW_NEW_TRACEE = 7,  /* first stop of a tid: it now counts as traced; a thread
				  * an attach seized has its process's comm as a STR capture */
	HST_RAW_DETACHED = 8,    /* we detached the tid (Ctrl-C, -p end) */
	HST_RAW_KIND_MAX
};

/*
 * An EXITED record with nr != 0 is not an exit: the leader tid was
 * superseded by an execve in thread nr, which now has the leader's pid
 * (ptrace(2), "execve(2) under ptrace").  The process goes on.
 */
static inline bool hst_raw_superseded(unsigned kind, int64_t nr)
{
	return kind == HST_RAW_EXITED && nr != 0;
}

enum hst_raw_flags {
	HST_RAWF_ERROR = 1u << 0,    /* exit: rval is -errno */
	HST_RAWF_CORE = 1u << 1,     /* killed: core dumped */
	HST_RAWF_NORETURN = 1u << 2, /* exit: the call never returned ("= ?") */
	HST_RAWF_I386 = 1u << 3,     /* the call was made through the i386 ABI */
	HST_RAWF_X32 = 1u << 4,      /* x32 ABI (nr has __X32_SYSCALL_BIT) */
	/*
	 * entry of restart_syscall in a thread attached in the middle of a
	 * call: rval is that call's number, which the thread's own records do
	 * not show (read from orig_rax at the attach's stop).
	 */
	HST_RAWF_RESUMES = 1u << 5,
};

struct hst_raw {
	uint32_t size;     /* total bytes of this record, header + captures */
	uint16_t kind;     /* enum hst_raw_kind */
	uint16_t flags;    /* enum hst_raw_flags */
	uint64_t seq;      /* capture order, from 0, no gaps */
	uint64_t ts_ns;    /* CLOCK_MONOTONIC nanoseconds at the stop */
	int32_t tid;
	int32_t tgid;
	int32_t nr;        /* syscall number, or signal number for signals */
	uint16_t ncaps;
	uint16_t hdr_size; /* sizeof(struct hst_raw) when written */
	uint64_t args[6];
	int64_t rval;      /* exit: return value as the kernel gave it */
};

enum hst_cap_kind {
	HST_CAP_BYTES = 1,      /* a buffer: len bytes from aux (the address) */
	HST_CAP_STR = 2,        /* a NUL-terminated string, without the NUL */
	HST_CAP_STRV_COUNT = 3, /* an array of strings: aux = element count */
	HST_CAP_SIGINFO = 4,    /* a siginfo_t */
	HST_CAP_FDPATH = 5,     /* -y, -P: what /proc/TID/fd/N (or cwd) named at
				 * the stop, aux = the fd; arg = its argument
				 * (-P: also poll's array or a select set the fd
				 * is in), or HST_CAP_ARG_RET for the returned fd; len 0:
				 * the argument was not open.  After every
				 * other capture of the record. */
};

#define HST_CAP_ARG_RET 6

enum hst_cap_flags {
	HST_CAPF_FAULT = 1u << 0,     /* address unreadable: print it in hex */
	HST_CAPF_TRUNC = 1u << 1,     /* more bytes (or elements) than captured */
	HST_CAPF_ENTRY = 1u << 2,     /* exit record: bytes as read at the entry stop */
};

struct hst_cap {
	uint8_t arg;    /* argument index 0..5 */
	uint8_t kind;   /* enum hst_cap_kind */
	uint16_t flags; /* enum hst_cap_flags */
	uint32_t len;   /* payload bytes that follow, before padding */
	uint64_t aux;   /* tracee address, or element count */
};

#define HST_ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

static inline const struct hst_cap *hst_raw_first_cap(const struct hst_raw *r)
{
	return (const struct hst_cap *)((const char *)r + r->hdr_size);
}

static inline const struct hst_cap *hst_cap_next(const struct hst_cap *c)
{
	return (const struct hst_cap *)((const char *)(c + 1) + HST_ALIGN8(c->len));
}

static inline const void *hst_cap_data(const struct hst_cap *c)
{
	return c + 1;
}

#endif
