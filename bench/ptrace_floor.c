/*
 * ptrace_floor: the least work any ptrace-based syscall tracer must do.
 *
 *   ptrace_floor [--pin[=CPU]|--spin] [--get-info] [--no-follow] [--count] -- CMD ARGS...
 *
 * It stops at every syscall entry and exit of CMD (and, unless --no-follow,
 * of every thread and process CMD creates) and resumes it at once, decoding
 * nothing. Its overhead over an untraced run is the floor hstrace is measured
 * against: two context switches and two wait/resume pairs per syscall.
 *
 *   --pin[=CPU]  pin tracer and tracee to one CPU (default: the lowest CPU the
 *                tracer may run on). The affinity is set before fork, so the
 *                tracee and everything it creates inherit it. On a VM this
 *                shows what cross-CPU wakeups cost.
 *   --spin       the tracer runs on the lowest allowed CPU and the tracee on
 *                the others, and the tracer polls waitpid(WNOHANG) instead of
 *                sleeping in it: no wake-up of the tracer at any stop, only
 *                that of the tracee when it is resumed.  Costs a whole CPU.
 *   --get-info   also call PTRACE_GET_SYSCALL_INFO at every syscall stop: the
 *                floor of a tracer that at least knows which syscall it is at.
 *   --read-mem   also read 64 bytes of the tracee's stack with process_vm_readv
 *                at every syscall stop (implies --get-info), in the tracer
 *                thread, before resuming: what hstrace's ptrace thread does.
 *   --handoff    like --read-mem, but a second thread does the read while the
 *                tracer waits for it (semaphores) before resuming: the design
 *                where decode workers would read tracee memory.  Comparing the
 *                two measures that choice (docs/ARCHITECTURE.md).
 *   --count      print stop counters to stderr at the end (for sanity checks).
 *
 * Start-up follows strace: the child stops itself with raise(SIGSTOP) before
 * exec, the parent waits for that stop, seizes it, then sends SIGCONT. The
 * SIGCONT matters: without it the group keeps its "stopped" flag, and with
 * PTRACE_SEIZE every later auto-attached thread would report its first stop as
 * a group-stop (SIGSTOP) instead of a plain PTRACE_EVENT_STOP/SIGTRAP.
 *
 * Group-stops are handled simply but correctly: PTRACE_EVENT_STOP with a stop
 * signal is answered with PTRACE_LISTEN, so the tracee stays stopped until a
 * SIGCONT arrives; every other signal is re-injected when resuming.
 *
 * The exit status is CMD's: its exit code, or 128 + the signal that killed it.
 * One process, one thread; nothing here is shared.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/uio.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

struct floor_options {
	bool pin;
	int pin_cpu; /* -1: pick the lowest allowed CPU */
	bool get_info;
	bool read_mem;
	bool handoff;
	bool follow;
	bool count;
	bool spin;
	char **command;
};

struct floor_stats {
	unsigned long long syscall_stops;
	unsigned long long info_entry, info_exit, info_other;
	unsigned long long event_stops, group_stops, signals;
	unsigned long long exits;
};

static void usage_exit(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--pin[=CPU]|--spin] [--get-info] [--read-mem|--handoff] [--no-follow] [--count]"
		" -- CMD ARGS...\n", prog);
	exit(2);
}

static void parse_options(int argc, char **argv, struct floor_options *opts)
{
	int i;

	memset(opts, 0, sizeof(*opts));
	opts->pin_cpu = -1;
	opts->follow = true;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--pin") == 0) {
			opts->pin = true;
		} else if (strncmp(argv[i], "--pin=", 6) == 0) {
			char *end;

			opts->pin = true;
			opts->pin_cpu = (int)strtol(argv[i] + 6, &end, 10);
			if (*end != '\0' || end == argv[i] + 6 || opts->pin_cpu < 0)
				usage_exit(argv[0]);
		} else if (strcmp(argv[i], "--get-info") == 0) {
			opts->get_info = true;
		} else if (strcmp(argv[i], "--read-mem") == 0) {
			opts->get_info = opts->read_mem = true;
		} else if (strcmp(argv[i], "--handoff") == 0) {
			opts->get_info = opts->read_mem = opts->handoff = true;
		} else if (strcmp(argv[i], "--no-follow") == 0) {
			opts->follow = false;
		} else if (strcmp(argv[i], "--spin") == 0) {
			opts->spin = true;
		} else if (strcmp(argv[i], "--count") == 0) {
			opts->count = true;
		} else {
			usage_exit(argv[0]);
		}
	}
	if (i >= argc)
		usage_exit(argv[0]);
	opts->command = argv + i;
}

/* --spin: the CPUs of the tracee (every allowed one but the tracer's). */
static cpu_set_t tracee_cpus;
static bool tracee_cpus_set;

/* Pins the calling process; fork() passes the affinity on to the tracee. */
static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0) {
		if (sched_getaffinity(0, sizeof(set), &set) < 0)
			return -errno;
		for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
			;
		if (cpu == CPU_SETSIZE)
			return -EINVAL;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	return 0;
}

/* Forks the child stopped before exec; returns its pid once it has stopped. */
static pid_t spawn_stopped(char **command)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (tracee_cpus_set)
			sched_setaffinity(0, sizeof(tracee_cpus), &tracee_cpus);
		raise(SIGSTOP);
		execvp(command[0], command);
		fprintf(stderr, "ptrace_floor: cannot run %s: %s\n", command[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, WSTOPPED) < 0 || !WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -ECHILD;
	}
	return pid;
}

static int seize_and_continue(pid_t pid, bool follow)
{
	long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC |
		       PTRACE_O_EXITKILL;

	if (follow)
		options |= PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
			   PTRACE_O_TRACEVFORK;
	if (ptrace(PTRACE_SEIZE, pid, 0L, options) < 0)
		return -errno;
	/* Clears the group's stopped state; see the comment at the top. */
	if (kill(pid, SIGCONT) < 0)
		return -errno;
	return 0;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/* A tracee may vanish (SIGKILL, exit_group of a sibling) at any time: ESRCH is fine. */
static void tracee_resume(pid_t pid, int sig)
{
	if (ptrace(PTRACE_SYSCALL, pid, 0L, (long)sig) < 0 && errno != ESRCH)
		fprintf(stderr, "ptrace_floor: PTRACE_SYSCALL %d: %s\n", pid,
			strerror(errno));
}

/* --read-mem / --handoff: read a little tracee memory at each stop. */
static char mem_buf[64];
static pid_t handoff_pid;
static unsigned long long handoff_addr;
static sem_t handoff_request, handoff_done;

/* --spin: tracer on the lowest allowed CPU, tracee on the rest. */
static int split_cpus(void)
{
	int err;

	if (sched_getaffinity(0, sizeof(tracee_cpus), &tracee_cpus) < 0)
		return -errno;
	if (CPU_COUNT(&tracee_cpus) < 2)
		return -EINVAL;
	err = pin_to_cpu(-1);
	if (err < 0)
		return err;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &tracee_cpus)) {
			CPU_CLR(cpu, &tracee_cpus);
			break;
		}
	tracee_cpus_set = true;
	return 0;
}

static void read_tracee(pid_t pid, unsigned long long addr)
{
	struct iovec local = { mem_buf, sizeof(mem_buf) };
	struct iovec remote = { (void *)(uintptr_t)addr, sizeof(mem_buf) };

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) < 0)
		mem_buf[0] = 0;
}

static void *handoff_main(void *arg)
{
	(void)arg;
	for (;;) {
		while (sem_wait(&handoff_request) < 0)
			;
		read_tracee(handoff_pid, handoff_addr);
		sem_post(&handoff_done);
	}
	return NULL;
}

static void start_handoff_thread(void)
{
	pthread_t thread;

	sem_init(&handoff_request, 0, 0);
	sem_init(&handoff_done, 0, 0);
	if (pthread_create(&thread, NULL, handoff_main, NULL) != 0) {
		fprintf(stderr, "ptrace_floor: cannot start the handoff thread\n");
		exit(1);
	}
}

static void read_at_stop(pid_t pid, unsigned long long addr, bool handoff)
{
	if (!handoff) {
		read_tracee(pid, addr);
		return;
	}
	handoff_pid = pid;
	handoff_addr = addr;
	sem_post(&handoff_request);
	while (sem_wait(&handoff_done) < 0)
		;
}

static void syscall_stop(pid_t pid, const struct floor_options *opts,
			 struct floor_stats *stats)
{
	struct __ptrace_syscall_info info;

	stats->syscall_stops++;
	if (opts->get_info) {
		if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info),
			   &info) < 0)
			info.op = PTRACE_SYSCALL_INFO_NONE;
		if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
			stats->info_entry++;
		else if (info.op == PTRACE_SYSCALL_INFO_EXIT)
			stats->info_exit++;
		else
			stats->info_other++;
		if (opts->read_mem && info.op != PTRACE_SYSCALL_INFO_NONE)
			read_at_stop(pid, info.stack_pointer, opts->handoff);
	}
	tracee_resume(pid, 0);
}

static void other_stop(pid_t pid, int status, struct floor_stats *stats)
{
	int sig = WSTOPSIG(status);
	int event = (unsigned)status >> 16;

	if (event == PTRACE_EVENT_STOP && is_stop_signal(sig)) {
		/* Group-stop: stay stopped, but keep reporting (SIGCONT). */
		stats->group_stops++;
		if (ptrace(PTRACE_LISTEN, pid, 0L, 0L) < 0 && errno != ESRCH)
			tracee_resume(pid, 0);
	} else if (event != 0) {
		/* New child, exec, clone/fork event, or a SEIZE re-trap. */
		stats->event_stops++;
		tracee_resume(pid, 0);
	} else {
		/* Signal-delivery-stop: hand the signal back to the tracee. */
		stats->signals++;
		tracee_resume(pid, sig);
	}
}

/* Waits for every tracee until none is left; returns the exit status of child. */
static int trace_loop(pid_t child, const struct floor_options *opts,
		      struct floor_stats *stats)
{
	int exit_code = 1;
	int status;

	for (;;) {
		pid_t pid;

		do
			pid = waitpid(-1, &status, __WALL | (opts->spin ? WNOHANG : 0));
		while (pid == 0);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing left to trace */
		}
		if (WIFSTOPPED(status)) {
			if (WSTOPSIG(status) == (SIGTRAP | 0x80))
				syscall_stop(pid, opts, stats);
			else
				other_stop(pid, status, stats);
			continue;
		}
		stats->exits++;
		if (pid == child && WIFEXITED(status))
			exit_code = WEXITSTATUS(status);
		else if (pid == child && WIFSIGNALED(status))
			exit_code = 128 + WTERMSIG(status);
	}
	return exit_code;
}

static void print_stats(const struct floor_stats *stats)
{
	fprintf(stderr,
		"ptrace_floor: syscall-stops=%llu info-entry=%llu info-exit=%llu"
		" info-other=%llu event-stops=%llu group-stops=%llu"
		" signals=%llu exits=%llu\n",
		stats->syscall_stops, stats->info_entry, stats->info_exit,
		stats->info_other, stats->event_stops, stats->group_stops,
		stats->signals, stats->exits);
}

int main(int argc, char **argv)
{
	struct floor_options opts;
	struct floor_stats stats = { 0 };
	pid_t child;
	int err, exit_code;

	parse_options(argc, argv, &opts);
	/* Before pinning: the reader thread keeps every CPU, like a decode worker. */
	if (opts.handoff)
		start_handoff_thread();
	if (opts.pin && (err = pin_to_cpu(opts.pin_cpu)) < 0) {
		fprintf(stderr, "ptrace_floor: cannot pin to a CPU: %s\n",
			strerror(-err));
		return 1;
	}
	if (opts.spin && (err = split_cpus()) < 0) {
		fprintf(stderr, "ptrace_floor: --spin needs two CPUs: %s\n",
			strerror(-err));
		return 1;
	}
	child = spawn_stopped(opts.command);
	if (child < 0) {
		fprintf(stderr, "ptrace_floor: cannot start %s: %s\n",
			opts.command[0], strerror(-child));
		return 1;
	}
	err = seize_and_continue(child, opts.follow);
	if (err < 0) {
		fprintf(stderr, "ptrace_floor: cannot trace %s: %s\n",
			opts.command[0], strerror(-err));
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 1;
	}
	exit_code = trace_loop(child, &opts, &stats);
	if (opts.count)
		print_stats(&stats);
	return exit_code;
}
