/*
 * Out of memory while tracing (issue 6), end to end.
 *
 * oom_shim.c, preloaded into hstrace, makes real allocations fail with
 * ENOMEM: every one from the N-th on (a process that has run out), only the
 * N-th (a transient failure, so the code after it runs on), or only in one
 * of hstrace's threads.  What hstrace promises, whichever allocation fails:
 *   - it finishes normally, or exits non-zero with exactly one line on
 *     stderr (no assertion, no crash, no sanitizer report, no hang);
 *   - a launched program is not left running or stopped;
 *   - an attached (-p) process keeps running, untraced, and not stopped;
 *   - the log reads back with `hstrace --read` to its last complete block
 *     (a clean end, or the one-line report of where it was cut).
 *
 * What allocates, measured with HST_OOM_LOG (see oom_shim.c), is mostly
 * start-up: the handle and its copies of the arguments, the rings (one
 * posix_memalign each), the sinks and the log writer's 256 KiB block
 * buffer, the tracee table, each thread (glibc allocates its TLS), and
 * the reads of /proc/PID/task of -p.  After start, few things allocate:
 * the ptrace thread, an entry for each new process or thread; the text
 * sink, its output buffer, as it grows to its 64 KiB batch in the first
 * lines; the log writer, only for a record larger than its block buffer
 * (an execve with about 256 KiB of argv and environment: log_writer_thread
 * makes one).  A run of the sweeps' program makes 20 to 35 allocations in
 * all, so every one of them is failed in turn.
 *
 * liburcu (the tracee table, and call_rcu's thread started at the first
 * tracee that ends) dies on allocation failure by design (urcu_die, then
 * abort), so the sweeps never fail its allocations (HST_OOM_SKIP):
 * hstrace cannot recover from those.  libseccomp (-e trace=) is not swept
 * either: some of its failures crash inside seccomp_export_bpf.
 *
 * The sweeps fail every allocation point up to 200, then a geometric
 * sample up to the number a run makes (should hstrace ever allocate
 * more).  Under AddressSanitizer the shim goes in front of ASan's
 * allocator (verify_asan_link_order=0): the test runs there too.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* Not timing checks: bounds so that a hang fails the test instead of the suite. */
#define RUN_BOUND_MS 20000
#define ATTACH_BOUND_MS 5000

extern char **environ;

static void suite_init(void)
{
	tu_suite_init("/tmp/hst_oom_XXXXXX");
}

TestSuite(oom, .init = suite_init, .fini = tu_suite_fini, .timeout = 240);

static const char *shim_path(void)
{
	const char *p = getenv("HSTRACE_OOM_SHIM");
	cr_assert(p && *p, "HSTRACE_OOM_SHIM is not set (run the tests with meson test)");
	return p;
}

/* --- the shim's settings and counts ---------------------------------------- */

struct oom {
	const char *mode;   /* "AFTER", "ONLY" or NULL (count only) */
	long long n;
	int thread;         /* HST_OOM_THREAD, or 0 for every thread */
	const char *skip;   /* HST_OOM_SKIP */
};

struct counts {
	uint64_t counted, failed;
};

static char *report_path(void)
{
	return tpath("oom.report");
}

/* This process's environment, without a preload or shim settings of its own, plus the shim's. */
static char **oom_env(const struct oom *o)
{
	size_t n = 0;

	while (environ[n])
		n++;
	char **env = keep(calloc(n + 12, sizeof(char *)));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!starts_with(environ[i], "LD_PRELOAD=") && !starts_with(environ[i], "HST_OOM_") &&
		    !starts_with(environ[i], "ASAN_OPTIONS="))
			env[k++] = environ[i];
	env[k++] = fmt("LD_PRELOAD=%s", shim_path());
	env[k++] = fmt("HST_OOM_REPORT=%s", report_path());
	/* An ASan hstrace wants ASan first in the library list; the shim must be in front of its malloc. */
	const char *asan = getenv("ASAN_OPTIONS");
	env[k++] = fmt("ASAN_OPTIONS=%s%sverify_asan_link_order=0", asan ? asan : "", asan && *asan ? ":" : "");
	if (o->mode)
		env[k++] = fmt("HST_OOM_%s=%lld", o->mode, o->n);
	if (o->thread)
		env[k++] = fmt("HST_OOM_THREAD=%d", o->thread);
	if (o->skip)
		env[k++] = fmt("HST_OOM_SKIP=%s", o->skip);
	env[k] = NULL;
	return env;
}

static struct counts read_counts(void)
{
	struct counts c = { 0, 0 };
	int fd = open(report_path(), O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0, "the shim wrote no report (was it preloaded?)");
	cr_assert_eq(read(fd, &c, sizeof(c)), (ssize_t)sizeof(c), "short shim report");
	close(fd);
	unlink(report_path());
	return c;
}

/* --- processes ---------------------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static void kill_leftovers(const char *token)
{
	pid_t left[32];
	int n = procs_with_arg(token, left, 32);

	for (int i = 0; i < n; i++)
		kill(left[i], SIGKILL);
}

/* A field of /proc/PID/task/TID/status, value only, kept; NULL if gone. */
static char *task_status(pid_t pid, pid_t tid, const char *field)
{
	char *path = fmt("/proc/%d/task/%d/status", (int)pid, (int)tid);

	if (!file_exists(path))
		return NULL;
	char *status = slurp(path, NULL);
	char *at = strstr(status, fmt("\n%s:", field));
	if (!at)
		return NULL;
	at += strlen(field) + 2;
	at += strspn(at, " \t");
	at[strcspn(at, "\n")] = '\0';
	return at;
}

/* waitpid with a bound; false if it did not end in time. */
static bool wait_bounded(pid_t pid, int *status, long ms)
{
	for (long waited = 0; waited <= ms; waited += 5) {
		pid_t done = waitpid(pid, status, WNOHANG);
		if (done == pid)
			return true;
		cr_assert(done == 0 || errno == EINTR, "waitpid: %s", strerror(errno));
		sleep_ms(5);
	}
	return false;
}

/* --- what each run must show ---------------------------------------------- */

struct run {
	int status;
	char *err;
	size_t err_len;
	const char *what;   /* "--out, AFTER=17", for messages */
};

/*
 * Normal end (exit 0, nothing on stderr: the runs use -q), or a non-zero
 * exit with exactly one line, from hstrace, that says what failed.
 */
static void assert_clean_outcome(const struct run *r)
{
	size_t len = strlen(r->err);

	cr_assert(WIFEXITED(r->status), "%s: hstrace %s; stderr:\n%s", r->what, describe_status(r->status), r->err);
	cr_assert_eq(len, r->err_len, "%s: stderr holds a NUL byte: '%s'", r->what, r->err);
	if (WEXITSTATUS(r->status) == 0) {
		cr_assert_eq(len, 0, "%s: exit 0 but stderr:\n%s", r->what, r->err);
		return;
	}
	cr_assert(len > 0 && r->err[len - 1] == '\n' && strchr(r->err, '\n') == r->err + len - 1,
		  "%s: exit %d and stderr is not exactly one line:\n%s", r->what, WEXITSTATUS(r->status), r->err);
	cr_assert(starts_with(r->err, "hstrace: ") && !strstr(r->err, "runtime error"),
		  "%s: not hstrace's line: %s", r->what, r->err);
	cr_assert(strstr(r->err, "Cannot allocate memory") || strstr(r->err, "out of memory") ||
		  strstr(r->err, "Resource temporarily unavailable"),
		  "%s: the line does not say memory ran out: %s", r->what, r->err);
}

/* Where a hung hstrace is: each thread's state and kernel wait channel, on stderr. */
static void print_threads(pid_t pid, const char *what)
{
	FILE *ps = popen(fmt("for t in /proc/%d/task/*; do echo \"$t $(cut -d' ' -f3 $t/stat)"
			     " $(cat $t/wchan)\"; done 2>&1", (int)pid), "r");
	char line[256];

	while (ps && fgets(line, sizeof(line), ps))
		fprintf(stderr, "%s: %s", what, line);
	if (ps)
		pclose(ps);
}

/*
 * The log reads back: every complete block, then a clean end (exit 0) or
 * one line saying where it was cut.  A log that failed before its header
 * was written is empty, and refused as not a log.
 */
static void assert_log_reads_back(const char *log, const char *what)
{
	struct stat st;
	struct run r = { 0, NULL, 0, what };

	if (stat(log, &st) < 0)
		return; /* hstrace failed before opening it */
	char *err_path = tpath("read.err");
	int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(err_fd, 0);
	pid_t pid = spawn_child(ARGV((char *)hstrace_bin(), "--read", (char *)log, "-o", "/dev/null"), NULL, -1,
				err_fd, -1);
	close(err_fd);
	if (!wait_bounded(pid, &r.status, RUN_BOUND_MS)) {
		print_threads(pid, what);
		kill(pid, SIGKILL);
		wait_status(pid);
		cr_assert_fail("%s: --read did not end", what);
	}
	r.err = slurp(err_path, &r.err_len);
	cr_assert(WIFEXITED(r.status), "%s: --read %s; stderr:\n%s", what, describe_status(r.status), r.err);
	if (WEXITSTATUS(r.status) == 0) {
		cr_assert_eq(r.err_len, 0, "%s: --read: %s", what, r.err);
		return;
	}
	size_t len = strlen(r.err);
	cr_assert(WEXITSTATUS(r.status) == 1 && len == r.err_len && len > 0 &&
		  strchr(r.err, '\n') == r.err + len - 1, "%s: --read %s, stderr:\n%s", what,
		  describe_status(r.status), r.err);
	if (st.st_size == 0)
		cr_assert(strstr(r.err, "not an hstrace log"), "%s: empty log: %s", what, r.err);
	else
		cr_assert(starts_with(r.err, fmt("hstrace: %s: log is truncated at byte ", log)),
			  "%s: --read of a %lld-byte log: %s", what, (long long)st.st_size, r.err);
}

/* Run hstrace (argv, env) to its end, at most RUN_BOUND_MS. */
static struct run run_hstrace(char *const argv[], char *const env[], const char *token, const char *what)
{
	char *err_path = tpath("hstrace.err");
	int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct run r = { 0, NULL, 0, what };

	cr_assert_geq(err_fd, 0);
	pid_t pid = spawn_child(argv, env, -1, err_fd, -1);
	close(err_fd);
	if (!wait_bounded(pid, &r.status, RUN_BOUND_MS)) {
		print_threads(pid, what);
		kill(pid, SIGKILL);
		wait_status(pid);
		kill_leftovers(token);
		cr_assert_fail("%s: hstrace did not end within %d ms; stderr:\n%s", what, RUN_BOUND_MS,
			       slurp(err_path, NULL));
	}
	r.err = slurp(err_path, &r.err_len);
	return r;
}

static void assert_nothing_left(const char *token, const struct run *r)
{
	pid_t left[32];
	int n = procs_with_arg(token, left, 32);

	if (n == 0)
		return;
	char *cmdline = slurp(fmt("/proc/%d/cmdline", (int)left[0]), NULL);
	char *state = task_status(left[0], left[0], "State");
	char *tracer = task_status(left[0], left[0], "TracerPid");
	char *parent = task_status(left[0], left[0], "PPid");
	kill_leftovers(token);
	cr_assert_fail("%s: %d process(es) of the trace left behind after hstrace %s, the first (%d, %s, parent %s)"
		       " in state %s, tracer %s; stderr:\n%s", r->what, n, describe_status(r->status), (int)left[0],
		       cmdline, parent ? parent : "?", state ? state : "?", tracer ? tracer : "?", r->err);
}

/* --- the sweeps ------------------------------------------------------------- */

/* Failure points: every one up to 200, then geometrically up to total. */
static size_t sample_points(uint64_t total, long long *points, size_t max)
{
	size_t n = 0;

	for (uint64_t p = 0; p <= total && n < max; p = p < 200 ? p + 1 : p + p / 4)
		points[n++] = (long long)p;
	return n;
}

/*
 * The launched program: a shell that runs the helper three times (calls in a
 * loop, threads, a fork), so tracees come and go while hstrace records.
 * TOKEN (the test's directory) is on every command line, to find leftovers.
 */
static char **launched_argv(const char *const *hstrace_opts, size_t nopts)
{
	char **argv = keep(calloc(nopts + 8, sizeof(char *)));
	size_t k = 0;

	argv[k++] = (char *)hstrace_bin();
	for (size_t i = 0; i < nopts; i++)
		argv[k++] = (char *)hstrace_opts[i];
	argv[k++] = "--";
	argv[k++] = "/bin/sh";
	argv[k++] = "-c";
	argv[k++] = fmt("%s count 300 \"$0\" && %s threads 3 \"$0\" >/dev/null && %s fork \"$0\" >/dev/null",
			HELPER, HELPER, HELPER);
	argv[k++] = tmpdir;
	return argv;
}

/*
 * One run of a launched trace with the given shim settings: the outcome,
 * nothing left behind, the log readable.  Returns the shim's counts.
 */
static struct counts launched_run(const char *const *opts, size_t nopts, const char *log, const struct oom *o,
				  const char *what)
{
	if (log)
		unlink(log); /* not the last run's, if this one fails before making it */
	struct run r = run_hstrace(launched_argv(opts, nopts), oom_env(o), tmpdir, what);
	struct counts c = read_counts();

	assert_clean_outcome(&r);
	assert_nothing_left(tmpdir, &r);
	if (log)
		assert_log_reads_back(log, what);
	return c;
}

static void sweep_launched(const char *const *opts, size_t nopts, const char *log, const char *name)
{
	struct oom count_only = { NULL, 0, 0, "liburcu" };
	struct counts base = launched_run(opts, nopts, log, &count_only, fmt("%s, counting", name));
	long long points[400];
	size_t npoints = sample_points(base.counted, points, 400);
	uint64_t failed = 0, runs_failing = 0;

	cr_assert_gt(base.counted, 10, "%s: only %llu allocations counted: the shim does not interpose", name,
		     (unsigned long long)base.counted);
	for (size_t i = 0; i < npoints; i++) {
		static const char *const modes[] = { "AFTER", "ONLY" };
		for (int m = 0; m < 2; m++) {
			struct oom o = { modes[m], points[i], 0, "liburcu" };
			struct counts c = launched_run(opts, nopts, log, &o,
						       fmt("%s, HST_OOM_%s=%lld", name, modes[m], points[i]));
			failed += c.failed;
			runs_failing += c.failed > 0;
		}
	}
	cr_assert_gt(failed, 0, "%s: no allocation was made to fail", name);
	fprintf(stderr, "oom::%s: %llu allocations per run, %zu failure points x 2 modes, %llu runs with failures\n",
		name, (unsigned long long)base.counted, npoints, (unsigned long long)runs_failing);
}

Test(oom, sweep_launched_log)
{
	char *log = tpath("trace.bin");
	const char *opts[] = { "-q", "--out", log };

	sweep_launched(opts, 3, log, "sweep_launched_log");
}

Test(oom, sweep_launched_text)
{
	const char *opts[] = { "-q", "-o", tpath("trace.txt") };

	sweep_launched(opts, 3, NULL, "sweep_launched_text");
}

/*
 * -p: the target (the helper ticking in two threads) outlives every run.
 * Each run attaches, traces a little, and is asked to stop (SIGINT) unless
 * it ended by itself; then every thread of the target must run untraced.
 */
static pid_t start_target(void)
{
	char *out = tpath("target.out");
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid;

	cr_assert_geq(fd, 0);
	pid = spawn_child(ARGV(HELPER, "sleep", "1", tmpdir), NULL, fd, -1, -1);
	for (int i = 0; i < 400 && !strstr(slurp(out, NULL), "ready"); i++)
		sleep_ms(5);
	cr_assert(strstr(slurp(out, NULL), "ready"), "the target did not start");
	return pid;
}

static int target_tids(pid_t pid, pid_t *tids, int max)
{
	DIR *d = opendir(fmt("/proc/%d/task", (int)pid));
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d, "the target is gone");
	while (n < max && (de = readdir(d)))
		if (atoi(de->d_name) > 0)
			tids[n++] = atoi(de->d_name);
	closedir(d);
	return n;
}

static bool target_traced(pid_t pid)
{
	pid_t tids[8];
	int n = target_tids(pid, tids, 8);

	for (int i = 0; i < n; i++) {
		char *tracer = task_status(pid, tids[i], "TracerPid");
		if (tracer && strcmp(tracer, "0"))
			return true;
	}
	return false;
}

static void assert_target_running(pid_t pid, const char *what)
{
	pid_t tids[8];
	int n;

	cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "%s: the attached process ended", what);
	n = target_tids(pid, tids, 8);
	cr_assert_eq(n, 2, "%s: the attached process has %d threads", what, n);
	for (int i = 0; i < n; i++) {
		char *tracer = task_status(pid, tids[i], "TracerPid");
		char *state = task_status(pid, tids[i], "State");
		cr_assert(tracer && state, "%s: thread %d is gone", what, (int)tids[i]);
		cr_assert_str_eq(tracer, "0", "%s: thread %d still traced (state %s)", what, (int)tids[i], state);
		cr_assert(state[0] == 'R' || state[0] == 'S', "%s: thread %d left in state %s", what, (int)tids[i],
			  state);
	}
}

static struct counts attached_run(pid_t target, const char *log, const struct oom *o, const char *what)
{
	char *err_path = tpath("hstrace.err");
	int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct run r = { 0, NULL, 0, what };
	bool ended = false;

	cr_assert_geq(err_fd, 0);
	unlink(log);
	pid_t pid = spawn_child(ARGV((char *)hstrace_bin(), "-q", "--out", (char *)log, "-p", fmt("%d", (int)target)),
				oom_env(o), -1, err_fd, -1);
	close(err_fd);
	/* Attached (or failed): then let it trace some ticks. */
	for (int waited = 0; waited < ATTACH_BOUND_MS && !target_traced(target); waited += 5) {
		if (waitpid(pid, &r.status, WNOHANG) == pid) {
			ended = true;
			break;
		}
		sleep_ms(5);
	}
	if (!ended) {
		sleep_ms(50);
		kill(pid, SIGINT);
		if (!wait_bounded(pid, &r.status, RUN_BOUND_MS)) {
			kill(pid, SIGKILL);
			wait_status(pid);
			cr_assert_fail("%s: hstrace did not end within %d ms of SIGINT; stderr:\n%s", what, RUN_BOUND_MS,
				       slurp(err_path, NULL));
		}
	}
	r.err = slurp(err_path, &r.err_len);
	struct counts c = read_counts();
	assert_clean_outcome(&r);
	assert_target_running(target, what);
	assert_log_reads_back(log, what);
	return c;
}

Test(oom, sweep_attached)
{
	char *log = tpath("trace.bin");
	pid_t target = start_target();
	struct oom count_only = { NULL, 0, 0, "liburcu" };
	struct counts base = attached_run(target, log, &count_only, "sweep_attached, counting");
	long long points[400];
	size_t npoints = sample_points(base.counted, points, 400);
	uint64_t failed = 0;

	cr_assert_gt(base.counted, 10, "only %llu allocations counted", (unsigned long long)base.counted);
	for (size_t i = 0; i < npoints; i++) {
		static const char *const modes[] = { "AFTER", "ONLY" };
		for (int m = 0; m < 2; m++) {
			struct oom o = { modes[m], points[i], 0, "liburcu" };
			failed += attached_run(target, log, &o,
					       fmt("sweep_attached, HST_OOM_%s=%lld", modes[m], points[i])).failed;
		}
	}
	kill(target, SIGKILL);
	wait_status(target);
	cr_assert_gt(failed, 0, "no allocation was made to fail");
	fprintf(stderr, "oom::sweep_attached: %llu allocations per run, %zu failure points x 2 modes\n",
		(unsigned long long)base.counted, npoints);
}

/*
 * A path of about 4 KiB (nested directories of the test's directory) that
 * is a symbolic link to target.
 */
static char *long_link(const char *target)
{
	char *path = tmpdir;
	char name[256];

	memset(name, 'd', 255);
	name[255] = '\0';
	while (4069 - strlen(path) > 256) {
		path = fmt("%s/%.200s", path, name);
		cr_assert_eq(mkdir(path, 0755), 0, "mkdir: %s", strerror(errno));
	}
	path = fmt("%s/%.*s", path, (int)(4069 - strlen(path) - 1), name);
	cr_assert_eq(symlink(target, path), 0, "symlink: %s", strerror(errno));
	return path;
}

/*
 * The log writer thread (the first thread libhstrace starts for `--out`
 * alone: hstrace_start starts the sinks, then the ptrace thread) gets no
 * memory at all.  It allocates after start only for a record larger than
 * its 256 KiB block buffer.  The shell runs the helper (a first block of
 * calls), then execs `env -i` with 32 variables of 4079 bytes to exec
 * `yes` (which never ends by itself) under a 4 KiB path with 31 arguments
 * of 4079 bytes: -s 4079
 * keeps the 32 first strings of argv and of the environment whole, 128 KiB
 * each (the most a record keeps), and with the path that execve's record
 * does not fit.  The writer fails, the trace ends with the program killed,
 * and the log reads back to its last complete block.
 */
Test(oom, log_writer_thread)
{
	char *log = tpath("trace.bin");
	char *script = fmt("%s count 300 \"$0\"; v=$(printf '%%4079s' x | tr ' ' y); exec env -i"
			   " $(i=0; while [ $i -lt 32 ]; do printf 'V%%d=%%s ' $i \"$v\"; i=$((i+1)); done)"
			   " \"$1\" $(i=0; while [ $i -lt 31 ]; do printf '%%s ' \"$v\"; i=$((i+1)); done) \"$0\"",
			   HELPER);
	struct oom o = { "AFTER", 0, 1, NULL };
	struct run r = run_hstrace(ARGV((char *)hstrace_bin(), "-s", "4079", "--out", log, "--", "/bin/sh", "-c",
					script, tmpdir, long_link("/usr/bin/yes")),
				   oom_env(&o), tmpdir, "log_writer_thread");
	struct counts c = read_counts();

	cr_assert_gt(c.failed, 0, "no allocation failed in the log writer thread (%s; stderr: %s)",
		     describe_status(r.status), r.err);
	assert_clean_outcome(&r);
	cr_assert_eq(WEXITSTATUS(r.status), 1, "hstrace %s", describe_status(r.status));
	cr_assert(starts_with(r.err, fmt("hstrace: cannot write log %s: Cannot allocate memory; tracing stopped,"
					 " the program was killed", log)), "stderr: %s", r.err);
	assert_nothing_left(tmpdir, &r);
	assert_log_reads_back(log, "log_writer_thread");
	/*
	 * The calls before the execve are in the log, and no END block claims
	 * it is whole: it reads as cut where the writer failed, as after a
	 * full disk.
	 */
	char *text = tpath("read.txt");
	struct result rd = run_capture(ARGV((char *)hstrace_bin(), "--read", log, "-o", text), NULL, -1);
	cr_assert(WIFEXITED(rd.status) && WEXITSTATUS(rd.status) == 1 &&
		  starts_with(rd.err, fmt("hstrace: %s: log is truncated at byte ", log)),
		  "--read %s: %s", describe_status(rd.status), rd.err);
	cr_assert_not_null(strstr(slurp(text, NULL), "getppid()"), "the log lost the calls before the failure");
}

/*
 * The text sink's thread gets no memory (-o alone: hstrace_start starts the
 * decode worker, then the text sink, then the ptrace thread): its output
 * buffer cannot grow for the first line.  The output is dropped with one
 * line naming the file, the program runs to its end, hstrace exits 1.
 */
Test(oom, text_sink_thread)
{
	char *text = tpath("trace.txt");
	struct oom o = { "AFTER", 0, 2, NULL };
	struct run r = run_hstrace(launched_argv((const char *const[]){ "-q", "-o", text }, 3), oom_env(&o), tmpdir,
				   "text_sink_thread");
	struct counts c = read_counts();

	cr_assert_gt(c.failed, 0, "no allocation failed in the text sink (%s; stderr: %s)", describe_status(r.status),
		     r.err);
	assert_clean_outcome(&r);
	cr_assert_eq(WEXITSTATUS(r.status), 1, "hstrace %s", describe_status(r.status));
	cr_assert_str_eq(r.err, fmt("hstrace: cannot write %s: Cannot allocate memory\n", text));
	assert_nothing_left(tmpdir, &r);
}
