/*
 * hstrace: the command line, a thin layer over the public library API.
 * It includes only <hstrace/hstrace.h>: anything it needs that the library
 * lacks belongs in the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hstrace/hstrace.h>

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
	const char *text_file;   /* -o */
	const char *log_file;    /* --out */
	const char *read_file;   /* --read */
	pid_t pids[64];
	unsigned npids;
	bool follow;
	unsigned quiet;          /* -q: attach messages, -qqq: also -P's resolution */
	bool no_pin;
	bool verbose;
	unsigned hex;            /* -x: 1, -xx: 2 */
	bool fd_paths;           /* -y */
	bool human;              /* --human, -m human */
	bool json;               /* --json, -m json */
	bool perfetto;           /* --format=perfetto, -m perfetto */
	bool group;              /* --group, -g */
	const char *filters[64]; /* -e, -z, -Z */
	bool filter_owned[64];   /* filters[i] was allocated here (-P), freed once given */
	unsigned nfilters;
	unsigned summary;        /* -c: 1 (summary only), -C: 2 (and the trace) */
	bool summary_per_pid;    /* --summary-per-pid */
	const char *sort_by;     /* -S */
	bool no_seccomp;
	unsigned timestamps;     /* -t, -tt, -ttt */
	bool relative;           /* -r */
	bool durations;          /* -T */
	long spin_us;
	unsigned workers;
	long ring_size;
	long strsize;
	enum color_mode color;
	char **argv;             /* the command */
};

static hstrace_t *g_trace;
static volatile sig_atomic_t g_interrupted;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hstrace [OPTIONS] [--] COMMAND [ARGS...]\n"
		"       hstrace [OPTIONS] -p PID [-p PID...]\n"
		"       hstrace [OPTIONS] --read LOG\n"
		"\n"
		"Trace the system calls of COMMAND and everything it starts, or of running\n"
		"processes, and print them in strace's format (or as sentences: --human).\n"
		"\n"
		"  -o FILE            write the text trace to FILE instead of stderr\n"
		"      --out LOG      record a binary log to LOG (no text unless -o is given)\n"
		"      --read LOG     render a recorded log instead of tracing\n"
		"  -p PID             attach to every thread of process PID (repeatable);\n"
		"                     Ctrl-C detaches and leaves it running\n"
		"  -f                 follow forks, vforks and threads (the default)\n"
		"      --no-follow    trace only the first process\n"
		"  -s N               show at most N bytes of strings and buffers (default 32)\n"
		"  -v                 print structs and arrays whole (strace -v)\n"
		"  -x                 print strings with non-ASCII bytes in hex (\\x1b)\n"
		"  -xx                print all strings in hex\n"
		"  -y                 print what file descriptors name: 3</etc/passwd>,\n"
		"                     4<socket:[1234]>; with --out, recorded in the log\n"
		"                     (then --read LOG -y shows them)\n"
		"      --human        one plain sentence per call, with its outcome, and\n"
		"                     [DANGER] or [warn] before risky ones (see data/modes.tbl)\n"
		"      --json         JSON Lines: one object per call, signal and exit\n"
		"  -m MODE            output mode: text (strace's format, the default), human,\n"
		"                     json, or perfetto (Chrome trace-event JSON for\n"
		"                     ui.perfetto.dev; also --format=MODE)\n"
		"  -e EXPR            filter, as strace: trace=SET (names, %%groups, /regex,\n"
		"                     !negation, ?optional), status=SET, signal=SET; a bare\n"
		"                     SET is trace=SET.  Repeatable.  --list-groups shows\n"
		"                     the groups\n"
		"  -z, -Z             only successful (-z) or failed (-Z) calls\n"
		"  -P PATH            only calls with PATH as a path argument (repeatable)\n"
		"  -g, --group        at the end, one block per file and socket: who opened\n"
		"                     it, bytes read and written, calls, errors, times\n"
		"      --no-seccomp   with a trace= filter, still stop at every syscall\n"
		"                     (by default a launched COMMAND stops only at the\n"
		"                     selected ones, through seccomp-bpf)\n"
		"  -c                 count calls, errors and time per syscall; print the\n"
		"                     table at the end instead of the trace\n"
		"  -C                 like -c, after the trace\n"
		"      --summary-per-pid  with -c or -C, a table per process (\"PID 1234\n"
		"                     (name)\") before the total one\n"
		"  -S SORTBY          sort the -c table by time (default), calls, errors,\n"
		"                     name or nothing\n"
		"  -w                 accepted for strace compatibility: -c always measures\n"
		"                     the time from each call's entry to its exit\n"
		"  -t, -tt, -ttt      time of day before each line (-tt: with microseconds;\n"
		"                     -ttt: seconds since the epoch)\n"
		"  -r                 time since the previous line before each line\n"
		"  -T                 time spent in each call after it: <0.000012>\n"
		"      --color=WHEN   colour the text: auto (default: on a terminal, unless\n"
		"                     NO_COLOR is set), always, never\n"
		"      --workers N    decode threads (default 1)\n"
		"      --ring-size N  bytes of the capture ring (default 16M; K, M, G suffixes)\n"
		"      --no-pin       leave COMMAND and hstrace's threads where the kernel puts them\n"
		"      --spin USEC    poll for the next stop this long before sleeping\n"
		"                     (default 0: always sleep).  Needs 2+ CPUs and pinning:\n"
		"                     COMMAND then runs off the ptrace thread's CPU\n"
		"  -q                 do not print attach/detach messages (-qqq: nor -P's resolution)\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n"
		"\n"
		"hstrace exits with COMMAND's exit status.\n");
}

/* --list-groups: every -e trace=%GROUP with its syscalls. */
static void list_groups(void)
{
	const char *name;

	for (unsigned g = 0; (name = hstrace_group_name(g)); g++) {
		printf("%%%s:", name);
		for (int nr = 0; nr < 1024; nr++)
			if (hstrace_group_has(g, nr))
				printf(" %s", hstrace_syscall_name(nr));
		printf("\n");
	}
	/* The categories of the decoding rows work as groups too, where no
	 * strace group has their name (%time, %system, %other). */
	for (int cat = 0; (name = hstrace_category_name((hstrace_category_t)cat)); cat++) {
		bool group = false;
		for (unsigned g = 0; hstrace_group_name(g) && !group; g++)
			group = !strcmp(hstrace_group_name(g), name);
		if (group)
			continue;
		printf("%%%s:", name);
		for (int nr = 0; nr < 1024; nr++)
			if (hstrace_syscall_name(nr) && hstrace_syscall_category(nr) == cat)
				printf(" %s", hstrace_syscall_name(nr));
		printf("\n");
	}
}

static long parse_number(const char *s, const char *what, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end != s && *end && strchr("kKmMgG", *end) && !end[1]) {
		int shift = (*end | 32) == 'k' ? 10 : (*end | 32) == 'm' ? 20 : 30;
		if (v <= (LONG_MAX >> shift))
			v <<= shift;
		end++;
	}
	if (errno || end == s || *end || v < 0 || v > max) {
		fprintf(stderr, "hstrace: invalid %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

enum { OPT_OUT = 256, OPT_READ, OPT_NO_FOLLOW, OPT_COLOR, OPT_WORKERS, OPT_RING, OPT_NO_PIN, OPT_SPIN,
       OPT_HUMAN, OPT_JSON, OPT_NO_SECCOMP, OPT_LIST_GROUPS, OPT_FORMAT, OPT_SUMMARY_PER_PID };

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, OPT_OUT },
		{ "read", required_argument, NULL, OPT_READ },
		{ "no-follow", no_argument, NULL, OPT_NO_FOLLOW },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "ring-size", required_argument, NULL, OPT_RING },
		{ "no-pin", no_argument, NULL, OPT_NO_PIN },
		{ "spin", required_argument, NULL, OPT_SPIN },
		{ "human", no_argument, NULL, OPT_HUMAN },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "group", no_argument, NULL, 'g' },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "list-groups", no_argument, NULL, OPT_LIST_GROUPS },
		{ "summary-per-pid", no_argument, NULL, OPT_SUMMARY_PER_PID },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->follow = true;
	o->strsize = -1;
	o->spin_us = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:p:fs:vqhVm:xye:zZcCS:wtTrP:g", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->text_file = optarg; break;
		case OPT_OUT: o->log_file = optarg; break;
		case OPT_READ: o->read_file = optarg; break;
		case 'p':
			if (o->npids == sizeof(o->pids) / sizeof(o->pids[0])) {
				fprintf(stderr, "hstrace: too many -p options\n");
				exit(2);
			}
			o->pids[o->npids++] = (pid_t)parse_number(optarg, "pid", INT_MAX);
			break;
		case 'f': o->follow = true; break;
		case OPT_NO_FOLLOW: o->follow = false; break;
		case OPT_NO_PIN: o->no_pin = true; break;
		case OPT_SPIN: o->spin_us = parse_number(optarg, "spin time (--spin, microseconds)", 1000000); break;
		case 'v': o->verbose = true; break;
		case 'x': o->hex += o->hex < 2; break;
		case 'y': o->fd_paths = true; break;
		case OPT_HUMAN: o->human = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_NO_SECCOMP: o->no_seccomp = true; break;
		case OPT_LIST_GROUPS: list_groups(); exit(0);
		case 'e':
		case 'z':
		case 'Z':
			if (o->nfilters == sizeof(o->filters) / sizeof(o->filters[0])) {
				fprintf(stderr, "hstrace: too many -e options\n");
				exit(2);
			}
			o->filters[o->nfilters++] = c == 'e' ? optarg : c == 'z' ? "status=successful" :
						    "status=failed";
			break;
		case 'P':
			if (o->nfilters == sizeof(o->filters) / sizeof(o->filters[0])) {
				fprintf(stderr, "hstrace: too many -e/-P options\n");
				exit(2);
			}
			char *path = malloc(strlen(optarg) + 6);
			if (!path) {
				fprintf(stderr, "hstrace: out of memory\n");
				exit(1);
			}
			o->filter_owned[o->nfilters] = true;
			o->filters[o->nfilters++] = strcat(strcpy(path, "path="), optarg);
			break;
		case 'g': o->group = true; break;
		case 'c': o->summary = 1; break;
		case 'C': o->summary = 2; break;
		case OPT_SUMMARY_PER_PID: o->summary_per_pid = true; break;
		case 'S': o->sort_by = optarg; break;
		case 'w': break;
		case 't': o->timestamps += o->timestamps < 3; break;
		case 'r': o->relative = true; break;
		case 'T': o->durations = true; break;
		case 'm':
		case OPT_FORMAT:
			if (!strcmp(optarg, "human") || !strcmp(optarg, "text") || !strcmp(optarg, "json") ||
			    !strcmp(optarg, "perfetto")) {
				o->human = !strcmp(optarg, "human");
				o->json = !strcmp(optarg, "json");
				o->perfetto = !strcmp(optarg, "perfetto");
				break;
			}
			fprintf(stderr, "hstrace: -m takes text, human, json or perfetto, not '%s'\n", optarg);
			exit(2);
		case 's': o->strsize = parse_number(optarg, "string size (-s)", 65536); break;
		case 'q': o->quiet++; break;
		case OPT_WORKERS: o->workers = (unsigned)parse_number(optarg, "worker count", 64); break;
		case OPT_RING:
			o->ring_size = parse_number(optarg, "ring size", LONG_MAX);
			if (o->ring_size < (1l << 20) || o->ring_size > (1l << 30)) {
				fprintf(stderr, "hstrace: --ring-size must be from 1M to 1G, not '%s'\n", optarg);
				exit(2);
			}
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto")) o->color = COLOR_AUTO;
			else if (!strcmp(optarg, "always")) o->color = COLOR_ALWAYS;
			else if (!strcmp(optarg, "never")) o->color = COLOR_NEVER;
			else {
				fprintf(stderr, "hstrace: --color takes auto, always or never, not '%s'\n", optarg);
				exit(2);
			}
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("hstrace %s\n", HSTRACE_VERSION_STRING); exit(0);
		default:
			if (optopt >= 256)
				fprintf(stderr, "hstrace: option '%s' needs an argument (see hstrace --help)\n",
					argv[optind - 1]);
			else if (optopt && strchr("opsm", optopt))
				fprintf(stderr, "hstrace: option '-%c' needs an argument (see hstrace --help)\n", optopt);
			else if (optopt)
				fprintf(stderr, "hstrace: unknown option '-%c' (see hstrace --help)\n", optopt);
			else
				fprintf(stderr, "hstrace: unknown option '%s' (see hstrace --help)\n", argv[optind - 1]);
			exit(2);
		}
	}
	if (o->summary_per_pid && !o->summary) {
		fprintf(stderr, "hstrace: --summary-per-pid goes with -c or -C (see hstrace --help)\n");
		exit(2);
	}
	o->argv = argv + optind;
	int targets = (*o->argv != NULL) + (o->npids > 0) + (o->read_file != NULL);
	if (targets != 1) {
		fprintf(stderr, "hstrace: %s (see hstrace --help)\n",
			targets ? "give only one of a command, -p PID or --read LOG"
				: "nothing to trace: give a command, -p PID or --read LOG");
		exit(2);
	}
}

static bool want_color(enum color_mode mode, int fd)
{
	const char *no = getenv("NO_COLOR");
	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	return isatty(fd) && !(no && *no);
}

static int open_output(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "hstrace: cannot open %s %s: %s\n", what, path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void check(int err, const char *what)
{
	if (err < 0) {
		fprintf(stderr, "hstrace: %s: %s\n", what, hstrace_strerror(err));
		exit(1);
	}
}

/*
 * -P PATH that resolves to another path (a symbolic link, "..", a
 * relative path): both are matched; say which, as strace does.
 */
static void note_resolved(const char *path)
{
	char *resolved = realpath(path, NULL);

	if (resolved && strcmp(resolved, path) != 0)
		fprintf(stderr, "hstrace: -P \"%s\" resolves to \"%s\": both are matched\n", path, resolved);
	free(resolved);
}

static void configure(hstrace_t *t, const struct options *o)
{
	bool text = o->text_file || !o->log_file;
	unsigned summary_flags = o->summary_per_pid ? HSTRACE_OUT_PER_PROCESS : 0;
	int fd;

	if (o->read_file)
		check(hstrace_read_log(t, o->read_file), o->read_file);
	for (unsigned i = 0; i < o->npids; i++)
		check(hstrace_pid(t, o->pids[i]), "-p");
	if (*o->argv) {
		check(hstrace_program(t, o->argv[0]), o->argv[0]);
		for (char **a = o->argv + 1; *a; a++)
			check(hstrace_arg(t, *a), *a);
	}
	check(hstrace_follow(t, o->follow), "--no-follow");
	check(hstrace_pin(t, !o->no_pin), "--no-pin");
	if (o->spin_us >= 0)
		check(hstrace_spin(t, (unsigned)o->spin_us), "--spin");
	if (o->strsize >= 0)
		check(hstrace_string_limit(t, (unsigned)o->strsize), "-s");
	if (o->workers)
		check(hstrace_workers(t, o->workers), "--workers");
	if (o->ring_size)
		check(hstrace_ring_size(t, (size_t)o->ring_size), "--ring-size");
	check(hstrace_events(t, false), "events");
	for (unsigned i = 0; i < o->nfilters; i++) {
		if (hstrace_filter(t, o->filters[i]) < 0) {
			if (o->filter_owned[i]) /* -P PATH, given as path=PATH */
				fprintf(stderr, "hstrace: -P '%s': %s\n", o->filters[i] + 5, hstrace_filter_error(t));
			else
				fprintf(stderr, "hstrace: -e %s: %s\n", o->filters[i], hstrace_filter_error(t));
			exit(2);
		}
		if (o->filter_owned[i]) {
			if (o->quiet < 3)
				note_resolved(o->filters[i] + 5);
			free((char *)o->filters[i]); /* the library keeps its own copy */
		}
	}
	check(hstrace_seccomp(t, !o->no_seccomp), "--no-seccomp");
	if (o->nfilters && o->npids && !o->quiet && !o->no_seccomp)
		fprintf(stderr, "hstrace: note: running processes cannot be given a seccomp filter:"
			" every syscall stops, and the filter applies afterwards\n");
	if (o->sort_by && hstrace_summary_sort(t, o->sort_by) < 0) {
		fprintf(stderr, "hstrace: -S takes time, calls, errors, name or nothing, not '%s'\n",
			o->sort_by);
		exit(2);
	}
	if (o->log_file) {
		fd = open_output(o->log_file, "log");
		unsigned flags = isatty(STDERR_FILENO) ? HSTRACE_OUT_STATUS : 0;
		if (o->fd_paths)
			flags |= HSTRACE_OUT_FD_PATHS;
		check(hstrace_output(t, HSTRACE_FMT_LOG, fd, flags), o->log_file);
	}
	if (text) {
		unsigned flags = 0;
		fd = o->text_file ? open_output(o->text_file, "output file") : STDERR_FILENO;
		if (o->summary == 1) {
			check(hstrace_output(t, HSTRACE_FMT_SUMMARY, fd, summary_flags), "-c");
			if (o->group)
				check(hstrace_output(t, HSTRACE_FMT_GROUP, fd, 0), "--group");
			return;
		}
		if (want_color(o->color, fd))
			flags |= HSTRACE_OUT_COLOR;
		if (o->text_file && o->follow && !o->human && !o->json && !o->perfetto)
			flags |= HSTRACE_OUT_PID_COLUMN;
		if (o->verbose)
			flags |= HSTRACE_OUT_VERBOSE;
		if (o->hex)
			flags |= o->hex > 1 ? HSTRACE_OUT_HEX_ALL : HSTRACE_OUT_HEX;
		if (o->fd_paths)
			flags |= HSTRACE_OUT_FD_PATHS;
		if (o->timestamps)
			flags |= o->timestamps == 3 ? HSTRACE_OUT_TIME_EPOCH :
				 o->timestamps == 2 ? HSTRACE_OUT_TIME_US : HSTRACE_OUT_TIME;
		if (o->relative)
			flags |= HSTRACE_OUT_TIME_REL;
		if (o->durations)
			flags |= HSTRACE_OUT_DURATION;
		check(hstrace_output(t, o->perfetto ? HSTRACE_FMT_PERFETTO : o->json ? HSTRACE_FMT_JSON :
				     o->human ? HSTRACE_FMT_HUMAN : HSTRACE_FMT_TEXT,
				     fd, flags), "output");
		/* -C: the table after the trace; it is written when hstrace_wait
		 * joins it, after the outputs added before it. */
		if (o->summary == 2)
			check(hstrace_output(t, HSTRACE_FMT_SUMMARY, fd, summary_flags), "-C");
		if (o->group)
			check(hstrace_output(t, HSTRACE_FMT_GROUP, fd, 0), "--group");
	}
}

static void on_signal(int sig)
{
	/* hstrace_stop's pidfd_send_signal fails (ESRCH) once the trace has
	 * ended by itself: the interrupted code must not see errno change. */
	int saved = errno;

	g_interrupted = sig;
	if (g_trace)
		hstrace_stop(g_trace);
	errno = saved;
}

/* The handle goes: the signal handlers must not reach it any more. */
static void release(hstrace_t *t)
{
	g_trace = NULL;
	hstrace_free(t);
}

static void install_handlers(void)
{
	struct sigaction sa;
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* strace's way: die of the same signal, without a core of our own. */
static void exit_like(int status)
{
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	int sig = WTERMSIG(status);
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	exit(128 + sig);
}

static int report_log_error(const struct options *o, hstrace_t *t, int err)
{
	hstrace_stats_t st;

	hstrace_get_stats(t, &st);
	if (err == HSTRACE_E_LOG_TRUNCATED || err == HSTRACE_E_LOG_CORRUPT)
		fprintf(stderr, "hstrace: %s: %s at byte %llu after %llu records\n", o->read_file,
			hstrace_strerror(err), (unsigned long long)st.log_offset,
			(unsigned long long)st.records);
	else
		fprintf(stderr, "hstrace: %s: %s\n", o->read_file, hstrace_strerror(err));
	return 1;
}

/* Damaged blocks were skipped and the intact ones rendered: say so, once. */
static bool report_log_damage(const struct options *o, hstrace_t *t)
{
	hstrace_stats_t st;

	hstrace_get_stats(t, &st);
	if (!st.log_damage)
		return false;
	fprintf(stderr, "hstrace: %s: %llu damaged %s skipped (checksum or framing); "
		"%llu intact records rendered\n", o->read_file, (unsigned long long)st.log_damage,
		st.log_damage == 1 ? "block" : "blocks", (unsigned long long)st.records);
	return true;
}

/*
 * A write error, in one line.  The binary log is configure()'s first output
 * (index 0) when there is one; its failure ended the trace (see
 * hstrace_output_error): say what became of the traced processes, and that
 * the file keeps what was written before.
 */
static void report_output_error(const struct options *o, hstrace_t *t, int err, int status)
{
	int log_err = o->log_file ? hstrace_output_error(t, 0) : 0;

	if (!log_err) {
		if (o->text_file)
			fprintf(stderr, "hstrace: cannot write %s: %s\n", o->text_file, hstrace_strerror(err));
		else
			fprintf(stderr, "hstrace: output: %s\n", hstrace_strerror(err));
		return;
	}
	const char *fate = o->npids ? "; tracing stopped, the processes were detached" :
			   status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ?
			   "; tracing stopped, the program was killed" : "";
	fprintf(stderr, "hstrace: cannot write log %s: %s%s; the log keeps every block completed"
		" before the error (hstrace --read %s)\n", o->log_file, hstrace_strerror(log_err), fate,
		o->log_file);
}

static void report_recording(const struct options *o, hstrace_t *t)
{
	hstrace_stats_t st;

	hstrace_get_stats(t, &st);
	fprintf(stderr, "hstrace: recorded %llu records (%llu bytes) from %llu %s to %s\n",
		(unsigned long long)st.records, (unsigned long long)st.log_bytes,
		(unsigned long long)st.processes, st.processes == 1 ? "tracee" : "tracees", o->log_file);
}

int main(int argc, char **argv)
{
	struct options o;
	hstrace_t *t;
	int err, status;

	parse_options(argc, argv, &o);
	t = hstrace_new();
	if (!t) {
		fprintf(stderr, "hstrace: out of memory\n");
		return 1;
	}
	/* Before configure, which may exit: still reachable then (LeakSanitizer). */
	g_trace = t;
	configure(t, &o);
	signal(SIGPIPE, SIG_IGN);
	install_handlers();
	err = hstrace_start(t);
	if (err < 0) {
		char pids[64] = "-p";
		if (o.npids == 1)
			snprintf(pids, sizeof(pids), "-p %d", o.pids[0]);
		const char *what = o.read_file ? o.read_file : *o.argv ? o.argv[0] : pids;
		if (o.log_file && hstrace_output_error(t, 0))
			fprintf(stderr, "hstrace: cannot write log %s: %s\n", o.log_file,
				hstrace_strerror(hstrace_output_error(t, 0)));
		else if (err == -EPERM && o.npids)
			fprintf(stderr, "hstrace: attach: %s (are you root, or is ptrace restricted?)\n",
				hstrace_strerror(err));
		else if (err == -ENOMEM || err == -EAGAIN) /* memory, or threads (glibc's EAGAIN) */
			fprintf(stderr, "hstrace: cannot start tracing: %s\n", hstrace_strerror(err));
		else
			fprintf(stderr, "hstrace: %s: %s\n", what, hstrace_strerror(err));
		release(t);
		return 1;
	}
	for (unsigned i = 0; i < o.npids && !o.quiet; i++)
		fprintf(stderr, "hstrace: Process %d attached\n", o.pids[i]);
	err = hstrace_wait(t);
	for (unsigned i = 0; i < o.npids && !o.quiet; i++)
		fprintf(stderr, "hstrace: Process %d detached\n", o.pids[i]);
	status = hstrace_exit_status(t);
	if (err < 0 && o.read_file) {
		report_log_error(&o, t, err);
		release(t);
		return 1;
	}
	if (o.read_file && report_log_damage(&o, t)) {
		release(t);
		return 1;
	}
	if (err < 0)
		report_output_error(&o, t, err, status);
	else if (o.log_file && !o.quiet)
		report_recording(&o, t);
	release(t);
	if (err < 0)
		return 1;
	if (*o.argv && status != -1)
		exit_like(status);
	return g_interrupted && *o.argv ? 128 + g_interrupted : 0;
}

/*
 * ThreadSanitizer builds only (scripts/tsan.sh): defaults for the hstrace
 * executable, because the end-to-end tests run it with an environment of
 * their own, without TSAN_OPTIONS.  A report ends hstrace at once with exit
 * status 66, which every test that checks hstrace's status sees as a
 * failure.  The suppressions are scripts/tsan.supp's, which explains each
 * one; tsan.sh checks that the two lists agree.  TSAN_OPTIONS, when set,
 * still adds to or overrides these.
 */
#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_options(void);
const char *__tsan_default_suppressions(void);

const char *__tsan_default_options(void)
{
	return "halt_on_error=1 second_deadlock_stack=1 exitcode=66";
}

const char *__tsan_default_suppressions(void)
{
	return "called_from_lib:liburcu-cds.so\n"
	       "called_from_lib:liburcu.so\n";
}
#endif
