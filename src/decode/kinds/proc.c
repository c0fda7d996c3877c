/*
 * Kinds of the process, credential and system calls: clone's arguments
 * (named, reordered and shown by flags as strace does), wait4's status,
 * struct rusage, struct rlimit, struct utsname, struct sysinfo, CPU sets,
 * the ids getresuid writes, getrandom's bytes, prctl's arguments by option,
 * arch_prctl's address, gid lists, capability sets, clone3's struct
 * clone_args, numbers written through a pointer ("[24]"), personality,
 * uids and gids, seccomp's arguments, and the returns strace annotates
 * ("= 1 (SUID_DUMP_USER)", "= 0 (SCHED_OTHER)").  See src/core/kinds.h.
 *
 * Like every kind, these run on a sink thread (describe, absent) or the
 * ptrace thread (size_fn, capture) and only read the call they are given.
 * clone's parent_tid is read at exit, so strace's "parent_tid=[1234]" puts
 * it and the arguments after it (tls, child_tidptr) in the exit half of the
 * line; they hide themselves when the flags do not ask for them.
 */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/seccomp.h>

#include "core/consts.h"
#include "core/kinds.h"
#include "core/systable.h"

/* --- text helpers, for values of several parts --------------------------- */

/* Text appended at buf[len], never past size; returns the new length. */
__attribute__((format(printf, 4, 5))) static size_t add(char *buf, size_t size, size_t len,
							 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len >= size)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return n < 0 ? len : len + (size_t)n;
}

static size_t add_ptr(char *buf, size_t size, size_t len, const char *key, uint64_t v)
{
	if (v)
		return add(buf, size, len, ", %s=%#llx", key, (unsigned long long)v);
	return add(buf, size, len, ", %s=NULL", key);
}

static size_t add_flags(char *buf, size_t size, size_t len, const struct hst_ctab *t, uint64_t v)
{
	size_t start = len;

	if (!v)
		return add(buf, size, len, "0");
	for (unsigned i = 0; i < t->n; i++)
		if (v & t->c[i].value) {
			len = add(buf, size, len, "%s%s", len > start ? "|" : "", t->c[i].name);
			v &= ~t->c[i].value;
		}
	if (v)
		len = add(buf, size, len, "%s%#llx", len > start ? "|" : "", (unsigned long long)v);
	return len;
}

/* The bits a flags table names. */
static uint64_t known_bits(const struct hst_ctab *t)
{
	uint64_t bits = 0;

	for (unsigned i = 0; i < t->n; i++)
		bits |= t->c[i].value;
	return bits;
}

/* --- clone -------------------------------------------------------------- */

enum { CLONE_ARG_FLAGS, CLONE_ARG_STACK, CLONE_ARG_PTID, CLONE_ARG_CTID, CLONE_ARG_TLS };

#define CLONE_PIDFD_ 0x1000ull /* older headers lack CLONE_PIDFD */

static uint64_t clone_flags(const struct hst_kcall *k)
{
	return k->args[CLONE_ARG_FLAGS];
}

/*
 * "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD":
 * strace shows the stack first, so the flags argument speaks for both.  The
 * flags and the exit signal are one value of two parts, so one text.
 */
static void describe_clone_flags(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	uint64_t flags = clone_flags(k) & ~(uint64_t)CSIGNAL;
	unsigned sig = clone_flags(k) & CSIGNAL;
	const char *name = hst_signal_name((int)sig);
	char buf[512];
	size_t len = 0;

	(void)p;
	(void)n;
	hst_vw_key(w, "child_stack");
	hst_vw_ptr(w, k->args[CLONE_ARG_STACK]);
	hst_vw_key(w, "flags");
	if (flags && !(flags & known_bits(&hst_ctab_clone_flags)))
		len = add(buf, sizeof(buf), len, "%#llx /* CLONE_??? */", (unsigned long long)flags);
	else if (flags || !sig)
		len = add_flags(buf, sizeof(buf), len, &hst_ctab_clone_flags, flags);
	if (sig)
		len = add(buf, sizeof(buf), len, flags ? "|" : "");
	if (sig && name)
		add(buf, sizeof(buf), len, "%s", name);
	else if (sig)
		add(buf, sizeof(buf), len, "%u", sig);
	hst_vw_raw(w, buf);
}

const struct hst_kind hst_kind_clone_flags = {
	.name = "clone_flags",
	.describe = describe_clone_flags,
};

static bool clone_never(const struct hst_kcall *k)
{
	(void)k;
	return true;
}

/* The stack (shown with the flags) and tls (shown with child_tidptr). */
const struct hst_kind hst_kind_clone_hidden = {
	.name = "clone_hidden",
	.absent = clone_never,
};

static bool clone_ptid_absent(const struct hst_kcall *k)
{
	return !(clone_flags(k) & (CLONE_PARENT_SETTID | CLONE_PIDFD_));
}

/*
 * parent_tid's capture: an empty piece first, so that describe runs (and
 * writes the key) even when nothing can be read, then the value written.
 */
static void capture_clone_ptid(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;

	hst_capctx_read(c, k->value, 0, &unused);
	if (!k->failed)
		hst_capctx_read(c, k->value, sizeof(int32_t), &unused);
}

/* "parent_tid=[1234]" (or the pidfd) as written at exit; the address when
 * the call failed, NULL for none. */
static void describe_clone_ptid(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	int32_t v;

	hst_vw_key(w, "parent_tid");
	if (n < 2 || p[1].len < sizeof(v)) {
		hst_vw_ptr(w, k->value);
		return;
	}
	memcpy(&v, p[1].data, sizeof(v));
	hst_vw_array_begin(w);
	hst_vw_int(w, v);
	hst_vw_array_end(w);
}

/* parent_tid (CLONE_PARENT_SETTID, CLONE_PIDFD): an out: kind, so the key
 * is written for NULL and failed calls too. */
const struct hst_kind hst_kind_clone_ptid = {
	.name = "clone_ptid",
	.capture = capture_clone_ptid,
	.bound = 2 * 16 + 8,
	.describe = describe_clone_ptid,
	.absent = clone_ptid_absent,
	.null_ok = true,
	.on_error = true,
};

static bool clone_ctid_absent(const struct hst_kcall *k)
{
	return !(clone_flags(k) & (CLONE_SETTLS | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID));
}

/* strace shows tls before child_tidptr, against the argument order. */
static void describe_clone_ctid(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	if (clone_flags(k) & CLONE_SETTLS) {
		hst_vw_key(w, "tls");
		hst_vw_ptr(w, k->args[CLONE_ARG_TLS]);
	}
	if (clone_flags(k) & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		hst_vw_key(w, "child_tidptr");
		hst_vw_ptr(w, k->args[CLONE_ARG_CTID]);
	}
}

const struct hst_kind hst_kind_clone_ctid = {
	.name = "clone_ctid",
	.describe = describe_clone_ctid,
	.absent = clone_ctid_absent,
};

/* --- clone3 ------------------------------------------------------------- */

/* struct clone_args as of Linux 5.7 (88 bytes); older callers pass 64 or 80. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

#define CLONE3_SIZE_VER0 64u
#define CLONE_INTO_CGROUP_ 0x200000000ull

/* At exit: the struct, then what the kernel wrote (pidfd, parent_tid). */
static void capture_clone3(struct hst_capctx *c, const struct hst_kcall *k)
{
	size_t size = k->args[1] < sizeof(struct clone3_args) ? k->args[1] : sizeof(struct clone3_args);
	struct clone3_args a = { 0 };
	const void *got, *unused;

	if (size < CLONE3_SIZE_VER0 || hst_capctx_read(c, k->args[0], size, &got) < size)
		return;
	if (k->failed)
		return; /* the kernel wrote nothing back */
	memcpy(&a, got, size);
	if (a.flags & CLONE_PIDFD_)
		hst_capctx_read(c, a.pidfd, sizeof(int32_t), &unused);
	if (a.flags & CLONE_PARENT_SETTID)
		hst_capctx_read(c, a.parent_tid, sizeof(int32_t), &unused);
}

static size_t add_clone3_args(char *buf, size_t size, const struct clone3_args *a)
{
	const char *sig = hst_signal_name((int)a->exit_signal);
	size_t len = add(buf, size, 0, "{flags=");

	if (a->flags && !(a->flags & known_bits(&hst_ctab_clone3_flags)))
		len = add(buf, size, len, "%#llx /* CLONE_??? */", (unsigned long long)a->flags);
	else
		len = add_flags(buf, size, len, &hst_ctab_clone3_flags, a->flags);
	if (a->flags & CLONE_PIDFD_)
		len = add_ptr(buf, size, len, "pidfd", a->pidfd);
	if (a->flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
		len = add_ptr(buf, size, len, "child_tid", a->child_tid);
	if (a->flags & CLONE_PARENT_SETTID)
		len = add_ptr(buf, size, len, "parent_tid", a->parent_tid);
	if (sig && a->exit_signal <= 64)
		len = add(buf, size, len, ", exit_signal=%s", sig);
	else
		len = add(buf, size, len, ", exit_signal=%llu", (unsigned long long)a->exit_signal);
	len = add_ptr(buf, size, len, "stack", a->stack);
	len = add(buf, size, len, a->stack_size ? ", stack_size=%#llx" : ", stack_size=%llu",
		  (unsigned long long)a->stack_size);
	if (a->flags & CLONE_SETTLS)
		len = add_ptr(buf, size, len, "tls", a->tls);
	if (a->set_tid || a->set_tid_size) {
		len = add_ptr(buf, size, len, "set_tid", a->set_tid);
		len = add(buf, size, len, ", set_tid_size=%llu", (unsigned long long)a->set_tid_size);
	}
	if (a->flags & CLONE_INTO_CGROUP_)
		len = add(buf, size, len, ", cgroup=%llu", (unsigned long long)a->cgroup);
	return add(buf, size, len, "}");
}

static size_t add_written(char *buf, size_t size, size_t len, const char *key,
			  const struct hst_piece *p)
{
	int32_t v;

	if (p->len < sizeof(v))
		return add(buf, size, len, "%s=%#llx", key, (unsigned long long)p->addr);
	memcpy(&v, p->data, sizeof(v));
	return add(buf, size, len, "%s=[%d]", key, v);
}

/*
 * {flags=..., exit_signal=SIGCHLD, ...} => {parent_tid=[1234]}, as strace:
 * one text, since "=>" joins two values in a way no writer call can.
 */
static void describe_clone3(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	struct clone3_args a = { 0 };
	char buf[1024];
	size_t len;
	unsigned next = 1;

	if (p->len < CLONE3_SIZE_VER0) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	memcpy(&a, p->data, p->len < sizeof(a) ? p->len : sizeof(a));
	len = add_clone3_args(buf, sizeof(buf), &a);
	if (!k->failed && (a.flags & (CLONE_PIDFD_ | CLONE_PARENT_SETTID)) && next < n) {
		len = add(buf, sizeof(buf), len, " => {");
		if (a.flags & CLONE_PIDFD_ && next < n)
			len = add_written(buf, sizeof(buf), len, "pidfd", &p[next++]);
		if (a.flags & CLONE_PARENT_SETTID && next < n) {
			const char *key = next > 1 ? ", parent_tid" : "parent_tid";
			len = add_written(buf, sizeof(buf), len, key, &p[next++]);
		}
		add(buf, sizeof(buf), len, "}");
	}
	hst_vw_raw(w, buf);
}

/*
 * clone3's struct clone_args, read at exit with what the call wrote back.
 * The kernel does not change the struct, so a failed call shows it too, as
 * strace does from its entry read.
 */
const struct hst_kind hst_kind_clone3_args = {
	.name = "clone3_args",
	.on_error = true,
	.capture = capture_clone3,
	.bound = 3 * 16 + sizeof(struct clone3_args) + 2 * 8,
	.describe = describe_clone3,
};

/* --- wait4, getrusage --------------------------------------------------- */

/* "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]", as strace's printstatus. */
static void put_wait_status(struct hst_vw *w, unsigned s)
{
	char buf[160];
	int len;

	if (WIFSTOPPED(s)) {
		unsigned sig = WSTOPSIG(s);
		const char *name = hst_signal_name((int)(sig & 0x7f));
		len = name ? snprintf(buf, sizeof(buf), "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s%s", name,
				      sig & 0x80 ? " | 0x80" : "")
			   : snprintf(buf, sizeof(buf), "[{WIFSTOPPED(s) && WSTOPSIG(s) == %u", sig);
		s &= ~0xffffu;
	} else if (WIFSIGNALED(s)) {
		const char *name = hst_signal_name(WTERMSIG(s));
		len = name ? snprintf(buf, sizeof(buf), "[{WIFSIGNALED(s) && WTERMSIG(s) == %s", name)
			   : snprintf(buf, sizeof(buf), "[{WIFSIGNALED(s) && WTERMSIG(s) == %d", WTERMSIG(s));
		if (WCOREDUMP(s))
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, " && WCOREDUMP(s)");
		s &= ~0xffu;
	} else if (WIFEXITED(s)) {
		len = snprintf(buf, sizeof(buf), "[{WIFEXITED(s) && WEXITSTATUS(s) == %d", WEXITSTATUS(s));
		s &= ~0xff00u;
	} else if (WIFCONTINUED(s)) {
		len = snprintf(buf, sizeof(buf), "[{WIFCONTINUED(s)");
		s &= ~0xffffu;
	} else {
		hst_vw_rawf(w, "[%#x]", s);
		return;
	}
	if (s)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, " | %#x", s);
	snprintf(buf + len, sizeof(buf) - (size_t)len, "}]");
	hst_vw_raw(w, buf);
}

static void describe_wait_status(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	unsigned s;

	(void)n;
	/* No child reported (WNOHANG): strace shows the address. */
	if (p->len < sizeof(s) || k->rval == 0) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	memcpy(&s, p->data, sizeof(s));
	put_wait_status(w, s);
}

const struct hst_kind hst_kind_wait_status = {
	.name = "wait_status",
	.size = sizeof(int),
	.describe = describe_wait_status,
};

static void put_timeval(struct hst_vw *w, const char *key, const struct timeval *tv)
{
	hst_vw_key(w, key);
	hst_vw_struct_begin(w);
	hst_vw_key(w, "tv_sec");
	hst_vw_int(w, tv->tv_sec);
	hst_vw_key(w, "tv_usec");
	hst_vw_int(w, tv->tv_usec);
	hst_vw_struct_end(w);
}

static void describe_rusage(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	static const char *const names[] = {
		"ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt", "ru_nswap",
		"ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw",
		"ru_nivcsw",
	};
	struct rusage ru;
	long rest[14];

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &ru, sizeof(ru)))
		return;
	memcpy(rest, (const char *)p->data + 2 * sizeof(struct timeval), sizeof(rest));
	hst_vw_struct_begin(w);
	put_timeval(w, "ru_utime", &ru.ru_utime);
	put_timeval(w, "ru_stime", &ru.ru_stime);
	if (hst_vw_verbose(w)) {
		for (unsigned i = 0; i < 14; i++) {
			hst_vw_key(w, names[i]);
			hst_vw_int(w, rest[i]);
		}
	} else {
		hst_vw_more(w);
	}
	hst_vw_struct_end(w);
}

/* struct rusage: the times, the rest with -v. */
const struct hst_kind hst_kind_rusage = {
	.name = "rusage",
	.size = sizeof(struct rusage),
	.describe = describe_rusage,
};

static void describe_rusage_who(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	int who = (int)k->args[k->arg];

	(void)p;
	(void)n;
	if (who == RUSAGE_SELF)
		hst_vw_raw(w, "RUSAGE_SELF");
	else if (who == RUSAGE_CHILDREN)
		hst_vw_raw(w, "RUSAGE_CHILDREN");
	else if (who == RUSAGE_THREAD)
		hst_vw_raw(w, "RUSAGE_THREAD");
	else
		hst_vw_rawf(w, "%#x /* RUSAGE_??? */", (unsigned)who);
}

/* getrusage's who: an int, RUSAGE_CHILDREN being -1. */
const struct hst_kind hst_kind_rusage_who = {
	.name = "rusage_who",
	.describe = describe_rusage_who,
};

/* --- rlimits ------------------------------------------------------------ */

/* "RLIM64_INFINITY", "8192*1024" or the number, as strace's sprint_rlim64. */
static void put_rlim(struct hst_vw *w, uint64_t v)
{
	if (v == UINT64_MAX)
		hst_vw_raw(w, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		hst_vw_rawf(w, "%llu*1024", (unsigned long long)(v / 1024));
	else
		hst_vw_uint(w, v);
}

static void describe_rlimit(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	uint64_t lim[2];

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, lim, sizeof(lim)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "rlim_cur");
	put_rlim(w, lim[0]);
	hst_vw_key(w, "rlim_max");
	put_rlim(w, lim[1]);
	hst_vw_struct_end(w);
}

/* struct rlimit and struct rlimit64: the same two 64-bit words on x86_64. */
const struct hst_kind hst_kind_rlimit = {
	.name = "rlimit",
	.size = 2 * sizeof(uint64_t),
	.describe = describe_rlimit,
};

/* --- the system --------------------------------------------------------- */

static void put_field_str(struct hst_vw *w, const char *key, const char *s, size_t max)
{
	hst_vw_key(w, key);
	hst_vw_str(w, s, strnlen(s, max), false);
}

static void describe_utsname(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	struct utsname u;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &u, sizeof(u)))
		return;
	hst_vw_struct_begin(w);
	put_field_str(w, "sysname", u.sysname, sizeof(u.sysname));
	put_field_str(w, "nodename", u.nodename, sizeof(u.nodename));
	if (hst_vw_verbose(w)) {
		put_field_str(w, "release", u.release, sizeof(u.release));
		put_field_str(w, "version", u.version, sizeof(u.version));
		put_field_str(w, "machine", u.machine, sizeof(u.machine));
		put_field_str(w, "domainname", u.domainname, sizeof(u.domainname));
	} else {
		hst_vw_more(w);
	}
	hst_vw_struct_end(w);
}

/* struct utsname: sysname and nodename, the rest with -v. */
const struct hst_kind hst_kind_utsname = {
	.name = "utsname",
	.size = sizeof(struct utsname),
	.describe = describe_utsname,
};

static void put_ulong(struct hst_vw *w, const char *key, unsigned long v)
{
	hst_vw_key(w, key);
	hst_vw_uint(w, v);
}

static void describe_sysinfo(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	struct sysinfo si;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &si, sizeof(si)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "uptime");
	hst_vw_int(w, si.uptime);
	hst_vw_key(w, "loads");
	hst_vw_array_begin(w);
	for (unsigned i = 0; i < 3; i++)
		hst_vw_uint(w, si.loads[i]);
	hst_vw_array_end(w);
	put_ulong(w, "totalram", si.totalram);
	put_ulong(w, "freeram", si.freeram);
	put_ulong(w, "sharedram", si.sharedram);
	put_ulong(w, "bufferram", si.bufferram);
	put_ulong(w, "totalswap", si.totalswap);
	put_ulong(w, "freeswap", si.freeswap);
	put_ulong(w, "procs", si.procs);
	put_ulong(w, "totalhigh", si.totalhigh);
	put_ulong(w, "freehigh", si.freehigh);
	put_ulong(w, "mem_unit", si.mem_unit);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_sysinfo = {
	.name = "sysinfo",
	.size = sizeof(struct sysinfo),
	.describe = describe_sysinfo,
};

/* --- CPU sets, ids, arch_prctl ------------------------------------------ */

/* The set's bytes: what the kernel wrote (getaffinity's result) or was given. */
static size_t cpuset_size(const struct hst_kcall *k)
{
	if (k->at_exit)
		return k->failed || k->rval <= 0 ? 0 : (size_t)k->rval;
	return k->lenarg < 0 ? 0 : (size_t)(uint32_t)k->args[k->lenarg];
}

static void describe_cpuset(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	const unsigned char *b = p->data;
	char buf[8192];
	size_t len = 1;

	(void)k;
	(void)n;
	buf[0] = '[';
	for (size_t bit = 0; bit < (size_t)p->len * 8 && len < sizeof(buf) - 16; bit++)
		if (b[bit / 8] & (1u << (bit % 8)))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%zu", len > 1 ? " " : "",
						bit);
	snprintf(buf + len, sizeof(buf) - len, "]");
	hst_vw_raw(w, buf);
}

/* A CPU set: "[0 1]" (sched_getaffinity, sched_setaffinity). */
const struct hst_kind hst_kind_cpuset = {
	.name = "cpuset",
	.size_fn = cpuset_size,
	.describe = describe_cpuset,
};


static bool arch_prctl_gets(const struct hst_kcall *k)
{
	uint64_t code = k->args[0];
	return code == 0x1003 || code == 0x1004; /* ARCH_GET_FS, ARCH_GET_GS */
}

static void capture_arch_prctl_addr(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;

	if (arch_prctl_gets(k) && !k->failed)
		hst_capctx_read(c, k->args[k->arg], sizeof(uint64_t), &unused);
}

static void describe_arch_prctl_addr(struct hst_vw *w, const struct hst_kcall *k,
				     const struct hst_piece *p, unsigned n)
{
	uint64_t v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_rawf(w, "[%#llx]", (unsigned long long)v);
}

/*
 * arch_prctl's addr: a value to set (ARCH_SET_FS: the address), or where the
 * kernel writes one (ARCH_GET_FS: "[0x7f...]", read at exit).
 */
const struct hst_kind hst_kind_arch_prctl_addr = {
	.name = "arch_prctl_addr",
	.capture = capture_arch_prctl_addr,
	.bound = 16 + sizeof(uint64_t),
	.describe = describe_arch_prctl_addr,
};

/* --- getrandom ---------------------------------------------------------- */

#define RANDOM_KEEP 4096u /* bytes of a getrandom buffer kept at most */

static void capture_random(struct hst_capctx *c, const struct hst_kcall *k)
{
	size_t len = k->rval > 0 ? (size_t)k->rval : 0;
	const void *unused;

	if (len > hst_capctx_strsize(c))
		len = hst_capctx_strsize(c);
	if (len > RANDOM_KEEP)
		len = RANDOM_KEEP;
	hst_capctx_read(c, k->args[k->arg], len, &unused);
}

/* strace shows random bytes all in hex: "\x5b\x96\x80\x20". */
static void describe_random(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	const unsigned char *b = p->data;
	size_t shown = p->len < hst_vw_strsize(w) ? p->len : hst_vw_strsize(w);
	char buf[4 * RANDOM_KEEP + 8];
	size_t len = 0;

	(void)n;
	buf[len++] = '"';
	for (size_t i = 0; i < shown; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\\x%02x", b[i]);
	snprintf(buf + len, sizeof(buf) - len, "\"%s", k->rval > (int64_t)shown ? "..." : "");
	hst_vw_raw(w, buf);
}

/* getrandom's buffer, as many bytes as the call returned. */
const struct hst_kind hst_kind_random_bytes = {
	.name = "random_bytes",
	.capture = capture_random,
	.bound = 16 + RANDOM_KEEP,
	.describe = describe_random,
};

/* --- prctl -------------------------------------------------------------- */

/* How strace shows the arguments after an option. */
enum prctl_shape {
	PRS_ALL_HEX = 0, /* unknown options: four hex words */
	PRS_NONE,        /* the option alone */
	PRS_ULONG,       /* one decimal */
	PRS_SIGNAL,      /* one signal */
	PRS_CAP,         /* one capability */
	PRS_DUMPABLE,    /* SUID_DUMP_* */
	PRS_ADDR,        /* one address (strace shows what it points to) */
	PRS_ULONG_HEX3,  /* a decimal, then three hex words */
	PRS_HEX4,        /* four hex words */
};

static const struct {
	unsigned option;
	unsigned char shape;
} prctl_shapes[] = {
	{ PR_GET_DUMPABLE, PRS_NONE },       { PR_GET_KEEPCAPS, PRS_NONE },
	{ PR_GET_TIMERSLACK, PRS_NONE },     { PR_GET_TIMING, PRS_NONE },
	{ PR_GET_SECCOMP, PRS_NONE },        { PR_GET_SECUREBITS, PRS_NONE },
	{ PR_SET_KEEPCAPS, PRS_ULONG },      { PR_SET_TIMERSLACK, PRS_ULONG },
	{ PR_SET_CHILD_SUBREAPER, PRS_ULONG }, { PR_SET_TIMING, PRS_ULONG },
	{ PR_SET_PDEATHSIG, PRS_SIGNAL },    { PR_CAPBSET_READ, PRS_CAP },
	{ PR_CAPBSET_DROP, PRS_CAP },        { PR_SET_DUMPABLE, PRS_DUMPABLE },
	{ PR_SET_NAME, PRS_ADDR },           { PR_GET_NAME, PRS_ADDR },
	{ PR_GET_PDEATHSIG, PRS_ADDR },      { PR_GET_CHILD_SUBREAPER, PRS_ADDR },
	{ PR_GET_TID_ADDRESS, PRS_ADDR },    { PR_SET_NO_NEW_PRIVS, PRS_ULONG_HEX3 },
	{ PR_SET_THP_DISABLE, PRS_ULONG_HEX3 }, { PR_SET_IO_FLUSHER, PRS_ULONG_HEX3 },
	{ PR_GET_NO_NEW_PRIVS, PRS_HEX4 },   { PR_GET_THP_DISABLE, PRS_HEX4 },
	{ PR_MCE_KILL_GET, PRS_HEX4 },       { 58 /* PR_GET_IO_FLUSHER */, PRS_HEX4 },
};

static unsigned prctl_shape(const struct hst_kcall *k)
{
	for (unsigned i = 0; i < sizeof(prctl_shapes) / sizeof(prctl_shapes[0]); i++)
		if (prctl_shapes[i].option == (unsigned)k->args[0])
			return prctl_shapes[i].shape;
	/* A known option with no shape here: what strace does varies, show all. */
	return PRS_ALL_HEX;
}

static void describe_prctl_option(struct hst_vw *w, const struct hst_kcall *k,
				  const struct hst_piece *p, unsigned n)
{
	const char *name = hst_ctab_name(&hst_ctab_prctl_option, (unsigned)k->args[0]);

	(void)p;
	(void)n;
	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_rawf(w, "%#x /* PR_??? */", (unsigned)k->args[0]);
}

/* prctl's option: PR_SET_NAME, or the number and a PR_??? comment. */
const struct hst_kind hst_kind_prctl_option = {
	.name = "prctl_option",
	.describe = describe_prctl_option,
};

static bool prctl_arg_absent(const struct hst_kcall *k)
{
	switch (prctl_shape(k)) {
	case PRS_NONE:
		return true;
	case PRS_ALL_HEX:
	case PRS_ULONG_HEX3:
	case PRS_HEX4:
		return false;
	default:
		return k->arg > 1;
	}
}

static void put_named(struct hst_vw *w, const struct hst_ctab *t, uint64_t v, const char *unknown)
{
	const char *name = hst_ctab_name(t, v);

	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_rawf(w, "%#llx /* %s */", (unsigned long long)v, unknown);
}

#define TASK_COMM_LEN 16

static void put_signal_or_num(struct hst_vw *w, uint64_t v)
{
	const char *sig = hst_signal_name((int)v);

	if (sig && v && v <= 64)
		hst_vw_raw(w, sig);
	else
		hst_vw_uint(w, v);
}

/* PR_SET_NAME's name, as it was at entry: cut at 15 bytes, "..." when no
 * NUL ends it there (strace's printstr_ex with QUOTE_0_TERMINATED). */
static void put_prctl_set_name(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *in)
{
	const size_t max = TASK_COMM_LEN - 1;
	size_t len;

	if (!in || in->fault || in->len < max) {
		hst_vw_ptr(w, k->value);
		return;
	}
	len = strnlen(in->data, max);
	hst_vw_str(w, in->data, len, len == max);
}

/* What PR_GET_* wrote through arg2: "comm", [SIGCHLD], [0], [0x...]. */
static void put_prctl_got(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *out)
{
	unsigned option = (unsigned)k->args[0];
	uint64_t v = 0;

	if (k->failed || !out || out->fault || !out->len) {
		hst_vw_ptr(w, k->value);
		return;
	}
	if (option == PR_GET_NAME) {
		hst_vw_str(w, out->data, strnlen(out->data, out->len), false);
		return;
	}
	memcpy(&v, out->data, out->len < sizeof(v) ? out->len : sizeof(v));
	hst_vw_array_begin(w);
	if (option == PR_GET_PDEATHSIG)
		put_signal_or_num(w, (uint32_t)v);
	else if (option == PR_GET_TID_ADDRESS)
		hst_vw_ptr(w, v);
	else
		hst_vw_int(w, (int32_t)v);
	hst_vw_array_end(w);
}

/* arg2 as a pointer: pieces[0] is what it held at entry, then the exit read. */
static void put_prctl_addr(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   unsigned n)
{
	const struct hst_piece *in = n && p[0].entry ? &p[0] : NULL;
	const struct hst_piece *out = n > (in ? 1u : 0u) ? &p[in ? 1 : 0] : NULL;

	if (!k->value)
		hst_vw_ptr(w, 0);
	else if ((unsigned)k->args[0] == PR_SET_NAME)
		put_prctl_set_name(w, k, in);
	else
		put_prctl_got(w, k, out);
}

static void describe_prctl_arg(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	uint64_t v = k->value;

	switch (prctl_shape(k)) {
	case PRS_ULONG:
		hst_vw_uint(w, v);
		break;
	case PRS_SIGNAL:
		put_signal_or_num(w, v);
		break;
	case PRS_CAP:
		put_named(w, &hst_ctab_capability, v, "CAP_???");
		break;
	case PRS_DUMPABLE:
		hst_vw_enum(w, &hst_ctab_suid_dump, v);
		break;
	case PRS_ADDR:
		put_prctl_addr(w, k, p, n);
		break;
	case PRS_ULONG_HEX3:
		if (k->arg == 1)
			hst_vw_uint(w, v);
		else
			hst_vw_hex(w, v);
		break;
	default:
		hst_vw_hex(w, v);
		break;
	}
}

/* prctl's arg3..arg5: shown, named or left out by option, as strace. */
const struct hst_kind hst_kind_prctl_arg = {
	.name = "prctl_arg",
	.describe = describe_prctl_arg,
	.absent = prctl_arg_absent,
};

/* At exit, what a PR_GET_* option wrote through arg2. */
static void capture_prctl_arg2(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;
	size_t len;

	switch ((unsigned)k->args[0]) {
	case PR_GET_NAME:
		len = TASK_COMM_LEN;
		break;
	case PR_GET_PDEATHSIG:
	case PR_GET_CHILD_SUBREAPER:
		len = sizeof(int);
		break;
	case PR_GET_TID_ADDRESS:
		len = sizeof(uint64_t);
		break;
	default:
		return;
	}
	hst_capctx_read(c, k->value, len, &unused);
}

/*
 * prctl's arg2, the one that may point somewhere: an inout kind, so the
 * name PR_SET_NAME gives is kept from entry (stash) and what PR_GET_NAME
 * and the other getters write is read at exit.  For the other options it
 * is a number (the stash read then finds nothing and is ignored).
 */
const struct hst_kind hst_kind_prctl_arg2 = {
	.name = "prctl_arg2",
	.capture = capture_prctl_arg2,
	.bound = 16 + TASK_COMM_LEN,
	.stash = TASK_COMM_LEN,
	.null_ok = true,
	.describe = describe_prctl_arg,
	.absent = prctl_arg_absent,
};

/* prctl's return: "1 (SUID_DUMP_USER)" for PR_GET_DUMPABLE, else the number. */
static void describe_prctl_ret(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	const char *name = NULL;

	(void)p;
	(void)n;
	hst_vw_int(w, (int64_t)k->value);
	if ((unsigned)k->args[0] == PR_GET_DUMPABLE)
		name = hst_ctab_name(&hst_ctab_suid_dump, k->value);
	if (!name)
		return;
	hst_vw_note_begin(w);
	hst_vw_raw(w, name);
	hst_vw_note_end(w);
}

const struct hst_kind hst_kind_prctl_ret = {
	.name = "prctl_ret",
	.describe = describe_prctl_ret,
};

/* --- personality, sched_getscheduler ------------------------------------ */

#define PER_MASK_ 0xffu

/* PER_LINUX|READ_IMPLIES_EXEC: the personality by name, then its flags. */
static void put_persona(struct hst_vw *w, uint32_t v)
{
	hst_vw_enum(w, &hst_ctab_personality_type, v & PER_MASK_);
	if (!(v & ~PER_MASK_))
		return;
	hst_vw_prefix(w, "|");
	hst_vw_flags(w, &hst_ctab_personality_flags, v & ~PER_MASK_);
}

/* personality's argument; 0xffffffff (a query) as the number. */
static void describe_persona(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	uint32_t v = (uint32_t)k->value;

	(void)p;
	(void)n;
	if (v == 0xffffffffu)
		hst_vw_hex(w, v);
	else
		put_persona(w, v);
}

const struct hst_kind hst_kind_persona = {
	.name = "persona",
	.describe = describe_persona,
};

/* personality's return, the old persona: "0x400000 (READ_IMPLIES_EXEC...)". */
static void describe_persona_ret(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_hex(w, k->value);
	hst_vw_note_begin(w);
	put_persona(w, (uint32_t)k->value);
	hst_vw_note_end(w);
}

const struct hst_kind hst_kind_persona_ret = {
	.name = "persona_ret",
	.describe = describe_persona_ret,
};

/* sched_getscheduler's return: "0 (SCHED_OTHER)"; no note for unknowns. */
static void describe_policy_ret(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	const char *name = hst_ctab_name(&hst_ctab_sched_policy, k->value);

	(void)p;
	(void)n;
	hst_vw_int(w, (int64_t)k->value);
	if (!name)
		return;
	hst_vw_note_begin(w);
	hst_vw_raw(w, name);
	hst_vw_note_end(w);
}

const struct hst_kind hst_kind_policy_ret = {
	.name = "policy_ret",
	.describe = describe_policy_ret,
};

/* --- ids ---------------------------------------------------------------- */

/* A uid or gid argument: unsigned, but -1 ("no change") as -1, as strace. */
static void describe_id(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			unsigned n)
{
	uint32_t v = (uint32_t)k->value;

	(void)p;
	(void)n;
	if (v == UINT32_MAX)
		hst_vw_int(w, -1);
	else
		hst_vw_uint(w, v);
}

const struct hst_kind hst_kind_id = {
	.name = "id",
	.describe = describe_id,
};

/* --- getgroups, setgroups ----------------------------------------------- */

#define GROUPS_MAX 65536u /* the kernel's NGROUPS_MAX */

/* How many gids: what getgroups returned, or what setgroups was given. */
static size_t group_count(const struct hst_kcall *k)
{
	int64_t n = k->at_exit ? k->rval : (int64_t)(uint32_t)k->args[0];
	return n < 0 || n > GROUPS_MAX ? 0 : (size_t)n;
}

static void capture_gids(struct hst_capctx *c, const struct hst_kcall *k)
{
	size_t n = group_count(k);
	const void *unused;

	if (n > hst_capctx_strsize(c) + 1u)
		n = hst_capctx_strsize(c) + 1u; /* one more tells "..." */
	if (n > 4096)
		n = 4096;
	hst_capctx_read(c, k->args[k->arg], n * sizeof(uint32_t), &unused);
}

static void describe_gids(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			  unsigned n)
{
	size_t count = group_count(k), held = p->len / sizeof(uint32_t);
	size_t limit = hst_vw_strsize(w);

	(void)n;
	if (k->at_exit ? k->rval > GROUPS_MAX : k->args[0] > GROUPS_MAX) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	hst_vw_array_begin(w);
	for (size_t i = 0; i < count && i < held && i < limit; i++) {
		uint32_t gid;
		memcpy(&gid, (const char *)p->data + i * sizeof(gid), sizeof(gid));
		if (gid == UINT32_MAX)
			hst_vw_int(w, -1);
		else
			hst_vw_uint(w, gid);
	}
	if (count > limit)
		hst_vw_more(w);
	hst_vw_array_end(w);
}

/* A list of gids: "[0, 4, 27]" (getgroups at exit, setgroups at entry). */
const struct hst_kind hst_kind_gid_list = {
	.name = "gid_list",
	.capture = capture_gids,
	.bound = 16 + 4096 * sizeof(uint32_t),
	.describe = describe_gids,
};

/* --- capget, capset ----------------------------------------------------- */

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

static void describe_cap_header(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	struct cap_header h;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &h, sizeof(h)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "version");
	put_named(w, &hst_ctab_cap_version, h.version, "_LINUX_CAPABILITY_VERSION_???");
	hst_vw_key(w, "pid");
	hst_vw_int(w, h.pid);
	hst_vw_struct_end(w);
}

/* struct __user_cap_header_struct: {version=_LINUX_CAPABILITY_VERSION_3, pid=0}. */
const struct hst_kind hst_kind_cap_header = {
	.name = "cap_header",
	.size = sizeof(struct cap_header),
	.describe = describe_cap_header,
};

/* The header says how many data structs follow: read it, then them. */
static void capture_cap_data(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *hdr;
	const void *unused;
	uint32_t version;

	if (hst_capctx_read(c, k->args[0], sizeof(struct cap_header), &hdr) < sizeof(struct cap_header))
		return;
	memcpy(&version, hdr, sizeof(version));
	if (version == 0x19980330) /* _LINUX_CAPABILITY_VERSION_1 */
		hst_capctx_read(c, k->args[k->arg], sizeof(struct cap_data), &unused);
	else if (version == 0x20071026 || version == 0x20080522)
		hst_capctx_read(c, k->args[k->arg], 2 * sizeof(struct cap_data), &unused);
}

/* "1<<CAP_CHOWN|1<<CAP_KILL" for 64 bits, as strace's print_cap_bits. */
static void put_cap_bits(struct hst_vw *w, uint64_t bits)
{
	char buf[2048];
	int len = 0;

	if (!bits) {
		hst_vw_raw(w, "0");
		return;
	}
	for (unsigned i = 0; i < 64 && len < (int)sizeof(buf) - 64; i++) {
		const char *name;
		if (!(bits & (1ull << i)))
			continue;
		name = hst_ctab_name(&hst_ctab_capability, i);
		if (!name)
			continue;
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s1<<%s", len ? "|" : "", name);
		bits &= ~(1ull << i);
	}
	/* Unnamed bits: strace shows them per 32-bit half. */
	if ((uint32_t)bits && len < (int)sizeof(buf) - 32)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%#x", len ? "|" : "", (uint32_t)bits);
	if (bits >> 32 && len < (int)sizeof(buf) - 32)
		snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%#x", len ? "|" : "", (uint32_t)(bits >> 32));
	hst_vw_raw(w, buf);
}

static void describe_cap_data(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			      unsigned n)
{
	struct cap_data d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	(void)k;
	if (n < 2 || p[1].len < sizeof(d[0])) {
		hst_vw_ptr(w, k->args[k->arg]);
		return;
	}
	memcpy(d, p[1].data, p[1].len < sizeof(d) ? p[1].len : sizeof(d));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "effective");
	put_cap_bits(w, d[0].effective | (uint64_t)d[1].effective << 32);
	hst_vw_key(w, "permitted");
	put_cap_bits(w, d[0].permitted | (uint64_t)d[1].permitted << 32);
	hst_vw_key(w, "inheritable");
	put_cap_bits(w, d[0].inheritable | (uint64_t)d[1].inheritable << 32);
	hst_vw_struct_end(w);
}

/* capget's and capset's data: one or two structs, by the header's version. */
const struct hst_kind hst_kind_cap_data = {
	.name = "cap_data",
	.capture = capture_cap_data,
	.bound = 2 * 16 + sizeof(struct cap_header) + 2 * sizeof(struct cap_data) + 8,
	.describe = describe_cap_data,
};

/* --- numbers written through a pointer ---------------------------------- */

static void describe_int_out(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			     unsigned n)
{
	int32_t v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_array_begin(w);
	hst_vw_int(w, v);
	hst_vw_array_end(w);
}

/* An int behind a pointer: "[0]" (struct sched_param is one int). */
const struct hst_kind hst_kind_int_ref = {
	.name = "int_ref",
	.size = sizeof(int32_t),
	.describe = describe_int_out,
};

static void describe_ulong_out(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	uint64_t v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_array_begin(w);
	hst_vw_uint(w, v);
	hst_vw_array_end(w);
}

/* A size_t behind a pointer: "[24]" (get_robust_list's len_ptr). */
const struct hst_kind hst_kind_ulong_ref = {
	.name = "ulong_ref",
	.size = sizeof(uint64_t),
	.describe = describe_ulong_out,
};

static void describe_ptr_out(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			     unsigned n)
{
	uint64_t v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_array_begin(w);
	hst_vw_ptr(w, v);
	hst_vw_array_end(w);
}

/* A pointer behind a pointer: "[0x7f0f41040a20]" (get_robust_list's head). */
const struct hst_kind hst_kind_ptr_ref = {
	.name = "ptr_ref",
	.size = sizeof(uint64_t),
	.describe = describe_ptr_out,
};

/* --- seccomp ------------------------------------------------------------ */

#define SECCOMP_GET_NOTIF_SIZES_ 3 /* older headers lack it */

/* Only SECCOMP_SET_MODE_FILTER's flags are named; others are a hex word. */
static void describe_seccomp_flags(struct hst_vw *w, const struct hst_kcall *k,
				   const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	if ((unsigned)k->args[0] == SECCOMP_SET_MODE_FILTER)
		hst_vw_flags(w, &hst_ctab_seccomp_filter_flags, (uint32_t)k->value);
	else
		hst_vw_hex(w, (uint32_t)k->value);
}

const struct hst_kind hst_kind_seccomp_flags = {
	.name = "seccomp_flags",
	.describe = describe_seccomp_flags,
};

struct seccomp_fprog_ {
	uint16_t len;
	uint64_t filter;
};

/* SECCOMP_SET_MODE_FILTER's {len=N, filter=0x...} (the program itself
 * only with -v in strace). */
static void put_seccomp_fprog(struct hst_vw *w, const struct hst_piece *in)
{
	struct seccomp_fprog_ f;

	memcpy(&f, in->data, sizeof(f));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "len");
	hst_vw_uint(w, f.len);
	hst_vw_key(w, "filter");
	hst_vw_ptr(w, f.filter);
	hst_vw_struct_end(w);
}

/* SECCOMP_GET_NOTIF_SIZES's three sizes, written at exit. */
static void put_seccomp_sizes(struct hst_vw *w, const struct hst_piece *out)
{
	static const char *const keys[] = { "seccomp_notif", "seccomp_notif_resp",
					    "seccomp_data" };
	uint16_t v[3];

	memcpy(v, out->data, sizeof(v));
	hst_vw_struct_begin(w);
	for (unsigned i = 0; i < 3; i++) {
		hst_vw_key(w, keys[i]);
		hst_vw_uint(w, v[i]);
	}
	hst_vw_struct_end(w);
}

static void describe_seccomp_args(struct hst_vw *w, const struct hst_kcall *k,
				  const struct hst_piece *p, unsigned n)
{
	const struct hst_piece *in = n && p[0].entry ? &p[0] : NULL;
	const struct hst_piece *out = n > (in ? 1u : 0u) ? &p[in ? 1 : 0] : NULL;
	unsigned op = (unsigned)k->args[0];
	uint32_t act;

	if (op == SECCOMP_SET_MODE_FILTER && in && in->len >= sizeof(struct seccomp_fprog_)) {
		put_seccomp_fprog(w, in);
	} else if (op == SECCOMP_GET_ACTION_AVAIL && in && in->len >= sizeof(act)) {
		memcpy(&act, in->data, sizeof(act));
		hst_vw_array_begin(w);
		hst_vw_enum(w, &hst_ctab_seccomp_ret_action, act);
		hst_vw_array_end(w);
	} else if (op == SECCOMP_GET_NOTIF_SIZES_ && !k->failed && out &&
		   out->len >= 3 * sizeof(uint16_t)) {
		put_seccomp_sizes(w, out);
	} else {
		hst_vw_ptr(w, k->value);
	}
}

static size_t seccomp_args_size(const struct hst_kcall *k)
{
	return (unsigned)k->args[0] == SECCOMP_GET_NOTIF_SIZES_ ? 3 * sizeof(uint16_t) : 0;
}

/*
 * seccomp's args by operation: the filter program or the action, read at
 * entry (the stash of this inout kind), or the sizes the kernel writes.
 */
const struct hst_kind hst_kind_seccomp_args = {
	.name = "seccomp_args",
	.size_fn = seccomp_args_size,
	.stash = sizeof(struct seccomp_fprog_),
	.describe = describe_seccomp_args,
};

/* --- ptrace ------------------------------------------------------------- */

/*
 * What strace shows of ptrace's pid, addr and data depends on the request:
 * nothing after PTRACE_TRACEME, only the pid for PTRACE_ATTACH and the
 * like, a signal for the resuming requests, options for PTRACE_SEIZE, and
 * at exit what the peeking requests wrote through data ("[0x...]").  Not
 * done yet (shown as addresses): PTRACE_PEEKUSER's offsetof(struct user,
 * ...), the NT_* of the regset requests and their iovec, signal masks,
 * PTRACE_PEEKSIGINFO and the seccomp and syscall-info requests.
 */
extern const struct hst_kind hst_kind_siginfo;

#define PTRACE_LISTEN_ 0x4208
#define PTRACE_INTERRUPT_ 0x4207
#define PTRACE_SEIZE_ 0x4206
#define PTRACE_GETSIGMASK_ 0x420a
#define PTRACE_SETSIGMASK_ 0x420b
#define PTRACE_SECCOMP_GET_FILTER_ 0x420c
#define PTRACE_SECCOMP_GET_METADATA_ 0x420d
#define PTRACE_GET_SYSCALL_INFO_ 0x420e
#define SIGINFO_BYTES 128

static unsigned ptrace_req(const struct hst_kcall *k)
{
	return (unsigned)k->args[0];
}

/* TRACEME: the request alone; ATTACH and the like: the request and pid. */
static bool ptrace_only_pid(const struct hst_kcall *k)
{
	switch (ptrace_req(k)) {
	case PTRACE_TRACEME:
	case PTRACE_ATTACH:
	case PTRACE_INTERRUPT_:
	case PTRACE_KILL:
	case PTRACE_LISTEN_:
		return true;
	default:
		return false;
	}
}

static bool ptrace_pid_absent(const struct hst_kcall *k)
{
	return ptrace_req(k) == PTRACE_TRACEME;
}

static void describe_ptrace_pid(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_int(w, (int32_t)k->value);
}

const struct hst_kind hst_kind_ptrace_pid = {
	.name = "ptrace_pid",
	.describe = describe_ptrace_pid,
	.absent = ptrace_pid_absent,
};

static void describe_ptrace_addr(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	switch (ptrace_req(k)) {
	case PTRACE_GETSIGMASK_:
	case PTRACE_SETSIGMASK_:
	case PTRACE_SECCOMP_GET_FILTER_:
	case PTRACE_SECCOMP_GET_METADATA_:
	case PTRACE_GET_SYSCALL_INFO_:
		hst_vw_uint(w, k->value);
		break;
	default:
		hst_vw_ptr(w, k->value);
		break;
	}
}

const struct hst_kind hst_kind_ptrace_addr = {
	.name = "ptrace_addr",
	.describe = describe_ptrace_addr,
	.absent = ptrace_only_pid,
};

/* How many bytes data points to, at exit, for this request (0: none). */
static size_t ptrace_data_size(const struct hst_kcall *k)
{
	switch (ptrace_req(k)) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
	case PTRACE_PEEKUSER:
	case PTRACE_GETEVENTMSG:
		return k->failed ? 0 : sizeof(uint64_t);
	case PTRACE_GETSIGINFO:
		return k->failed ? 0 : SIGINFO_BYTES;
	case PTRACE_SETSIGINFO:
		return SIGINFO_BYTES;
	default:
		return 0;
	}
}

/* An empty piece first, so that describe always runs, then the bytes. */
static void capture_ptrace_data(struct hst_capctx *c, const struct hst_kcall *k)
{
	size_t len = ptrace_data_size(k);
	const void *unused;

	hst_capctx_read(c, k->value, 0, &unused);
	if (len && k->value)
		hst_capctx_read(c, k->value, len, &unused);
}

static void put_ptrace_word(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *d)
{
	uint64_t v;

	memcpy(&v, d->data, sizeof(v));
	hst_vw_array_begin(w);
	if (ptrace_req(k) == PTRACE_GETEVENTMSG)
		hst_vw_uint(w, v);
	else
		hst_vw_hex(w, v);
	hst_vw_array_end(w);
}

static void describe_ptrace_data(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	const struct hst_piece *d = n > 1 && !p[1].fault ? &p[1] : NULL;
	size_t want = ptrace_data_size(k);

	switch (ptrace_req(k)) {
	case PTRACE_CONT:
	case PTRACE_DETACH:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
	case PTRACE_SYSEMU:
	case PTRACE_SYSEMU_SINGLESTEP:
		put_signal_or_num(w, k->value);
		return;
	case PTRACE_SEIZE_:
	case PTRACE_SETOPTIONS:
		hst_vw_flags(w, &hst_ctab_ptrace_options, k->value);
		return;
	}
	if (!d || !want || d->len < want)
		hst_vw_ptr(w, k->value);
	else if (want == SIGINFO_BYTES)
		hst_kind_siginfo.describe(w, k, d, 1);
	else
		put_ptrace_word(w, k, d);
}

const struct hst_kind hst_kind_ptrace_data = {
	.name = "ptrace_data",
	.capture = capture_ptrace_data,
	.bound = 2 * 16 + SIGINFO_BYTES,
	.describe = describe_ptrace_data,
	.absent = ptrace_only_pid,
	.null_ok = true,
	.on_error = true,
};
