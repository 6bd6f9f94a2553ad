/*
 * store_match.h - the part of the store contract (store.h, which includes
 * it) that persists identity matching: the blocking keys and normalised
 * records of each local identity, the learned model, and the identity
 * cell's review tasks. Same conventions as store.h.
 */
#ifndef SOCLE_STORE_STORE_MATCH_H
#define SOCLE_STORE_STORE_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct store store;

/* Replace the blocking keys of a local identity (the 64-bit keys of
 * match/blocking.h, computed by core/ from the normalised traits) by
 * keys[0..n), and its matching record by rec[0..rec_len) (core/'s
 * normalised form, opaque here, at most STORE_MATCH_REC_MAX bytes) with
 * its domain_id. Called with every create and update, in its
 * transaction. */
#define STORE_MATCH_REC_MAX 512
int store_match_keys_set(store *st, int64_t local_id, int64_t domain_id, const uint64_t *keys,
                         size_t n, const void *rec, size_t rec_len, socle_err *err);
/* Remove every key and record (before a re-index). */
int store_match_keys_clear(store *st, socle_err *err);

/* A candidate as the blocking keys give it: no identity read needed. */
typedef struct store_match_cand {
    int64_t local_id;
    int64_t ght_id;          /* of its active link */
    int64_t domain_id;       /* 0 when rec_len is 0 */
    int key_index;           /* store_match_candidates: the key that gave it */
    size_t rec_len;          /* 0: no record stored (indexed before there were) */
    unsigned char rec[STORE_MATCH_REC_MAX];
} store_match_cand;

#define STORE_MATCH_KEYS 8

/* The candidates of up to STORE_MATCH_KEYS keys in one query: for each
 * non-zero keys[i], in the order given, the local identities holding it
 * and actively linked to a GHT identity, other than exclude_local, lowest
 * id first (the oldest: a cap keeps the identities known longest), at most
 * per_key of them, with their record and key_index = i. At most max rows
 * into out (*n), the first keys' first: an identity holding several of the
 * keys comes once per key. */
int store_match_candidates(store *st, const uint64_t *keys, size_t n_keys,
                           int64_t exclude_local, size_t per_key, store_match_cand *out,
                           size_t max, size_t *n, socle_err *err);
/* The local identities actively linked to GHT identity ght_id, with their
 * record as store_match_candidates gives them (one query), oldest link
 * first: at most max into out (*n); *more is set when there are others. */
int store_match_group(store *st, int64_t ght_id, size_t max, store_match_cand *out,
                      size_t *n, int *more, socle_err *err);

/* The persisted model (JSON appended to out): 1 found, 0 none, -1 error. */
int store_match_model_get(store *st, buf *out, socle_err *err);
int store_match_model_set(store *st, const char *json, const char *at, socle_err *err);
/* A parsed form of the persisted model, kept by the handle for its owner
 * (core/matching.c) so the JSON is not parsed for every identity: opaque
 * bytes, valid while the model row is unchanged (every save bumps its
 * generation, also when saved through another handle or process).
 * cache_get copies them into parsed (size bytes) and returns 1, or returns
 * 0 when nothing is cached for the current row (*generation then receives
 * the row's generation, -1 when there is no model, for cache_put); -1 on
 * error. */
int store_match_model_cache_get(store *st, void *parsed, size_t size, int64_t *generation,
                                socle_err *err);
void store_match_model_cache_put(store *st, int64_t generation, const void *parsed,
                                 size_t size);
/* Term frequencies: (kind, key, count) triples the store keeps without
 * knowing what they mean (core/matching.c and match/model.h do), written
 * with the model by `socle match train`. */
typedef struct store_match_freq {
    int kind;
    uint64_t key;
    int64_t count;
} store_match_freq;
#define STORE_MATCH_FREQ_GET_MAX 8
/* Remove them all. */
int store_match_freq_clear(store *st, socle_err *err);
/* Insert (or replace) f[0..n). */
int store_match_freq_put(store *st, const store_match_freq *f, size_t n, socle_err *err);
/* The counts of the (kind, key) of f[0..n) (n <= STORE_MATCH_FREQ_GET_MAX)
 * into their count, 0 for those not stored, in one query. */
int store_match_freq_get(store *st, store_match_freq *f, size_t n, socle_err *err);
/* 1 when any is stored, 0 none, -1 error. */
int store_match_freq_any(store *st, socle_err *err);

/* The highest local identity id: an upper bound of how many are stored,
 * read from the end of the primary key (count(*) would scan them all);
 * local identities are never deleted, so it is their number. */
int store_local_count_estimate(store *st, int64_t *n, socle_err *err);

/* Insert t (sets t->id). */
int store_review_insert(store *st, review_task *t, socle_err *err);
int store_review_get(store *st, int64_t id, review_task *out, socle_err *err);  /* 1/0/-1 */
/* The latest task for the pair (a, b), in either order: 1/0/-1. */
int store_review_last_pair(store *st, int64_t local_a, int64_t local_b, review_task *out,
                           socle_err *err);
/* Write status, decided_at/by, comment and merge_id of t. */
int store_review_update(store *st, const review_task *t, socle_err *err);
/* Mark obsolete (decided_at = at, decided_by = by) the open or later
 * tasks whose two local identities are both actively linked to ght_id;
 * *n (may be NULL) gets how many. */
int store_review_obsolete(store *st, int64_t ght_id, const char *at, const char *by,
                          size_t *n, socle_err *err);

#define STORE_REVIEW_DOMAINS_MAX 16
typedef struct store_review_query {
    unsigned status_mask;        /* bit (1 << review_status); 0: open and later */
    /* Only tasks with one of their local identities in these domains. */
    int64_t in_domains[STORE_REVIEW_DOMAINS_MAX];
    size_t n_in_domains;
    int restrict_domains;        /* in_domains applies (even when empty) */
    size_t offset, limit;        /* limit 0: no limit */
} store_review_query;
typedef int (*store_review_cb)(const review_task *t, void *ctx);
/* Tasks of the query: open ones, then later ones, then the others; most
 * likely first (score descending) within a status, then oldest first. */
int store_review_foreach(store *st, const store_review_query *q, store_review_cb cb,
                         void *ctx, socle_err *err);
/* For the dashboard: the number of tasks of the query (offset and limit
 * aside) and the creation time of the oldest of them ("" when none). */
int store_review_count(store *st, const store_review_query *q, int64_t *count,
                       char oldest[SOCLE_TS_MAX], socle_err *err);

#endif
