/*
 * store_fixture.c - see store_fixture.h.
 */
#include "store_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char dir[64];
store *st;

void store_fixture_setup(void)
{
    strcpy(dir, "/tmp/socle-unit-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
}

void store_fixture_teardown(void)
{
    store_close(st);
    st = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}
