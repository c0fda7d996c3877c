/*
 * The binary log (--out FILE, --read FILE).
 *
 * File layout (little-endian):
 *
 *   file header  16 bytes: magic "HSTRACE\0", u32 version (1), u32 flags (0)
 *   blocks       each: struct hst_log_block_hdr + payload padded to 8 bytes
 *
 * Every block carries its own sync word, type, payload length and CRC-32C of
 * the payload, so a reader can skip block types it does not know, detect a
 * truncated tail or a flipped bit, and resynchronise on the next intact block
 * after a damaged one.  The log only ever grows by appending block types and
 * TLV tags; readers use lengths to tell versions apart.
 *
 *   HST_LOG_BLK_META     first block: TLV fields (struct hst_log_tlv + value)
 *   HST_LOG_BLK_RECORDS  u32 count, u32 reserved, then count raw records
 *                        (struct hst_raw, exactly as in the ring)
 *   HST_LOG_BLK_END      u64 total records, u64 total blocks: clean end
 *
 * "Total blocks" counts every block before END, META included.  All payloads
 * the writer makes are multiples of 8, so it never writes padding.  A reader
 * takes an END as a clean end only if its totals match what it read or some
 * damage was already found: the CRC does not cover the block header, so this
 * is what catches a RECORDS block whose type field took a hit.
 *
 * The writer is used by the log sink thread only; a reader by one thread.
 */
#ifndef HST_LOG_H
#define HST_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/record.h"

#define HST_LOG_MAGIC "HSTRACE"   /* 8 bytes with the NUL */
#define HST_LOG_VERSION 1u
#define HST_LOG_SYNC 0x4b4c4248u  /* "HBLK" */

enum hst_log_block_type {
	HST_LOG_BLK_META = 1,
	HST_LOG_BLK_RECORDS = 2,
	HST_LOG_BLK_END = 3,
};

struct hst_log_block_hdr {
	uint32_t sync;     /* HST_LOG_SYNC */
	uint32_t type;     /* enum hst_log_block_type */
	uint32_t len;      /* payload bytes, before padding */
	uint32_t crc;      /* CRC-32C of the payload */
};

enum hst_log_tag {
	HST_LOG_TAG_ARCH = 1,         /* string, "x86_64" */
	HST_LOG_TAG_KERNEL = 2,       /* string, uname -r of the recording machine */
	HST_LOG_TAG_CMDLINE = 3,      /* argv joined by NUL bytes */
	HST_LOG_TAG_CLOCK_REAL = 4,   /* u64 CLOCK_REALTIME ns at start */
	HST_LOG_TAG_CLOCK_MONO = 5,   /* u64 CLOCK_MONOTONIC ns at the same instant */
	HST_LOG_TAG_STRSIZE = 6,      /* u32 -s value used for capture */
	HST_LOG_TAG_VERSION = 7,      /* string, hstrace version */
	HST_LOG_TAG_PIDS = 8,         /* u32 array: -p pids attached (may be empty) */
};

struct hst_log_tlv {
	uint16_t tag;
	uint16_t reserved;
	uint32_t len;      /* value bytes, before padding to 8 */
};

/* What the META block says.  Strings are NUL-terminated copies. */
struct hst_log_meta {
	char arch[16];
	char kernel[128];
	char version[32];
	char cmdline[1024];   /* argv joined by spaces, for display */
	uint64_t clock_real_ns;
	uint64_t clock_mono_ns;
	uint32_t strsize;
};

/* --- writer --- */
struct hst_log_writer;

/*
 * Write the file header and META block to fd.  meta may be NULL; its empty
 * fields (arch, kernel, version, both clocks zero) are filled from this
 * machine.  argv (NULL-terminated) is stored as HST_LOG_TAG_CMDLINE; when
 * argv is NULL, meta->cmdline is stored as it is.  0 or -errno: -ENOMEM,
 * -E2BIG (META over 64 MiB), or what write(2) said (-ENOSPC, -EBADF...).
 * *out is NULL on failure.
 */
int hst_log_writer_open(struct hst_log_writer **out, int fd, const struct hst_log_meta *meta,
			const char *const *argv);

/*
 * Append one raw record to the current block (flushed at 256 KiB). 0 or -errno:
 * -EINVAL (the record fails hst_raw_validate(): it would spoil its block),
 * -EMSGSIZE (larger than a block may be, 64 MiB), -ENOMEM, or the write
 * error of the flush.  After a write error every call returns that error.
 */
int hst_log_writer_append(struct hst_log_writer *w, const struct hst_raw *rec);

/* Write the current block out now (so a killed tracer loses little). 0 or -errno. */
int hst_log_writer_flush(struct hst_log_writer *w);

/* Flush, write the END block, free.  Does not close fd.  0 or -errno. */
int hst_log_writer_close(struct hst_log_writer *w);

/* Records accepted by append so far; bytes that reached fd so far. */
uint64_t hst_log_writer_records(const struct hst_log_writer *w);
uint64_t hst_log_writer_bytes(const struct hst_log_writer *w);

/* --- reader --- */
struct hst_log_reader;

/*
 * Open path, check the file header and read META.  Errors: -errno from
 * open/read, -ENOMEM, HSTRACE_E_NOT_A_LOG (bad magic, or shorter than the
 * 16-byte file header), HSTRACE_E_LOG_VERSION, HSTRACE_E_LOG_ARCH (META
 * names an arch other than "x86_64").  meta may be NULL; it is zeroed first.
 * A META block that is cut or damaged is not an error here: meta stays
 * empty and hst_log_reader_next() reports the block like any other.
 * Reads the file forward with read(2) and keeps only a window of it (about
 * one block), so any size of log works, and so does a pipe.
 */
int hst_log_reader_open(struct hst_log_reader **out, const char *path, struct hst_log_meta *meta);

/*
 * Next raw record, validated (size, header size, captures inside the record),
 * so decoders can trust its framing.  Returns 1 with *rec set (valid until
 * the next call), 0 at a clean END, or a negative code when the log stops
 * early: HSTRACE_E_LOG_TRUNCATED (the tail is cut), HSTRACE_E_LOG_CORRUPT
 * (no intact block follows a damaged one).  A damaged block that an intact
 * one follows is skipped and counted; see hst_log_reader_damage().
 * Records of a damaged block are never returned, not even the good ones
 * before the damage.  Also -errno (-EIO, -ENOMEM) if reading fails.  Once it
 * has returned something other than 1 it keeps returning the same.
 */
int hst_log_reader_next(struct hst_log_reader *r, const struct hst_raw **rec);

/*
 * File offset where reading stopped, and records returned so far.  While
 * reading, the offset is the end of the last block taken; once next() has
 * returned 0 it is the end of END, and after an error the start of the
 * block that was cut or damaged ("truncated at byte N after M records").
 */
uint64_t hst_log_reader_offset(const struct hst_log_reader *r);
uint64_t hst_log_reader_records(const struct hst_log_reader *r);

/* Damaged blocks skipped so far. */
uint64_t hst_log_reader_damage(const struct hst_log_reader *r);

void hst_log_reader_close(struct hst_log_reader *r);

/* Validate the framing of one raw record of len bytes.  0 or -1. */
int hst_raw_validate(const struct hst_raw *rec, size_t len);

#endif
