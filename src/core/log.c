/*
 * Binary log writer and reader; the file format is described in log.h.
 *
 * Writer.  Owned by the log sink thread and never shared.  Records are copied
 * into one block buffer laid out exactly as the block goes to the file (block
 * header, u32 count, u32 reserved, records), which is sealed with its CRC and
 * written in one write loop when the next record would take the payload past
 * 256 KiB, on hst_log_writer_flush(), and on close.  The file therefore holds
 * whole blocks plus at most one block cut short if the tracer dies during a
 * write, which the reader reports as a truncated tail.  The first write error
 * is sticky: every later call returns it, because once a block is missing the
 * file cannot be repaired by writing more after it.
 *
 * Reader.  Owned by one thread.  It reads forward through a window buffer
 * with read(2), never the whole file, so a log of many GB costs as much memory
 * as its largest block (at most HST_LOG_MAX_PAYLOAD).  A block counts only
 * when it is whole: sync word, sane length, every byte present, CRC-32C, and
 * for RECORDS blocks the framing of every record.  Only then are its records
 * handed out, as pointers into the window; this is why a record is valid
 * until the next call, and why the window maps 8-aligned file offsets to
 * 8-aligned addresses (blocks start 8-aligned and records are multiples of
 * 8, so struct hst_raw is always read aligned).
 *
 * A block that fails is skipped by scanning forward at 8-byte steps for the
 * next block that passes.  Every step of the reader moves its file offset
 * strictly forward and the file is finite, so any input ends; the window
 * never needs to go back because a scan starts inside the block just read.
 */
#include <errno.h>
#include <fcntl.h>
#include <nmmintrin.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <hstrace/hstrace.h>

#include "core/log.h"

/* A RECORDS block is written once its payload would pass this. */
#define LOG_FLUSH_BYTES (256u * 1024u)

/*
 * Largest block payload a reader accepts.  It bounds what a damaged length
 * field can make the reader allocate; the writer refuses records that would
 * not fit.
 */
#define LOG_MAX_PAYLOAD (64u * 1024u * 1024u)

#define LOG_FILE_HDR_SIZE 16u
#define LOG_BLOCK_HDR_SIZE sizeof(struct hst_log_block_hdr)
/* Block header plus the u32 count and u32 reserved of a RECORDS payload. */
#define LOG_RECORDS_PREFIX (LOG_BLOCK_HDR_SIZE + 8u)
#define LOG_END_PAYLOAD 16u
/*
 * read(2) size.  Small enough that the bytes the kernel copies are still in
 * the CPU's cache when the block checks, the CRC and the reader's copy into
 * the ring go over them: reading and touching a 100 MB log in 256 KiB reads
 * took about a fifth less CPU than in 1 MiB ones on the project's VM.
 */
#define LOG_READ_CHUNK (256u * 1024u)

/* The header of the first record format; later ones only grow. */
#define RAW_HDR_V1 96u

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the log is little-endian");
_Static_assert(sizeof(struct hst_log_block_hdr) == 16, "block header is 16 bytes");
_Static_assert(sizeof(struct hst_log_tlv) == 8, "TLV header is 8 bytes");
_Static_assert(sizeof(struct hst_raw) == RAW_HDR_V1, "raw header is 96 bytes");
_Static_assert(sizeof(struct hst_cap) == 16, "capture header is 16 bytes");

/* ------------------------------------------------------------------------
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).  The functions
 * below work on the raw register; crc32c() adds the usual inversions.
 */

typedef uint32_t crc32c_fn(uint32_t crc, const unsigned char *p, size_t n);

static uint32_t crc32c_table[8][256];
static crc32c_fn *crc32c_impl;
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static uint32_t crc32c_soft(uint32_t crc, const unsigned char *p, size_t n)
{
	uint32_t (*t)[256] = crc32c_table;

	for (; n > 0 && ((uintptr_t)p & 7u); n--)
		crc = t[0][(crc ^ *p++) & 0xffu] ^ (crc >> 8);
	/* Slicing-by-8: one table lookup per input byte, no dependency chain
	 * between the eight lookups of a word. */
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t v;

		memcpy(&v, p, sizeof v);
		v ^= crc;
		crc = t[7][v & 0xffu] ^ t[6][(v >> 8) & 0xffu] ^
		      t[5][(v >> 16) & 0xffu] ^ t[4][(v >> 24) & 0xffu] ^
		      t[3][(v >> 32) & 0xffu] ^ t[2][(v >> 40) & 0xffu] ^
		      t[1][(v >> 48) & 0xffu] ^ t[0][v >> 56];
	}
	for (; n > 0; n--)
		crc = t[0][(crc ^ *p++) & 0xffu] ^ (crc >> 8);
	return crc;
}

/*
 * The crc32 instruction takes three cycles but can start every cycle, so
 * the hardware path runs three streams of CRC_STRIDE bytes side by side and
 * joins them: for the raw register, crc(A B) = shift(crc(A)) ^ crc(B) with B
 * started from 0, where shift feeds CRC_STRIDE zero bytes (a linear map,
 * applied by table).  With one stream the CRC took 7% of the CPU time of
 * --read of a real program's log, with three 3%.
 */
#define CRC_STRIDE 512u

/* crc32c_shift_table[k][b]: the register b << 8k after CRC_STRIDE zero bytes. */
static uint32_t crc32c_shift_table[4][256];

static uint32_t crc32c_shift(uint32_t crc)
{
	return crc32c_shift_table[0][crc & 0xffu] ^ crc32c_shift_table[1][(crc >> 8) & 0xffu] ^
	       crc32c_shift_table[2][(crc >> 16) & 0xffu] ^ crc32c_shift_table[3][crc >> 24];
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const unsigned char *p, size_t n)
{
	uint64_t c = crc;

	for (; n > 0 && ((uintptr_t)p & 7u); n--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	for (; n >= 3 * CRC_STRIDE; n -= 3 * CRC_STRIDE, p += 3 * CRC_STRIDE) {
		uint64_t c1 = 0, c2 = 0;

		for (size_t i = 0; i < CRC_STRIDE; i += 8) {
			c = _mm_crc32_u64(c, load64(p + i));
			c1 = _mm_crc32_u64(c1, load64(p + CRC_STRIDE + i));
			c2 = _mm_crc32_u64(c2, load64(p + 2 * CRC_STRIDE + i));
		}
		c = crc32c_shift((uint32_t)c) ^ c1;
		c = crc32c_shift((uint32_t)c) ^ c2;
	}
	for (; n >= 8; n -= 8, p += 8)
		c = _mm_crc32_u64(c, load64(p));
	for (; n > 0; n--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return (uint32_t)c;
}

/* The shift is linear: the image of each of the 32 bits, XORed per byte value. */
static void crc32c_shift_init(void)
{
	static const unsigned char zeros[CRC_STRIDE];
	uint32_t bit[32];

	for (int i = 0; i < 32; i++)
		bit[i] = crc32c_sse42(1u << i, zeros, sizeof zeros);
	for (int k = 0; k < 4; k++)
		for (int b = 0; b < 256; b++) {
			uint32_t v = 0;

			for (int j = 0; j < 8; j++)
				if (b & (1 << j))
					v ^= bit[8 * k + j];
			crc32c_shift_table[k][b] = v;
		}
}

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
		crc32c_table[0][i] = c;
	}
	for (int k = 1; k < 8; k++)
		for (int i = 0; i < 256; i++) {
			uint32_t prev = crc32c_table[k - 1][i];

			crc32c_table[k][i] = (prev >> 8) ^ crc32c_table[0][prev & 0xffu];
		}
	crc32c_impl = crc32c_soft;
	if (__builtin_cpu_supports("sse4.2")) {
		crc32c_shift_init();
		crc32c_impl = crc32c_sse42;
	}
}

static uint32_t crc32c(const void *buf, size_t len)
{
	/* pthread_once publishes the tables and crc32c_impl to every caller. */
	pthread_once(&crc32c_once, crc32c_init);
	return ~crc32c_impl(~0u, buf, len);
}

/* ------------------------------------------------------------------------
 * Record framing, shared by the writer (refuse what a reader would reject)
 * and the reader (so decoders can trust hdr_size, ncaps and lengths).
 */

static bool caps_framed(const struct hst_raw *rec)
{
	const unsigned char *base = (const unsigned char *)rec;
	uint64_t off = rec->hdr_size;

	for (unsigned i = 0; i < rec->ncaps; i++) {
		struct hst_cap cap;

		if (rec->size - off < sizeof cap)
			return false;
		memcpy(&cap, base + off, sizeof cap);
		off += sizeof cap;
		/* 64-bit arithmetic: a u32 length padded to 8 cannot wrap. */
		if (HST_ALIGN8((uint64_t)cap.len) > rec->size - off)
			return false;
		off += HST_ALIGN8((uint64_t)cap.len);
	}
	return true;
}

int hst_raw_validate(const struct hst_raw *rec, size_t len)
{
	if (len < RAW_HDR_V1)
		return -1;
	if (rec->size < RAW_HDR_V1 || rec->size > len || rec->size % 8u)
		return -1;
	/* hdr_size is a multiple of 8 so that the captures stay aligned. */
	if (rec->hdr_size < RAW_HDR_V1 || rec->hdr_size > rec->size || rec->hdr_size % 8u)
		return -1;
	return caps_framed(rec) ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Writer
 */

struct hst_log_writer {
	int fd;
	int error;          /* first write error, returned by every later call */
	uint64_t records;   /* records accepted by append */
	uint64_t bytes;     /* bytes that reached fd */
	uint64_t blocks;    /* blocks written, META included, END excluded */
	unsigned char *buf; /* the RECORDS block being filled, header first */
	size_t len;         /* bytes used in buf, LOG_RECORDS_PREFIX when empty */
	size_t cap;
	uint32_t count;     /* records in buf */
};

/* Block until fd (a non-blocking pipe, say) takes more bytes. */
static int wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	while (poll(&pfd, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t len, uint64_t *written)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		int rc;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			*written += (uint64_t)n;
			continue;
		}
		if (n == 0)
			return -EIO; /* a regular file only does this when something is very wrong */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = wait_writable(fd);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int writer_emit(struct hst_log_writer *w, const unsigned char *p, size_t len)
{
	int rc;

	if (w->error)
		return w->error;
	rc = write_all(w->fd, p, len, &w->bytes);
	if (rc < 0)
		w->error = rc;
	return rc;
}

/* Fill in the header of the block at blk whose payload of len bytes follows it. */
static void block_seal(unsigned char *blk, enum hst_log_block_type type, size_t len)
{
	struct hst_log_block_hdr hdr = {
		.sync = HST_LOG_SYNC,
		.type = type,
		.len = (uint32_t)len,
		.crc = crc32c(blk + LOG_BLOCK_HDR_SIZE, len),
	};

	memcpy(blk, &hdr, sizeof hdr);
}

/* Fill the empty fields of a META copy from this machine. */
static void meta_defaults(struct hst_log_meta *m)
{
	struct utsname uts;
	struct timespec real, mono;

	if (!m->arch[0])
		strcpy(m->arch, "x86_64");
	if (!m->kernel[0] && uname(&uts) == 0)
		snprintf(m->kernel, sizeof m->kernel, "%s", uts.release);
	if (!m->version[0])
		snprintf(m->version, sizeof m->version, "%s", HSTRACE_VERSION_STRING);
	if (!m->clock_real_ns && !m->clock_mono_ns &&
	    clock_gettime(CLOCK_REALTIME, &real) == 0 &&
	    clock_gettime(CLOCK_MONOTONIC, &mono) == 0) {
		m->clock_real_ns = (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
		m->clock_mono_ns = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	}
}

static size_t tlv_size(size_t len)
{
	return sizeof(struct hst_log_tlv) + HST_ALIGN8(len);
}

/* Append a TLV with its value zero-padded to 8 bytes; returns where the value went. */
static unsigned char *tlv_put(unsigned char **at, enum hst_log_tag tag, const void *val, size_t len)
{
	struct hst_log_tlv tlv = { .tag = (uint16_t)tag, .len = (uint32_t)len };
	unsigned char *value = *at + sizeof tlv;

	memcpy(*at, &tlv, sizeof tlv);
	memset(value, 0, HST_ALIGN8(len));
	if (val)
		memcpy(value, val, len);
	*at += tlv_size(len);
	return value;
}

/* Bytes of argv joined by NUL bytes (no trailing NUL). */
static size_t argv_joined_len(const char *const *argv)
{
	size_t len = 0;

	for (size_t i = 0; argv[i]; i++)
		len += strlen(argv[i]) + (i > 0);
	return len;
}

static void argv_join(unsigned char *dst, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		size_t n = strlen(argv[i]);

		if (i > 0)
			*dst++ = '\0';
		memcpy(dst, argv[i], n);
		dst += n;
	}
}

/* The string fields of META, in the order they are written. */
struct meta_strings {
	size_t arch, kernel, version, cmdline;
};

static size_t meta_payload_size(const struct hst_log_meta *m, const char *const *argv,
				struct meta_strings *len)
{
	len->arch = strnlen(m->arch, sizeof m->arch);
	len->kernel = strnlen(m->kernel, sizeof m->kernel);
	len->version = strnlen(m->version, sizeof m->version);
	len->cmdline = argv ? argv_joined_len(argv) : strnlen(m->cmdline, sizeof m->cmdline);
	return tlv_size(len->arch) + tlv_size(len->kernel) + tlv_size(len->version) +
	       tlv_size(len->cmdline) + 2 * tlv_size(sizeof(uint64_t)) +
	       tlv_size(sizeof(uint32_t));
}

static void meta_fill(unsigned char *at, const struct hst_log_meta *m, const char *const *argv,
		      const struct meta_strings *len)
{
	unsigned char *cmdline;

	tlv_put(&at, HST_LOG_TAG_ARCH, m->arch, len->arch);
	tlv_put(&at, HST_LOG_TAG_KERNEL, m->kernel, len->kernel);
	tlv_put(&at, HST_LOG_TAG_VERSION, m->version, len->version);
	cmdline = tlv_put(&at, HST_LOG_TAG_CMDLINE, argv ? NULL : m->cmdline, len->cmdline);
	if (argv)
		argv_join(cmdline, argv);
	tlv_put(&at, HST_LOG_TAG_CLOCK_REAL, &m->clock_real_ns, sizeof m->clock_real_ns);
	tlv_put(&at, HST_LOG_TAG_CLOCK_MONO, &m->clock_mono_ns, sizeof m->clock_mono_ns);
	tlv_put(&at, HST_LOG_TAG_STRSIZE, &m->strsize, sizeof m->strsize);
}

/* File header and META go out in one write, so a log never starts half-made. */
static int writer_put_head(struct hst_log_writer *w, const struct hst_log_meta *meta,
			   const char *const *argv)
{
	static const uint32_t version_flags[2] = { HST_LOG_VERSION, 0 };
	struct hst_log_meta m = { 0 };
	struct meta_strings len;
	unsigned char *buf;
	size_t payload;
	int rc;

	if (meta)
		m = *meta;
	meta_defaults(&m);
	payload = meta_payload_size(&m, argv, &len);
	if (payload > LOG_MAX_PAYLOAD)
		return -E2BIG;
	buf = malloc(LOG_FILE_HDR_SIZE + LOG_BLOCK_HDR_SIZE + payload);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, HST_LOG_MAGIC, sizeof HST_LOG_MAGIC);
	memcpy(buf + sizeof HST_LOG_MAGIC, version_flags, sizeof version_flags);
	meta_fill(buf + LOG_FILE_HDR_SIZE + LOG_BLOCK_HDR_SIZE, &m, argv, &len);
	block_seal(buf + LOG_FILE_HDR_SIZE, HST_LOG_BLK_META, payload);
	rc = writer_emit(w, buf, LOG_FILE_HDR_SIZE + LOG_BLOCK_HDR_SIZE + payload);
	if (rc == 0)
		w->blocks++;
	free(buf);
	return rc;
}

int hst_log_writer_open(struct hst_log_writer **out, int fd, const struct hst_log_meta *meta,
			const char *const *argv)
{
	struct hst_log_writer *w;
	int rc;

	*out = NULL;
	w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->cap = LOG_RECORDS_PREFIX + LOG_FLUSH_BYTES;
	w->buf = malloc(w->cap);
	if (!w->buf) {
		rc = -ENOMEM;
		goto fail_buf;
	}
	w->len = LOG_RECORDS_PREFIX;
	rc = writer_put_head(w, meta, argv);
	if (rc < 0)
		goto fail_head;
	*out = w;
	return 0;

fail_head:
	free(w->buf);
fail_buf:
	free(w);
	return rc;
}

int hst_log_writer_flush(struct hst_log_writer *w)
{
	const uint32_t count_reserved[2] = { w->count, 0 };
	int rc;

	if (w->error)
		return w->error;
	if (w->count == 0)
		return 0;
	memcpy(w->buf + LOG_BLOCK_HDR_SIZE, count_reserved, sizeof count_reserved);
	/* Records are multiples of 8, so the payload needs no padding. */
	block_seal(w->buf, HST_LOG_BLK_RECORDS, w->len - LOG_BLOCK_HDR_SIZE);
	rc = writer_emit(w, w->buf, w->len);
	if (rc < 0)
		return rc;
	w->blocks++;
	w->len = LOG_RECORDS_PREFIX;
	w->count = 0;
	return 0;
}

static int writer_reserve(struct hst_log_writer *w, size_t size)
{
	size_t need = w->len + size;
	unsigned char *grown;

	if (need <= w->cap)
		return 0;
	grown = realloc(w->buf, need);
	/* Sticky, like a write error: no END block may claim a whole log after a lost record. */
	if (!grown)
		return w->error = -ENOMEM;
	w->buf = grown;
	w->cap = need;
	return 0;
}

int hst_log_writer_append(struct hst_log_writer *w, const struct hst_raw *rec)
{
	size_t payload = w->len - LOG_BLOCK_HDR_SIZE;
	int rc;

	if (w->error)
		return w->error;
	/* One bad record would make the reader drop its whole block. */
	if (hst_raw_validate(rec, rec->size) < 0)
		return -EINVAL;
	if (rec->size > LOG_MAX_PAYLOAD - (LOG_RECORDS_PREFIX - LOG_BLOCK_HDR_SIZE))
		return -EMSGSIZE;
	if (w->count > 0 && payload + rec->size > LOG_FLUSH_BYTES) {
		rc = hst_log_writer_flush(w);
		if (rc < 0)
			return rc;
	}
	rc = writer_reserve(w, rec->size);
	if (rc < 0)
		return rc;
	memcpy(w->buf + w->len, rec, rec->size);
	w->len += rec->size;
	w->count++;
	w->records++;
	return 0;
}

static int writer_put_end(struct hst_log_writer *w)
{
	unsigned char blk[LOG_BLOCK_HDR_SIZE + LOG_END_PAYLOAD];
	const uint64_t totals[2] = { w->records, w->blocks };

	memcpy(blk + LOG_BLOCK_HDR_SIZE, totals, sizeof totals);
	block_seal(blk, HST_LOG_BLK_END, sizeof totals);
	return writer_emit(w, blk, sizeof blk);
}

int hst_log_writer_close(struct hst_log_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = hst_log_writer_flush(w);
	if (rc == 0)
		rc = writer_put_end(w);
	free(w->buf);
	free(w);
	return rc;
}

uint64_t hst_log_writer_records(const struct hst_log_writer *w)
{
	return w->records;
}

uint64_t hst_log_writer_bytes(const struct hst_log_writer *w)
{
	return w->bytes;
}

/* ------------------------------------------------------------------------
 * Reader: the window
 */

struct hst_log_reader {
	int fd;
	bool eof;
	unsigned char *buf;  /* file bytes [buf_off, buf_off + buf_len) */
	size_t buf_len;
	size_t buf_cap;
	uint64_t buf_off;    /* a multiple of 8, so records land aligned */
	uint64_t pos;        /* next block to examine; where reading stopped once done */
	uint64_t cur;        /* next record of the current RECORDS block */
	uint32_t blk_left;   /* records of the current block not yet returned */
	bool done;
	int status;          /* what next() returns once done */
	uint64_t records;
	uint64_t blocks;     /* intact blocks passed, END excluded */
	uint64_t damage;
};

/* Drop the bytes before off (callers never go back) and make room for n more. */
static int window_make_room(struct hst_log_reader *r, uint64_t off, size_t n)
{
	uint64_t end = r->buf_off + r->buf_len;
	size_t keep;

	if (off < r->buf_off || off > end || off % 8u)
		return -EINVAL;
	keep = (size_t)(end - off);
	memmove(r->buf, r->buf + (off - r->buf_off), keep);
	r->buf_off = off;
	r->buf_len = keep;
	if (n > r->buf_cap) {
		size_t cap = n > 2 * r->buf_cap ? n : 2 * r->buf_cap;
		unsigned char *grown = realloc(r->buf, cap);

		if (!grown)
			return -ENOMEM;
		r->buf = grown;
		r->buf_cap = cap;
	}
	return 0;
}

static int window_fill(struct hst_log_reader *r, uint64_t off, size_t n)
{
	int rc = window_make_room(r, off, n);

	if (rc < 0)
		return rc;
	/* Fill the whole buffer, not just n bytes: most blocks are small. */
	while (!r->eof && r->buf_len < n) {
		ssize_t got = read(r->fd, r->buf + r->buf_len, r->buf_cap - r->buf_len);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (got == 0)
			r->eof = true;
		r->buf_len += (size_t)got;
	}
	return 0;
}

/*
 * Make up to n bytes at file offset off readable at *p.  Returns how many
 * are there (fewer only at the end of the file) or -errno.  Pointers from
 * earlier calls die.
 */
static ssize_t window(struct hst_log_reader *r, uint64_t off, size_t n, const unsigned char **p)
{
	uint64_t end = r->buf_off + r->buf_len;

	if (off < r->buf_off || off + n > end) {
		int rc = window_fill(r, off, n);

		if (rc < 0)
			return rc;
		end = r->buf_off + r->buf_len;
	}
	*p = r->buf + (off - r->buf_off);
	if (off >= end)
		return 0;
	return (ssize_t)(end - off < n ? end - off : n);
}

/* ------------------------------------------------------------------------
 * Reader: blocks
 */

enum block_state {
	BLOCK_INTACT,
	BLOCK_DAMAGED,   /* all there, but fails a check */
	BLOCK_SHORT,     /* the header is there, the rest runs past the end of the file */
	BLOCK_NO_HEADER, /* fewer than 16 bytes left */
};

struct block {
	struct hst_log_block_hdr hdr;
	const unsigned char *payload; /* in the window: dies at the next window() */
	uint64_t end;                 /* file offset after the padding */
};

static bool records_framed(const unsigned char *p, uint32_t len)
{
	uint32_t count;
	size_t off = 8;

	if (len < 8)
		return false;
	memcpy(&count, p, sizeof count);
	/* Each record takes at least 96 bytes, so a huge count fails fast. */
	for (uint32_t i = 0; i < count; i++) {
		const struct hst_raw *rec = (const struct hst_raw *)(p + off);

		if (hst_raw_validate(rec, len - off) < 0)
			return false;
		off += rec->size;
	}
	return off == len;
}

static bool payload_framed(const struct block *b)
{
	switch (b->hdr.type) {
	case HST_LOG_BLK_RECORDS:
		return records_framed(b->payload, b->hdr.len);
	case HST_LOG_BLK_END:
		return b->hdr.len >= LOG_END_PAYLOAD;
	default:
		return true; /* META is parsed leniently; other types are skipped */
	}
}

/* Examine the block at off.  Returns an enum block_state or -errno. */
static int block_check(struct hst_log_reader *r, uint64_t off, struct block *b)
{
	const unsigned char *p;
	size_t whole;
	ssize_t got = window(r, off, LOG_BLOCK_HDR_SIZE, &p);

	if (got < 0)
		return (int)got;
	if ((size_t)got < LOG_BLOCK_HDR_SIZE)
		return BLOCK_NO_HEADER;
	memcpy(&b->hdr, p, sizeof b->hdr);
	if (b->hdr.sync != HST_LOG_SYNC || b->hdr.len > LOG_MAX_PAYLOAD)
		return BLOCK_DAMAGED;
	whole = LOG_BLOCK_HDR_SIZE + HST_ALIGN8((size_t)b->hdr.len);
	got = window(r, off, whole, &p);
	if (got < 0)
		return (int)got;
	if ((size_t)got < whole)
		return BLOCK_SHORT;
	b->payload = p + LOG_BLOCK_HDR_SIZE;
	b->end = off + whole;
	/* Framing first: it rejects most false sync words of a resync scan
	 * after a few bytes, where the CRC would read the whole length. */
	if (!payload_framed(b) || crc32c(b->payload, b->hdr.len) != b->hdr.crc)
		return BLOCK_DAMAGED;
	return BLOCK_INTACT;
}

static void reader_finish(struct hst_log_reader *r, int status, uint64_t off)
{
	r->done = true;
	r->status = status;
	r->pos = off;
}

/*
 * An intact END whose totals disagree with what was read, with no damage
 * seen, is most likely another block whose type field took a hit (the CRC
 * covers only the payload): treat it as damaged rather than as a clean end.
 */
static bool end_consistent(const struct hst_log_reader *r, const struct block *b)
{
	uint64_t totals[2];

	memcpy(totals, b->payload, sizeof totals);
	return r->damage > 0 || (totals[0] == r->records && totals[1] == r->blocks);
}

static void reader_resync(struct hst_log_reader *r, int why);

/* Act on the intact block b at r->pos. */
static void reader_take(struct hst_log_reader *r, const struct block *b)
{
	switch (b->hdr.type) {
	case HST_LOG_BLK_RECORDS:
		memcpy(&r->blk_left, b->payload, sizeof r->blk_left);
		r->cur = r->pos + LOG_RECORDS_PREFIX;
		break;
	case HST_LOG_BLK_END:
		if (!end_consistent(r, b))
			reader_resync(r, BLOCK_DAMAGED);
		else
			reader_finish(r, 0, b->end);
		return;
	default:
		break; /* a repeated META, or a block type from a later version */
	}
	r->blocks++;
	r->pos = b->end;
}

/*
 * The block at r->pos failed (why: BLOCK_DAMAGED or BLOCK_SHORT).  Look
 * for the next intact block at 8-byte steps after its start; the scan starts
 * inside the failed block because its length field may be what was hit.
 */
static void reader_resync(struct hst_log_reader *r, int why)
{
	uint64_t bad = r->pos;
	struct block b;

	for (uint64_t off = bad + 8;; off += 8) {
		int st = block_check(r, off, &b);

		if (st < 0) {
			reader_finish(r, st, bad);
			return;
		}
		if (st == BLOCK_NO_HEADER)
			break;
		if (st == BLOCK_INTACT) {
			r->damage++;
			r->pos = off;
			reader_take(r, &b);
			return;
		}
	}
	reader_finish(r, why == BLOCK_SHORT ? HSTRACE_E_LOG_TRUNCATED : HSTRACE_E_LOG_CORRUPT, bad);
}

static void reader_advance(struct hst_log_reader *r)
{
	struct block b;
	int st = block_check(r, r->pos, &b);

	if (st < 0)
		reader_finish(r, st, r->pos);
	else if (st == BLOCK_NO_HEADER)
		reader_finish(r, HSTRACE_E_LOG_TRUNCATED, r->pos); /* no END: the tracer died */
	else if (st != BLOCK_INTACT)
		reader_resync(r, st);
	else
		reader_take(r, &b);
}

int hst_log_reader_next(struct hst_log_reader *r, const struct hst_raw **rec)
{
	const struct hst_raw *raw;

	*rec = NULL;
	/* Every pass finishes, starts a block, or moves r->pos forward. */
	while (r->blk_left == 0) {
		if (r->done)
			return r->status;
		reader_advance(r);
	}
	/* The whole block is in the window and was validated by block_check. */
	raw = (const struct hst_raw *)(r->buf + (r->cur - r->buf_off));
	r->cur += raw->size;
	r->blk_left--;
	r->records++;
	*rec = raw;
	return 1;
}

/* ------------------------------------------------------------------------
 * Reader: opening and META
 */

/* Copy a string value, stopping at a NUL, always NUL-terminated. */
static void meta_string(char *dst, size_t cap, const unsigned char *v, size_t len)
{
	len = strnlen((const char *)v, len);
	if (len > cap - 1)
		len = cap - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* The command line is stored NUL-joined; show it joined by spaces. */
static void meta_cmdline(char *dst, size_t cap, const unsigned char *v, size_t len)
{
	while (len > 0 && v[len - 1] == '\0')
		len--;
	if (len > cap - 1)
		len = cap - 1;
	for (size_t i = 0; i < len; i++)
		dst[i] = v[i] ? (char)v[i] : ' ';
	dst[len] = '\0';
}

/* Read a fixed-size number; a longer value is a later version's, use its start. */
static void meta_number(void *dst, size_t size, const unsigned char *v, size_t len)
{
	if (len >= size)
		memcpy(dst, v, size);
}

static int meta_field(struct hst_log_meta *m, uint16_t tag, const unsigned char *v, size_t len)
{
	switch (tag) {
	case HST_LOG_TAG_ARCH:
		meta_string(m->arch, sizeof m->arch, v, len);
		if (strcmp(m->arch, "x86_64") != 0)
			return HSTRACE_E_LOG_ARCH;
		break;
	case HST_LOG_TAG_KERNEL:
		meta_string(m->kernel, sizeof m->kernel, v, len);
		break;
	case HST_LOG_TAG_VERSION:
		meta_string(m->version, sizeof m->version, v, len);
		break;
	case HST_LOG_TAG_CMDLINE:
		meta_cmdline(m->cmdline, sizeof m->cmdline, v, len);
		break;
	case HST_LOG_TAG_CLOCK_REAL:
		meta_number(&m->clock_real_ns, sizeof m->clock_real_ns, v, len);
		break;
	case HST_LOG_TAG_CLOCK_MONO:
		meta_number(&m->clock_mono_ns, sizeof m->clock_mono_ns, v, len);
		break;
	case HST_LOG_TAG_STRSIZE:
		meta_number(&m->strsize, sizeof m->strsize, v, len);
		break;
	default:
		break; /* HST_LOG_TAG_PIDS is not shown; later tags are unknown */
	}
	return 0;
}

static int meta_parse(const unsigned char *p, uint32_t len, struct hst_log_meta *m)
{
	size_t off = 0;

	while (len - off >= sizeof(struct hst_log_tlv)) {
		struct hst_log_tlv tlv;
		size_t step;
		int rc;

		memcpy(&tlv, p + off, sizeof tlv);
		off += sizeof tlv;
		if (tlv.len > len - off)
			break; /* the CRC held, so a writer made this: keep what came before */
		rc = meta_field(m, tlv.tag, p + off, tlv.len);
		if (rc < 0)
			return rc;
		step = HST_ALIGN8((size_t)tlv.len);
		off += step < len - off ? step : len - off;
	}
	return 0;
}

static int reader_check_header(struct hst_log_reader *r)
{
	const unsigned char *p;
	uint32_t version;
	ssize_t got = window(r, 0, LOG_FILE_HDR_SIZE, &p);

	if (got < 0)
		return (int)got;
	if ((size_t)got < LOG_FILE_HDR_SIZE || memcmp(p, HST_LOG_MAGIC, sizeof HST_LOG_MAGIC) != 0)
		return HSTRACE_E_NOT_A_LOG;
	memcpy(&version, p + sizeof HST_LOG_MAGIC, sizeof version);
	if (version != HST_LOG_VERSION)
		return HSTRACE_E_LOG_VERSION;
	/* The flags word is 0 in version 1; unknown flags are ignored. */
	r->pos = LOG_FILE_HDR_SIZE;
	return 0;
}

/*
 * Parse META if the first block is an intact one.  Otherwise (cut short,
 * damaged) leave it to hst_log_reader_next(), which reports it like any
 * other block with the offset, and show empty metadata.
 */
static int reader_read_meta(struct hst_log_reader *r, struct hst_log_meta *meta)
{
	struct block b;
	int st = block_check(r, r->pos, &b);
	int rc;

	if (st < 0)
		return st;
	if (st != BLOCK_INTACT || b.hdr.type != HST_LOG_BLK_META)
		return 0;
	rc = meta_parse(b.payload, b.hdr.len, meta);
	if (rc < 0)
		return rc;
	r->blocks++;
	r->pos = b.end;
	return 0;
}

/* A window the size of a small log, else a chunk that makes read(2) calls few. */
static int reader_alloc_window(struct hst_log_reader *r)
{
	struct stat st;

	r->buf_cap = LOG_READ_CHUNK;
	if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < LOG_READ_CHUNK)
		r->buf_cap = st.st_size < 4096 ? 4096 : (size_t)st.st_size;
	r->buf = malloc(r->buf_cap);
	return r->buf ? 0 : -ENOMEM;
}

int hst_log_reader_open(struct hst_log_reader **out, const char *path, struct hst_log_meta *meta)
{
	struct hst_log_meta scratch;
	struct hst_log_reader *r;
	int rc;

	*out = NULL;
	if (!meta)
		meta = &scratch;
	memset(meta, 0, sizeof *meta);
	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		rc = -errno;
		goto fail_open;
	}
	rc = reader_alloc_window(r);
	if (rc < 0)
		goto fail_window;
	rc = reader_check_header(r);
	if (rc == 0)
		rc = reader_read_meta(r, meta);
	if (rc < 0)
		goto fail_head;
	*out = r;
	return 0;

fail_head:
	memset(meta, 0, sizeof *meta);
	free(r->buf);
fail_window:
	close(r->fd);
fail_open:
	free(r);
	return rc;
}

uint64_t hst_log_reader_offset(const struct hst_log_reader *r)
{
	return r->pos;
}

uint64_t hst_log_reader_records(const struct hst_log_reader *r)
{
	return r->records;
}

uint64_t hst_log_reader_damage(const struct hst_log_reader *r)
{
	return r->damage;
}

void hst_log_reader_close(struct hst_log_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	free(r->buf);
	free(r);
}
