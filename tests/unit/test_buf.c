/*
 * test_buf.c - the growable buffer and str_copy.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

Test(buf, zero_initialised_is_empty_and_valid)
{
    buf b = {0};
    cr_assert_eq(b.len, 0);
    cr_assert_null(b.data);
    cr_assert_str_eq(buf_cstr(&b), "");
    buf_reset(&b);              /* must not touch the NULL storage */
    cr_assert_str_eq(buf_cstr(&b), "");
    buf_free(&b);
    cr_assert_null(b.data);
}

Test(buf, append_puts_putc_concatenate_and_terminate)
{
    buf b = {0};
    buf_puts(&b, "abc");
    buf_putc(&b, '-');
    buf_append(&b, "xyz123", 3);
    cr_assert_eq(b.len, 7);
    cr_assert_str_eq(buf_cstr(&b), "abc-xyz");
    cr_assert_eq(b.data[b.len], '\0');
    cr_assert_gt(b.cap, b.len);
    buf_free(&b);
}

Test(buf, append_keeps_embedded_nul_bytes)
{
    buf b = {0};
    buf_append(&b, "a\0b", 3);
    cr_assert_eq(b.len, 3);
    cr_assert_eq(memcmp(b.data, "a\0b", 4), 0);
    buf_free(&b);
}

Test(buf, append_of_nothing_still_gives_a_string)
{
    buf b = {0};
    buf_append(&b, NULL, 0);
    cr_assert_eq(b.len, 0);
    cr_assert_not_null(b.data);
    cr_assert_str_eq(b.data, "");
    buf_free(&b);
}

Test(buf, grows_across_many_reallocations)
{
    buf b = {0};
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    cr_assert_eq(b.len, 100000);
    cr_assert_eq(strlen(b.data), 100000);
    for (int i = 0; i < 100000; i += 9973)
        cr_assert_eq(b.data[i], (char)('a' + i % 26));
    buf_free(&b);
}

Test(buf, printf_appends_formatted_text)
{
    buf b = {0};
    buf_puts(&b, "n=");
    buf_printf(&b, "%d, s=%s", 42, "ok");
    cr_assert_str_eq(buf_cstr(&b), "n=42, s=ok");
    cr_assert_eq(b.len, strlen("n=42, s=ok"));
    buf_free(&b);
}

Test(buf, printf_larger_than_current_capacity)
{
    buf b = {0};
    buf_puts(&b, "x");
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    cr_assert_eq(b.len, 1 + 1 + 4999 + 1);
    cr_assert_eq(b.data[0], 'x');
    cr_assert_eq(b.data[1], '[');
    cr_assert_eq(b.data[2], 'q');
    cr_assert_eq(b.data[b.len - 1], ']');
    cr_assert_eq(b.data[b.len], '\0');
    buf_free(&b);
}

Test(buf, reset_keeps_storage)
{
    buf b = {0};
    buf_puts(&b, "hello world");
    char *p = b.data;
    size_t cap = b.cap;
    buf_reset(&b);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(buf_cstr(&b), "");
    cr_assert_eq(b.data, p);
    cr_assert_eq(b.cap, cap);
    buf_puts(&b, "hi");
    cr_assert_str_eq(buf_cstr(&b), "hi");
    buf_free(&b);
}

Test(buf, detach_hands_over_ownership)
{
    buf b = {0};
    buf_puts(&b, "owned");
    char *s = buf_detach(&b);
    cr_assert_str_eq(s, "owned");
    cr_assert_null(b.data);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.cap, 0);
    free(s);
    /* The buffer is reusable after detaching. */
    buf_puts(&b, "again");
    cr_assert_str_eq(buf_cstr(&b), "again");
    buf_free(&b);
}

Test(buf, detach_of_empty_is_an_empty_string)
{
    buf b = {0};
    char *s = buf_detach(&b);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "");
    free(s);
}

Test(str_copy, fits)
{
    char d[8];
    cr_assert_eq(str_copy(d, sizeof d, "1234567"), 0);
    cr_assert_str_eq(d, "1234567");
    cr_assert_eq(str_copy(d, sizeof d, ""), 0);
    cr_assert_str_eq(d, "");
}

Test(str_copy, truncates_and_reports)
{
    char d[8];
    memset(d, 'z', sizeof d);
    cr_assert_eq(str_copy(d, sizeof d, "12345678"), -1);
    cr_assert_str_eq(d, "1234567");
    cr_assert_eq(str_copy(d, 1, "abc"), -1);
    cr_assert_str_eq(d, "");
}

Test(str_copy, zero_size_writes_nothing)
{
    char d[2] = {'a', 'b'};
    cr_assert_eq(str_copy(d, 0, "x"), -1);
    cr_assert_eq(d[0], 'a');
    cr_assert_eq(d[1], 'b');
}
