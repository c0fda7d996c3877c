/*
 * Kinds of the signal calls: a signal number (kill, rt_sigaction), a
 * signal set (rt_sigprocmask, rt_sigpending, rt_sigsuspend), the kernel's
 * struct sigaction, stack_t (sigaltstack), siginfo_t (waitid,
 * rt_sigtimedwait, rt_sigqueueinfo) and rt_sigtimedwait's return, the
 * signal taken ("= 10 (SIGUSR1)").  See src/core/kinds.h.
 *
 * Like every kind, these run on a sink thread (describe) or the ptrace
 * thread (size_fn) and only read the call they are given.  Signal names come
 * from hst_signal_name (data/signals.tbl), so real-time signals are named
 * after the kernel's SIGRTMIN as strace names them.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/consts.h"
#include "core/kinds.h"
#include "core/systable.h"

#define SIGSET_BYTES 8u /* the kernel's sigset_t on x86_64 */

/* The kernel's struct sigaction on x86_64 (not glibc's). */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct kstack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

static void describe_signo(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   unsigned n)
{
	int sig = (int)k->value;
	const char *name = hst_signal_name(sig);

	(void)p;
	(void)n;
	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_int(w, sig);
}

/* A signal number: SIGTERM, SIGRT_3, or the number (0 for kill's probe). */
const struct hst_kind hst_kind_signo = {
	.name = "signo",
	.describe = describe_signo,
};

/* rt_sigtimedwait's return, the signal taken: "10 (SIGUSR1)". */
static void describe_signo_ret(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	const char *name = hst_signal_name((int)k->value);

	(void)p;
	(void)n;
	hst_vw_int(w, (int64_t)k->value);
	if (!name)
		return;
	hst_vw_note_begin(w);
	hst_vw_raw(w, name);
	hst_vw_note_end(w);
}

const struct hst_kind hst_kind_signo_ret = {
	.name = "signo_ret",
	.describe = describe_signo_ret,
};

/*
 * "[CHLD RTMIN RT_1]", or "~[...]" listing the signals not in the set when
 * two thirds or more of its bits are set, as strace's sprintsigmask_n.
 */
static void put_sigmask(struct hst_vw *w, uint64_t mask)
{
	char buf[512];
	int len = 0;
	bool first = true;

	if (__builtin_popcountll(mask) >= 64 * 2 / 3) {
		mask = ~mask;
		buf[len++] = '~';
	}
	buf[len++] = '[';
	for (int bit = 0; bit < 64; bit++) {
		const char *name = hst_signal_name(bit + 1);
		if (!(mask & (1ull << bit)))
			continue;
		if (name)
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%s",
					first ? "" : " ", name + 3);
		else
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%d",
					first ? "" : " ", bit + 1);
		first = false;
	}
	snprintf(buf + len, sizeof(buf) - (size_t)len, "]");
	hst_vw_raw(w, buf);
}

/* strace reads a set only when its size is the kernel's; else the address. */
static size_t sigset_size(const struct hst_kcall *k)
{
	if (k->lenarg < 0 || k->args[k->lenarg] != SIGSET_BYTES)
		return 0;
	return SIGSET_BYTES;
}

static void describe_sigset(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	uint64_t mask;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &mask, sizeof(mask)))
		return;
	put_sigmask(w, mask);
}

/* A sigset_t whose size is the row's length argument. */
const struct hst_kind hst_kind_sigset = {
	.name = "sigset",
	.size_fn = sigset_size,
	.describe = describe_sigset,
};

/* "SA_RESTORER|SA_RESTART"; with no known bit, the number and an SA_??? comment. */
static void put_sa_flags(struct hst_vw *w, uint64_t flags)
{
	const struct hst_ctab *t = &hst_ctab_sigaction_flags;

	for (unsigned i = 0; i < t->n; i++)
		if (flags & t->c[i].value) {
			hst_vw_flags(w, t, flags);
			return;
		}
	if (flags)
		hst_vw_rawf(w, "%#llx /* SA_??? */", (unsigned long long)flags);
	else
		hst_vw_raw(w, "0");
}

static void put_handler(struct hst_vw *w, uint64_t h)
{
	if (h == (uint64_t)(uintptr_t)SIG_DFL)
		hst_vw_raw(w, "SIG_DFL");
	else if (h == (uint64_t)(uintptr_t)SIG_IGN)
		hst_vw_raw(w, "SIG_IGN");
	else if (h == (uint64_t)(uintptr_t)SIG_ERR)
		hst_vw_raw(w, "SIG_ERR");
	else
		hst_vw_ptr(w, h);
}

static void describe_sigaction(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	struct ksigaction sa;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &sa, sizeof(sa)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "sa_handler");
	put_handler(w, sa.handler);
	hst_vw_key(w, "sa_mask");
	put_sigmask(w, sa.mask);
	hst_vw_key(w, "sa_flags");
	put_sa_flags(w, sa.flags);
	if (sa.flags & 0x04000000) { /* SA_RESTORER */
		hst_vw_key(w, "sa_restorer");
		hst_vw_ptr(w, sa.restorer);
	}
	hst_vw_struct_end(w);
}

/* The kernel's struct sigaction (rt_sigaction's act and oldact). */
const struct hst_kind hst_kind_sigaction = {
	.name = "sigaction",
	.size = sizeof(struct ksigaction),
	.describe = describe_sigaction,
};

static void describe_sigaltstack(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	struct kstack ss;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &ss, sizeof(ss)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "ss_sp");
	hst_vw_ptr(w, ss.sp);
	hst_vw_key(w, "ss_flags");
	hst_vw_flags(w, &hst_ctab_sigaltstack_flags, (uint32_t)ss.flags);
	hst_vw_key(w, "ss_size");
	hst_vw_uint(w, ss.size);
	hst_vw_struct_end(w);
}

/* stack_t: sigaltstack's ss and old_ss. */
const struct hst_kind hst_kind_sigaltstack = {
	.name = "sigaltstack",
	.size = sizeof(struct kstack),
	.describe = describe_sigaltstack,
};

/* --- siginfo ------------------------------------------------------------ */

static const char *si_code_name(int sig, int code)
{
	static const char *const cld[] = { NULL, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
					   "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED" };

	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	case -7: return "SI_DETHREAD";
	case -60: return "SI_ASYNCNL";
	}
	if (sig == SIGCHLD && code > 0 && code <= CLD_CONTINUED)
		return cld[code];
	return NULL;
}

static void put_signal(struct hst_vw *w, int sig)
{
	const char *name = hst_signal_name(sig);

	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_int(w, sig);
}

/* Clock ticks, with the seconds in a comment when not 0 (USER_HZ is 100). */
static void put_clock(struct hst_vw *w, const char *key, long long v)
{
	hst_vw_key(w, key);
	if (v)
		hst_vw_rawf(w, "%lld /* %lld.%02lld s */", v, v / 100, v % 100);
	else
		hst_vw_int(w, 0);
}

/* What a child's state change says: pid, uid, status, times. */
static void put_sigchld(struct hst_vw *w, const siginfo_t *si)
{
	hst_vw_key(w, "si_status");
	if (si->si_code == CLD_EXITED)
		hst_vw_int(w, si->si_status);
	else
		put_signal(w, si->si_status);
	put_clock(w, "si_utime", si->si_utime);
	put_clock(w, "si_stime", si->si_stime);
}

/* A sigqueue value, as strace: si_int=1, si_ptr=0x1 (one union). */
static void put_sigval(struct hst_vw *w, const siginfo_t *si)
{
	hst_vw_key(w, "si_int");
	hst_vw_int(w, si->si_value.sival_int);
	hst_vw_key(w, "si_ptr");
	hst_vw_ptr(w, (uint64_t)(uintptr_t)si->si_value.sival_ptr);
}

/*
 * {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., ...} for the codes
 * of kill, sigqueue and children, as strace's printsiginfo; "{}" when the
 * kernel filled in nothing (waitid with WNOHANG).
 */
static void describe_siginfo(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			     unsigned n)
{
	siginfo_t si;
	const char *code;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &si, sizeof(si)))
		return;
	hst_vw_struct_begin(w);
	if (si.si_signo == 0) {
		hst_vw_struct_end(w);
		return;
	}
	hst_vw_key(w, "si_signo");
	put_signal(w, si.si_signo);
	hst_vw_key(w, "si_code");
	code = si_code_name(si.si_signo, si.si_code);
	if (code)
		hst_vw_raw(w, code);
	else
		hst_vw_int(w, si.si_code);
	if (si.si_code == SI_TIMER) {
		hst_vw_key(w, "si_timerid");
		hst_vw_hex(w, (unsigned)si.si_timerid);
		hst_vw_key(w, "si_overrun");
		hst_vw_int(w, si.si_overrun);
		put_sigval(w, &si);
	} else if (si.si_code <= 0 || si.si_signo == SIGCHLD) {
		hst_vw_key(w, "si_pid");
		hst_vw_int(w, si.si_pid);
		hst_vw_key(w, "si_uid");
		hst_vw_uint(w, si.si_uid);
	}
	if (si.si_signo == SIGCHLD && si.si_code > 0)
		put_sigchld(w, &si);
	else if (si.si_code < 0 && si.si_code != SI_TKILL && si.si_code != SI_TIMER &&
		 si.si_value.sival_ptr)
		put_sigval(w, &si);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_siginfo = {
	.name = "siginfo",
	.size = sizeof(siginfo_t),
	.describe = describe_siginfo,
};


/*
 * rt_sigreturn's "{mask=[...]}": the signal mask the kernel restores, read
 * from the signal frame.  The tracer passes the stack pointer as the
 * call's only "argument" (rt_sigreturn has none); at the entry stop it
 * points at the frame's struct ucontext, whose uc_sigmask follows uc_flags,
 * uc_link, uc_stack and the 256-byte uc_mcontext (x86_64).
 */
#define UC_SIGMASK_OFFSET (8 + 8 + 24 + 256)

static void capture_sigframe(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;

	hst_capctx_read(c, k->args[k->arg] + UC_SIGMASK_OFFSET, SIGSET_BYTES, &unused);
}

static void describe_sigframe(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			      unsigned n)
{
	uint64_t mask;

	(void)n;
	if (p->fault || p->len < sizeof(mask)) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	memcpy(&mask, p->data, sizeof(mask));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "mask");
	put_sigmask(w, mask);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_sigframe = {
	.name = "sigframe",
	.capture = capture_sigframe,
	.bound = 16 + SIGSET_BYTES,
	.describe = describe_sigframe,
};
