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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_support.h"

#define EJ1_OID "1.2.250.1.999.1"
#define EJ2_OID "1.2.250.1.999.2"

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
    start(&web_srv);
    feed(a28("W1", "IPP1^^^HOP&" EJ1_OID "&ISO^PI||TESTWEB^ALICE^ALICE^^Mme^^L||19850715|F"));
    feed(a28("W2", "B-9^^^CHD&" EJ2_OID "&ISO^PI||TESTAUTRE^BOB^BOB^^M.^^L||19600202|M"));
}

static void web_teardown(void)
{
    hl7_teardown();
}

TestSuite(web, .init = web_setup, .fini = web_teardown, .timeout = 240);

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

    stop(&web_srv);
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

    stop(&web_srv);
    h_result a;
    cr_assert_eq(H_RUN(&a, "audit", "list", "--data", data), 0);
    cr_assert_not_null(strstr(a.out, h_fmt("web:desk2\taccueil\tidentity.read\tght_identity\t"
                                           "%lld\tdenied", alice)), "%s", a.out);
    h_result_free(&a);
}
