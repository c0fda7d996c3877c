/*
 * The traced program of the end-to-end tests: one binary, one mode per
 * argv[1], each making a known sequence of system calls so that a test can
 * write down, before running it, the lines a tracer must print.
 *
 *   helper files DIR       openat/write/close DIR/a, reopen, read it back,
 *                          close(99) failing; exits with 7
 *   helper threads N       N threads, one after the other, each write(-1,
 *                          "thread-K", 8) failing with EBADF
 *   helper unfinished N [exit]
 *                          N threads blocked in read() on a pipe at once
 *                          while the main thread makes calls of its own;
 *                          with "exit" the main thread then exits (5)
 *                          while they are still blocked
 *   helper fork [busy]     a child writes "child" to fd -1 and exits 3;
 *                          "busy": it first burns 50 ms of CPU
 *   helper vfork           a vfork child execs /bin/true
 *   helper signal          SIGUSR1 to itself by tgkill, then by kill
 *   helper kill-self [SIG] kills itself with SIG (default SIGKILL)
 *   helper sleep [N]       main and N threads tick every 10 ms, for up to
 *                          two minutes (a target for -p)
 *   helper count N         exactly N getppid calls
 *   helper cpus            prints how many CPUs sched_getaffinity shows,
 *                          then the Cpus_allowed_list of a thread it
 *                          starts, of itself after that, and of a child
 *   helper hold FILE [N [unlink]]
 *                          opens FILE read-write (fd 3, created, emptied;
 *                          with "unlink" then removed) and /dev/null (fd
 *                          4), says "ready PID 3", then N times (default
 *                          12000, two minutes: a target for -p -P FILE)
 *                          pwrite64(3, "held", 4, 0), pread64(3, ..., 4,
 *                          0), write(4, "other", 5) and a 10 ms sleep
 *
 * What a test needs to know (pids, tids) goes to stdout, with plain write(2)
 * calls whose lines are themselves predictable: most modes start with
 * write(1, "pid P\n", n); sleep says "ready PID TID..." and count nothing.
 * The helper never runs atexit handlers or stdio: it ends with a direct
 * exit_group, so nothing the test did not plan for shows up at the end of
 * a trace.  The build compiles it without sanitizers for the same reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

extern char **environ;

__attribute__((noreturn)) static void exit_now(int code)
{
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

__attribute__((noreturn)) static void die(const char *what)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "helper: %s: %s\n", what, strerror(errno));
	if (write(2, buf, (size_t)n) < 0) {
		/* nothing more to do */
	}
	exit_now(99);
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* One write(2) of a formatted line, so its trace line is one known call. */
__attribute__((format(printf, 2, 3))) static void say(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) || write(fd, buf, (size_t)n) != n)
		die("say");
}

/* write(-1, s, n): a call whose line is known, failing with EBADF. */
static void write_bad_fd(const char *s, size_t n)
{
	if (write(-1, s, n) != -1)
		die("write to fd -1 succeeded");
}

static long number(const char *s, long dflt, long max)
{
	char *end;
	long v;

	if (!s)
		return dflt;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > max) {
		errno = EINVAL;
		die(s);
	}
	return v;
}

/* --- files -------------------------------------------------------------- */

/*
 * Bytes chosen for strace's quoting: \t \n \" \\, an ANSI escape (\33[),
 * DEL (\177), and \1 followed by the digit '2', which must be written with
 * three octal digits.  30 bytes, under the default -s 32.
 */
static const char files_w1[] = "hi\tthere\n\"q\" \\ \033[31mred\033[0m\177\0012";
/* 40 bytes: longer than -s 32, so it is shown cut with "...". */
static const char files_w2[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
/* NUL before a non-digit, then a byte above 0x7f. */
static const char files_w3[] = "\0x\351";

static int mode_files(int argc, char **argv)
{
	char path[4096], buf[128];
	int fd;

	if (argc < 3) {
		errno = EINVAL;
		die("files DIR");
	}
	say(1, "pid %d\n", getpid());
	snprintf(path, sizeof(path), "%s/a", argv[2]);
	fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	if (write(fd, files_w1, sizeof(files_w1) - 1) < 0 ||
	    write(fd, files_w2, sizeof(files_w2) - 1) < 0 ||
	    write(fd, files_w3, sizeof(files_w3) - 1) < 0)
		die("write");
	close(fd);
	fd = openat(AT_FDCWD, path, O_RDONLY);
	if (fd < 0)
		die(path);
	if (read(fd, buf, sizeof(buf)) < 0 || read(fd, buf, sizeof(buf)) < 0)
		die("read");
	close(fd);
	close(99);
	exit_now(7);
}

/* --- threads ------------------------------------------------------------ */

struct thread_arg {
	int k;
	pid_t tid;
	int pipe_fd;
	atomic_int *ready;
	pthread_t thread;
};

/* A thread's first calls: gettid, then write(-1, "thread-K", 8) failing. */
static void mark_thread(struct thread_arg *a)
{
	char name[32];
	int n = snprintf(name, sizeof(name), "thread-%d", a->k);

	a->tid = my_tid();
	write_bad_fd(name, (size_t)n);
}

static void *marker_thread(void *p)
{
	mark_thread(p);
	return NULL;
}

static void report_tids(struct thread_arg *a, long n)
{
	char buf[1024];
	int len = snprintf(buf, sizeof(buf), "tids");

	for (long k = 0; k < n; k++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, " %d", a[k].tid);
	say(1, "%s\n", buf);
}

static int mode_threads(int argc, char **argv)
{
	long n = number(argc > 2 ? argv[2] : NULL, 3, MAX_THREADS);
	struct thread_arg a[MAX_THREADS];

	say(1, "pid %d\n", getpid());
	/* One at a time: each thread's write is a complete line of its own. */
	for (long k = 0; k < n; k++) {
		a[k].k = (int)k;
		if (pthread_create(&a[k].thread, NULL, marker_thread, &a[k]))
			die("pthread_create");
		pthread_join(a[k].thread, NULL);
	}
	report_tids(a, n);
	exit_now(0);
}

/* --- unfinished --------------------------------------------------------- */

static void *reader_thread(void *p)
{
	struct thread_arg *a = p;
	char c;

	mark_thread(a);
	atomic_fetch_add(a->ready, 1);
	if (read(a->pipe_fd, &c, 1) != 1)
		die("read");
	return NULL;
}

/*
 * Whether thread tid sleeps in the kernel: 'S' in its stat.  A thread stopped
 * by the tracer shows 't' instead, so 'S' after the thread announced itself
 * means it is inside its read, past the entry stop.  The stat file is opened
 * once and polled with pread64, so the number of openat/read/close calls
 * does not depend on timing.
 */
static bool thread_sleeps(int stat_fd)
{
	char buf[512];
	ssize_t n = pread(stat_fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static int mode_unfinished(int argc, char **argv)
{
	long n = number(argc > 2 ? argv[2] : NULL, 3, MAX_THREADS);
	bool exit_blocked = argc > 3 && !strcmp(argv[3], "exit");
	struct thread_arg a[MAX_THREADS];
	int stat_fd[MAX_THREADS];
	atomic_int ready = 0;
	int p[2];
	char path[64];

	say(1, "pid %d\n", getpid());
	if (pipe(p) < 0)
		die("pipe");
	for (long k = 0; k < n; k++) {
		a[k].k = (int)k;
		a[k].pipe_fd = p[0];
		a[k].ready = &ready;
		if (pthread_create(&a[k].thread, NULL, reader_thread, &a[k]))
			die("pthread_create");
	}
	while (atomic_load(&ready) < n)
		sched_yield();
	for (long k = 0; k < n; k++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", a[k].tid);
		stat_fd[k] = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		if (stat_fd[k] < 0)
			die(path);
	}
	for (long k = 0; k < n; k++) {
		while (!thread_sleeps(stat_fd[k])) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	/* Every reader is inside read(): this call's line interrupts theirs. */
	write_bad_fd("main", 4);
	if (exit_blocked)
		exit_now(5); /* the readers die inside their read() */
	for (long k = 0; k < n; k++)
		if (write(p[1], "x", 1) != 1)
			die("write");
	for (long k = 0; k < n; k++) {
		pthread_join(a[k].thread, NULL);
		close(stat_fd[k]);
	}
	report_tids(a, n);
	exit_now(0);
}

/* --- fork and vfork ----------------------------------------------------- */

/*
 * Burn about 50 ms of user CPU, so the parent's SIGCHLD carries a non-zero
 * si_utime.  The clock is read every few million iterations only, so the
 * number of clock_gettime calls stays small.
 */
static void burn_cpu(void)
{
	volatile unsigned long sink = 0;
	struct timespec ts;

	do {
		for (unsigned long i = 0; i < 4000000; i++)
			sink += i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} while (ts.tv_sec == 0 && ts.tv_nsec < 50000000);
}

/*
 * The parent's side of fork and vfork once the child is started: reap it,
 * write(-1, "parent", 6), report the child's pid and exit status, exit 0.
 */
__attribute__((noreturn)) static void parent_reports(pid_t child)
{
	int status;

	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	write_bad_fd("parent", 6);
	say(1, "child %d status %d\n", child, WEXITSTATUS(status));
	exit_now(0);
}

static int mode_fork(int argc, char **argv)
{
	bool busy = argc > 2 && !strcmp(argv[2], "busy");
	pid_t child;

	say(1, "pid %d\n", getpid());
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (busy)
			burn_cpu();
		write_bad_fd("child", 5);
		exit_now(3);
	}
	parent_reports(child);
}

static int mode_vfork(void)
{
	static char *const true_argv[] = { "true", NULL };
	pid_t child;

	say(1, "pid %d\n", getpid());
	child = vfork();
	if (child < 0)
		die("vfork");
	if (child == 0) {
		execve("/bin/true", true_argv, environ);
		_exit(127);
	}
	parent_reports(child);
}

/* --- signals ------------------------------------------------------------ */

static void on_usr1(int sig)
{
	(void)sig;
	if (write(-1, "handler", 7) != -1)
		exit_now(98);
}

static int mode_signal(void)
{
	struct sigaction sa;

	say(1, "pid %d\n", getpid());
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");
	syscall(SYS_tgkill, getpid(), my_tid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	exit_now(0);
}

static int mode_kill_self(int argc, char **argv)
{
	int sig = (int)number(argc > 2 ? argv[2] : NULL, SIGKILL, 64);

	say(1, "pid %d\n", getpid());
	kill(getpid(), sig);
	exit_now(97);
}

/* --- sleep: a target for -p --------------------------------------------- */

static void tick(void)
{
	struct timespec ts = { 0, 10000000 };
	nanosleep(&ts, NULL);
}

static void *ticker_thread(void *p)
{
	struct thread_arg *a = p;
	char name[32];
	int n = snprintf(name, sizeof(name), "tick-%d", a->k);

	a->tid = my_tid();
	atomic_fetch_add(a->ready, 1);
	for (;;) {
		tick();
		write_bad_fd(name, (size_t)n);
	}
	return NULL;
}

/*
 * Prints "ready PID TID..." once every thread runs, then the main thread
 * writes "tick\n" to stdout every 10 ms, so a test can see it is still
 * running (and not stopped) after a tracer detached.
 */
static int mode_sleep(int argc, char **argv)
{
	long n = number(argc > 2 ? argv[2] : NULL, 0, MAX_THREADS);
	struct thread_arg a[MAX_THREADS];
	atomic_int started = 0;
	char buf[1024];
	int len;

	for (long k = 0; k < n; k++) {
		a[k].k = (int)k;
		a[k].ready = &started;
		if (pthread_create(&a[k].thread, NULL, ticker_thread, &a[k]))
			die("pthread_create");
	}
	while (atomic_load(&started) < n)
		sched_yield();
	len = snprintf(buf, sizeof(buf), "ready %d", getpid());
	for (long k = 0; k < n; k++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, " %d", a[k].tid);
	say(1, "%s\n", buf);
	/* Two minutes at most, in case a test dies without killing it. */
	for (int i = 0; i < 12000; i++) {
		tick();
		if (write(1, "tick\n", 5) != 5 && errno != EINTR)
			die("write");
	}
	exit_now(0);
}

/* --- count -------------------------------------------------------------- */

static int mode_count(int argc, char **argv)
{
	long n = number(argc > 2 ? argv[2] : NULL, 100, 100000000);

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	exit_now(0);
}

/* --- cpus --------------------------------------------------------------- */

/* This task's "Cpus_allowed_list:\t..." line of /proc, said with a label. */
static void say_cpus_list(const char *label)
{
	char buf[4096], *l, *nl;
	int fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		die("/proc/thread-self/status");
	close(fd);
	buf[n] = 0;
	if (!(l = strstr(buf, "Cpus_allowed_list:")) || !(nl = strchr(l, '\n')))
		die("Cpus_allowed_list");
	*nl = 0;
	say(1, "%s %s\n", label, l + 19);
}

static void *cpus_thread(void *arg)
{
	(void)arg;
	say_cpus_list("thread");
	return NULL;
}

static int mode_cpus(void)
{
	cpu_set_t set;
	pthread_t t;
	pid_t child;
	int status;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		die("sched_getaffinity");
	say(1, "count %d\n", CPU_COUNT(&set));
	if (pthread_create(&t, NULL, cpus_thread, NULL) || pthread_join(t, NULL))
		die("pthread_create");
	say_cpus_list("main");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		say_cpus_list("child");
		exit_now(0);
	}
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	exit_now(0);
}

/* --- hold: a descriptor opened before the tracer came ------------------ */

static int mode_hold(int argc, char **argv)
{
	long n = number(argc > 3 ? argv[3] : NULL, 12000, 12000);
	char buf[4];
	int fd, other;

	if (argc < 3) {
		errno = EINVAL;
		die("hold FILE");
	}
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(argv[2]);
	if (argc > 4 && !strcmp(argv[4], "unlink") && unlink(argv[2]) < 0)
		die("unlink");
	other = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (other < 0)
		die("/dev/null");
	say(1, "ready %d %d\n", getpid(), fd);
	for (long i = 0; i < n; i++) {
		if (pwrite(fd, "held", 4, 0) != 4 || pread(fd, buf, 4, 0) != 4 || write(other, "other", 5) != 5)
			die("hold");
		tick();
	}
	exit_now(0);
}

/*
 * int80: getpid through the i386 ABI (int $0x80, number 20), compared with
 * the x86_64 getpid.  Exits 0 when they agree, 3 when the kernel has no
 * 32-bit entry point (-ENOSYS), 4 when they differ.
 */
static int mode_int80(void)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	if (ret == -ENOSYS)
		exit_now(3);
	exit_now(ret == (long)syscall(SYS_getpid) ? 0 : 4);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "files"))
		return mode_files(argc, argv);
	if (!strcmp(mode, "threads"))
		return mode_threads(argc, argv);
	if (!strcmp(mode, "unfinished"))
		return mode_unfinished(argc, argv);
	if (!strcmp(mode, "fork"))
		return mode_fork(argc, argv);
	if (!strcmp(mode, "vfork"))
		return mode_vfork();
	if (!strcmp(mode, "signal"))
		return mode_signal();
	if (!strcmp(mode, "kill-self"))
		return mode_kill_self(argc, argv);
	if (!strcmp(mode, "sleep"))
		return mode_sleep(argc, argv);
	if (!strcmp(mode, "count"))
		return mode_count(argc, argv);
	if (!strcmp(mode, "int80"))
		return mode_int80();
	if (!strcmp(mode, "cpus"))
		return mode_cpus();
	if (!strcmp(mode, "hold"))
		return mode_hold(argc, argv);
	say(2, "usage: helper files DIR | threads N | unfinished N | fork | vfork | signal |"
	       " kill-self [SIG] | sleep [N] | count N | int80 | cpus | hold FILE [N [unlink]]\n");
	return 2;
}
