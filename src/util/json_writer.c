/*
 * json_writer.c - compact JSON text into a buf (json_writer.h).
 */
#include "util/json_writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(json_writer *w, buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

/* The comma between values; none after a key (its colon is written). */
static void before_value(json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->count[w->depth]++ > 0)
        buf_putc(w->out, ',');
}

static void jw_open(json_writer *w, char c)
{
    before_value(w);
    if (w->depth + 1 >= JW_MAX_DEPTH)
        abort();  /* a caller's bug: snapshots are a few levels deep */
    w->depth++;
    w->count[w->depth] = 0;
    buf_putc(w->out, c);
}

static void jw_close(json_writer *w, char c)
{
    if (w->depth == 0)
        abort();
    w->depth--;
    buf_putc(w->out, c);
}

void jw_object_begin(json_writer *w) { jw_open(w, '{'); }
void jw_object_end(json_writer *w)   { jw_close(w, '}'); }
void jw_array_begin(json_writer *w)  { jw_open(w, '['); }
void jw_array_end(json_writer *w)    { jw_close(w, ']'); }

/* A JSON string: runs of plain bytes copied in one append. */
static void put_string(buf *out, const char *s)
{
    buf_putc(out, '"');
    const char *run = s;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(out, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"':  buf_append(out, "\\\"", 2); break;
        case '\\': buf_append(out, "\\\\", 2); break;
        case '\b': buf_append(out, "\\b", 2); break;
        case '\f': buf_append(out, "\\f", 2); break;
        case '\n': buf_append(out, "\\n", 2); break;
        case '\r': buf_append(out, "\\r", 2); break;
        case '\t': buf_append(out, "\\t", 2); break;
        default: {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
            buf_append(out, esc, 6);
        }
        }
    }
    buf_append(out, run, strlen(run));
    buf_putc(out, '"');
}

void jw_key(json_writer *w, const char *key)
{
    before_value(w);
    put_string(w->out, key);
    buf_putc(w->out, ':');
    w->after_key = 1;
}

void jw_string(json_writer *w, const char *s)
{
    before_value(w);
    put_string(w->out, s ? s : "");
}

void jw_int(json_writer *w, int64_t v)
{
    before_value(w);
    char n[24];
    int len = snprintf(n, sizeof n, "%" PRId64, v);
    buf_append(w->out, n, (size_t)len);
}

void jw_bool(json_writer *w, int v)
{
    before_value(w);
    if (v)
        buf_append(w->out, "true", 4);
    else
        buf_append(w->out, "false", 5);
}

void jw_member_string(json_writer *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_string(w, s);
}

void jw_member_int(json_writer *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_member_bool(json_writer *w, const char *key, int v)
{
    jw_key(w, key);
    jw_bool(w, v);
}
