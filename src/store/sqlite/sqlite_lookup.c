/*
 * sqlite_lookup.c - reads for the FHIR interface: identities merged into
 * one (store_ght_absorbed) and the search of stays (store_stay_search).
 *
 * The stay search is built like the identity search (sqlite_search.c):
 * fixed fragments for the criteria present, every value bound, prepared
 * per search so that SQLite picks the index of the criteria used.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "util/buf.h"

int store_ght_absorbed(store *st, int64_t ght_id, int64_t *ids, size_t max, size_t *n,
                       socle_err *err)
{
    *n = 0;
    sqlite3_stmt *q = sq_stmt(st, SQ_GHT_ABSORBED,
        "SELECT id FROM ght_identity WHERE merged_into = ?1 AND state = 'MERGED'"
        " ORDER BY id", err);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, ght_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(q, 0);
    int failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_reset(q);
    return failed ? sq_fail(st, err, "list merged identities") : 0;
}

static const char *const status_codes[] = {
    "planned", "in-progress", "finished", "cancelled",
};

static void stay_criteria(const store_stay_query *q, buf *sql, sq_binds *b)
{
    if (q->ght_id != 0)
        sq_binds_num(b, sql, " AND s.local_id IN (SELECT local_id FROM identity_link"
                        " WHERE ght_id = ? AND state = 'ACTIVE')", q->ght_id);
    if (q->nda[0] != '\0') {
        if (q->domain_id > 0)
            sq_binds_num(b, sql, " AND s.domain_id = ?", q->domain_id);
        else
            buf_puts(sql, " AND s.domain_id IN (SELECT id FROM id_domain)");
        sq_binds_text(b, sql, " AND s.nda = ?", q->nda);
    }
    if (q->status_mask != 0) {
        buf_puts(sql, " AND s.status IN (''");
        for (int i = 0; i < 4; i++)
            if (q->status_mask & (1u << i))
                sq_binds_text(b, sql, ", ?", status_codes[i]);
        buf_puts(sql, ")");
    }
    if (q->from[0] != '\0' || q->to[0] != '\0')
        buf_puts(sql, " AND s.admit_at <> ''");
    if (q->from[0] != '\0')
        sq_binds_text(b, sql, " AND (s.discharge_at = '' OR s.discharge_at >= ?)", q->from);
    if (q->to[0] != '\0')
        sq_binds_text(b, sql, " AND s.admit_at <= ?", q->to);
    if (q->updated_from[0] != '\0')
        sq_binds_text(b, sql, " AND s.updated_at >= ?", q->updated_from);
    if (q->updated_before[0] != '\0')
        sq_binds_text(b, sql, " AND s.updated_at < ?", q->updated_before);
    if (q->restrict_domains) {
        buf_puts(sql, " AND s.domain_id IN (0");
        for (size_t i = 0; i < q->n_in_domains && i < STORE_STAY_DOMAINS_MAX; i++)
            sq_binds_num(b, sql, ", ?", q->in_domains[i]);
        buf_puts(sql, ")");
    }
}

int store_stay_search(store *st, const store_stay_query *q, size_t max, int64_t *ids,
                      size_t *n, int64_t *total, socle_err *err)
{
    *n = 0;
    if (total != NULL)
        *total = 0;
    for (int pass = total != NULL ? 0 : 1; pass < 2; pass++) {
        sq_binds b = { .n = 0 };
        buf sql = { 0 };
        buf_puts(&sql, pass == 0 ? "SELECT count(*) FROM stay s WHERE 1"
                                 : "SELECT s.id FROM stay s WHERE 1");
        stay_criteria(q, &sql, &b);
        if (pass == 1 && q->sort == 0) {
            sq_binds_num(&b, &sql, " AND s.id > ?", q->after_id);
            sq_binds_num(&b, &sql, " ORDER BY s.id LIMIT ?", (int64_t)max);
        } else if (pass == 1) {
            /* Stays never admitted have no date: they come last either way. */
            buf_puts(&sql, q->sort < 0 ? " ORDER BY s.admit_at = '', s.admit_at DESC, s.id"
                                       : " ORDER BY s.admit_at = '', s.admit_at, s.id");
            sq_binds_num(&b, &sql, " LIMIT ?", (int64_t)max);
            sq_binds_num(&b, &sql, " OFFSET ?", q->offset);
        }
        sqlite3_stmt *s = NULL;
        int rc = sq_prepare_bound(st, buf_cstr(&sql), &b, "stay search", &s, err);
        buf_free(&sql);
        if (rc != 0)
            return -1;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(s, 0);
            else if (*n < max)
                ids[(*n)++] = sqlite3_column_int64(s, 0);
        }
        if (rc != SQLITE_DONE) {
            sq_fail(st, err, "search stays");
            sqlite3_finalize(s);
            return -1;
        }
        sqlite3_finalize(s);
    }
    return 0;
}
