/*
 * Kinds of System V and POSIX IPC and futex.  See src/core/kinds.h.
 *
 * futex is one call with many: which of val, timeout, uaddr2 and val3 it
 * takes, and what they mean, depends on the operation (args[1]).  Each of
 * those arguments is a kind that looks at the operation to say whether it
 * is shown at all (absent) and how (describe), as strace's futex.c does.
 * timeout is a pointer to a timespec for the waiting operations but a
 * number (val2) for the requeueing ones, so its capture reads the timespec
 * only for the former and leaves an empty piece for the latter; being
 * null_ok, it also prints a val2 of 0 as the number.
 *
 * The *ctl calls' buffers are read at exit (out:): right for the STAT and
 * INFO commands.  IPC_SET's, which strace shows at entry, is read at exit
 * too, failed or not (on_error): the kernel does not write it, so the exit
 * bytes are the entry bytes, and a struct of up to 112 bytes would not fit
 * the 64-byte stash of an inout kind.  The other commands' buffers show as
 * addresses when the call failed, as strace.
 *
 * Like every kind, describe runs on a sink thread and capture on the
 * ptrace thread; both only read the call they are given.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>

#include "core/consts.h"
#include "core/kinds.h"

#ifndef IPC_64
#define IPC_64 0x0100 /* <linux/ipc.h>, which clashes with <sys/ipc.h> */
#endif
#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

/* --- futex -------------------------------------------------------------- */

static unsigned futex_cmd(const struct hst_kcall *k)
{
	return (unsigned)k->args[1] & 127;
}

/* The operations that take a timeout (a timespec pointer). */
static bool futex_waits(unsigned cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 ||
	       cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAIT_REQUEUE_PI;
}

/* The operations that take val2 (a number) where others take timeout. */
static bool futex_requeues(unsigned cmd)
{
	return cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_CMP_REQUEUE_PI ||
	       cmd == FUTEX_WAKE_OP;
}

static bool futex_known(unsigned cmd)
{
	return cmd <= FUTEX_LOCK_PI2;
}

/*
 * "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME": strace names the
 * commands, their _PRIVATE forms, and FUTEX_CLOCK_REALTIME only with the
 * commands that accept it.
 */
static void describe_futex_op(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	unsigned op = (unsigned)k->args[k->arg];
	unsigned cmd = op & 127;
	unsigned rest = op & ~(127u | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	const char *name = hst_ctab_name(&hst_ctab_futex_cmd, cmd);
	bool priv = op & FUTEX_PRIVATE_FLAG, rt = op & FUTEX_CLOCK_REALTIME;
	bool rt_ok = cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAIT_REQUEUE_PI;

	(void)p;
	(void)n;
	if (!name || rest || (rt && !rt_ok)) {
		hst_vw_rawf(w, "%#x /* FUTEX_??? */", op);
		return;
	}
	if (cmd == FUTEX_FD && priv)
		hst_vw_raw(w, "FUTEX_FD|FUTEX_PRIVATE_FLAG");
	else
		hst_vw_rawf(w, "%s%s%s", name, priv ? "_PRIVATE" : "", rt ? "|FUTEX_CLOCK_REALTIME" : "");
}

const struct hst_kind hst_kind_futex_op = {
	.name = "futex_op",
	.describe = describe_futex_op,
};

static bool futex_val_absent(const struct hst_kcall *k)
{
	unsigned cmd = futex_cmd(k);

	return cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_UNLOCK_PI ||
	       cmd == FUTEX_TRYLOCK_PI;
}

static void describe_futex_val(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_uint(w, (unsigned)k->args[k->arg]);
}

const struct hst_kind hst_kind_futex_val = {
	.name = "futex_val",
	.describe = describe_futex_val,
	.absent = futex_val_absent,
};

static bool futex_timeout_absent(const struct hst_kcall *k)
{
	unsigned cmd = futex_cmd(k);

	if (!futex_known(cmd))
		return false;
	return !futex_waits(cmd) && !futex_requeues(cmd);
}

static void capture_futex_timeout(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;

	if (futex_waits(futex_cmd(k)))
		hst_capctx_read(c, k->args[k->arg], sizeof(struct timespec), &unused);
	else if (futex_requeues(futex_cmd(k)))
		hst_capctx_read(c, k->args[k->arg], 0, &unused); /* val2: the number only */
}

static void describe_futex_timeout(struct hst_vw *w, const struct hst_kcall *k,
				   const struct hst_piece *p, unsigned n)
{
	struct timespec ts;

	if (futex_requeues(futex_cmd(k))) {
		hst_vw_uint(w, (unsigned)k->args[k->arg]);
		return;
	}
	if (n == 0) {
		hst_vw_ptr(w, 0); /* a NULL timeout */
		return;
	}
	if (!hst_vw_whole(w, p, &ts, sizeof(ts)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "tv_sec");
	hst_vw_int(w, ts.tv_sec);
	hst_vw_key(w, "tv_nsec");
	hst_vw_int(w, ts.tv_nsec);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_futex_timeout = {
	.name = "futex_timeout",
	.capture = capture_futex_timeout,
	.bound = 16 + sizeof(struct timespec),
	.describe = describe_futex_timeout,
	.absent = futex_timeout_absent,
	.null_ok = true, /* val2 0 is "0", not NULL */
};

static bool futex_uaddr2_absent(const struct hst_kcall *k)
{
	unsigned cmd = futex_cmd(k);

	if (!futex_known(cmd))
		return false;
	return !futex_requeues(cmd) && cmd != FUTEX_WAIT_REQUEUE_PI;
}

static void describe_futex_uaddr2(struct hst_vw *w, const struct hst_kcall *k,
				  const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_ptr(w, k->args[k->arg]);
}

const struct hst_kind hst_kind_futex_uaddr2 = {
	.name = "futex_uaddr2",
	.describe = describe_futex_uaddr2,
	.absent = futex_uaddr2_absent,
};

static bool futex_val3_absent(const struct hst_kcall *k)
{
	unsigned cmd = futex_cmd(k);

	if (!futex_known(cmd))
		return false;
	return cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAKE_BITSET && cmd != FUTEX_CMP_REQUEUE &&
	       cmd != FUTEX_CMP_REQUEUE_PI && cmd != FUTEX_WAKE_OP;
}

/* "FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1", strace's order. */
static void put_wake_op(struct hst_vw *w, unsigned v)
{
	const char *op = hst_ctab_name(&hst_ctab_futex_wake_op, (v >> 28) & 7);
	const char *cmp = hst_ctab_name(&hst_ctab_futex_wake_cmp, (v >> 24) & 15);
	unsigned oparg = (v >> 12) & 0xfff, cmparg = v & 0xfff;
	char buf[256];
	int len = 0;

	if ((v >> 28) & FUTEX_OP_OPARG_SHIFT)
		len = snprintf(buf, sizeof(buf), "FUTEX_OP_OPARG_SHIFT<<28|");
	if (op)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s<<28", op);
	else
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%#x<<28 /* FUTEX_OP_??? */",
				(v >> 28) & 7);
	len += snprintf(buf + len, sizeof(buf) - (size_t)len, oparg ? "|%#x<<12" : "|%u<<12", oparg);
	if (cmp)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "|%s<<24", cmp);
	else
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "|%#x<<24 /* FUTEX_OP_CMP_??? */",
				(v >> 24) & 15);
	snprintf(buf + len, sizeof(buf) - (size_t)len, cmparg ? "|%#x" : "|%u", cmparg);
	hst_vw_raw(w, buf);
}

static void describe_futex_val3(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	unsigned v = (unsigned)k->args[k->arg];
	unsigned cmd = futex_cmd(k);

	(void)p;
	(void)n;
	if (cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET) {
		if (v == FUTEX_BITSET_MATCH_ANY)
			hst_vw_raw(w, "FUTEX_BITSET_MATCH_ANY");
		else
			hst_vw_hex(w, v);
	} else if (cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_CMP_REQUEUE_PI) {
		hst_vw_uint(w, v);
	} else if (cmd == FUTEX_WAKE_OP) {
		put_wake_op(w, v);
	} else {
		hst_vw_hex(w, v);
	}
}

const struct hst_kind hst_kind_futex_val3 = {
	.name = "futex_val3",
	.describe = describe_futex_val3,
	.absent = futex_val3_absent,
};

/* --- System V: keys, flags, commands ------------------------------------ */

/* IPC_PRIVATE, or the key in hex. */
static void describe_ipc_key(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	unsigned v = (unsigned)k->args[k->arg];

	(void)p;
	(void)n;
	if (v == IPC_PRIVATE)
		hst_vw_raw(w, "IPC_PRIVATE");
	else
		hst_vw_rawf(w, "%#x", v);
}

const struct hst_kind hst_kind_ipc_key = {
	.name = "ipc_key",
	.describe = describe_ipc_key,
};

/* shmget/semget/msgget's flags and mode in one word: "IPC_CREAT|0600". */
static void describe_ipc_get_flags(struct hst_vw *w, const struct hst_kcall *k,
				   const struct hst_piece *p, unsigned n)
{
	unsigned v = (unsigned)k->args[k->arg], rest = v & ~0777u;
	const struct hst_ctab *t = &hst_ctab_ipc_get_flags;
	char buf[256];
	int len = 0;

	(void)p;
	(void)n;
	buf[0] = 0;
	for (unsigned i = 0; i < t->n; i++) {
		unsigned bits = (unsigned)t->c[i].value;
		if (bits && (rest & bits) == bits) {
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s|", t->c[i].name);
			rest &= ~bits;
		}
	}
	if (rest)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%#x|", rest);
	snprintf(buf + len, sizeof(buf) - (size_t)len, "%#03o", v & 0777);
	hst_vw_raw(w, buf);
}

const struct hst_kind hst_kind_ipc_get_flags = {
	.name = "ipc_get_flags",
	.describe = describe_ipc_get_flags,
};

/* A *ctl command: "IPC_64|" when set, then the name (strace's PRINTCTL). */
static void put_ctl_cmd(struct hst_vw *w, const struct hst_ctab *t, unsigned v, const char *unknown)
{
	const char *name = hst_ctab_name(t, v & ~(unsigned)IPC_64);

	if (!name)
		hst_vw_rawf(w, "%#x /* %s */", v, unknown);
	else
		hst_vw_rawf(w, "%s%s", v & IPC_64 ? "IPC_64|" : "", name);
}

static void describe_shmctl_cmd(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	put_ctl_cmd(w, &hst_ctab_shmctl_cmd, (unsigned)k->args[k->arg], "SHM_???");
}

const struct hst_kind hst_kind_shmctl_cmd = {
	.name = "shmctl_cmd",
	.describe = describe_shmctl_cmd,
};

static void describe_msgctl_cmd(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	put_ctl_cmd(w, &hst_ctab_msgctl_cmd, (unsigned)k->args[k->arg], "MSG_???");
}

const struct hst_kind hst_kind_msgctl_cmd = {
	.name = "msgctl_cmd",
	.describe = describe_msgctl_cmd,
};

static void describe_semctl_cmd(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	put_ctl_cmd(w, &hst_ctab_semctl_cmd, (unsigned)k->args[k->arg], "SEM_???");
}

const struct hst_kind hst_kind_semctl_cmd = {
	.name = "semctl_cmd",
	.describe = describe_semctl_cmd,
};

/* --- System V: buffers -------------------------------------------------- */

/* A uid or gid: -1 as strace shows it. */
static void put_id(struct hst_vw *w, const char *key, unsigned id)
{
	hst_vw_key(w, key);
	if (id == (unsigned)-1)
		hst_vw_int(w, -1);
	else
		hst_vw_uint(w, id);
}

static void put_perm(struct hst_vw *w, const char *key, const struct ipc_perm *perm, bool set)
{
	hst_vw_key(w, key);
	hst_vw_struct_begin(w);
	put_id(w, "uid", perm->uid);
	put_id(w, "gid", perm->gid);
	hst_vw_key(w, "mode");
	hst_vw_oct(w, perm->mode);
	if (!set) {
		hst_vw_key(w, "key");
		hst_vw_uint(w, (unsigned)perm->__key);
		put_id(w, "cuid", perm->cuid);
		put_id(w, "cgid", perm->cgid);
	}
	hst_vw_struct_end(w);
}

static void put_u(struct hst_vw *w, const char *key, unsigned long long v)
{
	hst_vw_key(w, key);
	hst_vw_uint(w, v);
}

static void put_d(struct hst_vw *w, const char *key, long long v)
{
	hst_vw_key(w, key);
	hst_vw_int(w, v);
}

static unsigned ctl_cmd(const struct hst_kcall *k)
{
	return (unsigned)k->args[1] & ~(unsigned)IPC_64;
}

static void put_shmid_ds(struct hst_vw *w, const struct shmid_ds *ds, bool set)
{
	hst_vw_struct_begin(w);
	put_perm(w, "shm_perm", &ds->shm_perm, set);
	if (!set) {
		put_u(w, "shm_segsz", ds->shm_segsz);
		put_d(w, "shm_cpid", ds->shm_cpid);
		put_d(w, "shm_lpid", ds->shm_lpid);
		put_u(w, "shm_nattch", ds->shm_nattch);
		put_u(w, "shm_atime", (unsigned long long)ds->shm_atime);
		put_u(w, "shm_dtime", (unsigned long long)ds->shm_dtime);
		put_u(w, "shm_ctime", (unsigned long long)ds->shm_ctime);
	}
	hst_vw_struct_end(w);
}

static void put_shminfo(struct hst_vw *w, const struct shminfo *i)
{
	hst_vw_struct_begin(w);
	put_u(w, "shmmax", i->shmmax);
	put_u(w, "shmmin", i->shmmin);
	put_u(w, "shmmni", i->shmmni);
	put_u(w, "shmseg", i->shmseg);
	put_u(w, "shmall", i->shmall);
	hst_vw_struct_end(w);
}

static void put_shm_info(struct hst_vw *w, const struct shm_info *i)
{
	hst_vw_struct_begin(w);
	put_d(w, "used_ids", i->used_ids);
	put_u(w, "shm_tot", i->shm_tot);
	put_u(w, "shm_rss", i->shm_rss);
	put_u(w, "shm_swp", i->shm_swp);
	put_u(w, "swap_attempts", i->swap_attempts);
	put_u(w, "swap_successes", i->swap_successes);
	hst_vw_struct_end(w);
}

/* The largest of the structs a shmctl buffer may hold. */
union shm_buf {
	struct shmid_ds ds;
	struct shminfo info;
	struct shm_info shm_info;
};

static void describe_shmctl_buf(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	unsigned cmd = ctl_cmd(k);
	union shm_buf b;

	(void)n;
	memset(&b, 0, sizeof(b));
	memcpy(&b, p->data, p->len < sizeof(b) ? p->len : sizeof(b));
	if (k->failed && cmd != IPC_SET)
		hst_vw_ptr(w, p->addr);
	else if ((cmd == IPC_STAT || cmd == SHM_STAT || cmd == SHM_STAT_ANY || cmd == IPC_SET) &&
	    p->len >= sizeof(b.ds))
		put_shmid_ds(w, &b.ds, cmd == IPC_SET);
	else if (cmd == IPC_INFO && p->len >= sizeof(b.info))
		put_shminfo(w, &b.info);
	else if (cmd == SHM_INFO && p->len >= sizeof(b.shm_info))
		put_shm_info(w, &b.shm_info);
	else
		hst_vw_ptr(w, p->addr);
}

const struct hst_kind hst_kind_shmctl_buf = {
	.name = "shmctl_buf",
	.size = sizeof(union shm_buf),
	.on_error = true, /* IPC_SET's */
	.describe = describe_shmctl_buf,
};

static void put_msqid_ds(struct hst_vw *w, const struct msqid_ds *ds, bool set)
{
	hst_vw_struct_begin(w);
	put_perm(w, "msg_perm", &ds->msg_perm, set);
	if (!set) {
		put_u(w, "msg_stime", (unsigned long long)ds->msg_stime);
		put_u(w, "msg_rtime", (unsigned long long)ds->msg_rtime);
		put_u(w, "msg_ctime", (unsigned long long)ds->msg_ctime);
		put_u(w, "msg_qnum", ds->msg_qnum);
	}
	put_u(w, "msg_qbytes", ds->msg_qbytes);
	if (!set) {
		put_d(w, "msg_lspid", ds->msg_lspid);
		put_d(w, "msg_lrpid", ds->msg_lrpid);
	}
	hst_vw_struct_end(w);
}

static void put_msginfo(struct hst_vw *w, const struct msginfo *i)
{
	hst_vw_struct_begin(w);
	put_d(w, "msgpool", i->msgpool);
	put_d(w, "msgmap", i->msgmap);
	put_d(w, "msgmax", i->msgmax);
	put_d(w, "msgmnb", i->msgmnb);
	put_d(w, "msgmni", i->msgmni);
	put_d(w, "msgssz", i->msgssz);
	put_d(w, "msgtql", i->msgtql);
	put_u(w, "msgseg", i->msgseg);
	hst_vw_struct_end(w);
}

union msg_buf {
	struct msqid_ds ds;
	struct msginfo info;
};

static void describe_msgctl_buf(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	unsigned cmd = ctl_cmd(k);
	union msg_buf b;

	(void)n;
	memset(&b, 0, sizeof(b));
	memcpy(&b, p->data, p->len < sizeof(b) ? p->len : sizeof(b));
	if (k->failed && cmd != IPC_SET)
		hst_vw_ptr(w, p->addr);
	else if ((cmd == IPC_STAT || cmd == MSG_STAT || cmd == MSG_STAT_ANY || cmd == IPC_SET) &&
	    p->len >= sizeof(b.ds))
		put_msqid_ds(w, &b.ds, cmd == IPC_SET);
	else if ((cmd == IPC_INFO || cmd == MSG_INFO) && p->len >= sizeof(b.info))
		put_msginfo(w, &b.info);
	else
		hst_vw_ptr(w, p->addr);
}

const struct hst_kind hst_kind_msgctl_buf = {
	.name = "msgctl_buf",
	.size = sizeof(union msg_buf),
	.on_error = true, /* IPC_SET's */
	.describe = describe_msgctl_buf,
};

static void put_semid_ds(struct hst_vw *w, const struct semid_ds *ds, bool set)
{
	hst_vw_struct_begin(w);
	put_perm(w, "sem_perm", &ds->sem_perm, set);
	if (!set) {
		put_u(w, "sem_otime", (unsigned long long)ds->sem_otime);
		put_u(w, "sem_ctime", (unsigned long long)ds->sem_ctime);
		put_u(w, "sem_nsems", ds->sem_nsems);
	}
	hst_vw_struct_end(w);
}

static void put_seminfo(struct hst_vw *w, const struct seminfo *i)
{
	hst_vw_struct_begin(w);
	put_d(w, "semmap", i->semmap);
	put_d(w, "semmni", i->semmni);
	put_d(w, "semmns", i->semmns);
	put_d(w, "semmnu", i->semmnu);
	put_d(w, "semmsl", i->semmsl);
	put_d(w, "semopm", i->semopm);
	put_d(w, "semume", i->semume);
	put_d(w, "semusz", i->semusz);
	put_d(w, "semvmx", i->semvmx);
	put_d(w, "semaem", i->semaem);
	hst_vw_struct_end(w);
}

union sem_buf {
	struct semid_ds ds;
	struct seminfo info;
};

/* semctl's fourth argument: a struct for the STAT and INFO commands, else a number. */
static void describe_semctl_arg(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	unsigned cmd = (unsigned)k->args[2] & ~(unsigned)IPC_64;
	union sem_buf b;

	(void)n;
	memset(&b, 0, sizeof(b));
	memcpy(&b, p->data, p->len < sizeof(b) ? p->len : sizeof(b));
	if (k->failed && cmd != IPC_SET)
		hst_vw_ptr(w, k->args[k->arg]);
	else if ((cmd == IPC_STAT || cmd == SEM_STAT || cmd == SEM_STAT_ANY || cmd == IPC_SET) &&
	    p->len >= sizeof(b.ds))
		put_semid_ds(w, &b.ds, cmd == IPC_SET);
	else if ((cmd == IPC_INFO || cmd == SEM_INFO) && p->len >= sizeof(b.info))
		put_seminfo(w, &b.info);
	else
		hst_vw_ptr(w, k->args[k->arg]);
}

/* Only the struct commands point at memory; SETVAL's value is a number. */
static size_t semctl_arg_size(const struct hst_kcall *k)
{
	unsigned cmd = (unsigned)k->args[2] & ~(unsigned)IPC_64;

	if (cmd == IPC_STAT || cmd == SEM_STAT || cmd == SEM_STAT_ANY || cmd == IPC_SET ||
	    cmd == IPC_INFO || cmd == SEM_INFO)
		return sizeof(union sem_buf);
	return 0;
}

const struct hst_kind hst_kind_semctl_arg = {
	.name = "semctl_arg",
	.size_fn = semctl_arg_size,
	.describe = describe_semctl_arg,
	.on_error = true, /* IPC_SET's */
};

/* semop's array: at most -s elements unless -v, as strace's print_array. */
static size_t sembuf_size(const struct hst_kcall *k)
{
	uint64_t count = k->lenarg >= 0 ? (unsigned)k->args[k->lenarg] : 0;

	return (size_t)(count * sizeof(struct sembuf));
}

static void describe_sembuf(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	size_t want = sembuf_size(k) / sizeof(struct sembuf), have = p->len / sizeof(struct sembuf);
	size_t max = hst_vw_verbose(w) ? SIZE_MAX : hst_vw_strsize(w);

	(void)n;
	hst_vw_array_begin(w);
	for (size_t i = 0; i < want; i++) {
		struct sembuf sb;
		if (i == max || i >= have) {
			hst_vw_more(w);
			break;
		}
		memcpy(&sb, (const char *)p->data + i * sizeof(sb), sizeof(sb));
		hst_vw_struct_begin(w);
		put_u(w, "sem_num", sb.sem_num);
		put_d(w, "sem_op", sb.sem_op);
		hst_vw_key(w, "sem_flg");
		hst_vw_flags(w, &hst_ctab_ipc_sem_flags, (unsigned short)sb.sem_flg);
		hst_vw_struct_end(w);
	}
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_sembuf = {
	.name = "sembuf",
	.size_fn = sembuf_size,
	.describe = describe_sembuf,
};

/*
 * msgsnd/msgrcv's {mtype=1, mtext="hello"}: the text is the length
 * argument's bytes, shortened by -s.  Bounded: a longer -s still shows
 * MSGBUF_TEXT bytes.
 */
#define MSGBUF_TEXT 4096

static void capture_msgbuf(struct hst_capctx *c, const struct hst_kcall *k)
{
	uint64_t len = k->lenarg >= 0 ? k->args[k->lenarg] : 0;
	unsigned max = hst_capctx_strsize(c);
	const void *unused;

	if (len > max)
		len = max;
	if (len > MSGBUF_TEXT)
		len = MSGBUF_TEXT;
	hst_capctx_read(c, k->args[k->arg], sizeof(long) + len, &unused);
}

static void describe_msgbuf(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	uint64_t len = k->lenarg >= 0 ? k->args[k->lenarg] : 0;
	size_t have;
	long type;

	(void)n;
	if (p->len < sizeof(long)) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	memcpy(&type, p->data, sizeof(type));
	have = p->len - sizeof(long);
	hst_vw_struct_begin(w);
	hst_vw_key(w, "mtype");
	hst_vw_int(w, type);
	hst_vw_key(w, "mtext");
	hst_vw_str(w, (const char *)p->data + sizeof(long), have < len ? have : (size_t)len, have < len);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_msgbuf = {
	.name = "msgbuf",
	.capture = capture_msgbuf,
	.bound = 16 + sizeof(long) + MSGBUF_TEXT + 8,
	.describe = describe_msgbuf,
};

/* --- POSIX message queues ----------------------------------------------- */

static void describe_mq_attr(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			     unsigned n)
{
	struct mq_attr a;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &a, sizeof(a)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "mq_flags");
	hst_vw_flags(w, &hst_ctab_mq_attr_flags, (uint64_t)a.mq_flags);
	put_d(w, "mq_maxmsg", a.mq_maxmsg);
	put_d(w, "mq_msgsize", a.mq_msgsize);
	put_d(w, "mq_curmsgs", a.mq_curmsgs);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_mq_attr = {
	.name = "mq_attr",
	.size = sizeof(struct mq_attr),
	.describe = describe_mq_attr,
};

/* mq_open's attr is shown only with O_CREAT, like its mode. */
static bool mq_open_attr_absent(const struct hst_kcall *k)
{
	return !(k->args[1] & O_CREAT);
}

const struct hst_kind hst_kind_mq_open_attr = {
	.name = "mq_open_attr",
	.size = sizeof(struct mq_attr),
	.describe = describe_mq_attr,
	.absent = mq_open_attr_absent,
};

/* A number written back through a pointer: "[3]". */
static void describe_uint_ref(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	unsigned v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_array_begin(w);
	hst_vw_uint(w, v);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_uint_ref = {
	.name = "uint_ref",
	.size = sizeof(unsigned),
	.describe = describe_uint_ref,
};
