/*
 * Filter expressions (src/core/filter.c): strace's -e trace=, status=,
 * signal=, pid= and path= syntax, and the errors for names that do not exist.
 */
#include <criterion/criterion.h>
#include <asm/unistd_64.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/filter.h"
#include "core/record.h"
#include "sink/sinks.h"

static struct hst_filter f;
static char err[256];

static void init(void) { hst_filter_init(&f); err[0] = '\0'; }

TestSuite(filter, .init = init);

Test(filter, default_selects_everything)
{
	cr_assert(hst_filter_syscall(&f, __NR_read));
	cr_assert(hst_filter_all_syscalls(&f));
	cr_assert(hst_filter_signal(&f, SIGCHLD));
	cr_assert_eq(f.status, HST_STATUS_ALL);
}

Test(filter, names_and_bare_sets)
{
	cr_assert_eq(hst_filter_add(&f, "trace=openat,close", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_openat));
	cr_assert(hst_filter_syscall(&f, __NR_close));
	cr_assert_not(hst_filter_syscall(&f, __NR_read));
	cr_assert_not(hst_filter_all_syscalls(&f));
	cr_assert_eq(hst_filter_add(&f, "read", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_read), "a second set adds to the first");
}

/*
 * Calls through the i386 and x32 ABIs are selected by name, as the seccomp
 * filter selects them: i386's 4 is write, its 20 getpid (x86_64's writev);
 * a call x86_64 has no name for (i386's socketcall) is shown unless
 * nothing is traced.
 */
Test(filter, other_abis_by_name)
{
	cr_assert_eq(hst_filter_add(&f, "trace=write", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_select_header(&f, HST_RAW_SYSCALL_ENTRY, 4, HST_RAWF_I386));
	cr_assert(hst_select_header(&f, HST_RAW_SYSCALL_EXIT, 4, HST_RAWF_I386));
	cr_assert_not(hst_select_header(&f, HST_RAW_SYSCALL_ENTRY, 20, HST_RAWF_I386));
	cr_assert_not(hst_select_header(&f, HST_RAW_SYSCALL_ENTRY, __NR_writev, 0));
	cr_assert(hst_select_header(&f, HST_RAW_SYSCALL_ENTRY, 0x40000000 | __NR_write, HST_RAWF_X32));
	cr_assert_not(hst_select_header(&f, HST_RAW_SYSCALL_ENTRY, 0x40000000 | __NR_read, HST_RAWF_X32));
	cr_assert(hst_select_header(&f, HST_RAW_SYSCALL_ENTRY, 102, HST_RAWF_I386), "socketcall");
	hst_filter_free(&f);
	hst_filter_init(&f);
	cr_assert_eq(hst_filter_add(&f, "trace=none", err, sizeof(err)), 0, "%s", err);
	cr_assert_not(hst_select_header(&f, HST_RAW_SYSCALL_ENTRY, 102, HST_RAWF_I386), "nothing is traced");
	hst_filter_free(&f);
}

Test(filter, negation_starts_from_everything)
{
	cr_assert_eq(hst_filter_add(&f, "trace=!read,write", err, sizeof(err)), 0, "%s", err);
	cr_assert_not(hst_filter_syscall(&f, __NR_read));
	cr_assert_not(hst_filter_syscall(&f, __NR_write));
	cr_assert(hst_filter_syscall(&f, __NR_openat));
}

Test(filter, groups)
{
	cr_assert_eq(hst_filter_add(&f, "trace=%file", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_openat));
	cr_assert(hst_filter_syscall(&f, __NR_execve));
	cr_assert(hst_filter_syscall(&f, __NR_stat));
	cr_assert_not(hst_filter_syscall(&f, __NR_read), "read takes no path");
	cr_assert_eq(hst_filter_add(&f, "%net", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_connect));
	init();
	cr_assert_eq(hst_filter_add(&f, "%%stat", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_newfstatat));
	cr_assert(hst_filter_syscall(&f, __NR_statx));
	cr_assert_not(hst_filter_syscall(&f, __NR_statfs));
}

Test(filter, categories_as_groups)
{
	cr_assert_eq(hst_filter_add(&f, "trace=%time", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_nanosleep));
	cr_assert(hst_filter_syscall(&f, __NR_clock_gettime));
	cr_assert_not(hst_filter_syscall(&f, __NR_openat));
}

Test(filter, regex)
{
	cr_assert_eq(hst_filter_add(&f, "trace=/^sched_get", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_sched_getaffinity));
	cr_assert_not(hst_filter_syscall(&f, __NR_sched_setaffinity));
	cr_assert_eq(hst_filter_add(&f, "trace=/(", err, sizeof(err)), -1);
	cr_assert(strstr(err, "regular expression"), "%s", err);
}

Test(filter, unknown_names_suggest_the_closest)
{
	cr_assert_eq(hst_filter_add(&f, "trace=opnat", err, sizeof(err)), -1);
	cr_assert(strstr(err, "unknown syscall 'opnat'"), "%s", err);
	cr_assert(strstr(err, "openat"), "%s", err);
	cr_assert_eq(hst_filter_add(&f, "trace=%fle", err, sizeof(err)), -1);
	cr_assert(strstr(err, "%file"), "%s", err);
	cr_assert_eq(hst_filter_add(&f, "signal=SIGCHILD", err, sizeof(err)), -1);
	cr_assert(strstr(err, "SIGCHLD"), "%s", err);
	cr_assert_eq(hst_filter_add(&f, "status=faild", err, sizeof(err)), -1);
	cr_assert(strstr(err, "failed"), "%s", err);
	cr_assert_eq(hst_filter_add(&f, "colour=red", err, sizeof(err)), -1);
	cr_assert(strstr(err, "unknown qualifier 'colour'"), "%s", err);
	/* %desc is a group and a category: suggested once. */
	cr_assert_eq(hst_filter_add(&f, "trace=%nosuch", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "unknown syscall group '%nosuch' (did you mean %desc, %ipc, %clock?)");
}

/* An empty name in a list is a typo, as for strace ("invalid system call ''"). */
Test(filter, empty_names)
{
	const char *bad[] = { "trace=read,,write", "trace=,read", "trace=read,", "trace=,,", "signal=SIGINT,",
			      "trace=!,read" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(hst_filter_add(&f, bad[i], err, sizeof(err)), -1, "%s accepted", bad[i]);
		cr_assert(strstr(err, "empty name in '"), "%s: %s", bad[i], err);
	}
	cr_assert_eq(hst_filter_add(&f, "trace=read,write", err, sizeof(err)), 0, "%s", err);
}

Test(filter, optional_elements)
{
	cr_assert_eq(hst_filter_add(&f, "trace=?nosuchcall,read", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_syscall(&f, __NR_read));
	cr_assert_eq(hst_filter_add(&f, "trace=/^zzz", err, sizeof(err)), -1, "matches nothing");
	cr_assert_eq(hst_filter_add(&f, "trace=?/^zzz", err, sizeof(err)), 0, "%s", err);
}

Test(filter, status_and_signals)
{
	cr_assert_eq(hst_filter_add(&f, "status=failed", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.status, HST_STATUS_FAILED);
	cr_assert_eq(hst_filter_add(&f, "status=!failed", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(hst_filter_add(&f, "signal=SIGCHLD,usr1,15", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_signal(&f, SIGCHLD));
	cr_assert(hst_filter_signal(&f, SIGUSR1));
	cr_assert(hst_filter_signal(&f, SIGTERM));
	cr_assert_not(hst_filter_signal(&f, SIGINT));
}

Test(filter, pids)
{
	cr_assert(hst_filter_pid(&f, 1, 1));
	cr_assert_eq(hst_filter_add(&f, "pid=42,43", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_pid(&f, 42, 42));
	cr_assert(hst_filter_pid(&f, 7, 43), "a thread by its tid");
	cr_assert_not(hst_filter_pid(&f, 7, 8));
	cr_assert_eq(hst_filter_add(&f, "pid=x", err, sizeof(err)), -1);
	cr_assert(strstr(err, "pid="), "%s", err);
}

static char *fmt_path(const char *dir, const char *name)
{
	static char buf[2][4096];
	static int i;
	char *b = buf[i++ % 2];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

static char *fmt_expr(const char *path)
{
	static char buf[4200];

	snprintf(buf, sizeof(buf), "path=%s", path);
	return buf;
}

/*
 * path=: as given and as it resolves now (strace keeps both), since what a
 * descriptor names in /proc is always the resolved path.
 */
Test(filter, paths_as_given_and_resolved)
{
	char dir[] = "/tmp/hst_filter_XXXXXX", cwd[4096];
	cr_assert_not_null(mkdtemp(dir));
	char *file = fmt_path(dir, "f"), *link = fmt_path(dir, "l");

	cr_assert_eq(close(open(file, O_WRONLY | O_CREAT, 0600)), 0);
	cr_assert_eq(symlink("f", link), 0);
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(hst_filter_add(&f, fmt_expr(link), err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_path(&f, link, strlen(link)));
	cr_assert(hst_filter_path(&f, file, strlen(file)), "the link's target");
	cr_assert_not(hst_filter_path(&f, file, strlen(file) - 1), "a prefix is another path");
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(hst_filter_add(&f, "path=f", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_path(&f, "f", 1), "as given");
	cr_assert_eq(hst_filter_add(&f, "path=missing", err, sizeof(err)), 0, "%s", err);
	cr_assert(hst_filter_path(&f, "missing", 7), "a path that does not exist yet, as given");
	cr_assert_eq(chdir(cwd), 0);
	cr_assert_eq(f.npaths, 3);
	unlink(link);
	unlink(file);
	rmdir(dir);
	hst_filter_free(&f);
	cr_assert_eq(hst_filter_add(&f, "path=", err, sizeof(err)), -1);
	cr_assert(strstr(err, "empty path"), "%s", err);
}
