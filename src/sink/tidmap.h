/*
 * A small open-addressing map from tid to a fixed-size slot, owned by one
 * sink thread.  Sinks keep per-thread rendering state in it (the call left
 * open at entry, whether it was interrupted).  Slots move when the map
 * grows, so a pointer from hst_tidmap_get() is valid until the next insert.
 */
#ifndef HST_TIDMAP_H
#define HST_TIDMAP_H

#include <stddef.h>
#include <sys/types.h>

struct hst_tidmap {
	char *slots;       /* nslots * (8 + slot_size) bytes */
	size_t nslots;     /* power of two */
	size_t used;       /* live + deleted */
	size_t live;
	size_t slot_size;
};

int hst_tidmap_init(struct hst_tidmap *m, size_t slot_size);
void hst_tidmap_free(struct hst_tidmap *m);
/* The slot of tid, or NULL. */
void *hst_tidmap_get(struct hst_tidmap *m, pid_t tid);
/* The slot of tid, created zeroed if absent; NULL when out of memory. */
void *hst_tidmap_put(struct hst_tidmap *m, pid_t tid);
void hst_tidmap_del(struct hst_tidmap *m, pid_t tid);
/* Call fn on every live slot. */
void hst_tidmap_each(struct hst_tidmap *m, void (*fn)(pid_t tid, void *slot, void *arg), void *arg);

#endif
