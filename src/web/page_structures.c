/*
 * page_structures.c - Structures: the EJ -> EG -> pôle -> service -> UF ->
 * chambre -> lit tree of the account's establishments, each level a
 * <details> that opens with the keyboard, with the beds and occupied beds
 * under each node and who holds each bed (core/structure_tree.h; the read
 * is audited there).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/structure.h"
#include "core/structure_tree.h"
#include "web/web_pages.h"

static const char *kind_label(structure_kind k)
{
    static const char *const labels[STRUCTURE_KIND_COUNT] = {
        "Entité juridique", "Entité géographique", "Pôle", "Service", "Unité fonctionnelle",
        "Chambre", "Lit",
    };
    return (unsigned)k < STRUCTURE_KIND_COUNT ? labels[k] : "";
}

static void counts(web_ctx *c, const structure_tree_item *it)
{
    if (it->beds == 0)
        return;
    web_printf(c, " <span class=\"meta\">%" PRId64 " lit%s, %" PRId64 " occupé%s</span>",
               it->beds, it->beds > 1 ? "s" : "", it->occupied, it->occupied > 1 ? "s" : "");
}

static void bed(web_ctx *c, const structure_tree_item *it)
{
    web_puts(c, "<li class=\"bed\"><span class=\"kind\">Lit</span> ");
    web_text(c, it->node.code);
    web_puts(c, " ");
    web_text(c, it->node.label);
    if (!it->occupied) {
        web_puts(c, " <span class=\"badge badge-free\">libre</span></li>");
        return;
    }
    const bed_occupant *o = &it->occupant;
    web_puts(c, o->on_leave ? " <span class=\"badge badge-leave\">occupé, en permission</span>"
                            : " <span class=\"badge badge-busy\">occupé</span>");
    web_puts(c, " IPP ");
    if (o->ght_id > 0)
        web_printf(c, "<a href=\"/patient/%" PRId64 "\">", o->ght_id);
    web_text(c, o->ipp);
    if (o->ght_id > 0)
        web_puts(c, "</a>");
    web_puts(c, ", NDA ");
    web_text(c, o->nda);
    web_puts(c, ", depuis le ");
    web_date(c, o->admit_at);
    if (it->occupants > 1)
        web_printf(c, " <strong class=\"alert\">%d séjours sur ce lit : à vérifier</strong>",
                   it->occupants);
    web_puts(c, "</li>");
}

/* Items [from, to) at one level: each with its subtree. */
static void level(web_ctx *c, const structure_tree *t, size_t from, size_t to)
{
    web_puts(c, "<ul class=\"tree\">");
    for (size_t i = from; i < to; i = t->items[i].end) {
        const structure_tree_item *it = &t->items[i];
        if (it->node.kind == STRUCTURE_LIT) {
            bed(c, it);
            continue;
        }
        /* The top two levels open: an EJ shows its structure at once. */
        web_printf(c, "<li><details%s><summary><span class=\"kind\">%s</span> ",
                   it->depth < 1 ? " open" : "", kind_label(it->node.kind));
        web_text(c, it->node.code);
        web_puts(c, " — ");
        web_text(c, it->node.label);
        counts(c, it);
        web_puts(c, "</summary>");
        if (it->end > i + 1)
            level(c, t, i + 1, it->end);
        else
            web_puts(c, "<p class=\"meta\">Aucune structure rattachée.</p>");
        web_puts(c, "</details></li>");
    }
    web_puts(c, "</ul>");
}

static int load(store *st, web_ctx *c, void *arg)
{
    const char *finess[ACCESS_MAX_EJ];
    for (size_t i = 0; i < c->scope.n && i < ACCESS_MAX_EJ; i++)
        finess[i] = c->scope.doms[i].finess;
    return structure_tree_load_in_tx(st, &c->actor, c->scope.scoped ? finess : NULL,
                                     c->scope.n, arg, &c->err);
}

int web_page_structures(web_ctx *c)
{
    structure_tree t;
    memset(&t, 0, sizeof t);
    if (web_tx(c, load, &t) != 0) {
        structure_tree_free(&t);
        return -1;
    }
    web_page_begin(c, "Structures et occupation des lits", "structures");
    if (t.n == 0) {
        web_puts(c, "<p>Aucune structure.</p>");
    } else {
        web_printf(c, "<p>%" PRId64 " lit%s, dont %" PRId64 " occupé%s.</p>", t.beds,
                   t.beds > 1 ? "s" : "", t.occupied, t.occupied > 1 ? "s" : "");
        level(c, &t, 0, t.n);
    }
    web_page_end(c);
    structure_tree_free(&t);
    return 0;
}
