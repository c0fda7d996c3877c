/*
 * syscall_loop N: N getppid() system calls in one thread.
 *
 * getppid has no side effects, takes no arguments worth decoding and is not
 * served by the vDSO, so the time per call is almost all kernel entry/exit
 * plus whatever a tracer adds. It goes through syscall(2) so that no libc
 * caching can ever turn it into a no-op.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"

int main(int argc, char **argv)
{
	struct workload_args args;
	unsigned long count;

	workload_parse(argc, argv, "N", 1, 1, &args);
	count = workload_count(args.positional[0], "N");

	for (unsigned long i = 0; i < count; i++)
		syscall(SYS_getppid);

	workload_report(&args, count);
	return 0;
}
