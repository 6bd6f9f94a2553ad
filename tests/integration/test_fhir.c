/*
 * test_fhir.c - the FHIR R4 interface over real HTTP: identities and stays
 * fed by HL7 over MLLP to `socle serve`, then read and searched under
 * /fhir with tokens of each role (`socle token issue`), and the audit
 * trail read back with `socle audit list` once the server stopped.
 *
 * Every patient here is invented; the INS is built with a valid key.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7_support.h"

#define EJ1_OID "1.2.250.1.999.1"
#define EJ2_OID "1.2.250.1.999.2"
#define EJ1_FINESS "750712184"
#define EJ2_FINESS "750712192"
#define INS_ALICE "285077505600195"

static char tok_lecteur[2048], tok_ej1[2048], tok_ej2[2048], tok_dpo[2048], tok_flux[2048];
static h_server srv;

/* An A01 admission of EJ1's IPP ipp, visit (= NDA) visit, in UF-1. */
static const char *admit(const char *control, const char *ipp, const char *visit,
                         const char *mvt)
{
    return h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|%s|P|"
                 "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
                 "PID|1||%s^^^HOP&" EJ1_OID "&ISO^PI||TESTDUPONT^JEAN^JEAN^^M.^^L||19700101|M"
                 "||||||||||%s\r"
                 "PV1|1|I|UF-1||||||||||||||||%s^^^HOP&" EJ1_OID "&ISO^VN\r"
                 "ZBE|%s^GAM^1.2.250.1.999.1.9^ISO|20260110080000||INSERT|N||^^^^^^UF^^^UF-1||HMS\r",
                 control, ipp, visit, visit, mvt);
}

static void fhir_setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, HEADER "EJ,EJ2,CH Deux,,750712192," EJ2_OID ",,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    issue_token(tok_lecteur, "lecteur", NULL, NULL);
    issue_token(tok_ej1, "accueil", EJ1_FINESS, NULL);
    issue_token(tok_ej2, "accueil", EJ2_FINESS, NULL);
    issue_token(tok_dpo, "dpo", NULL, NULL);
    issue_token(tok_flux, "flux", EJ2_FINESS, NULL);
    start(&srv);
    /* Alice: EJ1 and EJ2, qualified; Jean and Jeanne: EJ1; Bob: EJ2 only. */
    feed(a28("F1", "IPP1^^^HOP&" EJ1_OID "&ISO^PI~" INS_ALICE "^^^ASIP-SANTE-INS-NIR&"
                   "1.2.250.1.213.1.4.8&ISO^INS||TESTNOM^ALICE^ALICE CLAIRE^^Mme^^L||19850715|F"
                   "|||^^^^^^BDL^^75056|||||||||||||||||||||VALI\rZFD|||||||CN"));
    feed(a28("F2", "B-77^^^CHD&" EJ2_OID "&ISO^PI~" INS_ALICE "^^^ASIP-SANTE-INS-NIR&"
                   "1.2.250.1.213.1.4.8&ISO^INS||TESTNOM^ALICE^ALICE CLAIRE^^Mme^^L||19850715|F"
                   "|||^^^^^^BDL^^75056|||||||||||||||||||||VALI"));
    feed(a28("F3", "IPP2^^^HOP&" EJ1_OID "&ISO^PI||TESTDUPONT^JEAN^JEAN^^M.^^L||19700101|M"));
    feed(a28("F4", "IPP3^^^HOP&" EJ1_OID "&ISO^PI||TESTDURAND^JEANNE^JEANNE^^Mme^^L"
                   "||19700101|F"));
    feed(a28("F5", "B-99^^^CHD&" EJ2_OID "&ISO^PI||TESTMARTIN^BOB^BOB^^M.^^L||19600202|M"));
    feed(admit("F6", "IPP2", "V100", "M1"));
}

static void fhir_teardown(void)
{
    hl7_teardown();
}

/* j as compact text, in one of eight rotating buffers (for messages:
 * the jansson string is freed here, not leaked into an assertion). */
static const char *dump(const json_t *j, size_t flags)
{
    static char bufs[8][16384];
    static int next;
    char *out = bufs[next++ % 8];
    char *text = json_dumps(j, flags);
    snprintf(out, sizeof bufs[0], "%s", text ? text : "(null)");
    free(text);
    return out;
}

TestSuite(fhir, .init = fhir_setup, .fini = fhir_teardown, .timeout = 240);

/* GET path with token (NULL: none) and extra headers; parsed JSON body. */
static json_t *get(const char *path, const char *token, const char *extra, int *status)
{
    char headers[4096];
    snprintf(headers, sizeof headers, "%s%s%s%s", token ? "Authorization: Bearer " : "",
             token ? token : "", token ? "\r\n" : "", extra ? extra : "");
    h_response resp;
    char why[256];
    cr_assert_eq(h_http_ex(srv.port, "GET", path, headers, &resp, why, sizeof why), 0, "%s",
                 why);
    *status = resp.status;
    json_error_t e;
    json_t *j = json_loads(resp.body, 0, &e);
    cr_assert_not_null(j, "%s: not JSON: %s", path, resp.body);
    if (resp.status != 200 || strstr(path, "metadata") == NULL)
        cr_assert_str_eq(resp.content_type, "application/fhir+json", "%s", path);
    h_response_free(&resp);
    return j;
}

static void expect_outcome(json_t *j, int status, int want, const char *code)
{
    cr_assert_eq(status, want, "status %d, want %d: %s", status, want,
                 dump(j, 0));
    cr_assert_str_eq(json_string_value(json_object_get(j, "resourceType")),
                     "OperationOutcome");
    json_t *issue = json_array_get(json_object_get(j, "issue"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(issue, "code")), code, "%s",
                     dump(j, 0));
}

/* The GHT id of the one patient found by the search query q. */
static long long find_one(const char *q, const char *token)
{
    int st;
    json_t *b = get(h_fmt("/fhir/Patient?%s", q), token, NULL, &st);
    cr_assert_eq(st, 200, "%s", dump(b, 0));
    cr_assert_eq(json_integer_value(json_object_get(b, "total")), 1, "%s: %s", q,
                 dump(b, 0));
    const char *id = json_string_value(json_object_get(json_object_get(
        json_array_get(json_object_get(b, "entry"), 0), "resource"), "id"));
    long long v = atoll(id);
    json_decref(b);
    return v;
}

static int has_identifier(json_t *p, const char *system, const char *value)
{
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(p, "identifier"), i, id)
        if (strcmp(json_string_value(json_object_get(id, "system")), system) == 0
            && strcmp(json_string_value(json_object_get(id, "value")), value) == 0)
            return 1;
    return 0;
}

Test(fhir, patient_read_and_search)
{
    long long alice = find_one("identifier=urn:oid:" EJ1_OID "|IPP1", tok_lecteur);
    int st;
    json_t *p = get(h_fmt("/fhir/Patient/%lld", alice), tok_lecteur, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert_str_eq(json_string_value(json_object_get(p, "resourceType")), "Patient");
    cr_assert(has_identifier(p, "urn:oid:" EJ1_OID, "IPP1"), "%s", dump(p, 0));
    cr_assert(has_identifier(p, "urn:oid:" EJ2_OID, "B-77"), "%s", dump(p, 0));
    cr_assert(has_identifier(p, "urn:oid:1.2.250.1.213.1.4.8", INS_ALICE), "%s",
              dump(p, 0));
    cr_assert_str_eq(json_string_value(json_object_get(p, "birthDate")), "1985-07-15");
    cr_assert_str_eq(json_string_value(json_object_get(p, "gender")), "female");
    cr_assert(json_is_true(json_object_get(p, "active")));
    json_t *name = json_array_get(json_object_get(p, "name"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(name, "use")), "official");
    cr_assert_str_eq(json_string_value(json_object_get(name, "family")), "TESTNOM");
    cr_assert(strstr(dump(p, 0), "\"QUAL\"") != NULL, "reliability: %s",
              dump(p, 0));
    json_decref(p);

    /* Each parameter. */
    cr_assert_eq(find_one("family=testnom", tok_lecteur), alice);
    cr_assert_eq(find_one("family=TESTNO&given=alice", tok_lecteur), alice);
    cr_assert_eq(find_one("birthdate=1985-07-15", tok_lecteur), alice);
    cr_assert_eq(find_one("birthdate=ge1985-01-01&birthdate=lt1986-01-01", tok_lecteur), alice);
    cr_assert_eq(find_one("identifier=urn:oid:1.2.250.1.213.1.4.8|" INS_ALICE, tok_lecteur),
                 alice);
    cr_assert_eq(find_one(h_fmt("_id=%lld", alice), tok_lecteur), alice);
    cr_assert_eq(find_one("birthdate=1970-01-01&gender=female", tok_lecteur),
                 find_one("identifier=IPP3", tok_lecteur));
    cr_assert_eq(find_one("family:exact=TESTNOM&active=true", tok_lecteur), alice);
    json_t *b = get("/fhir/Patient?family=TESTNOM&active=false", tok_lecteur, NULL, &st);
    cr_assert_eq(json_integer_value(json_object_get(b, "total")), 0);
    json_decref(b);
}

Test(fhir, paging)
{
    int st;
    json_t *b = get("/fhir/Patient?birthdate=ge1900-01-01&_count=2", tok_lecteur, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert_eq(json_integer_value(json_object_get(b, "total")), 4, "%s", dump(b, 0));
    cr_assert_eq(json_array_size(json_object_get(b, "entry")), 2);
    json_t *links = json_object_get(b, "link");
    const char *next = NULL;
    size_t i;
    json_t *l;
    json_array_foreach(links, i, l)
        if (strcmp(json_string_value(json_object_get(l, "relation")), "next") == 0)
            next = json_string_value(json_object_get(l, "url"));
    cr_assert_not_null(next, "no next link: %s", dump(b, 0));
    const char *path = strstr(next, "/fhir/");
    cr_assert_not_null(path);
    json_t *b2 = get(path, tok_lecteur, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert_eq(json_array_size(json_object_get(b2, "entry")), 2, "%s", dump(b2, 0));
    const char *a = json_string_value(json_object_get(json_object_get(
        json_array_get(json_object_get(b, "entry"), 0), "resource"), "id"));
    const char *c = json_string_value(json_object_get(json_object_get(
        json_array_get(json_object_get(b2, "entry"), 0), "resource"), "id"));
    cr_assert_str_neq(a, c);
    json_decref(b);
    json_decref(b2);
}

Test(fhir, errors)
{
    int st;
    json_t *j = get("/fhir/Patient?colour=blue", tok_lecteur, NULL, &st);
    expect_outcome(j, st, 400, "not-supported");
    json_decref(j);
    j = get("/fhir/Patient?birthdate=1985-13-45", tok_lecteur, NULL, &st);
    expect_outcome(j, st, 400, "invalid");
    cr_assert_not_null(json_object_get(json_array_get(json_object_get(j, "issue"), 0),
                                       "expression"));
    json_decref(j);
    j = get("/fhir/Patient/999999", tok_lecteur, NULL, &st);
    expect_outcome(j, st, 404, "not-found");
    json_decref(j);
    j = get("/fhir/Encounter/999999", tok_lecteur, NULL, &st);
    expect_outcome(j, st, 404, "not-found");
    json_decref(j);
    j = get("/fhir/Observation/1", tok_lecteur, NULL, &st);
    expect_outcome(j, st, 404, "not-found");
    json_decref(j);
    j = get("/fhir/Patient/1", NULL, NULL, &st);
    expect_outcome(j, st, 401, "login");
    json_decref(j);
    j = get("/fhir/Patient/1", "not.a.token", NULL, &st);
    expect_outcome(j, st, 401, "login");
    json_decref(j);
    /* A token signed with another key. */
    char forged[2048];
    snprintf(forged, sizeof forged, "%s", tok_lecteur);
    char *sig = strrchr(forged, '.');
    cr_assert_not_null(sig);
    sig[1] = sig[1] == 'A' ? 'B' : 'A';
    j = get("/fhir/Patient/1", forged, NULL, &st);
    expect_outcome(j, st, 401, "login");
    json_decref(j);
    j = get("/fhir/Patient?family=TESTNOM", tok_dpo, NULL, &st);
    expect_outcome(j, st, 403, "forbidden");
    json_decref(j);

    h_response resp;
    char why[256];
    cr_assert_eq(h_http_ex(srv.port, "DELETE", "/fhir/Patient/1",
                           h_fmt("Authorization: Bearer %s\r\n", tok_lecteur), &resp, why,
                           sizeof why), 0, "%s", why);
    cr_assert_eq(resp.status, 405, "%s", resp.body);
    h_response_free(&resp);
    cr_assert_eq(h_http_ex(srv.port, "POST", "/fhir/Patient",
                           "Content-Length: 99999999\r\n", &resp, why, sizeof why), 0, "%s",
                 why);
    cr_assert_eq(resp.status, 413, "%s", resp.body);
    h_response_free(&resp);
}

Test(fhir, scoping_and_break_glass)
{
    long long bob = find_one("identifier=B-99", tok_lecteur);
    long long alice = find_one("identifier=IPP1", tok_lecteur);
    int st;
    /* EJ1's desk sees Alice (EJ1 and EJ2), not Bob (EJ2 only). */
    json_t *j = get(h_fmt("/fhir/Patient/%lld", alice), tok_ej1, NULL, &st);
    cr_assert_eq(st, 200);
    json_decref(j);
    j = get(h_fmt("/fhir/Patient/%lld", bob), tok_ej1, NULL, &st);
    expect_outcome(j, st, 403, "forbidden");
    json_decref(j);
    j = get("/fhir/Patient?family=TESTMARTIN", tok_ej1, NULL, &st);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 0, "%s", dump(j, 0));
    json_decref(j);
    cr_assert_eq(find_one("family=TESTMARTIN", tok_ej2), bob);
    /* Break the glass. */
    j = get(h_fmt("/fhir/Patient/%lld", bob), tok_ej1,
            "X-Socle-Break-Glass: emergency admission\r\n", &st);
    cr_assert_eq(st, 200, "%s", dump(j, 0));
    json_decref(j);
    /* An interface account may not. */
    j = get(h_fmt("/fhir/Patient/%lld", alice), tok_flux,
            "X-Socle-Break-Glass: because\r\n", &st);
    expect_outcome(j, st, 403, "forbidden");
    json_decref(j);
    /* EJ2's desk does not see the EJ1 stay. */
    j = get("/fhir/Encounter?identifier=V100", tok_ej2, NULL, &st);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 0, "%s", dump(j, 0));
    json_decref(j);
}

Test(fhir, encounter)
{
    long long jean = find_one("identifier=urn:oid:" EJ1_OID "|IPP2", tok_lecteur);
    int st;
    json_t *b = get(h_fmt("/fhir/Encounter?patient=Patient/%lld", jean), tok_ej1, NULL, &st);
    cr_assert_eq(st, 200, "%s", dump(b, 0));
    cr_assert_eq(json_integer_value(json_object_get(b, "total")), 1, "%s", dump(b, 0));
    json_t *e = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
    cr_assert_str_eq(json_string_value(json_object_get(e, "status")), "in-progress");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "class"), "code")),
                     "IMP");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "period"), "start")),
                     "2026-01-10T08:00:00+01:00");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "subject"),
                                                       "reference")),
                     h_fmt("Patient/%lld", jean));
    cr_assert_eq(json_array_size(json_object_get(e, "location")), 1, "%s", dump(e, 0));
    cr_assert(strstr(dump(e, 0), EJ1_FINESS) != NULL, "serviceProvider: %s",
              dump(e, 0));
    const char *id = json_string_value(json_object_get(e, "id"));
    json_t *r = get(h_fmt("/fhir/Encounter/%s", id), tok_lecteur, NULL, &st);
    cr_assert_eq(st, 200);
    json_decref(r);
    const char *qs[] = { "identifier=urn:oid:" EJ1_OID "|V100", "status=in-progress",
                         "date=2026-01-10", "date=ge2026-01-01&date=le2026-02-01" };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        json_t *x = get(h_fmt("/fhir/Encounter?%s", qs[i]), tok_lecteur, NULL, &st);
        cr_assert_eq(json_integer_value(json_object_get(x, "total")), 1, "%s: %s", qs[i],
                     dump(x, 0));
        json_decref(x);
    }
    json_t *x = get("/fhir/Encounter?status=finished", tok_lecteur, NULL, &st);
    cr_assert_eq(json_integer_value(json_object_get(x, "total")), 0);
    json_decref(x);
    x = get("/fhir/Encounter?date=lt2026-01-10", tok_lecteur, NULL, &st);
    cr_assert_eq(json_integer_value(json_object_get(x, "total")), 0);
    json_decref(x);

    /* _lastUpdated: the stay's last change, at the precision given. */
    const char *at = json_string_value(json_object_get(json_object_get(e, "meta"),
                                                       "lastUpdated"));
    cr_assert_not_null(at, "%s", dump(e, 0));
    const struct { const char *q; long long want; } lu[] = {
        { h_fmt("identifier=V100&_lastUpdated=%s", at), 1 },
        { h_fmt("identifier=V100&_lastUpdated=ge%s", at), 1 },
        { h_fmt("identifier=V100&_lastUpdated=gt%s", at), 0 },
        { h_fmt("identifier=V100&_lastUpdated=lt%s", at), 0 },
        { h_fmt("identifier=V100&_lastUpdated=le%.4s", at), 1 },
        { "identifier=V100&_lastUpdated=lt2020-01-01", 0 },
        { "identifier=V100&_lastUpdated=gt2020&_lastUpdated=lt2999", 1 },
    };
    for (size_t i = 0; i < sizeof lu / sizeof lu[0]; i++) {
        x = get(h_fmt("/fhir/Encounter?%s", lu[i].q), tok_lecteur, NULL, &st);
        cr_assert_eq(st, 200, "%s: %s", lu[i].q, dump(x, 0));
        cr_assert_eq(json_integer_value(json_object_get(x, "total")), lu[i].want, "%s: %s",
                     lu[i].q, dump(x, 0));
        json_decref(x);
    }
    x = get("/fhir/Encounter?_lastUpdated=2026-02-30", tok_lecteur, NULL, &st);
    expect_outcome(x, st, 400, "invalid");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(json_array_get(
        json_object_get(x, "issue"), 0), "expression"), 0)), "Encounter.meta.lastUpdated");
    json_decref(x);
    json_decref(b);
}

Test(fhir, merged_patient_stays_readable)
{
    long long jean = find_one("identifier=IPP2", tok_lecteur);
    long long jeanne = find_one("identifier=IPP3", tok_lecteur);
    /* A40: IPP3 merged into IPP2. */
    feed(h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A40^ADT_A39|M1|P|"
               "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
               "PID|1||IPP2^^^HOP&" EJ1_OID "&ISO^PI||TESTDUPONT^JEAN^JEAN^^M.^^L||19700101|M\r"
               "MRG|IPP3^^^HOP&" EJ1_OID "&ISO^PI\r"));
    int st;
    json_t *p = get(h_fmt("/fhir/Patient/%lld", jeanne), tok_lecteur, NULL, &st);
    cr_assert_eq(st, 200, "%s", dump(p, 0));
    cr_assert(json_is_false(json_object_get(p, "active")), "%s", dump(p, 0));
    json_t *link = json_array_get(json_object_get(p, "link"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(link, "type")), "replaced-by");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(link, "other"),
                                                       "reference")),
                     h_fmt("Patient/%lld", jean));
    json_decref(p);
    p = get(h_fmt("/fhir/Patient/%lld", jean), tok_lecteur, NULL, &st);
    cr_assert(strstr(dump(p, 0), "replaces") != NULL, "%s", dump(p, 0));
    json_decref(p);
}

Test(fhir, metadata_and_audit)
{
    int st;
    json_t *m = get("/fhir/metadata", NULL, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert_str_eq(json_string_value(json_object_get(m, "resourceType")),
                     "CapabilityStatement");
    cr_assert_str_eq(json_string_value(json_object_get(m, "fhirVersion")), "4.0.1");
    const char *text = dump(m, 0);
    cr_assert(strstr(text, "\"Patient\"") && strstr(text, "\"Encounter\"")
              && strstr(text, "birthdate") && strstr(text, "\"create\"")
              && strstr(text, "\"vread\"") && strstr(text, "ihe-pix")
              && !strstr(text, "\"delete\""), "%s", text);
    json_decref(m);

    long long bob = find_one("identifier=B-99", tok_lecteur);
    json_t *j = get(h_fmt("/fhir/Patient/%lld", bob), tok_ej1,
                    "X-Socle-Break-Glass: emergency admission\r\n", &st);
    json_decref(j);
    j = get("/fhir/Patient/1", NULL, NULL, &st);
    json_decref(j);
    j = get("/fhir/Patient?family=X", tok_dpo, NULL, &st);
    json_decref(j);
    stop(&srv);
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert(strstr(r.out, "identity.search") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "identity.read") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "access.break_glass") && strstr(r.out, "emergency admission"),
              "%s", r.out);
    cr_assert(strstr(r.out, "http.auth") != NULL, "401 audited: %s", r.out);
    cr_assert(strstr(r.out, "denied") != NULL, "%s", r.out);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "audit", "verify", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

/* Reads run side by side on the store's readers, and each one's audit
 * record joins the trail (sharing commits with the others) before its
 * answer leaves: right after the last answer, the DPO counts them all. */
#define READ_THREADS 8
#define READS_PER_THREAD 25

typedef struct read_worker {
    char path[64];
    int answered;   /* 200s received */
} read_worker;

static void *read_patient_repeatedly(void *arg)
{
    read_worker *w = arg;
    char headers[2200];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", tok_lecteur);
    for (int i = 0; i < READS_PER_THREAD; i++) {
        h_response resp;
        char why[256];
        if (h_http_ex(srv.port, "GET", w->path, headers, &resp, why, sizeof why) != 0)
            return NULL;
        w->answered += resp.status == 200;
        h_response_free(&resp);
    }
    return NULL;
}

static long long patient_reads_audited(long long id)
{
    int st;
    json_t *b = get(h_fmt("/fhir/AuditEvent?entity=Patient/%lld&subtype=urn:socle:"
                          "audit-action|identity.read&_count=1", id),
                    tok_dpo, NULL, &st);
    cr_assert_eq(st, 200, "%s", dump(b, 0));
    long long n = json_integer_value(json_object_get(b, "total"));
    json_decref(b);
    return n;
}

Test(fhir, concurrent_reads_are_each_audited)
{
    long long alice = find_one("identifier=IPP1", tok_lecteur);
    long long before = patient_reads_audited(alice);
    pthread_t th[READ_THREADS];
    read_worker w[READ_THREADS];
    for (int i = 0; i < READ_THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        snprintf(w[i].path, sizeof w[i].path, "/fhir/Patient/%lld", alice);
        cr_assert_eq(pthread_create(&th[i], NULL, read_patient_repeatedly, &w[i]), 0);
    }
    int answered = 0;
    for (int i = 0; i < READ_THREADS; i++) {
        pthread_join(th[i], NULL);
        answered += w[i].answered;
    }
    cr_assert_eq(answered, READ_THREADS * READS_PER_THREAD);
    cr_assert_eq(patient_reads_audited(alice), before + answered);
    stop(&srv);
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "verify", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}
