/*
 * Processes, credentials, the system and signals: see tests/fam/fam.h and
 * tests/test_decode.c.  Calls whose result is a pid (fork, getpid, wait4
 * of a real child) differ between the hstrace and the strace run, so only
 * their failing forms are here; scripts/strace_compare.py covers the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "fam.h"

/* The kernel's struct sigaction on x86_64. */
struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};

static char ret_buf[64][32];
static unsigned nret;

/* A return value as expect() wants it. */
static const char *num(long v)
{
	char *s = ret_buf[nret++ % 64];

	snprintf(s, 32, "%ld", v);
	return s;
}

static void rlim_text(char *buf, size_t size, unsigned long long v)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, size, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		snprintf(buf, size, "%llu*1024", v / 1024);
	else
		snprintf(buf, size, "%llu", v);
}

static void groups(void)
{
	unsigned list[64];
	char text[1024];
	long n = syscall(SYS_getgroups, 0, NULL);
	size_t len = 0;

	expect(num(n), "getgroups(0, NULL)");
	n = syscall(SYS_getgroups, 64, list);
	for (long i = 0; i < n && i < 32; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%u", i ? ", " : "", list[i]);
	text[len] = 0;
	expect(num(n), "getgroups(64, [%s%s])", text, n > 32 ? ", ..." : "");
	unsigned hdr[2] = { 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0 }, data[6] = { 0 };

	syscall(SYS_capget, hdr, NULL);
	expect("0", "capget({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, NULL)");
	hdr[1] = 1;
	syscall(SYS_capset, hdr, data);
	expect("-1 EPERM (Operation not permitted)", "capset({version=_LINUX_CAPABILITY_VERSION_3, pid=1}, "
	       "{effective=0, permitted=0, inheritable=0})");
	syscall(SYS_setgroups, -1, NULL);
	expect("-1 EINVAL (Invalid argument)", "setgroups(-1, NULL)");
}

static void creds(void)
{
	unsigned r, e, s;
	long uid = syscall(SYS_getuid), gid;

	expect(num(uid), "getuid()");
	expect(num(syscall(SYS_geteuid)), "geteuid()");
	gid = syscall(SYS_getgid);
	expect(num(gid), "getgid()");
	expect(num(syscall(SYS_getegid)), "getegid()");
	syscall(SYS_getresuid, &r, &e, &s);
	expect("0", "getresuid([%u], [%u], [%u])", r, e, s);
	syscall(SYS_getresgid, &r, &e, &s);
	expect("0", "getresgid([%u], [%u], [%u])", r, e, s);
	syscall(SYS_getresuid, NULL, NULL, NULL);
	expect("-1 EFAULT (Bad address)", "getresuid(NULL, NULL, NULL)");
	syscall(SYS_setuid, -1);
	expect("-1 EINVAL (Invalid argument)", "setuid(-1)");
	syscall(SYS_setgid, -1);
	expect("-1 EINVAL (Invalid argument)", "setgid(-1)");
	syscall(SYS_setreuid, -1, -1);
	expect("0", "setreuid(-1, -1)");
	syscall(SYS_setregid, -1, -1);
	expect("0", "setregid(-1, -1)");
	syscall(SYS_setresuid, -1, -1, -1);
	expect("0", "setresuid(-1, -1, -1)");
	syscall(SYS_setresgid, -1, -1, -1);
	expect("0", "setresgid(-1, -1, -1)");
	expect(num(syscall(SYS_setfsuid, -1)), "setfsuid(-1)");
	expect(num(syscall(SYS_setfsgid, -1)), "setfsgid(-1)");
	groups();
}

static void process(void)
{
	unsigned long fs;
	int st;

	syscall(SYS_setpgid, -5, 0);
	expect("-1 EINVAL (Invalid argument)", "setpgid(-5, 0)");
	syscall(SYS_sched_yield);
	expect("0", "sched_yield()");
	syscall(SYS_wait4, -1, &st, WNOHANG | __WALL, NULL);
	expect("-1 ECHILD (No child processes)", "wait4(-1, %p, WNOHANG|__WALL, NULL)", (void *)&st);
	syscall(SYS_wait4, -1, &st, 0x7fffffff, NULL);
	expect("-1 EINVAL (Invalid argument)",
	       "wait4(-1, %p, WNOHANG|WEXITED|WSTOPPED|WCONTINUED|WNOWAIT|__WALL|__WNOTHREAD|0x1efffff0, NULL)",
	       (void *)&st);
	syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0);
	expect("-1 EINVAL (Invalid argument)", "clone(child_stack=NULL, flags=CLONE_SIGHAND)");
	syscall(SYS_clone, CLONE_SIGHAND | CLONE_SETTLS | CLONE_CHILD_SETTID | SIGTERM, 0x1000, 0x2000,
		0x3000, 0x4000);
	expect("-1 EINVAL (Invalid argument)",
	       "clone(child_stack=0x1000, flags=CLONE_SIGHAND|CLONE_SETTLS|CLONE_CHILD_SETTID|SIGTERM, "
	       "tls=0x4000, child_tidptr=0x3000)");
	syscall(SYS_unshare, 0);
	expect("0", "unshare(0)");
	syscall(SYS_setns, -1, CLONE_NEWNET);
	expect("-1 EBADF (Bad file descriptor)", "setns(-1, CLONE_NEWNET)");
	expect(num(syscall(SYS_getpriority, PRIO_PROCESS, 0)), "getpriority(PRIO_PROCESS, 0)");
	struct sched_param sp = { 0 };
	void *head;
	size_t head_len;

	expect(num(syscall(SYS_sched_get_priority_max, SCHED_RR)), "sched_get_priority_max(SCHED_RR)");
	syscall(SYS_sched_getparam, 0, &sp);
	expect("0", "sched_getparam(0, [%d])", sp.sched_priority);
	syscall(SYS_get_robust_list, 0, &head, &head_len);
	expect("0", "get_robust_list(0, [%p], [%zu])", head, head_len);
	struct timespec rr;
	syscall(SYS_sched_rr_get_interval, 0, &rr);
	expect("0", "sched_rr_get_interval(0, {tv_sec=%ld, tv_nsec=%ld})", (long)rr.tv_sec, rr.tv_nsec);
	syscall(SYS_get_robust_list, 0, NULL, NULL);
	expect("-1 EFAULT (Bad address)", "get_robust_list(0, NULL, NULL)");
	syscall(SYS_execveat, -1, "", NULL, NULL, AT_EMPTY_PATH);
	expect("-1 EBADF (Bad file descriptor)", "execveat(-1, \"\", NULL, NULL, AT_EMPTY_PATH)");
	syscall(SYS_pidfd_open, -1, 0);
	expect("-1 EINVAL (Invalid argument)", "pidfd_open(-1, 0)");
	syscall(SYS_pidfd_open, 1, 0xffffffffu);
	expect("-1 EINVAL (Invalid argument)", "pidfd_open(1, PIDFD_NONBLOCK|0xfffff7ff)");
	syscall(SYS_set_robust_list, NULL, 0);
	expect("-1 EINVAL (Invalid argument)", "set_robust_list(NULL, 0)");
	syscall(SYS_rseq, NULL, 0, 7, 0x53053053);
	expect("-1 EINVAL (Invalid argument)", "rseq(0, 0, 0x7, 0x53053053)");
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	expect("0", "prctl(PR_SET_PDEATHSIG, SIGTERM)");
	syscall(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0);
	expect("0", "prctl(PR_SET_PDEATHSIG, 0)");
	syscall(SYS_prctl, PR_CAPBSET_READ, 99, 0, 0, 0);
	expect("-1 EINVAL (Invalid argument)", "prctl(PR_CAPBSET_READ, 0x63 /* CAP_??? */)");
	syscall(SYS_prctl, PR_SET_DUMPABLE, 7, 0, 0, 0);
	expect("-1 EINVAL (Invalid argument)", "prctl(PR_SET_DUMPABLE, 0x7 /* SUID_DUMP_??? */)");
	expect(num(syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)), "prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)");
	syscall(SYS_prctl, 9999, 1, 2, 3, 4);
	expect("-1 EINVAL (Invalid argument)", "prctl(0x270f /* PR_??? */, 0x1, 0x2, 0x3, 0x4)");
	syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs);
	expect("0", "arch_prctl(ARCH_GET_FS, [%#lx])", fs);
}

/*
 * Only failing forms: hstrace's own CPU placement (--spin) can show in the
 * tracee's affinity, so a successful sched_getaffinity differs between runs.
 */
/*
 * A child that lives until this process exits (it reads a pipe nobody else
 * writes), made with the fork call, whose line (a pid) is not compared.
 */
static void children(void)
{
	siginfo_t info;
	int fds[2];

	if (pipe(fds) < 0)
		return;
	if (syscall(SYS_fork) == 0) {
		char c;
		close(1);
		close(2);
		close(fds[1]);
		(void)!read(fds[0], &c, 1);
		_exit(0);
	}
	close(fds[0]);
	syscall(SYS_waitid, P_ALL, 0, &info, WEXITED | WNOHANG, NULL);
	expect("0", "waitid(P_ALL, 0, {}, WNOHANG|WEXITED, NULL)");
	syscall(SYS_waitid, P_PIDFD, 99, &info, WEXITED, NULL);
	expect("-1 EBADF (Bad file descriptor)", "waitid(P_PIDFD, 99, %p, WEXITED, NULL)", (void *)&info);
}

static void cpus(void)
{
	unsigned char set[128] = { 0 };

	syscall(SYS_sched_getaffinity, 0, 4, set);
	expect("-1 EINVAL (Invalid argument)", "sched_getaffinity(0, 4, %p)", (void *)set);
	syscall(SYS_sched_setaffinity, 0, 8, set);
	expect("-1 EINVAL (Invalid argument)", "sched_setaffinity(0, 8, [])");
}

static void limits(void)
{
	struct rlimit rl;
	struct rusage ru;
	struct utsname u;
	char cur[32], max[32];

	syscall(SYS_getrlimit, RLIMIT_CORE, &rl);
	rlim_text(cur, sizeof(cur), rl.rlim_cur);
	rlim_text(max, sizeof(max), rl.rlim_max);
	expect("0", "getrlimit(RLIMIT_CORE, {rlim_cur=%s, rlim_max=%s})", cur, max);
	syscall(SYS_setrlimit, RLIMIT_CORE, &rl);
	expect("0", "setrlimit(RLIMIT_CORE, {rlim_cur=%s, rlim_max=%s})", cur, max);
	syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl);
	rlim_text(cur, sizeof(cur), rl.rlim_cur);
	rlim_text(max, sizeof(max), rl.rlim_max);
	expect("0", "prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=%s, rlim_max=%s})", cur, max);
	syscall(SYS_getrlimit, RLIMIT_STACK, (void *)8);
	expect("-1 EFAULT (Bad address)", "getrlimit(RLIMIT_STACK, 0x8)");
	syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru);
	expect("0", "getrusage(RUSAGE_CHILDREN, {ru_utime={tv_sec=0, tv_usec=0}, "
	       "ru_stime={tv_sec=0, tv_usec=0}, ...})");
	syscall(SYS_getrusage, RUSAGE_SELF, (void *)8);
	expect("-1 EFAULT (Bad address)", "getrusage(RUSAGE_SELF, 0x8)");
	syscall(SYS_uname, &u);
	expect("0", "uname({sysname=\"%s\", nodename=\"%s\", ...})", u.sysname, u.nodename);
	syscall(SYS_getrandom, &u, 0, 0);
	expect("0", "getrandom(\"\", 0, 0)");
	syscall(SYS_getrandom, &u, 4, 0xffu);
	expect("-1 EINVAL (Invalid argument)",
	       "getrandom(%p, 4, GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE|0xf8)", (void *)&u);
}

static void actions(void)
{
	struct ksigaction act = { (unsigned long)SIG_IGN, 0x04000000 | SA_RESTART, 0x1234, 0 }, old;

	act.mask = 1ul << (SIGINT - 1) | 1ul << (SIGRTMIN + 2 - 1);
	syscall(SYS_rt_sigaction, SIGUSR1, &act, &old, 8);
	expect("0", "rt_sigaction(SIGUSR1, {sa_handler=SIG_IGN, sa_mask=[INT RT_4], "
	       "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x1234}, "
	       "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8)");
	syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8);
	expect("0", "rt_sigaction(SIGUSR1, NULL, {sa_handler=SIG_IGN, sa_mask=[INT RT_4], "
	       "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x1234}, 8)");
	act.handler = 0x1000;
	act.flags = SA_ONSTACK | SA_NODEFER | SA_RESETHAND | SA_SIGINFO | SA_NOCLDSTOP | SA_NOCLDWAIT;
	act.mask = ~0ul;
	syscall(SYS_rt_sigaction, SIGKILL, &act, NULL, 8);
	expect("-1 EINVAL (Invalid argument)", "rt_sigaction(SIGKILL, {sa_handler=0x1000, sa_mask=~[], "
	       "sa_flags=SA_ONSTACK|SA_NODEFER|SA_RESETHAND|SA_SIGINFO|SA_NOCLDSTOP|SA_NOCLDWAIT}, NULL, 8)");
	act.handler = (unsigned long)SIG_DFL;
	act.flags = 0xc00;
	act.mask = 1ul << (SIGCHLD - 1);
	syscall(SYS_rt_sigaction, SIGUSR2, &act, NULL, 7);
	expect("-1 EINVAL (Invalid argument)", "rt_sigaction(SIGUSR2, {sa_handler=SIG_DFL, "
	       "sa_mask=[CHLD], sa_flags=0xc00 /* SA_??? */}, NULL, 7)");
	syscall(SYS_rt_sigaction, SIGUSR2, (void *)8, NULL, 8);
	expect("-1 EFAULT (Bad address)", "rt_sigaction(SIGUSR2, 0x8, NULL, 8)");
}

static void masks(void)
{
	uint64_t set = 0, old;

	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8);
	expect("0", "rt_sigprocmask(SIG_SETMASK, [], NULL, 8)");
	set = 1ul << (SIGCHLD - 1);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8);
	expect("0", "rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8)");
	set = ~0ul & ~(1ul << (SIGUSR1 - 1));
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8);
	expect("0", "rt_sigprocmask(SIG_BLOCK, ~[USR1], [CHLD], 8)");
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, &old, 8);
	expect("0", "rt_sigprocmask(SIG_UNBLOCK, ~[USR1], ~[KILL USR1 STOP], 8)");
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 4);
	expect("-1 EINVAL (Invalid argument)", "rt_sigprocmask(SIG_BLOCK, %p, %p, 4)", (void *)&set,
	       (void *)&old);
	syscall(SYS_rt_sigpending, &set, 8);
	expect("0", "rt_sigpending([], 8)");
	syscall(SYS_rt_sigsuspend, &set, 4);
	expect("-1 EINVAL (Invalid argument)", "rt_sigsuspend(%p, 4)", (void *)&set);
}

static void signals(void)
{
	char buf[16];
	stack_t ss = { .ss_sp = buf, .ss_size = 8 }, old;

	syscall(SYS_sigaltstack, NULL, &old);
	expect("0", "sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0})");
	syscall(SYS_sigaltstack, &ss, NULL);
	expect("-1 ENOMEM (Cannot allocate memory)", "sigaltstack({ss_sp=%p, ss_flags=0, ss_size=8}, NULL)",
	       (void *)buf);
	syscall(SYS_kill, 0, 0);
	expect("0", "kill(0, 0)");
	syscall(SYS_kill, -99999, SIGTERM);
	expect("-1 ESRCH (No such process)", "kill(-99999, SIGTERM)");
	syscall(SYS_tkill, -1, SIGRTMIN + 3);
	expect("-1 EINVAL (Invalid argument)", "tkill(-1, SIGRT_5)");
	uint64_t set = 1ul << (SIGUSR2 - 1);
	struct timespec ts = { 0, 0 };
	siginfo_t info;

	syscall(SYS_rt_sigtimedwait, &set, &info, &ts, 8);
	expect("-1 EAGAIN (Resource temporarily unavailable)",
	       "rt_sigtimedwait([USR2], %p, {tv_sec=0, tv_nsec=0}, 8)", (void *)&info);
	long fd = syscall(SYS_signalfd4, -1, &set, 8, SFD_CLOEXEC | SFD_NONBLOCK);
	expect(num(fd), "signalfd4(-1, [USR2], 8, SFD_CLOEXEC|SFD_NONBLOCK)");
	close((int)fd);
	syscall(SYS_signalfd, -1, &set, 4);
	expect("-1 EINVAL (Invalid argument)", "signalfd(-1, %p, 4)", (void *)&set);
	syscall(SYS_tgkill, -1, -1, 200);
	expect("-1 EINVAL (Invalid argument)", "tgkill(-1, -1, 200)");
}

/* Return values with a note, names through prctl, ids above INT_MAX. */
static void notes(void)
{
	char name[16];
	long r;

	r = syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
	expect(r == 1 ? "1 (SUID_DUMP_USER)" : num(r), "prctl(PR_GET_DUMPABLE)");
	syscall(SYS_prctl, PR_SET_NAME, "fam-proc-long-name", 0, 0, 0);
	expect("0", "prctl(PR_SET_NAME, \"fam-proc-long-n\"...)");
	syscall(SYS_prctl, PR_SET_NAME, "fam-proc", 0, 0, 0);
	expect("0", "prctl(PR_SET_NAME, \"fam-proc\")");
	syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0);
	expect("0", "prctl(PR_GET_NAME, \"fam-proc\")");
	syscall(SYS_prctl, PR_GET_NAME, NULL, 0, 0, 0);
	expect("-1 EFAULT (Bad address)", "prctl(PR_GET_NAME, NULL)");
	syscall(SYS_prctl, PR_SET_NAME, 1, 0, 0, 0);
	expect("-1 EFAULT (Bad address)", "prctl(PR_SET_NAME, 0x1)");
	r = syscall(SYS_personality, 0xffffffff);
	expect(r == 0 ? "0 (PER_LINUX)" : num(r), "personality(0xffffffff)");
	r = syscall(SYS_personality, 0x0040007);
	expect(r == 0 ? "0 (PER_LINUX)" : num(r), "personality(0x7 /* PER_??? */|ADDR_NO_RANDOMIZE)");
	r = syscall(SYS_personality, (unsigned)r);
	expect(r == 0x0040007 ? "0x40007 (0x7 /* PER_??? */|ADDR_NO_RANDOMIZE)" : num(r),
	       "personality(PER_LINUX)");
	r = syscall(SYS_sched_getscheduler, 0);
	expect(r == 0 ? "0 (SCHED_OTHER)" : num(r), "sched_getscheduler(0)");
	syscall(SYS_sched_getscheduler, -1);
	expect("-1 EINVAL (Invalid argument)", "sched_getscheduler(-1)");
	r = syscall(SYS_setfsgid, 3000000000u);
	expect(num(r), "setfsgid(3000000000)");
	expect(num(syscall(SYS_setfsgid, (unsigned)r)), "setfsgid(%u)", (unsigned)r);
	syscall(SYS_getrlimit, 99, NULL);
	expect("-1 EINVAL (Invalid argument)", "getrlimit(0x63 /* RLIMIT_??? */, NULL)");
	syscall(SYS_clone, CLONE_PARENT_SETTID | CLONE_SIGHAND, 0, 0x1000, 0, 0);
	expect("-1 EINVAL (Invalid argument)",
	       "clone(child_stack=NULL, flags=CLONE_SIGHAND|CLONE_PARENT_SETTID, parent_tid=0x1000)");
	syscall(SYS_clone, CLONE_PARENT_SETTID | CLONE_SIGHAND, 0, 0, 0, 0);
	expect("-1 EINVAL (Invalid argument)",
	       "clone(child_stack=NULL, flags=CLONE_SIGHAND|CLONE_PARENT_SETTID, parent_tid=NULL)");
	uint64_t ca[11] = { 1ull << 40 };
	syscall(SYS_clone3, ca, sizeof(ca));
	expect("-1 EINVAL (Invalid argument)",
	       "clone3({flags=0x10000000000 /* CLONE_??? */, exit_signal=0, stack=NULL, stack_size=0}, 88)");
}

/* seccomp's arguments by operation; nothing is installed. */
static void filters(void)
{
	uint64_t insn = 0x7fff000000000006ull; /* BPF_RET|BPF_K, SECCOMP_RET_ALLOW */
	struct { uint16_t len; void *filter; } prog = { 1, &insn };
	uint32_t act = 0x7ffc0000; /* SECCOMP_RET_LOG */
	uint16_t sizes[3];
	long r;

	syscall(SYS_seccomp, 1 /* SET_MODE_FILTER */, 0x100, &prog);
	expect("-1 EINVAL (Invalid argument)",
	       "seccomp(SECCOMP_SET_MODE_FILTER, 0x100 /* SECCOMP_FILTER_FLAG_??? */, "
	       "{len=1, filter=%p})", (void *)&insn);
	syscall(SYS_seccomp, 0 /* SET_MODE_STRICT */, 1, NULL);
	expect("-1 EINVAL (Invalid argument)", "seccomp(SECCOMP_SET_MODE_STRICT, 0x1, NULL)");
	r = syscall(SYS_seccomp, 2 /* GET_ACTION_AVAIL */, 0, &act);
	expect(num(r), "seccomp(SECCOMP_GET_ACTION_AVAIL, 0, [SECCOMP_RET_LOG])");
	act = 0x12345;
	syscall(SYS_seccomp, 2, 0, &act);
	expect("-1 EOPNOTSUPP (Operation not supported)",
	       "seccomp(SECCOMP_GET_ACTION_AVAIL, 0, [0x12345 /* SECCOMP_RET_??? */])");
	if (syscall(SYS_seccomp, 3 /* GET_NOTIF_SIZES */, 0, sizes) == 0)
		expect("0", "seccomp(SECCOMP_GET_NOTIF_SIZES, 0, {seccomp_notif=%u, "
		       "seccomp_notif_resp=%u, seccomp_data=%u})", sizes[0], sizes[1], sizes[2]);
	syscall(SYS_seccomp, 99, 0, NULL);
	expect("-1 EINVAL (Invalid argument)", "seccomp(0x63 /* SECCOMP_SET_MODE_??? */, 0, NULL)");
}

/* ptrace requests on a pid that is no tracee of ours: all fail. */
static void traces(void)
{
	static long word;
	unsigned long msg;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	syscall(SYS_ptrace, 0x4200 /* PTRACE_SETOPTIONS */, -1, 0, 0x100001);
	expect("-1 ESRCH (No such process)",
	       "ptrace(PTRACE_SETOPTIONS, -1, NULL, PTRACE_O_TRACESYSGOOD|PTRACE_O_EXITKILL)");
	syscall(SYS_ptrace, 2 /* PTRACE_PEEKDATA */, -1, &word, &msg);
	expect("-1 ESRCH (No such process)", "ptrace(PTRACE_PEEKDATA, -1, %p, %p)", (void *)&word,
	       (void *)&msg);
	syscall(SYS_ptrace, 0x4203 /* PTRACE_SETSIGINFO */, -1, 0, &si);
	expect("-1 ESRCH (No such process)", "ptrace(PTRACE_SETSIGINFO, -1, NULL, "
	       "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=0, si_uid=0})");
	syscall(SYS_ptrace, 7 /* PTRACE_CONT */, -1, 0, SIGKILL);
	expect("-1 ESRCH (No such process)", "ptrace(PTRACE_CONT, -1, NULL, SIGKILL)");
	syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, -1, 0, 0);
	expect("-1 ESRCH (No such process)", "ptrace(PTRACE_ATTACH, -1)");
	syscall(SYS_ptrace, 12345, -1, 0, 0);
	expect("-1 ESRCH (No such process)", "ptrace(0x3039 /* PTRACE_??? */, -1, NULL, NULL)");
}

/*
 * A queued signal taken by rt_sigtimedwait: "= 10 (SIGUSR1)".  It is sent
 * with rt_tgsigqueueinfo, whose line (pids) is not compared; the siginfo
 * carries pid 0, so the rt_sigtimedwait line is the same in every run.
 */
static void queued(void)
{
	uint64_t set = 1ul << (SIGUSR1 - 1);
	siginfo_t si, got;
	long r;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_value.sival_ptr = (void *)0x1234;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8);
	expect("0", "rt_sigprocmask(SIG_BLOCK, [USR1], NULL, 8)");
	syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGUSR1, &si);
	r = syscall(SYS_rt_sigtimedwait, &set, &got, NULL, 8);
	expect(r == SIGUSR1 ? "10 (SIGUSR1)" : num(r),
	       "rt_sigtimedwait([USR1], {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=0, si_uid=0, "
	       "si_int=4660, si_ptr=0x1234}, NULL, 8)");
	syscall(SYS_rt_sigqueueinfo, -1, SIGUSR1, &si);
	expect("-1 ESRCH (No such process)",
	       "rt_sigqueueinfo(-1, SIGUSR1, {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=0, "
	       "si_uid=0, si_int=4660, si_ptr=0x1234})");
	syscall(SYS_pidfd_send_signal, -1, SIGUSR1, NULL, 0);
	expect("-1 EBADF (Bad file descriptor)", "pidfd_send_signal(-1, SIGUSR1, NULL, 0)");
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
	expect("0", "rt_sigprocmask(SIG_UNBLOCK, [USR1], NULL, 8)");
}

int main(void)
{
	creds();
	process();
	children();
	cpus();
	limits();
	actions();
	masks();
	signals();
	notes();
	filters();
	traces();
	queued();
	expect("?", "exit(0)");
	fam_done();
	syscall(SYS_exit, 0);
	return 0;
}
