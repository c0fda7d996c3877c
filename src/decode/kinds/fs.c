/*
 * Kinds of files and descriptors.  See src/core/kinds.h.
 *
 * Structs the kernel reads or fills (stat, statx, statfs, iovec arrays,
 * pollfd and epoll_event arrays, select's fd_sets, directory entries, a
 * pipe's descriptor pair, utimensat's times, getcwd's path, loff_t offsets,
 * fcntl's struct flock) and the numbers whose meaning depends on another
 * argument (lseek's whence, fcntl's argument by command, ioctl's request
 * and argument, mknod's mode and device, statx's flags and mask), and the
 * results strace explains (fcntl's F_GET* flags, poll's timeout).
 *
 * Where strace shows an address for a call that failed, the kind is told
 * (k->failed) even when it captured something: readv's buffers, F_GETLK's
 * lock, epoll_pwait's mask.  fcntl's and ioctl's arguments are read at
 * exit, failed or not, since the command decides whether they are numbers
 * or structs; a struct the kernel only reads is the same then as at entry.
 *
 * Capture routines run on the ptrace thread and only read; describe runs
 * on a sink thread and only walks the pieces captured.  Arrays are cut to
 * -s elements like strace's print_array (all of them with -v), and a
 * capture that ran out of its bound shows fewer elements rather than
 * reading past what was captured.  strace's comments after a value (a
 * date, a count of directory entries, an unknown constant) have no typed
 * form in the value writer: such a value and its comment are one raw text.
 */
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>
#include <poll.h>

#include "core/consts.h"
#include "core/kinds.h"
#include "core/systable.h"

/* Append s at buf + n; returns the new length.  The caller sized buf. */
static size_t append(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s);

	memcpy(buf + n, s, len + 1);
	return n + len;
}

/* v as printf's "%#03o" ("0644", "000"), at buf + n; returns the new length. */
static size_t append_mode_bits(char *buf, size_t n, unsigned v)
{
	char digits[12];
	size_t k = sizeof(digits);

	do
		digits[--k] = (char)('0' + (v & 7));
	while ((v >>= 3));
	if (digits[k] != '0')
		digits[--k] = '0';
	while (sizeof(digits) - k < 3)
		digits[--k] = '0';
	memcpy(buf + n, digits + k, sizeof(digits) - k);
	n += sizeof(digits) - k;
	buf[n] = '\0';
	return n;
}

/*
 * "S_IFREG|0644", with S_ISUID/S_ISGID/S_ISVTX named as strace does.  Built
 * by hand: snprintf here was half of rendering a stat or statx struct.
 */
static void put_mode(struct hst_vw *w, unsigned mode)
{
	const char *type = hst_ctab_name(&hst_ctab_file_type, mode & S_IFMT);
	char buf[96];
	size_t n = 0;

	if (type)
		n = append(buf, append(buf, 0, type), "|");
	else if (mode & S_IFMT)
		n = (size_t)snprintf(buf, sizeof(buf), "%#o|", mode & S_IFMT);
	if (mode & S_ISUID)
		n = append(buf, n, "S_ISUID|");
	if (mode & S_ISGID)
		n = append(buf, n, "S_ISGID|");
	if (mode & S_ISVTX)
		n = append(buf, n, "S_ISVTX|");
	append_mode_bits(buf, n, mode & 0777);
	hst_vw_raw(w, buf);
}

static void put_dev(struct hst_vw *w, unsigned long long dev)
{
	unsigned ma = major(dev), mi = minor(dev);

	if (ma || mi)
		hst_vw_rawf(w, "makedev(%#x, %#x)", ma, mi);
	else
		hst_vw_raw(w, "makedev(0, 0)");
}

/*
 * strace's comment after a timestamp: local time, nanoseconds when there are
 * any, the zone offset ("2026-11-27T22:10:58.628415137+0000").  Sink thread:
 * localtime_r only.  Returns false when the time cannot be shown.
 */
static bool format_date(char *buf, size_t size, long long sec, long long nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	if (!localtime_r(&t, &tm))
		return false;
	n = strftime(buf, size, "%FT%T", &tm);
	if (n == 0)
		return false;
	if (nsec > 0 && nsec < 1000000000)
		n += (size_t)snprintf(buf + n, size - n, ".%09lld", nsec);
	return n < size && strftime(buf + n, size - n, "%z", &tm) > 0;
}

/* The same for a timeval: microseconds, six digits. */
static bool format_date_usec(char *buf, size_t size, long long sec, long long usec)
{
	char *dot;

	if (!format_date(buf, size, sec, usec > 0 && usec < 1000000 ? usec * 1000 : 0))
		return false;
	dot = strchr(buf, '.');
	if (dot)
		memmove(dot + 7, dot + 10, strlen(dot + 10) + 1);
	return true;
}

/* Seconds with the date as a comment, one raw value: the comment belongs to it. */
static void put_secs(struct hst_vw *w, long long sec, long long nsec)
{
	char date[64];

	if ((sec || nsec) && format_date(date, sizeof(date), sec, nsec))
		hst_vw_rawf(w, "%lld /* %s */", sec, date);
	else
		hst_vw_int(w, sec);
}

static void put_time(struct hst_vw *w, const char *key, long long sec, long long nsec)
{
	char name[32];

	hst_vw_key(w, key);
	put_secs(w, sec, nsec);
	snprintf(name, sizeof(name), "%s_nsec", key);
	hst_vw_key(w, name);
	hst_vw_int(w, nsec);
}

static void describe_stat(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			  unsigned n)
{
	struct stat st;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &st, sizeof(st)))
		return;
	hst_vw_struct_begin(w);
	if (hst_vw_verbose(w)) {
		hst_vw_key(w, "st_dev");
		put_dev(w, st.st_dev);
		hst_vw_key(w, "st_ino");
		hst_vw_uint(w, st.st_ino);
	}
	hst_vw_key(w, "st_mode");
	put_mode(w, st.st_mode);
	if (hst_vw_verbose(w)) {
		hst_vw_key(w, "st_nlink");
		hst_vw_uint(w, st.st_nlink);
		hst_vw_key(w, "st_uid");
		hst_vw_uint(w, st.st_uid);
		hst_vw_key(w, "st_gid");
		hst_vw_uint(w, st.st_gid);
		hst_vw_key(w, "st_blksize");
		hst_vw_int(w, st.st_blksize);
		hst_vw_key(w, "st_blocks");
		hst_vw_int(w, st.st_blocks);
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		hst_vw_key(w, "st_rdev");
		put_dev(w, st.st_rdev);
	} else {
		hst_vw_key(w, "st_size");
		hst_vw_int(w, st.st_size);
	}
	if (hst_vw_verbose(w)) {
		put_time(w, "st_atime", st.st_atim.tv_sec, st.st_atim.tv_nsec);
		put_time(w, "st_mtime", st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		put_time(w, "st_ctime", st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	} else {
		hst_vw_more(w);
	}
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_stat = {
	.name = "stat",
	.size = sizeof(struct stat),
	.describe = describe_stat,
};

/* --- small values ------------------------------------------------------- */

static uint64_t get_u64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Names of the bits of v in t joined by '|', unknown bits in hex; "" for 0. */
static void flags_text(char *buf, size_t size, const struct hst_ctab *t, uint64_t v)
{
	uint64_t rest = v;
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < t->n; i++) {
		uint64_t bits = t->c[i].value;
		if (bits && (rest & bits) == bits) {
			/* Appended by hand: snprintf here was the most of statx's rendering. */
			size_t n = strlen(t->c[i].name);

			if (len + (len != 0) + n >= size)
				break;
			if (len)
				buf[len++] = '|';
			memcpy(buf + len, t->c[i].name, n + 1);
			len += n;
			rest &= ~bits;
		}
	}
	if (rest && len < size)
		snprintf(buf + len, size - len, "%s%#llx", len ? "|" : "", (unsigned long long)rest);
}

/* A loff_t offset (sendfile, splice, copy_file_range): "[4096]". */
static void describe_loff(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			  unsigned n)
{
	(void)k;
	(void)n;
	if (p->len < 8) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	hst_vw_array_begin(w);
	hst_vw_int(w, (int64_t)get_u64(p->data));
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_loff = {
	.name = "loff",
	.size = 8,
	.describe = describe_loff,
};

static void put_u64_ref(struct hst_vw *w, const struct hst_piece *p)
{
	hst_vw_array_begin(w);
	hst_vw_uint(w, get_u64(p->data));
	hst_vw_array_end(w);
}

/*
 * sendfile's offset, read at entry and exit: "[0] => [4]" when the call
 * moved bytes, else only the entry value, as strace.
 */
static void describe_loff_inout(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				unsigned n)
{
	const struct hst_piece *in = n && p[0].entry ? &p[0] : NULL;
	const struct hst_piece *out = in ? (n > 1 ? &p[1] : NULL) : (n ? p : NULL);

	if (!in || in->len < 8) {
		hst_vw_ptr(w, k->value);
		return;
	}
	put_u64_ref(w, in);
	if (k->failed || k->rval == 0 || !out || out->len < 8)
		return;
	hst_vw_prefix(w, " => ");
	put_u64_ref(w, out);
}

const struct hst_kind hst_kind_loff_inout = {
	.name = "loff_inout",
	.size = 8,
	.stash = 8,
	.describe = describe_loff_inout,
};

/* pipe, pipe2: "[3, 4]". */
static void describe_pipefd(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			     unsigned n)
{
	(void)n;
	if (p->len < 8) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	hst_vw_array_begin(w);
	hst_vw_fd(w, k, (int32_t)get_u32(p->data));
	hst_vw_fd(w, k, (int32_t)get_u32((const char *)p->data + 4));
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_pipefd = {
	.name = "pipefd",
	.size = 8,
	.describe = describe_pipefd,
};

/* getcwd: the return value counts the NUL; strace shows the path up to it. */
static size_t cwd_size(const struct hst_kcall *k)
{
	return k->rval > 0 ? (size_t)k->rval : 0;
}

static void describe_cwd(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			 unsigned n)
{
	(void)k;
	(void)n;
	hst_vw_str(w, p->data, strnlen(p->data, p->len), false);
}

const struct hst_kind hst_kind_cwd = {
	.name = "cwd",
	.size_fn = cwd_size,
	.describe = describe_cwd,
};

/* --- mknod: the mode with its file type, the device for nodes only ------ */

static void describe_mknod_mode(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				unsigned n)
{
	(void)p;
	(void)n;
	put_mode(w, (unsigned)k->args[k->arg]);
}

const struct hst_kind hst_kind_mknod_mode = {
	.name = "mknod_mode",
	.describe = describe_mknod_mode,
};

static bool mknod_dev_absent(const struct hst_kcall *k)
{
	unsigned mode = k->lenarg >= 0 ? (unsigned)k->args[k->lenarg] : 0;

	return !S_ISCHR(mode) && !S_ISBLK(mode);
}

static void describe_mknod_dev(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	(void)p;
	(void)n;
	put_dev(w, (unsigned)k->args[k->arg]);
}

const struct hst_kind hst_kind_mknod_dev = {
	.name = "mknod_dev",
	.describe = describe_mknod_dev,
	.absent = mknod_dev_absent,
};

/* --- statfs ------------------------------------------------------------- */

static void describe_statfs(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	struct statfs sf;
	int fsid[2];

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &sf, sizeof(sf)))
		return;
	memcpy(fsid, &sf.f_fsid, sizeof(fsid));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "f_type");
	hst_vw_enum(w, &hst_ctab_statfs_magic, (uint64_t)sf.f_type);
	hst_vw_key(w, "f_bsize");
	hst_vw_int(w, sf.f_bsize);
	hst_vw_key(w, "f_blocks");
	hst_vw_uint(w, sf.f_blocks);
	hst_vw_key(w, "f_bfree");
	hst_vw_uint(w, sf.f_bfree);
	hst_vw_key(w, "f_bavail");
	hst_vw_uint(w, sf.f_bavail);
	hst_vw_key(w, "f_files");
	hst_vw_uint(w, sf.f_files);
	hst_vw_key(w, "f_ffree");
	hst_vw_uint(w, sf.f_ffree);
	hst_vw_key(w, "f_fsid");
	hst_vw_struct_begin(w);
	hst_vw_key(w, "val");
	hst_vw_array_begin(w);
	hst_vw_hex(w, (uint32_t)fsid[0]);
	hst_vw_hex(w, (uint32_t)fsid[1]);
	hst_vw_array_end(w);
	hst_vw_struct_end(w);
	hst_vw_key(w, "f_namelen");
	hst_vw_int(w, sf.f_namelen);
	hst_vw_key(w, "f_frsize");
	hst_vw_int(w, sf.f_frsize);
	hst_vw_key(w, "f_flags");
	hst_vw_flags(w, &hst_ctab_statfs_flags, (uint64_t)sf.f_flags);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_statfs = {
	.name = "statfs",
	.size = sizeof(struct statfs),
	.describe = describe_statfs,
};

/* --- iovec arrays (readv, writev) ---------------------------------------- */

#define IOV_SHOWN_MAX 60 /* elements kept: one piece each, plus the array */

/* Elements strace prints of an array: -s of them, all with -v. */
static size_t elem_limit(const struct hst_vw *w)
{
	return hst_vw_verbose(w) ? SIZE_MAX : hst_vw_strsize(w);
}

/* Elements of the iovec array kept; limit is the -s or -v element limit. */
static size_t iov_shown(const struct hst_kcall *k, size_t limit)
{
	uint64_t cnt = k->lenarg >= 0 ? k->args[k->lenarg] : 0;
	size_t max = limit < IOV_SHOWN_MAX ? limit : IOV_SHOWN_MAX;

	if ((int64_t)cnt < 0)
		return 0;
	return cnt < max ? (size_t)cnt : max;
}

/* Bytes the call moved: all of each buffer at entry, the return value at exit. */
static uint64_t iov_data_budget(const struct hst_kcall *k)
{
	return k->at_exit ? (uint64_t)(k->rval > 0 ? k->rval : 0) : UINT64_MAX;
}

/* The array, then one piece per shown element (possibly empty) with its bytes. */
static void capture_iovec(struct hst_capctx *c, const struct hst_kcall *k)
{
	unsigned strsize = hst_capctx_strsize(c);
	size_t shown = iov_shown(k, IOV_SHOWN_MAX), got;
	uint64_t left = iov_data_budget(k);
	const void *arr;
	const void *unused;

	/* An empty array is still read: unreadable, strace shows its address. */
	got = hst_capctx_read(c, k->args[k->arg], (shown ? shown : 1) * 16, &arr) / 16;
	if (k->failed)
		return; /* readv failed: strace shows the buffers' addresses */
	for (size_t i = 0; i < got && i < shown; i++) {
		uint64_t base = get_u64((const char *)arr + 16 * i);
		uint64_t len = get_u64((const char *)arr + 16 * i + 8);
		uint64_t want = len < left ? len : left;
		left -= want;
		if (want > strsize)
			want = strsize;
		hst_capctx_read(c, base, (size_t)want, &unused);
	}
}

/* One buffer: the bytes the call moved through it, "..." past -s. */
static void put_iov_base(struct hst_vw *w, const struct hst_piece *b, uint64_t len, uint64_t *left)
{
	uint64_t moved = len < *left ? len : *left;

	*left -= moved;
	if (b->fault || b->addr == 0)
		hst_vw_ptr(w, b->addr);
	else
		hst_vw_str(w, b->data, b->len, moved > b->len);
}

static void describe_iovec(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   unsigned n)
{
	size_t shown = iov_shown(k, elem_limit(w));
	size_t have = p[0].len / 16;
	uint64_t left = iov_data_budget(k);
	uint64_t cnt = k->lenarg >= 0 ? k->args[k->lenarg] : 0;

	if (have < shown)
		shown = have;
	hst_vw_array_begin(w);
	for (size_t i = 0; i < shown; i++) {
		uint64_t len = get_u64((const char *)p[0].data + 16 * i + 8);
		hst_vw_struct_begin(w);
		hst_vw_key(w, "iov_base");
		if (i + 1 < n)
			put_iov_base(w, &p[i + 1], len, &left);
		else
			hst_vw_ptr(w, get_u64((const char *)p[0].data + 16 * i));
		hst_vw_key(w, "iov_len");
		hst_vw_uint(w, len);
		hst_vw_struct_end(w);
	}
	if (cnt > shown)
		hst_vw_more(w);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_iovec = {
	.name = "iovec",
	.capture = capture_iovec,
	.bound = 64 * 1024,
	.describe = describe_iovec,
	.on_error = true,
};

/* --- poll, epoll ---------------------------------------------------------- */

static size_t pollfd_size(const struct hst_kcall *k)
{
	uint64_t nfds = k->lenarg >= 0 ? k->args[k->lenarg] : 0;

	return nfds < 4096 ? (size_t)nfds * sizeof(struct pollfd) : 4096 * sizeof(struct pollfd);
}

static void describe_pollfd(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	uint64_t nfds = k->lenarg >= 0 ? k->args[k->lenarg] : 0;
	size_t have = p->len / sizeof(struct pollfd), i;

	(void)n;
	hst_vw_array_begin(w);
	for (i = 0; i < have && i < elem_limit(w); i++) {
		struct pollfd pf;
		memcpy(&pf, (const char *)p->data + i * sizeof(pf), sizeof(pf));
		hst_vw_struct_begin(w);
		hst_vw_key(w, "fd");
		hst_vw_fd(w, k, pf.fd);
		if (pf.fd >= 0) {
			hst_vw_key(w, "events");
			hst_vw_flags(w, &hst_ctab_poll_events, (uint16_t)pf.events);
		}
		hst_vw_struct_end(w);
	}
	if (nfds > i)
		hst_vw_more(w);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_pollfd = {
	.name = "pollfd",
	.size_fn = pollfd_size,
	.describe = describe_pollfd,
};

/*
 * epoll_pwait's sigmask and epoll_pwait2's timeout: strace reads them at
 * exit, after the events, and shows their address when the call failed.
 * signal.c and time.c describe them.
 */
extern const struct hst_kind hst_kind_sigset;
extern const struct hst_kind hst_kind_int_ref; /* "[5]", in proc.c */
extern const struct hst_kind hst_kind_timespec;

static void describe_late_sigset(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				 unsigned n)
{
	if (k->failed)
		hst_vw_ptr(w, k->value);
	else
		hst_kind_sigset.describe(w, k, p, n);
}

static size_t late_sigset_size(const struct hst_kcall *k)
{
	return hst_kind_sigset.size_fn(k);
}

const struct hst_kind hst_kind_late_sigset = {
	.name = "late_sigset",
	.size_fn = late_sigset_size,
	.describe = describe_late_sigset,
};

static void describe_late_timespec(struct hst_vw *w, const struct hst_kcall *k,
				   const struct hst_piece *p, unsigned n)
{
	if (k->failed)
		hst_vw_ptr(w, k->value);
	else
		hst_kind_timespec.describe(w, k, p, n);
}

const struct hst_kind hst_kind_late_timespec = {
	.name = "late_timespec",
	.size = sizeof(struct timespec),
	.describe = describe_late_timespec,
};

/* pselect6's sixth argument: a struct of the set's address and size. */
static void capture_pselect_sigmask(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *pair;
	const void *unused;

	if (hst_capctx_read(c, k->value, 16, &pair) < 16)
		return;
	if (get_u64(pair) && get_u64((const char *)pair + 8) == 8)
		hst_capctx_read(c, get_u64(pair), 8, &unused);
}

/* "{sigmask=[USR1], sigsetsize=8}", the set read when its size is the kernel's. */
static void describe_pselect_sigmask(struct hst_vw *w, const struct hst_kcall *k,
				     const struct hst_piece *p, unsigned n)
{
	uint64_t set, size;

	if (p->len < 16) {
		hst_vw_ptr(w, k->value);
		return;
	}
	set = get_u64(p->data);
	size = get_u64((const char *)p->data + 8);
	hst_vw_struct_begin(w);
	hst_vw_key(w, "sigmask");
	if (n > 1 && !p[1].fault && p[1].len == 8)
		hst_kind_sigset.describe(w, k, &p[1], 1);
	else
		hst_vw_ptr(w, set);
	hst_vw_key(w, "sigsetsize");
	hst_vw_uint(w, size);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_pselect_sigmask = {
	.name = "pselect_sigmask",
	.capture = capture_pselect_sigmask,
	.bound = 2 * 16 + 16 + 8,
	.describe = describe_pselect_sigmask,
};

/* --- select's descriptor sets -------------------------------------------- */

#define FDSET_MAX 8192 /* bytes of a set kept: 65536 descriptors */
#define FDSET_SHOWN 4096 /* descriptors listed at most */

/* strace's count of descriptors: nfds as an int, none when negative. */
static int fdset_nfds(const struct hst_kcall *k)
{
	int nfds = k->lenarg >= 0 ? (int)k->args[k->lenarg] : 0;

	return nfds < 0 ? 0 : nfds;
}

/* The set's bytes, in whole longs as the kernel reads them; none for nfds 0. */
static size_t fdset_size(const struct hst_kcall *k)
{
	size_t bytes = (((size_t)fdset_nfds(k) + 7) / 8 + 7) & ~(size_t)7;

	return bytes < FDSET_MAX ? bytes : FDSET_MAX;
}

/* "[3 4]": the descriptors set below nfds, separated by spaces as strace. */
static void describe_fdset(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   unsigned n)
{
	const unsigned char *bits = p->data;
	size_t nfds = (size_t)fdset_nfds(k), count = 0;
	int fds[FDSET_SHOWN];

	(void)n;
	if (p->len < fdset_size(k)) {
		hst_vw_ptr(w, k->value);
		return;
	}
	if (nfds > (size_t)p->len * 8)
		nfds = (size_t)p->len * 8;
	for (size_t fd = 0; fd < nfds && count < FDSET_SHOWN; fd++)
		if (bits[fd / 8] & (1u << (fd % 8)))
			fds[count++] = (int)fd;
	hst_vw_fd_list(w, k, fds, count);
}

const struct hst_kind hst_kind_fdset = {
	.name = "fdset",
	.size_fn = fdset_size,
	.describe = describe_fdset,
};

/*
 * The results of poll, ppoll, select and pselect6, with what the kernel
 * wrote back, as strace: "= 1 ([{fd=3, revents=POLLIN}])", "= 2 (in [4],
 * out [5], left {tv_sec=0, tv_usec=999})", "= 0 (Timeout)".  Return kinds
 * with a capture routine: at the exit stop they read the arrays and the
 * time left (a piece each, told apart by address).
 */
#define POLL_MAX 1024

static void capture_poll_ret(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;
	uint64_t nfds = k->args[1] < POLL_MAX ? k->args[1] : POLL_MAX;

	if (k->rval > 0 && k->args[0])
		hst_capctx_read(c, k->args[0], (size_t)nfds * sizeof(struct pollfd), &unused);
}

static void capture_ppoll_ret(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;

	capture_poll_ret(c, k);
	if (k->args[2])
		hst_capctx_read(c, k->args[2], sizeof(struct timespec), &unused);
}

static void capture_select_ret(struct hst_capctx *c, const struct hst_kcall *k)
{
	struct hst_kcall sets = *k;
	const void *unused;

	sets.lenarg = 0;
	for (unsigned i = 1; i <= 3 && k->rval > 0; i++)
		if (k->args[i])
			hst_capctx_read(c, k->args[i], fdset_size(&sets), &unused);
	if (k->args[4])
		hst_capctx_read(c, k->args[4], sizeof(struct timespec), &unused);
}

static const struct hst_piece *piece_at(const struct hst_piece *p, unsigned n, uint64_t addr)
{
	for (unsigned i = 0; addr && i < n; i++)
		if (p[i].addr == addr && !p[i].fault)
			return &p[i];
	return NULL;
}

static void put_left(struct hst_vw *w, const struct hst_piece *t, bool usec)
{
	long long v[2];

	if (!t || t->len < sizeof(v))
		return;
	memcpy(v, t->data, sizeof(v));
	hst_vw_label(w, "left");
	hst_vw_struct_begin(w);
	hst_vw_key(w, "tv_sec");
	hst_vw_int(w, v[0]);
	hst_vw_key(w, usec ? "tv_usec" : "tv_nsec");
	hst_vw_int(w, v[1]);
	hst_vw_struct_end(w);
}

static void poll_note(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p, unsigned n,
		      bool ppoll)
{
	const struct hst_piece *fds = piece_at(p, n, k->args[0]);
	const struct hst_piece *left = ppoll ? piece_at(p, n, k->args[2]) : NULL;

	hst_vw_int(w, (int64_t)k->value);
	if (k->value == 0) {
		hst_vw_note_begin(w);
		hst_vw_raw(w, "Timeout");
		hst_vw_note_end(w);
		return;
	}
	if (!fds && !left)
		return;
	hst_vw_note_begin(w);
	if (fds) {
		hst_vw_array_begin(w);
		for (size_t i = 0; i + 1 <= fds->len / sizeof(struct pollfd); i++) {
			struct pollfd pf;
			memcpy(&pf, (const char *)fds->data + i * sizeof(pf), sizeof(pf));
			if (!pf.revents)
				continue;
			hst_vw_struct_begin(w);
			hst_vw_key(w, "fd");
			hst_vw_int(w, pf.fd);
			hst_vw_key(w, "revents");
			hst_vw_flags(w, &hst_ctab_poll_events, (uint16_t)pf.revents);
			hst_vw_struct_end(w);
		}
		hst_vw_array_end(w);
	}
	put_left(w, left, false);
	hst_vw_note_end(w);
}

static void describe_poll_ret(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			      unsigned n)
{
	poll_note(w, k, p, n, false);
}

static void describe_ppoll_ret(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	poll_note(w, k, p, n, true);
}

static void select_note(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p, unsigned n,
			bool usec)
{
	static const char *const names[] = { "in", "out", "except" };
	const struct hst_piece *left = piece_at(p, n, k->args[4]);
	int nfds = (int)k->args[0] > 0 ? (int)k->args[0] : 0;
	bool any = false;

	hst_vw_int(w, (int64_t)k->value);
	if (k->value == 0) {
		hst_vw_note_begin(w);
		hst_vw_raw(w, "Timeout");
		hst_vw_note_end(w);
		return;
	}
	for (unsigned s = 0; s < 3; s++) {
		const struct hst_piece *set = piece_at(p, n, k->args[s + 1]);
		const unsigned char *bits;
		char buf[4096];
		size_t len = 0;

		if (!set)
			continue;
		bits = set->data;
		len += (size_t)snprintf(buf, sizeof(buf), "%s [", names[s]);
		bool found = false;
		for (int fd = 0; fd < nfds && (size_t)fd < (size_t)set->len * 8 && len + 16 < sizeof(buf); fd++)
			if (bits[fd / 8] & (1u << (fd % 8))) {
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d", found ? " " : "", fd);
				found = true;
			}
		if (!found)
			continue;
		snprintf(buf + len, sizeof(buf) - len, "]");
		if (!any)
			hst_vw_note_begin(w);
		any = true;
		hst_vw_raw(w, buf);
	}
	if (left) {
		if (!any)
			hst_vw_note_begin(w);
		any = true;
		put_left(w, left, usec);
	}
	if (any)
		hst_vw_note_end(w);
}

static void describe_select_ret(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				unsigned n)
{
	select_note(w, k, p, n, true);
}

static void describe_pselect_ret(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				 unsigned n)
{
	select_note(w, k, p, n, false);
}

#define RET_BOUND (4 * 16 + 3 * FDSET_MAX + POLL_MAX * sizeof(struct pollfd) + 32)

const struct hst_kind hst_kind_poll_ret = {
	.name = "poll_ret", .capture = capture_poll_ret, .bound = RET_BOUND, .describe = describe_poll_ret,
};

const struct hst_kind hst_kind_ppoll_ret = {
	.name = "ppoll_ret", .capture = capture_ppoll_ret, .bound = RET_BOUND, .describe = describe_ppoll_ret,
};

const struct hst_kind hst_kind_select_ret = {
	.name = "select_ret", .capture = capture_select_ret, .bound = RET_BOUND, .describe = describe_select_ret,
};

const struct hst_kind hst_kind_pselect_ret = {
	.name = "pselect_ret", .capture = capture_select_ret, .bound = RET_BOUND,
	.describe = describe_pselect_ret,
};

static void put_epoll_event(struct hst_vw *w, const void *at)
{
	struct epoll_event ev;

	memcpy(&ev, at, sizeof(ev));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "events");
	hst_vw_flags(w, &hst_ctab_epoll_events, ev.events);
	hst_vw_key(w, "data");
	hst_vw_struct_begin(w);
	hst_vw_key(w, "u32");
	hst_vw_uint(w, ev.data.u32);
	hst_vw_key(w, "u64");
	hst_vw_uint(w, ev.data.u64);
	hst_vw_struct_end(w);
	hst_vw_struct_end(w);
}

static void describe_epoll_event(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				 unsigned n)
{
	(void)k;
	(void)n;
	if (p->len < sizeof(struct epoll_event)) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	put_epoll_event(w, p->data);
}

const struct hst_kind hst_kind_epoll_event = {
	.name = "epoll_event",
	.size = sizeof(struct epoll_event),
	.describe = describe_epoll_event,
};

#define EPOLL_EVENTS_MAX 1024

/* epoll_wait's result: rval events; an empty piece when none ("[]"). */
static void capture_epoll_events(struct hst_capctx *c, const struct hst_kcall *k)
{
	size_t max = EPOLL_EVENTS_MAX; /* -v shows every one */
	size_t nev = k->rval > 0 ? (size_t)k->rval : 0;
	const void *unused;

	if (nev > max)
		nev = max;
	hst_capctx_read(c, k->args[k->arg], nev * sizeof(struct epoll_event), &unused);
}

static void describe_epoll_events(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				  unsigned n)
{
	size_t have = p->len / sizeof(struct epoll_event), i;

	(void)n;
	hst_vw_array_begin(w);
	for (i = 0; i < have && i < elem_limit(w); i++)
		put_epoll_event(w, (const char *)p->data + i * sizeof(struct epoll_event));
	if (k->rval > 0 && (uint64_t)k->rval > i)
		hst_vw_more(w);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_epoll_events = {
	.name = "epoll_events",
	.capture = capture_epoll_events,
	.bound = 16 + EPOLL_EVENTS_MAX * sizeof(struct epoll_event),
	.describe = describe_epoll_events,
};

/* --- getdents64 ----------------------------------------------------------- */

#define DIRENTS_MAX (64u * 1024u)

struct dirent64_head {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	/* d_name follows */
};

#define DIRENT64_NAME 19 /* offsetof d_name */

/* The whole result, so the entries can be counted; an empty piece at end of directory. */
static void capture_dirents64(struct hst_capctx *c, const struct hst_kcall *k)
{
	size_t len = k->rval > 0 ? (size_t)k->rval : 0;
	const void *unused;

	hst_capctx_read(c, k->args[k->arg], len < DIRENTS_MAX ? len : DIRENTS_MAX, &unused);
}

/* The next entry at off, or false when none fits in the piece. */
static bool next_dirent(const struct hst_piece *p, size_t off, struct dirent64_head *d)
{
	if (off + DIRENT64_NAME > p->len)
		return false;
	memcpy(d, (const char *)p->data + off, sizeof(*d));
	return d->d_reclen >= DIRENT64_NAME && off + d->d_reclen <= p->len;
}

static void put_dirent64(struct hst_vw *w, const struct hst_piece *p, size_t off,
			 const struct dirent64_head *d)
{
	const char *name = (const char *)p->data + off + DIRENT64_NAME;

	hst_vw_struct_begin(w);
	hst_vw_key(w, "d_ino");
	hst_vw_uint(w, d->d_ino);
	hst_vw_key(w, "d_off");
	hst_vw_int(w, d->d_off);
	hst_vw_key(w, "d_reclen");
	hst_vw_uint(w, d->d_reclen);
	hst_vw_key(w, "d_type");
	hst_vw_enum(w, &hst_ctab_dirent_type, d->d_type);
	hst_vw_key(w, "d_name");
	hst_vw_str(w, name, strnlen(name, d->d_reclen - DIRENT64_NAME), false);
	hst_vw_struct_end(w);
}

static void describe_dirents64(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	struct dirent64_head d;
	size_t off = 0, count = 0;

	(void)n;
	if (!hst_vw_verbose(w)) {
		while (next_dirent(p, off, &d)) {
			off += d.d_reclen;
			count++;
		}
		hst_vw_rawf(w, "%#llx /* %zu entries */", (unsigned long long)k->args[k->arg], count);
		return;
	}
	hst_vw_array_begin(w);
	while (next_dirent(p, off, &d)) {
		if (count++ == elem_limit(w)) {
			hst_vw_more(w);
			break;
		}
		put_dirent64(w, p, off, &d);
		off += d.d_reclen;
	}
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_dirents64 = {
	.name = "dirents64",
	.capture = capture_dirents64,
	.bound = 16 + DIRENTS_MAX,
	.describe = describe_dirents64,
};

/* lseek's whence: a name, or the number marked unknown as strace does. */
static void describe_lseek_whence(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				  unsigned n)
{
	uint32_t whence = (uint32_t)k->args[k->arg];
	const char *name = hst_ctab_name(&hst_ctab_seek_whence, whence);

	(void)p;
	(void)n;
	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_rawf(w, "%#x /* SEEK_??? */", whence);
}

const struct hst_kind hst_kind_lseek_whence = {
	.name = "lseek_whence",
	.describe = describe_lseek_whence,
};

/* --- fcntl: the command, and its argument as the command reads it ------ */

static void describe_fcntl_cmd(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	uint32_t cmd = (uint32_t)k->args[k->arg];
	const char *name = hst_ctab_name(&hst_ctab_fcntl_cmd, cmd);

	(void)p;
	(void)n;
	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_rawf(w, "%#x /* F_??? */", cmd);
}

const struct hst_kind hst_kind_fcntl_cmd = {
	.name = "fcntl_cmd",
	.describe = describe_fcntl_cmd,
};

static uint32_t fcntl_cmd_of(const struct hst_kcall *k)
{
	return k->lenarg >= 0 ? (uint32_t)k->args[k->lenarg] : 0;
}

/* Commands that take no argument: strace leaves it out. */
static bool fcntl_arg_absent(const struct hst_kcall *k)
{
	switch (fcntl_cmd_of(k)) {
	case F_GETFD:
	case F_GETFL:
	case F_GETOWN:
	case F_GETSIG:
	case F_GETLEASE:
	case F_GETPIPE_SZ:
	case F_GET_SEALS:
		return true;
	default:
		return false;
	}
}

#define KERNEL_O_LARGEFILE 0100000 /* 0 in 64-bit userspace headers */

static uint64_t ctab_mask(const struct hst_ctab *t)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < t->n; i++)
		m |= t->c[i].value;
	return m;
}

/*
 * O_RDWR|O_NONBLOCK: the access mode always, then the flag bits in strace's
 * order (O_LARGEFILE, 0 in 64-bit userspace headers, by its kernel value).
 * The one rendering of open flags: open's row type, fcntl, openat2 here,
 * and the text and JSON sinks.
 */
void hst_open_flags_text(char *buf, size_t size, uint64_t flags)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	uint32_t v = (uint32_t)flags;
	uint32_t early = v & (uint32_t)ctab_mask(&hst_ctab_open_bits);
	uint32_t late = v & ~3u & ~early & ~(uint32_t)KERNEL_O_LARGEFILE;
	char a[256], b[256];

	flags_text(a, sizeof(a), &hst_ctab_open_bits, early);
	flags_text(b, sizeof(b), &hst_ctab_open_bits_late, late);
	snprintf(buf, size, "%s%s%s%s%s%s", acc[v & 3], a[0] ? "|" : "", a,
		 (v & KERNEL_O_LARGEFILE) ? "|O_LARGEFILE" : "", b[0] ? "|" : "", b);
}

static void put_open_modes(struct hst_vw *w, uint32_t v)
{
	char buf[600];

	hst_open_flags_text(buf, sizeof(buf), v);
	hst_vw_raw(w, buf);
}

/* F_SETSIG's signal and F_GETSIG's result: SIGIO, or the number (0: none). */
static void put_signal(struct hst_vw *w, int sig)
{
	const char *name = hst_signal_name(sig);

	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_int(w, sig);
}

/* The commands whose argument points at a struct the kernel writes. */
static bool fcntl_cmd_gets(uint32_t cmd)
{
	return cmd == F_GETLK || cmd == F_OFD_GETLK || cmd == F_GETOWN_EX;
}

/* Bytes the command's argument points at; 0 for a number. */
static size_t fcntl_arg_size(uint32_t cmd)
{
	switch (cmd) {
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return sizeof(struct flock);
	case F_GETOWN_EX:
	case F_SETOWN_EX:
		return sizeof(struct f_owner_ex);
	default:
		return 0;
	}
}

/*
 * Read at exit, failed or not: a lock the call only reads is unchanged by
 * then, and F_GETLK's is the kernel's answer.  A number gets an empty piece
 * so that describe still runs.
 */
static void capture_fcntl_arg(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;

	hst_capctx_read(c, k->value, fcntl_arg_size(fcntl_cmd_of(k)), &unused);
}

/* {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0[, l_pid=0]} */
static void put_flock(struct hst_vw *w, const struct flock *fl, bool getlk)
{
	hst_vw_struct_begin(w);
	hst_vw_key(w, "l_type");
	hst_vw_enum(w, &hst_ctab_lock_type, (uint16_t)fl->l_type);
	hst_vw_key(w, "l_whence");
	hst_vw_enum(w, &hst_ctab_seek_whence, (uint16_t)fl->l_whence);
	hst_vw_key(w, "l_start");
	hst_vw_int(w, fl->l_start);
	hst_vw_key(w, "l_len");
	hst_vw_int(w, fl->l_len);
	if (getlk) {
		hst_vw_key(w, "l_pid");
		hst_vw_int(w, fl->l_pid);
	}
	hst_vw_struct_end(w);
}

static void put_owner_ex(struct hst_vw *w, const struct f_owner_ex *o)
{
	hst_vw_struct_begin(w);
	hst_vw_key(w, "type");
	hst_vw_enum(w, &hst_ctab_owner_type, (uint32_t)o->type);
	hst_vw_key(w, "pid");
	hst_vw_int(w, o->pid);
	hst_vw_struct_end(w);
}

/* A struct argument: what was read, or its address when nothing fits. */
static void put_fcntl_struct(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			     unsigned n)
{
	uint32_t cmd = fcntl_cmd_of(k);
	size_t size = fcntl_arg_size(cmd);

	if (n == 0 || p->len < size || (k->failed && fcntl_cmd_gets(cmd))) {
		hst_vw_ptr(w, k->value);
	} else if (size == sizeof(struct flock)) {
		struct flock fl;
		memcpy(&fl, p->data, sizeof(fl));
		put_flock(w, &fl, cmd == F_GETLK || cmd == F_OFD_GETLK);
	} else {
		struct f_owner_ex o;
		memcpy(&o, p->data, sizeof(o));
		put_owner_ex(w, &o);
	}
}

static void describe_fcntl_arg(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	uint64_t arg = k->value;
	uint32_t cmd = fcntl_cmd_of(k);

	if (fcntl_arg_size(cmd)) {
		put_fcntl_struct(w, k, p, n);
		return;
	}
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETOWN:
	case F_SETPIPE_SZ:
		hst_vw_int(w, (int32_t)arg);
		break;
	case F_SETSIG:
		put_signal(w, (int32_t)arg);
		break;
	case F_SETFD:
		hst_vw_flags(w, &hst_ctab_fd_flags, (uint32_t)arg);
		break;
	case F_SETFL:
		put_open_modes(w, (uint32_t)arg);
		break;
	case F_SETLEASE:
		hst_vw_enum(w, &hst_ctab_lock_type, arg);
		break;
	case F_NOTIFY:
		hst_vw_flags(w, &hst_ctab_notify_flags, arg);
		break;
	case F_ADD_SEALS:
		hst_vw_flags(w, &hst_ctab_seal_flags, arg);
		break;
	case F_GET_RW_HINT:
	case F_SET_RW_HINT:
	case F_GET_FILE_RW_HINT:
	case F_SET_FILE_RW_HINT:
		hst_vw_ptr(w, arg); /* a pointer strace does not follow */
		break;
	default:
		hst_vw_hex(w, arg);
		break;
	}
}

const struct hst_kind hst_kind_fcntl_arg = {
	.name = "fcntl_arg",
	.capture = capture_fcntl_arg,
	.bound = 16 + sizeof(struct flock),
	.describe = describe_fcntl_arg,
	.absent = fcntl_arg_absent,
	.on_error = true,
	.null_ok = true,
};

/* A result in hex with its meaning after it: "0x1 (flags FD_CLOEXEC)". */
static void put_hex_note(struct hst_vw *w, uint64_t v, const char *prefix)
{
	hst_vw_hex(w, v);
	hst_vw_note_begin(w);
	if (prefix)
		hst_vw_prefix(w, prefix);
}

/*
 * fcntl's result as strace shows it: the F_GET* commands that return
 * flags or a name get them in a note (F_GETFD and F_GET_SEALS only when
 * not 0), the others a plain number.
 */
static void describe_fcntl_ret(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	uint64_t v = k->value;
	const char *name;

	(void)p;
	(void)n;
	switch ((uint32_t)k->args[1]) {
	case F_GETFD:
		if (!v)
			break;
		put_hex_note(w, v, "flags ");
		hst_vw_flags(w, &hst_ctab_fd_flags, v);
		hst_vw_note_end(w);
		return;
	case F_GETFL:
		put_hex_note(w, v, "flags ");
		put_open_modes(w, (uint32_t)v);
		hst_vw_note_end(w);
		return;
	case F_GET_SEALS:
		if (!v)
			break;
		put_hex_note(w, v, "seals ");
		hst_vw_flags(w, &hst_ctab_seal_flags, v);
		hst_vw_note_end(w);
		return;
	case F_GETLEASE:
		name = hst_ctab_name(&hst_ctab_lock_type, v);
		if (!name) {
			hst_vw_hex(w, v);
			return;
		}
		put_hex_note(w, v, NULL);
		hst_vw_raw(w, name);
		hst_vw_note_end(w);
		return;
	case F_GETSIG:
		if (!v || !hst_signal_name((int)v))
			break;
		hst_vw_int(w, (int64_t)v);
		hst_vw_note_begin(w);
		put_signal(w, (int)v);
		hst_vw_note_end(w);
		return;
	default:
		break;
	}
	hst_vw_int(w, (int64_t)v);
}

const struct hst_kind hst_kind_fcntl_ret = {
	.name = "fcntl_ret",
	.describe = describe_fcntl_ret,
};

/* --- ioctl ---------------------------------------------------------------- */

/* Numbers two drivers share: strace names both. */
static const struct {
	uint32_t req;
	const char *names;
} ioctl_aliases[] = {
	{ TCSETS, "SNDCTL_TMR_START or TCSETS" },
	{ TCSETSW, "SNDCTL_TMR_STOP or TCSETSW" },
	{ TCSETSF, "SNDCTL_TMR_CONTINUE or TCSETSF" },
	{ FICLONE, "BTRFS_IOC_CLONE or FICLONE" },
};

/* A known request by name, others in strace's _IOC() notation. */
static void describe_ioctl_req(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	static const char *const dir[] = { "_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
					   "_IOC_READ|_IOC_WRITE" };
	uint32_t req = (uint32_t)k->args[k->arg];
	const char *name = hst_ctab_name(&hst_ctab_ioctl_req, req);

	(void)p;
	(void)n;
	for (size_t i = 0; i < sizeof(ioctl_aliases) / sizeof(ioctl_aliases[0]); i++)
		if (ioctl_aliases[i].req == req)
			name = ioctl_aliases[i].names;
	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_rawf(w, "_IOC(%s, %#x, %#x, %#x)", dir[_IOC_DIR(req) & 3], _IOC_TYPE(req),
			    _IOC_NR(req), _IOC_SIZE(req));
}

const struct hst_kind hst_kind_ioctl_req = {
	.name = "ioctl_req",
	.describe = describe_ioctl_req,
};

/* Kernel struct termios: what TCGETS fills (not glibc's, which is longer). */
struct kernel_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

static uint32_t ioctl_req_of(const struct hst_kcall *k)
{
	return k->lenarg >= 0 ? (uint32_t)k->args[k->lenarg] : 0;
}

/* Bytes the request points at; 0 for an argument that is a number. */
static size_t ioctl_arg_size(uint32_t req)
{
	switch (req) {
	case TCGETS:
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return sizeof(struct kernel_termios);
	case TIOCGWINSZ:
	case TIOCSWINSZ:
		return sizeof(struct winsize);
	case FIONREAD:
	case TIOCOUTQ:
	case FIONBIO:
	case FIOASYNC:
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
	case TIOCGPTN:
		return sizeof(int);
	default:
		return 0;
	}
}

/* Requests whose argument the kernel writes: on failure strace shows its address. */
static bool ioctl_req_gets(uint32_t req)
{
	switch (req) {
	case TCGETS:
	case TIOCGWINSZ:
	case FIONREAD:
	case TIOCOUTQ:
	case TIOCGPGRP:
	case TIOCGSID:
	case TIOCGPTN:
		return true;
	default:
		return false;
	}
}

static void capture_ioctl_arg(struct hst_capctx *c, const struct hst_kcall *k)
{
	const void *unused;

	/* An empty piece for a number, so describe still runs. */
	hst_capctx_read(c, k->args[k->arg], ioctl_arg_size(ioctl_req_of(k)), &unused);
}

/* Requests strace shows without their argument. */
static bool ioctl_arg_absent(const struct hst_kcall *k)
{
	switch (ioctl_req_of(k)) {
	case FIOCLEX:
	case FIONCLEX:
	case TIOCNOTTY:
	case TIOCEXCL:
	case TIOCNXCL:
	case TIOCSBRK:
	case TIOCCBRK:
	case TIOCCONS:
	case TIOCSSERIAL:
		return true;
	default:
		return false;
	}
}

/* Requests whose pointer strace does not follow: NULL or the address. */
static bool ioctl_req_ptr(uint32_t req)
{
	switch (req) {
	case TCGETA:
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
	case TIOCSTI:
	case TIOCMGET:
	case TIOCMSET:
	case TIOCGSOFTCAR:
	case TIOCSSOFTCAR:
	case TIOCPKT:
	case TIOCSETD:
	case TIOCGETD:
	case TIOCSPTLCK:
	case FS_IOC_GETFLAGS:
	case FS_IOC_SETFLAGS:
	case FS_IOC_FIEMAP:
		return true;
	default:
		return false;
	}
}

/* An argument that is a number: named for the termios requests, else hex. */
static void put_ioctl_number(struct hst_vw *w, uint32_t req, uint64_t arg)
{
	if (req == TCFLSH)
		hst_vw_enum(w, &hst_ctab_tcflush_queue, arg);
	else if (req == TCXONC)
		hst_vw_enum(w, &hst_ctab_tcflow_action, arg);
	else if (req == FICLONE)
		hst_vw_int(w, (int32_t)arg); /* the source descriptor */
	else if (ioctl_req_ptr(req))
		hst_vw_ptr(w, arg);
	else
		hst_vw_hex(w, arg);
}

/* strace abbreviates a termios to its speed and four common modes. */
static void put_termios(struct hst_vw *w, const struct kernel_termios *t)
{
	const char *speed = hst_ctab_name(&hst_ctab_baud_rate, t->c_cflag & CBAUD);

	hst_vw_rawf(w, "{%s %sopost %sisig %sicanon %secho ...}", speed ? speed : "B???",
		    (t->c_oflag & OPOST) ? "" : "-", (t->c_lflag & ISIG) ? "" : "-",
		    (t->c_lflag & ICANON) ? "" : "-", (t->c_lflag & ECHO) ? "" : "-");
}

static void put_winsize(struct hst_vw *w, const struct winsize *ws)
{
	hst_vw_struct_begin(w);
	hst_vw_key(w, "ws_row");
	hst_vw_uint(w, ws->ws_row);
	hst_vw_key(w, "ws_col");
	hst_vw_uint(w, ws->ws_col);
	hst_vw_key(w, "ws_xpixel");
	hst_vw_uint(w, ws->ws_xpixel);
	hst_vw_key(w, "ws_ypixel");
	hst_vw_uint(w, ws->ws_ypixel);
	hst_vw_struct_end(w);
}

static void describe_ioctl_arg(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			       unsigned n)
{
	uint32_t req = ioctl_req_of(k);
	size_t size = ioctl_arg_size(req);

	if (size == 0) {
		put_ioctl_number(w, req, k->value);
		return;
	}
	if (n == 0 || p->len < size || (k->failed && ioctl_req_gets(req))) {
		hst_vw_ptr(w, k->value);
		return;
	}
	if (size == sizeof(struct kernel_termios)) {
		struct kernel_termios t;
		memcpy(&t, p->data, sizeof(t));
		put_termios(w, &t);
	} else if (size == sizeof(struct winsize)) {
		struct winsize ws;
		memcpy(&ws, p->data, sizeof(ws));
		put_winsize(w, &ws);
	} else {
		hst_kind_int_ref.describe(w, k, p, n);
	}
}

const struct hst_kind hst_kind_ioctl_arg = {
	.name = "ioctl_arg",
	.capture = capture_ioctl_arg,
	.bound = 16 + 64,
	.describe = describe_ioctl_arg,
	.absent = ioctl_arg_absent,
	.on_error = true,
	.null_ok = true,
};

/* --- statx, utimensat ------------------------------------------------------ */

/* The sync type always (AT_STATX_SYNC_AS_STAT is 0), then the AT_* flags. */
static void describe_statx_flags(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				 unsigned n)
{
	uint32_t flags = (uint32_t)k->args[k->arg];
	uint32_t sync = flags & AT_STATX_SYNC_TYPE;
	const char *name = hst_ctab_name(&hst_ctab_statx_sync, sync);
	char buf[256];
	size_t len;

	(void)p;
	(void)n;
	/* Every name of both tables fits in buf many times over. */
	if (name)
		len = append(buf, 0, name);
	else
		len = (size_t)snprintf(buf, sizeof(buf), "%#x", sync);
	/* "|" and the AT_* flags, or nothing when there are none. */
	flags_text(buf + len + 1, sizeof(buf) - len - 1, &hst_ctab_at_flags,
		   flags & ~(uint32_t)AT_STATX_SYNC_TYPE);
	buf[len] = buf[len + 1] ? '|' : '\0';
	hst_vw_raw(w, buf);
}

const struct hst_kind hst_kind_statx_flags = {
	.name = "statx_flags",
	.describe = describe_statx_flags,
};

/* Whether some name of t stands for bits that are all set in v. */
static bool any_named(const struct hst_ctab *t, uint64_t v)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->c[i].value && (v & t->c[i].value) == t->c[i].value)
			return true;
	return false;
}

/* A mask with no known bit gets strace's STATX_??? comment after the number. */
static void put_statx_mask(struct hst_vw *w, uint32_t mask)
{
	if (mask && !any_named(&hst_ctab_statx_mask, mask))
		hst_vw_rawf(w, "%#x /* STATX_??? */", mask);
	else
		hst_vw_flags(w, &hst_ctab_statx_mask, mask);
}

static void describe_statx_mask(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				unsigned n)
{
	(void)p;
	(void)n;
	put_statx_mask(w, (uint32_t)k->args[k->arg]);
}

const struct hst_kind hst_kind_statx_mask = {
	.name = "statx_mask",
	.describe = describe_statx_mask,
};

/*
 * A timestamp and its date comment.  The writer has no comment value, so a
 * dated time is one raw value; an undated one stays a typed struct.
 */
static void put_timespec(struct hst_vw *w, long long sec, long long nsec, bool dated)
{
	char date[64];

	if (dated && format_date(date, sizeof(date), sec, nsec)) {
		hst_vw_rawf(w, "{tv_sec=%lld, tv_nsec=%lld} /* %s */", sec, nsec, date);
		return;
	}
	hst_vw_struct_begin(w);
	hst_vw_key(w, "tv_sec");
	hst_vw_int(w, sec);
	hst_vw_key(w, "tv_nsec");
	hst_vw_int(w, nsec);
	hst_vw_struct_end(w);
}

static void put_statx_time(struct hst_vw *w, const char *key, const struct statx_timestamp *ts)
{
	hst_vw_key(w, key);
	put_timespec(w, ts->tv_sec, ts->tv_nsec, ts->tv_sec || ts->tv_nsec);
}

static void put_statx_verbose_tail(struct hst_vw *w, const struct statx *sx)
{
	hst_vw_key(w, "stx_attributes_mask");
	hst_vw_flags(w, &hst_ctab_statx_attrs, sx->stx_attributes_mask);
	/* Only the times the kernel says it filled in. */
	if (sx->stx_mask & STATX_ATIME)
		put_statx_time(w, "stx_atime", &sx->stx_atime);
	if (sx->stx_mask & STATX_BTIME)
		put_statx_time(w, "stx_btime", &sx->stx_btime);
	if (sx->stx_mask & STATX_CTIME)
		put_statx_time(w, "stx_ctime", &sx->stx_ctime);
	if (sx->stx_mask & STATX_MTIME)
		put_statx_time(w, "stx_mtime", &sx->stx_mtime);
	hst_vw_key(w, "stx_rdev_major");
	hst_vw_uint(w, sx->stx_rdev_major);
	hst_vw_key(w, "stx_rdev_minor");
	hst_vw_uint(w, sx->stx_rdev_minor);
	hst_vw_key(w, "stx_dev_major");
	hst_vw_uint(w, sx->stx_dev_major);
	hst_vw_key(w, "stx_dev_minor");
	hst_vw_uint(w, sx->stx_dev_minor);
	if (sx->stx_mask & STATX_MNT_ID) {
		hst_vw_key(w, "stx_mnt_id");
		hst_vw_hex(w, sx->stx_mnt_id);
	}
}

static void describe_statx(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   unsigned n)
{
	struct statx sx;
	bool v = hst_vw_verbose(w);

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &sx, sizeof(sx)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "stx_mask");
	put_statx_mask(w, sx.stx_mask);
	if (v) {
		hst_vw_key(w, "stx_blksize");
		hst_vw_uint(w, sx.stx_blksize);
	}
	hst_vw_key(w, "stx_attributes");
	hst_vw_flags(w, &hst_ctab_statx_attrs, sx.stx_attributes);
	if (v) {
		hst_vw_key(w, "stx_nlink");
		hst_vw_uint(w, sx.stx_nlink);
		hst_vw_key(w, "stx_uid");
		hst_vw_uint(w, sx.stx_uid);
		hst_vw_key(w, "stx_gid");
		hst_vw_uint(w, sx.stx_gid);
	}
	hst_vw_key(w, "stx_mode");
	put_mode(w, sx.stx_mode);
	if (v) {
		hst_vw_key(w, "stx_ino");
		hst_vw_uint(w, sx.stx_ino);
	}
	hst_vw_key(w, "stx_size");
	hst_vw_uint(w, sx.stx_size);
	if (v) {
		hst_vw_key(w, "stx_blocks");
		hst_vw_uint(w, sx.stx_blocks);
		put_statx_verbose_tail(w, &sx);
	} else {
		hst_vw_more(w);
	}
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_statx = {
	.name = "statx",
	.size = sizeof(struct statx),
	.describe = describe_statx,
};

/* utimensat's two times: UTIME_NOW/UTIME_OMIT by name, others with their date. */
static void put_utime(struct hst_vw *w, const struct timespec *ts)
{
	if (ts->tv_nsec == UTIME_NOW)
		hst_vw_raw(w, "UTIME_NOW");
	else if (ts->tv_nsec == UTIME_OMIT)
		hst_vw_raw(w, "UTIME_OMIT");
	else
		put_timespec(w, ts->tv_sec, ts->tv_nsec, ts->tv_sec || ts->tv_nsec);
}

static void describe_utimens(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			     unsigned n)
{
	struct timespec ts[2];

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, ts, sizeof(ts)))
		return;
	hst_vw_array_begin(w);
	put_utime(w, &ts[0]);
	put_utime(w, &ts[1]);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_utimens = {
	.name = "utimens",
	.size = 2 * sizeof(struct timespec),
	.describe = describe_utimens,
};

/* --- arguments strace does not show --------------------------------------- */

/* preadv2/pwritev2's pos_h: the high half of the offset, unused on 64-bit. */
static bool hidden_absent(const struct hst_kcall *k)
{
	(void)k;
	return true;
}

static void describe_hidden(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			    unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_hex(w, k->args[k->arg]);
}

const struct hst_kind hst_kind_hidden = {
	.name = "hidden",
	.describe = describe_hidden,
	.absent = hidden_absent,
};

/* utimes, futimesat: two timevals, dated unless zero. */
static void put_timeval(struct hst_vw *w, const struct timeval *tv)
{
	char date[64];

	if ((tv->tv_sec || tv->tv_usec) && format_date_usec(date, sizeof(date), tv->tv_sec, tv->tv_usec)) {
		hst_vw_rawf(w, "{tv_sec=%lld, tv_usec=%lld} /* %s */", (long long)tv->tv_sec,
			    (long long)tv->tv_usec, date);
		return;
	}
	hst_vw_struct_begin(w);
	hst_vw_key(w, "tv_sec");
	hst_vw_int(w, tv->tv_sec);
	hst_vw_key(w, "tv_usec");
	hst_vw_int(w, tv->tv_usec);
	hst_vw_struct_end(w);
}

static void describe_timeval_pair(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
				  unsigned n)
{
	struct timeval tv[2];

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, tv, sizeof(tv)))
		return;
	hst_vw_array_begin(w);
	put_timeval(w, &tv[0]);
	put_timeval(w, &tv[1]);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_timeval_pair = {
	.name = "timeval_pair",
	.size = 2 * sizeof(struct timeval),
	.describe = describe_timeval_pair,
};

/* --- openat2 --------------------------------------------------------------- */

struct open_how_v0 {
	uint64_t flags, mode, resolve;
};

static void describe_open_how(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			      unsigned n)
{
	uint64_t size = k->lenarg >= 0 ? k->args[k->lenarg] : 0;
	struct open_how_v0 how;

	(void)n;
	if (size < sizeof(how) || p->len < sizeof(how)) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	memcpy(&how, p->data, sizeof(how));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "flags");
	put_open_modes(w, (uint32_t)how.flags);
	/* O_TMPFILE holds O_DIRECTORY's bit: all of it must be set. */
	if ((how.flags & O_CREAT) || (how.flags & O_TMPFILE) == O_TMPFILE) {
		hst_vw_key(w, "mode");
		hst_vw_oct(w, how.mode);
	}
	hst_vw_key(w, "resolve");
	hst_vw_flags(w, &hst_ctab_resolve_flags, how.resolve);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_open_how = {
	.name = "open_how",
	.size = sizeof(struct open_how_v0),
	.describe = describe_open_how,
};

/* --- return values -------------------------------------------------------- */

/* umask's result: the previous mask, in octal as strace prints it. */
static void describe_mode_ret(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			      unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_oct(w, k->value);
}

const struct hst_kind hst_kind_mode_ret = {
	.name = "mode_ret",
	.describe = describe_mode_ret,
};
