/*
 * test_ack.c - HL7 acknowledgments: ACKs built for synthetic messages and
 * parsed back field by field (delimiters, charsets, missing fields,
 * unparseable input, escaping, error locations), the acknowledgment-mode
 * decisions, and the header checks.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl7/ack.h"
#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "util/buf.h"

static buf out;
static socle_err err;
static er7_message *in;    /* the received message */
static er7_message *ack;   /* the ACK parsed back */

/* Every test runs in its own process: fixing the zone here is local. */
static void setup(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
}

static void cleanup(void)
{
    buf_free(&out);
    er7_free(in);
    er7_free(ack);
    in = ack = NULL;
}

TestSuite(ack, .init = setup, .fini = cleanup);

/* 2025-01-05 10:15:00 UTC */
#define NOW ((time_t)1736072100)

#define assert_slice(s, text) \
    do { \
        er7_slice s_ = (s); \
        cr_assert(er7_slice_eq(s_, text), "got '%.*s', expected '%s'", \
                  (int)s_.len, s_.ptr, text); \
    } while (0)

static er7_message *parse_in(const char *s)
{
    er7_free(in);
    in = er7_parse(s, strlen(s), &err);
    cr_assert_not_null(in, "received message: %s", err.msg);
    return in;
}

static ack_params params(ack_code code)
{
    ack_params p = {0};
    p.code = code;
    p.app = "SOCLE";
    p.facility = "GHT";
    p.control_id = "ACK0001";
    p.now = NOW;
    return p;
}

/* Build the ACK of m into out (reset first) and parse it back. */
static er7_message *build(const er7_message *m, const ack_params *p)
{
    buf_reset(&out);
    err_clear(&err);
    cr_assert_eq(ack_build(m, p, &out, &err), 0, "ack_build: %s", err.msg);
    cr_assert(out.len > 0 && out.data[out.len - 1] == '\r',
              "ACK does not end with CR");
    cr_assert_null(memchr(out.data, '\n', out.len), "LF in the ACK");
    er7_free(ack);
    ack = er7_parse(out.data, out.len, &err);
    cr_assert_not_null(ack, "ACK does not parse: %s\n%s", err.msg,
                       buf_cstr(&out));
    return ack;
}

static er7_message *build_code(const er7_message *m, ack_code code)
{
    ack_params p = params(code);
    return build(m, &p);
}

/* The segment of the ACK holding the nth ERR (0-based). */
static size_t err_seg(size_t nth)
{
    size_t seg = er7_find(ack, "ERR", nth);
    cr_assert_neq(seg, ER7_NONE, "no ERR #%zu", nth + 1);
    return seg;
}

static const char ADT[] =
    "MSH|^~\\&|SENDAPP|SENDFAC|SOCLE|GHT|20250105101500||ADT^A28^ADT_A05|"
    "MSG001|P|2.5^FRA^2.11|||||FRA|8859/1\r"
    "EVN||20250105101500\r"
    "PID|||123^^^HOP&1.2.250.1.1&ISO^PI||DUPONT^JEAN^^^^^L||19800101|M\r";

/* ------------------------------------------------------------------ */

Test(ack, names_and_table)
{
    cr_assert_str_eq(ack_code_name(ACK_AA), "AA");
    cr_assert_str_eq(ack_code_name(ACK_AE), "AE");
    cr_assert_str_eq(ack_code_name(ACK_AR), "AR");
    cr_assert_str_eq(ack_code_name(ACK_CA), "CA");
    cr_assert_str_eq(ack_code_name(ACK_CE), "CE");
    cr_assert_str_eq(ack_code_name(ACK_CR), "CR");
    cr_assert_null(ack_code_name((ack_code)6));
    cr_assert_null(ack_code_name((ack_code)-1));

    struct { ack_errcode code; const char *text; } t[] = {
        {0, "Message accepted"}, {100, "Segment sequence error"},
        {101, "Required field missing"}, {102, "Data type error"},
        {103, "Table value not found"}, {200, "Unsupported message type"},
        {201, "Unsupported event code"}, {202, "Unsupported processing id"},
        {203, "Unsupported version id"}, {204, "Unknown key identifier"},
        {205, "Duplicate key identifier"}, {206, "Application record locked"},
        {207, "Application internal error"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_assert_str_eq(ack_errcode_text(t[i].code), t[i].text);
    cr_assert_null(ack_errcode_text((ack_errcode)1));
    cr_assert_null(ack_errcode_text((ack_errcode)208));
    cr_assert_null(ack_errcode_text((ack_errcode)999));
}

Test(ack, default_delimiters_latin1)
{
    build_code(parse_in(ADT), ACK_AA);

    cr_assert_str_eq(buf_cstr(&out),
        "MSH|^~\\&|SOCLE|GHT|SENDAPP|SENDFAC|20250105101500||ACK^A28^ACK|"
        "ACK0001|P|2.5^FRA^2.11||||||8859/1\r"
        "MSA|AA|MSG001\r");

    const er7_delims *d = er7_delimiters(ack);
    cr_assert_eq(d->field, '|');
    cr_assert_eq(d->component, '^');
    cr_assert_eq(d->repetition, '~');
    cr_assert_eq(d->escape, '\\');
    cr_assert_eq(d->subcomponent, '&');
    cr_assert_eq(d->truncation, 0);
    cr_assert_eq(er7_segment_count(ack), 2);
    assert_slice(er7_field(ack, 0, 3), "SOCLE");
    assert_slice(er7_field(ack, 0, 4), "GHT");
    assert_slice(er7_field(ack, 0, 5), "SENDAPP");
    assert_slice(er7_field(ack, 0, 6), "SENDFAC");
    assert_slice(er7_field(ack, 0, 7), "20250105101500");
    assert_slice(er7_get(ack, 0, 9, 1, 1, 0), "ACK");
    assert_slice(er7_get(ack, 0, 9, 1, 2, 0), "A28");
    assert_slice(er7_get(ack, 0, 9, 1, 3, 0), "ACK");
    assert_slice(er7_field(ack, 0, 10), "ACK0001");
    assert_slice(er7_field(ack, 0, 11), "P");
    assert_slice(er7_field(ack, 0, 12), "2.5^FRA^2.11");
    assert_slice(er7_field(ack, 0, 15), "");
    assert_slice(er7_field(ack, 0, 16), "");
    assert_slice(er7_field(ack, 0, 18), "8859/1");
    cr_assert(er7_segment_is(ack, 1, "MSA"));
    assert_slice(er7_field(ack, 1, 1), "AA");
    assert_slice(er7_field(ack, 1, 2), "MSG001");
    cr_assert_eq(er7_field_count(ack, 1), 2);
}

Test(ack, received_header_values_copied_whole)
{
    /* HD with components, a processing mode, repetitions of MSH-18: the
     * ACK keeps the HDs whole but declares only the set it is written in. */
    parse_in("MSH|^~\\&|APP^1.2.3^ISO|FAC^4.5.6^ISO|RCV^7.8^ISO|RF^9^ISO|"
             "2025||ADT^A31^ADT_A05|X-42|T^A|2.5.1|||AL|NE||"
             "UNICODE UTF-8~8859/1\r");
    build_code(in, ACK_CA);
    assert_slice(er7_field(ack, 0, 3), "RCV^7.8^ISO");
    assert_slice(er7_field(ack, 0, 4), "RF^9^ISO");
    assert_slice(er7_field(ack, 0, 5), "APP^1.2.3^ISO");
    assert_slice(er7_field(ack, 0, 6), "FAC^4.5.6^ISO");
    assert_slice(er7_get(ack, 0, 9, 1, 2, 0), "A31");
    assert_slice(er7_field(ack, 0, 11), "T^A");
    assert_slice(er7_field(ack, 0, 12), "2.5.1");
    assert_slice(er7_field(ack, 0, 18), "UNICODE UTF-8");
    assert_slice(er7_field(ack, 1, 1), "CA");
    assert_slice(er7_field(ack, 1, 2), "X-42");
}

Test(ack, custom_delimiters)
{
    parse_in("MSH#!*%$#SENDAPP#SENDFAC#SOCLE#GHT#2025##ADT!A40!ADT_A39#"
             "M77#P#2.5!FRA!2.11\r"
             "PID###1!!!HOP!PI*2!!!HOP!PI\r");
    ack_error e = {
        .where = er7_location(in, 1, 3, 2, 1, 0),
        .code = ACK_ERR_UNKNOWN_KEY,
        .severity = ACK_SEV_ERROR,
        .text = "IPP 2 inconnu (a|b^c&d~e\\f #!*%$)",
    };
    ack_params p = params(ACK_AE);
    p.errors = &e;
    p.n_errors = 1;
    build(in, &p);

    cr_assert(strncmp(buf_cstr(&out), "MSH#!*%$#SOCLE#GHT#SENDAPP#", 27) == 0,
              "%s", buf_cstr(&out));
    const er7_delims *d = er7_delimiters(ack);
    cr_assert_eq(d->field, '#');
    cr_assert_eq(d->component, '!');
    cr_assert_eq(d->repetition, '*');
    cr_assert_eq(d->escape, '%');
    cr_assert_eq(d->subcomponent, '$');
    assert_slice(er7_get(ack, 0, 9, 1, 1, 0), "ACK");
    assert_slice(er7_get(ack, 0, 9, 1, 2, 0), "A40");
    assert_slice(er7_get(ack, 0, 9, 1, 3, 0), "ACK");
    assert_slice(er7_field(ack, 0, 12), "2.5!FRA!2.11");
    assert_slice(er7_field(ack, 0, 18), "");
    assert_slice(er7_field(ack, 1, 1), "AE");
    assert_slice(er7_field(ack, 1, 2), "M77");

    size_t s = err_seg(0);
    assert_slice(er7_field(ack, s, 2), "PID!1!3!2!1");
    assert_slice(er7_get(ack, s, 3, 1, 1, 0), "204");
    assert_slice(er7_get(ack, s, 3, 1, 2, 0), "Unknown key identifier");
    assert_slice(er7_get(ack, s, 3, 1, 3, 0), "HL70357");
    assert_slice(er7_field(ack, s, 4), "E");
    /* Only the sender's delimiters are escaped, with its escape char. */
    assert_slice(er7_field(ack, s, 8),
                 "IPP 2 inconnu (a|b^c&d~e\\f %F%%S%%R%%E%%T%)");
    buf text = {0};
    cr_assert_eq(er7_unescape(d, ER7_ASCII, er7_field(ack, s, 8), &text,
                              &err), 0, "%s", err.msg);
    cr_assert_str_eq(buf_cstr(&text), e.text);
    buf_free(&text);
}

Test(ack, truncation_character_kept)
{
    parse_in("MSH|^~\\&#|A|F|R|RF|2025||ADT^A28|1|P|2.7\r");
    build_code(in, ACK_AA);
    cr_assert(strncmp(buf_cstr(&out), "MSH|^~\\&#|R|RF|A|F|", 19) == 0,
              "%s", buf_cstr(&out));
    cr_assert_eq(er7_delimiters(ack)->truncation, '#');
    assert_slice(er7_field(ack, 0, 12), "2.7");
}

Test(ack, escaping_of_user_text)
{
    ack_error e = {{"", 0, 0, 0, 0, 0}, ACK_ERR_INTERNAL, ACK_SEV_ERROR,
                   "a|b^c&d~e\\f\nline 2"};
    ack_params p = params(ACK_AR);
    p.errors = &e;
    p.n_errors = 1;
    build(parse_in(ADT), &p);
    size_t s = err_seg(0);
    assert_slice(er7_field(ack, s, 8),
                 "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\line 2");
    buf text = {0};
    cr_assert_eq(er7_unescape(er7_delimiters(ack), ER7_LATIN1,
                              er7_field(ack, s, 8), &text, &err), 0);
    cr_assert_str_eq(buf_cstr(&text), e.text);
    buf_free(&text);
    /* No location: ERR-2 left out, ERR-1 never written. */
    assert_slice(er7_field(ack, s, 1), "");
    assert_slice(er7_field(ack, s, 2), "");
    assert_slice(er7_field(ack, s, 3), "207^Application internal error^HL70357");
}

/* Build an AE carrying one ERR-8 text for a message declaring charset
 * msh18, and return the raw ERR-8. */
static er7_slice err8_for(const char *msh18, const char *text)
{
    static char msg[256];
    snprintf(msg, sizeof msg, "MSH|^~\\&|A|F|R|RF|2025||ADT^A31|C1|P|2.5"
             "||||||%s\rPID|1\r", msh18);
    parse_in(msg);
    ack_error e = {{"PID", 1, 5, 1, 1, 0}, ACK_ERR_DATA_TYPE,
                   ACK_SEV_WARNING, text};
    ack_params p = params(ACK_AE);
    p.errors = &e;
    p.n_errors = 1;
    build(in, &p);
    return er7_field(ack, err_seg(0), 8);
}

Test(ack, charset_latin1)
{
    /* é is E9 in Latin-1; € has no Latin-1 code: '?'. */
    assert_slice(err8_for("8859/1", "Pr\xC3\xA9nom \xE2\x82\xAC"),
                 "Pr\xE9nom ?");
    assert_slice(er7_field(ack, 0, 18), "8859/1");
    assert_slice(er7_field(ack, err_seg(0), 4), "W");
}

Test(ack, charset_latin9)
{
    assert_slice(err8_for("8859/15", "Pr\xC3\xA9nom \xE2\x82\xAC"),
                 "Pr\xE9nom \xA4");
    assert_slice(er7_field(ack, 0, 18), "8859/15");
}

Test(ack, charset_utf8)
{
    const char *t = "Nom erron\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
    er7_slice raw = err8_for("UNICODE UTF-8", t);
    assert_slice(raw, t);
    assert_slice(er7_field(ack, 0, 18), "UNICODE UTF-8");
    buf text = {0};
    cr_assert_eq(er7_unescape(er7_delimiters(ack), ER7_UTF8, raw, &text,
                              &err), 0, "%s", err.msg);
    cr_assert_str_eq(buf_cstr(&text), t);
    buf_free(&text);
}

Test(ack, charset_ascii_and_invalid_utf8)
{
    /* Empty MSH-18 is ASCII: anything above 0x7F becomes '?', one per
     * character; a byte that is not UTF-8 is one '?' too. */
    assert_slice(err8_for("", "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xFF|"),
                 "?t? ? ?\\F\\");
    assert_slice(er7_field(ack, 0, 18), "");
    assert_slice(err8_for("ASCII", "No\xC3\xABl"), "No?l");
    assert_slice(er7_field(ack, 0, 18), "ASCII");
}

Test(ack, charset_unknown_answered_in_ascii)
{
    assert_slice(err8_for("UNICODE UTF-16", "Fran\xC3\xA7ois"), "Fran?ois");
    assert_slice(er7_field(ack, 0, 18), "");
}

Test(ack, our_name_not_representable)
{
    /* MSH-5 empty: our name goes in, and é cannot be ASCII. */
    parse_in("MSH|^~\\&|A|F|||2025||ADT^A28|C1|P|2.5\r");
    ack_params p = params(ACK_AA);
    p.facility = "H\xC3\xB4pital";
    buf_puts(&out, "kept");
    cr_assert_eq(ack_build(in, &p, &out, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert(strstr(err.msg, "MSH-4") != NULL, "%s", err.msg);
    cr_assert_str_eq(buf_cstr(&out), "kept");

    /* In Latin-1 it is fine. */
    parse_in("MSH|^~\\&|A|F|||2025||ADT^A28|C1|P|2.5||||||8859/1\r");
    build(in, &p);
    assert_slice(er7_field(ack, 0, 4), "H\xF4pital");
}

Test(ack, missing_fields)
{
    parse_in("MSH|^~\\&|||||2025||ADT|C9\r");
    build_code(in, ACK_AE);
    cr_assert_str_eq(buf_cstr(&out),
        "MSH|^~\\&|SOCLE|GHT|||20250105101500||ACK^^ACK|ACK0001|P|2.5\r"
        "MSA|AE|C9\r");

    /* No MSH-10 at all, no names of ours. */
    parse_in("MSH|^~\\&|A|F\r");
    ack_params p = params(ACK_AR);
    p.app = NULL;
    p.facility = "";
    build(in, &p);
    cr_assert_str_eq(buf_cstr(&out),
        "MSH|^~\\&|||A|F|20250105101500||ACK^^ACK|ACK0001|P|2.5\r"
        "MSA|AR\r");
    assert_slice(er7_field(ack, 1, 2), "");
}

Test(ack, unparseable_input)
{
    socle_err perr;
    cr_assert_null(er7_parse("garbage", 7, &perr));

    ack_error e = {{"", 0, 0, 0, 0, 0}, ACK_ERR_SEGMENT_SEQUENCE,
                   ACK_SEV_ERROR, "Message illisible"};
    ack_params p = params(ACK_AA);   /* overridden: unreadable is AR */
    p.errors = &e;
    p.n_errors = 1;
    build(NULL, &p);
    cr_assert_str_eq(buf_cstr(&out),
        "MSH|^~\\&|SOCLE|GHT|||20250105101500||ACK^^ACK|ACK0001|P|2.5\r"
        "MSA|AR\r"
        "ERR|||100^Segment sequence error^HL70357|E||||Message illisible\r");
    cr_assert_eq(er7_delimiters(ack)->component, '^');
    assert_slice(er7_field(ack, 1, 1), "AR");
    assert_slice(er7_field(ack, 1, 2), "");
}

Test(ack, error_locations)
{
    parse_in(ADT);
    ack_error e[] = {
        {er7_location(in, 2, 3, 1, 1, 0), ACK_ERR_REQUIRED, ACK_SEV_ERROR,
         "a"},
        {{"PID", 1, 5, 0, 0, 0}, ACK_ERR_DATA_TYPE, ACK_SEV_WARNING, NULL},
        {{"PID", 1, 3, 1, 1, 2}, ACK_ERR_TABLE_VALUE, ACK_SEV_INFO, ""},
        {{"PV1", 0, 3, 0, 2, 0}, ACK_ERR_OK, ACK_SEV_INFO, "d"},
        {{"MSH", 1, 0, 0, 0, 0}, ACK_ERR_SEGMENT_SEQUENCE, ACK_SEV_ERROR, "e"},
    };
    /* er7_location counts from the first PID. */
    cr_assert_str_eq(e[0].where.seg_id, "PID");
    cr_assert_eq(e[0].where.seg_seq, 1);

    ack_params p = params(ACK_AE);
    p.errors = e;
    p.n_errors = sizeof e / sizeof e[0];
    build(in, &p);
    cr_assert_eq(er7_segment_count(ack), 2 + p.n_errors);

    assert_slice(er7_field(ack, err_seg(0), 2), "PID^1^3^1^1");
    assert_slice(er7_field(ack, err_seg(1), 2), "PID^1^5");
    assert_slice(er7_field(ack, err_seg(2), 2), "PID^1^3^1^1^2");
    assert_slice(er7_field(ack, err_seg(3), 2), "PV1^^3^^2");
    assert_slice(er7_field(ack, err_seg(4), 2), "MSH^1");

    assert_slice(er7_field(ack, err_seg(0), 3),
                 "101^Required field missing^HL70357");
    assert_slice(er7_field(ack, err_seg(1), 3),
                 "102^Data type error^HL70357");
    assert_slice(er7_field(ack, err_seg(2), 3),
                 "103^Table value not found^HL70357");
    assert_slice(er7_field(ack, err_seg(3), 3),
                 "0^Message accepted^HL70357");
    assert_slice(er7_field(ack, err_seg(0), 4), "E");
    assert_slice(er7_field(ack, err_seg(1), 4), "W");
    assert_slice(er7_field(ack, err_seg(2), 4), "I");
    assert_slice(er7_field(ack, err_seg(0), 8), "a");
    /* No text, or an empty one: the segment stops at ERR-4. */
    cr_assert_eq(er7_field_count(ack, err_seg(1)), 4);
    cr_assert_eq(er7_field_count(ack, err_seg(2)), 4);
    /* ERR segments follow MSA, in the order given. */
    cr_assert(er7_segment_is(ack, 1, "MSA"));
    cr_assert_eq(err_seg(0), 2);
}

Test(ack, local_time)
{
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    tzset();
    build_code(parse_in(ADT), ACK_AA);
    assert_slice(er7_field(ack, 0, 7), "20250105111500");
    ack_params p = params(ACK_AA);
    p.now = (time_t)1751364000;   /* 2025-07-01 10:00:00 UTC, CEST */
    build(in, &p);
    assert_slice(er7_field(ack, 0, 7), "20250701120000");
}

Test(ack, nul_in_received_value_dropped)
{
    static const char m[] = "MSH|^~\\&|A|F|R|RF|2025||ADT^A28|C\0D|P|2.5\r";
    in = er7_parse(m, sizeof m - 1, &err);
    cr_assert_not_null(in, "%s", err.msg);
    build_code(in, ACK_AE);
    assert_slice(er7_field(ack, 0, 10), "ACK0001");
    assert_slice(er7_field(ack, 1, 1), "AE");
    assert_slice(er7_field(ack, 1, 2), "");
}

Test(ack, invalid_parameters)
{
    parse_in(ADT);
    buf_puts(&out, "prefix");
    ack_params p = params((ack_code)42);
    cr_assert_eq(ack_build(in, &p, &out, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);

    p = params(ACK_AA);
    p.control_id = "";
    cr_assert_eq(ack_build(in, &p, &out, &err), -1);
    cr_assert(strstr(err.msg, "control id") != NULL, "%s", err.msg);
    p.control_id = NULL;
    cr_assert_eq(ack_build(NULL, &p, &out, &err), -1);

    ack_error e = {{"PID", 1, 3, 0, 0, 0}, (ack_errcode)999, ACK_SEV_ERROR,
                   NULL};
    p = params(ACK_AE);
    p.errors = &e;
    p.n_errors = 1;
    cr_assert_eq(ack_build(in, &p, &out, &err), -1);
    cr_assert(strstr(err.msg, "0357") != NULL, "%s", err.msg);

    e.code = ACK_ERR_REQUIRED;
    e.severity = (ack_severity)'X';
    cr_assert_eq(ack_build(in, &p, &out, &err), -1);
    cr_assert(strstr(err.msg, "severity") != NULL, "%s", err.msg);

    e.severity = ACK_SEV_ERROR;
    memcpy(e.where.seg_id, "PIDX", 4);
    cr_assert_eq(ack_build(in, &p, &out, &err), -1);

    p.errors = NULL;
    cr_assert_eq(ack_build(in, &p, &out, &err), -1);

    cr_assert_str_eq(buf_cstr(&out), "prefix");

    /* Appending after existing content works too. */
    p = params(ACK_AA);
    cr_assert_eq(ack_build(in, &p, &out, &err), 0, "%s", err.msg);
    cr_assert(strncmp(buf_cstr(&out), "prefixMSH|", 10) == 0);
}

/* ------------------------------------------------------------------ */
/* Acknowledgment mode                                                */
/* ------------------------------------------------------------------ */

static ack_mode mode_of(const char *msh15, const char *msh16, int *rc)
{
    static char msg[256];
    snprintf(msg, sizeof msg, "MSH|^~\\&|A|F|R|RF|2025||ADT^A28|C1|P|2.5|||"
             "%s|%s\r", msh15, msh16);
    parse_in(msg);
    ack_mode m;
    memset(&m, 0xA5, sizeof m);
    err_clear(&err);
    *rc = ack_mode_read(in, &m, &err);
    return m;
}

Test(ack, mode_decisions)
{
    static const struct {
        const char *msh15, *msh16;
        int rc, enhanced;
        ack_condition commit, application;
        /* send commit on success, on failure; application likewise */
        int c_ok, c_err, a_ok, a_err;
    } t[] = {
        {"",   "",   0, 0, ACK_COND_NE, ACK_COND_AL, 0, 0, 1, 1},
        {"AL", "AL", 0, 1, ACK_COND_AL, ACK_COND_AL, 1, 1, 1, 1},
        {"NE", "NE", 0, 1, ACK_COND_NE, ACK_COND_NE, 0, 0, 0, 0},
        {"AL", "NE", 0, 1, ACK_COND_AL, ACK_COND_NE, 1, 1, 0, 0},
        {"NE", "AL", 0, 1, ACK_COND_NE, ACK_COND_AL, 0, 0, 1, 1},
        {"ER", "SU", 0, 1, ACK_COND_ER, ACK_COND_SU, 0, 1, 1, 0},
        {"SU", "ER", 0, 1, ACK_COND_SU, ACK_COND_ER, 1, 0, 0, 1},
        /* One missing: read as original mode implies (NE / AL). */
        {"AL", "",   0, 1, ACK_COND_AL, ACK_COND_AL, 1, 1, 1, 1},
        {"ER", "",   0, 1, ACK_COND_ER, ACK_COND_AL, 0, 1, 1, 1},
        {"",   "NE", 0, 1, ACK_COND_NE, ACK_COND_NE, 0, 0, 0, 0},
        {"",   "ER", 0, 1, ACK_COND_NE, ACK_COND_ER, 0, 0, 0, 1},
        /* Not in table 0155: -1, read like a missing one. */
        {"XX", "SU", -1, 1, ACK_COND_NE, ACK_COND_SU, 0, 0, 1, 0},
        {"al", "",   -1, 1, ACK_COND_NE, ACK_COND_AL, 0, 0, 1, 1},
        {"SU", "ALWAYS", -1, 1, ACK_COND_SU, ACK_COND_AL, 1, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc;
        ack_mode m = mode_of(t[i].msh15, t[i].msh16, &rc);
        cr_assert_eq(rc, t[i].rc, "row %zu: rc %d", i, rc);
        if (rc < 0)
            cr_assert_eq(err.code, SOCLE_EINVAL);
        cr_assert_eq(m.enhanced, t[i].enhanced, "row %zu", i);
        cr_assert_eq(m.commit, t[i].commit, "row %zu", i);
        cr_assert_eq(m.application, t[i].application, "row %zu", i);
        /* Success and failure by every code that carries them. */
        cr_assert_eq(ack_send_commit(&m, ACK_CA), t[i].c_ok, "row %zu", i);
        cr_assert_eq(ack_send_commit(&m, ACK_CE), t[i].c_err, "row %zu", i);
        cr_assert_eq(ack_send_commit(&m, ACK_CR), t[i].c_err, "row %zu", i);
        cr_assert_eq(ack_send_application(&m, ACK_AA), t[i].a_ok,
                     "row %zu", i);
        cr_assert_eq(ack_send_application(&m, ACK_AE), t[i].a_err,
                     "row %zu", i);
        cr_assert_eq(ack_send_application(&m, ACK_AR), t[i].a_err,
                     "row %zu", i);
    }
}

Test(ack, mode_error_names_the_field)
{
    int rc;
    mode_of("AL", "BAD", &rc);
    cr_assert_eq(rc, -1);
    cr_assert(strstr(err.msg, "MSH-16") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "BAD") != NULL, "%s", err.msg);
    mode_of("??", "AL", &rc);
    cr_assert(strstr(err.msg, "MSH-15") != NULL, "%s", err.msg);
}

Test(ack, mode_of_unparseable)
{
    ack_mode m;
    cr_assert_eq(ack_mode_read(NULL, &m, NULL), 0);
    cr_assert_eq(m.enhanced, 0);
    cr_assert(ack_send_application(&m, ACK_AR));
    cr_assert(!ack_send_commit(&m, ACK_CR));
    cr_assert(ack_code_is_success(ACK_AA) && ack_code_is_success(ACK_CA));
    cr_assert(!ack_code_is_success(ACK_AE) && !ack_code_is_success(ACK_AR) &&
              !ack_code_is_success(ACK_CE) && !ack_code_is_success(ACK_CR));
}

/* ------------------------------------------------------------------ */
/* Header checks                                                      */
/* ------------------------------------------------------------------ */

/* Check the header of "MSH|^~\&|A|F|R|RF|2025||<msh9>|<msh10>|<msh11>|
 * <msh12>"; on a problem, also build the AR and return its ERR-2. */
static int check(const char *msh9, const char *msh10, const char *msh11,
                 const char *msh12, ack_error *pb)
{
    static char msg[256];
    snprintf(msg, sizeof msg, "MSH|^~\\&|A|F|R|RF|2025||%s|%s|%s|%s\r",
             msh9, msh10, msh11, msh12);
    parse_in(msg);
    err_clear(&err);
    memset(pb, 0xA5, sizeof *pb);
    return ack_check_header(in, pb, &err);
}

static void assert_problem(const ack_error *pb, ack_errcode code,
                           const char *where)
{
    cr_assert_eq(pb->code, code, "code %d, expected %d", (int)pb->code,
                 (int)code);
    cr_assert_eq(pb->severity, ACK_SEV_ERROR);
    cr_assert_not_null(pb->text);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    /* The problem goes into an AR as is. */
    ack_params p = params(ACK_AR);
    p.errors = pb;
    p.n_errors = 1;
    build(in, &p);
    size_t s = err_seg(0);
    assert_slice(er7_field(ack, s, 2), where);
    assert_slice(er7_get(ack, s, 3, 1, 1, 0), code == 101 ? "101"
                 : code == 202 ? "202" : code == 203 ? "203" : "100");
    assert_slice(er7_field(ack, 1, 1), "AR");
}

Test(ack, header_valid)
{
    ack_error pb;
    cr_assert_eq(check("ADT^A28^ADT_A05", "C1", "P", "2.5^FRA^2.11", &pb), 0,
                 "%s", err.msg);
    cr_assert_eq(check("ADT^A01", "C1", "D", "2.5", &pb), 0, "%s", err.msg);
    cr_assert_eq(check("ADT^A01", "C1", "T^A", "2.3.1", &pb), 0, "%s",
                 err.msg);
    cr_assert_eq(check("ADT^A01", "C1", "P", "2.10", &pb), 0, "%s", err.msg);
    cr_assert_eq(ack_check_header(parse_in(ADT), &pb, NULL), 0);
}

Test(ack, header_msh9)
{
    ack_error pb;
    cr_assert_eq(check("", "C1", "P", "2.5", &pb), -1);
    cr_assert(strstr(err.msg, "MSH-9") != NULL, "%s", err.msg);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^9");

    cr_assert_eq(check("ADT", "C1", "P", "2.5", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^9^1^2");

    cr_assert_eq(check("^A01", "C1", "P", "2.5", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^9^1^1");
}

Test(ack, header_msh10)
{
    ack_error pb;
    cr_assert_eq(check("ADT^A01", "", "P", "2.5", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^10");
}

Test(ack, header_msh11)
{
    ack_error pb;
    cr_assert_eq(check("ADT^A01", "C1", "", "2.5", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^11");
    /* A processing mode without the processing id. */
    cr_assert_eq(check("ADT^A01", "C1", "^T", "2.5", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^11");

    const char *bad[] = {"X", "p", "PD", "PP"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(check("ADT^A01", "C1", bad[i], "2.5", &pb), -1, "%s",
                     bad[i]);
        cr_assert(strstr(err.msg, bad[i]) != NULL, "%s", err.msg);
        assert_problem(&pb, ACK_ERR_PROCESSING_ID, "MSH^1^11");
    }
}

Test(ack, header_msh12)
{
    ack_error pb;
    cr_assert_eq(check("ADT^A01", "C1", "P", "", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^12");

    const char *bad[] = {"3.0", "2.", "25", "2", "2.x", "V2.5", " 2.5",
                         "^FRA^2.11"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(check("ADT^A01", "C1", "P", bad[i], &pb), -1, "%s",
                     bad[i]);
        /* "^FRA^2.11" has no version id at all. */
        assert_problem(&pb, bad[i][0] == '^' ? ACK_ERR_REQUIRED
                       : ACK_ERR_VERSION, "MSH^1^12");
    }
    cr_assert_eq(check("ADT^A01", "C1", "P", "3.0", &pb), -1);
    cr_assert(strstr(err.msg, "'3.0'") != NULL, "%s", err.msg);
    cr_assert_str_eq(pb.where.seg_id, "MSH");
}

Test(ack, header_first_problem_wins)
{
    ack_error pb;
    cr_assert_eq(check("", "", "X", "3.0", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^9");
    cr_assert_eq(check("ADT^A01", "", "X", "3.0", &pb), -1);
    assert_problem(&pb, ACK_ERR_REQUIRED, "MSH^1^10");
    cr_assert_eq(check("ADT^A01", "C1", "X", "3.0", &pb), -1);
    assert_problem(&pb, ACK_ERR_PROCESSING_ID, "MSH^1^11");
}

Test(ack, header_unparseable)
{
    ack_error pb;
    err_clear(&err);
    cr_assert_eq(ack_check_header(NULL, &pb, &err), -1);
    cr_assert_eq(pb.code, ACK_ERR_SEGMENT_SEQUENCE);
    cr_assert_str_eq(pb.where.seg_id, "MSH");
    ack_params p = params(ACK_AR);
    p.errors = &pb;
    p.n_errors = 1;
    build(NULL, &p);
    assert_slice(er7_field(ack, err_seg(0), 2), "MSH^1");
    assert_slice(er7_field(ack, err_seg(0), 3),
                 "100^Segment sequence error^HL70357");
}
