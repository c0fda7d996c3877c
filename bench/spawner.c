/*
 * spawner SECONDS RATE CALLS: start RATE short-lived child processes per
 * second for SECONDS seconds; each child makes CALLS getppid() calls and
 * _exit(0)s.
 *
 * Children are started on a fixed schedule (child i at i / RATE seconds,
 * absolute CLOCK_MONOTONIC deadlines). When the process falls behind,
 * because a tracer slows it down, it starts the late children at once
 * instead of skipping them, so the total work is always SECONDS * RATE
 * children: a slow tracer shows up as a longer run, not as less work.
 * The parent reaps finished children between starts (WNOHANG) and all of
 * them at the end.
 *
 * With -v it prints one line:
 *   syscalls=N getppid=G children=C elapsed_ns=T
 * N counts the deliberate syscalls: G getppid + one exit_group per child in
 * the children; one clone (fork), every wait4 and every clock_nanosleep in
 * the parent. G = C * CALLS is what a tracer must show, no more and no less.
 * T is the time from the first start to the last reap, measured inside the
 * workload (clock_gettime goes through the vDSO, so it is not a traced call).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void child_main(unsigned long calls)
{
	for (unsigned long i = 0; i < calls; i++)
		syscall(SYS_getppid);
	_exit(0);
}

struct reaper {
	unsigned long alive;
	unsigned long failed;
	unsigned long long syscalls; /* wait4 calls made */
};

/* Reaps children; blocks until none is left unless nohang. */
static void reap(struct reaper *r, bool nohang)
{
	while (r->alive > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, nohang ? WNOHANG : 0);

		r->syscalls++;
		if (pid == 0)
			return; /* WNOHANG: nobody has exited yet */
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			perror("waitpid");
			r->failed += r->alive;
			r->alive = 0;
			return;
		}
		r->alive--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			r->failed++;
	}
}

int main(int argc, char **argv)
{
	struct workload_args args;
	struct reaper r = { 0, 0, 0 };
	unsigned long seconds, rate, calls, nchildren, started = 0;
	unsigned long long sleeps = 0;
	long long start, deadline;

	workload_parse(argc, argv, "SECONDS RATE CALLS", 3, 3, &args);
	seconds = workload_count(args.positional[0], "SECONDS");
	rate = workload_count(args.positional[1], "RATE");
	calls = workload_count(args.positional[2], "CALLS");
	if (rate < 1) {
		fprintf(stderr, "RATE must be at least 1\n");
		return 2;
	}
	nchildren = seconds * rate;

	/* Nothing may sit in the stdio buffer while children are forked. */
	fflush(NULL);
	start = now_ns();
	while (started < nchildren) {
		pid_t pid;

		deadline = start + (long long)(started * 1000000000ULL / rate);
		if (now_ns() < deadline) {
			struct timespec ts = {
				.tv_sec = deadline / 1000000000LL,
				.tv_nsec = deadline % 1000000000LL,
			};

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &ts, NULL) == EINTR)
				sleeps++;
			sleeps++;
		}
		pid = fork();
		if (pid < 0) {
			perror("fork");
			reap(&r, false);
			return 1;
		}
		if (pid == 0)
			child_main(calls);
		started++;
		r.alive++;
		reap(&r, true);
	}
	reap(&r, false);
	if (r.failed) {
		fprintf(stderr, "%lu of %lu children failed\n", r.failed,
			nchildren);
		return 1;
	}

	if (args.verbose) {
		unsigned long long getppids =
			(unsigned long long)nchildren * calls;

		printf("syscalls=%llu getppid=%llu children=%lu elapsed_ns=%lld\n",
		       getppids + nchildren /* exit_group */ +
			       nchildren /* clone */ + r.syscalls + sleeps,
		       getppids, nchildren, now_ns() - start);
		fflush(stdout);
	}
	return 0;
}
