/*
 * test_pam_query.c - the query side of the HL7 interface: qpd.h (QPD, RCP
 * and DSC of a QBP^Q22 / QBP^Q23 mapped to search criteria, each problem
 * at its ERR location) and the RSP that pam_handle builds for them
 * (segment order, QAK, QPD echo, PID content, journal replay).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "hl7/er7.h"
#include "hl7/pam.h"
#include "hl7/qpd.h"
#include "identity_fixtures.h"
#include "util/buf.h"

/* ---- qpd_parse ------------------------------------------------------------ */

static char text[4096];
static er7_message *msg;

static er7_message *parse(const char *charset, const char *trigger, const char *rest)
{
    snprintf(text, sizeof text, "MSH|^~\\&|DPI|FAC|SOCLE|GHT|20250101120000||QBP^%s^QBP_Q21"
             "|C1|P|2.5|||||FRA|%s\r%s", trigger, charset, rest);
    socle_err err = { 0 };
    msg = er7_parse(text, strlen(text), &err);
    cr_assert_not_null(msg, "%s", err.msg);
    return msg;
}

static void done(void)
{
    er7_free(msg);
    msg = NULL;
}

TestSuite(qpd, .fini = done);

static void expect_issue(const qpd_issue *is, const char *seg, size_t field, size_t rep,
                         size_t comp, int code)
{
    cr_assert_str_eq(is->where.seg_id, seg, "%s", is->text);
    cr_assert_eq(is->where.field, field, "%s: field %zu", is->text, is->where.field);
    cr_assert_eq(is->where.rep, rep, "%s: rep %zu", is->text, is->where.rep);
    cr_assert_eq(is->where.comp, comp, "%s: comp %zu", is->text, is->where.comp);
    cr_assert_eq(is->code, code, "%s: code %d", is->text, is->code);
    cr_assert(is->text[0] != '\0');
}

Test(qpd, pdq_criteria_domains_limit_pointer)
{
    qpd_query q;
    qpd_issue is;
    parse("UNICODE UTF-8", "Q22",
          "QPD|IHE PDQ Query|TAG|@PID.5.1.1^dup*~@PID.5.2^JEAN~@PID.7^19800101~@PID.8^M"
          "~@PID.3.1^123~@PID.3.4.2^1.2.3.4~@PID.5.7^L|||||^^^A&1.2.3&ISO~^^^B&1.2.4&ISO\r"
          "RCP|I|5^RD\rDSC|K22-9-0000abcd|I\r");
    cr_assert_eq(qpd_parse(msg, QPD_PDQ, &q, &is), 0, "%s", is.text);
    cr_assert_str_eq(q.crit.family, "dup");
    cr_assert_eq(q.crit.family_prefix, 1);
    cr_assert_str_eq(q.crit.given, "JEAN");
    cr_assert_eq(q.crit.given_prefix, 0);
    cr_assert_str_eq(q.crit.birth_date, "1980-01-01");
    cr_assert_eq(q.crit.sex, 'M');
    cr_assert_str_eq(q.crit.ipp, "123");
    cr_assert_str_eq(q.crit.domain_oid, "1.2.3.4");
    cr_assert_eq(q.authority_rep, 6);
    cr_assert_eq(q.crit.n_in_domains, 2);
    cr_assert_str_eq(q.crit.in_domains[1], "1.2.4");
    cr_assert_eq(q.domain_reps[1], 2);
    cr_assert_eq(q.crit.limit, 5);
    cr_assert_str_eq(q.continuation, "K22-9-0000abcd");
}

Test(qpd, pdq_hd_ins_and_latin1)
{
    qpd_query q;
    qpd_issue is;
    parse("8859/1", "Q22", "QPD|IHE PDQ Query|TAG|@PID.5.1.1^L\xC9VY~@PID.3.1^X1"
          "~@PID.3.4^H&1.2.9&ISO\rRCP|I\r");
    cr_assert_eq(qpd_parse(msg, QPD_PDQ, &q, &is), 0, "%s", is.text);
    cr_assert_str_eq(q.crit.family, "L\xC3\x89VY", "decoded to UTF-8");
    cr_assert_str_eq(q.crit.domain_oid, "1.2.9");
    done();

    parse("", "Q22", "QPD|IHE PDQ Query|TAG|@PID.3.1^285077505600195"
          "~@PID.3.4.2^1.2.250.1.213.1.4.8\r");
    cr_assert_eq(qpd_parse(msg, QPD_PDQ, &q, &is), 0, "%s", is.text);
    cr_assert_str_eq(q.crit.ins, "285077505600195");
    cr_assert_str_eq(q.crit.ipp, "", "an INS is not an IPP");
}

Test(qpd, pdq_problems_located)
{
    static const struct {
        const char *rest;
        const char *seg;
        size_t field, rep, comp;
        int code;
    } cases[] = {
        { "RCP|I\r", "QPD", 0, 0, 0, 100 },
        { "QPD||TAG|@PID.8^F\r", "QPD", 1, 0, 0, 101 },
        { "QPD|IHE PIX Query|TAG|@PID.8^F\r", "QPD", 1, 0, 0, 103 },
        { "QPD|IHE PDQ Query||@PID.8^F\r", "QPD", 2, 0, 0, 101 },
        { "QPD|IHE PDQ Query|T|@PID.8^F~@PID.5.1.1^D*P\r", "QPD", 3, 2, 2, 102 },
        { "QPD|IHE PDQ Query|T|@PID.7^19801301\r", "QPD", 3, 1, 2, 102 },
        { "QPD|IHE PDQ Query|T|@PID.8^X\r", "QPD", 3, 1, 2, 103 },
        { "QPD|IHE PDQ Query|T|@PID.13^0102\r", "QPD", 3, 1, 1, 103 },
        { "QPD|IHE PDQ Query|T|PID.8^F\r", "QPD", 3, 1, 1, 102 },
        { "QPD|IHE PDQ Query|T|@PID.3.4.2^1.2.3\r", "QPD", 3, 1, 0, 101 },
        { "QPD|IHE PDQ Query|T|@PID.3.1^1~@PID.3.4.1^NS\r", "QPD", 3, 2, 2, 204 },
        { "QPD|IHE PDQ Query|T|@PID.8^F|||||^^^&&ISO\r", "QPD", 8, 1, 4, 101 },
        { "QPD|IHE PDQ Query|T|@PID.8^F\rRCP|D\r", "RCP", 1, 1, 1, 103 },
        { "QPD|IHE PDQ Query|T|@PID.8^F\rRCP|I|ten^RD\r", "RCP", 2, 1, 1, 102 },
        { "QPD|IHE PDQ Query|T|@PID.8^F\rRCP|I|10^KG\r", "RCP", 2, 1, 2, 103 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        qpd_query q;
        qpd_issue is;
        parse("", "Q22", cases[i].rest);
        cr_assert_eq(qpd_parse(msg, QPD_PDQ, &q, &is), -1, "case %zu accepted", i);
        expect_issue(&is, cases[i].seg, cases[i].field, cases[i].rep, cases[i].comp,
                     cases[i].code);
        done();
    }
}

Test(qpd, pix_identifier_and_domains)
{
    qpd_query q;
    qpd_issue is;
    parse("", "Q23", "QPD|Q23^IHE PIX Query|T|ABC^^^H&1.2.3&ISO^PI|^^^X&1.2.4&ISO~^^^NS\r");
    cr_assert_eq(qpd_parse(msg, QPD_PIX, &q, &is), 0, "%s", is.text);
    cr_assert_str_eq(q.pix_value, "ABC");
    cr_assert_str_eq(q.pix_oid, "1.2.3");
    cr_assert_eq(q.crit.n_in_domains, 2);
    cr_assert_str_eq(q.crit.in_domains[0], "1.2.4");
    cr_assert_str_eq(q.crit.in_domains[1], "NS", "a namespace, for the caller to refuse");
    done();

    parse("", "Q23", "QPD|IHE PIX Query|T|^^^H&1.2.3&ISO\r");
    cr_assert_eq(qpd_parse(msg, QPD_PIX, &q, &is), -1);
    expect_issue(&is, "QPD", 3, 1, 1, 101);
    done();

    parse("", "Q23", "QPD|IHE PIX Query|T|ABC\r");
    cr_assert_eq(qpd_parse(msg, QPD_PIX, &q, &is), -1);
    expect_issue(&is, "QPD", 3, 1, 4, 101);
}

/* ---- The RSP, through pam_handle ------------------------------------------- */

TestSuite(rsp, .init = identity_setup, .fini = identity_teardown);

static const pam_config cfg = { .app = "SOCLE", .facility = "GHT" };

static char *handle(const char *m)
{
    buf out = { 0 };
    socle_err err = { 0 };
    cr_assert_eq(pam_handle(st, &cfg, "test", m, strlen(m), &out, &err), 0, "%s", err.msg);
    return buf_detach(&out);
}

static void feed(void)
{
    char *ack = handle("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20250101120000||ADT^A28^ADT_A05|A1|P|"
                       "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20250101120000\r"
                       "PID|1||P1^^^H&" OID_A "&ISO^PI||TESTRSP^ANNE^ANNE^^^^L~TESTUSAGE^ANNE"
                       "^^^^^D||19750505|F|||^^^^^^BDL^^75056\rPV1|1|N\r");
    cr_assert(strstr(ack, "MSA|AA|A1") != NULL, "%s", ack);
    free(ack);
}

/* The ids of the segments of a reply, in order ("MSH MSA QAK QPD PID"). */
static void segment_ids(const char *reply, char *out, size_t n)
{
    out[0] = '\0';
    for (const char *p = reply; *p != '\0';) {
        strncat(out, p, 3);
        const char *cr = strchr(p, '\r');
        if (cr == NULL || cr[1] == '\0')
            break;
        strncat(out, " ", n - strlen(out) - 1);
        p = cr + 1;
    }
}

Test(rsp, pdq_response_segments_and_pid)
{
    feed();
    const char *q = "MSH|^~\\&|DPI|FAC|SOCLE|GHT|20250101120000||QBP^Q22^QBP_Q21|Q1|P|2.5"
                    "|||||FRA|UNICODE UTF-8\rQPD|IHE PDQ Query|TAG1|@PID.5.1.1^testusage\r"
                    "RCP|I|10^RD\r";
    char *r = handle(q);
    char ids[128];
    segment_ids(r, ids, sizeof ids);
    cr_assert_str_eq(ids, "MSH MSA QAK QPD PID", "%s", r);
    socle_err err = { 0 };
    er7_message *m = er7_parse(r, strlen(r), &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(er7_slice_eq(er7_field(m, 0, 9), "RSP^K22^RSP_K21"));
    cr_assert(er7_slice_eq(er7_field(m, 0, 5), "DPI"), "MSH-5 = its MSH-3");
    cr_assert(er7_slice_eq(er7_field(m, 1, 1), "AA"));
    cr_assert(er7_slice_eq(er7_field(m, 1, 2), "Q1"));
    cr_assert(er7_slice_eq(er7_field(m, 2, 1), "TAG1"));
    cr_assert(er7_slice_eq(er7_field(m, 2, 2), "OK"));
    cr_assert(er7_slice_eq(er7_field(m, 2, 3), "IHE PDQ Query"));
    cr_assert(er7_slice_eq(er7_field(m, 2, 4), "1"));
    cr_assert(er7_slice_eq(er7_field(m, 3, 3), "@PID.5.1.1^testusage"), "QPD echoed");
    cr_assert(er7_slice_eq(er7_get(m, 4, 3, 1, 1, 0), "P1"));
    cr_assert(er7_slice_eq(er7_get(m, 4, 3, 1, 4, 2), OID_A));
    cr_assert(er7_slice_eq(er7_get(m, 4, 3, 1, 5, 0), "PI"));
    cr_assert(er7_slice_eq(er7_get(m, 4, 5, 1, 0, 0), "TESTRSP^ANNE^ANNE^^^^L"), "%s", r);
    cr_assert(er7_slice_eq(er7_get(m, 4, 5, 2, 0, 0), "TESTUSAGE^ANNE^^^^^D"), "%s", r);
    cr_assert(er7_slice_eq(er7_field(m, 4, 7), "19750505"));
    cr_assert(er7_slice_eq(er7_field(m, 4, 8), "F"));
    cr_assert(er7_slice_eq(er7_get(m, 4, 11, 1, 9, 0), "75056"));
    cr_assert(er7_slice_eq(er7_field(m, 4, 32), "PROV"));
    er7_free(m);

    /* The same query again: the journal's answer, byte for byte. */
    char *again = handle(q);
    cr_assert_str_eq(again, r);
    free(again);
    free(r);
}

Test(rsp, error_response_has_err_and_qak_ae)
{
    char *r = handle("MSH|^~\\&|DPI|FAC|SOCLE|GHT|20250101120000||QBP^Q23^QBP_Q21|Q2|P|2.5\r"
                     "QPD|IHE PIX Query|TAG2|X^^^H&" OID_UNKNOWN "&ISO\rRCP|I\r");
    char ids[128];
    segment_ids(r, ids, sizeof ids);
    cr_assert_str_eq(ids, "MSH MSA ERR QAK QPD", "%s", r);
    cr_assert(strstr(r, "RSP^K23^RSP_K23") != NULL, "%s", r);
    cr_assert(strstr(r, "MSA|AE|Q2") != NULL, "%s", r);
    cr_assert(strstr(r, "ERR||QPD^1^3^1^4|204^") != NULL, "%s", r);
    cr_assert(strstr(r, "QAK|TAG2|AE|IHE PIX Query") != NULL, "%s", r);
    free(r);
}
