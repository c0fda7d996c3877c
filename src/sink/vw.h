/*
 * The value writer that kinds describe their bytes through (src/core/kinds.h),
 * as the text sink renders it: strace's notation, or JSON (src/sink/json.c)
 * for the JSON sink.  One writer per rendered line, on the sink's thread.
 */
#ifndef HST_VW_H
#define HST_VW_H

#include <stdbool.h>

#include "core/kinds.h"
#include "sink/out.h"

#define HST_VW_DEPTH 16

struct hst_vw {
	struct hst_out *o;
	unsigned strsize;          /* -s */
	bool verbose;              /* -v */
	unsigned depth;            /* open structs and arrays */
	bool first[HST_VW_DEPTH];  /* nothing written yet at this depth */
	bool keyed;                /* a key was just written: no separator */
	bool json;                 /* JSON instead of strace's notation (json.c) */
	bool fd_paths;             /* -y: descriptors inside arguments show what they named */
	unsigned implicit;         /* JSON: bit d, the object at depth d was opened
				    * for a run of bare keys (hst_vwj_key) */
	unsigned objects;          /* JSON: bit d, depth d is an object */
	unsigned wrapped;          /* JSON: bit d, the values of the last key at
				    * depth d are gathered in an array */
	bool joined;               /* JSON: hst_vw_prefix was called: the next
				    * value goes with the one before it */
	size_t value_at[HST_VW_DEPTH]; /* JSON: where the last key's value starts;
					* last: hst_vw_init leaves it to JSON */
};

void hst_vw_init(struct hst_vw *w, struct hst_out *o, unsigned strsize, bool verbose);
/* A writer producing JSON values; structs are always whole. */
void hst_vw_init_json(struct hst_vw *w, struct hst_out *o, unsigned strsize);

/*
 * Write a kind's argument: NULL, the address when nothing was captured, or
 * what the kind describes.  blob/v as decode.c leaves them (IN/OUT pieces).
 */
struct hst_dval;
struct hst_drec;
void hst_vw_kind_value(struct hst_vw *w, const struct hst_drec *d, const struct hst_dval *v);
/* The return value of a successful call whose row names a return kind. */
void hst_vw_kind_return(struct hst_vw *w, const struct hst_drec *d);
/* The kind of an IN/OUT/INOUT/VAL argument hides it for this call. */
bool hst_vw_kind_absent(const struct hst_drec *d, const struct hst_dval *v);

#endif
