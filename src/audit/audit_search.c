/*
 * audit_search.c - searching and exporting the access trace, and its
 * chain's state, for the DPO's journal page (audit.h).
 */
#include "audit/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/timeutil.h"

void audit_page_free(audit_page *p)
{
    if (p == NULL)
        return;
    free(p->records);
    memset(p, 0, sizeof *p);
}

int audit_filter_check(const audit_filter *f, socle_err *err)
{
    if (f->from_date[0] != '\0' && !date_valid(f->from_date))
        return err_set(err, SOCLE_EINVAL, "from_date: not a date (YYYY-MM-DD): %s",
                       f->from_date);
    if (f->to_date[0] != '\0' && !date_valid(f->to_date))
        return err_set(err, SOCLE_EINVAL, "to_date: not a date (YYYY-MM-DD): %s", f->to_date);
    if (f->from_date[0] != '\0' && f->to_date[0] != '\0'
        && strcmp(f->to_date, f->from_date) < 0)
        return err_set(err, SOCLE_EINVAL, "to_date %s is before from_date %s", f->to_date,
                       f->from_date);
    if (strcmp(f->action, "*") == 0)
        return err_set(err, SOCLE_EINVAL, "action: a prefix before '*' is needed");
    return 0;
}

/* The day after a valid "YYYY-MM-DD" (the end of an included day). */
static void next_day(const char *day, char out[SOCLE_TS_MAX])
{
    struct tm tm = {0};
    tm.tm_year = atoi(day) - 1900;
    tm.tm_mon = atoi(day + 5) - 1;
    tm.tm_mday = atoi(day + 8) + 1;
    time_t t = timegm(&tm);  /* normalises the 32nd of a month */
    gmtime_r(&t, &tm);
    strftime(out, SOCLE_TS_MAX, "%Y-%m-%d", &tm);
}

/* The store's query for a filter. Dates compare as text with the ISO
 * timestamps of the trail: a day includes every time that starts with it. */
static void to_query(const audit_filter *f, store_audit_query *q)
{
    memset(q, 0, sizeof *q);
    str_copy(q->from, sizeof q->from, f->from_date);
    if (f->to_date[0] != '\0')
        next_day(f->to_date, q->to);
    str_copy(q->actor, sizeof q->actor, f->actor);
    str_copy(q->action, sizeof q->action, f->action);
    size_t n = strlen(q->action);
    if (n > 0 && q->action[n - 1] == '*') {
        q->action[n - 1] = '\0';
        q->action_prefix = 1;
    }
    str_copy(q->object_type, sizeof q->object_type, f->object_type);
    str_copy(q->object_id, sizeof q->object_id, f->object_id);
    str_copy(q->outcome, sizeof q->outcome, f->outcome);
    q->before_seq = f->before_seq;
}

/* "criteria: from_date, actor" - the names, not the values. */
static void criteria_names(const audit_filter *f, char *out, size_t n)
{
    buf b = {0};
    const struct { const char *name; const char *value; } c[] = {
        { "from_date", f->from_date }, { "to_date", f->to_date }, { "actor", f->actor },
        { "action", f->action }, { "object_type", f->object_type },
        { "object_id", f->object_id }, { "outcome", f->outcome },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (c[i].value[0] != '\0')
            buf_printf(&b, "%s%s", b.len ? ", " : "criteria: ", c[i].name);
    str_copy(out, n, b.len ? buf_cstr(&b) : "no criteria");
    buf_free(&b);
}

typedef struct page_fill {
    audit_page *p;
    size_t cap;
} page_fill;

static int add_record(const audit_record *r, void *ctx)
{
    page_fill *pf = ctx;
    *ARRAY_PUSH(pf->p->records, pf->p->count, pf->cap) = *r;
    return 0;
}

int audit_search_in_tx(struct store *st, const socle_actor *actor, const audit_filter *f,
                       audit_page *p, socle_err *err)
{
    memset(p, 0, sizeof *p);
    if (audit_filter_check(f, err) != 0)
        return -1;
    size_t limit = f->limit == 0 || f->limit > AUDIT_PAGE_MAX ? AUDIT_PAGE_MAX : f->limit;
    store_audit_query q;
    to_query(f, &q);
    page_fill pf = { .p = p };
    /* One more than the page tells whether another page follows. */
    if (store_audit_search(st, &q, limit + 1, add_record, &pf, &p->total, AUDIT_COUNT_CAP,
                           err) != 0) {
        audit_page_free(p);
        return -1;
    }
    p->total_capped = p->total >= AUDIT_COUNT_CAP;
    if (p->count > limit) {
        p->count = limit;
        p->more = 1;
        p->next_before = p->records[limit - 1].seq;
    }
    char detail[SOCLE_REASON_MAX];
    criteria_names(f, detail, sizeof detail);
    if (audit_log(st, actor, "audit.search", "audit", NULL, NULL, detail, err) != 0) {
        audit_page_free(p);
        return -1;
    }
    return 0;
}

/* ---- CSV export --------------------------------------------------------- */

static void csv_field(buf *out, const char *v, int last)
{
    /* A spreadsheet runs a cell starting with these as a formula: the
     * trail holds text from senders, so it must stay inert text. */
    int guard = v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t'
             || v[0] == '\r';
    int quote = guard || strpbrk(v, ",\"\r\n") != NULL;
    if (quote)
        buf_putc(out, '"');
    if (guard)
        buf_putc(out, '\'');
    for (const char *c = v; *c; c++) {
        if (*c == '"')
            buf_putc(out, '"');
        buf_putc(out, *c);
    }
    if (quote)
        buf_putc(out, '"');
    buf_puts(out, last ? "\r\n" : ",");
}

typedef struct csv_fill {
    buf *out;
    size_t rows;
    int truncated;
} csv_fill;

static int add_line(const audit_record *r, void *ctx)
{
    csv_fill *c = ctx;
    if (c->rows == AUDIT_EXPORT_MAX) {
        c->truncated = 1;
        return 1;
    }
    char seq[24];
    snprintf(seq, sizeof seq, "%" PRId64, r->seq);
    csv_field(c->out, seq, 0);
    csv_field(c->out, r->at, 0);
    csv_field(c->out, r->actor, 0);
    csv_field(c->out, r->role, 0);
    csv_field(c->out, r->action, 0);
    csv_field(c->out, r->object_type, 0);
    csv_field(c->out, r->object_id, 0);
    csv_field(c->out, r->outcome, 0);
    csv_field(c->out, r->detail, 1);
    c->rows++;
    return 0;
}

int audit_export_csv_in_tx(struct store *st, const socle_actor *actor, const audit_filter *f,
                           buf *out, size_t *rows, int *truncated, socle_err *err)
{
    if (audit_filter_check(f, err) != 0)
        return -1;
    store_audit_query q;
    to_query(f, &q);
    q.before_seq = 0;
    csv_fill c = { .out = out };
    buf_puts(out, "seq,horodatage,acteur,rôle,action,type d'objet,objet,résultat,détail\r\n");
    /* One beyond the cap tells a truncated export from an exact one. */
    if (store_audit_search(st, &q, AUDIT_EXPORT_MAX + 1, add_line, &c, NULL, 0, err) != 0)
        return -1;
    if (rows != NULL)
        *rows = c.rows;
    if (truncated != NULL)
        *truncated = c.truncated;
    char detail[SOCLE_REASON_MAX];
    criteria_names(f, detail, sizeof detail);
    size_t len = strlen(detail);
    snprintf(detail + len, sizeof detail - len, "; %zu records%s", c.rows,
             c.truncated ? " (truncated)" : "");
    return audit_log(st, actor, "audit.export", "audit", NULL, NULL, detail, err);
}
