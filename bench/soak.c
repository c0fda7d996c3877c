/*
 * soak THREADS PROCS CALLS [TAG]: CALLS marked system calls from THREADS
 * threads and PROCS short-lived processes at once, for bench/soak.py.
 *
 * The work is split into THREADS + PROCS workers.  Worker w (threads are
 * 0..THREADS-1, processes THREADS..THREADS+PROCS-1) makes
 *     CALLS / (THREADS + PROCS) + (w < CALLS % (THREADS + PROCS))
 * calls of getpriority(SOAK_WHICH_BASE + w, seq) with seq = 0, 1, 2, ...
 * "which" is out of range, so the kernel fails each call at once with
 * EINVAL and nothing else happens; the tracer records both arguments, so
 * every call in a trace names its worker and its place in that worker's
 * sequence.  A checker can then tell a lost call from a duplicated one, and
 * both from a call that was never made.
 *
 * The threads all run from the start; the main thread meanwhile forks the
 * processes, at most SOAK_LIVE_PROCS alive at a time, each of which makes
 * its calls and _exits.  Every worker counts the calls it made (the calls
 * that returned, whatever they returned) into a shared mapping, which
 * survives the processes.
 *
 * TAG is ignored: soak.py passes a unique word so that it can find any
 * process of this run that is left over, by its command line.
 *
 * Output, on stdout, once everything ended:
 *     made W N      one line per worker: worker W made N calls
 *     total N       all the calls made
 * Exit status 0 when every call failed with EINVAL as expected and every
 * process exited 0; 1 otherwise (what went wrong goes to stderr).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SOAK_WHICH_BASE 1000
#define SOAK_MAX_THREADS 1024
#define SOAK_MAX_PROCS 100000
#define SOAK_LIVE_PROCS 8

/* One per worker, in a MAP_SHARED mapping so processes can fill theirs. */
struct worker_count {
	uint64_t made;
	uint64_t unexpected; /* calls that did not fail with EINVAL */
};

static struct worker_count *g_counts;
static unsigned long g_nworkers, g_calls;

static unsigned long worker_calls(unsigned long w)
{
	return g_calls / g_nworkers + (w < g_calls % g_nworkers);
}

static void work(unsigned long w)
{
	unsigned long n = worker_calls(w);
	uint64_t made = 0, unexpected = 0;

	for (unsigned long seq = 0; seq < n; seq++) {
		long rc = syscall(SYS_getpriority, (long)(SOAK_WHICH_BASE + w), (long)seq);
		made++;
		if (rc != -1 || errno != EINVAL)
			unexpected++;
	}
	/* Each slot has one writer; the reader looks only after the join or
	 * the reap, which orders the accesses. */
	g_counts[w].made = made;
	g_counts[w].unexpected = unexpected;
}

static void *thread_main(void *arg)
{
	work((unsigned long)(uintptr_t)arg);
	return NULL;
}

static unsigned long parse_count(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "soak: bad %s '%s' (at most %lu)\n", what, s, max);
		exit(2);
	}
	return v;
}

/* Reap one process; 0 if it exited 0. */
static int reap_one(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, 0)) < 0 && errno == EINTR)
		;
	if (pid < 0) {
		fprintf(stderr, "soak: waitpid: %s\n", strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "soak: process %d ended with status 0x%x\n", (int)pid, status);
		return -1;
	}
	return 0;
}

/* Fork the processes, SOAK_LIVE_PROCS at a time; the number that failed. */
static unsigned long run_processes(unsigned long first, unsigned long nprocs)
{
	unsigned long live = 0, failed = 0;

	for (unsigned long i = 0; i < nprocs; i++) {
		if (live == SOAK_LIVE_PROCS) {
			failed += reap_one() < 0;
			live--;
		}
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "soak: fork: %s\n", strerror(errno));
			failed += nprocs - i;
			break;
		}
		if (pid == 0) {
			work(first + i);
			_exit(0);
		}
		live++;
	}
	for (; live > 0; live--)
		failed += reap_one() < 0;
	return failed;
}

int main(int argc, char **argv)
{
	static pthread_t tids[SOAK_MAX_THREADS];
	unsigned long nthreads, nprocs, failed = 0;
	uint64_t total = 0, unexpected = 0;
	int err;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: soak THREADS PROCS CALLS [TAG]\n");
		return 2;
	}
	nthreads = parse_count(argv[1], "thread count", SOAK_MAX_THREADS);
	nprocs = parse_count(argv[2], "process count", SOAK_MAX_PROCS);
	g_calls = parse_count(argv[3], "call count", 1ul << 40);
	g_nworkers = nthreads + nprocs;
	if (g_nworkers == 0) {
		fprintf(stderr, "soak: no threads and no processes\n");
		return 2;
	}
	g_counts = mmap(NULL, g_nworkers * sizeof(*g_counts), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g_counts == MAP_FAILED) {
		fprintf(stderr, "soak: mmap: %s\n", strerror(errno));
		return 1;
	}
	for (unsigned long i = 0; i < nthreads; i++) {
		err = pthread_create(&tids[i], NULL, thread_main, (void *)(uintptr_t)i);
		if (err) {
			fprintf(stderr, "soak: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	failed = run_processes(nthreads, nprocs);
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);

	for (unsigned long w = 0; w < g_nworkers; w++) {
		printf("made %lu %llu\n", w, (unsigned long long)g_counts[w].made);
		total += g_counts[w].made;
		unexpected += g_counts[w].unexpected;
	}
	printf("total %llu\n", (unsigned long long)total);
	fflush(stdout);
	if (unexpected)
		fprintf(stderr, "soak: %llu calls did not fail with EINVAL\n", (unsigned long long)unexpected);
	return failed || unexpected ? 1 : 0;
}
