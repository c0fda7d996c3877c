/*
 * Kinds of clocks and timers: struct timespec (shared: "in:timespec" is any
 * call's timeout), timeval, timezone, itimerval, itimerspec, tms, sigevent,
 * a timer id written back by timer_create, clock ids, the time left of an
 * interrupted sleep, time(2)'s number and struct timex.  See
 * src/core/kinds.h.
 *
 * Dates (time(2)) are formatted in the tracer's local time zone, as strace
 * does; localtime_r keeps that safe on a sink thread.
 *
 * Like every kind, describe runs on a sink thread and reads only the
 * pieces it is given; a piece shorter than its struct (the tracee's memory
 * ended) is shown as the address, as strace does.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "core/consts.h"
#include "core/kinds.h"
#include "core/systable.h"

/* The two fields of a timespec or timeval, inside an open struct. */
static void put_pair(struct hst_vw *w, long long sec, long long frac, const char *frac_key)
{
	hst_vw_struct_begin(w);
	hst_vw_key(w, "tv_sec");
	hst_vw_int(w, sec);
	hst_vw_key(w, frac_key);
	hst_vw_int(w, frac);
	hst_vw_struct_end(w);
}

static void describe_timespec(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	struct timespec v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	put_pair(w, v.tv_sec, v.tv_nsec, "tv_nsec");
}

const struct hst_kind hst_kind_timespec = {
	.name = "timespec",
	.size = sizeof(struct timespec),
	.describe = describe_timespec,
};

static void describe_timeval(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	struct timeval v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	put_pair(w, v.tv_sec, v.tv_usec, "tv_usec");
}

const struct hst_kind hst_kind_timeval = {
	.name = "timeval",
	.size = sizeof(struct timeval),
	.describe = describe_timeval,
};

static void describe_timezone(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	struct timezone v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "tz_minuteswest");
	hst_vw_int(w, v.tz_minuteswest);
	hst_vw_key(w, "tz_dsttime");
	hst_vw_int(w, v.tz_dsttime);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_timezone = {
	.name = "timezone",
	.size = sizeof(struct timezone),
	.describe = describe_timezone,
};

static void describe_itimerval(struct hst_vw *w, const struct hst_kcall *k,
			       const struct hst_piece *p, unsigned n)
{
	struct itimerval v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "it_interval");
	put_pair(w, v.it_interval.tv_sec, v.it_interval.tv_usec, "tv_usec");
	hst_vw_key(w, "it_value");
	put_pair(w, v.it_value.tv_sec, v.it_value.tv_usec, "tv_usec");
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_itimerval = {
	.name = "itimerval",
	.size = sizeof(struct itimerval),
	.describe = describe_itimerval,
};

static void describe_itimerspec(struct hst_vw *w, const struct hst_kcall *k,
				const struct hst_piece *p, unsigned n)
{
	struct itimerspec v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "it_interval");
	put_pair(w, v.it_interval.tv_sec, v.it_interval.tv_nsec, "tv_nsec");
	hst_vw_key(w, "it_value");
	put_pair(w, v.it_value.tv_sec, v.it_value.tv_nsec, "tv_nsec");
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_itimerspec = {
	.name = "itimerspec",
	.size = sizeof(struct itimerspec),
	.describe = describe_itimerspec,
};

/* Clock ticks, with the seconds in a comment when not 0, as strace. */
static void put_ticks(struct hst_vw *w, const char *key, unsigned long long v)
{
	static long tck;
	int width = 0;

	if (!tck)
		tck = sysconf(_SC_CLK_TCK);
	for (long t = tck; t >= 10 && width < 9; t /= 10)
		width++;
	hst_vw_key(w, key);
	if (v && tck > 0)
		hst_vw_rawf(w, "%llu /* %llu.%0*llu s */", v, v / (unsigned long long)tck, width,
			    v % (unsigned long long)tck);
	else
		hst_vw_uint(w, v);
}

static void describe_tms(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			 unsigned n)
{
	struct tms v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_struct_begin(w);
	put_ticks(w, "tms_utime", (unsigned long long)v.tms_utime);
	put_ticks(w, "tms_stime", (unsigned long long)v.tms_stime);
	put_ticks(w, "tms_cutime", (unsigned long long)v.tms_cutime);
	put_ticks(w, "tms_cstime", (unsigned long long)v.tms_cstime);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_tms = {
	.name = "tms",
	.size = sizeof(struct tms),
	.describe = describe_tms,
};

static void put_signo(struct hst_vw *w, int sig)
{
	const char *name = hst_signal_name(sig);

	if (name)
		hst_vw_raw(w, name);
	else
		hst_vw_int(w, sig);
}

/*
 * strace's order: the value only when its pointer is not NULL, the signal
 * by name when the notification sends one, then what the kind of
 * notification adds (a thread id, or a function and its attributes).
 */
static void describe_sigevent(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	struct sigevent v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_struct_begin(w);
	if (v.sigev_value.sival_ptr) {
		hst_vw_key(w, "sigev_value");
		hst_vw_struct_begin(w);
		hst_vw_key(w, "sival_int");
		hst_vw_int(w, v.sigev_value.sival_int);
		hst_vw_key(w, "sival_ptr");
		hst_vw_ptr(w, (uint64_t)(uintptr_t)v.sigev_value.sival_ptr);
		hst_vw_struct_end(w);
	}
	hst_vw_key(w, "sigev_signo");
	if (v.sigev_notify == SIGEV_NONE || hst_ctab_name(&hst_ctab_sigev_notify, (unsigned)v.sigev_notify) == NULL)
		hst_vw_uint(w, (unsigned)v.sigev_signo);
	else
		put_signo(w, v.sigev_signo);
	hst_vw_key(w, "sigev_notify");
	if (hst_ctab_name(&hst_ctab_sigev_notify, (unsigned)v.sigev_notify))
		hst_vw_enum(w, &hst_ctab_sigev_notify, (unsigned)v.sigev_notify);
	else
		hst_vw_rawf(w, "%#x /* SIGEV_??? */", (unsigned)v.sigev_notify);
	if (v.sigev_notify == SIGEV_THREAD_ID) {
		hst_vw_key(w, "sigev_notify_thread_id");
		hst_vw_int(w, v._sigev_un._tid);
	} else if (v.sigev_notify == SIGEV_THREAD) {
		hst_vw_key(w, "sigev_notify_function");
		hst_vw_ptr(w, (uint64_t)(uintptr_t)v._sigev_un._sigev_thread._function);
		hst_vw_key(w, "sigev_notify_attributes");
		hst_vw_ptr(w, (uint64_t)(uintptr_t)v._sigev_un._sigev_thread._attribute);
	}
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_sigevent = {
	.name = "sigevent",
	.size = sizeof(struct sigevent),
	.describe = describe_sigevent,
};

/* The id timer_create wrote: "[0]". */
static void describe_timer_id(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	int v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_array_begin(w);
	hst_vw_int(w, v);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_timer_id = {
	.name = "timer_id",
	.size = sizeof(int),
	.describe = describe_timer_id,
};

/* CLOCK_MONOTONIC; an unknown id in hex with a CLOCK_??? comment (the table's). */
static void describe_clockid(struct hst_vw *w, const struct hst_kcall *k,
			     const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_enum(w, &hst_ctab_clock_id, (unsigned)k->value);
}

const struct hst_kind hst_kind_clockid = {
	.name = "clockid",
	.describe = describe_clockid,
};

/* ITIMER_REAL; as a clock id, the kernel's int, so 32 bits of the register. */
static void describe_itimer_which(struct hst_vw *w, const struct hst_kcall *k,
				  const struct hst_piece *p, unsigned n)
{
	(void)p;
	(void)n;
	hst_vw_enum(w, &hst_ctab_itimer_which, (unsigned)k->value);
}

const struct hst_kind hst_kind_itimer_which = {
	.name = "itimer_which",
	.describe = describe_itimer_which,
};

/* --- sleeping: the time left ------------------------------------------- */

/* What a syscall-exit-stop shows of a call a signal interrupted. */
static bool interrupted(const struct hst_kcall *k)
{
	return hst_errno_restarts(-k->rval);
}

/*
 * nanosleep's rem and clock_nanosleep's remain: the kernel writes them only
 * when a signal interrupts a relative sleep, so strace shows the time left
 * then and the address otherwise (nothing read: the address is printed).
 */
static void capture_sleep_rem(struct hst_capctx *c, const struct hst_kcall *k)
{
	bool relative = k->arg == 1 || k->args[1] == 0; /* clock_nanosleep: no TIMER_ABSTIME */
	const void *unused;

	if (relative && interrupted(k))
		hst_capctx_read(c, k->value, sizeof(struct timespec), &unused);
}

const struct hst_kind hst_kind_sleep_rem = {
	.name = "sleep_rem",
	.capture = capture_sleep_rem,
	.bound = 16 + sizeof(struct timespec),
	.describe = describe_timespec,
	.on_error = true,
};

/* --- time(2) ------------------------------------------------------------ */

/* strace's sprinttime: local time, "" for 0 or a time localtime cannot take. */
static void format_time(char *buf, size_t size, long long sec)
{
	time_t t = (time_t)sec;
	struct tm tm;

	buf[0] = 0;
	if (sec == 0 || !localtime_r(&t, &tm))
		return;
	if (!strftime(buf, size, "%FT%T%z", &tm))
		buf[0] = 0;
}

/* The number time wrote in brackets, its date in a C comment after it, as strace. */
static void describe_time_ref(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	char date[64];
	int64_t v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	format_time(date, sizeof(date), v);
	hst_vw_array_begin(w);
	if (date[0])
		hst_vw_rawf(w, "%lld /* %s */", (long long)v, date);
	else
		hst_vw_int(w, v);
	hst_vw_array_end(w);
}

const struct hst_kind hst_kind_time_ref = {
	.name = "time_ref",
	.size = sizeof(int64_t),
	.describe = describe_time_ref,
};

/* time's result with the date as a note: "1764300000 (2025-11-28T00:00:00+0000)". */
static void describe_time_ret(struct hst_vw *w, const struct hst_kcall *k,
			      const struct hst_piece *p, unsigned n)
{
	char date[64];

	(void)p;
	(void)n;
	format_time(date, sizeof(date), (int64_t)k->value);
	hst_vw_int(w, (int64_t)k->value);
	hst_vw_note_begin(w);
	hst_vw_raw(w, date);
	hst_vw_note_end(w);
}

const struct hst_kind hst_kind_time_ret = {
	.name = "time_ret",
	.describe = describe_time_ret,
};

/* --- adjtimex, clock_adjtime -------------------------------------------- */

static void put_long(struct hst_vw *w, const char *key, long long v)
{
	hst_vw_key(w, key);
	hst_vw_int(w, v);
}

/* struct timex as the kernel left it, every field, in strace's order. */
static void describe_timex(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			   unsigned n)
{
	struct timex v;

	(void)k;
	(void)n;
	if (!hst_vw_whole(w, p, &v, sizeof(v)))
		return;
	hst_vw_struct_begin(w);
	hst_vw_key(w, "modes");
	hst_vw_flags(w, &hst_ctab_adjtimex_modes, v.modes);
	put_long(w, "offset", v.offset);
	put_long(w, "freq", v.freq);
	put_long(w, "maxerror", v.maxerror);
	put_long(w, "esterror", v.esterror);
	hst_vw_key(w, "status");
	hst_vw_flags(w, &hst_ctab_adjtimex_status, (unsigned)v.status);
	put_long(w, "constant", v.constant);
	put_long(w, "precision", v.precision);
	put_long(w, "tolerance", v.tolerance);
	hst_vw_key(w, "time");
	put_pair(w, v.time.tv_sec, v.time.tv_usec, "tv_usec");
	put_long(w, "tick", v.tick);
	put_long(w, "ppsfreq", v.ppsfreq);
	put_long(w, "jitter", v.jitter);
	put_long(w, "shift", v.shift);
	put_long(w, "stabil", v.stabil);
	put_long(w, "jitcnt", v.jitcnt);
	put_long(w, "calcnt", v.calcnt);
	put_long(w, "errcnt", v.errcnt);
	put_long(w, "stbcnt", v.stbcnt);
	put_long(w, "tai", v.tai);
	hst_vw_struct_end(w);
}

const struct hst_kind hst_kind_timex = {
	.name = "timex",
	.size = sizeof(struct timex),
	.describe = describe_timex,
};

/* The clock's state: "5 (TIME_ERROR)"; a state without a name bare. */
static void describe_timex_state(struct hst_vw *w, const struct hst_kcall *k,
				 const struct hst_piece *p, unsigned n)
{
	const char *name = hst_ctab_name(&hst_ctab_adjtimex_state, k->value);

	(void)p;
	(void)n;
	hst_vw_int(w, (int64_t)k->value);
	if (name) {
		hst_vw_note_begin(w);
		hst_vw_raw(w, name);
		hst_vw_note_end(w);
	}
}

const struct hst_kind hst_kind_timex_state = {
	.name = "timex_state",
	.describe = describe_timex_state,
};
