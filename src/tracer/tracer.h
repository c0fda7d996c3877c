/*
 * The tracer: the only code in hstrace that calls ptrace or waits for
 * tracees.  It owns one thread, the ptrace thread, which launches or attaches
 * to the targets, handles every stop, captures a raw record per stop into
 * the raw ring (it is that ring's only producer) and restarts the tracee.
 */
#ifndef HST_TRACER_H
#define HST_TRACER_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct hst_ring;
struct hst_filter;
struct sock_fprog;

struct hst_tracer_config {
	const char *path;        /* resolved program to exec, or NULL */
	char *const *argv;       /* its argv */
	const pid_t *pids;       /* -p targets */
	size_t npids;
	bool follow;             /* follow forks, vforks and threads */
	unsigned strsize;        /* -s: bytes of buffers and strings to capture */
	struct hst_ring *ring;   /* raw records go here */
	sigset_t child_sigmask;  /* signal mask the launched program starts with */
	bool child_cpus_set;     /* launched program: restrict it to child_cpus */
	cpu_set_t child_cpus;
	/*
	 * pin: the ptrace thread runs on pin_cpu alone and the launched
	 * program, forked by it, inherits that until it first forks or clones
	 * (or the CPU turns out to be contended); cpus is the mask both get
	 * back then, and the one sched_getaffinity shows the program meanwhile.
	 */
	bool pin;
	int pin_cpu;
	cpu_set_t cpus;
	unsigned spin_ns;        /* poll for the next stop this long before sleeping */
	bool fd_paths;           /* -y: capture what descriptor arguments name */
	bool fd_args;            /* -P: the same for the arguments at entry, without the cwd */
	const struct hst_filter *filter;     /* calls to record; NULL: all */
	const struct sock_fprog *seccomp;    /* launched program: load this filter */
	bool no_new_privs;       /* with seccomp: set no_new_privs first (not root) */
};

struct hst_tracer;

/*
 * Create the tracer and its ptrace thread, and wait for that thread to have
 * launched the program (held before exec) or attached to every pid.
 * 0, or the launch/attach error (see hstrace_start).
 */
int hst_tracer_start(struct hst_tracer **out, const struct hst_tracer_config *cfg);

/* Ask the ptrace thread to detach from everything.  Async-signal-safe. */
void hst_tracer_stop(struct hst_tracer *tr);

/*
 * End the trace because its record cannot be kept (a log output failed):
 * a launched program and everything it started are killed, attached
 * processes are detached as by hst_tracer_stop.  Any thread; async-signal-safe.
 * Harmless on a tracer whose thread has ended (until hst_tracer_free).
 */
void hst_tracer_abort(struct hst_tracer *tr);

/* Wait for the ptrace thread to end (the ring is closed by then) and free. */
void hst_tracer_join(struct hst_tracer *tr);

/* After join: wait status of the launched program, or -1. */
int hst_tracer_exit_status(const struct hst_tracer *tr);

/* After join: counters. */
uint64_t hst_tracer_records(const struct hst_tracer *tr);
uint64_t hst_tracer_tracees(const struct hst_tracer *tr);

void hst_tracer_free(struct hst_tracer *tr);

#endif
