/*
 * buf.c - growable byte buffer.
 *
 * The buffer keeps one spare byte for the terminating NUL so that
 * buf_cstr() never has to copy. Capacity doubles, which keeps repeated
 * appends amortised O(1).
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Allocation failure is not recoverable in any caller: say so and stop. */
static void buf_oom(size_t want)
{
    fprintf(stderr, "socle: out of memory (%zu bytes)\n", want);
    abort();
}

/* Make room for `extra` more bytes plus the NUL. */
static void buf_grow(buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        buf_oom(SIZE_MAX);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        buf_oom(cap);
    b->data = p;
    b->cap = cap;
}

void buf_append(buf *b, const void *data, size_t len)
{
    buf_grow(b, len);
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
    buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;

    /* First try in the space already there; most calls fit. */
    buf_grow(b, 0);
    size_t room = b->cap - b->len;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        /* Encoding error: leave the buffer as it was. */
        b->data[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        buf_grow(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

const char *buf_cstr(const buf *b)
{
    return b->data != NULL ? b->data : "";
}

char *buf_detach(buf *b)
{
    char *p = b->data;
    if (p == NULL) {
        p = malloc(1);
        if (p == NULL)
            buf_oom(1);
        p[0] = '\0';
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void buf_free(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int str_copy(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return -1;
    size_t len = strlen(src);
    if (len < n) {
        memcpy(dst, src, len + 1);
        return 0;
    }
    memcpy(dst, src, n - 1);
    dst[n - 1] = '\0';
    return -1;
}
