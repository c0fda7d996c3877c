/*
 * The mode of a call, from the rules of data/modes.tbl (see that file for
 * what a rule says).  src/decode/gen_rules.py turns the rows into the
 * mode_rules[] array below; this file only evaluates them.
 *
 * Everything here is a pure function of the records it is given and of
 * read-only tables, so the human sink threads and the library's owner
 * thread call it concurrently without sharing anything.  Argument names are
 * resolved against the signature table at each match (a strcmp over at most
 * six names, only for the few calls that have rules), so a rule naming an
 * argument that another row renamed simply stops matching;
 * hst_modes_verify() lets a test catch that.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/systable.h"
#include "decode/modes.h"

enum mode_cond_op {
	MC_MASK,      /* (value & num) != 0 */
	MC_EQ,
	MC_NE,
	MC_LT,
	MC_GT,
	MC_PREFIX,    /* path starts with text */
	MC_NOPREFIX,
	MC_CONTAINS,  /* path contains text */
	MC_SOCKADDR,  /* socket address is remote (AF_INET/AF_INET6, not loopback) */
};

struct mode_cond {
	uint8_t op;         /* enum mode_cond_op */
	const char *arg;    /* argument name */
	int64_t num;
	uint8_t self;       /* compare with the caller's tgid instead of num */
	const char *text;
};

struct mode_rule {
	int nr;
	const char *name;
	uint8_t mode;       /* enum hst_mode */
	uint8_t nconds;
	struct mode_cond c[4];
};

#include "modes_rules.h"

#define NRULES (sizeof(mode_rules) / sizeof(mode_rules[0]))
#define PATH_MAX_NORM 4096

/*
 * Bit nr: some rule is about syscall nr.  Most calls have no rule, and
 * looking through every rule for each call was a seventh of the human
 * sink's instructions on a real program's log.  Built once, read-only after.
 */
#define RULED_NRS 1024
static uint64_t ruled[RULED_NRS / 64];
static pthread_once_t ruled_once = PTHREAD_ONCE_INIT;

static void ruled_init(void)
{
	for (size_t i = 0; i < NRULES; i++)
		if (mode_rules[i].nr >= 0 && mode_rules[i].nr < RULED_NRS)
			ruled[mode_rules[i].nr / 64] |= 1ull << (mode_rules[i].nr % 64);
}

/* False only when no rule is about nr (rules of larger numbers are not in the bitmap). */
static bool may_have_rule(int32_t nr)
{
	/* pthread_once publishes the bitmap to every caller. */
	pthread_once(&ruled_once, ruled_init);
	return nr < 0 || nr >= RULED_NRS || ((ruled[nr / 64] >> (nr % 64)) & 1);
}

const char *hst_mode_name(unsigned mode)
{
	static const char *const names[] = { "info", "warning", "danger" };
	return mode < sizeof(names) / sizeof(names[0]) ? names[mode] : NULL;
}

/* --- looking arguments up ------------------------------------------------ */

const struct hst_dval *hst_drec_val(const struct hst_drec *d, unsigned arg)
{
	const struct hst_dval *v = hst_drec_vals(d);

	for (unsigned i = 0; i < d->nvals; i++)
		if (v[i].arg == arg)
			return &v[i];
	return NULL;
}

const struct hst_drec *hst_call_rec(const struct hst_drec *entry, const struct hst_drec *exit,
				    unsigned arg)
{
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);

	if (exit && sig && arg >= sig->exit_from)
		return exit;
	return entry;
}

int hst_arg_index(long nr, unsigned raw_flags, const char *name)
{
	const struct hst_syscall_sig *sig = hst_record_sig(nr, raw_flags);

	for (unsigned i = 0; sig && i < sig->nargs; i++)
		if (sig->argname[i] && !strcmp(sig->argname[i], name))
			return (int)i;
	return -1;
}

bool hst_dval_sockaddr(const struct hst_drec *d, const struct hst_dval *v,
		       struct sockaddr_storage *ss, size_t *len)
{
	struct hst_piece pieces[4];
	const struct hst_piece *p;
	unsigned n;

	if ((v->type != HST_A_IN && v->type != HST_A_OUT && v->type != HST_A_INOUT) || (v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) ||
	    v->len == 0)
		return false;
	/* The last piece: a returned address comes after the length it read. */
	n = hst_drec_pieces(d, v, pieces, 4);
	p = &pieces[n - 1];
	if (p->fault || p->len < sizeof(sa_family_t))
		return false;
	*len = p->len < sizeof(*ss) ? p->len : sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, p->data, *len);
	return true;
}

/* --- conditions ---------------------------------------------------------- */

/*
 * Lexically normalised absolute path: "//", "/./" and "/x/.." folded, so
 * "/tmp/../etc/passwd" is under /etc.  Relative paths are left alone (the
 * tracer does not know the tracee's working directory).
 */
static void normalize(const char *s, size_t n, char *out)
{
	size_t len = 0, i = 0;

	if (n == 0 || s[0] != '/') {
		n = n < PATH_MAX_NORM - 1 ? n : PATH_MAX_NORM - 1;
		memcpy(out, s, n);
		out[n] = '\0';
		return;
	}
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] == '/')
			j++;
		size_t k = j;
		while (k < n && s[k] != '/')
			k++;
		if (k - j == 2 && s[j] == '.' && s[j + 1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else if (k > j && !(k - j == 1 && s[j] == '.') && len + 1 + (k - j) < PATH_MAX_NORM) {
			out[len++] = '/';
			memcpy(out + len, s + j, k - j);
			len += k - j;
		}
		i = k;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
}

static bool path_has_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strncmp(path, prefix, n))
		return true;
	/* "/etc/" also names the directory itself. */
	return n > 1 && prefix[n - 1] == '/' && strlen(path) == n - 1 && !strncmp(path, prefix, n - 1);
}

static bool is_remote(const struct sockaddr_storage *ss, size_t len)
{
	if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		uint32_t a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);
		return (a >> 24) != 127 && a != 0;
	}
	if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a))
			return false;
		return !(IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

static bool path_cond(const struct mode_cond *c, const struct hst_drec *d, const struct hst_dval *v)
{
	char path[PATH_MAX_NORM];

	if (!v || (v->type != HST_A_PATH && v->type != HST_A_STR) || (v->flags & (HST_DVF_NULL | HST_DVF_FAULT)))
		return false;
	normalize(hst_drec_blob(d) + v->off, v->len, path);
	switch (c->op) {
	case MC_PREFIX: return path_has_prefix(path, c->text);
	case MC_NOPREFIX: return !path_has_prefix(path, c->text);
	default: return strstr(path, c->text) != NULL;
	}
}

static bool cond_holds(const struct mode_cond *c, const struct hst_drec *entry, const struct hst_drec *exit)
{
	const struct hst_syscall_sig *sig = hst_record_sig(entry->nr, entry->flags);
	int arg = hst_arg_index(entry->nr, entry->flags, c->arg);
	const struct hst_drec *d;
	int64_t v, want;

	if (arg < 0)
		return false;
	d = hst_call_rec(entry, exit, (unsigned)arg);
	if (c->op >= MC_PREFIX && c->op <= MC_CONTAINS)
		return path_cond(c, d, hst_drec_val(d, (unsigned)arg));
	if (c->op == MC_SOCKADDR) {
		const struct hst_dval *dv = hst_drec_val(d, (unsigned)arg);
		struct sockaddr_storage ss;
		size_t len;
		return dv && hst_dval_sockaddr(d, dv, &ss, &len) && is_remote(&ss, len);
	}
	v = (int64_t)entry->args[arg];
	switch (sig->type[arg]) {
	case HST_A_INT: case HST_A_FD: case HST_A_DIRFD: case HST_A_OPEN_FLAGS:
		v = (int32_t)v;
		break;
	default:
		break;
	}
	want = c->self ? entry->tgid : c->num;
	switch (c->op) {
	case MC_MASK: return (v & want) != 0;
	case MC_EQ: return v == want;
	case MC_NE: return v != want;
	case MC_LT: return v < want;
	default: return v > want;
	}
}

enum hst_mode hst_mode_of(const struct hst_drec *entry, const struct hst_drec *exit)
{
	enum hst_mode mode = HST_MODE_INFO;

	if (!entry || entry->kind != HST_RAW_SYSCALL_ENTRY || !may_have_rule(entry->nr) ||
	    !hst_record_sig(entry->nr, entry->flags))
		return HST_MODE_INFO;
	for (size_t i = 0; i < NRULES; i++) {
		const struct mode_rule *r = &mode_rules[i];
		unsigned k;

		if (r->nr != entry->nr || r->mode <= mode)
			continue;
		for (k = 0; k < r->nconds && cond_holds(&r->c[k], entry, exit); k++)
			;
		if (k == r->nconds)
			mode = r->mode;
	}
	return mode;
}

int hst_modes_verify(char *msg, size_t len)
{
	for (size_t i = 0; i < NRULES; i++) {
		const struct mode_rule *r = &mode_rules[i];
		for (unsigned k = 0; k < r->nconds; k++) {
			if (hst_arg_index(r->nr, 0, r->c[k].arg) < 0) {
				snprintf(msg, len, "data/modes.tbl: %s has no argument '%s'", r->name, r->c[k].arg);
				return -1;
			}
		}
	}
	return 0;
}
