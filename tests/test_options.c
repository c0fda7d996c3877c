/*
 * strace's -x, -xx and -y through the hstrace command: real programs
 * (/bin/sh's printf, head of a file of the test's) traced, and the lines the
 * test expects looked for in the trace.  Where /usr/bin/strace exists, the
 * same lines of strace's own trace of the same command must be identical
 * (inode numbers masked): the options' point is to print
 * exactly what strace prints.  -y is also checked through a recorded log
 * (--out, then --read with and without -y).
 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define STRACE "/usr/bin/strace"

static char *env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", NULL };

static void setup(void)
{
	tu_suite_init("/tmp/hst_opt_XXXXXX");
}

TestSuite(options, .init = setup, .fini = tu_suite_fini, .timeout = 120);

/*
 * Run a tracer (hstrace or strace) with opts (up to 3, NULL-terminated)
 * on argv, the trace in tmpdir/name; returns the trace.
 */
static char *trace(const char *tracer, const char *name, char *const opts[], char *const cmd[])
{
	char *argv[16];
	char *out = tpath(name);
	size_t n = 0;

	argv[n++] = (char *)tracer;
	for (size_t i = 0; opts[i]; i++)
		argv[n++] = opts[i];
	argv[n++] = "-o";
	argv[n++] = out;
	for (size_t i = 0; cmd[i] && n < 15; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	struct result r = run_capture(argv, env, -1);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s: %s; stderr:\n%s", tracer,
		  describe_status(r.status), r.err);
	return slurp(out, NULL);
}

static char *lines_with(const char *trace, const char *key);

/* hstrace's trace, masked like every compared line (see mask_line). */
static char *hstrace(const char *name, char *const opts[], char *const cmd[])
{
	return lines_with(trace(hstrace_bin(), name, opts, cmd), "");
}

/* Drop a "PID " column and the padding before " = ", mask [inode] numbers. */
static char *mask_line(const char *line, size_t len)
{
	char *m = keep(calloc(1, len + 1));
	size_t i = 0, k = 0;

	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == len || line[i] != ' ')
		i = 0;
	else
		while (i < len && line[i] == ' ')
			i++;
	while (i < len) {
		size_t d = i + 1;
		while (line[i] == '[' && d < len && line[d] >= '0' && line[d] <= '9')
			d++;
		if (d - i > 4 && d < len && line[d] == ']') {
			/* an inode, "[12345]" */
			memcpy(m + k, "[N", 2);
			k += 2;
			i = d;
			continue;
		}
		m[k++] = line[i++];
	}
	/* Padding before " = " depends on the PID column: squeeze it. */
	char *eq = strstr(m, ") ");
	while (eq && strncmp(eq, ")  ", 3) == 0)
		memmove(eq + 1, eq + 2, strlen(eq + 2) + 1);
	return m;
}

/* The masked lines of trace that contain key, joined by newlines. */
static char *lines_with(const char *trace, const char *key)
{
	char *all = keep(calloc(1, strlen(trace) + 1));

	for (const char *p = trace; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = mask_line(p, len);
		if (strstr(line, key)) {
			strcat(all, line);
			strcat(all, "\n");
		}
		p += len + (nl ? 1 : 0);
	}
	return all;
}

static void expect_line(const char *trace, const char *line)
{
	cr_expect_not_null(strstr(trace, line), "missing line:\n%s\nin trace:\n%s", line, trace);
}

/* Where strace is installed, its lines with key equal ours. */
static void same_as_strace(const char *ours, char *const opts[], char *const cmd[], const char *key)
{
	if (access(STRACE, X_OK) != 0)
		return;
	char *theirs = trace(STRACE, "strace.txt", opts, cmd);
	char *a = lines_with(theirs, key), *b = lines_with(ours, key);
	cr_expect(*a, "strace printed no line with '%s'", key);
	cr_expect_str_eq(b, a, "lines with '%s' differ from strace's:\nhstrace:\n%s\nstrace:\n%s", key, b, a);
}

#define SH_PRINTF ARGV("/bin/sh", "-c", "printf '\\033[1mA\\n'; printf 'plain\\n'")

Test(options, x_prints_non_ascii_strings_in_hex)
{
	char *t = hstrace("x.txt", ARGV("-x"), SH_PRINTF);

	expect_line(t, "write(1, \"\\x1b\\x5b\\x31\\x6d\\x41\\x0a\", 6) = 6\n");
	expect_line(t, "write(1, \"plain\\n\", 6) = 6\n");
	same_as_strace(t, ARGV("-x"), SH_PRINTF, "write(1");
}

Test(options, xx_prints_every_string_in_hex)
{
	char *t = hstrace("xx.txt", ARGV("-xx"), SH_PRINTF);

	expect_line(t, "write(1, \"\\x70\\x6c\\x61\\x69\\x6e\\x0a\", 6) = 6\n");
	expect_line(t, "execve(\"\\x2f\\x62\\x69\\x6e\\x2f\\x73\\x68\", [");
	same_as_strace(t, ARGV("-xx"), SH_PRINTF, "write(1");
}

Test(options, default_stays_octal)
{
	char *t = hstrace("o.txt", ARGV("-q"), SH_PRINTF);

	expect_line(t, "write(1, \"\\33[1mA\\n\", 6) = 6\n");
}

/* A file whose name needs -y's escaping ('<' is "\74"), holding "hello\n". */
static char *input_file(void)
{
	char *path = tpath("in<put");
	write_file(path, "hello\n", 6);
	return path;
}

static char *cwd(void)
{
	char buf[4096];
	cr_assert_not_null(getcwd(buf, sizeof(buf)));
	return fmt("%s", buf);
}

/* head reads with read(2); cat copies to a file with copy_file_range. */
#define HEAD(f) ARGV("/usr/bin/head", "-c", "100", f)

Test(options, y_shows_what_descriptors_name)
{
	char *in = input_file();
	char *shown = fmt("%s/in\\74put", tmpdir);
	char *t = hstrace("y.txt", ARGV("-y"), HEAD(in));

	expect_line(t, fmt("openat(AT_FDCWD<%s>, \"%s\", O_RDONLY) = 3<%s>\n", cwd(), in, shown));
	expect_line(t, fmt("read(3<%s>, \"hello\\n\", 100) = 6\n", shown));
	expect_line(t, fmt("close(3<%s>) = 0\n", shown));
	same_as_strace(t, ARGV("-y"), HEAD(in), "in\\74put");
}

Test(options, y_and_x_together)
{
	char *in = input_file();
	char *t = hstrace("yx.txt", ARGV("-y", "-xx"), HEAD(in));

	/* "/dev/null" in hex, between the brackets too. */
	expect_line(t, "<\\x2f");
	same_as_strace(t, ARGV("-y", "-xx"), HEAD(in), "read(3");
}

Test(options, y_names_sockets_pipes_and_anon_inodes)
{
	if (access("/usr/bin/python3", X_OK) != 0)
		return;
	char *t = hstrace("ys.txt", ARGV("-y"),
			  ARGV("/usr/bin/python3", "-c",
			       "import socket,os; s=socket.socket(socket.AF_UNIX); os.eventfd(0); "
			       "r,w=os.pipe(); os.close(w)"));

	cr_expect(strstr(t, "<socket:[") != NULL, "no socket in:\n%s", t);
	cr_expect(strstr(t, "<anon_inode:[eventfd]>") != NULL, "no eventfd in:\n%s", t);
	cr_expect(strstr(t, "<pipe:[") != NULL, "no pipe in:\n%s", t);
}

Test(options, y_through_a_recorded_log)
{
	char *in = input_file();
	char *log = tpath("rec.hst");
	char *shown = fmt("read(3<%s/in\\74put>, \"hello\\n\", 100) = 6\n", tmpdir);
	char *with, *without;

	struct result r = run_capture(ARGV((char *)hstrace_bin(), "-y", "--out", log, "/usr/bin/head", "-c", "100", in), env, -1);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	with = hstrace("read_y.txt", ARGV("-y"), ARGV("--read", log));
	without = hstrace("read.txt", ARGV("-q"), ARGV("--read", log));
	expect_line(with, shown);
	expect_line(without, "read(3, \"hello\\n\", 100) = 6\n");
	cr_expect_null(strstr(without, "3<"), "paths without -y:\n%s", without);
}

/*
 * Placement (pinning the ptrace thread and a launched program to one CPU)
 * must not show: sched_getaffinity gives the program the CPUs it would
 * have untraced, and its threads and children run on all of them; a mask
 * the program sets itself is kept.  The helper's output traced (also with
 * a seccomp filter, and with --no-pin) equals its output untraced, with
 * `outer` around hstrace and `inner` between hstrace and the helper.
 */
static void same_cpus_as_untraced(char *const outer[], char *const inner[])
{
	char *const modes[][3] = { { "-q", NULL }, { "-q", "-e", "trace=openat" }, { "-q", "--no-pin", NULL } };
	char *argv[32];
	int n = 0;

	for (int i = 0; outer[i]; i++)
		argv[n++] = outer[i];
	for (int i = 0; inner[i]; i++)
		argv[n++] = inner[i];
	argv[n++] = HELPER;
	argv[n++] = "cpus";
	argv[n] = NULL;
	struct result plain = run_capture(argv, env, -1);
	cr_assert(WIFEXITED(plain.status) && WEXITSTATUS(plain.status) == 0, "%s", plain.err);
	for (int m = 0; m < 3; m++) {
		n = 0;
		for (int i = 0; outer[i]; i++)
			argv[n++] = outer[i];
		argv[n++] = (char *)hstrace_bin();
		for (int i = 0; i < 3 && modes[m][i]; i++)
			argv[n++] = modes[m][i];
		argv[n++] = "-o";
		argv[n++] = tpath(fmt("cpus%d.txt", m));
		argv[n++] = "--";
		for (int i = 0; inner[i]; i++)
			argv[n++] = inner[i];
		argv[n++] = HELPER;
		argv[n++] = "cpus";
		argv[n] = NULL;
		struct result r = run_capture(argv, env, -1);
		cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
		cr_expect_str_eq(r.out, plain.out, "traced (%s):\n%s\nuntraced:\n%s", modes[m][1] ? modes[m][1] : "",
				 r.out, plain.out);
	}
}

#define NOTHING ((char *[]){ NULL })

Test(options, placement_does_not_show)
{
	same_cpus_as_untraced(NOTHING, NOTHING);
}

Test(options, placement_keeps_the_programs_own_mask)
{
	cpu_set_t set;

	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	if (CPU_COUNT(&set) < 2 || !CPU_ISSET(0, &set) || !CPU_ISSET(1, &set) || access("/usr/bin/taskset", X_OK)) {
		fprintf(stderr, "placement_keeps_the_programs_own_mask: needs CPUs 0 and 1 and taskset: skipped\n");
		return;
	}
	/* hstrace itself restricted, and the program restricting itself */
	same_cpus_as_untraced(ARGV("/usr/bin/taskset", "-c", "1"), NOTHING);
	same_cpus_as_untraced(NOTHING, ARGV("/usr/bin/taskset", "-c", "1"));
	same_cpus_as_untraced(NOTHING, ARGV("/usr/bin/taskset", "-c", "0"));
}
