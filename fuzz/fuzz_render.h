/*
 * What both fuzz targets do with raw records once they have them: decode
 * each into a buffer of exactly hst_decode_bound() bytes (so ASan sees a
 * decoder that writes past its bound) and render it with every renderer the
 * --read path can use: strace's text under several option sets (-x, -xx,
 * -v, -y, -s, timestamps), human sentences, JSON Lines, Perfetto and
 * --group.  Output is checked, then thrown away:
 *
 *   - text and human: no byte outside printable ASCII but '\n' (no ESC,
 *     no other C0, no DEL, nothing >= 0x80): colour is off, and every byte a
 *     tracee wrote must have been escaped;
 *   - JSON Lines: every line is one valid JSON object in valid UTF-8;
 *   - Perfetto: the whole output is one valid JSON document.
 *
 * A violation calls abort(), which libFuzzer reports as a crash.
 */
#ifndef HST_FUZZ_RENDER_H
#define HST_FUZZ_RENDER_H

#include "core/record.h"

struct fuzz_sinks;

/* All renderers, fresh.  Aborts when out of memory (a fuzzer cannot go on). */
struct fuzz_sinks *fuzz_sinks_new(void);

/* Decode raw (validated by hst_raw_validate) and render it everywhere. */
void fuzz_sinks_raw(struct fuzz_sinks *s, const struct hst_raw *raw);

/* End of the stream: finish every renderer, check the output, free. */
void fuzz_sinks_finish(struct fuzz_sinks *s);

#endif
