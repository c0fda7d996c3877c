/*
 * --group: the trace told per file and per socket.  Calls are paired
 * (calls.c); descriptors are followed per process through open, dup, fcntl
 * F_DUPFD, fork (the child gets a copy of the table), close, close_range
 * and exec (close-on-exec descriptors go), so every read and write lands on
 * the file it was really made on.  At the end, one block per file or
 * socket: who opened it and how, bytes read and written, other operations,
 * errors, first and last time seen.  Owned by one sink thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "core/systable.h"
#include "decode/modes.h"
#include "sink/calls.h"
#include "sink/render.h"

#define MAX_OPS 24
#define MAX_OPENERS 8

struct op_count {
	const char *name;  /* syscall name (static table string) */
	uint64_t n;
};

struct opener {
	char comm[HST_COMM_LEN];  /* as the tracee named itself: escaped when printed */
	pid_t tgid;
	uint64_t flags;           /* access mode, O_CREAT, O_TRUNC, O_APPEND */
};

struct file {
	char *name;
	uint64_t bytes_read, bytes_written, errors, calls;
	uint64_t first_ns, last_ns;
	struct op_count ops[MAX_OPS];
	unsigned nops;
	struct opener openers[MAX_OPENERS];
	unsigned nopeners;
};

struct fd_slot {
	pid_t tgid;
	int fd;
	unsigned file;
	bool cloexec;
};

struct hst_group {
	struct hst_text_config cfg;
	struct hst_calls calls;
	struct file *files;
	unsigned nfiles, cap_files;
	struct fd_slot *fds;
	unsigned nfds, cap_fds;
};

/* --- files and descriptors ------------------------------------------------- */

static int file_of(struct hst_group *g, const char *name, size_t len)
{
	for (unsigned i = 0; i < g->nfiles; i++)
		if (g->files[i].name && strlen(g->files[i].name) == len && !memcmp(g->files[i].name, name, len))
			return (int)i;
	if (g->nfiles == g->cap_files) {
		unsigned cap = g->cap_files ? g->cap_files * 2 : 64;
		struct file *f = realloc(g->files, cap * sizeof(*f));
		if (!f)
			return -1;
		g->files = f;
		g->cap_files = cap;
	}
	struct file *f = &g->files[g->nfiles];
	memset(f, 0, sizeof(*f));
	f->name = strndup(name, len);
	if (!f->name)
		return -1;
	return (int)g->nfiles++;
}

static struct fd_slot *fd_find(struct hst_group *g, pid_t tgid, int fd)
{
	for (unsigned i = 0; i < g->nfds; i++)
		if (g->fds[i].tgid == tgid && g->fds[i].fd == fd)
			return &g->fds[i];
	return NULL;
}

static void fd_set_file(struct hst_group *g, pid_t tgid, int fd, int file, bool cloexec)
{
	struct fd_slot *s = fd_find(g, tgid, fd);

	if (file < 0)
		return;
	if (!s) {
		if (g->nfds == g->cap_fds) {
			unsigned cap = g->cap_fds ? g->cap_fds * 2 : 64;
			struct fd_slot *n = realloc(g->fds, cap * sizeof(*n));
			if (!n)
				return;
			g->fds = n;
			g->cap_fds = cap;
		}
		s = &g->fds[g->nfds++];
	}
	*s = (struct fd_slot){ tgid, fd, (unsigned)file, cloexec };
}

static void fd_drop(struct hst_group *g, pid_t tgid, int lo, int hi, bool only_cloexec)
{
	for (unsigned i = 0; i < g->nfds;) {
		struct fd_slot *s = &g->fds[i];
		if (s->tgid == tgid && s->fd >= lo && s->fd <= hi && (!only_cloexec || s->cloexec))
			*s = g->fds[--g->nfds];
		else
			i++;
	}
}

static void fd_copy_table(struct hst_group *g, pid_t from, pid_t to)
{
	unsigned n = g->nfds;

	for (unsigned i = 0; i < n; i++)
		if (g->fds[i].tgid == from)
			fd_set_file(g, to, g->fds[i].fd, (int)g->fds[i].file, g->fds[i].cloexec);
}

static void count_op(struct file *f, const char *name)
{
	for (unsigned i = 0; i < f->nops; i++)
		if (f->ops[i].name == name) {
			f->ops[i].n++;
			return;
		}
	if (f->nops < MAX_OPS)
		f->ops[f->nops++] = (struct op_count){ name, 1 };
}

/* --- calls ---------------------------------------------------------------- */

static const struct hst_dval *path_val(const struct hst_drec *d, const char *arg)
{
	int i = hst_arg_index(d->nr, d->flags, arg);
	const struct hst_dval *v = i < 0 ? NULL : hst_drec_val(d, (unsigned)i);

	return v && v->type == HST_A_PATH && !(v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) ? v : NULL;
}

/* The file a call is about: a descriptor argument we know, or its path. */
static int call_file(struct hst_group *g, const struct hst_drec *e, const struct hst_syscall_sig *sig,
		     int *fd_arg)
{
	*fd_arg = -1;
	for (unsigned i = 0; i < sig->nargs; i++) {
		if (sig->type[i] != HST_A_FD)
			continue;
		struct fd_slot *s = fd_find(g, e->tgid, (int)e->args[i]);
		*fd_arg = (int)e->args[i];
		if (s)
			return (int)s->file;
		break;
	}
	for (unsigned i = 0; i < sig->nargs; i++)
		if (sig->type[i] == HST_A_PATH) {
			const struct hst_dval *v = hst_drec_val(e, i);
			if (v && !(v->flags & (HST_DVF_NULL | HST_DVF_FAULT)) && v->len)
				return file_of(g, hst_drec_blob(e) + v->off, v->len);
		}
	return -1;
}

static void note_opener(struct hst_group *g, struct file *f, const struct hst_drec *e, uint64_t flags)
{
	char buf[HST_COMM_LEN];
	const char *comm = hst_calls_name(&g->calls, e->tgid, e, buf);
	struct opener who = { .tgid = e->tgid, .flags = flags & (3 | O_CREAT | O_TRUNC | O_APPEND) };

	snprintf(who.comm, sizeof(who.comm), "%s", comm ? comm : "pid");
	for (unsigned i = 0; i < f->nopeners; i++)
		if (!memcmp(&f->openers[i], &who, sizeof(who)))
			return;
	if (f->nopeners < MAX_OPENERS)
		f->openers[f->nopeners++] = who;
}

/* "  opened by cat[42] O_RDONLY": the name is the tracee's, so escaped. */
static void put_opener(struct hst_out *o, const struct opener *who)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	hst_out_puts(o, "  opened by ");
	hst_out_escape(o, who->comm, strlen(who->comm));
	hst_out_printf(o, "[%d] %s%s%s%s\n", who->tgid, acc[who->flags & 3], who->flags & O_CREAT ? "|O_CREAT" : "",
		       who->flags & O_TRUNC ? "|O_TRUNC" : "", who->flags & O_APPEND ? "|O_APPEND" : "");
}

/* "127.0.0.1:8080", "[::1]:53", "/run/x.sock", "@abstract". */
static bool sockaddr_text(const struct hst_drec *d, const char *arg, char *buf, size_t size)
{
	int i = hst_arg_index(d->nr, d->flags, arg);
	const struct hst_dval *v = i < 0 ? NULL : hst_drec_val(d, (unsigned)i);
	struct sockaddr_storage ss;
	const char *data = (const char *)&ss;
	size_t len;
	sa_family_t fam;

	if (!v || !hst_dval_sockaddr(d, v, &ss, &len))
		return false;
	fam = ss.ss_family;
	if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;
		char a[INET_ADDRSTRLEN];
		memcpy(&in, data, sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(in.sin_port));
	} else if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;
		char a[INET6_ADDRSTRLEN];
		memcpy(&in6, data, sizeof(in6));
		inet_ntop(AF_INET6, &in6.sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(in6.sin6_port));
	} else if (fam == AF_UNIX && len > sizeof(fam)) {
		const char *path = data + sizeof(fam);
		size_t n = strnlen(path + (path[0] == 0), len - sizeof(fam) - (path[0] == 0));
		snprintf(buf, size, "%s%.*s", path[0] ? "" : "@", (int)n, path + (path[0] == 0));
	} else {
		return false;
	}
	return true;
}

/* A socket's block is named by its endpoint once connect, bind or accept tell it. */
static void name_socket(struct hst_group *g, const struct hst_drec *e, const struct hst_drec *x,
			const struct hst_syscall_sig *sig)
{
	char ep[160], name[200];
	struct fd_slot *s;
	bool accepted = !strcmp(sig->name, "accept") || !strcmp(sig->name, "accept4");
	int fd = accepted ? (int)x->rval : (int)e->args[0];

	if (!(accepted ? sockaddr_text(x, "addr", ep, sizeof(ep)) : sockaddr_text(e, "addr", ep, sizeof(ep))))
		return;
	s = fd_find(g, e->tgid, fd);
	snprintf(name, sizeof(name), "socket %s %s", !strcmp(sig->name, "bind") ? "bound to" :
		 accepted ? "accepted from" : "connected to", ep);
	int file = file_of(g, name, strlen(name));
	if (file >= 0)
		fd_set_file(g, e->tgid, fd, file, s ? s->cloexec : false);
}

/* Files merged into another by rename_file have no name: nothing to show. */
static void merge_into(struct file *to, struct file *from)
{
	to->bytes_read += from->bytes_read;
	to->bytes_written += from->bytes_written;
	to->errors += from->errors;
	to->calls += from->calls;
	if (from->first_ns && (!to->first_ns || from->first_ns < to->first_ns))
		to->first_ns = from->first_ns;
	if (from->last_ns > to->last_ns)
		to->last_ns = from->last_ns;
	for (unsigned i = 0; i < from->nops; i++)
		for (uint64_t k = 0; k < from->ops[i].n; k++)
			count_op(to, from->ops[i].name);
	for (unsigned i = 0; i < from->nopeners && to->nopeners < MAX_OPENERS; i++)
		to->openers[to->nopeners++] = from->openers[i];
}

/*
 * A socket's block takes a better name (the address the kernel gave a
 * bind to port 0): the same block under the new name, or, if a block has
 * that name already, merged into it with every descriptor on it.
 */
static void rename_file(struct hst_group *g, unsigned file, const char *name)
{
	int other = file_of(g, name, strlen(name));
	char *copy;

	if (other < 0 || (unsigned)other == file)
		return;
	/* file_of made a new block for the name: give it this one's place. */
	if ((unsigned)other == g->nfiles - 1 && !g->files[other].calls && !g->files[other].nopeners) {
		copy = g->files[other].name;
		g->nfiles--;
		free(g->files[file].name);
		g->files[file].name = copy;
		return;
	}
	merge_into(&g->files[other], &g->files[file]);
	free(g->files[file].name);
	g->files[file].name = NULL;
	memset(&g->files[file], 0, sizeof(g->files[file]));
	for (unsigned i = 0; i < g->nfds; i++)
		if (g->fds[i].file == file)
			g->fds[i].file = (unsigned)other;
}

/*
 * getsockname and getpeername tell what the trace did not: the address a
 * bind to port 0 (or to any address) really got, the local end of a
 * connected socket, the peer of a socket whose connect or accept went
 * untraced.
 */
static void learn_address(struct hst_group *g, const struct hst_drec *e, const struct hst_drec *x,
			  const struct hst_syscall_sig *sig)
{
	struct fd_slot *s = fd_find(g, e->tgid, (int)e->args[0]);
	char ep[160], name[400];
	const char *now;
	bool local = !strcmp(sig->name, "getsockname");

	if (!s || !sockaddr_text(x, "addr", ep, sizeof(ep)) || !g->files[s->file].name)
		return;
	now = g->files[s->file].name;
	if (local && (!strncmp(now, "socket bound to ", 16) || !strncmp(now, "socket (", 8)))
		snprintf(name, sizeof(name), "socket bound to %s", ep);
	else if (local && !strncmp(now, "socket connected to ", 20) && !strstr(now, " from "))
		snprintf(name, sizeof(name), "%s from %s", now, ep);
	else if (!local && !strncmp(now, "socket (", 8))
		snprintf(name, sizeof(name), "socket connected to %s", ep);
	else
		return;
	rename_file(g, s->file, name);
}

static bool is(const struct hst_syscall_sig *sig, const char *name)
{
	return strcmp(sig->name, name) == 0;
}

static bool is_read(const struct hst_syscall_sig *sig)
{
	return is(sig, "read") || is(sig, "pread64") || is(sig, "readv") || is(sig, "preadv") ||
	       is(sig, "preadv2") || is(sig, "recvfrom") || is(sig, "recvmsg");
}

static bool is_write(const struct hst_syscall_sig *sig)
{
	return is(sig, "write") || is(sig, "pwrite64") || is(sig, "writev") || is(sig, "pwritev") ||
	       is(sig, "pwritev2") || is(sig, "sendto") || is(sig, "sendmsg");
}

/* Descriptors a successful call creates, copies or ends. */
static void follow_fds(struct hst_group *g, const struct hst_drec *e, const struct hst_drec *x,
		       const struct hst_syscall_sig *sig, int file)
{
	int64_t r = x->rval;

	if (is(sig, "close")) {
		fd_drop(g, e->tgid, (int)e->args[0], (int)e->args[0], false);
	} else if (is(sig, "close_range")) {
		fd_drop(g, e->tgid, (int)e->args[0], (int)(e->args[1] > 1u << 30 ? 1 << 30 : e->args[1]), false);
	} else if (is(sig, "dup") || (is(sig, "fcntl") && (e->args[1] == F_DUPFD || e->args[1] == F_DUPFD_CLOEXEC))) {
		fd_set_file(g, e->tgid, (int)r, file, is(sig, "fcntl") && e->args[1] == F_DUPFD_CLOEXEC);
	} else if (is(sig, "dup2") || is(sig, "dup3")) {
		fd_set_file(g, e->tgid, (int)e->args[1], file, is(sig, "dup3") && (e->args[2] & O_CLOEXEC));
	} else if (is(sig, "fcntl") && e->args[1] == F_SETFD) {
		struct fd_slot *s = fd_find(g, e->tgid, (int)e->args[0]);
		if (s)
			s->cloexec = e->args[2] & FD_CLOEXEC;
	} else if (hst_calls_is_exec(e)) {
		fd_drop(g, e->tgid, 0, 1 << 30, true);
	} else if ((is(sig, "fork") || is(sig, "vfork") || is(sig, "clone") || is(sig, "clone3")) && r > 0 &&
		   !(is(sig, "clone") && (e->args[0] & CLONE_THREAD))) {
		fd_copy_table(g, e->tgid, (pid_t)r);
	}
}

static void on_call(void *arg, const struct hst_drec *e, const struct hst_drec *x)
{
	struct hst_group *g = arg;
	const struct hst_syscall_sig *sig = hst_record_sig(e->nr, e->flags);
	bool failed = x && ((x->flags & HST_RAWF_ERROR) || x->rval < 0);
	int fd_arg, file;

	if (!sig || !x)
		return;
	file = call_file(g, e, sig, &fd_arg);
	if (!failed && sig->ret == HST_R_FD && x->rval >= 0) {
		/* open, openat, creat, socket, accept, ...: a new descriptor. */
		const struct hst_dval *p = path_val(e, "pathname");
		char name[64];
		uint64_t flags = 0;
		int flags_arg = hst_arg_index(e->nr, e->flags, "flags");
		if (p) {
			file = file_of(g, hst_drec_blob(e) + p->off, p->len);
		} else if (file < 0) {
			int n = snprintf(name, sizeof(name), "%s (%s[%d] fd %" PRId64 ")", sig->name, "pid", e->tgid,
					 x->rval);
			file = file_of(g, name, (size_t)n);
		}
		if (flags_arg >= 0)
			flags = e->args[flags_arg];
		else if (is(sig, "creat"))
			flags = O_CREAT | O_WRONLY | O_TRUNC;
		if (file >= 0) {
			if (p)
				note_opener(g, &g->files[file], e, flags);
			fd_set_file(g, e->tgid, (int)x->rval, file, (flags & O_CLOEXEC) != 0);
		}
	}
	if (!failed)
		follow_fds(g, e, x, sig, file);
	if (!failed && (is(sig, "connect") || is(sig, "bind") || is(sig, "accept") || is(sig, "accept4"))) {
		int fd_now;
		name_socket(g, e, x, sig);
		file = call_file(g, e, sig, &fd_now);
		if (is(sig, "accept") || is(sig, "accept4")) {
			struct fd_slot *s = fd_find(g, e->tgid, (int)x->rval);
			file = s ? (int)s->file : file;
		}
	}
	if (!failed && (is(sig, "getsockname") || is(sig, "getpeername"))) {
		int fd_now;
		learn_address(g, e, x, sig);
		file = call_file(g, e, sig, &fd_now);
	}
	if (file < 0)
		return;
	struct file *f = &g->files[file];
	if (!f->first_ns)
		f->first_ns = e->ts_ns;
	f->last_ns = x->ts_ns;
	f->calls++;
	if (failed)
		f->errors++;
	else if (is_read(sig))
		f->bytes_read += (uint64_t)x->rval;
	else if (is_write(sig))
		f->bytes_written += (uint64_t)x->rval;
	count_op(f, sig->name);
}

static void on_other(void *arg, const struct hst_drec *d)
{
	struct hst_group *g = arg;

	/* A process that is gone takes its descriptors with it. */
	if ((d->kind == HST_RAW_EXITED || d->kind == HST_RAW_KILLED) && d->tid == d->tgid &&
	    !hst_raw_superseded(d->kind, d->nr))
		fd_drop(g, d->tgid, 0, 1 << 30, false);
}

static const struct hst_calls_ops group_ops = { on_call, on_other };

/* --- the report ----------------------------------------------------------- */

static void put_time(struct hst_group *g, struct hst_out *o, uint64_t ns)
{
	/* Wrapping sum (a log's times may be any u64); the second the time
	 * fell in, rounded down also before 1970, as render_text.c's -tt. */
	int64_t real = (int64_t)(ns + (uint64_t)g->cfg.clock_offset_ns);
	int64_t rem = real % 1000000000;
	time_t sec = (time_t)(real / 1000000000 - (rem < 0));
	struct tm tm;
	char buf[32];

	if (!localtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	hst_out_printf(o, "%s.%06ld", buf, (long)((rem < 0 ? rem + 1000000000 : rem) / 1000));
}

static int by_bytes(const void *a, const void *b)
{
	const struct file *x = a, *y = b;
	uint64_t bx = x->bytes_read + x->bytes_written, by = y->bytes_read + y->bytes_written;

	if (bx != by)
		return bx > by ? -1 : 1;
	return x->calls > y->calls ? -1 : x->calls < y->calls;
}

void hst_group_record(struct hst_group *g, const struct hst_drec *d, struct hst_out *o)
{
	(void)o;
	hst_calls_record(&g->calls, d);
}

void hst_group_finish(struct hst_group *g, struct hst_out *o)
{
	hst_calls_finish(&g->calls);
	if (g->nfiles) /* files is NULL then, which qsort may not be given */
		qsort(g->files, g->nfiles, sizeof(*g->files), by_bytes);
	for (unsigned i = 0; i < g->nfiles; i++) {
		struct file *f = &g->files[i];
		if (!f->name)
			continue; /* merged into another (rename_file) */
		hst_out_quote(o, f->name, strlen(f->name));
		hst_out_put(o, "\n", 1);
		for (unsigned k = 0; k < f->nopeners; k++)
			put_opener(o, &f->openers[k]);
		hst_out_printf(o, "  read %" PRIu64 " bytes, wrote %" PRIu64 " bytes, %" PRIu64 " calls, %" PRIu64
			       " failed\n", f->bytes_read, f->bytes_written, f->calls, f->errors);
		hst_out_puts(o, "  calls:");
		for (unsigned k = 0; k < f->nops; k++)
			hst_out_printf(o, " %s %" PRIu64, f->ops[k].name, f->ops[k].n);
		hst_out_puts(o, "\n  first ");
		put_time(g, o, f->first_ns);
		hst_out_puts(o, ", last ");
		put_time(g, o, f->last_ns);
		hst_out_put(o, "\n", 1);
	}
}

int hst_group_new(struct hst_group **out, const struct hst_text_config *cfg)
{
	struct hst_group *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->cfg = *cfg;
	if (hst_calls_init(&g->calls, &group_ops, g) < 0) {
		free(g);
		return -ENOMEM;
	}
	*out = g;
	return 0;
}

void hst_group_free(struct hst_group *g)
{
	if (!g)
		return;
	hst_calls_free(&g->calls);
	for (unsigned i = 0; i < g->nfiles; i++)
		free(g->files[i].name);
	free(g->files);
	free(g->fds);
	free(g);
}
