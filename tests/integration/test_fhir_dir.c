/*
 * test_fhir_dir.c - the directory resources of the FHIR interface over
 * real HTTP: Organization and Location from the structures repository
 * (imported with `socle import structures`), bed occupancy from a stay
 * admitted over MLLP; read, search, paging, errors and rights.
 *
 * Every structure, patient and code here is invented.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl7_support.h"

#define EJ1_OID "1.2.250.1.999.1"
#define EJ1_FINESS "750712184"

#define PRO_HEADER "id_type,id,civility,family,given,profession_code,profession_label," \
                   "specialty_code,specialty_label,ej_finess,role\n"
/* One physician with a role in EJ1 and one through its site EG1, a nurse. */
#define PROS PRO_HEADER \
    "RPPS,10000000001,DR,TESTMEDECIN,Claire,10,Médecin,SM04,Cardiologie,750712184,\n" \
    "RPPS,10000000001,DR,TESTMEDECIN,Claire,10,Médecin,SM04,Cardiologie,750000010,FON-05\n" \
    "ADELI,759912345,MME,TESTINFIRMIERE,Lucie,60,Infirmier,,,750712184,\n"

static char tok_lecteur[2048], tok_dpo[2048], tok_admin[2048];
static h_server srv;

static void dir_setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, HEADER
                              "POLE,P-MED,Pole medecine,EG1,,,,\n"
                              "SERVICE,S-CARDIO,Service de cardiologie,P-MED,,,,\n"
                              "UF,UF-1,UF Cardiologie,S-CARDIO,,,,\n"
                              "UF,UF-OLD,UF Fermee,S-CARDIO,,,2001-01-01,2002-12-31\n"
                              "CHAMBRE,CH-101,Chambre 101,UF-1,,,,\n"
                              "LIT,LIT-101A,Lit porte,CH-101,,,,\n"
                              "LIT,LIT-101B,Lit fenetre,CH-101,,,,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    file = h_fmt("%s/pros.csv", root);
    cr_assert_eq(h_write_text(file, PROS), 0);
    cr_assert_eq(H_RUN(&r, "import", "professionals", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    issue_token(tok_lecteur, "lecteur", NULL, "lecteur-t");
    issue_token(tok_dpo, "dpo", NULL, "dpo-t");
    issue_token(tok_admin, "admin", NULL, "admin-t");
    start(&srv);
    /* One patient admitted into bed LIT-101A. */
    feed("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|D1|P|2.5^FRA^2.11"
         "|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
         "PID|1||IPP9^^^HOP&" EJ1_OID "&ISO^PI||TESTLIT^PAUL^PAUL^^M.^^L||19800101|M\r"
         "PV1|1|I|UF-1^CH-101^LIT-101A||||||||||||||||V900^^^HOP&" EJ1_OID "&ISO^VN\r"
         "ZBE|MV1^GAM^1.2.250.1.999.1.9^ISO|20260110080000||INSERT|N||^^^^^^UF^^^UF-1||HMS\r");
}

static void dir_teardown(void)
{
    hl7_teardown();
}

TestSuite(fhir_dir, .init = dir_setup, .fini = dir_teardown, .timeout = 240);

static const char *dump(const json_t *j)
{
    static char bufs[4][16384];
    static int next;
    char *out = bufs[next++ % 4];
    char *text = json_dumps(j, JSON_COMPACT);
    snprintf(out, sizeof bufs[0], "%s", text ? text : "(null)");
    free(text);
    return out;
}

static json_t *get(const char *path, const char *token, int *status)
{
    char headers[2300] = "";
    if (token != NULL)
        snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", token);
    h_response resp;
    char why[256];
    cr_assert_eq(h_http_ex(srv.port, "GET", path, headers, &resp, why, sizeof why), 0, "%s",
                 why);
    *status = resp.status;
    json_error_t e;
    json_t *j = json_loads(resp.body, 0, &e);
    cr_assert_not_null(j, "%s: not JSON: %s", path, resp.body);
    cr_assert_str_eq(resp.content_type, "application/fhir+json", "%s", path);
    h_response_free(&resp);
    return j;
}

/* A search expected to succeed: the Bundle. */
static json_t *search(const char *path, const char *token)
{
    int st;
    json_t *b = get(path, token, &st);
    cr_assert_eq(st, 200, "%s: %d %s", path, st, dump(b));
    cr_assert_str_eq(json_string_value(json_object_get(b, "type")), "searchset");
    return b;
}

static json_t *entry(json_t *bundle, size_t i)
{
    return json_object_get(json_array_get(json_object_get(bundle, "entry"), i), "resource");
}

static long long total(json_t *bundle)
{
    return json_integer_value(json_object_get(bundle, "total"));
}

static const char *str(json_t *j, const char *path)
{
    /* "a.b.0.c": objects by key, arrays by index. */
    char copy[256];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *save = NULL, *t = strtok_r(copy, ".", &save); t && j;
         t = strtok_r(NULL, ".", &save))
        j = json_is_array(j) ? json_array_get(j, (size_t)atoi(t)) : json_object_get(j, t);
    return j && json_is_string(j) ? json_string_value(j) : "";
}

/* The id of the one resource a search finds. */
static const char *one(const char *path, const char *token)
{
    static char ids[4][32];
    static int next;
    json_t *b = search(path, token);
    cr_assert_eq(total(b), 1, "%s: %s", path, dump(b));
    char *out = ids[next++ % 4];
    snprintf(out, sizeof ids[0], "%s", str(entry(b, 0), "id"));
    json_decref(b);
    return out;
}

Test(fhir_dir, organization_read_and_search)
{
    char ej[32], eg[32];
    snprintf(ej, sizeof ej, "%s", one("/fhir/Organization?identifier=https://"
                                      "finess.esante.gouv.fr|" EJ1_FINESS, tok_lecteur));
    int st;
    json_t *o = get(h_fmt("/fhir/Organization/%s", ej), tok_lecteur, &st);
    cr_assert_eq(st, 200, "%s", dump(o));
    cr_assert_str_eq(str(o, "resourceType"), "Organization");
    cr_assert_str_eq(str(o, "type.0.coding.0.code"), "LEGAL-ENTITY");
    cr_assert_str_eq(str(o, "name"), "CHU Test");
    cr_assert(json_is_true(json_object_get(o, "active")));
    cr_assert_null(json_object_get(o, "partOf"), "an EJ is a root");
    cr_assert(strstr(dump(o), "\"urn:oid:1.2.250.1.71.4.2.2\",\"value\":\"1" EJ1_FINESS "\""),
              "idNatSt: %s", dump(o));
    json_decref(o);

    /* The same EJ by idNatSt, by a bare FINESS and by its code. */
    cr_assert_str_eq(one("/fhir/Organization?identifier=urn:oid:1.2.250.1.71.4.2.2|1"
                         EJ1_FINESS, tok_lecteur), ej);
    cr_assert_str_eq(one("/fhir/Organization?identifier=" EJ1_FINESS, tok_lecteur), ej);
    cr_assert_str_eq(one("/fhir/Organization?identifier=urn:socle:structure-code|EJ1",
                         tok_lecteur), ej);

    /* partOf, type, name. */
    snprintf(eg, sizeof eg, "%s",
             one(h_fmt("/fhir/Organization?partof=Organization/%s", ej), tok_lecteur));
    o = get(h_fmt("/fhir/Organization/%s", eg), tok_lecteur, &st);
    cr_assert_str_eq(str(o, "type.0.coding.0.code"), "GEOGRAPHICAL-ENTITY");
    cr_assert_str_eq(str(o, "partOf.reference"), h_fmt("Organization/%s", ej));
    json_decref(o);
    cr_assert_str_eq(one("/fhir/Organization?name=site%20PRINC", tok_lecteur), eg);
    cr_assert_str_eq(one("/fhir/Organization?type=POLE", tok_lecteur),
                     one(h_fmt("/fhir/Organization?partof=%s", eg), tok_lecteur));
    json_t *b = search("/fhir/Organization?type=https://hl7.fr/ig/fhir/core/CodeSystem/"
                       "fr-core-cs-v2-3307|UF", tok_lecteur);
    cr_assert_eq(total(b), 2, "%s", dump(b));
    json_decref(b);
    const char *old = one("/fhir/Organization?identifier=urn:socle:structure-code|UF-OLD",
                          tok_lecteur);
    o = get(h_fmt("/fhir/Organization/%s", old), tok_lecteur, &st);
    cr_assert(json_is_false(json_object_get(o, "active")), "ended: %s", dump(o));
    cr_assert(strstr(str(o, "meta.profile.0"), "fr-core-organization-uf") != NULL);
    json_decref(o);

    /* Nothing found: an unknown system, an unknown type, a Location's code. */
    b = search("/fhir/Organization?identifier=http://example.org|EJ1", tok_lecteur);
    cr_assert_eq(total(b), 0);
    json_decref(b);
    b = search("/fhir/Organization?type=CHAMB", tok_lecteur);
    cr_assert_eq(total(b), 0);
    json_decref(b);
    b = search("/fhir/Organization?identifier=urn:socle:structure-code|CH-101", tok_lecteur);
    cr_assert_eq(total(b), 0);
    json_decref(b);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}

Test(fhir_dir, location_rooms_and_beds)
{
    char uf[32], room[32];
    snprintf(uf, sizeof uf, "%s",
             one("/fhir/Organization?identifier=urn:socle:structure-code|UF-1", tok_lecteur));
    snprintf(room, sizeof room, "%s", one("/fhir/Location?type=CHAMB", tok_lecteur));
    int st;
    json_t *l = get(h_fmt("/fhir/Location/%s", room), tok_lecteur, &st);
    cr_assert_eq(st, 200, "%s", dump(l));
    cr_assert_str_eq(str(l, "physicalType.coding.0.code"), "ro");
    cr_assert_str_eq(str(l, "managingOrganization.reference"), h_fmt("Organization/%s", uf));
    cr_assert_str_eq(str(l, "status"), "active");
    json_decref(l);

    json_t *b = search(h_fmt("/fhir/Location?partof=Location/%s", room), tok_lecteur);
    cr_assert_eq(total(b), 2, "%s", dump(b));
    int occupied = 0, free_beds = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *bed = entry(b, i);
        cr_assert_str_eq(str(bed, "type.0.coding.0.code"), "LIT");
        cr_assert_str_eq(str(bed, "physicalType.coding.0.code"), "bd");
        cr_assert_str_eq(str(bed, "partOf.reference"), h_fmt("Location/%s", room));
        cr_assert_str_eq(str(bed, "managingOrganization.reference"),
                         h_fmt("Organization/%s", uf));
        const char *code = str(bed, "identifier.0.value");
        const char *status = str(bed, "operationalStatus.code");
        if (strcmp(code, "LIT-101A") == 0 && strcmp(status, "O") == 0)
            occupied++;
        if (strcmp(code, "LIT-101B") == 0 && strcmp(status, "U") == 0)
            free_beds++;
    }
    cr_assert(occupied == 1 && free_beds == 1, "occupancy: %s", dump(b));
    json_decref(b);

    /* Paging: _count=1 over the three places, following next links. */
    b = search("/fhir/Location?_count=1", tok_lecteur);
    cr_assert_eq(total(b), 3);
    int pages = 1;
    for (;;) {
        json_t *links = json_object_get(b, "link");
        const char *next = NULL;
        for (size_t i = 0; i < json_array_size(links); i++)
            if (strcmp(str(json_array_get(links, i), "relation"), "next") == 0)
                next = str(json_array_get(links, i), "url");
        if (next == NULL)
            break;
        cr_assert_eq(json_array_size(json_object_get(b, "entry")), 1);
        const char *path = strstr(next, "/fhir/");
        cr_assert_not_null(path, "%s", next);
        json_t *nb = search(path, tok_lecteur);
        json_decref(b);
        b = nb;
        pages++;
    }
    json_decref(b);
    cr_assert_eq(pages, 3);

    /* The stay's Encounter points at the bed's Location. */
    const char *bed = one("/fhir/Location?identifier=urn:socle:structure-code|LIT-101A",
                          tok_lecteur);
    b = search("/fhir/Encounter?identifier=V900", tok_lecteur);
    cr_assert_eq(total(b), 1, "%s", dump(b));
    cr_assert_str_eq(str(entry(b, 0), "location.0.location.reference"),
                     h_fmt("Location/%s", bed), "%s", dump(b));
    json_decref(b);

    /* An Organization's id is not a Location. */
    l = get(h_fmt("/fhir/Location/%s", uf), tok_lecteur, &st);
    cr_assert_eq(st, 404, "%s", dump(l));
    json_decref(l);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}

Test(fhir_dir, errors_and_rights)
{
    int st;
    json_t *j = get("/fhir/Location?colour=blue", tok_lecteur, &st);
    cr_assert_eq(st, 400, "%s", dump(j));
    cr_assert_str_eq(str(j, "issue.0.code"), "not-supported");
    json_decref(j);
    j = get("/fhir/Organization?_count=0", tok_lecteur, &st);
    cr_assert_eq(st, 400);
    json_decref(j);
    j = get("/fhir/Organization?partof=Patient/1", tok_lecteur, &st);
    cr_assert_eq(st, 400);
    json_decref(j);
    j = get("/fhir/Organization/999999", tok_lecteur, &st);
    cr_assert_eq(st, 404);
    cr_assert_str_eq(str(j, "resourceType"), "OperationOutcome");
    json_decref(j);
    j = get("/fhir/Organization", NULL, &st);
    cr_assert_eq(st, 401);
    json_decref(j);
    /* Structures: as the workbench's tree (RIGHT_STRUCTURE_READ): admin yes,
     * dpo no; the professional directory: every role. */
    json_t *b = search("/fhir/Organization?type=LEGAL-ENTITY", tok_admin);
    cr_assert_eq(total(b), 1);
    json_decref(b);
    j = get("/fhir/Location", tok_dpo, &st);
    cr_assert_eq(st, 403, "%s", dump(j));
    json_decref(j);
    b = search("/fhir/Practitioner?name=TEST", tok_dpo);
    cr_assert_eq(total(b), 2);
    json_decref(b);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}

Test(fhir_dir, metadata_lists_the_directory)
{
    int st;
    h_response resp;
    char why[256];
    cr_assert_eq(h_http_ex(srv.port, "GET", "/fhir/metadata", "", &resp, why, sizeof why), 0);
    json_t *m = json_loads(resp.body, 0, NULL);
    h_response_free(&resp);
    cr_assert_not_null(m);
    json_t *res = json_object_get(json_array_get(json_object_get(m, "rest"), 0), "resource");
    int org = 0, loc = 0;
    for (size_t i = 0; i < json_array_size(res); i++) {
        const char *t = str(json_array_get(res, i), "type");
        org += strcmp(t, "Organization") == 0;
        loc += strcmp(t, "Location") == 0;
    }
    cr_assert(org == 1 && loc == 1, "org %d loc %d of %zu", org, loc, json_array_size(res));
    (void)st;
    json_decref(m);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}

Test(fhir_dir, practitioners_and_roles)
{
    char claire[32], ej[32];
    snprintf(claire, sizeof claire, "%s",
             one("/fhir/Practitioner?identifier=urn:oid:1.2.250.1.71.4.2.1|810000000001",
                 tok_lecteur));
    snprintf(ej, sizeof ej, "%s", one("/fhir/Organization?type=LEGAL-ENTITY", tok_lecteur));
    int st;
    json_t *p = get(h_fmt("/fhir/Practitioner/%s", claire), tok_lecteur, &st);
    cr_assert_eq(st, 200, "%s", dump(p));
    cr_assert_str_eq(str(p, "resourceType"), "Practitioner");
    cr_assert_str_eq(str(p, "name.0.family"), "TESTMEDECIN");
    cr_assert_str_eq(str(p, "name.0.given.0"), "Claire");
    cr_assert_str_eq(str(p, "name.0.prefix.0"), "Dr");
    cr_assert(strstr(dump(p), "\"https://rpps.esante.gouv.fr\",\"value\":\"10000000001\""),
              "%s", dump(p));
    json_decref(p);

    cr_assert_str_eq(one("/fhir/Practitioner?identifier=https://rpps.esante.gouv.fr|"
                         "10000000001", tok_lecteur), claire);
    cr_assert_str_eq(one("/fhir/Practitioner?identifier=10000000001", tok_lecteur), claire);
    cr_assert_str_eq(one("/fhir/Practitioner?family=testmed", tok_lecteur), claire);
    char lucie[32];
    snprintf(lucie, sizeof lucie, "%s", one("/fhir/Practitioner?name=lucie", tok_lecteur));
    cr_assert_str_eq(one("/fhir/Practitioner?identifier=urn:oid:1.2.250.1.71.4.2.1|"
                         "0759912345", tok_lecteur), lucie);
    json_t *b = search("/fhir/Practitioner?name=TEST", tok_lecteur);
    cr_assert_eq(total(b), 2);
    json_decref(b);
    b = search("/fhir/Practitioner?identifier=http://example.org|10000000001", tok_lecteur);
    cr_assert_eq(total(b), 0);
    json_decref(b);

    /* Claire's two roles are both the EJ's (one named by its site's FINESS). */
    b = search(h_fmt("/fhir/PractitionerRole?practitioner=Practitioner/%s", claire),
               tok_lecteur);
    cr_assert_eq(total(b), 2, "%s", dump(b));
    for (size_t i = 0; i < 2; i++) {
        json_t *role = entry(b, i);
        cr_assert_str_eq(str(role, "organization.reference"), h_fmt("Organization/%s", ej));
        cr_assert_str_eq(str(role, "practitioner.reference"),
                         h_fmt("Practitioner/%s", claire));
        cr_assert_str_eq(str(role, "code.0.coding.0.code"), "10");
        cr_assert_str_eq(str(role, "specialty.0.coding.0.code"), "SM04");
    }
    const char *role_id = str(entry(b, 1), "id");
    json_t *role = get(h_fmt("/fhir/PractitionerRole/%s", role_id), tok_lecteur, &st);
    cr_assert_eq(st, 200);
    cr_assert_str_eq(str(role, "code.1.coding.0.code"), "FON-05", "%s", dump(role));
    json_decref(role);
    json_decref(b);
    b = search(h_fmt("/fhir/PractitionerRole?organization=Organization/%s&_count=2", ej),
               tok_lecteur);
    cr_assert_eq(total(b), 3);
    cr_assert_eq(json_array_size(json_object_get(b, "entry")), 2);
    json_decref(b);

    json_t *j = get("/fhir/PractitionerRole?family=TEST", tok_lecteur, &st);
    cr_assert_eq(st, 400, "%s", dump(j));
    json_decref(j);
    j = get("/fhir/Practitioner/0", tok_lecteur, &st);
    cr_assert_eq(st, 404);
    json_decref(j);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}

/* The number of professionals the server finds. */
static long long professionals(void)
{
    json_t *b = search("/fhir/Practitioner?name=TEST", tok_lecteur);
    long long n = total(b);
    json_decref(b);
    return n;
}

Test(fhir_dir, import_professionals_all_or_nothing)
{
    h_result r;
    const char *same = h_fmt("%s/pros.csv", root);
    cr_assert_eq(H_RUN(&r, "import", "professionals", "--data", data, same), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert(strstr(r.out, "professionals 0 inserted, 0 updated, 2 unchanged; "
                            "roles 0 inserted, 0 updated, 3 unchanged"), "%s", r.out);
    h_result_free(&r);

    /* A bad RPPS on line 3: nothing of the file is imported. */
    const char *bad = h_fmt("%s/bad.csv", root);
    cr_assert_eq(h_write_text(bad, PRO_HEADER
        "RPPS,10000000002,M,TESTNOUVEAU,Jean,10,Médecin,,,750712184,\n"
        "RPPS,1000000000X,M,TESTFAUX,Paul,10,Médecin,,,750712184,\n"), 0);
    cr_assert_eq(H_RUN(&r, "import", "professionals", "--data", data, bad), 0);
    ASSERT_EXIT(&r, 1);
    cr_assert(strstr(r.err, h_fmt("%s:3: an RPPS number is 11 digits", bad)), "%s", r.err);
    h_result_free(&r);
    cr_assert_eq(professionals(), 2);

    /* An establishment outside the structures; two names for one RPPS. */
    cr_assert_eq(h_write_text(bad, PRO_HEADER
        "RPPS,10000000002,M,TESTNOUVEAU,Jean,10,Médecin,,,130000011,\n"), 0);
    cr_assert_eq(H_RUN(&r, "import", "professionals", "--data", data, bad), 0);
    ASSERT_EXIT(&r, 1);
    cr_assert(strstr(r.err, ":2: no EJ or EG with FINESS 130000011"), "%s", r.err);
    h_result_free(&r);
    cr_assert_eq(h_write_text(bad, PRO_HEADER
        "RPPS,10000000002,M,TESTNOUVEAU,Jean,10,Médecin,,,750712184,\n"
        "RPPS,10000000002,M,TESTNOUVEAU,Jacques,10,Médecin,,,750712184,FON-01\n"), 0);
    cr_assert_eq(H_RUN(&r, "import", "professionals", "--data", data, bad), 0);
    ASSERT_EXIT(&r, 1);
    cr_assert(strstr(r.err, ":3: RPPS 10000000002 has other names"), "%s", r.err);
    h_result_free(&r);
    cr_assert_eq(professionals(), 2);

    /* A renamed professional is updated in place. */
    cr_assert_eq(h_write_text(bad, PRO_HEADER
        "ADELI,759912345,MME,TESTINFIRMIERE-MARTIN,Lucie,60,Infirmier,,,750712184,\n"), 0);
    cr_assert_eq(H_RUN(&r, "import", "professionals", "--data", data, bad), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert(strstr(r.out, "professionals 0 inserted, 1 updated"), "%s", r.out);
    h_result_free(&r);
    cr_assert_eq(professionals(), 2);
    json_t *b = search("/fhir/Practitioner?family=testinfirmiere-m", tok_lecteur);
    cr_assert_eq(total(b), 1);
    json_decref(b);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}

/* Every entry of a Bundle satisfies: its string at path equals want. */
static void all_equal(json_t *b, const char *path, const char *want)
{
    for (size_t i = 0; i < json_array_size(json_object_get(b, "entry")); i++)
        cr_assert_str_eq(str(entry(b, i), path), want, "entry %zu: %s", i, dump(entry(b, i)));
}

Test(fhir_dir, audit_events)
{
    /* Some reads by the lecteur, then its attempt at the trail. */
    char ej[32];
    snprintf(ej, sizeof ej, "%s", one("/fhir/Organization?type=LEGAL-ENTITY", tok_lecteur));
    int st;
    json_t *j = get(h_fmt("/fhir/Organization/%s", ej), tok_lecteur, &st);
    json_decref(j);
    j = get("/fhir/AuditEvent", tok_lecteur, &st);
    cr_assert_eq(st, 403, "%s", dump(j));
    cr_assert_str_eq(str(j, "issue.0.code"), "forbidden");
    json_decref(j);

    json_t *b = search("/fhir/AuditEvent?agent=lecteur-t", tok_dpo);
    cr_assert_geq(total(b), 3, "%s", dump(b));
    all_equal(b, "agent.0.altId", "lecteur-t");
    all_equal(b, "resourceType", "AuditEvent");
    long long all = total(b);
    json_decref(b);

    b = search("/fhir/AuditEvent?agent=lecteur-t&action=R&outcome=0", tok_dpo);
    cr_assert_eq(total(b), 1, "%s", dump(b));
    cr_assert_str_eq(str(entry(b, 0), "subtype.0.code"), "structure.read");
    cr_assert_str_eq(str(entry(b, 0), "entity.0.what.identifier.value"), ej);
    cr_assert_str_eq(str(entry(b, 0), "outcome"), "0");
    json_decref(b);
    b = search("/fhir/AuditEvent?agent=lecteur-t&subtype=urn:socle:audit-action|"
               "structure.search", tok_dpo);
    cr_assert_eq(total(b), 1, "%s", dump(b));
    cr_assert_str_eq(str(entry(b, 0), "action"), "E");
    json_decref(b);
    b = search("/fhir/AuditEvent?agent=lecteur-t&outcome=4", tok_dpo);
    cr_assert_eq(total(b), 1, "the 403: %s", dump(b));
    cr_assert_str_eq(str(entry(b, 0), "subtype.0.code"), "audit.read");
    json_decref(b);
    b = search("/fhir/AuditEvent?agent=lecteur-t&outcome=0,4,8", tok_dpo);
    cr_assert_eq(total(b), all);
    json_decref(b);
    b = search(h_fmt("/fhir/AuditEvent?entity=Organization/%s&agent=lecteur-t", ej), tok_dpo);
    cr_assert_eq(total(b), 1, "%s", dump(b));
    json_decref(b);

    /* Dates: today (UTC) holds them all, the last century none. */
    char today[16];
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    b = search(h_fmt("/fhir/AuditEvent?agent=lecteur-t&date=ge%s&date=le%s", today, today),
               tok_dpo);
    cr_assert_eq(total(b), all);
    json_decref(b);
    b = search("/fhir/AuditEvent?agent=lecteur-t&date=lt2000-01-01T00:00:00Z", tok_dpo);
    cr_assert_eq(total(b), 0);
    json_decref(b);

    /* Paging newest first, without a total. */
    b = search("/fhir/AuditEvent?_count=2&_sort=-date&_total=none", tok_admin);
    cr_assert_null(json_object_get(b, "total"));
    cr_assert_eq(json_array_size(json_object_get(b, "entry")), 2);
    long long first = atoll(str(entry(b, 0), "id")), second = atoll(str(entry(b, 1), "id"));
    cr_assert_gt(first, second);
    const char *next = NULL;
    json_t *links = json_object_get(b, "link");
    for (size_t i = 0; i < json_array_size(links); i++)
        if (strcmp(str(json_array_get(links, i), "relation"), "next") == 0)
            next = str(json_array_get(links, i), "url");
    cr_assert_not_null(next);
    json_t *b2 = search(strstr(next, "/fhir/"), tok_admin);
    cr_assert_lt(atoll(str(entry(b2, 0), "id")), second);
    json_decref(b2);

    /* A read of one record, and the trail's own reads in the trail. */
    json_t *ev = get(h_fmt("/fhir/AuditEvent/%lld", first), tok_dpo, &st);
    cr_assert_eq(st, 200, "%s", dump(ev));
    cr_assert_str_eq(str(ev, "id"), h_fmt("%lld", first));
    json_decref(ev);
    json_decref(b);
    b = search("/fhir/AuditEvent?agent=dpo-t&subtype=audit.read", tok_dpo);
    cr_assert_eq(total(b), 1, "%s", dump(b));
    cr_assert_str_eq(str(entry(b, 0), "entity.0.what.reference"), h_fmt("AuditEvent/%lld",
                                                                        first));
    json_decref(b);
    b = search("/fhir/AuditEvent?agent=dpo-t&subtype=audit.search", tok_dpo);
    cr_assert_geq(total(b), 8);
    json_decref(b);

    j = get("/fhir/AuditEvent?patient=1", tok_dpo, &st);
    cr_assert_eq(st, 400, "%s", dump(j));
    json_decref(j);
    j = get("/fhir/AuditEvent?action=X", tok_dpo, &st);
    cr_assert_eq(st, 400);
    json_decref(j);
    j = get("/fhir/AuditEvent/0", tok_dpo, &st);
    cr_assert_eq(st, 404);
    json_decref(j);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}

/* The families of a Patient Bundle's entries, in order, as "A,B,C". */
static const char *families(json_t *b)
{
    static char out[512];
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(json_object_get(b, "entry")); i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "," : "",
                 str(entry(b, i), "name.0.family"));
    return out;
}

/* A search, followed through its next links: the families of all pages. */
static const char *all_families(const char *path)
{
    static char out[1024];
    out[0] = '\0';
    json_t *b = search(path, tok_lecteur);
    for (;;) {
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", out[0] ? "," : "",
                 families(b));
        const char *next = NULL;
        json_t *links = json_object_get(b, "link");
        for (size_t i = 0; i < json_array_size(links); i++)
            if (strcmp(str(json_array_get(links, i), "relation"), "next") == 0)
                next = str(json_array_get(links, i), "url");
        if (next == NULL)
            break;
        json_t *nb = search(strstr(next, "/fhir/"), tok_lecteur);
        json_decref(b);
        b = nb;
    }
    json_decref(b);
    return out;
}

Test(fhir_dir, sort_total_and_include)
{
    feed(a28("S1", "IPP11^^^HOP&" EJ1_OID "&ISO^PI||TESTSORTC^ANNE^ANNE^^Mme^^L||19900303|F"));
    feed(a28("S2", "IPP12^^^HOP&" EJ1_OID "&ISO^PI||TESTSORTA^BRUNO^BRUNO^^M.^^L||19950505|M"));
    feed(a28("S3", "IPP13^^^HOP&" EJ1_OID "&ISO^PI||TESTSORTB^CARLA^CARLA^^Mme^^L||19800808|F"));

    cr_assert_str_eq(all_families("/fhir/Patient?family=TESTSORT&_sort=family&_count=2"),
                     "TESTSORTA,TESTSORTB,TESTSORTC");
    cr_assert_str_eq(all_families("/fhir/Patient?family=TESTSORT&_sort=-family&_count=1"),
                     "TESTSORTC,TESTSORTB,TESTSORTA");
    cr_assert_str_eq(all_families("/fhir/Patient?family=TESTSORT&_sort=birthdate"),
                     "TESTSORTB,TESTSORTC,TESTSORTA");
    cr_assert_str_eq(all_families("/fhir/Patient?family=TESTSORT&_sort=-birthdate&_count=2"),
                     "TESTSORTA,TESTSORTC,TESTSORTB");

    json_t *b = search("/fhir/Patient?family=TESTSORT&_total=none", tok_lecteur);
    cr_assert_null(json_object_get(b, "total"), "%s", dump(b));
    cr_assert_eq(json_array_size(json_object_get(b, "entry")), 3);
    json_decref(b);
    b = search("/fhir/Patient?family=TESTSORT&_total=accurate", tok_lecteur);
    cr_assert_eq(total(b), 3);
    json_decref(b);
    int st;
    json_t *j = get("/fhir/Patient?family=TESTSORT&_sort=gender", tok_lecteur, &st);
    cr_assert_eq(st, 400, "%s", dump(j));
    json_decref(j);
    j = get("/fhir/Patient?family=TESTSORT&_include=Encounter:patient", tok_lecteur, &st);
    cr_assert_eq(st, 400, "%s", dump(j));
    json_decref(j);

    /* Two stays of TESTSORTA, admitted on different days: by date, then
     * with their patient included once. */
#define STAY_A01 "MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|%s|P|" \
                 "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r" \
                 "PID|1||IPP12^^^HOP&" EJ1_OID "&ISO^PI||TESTSORTA^BRUNO^BRUNO^^M.^^L" \
                 "||19950505|M\r" \
                 "PV1|1|I|UF-1||||||||||||||||%s^^^HOP&" EJ1_OID "&ISO^VN\r" \
                 "ZBE|%s^GAM^1.2.250.1.999.1.9^ISO|%s||INSERT|N||^^^^^^UF^^^UF-1||HMS\r"
    feed(h_fmt(STAY_A01, "S4", "V801", "MS1", "20260301080000"));
    feed(h_fmt(STAY_A01, "S5", "V802", "MS2", "20260201080000"));
    char patient[32];
    snprintf(patient, sizeof patient, "%s", one("/fhir/Patient?identifier=IPP12",
                                                tok_lecteur));
    b = search(h_fmt("/fhir/Encounter?patient=%s&_sort=-date&_include=Encounter:patient",
                     patient), tok_lecteur);
    cr_assert_eq(total(b), 2, "%s", dump(b));
    cr_assert_eq(json_array_size(json_object_get(b, "entry")), 3, "%s", dump(b));
    cr_assert_str_eq(str(entry(b, 0), "identifier.0.value"), "V801", "%s", dump(b));
    cr_assert_str_eq(str(entry(b, 1), "identifier.0.value"), "V802");
    json_t *inc = json_array_get(json_object_get(b, "entry"), 2);
    cr_assert_str_eq(str(inc, "search.mode"), "include");
    cr_assert_str_eq(str(inc, "resource.resourceType"), "Patient");
    cr_assert_str_eq(str(inc, "resource.id"), patient);
    json_decref(b);
    b = search(h_fmt("/fhir/Encounter?patient=%s&_sort=date&_count=1", patient), tok_lecteur);
    cr_assert_str_eq(str(entry(b, 0), "identifier.0.value"), "V802", "%s", dump(b));
    cr_assert(strstr(dump(b), "_offset=1"), "%s", dump(b));
    json_decref(b);
    stop(&srv);   /* a clean exit: no leak, no sanitizer report */
}
