/*
 * utf8.h - UTF-8 validation.
 */
#ifndef SOCLE_UTIL_UTF8_H
#define SOCLE_UTIL_UTF8_H

#include <stddef.h>

/* Returns 1 when s[0..len) is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF), 0 otherwise. When not valid and
 * bad_offset is not NULL, stores the offset of the first invalid byte. */
int utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* Number of code points of a valid UTF-8 string. */
size_t utf8_length(const char *s);

#endif
