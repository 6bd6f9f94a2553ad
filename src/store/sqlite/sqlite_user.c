/*
 * sqlite_user.c - workbench accounts and sessions (store.h).
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#define USER_COLUMNS "id, login, password_hash, role, establishments, failed_attempts," \
                     " locked_until, active, created_at"

static void read_user(sqlite3_stmt *s, user_account *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(s, 0);
    sq_column_copy(s, 1, u->login, sizeof u->login);
    sq_column_copy(s, 2, u->password_hash, sizeof u->password_hash);
    sq_column_copy(s, 3, u->role, sizeof u->role);
    sq_column_copy(s, 4, u->establishments, sizeof u->establishments);
    u->failed_attempts = sqlite3_column_int(s, 5);
    u->locked_until = sqlite3_column_int64(s, 6);
    u->active = sqlite3_column_int(s, 7);
    sq_column_copy(s, 8, u->created_at, sizeof u->created_at);
}

int store_user_insert(store *st, user_account *u, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_USER_INSERT,
        "INSERT INTO app_user(login, password_hash, role, establishments, failed_attempts,"
        " locked_until, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, u->login);
    sq_bind_text(s, 2, u->password_hash);
    sq_bind_text(s, 3, u->role);
    sq_bind_text(s, 4, u->establishments);
    sqlite3_bind_int(s, 5, u->failed_attempts);
    sqlite3_bind_int64(s, 6, u->locked_until);
    sqlite3_bind_int(s, 7, u->active);
    sq_bind_text(s, 8, u->created_at);
    if (sq_exec_stmt(st, s, "add user", err) != 0)
        return -1;
    u->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

static int find_one(store *st, sqlite3_stmt *s, user_account *out, const char *what,
                    socle_err *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_user(s, out);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, what);
}

int store_user_find(store *st, const char *login, user_account *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_USER_FIND,
        "SELECT " USER_COLUMNS " FROM app_user WHERE login = ?1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, login);
    return find_one(st, s, out, "find user", err);
}

int store_user_get(store *st, int64_t id, user_account *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_USER_GET,
        "SELECT " USER_COLUMNS " FROM app_user WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return find_one(st, s, out, "get user", err);
}

int store_user_set_lock(store *st, int64_t id, int failed_attempts, int64_t locked_until,
                        socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_USER_SET_LOCK,
        "UPDATE app_user SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, failed_attempts);
    sqlite3_bind_int64(s, 3, locked_until);
    return sq_exec_stmt(st, s, "update user lock-out", err);
}

int store_user_foreach(store *st, store_user_cb cb, void *ctx, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_USER_ALL,
        "SELECT " USER_COLUMNS " FROM app_user ORDER BY login", err);
    if (s == NULL)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        user_account u;
        read_user(s, &u);
        if (cb(&u, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "list users") : 0;
}

int store_session_insert(store *st, user_session *se, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_SESSION_INSERT,
        "INSERT INTO web_session(token_hash, user_id, csrf, created_at, expires_at, last_seen)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, se->token_hash);
    sqlite3_bind_int64(s, 2, se->user_id);
    sq_bind_text(s, 3, se->csrf);
    sqlite3_bind_int64(s, 4, se->created_at);
    sqlite3_bind_int64(s, 5, se->expires_at);
    sqlite3_bind_int64(s, 6, se->last_seen);
    if (sq_exec_stmt(st, s, "create session", err) != 0)
        return -1;
    se->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_session_find(store *st, const char *token_hash, user_session *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_SESSION_FIND,
        "SELECT id, token_hash, user_id, csrf, created_at, expires_at, last_seen"
        " FROM web_session WHERE token_hash = ?1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, token_hash);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(s, 0);
        sq_column_copy(s, 1, out->token_hash, sizeof out->token_hash);
        out->user_id = sqlite3_column_int64(s, 2);
        sq_column_copy(s, 3, out->csrf, sizeof out->csrf);
        out->created_at = sqlite3_column_int64(s, 4);
        out->expires_at = sqlite3_column_int64(s, 5);
        out->last_seen = sqlite3_column_int64(s, 6);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "find session");
}

int store_session_touch(store *st, int64_t id, int64_t last_seen, int64_t expires_at,
                        socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_SESSION_TOUCH,
        "UPDATE web_session SET last_seen = ?2, expires_at = ?3 WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, last_seen);
    sqlite3_bind_int64(s, 3, expires_at);
    return sq_exec_stmt(st, s, "touch session", err);
}

int store_session_delete(store *st, const char *token_hash, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_SESSION_DELETE,
        "DELETE FROM web_session WHERE token_hash = ?1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, token_hash);
    if (sq_exec_stmt(st, s, "end session", err) != 0)
        return -1;
    return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_session_purge(store *st, int64_t now, int64_t *removed, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_SESSION_PURGE,
        "DELETE FROM web_session WHERE expires_at <= ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, now);
    if (sq_exec_stmt(st, s, "purge sessions", err) != 0)
        return -1;
    if (removed)
        *removed = sqlite3_changes(st->db);
    return 0;
}
