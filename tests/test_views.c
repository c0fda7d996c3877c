/*
 * Filters, seccomp, the summary and JSON, end to end: hstrace runs
 * tests/helper.c ("files DIR": two openat, three writes, reads, close(99)
 * failing) or small system programs, and the test reads what it wrote.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static void setup(void) { tu_suite_init("/tmp/hst_views_XXXXXX"); }

TestSuite(views, .init = setup, .fini = tu_suite_fini, .timeout = 120);

#define HSTRACE(...) run_capture(ARGV((char *)hstrace_bin(), __VA_ARGS__), NULL, -1)

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += starts_with(p, prefix);
	return n;
}

/*
 * The trace from the helper's own first openat on: the dynamic loader's
 * calls before it (many, with meson's LD_LIBRARY_PATH) are not the test's.
 */
static char *from_helper(char *t)
{
	char *p = strstr(t, fmt("openat(AT_FDCWD, \"%s", tmpdir));

	while (p && p > t && p[-1] != '\n')
		p--;
	return p ? p : t;
}

static char *trace_files(const char *opt1, const char *opt2)
{
	char *out = tpath("trace");
	struct result r = opt2 ? HSTRACE("--no-follow", "-o", out, (char *)opt1, (char *)opt2, "--", HELPER, "files", tmpdir)
			       : HSTRACE("--no-follow", "-o", out, (char *)opt1, "--", HELPER, "files", tmpdir);

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7, "%s; stderr: %s",
		  describe_status(r.status), r.err);
	return from_helper(slurp(out, NULL));
}

Test(views, trace_names)
{
	char *t = trace_files("-e", "trace=openat,close");

	cr_assert_eq(count_lines(t, "openat("), 2, "%s", t);
	cr_assert_eq(count_lines(t, "close("), 3, "%s", t);
	cr_assert_eq(count_lines(t, "write("), 0, "%s", t);
	cr_assert_eq(count_lines(t, "execve("), 0, "%s", t);
	cr_assert(strstr(t, "+++ exited with 7 +++"), "%s", t);
}

Test(views, trace_groups_and_negation)
{
	char *t = trace_files("-e", "trace=%file");

	cr_assert_eq(count_lines(t, "openat("), 2, "%s", t);
	cr_assert_eq(count_lines(t, "write("), 0, "%s", t);
	t = trace_files("-e", "trace=!write,read");
	cr_assert_eq(count_lines(t, "write("), 0, "%s", t);
	cr_assert_eq(count_lines(t, "read("), 0, "%s", t);
	cr_assert_eq(count_lines(t, "openat("), 2, "%s", t);
}

Test(views, status_failed_and_successful)
{
	char *t = trace_files("-Z", "-etrace=close");

	cr_assert_eq(count_lines(t, "close(99)"), 1, "%s", t);
	cr_assert_eq(count_lines(t, "close("), 1, "only the failed close: %s", t);
	t = trace_files("-z", "-etrace=close");
	cr_assert_geq(count_lines(t, "close("), 2, "the loader's and the helper's: %s", t);
	cr_assert_eq(count_lines(t, "close(99)"), 0, "%s", t);
}

/* The kernel says whether the traced program runs under a seccomp filter. */
Test(views, seccomp_is_used_and_optional)
{
	struct result r = HSTRACE("-q", "-o", tpath("t1"), "-e", "trace=openat", "--", "/bin/grep", "Seccomp:",
				  "/proc/self/status");

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "Seccomp:\t2"), "no seccomp filter: %s", r.out);
	char *t = slurp(tpath("t1"), NULL);
	cr_assert(strstr(t, "openat(AT_FDCWD, \"/proc/self/status\", O_RDONLY|O_NOCTTY) = 3"), "%s", t);
	cr_assert_null(strstr(t, "read("), "%s", t);
	r = HSTRACE("-q", "--no-seccomp", "-o", tpath("t2"), "-e", "trace=openat", "--", "/bin/grep",
		    "Seccomp:", "/proc/self/status");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "Seccomp:\t0"), "%s", r.out);
	r = HSTRACE("-q", "-o", tpath("t3"), "--", "/bin/grep", "Seccomp:", "/proc/self/status");
	cr_assert(strstr(r.out, "Seccomp:\t0"), "no filter, no seccomp: %s", r.out);
}

Test(views, forked_children_keep_the_filter)
{
	struct result r = HSTRACE("-q", "-o", tpath("t"), "-e", "trace=openat", "--", "/bin/sh", "-c",
				  "grep Seccomp: /proc/self/status; cat /dev/null");
	char *t = slurp(tpath("t"), NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "Seccomp:\t2"), "%s", r.out);
	cr_assert(strstr(t, "\"/dev/null\""), "the child's openat is traced: %s", t);
	cr_assert_null(strstr(t, "fstat("), "%s", t);
}

Test(views, unknown_names_are_errors)
{
	struct result r = HSTRACE("-e", "trace=opnat", "--", HELPER, "count", "1");

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2, "%s", describe_status(r.status));
	cr_assert(strstr(r.err, "unknown syscall 'opnat'") && strstr(r.err, "openat"), "%s", r.err);
	cr_assert_eq(count_lines(r.err, "hstrace:"), 1, "%s", r.err);
	r = HSTRACE("-e", "trace=%filez", "--", HELPER, "count", "1");
	cr_assert(strstr(r.err, "%file"), "%s", r.err);
}

Test(views, summary_table)
{
	char *out = tpath("c");
	struct result r = HSTRACE("--no-follow", "-c", "-o", out, "-e", "trace=close,write", "--", HELPER,
				  "files", tmpdir);
	char *t = slurp(out, NULL);

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7, "%s", r.err);
	cr_assert(starts_with(t, "% time     seconds  usecs/call     calls    errors syscall\n"
			      "------ ----------- ----------- --------- --------- ----------------\n"), "%s", t);
	/* Three writes to the file, one to stdout; the loader's closes plus the helper's three. */
	cr_assert(strstr(t, "         4           write\n"), "%s", t);
	cr_assert(strstr(t, "         1 close\n"), "close(99) failed: %s", t);
	cr_assert(strstr(t, "100.00 "), "%s", t);
	cr_assert(strstr(t, " total\n"), "%s", t);
	cr_assert_null(strstr(t, "close("), "-c prints no trace: %s", t);
	t = trace_files("-C", "-etrace=close");
	cr_assert_eq(count_lines(t, "close(99)"), 1, "%s", t);
	cr_assert(strstr(t, "+++ exited with 7 +++\n% time"), "the table follows the trace: %s", t);
}

Test(views, json_lines_parse)
{
	char *out = tpath("j");
	struct result r = HSTRACE("--no-follow", "--json", "-o", out, "--", HELPER, "files", tmpdir);
	char *check = fmt("python3 -c 'import json,sys\n"
			  "ev=[json.loads(l) for l in open(sys.argv[1])]\n"
			  "o=[e for e in ev if e.get(\"syscall\")==\"openat\" and e[\"args\"][\"pathname\"].startswith(\"/tmp/hst_views_\")]\n"
			  "assert len(o)==2, o\n"
			  "assert o[0][\"args\"][\"pathname\"].endswith(\"/a\"), o[0]\n"
			  "assert o[0][\"args\"][\"flags\"]==[\"O_WRONLY\",\"O_CREAT\",\"O_TRUNC\"], o[0]\n"
			  "assert o[0][\"category\"]==\"file\" and o[0][\"mode\"]==\"info\"\n"
			  "c=[e for e in ev if e.get(\"syscall\")==\"close\" and e[\"ret\"]==-1]\n"
			  "assert c and c[0][\"errno\"]==\"EBADF\", c\n"
			  "assert ev[-1][\"event\"]==\"exit\" and ev[-1][\"status\"]==7, ev[-1]\n' %s", out);

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7, "%s", r.err);
	cr_assert_eq(system(check), 0, "%s", slurp(out, NULL));
}

Test(views, json_escapes_hostile_bytes)
{
	char *out = tpath("j");
	struct result r = HSTRACE("--no-follow", "--json", "-s", "64", "-o", out, "--", "/usr/bin/printf",
				  "\\033[31m\\377\\300bad\\n");
	char *check = fmt("python3 -c 'import json,sys\n"
			  "w=[json.loads(l) for l in open(sys.argv[1])]\n"
			  "w=[e for e in w if e.get(\"syscall\")==\"write\"]\n"
			  "assert w[0][\"args\"][\"buf\"]==\"\\x1b[31m\\xff\\xc0bad\\n\", w[0]\n' %s", out);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(system(check), 0, "%s", slurp(out, NULL));
}

Test(views, list_groups)
{
	struct result r = HSTRACE("--list-groups");

	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "%file:") && strstr(r.out, " openat"), "%s", r.out);
	cr_assert(strstr(r.out, "%network:") && strstr(r.out, " connect"), "%s", r.out);
}

/* -tt, -ttt, -r and -T have strace's shapes; -T's time is the call's. */
Test(views, timestamps_and_durations)
{
	char *t = trace_files("-tt", "-T");
	unsigned h, m, s, us;
	char rest[64];

	cr_assert_eq(sscanf(t, "%2u:%2u:%2u.%6u %63s", &h, &m, &s, &us, rest), 5, "%s", t);
	cr_assert(h < 24 && m < 60 && s < 61, "%s", t);
	cr_assert(strstr(t, "O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3 <0."), "%s", t);
	cr_assert(strstr(t, "= -1 EBADF (Bad file descriptor) <0."), "%s", t);
	t = trace_files("-ttt", "-etrace=close");
	double epoch = 0;
	cr_assert_eq(sscanf(t, "%lf close(", &epoch), 1, "%s", t);
	cr_assert_gt(epoch, 1.7e9, "%s", t);
	t = trace_files("-r", "-etrace=close");
	cr_assert(starts_with(t, "     0.") && strstr(t, " close("), "%s", t);
}

/* -P: the calls naming the path, and those on the descriptor it gave. */
Test(views, path_filter_follows_the_descriptor)
{
	char *path = fmt("%s/a", tmpdir);
	char *t = trace_files("-P", path);

	cr_assert_eq(count_lines(t, "openat("), 2, "%s", t);
	cr_assert_eq(count_lines(t, "write(3, "), 3, "%s", t);
	cr_assert_eq(count_lines(t, "read(3, "), 2, "%s", t);
	cr_assert_eq(count_lines(t, "close(3)"), 2, "%s", t);
	cr_assert_eq(count_lines(t, "close(99)"), 0, "%s", t);
	cr_assert_eq(count_lines(t, "write(1, "), 0, "%s", t);
}

/* --format=perfetto from a log: valid trace-event JSON, slices per thread nest. */
Test(views, perfetto_export)
{
	char *log = tpath("t.bin"), *out = tpath("p.json");
	struct result r = HSTRACE("-q", "--out", log, "--", "/bin/sh", "-c", "ls / >/dev/null; true");

	cr_assert_eq(r.status, 0, "%s", r.err);
	r = HSTRACE("--read", log, "--format=perfetto", "-o", out);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *check = fmt("python3 -c 'import json,sys\n"
			  "ev=json.load(open(sys.argv[1]))[\"traceEvents\"]\n"
			  "names={e[\"args\"][\"name\"] for e in ev if e[\"ph\"]==\"M\"}\n"
			  "assert {\"sh\",\"ls\"} <= names, names\n"
			  "x=[e for e in ev if e[\"ph\"]==\"X\"]\n"
			  "x_all=x\n"
			  "assert any(e[\"name\"]==\"execve\" for e in x) and any(e[\"name\"]==\"wait4\" for e in x)\n"
			  "last={}\n"
			  "for e in sorted(x, key=lambda e: (e[\"tid\"], e[\"ts\"])):\n"
			  "  assert e[\"dur\"] >= 0 and e[\"ts\"] >= last.get(e[\"tid\"], 0), e\n"
			  "  last[e[\"tid\"]] = e[\"ts\"] + e[\"dur\"]\n"
			  "assert any(e[\"ph\"]==\"i\" and e[\"name\"].startswith(\"+++ exited\") for e in ev)\n"
			  /* Flows: each "s" has one "f" with its id, later, on the child's
			   * track for a fork (the tid its slice returned), on the same
			   * track after an exec. */
			  "s={e[\"id\"]:e for e in ev if e[\"ph\"]==\"s\"}\n"
			  "f={e[\"id\"]:e for e in ev if e[\"ph\"]==\"f\"}\n"
			  "assert s and set(s)==set(f), (s, f)\n"
			  "assert len(s)==len([e for e in ev if e[\"ph\"]==\"s\"])\n"
			  "forks=0\n"
			  "for i,b in s.items():\n"
			  "  e=f[i]\n"
			  "  assert e[\"name\"]==b[\"name\"] and e[\"bp\"]==\"e\" and e[\"ts\"]>=b[\"ts\"], (b, e)\n"
			  "  sl=[x for x in x_all if x[\"tid\"]==b[\"tid\"] and x[\"name\"]==b[\"name\"] and x[\"ts\"]<=b[\"ts\"]<=x[\"ts\"]+x[\"dur\"]]\n"
			  "  assert len(sl)==1, (b, sl)\n"
			  "  if b[\"name\"]==\"execve\":\n"
			  "    assert e[\"tid\"]==b[\"tid\"], (b, e)\n"
			  "  else:\n"
			  "    forks+=1\n"
			  "    assert e[\"tid\"]==sl[0][\"args\"][\"ret\"] and e[\"tid\"]!=b[\"tid\"], (b, e, sl)\n"
			  "    assert any(x[\"tid\"]==e[\"tid\"] and x[\"ts\"]<=e[\"ts\"]<=x[\"ts\"]+x[\"dur\"] for x in x_all), e\n"
			  "assert forks>=1 and len(s)>forks, s\n' %s", out);
	cr_assert_eq(system(check), 0, "%s", slurp(out, NULL));
}

/* --group: the helper's file, with the bytes it really wrote and read back. */
Test(views, group_per_file)
{
	char *t = trace_files("--group", "-q");
	char *block = strstr(t, fmt("\"%s/a\"\n", tmpdir));

	cr_assert(block, "%s", t);
	cr_assert(strstr(block, "opened by helper[") && strstr(block, "] O_WRONLY|O_CREAT|O_TRUNC\n"), "%s", block);
	cr_assert(strstr(block, "read 73 bytes, wrote 73 bytes, 9 calls, 0 failed\n"), "%s", block);
	cr_assert(strstr(block, "calls: openat 2 write 3 close 2 read 2\n"), "%s", block);
}

/*
 * A 32-bit call (int $0x80) under a seccomp filter: it must run (not be
 * killed, not fail), whether or not it is selected.
 */
Test(views, i386_calls_survive_the_filter)
{
	struct result plain = run_capture(ARGV(HELPER, "int80"), NULL, -1);

	/* -ENOSYS, or SIGSEGV where the kernel has no int $0x80 gate at all. */
	if ((WIFEXITED(plain.status) && WEXITSTATUS(plain.status) == 3) ||
	    (WIFSIGNALED(plain.status) && WTERMSIG(plain.status) == SIGSEGV)) {
		fprintf(stderr, "i386_calls_survive_the_filter: no 32-bit syscall entry here: skipped\n");
		return;
	}
	cr_assert(WIFEXITED(plain.status) && WEXITSTATUS(plain.status) == 0, "%s", describe_status(plain.status));
	for (int i = 0; i < 2; i++) {
		struct result r = HSTRACE("-q", "-o", tpath("t"), "-e", i ? "trace=getpid" : "trace=openat",
					  "--", HELPER, "int80");
		cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s: %s", describe_status(r.status), r.err);
	}
}

/* --group names sockets by endpoint and counts what went through them. */
Test(views, group_sockets_by_endpoint)
{
	char *out = tpath("g");
	struct result r = HSTRACE("-q", "--group", "-o", out, "--", "python3", "-c",
				  "import socket\n"
				  "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()\n"
				  "c=socket.create_connection(s.getsockname()); a,_=s.accept()\n"
				  "c.sendall(b'hello world'); a.recv(100)\n");
	char *t = slurp(out, NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	char *c = strstr(t, "\"socket connected to 127.0.0.1:");
	char *a = strstr(t, "\"socket accepted from 127.0.0.1:");
	cr_assert(c && strstr(c, "wrote 11 bytes"), "%s", t);
	cr_assert(a && strstr(a, "read 11 bytes"), "%s", t);
	/* Bound to port 0: named by the port getsockname says the kernel gave. */
	char *b = strstr(t, "\"socket bound to 127.0.0.1:");
	unsigned bound = 0, connected = 0;
	cr_assert(b && sscanf(b, "\"socket bound to 127.0.0.1:%u\"", &bound) == 1, "%s", t);
	cr_assert(sscanf(c, "\"socket connected to 127.0.0.1:%u\"", &connected) == 1, "%s", t);
	cr_assert(bound != 0 && bound == connected, "bound to %u, connected to %u: %s", bound, connected, t);
	cr_assert_null(strstr(t, "\"socket bound to 127.0.0.1:0\""), "%s", t);
	cr_assert(strstr(b, "calls: bind 1 listen 1 getsockname "), "one block from the bind on: %s", b);
}

/* The calls column of NAME's row in a -c table, or -1 without a row. */
static long row_calls(const char *table, const char *name)
{
	char *want = fmt(" %s\n", name);

	for (const char *p = table; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p + 1) : strlen(p);
		double pct, secs;
		unsigned long usecs, calls;
		if (len > strlen(want) && !strncmp(p + len - strlen(want), want, strlen(want)) &&
		    sscanf(p, "%lf %lf %lu %lu", &pct, &secs, &usecs, &calls) == 4)
			return (long)calls;
		if (!end)
			break;
	}
	return -1;
}

/* -c -P: the table counts only the calls the trace would show. */
Test(views, summary_honours_the_path_filter)
{
	char *out = tpath("c");
	struct result r = HSTRACE("--no-follow", "-c", "-P", tpath("a"), "-o", out, "--", HELPER, "files", tmpdir);
	char *t = slurp(out, NULL);

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7, "%s", r.err);
	cr_assert_eq(row_calls(t, "openat"), 2, "%s", t);
	cr_assert_eq(row_calls(t, "write"), 3, "the write to stdout is not on the path: %s", t);
	cr_assert_eq(row_calls(t, "read"), 2, "%s", t);
	cr_assert_eq(row_calls(t, "close"), 2, "close(99) is not on the path: %s", t);
	cr_assert_eq(row_calls(t, "total"), 9, "%s", t);
	cr_assert_eq(row_calls(t, "mmap"), -1, "%s", t);
	cr_assert_null(strstr(t, "errors syscall\n------ ----------- ----------- --------- --------- "
				 "----------------\n------"), "an empty table: %s", t);
}

/* -c and a dup'd, forked descriptor: -P follows the copies like strace. */
Test(views, path_filter_follows_dup_and_fork)
{
	char *file = tpath("d");
	char *out = tpath("t");
	write_file(file, "x", 1);
	struct result r = HSTRACE("-q", "-P", file, "-o", out, "--", "/bin/sh", "-c",
				  fmt("exec 3<'%s'; exec 4<&3; cat <&4 >/dev/null", file));
	char *t = slurp(out, NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(t, "dup2(3, 4)") || strstr(t, "fcntl(3, F_DUPFD, 10)"), "%s", t);
	/* cat, a forked child, reads the file through its copy of fd 0. */
	cr_assert(strstr(t, "read(0, \"x\", "), "%s", t);
}

/* --summary-per-pid: the helper's parent and child, each with its own calls. */
Test(views, summary_per_process)
{
	char *out = tpath("c");
	struct result r = HSTRACE("-c", "--summary-per-pid", "-o", out, "--", HELPER, "fork");
	char *t = slurp(out, NULL);
	int pid = 0, child = 0, status = -1;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(sscanf(r.out, "pid %d\nchild %d status %d", &pid, &child, &status), 3, "%s", r.out);
	char *parent_at = strstr(t, fmt("PID %d (helper)\n%% time", pid));
	char *child_at = strstr(t, fmt("PID %d (helper)\n%% time", child));
	char *all = strstr(t, "\nAll processes\n% time");
	cr_assert(parent_at && child_at && all && parent_at < child_at && child_at < all, "%s", t);
	child_at[-1] = '\0';
	*all = '\0';
	/* The parent: "pid", the failed write and "child ..."; wait4; execve. */
	cr_assert_eq(row_calls(parent_at, "write"), 3, "%s", parent_at);
	cr_assert(strstr(parent_at, "         1 write\n"), "one failed: %s", parent_at);
	cr_assert_eq(row_calls(parent_at, "wait4"), 1, "%s", parent_at);
	cr_assert_eq(row_calls(parent_at, "execve"), 1, "%s", parent_at);
	cr_assert_eq(row_calls(parent_at, "exit_group"), 1, "%s", parent_at);
	/* The child: its failed write and exit_group, none of the parent's. */
	cr_assert_eq(row_calls(child_at, "write"), 1, "%s", child_at);
	cr_assert(strstr(child_at, "         1 write\n"), "%s", child_at);
	cr_assert_eq(row_calls(child_at, "exit_group"), 1, "%s", child_at);
	cr_assert_eq(row_calls(child_at, "wait4"), -1, "%s", child_at);
	cr_assert_eq(row_calls(child_at, "execve"), -1, "%s", child_at);
	/* The total adds them up. */
	cr_assert_eq(row_calls(all + 1, "write"), 4, "%s", all + 1);
	cr_assert(strstr(all + 1, "         2 write\n"), "%s", all + 1);
	cr_assert_eq(row_calls(all + 1, "exit_group"), 2, "%s", all + 1);
	cr_assert_eq(row_calls(all + 1, "total"), row_calls(parent_at, "total") + row_calls(child_at, "total"),
		     "%s%s%s", parent_at, child_at, all + 1);
	r = HSTRACE("--summary-per-pid", "--", HELPER, "count", "1");
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2 && strstr(r.err, "-c or -C"), "%s", r.err);
}

/*
 * status=: strace's classes.  Threads blocked in read() when another
 * thread calls exit_group never return: "unfinished", as strace 6.1 says
 * (not "unavailable": the tracer has every return value it records).
 */
Test(views, status_unfinished_threads)
{
	char *out = tpath("u");
	struct result r = HSTRACE("-o", out, "-e", "trace=read,exit_group", "-e", "status=unfinished", "--", HELPER,
				  "unfinished", "2", "exit");
	char *t = slurp(out, NULL);

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 5, "%s", r.err);
	cr_assert(strstr(t, " exit_group(5) "), "%s", t);
	int reads = 0;
	/* Two spaces, as strace prints a call cut after its last shown argument. */
	for (char *p = strstr(t, "read(3,  <unfinished ...>)"); p; p = strstr(p + 1, "read(3,  <unfinished ...>)"))
		reads++;
	cr_assert_eq(reads, 2, "%s", t);
	r = HSTRACE("-o", out, "-e", "trace=read,exit_group", "-e", "status=unavailable,successful,failed,detached",
		    "--", HELPER, "unfinished", "2", "exit");
	t = slurp(out, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 5, "%s", r.err);
	cr_assert_null(strstr(t, "<unfinished"), "%s", t);
	cr_assert_null(strstr(t, "exit_group("), "%s", t);
	cr_assert(strstr(t, "+++ exited with 5 +++"), "%s", t);
}

/*
 * status=detached: calls in progress when hstrace -p detaches (SIGINT),
 * shown as strace shows them ("<detached ...>"); the exit stop the
 * detach interrupts them into (-ERESTART_RESTARTBLOCK) is not a failure.
 */
/*
 * One hstrace -e status=detached,successful -p PID, interrupted with
 * SIGINT once it traces, delay_ms later; its trace.
 */
static char *detach_once(int pid, int attempt, int delay_ms, const char *filter)
{
	char *out = tpath(fmt("d%d", attempt)), *err = tpath(fmt("d%d.err", attempt));
	int efd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), status = 0;
	pid_t hs = spawn_child(ARGV((char *)hstrace_bin(), "-q", "-e", (char *)filter, "-o", out,
				    "-p", fmt("%d", pid)), NULL, -1, efd, -1);

	close(efd);
	/* Tracing once a successful call shows; the bound only stops a hang. */
	for (int i = 0; i < 3000 && !(file_exists(out) && strstr(slurp(out, NULL), "clock_nanosleep(")); i++) {
		cr_assert_eq(waitpid(hs, &status, WNOHANG), 0, "hstrace ended: %s", slurp(err, NULL));
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
	nanosleep(&(struct timespec){ 0, delay_ms * 1000000L }, NULL);
	kill(hs, SIGINT);
	status = wait_status(hs);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: %s", describe_status(status), slurp(err, NULL));
	return slurp(out, NULL);
}

/*
 * status=detached: calls in progress when hstrace -p detaches (SIGINT),
 * shown as strace shows them ("<detached ...>"); the exit stop the
 * detach interrupts them into (-ERESTART_RESTARTBLOCK) is not a failure.
 * The helper's threads sleep 10 ms between calls, so a detach almost
 * always finds one in clock_nanosleep; a few attempts make it certain.
 */
static void detach_until_seen(const char *filter)
{
	int p[2], pid, detached = 0;
	char line[256] = "";
	ssize_t n = 0;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t helper = spawn_child(ARGV(HELPER, "sleep", "1"), NULL, p[1], -1, -1);
	close(p[1]);
	while (!strchr(line, '\n') && n < (ssize_t)sizeof(line) - 1) {
		ssize_t k = read(p[0], line + n, sizeof(line) - 1 - (size_t)n);
		cr_assert_gt(k, 0, "the helper did not start");
		n += k;
		line[n] = '\0';
	}
	cr_assert_eq(sscanf(line, "ready %d", &pid), 1, "%s", line);
	for (int attempt = 0; attempt < 8 && !detached; attempt++) {
		char *t = detach_once(pid, attempt, 3 + 7 * attempt, filter);
		cr_assert_null(strstr(t, "ERESTART"), "%s", t);
		if (strstr(filter, "status="))
			cr_assert_null(strstr(t, "= -1 "), "%s", t);
		/* Mostly a clock_nanosleep, sometimes a write caught mid-call. */
		for (char *l = strstr(t, "<detached ...>"); l; l = strstr(l + 1, "<detached ...>")) {
			/* strace ends the trace right after it, without a newline */
			cr_assert(l[14] == '\n' || l[14] == '\0', "%s", t);
			detached++;
		}
	}
	kill(helper, SIGKILL);
	wait_status(helper);
	close(p[0]);
	cr_assert_gt(detached, 0, "no call was in progress at any of the detaches");
}

Test(views, status_detached_on_interrupt)
{
	detach_until_seen("status=detached,successful");
}

/* The same without a filter: the broken-off call is not shown as failing with ERESTART*. */
Test(views, text_detached_on_interrupt)
{
	detach_until_seen("trace=all");
}
