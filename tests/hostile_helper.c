/*
 * The traced program of test_hostile.c: everything a tracee controls that
 * a tracer prints, filled with terminal escape sequences and bytes that are
 * not UTF-8, so the test can check that no output of hstrace lets one
 * through.
 *
 *   hostile_helper start DIR
 *       creates DIR/<hostile name>, writes hostile bytes to it, reads them
 *       back, fails to open a hostile path, sets its comm to hostile bytes
 *       (prctl PR_SET_NAME), then makes a symlink DIR/<hostile name> to
 *       itself and execs it with hostile arguments ("stage2 DIR ...").
 *   (stage2 DIR ...)
 *       binds an AF_UNIX socket to DIR/<hostile name> and asks its name,
 *       writes hostile bytes to fd -1, sets its comm again, forks a child
 *       that does the same, and exits 0.
 *
 * Built without sanitizers, like helper.c, and without stdio at the end:
 * it leaves with exit_group.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Clear screen, set the window title, bell, CR, BS, DEL, C1 CSI, bad UTF-8. */
#define HOSTILE "\x1b[2J\x1b]0;pwned\x07\r\b\x7f\xc2\x9b" "31m\xff\xc0\x80\t\n"
#define FILE_NAME "f\x1b[2J\x1b]0;pwned\x07\r\b\x7f\xc2\x9b\xff\xc0"
#define LINK_NAME "\x1b]0;evil\x07\r\x7f\xc2\x9b\xff"
#define SOCK_NAME "s\x1b[31m\x07\r\xc2\x9b\xff"
#define COMM "\x1b[2J\x1b]0;c\x07\r\b\x7f\xc2\x9b"

extern char **environ;

__attribute__((noreturn)) static void exit_now(int code)
{
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

__attribute__((noreturn)) static void die(const char *what)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "hostile_helper: %s: %s\n", what, strerror(errno));

	if (write(2, buf, (size_t)n) < 0) {
		/* nothing more to do */
	}
	exit_now(99);
}

static void files(const char *dir)
{
	char path[PATH_MAX], buf[64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, FILE_NAME);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create");
	if (write(fd, HOSTILE, sizeof(HOSTILE) - 1) != (ssize_t)(sizeof(HOSTILE) - 1))
		die("write");
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
		die("read");
	close(fd);
	snprintf(path, sizeof(path), "%s/%s/missing", dir, FILE_NAME);
	if (open(path, O_RDONLY) >= 0)
		die("open of a missing file");
	if (prctl(PR_SET_NAME, COMM, 0, 0, 0) < 0)
		die("prctl");
}

static void socket_and_child(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_un got;
	socklen_t len = sizeof(got);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t child;
	int status;

	if (s < 0)
		die("socket");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir, SOCK_NAME);
	unlink(sun.sun_path);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("bind");
	if (getsockname(s, (struct sockaddr *)&got, &len) < 0)
		die("getsockname");
	if (write(s, HOSTILE, sizeof(HOSTILE) - 1) >= 0)
		die("write to an unconnected socket");
	close(s);
	if (write(-1, HOSTILE, sizeof(HOSTILE) - 1) >= 0)
		die("write(-1)");
	if (prctl(PR_SET_NAME, COMM, 0, 0, 0) < 0)
		die("prctl");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (write(-1, HOSTILE, sizeof(HOSTILE) - 1) >= 0)
			die("write(-1)");
		exit_now(0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		die("waitpid");
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	if (argc > 2 && !strcmp(argv[1], "start")) {
		files(argv[2]);
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			die("readlink");
		self[n] = '\0';
		snprintf(link, sizeof(link), "%s/%s", argv[2], LINK_NAME);
		if (symlink(self, link) < 0 && errno != EEXIST)
			die("symlink");
		char *args[] = { LINK_NAME, "stage2", argv[2], HOSTILE, COMM, NULL };
		execve(link, args, environ);
		die("execve");
	}
	if (argc > 2 && !strcmp(argv[1], "stage2")) {
		socket_and_child(argv[2]);
		exit_now(0);
	}
	errno = EINVAL;
	die("usage: hostile_helper start DIR");
}
