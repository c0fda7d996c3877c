/*
 * Kinds of the memory calls: mmap's flags word (a type field, flags and a
 * huge page size in one number), mremap's new address (shown only when
 * the flags ask for it), mincore's vector, the NUMA calls' policy modes,
 * node masks and page arrays, process_vm_readv/writev's iovecs and
 * membarrier's words.  See src/core/kinds.h.
 *
 * The arrays follow strace's print_array: -s elements unless -v, the
 * address when the first is unreadable, "[]" for none.  A failed call's
 * output arrays are not captured, so they show as addresses, as strace.
 *
 * Like every kind, these run on a sink thread (describe, absent) or the
 * ptrace thread (size_fn, capture) and only read the call they are given.
 */
#include <linux/mempolicy.h>
#include <linux/mman.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "core/consts.h"
#include "core/kinds.h"
#include "core/systable.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MPOL_F_NUMA_BALANCING
#define MPOL_F_NUMA_BALANCING (1 << 13)
#endif
#ifndef MAP_HUGE_MASK
#define MAP_HUGE_MASK 0x3f
#endif

#define PAGE 4096u /* x86_64 */

/* Append "|NAME|NAME|0x.." for the bits of v, in the table's order. */
static int put_bits(char *buf, size_t size, int len, const struct hst_ctab *t, uint64_t v)
{
	for (unsigned i = 0; i < t->n && len < (int)size; i++) {
		uint64_t bits = t->c[i].value;
		if (bits && (v & bits) == bits) {
			len += snprintf(buf + len, size - (size_t)len, "|%s", t->c[i].name);
			v &= ~bits;
		}
	}
	if (v && len < (int)size)
		len += snprintf(buf + len, size - (size_t)len, "|%#llx", (unsigned long long)v);
	return len;
}

/*
 * "MAP_PRIVATE|MAP_ANONYMOUS|21<<MAP_HUGE_SHIFT": the type by name (MAP_FILE
 * for 0), then the flags, then the huge page size as a shift, as strace.
 * One value of three parts, so it goes out as one raw text.
 */
static void describe_mmap_flags(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	uint64_t v = k->args[k->arg];
	uint64_t type = v & MAP_TYPE;
	uint64_t huge = v & ((uint64_t)MAP_HUGE_MASK << MAP_HUGE_SHIFT);
	uint64_t rest = v & ~(uint64_t)MAP_TYPE & ~huge;
	const char *name = hst_ctab_name(&hst_ctab_mmap_type, type);
	char buf[512];
	int len;

	(void)p;
	(void)n;
	if (name)
		len = snprintf(buf, sizeof(buf), "%s", name);
	else
		len = snprintf(buf, sizeof(buf), "%#llx /* MAP_??? */", (unsigned long long)type);
	len = put_bits(buf, sizeof(buf), len, &hst_ctab_mmap_flags, rest);
	if (huge && len < (int)sizeof(buf))
		snprintf(buf + len, sizeof(buf) - (size_t)len, "|%llu<<MAP_HUGE_SHIFT",
			 (unsigned long long)(huge >> MAP_HUGE_SHIFT));
	hst_vw_raw(w, buf);
}

const struct hst_kind hst_kind_mmap_flags = {
	.name = "mmap_flags",
	.describe = describe_mmap_flags,
};

/* mremap's new_address counts only with MREMAP_MAYMOVE|MREMAP_FIXED. */
static bool mremap_addr_absent(const struct hst_kcall *k)
{
	uint64_t both = MREMAP_MAYMOVE | MREMAP_FIXED;

	return (k->args[3] & both) != both;
}

static void describe_mremap_addr(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_ptr(w, k->args[k->arg]);
}

const struct hst_kind hst_kind_mremap_addr = {
	.name = "mremap_addr",
	.describe = describe_mremap_addr,
	.absent = mremap_addr_absent,
};

/* One byte per page of [addr, addr + length); the row's lenarg is length. */
static size_t mincore_vec_size(const struct hst_kcall *k)
{
	uint64_t len = k->lenarg >= 0 ? k->args[k->lenarg] : 0;

	return (size_t)((len + PAGE - 1) / PAGE);
}

/* [1, 0, 0]: bit 0 of each byte, at most -s of them unless -v, as strace. */
static void describe_mincore_vec(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	const unsigned char *b = p->data;
	size_t want = mincore_vec_size(k);
	size_t max = hst_vw_verbose(w) ? SIZE_MAX : hst_vw_strsize(w);

	(void)n;
	hst_vw_array_begin(w);
	for (size_t i = 0; i < want; i++) {
		if (i == max) {
			hst_vw_more(w);
			break;
		}
		if (i >= p->len) {
			hst_vw_more(w);
			break;
		}
		hst_vw_uint(w, b[i] & 1);
	}
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_mincore_vec = {
	.name = "mincore_vec",
	.size_fn = mincore_vec_size,
	.describe = describe_mincore_vec,
};

/* MADV_DONTNEED; an unknown advice in hex with a MADV_??? comment (the table's). */
static void describe_madvise_advice(struct hst_vw *w, const struct hst_kcall *k,
				    const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_enum(w, &hst_ctab_madvise_advice, (unsigned)k->value); /* the kernel's int */
}

const struct hst_kind hst_kind_madvise_advice = {
	.name = "madvise_advice",
	.describe = describe_madvise_advice,
};

/* --- arrays of numbers (NUMA calls) -------------------------------------- */

#define ARRAY_KEPT 1024 /* elements captured; strace shows -s of them unless -v */

/* Elements strace prints of an array: -s of them, all with -v. */
static size_t elem_limit(const struct hst_vw *w)
{
	return hst_vw_verbose(w) ? SIZE_MAX : hst_vw_strsize(w);
}

/* Read count elements (at most ARRAY_KEPT), even none: "[]" is printed then. */
static void read_array(struct hst_capctx *c, const struct hst_kcall *k, uint64_t count, size_t esize)
{
	const void *unused;

	if (count > ARRAY_KEPT)
		count = ARRAY_KEPT;
	hst_capctx_read(c, k->value, (size_t)count * esize, &unused);
}

typedef void put_elem_fn(struct hst_vw *w, const void *elem);

/*
 * "[a, b, ...]" as strace's print_array: the address when not even the
 * first element is readable, "..." past -s elements or where the bytes end.
 */
static void put_array(struct hst_vw *w, const struct hst_piece *p, uint64_t count, size_t esize,
		      put_elem_fn *put)
{
	size_t have = p->len / esize, max = elem_limit(w);

	if (count && !have) {
		hst_vw_ptr(w, p->addr);
		return;
	}
	hst_vw_array_begin(w);
	for (size_t i = 0; i < count; i++) {
		if (i == max || i >= have) {
			hst_vw_more(w);
			break;
		}
		put(w, (const char *)p->data + i * esize);
	}
	hst_vw_array_end(w);
}

static uint64_t count_arg(const struct hst_kcall *k)
{
	return k->lenarg >= 0 ? k->args[k->lenarg] : 0;
}

/*
 * A node mask of maxnode bits (the row's lenarg) in longs: the kernel reads
 * maxnode - 1 bits.  strace shows the address when that is no whole long
 * (maxnode 1) or the count overflowed.
 */
static bool nodemask_longs(const struct hst_kcall *k, uint64_t *nlongs)
{
	uint64_t maxnode = count_arg(k);

	*nlongs = (maxnode + 62) / 64;
	return !(*nlongs < maxnode / 64 || (maxnode && !*nlongs));
}

static void capture_nodemask(struct hst_capctx *c, const struct hst_kcall *k)
{
	uint64_t nlongs;

	if (nodemask_longs(k, &nlongs))
		read_array(c, k, nlongs, 8);
}

/* "0x00000000000001", "0000000000000000": strace's %#0*lx of 16. */
static void put_node_long(struct hst_vw *w, const void *elem)
{
	uint64_t v;

	memcpy(&v, elem, sizeof(v));
	hst_vw_rawf(w, "%#0*llx", 16, (unsigned long long)v);
}

static void describe_nodemask(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			      unsigned n)
{
	uint64_t nlongs;

	(void)n;
	if (!nodemask_longs(k, &nlongs))
		hst_vw_ptr(w, p->addr);
	else
		put_array(w, p, nlongs, 8, put_node_long);
}

const struct hst_kind hst_kind_nodemask = {
	.name = "nodemask",
	.capture = capture_nodemask,
	.bound = 16 + ARRAY_KEPT * 8,
	.describe = describe_nodemask,
};

/*
 * A policy mode: MPOL_BIND, or with mode flags "MPOL_BIND|MPOL_F_STATIC_NODES";
 * an unknown mode with flags goes out as flags ("MPOL_F_STATIC_NODES|0x7"),
 * as strace's print_mode.
 */
static void put_mpol_mode(struct hst_vw *w, uint64_t v)
{
	uint64_t fmask = MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING;
	const char *name = hst_ctab_name(&hst_ctab_mpol_mode, v & ~fmask);

	char buf[256];
	int len;

	if (!(v & fmask)) {
		hst_vw_enum(w, &hst_ctab_mpol_mode, v);
	} else if (!name) {
		hst_vw_flags(w, &hst_ctab_mpol_mode_flags, v);
	} else {
		len = snprintf(buf, sizeof(buf), "%s", name);
		put_bits(buf, sizeof(buf), len, &hst_ctab_mpol_mode_flags, v & fmask);
		hst_vw_raw(w, buf);
	}
}

static void describe_mpol_mode(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	put_mpol_mode(w, k->value);
}

const struct hst_kind hst_kind_mpol_mode = {
	.name = "mpol_mode",
	.describe = describe_mpol_mode,
};

/* get_mempolicy's mode as written: "[MPOL_BIND]", named as one value (strace). */
static void describe_mpol_mode_ref(struct hst_vw *w, const struct hst_kcall *k,
				   const struct hst_piece *p, unsigned n)
{
	int v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_array_begin(w);
	hst_vw_enum(w, &hst_ctab_mpol_mode, (unsigned)v);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_mpol_mode_ref = {
	.name = "mpol_mode_ref",
	.size = sizeof(int),
	.describe = describe_mpol_mode_ref,
};

/* move_pages' arrays of count (the row's lenarg) pointers or ints. */
static void capture_page_addrs(struct hst_capctx *c, const struct hst_kcall *k)
{
	read_array(c, k, count_arg(k), 8);
}

static void capture_page_ints(struct hst_capctx *c, const struct hst_kcall *k)
{
	read_array(c, k, count_arg(k), sizeof(int));
}

static void put_addr(struct hst_vw *w, const void *elem)
{
	uint64_t v;

	memcpy(&v, elem, sizeof(v));
	hst_vw_ptr(w, v);
}

static void put_int(struct hst_vw *w, const void *elem)
{
	int v;

	memcpy(&v, elem, sizeof(v));
	hst_vw_int(w, v);
}

/* A page's status: its node, or an error as "-EFAULT" (strace's print_err). */
static void put_status(struct hst_vw *w, const void *elem)
{
	const char *name;
	int v;

	memcpy(&v, elem, sizeof(v));
	name = v < 0 ? hst_errno_name(-v) : NULL;
	if (name)
		hst_vw_rawf(w, "-%s", name);
	else
		hst_vw_int(w, v);
}

static void describe_page_addrs(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)n;
	put_array(w, p, count_arg(k), 8, put_addr);
}

static void describe_page_nodes(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)n;
	put_array(w, p, count_arg(k), sizeof(int), put_int);
}

static void describe_page_status(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	(void)n;
	put_array(w, p, count_arg(k), sizeof(int), put_status);
}

const struct hst_kind hst_kind_page_addrs = {
	.name = "page_addrs",
	.capture = capture_page_addrs,
	.bound = 16 + ARRAY_KEPT * 8,
	.describe = describe_page_addrs,
};

const struct hst_kind hst_kind_page_nodes = {
	.name = "page_nodes",
	.capture = capture_page_ints,
	.bound = 16 + ARRAY_KEPT * sizeof(int),
	.describe = describe_page_nodes,
};

const struct hst_kind hst_kind_page_status = {
	.name = "page_status",
	.capture = capture_page_ints,
	.bound = 16 + ARRAY_KEPT * sizeof(int),
	.describe = describe_page_status,
};

/* --- process_vm_readv, process_vm_writev --------------------------------- */

extern const struct hst_kind hst_kind_iovec; /* readv's and writev's, in fs.c */

/*
 * The remote iovecs are addresses in another process: strace shows them as
 * addresses, "[{iov_base=0x..., iov_len=8}]".  The local ones are this
 * process's buffers: writev's kind "iovec" (src/decode/kinds/fs.c) shows
 * them at entry for process_vm_writev; for process_vm_readv "vm_local_iov"
 * hands a successful call to that kind (the bytes read, at exit) and shows
 * a failed one's iovecs as addresses, as strace.
 */
static void capture_iovec_addr(struct hst_capctx *c, const struct hst_kcall *k)
{
	read_array(c, k, count_arg(k), 16);
}

static void put_iovec_addr(struct hst_vw *w, const void *elem)
{
	uint64_t iov[2];

	memcpy(iov, elem, sizeof(iov));
	hst_vw_struct_begin(w);
	hst_vw_key(w, "iov_base");
	hst_vw_ptr(w, iov[0]);
	hst_vw_key(w, "iov_len");
	hst_vw_uint(w, iov[1]);
	hst_vw_struct_end(w);
}

static void describe_iovec_addr(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	(void)n;
	put_array(w, p, count_arg(k), 16, put_iovec_addr);
}

const struct hst_kind hst_kind_iovec_addr = {
	.name = "iovec_addr",
	.capture = capture_iovec_addr,
	.bound = 16 + ARRAY_KEPT * 16,
	.describe = describe_iovec_addr,
};

static void capture_vm_local_iov(struct hst_capctx *c, const struct hst_kcall *k)
{
	if (k->failed)
		capture_iovec_addr(c, k);
	else
		hst_kind_iovec.capture(c, k);
}

static void describe_vm_local_iov(struct hst_vw *w, const struct hst_kcall *k,
				  const struct hst_piece *p, unsigned n)
{
	if (k->failed)
		describe_iovec_addr(w, k, p, n);
	else
		hst_kind_iovec.describe(w, k, p, n);
}

const struct hst_kind hst_kind_vm_local_iov = {
	.name = "vm_local_iov",
	.capture = capture_vm_local_iov,
	.bound = 64 * 1024, /* hst_kind_iovec's, at least ARRAY_KEPT iovecs */
	.describe = describe_vm_local_iov,
	.on_error = true,
};

/* --- membarrier ---------------------------------------------------------- */

/* cpu_id counts only with MEMBARRIER_CMD_FLAG_CPU. */
static bool membarrier_cpu_absent(const struct hst_kcall *k)
{
	return !(k->args[1] & 1);
}

static void describe_membarrier_cpu(struct hst_vw *w, const struct hst_kcall *k,
				    const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_int(w, (int)k->value);
}

const struct hst_kind hst_kind_membarrier_cpu = {
	.name = "membarrier_cpu",
	.describe = describe_membarrier_cpu,
	.absent = membarrier_cpu_absent,
};

/* MEMBARRIER_CMD_QUERY returns the commands supported: in hex, named in a note. */
static void describe_membarrier_ret(struct hst_vw *w, const struct hst_kcall *k,
				    const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	if (k->args[0] != 0) {
		hst_vw_int(w, (int64_t)k->value);
		return;
	}
	hst_vw_hex(w, k->value);
	hst_vw_note_begin(w);
	hst_vw_flags(w, &hst_ctab_membarrier_cmd, k->value);
	hst_vw_note_end(w);
}

const struct hst_kind hst_kind_membarrier_ret = {
	.name = "membarrier_ret",
	.describe = describe_membarrier_ret,
};
