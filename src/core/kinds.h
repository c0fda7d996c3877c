/*
 * Argument kinds and constant tables: how the structs, arrays and flag words
 * that syscalls take are captured and turned into typed values.
 *
 * A syscall row (data/syscalls/<family>.tbl) names a kind for a pointer argument:
 * "statbuf:out:stat" means "at exit, capture what kind 'stat' says and let it
 * describe the bytes".  The generator (src/core/gen_tables.py) collects the
 * kind names of every row and refers to `const struct hst_kind hst_kind_<name>`,
 * which a file of src/decode/kinds/ defines: a missing kind fails the link.
 *
 * A kind has two halves:
 *   - capture: runs on the ptrace thread while the tracee is stopped.  It may
 *     only read tracee memory into the record (hst_capctx_read); no
 *     allocation, no formatting.  Most kinds leave it NULL and give a size.
 *   - describe: runs on a sink thread.  It walks the captured bytes and emits
 *     typed values through a value writer (struct hst_vw): numbers, flags
 *     from a constant table, strings, nested structs and arrays.  The text,
 *     JSON and human sinks implement the writer; kinds never format text
 *     themselves, except for the few strace notations with no typed
 *     equivalent (hst_vw_raw: "makedev(0x8, 0x1)").
 *
 * Constant tables (data/consts/<family>.tbl -> struct hst_ctab hst_ctab_<name>) hold
 * the names of flag bits and enumerated values, each checked against the
 * kernel or libc header the file names on its first line.
 */
#ifndef HST_KINDS_H
#define HST_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* --- constant tables ---------------------------------------------------- */

enum hst_ctab_type {
	HST_CT_FLAGS = 0, /* bit flags: A|B|0x40 */
	HST_CT_ENUM,      /* one value: NAME, or the number */
};

struct hst_const {
	uint64_t value;
	const char *name;
};

struct hst_ctab {
	const char *name;
	uint8_t type;       /* enum hst_ctab_type */
	uint8_t hex;        /* ENUM: unknown values in hex (else decimal) */
	const char *zero;   /* FLAGS: the name printed for 0, or NULL for "0" */
	const char *unknown; /* "X_???": comment for values no name covers, or NULL */
	unsigned n;
	const struct hst_const *c;
};

/* The name of v in an ENUM table, or NULL. */
const char *hst_ctab_name(const struct hst_ctab *t, uint64_t v);

/* --- value writer ------------------------------------------------------- */

struct hst_vw;
struct hst_piece;
struct hst_kcall;

/*
 * Emitting values.  Inside a struct every value is preceded by hst_vw_key;
 * inside an array values follow each other; separators are the writer's
 * business.  hst_vw_more() stands for what was left out ("..." in text).
 */
void hst_vw_struct_begin(struct hst_vw *w);
void hst_vw_struct_end(struct hst_vw *w);
void hst_vw_array_begin(struct hst_vw *w);
void hst_vw_array_end(struct hst_vw *w);
void hst_vw_key(struct hst_vw *w, const char *name);
/* Like a key, written "name value" (strace's "left {...}" in notes). */
void hst_vw_label(struct hst_vw *w, const char *name);
/* A key only JSON shows, for a field strace prints bare (sin6_addr's inet_pton(...)). */
void hst_vw_json_key(struct hst_vw *w, const char *name);
void hst_vw_int(struct hst_vw *w, int64_t v);
/* A descriptor inside an argument: its number and, with -y, "<what it named>". */
void hst_vw_fd(struct hst_vw *w, const struct hst_kcall *k, int fd);
/* Descriptors strace lists with spaces, select's sets: "[3 4]", with -y "[3</a> 4</b>]". */
void hst_vw_fd_list(struct hst_vw *w, const struct hst_kcall *k, const int *fds, size_t n);
void hst_vw_uint(struct hst_vw *w, uint64_t v);
void hst_vw_hex(struct hst_vw *w, uint64_t v);   /* 0 or 0x... */
void hst_vw_oct(struct hst_vw *w, uint64_t v);   /* 0644 */
void hst_vw_ptr(struct hst_vw *w, uint64_t v);   /* NULL or 0x... */
void hst_vw_flags(struct hst_vw *w, const struct hst_ctab *t, uint64_t v);
void hst_vw_enum(struct hst_vw *w, const struct hst_ctab *t, uint64_t v);
void hst_vw_str(struct hst_vw *w, const char *s, size_t n, bool more);
void hst_vw_more(struct hst_vw *w);
/* Literal text before the next value, with no separator ("flags ", "=> "). */
void hst_vw_prefix(struct hst_vw *w, const char *text);
/* An annotation after a value: " (" ... ")" in text ("= 0x8002 (flags O_RDWR)"). */
void hst_vw_note_begin(struct hst_vw *w);
void hst_vw_note_end(struct hst_vw *w);
/*
 * A struct the kind reads whole: when piece p holds size bytes, copies them
 * to dst (aligned, unlike p->data) and returns true; otherwise the tracee's
 * memory could not be read whole, so writes p's address, as strace does,
 * and returns false.
 */
bool hst_vw_whole(struct hst_vw *w, const struct hst_piece *p, void *dst, size_t size);
/* strace notation without a typed form; JSON gets it as a string. */
void hst_vw_raw(struct hst_vw *w, const char *text);
void hst_vw_rawf(struct hst_vw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Settings the sink renders with. */
bool hst_vw_verbose(const struct hst_vw *w);   /* -v: unabridged structs */
unsigned hst_vw_strsize(const struct hst_vw *w);

/* O_RDONLY|O_CLOEXEC|... as strace prints open flags (kinds/fs.c). */
void hst_open_flags_text(char *buf, size_t size, uint64_t flags);

/* --- kinds -------------------------------------------------------------- */

/* What a kind's capture and describe halves see of the call. */
struct hst_kcall {
	const uint64_t *args;  /* the six argument registers */
	int64_t rval;          /* at exit */
	bool failed;           /* at exit: the call returned an error */
	bool at_exit;
	unsigned arg;          /* the argument of this kind; HST_KARG_RET for a return */
	uint64_t value;        /* args[arg], or the return value */
	int lenarg;            /* the row's length/count argument, or -1 */
	/*
	 * -y: what the descriptors inside this call's arguments named (poll's
	 * array and select's sets at entry, pipe's and socketpair's pair at
	 * exit), packed as struct hst_drec's set_paths; none without -y.
	 */
	const char *fd_paths;
	uint32_t fd_paths_n;
};

#define HST_KARG_RET 6

/* One captured piece, as describe sees it. */
struct hst_piece {
	uint64_t addr;        /* where it was read */
	const void *data;
	uint32_t len;         /* bytes held */
	bool fault;           /* nothing could be read at addr */
	bool trunc;           /* more bytes were there than held */
	bool entry;           /* inout: the bytes as they were at entry */
};

struct hst_capctx;

/*
 * Read len bytes at addr into a new piece of this argument (at most the
 * kind's bound in all).  Returns the bytes read (0 on a fault); the bytes are
 * readable at *out until the capture ends, so a kind can follow pointers.
 */
size_t hst_capctx_read(struct hst_capctx *c, uint64_t addr, size_t len, const void **out);
/* Read a NUL-terminated string of at most max bytes as a piece. */
size_t hst_capctx_read_str(struct hst_capctx *c, uint64_t addr, size_t max);
unsigned hst_capctx_strsize(const struct hst_capctx *c);

struct hst_kind {
	const char *name;
	/* Bytes at the argument's address: fixed, or from size() when set. */
	size_t size;
	size_t (*size_fn)(const struct hst_kcall *k);
	/* Or a whole capture routine (pointers to follow); bound = its most bytes. */
	void (*capture)(struct hst_capctx *c, const struct hst_kcall *k);
	size_t bound;
	/* Describe the pieces (n >= 1 unless the pointer was NULL or nothing was
	 * captured; then the writer prints the address and this is not called).
	 * For a "val:" argument (a number, nothing read) n is 0 and the value is
	 * k->args[k->arg]. */
	void (*describe)(struct hst_vw *w, const struct hst_kcall *k, const struct hst_piece *p,
			 unsigned n);
	/* Optional: true when the argument is not shown at all for this call
	 * (futex's timeout for FUTEX_WAKE, fcntl's arg for F_GETFD), as strace. */
	bool (*absent)(const struct hst_kcall *k);
	/* Capture an "out:" kind when the call failed too (readv's iovec shows
	 * its addresses on failure); the pieces then carry what is readable. */
	bool on_error;
	/* Call describe with n = 0 for a NULL pointer instead of printing NULL
	 * (a label that strace prints whatever the value). */
	bool null_ok;
	/* "inout:" kinds: bytes read at entry and kept for the exit (at most
	 * HST_STASH_MAX); describe gets them as pieces[0], flagged entry. */
	size_t stash;
};

#define HST_STASH_MAX 64

/* Indexed by the aux of HST_A_IN/HST_A_OUT arguments; generated. */
extern const struct hst_kind *const hst_kinds[];
extern const unsigned hst_nkinds;
extern const struct hst_ctab *const hst_ctabs[];
extern const unsigned hst_nctabs;

#endif
