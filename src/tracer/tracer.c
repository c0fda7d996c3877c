/*
 * The ptrace thread.
 *
 * Ownership: this thread is the only one that calls ptrace() or waits for
 * tracees, the only writer of the tracee table and the only producer of the
 * raw ring.  Other threads reach it only through the ring and through
 * hst_tracer_stop(), which kills the "waker".
 *
 * The waker is a child process the ptrace thread forks before anything
 * else; it sleeps reading a pipe.  Killing it makes the ptrace thread's
 * waitpid() return, so a stop request is an event like any other in the
 * wait loop: no signal handler, and no window in which a request could be
 * lost between checking a flag and blocking in waitpid().  kill() is
 * async-signal-safe, so hst_tracer_stop() works from a signal handler.  If
 * hstrace dies, the pipe's write end closes and the waker exits by itself.
 *
 * The stop path, per syscall stop: one PTRACE_GET_SYSCALL_INFO, reserve a
 * record in the ring, capture the argument memory the decoder will need
 * (process_vm_readv, while the tracee is still stopped), commit, restart.
 * No formatting, no allocation, no locks.  A full ring makes the reserve
 * block, which keeps the tracee stopped: backpressure, never loss.  With
 * -y (cfg.fd_paths), also one readlink of /proc/TID/fd/N per descriptor
 * argument or returned descriptor, while the tracee is stopped: the fd
 * may be closed or reused the moment it runs again.  With -P
 * (cfg.fd_args), the same for the descriptor arguments at entry.  Without
 * either, no cost.
 *
 * Launch: the program is forked by this thread (so it is this thread's child
 * and its wait status comes to this thread even with __WNOTHREAD), stops
 * itself with SIGSTOP before exec, gets seized, and is resumed with SIGCONT.
 * Its records stay hidden until its execve entry, like strace's, so neither
 * the start-up SIGCONT nor the child's own preparation shows.
 *
 * Waits use __WALL|__WNOTHREAD: only tracees of this thread are reaped, never
 * the embedding program's own children.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hstrace/hstrace.h>

#include "core/ring.h"
#include "core/systable.h"
#include "tracer/capture.h"
#include "tracer/seccomp.h"
#include "tracer/tracees.h"
#include "tracer/tracer.h"

#ifndef AUDIT_ARCH_X86_64
#define AUDIT_ARCH_X86_64 0xc000003eu
#define AUDIT_ARCH_I386 0x40000003u
#endif
#define X32_SYSCALL_BIT 0x40000000

/* Placement of a pinned launch (see "Placement" below); ptrace thread only. */
struct pin {
	bool on;                         /* the program may still be on `set` */
	cpu_set_t set;                   /* where this thread and the program are */
	int schedstat_fd, stat_fd;       /* /proc/thread-self/schedstat, /proc/stat */
	unsigned moves;
	uint64_t look_ns, delay_ns;      /* next look; run delay at the last one */
	uint64_t *busy, *total;          /* per CPU at the last look (CPU_SETSIZE each) */
	char *buf;                       /* /proc/stat text */
};

struct hst_tracer {
	struct hst_tracer_config cfg;
	struct hst_tracees *tracees;
	pthread_t thread;
	pid_t waker;                     /* 0 once reaped */
	atomic_int waker_pidfd;          /* hst_tracer_stop signals through it */
	int waker_pipe;                  /* write end; the waker exits at EOF */
	atomic_int stop_requested;       /* STOP_DETACH | STOP_KILL bits */
	int detaching;                   /* ptrace thread: the STOP_* being carried out, or 0 */
	pid_t child;                     /* launched program, or 0 */
	int exit_status;                 /* its wait status, or -1 */
	uint64_t seq;
	uint64_t tracees_seen;
	unsigned options;
	struct pin pin;                  /* placement; see "Placement" */
	/* start-up handshake with hst_tracer_start */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int started;                     /* 1 ok, <0 error */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- records ------------------------------------------------------------ */

/*
 * Stop requests: STOP_DETACH (hst_tracer_stop) lets every tracee go;
 * STOP_KILL (hst_tracer_abort) kills a launched program and all it started,
 * and detaches attached processes, which are not ours to end.
 */
#define STOP_DETACH 1
#define STOP_KILL 2

static struct hst_raw *record_begin(struct hst_tracer *tr, size_t extra, unsigned kind,
				    const struct hst_tracee *t)
{
	struct hst_raw *r = hst_ring_reserve_sp(tr->cfg.ring, sizeof(*r) + extra);
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->kind = (uint16_t)kind;
	r->hdr_size = sizeof(*r);
	r->seq = tr->seq;
	r->ts_ns = now_ns();
	r->tid = t->tid;
	r->tgid = t->tgid;
	return r;
}

static void record_end(struct hst_tracer *tr, struct hst_raw *r, size_t size)
{
	r->size = (uint32_t)size;
	tr->seq++;
	hst_ring_commit_sp(tr->cfg.ring, size);
}

/* A record with no captures: exits, group-stops, new tracees, detaches. */
static void record_simple(struct hst_tracer *tr, const struct hst_tracee *t, unsigned kind,
			  int nr, int64_t rval, unsigned flags)
{
	struct hst_raw *r = record_begin(tr, 0, kind, t);
	if (!r)
		return;
	r->nr = nr;
	r->rval = rval;
	r->flags = (uint16_t)flags;
	record_end(tr, r, sizeof(*r));
}

/* --- tracee bookkeeping ------------------------------------------------- */

/*
 * Tid's thread group and parent process, from /proc/TID/status, without
 * stdio: nothing to allocate on a stop.  *ppid is 0 when unknown.
 */
static pid_t tgid_of(pid_t tid, pid_t *ppid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	*ppid = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, "\nPPid:");
	*ppid = p ? (pid_t)atoi(p + 6) : 0;
	p = strstr(buf, "\nTgid:");
	pid_t tgid = p ? (pid_t)atoi(p + 6) : 0;
	return tgid > 0 ? tgid : tid;
}

/*
 * A thread an attach seized: its NEW_TRACEE record carries the process's
 * name (/proc/TGID/comm), which the sinks would otherwise learn only from
 * an execve the trace may never see.
 */
static void record_attached(struct hst_tracer *tr, const struct hst_tracee *t)
{
	char path[64], comm[32];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", t->tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, comm, sizeof(comm));
		close(fd);
	}
	if (n > 0 && comm[n - 1] == '\n')
		n--;
	struct hst_raw *r = record_begin(tr, sizeof(struct hst_cap) + sizeof(comm), HST_RAW_NEW_TRACEE, t);
	if (!r)
		return;
	record_end(tr, r, n > 0 ? hst_capture_text(r, comm, (size_t)n) : sizeof(*r));
}

/*
 * A tid that now counts as traced.  parent: for a new process, the one it
 * was forked from (its NEW_TRACEE record's rval, so that the sinks call it
 * by its parent's name from its first call on); else 0.
 */
static struct hst_tracee *tracee_new(struct hst_tracer *tr, pid_t tid, pid_t tgid, pid_t parent,
				     unsigned flags)
{
	struct hst_tracee *t = hst_tracees_add(tr->tracees, tid, tgid);
	if (!t)
		return NULL;
	t->flags = flags;
	tr->tracees_seen++;
	if (flags & HST_TRACEE_ATTACHED)
		record_attached(tr, t);
	else
		record_simple(tr, t, HST_RAW_NEW_TRACEE, 0, tid == tgid ? parent : 0, 0);
	/* Forked while the others were being killed: it goes the same way. */
	if (tr->detaching == STOP_KILL)
		kill(tid, SIGKILL);
	/*
	 * Or let go, at its first stop: a child forked meanwhile, or a thread
	 * seized by an attach that failed (out of memory for its entry).
	 */
	else if (tr->detaching)
		t->flags |= HST_TRACEE_DETACHING;
	return t;
}

/* A stop from a tid we have not seen yet: a new child or thread. */
static struct hst_tracee *tracee_get(struct hst_tracer *tr, pid_t tid)
{
	struct hst_tracee *t = hst_tracees_find(tr->tracees, tid);
	pid_t tgid, ppid;

	if (t)
		return t;
	tgid = tgid_of(tid, &ppid);
	return tracee_new(tr, tid, tgid, ppid, 0);
}

static void tracee_gone(struct hst_tracer *tr, struct hst_tracee *t)
{
	hst_tracees_remove(tr->tracees, t);
}

/* --- restarting --------------------------------------------------------- */

static void tracee_resume(struct hst_tracer *tr, struct hst_tracee *t, int sig)
{
	if (t->flags & HST_TRACEE_DETACHING) {
		ptrace(PTRACE_DETACH, t->tid, 0, (void *)(long)sig);
		if (!(t->flags & HST_TRACEE_HIDDEN))
			record_simple(tr, t, HST_RAW_DETACHED, 0, 0, 0);
		tracee_gone(tr, t);
		return;
	}
	/*
	 * ESRCH: it was killed meanwhile; its exit status is on its way.  With
	 * seccomp, only the exit of a call that stopped at seccomp needs a
	 * syscall stop; everything else runs on to the next seccomp stop.
	 */
	if (tr->cfg.seccomp && !(t->flags & HST_TRACEE_WANT_EXIT))
		ptrace(PTRACE_CONT, t->tid, 0, (void *)(long)sig);
	else
		ptrace(PTRACE_SYSCALL, t->tid, 0, (void *)(long)sig);
}

/* --- placement ---------------------------------------------------------- */

/*
 * With cfg.pin (hstrace.c, "Where the threads run") this thread runs on
 * pin_cpu alone, and the launched program, forked here, inherits that mask:
 * a stop and its restart are then wake-ups on one CPU, the cheapest kind.
 * The program must not notice, and must not be slowed down by it:
 *  - sched_getaffinity of a pinned tracee shows cfg.cpus, the mask it
 *    would have had untraced (thread pools are sized by it: nproc,
 *    available_parallelism, GOMAXPROCS); see mend_affinity;
 *  - at its first fork, vfork or clone, every tracee and this thread get
 *    cfg.cpus back for good: a multi-threaded program pinned to one CPU
 *    would have its own work serialised;
 *  - every PIN_LOOK_NS this thread reads its run delay (time spent ready
 *    to run but waiting for the CPU).  With a single-threaded program on
 *    the CPU it is near 0; above a quarter of the time, something else
 *    wants that CPU, and both move to the allowed CPU that was idle the
 *    most (/proc/stat), at most PIN_MOVES times, then are let go.
 * A tracee that sets its own affinity (sched_setaffinity, seen at its
 * exit: see note_own_cpus) is left alone from then on, and so are the
 * children it makes; the filter of a filtered launch stops at both calls.
 */
#define PIN_LOOK_NS 200000000u
#define PIN_MOVES 2

static bool pinned_tid(const struct hst_tracer *tr, pid_t tid)
{
	cpu_set_t now;

	return sched_getaffinity(tid, sizeof(now), &now) == 0 && CPU_EQUAL(&now, &tr->pin.set);
}

struct repin {
	struct hst_tracer *tr;
	const cpu_set_t *to;
};

static void repin_one(struct hst_tracee *t, void *arg)
{
	struct repin *r = arg;

	if (!(t->flags & HST_TRACEE_OWN_CPUS) && pinned_tid(r->tr, t->tid))
		sched_setaffinity(t->tid, sizeof(*r->to), r->to);
}

/* Every tracee still on pin.set, extra (a child not in the table yet) and this thread go to `to`. */
static void repin(struct hst_tracer *tr, const cpu_set_t *to, pid_t extra)
{
	struct repin r = { tr, to };

	hst_tracees_each(tr->tracees, repin_one, &r);
	if (extra > 0 && !hst_tracees_find(tr->tracees, extra) && pinned_tid(tr, extra))
		sched_setaffinity(extra, sizeof(*to), to);
	sched_setaffinity(0, sizeof(*to), to);
	tr->pin.set = *to;
}

static void pin_free(struct hst_tracer *tr)
{
	tr->pin.on = false;
	close(tr->pin.schedstat_fd);
	close(tr->pin.stat_fd);
	free(tr->pin.busy);
	free(tr->pin.total);
	free(tr->pin.buf);
	tr->pin.busy = tr->pin.total = NULL;
	tr->pin.buf = NULL;
}

static void pin_release(struct hst_tracer *tr, pid_t extra)
{
	repin(tr, &tr->cfg.cpus, extra);
	pin_free(tr);
}

static uint64_t run_delay_ns(const struct hst_tracer *tr)
{
	char buf[128];
	unsigned long long run, delay;
	ssize_t n = pread(tr->pin.schedstat_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return sscanf(buf, "%llu %llu", &run, &delay) == 2 ? delay : 0;
}

/*
 * Per-CPU busy and total jiffies from /proc/stat into pin.busy/total; with
 * best, the allowed CPU other than the current one idle the most since the
 * last call, if idle at least half that time (else -1).
 */
static int cpu_stats(struct hst_tracer *tr, int *best)
{
	const size_t cap = 1 << 16;
	ssize_t n = pread(tr->pin.stat_fd, tr->pin.buf, cap - 1, 0);
	double best_idle = 0.5;

	*best = -1;
	if (n <= 0)
		return -1;
	tr->pin.buf[n] = 0;
	for (char *l = tr->pin.buf; (l = strstr(l, "\ncpu")); l++) {
		unsigned long long v[8] = { 0 };
		int cpu;
		if (sscanf(l + 4, "%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7]) < 5 || cpu < 0 || cpu >= CPU_SETSIZE)
			continue;
		uint64_t total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
		uint64_t busy = total - v[3] - v[4];
		uint64_t dt = total - tr->pin.total[cpu], db = busy - tr->pin.busy[cpu];
		if (tr->pin.total[cpu] && dt && CPU_ISSET(cpu, &tr->cfg.cpus) && !CPU_ISSET(cpu, &tr->pin.set) &&
		    1.0 - (double)db / (double)dt >= best_idle) {
			best_idle = 1.0 - (double)db / (double)dt;
			*best = cpu;
		}
		tr->pin.total[cpu] = total;
		tr->pin.busy[cpu] = busy;
	}
	return 0;
}

static void pin_start(struct hst_tracer *tr)
{
	int best;

	if (!tr->cfg.pin)
		return;
	CPU_ZERO(&tr->pin.set);
	CPU_SET(tr->cfg.pin_cpu, &tr->pin.set);
	tr->pin.schedstat_fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	tr->pin.stat_fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	tr->pin.busy = calloc(CPU_SETSIZE, sizeof(uint64_t));
	tr->pin.total = calloc(CPU_SETSIZE, sizeof(uint64_t));
	tr->pin.buf = malloc(1 << 16);
	tr->pin.on = true;
	if (tr->pin.schedstat_fd < 0 || tr->pin.stat_fd < 0 || !tr->pin.busy || !tr->pin.total ||
	    !tr->pin.buf || cpu_stats(tr, &best) < 0) {
		/* Cannot watch it: not pinning at all is the safe side. */
		pin_release(tr, 0);
		return;
	}
	tr->pin.delay_ns = run_delay_ns(tr);
	tr->pin.look_ns = now_ns() + PIN_LOOK_NS;
}

/* After each stop while pinned: is the CPU contended? */
static void pin_watch(struct hst_tracer *tr)
{
	uint64_t now = now_ns(), delay;
	int best;

	if (now < tr->pin.look_ns)
		return;
	delay = run_delay_ns(tr);
	bool contended = (delay - tr->pin.delay_ns) * 4 > now - tr->pin.look_ns + PIN_LOOK_NS;
	tr->pin.delay_ns = delay;
	tr->pin.look_ns = now + PIN_LOOK_NS;
	if (cpu_stats(tr, &best) < 0) {
		pin_release(tr, 0);
		return;
	}
	if (!contended)
		return;
	if (best >= 0 && tr->pin.moves < PIN_MOVES) {
		cpu_set_t to;
		CPU_ZERO(&to);
		CPU_SET(best, &to);
		tr->pin.moves++;
		repin(tr, &to, 0);
		tr->pin.delay_ns = run_delay_ns(tr);
		return;
	}
	pin_release(tr, 0);
}

/* The tracee a sched_{get,set}affinity call of t is about, if one of ours. */
static struct hst_tracee *affinity_target(struct hst_tracer *tr, struct hst_tracee *t)
{
	pid_t who = (pid_t)t->args[0];

	return who == 0 || who == t->tid ? t : hst_tracees_find(tr->tracees, who);
}

/* At the exit of a successful sched_setaffinity: its target chose its mask. */
static void note_own_cpus(struct hst_tracer *tr, struct hst_tracee *t, const struct __ptrace_syscall_info *info)
{
	struct hst_tracee *target = affinity_target(tr, t);

	if (!info->exit.is_error && target)
		target->flags |= HST_TRACEE_OWN_CPUS;
}

/*
 * At the exit of a pinned tracee's sched_getaffinity: if it read the
 * pinned mask, write the one it would have had (cfg.cpus) over it, before
 * the exit record captures the buffer.  The call returned how many bytes
 * it wrote; the tracee is stopped.
 */
static void mend_affinity(struct hst_tracer *tr, struct hst_tracee *t, const struct __ptrace_syscall_info *info)
{
	struct hst_tracee *target = affinity_target(tr, t);
	cpu_set_t seen;
	size_t n = (size_t)info->exit.rval;

	if (info->exit.is_error || n == 0 || n > sizeof(seen) || !target || (target->flags & HST_TRACEE_OWN_CPUS))
		return;
	struct iovec local = { &seen, n }, remote = { (void *)(uintptr_t)t->args[2], n };
	if (process_vm_readv(t->tid, &local, 1, &remote, 1, 0) != (ssize_t)n ||
	    memcmp(&seen, &tr->pin.set, n) != 0)
		return;
	local.iov_base = (void *)&tr->cfg.cpus;
	process_vm_writev(t->tid, &local, 1, &remote, 1, 0);
}

/* --- syscall stops ------------------------------------------------------ */

static unsigned abi_flags(uint32_t arch, uint64_t nr)
{
	if (arch == AUDIT_ARCH_I386)
		return HST_RAWF_I386;
	if (nr & X32_SYSCALL_BIT)
		return HST_RAWF_X32;
	return 0;
}


/*
 * Argument memory, then the descriptors' targets (one readlink each): with
 * -y all of them, with -P only the arguments', at entry, where it decides.
 */
static bool want_fdpaths(const struct hst_tracer *tr, bool at_exit)
{
	return tr->cfg.fd_paths || (tr->cfg.fd_args && !at_exit);
}

static size_t capture_bound(const struct hst_tracer *tr, const struct hst_syscall_sig *sig, bool at_exit)
{
	size_t n = hst_capture_bound(sig, at_exit, tr->cfg.strsize);

	if (want_fdpaths(tr, at_exit))
		n += hst_capture_fdpaths_bound(sig, at_exit);
	return n;
}

static size_t capture(const struct hst_tracer *tr, struct hst_raw *r, const struct hst_syscall_sig *sig,
		      bool at_exit, const struct hst_stash *st)
{
	size_t size = hst_capture(r, sig, at_exit, tr->cfg.strsize, st);

	if (want_fdpaths(tr, at_exit))
		size = hst_capture_fdpaths(r, size, sig, at_exit, tr->cfg.fd_paths);
	return size;
}

static void syscall_entry(struct hst_tracer *tr, struct hst_tracee *t, const struct __ptrace_syscall_info *info)
{
	unsigned flags = abi_flags(info->arch, info->entry.nr);
	const struct hst_syscall_sig *sig = hst_record_sig((long)info->entry.nr, flags);
	/* Only the first call after an attach can be the restart it needs. */
	bool resumes = (t->flags & HST_TRACEE_RESUMES) && info->entry.nr == __NR_restart_syscall && !flags;
	struct hst_raw *r;

	t->flags &= ~HST_TRACEE_RESUMES;
	t->flags |= HST_TRACEE_IN_SYSCALL;
	t->nr = (int32_t)info->entry.nr;
	t->raw_flags = (uint16_t)flags;
	memcpy(t->args, info->entry.args, sizeof(t->args));
	/* It has no arguments; its decoder reads the signal frame at the stack. */
	if (t->nr == __NR_rt_sigreturn && !flags)
		t->args[0] = info->stack_pointer;
	if ((t->flags & HST_TRACEE_HIDDEN) && t->nr == __NR_execve && !flags)
		t->flags &= ~HST_TRACEE_HIDDEN;
	if (t->flags & HST_TRACEE_HIDDEN)
		return;
	/* Not selected: no records, for a trace without seccomp (-p). */
	if (tr->cfg.filter && !flags && !hst_filter_syscall(tr->cfg.filter, t->nr)) {
		t->flags |= HST_TRACEE_SKIP;
		return;
	}
	t->flags &= ~HST_TRACEE_SKIP;
	r = record_begin(tr, capture_bound(tr, sig, false), HST_RAW_SYSCALL_ENTRY, t);
	if (!r)
		return;
	r->nr = t->nr;
	r->flags = (uint16_t)flags;
	if (resumes) {
		r->flags |= HST_RAWF_RESUMES;
		r->rval = t->resumes_nr;
	}
	memcpy(r->args, t->args, sizeof(r->args));
	record_end(tr, r, capture(tr, r, sig, false, NULL));
	hst_capture_stash(&t->stash, t->tid, t->args, sig);
}

static void syscall_exit(struct hst_tracer *tr, struct hst_tracee *t, const struct __ptrace_syscall_info *info)
{
	const struct hst_syscall_sig *sig;
	struct hst_raw *r;

	if (!(t->flags & HST_TRACEE_IN_SYSCALL))
		return; /* attached in the middle of a call: no entry to pair with */
	t->flags &= ~HST_TRACEE_IN_SYSCALL;
	if (tr->pin.on && t->nr == __NR_sched_getaffinity && !t->raw_flags)
		mend_affinity(tr, t, info);
	if (tr->pin.on && t->nr == __NR_sched_setaffinity && !t->raw_flags)
		note_own_cpus(tr, t, info);
	if (t->flags & (HST_TRACEE_HIDDEN | HST_TRACEE_SKIP))
		return;
	sig = hst_record_sig(t->nr, t->raw_flags);
	r = record_begin(tr, capture_bound(tr, sig, true), HST_RAW_SYSCALL_EXIT, t);
	if (!r)
		return;
	r->nr = t->nr;
	r->flags = t->raw_flags | (info->exit.is_error ? HST_RAWF_ERROR : 0);
	r->rval = info->exit.rval;
	memcpy(r->args, t->args, sizeof(r->args));
	record_end(tr, r, capture(tr, r, sig, true, &t->stash));
}

static bool interrupted_by_us(const struct __ptrace_syscall_info *info)
{
	return info->exit.is_error && hst_errno_restarts(-info->exit.rval);
}

static void on_syscall_stop(struct hst_tracer *tr, struct hst_tracee *t)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(info), &info) <= 0) {
		tracee_resume(tr, t, 0);
		return;
	}
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		syscall_entry(tr, t, &info);
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		t->flags &= ~HST_TRACEE_WANT_EXIT;
		/*
		 * Detaching, a call our PTRACE_INTERRUPT broke off ends with an
		 * ERESTART* code the program never sees: the kernel restarts
		 * the call once we let go.  Its entry stays open and the
		 * DETACHED record closes it ("<detached ...>", as strace).
		 */
		if (!((t->flags & HST_TRACEE_DETACHING) && interrupted_by_us(&info)))
			syscall_exit(tr, t, &info);
	}
	tracee_resume(tr, t, 0);
}

/*
 * PTRACE_EVENT_SECCOMP: a selected syscall's entry (the filter returned
 * SECCOMP_RET_TRACE).  The seccomp part of the info has the same fields as
 * an entry; the exit comes as an ordinary syscall-exit stop when the tracee
 * is restarted with PTRACE_SYSCALL.
 */
static void on_seccomp_stop(struct hst_tracer *tr, struct hst_tracee *t)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(info), &info) > 0 &&
	    info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		info.op = PTRACE_SYSCALL_INFO_ENTRY;
		memmove(&info.entry, &info.seccomp, sizeof(info.entry));
		syscall_entry(tr, t, &info);
		t->flags |= HST_TRACEE_WANT_EXIT;
	}
	tracee_resume(tr, t, 0);
}

/* --- other stops -------------------------------------------------------- */

static void on_signal_stop(struct hst_tracer *tr, struct hst_tracee *t, int sig)
{
	siginfo_t si;

	if (!(t->flags & HST_TRACEE_HIDDEN) && ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) == 0) {
		struct hst_raw *r = record_begin(tr, sizeof(struct hst_cap) + sizeof(si), HST_RAW_SIGNAL, t);
		if (r) {
			r->nr = sig;
			record_end(tr, r, hst_capture_siginfo(r, &si, sizeof(si)));
		}
	}
	tracee_resume(tr, t, sig);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * The first stop of a thread an attach seized.  If the attach broke off a
 * call that the kernel resumes with restart_syscall (ERESTART_RESTARTBLOCK
 * in rax: nanosleep, poll, ...), orig_rax still holds that call's number:
 * keep it, so the restart_syscall line can name the call it resumes (strace
 * 6.1 names "read" there, its number 0).
 */
static void learn_interrupted(struct hst_tracee *t)
{
	long rax, orig;

	t->flags &= ~HST_TRACEE_ATTACHED;
	errno = 0;
	rax = ptrace(PTRACE_PEEKUSER, t->tid, offsetof(struct user_regs_struct, rax), 0);
	orig = ptrace(PTRACE_PEEKUSER, t->tid, offsetof(struct user_regs_struct, orig_rax), 0);
	if (errno || rax != -HST_ERESTART_RESTARTBLOCK || !hst_syscall_sig(orig))
		return;
	t->resumes_nr = (int32_t)orig;
	t->flags |= HST_TRACEE_RESUMES;
}

static void on_event_stop(struct hst_tracer *tr, struct hst_tracee *t, int sig)
{
	if (t->flags & HST_TRACEE_ATTACHED)
		learn_interrupted(t);
	if (!is_stop_signal(sig) || (t->flags & HST_TRACEE_DETACHING)) {
		/* A new tracee's first stop, or our PTRACE_INTERRUPT. */
		tracee_resume(tr, t, 0);
		return;
	}
	/*
	 * Group-stop: report it and keep the tracee stopped with PTRACE_LISTEN
	 * until SIGCONT, exactly as if it were not traced.
	 */
	if (!(t->flags & HST_TRACEE_HIDDEN))
		record_simple(tr, t, HST_RAW_GROUP_STOP, sig, 0, 0);
	t->flags |= HST_TRACEE_LISTENING;
	ptrace(PTRACE_LISTEN, t->tid, 0, 0);
}

static void on_exec_event(struct hst_tracer *tr, struct hst_tracee *t)
{
	unsigned long former = 0;

	ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former);
	if ((pid_t)former != t->tid && former) {
		/*
		 * A non-leader thread exec'd.  ptrace(2), "execve(2) under
		 * ptrace": the kernel killed the other threads, gave the exec'ing
		 * one the leader's tid, and the old leader vanishes without an
		 * exit notification; this stop comes with the leader's tid and
		 * the former tid in the event message.  The table's entry for the
		 * leader (t) is the old leader's: record that it was superseded
		 * (an EXITED record whose nr is the former tid, rendered as
		 * strace's "+++ superseded by execve in pid FORMER +++", after
		 * which the sinks move the former tid's open execve to the
		 * leader's tid), then take over the exec'ing thread's state,
		 * mid-execve, under the leader's tid.
		 */
		struct hst_tracee *old = hst_tracees_find(tr->tracees, (pid_t)former);
		if (!(t->flags & HST_TRACEE_HIDDEN))
			record_simple(tr, t, HST_RAW_EXITED, (int)former, 0, 0);
		if (old) {
			t->flags = old->flags;
			t->nr = old->nr;
			t->raw_flags = old->raw_flags;
			memcpy(t->args, old->args, sizeof(t->args));
			t->stash = old->stash;
			tracee_gone(tr, old);
		} else {
			t->flags &= ~HST_TRACEE_IN_SYSCALL;
		}
	}
	tracee_resume(tr, t, 0);
}

/*
 * Whether tid is still a tracee of this thread, alive or not yet reaped:
 * waitid without waiting or reaping (ECHILD once its end was collected).
 */
static bool still_ours(pid_t tid)
{
	siginfo_t si;

	return waitid(P_PID, (id_t)tid, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL | __WNOTHREAD) == 0;
}

/*
 * FORK/VFORK/CLONE in the parent: register the child now, when its thread
 * group is known from the call (CLONE_THREAD) without reading /proc.  The
 * child's own first stop may have come first; then it is known already.
 */
static void on_new_child(struct hst_tracer *tr, struct hst_tracee *t, int event)
{
	unsigned long tid = 0;
	pid_t tgid;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &tid) < 0 || tid == 0 ||
	    hst_tracees_find(tr->tracees, (pid_t)tid))
		return;
	/*
	 * Not known now, but its own first stop may still have come first:
	 * then it was registered, ran, ended and was reaped while this stop
	 * waited (seen about once in 100 traces of a program starting
	 * short-lived threads on a loaded machine), or it ran unknown (out of
	 * memory for its entry) and ended.  Registered now, it would never
	 * stop nor end, and the trace would never end.
	 */
	if (!still_ours((pid_t)tid))
		return;
	if (event != PTRACE_EVENT_CLONE) {
		tgid = (pid_t)tid;
	} else if (t->nr == __NR_clone && !t->raw_flags) {
		tgid = (t->args[0] & CLONE_THREAD) ? t->tgid : (pid_t)tid;
	} else {
		uint64_t flags;
		struct iovec local = { &flags, sizeof(flags) };
		struct iovec remote = { (void *)(uintptr_t)t->args[0], sizeof(flags) };
		/* clone3: flags is the first field of struct clone_args. */
		if (t->nr != __NR_clone3 || t->raw_flags ||
		    process_vm_readv(t->tid, &local, 1, &remote, 1, 0) != sizeof(flags))
			return; /* learnt from /proc at the child's first stop */
		tgid = (flags & CLONE_THREAD) ? t->tgid : (pid_t)tid;
	}
	tracee_new(tr, (pid_t)tid, tgid, t->tgid, t->flags & HST_TRACEE_OWN_CPUS);
}

static void on_ptrace_event(struct hst_tracer *tr, struct hst_tracee *t, int event, int sig)
{
	switch (event) {
	case PTRACE_EVENT_STOP:
		on_event_stop(tr, t, sig);
		break;
	case PTRACE_EVENT_EXEC:
		on_exec_event(tr, t);
		break;
	case PTRACE_EVENT_SECCOMP:
		on_seccomp_stop(tr, t);
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		/* The child is auto-attached and reports its own first stop. */
		on_new_child(tr, t, event);
		if (tr->pin.on) {
			unsigned long child = 0;
			/* The child has its parent's mask: its own, if the parent chose it. */
			if (!(t->flags & HST_TRACEE_OWN_CPUS))
				ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &child);
			pin_release(tr, (pid_t)child);
		}
		/* Its next stop comes only once the child execs or exits; see wait_loop. */
		if (event == PTRACE_EVENT_VFORK)
			t->flags |= HST_TRACEE_IN_VFORK;
		tracee_resume(tr, t, 0);
		break;
	default:
		/* EXIT: the exit status follows. */
		tracee_resume(tr, t, 0);
		break;
	}
}

static void on_exited(struct hst_tracer *tr, pid_t tid, int status)
{
	struct hst_tracee *t = hst_tracees_find(tr->tracees, tid);

	if (tid == tr->child)
		tr->exit_status = status;
	if (!t)
		return;
	if (!(t->flags & HST_TRACEE_HIDDEN)) {
		if (WIFEXITED(status))
			record_simple(tr, t, HST_RAW_EXITED, 0, WEXITSTATUS(status), 0);
		else
			record_simple(tr, t, HST_RAW_KILLED, WTERMSIG(status), WTERMSIG(status),
				      WCOREDUMP(status) ? HST_RAWF_CORE : 0);
	}
	tracee_gone(tr, t);
}

/*
 * Out of memory for a new tracee's entry: resume it without one, unrecorded;
 * its next stop tries again.  Detaching it would lose it for good: its
 * parent's fork or clone event could still register the tid, which would
 * then never stop again, and the trace would never end.
 */
static void resume_unknown(struct hst_tracer *tr, pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = (unsigned)status >> 16;

	if (tr->detaching == STOP_KILL)
		kill(tid, SIGKILL);
	if (event == PTRACE_EVENT_STOP && is_stop_signal(sig))
		ptrace(PTRACE_LISTEN, tid, 0, 0);
	else
		ptrace(PTRACE_SYSCALL, tid, 0, (void *)(long)(event || sig == (SIGTRAP | 0x80) ? 0 : sig));
}

static void dispatch(struct hst_tracer *tr, pid_t tid, int status)
{
	struct hst_tracee *t;
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_exited(tr, tid, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	t = tracee_get(tr, tid);
	if (!t) {
		resume_unknown(tr, tid, status);
		return;
	}
	t->flags &= ~(HST_TRACEE_LISTENING | HST_TRACEE_IN_VFORK);
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	if (sig == (SIGTRAP | 0x80))
		on_syscall_stop(tr, t);
	else if (event)
		on_ptrace_event(tr, t, event, sig);
	else
		on_signal_stop(tr, t, sig);
}

/* --- detaching ---------------------------------------------------------- */

static void interrupt_one(struct hst_tracee *t, void *arg)
{
	struct hst_tracer *tr = arg;

	t->flags |= HST_TRACEE_DETACHING;
	if (t->flags & HST_TRACEE_LISTENING) {
		/* Stopped in group-stop: detach now; it stays stopped, untraced. */
		ptrace(PTRACE_DETACH, t->tid, 0, 0);
		if (!(t->flags & HST_TRACEE_HIDDEN))
			record_simple(tr, t, HST_RAW_DETACHED, 0, 0, 0);
		return;
	}
	/* Running or sleeping: make it stop; it is detached at that stop. */
	ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
}

static void drop_listening(struct hst_tracee *t, void *arg)
{
	struct hst_tracer *tr = arg;
	if ((t->flags & HST_TRACEE_DETACHING) && (t->flags & HST_TRACEE_LISTENING))
		tracee_gone(tr, t);
}

static void kill_one(struct hst_tracee *t, void *arg)
{
	(void)arg;
	kill(t->tid, SIGKILL);
}

/* What a stop request means here: killing only ever ends what we launched. */
static int stop_wanted(struct hst_tracer *tr)
{
	/* Relaxed: the waker's death is what orders this; see the top. */
	int req = atomic_load_explicit(&tr->stop_requested, memory_order_relaxed);

	if (req & STOP_KILL)
		return tr->cfg.path ? STOP_KILL : STOP_DETACH;
	return req ? STOP_DETACH : 0;
}

static void count_vfork_waiters(struct hst_tracee *t, void *arg)
{
	if (t->flags & HST_TRACEE_IN_VFORK)
		++*(unsigned long *)arg;
}

/*
 * Detaching, whether only vfork parents are left.  A vfork parent waits for
 * its child in an uninterruptible (killable) sleep: our PTRACE_INTERRUPT
 * stops it only once the child execs or exits, which may be never, and
 * PTRACE_DETACH needs a stopped tracee.  ptrace(2): "If the tracer dies,
 * all tracees are automatically detached and restarted, unless they were
 * in group-stop"; the kernel does that when this thread ends (the tracer
 * is the thread, not the process) and drops the pending interrupt.  So
 * the loop ends there, and the thread's exit lets them go.
 */
/* A vfork waiter the kernel lets go when this thread ends. */
static void record_let_go(struct hst_tracee *t, void *arg)
{
	if (!(t->flags & HST_TRACEE_HIDDEN))
		record_simple(arg, t, HST_RAW_DETACHED, 0, 0, 0);
}

static bool only_vfork_waiters_left(struct hst_tracer *tr)
{
	unsigned long n = 0;

	hst_tracees_each(tr->tracees, count_vfork_waiters, &n);
	return n && n == hst_tracees_count(tr->tracees);
}

static void begin_detach(struct hst_tracer *tr, int how)
{
	tr->detaching = how;
	/* See tracer_setup: a filtered program is ended, not let go. */
	if (tr->cfg.seccomp)
		tr->detaching = STOP_KILL;
	if (tr->detaching == STOP_KILL) {
		hst_tracees_each(tr->tracees, kill_one, tr);
		return;
	}
	hst_tracees_each(tr->tracees, interrupt_one, tr);
	/* Removal is not allowed while iterating: a second pass drops them. */
	hst_tracees_each(tr->tracees, drop_listening, tr);
}

/* --- the loop ----------------------------------------------------------- */

static int start_waker(struct hst_tracer *tr);

/*
 * The next stop.  With spin_ns, poll for it that long first: a tracer that
 * is awake when the stop comes saves the wake-up of a sleeping thread on
 * another CPU, the largest cost of a stop on a VM (bench/: floor-spin).
 * A tracee that makes no syscall for spin_ns puts the tracer back to sleep.
 */
static pid_t wait_next(struct hst_tracer *tr, int *status)
{
	uint64_t until = 0;

	while (tr->cfg.spin_ns) {
		pid_t tid = waitpid(-1, status, __WALL | __WNOTHREAD | WNOHANG);
		if (tid != 0)
			return tid;
		uint64_t now = now_ns();
		if (!until)
			until = now + tr->cfg.spin_ns;
		else if (now >= until)
			break;
	}
	return waitpid(-1, status, __WALL | __WNOTHREAD);
}

static void wait_loop(struct hst_tracer *tr)
{
	int status;

	while (hst_tracees_count(tr->tracees) > 0) {
		/* A kill request may follow a detach request: it then takes over. */
		int how = stop_wanted(tr);
		if (how > tr->detaching) {
			begin_detach(tr, how);
			continue;
		}
		if (tr->detaching == STOP_DETACH && only_vfork_waiters_left(tr)) {
			hst_tracees_each(tr->tracees, record_let_go, tr);
			break;
		}
		pid_t tid = wait_next(tr, &status);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing left to wait for */
		}
		if (tid == tr->waker) {
			tr->waker = 0;
			/* Killed by someone else than hst_tracer_stop: replace it. */
			if (!atomic_load_explicit(&tr->stop_requested, memory_order_relaxed))
				start_waker(tr);
			continue; /* a stop request is handled at the top */
		}
		dispatch(tr, tid, status);
		if (tr->pin.on)
			pin_watch(tr);
	}
}

/* --- launching and attaching -------------------------------------------- */

static void child_exec(const struct hst_tracer_config *cfg)
{
	sigprocmask(SIG_SETMASK, &cfg->child_sigmask, NULL);
	if (cfg->child_cpus_set)
		sched_setaffinity(0, sizeof(cfg->child_cpus), &cfg->child_cpus);
	raise(SIGSTOP);
	/* Traced by now: the filter's first SECCOMP_RET_TRACE has a tracer. */
	if (cfg->seccomp && hst_seccomp_load(cfg->seccomp, cfg->no_new_privs) < 0)
		_exit(126);
	execv(cfg->path, cfg->argv);
	_exit(127);
}

static int launch(struct hst_tracer *tr)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_exec(&tr->cfg);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -ECHILD;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)tr->options) < 0) {
		int err = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return err;
	}
	tr->child = pid;
	if (!tracee_new(tr, pid, pid, 0, HST_TRACEE_HIDDEN)) {
		/* Not left stopped: nothing would ever resume it.  Seized, it may
		 * still stop at its exit (PTRACE_EVENT_EXIT) on the way out. */
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, __WALL) == pid && WIFSTOPPED(status))
			ptrace(PTRACE_CONT, pid, 0, 0);
		return -ENOMEM;
	}
	kill(pid, SIGCONT);
	return 0;
}

/* /proc/TGID/task/TID/NAME, NUL-terminated in buf: its length or -errno. */
static ssize_t read_task_file(pid_t tgid, pid_t tid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", tgid, tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	n = n < 0 ? -errno : n;
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* The state letter of thread tid of tgid (R, S, t, Z...): 0 if it is gone, '?' if unreadable. */
static char thread_state(pid_t tgid, pid_t tid)
{
	char buf[512], *p;
	ssize_t n = read_task_file(tgid, tid, "stat", buf, sizeof(buf));

	if (n == -ENOENT)
		return 0;
	p = n > 0 ? strrchr(buf, ')') : NULL;
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Whether thread tid of tgid is a zombie ('Z') or dead ('X'), or gone. */
static bool thread_exited(pid_t tgid, pid_t tid)
{
	char s = thread_state(tgid, tid);
	return !s || s == 'Z' || s == 'X';
}

/*
 * Whether tid is already traced by this thread: made by a thread seized
 * earlier in this attach (PTRACE_O_TRACECLONE attaches it at creation, so
 * PTRACE_SEIZE fails with EPERM).  Its first stop registers it.
 */
static bool traced_by_me(pid_t tgid, pid_t tid)
{
	char buf[2048], *p;

	if (read_task_file(tgid, tid, "status", buf, sizeof(buf)) <= 0)
		return false;
	p = strstr(buf, "\nTracerPid:\t");
	return p && atoi(p + 12) == (int)syscall(SYS_gettid);
}

static int seize_thread(struct hst_tracer *tr, pid_t tgid, pid_t tid, bool *added)
{
	*added = false;
	if (hst_tracees_find(tr->tracees, tid))
		return 0;
	if (ptrace(PTRACE_SEIZE, tid, 0, (void *)(long)tr->options) < 0) {
		if (errno == ESRCH)
			return 0; /* the thread exited meanwhile */
		/*
		 * A thread that has exited but is not reaped yet (a zombie
		 * process, or a leader that ended with pthread_exit while its
		 * other threads run) cannot be attached: PTRACE_SEIZE fails
		 * with EPERM, as ptrace(2) says of a task that is exiting.  It
		 * makes no more calls; skip it like one that is gone.  A
		 * process with nothing left to attach is "no such process".
		 */
		if (errno == EPERM && (thread_exited(tgid, tid) || traced_by_me(tgid, tid)))
			return 0;
		return -errno;
	}
	ptrace(PTRACE_INTERRUPT, tid, 0, 0);
	if (!tracee_new(tr, tid, tgid, 0, HST_TRACEE_ATTACHED))
		return -ENOMEM;
	*added = true;
	return 0;
}

/* The tids one pass read from /proc/PID/task. */
struct tid_list {
	pid_t *v;
	size_t n, cap;
};

static int tid_list_add(struct tid_list *l, pid_t tid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		pid_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = tid;
	return 0;
}

/*
 * One pass over /proc/PID/task, seizing the threads not seized yet; the
 * tids it read are left in seen.
 */
static int attach_pass(struct hst_tracer *tr, pid_t pid, const char *path, struct tid_list *seen, bool *grew)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int err = 0;

	if (!d)
		return errno == ENOENT ? HSTRACE_E_NO_PROCESS : -errno;
	*grew = false;
	seen->n = 0;
	while (!err && (de = readdir(d))) {
		bool added;
		pid_t tid = atoi(de->d_name);
		if (tid <= 0)
			continue;
		err = tid_list_add(seen, tid);
		if (!err)
			err = seize_thread(tr, pid, tid, &added);
		*grew |= !err && added;
	}
	closedir(d);
	return err;
}

/*
 * Whether the pass that read seen listed every thread of pid.  A listing
 * of /proc/PID/task can leave out a thread that lives through it: the
 * kernel walks the thread list, and when the thread it stands on exits
 * meanwhile, the walk ends there, and the next getdents resumes by
 * position, which the exit has shifted (fs/proc/base.c, next_tid and
 * first_tid).  On a process whose threads come and go, a few listings in
 * 40,000 left out a thread that was there before and after them.
 *
 * "Threads:" in /proc/PID/status counts every thread not yet released,
 * listed or not.  Read it first, then count the listed threads that are
 * not dead ('X', being released) now: each of those was counted, so if
 * they are as many as the count, no thread alive when it was read is
 * missing from the listing.
 */
static bool listing_complete(pid_t pid, const struct tid_list *seen)
{
	char path[64], buf[2048], *p;
	size_t alive = 0;
	ssize_t n;
	long threads;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* the process is gone: nothing left to seize */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, "\nThreads:\t");
	if (!p)
		return true;
	threads = atol(p + 10);
	for (size_t i = 0; i < seen->n; i++) {
		char s = thread_state(pid, seen->v[i]);
		alive += s && s != 'X';
	}
	return (long)alive >= threads;
}

struct settle_arg {
	pid_t tgid;
	bool running;
};

static void check_stopped(struct hst_tracee *t, void *arg)
{
	struct settle_arg *a = arg;

	if (t->tgid != a->tgid || a->running)
		return;
	char s = thread_state(t->tgid, t->tid);
	/* gone (0) or unreadable ('?'): nothing to wait for */
	a->running = s && !strchr("tTZX?", s);
}

/*
 * Wait (2 s at most) until every seized thread of tgid sits in the stop our
 * PTRACE_INTERRUPT asked for.  A thread that was inside clone() when it was
 * seized creates an untraced thread (the kernel decides at the start of
 * clone whether the child is traced), which may show up in /proc only
 * after our last pass; once its creator has stopped, the clone is over and
 * one more pass finds it.  The wait loop has not started, so a thread stays
 * in that stop once there.
 */
static void settle(struct hst_tracer *tr, pid_t tgid)
{
	for (int i = 0; i < 2000; i++) {
		struct settle_arg a = { tgid, false };
		hst_tracees_each(tr->tracees, check_stopped, &a);
		if (!a.running)
			return;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

/*
 * Seize every thread of pid: re-read the task list until a pass adds no
 * thread, then once more after every seized thread has stopped (see
 * settle), until that pass adds none and listed them all (see
 * listing_complete; after 10 incomplete ones the last is taken as it
 * is, so a count that never matches cannot hold the attach forever).
 */
static int attach_process(struct hst_tracer *tr, pid_t pid)
{
	struct tid_list seen = { 0 };
	char path[64];
	bool grew = true;
	int err = 0, incomplete = 0;

	if (pid == getpid())
		return HSTRACE_E_SELF;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	while (grew) {
		do
			err = attach_pass(tr, pid, path, &seen, &grew);
		while (!err && grew);
		if (err < 0)
			break;
		settle(tr, pid);
		err = attach_pass(tr, pid, path, &seen, &grew);
		if (err == HSTRACE_E_NO_PROCESS) {
			err = 0; /* it exited meanwhile: its exits are on their way */
			break;
		}
		if (err < 0)
			break;
		if (!grew && !listing_complete(pid, &seen) && incomplete++ < 10)
			grew = true;
	}
	free(seen.v);
	if (err < 0)
		return err;
	return hst_tracees_count(tr->tracees) ? 0 : HSTRACE_E_NO_PROCESS;
}

static int start_waker(struct hst_tracer *tr)
{
	int fds[2];
	char byte;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	/*
	 * The raw syscall, not fork(3): the waker must not run the program's
	 * pthread_atfork handlers (a test framework's, say), as it is not a
	 * copy of the program doing the program's work.
	 */
	pid_t pid = (pid_t)syscall(SYS_fork);
	if (pid < 0) {
		int err = -errno;
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		/*
		 * Async-signal-safe calls only: we are a fork of a threaded
		 * process.  Out of the terminal's process group, so Ctrl-C and
		 * Ctrl-Z meant for the tracee do not reach the waker.
		 */
		static const int quiet[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
		setpgid(0, 0);
		for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
			signal(quiet[i], SIG_IGN);
		close(fds[1]);
		while (read(fds[0], &byte, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(fds[0]);
	if (tr->waker_pipe >= 0)
		close(tr->waker_pipe);
	tr->waker_pipe = fds[1];
	tr->waker = pid;
	/* A pidfd, not the pid: a stop after the waker is reaped cannot hit a
	 * recycled pid.  Release pairs with the acquire in hst_tracer_stop. */
	int old = atomic_exchange_explicit(&tr->waker_pidfd, (int)syscall(SYS_pidfd_open, pid, 0),
					   memory_order_acq_rel);
	if (old >= 0)
		close(old);
	return 0;
}

static void stop_waker(struct hst_tracer *tr)
{
	int status;

	if (tr->waker) {
		kill(tr->waker, SIGKILL);
		waitpid(tr->waker, &status, __WALL);
		tr->waker = 0;
	}
	if (tr->waker_pipe >= 0)
		close(tr->waker_pipe);
	tr->waker_pipe = -1;
}

static int tracer_setup(struct hst_tracer *tr)
{
	int err = 0;

	tr->options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT;
	/* A filtered tracee must never run untraced: its selected calls would
	 * fail with ENOSYS.  So it dies with hstrace, and is killed at a stop. */
	if (tr->cfg.seccomp)
		tr->options |= PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;
	if (tr->cfg.follow)
		tr->options |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
	if (tr->cfg.path)
		return launch(tr);
	for (size_t i = 0; i < tr->cfg.npids && !err; i++)
		err = attach_process(tr, tr->cfg.pids[i]);
	return err;
}

/*
 * Every tracee stop sends SIGCHLD to the thread that traces it.  The kernel
 * drops an ignored signal (SIGCHLD's default) at once, but only when the
 * receiving thread does not block it: blocked, it is queued for the process
 * and wakes some other thread of the program, once per stop.  So this
 * thread, alone of the library's threads, leaves SIGCHLD unblocked.
 */
static void unblock_sigchld(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void *tracer_main(void *arg)
{
	struct hst_tracer *tr = arg;
	int err;

	rcu_register_thread();
	unblock_sigchld();
	pin_start(tr);
	err = start_waker(tr);
	if (err == 0)
		err = tracer_setup(tr);
	pthread_mutex_lock(&tr->lock);
	tr->started = err < 0 ? err : 1;
	pthread_cond_signal(&tr->cond);
	pthread_mutex_unlock(&tr->lock);
	if (err >= 0)
		wait_loop(tr);
	else
		begin_detach(tr, STOP_DETACH), wait_loop(tr);
	stop_waker(tr);
	if (tr->pin.on)
		pin_free(tr);
	hst_ring_close_sp(tr->cfg.ring);
	rcu_unregister_thread();
	return NULL;
}

int hst_tracer_start(struct hst_tracer **out, const struct hst_tracer_config *cfg)
{
	struct hst_tracer *tr = calloc(1, sizeof(*tr));
	int err;

	if (!tr)
		return -ENOMEM;
	tr->cfg = *cfg;
	tr->exit_status = -1;
	tr->waker_pipe = -1;
	atomic_init(&tr->waker_pidfd, -1);
	atomic_init(&tr->stop_requested, 0);
	pthread_mutex_init(&tr->lock, NULL);
	pthread_cond_init(&tr->cond, NULL);
	err = hst_tracees_create(&tr->tracees);
	if (err < 0)
		goto fail_tracees;
	err = -pthread_create(&tr->thread, NULL, tracer_main, tr);
	if (err < 0)
		goto fail_thread;
	pthread_mutex_lock(&tr->lock);
	while (!tr->started)
		pthread_cond_wait(&tr->cond, &tr->lock);
	err = tr->started < 0 ? tr->started : 0;
	pthread_mutex_unlock(&tr->lock);
	if (err < 0) {
		pthread_join(tr->thread, NULL);
		goto fail_thread;
	}
	*out = tr;
	return 0;

fail_thread:
	hst_tracees_destroy(tr->tracees);
fail_tracees:
	pthread_cond_destroy(&tr->cond);
	pthread_mutex_destroy(&tr->lock);
	free(tr);
	return err;
}

void hst_tracer_stop(struct hst_tracer *tr)
{
	/*
	 * Relaxed: the waker's exit, which the ptrace thread learns of through
	 * waitpid() after this store, is the ordering (kill and wait are
	 * syscalls, full barriers).  A waker already gone (stop requested twice,
	 * or the trace ending) makes kill() fail harmlessly.
	 */
	atomic_fetch_or_explicit(&tr->stop_requested, STOP_DETACH, memory_order_relaxed);
	int pidfd = atomic_load_explicit(&tr->waker_pidfd, memory_order_acquire);
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

void hst_tracer_abort(struct hst_tracer *tr)
{
	/* Relaxed, as in hst_tracer_stop, which wakes the ptrace thread. */
	atomic_fetch_or_explicit(&tr->stop_requested, STOP_KILL, memory_order_relaxed);
	hst_tracer_stop(tr);
}

void hst_tracer_join(struct hst_tracer *tr)
{
	pthread_join(tr->thread, NULL);
}

int hst_tracer_exit_status(const struct hst_tracer *tr)
{
	return tr->exit_status;
}

uint64_t hst_tracer_records(const struct hst_tracer *tr)
{
	return tr->seq;
}

uint64_t hst_tracer_tracees(const struct hst_tracer *tr)
{
	return tr->tracees_seen;
}

void hst_tracer_free(struct hst_tracer *tr)
{
	if (!tr)
		return;
	int pidfd = atomic_exchange(&tr->waker_pidfd, -1);
	if (pidfd >= 0)
		close(pidfd);
	hst_tracees_destroy(tr->tracees);
	pthread_cond_destroy(&tr->cond);
	pthread_mutex_destroy(&tr->lock);
	free(tr);
}
