/*
 * sqlite_professional.c - the professional directory: professionals and
 * their roles in the group's establishments.
 *
 * The directory is read and written far less than identities, so its
 * statements are prepared per call (sq_prepare_bound) rather than cached.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "util/buf.h"

static const char *const id_types[] = { "RPPS", "ADELI" };

#define PRO_COLUMNS "id, id_type, id_value, civility, family, given, version, updated_at "
#define ROLE_COLUMNS \
    "id, professional_id, ej_id, profession_code, profession_label, specialty_code, " \
    "specialty_label, role "

static void read_pro(sqlite3_stmt *s, professional *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    const char *t = (const char *)sqlite3_column_text(s, 1);
    p->id_type = t && strcmp(t, "ADELI") == 0 ? PRO_ID_ADELI : PRO_ID_RPPS;
    sq_column_copy(s, 2, p->id_value, sizeof p->id_value);
    sq_column_copy(s, 3, p->civility, sizeof p->civility);
    sq_column_copy(s, 4, p->family, sizeof p->family);
    sq_column_copy(s, 5, p->given, sizeof p->given);
    p->version = sqlite3_column_int(s, 6);
    sq_column_copy(s, 7, p->updated_at, sizeof p->updated_at);
}

static void read_role(sqlite3_stmt *s, professional_role *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->professional_id = sqlite3_column_int64(s, 1);
    r->ej_id = sqlite3_column_int64(s, 2);
    sq_column_copy(s, 3, r->profession_code, sizeof r->profession_code);
    sq_column_copy(s, 4, r->profession_label, sizeof r->profession_label);
    sq_column_copy(s, 5, r->specialty_code, sizeof r->specialty_code);
    sq_column_copy(s, 6, r->specialty_label, sizeof r->specialty_label);
    sq_column_copy(s, 7, r->role, sizeof r->role);
}

/* Run sql bound with b; with a row, read it (pro or role) and return 1. */
static int fetch(store *st, const char *sql, const sq_binds *b, professional *pro,
                 professional_role *role, socle_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sq_prepare_bound(st, sql, b, "directory read", &s, err) != 0)
        return -1;
    int rc = sqlite3_step(s), found = 0;
    if (rc == SQLITE_ROW) {
        if (pro != NULL)
            read_pro(s, pro);
        else
            read_role(s, role);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = sq_fail(st, err, "read directory");
    }
    sqlite3_finalize(s);
    return found;
}

/* Run a statement that returns no row. */
static int exec(store *st, const char *sql, const sq_binds *b, const char *what,
                socle_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sq_prepare_bound(st, sql, b, what, &s, err) != 0)
        return -1;
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : sq_fail(st, err, what);
    sqlite3_finalize(s);
    return rc;
}

int store_professional_find(store *st, professional_id_type type, const char *value,
                            professional *out, socle_err *err)
{
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "SELECT " PRO_COLUMNS "FROM professional WHERE 1");
    sq_binds_text(&b, &sql, " AND id_type = ?", id_types[type == PRO_ID_ADELI]);
    sq_binds_text(&b, &sql, " AND id_value = ?", value);
    int rc = fetch(st, buf_cstr(&sql), &b, out, NULL, err);
    buf_free(&sql);
    return rc;
}

int store_professional_get(store *st, int64_t id, professional *out, socle_err *err)
{
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "SELECT " PRO_COLUMNS "FROM professional WHERE 1");
    sq_binds_num(&b, &sql, " AND id = ?", id);
    int rc = fetch(st, buf_cstr(&sql), &b, out, NULL, err);
    buf_free(&sql);
    return rc;
}

static void bind_pro(sq_binds *b, buf *sql, const professional *p, const char *norm_family,
                     const char *norm_given)
{
    sq_binds_text(b, sql, "?", id_types[p->id_type == PRO_ID_ADELI]);
    sq_binds_text(b, sql, ", ?", p->id_value);
    sq_binds_text(b, sql, ", ?", p->civility);
    sq_binds_text(b, sql, ", ?", p->family);
    sq_binds_text(b, sql, ", ?", p->given);
    sq_binds_text(b, sql, ", ?", norm_family);
    sq_binds_text(b, sql, ", ?", norm_given);
    sq_binds_text(b, sql, ", ?", p->updated_at);
}

int store_professional_insert(store *st, professional *p, const char *norm_family,
                              const char *norm_given, socle_err *err)
{
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "INSERT INTO professional(id_type, id_value, civility, family, given,"
                   " norm_family, norm_given, updated_at, version) VALUES (");
    bind_pro(&b, &sql, p, norm_family, norm_given);
    buf_puts(&sql, ", 1)");
    int rc = exec(st, buf_cstr(&sql), &b, "insert professional", err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    p->id = sqlite3_last_insert_rowid(st->db);
    p->version = 1;
    return 0;
}

int store_professional_update(store *st, professional *p, const char *norm_family,
                              const char *norm_given, socle_err *err)
{
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "UPDATE professional SET (id_type, id_value, civility, family, given,"
                   " norm_family, norm_given, updated_at) = (");
    bind_pro(&b, &sql, p, norm_family, norm_given);
    buf_puts(&sql, "), version = version + 1");
    sq_binds_num(&b, &sql, " WHERE id = ?", p->id);
    sq_binds_num(&b, &sql, " AND version = ?", p->version);
    int rc = exec(st, buf_cstr(&sql), &b, "update professional", err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ECONFLICT, "professional %lld changed meanwhile",
                       (long long)p->id);
    p->version++;
    return 0;
}

int store_pro_role_find(store *st, const professional_role *key, professional_role *out,
                        socle_err *err)
{
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "SELECT " ROLE_COLUMNS "FROM professional_role WHERE 1");
    sq_binds_num(&b, &sql, " AND professional_id = ?", key->professional_id);
    sq_binds_num(&b, &sql, " AND ej_id = ?", key->ej_id);
    sq_binds_text(&b, &sql, " AND profession_code = ?", key->profession_code);
    sq_binds_text(&b, &sql, " AND specialty_code = ?", key->specialty_code);
    sq_binds_text(&b, &sql, " AND role = ?", key->role);
    int rc = fetch(st, buf_cstr(&sql), &b, NULL, out, err);
    buf_free(&sql);
    return rc;
}

int store_pro_role_get(store *st, int64_t id, professional_role *out, socle_err *err)
{
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "SELECT " ROLE_COLUMNS "FROM professional_role WHERE 1");
    sq_binds_num(&b, &sql, " AND id = ?", id);
    int rc = fetch(st, buf_cstr(&sql), &b, NULL, out, err);
    buf_free(&sql);
    return rc;
}

int store_pro_role_insert(store *st, professional_role *r, socle_err *err)
{
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "INSERT INTO professional_role(professional_id, ej_id, profession_code,"
                   " profession_label, specialty_code, specialty_label, role) VALUES (");
    sq_binds_num(&b, &sql, "?", r->professional_id);
    sq_binds_num(&b, &sql, ", ?", r->ej_id);
    sq_binds_text(&b, &sql, ", ?", r->profession_code);
    sq_binds_text(&b, &sql, ", ?", r->profession_label);
    sq_binds_text(&b, &sql, ", ?", r->specialty_code);
    sq_binds_text(&b, &sql, ", ?", r->specialty_label);
    sq_binds_text(&b, &sql, ", ?)", r->role);
    int rc = exec(st, buf_cstr(&sql), &b, "insert professional role", err);
    buf_free(&sql);
    if (rc == 0)
        r->id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int store_pro_role_update(store *st, const professional_role *r, socle_err *err)
{
    /* The key columns stay; only the labels change. */
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "UPDATE professional_role SET");
    sq_binds_text(&b, &sql, " profession_label = ?", r->profession_label);
    sq_binds_text(&b, &sql, ", specialty_label = ?", r->specialty_label);
    sq_binds_num(&b, &sql, " WHERE id = ?", r->id);
    int rc = exec(st, buf_cstr(&sql), &b, "update professional role", err);
    buf_free(&sql);
    return rc;
}

/* "v%" for LIKE, v's own % _ \ escaped (ESCAPE '\'). */
static void like_prefix(const char *v, buf *out)
{
    for (; *v != '\0'; v++) {
        if (*v == '%' || *v == '_' || *v == '\\')
            buf_putc(out, '\\');
        buf_putc(out, *v);
    }
    buf_putc(out, '%');
}

static void pro_criteria(int roles, const store_pro_query *q, const char *family,
                         const char *name, buf *sql, sq_binds *b)
{
    /* Professionals are "p"; with roles, the role rows are "r". */
    if (q->id != 0)
        sq_binds_num(b, sql, roles ? " AND r.id = ?" : " AND p.id = ?", q->id);
    if (q->id_value[0] != '\0') {
        if (q->id_type >= 0)
            sq_binds_text(b, sql, " AND p.id_type = ?", id_types[q->id_type == PRO_ID_ADELI]);
        sq_binds_text(b, sql, " AND p.id_value = ?", q->id_value);
    }
    if (family != NULL)
        sq_binds_text(b, sql, " AND p.norm_family LIKE ? ESCAPE '\\'", family);
    if (name != NULL) {
        sq_binds_text(b, sql, " AND (p.norm_family LIKE ? ESCAPE '\\'", name);
        sq_binds_text(b, sql, " OR p.norm_given LIKE ? ESCAPE '\\')", name);
    }
    if (q->professional_id != 0)
        sq_binds_num(b, sql, " AND p.id = ?", q->professional_id);
    if (q->ej_id != 0)
        sq_binds_num(b, sql, roles ? " AND r.ej_id = ?"
                                   : " AND p.id IN (SELECT professional_id FROM"
                                     " professional_role WHERE ej_id = ?)", q->ej_id);
}

int store_pro_search(store *st, int roles, const store_pro_query *q, size_t max, int64_t *ids,
                     size_t *n, int64_t *total, socle_err *err)
{
    *n = 0;
    *total = 0;
    buf family = { 0 }, name = { 0 };
    if (q->norm_family[0] != '\0')
        like_prefix(q->norm_family, &family);
    if (q->norm_name[0] != '\0')
        like_prefix(q->norm_name, &name);
    const char *key = roles ? "r.id" : "p.id";
    const char *from = roles ? " FROM professional_role r JOIN professional p"
                               " ON p.id = r.professional_id WHERE 1"
                             : " FROM professional p WHERE 1";
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        sq_binds b = { .n = 0 };
        buf sql = { 0 };
        buf_printf(&sql, "SELECT %s%s", pass == 0 ? "count(*)" : key, from);
        pro_criteria(roles, q, family.len ? buf_cstr(&family) : NULL,
                     name.len ? buf_cstr(&name) : NULL, &sql, &b);
        if (pass == 1) {
            sq_binds_num(&b, &sql, roles ? " AND r.id > ?" : " AND p.id > ?", q->after_id);
            sq_binds_num(&b, &sql, roles ? " ORDER BY r.id LIMIT ?" : " ORDER BY p.id LIMIT ?",
                         (int64_t)max);
        }
        sqlite3_stmt *s = NULL;
        rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "directory search", &s, err);
        buf_free(&sql);
        if (rc != 0)
            break;
        int step;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(s, 0);
            else if (*n < max)
                ids[(*n)++] = sqlite3_column_int64(s, 0);
        }
        if (step != SQLITE_DONE)
            rc = sq_fail(st, err, "search directory");
        sqlite3_finalize(s);
    }
    buf_free(&family);
    buf_free(&name);
    return rc;
}
