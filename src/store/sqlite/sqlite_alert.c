/*
 * sqlite_alert.c - quality alerts for the identity cell.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

int store_alert_insert(store *st, quality_alert *a, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_ALERT_INSERT,
        "INSERT INTO quality_alert(raised_at, kind, local_id, source, detail)"
        " VALUES (?1, ?2, ?3, ?4, ?5)", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, a->raised_at);
    sq_bind_text(s, 2, a->kind);
    if (a->local_id > 0)
        sqlite3_bind_int64(s, 3, a->local_id);
    else
        sqlite3_bind_null(s, 3);
    sq_bind_text(s, 4, a->source);
    sq_bind_text(s, 5, a->detail);
    if (sq_exec_stmt(st, s, "raise quality alert", err) != 0)
        return -1;
    a->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_alert_foreach(store *st, int64_t local_id, int open_only, store_alert_cb cb,
                        void *ctx, socle_err *err)
{
    sqlite3_stmt *s = local_id > 0
        ? sq_stmt(st, SQ_ALERT_BY_LOCAL,
                  "SELECT id, raised_at, kind, coalesce(local_id, 0), source, detail, closed_at,"
                  " closed_by FROM quality_alert WHERE local_id = ?1"
                  " AND (?2 = 0 OR closed_at = '') ORDER BY id", err)
        : sq_stmt(st, SQ_ALERT_ALL,
                  "SELECT id, raised_at, kind, coalesce(local_id, 0), source, detail, closed_at,"
                  " closed_by FROM quality_alert WHERE ?1 = 0"
                  " AND (?2 = 0 OR closed_at = '') ORDER BY id", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, local_id);
    sqlite3_bind_int(s, 2, open_only ? 1 : 0);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        quality_alert a;
        memset(&a, 0, sizeof a);
        a.id = sqlite3_column_int64(s, 0);
        sq_column_copy(s, 1, a.raised_at, sizeof a.raised_at);
        sq_column_copy(s, 2, a.kind, sizeof a.kind);
        a.local_id = sqlite3_column_int64(s, 3);
        sq_column_copy(s, 4, a.source, sizeof a.source);
        sq_column_copy(s, 5, a.detail, sizeof a.detail);
        sq_column_copy(s, 6, a.closed_at, sizeof a.closed_at);
        sq_column_copy(s, 7, a.closed_by, sizeof a.closed_by);
        if (cb(&a, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "list quality alerts") : 0;
}
