/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * A zero-initialised buf is empty and valid. buf_free releases the storage;
 * buf_detach hands it to the caller (who then owns it and frees it with free()).
 * Allocation failure aborts the process: every caller would do the same.
 */
#ifndef SOCLE_UTIL_BUF_H
#define SOCLE_UTIL_BUF_H

#include <stddef.h>

typedef struct buf {
    char  *data;   /* NULL while nothing was ever appended */
    size_t len;    /* bytes used, excluding the terminating NUL */
    size_t cap;    /* bytes allocated */
} buf;

void  buf_append(buf *b, const void *data, size_t len);
void  buf_puts(buf *b, const char *s);
void  buf_putc(buf *b, char c);
void  buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void  buf_reset(buf *b);             /* len = 0, keeps the storage */
const char *buf_cstr(const buf *b);  /* "" when empty, never NULL */
char *buf_detach(buf *b);            /* caller owns the result (never NULL) */
void  buf_free(buf *b);

/* Copy src into dst of size n, truncating; returns -1 if it did not fit
 * (dst then holds the truncated, NUL-terminated prefix), 0 otherwise. */
int str_copy(char *dst, size_t n, const char *src);

#endif
