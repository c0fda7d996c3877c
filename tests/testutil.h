/*
 * What test_cli, test_e2e and test_lib share: a directory per test under
 * /tmp, a pool of allocations freed with it (so the suites stay clean under
 * LeakSanitizer), whole-file reads and writes, the programs meson names in
 * HSTRACE_BIN and HSTRACE_HELPER, and running a program with its stdout and
 * stderr caught.
 *
 * Criterion runs a suite's init and fini in the process of each test, so
 * all of this is per test.
 */
#ifndef HSTRACE_TESTUTIL_H
#define HSTRACE_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The test's directory, made by tu_suite_init. */
extern char tmpdir[64];

/*
 * Make tmpdir from a mkdtemp template ("/tmp/hst_x_XXXXXX"); tu_suite_fini
 * removes it with everything in it and frees the pool.
 */
void tu_suite_init(const char *template_path);
void tu_suite_fini(void);

/* p, kept until the end of the test; NULL fails the test ("out of memory"). */
__attribute__((returns_nonnull)) void *keep(void *p);
/* A formatted string kept until the end of the test. */
__attribute__((format(printf, 1, 2), returns_nonnull)) char *fmt(const char *f, ...);
/* tmpdir/name */
char *tpath(const char *name);

/* The whole file, NUL-terminated and kept; its length in *len if len. */
char *slurp(const char *path, size_t *len);
void write_file(const char *path, const void *data, size_t len);
bool file_exists(const char *path);

bool starts_with(const char *s, const char *p);
bool ends_with(const char *s, const char *p);

/* The hstrace command and the traced helper, both set by meson. */
const char *hstrace_bin(void);
const char *helper_bin(void);

/* "exited with N", "killed by signal N (NAME)" or the raw wait status. */
char *describe_status(int status);

/*
 * Start argv[0] with stdin from /dev/null, stdout and stderr on the given
 * fds (-1: /dev/null) and nothing else open, killed if the test process
 * dies first.  envp NULL: this process's environment.  drop_to_uid >= 0
 * runs it as that user (and group); where that fails it exits 126, where
 * the exec fails 127.
 */
pid_t spawn_child(char *const argv[], char *const envp[], int out_fd, int err_fd, long drop_to_uid);

/* waitpid, retried on EINTR; a failure fails the test. */
int wait_status(pid_t pid);

/*
 * waitpid for at most `seconds` (the bound only turns a hang into a
 * failure); -1 if pid is still running then.
 */
int wait_within(pid_t pid, int seconds);

/*
 * hstrace -p on a process the test started: hstrace is not its ancestor, so
 * Yama's ptrace_scope 1 refuses it unless we are root; 3 refuses everyone.
 * Skips the test then.
 */
void skip_if_attach_restricted(void);

/* Up to max pids of the processes with token among their arguments (leftovers of a test). */
int procs_with_arg(const char *token, pid_t *pids, int max);

struct result {
	int status;     /* wait status */
	char *out;      /* stdout */
	char *err;      /* stderr */
	size_t err_len; /* its length, NUL bytes included */
};

/* spawn_child to completion, stdout and stderr caught in files of tmpdir. */
struct result run_capture(char *const argv[], char *const envp[], long drop_to_uid);

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define HELPER ((char *)helper_bin())

#endif
