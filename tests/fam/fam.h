/*
 * What the tests/fam/ programs share.  A program makes real system calls and
 * records, with expect(), the line strace would print for each (without pid
 * column).  The lines are kept in memory and written to stdout in one go at
 * the end, so the program's own output adds one write(1, ...) to the trace
 * and nothing between the calls under test.  See tests/test_decode.c.
 */
#ifndef HST_FAM_H
#define HST_FAM_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fam_buf[1 << 16];
static size_t fam_len;

/* One expected line; the = column is added: strace pads the call to 39. */
__attribute__((format(printf, 2, 3))) static void expect(const char *ret, const char *fmt, ...)
{
	char call[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(call, sizeof(call), fmt, ap);
	va_end(ap);
	n = snprintf(fam_buf + fam_len, sizeof(fam_buf) - fam_len, "%-39s = %s\n", call, ret);
	if (n < 0 || (size_t)n >= sizeof(fam_buf) - fam_len) {
		fprintf(stderr, "fam: too many expected lines\n");
		exit(2);
	}
	fam_len += (size_t)n;
}

/* The result column of a call: "0", "3" or "-1 ENOENT (No such file or directory)". */
__attribute__((unused)) static const char *res(long r)
{
	static char buf[8][128];
	static unsigned next;
	char *b = buf[next++ % 8];

	if (r == -1)
		snprintf(b, sizeof(buf[0]), "-1 %s (%s)", strerrorname_np(errno), strerror(errno));
	else
		snprintf(b, sizeof(buf[0]), "%ld", r);
	return b;
}

static int fam_done(void)
{
	size_t off = 0;

	while (off < fam_len) {
		ssize_t n = write(1, fam_buf + off, fam_len - off);
		if (n <= 0)
			return 1;
		off += (size_t)n;
	}
	return 0;
}

#endif
