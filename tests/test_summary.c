/*
 * The -c summary table (src/sink/summary.c): counting from record headers,
 * and strace's layout.
 */
#include <criterion/criterion.h>
#include <asm/unistd_64.h>
#include <string.h>

#include "core/record.h"
#include "sink/out.h"
#include "sink/summary.h"

static void call(struct hst_summary *s, pid_t tid, int nr, uint64_t t0, uint64_t t1, int64_t rval)
{
	hst_summary_add(s, HST_RAW_SYSCALL_ENTRY, tid, nr, t0, 0, 0);
	hst_summary_add(s, HST_RAW_SYSCALL_EXIT, tid, nr, t1, rval < 0 ? HST_RAWF_ERROR : 0, rval);
}

Test(summary, strace_layout)
{
	struct hst_summary s;
	struct hst_out o;

	cr_assert_eq(hst_summary_init(&s, HST_SORT_TIME), 0);
	hst_out_init(&o, false);
	call(&s, 10, __NR_openat, 1000, 31000, 3);     /* 30 us */
	call(&s, 10, __NR_openat, 50000, 60000, -2);   /* 10 us, ENOENT */
	call(&s, 11, __NR_close, 70000, 80000, 0);     /* 10 us */
	hst_summary_add(&s, HST_RAW_SYSCALL_ENTRY, 11, __NR_exit_group, 90000, 0, 0);
	hst_summary_print(&s, &o);
	hst_out_put(&o, "", 1);
	cr_assert_str_eq(o.p,
		"% time     seconds  usecs/call     calls    errors syscall\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		" 80.00    0.000040          20         2         1 openat\n"
		" 20.00    0.000010          10         1           close\n"
		"  0.00    0.000000           0         1           exit_group\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		"100.00    0.000050          12         4         1 total\n");
	hst_out_free(&o);
	hst_summary_free(&s);
}

Test(summary, sort_orders)
{
	cr_assert_eq(hst_summary_sort_parse("calls"), HST_SORT_CALLS);
	cr_assert_eq(hst_summary_sort_parse("name"), HST_SORT_NAME);
	cr_assert_eq(hst_summary_sort_parse("time"), HST_SORT_TIME);
	cr_assert_eq(hst_summary_sort_parse("bogus"), -1);
}
