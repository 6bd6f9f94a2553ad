/*
 * test_er7_text.c - escapes and character sets of ER7 values, and the
 * writer: every escape, the four charsets, invalid bytes, and round trips
 * through er7_writer, er7_parse and er7_unescape.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "hl7/er7_writer.h"
#include "util/buf.h"

static buf out;
static socle_err err;

static er7_message *msg;   /* freed by cleanup, even after a failure */

static void cleanup(void)
{
    buf_free(&out);
    er7_free(msg);
    msg = NULL;
}

TestSuite(er7_text, .fini = cleanup);

static const er7_delims *D = &er7_default_delims;

/* Unescape raw[0..len) with d and cs into out (reset first). */
static int unesc_n(const er7_delims *d, er7_charset cs, const char *raw,
                   size_t len)
{
    buf_reset(&out);
    err_clear(&err);
    er7_slice s = {raw, len};
    return er7_unescape(d, cs, s, &out, &err);
}

static int unesc(er7_charset cs, const char *raw)
{
    return unesc_n(D, cs, raw, strlen(raw));
}

#define assert_text(cs, raw, want) \
    do { \
        cr_assert_eq(unesc(cs, raw), 0, "'%s': %s", raw, err.msg); \
        cr_assert_str_eq(buf_cstr(&out), want, "'%s'", raw); \
    } while (0)

/* Expect an error whose message contains part. */
#define assert_text_error(cs, raw, part) \
    do { \
        cr_assert_eq(unesc(cs, raw), -1, "'%s' decoded to '%s'", raw, \
                     buf_cstr(&out)); \
        cr_assert_not_null(strstr(err.msg, part), "'%s': %s", raw, err.msg); \
        cr_assert_eq(err.code, SOCLE_EINVAL); \
    } while (0)

Test(er7_text, plain)
{
    assert_text(ER7_ASCII, "", "");
    assert_text(ER7_ASCII, "DUPONT", "DUPONT");
    /* Delimiters in a raw slice are not interpreted. */
    assert_text(ER7_ASCII, "A^B~C&D", "A^B~C&D");
    /* Nor is the HL7 null. */
    assert_text(ER7_ASCII, "\"\"", "\"\"");
}

Test(er7_text, delimiter_escapes)
{
    assert_text(ER7_ASCII, "\\F\\", "|");
    assert_text(ER7_ASCII, "\\S\\", "^");
    assert_text(ER7_ASCII, "\\T\\", "&");
    assert_text(ER7_ASCII, "\\R\\", "~");
    assert_text(ER7_ASCII, "\\E\\", "\\");
    assert_text(ER7_ASCII, "A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F",
                "A|B^C&D~E\\F");
    assert_text(ER7_LATIN1, "52 rue Alix\\S\\88", "52 rue Alix^88");

    /* They name the message's delimiters, whatever they are. */
    er7_delims d = {'#', '*', '!', '$', '%', 0};
    const char *raw = "$F$$S$$T$$R$$E$|^~\\&";
    cr_assert_eq(unesc_n(&d, ER7_ASCII, raw, strlen(raw)), 0, "%s", err.msg);
    cr_assert_str_eq(buf_cstr(&out), "#*%!$|^~\\&");
}

Test(er7_text, truncation_escape)
{
    assert_text_error(ER7_ASCII, "A\\P\\", "unknown escape sequence \\P");
    er7_delims d = er7_default_delims;
    d.truncation = '#';
    cr_assert_eq(unesc_n(&d, ER7_ASCII, "A\\P\\", 4), 0, "%s", err.msg);
    cr_assert_str_eq(buf_cstr(&out), "A#");
}

Test(er7_text, hex_escapes)
{
    assert_text(ER7_ASCII, "\\X41\\", "A");
    assert_text(ER7_ASCII, "\\X414243\\", "ABC");
    assert_text(ER7_ASCII, "x\\X0D0A\\y", "x\r\ny");
    assert_text(ER7_ASCII, "\\X7c\\", "|");      /* lower case digits */
    assert_text(ER7_LATIN1, "\\XE9\\", "\xC3\xA9");
    assert_text(ER7_LATIN9, "\\XA4\\", "\xE2\x82\xAC");
    assert_text(ER7_UTF8, "\\XC3A9\\", "\xC3\xA9");
    /* A character split between escapes, and between raw and escape. */
    assert_text(ER7_UTF8, "\\XC3\\\\XA9\\", "\xC3\xA9");
    assert_text(ER7_UTF8, "\xC3\\XA9\\t\xC3\xA9", "\xC3\xA9t\xC3\xA9");
    assert_text(ER7_UTF8, "\\XE282\\\xAC", "\xE2\x82\xAC");

    assert_text_error(ER7_ASCII, "\\X4\\", "odd");
    assert_text_error(ER7_ASCII, "\\X414\\", "odd");
    assert_text_error(ER7_ASCII, "\\XG1\\", "hex digit");
    assert_text_error(ER7_ASCII, "\\X\\", "unknown escape");
    assert_text_error(ER7_ASCII, "\\XE9\\", "0xE9 from the \\X escape at "
                      "offset 0 is not valid ASCII");
    assert_text_error(ER7_LATIN1, "ab\\X85\\", "0x85 from the \\X escape "
                      "at offset 2");
    assert_text_error(ER7_ASCII, "\\X00\\", "NUL byte from the \\X escape");
    assert_text_error(ER7_UTF8, "\\XC3\\", "truncated UTF-8 sequence at "
                      "offset 0");
    assert_text_error(ER7_UTF8, "\\XC3\\\\F\\", "0xC3 from the \\X escape");
}

Test(er7_text, formatting_escapes)
{
    assert_text(ER7_ASCII, "a\\.br\\b", "a\nb");
    assert_text(ER7_ASCII, "a\\.sp\\b", "a\nb");
    assert_text(ER7_ASCII, "a\\.sp 2\\b", "a\nb");
    assert_text(ER7_ASCII, "a\\.sp2\\b", "a\nb");
    assert_text(ER7_ASCII, "a\\.ce\\b", "a\nb");
    assert_text(ER7_ASCII, "a\\.sk 3\\b", "a b");
    assert_text(ER7_ASCII, "a\\.in +4\\b", "ab");
    assert_text(ER7_ASCII, "a\\.ti -2\\b", "ab");
    assert_text(ER7_ASCII, "a\\.fi\\b\\.nf\\c", "abc");
    assert_text(ER7_ASCII, "\\H\\IMPORTANT\\N\\ text", "IMPORTANT text");

    assert_text_error(ER7_ASCII, "\\.br 2\\", "formatting");
    assert_text_error(ER7_ASCII, "\\.sp x\\", "formatting");
    assert_text_error(ER7_ASCII, "\\.sp +\\", "formatting");
    assert_text_error(ER7_ASCII, "\\.xx\\", "formatting");
    assert_text_error(ER7_ASCII, "\\.b\\", "formatting");
    assert_text_error(ER7_ASCII, "\\.\\", "unknown escape");
}

Test(er7_text, refused_escapes)
{
    assert_text_error(ER7_ASCII, "x\\Z01\\", "\\Z at offset 1 is not "
                      "supported");
    assert_text_error(ER7_ASCII, "\\C2842\\", "character set switch \\C");
    assert_text_error(ER7_UTF8, "\\M2442\\", "character set switch \\M");
    assert_text_error(ER7_ASCII, "\\Q\\", "unknown escape sequence \\Q at "
                      "offset 0");
    assert_text_error(ER7_ASCII, "\\FF\\", "unknown escape");
    assert_text_error(ER7_ASCII, "ab\\F", "unterminated escape sequence at "
                      "offset 2");
    assert_text_error(ER7_ASCII, "ab\\", "unterminated");
    assert_text_error(ER7_ASCII, "a\\\\b", "empty escape sequence at "
                      "offset 1");
}

Test(er7_text, charset_names)
{
    static const struct {
        const char *name;
        er7_charset cs;
    } ok[] = {
        {"", ER7_ASCII}, {"ASCII", ER7_ASCII}, {"8859/1", ER7_LATIN1},
        {"8859/15", ER7_LATIN9}, {"UNICODE UTF-8", ER7_UTF8},
        {"unicode utf-8", ER7_UTF8}, {"ascii", ER7_ASCII},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        er7_charset cs = (er7_charset)-1;
        er7_slice v = {ok[i].name, strlen(ok[i].name)};
        cr_assert_eq(er7_charset_parse(v, &cs, &err), 0, "%s", ok[i].name);
        cr_assert_eq(cs, ok[i].cs, "%s", ok[i].name);
    }
    static const char *const bad[] = {"UTF-8", "8859/2", "8859/1 ",
                                      "UNICODE", "\"\"", "ISO IR100"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        er7_charset cs;
        er7_slice v = {bad[i], strlen(bad[i])};
        cr_assert_eq(er7_charset_parse(v, &cs, &err), -1, "%s", bad[i]);
        cr_assert_not_null(strstr(err.msg, "MSH-18"));
    }
    cr_assert_str_eq(er7_charset_name(ER7_LATIN9), "8859/15");
    cr_assert_str_eq(er7_charset_name(ER7_UTF8), "UNICODE UTF-8");
}

/* MSH up to the separator before MSH-18. */
#define MSH17 "MSH|^~\\&||||||||||||||||"

Test(er7_text, message_charset)
{
    static const struct {
        const char *msg;
        int rc;
        er7_charset cs;
    } cases[] = {
        {"MSH|^~\\&|A", 0, ER7_ASCII},
        {MSH17 "8859/1", 0, ER7_LATIN1},
        {MSH17 "8859/15~UNICODE UTF-8", 0, ER7_LATIN9},
        {MSH17 "UNICODE UTF-8|FRA", 0, ER7_UTF8},
        {MSH17 "KLINGON", -1, ER7_ASCII},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        er7_free(msg);
        er7_message *m = msg = er7_parse(cases[i].msg, strlen(cases[i].msg),
                                         &err);
        cr_assert_not_null(m, "%s", err.msg);
        er7_charset cs = ER7_ASCII;
        cr_assert_eq(er7_message_charset(m, &cs, &err), cases[i].rc,
                     "case %zu", i);
        if (cases[i].rc == 0)
            cr_assert_eq(cs, cases[i].cs, "case %zu", i);
        else
            cr_assert_not_null(strstr(err.msg, "KLINGON"));
    }
}

Test(er7_text, ascii)
{
    assert_text(ER7_ASCII, "tab\there\x01\x7F", "tab\there\x01\x7F");
    assert_text_error(ER7_ASCII, "NO\xCBL", "byte 0xCB at offset 2 is not "
                      "valid ASCII");
}

Test(er7_text, latin1)
{
    assert_text(ER7_LATIN1, "Ma\xEBlle", "Ma\xC3\xABlle");
    assert_text(ER7_LATIN1, "\xC9\xC8\xE7\xFF\xA0", "\xC3\x89\xC3\x88\xC3\xA7"
                "\xC3\xBF\xC2\xA0");
    /* The eight positions Latin-9 changed keep their Latin-1 meaning. */
    assert_text(ER7_LATIN1, "\xA4\xA6\xA8\xB4\xB8\xBC\xBD\xBE",
                "\xC2\xA4\xC2\xA6\xC2\xA8\xC2\xB4\xC2\xB8\xC2\xBC\xC2\xBD"
                "\xC2\xBE");
    /* C1 controls: Windows-1252 sent as Latin-1. */
    assert_text_error(ER7_LATIN1, "OE=\x8C", "byte 0x8C at offset 3 is not "
                      "valid 8859/1");
    assert_text_error(ER7_LATIN1, "\x80", "0x80");
    assert_text_error(ER7_LATIN1, "x\x9F", "0x9F at offset 1");
}

Test(er7_text, latin9)
{
    /* € Š š Ž ž Œ œ Ÿ */
    assert_text(ER7_LATIN9, "\xA4\xA6\xA8\xB4\xB8\xBC\xBD\xBE",
                "\xE2\x82\xAC\xC5\xA0\xC5\xA1\xC5\xBD\xC5\xBE\xC5\x92"
                "\xC5\x93\xC5\xB8");
    /* Elsewhere it is Latin-1. */
    assert_text(ER7_LATIN9, "\xE9\xA3\xC0", "\xC3\xA9\xC2\xA3\xC3\x80");
    assert_text_error(ER7_LATIN9, "\x80", "not valid 8859/15");
}

Test(er7_text, utf8)
{
    assert_text(ER7_UTF8, "Zo\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                "Zo\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    assert_text(ER7_UTF8, "\\S\\\xC3\xA9\\F\\", "^\xC3\xA9|");
    assert_text_error(ER7_UTF8, "Zo\xE9 X", "byte 0xE9 at offset 2 is not "
                      "valid UNICODE UTF-8");
    assert_text_error(ER7_UTF8, "Zo\xE9", "truncated UTF-8 sequence at "
                      "offset 2");
    assert_text_error(ER7_UTF8, "ab\xC0\x80", "0xC0 at offset 2");
    assert_text_error(ER7_UTF8, "\xED\xA0\x80", "0xED at offset 0");
    assert_text_error(ER7_UTF8, "\xF4\x90\x80\x80", "0xF4");
    assert_text_error(ER7_UTF8, "\xC3" "A", "0xC3 at offset 0");
    assert_text_error(ER7_UTF8, "x\xE2\x82", "truncated UTF-8 sequence at "
                      "offset 1");
    assert_text_error(ER7_UTF8, "\xBF", "0xBF");
}

Test(er7_text, nul_refused)
{
    cr_assert_eq(unesc_n(D, ER7_UTF8, "a\0b", 3), -1);
    cr_assert_not_null(strstr(err.msg, "NUL byte at offset 1"), "%s", err.msg);
    cr_assert_eq(unesc_n(D, ER7_LATIN1, "\\F\\\0", 4), -1);
}

Test(er7_text, error_leaves_output_alone)
{
    buf_reset(&out);
    buf_puts(&out, "kept");
    er7_slice bad = {"abc\\F\\d\xE9", 8};
    cr_assert_eq(er7_unescape(D, ER7_ASCII, bad, &out, &err), -1);
    cr_assert_str_eq(buf_cstr(&out), "kept");
    cr_assert_eq(out.len, 4);
    er7_slice good = {"\\S\\x", 4};
    cr_assert_eq(er7_unescape(D, ER7_ASCII, good, &out, &err), 0);
    cr_assert_str_eq(buf_cstr(&out), "kept^x");

    cr_assert_eq(er7_escape(D, ER7_LATIN1, "a|\xE2\x82\xAC", 5, &out, &err),
                 -1);
    cr_assert_str_eq(buf_cstr(&out), "kept^x");
}

/* ---- escaping ---------------------------------------------------------- */

static int esc(er7_charset cs, const char *text)
{
    buf_reset(&out);
    err_clear(&err);
    return er7_escape(D, cs, text, strlen(text), &out, &err);
}

#define assert_escaped(cs, text, want) \
    do { \
        cr_assert_eq(esc(cs, text), 0, "'%s': %s", text, err.msg); \
        cr_assert_str_eq(buf_cstr(&out), want, "'%s'", text); \
    } while (0)

#define assert_escape_error(cs, text, part) \
    do { \
        cr_assert_eq(esc(cs, text), -1, "'%s' gave '%s'", text, \
                     buf_cstr(&out)); \
        cr_assert_not_null(strstr(err.msg, part), "'%s': %s", text, err.msg); \
    } while (0)

Test(er7_text, escape)
{
    assert_escaped(ER7_ASCII, "", "");
    assert_escaped(ER7_ASCII, "DUPONT", "DUPONT");
    assert_escaped(ER7_ASCII, "a|b^c~d\\e&f", "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f");
    assert_escaped(ER7_ASCII, "l1\nl2\rl3\tx\x01\x7F",
                   "l1\\.br\\l2\\X0D\\l3\tx\\X01\\\\X7F\\");
    assert_escaped(ER7_ASCII, "\"\"", "\"\"");
    assert_escaped(ER7_LATIN1, "Ma\xC3\xABlle", "Ma\xEBlle");
    assert_escaped(ER7_LATIN1, "\xC2\xA4", "\xA4");
    assert_escaped(ER7_LATIN9, "\xE2\x82\xAC\xC5\x93\xC3\xA9", "\xA4\xBD\xE9");
    assert_escaped(ER7_UTF8, "\xE2\x82\xAC|", "\xE2\x82\xAC\\F\\");

    assert_escape_error(ER7_ASCII, "Zo\xC3\xA9", "U+00E9 at offset 2 cannot "
                        "be represented in ASCII");
    assert_escape_error(ER7_LATIN1, "1 \xE2\x82\xAC", "U+20AC at offset 2 "
                        "cannot be represented in 8859/1");
    assert_escape_error(ER7_LATIN1, "\xC2\x85", "U+0085");
    assert_escape_error(ER7_LATIN9, "\xC2\xA4", "U+00A4 at offset 0 cannot "
                        "be represented in 8859/15");
    assert_escape_error(ER7_LATIN9, "\xC2\xBD", "U+00BD");
    assert_escape_error(ER7_UTF8, "ab\xE9", "invalid UTF-8 at offset 2");
    cr_assert_eq(er7_escape(D, ER7_UTF8, "a\0", 2, &out, &err), -1);
    cr_assert_not_null(strstr(err.msg, "NUL"));

    er7_delims d = {'#', '*', '!', '$', '%', '@'};
    buf_reset(&out);
    cr_assert_eq(er7_escape(&d, ER7_ASCII, "#*!$%@|^", 8, &out, &err), 0);
    cr_assert_str_eq(buf_cstr(&out), "$F$$S$$R$$E$$T$$P$|^");
}

/* ---- writer ------------------------------------------------------------ */

Test(er7_text, writer_layout)
{
    er7_writer w;
    cr_assert_eq(er7w_init(&w, &out, D, ER7_ASCII, &err), 0);
    cr_assert_eq(er7w_segment(&w, "MSH", &err), 0);
    cr_assert_eq(er7w_put(&w, 3, 1, 1, 1, "SOCLE", &err), 0);
    cr_assert_eq(er7w_put(&w, 9, 1, 1, 1, "ACK", &err), 0);
    cr_assert_eq(er7w_put(&w, 9, 1, 2, 1, "A01", &err), 0);
    cr_assert_eq(er7w_put(&w, 9, 1, 3, 1, "ACK", &err), 0);
    cr_assert_eq(er7w_put(&w, 12, 1, 1, 1, "2.5", &err), 0);
    cr_assert_eq(er7w_put(&w, 12, 1, 3, 1, "2.11", &err), 0);
    cr_assert_eq(er7w_segment(&w, "MSA", &err), 0);
    cr_assert_eq(er7w_put(&w, 1, 1, 1, 1, "AE", &err), 0);
    er7_slice id = {"MSG\\F\\1", 7};
    cr_assert_eq(er7w_put_raw(&w, 2, 0, 0, 0, id, &err), 0);
    cr_assert_eq(er7w_segment(&w, "ERR", &err), 0);
    er7_loc loc = {"PID", 1, 3, 1, 1, 0};
    cr_assert_eq(er7w_put_loc(&w, 2, 1, &loc, &err), 0, "%s", err.msg);
    er7_loc loc2 = {"PV1", 2, 0, 0, 0, 0};
    cr_assert_eq(er7w_put_loc(&w, 2, 2, &loc2, &err), 0, "%s", err.msg);
    cr_assert_eq(er7w_put(&w, 3, 1, 1, 1, "102", &err), 0);
    cr_assert_eq(er7w_put(&w, 4, 0, 0, 0, "E", &err), 0);
    cr_assert_eq(er7w_segment(&w, "PID", &err), 0);
    cr_assert_eq(er7w_put_null(&w, 5, 2, 1, 1, &err), 0);
    cr_assert_eq(er7w_put(&w, 5, 2, 7, 0, "D", &err), 0);
    er7_slice cx = {"1^^^H&1.2&ISO^PI", 16};
    cr_assert_eq(er7w_put_raw(&w, 6, 1, 0, 0, cx, &err), 0);
    cr_assert_eq(er7w_put(&w, 6, 2, 4, 2, "x", &err), 0);
    er7w_end(&w);
    er7w_end(&w);   /* harmless twice */
    cr_assert_str_eq(buf_cstr(&out),
        "MSH|^~\\&|SOCLE||||||ACK^A01^ACK|||2.5^^2.11\r"
        "MSA|AE|MSG\\F\\1\r"
        "ERR||PID^1^3^1^1~PV1^2|102|E\r"
        "PID|||||~\"\"^^^^^^D|1^^^H&1.2&ISO^PI~^^^&x\r");
}

Test(er7_text, writer_errors)
{
    er7_writer w;
    er7_delims bad = {'|', '|', '~', '\\', '&', 0};
    cr_assert_eq(er7w_init(&w, &out, &bad, ER7_ASCII, &err), -1);

    cr_assert_eq(er7w_init(&w, &out, D, ER7_LATIN1, &err), 0);
    cr_assert_eq(er7w_put(&w, 1, 1, 1, 1, "x", &err), -1);   /* no segment */
    cr_assert_eq(er7w_segment(&w, "PI", &err), -1);
    cr_assert_eq(er7w_segment(&w, "pid", &err), -1);
    cr_assert_eq(er7w_segment(&w, "MSH", &err), 0);
    cr_assert_eq(er7w_put(&w, 2, 1, 1, 1, "x", &err), -1);   /* MSH-2 */
    cr_assert_eq(er7w_put(&w, 5, 1, 2, 1, "B", &err), 0);
    size_t len = out.len;
    /* Out of order, same position, inside a value written whole. */
    cr_assert_eq(er7w_put(&w, 5, 1, 1, 1, "A", &err), -1);
    cr_assert_eq(er7w_put(&w, 5, 1, 2, 1, "A", &err), -1);
    cr_assert_eq(er7w_put(&w, 4, 1, 1, 1, "A", &err), -1);
    cr_assert_eq(er7w_put(&w, 6, 0, 0, 0, "whole", &err), 0);
    len = out.len;
    cr_assert_eq(er7w_put(&w, 6, 1, 1, 1, "A", &err), -1);
    cr_assert_eq(er7w_put(&w, 0, 1, 1, 1, "A", &err), -1);
    cr_assert_eq(er7w_put(&w, ER7_MAX_FIELDS + 1, 1, 1, 1, "A", &err), -1);
    cr_assert_eq(er7w_put(&w, 7, ER7_MAX_FIELDS + 1, 1, 1, "A", &err), -1);
    /* Not representable: output and position unchanged. */
    cr_assert_eq(er7w_put(&w, 8, 1, 1, 1, "\xE2\x82\xAC", &err), -1);
    cr_assert_not_null(strstr(err.msg, "field 8: U+20AC"), "%s", err.msg);
    /* Raw values may not break the structure. */
    er7_slice r1 = {"a^b", 3}, r2 = {"a\rb", 3}, r3 = {"a|b", 3};
    cr_assert_eq(er7w_put_raw(&w, 8, 1, 1, 0, r1, &err), -1);
    cr_assert_eq(er7w_put_raw(&w, 8, 0, 0, 0, r2, &err), -1);
    cr_assert_eq(er7w_put_raw(&w, 8, 0, 0, 0, r3, &err), -1);
    cr_assert_eq(out.len, len);
    /* Empty values write nothing, anywhere. */
    cr_assert_eq(er7w_put(&w, 1, 1, 1, 1, "", &err), 0);
    cr_assert_eq(er7w_put(&w, 1, 1, 1, 1, NULL, &err), 0);
    cr_assert_eq(out.len, len);
    cr_assert_eq(er7w_put(&w, 8, 1, 1, 1, "\xC3\xA9", &err), 0);
    er7w_end(&w);
    cr_assert_str_eq(buf_cstr(&out), "MSH|^~\\&|||^B|whole||\xE9\r");
}

/* Texts that must survive writer -> parser -> unescape. */
static const char *const samples[] = {
    "DUPONT",
    "A|B^C~D\\E&F",
    "\\F\\ is not an escape here",
    "Ma\xC3\xABlle \xC3\xA9t\xC3\xA9",
    "Prix : 10 \xE2\x82\xAC",
    "ligne 1\nligne 2\n",
    "CR\rCRLF\r\nTAB\t",
    "\"\"x",
    "\xC5\x92UVRE \xC5\xA0\xC5\xA1\xC5\xBD\xC5\xBE\xC5\x93\xC5\xB8",
    "\\",
    "|",
    "a@b",
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

/* Build a message holding every sample that cs can represent, at several
 * depths, then parse and decode it back. */
static void round_trip(const er7_delims *d, er7_charset cs)
{
    er7_writer w;
    int ok[NSAMPLES];
    buf msgbuf = {0};
    cr_assert_eq(er7w_init(&w, &msgbuf, d, cs, &err), 0);
    cr_assert_eq(er7w_segment(&w, "MSH", &err), 0);
    cr_assert_eq(er7w_put(&w, 9, 1, 1, 1, "ADT", &err), 0);
    cr_assert_eq(er7w_put(&w, 9, 1, 2, 1, "A31", &err), 0);
    cr_assert_eq(er7w_put(&w, 18, 1, 1, 1, er7_charset_name(cs), &err), 0);
    cr_assert_eq(er7w_segment(&w, "ZZZ", &err), 0);
    for (size_t i = 0; i < NSAMPLES; i++) {
        /* Field i+1, rep 2, component 3, subcomponent 2. */
        ok[i] = er7w_put(&w, i + 1, 2, 3, 2, samples[i], &err) == 0;
        if (cs == ER7_UTF8)
            cr_assert(ok[i], "sample %zu: %s", i, err.msg);
    }
    er7w_end(&w);

    er7_message *m = er7_parse(msgbuf.data, msgbuf.len, &err);
    cr_assert_not_null(m, "%s", err.msg);
    er7_charset got;
    cr_assert_eq(er7_message_charset(m, &got, &err), 0, "%s", err.msg);
    cr_assert_eq(got, cs);
    cr_assert_eq(er7_segment_count(m), 2);
    for (size_t i = 0; i < NSAMPLES; i++) {
        if (!ok[i])
            continue;
        cr_assert_eq(er7_get(m, 1, i + 1, 1, 0, 0).len, 0);
        cr_assert_eq(er7_get(m, 1, i + 1, 2, 3, 1).len, 0);
        buf_reset(&out);
        cr_assert_eq(er7_unescape(er7_delimiters(m), got,
                                  er7_get(m, 1, i + 1, 2, 3, 2), &out, &err),
                     0, "sample %zu: %s", i, err.msg);
        cr_assert_str_eq(buf_cstr(&out), samples[i], "sample %zu, %s", i,
                         er7_charset_name(cs));
    }
    er7_free(m);
    buf_free(&msgbuf);
}

Test(er7_text, writer_round_trip)
{
    er7_delims custom = {'#', '*', '!', '$', '%', 0};
    er7_delims trunc = er7_default_delims;
    trunc.truncation = '@';
    for (int cs = ER7_ASCII; cs <= ER7_UTF8; cs++) {
        round_trip(D, (er7_charset)cs);
        round_trip(&custom, (er7_charset)cs);
        round_trip(&trunc, (er7_charset)cs);
    }
}

Test(er7_text, writer_round_trip_latin9_bytes)
{
    /* What the samples became on the wire in Latin-9. */
    er7_writer w;
    buf msgbuf = {0};
    cr_assert_eq(er7w_init(&w, &msgbuf, D, ER7_LATIN9, &err), 0);
    cr_assert_eq(er7w_segment(&w, "ZZZ", &err), 0);
    cr_assert_eq(er7w_put(&w, 1, 1, 1, 1, "\xC5\x92uvre \xE2\x82\xAC|\n",
                          &err), 0);
    er7w_end(&w);
    cr_assert_str_eq(buf_cstr(&msgbuf), "ZZZ|\xBCuvre \xA4\\F\\\\.br\\\r");
    buf_free(&msgbuf);
}
