/*
 * sqlite_search.c - the search of identities by their traits and
 * identifiers (store_search_ght), for the query interfaces.
 *
 * The statement is built from fixed fragments for the criteria present
 * and every value is bound, never spliced: one statement per combination
 * of criteria, each able to use its index (a single statement for all
 * would need "(? = '' OR col = ?)" terms, which SQLite cannot answer from
 * an index, and a search of a GHT's millions of identities must use them).
 * The combinations in use stay prepared in the handle's cache
 * (sq_prepare_cached). Indexes: migration 4 (used name, birth date), 16
 * (birth date with both names: family + birthdate from the index alone).
 *
 * Names are compared as range scans on the normalised columns, so that a
 * prefix search uses the same index as an exact one: "DUP*" is
 * norm >= 'DUP' AND norm < 'DUQ'.
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"


typedef struct binds {
    sq_binds q;
    char scratch[8][SOCLE_GIVENS_MAX + 4];  /* values we derived */
    size_t n_scratch;
} binds;

static void bind_text(binds *b, buf *sql, const char *fragment, const char *v)
{
    sq_binds_text(&b->q, sql, fragment, v);
}

static void bind_num(binds *b, buf *sql, const char *fragment, int64_t v)
{
    sq_binds_num(&b->q, sql, fragment, v);
}

/* A derived value kept alive until the statement is bound. */
static const char *keep(binds *b, const char *pre, const char *v, const char *post)
{
    char *s = b->scratch[b->n_scratch++];
    snprintf(s, sizeof b->scratch[0], "%s%s%s", pre, v, post);
    return s;
}

/* The least string above every string starting with p: p with its last
 * byte incremented (UTF-8 never holds 0xFF, so there is no carry). */
static const char *prefix_end(binds *b, const char *p)
{
    char *s = (char *)keep(b, "", p, "");
    size_t n = strlen(s);
    if (n > 0)
        s[n - 1] = (char)((unsigned char)s[n - 1] + 1);
    return s;
}

/* The conditions on the local identity l and its active link k. */
static void criteria(const store_search_query *q, buf *sql, binds *b)
{
    if (q->name[0] != '\0' && !q->name_prefix) {
        bind_text(b, sql, " AND (l.norm_birth_name = ?", q->name);
        bind_text(b, sql, " OR l.norm_used_name = ?)", q->name);
    } else if (q->name[0] != '\0') {
        const char *end = prefix_end(b, q->name);
        bind_text(b, sql, " AND ((l.norm_birth_name >= ?", q->name);
        bind_text(b, sql, " AND l.norm_birth_name < ?)", end);
        bind_text(b, sql, " OR (l.norm_used_name >= ?", q->name);
        bind_text(b, sql, " AND l.norm_used_name < ?))", end);
    }
    /* One word of the forename list: the list is space-separated once
     * normalised, so a word is bounded by spaces or the ends. */
    if (q->given[0] != '\0' && !q->given_prefix)
        bind_text(b, sql, " AND instr(' ' || l.norm_forenames || ' ', ?) > 0",
                  keep(b, " ", q->given, " "));
    else if (q->given[0] != '\0')
        bind_text(b, sql, " AND instr(' ' || l.norm_forenames, ?) > 0",
                  keep(b, " ", q->given, ""));
    if (q->birth_date[0] != '\0')
        bind_text(b, sql, " AND l.birth_date = ?", q->birth_date);
    if (q->birth_from[0] != '\0')
        bind_text(b, sql, " AND l.birth_date >= ?", q->birth_from);
    if (q->birth_to[0] != '\0')
        bind_text(b, sql, " AND l.birth_date <= ?", q->birth_to);
    if (q->sex != '\0') {
        char sex[2] = { q->sex, '\0' };
        bind_text(b, sql, " AND l.sex = ?", keep(b, "", sex, ""));
    }
    if (q->ipp[0] != '\0') {
        /* Without a domain, one probe of the (domain_id, ipp) index per
         * domain rather than a scan. */
        if (q->domain_id > 0)
            bind_num(b, sql, " AND l.domain_id = ?", q->domain_id);
        else
            buf_puts(sql, " AND l.domain_id IN (SELECT id FROM id_domain)");
        bind_text(b, sql, " AND l.ipp = ?", q->ipp);
    }
    if (q->ins[0] != '\0')
        bind_text(b, sql, " AND l.ins = ?", q->ins);
    if (q->ght_id != 0)
        bind_num(b, sql, " AND k.ght_id = ?", q->ght_id);

    if (q->n_in_domains > 0 || q->with_ins) {
        buf_puts(sql, " AND k.ght_id IN (SELECT k2.ght_id FROM identity_link k2"
                      " JOIN local_identity l2 ON l2.id = k2.local_id"
                      " WHERE k2.state = 'ACTIVE' AND (0");
        size_t n = q->n_in_domains < STORE_SEARCH_DOMAINS_MAX ? q->n_in_domains
                                                             : STORE_SEARCH_DOMAINS_MAX;
        for (size_t i = 0; i < n; i++)
            bind_num(b, sql, " OR l2.domain_id = ?", q->in_domains[i]);
        if (q->with_ins)
            buf_puts(sql, " OR (l2.ins <> '' AND l2.status = 'QUAL')");
        buf_puts(sql, "))");
    }
}

static int prepare(store *st, const char *sql, const binds *b, sqlite3_stmt **out,
                   socle_err *err)
{
    return sq_prepare_cached(st, sql, &b->q, "search", out, err);
}

#define FROM " FROM local_identity l JOIN identity_link k" \
             " ON k.local_id = l.id AND k.state = 'ACTIVE' WHERE 1"

static int count_all(store *st, const store_search_query *q, int64_t *total, int64_t *above,
                     socle_err *err)
{
    binds b = { .n_scratch = 0 };
    buf sql = { 0 };
    bind_num(&b, &sql, "SELECT count(DISTINCT k.ght_id),"
             " count(DISTINCT CASE WHEN k.ght_id > ? THEN k.ght_id END)" FROM,
             q->after_ght_id);
    criteria(q, &sql, &b);
    sqlite3_stmt *s = NULL;
    int rc = prepare(st, buf_cstr(&sql), &b, &s, err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *total = sqlite3_column_int64(s, 0);
        *above = sqlite3_column_int64(s, 1);
    }
    else
        sq_fail(st, err, "count search results");
    sq_release(st, s);
    return rc == SQLITE_ROW ? 0 : -1;
}

int store_search_ght(store *st, const store_search_query *q, size_t max, int64_t *ids,
                     size_t *n, int64_t *total, int64_t *above, socle_err *err)
{
    *n = 0;
    if (total != NULL && count_all(st, q, total, above, err) != 0)
        return -1;
    if (total != NULL && q->sort != 0)
        *above = *total > q->offset ? *total - q->offset : 0;
    if (max == 0)
        return 0;

    binds b = { .n_scratch = 0 };
    buf sql = { 0 };
    if (q->sort == 0) {
        buf_puts(&sql, "SELECT DISTINCT k.ght_id" FROM);
        criteria(q, &sql, &b);
        bind_num(&b, &sql, " AND k.ght_id > ?", q->after_ght_id);
        bind_num(&b, &sql, " ORDER BY k.ght_id LIMIT ?", (int64_t)max);
    } else {
        /* A patient sorts by the least key of its matching local identities. */
        buf_puts(&sql, "SELECT k.ght_id" FROM);
        criteria(q, &sql, &b);
        int key = q->sort < 0 ? -q->sort : q->sort;
        buf_puts(&sql, key == STORE_SORT_BIRTHDATE ? " GROUP BY k.ght_id ORDER BY min(l.birth_date)"
                                                   : " GROUP BY k.ght_id ORDER BY"
                                                     " min(l.norm_birth_name)");
        buf_puts(&sql, q->sort < 0 ? " DESC, k.ght_id" : ", k.ght_id");
        bind_num(&b, &sql, " LIMIT ?", (int64_t)max);
        bind_num(&b, &sql, " OFFSET ?", q->offset);
    }
    sqlite3_stmt *s = NULL;
    int rc = prepare(st, buf_cstr(&sql), &b, &s, err);
    buf_free(&sql);
    if (rc != 0)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(s, 0);
    int failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    if (failed)
        sq_fail(st, err, "search identities");
    sq_release(st, s);
    return failed ? -1 : 0;
}
