/*
 * sqlite_structure.c - structures of the group and identification domains.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

static const char *const kind_codes[STRUCTURE_KIND_COUNT] = {
    "EJ", "EG", "POLE", "SERVICE", "UF", "CHAMBRE", "LIT",
};

static structure_kind kind_from_text(const char *s)
{
    for (int i = 0; i < STRUCTURE_KIND_COUNT; i++)
        if (s != NULL && strcmp(s, kind_codes[i]) == 0)
            return (structure_kind)i;
    return STRUCTURE_EJ;  /* unreachable: the CHECK constraint holds */
}

#define STRUCT_COLUMNS \
    "s.id, s.kind, s.code, s.label, coalesce(s.parent_id, 0), " \
    "coalesce(p.code, ''), s.finess, s.oid, s.valid_from, s.valid_to " \
    "FROM structure s LEFT JOIN structure p ON p.id = s.parent_id "

static void read_structure(sqlite3_stmt *s, structure_node *n)
{
    memset(n, 0, sizeof *n);
    n->id = sqlite3_column_int64(s, 0);
    n->kind = kind_from_text((const char *)sqlite3_column_text(s, 1));
    sq_column_copy(s, 2, n->code, sizeof n->code);
    sq_column_copy(s, 3, n->label, sizeof n->label);
    n->parent_id = sqlite3_column_int64(s, 4);
    sq_column_copy(s, 5, n->parent_code, sizeof n->parent_code);
    sq_column_copy(s, 6, n->finess, sizeof n->finess);
    sq_column_copy(s, 7, n->oid, sizeof n->oid);
    sq_column_copy(s, 8, n->valid_from, sizeof n->valid_from);
    sq_column_copy(s, 9, n->valid_to, sizeof n->valid_to);
}

static int fetch_structure(store *st, sqlite3_stmt *s, structure_node *out, socle_err *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_structure(s, out);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(st, err, "read structure");
}

int store_structure_find(store *st, const char *code, structure_node *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_STRUCT_FIND,
                              "SELECT " STRUCT_COLUMNS "WHERE s.code = ?1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, code);
    return fetch_structure(st, s, out, err);
}

int store_structure_get(store *st, int64_t id, structure_node *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_STRUCT_GET,
                              "SELECT " STRUCT_COLUMNS "WHERE s.id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return fetch_structure(st, s, out, err);
}

int store_structure_find_finess(store *st, structure_kind kind, const char *finess,
                                structure_node *out, socle_err *err)
{
    if ((unsigned)kind >= STRUCTURE_KIND_COUNT)
        return err_set(err, SOCLE_EINTERNAL, "bad structure kind %d", (int)kind);
    sqlite3_stmt *s = sq_stmt(st, SQ_STRUCT_FIND_FINESS,
        "SELECT " STRUCT_COLUMNS "WHERE s.kind = ?1 AND s.finess = ?2 ORDER BY s.id LIMIT 1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, kind_codes[kind]);
    sq_bind_text(s, 2, finess);
    return fetch_structure(st, s, out, err);
}

static void bind_structure(sqlite3_stmt *s, const structure_node *n)
{
    sq_bind_text(s, 1, kind_codes[n->kind]);
    sq_bind_text(s, 2, n->code);
    sq_bind_text(s, 3, n->label);
    if (n->parent_id > 0)
        sqlite3_bind_int64(s, 4, n->parent_id);
    else
        sqlite3_bind_null(s, 4);
    sq_bind_text(s, 5, n->finess);
    sq_bind_text(s, 6, n->oid);
    sq_bind_text(s, 7, n->valid_from);
    sq_bind_text(s, 8, n->valid_to);
}

int store_structure_insert(store *st, structure_node *n, socle_err *err)
{
    if ((unsigned)n->kind >= STRUCTURE_KIND_COUNT)
        return err_set(err, SOCLE_EINTERNAL, "bad structure kind %d", (int)n->kind);
    sqlite3_stmt *s = sq_stmt(st, SQ_STRUCT_INSERT,
        "INSERT INTO structure(kind, code, label, parent_id, finess, oid, valid_from, valid_to)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
    if (s == NULL)
        return -1;
    bind_structure(s, n);
    if (sq_exec_stmt(st, s, "insert structure", err) != 0)
        return -1;
    n->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_structure_update(store *st, const structure_node *n, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_STRUCT_UPDATE,
        "UPDATE structure SET kind = ?1, code = ?2, label = ?3, parent_id = ?4, finess = ?5,"
        " oid = ?6, valid_from = ?7, valid_to = ?8 WHERE id = ?9", err);
    if (s == NULL)
        return -1;
    bind_structure(s, n);
    sqlite3_bind_int64(s, 9, n->id);
    if (sq_exec_stmt(st, s, "update structure", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ENOTFOUND, "structure %lld not found", (long long)n->id);
    return 0;
}

int store_structure_foreach(store *st, store_structure_cb cb, void *ctx, socle_err *err)
{
    /* Depth-first order through a recursive query, so parents come first. */
    sqlite3_stmt *s = sq_stmt(st, SQ_STRUCT_ALL,
        "WITH RECURSIVE tree(id, path) AS ("
        "  SELECT id, printf('%08d', id) FROM structure WHERE parent_id IS NULL"
        "  UNION ALL"
        "  SELECT c.id, tree.path || '/' || printf('%08d', c.id)"
        "  FROM structure c JOIN tree ON c.parent_id = tree.id"
        ") SELECT " STRUCT_COLUMNS "JOIN tree ON tree.id = s.id ORDER BY tree.path", err);
    if (s == NULL)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        structure_node n;
        read_structure(s, &n);
        if (cb(&n, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "list structures") : 0;
}

/* ---- Identification domains ------------------------------------------ */

#define DOMAIN_COLUMNS "id, kind, oid, name, coalesce(structure_id, 0), finess FROM id_domain "

static int fetch_domain(store *st, sqlite3_stmt *s, id_domain *out, socle_err *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(s, 0);
        const char *kind = (const char *)sqlite3_column_text(s, 1);
        out->kind = (kind && strcmp(kind, "GHT") == 0) ? DOMAIN_GHT : DOMAIN_EJ;
        sq_column_copy(s, 2, out->oid, sizeof out->oid);
        sq_column_copy(s, 3, out->name, sizeof out->name);
        out->structure_id = sqlite3_column_int64(s, 4);
        sq_column_copy(s, 5, out->finess, sizeof out->finess);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(st, err, "read domain");
}

int store_domain_find_oid(store *st, const char *oid, id_domain *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_DOMAIN_FIND_OID,
                              "SELECT " DOMAIN_COLUMNS "WHERE oid = ?1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, oid);
    return fetch_domain(st, s, out, err);
}

int store_domain_find_structure(store *st, int64_t structure_id, id_domain *out,
                                socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_DOMAIN_FIND_STRUCT,
                              "SELECT " DOMAIN_COLUMNS "WHERE structure_id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, structure_id);
    return fetch_domain(st, s, out, err);
}

int store_domain_get(store *st, int64_t id, id_domain *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_DOMAIN_GET, "SELECT " DOMAIN_COLUMNS "WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return fetch_domain(st, s, out, err);
}

int store_domain_ght(store *st, id_domain *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_DOMAIN_GHT,
                              "SELECT " DOMAIN_COLUMNS "WHERE kind = 'GHT' LIMIT 1", err);
    if (s == NULL)
        return -1;
    return fetch_domain(st, s, out, err);
}

int store_domain_save(store *st, id_domain *d, socle_err *err)
{
    sqlite3_stmt *s;
    if (d->id == 0)
        s = sq_stmt(st, SQ_DOMAIN_INSERT,
                    "INSERT INTO id_domain(kind, oid, name, structure_id, finess)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)", err);
    else
        s = sq_stmt(st, SQ_DOMAIN_UPDATE,
                    "UPDATE id_domain SET kind = ?1, oid = ?2, name = ?3, structure_id = ?4,"
                    " finess = ?5 WHERE id = ?6", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, d->kind == DOMAIN_GHT ? "GHT" : "EJ");
    sq_bind_text(s, 2, d->oid);
    sq_bind_text(s, 3, d->name);
    if (d->structure_id > 0)
        sqlite3_bind_int64(s, 4, d->structure_id);
    else
        sqlite3_bind_null(s, 4);
    sq_bind_text(s, 5, d->finess);
    if (d->id != 0)
        sqlite3_bind_int64(s, 6, d->id);
    if (sq_exec_stmt(st, s, "save domain", err) != 0)
        return -1;
    if (d->id == 0)
        d->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}
