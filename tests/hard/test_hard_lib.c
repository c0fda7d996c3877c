/*
 * The library inside a program that has children of its own (issue 6,
 * item 8).  The ptrace thread waits with __WALL|__WNOTHREAD, so it reaps
 * only its own tracees (and its waker): a child the program forked itself
 * must still be there for the program to reap, with its own exit status,
 * whether it ended before, during or after the trace.
 *
 * The test forks two children of its own: one that exits at once (a
 * zombie all through the trace) and one that exits while the trace runs.
 * It then traces the helper through the public API, reads every event,
 * and reaps both children itself with the status they exited with.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hstrace/hstrace.h>

#include "testutil.h"

static void suite_init(void)
{
	tu_suite_init("/tmp/hst_hardlib_XXXXXX");
}

TestSuite(hard_lib, .init = suite_init, .fini = tu_suite_fini, .timeout = 240);

/* A child of ours that exits with `code` once it can read a byte (or EOF). */
static pid_t own_child(int code, int *release)
{
	int p[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Only our own pipe: a sibling's write end would keep it alive. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != p[0])
				close(fd);
		if (read(p[0], &c, 1) < 0) {
			/* exit anyway */
		}
		_exit(code);
	}
	close(p[0]);
	*release = p[1];
	return pid;
}

Test(hard_lib, own_children_are_left_alone)
{
	int rel_zombie, rel_during;
	pid_t zombie = own_child(7, &rel_zombie), during = own_child(9, &rel_during);
	size_t getppids = 0, events = 0;
	bool released = false;
	const hstrace_call_t *c;
	int st;

	close(rel_zombie); /* exits now: a zombie for the whole trace */
	bool is_zombie = false;
	for (int i = 0; i < 6000 && !is_zombie; i++) {
		is_zombie = strstr(slurp(fmt("/proc/%d/stat", zombie), NULL), ") Z ") != NULL;
		if (!is_zombie)
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	cr_assert(is_zombie, "the first child did not become a zombie");

	hstrace_t *t = hstrace_new();
	cr_assert_not_null(t);
	cr_assert_eq(hstrace_program(t, helper_bin()), 0);
	cr_assert_eq(hstrace_arg(t, "count"), 0);
	cr_assert_eq(hstrace_arg(t, "20000"), 0);
	int err = hstrace_start(t);
	cr_assert_eq(err, 0, "%s", hstrace_strerror(err));
	while ((c = hstrace_next(t)) != NULL) {
		events++;
		if (c->kind == HSTRACE_EV_SYSCALL && c->syscall == HSTRACE_SYS_getppid)
			getppids++;
		if (events == 1000 && !released) {
			close(rel_during); /* exits while the trace runs */
			released = true;
		}
	}
	cr_assert(released);
	cr_assert_eq(hstrace_wait(t), 0);
	st = hstrace_exit_status(t);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", describe_status(st));
	hstrace_free(t);
	cr_assert_eq(getppids, 20000);

	/* Both are ours, with their own status: nothing reaped them. */
	st = wait_status(zombie);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "%s", describe_status(st));
	st = wait_status(during);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 9, "%s", describe_status(st));
	cr_assert_eq(waitpid(-1, &st, WNOHANG), -1, "another child is left");
	cr_assert_eq(errno, ECHILD);
}
