/*
 * linker.h - decisions on pairs, protection rules, and batch linking into
 * clusters (one cluster = the records of one person).
 *
 * A false merge (two people fused) is the worst error a repository can
 * make, so the score alone never decides. Protection rules, checked on
 * every pair that would be linked and between every two records of a
 * cluster being formed:
 *  - INS_DIFFERENT: both records carry a usable INS (valid key, consistent
 *    with their own sex, year and month) and they differ;
 *  - NIR_MISMATCH: the same matricule on both, but it contradicts one
 *    record's own traits (sex, birth year, month): typically a child
 *    registered under a parent's NIR;
 *  - SEX: both sexes known and different;
 *  - TWINS: same birth date and family name, different forenames;
 *  - HOMONYMS: same family name and forename, birth dates both known and
 *    different beyond a typo (not a day/month swap, not one digit).
 * A pair under one of these rules is at most sent to review, never linked
 * automatically. Conversely an equal, usable INS links automatically
 * unless the strict traits contradict it (the rules above, or a birth date
 * that differs beyond a typo, or both names and forenames different).
 *
 * Clusters without chains: automatic links are applied best score first,
 * and two clusters are joined only when no record of one contradicts any
 * record of the other by the rules above (and the result stays under
 * LINKER_MAX_CLUSTER records). Plain union-find would let A-B and B-C
 * join A and C even when A and C are twins; here the link B-C is refused
 * and goes to review instead.
 *
 * The pair-level functions are what the real-time linker reuses: one
 * incoming record compared (match_compare) against the candidates of its
 * blocking keys, scored (model_score + tf_adjust), decided here.
 */
#ifndef SOCLE_MATCH_LINKER_H
#define SOCLE_MATCH_LINKER_H

#include <stddef.h>
#include <stdint.h>

#include "match/model.h"
#include "match/normalize.h"
#include "match/similarity.h"
#include "util/error.h"

#define LINKER_MAX_CLUSTER 50
/* Below this many records (for u) or candidate pairs (for m), the model is
 * not learned but taken from model_init. */
#define LINKER_MIN_LEARN 1000

typedef enum link_decision { MATCH_NONE = 0, MATCH_REVIEW, MATCH_AUTO } link_decision;

typedef enum link_rule {
    RULE_NONE = 0,
    RULE_INS_EQUAL,      /* not a protection: the reason of an INS link */
    RULE_INS_DIFFERENT,
    RULE_NIR_MISMATCH,
    RULE_SEX,
    RULE_TWINS,
    RULE_HOMONYMS,
    RULE_BIRTH_NAMES_DIFFER,  /* a pair-level caution, not a conflict: see
                               * linker_decide */
} link_rule;

const char *link_rule_name(link_rule r);

/* The protection rule that says a and b are different people (c is their
 * comparison), or RULE_NONE. */
link_rule linker_conflict(const match_record *a, const match_record *b,
                          const match_cmp *c);

/* Decision for one pair of the given score (weights + term frequencies).
 * *rule (may be NULL) receives the rule that decided, if any.
 * Besides the protection rules: two known birth names that differ (not
 * close, not phonetic, neither the other's used name) send the pair to
 * review at most (RULE_BIRTH_NAMES_DIFFER), unless an equal usable INS
 * links it. The birth name is the steadiest strict trait; at scale,
 * strangers born the same day in the same town with the same forename are
 * as frequent as a married name given as a birth name, and only a human
 * can tell them apart. It is not a conflict: such records may still meet
 * in one cluster through a third record (the married name as used name). */
link_decision linker_decide(const match_model *m, const match_record *a,
                            const match_record *b, const match_cmp *c,
                            double score, link_rule *rule);

/* ---- Batch ----------------------------------------------------------- */

typedef void (*linker_progress_fn)(void *data, const char *phase, size_t done,
                                   size_t total);

typedef struct linker_opts {
    int threads;             /* comparison threads; <= 0 means 1 */
    size_t block_cap;        /* 0: BLOCKING_DEFAULT_CAP */
    size_t block_window;     /* 0: BLOCKING_DEFAULT_WINDOW */
    double upper, lower;     /* thresholds; both 0: the model's, scaled
                              * to n (model_scale_thresholds) */
    linker_progress_fn progress;  /* may be NULL; called from one thread */
    void *progress_data;
} linker_opts;

typedef struct link_review {
    uint32_t a, b;   /* record indexes, a < b */
    double score;
} link_review;

typedef struct linker_result {
    uint32_t *cluster;       /* per record: 1-based cluster number, in the
                              * order of each cluster's first record */
    size_t n_clusters;
    link_review *review;     /* most likely first */
    size_t n_review;
    size_t comparisons;      /* candidate pairs compared */
    size_t auto_pairs;       /* pairs decided AUTO */
    size_t links;            /* automatic links applied (cluster joins) */
    size_t refused;          /* AUTO pairs refused to avoid a chain */
    size_t blocks_capped;
    match_model model;       /* as learned */
} linker_result;

/* Link n normalised records: blocking, comparison (threads), learning
 * (u by sampling, m by EM per training session of a blocking pass),
 * thresholds scaled to n unless given, scoring, decisions, clusters.
 * Returns 0, or -1 with err set (out of memory, threads). */
int linker_run(const match_record *recs, size_t n, const linker_opts *opts,
               linker_result *out, socle_err *err);

void linker_result_free(linker_result *r);

#endif
