/*
 * rniv_fixtures.c - synthetic identities at each RNIV status, shared by the
 * RNIV unit tests.
 */
#include "rniv_fixtures.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "core/ins.h"
#include "core/rniv.h"

/* ---- Fixtures --------------------------------------------------------- */

/* A woman born 1985-05-17 in Paris (75056). */
identity_traits base_traits(void)
{
    identity_traits t;
    memset(&t, 0, sizeof t);
    strcpy(t.birth_name, "LEFANTOME");
    strcpy(t.first_forename, "ZELIA");
    strcpy(t.forenames, "ZELIA MAUD");
    strcpy(t.birth_date, "1985-05-17");
    t.sex = 'F';
    strcpy(t.birth_place, "75056");
    return t;
}

/* Her INS: 2 85 05 75 056 123 + key. */
const char *base_ins(void)
{
    static char ins[INS_LEN + 1];
    int key = ins_compute_key("2850575056123");
    cr_assert_geq(key, 1);
    snprintf(ins, sizeof ins, "2850575056123%02d", key);
    return ins;
}

void assert_invariants(const local_identity *li)
{
    socle_err err = { 0 };
    cr_assert_eq(rniv_check(li, &err), 0, "invariant broken: %s", err.msg);
    /* INS non-empty iff INSi verified, after every transition. */
    cr_assert_eq(li->ins[0] != '\0', li->insi_verified != 0);
}

local_identity make_prov(void)
{
    local_identity li;
    memset(&li, 0, sizeof li);
    li.id = 1;
    li.domain_id = 1;
    strcpy(li.ipp, "IPP0001");
    li.traits = base_traits();
    li.status = RNIV_PROV;
    assert_invariants(&li);
    return li;
}

local_identity make_recup(void)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_assert_eq(li.status, RNIV_RECUP);
    return li;
}

local_identity make_vali(void)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_proof(&li, "CN", &err), 0, "%s", err.msg);
    cr_assert_eq(li.status, RNIV_VALI);
    return li;
}

local_identity make_qual(void)
{
    local_identity li = make_recup();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_proof(&li, "PA", &err), 0, "%s", err.msg);
    cr_assert_eq(li.status, RNIV_QUAL);
    return li;
}
