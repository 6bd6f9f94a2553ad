/*
 * structure_tree.c - the structures tree with bed occupancy.
 */
#include "core/structure_tree.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "util/array.h"
#include "util/buf.h"

void structure_tree_free(structure_tree *t)
{
    if (t == NULL)
        return;
    free(t->items);
    memset(t, 0, sizeof *t);
}

#define DEPTH_MAX 16  /* seven kinds: a deeper tree is a bug */

typedef struct builder {
    structure_tree *t;
    size_t cap;
    const char *const *finess;
    size_t n_finess;
    size_t stack[DEPTH_MAX];  /* indexes of the current node's ancestors */
    int depth;
    int skipping;             /* inside an EJ out of scope */
} builder;

static int in_scope(const builder *b, const structure_node *ej)
{
    if (b->finess == NULL)
        return 1;
    for (size_t i = 0; i < b->n_finess; i++)
        if (strcmp(b->finess[i], ej->finess) == 0)
            return 1;
    return 0;
}

static int add_node(const structure_node *n, void *ctx)
{
    builder *b = ctx;
    structure_tree *t = b->t;
    if (n->parent_id == 0) {
        /* A new EJ: the previous subtree is complete. */
        b->depth = 0;
        b->skipping = !in_scope(b, n);
        if (b->skipping)
            return 0;
    } else if (b->skipping) {
        return 0;
    } else {
        /* Depth first: the parent is on the stack of ancestors. */
        while (b->depth > 0 && t->items[b->stack[b->depth - 1]].node.id != n->parent_id)
            b->depth--;
        if (b->depth == 0 || b->depth >= DEPTH_MAX)
            return 0;  /* unreachable: the store lists parents first */
    }
    structure_tree_item *it = ARRAY_PUSH(t->items, t->n, b->cap);
    memset(it, 0, sizeof *it);
    it->node = *n;
    it->depth = b->depth;
    it->parent = b->depth > 0 ? b->stack[b->depth - 1] : STRUCTURE_TREE_ROOT;
    it->beds = n->kind == STRUCTURE_LIT;
    b->stack[b->depth++] = t->n - 1;
    return 0;
}

typedef struct occupant_list {
    bed_occupant *items;
    size_t n, cap;
} occupant_list;

static int add_occupant(const bed_occupant *o, void *ctx)
{
    occupant_list *l = ctx;
    *ARRAY_PUSH(l->items, l->n, l->cap) = *o;
    return 0;
}

static int cmp_bed(const void *key, const void *elem)
{
    int64_t k = *(const int64_t *)key, e = ((const bed_occupant *)elem)->bed_id;
    return (k > e) - (k < e);
}

/* Give each bed its occupants (listed by bed id), then add every node's
 * counts to its parent, children last to first so sums are complete. */
static void fill(structure_tree *t, const occupant_list *occ)
{
    for (size_t i = 0; i < t->n; i++) {
        structure_tree_item *it = &t->items[i];
        it->end = i + 1;
        if (it->node.kind != STRUCTURE_LIT || occ->n == 0)
            continue;
        const bed_occupant *o = bsearch(&it->node.id, occ->items, occ->n, sizeof *occ->items,
                                        cmp_bed);
        if (o == NULL)
            continue;
        while (o > occ->items && o[-1].bed_id == it->node.id)
            o--;  /* the first stay holding it */
        it->occupant = *o;
        for (; o < occ->items + occ->n && o->bed_id == it->node.id; o++)
            it->occupants++;
        it->occupied = 1;
    }
    for (size_t i = t->n; i-- > 0;) {
        structure_tree_item *it = &t->items[i];
        if (it->parent == STRUCTURE_TREE_ROOT) {
            t->beds += it->beds;
            t->occupied += it->occupied;
            continue;
        }
        structure_tree_item *p = &t->items[it->parent];
        p->beds += it->beds;
        p->occupied += it->occupied;
        if (it->end > p->end)
            p->end = it->end;
    }
}

int structure_tree_load_in_tx(struct store *st, const socle_actor *actor,
                              const char *const *ej_finess, size_t n_ej,
                              structure_tree *t, socle_err *err)
{
    memset(t, 0, sizeof *t);
    builder b = { .t = t, .finess = ej_finess, .n_finess = n_ej };
    occupant_list occ = {0};
    if (store_structure_foreach(st, add_node, &b, err) != 0
        || store_bed_occupants(st, add_occupant, &occ, err) != 0) {
        free(occ.items);
        structure_tree_free(t);
        err_prefix(err, "structures tree");
        return -1;
    }
    fill(t, &occ);
    free(occ.items);

    char detail[128];
    snprintf(detail, sizeof detail, "%zu nodes, %" PRId64 " beds, %" PRId64 " occupied%s",
             t->n, t->beds, t->occupied, ej_finess != NULL ? ", limited to its EJs" : "");
    if (audit_log(st, actor, "structure.occupancy", "structure", NULL, NULL, detail, err) != 0) {
        structure_tree_free(t);
        return -1;
    }
    return 0;
}
