/*
 * stay_read.c - reads of stays for the query interfaces (stay_read.h).
 */
#include "core/stay_read.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/store.h"
#include "util/buf.h"

void stay_view_free(stay_view *v)
{
    if (v == NULL)
        return;
    free(v->moves);
    v->moves = NULL;
    v->n_moves = 0;
}

typedef struct move_list {
    movement *v;
    size_t n, cap;
} move_list;

/* Only the movements that happened: active INSERT rows (the store gives
 * them by effective date). */
static int collect_move(const movement *m, void *ctx)
{
    move_list *l = ctx;
    if (m->action != MOVEMENT_INSERT || m->state != MOVEMENT_ACTIVE)
        return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (l->v == NULL)
            abort();  /* as buf.h */
    }
    l->v[l->n++] = *m;
    return 0;
}

/* Fill v from its stay id, not audited. 1/0/-1. */
static int load_view(struct store *st, int64_t stay_id, stay_view *v, socle_err *err)
{
    memset(v, 0, sizeof *v);
    int found = store_stay_get(st, stay_id, &v->stay, err);
    if (found <= 0)
        return found;
    found = store_domain_get(st, v->stay.domain_id, &v->domain, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "stay %" PRId64
                                        ": domain not found", stay_id);
    local_identity li;
    found = store_local_get(st, v->stay.local_id, &li, err);
    if (found < 0)
        return -1;
    v->ght_id = found ? li.ght_id : 0;
    move_list l = { 0 };
    if (store_movement_foreach_stay(st, stay_id, collect_move, &l, err) != 0) {
        free(l.v);
        return -1;
    }
    v->moves = l.v;
    v->n_moves = l.n;
    return 1;
}

int stay_read_in_tx(struct store *st, const socle_actor *actor, int64_t stay_id,
                    stay_view *v, socle_err *err)
{
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, stay_id);
    int found = stay_id > 0 ? load_view(st, stay_id, v, err) : (memset(v, 0, sizeof *v), 0);
    if (found < 0)
        return -1;
    if (audit_log(st, actor, "stay.read", "stay", oid, found ? "success" : "not-found",
                  NULL, err) != 0)
        return -1;
    return found;
}

void stay_search_result_free(stay_search_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++)
        stay_view_free(&r->stays[i]);
    free(r->stays);
    r->stays = NULL;
    r->count = 0;
}

int stay_search_in_tx(struct store *st, const socle_actor *actor,
                      const stay_search_criteria *c, stay_search_result *r, socle_err *err)
{
    memset(r, 0, sizeof *r);
    store_stay_query q;
    memset(&q, 0, sizeof q);
    q.ght_id = c->ght_id;
    str_copy(q.nda, sizeof q.nda, c->nda);
    q.status_mask = c->status_mask;
    str_copy(q.from, sizeof q.from, c->from);
    str_copy(q.to, sizeof q.to, c->to);
    str_copy(q.updated_from, sizeof q.updated_from, c->updated_from);
    str_copy(q.updated_before, sizeof q.updated_before, c->updated_before);
    q.after_id = c->after_id;
    q.sort = c->sort;
    q.offset = c->offset;
    q.restrict_domains = c->restrict_domains;
    for (size_t i = 0; i < c->n_in_domains && i < STAY_SEARCH_DOMAINS_MAX; i++)
        q.in_domains[q.n_in_domains++] = c->in_domains[i];

    buf names = { 0 };
    const struct { const char *name; int on; } used[] = {
        { "patient", q.ght_id != 0 }, { "nda", q.nda[0] != '\0' },
        { "status", q.status_mask != 0 }, { "date", q.from[0] != '\0' || q.to[0] != '\0' },
        { "last_updated", q.updated_from[0] != '\0' || q.updated_before[0] != '\0' },
    };
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        if (used[i].on)
            buf_printf(&names, "%s%s", names.len ? "," : "", used[i].name);
    if (names.len == 0) {
        buf_free(&names);
        return err_set(err, SOCLE_EINVAL, "no search criterion");
    }

    int unknown_domain = 0;
    if (q.nda[0] != '\0' && c->nda_domain_oid[0] != '\0') {
        id_domain d;
        int found = store_domain_find_oid(st, c->nda_domain_oid, &d, err);
        if (found < 0) {
            buf_free(&names);
            return -1;
        }
        unknown_domain = !found;
        q.domain_id = found ? d.id : 0;
    }

    size_t limit = c->limit == 0 || c->limit > STAY_SEARCH_MAX ? STAY_SEARCH_MAX : c->limit;
    int64_t ids[STAY_SEARCH_MAX + 1];
    size_t n = 0;
    int rc = -1;
    if (!unknown_domain
        && store_stay_search(st, &q, limit + 1, ids, &n, c->no_total ? NULL : &r->total,
                             err) != 0)
        goto done;
    r->more = n > limit;
    if (r->more)
        n = limit;
    r->stays = calloc(n ? n : 1, sizeof *r->stays);
    if (r->stays == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        int found = load_view(st, ids[i], &r->stays[r->count], err);
        if (found < 0) {
            stay_view_free(&r->stays[r->count]);
            goto done;
        }
        r->last_id = ids[i];
        if (found)
            r->count++;
    }
    buf d = { 0 };
    buf_printf(&d, "criteria=%s; results=%zu of %" PRId64 "; stays=", buf_cstr(&names),
               r->count, r->total);
    for (size_t i = 0; i < r->count; i++) {
        char one[24];
        snprintf(one, sizeof one, "%s%" PRId64, i ? "," : "", r->stays[i].stay.id);
        if (d.len + strlen(one) + 4 >= SOCLE_REASON_MAX) {
            buf_puts(&d, "...");
            break;
        }
        buf_puts(&d, one);
    }
    rc = audit_log(st, actor, "stay.search", "stay", NULL, "success", buf_cstr(&d), err);
    buf_free(&d);
done:
    buf_free(&names);
    return rc;
}
