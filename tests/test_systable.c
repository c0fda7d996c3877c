/*
 * Tests of the generated tables of src/core/systable.h: every number of
 * <asm/unistd_64.h> has a name and a well-formed signature, names and
 * numbers round-trip, the errno and signal names are the ones strace prints,
 * and the decoded rows have the types the decoders rely on.
 *
 * core/systable_nrlist.h lists every __NR_* macro of the header (made by the
 * generator from the preprocessor's dump, the numbers resolved by this
 * compile), so a number without a row fails here and not only in the
 * generator.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include <hstrace/hstrace.h>

#include "core/systable.h"
#include "core/systable_nrlist.h"
#include "core/record.h"
#include "sink/render.h"

#define NRLIST_LEN (sizeof(hst_nrlist) / sizeof(hst_nrlist[0]))

static void assert_sig_well_formed(const struct hst_syscall_sig *s, long nr)
{
	cr_assert_leq(s->nargs, 6, "%s: %u args", s->name, s->nargs);
	cr_assert_lt(s->category, HST_CAT_MAX, "%s: category %u", s->name, s->category);
	cr_assert_lt(s->ret, HST_R_TYPE_MAX, "%s: return type %u", s->name, s->ret);
	cr_assert_leq(s->exit_from, s->nargs, "%s: exit_from %u", s->name, s->exit_from);
	cr_assert_leq(s->decoded, 1, "%s", s->name);
	for (unsigned i = 0; i < s->nargs; i++) {
		cr_assert_lt(s->type[i], HST_A_TYPE_MAX, "%s arg %u: type %u", s->name, i, s->type[i]);
		cr_assert_not_null(s->argname[i], "%s arg %u has no name", s->name, i);
		cr_assert_gt(strlen(s->argname[i]), 0, "%s arg %u", s->name, i);
	}
	const struct hst_inner_layout *l = &hst_inner_layouts[nr];
	cr_assert_eq(l->nfields, s->nargs, "%s: %u fields for %u args", s->name, l->nfields,
		     s->nargs);
	for (unsigned i = 0; i < l->nfields; i++)
		cr_assert_eq(l->f[i].arg, i, "%s field %u", s->name, i);
}

Test(systable, every_header_number_has_a_row)
{
	cr_assert_gt(NRLIST_LEN, 300, "only %zu __NR_ macros", NRLIST_LEN);
	for (size_t i = 0; i < NRLIST_LEN; i++) {
		const struct hst_syscall_sig *s = hst_syscall_sig(hst_nrlist[i].nr);

		cr_assert_not_null(s, "%s (%ld) has no signature", hst_nrlist[i].name,
				   hst_nrlist[i].nr);
		cr_assert_str_eq(s->name, hst_nrlist[i].name, "number %ld", hst_nrlist[i].nr);
		assert_sig_well_formed(s, hst_nrlist[i].nr);
	}
}

Test(systable, no_row_outside_the_header)
{
	long max = -1;
	unsigned named = 0;

	for (size_t i = 0; i < NRLIST_LEN; i++)
		if (hst_nrlist[i].nr > max)
			max = hst_nrlist[i].nr;
	cr_assert_eq(hst_nsyscalls, (unsigned)max + 1);
	for (unsigned nr = 0; nr < hst_nsyscalls; nr++)
		if (hst_syscalls[nr].name != NULL)
			named++;
	cr_assert_eq(named, NRLIST_LEN, "%u named entries, %zu numbers in the header", named,
		     NRLIST_LEN);
}

Test(systable, names_round_trip)
{
	for (unsigned nr = 0; nr < hst_nsyscalls; nr++) {
		const char *name = hst_syscalls[nr].name;

		if (name != NULL)
			cr_assert_eq(hst_syscall_lookup(name), (long)nr, "%s", name);
	}
	cr_assert_eq(hst_syscall_lookup("openat"), __NR_openat);
	cr_assert_eq(hst_syscall_lookup("_sysctl"), __NR__sysctl);
	cr_assert_eq(hst_syscall_lookup("read"), 0);
	cr_assert_eq(hst_syscall_lookup("nosuchcall"), -1);
	cr_assert_eq(hst_syscall_lookup(""), -1);
	cr_assert_eq(hst_syscall_lookup("OPENAT"), -1);
	cr_assert_eq(hst_syscall_lookup("openat "), -1);
	cr_assert_eq(hst_syscall_lookup("aaa"), -1);
	cr_assert_eq(hst_syscall_lookup("zzz"), -1);
	cr_assert_eq(hst_syscall_lookup(NULL), -1);
}

Test(systable, unknown_numbers_have_no_signature)
{
	cr_assert_null(hst_syscall_sig(-1));
	cr_assert_null(hst_syscall_sig(hst_nsyscalls));
	cr_assert_null(hst_syscall_sig(100000));
	/* x86_64 leaves 335..423 unused apart from a few late additions. */
	cr_assert_null(hst_syscall_sig(400));
	for (unsigned nr = 0; nr < hst_nsyscalls; nr++)
		if (hst_syscalls[nr].name == NULL)
			cr_assert_null(hst_syscall_sig(nr), "%u", nr);
}

Test(systable, public_numbers_match_the_header)
{
	cr_assert_eq(HSTRACE_SYS_read, __NR_read);
	cr_assert_eq(HSTRACE_SYS_openat, __NR_openat);
	cr_assert_eq(HSTRACE_SYS_exit_group, __NR_exit_group);
	cr_assert_eq(HSTRACE_SYS_pidfd_open, __NR_pidfd_open);
}

Test(systable, decoded_read)
{
	const struct hst_syscall_sig *s = hst_syscall_sig(__NR_read);

	cr_assert_not_null(s);
	cr_assert_eq(s->decoded, 1);
	cr_assert_eq(s->nargs, 3);
	cr_assert_eq(s->type[0], HST_A_FD);
	cr_assert_eq(s->type[1], HST_A_BUF_OUT);
	cr_assert_eq(s->type[2], HST_A_SIZE);
	cr_assert_eq(s->exit_from, 1, "the buffer is shown at exit");
	cr_assert_eq(s->ret, HST_R_INT);
	cr_assert_eq(s->category, HST_CAT_DESC);
	cr_assert_str_eq(s->argname[1], "buf");
}

Test(systable, decoded_write)
{
	const struct hst_syscall_sig *s = hst_syscall_sig(__NR_write);

	cr_assert_eq(s->decoded, 1);
	cr_assert_eq(s->nargs, 3);
	cr_assert_eq(s->type[0], HST_A_FD);
	cr_assert_eq(s->type[1], HST_A_BUF_IN);
	cr_assert_eq(s->aux[1], 2, "the length is argument 2");
	cr_assert_eq(s->type[2], HST_A_SIZE);
	cr_assert_eq(s->exit_from, 3);
	cr_assert_eq(s->ret, HST_R_INT);
}

Test(systable, decoded_openat)
{
	const struct hst_syscall_sig *s = hst_syscall_sig(__NR_openat);

	cr_assert_eq(s->decoded, 1);
	cr_assert_eq(s->nargs, 4);
	cr_assert_eq(s->type[0], HST_A_DIRFD);
	cr_assert_eq(s->type[1], HST_A_PATH);
	cr_assert_eq(s->type[2], HST_A_OPEN_FLAGS);
	cr_assert_eq(s->type[3], HST_A_OPEN_MODE);
	cr_assert_eq(s->aux[3], 2, "the mode depends on the flags, argument 2");
	cr_assert_eq(s->exit_from, 4);
	cr_assert_eq(s->ret, HST_R_FD);
	cr_assert_str_eq(s->argname[1], "pathname");
}

Test(systable, decoded_close_execve_exit_group)
{
	const struct hst_syscall_sig *c = hst_syscall_sig(__NR_close);
	const struct hst_syscall_sig *e = hst_syscall_sig(__NR_execve);
	const struct hst_syscall_sig *x = hst_syscall_sig(__NR_exit_group);

	cr_assert_eq(c->decoded, 1);
	cr_assert_eq(c->nargs, 1);
	cr_assert_eq(c->type[0], HST_A_FD);
	cr_assert_eq(c->exit_from, 1);

	cr_assert_eq(e->decoded, 1);
	cr_assert_eq(e->nargs, 3);
	cr_assert_eq(e->type[0], HST_A_PATH);
	cr_assert_eq(e->type[1], HST_A_STRV);
	cr_assert_eq(e->type[2], HST_A_ENVV);
	cr_assert_eq(e->exit_from, 3);

	cr_assert_eq(x->decoded, 1);
	cr_assert_eq(x->nargs, 1);
	cr_assert_eq(x->type[0], HST_A_INT);
	cr_assert_eq(x->exit_from, 1);
	cr_assert_eq(x->ret, HST_R_NORETURN);
	cr_assert_eq(hst_syscall_sig(__NR_exit)->ret, HST_R_NORETURN);
}

Test(systable, return_types)
{
	cr_assert_eq(hst_syscall_sig(__NR_mmap)->ret, HST_R_HEX);
	cr_assert_eq(hst_syscall_sig(__NR_brk)->ret, HST_R_HEX);
	cr_assert_eq(hst_syscall_sig(__NR_mremap)->ret, HST_R_HEX);
	cr_assert_eq(hst_syscall_sig(__NR_shmat)->ret, HST_R_HEX);
	cr_assert_eq(hst_syscall_sig(__NR_socket)->ret, HST_R_FD);
	cr_assert_eq(hst_syscall_sig(__NR_dup3)->ret, HST_R_FD);
	cr_assert_eq(hst_syscall_sig(__NR_pipe)->ret, HST_R_INT);
	cr_assert_eq(hst_syscall_sig(__NR_rt_sigreturn)->ret, HST_R_INT);
	cr_assert_eq(hst_syscall_sig(__NR_getpid)->ret, HST_R_INT);
}

Test(systable, exit_from_is_the_first_output_argument)
{
	for (unsigned nr = 0; nr < hst_nsyscalls; nr++) {
		const struct hst_syscall_sig *s = hst_syscall_sig(nr);
		unsigned first = s ? s->nargs : 0;

		if (s == NULL)
			continue;
		for (unsigned i = 0; i < s->nargs; i++)
			if (s->type[i] == HST_A_BUF_OUT || s->type[i] == HST_A_OUT || s->type[i] == HST_A_INOUT) {
				first = i;
				break;
			}
		cr_assert_eq(s->exit_from, first, "%s", s->name);
	}
}

/*
 * -P decides at a call's entry, from what its descriptor arguments name at
 * the entry stop (the tracer reads them with the entry's captures): none
 * may be an argument rendered at exit.
 */
Test(systable, descriptor_arguments_are_entry_arguments)
{
	for (unsigned nr = 0; nr < hst_nsyscalls; nr++) {
		const struct hst_syscall_sig *s = hst_syscall_sig(nr);

		for (unsigned i = 0; s && i < s->nargs; i++)
			if (s->type[i] == HST_A_FD || s->type[i] == HST_A_DIRFD)
				cr_assert_lt(i, s->exit_from, "%s: descriptor argument %u at exit", s->name, i);
	}
}

Test(systable, inner_layouts_point_into_the_public_structs)
{
	const struct hst_inner_layout *r = &hst_inner_layouts[__NR_read];
	const struct hst_inner_layout *e = &hst_inner_layouts[__NR_execve];
	const struct hst_inner_layout *o = &hst_inner_layouts[__NR_openat];

	cr_assert_eq(r->nfields, 3);
	cr_assert_eq(r->f[0].kind, HST_F_INT);
	cr_assert_eq(r->f[0].off, offsetof(struct hstrace_args_read, fd));
	cr_assert_eq(r->f[1].kind, HST_F_BUF);
	cr_assert_eq(r->f[1].off, offsetof(struct hstrace_args_read, buf));
	cr_assert_eq(r->f[1].aux_off, offsetof(struct hstrace_args_read, buf_len));
	cr_assert_eq(r->f[2].kind, HST_F_U64);
	cr_assert_eq(r->f[2].off, offsetof(struct hstrace_args_read, count));

	cr_assert_eq(e->f[0].kind, HST_F_STR);
	cr_assert_eq(e->f[1].kind, HST_F_STRV);
	cr_assert_eq(e->f[1].off, offsetof(struct hstrace_args_execve, argv));
	cr_assert_eq(e->f[1].aux_off, offsetof(struct hstrace_args_execve, argv_count));
	cr_assert_eq(e->f[2].aux_off, offsetof(struct hstrace_args_execve, envp_count));

	cr_assert_eq(o->f[2].kind, HST_F_INT);
	cr_assert_eq(o->f[2].off, offsetof(struct hstrace_args_openat, flags));
	cr_assert_eq(o->f[3].kind, HST_F_U64);
	cr_assert_eq(o->f[3].off, offsetof(struct hstrace_args_openat, mode));

	cr_assert_eq(hst_inner_layouts[__NR_getpid].nfields, 0);
	cr_assert_leq(sizeof(struct hstrace_args_mmap), sizeof(union hstrace_inner));
}

Test(systable, errno_names_and_messages)
{
	cr_assert_str_eq(hst_errno_name(ENOENT), "ENOENT");
	cr_assert_str_eq(hst_errno_message(ENOENT), "No such file or directory");
	cr_assert_str_eq(hst_errno_name(EAGAIN), "EAGAIN");
	cr_assert_str_eq(hst_errno_name(EWOULDBLOCK), "EAGAIN");
	cr_assert_str_eq(hst_errno_message(EAGAIN), "Resource temporarily unavailable");
	cr_assert_str_eq(hst_errno_name(EDEADLOCK), "EDEADLK");
	cr_assert_str_eq(hst_errno_name(ENOTSUP), "EOPNOTSUPP");
	cr_assert_str_eq(hst_errno_name(EHWPOISON), "EHWPOISON");
	cr_assert_str_eq(hst_errno_name(512), "ERESTARTSYS");
	cr_assert_str_eq(hst_errno_message(512), "To be restarted if SA_RESTART is set");
	cr_assert_str_eq(hst_errno_name(516), "ERESTART_RESTARTBLOCK");
	cr_assert_str_eq(hst_errno_message(516), "Interrupted by signal");
	cr_assert_str_eq(hst_errno_name(515), "ENOIOCTLCMD");
	cr_assert_str_eq(hst_errno_message(515), "Unknown error 515");
	cr_assert_str_eq(hst_errno_name(530), "ERECALLCONFLICT");
}

Test(systable, errno_gaps_and_range)
{
	for (int e = 1; e <= 133; e++) {
		if (e == 41 || e == 58) {
			cr_assert_null(hst_errno_name(e), "%d", e);
			continue;
		}
		cr_assert_not_null(hst_errno_name(e), "%d", e);
		cr_assert_not_null(hst_errno_message(e), "%d", e);
	}
	cr_assert_null(hst_errno_name(0));
	cr_assert_null(hst_errno_name(-2));
	cr_assert_null(hst_errno_name(134));
	cr_assert_null(hst_errno_name(519));
	cr_assert_null(hst_errno_message(520));
	cr_assert_null(hst_errno_name(4095));
	cr_assert_null(hst_errno_message(100000));
}

Test(systable, signal_names)
{
	char want[16];

	cr_assert_str_eq(hst_signal_name(SIGHUP), "SIGHUP");
	cr_assert_str_eq(hst_signal_name(SIGKILL), "SIGKILL");
	cr_assert_str_eq(hst_signal_name(SIGCHLD), "SIGCHLD");
	cr_assert_str_eq(hst_signal_name(SIGABRT), "SIGABRT");
	cr_assert_str_eq(hst_signal_name(SIGIO), "SIGIO");
	cr_assert_str_eq(hst_signal_name(SIGSYS), "SIGSYS");
	/* strace names the kernel's real-time signals, not glibc's. */
	cr_assert_str_eq(hst_signal_name(32), "SIGRTMIN");
	for (int n = 1; n <= 32; n++) {
		snprintf(want, sizeof(want), "SIGRT_%d", n);
		cr_assert_str_eq(hst_signal_name(32 + n), want);
	}
	cr_assert_str_eq(hst_signal_name(SIGRTMIN), "SIGRT_2", "glibc's SIGRTMIN is 34");
	cr_assert_str_eq(hst_signal_name(SIGRTMAX), "SIGRT_32");
	cr_assert_null(hst_signal_name(0));
	cr_assert_null(hst_signal_name(-1));
	cr_assert_null(hst_signal_name(65));
}

Test(systable, category_names)
{
	cr_assert_str_eq(hst_category_name(HST_CAT_OTHER), "other");
	cr_assert_str_eq(hst_category_name(HST_CAT_FILE), "file");
	cr_assert_str_eq(hst_category_name(HST_CAT_DESC), "desc");
	cr_assert_str_eq(hst_category_name(HST_CAT_NETWORK), "network");
	cr_assert_str_eq(hst_category_name(HST_CAT_PROCESS), "process");
	cr_assert_str_eq(hst_category_name(HST_CAT_MEMORY), "memory");
	cr_assert_str_eq(hst_category_name(HST_CAT_SIGNAL), "signal");
	cr_assert_str_eq(hst_category_name(HST_CAT_IPC), "ipc");
	cr_assert_str_eq(hst_category_name(HST_CAT_TIME), "time");
	cr_assert_str_eq(hst_category_name(HST_CAT_CREDS), "creds");
	cr_assert_str_eq(hst_category_name(HST_CAT_SYSTEM), "system");
	cr_assert_null(hst_category_name(HST_CAT_MAX));
	cr_assert_eq(hst_syscall_sig(__NR_socket)->category, HST_CAT_NETWORK);
	cr_assert_eq(hst_syscall_sig(__NR_openat)->category, HST_CAT_FILE);
}

/*
 * Calls through the i386 and x32 ABIs are never named from the x86_64
 * table: i386's 20 is getpid, x86_64's 20 is writev; x32 numbers carry
 * bit 30, and x32's own calls from 512 on differ from x86_64's.  They are
 * named from <asm/unistd_32.h> and <asm/unistd_x32.h>, marked with their
 * ABI, and not decoded.  Every sink names calls through
 * hst_text_syscall_name.
 */
Test(systable, other_abis_are_marked_not_misnamed)
{
	char buf[HST_NAME_MAX];

	cr_assert_str_eq(hst_text_syscall_name(20, 0, buf), "writev");
	cr_assert_str_eq(hst_text_syscall_name(20, HST_RAWF_I386, buf), "i386:getpid");
	cr_assert_str_eq(hst_text_syscall_name(__NR_write, 0, buf), "write");
	cr_assert_str_eq(hst_text_syscall_name(4, HST_RAWF_I386, buf), "i386:write");
	cr_assert_str_eq(hst_text_syscall_name(423, HST_RAWF_I386, buf), "i386:sched_rr_get_interval_time64");
	cr_assert_str_eq(hst_text_syscall_name(100000, HST_RAWF_I386, buf), "i386:syscall_100000");
	cr_assert_str_eq(hst_text_syscall_name(-1, HST_RAWF_I386, buf), "i386:syscall_-1");
	cr_assert_null(hst_record_sig(20, HST_RAWF_I386));
	cr_assert_str_eq(hst_text_syscall_name(0x40000000 | 1, HST_RAWF_X32, buf), "x32:write");
	cr_assert_str_eq(hst_text_syscall_name(0x40000000 | 512, HST_RAWF_X32, buf), "x32:rt_sigaction");
	cr_assert_str_eq(hst_text_syscall_name(0x40000000 | 600000, HST_RAWF_X32, buf), "x32:syscall_0x400927c0");
	cr_assert_null(hst_record_sig(0x40000000 | 1, HST_RAWF_X32));
	cr_assert_null(hst_abi_name(1, 0), "an x86_64 call has no other ABI's name");
}
