/*
 * Human mode and modes.
 *
 *   - modes: the rules of data/modes.tbl through src/decode/modes.c, on
 *     decoded records built here by hand (so every rule is tested without
 *     doing anything dangerous), and the tables' references checked
 *     against the signature table.
 *   - cli: `hstrace --human` on the helper (tests/helper.c) and on cat,
 *     live and from a recorded log, comparing the sentences with the ones
 *     the helper's calls must give.
 *   - lib: hstrace_call_t.mode and HSTRACE_FMT_HUMAN through the API.
 *
 * Links the internal static library (for hst_mode_of) and runs the CLI
 * and helper meson names in HSTRACE_BIN and HSTRACE_HELPER.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hstrace/hstrace.h>

#include "core/systable.h"
#include "decode/modes.h"
#include "sink/render.h"
#include "testutil.h"

static void suite_init(void)
{
	tu_suite_init("/tmp/hst_human_XXXXXX");
}

TestSuite(human, .init = suite_init, .fini = tu_suite_fini, .timeout = 120);

/* ------------------------------------------------------------------------
 * Decoded records by hand: an entry record with its argument registers and
 * the typed values the rules look at.
 */

#define SELF 4242

struct rec {
	struct hst_drec h;
	struct hst_dval v[6];
	char blob[1024];
};

static struct rec *entry(const char *sys, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	static struct rec r;
	long nr = hst_syscall_lookup(sys);

	cr_assert_geq(nr, 0, "no syscall %s", sys);
	memset(&r, 0, sizeof(r));
	r.h.size = sizeof(r);
	r.h.kind = HST_RAW_SYSCALL_ENTRY;
	r.h.tid = r.h.tgid = SELF;
	r.h.nr = (int32_t)nr;
	r.h.args[0] = a0;
	r.h.args[1] = a1;
	r.h.args[2] = a2;
	r.h.args[3] = a3;
	r.h.blob_off = offsetof(struct rec, blob);
	return &r;
}

static struct hst_dval *add_val(struct rec *r, const char *arg, unsigned type)
{
	int i = hst_arg_index(r->h.nr, 0, arg);
	struct hst_dval *v = &r->v[r->h.nvals++];

	cr_assert_geq(i, 0, "no argument %s", arg);
	v->type = (uint8_t)type;
	v->arg = (uint8_t)i;
	v->off = r->h.blob_len;
	r->h.args[i] = 0x7ffd0000;
	return v;
}

static struct rec *with_path(struct rec *r, const char *arg, const char *path)
{
	struct hst_dval *v = add_val(r, arg, HST_A_PATH);

	v->len = (uint32_t)strlen(path);
	memcpy(r->blob + r->h.blob_len, path, v->len);
	r->h.blob_len += (v->len + 7) & ~7u;
	return r;
}

/* An IN value of one piece, as decode.c lays it out. */
static struct rec *with_sockaddr(struct rec *r, const char *arg, const void *sa, uint32_t len)
{
	struct hst_dval *v = add_val(r, arg, HST_A_IN);
	uint32_t hdr[2] = { len, 0 };
	uint64_t addr = 0x7ffd0000;
	char *p = r->blob + r->h.blob_len;

	memcpy(p, hdr, 8);
	memcpy(p + 8, &addr, 8);
	memcpy(p + 16, sa, len);
	v->len = 1;
	r->h.blob_len += 16 + ((len + 7) & ~7u);
	return r;
}

static enum hst_mode mode(struct rec *r)
{
	return hst_mode_of(&r->h, NULL);
}

static struct rec *inet(const char *ip)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(80) };

	inet_pton(AF_INET, ip, &in.sin_addr);
	return with_sockaddr(entry("connect", 3, 0, sizeof(in), 0), "addr", &in, sizeof(in));
}

static struct rec *inet6(const char *ip)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };

	inet_pton(AF_INET6, ip, &in6.sin6_addr);
	return with_sockaddr(entry("connect", 3, 0, sizeof(in6), 0), "addr", &in6, sizeof(in6));
}

/* ------------------------------------------------------------------------
 * Modes
 */

Test(human, modes_tables_resolve)
{
	char msg[256] = "";

	cr_assert_eq(hst_modes_verify(msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(hst_human_verify(msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_str_eq(hst_mode_name(HST_MODE_INFO), "info");
	cr_assert_str_eq(hstrace_mode_name(HSTRACE_MODE_WARNING), "warning");
	cr_assert_str_eq(hstrace_mode_name(HSTRACE_MODE_DANGER), "danger");
	cr_assert_null(hstrace_mode_name(3));
}

#define OPENAT(path, flags) with_path(entry("openat", (uint64_t)AT_FDCWD, 0, (flags), 0), "pathname", path)

Test(human, modes_open_for_writing)
{
	cr_assert_eq(mode(OPENAT("/etc/passwd", O_RDONLY)), HST_MODE_INFO);
	cr_assert_eq(mode(OPENAT("/etc/passwd", O_RDONLY | O_CLOEXEC)), HST_MODE_INFO);
	cr_assert_eq(mode(OPENAT("/etc/passwd", O_WRONLY)), HST_MODE_DANGER);
	cr_assert_eq(mode(OPENAT("/etc/shadow", O_RDWR)), HST_MODE_DANGER);
	cr_assert_eq(mode(OPENAT("/boot/grub/grub.cfg", O_WRONLY | O_TRUNC)), HST_MODE_DANGER);
	cr_assert_eq(mode(OPENAT("/root/.bashrc", O_WRONLY | O_APPEND)), HST_MODE_DANGER);
	cr_assert_eq(mode(OPENAT("/home/u/.ssh/authorized_keys", O_WRONLY | O_APPEND)), HST_MODE_DANGER);
	cr_assert_eq(mode(OPENAT("/etc", O_RDWR)), HST_MODE_DANGER, "the directory itself");
	cr_assert_eq(mode(OPENAT("/etcetera/x", O_WRONLY)), HST_MODE_INFO, "a prefix is a directory");
	cr_assert_eq(mode(OPENAT("/tmp/../etc/x", O_CREAT | O_WRONLY)), HST_MODE_DANGER, "'..' folded");
	cr_assert_eq(mode(OPENAT("//etc/./x", O_WRONLY)), HST_MODE_DANGER, "'//' and '.' folded");
	cr_assert_eq(mode(OPENAT("etc/x", O_WRONLY)), HST_MODE_INFO, "relative paths match no prefix");
	cr_assert_eq(mode(OPENAT("/tmp/x", O_WRONLY | O_CREAT)), HST_MODE_INFO);
	cr_assert_eq(mode(with_path(entry("creat", 0, 0644, 0, 0), "pathname", "/etc/cron.d/x")), HST_MODE_DANGER);
	/* No typed value (an unreadable path): no prefix rule can match. */
	cr_assert_eq(mode(entry("openat", (uint64_t)AT_FDCWD, 0x1000, O_WRONLY, 0)), HST_MODE_INFO);
}

Test(human, modes_exec_from_world_writable)
{
	cr_assert_eq(mode(with_path(entry("execve", 0, 0, 0, 0), "pathname", "/tmp/x")), HST_MODE_DANGER);
	cr_assert_eq(mode(with_path(entry("execve", 0, 0, 0, 0), "pathname", "/dev/shm/y")), HST_MODE_DANGER);
	cr_assert_eq(mode(with_path(entry("execve", 0, 0, 0, 0), "pathname", "/var/tmp/z")), HST_MODE_DANGER);
	cr_assert_eq(mode(with_path(entry("execve", 0, 0, 0, 0), "pathname", "/usr/bin/ls")), HST_MODE_INFO);
	cr_assert_eq(mode(with_path(entry("execve", 0, 0, 0, 0), "pathname", "/tmpfoo/ls")), HST_MODE_INFO);
}

Test(human, modes_processes_credentials_kernel)
{
	cr_assert_eq(mode(entry("ptrace", 0 /* PTRACE_TRACEME */, 0, 0, 0)), HST_MODE_INFO);
	cr_assert_eq(mode(entry("ptrace", 16 /* PTRACE_ATTACH */, 77, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("setuid", 0, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("setuid", 1000, 0, 0, 0)), HST_MODE_WARNING);
	cr_assert_eq(mode(entry("setgid", 0, 0, 0, 0)), HST_MODE_WARNING);
	cr_assert_eq(mode(entry("setresuid", (uint32_t)-1, 0, (uint32_t)-1, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("setresuid", 1000, 1000, 1000, 0)), HST_MODE_WARNING);
	cr_assert_eq(mode(entry("setreuid", 1000, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("init_module", 0, 100, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("finit_module", 3, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("delete_module", 0, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("mount", 0, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("umount2", 0, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("reboot", 0, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("kexec_load", 0, 0, 0, 0)), HST_MODE_DANGER);
	cr_assert_eq(mode(entry("kill", SELF, SIGTERM, 0, 0)), HST_MODE_INFO, "signal to itself");
	cr_assert_eq(mode(entry("kill", 77, SIGTERM, 0, 0)), HST_MODE_WARNING);
	cr_assert_eq(mode(entry("kill", 77, 0, 0, 0)), HST_MODE_INFO, "signal 0 only probes");
	cr_assert_eq(mode(entry("tgkill", SELF, SELF, SIGUSR1, 0)), HST_MODE_INFO);
	cr_assert_eq(mode(entry("getpid", 0, 0, 0, 0)), HST_MODE_INFO);
}

Test(human, modes_files_and_network)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/run/x.sock" };

	cr_assert_eq(mode(with_path(entry("chmod", 0, 0644, 0, 0), "pathname", "/x")), HST_MODE_INFO);
	cr_assert_eq(mode(with_path(entry("chmod", 0, 0666, 0, 0), "pathname", "/x")), HST_MODE_WARNING);
	cr_assert_eq(mode(entry("fchmod", 3, 0777, 0, 0)), HST_MODE_WARNING);
	cr_assert_eq(mode(with_path(entry("fchmodat", (uint64_t)AT_FDCWD, 0, 01777, 0), "pathname", "x")),
		     HST_MODE_WARNING);
	cr_assert_eq(mode(with_path(entry("unlink", 0, 0, 0, 0), "pathname", "/home/u/notes")), HST_MODE_WARNING);
	cr_assert_eq(mode(with_path(entry("unlink", 0, 0, 0, 0), "pathname", "/tmp/scratch")), HST_MODE_INFO);
	cr_assert_eq(mode(with_path(entry("unlink", 0, 0, 0, 0), "pathname", "notes")), HST_MODE_INFO);
	cr_assert_eq(mode(with_path(entry("rmdir", 0, 0, 0, 0), "pathname", "/srv/data")), HST_MODE_WARNING);
	cr_assert_eq(mode(with_path(entry("rename", 0, 0, 0, 0), "oldpath", "/etc/hosts")), HST_MODE_WARNING);
	cr_assert_eq(mode(inet("127.0.0.1")), HST_MODE_INFO);
	cr_assert_eq(mode(inet("10.1.2.3")), HST_MODE_WARNING);
	cr_assert_eq(mode(inet6("::1")), HST_MODE_INFO);
	cr_assert_eq(mode(inet6("::ffff:127.0.0.1")), HST_MODE_INFO);
	cr_assert_eq(mode(inet6("2001:db8::1")), HST_MODE_WARNING);
	cr_assert_eq(mode(with_sockaddr(entry("connect", 3, 0, sizeof(un), 0), "addr", &un, sizeof(un))),
		     HST_MODE_INFO);
	/* The argument not decoded yet (a row typed "ptr"): no address, info. */
	cr_assert_eq(mode(entry("connect", 3, 0x7ffd0000, 16, 0)), HST_MODE_INFO);
}

Test(human, modes_only_syscalls)
{
	struct rec *r = OPENAT("/etc/passwd", O_WRONLY);

	r->h.kind = HST_RAW_SIGNAL;
	cr_assert_eq(mode(r), HST_MODE_INFO);
	cr_assert_eq(hst_mode_of(NULL, NULL), HST_MODE_INFO);
}

/* ------------------------------------------------------------------------
 * The CLI
 */

static struct result run(char *const argv[])
{
	struct result r = run_capture(argv, NULL, -1);
	return r;
}

/* The helper's pid, from its "pid P" line. */
static int helper_pid(const struct result *r)
{
	int pid = 0;

	cr_assert(sscanf(r->out, "pid %d", &pid) == 1, "helper said '%s'", r->out);
	return pid;
}

static void assert_has(const char *text, const char *line)
{
	cr_assert_not_null(strstr(text, line), "missing\n  %s\nin\n%s", line, text);
}

/* The sentences of `helper files DIR` for pid, one by one. */
static void assert_files_sentences(const char *text, int pid, const char *exe)
{
	const char *who = fmt("helper[%d] ", pid);

	/* A build under /tmp (a CI clone) runs the helper from /tmp: danger. */
	bool from_tmp = starts_with(exe, "/tmp/") || starts_with(exe, "/var/tmp/") ||
			starts_with(exe, "/dev/shm/");
	assert_has(text, fmt("%s%sstarted %s files %s\n", from_tmp ? "[DANGER] " : "", who, exe, tmpdir));
	assert_has(text, fmt("%swrote %d bytes to fd 1\n", who, (int)strlen(fmt("pid %d\n", pid))));
	assert_has(text, fmt("%sopened %s/a for writing (create, truncate) -> fd ", who, tmpdir));
	assert_has(text, fmt("%swrote 30 bytes to fd ", who));
	assert_has(text, fmt("%swrote 40 bytes to fd ", who));
	assert_has(text, fmt("%sopened %s/a for reading -> fd ", who, tmpdir));
	assert_has(text, fmt("%sread 73 bytes from fd ", who));
	assert_has(text, fmt("%sread 0 bytes from fd ", who));
	assert_has(text, fmt("%sclosed fd ", who));
	assert_has(text, fmt("%sfailed to close fd 99: bad file descriptor\n", who));
	assert_has(text, fmt("%sends with status 7\n", who));
	assert_has(text, fmt("%sexited with 7\n", who));
	const char *danger = strstr(text, "[DANGER]");
	if (from_tmp && danger)
		danger = strstr(danger + 1, "[DANGER]");
	cr_assert_null(danger, "nothing (else) dangerous in\n%s", text);
	cr_assert_null(strstr(text, "\033["), "no colour to a file by default");
}

Test(human, files_live)
{
	char *out = tpath("human.txt");
	struct result r = run(ARGV((char *)hstrace_bin(), "--human", "-o", out, "--", HELPER, "files", tmpdir));

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7, "%s: %s", describe_status(r.status), r.err);
	assert_files_sentences(slurp(out, NULL), helper_pid(&r), helper_bin());
}

Test(human, files_from_log)
{
	char *log = tpath("trace.bin"), *out = tpath("human.txt");
	struct result r = run(ARGV((char *)hstrace_bin(), "-q", "--out", log, "--", HELPER, "files", tmpdir));
	struct result r2;

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7, "%s: %s", describe_status(r.status), r.err);
	r2 = run(ARGV((char *)hstrace_bin(), "-m", "human", "--read", log, "-o", out));
	cr_assert(WIFEXITED(r2.status) && WEXITSTATUS(r2.status) == 0, "%s: %s", describe_status(r2.status), r2.err);
	assert_files_sentences(slurp(out, NULL), helper_pid(&r), helper_bin());
}

Test(human, open_failure)
{
	char *out = tpath("human.txt");
	struct result r = run(ARGV((char *)hstrace_bin(), "--human", "-o", out, "--", "/bin/cat", "/nonexistent/x"));
	char *text = slurp(out, NULL);

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1, "%s: %s", describe_status(r.status), r.err);
	cr_assert(starts_with(text, "cat["), "the first sentence names cat: %s", text);
	assert_has(text, "] failed to open /nonexistent/x for reading: no such file or directory\n");
	assert_has(text, "] exited with 1\n");
}

/* The helper copied under /tmp: executing it is dangerous. */
static char *helper_in_tmp(void)
{
	size_t len;
	char *bytes = slurp(helper_bin(), &len);
	char *copy = tpath("helper");

	write_file(copy, bytes, len);
	cr_assert_eq(chmod(copy, 0755), 0);
	return copy;
}

Test(human, danger_with_colour)
{
	char *exe = helper_in_tmp(), *out = tpath("human.txt");
	struct result r = run(ARGV((char *)hstrace_bin(), "--human", "--color=always", "-o", out, "--", exe, "count", "1"));
	char *text = slurp(out, NULL);

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s: %s", describe_status(r.status), r.err);
	cr_assert(starts_with(text, "\033[1;31m[DANGER]\033[0m helper["), "first line: %s", text);
	assert_has(text, fmt("\033[1mstarted\033[0m \033[32m%s\033[0m count 1\n", exe));
	assert_has(text, "\033[1mcalled\033[0m getppid() -> ");
}

Test(human, mode_option)
{
	struct result r = run(ARGV((char *)hstrace_bin(), "-m", "fancy", "--", HELPER, "count", "1"));

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	assert_has(r.err, "-m takes text, human, json or perfetto, not 'fancy'");
}

/* ------------------------------------------------------------------------
 * The library
 */

Test(human, library_mode_and_format)
{
	char *exe = helper_in_tmp(), *out = tpath("lib.txt");
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	hstrace_t *t = hstrace_new();
	const hstrace_call_t *c;
	int danger = 0, info = 0, err;

	cr_assert(fd >= 0 && t);
	cr_assert_eq(hstrace_program(t, exe), 0);
	cr_assert_eq(hstrace_arg(t, "count"), 0);
	cr_assert_eq(hstrace_arg(t, "3"), 0);
	cr_assert_eq(hstrace_output(t, HSTRACE_FMT_HUMAN, fd, 0), 0);
	err = hstrace_start(t);
	cr_assert_eq(err, 0, "hstrace_start: %s", hstrace_strerror(err));
	while ((c = hstrace_next(t)) != NULL) {
		if (c->kind == HSTRACE_EV_SYSCALL && c->syscall == HSTRACE_SYS_execve) {
			cr_assert_eq(c->mode, HSTRACE_MODE_DANGER, "execve of %s", exe);
			danger++;
		} else {
			cr_assert_eq(c->mode, HSTRACE_MODE_INFO, "%s is %s", c->name, hstrace_mode_name(c->mode));
			info++;
		}
	}
	cr_assert_eq(hstrace_wait(t), 0);
	hstrace_free(t);
	close(fd);
	cr_assert_eq(danger, 1);
	cr_assert_geq(info, 4);
	char *text = slurp(out, NULL);
	cr_assert(starts_with(text, "[DANGER] helper["), "%s", text);
	assert_has(text, "] called getppid() -> ");
	assert_has(text, "] exited with 0\n");
}
