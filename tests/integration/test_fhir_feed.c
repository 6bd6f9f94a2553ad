/*
 * test_fhir_feed.c - what a consumer needs to follow the repository over
 * FHIR, over real HTTP: the _lastUpdated search of Patient (prefixes,
 * precisions, zones, errors) and the IHE PMIR Mobile Patient Identity
 * Feed [ITI-93] (create, update, merge, bad bundles, rights). Every
 * patient here is invented.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fhir_write_support.h"

TestSuite(fhir_feed, .init = fhir_write_setup, .fini = fhir_write_teardown, .timeout = 240);

/* ---- _lastUpdated ---------------------------------------------------------- */

static char *last_updated(long long id)
{
    answer a = call("GET", h_fmt("/fhir/Patient/%lld", id), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    const char *at = json_string_value(json_object_get(json_object_get(a.body, "meta"),
                                                       "lastUpdated"));
    cr_assert_not_null(at, "%s", dump(a.body));
    char *copy = strdup(at);
    json_decref(a.body);
    return copy;
}

/* The ids found by a Patient search (total checked against the entries). */
static size_t search_ids(const char *q, long long *ids, size_t max)
{
    answer a = call("GET", h_fmt("/fhir/Patient?%s", q), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200, "%s: %s", q, dump(a.body));
    json_t *entries = json_object_get(a.body, "entry");
    size_t n = json_array_size(entries);
    cr_assert_eq(json_integer_value(json_object_get(a.body, "total")), (json_int_t)n,
                 "%s: %s", q, dump(a.body));
    for (size_t i = 0; i < n && i < max; i++)
        ids[i] = atoll(json_string_value(json_object_get(json_object_get(
            json_array_get(entries, i), "resource"), "id")));
    json_decref(a.body);
    return n;
}

/* at ("YYYY-MM-DDTHH:MM:SS.mmmZ") in the zone +02:00, percent-encoded. */
static const char *plus_two(const char *at)
{
    struct tm tm = { 0 };
    cr_assert_eq(sscanf(at, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6, "%s", at);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 2 * 3600;
    gmtime_r(&t, &tm);
    char s[32];
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    return h_fmt("%s%.4s%%2B02:00", s, at + 19);   /* ".mmm" then +02:00 */
}

Test(fhir_feed, last_updated)
{
    long long a_id = create("LU1", "TESTLASTUPD");
    usleep(20000);
    long long b_id = create("LU2", "TESTLASTUPD");
    char *la = last_updated(a_id), *lb = last_updated(b_id);
    cr_assert(strcmp(la, lb) < 0, "%s %s", la, lb);
    long long ids[8];

    /* At the millisecond: each patient on its own. */
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=%s", la), ids, 8), 1);
    cr_assert_eq(ids[0], a_id);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=gt%s", la), ids, 8), 1);
    cr_assert_eq(ids[0], b_id);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=lt%s", lb), ids, 8), 1);
    cr_assert_eq(ids[0], a_id);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=ge%s", la), ids, 8), 2);
    /* The same instant in another zone. */
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=%s", plus_two(lb)), ids, 8),
                 1);
    cr_assert_eq(ids[0], b_id);

    /* A's update makes a version after B's: A is found after lb, B is not. */
    usleep(20000);
    const char *usual = h_fmt("{\"resourceType\":\"Patient\",\"id\":\"%lld\",\"identifier\":[{"
                              "\"system\":\"urn:oid:" EJ1_OID "\",\"value\":\"LU1\"}],\"name\":"
                              "[{\"use\":\"official\",\"family\":\"TESTLASTUPD\",\"given\":"
                              "[\"ANNE\"]},{\"use\":\"usual\",\"family\":\"TESTEPOUSE\"}],"
                              "\"gender\":\"female\",\"birthDate\":\"1990-03-04\"}", a_id);
    answer u = call("PUT", h_fmt("/fhir/Patient/%lld", a_id), tok_acc1, "If-Match: W/\"1\"\r\n",
                    usual);
    cr_assert_eq(u.status, 200, "%s", dump(u.body));
    json_decref(u.body);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=gt%s", lb), ids, 8), 1);
    cr_assert_eq(ids[0], a_id);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=le%s", lb), ids, 8), 1);
    cr_assert_eq(ids[0], b_id);
    /* The former time of A finds nobody any more: only the last version counts. */
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=%s", la), ids, 8), 0);
    /* _lastUpdated alone is a criterion (a consumer's polling). */
    cr_assert_eq(search_ids(h_fmt("_lastUpdated=gt%s", lb), ids, 8), 1);
    cr_assert_eq(ids[0], a_id);

    /* Coarser precisions: the year, the day, the minute (with its zone). */
    char year[5], day[11], minute[32];
    snprintf(year, sizeof year, "%.4s", la);
    snprintf(day, sizeof day, "%.10s", la);
    snprintf(minute, sizeof minute, "%.16sZ", la);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=%s", year), ids, 8), 2);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=ge%s", day), ids, 8), 2);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=sa%s", year), ids, 8), 0);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=eb%s", year), ids, 8), 0);
    cr_assert_eq(search_ids(h_fmt("family=TESTLASTUPD&_lastUpdated=ge%s", minute), ids, 8), 2);
    cr_assert_eq(search_ids("family=TESTLASTUPD&_lastUpdated=lt2020-01-01", ids, 8), 0);
    /* Two bounds that leave nothing. */
    cr_assert_eq(search_ids("family=TESTLASTUPD&_lastUpdated=gt2030&_lastUpdated=lt2020", ids, 8),
                 0);

    /* Bad values: 400 with the element concerned. */
    const char *bad[] = { "2026-13-01", "2026-01-01T10:00", "2026-01-01T25:00Z", "yesterday",
                          "2026-01-01T10:00:00+2:00", "ne2026", "ap2026", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        answer a = call("GET", h_fmt("/fhir/Patient?_lastUpdated=%s", bad[i]), tok_lect, NULL,
                        NULL);
        expect_outcome(&a, 400, strncmp(bad[i], "ne", 2) == 0 || strncmp(bad[i], "ap", 2) == 0
                       ? "not-supported" : "invalid", "Patient.meta.lastUpdated");
    }

    /* The CapabilityStatement says so. */
    answer m = call("GET", "/fhir/metadata", NULL, NULL, NULL);
    cr_assert_eq(m.status, 200);
    json_t *res = json_object_get(json_array_get(json_object_get(m.body, "rest"), 0),
                                  "resource");
    int seen = 0;
    size_t i, k;
    json_t *r, *p;
    json_array_foreach(res, i, r)
        if (strcmp(json_string_value(json_object_get(r, "type")), "Patient") == 0)
            json_array_foreach(json_object_get(r, "searchParam"), k, p)
                seen |= strcmp(json_string_value(json_object_get(p, "name")), "_lastUpdated") == 0;
    cr_assert(seen, "%s", dump(m.body));
    json_decref(m.body);
    free(la);
    free(lb);
}

/* ---- IHE PMIR Mobile Patient Identity Feed [ITI-93] ------------------------ */

#define PMIR_EVENT "urn:ihe:iti:pmir:2019:patient-feed"

/* One history entry: method, request.url and the Patient (JSON). */
static char *feed_entry(const char *method, const char *url, const char *patient)
{
    size_t n = strlen(patient) + 256;
    char *s = malloc(n);
    cr_assert_not_null(s);
    snprintf(s, n, "{\"fullUrl\":\"urn:uuid:6f1c9b7e-0000-4000-8000-%012zx\",\"resource\":%s,"
             "\"request\":{\"method\":\"%s\",\"url\":\"%s\"}}", strlen(patient), patient,
             method, url);
    return s;
}

/* The message Bundle with header id, eventUri and the history entries
 * (comma-separated JSON, consumed). focus 0: the header names none. */
static char *message(const char *id, const char *event, int focus, char *entries)
{
    size_t n = strlen(entries) + 1024;
    char *s = malloc(n);
    cr_assert_not_null(s);
    snprintf(s, n, "{\"resourceType\":\"Bundle\",\"type\":\"message\",\"entry\":[{\"fullUrl\":"
             "\"urn:uuid:0a6c6d0e-1111-4111-8111-000000000001\",\"resource\":{\"resourceType\":"
             "\"MessageHeader\",\"id\":\"%s\",\"eventUri\":\"%s\",\"source\":{\"endpoint\":"
             "\"http://source.invalid/fhir\"}%s}},{\"fullUrl\":\"urn:uuid:0a6c6d0e-1111-4111-"
             "8111-000000000002\",\"resource\":{\"resourceType\":\"Bundle\",\"type\":\"history\","
             "\"entry\":[%s]}}]}", id, event, focus ? ",\"focus\":[{\"reference\":\"urn:uuid:"
             "0a6c6d0e-1111-4111-8111-000000000002\"}]" : "", entries);
    free(entries);
    return s;
}

static char *join2(char *a, char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    cr_assert_not_null(s);
    snprintf(s, n, "%s,%s", a, b);
    free(a);
    free(b);
    return s;
}

/* POST the message (consumed) to path with token. */
static answer post_message(const char *path, const char *token, char *msg)
{
    answer a = call("POST", path, token, NULL, msg);
    free(msg);
    return a;
}

static json_t *message_resource(json_t *bundle, const char *type)
{
    size_t i;
    json_t *en;
    json_array_foreach(json_object_get(bundle, "entry"), i, en) {
        json_t *r = json_object_get(en, "resource");
        if (strcmp(json_string_value(json_object_get(r, "resourceType")), type) == 0)
            return r;
    }
    return NULL;
}

/* A response message answering request id with code; its header checked. */
static void expect_response(answer *a, int status, const char *id, const char *code)
{
    cr_assert_eq(a->status, status, "%s", dump(a->body));
    cr_assert_str_eq(json_string_value(json_object_get(a->body, "resourceType")), "Bundle");
    cr_assert_str_eq(json_string_value(json_object_get(a->body, "type")), "message");
    json_t *h = json_object_get(json_array_get(json_object_get(a->body, "entry"), 0), "resource");
    cr_assert_str_eq(json_string_value(json_object_get(h, "resourceType")), "MessageHeader");
    cr_assert_str_eq(json_string_value(json_object_get(h, "eventUri")),
                     "urn:ihe:iti:pmir:2019:patient-feed-response");
    json_t *r = json_object_get(h, "response");
    cr_assert_str_eq(json_string_value(json_object_get(r, "identifier")), id, "%s",
                     dump(a->body));
    cr_assert_str_eq(json_string_value(json_object_get(r, "code")), code, "%s", dump(a->body));
}

/* A refused message: the response names the OperationOutcome, whose first
 * issue has code and expression. Body freed. */
static void expect_refused(answer *a, int status, const char *id, const char *code,
                           const char *expression)
{
    expect_response(a, status, id, "fatal-error");
    json_t *h = json_object_get(json_array_get(json_object_get(a->body, "entry"), 0), "resource");
    cr_assert_not_null(json_object_get(json_object_get(json_object_get(h, "response"),
                                                       "details"), "reference"));
    json_t *oo = message_resource(a->body, "OperationOutcome");
    cr_assert_not_null(oo, "%s", dump(a->body));
    json_t *issue = json_array_get(json_object_get(oo, "issue"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(issue, "code")), code, "%s",
                     dump(a->body));
    if (expression != NULL)
        cr_assert_str_eq(json_string_value(json_array_get(json_object_get(issue, "expression"),
                                                          0)), expression, "%s", dump(a->body));
    json_decref(a->body);
}

/* The Patient ids in the response's history entries (their locations). */
static size_t response_ids(json_t *bundle, long long *ids, size_t max, const char **status)
{
    json_t *h = message_resource(bundle, "MessageHeader");
    cr_assert_not_null(json_object_get(h, "focus"), "%s", dump(bundle));
    json_t *hist = NULL;
    size_t i, n = 0;
    json_t *en;
    json_array_foreach(json_object_get(bundle, "entry"), i, en)
        if (i > 0 && strcmp(json_string_value(json_object_get(json_object_get(en, "resource"),
                                                              "type")), "history") == 0)
            hist = json_object_get(en, "resource");
    cr_assert_not_null(hist, "%s", dump(bundle));
    json_array_foreach(json_object_get(hist, "entry"), i, en) {
        json_t *r = json_object_get(en, "response");
        const char *loc = json_string_value(json_object_get(r, "location"));
        cr_assert_not_null(loc, "%s", dump(bundle));
        cr_assert(strncmp(loc, "Patient/", 8) == 0, "%s", loc);
        if (n < max) {
            ids[n] = atoll(loc + 8);
            status[n] = json_string_value(json_object_get(r, "status"));
        }
        n++;
    }
    return n;
}

static json_t *read_patient(long long id)
{
    answer a = call("GET", h_fmt("/fhir/Patient/%lld", id), tok_lect, NULL, NULL);
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    return a.body;
}

static char *merge_entry(long long absorbed, long long survivor)
{
    return feed_entry("PUT", h_fmt("Patient/%lld", absorbed), h_fmt(
        "{\"resourceType\":\"Patient\",\"id\":\"%lld\",\"active\":false,\"link\":[{\"type\":"
        "\"replaced-by\",\"other\":{\"reference\":\"Patient/%lld\"}}]}", absorbed, survivor));
}

Test(fhir_feed, pmir_create_update_merge)
{
    /* Two new patients in one message. */
    char *m = message("msg-create", PMIR_EVENT, 1, join2(
        feed_entry("POST", "Patient", patient_json(EJ1_OID, "PM1", "TESTPMIR", "1981-02-03", "")),
        feed_entry("POST", "Patient", patient_json(EJ1_OID, "PM2", "TESTPMIRB", "1981-02-03",
                                                   ""))));
    answer a = post_message("/fhir/$process-message", tok_flux, m);
    expect_response(&a, 200, "msg-create", "ok");
    long long ids[4];
    const char *st[4];
    cr_assert_eq(response_ids(a.body, ids, 4, st), 2);
    cr_assert_str_eq(st[0], "201 Created");
    cr_assert_neq(ids[0], ids[1]);
    long long p1 = ids[0], p2 = ids[1];
    json_decref(a.body);
    long long found[4];
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPM1", found, 4), 1);
    cr_assert_eq(found[0], p1);
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPM2", found, 4), 1);
    cr_assert_eq(found[0], p2);

    /* An update (PUT of the Patient, no If-Match in a feed), POSTed as a Bundle. */
    m = message("msg-update", PMIR_EVENT, 1, feed_entry("PUT", h_fmt("Patient/%lld", p1),
        h_fmt("{\"resourceType\":\"Patient\",\"id\":\"%lld\",\"identifier\":[{\"system\":"
              "\"urn:oid:" EJ1_OID "\",\"value\":\"PM1\"}],\"name\":[{\"use\":\"official\","
              "\"family\":\"TESTPMIR\",\"given\":[\"ANNE\"]},{\"use\":\"usual\",\"family\":"
              "\"TESTPMIRUSAGE\"}],\"gender\":\"female\",\"birthDate\":\"1981-02-03\"}", p1)));
    a = post_message("/fhir/Bundle", tok_flux, m);
    expect_response(&a, 200, "msg-update", "ok");
    cr_assert_eq(response_ids(a.body, ids, 4, st), 1);
    cr_assert_eq(ids[0], p1);
    cr_assert_str_eq(st[0], "200 OK");
    json_decref(a.body);
    json_t *p = read_patient(p1);
    cr_assert_str_eq(version_of(p), "2", "%s", dump(p));
    cr_assert(strstr(dump(p), "TESTPMIRUSAGE") != NULL, "%s", dump(p));
    json_decref(p);

    /* A merge: PUT of the absorbed patient, inactive, replaced-by the survivor. */
    a = post_message("/fhir/$process-message", tok_flux,
                     message("msg-merge", PMIR_EVENT, 1, merge_entry(p2, p1)));
    expect_response(&a, 200, "msg-merge", "ok");
    cr_assert_eq(response_ids(a.body, ids, 4, st), 1);
    cr_assert_eq(ids[0], p1);
    json_decref(a.body);
    p = read_patient(p2);
    cr_assert(json_is_false(json_object_get(p, "active")), "%s", dump(p));
    json_t *link = json_array_get(json_object_get(p, "link"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(link, "type")), "replaced-by");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(link, "other"),
                                                       "reference")), h_fmt("Patient/%lld", p1));
    json_decref(p);
    p = read_patient(p1);
    cr_assert(has_identifier(p, "urn:oid:" EJ1_OID, "PM2"), "%s", dump(p));
    json_decref(p);
    /* The merge is core's: $unmerge undoes it. */
    a = call("POST", "/fhir/Patient/$unmerge", tok_iv, NULL, h_fmt(
        "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"source-patient\","
        "\"valueReference\":{\"reference\":\"Patient/%lld\"}}]}", p2));
    cr_assert_eq(a.status, 200, "%s", dump(a.body));
    json_decref(a.body);
    p = read_patient(p2);
    cr_assert(!json_is_false(json_object_get(p, "active")), "%s", dump(p));
    json_decref(p);

    /* An identitovigilant may post merges, not creations. */
    a = post_message("/fhir/$process-message", tok_iv,
                     message("msg-iv-merge", PMIR_EVENT, 1, merge_entry(p2, p1)));
    expect_response(&a, 200, "msg-iv-merge", "ok");
    json_decref(a.body);
    a = post_message("/fhir/$process-message", tok_iv, message("msg-iv-create", PMIR_EVENT, 1,
        feed_entry("POST", "Patient", patient_json(EJ1_OID, "PM3", "TESTPMIR", "1981-02-03",
                                                   ""))));
    expect_refused(&a, 403, "msg-iv-create", "forbidden", "Bundle.entry[0]");
    /* Other roles: not at all. */
    const char *others[] = { tok_lect, tok_acc1, tok_dpo };
    for (size_t i = 0; i < 3; i++) {
        a = post_message("/fhir/$process-message", others[i], message("msg-no", PMIR_EVENT, 1,
            feed_entry("POST", "Patient", patient_json(EJ1_OID, "PM4", "TESTPMIR",
                                                       "1981-02-03", ""))));
        expect_outcome(&a, 403, "forbidden", NULL);
    }
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPM3", found, 4), 0);
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPM4", found, 4), 0);
}

Test(fhir_feed, pmir_all_or_nothing)
{
    /* The second entry's INS has a bad key: the first is not written either. */
    char *m = message("msg-atomic", PMIR_EVENT, 1, join2(
        feed_entry("POST", "Patient", patient_json(EJ1_OID, "PA1", "TESTATOME", "1981-02-03",
                                                   "")),
        feed_entry("POST", "Patient", patient_ins_json("PA2", INS_BADKEY))));
    answer a = post_message("/fhir/$process-message", tok_flux, m);
    expect_refused(&a, 422, "msg-atomic", "business-rule", "Bundle.entry[1]");
    long long found[4];
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPA1", found, 4), 0);
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPA2", found, 4), 0);

    /* A merge into a patient that does not exist: the creation before it is undone. */
    long long x = create("PA3", "TESTATOME");
    m = message("msg-atomic2", PMIR_EVENT, 1, join2(
        feed_entry("POST", "Patient", patient_json(EJ1_OID, "PA4", "TESTATOME", "1981-02-03",
                                                   "")),
        merge_entry(x, 999999)));
    a = post_message("/fhir/$process-message", tok_flux, m);
    expect_refused(&a, 404, "msg-atomic2", "not-found", "Bundle.entry[1]");
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPA4", found, 4), 0);
    json_t *p = read_patient(x);
    cr_assert(!json_is_false(json_object_get(p, "active")), "%s", dump(p));
    json_decref(p);
}

Test(fhir_feed, pmir_bad_bundles)
{
    const char *pat = patient_json(EJ1_OID, "PB1", "TESTMAUVAIS", "1981-02-03", "");
    answer a = post_message("/fhir/$process-message", tok_flux, message("msg-ev",
        "urn:ihe:iti:pmir:2019:other", 1, feed_entry("POST", "Patient", pat)));
    expect_refused(&a, 400, "msg-ev", "not-supported", "MessageHeader.eventUri");
    a = post_message("/fhir/$process-message", tok_flux,
                     message("msg-nofocus", PMIR_EVENT, 0, feed_entry("POST", "Patient", pat)));
    expect_refused(&a, 400, "msg-nofocus", "required", "MessageHeader.focus");
    a = post_message("/fhir/$process-message", tok_flux, message("msg-obs", PMIR_EVENT, 1,
        feed_entry("POST", "Observation", "{\"resourceType\":\"Observation\",\"status\":"
                   "\"final\"}")));
    expect_refused(&a, 400, "msg-obs", "invalid", "Bundle.entry[0]");
    a = post_message("/fhir/$process-message", tok_flux, message("msg-del", PMIR_EVENT, 1,
        feed_entry("DELETE", "Patient/1", pat)));
    expect_refused(&a, 422, "msg-del", "not-supported", "Bundle.entry[0]");
    a = post_message("/fhir/$process-message", tok_flux, message("msg-put", PMIR_EVENT, 1,
        feed_entry("PUT", "Patient", pat)));
    expect_refused(&a, 400, "msg-put", "invalid", "Bundle.entry[0]");
    /* A Patient the FR Core reading refuses (no birth date). */
    a = post_message("/fhir/$process-message", tok_flux, message("msg-nobirth", PMIR_EVENT, 1,
        feed_entry("POST", "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{"
                   "\"system\":\"urn:oid:" EJ1_OID "\",\"value\":\"PB2\"}],\"name\":[{"
                   "\"use\":\"official\",\"family\":\"TESTMAUVAIS\"}],\"gender\":"
                   "\"female\"}")));
    cr_assert(a.status == 400 || a.status == 422, "%s", dump(a.body));
    expect_response(&a, a.status, "msg-nobirth", "fatal-error");
    json_decref(a.body);
    /* Not a message at all: the OperationOutcome alone. */
    a = call("POST", "/fhir/$process-message", tok_flux, NULL,
             "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}");
    expect_outcome(&a, 400, "invalid", "Bundle.type");
    a = call("POST", "/fhir/Bundle", tok_flux, NULL, "{not json");
    expect_outcome(&a, 400, "invalid", NULL);
    a = call("POST", "/fhir/$process-message", tok_flux, NULL,
             "{\"resourceType\":\"Bundle\",\"type\":\"message\",\"entry\":[{\"resource\":"
             "{\"resourceType\":\"MessageHeader\",\"eventUri\":\"" PMIR_EVENT "\"}}]}");
    expect_outcome(&a, 400, "required", "MessageHeader.id");
    long long found[4];
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPB1", found, 4), 0);
    cr_assert_eq(search_ids("identifier=urn:oid:" EJ1_OID "%7CPB2", found, 4), 0);

    /* The CapabilityStatement names the message. */
    answer m = call("GET", "/fhir/metadata", NULL, NULL, NULL);
    cr_assert(strstr(dump(m.body), PMIR_EVENT) != NULL, "%s", dump(m.body));
    json_decref(m.body);
}

/* ---- The same feed in FHIR XML ---------------------------------------------- */

static answer post_xml(const char *path, const char *token, const char *xml)
{
    char headers[4096];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n"
             "Content-Type: application/fhir+xml\r\n", token);
    h_response resp;
    char why[256];
    cr_assert_eq(h_http_body(srv.port, "POST", path, headers, xml, &resp, why, sizeof why), 0,
                 "%s", why);
    answer a = { .status = resp.status };
    json_error_t e;
    a.body = json_loads(resp.body, 0, &e);
    cr_assert_not_null(a.body, "not JSON: %s", resp.body);
    cr_assert_str_eq(resp.content_type, "application/fhir+json");
    h_response_free(&resp);
    return a;
}

#define XML_MESSAGE(id, patient) \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bundle xmlns=\"http://hl7.org/fhir\">" \
    "<type value=\"message\"/><entry><fullUrl value=\"urn:uuid:0a6c6d0e-1111-4111-8111-" \
    "000000000001\"/><resource><MessageHeader><id value=\"" id "\"/><eventUri value=\"" \
    PMIR_EVENT "\"/><source><endpoint value=\"http://source.invalid/fhir\"/></source><focus>" \
    "<reference value=\"urn:uuid:0a6c6d0e-1111-4111-8111-000000000002\"/></focus>" \
    "</MessageHeader></resource></entry><entry><fullUrl value=\"urn:uuid:0a6c6d0e-1111-4111-" \
    "8111-000000000002\"/><resource><Bundle><type value=\"history\"/><entry><resource>" \
    patient "</resource><request><method value=\"POST\"/><url value=\"Patient\"/></request>" \
    "</entry></Bundle></resource></entry></Bundle>"

Test(fhir_feed, pmir_xml)
{
    answer a = post_xml("/fhir/$process-message", tok_flux, XML_MESSAGE("msg-xml",
        "<Patient><text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "TESTXML</div></text><identifier><type><coding><system value=\"http://terminology.hl7."
        "org/CodeSystem/v2-0203\"/><code value=\"PI\"/></coding></type><system value=\"urn:oid:"
        EJ1_OID "\"/><value value=\"PX1\"/></identifier><active value=\"true\"/><name><use "
        "value=\"official\"/><family value=\"TESTXML\"/><given value=\"ANNE\"/><given value="
        "\"MARIE\"/></name><gender value=\"female\"/><birthDate value=\"1990-03-04\"/>"
        "</Patient>"));
    expect_response(&a, 200, "msg-xml", "ok");
    long long ids[2];
    const char *st[2];
    cr_assert_eq(response_ids(a.body, ids, 2, st), 1);
    json_decref(a.body);
    json_t *p = read_patient(ids[0]);
    cr_assert(has_identifier(p, "urn:oid:" EJ1_OID, "PX1"), "%s", dump(p));
    cr_assert(strstr(dump(p), "TESTXML") != NULL, "%s", dump(p));
    json_decref(p);

    /* Not well-formed, a DTD, another namespace: 400 before anything is read. */
    const char *bad[] = {
        "<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"message\"/>",
        "<!DOCTYPE Bundle [<!ENTITY x \"y\">]><Bundle xmlns=\"http://hl7.org/fhir\"/>",
        "<Bundle xmlns=\"urn:other\"><type value=\"message\"/></Bundle>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = post_xml("/fhir/$process-message", tok_flux, bad[i]);
        expect_outcome(&a, 400, "invalid", NULL);
    }
    /* XML elsewhere is still refused. */
    char headers[4096];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n"
             "Content-Type: application/fhir+xml\r\n", tok_acc1);
    h_response resp;
    char why[256];
    cr_assert_eq(h_http_body(srv.port, "POST", "/fhir/Patient", headers, "<Patient/>", &resp,
                             why, sizeof why), 0, "%s", why);
    cr_assert_eq(resp.status, 415, "%s", resp.body);
    h_response_free(&resp);
}

/* The IHE Connectathon merge samples of ../shared/conformance/fhir/ (010,
 * 011; their defects in ../shared/conformance/README.md): read from XML,
 * and refused as they must be here, since their Patients are named by
 * another registry's UUIDs, not by Socle ids. */
Test(fhir_feed, pmir_conformance_samples)
{
    static const struct { const char *file, *header_id; } samples[] = {
        { "010_ihepmir_Bundle_cat7_merge.xml", "6119323c-93c7-4972-9ba7-f90686f6c370" },
        { "011_ihepmir_Bundle_cat8_merge.xml", "218364d1-974e-4f88-ab5a-d2a490ced0d9" },
    };
    /* The shared folder beside the main checkout, or beside a worktree's parent. */
    const char *dirs[] = { SOCLE_SOURCE_DIR "/../shared/conformance/fhir",
                           SOCLE_SOURCE_DIR "/../../shared/conformance/fhir" };
    const char *dir = NULL;
    for (size_t i = 0; i < 2 && dir == NULL; i++)
        if (access(h_fmt("%s/%s", dirs[i], samples[0].file), R_OK) == 0)
            dir = dirs[i];
    if (dir == NULL)
        cr_skip_test("../shared/conformance/fhir is not there: PMIR XML samples 010/011 "
                     "skipped");
    for (size_t i = 0; i < 2; i++) {
        char *xml = h_read_file(h_fmt("%s/%s", dir, samples[i].file), NULL);
        cr_assert_not_null(xml, "%s", samples[i].file);
        answer a = post_xml("/fhir/$process-message", tok_flux, xml);
        free(xml);
        /* Read whole (the response names its MessageHeader), refused at its
         * entry: PUT Patient/<uuid> designates no Socle Patient. */
        json_t *oo = message_resource(a.body, "OperationOutcome");
        cr_assert_not_null(oo, "%s: %s", samples[i].file, dump(a.body));
        const char *diag = json_string_value(json_object_get(json_array_get(
            json_object_get(oo, "issue"), 0), "diagnostics"));
        cr_assert(diag && strstr(diag, "Socle Patient id"), "%s: %s", samples[i].file,
                  dump(a.body));
        fprintf(stderr, "fhir_feed: conformance sample %s read from XML, refused as "
                "expected: %s\n", samples[i].file, diag);
        expect_refused(&a, 400, samples[i].header_id, "invalid", "Bundle.entry[0]");
    }
}
