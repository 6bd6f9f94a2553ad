/*
 * page_review.c - Doublons potentiels: the review queue (most likely
 * first), the side-by-side comparison of a pair with every trait, the
 * differences marked, the engine's per-field explanation, and the
 * decisions Fusionner / Pas un doublon / Plus tard with a comment
 * (core/review.h: every decision one transaction, audited).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/review.h"
#include "web/web_pages.h"

#define QUEUE_PAGE 50

static void scope_of(const web_ctx *c, review_scope *rs)
{
    memset(rs, 0, sizeof *rs);
    rs->restricted = c->scope.scoped;
    for (size_t i = 0; i < c->scope.n && rs->n < REVIEW_SCOPE_MAX; i++)
        rs->domains[rs->n++] = c->scope.doms[i].id;
}

static const char *status_label(review_status s)
{
    switch (s) {
    case REVIEW_OPEN:          return "À traiter";
    case REVIEW_LATER:         return "Reportée";
    case REVIEW_MERGED:        return "Fusionnées";
    case REVIEW_NOT_DUPLICATE: return "Pas un doublon";
    case REVIEW_OBSOLETE:      return "Sans objet";
    default:                   return "?";
    }
}

typedef struct queue_args {
    review_page page;
    review_detail *details;      /* page.n of them; found[i] says which are read */
    int *found;
} queue_args;

static int queue_fn(store *st, web_ctx *c, void *arg)
{
    queue_args *a = arg;
    review_scope rs;
    scope_of(c, &rs);
    review_query q = { .limit = QUEUE_PAGE };
    if (review_list(st, &c->actor, &rs, &q, &a->page, &c->err) != 0)
        return -1;
    a->details = calloc(a->page.n ? a->page.n : 1, sizeof *a->details);
    a->found = calloc(a->page.n ? a->page.n : 1, sizeof *a->found);
    if (a->details == NULL || a->found == NULL)
        abort();
    for (size_t i = 0; i < a->page.n; i++) {
        int f = review_get(st, &c->actor, &rs, a->page.items[i].id, &a->details[i], &c->err);
        if (f < 0)
            return -1;
        a->found[i] = f;
    }
    return 0;
}

static void person(web_ctx *c, const local_identity *li)
{
    web_text(c, li->traits.birth_name);
    web_puts(c, " ");
    web_text(c, li->traits.forenames);
    web_puts(c, "<br><span class=\"meta\">");
    web_date(c, li->traits.birth_date);
    web_puts(c, " – IPP ");
    web_text(c, li->ipp);
    web_puts(c, "</span>");
}

static void notice(web_ctx *c)
{
    static const struct { const char *code, *text; } done[] = {
        { "same", "Les deux identités ont été fusionnées (la fusion peut être annulée depuis "
                  "la fiche identité)." },
        { "not_same", "Décision enregistrée : ce n'est pas un doublon, la paire ne sera plus "
                      "proposée." },
        { "later", "La paire est reportée : elle reste dans la liste, après les autres." },
    };
    const char *f = web_param(c, "fait");
    for (size_t i = 0; f && i < sizeof done / sizeof done[0]; i++)
        if (strcmp(f, done[i].code) == 0)
            web_printf(c, "<p class=\"notice\">%s</p>", done[i].text);
    const char *e = web_param(c, "erreur");
    if (e != NULL)
        web_puts(c, "<p class=\"alert\">Décision impossible : la tâche a déjà été traitée, "
                    "ou n'existe plus.</p>");
}

int web_page_review_queue(web_ctx *c)
{
    queue_args a;
    memset(&a, 0, sizeof a);
    int rc = web_store(c, queue_fn, &a);
    if (rc == 0) {
        web_page_begin(c, "Doublons potentiels", "doublons");
        notice(c);
        web_printf(c, "<p>%" PRId64 " paire(s) à examiner, les plus probables d'abord.</p>",
                   a.page.total);
        if (a.page.n > 0) {
            web_puts(c, "<div class=\"table-wrap\"><table id=\"doublons\"><thead><tr>"
                        "<th scope=\"col\">Score</th><th scope=\"col\">Identité A</th>"
                        "<th scope=\"col\">Identité B</th><th scope=\"col\">État</th>"
                        "<th scope=\"col\">Proposée le</th><th scope=\"col\">Action</th>"
                        "</tr></thead><tbody>");
            for (size_t i = 0; i < a.page.n; i++) {
                const review_task *t = &a.page.items[i];
                web_printf(c, "<tr><td>%.1f</td><td>", t->score);
                if (a.found[i])
                    person(c, &a.details[i].a);
                web_puts(c, "</td><td>");
                if (a.found[i])
                    person(c, &a.details[i].b);
                web_printf(c, "</td><td>%s</td><td>", status_label(t->status));
                web_date(c, t->created_at);
                web_printf(c, "</td><td><a href=\"/doublons/%" PRId64 "\">Comparer"
                              "<span class=\"visually-hidden\"> la paire %" PRId64 "</span>"
                              "</a></td></tr>", t->id, t->id);
            }
            web_puts(c, "</tbody></table></div>");
        }
        web_page_end(c);
    }
    review_page_free(&a.page);
    free(a.details);
    free(a.found);
    return rc;
}

/* ---- One pair ------------------------------------------------------------- */

typedef struct pair_args {
    int64_t id;
    int found;
    review_detail d;
    id_domain dom_a, dom_b;
} pair_args;

static int pair_fn(store *st, web_ctx *c, void *arg)
{
    pair_args *a = arg;
    review_scope rs;
    scope_of(c, &rs);
    a->found = review_get(st, &c->actor, &rs, a->id, &a->d, &c->err);
    if (a->found <= 0)
        return a->found;
    if (store_begin(st, &c->err) != 0)
        return -1;
    int ok = store_domain_get(st, a->d.a.domain_id, &a->dom_a, &c->err) >= 0
          && store_domain_get(st, a->d.b.domain_id, &a->dom_b, &c->err) >= 0;
    store_rollback(st);  /* read only */
    return ok ? 0 : -1;
}

static void row(web_ctx *c, const char *label, const char *va, const char *vb, int date)
{
    int differ = strcmp(va, vb) != 0;
    web_printf(c, "<tr%s><th scope=\"row\">%s%s</th><td>", differ ? " class=\"differ\"" : "",
               label, differ ? " <span class=\"diff-mark\">différent</span>" : "");
    if (date) web_date(c, va); else web_text(c, va[0] ? va : "–");
    web_puts(c, "</td><td>");
    if (date) web_date(c, vb); else web_text(c, vb[0] ? vb : "–");
    web_puts(c, "</td></tr>");
}

static const char *translate(const char *text, const char *const (*table)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(text, table[i][0]) == 0)
            return table[i][1];
    return text;
}

static const char *const fields[][2] = {
    { "birth_name", "Nom de naissance" }, { "used_name", "Nom utilisé" },
    { "first_names", "Prénoms" }, { "birth_date", "Date de naissance" }, { "sex", "Sexe" },
    { "birth_place", "Lieu de naissance" }, { "ins", "INS" },
};

static const char *const levels[][2] = {
    { "n/a", "non comparable" }, { "exact", "identique" }, { "equal", "identique" },
    { "close", "proche" }, { "swapped", "inversé" }, { "phonetic", "phonétiquement proche" },
    { "different", "différent" }, { "same first", "même premier prénom" },
    { "partial", "en partie" }, { "day/month swapped", "jour et mois inversés" },
    { "one digit off", "un chiffre d'écart" }, { "same year", "même année" },
    { "same department", "même département" },
};

static void explanation(web_ctx *c, const review_task *t)
{
    web_puts(c, "<h2 id=\"explication\">Explication du moteur</h2>");
    web_printf(c, "<p>Score total : <strong>%.1f</strong>. ", t->score);
    web_text(c, t->reason);
    web_puts(c, "</p>");
    json_t *j = json_loads(t->explanation, 0, NULL);
    if (!json_is_array(j) || json_array_size(j) == 0) {
        web_puts(c, "<p>Pas de détail par champ.</p>");
        json_decref(j);
        return;
    }
    web_puts(c, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Champ</th>"
                "<th scope=\"col\">Comparaison</th><th scope=\"col\">Poids</th></tr></thead>"
                "<tbody>");
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *level = json_string_value(json_object_get(e, "level"));
        double w = json_number_value(json_object_get(e, "weight"));
        web_puts(c, "<tr><td>");
        web_text(c, field ? translate(field, fields, sizeof fields / sizeof fields[0]) : "?");
        web_puts(c, "</td><td>");
        web_text(c, level ? translate(level, levels, sizeof levels / sizeof levels[0]) : "?");
        web_printf(c, "</td><td class=\"%s\">%+.1f</td></tr>", w < 0 ? "neg" : "pos", w);
    }
    web_puts(c, "</tbody></table></div>");
    json_decref(j);
}

int web_page_review_pair(web_ctx *c)
{
    pair_args a;
    memset(&a, 0, sizeof a);
    a.id = web_patient_id(c);   /* the same "/x/{id}" capture */
    if (a.id <= 0) {
        web_error(c, 404, "Cette paire n'existe pas.");
        return 0;
    }
    if (web_store(c, pair_fn, &a) != 0)
        return -1;
    if (!a.found) {
        web_error(c, 404, "Cette paire n'existe pas ou ne concerne pas vos établissements.");
        return 0;
    }
    const local_identity *x = &a.d.a, *y = &a.d.b;
    char title[64];
    snprintf(title, sizeof title, "Doublon potentiel n° %" PRId64, a.id);
    web_page_begin(c, title, "doublons");
    web_printf(c, "<p>État : <strong>%s</strong>", status_label(a.d.task.status));
    if (a.d.task.decided_at[0]) {
        web_puts(c, " – décidé le ");
        web_date(c, a.d.task.decided_at);
        web_puts(c, " par ");
        web_text(c, a.d.task.decided_by);
    }
    web_puts(c, "</p>");
    char sx[2] = { x->traits.sex, 0 }, sy[2] = { y->traits.sex, 0 };
    web_puts(c, "<div class=\"table-wrap\"><table id=\"comparaison\"><caption>Comparaison des "
                "traits (les différences sont marquées « différent »)</caption><thead><tr>"
                "<th scope=\"col\">Trait</th>");
    web_printf(c, "<th scope=\"col\"><a href=\"/patient/%" PRId64 "\">Identité A</a></th>"
                  "<th scope=\"col\"><a href=\"/patient/%" PRId64 "\">Identité B</a></th>"
                  "</tr></thead><tbody>", x->ght_id, y->ght_id);
    row(c, "Établissement", a.dom_a.name, a.dom_b.name, 0);
    row(c, "IPP", x->ipp, y->ipp, 0);
    row(c, "Nom de naissance", x->traits.birth_name, y->traits.birth_name, 0);
    row(c, "Prénoms de naissance", x->traits.forenames, y->traits.forenames, 0);
    row(c, "Premier prénom", x->traits.first_forename, y->traits.first_forename, 0);
    row(c, "Date de naissance", x->traits.birth_date, y->traits.birth_date, 1);
    row(c, "Sexe", sx, sy, 0);
    row(c, "Lieu de naissance (INSEE)", x->traits.birth_place, y->traits.birth_place, 0);
    row(c, "Nom utilisé", x->traits.used_name, y->traits.used_name, 0);
    row(c, "Prénom utilisé", x->traits.used_forename, y->traits.used_forename, 0);
    row(c, "INS", x->ins, y->ins, 0);
    row(c, "Statut", web_status_label(x->status), web_status_label(y->status), 0);
    row(c, "Code postal", x->contact.postal_code, y->contact.postal_code, 0);
    row(c, "Ville", x->contact.city, y->contact.city, 0);
    web_puts(c, "</tbody></table></div>");
    explanation(c, &a.d.task);
    if (a.d.task.status == REVIEW_OPEN || a.d.task.status == REVIEW_LATER) {
        web_printf(c, "<h2 id=\"decision\">Décision</h2><form method=\"post\" "
                      "action=\"/doublons/%" PRId64 "\" class=\"panel decision\">", a.id);
        web_csrf_field(c);
        web_puts(c, "<div><label for=\"commentaire\">Commentaire <span class=\"hint\">"
                    "facultatif, conservé avec la décision</span></label>"
                    "<textarea id=\"commentaire\" name=\"commentaire\" rows=\"2\" "
                    "maxlength=\"500\"></textarea></div><p class=\"actions\">"
                    "<button type=\"submit\" name=\"decision\" value=\"same\" class=\"danger\">"
                    "Fusionner</button> <button type=\"submit\" name=\"decision\" "
                    "value=\"not_same\">Pas un doublon</button> <button type=\"submit\" "
                    "name=\"decision\" value=\"later\" class=\"secondary\">Plus tard</button>"
                    "</p></form>");
    }
    web_puts(c, "<p><a href=\"/doublons\">Retour à la liste</a></p>");
    web_page_end(c);
    return 0;
}

typedef struct decide_args {
    int64_t id;
    review_verdict verdict;
    const char *comment;
    int rc;
    socle_err cmd_err;
} decide_args;

static int decide_fn(store *st, web_ctx *c, void *arg)
{
    decide_args *a = arg;
    review_scope rs;
    scope_of(c, &rs);
    a->rc = review_decide(st, &c->actor, &rs, a->id, a->verdict, a->comment, NULL,
                          &a->cmd_err);
    return 0;
}

int web_page_review_decide(web_ctx *c)
{
    decide_args a = { .id = web_patient_id(c) };
    const char *verdict = web_param(c, "decision");
    const char *comment = web_param(c, "commentaire");
    if (a.id <= 0 || verdict == NULL || review_verdict_parse(verdict, &a.verdict) != 0
        || (comment && strlen(comment) >= SOCLE_REASON_MAX)) {
        web_error(c, 400, "Le formulaire envoyé est incomplet.");
        return 0;
    }
    a.comment = comment && comment[0] ? comment : NULL;
    err_clear(&a.cmd_err);
    if (web_store(c, decide_fn, &a) != 0)
        return -1;
    if (a.rc != 0) {
        if (a.cmd_err.code != SOCLE_ERULE && a.cmd_err.code != SOCLE_ENOTFOUND) {
            c->err = a.cmd_err;
            return -1;
        }
        web_redirect(c, "/doublons?erreur=1");
        return 0;
    }
    char to[64];
    snprintf(to, sizeof to, "/doublons?fait=%s", verdict);
    web_redirect(c, to);
    return 0;
}
