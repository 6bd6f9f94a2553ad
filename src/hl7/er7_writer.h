/*
 * er7_writer.h - build an ER7 message segment by segment, value by value.
 *
 * The writer appends to a caller's buf (borrowed). Values are addressed
 * like er7_get reads them, (field, repetition, component, subcomponent),
 * 1-based, and must come in increasing order within a segment: the writer
 * emits the separators needed to get from the previous value to the next,
 * so that skipped positions are empty and trailing empties never appear.
 * A 0 at a level writes the value as the whole field (rep 0), repetition
 * (comp 0) or component (sub 0); only raw values can usefully do that.
 *
 *   buf out = {0};
 *   er7_writer w;
 *   er7w_init(&w, &out, &er7_default_delims, ER7_LATIN1, err);
 *   er7w_segment(&w, "MSH", err);        "MSH|^~\&": MSH-1 and MSH-2
 *   er7w_put(&w, 3, 1, 1, 1, "SOCLE", err);
 *   er7w_put(&w, 9, 1, 1, 1, "ACK", err);
 *   er7w_put(&w, 9, 1, 2, 1, "A01", err);    ...|ACK^A01
 *   er7w_segment(&w, "MSA", err);
 *   ...
 *   er7w_end(&w);                         terminates the last segment
 *
 * Every segment ends with CR. In header segments (MSH, FHS, BHS) the
 * writer puts MSH-1 and MSH-2 itself, from the delimiters given to
 * er7w_init (with the truncation character only if that one is set: leave
 * it 0 for v2.5), and the first value goes to field 3 or later.
 *
 * Text values are escaped and encoded by er7_escape (er7_text.h): a
 * character the charset cannot represent is an error. On any error the
 * output is left exactly as before the call, and the segment stays open.
 * Positions above ER7_MAX_FIELDS, at any level, are refused so that the
 * output always parses back.
 */
#ifndef SOCLE_HL7_ER7_WRITER_H
#define SOCLE_HL7_ER7_WRITER_H

#include <stddef.h>

#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "util/buf.h"
#include "util/error.h"

/* On the caller's stack; the members are private to er7_writer.c. */
typedef struct er7_writer {
    buf        *out;      /* borrowed */
    er7_delims  delims;
    er7_charset charset;
    int         open;     /* a segment is open */
    size_t      last[4];  /* position of the last value, SIZE_MAX below a 0 */
} er7_writer;

/* -1 with err when the delimiters are unusable (er7_delims_check). */
int er7w_init(er7_writer *w, buf *out, const er7_delims *d, er7_charset cs,
              socle_err *err);

/* End the open segment, if any, and start segment id (3 chars A-Z 0-9). */
int er7w_segment(er7_writer *w, const char *id, socle_err *err);

/* UTF-8 text, escaped and encoded. An empty or NULL text writes nothing. */
int er7w_put(er7_writer *w, size_t field, size_t rep, size_t comp,
             size_t sub, const char *text, socle_err *err);
int er7w_putn(er7_writer *w, size_t field, size_t rep, size_t comp,
              size_t sub, const char *text, size_t len, socle_err *err);

/* Bytes already in wire form (escaped, encoded), e.g. a value copied from a
 * parsed message. They may hold the separators of the levels below the
 * position (a raw field at rep 0 may hold ~ ^ &), never those at or above
 * it, nor CR or LF. An empty value writes nothing. */
int er7w_put_raw(er7_writer *w, size_t field, size_t rep, size_t comp,
                 size_t sub, er7_slice raw, socle_err *err);

/* The HL7 null `""`: the receiver must erase the value. */
int er7w_put_null(er7_writer *w, size_t field, size_t rep, size_t comp,
                  size_t sub, socle_err *err);

/* An error location (ERL, for ERR-2) as the components of one repetition
 * of a field: id ^ sequence ^ field ^ repetition ^ component ^
 * subcomponent, the zero positions left empty. */
int er7w_put_loc(er7_writer *w, size_t field, size_t rep, const er7_loc *loc,
                 socle_err *err);

/* Terminate the open segment with CR. The buf then holds whole segments. */
void er7w_end(er7_writer *w);

#endif
