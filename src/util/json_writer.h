/*
 * json_writer.h - compact JSON text written straight into a buf, for the
 * snapshots stored with every change (history before/after, patient
 * versions): building a jansson tree and dumping it cost about a fifth of
 * the CPU of an HL7 A28.
 *
 * The text is what json_dumps(JSON_COMPACT) writes for the same members in
 * the same order, byte for byte: no spaces; '"', '\\' and the control
 * characters escaped (\b \f \n \r \t, else \u00XX in upper-case hex); every
 * other byte copied as is (strings are expected to be UTF-8, as jansson
 * requires). Members come out in the order they are written: a caller that
 * wants JSON_SORT_KEYS's order writes its keys sorted.
 *
 * Usage: jw_init, then jw_object_begin / jw_key / values / jw_object_end;
 * inside an object each value follows its jw_key, the jw_member_* helpers
 * do both. Nesting deeper than JW_MAX_DEPTH aborts (a bug, not data).
 */
#ifndef SOCLE_UTIL_JSON_WRITER_H
#define SOCLE_UTIL_JSON_WRITER_H

#include <stdint.h>

#include "util/buf.h"

#define JW_MAX_DEPTH 16

typedef struct json_writer {
    buf *out;                       /* borrowed: appended to */
    int depth;
    int count[JW_MAX_DEPTH];        /* values written at each level */
    int after_key;                  /* a key is waiting for its value */
} json_writer;

void jw_init(json_writer *w, buf *out);

void jw_object_begin(json_writer *w);
void jw_object_end(json_writer *w);
void jw_array_begin(json_writer *w);
void jw_array_end(json_writer *w);
void jw_key(json_writer *w, const char *key);

void jw_string(json_writer *w, const char *s);   /* NULL writes "" */
void jw_int(json_writer *w, int64_t v);
void jw_bool(json_writer *w, int v);

/* key and value in one call (inside an object). */
void jw_member_string(json_writer *w, const char *key, const char *s);
void jw_member_int(json_writer *w, const char *key, int64_t v);
void jw_member_bool(json_writer *w, const char *key, int v);

#endif
