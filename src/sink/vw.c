/*
 * The value writer in text form: {a=1, b=[2, 3], ...}, flags A|B|0x40,
 * strings quoted as strace quotes them.  See sink/vw.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/systable.h"
#include "decode/event.h"
#include "sink/json.h"
#include "sink/vw.h"

void hst_vw_init(struct hst_vw *w, struct hst_out *o, unsigned strsize, bool verbose)
{
	/* Not value_at, the JSON writer's only (and the largest part): text
	 * sinks make a writer for every flags or struct value they show. */
	memset(w, 0, offsetof(struct hst_vw, value_at));
	w->o = o;
	w->strsize = strsize;
	w->verbose = verbose;
	w->first[0] = true;
}

void hst_vw_init_json(struct hst_vw *w, struct hst_out *o, unsigned strsize)
{
	hst_vw_init(w, o, strsize, true);
	memset(w->value_at, 0, sizeof(w->value_at));
	w->json = true;
}

bool hst_vw_verbose(const struct hst_vw *w)
{
	return w->verbose;
}

unsigned hst_vw_strsize(const struct hst_vw *w)
{
	return w->strsize;
}

/* Before a value or a key: the separator, unless it follows its key. */
static void sep(struct hst_vw *w)
{
	if (w->keyed) {
		w->keyed = false;
		return;
	}
	if (!w->first[w->depth])
		hst_out_put(w->o, ", ", 2);
	w->first[w->depth] = false;
}

static void open_(struct hst_vw *w, char c)
{
	sep(w);
	hst_out_put(w->o, &c, 1);
	if (w->depth + 1 < HST_VW_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct hst_vw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	hst_out_put(w->o, &c, 1);
}

void hst_vw_struct_begin(struct hst_vw *w) { w->json ? hst_vwj_open(w, '{') : open_(w, '{'); }
void hst_vw_struct_end(struct hst_vw *w) { w->json ? hst_vwj_close(w, '}') : close_(w, '}'); }
void hst_vw_array_begin(struct hst_vw *w) { w->json ? hst_vwj_open(w, '[') : open_(w, '['); }
void hst_vw_array_end(struct hst_vw *w) { w->json ? hst_vwj_close(w, ']') : close_(w, ']'); }

/* JSON numbers: the same digits in every base the text uses. */
static bool json_number(struct hst_vw *w, const char *fmt, uint64_t v)
{
	char buf[32];

	if (!w->json)
		return false;
	snprintf(buf, sizeof(buf), fmt, v);
	hst_vwj_number(w, buf);
	return true;
}

void hst_vw_key(struct hst_vw *w, const char *name)
{
	if (w->json) {
		hst_vwj_key(w, name);
		return;
	}
	sep(w);
	hst_out_puts(w->o, name);
	hst_out_put(w->o, "=", 1);
	w->keyed = true;
}

void hst_vw_label(struct hst_vw *w, const char *name)
{
	if (w->json) {
		hst_vwj_key(w, name);
		return;
	}
	sep(w);
	hst_out_puts(w->o, name);
	hst_out_put(w->o, " ", 1);
	w->keyed = true;
}

void hst_vw_json_key(struct hst_vw *w, const char *name)
{
	if (w->json)
		hst_vwj_key(w, name);
}

void hst_vw_int(struct hst_vw *w, int64_t v)
{
	if (json_number(w, "%" PRId64, (uint64_t)v))
		return;
	sep(w);
	hst_out_dec(w->o, v);
}

/* What fd named, from k's packed list (decode_set_fdpaths); false if not there. */
static bool fd_path(const struct hst_kcall *k, int fd, const char **path, uint32_t *len)
{
	const char *p = k->fd_paths;

	for (uint32_t i = 0; i < k->fd_paths_n; i++) {
		uint32_t hdr[2];
		memcpy(hdr, p, sizeof(hdr));
		if ((int)hdr[0] == fd) {
			*path = p + sizeof(hdr);
			*len = hdr[1];
			return true;
		}
		p += (sizeof(hdr) + hdr[1] + 3) & ~(size_t)3;
	}
	return false;
}

void hst_vw_fd(struct hst_vw *w, const struct hst_kcall *k, int fd)
{
	const char *path;
	uint32_t len;

	hst_vw_int(w, fd);
	if (!w->json && fd_path(k, fd, &path, &len))
		hst_out_fd_path(w->o, path, len);
}

void hst_vw_fd_list(struct hst_vw *w, const struct hst_kcall *k, const int *fds, size_t n)
{
	const char *path;
	uint32_t len;

	if (w->json) {
		/* The same text as strace's, as a string: JSON has no -y. */
		char buf[4096];
		size_t at = 0;
		buf[at++] = '[';
		for (size_t i = 0; i < n && at + 16 < sizeof(buf); i++)
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%d", i ? " " : "", fds[i]);
		snprintf(buf + at, sizeof(buf) - at, "]");
		hst_vwj_raw(w, buf);
		return;
	}
	sep(w);
	hst_out_put(w->o, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			hst_out_put(w->o, " ", 1);
		hst_out_dec(w->o, fds[i]);
		if (fd_path(k, fds[i], &path, &len))
			hst_out_fd_path(w->o, path, len);
	}
	hst_out_put(w->o, "]", 1);
}

void hst_vw_uint(struct hst_vw *w, uint64_t v)
{
	if (json_number(w, "%" PRIu64, (uint64_t)v))
		return;
	sep(w);
	hst_out_udec(w->o, v);
}

void hst_vw_hex(struct hst_vw *w, uint64_t v)
{
	if (json_number(w, "%" PRIu64, (uint64_t)v))
		return;
	sep(w);
	if (v)
		hst_out_hex(w->o, v);
	else
		hst_out_put(w->o, "0", 1);
}

void hst_vw_oct(struct hst_vw *w, uint64_t v)
{
	if (json_number(w, "%" PRIu64, (uint64_t)v))
		return;
	sep(w);
	hst_out_oct(w->o, v);
}

void hst_vw_ptr(struct hst_vw *w, uint64_t v)
{
	if (w->json) {
		hst_vwj_ptr(w, v);
		return;
	}
	sep(w);
	if (v)
		hst_out_hex(w->o, v);
	else
		hst_out_puts(w->o, "NULL");
}

const char *hst_ctab_name(const struct hst_ctab *t, uint64_t v)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->c[i].value == v)
			return t->c[i].name;
	return NULL;
}

/* Flags in the table's order; bits no name covers as one hex number. */
void hst_vw_flags(struct hst_vw *w, const struct hst_ctab *t, uint64_t v)
{
	uint64_t rest = v;
	bool any = false;

	if (w->json) {
		hst_vwj_flags(w, t, v);
		return;
	}
	sep(w);
	if (v == 0) {
		hst_out_puts(w->o, t->zero ? t->zero : "0");
		return;
	}
	if (rest == v && t->unknown) {
		bool named = false;
		for (unsigned i = 0; i < t->n && !named; i++)
			named = t->c[i].value && (v & t->c[i].value) == t->c[i].value;
		if (!named) {
			hst_out_printf(w->o, "%#" PRIx64 " /* %s */", v, t->unknown);
			return;
		}
	}
	/* Once every bit is named, no later name can match. */
	for (unsigned i = 0; i < t->n && rest; i++) {
		uint64_t bits = t->c[i].value;
		if (bits && (rest & bits) == bits) {
			if (any)
				hst_out_put(w->o, "|", 1);
			hst_out_puts(w->o, t->c[i].name);
			rest &= ~bits;
			any = true;
		}
	}
	if (rest)
		hst_out_printf(w->o, "%s%#" PRIx64, any ? "|" : "", rest);
}

void hst_vw_enum(struct hst_vw *w, const struct hst_ctab *t, uint64_t v)
{
	const char *name = hst_ctab_name(t, v);

	if (w->json) {
		hst_vwj_enum(w, t, v);
		return;
	}
	sep(w);
	if (name)
		hst_out_puts(w->o, name);
	else if (t->unknown)
		hst_out_printf(w->o, "%#" PRIx64 " /* %s */", v, t->unknown);
	else if (t->hex)
		hst_out_printf(w->o, "%#" PRIx64, v);
	else
		hst_out_printf(w->o, "%" PRId64, (int64_t)v);
}

void hst_vw_str(struct hst_vw *w, const char *s, size_t n, bool more)
{
	if (w->json) {
		hst_vwj_str(w, s, n, more);
		return;
	}
	sep(w);
	hst_out_color(w->o, "32");
	hst_out_quote(w->o, s, n);
	hst_out_reset(w->o);
	if (more)
		hst_out_puts(w->o, "...");
}

void hst_vw_prefix(struct hst_vw *w, const char *text)
{
	if (w->json) {
		/* "=> ", "flags ": text notation only.  A second value for one
		 * key ("128 => 16") makes the key's values an array (json.c). */
		w->joined = true;
		return;
	}
	hst_out_puts(w->o, text);
	w->first[w->depth] = false;
	w->keyed = true;
}

void hst_vw_note_begin(struct hst_vw *w)
{
	if (w->json) {
		hst_vwj_open(w, '[');
		return;
	}
	hst_out_puts(w->o, " (");
	w->keyed = false;
	if (w->depth + 1 < HST_VW_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

void hst_vw_note_end(struct hst_vw *w)
{
	if (w->json) {
		hst_vwj_close(w, ']');
		return;
	}
	close_(w, ')');
}

void hst_vw_more(struct hst_vw *w)
{
	if (w->json)
		return; /* JSON values are whole as far as they were captured */
	sep(w);
	hst_out_puts(w->o, "...");
}

void hst_vw_raw(struct hst_vw *w, const char *text)
{
	if (w->json) {
		hst_vwj_raw(w, text);
		return;
	}
	sep(w);
	hst_out_puts(w->o, text);
}

bool hst_vw_whole(struct hst_vw *w, const struct hst_piece *p, void *dst, size_t size)
{
	if (p->len < size) {
		hst_vw_ptr(w, p->addr);
		return false;
	}
	memcpy(dst, p->data, size);
	return true;
}

void hst_vw_rawf(struct hst_vw *w, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hst_vw_raw(w, buf);
}

/* --- kind values -------------------------------------------------------- */

#define MAX_PIECES 64

static const struct hst_kind *kind_of(const struct hst_dval *v)
{
	return v->aux < hst_nkinds ? hst_kinds[v->aux] : NULL;
}

static void make_call(struct hst_kcall *call, const struct hst_drec *d, const struct hst_dval *v)
{
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);

	memset(call, 0, sizeof(*call));
	call->args = d->args;
	call->rval = d->rval;
	call->arg = v->arg;
	call->value = d->args[v->arg];
	call->at_exit = d->kind == HST_RAW_SYSCALL_EXIT;
	call->failed = call->at_exit && ((d->flags & HST_RAWF_ERROR) || d->rval < 0);
	call->lenarg = sig && sig->aux2[v->arg] < 6 ? sig->aux2[v->arg] : -1;
}

/* "= VALUE" of a call whose row gives a return kind (after " = "). */
void hst_vw_kind_return(struct hst_vw *w, const struct hst_drec *d)
{
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);
	const struct hst_kind *k = sig && sig->ret_aux < hst_nkinds ? hst_kinds[sig->ret_aux] : NULL;
	struct hst_kcall call;

	memset(&call, 0, sizeof(call));
	call.args = d->args;
	call.rval = d->rval;
	call.value = (uint64_t)d->rval;
	call.arg = HST_KARG_RET;
	call.at_exit = true;
	call.lenarg = -1;
	if (k && d->ret_val) {
		struct hst_piece pieces[16];
		unsigned n = hst_drec_pieces(d, &hst_drec_vals(d)[HST_RET_VAL], pieces, 16);
		k->describe(w, &call, pieces, n);
	} else if (k) {
		k->describe(w, &call, NULL, 0);
	} else {
		hst_vw_int(w, d->rval);
	}
}

bool hst_vw_kind_absent(const struct hst_drec *d, const struct hst_dval *v)
{
	const struct hst_kind *k;
	struct hst_kcall call;

	if (v->type != HST_A_IN && v->type != HST_A_OUT && v->type != HST_A_INOUT &&
	    v->type != HST_A_VAL)
		return false;
	k = kind_of(v);
	if (!k || !k->absent)
		return false;
	make_call(&call, d, v);
	return k->absent(&call);
}

void hst_vw_kind_value(struct hst_vw *w, const struct hst_drec *d, const struct hst_dval *v)
{
	const struct hst_kind *k = kind_of(v);
	struct hst_piece pieces[MAX_PIECES];
	unsigned n;
	struct hst_kcall call;

	/* A kind that is always absent (clone_hidden) has no describe; a
	 * sink that does not ask hst_vw_kind_absent gets the plain value. */
	if (k && !k->describe)
		k = NULL;
	make_call(&call, d, v);
	if (w->fd_paths) {
		call.fd_paths = hst_drec_blob(d) + d->set_paths_off;
		call.fd_paths_n = d->set_paths_n;
	}
	if (v->type == HST_A_VAL) {
		if (k)
			k->describe(w, &call, NULL, 0);
		else
			hst_vw_hex(w, v->v);
		return;
	}
	if (v->flags & HST_DVF_NULL) {
		if (k && k->null_ok)
			k->describe(w, &call, NULL, 0);
		else
			hst_vw_ptr(w, 0);
		return;
	}
	n = hst_drec_pieces(d, v, pieces, MAX_PIECES);
	/* Nothing readable at the argument itself: the address, as strace. */
	if (!k || n == 0 || (pieces[0].fault && !pieces[0].entry && pieces[0].addr == d->args[v->arg])) {
		hst_vw_ptr(w, d->args[v->arg]);
		return;
	}
	k->describe(w, &call, pieces, n);
}
