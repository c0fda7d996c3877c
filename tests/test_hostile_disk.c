/*
 * A disk that fills up under `hstrace --out` (issue 6), end to end.
 *
 * What hstrace promises when the log cannot be written (ENOSPC, EFBIG...):
 *   - one line on stderr naming the file and the error, and a non-zero exit;
 *   - the trace ends: a launched program (and all it started) is killed,
 *     attached processes (-p) are detached and go on, untraced and running;
 *   - the log keeps every block completed before the error, and
 *     `hstrace --read` renders them, then says in one line where it stopped.
 *
 * Three ways to fill a disk: a 1 MiB tmpfs mounted in the test's
 * directory (needs root and mount permission; the test says it is skipped
 * otherwise), RLIMIT_FSIZE (write fails with EFBIG; hstrace's threads block
 * SIGXFSZ, so it gets the error rather than the signal), and /dev/full,
 * where the very first write fails.  The traced program is `yes TOKEN`: it
 * never ends on its own and makes a write per 8 KiB, so only hstrace
 * killing it ends the run, and TOKEN (the test's directory) finds any
 * process of the test left behind.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/*
 * The log writer's blocks hold at most 256 KiB of records, and one is
 * written whenever the ring runs dry: 1 MiB holds at least three whole
 * blocks however they fell (at 256 KiB, the first block alone could be too
 * big, and nothing was kept).
 */
#define DISK_BYTES (1024 * 1024)
/* Not a timing check: only a bound so that a tracee left running cannot hang the suite. */
#define HSTRACE_END_BOUND_S 120

static char mnt[128];

static void suite_init(void)
{
	tu_suite_init("/tmp/hst_disk_XXXXXX");
	mnt[0] = '\0';
}

static void suite_fini(void)
{
	if (mnt[0])
		umount2(mnt, MNT_DETACH);
	tu_suite_fini();
}

TestSuite(disk, .init = suite_init, .fini = suite_fini, .timeout = 240);

/* A line of /proc/PID/status ("State", "TracerPid"), value only, kept. */
static char *proc_status(pid_t pid, const char *field)
{
	char *status = slurp(fmt("/proc/%d/status", (int)pid), NULL);
	char *at = strstr(status, fmt("\n%s:", field));

	cr_assert_not_null(at, "no %s in /proc/%d/status", field, (int)pid);
	at += strlen(field) + 2;
	at += strspn(at, " \t");
	at[strcspn(at, "\n")] = '\0';
	return at;
}

/*
 * Run hstrace (argv) with stderr in a file, and wait for it to end, at most
 * HSTRACE_END_BOUND_S: if it does not end, what it traces was left running,
 * and the test fails after killing everything of it.
 */
static struct result run_bounded(char *const argv[], const char *token)
{
	char *err_path = tpath("hstrace.err");
	int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct result r = { 0 };
	pid_t pid;

	cr_assert_geq(err_fd, 0);
	pid = spawn_child(argv, NULL, -1, err_fd, -1);
	close(err_fd);
	for (int i = 0; i < HSTRACE_END_BOUND_S * 20; i++) {
		pid_t done = waitpid(pid, &r.status, WNOHANG);
		if (done == pid) {
			r.err = slurp(err_path, &r.err_len);
			r.out = "";
			return r;
		}
		cr_assert(done == 0 || errno == EINTR, "waitpid: %s", strerror(errno));
		struct timespec tick = { 0, 50 * 1000 * 1000 };
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	wait_status(pid);
	pid_t left[16];
	int n = procs_with_arg(token, left, 16);
	for (int i = 0; i < n; i++)
		kill(left[i], SIGKILL);
	cr_assert_fail("hstrace did not end within %d s of a full disk (%d processes of the test "
		       "still there); stderr:\n%s", HSTRACE_END_BOUND_S, n, slurp(err_path, NULL));
	return r;
}

static void assert_one_line(const struct result *r)
{
	size_t len = strlen(r->err);

	cr_assert_eq(len, r->err_len, "stderr holds a NUL byte: '%s'", r->err);
	cr_assert(len > 0 && r->err[len - 1] == '\n' && strchr(r->err, '\n') == r->err + len - 1,
		  "stderr is not exactly one line:\n%s", r->err);
	cr_assert(starts_with(r->err, "hstrace: "), "stderr: %s", r->err);
}

/* The error line of a recording whose log could not be written. */
static void assert_write_error(const struct result *r, const char *log, const char *errtext,
			       const char *fate)
{
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) != 0, "hstrace %s; stderr:\n%s",
		  describe_status(r->status), r->err);
	assert_one_line(r);
	cr_assert_not_null(strstr(r->err, fmt("cannot write log %s: %s", log, errtext)),
			   "the message does not name the log and the error: %s", r->err);
	if (fate)
		cr_assert_not_null(strstr(r->err, fate), "the message does not say '%s': %s", fate, r->err);
}

/*
 * The log renders up to its last complete block: records, then one line
 * saying where it was cut; the text is whole lines, from the execve on.
 */
static void assert_readable_to_the_cut(const char *log, const char *first_call)
{
	char *text = tpath("read.txt");
	struct result r = run_capture(ARGV((char *)hstrace_bin(), "--read", (char *)log, "-o", text), NULL, -1);
	unsigned long long at = 0, records = 0;
	struct stat st;

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1, "--read: %s; stderr:\n%s",
		  describe_status(r.status), r.err);
	assert_one_line(&r);
	cr_assert_eq(sscanf(r.err + strlen(fmt("hstrace: %s: log is truncated", log)),
			    " at byte %llu after %llu records", &at, &records), 2,
		     "not the note about the cut: %s", r.err);
	cr_assert(starts_with(r.err, fmt("hstrace: %s: log is truncated at byte ", log)), "%s", r.err);
	cr_assert_eq(stat(log, &st), 0);
	cr_assert(at > 0 && at <= (unsigned long long)st.st_size, "cut at %llu of %lld", at, (long long)st.st_size);
	cr_assert_gt(records, 100, "only %llu records kept", records);
	size_t len;
	char *lines = slurp(text, &len);
	cr_assert(len > 0 && lines[len - 1] == '\n', "the rendered text does not end with a whole line");
	cr_assert_not_null(strstr(strtok(lines, "\n"), first_call), "first line: %s", lines);
}

static void assert_nothing_left(const char *token)
{
	pid_t left[16];
	int n = procs_with_arg(token, left, 16);

	for (int i = 0; i < n; i++) {
		char *state = proc_status(left[i], "State");
		kill(left[i], SIGKILL);
		cr_assert_fail("process %d of the trace left behind, state %s", (int)left[i], state);
	}
}

/* Run `hstrace --out log -- yes TOKEN` and check all of the above. */
static void launched_fills(const char *log, const char *errtext)
{
	const char *token = tmpdir;
	struct result r = run_bounded(ARGV((char *)hstrace_bin(), "--out", (char *)log, "--", "yes",
					   (char *)token), token);

	assert_write_error(&r, log, errtext, "the program was killed");
	assert_nothing_left(token);
	assert_readable_to_the_cut(log, "execve(");
}

static struct rlimit limit_file_size(rlim_t bytes)
{
	struct rlimit old, lim;

	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = bytes;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0, "setrlimit: %s", strerror(errno));
	return old;
}

Test(disk, tmpfs_fills_up)
{
	snprintf(mnt, sizeof(mnt), "%s", tpath("mnt"));
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, fmt("size=%d", DISK_BYTES)) < 0) {
		fprintf(stderr, "disk::tmpfs_fills_up skipped: cannot mount a tmpfs (%s); "
			"disk::file_size_limit covers the same path with EFBIG\n", strerror(errno));
		mnt[0] = '\0';
		return;
	}
	launched_fills(fmt("%s/trace.bin", mnt), "No space left on device");
}

/* RLIMIT_FSIZE, inherited by hstrace (and by yes, which writes to /dev/null). */
Test(disk, file_size_limit)
{
	char *log = tpath("trace.bin");
	const char *token = tmpdir;
	struct rlimit old;

	old = limit_file_size(DISK_BYTES);
	/* The limit is only for hstrace: run_bounded's files are small. */
	struct result r = run_bounded(ARGV((char *)hstrace_bin(), "--out", log, "--", "yes", (char *)token),
				      token);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_write_error(&r, log, "File too large", "the program was killed");
	assert_nothing_left(token);
	assert_readable_to_the_cut(log, "execve(");
}

/*
 * Wait (at most 10 s) until pid has written something: past its startup,
 * in its write loop.
 */
static void wait_until_writing(pid_t pid)
{
	for (int i = 0; i < 1000; i++) {
		char *io = slurp(fmt("/proc/%d/io", (int)pid), NULL);
		char *at = strstr(io, "\nwchar:");
		if (at && strtoull(at + 7, NULL, 10) > 0)
			return;
		usleep(10000);
	}
	cr_assert_fail("process %d wrote nothing in 10 s", (int)pid);
}

/* -p: the process is not ours to end; it is detached and runs on, untraced. */
Test(disk, attached_process_is_detached)
{
	char *log = tpath("trace.bin");
	const char *token = tmpdir;
	pid_t yes = spawn_child(ARGV("/usr/bin/yes", (char *)token), NULL, -1, -1, -1);
	/* Attached in its startup, the trace would begin with brk or mmap. */
	wait_until_writing(yes);
	struct rlimit old = limit_file_size(DISK_BYTES);
	struct result r = run_bounded(ARGV((char *)hstrace_bin(), "-q", "--out", log, "-p",
					   fmt("%d", (int)yes)), token);

	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_write_error(&r, log, "File too large", "the processes were detached");
	cr_assert_eq(waitpid(yes, NULL, WNOHANG), 0, "the attached process ended");
	char *state = proc_status(yes, "State");
	cr_assert_str_eq(proc_status(yes, "TracerPid"), "0", "still traced (state %s)", state);
	cr_assert(state[0] == 'R' || state[0] == 'S', "left in state %s", state);
	kill(yes, SIGKILL);
	wait_status(yes);
	assert_readable_to_the_cut(log, "write(");
}

/* The first write fails: the program is never started. */
Test(disk, dev_full_at_start)
{
	char *ran = tpath("ran");
	struct result r = run_capture(ARGV((char *)hstrace_bin(), "--out", "/dev/full", "--", "touch", ran),
				      NULL, -1);

	assert_write_error(&r, "/dev/full", "No space left on device", NULL);
	cr_assert_neq(access(ran, F_OK), 0, "the program ran although the log could not be written");
}
