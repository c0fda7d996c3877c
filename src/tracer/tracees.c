/*
 * Tracee table on liburcu's rculfhash; see tracees.h for who may touch
 * what.  The ptrace thread registers itself as an RCU reader thread and keeps
 * a one-entry cache of the last tracee it looked up: a single-threaded
 * tracee makes every stop a cache hit, so the hash is off the hot path.
 */
#include <errno.h>
#include <stdlib.h>

#include "tracer/tracees.h"

struct hst_tracees {
	struct cds_lfht *ht;
	struct hst_tracee *last;  /* ptrace thread only */
	unsigned long count;      /* ptrace thread only */
};

static unsigned long tid_hash(pid_t tid)
{
	uint64_t h = (uint64_t)(uint32_t)tid * 0x9e3779b97f4a7c15ull;
	return (unsigned long)(h >> 17);
}

static int tid_match(struct cds_lfht_node *node, const void *key)
{
	const struct hst_tracee *t = caa_container_of(node, struct hst_tracee, node);
	return t->tid == *(const pid_t *)key;
}

int hst_tracees_create(struct hst_tracees **out)
{
	struct hst_tracees *tt = calloc(1, sizeof(*tt));
	if (!tt)
		return -ENOMEM;
	tt->ht = cds_lfht_new(64, 64, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
	if (!tt->ht) {
		free(tt);
		return -ENOMEM;
	}
	*out = tt;
	return 0;
}

static void free_tracee(struct rcu_head *head)
{
	struct hst_tracee *t = caa_container_of(head, struct hst_tracee, rcu);

	/* Pairs with the release store in hst_tracees_remove. */
	(void)atomic_load_explicit(&t->retired, memory_order_acquire);
	free(t);
}

void hst_tracees_destroy(struct hst_tracees *tt)
{
	struct cds_lfht_iter iter;
	struct hst_tracee *t;

	if (!tt)
		return;
	/*
	 * Called once the ptrace thread has ended, and no other thread is an
	 * RCU reader of the table any more (hst_tracer_join): nothing can still
	 * see these nodes, so they are freed at once.  No rcu_barrier() either:
	 * callbacks still queued by hst_tracees_remove free tracees only, never
	 * the table, and waiting for them cost ~10 ms (the call_rcu thread's
	 * poll interval) at the end of every trace.
	 */
	rcu_read_lock();
	cds_lfht_for_each_entry(tt->ht, &iter, t, node) {
		cds_lfht_del(tt->ht, &t->node);
		free(t);
	}
	rcu_read_unlock();
	cds_lfht_destroy(tt->ht, NULL);
	free(tt);
}

struct hst_tracee *hst_tracees_find(struct hst_tracees *tt, pid_t tid)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	if (tt->last && tt->last->tid == tid)
		return tt->last;
	/*
	 * The ptrace thread is the only writer, so a tracee it found cannot be
	 * freed under it: the read lock is only for rculfhash's own nodes.
	 */
	rcu_read_lock();
	cds_lfht_lookup(tt->ht, tid_hash(tid), tid_match, &tid, &iter);
	node = cds_lfht_iter_get_node(&iter);
	rcu_read_unlock();
	if (!node)
		return NULL;
	tt->last = caa_container_of(node, struct hst_tracee, node);
	return tt->last;
}

struct hst_tracee *hst_tracees_add(struct hst_tracees *tt, pid_t tid, pid_t tgid)
{
	struct hst_tracee *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->tgid = tgid;
	cds_lfht_node_init(&t->node);
	rcu_read_lock();
	cds_lfht_add(tt->ht, tid_hash(tid), &t->node);
	rcu_read_unlock();
	tt->count++;
	tt->last = t;
	return t;
}

void hst_tracees_remove(struct hst_tracees *tt, struct hst_tracee *t)
{
	rcu_read_lock();
	cds_lfht_del(tt->ht, &t->node);
	rcu_read_unlock();
	if (tt->last == t)
		tt->last = NULL;
	tt->count--;
	/*
	 * call_rcu hands t to liburcu's callback thread, which frees it after
	 * a grace period; liburcu's queue and grace period already order every
	 * earlier access of this thread before the free, but with barriers of
	 * its own that ThreadSanitizer cannot see (liburcu is not built with
	 * it).  This release store, paired with the acquire load in
	 * free_tracee, states that ordering in C11 terms so that TSan sees it
	 * too; it costs one store per tracee that ends.
	 */
	atomic_store_explicit(&t->retired, 1, memory_order_release);
	call_rcu(&t->rcu, free_tracee);
}

unsigned long hst_tracees_count(const struct hst_tracees *tt)
{
	return tt->count;
}

void hst_tracees_each(struct hst_tracees *tt, void (*fn)(struct hst_tracee *, void *), void *arg)
{
	struct cds_lfht_iter iter;
	struct hst_tracee *t;

	rcu_read_lock();
	cds_lfht_for_each_entry(tt->ht, &iter, t, node)
		fn(t, arg);
	rcu_read_unlock();
}
