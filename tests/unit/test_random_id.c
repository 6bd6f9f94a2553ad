/*
 * test_random_id.c - unique identifiers (util/random_id.h).
 */
#include <criterion/criterion.h>

#include <ctype.h>
#include <string.h>

#include "util/random_id.h"

Test(random_id, hex_digits_of_the_asked_length_and_distinct)
{
    char a[33], b[33];
    memset(a, 'x', sizeof a);
    random_hex_id(a, 16);
    random_hex_id(b, 16);
    cr_assert_eq(strlen(a), 32);
    for (size_t i = 0; i < 32; i++)
        cr_assert(isxdigit((unsigned char)a[i]) && !islower((unsigned char)a[i]), "%s", a);
    cr_assert_str_neq(a, b);

    char c[17];
    random_hex_id(c, 8);
    cr_assert_eq(strlen(c), 16);
}
