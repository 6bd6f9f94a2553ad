/*
 * test_dedupe_eval.c - the evaluator of bench/dedupe: pairwise arithmetic
 * on hand-made clusterings, and the reading of its three files.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dedupe/eval.h"

#define N(a) (sizeof a / sizeof a[0])
#define EPS 1e-9

Test(dedupe_eval, perfect_clustering_under_other_labels)
{
    /* Persons A A B C C C; the clusters name them differently. */
    const uint32_t person[] = { 0, 0, 1, 2, 2, 2 };
    const uint32_t cluster[] = { 70, 70, 5, 9, 9, 9 };
    eval_result r;
    socle_err err;
    cr_assert_eq(eval_compute(N(person), person, cluster, 0, NULL, &r, &err), 0);
    cr_assert_eq(r.persons, 3);
    cr_assert_eq(r.clusters, 3);
    cr_assert_eq(r.true_pairs, 1 + 3);
    cr_assert_eq(r.predicted_pairs, 4);
    cr_assert_eq(r.correct_pairs, 4);
    cr_assert_float_eq(r.precision, 1.0, EPS);
    cr_assert_float_eq(r.recall, 1.0, EPS);
    cr_assert_float_eq(r.f1, 1.0, EPS);
    cr_assert_eq(r.false_merges, 0);
    cr_assert_eq(r.wrong_pairs, 0);
    cr_assert_eq(r.missed_pairs, 0);
}

Test(dedupe_eval, one_false_merge)
{
    /* A A B C: A and B put together, C alone. */
    const uint32_t person[] = { 0, 0, 1, 2 };
    const uint32_t cluster[] = { 0, 0, 0, 3 };
    eval_result r;
    cr_assert_eq(eval_compute(N(person), person, cluster, 0, NULL, &r, NULL), 0);
    cr_assert_eq(r.true_pairs, 1);
    cr_assert_eq(r.predicted_pairs, 3);
    cr_assert_eq(r.correct_pairs, 1);
    cr_assert_float_eq(r.precision, 1.0 / 3.0, EPS);
    cr_assert_float_eq(r.recall, 1.0, EPS);
    cr_assert_float_eq(r.f1, 2 * (1.0 / 3.0) / (1.0 / 3.0 + 1.0), EPS);
    cr_assert_eq(r.false_merges, 1);
    cr_assert_eq(r.wrong_pairs, 2);
}

Test(dedupe_eval, one_missed_pair_found_in_the_review)
{
    /* A A A B: the third A is alone; the review lists it with the first A
     * (twice, in both orders) and one wrong pair. */
    const uint32_t person[] = { 0, 0, 0, 1 };
    const uint32_t cluster[] = { 0, 0, 1, 2 };
    const uint32_t review[] = { 0, 2, 2, 0, 1, 3, 3, 3 };
    eval_result r;
    cr_assert_eq(eval_compute(N(person), person, cluster, N(review) / 2, review, &r, NULL), 0);
    cr_assert_eq(r.true_pairs, 3);
    cr_assert_eq(r.predicted_pairs, 1);
    cr_assert_eq(r.correct_pairs, 1);
    cr_assert_eq(r.missed_pairs, 2);
    cr_assert_float_eq(r.precision, 1.0, EPS);
    cr_assert_float_eq(r.recall, 1.0 / 3.0, EPS);
    cr_assert_eq(r.false_merges, 0);
    /* (0,2) once, (1,3); a record paired with itself is no pair. */
    cr_assert_eq(r.review_pairs, 2);
    cr_assert_eq(r.review_true, 1);
    /* Only (0,2) is listed; (1,2) is missed too and is not. */
    cr_assert_eq(r.missed_in_review, 1);
    cr_assert_float_eq(r.review_share, 0.5, EPS);
    /* Accepting (0,2) merges the clusters {0,1} and {2}: all of A. */
    cr_assert_float_eq(r.recall_after_review, 1.0, EPS);
    cr_assert_float_eq(r.precision_after_review, 1.0, EPS);
}

Test(dedupe_eval, pairs_of_a_large_mixed_cluster)
{
    /* Persons of 2, 3 and 1 records, all in one cluster: 15 predicted
     * pairs, 1 + 3 correct. */
    const uint32_t person[] = { 4, 4, 8, 8, 8, 2 };
    const uint32_t cluster[] = { 1, 1, 1, 1, 1, 1 };
    eval_result r;
    cr_assert_eq(eval_compute(N(person), person, cluster, 0, NULL, &r, NULL), 0);
    cr_assert_eq(r.predicted_pairs, 15);
    cr_assert_eq(r.correct_pairs, 4);
    cr_assert_eq(r.wrong_pairs, 11);
    cr_assert_eq(r.false_merges, 1);
    cr_assert_float_eq(r.precision, 4.0 / 15.0, EPS);
}

Test(dedupe_eval, no_pair_anywhere_is_perfect)
{
    const uint32_t person[] = { 0, 1, 2 };
    const uint32_t cluster[] = { 0, 1, 2 };
    eval_result r;
    cr_assert_eq(eval_compute(N(person), person, cluster, 0, NULL, &r, NULL), 0);
    cr_assert_float_eq(r.precision, 1.0, EPS);
    cr_assert_float_eq(r.recall, 1.0, EPS);
    cr_assert_float_eq(r.review_share, 1.0, EPS);
}

Test(dedupe_eval, review_pair_out_of_range_is_an_error)
{
    const uint32_t person[] = { 0, 0 };
    const uint32_t cluster[] = { 0, 1 };
    const uint32_t review[] = { 0, 7 };
    eval_result r;
    socle_err err;
    cr_assert_eq(eval_compute(2, person, cluster, 1, review, &r, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
}

/* ---- files -------------------------------------------------------------- */

static FILE *mem(const char *s)
{
    FILE *f = fmemopen((void *)s, strlen(s), "r");
    cr_assert_not_null(f);
    return f;
}

static int load(eval_data *d, int (*fn)(eval_data *, FILE *, const char *, socle_err *),
                const char *text, socle_err *err)
{
    FILE *f = mem(text);
    int rc = fn(d, f, "t.csv", err);
    fclose(f);
    return rc;
}

static const char truth[] =
    "source,local_id,person_id\n"
    "CHU01,1,P1\n"
    "CH02,1,P1\n"
    "CH02,2,P2\n"
    "CH03,9,P2\n";

Test(dedupe_eval, files_with_a_false_merge_and_a_review)
{
    eval_data *d = eval_data_new();
    socle_err err;
    cr_assert_eq(load(d, eval_load_truth, truth, &err), 0, "%s", err.msg);
    cr_assert_eq(load(d, eval_load_clusters,
                      "source,local_id,cluster_id\n"
                      "CHU01,1,c1\n"
                      "CH02,1,c1\n"
                      "CH02,2,c1\n"
                      "CH03,9,c2\n", &err), 0, "%s", err.msg);
    cr_assert_eq(load(d, eval_load_review,
                      "source_a,local_id_a,source_b,local_id_b,score\n"
                      "CH03,9,CH02,2,0.7\n", &err), 0, "%s", err.msg);
    eval_result r;
    cr_assert_eq(eval_run(d, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.records, 4);
    cr_assert_eq(r.persons, 2);
    cr_assert_eq(r.true_pairs, 2);
    cr_assert_eq(r.predicted_pairs, 3);
    cr_assert_eq(r.correct_pairs, 1);
    cr_assert_eq(r.false_merges, 1);
    cr_assert_eq(r.missed_in_review, 1);
    cr_assert_eq(r.unclustered, 0);

    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    eval_print(&r, 1, f);
    fclose(f);
    const char *last = strstr(out, "\nprecision=");
    cr_assert_not_null(last, "%s", out);
    cr_assert(strstr(last, " recall=0.500000 ") != NULL, "%s", last);
    cr_assert(strstr(last, " false_merges=1 ") != NULL, "%s", last);
    cr_assert_eq(out[len - 1], '\n');
    cr_assert_eq(strchr(last + 1, '\n'), out + len - 1, "not the last line");
    free(out);
    eval_data_free(d);
}

Test(dedupe_eval, a_record_missing_from_the_clusters_is_a_singleton)
{
    eval_data *d = eval_data_new();
    socle_err err;
    cr_assert_eq(load(d, eval_load_truth, truth, &err), 0, "%s", err.msg);
    cr_assert_eq(load(d, eval_load_clusters,
                      "source,local_id,cluster_id\n"
                      "CHU01,1,x\n"
                      "CH02,1,x\n"
                      "CH02,2,y\n", &err), 0, "%s", err.msg);
    eval_result r;
    cr_assert_eq(eval_run(d, &r, &err), 0);
    cr_assert_eq(r.unclustered, 1);
    cr_assert_eq(r.clusters, 3);
    cr_assert_eq(r.correct_pairs, 1);
    cr_assert_eq(r.missed_pairs, 1);
    eval_data_free(d);
}

Test(dedupe_eval, bad_files_say_where)
{
    eval_data *d = eval_data_new();
    socle_err err;
    cr_assert_eq(load(d, eval_load_truth, "source,local_id,person\nA,1,P1\n", &err), -1);
    cr_assert(strstr(err.msg, "t.csv:1") != NULL, "%s", err.msg);
    eval_data_free(d);

    d = eval_data_new();
    cr_assert_eq(load(d, eval_load_truth,
                      "source,local_id,person_id\nA,1,P1\nA,1,P2\n", &err), -1);
    cr_assert(strstr(err.msg, "t.csv:3") && strstr(err.msg, "twice"), "%s", err.msg);
    eval_data_free(d);

    d = eval_data_new();
    cr_assert_eq(load(d, eval_load_truth, truth, &err), 0);
    cr_assert_eq(load(d, eval_load_clusters,
                      "source,local_id,cluster_id\nCHU01,1,x\nCH09,4,x\n", &err), -1);
    cr_assert(strstr(err.msg, "t.csv:3") && strstr(err.msg, "not in the truth"), "%s", err.msg);
    eval_data_free(d);

    d = eval_data_new();
    cr_assert_eq(load(d, eval_load_truth, truth, &err), 0);
    cr_assert_eq(load(d, eval_load_clusters,
                      "source,local_id,cluster_id\nCHU01,1,x\nCHU01,1,y\n", &err), -1);
    cr_assert(strstr(err.msg, "t.csv:3") && strstr(err.msg, "twice"), "%s", err.msg);
    eval_data_free(d);

    d = eval_data_new();
    cr_assert_eq(load(d, eval_load_truth, truth, &err), 0);
    cr_assert_eq(load(d, eval_load_review,
                      "source_a,local_id_a,source_b,local_id_b,score\nCHU01,1,CH02\n", &err), -1);
    cr_assert(strstr(err.msg, "t.csv:2") && strstr(err.msg, "5 fields"), "%s", err.msg);
    eval_data_free(d);
}
