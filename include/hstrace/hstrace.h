/*
 * libhstrace: trace the system calls of a program or of running processes
 * and receive them as typed events.
 *
 *     hstrace_t *t = hstrace_new();
 *     hstrace_program(t, "touch");
 *     hstrace_arg(t, "/tmp/hstrace_example.txt");
 *     if (hstrace_start(t) < 0) ...
 *     const hstrace_call_t *c;
 *     while ((c = hstrace_next(t)) != NULL)
 *         if (c->syscall == HSTRACE_SYS_openat && (c->inner.openat.flags & O_WRONLY))
 *             printf("File %s opened in write-mode\n", c->inner.openat.pathname);
 *     hstrace_free(t);
 *
 * Threads.  A handle belongs to the thread that created it ("the owner"):
 * every function below must be called from the owner unless its comment says
 * otherwise.  hstrace_start() creates the library's own threads: one ptrace
 * thread (the only one that calls ptrace and waits for tracees; it waits with
 * __WNOTHREAD, so the program's own children are never reaped by it), decode
 * workers, and one thread per output.  They end in hstrace_wait() or
 * hstrace_free().  They block every signal except the ptrace thread's
 * SIGCHLD, so the program's handlers never run on them.  See hstrace_pin()
 * for which CPUs they (and a launched program) run on; the calling thread's
 * own affinity is left as it was.
 *
 * Processes.  Besides the traced program, the ptrace thread forks one small
 * "waker" child that sleeps until hstrace_stop() kills it (that is how a stop
 * request interrupts the ptrace thread's wait).  Both are children of the
 * ptrace thread: a plain wait()/waitpid(-1) elsewhere in the program, without
 * __WNOTHREAD, could reap them, so prefer waiting for your own pids.  The
 * library installs no signal handler.
 *
 * Errors.  Functions return 0 (or a count) on success and a negative number
 * on failure: -errno for system errors, or one of HSTRACE_E_* below.
 * hstrace_strerror() describes both.
 */
#ifndef HSTRACE_H
#define HSTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hstrace/hstrace_syscalls.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef HSTRACE_API
#define HSTRACE_API __attribute__((visibility("default")))
#endif

#define HSTRACE_VERSION_STRING "0.1.0"

/* The library's own error codes, below every errno. */
enum hstrace_error {
	HSTRACE_E_BASE = -10000,
	HSTRACE_E_STATE = -10000,         /* call not valid in this state (e.g. start twice) */
	HSTRACE_E_NO_TARGET = -10001,     /* neither a program nor a pid was given */
	HSTRACE_E_NOT_FOUND = -10002,     /* program not found in PATH */
	HSTRACE_E_NOT_EXEC = -10003,      /* program is not executable */
	HSTRACE_E_NOT_A_LOG = -10004,     /* --read: the file is not an hstrace log */
	HSTRACE_E_LOG_VERSION = -10005,   /* --read: log from an unknown format version */
	HSTRACE_E_LOG_TRUNCATED = -10006, /* --read: the log ends in the middle of a block */
	HSTRACE_E_LOG_CORRUPT = -10007,   /* --read: a damaged block and nothing intact after it */
	HSTRACE_E_SELF = -10008,          /* refusing to trace hstrace itself */
	HSTRACE_E_NO_PROCESS = -10009,    /* -p: no such process */
	HSTRACE_E_KERNEL = -10010,        /* kernel lacks PTRACE_GET_SYSCALL_INFO (needs 5.3) */
	HSTRACE_E_LOG_ARCH = -10011,      /* --read: log recorded on another architecture */
	HSTRACE_E_FILTER = -10012,        /* hstrace_filter: bad expression (hstrace_filter_error) */
	HSTRACE_E_LAST = -10012,
};

typedef struct hstrace hstrace_t;

/* Category of a syscall (the -e trace=%group names). */
typedef enum hstrace_category {
	HSTRACE_CAT_OTHER = 0,
	HSTRACE_CAT_FILE,
	HSTRACE_CAT_DESC,
	HSTRACE_CAT_NETWORK,
	HSTRACE_CAT_PROCESS,
	HSTRACE_CAT_MEMORY,
	HSTRACE_CAT_SIGNAL,
	HSTRACE_CAT_IPC,
	HSTRACE_CAT_TIME,
	HSTRACE_CAT_CREDS,
	HSTRACE_CAT_SYSTEM,
} hstrace_category_t;

/*
 * Mode of an event: how much attention it deserves, from the rules of
 * data/modes.tbl (documented there).  For example danger: opening a file
 * under /etc, /boot, /root or a .ssh directory for writing, executing from
 * /tmp, ptrace of another process, setuid(0), loading kernel modules,
 * mount, reboot; warning: connecting to a non-loopback address, making a
 * file world-writable, deleting an absolute path outside /tmp, changing
 * credentials, signalling another process.  Everything else is info.
 */
typedef enum hstrace_mode {
	HSTRACE_MODE_INFO = 0,
	HSTRACE_MODE_WARNING,
	HSTRACE_MODE_DANGER,
} hstrace_mode_t;

/* What kind of event hstrace_next() returned. */
typedef enum hstrace_event_kind {
	HSTRACE_EV_SYSCALL = 1, /* a system call, entry and exit together */
	HSTRACE_EV_SIGNAL,      /* a signal was delivered: signo, si_code, sender */
	HSTRACE_EV_EXITED,      /* a thread or process exited: ret = status */
	HSTRACE_EV_KILLED,      /* killed by signal ret; core_dumped */
	/*
	 * group-stop (kill -STOP, Ctrl-Z): the thread stopped for the signal
	 * in syscall (name: its name) and stays stopped, as untraced, until a
	 * SIGCONT, which comes as a SIGNAL event.  One per thread.
	 */
	HSTRACE_EV_STOPPED,
	/*
	 * hstrace let go of the thread (hstrace_stop() on attached processes,
	 * or a detach on error): it runs on untraced.  A call it was in comes
	 * first, as a SYSCALL event with returned false.
	 */
	HSTRACE_EV_DETACHED,
} hstrace_event_kind_t;

/*
 * One event.  Owned by the handle; valid until the next hstrace_next() or
 * hstrace_free() on the same handle, strings and buffers included.
 */
typedef struct hstrace_call {
	hstrace_event_kind_t kind;
	int syscall;            /* HSTRACE_SYS_* (the x86_64 number); signal number for SIGNAL, STOPPED */
	const char *name;       /* "openat", "syscall_451", or the signal's name */
	pid_t pid;              /* thread group id */
	pid_t tid;              /* thread id */
	uint64_t seq;           /* capture order of the entry */
	uint64_t ts_ns;         /* CLOCK_MONOTONIC at entry */
	uint64_t duration_ns;   /* entry to exit; 0 if it never returned */
	bool returned;          /* false for calls that never return (exit_group) */
	bool core_dumped;       /* KILLED only */
	int64_t ret;            /* return value; -1 on error like libc */
	int error;              /* errno on failure, else 0 */
	uint64_t args[6];       /* raw argument registers */
	hstrace_category_t category;
	hstrace_mode_t mode;    /* from the call's arguments; INFO for signals and exits */
	union hstrace_inner inner; /* typed arguments, see hstrace_syscalls.h */
	/*
	 * The process's name, as the trace has told it: the program of its
	 * last execve (fork children inherit it), or for an attached process
	 * its comm; NULL before either.  At most 15 bytes, as the tracee
	 * chose them (not escaped).
	 */
	const char *comm;
} hstrace_call_t;

/* Output formats for hstrace_output(). */
typedef enum hstrace_format {
	HSTRACE_FMT_TEXT = 1, /* strace's format */
	HSTRACE_FMT_LOG,      /* the binary log, readable with hstrace_read_log() */
	HSTRACE_FMT_HUMAN,    /* one plain sentence per call, with its mode:
			       * "[DANGER] cat[42] opened /etc/x for writing -> fd 3" */
	HSTRACE_FMT_JSON,     /* JSON Lines: one object per call, signal and exit */
	HSTRACE_FMT_SUMMARY,  /* strace -c's table of calls, errors and time, at the end */
	HSTRACE_FMT_PERFETTO, /* Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing):
			       * a track per thread, a slice per call */
	HSTRACE_FMT_GROUP,    /* at the end, one block per file and socket: openers, bytes
			       * read and written, calls, errors, first and last time */
} hstrace_format_t;

/* Flags for hstrace_output(). */
enum hstrace_output_flags {
	HSTRACE_OUT_COLOR = 1u << 0,    /* colorize (text and human) */
	HSTRACE_OUT_PID_COLUMN = 1u << 1, /* "PID  " before every line, like strace -f -o */
	HSTRACE_OUT_STATUS = 1u << 2,   /* log: live status line and summary on stderr */
	HSTRACE_OUT_VERBOSE = 1u << 3,  /* text: unabridged structs and arrays (strace -v) */
	/*
	 * text: strings and buffers with a non-printable byte (other than
	 * \t \n \v \f \r) are printed all in hex, "\x1b\x5b\x31\x6d"
	 * (strace -x).
	 */
	HSTRACE_OUT_HEX = 1u << 4,
	HSTRACE_OUT_HEX_ALL = 1u << 5,  /* text: every string and buffer in hex (strace -xx) */
	/*
	 * Descriptors with what they name (strace -y): read(3</etc/passwd>, ...),
	 * = 3<socket:[12345]>, <pipe:[1234]>, <anon_inode:[eventfd]>, and a
	 * directory fd's AT_FDCWD as AT_FDCWD</current/dir>.  The tracer reads
	 * /proc/TID/fd/N (one readlink per descriptor argument, only when an
	 * output asks for this) while the tracee is stopped, so a descriptor
	 * closed right after still shows.  On a log output it records those
	 * names in the log; on a text output of a recorded log (hstrace_read_log)
	 * it shows them if the log has them.  Descriptors inside arguments
	 * are shown as strace shows them: poll's array and select's sets (16
	 * descriptors a call at most), the pair pipe2 and socketpair return;
	 * others (SCM_RIGHTS, epoll data) stay plain numbers.
	 */
	HSTRACE_OUT_FD_PATHS = 1u << 6,
	HSTRACE_OUT_TIME = 1u << 7,       /* text: wall-clock time of day before each line (-t) */
	HSTRACE_OUT_TIME_US = 1u << 8,    /* text: with microseconds (-tt) */
	HSTRACE_OUT_TIME_EPOCH = 1u << 9, /* text: seconds since the epoch, microseconds (-ttt) */
	HSTRACE_OUT_TIME_REL = 1u << 10,  /* text: time since the previous line (-r) */
	HSTRACE_OUT_DURATION = 1u << 11,  /* text: time spent in each call, " <0.000012>" (-T) */
	/*
	 * summary: a table per process ("PID 1234 (name)", the name the trace
	 * gave it: its last exec's program, inherited across fork), in the
	 * order the processes made their first call, then "All processes" and
	 * the total table.  Counting per process decodes the records (a plain
	 * summary only counts them).
	 */
	HSTRACE_OUT_PER_PROCESS = 1u << 12,
};

/* Create a handle.  NULL when out of memory.  Any thread. */
HSTRACE_API hstrace_t *hstrace_new(void);

/* Stop tracing (detaching from everything attached), join all threads, free. */
HSTRACE_API void hstrace_free(hstrace_t *t);

/*
 * Program to launch, looked up in PATH like execvp.  It becomes argv[0]; add
 * more with hstrace_arg().  Copies the string.  Errors: HSTRACE_E_STATE
 * (already started or a program already set), -ENOMEM.
 */
HSTRACE_API int hstrace_program(hstrace_t *t, const char *program);

/* Append an argument for the program.  Copies.  HSTRACE_E_STATE, -ENOMEM. */
HSTRACE_API int hstrace_arg(hstrace_t *t, const char *arg);

/* Attach to every thread of process pid (repeatable).  HSTRACE_E_STATE, -ENOMEM. */
HSTRACE_API int hstrace_pid(hstrace_t *t, pid_t pid);

/* Render a recorded log instead of tracing.  Copies the path.  HSTRACE_E_STATE. */
HSTRACE_API int hstrace_read_log(hstrace_t *t, const char *path);

/* Follow forks, vforks and threads (the default) or trace only the first process. */
HSTRACE_API int hstrace_follow(hstrace_t *t, bool follow);

/*
 * Placement of a launched program (the default when two or more CPUs are
 * allowed and children are followed): while the program is one thread, it
 * and the ptrace thread share the first allowed CPU (a cross-CPU wake-up
 * per stop is the largest cost on a VM) and the decode and output threads
 * run on the others.  The program does not see it: sched_getaffinity shows
 * it the mask it would have had, and at its first fork or clone, or when
 * that CPU is found busy with other work (the ptrace thread's run delay),
 * the program and the ptrace thread get the whole mask back; a mask the
 * program sets itself is kept.  With hstrace_spin, the ptrace thread gets
 * that CPU to itself instead and the program runs on the others.  Attached
 * processes are never moved.  HSTRACE_E_STATE.
 */
HSTRACE_API int hstrace_pin(hstrace_t *t, bool pin);

/*
 * With placement on, make the ptrace thread poll for the next stop for usec
 * microseconds before it sleeps (default 0: never).  While the traced
 * program makes syscalls faster than that, the ptrace thread uses a whole
 * CPU; a stop can cost up to a third less, but not in every run (bench/:
 * floor-spin against floor-pin).  HSTRACE_E_STATE, -EINVAL (over 1 s).
 */
HSTRACE_API int hstrace_spin(hstrace_t *t, unsigned usec);

/* Decode worker threads; 0 picks the default.  HSTRACE_E_STATE, -EINVAL (> 64). */
HSTRACE_API int hstrace_workers(hstrace_t *t, unsigned n);

/*
 * Bytes of the raw ring and of each decoded ring (default 16 MiB).  The
 * largest record (an execve with its argv and envp) needs 1 MiB at least.
 * HSTRACE_E_STATE, -EINVAL (below 1 MiB or above 1 GiB).
 */
HSTRACE_API int hstrace_ring_size(hstrace_t *t, size_t bytes);

/* Longest string or buffer shown and captured (-s, default 32).  HSTRACE_E_STATE. */
HSTRACE_API int hstrace_string_limit(hstrace_t *t, unsigned n);

/*
 * Send events to fd in a format, rendered on a thread of its own.  The fd
 * stays the caller's: it is not closed.  Up to 4 outputs.
 * HSTRACE_E_STATE, -EINVAL (bad format or too many outputs).
 */
HSTRACE_API int hstrace_output(hstrace_t *t, hstrace_format_t format, int fd, unsigned flags);

/*
 * Show only what a filter selects, in strace's -e syntax: "trace=SET"
 * (syscall names, %groups such as %file %network %process %memory, /regex,
 * all, none; "!" negates, "?name" may match nothing), "status=SET"
 * (successful failed unfinished unavailable detached), "signal=SET",
 * "pid=LIST" (comma-separated pids and tids), "path=PATH" (strace -P: the
 * calls with PATH, as given or as it resolves now, as a path argument or
 * naming it through a descriptor argument, read from /proc at each call;
 * reading a log without those targets, the calls on the descriptors the
 * matching calls returned, their dup copies and forked children's copies,
 * until closed);
 * a bare SET is trace=SET.  Repeat to combine.  Every output and
 * hstrace_next() apply the same selection (status= applies to the text,
 * human, JSON, Perfetto and group outputs); a log (HSTRACE_FMT_LOG) keeps
 * every record the tracer saw.  When hstrace launches the program and the
 * filter leaves syscalls out, a seccomp filter makes those cost nothing
 * (hstrace_seccomp).  HSTRACE_E_STATE, HSTRACE_E_FILTER (the reason, naming
 * the closest known names, from hstrace_filter_error()).
 */
HSTRACE_API int hstrace_filter(hstrace_t *t, const char *expr);

/* The one-line reason of the last HSTRACE_E_FILTER, or "". */
HSTRACE_API const char *hstrace_filter_error(const hstrace_t *t);

/*
 * Use seccomp-bpf for a filtered trace of a launched program (default on):
 * the syscalls the filter leaves out never stop the program.  Not possible
 * with hstrace_pid() (a running process cannot be given a filter): hstrace
 * then traces everything and filters afterwards.  HSTRACE_E_STATE.
 */
HSTRACE_API int hstrace_seccomp(hstrace_t *t, bool enabled);

/* Syscall groups for filters ("desc", "file", ...); NULL past the last. */
HSTRACE_API const char *hstrace_group_name(unsigned group);
/* Whether syscall nr is in group. */
HSTRACE_API bool hstrace_group_has(unsigned group, int nr);

/* Order of the summary's rows: "time" (default), "calls", "errors", "name", "nothing". */
HSTRACE_API int hstrace_summary_sort(hstrace_t *t, const char *by);

/*
 * Whether hstrace_next() will be called (default true).  Set false when only
 * outputs are used, so nothing waits for a reader that never comes.
 */
HSTRACE_API int hstrace_events(hstrace_t *t, bool enabled);

/*
 * Start: launch the program (held before exec, so its execve is traced) or
 * attach to the pids, or open the log; then start the threads.
 * Errors: HSTRACE_E_STATE, HSTRACE_E_NO_TARGET, HSTRACE_E_NOT_FOUND,
 * HSTRACE_E_NOT_EXEC, HSTRACE_E_NO_PROCESS, HSTRACE_E_SELF, -EPERM (no
 * permission to trace pid), HSTRACE_E_KERNEL, the log errors of
 * hstrace_read_log, -ENOMEM, -EAGAIN (threads).
 */
HSTRACE_API int hstrace_start(hstrace_t *t);

/*
 * Next event, blocking until there is one.  NULL when the trace is over (all
 * tracees gone, detached, or the log read to its end) or events are off.
 * The event and everything it points to belong to the handle and stay valid
 * until the next call or hstrace_free().
 */
HSTRACE_API const hstrace_call_t *hstrace_next(hstrace_t *t);

/*
 * Ask tracing to end: every attached tracee is detached and left running, a
 * launched program is detached too.  Async-signal-safe and callable from any
 * thread (a SIGINT handler, say).
 */
HSTRACE_API void hstrace_stop(hstrace_t *t);

/*
 * Wait until the trace is over and every output has been written.
 * Returns 0 or the first error an output hit (-ENOSPC, say), and for
 * --read the log's error (HSTRACE_E_LOG_TRUNCATED...).
 */
HSTRACE_API int hstrace_wait(hstrace_t *t);

/*
 * After hstrace_wait(): 0, or the first write error of output number index
 * (0 for the first hstrace_output() call, 1 for the second...), so that a
 * caller can name the file that failed.  A binary log that cannot be
 * written ends the trace: a launched program is killed, attached processes
 * are detached, and the file keeps every block completed before the error.
 * Owner thread.
 */
HSTRACE_API int hstrace_output_error(const hstrace_t *t, unsigned index);

/*
 * How the launched program ended, as a wait(2) status (WIFEXITED...), once
 * hstrace_wait() returned.  -1 if there was no program or it was detached.
 */
HSTRACE_API int hstrace_exit_status(const hstrace_t *t);

/* Counters after hstrace_wait(): records captured and tracees seen. */
typedef struct hstrace_stats {
	uint64_t records;    /* raw records captured (or read) */
	uint64_t log_bytes;  /* bytes written to binary logs */
	uint64_t processes;  /* distinct threads traced */
	uint64_t log_damage; /* --read: damaged blocks skipped */
	uint64_t log_offset; /* --read: where reading stopped */
} hstrace_stats_t;

HSTRACE_API void hstrace_get_stats(const hstrace_t *t, hstrace_stats_t *stats);

/* Message for an error code from this library (or an errno, negated).  Any thread. */
HSTRACE_API const char *hstrace_strerror(int err);

/* Name of a syscall number ("openat"), or NULL.  Any thread. */
HSTRACE_API const char *hstrace_syscall_name(int nr);

/* Category name: "file", "network", ..., NULL past the last.  Any thread. */
HSTRACE_API const char *hstrace_category_name(hstrace_category_t cat);

/* The category of syscall nr, or -1 for a number with no name.  Any thread. */
HSTRACE_API int hstrace_syscall_category(int nr);

/* Mode name: "info", "warning", "danger"; NULL for other values.  Any thread. */
HSTRACE_API const char *hstrace_mode_name(hstrace_mode_t mode);

#ifdef __cplusplus
}
#endif

#endif
