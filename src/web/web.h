/*
 * web.h - the identity-vigilance workbench: server-rendered French pages
 * under "/" on the --http port (FHIR stays under /fhir), and the contract
 * of a page handler.
 *
 * What the framework (web.c) does before a handler runs, for every page:
 *  - matches the method and path against the one table of pages (web.c,
 *    `pages[]`); unknown path -> 404 page, wrong method -> 405 page;
 *  - parses the form of a POST (application/x-www-form-urlencoded only,
 *    at most WEB_FORM_MAX bytes and WEB_FIELDS_MAX fields, else 413/400);
 *  - finds the session from the cookie (HttpOnly; SameSite=Strict;
 *    Path=/), in one store transaction that also resolves the account's
 *    establishment scope (core/access.h), checks the page's right
 *    (http/rights.h: the one table of rights) and audits the page view
 *    ("web.view", or "web.post" for a form) or its refusal ("denied");
 *    no session -> redirect to /connexion; right missing -> 403 page;
 *  - checks the CSRF token of every POST (hidden field "csrf", see
 *    web_csrf_field): the session's token, or before login a pre-session
 *    token bound to a cookie; missing or wrong -> 403 page, audited;
 *  - adds the security headers (CSP without inline script, X-Frame-Options
 *    DENY, nosniff, no-referrer) and Cache-Control: no-store to every page.
 *
 * What a handler does: reads c->m captures, web_param(); reaches the store
 * only through web_tx()/web_store() (the server's writer: one thread at a
 * time), through core/ functions (reads of patient data are audited
 * there); checks the establishment scope of what it shows (c->scope) and
 * the rights of any action it offers beyond its page's own right
 * (web_can); writes HTML with web_page_begin ... web_page_end, escaping
 * every value with web_text(); or redirects (web_redirect, 303) after a
 * successful POST; or answers web_error(). It returns 0, or -1 when the
 * store failed (the framework then answers the 500 page).
 *
 * Adding a page: write `int web_page_xxx(web_ctx *c)` in src/web/page_xxx.c,
 * declare it in web_pages.h, add a row to pages[] in web.c (method, path
 * pattern, right, navigation entry), and a link in the layout's navigation
 * (web_layout.c `nav[]`) when it is a top-level page.
 *
 * Assets (the .css and .js files of web/) are compiled into the binary (meson
 * custom_target, scripts/embed_assets.py) and served under /static/.
 */
#ifndef SOCLE_WEB_WEB_H
#define SOCLE_WEB_WEB_H

#include <stddef.h>

#include "core/access.h"
#include "core/role.h"
#include "core/user.h"
#include "http/rights.h"
#include "http/router.h"
#include "store/store.h"
#include "util/buf.h"

struct socle_server;

#define WEB_FORM_MAX   (64 * 1024)   /* bytes of a form body */
#define WEB_FIELDS_MAX 64
#define WEB_SESSION_COOKIE "socle_session"
#define WEB_PRE_COOKIE     "socle_pre"   /* pre-session CSRF binding (login form) */

typedef struct web_field {
    char *name;                  /* decoded, owned */
    char *value;
} web_field;

typedef struct web_ctx {
    struct socle_server *srv;
    const http_request *req;
    http_match m;                /* the page's path captures */
    http_response *resp;
    web_field fields[WEB_FIELDS_MAX];   /* POST form fields */
    size_t n_fields;
    /* The logged-in account (logged_in == 0 on public pages without session). */
    int logged_in;
    user_account user;
    socle_role role;
    socle_actor actor;           /* "web:LOGIN", role name */
    access_scope scope;          /* its establishments */
    char csrf[USER_TOKEN_MAX];   /* the token every form must carry */
    char session_token[USER_TOKEN_MAX];
    buf out;                     /* the HTML being written */
    socle_err err;               /* the store's failure, for the log */
} web_ctx;

/* Answer one request whose path is not /fhir or /health (resp filled). */
void web_handle(struct socle_server *srv, const http_request *req, http_response *resp);
/* The 413 page (a body above HTTP_BODY_MAX). */
void web_too_large(http_response *resp);

/* ---- For handlers --------------------------------------------------------- */

/* A POST field, else a query parameter, else NULL. */
const char *web_param(const web_ctx *c, const char *name);

/* Run fn in one store transaction (begun before, committed when fn returns
 * 0, rolled back otherwise), through the server's writer. fn may set
 * c->err; returns 0 or -1. */
typedef int (*web_store_fn)(store *st, web_ctx *c, void *arg);
int web_tx(web_ctx *c, web_store_fn fn, void *arg);
/* Run fn with the store and no transaction open: for core commands that
 * open their own (identity_unmerge, ...). */
int web_store(web_ctx *c, web_store_fn fn, void *arg);
/* Append one audit record in its own transaction (a refusal, say). */
int web_audit(web_ctx *c, const char *action, const char *object_type, const char *object_id,
              const char *outcome, const char *detail);

/* The account's role holds the right. */
int web_can(const web_ctx *c, http_right right);

/* HTML output. web_text escapes & < > " ' (text and attribute values
 * alike); web_puts and web_printf write raw HTML: never pass them data. */
void web_puts(web_ctx *c, const char *html);
void web_printf(web_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void web_text(web_ctx *c, const char *text);
void web_html_escape(buf *out, const char *text);
/* Percent-encode for a URL query value. */
void web_url_encode(buf *out, const char *text);
/* <input type="hidden" name="csrf" value="..."> */
void web_csrf_field(web_ctx *c);

/* The layout: <!doctype>, head, skip link, header with the user and role,
 * navigation (current: the nav id of this page, or NULL), <main id="contenu">.
 * web_page_end closes it and makes the response (status 200 unless
 * web_status was called). */
void web_page_begin(web_ctx *c, const char *title, const char *current);
void web_page_end(web_ctx *c);
void web_status(web_ctx *c, unsigned status);

/* Answer a file to download (Content-Disposition: attachment; filename,
 * plain ASCII) of that type, taking over body's storage (body is left
 * empty). Status 200. */
void web_download(web_ctx *c, const char *content_type, const char *filename, buf *body);

/* 303 See Other to a local path (must start with "/"). */
void web_redirect(web_ctx *c, const char *location);
/* A full error page in French (403, 404, 405, 413, 500...). */
void web_error(web_ctx *c, unsigned status, const char *message);

/* RNIV status as French text ("Provisoire", ...) and as a badge. */
const char *web_status_label(rniv_status s);
void web_status_badge(web_ctx *c, rniv_status s);
/* "1980-03-04" -> "04/03/1980" (other text as is). */
void web_date(web_ctx *c, const char *iso);

#endif
