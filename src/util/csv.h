/*
 * csv.h - a streaming RFC 4180 CSV reader that knows its line numbers.
 *
 * Fields are separated by commas; a field may be quoted with '"', in which
 * case it may contain commas, doubled quotes and line breaks. Records end
 * with LF or CRLF. A UTF-8 byte-order mark at the start is skipped. Every
 * byte must be valid UTF-8: a Latin-1 file is an error that says so.
 *
 * Errors are reported as "FILE:LINE: reason" in err->msg, where LINE is the
 * physical line (1-based) where the offending record starts.
 */
#ifndef SOCLE_UTIL_CSV_H
#define SOCLE_UTIL_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "util/error.h"

#define CSV_MAX_FIELDS 64
#define CSV_MAX_RECORD (1u << 20)  /* one record may not exceed 1 MiB */

typedef struct csv_reader csv_reader;

/* Read from an open stream (borrowed: the caller closes it). name is used in
 * error messages (copied). */
csv_reader *csv_reader_new(FILE *in, const char *name);
void csv_reader_free(csv_reader *r);

/* Read the next record. Returns 1 with a record, 0 at end of input, -1 on
 * error (err filled as "NAME:LINE: reason"). Empty lines are skipped. The
 * fields stay valid until the next call. */
int csv_next(csv_reader *r, socle_err *err);

size_t      csv_field_count(const csv_reader *r);
const char *csv_field(const csv_reader *r, size_t i);  /* "" if i is out of range */
/* Physical line where the current record starts (1-based). */
unsigned long csv_line(const csv_reader *r);
const char *csv_name(const csv_reader *r);

/* Check that the current record is exactly the given header (names compared
 * case-sensitively after trimming spaces). On mismatch err says which column
 * differs. */
int csv_expect_header(csv_reader *r, const char *const *columns, size_t n,
                      socle_err *err);

/* Read the first record and check it is that header: 0, or -1 with err
 * ("NAME:1: empty file (expected the header ...)" for an empty input). */
int csv_read_header(csv_reader *r, const char *const *columns, size_t n, socle_err *err);

/* Copy field i of the current record into dst (n bytes): 0, or -1 with err
 * "NAME:LINE: COLUMN is too long (...)", columns naming the fields. */
int csv_copy_field(csv_reader *r, const char *const *columns, size_t i, char *dst, size_t n,
                   socle_err *err);

/* Set err to "NAME:LINE: <message>" for the current record. Returns -1. */
int csv_error(const csv_reader *r, socle_err *err, socle_errcode code,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Write one field, quoted (RFC 4180) when it holds a comma, a quote, CR or
 * LF, and followed by a comma, or by a line feed when last is set. */
void csv_write_field(FILE *out, const char *value, int last);

#endif
