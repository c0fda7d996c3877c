/*
 * The README's library example: run `touch FILE` under hstrace and report
 * every file it opens for writing.
 *
 *   ./build/examples/open_for_write [FILE]
 */
#include <fcntl.h>
#include <stdio.h>

#include <hstrace/hstrace.h>

int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "/tmp/hstrace_example.txt";
	hstrace_t *t = hstrace_new();
	const hstrace_call_t *c;
	int err;

	if (!t)
		return 1;
	hstrace_program(t, "touch");
	hstrace_arg(t, file);
	if ((err = hstrace_start(t)) < 0) {
		fprintf(stderr, "cannot trace touch: %s\n", hstrace_strerror(err));
		hstrace_free(t);
		return 1;
	}
	while ((c = hstrace_next(t)) != NULL) {
		if (c->syscall == HSTRACE_SYS_openat && (c->inner.openat.flags & (O_WRONLY | O_RDWR)))
			printf("File %s opened in write-mode\n", c->inner.openat.pathname);
	}
	hstrace_free(t);
	return 0;
}
