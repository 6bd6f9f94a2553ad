/*
 * sqlite_query.c - statements built at run time from fixed fragments, with
 * every value bound (sqlite_internal.h: sq_binds).
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdlib.h>

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
