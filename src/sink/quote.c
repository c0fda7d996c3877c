/*
 * The output buffer and strace's quoting.  See out.h.  Nothing here can let
 * a control byte through: every byte outside printable ASCII is escaped.
 */
#include <emmintrin.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sink/out.h"

void hst_out_init(struct hst_out *o, bool color)
{
	memset(o, 0, sizeof(*o));
	o->color = color;
}

void hst_out_free(struct hst_out *o)
{
	free(o->p);
	memset(o, 0, sizeof(*o));
}

static bool reserve(struct hst_out *o, size_t n)
{
	if (o->len + n <= o->cap)
		return true;
	size_t cap = o->cap ? o->cap : 4096;
	while (cap < o->len + n)
		cap *= 2;
	char *p = realloc(o->p, cap);
	if (!p) {
		o->oom = true;
		return false;
	}
	o->p = p;
	o->cap = cap;
	return true;
}

/* hst_out_put when the bytes do not fit: grow the buffer first. */
void hst_out_put_slow(struct hst_out *o, const char *s, size_t n)
{
	if (!n || !reserve(o, n))
		return;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/*
 * The printable columns of the line being built.  Looking for the newline
 * here, once per padded line, rather than in every append (a memrchr per
 * hst_out_put was a sixth of the text sink's time on a real program's log).
 */
static size_t column(const struct hst_out *o)
{
	const char *nl = o->len > o->mark ? memrchr(o->p + o->mark, '\n', o->len - o->mark) : NULL;

	return nl ? (size_t)(o->p + o->len - nl - 1) : o->mark_col + (o->len - o->mark);
}

/* Columns up to here are counted: later scans start at the end. */
static void mark_column(struct hst_out *o)
{
	o->mark_col = column(o);
	o->mark = o->len;
}

/* Bytes that take no column (colour escapes). */
static void put_invisible(struct hst_out *o, const char *s, size_t n)
{
	mark_column(o);
	hst_out_put(o, s, n);
	o->mark = o->len;
}

void hst_out_printf(struct hst_out *o, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	hst_out_put(o, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/*
 * Numbers without printf: the hot path of rendering (fds, sizes, return
 * values, addresses) spent a fifth of its time in vfprintf.
 */
void hst_out_udec(struct hst_out *o, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10));
	hst_out_put(o, p, (size_t)(buf + sizeof(buf) - p));
}

void hst_out_dec(struct hst_out *o, int64_t v)
{
	if (v < 0) {
		hst_out_put(o, "-", 1);
		hst_out_udec(o, 0 - (uint64_t)v);
	} else {
		hst_out_udec(o, (uint64_t)v);
	}
}

void hst_out_hex(struct hst_out *o, uint64_t v)
{
	char buf[20], *p = buf + sizeof(buf);

	do
		*--p = "0123456789abcdef"[v & 15];
	while ((v >>= 4));
	*--p = 'x';
	*--p = '0';
	hst_out_put(o, p, (size_t)(buf + sizeof(buf) - p));
}

void hst_out_oct(struct hst_out *o, uint64_t v)
{
	char buf[26], *p = buf + sizeof(buf);

	do
		*--p = (char)('0' + (v & 7));
	while ((v >>= 3));
	if (*p != '0')
		*--p = '0';
	while (buf + sizeof(buf) - p < 3)
		*--p = '0';
	hst_out_put(o, p, (size_t)(buf + sizeof(buf) - p));
}

void hst_out_color(struct hst_out *o, const char *sgr)
{
	if (!o->color)
		return;
	mark_column(o);
	hst_out_put(o, "\033[", 2);
	hst_out_puts(o, sgr);
	hst_out_put(o, "m", 1);
	o->mark = o->len;
}

void hst_out_reset(struct hst_out *o)
{
	if (o->color)
		put_invisible(o, "\033[0m", 4);
}

void hst_out_pad_to(struct hst_out *o, size_t to)
{
	static const char spaces[] = "                                                  ";
	size_t col = column(o);

	while (col < to) {
		size_t n = to - col;
		if (n > sizeof(spaces) - 1)
			n = sizeof(spaces) - 1;
		hst_out_put(o, spaces, n);
		col += n;
	}
}

int hst_out_flush(struct hst_out *o, int fd)
{
	size_t done = 0;

	if (o->oom)
		return -ENOMEM;
	/* The line goes on after the flush: keep its column. */
	mark_column(o);
	while (done < o->len) {
		ssize_t n = write(fd, o->p + done, o->len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			o->len = o->mark = 0;
			return err;
		}
		done += (size_t)n;
	}
	o->len = o->mark = 0;
	return 0;
}

static bool is_octal(unsigned char c)
{
	return c >= '0' && c <= '7';
}

/*
 * strace's -x: one byte that is neither printable ASCII nor one of the
 * whitespace escapes \t \n \v \f \r turns the whole string into hex.
 */
static bool wants_hex(unsigned mode, const char *s, size_t n)
{
	if (mode == HST_HEX_ALL)
		return true;
	if (mode != HST_HEX_NONASCII)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c > 0x7e || (c < ' ' && (c < '\t' || c > '\r')))
			return true;
	}
	return false;
}

static void put_hex_bytes(char *p, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		p[4 * i] = '\\';
		p[4 * i + 1] = 'x';
		p[4 * i + 2] = digits[c >> 4];
		p[4 * i + 3] = digits[c & 15];
	}
}

static const char *simple_escape(unsigned char c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	case '\v': return "\\v";
	default: return NULL;
	}
}

/* Octal, as short as the next byte allows: "\0" but "\0001" before a '1'. */
static size_t put_octal(char *p, unsigned char c, bool full)
{
	size_t k = 0;

	p[k++] = '\\';
	if (full || c >> 6)
		p[k++] = (char)('0' + (c >> 6));
	if (full || c >> 3)
		p[k++] = (char)('0' + ((c >> 3) & 7));
	p[k++] = (char)('0' + (c & 7));
	return k;
}

/* Which bytes stand for themselves. */
enum plain_set {
	PLAIN_QUOTED, /* inside quotes: printable ASCII but the quote and the backslash */
	PLAIN_FDPATH, /* -y's paths: not '<' and '>' either */
	PLAIN_BARE,   /* a word without quotes (hst_out_bare): not the space either */
};

static bool is_plain(unsigned char c, enum plain_set set)
{
	return c >= (set == PLAIN_BARE ? '!' : ' ') && c < 0x7f && c != '"' && c != '\\' &&
	       !(set == PLAIN_FDPATH && (c == '<' || c == '>'));
}

/* Bit k set: byte p[k] of these 16 is not plain (see is_plain). */
static unsigned odd_bytes(const char *p, enum plain_set set)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i lowest = _mm_set1_epi8(set == PLAIN_BARE ? '!' : ' ');
	/* Outside -y's paths these look for the quote again: no new byte is odd. */
	const __m128i lt = _mm_set1_epi8(set == PLAIN_FDPATH ? '<' : '"');
	const __m128i gt = _mm_set1_epi8(set == PLAIN_FDPATH ? '>' : '"');
	/* Signed compare: bytes 0x80-0xff are negative, so below the lowest too. */
	__m128i odd = _mm_or_si128(_mm_cmplt_epi8(v, lowest), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));

	odd = _mm_or_si128(odd, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
	odd = _mm_or_si128(odd, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
	odd = _mm_or_si128(odd, _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt)));
	return (unsigned)_mm_movemask_epi8(odd);
}

/*
 * How many bytes from s on are plain: 16 at a time with SSE2 (every x86_64
 * has it), the last ones by a load that overlaps bytes already seen, and
 * byte by byte only in strings shorter than 16.  Quoting paths byte by byte
 * was the text sink's largest cost on a real program's log (a seventh of
 * its time).
 */
static size_t plain_run(const char *s, size_t n, enum plain_set set)
{
	size_t i = 0;
	unsigned odd;

	if (n < 16) {
		while (i < n && is_plain((unsigned char)s[i], set))
			i++;
		return i;
	}
	for (; i + 16 <= n; i += 16)
		if ((odd = odd_bytes(s + i, set)))
			return i + (size_t)__builtin_ctz(odd);
	if (i == n)
		return n;
	/* The last 16 bytes; drop the bits of the 16 - (n - i) seen already. */
	odd = odd_bytes(s + n - 16, set) >> (16 - (n - i));
	return odd ? i + (size_t)__builtin_ctz(odd) : n;
}

bool hst_out_bare(const char *s, size_t n)
{
	return plain_run(s, n, PLAIN_BARE) == n;
}

/*
 * The escaped bytes of s at o->p + o->len (4 bytes per input byte reserved).
 * Runs of plain bytes (a path is usually one run) are copied whole.
 */
static void put_escaped(struct hst_out *o, const char *s, size_t n, enum plain_set set)
{
	size_t i = 0;

	if (wants_hex(o->hex, s, n)) {
		put_hex_bytes(o->p + o->len, s, n);
		o->len += 4 * n;
		return;
	}
	while (i < n) {
		size_t run = i + plain_run(s + i, n - i, set);
		unsigned char c;
		const char *e;

		memcpy(o->p + o->len, s + i, run - i);
		o->len += run - i;
		if (run == n)
			break;
		i = run;
		c = (unsigned char)s[i];
		e = simple_escape(c);
		if (e) {
			memcpy(o->p + o->len, e, 2);
			o->len += 2;
		} else {
			bool full = i + 1 < n && is_octal((unsigned char)s[i + 1]);
			o->len += put_octal(o->p + o->len, c, full);
		}
		i++;
	}
}

void hst_out_quote(struct hst_out *o, const char *s, size_t n)
{
	/* Worst case 4 output bytes per input byte, plus the quotes. */
	if (!reserve(o, 4 * n + 2))
		return;
	o->p[o->len++] = '"';
	put_escaped(o, s, n, PLAIN_QUOTED);
	o->p[o->len++] = '"';
}

void hst_out_quote_fdpath(struct hst_out *o, const char *s, size_t n)
{
	if (!reserve(o, 4 * n))
		return;
	put_escaped(o, s, n, PLAIN_FDPATH);
}

void hst_out_escape(struct hst_out *o, const char *s, size_t n)
{
	if (!reserve(o, 4 * n))
		return;
	put_escaped(o, s, n, PLAIN_QUOTED);
}

void hst_out_fd_path(struct hst_out *o, const char *path, size_t n)
{
	static const char deleted[] = " (deleted)";
	size_t dlen = sizeof(deleted) - 1;
	bool gone;

	if (!n)
		return;
	gone = n >= dlen && memcmp(path + n - dlen, deleted, dlen) == 0;
	if (gone)
		n -= dlen;
	hst_out_put(o, "<", 1);
	hst_out_quote_fdpath(o, path, n);
	hst_out_put(o, ">", 1);
	if (gone)
		hst_out_puts(o, "(deleted)");
}
