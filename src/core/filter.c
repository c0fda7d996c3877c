/*
 * Parsing strace's -e expressions into a filter.  See filter.h.  Runs on
 * the caller's thread before tracing starts; the names come from the
 * generated tables (systable.h): syscalls, groups, signals.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/filter.h"
#include "core/systable.h"

void hst_filter_init(struct hst_filter *f)
{
	memset(f, 0, sizeof(*f));
	memset(f->nr, 0xff, sizeof(f->nr));
	f->signals = ~0ull;
	f->status = HST_STATUS_ALL;
}

bool hst_filter_all_syscalls(const struct hst_filter *f)
{
	for (unsigned nr = 0; nr < hst_nsyscalls && nr < HST_FILTER_NR_MAX; nr++)
		if (hst_syscall_sig(nr) && !hst_filter_syscall(f, nr))
			return false;
	return true;
}

void hst_filter_free(struct hst_filter *f)
{
	for (unsigned i = 0; i < f->npaths; i++) {
		free(f->paths[i]);
		free(f->resolved[i]);
		f->resolved[i] = NULL;
	}
	f->npaths = 0;
}

/*
 * path=: the path as given and, as strace keeps it too, the path it
 * resolves to now (symlinks, "..", a relative path), if it exists and
 * differs: what a descriptor names (/proc/PID/fd/N) is always resolved.
 */
static int add_path(struct hst_filter *f, const char *path, char *err, size_t len)
{
	char *resolved;

	if (!*path || f->npaths == HST_FILTER_PATHS) {
		snprintf(err, len, *path ? "too many paths (at most %d)" : "empty path", HST_FILTER_PATHS);
		return -1;
	}
	f->paths[f->npaths] = strdup(path);
	if (!f->paths[f->npaths]) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	resolved = realpath(path, NULL);
	if (resolved && strcmp(resolved, path) != 0)
		f->resolved[f->npaths] = resolved;
	else
		free(resolved);
	f->npaths++;
	return 0;
}

bool hst_filter_path(const struct hst_filter *f, const char *s, size_t n)
{
	for (unsigned k = 0; k < f->npaths; k++)
		if ((strlen(f->paths[k]) == n && memcmp(f->paths[k], s, n) == 0) ||
		    (f->resolved[k] && strlen(f->resolved[k]) == n && memcmp(f->resolved[k], s, n) == 0))
			return true;
	return false;
}

bool hst_filter_none(const struct hst_filter *f)
{
	for (size_t i = 0; i < sizeof(f->nr) / sizeof(f->nr[0]); i++)
		if (f->nr[i])
			return false;
	return true;
}

/* --- closest names, for error messages ---------------------------------- */

static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

struct near {
	const char *name[3];
	unsigned d[3];
};

static void near_add(struct near *n, const char *want, const char *name)
{
	unsigned d = distance(want, name);

	/* A name can be both a group and a category (%desc): offer it once. */
	for (int i = 0; i < 3; i++)
		if (n->name[i] && !strcmp(n->name[i], name))
			return;
	/* A prefix counts as close: "sock" -> socket, socketpair. */
	if (strncmp(want, name, strlen(want)) == 0)
		d = d < 2 ? d : 2;
	for (int i = 0; i < 3; i++) {
		if (!n->name[i] || d < n->d[i]) {
			for (int j = 2; j > i; j--) {
				n->name[j] = n->name[j - 1];
				n->d[j] = n->d[j - 1];
			}
			n->name[i] = name;
			n->d[i] = d;
			return;
		}
	}
}

static void unknown(char *err, size_t len, const char *what, const char *name, const struct near *n,
		    const char *prefix)
{
	int off = snprintf(err, len, "unknown %s '%s'", what, name);
	unsigned limit = strlen(name) / 2 + 2;

	for (int i = 0; i < 3 && off > 0 && (size_t)off < len; i++) {
		if (!n->name[i] || n->d[i] > limit)
			break;
		off += snprintf(err + off, len - (size_t)off, "%s%s%s", i ? ", " : " (did you mean ",
				prefix, n->name[i]);
		if (i == 2 || !n->name[i + 1] || n->d[i + 1] > limit)
			off += snprintf(err + off, len - (size_t)off, "?)");
	}
}

/* --- sets --------------------------------------------------------------- */

static void set_nr(struct hst_filter *f, long nr, bool on)
{
	if (nr < 0 || nr >= HST_FILTER_NR_MAX)
		return;
	if (on)
		f->nr[nr / 64] |= 1ull << (nr % 64);
	else
		f->nr[nr / 64] &= ~(1ull << (nr % 64));
}

/* One element of a trace= set; returns how many syscalls it matched or -1. */
static int trace_element(struct hst_filter *f, const char *el, bool on, char *err, size_t len)
{
	struct near n = { { NULL }, { 0 } };
	int matched = 0;

	if (strcmp(el, "all") == 0 || strcmp(el, "none") == 0) {
		bool all = el[0] == 'a';
		for (unsigned nr = 0; nr < HST_FILTER_NR_MAX; nr++)
			set_nr(f, nr, all == on);
		return 1;
	}
	if (el[0] == '/') {
		regex_t re;
		if (regcomp(&re, el + 1, REG_EXTENDED | REG_NOSUB) != 0) {
			snprintf(err, len, "invalid regular expression '%s'", el + 1);
			return -1;
		}
		for (unsigned nr = 0; nr < hst_nsyscalls; nr++) {
			const struct hst_syscall_sig *s = hst_syscall_sig(nr);
			if (s && regexec(&re, s->name, 0, NULL, 0) == 0) {
				set_nr(f, nr, on);
				matched++;
			}
		}
		regfree(&re);
		return matched;
	}
	if (el[0] == '%') {
		const char *g = el + 1;
		/* strace's aliases: %net is %network, %%stat the stat family. */
		if (strcmp(g, "net") == 0)
			g = "network";
		for (unsigned i = 0; i < hst_ngroups; i++) {
			if (strcmp(g, hst_group_names[i]) != 0) {
				near_add(&n, g, hst_group_names[i]);
				continue;
			}
			for (unsigned nr = 0; nr < hst_nsyscalls; nr++)
				if (hst_syscall_groups[nr] & (1u << i)) {
					set_nr(f, nr, on);
					matched++;
				}
			return matched ? matched : 1;
		}
		/* The categories of the decoding rows: %time, %system, ... */
		for (unsigned c = 0; c < HST_CAT_MAX; c++) {
			if (strcmp(g, hst_category_name(c)) != 0) {
				near_add(&n, g, hst_category_name(c));
				continue;
			}
			for (unsigned nr = 0; nr < hst_nsyscalls; nr++)
				if (hst_syscall_sig(nr) && hst_syscall_sig(nr)->category == c) {
					set_nr(f, nr, on);
					matched++;
				}
			return matched ? matched : 1;
		}
		unknown(err, len, "syscall group", el, &n, "%");
		return -1;
	}
	long nr = hst_syscall_lookup(el);
	if (nr >= 0) {
		set_nr(f, nr, on);
		return 1;
	}
	for (unsigned i = 0; i < hst_nsyscalls; i++) {
		const struct hst_syscall_sig *s = hst_syscall_sig(i);
		if (s)
			near_add(&n, el, s->name);
	}
	for (unsigned i = 0; i < hst_ngroups; i++)
		near_add(&n, el, hst_group_names[i]);
	unknown(err, len, "syscall", el, &n, "");
	return -1;
}

static int signal_number(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);

	if (*name && *end == '\0')
		return v >= 1 && v <= 64 ? (int)v : -1;
	for (int s = 1; s <= 64; s++) {
		const char *n = hst_signal_name(s);
		if (n && (strcasecmp(name, n) == 0 || strcasecmp(name, n + 3) == 0))
			return s;
	}
	return -1;
}

static int signal_element(struct hst_filter *f, const char *el, bool on, char *err, size_t len)
{
	struct near n = { { NULL }, { 0 } };
	int s;

	if (strcmp(el, "all") == 0 || strcmp(el, "none") == 0) {
		f->signals = (el[0] == 'a') == on ? ~0ull : 0;
		return 1;
	}
	s = signal_number(el);
	if (s > 0) {
		if (on)
			f->signals |= 1ull << (s - 1);
		else
			f->signals &= ~(1ull << (s - 1));
		return 1;
	}
	for (int i = 1; i <= 64; i++)
		if (hst_signal_name(i))
			near_add(&n, el, hst_signal_name(i));
	unknown(err, len, "signal", el, &n, "");
	return -1;
}

static int status_element(struct hst_filter *f, const char *el, bool on, char *err, size_t len)
{
	static const char *const names[] = { "successful", "failed", "unfinished", "unavailable",
					      "detached" };
	struct near n = { { NULL }, { 0 } };
	unsigned bits = 0;

	if (strcmp(el, "all") == 0)
		bits = HST_STATUS_ALL;
	else if (strcmp(el, "none") == 0)
		bits = HST_STATUS_ALL, on = !on;
	for (unsigned i = 0; i < 5 && !bits; i++) {
		if (strcmp(el, names[i]) == 0)
			bits = 1u << i;
		near_add(&n, el, names[i]);
	}
	if (!bits) {
		unknown(err, len, "status", el, &n, "");
		return -1;
	}
	if (on)
		f->status |= bits;
	else
		f->status &= ~bits;
	return 1;
}

/* --- expressions -------------------------------------------------------- */

typedef int (*element_fn)(struct hst_filter *, const char *, bool, char *, size_t);

static int parse_set(struct hst_filter *f, const char *set, element_fn fn, bool *first,
		     void (*reset)(struct hst_filter *, bool), char *err, size_t len)
{
	bool negate = set[0] == '!';
	char *copy, *save, *el;
	int rc = 0;

	if (negate)
		set++;
	if (*first) {
		/* The first expression starts from nothing, or from all if negated. */
		reset(f, negate);
		*first = false;
	}
	if (*set == '\0') {
		snprintf(err, len, "empty set");
		return -1;
	}
	/* strtok_r would skip them: "read,,write" is a typo, not two names. */
	if (set[0] == ',' || set[strlen(set) - 1] == ',' || strstr(set, ",,")) {
		snprintf(err, len, "empty name in '%s'", set);
		return -1;
	}
	copy = strdup(set);
	if (!copy) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (el = strtok_r(copy, ",", &save); el && rc == 0; el = strtok_r(NULL, ",", &save)) {
		bool optional = el[0] == '?';
		char sub[256];
		int m = fn(f, optional ? el + 1 : el, !negate, sub, sizeof(sub));
		if (m < 0 && !optional) {
			snprintf(err, len, "%s", sub);
			rc = -1;
		} else if (m == 0 && !optional) {
			snprintf(err, len, "'%s' matches no syscall", el);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

static void reset_trace(struct hst_filter *f, bool all)
{
	memset(f->nr, all ? 0xff : 0, sizeof(f->nr));
}

static void reset_signals(struct hst_filter *f, bool all)
{
	f->signals = all ? ~0ull : 0;
}

static void reset_status(struct hst_filter *f, bool all)
{
	f->status = all ? HST_STATUS_ALL : 0;
}

int hst_filter_add(struct hst_filter *f, const char *expr, char *err, size_t len)
{
	static const struct {
		const char *prefix;
		element_fn fn;
		void (*reset)(struct hst_filter *, bool);
		size_t first_off;
	} kinds[] = {
		{ "trace=", trace_element, reset_trace, offsetof(struct hst_filter, trace_set) },
		{ "t=", trace_element, reset_trace, offsetof(struct hst_filter, trace_set) },
		{ "signal=", signal_element, reset_signals, offsetof(struct hst_filter, signal_set) },
		{ "signals=", signal_element, reset_signals, offsetof(struct hst_filter, signal_set) },
		{ "s=", signal_element, reset_signals, offsetof(struct hst_filter, signal_set) },
		{ "status=", status_element, reset_status, offsetof(struct hst_filter, status_set) },
	};
	const char *eq = strchr(expr, '=');

	if (strncmp(expr, "pid=", 4) == 0) {
		const char *p = expr + 4;
		while (*p) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p || v <= 0 || v > 0x7fffffff || (*end && *end != ',')) {
				snprintf(err, len, "pid=: '%s' is not a list of pids", expr + 4);
				return -1;
			}
			if (f->npids == sizeof(f->pids) / sizeof(f->pids[0])) {
				snprintf(err, len, "too many pids (at most 64)");
				return -1;
			}
			f->pids[f->npids++] = (int)v;
			p = *end ? end + 1 : end;
		}
		if (!f->npids) {
			snprintf(err, len, "empty pid list");
			return -1;
		}
		return 0;
	}
	if (strncmp(expr, "path=", 5) == 0)
		return add_path(f, expr + 5, err, len);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);
		if (strncmp(expr, kinds[i].prefix, n) == 0) {
			bool *set = (bool *)((char *)f + kinds[i].first_off);
			bool first = !*set;
			int rc = parse_set(f, expr + n, kinds[i].fn, &first, kinds[i].reset, err, len);
			*set = true;
			return rc;
		}
	}
	if (eq && strspn(expr, "abcdefghijklmnopqrstuvwxyz") == (size_t)(eq - expr)) {
		snprintf(err, len, "unknown qualifier '%.*s' (known: trace, status, signal, pid, path)",
			 (int)(eq - expr), expr);
		return -1;
	}
	/* A bare set is a trace= set. */
	bool first = !f->trace_set;
	int rc = parse_set(f, expr, trace_element, &first, reset_trace, err, len);
	f->trace_set = true;
	return rc;
}
