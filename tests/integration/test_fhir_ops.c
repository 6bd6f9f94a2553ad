/*
 * test_fhir_ops.c - the FHIR patient operations over real HTTP: $merge and
 * $unmerge (replaced-by/replaces links, the merged-away Patient readable),
 * IHE PIXm $ihe-pix and $match on the matching engine, with their errors
 * and the rights of each role. Every patient here is invented.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir_write_support.h"

TestSuite(fhir_ops, .init = fhir_write_setup, .fini = fhir_write_teardown, .timeout = 240);

static const char *pix_path(const char *q)
{
    return h_fmt("/fhir/Patient/$ihe-pix?%s", q);
}

static json_t *result_of(json_t *params)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(params, "parameter"), i, p)
        if (strcmp(json_string_value(json_object_get(p, "name")), "result") == 0)
            return json_object_get(p, "resource");
    return NULL;
}

Test(fhir_ops, merge_and_unmerge)
{
    long long a_id = create("M1", "TESTFUSION");
    long long b_id = create("M2", "TESTFUSION");
    /* Preview: nothing changes. */
    answer a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL, merge_params(a_id, b_id, 1));
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    cr_assert_str_eq(json_string_value(json_object_get(a.body, "resourceType")), "Parameters");
    json_decref(a.body);
    a = call("GET", h_fmt("/fhir/Patient/%lld", a_id), tok_lect, NULL, NULL);
    cr_assert(json_is_true(json_object_get(a.body, "active")));
    json_decref(a.body);

    /* Rights: the desk and the reader may not merge. */
    a = call("POST", "/fhir/Patient/$merge", tok_acc1, NULL, merge_params(a_id, b_id, 0));
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("POST", "/fhir/Patient/$merge", tok_lect, NULL, merge_params(a_id, b_id, 0));
    expect_outcome(&a, 403, "forbidden", NULL);

    a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL, merge_params(a_id, b_id, 0));
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    json_t *res = result_of(a.body);
    cr_assert_eq(atoll(json_string_value(json_object_get(res, "id"))), b_id, "%s",
                 dump(a.body));
    cr_assert(has_identifier(res, "urn:oid:" EJ1_OID, "M1"), "%s", dump(res));
    cr_assert(strstr(dump(res), "replaces") != NULL, "%s", dump(res));
    json_decref(a.body);
    a = call("GET", h_fmt("/fhir/Patient/%lld", a_id), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200);
    cr_assert(json_is_false(json_object_get(a.body, "active")), "%s", dump(a.body));
    cr_assert(strstr(dump(a.body), "replaced-by") != NULL, "%s", dump(a.body));
    cr_assert_str_eq(version_of(a.body), "2", "%s", dump(a.body));
    json_decref(a.body);

    /* Again: refused, the source is merged away already; same patient; unknown. */
    a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL, merge_params(a_id, b_id, 0));
    expect_outcome(&a, 422, "business-rule", NULL);
    a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL, merge_params(b_id, b_id, 0));
    expect_outcome(&a, 422, "business-rule", NULL);
    a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL, merge_params(999999, b_id, 0));
    expect_outcome(&a, 404, "not-found", NULL);
    a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL,
             "{\"resourceType\":\"Parameters\",\"parameter\":[]}");
    expect_outcome(&a, 400, "invalid",
                   "Parameters.parameter.where(name='source-patient')");
    a = call("POST", "/fhir/Patient/$merge", tok_iv, NULL, "{\"resourceType\":\"Patient\"}");
    expect_outcome(&a, 400, "invalid", "Parameters");

    /* Unmerge by the merged-away patient. */
    const char *un = h_fmt("{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":"
                           "\"source-patient\",\"valueReference\":{\"reference\":"
                           "\"Patient/%lld\"}}]}", a_id);
    a = call("POST", "/fhir/Patient/$unmerge", tok_acc1, NULL, un);
    expect_outcome(&a, 403, "forbidden", NULL);
    /* Undoing a merge is the identity cell's own right (not admin's). */
    a = call("POST", "/fhir/Patient/$unmerge", tok_admin, NULL, un);
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("POST", "/fhir/Patient/$unmerge", tok_iv, NULL, un);
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    res = result_of(a.body);
    cr_assert(json_is_true(json_object_get(res, "active")), "%s", dump(a.body));
    cr_assert(has_identifier(res, "urn:oid:" EJ1_OID, "M1"), "%s", dump(res));
    json_decref(a.body);
    a = call("POST", "/fhir/Patient/$unmerge", tok_iv, NULL, un);
    expect_outcome(&a, 422, "business-rule", NULL);
    /* History of the survivor tells the story: created, merged, unmerged. */
    a = call("GET", h_fmt("/fhir/Patient/%lld/_history", b_id), tok_lect, NULL, NULL);
    cr_assert_eq(json_integer_value(json_object_get(a.body, "total")), 3, "%s", dump(a.body));
    json_decref(a.body);

    /* By identifier, with an identity cell limited to EJ1. */
    a = call("POST", "/fhir/Patient/$merge", tok_iv1, NULL,
             "{\"resourceType\":\"Parameters\",\"parameter\":["
             "{\"name\":\"source-patient-identifier\",\"valueIdentifier\":{\"system\":"
             "\"urn:oid:" EJ1_OID "\",\"value\":\"M1\"}},"
             "{\"name\":\"target-patient-identifier\",\"valueIdentifier\":{\"system\":"
             "\"urn:oid:" EJ1_OID "\",\"value\":\"M2\"}}]}");
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    json_decref(a.body);
}

Test(fhir_ops, pixm)
{
    feed(a28("P1", "PX1^^^HOP&" EJ1_OID "&ISO^PI||TESTPIX^ZOE^ZOE^^Mme^^L||19850715|F"));
    answer a = call("POST", "/fhir/Patient", tok_acc2, NULL,
                    patient_json(EJ2_OID, "PX2", "TESTPIXDEUX", "1990-03-04", ""));
    cr_assert_eq(a.status, 201);
    json_decref(a.body);
    a = call("GET", pix_path("sourceIdentifier=urn:oid:" EJ1_OID "|PX1"), tok_lect, NULL,
             NULL);
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    cr_assert_str_eq(json_string_value(json_object_get(a.body, "resourceType")), "Parameters");
    const char *text = dump(a.body);
    cr_assert(strstr(text, "targetIdentifier") && strstr(text, "targetId"), "%s", text);
    cr_assert(strstr(text, "\"PX1\"") == NULL, "the source is not a target: %s", text);
    json_decref(a.body);
    /* targetSystem filters; the GHT domain has an identifier for everyone. */
    a = call("GET", pix_path("sourceIdentifier=urn:oid:" EJ1_OID "|PX1&targetSystem=urn:oid:"
                             EJ2_OID), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200);
    cr_assert(strstr(dump(a.body), "targetIdentifier") == NULL, "%s", dump(a.body));
    json_decref(a.body);
    /* Unknown identifier: empty; unknown domains: 404 source, 403 target. */
    a = call("GET", pix_path("sourceIdentifier=urn:oid:" EJ1_OID "|NOPE"), tok_lect, NULL,
             NULL);
    cr_assert_eq(a.status, 200);
    cr_assert_eq(json_array_size(json_object_get(a.body, "parameter")), 0, "%s",
                 dump(a.body));
    json_decref(a.body);
    a = call("GET", pix_path("sourceIdentifier=urn:oid:1.2.3.4|X"), tok_lect, NULL, NULL);
    expect_outcome(&a, 404, "not-found", NULL);
    a = call("GET", pix_path("sourceIdentifier=urn:oid:" EJ1_OID "|PX1&targetSystem="
                             "urn:oid:1.2.3.4"), tok_lect, NULL, NULL);
    expect_outcome(&a, 403, "code-invalid", NULL);
    a = call("GET", pix_path("targetSystem=urn:oid:" EJ1_OID), tok_lect, NULL, NULL);
    expect_outcome(&a, 400, "required", NULL);
    a = call("GET", pix_path("sourceIdentifier=urn:oid:" EJ1_OID "|PX1&colour=blue"),
             tok_lect, NULL, NULL);
    expect_outcome(&a, 400, "not-supported", NULL);
    /* Scoping: EJ2's desk does not see an EJ1-only patient. */
    a = call("GET", pix_path("sourceIdentifier=urn:oid:" EJ1_OID "|PX1"), tok_acc2, NULL,
             NULL);
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("GET", pix_path("sourceIdentifier=urn:oid:" EJ1_OID "|PX1"), tok_dpo, NULL,
             NULL);
    expect_outcome(&a, 403, "forbidden", NULL);
}

/* ---- $match ---------------------------------------------------------------------- */

static const char *match_params(const char *family, const char *given, const char *birth,
                                const char *extra)
{
    return h_fmt("{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\","
                 "\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"use\":\"official\","
                 "\"family\":\"%s\",\"given\":[\"%s\"]}],\"gender\":\"female\",\"birthDate\":"
                 "\"%s\"}}%s]}", family, given, birth, extra);
}

static const char *grade_of(json_t *entry)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(json_object_get(
        entry, "search"), "extension"), 0), "valueCode"));
}

Test(fhir_ops, match)
{
    long long id = create("MA1", "TESTAPPARIEMENT");
    answer a = call("POST", "/fhir/Patient/$match", tok_iv, NULL,
                    match_params("TESTAPPARIEMENT", "ANNE", "1990-03-04", ""));
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    cr_assert_str_eq(json_string_value(json_object_get(a.body, "type")), "searchset");
    json_t *e0 = json_array_get(json_object_get(a.body, "entry"), 0);
    cr_assert_not_null(e0, "%s", dump(a.body));
    cr_assert_eq(atoll(json_string_value(json_object_get(json_object_get(e0, "resource"),
                                                         "id"))), id, "%s", dump(a.body));
    double score = json_real_value(json_object_get(json_object_get(e0, "search"), "score"));
    cr_assert(score > 0.5 && score <= 1.0, "%s", dump(a.body));
    cr_assert_str_eq(grade_of(e0), "certain", "%s", dump(a.body));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(e0, "search"), "mode")),
                     "match");
    json_decref(a.body);
    /* A typo in the name: still found, graded lower or equal, scored lower. */
    a = call("POST", "/fhir/Patient/$match", tok_iv, NULL,
             match_params("TESTAPARIEMENT", "ANNE", "1990-03-04", ""));
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    e0 = json_array_get(json_object_get(a.body, "entry"), 0);
    if (e0 != NULL)
        cr_assert(json_real_value(json_object_get(json_object_get(e0, "search"), "score"))
                  <= score, "%s", dump(a.body));
    json_decref(a.body);
    /* onlyCertainMatches and count. */
    a = call("POST", "/fhir/Patient/$match", tok_iv, NULL,
             match_params("TESTPERSONNE", "NUL", "1950-01-01",
                          ",{\"name\":\"onlyCertainMatches\",\"valueBoolean\":true},"
                          "{\"name\":\"count\",\"valueInteger\":3}"));
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(a.body, "entry"), i, e)
        cr_assert_str_eq(grade_of(e), "certain", "%s", dump(a.body));
    cr_assert_leq(json_array_size(json_object_get(a.body, "entry")), 3);
    json_decref(a.body);
    /* Errors and rights. */
    a = call("POST", "/fhir/Patient/$match", tok_iv, NULL,
             "{\"resourceType\":\"Parameters\",\"parameter\":[]}");
    expect_outcome(&a, 400, "invalid", "Parameters.parameter.where(name='resource')");
    a = call("POST", "/fhir/Patient/$match", tok_iv, NULL,
             match_params("TESTAPPARIEMENT", "ANNE", "1990",""));
    expect_outcome(&a, 400, "invalid", "Patient.birthDate");
    a = call("POST", "/fhir/Patient/$match", tok_iv, NULL,
             match_params("TESTAPPARIEMENT", "ANNE", "1990-03-04",
                          ",{\"name\":\"count\",\"valueInteger\":0}"));
    expect_outcome(&a, 400, "invalid", "Parameters.parameter.where(name='count')");
    a = call("POST", "/fhir/Patient/$match", tok_lect, NULL,
             match_params("TESTAPPARIEMENT", "ANNE", "1990-03-04", ""));
    expect_outcome(&a, 403, "forbidden", NULL);
    a = call("POST", "/fhir/Patient/$match", tok_acc1, NULL,
             match_params("TESTAPPARIEMENT", "ANNE", "1990-03-04", ""));
    expect_outcome(&a, 403, "forbidden", NULL);
}

/* ---- The FR Core examples ------------------------------------------------------- */

/* An example with its identifiers' IPP system replaced by EJ1's domain
 * (and its INS left out when drop_ins). */
