/*
 * utf8.c - strict UTF-8 validation (RFC 3629, Unicode table 3-7).
 *
 * The second byte of a sequence carries the range restrictions that rule
 * out overlong forms, surrogates and code points above U+10FFFF; checking
 * it against the table below rejects them without decoding.
 *
 * The offset reported is that of the byte starting the ill-formed sequence:
 * in a Latin-1 file read as UTF-8 this is the accented letter itself
 * (0xE9 for 'e acute'), which is what a user needs to find.
 */
#include "util/utf8.h"

int utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }

        size_t need;               /* continuation bytes after the lead */
        unsigned char lo = 0x80;   /* allowed range of the second byte */
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;         /* below: overlong */
            else if (c == 0xED)
                hi = 0x9F;         /* above: surrogates D800..DFFF */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;         /* below: overlong */
            else if (c == 0xF4)
                hi = 0x8F;         /* above: beyond U+10FFFF */
        } else {
            /* 0x80..0xC1 (stray continuation, overlong 2-byte) or F5..FF. */
            goto bad;
        }

        if (len - i <= need)
            goto bad;              /* truncated at the end of input */
        if (p[i + 1] < lo || p[i + 1] > hi)
            goto bad;
        for (size_t k = 2; k <= need; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
        i += need + 1;
    }
    return 1;

bad:
    if (bad_offset != NULL)
        *bad_offset = i;
    return 0;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}
