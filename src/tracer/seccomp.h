/*
 * seccomp-bpf for filtered traces: a launched program stops only at the
 * syscalls the filter selects.  The BPF program is built with libseccomp in
 * the tracer before fork (allocation, libseccomp's own work) and loaded by
 * the child between fork and exec with raw syscalls only.
 *
 * Every selected syscall returns SECCOMP_RET_TRACE (a PTRACE_EVENT_SECCOMP
 * stop at its entry, for PTRACE_O_TRACESECCOMP); everything else runs
 * untraced.  Calls through the i386 and x32 ABIs are matched by name like
 * x86_64 ones, and an unknown architecture is traced whole rather than
 * killed.
 */
#ifndef HST_SECCOMP_H
#define HST_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>

#include "core/filter.h"

/* Build prog from f; 0 or -errno.  hst_seccomp_free(prog) after use. */
int hst_seccomp_build(const struct hst_filter *f, struct sock_fprog *prog);
void hst_seccomp_free(struct sock_fprog *prog);

/*
 * In the child, after fork: load prog.  Without CAP_SYS_ADMIN the kernel
 * demands no_new_privs, which also keeps setuid programs from gaining
 * privileges; as root it is not set, so they still work.  0 or -errno.
 * Async-signal-safe.
 */
int hst_seccomp_load(const struct sock_fprog *prog, bool no_new_privs);

#endif
