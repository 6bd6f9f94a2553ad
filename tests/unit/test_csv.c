/*
 * test_csv.c - the streaming CSV reader: RFC 4180, line numbers, errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/csv.h"

static FILE *in;
static csv_reader *rd;
static char *owned;

static void cleanup(void)
{
    csv_reader_free(rd);
    if (in != NULL)
        fclose(in);
    free(owned);
    rd = NULL;
    in = NULL;
    owned = NULL;
}

TestSuite(csv, .fini = cleanup);

/* A reader over len bytes of data, named "t.csv". */
static csv_reader *open_mem(const void *data, size_t len)
{
    cleanup();
    if (len == 0) {
        in = fopen("/dev/null", "r");
    } else {
        owned = malloc(len);
        cr_assert_not_null(owned);
        memcpy(owned, data, len);
        in = fmemopen(owned, len, "r");
    }
    cr_assert_not_null(in);
    rd = csv_reader_new(in, "t.csv");
    cr_assert_not_null(rd);
    return rd;
}

static csv_reader *open_str(const char *s)
{
    return open_mem(s, strlen(s));
}

/* Read every record as "LINE:[f1][f2]...\n" into out; returns the last
 * csv_next result (0 at a clean end, -1 on error). */
static int slurp(csv_reader *r, buf *out, socle_err *err)
{
    int rc;
    while ((rc = csv_next(r, err)) == 1) {
        buf_printf(out, "%lu:", csv_line(r));
        for (size_t i = 0; i < csv_field_count(r); i++)
            buf_printf(out, "[%s]", csv_field(r, i));
        buf_putc(out, '\n');
    }
    return rc;
}

/* Parse s completely, expecting success and the given rendering. */
static void expect_records(const void *data, size_t len, const char *want)
{
    buf out = {0};
    socle_err err = {0};
    csv_reader *r = open_mem(data, len);
    int rc = slurp(r, &out, &err);
    cr_assert_eq(rc, 0, "unexpected error: %s", err.msg);
    cr_assert_str_eq(buf_cstr(&out), want);
    /* End of input is stable. */
    cr_assert_eq(csv_next(r, &err), 0);
    cr_assert_eq(csv_field_count(r), 0);
    buf_free(&out);
}

static void expect_str_records(const char *s, const char *want)
{
    expect_records(s, strlen(s), want);
}

/* Parse data, expecting an error with exactly this message, after the
 * records rendered in `before`. */
static void expect_error(const void *data, size_t len, const char *before,
                         socle_errcode code, const char *msg)
{
    buf out = {0};
    socle_err err = {0};
    csv_reader *r = open_mem(data, len);
    int rc = slurp(r, &out, &err);
    cr_assert_eq(rc, -1, "expected an error, got records:\n%s", buf_cstr(&out));
    cr_assert_str_eq(err.msg, msg);
    cr_assert_eq(err.code, code);
    cr_assert_str_eq(buf_cstr(&out), before);
    cr_assert_eq(csv_field_count(r), 0, "no partial record after an error");
    /* The reader stays stopped. */
    socle_err again = {0};
    cr_assert_eq(csv_next(r, &again), -1);
    cr_assert_neq(again.msg[0], '\0');
    buf_free(&out);
}

static void expect_str_error(const char *s, const char *before, const char *msg)
{
    expect_error(s, strlen(s), before, SOCLE_EINVAL, msg);
}

Test(csv, simple_records_with_lf)
{
    expect_str_records("a,b,c\n1,2,3\n", "1:[a][b][c]\n2:[1][2][3]\n");
}

Test(csv, crlf_records)
{
    expect_str_records("a,b\r\n1,2\r\n3,4\r\n", "1:[a][b]\n2:[1][2]\n3:[3][4]\n");
}

Test(csv, mixed_line_ends)
{
    expect_str_records("a,b\r\n1,2\n3,4\r\n", "1:[a][b]\n2:[1][2]\n3:[3][4]\n");
}

Test(csv, last_record_without_line_end)
{
    expect_str_records("a,b\n1,2", "1:[a][b]\n2:[1][2]\n");
    expect_str_records("x", "1:[x]\n");
    expect_str_records("a,\"q\"", "1:[a][q]\n");
}

Test(csv, empty_input)
{
    expect_str_records("", "");
    expect_str_records("\n\n\r\n\n", "");
    expect_str_records("\xEF\xBB\xBF", "");
}

Test(csv, bom_is_skipped)
{
    expect_str_records("\xEF\xBB\xBFkind,code\nA,1\n", "1:[kind][code]\n2:[A][1]\n");
    /* Only at the start: further on U+FEFF is data. */
    expect_str_records("a\n\xEF\xBB\xBF" "b\n", "1:[a]\n2:[\xEF\xBB\xBF" "b]\n");
}

Test(csv, bom_then_crlf_header_matches)
{
    csv_reader *r = open_str("\xEF\xBB\xBFkind,code\r\nA,1\r\n");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
    const char *cols[] = {"kind", "code"};
    cr_assert_eq(csv_expect_header(r, cols, 2, &err), 0, "%s", err.msg);
}

Test(csv, empty_lines_are_skipped_but_counted)
{
    expect_str_records("\na,b\n\n\r\n1,2\n\n\n3,4\n\n",
                       "2:[a][b]\n5:[1][2]\n8:[3][4]\n");
}

Test(csv, empty_fields)
{
    expect_str_records(",,\n", "1:[][][]\n");
    expect_str_records("a,\n", "1:[a][]\n");
    expect_str_records(",a\n", "1:[][a]\n");
    expect_str_records("\"\",\"\"\n", "1:[][]\n");
    /* A line holding only a quoted empty field is a record, not an empty line. */
    expect_str_records("\"\"\nx\n", "1:[]\n2:[x]\n");
}

Test(csv, spaces_are_data)
{
    expect_str_records(" a , b \n", "1:[ a ][ b ]\n");
    expect_str_records("   \n", "1:[   ]\n");
}

Test(csv, quoted_fields)
{
    expect_str_records("\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\n",
                       "1:[a,b][say \"hi\"][\"]\n");
    expect_str_records("\"Saint-\"\"Jean\"\"\",x\r\n", "1:[Saint-\"Jean\"][x]\n");
}

Test(csv, quoted_newlines_keep_line_numbers)
{
    expect_str_records("h1,h2\n\"multi\nline\",x\nnext,y\n\"a\r\nb\r\nc\",z\r\nlast,w\r\n",
                       "1:[h1][h2]\n"
                       "2:[multi\nline][x]\n"
                       "4:[next][y]\n"
                       "5:[a\r\nb\r\nc][z]\n"
                       "8:[last][w]\n");
}

Test(csv, quoted_bare_cr_is_data)
{
    expect_str_records("\"a\rb\",c\n", "1:[a\rb][c]\n");
}

Test(csv, utf8_content)
{
    expect_str_records("nom,pr\xC3\xA9nom\nM\xC3\x9CLLER,Ch\xC3\xA9rif\n",
                       "1:[nom][pr\xC3\xA9nom]\n2:[M\xC3\x9CLLER][Ch\xC3\xA9rif]\n");
}

Test(csv, latin1_is_reported_with_line_and_byte)
{
    /* "Dupont,H" is 8 bytes: the Latin-1 e-acute is byte 9. */
    expect_str_error("nom,prenom\nDupont,H\xE9l\xE8ne\nx,y\n",
                     "1:[nom][prenom]\n",
                     "t.csv:2: invalid UTF-8 at byte 9 of the line "
                     "(is the file Latin-1? convert it to UTF-8)");
}

Test(csv, latin1_in_a_quoted_field)
{
    expect_str_error("a\n\n\"Fran\xE7oise\",b\n", "1:[a]\n",
                     "t.csv:3: invalid UTF-8 at byte 6 of the line "
                     "(is the file Latin-1? convert it to UTF-8)");
}

Test(csv, invalid_utf8_on_a_later_line_of_the_record)
{
    expect_str_error("a\n\"first\nse\xFF" "cond\"\n", "1:[a]\n",
                     "t.csv:2: invalid UTF-8 at byte 3 of line 3 "
                     "(is the file Latin-1? convert it to UTF-8)");
}

Test(csv, invalid_utf8_forms)
{
    expect_str_error("\xED\xA0\x80\n", "",
                     "t.csv:1: invalid UTF-8 at byte 1 of the line "
                     "(is the file Latin-1? convert it to UTF-8)");
    expect_str_error("ab,\xC0\xAF\n", "",
                     "t.csv:1: invalid UTF-8 at byte 4 of the line "
                     "(is the file Latin-1? convert it to UTF-8)");
    /* A UTF-8 sequence cut by the separator. */
    expect_str_error("x\xE2\x82,y\n", "",
                     "t.csv:1: invalid UTF-8 at byte 2 of the line "
                     "(is the file Latin-1? convert it to UTF-8)");
    /* A partial BOM is not a BOM. */
    expect_str_error("\xEF\xBBx\n", "",
                     "t.csv:1: invalid UTF-8 at byte 1 of the line "
                     "(is the file Latin-1? convert it to UTF-8)");
    /* UTF-16 with its BOM. */
    expect_str_error("\xFF\xFE" "a\n", "",
                     "t.csv:1: invalid UTF-8 at byte 1 of the line "
                     "(is the file Latin-1? convert it to UTF-8)");
}

Test(csv, unterminated_quote_reports_the_record_start)
{
    expect_str_error("a,b\n1,2\n3,\"never\nclosed,\n\n", "1:[a][b]\n2:[1][2]\n",
                     "t.csv:3: unterminated quoted field (truncated file?)");
    expect_str_error("\"", "", "t.csv:1: unterminated quoted field (truncated file?)");
    expect_str_error("\"abc\"\"", "",
                     "t.csv:1: unterminated quoted field (truncated file?)");
}

Test(csv, quote_inside_unquoted_field)
{
    expect_str_error("h\nab\"c,d\n", "1:[h]\n",
                     "t.csv:2: quote inside unquoted field 1 (quote the whole "
                     "field and double the inner quotes)");
    expect_str_error("x,y,12\"\n", "",
                     "t.csv:1: quote inside unquoted field 3 (quote the whole "
                     "field and double the inner quotes)");
    expect_str_error(" \"a\"\n", "",
                     "t.csv:1: quote inside unquoted field 1 (quote the whole "
                     "field and double the inner quotes)");
}

Test(csv, text_after_closing_quote)
{
    expect_str_error("h\n\n\"ab\"c,d\n", "1:[h]\n",
                     "t.csv:3: unexpected text after the closing quote of field 1");
    expect_str_error("a,\"b\" \n", "",
                     "t.csv:1: unexpected text after the closing quote of field 2");
    expect_str_error("\"a\"\"b\"\"\"x\n", "",
                     "t.csv:1: unexpected text after the closing quote of field 1");
}

Test(csv, nul_byte)
{
    expect_error("ok\nab\0c\n", 8, "1:[ok]\n", SOCLE_EINVAL,
                 "t.csv:2: NUL byte in field 1 (is the file UTF-16? it must be UTF-8)");
    expect_error("a,\"b\0\"\n", 7, "", SOCLE_EINVAL,
                 "t.csv:1: NUL byte in field 2 (is the file UTF-16? it must be UTF-8)");
    /* UTF-16LE text is full of NULs. */
    expect_error("a\0,\0b\0", 6, "", SOCLE_EINVAL,
                 "t.csv:1: NUL byte in field 1 (is the file UTF-16? it must be UTF-8)");
}

Test(csv, bare_cr_outside_quotes)
{
    expect_str_error("a,b\rc,d\r", "",
                     "t.csv:1: carriage return without line feed in field 2");
    expect_str_error("a\n\rb\n", "1:[a]\n",
                     "t.csv:2: carriage return without line feed (old Mac line endings?)");
    expect_str_error("a\r", "", "t.csv:1: carriage return without line feed in field 1");
}

/* A record of n fields "f0,f1,..." followed by a line end. */
static void make_fields(buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%sf%zu", i ? "," : "", i);
    buf_putc(b, '\n');
}

Test(csv, field_count_limit)
{
    buf b = {0};
    make_fields(&b, CSV_MAX_FIELDS);
    csv_reader *r = open_mem(b.data, b.len);
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
    cr_assert_eq(csv_field_count(r), CSV_MAX_FIELDS);
    cr_assert_str_eq(csv_field(r, CSV_MAX_FIELDS - 1), "f63");

    buf_reset(&b);
    buf_puts(&b, "ok\n");
    make_fields(&b, CSV_MAX_FIELDS + 1);
    expect_error(b.data, b.len, "1:[ok]\n", SOCLE_EINVAL,
                 "t.csv:2: more than 64 fields in the record");
    /* Empty fields count too. */
    buf_reset(&b);
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        buf_putc(&b, ',');
    expect_error(b.data, b.len, "", SOCLE_EINVAL,
                 "t.csv:1: more than 64 fields in the record");
    buf_free(&b);
}

Test(csv, record_size_limit)
{
    /* Exactly CSV_MAX_RECORD bytes (line end excluded) is accepted. */
    size_t n = CSV_MAX_RECORD;
    char *data = malloc(n + 2);
    cr_assert_not_null(data);
    memset(data, 'a', n);
    data[5] = ',';
    data[n] = '\n';
    data[n + 1] = 'z';
    csv_reader *r = open_mem(data, n + 2);
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
    cr_assert_eq(csv_field_count(r), 2);
    cr_assert_eq(strlen(csv_field(r, 1)), n - 6);
    cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
    cr_assert_str_eq(csv_field(r, 0), "z");
    cr_assert_eq(csv_line(r), 2);

    /* One more byte is not. */
    data[n] = 'a';
    data[n + 1] = '\n';
    expect_error(data, n + 2, "", SOCLE_EINVAL,
                 "t.csv:1: record longer than 1048576 bytes (unbalanced quote?)");
    free(data);
}

Test(csv, runaway_quote_hits_the_record_limit)
{
    /* A stray opening quote swallows the rest of a big file. */
    size_t lines = 200000;
    buf b = {0};
    buf_puts(&b, "h\n\"oops\n");
    for (size_t i = 0; i < lines; i++)
        buf_puts(&b, "0123456789\n");
    expect_error(b.data, b.len, "1:[h]\n", SOCLE_EINVAL,
                 "t.csv:2: record longer than 1048576 bytes (unbalanced quote?)");
    buf_free(&b);
}

Test(csv, records_across_chunk_boundaries)
{
    /* Enough records to cross several 64 KiB reads, with quotes, doubled
     * quotes and CRLF falling on every possible offset. */
    buf b = {0};
    size_t n = 30000;
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%zu,\"q\"\"%zu\nx\",%s\r\n", i, i % 7, i % 3 ? "" : "end");
    csv_reader *r = open_mem(b.data, b.len);
    socle_err err = {0};
    size_t count = 0;
    int rc;
    while ((rc = csv_next(r, &err)) == 1) {
        char want[64];
        cr_assert_eq(csv_field_count(r), 3);
        snprintf(want, sizeof want, "%zu", count);
        cr_assert_str_eq(csv_field(r, 0), want);
        snprintf(want, sizeof want, "q\"%zu\nx", count % 7);
        cr_assert_str_eq(csv_field(r, 1), want);
        cr_assert_str_eq(csv_field(r, 2), count % 3 ? "" : "end");
        cr_assert_eq(csv_line(r), 2 * count + 1);
        count++;
    }
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(count, n);
    buf_free(&b);
}

Test(csv, doubled_quote_split_by_the_chunk_boundary)
{
    /* Place the first quote of a doubled pair as the last byte of the first
     * 64 KiB chunk, then as the first byte of the second. */
    for (size_t shift = 0; shift < 3; shift++) {
        size_t pad = 65536 - 3 - shift;
        buf b = {0};
        buf_putc(&b, '"');
        for (size_t i = 0; i < pad; i++)
            buf_putc(&b, 'p');
        buf_puts(&b, "\"\"x\",\"y\"\n\"\"\nlast");
        csv_reader *r = open_mem(b.data, b.len);
        socle_err err = {0};
        cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
        cr_assert_eq(csv_field_count(r), 2);
        cr_assert_eq(strlen(csv_field(r, 0)), pad + 2);
        cr_assert_str_eq(csv_field(r, 0) + pad, "\"x");
        cr_assert_str_eq(csv_field(r, 1), "y");
        cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
        cr_assert_eq(csv_field_count(r), 1);
        cr_assert_str_eq(csv_field(r, 0), "");
        cr_assert_eq(csv_line(r), 2);
        cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
        cr_assert_str_eq(csv_field(r, 0), "last");
        cr_assert_eq(csv_line(r), 3);
        cr_assert_eq(csv_next(r, &err), 0);
        buf_free(&b);
    }
}

Test(csv, accessors)
{
    csv_reader *r = open_str("a,b\n");
    cr_assert_str_eq(csv_name(r), "t.csv");
    cr_assert_eq(csv_field_count(r), 0);
    cr_assert_str_eq(csv_field(r, 0), "");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_line(r), 1);
    cr_assert_str_eq(csv_field(r, 1), "b");
    cr_assert_str_eq(csv_field(r, 2), "");
    cr_assert_str_eq(csv_field(r, (size_t)-1), "");
    /* A NULL err is allowed. */
    cr_assert_eq(csv_next(r, NULL), 0);
}

Test(csv, error_with_null_err_still_fails)
{
    csv_reader *r = open_str("\"open");
    cr_assert_eq(csv_next(r, NULL), -1);
}

Test(csv, read_error_is_io)
{
    cleanup();
    /* A stream open for writing only: every read fails. */
    in = fopen("/dev/null", "w");
    cr_assert_not_null(in);
    rd = csv_reader_new(in, "w.csv");
    socle_err err = {0};
    cr_assert_eq(csv_next(rd, &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
    cr_assert_not_null(strstr(err.msg, "w.csv:1: read error: "), "%s", err.msg);
}

Test(csv, csv_error_formats_name_and_line)
{
    csv_reader *r = open_str("a\n\n\"b\nc\",d\ne\n");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_error(r, &err, SOCLE_ERULE, "bad %s %d", "value", 7), -1);
    cr_assert_str_eq(err.msg, "t.csv:3: bad value 7");
    cr_assert_eq(err.code, SOCLE_ERULE);
    cr_assert_eq(csv_next(r, &err), 1);
    csv_error(r, &err, SOCLE_EINVAL, "x");
    cr_assert_str_eq(err.msg, "t.csv:5: x");
    cr_assert_eq(csv_error(r, NULL, SOCLE_EINVAL, "x"), -1);
}

static const char *const header[] = {"kind", "code", "label"};

Test(csv, expect_header_trims_spaces)
{
    csv_reader *r = open_str(" kind ,\tcode, label  \n");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_expect_header(r, header, 3, &err), 0, "%s", err.msg);
}

Test(csv, expect_header_names_the_column)
{
    csv_reader *r = open_str("kind,code,libelle\n");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_expect_header(r, header, 3, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_str_eq(err.msg, "t.csv:1: expected column 3 'label', found 'libelle'");
}

Test(csv, expect_header_is_case_sensitive)
{
    csv_reader *r = open_str("\n\nKind,code,label\n");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_expect_header(r, header, 3, &err), -1);
    cr_assert_str_eq(err.msg, "t.csv:3: expected column 1 'kind', found 'Kind'");
}

Test(csv, expect_header_count_mismatch)
{
    csv_reader *r = open_str("kind,code\n");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_expect_header(r, header, 3, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_str_eq(err.msg, "t.csv:1: expected 3 columns (kind,code,label), found 2");

    r = open_str("kind,code,label,extra\n");
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_expect_header(r, header, 3, &err), -1);
    cr_assert_str_eq(err.msg, "t.csv:1: expected 3 columns (kind,code,label), found 4");
}

Test(csv, expect_header_eight_columns)
{
    static const char *const cols[] = {"kind", "code", "label", "parent",
                                       "finess", "siret", "valid_from", "valid_to"};
    csv_reader *r = open_str("kind,code,label,parent,finess,siret,valid_from\n");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), 1);
    cr_assert_eq(csv_expect_header(r, cols, 8, &err), -1);
    cr_assert_str_eq(err.msg, "t.csv:1: expected 8 columns "
                     "(kind,code,label,parent,finess,siret,valid_from,valid_to), found 7");
}

Test(csv, name_is_copied)
{
    char name[] = "orig.csv";
    FILE *f = fmemopen((void *)"\"x", 2, "r");
    cr_assert_not_null(f);
    csv_reader *r = csv_reader_new(f, name);
    strcpy(name, "XXXX.csv");
    socle_err err = {0};
    cr_assert_eq(csv_next(r, &err), -1);
    cr_assert_str_eq(err.msg, "orig.csv:1: unterminated quoted field (truncated file?)");
    cr_assert_str_eq(csv_name(r), "orig.csv");
    csv_reader_free(r);
    fclose(f);
    csv_reader_free(NULL);
}

Test(csv_write, quotes_only_what_needs_it_and_reads_back)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert_not_null(out);
    csv_write_field(out, "plain", 0);
    csv_write_field(out, "a,b", 0);
    csv_write_field(out, "say \"hi\"", 0);
    csv_write_field(out, "two\nlines", 0);
    csv_write_field(out, "", 1);
    fclose(out);
    cr_assert_str_eq(text, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");

    /* What the writer writes, the reader reads back unchanged. */
    FILE *back = fmemopen(text, len, "r");
    csv_reader *r = csv_reader_new(back, "written.csv");
    socle_err err;
    cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
    cr_assert_eq(csv_field_count(r), 5);
    cr_assert_str_eq(csv_field(r, 1), "a,b");
    cr_assert_str_eq(csv_field(r, 2), "say \"hi\"");
    cr_assert_str_eq(csv_field(r, 3), "two\nlines");
    cr_assert_str_eq(csv_field(r, 4), "");
    csv_reader_free(r);
    fclose(back);
    free(text);
}

Test(csv, read_header_and_copy_field)
{
    static const char *const cols[] = { "kind", "code" };
    socle_err err = {0};
    csv_reader *r = open_str("");
    cr_assert_eq(csv_read_header(r, cols, 2, &err), -1);
    cr_assert_not_null(strstr(err.msg, ":1: empty file (expected the header kind,"), "%s", err.msg);

    r = open_str("kind,code\nEJ,ABCDEFGHIJ\n");
    cr_assert_eq(csv_read_header(r, cols, 2, &err), 0, "%s", err.msg);
    cr_assert_eq(csv_next(r, &err), 1);
    char small[4], big[16];
    cr_assert_eq(csv_copy_field(r, cols, 0, small, sizeof small, &err), 0);
    cr_assert_str_eq(small, "EJ");
    cr_assert_eq(csv_copy_field(r, cols, 1, big, sizeof big, &err), 0);
    cr_assert_str_eq(big, "ABCDEFGHIJ");
    cr_assert_eq(csv_copy_field(r, cols, 1, small, sizeof small, &err), -1);
    cr_assert_not_null(strstr(err.msg, ":2: code is too long (10 bytes, at most 3)"), "%s", err.msg);
}
