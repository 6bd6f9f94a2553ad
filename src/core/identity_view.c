/*
 * identity_view.c - timeline and merges of one GHT identity (identity_view.h).
 */
#include "core/identity_view.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/store.h"

void identity_timeline_free(identity_timeline *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].before);
        free(t->v[i].after);
    }
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

typedef struct collect {
    identity_timeline *t;
    size_t cap;
} collect;

static char *dup_or_null(const char *s)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        abort();  /* as buf.h */
    return d;
}

static int add_entry(const history_entry *h, void *ctx)
{
    collect *c = ctx;
    if (c->t->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        timeline_entry *v = realloc(c->t->v, c->cap * sizeof *v);
        if (v == NULL)
            abort();
        c->t->v = v;
    }
    timeline_entry *e = &c->t->v[c->t->n++];
    e->h = *h;
    e->before = dup_or_null(h->before_json);
    e->after = dup_or_null(h->after_json);
    return 0;
}

typedef struct link_ids {
    int64_t ids[256];
    size_t n;
} link_ids;

static int add_link(const identity_link *l, void *ctx)
{
    link_ids *k = ctx;
    for (size_t i = 0; i < k->n; i++)
        if (k->ids[i] == l->id)
            return 0;
    if (k->n < sizeof k->ids / sizeof k->ids[0])
        k->ids[k->n++] = l->id;
    return 0;
}

/* Most recent first; the history ids break ties within one timestamp. */
static int newer_first(const void *a, const void *b)
{
    const timeline_entry *x = a, *y = b;
    int c = strcmp(y->h.at, x->h.at);
    if (c != 0)
        return c;
    return (y->h.id > x->h.id) - (y->h.id < x->h.id);
}

int identity_timeline_in_tx(struct store *st, const socle_actor *actor, int64_t ght_id,
                            const int64_t *local_ids, size_t n_locals, identity_timeline *t,
                            socle_err *err)
{
    memset(t, 0, sizeof *t);
    collect c = { .t = t };
    link_ids links = { .n = 0 };
    if (store_history_foreach(st, "ght_identity", ght_id, add_entry, &c, err) != 0
        || store_link_foreach_ght(st, ght_id, 0, add_link, &links, err) != 0)
        return -1;
    for (size_t i = 0; i < n_locals; i++) {
        if (store_history_foreach(st, "local_identity", local_ids[i], add_entry, &c, err) != 0
            || store_link_foreach_local(st, local_ids[i], add_link, &links, err) != 0)
            return -1;
    }
    for (size_t i = 0; i < links.n; i++)
        if (store_history_foreach(st, "identity_link", links.ids[i], add_entry, &c, err) != 0)
            return -1;
    /* The pointers of each entry are set once the array stops moving. */
    qsort(t->v, t->n, sizeof *t->v, newer_first);
    for (size_t i = 0; i < t->n; i++) {
        t->v[i].h.before_json = t->v[i].before;
        t->v[i].h.after_json = t->v[i].after;
    }
    char id[32], detail[64];
    snprintf(id, sizeof id, "%" PRId64, ght_id);
    snprintf(detail, sizeof detail, "entries=%zu", t->n);
    return audit_log(st, actor, "identity.history", "ght_identity", id, "success", detail, err);
}

typedef struct merge_ids {
    int64_t ids[IDENTITY_VIEW_MERGES_MAX];
    size_t n;
} merge_ids;

static int add_merge(const identity_link *l, void *ctx)
{
    merge_ids *m = ctx;
    if (l->merge_id <= 0)
        return 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->ids[i] == l->merge_id)
            return 0;
    if (m->n < IDENTITY_VIEW_MERGES_MAX)
        m->ids[m->n++] = l->merge_id;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int identity_merges_in_tx(struct store *st, int64_t ght_id, identity_merge_rec *out,
                          size_t max, size_t *n, socle_err *err)
{
    *n = 0;
    merge_ids m = { .n = 0 };
    if (store_link_foreach_ght(st, ght_id, 0, add_merge, &m, err) != 0)
        return -1;
    /* The absorbed identities' links were moved: their merges are found
     * through the identities merged into this one, too. */
    int64_t absorbed[IDENTITY_VIEW_MERGES_MAX];
    size_t n_abs = 0;
    if (store_ght_absorbed(st, ght_id, absorbed, IDENTITY_VIEW_MERGES_MAX, &n_abs, err) != 0)
        return -1;
    for (size_t i = 0; i < n_abs; i++)
        if (store_link_foreach_ght(st, absorbed[i], 0, add_merge, &m, err) != 0)
            return -1;
    qsort(m.ids, m.n, sizeof m.ids[0], by_id);
    for (size_t i = 0; i < m.n && *n < max; i++) {
        identity_merge_rec r;
        int found = store_merge_get(st, m.ids[i], &r, err);
        if (found < 0)
            return -1;
        if (found && (r.survivor_id == ght_id || r.absorbed_id == ght_id))
            out[(*n)++] = r;
    }
    return 0;
}
