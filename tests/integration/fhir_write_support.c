/*
 * fhir_write_support.c - see fhir_write_support.h.
 */
#include "fhir_write_support.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char tok_acc1[2048], tok_acc2[2048], tok_lect[2048], tok_iv[2048], tok_admin[2048],
            tok_flux[2048], tok_dpo[2048], tok_iv1[2048];
h_server srv;

void fhir_write_setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, HEADER "EJ,EJ2,CH Deux,,750712192," EJ2_OID ",,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    issue_token(tok_acc1, "accueil", EJ1_FINESS, NULL);
    issue_token(tok_acc2, "accueil", EJ2_FINESS, NULL);
    issue_token(tok_lect, "lecteur", NULL, NULL);
    issue_token(tok_iv, "identitovigilant", NULL, NULL);
    issue_token(tok_iv1, "identitovigilant", EJ1_FINESS, NULL);
    issue_token(tok_admin, "admin", NULL, NULL);
    issue_token(tok_flux, "flux", NULL, NULL);
    issue_token(tok_dpo, "dpo", NULL, NULL);
    start(&srv);
}

void fhir_write_teardown(void)
{
    hl7_teardown();
}


const char *dump(const json_t *j)
{
    static char bufs[8][16384];
    static int next;
    char *out = bufs[next++ % 8];
    char *text = json_dumps(j, JSON_COMPACT);
    snprintf(out, sizeof bufs[0], "%s", text ? text : "(null)");
    free(text);
    return out;
}


answer call(const char *method, const char *path, const char *token,
            const char *extra, const char *body)
{
    char headers[4096];
    snprintf(headers, sizeof headers, "%s%s%s%s%s", token ? "Authorization: Bearer " : "",
             token ? token : "", token ? "\r\n" : "",
             body ? "Content-Type: application/fhir+json\r\n" : "", extra ? extra : "");
    h_response resp;
    char why[256];
    cr_assert_eq(h_http_body(srv.port, method, path, headers, body, &resp, why, sizeof why), 0,
                 "%s", why);
    answer a = { .status = resp.status };
    json_error_t e;
    a.body = json_loads(resp.body, 0, &e);
    cr_assert_not_null(a.body, "%s %s: not JSON: %s", method, path, resp.body);
    cr_assert_str_eq(resp.content_type, "application/fhir+json", "%s %s", method, path);
    snprintf(a.etag, sizeof a.etag, "%s", resp.etag);
    snprintf(a.location, sizeof a.location, "%s", resp.location);
    h_response_free(&resp);
    return a;
}

void expect_outcome(answer *a, int want, const char *code, const char *expression)
{
    cr_assert_eq(a->status, want, "status %d, want %d: %s", a->status, want, dump(a->body));
    cr_assert_str_eq(json_string_value(json_object_get(a->body, "resourceType")),
                     "OperationOutcome", "%s", dump(a->body));
    json_t *issue = json_array_get(json_object_get(a->body, "issue"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(issue, "code")), code, "%s",
                     dump(a->body));
    if (expression != NULL)
        cr_assert_str_eq(json_string_value(json_array_get(json_object_get(issue, "expression"),
                                                          0)), expression, "%s",
                         dump(a->body));
    json_decref(a->body);
    a->body = NULL;
}

const char *version_of(json_t *p)
{
    return json_string_value(json_object_get(json_object_get(p, "meta"), "versionId"));
}

int has_identifier(json_t *p, const char *system, const char *value)
{
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(p, "identifier"), i, id)
        if (strcmp(json_string_value(json_object_get(id, "system")), system) == 0
            && strcmp(json_string_value(json_object_get(id, "value")), value) == 0)
            return 1;
    return 0;
}

const char *patient_json(const char *oid, const char *ipp, const char *family,
                                const char *birth, const char *extra)
{
    return h_fmt("{\"resourceType\":\"Patient\",\"identifier\":[{\"type\":{\"coding\":[{"
                 "\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"PI\"}]},"
                 "\"system\":\"urn:oid:%s\",\"value\":\"%s\"}],\"name\":[{\"use\":\"official\","
                 "\"family\":\"%s\",\"given\":[\"ANNE\"]}],\"gender\":\"female\","
                 "\"birthDate\":\"%s\"%s}", oid, ipp, family, birth, extra);
}

const char *patient_ins_json(const char *ipp, const char *ins)
{
    return h_fmt("{\"resourceType\":\"Patient\",\"identifier\":["
                 "{\"type\":{\"coding\":[{\"code\":\"PI\"}]},\"system\":\"urn:oid:" EJ1_OID "\","
                 "\"value\":\"%s\"},{\"type\":{\"coding\":[{\"system\":\"https://hl7.fr/ig/fhir/"
                 "core/CodeSystem/fr-core-cs-v2-0203\",\"code\":\"INS-NIR\"}]},\"system\":"
                 "\"urn:oid:" INS_OID "\",\"value\":\"%s\"}],\"name\":[{\"use\":\"official\","
                 "\"family\":\"TESTINS\",\"given\":[\"CLARA\"]}],\"gender\":\"female\","
                 "\"birthDate\":\"1985-07-15\",\"extension\":[{\"url\":\"http://hl7.org/fhir/"
                 "StructureDefinition/patient-birthPlace\",\"valueAddress\":{\"extension\":[{"
                 "\"url\":\"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-"
                 "insee-code\",\"valueCoding\":{\"code\":\"75056\"}}]}},{\"url\":\"https://hl7.fr/"
                 "ig/fhir/core/StructureDefinition/fr-core-identity-reliability\",\"extension\":["
                 "{\"url\":\"identityStatus\",\"valueCoding\":{\"code\":\"QUAL\"}},{\"url\":"
                 "\"dateInterrogationINSi\",\"valueDate\":\"2026-01-02\"},{\"url\":"
                 "\"validationMode\",\"valueCoding\":{\"code\":\"CN\"}}]}]}", ipp, ins);
}

long long create(const char *ipp, const char *family)
{
    answer a = call("POST", "/fhir/Patient", tok_acc1, NULL,
                    patient_json(EJ1_OID, ipp, family, "1990-03-04", ""));
    cr_assert_eq(a.status, 201, "%s", dump(a.body));
    long long id = atoll(json_string_value(json_object_get(a.body, "id")));
    json_decref(a.body);
    return id;
}


/* ---- Versions ------------------------------------------------------------- */

const char *merge_params(long long src, long long tgt, int preview)
{
    return h_fmt("{\"resourceType\":\"Parameters\",\"parameter\":["
                 "{\"name\":\"source-patient\",\"valueReference\":{\"reference\":\"Patient/%lld\"}},"
                 "{\"name\":\"target-patient\",\"valueReference\":{\"reference\":\"Patient/%lld\"}}"
                 "%s]}", src, tgt,
                 preview ? ",{\"name\":\"preview\",\"valueBoolean\":true}" : "");
}
