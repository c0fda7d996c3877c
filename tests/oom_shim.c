/*
 * An LD_PRELOAD shim for test_oom.c: makes hstrace's allocations fail with
 * ENOMEM, the way a real out-of-memory does, without touching hstrace.
 *
 * It wraps malloc, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign, valloc and pvalloc (and free, for its own
 * bootstrap buffer), in front of whatever allocator comes next: jemalloc in
 * the normal build, ASan's in the sanitizer build (its runtime then comes
 * after this shim: ASAN_OPTIONS=verify_asan_link_order=0).  mmap is not
 * wrapped: hstrace never calls it (its rings come from posix_memalign), and
 * allocators' own mmap calls are theirs.
 *
 * Environment, read once when main() starts.  Counting starts there, so the
 * dynamic loader's and libraries' constructors are never failed, and covers
 * the main thread and the threads libhstrace starts, from their start
 * routine on: a sanitizer's set-up of a new thread (which allocates through
 * glibc under ASan) and other libraries' threads are never failed.
 *   HST_OOM_AFTER=N    the first N counted allocations succeed, every later
 *                      one fails (unset: nothing fails, allocations are only
 *                      counted);
 *   HST_OOM_ONLY=N     only the N-th counted allocation (from 0) fails;
 *   HST_OOM_THREAD=K   count only in the K-th thread libhstrace starts
 *                      (pthread_create called from libhstrace, from 1;
 *                      0 is the main thread);
 *                      hstrace does not name its threads, so they are told
 *                      apart by the order hstrace_start creates them in;
 *   HST_OOM_SKIP=S     never count (or fail) an allocation called from an
 *                      object whose path contains S, nor those of the
 *                      threads it starts (glibc allocates their TLS);
 *   HST_OOM_REPORT=F   F holds two native uint64_t, allocations counted and
 *                      failed, kept up to date in a shared mapping so they
 *                      are right however the process ends;
 *   HST_OOM_LOG=F      one line per counted allocation: its index, the
 *                      thread's number (as HST_OOM_THREAD) and the
 *                      caller as object+offset (for addr2line).
 * The shim acts only in a program whose executable is named hstrace: the
 * programs hstrace launches inherit LD_PRELOAD and run untouched.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_THREADS 64

struct counters {
	uint64_t counted;
	uint64_t failed;
};

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/* dlsym may allocate before the real functions are known: served from here, never freed. */
static _Alignas(64) char boot[16384];
static size_t boot_used;
static int resolving;

static bool armed;
static long long fail_after = -1, fail_only = -1;
static int want_thread = -1;
static const char *skip_object;
static int log_fd = -1;
static struct counters local_counters;
static struct counters *counters = &local_counters;
static int nthreads;
static __thread int thread_number __attribute__((tls_model("initial-exec")));
/* Counting in this thread: the main thread from main(), libhstrace's from their start routine. */
static __thread bool counting __attribute__((tls_model("initial-exec")));
/* In a pthread_create called from a skipped object: its thread's TLS is that object's too. */
static __thread int skipping __attribute__((tls_model("initial-exec")));

struct start {
	void *(*fn)(void *);
	void *arg;
	int number;
};
static struct start starts[MAX_THREADS];

static void *boot_alloc(size_t n, size_t align)
{
	size_t at = (boot_used + align - 1) & ~(align - 1);

	if (at + n > sizeof(boot))
		return NULL;
	boot_used = at + n;
	return boot + at;
}

static bool in_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

static void resolve(void)
{
	if (real_malloc || resolving)
		return;
	resolving = 1;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_reallocarray = (void *(*)(void *, size_t, size_t))dlsym(RTLD_NEXT, "reallocarray");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
	real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
	real_pthread_create = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))
		dlsym(RTLD_NEXT, "pthread_create");
	/* Last: its being set says the others are. */
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	resolving = 0;
}

static bool caller_in(const void *caller, const char *what)
{
	Dl_info info;

	return dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, what);
}

static void log_allocation(uint64_t index, const void *caller)
{
	Dl_info info;
	char line[512];
	int n;

	if (dladdr(caller, &info) && info.dli_fname)
		n = snprintf(line, sizeof(line), "%llu t%d %s+0x%lx\n", (unsigned long long)index, thread_number,
			     info.dli_fname, (unsigned long)((const char *)caller - (const char *)info.dli_fbase));
	else
		n = snprintf(line, sizeof(line), "%llu t%d %p\n", (unsigned long long)index, thread_number, caller);
	if (n > 0 && write(log_fd, line, (size_t)n) < 0) {
		/* best effort */
	}
}

/* Whether this allocation fails; counts it when it is in scope. */
static bool should_fail(const void *caller)
{
	if (!armed || !counting || skipping || (want_thread >= 0 && thread_number != want_thread) ||
	    (skip_object && caller_in(caller, skip_object)))
		return false;
	uint64_t n = __atomic_fetch_add(&counters->counted, 1, __ATOMIC_RELAXED);
	if (log_fd >= 0)
		log_allocation(n, caller);
	bool fail = (fail_after >= 0 && n >= (uint64_t)fail_after) || (fail_only >= 0 && n == (uint64_t)fail_only);
	if (!fail)
		return false;
	__atomic_fetch_add(&counters->failed, 1, __ATOMIC_RELAXED);
	errno = ENOMEM;
	return true;
}

#define CALLER __builtin_return_address(0)

EXPORT void *malloc(size_t n)
{
	resolve();
	if (!real_malloc)
		return boot_alloc(n, 16);
	return should_fail(CALLER) ? NULL : real_malloc(n);
}

EXPORT void *calloc(size_t n, size_t size)
{
	resolve();
	if (!real_malloc)
		return n && size > sizeof(boot) / n ? NULL : boot_alloc(n * size, 16); /* boot is zeroed */
	return should_fail(CALLER) ? NULL : real_calloc(n, size);
}

EXPORT void free(void *p)
{
	if (!p || in_boot(p))
		return;
	resolve();
	real_free(p);
}

static void *realloc_boot(void *p, size_t n)
{
	size_t left = (size_t)(boot + sizeof(boot) - (char *)p);
	void *q = malloc(n);

	if (q)
		memcpy(q, p, n < left ? n : left);
	return q;
}

EXPORT void *realloc(void *p, size_t n)
{
	resolve();
	if (p && in_boot(p))
		return realloc_boot(p, n);
	if (!real_malloc)
		return boot_alloc(n, 16);
	return n && should_fail(CALLER) ? NULL : real_realloc(p, n);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	resolve();
	if (p && in_boot(p))
		return n && size > SIZE_MAX / n ? NULL : realloc_boot(p, n * size);
	return n && size && should_fail(CALLER) ? NULL : real_reallocarray(p, n, size);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	if (should_fail(CALLER))
		return ENOMEM;
	return real_posix_memalign(out, align, n);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	return should_fail(CALLER) ? NULL : real_aligned_alloc(align, n);
}

EXPORT void *memalign(size_t align, size_t n)
{
	resolve();
	if (!real_malloc)
		return boot_alloc(n, align < 16 ? 16 : align);
	return should_fail(CALLER) ? NULL : real_memalign(align, n);
}

EXPORT void *valloc(size_t n)
{
	resolve();
	return should_fail(CALLER) ? NULL : real_valloc(n);
}

EXPORT void *pvalloc(size_t n)
{
	resolve();
	return should_fail(CALLER) ? NULL : real_pvalloc(n);
}

/* --- threads: which one is which -------------------------------------------- */

static void *thread_start(void *arg)
{
	struct start *s = arg;

	thread_number = s->number;
	counting = true;
	return s->fn(s->arg);
}

EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	resolve();
	if (armed && skip_object && caller_in(CALLER, skip_object)) {
		skipping++;
		int err = real_pthread_create(thread, attr, fn, arg);
		skipping--;
		return err;
	}
	if (!armed || !caller_in(CALLER, "libhstrace"))
		return real_pthread_create(thread, attr, fn, arg);
	int number = __atomic_add_fetch(&nthreads, 1, __ATOMIC_RELAXED);
	if (number >= MAX_THREADS)
		return real_pthread_create(thread, attr, fn, arg);
	starts[number] = (struct start){ fn, arg, number };
	return real_pthread_create(thread, attr, thread_start, &starts[number]);
}

/* --- arming, when main() starts --------------------------------------------- */

static long long env_number(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? strtoll(v, NULL, 10) : -1;
}

static bool is_hstrace(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	const char *base = strrchr(exe, '/');
	return strcmp(base ? base + 1 : exe, "hstrace") == 0;
}

static void map_report(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (ftruncate(fd, sizeof(struct counters)) == 0) {
		void *p = mmap(NULL, sizeof(struct counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED)
			counters = p;
	}
	close(fd);
}

static void arm(void)
{
	const char *report = getenv("HST_OOM_REPORT");
	const char *log = getenv("HST_OOM_LOG");

	if (!is_hstrace())
		return;
	fail_after = env_number("HST_OOM_AFTER");
	fail_only = env_number("HST_OOM_ONLY");
	want_thread = (int)env_number("HST_OOM_THREAD");
	skip_object = getenv("HST_OOM_SKIP");
	if (skip_object && !*skip_object)
		skip_object = NULL;
	if (report && *report)
		map_report(report);
	if (log && *log)
		log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	armed = true;
}

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int armed_main(int argc, char **argv, char **envp)
{
	arm();
	counting = true;
	return real_main(argc, argv, envp);
}

/* glibc's entry point, which calls main: declared nowhere public. */
int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end);

EXPORT int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
			     void (*rtld_fini)(void), void *stack_end)
{
	int (*next)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *) =
		(int (*)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *))
			dlsym(RTLD_NEXT, "__libc_start_main");

	real_main = main;
	return next(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}
