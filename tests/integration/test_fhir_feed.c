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
