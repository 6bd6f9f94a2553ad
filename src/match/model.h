/*
 * model.h - Fellegi-Sunter weights of the comparison levels.
 *
 * For each field f and level l: m = P(level | same person) and
 * u = P(level | different people). A pair's score is the sum over fields of
 * log2(m/u) (a level "n/a" weighs 0), plus the term-frequency adjustment:
 * agreeing on "MARTIN" says less than agreeing on "KERGUELEN".
 *
 * Learning, without labels, on the data itself:
 *  - u from random pairs of records (almost all of them different people);
 *    this is the robust estimator: u learned by EM among blocked candidate
 *    pairs is biased, since blocking makes non-matches agree on the
 *    blocking fields (two strangers born the same day look like a match);
 *  - m by expectation-maximisation over comparison vectors aggregated by
 *    pattern (an iteration costs the number of distinct patterns, not of
 *    pairs). The batch linker uses model_em_session: one session per
 *    blocking pass, on that pass's pairs, leaving out the fields the pass
 *    makes agree, with u fixed (see linker.c, learn_model). model_em, one
 *    EM over all candidates where the candidates' non-matches get their own
 *    distribution, is kept for callers that have no sessions: at scale it
 *    can take "same name" for "same person".
 *
 * Two thresholds on the score: >= upper links automatically, >= lower
 * goes to review, below is nothing; they rise with the population
 * (model_scale_thresholds). The model is serialised as JSON so the
 * real-time linker can persist and reload it.
 */
#ifndef SOCLE_MATCH_MODEL_H
#define SOCLE_MATCH_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "match/similarity.h"
#include "util/error.h"

#define MODEL_DEFAULT_UPPER 18.0
#define MODEL_DEFAULT_LOWER 12.0

/* The default thresholds hold for a population of this many records. */
#define MODEL_SCALE_BASE 100000

typedef struct match_model {
    double m[MF_COUNT][MATCH_MAX_LEVELS];
    double u[MF_COUNT][MATCH_MAX_LEVELS];
    double prior;        /* share of matches among candidate pairs (EM) */
    double upper, lower; /* decision thresholds on the score */
    int em_iterations;   /* run by the last model_em */
} match_model;

/* Reasonable starting values (and the model used when there is too little
 * data to learn from). */
void model_init(match_model *m);

/* Set the thresholds for linking within a population of n records: the
 * defaults up to MODEL_SCALE_BASE records, raised by log2(n / base) above.
 * Why: true pairs grow like n (a few records per person) while pairs of
 * strangers grow like n^2, so the prior odds that a pair is one person
 * fall like 1/n; the score (a log2 likelihood ratio against random pairs)
 * must rise by log2 of that factor for the same confidence. Ten times the
 * records: +3.3. */
void model_scale_thresholds(match_model *m, size_t n);

/* log2(m/u) of a level; 0 for level 0 (n/a). */
double model_weight(const match_model *m, match_field f, int level);

/* Sum of the level weights (without term frequencies). */
double model_score(const match_model *m, const match_cmp *c);

/* ---- Patterns: a comparison vector as one integer ---------------------- */

#define MODEL_PATTERNS (NAME_LEVELS * USED_LEVELS * FIRST_LEVELS * DATE_LEVELS \
                        * SEX_LEVELS * PLACE_LEVELS * INS_LEVELS)

uint32_t model_pattern(const match_cmp *c);
void model_unpattern(uint32_t pattern, match_cmp *c);

/* ---- Learning ---------------------------------------------------------- */

/* Estimate u from `samples` random pairs of the n records (deterministic
 * for a given seed). Does nothing when n < 2. */
void model_estimate_u(match_model *m, const match_record *recs, size_t n,
                      size_t samples, uint64_t seed);

/* EM over pattern counts (array of MODEL_PATTERNS): updates m and prior,
 * keeping u (the candidates' own non-match distribution is internal). Stops after max_iter or when no parameter moves by more than
 * 1e-6. Returns the number of iterations. */
int model_em(match_model *m, const uint64_t *pattern_counts, int max_iter);

/* EM of one training session (Splink-style): candidate pairs blocked on
 * some fields, whose levels on those fields say nothing (they agree by
 * construction, for matches and non-matches alike). Only the fields with
 * learn[f] != 0 enter the likelihood; their m and the session's share of
 * matches (*prior, may be NULL) are learned, u is kept fixed (the sampled
 * u: outside the blocking fields, the non-matches of a session are like
 * random pairs). m of the other fields is left as it is. Returns the
 * number of iterations. */
int model_em_session(match_model *m, const uint64_t *pattern_counts,
                     const int learn[MF_COUNT], int max_iter, double *prior);

/* ---- Term frequencies ------------------------------------------------- */

typedef struct match_tf match_tf;

/* Count birth names (core form) and first forenames of n records. NULL
 * when out of memory. */
match_tf *tf_new(const match_record *recs, size_t n);
void tf_free(match_tf *tf);

/* ---- Persisting term frequencies (the real-time linker) --------------
 * The counts of a match_tf as (kind, key, count) triples: a 64-bit hash
 * key per birth name, per first forename, and per first forename and birth
 * decade, plus the totals (TF_TOTAL: key 0 is the number of records, key
 * 1 + d the records with a forename born in decade d). tf_adjust for a
 * record a reads at most TF_RECORD_KEYS of them (tf_record_keys): a
 * match_tf built from just those (tf_from_counts) gives a's pairs exactly
 * the adjustment the full table gives. */
typedef enum tf_kind { TF_NAME = 0, TF_FIRST = 1, TF_ERA_FIRST = 2, TF_TOTAL = 3 } tf_kind;

typedef struct tf_count {
    int kind;          /* tf_kind */
    uint64_t key;
    uint64_t count;    /* 0: absent */
} tf_count;

/* Every non-zero count of tf (tables and totals), in no particular order.
 * Stops at the first non-zero return of cb and returns it; else 0. */
int tf_foreach(const match_tf *tf, int (*cb)(const tf_count *c, void *ctx), void *ctx);

#define TF_RECORD_KEYS 5
/* The (kind, key) of the counts tf_adjust(tf, m, a, c) may read, counts
 * set to 0, into out; returns how many (at most TF_RECORD_KEYS). */
size_t tf_record_keys(const match_record *a, tf_count out[TF_RECORD_KEYS]);

/* A match_tf holding only the counts c[0..n) (those of tf_record_keys,
 * filled from a persisted tf_foreach; count 0 = absent). A missing total
 * of records counts as 1, as tf_new of no record. NULL when out of
 * memory; free with tf_free. */
match_tf *tf_from_counts(const tf_count *c, size_t n);

/* Adjustment to add to the score of an agreeing pair: log2(u / frequency
 * of the shared value) for an exact birth name and an equal first
 * forename, clamped to [-6, +4] (a rare value is strong but not
 * decisive). A forename's frequency is taken among the records born in
 * the same decade as a when the pair's birth dates agree (exact, swapped,
 * one digit, same year): fashions make a forename common in one era.
 * 0 when the levels do not agree exactly. */
double tf_adjust(const match_tf *tf, const match_model *m, const match_record *a,
                 const match_cmp *c);

/* ---- JSON ------------------------------------------------------------- */

/* {"version":1,"prior":..,"upper":..,"lower":..,"fields":{"birth_name":
 * {"exact":{"m":..,"u":..},...},...}}. New reference, NULL when out of
 * memory. */
json_t *model_to_json(const match_model *m);
/* Read what model_to_json wrote; missing levels keep model_init's values.
 * Returns 0, or -1 with err set. */
int model_from_json(const json_t *j, match_model *m, socle_err *err);

#endif
