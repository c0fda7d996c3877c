/*
 * Building and loading the seccomp filter of a filtered trace.  See
 * seccomp.h.  hst_seccomp_build runs on the ptrace thread before fork;
 * hst_seccomp_load in the forked child.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/systable.h"
#include "tracer/seccomp.h"

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

static int add_rules(scmp_filter_ctx ctx, const struct hst_filter *f)
{
	for (unsigned nr = 0; nr < hst_nsyscalls; nr++) {
		const struct hst_syscall_sig *s = hst_syscall_sig(nr);
		if (!s || !hst_filter_syscall(f, nr))
			continue;
		/* By name: libseccomp maps it to the i386 and x32 numbers too. */
		int native = seccomp_syscall_resolve_name(s->name);
		if (native == __NR_SCMP_ERROR)
			continue;
		int rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), native, 0);
		if (rc < 0 && rc != -EEXIST)
			return rc;
	}
	return 0;
}

/* libseccomp 2.5 exports to a file descriptor only: go through a memfd. */
static int export(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int fd = (int)syscall(SYS_memfd_create, "hstrace-seccomp", MFD_CLOEXEC);
	off_t size;
	int rc = 0;

	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc == 0 && (size = lseek(fd, 0, SEEK_END)) > 0 && lseek(fd, 0, SEEK_SET) == 0) {
		prog->filter = malloc((size_t)size);
		if (!prog->filter)
			rc = -ENOMEM;
		else if (read(fd, prog->filter, (size_t)size) != size)
			rc = -EIO;
		else
			prog->len = (unsigned short)((size_t)size / sizeof(struct sock_filter));
	} else if (rc == 0) {
		rc = -EIO;
	}
	close(fd);
	if (rc < 0)
		hst_seccomp_free(prog);
	return rc;
}

int hst_seccomp_build(const struct hst_filter *f, struct sock_fprog *prog)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	memset(prog, 0, sizeof(*prog));
	if (!ctx)
		return -ENOMEM;
	/* An ABI the filter does not know is traced whole, never killed. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRACE(0));
	if (rc == 0)
		rc = seccomp_arch_add(ctx, SCMP_ARCH_X86);
	if (rc == 0 || rc == -EEXIST)
		rc = seccomp_arch_add(ctx, SCMP_ARCH_X32);
	if (rc == 0 || rc == -EEXIST)
		rc = add_rules(ctx, f);
	if (rc == 0)
		rc = export(ctx, prog);
	seccomp_release(ctx);
	return rc;
}

void hst_seccomp_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

int hst_seccomp_load(const struct sock_fprog *prog, bool no_new_privs)
{
	if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
		return -errno;
	return 0;
}
