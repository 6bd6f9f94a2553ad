/*
 * sqlite_directory.c - reads for the directory resources of the FHIR
 * interface: the search of structures (Location, Organization) and the
 * occupancy of beds.
 *
 * Built like the stay search (sqlite_lookup.c): fixed fragments for the
 * criteria present, every value bound, prepared per search.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "util/buf.h"

static const char *const kind_codes[STRUCTURE_KIND_COUNT] = {
    "EJ", "EG", "POLE", "SERVICE", "UF", "CHAMBRE", "LIT",
};

/* The LIKE pattern "v%" with v's own % _ and \ escaped (ESCAPE '\'). */
static void like_prefix(const char *v, buf *out)
{
    for (; *v != '\0'; v++) {
        if (*v == '%' || *v == '_' || *v == '\\')
            buf_putc(out, '\\');
        buf_putc(out, *v);
    }
    buf_putc(out, '%');
}

static void structure_criteria(const store_structure_query *q, const char *pattern,
                               buf *sql, sq_binds *b)
{
    if (q->id != 0)
        sq_binds_num(b, sql, " AND s.id = ?", q->id);
    if (q->kind_mask != 0) {
        buf_puts(sql, " AND s.kind IN (''");
        for (int i = 0; i < STRUCTURE_KIND_COUNT; i++)
            if (q->kind_mask & (1u << i))
                sq_binds_text(b, sql, ", ?", kind_codes[i]);
        buf_puts(sql, ")");
    }
    if (q->code[0] != '\0')
        sq_binds_text(b, sql, " AND s.code = ?", q->code);
    if (q->finess[0] != '\0')
        sq_binds_text(b, sql, " AND s.finess = ?", q->finess);
    if (q->code_or_finess[0] != '\0') {
        sq_binds_text(b, sql, " AND (s.code = ?", q->code_or_finess);
        sq_binds_text(b, sql, " OR s.finess = ?)", q->code_or_finess);
    }
    if (pattern != NULL)
        sq_binds_text(b, sql, " AND s.label LIKE ? ESCAPE '\\'", pattern);
    if (q->parent_id != 0)
        sq_binds_num(b, sql, " AND s.parent_id = ?", q->parent_id);
}

int store_structure_search(store *st, const store_structure_query *q, size_t max,
                           int64_t *ids, size_t *n, int64_t *total, socle_err *err)
{
    *n = 0;
    *total = 0;
    buf pattern = { 0 };
    if (q->name[0] != '\0')
        like_prefix(q->name, &pattern);
    const char *pat = q->name[0] != '\0' ? buf_cstr(&pattern) : NULL;
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        sq_binds b = { .n = 0 };
        buf sql = { 0 };
        buf_puts(&sql, pass == 0 ? "SELECT count(*) FROM structure s WHERE 1"
                                 : "SELECT s.id FROM structure s WHERE 1");
        structure_criteria(q, pat, &sql, &b);
        if (pass == 1) {
            sq_binds_num(&b, &sql, " AND s.id > ?", q->after_id);
            sq_binds_num(&b, &sql, " ORDER BY s.id LIMIT ?", (int64_t)max);
        }
        sqlite3_stmt *s = NULL;
        rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "structure search", &s, err);
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
            rc = sq_fail(st, err, "search structures");
        sqlite3_finalize(s);
    }
    buf_free(&pattern);
    return rc;
}

int store_bed_occupancy(store *st, int64_t bed_id, int64_t *count, socle_err *err)
{
    *count = 0;
    sqlite3_stmt *s = NULL;
    sq_binds b = { .n = 0 };
    buf sql = { 0 };
    buf_puts(&sql, "SELECT count(*) FROM stay WHERE status = 'in-progress'");
    sq_binds_num(&b, &sql, " AND bed_id = ?", bed_id);
    int rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "bed occupancy", &s, err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        *count = sqlite3_column_int64(s, 0);
    else
        rc = sq_fail(st, err, "bed occupancy");
    sqlite3_finalize(s);
    return rc;
}
