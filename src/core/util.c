/*
 * Small shared helpers: the signature of a recorded call, and the tid map
 * used by sinks (see sink/tidmap.h).
 * Linear probing over a power-of-two table; deletions leave tombstones and
 * the table is rebuilt when live + tombstones pass 3/4.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "core/systable.h"
#include "sink/tidmap.h"

const struct hst_syscall_sig *hst_record_sig(long nr, unsigned raw_flags)
{
	return raw_flags & (HST_RAWF_I386 | HST_RAWF_X32) ? NULL : hst_syscall_sig(nr);
}

/*
 * Each slot: the int32 key, an int32 state, then the caller's bytes.  The
 * state, not a reserved key value, tells a free slot: a tid read from a
 * damaged or hostile log may be any int32, 0 and -1 included.
 */
enum { EMPTY = 0, LIVE = 1, TOMB = 2 };

static int32_t *key_at(const struct hst_tidmap *m, size_t i)
{
	return (int32_t *)(m->slots + i * (8 + m->slot_size));
}

static int32_t state_at(const struct hst_tidmap *m, size_t i)
{
	return key_at(m, i)[1];
}

static size_t hash(pid_t tid, size_t mask)
{
	return ((uint32_t)tid * 2654435761u) & mask;
}

int hst_tidmap_init(struct hst_tidmap *m, size_t slot_size)
{
	memset(m, 0, sizeof(*m));
	m->slot_size = (slot_size + 7) & ~(size_t)7;
	m->nslots = 64;
	m->slots = calloc(m->nslots, 8 + m->slot_size);
	return m->slots ? 0 : -ENOMEM;
}

void hst_tidmap_free(struct hst_tidmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void *hst_tidmap_get(struct hst_tidmap *m, pid_t tid)
{
	size_t mask = m->nslots - 1;
	for (size_t i = hash(tid, mask);; i = (i + 1) & mask) {
		int32_t st = state_at(m, i);
		if (st == LIVE && *key_at(m, i) == tid)
			return key_at(m, i) + 2;
		if (st == EMPTY)
			return NULL;
	}
}

static int grow(struct hst_tidmap *m)
{
	struct hst_tidmap n = *m;
	size_t stride = 8 + m->slot_size;

	n.nslots = m->live * 4 > m->nslots ? m->nslots * 2 : m->nslots;
	n.slots = calloc(n.nslots, stride);
	if (!n.slots)
		return -ENOMEM;
	n.used = n.live = 0;
	for (size_t i = 0; i < m->nslots; i++) {
		if (state_at(m, i) != LIVE)
			continue;
		size_t mask = n.nslots - 1, j = hash(*key_at(m, i), mask);
		while (state_at(&n, j) != EMPTY)
			j = (j + 1) & mask;
		memcpy(key_at(&n, j), key_at(m, i), stride);
		n.used++;
		n.live++;
	}
	free(m->slots);
	*m = n;
	return 0;
}

void *hst_tidmap_put(struct hst_tidmap *m, pid_t tid)
{
	void *slot = hst_tidmap_get(m, tid);
	if (slot)
		return slot;
	if ((m->used + 1) * 4 > m->nslots * 3 && grow(m) < 0)
		return NULL;
	size_t mask = m->nslots - 1, i = hash(tid, mask);
	while (state_at(m, i) == LIVE)
		i = (i + 1) & mask;
	if (state_at(m, i) == EMPTY)
		m->used++;
	m->live++;
	memset(key_at(m, i), 0, 8 + m->slot_size);
	key_at(m, i)[0] = tid;
	key_at(m, i)[1] = LIVE;
	return key_at(m, i) + 2;
}

void hst_tidmap_del(struct hst_tidmap *m, pid_t tid)
{
	int32_t *slot = hst_tidmap_get(m, tid);

	if (!slot)
		return;
	slot[-1] = TOMB; /* the state word, right before the caller's bytes */
	m->live--;
}

void hst_tidmap_each(struct hst_tidmap *m, void (*fn)(pid_t tid, void *slot, void *arg), void *arg)
{
	for (size_t i = 0; i < m->nslots; i++) {
		if (state_at(m, i) == LIVE)
			fn(*key_at(m, i), key_at(m, i) + 2, arg);
	}
}
