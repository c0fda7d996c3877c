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
 * returns); a call that never returned has "ret":null.  With -y a
 * descriptor argument has what it named beside it ("fd_path"), and a
 * returned descriptor "ret_path".  ts is the wall
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
	struct hst_tidmap flows;  /* perfetto: tid -> struct flow_end */
	uint64_t flow_ids;        /* perfetto: the last flow id given */
};

/*
 * Perfetto: a flow (an arrow) from a fork/clone/vfork slice to the child's
 * first slice, and from an exec slice to the thread's next one.  Per tid:
 * where its first slice was (the child's first calls often come before
 * the parent's clone returns), and the flow waiting for its next slice.
 */
struct flow_end {
	bool seen;              /* a slice of this tid was written */
	pid_t first_tgid;
	uint64_t first_ts;      /* inside its first slice */
	bool waiting;           /* a flow start waits for this tid's next slice */
	uint64_t id;
	pid_t from_tgid, from_tid;
	uint64_t from_ts;       /* inside the slice it starts from */
	char name[16];          /* the syscall that started it */
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

/*
 * -y: what a descriptor argument named, as a string beside it ("fd":3,
 * "fd_path":"/etc/passwd"), so "fd" stays a number; the kernel's text as
 * /proc gave it (a deleted file ends in " (deleted)").
 */
static void put_fd_path(struct hst_vw *w, const struct hst_drec *d, const char *argname, uint32_t off, uint32_t len)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_path", argname);
	hst_vwj_key(w, key);
	hst_vwj_str(w, hst_drec_blob(d) + off, len, false);
	hst_vwj_end_value(w);
}

static void put_args(struct hst_vw *w, const struct hst_drec *d, const struct hst_syscall_sig *sig, bool fd_paths)
{
	const struct hst_dval *v = hst_drec_vals(d);

	for (unsigned i = 0; i < d->nvals; i++) {
		const char *name = sig && v[i].arg < sig->nargs ? sig->argname[v[i].arg] : "arg";
		if ((v[i].flags & HST_DVF_ABSENT) || hst_vw_kind_absent(d, &v[i]))
			continue;
		hst_vwj_key(w, name);
		put_value(w, d, &v[i]);
		hst_vwj_end_value(w);
		if (fd_paths && (v[i].flags & HST_DVF_FDPATH) && v[i].len &&
		    (v[i].type == HST_A_FD || v[i].type == HST_A_DIRFD))
			put_fd_path(w, d, name, v[i].off, v[i].len);
	}
}

static void put_head(struct hst_json *j, struct hst_vw *w, const struct hst_drec *d, const char *event)
{
	char buf[HST_COMM_LEN];
	const char *comm = hst_calls_name(&j->calls, d->tgid, d, buf);
	/* Wrapping sum: a log's ts_ns may be any u64.  A time before 1970
	 * prints as -S.UUUUUU (one sign, or it would not be JSON). */
	int64_t real = (int64_t)(d->ts_ns + (uint64_t)j->cfg.clock_offset_ns);
	uint64_t mag = real < 0 ? 0 - (uint64_t)real : (uint64_t)real;

	hst_vwj_open(w, '{');
	hst_vwj_key(w, "ts");
	put_num(w, "%s%" PRIu64 ".%06" PRIu64, real < 0 ? "-" : "", mag / 1000000000,
		(mag % 1000000000) / 1000);
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
	char name[HST_NAME_MAX];
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
	put_args(&w, entry, sig, j->cfg.fd_paths);
	if (exit)
		put_args(&w, exit, sig, j->cfg.fd_paths);
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
		if (j->cfg.fd_paths && exit->ret_path_len)
			put_fd_path(&w, exit, "ret", exit->ret_path_off, exit->ret_path_len);
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
		if (hst_raw_superseded(d->kind, d->nr)) {
			/* strace's "+++ superseded by execve in pid N +++" */
			put_head(j, &w, d, "superseded");
			hst_vwj_key(&w, "by_tid");
			put_num(&w, "%d", (int)d->nr);
			break;
		}
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

/* A time inside a call's slice, so a flow binds to it ("bp":"e"). */
static uint64_t pf_inside(const struct hst_drec *entry, const struct hst_drec *exit)
{
	return exit && exit->ts_ns > entry->ts_ns ? entry->ts_ns + (exit->ts_ns - entry->ts_ns) / 2 : entry->ts_ns;
}

/* One end of a flow: "s" on the slice it starts from, "f" on the one it ends at. */
static void pf_flow_event(struct hst_json *j, const char *ph, const char *name, uint64_t id, pid_t tgid, pid_t tid,
			  uint64_t ts)
{
	struct hst_vw w;

	pf_begin(j, &w);
	hst_vwj_open(&w, '{');
	hst_vwj_key(&w, "ph");
	hst_vwj_raw(&w, ph);
	hst_vwj_key(&w, "name");
	hst_vwj_raw(&w, name);
	hst_vwj_key(&w, "cat");
	hst_vwj_raw(&w, "process");
	hst_vwj_key(&w, "id");
	put_num(&w, "%" PRIu64, id);
	hst_vwj_key(&w, "pid");
	put_num(&w, "%d", tgid);
	hst_vwj_key(&w, "tid");
	put_num(&w, "%d", tid);
	pf_ts(&w, "ts", ts);
	hst_vwj_key(&w, "bp");
	hst_vwj_raw(&w, "e");
	hst_vwj_close(&w, '}');
}

/* Both ends at once: a flow is written whole or not at all. */
static void pf_flow(struct hst_json *j, struct flow_end *to, pid_t tgid, pid_t tid, uint64_t ts)
{
	pf_flow_event(j, "s", to->name, to->id, to->from_tgid, to->from_tid, to->from_ts);
	pf_flow_event(j, "f", to->name, to->id, tgid, tid, ts);
	to->waiting = false;
}

/* A slice of tid at ts: the first one, and where a waiting flow ends. */
static void pf_flow_slice(struct hst_json *j, pid_t tgid, pid_t tid, uint64_t ts)
{
	struct flow_end *f = hst_tidmap_put(&j->flows, tid);

	if (!f)
		return;
	if (f->waiting)
		pf_flow(j, f, tgid, tid, ts);
	if (!f->seen) {
		f->seen = true;
		f->first_tgid = tgid;
		f->first_ts = ts;
	}
}

/*
 * A call that starts a flow: a fork, vfork or clone that returned a child
 * (to the child's first slice) or an exec that succeeded (to the thread's
 * next slice, the new program's first).
 */
static void pf_flow_start(struct hst_json *j, const struct hst_drec *entry, const struct hst_drec *exit,
			  const struct hst_syscall_sig *sig)
{
	bool fork = sig && (!strcmp(sig->name, "fork") || !strcmp(sig->name, "vfork") ||
			    !strcmp(sig->name, "clone") || !strcmp(sig->name, "clone3"));
	bool exec = hst_calls_is_exec(entry);
	struct flow_end *to;

	if (!exit || (exit->flags & HST_RAWF_ERROR) || (!fork && !exec) || (fork && exit->rval <= 0) ||
	    (exec && exit->rval != 0))
		return;
	to = hst_tidmap_put(&j->flows, fork ? (pid_t)exit->rval : exit->tid);
	if (!to)
		return;
	to->waiting = true;
	to->id = ++j->flow_ids;
	to->from_tgid = entry->tgid;
	to->from_tid = entry->tid;
	/* Just inside the slice's start: before anything the child did. */
	to->from_ts = exit->ts_ns > entry->ts_ns + 1 ? entry->ts_ns + 1 : entry->ts_ns;
	snprintf(to->name, sizeof(to->name), "%s", sig->name);
	/* The child's first slice may be out already: it ran before clone returned. */
	if (fork && to->seen)
		pf_flow(j, to, to->first_tgid, (pid_t)exit->rval, to->first_ts);
}

static void pf_call(void *arg, const struct hst_drec *entry, const struct hst_drec *exit)
{
	struct hst_json *j = arg;
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);
	char name[HST_NAME_MAX];
	struct hst_vw w;

	pf_names(j, entry, false);
	pf_flow_slice(j, entry->tgid, entry->tid, pf_inside(entry, exit));
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
	put_args(&w, entry, sig, j->cfg.fd_paths);
	if (exit) {
		put_args(&w, exit, sig, j->cfg.fd_paths);
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
	pf_flow_start(j, entry, exit, sig);
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
	/* A child that ends before any call of its own: the flow ends at its end. */
	if (d->kind == HST_RAW_EXITED || d->kind == HST_RAW_KILLED) {
		struct flow_end *f = hst_tidmap_get(&j->flows, d->tid);
		if (f && f->waiting)
			pf_flow(j, f, d->tgid, d->tid, d->ts_ns);
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
	if (hst_tidmap_init(&j->named, 1) < 0)
		goto fail_named;
	if (hst_tidmap_init(&j->flows, sizeof(struct flow_end)) < 0)
		goto fail_flows;
	if (hst_calls_init(&j->calls, cfg->perfetto ? &perfetto_ops : &json_ops, j) < 0)
		goto fail_calls;
	/* A call in progress at the detach is shown with "ret":null, as one at a kill. */
	j->calls.emit_detached = true;
	*out = j;
	return 0;

fail_calls:
	hst_tidmap_free(&j->flows);
fail_flows:
	hst_tidmap_free(&j->named);
fail_named:
	free(j);
	return -ENOMEM;
}

void hst_json_free(struct hst_json *j)
{
	if (!j)
		return;
	hst_calls_free(&j->calls);
	hst_tidmap_free(&j->named);
	hst_tidmap_free(&j->flows);
	free(j);
}
