/*
 * JSON Lines from decoded records: one object per call (once it returned),
 * signal, group-stop, exit, kill and detach.  Owned by one sink thread;
 * pairing entries with exits and process names are calls.c's.
 *
 *   {"ts":1764293000.123456,"pid":42,"tid":42,"comm":"cat","event":"syscall",
 *    "syscall":"openat","category":"file","mode":"info",
 *    "args":{"dirfd":-100,"pathname":"/etc/passwd","flags":["O_RDONLY"]},
 *    "ret":3,"duration_us":12.5}
 *
 * A failed call adds "errno":"ENOENT" ("ret" is -1 then, as the C library
 * returns); a call that never returned has "ret":null.  ts is the wall
 * clock in seconds (from the monotonic stop times and the offset between
 * the clocks taken when tracing started).  Every string goes through
 * hst_json_string, so each line is valid JSON whatever bytes the tracee
 * used.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/consts.h"
#include "core/kinds.h"
#include "core/systable.h"
#include "decode/modes.h"
#include "sink/calls.h"
#include "sink/json.h"
#include "sink/render.h"
#include "sink/vw.h"

struct hst_json {
	struct hst_text_config cfg;
	struct hst_calls calls;
	struct hst_out *o;
	bool started;             /* perfetto: the array is open */
	pid_t pending_rename;     /* perfetto: a thread whose exec just returned */
	struct hst_tidmap named;  /* perfetto: tids whose thread_name is out */
};

static void put_num(struct hst_vw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put_num(struct hst_vw *w, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hst_vwj_number(w, buf);
}

static void put_bytes(struct hst_vw *w, const struct hst_drec *d, const struct hst_dval *v, uint64_t addr)
{
	if (v->flags & HST_DVF_NULL)
		hst_vwj_ptr(w, 0);
	else if (v->flags & HST_DVF_FAULT)
		hst_vwj_ptr(w, addr);
	else
		hst_vwj_str(w, hst_drec_blob(d) + v->off, v->len, false);
}

static void put_strv(struct hst_vw *w, const struct hst_drec *d, const struct hst_dval *v)
{
	const char *p = hst_drec_blob(d) + v->off;

	if (v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) {
		hst_vwj_ptr(w, v->flags & HST_DVF_NULL ? 0 : d->args[v->arg]);
		return;
	}
	hst_vwj_open(w, '[');
	for (uint32_t i = 0; i < v->len; i++) {
		uint32_t hdr[2];
		memcpy(hdr, p, sizeof(hdr));
		if (hdr[1] & HST_CAPF_FAULT)
			hst_vwj_ptr(w, 0);
		else
			hst_vwj_str(w, p + 8, hdr[0], false);
		p += 8 + ((hdr[0] + 3) & ~3u);
	}
	hst_vwj_close(w, ']');
}

/* The open flags' names as an array; bits without a name as one number. */
static void put_open_flags(struct hst_vw *w, uint64_t v)
{
	char buf[600], *save, *name;

	hst_open_flags_text(buf, sizeof(buf), v);
	hst_vwj_open(w, '[');
	for (name = strtok_r(buf, "|", &save); name; name = strtok_r(NULL, "|", &save)) {
		if (name[0] == '0')
			put_num(w, "%llu", strtoull(name, NULL, 16));
		else
			hst_vwj_raw(w, name);
	}
	hst_vwj_close(w, ']');
}

static void put_value(struct hst_vw *w, const struct hst_drec *d, const struct hst_dval *v)
{
	switch (v->type) {
	case HST_A_INT: case HST_A_FD: case HST_A_DIRFD:
		put_num(w, "%d", (int)v->v);
		break;
	case HST_A_LONG:
		put_num(w, "%" PRId64, (int64_t)v->v);
		break;
	case HST_A_UINT:
		put_num(w, "%u", (unsigned)v->v);
		break;
	case HST_A_PTR:
		hst_vwj_ptr(w, v->v);
		break;
	case HST_A_PATH: case HST_A_STR:
		put_bytes(w, d, v, v->v);
		break;
	case HST_A_BUF_IN: case HST_A_BUF_OUT:
		put_bytes(w, d, v, d->args[v->arg]);
		break;
	case HST_A_STRV: case HST_A_ENVV:
		put_strv(w, d, v);
		break;
	case HST_A_OPEN_FLAGS:
		put_open_flags(w, v->v);
		break;
	case HST_A_ATFLAGS:
		hst_vwj_flags(w, &hst_ctab_at_flags, (uint32_t)v->v);
		break;
	case HST_A_FLAGS:
		if (v->aux < hst_nctabs)
			hst_vwj_flags(w, hst_ctabs[v->aux], v->v);
		else
			put_num(w, "%" PRIu64, v->v);
		break;
	case HST_A_ENUM:
		if (v->aux < hst_nctabs)
			hst_vwj_enum(w, hst_ctabs[v->aux], v->v);
		else
			put_num(w, "%" PRIu64, v->v);
		break;
	case HST_A_IN: case HST_A_OUT: case HST_A_INOUT: case HST_A_VAL:
		hst_vw_kind_value(w, d, v);
		break;
	default:
		put_num(w, "%" PRIu64, v->v);
		break;
	}
}

static void put_args(struct hst_vw *w, const struct hst_drec *d, const struct hst_syscall_sig *sig)
{
	const struct hst_dval *v = hst_drec_vals(d);

	for (unsigned i = 0; i < d->nvals; i++) {
		if ((v[i].flags & HST_DVF_ABSENT) || hst_vw_kind_absent(d, &v[i]))
			continue;
		if (sig && v[i].arg < sig->nargs)
			hst_vwj_key(w, sig->argname[v[i].arg]);
		else
			hst_vwj_key(w, "arg");
		put_value(w, d, &v[i]);
	}
}

static void put_head(struct hst_json *j, struct hst_vw *w, const struct hst_drec *d, const char *event)
{
	char buf[HST_COMM_LEN];
	const char *comm = hst_calls_name(&j->calls, d->tgid, d, buf);
	int64_t real = (int64_t)d->ts_ns + j->cfg.clock_offset_ns;

	hst_vwj_open(w, '{');
	hst_vwj_key(w, "ts");
	put_num(w, "%" PRId64 ".%06" PRId64, real / 1000000000, (real % 1000000000) / 1000);
	hst_vwj_key(w, "pid");
	put_num(w, "%d", d->tgid);
	hst_vwj_key(w, "tid");
	put_num(w, "%d", d->tid);
	hst_vwj_key(w, "comm");
	if (comm)
		hst_vwj_raw(w, comm);
	else
		hst_vwj_ptr(w, 0);
	hst_vwj_key(w, "event");
	hst_vwj_raw(w, event);
}

static void on_call(void *arg, const struct hst_drec *entry, const struct hst_drec *exit)
{
	struct hst_json *j = arg;
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);
	static const char *const modes[] = { "info", "warning", "danger" };
	char name[32];
	struct hst_vw w;

	hst_vw_init_json(&w, j->o, j->cfg.strsize);
	put_head(j, &w, entry, "syscall");
	hst_vwj_key(&w, "syscall");
	hst_vwj_raw(&w, hst_text_syscall_name(entry->nr, entry->flags, name));
	hst_vwj_key(&w, "category");
	hst_vwj_raw(&w, hst_category_name(sig ? sig->category : HST_CAT_OTHER));
	hst_vwj_key(&w, "mode");
	hst_vwj_raw(&w, modes[hst_mode_of(entry, exit)]);
	hst_vwj_key(&w, "args");
	hst_vwj_open(&w, '{');
	put_args(&w, entry, sig);
	if (exit)
		put_args(&w, exit, sig);
	hst_vwj_close(&w, '}');
	hst_vwj_key(&w, "ret");
	if (!exit) {
		hst_vwj_ptr(&w, 0);
	} else if (exit->flags & HST_RAWF_ERROR) {
		const char *e = hst_errno_name((int)-exit->rval);
		put_num(&w, "-1");
		hst_vwj_key(&w, "errno");
		if (e)
			hst_vwj_raw(&w, e);
		else
			put_num(&w, "%d", (int)-exit->rval);
	} else {
		put_num(&w, "%" PRId64, exit->rval);
	}
	if (exit) {
		hst_vwj_key(&w, "duration_us");
		put_num(&w, "%.3f", (double)(exit->ts_ns - entry->ts_ns) / 1000.0);
	}
	hst_vwj_close(&w, '}');
	hst_out_put(j->o, "\n", 1);
}

static void put_signal(struct hst_vw *w, int sig)
{
	const char *name = hst_signal_name(sig);

	if (name)
		hst_vwj_raw(w, name);
	else
		put_num(w, "%d", sig);
}

static void on_other(void *arg, const struct hst_drec *d)
{
	struct hst_json *j = arg;
	struct hst_vw w;

	hst_vw_init_json(&w, j->o, j->cfg.strsize);
	switch (d->kind) {
	case HST_RAW_SIGNAL:
	case HST_RAW_GROUP_STOP:
		put_head(j, &w, d, d->kind == HST_RAW_SIGNAL ? "signal" : "group-stop");
		hst_vwj_key(&w, "signal");
		put_signal(&w, d->nr);
		break;
	case HST_RAW_EXITED:
		put_head(j, &w, d, "exit");
		hst_vwj_key(&w, "status");
		put_num(&w, "%d", (int)d->rval);
		break;
	case HST_RAW_KILLED:
		put_head(j, &w, d, "killed");
		hst_vwj_key(&w, "signal");
		put_signal(&w, (int)d->rval);
		hst_vwj_key(&w, "core_dumped");
		hst_vwj_number(&w, d->flags & HST_RAWF_CORE ? "true" : "false");
		break;
	case HST_RAW_DETACHED:
		put_head(j, &w, d, "detached");
		break;
	default:
		return;
	}
	hst_vwj_close(&w, '}');
	hst_out_put(j->o, "\n", 1);
}

static const struct hst_calls_ops json_ops = { on_call, on_other };

/*
 * Perfetto / chrome://tracing: the Chrome trace-event JSON format.  One
 * object {"traceEvents":[...]}; per thread a track named after its process
 * (thread_name/process_name metadata, re-sent when an exec renames it),
 * each call a complete ("X") slice with its arguments, signals, exits and
 * process creation as instant ("i") events.  Times in microseconds of the
 * monotonic clock.  A thread's calls never overlap, so its slices nest
 * trivially.
 */
static void pf_begin(struct hst_json *j, struct hst_vw *w)
{
	hst_vw_init_json(w, j->o, j->cfg.strsize);
	hst_out_puts(j->o, j->started ? ",\n" : "{\"traceEvents\":[\n");
	j->started = true;
}

static void pf_ts(struct hst_vw *w, const char *key, uint64_t ns)
{
	hst_vwj_key(w, key);
	put_num(w, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

static void pf_ids(struct hst_vw *w, const struct hst_drec *d)
{
	hst_vwj_key(w, "pid");
	put_num(w, "%d", d->tgid);
	hst_vwj_key(w, "tid");
	put_num(w, "%d", d->tid);
}

static void pf_names(struct hst_json *j, const struct hst_drec *d, bool force)
{
	char buf[HST_COMM_LEN];
	const char *comm = hst_calls_name(&j->calls, d->tgid, d, buf);
	uint8_t *done = hst_tidmap_put(&j->named, d->tid);
	struct hst_vw w;

	if (!comm || !done || (*done && !force))
		return;
	*done = 1;
	for (int k = 0; k < 2; k++) {
		if (k == 0 && d->tid != d->tgid)
			continue;
		pf_begin(j, &w);
		hst_vwj_open(&w, '{');
		hst_vwj_key(&w, "ph");
		hst_vwj_raw(&w, "M");
		hst_vwj_key(&w, "name");
		hst_vwj_raw(&w, k == 0 ? "process_name" : "thread_name");
		pf_ids(&w, d);
		hst_vwj_key(&w, "args");
		hst_vwj_open(&w, '{');
		hst_vwj_key(&w, "name");
		hst_vwj_raw(&w, comm);
		hst_vwj_close(&w, '}');
		hst_vwj_close(&w, '}');
	}
}

static void pf_call(void *arg, const struct hst_drec *entry, const struct hst_drec *exit)
{
	struct hst_json *j = arg;
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);
	char name[32];
	struct hst_vw w;

	pf_names(j, entry, false);
	pf_begin(j, &w);
	hst_vwj_open(&w, '{');
	hst_vwj_key(&w, "ph");
	hst_vwj_raw(&w, exit ? "X" : "i");
	hst_vwj_key(&w, "name");
	hst_vwj_raw(&w, hst_text_syscall_name(entry->nr, entry->flags, name));
	hst_vwj_key(&w, "cat");
	hst_vwj_raw(&w, hst_category_name(sig ? sig->category : HST_CAT_OTHER));
	pf_ids(&w, entry);
	pf_ts(&w, "ts", entry->ts_ns);
	if (exit)
		pf_ts(&w, "dur", exit->ts_ns > entry->ts_ns ? exit->ts_ns - entry->ts_ns : 0);
	else {
		hst_vwj_key(&w, "s");
		hst_vwj_raw(&w, "t");
	}
	hst_vwj_key(&w, "args");
	hst_vwj_open(&w, '{');
	put_args(&w, entry, sig);
	if (exit) {
		put_args(&w, exit, sig);
		hst_vwj_key(&w, "ret");
		put_num(&w, "%" PRId64, exit->rval);
		if (exit->flags & HST_RAWF_ERROR) {
			const char *e = hst_errno_name((int)-exit->rval);
			hst_vwj_key(&w, "errno");
			if (e)
				hst_vwj_raw(&w, e);
			else
				put_num(&w, "%d", (int)-exit->rval);
		}
	}
	hst_vwj_close(&w, '}');
	hst_vwj_close(&w, '}');
	/* An exec renames the track from here on. */
	if (exit && hst_calls_is_exec(entry) && exit->rval == 0)
		j->pending_rename = entry->tid;
}

static void pf_other(void *arg, const struct hst_drec *d)
{
	struct hst_json *j = arg;
	struct hst_vw w;
	char what[48];

	switch (d->kind) {
	case HST_RAW_SIGNAL:
		snprintf(what, sizeof(what), "--- %s ---", hst_signal_name(d->nr) ? hst_signal_name(d->nr) : "signal");
		break;
	case HST_RAW_NEW_TRACEE:
		snprintf(what, sizeof(what), "new %s", d->tid == d->tgid ? "process" : "thread");
		break;
	case HST_RAW_EXITED:
		snprintf(what, sizeof(what), "+++ exited with %d +++", (int)d->rval);
		break;
	case HST_RAW_KILLED:
		snprintf(what, sizeof(what), "+++ killed by %s +++",
			 hst_signal_name((int)d->rval) ? hst_signal_name((int)d->rval) : "signal");
		break;
	default:
		return;
	}
	pf_begin(j, &w);
	hst_vwj_open(&w, '{');
	hst_vwj_key(&w, "ph");
	hst_vwj_raw(&w, "i");
	hst_vwj_key(&w, "s");
	hst_vwj_raw(&w, d->kind == HST_RAW_NEW_TRACEE ? "p" : "t");
	hst_vwj_key(&w, "name");
	hst_vwj_raw(&w, what);
	pf_ids(&w, d);
	pf_ts(&w, "ts", d->ts_ns);
	hst_vwj_close(&w, '}');
}

static const struct hst_calls_ops perfetto_ops = { pf_call, pf_other };

void hst_json_record(struct hst_json *j, const struct hst_drec *d, struct hst_out *o)
{
	j->o = o;
	hst_calls_record(&j->calls, d);
	if (j->pending_rename) {
		/* calls.c has the new name once the exec's exit went through it. */
		struct hst_drec fake = { .tid = j->pending_rename, .kind = HST_RAW_EXITED };
		fake.tgid = j->pending_rename;
		j->pending_rename = 0;
		pf_names(j, &fake, true);
	}
}

void hst_json_finish(struct hst_json *j, struct hst_out *o)
{
	j->o = o;
	hst_calls_finish(&j->calls);
	if (j->cfg.perfetto)
		hst_out_puts(o, j->started ? "\n]}\n" : "{\"traceEvents\":[]}\n");
}

int hst_json_new(struct hst_json **out, const struct hst_text_config *cfg)
{
	struct hst_json *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->cfg = *cfg;
	if (hst_tidmap_init(&j->named, 1) < 0) {
		free(j);
		return -ENOMEM;
	}
	if (hst_calls_init(&j->calls, cfg->perfetto ? &perfetto_ops : &json_ops, j) < 0) {
		hst_tidmap_free(&j->named);
		free(j);
		return -ENOMEM;
	}
	*out = j;
	return 0;
}

void hst_json_free(struct hst_json *j)
{
	if (!j)
		return;
	hst_calls_free(&j->calls);
	hst_tidmap_free(&j->named);
	free(j);
}
