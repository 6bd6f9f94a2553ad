/*
 * indicators.c - the dashboard's figures from the store's aggregates.
 */
#include "core/indicators.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/review.h"
#include "store/store.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/timeutil.h"

void indicators_free(indicators *ind)
{
    if (ind == NULL)
        return;
    free(ind->ejs);
    free(ind->alerts);
    memset(ind, 0, sizeof *ind);
}

/* Days since 1970-01-01 of a "YYYY-MM-DD" prefix; -1 when it is no date. */
static int64_t day_number(const char *day)
{
    char d[SOCLE_DATE_MAX];
    if (strlen(day) < 10)
        return -1;
    memcpy(d, day, 10);
    d[10] = '\0';
    if (!date_valid(d))
        return -1;
    struct tm tm = {0};
    tm.tm_year = atoi(d) - 1900;
    tm.tm_mon = atoi(d + 5) - 1;
    tm.tm_mday = atoi(d + 8);
    return (int64_t)(timegm(&tm) / 86400);
}

static void day_text(int64_t n, char out[SOCLE_DATE_MAX])
{
    time_t t = (time_t)(n * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, SOCLE_DATE_MAX, "%Y-%m-%d", &tm);
}

int indicators_week_start(const char *day, int week_offset, char out[SOCLE_DATE_MAX])
{
    int64_t n = day_number(day);
    if (n < 0)
        return -1;
    /* 1970-01-01 was a Thursday: day n is a Monday when (n + 3) % 7 == 0. */
    int64_t monday = n - (n + 3) % 7 + 7 * (int64_t)week_offset;
    day_text(monday, out);
    return 0;
}

/* ---- Scope ------------------------------------------------------------ */

static int resolve_scope(struct store *st, const char *const *finess, size_t n,
                         store_scope *sc, socle_err *err)
{
    memset(sc, 0, sizeof *sc);
    if (finess == NULL)
        return 0;
    sc->restricted = 1;
    for (size_t i = 0; i < n && sc->n_domains < STORE_SCOPE_DOMAINS_MAX; i++) {
        structure_node ej;
        id_domain d;
        int found = store_structure_find_finess(st, STRUCTURE_EJ, finess[i], &ej, err);
        if (found < 0)
            return -1;
        if (!found)
            continue;
        if ((found = store_domain_find_structure(st, ej.id, &d, err)) < 0)
            return -1;
        if (found)
            sc->domains[sc->n_domains++] = d.id;
    }
    return 0;
}

/* ---- Collectors ------------------------------------------------------- */

typedef struct ej_list {
    indicators *ind;
    size_t cap;
} ej_list;

static int add_status(int64_t domain_id, rniv_status status, int64_t count, void *ctx)
{
    ej_list *l = ctx;
    indicators *ind = l->ind;
    if ((unsigned)status >= INDICATORS_STATUS_COUNT)
        return 0;
    /* Rows come by domain: the domain is the last one or a new one. */
    if (ind->n_ejs == 0 || ind->ejs[ind->n_ejs - 1].domain_id != domain_id) {
        indicator_ej *e = ARRAY_PUSH(ind->ejs, ind->n_ejs, l->cap);
        memset(e, 0, sizeof *e);
        e->domain_id = domain_id;
    }
    indicator_ej *e = &ind->ejs[ind->n_ejs - 1];
    e->by_status[status] += count;
    e->total += count;
    ind->by_status[status] += count;
    ind->local_total += count;
    return 0;
}

typedef struct week_fill {
    indicators *ind;
    int64_t first_day;
    store_series series;
} week_fill;

static int add_day(const char *day, int64_t count, void *ctx)
{
    week_fill *w = ctx;
    int64_t n = day_number(day);
    if (n < w->first_day)
        return 0;  /* not a date, or before the window */
    int64_t k = (n - w->first_day) / 7;
    if (k >= INDICATORS_WEEKS)
        return 0;  /* a date after now (a sender's clock ahead) */
    indicator_week *wk = &w->ind->weeks[k];
    if (w->series == STORE_SERIES_MERGES)
        wk->merges += count;
    else if (w->series == STORE_SERIES_UNMERGES)
        wk->unmerges += count;
    else
        wk->movements += count;
    return 0;
}

typedef struct alert_list {
    indicators *ind;
    size_t cap;
} alert_list;

static int add_alert(const char *kind, int64_t open, int64_t all, void *ctx)
{
    alert_list *l = ctx;
    indicator_alert *a = ARRAY_PUSH(l->ind->alerts, l->ind->n_alerts, l->cap);
    memset(a, 0, sizeof *a);
    str_copy(a->kind, sizeof a->kind, kind);
    a->open = open;
    a->all = all;
    return 0;
}

/* ---- Computing -------------------------------------------------------- */

/* Every establishment in scope gets a row, with no identity yet too. */
typedef struct ej_domains {
    int64_t ids[STORE_SCOPE_DOMAINS_MAX * 4];
    size_t n;
    struct store *st;
    socle_err *err;
    int failed;
} ej_domains;

static int add_ej_domain(const structure_node *n, void *ctx)
{
    ej_domains *d = ctx;
    if (n->kind != STRUCTURE_EJ || d->n == sizeof d->ids / sizeof d->ids[0])
        return 0;
    id_domain dom;
    int found = store_domain_find_structure(d->st, n->id, &dom, d->err);
    if (found < 0) {
        d->failed = 1;
        return 1;
    }
    if (found)
        d->ids[d->n++] = dom.id;
    return 0;
}

static int cmp_ej(const void *a, const void *b)
{
    int64_t x = ((const indicator_ej *)a)->domain_id, y = ((const indicator_ej *)b)->domain_id;
    return (x > y) - (x < y);
}

static int all_ejs(struct store *st, const store_scope *sc, ej_list *l, socle_err *err)
{
    ej_domains d = { .st = st, .err = err };
    if (sc->restricted) {
        memcpy(d.ids, sc->domains, sc->n_domains * sizeof sc->domains[0]);
        d.n = sc->n_domains;
    } else if (store_structure_foreach(st, add_ej_domain, &d, err) != 0 || d.failed) {
        return -1;
    }
    indicators *ind = l->ind;
    size_t had = ind->n_ejs;
    for (size_t i = 0; i < d.n; i++) {
        int known = 0;
        for (size_t k = 0; k < had && !known; k++)
            known = ind->ejs[k].domain_id == d.ids[i];
        if (known)
            continue;
        indicator_ej *e = ARRAY_PUSH(ind->ejs, ind->n_ejs, l->cap);
        memset(e, 0, sizeof *e);
        e->domain_id = d.ids[i];
    }
    if (ind->n_ejs > 1)
        qsort(ind->ejs, ind->n_ejs, sizeof *ind->ejs, cmp_ej);
    return 0;
}

static int name_ejs(struct store *st, indicators *ind, socle_err *err)
{
    for (size_t i = 0; i < ind->n_ejs; i++) {
        id_domain d;
        int found = store_domain_get(st, ind->ejs[i].domain_id, &d, err);
        if (found < 0)
            return -1;
        if (found) {
            str_copy(ind->ejs[i].finess, sizeof ind->ejs[i].finess, d.finess);
            str_copy(ind->ejs[i].name, sizeof ind->ejs[i].name, d.name);
        }
    }
    return 0;
}

static int weekly(struct store *st, const store_scope *sc, indicators *ind, socle_err *err)
{
    char since[SOCLE_DATE_MAX];
    for (int k = 0; k < INDICATORS_WEEKS; k++)
        if (indicators_week_start(ind->computed_at, k - (INDICATORS_WEEKS - 1),
                                  ind->weeks[k].monday) != 0)
            return err_set(err, SOCLE_EINVAL, "bad date of computation: %s", ind->computed_at);
    str_copy(since, sizeof since, ind->weeks[0].monday);
    week_fill w = { .ind = ind, .first_day = day_number(since) };
    for (int s = 0; s < STORE_SERIES_COUNT; s++) {
        w.series = (store_series)s;
        if (store_stat_daily(st, w.series, sc, since, add_day, &w, err) != 0)
            return -1;
    }
    return 0;
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS..." (UTC); -1 when not. */
static int64_t seconds_of(const char *ts)
{
    int64_t day = day_number(ts);
    if (day < 0 || strlen(ts) < 19 || ts[10] != 'T')
        return -1;
    int h = atoi(ts + 11), m = atoi(ts + 14), s = atoi(ts + 17);
    return day * 86400 + h * 3600 + m * 60 + s;
}

static int review(struct store *st, const store_scope *sc, indicators *ind, socle_err *err)
{
    review_scope rs;
    memset(&rs, 0, sizeof rs);
    rs.restricted = sc->restricted;
    for (size_t i = 0; i < sc->n_domains && rs.n < REVIEW_SCOPE_MAX; i++)
        rs.domains[rs.n++] = sc->domains[i];
    char oldest[SOCLE_TS_MAX] = "";
    if (review_stats(st, &rs, &ind->review_pending, oldest, err) != 0)
        return -1;
    ind->review_available = 1;
    int64_t then = seconds_of(oldest), now = seconds_of(ind->computed_at);
    ind->review_oldest_age_s = then >= 0 && now >= then ? now - then : -1;
    return 0;
}

int indicators_compute(struct store *st, const char *const *ej_finess, size_t n_ej,
                       const char *now_iso, indicators *out, socle_err *err)
{
    memset(out, 0, sizeof *out);
    out->review_oldest_age_s = -1;
    if (now_iso != NULL)
        str_copy(out->computed_at, sizeof out->computed_at, now_iso);
    else
        time_now_iso(out->computed_at);
    if (day_number(out->computed_at) < 0)
        return err_set(err, SOCLE_EINVAL, "bad date of computation: %s", out->computed_at);

    store_scope sc;
    if (resolve_scope(st, ej_finess, n_ej, &sc, err) != 0)
        return -1;
    out->scoped = sc.restricted;

    ej_list el = { .ind = out };
    alert_list al = { .ind = out };
    if (store_stat_local_status(st, &sc, add_status, &el, err) != 0
        || all_ejs(st, &sc, &el, err) != 0
        || name_ejs(st, out, err) != 0
        || store_stat_ght(st, &sc, &out->ght_active, &out->ght_multi_ipp, err) != 0
        || weekly(st, &sc, out, err) != 0
        || store_stat_alerts(st, &sc, add_alert, &al, err) != 0
        || review(st, &sc, out, err) != 0) {
        err_prefix(err, "dashboard indicators");
        return -1;
    }
    if (out->local_total > 0)
        out->ins_qualified_rate = (double)out->by_status[RNIV_QUAL] / (double)out->local_total;
    if (out->ght_active > 0)
        out->duplicate_rate = (double)(out->ght_multi_ipp + out->review_pending)
                            / (double)out->ght_active;
    return 0;
}
