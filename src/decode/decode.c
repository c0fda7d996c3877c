/*
 * Decoding raw records into typed values, and the worker threads doing it.
 *
 * A decoded record lists, for the arguments rendered at this stop, a typed
 * value each (struct hst_dval) and copies the captured bytes they refer to
 * into its blob.  Which arguments and which types come from the generated
 * signature table; nothing here formats text.  The input has been validated
 * (captures lie inside the record: the tracer wrote them, or the log reader
 * checked them), but capture contents are tracee data and trusted in nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/kinds.h"
#include "core/ring.h"
#include "core/systable.h"
#include "decode/decode.h"

#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif

size_t hst_decode_bound(const struct hst_raw *raw)
{
	/* Blob bytes never exceed the captures they come from, plus per capture
	 * the 16-byte piece header and 8-byte alignment of IN/OUT pieces (string
	 * arrays need less). */
	return sizeof(struct hst_drec) + HST_DREC_VALS * sizeof(struct hst_dval) + raw->size + 24u * raw->ncaps + 64;
}

struct blob {
	char *base;   /* start of the blob */
	uint32_t len;
};

static uint32_t blob_put(struct blob *b, const void *p, size_t n)
{
	uint32_t off = b->len;
	memcpy(b->base + off, p, n);
	b->len += (uint32_t)n;
	return off;
}

static void blob_align4(struct blob *b)
{
	while (b->len & 3)
		b->base[b->len++] = 0;
}

/* The position of capture c among raw's captures. */
static size_t cap_index(const struct hst_raw *raw, const struct hst_cap *c)
{
	const struct hst_cap *p = hst_raw_first_cap(raw);
	size_t i = 0;

	for (; p != c; p = hst_cap_next(p))
		i++;
	return i;
}

/* Captures come in argument order; find the first one for arg. */
static const struct hst_cap *find_cap(const struct hst_raw *raw, unsigned arg)
{
	const struct hst_cap *c = hst_raw_first_cap(raw);
	for (unsigned i = 0; i < raw->ncaps; i++, c = hst_cap_next(c))
		if (c->arg == arg && c->kind != HST_CAP_FDPATH)
			return c;
	return NULL;
}

/*
 * -y and -P: what descriptor argument arg (or HST_CAP_ARG_RET) named at the
 * stop; an empty capture says it was not open.
 */
static const struct hst_cap *find_fdpath(const struct hst_raw *raw, unsigned arg)
{
	const struct hst_cap *c = hst_raw_first_cap(raw);
	for (unsigned i = 0; i < raw->ncaps; i++, c = hst_cap_next(c))
		if (c->arg == arg && c->kind == HST_CAP_FDPATH)
			return c;
	return NULL;
}

static void decode_fdpath(const struct hst_raw *raw, struct hst_dval *v, struct blob *b)
{
	const struct hst_cap *c = find_fdpath(raw, v->arg);

	if (!c)
		return;
	v->flags |= HST_DVF_FDPATH;
	v->off = blob_put(b, hst_cap_data(c), c->len);
	v->len = c->len;
}

static void decode_ret_fdpath(const struct hst_raw *raw, struct hst_drec *d, struct blob *b)
{
	const struct hst_cap *c = find_fdpath(raw, HST_CAP_ARG_RET);

	if (!c || !c->len)
		return;
	d->ret_path_off = blob_put(b, hst_cap_data(c), c->len);
	d->ret_path_len = c->len;
}

/*
 * -P and -y: the FDPATH captures of arguments that are not descriptors
 * themselves (the descriptors in poll's array, select's sets, pipe's pair),
 * packed into the blob.
 */
static void decode_set_fdpaths(const struct hst_raw *raw, const struct hst_syscall_sig *sig, struct hst_drec *d,
			       struct blob *b)
{
	const struct hst_cap *c = hst_raw_first_cap(raw);

	for (unsigned i = 0; i < raw->ncaps; i++, c = hst_cap_next(c)) {
		if (c->kind != HST_CAP_FDPATH || c->arg >= sig->nargs || sig->type[c->arg] == HST_A_FD ||
		    sig->type[c->arg] == HST_A_DIRFD)
			continue;
		uint32_t hdr[2] = { (uint32_t)c->aux, c->len };
		blob_align4(b);
		if (!d->set_paths_n)
			d->set_paths_off = b->len;
		blob_put(b, hdr, sizeof(hdr));
		blob_put(b, hst_cap_data(c), c->len);
		d->set_paths_n++;
	}
	blob_align4(b);
}

static uint16_t cap_flags(const struct hst_cap *c)
{
	uint16_t f = 0;
	if (c->flags & HST_CAPF_FAULT)
		f |= HST_DVF_FAULT;
	if (c->flags & HST_CAPF_TRUNC)
		f |= HST_DVF_TRUNC;
	return f;
}

static void decode_bytes(const struct hst_raw *raw, struct hst_dval *v, struct blob *b)
{
	const struct hst_cap *c = find_cap(raw, v->arg);

	if (!c) {
		/* Nothing captured: NULL, a failed call, or no bytes to show. */
		v->flags |= raw->args[v->arg] ? HST_DVF_FAULT : HST_DVF_NULL;
		return;
	}
	v->flags |= cap_flags(c);
	v->off = blob_put(b, hst_cap_data(c), c->len);
	v->len = c->len;
	v->aux = c->len;
}

/* STRV blob: per element a u32 length, a u32 flags word, bytes, 4-aligned. */
static void decode_strv(const struct hst_raw *raw, struct hst_dval *v, struct blob *b)
{
	const struct hst_cap *c = find_cap(raw, v->arg);
	unsigned i, left;

	if (!c || c->kind != HST_CAP_STRV_COUNT) {
		v->flags |= raw->args[v->arg] ? HST_DVF_FAULT : HST_DVF_NULL;
		return;
	}
	v->flags |= cap_flags(c);
	v->v = c->aux;
	blob_align4(b);
	v->off = b->len;
	/*
	 * Only the record's ncaps captures (hst_raw_validate checked those):
	 * bytes after them are not captures, and hst_decode_bound counts no more.
	 */
	left = raw->ncaps - (unsigned)cap_index(raw, c) - 1;
	for (i = 0, c = hst_cap_next(c); left > 0; c = hst_cap_next(c), left--) {
		if (c->arg != v->arg || c->kind != HST_CAP_STR)
			break;
		uint32_t hdr[2] = { c->len, c->flags };
		blob_put(b, hdr, sizeof(hdr));
		blob_put(b, hst_cap_data(c), c->len);
		blob_align4(b);
		i++;
	}
	v->len = i;
}

/*
 * IN/OUT blob: per piece a u32 length, a u32 flags word (HST_CAPF_*), the
 * u64 address, then the bytes, 8-aligned.  len = pieces.
 */
static void decode_pieces(const struct hst_raw *raw, struct hst_dval *v, struct blob *b)
{
	const struct hst_cap *c = hst_raw_first_cap(raw);
	unsigned n = 0;

	while (b->len & 7)
		b->base[b->len++] = 0;
	v->off = b->len;
	for (unsigned i = 0; i < raw->ncaps; i++, c = hst_cap_next(c)) {
		if (c->arg != v->arg || c->kind == HST_CAP_FDPATH)
			continue;
		uint32_t hdr[2] = { c->len, c->flags };
		blob_put(b, hdr, sizeof(hdr));
		blob_put(b, &c->aux, sizeof(c->aux));
		blob_put(b, hst_cap_data(c), c->len);
		while (b->len & 7)
			b->base[b->len++] = 0;
		n++;
	}
	v->len = n;
	if (n == 0)
		v->flags |= HST_DVF_FAULT;
}

static void decode_value(const struct hst_raw *raw, const struct hst_syscall_sig *sig,
			 unsigned arg, struct hst_dval *v, struct blob *b)
{
	memset(v, 0, sizeof(*v));
	v->type = sig->type[arg];
	v->arg = (uint8_t)arg;
	v->v = raw->args[arg];
	switch (v->type) {
	case HST_A_PATH:
	case HST_A_STR:
		if (!raw->args[arg])
			v->flags |= HST_DVF_NULL;
		else
			decode_bytes(raw, v, b);
		break;
	case HST_A_BUF_IN:
		v->v = raw->args[sig->aux[arg]];
		decode_bytes(raw, v, b);
		break;
	case HST_A_BUF_OUT:
		if ((raw->flags & HST_RAWF_ERROR) || raw->rval < 0)
			v->flags |= HST_DVF_FAULT; /* failed: strace shows the address */
		else {
			v->v = (uint64_t)raw->rval;
			decode_bytes(raw, v, b);
			if (raw->rval == 0)
				v->flags &= ~(HST_DVF_FAULT | HST_DVF_NULL);
		}
		break;
	case HST_A_STRV:
	case HST_A_ENVV:
		if (!raw->args[arg])
			v->flags |= HST_DVF_NULL;
		else
			decode_strv(raw, v, b);
		break;
	case HST_A_OPEN_MODE:
		/* __O_TMPFILE includes O_DIRECTORY in glibc: all its bits, not any. */
		if (!(raw->args[sig->aux[arg]] & O_CREAT) &&
		    (raw->args[sig->aux[arg]] & __O_TMPFILE) != __O_TMPFILE)
			v->flags |= HST_DVF_ABSENT;
		break;
	case HST_A_IN:
	case HST_A_OUT:
	case HST_A_INOUT:
		v->aux = sig->aux[arg];
		if (!raw->args[arg])
			v->flags |= HST_DVF_NULL;
		else
			decode_pieces(raw, v, b);
		break;
	case HST_A_FLAGS:
	case HST_A_ENUM:
	case HST_A_VAL:
		v->aux = sig->aux[arg];
		break;
	case HST_A_FD:
	case HST_A_DIRFD:
		decode_fdpath(raw, v, b);
		break;
	default:
		break;
	}
}

static void decode_syscall(const struct hst_raw *raw, struct hst_drec *d, struct blob *b)
{
	const struct hst_syscall_sig *sig = hst_record_sig(raw->nr, raw->flags);
	struct hst_dval *vals = (struct hst_dval *)(d + 1);
	unsigned from, to;

	if (!sig) {
		/* No signature: six raw arguments at entry. */
		if (raw->kind == HST_RAW_SYSCALL_ENTRY) {
			for (unsigned i = 0; i < 6; i++) {
				memset(&vals[i], 0, sizeof(vals[i]));
				vals[i].type = HST_A_HEX;
				vals[i].arg = (uint8_t)i;
				vals[i].v = raw->args[i];
			}
			d->nvals = 6;
		}
		return;
	}
	from = raw->kind == HST_RAW_SYSCALL_ENTRY ? 0 : sig->exit_from;
	to = raw->kind == HST_RAW_SYSCALL_ENTRY ? sig->exit_from : sig->nargs;
	d->first = (uint16_t)from;
	for (unsigned i = from; i < to; i++)
		decode_value(raw, sig, i, &vals[i - from], b);
	d->nvals = (uint16_t)(to > from ? to - from : 0);
	decode_set_fdpaths(raw, sig, d, b);
	if (raw->kind == HST_RAW_SYSCALL_EXIT && sig->ret == HST_R_FD)
		decode_ret_fdpath(raw, d, b);
	if (raw->kind == HST_RAW_SYSCALL_EXIT && sig->ret == HST_R_KIND) {
		/* What the return kind captured at exit (poll's revents): arg 6. */
		struct hst_dval *v = &vals[HST_RET_VAL];
		memset(v, 0, sizeof(*v));
		v->type = HST_A_OUT;
		v->arg = HST_KARG_RET;
		v->aux = sig->ret_aux;
		decode_pieces(raw, v, b);
		d->ret_val = v->len > 0;
	}
}

size_t hst_decode_record(const struct hst_raw *raw, struct hst_drec *d)
{
	struct blob b;
	size_t vals_end;

	memset(d, 0, sizeof(*d));
	d->kind = raw->kind;
	d->flags = raw->flags;
	d->seq = raw->seq;
	d->ts_ns = raw->ts_ns;
	d->tid = raw->tid;
	d->tgid = raw->tgid;
	d->nr = raw->nr;
	memcpy(d->args, raw->args, sizeof(d->args));
	d->rval = raw->rval;
	/*
	 * The kernel's is_error: only -4095..-1 are error codes.  A record
	 * (from a damaged or hostile log) with ERROR and any other value would
	 * make every sink negate it (INT64_MIN overflows): not an error then.
	 */
	if ((d->flags & HST_RAWF_ERROR) && (d->rval < -4095 || d->rval > -1))
		d->flags &= (uint16_t)~HST_RAWF_ERROR;
	/* Values first (HST_DREC_VALS slots), the blob right after them. */
	b.base = (char *)(d + 1) + HST_DREC_VALS * sizeof(struct hst_dval);
	b.len = 0;
	if (raw->kind == HST_RAW_SYSCALL_ENTRY || raw->kind == HST_RAW_SYSCALL_EXIT) {
		decode_syscall(raw, d, &b);
	} else if ((raw->kind == HST_RAW_SIGNAL || raw->kind == HST_RAW_NEW_TRACEE) && raw->ncaps) {
		/* the siginfo; an attached process's name */
		const struct hst_cap *c = hst_raw_first_cap(raw);
		blob_put(&b, hst_cap_data(c), c->len);
	}
	vals_end = sizeof(*d) + HST_DREC_VALS * sizeof(struct hst_dval);
	d->blob_off = (uint32_t)vals_end;
	d->blob_len = b.len;
	d->size = (uint32_t)HST_ALIGN8(vals_end + b.len);
	return d->size;
}

/* --- workers ------------------------------------------------------------ */

struct worker {
	struct hst_decoders *set;
	unsigned index;
	pthread_t thread;
};

/*
 * Bytes of decoded records a worker commits before it publishes them, when
 * more input is waiting: --read of a real program's log spent a tenth of
 * the worker's time publishing each record on its own.
 */
#define PUBLISH_BATCH (32u << 10)

struct hst_decoders {
	struct hst_ring *raw;
	struct hst_ring **outs;
	unsigned n;
	unsigned started;
	struct worker w[];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct hst_decoders *set = w->set;
	struct hst_ring *out = set->outs[w->index];
	const struct hst_raw *raw;
	size_t len;

	/* Publish decoded records in batches; flushed whenever the input runs dry. */
	hst_ring_publish_batch_sp(out, PUBLISH_BATCH);
	for (;;) {
		int closed;

		raw = hst_ring_try_next_mc(set->raw, w->index, &len, &closed);
		if (!raw && !closed) {
			hst_ring_flush_sp(out);
			raw = hst_ring_next_mc(set->raw, w->index, &len);
		}
		if (!raw)
			break;
		/* One worker decodes everything: no 64-bit division per record. */
		if (set->n > 1 && raw->seq % set->n != w->index)
			continue;
		struct hst_drec *d = hst_ring_reserve_sp(out, hst_decode_bound(raw));
		if (!d)
			break; /* aborted */
		hst_ring_commit_sp(out, hst_decode_record(raw, d));
	}
	hst_ring_close_sp(out);
	return NULL;
}

int hst_decoders_start(struct hst_decoders **out, struct hst_ring *raw, struct hst_ring **outs,
		       unsigned n)
{
	struct hst_decoders *set = calloc(1, sizeof(*set) + n * sizeof(struct worker));
	int err = 0;

	if (!set)
		return -ENOMEM;
	set->raw = raw;
	set->outs = outs;
	set->n = n;
	for (unsigned i = 0; i < n; i++) {
		set->w[i].set = set;
		set->w[i].index = i;
		err = -pthread_create(&set->w[i].thread, NULL, worker_main, &set->w[i]);
		if (err < 0)
			break;
		set->started++;
	}
	if (err < 0) {
		/* Let the started ones see the end of their input and stop. */
		hst_ring_abort(raw);
		hst_decoders_join(set);
		return err;
	}
	*out = set;
	return 0;
}

void hst_decoders_join(struct hst_decoders *set)
{
	if (!set)
		return;
	for (unsigned i = 0; i < set->started; i++)
		pthread_join(set->w[i].thread, NULL);
	free(set);
}
