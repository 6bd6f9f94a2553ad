/*
 * test_hl7_query.c - the query transactions as a consumer application
 * sees them: identities fed by A28 over MLLP to `socle serve --mllp 0`,
 * then IHE PDQ (QBP^Q22) and PIX (QBP^Q23) queries on the same port, and
 * their RSP checked segment by segment.
 *
 * Every patient here is invented; the INS is built with a valid key.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7_support.h"

/* A second establishment, so that a patient can have two IPPs. */
#define EJ2_OID "1.2.250.1.999.2"
#define EJ1_OID "1.2.250.1.999.1"

static void query_setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, HEADER "EJ,EJ2,CH Deux,,750712192," EJ2_OID ",,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

TestSuite(hl7_query, .init = query_setup, .fini = hl7_teardown, .timeout = 240);

/* ---- Messages ----------------------------------------------------------- */

static const char *qbp(const char *charset, const char *trigger, const char *control,
                       const char *rest)
{
    return h_fmt("MSH|^~\\&|DPI|FAC|SOCLE|GHT|20250101120000||QBP^%s^QBP_Q21|%s|P|2.5"
                 "|||||FRA|%s\r%s", trigger, control, charset, rest);
}

static const char *pdq(const char *control, const char *params, const char *rcp)
{
    return qbp("UNICODE UTF-8", "Q22", control,
               h_fmt("QPD|IHE PDQ Query|T-%s|%s\rRCP|I|%s\r", control, params, rcp));
}

static const char *pix(const char *control, const char *id, const char *domains)
{
    return qbp("UNICODE UTF-8", "Q23", control,
               h_fmt("QPD|IHE PIX Query|T-%s|%s|%s\rRCP|I\r", control, id, domains));
}

/* Three patients; Alice is known to both establishments (one GHT identity
 * through her INS), and qualified (INS with VALI and an identity card). */
#define INS_ALICE "285077505600195"
static void feed_patients(void)
{
    feed(a28("F1", "IPP1^^^HOP&" EJ1_OID "&ISO^PI~" INS_ALICE "^^^ASIP-SANTE-INS-NIR&"
                   "1.2.250.1.213.1.4.8&ISO^INS||TESTNOM^ALICE^ALICE CLAIRE^^Mme^^L||19850715|F"
                   "|||^^^^^^BDL^^75056|||||||||||||||||||||VALI\rZFD|||||||CN"));
    feed(a28("F2", "B-77^^^CHD&" EJ2_OID "&ISO^PI~" INS_ALICE "^^^ASIP-SANTE-INS-NIR&"
                   "1.2.250.1.213.1.4.8&ISO^INS||TESTNOM^ALICE^ALICE CLAIRE^^Mme^^L||19850715|F"
                   "|||^^^^^^BDL^^75056|||||||||||||||||||||VALI"));
    feed(a28("F3", "IPP2^^^HOP&" EJ1_OID "&ISO^PI||TESTDUPONT^JEAN^JEAN^^M.^^L||19700101|M"));
    feed(a28("F4", "IPP3^^^HOP&" EJ1_OID "&ISO^PI||TESTDURAND^JEANNE^JEANNE^^Mme^^L"
                   "||19700101|F"));
}

/* ---- Reading the RSP ------------------------------------------------------ */

static size_t seg(const ack *a, const char *id, size_t nth)
{
    return er7_find(a->m, id, nth);
}

static size_t count_segs(const ack *a, const char *id)
{
    size_t n = 0;
    while (seg(a, id, n) != ER7_NONE)
        n++;
    return n;
}

static void expect_rsp(const ack *a, const char *trigger, const char *msa, const char *control,
                       const char *qak)
{
    cr_assert_str_eq(value(a, 0, 9, 1, 1), "RSP", "%s", a->text);
    cr_assert_str_eq(value(a, 0, 9, 1, 2), trigger, "%s", a->text);
    expect_code(a, msa);
    cr_assert_str_eq(value(a, 1, 2, 1, 1), control, "%s", a->text);
    size_t q = seg(a, "QAK", 0);
    cr_assert_neq(q, ER7_NONE, "no QAK:\n%s", a->text);
    cr_assert_str_eq(value(a, q, 1, 1, 1), h_fmt("T-%s", control), "%s", a->text);
    cr_assert_str_eq(value(a, q, 2, 1, 1), qak, "%s", a->text);
    size_t qpd = seg(a, "QPD", 0);
    cr_assert_eq(qpd, q + 1, "QPD must follow QAK:\n%s", a->text);
    cr_assert_str_eq(value(a, qpd, 2, 1, 1), h_fmt("T-%s", control));
}

/* The PID-3 repetition with this id and authority OID exists. */
static int has_id(const ack *a, size_t pid, const char *id, const char *oid, const char *type)
{
    size_t reps = er7_count(a->m, pid, 3, 0, 0);
    for (size_t r = 1; r <= reps; r++) {
        er7_slice v = er7_get(a->m, pid, 3, r, 1, 0), o = er7_get(a->m, pid, 3, r, 4, 2);
        if (er7_slice_eq(v, id) && er7_slice_eq(o, oid)
            && er7_slice_eq(er7_get(a->m, pid, 3, r, 5, 0), type))
            return 1;
    }
    return 0;
}

/* ---- PDQ ------------------------------------------------------------------ */

Test(hl7_query, pdq_by_name_birth_date_sex_ipp_ins)
{
    h_server s;
    start(&s);
    feed_patients();

    /* By name: Alice, once, with both IPPs, her GHT id and her INS. */
    ack a = roundtrip(pdq("Q1", "@PID.5.1.1^testnom", "10^RD"));
    expect_rsp(&a, "K22", "AA", "Q1", "OK");
    cr_assert_eq(count_segs(&a, "PID"), 1, "%s", a.text);
    size_t pid = seg(&a, "PID", 0);
    cr_assert(has_id(&a, pid, "IPP1", EJ1_OID, "PI"), "%s", a.text);
    cr_assert(has_id(&a, pid, "B-77", EJ2_OID, "PI"), "%s", a.text);
    cr_assert(has_id(&a, pid, INS_ALICE, "1.2.250.1.213.1.4.8", "INS"), "%s", a.text);
    cr_assert_str_eq(value(&a, pid, 5, 1, 1), "TESTNOM");
    cr_assert_str_eq(value(&a, pid, 5, 1, 2), "ALICE");
    cr_assert_str_eq(value(&a, pid, 5, 1, 7), "L");
    cr_assert_str_eq(value(&a, pid, 7, 1, 1), "19850715");
    cr_assert_str_eq(value(&a, pid, 8, 1, 1), "F");
    cr_assert_str_eq(value(&a, pid, 32, 1, 1), "VALI", "%s", a.text);
    size_t qak = seg(&a, "QAK", 0);
    cr_assert_str_eq(value(&a, qak, 4, 1, 1), "1");
    cr_assert_str_eq(value(&a, qak, 5, 1, 1), "1");
    ack_free(&a);

    /* By birth date and sex: Jean, not Jeanne born the same day. */
    a = roundtrip(pdq("Q2", "@PID.7^19700101~@PID.8^M", ""));
    expect_rsp(&a, "K22", "AA", "Q2", "OK");
    cr_assert_eq(count_segs(&a, "PID"), 1, "%s", a.text);
    cr_assert(has_id(&a, seg(&a, "PID", 0), "IPP2", EJ1_OID, "PI"), "%s", a.text);
    cr_assert_str_eq(value(&a, seg(&a, "PID", 0), 32, 1, 1), "PROV");
    ack_free(&a);

    /* By name prefix: both born 1970. */
    a = roundtrip(pdq("Q3", "@PID.5.1.1^TESTDU*", ""));
    expect_rsp(&a, "K22", "AA", "Q3", "OK");
    cr_assert_eq(count_segs(&a, "PID"), 2, "%s", a.text);
    ack_free(&a);

    /* By IPP and its authority: the patient with all her IPPs. */
    a = roundtrip(pdq("Q4", "@PID.3.1^B-77~@PID.3.4.2^" EJ2_OID, ""));
    expect_rsp(&a, "K22", "AA", "Q4", "OK");
    cr_assert_eq(count_segs(&a, "PID"), 1, "%s", a.text);
    cr_assert(has_id(&a, seg(&a, "PID", 0), "IPP1", EJ1_OID, "PI"), "%s", a.text);
    ack_free(&a);

    /* By INS (PAM FR: PID-3 under the INS-NIR OID), asking for EJ2's ids. */
    a = roundtrip(qbp("UNICODE UTF-8", "Q22", "Q5",
                      "QPD|IHE PDQ Query|T-Q5|@PID.3.1^" INS_ALICE "~@PID.3.4.2^"
                      "1.2.250.1.213.1.4.8|||||^^^CHD&" EJ2_OID "&ISO\rRCP|I\r"));
    expect_rsp(&a, "K22", "AA", "Q5", "OK");
    pid = seg(&a, "PID", 0);
    cr_assert_neq(pid, ER7_NONE, "%s", a.text);
    cr_assert(has_id(&a, pid, "B-77", EJ2_OID, "PI"), "%s", a.text);
    cr_assert_eq(er7_count(a.m, pid, 3, 0, 0), 1, "only EJ2's IPP:\n%s", a.text);
    ack_free(&a);

    /* No match: AA, NF, no PID. */
    a = roundtrip(pdq("Q6", "@PID.5.1.1^NOBODY", ""));
    expect_rsp(&a, "K22", "AA", "Q6", "NF");
    cr_assert_eq(count_segs(&a, "PID"), 0, "%s", a.text);
    ack_free(&a);
    stop(&s);
}

Test(hl7_query, pdq_limit_and_continuation)
{
    h_server s;
    start(&s);
    feed_patients();
    /* Three patients match, two per page. */
    ack a = roundtrip(pdq("C1", "@PID.5.1.1^TEST*", "2^RD"));
    expect_rsp(&a, "K22", "AA", "C1", "OK");
    cr_assert_eq(count_segs(&a, "PID"), 2, "%s", a.text);
    size_t qak = seg(&a, "QAK", 0);
    cr_assert_str_eq(value(&a, qak, 4, 1, 1), "3", "%s", a.text);
    cr_assert_str_eq(value(&a, qak, 5, 1, 1), "2");
    cr_assert_str_eq(value(&a, qak, 6, 1, 1), "1");
    size_t dsc = seg(&a, "DSC", 0);
    cr_assert_neq(dsc, ER7_NONE, "no DSC:\n%s", a.text);
    char pointer[64];
    snprintf(pointer, sizeof pointer, "%s", value(&a, dsc, 1, 1, 1));
    cr_assert_str_eq(value(&a, dsc, 2, 1, 1), "I");
    ack_free(&a);

    /* The same query with the pointer: the last one, and no DSC. */
    const char *more = qbp("UNICODE UTF-8", "Q22", "C2",
                           h_fmt("QPD|IHE PDQ Query|T-C2|@PID.5.1.1^TEST*\rRCP|I|2^RD\r"
                                 "DSC|%s|I\r", pointer));
    a = roundtrip(more);
    expect_rsp(&a, "K22", "AA", "C2", "OK");
    cr_assert_eq(count_segs(&a, "PID"), 1, "%s", a.text);
    cr_assert_eq(seg(&a, "DSC", 0), ER7_NONE, "%s", a.text);
    cr_assert(has_id(&a, seg(&a, "PID", 0), "IPP3", EJ1_OID, "PI"), "%s", a.text);
    ack_free(&a);

    /* A pointer used with other criteria is refused. */
    a = roundtrip(qbp("UNICODE UTF-8", "Q22", "C3",
                      h_fmt("QPD|IHE PDQ Query|T-C3|@PID.5.1.1^TESTD*\rRCP|I|2^RD\r"
                            "DSC|%s|I\r", pointer)));
    expect_rsp(&a, "K22", "AE", "C3", "AE");
    EXPECT_ERR(&a, 102, "E", "DSC", 1);
    ack_free(&a);
    stop(&s);
}

Test(hl7_query, pdq_errors)
{
    h_server s;
    start(&s);
    feed_patients();
    /* A domain of QPD-8 we do not know: AE, 204 at QPD-8. */
    ack a = roundtrip(qbp("UNICODE UTF-8", "Q22", "E1", "QPD|IHE PDQ Query|T-E1|"
                          "@PID.5.1.1^TESTNOM|||||^^^X&9.9.9.9&ISO\rRCP|I\r"));
    expect_rsp(&a, "K22", "AE", "E1", "AE");
    EXPECT_ERR(&a, 204, "E", "QPD", 8);
    cr_assert_eq(count_segs(&a, "PID"), 0);
    ack_free(&a);

    /* An IPP under an authority we do not know: 204 at QPD-3. */
    a = roundtrip(pdq("E2", "@PID.3.1^IPP1~@PID.3.4.2^9.9.9.9", ""));
    expect_rsp(&a, "K22", "AE", "E2", "AE");
    EXPECT_ERR(&a, 204, "E", "QPD", 3);
    ack_free(&a);

    /* No criterion at all: 101; a field we do not search: 103. */
    a = roundtrip(pdq("E3", "", ""));
    expect_rsp(&a, "K22", "AE", "E3", "AE");
    EXPECT_ERR(&a, 101, "E", "QPD", 3);
    ack_free(&a);
    a = roundtrip(pdq("E4", "@PID.13^0102030405", ""));
    EXPECT_ERR(&a, 103, "E", "QPD", 3);
    ack_free(&a);

    /* Another query name: AE, 103 at QPD-1. */
    a = roundtrip(qbp("UNICODE UTF-8", "Q22", "E5",
                      "QPD|OTHER Query|T-E5|@PID.5.1.1^X\rRCP|I\r"));
    expect_rsp(&a, "K22", "AE", "E5", "AE");
    EXPECT_ERR(&a, 103, "E", "QPD", 1);
    ack_free(&a);
    stop(&s);
}

/* A name sent in Latin-1 comes back in the consumer's own set. */
Test(hl7_query, pdq_latin1)
{
    h_server s;
    start(&s);
    ack a = roundtrip(adt("8859/1", "ADT^A28^ADT_A05", "L1",
                          "IPP9^^^HOP&" EJ1_OID "&ISO^PI||TESTL\xC9VY^\xC9LODIE^\xC9LODIE^^Mme^^L"
                          "||19900202|F"));
    expect_code(&a, "AA");
    ack_free(&a);

    /* Searched without the accent, in Latin-1: the name in Latin-1. */
    a = roundtrip(qbp("8859/1", "Q22", "L2",
                      "QPD|IHE PDQ Query|T-L2|@PID.5.1.1^testlevy\rRCP|I\r"));
    expect_rsp(&a, "K22", "AA", "L2", "OK");
    cr_assert_str_eq(value(&a, seg(&a, "PID", 0), 5, 1, 1), "TESTL\xC9VY", "%s", a.text);
    cr_assert_str_eq(value(&a, 0, 18, 1, 1), "8859/1");
    ack_free(&a);

    /* The same in UTF-8: the name in UTF-8. */
    a = roundtrip(qbp("UNICODE UTF-8", "Q22", "L3",
                      "QPD|IHE PDQ Query|T-L3|@PID.5.1.1^TESTL\xC3\x89VY\rRCP|I\r"));
    expect_rsp(&a, "K22", "AA", "L3", "OK");
    cr_assert_str_eq(value(&a, seg(&a, "PID", 0), 5, 1, 1), "TESTL\xC3\x89VY", "%s", a.text);
    ack_free(&a);

    /* An ASCII consumer gets the name without its diacritics. */
    a = roundtrip(qbp("", "Q22", "L4", "QPD|IHE PDQ Query|T-L4|@PID.5.1.1^TESTLEVY\rRCP|I\r"));
    expect_rsp(&a, "K22", "AA", "L4", "OK");
    cr_assert_str_eq(value(&a, seg(&a, "PID", 0), 5, 1, 1), "TESTLEVY", "%s", a.text);
    ack_free(&a);
    stop(&s);
}

/* ---- PIX ------------------------------------------------------------------ */

Test(hl7_query, pix_known_unknown_and_domains)
{
    h_server s;
    start(&s);
    feed_patients();

    /* Known: every other identifier of Alice, not the one queried. */
    ack a = roundtrip(pix("P1", "IPP1^^^HOP&" EJ1_OID "&ISO", ""));
    expect_rsp(&a, "K23", "AA", "P1", "OK");
    cr_assert_eq(count_segs(&a, "PID"), 1, "%s", a.text);
    size_t pid = seg(&a, "PID", 0);
    cr_assert(has_id(&a, pid, "B-77", EJ2_OID, "PI"), "%s", a.text);
    cr_assert(has_id(&a, pid, INS_ALICE, "1.2.250.1.213.1.4.8", "INS"), "%s", a.text);
    cr_assert(!has_id(&a, pid, "IPP1", EJ1_OID, "PI"), "%s", a.text);
    cr_assert_eq(er7_count(a.m, pid, 3, 0, 0), 3, "EJ2's IPP, GHT id, INS:\n%s", a.text);
    ack_free(&a);

    /* Restricted to EJ2. */
    a = roundtrip(pix("P2", "IPP1^^^HOP&" EJ1_OID "&ISO", "^^^CHD&" EJ2_OID "&ISO"));
    expect_rsp(&a, "K23", "AA", "P2", "OK");
    pid = seg(&a, "PID", 0);
    cr_assert_eq(er7_count(a.m, pid, 3, 0, 0), 1, "%s", a.text);
    cr_assert(has_id(&a, pid, "B-77", EJ2_OID, "PI"), "%s", a.text);
    ack_free(&a);

    /* Jean has no IPP in EJ2: AA, NF, no PID (ITI-9 case 2). */
    a = roundtrip(pix("P3", "IPP2^^^HOP&" EJ1_OID "&ISO", "^^^CHD&" EJ2_OID "&ISO"));
    expect_rsp(&a, "K23", "AA", "P3", "NF");
    cr_assert_eq(count_segs(&a, "PID"), 0, "%s", a.text);
    ack_free(&a);

    /* Unknown identifier in a known domain: AE, 204 at QPD-3.1 (case 3). */
    a = roundtrip(pix("P4", "NOPE^^^HOP&" EJ1_OID "&ISO", ""));
    expect_rsp(&a, "K23", "AE", "P4", "AE");
    EXPECT_ERR(&a, 204, "E", "QPD", 3);
    cr_assert_str_eq(value(&a, seg(&a, "ERR", 0), 2, 1, 5), "1", "%s", a.text);
    ack_free(&a);

    /* Unknown domain of the identifier: 204 at QPD-3.4 (case 4). */
    a = roundtrip(pix("P5", "IPP1^^^X&9.9.9.9&ISO", ""));
    expect_rsp(&a, "K23", "AE", "P5", "AE");
    EXPECT_ERR(&a, 204, "E", "QPD", 3);
    cr_assert_str_eq(value(&a, seg(&a, "ERR", 0), 2, 1, 5), "4", "%s", a.text);
    ack_free(&a);

    /* Unknown domain asked for: 204 at QPD-4 (case 5). */
    a = roundtrip(pix("P6", "IPP1^^^HOP&" EJ1_OID "&ISO", "^^^X&9.9.9.9&ISO"));
    expect_rsp(&a, "K23", "AE", "P6", "AE");
    EXPECT_ERR(&a, 204, "E", "QPD", 4);
    ack_free(&a);

    /* By INS: the IPPs in both establishments. */
    a = roundtrip(pix("P7", INS_ALICE "^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO", ""));
    expect_rsp(&a, "K23", "AA", "P7", "OK");
    pid = seg(&a, "PID", 0);
    cr_assert(has_id(&a, pid, "IPP1", EJ1_OID, "PI"), "%s", a.text);
    cr_assert(has_id(&a, pid, "B-77", EJ2_OID, "PI"), "%s", a.text);
    ack_free(&a);

    /* The reads are traced, with the criteria's names and not their
     * values; the queries are journaled like every message. */
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert(strstr(r.out, "identity.xref") != NULL, "%s", r.out);
    h_result_free(&r);
    stop(&s);
}

Test(hl7_query, search_audited_without_values)
{
    h_server s;
    start(&s);
    feed_patients();
    long long before = health_count(&s, "inbound_messages");
    ack a = roundtrip(pdq("A1", "@PID.5.1.1^TESTDUPONT~@PID.7^19700101", ""));
    expect_rsp(&a, "K22", "AA", "A1", "OK");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "inbound_messages"), before + 1);
    stop(&s);

    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    const char *line = strstr(r.out, "identity.search");
    cr_assert_not_null(line, "%s", r.out);
    const char *end = strchr(line, '\n');
    char copy[1024];
    snprintf(copy, sizeof copy, "%.*s", (int)(end ? end - line : (long)strlen(line)), line);
    cr_assert(strstr(copy, "criteria=family,birth_date") != NULL, "%s", copy);
    cr_assert(strstr(copy, "results=1") != NULL, "%s", copy);
    cr_assert(strstr(copy, "TESTDUPONT") == NULL && strstr(copy, "1970") == NULL, "%s", copy);
    h_result_free(&r);
}
