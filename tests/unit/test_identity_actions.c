/*
 * test_identity_actions.c - the RNIV actions of the identity repository
 * (documents, INSi, attributes, INS removal), audited reads, optimistic
 * concurrency and the audit chain after a busy session.
 *
 * Synthetic people only; see identity_fixtures.c.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ins.h"
#include "core/rniv.h"
#include "identity_fixtures.h"

TestSuite(identity_actions, .init = identity_setup, .fini = identity_teardown);


/* ---- RNIV actions ----------------------------------------------------- */

static identity_result create_prov(const char *oid, const char *ipp, identity_traits t)
{
    identity_result res = create(oid, ipp, t);
    cr_assert_eq(get_local(res.local_id).status, RNIV_PROV);
    return res;
}

/* A QUAL identity made by the identity cell: document, then INSi. */
static identity_result create_qual(const char *oid, const char *ipp, identity_traits t,
                                   int order, char ins_out[SOCLE_INS_MAX])
{
    identity_result res = create_prov(oid, ipp, t);
    socle_err err = { 0 };
    cr_assert_eq(identity_record_proof(st, &actor, res.local_id, "CN", &err), 0, "%s",
                 err.msg);
    make_ins(ins_out, t.sex, t.birth_date, order);
    cr_assert_eq(identity_record_insi(st, &actor, res.local_id, ins_out, INS_OID_NIR, &t,
                                      NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(get_local(res.local_id).status, RNIV_QUAL);
    return res;
}

Test(identity_actions, record_proof_high_trust_makes_vali)
{
    identity_result r = create_prov(OID_A, "IPP-A-0500", traits_m());
    store_counts before = counts();
    socle_err err = { 0 };
    cr_assert_eq(identity_record_proof(st, &actor, r.local_id, "CN", &err), 0, "%s", err.msg);

    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_VALI);
    cr_assert_str_eq(li.proof_type, "CN");
    cr_assert_str_empty(li.ins);
    cr_assert_eq(li.version, 2);
    assert_rniv_ok(&li);
    cr_assert_eq(counts().audit_records, before.audit_records + 1);

    hist_list h = history("local_identity", r.local_id);
    cr_assert_eq(h.n, 2);
    cr_assert_str_eq(h.action[1], "identity.proof");
    audit_list a = audit_since(before.audit_records + 1);
    cr_assert_str_eq(a.rec[0].action, "identity.proof");
    cr_assert_str_eq(a.rec[0].outcome, "success");

    /* A low-trust document afterwards changes nothing. */
    cr_assert_eq(identity_record_proof(st, &actor, r.local_id, "PC", &err), 0, "%s", err.msg);
    li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_VALI);
    cr_assert_str_eq(li.proof_type, "CN");
    cr_assert_eq(li.version, 2);
    assert_audit_intact();
}

Test(identity_actions, record_proof_refusals)
{
    identity_result r = create_prov(OID_A, "IPP-A-0501", traits_m());
    store_counts before = counts();
    socle_err err = { 0 };
    cr_assert_eq(identity_record_proof(st, &actor, r.local_id, "ZZ", &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_eq(get_local(r.local_id).version, 1);
    assert_counts_eq(counts(), before);  /* not a business refusal: no trace */

    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_record_proof(st, &actor, 987654, "CN", &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);
    assert_counts_eq(counts(), before);
}

Test(identity_actions, record_insi_makes_recup_then_proof_makes_qual)
{
    identity_traits t = traits_f();
    identity_result r = create_prov(OID_B, "IPP-B-0510", t);
    char ins[SOCLE_INS_MAX];
    make_ins(ins, t.sex, t.birth_date, 511);

    identity_result res;
    socle_err err = { 0 };
    cr_assert_eq(identity_record_insi(st, &actor, r.local_id, ins, INS_OID_NIR, &t, &res,
                                      &err), 0, "%s", err.msg);
    cr_assert_eq(res.outcome, IDENTITY_UPDATED);
    cr_assert_eq(res.local_id, r.local_id);
    cr_assert_eq(res.ght_id, r.ght_id);
    cr_assert_eq(res.merge_id, 0);
    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_RECUP);
    cr_assert_str_eq(li.ins, ins);
    cr_assert_eq(li.insi_verified, 1);
    assert_rniv_ok(&li);
    hist_list h = history("local_identity", r.local_id);
    cr_assert_str_eq(h.action[h.n - 1], "identity.insi");

    cr_assert_eq(identity_record_proof(st, &actor, r.local_id, "PA", &err), 0, "%s", err.msg);
    li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_QUAL);
    cr_assert_str_eq(li.ins, ins);
    assert_rniv_ok(&li);
    assert_audit_intact();
}

Test(identity_actions, record_insi_on_vali_makes_qual)
{
    identity_traits t = traits_m();
    char ins[SOCLE_INS_MAX];
    identity_result r = create_qual(OID_A, "IPP-A-0520", t, 521, ins);
    local_identity li = get_local(r.local_id);
    cr_assert_str_eq(li.ins, ins);
    cr_assert_str_eq(li.proof_type, "CN");
    cr_assert_eq(li.insi_verified, 1);
    assert_rniv_ok(&li);
    assert_audit_intact();
}

Test(identity_actions, record_insi_disagreeing_is_denied_and_traced)
{
    identity_traits t = traits_m();
    identity_result r = create_prov(OID_A, "IPP-A-0530", t);
    store_counts before = counts();

    identity_traits insi = t;
    strcpy(insi.birth_name, "DUPOND-TEST");
    char ins[SOCLE_INS_MAX];
    make_ins(ins, t.sex, t.birth_date, 531);
    identity_result res;
    socle_err err = { 0 };
    cr_assert_eq(identity_record_insi(st, &actor, r.local_id, ins, INS_OID_NIR, &insi, &res,
                                      &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    cr_assert_not_null(strstr(err.msg, "birth name"), "%s", err.msg);

    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.version, 1);
    cr_assert_eq(li.status, RNIV_PROV);
    cr_assert_str_empty(li.ins);
    store_counts after = counts();
    cr_assert_eq(after.audit_records, before.audit_records + 1);
    audit_list a = audit_since(before.audit_records + 1);
    cr_assert_str_eq(a.rec[0].action, "identity.insi");
    cr_assert_str_eq(a.rec[0].outcome, "denied");
    assert_audit_intact();
}

Test(identity_actions, strict_trait_change_on_qual_downgrades)
{
    identity_traits t = traits_m();
    char ins[SOCLE_INS_MAX];
    identity_result r = create_qual(OID_A, "IPP-A-0600", t, 601, ins);
    int64_t version = get_local(r.local_id).version;

    /* The source sends a corrected birth name (without INS or document). */
    identity_input in = input(OID_A, "IPP-A-0600", t);
    strcpy(in.traits.birth_name, "DUPONT-TESTE");
    identity_result res = upsert_ok(&in);

    cr_assert_eq(res.outcome, IDENTITY_UPDATED);
    cr_assert_eq(res.downgraded, 1);
    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_PROV);
    cr_assert_str_eq(li.traits.birth_name, "DUPONT-TESTE");
    cr_assert_str_empty(li.ins);
    cr_assert_str_empty(li.ins_oid);
    cr_assert_eq(li.insi_verified, 0);
    cr_assert_str_empty(li.proof_type);
    cr_assert_eq(li.version, version + 1);
    assert_rniv_ok(&li);

    hist_list h = history("local_identity", r.local_id);
    cr_assert_str_eq(h.action[h.n - 1], "identity.update");
    cr_assert_str_not_empty(h.reason[h.n - 1]);

    /* A change of case or accents only is not a change of strict trait. */
    identity_traits t2 = traits_f();
    char ins2[SOCLE_INS_MAX];
    identity_result r2 = create_qual(OID_B, "IPP-B-0600", t2, 602, ins2);
    identity_input in2 = input(OID_B, "IPP-B-0600", t2);
    strcpy(in2.traits.forenames, "Claire Anne");
    res = upsert_ok(&in2);
    cr_assert_eq(res.downgraded, 0);
    li = get_local(r2.local_id);
    cr_assert_eq(li.status, RNIV_QUAL);
    cr_assert_str_eq(li.ins, ins2);
    assert_audit_intact();
}

Test(identity_actions, doubtful_on_qual_goes_back_to_prov)
{
    identity_traits t = traits_f();
    char ins[SOCLE_INS_MAX];
    identity_result r = create_qual(OID_B, "IPP-B-0700", t, 701, ins);
    socle_err err = { 0 };
    cr_assert_eq(identity_set_attribute(st, &actor, r.local_id, RNIV_ATTR_DOUBTFUL, 1,
                                        "suspected fraud", &err), 0, "%s", err.msg);
    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_PROV);
    cr_assert(li.attributes & RNIV_ATTR_DOUBTFUL);
    cr_assert_str_empty(li.ins);
    cr_assert_eq(li.insi_verified, 0);
    cr_assert_str_empty(li.proof_type);
    assert_rniv_ok(&li);
    hist_list h = history("local_identity", r.local_id);
    cr_assert_str_eq(h.action[h.n - 1], "identity.attribute");
    cr_assert_str_eq(h.reason[h.n - 1], "suspected fraud");

    /* A doubtful identity refuses INSi: a denied, traced action. */
    store_counts before = counts();
    cr_assert_eq(identity_record_insi(st, &actor, r.local_id, ins, INS_OID_NIR, &t, NULL,
                                      &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE);
    cr_assert_eq(counts().audit_records, before.audit_records + 1);
    cr_assert_str_eq(audit_since(before.audit_records + 1).rec[0].outcome, "denied");
    cr_assert_eq(get_local(r.local_id).status, RNIV_PROV);
    assert_audit_intact();
}

Test(identity_actions, fictitious_on_vali_is_denied_and_traced)
{
    identity_result r = create_prov(OID_A, "IPP-A-0710", traits_m());
    socle_err err = { 0 };
    cr_assert_eq(identity_record_proof(st, &actor, r.local_id, "CN", &err), 0, "%s", err.msg);
    local_identity li0 = get_local(r.local_id);
    cr_assert_eq(li0.status, RNIV_VALI);
    int nhist = history("local_identity", r.local_id).n;
    store_counts before = counts();

    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_set_attribute(st, &actor, r.local_id, RNIV_ATTR_FICTITIOUS, 1,
                                        "test patient", &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    cr_assert_eq(store_in_transaction(st), 0);

    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.version, li0.version);
    cr_assert_eq(li.status, RNIV_VALI);
    cr_assert_eq(li.attributes, 0);
    cr_assert_str_eq(li.proof_type, "CN");
    cr_assert_eq(history("local_identity", r.local_id).n, nhist);

    store_counts after = counts();
    cr_assert_eq(after.audit_records, before.audit_records + 1);
    cr_assert_eq(after.local_identities, before.local_identities);
    audit_list a = audit_since(before.audit_records + 1);
    cr_assert_eq(a.n, 1);
    char idt[32];
    id_text(idt, sizeof idt, r.local_id);
    cr_assert_str_eq(a.rec[0].action, "identity.attribute");
    cr_assert_str_eq(a.rec[0].outcome, "denied");
    cr_assert_str_eq(a.rec[0].object_type, "local_identity");
    cr_assert_str_eq(a.rec[0].object_id, idt);
    cr_assert_str_eq(a.rec[0].actor, "test:unit");
    cr_assert_str_not_empty(a.rec[0].detail);
    assert_audit_intact();
}

Test(identity_actions, homonym_any_status_and_clearing)
{
    identity_traits t = traits_m();
    char ins[SOCLE_INS_MAX];
    identity_result r = create_qual(OID_A, "IPP-A-0720", t, 721, ins);
    socle_err err = { 0 };
    cr_assert_eq(identity_set_attribute(st, &actor, r.local_id, RNIV_ATTR_HOMONYM, 1, "homonym",
                                        &err), 0, "%s", err.msg);
    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_QUAL);
    cr_assert_eq(li.attributes, RNIV_ATTR_HOMONYM);
    cr_assert_eq(identity_set_attribute(st, &actor, r.local_id, RNIV_ATTR_HOMONYM, 0, NULL,
                                        &err), 0, "%s", err.msg);
    li = get_local(r.local_id);
    cr_assert_eq(li.attributes, 0);
    cr_assert_eq(li.status, RNIV_QUAL);
    assert_audit_intact();
}

/* A feed changes only the attributes it speaks of (attributes_known), and
 * always sets those it sends. */
Test(identity_actions, upsert_keeps_attributes_it_does_not_speak_of)
{
    identity_input in = input(OID_A, "IPP-A-0730", traits_m());
    identity_result r = upsert_ok(&in);
    socle_err err = { 0 };
    cr_assert_eq(identity_set_attribute(st, &actor, r.local_id, RNIV_ATTR_DOUBTFUL, 1,
                                        "suspected fraud", &err), 0, "%s", err.msg);
    local_identity li0 = get_local(r.local_id);
    cr_assert_eq(li0.attributes, RNIV_ATTR_DOUBTFUL);

    /* Silent on attributes: the cell's doubtful flag stays. */
    cr_assert_eq(in.attributes, 0);
    cr_assert_eq(in.attributes_known, 0);
    identity_result res = upsert_ok(&in);
    cr_assert_eq(res.outcome, IDENTITY_UNCHANGED);
    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.attributes, RNIV_ATTR_DOUBTFUL);
    cr_assert_eq(li.version, li0.version);

    /* Says it is not doubtful: cleared. */
    in.attributes_known = RNIV_ATTR_DOUBTFUL;
    res = upsert_ok(&in);
    cr_assert_eq(res.outcome, IDENTITY_UPDATED);
    li = get_local(r.local_id);
    cr_assert_eq(li.attributes, 0);
    cr_assert_eq(li.version, li0.version + 1);
    assert_rniv_ok(&li);

    /* Sends homonym without declaring it known: set all the same. */
    in.attributes = RNIV_ATTR_HOMONYM;
    in.attributes_known = 0;
    res = upsert_ok(&in);
    cr_assert_eq(res.outcome, IDENTITY_UPDATED);
    li = get_local(r.local_id);
    cr_assert_eq(li.attributes, RNIV_ATTR_HOMONYM);
    cr_assert_eq(li.status, RNIV_PROV);
    assert_rniv_ok(&li);
    hist_list h = history("local_identity", r.local_id);
    cr_assert_str_eq(h.action[h.n - 1], "identity.update");
    assert_audit_intact();
}

Test(identity_actions, remove_ins_on_qual_gives_vali)
{
    identity_traits t = traits_m();
    char ins[SOCLE_INS_MAX];
    identity_result r = create_qual(OID_A, "IPP-A-0800", t, 801, ins);
    int version = get_local(r.local_id).version;
    socle_err err = { 0 };
    cr_assert_eq(identity_remove_ins(st, &actor, r.local_id, "INSi re-check failed", &err), 0,
                 "%s", err.msg);
    local_identity li = get_local(r.local_id);
    cr_assert_eq(li.status, RNIV_VALI);
    cr_assert_str_empty(li.ins);
    cr_assert_str_empty(li.ins_oid);
    cr_assert_eq(li.insi_verified, 0);
    cr_assert_str_eq(li.proof_type, "CN");
    cr_assert_eq(li.version, version + 1);
    assert_rniv_ok(&li);
    hist_list h = history("local_identity", r.local_id);
    cr_assert_str_eq(h.action[h.n - 1], "identity.remove_ins");

    /* Again: nothing to remove, recorded as unchanged. */
    store_counts before = counts();
    cr_assert_eq(identity_remove_ins(st, &actor, r.local_id, "again", &err), 0, "%s", err.msg);
    cr_assert_eq(get_local(r.local_id).version, version + 1);
    cr_assert_eq(counts().audit_records, before.audit_records + 1);
    cr_assert_str_eq(audit_since(before.audit_records + 1).rec[0].outcome, "unchanged");
    assert_audit_intact();
}

/* ---- Reads ------------------------------------------------------------ */

static void assert_read_audited(int64_t seq, const char *type, int64_t id,
                                const char *outcome)
{
    audit_list a = audit_since(seq);
    cr_assert_eq(a.n, 1, "one record expected from seq %" PRId64 ", got %d", seq, a.n);
    char idt[32];
    id_text(idt, sizeof idt, id);
    cr_assert_str_eq(a.rec[0].action, "identity.read");
    cr_assert_str_eq(a.rec[0].object_type, type);
    cr_assert_str_eq(a.rec[0].object_id, idt);
    cr_assert_str_eq(a.rec[0].outcome, outcome);
    cr_assert_str_eq(a.rec[0].actor, "test:unit");
}

Test(identity_actions, reads_are_audited_found_or_not)
{
    identity_result r = create_prov(OID_A, "IPP-A-0900", traits_m());
    socle_err err = { 0 };
    local_identity li;
    ght_identity g;
    int64_t seq;

    seq = counts().audit_records + 1;
    cr_assert_eq(identity_get_local(st, &actor, r.local_id, &li, &err), 1, "%s", err.msg);
    cr_assert_eq(li.id, r.local_id);
    cr_assert_str_eq(li.ipp, "IPP-A-0900");
    cr_assert_eq(li.ght_id, r.ght_id);
    assert_read_audited(seq, "local_identity", r.local_id, "success");

    seq = counts().audit_records + 1;
    cr_assert_eq(identity_get_local(st, &actor, 424242, &li, &err), 0, "%s", err.msg);
    assert_read_audited(seq, "local_identity", 424242, "not-found");

    seq = counts().audit_records + 1;
    memset(&li, 0, sizeof li);
    cr_assert_eq(identity_find_local(st, &actor, OID_A, "IPP-A-0900", &li, &err), 1, "%s",
                 err.msg);
    cr_assert_eq(li.id, r.local_id);
    assert_read_audited(seq, "local_identity", r.local_id, "success");

    seq = counts().audit_records + 1;
    cr_assert_eq(identity_find_local(st, &actor, OID_B, "IPP-A-0900", &li, &err), 0, "%s",
                 err.msg);
    assert_read_audited(seq, "local_identity", 0, "not-found");

    seq = counts().audit_records + 1;
    cr_assert_eq(identity_find_local(st, &actor, OID_UNKNOWN, "IPP-A-0900", &li, &err), 0,
                 "%s", err.msg);
    assert_read_audited(seq, "local_identity", 0, "not-found");

    seq = counts().audit_records + 1;
    cr_assert_eq(identity_get_ght(st, &actor, r.ght_id, &g, &err), 1, "%s", err.msg);
    cr_assert_eq(g.id, r.ght_id);
    cr_assert_eq(g.state, GHT_ACTIVE);
    assert_read_audited(seq, "ght_identity", r.ght_id, "success");

    seq = counts().audit_records + 1;
    cr_assert_eq(identity_get_ght(st, &actor, 515151, &g, &err), 0, "%s", err.msg);
    assert_read_audited(seq, "ght_identity", 515151, "not-found");

    /* The same read twice is traced twice. */
    seq = counts().audit_records + 1;
    cr_assert_eq(identity_get_local(st, &actor, r.local_id, &li, &err), 1);
    cr_assert_eq(identity_get_local(st, &actor, r.local_id, &li, &err), 1);
    cr_assert_eq(audit_since(seq).n, 2);
    cr_assert_eq(store_in_transaction(st), 0);
    assert_audit_intact();
}

/* ---- Optimistic concurrency ------------------------------------------- */

Test(identity_actions, stale_version_is_a_conflict)
{
    identity_result r = create_prov(OID_A, "IPP-A-1000", traits_m());
    local_identity mine = get_local(r.local_id);
    local_identity theirs = mine;
    socle_err err = { 0 };

    /* Someone else updates first. */
    cr_assert_eq(store_begin(st, &err), 0, "%s", err.msg);
    strcpy(theirs.traits.used_name, "LEROY-TEST");
    cr_assert_eq(store_local_update(st, &theirs, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(theirs.version, mine.version + 1);
    cr_assert_eq(store_commit(st, &err), 0, "%s", err.msg);

    /* Our update, built on the old version, is refused. */
    cr_assert_eq(store_begin(st, &err), 0, "%s", err.msg);
    strcpy(mine.traits.used_name, "BERNARD-TEST");
    memset(&err, 0, sizeof err);
    cr_assert_eq(store_local_update(st, &mine, NULL, &err), -1);
    cr_assert_eq(err.code, SOCLE_ECONFLICT, "code %d: %s", err.code, err.msg);
    cr_assert_eq(mine.version, 1);
    store_rollback(st);

    local_identity now = get_local(r.local_id);
    cr_assert_str_eq(now.traits.used_name, "LEROY-TEST");
    cr_assert_eq(now.version, 2);

    /* The repository itself carries on from the stored version. */
    identity_input in = input(OID_A, "IPP-A-1000", traits_m());
    strcpy(in.traits.used_name, "ROUX-TEST");
    identity_result res = upsert_ok(&in);
    cr_assert_eq(res.outcome, IDENTITY_UPDATED);
    cr_assert_eq(get_local(r.local_id).version, 3);
}

/* ---- Audit chain ------------------------------------------------------ */

Test(identity_actions, audit_chain_intact_after_a_busy_session)
{
    identity_traits tm = traits_m(), tf = traits_f();
    identity_input a = input(OID_A, "IPP-A-1100", tm);
    with_ins(&a, 1101, 1);
    strcpy(a.proof_type, "CN");
    identity_result ra = upsert_ok(&a);
    identity_input b = input(OID_B, "IPP-B-1100", hurried(tm));
    identity_result rb = upsert_ok(&b);
    strcpy(b.ins, a.ins);
    strcpy(b.ins_oid, a.ins_oid);
    b.insi_verified = 1;
    identity_result rm = upsert_ok(&b);
    cr_assert_neq(rm.merge_id, 0);
    identity_result rf = create_prov(OID_B, "IPP-B-1101", tf);
    socle_err err = { 0 };
    cr_assert_eq(identity_set_attribute(st, &actor, rf.local_id, RNIV_ATTR_FICTITIOUS, 1,
                                        "training", &err), 0, "%s", err.msg);
    cr_assert_eq(identity_record_proof(st, &actor, rf.local_id, "CN", &err), -1);  /* denied */
    local_identity li;
    cr_assert_eq(identity_get_local(st, &actor, ra.local_id, &li, &err), 1);
    cr_assert_eq(identity_get_local(st, &actor, rb.local_id, &li, &err), 1);
    cr_assert_eq(li.ght_id, ra.ght_id);

    audit_verify_result vr;
    cr_assert_eq(audit_verify(st, &vr, &err), 0, "%s", err.msg);
    cr_assert_eq(vr.first_broken, 0, "%s", vr.reason);
    cr_assert_eq(vr.records, counts().audit_records);
    cr_assert_geq(vr.records, 9);
}
