/*
 * Decoding, family by family: each program of tests/fam/ makes real system
 * calls (succeeding and failing) and prints, on stdout, the exact line it
 * expects hstrace to render for each: strace's format, without pid column
 * (the trace is taken with --no-follow), addresses it cannot know written
 * as the program saw them.  The test runs the program under hstrace and
 * asserts every expected line appears in the trace, in order.
 *
 * Where strace is installed, a second test runs the same program under
 * `strace -o` and compares every line of the syscalls the program expects,
 * with addresses (0x and 6+ hex digits) masked: the two tracers must agree
 * line for line.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static void setup(void) { tu_suite_init("/tmp/hst_decode_XXXXXX"); }
static void teardown(void) { tu_suite_fini(); }

TestSuite(decode, .init = setup, .fini = teardown, .timeout = 60);

static const char *fam_bin(const char *family)
{
	const char *dir = getenv("HSTRACE_FAM_DIR");
	cr_assert(dir, "HSTRACE_FAM_DIR is not set (run through meson test)");
	return fmt("%s/fam_%s", dir, family);
}

/* Split text into lines (in place), kept. */
static char **lines_of(char *text, size_t *n)
{
	size_t cap = 2, k = 0;
	char *save;

	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	char **v = keep(malloc(cap * sizeof(*v)));
	for (char *s = strtok_r(text, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
		v[k++] = s;
	*n = k;
	return v;
}

/* The syscall name a line starts with ("<... name resumed>" too). */
static char *name_of(const char *line)
{
	size_t n;

	if (starts_with(line, "<... "))
		line += 5;
	n = strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_");
	return fmt("%.*s", (int)n, line);
}

static void expect_in_trace(const char *family)
{
	const char *out = tpath("trace");
	struct result r = run_capture(ARGV((char *)hstrace_bin(), "--no-follow", "-o", (char *)out,
					   "--", (char *)fam_bin(family)), NULL, -1);
	size_t ne, nt, j = 0;

	cr_assert_eq(r.status, 0, "fam_%s under hstrace: %s; stderr: %s", family,
		     describe_status(r.status), r.err);
	char **exp = lines_of(r.out, &ne);
	char **got = lines_of(slurp(out, NULL), &nt);
	cr_assert_gt(ne, 0, "fam_%s printed no expected line", family);
	for (size_t i = 0; i < ne; i++) {
		size_t k = j;
		while (k < nt && strcmp(got[k], exp[i]) != 0)
			k++;
		if (k == nt) {
			/* Show the trace's lines of the same call to explain. */
			char *same = fmt("%s", "");
			for (size_t m = 0; m < nt; m++)
				if (strcmp(name_of(got[m]), name_of(exp[i])) == 0)
					same = fmt("%s\n  %s", same, got[m]);
			cr_assert_fail("fam_%s: expected line %zu not in the trace (after line %zu):\n  %s\n"
				       "trace lines of %s:%s", family, i + 1, j, exp[i], name_of(exp[i]), same);
		}
		j = k + 1;
	}
}

static char *mask(const char *line)
{
	static regex_t re;
	static bool ready;
	char *s = fmt("%s", line), *res = fmt("%s", "");
	regmatch_t m;

	if (!ready) {
		cr_assert_eq(regcomp(&re, "0x[0-9a-f]{6,}", REG_EXTENDED), 0);
		ready = true;
	}
	while (regexec(&re, s, 1, &m, 0) == 0) {
		res = fmt("%s%.*sADDR", res, (int)m.rm_so, s);
		s += m.rm_eo;
	}
	return fmt("%s%s", res, s);
}

static void compare_with_strace(const char *family)
{
	const char *strace = access("/usr/bin/strace", X_OK) == 0 ? "/usr/bin/strace" : NULL;

	if (!strace) {
		fprintf(stderr, "strace is not installed: the comparison is skipped\n");
		return;
	}
	const char *h = tpath("h"), *s = tpath("s");
	struct result rh = run_capture(ARGV((char *)hstrace_bin(), "--no-follow", "-o", (char *)h, "--",
					    (char *)fam_bin(family)), NULL, -1);
	struct result rs = run_capture(ARGV((char *)strace, "-o", (char *)s, "--", (char *)fam_bin(family)),
				       NULL, -1);
	size_t ne, nh, ns;

	cr_assert_eq(rh.status, 0, "%s", rh.err);
	cr_assert_eq(rs.status, 0, "%s", rs.err);
	char **exp = lines_of(rh.out, &ne);
	char **hl = lines_of(slurp(h, NULL), &nh);
	char **sl = lines_of(slurp(s, NULL), &ns);
	/* Lines of the calls the program is about, in order, from both. */
	char *names = fmt("%s", " ");
	for (size_t i = 0; i < ne; i++)
		if (!strstr(names, fmt(" %s ", name_of(exp[i]))))
			names = fmt("%s%s ", names, name_of(exp[i]));
	size_t a = 0, b = 0, compared = 0;
	for (;;) {
		while (a < nh && !strstr(names, fmt(" %s ", name_of(hl[a]))))
			a++;
		while (b < ns && !strstr(names, fmt(" %s ", name_of(sl[b]))))
			b++;
		if (a == nh || b == ns)
			break;
		cr_expect_str_eq(mask(hl[a]), mask(sl[b]), "fam_%s: differs from strace:\n  hstrace: %s\n  strace:  %s",
				 family, hl[a], sl[b]);
		a++, b++, compared++;
	}
	cr_assert_gt(compared, 0);
	cr_expect_eq(a == nh, b == ns, "fam_%s: one tracer has more lines of%s", family, names);
}

#define FAMILY(f)                                                                     \
	Test(decode, f##_lines) { expect_in_trace(#f); }                              \
	Test(decode, f##_same_as_strace) { compare_with_strace(#f); }

FAMILY(fs)
FAMILY(net)
FAMILY(proc)
FAMILY(mem)
