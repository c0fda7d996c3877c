/*
 * JSON strings and the JSON form of the value writer.  See json.h.  Runs on
 * the sink thread that owns the writer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sink/json.h"
#include "sink/vw.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not valid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void hst_json_string(struct hst_out *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	hst_out_put(o, "\"", 1);
	while (i < n) {
		size_t len = utf8_len(s + i, n - i);
		unsigned char c = s[i];

		/* C1 controls (U+0080-U+009F, "\xc2\x9b" is CSI) are valid UTF-8
		 * but terminals act on them: escaped like C0. */
		bool c1 = len == 2 && c == 0xc2 && s[i + 1] < 0xa0;
		if ((len > 1 && !c1) || (len == 1 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)) {
			run += len;
			i += len;
			continue;
		}
		hst_out_put(o, str + i - run, run);
		run = 0;
		if (c1) {
			hst_out_printf(o, "\\u%04x", s[i + 1]);
			i += 2;
			continue;
		}
		switch (c) {
		case '"': hst_out_puts(o, "\\\""); break;
		case '\\': hst_out_puts(o, "\\\\"); break;
		case '\n': hst_out_puts(o, "\\n"); break;
		case '\t': hst_out_puts(o, "\\t"); break;
		case '\r': hst_out_puts(o, "\\r"); break;
		default: hst_out_printf(o, "\\u%04x", c); break;
		}
		i++;
	}
	hst_out_put(o, str + i - run, run);
	hst_out_put(o, "\"", 1);
}

/*
 * A value after hst_vw_prefix under the same key as the value before it
 * (msghdr's "msg_namelen=128 => 16", personality's "PER_LINUX|FLAGS"): an
 * object cannot hold two values for a key, so both go in an array,
 * "msg_namelen":[128,16], closed by unwrap() at the next key or the end.
 */
static void wrap(struct hst_vw *w)
{
	size_t at = w->value_at[w->depth];

	if ((w->wrapped >> w->depth) & 1)
		return;
	hst_out_put(w->o, "[", 1);
	if (w->o->oom)
		return;
	memmove(w->o->p + at + 1, w->o->p + at, w->o->len - 1 - at);
	w->o->p[at] = '[';
	w->wrapped |= 1u << w->depth;
}

static void unwrap(struct hst_vw *w)
{
	if (!((w->wrapped >> w->depth) & 1))
		return;
	w->wrapped &= ~(1u << w->depth);
	hst_out_put(w->o, "]", 1);
}

/* Before a value or key: "," unless it is the first here or follows its key. */
static void sep(struct hst_vw *w)
{
	if (w->joined) {
		w->joined = false;
		if (!w->keyed && !w->first[w->depth] && ((w->objects >> w->depth) & 1))
			wrap(w);
	}
	if (w->keyed) {
		w->keyed = false;
		return;
	}
	if (!w->first[w->depth])
		hst_out_put(w->o, ",", 1);
	w->first[w->depth] = false;
}

void hst_vwj_open(struct hst_vw *w, char c)
{
	sep(w);
	hst_out_put(w->o, &c, 1);
	if (w->depth + 1 < HST_VW_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->wrapped &= ~(1u << w->depth);
	if (c == '{')
		w->objects |= 1u << w->depth;
	else
		w->objects &= ~(1u << w->depth);
}

/* Close the objects hst_vwj_key opened for bare keys at the current depth. */
void hst_vwj_end_value(struct hst_vw *w)
{
	unwrap(w);
	while (w->depth > 0 && ((w->implicit >> w->depth) & 1)) {
		w->implicit &= ~(1u << w->depth);
		w->depth--;
		hst_out_put(w->o, "}", 1);
		unwrap(w);
	}
}

void hst_vwj_close(struct hst_vw *w, char c)
{
	hst_vwj_end_value(w);
	if (w->depth > 0)
		w->depth--;
	hst_out_put(w->o, &c, 1);
}

void hst_vwj_key(struct hst_vw *w, const char *name)
{
	/*
	 * A key right after a key: the value is a run of keyed fields (clone's
	 * flags argument is "child_stack=NULL, flags=..." in strace's text),
	 * which JSON can only hold as an object.  hst_vwj_end_value or the
	 * enclosing close ends it.
	 */
	w->joined = false;
	unwrap(w);
	if (w->keyed) {
		hst_vwj_open(w, '{');
		if (w->depth < 32)
			w->implicit |= 1u << w->depth;
	}
	sep(w);
	hst_json_string(w->o, name, strlen(name));
	hst_out_put(w->o, ":", 1);
	w->keyed = true;
	w->value_at[w->depth] = w->o->len;
}

void hst_vwj_number(struct hst_vw *w, const char *text)
{
	sep(w);
	hst_out_puts(w->o, text);
}

void hst_vwj_ptr(struct hst_vw *w, uint64_t v)
{
	sep(w);
	if (v)
		hst_out_printf(w->o, "%" PRIu64, v);
	else
		hst_out_puts(w->o, "null");
}

void hst_vwj_flags(struct hst_vw *w, const struct hst_ctab *t, uint64_t v)
{
	uint64_t rest = v;

	hst_vwj_open(w, '[');
	for (unsigned i = 0; i < t->n; i++) {
		uint64_t bits = t->c[i].value;
		if (bits && (rest & bits) == bits) {
			hst_vwj_str(w, t->c[i].name, strlen(t->c[i].name), false);
			rest &= ~bits;
		}
	}
	if (rest) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%" PRIu64, rest);
		hst_vwj_number(w, buf);
	}
	hst_vwj_close(w, ']');
}

void hst_vwj_enum(struct hst_vw *w, const struct hst_ctab *t, uint64_t v)
{
	const char *name = hst_ctab_name(t, v);

	if (name) {
		hst_vwj_str(w, name, strlen(name), false);
	} else {
		char buf[32];
		snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)v);
		hst_vwj_number(w, buf);
	}
}

void hst_vwj_str(struct hst_vw *w, const char *s, size_t n, bool more)
{
	(void)more; /* shortened strings are marked by the event, not the value */
	sep(w);
	hst_json_string(w->o, s, n);
}

void hst_vwj_raw(struct hst_vw *w, const char *text)
{
	hst_vwj_str(w, text, strlen(text), false);
}
