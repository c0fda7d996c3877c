/*
 * The public API: configuration, and starting and stopping the pipeline
 *
 *   ptrace thread --raw ring--> decode workers --decoded rings--> text sinks
 *        (or log reader)   \                                   \-> hstrace_next()
 *                           \--> log sinks (raw records, no decoding)
 *
 * Everything here runs on the owner thread except hstrace_stop(), which may
 * run anywhere, in a signal handler too, and so only touches atomics and
 * signals the tracer's waker process.  Threads the library starts block
 * every signal: the embedding program's handlers never run on them, and a
 * write to a closed pipe returns EPIPE instead of killing the process.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/ring.h"
#include "core/systable.h"
#include "decode/decode.h"
#include "decode/modes.h"
#include "lib/lib.h"
#include "sink/summary.h"
#include "tracer/capture.h"
#include "tracer/seccomp.h"
#include "tracer/tracer.h"

#define DEFAULT_RING (16u << 20)
#define DEFAULT_STRSIZE 32u

HSTRACE_API hstrace_t *hstrace_new(void)
{
	hstrace_t *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->follow = true;
	hst_filter_init(&t->filter);
	t->events = true;
	t->strsize = DEFAULT_STRSIZE;
	t->exit_status = -1;
	atomic_init(&t->reader_stop, 0);
	atomic_init(&t->live_tracer, NULL);
	atomic_init(&t->log_failed, 0);
	atomic_init(&t->stop_requested, 0);
	atomic_init(&t->stoppers, 0);
	return t;
}

/* --- configuration ------------------------------------------------------ */

static int push_arg(hstrace_t *t, const char *arg)
{
	if (t->argc + 2 > t->argv_cap) {
		size_t cap = t->argv_cap ? t->argv_cap * 2 : 8;
		char **n = realloc(t->argv, cap * sizeof(char *));
		if (!n)
			return -ENOMEM;
		t->argv = n;
		t->argv_cap = cap;
	}
	if (!(t->argv[t->argc] = strdup(arg)))
		return -ENOMEM;
	t->argv[++t->argc] = NULL;
	return 0;
}

HSTRACE_API int hstrace_program(hstrace_t *t, const char *program)
{
	if (t->state != HST_NEW || t->argc)
		return HSTRACE_E_STATE;
	return push_arg(t, program);
}

HSTRACE_API int hstrace_arg(hstrace_t *t, const char *arg)
{
	if (t->state != HST_NEW || !t->argc)
		return HSTRACE_E_STATE;
	return push_arg(t, arg);
}

HSTRACE_API int hstrace_pid(hstrace_t *t, pid_t pid)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	pid_t *n = realloc(t->pids, (t->npids + 1) * sizeof(pid_t));
	if (!n)
		return -ENOMEM;
	t->pids = n;
	t->pids[t->npids++] = pid;
	return 0;
}

HSTRACE_API int hstrace_read_log(hstrace_t *t, const char *path)
{
	if (t->state != HST_NEW || t->log_path)
		return HSTRACE_E_STATE;
	return (t->log_path = strdup(path)) ? 0 : -ENOMEM;
}

HSTRACE_API int hstrace_follow(hstrace_t *t, bool follow)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	t->follow = follow;
	return 0;
}

HSTRACE_API int hstrace_workers(hstrace_t *t, unsigned n)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	if (n > HST_MAX_WORKERS)
		return -EINVAL;
	t->workers = n;
	return 0;
}

HSTRACE_API int hstrace_ring_size(hstrace_t *t, size_t bytes)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	if (bytes < 1024 * 1024 || bytes > (1ul << 30))
		return -EINVAL;
	t->ring_size = bytes;
	return 0;
}

HSTRACE_API int hstrace_string_limit(hstrace_t *t, unsigned n)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	if (n > 65536)
		return -EINVAL;
	t->strsize = n;
	t->strsize_set = true;
	return 0;
}

HSTRACE_API int hstrace_output(hstrace_t *t, hstrace_format_t format, int fd, unsigned flags)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	if (t->noutputs >= HST_MAX_OUTPUTS || format < HSTRACE_FMT_TEXT || format > HSTRACE_FMT_GROUP ||
	    fd < 0)
		return -EINVAL;
	t->outputs[t->noutputs++] = (struct hst_output){ format, fd, flags, NULL };
	return 0;
}

HSTRACE_API int hstrace_filter(hstrace_t *t, const char *expr)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	t->filter_err[0] = '\0';
	if (!expr || hst_filter_add(&t->filter, expr, t->filter_err, sizeof(t->filter_err)) < 0) {
		if (!expr)
			snprintf(t->filter_err, sizeof(t->filter_err), "no filter expression");
		return HSTRACE_E_FILTER;
	}
	t->filtered = true;
	return 0;
}

HSTRACE_API const char *hstrace_filter_error(const hstrace_t *t)
{
	return t->filter_err;
}

HSTRACE_API int hstrace_seccomp(hstrace_t *t, bool enabled)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	t->no_seccomp = !enabled;
	return 0;
}

HSTRACE_API const char *hstrace_group_name(unsigned group)
{
	return group < hst_ngroups ? hst_group_names[group] : NULL;
}

HSTRACE_API bool hstrace_group_has(unsigned group, int nr)
{
	return group < hst_ngroups && nr >= 0 && (unsigned)nr < hst_nsyscalls &&
	       (hst_syscall_groups[nr] >> group) & 1;
}

HSTRACE_API int hstrace_summary_sort(hstrace_t *t, const char *by)
{
	int sort = by ? hst_summary_sort_parse(by) : -1;

	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	if (sort < 0)
		return -EINVAL;
	t->summary_sort = sort;
	return 0;
}

HSTRACE_API int hstrace_pin(hstrace_t *t, bool pin)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	t->no_pin = !pin;
	return 0;
}

HSTRACE_API int hstrace_spin(hstrace_t *t, unsigned usec)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	if (usec > 1000000)
		return -EINVAL;
	t->spin_set = true;
	t->spin_us = usec;
	return 0;
}

HSTRACE_API int hstrace_events(hstrace_t *t, bool enabled)
{
	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	t->events = enabled;
	return 0;
}

/* --- starting ----------------------------------------------------------- */

/* execvp's lookup, done up front so a bad name is an error, not a trace. */
static int resolve_program(hstrace_t *t)
{
	const char *name = t->argv[0];
	const char *path = getenv("PATH");
	struct stat st;
	char buf[4096];

	if (!*name)
		return HSTRACE_E_NOT_FOUND;
	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			return HSTRACE_E_NOT_FOUND;
		if (!S_ISREG(st.st_mode) || access(name, X_OK) < 0)
			return HSTRACE_E_NOT_EXEC;
		return (t->path = strdup(name)) ? 0 : -ENOMEM;
	}
	int found_nonexec = 0;
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; ; p = strchr(p, ':') + 1) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, n ? p : ".", "/", name);
		if (stat(buf, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
				return (t->path = strdup(buf)) ? 0 : -ENOMEM;
			found_nonexec = 1;
		}
		if (!p[n])
			break;
	}
	return found_nonexec ? HSTRACE_E_NOT_EXEC : HSTRACE_E_NOT_FOUND;
}

static unsigned count_outputs(const hstrace_t *t, hstrace_format_t format)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->noutputs; i++)
		n += t->outputs[i].format == format;
	return n;
}

/*
 * Rings for reading a log: the smallest that holds the log's largest
 * possible record (from the -s it was recorded with, -y included) and
 * its decoded form four times over, 1 MiB at least, or what
 * hstrace_ring_size asked if that is more.  Small rings stay in the
 * cache: --read of a real program's log costs a third less CPU with
 * 1 MiB rings than with 16 MiB ones (bench/ readback).  A log can still
 * hold a larger record (not recorded by hstrace's tracer, or damaged):
 * reader_main skips it as damage.
 */
static size_t read_ring_size(const hstrace_t *t)
{
	struct hst_raw worst = { .size = (uint32_t)hst_capture_max_record(t->strsize, true) };
	size_t size = t->ring_size ? t->ring_size : 1u << 20;

	size_t caps = worst.size / sizeof(struct hst_cap);

	worst.ncaps = (uint16_t)(caps > UINT16_MAX ? UINT16_MAX : caps);
	while (size / 4 < hst_decode_bound(&worst) + 64)
		size *= 2;
	return size;
}

/*
 * A summary counts raw records (no decoding) unless it needs decoded ones:
 * -P decides on path arguments, and a table per process names processes.
 */
static bool summary_decoded(const hstrace_t *t, const struct hst_output *o)
{
	return o->format == HSTRACE_FMT_SUMMARY &&
	       ((t->filtered && t->filter.npaths) || (o->flags & HSTRACE_OUT_PER_PROCESS));
}

static unsigned count_decoded_summaries(const hstrace_t *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->noutputs; i++)
		n += summary_decoded(t, &t->outputs[i]);
	return n;
}

static int make_rings(hstrace_t *t)
{
	unsigned decoded_summaries = count_decoded_summaries(t);
	unsigned text = count_outputs(t, HSTRACE_FMT_TEXT) + count_outputs(t, HSTRACE_FMT_HUMAN) +
			count_outputs(t, HSTRACE_FMT_JSON) + count_outputs(t, HSTRACE_FMT_PERFETTO) +
			count_outputs(t, HSTRACE_FMT_GROUP) + decoded_summaries +
			(t->events ? 1 : 0);
	unsigned logs = count_outputs(t, HSTRACE_FMT_LOG) + count_outputs(t, HSTRACE_FMT_SUMMARY) -
			decoded_summaries;
	int err;

	size_t ring_size = t->reader ? read_ring_size(t) : t->ring_size ? t->ring_size : DEFAULT_RING;

	/* Nobody reads decoded records: no workers at all (--out alone). */
	t->nworkers = text ? (t->workers ? t->workers : 1) : 0;
	err = hst_ring_create(&t->raw, ring_size, t->nworkers + logs);
	if (err < 0)
		return err;
	for (unsigned i = 0; i < t->nworkers; i++) {
		/* As large as the raw ring: a decoded record is a little larger than its raw one. */
		err = hst_ring_create(&t->decoded[i], ring_size, text);
		if (err < 0)
			return err;
	}
	return 0;
}

static void fill_meta(hstrace_t *t, struct hst_log_meta *m)
{
	struct utsname u;
	struct timespec real, mono;

	memset(m, 0, sizeof(*m));
	snprintf(m->arch, sizeof(m->arch), "x86_64");
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
	snprintf(m->version, sizeof(m->version), "%s", HSTRACE_VERSION_STRING);
	for (size_t i = 0; i < t->argc; i++) {
		size_t len = strlen(m->cmdline);
		snprintf(m->cmdline + len, sizeof(m->cmdline) - len, "%s%s", i ? " " : "", t->argv[i]);
	}
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	m->clock_real_ns = (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
	m->clock_mono_ns = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	m->strsize = t->strsize;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC: now, or when a read log was recorded. */
static int64_t clock_offset(const hstrace_t *t)
{
	struct timespec real, mono;

	if (t->log_path && t->meta.clock_real_ns)
		return (int64_t)t->meta.clock_real_ns - (int64_t)t->meta.clock_mono_ns;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000 + (real.tv_nsec - mono.tv_nsec);
}

/*
 * A log output could not write (ENOSPC, EFBIG, EIO...).  A recording that
 * has stopped cannot be resumed (the writer's error is sticky, so the file
 * keeps every complete block and nothing after), and tracing on would only
 * slow the program down for nothing: the trace ends.  A launched program is
 * killed, as it was started for this recording; attached processes are
 * detached and go on.  Runs on the log sink's thread, once.
 *
 * hstrace_start publishes the tracer after log sinks may have started, so
 * each side stores its part and then loads the other's, all seq_cst: at
 * least one of them sees both and aborts the tracer (twice is harmless).
 */
static void log_failed(void *arg)
{
	hstrace_t *t = arg;

	atomic_store(&t->log_failed, 1);
	struct hst_tracer *tr = atomic_load(&t->live_tracer);
	if (tr)
		hst_tracer_abort(tr);
	/* Relaxed: a stop request only needs to be seen eventually. */
	atomic_store_explicit(&t->reader_stop, 1, memory_order_relaxed);
}

/* The other half of log_failed's and hstrace_stop's handshakes. */
static void publish_tracer(hstrace_t *t)
{
	atomic_store(&t->live_tracer, t->tracer);
	if (atomic_load(&t->log_failed))
		hst_tracer_abort(t->tracer);
	if (atomic_load(&t->stop_requested))
		hst_tracer_stop(t->tracer);
}

static int start_sinks(hstrace_t *t)
{
	struct hst_text_config tc = { .strsize = t->strsize };
	unsigned text_consumer = 0, log_consumer = t->nworkers;
	int err = 0;

	for (unsigned i = 0; i < t->noutputs && !err; i++) {
		struct hst_output *o = &t->outputs[i];
		if (o->format == HSTRACE_FMT_SUMMARY) {
			struct hst_summary_source src = { t->raw, NULL, 0, 0 };
			struct hst_summary_config sc = { t->summary_sort, (o->flags & HSTRACE_OUT_PER_PROCESS) != 0,
							 t->filtered ? &t->filter : NULL };
			if (summary_decoded(t, o))
				src = (struct hst_summary_source){ NULL, t->decoded, t->nworkers, text_consumer++ };
			else
				src.consumer = log_consumer++;
			err = hst_sink_summary_start(&o->sink, &src, o->fd, &sc);
		} else if (o->format != HSTRACE_FMT_LOG) {
			tc.human = o->format == HSTRACE_FMT_HUMAN;
			tc.json = o->format == HSTRACE_FMT_JSON;
			tc.perfetto = o->format == HSTRACE_FMT_PERFETTO;
			tc.group = o->format == HSTRACE_FMT_GROUP;
			tc.filter = t->filtered ? &t->filter : NULL;
			tc.clock_offset_ns = clock_offset(t);
			tc.pid_column = (o->flags & HSTRACE_OUT_PID_COLUMN) != 0;
			tc.verbose = (o->flags & HSTRACE_OUT_VERBOSE) != 0;
			tc.hex = (o->flags & HSTRACE_OUT_HEX_ALL) ? HST_HEX_ALL :
				 (o->flags & HSTRACE_OUT_HEX) ? HST_HEX_NONASCII : HST_HEX_NONE;
			tc.fd_paths = (o->flags & HSTRACE_OUT_FD_PATHS) != 0;
			tc.timestamps = (o->flags & HSTRACE_OUT_TIME_EPOCH) ? 3 : (o->flags & HSTRACE_OUT_TIME_US) ? 2 :
					(o->flags & HSTRACE_OUT_TIME) ? 1 : 0;
			tc.relative = (o->flags & HSTRACE_OUT_TIME_REL) != 0;
			tc.durations = (o->flags & HSTRACE_OUT_DURATION) != 0;
			err = hst_sink_text_start(&o->sink, t->decoded, t->nworkers, text_consumer++, o->fd,
						  (o->flags & HSTRACE_OUT_COLOR) != 0, &tc);
		} else {
			struct hst_log_meta meta;
			fill_meta(t, &meta);
			struct hst_log_sink_config lc = { o->fd, (o->flags & HSTRACE_OUT_STATUS) != 0, &meta,
							  (const char *const *)t->argv };
			lc.on_error = log_failed;
			lc.on_error_arg = t;
			err = hst_sink_log_start(&o->sink, t->raw, log_consumer++, &lc);
		}
		/* For hstrace_output_error: a log that fails its first write (the
		 * header, written here) fails the start. */
		if (err < 0)
			o->error = err;
	}
	if (!err && t->events)
		err = hst_events_create(&t->ev, t->decoded, t->nworkers, text_consumer,
					t->filtered ? &t->filter : NULL);
	return err;
}

static void *reader_main(void *arg)
{
	hstrace_t *t = arg;
	const struct hst_raw *rec;
	int rc;

	/* Nothing waits on a log's records one by one: publish them in batches. */
	hst_ring_publish_batch_sp(t->raw, 32u << 10);
	while ((rc = hst_log_reader_next(t->reader, &rec)) == 1) {
		/* Relaxed: a stop request only needs to be seen eventually. */
		if (atomic_load_explicit(&t->reader_stop, memory_order_relaxed))
			break;
		if (hst_decode_bound(rec) > hst_ring_max_record(t->raw)) {
			t->reader_oversize++;
			continue;
		}
		void *dst = hst_ring_reserve_sp(t->raw, rec->size);
		if (!dst)
			break;
		memcpy(dst, rec, rec->size);
		hst_ring_commit_sp(t->raw, rec->size);
	}
	t->reader_err = rc < 0 ? rc : 0;
	hst_ring_close_sp(t->raw);
	return NULL;
}

/*
 * Where the threads run.  A ptrace stop wakes the tracer, and the restart
 * wakes the tracee: on a VM a cross-CPU wake-up is the largest single cost
 * of a stop (bench/: the pinned minimal loop costs about half the unpinned
 * one).  So the ptrace thread runs on the first allowed CPU, and the
 * launched program, which it forks, starts there too; the decode and sink
 * threads get the other CPUs.  The program is pinned only while it is one
 * thread: at its first fork or clone, or if that CPU turns out to be
 * contended, the tracer gives it and itself the whole mask back (tracer.c,
 * "Placement"), so a multi-threaded program never runs on one CPU because
 * it is traced.  Meanwhile sched_getaffinity shows the program the mask
 * it would have had (nproc is not 1).  Threads inherit the affinity of the
 * thread that creates them, so the caller's mask is switched around the
 * pthread_create calls and restored after.  Attached processes are never
 * moved: their placement is not ours to change.
 */
struct placement {
	bool active;
	bool split;      /* tracee on other CPUs than the ptrace thread */
	int cpu;         /* the ptrace thread's */
	cpu_set_t caller, tracer, pipeline, tracee;
};

/*
 * Spinning is off by default: on the project's VM it won 30% in some bench
 * runs and lost in others (forks32 always), and it costs a whole CPU
 * (docs/ARCHITECTURE.md, "Placement and wake-ups").
 */
#define HST_SPIN_US_DEFAULT 0

static unsigned spin_ns(const hstrace_t *t)
{
	return (t->spin_set ? t->spin_us : HST_SPIN_US_DEFAULT) * 1000u;
}

/* -y: the tracer captures descriptor targets when any output wants them. */
static bool want_fd_paths(const hstrace_t *t)
{
	for (unsigned i = 0; i < t->noutputs; i++)
		if (t->outputs[i].flags & HSTRACE_OUT_FD_PATHS)
			return true;
	return false;
}

/*
 * A filtered launch stops only at the selected calls (seccomp.h), plus
 * execve and execveat, which the tracer must see to show the program from
 * its first exec on (they are not recorded unless selected).
 */
static int build_seccomp(hstrace_t *t, const struct placement *where)
{
	struct hst_filter f;

	if (!t->filtered || t->no_seccomp || !t->argc || hst_filter_all_syscalls(&t->filter))
		return 0;
	f = t->filter;
	f.nr[__NR_execve / 64] |= 1ull << (__NR_execve % 64);
	f.nr[__NR_execveat / 64] |= 1ull << (__NR_execveat % 64);
	/* A pinned program's view of its affinity is mended at these calls' exits. */
	if (where->active && !where->split) {
		f.nr[__NR_sched_getaffinity / 64] |= 1ull << (__NR_sched_getaffinity % 64);
		f.nr[__NR_sched_setaffinity / 64] |= 1ull << (__NR_sched_setaffinity % 64);
	}
	return hst_seccomp_build(&f, &t->seccomp);
}

static int start_source(hstrace_t *t, const sigset_t *caller_mask, const struct placement *where)
{
	if (t->log_path) {
		int err = -pthread_create(&t->reader_thread, NULL, reader_main, t);
		if (err == 0)
			t->reader_started = true;
		return err;
	}
	struct hst_tracer_config cfg = {
		.filter = t->filtered ? &t->filter : NULL,
		.seccomp = t->seccomp.filter ? &t->seccomp : NULL,
		.no_new_privs = geteuid() != 0,
		.path = t->path, .argv = t->argv, .pids = t->pids, .npids = t->npids,
		.follow = t->follow, .strsize = t->strsize, .ring = t->raw,
		.child_sigmask = *caller_mask, .spin_ns = where->split ? spin_ns(t) : 0,
		.fd_paths = want_fd_paths(t),
		/* -P compares what descriptor arguments name, as strace (sinks.h). */
		.fd_args = t->filtered && t->filter.npaths > 0,
	};
	if (where->split) {
		cfg.child_cpus_set = true;
		cfg.child_cpus = where->tracee;
	} else if (where->active) {
		cfg.pin = true;
		cfg.pin_cpu = where->cpu;
		cfg.cpus = where->caller;
	}
	return hst_tracer_start(&t->tracer, &cfg);
}

static int check_target(hstrace_t *t)
{
	if (t->log_path) {
		if (t->argc || t->npids)
			return HSTRACE_E_STATE;
		int err = hst_log_reader_open(&t->reader, t->log_path, &t->meta);
		if (err < 0)
			return err;
		if (!t->strsize_set && t->meta.strsize)
			t->strsize = t->meta.strsize;
		return 0;
	}
	if (!t->argc && !t->npids)
		return HSTRACE_E_NO_TARGET;
	for (size_t i = 0; i < t->npids; i++) {
		if (t->pids[i] <= 0)
			return HSTRACE_E_NO_PROCESS;
		if (t->pids[i] == getpid())
			return HSTRACE_E_SELF;
		if (kill(t->pids[i], 0) < 0 && errno == ESRCH)
			return HSTRACE_E_NO_PROCESS;
	}
	return t->argc ? resolve_program(t) : 0;
}

static void plan_placement(const hstrace_t *t, struct placement *p)
{
	int first = -1;

	memset(p, 0, sizeof(*p));
	if (t->no_pin || !t->argc || !t->follow || sched_getaffinity(0, sizeof(p->caller), &p->caller) < 0 ||
	    CPU_COUNT(&p->caller) < 2)
		return;
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &p->caller))
			first = c;
	CPU_SET(first, &p->tracer);
	p->cpu = first;
	p->pipeline = p->caller;
	CPU_CLR(first, &p->pipeline);
	p->active = true;
	if (spin_ns(t)) {
		p->split = true;
		p->tracee = p->pipeline;
	}
}

static void place(const struct placement *p, const cpu_set_t *set)
{
	if (p->active)
		sched_setaffinity(0, sizeof(*set), set);
}

static void abort_pipeline(hstrace_t *t)
{
	if (t->raw)
		hst_ring_abort(t->raw);
	for (unsigned i = 0; i < t->nworkers; i++)
		if (t->decoded[i])
			hst_ring_abort(t->decoded[i]);
}

HSTRACE_API int hstrace_start(hstrace_t *t)
{
	struct placement where;
	sigset_t all, caller;
	int err;

	if (t->state != HST_NEW)
		return HSTRACE_E_STATE;
	err = check_target(t);
	if (err < 0)
		return err;
	plan_placement(t, &where);
	err = build_seccomp(t, &where);
	if (err == 0)
		err = make_rings(t);
	if (err < 0)
		goto fail;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &caller);
	place(&where, &where.pipeline);
	err = hst_decoders_start(&t->decoders, t->raw, t->decoded, t->nworkers);
	if (err == 0)
		err = start_sinks(t);
	place(&where, &where.tracer);
	if (err == 0)
		err = start_source(t, &caller, &where);
	if (err == 0 && t->tracer)
		publish_tracer(t);
	place(&where, &where.caller);
	pthread_sigmask(SIG_SETMASK, &caller, NULL);
	t->state = HST_RUNNING;
	if (err < 0) {
		abort_pipeline(t);
		hstrace_wait(t);
		t->state = HST_DONE;
		return err;
	}
	return 0;

fail:
	t->state = HST_DONE;
	return err;
}

HSTRACE_API const hstrace_call_t *hstrace_next(hstrace_t *t)
{
	if (t->state != HST_RUNNING || !t->ev)
		return NULL;
	return hst_events_next(t->ev);
}

/*
 * Any thread, or a signal handler interrupting the owner anywhere (even in
 * hstrace_wait freeing the tracer), so only atomics: the tracer is used
 * while stoppers counts this call, and hstrace_wait frees it only after
 * unpublishing it and seeing no stopper (all seq_cst: either this call
 * sees live_tracer NULL, or hstrace_wait sees it counted).  A stop before
 * the tracer is published is left in stop_requested for publish_tracer.
 */
HSTRACE_API void hstrace_stop(hstrace_t *t)
{
	atomic_store(&t->stop_requested, 1);
	atomic_fetch_add(&t->stoppers, 1);
	struct hst_tracer *tr = atomic_load(&t->live_tracer);
	if (tr)
		hst_tracer_stop(tr);
	atomic_fetch_sub(&t->stoppers, 1);
	atomic_store_explicit(&t->reader_stop, 1, memory_order_relaxed);
}

static void join_source(hstrace_t *t)
{
	if (t->tracer) {
		hst_tracer_join(t->tracer);
		t->exit_status = hst_tracer_exit_status(t->tracer);
		t->stats.records = hst_tracer_records(t->tracer);
		t->stats.processes = hst_tracer_tracees(t->tracer);
		/* Freed in hstrace_wait once the sinks are joined: log_failed
		 * may still reach it from a sink thread until then. */
	}
	if (t->reader_started) {
		pthread_join(t->reader_thread, NULL);
		t->reader_started = false;
		t->stats.records = hst_log_reader_records(t->reader);
		t->stats.log_damage = hst_log_reader_damage(t->reader) + t->reader_oversize;
		t->stats.log_offset = hst_log_reader_offset(t->reader);
		if (t->reader_err < 0 && !t->error)
			t->error = t->reader_err;
	}
}

HSTRACE_API int hstrace_wait(hstrace_t *t)
{
	if (t->state != HST_RUNNING)
		return t->error;
	/* Nobody will read events any more: stop holding the workers back. */
	if (t->ev)
		hst_events_detach(t->ev);
	/* The source closes the raw ring when it ends; a failed start aborted it. */
	join_source(t);
	hst_decoders_join(t->decoders);
	t->decoders = NULL;
	for (unsigned i = 0; i < t->noutputs; i++) {
		if (!t->outputs[i].sink)
			continue;
		int err = hst_sink_join(t->outputs[i].sink, &t->stats.log_bytes);
		if (err < 0 && !t->error)
			t->error = err;
		t->outputs[i].error = err < 0 ? err : 0;
		t->outputs[i].sink = NULL;
	}
	if (t->tracer) {
		/* No sink thread is left to call log_failed; a stop on another
		 * thread may still hold the tracer (see hstrace_stop). */
		atomic_store(&t->live_tracer, NULL);
		while (atomic_load(&t->stoppers))
			sched_yield();
		hst_tracer_free(t->tracer);
		t->tracer = NULL;
	}
	t->state = HST_DONE;
	return t->error;
}

HSTRACE_API int hstrace_output_error(const hstrace_t *t, unsigned index)
{
	if (t->state != HST_DONE || index >= t->noutputs)
		return 0;
	return t->outputs[index].error;
}

HSTRACE_API int hstrace_exit_status(const hstrace_t *t)
{
	return t->exit_status;
}

HSTRACE_API void hstrace_get_stats(const hstrace_t *t, hstrace_stats_t *stats)
{
	*stats = t->stats;
}

HSTRACE_API void hstrace_free(hstrace_t *t)
{
	if (!t)
		return;
	if (t->state == HST_RUNNING) {
		hstrace_stop(t);
		hstrace_wait(t);
	}
	hst_events_free(t->ev);
	if (t->reader)
		hst_log_reader_close(t->reader);
	for (unsigned i = 0; i < t->nworkers; i++)
		hst_ring_destroy(t->decoded[i]);
	if (t->raw)
		hst_ring_destroy(t->raw);
	for (size_t i = 0; i < t->argc; i++)
		free(t->argv[i]);
	free(t->argv);
	free(t->path);
	free(t->pids);
	free(t->log_path);
	hst_seccomp_free(&t->seccomp);
	hst_filter_free(&t->filter);
	free(t);
}

/* --- names -------------------------------------------------------------- */

static const char *const own_errors[] = {
	"invalid call in this state",
	"nothing to trace: give a program or a pid",
	"program not found",
	"program is not an executable file",
	"not an hstrace log",
	"log written by an unknown format version",
	"log is truncated",
	"log is corrupt",
	"refusing to trace hstrace itself",
	"no such process",
	"the kernel lacks PTRACE_GET_SYSCALL_INFO (Linux 5.3 or later is needed)",
	"log was recorded on another architecture",
	"bad filter expression",
};

HSTRACE_API const char *hstrace_strerror(int err)
{
	if (err <= HSTRACE_E_BASE && err >= HSTRACE_E_LAST)
		return own_errors[HSTRACE_E_BASE - err];
	if (err < 0)
		return strerror(-err);
	return "success";
}

HSTRACE_API const char *hstrace_syscall_name(int nr)
{
	const struct hst_syscall_sig *sig = hst_syscall_sig(nr);
	return sig ? sig->name : NULL;
}

HSTRACE_API const char *hstrace_category_name(hstrace_category_t cat)
{
	return hst_category_name(cat);
}

HSTRACE_API int hstrace_syscall_category(int nr)
{
	const struct hst_syscall_sig *sig = hst_syscall_sig(nr);
	return sig ? sig->category : -1;
}

HSTRACE_API const char *hstrace_mode_name(hstrace_mode_t mode)
{
	return hst_mode_name(mode);
}
