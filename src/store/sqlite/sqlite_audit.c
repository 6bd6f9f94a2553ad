/*
 * sqlite_audit.c - the audit table. Hashing and verification belong to
 * audit/; this file only reads and appends rows.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "util/buf.h"

#define AUDIT_COLUMNS \
    "seq, at, actor, role, action, object_type, object_id, outcome, detail, " \
    "prev_hash, hash FROM audit "

static void read_audit(sqlite3_stmt *s, audit_record *r)
{
    memset(r, 0, sizeof *r);
    r->seq = sqlite3_column_int64(s, 0);
    sq_column_copy(s, 1, r->at, sizeof r->at);
    sq_column_copy(s, 2, r->actor, sizeof r->actor);
    sq_column_copy(s, 3, r->role, sizeof r->role);
    sq_column_copy(s, 4, r->action, sizeof r->action);
    sq_column_copy(s, 5, r->object_type, sizeof r->object_type);
    sq_column_copy(s, 6, r->object_id, sizeof r->object_id);
    sq_column_copy(s, 7, r->outcome, sizeof r->outcome);
    sq_column_copy(s, 8, r->detail, sizeof r->detail);
    sq_column_copy(s, 9, r->prev_hash, sizeof r->prev_hash);
    sq_column_copy(s, 10, r->hash, sizeof r->hash);
}

int store_audit_last(store *st, audit_record *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_AUDIT_LAST,
                              "SELECT " AUDIT_COLUMNS "ORDER BY seq DESC LIMIT 1", err);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_audit(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read audit");
}

int store_audit_insert(store *st, const audit_record *r, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_AUDIT_INSERT,
        "INSERT INTO audit(seq, at, actor, role, action, object_type, object_id, outcome,"
        " detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, r->seq);
    sq_bind_text(s, 2, r->at);
    sq_bind_text(s, 3, r->actor);
    sq_bind_text(s, 4, r->role);
    sq_bind_text(s, 5, r->action);
    sq_bind_text(s, 6, r->object_type);
    sq_bind_text(s, 7, r->object_id);
    sq_bind_text(s, 8, r->outcome);
    sq_bind_text(s, 9, r->detail);
    sq_bind_text(s, 10, r->prev_hash);
    sq_bind_text(s, 11, r->hash);
    return sq_exec_stmt(st, s, "append audit", err);
}

int store_audit_foreach(store *st, int64_t from_seq, store_audit_cb cb, void *ctx,
                        socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_AUDIT_FROM,
                              "SELECT " AUDIT_COLUMNS "WHERE seq >= ?1 ORDER BY seq", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, from_seq);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        audit_record r;
        read_audit(s, &r);
        if (cb(&r, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "read audit") : 0;
}

static void audit_criteria(const store_audit_query *q, buf *sql, sq_binds *b)
{
    if (q->seq != 0)
        sq_binds_num(b, sql, " AND seq = ?", q->seq);
    if (q->from[0] != '\0')
        sq_binds_text(b, sql, " AND at >= ?", q->from);
    if (q->to[0] != '\0')
        sq_binds_text(b, sql, " AND at < ?", q->to);
    if (q->actor[0] != '\0')
        sq_binds_text(b, sql, " AND actor = ?", q->actor);
    if (q->action[0] != '\0')
        sq_binds_text(b, sql, " AND action = ?", q->action);
    if (q->n_action_like > 0) {
        buf_puts(sql, q->action_not_like ? " AND NOT (0" : " AND (0");
        for (size_t i = 0; i < q->n_action_like && i < STORE_AUDIT_LIKE_MAX; i++)
            sq_binds_text(b, sql, " OR action LIKE ?", q->action_like[i]);
        buf_puts(sql, ")");
    }
    if (q->object_type[0] != '\0')
        sq_binds_text(b, sql, " AND object_type = ?", q->object_type);
    if (q->object_id[0] != '\0')
        sq_binds_text(b, sql, " AND object_id = ?", q->object_id);
    if (q->n_outcomes > 0) {
        buf_puts(sql, " AND outcome IN (''");
        for (size_t i = 0; i < q->n_outcomes && i < 4; i++)
            sq_binds_text(b, sql, ", ?", q->outcomes[i]);
        buf_puts(sql, ")");
    }
}

int store_audit_search(store *st, const store_audit_query *q, size_t max, audit_record *out,
                       size_t *n, int64_t *total, socle_err *err)
{
    *n = 0;
    if (total != NULL)
        *total = 0;
    for (int pass = total != NULL ? 0 : 1; pass < 2; pass++) {
        sq_binds b = { .n = 0 };
        buf sql = { 0 };
        buf_puts(&sql, pass == 0 ? "SELECT count(*) FROM audit WHERE 1"
                                 : "SELECT " AUDIT_COLUMNS "WHERE 1");
        audit_criteria(q, &sql, &b);
        if (pass == 1) {
            if (q->after_seq > 0)
                sq_binds_num(&b, &sql, q->descending ? " AND seq < ?" : " AND seq > ?",
                             q->after_seq);
            sq_binds_num(&b, &sql, q->descending ? " ORDER BY seq DESC LIMIT ?"
                                                 : " ORDER BY seq LIMIT ?", (int64_t)max);
        }
        sqlite3_stmt *s = NULL;
        int rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "audit search", &s, err);
        buf_free(&sql);
        if (rc != 0)
            return -1;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(s, 0);
            else if (*n < max)
                read_audit(s, &out[(*n)++]);
        }
        if (rc != SQLITE_DONE)
            sq_fail(st, err, "search audit");
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return -1;
    }
    return 0;
}
