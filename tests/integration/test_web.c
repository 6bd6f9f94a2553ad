/*
 * test_web.c - the workbench's sessions, CSRF protection, rights and
 * establishment scoping over real HTTP against `socle serve`: accounts made
 * with `socle user add`, patients fed over MLLP, forms posted as a browser
 * would (and as a forger would), the audit trail read back afterwards.
 *
 * The browser tests (tests/web/) drive the same pages in Chromium; these
 * pin the protocol: cookies, status codes, headers.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hl7_support.h"

#define EJ1_OID "1.2.250.1.999.1"
#define EJ2_OID "1.2.250.1.999.2"
#define PASSWORD "Correct-Cheval-9"

static h_server srv;

static void feed(const char *msg)
{
    ack a = roundtrip(msg);
    expect_code(&a, "AA");
    ack_free(&a);
}

static void add_user(const char *login, const char *role, const char *ej)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | SOCLE_ARGON2_TEST=1 '%s' user add "
             "--data '%s' --login %s --role %s %s%s >/dev/null 2>&1", PASSWORD, SOCLE_BIN,
             data, login, role, ej ? "--ej " : "", ej ? ej : "");
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void web_setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, HEADER "EJ,EJ2,CH Deux,,750712192," EJ2_OID ",,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    add_user("iv", "identitovigilant", NULL);
    add_user("desk1", "accueil", "750712184");
    add_user("desk2", "accueil", "750712192");
    add_user("dpo", "dpo", NULL);
    start(&srv);
    feed(a28("W1", "IPP1^^^HOP&" EJ1_OID "&ISO^PI||TESTWEB^ALICE^ALICE^^Mme^^L||19850715|F"));
    feed(a28("W2", "B-9^^^CHD&" EJ2_OID "&ISO^PI||TESTAUTRE^BOB^BOB^^M.^^L||19600202|M"));
}

static void web_teardown(void)
{
    hl7_teardown();
}

TestSuite(web, .init = web_setup, .fini = web_teardown, .timeout = 240);

/* ---- A small HTTP client that keeps the headers and sends a body -------- */

typedef struct http_reply {
    int status;
    char *raw;                 /* headers and body */
    const char *body;
} http_reply;

static void reply_free(http_reply *r)
{
    free(r->raw);
}

static http_reply request(const char *method, const char *path, const char *cookie,
                     const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[4096];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, cookie ? "Cookie: " : "", cookie ? cookie : "",
                     cookie ? "\r\n" : "", body ? strlen(body) : 0, body ? body : "");
    cr_assert_eq(write(fd, head, (size_t)n), n);
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    ssize_t got;
    while ((got = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (cap - len < 4096) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
    }
    close(fd);
    buf[len] = '\0';
    http_reply r = { .raw = buf };
    sscanf(buf, "HTTP/1.1 %d", &r.status);
    const char *sep = strstr(buf, "\r\n\r\n");
    r.body = sep ? sep + 4 : "";
    return r;
}

/* The value of a response header (case-insensitive name), in a static
 * buffer; "" when absent. Only the first occurrence of name. */
static const char *header(const http_reply *r, const char *name)
{
    static char out[1024];
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = strstr(r->raw, "\r\n"); p && p < r->body; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *v = p + 3 + nl;
            while (*v == ' ')
                v++;
            snprintf(out, sizeof out, "%.*s", (int)strcspn(v, "\r\n"), v);
            break;
        }
    }
    return out;
}

/* "name=value" of a Set-Cookie of this name, into out. */
static void cookie_of(const http_reply *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = strstr(r->raw, "Set-Cookie: "); p && p < r->body;
         p = strstr(p + 1, "Set-Cookie: ")) {
        const char *v = p + 12;
        if (strncmp(v, name, nl) == 0 && v[nl] == '=') {
            snprintf(out, n, "%.*s", (int)strcspn(v, ";\r\n"), v);
            return;
        }
    }
}

/* The value of the first hidden csrf field of a page. */
static void csrf_of(const char *html, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(html, "name=\"csrf\" value=\"");
    if (p != NULL) {
        p += strlen("name=\"csrf\" value=\"");
        snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
    }
}

/* Log in as login; the session cookie "socle_session=..." into cookie. */
static void login(const char *who, char *cookie, size_t n, char *csrf, size_t cn)
{
    http_reply form = request("GET", "/connexion", NULL, NULL);
    cr_assert_eq(form.status, 200);
    char pre[256], token[128];
    cookie_of(&form, "socle_pre", pre, sizeof pre);
    csrf_of(form.body, token, sizeof token);
    cr_assert(pre[0] && token[0], "the login form sets its CSRF cookie and field");
    reply_free(&form);
    http_reply r = request("POST", "/connexion", pre,
                      h_fmt("csrf=%s&login=%s&password=%s", token, who, PASSWORD));
    cr_assert_eq(r.status, 303, "login %s: %d\n%s", who, r.status, r.body);
    cookie_of(&r, "socle_session", cookie, n);
    cr_assert(cookie[0], "a session cookie");
    cr_assert_not_null(strstr(header(&r, "Set-Cookie"), "HttpOnly; SameSite=Strict; Path=/"),
                       "%s", header(&r, "Set-Cookie"));
    reply_free(&r);
    http_reply page = request("GET", "/", cookie, NULL);
    cr_assert_eq(page.status, 200);
    csrf_of(page.body, csrf, cn);
    cr_assert(csrf[0]);
    reply_free(&page);
}

/* The GHT id of the first patient linked from a search page, or 0. */
static long long first_patient(const char *html)
{
    const char *p = strstr(html, "href=\"/patient/");
    return p ? atoll(p + strlen("href=\"/patient/")) : 0;
}

Test(web, pages_need_a_session_and_carry_security_headers)
{
    http_reply r = request("GET", "/recherche?nom=TESTWEB", NULL, NULL);
    cr_assert_eq(r.status, 303);
    cr_assert_str_eq(header(&r, "Location"), "/connexion?suite=/recherche");
    reply_free(&r);

    r = request("GET", "/connexion", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_not_null(strstr(header(&r, "Content-Security-Policy"), "script-src 'self'"));
    cr_assert_str_eq(header(&r, "X-Frame-Options"), "DENY");
    cr_assert_str_eq(header(&r, "X-Content-Type-Options"), "nosniff");
    cr_assert_str_eq(header(&r, "Cache-Control"), "no-store");
    cr_assert_not_null(strstr(r.body, "<html lang=\"fr\">"));
    cr_assert_not_null(strstr(r.body, "<label for=\"password\">Mot de passe</label>"));
    reply_free(&r);

    r = request("GET", "/static/socle.css", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_not_null(strstr(header(&r, "Content-Type"), "text/css"));
    reply_free(&r);
}

Test(web, login_without_or_with_a_forged_csrf_token_is_refused)
{
    http_reply form = request("GET", "/connexion", NULL, NULL);
    char pre[256], token[128];
    cookie_of(&form, "socle_pre", pre, sizeof pre);
    csrf_of(form.body, token, sizeof token);
    reply_free(&form);

    http_reply r = request("POST", "/connexion", pre, "login=iv&password=" PASSWORD);
    cr_assert_eq(r.status, 403, "no token: %d", r.status);
    cr_assert_null(strstr(r.raw, "socle_session="), "no session without the token");
    reply_free(&r);
    r = request("POST", "/connexion", NULL, h_fmt("csrf=%s&login=iv&password=%s", token,
                                                  PASSWORD));
    cr_assert_eq(r.status, 403, "token without its cookie: %d", r.status);
    reply_free(&r);
    r = request("POST", "/connexion", pre, "csrf=00112233&login=iv&password=" PASSWORD);
    cr_assert_eq(r.status, 403);
    cr_assert_not_null(strstr(r.body, "jeton de sécurité"));
    reply_free(&r);
}

Test(web, wrong_password_then_lockout_after_five_failures)
{
    http_reply form = request("GET", "/connexion", NULL, NULL);
    char pre[256], token[128];
    cookie_of(&form, "socle_pre", pre, sizeof pre);
    csrf_of(form.body, token, sizeof token);
    reply_free(&form);
    for (int i = 0; i < 5; i++) {
        http_reply r = request("POST", "/connexion", pre,
                          h_fmt("csrf=%s&login=dpo&password=Faux-mot-de-passe-1", token));
        cr_assert_eq(r.status, 401);
        cr_assert_not_null(strstr(r.body, i < 4 ? "Identifiant ou mot de passe incorrect"
                                                : "Compte verrouillé"), "%d: %s", i, r.body);
        reply_free(&r);
    }
    http_reply r = request("POST", "/connexion", pre,
                      h_fmt("csrf=%s&login=dpo&password=%s", token, PASSWORD));
    cr_assert_eq(r.status, 401, "locked: even the right password is refused");
    cr_assert_not_null(strstr(r.body, "Compte verrouillé"));
    reply_free(&r);
}

Test(web, forged_post_with_a_session_but_no_token_is_refused_and_audited)
{
    char cookie[256], csrf[128];
    login("iv", cookie, sizeof cookie, csrf, sizeof csrf);
    http_reply r = request("POST", "/deconnexion", cookie, "");
    cr_assert_eq(r.status, 403);
    reply_free(&r);
    r = request("POST", "/deconnexion", cookie, "csrf=deadbeef");
    cr_assert_eq(r.status, 403);
    reply_free(&r);
    r = request("GET", "/", cookie, NULL);
    cr_assert_eq(r.status, 200, "the session survived the forgeries");
    reply_free(&r);
    /* With its token, the form works; the session is gone after. */
    r = request("POST", "/deconnexion", cookie, h_fmt("csrf=%s", csrf));
    cr_assert_eq(r.status, 303);
    cr_assert_not_null(strstr(header(&r, "Set-Cookie"), "Max-Age=0"));
    reply_free(&r);
    r = request("GET", "/", cookie, NULL);
    cr_assert_eq(r.status, 303, "logged out");
    reply_free(&r);

    stop(&srv);
    h_result a;
    cr_assert_eq(H_RUN(&a, "audit", "list", "--data", data), 0);
    cr_assert_not_null(strstr(a.out, "web.csrf\tpage\t/deconnexion\tdenied"), "%s", a.out);
    cr_assert_not_null(strstr(a.out, "auth.logout"));
    cr_assert_not_null(strstr(a.out, "web.view\tpage\t/\tsuccess"));
    h_result_free(&a);
}

Test(web, an_accueil_account_sees_only_its_establishment_patients)
{
    char iv[256], iv_csrf[128], d1[256], d1_csrf[128], d2[256], d2_csrf[128];
    login("iv", iv, sizeof iv, iv_csrf, sizeof iv_csrf);
    login("desk1", d1, sizeof d1, d1_csrf, sizeof d1_csrf);
    login("desk2", d2, sizeof d2, d2_csrf, sizeof d2_csrf);

    http_reply r = request("GET", "/recherche?nom=TESTWEB", iv, NULL);
    cr_assert_eq(r.status, 200);
    long long alice = first_patient(r.body);
    cr_assert_gt(alice, 0, "%s", r.body);
    reply_free(&r);

    r = request("GET", "/recherche?nom=TESTWEB", d1, NULL);
    cr_assert_eq(first_patient(r.body), alice, "EJ1's desk finds EJ1's patient");
    reply_free(&r);
    r = request("GET", "/recherche?nom=TESTWEB", d2, NULL);
    cr_assert_eq(first_patient(r.body), 0, "EJ2's desk does not");
    reply_free(&r);

    r = request("GET", h_fmt("/patient/%lld", alice), d1, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_not_null(strstr(r.body, "TESTWEB"));
    cr_assert_not_null(strstr(r.body, "IPP1"));
    reply_free(&r);
    r = request("GET", h_fmt("/patient/%lld", alice), d2, NULL);
    cr_assert_eq(r.status, 403, "direct URL refused: %d", r.status);
    cr_assert_null(strstr(r.body, "TESTWEB"), "no trait leaks on the refusal");
    reply_free(&r);
    /* Nor can it act on her. */
    r = request("POST", h_fmt("/patient/%lld/preuve", alice), d2,
                h_fmt("csrf=%s&local=1&document=CN", d2_csrf));
    cr_assert_eq(r.status, 403);
    reply_free(&r);

    /* The dpo has no right to patient pages at all. */
    char dpo[256], dpo_csrf[128];
    login("dpo", dpo, sizeof dpo, dpo_csrf, sizeof dpo_csrf);
    r = request("GET", h_fmt("/patient/%lld", alice), dpo, NULL);
    cr_assert_eq(r.status, 403);
    reply_free(&r);

    stop(&srv);
    h_result a;
    cr_assert_eq(H_RUN(&a, "audit", "list", "--data", data), 0);
    cr_assert_not_null(strstr(a.out, h_fmt("web:desk2\taccueil\tidentity.read\tght_identity\t"
                                           "%lld\tdenied", alice)), "%s", a.out);
    h_result_free(&a);
}
