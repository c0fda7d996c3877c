/*
 * The output buffer and strace's quoting.  See out.h.  Nothing here can let
 * a control byte through: every byte outside printable ASCII is escaped.
 */
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

static void raw_put(struct hst_out *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

void hst_out_put(struct hst_out *o, const char *s, size_t n)
{
	const char *nl = memrchr(s, '\n', n);
	raw_put(o, s, n);
	o->col = nl ? (size_t)(s + n - nl - 1) : o->col + n;
}

void hst_out_puts(struct hst_out *o, const char *s)
{
	hst_out_put(o, s, strlen(s));
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

void hst_out_color(struct hst_out *o, const char *sgr)
{
	if (!o->color)
		return;
	raw_put(o, "\033[", 2);
	raw_put(o, sgr, strlen(sgr));
	raw_put(o, "m", 1);
}

void hst_out_reset(struct hst_out *o)
{
	if (o->color)
		raw_put(o, "\033[0m", 4);
}

void hst_out_pad_to(struct hst_out *o, size_t column)
{
	static const char spaces[] = "                                                  ";
	while (o->col < column) {
		size_t n = column - o->col;
		if (n > sizeof(spaces) - 1)
			n = sizeof(spaces) - 1;
		hst_out_put(o, spaces, n);
	}
}

int hst_out_flush(struct hst_out *o, int fd)
{
	size_t done = 0;

	if (o->oom)
		return -ENOMEM;
	while (done < o->len) {
		ssize_t n = write(fd, o->p + done, o->len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			o->len = 0;
			return err;
		}
		done += (size_t)n;
	}
	o->len = 0;
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

/* The escaped bytes of s at o->p + o->len (4 bytes per input byte reserved). */
static void put_escaped(struct hst_out *o, const char *s, size_t n, const char *extra)
{
	if (wants_hex(o->hex, s, n)) {
		put_hex_bytes(o->p + o->len, s, n);
		o->len += 4 * n;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = simple_escape(c);
		if (e) {
			memcpy(o->p + o->len, e, 2);
			o->len += 2;
		} else if (c >= ' ' && c < 0x7f && !(extra && strchr(extra, c))) {
			o->p[o->len++] = (char)c;
		} else {
			bool full = i + 1 < n && is_octal((unsigned char)s[i + 1]);
			o->len += put_octal(o->p + o->len, c, full);
		}
	}
}

void hst_out_quote(struct hst_out *o, const char *s, size_t n)
{
	size_t start = o->len;

	/* Worst case 4 output bytes per input byte, plus the quotes. */
	if (!reserve(o, 4 * n + 2))
		return;
	o->p[o->len++] = '"';
	put_escaped(o, s, n, NULL);
	o->p[o->len++] = '"';
	o->col += o->len - start;
}

void hst_out_quote_fdpath(struct hst_out *o, const char *s, size_t n)
{
	size_t start = o->len;

	if (!reserve(o, 4 * n))
		return;
	put_escaped(o, s, n, "<>");
	o->col += o->len - start;
}

void hst_out_escape(struct hst_out *o, const char *s, size_t n)
{
	size_t start = o->len;

	if (!reserve(o, 4 * n))
		return;
	put_escaped(o, s, n, NULL);
	o->col += o->len - start;
}
