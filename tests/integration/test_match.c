/*
 * test_match.c - real-time identity matching end to end: A28 from two
 * establishments sent to a real `socle serve` over MLLP, checked with
 * `socle export identities` and `socle review list`; and the matching's
 * commands (import identities, match train, match explain, review decide).
 *
 * Synthetic people only (names ending in -TEST).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7_support.h"

#define OID1 "1.2.250.1.999.1"
#define OID2 "1.2.250.1.999.2"

static void setup(void)
{
    hl7_setup();
    /* A second establishment, with its own IPP domain. */
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, STRUCTS "EJ,EJ2,CH Deux,,350000014," OID2 ",,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

TestSuite(match, .init = setup, .fini = hl7_teardown, .timeout = 240);

/* The PID fields from PID-3 on for an IPP of a domain:
 * name^forename^forenames, birth date and sex. */
static const char *pid(const char *ipp, const char *oid, const char *name,
                       const char *birth_sex)
{
    return h_fmt("%s^^^HOP&%s&ISO^PI||%s^^^^L||%s", ipp, oid, name, birth_sex);
}

static void send_a28(const char *control, const char *pid_seg)
{
    ack a = roundtrip(a28(control, pid_seg));
    expect_code(&a, "AA");
    ack_free(&a);
}

static h_result run_ok(const char *const *args)
{
    h_result r;
    cr_assert_eq(h_run(&r, H_CLI_TIMEOUT_MS, args), 0);
    ASSERT_EXIT(&r, 0);
    return r;
}
#define RUN_OK(...) run_ok((const char *const[]){__VA_ARGS__, NULL})

/* The GHT identity (export column 3) of (domain OID, IPP). */
static long long ght_of(const char *oid, const char *ipp)
{
    h_result r = RUN_OK("export", "identities", "--data", data);
    char key[128];
    snprintf(key, sizeof key, "\n%s,%s,", oid, ipp);
    const char *at = strstr(r.out, key);
    cr_assert_not_null(at, "no row for %s in:\n%s", ipp, r.out);
    long long g = atoll(at + strlen(key));
    h_result_free(&r);
    return g;
}

Test(match, the_same_person_with_a_typo_is_one_ght_identity)
{
    h_server s;
    start(&s);
    send_a28("M1", pid("IPP-1", OID1, "ROUSSEL-TEST^CLAIRE^CLAIRE ANNE", "19750621|F"));
    send_a28("M2", pid("IPP-2", OID2, "ROUSEL-TEST^CLAIRE^CLAIRE ANNE", "19750621|F"));
    stop(&s);
    cr_assert_eq(ght_of(OID1, "IPP-1"), ght_of(OID2, "IPP-2"));
}

Test(match, a_twin_is_another_ght_identity)
{
    h_server s;
    start(&s);
    send_a28("T1", pid("IPP-3", OID1, "JUMEAU-TEST^CLAIRE^CLAIRE ANNE", "19750621|F"));
    send_a28("T2", pid("IPP-4", OID2, "JUMEAU-TEST^ELISE^ELISE MARIE", "19750621|F"));
    stop(&s);
    cr_assert_neq(ght_of(OID1, "IPP-3"), ght_of(OID2, "IPP-4"));
}

Test(match, a_borderline_pair_is_a_review_task_the_cell_decides)
{
    h_server s;
    start(&s);
    /* Same names, same birth year, another day and month: homonyms, or a
     * badly entered date. */
    send_a28("B1", pid("IPP-5", OID1, "LOMBARD-TEST^HUGO^HUGO", "19600304|M"));
    send_a28("B2", pid("IPP-6", OID2, "LOMBARD-TEST^HUGO^HUGO", "19601118|M"));
    stop(&s);
    long long g1 = ght_of(OID1, "IPP-5"), g2 = ght_of(OID2, "IPP-6");
    cr_assert_neq(g1, g2);

    h_result r = RUN_OK("review", "list", "--data", data);
    cr_assert_not_null(strstr(r.out, "\topen\t"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "1 open"), "%s", r.out);
    long long task = atoll(r.out);
    cr_assert_gt(task, 0, "%s", r.out);
    h_result_free(&r);

    r = RUN_OK("match", "explain", "--data", data, OID1 ":IPP-5", OID2 ":IPP-6");
    cr_assert_not_null(strstr(r.out, "birth_date"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "review"), "%s", r.out);
    h_result_free(&r);

    char id[32];
    snprintf(id, sizeof id, "%lld", task);
    r = RUN_OK("review", "decide", "--data", data, "--comment", "seen at the desk",
               id, "same");
    cr_assert_not_null(strstr(r.out, "merged"), "%s", r.out);
    h_result_free(&r);
    cr_assert_eq(ght_of(OID1, "IPP-5"), ght_of(OID2, "IPP-6"));

    /* Decided: refused a second time. */
    h_result again;
    cr_assert_eq(H_RUN(&again, "review", "decide", "--data", data, id, "not_same"),
                 0);
    ASSERT_EXIT(&again, 1);
    h_result_free(&again);
}

/* ---- Commands --------------------------------------------------------- */

#define RECORDS_HEADER "source,local_id,birth_name,used_name,first_names,birth_date,sex," \
                       "birth_place,ins\n"

Test(match, import_identities_links_in_real_time_or_by_clusters)
{
    const char *in = h_fmt("%s/records.csv", root);
    cr_assert_eq(h_write_text(in, RECORDS_HEADER
        "EJ1,A1,MOREAU-TEST,,JEAN PAUL,1950-01-02,M,75056,\n"
        "350000014,B1,MOREAU-TEST,,JEAN PAUL,1950-01-02,M,75056,\n"
        OID2 ",B2,PETIT-TEST,,ANNE,1990-05-06,F,,\n"
        "EJ1,A2,DURAND-TEST,,LUC,1981-07-08,M,,\n"), 0);
    h_result r = RUN_OK("import", "identities", "--data", data, "--in", in);
    cr_assert_not_null(strstr(r.out, "imported 4 identities"), "%s", r.out);
    h_result_free(&r);
    /* Source by structure code, FINESS and domain OID alike. */
    cr_assert_eq(ght_of(OID1, "A1"), ght_of(OID2, "B1"), "linked by the real-time matching");
    cr_assert_neq(ght_of(OID2, "B2"), ght_of(OID1, "A2"));

    /* With clusters: the grouping is given, not computed. */
    const char *in2 = h_fmt("%s/records2.csv", root);
    const char *cl = h_fmt("%s/clusters.csv", root);
    cr_assert_eq(h_write_text(in2, RECORDS_HEADER
        "EJ1,C1,BLANC-TEST,,ROSE,1970-03-04,F,,\n"
        "EJ2,C2,NOIR-TEST,,ROSE,1970-03-04,F,,\n"
        "EJ2,C3,BLANC-TEST,,ROSE,1970-03-04,F,,\n"), 0);
    cr_assert_eq(h_write_text(cl, "source,local_id,cluster_id\n"
        "EJ1,C1,1\nEJ2,C2,1\nEJ2,C3,2\n"), 0);
    r = RUN_OK("import", "identities", "--data", data, "--in", in2, "--clusters", cl);
    h_result_free(&r);
    cr_assert_eq(ght_of(OID1, "C1"), ght_of(OID2, "C2"));
    cr_assert_neq(ght_of(OID1, "C1"), ght_of(OID2, "C3"));
}

Test(match, import_identities_is_all_or_nothing)
{
    const char *in = h_fmt("%s/bad.csv", root);
    cr_assert_eq(h_write_text(in, RECORDS_HEADER
        "EJ1,X1,VERT-TEST,,LEA,1999-09-09,F,,\n"
        "EJ1,X2,VERT-TEST,,LEA,1999-02-30,F,,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "identities", "--data", data, "--in", in), 0);
    ASSERT_EXIT(&r, 1);
    cr_assert_not_null(strstr(r.err, "bad.csv:3:"), "%s", r.err);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "import", "identities", "--data", data, "--in", in,
                       "--clusters", h_fmt("%s/none.csv", root)), 0);
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);
    r = RUN_OK("export", "identities", "--data", data);
    cr_assert_null(strstr(r.out, "VERT-TEST"), "nothing imported:\n%s", r.out);
    h_result_free(&r);
}

Test(match, train_persists_a_model_and_explain_uses_it)
{
    const char *in = h_fmt("%s/records.csv", root);
    cr_assert_eq(h_write_text(in, RECORDS_HEADER
        "EJ1,A1,MOREAU-TEST,,JEAN PAUL,1950-01-02,M,75056,\n"
        "EJ2,B1,MOREAU-TEST,,JEAN,1950-01-02,M,75056,\n"), 0);
    h_result r = RUN_OK("import", "identities", "--data", data, "--in", in);
    h_result_free(&r);
    r = RUN_OK("match", "train", "--data", data);
    cr_assert_not_null(strstr(r.out, "identities 2"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "starting values kept"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "birth_name"), "%s", r.out);
    h_result_free(&r);
    r = RUN_OK("match", "explain", "--data", data, OID1 ":A1", OID2 ":B1");
    cr_assert_not_null(strstr(r.out, "first_names same first"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, ": auto"), "%s", r.out);
    h_result_free(&r);

    cr_assert_eq(H_RUN(&r, "match", "explain", "--data", data, OID1 ":NOPE", "1"),
                 0);
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "match", "explain", "--data", data, "1"), 0);
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
}

/* explain's term-frequency line and score (printed with one decimal). */
static void explain_tf(const char *a, const char *b, double *tf, double *score)
{
    h_result r = RUN_OK("match", "explain", "--data", data, a, b);
    const char *t = strstr(r.out, "term_freq");
    const char *s = strstr(r.out, "\nscore ");
    cr_assert_not_null(t, "%s", r.out);
    cr_assert_not_null(s, "%s", r.out);
    cr_assert_eq(sscanf(t + strlen("term_freq"), " %lf", tf), 1, "%s", r.out);
    cr_assert_eq(sscanf(s, "\nscore %lf", score), 1, "%s", r.out);
    h_result_free(&r);
}

Test(match, train_stores_term_frequencies_and_explain_shows_them)
{
    /* 30 homonyms (other birth dates) make DURAND-TEST a common name. */
    char csv[8192] = RECORDS_HEADER;
    size_t at = strlen(csv);
    for (int i = 0; i < 30; i++)
        at += (size_t)snprintf(csv + at, sizeof csv - at,
                               "EJ1,D%d,DURAND-TEST,,LUC,19%02d-01-02,M,,\n", i, 40 + i);
    snprintf(csv + at, sizeof csv - at,
             "EJ1,P1,DURAND-TEST,,LUC,1981-07-08,M,75056,\n"
             "EJ2,P2,DURAND-TEST,,LUC,1981-07-08,M,75056,\n"
             "EJ1,K1,KERGUELEN-TEST,,LUC,1981-07-08,M,75056,\n"
             "EJ2,K2,KERGUELEN-TEST,,LUC,1981-07-08,M,75056,\n");
    const char *in = h_fmt("%s/records.csv", root);
    cr_assert_eq(h_write_text(in, csv), 0);
    h_result r = RUN_OK("import", "identities", "--data", data, "--in", in);
    h_result_free(&r);

    double tf_c0, score_c0, tf_r0, score_r0;
    explain_tf(OID1 ":P1", OID2 ":P2", &tf_c0, &score_c0);
    explain_tf(OID1 ":K1", OID2 ":K2", &tf_r0, &score_r0);
    cr_assert_eq(tf_c0, 0, "never trained: no adjustment");
    cr_assert_eq(tf_r0, 0);
    cr_assert_float_eq(score_c0, score_r0, 0.05);

    r = RUN_OK("match", "train", "--data", data);
    cr_assert_not_null(strstr(r.out, "term frequencies: "), "%s", r.out);
    cr_assert_null(strstr(r.out, "term frequencies: 0 counts"), "%s", r.out);
    h_result_free(&r);

    /* Too few identities to learn: the starting model is kept, so the
     * score moves by the adjustment alone. */
    double tf_c1, score_c1, tf_r1, score_r1;
    explain_tf(OID1 ":P1", OID2 ":P2", &tf_c1, &score_c1);
    explain_tf(OID1 ":K1", OID2 ":K2", &tf_r1, &score_r1);
    cr_assert_lt(tf_c1, tf_r1, "common %f, rare %f", tf_c1, tf_r1);
    cr_assert_lt(tf_c1, 0);
    cr_assert_float_eq(score_c1, score_c0 + tf_c1, 0.11);
    cr_assert_float_eq(score_r1, score_r0 + tf_r1, 0.11);
    cr_assert_lt(score_c1, score_r1);
}
