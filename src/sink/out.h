/*
 * A growable output buffer that knows the column of the line being built,
 * so renderers can pad the " = " of a syscall to strace's column 40.  Colour
 * escape sequences do not count as columns.  Owned by one sink thread.
 */
#ifndef HST_OUT_H
#define HST_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hst_out {
	char *p;
	size_t len, cap;
	/*
	 * The column is found when it is asked for (hst_out_pad_to), not at
	 * every append: the line's columns are mark_col at offset mark, plus
	 * the bytes after it, or the bytes after the last newline past mark.
	 * Colour escapes move the mark over themselves.
	 */
	size_t mark, mark_col;
	bool color;
	bool oom;        /* an append failed; the buffer is unusable */
	unsigned hex;    /* enum hst_out_hex: strace's -x / -xx for quoting */
};

enum hst_out_hex {
	HST_HEX_NONE = 0, /* octal escapes */
	HST_HEX_NONASCII, /* -x: a string with a byte that is neither printable
			   * nor \t \n \v \f \r is shown all in \xHH */
	HST_HEX_ALL,      /* -xx: every string all in \xHH */
};

void hst_out_init(struct hst_out *o, bool color);
void hst_out_free(struct hst_out *o);
void hst_out_put_slow(struct hst_out *o, const char *s, size_t n);

/*
 * Append n bytes.  Inline: a rendered line is dozens of short appends, and
 * with a literal the compiler folds hst_out_puts' strlen away.
 */
static inline void hst_out_put(struct hst_out *o, const char *s, size_t n)
{
	/* Strictly less: an empty buffer (p NULL, cap 0) takes the slow path. */
	if (n < o->cap - o->len) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	} else {
		hst_out_put_slow(o, s, n);
	}
}

static inline void hst_out_puts(struct hst_out *o, const char *s)
{
	hst_out_put(o, s, strlen(s));
}

void hst_out_printf(struct hst_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Decimal and "0x..." (v > 0: as %#lx) without printf. */
void hst_out_dec(struct hst_out *o, int64_t v);
void hst_out_udec(struct hst_out *o, uint64_t v);
void hst_out_hex(struct hst_out *o, uint64_t v);
/* Octal as printf's "%#03o": "0644", "000" (modes). */
void hst_out_oct(struct hst_out *o, uint64_t v);
/* A colour escape ("1;31"), only when colour is on; does not move the column. */
void hst_out_color(struct hst_out *o, const char *sgr);
void hst_out_reset(struct hst_out *o);
void hst_out_pad_to(struct hst_out *o, size_t column);
/* Write everything to fd and empty the buffer: 0 or -errno. */
int hst_out_flush(struct hst_out *o, int fd);

/*
 * strace's string quoting: "...", with \t \n \v \f \r \" \\ and octal escapes
 * for other non-printable bytes (\0, \33, \177, \303), three digits when the
 * next byte is an octal digit.  With o->hex (-x, -xx) a string is written
 * as "\x1b\x5b..." instead, under strace's rule above.  Every byte a tracee wrote goes through this
 * before reaching a terminal.
 */
void hst_out_quote(struct hst_out *o, const char *s, size_t n);

/*
 * What -y shows between "<" and ">": the same escapes without the quotes,
 * and '<' and '>' escaped too ("\74", "\76"), as strace does.
 */
void hst_out_quote_fdpath(struct hst_out *o, const char *s, size_t n);
/*
 * -y's "<path>" after a descriptor, as strace: the kernel's " (deleted)"
 * suffix moves after the bracket ("<memfd:x>(deleted)"); nothing for n 0.
 */
void hst_out_fd_path(struct hst_out *o, const char *path, size_t n);

/*
 * The same escapes without quotes, for a name inside a sentence or a
 * heading (a process's name in --group and the per-process summary).
 */
void hst_out_escape(struct hst_out *o, const char *s, size_t n);

/*
 * Whether s can be shown bare, without quotes or escapes, in a sentence:
 * printable ASCII other than the space, '"' and '\\' (true for n = 0).
 */
bool hst_out_bare(const char *s, size_t n);

#endif
