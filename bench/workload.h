/*
 * Shared argument handling for the benchmark workloads.
 *
 * Every workload takes its sizes as positional arguments, prints nothing by
 * default, and exits 0 when it did all the work it was asked for. With -v
 * (or HSTRACE_BENCH_VERBOSE=1 in the environment) it prints one line,
 * "syscalls=N", where N counts only the deliberate syscalls of the measured
 * loop: not exec, dynamic linking, thread creation or fork. run.py runs each
 * workload at size 0 and at a large size and divides the time difference by
 * the difference of these counts, so the fixed startup cost cancels out.
 *
 * Everything here is static inline so that a workload is one .c file plus
 * this header, easy to build by hand with gcc.
 */
#ifndef HSTRACE_BENCH_WORKLOAD_H
#define HSTRACE_BENCH_WORKLOAD_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKLOAD_MAX_POSITIONAL 4

struct workload_args {
	bool verbose;
	int npositional;
	const char *positional[WORKLOAD_MAX_POSITIONAL];
};

static inline void workload_usage_exit(const char *prog, const char *usage)
{
	fprintf(stderr, "usage: %s [-v] %s\n", prog, usage);
	exit(2);
}

/* Splits argv into the -v flag and positional sizes; exits 2 on misuse. */
static inline void workload_parse(int argc, char **argv, const char *usage,
				  int min_positional, int max_positional,
				  struct workload_args *args)
{
	const char *env = getenv("HSTRACE_BENCH_VERBOSE");

	memset(args, 0, sizeof(*args));
	args->verbose = env && env[0] && strcmp(env, "0") != 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			args->verbose = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			workload_usage_exit(argv[0], usage);
		} else if (args->npositional < max_positional &&
			   args->npositional < WORKLOAD_MAX_POSITIONAL) {
			args->positional[args->npositional++] = argv[i];
		} else {
			workload_usage_exit(argv[0], usage);
		}
	}
	if (args->npositional < min_positional)
		workload_usage_exit(argv[0], usage);
}

/* Parses a non-negative decimal count; a typo must not silently become 0. */
static inline unsigned long workload_count(const char *text, const char *what)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
		fprintf(stderr, "bad %s '%s': expected a non-negative integer\n",
			what, text);
		exit(2);
	}
	return value;
}

static inline void workload_report(const struct workload_args *args,
				   unsigned long long nsyscalls)
{
	if (args->verbose) {
		printf("syscalls=%llu\n", nsyscalls);
		fflush(stdout);
	}
}

#endif /* HSTRACE_BENCH_WORKLOAD_H */
