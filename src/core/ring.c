/*
 * hst_ring: bounded lock-free single-producer broadcast ring (see ring.h).
 *
 * Positions.  The producer's tail and each consumer's head are free-running
 * 64-bit byte counters; a counter's offset in the buffer is (pos & mask).
 * They are only ever compared by unsigned difference (tail - head is the
 * number of bytes a consumer has not released yet, never more than the
 * capacity), so they may wrap without harm.  Every record starts with an
 * 8-byte struct ring_hdr and is padded to 8 bytes.  A record never straddles
 * the end of the buffer: the producer then writes a PAD header covering the
 * rest of the buffer and puts the record at offset 0; consumers skip PADs.
 *
 * Ownership.
 *   - Producer line (tail): written by the producer only.  Consumers
 *     acquire-load tail; every byte below it is published.  The producer's
 *     own bookkeeping (its copy of tail, the reservation) sits on a private
 *     line so that writing it does not disturb consumers reading tail.
 *   - Consumer shared line (head, state, attached): written by consumer c,
 *     read by the producer (and state by close/abort).  The head is published
 *     lazily, every publish_every (capacity/16) bytes and always before the
 *     consumer sleeps or polls an empty ring, so a head the producer reads may
 *     be stale: that only makes the ring look fuller than it is, which costs
 *     the producer a re-read or a sleep, never a lost record.  A consumer
 *     never sleeps with bytes it has consumed still unpublished, so a
 *     producer waiting for space is always woken (see below).
 *   - Consumer private line (pos, cached tail, ...): consumer c's thread.
 *     A consumer reloads tail only when it has caught up with its cached
 *     copy.
 *   - The producer caches the minimum head and re-reads the consumers' heads
 *     only when that cache says the record does not fit.
 *
 * Consumer sleep states (ring_consumer.state, the futex word):
 *   AWAKE  running, or just woken.
 *   BATCH  the consumer found the ring empty right after having returned
 *          records; it sleeps at most BATCH_SLEEP_NS (1 ms).  The producer
 *          wakes it early only once batch_bytes (capacity/16) are pending for
 *          it, or on close/abort, so a stream of records costs no wake-up per
 *          record: the consumer catches up in batches.
 *   IDLE   a BATCH sleep ended with still nothing new (or nothing was
 *          returned since the last sleep): sleep without timeout; the
 *          producer wakes it on its very next commit, so the first record
 *          after a quiet period is seen at once.
 * Bit c of ring.sleepers says "consumer c may be asleep", so a commit while
 * every consumer is busy costs one load after its tail store.  Only consumer
 * c sets or clears its bit; the producer moves a sleeper's state to AWAKE
 * (CAS) and calls FUTEX_WAKE only if the CAS succeeds.
 *
 * No lost wake-ups (Dekker, "store then load the other's flag", with seq_cst
 * operations rather than fences so ThreadSanitizer understands them): a
 * sleeper stores its state, sets its sleepers bit and only then re-reads
 * tail/closed/aborted before FUTEX_WAIT on the state word; the producer
 * stores tail (close stores closed, abort stores aborted) and only then reads
 * sleepers/state.  All of these are seq_cst, so at least one side sees the
 * other's store.  FUTEX_WAIT returns at once if the state already moved on.
 *
 * Producer sleep: when a record does not fit, the producer publishes
 * prod_target = the head position at which max(need, capacity/8) bytes would
 * be free, sets prod_waiting, re-reads the heads (all seq_cst) and
 * FUTEX_WAITs on prod_waiting.  A consumer, after its seq_cst head store,
 * reads prod_waiting and wakes the producer only if this publication moved
 * its head across prod_target: each consumer wakes a waiting producer at
 * most once per target, and the consumer that holds the minimum always
 * crosses it before it can sleep (it publishes its head, which by then has
 * reached the tail).  Waking only once capacity/8 is free spares a wake-up
 * per record under backpressure.  detach and abort wake it unconditionally.
 *
 * hst_ring_abort only stores atomics and calls futex(2), so it is
 * async-signal-safe (it saves and restores errno).
 */
#include "core/ring.h"

#include <assert.h>
#include <errno.h>
#include <linux/futex.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CACHE_LINE 64
#define RING_MIN_CAPACITY ((size_t)64 << 10)
#define RING_MAX_CAPACITY ((size_t)1 << 30) /* record lengths are 32-bit */
#define HUGE_PAGE ((size_t)2 << 20)
#define BATCH_SLEEP_NS 1000000L             /* BATCH sleep: 1 ms */

enum { REC_DATA = 1, REC_PAD = 2 };
enum { CONS_AWAKE = 0, CONS_BATCH = 1, CONS_IDLE = 2 };

struct ring_hdr {
	uint32_t len;  /* DATA: payload bytes; PAD: bytes to the buffer's end */
	uint32_t type; /* REC_DATA or REC_PAD */
};

#define HDR_SIZE ((uint64_t)sizeof(struct ring_hdr))

struct ring_consumer {
	/* Shared line: written by this consumer, read by the producer. */
	alignas(CACHE_LINE) _Atomic uint64_t head; /* bytes released */
	_Atomic uint32_t state;                    /* futex word, CONS_* */
	_Atomic uint32_t attached;                 /* 0 once detached */

	/* Private line: only the thread owning this consumer. */
	alignas(CACHE_LINE) uint64_t pos; /* next byte to read */
	uint64_t published;               /* last value stored to head */
	uint64_t cached_tail;             /* last tail seen; pos == it: reload */
	bool returned_since_sleep;        /* picks BATCH vs IDLE */
	bool detached;
};

struct hst_ring {
	/* Read-only after hst_ring_create(). */
	alignas(CACHE_LINE) unsigned char *buf;
	uint64_t capacity;
	uint64_t mask;
	uint64_t publish_every; /* consumer head publication step */
	uint64_t batch_bytes;   /* pending bytes that end a BATCH sleep early */
	uint64_t wake_free;     /* free bytes a blocked producer waits for */
	size_t max_record;
	unsigned nconsumers;

	/* Producer line: written by the producer, read by consumers. */
	alignas(CACHE_LINE) _Atomic uint64_t tail;

	/* Producer private line. */
	alignas(CACHE_LINE) uint64_t ptail; /* producer's copy of tail */
	uint64_t cached_min; /* a lower bound of the attached consumers' heads */
	uint64_t res_pad;    /* PAD bytes in front of the reserved record */
	size_t res_max;      /* maxlen of the outstanding reservation */
	uint64_t ptail_published; /* last value stored to tail */
	uint64_t publish_batch;   /* hst_ring_publish_batch_sp(); 0: every commit */

	/* Bit c: consumer c may be asleep.  Set/cleared by c only. */
	alignas(CACHE_LINE) _Atomic uint32_t sleepers;

	/* Producer blocked on a full ring. */
	alignas(CACHE_LINE) _Atomic uint32_t prod_waiting; /* futex word */
	_Atomic uint64_t prod_target; /* wake when a head crosses this */

	alignas(CACHE_LINE) _Atomic uint32_t closed;
	_Atomic uint32_t aborted;

	struct ring_consumer cons[HST_RING_MAX_CONSUMERS];
};

static const struct timespec batch_timeout = { 0, BATCH_SLEEP_NS };

/* Returns with the word changed, a wake-up, a timeout, or a signal. */
static void futex_wait(_Atomic uint32_t *word, uint32_t expected,
		       const struct timespec *timeout)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, timeout, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

static struct ring_hdr *hdr_at(const struct hst_ring *r, uint64_t pos)
{
	return (struct ring_hdr *)(void *)(r->buf + (pos & r->mask));
}

static size_t round_capacity(size_t capacity)
{
	size_t cap = RING_MIN_CAPACITY;

	while (cap < capacity && cap < RING_MAX_CAPACITY)
		cap <<= 1;
	return cap;
}

int hst_ring_create(struct hst_ring **out, size_t capacity, unsigned nconsumers)
{
	struct hst_ring *r;
	void *buf;

	*out = NULL;
	if (nconsumers == 0 || nconsumers > HST_RING_MAX_CONSUMERS ||
	    capacity > RING_MAX_CAPACITY)
		return -EINVAL;
	r = aligned_alloc(CACHE_LINE, sizeof(*r));
	if (!r)
		goto fail_ring;
	memset(r, 0, sizeof(*r));
	r->capacity = round_capacity(capacity);
	/*
	 * Rings of 2 MiB or more are aligned for transparent huge pages and
	 * asked to use them: a 16 MiB ring is otherwise 4096 page faults the
	 * first time the producer goes round (on the ptrace thread's stop path
	 * when tracing), and TLB misses every time after (--read of a real
	 * program's log: 0.38 s of CPU with 4 KiB pages, 0.28 s with huge ones).
	 * Where THP is off, madvise fails and nothing changes.
	 */
	if (posix_memalign(&buf, r->capacity >= HUGE_PAGE ? HUGE_PAGE : 4096, r->capacity) != 0)
		goto fail_buf;
	if (r->capacity >= HUGE_PAGE)
		(void)madvise(buf, r->capacity, MADV_HUGEPAGE);
	r->buf = buf;
	r->mask = r->capacity - 1;
	r->publish_every = r->capacity / 16;
	r->batch_bytes = r->capacity / 16;
	r->wake_free = r->capacity / 8;
	r->max_record = r->capacity / 4 - HDR_SIZE;
	r->nconsumers = nconsumers;
	for (unsigned c = 0; c < nconsumers; c++)
		atomic_init(&r->cons[c].attached, 1);
	*out = r;
	return 0;

fail_buf:
	free(r);
fail_ring:
	return -ENOMEM;
}

void hst_ring_destroy(struct hst_ring *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

size_t hst_ring_max_record(const struct hst_ring *r)
{
	return r->max_record;
}

/* ------------------------------------------------------------------ */
/* Producer                                                           */
/* ------------------------------------------------------------------ */

/* The smallest head among attached consumers, as seen now (tail if none). */
static uint64_t min_head(struct hst_ring *r, uint64_t tail)
{
	uint64_t min = tail;

	for (unsigned c = 0; c < r->nconsumers; c++) {
		struct ring_consumer *cons = &r->cons[c];
		uint64_t head;

		/*
		 * seq_cst for the re-check in producer_sleep(), Dekker with the
		 * store in hst_ring_detach_mc().  A stale 1 only keeps an old
		 * head in the minimum, which is conservative.
		 */
		if (!atomic_load_explicit(&cons->attached, memory_order_seq_cst))
			continue;
		/*
		 * Acquire side: the consumer's reads of the bytes below head
		 * happen before we overwrite them; pairs with the store in
		 * consumer_publish().  seq_cst for the Dekker re-check in
		 * producer_sleep().  Both are a plain load on x86.
		 */
		head = atomic_load_explicit(&cons->head, memory_order_seq_cst);
		if (tail - head > tail - min)
			min = head;
	}
	return min;
}

static bool fits(const struct hst_ring *r, uint64_t tail, uint64_t head,
		 uint64_t need)
{
	return tail - head + need <= r->capacity;
}

/* Sleep once until a consumer frees space, or return if it fits already. */
static void producer_sleep(struct hst_ring *r, uint64_t tail, uint64_t need)
{
	uint64_t want = need > r->wake_free ? need : r->wake_free;

	/* Relaxed: published by the seq_cst store of prod_waiting below. */
	atomic_store_explicit(&r->prod_target, tail + want - r->capacity,
			      memory_order_relaxed);
	/*
	 * Publishes prod_target; pairs with the load of prod_waiting in
	 * consumer_publish().  seq_cst: Dekker with the consumers' head
	 * stores (and detach/abort): our flag first, then we re-read theirs.
	 */
	atomic_store_explicit(&r->prod_waiting, 1, memory_order_seq_cst);
	r->cached_min = min_head(r, tail);
	/* seq_cst: Dekker with the aborted store + exchange in hst_ring_abort(). */
	if (!fits(r, tail, r->cached_min, need) &&
	    !atomic_load_explicit(&r->aborted, memory_order_seq_cst))
		futex_wait(&r->prod_waiting, 1, NULL);
	/*
	 * Relaxed: a consumer that still sees 1 only makes a spurious wake-up;
	 * the next sleep sets it again with seq_cst.
	 */
	atomic_store_explicit(&r->prod_waiting, 0, memory_order_relaxed);
}

static void publish(struct hst_ring *r);

/* Block until need bytes are free after tail; false once aborted. */
static bool producer_wait_space(struct hst_ring *r, uint64_t tail, uint64_t need)
{
	if (fits(r, tail, r->cached_min, need))
		return true;
	for (;;) {
		r->cached_min = min_head(r, tail);
		if (fits(r, tail, r->cached_min, need))
			return true;
		/* Relaxed: producer_sleep() re-checks it in Dekker order. */
		if (atomic_load_explicit(&r->aborted, memory_order_relaxed))
			return false;
		/* Consumers must see every record before we wait for them. */
		publish(r);
		producer_sleep(r, tail, need);
	}
}

void *hst_ring_reserve_sp(struct hst_ring *r, size_t maxlen)
{
	uint64_t tail = r->ptail;
	uint64_t off = tail & r->mask;
	uint64_t total, pad;

	if (maxlen > r->max_record)
		return NULL;
	/* Relaxed: abort only needs to be seen eventually by a running producer. */
	if (atomic_load_explicit(&r->aborted, memory_order_relaxed))
		return NULL;
	total = HDR_SIZE + align8(maxlen);
	pad = off + total > r->capacity ? r->capacity - off : 0;
	if (!producer_wait_space(r, tail, pad + total))
		return NULL;
	if (pad) {
		struct ring_hdr *h = hdr_at(r, tail);

		h->len = (uint32_t)pad;
		h->type = REC_PAD;
	}
	r->res_pad = pad;
	r->res_max = maxlen;
	return hdr_at(r, tail + pad) + 1;
}

/* Wake the sleepers in mask that should see the records below tail now. */
static void wake_consumers(struct hst_ring *r, uint32_t mask, uint64_t tail)
{
	while (mask) {
		unsigned c = (unsigned)__builtin_ctz(mask);
		struct ring_consumer *cons = &r->cons[c];
		uint32_t s;

		mask &= mask - 1;
		/* Relaxed: ordered by the seq_cst load of sleepers by our caller. */
		s = atomic_load_explicit(&cons->state, memory_order_relaxed);
		if (s == CONS_AWAKE)
			continue;
		/*
		 * Relaxed: the sleeper stored its head before setting its bit,
		 * and a stale (older) head only wakes it early.
		 */
		if (s == CONS_BATCH &&
		    tail - atomic_load_explicit(&cons->head, memory_order_relaxed) <
			    r->batch_bytes)
			continue;
		/* Relaxed: the wake-up publishes nothing; the tail store did. */
		if (atomic_compare_exchange_strong_explicit(&cons->state, &s,
				CONS_AWAKE, memory_order_relaxed, memory_order_relaxed))
			futex_wake(&cons->state);
	}
}

/* Make every committed record visible and wake who waits for them. */
static void publish(struct hst_ring *r)
{
	uint32_t mask;

	if (r->ptail == r->ptail_published)
		return;
	r->ptail_published = r->ptail;
	/*
	 * Publishes the record (and any PAD before it); pairs with the
	 * acquire load of tail in consumer_peek().  seq_cst: Dekker with
	 * consumer_sleep(), our tail store before we read its flag.
	 */
	atomic_store_explicit(&r->tail, r->ptail, memory_order_seq_cst);
	/*
	 * seq_cst: the other half of that Dekker pair.  Its acquire side pairs
	 * with the fetch_or in consumer_sleep(): the sleeper's state and head
	 * are visible.
	 */
	mask = atomic_load_explicit(&r->sleepers, memory_order_seq_cst);
	if (mask)
		wake_consumers(r, mask, r->ptail);
}

void hst_ring_commit_sp(struct hst_ring *r, size_t len)
{
	uint64_t pos = r->ptail + r->res_pad;
	struct ring_hdr *h = hdr_at(r, pos);

	assert(len <= r->res_max);
	h->len = (uint32_t)len;
	h->type = REC_DATA;
	r->ptail = pos + HDR_SIZE + align8(len);
	if (r->ptail - r->ptail_published >= r->publish_batch)
		publish(r);
}

void hst_ring_flush_sp(struct hst_ring *r)
{
	publish(r);
}

void hst_ring_publish_batch_sp(struct hst_ring *r, size_t bytes)
{
	r->publish_batch = bytes < r->capacity / 16 ? bytes : r->capacity / 16;
	publish(r);
}

/* Move every sleeping consumer to AWAKE and wake it (close and abort). */
static void wake_all_consumers(struct hst_ring *r)
{
	for (unsigned c = 0; c < r->nconsumers; c++) {
		struct ring_consumer *cons = &r->cons[c];

		/*
		 * seq_cst: after our store of closed/aborted, Dekker with the
		 * sleeper's state store and re-check in consumer_sleep().
		 */
		if (atomic_exchange_explicit(&cons->state, CONS_AWAKE,
					     memory_order_seq_cst) != CONS_AWAKE)
			futex_wake(&cons->state);
	}
}

void hst_ring_close_sp(struct hst_ring *r)
{
	publish(r);
	/*
	 * Publishes "no record after tail" (tail was stored before); pairs
	 * with the acquire load of closed in consumer_closed().  seq_cst for
	 * the Dekker pair with consumer_sleep() (see wake_all_consumers()).
	 */
	atomic_store_explicit(&r->closed, 1, memory_order_seq_cst);
	wake_all_consumers(r);
}

/* Wake a producer blocked in producer_sleep(), if it is. */
static void wake_producer(struct hst_ring *r)
{
	/* seq_cst: the caller's store (head, attached, aborted) comes first. */
	if (atomic_exchange_explicit(&r->prod_waiting, 0, memory_order_seq_cst))
		futex_wake(&r->prod_waiting);
}

void hst_ring_abort(struct hst_ring *r)
{
	int saved_errno = errno;

	/*
	 * seq_cst: Dekker with the re-checks of aborted in consumer_sleep()
	 * and producer_sleep(); the exchanges below come after it.
	 */
	atomic_store_explicit(&r->aborted, 1, memory_order_seq_cst);
	wake_all_consumers(r);
	wake_producer(r);
	errno = saved_errno;
}

/* ------------------------------------------------------------------ */
/* Consumers                                                          */
/* ------------------------------------------------------------------ */

/* Store head = c->pos and wake the producer if this crossed its target. */
static void consumer_publish(struct hst_ring *r, struct ring_consumer *c)
{
	uint64_t old = c->published;
	uint64_t target;

	if (c->pos == old)
		return;
	c->published = c->pos;
	/*
	 * Releases the bytes below pos for reuse; pairs with the load in
	 * min_head().  seq_cst: Dekker with producer_sleep(), our head store
	 * before we read its flag.
	 */
	atomic_store_explicit(&c->head, c->pos, memory_order_seq_cst);
	/*
	 * seq_cst: the other half of that pair.  Its acquire side pairs with
	 * the store in producer_sleep(), so prod_target is visible.
	 */
	if (!atomic_load_explicit(&r->prod_waiting, memory_order_seq_cst))
		return;
	/* Relaxed: ordered by the load of prod_waiting just above. */
	target = atomic_load_explicit(&r->prod_target, memory_order_relaxed);
	if ((int64_t)(old - target) < 0 && (int64_t)(c->pos - target) >= 0)
		wake_producer(r);
}

/* Release the record returned last; publish the head every publish_every. */
static void consumer_release(struct hst_ring *r, struct ring_consumer *c)
{
	if (c->pos - c->published >= r->publish_every)
		consumer_publish(r, c);
}

/* The next DATA record, skipping PADs, or NULL if none is published yet. */
static const struct ring_hdr *consumer_peek(struct hst_ring *r,
					    struct ring_consumer *c)
{
	for (;;) {
		const struct ring_hdr *h;

		if (c->pos == c->cached_tail) {
			/*
			 * Acquire: pairs with the (seq_cst, hence release)
			 * store of tail in hst_ring_commit_sp(), so the
			 * records below it are fully written.
			 */
			c->cached_tail = atomic_load_explicit(&r->tail,
							      memory_order_acquire);
			if (c->pos == c->cached_tail)
				return NULL;
		}
		h = hdr_at(r, c->pos);
		if (h->type == REC_PAD) {
			c->pos += h->len;
			continue;
		}
		c->pos += HDR_SIZE + align8(h->len);
		return h;
	}
}

static bool ring_aborted(const struct hst_ring *r)
{
	/* Relaxed: abort publishes no data; consumer_sleep() re-checks in order. */
	return atomic_load_explicit(&r->aborted, memory_order_relaxed);
}

static bool consumer_closed(const struct hst_ring *r)
{
	/* Pairs with the store in hst_ring_close_sp(): the final tail is visible. */
	return atomic_load_explicit(&r->closed, memory_order_acquire);
}

/* Sleep until woken, timed out (BATCH) or there is something to look at. */
static void consumer_sleep(struct hst_ring *r, unsigned idx)
{
	struct ring_consumer *c = &r->cons[idx];
	uint32_t mode = c->returned_since_sleep ? CONS_BATCH : CONS_IDLE;
	uint32_t bit = 1u << idx;

	c->returned_since_sleep = false;
	consumer_publish(r, c);
	/*
	 * seq_cst: Dekker with close/abort, which store their flag and then
	 * exchange this state; we store it and then read their flags.
	 */
	atomic_store_explicit(&c->state, mode, memory_order_seq_cst);
	/*
	 * Publishes state and head to the producer; pairs with the load of
	 * sleepers in hst_ring_commit_sp().  seq_cst: Dekker with its tail
	 * store, our bit before we re-read tail.
	 */
	atomic_fetch_or_explicit(&r->sleepers, bit, memory_order_seq_cst);
	/* seq_cst: the loads of those Dekker pairs (see above). */
	if (atomic_load_explicit(&r->tail, memory_order_seq_cst) == c->pos &&
	    !atomic_load_explicit(&r->closed, memory_order_seq_cst) &&
	    !atomic_load_explicit(&r->aborted, memory_order_seq_cst))
		futex_wait(&c->state, mode,
			   mode == CONS_BATCH ? &batch_timeout : NULL);
	/*
	 * Relaxed: the producer only uses these to decide on a wake-up, and a
	 * stale "asleep" seen there costs a spurious FUTEX_WAKE at most.
	 */
	atomic_store_explicit(&c->state, CONS_AWAKE, memory_order_relaxed);
	atomic_fetch_and_explicit(&r->sleepers, ~bit, memory_order_relaxed);
}

/* The next record without blocking; *closed as for hst_ring_try_next_mc(). */
static const struct ring_hdr *consumer_next(struct hst_ring *r,
					    struct ring_consumer *c, int *closed)
{
	const struct ring_hdr *h;

	*closed = 1;
	if (c->detached || ring_aborted(r))
		return NULL;
	h = consumer_peek(r, c);
	if (!h && consumer_closed(r)) {
		h = consumer_peek(r, c); /* the tail read now is the final one */
		if (!h)
			return NULL;
	}
	*closed = 0;
	if (h)
		c->returned_since_sleep = true;
	return h;
}

const void *hst_ring_next_mc(struct hst_ring *r, unsigned idx, size_t *len)
{
	struct ring_consumer *c = &r->cons[idx];
	const struct ring_hdr *h;
	int closed;

	assert(idx < r->nconsumers);
	consumer_release(r, c);
	while (!(h = consumer_next(r, c, &closed)) && !closed)
		consumer_sleep(r, idx);
	if (!h)
		return NULL;
	*len = h->len;
	return h + 1;
}

const void *hst_ring_try_next_mc(struct hst_ring *r, unsigned idx, size_t *len,
				 int *closed)
{
	struct ring_consumer *c = &r->cons[idx];
	const struct ring_hdr *h;

	assert(idx < r->nconsumers);
	consumer_release(r, c);
	h = consumer_next(r, c, closed);
	if (!h) {
		/* A poller may not come back soon: do not hold the producer. */
		if (!*closed)
			consumer_publish(r, c);
		return NULL;
	}
	*len = h->len;
	return h + 1;
}

void hst_ring_detach_mc(struct hst_ring *r, unsigned idx)
{
	struct ring_consumer *c = &r->cons[idx];

	assert(idx < r->nconsumers);
	c->detached = true;
	/*
	 * seq_cst: Dekker with producer_sleep(), which stores prod_waiting and
	 * then re-reads attached; we store attached and then exchange
	 * prod_waiting in wake_producer().
	 */
	atomic_store_explicit(&c->attached, 0, memory_order_seq_cst);
	wake_producer(r);
}
