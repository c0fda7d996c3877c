/*
 * open_close N: N openat("/dev/null") + close pairs, so 2N system calls.
 *
 * The point is path decoding: a tracer that prints or logs openat has to copy
 * the path string out of the tracee on every call.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <unistd.h>

#include "workload.h"

int main(int argc, char **argv)
{
	struct workload_args args;
	unsigned long count;

	workload_parse(argc, argv, "N", 1, 1, &args);
	count = workload_count(args.positional[0], "N");

	for (unsigned long i = 0; i < count; i++) {
		int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror("openat /dev/null");
			return 1;
		}
		close(fd);
	}

	workload_report(&args, 2ULL * count);
	return 0;
}
