/*
 * fuzz_log: the input is a log file image (what --out writes).  It is put
 * in a memfd and read back with the log reader, as --read does; every
 * record the reader hands out is copied to a buffer of exactly its size
 * (so ASan sees a decoder or renderer reading past the record), checked to
 * pass hst_raw_validate as the reader promises, decoded and rendered by
 * every renderer (fuzz_render.c).  The reader must end on any input, and
 * once it has returned something other than 1 keep returning the same.
 *
 * Almost every mutation breaks a block's CRC-32C, after which the reader
 * rightly skips the block and its records never reach the decoder.  So each
 * input is read twice: as it is (damage, resync, truncation), and with the
 * CRC of every block whose header frames it recomputed, so that mutated
 * records inside get through and the record framing checks are what
 * stands between them and the decoder.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "fuzz_render.h"

/* CRC-32C, bit by bit: the reader's own is not exported, and this one is
 * written independently of it. */
static uint32_t crc32c(const unsigned char *p, size_t n)
{
	uint32_t c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
	}
	return ~c;
}

/* Give every block that a sync word and a fitting length frame its right CRC. */
static void fix_crcs(unsigned char *log, size_t size)
{
	size_t off = 16;

	while (off + sizeof(struct hst_log_block_hdr) <= size) {
		struct hst_log_block_hdr hdr;
		size_t room = size - off - sizeof(hdr);

		memcpy(&hdr, log + off, sizeof(hdr));
		if (hdr.sync != HST_LOG_SYNC || hdr.len > room) {
			off += 8;
			continue;
		}
		hdr.crc = crc32c(log + off + sizeof(hdr), hdr.len);
		memcpy(log + off, &hdr, sizeof(hdr));
		off += sizeof(hdr) + HST_ALIGN8((size_t)hdr.len);
	}
}

/* An fd whose path the reader can open; the data stays in memory. */
static int memfd_with(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_log", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0) {
		perror("fuzz_log: memfd_create");
		abort();
	}
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0) {
			perror("fuzz_log: write");
			abort();
		}
		done += (size_t)n;
	}
	return fd;
}

static void read_all(struct hst_log_reader *r)
{
	struct fuzz_sinks *s = fuzz_sinks_new();
	const struct hst_raw *rec;
	int rc, again;

	while ((rc = hst_log_reader_next(r, &rec)) == 1) {
		struct hst_raw *copy;

		if (hst_raw_validate(rec, rec->size) < 0) {
			fprintf(stderr, "fuzz_log: the reader returned a record that fails validation\n");
			abort();
		}
		copy = malloc(rec->size);
		if (!copy)
			abort();
		memcpy(copy, rec, rec->size);
		fuzz_sinks_raw(s, copy);
		free(copy);
	}
	again = hst_log_reader_next(r, &rec);
	if (again != rc || rec) {
		fprintf(stderr, "fuzz_log: next() returned %d, then %d\n", rc, again);
		abort();
	}
	fuzz_sinks_finish(s);
}

static void read_image(const uint8_t *data, size_t size)
{
	struct hst_log_meta meta;
	struct hst_log_reader *r;
	char path[64];
	int fd = memfd_with(data, size);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (hst_log_reader_open(&r, path, &meta) == 0) {
		if (memchr(meta.arch, 0, sizeof(meta.arch)) == NULL ||
		    memchr(meta.kernel, 0, sizeof(meta.kernel)) == NULL ||
		    memchr(meta.version, 0, sizeof(meta.version)) == NULL ||
		    memchr(meta.cmdline, 0, sizeof(meta.cmdline)) == NULL)
			abort(); /* META strings are promised NUL-terminated */
		read_all(r);
		hst_log_reader_close(r);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *fixed = malloc(size ? size : 1);

	if (!fixed)
		abort();
	read_image(data, size);
	memcpy(fixed, data, size);
	fix_crcs(fixed, size);
	if (memcmp(fixed, data, size) != 0)
		read_image(fixed, size);
	free(fixed);
	return 0;
}
