/*
 * Decoded records: what a decode worker makes of one raw record.
 *
 * Exactly one decoded record per raw record, with the same seq, so a sink
 * finds record s in worker (s % nworkers)'s output ring and output order is
 * capture order by construction.  An entry record holds the typed values of
 * the arguments rendered at entry (indices [0, exit_from)); the matching exit
 * record holds the ones rendered at exit ([exit_from, nargs)) and the return
 * value.  Sinks pair them (src/sink/pairing.c).  Decoders never format text:
 * a value is a type tag, a number and, for strings and buffers, bytes in the
 * record's blob.
 *
 * Layout: struct hst_drec, nvals x struct hst_dval, then the blob.
 */
#ifndef HST_EVENT_H
#define HST_EVENT_H

#include <stdint.h>

#include <string.h>

#include "core/kinds.h"
#include "core/record.h"

enum hst_dval_flags {
	HST_DVF_FAULT = 1u << 0,   /* memory unreadable: v is the address */
	HST_DVF_TRUNC = 1u << 1,   /* bytes (or elements) beyond what is held */
	HST_DVF_NULL = 1u << 2,    /* the pointer was NULL */
	HST_DVF_ABSENT = 1u << 3,  /* not rendered (e.g. open mode without O_CREAT) */
	HST_DVF_FDPATH = 1u << 4,  /* FD/DIRFD: off/len hold what it named (-y, -P);
				    * len 0: it was looked up and not open */
};

struct hst_dval {
	uint8_t type;   /* enum hst_argtype */
	uint8_t arg;    /* argument index */
	uint16_t flags; /* enum hst_dval_flags */
	uint32_t len;   /* bytes in the blob; for STRV/ENVV the elements held */
	uint32_t off;   /* blob offset of the bytes (STRV: u32 len + bytes, each 4-aligned) */
	uint32_t aux;   /* BUF: captured length actually read */
	uint64_t v;     /* the raw value, declared length, or element count */
};

/* Value slots after the header: six arguments and a return kind's pieces. */
#define HST_DREC_VALS 7
#define HST_RET_VAL 6

struct hst_drec {
	uint32_t size;    /* whole record, 8-aligned */
	uint16_t kind;    /* enum hst_raw_kind */
	uint16_t flags;   /* enum hst_raw_flags */
	uint64_t seq;
	uint64_t ts_ns;
	int32_t tid;
	int32_t tgid;
	int32_t nr;       /* syscall or signal number */
	uint16_t nvals;
	uint16_t first;   /* argument index of vals[0] */
	uint64_t args[6];
	int64_t rval;
	uint32_t blob_off; /* from the start of the record */
	uint32_t blob_len;
	uint32_t ret_path_off; /* -y: blob offset of the returned fd's target */
	uint32_t ret_path_len; /* its length; 0: none captured */
	uint32_t ret_val;      /* 1: vals[HST_RET_VAL] holds the return kind's pieces */
	/*
	 * -P, -y: what the descriptors inside arguments named (poll's array,
	 * select's sets at entry; pipe's and socketpair's pair at exit; at most
	 * HST_SET_FDPATHS): set_paths_n entries from blob offset set_paths_off,
	 * each u32 fd, u32 len, then len bytes padded to 4; len 0: not open.
	 */
	uint32_t set_paths_off;
	uint32_t set_paths_n;
	/* struct hst_dval vals[HST_DREC_VALS] (nvals used, and the return's); then the blob */
};

static inline const struct hst_dval *hst_drec_vals(const struct hst_drec *d)
{
	return (const struct hst_dval *)(d + 1);
}

static inline const char *hst_drec_blob(const struct hst_drec *d)
{
	return (const char *)d + d->blob_off;
}

/*
 * The pieces of an IN/OUT/INOUT value (or of a return kind), as decode.c
 * lays them out in the blob: per piece a u32 length, a u32 HST_CAPF_*
 * word, the u64 address, then the bytes, 8-aligned.  At most max; returns
 * how many were filled.
 */
static inline unsigned hst_drec_pieces(const struct hst_drec *d, const struct hst_dval *v,
				       struct hst_piece *pieces, unsigned max)
{
	const char *p = hst_drec_blob(d) + v->off;
	unsigned n = v->len < max ? v->len : max;

	for (unsigned i = 0; i < n; i++) {
		uint32_t hdr[2];
		memcpy(hdr, p, sizeof(hdr));
		memcpy(&pieces[i].addr, p + 8, sizeof(pieces[i].addr));
		pieces[i].data = p + 16;
		pieces[i].len = hdr[0];
		pieces[i].fault = hdr[1] & HST_CAPF_FAULT;
		pieces[i].trunc = hdr[1] & HST_CAPF_TRUNC;
		pieces[i].entry = hdr[1] & HST_CAPF_ENTRY;
		p += 16 + ((hdr[0] + 7) & ~7u);
	}
	return n;
}

#endif
