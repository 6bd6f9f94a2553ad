/*
 * test_web_data.c - the workbench's Tableau de bord, Structures and
 * Journal d'accès pages over real HTTP against `socle serve`: who may see
 * them (403 otherwise), what an account limited to one establishment sees,
 * a bed occupied through an MLLP admission, the journal's filters, its CSV
 * download and the CSRF protection of its full chain check.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_support.h"

#define EJ1_OID "1.2.250.1.999.1"
#define EJ2_OID "1.2.250.1.999.2"

/* An admission of IPP1 into bed LIT-D1 (UF-D1, room CH-D1). */
static const char *admit(void)
{
    return "MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|D-A01|P|"
           "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
           "PID|1||IPP1^^^HOP&" EJ1_OID "&ISO^PI||TESTWEB^ALICE^ALICE^^Mme^^L||19850715|F\r"
           "PV1|1|I|UF-D1^CH-D1^LIT-D1||||||||||||||||V-D1^^^HOP&" EJ1_OID "&ISO^VN\r"
           "ZBE|MV-D1^GAM^1.2.250.1.999.1.9^ISO|20260110120000||INSERT|N||^^^^^^UF^^^UF-D1||HMS\r";
}

static void setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, HEADER
        "EJ,EJ2,CH Deux,,750712192," EJ2_OID ",,\n"
        "UF,UF-D1,Cardiologie Test,EG1,,,,\n"
        "CHAMBRE,CH-D1,Chambre D1,UF-D1,,,,\n"
        "LIT,LIT-D1,Lit D1,CH-D1,,,,\n"
        "LIT,LIT-D2,Lit D2,CH-D1,,,,\n"
        "UF,UF-X2,Médecine Deux,EJ2,,,,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    add_user("iv", "identitovigilant", NULL);
    add_user("desk1", "accueil", "750712184");
    add_user("dpo", "dpo", NULL);
    add_user("adm", "admin", NULL);
    start(&web_srv);
    feed(a28("D1", "IPP1^^^HOP&" EJ1_OID "&ISO^PI||TESTWEB^ALICE^ALICE^^Mme^^L||19850715|F"));
    feed(a28("D2", "B-9^^^CHD&" EJ2_OID "&ISO^PI||TESTAUTRE^BOB^BOB^^M.^^L||19600202|M"));
    feed(admit());
}

TestSuite(web_data, .init = setup, .fini = hl7_teardown, .timeout = 240);

static void expect_status(const session *s, const char *path, int status)
{
    http_reply r = get(s, path);
    cr_expect_eq(r.status, status, "GET %s: %d", path, r.status);
    free(r.raw);
}

/* ---- Rights -------------------------------------------------------------- */

Test(web_data, each_page_is_refused_to_the_roles_without_its_right)
{
    session iv = as("iv"), desk = as("desk1"), dpo = as("dpo"), adm = as("adm");
    expect_status(&iv, "/tableau-de-bord", 200);
    expect_status(&dpo, "/tableau-de-bord", 200);
    expect_status(&desk, "/tableau-de-bord", 403);
    expect_status(&iv, "/structures", 200);
    expect_status(&desk, "/structures", 200);
    expect_status(&dpo, "/structures", 403);
    expect_status(&dpo, "/journal", 200);
    expect_status(&adm, "/journal", 200);
    expect_status(&iv, "/journal", 403);
    expect_status(&desk, "/journal.csv", 403);
    http_reply r = request("GET", "/journal", NULL, NULL);
    cr_expect_eq(r.status, 303, "no session: to the login page");
    free(r.raw);
}

/* ---- Tableau de bord ------------------------------------------------------ */

Test(web_data, dashboard_shows_its_figures_as_charts_and_tables)
{
    session iv = as("iv");
    http_reply r = get(&iv, "/tableau-de-bord");
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "<h1>Tableau de bord</h1>"));
    cr_expect_not_null(strstr(r.body, "Tout le GHT"));
    cr_expect_not_null(strstr(r.body, "<dt>Identités locales</dt><dd>2</dd>"), "%s", r.body);
    cr_expect_not_null(strstr(r.body, "<svg class=\"chart\""), "charts drawn on the server");
    cr_expect_not_null(strstr(r.body, "role=\"img\""), "charts have a text alternative");
    cr_expect_not_null(strstr(r.body, "<caption>Identités par statut et par établissement"));
    cr_expect_not_null(strstr(r.body, "CH Deux"), "every establishment has its row");
    cr_expect_not_null(strstr(r.body, "<caption>Mouvements par semaine"));
    cr_expect_null(strstr(r.body, "<script>"), "no inline script (CSP)");
    cr_expect_null(strstr(r.body, "style=\""), "no inline style (CSP)");
    free(r.raw);
}

/* ---- Structures ------------------------------------------------------------ */

Test(web_data, structures_show_the_occupied_bed_and_only_the_account_s_establishments)
{
    session iv = as("iv");
    http_reply r = get(&iv, "/structures");
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "<details"), "a collapsible tree");
    cr_expect_not_null(strstr(r.body, "LIT-D1"));
    cr_expect_not_null(strstr(r.body, "badge-busy"), "LIT-D1 is occupied");
    cr_expect_not_null(strstr(r.body, "IPP1"), "by IPP1");
    cr_expect_not_null(strstr(r.body, "V-D1"));
    cr_expect_not_null(strstr(r.body, "badge-free"), "LIT-D2 is free");
    cr_expect_not_null(strstr(r.body, "UF-X2"), "the whole group");
    free(r.raw);

    session desk = as("desk1");
    r = get(&desk, "/structures");
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "LIT-D1"));
    cr_expect_null(strstr(r.body, "UF-X2"), "not another establishment's structures");
    cr_expect_null(strstr(r.body, "CH Deux"));
    free(r.raw);
}

/* ---- Journal d'accès -------------------------------------------------------- */

Test(web_data, journal_filters_pages_and_shows_the_chain_state)
{
    session dpo = as("dpo");
    http_reply r = get(&dpo, "/journal");
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "Chaîne intègre"), "%s", r.body);
    cr_expect_not_null(strstr(r.body, "<form method=\"get\" action=\"/journal\""));
    cr_expect_not_null(strstr(r.body, "identity.create"), "records of the feed");
    free(r.raw);

    r = get(&dpo, "/journal?action=web.*&acteur=web:dpo");
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "web.view"), "the dpo's own page views");
    cr_expect_null(strstr(r.body, "<td>identity.create</td>"), "filtered out");
    free(r.raw);

    r = get(&dpo, "/journal?du=2026-02-30");
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "Filtres invalides"));
    free(r.raw);
}

Test(web_data, journal_csv_is_an_attachment_in_rfc4180)
{
    session dpo = as("dpo");
    http_reply r = get(&dpo, "/journal.csv?action=identity.*");
    cr_assert_eq(r.status, 200);
    cr_expect_str_eq(header(&r, "Content-Type"), "text/csv; charset=utf-8");
    cr_expect_not_null(strstr(header(&r, "Content-Disposition"), "attachment"));
    cr_expect_eq(strncmp(r.body, "seq,horodatage,acteur,rôle,action,", 34), 0, "%s", r.body);
    cr_expect_not_null(strstr(r.body, "\r\n"), "CRLF line ends");
    cr_expect_not_null(strstr(r.body, ",identity.create,"), "%s", r.body);
    cr_expect_null(strstr(r.body, ",web.view,"), "the filter applies");
    free(r.raw);

    /* The export is in the trail. */
    r = get(&dpo, "/journal?action=audit.export");
    cr_expect_not_null(strstr(r.body, "<td>audit.export</td>"));
    free(r.raw);
}

Test(web_data, full_chain_check_needs_the_csrf_token)
{
    session dpo = as("dpo");
    http_reply r = request("POST", "/journal/verifier", dpo.cookie, "");
    cr_expect_eq(r.status, 403, "forged: no token");
    free(r.raw);
    r = request("POST", "/journal/verifier", dpo.cookie, h_fmt("csrf=%s", dpo.csrf));
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "Vérification complète"), "%s", r.body);
    cr_expect_not_null(strstr(r.body, "Chaîne intègre"));
    free(r.raw);
}
