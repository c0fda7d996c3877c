/*
 * End-to-end tests of the hstrace command.
 *
 * Each test runs build/hstrace (HSTRACE_BIN) on tests/helper.c (HSTRACE_HELPER),
 * whose modes make known system calls, reads what hstrace wrote and compares
 * it with lines written down here, strace's format to the byte: pids and
 * tids come from the helper's own stdout ("pid P", "tids A B C"), file
 * descriptors are known because every program starts with fds 0-2 only.
 * Only the decoded syscalls (execve, openat, read, write, close, exit_group),
 * signals and exits are compared; the text of the others is raw for now.
 *
 * Where strace is installed, the same helper runs under both tracers and the
 * decoded lines must be identical once pids and addresses are normalised.
 *
 * No test asserts on time.  Tests that wait for a live process (attach) poll
 * with a generous bound that only turns a hang into a failure.
 *
 * Every test gets a fresh directory under /tmp, removed by the suite's fini;
 * memory the tests allocate is kept in a pool freed there too, so the suite
 * stays clean under LeakSanitizer.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define RET_COLUMN 39 /* strace pads the line to here, then " = " */

/* ------------------------------------------------------------------------
 * A directory per test, and memory kept until its end (tests/testutil.c)
 */

static void suite_init(void)
{
	tu_suite_init("/tmp/hst_e2e_XXXXXX");
}

TestSuite(e2e, .init = suite_init, .fini = tu_suite_fini, .timeout = 120);

/* ------------------------------------------------------------------------
 * Running programs
 */

/*
 * The environment every traced program gets: a few fixed variables plus the
 * sanitizer settings meson passes, so that "N vars" of execve is known.
 */
static char *env_vars[16];
static size_t env_count;

static char **child_env(void)
{
	static const char *const forward[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
					       "MSAN_OPTIONS", "LD_LIBRARY_PATH" };
	if (env_count)
		return env_vars;
	env_vars[env_count++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	env_vars[env_count++] = "LC_ALL=C";
	env_vars[env_count++] = "HSTRACE_E2E=1";
	for (size_t i = 0; i < sizeof(forward) / sizeof(forward[0]); i++) {
		const char *v = getenv(forward[i]);
		if (v)
			env_vars[env_count++] = fmt("%s=%s", forward[i], v);
	}
	env_vars[env_count] = NULL;
	return env_vars;
}

/*
 * Start argv[0] with stdin from /dev/null, stdout and stderr on the given
 * fds (-1: /dev/null) and nothing else open, in the test's environment.  It
 * is killed if the test process dies first.
 */
static pid_t spawn(char *const argv[], int out_fd, int err_fd)
{
	return spawn_child(argv, child_env(), out_fd, err_fd, -1);
}

/* Run argv to completion, stdout and stderr caught in files. */
static struct result run_argv(char *const argv[])
{
	return run_capture(argv, child_env(), -1);
}

#define HSTRACE(...) run_argv(ARGV((char *)hstrace_bin(), __VA_ARGS__))

static void assert_exited(struct result r, int code)
{
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == code,
		  "expected exit status %d, got: %s; stderr:\n%s", code, describe_status(r.status), r.err);
}

/* The helper's first stdout line is "pid P". */
static pid_t helper_pid(const char *out)
{
	int pid = 0;
	cr_assert_eq(sscanf(out, "pid %d", &pid), 1, "helper said '%s'", out);
	return pid;
}

/* Its "child C status S" line, after the pid line (fork and vfork modes). */
static pid_t helper_child(const char *out, int *status)
{
	pid_t child = 0;
	cr_assert_eq(sscanf(strchr(out, '\n') + 1, "child %d status %d", &child, status), 2, "%s", out);
	return child;
}

/* Its "tids A B C" line. */
static size_t helper_tids(const char *out, pid_t *tids, size_t max)
{
	const char *p = strstr(out, "tids");
	size_t n = 0;
	int used;

	cr_assert_not_null(p, "no tids line in '%s'", out);
	p += 4;
	while (n < max && sscanf(p, " %d%n", &tids[n], &used) == 1) {
		n++;
		p += used;
	}
	return n;
}

/* ------------------------------------------------------------------------
 * Reading traces
 */

enum prefix_mode {
	PFX_NONE,    /* -o FILE --no-follow: no prefix at all */
	PFX_COLUMN,  /* -o FILE following: "%-5d " on every line */
	PFX_BRACKET, /* stderr: "[pid %5d] " while several tracees live */
};

struct line {
	pid_t tid;     /* from the prefix, or the main pid where there is none */
	int plen;      /* prefix length */
	bool merged;   /* joined from <unfinished ...> and <... resumed> */
	char *full;    /* the whole line, prefix included, no newline */
	char *text;    /* after the prefix */
};

struct trace {
	struct line *v;
	size_t n, cap;
};

static void push_line(struct trace *t, struct line l)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		cr_assert_not_null(t->v);
	}
	t->v[t->n++] = l;
}

static void trace_done(struct trace *t)
{
	keep(t->v ? (void *)t->v : malloc(1));
}

/*
 * Split text into lines and check every prefix is exactly what the mode
 * says.  main_pid is the tid of unprefixed lines.  The text must end with a
 * newline: hstrace never leaves a line half written.
 */
static struct trace parse_trace(const char *data, enum prefix_mode mode, pid_t main_pid)
{
	struct trace t = { 0 };
	char *copy = keep(strdup(data));
	char *save, *s;

	cr_assert(*data == 0 || ends_with(data, "\n"), "trace does not end with a newline:\n%s", data);
	for (s = strtok_r(copy, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		struct line l = { .tid = main_pid, .full = s, .text = s };
		char want[32];
		int tid;

		if (mode == PFX_COLUMN) {
			cr_assert(sscanf(s, "%d", &tid) == 1, "line without a pid column: '%s'", s);
			snprintf(want, sizeof(want), "%-5d ", tid);
			cr_assert(starts_with(s, want), "pid column is not '%%-5d ': '%s'", s);
			l.tid = tid;
			l.plen = (int)strlen(want);
		} else if (mode == PFX_BRACKET && starts_with(s, "[pid ")) {
			cr_assert(sscanf(s, "[pid %d]", &tid) == 1, "bad [pid] prefix: '%s'", s);
			snprintf(want, sizeof(want), "[pid %5d] ", tid);
			cr_assert(starts_with(s, want), "prefix is not '[pid %%5d] ': '%s'", s);
			l.tid = tid;
			l.plen = (int)strlen(want);
		} else {
			cr_assert(!isdigit((unsigned char)*s) && !starts_with(s, "[pid"),
				  "unexpected pid prefix: '%s'", s);
		}
		l.text = s + l.plen;
		push_line(&t, l);
	}
	trace_done(&t);
	return t;
}

static struct trace read_trace(const char *path, enum prefix_mode mode, pid_t main_pid)
{
	return parse_trace(slurp(path, NULL), mode, main_pid);
}

/* Syscall name of a line ("" for signals, exits and resumed lines). */
static char *line_name(const char *text)
{
	size_t n = strcspn(text, "( ");
	if (text[n] != '(')
		return "";
	return fmt("%.*s", (int)n, text);
}

static char *resumed_name(const char *text)
{
	const char *end;
	if (!starts_with(text, "<... ") || !(end = strstr(text, " resumed>")))
		return NULL;
	return fmt("%.*s", (int)(end - text - 5), text + 5);
}

/*
 * strace's padding: the call, prefix included, is padded with spaces to
 * column 39, then " = " and the return value.
 */
static char *padded(const char *prefix, const char *call, const char *ret)
{
	int width;

	if (!prefix || !call || !ret)
		abort(); /* tells the compiler too, under UBSan */
	width = RET_COLUMN - (int)strlen(prefix);
	return fmt("%s%-*s = %s", prefix, width > 0 ? width : 0, call, ret);
}

/* Re-pad a line whose call was put together from two lines. */
static char *repad(const char *full)
{
	const char *eq = NULL, *p = full;
	size_t left;

	while ((p = strstr(p, " = ")))
		eq = p++;
	if (!eq)
		return fmt("%s", full);
	left = (size_t)(eq - full);
	while (left && full[left - 1] == ' ')
		left--;
	return fmt("%-*.*s%s", RET_COLUMN, (int)left, full, eq);
}

static const char *prefix_of(const struct line *l)
{
	return fmt("%.*s", l->plen, l->full);
}

/*
 * Join each "<unfinished ...>" line with the "<... NAME resumed>" line of the
 * same thread, at the place of the first, re-padded: the line strace would
 * have printed without the interruption.  exit and exit_group are left
 * alone: strace finishes their line at entry ("= ?") and never splits it.
 */
static struct trace merge_trace(struct trace tin)
{
	const struct trace *in = &tin;
	struct trace t = { 0 };
	struct { pid_t tid; size_t at; char *entry; } pend[256];
	size_t npend = 0;

	for (size_t i = 0; i < in->n; i++) {
		struct line l = in->v[i];
		char *rname = resumed_name(l.text);
		size_t k;

		if (rname) {
			for (k = 0; k < npend && pend[k].tid != l.tid; k++)
				;
			if (k < npend && !strcmp(line_name(pend[k].entry), rname) &&
			    strcmp(rname, "exit") && strcmp(rname, "exit_group")) {
				struct line *e = &t.v[pend[k].at];
				const char *rest = strstr(l.text, " resumed>") + 9;
				e->full = repad(fmt("%s%s%s", prefix_of(e), pend[k].entry, rest));
				e->text = e->full + e->plen;
				e->merged = true;
				pend[k] = pend[--npend];
				continue;
			}
		} else if (ends_with(l.text, " <unfinished ...>") && npend < 256) {
			pend[npend].tid = l.tid;
			pend[npend].at = t.n;
			pend[npend].entry = fmt("%.*s", (int)(strlen(l.text) - 17), l.text);
			npend++;
		}
		push_line(&t, l);
	}
	trace_done(&t);
	return t;
}

static bool is_decoded(const char *text)
{
	static const char *const names[] = { "execve", "openat", "read", "write", "close", "exit_group" };
	const char *name = line_name(text);

	if (starts_with(text, "+++ ") || starts_with(text, "--- "))
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static char *dump(const struct trace *t)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < t->n; i++)
		len += strlen(t->v[i].full) + 1;
	p = s = keep(malloc(len));
	for (size_t i = 0; i < t->n; i++)
		p += sprintf(p, "%s\n", t->v[i].full);
	*p = 0;
	return s;
}

/* Index of the first line from `from` on that is exactly `full`, or -1. */
static long find_full(const struct trace *t, size_t from, const char *full)
{
	for (size_t i = from; i < t->n; i++)
		if (!strcmp(t->v[i].full, full))
			return (long)i;
	return -1;
}

static void assert_has(const struct trace *t, const char *full)
{
	cr_assert_geq(find_full(t, 0, full), 0, "missing line:\n%s\nin:\n%s", full, dump(t));
}

/* A signal line whose CPU times are not known in advance. */
static void assert_has_prefix(const struct trace *t, const char *prefix)
{
	for (size_t i = 0; i < t->n; i++)
		if (starts_with(t->v[i].full, prefix) && ends_with(t->v[i].full, "} ---"))
			return;
	cr_assert_fail("no line starting with:\n%s\nin:\n%s", prefix, dump(t));
}

static size_t count_tid(const struct trace *t, pid_t tid)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		n += t->v[i].tid == tid;
	return n;
}

/* The decoded lines of one thread, in order. */
static struct trace decoded_of(const struct trace *t, pid_t tid)
{
	struct trace d = { 0 };
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].tid == tid && is_decoded(t->v[i].text))
			push_line(&d, t->v[i]);
	trace_done(&d);
	return d;
}

/* The last lines of t are exactly want[0..n-1]. */
static void assert_tail(const struct trace *t, const char *const *want, size_t n)
{
	cr_assert_geq(t->n, n, "trace too short:\n%s", dump(t));
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(t->v[t->n - n + i].full, want[i], "line %zu of the tail; trace:\n%s", i,
				 dump(t));
}

/*
 * Every syscall line has " = " at column 39 when the call is shorter, and
 * right after the ")" when it is longer.
 */
static void assert_padding(const struct trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *full = t->v[i].full, *eq = NULL, *p = full;
		size_t left;

		if (starts_with(t->v[i].text, "+++ ") || starts_with(t->v[i].text, "--- ") ||
		    ends_with(full, " <unfinished ...>"))
			continue;
		while ((p = strstr(p, " = ")))
			eq = p++;
		cr_assert_not_null(eq, "no ' = ' in '%s'", full);
		left = (size_t)(eq - full);
		while (left && full[left - 1] == ' ')
			left--;
		if (left < RET_COLUMN)
			cr_assert_eq(eq - full, RET_COLUMN, "' = ' not at column %d: '%s'", RET_COLUMN, full);
		else
			cr_assert_eq((size_t)(eq - full), left, "padding after a long call: '%s'", full);
	}
}

/* strace's quoting of a plain path (no bytes that need escapes) cut at -s. */
static char *quoted(const char *s, size_t limit)
{
	for (const char *p = s; *p; p++)
		cr_assert(*p >= ' ' && *p < 0x7f && *p != '"' && *p != '\\',
			  "test paths must be plain ASCII: %s", s);
	if (strlen(s) > limit)
		return fmt("\"%.*s\"...", (int)limit, s);
	return fmt("\"%s\"", s);
}

/* execve("PATH", [ARGV], 0x... / * N vars * /) = 0, the address unknown. */
static void assert_execve(const char *text, const char *path, const char *const *argv, size_t limit)
{
	char *want = fmt("execve(%s, [", quoted(path, SIZE_MAX));
	char *tail = fmt(" /* %zu vars */) = 0", env_count);
	const char *p;

	for (size_t i = 0; argv[i]; i++)
		want = fmt("%s%s%s", want, i ? ", " : "", quoted(argv[i], limit));
	want = fmt("%s], 0x", want);
	cr_assert(starts_with(text, want), "execve line:\n%s\nexpected to start with:\n%s", text, want);
	p = text + strlen(want);
	cr_assert(isxdigit((unsigned char)*p), "no envp address: %s", text);
	while (isxdigit((unsigned char)*p))
		p++;
	cr_assert_str_eq(p, tail, "execve line: %s", text);
}

/* ------------------------------------------------------------------------
 * The files mode: every decoded syscall, exact
 */

/* The helper's files mode after its "pid" line, as strace prints it. */
static const char *const files_tail[] = {
	"write(3, \"hi\\tthere\\n\\\"q\\\" \\\\ \\33[31mred\\33[0m\\177\\0012\", 30) = 30",
	"write(3, \"0123456789abcdefghijklmnopqrstuv\"..., 40) = 40",
	"write(3, \"\\0x\\351\", 3)                  = 3",
	"close(3)                                = 0",
	NULL, /* openat O_RDONLY, path dependent */
	"read(3, \"hi\\tthere\\n\\\"q\\\" \\\\ \\33[31mred\\33[0m\\177\\001201\"..., 128) = 73",
	"read(3, \"\", 128)                        = 0",
	"close(3)                                = 0",
	"close(99)                               = -1 EBADF (Bad file descriptor)",
	"exit_group(7)                           = ?",
	"+++ exited with 7 +++",
};

Test(e2e, files_no_follow_exact_lines)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("--no-follow", "-o", out, HELPER, "files", tmpdir);
	struct trace t;
	char *path = fmt("%s/a", tmpdir);
	const char *want[16];
	size_t n = 0;

	assert_exited(r, 7);
	cr_assert_str_empty(r.err, "hstrace wrote to stderr with -o: %s", r.err);
	t = read_trace(out, PFX_NONE, 0);
	assert_execve(t.v[0].text, helper_bin(), (const char *[]){ helper_bin(), "files", tmpdir, NULL }, 32);

	want[n++] = padded("", fmt("write(1, \"pid %d\\n\", %zu)", helper_pid(r.out), strlen(r.out)),
			   fmt("%zu", strlen(r.out)));
	want[n++] = padded("", fmt("openat(AT_FDCWD, %s, O_WRONLY|O_CREAT|O_TRUNC, 0644)", quoted(path, SIZE_MAX)), "3");
	for (size_t i = 0; i < sizeof(files_tail) / sizeof(files_tail[0]); i++)
		want[n++] = files_tail[i] ? files_tail[i]
					  : padded("", fmt("openat(AT_FDCWD, %s, O_RDONLY)", quoted(path, SIZE_MAX)), "3");
	assert_tail(&t, want, n);
	assert_padding(&t);
}

Test(e2e, files_pid_column)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("-o", out, HELPER, "files", tmpdir);
	struct trace t;
	pid_t pid;
	char *pfx, *path = fmt("%s/a", tmpdir);
	const char *want[16];
	size_t n = 0;

	assert_exited(r, 7);
	pid = helper_pid(r.out);
	pfx = fmt("%-5d ", pid);
	t = read_trace(out, PFX_COLUMN, 0);
	cr_assert_eq(count_tid(&t, pid), t.n, "lines of another pid than %d:\n%s", pid, dump(&t));
	assert_execve(t.v[0].text, helper_bin(), (const char *[]){ helper_bin(), "files", tmpdir, NULL }, 32);

	want[n++] = padded(pfx, fmt("write(1, \"pid %d\\n\", %zu)", pid, strlen(r.out)), fmt("%zu", strlen(r.out)));
	want[n++] = padded(pfx, fmt("openat(AT_FDCWD, %s, O_WRONLY|O_CREAT|O_TRUNC, 0644)", quoted(path, SIZE_MAX)), "3");
	for (size_t i = 0; i < sizeof(files_tail) / sizeof(files_tail[0]); i++) {
		const char *line = files_tail[i];
		if (!line)
			want[n++] = padded(pfx, fmt("openat(AT_FDCWD, %s, O_RDONLY)", quoted(path, SIZE_MAX)), "3");
		else if (starts_with(line, "+++"))
			want[n++] = fmt("%s%s", pfx, line);
		else /* same call and value, padded for the prefix */
			want[n++] = repad(fmt("%s%s", pfx, line));
	}
	assert_tail(&t, want, n);
	assert_padding(&t);
}

/* -s N cuts strings, buffers and execve's arguments, and the argument list. */
Test(e2e, string_limit)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("--no-follow", "-s", "5", "-o", out, HELPER, "files", tmpdir);
	struct trace t;

	assert_exited(r, 7);
	t = read_trace(out, PFX_NONE, 0);
	assert_execve(t.v[0].text, helper_bin(), (const char *[]){ helper_bin(), "files", tmpdir, NULL }, 5);
	assert_has(&t, "write(3, \"hi\\tth\"..., 30)               = 30");
	assert_has(&t, "write(3, \"01234\"..., 40)                = 40");
	assert_has(&t, "write(3, \"\\0x\\351\", 3)                  = 3");
	assert_has(&t, "read(3, \"hi\\tth\"..., 128)               = 73");

	out = tpath("trace0.txt");
	r = HSTRACE("--no-follow", "-s", "0", "-o", out, HELPER, "files", tmpdir);
	assert_exited(r, 7);
	t = read_trace(out, PFX_NONE, 0);
	cr_assert(starts_with(t.v[0].text, fmt("execve(%s, [...], 0x", quoted(helper_bin(), SIZE_MAX))),
		  "%s", t.v[0].text);
	assert_has(&t, padded("", "write(3, \"\"..., 30)", "30"));
	assert_has(&t, padded("", "read(3, \"\"..., 128)", "73"));
	assert_has(&t, padded("", "read(3, \"\", 128)", "0"));
}

/*
 * With colour on, the bytes are the same once the SGR sequences are taken
 * out, and the tracee's own escape byte stays escaped.
 */
static char *strip_sgr(const char *s)
{
	char *o = keep(malloc(strlen(s) + 1)), *p = o;

	while (*s) {
		if (s[0] == '\033') {
			cr_assert_eq(s[1], '[', "ESC not starting an SGR sequence: %.20s", s);
			s += 2;
			while (isdigit((unsigned char)*s) || *s == ';')
				s++;
			cr_assert_eq(*s, 'm', "not an SGR sequence: %.20s", s);
			s++;
			continue;
		}
		*p++ = *s++;
	}
	*p = 0;
	return o;
}

Test(e2e, color_only_adds_sgr)
{
	char *log = tpath("t.bin"), *plain = tpath("plain.txt"), *color = tpath("color.txt");
	struct result r = HSTRACE("--out", log, HELPER, "files", tmpdir);

	assert_exited(r, 7);
	assert_exited(HSTRACE("--read", log, "-o", plain), 0);
	assert_exited(HSTRACE("--color=always", "--read", log, "-o", color), 0);
	char *p = slurp(plain, NULL), *c = slurp(color, NULL);
	cr_assert(strchr(c, '\033'), "--color=always wrote no colour");
	cr_assert_str_eq(strip_sgr(c), p);
	cr_assert_null(strchr(p, '\033'), "colour in -o FILE without --color");
	assert_exited(HSTRACE("--color=never", "--read", log, "-o", color), 0);
	cr_assert_str_eq(slurp(color, NULL), p);
}

/* ------------------------------------------------------------------------
 * Exit status
 */

Test(e2e, exit_status_propagates)
{
	assert_exited(HSTRACE("-o", tpath("t.txt"), HELPER, "files", tmpdir), 7);
	assert_exited(HSTRACE("-o", tpath("t.txt"), HELPER, "fork"), 0);
	assert_exited(HSTRACE("-o", tpath("t.txt"), "/bin/false"), 1);
}

static void check_killed(int sig)
{
	char *out = tpath(fmt("killed%d.txt", sig));
	struct result r = HSTRACE("-o", out, HELPER, "kill-self", fmt("%d", sig));
	pid_t pid = helper_pid(r.out);
	struct trace t;

	cr_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == sig,
		  "hstrace should die of signal %d like its tracee, but %s; stderr:\n%s", sig,
		  describe_status(r.status), r.err);
	cr_assert(!WCOREDUMP(r.status), "hstrace dumped core");
	t = read_trace(out, PFX_COLUMN, 0);
	cr_assert_str_eq(t.v[t.n - 1].full, fmt("%-5d +++ killed by SIG%s +++", pid, sigabbrev_np(sig)),
			 "%s", dump(&t));
	if (sig != SIGKILL)
		cr_assert_str_eq(t.v[t.n - 2].full,
				 fmt("%-5d --- SIG%s {si_signo=SIG%s, si_code=SI_USER, si_pid=%d, si_uid=%u} ---",
				     pid, sigabbrev_np(sig), sigabbrev_np(sig), pid, getuid()),
				 "%s", dump(&t));
}

Test(e2e, killed_by_sigkill)
{
	check_killed(SIGKILL);
}

Test(e2e, killed_by_sigterm)
{
	check_killed(SIGTERM);
}

/* ------------------------------------------------------------------------
 * Signals
 */

Test(e2e, signal_lines)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("--no-follow", "-o", out, HELPER, "signal");
	pid_t pid = helper_pid(r.out);
	struct trace t, d;
	const char *handler = "write(-1, \"handler\", 7)                 = -1 EBADF (Bad file descriptor)";
	const char *want[] = {
		fmt("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=%d, si_uid=%u} ---", pid, getuid()),
		handler,
		fmt("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=%d, si_uid=%u} ---", pid, getuid()),
		handler,
		"exit_group(0)                           = ?",
		"+++ exited with 0 +++",
	};

	assert_exited(r, 0);
	t = read_trace(out, PFX_NONE, pid);
	d = decoded_of(&t, pid);
	assert_tail(&d, want, sizeof(want) / sizeof(want[0]));
}

/* ------------------------------------------------------------------------
 * Following forks, vforks and threads
 */

static const char ebadf[] = "-1 EBADF (Bad file descriptor)";

/*
 * hstrace -o FILE on helper MODE [ARG] (fork or vfork; arg NULL: none),
 * which must exit 0: the trace file, the helper's pid and its child's pid
 * and exit status.
 */
static char *run_forking(char *mode, char *arg, pid_t *pid, pid_t *child, int *st)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("-o", out, HELPER, mode, arg);

	assert_exited(r, 0);
	*pid = helper_pid(r.out);
	*child = helper_child(r.out, st);
	return out;
}

/* The merged -o trace of a parent and its child, with no line of another pid. */
static struct trace read_parent_child(const char *out, pid_t pid, pid_t child)
{
	struct trace t = merge_trace(read_trace(out, PFX_COLUMN, 0));

	cr_assert_eq(count_tid(&t, pid) + count_tid(&t, child), t.n, "lines of unknown pids:\n%s", dump(&t));
	return t;
}

Test(e2e, fork_followed)
{
	pid_t pid, child;
	int st;
	char *out = run_forking("fork", NULL, &pid, &child, &st);
	struct trace t, d;

	cr_assert_eq(st, 3);
	t = read_parent_child(out, pid, child);

	d = decoded_of(&t, child);
	const char *want_child[] = {
		padded(fmt("%-5d ", child), "write(-1, \"child\", 5)", ebadf),
		padded(fmt("%-5d ", child), "exit_group(3)", "?"),
		fmt("%-5d +++ exited with 3 +++", child),
	};
	cr_assert_eq(d.n, 3, "child's decoded lines:\n%s", dump(&d));
	assert_tail(&d, want_child, 3);

	char *p = fmt("%-5d ", pid);
	const char *report = fmt("child %d status 3\n", child);
	const char *want_parent[] = {
		padded(p, "write(-1, \"parent\", 6)", ebadf),
		padded(p, fmt("write(1, \"child %d status 3\\n\", %zu)", child, strlen(report)),
		       fmt("%zu", strlen(report))),
		padded(p, "exit_group(0)", "?"),
		fmt("%s+++ exited with 0 +++", p),
	};
	d = decoded_of(&t, pid);
	assert_tail(&d, want_parent, 4);
	assert_has_prefix(&t, fmt("%s--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=%d, si_uid=%u, "
				  "si_status=3, si_utime=", p, child, getuid()));
}

/*
 * strace follows a non-zero si_utime or si_stime with the time in seconds:
 * "si_utime=19 /\* 0.19 s *\/".
 */
static char *clock_t_text(long v)
{
	long hz = sysconf(_SC_CLK_TCK);
	if (!v)
		return "0";
	cr_assert_eq(hz, 100, "the expected comment assumes 100 ticks a second");
	return fmt("%ld /* %ld.%02ld s */", v, v / 100, v % 100);
}

Test(e2e, sigchld_cpu_times)
{
	pid_t pid, child;
	int st;
	char *out = run_forking("fork", "busy", &pid, &child, &st);
	long ut, stime;
	struct trace t;
	char *prefix;

	t = read_trace(out, PFX_COLUMN, 0);
	prefix = fmt("%-5d --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=%d, si_uid=%u, si_status=3, "
		     "si_utime=", pid, child, getuid());
	for (size_t i = 0; i < t.n; i++) {
		if (!starts_with(t.v[i].full, prefix))
			continue;
		const char *v = t.v[i].full + strlen(prefix);
		cr_assert_eq(sscanf(v, "%ld", &ut), 1);
		cr_assert_gt(ut, 0, "the child burnt 50 ms of CPU: %s", t.v[i].full);
		const char *s = strstr(v, "si_stime=");
		cr_assert_not_null(s);
		stime = atol(s + 9);
		cr_assert_str_eq(t.v[i].full, fmt("%s%s, si_stime=%s} ---", prefix, clock_t_text(ut), clock_t_text(stime)));
		return;
	}
	cr_assert_fail("no SIGCHLD line:\n%s", dump(&t));
}

Test(e2e, vfork_followed)
{
	pid_t pid, child;
	int st;
	char *out = run_forking("vfork", NULL, &pid, &child, &st);
	struct trace t, d;

	t = read_parent_child(out, pid, child);
	d = decoded_of(&t, child);
	cr_assert_geq(d.n, 3, "%s", dump(&t));
	assert_execve(d.v[0].text, "/bin/true", (const char *[]){ "true", NULL }, 32);
	const char *want_child[] = {
		padded(fmt("%-5d ", child), "exit_group(0)", "?"),
		fmt("%-5d +++ exited with 0 +++", child),
	};
	assert_tail(&d, want_child, 2);
	d = decoded_of(&t, pid);
	const char *want_parent[] = {
		padded(fmt("%-5d ", pid), "write(-1, \"parent\", 6)", ebadf),
	};
	cr_assert_geq(find_full(&d, 0, want_parent[0]), 0, "%s", dump(&t));
	cr_assert_str_eq(d.v[d.n - 1].full, fmt("%-5d +++ exited with 0 +++", pid));
}

Test(e2e, threads_followed)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("-o", out, HELPER, "threads", "4");
	pid_t pid, tids[8];
	struct trace t;

	assert_exited(r, 0);
	pid = helper_pid(r.out);
	cr_assert_eq(helper_tids(r.out, tids, 8), 4);
	t = merge_trace(read_trace(out, PFX_COLUMN, 0));
	size_t lines = count_tid(&t, pid);
	for (int k = 0; k < 4; k++) {
		char *p = fmt("%-5d ", tids[k]);
		cr_assert_neq(tids[k], pid);
		assert_has(&t, padded(p, fmt("write(-1, \"thread-%d\", 8)", k), ebadf));
		assert_has(&t, fmt("%s+++ exited with 0 +++", p));
		lines += count_tid(&t, tids[k]);
	}
	cr_assert_eq(lines, t.n, "lines of unknown tids:\n%s", dump(&t));
	cr_assert_str_eq(t.v[t.n - 1].full, fmt("%-5d +++ exited with 0 +++", pid));
}

/*
 * On stderr, "[pid %5d] " marks the lines while more than one tracee is
 * alive; before the fork and after the child is gone there is none.
 */
Test(e2e, stderr_pid_prefix)
{
	struct result r = HSTRACE("--color=never", HELPER, "fork");
	pid_t pid, child;
	int st;
	struct trace t;
	long at;

	assert_exited(r, 0);
	pid = helper_pid(r.out);
	child = helper_child(r.out, &st);
	t = merge_trace(parse_trace(r.err, PFX_BRACKET, pid));
	cr_assert(starts_with(t.v[0].full, "execve("), "%s", t.v[0].full);
	at = find_full(&t, 0, padded(fmt("[pid %5d] ", child), "write(-1, \"child\", 5)", ebadf));
	cr_assert_geq(at, 0, "%s", dump(&t));
	at = find_full(&t, (size_t)at, fmt("[pid %5d] +++ exited with 3 +++", child));
	cr_assert_geq(at, 0, "%s", dump(&t));
	cr_assert_geq(find_full(&t, (size_t)at, padded("", "write(-1, \"parent\", 6)", ebadf)), 0,
		      "after the child is gone the prefix goes:\n%s", dump(&t));
	cr_assert_str_eq(t.v[t.n - 1].full, "+++ exited with 0 +++");
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].tid == child)
			cr_assert_gt(t.v[i].plen, 0, "child line without prefix: %s", t.v[i].full);
}

Test(e2e, no_follow)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("--no-follow", "-o", out, HELPER, "fork");
	pid_t pid, child;
	int st;
	struct trace t;

	assert_exited(r, 0);
	pid = helper_pid(r.out);
	child = helper_child(r.out, &st);
	cr_assert_eq(st, 3, "the untraced child still runs");
	t = merge_trace(read_trace(out, PFX_NONE, pid));
	for (size_t i = 0; i < t.n; i++)
		cr_assert_null(strstr(t.v[i].text, "\"child\""), "child traced: %s", t.v[i].full);
	cr_assert_eq(find_full(&t, 0, "+++ exited with 3 +++"), -1, "%s", dump(&t));
	assert_has(&t, padded("", "write(-1, \"parent\", 6)", ebadf));
	assert_has_prefix(&t, fmt("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=%d, si_uid=%u, "
				  "si_status=3, si_utime=", child, getuid()));
	cr_assert_str_eq(t.v[t.n - 1].full, "+++ exited with 0 +++");

	/* threads too */
	r = HSTRACE("--no-follow", "-o", out, HELPER, "threads", "3");
	assert_exited(r, 0);
	t = read_trace(out, PFX_NONE, pid);
	for (size_t i = 0; i < t.n; i++)
		cr_assert_null(strstr(t.v[i].text, "thread-"), "thread traced: %s", t.v[i].full);
}

/* ------------------------------------------------------------------------
 * <unfinished ...> and <... resumed>
 */

/*
 * Every "<unfinished ...>" of a thread is followed, among that thread's
 * lines, by "<... NAME resumed>" of the same call or by its exit; no
 * "resumed" comes without an unfinished call, and a thread says nothing
 * else in between.
 */
static void assert_pairing(const struct trace *t)
{
	struct { pid_t tid; char *name; } open[256];
	size_t nopen = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct line *l = &t->v[i];
		char *rname = resumed_name(l->text);
		size_t k;

		for (k = 0; k < nopen && open[k].tid != l->tid; k++)
			;
		if (k < nopen) {
			if (rname) {
				cr_assert_str_eq(rname, open[k].name, "line %zu resumes the wrong call: %s\n%s", i,
						 l->full, dump(t));
			} else {
				cr_assert(starts_with(l->text, "+++ "),
					  "line %zu: tid %d has '%s' unfinished, then: %s\n%s", i, l->tid,
					  open[k].name, l->full, dump(t));
			}
			open[k] = open[--nopen];
		} else {
			cr_assert_null(rname, "line %zu: resumed without an unfinished call: %s\n%s", i,
				       l->full, dump(t));
		}
		if (ends_with(l->text, " <unfinished ...>")) {
			char *name = rname ? rname : line_name(l->text);
			cr_assert_lt(nopen, 256);
			open[nopen].tid = l->tid;
			open[nopen].name = name;
			nopen++;
		}
	}
	cr_assert_eq(nopen, 0, "%zu calls never resumed:\n%s", nopen, dump(t));
}

Test(e2e, unfinished_resumed)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("-o", out, HELPER, "unfinished", "3");
	pid_t pid, tids[8];
	struct trace t, m;

	assert_exited(r, 0);
	pid = helper_pid(r.out);
	cr_assert_eq(helper_tids(r.out, tids, 8), 3);
	t = read_trace(out, PFX_COLUMN, 0);
	for (int k = 0; k < 3; k++) {
		char *p = fmt("%-5d ", tids[k]);
		/* The readers were all blocked when the main thread wrote "main". */
		assert_has(&t, fmt("%sread(3,  <unfinished ...>", p));
		assert_has(&t, padded(p, "<... read resumed>\"x\", 1)", "1"));
	}
	assert_has(&t, padded(fmt("%-5d ", pid), "write(-1, \"main\", 4)", ebadf));
	m = merge_trace(t);
	for (int k = 0; k < 3; k++)
		assert_has(&m, padded(fmt("%-5d ", tids[k]), "read(3, \"x\", 1)", "1"));
	assert_pairing(&t);
}

Test(e2e, unfinished_then_exit_group)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("-o", out, HELPER, "unfinished", "3", "exit");
	pid_t pid;
	struct trace t;

	assert_exited(r, 5);
	pid = helper_pid(r.out);
	t = read_trace(out, PFX_COLUMN, 0);
	/* The readers die inside read(): strace's line for that. */
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].tid != pid && strstr(t.v[i].text, "<... read resumed>"))
			cr_assert_str_eq(t.v[i].text, "<... read resumed> <unfinished ...>) = ?", "%s", dump(&t));
	cr_assert_str_eq(t.v[t.n - 1].full, fmt("%-5d +++ exited with 5 +++", pid));
	assert_pairing(&t);
	/*
	 * strace prints exit_group's line whole at entry ("= ?"), even when
	 * other threads print before the process is gone: it never shows
	 * "exit_group(5 <unfinished ...>" or "<... exit_group resumed>".
	 */
	assert_has(&t, padded(fmt("%-5d ", pid), "exit_group(5)", "?"));
}

Test(e2e, threads_pairing)
{
	char *out = tpath("trace.txt");
	struct result r = HSTRACE("-o", out, HELPER, "threads", "8");

	assert_exited(r, 0);
	struct trace t = read_trace(out, PFX_COLUMN, 0);
	assert_pairing(&t);
}

/* ------------------------------------------------------------------------
 * The binary log
 */

static void round_trip(char *const helper_argv[], int code)
{
	char *live = tpath("live.txt"), *log = tpath("t.bin"), *back = tpath("read.txt");
	char *argv[16] = { (char *)hstrace_bin(), "-o", live, "--out", log };
	size_t n = 5;
	struct result r;

	for (size_t i = 0; helper_argv[i]; i++)
		argv[n++] = helper_argv[i];
	argv[n] = NULL;
	r = run_argv(argv);
	if (code >= 0)
		assert_exited(r, code);
	r = HSTRACE("--read", log, "-o", back);
	assert_exited(r, 0);
	cr_assert_str_empty(r.err, "%s", r.err);
	size_t l1, l2;
	char *a = slurp(live, &l1), *b = slurp(back, &l2);
	cr_assert(l1 > 0);
	cr_assert(l1 == l2 && !memcmp(a, b, l1), "--read differs from the live trace:\n--- live\n%s\n--- read\n%s",
		  a, b);
}

Test(e2e, log_round_trip_files)
{
	round_trip(ARGV(HELPER, "files", tmpdir), 7);
}

Test(e2e, log_round_trip_fork)
{
	round_trip(ARGV(HELPER, "fork"), 0);
}

Test(e2e, log_round_trip_threads)
{
	round_trip(ARGV(HELPER, "unfinished", "4"), 0);
}

Test(e2e, log_round_trip_signals)
{
	round_trip(ARGV(HELPER, "signal"), 0);
}

Test(e2e, log_round_trip_killed)
{
	round_trip(ARGV(HELPER, "kill-self", "15"), -1);
}

/*
 * --out alone writes no trace text (one summary line, none with -q);
 * --read without -o renders on stderr.
 */
Test(e2e, log_only_then_read_to_stderr)
{
	char *log = tpath("t.bin"), *text = tpath("read.txt");
	struct result r = HSTRACE("--out", log, HELPER, "files", tmpdir);
	struct trace col, plain;

	assert_exited(r, 7);
	cr_assert(starts_with(r.err, "hstrace: ") && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		  "--out alone wrote more than a summary line:\n%s", r.err);
	r = HSTRACE("-q", "--out", log, HELPER, "files", tmpdir);
	assert_exited(r, 7);
	cr_assert_str_empty(r.err, "--out -q wrote to stderr: %s", r.err);
	struct stat st;
	cr_assert_eq(stat(log, &st), 0);
	cr_assert_gt(st.st_size, 0);

	assert_exited(HSTRACE("--read", log, "-o", text), 0);
	r = HSTRACE("--read", log);
	assert_exited(r, 0);
	col = read_trace(text, PFX_COLUMN, 0);
	plain = parse_trace(r.err, PFX_BRACKET, 0);
	cr_assert_eq(col.n, plain.n, "--read to stderr:\n%s\n-o:\n%s", r.err, dump(&col));
	/* One process: the same lines, padded for no prefix. */
	for (size_t i = 0; i < col.n; i++) {
		char *want = col.v[i].text;
		if (!starts_with(want, "+++") && !starts_with(want, "---") && !ends_with(want, "<unfinished ...>"))
			want = repad(want);
		cr_assert_str_eq(plain.v[i].full, want);
	}
}

/* ------------------------------------------------------------------------
 * Attaching and detaching
 */

struct target {
	pid_t pid;
	pid_t tids[8];
	size_t ntids;
	int out; /* read end of its stdout */
};

static size_t read_some(int fd, char *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	n = read(fd, buf, len);
	return n > 0 ? (size_t)n : 0;
}

/*
 * The "ready PID TID..." line of helper sleep, read from fd into line (of
 * size bytes, NUL-terminated); the bound only turns a hang into a failure.
 */
static void read_ready_line(int fd, char *line, size_t size)
{
	size_t len = 0;

	while (!memchr(line, '\n', len) && len < size - 1) {
		size_t n = read_some(fd, line + len, size - 1 - len, 60000);
		cr_assert_gt(n, 0, "the helper did not start");
		len += n;
	}
	line[len] = 0;
}

/* helper sleep N, started by the test; returns once all its threads run. */
static struct target start_target(int nthreads)
{
	struct target tg = { 0 };
	char line[512];
	int p[2];
	char *s;
	int used;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	tg.pid = spawn(ARGV(HELPER, "sleep", fmt("%d", nthreads)), p[1], -1);
	close(p[1]);
	tg.out = p[0];
	read_ready_line(tg.out, line, sizeof(line));
	int pid;
	cr_assert_eq(sscanf(line, "ready %d%n", &pid, &used), 1, "%s", line);
	cr_assert_eq(pid, tg.pid);
	tg.tids[tg.ntids++] = tg.pid;
	for (s = line + used; sscanf(s, " %d%n", &pid, &used) == 1 && tg.ntids < 8; s += used)
		tg.tids[tg.ntids++] = pid;
	cr_assert_eq(tg.ntids, (size_t)nthreads + 1, "%s", line);
	return tg;
}

/* Not stopped, not traced, and still ticking. */
static void assert_running_untraced(struct target *tg)
{
	char buf[4096];

	for (size_t i = 0; i < tg->ntids; i++) {
		char *status = slurp(fmt("/proc/%d/task/%d/status", tg->pid, tg->tids[i]), NULL);
		char *state = strstr(status, "\nState:\t"), *tracer = strstr(status, "\nTracerPid:\t");
		cr_assert(state && tracer, "%s", status);
		cr_assert(state[8] != 't' && state[8] != 'T' && state[8] != 'Z',
			  "thread %d of the target: %.30s", tg->tids[i], state + 1);
		cr_assert_eq(atoi(tracer + 12), 0, "thread %d still traced: %.30s", tg->tids[i], tracer + 1);
	}
	/* Drain what it wrote so far, then see a new tick come. */
	int fl = fcntl(tg->out, F_GETFL);
	fcntl(tg->out, F_SETFL, fl | O_NONBLOCK);
	while (read(tg->out, buf, sizeof(buf)) > 0)
		;
	fcntl(tg->out, F_SETFL, fl);
	cr_assert_gt(read_some(tg->out, buf, sizeof(buf), 60000), 0, "the target stopped ticking");
}

static void stop_target(struct target *tg)
{
	kill(tg->pid, SIGKILL);
	wait_status(tg->pid);
	close(tg->out);
}

/* Whether every tid has written its tick line to the trace yet. */
static bool ticks_seen(const char *path, const struct target *tg)
{
	size_t len;
	char *data = slurp(path, &len);

	for (size_t i = 0; i < tg->ntids; i++) {
		char *want = i ? fmt("\n%-5d write(-1, \"tick-%zu\", 6)", tg->tids[i], i - 1)
			       : fmt("\n%-5d write(1, \"tick\\n\", 5)", tg->tids[i]);
		if (!strstr(data, want))
			return false;
	}
	return true;
}

/* Where the target's threads are, for a failure message. */
static char *target_states(const struct target *tg)
{
	char *s = "";
	for (size_t i = 0; i < tg->ntids; i++) {
		char *st = slurp(fmt("/proc/%d/task/%d/status", tg->pid, tg->tids[i]), NULL);
		char *state = strstr(st, "\nState:\t"), *tracer = strstr(st, "\nTracerPid:\t");
		s = fmt("%s\n  tid %d: %.*s, TracerPid %d", s, tg->tids[i], state ? (int)strcspn(state + 8, "\n") : 0,
			state ? state + 8 : "", tracer ? atoi(tracer + 12) : -1);
	}
	return s;
}

/*
 * One attach: hstrace -p until every thread's tick is in the trace, then
 * the signal; hstrace must exit 0 and leave the target running, untraced.
 */
static void attach_once(struct target *tg, int sig, int cycle)
{
	char *out = tpath(fmt("trace%d.txt", cycle)), *err = tpath(fmt("stderr%d.txt", cycle));
	int efd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	pid_t hs = spawn(ARGV((char *)hstrace_bin(), "-o", out, "-p", fmt("%d", tg->pid)), -1, efd);
	int status, tries;

	close(efd);
	/* Wait for a tick line of every thread; the bound only stops a hang. */
	for (tries = 0; tries < 3000 && !(file_exists(out) && ticks_seen(out, tg)); tries++) {
		cr_assert_eq(waitpid(hs, &status, WNOHANG), 0, "hstrace ended early: %s\n%s",
			     describe_status(status), slurp(err, NULL));
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
	cr_assert_lt(tries, 3000, "no tick from every thread in the trace:\n%s", slurp(out, NULL));
	kill(hs, sig);
	status = wait_within(hs, 15);
	if (status == -1) {
		char *states = target_states(tg);
		kill(hs, SIGKILL);
		wait_status(hs);
		cr_assert_fail("attach %d: hstrace -p still running 15 s after SIG%s; the target's threads:%s", cycle,
			       sigabbrev_np(sig), states);
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "hstrace -p after SIG%s: %s\n%s", sigabbrev_np(sig),
		  describe_status(status), slurp(err, NULL));
	assert_running_untraced(tg);

	struct trace t = merge_trace(read_trace(out, PFX_COLUMN, 0));
	size_t lines = 0;
	for (size_t i = 0; i < tg->ntids; i++) {
		char *p = fmt("%-5d ", tg->tids[i]);
		lines += count_tid(&t, tg->tids[i]);
		if (i)
			assert_has(&t, padded(p, fmt("write(-1, \"tick-%zu\", 6)", i - 1), ebadf));
		else
			assert_has(&t, padded(p, "write(1, \"tick\\n\", 5)", "5"));
	}
	cr_assert_eq(lines, t.n, "lines of unknown tids:\n%s", dump(&t));
}

/* Several attaches to the same process: each must leave it as it was. */
static void attach_detach(int sig)
{
	skip_if_attach_restricted();
	struct target tg = start_target(2);

	for (int cycle = 0; cycle < 5; cycle++)
		attach_once(&tg, sig, cycle);
	stop_target(&tg);
}

Test(e2e, attach_then_sigint_detaches)
{
	attach_detach(SIGINT);
}

Test(e2e, attach_then_sigterm_detaches)
{
	attach_detach(SIGTERM);
}

/* hstrace_stop() on a launched program detaches it too and leaves it running. */
Test(e2e, launched_program_detached_on_sigint)
{
	int p[2], status;
	char line[256] = "";
	struct target tg = { 0 };

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t hs = spawn(ARGV((char *)hstrace_bin(), "-o", tpath("trace.txt"), HELPER, "sleep", "1"), p[1], -1);
	close(p[1]);
	read_ready_line(p[0], line, sizeof(line));
	cr_assert_eq(sscanf(line, "ready %d %d", &tg.tids[0], &tg.tids[1]), 2, "%s", line);
	tg.pid = tg.tids[0];
	tg.ntids = 2;
	tg.out = p[0];
	kill(hs, SIGINT);
	status = wait_within(hs, 15);
	if (status == -1) {
		char *states = target_states(&tg);
		kill(hs, SIGKILL);
		wait_status(hs);
		kill(tg.pid, SIGKILL);
		cr_assert_fail("hstrace still running 15 s after SIGINT; its tracee's threads:%s", states);
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGINT, "%s", describe_status(status));
	assert_running_untraced(&tg);
	kill(tg.pid, SIGKILL); /* not our child: hstrace's, now reaped by init */
	close(p[0]);
}

/* ------------------------------------------------------------------------
 * Against strace itself
 */

#define STRACE "/usr/bin/strace"

/*
 * A trace reduced to what both tracers must agree on: per thread, its
 * decoded lines (unfinished calls joined), with every pid or tid of the run
 * written <pid>, every address 0x?, and the CPU times of SIGCHLD N.  Threads
 * are sorted by their text, since which one starts first is a race.
 */
static bool is_pid(const char *s, size_t n, const struct trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		char buf[16];
		int len = snprintf(buf, sizeof(buf), "%d", t->v[i].tid);
		if ((size_t)len == n && !memcmp(buf, s, n))
			return true;
	}
	return false;
}

/*
 * Pids are replaced where they can appear in a decoded line: inside quoted
 * strings ("pid 123\n", "/proc/self/task/123/stat") and after si_pid=.
 * Other numbers (sizes, fds) are kept even when equal to a pid.
 */
static bool keep_time_comments;

/*
 * A pid written into a string changes the string's length with the number
 * of its digits (pid 9999, then 10000): after such a string the numbers of
 * the line (write's count, its return value) become <len>.
 */
static void mask_lengths(char *line)
{
	char *o = strrchr(line, '"'), *q;

	if (!o)
		return;
	q = fmt("%s", ++o); /* the tail grows: rewrite it from a copy */
	while (*q) {
		bool word_start = !(isalnum((unsigned char)o[-1]) || o[-1] == '_');
		if (isdigit((unsigned char)*q) && word_start) {
			o += sprintf(o, "<len>");
			q += strspn(q, "0123456789");
		} else {
			*o++ = *q++;
		}
	}
	*o = 0;
}

static char *normalize(const char *s, const struct trace *t)
{
	char *o = keep(malloc(strlen(s) * 5 + 16)), *p = o;
	const char *start = s;
	bool in_str = false, pid_in_str = false;

	while (*s) {
		bool word_start = s == start || !(isalnum((unsigned char)s[-1]) || s[-1] == '_');
		if (in_str && *s == '\\') {
			*p++ = *s++;
			if (*s)
				*p++ = *s++;
		} else if (*s == '"') {
			in_str = !in_str;
			*p++ = *s++;
		} else if (!in_str && s[0] == '0' && s[1] == 'x' && isxdigit((unsigned char)s[2])) {
			p += sprintf(p, "0x?");
			for (s += 2; isxdigit((unsigned char)*s); s++)
				;
		} else if (!in_str && (starts_with(s, "si_utime=") || starts_with(s, "si_stime="))) {
			/*
			 * The value varies from run to run, and with it whether
			 * strace adds its "/ * 0.01 s * /"; sigchld_cpu_times and
			 * strace_fork_busy_child (whose child always has user
			 * time) check that comment.
			 */
			bool utime = starts_with(s, "si_utime=");
			p += sprintf(p, "%.9sN", s);
			for (s += 9; isdigit((unsigned char)*s); s++)
				;
			if (starts_with(s, " /* ") && strstr(s, " */")) {
				if (keep_time_comments && utime)
					p += sprintf(p, " /* N s */");
				s = strstr(s, " */") + 3;
			}
		} else if (isdigit((unsigned char)*s) && word_start &&
			   (in_str || (s - start >= 7 && starts_with(s - 7, "si_pid=")))) {
			size_t n = strspn(s, "0123456789");
			if (is_pid(s, n, t)) {
				p += sprintf(p, "<pid>");
				pid_in_str |= in_str;
			} else
				p += sprintf(p, "%.*s", (int)n, s);
			s += n;
		} else {
			*p++ = *s++;
		}
	}
	*p = 0;
	/*
	 * The helper's stdout is its "pid P\n" line: with -s 0 the pid is not
	 * in the shown string, but its digits still set the length.
	 */
	if (pid_in_str || starts_with(start, "write(1, "))
		mask_lengths(o);
	/* Cut by -s, the pid is not whole ("pid 6"...), but still the pid. */
	const char *own = "write(1, \"pid ";
	if (starts_with(o, own) && isdigit((unsigned char)o[strlen(own)])) {
		char *digits = o + strlen(own);
		o = fmt("%.*s<pid>%s", (int)(digits - o), o, digits + strspn(digits, "0123456789"));
	}
	return o;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **reduce(const char *path, size_t *n)
{
	struct trace t = merge_trace(read_trace(path, PFX_COLUMN, 0));
	pid_t tids[256];
	size_t ntids = 0;
	char **seqs;

	for (size_t i = 0; i < t.n; i++) {
		size_t k;
		for (k = 0; k < ntids && tids[k] != t.v[i].tid; k++)
			;
		if (k == ntids && ntids < 256)
			tids[ntids++] = t.v[i].tid;
	}
	seqs = keep(calloc(ntids + 1, sizeof(*seqs)));
	for (size_t k = 0; k < ntids; k++) {
		char *s = "";
		for (size_t i = 0; i < t.n; i++)
			if (t.v[i].tid == tids[k] && is_decoded(t.v[i].text))
				s = fmt("%s%s\n", s, repad(normalize(t.v[i].text, &t)));
		seqs[k] = s;
	}
	qsort(seqs, ntids, sizeof(*seqs), cmp_str);
	*n = ntids;
	return seqs;
}

static void same_as_strace(const char *opt, char *const helper_argv[])
{
	char *a = tpath("strace.txt"), *b = tpath("hstrace.txt");
	char *sargv[16] = { STRACE, "-f", "-o", a }, *hargv[16] = { (char *)hstrace_bin(), "-o", b };
	size_t ns = 4, nh = 3, na, nb;
	struct result rs, rh;

	if (access(STRACE, X_OK) != 0)
		cr_skip_test("%s is not installed", STRACE);
	if (opt) {
		sargv[ns++] = hargv[nh++] = "-s";
		sargv[ns++] = hargv[nh++] = (char *)opt;
	}
	for (size_t i = 0; helper_argv[i]; i++)
		sargv[ns++] = hargv[nh++] = helper_argv[i];
	sargv[ns] = hargv[nh] = NULL;
	rs = run_argv(sargv);
	if (WIFEXITED(rs.status) && WEXITSTATUS(rs.status) == 1 && strstr(rs.err, "ptrace"))
		cr_skip_test("strace cannot trace here: %s", rs.err);
	rh = run_argv(hargv);
	cr_assert_eq(rh.status, rs.status, "strace %s, hstrace %s", describe_status(rs.status),
		     describe_status(rh.status));

	char **sa = reduce(a, &na), **sb = reduce(b, &nb);
	cr_assert_eq(na, nb, "strace traced %zu threads, hstrace %zu", na, nb);
	for (size_t i = 0; i < na; i++)
		cr_assert_str_eq(sb[i], sa[i], "a thread's decoded lines differ\n--- strace:\n%s\n--- hstrace:\n%s",
				 sa[i], sb[i]);
}

Test(e2e, strace_files)
{
	same_as_strace(NULL, ARGV(HELPER, "files", tmpdir));
}

Test(e2e, strace_files_s0)
{
	same_as_strace("0", ARGV(HELPER, "files", tmpdir));
}

Test(e2e, strace_files_s5)
{
	same_as_strace("5", ARGV(HELPER, "files", tmpdir));
}

Test(e2e, strace_files_s100)
{
	same_as_strace("100", ARGV(HELPER, "files", tmpdir));
}

Test(e2e, strace_signal)
{
	same_as_strace(NULL, ARGV(HELPER, "signal"));
}

Test(e2e, strace_fork)
{
	same_as_strace(NULL, ARGV(HELPER, "fork"));
}

Test(e2e, strace_fork_busy_child)
{
	keep_time_comments = true;
	same_as_strace(NULL, ARGV(HELPER, "fork", "busy"));
}

Test(e2e, strace_vfork)
{
	same_as_strace(NULL, ARGV(HELPER, "vfork"));
}

Test(e2e, strace_threads)
{
	same_as_strace(NULL, ARGV(HELPER, "threads", "3"));
}

Test(e2e, strace_unfinished)
{
	same_as_strace(NULL, ARGV(HELPER, "unfinished", "3"));
}

Test(e2e, strace_unfinished_exit)
{
	same_as_strace(NULL, ARGV(HELPER, "unfinished", "3", "exit"));
}

Test(e2e, strace_killed)
{
	same_as_strace(NULL, ARGV(HELPER, "kill-self", "15"));
}
