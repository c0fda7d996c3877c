/*
 * Capturing tracee memory into raw records.
 *
 * Runs on the ptrace thread, between a stop and the restart, so it must stay
 * cheap: it never allocates and never formats, it copies bytes straight into
 * the record reserved in the ring.  Strings of unknown length are read in
 * page-bounded pieces, because process_vm_readv fails a whole piece that
 * crosses into an unmapped page: reading up to the page end first means a
 * string that ends just before a hole is still read.  Descriptor targets
 * (-y, and -P's descriptor arguments) are readlink()s of /proc/TID/fd/N,
 * also straight into the record.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/kinds.h"
#include "tracer/capture.h"

/* The kinds whose bytes hold descriptors (src/decode/kinds/fs.c, net.c). */
extern const struct hst_kind hst_kind_pollfd, hst_kind_fdset, hst_kind_pipefd, hst_kind_fd_pair;

#define PAGE 4096u
#define PATH_CAP 4096u      /* PATH_MAX: paths are never shortened */
#define ENV_COUNT_MAX 65536u /* array elements counted for "N vars" */
#define ARRAY_BYTES (128u * 1024u) /* argv/envp strings kept, in all */
#define KIND_MAX (64u * 1024u)     /* bytes a size-only kind may read */

static size_t read_mem(pid_t pid, uint64_t addr, void *dst, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n < 0 ? 0 : (size_t)n;
}

/*
 * Read a NUL-terminated string of at most max bytes (without the NUL).
 * Returns its length; *complete is false when no NUL came within max bytes
 * or memory ran out before one; *fault when not even one byte was readable.
 */
static size_t read_string(pid_t pid, uint64_t addr, char *dst, size_t max, bool *complete, bool *fault)
{
	size_t got = 0;

	*complete = false;
	*fault = false;
	while (got < max) {
		size_t chunk = PAGE - (size_t)((addr + got) % PAGE);
		if (chunk > max - got)
			chunk = max - got;
		size_t n = read_mem(pid, addr + got, dst + got, chunk);
		char *nul = n ? memchr(dst + got, '\0', n) : NULL;
		if (nul) {
			*complete = true;
			return (size_t)(nul - dst);
		}
		got += n;
		if (n < chunk)
			break;
	}
	if (got == 0)
		*fault = true;
	return got;
}

static struct hst_cap *put_cap(char **pos, unsigned arg, unsigned kind, uint64_t aux)
{
	struct hst_cap *c = (struct hst_cap *)*pos;
	c->arg = (uint8_t)arg;
	c->kind = (uint8_t)kind;
	c->flags = 0;
	c->len = 0;
	c->aux = aux;
	return c;
}

static void end_cap(char **pos, struct hst_cap *c)
{
	size_t padded = HST_ALIGN8(c->len);
	memset((char *)(c + 1) + c->len, 0, padded - c->len);
	*pos = (char *)(c + 1) + padded;
}

/* A string argument: max bytes kept, plus one to see whether it was longer. */
static void cap_string(pid_t pid, char **pos, unsigned arg, uint64_t addr, size_t max)
{
	struct hst_cap *c = put_cap(pos, arg, HST_CAP_STR, addr);
	bool complete, fault;
	size_t n = read_string(pid, addr, (char *)(c + 1), max + 1, &complete, &fault);

	if (fault) {
		c->flags = HST_CAPF_FAULT;
	} else {
		if (n > max || !complete)
			c->flags = HST_CAPF_TRUNC;
		c->len = (uint32_t)(n > max ? max : n);
	}
	end_cap(pos, c);
}

static void cap_bytes(pid_t pid, char **pos, unsigned arg, uint64_t addr, size_t len, size_t max)
{
	struct hst_cap *c = put_cap(pos, arg, HST_CAP_BYTES, addr);
	size_t want = len < max ? len : max;
	size_t n = want ? read_mem(pid, addr, c + 1, want) : 0;

	if (want && n == 0)
		c->flags = HST_CAPF_FAULT;
	else if (n < len)
		c->flags = HST_CAPF_TRUNC;
	c->len = (uint32_t)n;
	end_cap(pos, c);
}

/*
 * An array of string pointers: count the elements (up to count_max), keep
 * the first keep_max strings.  The count capture comes first, then one
 * string capture per kept element.
 */
static unsigned cap_strv(pid_t pid, char **pos, unsigned arg, uint64_t addr, size_t keep_max,
			 size_t count_max, size_t strsize)
{
	struct hst_cap *head = put_cap(pos, arg, HST_CAP_STRV_COUNT, 0);
	uint64_t ptrs[64];
	size_t count = 0, kept = 0;
	unsigned ncaps = 1;

	end_cap(pos, head);
	while (count < count_max) {
		size_t n = read_mem(pid, addr + count * 8, ptrs, sizeof(ptrs)) / 8;
		if (n == 0) {
			if (count == 0)
				head->flags = HST_CAPF_FAULT;
			break;
		}
		size_t i;
		for (i = 0; i < n && ptrs[i]; i++, count++) {
			if (kept < keep_max) {
				cap_string(pid, pos, arg, ptrs[i], strsize);
				kept++;
				ncaps++;
			}
		}
		if (i < n)
			break;
	}
	if (count >= count_max)
		head->flags |= HST_CAPF_TRUNC;
	head->aux = count;
	return ncaps;
}

/*
 * Elements of argv/envp kept: all of them (the library hands them out), up
 * to what fits in ARRAY_BYTES.  The text shows -s of them, like strace.
 */
static size_t array_keep(unsigned strsize)
{
	size_t each = sizeof(struct hst_cap) + HST_ALIGN8(strsize + 1);
	size_t n = ARRAY_BYTES / each;
	return n > 4096 ? 4096 : n;
}

/* --- kinds: what src/core/kinds.h promises their capture routines ------ */

struct hst_capctx {
	pid_t pid;
	char **pos;
	unsigned arg;
	unsigned ncaps;
	size_t left;      /* bytes of the kind's bound not used yet */
	unsigned strsize;
};

size_t hst_capctx_read(struct hst_capctx *c, uint64_t addr, size_t len, const void **out)
{
	size_t need = sizeof(struct hst_cap) + HST_ALIGN8(len);
	struct hst_cap *cap;

	*out = NULL;
	if (need > c->left) {
		if (c->left <= sizeof(struct hst_cap) + 8)
			return 0;
		len = (c->left - sizeof(struct hst_cap)) & ~(size_t)7;
		need = sizeof(struct hst_cap) + len;
	}
	cap = (struct hst_cap *)*c->pos;
	cap_bytes(c->pid, c->pos, c->arg, addr, len, len);
	c->left -= need;
	c->ncaps++;
	*out = cap + 1;
	return cap->len;
}

size_t hst_capctx_read_str(struct hst_capctx *c, uint64_t addr, size_t max)
{
	struct hst_cap *cap = (struct hst_cap *)*c->pos;
	size_t need = sizeof(struct hst_cap) + HST_ALIGN8(max + 1);

	if (need > c->left)
		return 0;
	cap_string(c->pid, c->pos, c->arg, addr, max);
	c->left -= need;
	c->ncaps++;
	return cap->len;
}

unsigned hst_capctx_strsize(const struct hst_capctx *c)
{
	return c->strsize;
}

static const struct hst_kind *arg_kind(const struct hst_syscall_sig *sig, unsigned i)
{
	return sig->aux[i] < hst_nkinds ? hst_kinds[sig->aux[i]] : NULL;
}

static size_t kind_bound(const struct hst_kind *k)
{
	if (!k)
		return 0;
	if (k->capture)
		return k->bound;
	return sizeof(struct hst_cap) + HST_ALIGN8(k->size_fn ? KIND_MAX : k->size);
}

static unsigned cap_kind(pid_t pid, char **pos, const struct hst_raw *rec,
			 const struct hst_syscall_sig *sig, unsigned i, bool at_exit, unsigned strsize)
{
	const struct hst_kind *k = arg_kind(sig, i);
	struct hst_kcall call = {
		.args = rec->args, .rval = rec->rval, .at_exit = at_exit, .arg = i,
		.failed = at_exit && ((rec->flags & HST_RAWF_ERROR) || rec->rval < 0),
		.lenarg = sig->aux2[i] < 6 ? sig->aux2[i] : -1,
	};
	struct hst_capctx c = { pid, pos, i, 0, kind_bound(k), strsize };
	const void *unused;

	call.value = rec->args[i];
	if (!k || (call.failed && sig->type[i] != HST_A_IN && !k->on_error))
		return 0; /* a failed call wrote nothing: strace shows the address */
	if (k->capture) {
		k->capture(&c, &call);
		return c.ncaps;
	}
	size_t n = k->size_fn ? k->size_fn(&call) : k->size;
	if (n > KIND_MAX)
		n = KIND_MAX;
	if (n)
		hst_capctx_read(&c, rec->args[i], n, &unused);
	return c.ncaps;
}

/* Outputs at exit; so are kind inputs shown after an output (rendered at exit). */
static bool captured_at_exit(const struct hst_syscall_sig *sig, unsigned i)
{
	unsigned type = sig->type[i];
	return type == HST_A_BUF_OUT || type == HST_A_OUT || type == HST_A_INOUT ||
	       (type == HST_A_IN && i >= sig->exit_from);
}

/* inout: the entry bytes kept in the stash, as the first piece at exit. */
static unsigned cap_stash(char **pos, unsigned arg, const struct hst_stash *st)
{
	struct hst_cap *c = put_cap(pos, arg, HST_CAP_BYTES, st->addr);

	c->flags = HST_CAPF_ENTRY | (st->len ? 0 : HST_CAPF_FAULT);
	memcpy(c + 1, st->data, st->len);
	c->len = st->len;
	end_cap(pos, c);
	return 1;
}

void hst_capture_stash(struct hst_stash *st, pid_t pid, const uint64_t args[6],
		       const struct hst_syscall_sig *sig)
{
	st->arg = 0xff;
	if (!sig)
		return;
	for (unsigned i = 0; i < sig->nargs; i++) {
		const struct hst_kind *k;
		if (sig->type[i] != HST_A_INOUT || !args[i] || !(k = arg_kind(sig, i)))
			continue;
		size_t n = k->stash < HST_STASH_MAX ? k->stash : HST_STASH_MAX;
		st->arg = (uint8_t)i;
		st->addr = args[i];
		st->len = (uint8_t)(n ? read_mem(pid, args[i], st->data, n) : 0);
		return; /* one inout argument per call */
	}
}

/* A return kind with a capture routine reads at exit what it describes. */
static const struct hst_kind *ret_kind(const struct hst_syscall_sig *sig)
{
	if (sig->ret != HST_R_KIND || sig->ret_aux >= hst_nkinds)
		return NULL;
	return hst_kinds[sig->ret_aux]->capture ? hst_kinds[sig->ret_aux] : NULL;
}

static unsigned cap_ret_kind(pid_t pid, char **pos, const struct hst_raw *rec, const struct hst_kind *k,
			     unsigned strsize)
{
	struct hst_kcall call = {
		.args = rec->args, .rval = rec->rval, .at_exit = true, .arg = HST_KARG_RET,
		.value = (uint64_t)rec->rval, .lenarg = -1,
		.failed = (rec->flags & HST_RAWF_ERROR) || rec->rval < 0,
	};
	struct hst_capctx c = { pid, pos, HST_KARG_RET, 0, k->bound, strsize };

	if (call.failed)
		return 0;
	k->capture(&c, &call);
	return c.ncaps;
}

size_t hst_capture_bound(const struct hst_syscall_sig *sig, bool at_exit, unsigned strsize)
{
	size_t strcap = sizeof(struct hst_cap) + HST_ALIGN8(strsize + 1);
	size_t bound = 0;

	if (!sig)
		return 0;
	if (at_exit && ret_kind(sig))
		bound += ret_kind(sig)->bound;
	for (unsigned i = 0; i < sig->nargs; i++) {
		if (captured_at_exit(sig, i) != at_exit)
			continue;
		switch (sig->type[i]) {
		case HST_A_PATH:
			bound += sizeof(struct hst_cap) + PATH_CAP + 8;
			break;
		case HST_A_STR:
		case HST_A_BUF_IN:
		case HST_A_BUF_OUT:
			bound += strcap;
			break;
		case HST_A_STRV:
		case HST_A_ENVV:
			bound += sizeof(struct hst_cap) + array_keep(strsize) * strcap;
			break;
		case HST_A_INOUT:
			bound += sizeof(struct hst_cap) + HST_STASH_MAX;
			/* fall through */
		case HST_A_IN:
		case HST_A_OUT:
			bound += kind_bound(arg_kind(sig, i));
			break;
		default:
			break;
		}
	}
	return bound;
}

size_t hst_capture(struct hst_raw *rec, const struct hst_syscall_sig *sig,
		   bool at_exit, unsigned strsize, const struct hst_stash *st)
{
	char *pos = (char *)rec + rec->hdr_size;
	pid_t pid = rec->tid;
	unsigned ncaps = 0;

	rec->ncaps = 0;
	if (!sig)
		return rec->hdr_size;
	for (unsigned i = 0; i < sig->nargs; i++) {
		uint64_t a = rec->args[i];
		unsigned type = sig->type[i];
		if (captured_at_exit(sig, i) != at_exit)
			continue;
		if (a == 0 && type != HST_A_BUF_IN && type != HST_A_BUF_OUT)
			continue; /* NULL needs no memory */
		switch (type) {
		case HST_A_PATH:
			cap_string(pid, &pos, i, a, PATH_CAP - 1);
			ncaps++;
			break;
		case HST_A_STR:
			cap_string(pid, &pos, i, a, strsize);
			ncaps++;
			break;
		case HST_A_BUF_IN:
			cap_bytes(pid, &pos, i, a, rec->args[sig->aux[i]], strsize);
			ncaps++;
			break;
		case HST_A_BUF_OUT:
			if (!(rec->flags & HST_RAWF_ERROR) && rec->rval > 0) {
				cap_bytes(pid, &pos, i, a, (size_t)rec->rval, strsize);
				ncaps++;
			}
			break;
		case HST_A_STRV:
		case HST_A_ENVV:
			ncaps += cap_strv(pid, &pos, i, a, array_keep(strsize), ENV_COUNT_MAX, strsize);
			break;
		case HST_A_INOUT:
			if (st && st->arg == i)
				ncaps += cap_stash(&pos, i, st);
			/* fall through */
		case HST_A_IN:
		case HST_A_OUT:
			ncaps += cap_kind(pid, &pos, rec, sig, i, at_exit, strsize);
			break;
		default:
			break;
		}
	}
	if (at_exit && ret_kind(sig))
		ncaps += cap_ret_kind(pid, &pos, rec, ret_kind(sig), strsize);
	rec->ncaps = (uint16_t)ncaps;
	return (size_t)(pos - (char *)rec);
}

/* --- -y: descriptor targets ------------------------------------------- */

/* Whether argument i is a descriptor shown at this stop, and its fd then. */
static bool fd_arg_here(const struct hst_syscall_sig *sig, unsigned i, bool at_exit)
{
	unsigned type = sig->type[i];

	if (type != HST_A_FD && type != HST_A_DIRFD)
		return false;
	return (i >= sig->exit_from) == at_exit;
}

static bool ret_fd_here(const struct hst_raw *rec, const struct hst_syscall_sig *sig, bool at_exit)
{
	return at_exit && sig->ret == HST_R_FD && !(rec->flags & HST_RAWF_ERROR) && rec->rval >= 0;
}

/*
 * Whether argument i holds descriptors in memory at this stop: poll's array
 * and select's sets at entry, the pair pipe and socketpair return at exit.
 */
static bool fd_set_arg(const struct hst_syscall_sig *sig, unsigned i, bool at_exit)
{
	const struct hst_kind *k = arg_kind(sig, i);

	if (at_exit)
		return sig->type[i] == HST_A_OUT && (k == &hst_kind_pipefd || k == &hst_kind_fd_pair);
	return sig->type[i] == HST_A_IN && (k == &hst_kind_pollfd || k == &hst_kind_fdset);
}

static bool has_fd_sets(const struct hst_syscall_sig *sig, bool at_exit)
{
	for (unsigned i = 0; i < sig->nargs; i++)
		if (fd_set_arg(sig, i, at_exit))
			return true;
	return false;
}

size_t hst_capture_fdpaths_bound(const struct hst_syscall_sig *sig, bool at_exit)
{
	size_t each = sizeof(struct hst_cap) + PATH_CAP;
	size_t n = 0;

	if (!sig)
		return 0;
	for (unsigned i = 0; i < sig->nargs; i++)
		n += fd_arg_here(sig, i, at_exit);
	if (at_exit && sig->ret == HST_R_FD)
		n++;
	if (has_fd_sets(sig, at_exit))
		n += HST_SET_FDPATHS;
	return n * each;
}

/*
 * One readlink straight into the record.  A descriptor argument that is not
 * open (ENOENT) gets an empty capture: the descriptor was looked up and
 * names nothing, which -P needs to tell from "not looked up" (strace then
 * prints the bare number, and so does -y).  Any other failure, or the
 * working directory or a returned descriptor that cannot be read, leaves
 * no capture.  The link is not NUL-terminated and at most PATH_CAP bytes.
 */
static unsigned cap_fdpath(pid_t tid, char **pos, unsigned arg, int64_t fd, bool cwd)
{
	char link[64];
	struct hst_cap *c;
	ssize_t n;

	if (fd == AT_FDCWD && arg != HST_CAP_ARG_RET && cwd)
		snprintf(link, sizeof(link), "/proc/%d/cwd", tid);
	else if (fd >= 0 && fd <= INT32_MAX)
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", tid, (int)fd);
	else
		return 0;
	c = put_cap(pos, arg, HST_CAP_FDPATH, (uint64_t)fd);
	n = readlink(link, (char *)(c + 1), PATH_CAP);
	if (n > 0)
		c->len = (uint32_t)n;
	else if (n < 0 && errno == ENOENT && fd >= 0 && arg != HST_CAP_ARG_RET)
		c->len = 0; /* not open */
	else
		return 0; /* *pos has not moved: the capture is dropped */
	end_cap(pos, c);
	return 1;
}

/* The bytes hst_capture() took for argument i of rec, or NULL. */
static const struct hst_cap *arg_bytes(const struct hst_raw *rec, unsigned i)
{
	const struct hst_cap *c = hst_raw_first_cap(rec);

	for (unsigned k = 0; k < rec->ncaps; k++, c = hst_cap_next(c))
		if (c->arg == i && c->kind == HST_CAP_BYTES && !(c->flags & HST_CAPF_FAULT))
			return c;
	return NULL;
}

/* Descriptor fd again among the first n of seen? */
static bool seen_fd(const int *seen, unsigned n, int fd)
{
	for (unsigned k = 0; k < n; k++)
		if (seen[k] == fd)
			return true;
	return false;
}

/*
 * What the descriptors in memory arguments name (fd_set_arg), from the
 * bytes captured at this stop; each descriptor once, at most
 * HST_SET_FDPATHS in all.
 */
static unsigned cap_set_fdpaths(struct hst_raw *rec, const struct hst_syscall_sig *sig, bool at_exit, char **pos)
{
	int seen[HST_SET_FDPATHS];
	unsigned n = 0, ncaps = 0;

	if (at_exit && ((rec->flags & HST_RAWF_ERROR) || rec->rval < 0))
		return 0; /* a failed pipe or socketpair wrote no descriptors */
	for (unsigned i = 0; i < sig->nargs && n < HST_SET_FDPATHS; i++) {
		const struct hst_cap *c = fd_set_arg(sig, i, at_exit) ? arg_bytes(rec, i) : NULL;
		if (!c)
			continue;
		const unsigned char *p = hst_cap_data(c);
		size_t count;
		bool poll = arg_kind(sig, i) == &hst_kind_pollfd, pair = at_exit;
		if (pair) {
			count = c->len >= 2 * sizeof(int) ? 2 : 0;
		} else if (poll) {
			count = c->len / sizeof(struct pollfd);
		} else {
			int64_t nfds = sig->aux2[i] < 6 ? (int)rec->args[sig->aux2[i]] : 0;
			count = nfds < 0 ? 0 : (size_t)nfds < (size_t)c->len * 8 ? (size_t)nfds : (size_t)c->len * 8;
		}
		for (size_t e = 0; e < count && n < HST_SET_FDPATHS; e++) {
			int fd;
			if (pair) {
				memcpy(&fd, p + e * sizeof(fd), sizeof(fd));
			} else if (poll) {
				struct pollfd pf;
				memcpy(&pf, p + e * sizeof(pf), sizeof(pf));
				fd = pf.fd;
			} else if (p[e / 8] & (1u << (e % 8))) {
				fd = (int)e;
			} else {
				continue;
			}
			if (fd < 0 || seen_fd(seen, n, fd))
				continue;
			seen[n++] = fd;
			ncaps += cap_fdpath(rec->tid, pos, i, fd, false);
		}
	}
	return ncaps;
}

size_t hst_capture_fdpaths(struct hst_raw *rec, size_t size, const struct hst_syscall_sig *sig,
			   bool at_exit, bool cwd)
{
	char *pos = (char *)rec + size;
	unsigned ncaps = rec->ncaps;

	if (!sig)
		return size;
	for (unsigned i = 0; i < sig->nargs; i++) {
		int64_t fd = (int32_t)rec->args[i];
		if (!fd_arg_here(sig, i, at_exit))
			continue;
		if (sig->type[i] == HST_A_FD && fd == AT_FDCWD)
			continue; /* only a directory fd means the cwd */
		ncaps += cap_fdpath(rec->tid, &pos, i, fd, cwd);
	}
	if (ret_fd_here(rec, sig, at_exit))
		ncaps += cap_fdpath(rec->tid, &pos, HST_CAP_ARG_RET, rec->rval, cwd);
	if (has_fd_sets(sig, at_exit))
		ncaps += cap_set_fdpaths(rec, sig, at_exit, &pos);
	rec->ncaps = (uint16_t)ncaps;
	return (size_t)(pos - (char *)rec);
}

/* A record whose only capture is len bytes of kind, as argument 0. */
static size_t cap_only(struct hst_raw *rec, unsigned kind, const void *data, size_t len)
{
	char *pos = (char *)rec + rec->hdr_size;
	struct hst_cap *c = put_cap(&pos, 0, kind, 0);

	memcpy(c + 1, data, len);
	c->len = (uint32_t)len;
	end_cap(&pos, c);
	rec->ncaps = 1;
	return (size_t)(pos - (char *)rec);
}

size_t hst_capture_text(struct hst_raw *rec, const char *s, size_t len)
{
	return cap_only(rec, HST_CAP_STR, s, len);
}

size_t hst_capture_siginfo(struct hst_raw *rec, const void *siginfo, size_t len)
{
	return cap_only(rec, HST_CAP_SIGINFO, siginfo, len);
}

size_t hst_capture_max_record(unsigned strsize, bool fd_paths)
{
	size_t max = sizeof(struct hst_raw) + sizeof(struct hst_cap) + sizeof(siginfo_t);

	for (unsigned nr = 0; nr < hst_nsyscalls; nr++) {
		const struct hst_syscall_sig *sig = hst_syscall_sig(nr);

		for (int at_exit = 0; sig && at_exit <= 1; at_exit++) {
			size_t n = sizeof(struct hst_raw) + hst_capture_bound(sig, at_exit, strsize);

			if (fd_paths)
				n += hst_capture_fdpaths_bound(sig, at_exit);
			if (n > max)
				max = n;
		}
	}
	return max;
}
