/*
 * test_array.c - growing arrays (util/array.h).
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/array.h"

typedef struct pair { int64_t a; char b[24]; } pair;

Test(array, push_keeps_every_element_in_order)
{
    struct { pair *items; size_t len, cap; } l = { 0 };
    for (int i = 0; i < 1000; i++) {
        pair *p = ARRAY_PUSH(l.items, l.len, l.cap);
        p->a = i;
        snprintf(p->b, sizeof p->b, "n%d", i);
    }
    cr_assert_eq(l.len, 1000);
    cr_assert_geq(l.cap, 1000);
    cr_assert_lt(l.cap, 2048, "grows by doubling from 8");
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(l.items[i].a, i);
        char want[24];
        snprintf(want, sizeof want, "n%d", i);
        cr_assert_str_eq(l.items[i].b, want);
    }
    free(l.items);
}

Test(array, grow_is_a_no_op_while_there_is_room)
{
    size_t cap = 0;
    int *v = array_grow(NULL, &cap, 0, sizeof *v);
    cr_assert_not_null(v);
    cr_assert_eq(cap, 8);
    int *same = array_grow(v, &cap, 7, sizeof *v);
    cr_assert_eq(same, v);
    cr_assert_eq(cap, 8);
    int *bigger = array_grow(v, &cap, 8, sizeof *v);
    cr_assert_eq(cap, 16);
    free(bigger);
}
