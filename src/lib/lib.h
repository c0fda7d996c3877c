/*
 * The handle behind the public API.  Owned by the thread that created it
 * (see hstrace.h); the pipeline threads it starts only see the rings and the
 * configuration copied into them at start.
 */
#ifndef HST_LIB_H
#define HST_LIB_H

#include <pthread.h>
#include <stdatomic.h>

#include <hstrace/hstrace.h>

#include <linux/filter.h>

#include "core/filter.h"

#include "core/log.h"
#include "sink/sinks.h"

#define HST_MAX_OUTPUTS 4
#define HST_MAX_WORKERS 64

struct hst_events;

enum hst_state { HST_NEW, HST_RUNNING, HST_DONE };

struct hst_output {
	hstrace_format_t format;
	int fd;
	unsigned flags;
	struct hst_sink *sink;
	int error;                  /* its first write error, after hstrace_wait */
};

struct hstrace {
	enum hst_state state;
	/* configuration, owner thread only */
	char **argv;
	size_t argc, argv_cap;
	char *path;                 /* resolved program */
	pid_t *pids;
	size_t npids;
	char *log_path;
	bool follow;
	bool events;
	bool strsize_set;
	bool no_pin;
	bool spin_set;
	unsigned spin_us;
	unsigned workers;
	size_t ring_size;           /* hstrace_ring_size; 0: the default */
	unsigned strsize;
	struct hst_output outputs[HST_MAX_OUTPUTS];
	unsigned noutputs;
	struct hst_filter filter;   /* hstrace_filter; everything by default */
	bool filtered;
	bool no_seccomp;
	int summary_sort;           /* enum hst_summary_sort */
	struct sock_fprog seccomp;  /* built at start for a filtered launch */
	char filter_err[256];
	/* pipeline */
	struct hst_ring *raw;
	struct hst_ring *decoded[HST_MAX_WORKERS];
	unsigned nworkers;
	struct hst_tracer *tracer;
	struct hst_decoders *decoders;
	struct hst_events *ev;
	/* --read */
	struct hst_log_reader *reader;
	struct hst_log_meta meta;
	pthread_t reader_thread;
	bool reader_started;
	atomic_int reader_stop;
	int reader_err;
	uint64_t reader_oversize;   /* records too large for the read rings, skipped */
	/*
	 * A log output that cannot write ends the trace (log_failed in
	 * hstrace.c).  live_tracer is the tracer from when hstrace_start made it
	 * until every sink is joined; log_failed runs on a sink thread.
	 */
	_Atomic(struct hst_tracer *) live_tracer;
	atomic_int log_failed;
	/*
	 * hstrace_stop from any thread or a signal handler: stop_requested
	 * for a tracer not published yet (publish_tracer checks it), stoppers
	 * counts the calls using live_tracer right now, which hstrace_wait
	 * waits out before freeing the tracer.
	 */
	atomic_int stop_requested;
	atomic_int stoppers;
	/* results */
	int exit_status;
	int error;
	hstrace_stats_t stats;
};

/* events.c: the hstrace_next() consumer. */
int hst_events_create(struct hst_events **out, struct hst_ring **rings, unsigned n, unsigned consumer,
		      const struct hst_filter *filter);
const hstrace_call_t *hst_events_next(struct hst_events *ev);
void hst_events_detach(struct hst_events *ev);
void hst_events_free(struct hst_events *ev);

#endif
