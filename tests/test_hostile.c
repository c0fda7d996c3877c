/*
 * Hostile bytes in every text output (issue 6).  tests/hostile_helper.c
 * puts terminal escape sequences (clear screen, window title), CR, BS,
 * BEL, DEL, a C1 control in UTF-8 (U+009B, CSI) and bytes that are not
 * UTF-8 into everything a tracee controls that hstrace prints: file names,
 * written and read buffers, argv, the program's name (a symlink it execs,
 * so the comm hstrace follows), prctl(PR_SET_NAME), an AF_UNIX socket's
 * path.  hstrace then renders the trace in every output mode, live and
 * from a recorded log, and each output must hold:
 *
 *   - no byte below 0x20 but '\n', and no DEL, once the colour sequences
 *     hstrace itself writes ("\x1b[" digits and ';' "m") are taken out; no
 *     other ESC;
 *   - only valid UTF-8, with no C1 control (U+0080-U+009F) in it;
 *   - for JSON and Perfetto, a document python3's json module parses, with
 *     the hostile strings intact in it.
 *
 * Each output must also show the hostile data it escaped (so a test that
 * saw nothing cannot pass).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static void setup(void) { tu_suite_init("/tmp/hst_hostile_XXXXXX"); }

TestSuite(hostile, .init = setup, .fini = tu_suite_fini, .timeout = 240);

static const char *hostile_bin(void)
{
	const char *p = getenv("HSTRACE_HOSTILE_HELPER");

	cr_assert(p && *p, "HSTRACE_HOSTILE_HELPER is not set (run the tests with meson test)");
	return p;
}

/* Length of a well-formed SGR sequence at p ("\x1b[1;31m"), or 0. */
static size_t sgr_len(const unsigned char *p, size_t n)
{
	size_t i = 2;

	if (n < 3 || p[0] != 0x1b || p[1] != '[')
		return 0;
	while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == ';'))
		i++;
	return i < n && p[i] == 'm' ? i + 1 : 0;
}

/* Length of the valid UTF-8 sequence at p, 0 if invalid or a C1 control. */
static size_t utf8_ok(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/* Fails the test at the first byte an output must not hold. */
static void assert_clean(const char *what, const char *text, size_t n, bool color)
{
	const unsigned char *p = (const unsigned char *)text;

	for (size_t i = 0; i < n;) {
		size_t sgr = color ? sgr_len(p + i, n - i) : 0;
		size_t u;
		if (sgr) {
			i += sgr;
			continue;
		}
		cr_assert(p[i] == '\n' || (p[i] >= 0x20 && p[i] != 0x7f),
			  "%s: byte %#x at offset %zu: ...%.*s...", what, p[i], i,
			  (int)(n - i < 40 ? n - i : 40), text + (i > 40 ? i - 40 : 0));
		u = utf8_ok(p + i, n - i);
		cr_assert(u, "%s: not UTF-8 (or a C1 control) at offset %zu", what, i);
		i += u;
	}
}

/* hstrace ARGS... -- hostile_helper start DIR, its output in a file. */
static char *run(const char *what, char **args, size_t nargs, bool color)
{
	char *out = tpath(fmt("out.%s", what));
	char *argv[32];
	size_t k = 0;
	struct result r;
	size_t len;

	argv[k++] = (char *)hstrace_bin();
	argv[k++] = "-q";
	argv[k++] = "-o";
	argv[k++] = out;
	for (size_t i = 0; i < nargs; i++)
		argv[k++] = args[i];
	argv[k++] = "--";
	argv[k++] = (char *)hostile_bin();
	argv[k++] = "start";
	argv[k++] = tmpdir;
	argv[k] = NULL;
	r = run_capture(argv, NULL, -1);
	cr_assert_eq(r.status, 0, "%s: %s; stderr: %s", what, describe_status(r.status), r.err);
	assert_clean(fmt("%s (stderr)", what), r.err, r.err_len, false);
	char *text = slurp(out, &len);
	assert_clean(what, text, len, color);
	return text;
}

/* The same output rendered from a log recorded with --out. */
static char *reread(const char *what, const char *log, char **args, size_t nargs, bool color)
{
	char *out = tpath(fmt("read.%s", what));
	char *argv[32];
	size_t k = 0;
	struct result r;
	size_t len;

	argv[k++] = (char *)hstrace_bin();
	argv[k++] = "--read";
	argv[k++] = (char *)log;
	argv[k++] = "-o";
	argv[k++] = out;
	for (size_t i = 0; i < nargs; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	r = run_capture(argv, NULL, -1);
	cr_assert_eq(r.status, 0, "--read %s: %s; stderr: %s", what, describe_status(r.status), r.err);
	assert_clean(fmt("--read %s (stderr)", what), r.err, r.err_len, false);
	char *text = slurp(out, &len);
	assert_clean(fmt("--read %s", what), text, len, color);
	return text;
}

/* The hostile file name as strace quotes it (octal escapes). */
/* run() and reread() with their arguments counted. */
#define ARGS(...) (char *[]){ __VA_ARGS__ }, sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)

#define QUOTED_FILE "f\\33[2J\\33]0;pwned\\7\\r\\10\\177\\302\\233\\377\\300"

struct mode {
	const char *name;
	char *args[6];
	size_t nargs;
	bool color;
	const char *expect; /* a substring the output must hold */
};

static const struct mode modes[] = {
	{ "text", { "--color=never" }, 1, false, QUOTED_FILE },
	{ "text-color", { "--color=always" }, 1, true, QUOTED_FILE },
	{ "text-y", { "--color=always", "-y" }, 2, true, "<" "\\74" },
	{ "text-x", { "-x", "-v" }, 2, false, "\\x1b\\x5b\\x32\\x4a" },
	{ "human", { "--human", "--color=never" }, 2, false, QUOTED_FILE },
	{ "human-color", { "--human", "--color=always" }, 2, true, QUOTED_FILE },
	{ "group", { "--group", "--color=always" }, 2, true, QUOTED_FILE },
	{ "summary", { "-c" }, 1, false, " openat\n" },
	{ "summary-after", { "-C", "--color=always" }, 2, true, " total\n" },
	{ "summary-per-pid", { "-c", "--summary-per-pid" }, 2, false, "PID " },
	{ "summary-group", { "-c", "--group" }, 2, false, "socket bound to" },
};

static void check_mode(const struct mode *m, const char *text)
{
	if (!strcmp(m->name, "text-y")) {
		/* -y's socket and file names: the file's, escaped, inside <>. */
		cr_assert(strstr(text, "\\33[2J\\33]0;pwned\\7\\r\\10\\177\\302\\233\\377\\300>"), "%s", text);
		return;
	}
	cr_assert(strstr(text, m->expect), "%s: no %s in: %s", m->name, m->expect, text);
}

Test(hostile, every_text_output)
{
	char *log = tpath("t.bin");
	char *args[] = { "--out", log };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const struct mode *m = &modes[i];
		check_mode(m, run(m->name, (char **)m->args, m->nargs, m->color));
	}
	run("log", args, 2, false);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const struct mode *m = &modes[i];
		if (!strcmp(m->name, "text-y"))
			continue; /* the log holds no descriptor names without --out -y */
		check_mode(m, reread(m->name, log, (char **)m->args, m->nargs, m->color));
	}
}

/* The argv, comm and socket names are escaped in text, human and group. */
Test(hostile, names_are_escaped)
{
	char *text = run("names-text", ARGS("--color=never", "-s", "64"), false);
	char *human = run("names-human", ARGS("--human"), false);
	char *group = run("names-group", ARGS("--group"), false);

	cr_assert(strstr(text, "[\"\\33]0;evil\\7\\r\\177\\302\\233\\377\", \"stage2\""), "argv: %s", text);
	cr_assert(strstr(text, "prctl(PR_SET_NAME, \"\\33[2J\\33]0;c\\7\\r\\10\\177\\302\\233\"...)"), "%s", text);
	/* The name of the exec'd program (its comm), quoted, before "[PID]". */
	cr_assert(strstr(human, "\"\\33]0;evil\\7\\r\\177\\302\\233\\377\"["), "%s", human);
	cr_assert(strstr(group, "s\\33[31m\\7\\r\\302\\233\\377\""), "socket: %s", group);
	cr_assert(strstr(group, "opened by \\33]0;evil\\7\\r\\177\\302\\233\\377[") ||
		  strstr(group, "opened by hostile_helper["), "%s", group);
}

static void python_check(const char *script, const char *file)
{
	char *path = tpath("check.py");
	write_file(path, script, strlen(script));
	struct result r = run_capture(ARGV("/usr/bin/env", "python3", path, (char *)file), NULL, -1);
	cr_assert_eq(r.status, 0, "%s: %s%s", file, r.out, r.err);
}

static const char json_check[] =
	"import json, sys\n"
	"raw = open(sys.argv[1], 'rb').read()\n"
	"text = raw.decode('utf-8')\n"
	"ev = [json.loads(l) for l in text.splitlines()]\n"
	"assert all(e.get('syscall') != 'openat' or 'pathname' in e['args'] for e in ev)\n"
	"paths = [e['args']['pathname'] for e in ev if e.get('syscall') == 'openat']\n"
	"assert any(p.endswith('/f\\x1b[2J\\x1b]0;pwned\\x07\\r\\b\\x7f\\x9b\\xff\\xc0') for p in paths), paths\n"
	"comms = {e['comm'] for e in ev if e['comm']}\n"
	"assert '\\x1b]0;evil\\x07\\r\\x7f\\x9b\\xff' in comms, comms\n"
	"w = [e for e in ev if e.get('syscall') == 'write' and e.get('errno') == 'EBADF']\n"
	"assert w and w[0]['args']['buf'].startswith('\\x1b[2J\\x1b]0;pwned\\x07\\r\\b\\x7f\\x9b31m\\xff\\xc0\\x80'), w\n"
	"ex = [e for e in ev if e.get('syscall') == 'execve' and e['ret'] == 0]\n"
	"assert any(e['args']['argv'][0] == '\\x1b]0;evil\\x07\\r\\x7f\\x9b\\xff' for e in ex), ex\n";

static const char perfetto_check[] =
	"import json, sys\n"
	"raw = open(sys.argv[1], 'rb').read()\n"
	"ev = json.loads(raw.decode('utf-8'))['traceEvents']\n"
	"names = {e['args']['name'] for e in ev if e['ph'] == 'M'}\n"
	"assert '\\x1b]0;evil\\x07\\r\\x7f\\x9b\\xff' in names, names\n"
	"paths = [e['args'].get('pathname', '') for e in ev if e.get('name') == 'openat']\n"
	"assert any('\\x1b]0;pwned\\x07' in p for p in paths), paths\n";

Test(hostile, json_and_perfetto)
{
	char *log = tpath("t.bin");
	char *json = tpath("out.json-live");

	run("json-live", ARGS("--json", "-s", "64"), false);
	python_check(json_check, json);
	run("perfetto-live", ARGS("--format=perfetto"), false);
	python_check(perfetto_check, tpath("out.perfetto-live"));
	run("log", ARGS("--out", log), false);
	reread("json", log, ARGS("--json", "-s", "64"), false);
	python_check(json_check, tpath("read.json"));
	reread("perfetto", log, ARGS("-m", "perfetto"), false);
	python_check(perfetto_check, tpath("read.perfetto"));
}

/*
 * The trace on stderr (no -o), and the live status line of --out on a
 * terminal (script(1) gives hstrace one): the status line's own "\r" and
 * "\x1b[K" are the only control bytes allowed there.
 */
Test(hostile, stderr_and_status_line)
{
	struct result r = run_capture(ARGV((char *)hstrace_bin(), "--", (char *)hostile_bin(), "start", tmpdir),
				      NULL, -1);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, QUOTED_FILE), "%s", r.err);
	assert_clean("stderr", r.err, r.err_len, false);
	if (access("/usr/bin/script", X_OK) != 0) {
		fprintf(stderr, "hostile.stderr_and_status_line: no script(1): status line not checked\n");
		return;
	}
	char *cmd = fmt("'%s' --out '%s' -- '%s' start '%s'", hstrace_bin(), tpath("s.bin"), hostile_bin(), tmpdir);
	r = run_capture(ARGV("/usr/bin/script", "-qec", cmd, "/dev/null"), NULL, -1);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	cr_assert(strstr(r.out, "hstrace: recorded "), "%s", r.out);
	/* Take out what the status line itself writes, then nothing may be left. */
	size_t n = strlen(r.out), k = 0;
	char *clean = keep(malloc(n + 1));
	for (size_t i = 0; i < n; i++) {
		if (r.out[i] == '\r')
			continue;
		if (!strncmp(r.out + i, "\x1b[K", 3)) {
			i += 2;
			continue;
		}
		clean[k++] = r.out[i];
	}
	assert_clean("status line", clean, k, false);
}
