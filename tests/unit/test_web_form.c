/*
 * Unit tests of the workbench's form and cookie parsers and of its HTML
 * escaping (web/web_form.h, web/web.h).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "util/buf.h"
#include "web/web.h"
#include "web/web_form.h"

static size_t parse(const char *body, web_field *f, int *rc)
{
    size_t n = 0;
    *rc = web_form_parse(body, strlen(body), f, 4, &n);
    return n;
}

Test(web_form, decodes_plus_and_percent_escapes)
{
    web_field f[4];
    int rc;
    size_t n = parse("login=marie.curie&password=Mot+de%20passe%21&suite=%2Frecherche", f, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(f[0].name, "login");
    cr_assert_str_eq(f[0].value, "marie.curie");
    cr_assert_str_eq(f[1].value, "Mot de passe!");
    cr_assert_str_eq(f[2].value, "/recherche");
    web_form_free(f, n);
}

Test(web_form, utf8_and_odd_pairs)
{
    web_field f[4];
    int rc;
    size_t n = parse("nom=L%C3%A9vy&&vide&=x", f, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(f[0].value, "Lévy");
    cr_assert_str_eq(f[1].name, "vide");
    cr_assert_str_eq(f[1].value, "");
    cr_assert_str_eq(f[2].name, "");
    cr_assert_str_eq(f[2].value, "x");
    web_form_free(f, n);
    n = parse("a=%zz&b=%4", f, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(f[0].value, "%zz", "a broken escape is kept as is");
    cr_assert_str_eq(f[1].value, "%4");
    web_form_free(f, n);
}

Test(web_form, refuses_nul_bytes_and_too_many_fields)
{
    web_field f[4];
    int rc;
    size_t n = parse("a=1&b=%00", f, &rc);
    cr_assert_eq(rc, -1);
    web_form_free(f, n);
    n = parse("a=1&b=2&c=3&d=4&e=5", f, &rc);
    cr_assert_eq(rc, -1);
    cr_assert_eq(n, 4);
    web_form_free(f, n);
}

Test(web_form, cookie_values_are_hex_tokens_only)
{
    char v[65];
    web_cookie_get("socle_pre=abc; socle_session=00ff12", "socle_session", v, sizeof v);
    cr_assert_str_eq(v, "00ff12");
    web_cookie_get("xsocle_session=00ff; socle_session=abcd", "socle_session", v, sizeof v);
    cr_assert_str_eq(v, "abcd", "a cookie whose name ends like ours is another one");
    web_cookie_get("socle_session=<script>", "socle_session", v, sizeof v);
    cr_assert_str_eq(v, "");
    web_cookie_get(NULL, "socle_session", v, sizeof v);
    cr_assert_str_eq(v, "");
    web_cookie_get("socle_session=0123456789", "socle_session", v, 5);
    cr_assert_str_eq(v, "", "too long for the buffer: refused, not cut");
}

Test(web_form, html_escaping_and_url_encoding)
{
    buf b = { 0 };
    web_html_escape(&b, "<a href=\"x\">O'Neil & Fils</a>");
    cr_assert_str_eq(buf_cstr(&b), "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; Fils&lt;/a&gt;");
    buf_reset(&b);
    web_url_encode(&b, "/patient/12?x=é&y");
    cr_assert_str_eq(buf_cstr(&b), "/patient/12%3Fx%3D%C3%A9%26y");
    buf_free(&b);
}
