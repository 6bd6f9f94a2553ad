/*
 * test_fhir_write.c - the FHIR writes and versions over real HTTP:
 * meta.versionId/ETag, vread and history, create (plain and conditional)
 * and update (If-Match) of Patient, the errors they answer and the rights
 * of each role; the audit trail is read back with `socle audit list` once
 * the server stopped. The operations ($merge, $unmerge, PIXm, $match) are
 * in test_fhir_ops.c.
 *
 * Every patient here is invented; the INS are built with valid keys,
 * except the one that tests a bad key. The FR Core examples of
 * ../shared/conformance/fhir/ are posted too when that folder is there.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir_write_support.h"

TestSuite(fhir_write, .init = fhir_write_setup, .fini = fhir_write_teardown, .timeout = 240);

/* ---- Versions ------------------------------------------------------------- */

Test(fhir_write, versions_vread_history)
{
    feed(a28("V1", "VIP1^^^HOP&" EJ1_OID "&ISO^PI||TESTVERS^LUC^LUC^^M.^^L||19700101|M"));
    answer s = call("GET", "/fhir/Patient?identifier=VIP1", tok_lect, NULL, NULL);
    cr_assert_eq(s.status, 200);
    const char *idp = json_string_value(json_object_get(json_object_get(json_array_get(
        json_object_get(s.body, "entry"), 0), "resource"), "id"));
    cr_assert_not_null(idp, "%s", dump(s.body));
    char id[32];
    snprintf(id, sizeof id, "%s", idp);
    json_decref(s.body);

    answer a = call("GET", h_fmt("/fhir/Patient/%s", id), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200);
    cr_assert_str_eq(version_of(a.body), "1", "%s", dump(a.body));
    cr_assert_not_null(json_object_get(json_object_get(a.body, "meta"), "lastUpdated"));
    cr_assert_str_eq(a.etag, "W/\"1\"");
    json_decref(a.body);

    /* An A31 gives a used name: version 2. */
    feed(adt("UNICODE UTF-8", "ADT^A31^ADT_A05", "V2",
             "VIP1^^^HOP&" EJ1_OID "&ISO^PI||TESTVERS^LUC^LUC^^M.^^L~TESTUSAGE^LUC^^^^^D"
             "||19700101|M"));
    a = call("GET", h_fmt("/fhir/Patient/%s", id), tok_lect, NULL, NULL);
    cr_assert_str_eq(version_of(a.body), "2", "%s", dump(a.body));
    cr_assert_str_eq(a.etag, "W/\"2\"");
    cr_assert(strstr(dump(a.body), "TESTUSAGE") != NULL, "%s", dump(a.body));
    json_decref(a.body);

    /* vread: each version as it was. */
    a = call("GET", h_fmt("/fhir/Patient/%s/_history/1", id), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    cr_assert_str_eq(version_of(a.body), "1");
    cr_assert_str_eq(a.etag, "W/\"1\"");
    cr_assert(strstr(dump(a.body), "TESTUSAGE") == NULL, "%s", dump(a.body));
    json_decref(a.body);
    a = call("GET", h_fmt("/fhir/Patient/%s/_history/2", id), tok_lect, NULL, NULL);
    cr_assert(strstr(dump(a.body), "TESTUSAGE") != NULL, "%s", dump(a.body));
    json_decref(a.body);
    a = call("GET", h_fmt("/fhir/Patient/%s/_history/9", id), tok_lect, NULL, NULL);
    expect_outcome(&a, 404, "not-found", NULL);
    a = call("GET", h_fmt("/fhir/Patient/%s/_history/x", id), tok_lect, NULL, NULL);
    expect_outcome(&a, 404, "not-found", NULL);
    a = call("GET", h_fmt("/fhir/Patient/%s/_history?_since=2020-01-01", id), tok_lect, NULL,
             NULL);
    expect_outcome(&a, 400, "not-supported", NULL);

    /* history: newest first. */
    a = call("GET", h_fmt("/fhir/Patient/%s/_history", id), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200);
    cr_assert_str_eq(json_string_value(json_object_get(a.body, "type")), "history");
    cr_assert_eq(json_integer_value(json_object_get(a.body, "total")), 2, "%s", dump(a.body));
    json_t *e0 = json_array_get(json_object_get(a.body, "entry"), 0);
    json_t *e1 = json_array_get(json_object_get(a.body, "entry"), 1);
    cr_assert_str_eq(version_of(json_object_get(e0, "resource")), "2");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(e0, "request"),
                                                       "method")), "PUT");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(e1, "request"),
                                                       "method")), "POST");
    json_decref(a.body);

    /* Scoping applies: EJ2's desk does not see this EJ1 patient's versions. */
    a = call("GET", h_fmt("/fhir/Patient/%s/_history/1", id), tok_acc2, NULL, NULL);
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("GET", h_fmt("/fhir/Patient/%s/_history", id), tok_acc2, NULL, NULL);
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("GET", "/fhir/Patient/424242/_history", tok_lect, NULL, NULL);
    expect_outcome(&a, 404, "not-found", NULL);

    /* Encounter: the stay's version. */
    feed(h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|V3|P|"
               "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
               "PID|1||VIP1^^^HOP&" EJ1_OID "&ISO^PI||TESTVERS^LUC^LUC^^M.^^L||19700101|M"
               "||||||||||V900\r"
               "PV1|1|I|UF-1||||||||||||||||V900^^^HOP&" EJ1_OID "&ISO^VN\r"
               "ZBE|MV900^GAM^1.2.250.1.999.1.9^ISO|20260110080000||INSERT|N||^^^^^^UF^^^UF-1"
               "||HMS\r"));
    a = call("GET", "/fhir/Encounter?identifier=V900", tok_lect, NULL, NULL);
    json_t *enc = json_object_get(json_array_get(json_object_get(a.body, "entry"), 0),
                                  "resource");
    cr_assert_not_null(version_of(enc), "%s", dump(a.body));
    answer r = call("GET", h_fmt("/fhir/Encounter/%s",
                                 json_string_value(json_object_get(enc, "id"))), tok_lect,
                    NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.etag, h_fmt("W/\"%s\"", version_of(r.body)));
    json_decref(r.body);
    json_decref(a.body);
}

/* ---- create / update --------------------------------------------------------- */

Test(fhir_write, create_and_conditional_create)
{
    answer a = call("POST", "/fhir/Patient", tok_acc1, NULL,
                    patient_json(EJ1_OID, "NEW1", "TESTCREE", "1990-03-04",
                                 ",\"name\":[{\"use\":\"official\",\"family\":\"TESTCREE\","
                                 "\"given\":[\"ANNE\"]},{\"use\":\"usual\",\"family\":"
                                 "\"TESTEPOUSE\"}]"));
    /* (a second "name" member: the JSON is refused as a duplicate key) */
    expect_outcome(&a, 400, "invalid", NULL);

    a = call("POST", "/fhir/Patient", tok_acc1, NULL,
             patient_json(EJ1_OID, "NEW1", "TESTCREE", "1990-03-04", ""));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    cr_assert_str_eq(a.etag, "W/\"1\"");
    const char *id = json_string_value(json_object_get(a.body, "id"));
    cr_assert(strstr(a.location, h_fmt("/fhir/Patient/%s/_history/1", id)) != NULL, "%s",
              a.location);
    cr_assert(has_identifier(a.body, "urn:oid:" EJ1_OID, "NEW1"), "%s", dump(a.body));
    cr_assert_str_eq(json_string_value(json_object_get(a.body, "birthDate")), "1990-03-04");
    long long created = atoll(id);
    json_decref(a.body);

    a = call("GET", h_fmt("/fhir/Patient/%lld", created), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200);
    cr_assert(strstr(dump(a.body), "TESTCREE") != NULL);
    json_decref(a.body);

    /* The same IPP again: a conflict, not a second patient. */
    a = call("POST", "/fhir/Patient", tok_acc1, NULL,
             patient_json(EJ1_OID, "NEW1", "TESTCREE", "1990-03-04", ""));
    expect_outcome(&a, 409, "conflict", NULL);

    /* Conditional create: existing -> 200 with it; new -> 201. */
    a = call("POST", "/fhir/Patient", tok_acc1,
             "If-None-Exist: identifier=urn:oid:" EJ1_OID "|NEW1\r\n",
             patient_json(EJ1_OID, "NEW1", "TESTCREE", "1990-03-04", ""));
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    cr_assert_eq(atoll(json_string_value(json_object_get(a.body, "id"))), created);
    json_decref(a.body);
    /* EJ2's desk does not learn of EJ1's patient through the condition: it
     * creates its own. */
    a = call("POST", "/fhir/Patient", tok_acc2,
             "If-None-Exist: identifier=urn:oid:" EJ1_OID "|NEW1\r\n",
             patient_json(EJ2_OID, "NEW1B", "TESTAUTREDESK", "1977-11-12", ""));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    cr_assert(atoll(json_string_value(json_object_get(a.body, "id"))) != created);
    json_decref(a.body);
    a = call("POST", "/fhir/Patient", tok_acc1,
             "If-None-Exist: identifier=urn:oid:" EJ1_OID "|DUP\r\n",
             patient_json(EJ1_OID, "DUP", "TESTDUP", "1990-03-04", ""));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    json_decref(a.body);
    /* The same IPP value in EJ2: an identifier without system matches two. */
    a = call("POST", "/fhir/Patient", tok_acc2, NULL,
             patient_json(EJ2_OID, "DUP", "TESTDUPDEUX", "1991-03-04", ""));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    json_decref(a.body);
    a = call("POST", "/fhir/Patient", tok_flux, "If-None-Exist: identifier=DUP\r\n",
             patient_json(EJ2_OID, "DUP3", "TESTDUP", "1990-03-04", ""));
    expect_outcome(&a, 412, "duplicate", NULL);
    a = call("POST", "/fhir/Patient", tok_flux, "If-None-Exist: family=TESTDUP\r\n",
             patient_json(EJ2_OID, "DUP3", "TESTDUP", "1990-03-04", ""));
    expect_outcome(&a, 400, "not-supported", NULL);
}

Test(fhir_write, create_errors_and_rights)
{
    answer a = call("POST", "/fhir/Patient", tok_acc1, NULL, "{\"resourceType\":");
    expect_outcome(&a, 400, "invalid", NULL);
    a = call("POST", "/fhir/Patient", tok_acc1, NULL, "{\"resourceType\":\"Observation\"}");
    expect_outcome(&a, 400, "invalid", "Patient.resourceType");
    a = call("POST", "/fhir/Patient", tok_acc1, NULL,
             patient_json(EJ1_OID, "E1", "TESTERR", "1990", ""));
    expect_outcome(&a, 400, "invalid", "Patient.birthDate");
    a = call("POST", "/fhir/Patient", tok_acc1, NULL,
             patient_json(EJ1_OID, "E1", "TESTERR", "2990-01-01", ""));
    expect_outcome(&a, 400, "invalid", "Patient.birthDate");
    a = call("POST", "/fhir/Patient", tok_acc1, NULL,
             patient_json(EJ1_OID, "E1", "", "1990-01-01", ""));
    expect_outcome(&a, 400, "invalid", "Patient.name.where(use='official').family");
    /* No IPP Socle knows: a business rule. */
    a = call("POST", "/fhir/Patient", tok_flux, NULL,
             patient_json("1.2.3.4.5", "E1", "TESTERR", "1990-01-01", ""));
    expect_outcome(&a, 422, "business-rule", "Patient.identifier");
    /* An INS with a bad key, said to be INSi-verified. */
    a = call("POST", "/fhir/Patient", tok_acc1, NULL, patient_ins_json("E2", INS_BADKEY));
    expect_outcome(&a, 422, "business-rule", "Patient.identifier");
    /* EJ1's desk may not write in EJ2's domain. */
    a = call("POST", "/fhir/Patient", tok_acc1, NULL,
             patient_json(EJ2_OID, "E3", "TESTERR", "1990-01-01", ""));
    expect_outcome(&a, 403, "forbidden", "Patient.identifier");
    /* Roles without the right. */
    a = call("POST", "/fhir/Patient", tok_lect, NULL,
             patient_json(EJ1_OID, "E4", "TESTERR", "1990-01-01", ""));
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("POST", "/fhir/Patient", tok_dpo, NULL,
             patient_json(EJ1_OID, "E4", "TESTERR", "1990-01-01", ""));
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("POST", "/fhir/Patient", NULL, NULL,
             patient_json(EJ1_OID, "E4", "TESTERR", "1990-01-01", ""));
    expect_outcome(&a, 401, "login", NULL);
    /* Not JSON. */
    h_response resp;
    char why[256];
    cr_assert_eq(h_http_body(srv.port, "POST", "/fhir/Patient",
                             h_fmt("Authorization: Bearer %s\r\nContent-Type: text/xml\r\n",
                                   tok_acc1), "<Patient/>", &resp, why, sizeof why), 0);
    cr_assert_eq(resp.status, 415, "%s", resp.body);
    h_response_free(&resp);
    /* No delete: 405 with the methods that exist. */
    cr_assert_eq(h_http_ex(srv.port, "DELETE", "/fhir/Patient/1",
                           h_fmt("Authorization: Bearer %s\r\n", tok_acc1), &resp, why,
                           sizeof why), 0);
    cr_assert_eq(resp.status, 405);
    h_response_free(&resp);
    /* admin and flux may write. */
    a = call("POST", "/fhir/Patient", tok_admin, NULL,
             patient_json(EJ1_OID, "E5", "TESTADMIN", "1990-01-01", ""));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    json_decref(a.body);
    a = call("POST", "/fhir/Patient", tok_flux, NULL,
             patient_json(EJ2_OID, "E6", "TESTFLUX", "1990-01-01", ""));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    json_decref(a.body);
}

Test(fhir_write, ins_only_when_verified)
{
    /* Verified (INSi) and an identity card: qualified, the INS is kept. */
    answer a = call("POST", "/fhir/Patient", tok_acc1, NULL, patient_ins_json("Q1", INS_OK));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    cr_assert(has_identifier(a.body, "urn:oid:" INS_OID, INS_OK), "%s", dump(a.body));
    cr_assert(strstr(dump(a.body), "\"QUAL\"") != NULL, "%s", dump(a.body));
    json_decref(a.body);
    /* Another person's INS, not verified (no reliability extension): dropped. */
    a = call("POST", "/fhir/Patient", tok_acc2, NULL, h_fmt(
             "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:oid:" EJ2_OID
             "\",\"value\":\"Q2\"},{\"system\":\"urn:oid:" INS_OID "\",\"value\":\"%s\"}],"
             "\"name\":[{\"use\":\"official\",\"family\":\"TESTNONVERIF\",\"given\":"
             "[\"MARTINE\"]}],\"gender\":\"female\",\"birthDate\":\"1985-07-20\"}",
             INS_OTHER));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    cr_assert(!has_identifier(a.body, "urn:oid:" INS_OID, INS_OTHER), "%s", dump(a.body));
    cr_assert(strstr(dump(a.body), "\"PROV\"") != NULL, "%s", dump(a.body));
    json_decref(a.body);
}

Test(fhir_write, update_with_if_match)
{
    long long id = create("U1", "TESTUPD");
    long long other = create("U2", "TESTAUTRE");
    const char *body = patient_json(EJ1_OID, "U1", "TESTUPD", "1990-03-04",
                                    ",\"telecom\":[{\"system\":\"phone\",\"value\":"
                                    "\"0100000000\"}]");
    const char *path = h_fmt("/fhir/Patient/%lld", id);
    answer a = call("PUT", path, tok_acc1, NULL, body);
    expect_outcome(&a, 428, "required", NULL);
    a = call("PUT", path, tok_acc1, "If-Match: W/\"7\"\r\n", body);
    expect_outcome(&a, 412, "conflict", NULL);
    /* A changed used name: version 2. */
    char *with_id = strdup(patient_json(EJ1_OID, "U1", "TESTUPD", "1990-03-04",
                                        h_fmt(",\"id\":\"%lld\"", id)));
    char *usual = strdup(h_fmt("{\"resourceType\":\"Patient\",\"id\":\"%lld\",\"identifier\":[{"
                               "\"system\":\"urn:oid:" EJ1_OID "\",\"value\":\"U1\"}],\"name\":"
                               "[{\"use\":\"official\",\"family\":\"TESTUPD\",\"given\":[\"ANNE\"]"
                               "},{\"use\":\"usual\",\"family\":\"TESTMARIEE\"}],\"gender\":"
                               "\"female\",\"birthDate\":\"1990-03-04\"}", id));
    a = call("PUT", path, tok_acc1, "If-Match: W/\"1\"\r\n", usual);
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    cr_assert_str_eq(version_of(a.body), "2");
    cr_assert_str_eq(a.etag, "W/\"2\"");
    cr_assert(strstr(dump(a.body), "TESTMARIEE") != NULL, "%s", dump(a.body));
    json_decref(a.body);
    /* The old ETag is stale now. */
    a = call("PUT", path, tok_acc1, "If-Match: W/\"1\"\r\n", usual);
    expect_outcome(&a, 412, "conflict", NULL);
    /* The same content again: nothing changes, the version stays. */
    a = call("PUT", path, tok_acc1, "If-Match: W/\"2\"\r\n", usual);
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    cr_assert_str_eq(version_of(a.body), "2");
    json_decref(a.body);
    /* Another patient's IPP, another id in the body, an unknown patient. */
    a = call("PUT", h_fmt("/fhir/Patient/%lld", other), tok_acc1, "If-Match: W/\"1\"\r\n",
             patient_json(EJ1_OID, "U1", "TESTUPD", "1990-03-04", ""));
    expect_outcome(&a, 409, "conflict", "Patient.identifier");
    a = call("PUT", h_fmt("/fhir/Patient/%lld", other), tok_acc1, "If-Match: W/\"1\"\r\n",
             with_id);
    expect_outcome(&a, 400, "invalid", "Patient.id");
    a = call("PUT", "/fhir/Patient/999999", tok_acc1, "If-Match: W/\"1\"\r\n", body);
    expect_outcome(&a, 404, "not-found", NULL);
    /* An IPP that is not the patient's yet. */
    a = call("PUT", path, tok_acc1, "If-Match: W/\"2\"\r\n",
             patient_json(EJ1_OID, "U9", "TESTUPD", "1990-03-04", ""));
    expect_outcome(&a, 422, "business-rule", "Patient.identifier");
    /* A strict trait made invalid. */
    a = call("PUT", path, tok_acc1, "If-Match: W/\"2\"\r\n",
             patient_json(EJ1_OID, "U1", "TESTUPD", "1990-02-30", ""));
    expect_outcome(&a, 400, "invalid", "Patient.birthDate");
    /* The lecteur may not; EJ2's desk may not touch an EJ1 patient. */
    a = call("PUT", path, tok_lect, "If-Match: W/\"2\"\r\n", usual);
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("PUT", path, tok_acc2, "If-Match: W/\"2\"\r\n", usual);
    expect_outcome(&a, 403, "forbidden", NULL);
    free(with_id);
    free(usual);
}

/* ---- Operations ------------------------------------------------------------- */

static char *example(const char *file, const char *ipp, int drop_ins)
{
    char *text = h_read_file(h_fmt("%s/../shared/conformance/fhir/%s", SOCLE_SOURCE_DIR, file),
                             NULL);
    if (text == NULL)
        return NULL;
    json_t *p = json_loads(text, 0, NULL);
    free(text);
    cr_assert_not_null(p, "%s", file);
    json_t *ids = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(p, "identifier"), i, id) {
        const char *code = json_string_value(json_object_get(json_array_get(json_object_get(
            json_object_get(id, "type"), "coding"), 0), "code"));
        if ((code == NULL || strcmp(code, "PI") != 0) && !drop_ins)
            json_array_append(ids, id);
    }
    json_array_append_new(ids, json_pack("{s:s, s:s}", "system", "urn:oid:" EJ1_OID,
                                         "value", ipp));
    json_object_set_new(p, "identifier", ids);
    json_object_del(p, "id");
    char *out = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return out;
}

Test(fhir_write, frcore_examples)
{
    char *e1 = example("001_frcore_Patient_legacy_ins_nir_test_oid.json", "FR1", 0);
    if (e1 == NULL)
        cr_skip_test("../shared/conformance/fhir is not there: FR Core examples skipped");
    /* 001: legacy VALI (fr-v2-0445: INS-bearing) with an INS-NIR under the
     * test OID: verified, but a test INS has no place in production. */
    answer a = call("POST", "/fhir/Patient", tok_acc1, NULL, e1);
    expect_outcome(&a, 422, "business-rule", "Patient.identifier");
    free(e1);
    /* Without it: names, birth date and birth place (district, FR Core 1.x). */
    e1 = example("001_frcore_Patient_legacy_ins_nir_test_oid.json", "FR1", 1);
    a = call("POST", "/fhir/Patient", tok_acc1, NULL, e1);
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    cr_assert_str_eq(json_string_value(json_object_get(a.body, "birthDate")), "1962-12-27");
    cr_assert(strstr(dump(a.body), "SAYEH") != NULL, "%s", dump(a.body));
    cr_assert(strstr(dump(a.body), "65217") != NULL, "birth place: %s", dump(a.body));
    json_decref(a.body);
    free(e1);
    /* 002: provisional, names maiden + usual + official. */
    char *e2 = example("002_frcore_Patient_legacy_no_nir_prov.json", "FR2", 0);
    a = call("POST", "/fhir/Patient", tok_acc1, NULL, e2);
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    cr_assert(strstr(dump(a.body), "\"PROV\"") != NULL, "%s", dump(a.body));
    json_decref(a.body);
    free(e2);
    /* 003: an INS whose sex digit contradicts the gender: refused. */
    char *e3 = example("003_frcore_Patient_legacy_ins_nir_sex_mismatch.json", "FR3", 0);
    a = call("POST", "/fhir/Patient", tok_acc1, NULL, e3);
    expect_outcome(&a, 422, "business-rule", "Patient.identifier");
    free(e3);
    /* 004: status VIDE, no identifier of its own. */
    char *e4 = example("004_frcore_Patient_legacy_vide_names.json", "FR4", 0);
    a = call("POST", "/fhir/Patient", tok_acc1, NULL, e4);
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    json_decref(a.body);
    free(e4);
}

/* ---- Audit ------------------------------------------------------------------ */

Test(fhir_write, audited)
{
    long long a_id = create("A1", "TESTAUDIT");
    long long b_id = create("A2", "TESTAUDIT");
    answer a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL, merge_params(a_id, b_id, 0));
    cr_assert_eq(a.status, 200);
    json_decref(a.body);
    a = call("POST", "/fhir/Patient", tok_lect, NULL,
             patient_json(EJ1_OID, "A3", "TESTAUDIT", "1990-01-01", ""));
    json_decref(a.body);
    stop(&srv);
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert(strstr(r.out, "identity.create") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "identity.merge") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "patient.write") != NULL, "refusal audited: %s", r.out);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "audit", "verify", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}
