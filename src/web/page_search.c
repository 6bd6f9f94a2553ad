/*
 * page_search.c - Recherche patient: by traits (exact, prefix or
 * phonetic), INS, IPP or NDA, within the account's establishments.
 *
 * Phonetic search: the French Soundex2 key (match/phonetic.h) of the name
 * typed is compared with the keys of the birth and used names of the
 * candidates, found by birth date when one is given, else by the first
 * letter of the name; at most PHONETIC_SCAN candidates are examined (the
 * page says so when there were more: add the birth date).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/identity_search.h"
#include "core/rniv.h"
#include "core/stay_read.h"
#include "match/phonetic.h"
#include "web/web_pages.h"

#define PHONETIC_SCAN 1000
#define NDA_MAX 20

static const char *param(const web_ctx *c, const char *name)
{
    const char *v = web_param(c, name);
    return v ? v : "";
}

static void field(web_ctx *c, const char *id, const char *label, const char *hint,
                  const char *type)
{
    web_printf(c, "<div><label for=\"%s\">%s", id, label);
    if (hint)
        web_printf(c, " <span class=\"hint\">%s</span>", hint);
    web_printf(c, "</label><input type=\"%s\" id=\"%s\" name=\"%s\" value=\"", type, id, id);
    web_text(c, param(c, id));
    web_puts(c, "\"></div>");
}

static void search_form(web_ctx *c)
{
    web_puts(c, "<form method=\"get\" action=\"/recherche\" class=\"grid panel\" "
                "role=\"search\" aria-label=\"Recherche de patients\">");
    field(c, "nom", "Nom", "de naissance ou utilisé", "text");
    field(c, "prenom", "Prénom", NULL, "text");
    field(c, "naissance", "Date de naissance", "AAAA-MM-JJ", "date");
    const char *sex = param(c, "sexe");
    web_puts(c, "<div><label for=\"sexe\">Sexe</label><select id=\"sexe\" name=\"sexe\">");
    static const char *const opts[][2] = { { "", "Indifférent" }, { "F", "Féminin" },
                                           { "M", "Masculin" }, { "U", "Inconnu" } };
    for (size_t i = 0; i < 4; i++)
        web_printf(c, "<option value=\"%s\"%s>%s</option>", opts[i][0],
                   strcmp(sex, opts[i][0]) == 0 ? " selected" : "", opts[i][1]);
    web_puts(c, "</select></div>");
    field(c, "ins", "INS", "matricule à 15 caractères", "text");
    field(c, "ipp", "IPP", NULL, "text");
    field(c, "nda", "NDA", "numéro de dossier", "text");
    web_printf(c, "<div><label class=\"checkbox\"><input type=\"checkbox\" name=\"phonetique\" "
                  "value=\"1\"%s> Recherche phonétique du nom</label></div>",
               param(c, "phonetique")[0] ? " checked" : "");
    web_puts(c, "<div><button type=\"submit\">Rechercher</button></div></form>");
}

static void render_hit(web_ctx *c, const identity_hit *h)
{
    const local_identity *li = &h->locals[h->best].li;
    web_printf(c, "<tr><td><a href=\"/patient/%" PRId64 "\">", h->ght_id);
    web_text(c, li->traits.birth_name);
    web_puts(c, "</a></td><td>");
    web_text(c, li->traits.used_name);
    web_puts(c, "</td><td>");
    web_text(c, li->traits.forenames);
    web_puts(c, "</td><td>");
    web_date(c, li->traits.birth_date);
    web_printf(c, "</td><td>%c</td><td>", li->traits.sex);
    web_status_badge(c, li->status);
    web_puts(c, "</td><td>");
    for (size_t i = 0; i < h->n_locals; i++) {
        if (!access_scope_has_oid(&c->scope, h->locals[i].domain_oid))
            continue;  /* another establishment's IPP is not this account's business */
        web_puts(c, "<div>");
        web_text(c, h->locals[i].li.ipp);
        web_puts(c, " <span class=\"meta\">");
        web_text(c, h->locals[i].domain_name);
        web_puts(c, "</span></div>");
    }
    web_puts(c, "</td></tr>");
}

static void table_begin(web_ctx *c, const char *caption)
{
    web_puts(c, "<div class=\"table-wrap\"><table id=\"resultats\"><caption>");
    web_text(c, caption);
    web_puts(c, "</caption><thead><tr><th scope=\"col\">Nom de naissance</th>"
                "<th scope=\"col\">Nom utilisé</th><th scope=\"col\">Prénoms</th>"
                "<th scope=\"col\">Naissance</th><th scope=\"col\">Sexe</th>"
                "<th scope=\"col\">Statut</th><th scope=\"col\">IPP</th></tr></thead><tbody>");
}

static void table_end(web_ctx *c)
{
    web_puts(c, "</tbody></table></div>");
}

typedef struct search_args {
    identity_search_criteria crit;
    int phonetic;
    char key[PHONETIC_LEN + 1];
    const char *nda;
    int out_of_scope;
} search_args;

static int phonetic_match(const identity_hit *h, const char *key)
{
    for (size_t i = 0; i < h->n_locals; i++) {
        const identity_traits *t = &h->locals[i].li.traits;
        const char *names[2] = { t->birth_name, t->used_name };
        for (size_t k = 0; k < 2; k++) {
            char norm[SOCLE_NAME_MAX], code[PHONETIC_LEN + 1];
            if (names[k][0] == '\0' || rniv_normalize_name(names[k], norm, sizeof norm) != 0)
                continue;
            phonetic_encode(norm, code, sizeof code);
            if (strcmp(code, key) == 0)
                return 1;
        }
    }
    return 0;
}

/* Criteria refused by core (bad INS, unknown domain) are the user's
 * mistake, not a failure: say so on the page. */
static int search_failed(web_ctx *c)
{
    if (c->err.code != SOCLE_EINVAL && c->err.code != SOCLE_ENOTFOUND)
        return -1;
    web_puts(c, "<p class=\"alert\">Recherche impossible : critères invalides.</p>");
    err_clear(&c->err);
    return 0;
}

static int by_nda(store *st, web_ctx *c, search_args *a)
{
    stay_search_criteria sc;
    memset(&sc, 0, sizeof sc);
    str_copy(sc.nda, sizeof sc.nda, a->nda);
    if (c->scope.scoped) {
        sc.restrict_domains = 1;
        for (size_t i = 0; i < c->scope.n && i < STAY_SEARCH_DOMAINS_MAX; i++)
            sc.in_domains[sc.n_in_domains++] = c->scope.doms[i].id;
    }
    sc.limit = NDA_MAX;
    stay_search_result r;
    if (stay_search_in_tx(st, &c->actor, &sc, &r, &c->err) != 0) {
        stay_search_result_free(&r);
        return search_failed(c);
    }
    table_begin(c, "Patients du NDA");
    size_t shown = 0;
    for (size_t i = 0; i < r.count; i++) {
        identity_search_criteria ic;
        memset(&ic, 0, sizeof ic);
        ic.ght_id = r.stays[i].ght_id;
        identity_search_result ir;
        memset(&ir, 0, sizeof ir);
        if (ic.ght_id > 0 && identity_search_in_tx(st, &c->actor, &ic, &ir, &c->err) != 0) {
            identity_search_result_free(&ir);
            stay_search_result_free(&r);
            return -1;
        }
        for (size_t k = 0; k < ir.count; k++, shown++)
            render_hit(c, &ir.hits[k]);
        identity_search_result_free(&ir);
    }
    table_end(c);
    if (shown == 0)
        web_puts(c, "<p>Aucun patient ne correspond.</p>");
    stay_search_result_free(&r);
    return 0;
}

static int search_fn(store *st, web_ctx *c, void *arg)
{
    search_args *a = arg;
    if (a->out_of_scope) {
        web_puts(c, "<p>Aucun patient ne correspond.</p>");
        return 0;
    }
    if (a->nda[0] != '\0')
        return by_nda(st, c, a);
    identity_search_result r;
    memset(&r, 0, sizeof r);
    size_t scanned = 0, shown = 0;
    int more = 0;
    table_begin(c, "Résultats");
    for (;;) {
        if (identity_search_in_tx(st, &c->actor, &a->crit, &r, &c->err) != 0) {
            identity_search_result_free(&r);
            table_end(c);
            return search_failed(c);
        }
        for (size_t i = 0; i < r.count; i++) {
            if (a->phonetic && !phonetic_match(&r.hits[i], a->key))
                continue;
            render_hit(c, &r.hits[i]);
            shown++;
        }
        scanned += r.count;
        more = r.more;
        a->crit.after_ght_id = r.last_ght_id;
        identity_search_result_free(&r);
        if (!a->phonetic || !more || scanned >= PHONETIC_SCAN)
            break;
    }
    table_end(c);
    if (shown == 0)
        web_puts(c, "<p>Aucun patient ne correspond.</p>");
    else
        web_printf(c, "<p class=\"meta\">%zu patient(s).</p>", shown);
    if (more)
        web_puts(c, "<p class=\"alert\">D'autres patients correspondent : précisez la "
                    "recherche (date de naissance, prénom).</p>");
    return 0;
}

int web_page_search(web_ctx *c)
{
    web_page_begin(c, "Recherche patient", "recherche");
    search_form(c);
    search_args a;
    memset(&a, 0, sizeof a);
    identity_search_criteria *k = &a.crit;
    const char *nom = param(c, "nom"), *prenom = param(c, "prenom");
    const char *naissance = param(c, "naissance"), *sexe = param(c, "sexe");
    const char *ins = param(c, "ins"), *ipp = param(c, "ipp");
    a.nda = param(c, "nda");
    a.phonetic = param(c, "phonetique")[0] != '\0' && nom[0] != '\0';
    int any = nom[0] || prenom[0] || naissance[0] || ins[0] || ipp[0] || a.nda[0];
    if (!any) {
        if (sexe[0] || param(c, "phonetique")[0])
            web_puts(c, "<p class=\"alert\">Saisissez au moins un nom, un prénom, une date "
                        "de naissance, un INS, un IPP ou un NDA.</p>");
        web_page_end(c);
        return 0;
    }
    int bad = 0;
    bad |= str_copy(k->given, sizeof k->given, prenom);
    k->given_prefix = 1;
    bad |= str_copy(k->birth_date, sizeof k->birth_date, naissance);
    bad |= str_copy(k->ins, sizeof k->ins, ins);
    bad |= str_copy(k->ipp, sizeof k->ipp, ipp);
    if (strlen(a.nda) >= SOCLE_CODE_MAX)
        bad = 1;
    if (sexe[0] == 'F' || sexe[0] == 'M' || sexe[0] == 'U')
        k->sex = sexe[0];
    if (a.phonetic) {
        char norm[SOCLE_NAME_MAX];
        if (rniv_normalize_name(nom, norm, sizeof norm) != 0)
            bad = 1;
        phonetic_encode(norm, a.key, sizeof a.key);
        if (a.key[0] == '\0')
            bad = 1;
        else if (k->birth_date[0] == '\0') {
            k->family[0] = norm[0];   /* candidates: the names of the same initial */
            k->family[1] = '\0';
            k->family_prefix = 1;
        }
    } else {
        bad |= str_copy(k->family, sizeof k->family, nom);
        k->family_prefix = 1;
    }
    if (bad) {
        web_puts(c, "<p class=\"alert\">Un critère est trop long ou mal formé.</p>");
        web_page_end(c);
        return 0;
    }
    a.out_of_scope = access_scope_restrict_search(&c->scope, k) != 0;
    if (web_tx(c, search_fn, &a) != 0)
        return -1;
    web_page_end(c);
    return 0;
}
