/*
 * audit_read.c - reads of the audit trail for the FHIR interface (audit.h).
 * Reading the trail is itself an access to personal data (who looked at
 * whom), so every read appends its own record.
 */
#include "audit/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

typedef struct collect {
    audit_record *out;
    size_t max, n;
} collect;

static int collect_record(const audit_record *r, void *ctx)
{
    collect *c = ctx;
    if (c->n < c->max)
        c->out[c->n++] = *r;
    return c->n >= c->max;
}

int audit_read_in_tx(struct store *st, const socle_actor *actor, int64_t seq,
                     audit_record *out, socle_err *err)
{
    store_audit_query q;
    memset(&q, 0, sizeof q);
    q.seq = seq;
    collect c = { .out = out, .max = 1 };
    if (seq > 0 && store_audit_search(st, &q, 1, collect_record, &c, NULL, 0, err) != 0)
        return -1;
    size_t n = c.n;
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, seq);
    if (audit_log(st, actor, "audit.read", "audit", id, n ? "success" : "not-found", NULL,
                  err) != 0)
        return -1;
    return n > 0;
}

int audit_event_search_in_tx(struct store *st, const socle_actor *actor,
                       const store_audit_query *q, size_t max, audit_record *out,
                       size_t *n, int64_t *total, const char *criteria_names, socle_err *err)
{
    if (max > AUDIT_SEARCH_MAX)
        max = AUDIT_SEARCH_MAX;
    collect c = { .out = out, .max = max };
    if (store_audit_search(st, q, max, collect_record, &c, total, 0, err) != 0)
        return -1;
    *n = c.n;
    char detail[256];
    snprintf(detail, sizeof detail, "criteria=%.160s; results=%zu", criteria_names
             ? criteria_names : "", *n);
    return audit_log(st, actor, "audit.search", "audit", NULL, "success", detail, err);
}
