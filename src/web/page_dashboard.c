/*
 * page_dashboard.c - Tableau de bord: the identity cell's quality
 * indicators (core/indicators.h), for the account's establishments.
 *
 * Charts are inline SVG drawn on the server (no script, no style
 * attribute: the CSP allows neither inline); each is an image with a text
 * alternative, followed by a table of its figures for screen readers and
 * for whoever wants the numbers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/indicators.h"
#include "web/web_pages.h"

#define CHART_W 640
#define BAR_H 22
#define LABEL_W 190

static const char *status_names[INDICATORS_STATUS_COUNT] = {
    "Provisoire", "Récupérée", "Validée", "Qualifiée",
};

static const char *alert_label(const char *kind)
{
    if (strcmp(kind, "invalid_ins") == 0)
        return "INS invalide reçu";
    return kind;
}

/* "12,5 %" of a 0..1 rate, French decimal comma. */
static void percent(web_ctx *c, double rate)
{
    char s[32];
    snprintf(s, sizeof s, "%.1f", rate * 100.0);
    for (char *p = s; *p; p++)
        if (*p == '.')
            *p = ',';
    web_printf(c, "%s&nbsp;%%", s);
}

/* "25/11" of "2026-11-25". */
static void day_month(web_ctx *c, const char *iso)
{
    if (strlen(iso) >= 10)
        web_printf(c, "%.2s/%.2s", iso + 8, iso + 5);
}

/* Horizontal bars: one per label, width proportional to the value. */
static void hbars(web_ctx *c, const char *id, const char *title, size_t n,
                  const char *const *labels, const int64_t *values)
{
    int64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (values[i] > max)
            max = values[i];
    unsigned h = (unsigned)n * (BAR_H + 8) + 8;
    web_printf(c, "<svg class=\"chart\" viewBox=\"0 0 %d %u\" width=\"%d\" height=\"%u\" "
                  "role=\"img\" aria-labelledby=\"%s-t\"><title id=\"%s-t\">",
               CHART_W, h, CHART_W, h, id, id);
    web_text(c, title);
    web_puts(c, "</title>");
    for (size_t i = 0; i < n; i++) {
        unsigned y = (unsigned)i * (BAR_H + 8) + 8;
        int64_t w = values[i] * (CHART_W - LABEL_W - 80) / max;
        web_printf(c, "<text x=\"0\" y=\"%u\" class=\"chart-label\">", y + BAR_H - 6);
        web_text(c, labels[i]);
        web_printf(c, "</text><rect x=\"%d\" y=\"%u\" width=\"%" PRId64 "\" height=\"%d\" "
                      "class=\"bar bar-%zu\"></rect>", LABEL_W, y, w, BAR_H, i % 4);
        web_printf(c, "<text x=\"%" PRId64 "\" y=\"%u\" class=\"chart-value\">%" PRId64 "</text>",
                   LABEL_W + w + 6, y + BAR_H - 6, values[i]);
    }
    web_puts(c, "</svg>");
}

static void status_section(web_ctx *c, const indicators *ind)
{
    web_puts(c, "<section aria-labelledby=\"statuts\"><h2 id=\"statuts\">Identités par statut "
                "RNIV</h2>");
    hbars(c, "g-statuts", "Identités par statut RNIV", INDICATORS_STATUS_COUNT, status_names,
          ind->by_status);
    web_puts(c, "<div class=\"table-wrap\"><table><caption>Identités par statut et par "
                "établissement</caption><thead><tr><th scope=\"col\">Établissement</th>");
    for (int s = 0; s < INDICATORS_STATUS_COUNT; s++)
        web_printf(c, "<th scope=\"col\">%s</th>", status_names[s]);
    web_puts(c, "<th scope=\"col\">Total</th><th scope=\"col\">Taux INS qualifiée</th>"
                "</tr></thead><tbody>");
    for (size_t i = 0; i < ind->n_ejs; i++) {
        const indicator_ej *e = &ind->ejs[i];
        web_puts(c, "<tr><th scope=\"row\">");
        web_text(c, e->name[0] ? e->name : e->finess);
        web_puts(c, " <span class=\"meta\">");
        web_text(c, e->finess);
        web_puts(c, "</span></th>");
        for (int s = 0; s < INDICATORS_STATUS_COUNT; s++)
            web_printf(c, "<td>%" PRId64 "</td>", e->by_status[s]);
        web_printf(c, "<td>%" PRId64 "</td><td>", e->total);
        percent(c, e->total ? (double)e->by_status[RNIV_QUAL] / (double)e->total : 0.0);
        web_puts(c, "</td></tr>");
    }
    web_puts(c, "<tr><th scope=\"row\">Total</th>");
    for (int s = 0; s < INDICATORS_STATUS_COUNT; s++)
        web_printf(c, "<td>%" PRId64 "</td>", ind->by_status[s]);
    web_printf(c, "<td>%" PRId64 "</td><td>", ind->local_total);
    percent(c, ind->ins_qualified_rate);
    web_puts(c, "</td></tr></tbody></table></div></section>");
}

/* Weekly columns: one group per week, one bar per series. */
static void weekly_section(web_ctx *c, const indicators *ind, const char *id, const char *title,
                           int movements)
{
    int64_t max = 1;
    for (int k = 0; k < INDICATORS_WEEKS; k++) {
        const indicator_week *w = &ind->weeks[k];
        int64_t a = movements ? w->movements : (w->merges > w->unmerges ? w->merges : w->unmerges);
        if (a > max)
            max = a;
    }
    const unsigned H = 160, slot = (CHART_W - 40) / INDICATORS_WEEKS;
    web_printf(c, "<section aria-labelledby=\"%s\"><h2 id=\"%s\">", id, id);
    web_text(c, title);
    web_printf(c, "</h2><svg class=\"chart\" viewBox=\"0 0 %d %u\" width=\"%d\" height=\"%u\" "
                  "role=\"img\" aria-labelledby=\"%s-t\"><title id=\"%s-t\">",
               CHART_W, H + 30, CHART_W, H + 30, id, id);
    web_text(c, title);
    web_puts(c, " (le détail suit dans le tableau)</title>");
    for (int k = 0; k < INDICATORS_WEEKS; k++) {
        const indicator_week *w = &ind->weeks[k];
        unsigned x = 40 + (unsigned)k * slot;
        int64_t v1 = movements ? w->movements : w->merges;
        int64_t h1 = v1 * H / max;
        unsigned bw = movements ? slot - 8 : (slot - 8) / 2;
        web_printf(c, "<rect x=\"%u\" y=\"%" PRId64 "\" width=\"%u\" height=\"%" PRId64 "\" "
                      "class=\"bar bar-0\"></rect>", x, H - h1, bw, h1);
        if (!movements) {
            int64_t h2 = w->unmerges * H / max;
            web_printf(c, "<rect x=\"%u\" y=\"%" PRId64 "\" width=\"%u\" height=\"%" PRId64 "\" "
                          "class=\"bar bar-2\"></rect>", x + bw, H - h2, bw, h2);
        }
        web_printf(c, "<text x=\"%u\" y=\"%u\" class=\"chart-label\">", x, H + 20);
        day_month(c, w->monday);
        web_puts(c, "</text>");
    }
    web_printf(c, "<text x=\"0\" y=\"12\" class=\"chart-value\">%" PRId64 "</text></svg>", max);
    if (!movements)
        web_puts(c, "<p class=\"legend\"><span class=\"swatch bar-0\"></span> Fusions "
                    "<span class=\"swatch bar-2\"></span> Défusions</p>");
    web_puts(c, "<div class=\"table-wrap\"><table><caption>");
    web_text(c, title);
    web_puts(c, "</caption><thead><tr><th scope=\"col\">Semaine du</th>");
    web_puts(c, movements ? "<th scope=\"col\">Mouvements</th>"
                          : "<th scope=\"col\">Fusions</th><th scope=\"col\">Défusions</th>");
    web_puts(c, "</tr></thead><tbody>");
    for (int k = INDICATORS_WEEKS; k-- > 0;) {
        const indicator_week *w = &ind->weeks[k];
        web_puts(c, "<tr><th scope=\"row\">");
        web_date(c, w->monday);
        web_puts(c, "</th>");
        if (movements)
            web_printf(c, "<td>%" PRId64 "</td>", w->movements);
        else
            web_printf(c, "<td>%" PRId64 "</td><td>%" PRId64 "</td>", w->merges, w->unmerges);
        web_puts(c, "</tr>");
    }
    web_puts(c, "</tbody></table></div></section>");
}

static void alerts_section(web_ctx *c, const indicators *ind)
{
    web_puts(c, "<section aria-labelledby=\"alertes\"><h2 id=\"alertes\">Alertes qualité</h2>");
    if (ind->n_alerts == 0) {
        web_puts(c, "<p>Aucune alerte qualité.</p></section>");
        return;
    }
    web_puts(c, "<div class=\"table-wrap\"><table><caption>Alertes qualité par type</caption>"
                "<thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Ouvertes</th>"
                "<th scope=\"col\">Total</th></tr></thead><tbody>");
    for (size_t i = 0; i < ind->n_alerts; i++) {
        web_puts(c, "<tr><th scope=\"row\">");
        web_text(c, alert_label(ind->alerts[i].kind));
        web_printf(c, "</th><td>%" PRId64 "</td><td>%" PRId64 "</td></tr>", ind->alerts[i].open,
                   ind->alerts[i].all);
    }
    web_puts(c, "</tbody></table></div></section>");
}

static void key_figures(web_ctx *c, const indicators *ind)
{
    web_puts(c, "<section aria-labelledby=\"chiffres\"><h2 id=\"chiffres\">Chiffres clés</h2>"
                "<dl class=\"figures\">");
    web_printf(c, "<div><dt>Identités locales</dt><dd>%" PRId64 "</dd></div>", ind->local_total);
    web_puts(c, "<div><dt>Taux d'INS qualifiée</dt><dd>");
    percent(c, ind->ins_qualified_rate);
    web_printf(c, "</dd></div><div><dt>Identités GHT actives</dt><dd>%" PRId64 "</dd></div>",
               ind->ght_active);
    web_puts(c, "<div><dt>Taux de doublons estimé <span class=\"hint\">(personnes ayant deux "
                "IPP dans un même établissement, et paires à examiner, sur les identités "
                "GHT)</span></dt><dd>");
    percent(c, ind->duplicate_rate);
    web_printf(c, " <span class=\"meta\">(%" PRId64 " + %" PRId64 ")</span></dd></div>",
               ind->ght_multi_ipp, ind->review_pending);
    web_puts(c, "<div><dt>Doublons potentiels à examiner</dt><dd>");
    if (!ind->review_available)
        web_puts(c, "n/d");
    else
        web_printf(c, "%" PRId64, ind->review_pending);
    web_puts(c, "</dd></div><div><dt>Ancienneté de la plus ancienne</dt><dd>");
    if (!ind->review_available || ind->review_oldest_age_s < 0)
        web_puts(c, "n/d");
    else
        web_printf(c, "%" PRId64 "&nbsp;j", ind->review_oldest_age_s / 86400);
    web_puts(c, "</dd></div></dl></section>");
}

static int compute(store *st, web_ctx *c, void *arg)
{
    const char *finess[ACCESS_MAX_EJ];
    for (size_t i = 0; i < c->scope.n && i < ACCESS_MAX_EJ; i++)
        finess[i] = c->scope.doms[i].finess;
    return indicators_compute(st, c->scope.scoped ? finess : NULL, c->scope.n, NULL, arg,
                              &c->err);
}

int web_page_dashboard(web_ctx *c)
{
    indicators ind;
    memset(&ind, 0, sizeof ind);
    if (web_tx(c, compute, &ind) != 0) {
        indicators_free(&ind);
        return -1;
    }
    web_page_begin(c, "Tableau de bord", "tableau");
    web_puts(c, "<p class=\"meta\">");
    web_puts(c, ind.scoped ? "Vos établissements" : "Tout le GHT");
    web_puts(c, " — calculé le ");
    web_date(c, ind.computed_at);
    web_puts(c, " (UTC)</p>");
    key_figures(c, &ind);
    status_section(c, &ind);
    weekly_section(c, &ind, "fusions", "Fusions et défusions par semaine", 0);
    weekly_section(c, &ind, "mouvements", "Mouvements par semaine", 1);
    alerts_section(c, &ind);
    web_page_end(c);
    indicators_free(&ind);
    return 0;
}
