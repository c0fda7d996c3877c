/*
 * The tracee table: tid -> per-thread tracer state.
 *
 * An RCU lock-free hash table (liburcu's rculfhash).  The ptrace thread is
 * the only writer: it adds a tracee at its first stop, updates it at every
 * stop and removes it when the thread is gone.  Other threads may look a tid
 * up under rcu_read_lock() and read the fields marked "shared" (they are
 * written before the node is published and change only with relaxed atomic
 * stores, so a stale value is the worst a reader sees: a comm from just
 * before an exec).  Everything else belongs to the ptrace thread alone.
 */
#ifndef HST_TRACEES_H
#define HST_TRACEES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tracer/capture.h"

#include <urcu.h>
#include <urcu/rculfhash.h>

enum hst_tracee_flags {
	HST_TRACEE_IN_SYSCALL = 1u << 0,  /* between entry and exit stops */
	HST_TRACEE_HIDDEN = 1u << 1,      /* launched child before its execve: no records */
	HST_TRACEE_DETACHING = 1u << 2,   /* interrupted; detach at its next stop */
	HST_TRACEE_LISTENING = 1u << 3,   /* in group-stop under PTRACE_LISTEN */
	HST_TRACEE_SKIP = 1u << 4,        /* current call not selected by the filter: no records */
	HST_TRACEE_WANT_EXIT = 1u << 5,   /* seccomp: after a seccomp stop, stop at this call's exit */
	HST_TRACEE_IN_VFORK = 1u << 6,    /* resumed from PTRACE_EVENT_VFORK: waits for its child */
	HST_TRACEE_OWN_CPUS = 1u << 7,    /* pinned launch: it set its affinity itself (or its parent did) */
	HST_TRACEE_ATTACHED = 1u << 8,    /* seized by an attach, before its first stop */
	HST_TRACEE_RESUMES = 1u << 9,     /* attached mid-call: a restart_syscall resumes resumes_nr */
};

struct hst_tracee {
	struct cds_lfht_node node;
	struct rcu_head rcu;
	pid_t tid;               /* shared */
	pid_t tgid;              /* shared */
	unsigned flags;
	int32_t nr;              /* current syscall, valid while IN_SYSCALL */
	uint16_t raw_flags;      /* ABI flags of the current syscall */
	uint64_t args[6];        /* its arguments */
	struct hst_stash stash;  /* its inout argument's entry bytes */
	int32_t resumes_nr;      /* with HST_TRACEE_RESUMES: the call the attach interrupted */
	atomic_int retired;      /* hst_tracees_remove -> free_tracee; see there */
};

struct hst_tracees;

int hst_tracees_create(struct hst_tracees **out);
void hst_tracees_destroy(struct hst_tracees *tt);

/* ptrace thread: find tid, or NULL. */
struct hst_tracee *hst_tracees_find(struct hst_tracees *tt, pid_t tid);

/* ptrace thread: add a new tracee (tid must not be present).  NULL on ENOMEM. */
struct hst_tracee *hst_tracees_add(struct hst_tracees *tt, pid_t tid, pid_t tgid);

/* ptrace thread: remove and free after a grace period. */
void hst_tracees_remove(struct hst_tracees *tt, struct hst_tracee *t);

/* ptrace thread: number of tracees in the table. */
unsigned long hst_tracees_count(const struct hst_tracees *tt);

/* ptrace thread: call fn for every tracee (fn may not remove). */
void hst_tracees_each(struct hst_tracees *tt, void (*fn)(struct hst_tracee *, void *), void *arg);

#endif
