/*
 * JSON text: strings from untrusted bytes, and the value writer's JSON form
 * (src/sink/vw.c hands every hst_vw_* call here when the writer is in JSON
 * mode).  Structs become objects, arrays arrays, flags arrays of names
 * (with the unnamed bits as one number), enums their name or number,
 * pointers numbers or null, strace notations without a typed form strings.
 */
#ifndef HST_JSON_H
#define HST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kinds.h"
#include "sink/out.h"

/*
 * A JSON string of n bytes: valid UTF-8 is kept, control characters (C0,
 * DEL and the C1 range U+0080-U+009F, which terminals obey too) are
 * escaped, and each byte that is not part of valid UTF-8 becomes \u00XX
 * (its Latin-1 reading), so every line is valid JSON whatever the tracee
 * wrote.
 */
void hst_json_string(struct hst_out *o, const char *s, size_t n);

struct hst_vw;
void hst_vwj_open(struct hst_vw *w, char c);
void hst_vwj_close(struct hst_vw *w, char c);
/* After a value whose writer may have left bare keys open as an object. */
void hst_vwj_end_value(struct hst_vw *w);
void hst_vwj_key(struct hst_vw *w, const char *name);
void hst_vwj_number(struct hst_vw *w, const char *text);
void hst_vwj_ptr(struct hst_vw *w, uint64_t v);
void hst_vwj_flags(struct hst_vw *w, const struct hst_ctab *t, uint64_t v);
void hst_vwj_enum(struct hst_vw *w, const struct hst_ctab *t, uint64_t v);
void hst_vwj_str(struct hst_vw *w, const char *s, size_t n, bool more);
void hst_vwj_raw(struct hst_vw *w, const char *text);

#endif
