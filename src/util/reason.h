/*
 * reason.h - one-line reasons for the validity checks that answer "valid or
 * not, and why" (INS, FINESS, OID): an optional caller buffer, filled only
 * when the caller asked for it.
 */
#ifndef SOCLE_UTIL_REASON_H
#define SOCLE_UTIL_REASON_H

#include <stddef.h>

/* Write a reason if why is not NULL; always returns 0 so that
 * `return reason_set(...)` reads as "not valid". */
int reason_set(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void reason_clear(char *why, size_t why_len);

/* "character 'X'" for printable ASCII, "byte 0xE9" otherwise, so that a
 * reason stays one clean line whatever byte the input holds. */
void reason_describe_char(char c, char *out, size_t n);

#endif
