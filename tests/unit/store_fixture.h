/*
 * store_fixture.h - a new store in a new temporary data dir for each test
 * of a suite: TestSuite(x, .init = store_fixture_setup, .fini =
 * store_fixture_teardown), then `st` and `dir` in the tests.
 */
#ifndef SOCLE_TEST_STORE_FIXTURE_H
#define SOCLE_TEST_STORE_FIXTURE_H

#include "store/store.h"

extern char dir[64];   /* the data dir */
extern store *st;      /* open on it, migrated */

void store_fixture_setup(void);
void store_fixture_teardown(void);   /* closes st, removes dir */

#endif
