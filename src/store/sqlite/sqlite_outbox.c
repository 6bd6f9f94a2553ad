/*
 * sqlite_outbox.c - subscribers to identity notifications and the outbox
 * of notifications waiting for them.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

static const char *const state_names[] = { "pending", "sent", "failed" };

const char *outbox_state_name(outbox_state s)
{
    return (unsigned)s < 3 ? state_names[s] : "unknown";
}

static outbox_state state_from_text(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s != NULL && strcmp(s, state_names[i]) == 0)
            return (outbox_state)i;
    return OUTBOX_PENDING;
}

/* ---- Subscribers ------------------------------------------------------ */

#define SUB_COLUMNS "id, name, host, port, active, events, ej_finess, created_at FROM subscriber "

static void read_subscriber(sqlite3_stmt *s, subscriber *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(s, 0);
    sq_column_copy(s, 1, out->name, sizeof out->name);
    sq_column_copy(s, 2, out->host, sizeof out->host);
    out->port = sqlite3_column_int(s, 3);
    out->active = sqlite3_column_int(s, 4);
    sq_column_copy(s, 5, out->events, sizeof out->events);
    sq_column_copy(s, 6, out->ej_finess, sizeof out->ej_finess);
    sq_column_copy(s, 7, out->created_at, sizeof out->created_at);
}

int store_subscriber_insert(store *st, subscriber *sub, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_SUB_INSERT,
        "INSERT INTO subscriber(name, host, port, active, events, ej_finess, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, sub->name);
    sq_bind_text(s, 2, sub->host);
    sqlite3_bind_int(s, 3, sub->port);
    sqlite3_bind_int(s, 4, sub->active ? 1 : 0);
    sq_bind_text(s, 5, sub->events);
    sq_bind_text(s, 6, sub->ej_finess);
    sq_bind_text(s, 7, sub->created_at);
    if (sq_exec_stmt(st, s, "insert subscriber", err) != 0)
        return -1;
    sub->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_subscriber_find(store *st, const char *name, subscriber *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_SUB_FIND, "SELECT " SUB_COLUMNS "WHERE name = ?1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, name);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_subscriber(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read subscriber");
}

int store_subscriber_remove(store *st, const char *name, const char *at, socle_err *err)
{
    subscriber sub;
    int found = store_subscriber_find(st, name, &sub, err);
    if (found <= 0)
        return found;
    /* What was still waiting can no longer be delivered: say so in the
     * row rather than drop it. */
    sqlite3_stmt *s = sq_stmt(st, SQ_SUB_ORPHAN,
        "UPDATE outbox SET state = 'failed', last_error = 'subscriber removed on ' || ?2"
        " WHERE subscriber_id = ?1 AND state = 'pending'", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, sub.id);
    sq_bind_text(s, 2, at);
    if (sq_exec_stmt(st, s, "fail the rows of a removed subscriber", err) != 0)
        return -1;
    s = sq_stmt(st, SQ_SUB_DELETE, "DELETE FROM subscriber WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, sub.id);
    if (sq_exec_stmt(st, s, "remove subscriber", err) != 0)
        return -1;
    return 1;
}

int store_subscriber_foreach(store *st, int active_only, store_subscriber_cb cb, void *ctx,
                             socle_err *err)
{
    sqlite3_stmt *s = active_only
        ? sq_stmt(st, SQ_SUB_ACTIVE, "SELECT " SUB_COLUMNS "WHERE active = 1 ORDER BY name", err)
        : sq_stmt(st, SQ_SUB_ALL, "SELECT " SUB_COLUMNS "ORDER BY name", err);
    if (s == NULL)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        subscriber sub;
        read_subscriber(s, &sub);
        if (cb(&sub, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "list subscribers") : 0;
}

/* ---- Outbox ----------------------------------------------------------- */

#define OUTBOX_COLUMNS \
    "o.id, coalesce(o.subscriber_id, 0), o.subscriber, o.ght_id, o.other_ght_id, o.event, " \
    "o.message_id, o.payload, o.created_at, o.state, o.attempts, o.next_attempt_at, " \
    "o.last_error, o.sent_at, o.ack FROM outbox o "

static void read_row(sqlite3_stmt *s, outbox_row *r)
{
    memset(r, 0, sizeof *r);
    int c = 0;
    r->id = sqlite3_column_int64(s, c++);
    r->subscriber_id = sqlite3_column_int64(s, c++);
    sq_column_copy(s, c++, r->subscriber, sizeof r->subscriber);
    r->ght_id = sqlite3_column_int64(s, c++);
    r->other_ght_id = sqlite3_column_int64(s, c++);
    sq_column_copy(s, c++, r->event, sizeof r->event);
    sq_column_copy(s, c++, r->message_id, sizeof r->message_id);
    const unsigned char *payload = sqlite3_column_text(s, c++);
    r->payload = payload ? (const char *)payload : "";
    sq_column_copy(s, c++, r->created_at, sizeof r->created_at);
    r->state = state_from_text((const char *)sqlite3_column_text(s, c++));
    r->attempts = sqlite3_column_int(s, c++);
    sq_column_copy(s, c++, r->next_attempt_at, sizeof r->next_attempt_at);
    sq_column_copy(s, c++, r->last_error, sizeof r->last_error);
    sq_column_copy(s, c++, r->sent_at, sizeof r->sent_at);
    const unsigned char *ack = sqlite3_column_text(s, c++);
    r->ack = ack ? (const char *)ack : "";
}

static int foreach_row(store *st, sqlite3_stmt *s, store_outbox_cb cb, void *ctx,
                       socle_err *err)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        outbox_row r;
        read_row(s, &r);
        if (cb(&r, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "read outbox") : 0;
}

int store_outbox_insert(store *st, outbox_row *r, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_OUTBOX_INSERT,
        "INSERT INTO outbox(subscriber_id, subscriber, ght_id, other_ght_id, event, message_id,"
        " payload, created_at, state, attempts, next_attempt_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?9)", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, r->subscriber_id);
    sq_bind_text(s, 2, r->subscriber);
    sqlite3_bind_int64(s, 3, r->ght_id);
    sqlite3_bind_int64(s, 4, r->other_ght_id);
    sq_bind_text(s, 5, r->event);
    sq_bind_text(s, 6, r->message_id);
    sq_bind_text(s, 7, r->payload);
    sq_bind_text(s, 8, r->created_at);
    sq_bind_text(s, 9, r->next_attempt_at[0] ? r->next_attempt_at : r->created_at);
    if (sq_exec_stmt(st, s, "insert outbox row", err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(st->db);
    atomic_fetch_add(&st->outbox_writes, 1);
    r->state = OUTBOX_PENDING;
    return 0;
}

int store_outbox_foreach(store *st, int state, store_outbox_cb cb, void *ctx, socle_err *err)
{
    sqlite3_stmt *s = state < 0
        ? sq_stmt(st, SQ_OUTBOX_ALL, "SELECT " OUTBOX_COLUMNS "ORDER BY o.id", err)
        : sq_stmt(st, SQ_OUTBOX_BY_STATE,
                  "SELECT " OUTBOX_COLUMNS "WHERE o.state = ?1 ORDER BY o.id", err);
    if (s == NULL)
        return -1;
    if (state >= 0)
        sq_bind_text(s, 1, outbox_state_name((outbox_state)state));
    return foreach_row(st, s, cb, ctx, err);
}

int store_outbox_due(store *st, int64_t subscriber_id, const char *now, int limit,
                     store_outbox_cb cb, void *ctx, socle_err *err)
{
    /* ght_id is never 0, so "p.ght_id IN (o.ght_id, 0)" is just equality
     * for a row without a second patient. */
    sqlite3_stmt *s = sq_stmt(st, SQ_OUTBOX_DUE,
        "SELECT " OUTBOX_COLUMNS
        "WHERE o.subscriber_id = ?3 AND o.state = 'pending' AND o.next_attempt_at <= ?1"
        " AND NOT EXISTS (SELECT 1 FROM outbox p"
        "   WHERE p.state = 'pending' AND p.subscriber_id = o.subscriber_id AND p.id < o.id"
        "   AND (p.ght_id IN (o.ght_id, o.other_ght_id)"
        "        OR (p.other_ght_id <> 0 AND p.other_ght_id IN (o.ght_id, o.other_ght_id))))"
        " ORDER BY o.id LIMIT ?2", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, now);
    sqlite3_bind_int(s, 2, limit);
    sqlite3_bind_int64(s, 3, subscriber_id);
    return foreach_row(st, s, cb, ctx, err);
}

static int changed_one(store *st, int64_t id, socle_err *err)
{
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ECONFLICT, "outbox row %lld is not pending", (long long)id);
    return 0;
}

int store_outbox_mark_sent(store *st, int64_t id, const char *at, const char *ack,
                           socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_OUTBOX_SENT,
        "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?2, ack = ?3,"
        " last_error = '' WHERE id = ?1 AND state = 'pending'", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, at);
    sq_bind_text(s, 3, ack);
    if (sq_exec_stmt(st, s, "mark outbox row sent", err) != 0)
        return -1;
    return changed_one(st, id, err);
}

int store_outbox_mark_failed(store *st, int64_t id, const char *error, const char *ack,
                             socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_OUTBOX_FAILED,
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2,"
        " ack = ?3 WHERE id = ?1 AND state = 'pending'", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, error);
    sq_bind_text(s, 3, ack);
    if (sq_exec_stmt(st, s, "mark outbox row failed", err) != 0)
        return -1;
    return changed_one(st, id, err);
}

int store_outbox_mark_retry(store *st, int64_t id, const char *next_attempt_at,
                            const char *error, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_OUTBOX_RETRY,
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3"
        " WHERE id = ?1 AND state = 'pending'", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, next_attempt_at);
    sq_bind_text(s, 3, error);
    if (sq_exec_stmt(st, s, "reschedule outbox row", err) != 0)
        return -1;
    return changed_one(st, id, err);
}

int store_outbox_counts(store *st, int64_t *pending, int64_t *failed, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_OUTBOX_COUNTS,
        "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'),"
        "       (SELECT count(*) FROM outbox WHERE state = 'failed')", err);
    if (s == NULL)
        return -1;
    if (sqlite3_step(s) != SQLITE_ROW) {
        sq_fail(st, err, "outbox counts");
        sqlite3_reset(s);
        return -1;
    }
    *pending = sqlite3_column_int64(s, 0);
    *failed = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return 0;
}

int64_t store_outbox_writes(const store *st)
{
    return atomic_load(&((store *)st)->outbox_writes);
}
