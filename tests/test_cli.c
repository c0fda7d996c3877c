/*
 * Bad input to the hstrace command: every case must end with exactly one
 * line on stderr that starts with "hstrace: ", nothing on stdout, and a
 * non-zero exit status, never a crash or a death by signal.  Where a command
 * was given, it must not have run.
 *
 * The command under test is HSTRACE_BIN, the traced program HSTRACE_HELPER
 * (tests/helper.c), both set by meson.  Files live in a fresh directory under
 * /tmp per test, removed by the suite's fini.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* ------------------------------------------------------------------------
 * Test scaffolding: a directory per test (tests/testutil.c)
 */

static void suite_init(void)
{
	tu_suite_init("/tmp/hst_cli_XXXXXX");
	/* Readable by the unprivileged user of the foreign-pid test. */
	chmod(tmpdir, 0755);
}

TestSuite(cli, .init = suite_init, .fini = tu_suite_fini, .timeout = 120);

/* ------------------------------------------------------------------------
 * Running hstrace
 */

/*
 * Run argv in this process's environment with stdin from /dev/null, stdout
 * and stderr to files, no other fd open.  drop_to_uid >= 0 runs it as that
 * user (and group).
 */
static struct result run_as(char *const argv[], long drop_to_uid)
{
	return run_capture(argv, NULL, drop_to_uid);
}

#define HSTRACE(...) run_as(ARGV((char *)hstrace_bin(), __VA_ARGS__), -1)

/*
 * The contract for bad input.  `about` must appear in the message, so it
 * names what was wrong (the file, the pid, the option).
 */
static void assert_one_error(struct result r, const char *about)
{
	size_t len = strlen(r.err);

	cr_assert(WIFEXITED(r.status), "hstrace crashed: %s; stderr:\n%s", describe_status(r.status), r.err);
	cr_assert_eq(len, r.err_len, "stderr holds a NUL byte at %zu: '%s'", len, r.err);
	cr_assert_neq(WEXITSTATUS(r.status), 0, "hstrace exited with 0; stderr:\n%s", r.err);
	cr_assert(starts_with(r.err, "hstrace: "), "stderr does not start with 'hstrace: ':\n%s", r.err);
	cr_assert(len > 0 && r.err[len - 1] == '\n' && strchr(r.err, '\n') == r.err + len - 1,
		  "stderr is not exactly one line:\n%s", r.err);
	cr_assert_str_empty(r.out, "stdout: %s", r.out);
	if (about)
		cr_assert_not_null(strstr(r.err, about), "the message does not name '%s': %s", about, r.err);
}

/* The helper's files mode creates DIR/a: its absence shows it never ran. */
static char *fresh_dir(const char *name)
{
	char *dir = tpath(name);
	cr_assert_eq(mkdir(dir, 0755), 0, "mkdir %s: %s", dir, strerror(errno));
	return dir;
}

static void assert_not_run(const char *dir)
{
	cr_assert_neq(access(fmt("%s/a", dir), F_OK), 0, "the command ran although hstrace failed");
}

/* ------------------------------------------------------------------------
 * The program
 */

Test(cli, unknown_program)
{
	assert_one_error(HSTRACE("no-such-program-hst-test"), "no-such-program-hst-test");
	assert_one_error(HSTRACE("/nonexistent/dir/prog"), "/nonexistent/dir/prog");
	assert_one_error(HSTRACE("-o", tpath("t.txt"), "./no-such-program-hst-test", "arg"),
			 "no-such-program-hst-test");
}

Test(cli, not_executable)
{
	char *script = tpath("script.sh");

	write_file(script, "#!/bin/sh\nexit 0\n", 17);
	chmod(script, 0644);
	assert_one_error(HSTRACE("/etc/passwd"), "/etc/passwd");
	assert_one_error(HSTRACE(script), script);
	assert_one_error(HSTRACE(tmpdir), tmpdir); /* a directory */
}

/* ------------------------------------------------------------------------
 * -p
 */

static pid_t reaped_pid(void)
{
	int status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return pid;
}

Test(cli, missing_pid)
{
	pid_t gone = reaped_pid();

	assert_one_error(HSTRACE("-p", fmt("%d", gone)), NULL);
	if (access("/proc/999999", F_OK) != 0)
		assert_one_error(HSTRACE("-p", "999999"), NULL);
	assert_one_error(HSTRACE("-p", "0"), NULL);
	assert_one_error(HSTRACE("-p", "2147483647"), NULL);
}

Test(cli, bad_pid_argument)
{
	assert_one_error(HSTRACE("-p", "abc"), "abc");
	assert_one_error(HSTRACE("-p", "-5"), "-5");
	assert_one_error(HSTRACE("-p", "12x"), "12x");
	assert_one_error(HSTRACE("-p", "99999999999999999999"), "99999999999999999999");
}

/*
 * A process of another user cannot be traced.  As root everything is
 * permitted, so the test drops to an unprivileged uid and aims at a root
 * process (this test's own); otherwise pid 1 belongs to someone else.
 */
Test(cli, foreign_pid_refused)
{
	struct result r;

	if (getuid() == 0) {
		r = run_as(ARGV((char *)hstrace_bin(), "-p", fmt("%d", getpid())), 65534);
		if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 126)
			cr_skip_test("cannot drop privileges here");
		if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 127)
			cr_skip_test("uid 65534 cannot run %s", hstrace_bin());
	} else {
		r = HSTRACE("-p", "1");
	}
	assert_one_error(r, NULL);
}

/* hstrace must refuse to trace itself; the shell execs it with its own pid. */
Test(cli, own_pid_refused)
{
	struct result r = run_as(ARGV("/bin/sh", "-c", "exec \"$0\" -p $$", (char *)hstrace_bin()), -1);
	assert_one_error(r, NULL);
}

/* ------------------------------------------------------------------------
 * Outputs
 */

Test(cli, unwritable_log)
{
	char *dir = fresh_dir("d");

	assert_one_error(HSTRACE("--out", "/proc/nonexistent/x", HELPER, "files", dir), "/proc/nonexistent/x");
	assert_one_error(HSTRACE("--out", tmpdir, HELPER, "files", dir), tmpdir);
	assert_not_run(dir);
}

Test(cli, unwritable_text_output)
{
	char *dir = fresh_dir("d");

	assert_one_error(HSTRACE("-o", "/proc/nonexistent/x", HELPER, "files", dir), "/proc/nonexistent/x");
	assert_one_error(HSTRACE("-o", tmpdir, HELPER, "files", dir), tmpdir);
	assert_not_run(dir);
}

/* ------------------------------------------------------------------------
 * --read
 */

Test(cli, read_not_a_log)
{
	char *empty = tpath("empty.bin"), *text = tpath("text.bin");

	write_file(empty, "", 0);
	write_file(text, "HSTRACE is not what this says\n", 30);
	assert_one_error(HSTRACE("--read", "/etc/passwd"), "/etc/passwd");
	assert_one_error(HSTRACE("--read", empty), empty);
	assert_one_error(HSTRACE("--read", text), text);
	assert_one_error(HSTRACE("--read", tpath("missing.bin")), "missing.bin");
	assert_one_error(HSTRACE("--read", tmpdir), tmpdir);
}

/* The lines of a (NUL-free) text, split at '\n'; the last one may lack it. */
static size_t split_lines(char *s, char **v, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		char *nl = strchr(s, '\n');
		v[n++] = s;
		if (!nl)
			break;
		*nl = 0;
		s = nl + 1;
	}
	return n;
}

/*
 * A log cut short: the complete blocks render, exactly as the same lines of
 * the whole log do, then one line says where reading stopped.  The text
 * stays whole lines, so that on a terminal the message is a line of its own.
 */
static void check_cut(const char *full_log, const char *full_text, size_t cut)
{
	char *cut_log = tpath(fmt("cut%zu.bin", cut)), *cut_text = tpath(fmt("cut%zu.txt", cut));
	size_t len, full_len;
	char *data = slurp(full_log, &len);
	char *whole = keep(strdup(full_text)), *part;
	static char *a[20000], *b[20000];
	size_t na, nb;
	struct result r;

	(void)full_len;
	write_file(cut_log, data, cut);
	r = HSTRACE("--read", cut_log, "-o", cut_text);
	assert_one_error(r, cut_log);
	part = slurp(cut_text, &len);
	cr_assert(len == 0 || part[len - 1] == '\n',
		  "cut at byte %zu: the text ends in the middle of a line: '%s'", cut,
		  strrchr(part, '\n') ? strrchr(part, '\n') + 1 : part);
	na = split_lines(whole, a, 20000);
	nb = split_lines(part, b, 20000);
	cr_assert_leq(nb, na, "cut at byte %zu: more lines than the whole log", cut);
	for (size_t i = 0; i + 1 < nb; i++)
		cr_assert_str_eq(b[i], a[i], "cut at byte %zu, line %zu", cut, i);

	/* Without -o the text and the message share stderr. */
	r = HSTRACE("--read", cut_log);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0, "%s", describe_status(r.status));
	nb = split_lines(r.err, b, 20000);
	cr_assert_gt(nb, 0);
	cr_assert(starts_with(b[nb - 1], "hstrace: "),
		  "cut at byte %zu: the message is not a line of its own: '%s'", cut, b[nb - 1]);
}

Test(cli, read_truncated_log)
{
	char *log = tpath("full.bin"), *text = tpath("full.txt");
	struct result r = HSTRACE("-q", "--out", log, HELPER, "count", "5000");
	struct stat st;

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s\n%s", describe_status(r.status), r.err);
	r = HSTRACE("--read", log, "-o", text);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s\n%s", describe_status(r.status), r.err);
	cr_assert_eq(stat(log, &st), 0);
	/* More than one block of records: there is something to render before the cut. */
	cr_assert_gt(st.st_size, 512 * 1024, "log of %ld bytes", (long)st.st_size);
	char *full_text = slurp(text, NULL);
	size_t size = (size_t)st.st_size;
	size_t cuts[] = { 10, 16, 100, size / 3, size / 2, size - 100, size - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		check_cut(log, full_text, cuts[i]);
}

/*
 * A flipped bit in the middle of a log: the block it is in fails its
 * checksum and is skipped, every other block is rendered, and hstrace says
 * so in one line and exits 1.
 */
Test(cli, read_log_with_a_flipped_bit)
{
	char *log = tpath("full.bin"), *text = tpath("full.txt");
	char *bad = tpath("flipped.bin"), *bad_text = tpath("flipped.txt");
	struct result r = HSTRACE("-q", "--out", log, HELPER, "count", "5000");
	static char *a[20000], *b[20000];
	size_t len, na, nb, common = 0;

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s\n%s", describe_status(r.status), r.err);
	r = HSTRACE("--read", log, "-o", text);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s\n%s", describe_status(r.status), r.err);
	cr_assert_str_empty(r.err);
	char *data = slurp(log, &len);
	data[len / 2] ^= 0x10;
	write_file(bad, data, len);
	r = HSTRACE("--read", bad, "-o", bad_text);
	assert_one_error(r, "1 damaged block skipped");
	na = split_lines(slurp(text, NULL), a, 20000);
	nb = split_lines(slurp(bad_text, NULL), b, 20000);
	cr_assert_lt(nb, na, "no line was lost with the damaged block");
	cr_assert_gt(nb, na / 2, "more than the damaged block was lost: %zu of %zu lines", nb, na);
	/*
	 * Up to the damaged block the text is the whole text's; the end (the
	 * last calls and the exit) is there too.  Lines at the edges of the
	 * gap may differ: a call whose entry was lost is shown resumed.
	 */
	while (common < nb && !strcmp(a[common], b[common]))
		common++;
	cr_assert_gt(common, 0, "the text before the damaged block differs");
	for (size_t i = 1; i <= 2; i++)
		cr_assert_str_eq(b[nb - i], a[na - i], "line %zu from the end", i);
}

/* ------------------------------------------------------------------------
 * Options
 */

Test(cli, unknown_option)
{
	assert_one_error(HSTRACE("--bogus", "/bin/true"), "--bogus");
	assert_one_error(HSTRACE("-J", "/bin/true"), "-J");
	assert_one_error(HSTRACE("--colour=sometimes", "/bin/true"), "sometimes");
}

Test(cli, bad_option_argument)
{
	assert_one_error(HSTRACE("-o"), "-o");
	assert_one_error(HSTRACE("-s", "abc", "/bin/true"), "abc");
	assert_one_error(HSTRACE("-s", "-1", "/bin/true"), "-1");
	assert_one_error(HSTRACE("--workers", "100", "/bin/true"), "100");
	assert_one_error(HSTRACE("--ring-size", "1", "/bin/true"), NULL);
	assert_one_error(HSTRACE("--ring-size", "12Q", "/bin/true"), "12Q");
	assert_one_error(HSTRACE("--color=maybe", "/bin/true"), "maybe");
	/* long options without their argument */
	assert_one_error(HSTRACE("--out"), "--out");
	assert_one_error(HSTRACE("--read"), "--read");
	assert_one_error(HSTRACE("--workers"), "--workers");
	assert_one_error(HSTRACE("--ring-size"), "--ring-size");
	assert_one_error(HSTRACE("--color"), "--color");
	/* filters: the option as given, the bad part named */
	assert_one_error(HSTRACE("-P", "", "/bin/true"), "-P ''");
	assert_one_error(HSTRACE("-e", "trace=read,,write", "/bin/true"), "empty name in 'read,,write'");
	assert_one_error(HSTRACE("-e", "trace=%nosuch", "/bin/true"), "'%nosuch'");
}

Test(cli, no_command)
{
	char *out = tpath("never.txt");

	assert_one_error(run_as(ARGV((char *)hstrace_bin()), -1), NULL);
	assert_one_error(HSTRACE("-o", out), NULL);
	cr_assert_neq(access(out, F_OK), 0, "-o file created without a command");
	assert_one_error(HSTRACE("-f", "-s", "64"), NULL);
	assert_one_error(HSTRACE("--"), NULL);
	/* more than one target */
	assert_one_error(HSTRACE("-p", "1", "/bin/true"), NULL);
	assert_one_error(HSTRACE("--read", "/etc/passwd", "/bin/true"), NULL);
}

/* The good cases of the same options, so the checks above are not vacuous. */
Test(cli, help_and_version)
{
	struct result r = HSTRACE("--help");

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", describe_status(r.status));
	cr_assert(starts_with(r.out, "usage: hstrace"), "%s", r.out);
	cr_assert_str_empty(r.err);
	r = HSTRACE("-V");
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	cr_assert(starts_with(r.out, "hstrace "), "%s", r.out);
	r = HSTRACE("-q", "-s", "64", "--workers", "2", "--ring-size", "1M", "--color=never", "-o",
		    tpath("ok.txt"), "/bin/true");
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s\n%s", describe_status(r.status), r.err);
	cr_assert_str_empty(r.err);
}
