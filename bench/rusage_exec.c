/*
 * rusage_exec REPORT -- CMD ARGS...: run CMD, then write its rusage to REPORT.
 *
 * run.py wants the peak RSS of a tracer. Linux's ru_maxrss for a process
 * includes the RSS its memory had just before execve, and a process that
 * Python spawns starts as a copy (or a vfork borrower) of the Python
 * interpreter, so wait4() from Python never reports less than Python's own
 * ~15 MB. This launcher is tiny: CMD forked from it starts from about 1 MB,
 * so wait4() here sees max(CMD's own peak, peaks of the children CMD reaped).
 *
 * It also times fork-to-reap with CLOCK_MONOTONIC, which leaves out Python's
 * spawn jitter. REPORT gets one line:
 *   wall_ns=... utime_us=... stime_us=... maxrss_kb=...
 * The exit status is CMD's: its exit code, or 128 + the signal that killed it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long timeval_us(struct timeval tv)
{
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

static int write_report(const char *path, long long wall_ns,
			const struct rusage *usage)
{
	FILE *report = fopen(path, "w");

	if (!report)
		return -errno;
	fprintf(report, "wall_ns=%lld utime_us=%lld stime_us=%lld maxrss_kb=%ld\n",
		wall_ns, timeval_us(usage->ru_utime),
		timeval_us(usage->ru_stime), usage->ru_maxrss);
	if (fclose(report) != 0)
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct rusage usage;
	long long start;
	int status, err, first = 2;
	pid_t pid;

	if (argc > 2 && strcmp(argv[2], "--") == 0)
		first = 3;
	if (argc <= first) {
		fprintf(stderr, "usage: %s REPORT [--] CMD ARGS...\n", argv[0]);
		return 2;
	}

	start = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("rusage_exec: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[first], argv + first);
		fprintf(stderr, "rusage_exec: cannot run %s: %s\n", argv[first],
			strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &usage) < 0) {
		if (errno != EINTR) {
			perror("rusage_exec: wait4");
			return 1;
		}
	}
	err = write_report(argv[1], now_ns() - start, &usage);
	if (err < 0) {
		fprintf(stderr, "rusage_exec: cannot write %s: %s\n", argv[1],
			strerror(-err));
		return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
