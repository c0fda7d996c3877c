/*
 * Capture: copy the argument memory a decoder will need out of a stopped
 * tracee into a raw record, with process_vm_readv.  Called only by the
 * ptrace thread, only while the tracee is stopped at the syscall the record
 * describes (entry for inputs, exit for outputs).
 */
#ifndef HST_CAPTURE_H
#define HST_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kinds.h"
#include "core/record.h"
#include "core/systable.h"

/*
 * The entry bytes of a call's "inout:" argument, kept by the ptrace thread
 * in the tracee's state from the entry stop to the exit stop (the kernel
 * overwrites them).  arg 0xff: none.
 */
struct hst_stash {
	uint8_t arg;
	uint8_t len;
	uint64_t addr;
	uint8_t data[HST_STASH_MAX];
};

/* At the entry stop: read the inout argument's bytes, if the call has one. */
void hst_capture_stash(struct hst_stash *st, pid_t pid, const uint64_t args[6],
		       const struct hst_syscall_sig *sig);

/* Upper bound of the bytes hst_capture() may add for this stop. */
size_t hst_capture_bound(const struct hst_syscall_sig *sig, bool at_exit, unsigned strsize);

/*
 * Append the captures of rec's syscall after its header (rec->hdr_size must
 * be set, and hdr_size + hst_capture_bound() bytes reserved).  Sets
 * rec->ncaps and returns the record's total size.
 */
size_t hst_capture(struct hst_raw *rec, const struct hst_syscall_sig *sig,
		   bool at_exit, unsigned strsize, const struct hst_stash *st);

/*
 * -y and -P: upper bound of the bytes hst_capture_fdpaths() may add for
 * this stop, and the captures themselves: for every descriptor argument
 * rendered at this stop (with cwd, a directory fd's AT_FDCWD names the
 * working directory) and, at a successful exit of a call returning a
 * descriptor, that descriptor, what /proc/TID/fd/N links to, appended at
 * size; an empty capture for an argument that is not open.  -P asks for
 * the arguments at entry only, without cwd: every descriptor argument is
 * rendered at entry (test_systable checks it), where -P decides.  Also
 * the descriptors inside arguments, from the bytes hst_capture() took: at
 * entry poll's pollfd array and select's descriptor sets (strace's -P looks
 * into them, -y shows them), at a successful exit the pair pipe and
 * socketpair wrote (for -y); at most HST_SET_FDPATHS per stop, each an
 * FDPATH of that argument with aux the descriptor.  Returns the new total
 * size.
 */
#define HST_SET_FDPATHS 16
size_t hst_capture_fdpaths_bound(const struct hst_syscall_sig *sig, bool at_exit);
size_t hst_capture_fdpaths(struct hst_raw *rec, size_t size, const struct hst_syscall_sig *sig,
			   bool at_exit, bool cwd);

/*
 * The largest raw record the tracer makes with this -s (and -y when
 * fd_paths): header and captures of the most demanding stop of any
 * syscall.  A log recorded with that -s never holds a larger record.
 */
size_t hst_capture_max_record(unsigned strsize, bool fd_paths);

/* Append a siginfo capture for a signal record; returns the total size. */
size_t hst_capture_siginfo(struct hst_raw *rec, const void *siginfo, size_t len);

/* Append a text capture (HST_CAP_STR of arg 0); returns the total size. */
size_t hst_capture_text(struct hst_raw *rec, const char *s, size_t len);

#endif
