/*
 * test_rniv_transitions.c - every RNIV transition (INSi, documents, trait
 * changes, attributes, INS removal) and the invariants rniv_check enforces.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ins.h"
#include "core/rniv.h"
#include "rniv_fixtures.h"

/* ---- Transitions: INSi and documents ---------------------------------- */

Test(transition, prov_to_recup_by_insi)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_RECUP);
    cr_expect_str_eq(li.ins, base_ins());
    cr_expect_str_eq(li.ins_oid, INS_OID_NIR);
    cr_expect_str_eq(li.insi_at, "2024-03-01T10:00:00Z");
    cr_expect_eq(li.insi_verified, 1);
    assert_invariants(&li);
}

Test(transition, insi_with_nia_oid)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIA, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_str_eq(li.ins_oid, INS_OID_NIA);
    assert_invariants(&li);
}

Test(transition, prov_to_vali_by_each_high_trust_proof)
{
    const char *high[] = { "CN", "PA", "CE", "CS", "cn" };
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++) {
        local_identity li = make_prov();
        socle_err err = { 0 };
        cr_assert_eq(rniv_record_proof(&li, high[i], &err), 0, "%s", err.msg);
        cr_expect_eq(li.status, RNIV_VALI, "%s", high[i]);
        cr_expect_str_eq(li.ins, "");
        assert_invariants(&li);
    }
    /* The code is stored in its canonical form. */
    local_identity li = make_prov();
    cr_assert_eq(rniv_record_proof(&li, "pa", NULL), 0);
    cr_expect_str_eq(li.proof_type, "PA");
}

Test(transition, recup_to_qual_by_proof)
{
    local_identity li = make_recup();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_proof(&li, "CN", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.ins, base_ins());
    assert_invariants(&li);
}

Test(transition, vali_to_qual_by_insi)
{
    local_identity li = make_vali();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-02T08:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.proof_type, "CN");
    assert_invariants(&li);
}

Test(transition, low_trust_proof_changes_no_status)
{
    socle_err err = { 0 };
    local_identity li = make_prov();
    cr_assert_eq(rniv_record_proof(&li, "LE", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.proof_type, "LE");
    assert_invariants(&li);

    li = make_recup();
    cr_assert_eq(rniv_record_proof(&li, "PC", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_RECUP);
    cr_expect_str_eq(li.proof_type, "PC");
    assert_invariants(&li);

    /* Never replaces a high-trust document already seen. */
    li = make_vali();
    cr_assert_eq(rniv_record_proof(&li, "AN", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_VALI);
    cr_expect_str_eq(li.proof_type, "CN");
    li = make_qual();
    cr_assert_eq(rniv_record_proof(&li, "TC", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.proof_type, "PA");
    assert_invariants(&li);
}

Test(transition, unknown_proof_refused)
{
    local_identity li = make_prov(), before;
    memcpy(&before, &li, sizeof li);
    socle_err err = { 0 };
    cr_expect_eq(rniv_record_proof(&li, "XX", &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    cr_expect(strstr(err.msg, "proof_type") != NULL, "%s", err.msg);
    cr_expect_eq(rniv_record_proof(&li, NULL, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    assert_unchanged(li, before);
}

Test(transition, proof_refused_on_doubtful_or_fictitious)
{
    socle_err err = { 0 };
    local_identity li = make_prov(), before;
    li.attributes = RNIV_ATTR_DOUBTFUL;
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_record_proof(&li, "CN", &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);

    li = make_prov();
    li.attributes = RNIV_ATTR_FICTITIOUS;
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_record_proof(&li, "CN", &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);
}

/* INSi disagreeing on one blocking trait: refused, nothing changed. */
static void expect_insi_blocked(void (*alter)(identity_traits *), const char *trait)
{
    local_identity li = make_vali(), before;
    memcpy(&before, &li, sizeof li);
    identity_traits insi = base_traits();
    alter(&insi);
    socle_err err = { 0 };
    cr_expect_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), -1, "%s", trait);
    cr_expect_eq(err.code, SOCLE_ERULE, "%s: %s", trait, err.msg);
    cr_expect(strstr(err.msg, trait) != NULL, "'%s' not named in '%s'", trait, err.msg);
    assert_unchanged(li, before);
}

static void alter_birth_name(identity_traits *t) { strcpy(t->birth_name, "LEFANTOMAS"); }
static void alter_first_forename(identity_traits *t)
{
    strcpy(t->first_forename, "ZELIE");
    strcpy(t->forenames, "ZELIE MAUD");
}
static void alter_sex(identity_traits *t) { t->sex = 'U'; }
static void alter_birth_date(identity_traits *t) { strcpy(t->birth_date, "1985-05-18"); }

Test(insi, mismatch_birth_name_refused) { expect_insi_blocked(alter_birth_name, "birth name"); }
Test(insi, mismatch_first_forename_refused) { expect_insi_blocked(alter_first_forename, "first forename"); }
Test(insi, mismatch_sex_refused) { expect_insi_blocked(alter_sex, "sex"); }
Test(insi, mismatch_birth_date_refused) { expect_insi_blocked(alter_birth_date, "birth date"); }

Test(insi, forename_list_and_birth_place_overwritten)
{
    local_identity li = make_prov();
    strcpy(li.traits.used_name, "MARIVEAU");
    identity_traits insi = base_traits();
    strcpy(insi.forenames, "ZELIA MAUD ODILE");
    strcpy(insi.birth_place, "69123");
    strcpy(insi.used_name, "IGNORED");
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_RECUP);
    cr_expect_str_eq(li.traits.forenames, "ZELIA MAUD ODILE");
    cr_expect_str_eq(li.traits.birth_place, "69123");
    /* Complementary traits stay local. */
    cr_expect_str_eq(li.traits.used_name, "MARIVEAU");
    assert_invariants(&li);
}

Test(insi, spelling_differences_overwritten)
{
    local_identity li = make_prov();
    strcpy(li.traits.birth_name, "Lefantome");
    strcpy(li.traits.first_forename, "Z\xc3\xa9lia");
    strcpy(li.traits.forenames, "Z\xc3\xa9lia Maud");
    identity_traits insi = base_traits();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_str_eq(li.traits.birth_name, "LEFANTOME");
    cr_expect_str_eq(li.traits.first_forename, "ZELIA");
}

static void expect_insi_refused(local_identity li, const char *ins, const char *oid,
                                const identity_traits *insi, const char *at,
                                socle_errcode code, const char *needle)
{
    local_identity before;
    memcpy(&before, &li, sizeof li);
    socle_err err = { 0 };
    cr_expect_eq(rniv_record_insi(&li, ins, oid, insi, at, &err), -1, "%s", needle);
    cr_expect_eq(err.code, code, "%s: %s", needle, err.msg);
    cr_expect(strstr(err.msg, needle) != NULL, "'%s' not in '%s'", needle, err.msg);
    assert_unchanged(li, before);
}

Test(insi, bad_key_refused)
{
    identity_traits insi = base_traits();
    char ins[INS_LEN + 1];
    strcpy(ins, base_ins());
    ins[14] = ins[14] == '9' ? '0' : (char)(ins[14] + 1);
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi, "2024-03-01T10:00:00Z",
                        SOCLE_EINVAL, "ins: key is");
    expect_insi_refused(make_prov(), "2850575056", INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins: length is 10");
    expect_insi_refused(make_prov(), NULL, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins:");
}

Test(insi, wrong_oid_refused)
{
    identity_traits insi = base_traits();
    expect_insi_refused(make_prov(), base_ins(), "1.2.250.1.213.1.4.2", &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins_oid:");
    expect_insi_refused(make_prov(), base_ins(), "not an oid", &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins_oid:");
    expect_insi_refused(make_prov(), base_ins(), NULL, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins_oid:");
}

Test(insi, test_and_demo_oid_refused)
{
    identity_traits insi = base_traits();
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR_TEST, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "test or demonstration");
    expect_insi_refused(make_vali(), base_ins(), INS_OID_NIR_DEMO, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "test or demonstration");
}

Test(insi, matricule_inconsistent_with_traits_refused)
{
    identity_traits insi = base_traits();
    /* A male matricule for a woman. */
    char ins[INS_LEN + 1];
    snprintf(ins, sizeof ins, "1850575056123%02d", ins_compute_key("1850575056123"));
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "sex digit is 1");
    /* Born in 1986 according to the matricule. */
    snprintf(ins, sizeof ins, "2860575056123%02d", ins_compute_key("2860575056123"));
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "year digits");
    /* Born in June according to the matricule. */
    snprintf(ins, sizeof ins, "2850675056123%02d", ins_compute_key("2850675056123"));
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "month digits");
}

Test(insi, refused_on_doubtful_or_fictitious)
{
    identity_traits insi = base_traits();
    local_identity li = make_prov();
    li.attributes = RNIV_ATTR_DOUBTFUL;
    expect_insi_refused(li, base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "doubtful");
    li = make_prov();
    li.attributes = RNIV_ATTR_FICTITIOUS;
    expect_insi_refused(li, base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "fictitious");
}

Test(insi, bad_input_refused)
{
    identity_traits insi = base_traits();
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi, "",
                        SOCLE_EINVAL, "insi_at: missing");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi, NULL,
                        SOCLE_EINVAL, "insi_at: missing");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00.000000000000000+01:00",
                        SOCLE_EINVAL, "insi_at: longer");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, NULL,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "INSi traits");
    strcpy(insi.birth_date, "1985-02-30");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL,
                        "INSi traits: birth_date: 1985-02-30 is not a real date");
}

/* ---- Transitions: trait changes --------------------------------------- */

Test(traits, strict_change_on_qual_goes_back_to_prov)
{
    local_identity li = make_qual();
    identity_traits t = li.traits;
    strcpy(t.birth_date, "1985-05-16");
    int down = -1;
    socle_err err = { 0 };
    cr_assert_eq(rniv_apply_traits(&li, &t, &down, &err), 0, "%s", err.msg);
    cr_expect_eq(down, 1);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.ins, "");
    cr_expect_str_eq(li.ins_oid, "");
    cr_expect_eq(li.insi_verified, 0);
    cr_expect_str_eq(li.insi_at, "");
    cr_expect_str_eq(li.proof_type, "");
    cr_expect_str_eq(li.traits.birth_date, "1985-05-16");
    assert_invariants(&li);
}

Test(traits, strict_change_downgrades_each_verified_status)
{
    local_identity (*make[])(void) = { make_recup, make_vali, make_qual };
    for (size_t i = 0; i < 3; i++) {
        local_identity li = make[i]();
        identity_traits t = li.traits;
        strcpy(t.birth_place, "2A004");
        int down = 0;
        cr_assert_eq(rniv_apply_traits(&li, &t, &down, NULL), 0);
        cr_expect_eq(down, 1);
        cr_expect_eq(li.status, RNIV_PROV);
        assert_invariants(&li);
    }
}

Test(traits, strict_change_on_prov_stays_prov)
{
    local_identity li = make_prov();
    identity_traits t = li.traits;
    strcpy(t.birth_name, "LEFANTOMAS");
    int down = -1;
    cr_assert_eq(rniv_apply_traits(&li, &t, &down, NULL), 0);
    cr_expect_eq(down, 0);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.traits.birth_name, "LEFANTOMAS");
    assert_invariants(&li);
}

Test(traits, complementary_change_keeps_status)
{
    local_identity li = make_qual();
    identity_traits t = li.traits;
    strcpy(t.used_name, "MARIVEAU");
    strcpy(t.used_forename, "ZAZA");
    int down = -1;
    socle_err err = { 0 };
    cr_assert_eq(rniv_apply_traits(&li, &t, &down, &err), 0, "%s", err.msg);
    cr_expect_eq(down, 0);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.ins, base_ins());
    cr_expect_str_eq(li.traits.used_name, "MARIVEAU");
    assert_invariants(&li);
}

Test(traits, spelling_only_change_keeps_status)
{
    local_identity li = make_qual();
    identity_traits t = li.traits;
    strcpy(t.birth_name, "Lefantome");
    cr_assert_eq(rniv_apply_traits(&li, &t, NULL, NULL), 0);
    cr_expect_eq(li.status, RNIV_QUAL);
    assert_invariants(&li);
}

Test(traits, invalid_traits_refused_unchanged)
{
    local_identity li = make_qual(), before;
    memcpy(&before, &li, sizeof li);
    identity_traits t = li.traits;
    strcpy(t.birth_date, "1985-02-30");
    socle_err err = { 0 };
    int down = -1;
    cr_expect_eq(rniv_apply_traits(&li, &t, &down, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    cr_expect_str_eq(err.msg, "birth_date: 1985-02-30 is not a real date");
    cr_expect_eq(down, 0);
    assert_unchanged(li, before);
    cr_expect_eq(rniv_apply_traits(&li, NULL, NULL, &err), -1);
    assert_unchanged(li, before);
}

/* ---- Transitions: attributes and INS removal -------------------------- */

Test(attribute, doubtful_sets_prov_and_removes_ins)
{
    local_identity li = make_qual();
    socle_err err = { 0 };
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 1, &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.ins, "");
    cr_expect_eq(li.insi_verified, 0);
    cr_expect_str_eq(li.proof_type, "");
    cr_expect(li.attributes & RNIV_ATTR_DOUBTFUL);
    assert_invariants(&li);
    /* Cleared again: the attribute goes, the status stays PROV. */
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 0, &err), 0);
    cr_expect_eq(li.attributes, 0);
    cr_expect_eq(li.status, RNIV_PROV);
    assert_invariants(&li);
}

Test(attribute, fictitious_on_prov)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), 0, "%s", err.msg);
    cr_expect_eq(li.attributes, RNIV_ATTR_FICTITIOUS);
    assert_invariants(&li);
}

Test(attribute, fictitious_refused_on_non_prov)
{
    local_identity (*make[])(void) = { make_recup, make_vali, make_qual };
    for (size_t i = 0; i < 3; i++) {
        local_identity li = make[i](), before;
        memcpy(&before, &li, sizeof li);
        socle_err err = { 0 };
        cr_expect_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), -1);
        cr_expect_eq(err.code, SOCLE_ERULE);
        cr_expect(strstr(err.msg, "PROV") != NULL, "%s", err.msg);
        assert_unchanged(li, before);
    }
}

Test(attribute, doubtful_and_fictitious_refused)
{
    socle_err err = { 0 };
    local_identity li = make_prov(), before;
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), 0);
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 1, &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);

    li = make_prov();
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 1, &err), 0);
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);
}

Test(attribute, homonym_allowed_on_qual)
{
    local_identity li = make_qual();
    socle_err err = { 0 };
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_HOMONYM, 1, &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_eq(li.attributes, RNIV_ATTR_HOMONYM);
    cr_expect_str_eq(li.ins, base_ins());
    assert_invariants(&li);
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_HOMONYM, 0, &err), 0);
    cr_expect_eq(li.attributes, 0);
}

Test(attribute, unknown_attribute_refused)
{
    local_identity li = make_prov(), before;
    memcpy(&before, &li, sizeof li);
    socle_err err = { 0 };
    unsigned bad[] = { 0, 0x8, RNIV_ATTR_DOUBTFUL | RNIV_ATTR_HOMONYM };
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(rniv_set_attribute(&li, bad[i], 1, &err), -1);
        cr_expect_eq(err.code, SOCLE_EINVAL);
    }
    assert_unchanged(li, before);
    cr_expect_eq(rniv_set_attribute(NULL, RNIV_ATTR_HOMONYM, 1, &err), -1);
}

Test(remove_ins, qual_gives_vali_recup_gives_prov)
{
    local_identity li = make_qual();
    rniv_remove_ins(&li);
    cr_expect_eq(li.status, RNIV_VALI);
    cr_expect_str_eq(li.ins, "");
    cr_expect_str_eq(li.ins_oid, "");
    cr_expect_str_eq(li.proof_type, "PA");
    assert_invariants(&li);

    li = make_recup();
    rniv_remove_ins(&li);
    cr_expect_eq(li.status, RNIV_PROV);
    assert_invariants(&li);

    rniv_remove_ins(NULL);
}

/* ---- rniv_check: each broken invariant -------------------------------- */

static void expect_broken(const local_identity *li, const char *needle)
{
    socle_err err = { 0 };
    cr_expect_eq(rniv_check(li, &err), -1, "expected '%s'", needle);
    cr_expect_eq(err.code, SOCLE_EINTERNAL, "%s", err.msg);
    cr_expect(strstr(err.msg, needle) != NULL, "'%s' not in '%s'", needle, err.msg);
}

Test(check, valid_identities_pass)
{
    local_identity li;
    li = make_prov(); assert_invariants(&li);
    li = make_recup(); assert_invariants(&li);
    li = make_vali(); assert_invariants(&li);
    li = make_qual(); assert_invariants(&li);
    cr_expect_eq(rniv_check(NULL, NULL), -1);
}

Test(check, status_does_not_match_verifications)
{
    local_identity li = make_prov();
    li.status = RNIV_QUAL;
    expect_broken(&li, "status: is QUAL");
    li = make_qual();
    li.proof_type[0] = '\0';
    expect_broken(&li, "give RECUP");
    li = make_vali();
    li.status = RNIV_PROV;
    expect_broken(&li, "give VALI");
    li = make_prov();
    li.status = (rniv_status)7;
    expect_broken(&li, "status: 7");
}

Test(check, ins_and_insi)
{
    local_identity li = make_vali();
    strcpy(li.ins, base_ins());
    strcpy(li.ins_oid, INS_OID_NIR);
    expect_broken(&li, "ins: present although INSi did not verify it");

    li = make_qual();
    li.ins[0] = '\0';
    expect_broken(&li, "ins: missing although INSi verified it");

    li = make_prov();
    strcpy(li.ins_oid, INS_OID_NIR);
    expect_broken(&li, "ins_oid: present without an INS");

    li = make_qual();
    strcpy(li.ins, "260058815400244");
    expect_broken(&li, "ins: key is 44, expected 33");

    li = make_qual();
    strcpy(li.ins_oid, INS_OID_NIR_TEST);
    expect_broken(&li, "ins_oid:");

    li = make_recup();
    li.insi_at[0] = '\0';
    expect_broken(&li, "insi_at:");
}

Test(check, proof)
{
    local_identity li = make_prov();
    strcpy(li.proof_type, "ZZ");
    expect_broken(&li, "proof_type: 'ZZ'");
    li = make_prov();
    memset(li.proof_type, 'C', sizeof li.proof_type);
    expect_broken(&li, "unterminated");
}

Test(check, attributes)
{
    local_identity li = make_prov();
    li.attributes = 0x10;
    expect_broken(&li, "attributes: unknown bits 0x10");
    li = make_prov();
    li.attributes = RNIV_ATTR_DOUBTFUL | RNIV_ATTR_FICTITIOUS;
    expect_broken(&li, "doubtful and fictitious");
    li = make_qual();
    li.attributes = RNIV_ATTR_DOUBTFUL;
    expect_broken(&li, "doubtful identity must be PROV, is QUAL");
    li = make_vali();
    li.attributes = RNIV_ATTR_FICTITIOUS;
    expect_broken(&li, "fictitious identity must be PROV, is VALI");
    li = make_qual();
    li.attributes = RNIV_ATTR_HOMONYM;
    assert_invariants(&li);
}
