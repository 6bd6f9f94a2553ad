/*
 * sqlite_inbound.c - the journal of inbound interface messages.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

int store_inbound_insert(store *st, inbound_message *m, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_INBOUND_INSERT,
        "INSERT INTO inbound_message(received_at, channel, peer, sender, control_id,"
        " message_type, raw, ack_code, ack, detail)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, m->received_at);
    sq_bind_text(s, 2, m->channel);
    sq_bind_text(s, 3, m->peer);
    sq_bind_text(s, 4, m->sender);
    sq_bind_text(s, 5, m->control_id);
    sq_bind_text(s, 6, m->message_type);
    sqlite3_bind_blob64(s, 7, m->raw ? m->raw : "", m->raw_len, SQLITE_TRANSIENT);
    sq_bind_text(s, 8, m->ack_code);
    sqlite3_bind_blob64(s, 9, m->ack ? m->ack : "", m->ack_len, SQLITE_TRANSIENT);
    sq_bind_text(s, 10, m->detail);
    if (sq_exec_stmt(st, s, "journal inbound message", err) != 0)
        return -1;
    m->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_inbound_find_ack(store *st, const char *sender, const char *control_id,
                           buf *ack_out, char ack_code[4], buf *raw_out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_INBOUND_FIND_ACK,
        "SELECT ack, ack_code, raw FROM inbound_message WHERE sender = ?1 AND control_id = ?2"
        " AND ack_code IN ('AA','AE') AND control_id <> ''", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, sender);
    sq_bind_text(s, 2, control_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        buf_append(ack_out, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
        sq_column_copy(s, 1, ack_code, 4);
        if (raw_out != NULL)
            buf_append(raw_out, sqlite3_column_blob(s, 2), (size_t)sqlite3_column_bytes(s, 2));
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "find inbound message");
}
