/*
 * test_er7.c - the ER7 parser: delimiters, numbering, structure, limits,
 * malformed input, and the PAM FR conformance corpus.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "util/buf.h"
#include "util/fsutil.h"

static er7_message *msg;

static void cleanup(void)
{
    er7_free(msg);
    msg = NULL;
}

TestSuite(er7, .fini = cleanup);

/* Parse a NUL-terminated literal; the literal outlives the message. */
static er7_message *parse_ok(const char *s)
{
    socle_err err = {0};
    er7_free(msg);
    msg = er7_parse(s, strlen(s), &err);
    cr_assert_not_null(msg, "parse failed: %s", err.msg);
    return msg;
}

/* Parse expecting failure; returns the error message. */
static const char *parse_fail(const char *s, size_t len)
{
    static socle_err err;
    err_clear(&err);
    er7_message *m = er7_parse(s, len, &err);
    cr_assert_null(m, "parsed: %.*s", (int)(len > 40 ? 40 : len), s);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_neq(err.msg[0], '\0');
    return err.msg;
}

#define assert_slice(s, text) \
    do { \
        er7_slice s_ = (s); \
        cr_assert(er7_slice_eq(s_, text), "got '%.*s', expected '%s'", \
                  (int)s_.len, s_.ptr, text); \
    } while (0)

static const char ADT[] =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20250105101500||"
    "ADT^A01^ADT_A01|MSG001|P|2.5^FRA^2.11|||||FRA|8859/1\r"
    "EVN||20250105101500\r"
    "PID|||123^^^HOP&1.2.3&ISO^PI~456^^^AUTRE^PI||DOE^JOHN^JOHN PAUL^^M.^^L~"
    "SMITH^JACK^^^^^D||19800101|M\r"
    "PV1||I|UF1^CH2^L3\r"
    "OBX|1|ST|X||A\r"
    "OBX|2|ST|Y||B\r";

Test(er7, segments)
{
    er7_message *m = parse_ok(ADT);
    cr_assert_eq(er7_segment_count(m), 6);
    assert_slice(er7_segment_id(m, 0), "MSH");
    assert_slice(er7_segment_id(m, 2), "PID");
    cr_assert(er7_segment_is(m, 3, "PV1"));
    cr_assert_not(er7_segment_is(m, 3, "PV2"));
    cr_assert_not(er7_segment_is(m, 99, "PV1"));
    assert_slice(er7_segment_id(m, 99), "");
    cr_assert_eq(er7_find(m, "PID", 0), 2);
    cr_assert_eq(er7_find(m, "OBX", 1), 5);
    cr_assert_eq(er7_find(m, "OBX", 2), ER7_NONE);
    cr_assert_eq(er7_find(m, "ZBE", 0), ER7_NONE);
    cr_assert_eq(er7_find(m, "PIDX", 0), ER7_NONE);
    assert_slice(er7_segment_text(m, 3), "PV1||I|UF1^CH2^L3");
    cr_assert_eq(er7_field_count(m, 1), 2);
    cr_assert_eq(er7_field_count(m, 3), 3);
    cr_assert_eq(er7_field_count(m, 0), 18);
}

Test(er7, msh_numbering)
{
    er7_message *m = parse_ok(ADT);
    const er7_delims *d = er7_delimiters(m);
    cr_assert_eq(d->field, '|');
    cr_assert_eq(d->component, '^');
    cr_assert_eq(d->repetition, '~');
    cr_assert_eq(d->escape, '\\');
    cr_assert_eq(d->subcomponent, '&');
    cr_assert_eq(d->truncation, 0);

    assert_slice(er7_field(m, 0, 1), "|");
    assert_slice(er7_field(m, 0, 2), "^~\\&");
    cr_assert(er7_field_is_delimiters(m, 0, 1));
    cr_assert(er7_field_is_delimiters(m, 0, 2));
    cr_assert_not(er7_field_is_delimiters(m, 0, 3));
    cr_assert_not(er7_field_is_delimiters(m, 2, 1));
    /* MSH-2 is never split, whatever is asked. */
    assert_slice(er7_get(m, 0, 2, 1, 1, 1), "^~\\&");
    assert_slice(er7_get(m, 0, 2, 1, 2, 0), "");
    assert_slice(er7_get(m, 0, 2, 2, 0, 0), "");
    cr_assert_eq(er7_count(m, 0, 2, 0, 0), 1);

    assert_slice(er7_field(m, 0, 3), "SENDAPP");
    assert_slice(er7_field(m, 0, 4), "SENDFAC");
    assert_slice(er7_field(m, 0, 5), "RECVAPP");
    assert_slice(er7_field(m, 0, 6), "RECVFAC");
    assert_slice(er7_field(m, 0, 7), "20250105101500");
    assert_slice(er7_field(m, 0, 8), "");
    assert_slice(er7_get(m, 0, 9, 1, 1, 0), "ADT");
    assert_slice(er7_get(m, 0, 9, 1, 2, 0), "A01");
    assert_slice(er7_get(m, 0, 9, 1, 3, 0), "ADT_A01");
    assert_slice(er7_field(m, 0, 10), "MSG001");
    assert_slice(er7_field(m, 0, 11), "P");
    assert_slice(er7_get(m, 0, 12, 1, 3, 1), "2.11");
    assert_slice(er7_field(m, 0, 17), "FRA");
    assert_slice(er7_field(m, 0, 18), "8859/1");
    assert_slice(er7_field(m, 0, 19), "");
    assert_slice(er7_field(m, 0, 0), "");
}

Test(er7, structure)
{
    er7_message *m = parse_ok(ADT);
    size_t pid = er7_find(m, "PID", 0);
    assert_slice(er7_field(m, pid, 1), "");
    assert_slice(er7_field(m, pid, 3),
                 "123^^^HOP&1.2.3&ISO^PI~456^^^AUTRE^PI");
    cr_assert_eq(er7_count(m, pid, 3, 0, 0), 2);
    assert_slice(er7_get(m, pid, 3, 1, 0, 0), "123^^^HOP&1.2.3&ISO^PI");
    assert_slice(er7_get(m, pid, 3, 2, 0, 0), "456^^^AUTRE^PI");
    assert_slice(er7_get(m, pid, 3, 3, 0, 0), "");
    cr_assert_eq(er7_count(m, pid, 3, 1, 0), 5);
    assert_slice(er7_get(m, pid, 3, 1, 1, 0), "123");
    assert_slice(er7_get(m, pid, 3, 1, 2, 0), "");
    assert_slice(er7_get(m, pid, 3, 1, 4, 0), "HOP&1.2.3&ISO");
    assert_slice(er7_get(m, pid, 3, 1, 5, 0), "PI");
    assert_slice(er7_get(m, pid, 3, 1, 6, 0), "");
    cr_assert_eq(er7_count(m, pid, 3, 1, 4), 3);
    assert_slice(er7_get(m, pid, 3, 1, 4, 1), "HOP");
    assert_slice(er7_get(m, pid, 3, 1, 4, 2), "1.2.3");
    assert_slice(er7_get(m, pid, 3, 1, 4, 3), "ISO");
    assert_slice(er7_get(m, pid, 3, 1, 4, 4), "");
    /* A component without subcomponents is its own first subcomponent. */
    assert_slice(er7_get(m, pid, 3, 2, 1, 1), "456");
    assert_slice(er7_get(m, pid, 3, 2, 1, 2), "");
    assert_slice(er7_get(m, pid, 5, 2, 1, 1), "SMITH");
    assert_slice(er7_get(m, pid, 5, 2, 7, 1), "D");
    assert_slice(er7_get(m, pid, 5, 1, 3, 0), "JOHN PAUL");
    /* Beyond the segment and beyond the message. */
    assert_slice(er7_get(m, pid, 40, 1, 1, 1), "");
    cr_assert_eq(er7_count(m, pid, 40, 0, 0), 1);
    assert_slice(er7_get(m, 42, 1, 1, 1, 1), "");
    cr_assert_eq(er7_field_count(m, 42), 0);
    /* The last field of the last segment. */
    assert_slice(er7_field(m, 5, 5), "B");
    /* ptr is never NULL. */
    cr_assert_not_null(er7_get(m, pid, 40, 1, 1, 1).ptr);
}

Test(er7, split)
{
    er7_slice rest = {"a^^b", 4}, part;
    const char *want[] = {"a", "", "b"};
    size_t n = 0;
    while (er7_split(&rest, '^', &part)) {
        cr_assert_lt(n, 3);
        assert_slice(part, want[n]);
        n++;
    }
    cr_assert_eq(n, 3);
    cr_assert_null(rest.ptr);
    cr_assert_not(er7_split(&rest, '^', &part));

    er7_slice empty = {"", 0};
    n = 0;
    while (er7_split(&empty, '^', &part)) {
        cr_assert_eq(part.len, 0);
        n++;
    }
    cr_assert_eq(n, 1);

    er7_slice trailing = {"x^", 2};
    n = 0;
    while (er7_split(&trailing, '^', &part))
        n++;
    cr_assert_eq(n, 2);
}

Test(er7, null_versus_empty)
{
    er7_message *m = parse_ok(
        "MSH|^~\\&|A\r"
        "PID|||\"\"^^^X^INS||\"\"^JEAN^^^^^D|\"\"||\"x\"|\"\"\"\r");
    cr_assert(er7_is_null(er7_get(m, 1, 3, 1, 1, 0)));
    cr_assert(er7_is_null(er7_get(m, 1, 5, 1, 1, 1)));
    cr_assert(er7_is_null(er7_field(m, 1, 6)));
    cr_assert_not(er7_is_null(er7_field(m, 1, 7)));   /* empty */
    cr_assert_eq(er7_field(m, 1, 7).len, 0);
    cr_assert_not(er7_is_null(er7_field(m, 1, 8)));   /* "x" */
    cr_assert_not(er7_is_null(er7_field(m, 1, 9)));   /* """ */
    cr_assert_not(er7_is_null(er7_field(m, 1, 5)));   /* whole field */
    cr_assert_not(er7_is_null(er7_field(m, 1, 30)));  /* absent */
}

Test(er7, custom_delimiters)
{
    er7_message *m = parse_ok("MSH#*!$%#APP#FAC#####ADT*A28##P\r"
                              "PID###1**%2%3*PI!9##A|B^C~D&E\r");
    const er7_delims *d = er7_delimiters(m);
    cr_assert_eq(d->field, '#');
    cr_assert_eq(d->component, '*');
    cr_assert_eq(d->repetition, '!');
    cr_assert_eq(d->escape, '$');
    cr_assert_eq(d->subcomponent, '%');
    assert_slice(er7_field(m, 0, 1), "#");
    assert_slice(er7_field(m, 0, 2), "*!$%");
    assert_slice(er7_field(m, 0, 3), "APP");
    assert_slice(er7_get(m, 0, 9, 1, 2, 0), "A28");
    assert_slice(er7_field(m, 0, 11), "P");
    assert_slice(er7_get(m, 1, 3, 1, 3, 2), "2");
    assert_slice(er7_get(m, 1, 3, 2, 1, 1), "9");
    /* The standard delimiters are plain text here. */
    assert_slice(er7_get(m, 1, 5, 1, 1, 1), "A|B^C~D&E");
}

Test(er7, truncation_character)
{
    er7_message *m = parse_ok("MSH|^~\\&#|APP|FAC\rPID|1\r");
    cr_assert_eq(er7_delimiters(m)->truncation, '#');
    assert_slice(er7_field(m, 0, 2), "^~\\&#");
    assert_slice(er7_field(m, 0, 3), "APP");
}

Test(er7, line_endings)
{
    static const char *const forms[] = {
        "MSH|^~\\&|A\rPID|1|X\rPV1|1|I\r",
        "MSH|^~\\&|A\nPID|1|X\nPV1|1|I\n",
        "MSH|^~\\&|A\r\nPID|1|X\r\nPV1|1|I\r\n",
        "MSH|^~\\&|A\r\nPID|1|X\nPV1|1|I",           /* mixed, no final */
        "MSH|^~\\&|A\r\n\r\nPID|1|X\n\n\rPV1|1|I\r\n\r\n", /* blank lines */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        er7_message *m = parse_ok(forms[i]);
        cr_assert_eq(er7_segment_count(m), 3, "form %zu", i);
        assert_slice(er7_field(m, 0, 3), "A");
        assert_slice(er7_field(m, 1, 2), "X");
        assert_slice(er7_field(m, 2, 2), "I");
        assert_slice(er7_segment_text(m, 2), "PV1|1|I");
    }
}

Test(er7, bare_segments)
{
    er7_message *m = parse_ok("MSH|^~\\&\rPD1\rMSH\rZZZ|\r");
    cr_assert_eq(er7_segment_count(m), 4);
    cr_assert_eq(er7_field_count(m, 0), 2);
    cr_assert_eq(er7_field_count(m, 1), 0);
    assert_slice(er7_field(m, 1, 1), "");
    /* A bare header segment has no MSH-1 either. */
    cr_assert_eq(er7_field_count(m, 2), 0);
    assert_slice(er7_field(m, 2, 1), "");
    cr_assert_eq(er7_field_count(m, 3), 1);
    assert_slice(er7_field(m, 3, 1), "");
}

/* Segments and fields of every length around the 8-byte words the
 * scanner reads at once, checked against what was generated. */
Test(er7, scan_boundaries)
{
    static const char *const terms[] = {"\r", "\n", "\r\n"};
    unsigned seed = 12345;
    for (int round = 0; round < 400; round++) {
        buf b = {0};
        /* values[s][f]: at most 6 segments of 12 fields of 15 bytes. */
        char values[6][13][16];
        size_t nfields[6];
        size_t nseg = 1 + round % 6;
        buf_puts(&b, "MSH|^~\\&");
        nfields[0] = 2;
        for (size_t sg = 1; sg < nseg; sg++) {
            buf_puts(&b, terms[(seed >> 5) % 3]);
            buf_printf(&b, "Z%02zu", sg);
            seed = seed * 1103515245u + 12345u;
            nfields[sg] = (seed >> 8) % 13;
            for (size_t f = 1; f <= nfields[sg]; f++) {
                seed = seed * 1103515245u + 12345u;
                size_t len = (seed >> 8) % 16;
                for (size_t k = 0; k < len; k++)
                    values[sg][f][k] = "ab^~&"[(seed >> (k % 20)) % 5];
                values[sg][f][len] = '\0';
                buf_putc(&b, '|');
                buf_puts(&b, values[sg][f]);
            }
        }
        if (round % 2)
            buf_puts(&b, terms[round % 3]);

        socle_err err;
        er7_message *m = er7_parse(b.data, b.len, &err);
        cr_assert_not_null(m, "round %d: %s", round, err.msg);
        cr_assert_eq(er7_segment_count(m), nseg, "round %d", round);
        for (size_t sg = 1; sg < nseg; sg++) {
            cr_assert_eq(er7_field_count(m, sg), nfields[sg], "round %d", round);
            for (size_t f = 1; f <= nfields[sg]; f++)
                assert_slice(er7_field(m, sg, f), values[sg][f]);
        }
        er7_free(m);
        buf_free(&b);
    }
}

Test(er7, location)
{
    er7_message *m = parse_ok(ADT);
    er7_loc loc = er7_location(m, 5, 5, 1, 1, 0);
    cr_assert_str_eq(loc.seg_id, "OBX");
    cr_assert_eq(loc.seg_seq, 2);
    cr_assert_eq(loc.field, 5);
    cr_assert_eq(loc.rep, 1);
    cr_assert_eq(loc.comp, 1);
    cr_assert_eq(loc.sub, 0);
    loc = er7_location(m, 2, 3, 1, 1, 0);
    cr_assert_str_eq(loc.seg_id, "PID");
    cr_assert_eq(loc.seg_seq, 1);
    loc = er7_location(m, 50, 1, 0, 0, 0);
    cr_assert_str_eq(loc.seg_id, "");
    cr_assert_eq(loc.seg_seq, 0);
}

Test(er7, malformed)
{
    cr_assert_null(er7_parse(NULL, 0, NULL));
    cr_assert_not_null(strstr(parse_fail("", 0), "empty"));
    cr_assert_not_null(strstr(parse_fail("PID|1\r", 6), "MSH"));
    cr_assert_not_null(strstr(parse_fail("\rMSH|^~\\&\r", 10), "MSH"));
    cr_assert_not_null(strstr(parse_fail("MS", 2), "MSH"));
    cr_assert_not_null(strstr(parse_fail("MSH", 3), "separator"));
    cr_assert_not_null(strstr(parse_fail("MSH\r", 4), "separator"));
    cr_assert_not_null(strstr(parse_fail("MSH|", 4), "MSH-2"));
    cr_assert_not_null(strstr(parse_fail("MSH||A", 6), "MSH-2"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\|A", 9), "MSH-2"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\&#@|A", 12), "MSH-2"));
    /* Duplicate, alphanumeric, blank and control delimiters. */
    cr_assert_not_null(strstr(parse_fail("MSH|^^\\&|A", 10), "also"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\||A", 10), "MSH-2"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~A&|A", 10), "escape"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~ &|A", 10), "escape"));
    cr_assert_not_null(strstr(parse_fail("MSHX^~\\&XA", 10), "field"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\\t|A", 10), "subcomponent"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\&\xA7|A", 11), "truncation"));
    /* Segment ids. */
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\&\rPI|1\r", 14),
                              "segment 2"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\&\rPIDX|1\r", 16),
                              "segment id"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\&\rpid|1\r", 15),
                              "segment id"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\&\r|PID\r", 14),
                              "segment id"));
    cr_assert_not_null(strstr(parse_fail("MSH|^~\\&\rP D|1\r", 15),
                              "segment id"));
}

Test(er7, embedded_nul_is_data)
{
    /* The parser does not look inside values: a NUL is refused when the
     * value is decoded (er7_text), not here. */
    static const char data[] = "MSH|^~\\&|A\0B|C\r";
    er7_message *m = er7_parse(data, sizeof data - 1, NULL);
    cr_assert_not_null(m);
    cr_assert_eq(er7_field(m, 0, 3).len, 3);
    er7_free(m);
}

/* "MSH|^~\&" followed by n segments "ZZZ|x". */
static char *many_segments(size_t n, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "MSH|^~\\&");
    for (size_t i = 1; i < n; i++)
        buf_puts(&b, "\rZZZ|x");
    *len = b.len;
    return buf_detach(&b);
}

/* A segment id followed by n field separators. */
static char *many_fields(const char *prefix, size_t n, size_t *len)
{
    buf b = {0};
    buf_puts(&b, prefix);
    for (size_t i = 0; i < n; i++)
        buf_putc(&b, '|');
    buf_putc(&b, 'x');
    *len = b.len;
    return buf_detach(&b);
}

Test(er7, limit_segments)
{
    size_t len;
    char *s = many_segments(ER7_MAX_SEGMENTS, &len);
    er7_message *m = er7_parse(s, len, NULL);
    cr_assert_not_null(m);
    cr_assert_eq(er7_segment_count(m), ER7_MAX_SEGMENTS);
    er7_free(m);
    free(s);

    s = many_segments(ER7_MAX_SEGMENTS + 1, &len);
    cr_assert_not_null(strstr(parse_fail(s, len), "segments"));
    free(s);
}

Test(er7, limit_fields)
{
    size_t len;
    /* PID with fields 1..MAX: fine. */
    char *s = many_fields("MSH|^~\\&\rPID", ER7_MAX_FIELDS, &len);
    er7_message *m = er7_parse(s, len, NULL);
    cr_assert_not_null(m);
    cr_assert_eq(er7_field_count(m, 1), ER7_MAX_FIELDS);
    assert_slice(er7_field(m, 1, ER7_MAX_FIELDS), "x");
    er7_free(m);
    free(s);

    s = many_fields("MSH|^~\\&\rPID", ER7_MAX_FIELDS + 1, &len);
    cr_assert_not_null(strstr(parse_fail(s, len), "fields"));
    free(s);

    /* In MSH the separator after the id counts as field 1. */
    s = many_fields("MSH|^~\\&", ER7_MAX_FIELDS - 2, &len);
    m = er7_parse(s, len, NULL);
    cr_assert_not_null(m);
    cr_assert_eq(er7_field_count(m, 0), ER7_MAX_FIELDS);
    er7_free(m);
    free(s);

    s = many_fields("MSH|^~\\&", ER7_MAX_FIELDS - 1, &len);
    cr_assert_not_null(strstr(parse_fail(s, len), "fields"));
    free(s);

    /* More separators than all segments could hold: refused up front. */
    s = many_fields("MSH|^~\\&",
                    (size_t)ER7_MAX_SEGMENTS * ER7_MAX_FIELDS + 1, &len);
    cr_assert_not_null(strstr(parse_fail(s, len), "exceed the limits"));
    free(s);
}

Test(er7, limit_bytes)
{
    size_t len = (size_t)ER7_MAX_BYTES + 1;
    char *s = malloc(len);
    cr_assert_not_null(s);
    memset(s, 'x', len);
    memcpy(s, "MSH|^~\\&|", 9);
    cr_assert_not_null(strstr(parse_fail(s, len), "limit"));
    free(s);
}

/* ---- conformance corpus ------------------------------------------------ */

#define CORPUS SOCLE_SOURCE_DIR "/../shared/conformance/pam-fr"

static char *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    socle_err err = {0};
    cr_assert_eq(fs_read_file(path, ER7_MAX_BYTES, &data, len, &err), 0, "%s", err.msg);
    return data;
}

/* Unescape every subcomponent of one field; returns the number decoded
 * and appends the texts, separated by '|', to all. */
static size_t decode_field(const er7_message *m, er7_charset cs, size_t seg,
                           size_t field, const char *name, buf *all)
{
    const er7_delims *d = er7_delimiters(m);
    size_t n = 0;
    for (size_t r = 1; r <= er7_count(m, seg, field, 0, 0); r++)
        for (size_t c = 1; c <= er7_count(m, seg, field, r, 0); c++)
            for (size_t k = 1; k <= er7_count(m, seg, field, r, c); k++) {
                socle_err err = {0};
                er7_slice v = er7_get(m, seg, field, r, c, k);
                int rc = er7_unescape(d, cs, v, all, &err);
                cr_assert_eq(rc, 0, "%s: segment %zu field %zu.%zu.%zu.%zu: %s",
                             name, seg, field, r, c, k, err.msg);
                buf_putc(all, '|');
                n++;
            }
    return n;
}

Test(er7, conformance_pam_fr)
{
    DIR *dir = opendir(CORPUS);
    if (dir == NULL) {
        cr_log_warn("conformance corpus not found at %s: skipped", CORPUS);
        cr_skip_test("conformance corpus not found at %s: skipped", CORPUS);
    }
    size_t files = 0, names = 0;
    int saw_045 = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 4 || strcmp(e->d_name + nl - 4, ".hl7") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
        size_t len;
        char *data = slurp(path, &len);
        socle_err err = {0};
        er7_message *m = er7_parse(data, len, &err);
        cr_assert_not_null(m, "%s: %s", e->d_name, err.msg);
        cr_assert(er7_segment_is(m, 0, "MSH"), "%s: no MSH", e->d_name);
        er7_charset cs;
        cr_assert_eq(er7_message_charset(m, &cs, &err), 0, "%s: %s",
                     e->d_name, err.msg);

        buf text = {0};
        size_t pid;
        for (size_t i = 0; (pid = er7_find(m, "PID", i)) != ER7_NONE; i++)
            names += decode_field(m, cs, pid, 5, e->d_name, &text);
        if (strncmp(e->d_name, "045_", 4) == 0) {
            saw_045 = 1;
            cr_assert_eq(cs, ER7_LATIN1);
            size_t nk1;
            for (size_t i = 0; (nk1 = er7_find(m, "NK1", i)) != ER7_NONE; i++)
                for (size_t f = 1; f <= er7_field_count(m, nk1); f++)
                    decode_field(m, cs, nk1, f, e->d_name, &text);
            cr_assert_not_null(strstr(buf_cstr(&text), "Ma\xC3\xABlle"),
                               "045: no \"Maëlle\" in PID-5 or NK1");
        }
        buf_free(&text);
        er7_free(m);
        free(data);
        files++;
    }
    closedir(dir);
    cr_assert_gt(files, 0, "no .hl7 file in %s", CORPUS);
    cr_assert_gt(names, 0);
    cr_assert(saw_045, "045_*.hl7 missing from %s", CORPUS);
    cr_log_info("conformance: %zu files, %zu PID-5 values decoded", files,
                names);
}

Test(er7, slice_show_is_printable_and_bounded)
{
    char out[12];
    er7_slice plain = { "A28", 3 };
    cr_assert_str_eq(er7_slice_show(plain, out, sizeof out), "A28");
    er7_slice bytes = { "A\xE9\r\x01Z", 5 };
    cr_assert_str_eq(er7_slice_show(bytes, out, sizeof out), "A???Z");
    er7_slice longer = { "ABCDEFGHIJKLMNOP", 16 };
    cr_assert_str_eq(er7_slice_show(longer, out, sizeof out), "ABCDEFGH...", "cut to fit 12 bytes");
    er7_slice empty = { "", 0 };
    cr_assert_str_eq(er7_slice_show(empty, out, sizeof out), "");
}
