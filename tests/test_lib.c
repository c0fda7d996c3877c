/*
 * The public library, used the way a program embedding it would: only
 * <hstrace/hstrace.h>, linked against the shared library.
 *
 * Traced programs are modes of tests/helper.c (HSTRACE_HELPER, set by meson),
 * whose calls are known in advance: `count N` makes exactly N getppid calls,
 * so N must come out as N events; `files DIR` makes the openat, write, read
 * and close calls whose typed arguments are checked field by field.
 *
 * The launched program inherits this process's file descriptors (the library
 * does not close them), so fd numbers are taken from the events themselves.
 * Its stdout goes to a file of the test, read afterwards for pids and tids.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hstrace/hstrace.h>

#include "testutil.h"

/* ------------------------------------------------------------------------
 * Scaffolding: a directory per test (tests/testutil.c)
 */

static char *stdout_path;

static void suite_init(void)
{
	tu_suite_init("/tmp/hst_lib_XXXXXX");
}

static void suite_fini(void)
{
	tu_suite_fini();
	stdout_path = NULL;
}

TestSuite(lib, .init = suite_init, .fini = suite_fini, .timeout = 120);

/* hstrace_start() with the helper's stdout sent to a file of the test. */
static int start_redirected(hstrace_t *t)
{
	int saved = dup(1), fd, err;

	if (!stdout_path)
		stdout_path = tpath("stdout");
	fd = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(saved >= 0 && fd >= 0);
	fflush(stdout);
	dup2(fd, 1);
	close(fd);
	err = hstrace_start(t);
	dup2(saved, 1);
	close(saved);
	return err;
}

/* What the helper printed: "pid P\n" and maybe "tids A B C\n". */
static void helper_output(char *buf, size_t size)
{
	int fd = open(stdout_path, O_RDONLY);
	ssize_t n;

	cr_assert_geq(fd, 0);
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
}

static hstrace_t *start_helper(char *const *args)
{
	hstrace_t *t = hstrace_new();
	int err;

	cr_assert_not_null(t);
	cr_assert_eq(hstrace_program(t, helper_bin()), 0);
	for (size_t i = 0; args[i]; i++)
		cr_assert_eq(hstrace_arg(t, args[i]), 0);
	err = start_redirected(t);
	cr_assert_eq(err, 0, "hstrace_start: %s", hstrace_strerror(err));
	return t;
}

static bool is_call(const hstrace_call_t *c, int nr)
{
	return c->kind == HSTRACE_EV_SYSCALL && c->syscall == nr;
}

/* ------------------------------------------------------------------------
 * N syscalls in, N events out
 */

Test(lib, count_getppid_events)
{
	enum { N = 2000 };
	hstrace_t *t = start_helper(ARGV("count", "2000"));
	const hstrace_call_t *c;
	pid_t pid = 0;
	long n = 0, exits = 0;
	uint64_t last_seq = 0;

	while ((c = hstrace_next(t)) != NULL) {
		if (!pid) {
			cr_assert(is_call(c, HSTRACE_SYS_execve), "first event %s, not execve", c->name);
			pid = c->pid;
		}
		cr_assert_eq(c->pid, pid, "event %s of pid %d", c->name, c->pid);
		cr_assert_eq(c->tid, pid);
		/* Named by the program its execve runs, the exit too. */
		cr_assert(c->comm && !strcmp(c->comm, "helper"), "%s: comm %s", c->name, c->comm ? c->comm : "NULL");
		if (n || exits)
			cr_assert_gt(c->seq, last_seq, "events out of capture order");
		last_seq = c->seq;
		if (is_call(c, HSTRACE_SYS_getppid)) {
			cr_assert_str_eq(c->name, "getppid");
			cr_assert(c->returned);
			cr_assert_eq(c->ret, getpid(), "getppid returned %lld", (long long)c->ret);
			cr_assert_eq(c->error, 0);
			n++;
		} else if (c->kind == HSTRACE_EV_EXITED) {
			cr_assert_eq(c->ret, 0);
			exits++;
		}
	}
	cr_assert_eq(n, N, "%ld getppid events for %d calls", n, N);
	cr_assert_eq(exits, 1);
	cr_assert_eq(hstrace_wait(t), 0);
	int st = hstrace_exit_status(t);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	hstrace_stats_t stats;
	hstrace_get_stats(t, &stats);
	cr_assert_geq(stats.records, 2 * N);
	cr_assert_eq(stats.processes, 1);
	hstrace_free(t);
}

/* ------------------------------------------------------------------------
 * Typed arguments
 */

/* The bytes tests/helper.c writes in its files mode. */
static const char w1[] = "hi\tthere\n\"q\" \\ \033[31mred\033[0m\177\0012";
static const char w2[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
static const char w3[] = "\0x\351";

static void check_buf(const void *buf, size_t len, const char *want, size_t want_len, const char *what)
{
	size_t shown = want_len < 32 ? want_len : 32; /* -s 32 */
	cr_assert_eq(len, shown, "%s: %zu bytes captured", what, len);
	cr_assert_not_null(buf, "%s", what);
	cr_assert(!memcmp(buf, want, shown), "%s: wrong bytes", what);
}

Test(lib, files_typed_arguments)
{
	char path[128], file[128];
	hstrace_t *t;
	const hstrace_call_t *c;
	int opens = 0, writes = 0, reads = 0, fd = -1;
	bool saw_execve = false, saw_close99 = false, saw_exit_group = false, saw_exited = false;
	snprintf(path, sizeof(path), "%s/a", tmpdir);
	t = start_helper(ARGV("files", tmpdir));
	while ((c = hstrace_next(t)) != NULL) {
		if (is_call(c, HSTRACE_SYS_execve) && !saw_execve) {
			cr_assert_eq(c->ret, 0);
			saw_execve = true;
		} else if (is_call(c, HSTRACE_SYS_openat) && !strcmp(c->inner.openat.pathname, path)) {
			const struct hstrace_args_openat *a = &c->inner.openat;
			cr_assert_eq(a->dirfd, AT_FDCWD);
			if (opens++ == 0) {
				cr_assert_eq(a->flags, O_WRONLY | O_CREAT | O_TRUNC, "flags %#x", a->flags);
				cr_assert_eq(a->mode, 0644, "mode %#llo", (unsigned long long)a->mode);
				cr_assert_geq(c->ret, 3);
				fd = (int)c->ret;
			} else {
				cr_assert_eq(a->flags, O_RDONLY, "flags %#x", a->flags);
				cr_assert_eq(c->ret, fd);
			}
			cr_assert_eq(c->error, 0);
			cr_assert_eq(c->category, HSTRACE_CAT_FILE, "openat is in category %s",
				     hstrace_category_name(c->category));
		} else if (is_call(c, HSTRACE_SYS_write) && fd >= 0 && c->inner.write.fd == fd) {
			const struct hstrace_args_write *a = &c->inner.write;
			const char *want[] = { w1, w2, w3 };
			size_t len[] = { sizeof(w1) - 1, sizeof(w2) - 1, sizeof(w3) - 1 };
			cr_assert_lt(writes, 3);
			cr_assert_eq(a->count, len[writes]);
			cr_assert_eq(c->ret, (int64_t)len[writes]);
			check_buf(a->buf, a->buf_len, want[writes], len[writes], "write");
			writes++;
		} else if (is_call(c, HSTRACE_SYS_read) && fd >= 0 && c->inner.read.fd == fd) {
			const struct hstrace_args_read *a = &c->inner.read;
			cr_assert_eq(a->count, 128);
			if (reads++ == 0) {
				memcpy(file, w1, sizeof(w1) - 1);
				memcpy(file + sizeof(w1) - 1, w2, sizeof(w2) - 1);
				cr_assert_eq(c->ret, 73);
				check_buf(a->buf, a->buf_len, file, 73, "read");
			} else {
				cr_assert_eq(c->ret, 0);
				cr_assert_eq(a->buf_len, 0);
			}
		} else if (is_call(c, HSTRACE_SYS_close) && c->inner.close.fd == 99) {
			cr_assert_eq(c->ret, -1);
			cr_assert_eq(c->error, EBADF);
			saw_close99 = true;
		} else if (is_call(c, HSTRACE_SYS_exit_group)) {
			cr_assert_eq(c->inner.exit_group.status, 7);
			cr_assert(!c->returned);
			saw_exit_group = true;
		} else if (c->kind == HSTRACE_EV_EXITED) {
			cr_assert_eq(c->ret, 7);
			saw_exited = true;
		}
	}
	cr_assert(saw_execve && saw_close99 && saw_exit_group && saw_exited);
	cr_assert_eq(opens, 2);
	cr_assert_eq(writes, 3);
	cr_assert_eq(reads, 2);
	cr_assert_eq(hstrace_wait(t), 0);
	int st = hstrace_exit_status(t);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
	hstrace_free(t);
}

/*
 * execve's arguments, and its environment: the text shows "N vars", so the
 * typed struct must count the same N.
 */
Test(lib, execve_typed_arguments)
{
	hstrace_t *t = start_helper(ARGV("count", "1", "extra arg"));
	const hstrace_call_t *c;
	size_t envc = 0;
	bool seen = false;
	extern char **environ;

	while (environ[envc])
		envc++;
	while ((c = hstrace_next(t)) != NULL) {
		if (!is_call(c, HSTRACE_SYS_execve))
			continue;
		const struct hstrace_args_execve *a = &c->inner.execve;
		cr_assert(!seen, "a second execve");
		seen = true;
		cr_assert_eq(c->ret, 0);
		cr_assert_eq(c->category, HSTRACE_CAT_PROCESS, "category %s", hstrace_category_name(c->category));
		cr_assert_str_eq(a->pathname, helper_bin());
		cr_assert_eq(a->argv_count, 4);
		/* argv strings are cut at the string limit (-s, 32 by default). */
		cr_assert(strncmp(a->argv[0], helper_bin(), 32) == 0 && strlen(a->argv[0]) <= 32,
			  "argv[0] %s", a->argv[0]);
		cr_assert_str_eq(a->argv[1], "count");
		cr_assert_str_eq(a->argv[2], "1");
		cr_assert_str_eq(a->argv[3], "extra arg");
		cr_assert_eq(a->envp_count, envc, "envp_count is %zu, the program got %zu variables", a->envp_count,
			     envc);
	}
	cr_assert(seen);
	cr_assert_eq(hstrace_wait(t), 0);
	hstrace_free(t);
}

/*
 * The typed structs of the decoding rows, and a filter: readlink's output
 * buffer as .dst, with only the filtered calls reaching hstrace_next().
 */
Test(lib, readlink_dst_and_filter)
{
	hstrace_t *t = hstrace_new();
	const hstrace_call_t *c;
	int n = 0, err;

	cr_assert_not_null(t);
	cr_assert_eq(hstrace_program(t, "readlink"), 0);
	cr_assert_eq(hstrace_arg(t, "/proc/self/exe"), 0);
	cr_assert_eq(hstrace_filter(t, "trace=readlink,readlinkat"), 0, "%s", hstrace_filter_error(t));
	cr_assert_eq(hstrace_filter(t, "trace=nosuch"), HSTRACE_E_FILTER);
	cr_assert(strstr(hstrace_filter_error(t), "nosuch"), "%s", hstrace_filter_error(t));
	err = start_redirected(t);
	cr_assert_eq(err, 0, "%s", hstrace_strerror(err));
	while ((c = hstrace_next(t)) != NULL) {
		if (c->kind != HSTRACE_EV_SYSCALL)
			continue;
		cr_assert(c->syscall == HSTRACE_SYS_readlink || c->syscall == HSTRACE_SYS_readlinkat,
			  "%s passed the filter", c->name);
		if (c->syscall == HSTRACE_SYS_readlink && c->ret > 0) {
			const struct hstrace_args_readlink *a = &c->inner.readlink;
			cr_assert_str_eq(a->pathname, "/proc/self/exe");
			cr_assert_eq(a->dst_len, (size_t)c->ret);
			cr_assert(memcmp(a->dst, "/usr/bin/readlink", a->dst_len) == 0 ||
				  memcmp(a->dst, "/bin/readlink", a->dst_len) == 0, "%.*s", (int)a->dst_len,
				  (const char *)a->dst);
			cr_assert_eq(c->category, HSTRACE_CAT_FILE);
			cr_assert_eq(c->mode, HSTRACE_MODE_INFO);
		}
		n++;
	}
	cr_assert_geq(n, 1);
	hstrace_wait(t);
	hstrace_free(t);
}

/*
 * A path filter (-P) is the outputs' selection: hstrace_next() gives the
 * calls naming the path and those on the descriptors they returned, and
 * nothing else (not the helper's write to stdout, not close(99)).
 */
Test(lib, path_filter_events)
{
	char *path = tpath("a");
	hstrace_t *t = hstrace_new();
	const hstrace_call_t *c;
	int opens = 0, writes = 0, reads = 0, closes = 0, err;

	cr_assert_not_null(t);
	cr_assert_eq(hstrace_program(t, helper_bin()), 0);
	cr_assert_eq(hstrace_arg(t, "files"), 0);
	cr_assert_eq(hstrace_arg(t, tmpdir), 0);
	cr_assert_eq(hstrace_filter(t, fmt("path=%s", path)), 0, "%s", hstrace_filter_error(t));
	err = start_redirected(t);
	cr_assert_eq(err, 0, "%s", hstrace_strerror(err));
	while ((c = hstrace_next(t)) != NULL) {
		if (c->kind != HSTRACE_EV_SYSCALL)
			continue;
		if (c->syscall == HSTRACE_SYS_openat) {
			cr_assert_str_eq(c->inner.openat.pathname, path);
			opens++;
		} else if (c->syscall == HSTRACE_SYS_write) {
			cr_assert_eq(c->ret, c->inner.write.count, "%s", c->name);
			cr_assert_neq((int)c->args[0], 1, "the write to stdout is not on the path");
			writes++;
		} else if (c->syscall == HSTRACE_SYS_read) {
			reads++;
		} else if (c->syscall == HSTRACE_SYS_close) {
			cr_assert_eq(c->ret, 0, "close(%d) is not on the path", (int)c->args[0]);
			closes++;
		} else {
			cr_assert_fail("%s passed the path filter", c->name);
		}
	}
	cr_assert_eq(opens, 2);
	cr_assert_eq(writes, 3);
	cr_assert_eq(reads, 2);
	cr_assert_eq(closes, 2);
	hstrace_wait(t);
	hstrace_free(t);
}

/* ------------------------------------------------------------------------
 * Signals, kills, threads
 */

Test(lib, signal_events)
{
	hstrace_t *t = start_helper(ARGV("signal"));
	const hstrace_call_t *c;
	int signals = 0;
	char out[256];
	pid_t pid;

	while ((c = hstrace_next(t)) != NULL) {
		if (c->kind != HSTRACE_EV_SIGNAL)
			continue;
		cr_assert_eq(c->syscall, SIGUSR1);
		cr_assert_str_eq(c->name, "SIGUSR1");
		signals++;
		pid = c->pid;
	}
	cr_assert_eq(hstrace_wait(t), 0);
	helper_output(out, sizeof(out));
	cr_assert_eq(signals, 2);
	cr_assert_eq(pid, atoi(out + 4), "%s", out);
	hstrace_free(t);
}

Test(lib, killed_event)
{
	hstrace_t *t = start_helper(ARGV("kill-self"));
	const hstrace_call_t *c;
	int killed = 0;

	while ((c = hstrace_next(t)) != NULL) {
		if (c->kind == HSTRACE_EV_KILLED) {
			cr_assert_eq(c->ret, SIGKILL);
			killed++;
		}
		cr_assert_neq(c->kind, HSTRACE_EV_EXITED);
	}
	cr_assert_eq(killed, 1);
	cr_assert_eq(hstrace_wait(t), 0);
	int st = hstrace_exit_status(t);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	hstrace_free(t);
}

/*
 * kill -STOP of a launched program: one STOPPED event per thread, named by
 * the signal, and the program really stops (no tick until SIGCONT, which
 * comes as a SIGNAL event); then it is killed.
 */
Test(lib, stopped_events)
{
	hstrace_t *t = start_helper(ARGV("sleep", "1"));
	const hstrace_call_t *c;
	pid_t pid = 0, main_tid = 0, stopped[2] = { 0, 0 };
	bool ticks[2] = { false, false }, sent_stop = false, sent_cont = false, killed = false;
	unsigned nstopped = 0;

	while ((c = hstrace_next(t)) != NULL) {
		if (!pid)
			pid = main_tid = c->pid;
		/* Between its STOPPED event and SIGCONT a thread makes no call. */
		for (unsigned i = 0; i < nstopped && !sent_cont; i++)
			cr_assert(c->kind != HSTRACE_EV_SYSCALL || c->tid != stopped[i], "thread %d ran while stopped: %s",
				  c->tid, c->name);
		if (is_call(c, HSTRACE_SYS_write) && c->returned) {
			ticks[c->tid != main_tid] = true;
			if (ticks[0] && ticks[1] && !sent_stop) {
				cr_assert_eq(kill(pid, SIGSTOP), 0);
				sent_stop = true;
			}
			if (sent_cont && !killed) {
				cr_assert_eq(kill(pid, SIGKILL), 0);
				killed = true;
			}
		}
		if (c->kind == HSTRACE_EV_STOPPED) {
			cr_assert(sent_stop);
			cr_assert_eq(c->syscall, SIGSTOP);
			cr_assert_str_eq(c->name, "SIGSTOP");
			cr_assert_eq(c->pid, pid);
			cr_assert_lt(nstopped, 2, "a third STOPPED event, thread %d", c->tid);
			cr_assert(nstopped == 0 || stopped[0] != c->tid, "two STOPPED events for thread %d", c->tid);
			stopped[nstopped++] = c->tid;
			if (nstopped == 2) {
				cr_assert_eq(kill(pid, SIGCONT), 0);
				sent_cont = true;
			}
		}
	}
	cr_assert_eq(nstopped, 2, "STOPPED events: %u", nstopped);
	cr_assert(killed, "no tick after SIGCONT");
	cr_assert_eq(hstrace_wait(t), 0);
	hstrace_free(t);
}

Test(lib, thread_events)
{
	hstrace_t *t = start_helper(ARGV("threads", "4"));
	const hstrace_call_t *c;
	pid_t tid_of[4] = { 0 }, pid = 0, tids[4];
	char out[256];

	while ((c = hstrace_next(t)) != NULL) {
		if (!pid)
			pid = c->pid;
		cr_assert_eq(c->pid, pid, "thread group id %d, not %d", c->pid, pid);
		if (is_call(c, HSTRACE_SYS_write) && c->inner.write.fd == -1) {
			int k;
			cr_assert_eq(c->inner.write.buf_len, 8);
			cr_assert_eq(sscanf(c->inner.write.buf, "thread-%d", &k), 1);
			cr_assert(k >= 0 && k < 4 && !tid_of[k]);
			cr_assert_eq(c->error, EBADF);
			tid_of[k] = c->tid;
		}
	}
	cr_assert_eq(hstrace_wait(t), 0);
	helper_output(out, sizeof(out));
	cr_assert_eq(sscanf(strstr(out, "tids"), "tids %d %d %d %d", &tids[0], &tids[1], &tids[2], &tids[3]), 4,
		     "%s", out);
	for (int k = 0; k < 4; k++)
		cr_assert_eq(tid_of[k], tids[k], "thread-%d: event tid %d, real tid %d", k, tid_of[k], tids[k]);
	hstrace_free(t);
}

/* ------------------------------------------------------------------------
 * The log through the library: the same events come back
 */

struct summary {
	hstrace_event_kind_t kind;
	int syscall;
	pid_t pid, tid;
	uint64_t seq, ts_ns, duration_ns;
	bool returned;
	int64_t ret;
	int error;
	uint64_t args[6];
};

static size_t collect(hstrace_t *t, struct summary *v, size_t max)
{
	const hstrace_call_t *c;
	size_t n = 0;

	while ((c = hstrace_next(t)) != NULL) {
		cr_assert_lt(n, max);
		v[n] = (struct summary){ c->kind, c->syscall, c->pid, c->tid, c->seq, c->ts_ns,
					 c->duration_ns, c->returned, c->ret, c->error };
		memcpy(v[n].args, c->args, sizeof(v[n].args));
		n++;
	}
	return n;
}

Test(lib, log_replays_the_same_events)
{
	static struct summary live[20000], replay[20000];
	char log[128];
	hstrace_t *t;
	size_t nlive, nreplay;
	int fd, err;

	snprintf(log, sizeof(log), "%s/t.bin", tmpdir);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	t = hstrace_new();
	cr_assert_eq(hstrace_program(t, helper_bin()), 0);
	cr_assert_eq(hstrace_arg(t, "unfinished"), 0);
	cr_assert_eq(hstrace_arg(t, "3"), 0);
	cr_assert_eq(hstrace_output(t, HSTRACE_FMT_LOG, fd, 0), 0);
	err = start_redirected(t);
	cr_assert_eq(err, 0, "%s", hstrace_strerror(err));
	nlive = collect(t, live, 20000);
	cr_assert_eq(hstrace_wait(t), 0);
	hstrace_free(t);
	close(fd);

	t = hstrace_new();
	cr_assert_eq(hstrace_read_log(t, log), 0);
	err = hstrace_start(t);
	cr_assert_eq(err, 0, "%s", hstrace_strerror(err));
	nreplay = collect(t, replay, 20000);
	cr_assert_eq(hstrace_wait(t), 0);
	hstrace_free(t);

	cr_assert_gt(nlive, 0);
	cr_assert_eq(nreplay, nlive);
	for (size_t i = 0; i < nlive; i++)
		cr_assert(!memcmp(&live[i], &replay[i], sizeof(live[i])),
			  "event %zu differs: live %d/%d seq %llu, replay %d/%d seq %llu", i, live[i].kind,
			  live[i].syscall, (unsigned long long)live[i].seq, replay[i].kind, replay[i].syscall,
			  (unsigned long long)replay[i].seq);
}

/* ------------------------------------------------------------------------
 * Attach and stop
 */

static void *stop_thread(void *t)
{
	hstrace_stop(t);
	return NULL;
}

Test(lib, attach_then_stop_from_another_thread)
{
	int p[2], status;
	char line[256] = "";
	pid_t target, tids[2];
	hstrace_t *t;
	const hstrace_call_t *c;
	bool ticks[2] = { false, false }, stopped = false;
	pthread_t th;
	FILE *yama = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");

	if (yama) {
		int scope = 0;
		bool no_attach = fscanf(yama, "%d", &scope) == 1 && scope >= 3;
		fclose(yama);
		if (no_attach)
			cr_skip_test("ptrace_scope 3: attaching is disabled");
	}
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	target = fork();
	cr_assert_geq(target, 0);
	if (target == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		execl(helper_bin(), helper_bin(), "sleep", "1", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	cr_assert_eq(poll(&pf, 1, 60000), 1, "the helper did not start");
	cr_assert_gt(read(p[0], line, sizeof(line) - 1), 0);
	cr_assert_eq(sscanf(line, "ready %d %d", &tids[0], &tids[1]), 2, "%s", line);
	cr_assert_eq(tids[0], target);

	t = hstrace_new();
	cr_assert_eq(hstrace_pid(t, target), 0);
	int err = hstrace_start(t);
	cr_assert_eq(err, 0, "%s", hstrace_strerror(err));
	int detached[2] = { 0, 0 };
	while ((c = hstrace_next(t)) != NULL) {
		cr_assert_eq(c->pid, target);
		cr_assert(c->tid == tids[0] || c->tid == tids[1], "tid %d", c->tid);
		/* Attached: named by its comm, not unnamed until an execve. */
		cr_assert(c->comm && !strcmp(c->comm, "helper"), "%s: comm %s", c->name, c->comm ? c->comm : "NULL");
		/* One DETACHED event per thread, and nothing of it after that. */
		cr_assert_eq(detached[c->tid == tids[1]], 0, "%s of thread %d after its detach", c->name, c->tid);
		if (c->kind == HSTRACE_EV_DETACHED) {
			cr_assert(stopped, "detached before hstrace_stop");
			detached[c->tid == tids[1]]++;
		}
		if (is_call(c, HSTRACE_SYS_write))
			ticks[c->tid == tids[1]] = true;
		if (ticks[0] && ticks[1] && !stopped) {
			/* any thread may call it */
			cr_assert_eq(pthread_create(&th, NULL, stop_thread, t), 0);
			pthread_join(th, NULL);
			stopped = true;
		}
	}
	cr_assert(stopped, "the trace ended before both threads were seen");
	cr_assert(detached[0] == 1 && detached[1] == 1, "DETACHED events: %d and %d", detached[0], detached[1]);
	cr_assert_eq(hstrace_wait(t), 0);
	cr_assert_eq(hstrace_exit_status(t), -1, "an attached process has no exit status");
	hstrace_free(t);

	for (int i = 0; i < 2; i++) {
		char path[64], buf[2048];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", target, tids[i]);
		int fd = open(path, O_RDONLY);
		cr_assert_geq(fd, 0);
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		char *state = strstr(buf, "\nState:\t"), *tracer = strstr(buf, "\nTracerPid:\t");
		cr_assert(state && tracer);
		cr_assert(state[8] != 't' && state[8] != 'T', "thread %d: %.20s", tids[i], state + 1);
		cr_assert_eq(atoi(tracer + 12), 0, "thread %d still traced", tids[i]);
	}
	kill(target, SIGKILL);
	waitpid(target, &status, 0);
	close(p[0]);
}

/*
 * hstrace_stop may come from any thread at any time until hstrace_free,
 * also while hstrace_wait tears the tracer down: a thread stops the handle
 * over and over while a short trace ends and is waited for (ASan would see
 * a stop using the freed tracer).
 */
struct hammer {
	hstrace_t *t;
	atomic_int done;
	long stops;
};

static void *hammer_stop(void *arg)
{
	struct hammer *h = arg;

	while (!atomic_load(&h->done)) {
		hstrace_stop(h->t);
		h->stops++;
	}
	return NULL;
}

Test(lib, stop_races_the_end)
{
	for (int round = 0; round < 20; round++) {
		struct hammer h = { .t = start_helper(ARGV("count", "50")) };
		pthread_t th;

		atomic_init(&h.done, 0);
		cr_assert_eq(pthread_create(&th, NULL, hammer_stop, &h), 0);
		cr_assert_eq(hstrace_wait(h.t), 0);
		atomic_store(&h.done, 1);
		pthread_join(th, NULL);
		cr_assert_gt(h.stops, 0);
		hstrace_free(h.t);
	}
}

/* ------------------------------------------------------------------------
 * Errors
 */

Test(lib, strerror_covers_every_code)
{
	for (int e = HSTRACE_E_BASE; e >= HSTRACE_E_LAST; e--) {
		const char *m = hstrace_strerror(e);
		cr_assert_not_null(m, "code %d", e);
		cr_assert_gt(strlen(m), 0, "code %d", e);
		for (int f = HSTRACE_E_BASE; f > e; f--)
			cr_assert_str_neq(m, hstrace_strerror(f), "codes %d and %d share a message", e, f);
	}
	int errnos[] = { -ENOENT, -EPERM, -ESRCH, -ENOMEM, -EINVAL, -ENOSPC };
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		cr_assert_not_null(hstrace_strerror(errnos[i]));
		cr_assert_str_eq(hstrace_strerror(errnos[i]), strerror(-errnos[i]));
	}
	/* Unknown codes still get some text. */
	cr_assert_not_null(hstrace_strerror(HSTRACE_E_LAST - 1));
	cr_assert_not_null(hstrace_strerror(-999999));
}

/* What hstrace_start() says to a handle given its target, then freed. */
static int start_freed(hstrace_t *t)
{
	int err = hstrace_start(t);

	hstrace_free(t);
	return err;
}

static int start_program(const char *program)
{
	hstrace_t *t = hstrace_new();

	cr_assert_eq(hstrace_program(t, program), 0);
	return start_freed(t);
}

static int start_pid(pid_t pid)
{
	hstrace_t *t = hstrace_new();

	cr_assert_eq(hstrace_pid(t, pid), 0);
	return start_freed(t);
}

Test(lib, start_errors)
{
	hstrace_t *t;
	int status;
	pid_t gone;

	cr_assert_eq(start_program("no-such-program-hst-test"), HSTRACE_E_NOT_FOUND);
	cr_assert_eq(start_program("/nonexistent/dir/prog"), HSTRACE_E_NOT_FOUND);
	cr_assert_eq(start_program("/etc/passwd"), HSTRACE_E_NOT_EXEC);

	gone = fork();
	cr_assert_geq(gone, 0);
	if (gone == 0)
		_exit(0);
	waitpid(gone, &status, 0);
	cr_assert_eq(start_pid(gone), HSTRACE_E_NO_PROCESS);
	cr_assert_eq(start_pid(getpid()), HSTRACE_E_SELF);

	t = hstrace_new();
	cr_assert_eq(hstrace_start(t), HSTRACE_E_NO_TARGET);
	hstrace_free(t);

	t = hstrace_new();
	cr_assert_eq(hstrace_read_log(t, "/etc/passwd"), 0);
	cr_assert_eq(hstrace_start(t), HSTRACE_E_NOT_A_LOG);
	hstrace_free(t);
}

Test(lib, configuration_errors)
{
	hstrace_t *t = hstrace_new();

	cr_assert_eq(hstrace_workers(t, 65), -EINVAL);
	cr_assert_eq(hstrace_ring_size(t, 1024), -EINVAL);
	cr_assert_eq(hstrace_output(t, (hstrace_format_t)99, 2, 0), -EINVAL);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(hstrace_output(t, HSTRACE_FMT_TEXT, 2, 0), 0);
	cr_assert_eq(hstrace_output(t, HSTRACE_FMT_TEXT, 2, 0), -EINVAL, "a fifth output");
	cr_assert_eq(hstrace_program(t, "true"), 0);
	cr_assert_eq(hstrace_program(t, "false"), HSTRACE_E_STATE, "a second program");
	hstrace_free(t);

	/* After start, configuration is refused. */
	t = start_helper(ARGV("count", "1"));
	cr_assert_eq(hstrace_start(t), HSTRACE_E_STATE);
	cr_assert_eq(hstrace_arg(t, "x"), HSTRACE_E_STATE);
	cr_assert_eq(hstrace_string_limit(t, 64), HSTRACE_E_STATE);
	while (hstrace_next(t))
		;
	cr_assert_eq(hstrace_wait(t), 0);
	hstrace_free(t);
}
