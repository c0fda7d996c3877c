/*
 * forks P N: P short-lived child processes doing N getppid() calls between them.
 *
 * Child i does N/P calls, plus one if i < N % P, then _exit(0)s. The parent
 * forks all children first, then reaps them, so several are alive at once.
 * The forks and waits happen at N=0 too, so run.py's difference method gives
 * the per-syscall cost; its "fixed" column shows what following P processes
 * costs a tracer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

static void child_main(unsigned long count)
{
	for (unsigned long i = 0; i < count; i++)
		syscall(SYS_getppid);
	_exit(0);
}

/* Reaps every child; returns how many did not exit with status 0. */
static unsigned long reap_children(void)
{
	unsigned long failed = 0;
	int status;

	for (;;) {
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: all reaped */
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct workload_args args;
	unsigned long nprocs, count, failed;

	workload_parse(argc, argv, "P N", 2, 2, &args);
	nprocs = workload_count(args.positional[0], "P");
	count = workload_count(args.positional[1], "N");
	if (nprocs < 1) {
		fprintf(stderr, "P must be at least 1\n");
		return 2;
	}

	/* Nothing may sit in the stdio buffer while children are forked. */
	fflush(NULL);
	for (unsigned long i = 0; i < nprocs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			reap_children();
			return 1;
		}
		if (pid == 0)
			child_main(count / nprocs + (i < count % nprocs));
	}
	failed = reap_children();
	if (failed) {
		fprintf(stderr, "%lu of %lu children failed\n", failed, nprocs);
		return 1;
	}

	workload_report(&args, count);
	return 0;
}
