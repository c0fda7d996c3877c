/*
 * Filter expressions (src/core/filter.c): strace's -e trace=, status= and
 * signal= syntax, and the errors for names that do not exist.
 */
#include <criterion/criterion.h>
#include <asm/unistd_64.h>
#include <signal.h>
#include <string.h>

#include "core/filter.h"

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
