/*
 * Kinds of the memory calls: mmap's flags word (a type field, flags and a
 * huge page size in one number), mremap's new address (shown only when
 * the flags ask for it) and mincore's vector.  See src/core/kinds.h.
 *
 * Like every kind, these run on a sink thread (describe, absent) or the
 * ptrace thread (size_fn) and only read the call they are given.
 */
#include <linux/mman.h>
#include <stdio.h>
#include <sys/mman.h>

#include "core/consts.h"
#include "core/kinds.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
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

/* MADV_DONTNEED; an unknown advice in hex with a MADV_??? comment, as strace. */
static void describe_madvise_advice(struct hst_vw *w, const struct hst_kcall *k,
				    const struct hst_piece *p, unsigned n)
{
	unsigned v = (unsigned)k->args[k->arg];
	const char *name = hst_ctab_name(&hst_ctab_madvise_advice, v);

	(void)p;
	(void)n;
	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_rawf(w, "%#x /* MADV_??? */", v);
}

const struct hst_kind hst_kind_madvise_advice = {
	.name = "madvise_advice",
	.describe = describe_madvise_advice,
};
