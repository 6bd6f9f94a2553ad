/*
 * page_journal.c - Journal d'accès (DPO and admin: the audit.read right):
 * the audit trail with its filters (a GET form, so a search can be
 * bookmarked), newest first with a link to older records, its CSV export,
 * and the hash chain's state (a quick check on every view, a full check
 * on request). Searches and exports are audited by audit/.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "web/web_pages.h"

#define PAGE_SIZE 50

/* The form's fields: name in the URL, label, the filter field it fills. */
typedef struct filter_field {
    const char *name;
    const char *label;
    const char *hint;
    const char *type;
    size_t offset;
    size_t size;
} filter_field;

#define F(name, label, hint, type, member) \
    { name, label, hint, type, offsetof(audit_filter, member), sizeof ((audit_filter *)0)->member }

static const filter_field fields[] = {
    F("du", "Du", "AAAA-MM-JJ", "date", from_date),
    F("au", "Au", "inclus", "date", to_date),
    F("acteur", "Acteur", "ex. web:dupont, hl7:GAM", "text", actor),
    F("action", "Action", "ex. identity.read ou identity.*", "text", action),
    F("type", "Type d'objet", "ex. local_identity", "text", object_type),
    F("objet", "Identifiant d'objet", NULL, "text", object_id),
};

static const char *param(const web_ctx *c, const char *name)
{
    const char *v = web_param(c, name);
    return v ? v : "";
}

/* The filter from the query; a value too long for its field is refused
 * rather than cut (a cut value would search for something else). */
static int read_filter(const web_ctx *c, audit_filter *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = param(c, fields[i].name);
        if (strlen(v) >= fields[i].size)
            return -1;
        memcpy((char *)f + fields[i].offset, v, strlen(v) + 1);
    }
    const char *outcome = param(c, "resultat");
    if (strlen(outcome) >= sizeof f->outcome)
        return -1;
    strcpy(f->outcome, outcome);
    const char *before = param(c, "avant");
    if (before[0] != '\0') {
        char *end;
        long long v = strtoll(before, &end, 10);
        if (*end != '\0' || v <= 0)
            return -1;
        f->before_seq = v;
    }
    f->limit = PAGE_SIZE;
    return 0;
}

/* The query string of the current filter (without paging), encoded. */
static void filter_query(const web_ctx *c, buf *q)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = param(c, fields[i].name);
        if (v[0] == '\0')
            continue;
        buf_printf(q, "%s%s=", q->len ? "&" : "", fields[i].name);
        web_url_encode(q, v);
    }
    const char *outcome = param(c, "resultat");
    if (outcome[0] != '\0') {
        buf_printf(q, "%sresultat=", q->len ? "&" : "");
        web_url_encode(q, outcome);
    }
}

static void form(web_ctx *c)
{
    web_puts(c, "<form method=\"get\" action=\"/journal\" class=\"grid panel\" "
                "aria-label=\"Filtres du journal\">");
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const filter_field *f = &fields[i];
        web_printf(c, "<div><label for=\"%s\">%s", f->name, f->label);
        if (f->hint)
            web_printf(c, " <span class=\"hint\">%s</span>", f->hint);
        web_printf(c, "</label><input type=\"%s\" id=\"%s\" name=\"%s\" value=\"", f->type,
                   f->name, f->name);
        web_text(c, param(c, f->name));
        web_puts(c, "\"></div>");
    }
    static const char *const outcomes[][2] = { { "", "Tous" }, { "success", "Succès" },
                                               { "failure", "Échec" }, { "denied", "Refusé" },
                                               { "unchanged", "Inchangé" },
                                               { "not-found", "Introuvable" } };
    const char *cur = param(c, "resultat");
    web_puts(c, "<div><label for=\"resultat\">Résultat</label>"
                "<select id=\"resultat\" name=\"resultat\">");
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        web_printf(c, "<option value=\"%s\"%s>%s</option>", outcomes[i][0],
                   strcmp(cur, outcomes[i][0]) == 0 ? " selected" : "", outcomes[i][1]);
    web_puts(c, "</select></div><div><button type=\"submit\">Filtrer</button></div></form>");
}

static const char *outcome_label(const char *o)
{
    if (strcmp(o, "success") == 0)
        return "Succès";
    if (strcmp(o, "failure") == 0)
        return "Échec";
    if (strcmp(o, "denied") == 0)
        return "Refusé";
    if (strcmp(o, "unchanged") == 0)
        return "Inchangé";
    if (strcmp(o, "not-found") == 0)
        return "Introuvable";
    return o;
}

static void chain_panel(web_ctx *c, const audit_chain_state *cs)
{
    web_puts(c, "<section aria-labelledby=\"chaine\" class=\"panel\"><h2 id=\"chaine\">"
                "Intégrité du journal</h2>");
    if (cs->first_broken)
        web_printf(c, "<p class=\"alert\" role=\"alert\">Chaîne rompue à l'enregistrement "
                      "n°&nbsp;%" PRId64 " : vérifiée jusqu'au n°&nbsp;%" PRId64 ". ",
                   cs->first_broken, cs->verified_to);
    else
        web_printf(c, "<p class=\"ok\">Chaîne intègre : %" PRId64 " enregistrement%s vérifié%s"
                      " (jusqu'au n°&nbsp;%" PRId64 ").", cs->verified_to,
                   cs->verified_to > 1 ? "s" : "", cs->verified_to > 1 ? "s" : "",
                   cs->verified_to);
    if (cs->first_broken) {
        web_puts(c, "Motif : ");
        web_text(c, cs->reason);
    }
    web_puts(c, "</p><p class=\"meta\">");
    web_puts(c, cs->full ? "Vérification complète" : "Vérification des ajouts depuis la "
                                                     "précédente");
    web_puts(c, " le ");
    web_date(c, cs->checked_at);
    web_puts(c, ". Dernière vérification complète : ");
    if (cs->last_full_at[0])
        web_date(c, cs->last_full_at);
    else
        web_puts(c, "jamais");
    web_puts(c, ".</p><form method=\"post\" action=\"/journal/verifier\">");
    web_csrf_field(c);
    web_puts(c, "<button type=\"submit\">Vérifier toute la chaîne</button></form></section>");
}

static void results(web_ctx *c, const audit_page *p)
{
    web_printf(c, "<p>%s%" PRId64 " enregistrement%s.</p>", p->total_capped ? "Plus de " : "",
               p->total, p->total > 1 ? "s" : "");
    buf q = {0};
    filter_query(c, &q);
    web_puts(c, "<p><a href=\"/journal.csv");
    if (q.len) {
        web_puts(c, "?");
        web_text(c, buf_cstr(&q));
    }
    web_puts(c, "\" download>Exporter en CSV</a></p>");
    web_puts(c, "<div class=\"table-wrap\"><table id=\"journal\"><caption>Journal d'accès, du "
                "plus récent au plus ancien</caption><thead><tr><th scope=\"col\">N°</th>"
                "<th scope=\"col\">Horodatage (UTC)</th><th scope=\"col\">Acteur</th>"
                "<th scope=\"col\">Rôle</th><th scope=\"col\">Action</th>"
                "<th scope=\"col\">Type d'objet</th><th scope=\"col\">Objet</th>"
                "<th scope=\"col\">Résultat</th><th scope=\"col\">Détail</th></tr></thead><tbody>");
    for (size_t i = 0; i < p->count; i++) {
        const audit_record *r = &p->records[i];
        web_printf(c, "<tr><td>%" PRId64 "</td><td>", r->seq);
        web_text(c, r->at);
        const char *cols[] = { r->actor, r->role, r->action, r->object_type, r->object_id };
        for (size_t k = 0; k < 5; k++) {
            web_puts(c, "</td><td>");
            web_text(c, cols[k]);
        }
        web_puts(c, "</td><td>");
        web_text(c, outcome_label(r->outcome));
        web_puts(c, "</td><td>");
        web_text(c, r->detail);
        web_puts(c, "</td></tr>");
    }
    web_puts(c, "</tbody></table></div>");
    if (p->more) {
        web_puts(c, "<p><a rel=\"next\" href=\"/journal?");
        if (q.len) {
            web_text(c, buf_cstr(&q));
            web_puts(c, "&amp;");
        }
        web_printf(c, "avant=%" PRId64 "\">Enregistrements plus anciens</a></p>", p->next_before);
    }
    buf_free(&q);
}

typedef struct journal_args {
    audit_filter f;
    audit_page page;
    audit_chain_state chain;
    int full;
    int bad_filter;
    buf csv;
} journal_args;

static int search(store *st, web_ctx *c, void *arg)
{
    journal_args *a = arg;
    if (audit_chain_check(st, a->full, &a->chain, &c->err) != 0)
        return -1;
    if (audit_search_in_tx(st, &c->actor, &a->f, &a->page, &c->err) == 0)
        return 0;
    if (c->err.code != SOCLE_EINVAL)
        return -1;
    a->bad_filter = 1;  /* the user's mistake: said on the page */
    err_clear(&c->err);
    return 0;
}

static int render(web_ctx *c, journal_args *a)
{
    if (web_tx(c, search, a) != 0) {
        audit_page_free(&a->page);
        return -1;
    }
    web_page_begin(c, "Journal d'accès", "journal");
    chain_panel(c, &a->chain);
    form(c);
    if (a->bad_filter)
        web_puts(c, "<p class=\"alert\" role=\"alert\">Filtres invalides : vérifiez les dates "
                    "(AAAA-MM-JJ, la seconde après la première) et l'action (un préfixe avant "
                    "« * »).</p>");
    else
        results(c, &a->page);
    web_page_end(c);
    audit_page_free(&a->page);
    return 0;
}

int web_page_journal(web_ctx *c)
{
    journal_args a;
    memset(&a, 0, sizeof a);
    if (read_filter(c, &a.f) != 0) {
        web_error(c, 400, "Filtres du journal invalides.");
        return 0;
    }
    return render(c, &a);
}

/* POST: the full walk of the chain, shown on the journal page at once (a
 * redirect would show the next quick check instead). */
int web_page_journal_verify(web_ctx *c)
{
    journal_args a;
    memset(&a, 0, sizeof a);
    a.full = 1;
    a.f.limit = PAGE_SIZE;
    return render(c, &a);
}

static int export(store *st, web_ctx *c, void *arg)
{
    journal_args *a = arg;
    size_t rows;
    int truncated;
    if (audit_export_csv_in_tx(st, &c->actor, &a->f, &a->csv, &rows, &truncated, &c->err) == 0)
        return 0;
    if (c->err.code != SOCLE_EINVAL)
        return -1;
    a->bad_filter = 1;
    err_clear(&c->err);
    return 0;
}

int web_page_journal_csv(web_ctx *c)
{
    journal_args a;
    memset(&a, 0, sizeof a);
    if (read_filter(c, &a.f) != 0) {
        web_error(c, 400, "Filtres du journal invalides.");
        return 0;
    }
    if (web_tx(c, export, &a) != 0) {
        buf_free(&a.csv);
        return -1;
    }
    if (a.bad_filter) {
        buf_free(&a.csv);
        web_error(c, 400, "Filtres du journal invalides.");
        return 0;
    }
    web_download(c, "text/csv; charset=utf-8", "journal-acces.csv", &a.csv);
    return 0;
}
