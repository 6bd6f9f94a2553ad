/*
 * structure_read.c - reads of the structures repository (structure_read.h).
 */
#include "core/structure_read.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/store.h"
#include "util/buf.h"

/* The node and what its resource shows. 1/0/-1. */
static int load_view(struct store *st, int64_t id, structure_view *v, socle_err *err)
{
    memset(v, 0, sizeof *v);
    int found = store_structure_get(st, id, &v->node, err);
    if (found <= 0)
        return found;
    if (v->node.kind == STRUCTURE_CHAMBRE) {
        v->uf_id = v->node.parent_id;   /* CHAMBRE -> UF only (structure.h) */
    } else if (v->node.kind == STRUCTURE_LIT) {
        structure_node room;
        int got = store_structure_get(st, v->node.parent_id, &room, err);
        if (got < 0)
            return -1;
        v->uf_id = got ? room.parent_id : 0;
        if (store_bed_occupancy(st, id, &v->occupied, err) != 0)
            return -1;
        v->occupancy_known = 1;
    }
    return 1;
}

int structure_read_in_tx(struct store *st, const socle_actor *actor, int64_t id,
                         unsigned kind_mask, structure_view *out, socle_err *err)
{
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, id);
    int found = id > 0 ? load_view(st, id, out, err) : (memset(out, 0, sizeof *out), 0);
    if (found < 0)
        return -1;
    if (found && kind_mask != 0 && !(kind_mask & (1u << out->node.kind)))
        found = 0;
    if (audit_log(st, actor, "structure.read", "structure", oid,
                  found ? "success" : "not-found", NULL, err) != 0)
        return -1;
    return found;
}

void structure_search_result_free(structure_search_result *r)
{
    if (r == NULL)
        return;
    free(r->views);
    r->views = NULL;
    r->count = 0;
}

int structure_search_in_tx(struct store *st, const socle_actor *actor,
                           const structure_search_criteria *c, structure_search_result *r,
                           socle_err *err)
{
    memset(r, 0, sizeof *r);
    store_structure_query q;
    memset(&q, 0, sizeof q);
    q.id = c->id;
    q.kind_mask = c->kind_mask;
    str_copy(q.code, sizeof q.code, c->code);
    str_copy(q.finess, sizeof q.finess, c->finess);
    str_copy(q.code_or_finess, sizeof q.code_or_finess, c->code_or_finess);
    str_copy(q.name, sizeof q.name, c->name);
    q.parent_id = c->parent_id;
    q.after_id = c->after_id;

    size_t limit = c->limit == 0 || c->limit > STRUCTURE_SEARCH_MAX ? STRUCTURE_SEARCH_MAX
                                                                    : c->limit;
    int64_t ids[STRUCTURE_SEARCH_MAX + 1];
    size_t n = 0;
    if (store_structure_search(st, &q, limit + 1, ids, &n, &r->total, err) != 0)
        return -1;
    r->more = n > limit;
    if (r->more)
        n = limit;
    r->views = calloc(n ? n : 1, sizeof *r->views);
    if (r->views == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        int found = load_view(st, ids[i], &r->views[r->count], err);
        if (found < 0)
            return -1;
        r->last_id = ids[i];
        if (found)
            r->count++;
    }

    buf d = { 0 };
    const struct { const char *name; int on; } used[] = {
        { "_id", q.id != 0 }, { "type", q.kind_mask != 0 }, { "code", q.code[0] != '\0' },
        { "finess", q.finess[0] != '\0' }, { "name", q.name[0] != '\0' },
        { "identifier", q.code_or_finess[0] != '\0' },
        { "partof", q.parent_id != 0 },
    };
    buf_puts(&d, "criteria=");
    int any = 0;
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        if (used[i].on)
            buf_printf(&d, "%s%s", any++ ? "," : "", used[i].name);
    buf_printf(&d, "; results=%zu of %" PRId64, r->count, r->total);
    int rc = audit_log(st, actor, "structure.search", "structure", NULL, "success",
                       buf_cstr(&d), err);
    buf_free(&d);
    return rc;
}
