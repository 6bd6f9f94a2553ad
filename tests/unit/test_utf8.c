/*
 * test_utf8.c - strict UTF-8 validation.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "util/utf8.h"

/* Valid or not, with the offset of the first bad byte when not. */
static void expect_valid(const char *s, size_t len)
{
    size_t off = 12345;
    cr_assert_eq(utf8_valid(s, len, &off), 1, "should be valid (len %zu)", len);
    cr_assert_eq(off, 12345, "offset must be left alone when valid");
}

static void expect_invalid(const char *s, size_t len, size_t at)
{
    size_t off = 12345;
    cr_assert_eq(utf8_valid(s, len, &off), 0, "should be invalid (len %zu)", len);
    cr_assert_eq(off, at, "bad offset %zu, expected %zu", off, at);
    cr_assert_eq(utf8_valid(s, len, NULL), 0);
}

Test(utf8, ascii_and_empty)
{
    expect_valid("", 0);
    expect_valid("hello, world", 12);
    expect_valid("\x7F", 1);
}

Test(utf8, well_formed_multibyte)
{
    expect_valid("\xC3\xA9", 2);                 /* é U+00E9 */
    expect_valid("Fran\xC3\xA7oise", 9);
    expect_valid("\xC2\x80", 2);                 /* U+0080, smallest 2-byte */
    expect_valid("\xDF\xBF", 2);                 /* U+07FF */
    expect_valid("\xE0\xA0\x80", 3);             /* U+0800, smallest 3-byte */
    expect_valid("\xE2\x82\xAC", 3);             /* € */
    expect_valid("\xED\x9F\xBF", 3);             /* U+D7FF, just below surrogates */
    expect_valid("\xEE\x80\x80", 3);             /* U+E000, just above */
    expect_valid("\xEF\xBF\xBF", 3);             /* U+FFFF */
    expect_valid("\xF0\x90\x80\x80", 4);         /* U+10000 */
    expect_valid("\xF0\x9F\x98\x80", 4);         /* emoji */
    expect_valid("\xF4\x8F\xBF\xBF", 4);         /* U+10FFFF, the last one */
}

Test(utf8, latin1_bytes_are_rejected_at_the_letter)
{
    /* "Hélène" in Latin-1 */
    expect_invalid("H\xE9l\xE8ne", 6, 1);
    /* 'é' Latin-1 as last byte: truncated lead */
    expect_invalid("caf\xE9", 4, 3);
}

Test(utf8, stray_continuation_bytes)
{
    expect_invalid("\x80", 1, 0);
    expect_invalid("ab\xBF", 3, 2);
    expect_invalid("\xC3\xA9\xA9", 3, 2);
}

Test(utf8, overlong_forms)
{
    expect_invalid("\xC0\xAF", 2, 0);            /* '/' in 2 bytes */
    expect_invalid("\xC1\xBF", 2, 0);
    expect_invalid("x\xE0\x80\xAF", 4, 1);       /* '/' in 3 bytes */
    expect_invalid("\xE0\x9F\xBF", 3, 0);        /* U+07FF in 3 bytes */
    expect_invalid("\xF0\x80\x80\xAF", 4, 0);    /* '/' in 4 bytes */
    expect_invalid("\xF0\x8F\xBF\xBF", 4, 0);    /* U+FFFF in 4 bytes */
}

Test(utf8, surrogates)
{
    expect_invalid("\xED\xA0\x80", 3, 0);        /* U+D800 */
    expect_invalid("\xED\xAF\xBF", 3, 0);        /* U+DBFF */
    expect_invalid("ok\xED\xB0\x80", 5, 2);      /* U+DC00 */
    expect_invalid("\xED\xBF\xBF", 3, 0);        /* U+DFFF */
    /* A CESU-8 pair for U+1F600 */
    expect_invalid("\xED\xA0\xBD\xED\xB8\x80", 6, 0);
}

Test(utf8, beyond_last_code_point)
{
    expect_invalid("\xF4\x90\x80\x80", 4, 0);    /* U+110000 */
    expect_invalid("\xF5\x80\x80\x80", 4, 0);
    expect_invalid("\xF8\x88\x80\x80\x80", 5, 0); /* old 5-byte form */
    expect_invalid("\xFC\x84\x80\x80\x80\x80", 6, 0);
    expect_invalid("\xFE", 1, 0);
    expect_invalid("\xFF", 1, 0);
}

Test(utf8, truncated_sequences)
{
    expect_invalid("\xC3", 1, 0);
    expect_invalid("ab\xE2\x82", 4, 2);
    expect_invalid("\xF0\x9F\x98", 3, 0);
    /* Truncated by the length, not by a NUL: bytes past len are not read. */
    expect_invalid("\xE2\x82\xAC", 2, 0);
    /* A lead followed by ASCII instead of continuation bytes. */
    expect_invalid("\xE2\x82x", 3, 0);
    expect_invalid("\xF0\x9F\x98x", 4, 0);
    expect_invalid("\xC3 ", 2, 0);
}

Test(utf8, respects_length_not_nul)
{
    /* The bad byte is past len: valid. */
    expect_valid("abc\xFF", 3);
    /* A NUL is a valid code point; validation is by length. */
    expect_valid("a\0b", 3);
}

Test(utf8, length_counts_code_points)
{
    cr_assert_eq(utf8_length(""), 0);
    cr_assert_eq(utf8_length("abc"), 3);
    cr_assert_eq(utf8_length("H\xC3\xA9l\xC3\xA8ne"), 6);
    cr_assert_eq(utf8_length("\xE2\x82\xAC\xF0\x9F\x98\x80"), 2);
    cr_assert_eq(utf8_length("\xF4\x8F\xBF\xBF!"), 2);
}
