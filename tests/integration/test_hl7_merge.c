/*
 * test_hl7_merge.c - A40 (merge of two IPPs), A24 (link) and A37 (unlink)
 * sent to a real `socle serve` over MLLP, checked through the ACKs and
 * `socle export identities`.
 *
 * Synthetic people only (names ending in -TEST).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7_support.h"

TestSuite(hl7_merge, .init = hl7_setup, .fini = hl7_teardown, .timeout = 240);

#define AUTH "^^^HOP&1.2.250.1.999.1&ISO^PI"

static const char *a40(const char *control, const char *survivor, const char *mrg)
{
    return h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260101120000||ADT^A40^ADT_A39|%s|P|"
                 "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260101120000\r"
                 "PID|1||%s" AUTH "||DURAND-TEST^PAUL^PAUL^^^^L||19700102|M\r%s",
                 control, survivor, mrg);
}

static const char *link_msg(const char *trigger, const char *control, const char *ipp_a,
                            const char *ipp_b)
{
    return h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260101120000||ADT^%s^ADT_%s|%s|P|"
                 "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260101120000\r"
                 "PID|1||%s" AUTH "\rPV1|1|N\rPID|2||%s" AUTH "\rPV1|2|N\r",
                 trigger, strcmp(trigger, "A24") == 0 ? "A24" : "A37", control, ipp_a, ipp_b);
}

/* An admission (A01) or discharge (A03) of visit V1 for a patient (IPP). */
static const char *visit_msg(const char *trigger, const char *control, const char *ipp,
                             const char *movement, const char *at)
{
    return h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^%s^ADT_A01|%s|P|"
                 "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
                 "PID|1||%s" AUTH "||DURAND-TEST^PAUL^PAUL^^^^L||19700102|M\r"
                 "PV1|1|I|UF-1||||||||||||||||V1^^^HOP&1.2.250.1.999.1&ISO^VN\r"
                 "ZBE|%s^GAM^1.2.250.1.999.1.9^ISO|%s||INSERT|N||^^^^^^UF^^^UF-1||S\r",
                 trigger, control, ipp, movement, at);
}

static void send_expect(const char *msg, const char *code)
{
    ack a = roundtrip(msg);
    expect_code(&a, code);
    ack_free(&a);
}

/* The export's row of an IPP, without its newline (a static buffer). */
static const char *export_row(const char *ipp)
{
    static char line[1024];
    h_result r;
    cr_assert_eq(H_RUN(&r, "export", "identities", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    char key[80];
    snprintf(key, sizeof key, "\n1.2.250.1.999.1,%s,", ipp);
    const char *at = strstr(r.out, key);
    cr_assert_not_null(at, "no row for %s in:\n%s", ipp, r.out);
    at++;
    size_t n = strcspn(at, "\n");
    cr_assert_lt(n, sizeof line);
    memcpy(line, at, n);
    line[n] = '\0';
    h_result_free(&r);
    return line;
}

/* Column col (0-based) of an export row. */
static const char *column(const char *row, int col, char *out, size_t n)
{
    for (int i = 0; i < col; i++) {
        row = strchr(row, ',');
        cr_assert_not_null(row);
        row++;
    }
    size_t len = strcspn(row, ",");
    cr_assert_lt(len, n);
    memcpy(out, row, len);
    out[len] = '\0';
    return out;
}

Test(hl7_merge, a40_merges_an_ipp_into_another)
{
    h_server s;
    start(&s);
    send_expect(a28("M-1", "IPP-S" AUTH "||DURAND-TEST^PAUL^PAUL^^^^L||19700102|M"), "AA");
    send_expect(a28("M-2", "IPP-X" AUTH "||DURANT-TEST^PAUL^PAUL^^^^L||19700102|M"), "AA");
    char g_s[24], g_x[24];
    column(export_row("IPP-S"), 2, g_s, sizeof g_s);
    column(export_row("IPP-X"), 2, g_x, sizeof g_x);
    cr_assert_str_neq(g_s, g_x);

    ack a = roundtrip(a40("M-3", "IPP-S", "MRG|IPP-X" AUTH "\r"));
    expect_code(&a, "AA");
    ack_free(&a);

    /* The absorbed IPP is inactive, merged into the survivor, and designates
     * the survivor's GHT identity. */
    char active[4], into[32], ght[24];
    const char *row = export_row("IPP-X");
    cr_assert_str_eq(column(row, 11, active, sizeof active), "0", "%s", row);
    cr_assert_str_eq(column(row, 12, into, sizeof into), "IPP-S", "%s", row);
    cr_assert_str_eq(column(row, 2, ght, sizeof ght), g_s, "%s", row);
    row = export_row("IPP-S");
    cr_assert_str_eq(column(row, 11, active, sizeof active), "1", "%s", row);

    /* Later messages about the absorbed IPP are refused with a clear text. */
    a = roundtrip(a28("M-4", "IPP-X" AUTH "||DURANT-TEST^PAUL^PAUL^^^^L||19700102|M"));
    expect_code(&a, "AE");
    cr_assert(strstr(a.text, "merged into") != NULL, "%s", a.text);
    ack_free(&a);
    a = roundtrip(a40("M-5", "IPP-S", "MRG|IPP-X" AUTH "\r"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 207, "E", "MRG", 1);
    ack_free(&a);
    stop(&s);
}

Test(hl7_merge, a40_the_stays_follow_the_survivor)
{
    h_server s;
    start(&s);
    send_expect(a28("V-1", "IPP-S" AUTH "||DURAND-TEST^PAUL^PAUL^^^^L||19700102|M"), "AA");
    send_expect(visit_msg("A01", "V-2", "IPP-X", "MV-1", "20260110080000"), "AA");
    send_expect(a40("V-3", "IPP-S", "MRG|IPP-X" AUTH "\r"), "AA");

    h_result r;
    cr_assert_eq(H_RUN(&r, "export", "stays", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert_not_null(strstr(r.out, "\n1.2.250.1.999.1,V1,IPP-S,in-progress,"),
                       "the stay did not follow the survivor:\n%s", r.out);
    h_result_free(&r);

    /* The discharge names the survivor's IPP, as the sender now does. */
    send_expect(visit_msg("A03", "V-4", "IPP-S", "MV-2", "20260111100000"), "AA");
    cr_assert_eq(H_RUN(&r, "export", "stays", "--data", data), 0);
    cr_assert_not_null(strstr(r.out, "\n1.2.250.1.999.1,V1,IPP-S,finished,"), "%s", r.out);
    h_result_free(&r);
    stop(&s);
}

Test(hl7_merge, a40_errors_are_AE_and_nothing_applied)
{
    h_server s;
    start(&s);
    send_expect(a28("E-1", "IPP-S" AUTH "||DURAND-TEST^PAUL^PAUL^^^^L||19700102|M"), "AA");

    ack a = roundtrip(a40("E-2", "IPP-S", "MRG|IPP-NONE" AUTH "\r"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 204, "E", "MRG", 1);
    ack_free(&a);

    a = roundtrip(a40("E-3", "IPP-S", ""));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 100, "E", "MRG", 0);
    ack_free(&a);

    a = roundtrip(a40("E-4", "IPP-S", "MRG|IPP-S" AUTH "\r"));
    expect_code(&a, "AE");
    ack_free(&a);

    a = roundtrip(a40("E-5", "IPP-S", "MRG|IPP-Y^^^OTHER&1.2.250.1.999.9&ISO^PI\r"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 204, "E", "MRG", 1);
    ack_free(&a);

    /* A survivor unknown to us is created from the PID (the merge then
     * fails on the unknown absorbed IPP, and the whole message rolls back). */
    long long before = health_count(&s, "local_identities");
    a = roundtrip(a40("E-6", "IPP-NEW", "MRG|IPP-NONE" AUTH "\r"));
    expect_code(&a, "AE");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), before, "nothing half-applied");
    cr_assert_eq(health_count(&s, "merges"), 0);
    stop(&s);
}

Test(hl7_merge, a24_links_and_a37_unlinks)
{
    h_server s;
    start(&s);
    send_expect(a28("L-1", "IPP-A" AUTH "||MOREAU-TEST^ANNE^ANNE^^^^L||19800303|F"), "AA");
    send_expect(a28("L-2", "IPP-B" AUTH "||MOREAU-TEST^ANNE^ANNE^^^^L||19800303|F"), "AA");
    char ga[24], gb[24];
    column(export_row("IPP-A"), 2, ga, sizeof ga);
    cr_assert_str_neq(ga, column(export_row("IPP-B"), 2, gb, sizeof gb));

    send_expect(link_msg("A24", "L-3", "IPP-A", "IPP-B"), "AA");
    cr_assert_str_eq(ga, column(export_row("IPP-B"), 2, gb, sizeof gb));
    cr_assert_eq(health_count(&s, "merges"), 1);

    send_expect(link_msg("A37", "L-4", "IPP-A", "IPP-B"), "AA");
    column(export_row("IPP-B"), 2, gb, sizeof gb);
    cr_assert_str_neq(ga, gb, "IPP-B has a GHT identity of its own again");
    cr_assert_str_eq(ga, column(export_row("IPP-A"), 2, gb, sizeof gb));

    ack a = roundtrip(link_msg("A37", "L-5", "IPP-A", "IPP-B"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 207, "E", "PID", 3);
    ack_free(&a);

    a = roundtrip(link_msg("A24", "L-6", "IPP-A", "IPP-NONE"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 204, "E", "PID", 3);
    ack_free(&a);

    /* One PID only: the second is required. */
    a = roundtrip(h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260101120000||ADT^A24^ADT_A24|L-7|P|"
                        "2.5^FRA^2.11\rEVN||20260101120000\rPID|1||IPP-A" AUTH "\r"));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 100, "E", "PID", 0);
    ack_free(&a);
    stop(&s);
}
