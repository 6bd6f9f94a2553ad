/*
 * sqlite_match.c - what the real-time identity matching persists: the
 * blocking keys and normalised record of each local identity, the model,
 * and the review tasks.
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_cache_size(store *st, int mib, socle_err *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", mib > 0 ? mib * 1024 : 32768);
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(st, err, "set the page cache size");
    return 0;
}

/* ---- Blocking keys ---------------------------------------------------- */

int store_match_keys_set(store *st, int64_t local_id, int64_t domain_id, const uint64_t *keys,
                         size_t n, const void *rec, size_t rec_len, socle_err *err)
{
    if (rec_len == 0 || rec_len > STORE_MATCH_REC_MAX)
        return err_set(err, SOCLE_EINVAL, "matching record of %zu bytes", rec_len);
    sqlite3_stmt *s = sq_stmt(st, SQ_MKEY_DELETE, "DELETE FROM match_key WHERE local_id = ?1",
                              err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, local_id);
    if (sq_exec_stmt(st, s, "delete blocking keys", err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (keys[i] == 0)
            continue;
        /* INSERT OR IGNORE: two passes may give the same key (a used name
         * equal to the birth name shares NAME_YEAR's key space). */
        s = sq_stmt(st, SQ_MKEY_INSERT,
                    "INSERT OR IGNORE INTO match_key(key, local_id) VALUES (?1, ?2)", err);
        if (s == NULL)
            return -1;
        sqlite3_bind_int64(s, 1, (int64_t)keys[i]);
        sqlite3_bind_int64(s, 2, local_id);
        if (sq_exec_stmt(st, s, "insert blocking key", err) != 0)
            return -1;
    }
    s = sq_stmt(st, SQ_MREC_SET,
                "INSERT OR REPLACE INTO match_record(local_id, domain_id, rec) VALUES (?1, ?2, ?3)",
                err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, local_id);
    sqlite3_bind_int64(s, 2, domain_id);
    sqlite3_bind_blob(s, 3, rec, (int)rec_len, SQLITE_TRANSIENT);
    return sq_exec_stmt(st, s, "save matching record", err);
}

int store_match_keys_clear(store *st, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MKEY_CLEAR, "DELETE FROM match_key", err);
    if (s == NULL || sq_exec_stmt(st, s, "clear blocking keys", err) != 0)
        return -1;
    s = sq_stmt(st, SQ_MREC_CLEAR, "DELETE FROM match_record", err);
    return s == NULL ? -1 : sq_exec_stmt(st, s, "clear matching records", err);
}

/* Columns at, at+1.. (local_id, ght_id, domain_id, rec) into c. */
static void read_cand(sqlite3_stmt *s, int at, store_match_cand *c)
{
    c->local_id = sqlite3_column_int64(s, at);
    c->ght_id = sqlite3_column_int64(s, at + 1);
    c->domain_id = sqlite3_column_int64(s, at + 2);
    c->key_index = 0;
    const void *b = sqlite3_column_blob(s, at + 3);
    int len = sqlite3_column_bytes(s, at + 3);
    c->rec_len = (b != NULL && len > 0 && len <= STORE_MATCH_REC_MAX) ? (size_t)len : 0;
    if (c->rec_len > 0)
        memcpy(c->rec, b, c->rec_len);
}

/* One arm per key (?1..?8), each its own capped range of match_key: the
 * keys a caller does not use are bound to 0, which no identity holds. */
#define CAND_ARM(i)                                                              \
    "SELECT * FROM (SELECT " #i " AS arm, k.local_id, l.ght_id, r.domain_id, r.rec" \
    " FROM match_key k"                                                          \
    " JOIN identity_link l ON l.local_id = k.local_id AND l.state = 'ACTIVE'"    \
    " LEFT JOIN match_record r ON r.local_id = k.local_id"                       \
    " WHERE k.key = ?" #i " AND k.local_id <> ?9 ORDER BY k.local_id LIMIT ?10)"
_Static_assert(STORE_MATCH_KEYS == 8, "one query arm per key");

int store_match_candidates(store *st, const uint64_t *keys, size_t n_keys,
                           int64_t exclude_local, size_t per_key, store_match_cand *out,
                           size_t max, size_t *n, socle_err *err)
{
    *n = 0;
    if (n_keys > STORE_MATCH_KEYS)
        return err_set(err, SOCLE_EINVAL, "%zu matching keys (at most %d)", n_keys,
                       STORE_MATCH_KEYS);
    /* UNION ALL runs its arms in order: the first keys' rows come first. */
    sqlite3_stmt *s = sq_stmt(st, SQ_MKEY_CANDIDATES,
        CAND_ARM(1) " UNION ALL " CAND_ARM(2) " UNION ALL " CAND_ARM(3) " UNION ALL "
        CAND_ARM(4) " UNION ALL " CAND_ARM(5) " UNION ALL " CAND_ARM(6) " UNION ALL "
        CAND_ARM(7) " UNION ALL " CAND_ARM(8), err);
    if (s == NULL)
        return -1;
    for (int i = 0; i < STORE_MATCH_KEYS; i++)
        sqlite3_bind_int64(s, i + 1, (size_t)i < n_keys ? (int64_t)keys[i] : 0);
    sqlite3_bind_int64(s, 9, exclude_local);
    sqlite3_bind_int64(s, 10, (int64_t)per_key);
    int rc = SQLITE_DONE;
    while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int arm = sqlite3_column_int(s, 0);
        if (arm < 1 || (size_t)arm > n_keys || keys[arm - 1] == 0)
            continue;  /* a zero key the caller passed: "no key" */
        store_match_cand *c = &out[(*n)++];
        read_cand(s, 1, c);
        c->key_index = arm - 1;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "matching candidates") : 0;
}

int store_match_group(store *st, int64_t ght_id, size_t max, store_match_cand *out,
                      size_t *n, int *more, socle_err *err)
{
    *n = 0;
    *more = 0;
    sqlite3_stmt *s = sq_stmt(st, SQ_MATCH_GROUP,
        "SELECT l.local_id, l.ght_id, r.domain_id, r.rec FROM identity_link l"
        " LEFT JOIN match_record r ON r.local_id = l.local_id"
        " WHERE l.ght_id = ?1 AND l.state = 'ACTIVE' ORDER BY l.id LIMIT ?2", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    sqlite3_bind_int64(s, 2, (int64_t)max + 1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == max) {
            *more = 1;
            break;
        }
        read_cand(s, 0, &out[(*n)++]);
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "matching group") : 0;
}

/* ---- Model ------------------------------------------------------------ */

int store_match_model_get(store *st, buf *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MMODEL_GET,
                              "SELECT model_json FROM match_model WHERE id = 1", err);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *j = (const char *)sqlite3_column_text(s, 0);
        buf_puts(out, j ? j : "");
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read matching model");
}

int store_match_model_set(store *st, const char *json, const char *at, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MMODEL_SET,
        "INSERT INTO match_model(id, model_json, trained_at) VALUES (1, ?1, ?2)"
        " ON CONFLICT(id) DO UPDATE SET model_json = excluded.model_json,"
        " trained_at = excluded.trained_at, generation = match_model.generation + 1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, json);
    sq_bind_text(s, 2, at);
    return sq_exec_stmt(st, s, "save matching model", err);
}

int store_match_model_cache_get(store *st, void *parsed, size_t size, int64_t *generation,
                                socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MMODEL_GENERATION,
        "SELECT coalesce((SELECT generation FROM match_model WHERE id = 1), -1)", err);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    int64_t gen = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return sq_fail(st, err, "read matching model generation");
    *generation = gen;
    if (st->model_cache == NULL || st->model_cache_gen != gen || st->model_cache_size != size)
        return 0;
    memcpy(parsed, st->model_cache, size);
    return 1;
}

void store_match_model_cache_put(store *st, int64_t generation, const void *parsed,
                                 size_t size)
{
    unsigned char *p = realloc(st->model_cache, size);
    if (p == NULL) {
        /* Out of memory: no cache, the owner parses again next time. */
        free(st->model_cache);
        st->model_cache = NULL;
        return;
    }
    memcpy(p, parsed, size);
    st->model_cache = p;
    st->model_cache_size = size;
    st->model_cache_gen = generation;
}

/* ---- Term frequencies ------------------------------------------------- */

int store_match_freq_clear(store *st, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MFREQ_CLEAR, "DELETE FROM match_freq", err);
    return s == NULL ? -1 : sq_exec_stmt(st, s, "clear term frequencies", err);
}

int store_match_freq_put(store *st, const store_match_freq *f, size_t n, socle_err *err)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *s = sq_stmt(st, SQ_MFREQ_PUT,
            "INSERT OR REPLACE INTO match_freq(kind, key, count) VALUES (?1, ?2, ?3)", err);
        if (s == NULL)
            return -1;
        sqlite3_bind_int(s, 1, f[i].kind);
        sqlite3_bind_int64(s, 2, (int64_t)f[i].key);
        sqlite3_bind_int64(s, 3, f[i].count);
        if (sq_exec_stmt(st, s, "save term frequency", err) != 0)
            return -1;
    }
    return 0;
}

/* One arm per (kind, key): each a primary-key look-up; the arms a caller
 * does not use are bound to kind -1, which nothing holds. */
#define FREQ_ARM(i, k, v) \
    "SELECT " #i ", count FROM match_freq WHERE kind = ?" #k " AND key = ?" #v
_Static_assert(STORE_MATCH_FREQ_GET_MAX == 8, "one query arm per key");

int store_match_freq_get(store *st, store_match_freq *f, size_t n, socle_err *err)
{
    if (n > STORE_MATCH_FREQ_GET_MAX)
        return err_set(err, SOCLE_EINVAL, "%zu term frequency keys (at most %d)", n,
                       STORE_MATCH_FREQ_GET_MAX);
    sqlite3_stmt *s = sq_stmt(st, SQ_MFREQ_GET,
        FREQ_ARM(0, 1, 2) " UNION ALL " FREQ_ARM(1, 3, 4) " UNION ALL "
        FREQ_ARM(2, 5, 6) " UNION ALL " FREQ_ARM(3, 7, 8) " UNION ALL "
        FREQ_ARM(4, 9, 10) " UNION ALL " FREQ_ARM(5, 11, 12) " UNION ALL "
        FREQ_ARM(6, 13, 14) " UNION ALL " FREQ_ARM(7, 15, 16), err);
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < STORE_MATCH_FREQ_GET_MAX; i++) {
        sqlite3_bind_int(s, (int)(2 * i + 1), i < n ? f[i].kind : -1);
        sqlite3_bind_int64(s, (int)(2 * i + 2), i < n ? (int64_t)f[i].key : 0);
        if (i < n)
            f[i].count = 0;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int arm = sqlite3_column_int(s, 0);
        if (arm >= 0 && (size_t)arm < n)
            f[arm].count = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return rc != SQLITE_DONE ? sq_fail(st, err, "read term frequencies") : 0;
}

int store_match_freq_any(store *st, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MFREQ_ANY, "SELECT EXISTS (SELECT 1 FROM match_freq)",
                              err);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    int any = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return rc != SQLITE_ROW ? sq_fail(st, err, "read term frequencies") : any != 0;
}

int store_local_count_estimate(store *st, int64_t *n, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_MAX_ID,
                              "SELECT coalesce(max(id), 0) FROM local_identity", err);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : sq_fail(st, err, "count local identities");
}

/* ---- Review tasks ----------------------------------------------------- */

static const char *const review_codes[REVIEW_STATUS_COUNT] = {
    "open", "later", "merged", "not_duplicate", "obsolete",
};

static review_status review_from_text(const char *t)
{
    for (int i = 0; i < REVIEW_STATUS_COUNT; i++)
        if (t != NULL && strcmp(t, review_codes[i]) == 0)
            return (review_status)i;
    return REVIEW_OPEN;
}

#define REVIEW_COLUMNS \
    "id, local_a, local_b, ght_a, ght_b, domain_a, domain_b, score, reason, explanation," \
    " status, created_at, created_by, decided_at, decided_by, comment, merge_id"

static void read_review(sqlite3_stmt *s, review_task *t)
{
    memset(t, 0, sizeof *t);
    int c = 0;
    t->id = sqlite3_column_int64(s, c++);
    t->local_a = sqlite3_column_int64(s, c++);
    t->local_b = sqlite3_column_int64(s, c++);
    t->ght_a = sqlite3_column_int64(s, c++);
    t->ght_b = sqlite3_column_int64(s, c++);
    t->domain_a = sqlite3_column_int64(s, c++);
    t->domain_b = sqlite3_column_int64(s, c++);
    t->score = sqlite3_column_double(s, c++);
    sq_column_copy(s, c++, t->reason, sizeof t->reason);
    sq_column_copy(s, c++, t->explanation, sizeof t->explanation);
    t->status = review_from_text((const char *)sqlite3_column_text(s, c++));
    sq_column_copy(s, c++, t->created_at, sizeof t->created_at);
    sq_column_copy(s, c++, t->created_by, sizeof t->created_by);
    sq_column_copy(s, c++, t->decided_at, sizeof t->decided_at);
    sq_column_copy(s, c++, t->decided_by, sizeof t->decided_by);
    sq_column_copy(s, c++, t->comment, sizeof t->comment);
    t->merge_id = sqlite3_column_int64(s, c++);
}

static int fetch_review(store *st, sqlite3_stmt *s, review_task *out, socle_err *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_review(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read review task");
}

int store_review_insert(store *st, review_task *t, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_REVIEW_INSERT,
        "INSERT INTO review_task(local_a, local_b, ght_a, ght_b, domain_a, domain_b, score,"
        " reason, explanation, status, created_at, created_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, t->local_a);
    sqlite3_bind_int64(s, 2, t->local_b);
    sqlite3_bind_int64(s, 3, t->ght_a);
    sqlite3_bind_int64(s, 4, t->ght_b);
    sqlite3_bind_int64(s, 5, t->domain_a);
    sqlite3_bind_int64(s, 6, t->domain_b);
    sqlite3_bind_double(s, 7, t->score);
    sq_bind_text(s, 8, t->reason);
    sq_bind_text(s, 9, t->explanation);
    sq_bind_text(s, 10, review_codes[t->status % REVIEW_STATUS_COUNT]);
    sq_bind_text(s, 11, t->created_at);
    sq_bind_text(s, 12, t->created_by);
    if (sq_exec_stmt(st, s, "insert review task", err) != 0)
        return -1;
    t->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_review_get(store *st, int64_t id, review_task *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_REVIEW_GET,
                              "SELECT " REVIEW_COLUMNS " FROM review_task WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return fetch_review(st, s, out, err);
}

int store_review_last_pair(store *st, int64_t local_a, int64_t local_b, review_task *out,
                           socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_REVIEW_LAST_PAIR,
        "SELECT " REVIEW_COLUMNS " FROM review_task WHERE local_a = ?1 AND local_b = ?2"
        " ORDER BY id DESC LIMIT 1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, local_a < local_b ? local_a : local_b);
    sqlite3_bind_int64(s, 2, local_a < local_b ? local_b : local_a);
    return fetch_review(st, s, out, err);
}

int store_review_update(store *st, const review_task *t, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_REVIEW_UPDATE,
        "UPDATE review_task SET status = ?1, decided_at = ?2, decided_by = ?3, comment = ?4,"
        " merge_id = ?5 WHERE id = ?6", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, review_codes[t->status % REVIEW_STATUS_COUNT]);
    sq_bind_text(s, 2, t->decided_at);
    sq_bind_text(s, 3, t->decided_by);
    sq_bind_text(s, 4, t->comment);
    sqlite3_bind_int64(s, 5, t->merge_id);
    sqlite3_bind_int64(s, 6, t->id);
    if (sq_exec_stmt(st, s, "update review task", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ENOTFOUND, "review task %lld not found", (long long)t->id);
    return 0;
}

int store_review_obsolete(store *st, int64_t ght_id, const char *at, const char *by,
                          size_t *n, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_REVIEW_OBSOLETE,
        "UPDATE review_task SET status = 'obsolete', decided_at = ?2, decided_by = ?3"
        " WHERE status IN ('open', 'later')"
        " AND local_a IN (SELECT local_id FROM identity_link"
        "                 WHERE ght_id = ?1 AND state = 'ACTIVE')"
        " AND local_b IN (SELECT local_id FROM identity_link"
        "                 WHERE ght_id = ?1 AND state = 'ACTIVE')", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    sq_bind_text(s, 2, at);
    sq_bind_text(s, 3, by);
    if (sq_exec_stmt(st, s, "obsolete review tasks", err) != 0)
        return -1;
    if (n != NULL)
        *n = (size_t)sqlite3_changes(st->db);
    return 0;
}

/* The WHERE clause of a list query, built from fixed fragments. */
static void review_where(const store_review_query *q, sq_binds *b, buf *sql)
{
    unsigned mask = q->status_mask ? q->status_mask
                                   : (1u << REVIEW_OPEN) | (1u << REVIEW_LATER);
    buf_puts(sql, " WHERE status IN (''");
    for (int i = 0; i < REVIEW_STATUS_COUNT; i++)
        if (mask & (1u << i))
            sq_binds_text(b, sql, ", ?", review_codes[i]);
    buf_puts(sql, ")");
    if (q->restrict_domains) {
        buf_puts(sql, " AND (domain_a IN (0");
        for (size_t i = 0; i < q->n_in_domains && i < STORE_REVIEW_DOMAINS_MAX; i++)
            sq_binds_num(b, sql, ", ?", q->in_domains[i]);
        buf_puts(sql, ") OR domain_b IN (0");
        for (size_t i = 0; i < q->n_in_domains && i < STORE_REVIEW_DOMAINS_MAX; i++)
            sq_binds_num(b, sql, ", ?", q->in_domains[i]);
        buf_puts(sql, "))");
    }
}

int store_review_foreach(store *st, const store_review_query *q, store_review_cb cb,
                         void *ctx, socle_err *err)
{
    sq_binds b = { 0 };
    buf sql = { 0 };
    buf_puts(&sql, "SELECT " REVIEW_COLUMNS " FROM review_task");
    review_where(q, &b, &sql);
    buf_puts(&sql, " ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'later' THEN 1 ELSE 2 END,"
                   " score DESC, id");
    sq_binds_num(&b, &sql, " LIMIT ?", q->limit ? (int64_t)q->limit : -1);
    sq_binds_num(&b, &sql, " OFFSET ?", (int64_t)q->offset);
    sqlite3_stmt *s = NULL;
    int rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "list review tasks", &s, err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        review_task t;
        read_review(s, &t);
        if (cb(&t, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    if (failed)
        sq_fail(st, err, "list review tasks");
    sqlite3_finalize(s);
    return failed ? -1 : 0;
}

int store_review_count(store *st, const store_review_query *q, int64_t *count,
                       char oldest[SOCLE_TS_MAX], socle_err *err)
{
    sq_binds b = { 0 };
    buf sql = { 0 };
    buf_puts(&sql, "SELECT count(*), coalesce(min(created_at), '') FROM review_task");
    review_where(q, &b, &sql);
    sqlite3_stmt *s = NULL;
    int rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "count review tasks", &s, err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(s, 0);
        sq_column_copy(s, 1, oldest, SOCLE_TS_MAX);
    } else {
        sq_fail(st, err, "count review tasks");
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}
