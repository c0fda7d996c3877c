/*
 * fuzz_decode: the input is one raw record as src/core/record.h lays it
 * out (96-byte header, then captures), the bytes the ring and the log
 * carry.  Its size field is set to the input's length (padded to 8 with
 * zeros, at least a header), since the log reader's framing has its own
 * target (fuzz_log).  The record is checked with hst_raw_validate, as the
 * reader checks every record it reads; one that fails has its framing
 * repaired (hdr_size, capture lengths and count cut to what is there) so
 * the captures still reach the decoder, and must then pass.
 *
 * The record is decoded and rendered by every renderer (fuzz_render.c).
 * An exit record is preceded by its entry (the same bytes, kind ENTRY),
 * and by another thread's entry in between, so strace's pairing paths
 * ("<unfinished ...>", "<... resumed>") and the whole-call renderers
 * (human, JSON) see a complete call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/record.h"
#include "fuzz_render.h"

/* Make the framing valid: what the reader would accept, keeping the bytes. */
static void repair(struct hst_raw *rec)
{
	unsigned char *base = (unsigned char *)rec;
	size_t off;

	if (rec->hdr_size < sizeof(*rec) || rec->hdr_size > rec->size || rec->hdr_size % 8u)
		rec->hdr_size = sizeof(*rec);
	off = rec->hdr_size;
	for (unsigned i = 0; i < rec->ncaps; i++) {
		struct hst_cap cap;
		size_t left;

		if (rec->size - off < sizeof(cap)) {
			rec->ncaps = (uint16_t)i;
			break;
		}
		memcpy(&cap, base + off, sizeof(cap));
		left = rec->size - off - sizeof(cap);
		if (HST_ALIGN8((uint64_t)cap.len) > left) {
			cap.len = (uint32_t)left;
			memcpy(base + off, &cap, sizeof(cap));
		}
		off += sizeof(cap) + HST_ALIGN8((size_t)cap.len);
	}
}

/* A copy of rec as another kind of stop of tid. */
static struct hst_raw *restamp(const struct hst_raw *rec, uint16_t kind, int32_t tid)
{
	struct hst_raw *copy = malloc(rec->size);

	if (!copy)
		abort();
	memcpy(copy, rec, rec->size);
	copy->kind = kind;
	copy->tid = tid;
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = HST_ALIGN8(size < sizeof(struct hst_raw) ? sizeof(struct hst_raw) : size);
	struct hst_raw *rec;
	struct fuzz_sinks *s;

	/* A capture length is a u32; beyond that the framing cannot describe it. */
	if (size > (1u << 24))
		return 0;
	rec = calloc(1, len);
	if (!rec)
		abort();
	memcpy(rec, data, size);
	rec->size = (uint32_t)len;
	if (hst_raw_validate(rec, len) < 0) {
		repair(rec);
		if (hst_raw_validate(rec, len) < 0) {
			fprintf(stderr, "fuzz_decode: a repaired record fails validation\n");
			abort();
		}
	}
	s = fuzz_sinks_new();
	if (rec->kind == HST_RAW_SYSCALL_EXIT) {
		struct hst_raw *entry = restamp(rec, HST_RAW_SYSCALL_ENTRY, rec->tid);
		struct hst_raw *other = restamp(rec, HST_RAW_SYSCALL_ENTRY, (int32_t)((uint32_t)rec->tid ^ 1u));

		fuzz_sinks_raw(s, entry);
		fuzz_sinks_raw(s, other);
		free(entry);
		free(other);
	}
	fuzz_sinks_raw(s, rec);
	fuzz_sinks_finish(s);
	free(rec);
	return 0;
}
