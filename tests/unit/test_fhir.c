/*
 * test_fhir.c - the rights table, the router, the FHIR resource
 * mappings built from model values and the reading of a FR Core Patient
 * (no store, no HTTP).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "fhir/encounter.h"
#include "fhir/fhir_common.h"
#include "fhir/fhir_search.h"
#include "fhir/patient.h"
#include "fhir/patient_parse.h"
#include "http/rights.h"
#include "http/router.h"

Test(rights, table)
{
    cr_assert(rights_allowed(ROLE_LECTEUR, RIGHT_PATIENT_READ));
    cr_assert(rights_allowed(ROLE_ACCUEIL, RIGHT_ENCOUNTER_READ));
    cr_assert(rights_allowed(ROLE_IDENTITOVIGILANT, RIGHT_IDENTITY_MERGE));
    cr_assert(!rights_allowed(ROLE_DPO, RIGHT_PATIENT_READ));
    cr_assert(!rights_allowed(ROLE_ADMIN, RIGHT_PATIENT_READ));
    cr_assert(!rights_allowed(ROLE_FLUX, RIGHT_BREAK_GLASS));
    cr_assert(rights_allowed(ROLE_DPO, RIGHT_AUDIT_READ));
    cr_assert(!rights_allowed(ROLE_LECTEUR, RIGHT_PATIENT_WRITE));
    cr_assert(rights_allowed(ROLE_ADMIN, RIGHT_PATIENT_WRITE));
    cr_assert(rights_allowed(ROLE_FLUX, RIGHT_PATIENT_WRITE));
    cr_assert(rights_allowed(ROLE_ADMIN, RIGHT_IDENTITY_MERGE));
    cr_assert(!rights_allowed(ROLE_ACCUEIL, RIGHT_IDENTITY_MERGE));
    cr_assert(!rights_allowed((socle_role)99, RIGHT_PATIENT_READ));
    cr_assert_str_eq(right_name(RIGHT_BREAK_GLASS), "break-glass");
    /* The PMIR feed: a source (flux) or the platform (admin). */
    cr_assert(rights_allowed(ROLE_FLUX, RIGHT_IDENTITY_FEED));
    cr_assert(rights_allowed(ROLE_ADMIN, RIGHT_IDENTITY_FEED));
    cr_assert(!rights_allowed(ROLE_IDENTITOVIGILANT, RIGHT_IDENTITY_FEED));
    cr_assert(!rights_allowed(ROLE_ACCUEIL, RIGHT_IDENTITY_FEED));
    cr_assert_str_eq(right_name(RIGHT_IDENTITY_FEED), "identity.feed");
}

/* _lastUpdated: the prefixes and precisions give [from, before) in UTC. */
static int last_updated(const char *v1, const char *v2, identity_search_criteria *c,
                        int *nobody, fhir_search_error *e)
{
    http_request req;
    memset(&req, 0, sizeof req);
    req.params[0].name = (char *)"_lastUpdated";
    req.params[0].value = (char *)v1;
    req.params[1].name = (char *)"_lastUpdated";
    req.params[1].value = (char *)v2;
    req.n_params = v2 ? 2 : 1;
    return fhir_patient_params(&req, c, nobody, e);
}

Test(fhir_search, last_updated)
{
    static const struct { const char *v1, *v2, *from, *before; } ok[] = {
        { "2026", NULL, "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z" },
        { "2026-02", NULL, "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z" },
        { "eq2026-12-31", NULL, "2026-12-31T00:00:00.000Z", "2027-01-01T00:00:00.000Z" },
        { "ge2026-03-04T10:00Z", NULL, "2026-03-04T10:00:00.000Z", "" },
        { "gt2026-03-04T10:00Z", NULL, "2026-03-04T10:01:00.000Z", "" },
        { "sa2026-03-04T10:00:05Z", NULL, "2026-03-04T10:00:06.000Z", "" },
        { "lt2026-03-04T12:00:00+02:00", NULL, "", "2026-03-04T10:00:00.000Z" },
        { "eb2026-03-04T00:30:00-01:30", NULL, "", "2026-03-04T02:00:00.000Z" },
        { "le2026-03-04T10:00:00.25Z", NULL, "", "2026-03-04T10:00:00.260Z" },
        { "2026-03-04T10:00:00.123456Z", NULL, "2026-03-04T10:00:00.123Z",
          "2026-03-04T10:00:00.124Z" },
        { "ge2026", "lt2026-07", "2026-01-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z" },
    };
    identity_search_criteria c;
    fhir_search_error e;
    int nobody;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_assert_eq(last_updated(ok[i].v1, ok[i].v2, &c, &nobody, &e), 0, "%s: %s",
                     ok[i].v1, e.msg);
        cr_assert_str_eq(c.updated_from, ok[i].from, "%s", ok[i].v1);
        cr_assert_str_eq(c.updated_before, ok[i].before, "%s", ok[i].v1);
        cr_assert_eq(nobody, 0, "%s", ok[i].v1);
    }
    /* Bounds that leave nothing: nobody, without asking the store. */
    cr_assert_eq(last_updated("gt2027", "lt2026", &c, &nobody, &e), 0);
    cr_assert_eq(nobody, 1);
    static const char *const bad[] = {
        "2026-13", "2026-02-30", "2026-01-01T10:00", "2026-01-01T24:00Z", "2026-01-01T10Z",
        "2026-01-01T10:00:00+2:00", "1700", "26", "", "2026-01-01T10:00:00.Z",
        "2026-01-01 10:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(last_updated(bad[i], NULL, &c, &nobody, &e), -1, "%s accepted", bad[i]);
        cr_assert_str_eq(e.code, "invalid", "%s", bad[i]);
        cr_assert_str_eq(e.expression, "Patient.meta.lastUpdated");
    }
    cr_assert_eq(last_updated("ne2026", NULL, &c, &nobody, &e), -1);
    cr_assert_str_eq(e.code, "not-supported");
}

Test(router, match)
{
    static const http_route r[] = {
        { "GET", "/fhir/Patient", 1 }, { "GET", "/fhir/Patient/{}", 2 },
    };
    http_match m;
    cr_assert_eq(http_route_match(r, 2, "GET", "/fhir/Patient/42", &m), 1);
    cr_assert_eq(m.handler, 2);
    cr_assert_str_eq(m.captures[0], "42");
    cr_assert_eq(http_route_match(r, 2, "DELETE", "/fhir/Patient/42", &m), -1);
    cr_assert_str_eq(m.allow, "GET");
    cr_assert_eq(http_route_match(r, 2, "GET", "/fhir/Patient/42/x", &m), 0);
    cr_assert_eq(http_route_match(r, 2, "GET", "/fhir/Patient/", &m), 0);
}

Test(fhir_common, datetime)
{
    char out[40];
    cr_assert_eq(fhir_datetime("2026-01-10T08:00:00", out, sizeof out), 0);
    cr_assert_str_eq(out, "2026-01-10T08:00:00+01:00");
    cr_assert_eq(fhir_datetime("2026-07-01T12:30", out, sizeof out), 0);
    cr_assert_str_eq(out, "2026-07-01T12:30:00+02:00");
    /* 2026-03-29 is the last Sunday of March: summer time from 02:00. */
    cr_assert_eq(fhir_datetime("2026-03-29T01:59:00", out, sizeof out), 0);
    cr_assert_str_eq(out, "2026-03-29T01:59:00+01:00");
    cr_assert_eq(fhir_datetime("2026-03-29T03:00:00", out, sizeof out), 0);
    cr_assert_str_eq(out, "2026-03-29T03:00:00+02:00");
    cr_assert_eq(fhir_datetime("2026-01-10", out, sizeof out), 0);
    cr_assert_str_eq(out, "2026-01-10");
    cr_assert_eq(fhir_datetime("", out, sizeof out), -1);
    cr_assert_eq(fhir_datetime("garbage", out, sizeof out), -1);
}

static identity_hit_local local(const char *oid, const char *ipp, rniv_status status)
{
    identity_hit_local l;
    memset(&l, 0, sizeof l);
    strcpy(l.domain_oid, oid);
    strcpy(l.domain_name, "CHU Test");
    strcpy(l.li.ipp, ipp);
    strcpy(l.li.traits.birth_name, "TESTNOM");
    strcpy(l.li.traits.first_forename, "ALICE");
    strcpy(l.li.traits.forenames, "ALICE CLAIRE");
    strcpy(l.li.traits.birth_date, "1985-07-15");
    strcpy(l.li.traits.birth_place, "75056");
    strcpy(l.li.traits.used_name, "TESTUSAGE");
    l.li.traits.sex = 'F';
    l.li.status = status;
    return l;
}

Test(fhir_patient, from_hit)
{
    identity_hit_local locals[1] = { local("1.2.3", "IPP1", RNIV_QUAL) };
    identity_hit h = { .ght_id = 7, .locals = locals, .n_locals = 1, .best = 0 };
    strcpy(h.ins, "285077505600195");
    strcpy(h.ins_oid, "1.2.250.1.213.1.4.8");
    json_t *p = fhir_patient_from_hit(&h, "1.2.9");
    char *text = json_dumps(p, JSON_SORT_KEYS);
    cr_assert_str_eq(json_string_value(json_object_get(p, "id")), "7");
    cr_assert(json_is_true(json_object_get(p, "active")));
    cr_assert_eq(json_array_size(json_object_get(p, "identifier")), 3, "%s", text);
    cr_assert(strstr(text, "\"urn:oid:1.2.3\"") && strstr(text, "\"IPP1\""), "%s", text);
    cr_assert(strstr(text, "\"INS-NIR\"") && strstr(text, "\"urn:oid:1.2.250.1.213.1.4.8\""),
              "%s", text);
    cr_assert(strstr(text, "\"QUAL\"") && strstr(text, "\"75056\""), "%s", text);
    json_t *names = json_object_get(p, "name");
    cr_assert_eq(json_array_size(names), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(names, 1), "family")),
                     "TESTUSAGE");
    cr_assert_str_eq(json_string_value(json_object_get(p, "gender")), "female");
    free(text);
    json_decref(p);

    /* Not qualified: no INS. */
    locals[0].li.status = RNIV_VALI;
    h.ins[0] = '\0';
    p = fhir_patient_from_hit(&h, "1.2.9");
    text = json_dumps(p, 0);
    cr_assert(strstr(text, "INS-NIR") == NULL && strstr(text, "\"VALI\""), "%s", text);
    free(text);
    json_decref(p);
}

Test(fhir_patient, merged_away)
{
    identity_patient ip;
    memset(&ip, 0, sizeof ip);
    ip.ght.id = 5;
    ip.ght.state = GHT_MERGED;
    ip.ght.merged_into = 9;
    strcpy(ip.ght_oid, "1.2.9");
    json_t *p = fhir_patient_from_read(&ip);
    cr_assert(json_is_false(json_object_get(p, "active")));
    json_t *link = json_array_get(json_object_get(p, "link"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(link, "type")), "replaced-by");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(link, "other"),
                                                       "reference")), "Patient/9");
    json_t *id = json_array_get(json_object_get(p, "identifier"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(id, "use")), "old");
    json_decref(p);
}

Test(fhir_encounter, from_stay)
{
    movement moves[2];
    memset(moves, 0, sizeof moves);
    strcpy(moves[0].effective_at, "2026-01-10T08:00:00");
    strcpy(moves[0].location.uf, "UF-1");
    strcpy(moves[1].effective_at, "2026-01-12T09:00:00");
    strcpy(moves[1].location.uf, "UF-2");
    stay_view v;
    memset(&v, 0, sizeof v);
    v.stay.id = 3;
    strcpy(v.stay.nda, "NDA1");
    strcpy(v.stay.stay_class, "I");
    v.stay.status = STAY_FINISHED;
    strcpy(v.stay.admit_at, "2026-01-10T08:00:00");
    strcpy(v.stay.discharge_at, "2026-01-15T10:00:00");
    strcpy(v.domain.oid, "1.2.3");
    strcpy(v.domain.name, "CHU Test");
    strcpy(v.domain.finess, "750712184");
    v.ght_id = 7;
    v.moves = moves;
    v.n_moves = 2;
    json_t *e = fhir_encounter_from_stay(&v);
    char *text = json_dumps(e, 0);
    cr_assert_str_eq(json_string_value(json_object_get(e, "status")), "finished");
    json_t *locs = json_object_get(e, "location");
    cr_assert_eq(json_array_size(locs), 2, "%s", text);
    json_t *first = json_array_get(locs, 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(first, "period"), "end")),
                     "2026-01-12T09:00:00+01:00", "%s", text);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(locs, 1), "status")),
                     "completed");
    cr_assert(strstr(text, "\"Patient/7\"") && strstr(text, "\"NDA1\"")
              && strstr(text, "\"750712184\""), "%s", text);
    free(text);
    json_decref(e);
}

/* ---- Reading a FR Core Patient (patient_parse.h) ------------------------ */

static int parse(const char *json, fhir_patient_in *p, fhir_search_error *e)
{
    return fhir_patient_parse(json, strlen(json), p, e);
}

Test(patient_parse, frcore_fields)
{
    const char *json =
        "{\"resourceType\":\"Patient\",\"id\":\"7\",\"identifier\":["
        "{\"type\":{\"coding\":[{\"code\":\"PI\"}]},\"system\":\"urn:oid:1.2.3\",\"value\":\"X1\"},"
        "{\"type\":{\"coding\":[{\"code\":\"NH\"}]},\"system\":\"urn:oid:1.2.250.1.213.1.4.8\","
        "\"value\":\"185077505600195\"},"
        "{\"type\":{\"coding\":[{\"code\":\"INS-NIR\"}]},\"system\":"
        "\"urn:oid:1.2.250.1.213.1.4.8\",\"value\":\"285077505600195\"},"
        "{\"system\":\"http://example.org\",\"value\":\"ignored\"}],"
        "\"name\":[{\"use\":\"usual\",\"family\":\"EPOUSETEST\",\"given\":[\"ANNIE\"]},"
        "{\"use\":\"official\",\"family\":\"NAISSTEST\",\"given\":[\"ANNE\"],\"extension\":[{"
        "\"url\":\"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-"
        "given-name\",\"valueString\":\"ANNE MARIE\"}]}],"
        "\"gender\":\"female\",\"birthDate\":\"1985-07-15\",\"extension\":[{\"url\":"
        "\"http://hl7.org/fhir/StructureDefinition/patient-birthPlace\",\"valueAddress\":{"
        "\"extension\":[{\"url\":\"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-"
        "address-insee-code\",\"valueCoding\":{\"code\":\"75056\"}}]}},{\"url\":\"https://hl7.fr/"
        "ig/fhir/core/StructureDefinition/fr-core-identity-reliability\",\"extension\":[{\"url\":"
        "\"identityStatus\",\"valueCoding\":{\"code\":\"QUAL\"}},{\"url\":\"validationMode\","
        "\"valueCoding\":{\"code\":\"CN\"}}]}],\"telecom\":[{\"system\":\"email\",\"value\":"
        "\"a@example.org\"}]}";
    fhir_patient_in p;
    fhir_search_error e;
    cr_assert_eq(parse(json, &p, &e), 0, "%s", e.msg);
    cr_assert_str_eq(p.id, "7");
    cr_assert_eq(p.n_pi, 1);
    cr_assert_str_eq(p.pi[0].oid, "1.2.3");
    cr_assert_str_eq(p.pi[0].value, "X1");
    cr_assert_str_eq(p.in.ins, "285077505600195");
    cr_assert_str_eq(p.in.ins_oid, "1.2.250.1.213.1.4.8");
    cr_assert(p.in.insi_verified);
    cr_assert_str_eq(p.in.proof_type, "CN");
    cr_assert_str_eq(p.in.traits.birth_name, "NAISSTEST");
    cr_assert_str_eq(p.in.traits.first_forename, "ANNE");
    cr_assert_str_eq(p.in.traits.forenames, "ANNE MARIE");
    cr_assert_str_eq(p.in.traits.used_name, "EPOUSETEST");
    cr_assert_str_eq(p.in.traits.used_forename, "ANNIE");
    cr_assert_eq(p.in.traits.sex, 'F');
    cr_assert_str_eq(p.in.traits.birth_date, "1985-07-15");
    cr_assert_str_eq(p.in.traits.birth_place, "75056");
    cr_assert_str_eq(p.in.contact.email, "a@example.org");
}

Test(patient_parse, legacy_status_and_unverified_ins)
{
    /* FR Core 1.x: VALI of fr-v2-0445 means INS-bearing (INSi). */
    const char *legacy =
        "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"LEGTEST\",\"given\":[\"LEA\"]}],"
        "\"gender\":\"female\",\"birthDate\":\"1985-07-15\",\"extension\":[{\"url\":"
        "\"http://interopsante.org/fhir/StructureDefinition/fr-core-ident-reliability\","
        "\"extension\":[{\"url\":\"identityReliability\",\"valueCoding\":{\"system\":"
        "\"http://interopsante.org/fhir/CodeSystem/fr-v2-0445\",\"code\":\"VALI\"}}]}]}";
    fhir_patient_in p;
    fhir_search_error e;
    cr_assert_eq(parse(legacy, &p, &e), 0, "%s", e.msg);
    cr_assert(p.in.insi_verified);
    cr_assert_str_eq(p.in.traits.birth_name, "LEGTEST");
    /* FR Core 2.1+: VALI is validated without INS: not INSi-verified. */
    const char *vali =
        "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"VALTEST\",\"given\":[\"LEA\"]}],"
        "\"gender\":\"female\",\"birthDate\":\"1985-07-15\",\"extension\":[{\"url\":"
        "\"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability\","
        "\"extension\":[{\"url\":\"identityStatus\",\"valueCoding\":{\"system\":"
        "\"https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status\",\"code\":"
        "\"VALI\"}}]}]}";
    cr_assert_eq(parse(vali, &p, &e), 0, "%s", e.msg);
    cr_assert(!p.in.insi_verified);
}

Test(patient_parse, errors_name_the_element)
{
    fhir_patient_in p;
    fhir_search_error e;
    cr_assert_eq(parse("{", &p, &e), -1);
    cr_assert_str_eq(e.code, "invalid");
    cr_assert_eq(parse("[1]", &p, &e), -1);
    cr_assert_eq(parse("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"XTEST\"}],"
                       "\"gender\":\"female\",\"birthDate\":\"1985-07\"}", &p, &e), -1);
    cr_assert_str_eq(e.expression, "Patient.birthDate");
    cr_assert_eq(parse("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"XTEST\"}],"
                       "\"gender\":\"girl\",\"birthDate\":\"1985-07-01\"}", &p, &e), -1);
    cr_assert_str_eq(e.expression, "Patient.gender");
    cr_assert_eq(parse("{\"resourceType\":\"Patient\",\"gender\":\"male\","
                       "\"birthDate\":\"1985-07-01\"}", &p, &e), -1);
    cr_assert_str_eq(e.expression, "Patient.name");
    cr_assert_str_eq(fhir_patient_expression("birth_date: 2990-01-01 is in the future"),
                     "Patient.birthDate");
    cr_assert_null(fhir_patient_expression("something else"));
}
