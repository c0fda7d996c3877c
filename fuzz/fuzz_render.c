/*
 * Decoding and rendering for the fuzz targets, with output checks; see
 * fuzz_render.h.  One set of renderers per fuzz input, on the fuzzer's
 * thread.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "fuzz_render.h"
#include "sink/out.h"
#include "sink/render.h"

/* strace's text under these option sets, each to its own output. */
static const struct hst_text_config text_configs[] = {
	{ .strsize = 32 },
	{ .strsize = 4, .verbose = true, .hex = HST_HEX_NONASCII, .fd_paths = true,
	  .pid_column = true },
	{ .strsize = 0, .hex = HST_HEX_ALL, .timestamps = 2, .durations = true,
	  .clock_offset_ns = 1764293000123456789 },
	{ .strsize = 65536, .verbose = true, .timestamps = 3, .relative = true },
	{ .strsize = 32, .timestamps = 1, .clock_offset_ns = -1 },
};
#define NTEXT (sizeof(text_configs) / sizeof(text_configs[0]))

struct fuzz_sinks {
	struct hst_text text[NTEXT];
	struct hst_out text_out[NTEXT];
	struct hst_human *human;
	struct hst_out human_out;
	struct hst_json *json;
	struct hst_out json_out;
	struct hst_json *perfetto;
	struct hst_out perfetto_out;
	struct hst_group *group;
	struct hst_out group_out;
};

static void fail(const char *what, const struct hst_out *o, size_t at)
{
	fprintf(stderr, "fuzz: %s at byte %zu of this output:\n%.*s\n", what, at,
		(int)(o->len < 4096 ? o->len : 4096), o->p ? o->p : "");
	abort();
}

/* ------------------------------------------------------------------------
 * Output checks
 */

/* Text and human: printable ASCII and newlines only. */
static void check_text(const struct hst_out *o)
{
	if (o->oom)
		fail("out of memory", o, o->len);
	for (size_t i = 0; i < o->len; i++) {
		unsigned char c = (unsigned char)o->p[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			fail("a raw control or non-ASCII byte in text", o, i);
	}
}

/* A strict JSON parser (RFC 8259) that only says whether the text is JSON. */
struct json_in {
	const unsigned char *p, *end;
	unsigned depth;
};

#define JSON_MAX_DEPTH 64

static bool json_value(struct json_in *in);

static void json_space(struct json_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

static bool json_lit(struct json_in *in, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, lit, n) != 0)
		return false;
	in->p += n;
	return true;
}

/* The same rules as src/sink/json.c's: no overlong forms, no surrogates. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool json_string(struct json_in *in)
{
	if (in->p >= in->end || *in->p != '"')
		return false;
	in->p++;
	while (in->p < in->end) {
		unsigned char c = *in->p;
		size_t len;

		if (c == '"') {
			in->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (in->end - in->p < 2)
				return false;
			c = in->p[1];
			if (c == 'u') {
				if (in->end - in->p < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!is_hex(in->p[i]))
						return false;
				in->p += 6;
			} else if (strchr("\"\\/bfnrt", c) && c) {
				in->p += 2;
			} else {
				return false;
			}
			continue;
		}
		len = utf8_seq(in->p, (size_t)(in->end - in->p));
		if (!len)
			return false;
		in->p += len;
	}
	return false;
}

static bool json_digits(struct json_in *in)
{
	const unsigned char *start = in->p;

	while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
		in->p++;
	return in->p > start;
}

static bool json_number(struct json_in *in)
{
	if (in->p < in->end && *in->p == '-')
		in->p++;
	if (in->p < in->end && *in->p == '0')
		in->p++;
	else if (!json_digits(in))
		return false;
	if (in->p < in->end && *in->p == '.') {
		in->p++;
		if (!json_digits(in))
			return false;
	}
	if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
		in->p++;
		if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
			in->p++;
		if (!json_digits(in))
			return false;
	}
	return true;
}

/* An object (close '}') or an array (close ']'), after its opening byte. */
static bool json_container(struct json_in *in, char close)
{
	bool ok = false;

	if (++in->depth > JSON_MAX_DEPTH)
		return false;
	in->p++;
	json_space(in);
	if (in->p < in->end && *in->p == close) {
		in->p++;
		in->depth--;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (!json_string(in))
				break;
			json_space(in);
			if (in->p >= in->end || *in->p != ':')
				break;
			in->p++;
			json_space(in);
		}
		if (!json_value(in))
			break;
		json_space(in);
		if (in->p < in->end && *in->p == ',') {
			in->p++;
			json_space(in);
			continue;
		}
		if (in->p < in->end && *in->p == close) {
			in->p++;
			ok = true;
		}
		break;
	}
	in->depth--;
	return ok;
}

static bool json_value(struct json_in *in)
{
	if (in->p >= in->end)
		return false;
	switch (*in->p) {
	case '{': return json_container(in, '}');
	case '[': return json_container(in, ']');
	case '"': return json_string(in);
	case 't': return json_lit(in, "true");
	case 'f': return json_lit(in, "false");
	case 'n': return json_lit(in, "null");
	default: return json_number(in);
	}
}

/* The whole of [p, end) is one JSON value (with white space around it). */
static bool json_document(const char *p, const char *end)
{
	struct json_in in = { (const unsigned char *)p, (const unsigned char *)end, 0 };

	json_space(&in);
	if (!json_value(&in))
		return false;
	json_space(&in);
	return in.p == in.end;
}

/* JSON Lines: complete lines, each an object. */
static void check_json_lines(const struct hst_out *o)
{
	const char *p = o->p, *end;

	if (o->oom)
		fail("out of memory", o, o->len);
	if (!o->len)
		return;
	end = p + o->len;
	if (end[-1] != '\n')
		fail("JSON output not ending in a newline", o, o->len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (*p != '{' || !json_document(p, nl))
			fail("a line that is not a JSON object", o, (size_t)(p - o->p));
		p = nl + 1;
	}
}

static void check_json_document(const struct hst_out *o)
{
	if (o->oom)
		fail("out of memory", o, o->len);
	if (!o->len || !json_document(o->p, o->p + o->len))
		fail("Perfetto output that is not one JSON document", o, 0);
}

/* What a sink's flush does, without the write. */
static void discard(struct hst_out *o)
{
	o->len = 0;
}

/* ------------------------------------------------------------------------
 * Renderers
 */

struct fuzz_sinks *fuzz_sinks_new(void)
{
	struct fuzz_sinks *s = calloc(1, sizeof(*s));
	struct hst_text_config human = { .strsize = 32, .human = true };
	struct hst_text_config json = { .strsize = 32, .json = true, .clock_offset_ns = 1, .fd_paths = true };
	struct hst_text_config perfetto = { .strsize = 16, .perfetto = true };
	struct hst_text_config group = { .strsize = 32, .group = true };

	if (!s)
		abort();
	for (size_t i = 0; i < NTEXT; i++) {
		if (hst_text_init(&s->text[i], &text_configs[i]) < 0)
			abort();
		hst_out_init(&s->text_out[i], false);
	}
	if (hst_human_new(&s->human, &human) < 0 || hst_json_new(&s->json, &json) < 0 ||
	    hst_json_new(&s->perfetto, &perfetto) < 0 || hst_group_new(&s->group, &group) < 0)
		abort();
	hst_out_init(&s->human_out, false);
	hst_out_init(&s->json_out, false);
	hst_out_init(&s->perfetto_out, false);
	hst_out_init(&s->group_out, false);
	return s;
}

static void render(struct fuzz_sinks *s, const struct hst_drec *d)
{
	for (size_t i = 0; i < NTEXT; i++) {
		hst_text_record(&s->text[i], d, &s->text_out[i]);
		check_text(&s->text_out[i]);
		discard(&s->text_out[i]);
	}
	hst_human_record(s->human, d, &s->human_out);
	check_text(&s->human_out);
	discard(&s->human_out);
	hst_json_record(s->json, d, &s->json_out);
	check_json_lines(&s->json_out);
	discard(&s->json_out);
	/* Perfetto's output is one document: checked whole at the end. */
	hst_json_record(s->perfetto, d, &s->perfetto_out);
	hst_group_record(s->group, d, &s->group_out);
}

void fuzz_sinks_raw(struct fuzz_sinks *s, const struct hst_raw *raw)
{
	size_t bound = hst_decode_bound(raw);
	struct hst_drec *d = malloc(bound);
	size_t size;

	if (!d)
		abort();
	size = hst_decode_record(raw, d);
	if (size > bound || d->size != size || d->blob_off + (size_t)d->blob_len > size) {
		fprintf(stderr, "fuzz: decoded record of %zu bytes, bound %zu\n", size, bound);
		abort();
	}
	render(s, d);
	free(d);
}

void fuzz_sinks_finish(struct fuzz_sinks *s)
{
	for (size_t i = 0; i < NTEXT; i++) {
		hst_text_finish(&s->text[i], &s->text_out[i]);
		check_text(&s->text_out[i]);
		hst_text_free(&s->text[i]);
		hst_out_free(&s->text_out[i]);
	}
	hst_human_finish(s->human, &s->human_out);
	check_text(&s->human_out);
	hst_human_free(s->human);
	hst_out_free(&s->human_out);
	hst_json_finish(s->json, &s->json_out);
	check_json_lines(&s->json_out);
	hst_json_free(s->json);
	hst_out_free(&s->json_out);
	hst_json_finish(s->perfetto, &s->perfetto_out);
	check_json_document(&s->perfetto_out);
	hst_json_free(s->perfetto);
	hst_out_free(&s->perfetto_out);
	hst_group_finish(s->group, &s->group_out);
	check_text(&s->group_out);
	hst_group_free(s->group);
	hst_out_free(&s->group_out);
	free(s);
}
