/*
 * hst_ring: a bounded, lock-free, single-producer broadcast ring of
 * variable-length records.
 *
 * One producer thread appends records; each of N consumers (fixed at
 * creation) reads every record in order through its own cursor.  A record's
 * space is reused only once every consumer that is still attached has moved
 * past it, so a slow consumer holds the producer back (backpressure: the
 * tracees stay stopped) and nothing is ever dropped.
 *
 * Memory is one contiguous buffer allocated at creation; records never wrap:
 * when a record does not fit before the end, the producer writes a padding
 * marker and starts again at offset 0.  There is no malloc per record.
 *
 * Sleeping: both sides block on futexes and never spin while idle.  The
 * producer wakes a consumer only when that consumer said it is asleep, and a
 * consumer that was busy a moment ago sleeps with a short timeout and is
 * woken early only when a batch worth of bytes is waiting, so a stream of
 * records costs no wake-up per record.
 *
 * Threads: hst_ring_reserve_sp/commit_sp/close_sp from the producer only;
 * hst_ring_next_mc/detach_mc(c) from the single thread that owns consumer c;
 * hst_ring_abort from any thread (it is async-signal-safe).
 */
#ifndef HST_RING_H
#define HST_RING_H

#include <stddef.h>
#include <stdint.h>

struct hst_ring;

/* Largest number of consumers a ring can have. */
#define HST_RING_MAX_CONSUMERS 16

/*
 * Create a ring of capacity bytes (rounded up to a power of two, at least
 * 64 KiB) with nconsumers consumers.  Returns 0 or -ENOMEM/-EINVAL
 * (-EINVAL: nconsumers is 0 or above HST_RING_MAX_CONSUMERS, or capacity is
 * above 1 GiB).  On error *out is NULL.
 */
int hst_ring_create(struct hst_ring **out, size_t capacity, unsigned nconsumers);
void hst_ring_destroy(struct hst_ring *r);

/* Largest record hst_ring_reserve_sp() accepts: capacity/4 - 8 bytes. */
size_t hst_ring_max_record(const struct hst_ring *r);

/*
 * Producer: return maxlen contiguous, 8-byte aligned bytes to write a record
 * into, blocking while the ring is too full.  Returns NULL after
 * hst_ring_abort() or when maxlen > hst_ring_max_record().
 */
void *hst_ring_reserve_sp(struct hst_ring *r, size_t maxlen);

/* Producer: publish the reserved record with its final length (<= maxlen). */
void hst_ring_commit_sp(struct hst_ring *r, size_t len);

/*
 * Producer: let commits publish only once bytes of records are pending
 * (capped at a sixteenth of the ring; 0, the default, publishes every
 * commit).  Pending records are published by hst_ring_flush_sp(), by
 * close, and before the producer waits for space.  For producers that
 * know when they go idle (the decode workers, the log reader): one
 * release store and one check for sleepers per batch instead of per
 * record, and the consumers' cache line of tail stops bouncing.
 */
void hst_ring_publish_batch_sp(struct hst_ring *r, size_t bytes);

/* Producer: publish the records committed so far (before going idle). */
void hst_ring_flush_sp(struct hst_ring *r);

/* Producer: no more records; consumers drain what is left, then get NULL. */
void hst_ring_close_sp(struct hst_ring *r);

/*
 * Consumer c: release the record the previous call returned and return the
 * next one, blocking while there is none.  *len receives its length.
 * Returns NULL once the ring is closed and drained, or aborted.
 */
const void *hst_ring_next_mc(struct hst_ring *r, unsigned c, size_t *len);

/*
 * Consumer c: like hst_ring_next_mc() but never blocks; returns NULL and
 * sets *closed to 0 when nothing is ready yet, or 1 when the ring is closed
 * and drained (or aborted).
 */
const void *hst_ring_try_next_mc(struct hst_ring *r, unsigned c, size_t *len, int *closed);

/* Consumer c leaves for good: it no longer holds the producer back. */
void hst_ring_detach_mc(struct hst_ring *r, unsigned c);

/* Any thread: wake everybody; reserve and next return NULL from now on. */
void hst_ring_abort(struct hst_ring *r);

#endif
