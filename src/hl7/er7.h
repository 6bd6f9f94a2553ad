/*
 * er7.h - zero-copy parser of one HL7 v2 message in ER7 ("pipe and hat")
 * encoding.
 *
 * er7_parse indexes a message held in a caller buffer: the buffer is
 * borrowed and must outlive the er7_message. Nothing is copied or unescaped:
 * every accessor returns an er7_slice pointing into that buffer, exactly as
 * the bytes were sent. Resolving escapes and decoding the character set
 * (MSH-18) is the job of er7_text.h, once the caller knows which slice it
 * wants and of what data type it is.
 *
 * Structure:
 *   - The message starts with "MSH". MSH-1 (the byte after "MSH") is the
 *     field separator; MSH-2 holds the component, repetition, escape and
 *     subcomponent characters, in that order, and optionally a fifth one,
 *     the truncation character of v2.7, recorded but otherwise ignored.
 *     Delimiters must be printable, non-alphanumeric ASCII and distinct.
 *   - Segments end with CR, LF or CR LF (French senders use all three);
 *     empty lines are skipped. A segment id is 3 characters [A-Z0-9].
 *   - Numbering follows HL7: fields, repetitions, components and
 *     subcomponents are 1-based. In the header segments (MSH, and FHS/BHS
 *     which share the layout) field 1 is the field separator itself and
 *     field 2 the encoding characters, neither of which is ever split;
 *     field 3 is the first one after them (MSH-3 sending application).
 *
 * Values: an absent value and an empty one both read as a zero-length
 * slice (HL7 gives them the same meaning: no information). The HL7 null
 * `""`, which asks the receiver to erase what it holds, is a 2-byte slice
 * that er7_is_null() recognises.
 *
 * Limits, to bound memory and time on hostile input (exceeding one is an
 * error, never a truncation):
 *   ER7_MAX_BYTES     the whole message;
 *   ER7_MAX_SEGMENTS  segments in a message;
 *   ER7_MAX_FIELDS    the highest field number in a segment (and a message
 *                     with more field separators than ER7_MAX_SEGMENTS
 *                     segments of ER7_MAX_FIELDS fields could hold is
 *                     refused before anything is indexed).
 * Repetitions, components and subcomponents are not indexed, only scanned
 * on demand, so they need no limit beyond the byte count.
 */
#ifndef SOCLE_HL7_ER7_H
#define SOCLE_HL7_ER7_H

#include <stddef.h>

#include "util/error.h"

#define ER7_MAX_BYTES    (16u * 1024 * 1024)
#define ER7_MAX_SEGMENTS 4096
#define ER7_MAX_FIELDS   256

/* Returned by er7_find when there is no such segment. */
#define ER7_NONE ((size_t)-1)

/* A borrowed run of bytes inside the parsed buffer. ptr is never NULL
 * (an absent value points to a static empty string), and the bytes are
 * not NUL-terminated. */
typedef struct er7_slice {
    const char *ptr;
    size_t len;
} er7_slice;

typedef struct er7_delims {
    char field;         /* |  */
    char component;     /* ^  */
    char repetition;    /* ~  */
    char escape;        /* \  */
    char subcomponent;  /* &  */
    char truncation;    /* #  in v2.7; 0 when MSH-2 has only 4 characters */
} er7_delims;

/* | ^ ~ \ & and no truncation character. */
extern const er7_delims er7_default_delims;

/* 0 when the delimiters can be used (printable ASCII, not alphanumeric,
 * all distinct), -1 with err set otherwise. */
int er7_delims_check(const er7_delims *d, socle_err *err);

typedef struct er7_message er7_message;

/* Index the len bytes at data (borrowed). Returns NULL with err set when
 * the input is not an ER7 message: empty, not starting with MSH, bad
 * delimiters, a malformed segment id, or a limit exceeded. The error
 * message names the segment (1-based) where parsing stopped. */
er7_message *er7_parse(const char *data, size_t len, socle_err *err);
void er7_free(er7_message *m);

const er7_delims *er7_delimiters(const er7_message *m);

/* Segments are indexed from 0 in message order; MSH is segment 0. */
size_t    er7_segment_count(const er7_message *m);
er7_slice er7_segment_id(const er7_message *m, size_t seg);   /* "PID" */
int       er7_segment_is(const er7_message *m, size_t seg, const char *id);
/* The whole segment, without its terminator. */
er7_slice er7_segment_text(const er7_message *m, size_t seg);

/* Index of the nth (0-based) segment with this id, or ER7_NONE. */
size_t er7_find(const er7_message *m, const char *id, size_t nth);

/* Highest field number present in the segment (0 for a bare segment id;
 * at least 2 for MSH). Fields above it read as empty. */
size_t er7_field_count(const er7_message *m, size_t seg);

/* 1 when field n of the segment is MSH-1 or MSH-2 (or their FHS/BHS
 * counterparts): values that must not be split or unescaped. */
int er7_field_is_delimiters(const er7_message *m, size_t seg, size_t field);

/*
 * The value at (segment, field, repetition, component, subcomponent), the
 * last four 1-based. A 0 stops the descent at that level: rep 0 is the
 * whole field with all its repetitions, comp 0 the whole repetition, sub 0
 * the whole component (and the levels below a 0 are ignored). Anything
 * beyond what the message holds reads as empty.
 *
 *   er7_get(m, pid, 5, 1, 1, 0)  family name (XPN-1) of the first PID-5
 *   er7_get(m, 0, 9, 1, 2, 0)    trigger event (MSH-9.2)
 */
er7_slice er7_get(const er7_message *m, size_t seg, size_t field,
                  size_t rep, size_t comp, size_t sub);

/* Shorthand for er7_get(m, seg, field, 0, 0, 0). */
er7_slice er7_field(const er7_message *m, size_t seg, size_t field);

/* How many parts er7_get can address one level down, with the same 0
 * convention: rep 0 counts the repetitions of the field, comp 0 the
 * components of that repetition, otherwise the subcomponents of that
 * component. An empty value counts as one empty part. */
size_t er7_count(const er7_message *m, size_t seg, size_t field,
                 size_t rep, size_t comp);

/*
 * Walk the parts of a slice one separator at a time, in O(length) for the
 * whole walk (er7_get rescans from the start):
 *
 *   er7_slice rest = field, rep;
 *   while (er7_split(&rest, d->repetition, &rep)) ...
 *
 * Yields at least one part (possibly empty) and sets rest.ptr to NULL once
 * the last part is out; returns 0 then.
 */
int er7_split(er7_slice *rest, char sep, er7_slice *part);

/* 1 when the slice is the HL7 null `""` (erase), 0 otherwise. */
int er7_is_null(er7_slice s);

/* A received value made safe to quote in a message or a log: printable
 * ASCII kept, any other byte shown as '?', cut with "..." to fit in n
 * bytes (n >= 8). Returns dst. */
const char *er7_slice_show(er7_slice v, char *dst, size_t n);

/* 1 when the slice holds exactly the NUL-terminated string s. */
int er7_slice_eq(er7_slice a, const char *s);

/*
 * Where a value sits, in the terms of an ERR-2 error location
 * (ERL: segment id ^ sequence ^ field ^ repetition ^ component ^
 * subcomponent). seg_seq is the occurrence of this segment id in the
 * message, 1-based; the positions are those given, 0 meaning absent.
 */
typedef struct er7_loc {
    char   seg_id[4];
    size_t seg_seq;
    size_t field, rep, comp, sub;
} er7_loc;

er7_loc er7_location(const er7_message *m, size_t seg, size_t field,
                     size_t rep, size_t comp, size_t sub);

#endif
