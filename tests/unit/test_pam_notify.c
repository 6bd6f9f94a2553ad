/*
 * test_pam_notify.c - outgoing notifications rendered as PAM FR messages
 * (A28, A31, A40), read back with Socle's own parser, and the reading of
 * the receiver's acknowledgments.
 *
 * Synthetic people only.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/ins.h"
#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "hl7/pam_identity.h"
#include "hl7/pam_notify.h"

static const pam_notify_config cfg = { .app = "SOCLE", .facility = "GHT-TEST" };

#define GHT_OID "1.2.250.1.999.100"
#define INS_F   "285077505612344"   /* any 15 characters: not checked here */

/* A payload as core/notify.c writes it. */
static char *payload(const char *event, const char *status, const char *address,
                     int64_t merged)
{
    json_t *attrs = json_array();
    json_array_append_new(attrs, json_string("homonyme"));
    json_t *p = json_pack(
        "{s:s, s:s, s:s, s:{s:I, s:s, s:s},"
        " s:{s:I, s:I, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
        "    s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:s, s:o, s:b, s:s, s:s},"
        " s:[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}]}",
        "event", event, "at", "2025-03-04T10:11:12.345Z", "reason", "test",
        "ght", "id", (json_int_t)42, "oid", GHT_OID, "name", "GHT TEST",
        "patient", "id", (json_int_t)7, "domain_id", (json_int_t)2, "ipp", "IPP-7",
        "traits", "birth_name", "HÉLÈNE-TEST", "first_forename", "ANNE",
            "forenames", "ANNE MARIE", "birth_date", "1985-07-15", "sex", "F",
            "birth_place", "75056", "used_name", "USAGE-TEST", "used_forename", "ANNIE",
        "contact", "address", address, "postal_code", "75001", "city", "PARIS",
            "country", "FRA", "phone", "0102030405", "email", "anne@example.invalid",
        "ins", INS_F, "ins_oid", INS_OID_NIR, "status", status, "attributes", attrs,
        "insi_verified", 1, "insi_at", "", "proof_type", "CN",
        "identifiers",
            "ipp", "IPP-7", "domain_oid", "1.2.250.1.999.1", "domain_name", "CH A",
            "finess", "750712184",
            "ipp", "B-99", "domain_oid", "1.2.250.1.999.2", "domain_name", "CH B",
            "finess", "350005179");
    cr_assert_not_null(p);
    if (merged)
        json_object_set_new(p, "merged", json_pack("{s:I}", "id", (json_int_t)merged));
    char *s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p);
    return s;
}

typedef struct msg {
    buf text;
    er7_message *m;
} msg;

static msg render(const char *event, const char *status, const char *address, int64_t merged)
{
    msg out = { 0 };
    char *p = payload(event, status, address, merged);
    socle_err err = { 0 };
    cr_assert_eq(pam_notify_render(&cfg, "DPI", event, p, "CTRL-0001", 1741082400, &out.text,
                                   &err), 0, "%s", err.msg);
    free(p);
    out.m = er7_parse(out.text.data, out.text.len, &err);
    cr_assert_not_null(out.m, "%s:\n%s", err.msg, out.text.data);
    return out;
}

static void msg_free(msg *m)
{
    er7_free(m->m);
    buf_free(&m->text);
}

/* A value, unescaped, as text. */
static const char *v(const msg *m, const char *seg, size_t field, size_t rep, size_t comp,
                     size_t sub)
{
    static char out[4][512];
    static int k;
    char *o = out[k++ % 4];
    size_t s = er7_find(m->m, seg, 0);
    cr_assert_neq(s, ER7_NONE, "no %s in\n%s", seg, m->text.data);
    buf b = { 0 };
    socle_err err = { 0 };
    cr_assert_eq(er7_unescape(er7_delimiters(m->m), ER7_UTF8, er7_get(m->m, s, field, rep, comp,
                                                                       sub), &b, &err), 0,
                 "%s", err.msg);
    snprintf(o, 512, "%s", buf_cstr(&b));
    buf_free(&b);
    return o;
}

Test(pam_notify, a28_header_and_patient)
{
    msg m = render("A28", "PROV", "1 RUE DES TESTS", 0);
    cr_assert_str_eq(v(&m, "MSH", 3, 1, 1, 0), "SOCLE");
    cr_assert_str_eq(v(&m, "MSH", 4, 1, 1, 0), "GHT-TEST");
    cr_assert_str_eq(v(&m, "MSH", 5, 1, 1, 0), "DPI");
    cr_assert_eq(strlen(v(&m, "MSH", 7, 1, 1, 0)), 14);
    cr_assert_str_eq(v(&m, "MSH", 9, 1, 0, 0), "ADT^A28^ADT_A05");
    cr_assert_str_eq(v(&m, "MSH", 10, 1, 1, 0), "CTRL-0001");
    cr_assert_str_eq(v(&m, "MSH", 11, 1, 1, 0), "P");
    cr_assert_str_eq(v(&m, "MSH", 12, 1, 0, 0), "2.5^FRA^2.11");
    cr_assert_str_eq(v(&m, "MSH", 18, 1, 1, 0), "UNICODE UTF-8");
    cr_assert_eq(strlen(v(&m, "EVN", 2, 1, 1, 0)), 14);

    /* PID-3: the GHT identity, then each IPP; no INS for a provisional one. */
    size_t pid = er7_find(m.m, "PID", 0);
    cr_assert_eq(er7_count(m.m, pid, 3, 0, 0), 3, "%s", m.text.data);
    cr_assert_str_eq(v(&m, "PID", 3, 1, 0, 0), "42^^^GHT TEST&" GHT_OID "&ISO^PI");
    cr_assert_str_eq(v(&m, "PID", 3, 2, 0, 0), "IPP-7^^^CH A&1.2.250.1.999.1&ISO^PI");
    cr_assert_str_eq(v(&m, "PID", 3, 3, 0, 0), "B-99^^^CH B&1.2.250.1.999.2&ISO^PI");
    cr_assert_str_eq(v(&m, "PID", 5, 1, 1, 0), "HÉLÈNE-TEST");
    cr_assert_str_eq(v(&m, "PID", 5, 1, 2, 0), "ANNE");
    cr_assert_str_eq(v(&m, "PID", 5, 1, 3, 0), "ANNE MARIE");
    cr_assert_str_eq(v(&m, "PID", 5, 1, 7, 0), "L");
    cr_assert_str_eq(v(&m, "PID", 5, 2, 1, 0), "USAGE-TEST");
    cr_assert_str_eq(v(&m, "PID", 5, 2, 7, 0), "D");
    cr_assert_str_eq(v(&m, "PID", 7, 1, 1, 0), "19850715");
    cr_assert_str_eq(v(&m, "PID", 8, 1, 1, 0), "F");
    cr_assert_str_eq(v(&m, "PID", 11, 1, 7, 0), "H");
    cr_assert_str_eq(v(&m, "PID", 11, 2, 7, 0), "BDL");
    cr_assert_str_eq(v(&m, "PID", 11, 2, 9, 0), "75056");
    cr_assert_str_eq(v(&m, "PID", 13, 2, 4, 0), "anne@example.invalid");
    cr_assert_str_eq(v(&m, "PID", 32, 1, 1, 0), "PROV");
    cr_assert_str_eq(v(&m, "PID", 32, 2, 1, 0), "HOMA");
    cr_assert_str_eq(v(&m, "PV1", 2, 1, 1, 0), "N");
    cr_assert_eq(er7_find(m.m, "MRG", 0), ER7_NONE);
    msg_free(&m);
}

Test(pam_notify, the_ins_travels_only_with_a_qualified_identity)
{
    msg q = render("A31", "QUAL", "", 0);
    cr_assert_str_eq(v(&q, "MSH", 9, 1, 0, 0), "ADT^A31^ADT_A05");
    cr_assert_str_eq(v(&q, "PID", 3, 4, 0, 0),
                     INS_F "^^^ASIP-SANTE-INS-NIR&" INS_OID_NIR "&ISO^INS");
    cr_assert_str_eq(v(&q, "PID", 32, 1, 1, 0), "VALI");
    msg_free(&q);

    static const struct { const char *status, *pid32; } cases[] = {
        { "VALI", "VALI" }, { "RECUP", "PROV" }, { "PROV", "PROV" },
    };
    for (size_t i = 0; i < 3; i++) {
        msg m = render("A31", cases[i].status, "", 0);
        size_t pid = er7_find(m.m, "PID", 0);
        cr_assert_eq(er7_count(m.m, pid, 3, 0, 0), 3, "%s: no INS:\n%s", cases[i].status,
                     m.text.data);
        cr_assert_str_eq(v(&m, "PID", 32, 1, 1, 0), cases[i].pid32, "%s", cases[i].status);
        msg_free(&m);
    }
}

Test(pam_notify, values_are_escaped)
{
    const char *nasty = "3 B|IS ^ RUE & CO ~ \\ FIN";
    msg m = render("A28", "PROV", nasty, 0);
    cr_assert_str_eq(v(&m, "PID", 11, 1, 1, 1), nasty, "%s", m.text.data);
    cr_assert_str_eq(v(&m, "PID", 11, 1, 3, 0), "PARIS", "the delimiters did not leak");
    cr_assert_eq(er7_segment_count(m.m), 4, "MSH EVN PID PV1:\n%s", m.text.data);
    msg_free(&m);
}

Test(pam_notify, a40_names_the_absorbed_identity_in_mrg)
{
    msg m = render("A40", "PROV", "", 17);
    cr_assert_str_eq(v(&m, "MSH", 9, 1, 0, 0), "ADT^A40^ADT_A39");
    cr_assert_str_eq(v(&m, "PID", 3, 1, 1, 0), "42");
    cr_assert_str_eq(v(&m, "MRG", 1, 1, 0, 0), "17^^^GHT TEST&" GHT_OID "&ISO^PI");
    cr_assert(er7_find(m.m, "MRG", 0) > er7_find(m.m, "PID", 0));
    msg_free(&m);
}

Test(pam_notify, our_own_interface_reads_what_we_send)
{
    msg m = render("A31", "QUAL", "1 RUE DES TESTS", 0);
    pam_identity pi;
    pam_issues issues;
    int rc = pam_identity_from_pid(m.m, er7_find(m.m, "PID", 0), &pi, &issues);
    cr_assert_eq(rc, 0, "%zu issues, first: %s", issues.count,
                 issues.count ? issues.items[0].text : "");
    cr_assert_str_eq(pi.input.ipp, "42");
    cr_assert_str_eq(pi.input.domain_oid, GHT_OID);
    cr_assert_str_eq(pi.input.traits.birth_name, "HÉLÈNE-TEST");
    cr_assert_str_eq(pi.input.traits.forenames, "ANNE MARIE");
    cr_assert_str_eq(pi.input.traits.birth_date, "1985-07-15");
    cr_assert_eq(pi.input.traits.sex, 'F');
    cr_assert_str_eq(pi.input.traits.birth_place, "75056");
    cr_assert_str_eq(pi.input.traits.used_name, "USAGE-TEST");
    cr_assert_str_eq(pi.input.contact.city, "PARIS");
    cr_assert_str_eq(pi.input.contact.phone, "0102030405");
    cr_assert_str_eq(pi.status, "VALI");
    msg_free(&m);
}

Test(pam_notify, bad_input_is_refused_and_writes_nothing)
{
    buf out = { 0 };
    buf_puts(&out, "before");
    socle_err err = { 0 };
    char *p = payload("A28", "PROV", "", 0);
    cr_assert_eq(pam_notify_render(&cfg, "DPI", "A08", p, "C", 0, &out, &err), -1);
    cr_assert_eq(pam_notify_render(&cfg, "DPI", "A28", "{not json", "C", 0, &out, &err), -1);
    cr_assert_eq(pam_notify_render(&cfg, "DPI", "A40", p, "C", 0, &out, &err), -1,
                 "an A40 needs the absorbed identity");
    cr_assert_str_eq(buf_cstr(&out), "before");
    free(p);
    buf_free(&out);
}

/* ---- Acknowledgments ---------------------------------------------------- */

static pam_notify_outcome read_ack(const char *ack, char *detail)
{
    return pam_notify_read_ack(ack, strlen(ack), "CTRL-0001", detail, 256);
}

#define ACK_HEAD "MSH|^~\\&|DPI||SOCLE|GHT|20250101||ACK^A28^ACK|R1|P|2.5\r"

Test(pam_notify, acknowledgment_codes)
{
    char d[256];
    cr_assert_eq(read_ack(ACK_HEAD "MSA|AA|CTRL-0001\r", d), PAM_NOTIFY_DELIVERED);
    cr_assert_str_eq(d, "AA");
    cr_assert_eq(read_ack(ACK_HEAD "MSA|CA|CTRL-0001\r", d), PAM_NOTIFY_DELIVERED);
    cr_assert_eq(read_ack(ACK_HEAD "MSA|AE|CTRL-0001\rERR||PID^1^3|103^Table value not "
                          "found^HL70357|E||||Unknown domain\r", d), PAM_NOTIFY_REJECTED);
    cr_assert_str_eq(d, "AE: 103 Table value not found: Unknown domain");
    cr_assert_eq(read_ack(ACK_HEAD "MSA|CE|CTRL-0001\r", d), PAM_NOTIFY_REJECTED);
    cr_assert_eq(read_ack(ACK_HEAD "MSA|AR|CTRL-0001\rERR|||207^Application internal "
                          "error^HL70357|E\r", d), PAM_NOTIFY_RETRY);
    cr_assert_str_eq(d, "AR: 207 Application internal error");
    cr_assert_eq(read_ack(ACK_HEAD "MSA|CR|CTRL-0001\r", d), PAM_NOTIFY_RETRY);
    cr_assert_eq(read_ack(ACK_HEAD "MSA|ZZ|CTRL-0001\r", d), PAM_NOTIFY_RETRY);
}

Test(pam_notify, an_acknowledgment_of_something_else_is_not_ours)
{
    char d[256];
    cr_assert_eq(read_ack(ACK_HEAD "MSA|AA|OTHER\r", d), PAM_NOTIFY_RETRY);
    cr_assert(strstr(d, "another message") != NULL, "%s", d);
    cr_assert_eq(read_ack("garbage", d), PAM_NOTIFY_RETRY);
    cr_assert_eq(read_ack(ACK_HEAD, d), PAM_NOTIFY_RETRY);
    cr_assert(strstr(d, "MSA") != NULL, "%s", d);
}
