/* The shared scaffolding of the CLI, end-to-end and library tests. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Memory and files that live until the end of the test
 */

char tmpdir[64];

static void **pool;
static size_t npool, cap_pool;

void *keep(void *p)
{
	cr_assert_not_null(p, "out of memory");
	if (npool == cap_pool) {
		cap_pool = cap_pool ? cap_pool * 2 : 64;
		pool = realloc(pool, cap_pool * sizeof(*pool));
		cr_assert_not_null(pool);
	}
	pool[npool++] = p;
	return p;
}

char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return keep(s);
}

char *tpath(const char *name)
{
	return fmt("%s/%s", tmpdir, name);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void tu_suite_init(const char *template_path)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s", template_path);
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

void tu_suite_fini(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < npool; i++)
		free(pool[i]);
	free(pool);
	pool = NULL;
	npool = cap_pool = 0;
}

char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, cap = 4096;
	char *buf;
	ssize_t r;

	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	buf = malloc(cap + 1);
	cr_assert_not_null(buf);
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			cr_assert_not_null(buf);
		}
	}
	cr_assert_geq(r, 0, "read %s: %s", path, strerror(errno));
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return keep(buf);
}

void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

bool starts_with(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

bool ends_with(const char *s, const char *p)
{
	size_t n = strlen(s), m = strlen(p);
	return n >= m && strcmp(s + n - m, p) == 0;
}

/* ------------------------------------------------------------------------
 * Running programs
 */

static const char *env_path(const char *name)
{
	const char *p = getenv(name);
	cr_assert(p && *p, "%s is not set (run the tests with meson test)", name);
	return p;
}

const char *hstrace_bin(void)
{
	return env_path("HSTRACE_BIN");
}

const char *helper_bin(void)
{
	return env_path("HSTRACE_HELPER");
}

char *describe_status(int status)
{
	if (WIFEXITED(status))
		return fmt("exited with %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return fmt("killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	return fmt("wait status %#x", status);
}

/* Move fd above 2 so the dup2 calls of the child cannot overwrite it. */
static int high_fd(int fd)
{
	return fd < 0 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 10);
}

pid_t spawn_child(char *const argv[], char *const envp[], int out_fd, int err_fd, long drop_to_uid)
{
	int out = high_fd(out_fd), err = high_fd(err_fd);
	char *const *env = envp ? envp : environ;
	pid_t pid = fork();

	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(err >= 0 ? err : null, 2);
		close_range(3, ~0u, 0);
		if (drop_to_uid >= 0 &&
		    (setgroups(0, NULL) < 0 || setgid((gid_t)drop_to_uid) < 0 || setuid((uid_t)drop_to_uid) < 0))
			_exit(126);
		execve(argv[0], argv, env);
		_exit(127);
	}
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return pid;
}

int wait_status(pid_t pid)
{
	int status;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	cr_assert_eq(r, pid, "waitpid: %s", strerror(errno));
	return status;
}

int wait_within(pid_t pid, int seconds)
{
	int status;

	for (int i = 0; i < seconds * 100; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		cr_assert_geq(r, 0, "waitpid: %s", strerror(errno));
		if (r == pid)
			return status;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	return -1;
}

void skip_if_attach_restricted(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int scope = 0;

	if (!f)
		return;
	if (fscanf(f, "%d", &scope) != 1)
		scope = 0;
	fclose(f);
	if (scope >= 3 || (scope >= 1 && geteuid() != 0))
		cr_skip_test("ptrace_scope %d does not allow attaching to a non-child", scope);
}

int procs_with_arg(const char *token, pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d);
	while (n < max && (de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		char path[64], buf[4096];
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		for (ssize_t off = 0; off < len; off += (ssize_t)strlen(buf + off) + 1)
			if (!strcmp(buf + off, token)) {
				pids[n++] = pid;
				break;
			}
	}
	closedir(d);
	return n;
}

static int runs;

struct result run_capture(char *const argv[], char *const envp[], long drop_to_uid)
{
	char *out_path = tpath(fmt("stdout.%d", runs));
	char *err_path = tpath(fmt("stderr.%d", runs++));
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	struct result r;

	cr_assert(out >= 0 && err >= 0, "cannot create %s: %s", out_path, strerror(errno));
	r.status = wait_status(spawn_child(argv, envp, out, err, drop_to_uid));
	close(out);
	close(err);
	r.out = slurp(out_path, NULL);
	r.err = slurp(err_path, &r.err_len);
	return r;
}
