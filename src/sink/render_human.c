/*
 * Human sentences from decoded records; see render.h.  Owned by one sink
 * thread, like the text renderer: all state here belongs to that thread.
 * Pairing entries with exits and following process names is calls.c's.
 *
 * A call is written once it returned, as one line:
 *
 *     [MODE] NAME[PID] SENTENCE
 *
 * MODE is the call's mode from src/decode/modes.c, shown only when it is
 * not info.  NAME is the process's name as far as the stream tells it: the
 * basename of its last successful execve, inherited by the children it
 * forks (a child whose first records come before its parent's fork returned
 * is "pid" until it execs).  SENTENCE comes from data/human.tbl, a template
 * per syscall that this file fills in; the table's header describes the
 * template language, and the engine below is the whole of it: literals,
 * {references}, [optional|alternative] groups.
 *
 * Untrusted bytes (paths, buffers) are written plain only when they are
 * printable and hold no space or quote; anything else goes through strace's
 * quoting, so no control byte reaches a terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "core/kinds.h"
#include "core/systable.h"
#include "decode/modes.h"
#include "sink/calls.h"
#include "sink/render.h"
#include "sink/vw.h"

#define C_VERB "1"
#define C_PATH "32"
#define C_FAIL "1;31"
#define C_SIG "1;33"
#define C_EXIT "1;35"
#define C_DANGER "1;31"
#define C_WARN "1;33"

struct human_row {
	const char *name;
	const char *ok;    /* sentence on success */
	const char *fail;  /* what follows "failed to " */
};

#include "human_rules.h"

#define NROWS (sizeof(human_rows) / sizeof(human_rows[0]))

struct hst_human {
	struct hst_text_config cfg;
	struct hst_calls calls;   /* pairing and process names */
	struct hst_out *o;        /* where the record being handled goes */
};

/* One call being written. */
struct call {
	struct hst_human *h;
	const struct hst_drec *entry, *exit;
	const struct hst_syscall_sig *sig;
};

static const struct human_row *row_of(const struct hst_drec *entry)
{
	if (!hst_record_sig(entry->nr, entry->flags) || entry->nr < 0 || (size_t)entry->nr >= NROWS)
		return NULL;
	return human_rows[entry->nr].ok ? &human_rows[entry->nr] : NULL;
}

/* --- values --------------------------------------------------------------- */

static bool plain_bytes(const char *s, size_t n)
{
	return n > 0 && hst_out_bare(s, n);
}

static void put_text(struct hst_out *o, const char *s, size_t n, bool more)
{
	if (plain_bytes(s, n))
		hst_out_put(o, s, n);
	else
		hst_out_quote(o, s, n);
	if (more)
		hst_out_puts(o, "...");
}

static void put_hex(struct hst_out *o, uint64_t v)
{
	if (v)
		hst_out_hex(o, v);
	else
		hst_out_put(o, "0", 1);
}

/* Strings and buffers: false (the address instead) when nothing was read. */
static bool put_bytes(const struct hst_drec *d, const struct hst_dval *v, uint64_t raw, size_t limit,
		      struct hst_out *o)
{
	size_t n = v->len < limit ? v->len : limit;

	if (v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) {
		if (o) {
			if (v->flags & HST_DVF_NULL)
				hst_out_puts(o, "NULL");
			else
				put_hex(o, raw);
		}
		return false;
	}
	if (o) {
		bool path = v->type == HST_A_PATH;
		if (path)
			hst_out_color(o, C_PATH);
		put_text(o, hst_drec_blob(d) + v->off, n, (v->flags & HST_DVF_TRUNC) || n < v->len);
		if (path)
			hst_out_reset(o);
	}
	return true;
}

static bool put_strv(const struct hst_drec *d, const struct hst_dval *v, unsigned skip, size_t limit,
		     struct hst_out *o)
{
	const char *p = hst_drec_blob(d) + v->off;

	if ((v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) || (v->type != HST_A_STRV && v->type != HST_A_ENVV))
		return false;
	for (uint32_t i = 0; o && i < v->len; i++) {
		uint32_t hdr[2];
		memcpy(hdr, p, sizeof(hdr));
		if (i >= skip) {
			hst_out_put(o, " ", 1);
			if (i - skip >= limit) {
				hst_out_puts(o, "...");
				break;
			}
			if (hdr[1] & HST_CAPF_FAULT)
				hst_out_puts(o, "???");
			else
				put_text(o, p + 8, hdr[0], (hdr[1] & HST_CAPF_TRUNC) != 0);
		}
		p += 8 + ((hdr[0] + 3) & ~3u);
	}
	if (o && v->v > v->len)
		hst_out_puts(o, " ...");
	return true;
}

/* An argument by its type; false when it has no typed value (a raw pointer). */
static bool put_default(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
			uint64_t raw, struct hst_out *o)
{
	struct hst_vw w;
	unsigned type;

	if (!v) {
		/* No value in the record (rendered at the other stop): the register. */
		if (o)
			put_hex(o, raw);
		return false;
	}
	type = v->type;
	switch (type) {
	case HST_A_INT: case HST_A_FD:
		if (o) hst_out_dec(o, (int)raw);
		return true;
	case HST_A_LONG:
		if (o) hst_out_dec(o, (int64_t)raw);
		return true;
	case HST_A_UINT:
		if (o) hst_out_udec(o, (unsigned)raw);
		return true;
	case HST_A_SIZE:
		if (o) hst_out_udec(o, raw);
		return true;
	case HST_A_OCT: case HST_A_OPEN_MODE:
		if (o) hst_out_oct(o, raw);
		return true;
	case HST_A_DIRFD:
		if (o && (int)raw == AT_FDCWD) hst_out_puts(o, "AT_FDCWD");
		else if (o) hst_out_dec(o, (int)raw);
		return true;
	case HST_A_PATH: case HST_A_STR:
		return put_bytes(d, v, raw, SIZE_MAX, o);
	case HST_A_BUF_IN: case HST_A_BUF_OUT:
		return put_bytes(d, v, raw, c->h->cfg.strsize, o);
	case HST_A_STRV: case HST_A_ENVV:
		if (o) hst_out_put(o, "[", 1);
		put_strv(d, v, 0, c->h->cfg.strsize, o);
		if (o) hst_out_puts(o, " ]");
		return true;
	case HST_A_FLAGS: case HST_A_ENUM:
		if (v->aux >= hst_nctabs) {
			if (o) put_hex(o, raw);
			return false;
		}
		if (o) {
			hst_vw_init(&w, o, c->h->cfg.strsize, c->h->cfg.verbose);
			if (type == HST_A_FLAGS)
				hst_vw_flags(&w, hst_ctabs[v->aux], raw);
			else
				hst_vw_enum(&w, hst_ctabs[v->aux], raw);
		}
		return true;
	case HST_A_IN: case HST_A_OUT: case HST_A_INOUT: case HST_A_VAL:
		if (o) {
			hst_vw_init(&w, o, c->h->cfg.strsize, c->h->cfg.verbose);
			hst_vw_kind_value(&w, d, v);
		}
		return type == HST_A_VAL || !(v->flags & (HST_DVF_NULL | HST_DVF_FAULT));
	default: /* HEX, PTR, and flags still without a table */
		if (o) put_hex(o, raw);
		return false;
	}
}

/* --- filters -------------------------------------------------------------- */

typedef bool filter_fn(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		       uint64_t raw, struct hst_out *o);

static bool f_access(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		     uint64_t raw, struct hst_out *o)
{
	static const char *const acc[] = { "for reading", "for writing", "for reading and writing",
					   "with access mode 3" };
	static const struct { unsigned bit; const char *word; } extra[] = {
		{ O_CREAT, "create" }, { O_TRUNC, "truncate" }, { O_APPEND, "append" }, { O_EXCL, "exclusive" },
	};
	bool any = false;

	(void)c, (void)d, (void)v;
	if (!o)
		return true;
	hst_out_puts(o, acc[raw & 3]);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		if (raw & extra[i].bit) {
			hst_out_puts(o, any ? ", " : " (");
			hst_out_puts(o, extra[i].word);
			any = true;
		}
	}
	if (any)
		hst_out_put(o, ")", 1);
	return true;
}

static bool f_sockaddr(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		       uint64_t raw, struct hst_out *o)
{
	struct sockaddr_storage ss;
	char ip[INET6_ADDRSTRLEN];
	size_t len;

	if (!v || !hst_dval_sockaddr(d, v, &ss, &len)) {
		put_default(c, d, v, raw, o);
		return false;
	}
	if (!o)
		return true;
	if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		hst_out_printf(o, "%s:%u", ip, ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		hst_out_printf(o, "[%s]:%u", ip, ntohs(in6->sin6_port));
	} else if (ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
		size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
		if (n && un->sun_path[0] == '\0') {
			hst_out_put(o, "@", 1);
			put_text(o, un->sun_path + 1, n - 1, false);
		} else {
			put_text(o, un->sun_path, strnlen(un->sun_path, n), false);
		}
	} else {
		hst_out_printf(o, "an address of family %u", ss.ss_family);
	}
	return true;
}

/* A path relative to a dirfd: "fd 3" for an empty path, "x (in fd 3)" for a relative one. */
static bool f_at(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		 uint64_t raw, struct hst_out *o)
{
	int arg = hst_arg_index(c->entry->nr, c->entry->flags, "dirfd");
	int dirfd = arg < 0 ? AT_FDCWD : (int)c->entry->args[arg];
	bool bytes = v && v->type == HST_A_PATH && !(v->flags & (HST_DVF_NULL | HST_DVF_FAULT));
	bool ok;

	if (bytes && v->len == 0 && dirfd != AT_FDCWD) {
		if (o) {
			hst_out_puts(o, "fd ");
			hst_out_dec(o, dirfd);
		}
		return true;
	}
	ok = put_default(c, d, v, raw, o);
	if (o && bytes && dirfd != AT_FDCWD && hst_drec_blob(d)[v->off] != '/') {
		hst_out_puts(o, " (in fd ");
		hst_out_dec(o, dirfd);
		hst_out_put(o, ")", 1);
	}
	return ok;
}

/* clone's flags, or clone3's struct clone_args (flags is its first field): "thread" or "process". */
static bool f_clone(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		    uint64_t raw, struct hst_out *o)
{
	uint64_t flags = raw;

	(void)c;
	if (v && (v->type == HST_A_IN || v->type == HST_A_PTR)) {
		struct hst_piece p;
		if (v->type == HST_A_PTR || (v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) || v->len == 0)
			return false;
		hst_drec_pieces(d, v, &p, 1);
		if (p.len < sizeof(flags) || p.fault)
			return false;
		memcpy(&flags, p.data, sizeof(flags));
	}
	if (o)
		hst_out_puts(o, flags & CLONE_THREAD ? "thread" : "process");
	return true;
}

static bool f_signal(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		     uint64_t raw, struct hst_out *o)
{
	const char *name = hst_signal_name((int)raw);

	(void)c, (void)d, (void)v;
	if (!o)
		return true;
	if ((int)raw == 0)
		hst_out_puts(o, "signal 0 (a liveness check)");
	else if (name)
		hst_out_puts(o, name);
	else
		hst_out_printf(o, "signal %d", (int)raw);
	return true;
}

static bool f_oct(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		  uint64_t raw, struct hst_out *o)
{
	(void)c, (void)d, (void)v;
	if (o)
		hst_out_oct(o, raw);
	return true;
}

static bool f_hex(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		  uint64_t raw, struct hst_out *o)
{
	(void)c, (void)d, (void)v;
	if (o)
		put_hex(o, raw);
	return true;
}

static bool f_args(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		   uint64_t raw, struct hst_out *o)
{
	(void)raw;
	return v && put_strv(d, v, 1, c->h->cfg.strsize, o);
}

static bool f_waitpid(const struct call *c, const struct hst_drec *d, const struct hst_dval *v,
		      uint64_t raw, struct hst_out *o)
{
	int pid = (int)raw;

	(void)c, (void)d, (void)v;
	if (!o)
		return true;
	if (pid == -1)
		hst_out_puts(o, "any child");
	else if (pid == 0)
		hst_out_puts(o, "any child in its group");
	else if (pid < 0)
		hst_out_printf(o, "any child in group %d", -pid);
	else
		hst_out_printf(o, "process %d", pid);
	return true;
}

static const struct {
	const char *name;
	filter_fn *fn;
} filters[] = {
	{ "access", f_access },   { "sockaddr", f_sockaddr }, { "signal", f_signal },
	{ "oct", f_oct },         { "hex", f_hex },           { "args", f_args },
	{ "waitpid", f_waitpid }, { "at", f_at },           { "clone", f_clone },
};

static filter_fn *filter_of(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (strlen(filters[i].name) == n && !memcmp(filters[i].name, name, n))
			return filters[i].fn;
	return NULL;
}

/* --- the template engine --------------------------------------------------- */

static bool put_ret(const struct call *c, struct hst_out *o)
{
	if (!c->exit)
		return false;
	if (o && c->sig && c->sig->ret == HST_R_HEX)
		put_hex(o, (uint64_t)c->exit->rval);
	else if (o)
		hst_out_dec(o, c->exit->rval);
	return true;
}

/* {name} or {name:filter}; o NULL only asks whether it can be shown. */
static bool put_ref(const struct call *c, const char *ref, size_t n, struct hst_out *o)
{
	const char *colon = memchr(ref, ':', n);
	size_t nlen = colon ? (size_t)(colon - ref) : n;
	char name[32];
	filter_fn *fn = NULL;
	int arg;

	if (nlen >= sizeof(name))
		nlen = sizeof(name) - 1;
	memcpy(name, ref, nlen);
	name[nlen] = '\0';
	if (colon && !(fn = filter_of(colon + 1, n - nlen - 1)))
		goto unknown;
	if (!strcmp(name, "ret") && !fn)
		return put_ret(c, o);
	arg = hst_arg_index(c->entry->nr, c->entry->flags, name);
	if (arg < 0)
		goto unknown;
	const struct hst_drec *d = hst_call_rec(c->entry, c->exit, (unsigned)arg);
	const struct hst_dval *v = hst_drec_val(d, (unsigned)arg);
	uint64_t raw = c->entry->args[arg];
	return fn ? fn(c, d, v, raw, o) : put_default(c, d, v, raw, o);

unknown:
	if (o)
		hst_out_put(o, "?", 1);
	return false;
}

/* Where the group or reference that opens at t[i] ends (its closing byte). */
static size_t closing(const char *t, size_t i, size_t n)
{
	char open = t[i], close = open == '[' ? ']' : '}';
	int depth = 0;

	for (; i < n; i++) {
		if (t[i] == open)
			depth++;
		else if (t[i] == close && --depth == 0)
			return i;
	}
	return n;
}

/* The top-level '|' of a group's inside, or n. */
static size_t alternative(const char *t, size_t n)
{
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		if (t[i] == '[')
			depth++;
		else if (t[i] == ']')
			depth--;
		else if (t[i] == '|' && depth == 0)
			return i;
	}
	return n;
}

/* A template; o NULL only checks that every reference can be shown. */
static bool put_template(const struct call *c, const char *t, size_t n, struct hst_out *o)
{
	bool ok = true;
	size_t i = 0, lit;

	while (i < n) {
		if (t[i] == '{' || t[i] == '[') {
			size_t end = closing(t, i, n);
			const char *in = t + i + 1;
			size_t len = end - i - 1;
			if (t[i] == '{') {
				ok &= put_ref(c, in, len, o);
			} else {
				size_t bar = alternative(in, len);
				if (put_template(c, in, bar, NULL))
					put_template(c, in, bar, o);
				else if (bar < len)
					ok &= put_template(c, in + bar + 1, len - bar - 1, o);
			}
			i = end + 1;
			continue;
		}
		for (lit = i; i < n && t[i] != '{' && t[i] != '['; i++)
			;
		if (o)
			hst_out_put(o, t + lit, i - lit);
	}
	return ok;
}

/* The success sentence, its first word (the verb) in colour. */
static void put_sentence(const struct call *c, const char *t, struct hst_out *o)
{
	size_t n = strlen(t), verb = strcspn(t, " {[");

	hst_out_color(o, C_VERB);
	hst_out_put(o, t, verb);
	hst_out_reset(o);
	put_template(c, t + verb, n - verb, o);
}

/* "NAME(arg, arg)" for calls without a row. */
static void put_generic(const struct call *c, struct hst_out *o)
{
	char buf[HST_NAME_MAX];

	hst_out_puts(o, hst_text_syscall_name(c->entry->nr, c->entry->flags, buf));
	hst_out_put(o, "(", 1);
	for (unsigned i = 0; i < (c->sig ? c->sig->nargs : 0); i++) {
		const struct hst_drec *d = hst_call_rec(c->entry, c->exit, i);
		if (i)
			hst_out_put(o, ", ", 2);
		put_default(c, d, hst_drec_val(d, i), c->entry->args[i], o);
	}
	hst_out_put(o, ")", 1);
}

/* --- sentences ------------------------------------------------------------ */

static void put_who(struct hst_human *h, struct hst_out *o, const struct hst_drec *d)
{
	char buf[HST_COMM_LEN];
	const char *name = hst_calls_name(&h->calls, d->tgid, d, buf);

	if (name)
		put_text(o, name, strlen(name), false);
	else
		hst_out_puts(o, "pid");
	/* By hand, not printf: this is in front of every sentence. */
	hst_out_put(o, "[", 1);
	hst_out_dec(o, d->tgid);
	if (d->tid != d->tgid) {
		hst_out_put(o, "/", 1);
		hst_out_dec(o, d->tid);
	}
	hst_out_put(o, "] ", 2);
}

static void put_mode(struct hst_out *o, enum hst_mode mode)
{
	if (mode == HST_MODE_INFO)
		return;
	hst_out_color(o, mode == HST_MODE_DANGER ? C_DANGER : C_WARN);
	hst_out_puts(o, mode == HST_MODE_DANGER ? "[DANGER]" : "[warn]");
	hst_out_reset(o);
	hst_out_put(o, " ", 1);
}

static void put_failure(struct hst_out *o, int err)
{
	const char *msg = hst_errno_message(err);
	const char *name = hst_errno_name(err);

	hst_out_color(o, C_FAIL);
	hst_out_puts(o, ": ");
	if (msg && *msg) {
		char first = msg[0] >= 'A' && msg[0] <= 'Z' ? (char)(msg[0] - 'A' + 'a') : msg[0];
		hst_out_put(o, &first, 1);
		hst_out_puts(o, msg + 1);
	} else if (name) {
		hst_out_puts(o, name);
	} else {
		hst_out_printf(o, "error %d", err);
	}
	hst_out_reset(o);
}

/* One call; exit NULL: it never returned (or never returns, like exit_group). */
static void put_call(struct hst_human *h, const struct hst_drec *entry, const struct hst_drec *exit,
		     struct hst_out *o)
{
	struct call c = { h, entry, exit, hst_record_sig(entry->nr, entry->flags) };
	const struct human_row *row = row_of(entry);
	bool noreturn = c.sig && c.sig->ret == HST_R_NORETURN;

	put_mode(o, hst_mode_of(entry, exit));
	put_who(h, o, entry);
	if (exit && (exit->flags & HST_RAWF_ERROR)) {
		hst_out_color(o, C_FAIL);
		hst_out_puts(o, "failed to ");
		hst_out_reset(o);
		if (row)
			put_template(&c, row->fail, strlen(row->fail), o);
		else {
			hst_out_puts(o, "call ");
			put_generic(&c, o);
		}
		put_failure(o, (int)-exit->rval);
	} else if (!exit && !noreturn) {
		hst_out_puts(o, "tried to ");
		if (row)
			put_template(&c, row->fail, strlen(row->fail), o);
		else {
			hst_out_puts(o, "call ");
			put_generic(&c, o);
		}
		hst_out_puts(o, " (did not return)");
	} else if (row) {
		put_sentence(&c, row->ok, o);
	} else {
		hst_out_color(o, C_VERB);
		hst_out_puts(o, "called");
		hst_out_reset(o);
		hst_out_put(o, " ", 1);
		put_generic(&c, o);
		if (exit) {
			hst_out_puts(o, " -> ");
			put_ret(&c, o);
		}
	}
	hst_out_put(o, "\n", 1);
}

/* --- records -------------------------------------------------------------- */

static void on_call(void *arg, const struct hst_drec *entry, const struct hst_drec *exit)
{
	struct hst_human *h = arg;
	put_call(h, entry, exit, h->o);
}

static void on_signal(struct hst_human *h, const struct hst_drec *d, struct hst_out *o)
{
	const char *name = hst_signal_name(d->nr);

	put_who(h, o, d);
	hst_out_puts(o, d->kind == HST_RAW_SIGNAL ? "received " : "was stopped by ");
	hst_out_color(o, C_SIG);
	if (name)
		hst_out_puts(o, name);
	else
		hst_out_printf(o, "signal %d", d->nr);
	hst_out_reset(o);
	hst_out_put(o, "\n", 1);
}

/* Exits and kills of a process (its leader); threads and detaches say nothing. */
static void on_gone(struct hst_human *h, const struct hst_drec *d, struct hst_out *o)
{
	/* A leader superseded by another thread's execve: the execve says it. */
	if (d->kind == HST_RAW_DETACHED || d->tid != d->tgid || hst_raw_superseded(d->kind, d->nr))
		return;
	put_who(h, o, d);
	hst_out_color(o, C_EXIT);
	if (d->kind == HST_RAW_EXITED) {
		hst_out_printf(o, "exited with %d", (int)d->rval);
	} else {
		const char *sig = hst_signal_name((int)d->rval);
		hst_out_puts(o, "was killed by ");
		if (sig)
			hst_out_puts(o, sig);
		else
			hst_out_printf(o, "signal %d", (int)d->rval);
		if (d->flags & HST_RAWF_CORE)
			hst_out_puts(o, " (core dumped)");
	}
	hst_out_reset(o);
	hst_out_put(o, "\n", 1);
}

static void on_other(void *arg, const struct hst_drec *d)
{
	struct hst_human *h = arg;

	switch (d->kind) {
	case HST_RAW_SIGNAL:
	case HST_RAW_GROUP_STOP: on_signal(h, d, h->o); break;
	case HST_RAW_EXITED:
	case HST_RAW_KILLED:
	case HST_RAW_DETACHED: on_gone(h, d, h->o); break;
	default: break;
	}
}

static const struct hst_calls_ops human_ops = { on_call, on_other };

void hst_human_record(struct hst_human *h, const struct hst_drec *d, struct hst_out *o)
{
	h->o = o;
	hst_calls_record(&h->calls, d);
}

void hst_human_finish(struct hst_human *h, struct hst_out *o)
{
	h->o = o;
	hst_calls_finish(&h->calls);
}

int hst_human_new(struct hst_human **out, const struct hst_text_config *cfg)
{
	struct hst_human *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->cfg = *cfg;
	if (hst_calls_init(&h->calls, &human_ops, h) < 0) {
		free(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

void hst_human_free(struct hst_human *h)
{
	if (!h)
		return;
	hst_calls_free(&h->calls);
	free(h);
}

/* --- checking the table ---------------------------------------------------- */

static int verify_template(long nr, const char *t, char *msg, size_t len)
{
	for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		size_t n = end ? (size_t)(end - p - 1) : 0;
		const char *colon = memchr(p + 1, ':', n);
		size_t nlen = colon ? (size_t)(colon - p - 1) : n;
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)nlen, p + 1);
		if ((colon && !filter_of(colon + 1, n - nlen - 1)) ||
		    (strcmp(name, "ret") && hst_arg_index(nr, 0, name) < 0)) {
			snprintf(msg, len, "data/human.tbl: %s: bad reference {%.*s}", human_rows[nr].name,
				 (int)n, p + 1);
			return -1;
		}
	}
	return 0;
}

int hst_human_verify(char *msg, size_t len)
{
	for (size_t nr = 0; nr < NROWS; nr++) {
		if (!human_rows[nr].ok)
			continue;
		if (verify_template((long)nr, human_rows[nr].ok, msg, len) < 0 ||
		    verify_template((long)nr, human_rows[nr].fail, msg, len) < 0)
			return -1;
	}
	return 0;
}
