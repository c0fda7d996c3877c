/*
 * write_loop N [SIZE]: N write() calls of SIZE bytes (default 64) to /dev/null.
 *
 * Exercises buffer capture: a tracer that shows written data has to copy up
 * to its string limit out of the tracee on every call. The open of /dev/null
 * happens at every N, including N=0, so it is not counted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <unistd.h>

#include "workload.h"

#define WRITE_LOOP_MAX_SIZE 65536

int main(int argc, char **argv)
{
	static char buf[WRITE_LOOP_MAX_SIZE];
	struct workload_args args;
	unsigned long count, size = 64;
	int fd;

	workload_parse(argc, argv, "N [SIZE]", 1, 2, &args);
	count = workload_count(args.positional[0], "N");
	if (args.npositional > 1)
		size = workload_count(args.positional[1], "SIZE");
	if (size > WRITE_LOOP_MAX_SIZE) {
		fprintf(stderr, "SIZE %lu too large: at most %d\n", size,
			WRITE_LOOP_MAX_SIZE);
		return 2;
	}
	/* Printable bytes, so a tracer's quoting takes its common path. */
	memset(buf, 'x', size);

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("open /dev/null");
		return 1;
	}
	for (unsigned long i = 0; i < count; i++) {
		if (write(fd, buf, size) != (ssize_t)size) {
			perror("write /dev/null");
			return 1;
		}
	}
	close(fd);

	workload_report(&args, count);
	return 0;
}
