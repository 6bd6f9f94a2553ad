/*
 * sqlite_stats.c - the aggregates of the dashboard and the occupancy of
 * beds (store.h: "Aggregates for the dashboard", "Bed occupancy").
 *
 * The aggregate statements depend on the scope (a list of domains of any
 * length), so they are built from fixed fragments with every value bound
 * (sq_binds) and prepared per call, like the searches. Each is meant to be
 * answered from an index (migration 9): grouping local identities reads
 * the (domain_id, status) index only, the daily series range-scan their
 * date columns.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "util/buf.h"

static const char *const status_codes[] = { "PROV", "RECUP", "VALI", "QUAL" };

static int status_from_text(const char *s, rniv_status *out)
{
    for (int i = 0; i < 4; i++)
        if (s != NULL && strcmp(s, status_codes[i]) == 0) {
            *out = (rniv_status)i;
            return 0;
        }
    return -1;
}

/* " AND <column> IN (?, ...)" for a restricted scope; an empty restricted
 * scope matches nothing. */
static void scope_clause(sq_binds *b, buf *sql, const char *column, const store_scope *sc)
{
    if (sc == NULL || !sc->restricted)
        return;
    if (sc->n_domains == 0) {
        buf_puts(sql, " AND 0");
        return;
    }
    buf_printf(sql, " AND %s IN (", column);
    size_t n = sc->n_domains < STORE_SCOPE_DOMAINS_MAX ? sc->n_domains : STORE_SCOPE_DOMAINS_MAX;
    for (size_t i = 0; i < n; i++)
        sq_binds_num(b, sql, i == 0 ? "?" : ", ?", sc->domains[i]);
    buf_puts(sql, ")");
}

static int prepare(store *st, buf *sql, const sq_binds *b, const char *what,
                   sqlite3_stmt **out, socle_err *err)
{
    int rc = sq_prepare_bound(st, buf_cstr(sql), b, what, out, err);
    buf_free(sql);
    return rc;
}

static int finish(store *st, sqlite3_stmt *s, int rc, const char *what, socle_err *err)
{
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    if (failed)
        sq_fail(st, err, what);
    sqlite3_finalize(s);
    return failed ? -1 : 0;
}

int store_stat_local_status(store *st, const store_scope *scope, store_status_count_cb cb,
                            void *ctx, socle_err *err)
{
    /* Those merged away by their source (A40) are subtracted rather than
     * excluded row by row, so that the big count stays an index scan; the
     * few local merges drive the subtraction (CROSS JOIN fixes the order). */
    buf sql = {0};
    sq_binds b = {0};
    buf_puts(&sql, "SELECT domain_id, status, sum(n) FROM ("
                   " SELECT l.domain_id, l.status, count(*) AS n FROM local_identity l"
                   " WHERE 1");
    scope_clause(&b, &sql, "l.domain_id", scope);
    buf_puts(&sql, " GROUP BY l.domain_id, l.status"
                   " UNION ALL"
                   " SELECT l.domain_id, l.status, -count(*) FROM local_merge m"
                   " CROSS JOIN local_identity l ON l.id = m.absorbed_local_id"
                   " WHERE m.undone = 0");
    scope_clause(&b, &sql, "l.domain_id", scope);
    buf_puts(&sql, " GROUP BY l.domain_id, l.status"
                   ") GROUP BY domain_id, status HAVING sum(n) > 0 ORDER BY domain_id, status");
    sqlite3_stmt *s;
    if (prepare(st, &sql, &b, "count identities by status", &s, err) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        rniv_status status;
        if (status_from_text((const char *)sqlite3_column_text(s, 1), &status) != 0)
            continue;  /* unreachable: the CHECK constraint holds */
        if (cb(sqlite3_column_int64(s, 0), status, sqlite3_column_int64(s, 2), ctx) != 0)
            break;
    }
    return finish(st, s, rc, "count identities by status", err);
}

static int one_count(store *st, buf *sql, const sq_binds *b, const char *what, int64_t *out,
                     socle_err *err)
{
    sqlite3_stmt *s;
    if (prepare(st, sql, b, what, &s, err) != 0)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    return finish(st, s, rc, what, err);
}

int store_stat_ght(store *st, const store_scope *scope, int64_t *active, int64_t *multi,
                   socle_err *err)
{
    buf sql = {0};
    sq_binds b = {0};
    if (scope == NULL || !scope->restricted) {
        buf_puts(&sql, "SELECT count(*) FROM ght_identity WHERE state = 'ACTIVE'");
    } else {
        buf_puts(&sql, "SELECT count(DISTINCT k.ght_id) FROM identity_link k"
                       " JOIN local_identity l ON l.id = k.local_id WHERE k.state = 'ACTIVE'");
        scope_clause(&b, &sql, "l.domain_id", scope);
    }
    if (one_count(st, &sql, &b, "count GHT identities", active, err) != 0)
        return -1;

    /* A local identity merged away has no active link any more, so it is
     * left out here by the join itself. */
    memset(&b, 0, sizeof b);
    buf_puts(&sql, "SELECT count(DISTINCT ght_id) FROM ("
                   " SELECT k.ght_id FROM identity_link k"
                   " JOIN local_identity l ON l.id = k.local_id WHERE k.state = 'ACTIVE'");
    scope_clause(&b, &sql, "l.domain_id", scope);
    buf_puts(&sql, " GROUP BY k.ght_id, l.domain_id HAVING count(*) > 1)");
    return one_count(st, &sql, &b, "count GHT identities with two IPPs in one domain", multi,
                     err);
}

int store_stat_daily(store *st, store_series series, const store_scope *scope,
                     const char *since_day, store_day_count_cb cb, void *ctx,
                     socle_err *err)
{
    buf sql = {0};
    sq_binds b = {0};
    /* A merge is in scope when either identity holds or held a local
     * identity of the scope (ended links count: a merge ends links). */
    static const char merge_scope[] =
        " AND EXISTS (SELECT 1 FROM identity_link k JOIN local_identity l ON l.id = k.local_id"
        " WHERE k.ght_id IN (m.survivor_id, m.absorbed_id)";
    int scoped = scope != NULL && scope->restricted;
    switch (series) {
    case STORE_SERIES_MERGES:
        sq_binds_text(&b, &sql, "SELECT substr(m.at, 1, 10) AS day, count(*)"
                      " FROM identity_merge m WHERE m.at >= ?", since_day);
        break;
    case STORE_SERIES_UNMERGES:
        sq_binds_text(&b, &sql, "SELECT substr(m.undone_at, 1, 10) AS day, count(*)"
                      " FROM identity_merge m WHERE m.undone = 1 AND m.undone_at >= ?",
                      since_day);
        break;
    case STORE_SERIES_MOVEMENTS:
        /* The pre-admission (A05) plans a stay: it is not a movement. */
        sq_binds_text(&b, &sql, "SELECT substr(v.effective_at, 1, 10) AS day, count(*)"
                      " FROM movement v WHERE v.action = 'INSERT' AND v.state = 'active'"
                      " AND v.effective_at >= ?", since_day);
        buf_puts(&sql, " AND v.trigger_event <> 'A05'");
        scope_clause(&b, &sql, "v.domain_id", scope);
        break;
    default:
        return err_set(err, SOCLE_EINTERNAL, "bad series %d", (int)series);
    }
    if (scoped && series != STORE_SERIES_MOVEMENTS) {
        buf_puts(&sql, merge_scope);
        scope_clause(&b, &sql, "l.domain_id", scope);
        buf_puts(&sql, ")");
    }
    buf_puts(&sql, " GROUP BY day ORDER BY day");
    sqlite3_stmt *s;
    if (prepare(st, &sql, &b, "count by day", &s, err) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        char day[SOCLE_DATE_MAX];
        sq_column_copy(s, 0, day, sizeof day);
        if (cb(day, sqlite3_column_int64(s, 1), ctx) != 0)
            break;
    }
    return finish(st, s, rc, "count by day", err);
}

int store_stat_alerts(store *st, const store_scope *scope, store_alert_count_cb cb,
                      void *ctx, socle_err *err)
{
    buf sql = {0};
    sq_binds b = {0};
    buf_puts(&sql, "SELECT a.kind, sum(a.closed_at = ''), count(*) FROM quality_alert a");
    if (scope != NULL && scope->restricted) {
        buf_puts(&sql, " JOIN local_identity l ON l.id = a.local_id WHERE 1");
        scope_clause(&b, &sql, "l.domain_id", scope);
    }
    buf_puts(&sql, " GROUP BY a.kind ORDER BY a.kind");
    sqlite3_stmt *s;
    if (prepare(st, &sql, &b, "count quality alerts", &s, err) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        char kind[32];
        sq_column_copy(s, 0, kind, sizeof kind);
        if (cb(kind, sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2), ctx) != 0)
            break;
    }
    return finish(st, s, rc, "count quality alerts", err);
}

int store_bed_occupants(store *st, store_occupant_cb cb, void *ctx, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_BED_OCCUPANTS,
        "SELECT s.bed_id, s.id, s.domain_id, s.local_id, l.ipp, s.nda, s.admit_at, s.on_leave,"
        " coalesce(k.ght_id, 0)"
        " FROM stay s JOIN local_identity l ON l.id = s.local_id"
        " LEFT JOIN identity_link k ON k.local_id = s.local_id AND k.state = 'ACTIVE'"
        " WHERE s.status = 'in-progress' AND s.bed_id IS NOT NULL"
        " ORDER BY s.bed_id, s.id", err);
    if (s == NULL)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        bed_occupant o;
        memset(&o, 0, sizeof o);
        o.bed_id = sqlite3_column_int64(s, 0);
        o.stay_id = sqlite3_column_int64(s, 1);
        o.domain_id = sqlite3_column_int64(s, 2);
        o.local_id = sqlite3_column_int64(s, 3);
        sq_column_copy(s, 4, o.ipp, sizeof o.ipp);
        sq_column_copy(s, 5, o.nda, sizeof o.nda);
        sq_column_copy(s, 6, o.admit_at, sizeof o.admit_at);
        o.on_leave = sqlite3_column_int(s, 7);
        o.ght_id = sqlite3_column_int64(s, 8);
        if (cb(&o, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "list bed occupants") : 0;
}
