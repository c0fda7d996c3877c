/*
 * strace-format text from decoded records.  See render.h for the state a
 * renderer keeps; this file is its only user.  Colour, when on, marks the
 * syscall name, strings, errors, signals and exits; with colour off the
 * bytes are exactly strace's.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/kinds.h"
#include "core/systable.h"
#include "sink/render.h"
#include "sink/vw.h"

#define RET_COLUMN 39

#define C_NAME "1;36"
#define C_STR "32"
#define C_ERR "1;31"
#define C_SIG "1;33"
#define C_EXIT "1;35"
#define C_PID "2"

struct tid_state {
	uint8_t pending;    /* entry seen, exit not yet */
	uint8_t unfinished; /* its line was closed with <unfinished ...> */
	uint16_t raw_flags;
	int32_t nr;
	uint64_t entry_ts;  /* -T */
	uint8_t has_prev;   /* nr and raw_flags name a call this thread made */
	uint8_t restart;    /* pending call is restart_syscall (restart_nr), resuming nr */
	int32_t restart_nr;
};

/* The call a pending line is about: restart_syscall keeps nr for the one it resumes. */
static int32_t pending_nr(const struct tid_state *s)
{
	return s->restart ? s->restart_nr : s->nr;
}

int hst_text_init(struct hst_text *t, const struct hst_text_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	return hst_tidmap_init(&t->tids, sizeof(struct tid_state));
}

void hst_text_free(struct hst_text *t)
{
	hst_tidmap_free(&t->tids);
}

const char *hst_text_syscall_name(long nr, unsigned raw_flags, char buf[HST_NAME_MAX])
{
	const struct hst_syscall_sig *sig = hst_record_sig(nr, raw_flags);
	if (sig)
		return sig->name;
	/* Another ABI's call: named from its own table, marked, never decoded. */
	const char *abi = hst_abi_name(nr, raw_flags);
	if (abi)
		snprintf(buf, HST_NAME_MAX, "%s:%s", raw_flags & HST_RAWF_I386 ? "i386" : "x32", abi);
	else if (raw_flags & HST_RAWF_I386)
		snprintf(buf, HST_NAME_MAX, "i386:syscall_%ld", nr);
	else if (raw_flags & HST_RAWF_X32)
		snprintf(buf, HST_NAME_MAX, "x32:syscall_%#lx", nr);
	else
		snprintf(buf, HST_NAME_MAX, "syscall_%ld", nr);
	return buf;
}

/* --- values ------------------------------------------------------------- */

static void put_open_flags(struct hst_out *o, uint64_t v)
{
	char buf[600];

	hst_open_flags_text(buf, sizeof(buf), v);
	hst_out_puts(o, buf);
}

static void put_hex(struct hst_out *o, uint64_t v)
{
	if (v)
		hst_out_hex(o, v);
	else
		hst_out_put(o, "0", 1);
}

static void put_ptr(struct hst_out *o, uint64_t v)
{
	if (v)
		hst_out_hex(o, v);
	else
		hst_out_puts(o, "NULL");
}

static void put_quoted(struct hst_out *o, const char *s, size_t n, bool more)
{
	hst_out_color(o, C_STR);
	hst_out_quote(o, s, n);
	hst_out_reset(o);
	if (more)
		hst_out_puts(o, "...");
}

/* Bytes of a string or buffer value; the fault and NULL cases print the pointer. */
static void put_bytes(struct hst_out *o, const struct hst_drec *d, const struct hst_dval *v,
		      uint64_t addr, size_t limit)
{
	size_t n = v->len;

	if (v->flags & HST_DVF_NULL) {
		hst_out_puts(o, "NULL");
		return;
	}
	if (v->flags & HST_DVF_FAULT) {
		put_ptr(o, addr);
		return;
	}
	if (n > limit)
		n = limit;
	put_quoted(o, hst_drec_blob(d) + v->off, n, (v->flags & HST_DVF_TRUNC) || n < v->len);
}

static void put_buffer(struct hst_out *o, const struct hst_drec *d, const struct hst_dval *v, size_t limit)
{
	size_t n = v->len < limit ? v->len : limit;

	if (v->flags & (HST_DVF_FAULT | HST_DVF_NULL)) {
		put_ptr(o, d->args[v->arg]);
		return;
	}
	put_quoted(o, hst_drec_blob(d) + v->off, n, v->v > n);
}

/* strace shows at most -s elements of an array, then "...". */
static void put_strv(struct hst_out *o, const struct hst_drec *d, const struct hst_dval *v, size_t limit)
{
	const char *p = hst_drec_blob(d) + v->off;
	uint32_t shown = v->len < limit ? v->len : (uint32_t)limit;

	if (v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) {
		put_ptr(o, d->args[v->arg]);
		return;
	}
	hst_out_put(o, "[", 1);
	for (uint32_t i = 0; i < shown; i++) {
		uint32_t hdr[2];
		memcpy(hdr, p, sizeof(hdr));
		if (i)
			hst_out_put(o, ", ", 2);
		if (hdr[1] & HST_CAPF_FAULT)
			hst_out_puts(o, "???");
		else
			put_quoted(o, p + 8, hdr[0] < limit ? hdr[0] : limit,
				   (hdr[1] & HST_CAPF_TRUNC) || hdr[0] > limit);
		p += 8 + ((hdr[0] + 3) & ~3u);
	}
	if (v->v > shown)
		hst_out_puts(o, shown ? ", ..." : "...");
	hst_out_put(o, "]", 1);
}

/*
 * -y: "3</etc/passwd>", and "AT_FDCWD</home/me>" for a directory fd.  Like
 * strace, the kernel's " (deleted)" suffix moves after the bracket:
 * "8</memfd:x>(deleted)".
 */
static void put_fd_path(struct hst_text *t, struct hst_out *o, const char *path, size_t n)
{
	if (t->cfg.fd_paths)
		hst_out_fd_path(o, path, n);
}

static void put_fd(struct hst_text *t, struct hst_out *o, const struct hst_drec *d,
		   const struct hst_dval *v)
{
	if (v->type == HST_A_DIRFD && (int)v->v == AT_FDCWD)
		hst_out_puts(o, "AT_FDCWD");
	else
		hst_out_dec(o, (int)v->v);
	if (v->flags & HST_DVF_FDPATH)
		put_fd_path(t, o, hst_drec_blob(d) + v->off, v->len);
}

static void put_value(struct hst_text *t, struct hst_out *o, const struct hst_drec *d,
		      const struct hst_dval *v)
{
	switch (v->type) {
	case HST_A_INT:
		hst_out_dec(o, (int)v->v);
		break;
	case HST_A_FD:
	case HST_A_DIRFD:
		put_fd(t, o, d, v);
		break;
	case HST_A_LONG:
		hst_out_dec(o, (int64_t)v->v);
		break;
	case HST_A_UINT:
		hst_out_udec(o, (unsigned)v->v);
		break;
	case HST_A_SIZE:
		hst_out_udec(o, v->v);
		break;
	case HST_A_OCT:
	case HST_A_OPEN_MODE:
		hst_out_oct(o, v->v);
		break;
	case HST_A_PTR:
		put_ptr(o, v->v);
		break;
	case HST_A_PATH:
		put_bytes(o, d, v, v->v, SIZE_MAX);
		break;
	case HST_A_STR:
		put_bytes(o, d, v, v->v, t->cfg.strsize);
		break;
	case HST_A_BUF_IN:
	case HST_A_BUF_OUT:
		put_buffer(o, d, v, t->cfg.strsize);
		break;
	case HST_A_STRV:
		put_strv(o, d, v, t->cfg.strsize);
		break;
	case HST_A_ENVV:
		put_ptr(o, d->args[v->arg]);
		if (!(v->flags & (HST_DVF_NULL | HST_DVF_FAULT)))
			hst_out_printf(o, " /* %" PRIu64 " var%s%s */", v->v, v->v == 1 ? "" : "s",
				       v->flags & HST_DVF_TRUNC ? " or more" : "");
		break;
	case HST_A_OPEN_FLAGS:
		put_open_flags(o, v->v);
		break;
	case HST_A_FLAGS:
	case HST_A_ENUM:
	case HST_A_IN:
	case HST_A_OUT:
	case HST_A_INOUT:
	case HST_A_VAL: {
		struct hst_vw w;
		hst_vw_init(&w, o, t->cfg.strsize, t->cfg.verbose);
		w.fd_paths = t->cfg.fd_paths;
		if (v->type != HST_A_FLAGS && v->type != HST_A_ENUM)
			hst_vw_kind_value(&w, d, v);
		else if (v->aux < hst_nctabs && v->type == HST_A_FLAGS)
			hst_vw_flags(&w, hst_ctabs[v->aux], v->v);
		else if (v->aux < hst_nctabs)
			hst_vw_enum(&w, hst_ctabs[v->aux], v->v);
		else
			put_hex(o, v->v);
		break;
	}
	default:
		put_hex(o, v->v);
		break;
	}
}

/* Values of this half of the call, comma-separated. */
static void put_values(struct hst_text *t, struct hst_out *o, const struct hst_drec *d, bool lead_comma)
{
	const struct hst_dval *v = hst_drec_vals(d);
	bool first = !lead_comma;

	for (unsigned i = 0; i < d->nvals; i++) {
		if ((v[i].flags & HST_DVF_ABSENT) || hst_vw_kind_absent(d, &v[i]))
			continue;
		if (!first)
			hst_out_put(o, ", ", 2);
		first = false;
		put_value(t, o, d, &v[i]);
	}
}

/* --- lines -------------------------------------------------------------- */

/* -t, -tt, -ttt (wall clock of the stop) and -r (since the previous line's). */
static void put_time(struct hst_text *t, struct hst_out *o, uint64_t ts_ns)
{
	/* Wrapping sum: a log's ts_ns may be any u64.  -t/-tt show the second
	 * the stop fell in (rounded down, also before 1970); -ttt the signed
	 * number of seconds. */
	int64_t real = (int64_t)(ts_ns + (uint64_t)t->cfg.clock_offset_ns);
	int64_t rem = real % 1000000000;
	uint64_t mag = real < 0 ? 0 - (uint64_t)real : (uint64_t)real;
	time_t sec = (time_t)(real / 1000000000 - (rem < 0));
	long usec = (long)((rem < 0 ? rem + 1000000000 : rem) / 1000);

	if (t->cfg.relative) {
		uint64_t d = t->last_ts && ts_ns > t->last_ts ? ts_ns - t->last_ts : 0;
		hst_out_printf(o, "%6lu.%06lu ", (unsigned long)(d / 1000000000),
			       (unsigned long)(d % 1000000000) / 1000);
		t->last_ts = ts_ns;
	} else if (t->cfg.timestamps == 3) {
		hst_out_printf(o, "%s%llu.%06llu ", real < 0 ? "-" : "", (unsigned long long)(mag / 1000000000),
			       (unsigned long long)(mag % 1000000000) / 1000);
	} else if (t->cfg.timestamps) {
		struct tm tm;
		char buf[32];
		if (!localtime_r(&sec, &tm))
			memset(&tm, 0, sizeof(tm));
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		hst_out_puts(o, buf);
		if (t->cfg.timestamps == 2)
			hst_out_printf(o, ".%06ld", usec);
		hst_out_put(o, " ", 1);
	}
}

static void put_prefix(struct hst_text *t, struct hst_out *o, pid_t tid, uint64_t ts_ns)
{
	if (t->cfg.pid_column) {
		hst_out_color(o, C_PID);
		size_t start = o->len;
		hst_out_dec(o, tid);
		hst_out_put(o, "      ", o->len - start < 5 ? 6 - (o->len - start) : 1);
		hst_out_reset(o);
	} else if (t->tids.live > 1) {
		hst_out_color(o, C_PID);
		hst_out_printf(o, "[pid %5d] ", tid);
		hst_out_reset(o);
	}
	put_time(t, o, ts_ns);
}

/* Another thread has something to say: close the open line as unfinished. */
static void close_open_line(struct hst_text *t, struct hst_out *o, pid_t except)
{
	struct tid_state *s;

	if (!t->open_tid || t->open_tid == except)
		return;
	hst_out_puts(o, " <unfinished ...>\n");
	s = hst_tidmap_get(&t->tids, t->open_tid);
	if (s)
		s->unfinished = 1;
	t->open_tid = 0;
}

static void put_name(struct hst_out *o, const char *name)
{
	hst_out_color(o, C_NAME);
	hst_out_puts(o, name);
	hst_out_reset(o);
}

/* Some arguments are rendered at exit (read's buffer). */
static bool has_exit_half(long nr, unsigned raw_flags)
{
	const struct hst_syscall_sig *sig = hst_record_sig(nr, raw_flags);
	return sig && sig->exit_from < sig->nargs;
}

/* Whether any argument rendered at exit (sig has some) will be shown: kinds
 * may hide theirs for this call (ioctl's argument for FIOCLEX), and then no
 * ", " either. */
static bool exit_half_shown(const struct hst_drec *d, const struct hst_syscall_sig *sig)
{
	for (unsigned i = sig->exit_from; i < sig->nargs; i++) {
		struct hst_dval v = { .type = sig->type[i], .arg = (uint8_t)i, .aux = sig->aux[i] };
		if (!hst_vw_kind_absent(d, &v))
			return true;
	}
	return false;
}


/*
 * restart_syscall, which the kernel runs to resume a call interrupted by a
 * stop (ERESTART_RESTARTBLOCK, then SIGSTOP and SIGCONT): strace names the
 * call it resumes, the thread's previous one.  A thread attached in that
 * call has none: the tracer read it at the attach (HST_RAWF_RESUMES;
 * strace 6.1 says "read" there), and a log without it says "system call".
 * The tid state keeps naming that call, so a second restart names it again.
 */
static void put_restart_syscall(struct hst_text *t, struct hst_out *o, const struct hst_drec *d,
				struct tid_state *s)
{
	char buf[HST_NAME_MAX];

	put_prefix(t, o, d->tid, d->ts_ns);
	put_name(o, hst_text_syscall_name(d->nr, d->flags, buf));
	hst_out_puts(o, "(<... resuming interrupted ");
	if (!s->has_prev && (d->flags & HST_RAWF_RESUMES) && hst_syscall_sig(d->rval)) {
		/* Attached mid-call: the tracer read which call it was. */
		s->has_prev = 1;
		s->nr = (int32_t)d->rval;
		s->raw_flags = 0;
	}
	hst_out_puts(o, s->has_prev ? hst_text_syscall_name(s->nr, s->raw_flags, buf) : "system call");
	hst_out_puts(o, " ...>");
	s->pending = 1;
	s->unfinished = 0;
	s->restart = 1;
	s->restart_nr = d->nr;
	s->entry_ts = d->ts_ns;
	t->open_tid = d->tid;
}

static void on_entry(struct hst_text *t, struct hst_out *o, const struct hst_drec *d)
{
	/* Looked up once: every call's line asks several questions of it. */
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);
	struct tid_state *s = hst_tidmap_put(&t->tids, d->tid);
	char buf[HST_NAME_MAX];

	close_open_line(t, o, 0);
	if (!s)
		return;
	if (sig && d->nr == __NR_restart_syscall) {
		put_restart_syscall(t, o, d, s);
		return;
	}
	s->has_prev = 1;
	s->restart = 0;
	s->pending = 1;
	s->unfinished = 0;
	s->nr = d->nr;
	s->entry_ts = d->ts_ns;
	s->raw_flags = d->flags;
	put_prefix(t, o, d->tid, d->ts_ns);
	put_name(o, sig ? sig->name : hst_text_syscall_name(d->nr, d->flags, buf));
	hst_out_put(o, "(", 1);
	put_values(t, o, d, false);
	if (sig && sig->ret == HST_R_NORETURN) {
		/* strace prints these whole at once: nothing can follow them. */
		hst_out_put(o, ")", 1);
		hst_out_pad_to(o, RET_COLUMN);
		hst_out_puts(o, " = ?\n");
		s->pending = 0;
		return;
	}
	if (d->nvals && sig && sig->exit_from < sig->nargs && exit_half_shown(d, sig))
		hst_out_put(o, ", ", 2);
	t->open_tid = d->tid;
}

static void put_errno(struct hst_out *o, int64_t err)
{
	const char *name = hst_errno_name((int)err);
	const char *msg = hst_errno_message((int)err);
	bool restart = hst_errno_restarts(err);

	/* No printf: most calls of a real program's trace that fail fail here. */
	hst_out_color(o, C_ERR);
	hst_out_puts(o, name && restart ? "? " : "-1 ");
	if (name)
		hst_out_puts(o, name);
	else
		hst_out_dec(o, err);
	hst_out_reset(o);
	if (msg) {
		hst_out_put(o, " (", 2);
		hst_out_puts(o, msg);
		hst_out_put(o, ")", 1);
	}
}

static void put_return(struct hst_text *t, struct hst_out *o, const struct hst_drec *d, uint64_t entry_ts)
{
	const struct hst_syscall_sig *sig = hst_record_sig(d->nr, d->flags);

	hst_out_pad_to(o, RET_COLUMN);
	hst_out_puts(o, " = ");
	if (d->flags & HST_RAWF_ERROR) {
		put_errno(o, -d->rval);
	} else if (sig && sig->ret == HST_R_KIND) {
		struct hst_vw w;
		hst_vw_init(&w, o, t->cfg.strsize, t->cfg.verbose);
		w.fd_paths = t->cfg.fd_paths;
		hst_vw_kind_return(&w, d);
	} else if (sig && sig->ret == HST_R_HEX) {
		put_hex(o, (uint64_t)d->rval);
	} else {
		hst_out_dec(o, d->rval);
		put_fd_path(t, o, hst_drec_blob(d) + d->ret_path_off, d->ret_path_len);
	}
	if (t->cfg.durations) {
		/* -T: from the entry stop to the exit stop, as strace's <0.000123>. */
		uint64_t ns = d->ts_ns > entry_ts ? d->ts_ns - entry_ts : 0;
		hst_out_printf(o, " <%lu.%06lu>", (unsigned long)(ns / 1000000000),
			       (unsigned long)(ns % 1000000000) / 1000);
	}
	hst_out_put(o, "\n", 1);
}

static void put_resumed(struct hst_text *t, struct hst_out *o, pid_t tid, const struct tid_state *s,
			uint64_t ts_ns)
{
	char buf[HST_NAME_MAX];

	put_prefix(t, o, tid, ts_ns);
	hst_out_puts(o, "<... ");
	put_name(o, hst_text_syscall_name(pending_nr(s), s->raw_flags, buf));
	hst_out_puts(o, " resumed>");
}

static void on_exit_stop(struct hst_text *t, struct hst_out *o, const struct hst_drec *d)
{
	struct tid_state *s = hst_tidmap_get(&t->tids, d->tid);

	if (!s || !s->pending)
		return; /* no entry seen (attached mid-call) */
	if (t->open_tid == d->tid) {
		put_values(t, o, d, false);
	} else {
		close_open_line(t, o, 0);
		put_resumed(t, o, d->tid, s, d->ts_ns);
		put_values(t, o, d, false);
	}
	hst_out_put(o, ")", 1);
	put_return(t, o, d, s->entry_ts);
	s->pending = 0;
	s->restart = 0;
	t->open_tid = 0;
}

/* A thread went away (exit or detach) with a call still pending. */
static void finish_pending(struct hst_text *t, struct hst_out *o, const struct hst_drec *d,
			   const char *why)
{
	struct tid_state *s = hst_tidmap_get(&t->tids, d->tid);
	bool was_open;

	if (!s || !s->pending)
		return;
	was_open = t->open_tid == d->tid;
	if (!was_open) {
		close_open_line(t, o, 0);
		put_resumed(t, o, d->tid, s, d->ts_ns);
	}
	if (why) {
		hst_out_printf(o, " %s\n", why);
	} else {
		/* After the open line's ", " too: strace's "{...},  <unfinished ...>) = ?". */
		if (has_exit_half(pending_nr(s), s->raw_flags))
			hst_out_puts(o, " <unfinished ...>");
		hst_out_put(o, ")", 1);
		hst_out_pad_to(o, RET_COLUMN);
		hst_out_puts(o, " = ?\n");
	}
	t->open_tid = 0;
	s->pending = 0;
	s->restart = 0;
}

/* --- signals and exits -------------------------------------------------- */

static const char *si_code_name(int signo, int code)
{
	static const char *const cld[] = { NULL, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
					   "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED" };
	static const char *const segv[] = { NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					    "SEGV_PKUERR", "SEGV_ACCADI", "SEGV_ADIDERR",
					    "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR" };
	static const char *const bus[] = { NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR",
					   "BUS_MCEERR_AR", "BUS_MCEERR_AO" };
	static const char *const ill[] = { NULL, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP",
					   "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK" };
	static const char *const fpe[] = { NULL, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF",
					   "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB" };
	static const char *const trap[] = { NULL, "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT" };
#define PICK(tab) (code > 0 && (size_t)code < sizeof(tab) / sizeof(tab[0]) ? tab[code] : NULL)

	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	default: break;
	}
	switch (signo) {
	case SIGCHLD: return PICK(cld);
	case SIGSEGV: return PICK(segv);
	case SIGBUS: return PICK(bus);
	case SIGILL: return PICK(ill);
	case SIGFPE: return PICK(fpe);
	case SIGTRAP: return PICK(trap);
	default: return NULL;
	}
#undef PICK
}

static void put_signame(struct hst_out *o, int sig)
{
	const char *name = hst_signal_name(sig);
	if (name)
		hst_out_puts(o, name);
	else
		hst_out_printf(o, "%d", sig);
}

/* strace adds the seconds to a non-zero clock_t, as a comment after it. */
static void put_clock_ticks(struct hst_out *o, long ticks)
{
	static long hz;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	hst_out_printf(o, "%ld", ticks);
	if (ticks)
		hst_out_printf(o, " /* %ld.%02ld s */", ticks / hz, (ticks % hz) * 100 / hz);
}

static void put_siginfo(struct hst_out *o, const siginfo_t *si)
{
	const char *code = si_code_name(si->si_signo, si->si_code);

	hst_out_puts(o, "{si_signo=");
	put_signame(o, si->si_signo);
	if (code)
		hst_out_printf(o, ", si_code=%s", code);
	else
		hst_out_printf(o, ", si_code=%d", si->si_code);
	if (si->si_code == SI_KERNEL) {
		/* nothing else is meaningful */
	} else if (si->si_code <= 0) {
		hst_out_printf(o, ", si_pid=%d, si_uid=%u", si->si_pid, si->si_uid);
		if (si->si_code == SI_QUEUE || si->si_code == SI_MESGQ)
			hst_out_printf(o, ", si_int=%d, si_ptr=%p", si->si_value.sival_int, si->si_value.sival_ptr);
	} else if (si->si_signo == SIGCHLD) {
		hst_out_printf(o, ", si_pid=%d, si_uid=%u, si_status=", si->si_pid, si->si_uid);
		if (si->si_code == CLD_EXITED)
			hst_out_printf(o, "%d", si->si_status);
		else
			put_signame(o, si->si_status);
		hst_out_puts(o, ", si_utime=");
		put_clock_ticks(o, (long)si->si_utime);
		hst_out_puts(o, ", si_stime=");
		put_clock_ticks(o, (long)si->si_stime);
	} else if (si->si_signo == SIGSEGV || si->si_signo == SIGBUS || si->si_signo == SIGILL ||
		   si->si_signo == SIGFPE || si->si_signo == SIGTRAP) {
		hst_out_puts(o, ", si_addr=");
		put_ptr(o, (uint64_t)(uintptr_t)si->si_addr);
	}
	hst_out_put(o, "}", 1);
}

static void on_signal(struct hst_text *t, struct hst_out *o, const struct hst_drec *d)
{
	siginfo_t si;

	close_open_line(t, o, 0);
	put_prefix(t, o, d->tid, d->ts_ns);
	hst_out_color(o, C_SIG);
	hst_out_puts(o, "--- ");
	put_signame(o, d->nr);
	hst_out_reset(o);
	hst_out_put(o, " ", 1);
	if (d->blob_len >= sizeof(si)) {
		memcpy(&si, hst_drec_blob(d), sizeof(si));
		put_siginfo(o, &si);
	} else {
		hst_out_puts(o, "{...}");
	}
	hst_out_color(o, C_SIG);
	hst_out_puts(o, " ---");
	hst_out_reset(o);
	hst_out_put(o, "\n", 1);
}

static void on_group_stop(struct hst_text *t, struct hst_out *o, const struct hst_drec *d)
{
	close_open_line(t, o, 0);
	put_prefix(t, o, d->tid, d->ts_ns);
	hst_out_color(o, C_SIG);
	hst_out_puts(o, "--- stopped by ");
	put_signame(o, d->nr);
	hst_out_puts(o, " ---");
	hst_out_reset(o);
	hst_out_put(o, "\n", 1);
}

/*
 * A non-leader thread (d->nr) exec'd and took the leader's tid (d->tid);
 * the tracer's EXITED record with a non-zero nr says so.  As strace: the
 * leader's pending call ends with "= ?", an open execve line of the former
 * tid ends with " <pid changed to L ...>", then "+++ superseded by execve
 * in pid F +++", and the former tid's state (its open execve) continues
 * under the leader's tid: "<... execve resumed>) = 0".
 */
static void on_superseded(struct hst_text *t, struct hst_out *o, const struct hst_drec *d)
{
	pid_t former = (pid_t)d->nr;
	struct tid_state *s, moved = { 0 };
	bool have;

	finish_pending(t, o, d, NULL);
	if (t->open_tid == former) {
		hst_out_printf(o, " <pid changed to %d ...>\n", d->tid);
		t->open_tid = 0;
	}
	close_open_line(t, o, 0);
	put_prefix(t, o, d->tid, d->ts_ns);
	hst_out_color(o, C_EXIT);
	hst_out_printf(o, "+++ superseded by execve in pid %d +++", former);
	hst_out_reset(o);
	hst_out_put(o, "\n", 1);
	s = hst_tidmap_get(&t->tids, former);
	have = s != NULL;
	if (have)
		moved = *s;
	hst_tidmap_del(&t->tids, former);
	s = hst_tidmap_put(&t->tids, d->tid);
	if (s)
		*s = have ? moved : (struct tid_state){ 0 };
}

static void on_gone(struct hst_text *t, struct hst_out *o, const struct hst_drec *d)
{
	if (d->kind == HST_RAW_EXITED && d->nr > 0) {
		on_superseded(t, o, d);
		return;
	}
	finish_pending(t, o, d, d->kind == HST_RAW_DETACHED ? "<detached ...>" : NULL);
	close_open_line(t, o, 0);
	if (d->kind != HST_RAW_DETACHED) {
		put_prefix(t, o, d->tid, d->ts_ns);
		hst_out_color(o, C_EXIT);
		if (d->kind == HST_RAW_EXITED) {
			hst_out_printf(o, "+++ exited with %d +++", (int)d->rval);
		} else {
			hst_out_puts(o, "+++ killed by ");
			put_signame(o, (int)d->rval);
			hst_out_puts(o, d->flags & HST_RAWF_CORE ? " (core dumped) +++" : " +++");
		}
		hst_out_reset(o);
		hst_out_put(o, "\n", 1);
	}
	hst_tidmap_del(&t->tids, d->tid);
}

void hst_text_finish(struct hst_text *t, struct hst_out *o)
{
	close_open_line(t, o, 0);
}

void hst_text_record(struct hst_text *t, const struct hst_drec *d, struct hst_out *o)
{
	o->hex = t->cfg.hex; /* the sink owns o; its quoting follows -x */
	switch (d->kind) {
	case HST_RAW_SYSCALL_ENTRY:
		on_entry(t, o, d);
		break;
	case HST_RAW_SYSCALL_EXIT:
		on_exit_stop(t, o, d);
		break;
	case HST_RAW_SIGNAL:
		on_signal(t, o, d);
		break;
	case HST_RAW_GROUP_STOP:
		on_group_stop(t, o, d);
		break;
	case HST_RAW_EXITED:
	case HST_RAW_KILLED:
	case HST_RAW_DETACHED:
		on_gone(t, o, d);
		break;
	case HST_RAW_NEW_TRACEE:
		hst_tidmap_put(&t->tids, d->tid);
		break;
	default:
		break;
	}
}
