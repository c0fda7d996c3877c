/*
 * The -c summary table.  See summary.h.  Owned by one sink thread.
 */
#include <inttypes.h>
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
}

void hst_summary_add(struct hst_summary *s, unsigned kind, pid_t tid, int32_t nr, uint64_t ts_ns,
		     unsigned raw_flags, int64_t rval)
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
			s->rows[nr].calls++;
		return;
	}
	if (kind != HST_RAW_SYSCALL_EXIT)
		return;
	p = hst_tidmap_get(&s->pending, tid);
	if (!p || !p->open || p->nr != nr)
		return; /* attached mid-call: no entry time */
	p->open = 0;
	s->rows[nr].calls++;
	s->rows[nr].time_ns += ts_ns > p->ts_ns ? ts_ns - p->ts_ns : 0;
	if ((raw_flags & HST_RAWF_ERROR) || rval < 0)
		s->rows[nr].errors++;
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

static int compare(const void *a, const void *b, void *arg)
{
	const struct hst_summary *sort_by = arg;
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	const struct hst_summary_row *rx = &sort_by->rows[x], *ry = &sort_by->rows[y];

	switch (sort_by->sort) {
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

void hst_summary_print(const struct hst_summary *s, struct hst_out *o)
{
	static const char rule[] = "------ ----------- ----------- --------- --------- ----------------\n";
	unsigned *order = malloc(s->nrows * sizeof(*order));
	uint64_t total_ns = 0, calls = 0, errors = 0;
	unsigned n = 0;

	if (!order)
		return;
	for (unsigned nr = 0; nr < s->nrows; nr++) {
		if (!s->rows[nr].calls || !hst_syscall_sig(nr))
			continue;
		order[n++] = nr;
		total_ns += s->rows[nr].time_ns;
		calls += s->rows[nr].calls;
		errors += s->rows[nr].errors;
	}
	qsort_r(order, n, sizeof(*order), compare, (void *)s);
	hst_out_puts(o, "% time     seconds  usecs/call     calls    errors syscall\n");
	hst_out_puts(o, rule);
	for (unsigned i = 0; i < n; i++) {
		const struct hst_summary_row *r = &s->rows[order[i]];
		put_row(o, total_ns ? 100.0 * (double)r->time_ns / (double)total_ns : 0, r->time_ns,
			r->calls, r->errors, hst_syscall_sig(order[i])->name);
	}
	hst_out_puts(o, rule);
	put_row(o, 100.0, total_ns, calls, errors, "total");
	free(order);
}
