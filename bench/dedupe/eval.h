/*
 * eval.h - pairwise evaluation of a clustering against the generator's
 * truth (bench/dedupe/gen.h), for `eval_clusters` and its tests.
 *
 * A pair is two distinct records. True pairs: same person in the truth.
 * Predicted pairs: same cluster. precision = correct / predicted (1 when
 * nothing was predicted), recall = correct / true (1 when there is no true
 * pair), f1 their harmonic mean. A false merge is a predicted cluster that
 * holds records of two or more persons; its wrong pairs are counted too.
 * Everything is counted by sorting (cluster, person) keys: no pair is ever
 * enumerated, so a cluster of 10,000 records costs what 10,000 records do.
 */
#ifndef SOCLE_BENCH_DEDUPE_EVAL_H
#define SOCLE_BENCH_DEDUPE_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

typedef struct eval_result {
    uint64_t records;          /* records in the truth */
    uint64_t persons;
    uint64_t clusters;         /* predicted clusters, singletons included */
    uint64_t unclustered;      /* truth records the clusters file lacks (each its own cluster) */
    uint64_t true_pairs;
    uint64_t predicted_pairs;
    uint64_t correct_pairs;
    double precision, recall, f1;
    uint64_t false_merges;     /* clusters holding records of >= 2 persons */
    uint64_t wrong_pairs;      /* predicted pairs of two different persons */
    uint64_t missed_pairs;     /* true pairs in different clusters */
    uint64_t review_pairs;     /* distinct pairs listed in the review */
    uint64_t review_true;      /* ... of which the same person */
    uint64_t missed_in_review; /* missed true pairs listed in the review */
    double review_share;       /* missed_in_review / missed_pairs (1 when none missed) */
    /* Had the identity cell accepted every true pair of the review (merging
     * their clusters) and refused the others: */
    double precision_after_review, recall_after_review;
} eval_result;

/* The arithmetic on dense ids: person[i] and cluster[i] for record i
 * (any uint32 values; equal means same), and npairs review pairs of record
 * indexes (pairs[2k], pairs[2k+1]; order and repeats do not matter).
 * Returns 0, or -1 with err (a pair index out of range, out of memory). */
int eval_compute(size_t n, const uint32_t *person, const uint32_t *cluster,
                 size_t npairs, const uint32_t *pairs, eval_result *out, socle_err *err);

/* Files: the truth first, then the clusters, then optionally the review. */
typedef struct eval_data eval_data;

eval_data *eval_data_new(void);
void eval_data_free(eval_data *d);

/* source,local_id,person_id (header checked; a record twice is an error). */
int eval_load_truth(eval_data *d, FILE *in, const char *name, socle_err *err);
/* source,local_id,cluster_id: every record must be in the truth, once. */
int eval_load_clusters(eval_data *d, FILE *in, const char *name, socle_err *err);
/* source_a,local_id_a,source_b,local_id_b,score: records of the truth. */
int eval_load_review(eval_data *d, FILE *in, const char *name, socle_err *err);

int eval_run(const eval_data *d, eval_result *out, socle_err *err);

/* The figures for people, then one machine-readable last line:
 * precision=... recall=... f1=... false_merges=... wrong_pairs=... ... */
void eval_print(const eval_result *r, int with_review, FILE *out);

#endif
