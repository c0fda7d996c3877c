/*
 * The -c summary table.  See summary.h.  Owned by one sink thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "core/systable.h"
#include "sink/summary.h"

struct pending {
	uint64_t ts_ns;
	int32_t nr;
	uint8_t open;
};

int hst_summary_init(struct hst_summary *s, enum hst_summary_sort sort)
{
	memset(s, 0, sizeof(*s));
	s->sort = sort;
	s->nrows = hst_nsyscalls;
	s->rows = calloc(s->nrows, sizeof(*s->rows));
	if (!s->rows)
		return -1;
	if (hst_tidmap_init(&s->pending, sizeof(struct pending)) < 0) {
		free(s->rows);
		return -1;
	}
	return 0;
}

void hst_summary_free(struct hst_summary *s)
{
	free(s->rows);
	hst_tidmap_free(&s->pending);
	if (s->per_pid) {
		for (unsigned i = 0; i < s->nprocs; i++)
			free(s->procs[i].rows);
		free(s->procs);
		hst_tidmap_free(&s->proc_index);
	}
}

int hst_summary_per_pid(struct hst_summary *s)
{
	if (s->per_pid)
		return 0;
	if (hst_tidmap_init(&s->proc_index, sizeof(unsigned)) < 0)
		return -1;
	s->per_pid = true;
	return 0;
}

/* The rows of process tgid, created at its first call; NULL when out of memory. */
static struct hst_summary_proc *proc_of(struct hst_summary *s, pid_t tgid)
{
	unsigned *index = hst_tidmap_put(&s->proc_index, tgid);
	struct hst_summary_proc *p;

	if (!index)
		return NULL;
	if (*index)
		return &s->procs[*index - 1];
	if (s->nprocs == s->cap_procs) {
		unsigned cap = s->cap_procs ? s->cap_procs * 2 : 8;
		p = realloc(s->procs, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->procs = p;
		s->cap_procs = cap;
	}
	p = &s->procs[s->nprocs];
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	p->rows = calloc(s->nrows, sizeof(*p->rows));
	if (!p->rows)
		return NULL;
	*index = ++s->nprocs;
	return p;
}

void hst_summary_name(struct hst_summary *s, pid_t tgid, const char *name)
{
	unsigned *index = s->per_pid && name ? hst_tidmap_get(&s->proc_index, tgid) : NULL;

	/* Only a process that made a call has a table to name. */
	if (index && *index)
		snprintf(s->procs[*index - 1].name, sizeof(s->procs[0].name), "%s", name);
}

/* One call counted in the total and, per process, in its process's rows. */
static void count(struct hst_summary *s, pid_t tgid, int32_t nr, uint64_t ns, bool error)
{
	struct hst_summary_row *rows[2] = { s->rows, NULL };
	struct hst_summary_proc *p = s->per_pid && tgid > 0 ? proc_of(s, tgid) : NULL;

	if (p)
		rows[1] = p->rows;
	for (int i = 0; i < 2 && rows[i]; i++) {
		rows[i][nr].calls++;
		rows[i][nr].time_ns += ns;
		rows[i][nr].errors += error;
	}
}

void hst_summary_add(struct hst_summary *s, unsigned kind, pid_t tid, int32_t nr, uint64_t ts_ns,
		     unsigned raw_flags, int64_t rval)
{
	hst_summary_add_pid(s, 0, kind, tid, nr, ts_ns, raw_flags, rval);
}

void hst_summary_add_pid(struct hst_summary *s, pid_t tgid, unsigned kind, pid_t tid, int32_t nr,
			 uint64_t ts_ns, unsigned raw_flags, int64_t rval)
{
	struct pending *p;

	/* Calls through the i386/x32 ABIs have other numbers: not counted. */
	if (nr < 0 || (unsigned)nr >= s->nrows || (raw_flags & (HST_RAWF_I386 | HST_RAWF_X32)))
		return;
	if (kind == HST_RAW_SYSCALL_ENTRY) {
		p = hst_tidmap_put(&s->pending, tid);
		if (p)
			*p = (struct pending){ ts_ns, nr, 1 };
		/* A call that never returns (exit_group) counts at its entry. */
		if (hst_syscall_sig(nr) && hst_syscall_sig(nr)->ret == HST_R_NORETURN)
			count(s, tgid, nr, 0, false);
		return;
	}
	if (kind != HST_RAW_SYSCALL_EXIT)
		return;
	p = hst_tidmap_get(&s->pending, tid);
	if (!p || !p->open || p->nr != nr)
		return; /* attached mid-call: no entry time */
	p->open = 0;
	count(s, tgid, nr, ts_ns > p->ts_ns ? ts_ns - p->ts_ns : 0, (raw_flags & HST_RAWF_ERROR) || rval < 0);
}

int hst_summary_sort_parse(const char *name)
{
	static const struct {
		const char *name;
		int sort;
	} names[] = {
		{ "time", HST_SORT_TIME }, { "time_total", HST_SORT_TIME }, { "total_time", HST_SORT_TIME },
		{ "calls", HST_SORT_CALLS }, { "count", HST_SORT_CALLS },
		{ "errors", HST_SORT_ERRORS }, { "error", HST_SORT_ERRORS },
		{ "name", HST_SORT_NAME }, { "syscall", HST_SORT_NAME }, { "syscall_name", HST_SORT_NAME },
		{ "nothing", HST_SORT_NOTHING }, { "none", HST_SORT_NOTHING },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].sort;
	return -1;
}

struct table {
	const struct hst_summary_row *rows;
	enum hst_summary_sort sort;
};

static int compare(const void *a, const void *b, void *arg)
{
	const struct table *t = arg;
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	const struct hst_summary_row *rx = &t->rows[x], *ry = &t->rows[y];

	switch (t->sort) {
	case HST_SORT_TIME:
		if (rx->time_ns != ry->time_ns)
			return rx->time_ns > ry->time_ns ? -1 : 1;
		break;
	case HST_SORT_CALLS:
		if (rx->calls != ry->calls)
			return rx->calls > ry->calls ? -1 : 1;
		break;
	case HST_SORT_ERRORS:
		if (rx->errors != ry->errors)
			return rx->errors > ry->errors ? -1 : 1;
		break;
	case HST_SORT_NAME:
		return strcmp(hst_syscall_sig(x)->name, hst_syscall_sig(y)->name);
	default:
		break;
	}
	return x < y ? -1 : x > y;
}

static void put_row(struct hst_out *o, double pct, uint64_t ns, uint64_t calls, uint64_t errors,
		    const char *name)
{
	uint64_t us = ns / 1000;

	hst_out_printf(o, "%6.2f %11.6f %11" PRIu64 " %9" PRIu64 " ", pct, ns / 1e9,
		       calls ? us / calls : 0, calls);
	if (errors)
		hst_out_printf(o, "%9" PRIu64, errors);
	else
		hst_out_puts(o, "         ");
	hst_out_printf(o, " %s\n", name);
}

/* One table of rows; order has room for every syscall number. */
static void put_table(const struct hst_summary *s, const struct hst_summary_row *rows, unsigned *order,
		      struct hst_out *o)
{
	static const char rule[] = "------ ----------- ----------- --------- --------- ----------------\n";
	struct table t = { rows, s->sort };
	uint64_t total_ns = 0, calls = 0, errors = 0;
	unsigned n = 0;

	for (unsigned nr = 0; nr < s->nrows; nr++) {
		if (!rows[nr].calls || !hst_syscall_sig(nr))
			continue;
		order[n++] = nr;
		total_ns += rows[nr].time_ns;
		calls += rows[nr].calls;
		errors += rows[nr].errors;
	}
	qsort_r(order, n, sizeof(*order), compare, &t);
	hst_out_puts(o, "% time     seconds  usecs/call     calls    errors syscall\n");
	hst_out_puts(o, rule);
	for (unsigned i = 0; i < n; i++) {
		const struct hst_summary_row *r = &rows[order[i]];
		put_row(o, total_ns ? 100.0 * (double)r->time_ns / (double)total_ns : 0, r->time_ns,
			r->calls, r->errors, hst_syscall_sig(order[i])->name);
	}
	hst_out_puts(o, rule);
	put_row(o, 100.0, total_ns, calls, errors, "total");
}

void hst_summary_print(const struct hst_summary *s, struct hst_out *o)
{
	unsigned *order = malloc(s->nrows * sizeof(*order));

	if (!order)
		return;
	for (unsigned i = 0; s->per_pid && i < s->nprocs; i++) {
		const struct hst_summary_proc *p = &s->procs[i];
		hst_out_printf(o, "PID %d", p->tgid);
		if (p->name[0]) {
			/* The name is the tracee's: escaped like every string it made. */
			hst_out_puts(o, " (");
			hst_out_escape(o, p->name, strlen(p->name));
			hst_out_puts(o, ")");
		}
		hst_out_puts(o, "\n");
		put_table(s, p->rows, order, o);
		hst_out_puts(o, "\n");
	}
	if (s->per_pid)
		hst_out_puts(o, "All processes\n");
	put_table(s, s->rows, order, o);
	free(order);
}
