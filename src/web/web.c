/*
 * web.c - the workbench's request handling (web.h): the table of pages,
 * forms, sessions, CSRF, rights, audit of every page, the store's units.
 */
#include "web/web.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "server_context.h"
#include "store/writer.h"
#include "util/log.h"
#include "web/web_assets.h"
#include "web/web_pages.h"

#define RIGHT_PUBLIC (-1)

typedef struct web_page {
    const char *method;
    const char *pattern;
    int right;                   /* http_right, or RIGHT_PUBLIC */
    int (*fn)(web_ctx *c);
} web_page;

/* The one table of pages. */
static const web_page pages[] = {
    { "GET",  "/",                          RIGHT_WORKBENCH,        web_page_home },
    { "GET",  "/connexion",                 RIGHT_PUBLIC,           web_page_login },
    { "POST", "/connexion",                 RIGHT_PUBLIC,           web_page_login_post },
    { "POST", "/deconnexion",               RIGHT_WORKBENCH,        web_page_logout },
    { "GET",  "/recherche",                 RIGHT_PATIENT_READ,     web_page_search },
    { "GET",  "/patient/{}",                RIGHT_PATIENT_READ,     web_page_patient },
    { "POST", "/patient/{}/defusionner",    RIGHT_IDENTITY_UNMERGE, web_page_patient_unmerge },
    { "POST", "/patient/{}/preuve",         RIGHT_IDENTITY_QUALIFY, web_page_patient_proof },
    { "POST", "/patient/{}/attribut",       RIGHT_IDENTITY_QUALIFY, web_page_patient_attribute },
    { "GET",  "/tableau-de-bord",           RIGHT_DASHBOARD_READ,   web_page_dashboard },
    { "GET",  "/structures",                RIGHT_STRUCTURE_READ,   web_page_structures },
    { "GET",  "/journal",                   RIGHT_AUDIT_READ,       web_page_journal },
    { "GET",  "/journal.csv",               RIGHT_AUDIT_READ,       web_page_journal_csv },
    { "POST", "/journal/verifier",          RIGHT_AUDIT_READ,       web_page_journal_verify },
};

#define N_PAGES (sizeof pages / sizeof pages[0])

/* ---- Store units ---------------------------------------------------------- */

typedef struct unit {
    web_ctx *c;
    web_store_fn fn;
    void *arg;
    int with_tx;
    int failed;
} unit;

static void run_unit(store *st, void *arg)
{
    unit *u = arg;
    if (u->with_tx && store_begin(st, &u->c->err) != 0) {
        u->failed = 1;
        return;
    }
    int rc = u->fn(st, u->c, u->arg);
    if (u->with_tx) {
        if (rc == 0)
            rc = store_commit(st, &u->c->err);
        if (rc != 0)
            store_rollback(st);
    }
    u->failed = rc != 0;
}

static int run(web_ctx *c, web_store_fn fn, void *arg, int with_tx)
{
    socle_server *srv = c->srv;
    unit u = { .c = c, .fn = fn, .arg = arg, .with_tx = with_tx };
    socle_err err;
    err_clear(&err);
    int rc;
    /* The writer batches transactions; a unit without one (core commands
     * that begin and commit themselves) takes the handle under its lock. */
    if (with_tx && srv->writer != NULL) {
        rc = store_writer_run(srv->writer, run_unit, &u, &err);
    } else {
        pthread_mutex_lock(&srv->store_lock);
        if (srv->store == NULL) {
            rc = err_set(&err, SOCLE_EBUSY, "the store is closed");
        } else {
            run_unit(srv->store, &u);
            rc = 0;
        }
        pthread_mutex_unlock(&srv->store_lock);
    }
    if (rc != 0) {
        c->err = err;
        return -1;
    }
    return u.failed ? -1 : 0;
}

int web_tx(web_ctx *c, web_store_fn fn, void *arg)
{
    return run(c, fn, arg, 1);
}

int web_store(web_ctx *c, web_store_fn fn, void *arg)
{
    return run(c, fn, arg, 0);
}

typedef struct audit_args {
    const char *action, *type, *id, *outcome, *detail;
} audit_args;

static int audit_fn(store *st, web_ctx *c, void *arg)
{
    audit_args *a = arg;
    return audit_log(st, &c->actor, a->action, a->type, a->id, a->outcome, a->detail, &c->err);
}

int web_audit(web_ctx *c, const char *action, const char *object_type, const char *object_id,
              const char *outcome, const char *detail)
{
    audit_args a = { action, object_type, object_id, outcome, detail };
    return web_tx(c, audit_fn, &a);
}

int web_can(const web_ctx *c, http_right right)
{
    return c->logged_in && rights_allowed(c->role, right);
}

/* ---- Forms and cookies ---------------------------------------------------- */

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Decode application/x-www-form-urlencoded text (n bytes) into a new
 * string; NULL on a NUL byte (never legitimate in a field). */
static char *form_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out == NULL)
        abort();  /* as buf.h */
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '+') {
            ch = ' ';
        } else if (ch == '%' && i + 2 < n && hexval(s[i + 1]) >= 0
                   && hexval(s[i + 2]) >= 0) {
            ch = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        if (ch == '\0') {
            free(out);
            return NULL;
        }
        out[o++] = ch;
    }
    out[o] = '\0';
    return out;
}

/* 0 parsed, 400/413/415 refused. */
static unsigned parse_form(web_ctx *c)
{
    const http_request *req = c->req;
    if (req->body_len == 0)
        return 0;
    if (req->content_type == NULL
        || strncasecmp(req->content_type, "application/x-www-form-urlencoded", 33) != 0)
        return 415;
    if (req->body_len > WEB_FORM_MAX)
        return 413;
    const char *p = req->body, *end = req->body + req->body_len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            if (c->n_fields == WEB_FIELDS_MAX)
                return 400;
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            const char *name_end = eq ? eq : stop;
            char *name = form_decode(p, (size_t)(name_end - p));
            char *value = eq ? form_decode(eq + 1, (size_t)(stop - eq - 1)) : strdup("");
            if (name == NULL || value == NULL) {
                free(name);
                free(value);
                return 400;
            }
            c->fields[c->n_fields].name = name;
            c->fields[c->n_fields++].value = value;
        }
        p = stop + 1;
    }
    return 0;
}

const char *web_param(const web_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->n_fields; i++)
        if (strcmp(c->fields[i].name, name) == 0)
            return c->fields[i].value;
    return http_param_get(c->req, name);
}

/* The value of cookie name into out (hex tokens only), or "". */
static void cookie_get(const char *header, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    if (header == NULL)
        return;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        size_t len = strcspn(p, ";");
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = len - nl - 1;
            if (vl < n) {
                memcpy(out, p + nl + 1, vl);
                out[vl] = '\0';
                for (size_t i = 0; i < vl; i++)
                    if (!isxdigit((unsigned char)out[i])) {
                        out[0] = '\0';
                        return;
                    }
            }
            return;
        }
        p += len;
    }
}

static int same_token(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && la > 0 && CRYPTO_memcmp(a, b, la) == 0;
}

/* The login form's CSRF token: HMAC of the pre-session cookie under the
 * server's key, so that only a page we served can carry it. */
static void pre_csrf(const web_ctx *c, const char *cookie, char *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char msg[96];
    snprintf(msg, sizeof msg, "csrf-pre:%s", cookie);
    HMAC(EVP_sha256(), c->srv->key.bytes, TOKEN_KEY_BYTES, (const unsigned char *)msg,
         strlen(msg), md, &len);
    for (unsigned i = 0; i < len && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Set-Cookie: name=value; attributes (the first free slot). */
static void add_cookie(web_ctx *c, const char *name, const char *value, const char *attrs)
{
    for (size_t i = 0; i < 2; i++) {
        if (c->resp->set_cookie[i][0] == '\0') {
            snprintf(c->resp->set_cookie[i], sizeof c->resp->set_cookie[i],
                     "%s=%s; %sHttpOnly; SameSite=Strict; Path=/", name, value, attrs);
            return;
        }
    }
}

void web_set_session_cookie(web_ctx *c, const char *token)
{
    if (token == NULL)
        add_cookie(c, WEB_SESSION_COOKIE, "", "Max-Age=0; ");
    else
        add_cookie(c, WEB_SESSION_COOKIE, token, "");
}

/* Give the login form its CSRF token, binding it to a pre-session cookie
 * (a new one when the browser has none). */
int web_prepare_login_csrf(web_ctx *c)
{
    char pre[USER_TOKEN_MAX];
    cookie_get(c->req->cookie, WEB_PRE_COOKIE, pre, sizeof pre);
    if (strlen(pre) != 64) {
        if (user_random_hex(pre, &c->err) != 0)
            return -1;
        add_cookie(c, WEB_PRE_COOKIE, pre, "");
    }
    pre_csrf(c, pre, c->csrf);
    return 0;
}

/* ---- Session ---------------------------------------------------------------- */

typedef struct session_args {
    const web_page *page;
    int found;
    int allowed;
} session_args;

static int session_fn(store *st, web_ctx *c, void *arg)
{
    session_args *a = arg;
    user_session s;
    int64_t now = (int64_t)time(NULL);
    int found = c->session_token[0]
              ? user_session_check_in_tx(st, c->session_token, now, &s, &c->user, &c->err) : 0;
    if (found < 0)
        return -1;
    a->found = found;
    if (!found)
        return 0;
    if (role_parse(c->user.role, &c->role) != 0)
        return err_set(&c->err, SOCLE_EINVAL, "account %s: unknown role", c->user.login);
    c->logged_in = 1;
    snprintf(c->actor.id, sizeof c->actor.id, "web:%s", c->user.login);
    str_copy(c->actor.role, sizeof c->actor.role, c->user.role);
    str_copy(c->csrf, sizeof c->csrf, s.csrf);
    char ej[USER_MAX_EJ][SOCLE_FINESS_MAX];
    size_t n = user_establishments(&c->user, ej, USER_MAX_EJ);
    if (access_scope_resolve(st, (const char (*)[SOCLE_FINESS_MAX])ej, n, &c->scope,
                             &c->err) != 0)
        return -1;
    int right = a->page->right;
    a->allowed = right == RIGHT_PUBLIC
              || (rights_allowed(c->role, RIGHT_WORKBENCH)
                  && rights_allowed(c->role, (http_right)right));
    const char *action = strcmp(c->req->method, "POST") == 0 ? "web.post" : "web.view";
    char detail[128] = "";
    if (!a->allowed)
        snprintf(detail, sizeof detail, "role %s lacks the right %s", c->user.role,
                 right_name((http_right)right));
    return audit_log(st, &c->actor, action, "page", c->req->path,
                     a->allowed ? "success" : "denied", a->allowed ? NULL : detail, &c->err);
}

/* ---- Entry ------------------------------------------------------------------ */

static const web_asset *asset_find(const char *name)
{
    for (size_t i = 0; i < web_assets_count; i++)
        if (strcmp(web_assets[i].name, name) == 0)
            return &web_assets[i];
    return NULL;
}

static void serve_asset(web_ctx *c, const char *name)
{
    const web_asset *a = asset_find(name);
    if (a == NULL) {
        web_error(c, 404, "Cette ressource n'existe pas.");
        return;
    }
    http_response *r = c->resp;
    r->status = 200;
    r->text = malloc(a->len ? a->len : 1);
    if (r->text == NULL)
        abort();
    memcpy(r->text, a->data, a->len);
    r->text_len = a->len;
    r->content_type = a->content_type;
    r->cache_control = "no-cache";
    r->security_headers = 1;
}

static void ctx_free(web_ctx *c)
{
    for (size_t i = 0; i < c->n_fields; i++) {
        free(c->fields[i].name);
        free(c->fields[i].value);
    }
    buf_free(&c->out);
}

void web_too_large(http_response *resp)
{
    web_ctx c;
    memset(&c, 0, sizeof c);
    c.resp = resp;
    web_error(&c, 413, "Le formulaire envoyé est trop volumineux.");
    buf_free(&c.out);
}

void web_handle(socle_server *srv, const http_request *req, http_response *resp)
{
    web_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        abort();
    c->srv = srv;
    c->req = req;
    c->resp = resp;
    str_copy(c->actor.id, sizeof c->actor.id, "web:anonymous");

    if (strncmp(req->path, "/static/", 8) == 0
        && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)) {
        serve_asset(c, req->path + 8);
        goto out;
    }
    const web_page *page = NULL;
    http_route routes[N_PAGES];
    for (size_t i = 0; i < N_PAGES; i++)
        routes[i] = (http_route){ pages[i].method, pages[i].pattern, (int)i };
    int found = http_route_match(routes, N_PAGES, req->method, req->path, &c->m);
    if (found == 0) {
        web_error(c, 404, "Cette page n'existe pas.");
        goto out;
    }
    if (found < 0) {
        snprintf(resp->allow, sizeof resp->allow, "%s", c->m.allow);
        web_error(c, 405, "Cette action n'est pas possible sur cette page.");
        goto out;
    }
    page = &pages[c->m.handler];
    int is_post = strcmp(req->method, "POST") == 0;
    if (is_post) {
        unsigned bad = parse_form(c);
        if (bad != 0) {
            web_error(c, bad, bad == 413 ? "Le formulaire envoyé est trop volumineux."
                                         : "Le formulaire envoyé est illisible.");
            goto out;
        }
    }

    cookie_get(req->cookie, WEB_SESSION_COOKIE, c->session_token, sizeof c->session_token);
    session_args sa = { .page = page };
    if (web_tx(c, session_fn, &sa) != 0) {
        log_error("web %s %s: %s", req->method, req->path, c->err.msg);
        web_error(c, 500, "Une erreur interne est survenue. Réessayez plus tard.");
        goto out;
    }
    if (page->right != RIGHT_PUBLIC && !sa.found) {
        if (is_post) {
            web_audit(c, "web.post", "page", req->path, "denied", "no session");
            web_error(c, 403, "Votre session a expiré : reconnectez-vous.");
        } else {
            buf to = { 0 };
            buf_puts(&to, "/connexion?suite=");
            web_url_encode(&to, req->path);
            web_redirect(c, buf_cstr(&to));
            buf_free(&to);
        }
        goto out;
    }
    if (!sa.allowed && page->right != RIGHT_PUBLIC) {
        web_error(c, 403, "Votre rôle ne donne pas accès à cette page.");
        goto out;
    }
    if (is_post) {
        const char *sent = web_param(c, "csrf");
        char expected[USER_TOKEN_MAX] = "";
        if (page->right == RIGHT_PUBLIC) {
            char pre[USER_TOKEN_MAX];
            cookie_get(req->cookie, WEB_PRE_COOKIE, pre, sizeof pre);
            if (strlen(pre) == 64)
                pre_csrf(c, pre, expected);
        } else {
            str_copy(expected, sizeof expected, c->csrf);
        }
        if (sent == NULL || !same_token(sent, expected)) {
            web_audit(c, "web.csrf", "page", req->path, "denied",
                      sent ? "wrong CSRF token" : "no CSRF token");
            web_error(c, 403, "Formulaire refusé : jeton de sécurité absent ou invalide. "
                              "Rechargez la page et recommencez.");
            goto out;
        }
    }
    if (page->fn(c) != 0) {
        log_error("web %s %s: %s", req->method, req->path, c->err.msg);
        free(resp->text);
        resp->text = NULL;
        resp->location[0] = '\0';
        buf_reset(&c->out);
        web_error(c, 500, "Une erreur interne est survenue. Réessayez plus tard.");
    }
out:
    resp->security_headers = 1;
    ctx_free(c);
    free(c);
}
