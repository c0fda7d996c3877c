/*
 * Tests for the binary log (src/core/log.c).
 *
 * Records are generated from a seeded PRNG with seq = their index, so a
 * record the reader returns is checked byte for byte against the original of
 * that seq, and the list of seqs returned says exactly which blocks made it.
 * Damage tests work on small logs, so that every byte offset and every bit
 * can be tried, and compare with what the block map of the intact file
 * predicts.  Files live under /tmp and are removed by the suite's fini.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hstrace/hstrace.h>

#include "core/log.h"

/* ------------------------------------------------------------------------
 * Temporary files
 */

static char tmp_paths[8][64];
static int ntmp;

static int tmp_file(char **path)
{
	int fd;

	cr_assert(ntmp < 8);
	strcpy(tmp_paths[ntmp], "/tmp/hst_test_log_XXXXXX");
	fd = mkstemp(tmp_paths[ntmp]);
	cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
	*path = tmp_paths[ntmp++];
	return fd;
}

static void tmp_cleanup(void)
{
	for (int i = 0; i < ntmp; i++)
		unlink(tmp_paths[i]);
	ntmp = 0;
}

TestSuite(log, .fini = tmp_cleanup);

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	cr_assert(fd >= 0);
	cr_assert_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* ------------------------------------------------------------------------
 * Reference CRC-32C, bit by bit, to check the log's against
 */

static uint32_t ref_crc32c(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t c = ~0u;

	while (len--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
	}
	return ~c;
}

/* ------------------------------------------------------------------------
 * Generated records
 */

struct recset {
	unsigned char *arena; /* records back to back, 8-aligned */
	size_t len, cap;
	size_t *off;          /* record seq starts at arena + off[seq] */
	size_t n;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mostly small captures, some pages, and with big set a rare one past the 256 KiB flush. */
static uint32_t cap_len(uint64_t *s, bool big)
{
	uint64_t pick = rnd(s) % 1000;

	if (big && pick < 2)
		return (uint32_t)(200000 + rnd(s) % 150000);
	if (big && pick < 60)
		return (uint32_t)(rnd(s) % 8192);
	return (uint32_t)(rnd(s) % 80);
}

static void rec_fill(unsigned char *p, size_t hdr, size_t size, uint64_t seq, uint64_t *s)
{
	struct hst_raw *r = (struct hst_raw *)p;

	r->size = (uint32_t)size;
	r->kind = (uint16_t)(1 + rnd(s) % 9);
	r->flags = (uint16_t)(rnd(s) & 0x1f);
	r->seq = seq;
	r->ts_ns = rnd(s);
	r->tid = (int32_t)(rnd(s) % 100000);
	r->tgid = (int32_t)(rnd(s) % 100000);
	r->nr = (int32_t)(rnd(s) % 460);
	r->hdr_size = (uint16_t)hdr;
	for (int i = 0; i < 6; i++)
		r->args[i] = rnd(s);
	r->rval = (int64_t)rnd(s);
	for (size_t i = sizeof *r; i < hdr; i++) /* a later version's header fields */
		p[i] = (unsigned char)rnd(s);
}

static void rec_add(struct recset *rs, uint64_t *s, bool big)
{
	uint32_t lens[4];
	unsigned ncaps = (unsigned)(rnd(s) % 5);
	size_t hdr = rnd(s) % 16 == 0 ? 104 : 96;
	size_t size = hdr, off;
	unsigned char *p;

	for (unsigned i = 0; i < ncaps; i++) {
		lens[i] = cap_len(s, big);
		size += sizeof(struct hst_cap) + HST_ALIGN8(lens[i]);
	}
	if (rs->len + size > rs->cap) {
		rs->cap = 2 * (rs->len + size);
		rs->arena = realloc(rs->arena, rs->cap);
		cr_assert_not_null(rs->arena);
	}
	p = rs->arena + rs->len;
	memset(p, 0, size);
	rec_fill(p, hdr, size, rs->n, s);
	((struct hst_raw *)p)->ncaps = (uint16_t)ncaps;
	off = hdr;
	for (unsigned i = 0; i < ncaps; i++) {
		struct hst_cap c = { .arg = (uint8_t)(rnd(s) % 6), .kind = (uint8_t)(1 + rnd(s) % 4),
				     .flags = (uint16_t)(rnd(s) % 4), .len = lens[i], .aux = rnd(s) };

		memcpy(p + off, &c, sizeof c);
		off += sizeof c;
		for (uint32_t k = 0; k < lens[i]; k++)
			p[off + k] = (unsigned char)rnd(s);
		off += HST_ALIGN8(lens[i]);
	}
	rs->off[rs->n++] = rs->len;
	rs->len += size;
}

static void recset_make(struct recset *rs, size_t n, uint64_t seed, bool big)
{
	uint64_t s = seed | 1;

	memset(rs, 0, sizeof *rs);
	rs->off = calloc(n, sizeof *rs->off);
	cr_assert_not_null(rs->off);
	for (size_t i = 0; i < n; i++)
		rec_add(rs, &s, big);
}

static void recset_free(struct recset *rs)
{
	free(rs->arena);
	free(rs->off);
}

static const struct hst_raw *rec_at(const struct recset *rs, size_t seq)
{
	return (const struct hst_raw *)(rs->arena + rs->off[seq]);
}

/* ------------------------------------------------------------------------
 * Writing and reading whole logs
 */

static const char *const test_argv[] = { "ls", "-l", "/tmp dir", NULL };

static struct hst_log_meta test_meta(void)
{
	struct hst_log_meta m = { .clock_real_ns = 1700000000123456789ull,
				  .clock_mono_ns = 987654321ull, .strsize = 64 };

	strcpy(m.arch, "x86_64");
	strcpy(m.kernel, "6.1.0-test");
	strcpy(m.version, "9.8.7");
	return m;
}

/* Write rs to a new file, flushing after every flush_every records (0: never). */
static char *write_log(const struct recset *rs, size_t flush_every, size_t *size)
{
	struct hst_log_meta m = test_meta();
	struct hst_log_writer *w;
	char *path;
	int fd = tmp_file(&path);

	cr_assert_eq(hst_log_writer_open(&w, fd, &m, test_argv), 0);
	for (size_t i = 0; i < rs->n; i++) {
		cr_assert_eq(hst_log_writer_append(w, rec_at(rs, i)), 0);
		if (flush_every && (i + 1) % flush_every == 0)
			cr_assert_eq(hst_log_writer_flush(w), 0);
	}
	cr_assert_eq(hst_log_writer_records(w), rs->n);
	cr_assert_eq(hst_log_writer_close(w), 0);
	*size = (size_t)lseek(fd, 0, SEEK_END);
	close(fd);
	return path;
}

struct readout {
	int open_rc;
	int status;
	uint64_t damage, offset, records;
	size_t n;
	uint64_t *seqs;       /* seqs returned, in order */
	bool mismatch;        /* a record that is not an original, or misaligned */
	struct hst_log_meta meta;
};

static bool rec_is_original(const struct recset *rs, const struct hst_raw *rec)
{
	if ((uintptr_t)rec & 7u || rec->seq >= rs->n)
		return false;
	if (rec->size != rec_at(rs, rec->seq)->size)
		return false;
	return memcmp(rec, rec_at(rs, rec->seq), rec->size) == 0;
}

static void read_log(const char *path, const struct recset *rs, struct readout *out)
{
	struct hst_log_reader *r;
	const struct hst_raw *rec;
	int rc;

	free(out->seqs);
	memset(out, 0, sizeof *out);
	out->seqs = calloc(rs->n + 1, sizeof *out->seqs);
	out->open_rc = hst_log_reader_open(&r, path, &out->meta);
	if (out->open_rc < 0)
		return;
	while ((rc = hst_log_reader_next(r, &rec)) == 1) {
		if (out->n >= rs->n || !rec_is_original(rs, rec)) {
			out->mismatch = true;
			break;
		}
		out->seqs[out->n++] = rec->seq;
	}
	out->status = rc;
	/* Once stopped, the reader keeps saying so. */
	if (rc != 1 && hst_log_reader_next(r, &rec) != rc)
		out->mismatch = true;
	out->damage = hst_log_reader_damage(r);
	out->offset = hst_log_reader_offset(r);
	out->records = hst_log_reader_records(r);
	hst_log_reader_close(r);
}

/* Whether out returned exactly seqs [0, n) except [skip_from, skip_to). */
static bool seqs_are(const struct readout *out, size_t n, size_t skip_from, size_t skip_to)
{
	size_t k = 0;

	for (size_t seq = 0; seq < n; seq++) {
		if (seq >= skip_from && seq < skip_to)
			continue;
		if (k >= out->n || out->seqs[k] != seq)
			return false;
		k++;
	}
	return k == out->n && out->records == out->n && !out->mismatch;
}

/* ------------------------------------------------------------------------
 * The block map of an intact file, as the format defines it
 */

struct blk {
	uint64_t start, end;
	uint32_t type, count;
	size_t first_seq;     /* RECORDS: seq of the first record */
};

static size_t map_blocks(const unsigned char *file, size_t size, struct blk *out, size_t max)
{
	size_t n = 0, seq = 0;
	uint64_t off = 16;

	while (off < size) {
		struct hst_log_block_hdr h;

		cr_assert(n < max);
		memcpy(&h, file + off, sizeof h);
		cr_assert_eq(h.sync, HST_LOG_SYNC);
		cr_assert_eq(h.crc, ref_crc32c(file + off + sizeof h, h.len), "CRC-32C of block %zu", n);
		out[n] = (struct blk){ .start = off, .type = h.type, .first_seq = seq,
				       .end = off + sizeof h + HST_ALIGN8((uint64_t)h.len) };
		if (h.type == HST_LOG_BLK_RECORDS)
			memcpy(&out[n].count, file + off + sizeof h, sizeof out[n].count);
		seq += out[n].count;
		off = out[n++].end;
	}
	cr_assert_eq(off, size);
	return n;
}

/* Append a block with a correct CRC to buf at *len. */
static void put_block(unsigned char *buf, size_t *len, uint32_t type, const void *payload, uint32_t plen)
{
	struct hst_log_block_hdr h = { HST_LOG_SYNC, type, plen, ref_crc32c(payload, plen) };

	memcpy(buf + *len, &h, sizeof h);
	memset(buf + *len + sizeof h, 0, HST_ALIGN8(plen));
	memcpy(buf + *len + sizeof h, payload, plen);
	*len += sizeof h + HST_ALIGN8(plen);
}

static void reseal_block(unsigned char *file, const struct blk *b)
{
	struct hst_log_block_hdr h;

	memcpy(&h, file + b->start, sizeof h);
	h.crc = ref_crc32c(file + b->start + sizeof h, h.len);
	memcpy(file + b->start, &h, sizeof h);
}

/* ------------------------------------------------------------------------
 * Round trip
 */

Test(log, crc32c_reference_check_value)
{
	cr_assert_eq(ref_crc32c("123456789", 9), 0xE3069283u);
}

static void check_round_trip_blocks(const char *path, size_t nrec)
{
	struct blk blocks[256];
	size_t size, nblk, total = 0;
	unsigned char *file = read_file(path, &size);

	/* map_blocks checks every CRC against the reference implementation. */
	nblk = map_blocks(file, size, blocks, 256);
	cr_assert(nblk > 5);
	cr_assert_eq(blocks[0].type, HST_LOG_BLK_META);
	cr_assert_eq(blocks[nblk - 1].type, HST_LOG_BLK_END);
	for (size_t i = 1; i + 1 < nblk; i++) {
		cr_assert_eq(blocks[i].type, HST_LOG_BLK_RECORDS);
		cr_assert(blocks[i].count == 1 || blocks[i].end - blocks[i].start - 16 <= 256 * 1024,
			  "block %zu holds %u records in %llu bytes", i, blocks[i].count,
			  (unsigned long long)(blocks[i].end - blocks[i].start));
		total += blocks[i].count;
	}
	cr_assert_eq(total, nrec);
	free(file);
}

Test(log, round_trip_thousands_of_records)
{
	struct recset rs;
	struct readout out = { 0 };
	size_t size;
	char *path;

	recset_make(&rs, 5000, 0x1234, true);
	path = write_log(&rs, 777, &size);
	read_log(path, &rs, &out);
	cr_assert_eq(out.open_rc, 0);
	cr_assert_eq(out.status, 0);
	cr_assert(seqs_are(&out, rs.n, 0, 0), "got %zu records", out.n);
	cr_assert_eq(out.damage, 0);
	cr_assert_eq(out.offset, size);
	cr_assert_str_eq(out.meta.arch, "x86_64");
	cr_assert_str_eq(out.meta.kernel, "6.1.0-test");
	cr_assert_str_eq(out.meta.version, "9.8.7");
	cr_assert_str_eq(out.meta.cmdline, "ls -l /tmp dir");
	cr_assert_eq(out.meta.clock_real_ns, 1700000000123456789ull);
	cr_assert_eq(out.meta.clock_mono_ns, 987654321ull);
	cr_assert_eq(out.meta.strsize, 64);
	check_round_trip_blocks(path, rs.n);
	free(out.seqs);
	recset_free(&rs);
}

Test(log, writer_counts_bytes_and_records)
{
	struct recset rs;
	struct hst_log_writer *w;
	struct stat st;
	off_t before;
	char *path;
	int fd = tmp_file(&path);

	recset_make(&rs, 300, 99, false);
	cr_assert_eq(hst_log_writer_open(&w, fd, NULL, NULL), 0);
	for (size_t i = 0; i < rs.n; i++)
		cr_assert_eq(hst_log_writer_append(w, rec_at(&rs, i)), 0);
	cr_assert_eq(hst_log_writer_records(w), 300);
	cr_assert_eq(hst_log_writer_flush(w), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(hst_log_writer_bytes(w), (uint64_t)st.st_size);
	cr_assert_eq(hst_log_writer_flush(w), 0); /* nothing buffered: no empty block */
	cr_assert_eq(hst_log_writer_bytes(w), (uint64_t)st.st_size);
	before = st.st_size;
	cr_assert_eq(hst_log_writer_close(w), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(st.st_size, before + 32, "the END block is 32 bytes");
	close(fd);
	recset_free(&rs);
}

Test(log, meta_defaults_from_this_machine)
{
	struct recset rs;
	struct readout out = { 0 };
	struct hst_log_writer *w;
	struct utsname uts;
	char *path;
	int fd = tmp_file(&path);

	recset_make(&rs, 3, 5, false);
	cr_assert_eq(hst_log_writer_open(&w, fd, NULL, NULL), 0);
	cr_assert_eq(hst_log_writer_close(w), 0);
	close(fd);
	read_log(path, &rs, &out);
	cr_assert_eq(out.open_rc, 0);
	cr_assert_eq(out.status, 0);
	cr_assert_eq(out.n, 0);
	cr_assert_eq(uname(&uts), 0);
	cr_assert_str_eq(out.meta.arch, "x86_64");
	cr_assert_str_eq(out.meta.kernel, uts.release);
	cr_assert_str_eq(out.meta.version, HSTRACE_VERSION_STRING);
	cr_assert_str_eq(out.meta.cmdline, "");
	cr_assert_neq(out.meta.clock_real_ns, 0);
	cr_assert_neq(out.meta.clock_mono_ns, 0);
	free(out.seqs);
	recset_free(&rs);
}

Test(log, meta_cmdline_from_meta_and_truncated)
{
	struct hst_log_meta m = test_meta(), got;
	struct hst_log_writer *w;
	struct hst_log_reader *r;
	const char *argv[301];
	char *path;
	int fd = tmp_file(&path);

	strcpy(m.cmdline, "sleep 1");
	cr_assert_eq(hst_log_writer_open(&w, fd, &m, NULL), 0);
	cr_assert_eq(hst_log_writer_close(w), 0);
	cr_assert_eq(hst_log_reader_open(&r, path, &got), 0);
	cr_assert_str_eq(got.cmdline, "sleep 1");
	hst_log_reader_close(r);

	for (int i = 0; i < 300; i++)
		argv[i] = "abcdefgh";
	argv[300] = NULL;
	cr_assert_eq(ftruncate(fd, 0), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(hst_log_writer_open(&w, fd, &m, argv), 0);
	cr_assert_eq(hst_log_writer_close(w), 0);
	cr_assert_eq(hst_log_reader_open(&r, path, &got), 0);
	cr_assert_eq(strlen(got.cmdline), sizeof got.cmdline - 1);
	cr_assert_eq(strncmp(got.cmdline, "abcdefgh abcdefgh ", 18), 0);
	hst_log_reader_close(r);
	close(fd);
}

/* Hand-built: unknown META tags and block types are skipped by length. */
static size_t build_extended_log(unsigned char *buf, const struct recset *rs, uint64_t end_records)
{
	static const unsigned char meta[] = {
		99, 0, 0, 0, 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0,      /* unknown tag */
		HST_LOG_TAG_ARCH, 0, 0, 0, 6, 0, 0, 0, 'x', '8', '6', '_', '6', '4', 0, 0,
		HST_LOG_TAG_CMDLINE, 0, 0, 0, 6, 0, 0, 0, 'a', 0, 'b', ' ', 'c', 0, 0, 0,
		HST_LOG_TAG_STRSIZE, 0, 0, 0, 8, 0, 0, 0, 77, 0, 0, 0, 1, 0, 0, 0, /* longer value */
		HST_LOG_TAG_KERNEL, 0, 0, 0, 1, 0, 0, 0, 'k', 0, 0, 0, 0, 0, 0, 0,
	};
	unsigned char records[8192];
	uint32_t count_reserved[2] = { (uint32_t)rs->n, 0 };
	uint64_t end[2] = { end_records, 4 };
	size_t len = 0;

	memcpy(buf, "HSTRACE\0\1\0\0\0\0\0\0\0", 16);
	len = 16;
	put_block(buf, &len, HST_LOG_BLK_META, meta, sizeof meta);
	put_block(buf, &len, 42, "twenty bytes of junk", 20);
	memcpy(records, count_reserved, 8);
	cr_assert(rs->len + 8 <= sizeof records);
	memcpy(records + 8, rs->arena, rs->len);
	put_block(buf, &len, HST_LOG_BLK_RECORDS, records, (uint32_t)(8 + rs->len));
	put_block(buf, &len, 0x7777, "", 0);
	put_block(buf, &len, HST_LOG_BLK_END, end, sizeof end);
	return len;
}

Test(log, unknown_tags_and_block_types_are_skipped)
{
	static unsigned char buf[16384];
	struct recset rs;
	struct readout out = { 0 };
	char *path;

	close(tmp_file(&path));
	recset_make(&rs, 10, 77, false);
	write_file(path, buf, build_extended_log(buf, &rs, 10));
	read_log(path, &rs, &out);
	cr_assert_eq(out.open_rc, 0);
	cr_assert_eq(out.status, 0);
	cr_assert(seqs_are(&out, 10, 0, 0));
	cr_assert_eq(out.damage, 0);
	cr_assert_str_eq(out.meta.arch, "x86_64");
	cr_assert_str_eq(out.meta.cmdline, "a b c");
	cr_assert_str_eq(out.meta.kernel, "k");
	cr_assert_eq(out.meta.strsize, 77);

	/* An END whose totals disagree with an undamaged read is not a clean end. */
	write_file(path, buf, build_extended_log(buf, &rs, 11));
	read_log(path, &rs, &out);
	cr_assert_eq(out.status, HSTRACE_E_LOG_CORRUPT);
	cr_assert(seqs_are(&out, 10, 0, 0));
	free(out.seqs);
	recset_free(&rs);
}

/* ------------------------------------------------------------------------
 * Files that are not logs, or not ours
 */

static int open_status(const char *path)
{
	struct hst_log_meta m;
	struct hst_log_reader *r = (struct hst_log_reader *)&m; /* not NULL: open must clear it */
	int rc = hst_log_reader_open(&r, path, &m);

	if (rc == 0)
		hst_log_reader_close(r);
	else
		cr_assert_null(r);
	return rc;
}

Test(log, wrong_version_magic_arch)
{
	struct recset rs;
	struct hst_log_meta m = test_meta();
	struct hst_log_writer *w;
	unsigned char *file;
	size_t size;
	char *path, *path2;
	int fd;

	recset_make(&rs, 20, 3, false);
	path = write_log(&rs, 0, &size);
	file = read_file(path, &size);
	file[8] = 2;
	write_file(path, file, size);
	cr_assert_eq(open_status(path), HSTRACE_E_LOG_VERSION);
	file[8] = 1;
	file[3] ^= 0x20; /* "HStRACE" */
	write_file(path, file, size);
	cr_assert_eq(open_status(path), HSTRACE_E_NOT_A_LOG);

	fd = tmp_file(&path2);
	strcpy(m.arch, "aarch64");
	cr_assert_eq(hst_log_writer_open(&w, fd, &m, NULL), 0);
	cr_assert_eq(hst_log_writer_close(w), 0);
	close(fd);
	cr_assert_eq(open_status(path2), HSTRACE_E_LOG_ARCH);
	free(file);
	recset_free(&rs);
}

Test(log, empty_short_missing_and_directory)
{
	unsigned char hdr[16];
	char *path;

	close(tmp_file(&path));
	cr_assert_eq(open_status(path), HSTRACE_E_NOT_A_LOG);
	memcpy(hdr, "HSTRACE\0\1\0\0\0\0\0\0\0", 16);
	for (size_t n = 1; n < 16; n++) {
		write_file(path, hdr, n);
		cr_assert_eq(open_status(path), HSTRACE_E_NOT_A_LOG, "%zu bytes", n);
	}
	cr_assert_eq(open_status("/tmp/hst_test_log_does_not_exist"), -ENOENT);
	cr_assert_eq(open_status("/tmp"), -EISDIR);
}

Test(log, random_bytes)
{
	static unsigned char buf[1 << 20];
	struct recset rs = { 0 };
	struct readout out = { 0 };
	uint64_t s = 42;
	char *path;

	close(tmp_file(&path));
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)rnd(&s);
	write_file(path, buf, sizeof buf);
	cr_assert_eq(open_status(path), HSTRACE_E_NOT_A_LOG);

	/* A valid file header, then noise salted with sync words and lengths. */
	memcpy(buf, "HSTRACE\0\1\0\0\0\0\0\0\0", 16);
	for (size_t off = 16; off + 16 <= sizeof buf; off += 8 * (1 + rnd(&s) % 64)) {
		struct hst_log_block_hdr h = { HST_LOG_SYNC, (uint32_t)(rnd(&s) % 4),
					       (uint32_t)(rnd(&s) % 4096), (uint32_t)rnd(&s) };

		memcpy(buf + off, &h, sizeof h);
	}
	write_file(path, buf, sizeof buf);
	recset_make(&rs, 1, 1, false);
	read_log(path, &rs, &out);
	cr_assert_eq(out.open_rc, 0);
	cr_assert(out.status == HSTRACE_E_LOG_CORRUPT || out.status == HSTRACE_E_LOG_TRUNCATED,
		  "status %d", out.status);
	cr_assert_eq(out.n, 0);
	cr_assert_eq(out.offset, 16);
	free(out.seqs);
	recset_free(&rs);
}

/* ------------------------------------------------------------------------
 * Truncation: a cut at every byte
 */

Test(log, cut_at_every_offset)
{
	struct recset rs;
	struct readout out = { 0 };
	struct blk blocks[32];
	size_t size, nblk;
	unsigned char *file;
	char *path;
	int fd;

	recset_make(&rs, 30, 7, false);
	path = write_log(&rs, 6, &size);
	file = read_file(path, &size);
	nblk = map_blocks(file, size, blocks, 32);
	cr_assert_eq(nblk, 7);
	fd = open(path, O_WRONLY);
	cr_assert(fd >= 0);
	/* Truncating downwards keeps the prefix: every cut of the same log. */
	for (size_t cut = size + 1; cut-- > 0;) {
		size_t whole = 0, k = 0;

		cr_assert_eq(ftruncate(fd, (off_t)cut), 0);
		read_log(path, &rs, &out);
		if (cut < 16) {
			cr_assert_eq(out.open_rc, HSTRACE_E_NOT_A_LOG, "cut %zu", cut);
			continue;
		}
		cr_assert_eq(out.open_rc, 0, "cut %zu", cut);
		for (; k < nblk && blocks[k].end <= cut; k++)
			whole += blocks[k].count;
		cr_assert(seqs_are(&out, whole, 0, 0), "cut %zu: %zu records, want %zu", cut, out.n, whole);
		cr_assert_eq(out.status, cut == size ? 0 : HSTRACE_E_LOG_TRUNCATED, "cut %zu", cut);
		cr_assert_eq(out.offset, cut == size ? size : blocks[k].start, "cut %zu", cut);
		cr_assert_eq(out.damage, 0, "cut %zu", cut);
		cr_assert_str_eq(out.meta.arch, cut >= blocks[0].end ? "x86_64" : "", "cut %zu", cut);
	}
	close(fd);
	free(out.seqs);
	free(file);
	recset_free(&rs);
}

/* ------------------------------------------------------------------------
 * Damage: a flipped bit anywhere
 */

struct flip_case {
	const struct recset *rs;
	const struct blk *blocks;
	size_t nblk;
	size_t size;
};

/* What must hold whatever bit flipped: no crash, nothing invented, no silent loss. */
static void check_flip_invariants(const struct flip_case *fc, const struct readout *out, size_t bit)
{
	cr_assert(!out->mismatch, "bit %zu: a record that was never written", bit);
	for (size_t i = 1; i < out->n; i++)
		cr_assert(out->seqs[i] > out->seqs[i - 1], "bit %zu: records out of order", bit);
	cr_assert(out->open_rc == 0 || out->open_rc == HSTRACE_E_NOT_A_LOG ||
		  out->open_rc == HSTRACE_E_LOG_VERSION, "bit %zu: open %d", bit, out->open_rc);
	if (out->open_rc == 0)
		cr_assert(out->status == 0 || out->status == HSTRACE_E_LOG_TRUNCATED ||
			  out->status == HSTRACE_E_LOG_CORRUPT, "bit %zu: status %d", bit, out->status);
	if (out->open_rc == 0 && out->status == 0 && out->damage == 0)
		cr_assert_eq(out->n, fc->rs->n, "bit %zu: records lost without a word", bit);
}

/* What a flip in block b must do, outside its type field. */
static void check_flip_in_block(const struct flip_case *fc, const struct readout *out,
				const struct blk *b, size_t bit)
{
	size_t rel = bit / 8 - b->start;

	cr_assert_eq(out->open_rc, 0, "bit %zu", bit);
	if (b->type == HST_LOG_BLK_END) {
		cr_assert(seqs_are(out, fc->rs->n, 0, 0), "bit %zu", bit);
		cr_assert(out->status == HSTRACE_E_LOG_CORRUPT ||
			  (rel >= 8 && rel < 12 && out->status == HSTRACE_E_LOG_TRUNCATED),
			  "bit %zu: status %d", bit, out->status);
		cr_assert_eq(out->offset, b->start, "bit %zu", bit);
		return;
	}
	cr_assert_eq(out->status, 0, "bit %zu: status %d", bit, out->status);
	cr_assert_eq(out->damage, 1, "bit %zu", bit);
	cr_assert(seqs_are(out, fc->rs->n, b->first_seq, b->first_seq + b->count),
		  "bit %zu: %zu records", bit, out->n);
	if (b->type == HST_LOG_BLK_META)
		cr_assert_str_eq(out->meta.arch, "", "bit %zu", bit);
}

static void check_flip(const struct flip_case *fc, const struct readout *out, size_t bit)
{
	size_t byte = bit / 8;

	check_flip_invariants(fc, out, bit);
	if (byte < 8) {
		cr_assert_eq(out->open_rc, HSTRACE_E_NOT_A_LOG, "bit %zu", bit);
	} else if (byte < 12) {
		cr_assert_eq(out->open_rc, HSTRACE_E_LOG_VERSION, "bit %zu", bit);
	} else if (byte < 16) {
		cr_assert(seqs_are(out, fc->rs->n, 0, 0) && out->status == 0, "flags bit %zu", bit);
	} else {
		for (size_t k = 0; k < fc->nblk; k++)
			if (byte >= fc->blocks[k].start && byte < fc->blocks[k].end &&
			    (byte - fc->blocks[k].start < 4 || byte - fc->blocks[k].start >= 8))
				check_flip_in_block(fc, out, &fc->blocks[k], bit);
	}
}

Test(log, flipped_bit_anywhere)
{
	struct recset rs;
	struct readout out = { 0 };
	struct blk blocks[32];
	struct flip_case fc;
	unsigned char *file;
	size_t size;
	char *path;
	int fd;

	recset_make(&rs, 16, 11, false);
	path = write_log(&rs, 4, &size);
	file = read_file(path, &size);
	fc = (struct flip_case){ &rs, blocks, map_blocks(file, size, blocks, 32), size };
	cr_assert_eq(fc.nblk, 6);
	fd = open(path, O_WRONLY);
	cr_assert(fd >= 0);
	for (size_t bit = 0; bit < size * 8; bit++) {
		unsigned char flipped = file[bit / 8] ^ (unsigned char)(1u << (bit % 8));

		cr_assert_eq(pwrite(fd, &flipped, 1, (off_t)(bit / 8)), 1);
		read_log(path, &rs, &out);
		check_flip(&fc, &out, bit);
		cr_assert_eq(pwrite(fd, &file[bit / 8], 1, (off_t)(bit / 8)), 1);
	}
	close(fd);
	free(out.seqs);
	free(file);
	recset_free(&rs);
}

/*
 * A record header made invalid with the CRC recomputed: framing alone must
 * reject the block.  Case 6 spoils the first capture of the block.
 */
static void mutate_first_record(unsigned char *payload, int how)
{
	struct hst_raw *rec = (struct hst_raw *)(payload + 8);
	uint32_t *count = (uint32_t *)payload;
	struct hst_raw *with_cap = rec;
	struct hst_cap *cap;

	for (uint32_t i = 1; i < *count && with_cap->ncaps == 0; i++)
		with_cap = (struct hst_raw *)((unsigned char *)with_cap + with_cap->size);
	cr_assert(with_cap->ncaps > 0, "no record with a capture in the block");
	cap = (struct hst_cap *)((unsigned char *)with_cap + with_cap->hdr_size);

	switch (how) {
	case 0: rec->size += 8; break;
	case 1: rec->size = 100; break;
	case 2: rec->size = 0; break;
	case 3: rec->hdr_size = 8; break;
	case 4: rec->hdr_size = (uint16_t)(rec->size + 8); break;
	case 5: rec->ncaps++; break;
	case 6: cap->len = 0xfffffff0u; break;
	case 7: (*count)++; break;
	case 8: (*count)--; break;
	default: rec->size = 0xfffffff8u; break;
	}
}

Test(log, bad_record_framing_damages_its_block)
{
	struct recset rs;
	struct readout out = { 0 };
	struct blk blocks[32];
	unsigned char *file;
	size_t size;
	char *path;

	recset_make(&rs, 40, 13, false);
	path = write_log(&rs, 8, &size);
	file = read_file(path, &size);
	cr_assert_eq(map_blocks(file, size, blocks, 32), 7);
	for (int how = 0; how < 10; how++) {
		const struct blk *b = &blocks[2];
		unsigned char *copy = malloc(size);

		cr_assert_not_null(copy);
		memcpy(copy, file, size);
		mutate_first_record(copy + b->start + 16, how);
		reseal_block(copy, b);
		write_file(path, copy, size);
		read_log(path, &rs, &out);
		cr_assert_eq(out.status, 0, "case %d", how);
		cr_assert_eq(out.damage, 1, "case %d", how);
		cr_assert(seqs_are(&out, rs.n, b->first_seq, b->first_seq + b->count), "case %d", how);
		free(copy);
	}
	free(out.seqs);
	free(file);
	recset_free(&rs);
}

Test(log, garbage_between_blocks_and_damage_before_a_cut)
{
	struct recset rs;
	struct readout out = { 0 };
	struct blk blocks[32];
	unsigned char *file, *big;
	size_t size, pos, gap = 1 << 20;
	uint64_t s = 5;
	char *path;

	recset_make(&rs, 20, 17, false);
	path = write_log(&rs, 5, &size);
	file = read_file(path, &size);
	cr_assert_eq(map_blocks(file, size, blocks, 32), 6);
	/* A megabyte of noise after the second RECORDS block: one damage, then on. */
	big = malloc(size + gap);
	pos = blocks[2].end;
	memcpy(big, file, pos);
	for (size_t i = 0; i < gap; i++)
		big[pos + i] = (unsigned char)rnd(&s);
	memcpy(big + pos + gap, file + pos, size - pos);
	write_file(path, big, size + gap);
	read_log(path, &rs, &out);
	cr_assert_eq(out.status, 0);
	cr_assert_eq(out.damage, 1);
	cr_assert(seqs_are(&out, rs.n, 0, 0));

	/* A damaged block with only a cut one after it: nothing intact follows. */
	file[blocks[3].start + 40] ^= 1;
	write_file(path, file, blocks[4].start + 30);
	read_log(path, &rs, &out);
	cr_assert_eq(out.status, HSTRACE_E_LOG_CORRUPT);
	cr_assert_eq(out.offset, blocks[3].start);
	cr_assert(seqs_are(&out, blocks[3].first_seq, 0, 0));
	free(big);
	free(out.seqs);
	free(file);
	recset_free(&rs);
}

Test(log, raw_validate)
{
	uint64_t mem[32] = { 0 };
	struct hst_raw *r = (struct hst_raw *)mem;
	struct hst_cap *c = (struct hst_cap *)(r + 1);

	*r = (struct hst_raw){ .size = 120, .kind = HST_RAW_SYSCALL_EXIT, .ncaps = 1, .hdr_size = 96 };
	*c = (struct hst_cap){ .kind = HST_CAP_STR, .len = 5 };
	cr_assert_eq(hst_raw_validate(r, 120), 0);
	cr_assert_eq(hst_raw_validate(r, 256), 0);
	cr_assert_eq(hst_raw_validate(r, 119), -1);
	cr_assert_eq(hst_raw_validate(r, 95), -1);
	c->len = 8;
	cr_assert_eq(hst_raw_validate(r, 120), 0);
	c->len = 9;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	c->len = 0xffffffffu;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	c->len = 5;
	r->ncaps = 2;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	r->ncaps = 1;
	r->size = 124;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	r->size = 88;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	r->size = 120;
	r->hdr_size = 88;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	r->hdr_size = 100;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	r->hdr_size = 128;
	cr_assert_eq(hst_raw_validate(r, 256), -1);
	/* A longer header from a later version, captures after it. */
	r->hdr_size = 104;
	r->size = 128;
	memmove((char *)r + 104, c, sizeof *c);
	cr_assert_eq(hst_raw_validate(r, 128), 0);
	r->ncaps = 0;
	r->size = 96;
	r->hdr_size = 96;
	cr_assert_eq(hst_raw_validate(r, 96), 0);
}

/* ------------------------------------------------------------------------
 * Writer errors
 */

Test(log, writer_rejects_bad_records)
{
	struct recset rs;
	struct readout out = { 0 };
	struct hst_log_writer *w;
	uint64_t mem[16] = { 0 };
	struct hst_raw *bad = (struct hst_raw *)mem;
	char *path;
	int fd = tmp_file(&path);

	recset_make(&rs, 4, 23, false);
	cr_assert_eq(hst_log_writer_open(&w, fd, NULL, NULL), 0);
	cr_assert_eq(hst_log_writer_append(w, rec_at(&rs, 0)), 0);
	*bad = (struct hst_raw){ .size = 96, .hdr_size = 8 };
	cr_assert_eq(hst_log_writer_append(w, bad), -EINVAL);
	/* Only the header is read before the size is refused. */
	*bad = (struct hst_raw){ .size = 65u << 20, .hdr_size = 96 };
	cr_assert_eq(hst_log_writer_append(w, bad), -EMSGSIZE);
	for (size_t i = 1; i < rs.n; i++)
		cr_assert_eq(hst_log_writer_append(w, rec_at(&rs, i)), 0);
	cr_assert_eq(hst_log_writer_records(w), rs.n);
	cr_assert_eq(hst_log_writer_close(w), 0);
	close(fd);
	read_log(path, &rs, &out);
	cr_assert_eq(out.status, 0);
	cr_assert(seqs_are(&out, rs.n, 0, 0));
	free(out.seqs);
	recset_free(&rs);
}

Test(log, writer_open_on_unwritable_fds)
{
	struct hst_log_writer *w = (struct hst_log_writer *)&w; /* not NULL: open must clear it */
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	int ro = open("/dev/null", O_RDONLY | O_CLOEXEC);

	cr_assert(full >= 0 && ro >= 0);
	cr_assert_eq(hst_log_writer_open(&w, full, NULL, NULL), -ENOSPC);
	cr_assert_null(w);
	cr_assert_eq(hst_log_writer_open(&w, ro, NULL, NULL), -EBADF);
	close(full);
	close(ro);
}

/* The disk fills up after the writer opened: swap /dev/full in under its fd. */
static void make_full(int fd)
{
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);

	cr_assert(full >= 0);
	cr_assert_eq(dup2(full, fd), fd);
	close(full);
}

Test(log, enospc_from_flush_append_and_close)
{
	struct recset rs;
	struct readout out = { 0 };
	struct hst_log_writer *w;
	char *path;
	int fd = tmp_file(&path);

	recset_make(&rs, 20, 29, false);
	cr_assert_eq(hst_log_writer_open(&w, fd, NULL, NULL), 0);
	for (size_t i = 0; i < 10; i++)
		cr_assert_eq(hst_log_writer_append(w, rec_at(&rs, i)), 0);
	cr_assert_eq(hst_log_writer_flush(w), 0);
	make_full(fd);
	cr_assert_eq(hst_log_writer_append(w, rec_at(&rs, 10)), 0); /* buffered */
	cr_assert_eq(hst_log_writer_flush(w), -ENOSPC);
	cr_assert_eq(hst_log_writer_append(w, rec_at(&rs, 11)), -ENOSPC);
	cr_assert_eq(hst_log_writer_flush(w), -ENOSPC);
	cr_assert_eq(hst_log_writer_close(w), -ENOSPC);
	close(fd);
	/* What reached the file before is still readable, and says it was cut. */
	read_log(path, &rs, &out);
	cr_assert_eq(out.status, HSTRACE_E_LOG_TRUNCATED);
	cr_assert(seqs_are(&out, 10, 0, 0));
	free(out.seqs);
	recset_free(&rs);
}

Test(log, enospc_from_an_append_that_flushes)
{
	static uint64_t mem[4096 / 8];
	struct hst_raw *rec = (struct hst_raw *)mem;
	struct hst_log_writer *w;
	char *path;
	int fd = tmp_file(&path), rc = 0;
	size_t n = 0;

	*rec = (struct hst_raw){ .size = sizeof mem, .hdr_size = 96 };
	cr_assert_eq(hst_log_writer_open(&w, fd, NULL, NULL), 0);
	make_full(fd);
	while (n < 1000 && (rc = hst_log_writer_append(w, rec)) == 0)
		n++;
	cr_assert_eq(rc, -ENOSPC);
	cr_assert_eq(n, 256 * 1024 / sizeof mem - 1, "appends before the flush: %zu", n);
	cr_assert_eq(hst_log_writer_append(w, rec), -ENOSPC);
	cr_assert_eq(hst_log_writer_close(w), -ENOSPC);
	close(fd);
}

/* A non-blocking pipe fills up: the writer waits instead of failing with EAGAIN. */
Test(log, nonblocking_pipe)
{
	struct recset rs;
	struct readout out = { 0 };
	struct hst_log_writer *w;
	int pipefd[2], status;
	char *path;
	int fd = tmp_file(&path);
	pid_t child;

	recset_make(&rs, 2000, 31, true);
	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		char buf[4096];
		ssize_t n;

		close(pipefd[1]);
		usleep(50000);
		while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
			if (write(fd, buf, (size_t)n) != n)
				_exit(1);
		_exit(n < 0);
	}
	close(pipefd[0]);
	cr_assert_eq(fcntl(pipefd[1], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(hst_log_writer_open(&w, pipefd[1], NULL, NULL), 0);
	for (size_t i = 0; i < rs.n; i++)
		cr_assert_eq(hst_log_writer_append(w, rec_at(&rs, i)), 0);
	cr_assert_eq(hst_log_writer_close(w), 0);
	close(pipefd[1]);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	read_log(path, &rs, &out);
	cr_assert_eq(out.status, 0);
	cr_assert(seqs_are(&out, rs.n, 0, 0));
	free(out.seqs);
	recset_free(&rs);
}
