/*
 * sqlite_audit.c - the audit table. Hashing and verification belong to
 * audit/; this file only reads and appends rows.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

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
