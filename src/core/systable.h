/*
 * Syscall signatures, errno and signal names.
 *
 * Everything declared here is generated at build time by
 * src/core/gen_tables.py from data/syscalls.tbl (signatures), the kernel's
 * <asm/unistd_64.h> (numbers), and data/errno.tbl and data/signals.tbl
 * (names, checked against the system headers).  Read-only data: any thread.
 */
#ifndef HST_SYSTABLE_H
#define HST_SYSTABLE_H

#include <stdbool.h>
#include <stdint.h>

/* How an argument is captured, decoded and rendered. */
enum hst_argtype {
	HST_A_INT = 0,    /* signed decimal (int) */
	HST_A_LONG,       /* signed decimal (long) */
	HST_A_UINT,       /* unsigned decimal */
	HST_A_SIZE,       /* size_t, unsigned decimal */
	HST_A_HEX,        /* unsigned, 0x... */
	HST_A_OCT,        /* unsigned octal with a leading 0 (modes) */
	HST_A_PTR,        /* pointer: NULL or 0x... */
	HST_A_FD,         /* file descriptor */
	HST_A_DIRFD,      /* directory fd: AT_FDCWD or a number */
	HST_A_PATH,       /* NUL-terminated path, never shortened by -s */
	HST_A_STR,        /* NUL-terminated string, shortened by -s */
	HST_A_BUF_IN,     /* buffer read at entry; aux = index of the length arg */
	HST_A_BUF_OUT,    /* buffer read at exit; length = return value */
	HST_A_STRV,       /* NULL-terminated array of strings (argv) */
	HST_A_ENVV,       /* like STRV, abbreviated to a count unless -v */
	HST_A_OPEN_FLAGS, /* O_* flags */
	HST_A_OPEN_MODE,  /* mode, printed only with O_CREAT or O_TMPFILE; aux = flags arg */
	HST_A_ATFLAGS,    /* AT_* flags */
	HST_A_IN,         /* pointer read at entry by kind hst_kinds[aux]; aux2 = its length arg */
	HST_A_OUT,        /* the same, read at exit */
	HST_A_INOUT,      /* read at entry (kept) and at exit, shown at exit */
	HST_A_VAL,        /* a number described by kind hst_kinds[aux] (no memory read) */
	HST_A_FLAGS,      /* bit flags named by hst_ctabs[aux] */
	HST_A_ENUM,       /* a value named by hst_ctabs[aux] */
	HST_A_TYPE_MAX
};

/* How the return value is rendered. */
enum hst_rettype {
	HST_R_INT = 0,  /* decimal */
	HST_R_HEX,      /* 0x... on success (mmap, brk) */
	HST_R_FD,       /* a new descriptor */
	HST_R_NORETURN, /* never returns: "= ?" (exit, exit_group) */
	HST_R_KIND,     /* described by kind hst_kinds[ret_aux] on success */
	HST_R_TYPE_MAX
};

enum hst_category {
	HST_CAT_OTHER = 0,
	HST_CAT_FILE,
	HST_CAT_DESC,
	HST_CAT_NETWORK,
	HST_CAT_PROCESS,
	HST_CAT_MEMORY,
	HST_CAT_SIGNAL,
	HST_CAT_IPC,
	HST_CAT_TIME,
	HST_CAT_CREDS,
	HST_CAT_SYSTEM,
	HST_CAT_MAX
};

struct hst_syscall_sig {
	const char *name;     /* NULL: no syscall with this number */
	uint8_t nargs;
	uint8_t category;     /* enum hst_category */
	uint8_t ret;          /* enum hst_rettype */
	uint8_t exit_from;    /* first argument rendered at exit; nargs if none */
	uint8_t decoded;      /* 1: typed decoding (a row with real types) */
	uint8_t type[6];      /* enum hst_argtype */
	uint8_t aux[6];       /* type-specific, see enum hst_argtype */
	uint8_t aux2[6];      /* IN/OUT: index of the length/count argument, or 255 */
	const char *argname[6];
	uint8_t ret_aux;      /* HST_R_KIND: the kind */
};

/*
 * Where hstrace_call_t.inner.<name> keeps each argument: the public typed
 * structs (hstrace_syscalls.h) are generated from the same rows, and this
 * table tells src/lib/events.c how to fill them from decoded values.
 */
enum hst_field_kind {
	HST_F_INT = 0, /* int: INT, FD, DIRFD, OPEN_FLAGS, ATFLAGS */
	HST_F_LONG,    /* long: LONG */
	HST_F_U64,     /* uint64_t: UINT, SIZE, HEX, OCT, PTR, OPEN_MODE, FLAGS, ENUM, VAL */
	HST_F_STR,     /* const char *: PATH, STR (NULL if NULL or unreadable) */
	HST_F_BUF,     /* const void * at off, size_t bytes held at aux_off: BUF_IN, BUF_OUT */
	HST_F_STRV,    /* const char *const * (NULL-terminated) at off, size_t count at aux_off */
	HST_F_BLOB,    /* const void * at off (the first captured piece), size_t bytes at aux_off: IN, OUT, INOUT */
};

struct hst_inner_field {
	uint8_t kind;     /* enum hst_field_kind */
	uint8_t arg;      /* argument index */
	uint16_t off;     /* offsetof the field in its struct */
	uint16_t aux_off; /* BUF: the _len field; STRV: the _count field */
};

struct hst_inner_layout {
	uint8_t nfields;
	struct hst_inner_field f[6];
};

/* Indexed by syscall number, hst_nsyscalls entries. */
extern const struct hst_inner_layout hst_inner_layouts[];

/* One past the largest syscall number in <asm/unistd_64.h>. */
extern const unsigned hst_nsyscalls;
extern const struct hst_syscall_sig hst_syscalls[];

/* The signature of nr, or NULL when nr has no name. */
const struct hst_syscall_sig *hst_syscall_sig(long nr);

/*
 * The signature of a recorded call: only x86_64 numbers have one; calls
 * made through the i386 or x32 ABI (raw_flags from record.h) stay raw.
 */
const struct hst_syscall_sig *hst_record_sig(long nr, unsigned raw_flags);

/*
 * The name of a call made through the i386 or x32 ABI (raw_flags
 * HST_RAWF_I386 or HST_RAWF_X32; an x32 nr with or without its bit 30),
 * from <asm/unistd_32.h> or <asm/unistd_x32.h>; NULL for an unknown number
 * or an x86_64 call.
 */
const char *hst_abi_name(long nr, unsigned raw_flags);

/* Number of a syscall name, or -1. */
long hst_syscall_lookup(const char *name);

/* "ENOENT", or NULL for a number with no name. */
const char *hst_errno_name(int err);

/* "No such file or directory" (the text strace prints), or NULL. */
const char *hst_errno_message(int err);

/*
 * The kernel-internal errors (include/linux/errno.h) of a call a signal
 * interrupted, which the kernel restarts or fails with EINTR: what a
 * syscall-exit-stop shows before the signal is handled.
 */
enum {
	HST_ERESTARTSYS = 512,
	HST_ERESTARTNOINTR = 513,
	HST_ERESTARTNOHAND = 514,
	HST_ERESTART_RESTARTBLOCK = 516,
};

static inline bool hst_errno_restarts(int64_t err)
{
	return err == HST_ERESTARTSYS || err == HST_ERESTARTNOINTR || err == HST_ERESTARTNOHAND ||
	       err == HST_ERESTART_RESTARTBLOCK;
}

/* "SIGCHLD", "SIGRTMIN", "SIGRT_3"; NULL for out-of-range numbers. */
const char *hst_signal_name(int sig);

/*
 * Groups of syscalls for filters (data/groups.tbl, strace's classes):
 * hst_group_names[i] is group i ("desc", "file", "%stat", ...), and bit i of
 * hst_syscall_groups[nr] says whether syscall nr is in it.
 */
extern const char *const hst_group_names[];
extern const unsigned hst_ngroups;
extern const uint32_t hst_syscall_groups[];

/* "file", "network", ... */
const char *hst_category_name(unsigned cat);

#endif
