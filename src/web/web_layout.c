/*
 * web_layout.c - HTML output, the French layout and the error pages
 * (web.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

typedef struct nav_item {
    const char *id;
    const char *href;
    const char *label;
    http_right right;
} nav_item;

/* Top-level pages, shown to the roles that hold their right. */
static const nav_item nav[] = {
    { "accueil",   "/",          "Accueil",            RIGHT_WORKBENCH },
    { "recherche", "/recherche", "Recherche patient",  RIGHT_PATIENT_READ },
    { "tableau",   "/tableau-de-bord", "Tableau de bord", RIGHT_DASHBOARD_READ },
    { "structures", "/structures", "Structures",       RIGHT_STRUCTURE_READ },
    { "journal",   "/journal",   "Journal d'accès",    RIGHT_AUDIT_READ },
};

static const char *role_label(const char *role)
{
    static const struct { const char *name, *label; } labels[] = {
        { "admin", "Administrateur" },
        { "identitovigilant", "Identitovigilant" },
        { "accueil", "Accueil des patients" },
        { "lecteur", "Lecteur" },
        { "dpo", "Délégué à la protection des données" },
        { "flux", "Interface" },
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(role, labels[i].name) == 0)
            return labels[i].label;
    return role;
}

void web_html_escape(buf *out, const char *text)
{
    if (text == NULL)
        return;
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&':  buf_puts(out, "&amp;"); break;
        case '<':  buf_puts(out, "&lt;"); break;
        case '>':  buf_puts(out, "&gt;"); break;
        case '"':  buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default:   buf_putc(out, *p); break;
        }
    }
}

void web_url_encode(buf *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
            || *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/') {
            buf_putc(out, (char)*p);
        } else {
            buf_putc(out, '%');
            buf_putc(out, hex[*p >> 4]);
            buf_putc(out, hex[*p & 15]);
        }
    }
}

void web_puts(web_ctx *c, const char *html)
{
    buf_puts(&c->out, html);
}

void web_printf(web_ctx *c, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        buf_append(&c->out, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL)
        abort();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_append(&c->out, big, (size_t)n);
    free(big);
}

void web_text(web_ctx *c, const char *text)
{
    web_html_escape(&c->out, text);
}

void web_csrf_field(web_ctx *c)
{
    web_puts(c, "<input type=\"hidden\" name=\"csrf\" value=\"");
    web_text(c, c->csrf);
    web_puts(c, "\">");
}

void web_status(web_ctx *c, unsigned status)
{
    c->resp->status = status;
}

void web_page_begin(web_ctx *c, const char *title, const char *current)
{
    buf_reset(&c->out);
    web_puts(c, "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    web_text(c, title);
    web_puts(c, " – Socle</title>\n<link rel=\"stylesheet\" href=\"/static/socle.css\">\n"
                "<script src=\"/static/socle.js\" defer></script>\n</head>\n<body>\n"
                "<a class=\"skip\" href=\"#contenu\">Aller au contenu</a>\n"
                "<header class=\"top\">\n<p class=\"brand\"><a href=\"/\">Socle</a> "
                "<span>Identitovigilance du GHT</span></p>\n");
    if (c->logged_in) {
        web_puts(c, "<div class=\"who\"><span class=\"user\">");
        web_text(c, c->user.login);
        web_puts(c, "</span> <span class=\"role\">");
        web_text(c, role_label(c->user.role));
        web_puts(c, "</span>");
        if (c->scope.scoped) {
            web_puts(c, " <span class=\"scope\">");
            for (size_t i = 0; i < c->scope.n; i++) {
                if (i)
                    web_puts(c, ", ");
                web_text(c, c->scope.doms[i].name);
            }
            web_puts(c, "</span>");
        }
        web_puts(c, "<form method=\"post\" action=\"/deconnexion\" class=\"logout\">");
        web_csrf_field(c);
        web_puts(c, "<button type=\"submit\">Se déconnecter</button></form></div>\n");
    }
    web_puts(c, "</header>\n");
    if (c->logged_in) {
        web_puts(c, "<nav aria-label=\"Navigation principale\"><ul>");
        for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
            if (!rights_allowed(c->role, nav[i].right))
                continue;
            int here = current && strcmp(current, nav[i].id) == 0;
            web_printf(c, "<li><a href=\"%s\"%s>%s</a></li>", nav[i].href,
                       here ? " aria-current=\"page\"" : "", nav[i].label);
        }
        web_puts(c, "</ul></nav>\n");
    }
    web_puts(c, "<main id=\"contenu\" tabindex=\"-1\">\n<h1>");
    web_text(c, title);
    web_puts(c, "</h1>\n");
}

void web_page_end(web_ctx *c)
{
    web_puts(c, "\n</main>\n<footer>Socle " SOCLE_VERSION " – socle fonctionnel commun du GHT"
                "</footer>\n</body>\n</html>\n");
    http_response *r = c->resp;
    if (r->status == 0)
        r->status = 200;
    free(r->text);
    r->text_len = c->out.len;
    r->text = buf_detach(&c->out);
    r->content_type = "text/html; charset=utf-8";
}

void web_download(web_ctx *c, const char *content_type, const char *filename, buf *body)
{
    http_response *r = c->resp;
    r->status = 200;
    snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s\"", filename);
    free(r->text);
    r->text_len = body->len;
    r->text = buf_detach(body);
    r->content_type = content_type;
}

void web_redirect(web_ctx *c, const char *location)
{
    http_response *r = c->resp;
    r->status = 303;
    /* Local paths only: never an open redirect. */
    if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
        location = "/";
    snprintf(r->location, sizeof r->location, "%s", location);
    free(r->text);
    r->text = strdup("");
    if (r->text == NULL)
        abort();
    r->text_len = 0;
    r->content_type = "text/html; charset=utf-8";
}

void web_error(web_ctx *c, unsigned status, const char *message)
{
    const char *title;
    switch (status) {
    case 400: title = "Requête invalide"; break;
    case 403: title = "Accès refusé"; break;
    case 404: title = "Page introuvable"; break;
    case 405: title = "Méthode non permise"; break;
    case 413: title = "Requête trop volumineuse"; break;
    case 415: title = "Format non pris en charge"; break;
    default:  title = "Erreur interne"; break;
    }
    c->resp->status = status;
    web_page_begin(c, title, NULL);
    web_puts(c, "<p class=\"error-message\">");
    web_text(c, message);
    web_puts(c, "</p>\n<p><a href=\"/\">Retour à l'accueil</a></p>");
    web_page_end(c);
}

const char *web_status_label(rniv_status s)
{
    switch (s) {
    case RNIV_PROV:  return "Provisoire";
    case RNIV_RECUP: return "Récupérée";
    case RNIV_VALI:  return "Validée";
    case RNIV_QUAL:  return "Qualifiée";
    }
    return "?";
}

void web_status_badge(web_ctx *c, rniv_status s)
{
    static const char *const cls[] = { "prov", "recup", "vali", "qual" };
    web_printf(c, "<span class=\"badge badge-%s\">%s</span>",
               (unsigned)s < 4 ? cls[s] : "prov", web_status_label(s));
}

void web_date(web_ctx *c, const char *iso)
{
    if (iso != NULL && strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-') {
        char d[11];
        snprintf(d, sizeof d, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
        web_text(c, d);
        if (iso[10] == 'T' && strlen(iso) >= 16) {
            web_puts(c, " ");
            char t[6];
            snprintf(t, sizeof t, "%.5s", iso + 11);
            web_text(c, t);
        }
        return;
    }
    web_text(c, iso);
}
