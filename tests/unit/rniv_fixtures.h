/*
 * rniv_fixtures.h - synthetic identities for the RNIV unit tests.
 */
#ifndef SOCLE_TESTS_RNIV_FIXTURES_H
#define SOCLE_TESTS_RNIV_FIXTURES_H

#include "core/model.h"

identity_traits base_traits(void);       /* a valid, complete set of traits */
const char *base_ins(void);               /* a valid NIR matching base_traits */
void assert_invariants(const local_identity *li);
local_identity make_prov(void);
local_identity make_recup(void);
local_identity make_vali(void);
local_identity make_qual(void);

/* A refused transition must leave the identity exactly as it was. */
#define assert_unchanged(after, before) \
    cr_assert_eq(memcmp(&(after), &(before), sizeof(after)), 0, "identity changed on error")

#endif
