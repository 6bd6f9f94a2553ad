/*
 * sqlite_query.c - statements built at run time from fixed fragments, with
 * every value bound (sqlite_internal.h: sq_binds).
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

static void add(sq_binds *b, buf *sql, const char *fragment, const char *text, int64_t num)
{
    if (b->n == SQ_BINDS_MAX)
        abort();  /* the callers bound their criteria well below this */
    buf_puts(sql, fragment);
    b->text[b->n] = text;
    b->num[b->n++] = num;
}

void sq_binds_text(sq_binds *b, buf *sql, const char *fragment, const char *v)
{
    add(b, sql, fragment, v, 0);
}

void sq_binds_num(sq_binds *b, buf *sql, const char *fragment, int64_t v)
{
    add(b, sql, fragment, NULL, v);
}

int sq_prepare_bound(store *st, const char *sql, const sq_binds *b, const char *what,
                     sqlite3_stmt **out, socle_err *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
        err_set(err, SOCLE_EINTERNAL, "prepare %s: %s", what, sqlite3_errmsg(st->db));
        sqlite3_finalize(*out);
        *out = NULL;
        return -1;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->text[i] != NULL)
            sq_bind_text(*out, (int)i + 1, b->text[i]);
        else
            sqlite3_bind_int64(*out, (int)i + 1, b->num[i]);
    }
    return 0;
}

static void bind_all(sqlite3_stmt *s, const sq_binds *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (b->text[i] != NULL)
            sq_bind_text(s, (int)i + 1, b->text[i]);
        else
            sqlite3_bind_int64(s, (int)i + 1, b->num[i]);
    }
}

int sq_prepare_cached(store *st, const char *sql, const sq_binds *b, const char *what,
                      sqlite3_stmt **out, socle_err *err)
{
    struct sq_cached *victim = NULL;
    for (int i = 0; i < SQ_DYN_CACHE; i++) {
        struct sq_cached *c = &st->dyn[i];
        if (c->sql != NULL && !c->lent && strcmp(c->sql, sql) == 0) {
            c->lent = 1;
            c->used = ++st->dyn_clock;
            bind_all(c->stmt, b);
            *out = c->stmt;
            return 0;
        }
        if (!c->lent && (victim == NULL || c->sql == NULL
                         || (victim->sql != NULL && c->used < victim->used)))
            victim = c;
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        err_set(err, SOCLE_EINTERNAL, "prepare %s: %s", what, sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
        *out = NULL;
        return -1;
    }
    char *copy = victim != NULL ? strdup(sql) : NULL;
    if (copy != NULL) {   /* else every slot is lent: s stays uncached */
        sqlite3_finalize(victim->stmt);
        free(victim->sql);
        *victim = (struct sq_cached){ .sql = copy, .stmt = s, .used = ++st->dyn_clock,
                                      .lent = 1 };
    }
    bind_all(s, b);
    *out = s;
    return 0;
}

void sq_release(store *st, sqlite3_stmt *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < SQ_DYN_CACHE; i++) {
        if (st->dyn[i].stmt == s && st->dyn[i].lent) {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            st->dyn[i].lent = 0;
            return;
        }
    }
    sqlite3_finalize(s);
}

void sq_cache_clear(store *st)
{
    for (int i = 0; i < SQ_DYN_CACHE; i++) {
        sqlite3_finalize(st->dyn[i].stmt);
        free(st->dyn[i].sql);
        st->dyn[i] = (struct sq_cached){ 0 };
    }
}
