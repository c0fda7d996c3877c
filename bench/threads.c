/*
 * threads T N: T threads doing N getppid() calls between them.
 *
 * Thread i does N/T calls, plus one if i < N % T, so the total is exactly N.
 * All threads are created first and released together through a barrier, so
 * the syscall phase really has T runnable tracees at once; that is what
 * stresses a tracer's wait loop. Thread creation, the barrier and the joins
 * happen at N=0 too, so run.py's difference method cancels them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"

#define THREADS_MAX 4096

struct thread_work {
	pthread_barrier_t *start;
	unsigned long count;
};

static void *thread_main(void *arg)
{
	struct thread_work *work = arg;

	pthread_barrier_wait(work->start);
	for (unsigned long i = 0; i < work->count; i++)
		syscall(SYS_getppid);
	return NULL;
}

int main(int argc, char **argv)
{
	static struct thread_work work[THREADS_MAX];
	static pthread_t tids[THREADS_MAX];
	pthread_barrier_t start;
	struct workload_args args;
	unsigned long nthreads, count;
	int err;

	workload_parse(argc, argv, "T N", 2, 2, &args);
	nthreads = workload_count(args.positional[0], "T");
	count = workload_count(args.positional[1], "N");
	if (nthreads < 1 || nthreads > THREADS_MAX) {
		fprintf(stderr, "T must be between 1 and %d\n", THREADS_MAX);
		return 2;
	}

	pthread_barrier_init(&start, NULL, (unsigned)nthreads + 1);
	for (unsigned long i = 0; i < nthreads; i++) {
		work[i].start = &start;
		work[i].count = count / nthreads + (i < count % nthreads);
		err = pthread_create(&tids[i], NULL, thread_main, &work[i]);
		if (err) {
			fprintf(stderr, "pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	pthread_barrier_wait(&start);
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&start);

	workload_report(&args, count);
	return 0;
}
