/*
 * page_patient.c - Fiche identité: traits, status and attributes, local
 * identities (IPP per establishment), stays and movements, merges with
 * their Défusionner action, the RNIV actions, and the timeline of every
 * change. A patient outside the account's establishments is refused (403,
 * audited), whether reached from a search or by its URL.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/identity_search.h"
#include "core/identity_view.h"
#include "core/stay_read.h"
#include "web/web_pages.h"

typedef struct patient_args {
    int64_t ght_id;
    int found;
    int denied;
} patient_args;

static const char *action_label(const char *a)
{
    static const struct { const char *action, *label; } labels[] = {
        { "identity.create", "Création de l'identité locale" },
        { "identity.update", "Mise à jour des traits" },
        { "identity.insi", "Vérification INSi" },
        { "identity.proof", "Justificatif d'identité enregistré" },
        { "identity.attribute", "Attribut modifié" },
        { "identity.remove_ins", "INS retiré" },
        { "identity.ipp_change", "Changement d'IPP" },
        { "local.merge", "Fusion d'IPP par l'établissement" },
        { "ght.create", "Création de l'identité GHT" },
        { "ght.merge", "Fusion dans une autre identité" },
        { "ght.unmerge", "Défusion" },
        { "ght.retire", "Identité retirée" },
        { "link.create", "Rattachement d'une identité locale" },
        { "link.end", "Fin de rattachement" },
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(a, labels[i].action) == 0)
            return labels[i].label;
    return a;
}

static const char *field_label(const char *k)
{
    static const struct { const char *key, *label; } labels[] = {
        { "birth_name", "nom de naissance" }, { "used_name", "nom utilisé" },
        { "first_forename", "premier prénom" }, { "forenames", "prénoms" },
        { "used_forename", "prénom utilisé" }, { "birth_date", "date de naissance" },
        { "sex", "sexe" }, { "birth_place", "lieu de naissance" }, { "ins", "INS" },
        { "status", "statut" }, { "attributes", "attributs" }, { "ipp", "IPP" },
        { "insi_verified", "vérifié INSi" }, { "proof_type", "justificatif" },
        { "state", "état" }, { "merged_into", "fusionnée dans" }, { "ght_id", "identité GHT" },
        { "address", "adresse" }, { "city", "ville" }, { "postal_code", "code postal" },
        { "phone", "téléphone" }, { "email", "courriel" },
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(k, labels[i].key) == 0)
            return labels[i].label;
    return k;
}

static void value_text(web_ctx *c, json_t *v)
{
    if (v == NULL || json_is_null(v)) {
        web_puts(c, "∅");
    } else if (json_is_string(v)) {
        web_text(c, json_string_length(v) ? json_string_value(v) : "∅");
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        web_text(c, s ? s : "");
        free(s);
    }
}

/* The fields that changed between two snapshots (one level of nesting). */
static void render_changes(web_ctx *c, json_t *before, json_t *after)
{
    const char *key;
    json_t *a;
    json_object_foreach(after, key, a) {
        json_t *b = json_object_get(before, key);
        if (json_is_object(a) && json_is_object(b)) {
            render_changes(c, b, a);
            continue;
        }
        if (b != NULL && json_equal(a, b))
            continue;
        if (strcmp(key, "id") == 0 || strcmp(key, "insi_at") == 0)
            continue;
        web_puts(c, "<li>");
        web_text(c, field_label(key));
        web_puts(c, " : ");
        value_text(c, b);
        web_puts(c, " → ");
        value_text(c, a);
        web_puts(c, "</li>");
    }
}

static void render_timeline(web_ctx *c, const identity_timeline *t)
{
    web_puts(c, "<h2 id=\"historique\">Historique</h2>");
    if (t->n == 0) {
        web_puts(c, "<p>Aucun changement enregistré.</p>");
        return;
    }
    web_puts(c, "<ol class=\"timeline\">");
    for (size_t i = 0; i < t->n; i++) {
        const history_entry *h = &t->v[i].h;
        web_puts(c, "<li><strong>");
        web_text(c, action_label(h->action));
        web_puts(c, "</strong> <span class=\"meta\">");
        web_date(c, h->at);
        web_puts(c, " – ");
        web_text(c, h->actor);
        if (h->reason[0]) {
            web_puts(c, " – ");
            web_text(c, h->reason);
        }
        web_puts(c, "</span>");
        if (h->before_json && h->after_json) {
            json_t *b = json_loads(h->before_json, 0, NULL);
            json_t *a = json_loads(h->after_json, 0, NULL);
            if (json_is_object(a) && json_is_object(b)) {
                web_puts(c, "<ul class=\"changes\">");
                render_changes(c, b, a);
                web_puts(c, "</ul>");
            }
            json_decref(a);
            json_decref(b);
        }
        web_puts(c, "</li>");
    }
    web_puts(c, "</ol>");
}

static void attributes(web_ctx *c, unsigned attrs)
{
    if (attrs & RNIV_ATTR_DOUBTFUL)
        web_puts(c, " <span class=\"badge badge-attr\">Douteuse</span>");
    if (attrs & RNIV_ATTR_FICTITIOUS)
        web_puts(c, " <span class=\"badge badge-attr\">Fictive</span>");
    if (attrs & RNIV_ATTR_HOMONYM)
        web_puts(c, " <span class=\"badge badge-attr\">Homonyme</span>");
}

static void trait(web_ctx *c, const char *label, const char *value)
{
    web_printf(c, "<dt>%s</dt><dd>", label);
    web_text(c, value && value[0] ? value : "–");
    web_puts(c, "</dd>");
}

static void render_identity(web_ctx *c, const identity_hit *h)
{
    const local_identity *li = &h->locals[h->best].li;
    const identity_traits *t = &li->traits;
    char sex[2] = { t->sex, '\0' };
    web_puts(c, "<section class=\"panel\" aria-labelledby=\"traits\"><h2 id=\"traits\">"
                "Traits d'identité</h2><dl class=\"traits\">");
    trait(c, "Nom de naissance", t->birth_name);
    trait(c, "Prénoms de naissance", t->forenames);
    trait(c, "Date de naissance", t->birth_date);
    trait(c, "Sexe", sex);
    trait(c, "Lieu de naissance (INSEE)", t->birth_place);
    trait(c, "Nom utilisé", t->used_name);
    trait(c, "Prénom utilisé", t->used_forename);
    trait(c, "INS (qualifié)", h->ins);
    web_puts(c, "<dt>Statut</dt><dd>");
    web_status_badge(c, li->status);
    attributes(c, li->attributes);
    web_puts(c, "</dd></dl></section>");
}

static void render_locals(web_ctx *c, int64_t ght_id, const identity_hit *h)
{
    int qualify = web_can(c, RIGHT_IDENTITY_QUALIFY);
    web_puts(c, "<h2 id=\"ipp\">Identités locales (IPP par établissement)</h2>"
                "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Établissement"
                "</th><th scope=\"col\">IPP</th><th scope=\"col\">Nom, prénoms, naissance</th>"
                "<th scope=\"col\">Statut</th><th scope=\"col\">INS</th>"
                "<th scope=\"col\">Justificatif</th>");
    if (qualify)
        web_puts(c, "<th scope=\"col\">Actions RNIV</th>");
    web_puts(c, "</tr></thead><tbody>");
    for (size_t i = 0; i < h->n_locals; i++) {
        const identity_hit_local *l = &h->locals[i];
        if (!access_scope_has_oid(&c->scope, l->domain_oid))
            continue;
        web_puts(c, "<tr><td>");
        web_text(c, l->domain_name);
        web_puts(c, "</td><td>");
        web_text(c, l->li.ipp);
        web_puts(c, "</td><td>");
        web_text(c, l->li.traits.birth_name);
        web_puts(c, " ");
        web_text(c, l->li.traits.forenames);
        web_puts(c, ", ");
        web_date(c, l->li.traits.birth_date);
        web_puts(c, "</td><td>");
        web_status_badge(c, l->li.status);
        attributes(c, l->li.attributes);
        web_puts(c, "</td><td>");
        web_text(c, l->li.ins[0] ? l->li.ins : "–");
        if (l->li.insi_verified)
            web_puts(c, " <span class=\"meta\">(INSi)</span>");
        web_puts(c, "</td><td>");
        web_text(c, l->li.proof_type[0] ? l->li.proof_type : "–");
        web_puts(c, "</td>");
        if (qualify) {
            web_printf(c, "<td class=\"actions\"><form method=\"post\" "
                          "action=\"/patient/%" PRId64 "/preuve\">", ght_id);
            web_csrf_field(c);
            web_printf(c, "<input type=\"hidden\" name=\"local\" value=\"%" PRId64 "\">"
                          "<label for=\"doc-%" PRId64 "\">Justificatif vu</label>"
                          "<select id=\"doc-%" PRId64 "\" name=\"document\">"
                          "<option value=\"CN\">Carte nationale d'identité</option>"
                          "<option value=\"PA\">Passeport</option>"
                          "<option value=\"CE\">Carte d'identité européenne</option>"
                          "<option value=\"CS\">Carte de séjour</option>"
                          "<option value=\"AN\">Acte de naissance</option>"
                          "<option value=\"LE\">Livret de famille</option>"
                          "<option value=\"PC\">Permis de conduire</option>"
                          "</select><button type=\"submit\" class=\"secondary\">Enregistrer"
                          "</button></form>",
                       l->li.id, l->li.id, l->li.id);
            web_printf(c, "<form method=\"post\" action=\"/patient/%" PRId64 "/attribut\">",
                       ght_id);
            web_csrf_field(c);
            int doubtful = (l->li.attributes & RNIV_ATTR_DOUBTFUL) != 0;
            web_printf(c, "<input type=\"hidden\" name=\"local\" value=\"%" PRId64 "\">"
                          "<input type=\"hidden\" name=\"attribut\" value=\"douteuse\">"
                          "<input type=\"hidden\" name=\"valeur\" value=\"%d\">"
                          "<label for=\"motif-a-%" PRId64 "\">Motif</label>"
                          "<input type=\"text\" id=\"motif-a-%" PRId64 "\" name=\"motif\" "
                          "required><button type=\"submit\" class=\"secondary\">%s</button>"
                          "</form></td>",
                       l->li.id, !doubtful, l->li.id, l->li.id,
                       doubtful ? "Lever « douteuse »" : "Marquer douteuse");
        }
        web_puts(c, "</tr>");
    }
    web_puts(c, "</tbody></table></div>");
}

static void render_merges(web_ctx *c, int64_t ght_id, const identity_merge_rec *m, size_t n)
{
    web_puts(c, "<h2 id=\"fusions\">Fusions et défusions</h2>");
    if (n == 0) {
        web_puts(c, "<p>Aucune fusion.</p>");
        return;
    }
    int can = web_can(c, RIGHT_IDENTITY_UNMERGE);
    web_puts(c, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Date</th>"
                "<th scope=\"col\">Identité conservée</th><th scope=\"col\">Identité absorbée"
                "</th><th scope=\"col\">Par, motif</th><th scope=\"col\">État</th></tr></thead>"
                "<tbody>");
    for (size_t i = 0; i < n; i++) {
        web_puts(c, "<tr><td>");
        web_date(c, m[i].at);
        web_printf(c, "</td><td><a href=\"/patient/%" PRId64 "\">%" PRId64 "</a></td>"
                      "<td><a href=\"/patient/%" PRId64 "\">%" PRId64 "</a></td><td>",
                   m[i].survivor_id, m[i].survivor_id, m[i].absorbed_id, m[i].absorbed_id);
        web_text(c, m[i].actor);
        web_puts(c, " – ");
        web_text(c, m[i].reason);
        web_puts(c, "</td><td>");
        if (m[i].undone) {
            web_puts(c, "Défusionnée le ");
            web_date(c, m[i].undone_at);
            web_puts(c, " par ");
            web_text(c, m[i].undone_by);
        } else if (can && m[i].survivor_id == ght_id) {
            web_printf(c, "<form method=\"post\" class=\"actions\" action=\"/patient/%" PRId64
                          "/defusionner\" data-confirm=\"Défusionner ces deux identités ?\">",
                       ght_id);
            web_csrf_field(c);
            web_printf(c, "<input type=\"hidden\" name=\"fusion\" value=\"%" PRId64 "\">"
                          "<label for=\"motif-f-%" PRId64 "\">Motif</label>"
                          "<input type=\"text\" id=\"motif-f-%" PRId64 "\" name=\"motif\" "
                          "required><button type=\"submit\" class=\"danger\">Défusionner"
                          "</button></form>",
                       m[i].id, m[i].id, m[i].id);
        } else {
            web_puts(c, "En vigueur");
        }
        web_puts(c, "</td></tr>");
    }
    web_puts(c, "</tbody></table></div>");
}

static int render_stays(store *st, web_ctx *c, int64_t ght_id)
{
    stay_search_criteria sc;
    memset(&sc, 0, sizeof sc);
    sc.ght_id = ght_id;
    if (c->scope.scoped) {
        sc.restrict_domains = 1;
        for (size_t i = 0; i < c->scope.n && i < STAY_SEARCH_DOMAINS_MAX; i++)
            sc.in_domains[sc.n_in_domains++] = c->scope.doms[i].id;
    }
    stay_search_result r;
    if (stay_search_in_tx(st, &c->actor, &sc, &r, &c->err) != 0) {
        stay_search_result_free(&r);
        return -1;
    }
    static const char *const status[] = { "Pré-admission", "En cours", "Terminé", "Annulé" };
    web_puts(c, "<h2 id=\"sejours\">Séjours et mouvements</h2>");
    if (r.count == 0)
        web_puts(c, "<p>Aucun séjour.</p>");
    for (size_t i = 0; i < r.count; i++) {
        const stay_view *v = &r.stays[i];
        web_puts(c, "<div class=\"panel\"><p><strong>NDA ");
        web_text(c, v->stay.nda);
        web_puts(c, "</strong> – ");
        web_text(c, v->domain.name);
        web_printf(c, " – %s", (unsigned)v->stay.status < 4 ? status[v->stay.status] : "?");
        web_puts(c, " – admission ");
        web_date(c, v->stay.admit_at[0] ? v->stay.admit_at : "–");
        web_puts(c, ", sortie ");
        web_date(c, v->stay.discharge_at[0] ? v->stay.discharge_at : "–");
        web_puts(c, ", UF ");
        web_text(c, v->stay.location.uf[0] ? v->stay.location.uf : "–");
        web_puts(c, "</p>");
        if (v->n_moves) {
            web_puts(c, "<table><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">"
                        "Mouvement</th><th scope=\"col\">UF</th><th scope=\"col\">Chambre, lit"
                        "</th></tr></thead><tbody>");
            for (size_t k = 0; k < v->n_moves; k++) {
                const movement *mv = &v->moves[k];
                web_puts(c, "<tr><td>");
                web_date(c, mv->effective_at);
                web_puts(c, "</td><td>");
                web_text(c, mv->trigger);
                web_puts(c, "</td><td>");
                web_text(c, mv->location.uf);
                web_puts(c, "</td><td>");
                web_text(c, mv->location.room);
                web_puts(c, " ");
                web_text(c, mv->location.bed);
                web_puts(c, "</td></tr>");
            }
            web_puts(c, "</tbody></table>");
        }
        web_puts(c, "</div>");
    }
    stay_search_result_free(&r);
    return 0;
}

static void notice(web_ctx *c)
{
    static const struct { const char *code, *text; } done[] = {
        { "defusion", "La fusion a été annulée : les deux identités sont à nouveau distinctes." },
        { "preuve", "Le justificatif d'identité a été enregistré." },
        { "attribut", "L'attribut a été modifié." },
    };
    static const struct { const char *code, *text; } errors[] = {
        { "regle", "Action refusée : elle enfreint une règle de l'identitovigilance (RNIV) "
                   "ou de fusion." },
        { "invalide", "Action refusée : une valeur est invalide ou le motif manque." },
        { "introuvable", "Action impossible : l'élément n'existe pas ou plus." },
        { "conflit", "L'identité a changé entre-temps : rechargez la page et recommencez." },
    };
    const char *f = web_param(c, "fait"), *e = web_param(c, "erreur");
    for (size_t i = 0; f && i < sizeof done / sizeof done[0]; i++)
        if (strcmp(f, done[i].code) == 0)
            web_printf(c, "<p class=\"notice\">%s</p>", done[i].text);
    for (size_t i = 0; e && i < sizeof errors / sizeof errors[0]; i++)
        if (strcmp(e, errors[i].code) == 0)
            web_printf(c, "<p class=\"alert\">%s</p>", errors[i].text);
}

static int patient_fn(store *st, web_ctx *c, void *arg)
{
    patient_args *a = arg;
    identity_patient p;
    int found = identity_patient_read_in_tx(st, &c->actor, a->ght_id, &p, &c->err);
    if (found <= 0) {
        identity_patient_free(&p);
        return found;
    }
    a->found = 1;
    const identity_hit *h = p.ght.state == GHT_ACTIVE ? &p.hit : &p.survivor_hit;
    if (!access_scope_has_hit(&c->scope, h)) {
        /* The read is not recorded as a success: the refusal is. */
        identity_patient_free(&p);
        a->denied = 1;
        store_rollback(st);
        if (store_begin(st, &c->err) != 0)
            return -1;
        char id[32];
        snprintf(id, sizeof id, "%" PRId64, a->ght_id);
        return audit_log(st, &c->actor, "identity.read", "ght_identity", id, "denied",
                         "outside the account's establishments", &c->err);
    }
    char title[SOCLE_NAME_MAX + SOCLE_GIVENS_MAX + 8] = "Identité fusionnée";
    if (p.ght.state == GHT_ACTIVE && p.hit.n_locals > 0) {
        const identity_traits *t = &p.hit.locals[p.hit.best].li.traits;
        snprintf(title, sizeof title, "%s %s", t->birth_name, t->forenames);
    }
    web_page_begin(c, title, NULL);
    notice(c);
    web_printf(c, "<p class=\"meta\">Identité GHT n° %" PRId64 "</p>", p.ght.id);
    int64_t locals[256];
    size_t n_locals = 0;
    if (p.ght.state != GHT_ACTIVE) {
        web_printf(c, "<p class=\"notice\">Cette identité a été fusionnée dans "
                      "<a href=\"/patient/%" PRId64 "\">l'identité n° %" PRId64 "</a>.</p>",
                   p.survivor_id, p.survivor_id);
    } else if (p.hit.n_locals > 0) {
        render_identity(c, &p.hit);
        render_locals(c, p.ght.id, &p.hit);
        for (size_t i = 0; i < p.hit.n_locals && n_locals < 256; i++)
            if (access_scope_has_oid(&c->scope, p.hit.locals[i].domain_oid))
                locals[n_locals++] = p.hit.locals[i].li.id;
    }
    identity_patient_free(&p);
    if (render_stays(st, c, a->ght_id) != 0)
        return -1;
    identity_merge_rec merges[IDENTITY_VIEW_MERGES_MAX];
    size_t n_merges = 0;
    if (identity_merges_in_tx(st, a->ght_id, merges, IDENTITY_VIEW_MERGES_MAX, &n_merges,
                              &c->err) != 0)
        return -1;
    render_merges(c, a->ght_id, merges, n_merges);
    identity_timeline t;
    if (identity_timeline_in_tx(st, &c->actor, a->ght_id, locals, n_locals, &t, &c->err) != 0) {
        identity_timeline_free(&t);
        return -1;
    }
    render_timeline(c, &t);
    identity_timeline_free(&t);
    return 0;
}

int64_t web_patient_id(const web_ctx *c)
{
    const char *s = c->m.captures[0];
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || v <= 0 || s[0] == '+' || s[0] == '0')
        return 0;
    return (int64_t)v;
}

int web_page_patient(web_ctx *c)
{
    patient_args a = { .ght_id = web_patient_id(c) };
    if (a.ght_id <= 0) {
        web_error(c, 404, "Ce patient n'existe pas.");
        return 0;
    }
    if (web_tx(c, patient_fn, &a) != 0)
        return -1;
    if (a.denied) {
        web_error(c, 403, "Ce patient n'est pas connu de vos établissements.");
        return 0;
    }
    if (!a.found) {
        web_error(c, 404, "Ce patient n'existe pas.");
        return 0;
    }
    web_page_end(c);
    return 0;
}
