/*
 * matching.h - real-time identity matching: each local identity created,
 * or whose matching traits change, is compared with the stored identities
 * that share one of its blocking keys, and linked, sent to review, or left
 * alone, in the transaction of the change.
 *
 * The engine is match/ (normalisation, blocking keys, comparison levels,
 * Fellegi-Sunter weights, protection rules); this module feeds it from the
 * store:
 *  - candidates: the active local identities (actively linked to a GHT
 *    identity) holding one of the incoming identity's blocking keys, at
 *    most MATCHING_KEY_CAP per key (a very common key, e.g. a default
 *    birth date, cannot blow the latency; the oldest identities are kept),
 *    MATCHING_MAX_CANDIDATES in all, the most selective keys first, all
 *    keys in one query, each candidate with the normalised record stored
 *    beside its keys (matching_index_in_tx, in a compact form), so no
 *    candidate is read back nor normalised again (one that has none,
 *    indexed before records were stored, is);
 *  - score: model_score with the persisted model (model_init when none was
 *    trained), parsed once per store handle and model generation, with
 *    thresholds raised for the stored population as in batch, plus the
 *    term-frequency adjustment of batch (tf_adjust: agreeing on a common
 *    name says less than on a rare one) from the frequencies `socle match
 *    train` persisted with the model. The few counts the incoming record
 *    needs (its birth name, its first forename overall and in its birth
 *    decade, and the totals) are read in one query per incoming identity,
 *    not per candidate. Never trained (no frequencies stored): no
 *    adjustment, no query;
 *  - decision: linker_decide, then the group check: an AUTO link would put
 *    every local identity of one GHT identity with every one of the other,
 *    so the protection rules (linker_conflict) are checked for each such
 *    pair, and two different local identities of the same IPP domain are
 *    never put together automatically (a duplicate inside one
 *    establishment is the source's business: PAM A40). A refused AUTO
 *    becomes a review;
 *  - review: a task per unsure pair (the best pair of each GHT identity,
 *    at most MATCHING_MAX_REVIEWS), unless the pair was decided "not the
 *    same" before or a task for it is open. When the identity is linked
 *    automatically, the only tasks opened are for the sure candidates the
 *    group check refused: the other unsure ones are other people.
 */
#ifndef SOCLE_CORE_MATCHING_H
#define SOCLE_CORE_MATCHING_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "match/blocking.h"
#include "match/linker.h"
#include "match/model.h"
#include "util/error.h"

struct store;

#define MATCHING_KEY_CAP        50
#define MATCHING_MAX_CANDIDATES 200
#define MATCHING_MAX_REVIEWS    3

/* The normalised form of a local identity's traits and INS. */
void matching_record(const identity_traits *t, const char *ins, match_record *out);
/* Its blocking keys (0 for a pass that does not apply). */
void matching_keys(const local_identity *li, uint64_t keys[BLOCKING_PASSES]);

/* Write li's blocking keys and normalised record to the store (with every
 * create and update, in its transaction). */
int matching_index_in_tx(struct store *st, const local_identity *li, socle_err *err);
/* The same from an already normalised record (re-indexing). */
int matching_index_record_in_tx(struct store *st, int64_t local_id, int64_t domain_id,
                                const match_record *r, socle_err *err);

/* The persisted model, or model_init's when none was trained (parsed once
 * per store handle and model generation), its thresholds raised for the
 * number of stored identities as in batch (model_scale_thresholds). */
int matching_model_load(struct store *st, match_model *m, socle_err *err);

/* "auto", "review", "none". */
const char *matching_decision_name(link_decision d);

/* One pair, field by field. */
typedef struct matching_explanation {
    match_cmp cmp;
    double weight[MF_COUNT];
    double tf_adjust;        /* term frequencies (tf_adjust), in score */
    double score;
    link_decision decision;
    link_rule rule;
    double upper, lower;     /* the thresholds it was decided with */
} matching_explanation;

/* Compare two normalised records with model m and the term frequencies
 * tf (NULL: no adjustment; those of a, see matching_record_tf). */
void matching_explain_records(const match_model *m, const match_tf *tf,
                              const match_record *a, const match_record *b,
                              matching_explanation *out);
/* The term frequencies the pairs of r need (*out, free with tf_free), read
 * from the store in one query; *out NULL when none are stored. */
int matching_record_tf(struct store *st, const match_record *r, match_tf **out,
                       socle_err *err);
/* [{"field":..,"level":..,"weight":..},...]: malloc'd, never NULL. */
char *matching_explanation_json(const matching_explanation *e);

/* Explain the pair of local identities a and b with the persisted model
 * (an audited read). Unknown id -> SOCLE_ENOTFOUND. */
int matching_explain(struct store *st, const socle_actor *actor, int64_t local_a,
                     int64_t local_b, matching_explanation *out, socle_err *err);

/* A stored identity scored against given traits. */
typedef struct matching_candidate {
    int64_t local_id;
    int64_t ght_id;
    int64_t domain_id;
    double score;            /* tf_adjust included */
    double tf_adjust;
    link_decision decision;
    link_decision scored;    /* the engine's decision, before the group check */
    link_rule rule;
    match_cmp cmp;
    char note[200];     /* why an AUTO pair was sent to review, or "" */
} matching_candidate;

/* The candidates for traits (and INS, may be NULL or ""), best score
 * first: at most max into out, their number in *n (FHIR Patient/$match).
 * An audited read. */
int matching_find(struct store *st, const socle_actor *actor, const identity_traits *t,
                  const char *ins, size_t max, matching_candidate *out, size_t *n,
                  socle_err *err);

/* ---- Inside identity commands (core/identity.c) ----------------------- */

typedef struct matching_result {
    link_decision decision;       /* after the group check */
    int64_t ght_id;               /* AUTO: the GHT identity to join */
    int64_t local_id;             /* AUTO: the candidate that decided */
    double score;
    link_rule rule;
    char reason[SOCLE_REASON_MAX];
    matching_candidate best;      /* AUTO: the candidate that decided */
    /* The unsure pairs to open review tasks for, best first. */
    matching_candidate review[MATCHING_MAX_REVIEWS];
    size_t n_review;
    size_t candidates;            /* compared */
} matching_result;

/* Decide for li (stored; ght_id 0 while it has no GHT identity yet)
 * inside the caller's transaction. Writes nothing. */
int matching_decide_in_tx(struct store *st, const local_identity *li, matching_result *out,
                          socle_err *err);

/* Turn an AUTO decision into a review of its candidate (something the
 * caller knows forbids an automatic link, e.g. an INS held by a
 * contradicting identity); why goes into the reason. */
void matching_downgrade(matching_result *r, const char *why);

/* Open the review tasks of r for li (now linked: li_ght_id), skipping the
 * pairs decided "not the same" or with a task open, and the candidates now
 * under li's GHT identity. *opened (may be NULL) gets how many. */
int matching_open_reviews_in_tx(struct store *st, const socle_actor *actor,
                                const local_identity *li, int64_t li_ght_id,
                                const matching_result *r, size_t *opened, socle_err *err);

#endif
