/*
 * Decode workers: raw records in, decoded records (typed values) out.
 *
 * Worker k is consumer k of the raw ring and the only producer of output
 * ring k.  It decodes the records whose seq % nworkers == k and skips the
 * others, so every raw record is decoded exactly once and each output ring
 * holds an increasing run of seqs; a sink merges them by reading record s
 * from ring s % nworkers.  Workers share nothing but the read-only tables.
 */
#ifndef HST_DECODE_H
#define HST_DECODE_H

#include <stddef.h>

#include "core/record.h"
#include "decode/event.h"

struct hst_ring;

/* Bytes a decoded record of raw may need. */
size_t hst_decode_bound(const struct hst_raw *raw);

/* Decode raw into dst (at least hst_decode_bound bytes); returns its size. */
size_t hst_decode_record(const struct hst_raw *raw, struct hst_drec *dst);

struct hst_decoders;

/*
 * Start n workers reading raw (as consumers 0..n-1) and writing out[0..n-1].
 * When raw closes, each worker closes its output ring and ends.
 */
int hst_decoders_start(struct hst_decoders **out, struct hst_ring *raw, struct hst_ring **outs,
		       unsigned n);
void hst_decoders_join(struct hst_decoders *d);

#endif
