/*
 * csv.c - a streaming RFC 4180 CSV reader that knows its line numbers.
 *
 * The input is read in chunks and parsed one byte at a time by a small
 * state machine. Each record is kept twice: its fields, NUL-terminated one
 * after the other, and its raw bytes. The raw copy is what gets checked
 * for UTF-8, so that an error can name the byte as a user sees it in an
 * editor (line and column), not as an offset inside some field.
 *
 * The reader is strict on purpose: these files carry patient identities,
 * and a stray quote or a Latin-1 accent that is silently "repaired" ends
 * up as a wrong name in the repository.
 */
#include "util/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"

#define CSV_CHUNK 65536

struct csv_reader {
    FILE *in;
    char *name;

    unsigned char chunk[CSV_CHUNK];
    size_t pos, end;        /* unread bytes are chunk[pos..end) */
    int started;            /* the BOM check has been done */
    int failed;             /* an error was returned: stop there */

    unsigned long line;     /* physical line of the next byte, 1-based */
    unsigned long rec_line; /* physical line where the record starts */

    buf fields;             /* field values, each NUL-terminated */
    buf raw;                /* the record as read, without its line end */
    size_t offs[CSV_MAX_FIELDS];  /* where each field starts in `fields` */
    size_t nfields;
    size_t cur;             /* where the field being built starts */
};

enum { ST_START, ST_UNQUOTED, ST_QUOTED, ST_AFTER_QUOTE };

/* End of input and read errors are both reported as EOF; csv_next tells
 * them apart with ferror(). */
static int next_byte(csv_reader *r)
{
    if (r->pos == r->end) {
        r->pos = 0;
        r->end = fread(r->chunk, 1, sizeof r->chunk, r->in);
        if (r->end == 0)
            return EOF;
    }
    int c = r->chunk[r->pos++];
    if (c == '\n')
        r->line++;
    return c;
}

/* Give back the byte just read by next_byte (never EOF): it is still in
 * the chunk, since a refill only happens when the chunk is used up. */
static void unget_byte(csv_reader *r, int c)
{
    r->pos--;
    if (c == '\n')
        r->line--;
}

static void skip_bom(csv_reader *r)
{
    r->pos = 0;
    r->end = fread(r->chunk, 1, sizeof r->chunk, r->in);
    /* fread only returns short at end of file or on error, so three bytes
     * are here unless the file is shorter. */
    if (r->end >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
}

csv_reader *csv_reader_new(FILE *in, const char *name)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->name = strdup(name != NULL ? name : "-");
    if (r->name == NULL) {
        free(r);
        return NULL;
    }
    r->in = in;
    r->line = 1;
    return r;
}

void csv_reader_free(csv_reader *r)
{
    if (r == NULL)
        return;
    buf_free(&r->fields);
    buf_free(&r->raw);
    free(r->name);
    free(r);
}

int csv_error(const csv_reader *r, socle_err *err, socle_errcode code,
              const char *fmt, ...)
{
    char msg[SOCLE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, code, "%s:%lu: %s", r->name, r->rec_line, msg);
}

/* Terminate the field being built; the next one starts after its NUL. */
static int end_field(csv_reader *r, socle_err *err)
{
    if (r->nfields == CSV_MAX_FIELDS)
        return csv_error(r, err, SOCLE_EINVAL, "more than %d fields in the record",
                         CSV_MAX_FIELDS);
    r->offs[r->nfields++] = r->cur;
    buf_putc(&r->fields, '\0');
    r->cur = r->fields.len;
    return 0;
}

/* Record a raw byte of the record, enforcing the size limit. */
static int keep_raw(csv_reader *r, int c, socle_err *err)
{
    if (r->raw.len >= CSV_MAX_RECORD)
        return csv_error(r, err, SOCLE_EINVAL,
                         "record longer than %u bytes (unbalanced quote?)",
                         CSV_MAX_RECORD);
    buf_putc(&r->raw, (char)c);
    return 0;
}

/* Check the raw record for UTF-8 and name the faulty byte by its line and
 * 1-based column, as an editor would show them. */
static int check_utf8(csv_reader *r, socle_err *err)
{
    size_t bad;
    if (utf8_valid(r->raw.data != NULL ? r->raw.data : "", r->raw.len, &bad))
        return 0;

    const char *s = buf_cstr(&r->raw);
    unsigned long extra = 0;
    size_t line_start = 0;
    for (size_t i = 0; i < bad; i++) {
        if (s[i] == '\n') {
            extra++;
            line_start = i + 1;
        }
    }
    if (extra == 0)
        return csv_error(r, err, SOCLE_EINVAL,
                         "invalid UTF-8 at byte %zu of the line "
                         "(is the file Latin-1? convert it to UTF-8)", bad + 1);
    return csv_error(r, err, SOCLE_EINVAL,
                     "invalid UTF-8 at byte %zu of line %lu "
                     "(is the file Latin-1? convert it to UTF-8)",
                     bad - line_start + 1, r->rec_line + extra);
}

/* Parse one record into r->fields. Returns 1 with a record, 0 at end of
 * input, -1 on error. Empty lines are skipped. */
static int parse_record(csv_reader *r, socle_err *err)
{
    int state;
    int c;

again:
    buf_reset(&r->fields);
    buf_reset(&r->raw);
    r->nfields = 0;
    r->cur = 0;
    r->rec_line = r->line;
    state = ST_START;

    c = next_byte(r);
    if (c == EOF)
        return 0;
    if (c == '\n')
        goto again;
    if (c == '\r') {
        int d = next_byte(r);
        if (d == '\n')
            goto again;
        if (d != EOF)
            unget_byte(r, d);
        return csv_error(r, err, SOCLE_EINVAL,
                         "carriage return without line feed (old Mac line endings?)");
    }

    for (;; c = next_byte(r)) {
        if (c == 0)
            return csv_error(r, err, SOCLE_EINVAL,
                             "NUL byte in field %zu (is the file UTF-16? it must "
                             "be UTF-8)", r->nfields + 1);

        if (state == ST_QUOTED) {
            if (c == EOF)
                return csv_error(r, err, SOCLE_EINVAL,
                                 "unterminated quoted field (truncated file?)");
            if (keep_raw(r, c, err) != 0)
                return -1;
            if (c != '"') {
                buf_putc(&r->fields, (char)c);
                continue;
            }
            int d = next_byte(r);
            if (d == '"') {
                if (keep_raw(r, d, err) != 0)
                    return -1;
                buf_putc(&r->fields, '"');
                continue;
            }
            if (d != EOF)
                unget_byte(r, d);
            state = ST_AFTER_QUOTE;
            continue;
        }

        /* Outside quotes: a separator, a record end, or field content. */
        int record_end = 0;
        if (c == EOF || c == '\n') {
            record_end = 1;
        } else if (c == '\r') {
            int d = next_byte(r);
            if (d != '\n') {
                if (d != EOF)
                    unget_byte(r, d);
                return csv_error(r, err, SOCLE_EINVAL,
                                 "carriage return without line feed in field %zu",
                                 r->nfields + 1);
            }
            record_end = 1;
        }
        if (record_end || c == ',') {
            if (end_field(r, err) != 0)
                return -1;
            if (record_end)
                break;
            if (keep_raw(r, c, err) != 0)
                return -1;
            state = ST_START;
            continue;
        }

        if (keep_raw(r, c, err) != 0)
            return -1;
        if (state == ST_AFTER_QUOTE)
            return csv_error(r, err, SOCLE_EINVAL,
                             "unexpected text after the closing quote of field %zu",
                             r->nfields + 1);
        if (c == '"') {
            if (state == ST_START) {
                state = ST_QUOTED;
                continue;
            }
            return csv_error(r, err, SOCLE_EINVAL,
                             "quote inside unquoted field %zu (quote the whole "
                             "field and double the inner quotes)", r->nfields + 1);
        }
        buf_putc(&r->fields, (char)c);
        state = ST_UNQUOTED;
    }

    return check_utf8(r, err) == 0 ? 1 : -1;
}

int csv_next(csv_reader *r, socle_err *err)
{
    if (r->failed) {
        r->nfields = 0;
        return csv_error(r, err, SOCLE_EINVAL, "reading stopped after an error");
    }
    if (!r->started) {
        r->started = 1;
        skip_bom(r);
    }
    errno = 0;
    int rc = parse_record(r, err);
    /* A read error ends the input early: report it rather than what the
     * parser made of the truncated record. */
    if (ferror(r->in)) {
        int e = errno;
        rc = csv_error(r, err, SOCLE_EIO, "read error: %s",
                       e != 0 ? strerror(e) : "unknown error");
    }
    if (rc < 0) {
        r->failed = 1;
        r->nfields = 0;
    }
    return rc;
}

size_t csv_field_count(const csv_reader *r)
{
    return r->nfields;
}

const char *csv_field(const csv_reader *r, size_t i)
{
    if (i >= r->nfields)
        return "";
    return r->fields.data + r->offs[i];
}

unsigned long csv_line(const csv_reader *r)
{
    return r->rec_line;
}

const char *csv_name(const csv_reader *r)
{
    return r->name;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int csv_read_header(csv_reader *r, const char *const *columns, size_t n, socle_err *err)
{
    int rc = csv_next(r, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return err_set(err, SOCLE_EINVAL, "%s:1: empty file (expected the header %s%s...)",
                       csv_name(r), n > 0 ? columns[0] : "", n > 1 ? "," : "");
    return csv_expect_header(r, columns, n, err);
}

int csv_copy_field(csv_reader *r, const char *const *columns, size_t i, char *dst, size_t n,
                   socle_err *err)
{
    const char *v = csv_field(r, i);
    if (str_copy(dst, n, v) != 0)
        return csv_error(r, err, SOCLE_EINVAL, "%s is too long (%zu bytes, at most %zu)",
                         columns[i], strlen(v), n - 1);
    return 0;
}

int csv_expect_header(csv_reader *r, const char *const *columns, size_t n,
                      socle_err *err)
{
    if (r->nfields != n) {
        buf list = {0};
        for (size_t i = 0; i < n; i++)
            buf_printf(&list, "%s%s", i ? "," : "", columns[i]);
        csv_error(r, err, SOCLE_EINVAL, "expected %zu columns (%s), found %zu",
                  n, buf_cstr(&list), r->nfields);
        buf_free(&list);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *f = csv_field(r, i);
        size_t len = strlen(f);
        while (len > 0 && is_blank(f[len - 1]))
            len--;
        while (len > 0 && is_blank(*f)) {
            f++;
            len--;
        }
        if (strlen(columns[i]) != len || memcmp(f, columns[i], len) != 0)
            return csv_error(r, err, SOCLE_EINVAL,
                             "expected column %zu '%s', found '%.*s'",
                             i + 1, columns[i], (int)(len > 200 ? 200 : len), f);
    }
    return 0;
}

void csv_write_field(FILE *out, const char *value, int last)
{
    if (strpbrk(value, ",\"\r\n") == NULL) {
        fputs(value, out);
    } else {
        fputc('"', out);
        for (const char *p = value; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    }
    fputc(last ? '\n' : ',', out);
}
