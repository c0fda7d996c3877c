/*
 * The traced program of the hard ptrace cases (tests/hard/test_hard.c): one
 * binary, one mode per argv[1], each putting the tracer in one of the
 * situations of `man 2 ptrace` that a naive tracer gets wrong.
 *
 *   exec-thread          a non-leader thread execs this program ("execd")
 *                        while the leader sleeps in pause()
 *   exec-thread-gone     the same, after the leader has ended with
 *                        pthread_exit (a zombie leader)
 *   exec-two             two threads call execve at the same moment
 *   execd                what the exec modes become: "execd P", exit 0
 *   signals [fatal]      handled, ignored, blocked, real-time signals;
 *                        prints what it observed; "fatal": then SIGTERM
 *   restart-alarm        read() interrupted by a SA_RESTART handler and
 *                        restarted; nanosleep() interrupted (EINTR)
 *   restart-stop         prints "pid P", then one 5 s clock_nanosleep (the
 *                        test stops and continues it meanwhile)
 *   spawn [N [LIVE [CAP]]] prints "ready P", then creates threads as fast
 *                        as it can, each making one getppid and ending (a
 *                        -p target); N seconds at most (default 120); with
 *                        LIVE, one in 16 sleeps LIVE ms after its getppid,
 *                        at most CAP (default 64) of them at once
 *   vfork-wait           a vfork child sleeps 200 ms in nanosleep, writes
 *                        a line and execs /bin/true while its parent waits
 *   vfork-exit           a vfork child that _exits without exec
 *   vfork-sleep          prints "pid P", vforks a child that prints
 *                        "child C" and sleeps (a target for Ctrl-C)
 *   leader-gone          the leader ends with pthread_exit; the other
 *                        thread prints "ready P T", then writes "tick"
 *                        every 10 ms (a -p target with a zombie leader)
 *
 * What a test needs (pids, what was observed) goes to stdout with single
 * write(2) calls.  It ends with exit_group, never through stdio or atexit,
 * and is built without sanitizers, like tests/helper.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

__attribute__((noreturn)) static void exit_now(int code)
{
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

__attribute__((noreturn)) static void die(const char *what)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "hard_helper: %s: %s\n", what, strerror(errno));
	if (write(2, buf, (size_t)n) < 0) {
		/* nothing more to do */
	}
	exit_now(99);
}

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

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The state letter of thread tid of this process.  Read with one
 * openat/pread/close, so the poll shows as a known pattern in a trace.
 */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* --- execve from threads ------------------------------------------------ */

static pid_t leader;
static atomic_int go;
static char self_path[4096]; /* /proc/self/exe, read while the leader lives */

__attribute__((noreturn)) static void exec_self(void)
{
	char *argv[] = { "hard_helper", "execd", NULL };
	execve(self_path, argv, environ);
	die("execve");
}

/* Waits until the leader sleeps in pause() ('S'), or is gone ('Z'). */
static void *exec_thread(void *arg)
{
	char want = *(const char *)arg;

	while (thread_state(leader) != want)
		nap_ms(1);
	say(1, "tid %d\n", my_tid());
	exec_self();
}

static int mode_exec_thread(bool leader_gone)
{
	static char want_sleep = 'S', want_zombie = 'Z';
	pthread_t t;

	leader = getpid();
	say(1, "pid %d\n", leader);
	if (pthread_create(&t, NULL, exec_thread, leader_gone ? &want_zombie : &want_sleep))
		die("pthread_create");
	if (leader_gone)
		pthread_exit(NULL);
	for (;;)
		pause();
}

static void *exec_racer(void *arg)
{
	(void)arg;
	atomic_fetch_add(&go, 1);
	while (atomic_load(&go) < 3)
		;
	exec_self();
}

static int mode_exec_two(void)
{
	pthread_t t[2];

	say(1, "pid %d\n", getpid());
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, exec_racer, NULL))
			die("pthread_create");
	while (atomic_load(&go) < 2)
		sched_yield();
	atomic_fetch_add(&go, 1);
	for (;;)
		pause();
}

static int mode_execd(void)
{
	say(1, "execd %d\n", getpid());
	exit_now(0);
}

/* --- signals ------------------------------------------------------------ */

static volatile sig_atomic_t usr1_count;
static volatile sig_atomic_t rt_values[8];
static volatile sig_atomic_t rt_count;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	if (rt_count < 8)
		rt_values[rt_count++] = si->si_value.sival_int;
}

/*
 * Handled (SIGUSR1 twice), ignored (SIGUSR2), real-time queued while
 * blocked (SIGRTMIN with 1, 2, 3: all three delivered, in order, once
 * unblocked), and blocked then taken with sigwaitinfo (SIGRTMIN+1 with 42).
 */
static int mode_signals(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t set, old;
	siginfo_t si;
	union sigval v;
	int got;

	say(1, "pid %d\n", getpid());
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGUSR2, &sa, NULL) < 0)
		die("sigaction");
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGRTMIN, &sa, NULL) < 0)
		die("sigaction");

	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (int i = 1; i <= 3; i++) {
		v.sival_int = i;
		sigqueue(getpid(), SIGRTMIN, v);
	}
	v.sival_int = 42;
	sigqueue(getpid(), SIGRTMIN + 1, v);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	got = sigwaitinfo(&set, &si);
	sigprocmask(SIG_SETMASK, &old, NULL);

	say(1, "usr1=%d rt=%d:%d,%d,%d waited=%d:%d code=%d\n", (int)usr1_count, (int)rt_count,
	    (int)rt_values[0], (int)rt_values[1], (int)rt_values[2], got - SIGRTMIN,
	    si.si_value.sival_int, si.si_code);
	if (argc > 2 && !strcmp(argv[2], "fatal"))
		kill(getpid(), SIGTERM);
	exit_now(0);
}

/* --- restarted calls ---------------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A child writes to a pipe 300 ms after a 100 ms timer interrupts the
 * parent's read(): with SA_RESTART the read is restarted and returns the
 * byte.  Then the timer interrupts a 300 ms nanosleep, which fails EINTR.
 */
static int mode_restart_alarm(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	int p[2], status;
	pid_t child;
	char c;

	say(1, "pid %d\n", getpid());
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0 || pipe(p) < 0)
		die("setup");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		struct timespec ts = { 0, 300000000 };
		syscall(SYS_nanosleep, &ts, NULL);
		if (write(p[1], "x", 1) != 1)
			die("write");
		exit_now(0);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	if (read(p[0], &c, 1) != 1)
		die("read");
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec ts = { 0, 300000000 };
	long r = syscall(SYS_nanosleep, &ts, NULL);
	say(1, "nanosleep %ld %d\n", r, r < 0 ? errno : 0);
	exit_now(0);
}

static int mode_restart_stop(void)
{
	struct timespec ts = { 5, 0 };

	say(1, "pid %d\n", getpid());
	long r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
	say(1, "slept %ld\n", r);
	exit_now(0);
}

/* --- attach races ------------------------------------------------------- */

static long spawn_live_ms;     /* how long a long-lived thread sleeps after getppid */
static int spawn_live_cap;     /* long-lived threads at most at once */
static atomic_int spawn_live;  /* long-lived threads not ended yet */

static void *spawned(void *arg)
{
	syscall(SYS_getppid);
	if (arg) {
		nap_ms(spawn_live_ms);
		atomic_fetch_sub(&spawn_live, 1);
	}
	return NULL;
}

/*
 * With LIVE, one thread in 16 (while fewer than CAP of them live) sleeps
 * LIVE ms after its getppid, so a test can look at it while it lives; the
 * others end at once, so the spawner never waits.
 */
static int mode_spawn(int argc, char **argv)
{
	long secs = argc > 2 ? atol(argv[2]) : 120;
	struct timespec start, now;
	pthread_attr_t attr;
	unsigned n = 0;

	spawn_live_ms = argc > 3 ? atol(argv[3]) : 0;
	spawn_live_cap = argc > 4 ? atoi(argv[4]) : 64;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	say(1, "ready %d\n", getpid());
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 64; i++) {
			pthread_t t;
			bool live = spawn_live_ms && n++ % 16 == 0 && atomic_load(&spawn_live) < spawn_live_cap;
			if (live)
				atomic_fetch_add(&spawn_live, 1);
			int err = pthread_create(&t, &attr, spawned, live ? &spawn_live : NULL);
			if (err && live)
				atomic_fetch_sub(&spawn_live, 1);
			if (err && err != EAGAIN) {
				errno = err;
				die("pthread_create");
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < secs);
	exit_now(0);
}

/* --- vfork -------------------------------------------------------------- */

static int mode_vfork(const char *how)
{
	static char *const true_argv[] = { "true", NULL };
	struct timespec ts = { 0, 200000000 };
	pid_t child;
	int status;

	say(1, "pid %d\n", getpid());
	child = vfork();
	if (child < 0)
		die("vfork");
	if (child == 0) {
		if (!strcmp(how, "exit"))
			_exit(4);
		if (!strcmp(how, "sleep")) {
			say(1, "child %d\n", getpid());
			for (int i = 0; i < 1200; i++)
				syscall(SYS_nanosleep, &ts, NULL);
			_exit(5);
		}
		syscall(SYS_nanosleep, &ts, NULL);
		if (write(-1, "vchild", 6) != -1)
			_exit(98);
		execve("/bin/true", true_argv, environ);
		_exit(127);
	}
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	say(1, "child %d status %d\n", child, WEXITSTATUS(status));
	exit_now(0);
}

/* --- a zombie leader ---------------------------------------------------- */

static void *ticker(void *arg)
{
	(void)arg;
	while (thread_state(leader) != 'Z')
		nap_ms(1);
	say(1, "ready %d %d\n", leader, my_tid());
	for (int i = 0; i < 12000; i++) {
		nap_ms(10);
		if (write(1, "tick\n", 5) != 5 && errno != EINTR)
			die("write");
	}
	exit_now(0);
}

static int mode_leader_gone(void)
{
	pthread_t t;

	leader = getpid();
	if (pthread_create(&t, NULL, ticker, NULL))
		die("pthread_create");
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) < 0)
		die("readlink");

	if (!strcmp(mode, "exec-thread"))
		return mode_exec_thread(false);
	if (!strcmp(mode, "exec-thread-gone"))
		return mode_exec_thread(true);
	if (!strcmp(mode, "exec-two"))
		return mode_exec_two();
	if (!strcmp(mode, "execd"))
		return mode_execd();
	if (!strcmp(mode, "signals"))
		return mode_signals(argc, argv);
	if (!strcmp(mode, "restart-alarm"))
		return mode_restart_alarm();
	if (!strcmp(mode, "restart-stop"))
		return mode_restart_stop();
	if (!strcmp(mode, "spawn"))
		return mode_spawn(argc, argv);
	if (!strcmp(mode, "vfork-wait"))
		return mode_vfork("wait");
	if (!strcmp(mode, "vfork-exit"))
		return mode_vfork("exit");
	if (!strcmp(mode, "vfork-sleep"))
		return mode_vfork("sleep");
	if (!strcmp(mode, "leader-gone"))
		return mode_leader_gone();
	say(2, "usage: hard_helper MODE (see the top of hard_helper.c)\n");
	return 2;
}
