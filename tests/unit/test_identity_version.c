/*
 * test_identity_version.c - the versions of a patient (core/
 * identity_version.h) on a real SQLite store: one per change of the view,
 * from any command, each read back as it was; both sides of a merge and
 * an unmerge; a refused command leaves no version.
 *
 * Synthetic people only (names ending in -TEST).
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/identity_version.h"
#include "identity_fixtures.h"

TestSuite(identity_version, .init = identity_setup, .fini = identity_teardown);

static int current_version(int64_t ght_id)
{
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    identity_patient p;
    cr_assert_eq(identity_patient_read_in_tx(st, &actor, ght_id, &p, &err), 1, "%s", err.msg);
    int v = p.version;
    cr_assert_neq(p.version_at[0], '\0');
    identity_patient_free(&p);
    cr_assert_eq(store_commit(st, &err), 0);
    return v;
}

/* Version v of ght_id: 1 found (p filled, to be freed) or 0. */
static int vread(int64_t ght_id, int v, identity_patient *p)
{
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    int found = identity_patient_vread_in_tx(st, &actor, ght_id, v, p, &err);
    cr_assert_geq(found, 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    return found;
}

Test(identity_version, each_change_is_a_version_read_back_as_it_was)
{
    identity_traits t = person("VERSTEST", 'F', "1980-05-06");
    identity_result r = create(OID_A, "V1", t);
    cr_assert_eq(current_version(r.ght_id), 1);

    str_copy(t.used_name, sizeof t.used_name, "USAGETEST");
    identity_input in = input(OID_A, "V1", t);
    upsert_ok(&in);
    cr_assert_eq(current_version(r.ght_id), 2);
    /* Nothing changed: no new version. */
    upsert_ok(&in);
    cr_assert_eq(current_version(r.ght_id), 2);
    /* An RNIV action is a change of the view too. */
    socle_err err = { 0 };
    cr_assert_eq(identity_record_proof(st, &actor, r.local_id, "CN", &err), 0, "%s", err.msg);
    cr_assert_eq(current_version(r.ght_id), 3);

    identity_patient p;
    cr_assert_eq(vread(r.ght_id, 1, &p), 1);
    cr_assert_eq(p.version, 1);
    cr_assert_eq(p.hit.n_locals, 1);
    cr_assert_str_eq(p.hit.locals[0].li.ipp, "V1");
    cr_assert_str_eq(p.hit.locals[0].li.traits.birth_name, "VERSTEST");
    cr_assert_str_eq(p.hit.locals[0].li.traits.used_name, "");
    cr_assert_str_eq(p.hit.locals[0].domain_oid, OID_A);
    identity_patient_free(&p);
    cr_assert_eq(vread(r.ght_id, 2, &p), 1);
    cr_assert_str_eq(p.hit.locals[0].li.traits.used_name, "USAGETEST");
    cr_assert_eq(p.hit.locals[0].li.status, RNIV_PROV);
    identity_patient_free(&p);
    cr_assert_eq(vread(r.ght_id, 3, &p), 1);
    cr_assert_eq(p.hit.locals[0].li.status, RNIV_VALI);
    identity_patient_free(&p);
    cr_assert_eq(vread(r.ght_id, 4, &p), 0);
    identity_patient_free(&p);

    identity_patient *h;
    size_t n;
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(identity_patient_history_in_tx(st, &actor, r.ght_id, &h, &n, &err), 0);
    cr_assert_eq(store_commit(st, &err), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(h[0].version, 3);
    cr_assert_eq(h[2].version, 1);
    identity_patient_history_free(h, n);
}

Test(identity_version, merge_and_unmerge_version_both_sides)
{
    /* Two different people (a matching engine must not link them first). */
    identity_result a = create(OID_A, "VM1", person("FUSIONTEST", 'M', "1970-01-01"));
    identity_result b = create(OID_B, "VM2", person("AUTRETEST", 'F', "1982-09-10"));
    int64_t m = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_merge(st, &actor, b.ght_id, a.ght_id, "same", &m, &err), 0);
    cr_assert_eq(current_version(a.ght_id), 2);
    cr_assert_eq(current_version(b.ght_id), 2);
    identity_patient p;
    cr_assert_eq(vread(a.ght_id, 2, &p), 1);
    cr_assert_eq(p.ght.state, GHT_MERGED);
    cr_assert_eq(p.ght.merged_into, b.ght_id);
    identity_patient_free(&p);
    cr_assert_eq(vread(b.ght_id, 2, &p), 1);
    cr_assert_eq(p.hit.n_locals, 2);
    cr_assert_eq(p.n_replaces, 1);
    cr_assert_eq(p.replaces[0], a.ght_id);
    identity_patient_free(&p);

    int64_t found = 0;
    cr_assert_eq(identity_merge_find(st, a.ght_id, &found, &err), 1);
    cr_assert_eq(found, m);
    cr_assert_eq(identity_unmerge(st, &actor, m, "not the same", &err), 0, "%s", err.msg);
    cr_assert_eq(identity_merge_find(st, a.ght_id, &found, &err), 0);
    cr_assert_eq(current_version(a.ght_id), 3);
    cr_assert_eq(current_version(b.ght_id), 3);
    cr_assert_eq(vread(a.ght_id, 3, &p), 1);
    cr_assert_eq(p.ght.state, GHT_ACTIVE);
    cr_assert_eq(p.hit.n_locals, 1);
    identity_patient_free(&p);

    /* A refused merge records nothing. */
    cr_assert_eq(identity_merge(st, &actor, b.ght_id, b.ght_id, "x", &m, &err), -1);
    cr_assert_eq(current_version(b.ght_id), 3);
}

Test(identity_version, create_only_refuses_a_known_ipp)
{
    identity_traits t = person("SEULTEST", 'F', "1990-02-03");
    create(OID_A, "C1", t);
    identity_input in = input(OID_A, "C1", t);
    in.create_only = 1;
    identity_result r;
    socle_err err = { 0 };
    cr_assert_eq(identity_upsert(st, &actor, &in, &r, &err), -1);
    cr_assert_eq(err.code, SOCLE_ECONFLICT, "%s", err.msg);
}

/* The stored snapshot is what jansson writes for the document it holds
 * (json_dumps(JSON_COMPACT), members in their order): the text versions
 * had when jansson wrote them, escapes included. */
Test(identity_version, snapshot_text_is_compact_json)
{
    identity_traits t = person("QUOTE\"TEST", 'M', "1970-01-02");
    str_copy(t.birth_place, sizeof t.birth_place, "75056");
    identity_result r = create(OID_A, "V\\9", t);
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    patient_version v;
    cr_assert_eq(store_patient_version_get(st, r.ght_id, 1, &v, &err), 1, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    cr_assert_not_null(v.snapshot);
    json_error_t je;
    json_t *o = json_loads(v.snapshot, 0, &je);
    cr_assert_not_null(o, "%s", je.text);
    char *again = json_dumps(o, JSON_COMPACT);
    cr_assert_str_eq(v.snapshot, again);
    json_t *local = json_array_get(json_object_get(o, "locals"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(local, "ipp")), "V\\9");
    cr_assert_str_eq(json_string_value(json_object_get(local, "birth_name")), "QUOTE\"TEST");
    cr_assert_eq(json_object_size(local), 18);
    cr_assert_eq(json_object_size(o), 9);
    free(again);
    json_decref(o);
    free((char *)v.snapshot);
}
