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

/* The conditions of a search (without before_seq, which paging adds). */
static void audit_criteria(const store_audit_query *q, sq_binds *b, buf *sql, char *action_end,
                           size_t end_n)
{
    if (q->from[0] != '\0')
        sq_binds_text(b, sql, " AND at >= ?", q->from);
    if (q->to[0] != '\0')
        sq_binds_text(b, sql, " AND at < ?", q->to);
    if (q->actor[0] != '\0')
        sq_binds_text(b, sql, " AND actor = ?", q->actor);
    if (q->action[0] != '\0' && !q->action_prefix) {
        sq_binds_text(b, sql, " AND action = ?", q->action);
    } else if (q->action[0] != '\0') {
        /* A range, so that a prefix uses the same comparisons as equality:
         * the least string above every string starting with it is the
         * prefix with its last byte incremented (UTF-8 never holds 0xFF). */
        str_copy(action_end, end_n, q->action);
        size_t n = strlen(action_end);
        action_end[n - 1] = (char)((unsigned char)action_end[n - 1] + 1);
        sq_binds_text(b, sql, " AND action >= ?", q->action);
        sq_binds_text(b, sql, " AND action < ?", action_end);
    }
    if (q->object_type[0] != '\0')
        sq_binds_text(b, sql, " AND object_type = ?", q->object_type);
    if (q->object_id[0] != '\0')
        sq_binds_text(b, sql, " AND object_id = ?", q->object_id);
    if (q->outcome[0] != '\0')
        sq_binds_text(b, sql, " AND outcome = ?", q->outcome);
}

int store_audit_search(store *st, const store_audit_query *q, size_t max,
                       store_audit_cb cb, void *ctx, int64_t *total, int64_t count_cap,
                       socle_err *err)
{
    char action_end[sizeof q->action];
    buf sql = {0};
    sq_binds b = {0};
    sqlite3_stmt *s = NULL;
    if (total != NULL) {
        /* Counting stops at the cap: a count over millions of records
         * would cost more than the page it heads. */
        buf_puts(&sql, "SELECT count(*) FROM (SELECT 1 FROM audit WHERE 1");
        audit_criteria(q, &b, &sql, action_end, sizeof action_end);
        if (count_cap > 0)
            sq_binds_num(&b, &sql, " LIMIT ?", count_cap);
        buf_puts(&sql, ")");
        int rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "count audit records", &s, err);
        buf_free(&sql);
        if (rc != 0)
            return -1;
        rc = sqlite3_step(s);
        *total = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_finalize(s);
        if (rc != SQLITE_ROW)
            return sq_fail(st, err, "count audit records");
        memset(&b, 0, sizeof b);
    }

    buf_puts(&sql, "SELECT " AUDIT_COLUMNS "WHERE 1");
    audit_criteria(q, &b, &sql, action_end, sizeof action_end);
    if (q->before_seq > 0)
        sq_binds_num(&b, &sql, " AND seq < ?", q->before_seq);
    buf_puts(&sql, " ORDER BY seq DESC");
    if (max > 0)
        sq_binds_num(&b, &sql, " LIMIT ?", (int64_t)max);
    int rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "search audit", &s, err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        audit_record r;
        read_audit(s, &r);
        if (cb(&r, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    if (failed)
        sq_fail(st, err, "search audit");
    sqlite3_finalize(s);
    return failed ? -1 : 0;
}
