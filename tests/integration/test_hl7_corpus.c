/*
 * test_hl7_corpus.c - the PAM interface on real traffic and on the events
 * that change identifiers: the conformance corpus replayed in order over
 * MLLP, A47, and the identity export while the server runs.
 *
 * Every patient written here is invented; the corpus is third-party test
 * data (../shared/conformance/README.md).
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7_support.h"

TestSuite(hl7_corpus, .init = hl7_setup, .fini = hl7_teardown, .timeout = 240);

/* ---- The conformance corpus, replayed in order ------------------------- */

#define CORPUS SOCLE_SOURCE_DIR "/../shared/conformance/pam-fr"

/* What each real message must get in this version, and where its ERR
 * points (seg "" when none is expected). The identity events (A28, A31,
 * A40, A47) and the movements (ITI-31) are applied (028's A40 merges the
 * duplicate of 022 into the survivor of 018). Known defects of the
 * corpus (../shared/conformance/README.md) are refused where they are:
 *  - 002-004: the PAM FR examples share one MSH-10: AE 205 at MSH-10;
 *  - 005-008: the ANS examples name their IPP authority by a FINESS,
 *    000897406, that cannot exist (department 00): no establishment can
 *    declare it, AE 204 at PID-3.4;
 *  - 053, 097, 101: a movement id reused for a new INSERT: AE 205 at ZBE-1;
 *  - 062: a Z99 whose ZBE-6 says A01 for a movement made by an A04: AE 207
 *    at ZBE-6;
 *  - 133, 134: transfers sent after the stay's discharge: AE 207 at PV1-19.
 * A44 (moving an account to another patient) is not applied: it is
 * refused for a non-content reason, AR 201 at MSH-9. */
typedef struct outcome {
    const char *code;
    int err_code;
    const char *seg;
    size_t field;
} outcome;

static outcome expected_outcome(const char *file)
{
    static const struct { const char *prefix; outcome o; } defects[] = {
        {"002_", {"AE", 205, "MSH", 10}}, {"003_", {"AE", 205, "MSH", 10}},
        {"004_", {"AE", 205, "MSH", 10}}, {"005_", {"AE", 204, "PID", 3}},
        {"006_", {"AE", 204, "PID", 3}},  {"007_", {"AE", 204, "PID", 3}},
        {"008_", {"AE", 204, "PID", 3}},  {"053_", {"AE", 205, "ZBE", 1}},
        {"062_", {"AE", 207, "ZBE", 6}},  {"097_", {"AE", 205, "ZBE", 1}},
        {"101_", {"AE", 205, "ZBE", 1}},  {"133_", {"AE", 207, "PV1", 19}},
        {"134_", {"AE", 207, "PV1", 19}},
    };
    for (size_t i = 0; i < sizeof defects / sizeof defects[0]; i++)
        if (strncmp(file, defects[i].prefix, 4) == 0)
            return defects[i].o;
    char event[8] = "";
    const char *p = strchr(file, '_');
    p = p ? strchr(p + 1, '_') : NULL;  /* NNN_source_event_... */
    if (p != NULL)
        snprintf(event, sizeof event, "%.3s", p + 1);
    if (strcmp(event, "a44") == 0)
        return (outcome){"AR", 201, "MSH", 9};
    return (outcome){"AA", 0, "", 0};
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int hl7_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".hl7") == 0;
}

Test(hl7_corpus, conformance_corpus_replayed_in_order)
{
    struct dirent **files = NULL;
    int n = scandir(CORPUS, &files, hl7_file, by_name);
    if (n < 0) {
        cr_log_warn("conformance corpus not found at %s: skipped", CORPUS);
        cr_skip_test("conformance corpus not found at %s: skipped", CORPUS);
    }
    /* The vendor's establishment (its IPP authority OID) and the FINESS the
     * specification examples name. Synthetic structures around real ids. */
    const char *file = h_fmt("%s/corpus.csv", root);
    cr_assert_eq(h_write_text(file, HEADER
        "EJ,CPAGE-TEST,CH de test,,350000121,1.2.250.1.211.10.200.2,,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);

    h_server s;
    start(&s);
    int applied = 0;
    for (int i = 0; i < n; i++) {
        char *msg = h_read_file(h_fmt("%s/%s", CORPUS, files[i]->d_name), NULL);
        cr_assert_not_null(msg, "%s", files[i]->d_name);
        outcome o = expected_outcome(files[i]->d_name);
        ack a = roundtrip(msg);
        cr_expect_str_eq(value(&a, 1, 1, 1, 1), o.code, "%s: ACK\n%s", files[i]->d_name,
                         a.text);
        if (o.err_code != 0)
            cr_expect(has_err(&a, o.err_code, "E", o.seg, o.field),
                      "%s: no ERR %d E at %s-%zu in\n%s", files[i]->d_name, o.err_code,
                      o.seg, o.field, a.text);
        if (strcmp(o.code, "AA") == 0)
            applied++;
        ack_free(&a);
        free(msg);
        free(files[i]);
    }
    free(files);
    cr_expect_gt(applied, 110, "identity and movement messages applied");
    /* Journaled, one row each, and nothing applied twice. */
    cr_expect_eq(health_count(&s, "inbound_messages"), n);

    /* Some scenarios' outcome, as the stays export shows them. */
    cr_assert_eq(H_RUN(&r, "export", "stays", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    static const char *const rows[] = {
        /* 063-065: pre-admission cancelled by A38 */
        "1.2.250.1.211.10.200.2,918191208,900018191208,cancelled,I,,,,,,0\n",
        /* 066-071: admission, transfer, A12, A11: planned again */
        "1.2.250.1.211.10.200.2,918172788,900018172788,planned,I,,,1050,,,0\n",
        /* 087-092: leave and return, then discharge */
        "1.2.250.1.211.10.200.2,918194144,900018194144,finished,I,2025-10-22T15:59:00,"
        "2025-10-25T15:59:00,1050,ZGEN,ZGEN,4\n",
        /* 072-086: every discharge cancelled, only the admission stands */
        "1.2.250.1.211.10.200.2,918195582,900018195582,in-progress,I,2025-10-22T15:59:00,,"
        "1050,ZGEN,ZGEN,1\n",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        cr_expect_not_null(strstr(r.out, rows[i]), "no row %s in\n%s", rows[i], r.out);
    h_result_free(&r);
    stop(&s);
}

Test(hl7_corpus, export_identities_while_the_server_runs)
{
    h_server s;
    start(&s);
    h_result r;
    cr_assert_eq(H_RUN(&r, "export", "identities", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert_str_eq(r.out, "domain,ipp,ght_id,status,birth_name,used_name,first_names,"
                            "birth_date,sex,birth_place,ins,active,merged_into\n",
                     "an empty repository exports its header only");
    h_result_free(&r);

    ack a = roundtrip(a28("MSG-EXP", IPP1 "||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);

    cr_assert_eq(H_RUN(&r, "export", "identities", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    const char *row = strchr(r.out, '\n');
    cr_assert_not_null(row);
    cr_assert_str_eq(row + 1,
                     "1.2.250.1.999.1,IPP1,1,PROV,TESTNOM,,ALICE CLAIRE,1985-07-15,F,,,1,\n",
                     "export:\n%s", r.out);
    h_result_free(&r);

    /* Taking a copy of the repository is traced. */
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert_not_null(strstr(r.out, "identity.export"), "audit:\n%s", r.out);
    cr_assert_not_null(strstr(r.out, "1 identities"), "audit:\n%s", r.out);
    h_result_free(&r);
    stop(&s);
}

static const char *a47(const char *control, const char *pid, const char *mrg)
{
    return h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260101120000||ADT^A47^ADT_A30|%s|P|"
                 "2.5^FRA^2.11\rEVN||20260101120000\rPID|||%s\rMRG|%s\r",
                 control, pid, mrg);
}

Test(hl7_corpus, a47_changes_the_ipp_and_deletes_the_ins)
{
    h_server s;
    start(&s);
    ack a = roundtrip(a28("MSG-47A", IPP1 "||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);

    /* IPP1 becomes IPP7. */
    a = roundtrip(a47("MSG-47B", "IPP7^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH,
                      IPP1));
    expect_code(&a, "AA");
    cr_assert(!has_err(&a, 100, "W", "PV1", 0), "an ADT_A30 has no PV1:\n%s", a.text);
    ack_free(&a);
    h_result r;
    cr_assert_eq(H_RUN(&r, "export", "identities", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert_not_null(strstr(r.out, ",IPP7,"), "export:\n%s", r.out);
    cr_assert_null(strstr(r.out, ",IPP1,"), "export:\n%s", r.out);
    h_result_free(&r);
    cr_assert_eq(health_count(&s, "local_identities"), 1);

    /* The prior IPP is unknown now: AE 204 at MRG-1. */
    a = roundtrip(a47("MSG-47C", "IPP8^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH,
                      IPP1));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 204, "E", "MRG", 1);
    ack_free(&a);

    /* Onto an IPP held by another patient: AE 205 at PID-3. */
    a = roundtrip(a28("MSG-47D", "IPP9^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);
    a = roundtrip(a47("MSG-47E", "IPP9^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH,
                      "IPP7^^^HOP&1.2.250.1.999.1&ISO^PI"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 205, "E", "PID", 3);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 2);

    /* No MRG: AE 100. */
    a = roundtrip(h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260101120000||ADT^A47^ADT_A30|MSG-47F|P|"
                        "2.5\rPID|||IPP7^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH "\r"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 100, "E", "MRG", 0);
    ack_free(&a);
    stop(&s);
}
