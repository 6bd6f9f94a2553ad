/*
 * sqlite_local_merge.c - merges of local identities sent by a source (A40).
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

int store_local_merge_insert(store *st, local_merge_rec *m, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_MERGE_INSERT,
        "INSERT INTO local_merge(survivor_local_id, absorbed_local_id, ght_merge_id, at,"
        " actor, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, m->survivor_local_id);
    sqlite3_bind_int64(s, 2, m->absorbed_local_id);
    if (m->ght_merge_id > 0)
        sqlite3_bind_int64(s, 3, m->ght_merge_id);
    else
        sqlite3_bind_null(s, 3);
    sq_bind_text(s, 4, m->at);
    sq_bind_text(s, 5, m->actor);
    sq_bind_text(s, 6, m->reason);
    if (sq_exec_stmt(st, s, "record local merge", err) != 0)
        return -1;
    m->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_local_merge_of(store *st, int64_t absorbed_local_id, local_merge_rec *out,
                         socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_MERGE_OF,
        "SELECT id, survivor_local_id, absorbed_local_id, coalesce(ght_merge_id, 0), at,"
        " actor, reason, undone FROM local_merge"
        " WHERE absorbed_local_id = ?1 AND undone = 0", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, absorbed_local_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(s, 0);
        out->survivor_local_id = sqlite3_column_int64(s, 1);
        out->absorbed_local_id = sqlite3_column_int64(s, 2);
        out->ght_merge_id = sqlite3_column_int64(s, 3);
        sq_column_copy(s, 4, out->at, sizeof out->at);
        sq_column_copy(s, 5, out->actor, sizeof out->actor);
        sq_column_copy(s, 6, out->reason, sizeof out->reason);
        out->undone = sqlite3_column_int(s, 7);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read local merge");
}
