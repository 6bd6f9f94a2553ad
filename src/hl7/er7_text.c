/*
 * er7_text.c - escape sequences and character sets of ER7 values.
 *
 * Unescaping and decoding are one pass: the bytes of a value, whether sent
 * as is or spelt as \Xhh\, form one byte stream in the message's character
 * set, fed to a decoder that emits UTF-8. The decoder remembers a partial
 * UTF-8 sequence across an escape so that a character split between raw
 * bytes and \X..\ still decodes, and every error names the offset in the
 * raw slice (of the escape, for bytes that came from one).
 *
 * Most values are short plain ASCII: both directions check for that first
 * and copy the slice in one go.
 */
#include "hl7/er7_text.h"

#include <string.h>
#include <strings.h>

#include "util/utf8.h"

static const char *const charset_names[] = {
    [ER7_ASCII] = "ASCII",
    [ER7_LATIN1] = "8859/1",
    [ER7_LATIN9] = "8859/15",
    [ER7_UTF8] = "UNICODE UTF-8",
};

/* The eight positions where Latin-9 differs from Latin-1. */
static const struct {
    unsigned char byte;
    unsigned cp;
} latin9_diff[] = {
    {0xA4, 0x20AC}, /* € */ {0xA6, 0x0160}, /* Š */ {0xA8, 0x0161}, /* š */
    {0xB4, 0x017D}, /* Ž */ {0xB8, 0x017E}, /* ž */ {0xBC, 0x0152}, /* Œ */
    {0xBD, 0x0153}, /* œ */ {0xBE, 0x0178}, /* Ÿ */
};
#define LATIN9_NDIFF (sizeof latin9_diff / sizeof latin9_diff[0])

const char *er7_charset_name(er7_charset cs)
{
    if ((unsigned)cs >= sizeof charset_names / sizeof charset_names[0])
        return "?";
    return charset_names[cs];
}

int er7_charset_parse(er7_slice value, er7_charset *cs, socle_err *err)
{
    if (value.len == 0) {
        *cs = ER7_ASCII;
        return 0;
    }
    for (size_t i = 0; i < sizeof charset_names / sizeof charset_names[0]; i++) {
        size_t n = strlen(charset_names[i]);
        if (value.len == n && strncasecmp(value.ptr, charset_names[i], n) == 0) {
            *cs = (er7_charset)i;
            return 0;
        }
    }
    /* Quote at most a short printable prefix: this ends up in an ACK. */
    char shown[24];
    size_t k = 0;
    for (; k < value.len && k < sizeof shown - 1; k++) {
        unsigned char c = (unsigned char)value.ptr[k];
        shown[k] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    shown[k] = '\0';
    return err_set(err, SOCLE_EINVAL, "MSH-18: unsupported character set "
                   "'%s%s'", shown, k < value.len ? "..." : "");
}

int er7_message_charset(const er7_message *m, er7_charset *cs,
                        socle_err *err)
{
    /* Further repetitions list the sets reachable by \C..\ switches, which
     * er7_unescape refuses anyway. */
    return er7_charset_parse(er7_get(m, 0, 18, 1, 0, 0), cs, err);
}

/* ---- reading ----------------------------------------------------------- */

typedef struct decoder {
    er7_charset cs;
    buf        *out;
    unsigned char seq[4];   /* pending UTF-8 sequence */
    size_t      have;       /* bytes in seq */
    size_t      need;       /* its full length, 0 when none is pending */
    size_t      seq_off;    /* raw offset of its lead byte */
    int         seq_hex;    /* the lead byte came from \X..\ */
} decoder;

static void put_utf8(buf *out, unsigned cp)
{
    char b[3];
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 2);
    } else {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 3);
    }
}

static int bad_byte(const decoder *dc, unsigned char b, size_t off, int hex,
                    socle_err *err)
{
    if (b == 0)
        return err_set(err, SOCLE_EINVAL, "NUL byte %sat offset %zu",
                       hex ? "from the \\X escape " : "", off);
    return err_set(err, SOCLE_EINVAL, "byte 0x%02X %sat offset %zu is not "
                   "valid %s", b, hex ? "from the \\X escape " : "", off,
                   er7_charset_name(dc->cs));
}

/* Feed one byte of the value, found at raw offset off. */
static int put_byte(decoder *dc, unsigned char b, size_t off, int hex,
                    socle_err *err)
{
    if (b == 0)
        return bad_byte(dc, b, off, hex, err);
    if (dc->need > 0) {
        /* Inside a UTF-8 sequence: only continuation bytes may follow. */
        if ((b & 0xC0) != 0x80)
            return bad_byte(dc, dc->seq[0], dc->seq_off, dc->seq_hex, err);
        dc->seq[dc->have++] = b;
        if (dc->have < dc->need)
            return 0;
        /* Overlongs, surrogates and > U+10FFFF are ruled out here. */
        if (!utf8_valid((const char *)dc->seq, dc->need, NULL))
            return bad_byte(dc, dc->seq[0], dc->seq_off, dc->seq_hex, err);
        buf_append(dc->out, dc->seq, dc->need);
        dc->have = dc->need = 0;
        return 0;
    }
    if (b < 0x80) {
        buf_putc(dc->out, (char)b);
        return 0;
    }
    switch (dc->cs) {
    case ER7_ASCII:
        return bad_byte(dc, b, off, hex, err);
    case ER7_LATIN1:
    case ER7_LATIN9:
        if (dc->cs == ER7_LATIN9)
            for (size_t i = 0; i < LATIN9_NDIFF; i++)
                if (latin9_diff[i].byte == b) {
                    put_utf8(dc->out, latin9_diff[i].cp);
                    return 0;
                }
        /* The rest of Latin-9 is Latin-1. */
        if (b < 0xA0)
            return bad_byte(dc, b, off, hex, err);
        put_utf8(dc->out, b);
        return 0;
    case ER7_UTF8:
        if (b >= 0xC2 && b <= 0xDF)
            dc->need = 2;
        else if (b >= 0xE0 && b <= 0xEF)
            dc->need = 3;
        else if (b >= 0xF0 && b <= 0xF4)
            dc->need = 4;
        else
            return bad_byte(dc, b, off, hex, err);
        dc->seq[0] = b;
        dc->have = 1;
        dc->seq_off = off;
        dc->seq_hex = hex;
        return 0;
    }
    return err_set(err, SOCLE_EINTERNAL, "unknown character set %d",
                   (int)dc->cs);
}

/* Feed plain bytes p[0..n) found at raw offset off, copying ASCII runs in
 * one go. */
static int put_run(decoder *dc, const unsigned char *p, size_t n, size_t off,
                   socle_err *err)
{
    size_t i = 0;
    while (i < n) {
        if (dc->need == 0 && p[i] != 0 && p[i] < 0x80) {
            size_t j = i + 1;
            while (j < n && p[j] != 0 && p[j] < 0x80)
                j++;
            buf_append(dc->out, p + i, j - i);
            i = j;
            continue;
        }
        if (put_byte(dc, p[i], off + i, 0, err) < 0)
            return -1;
        i++;
    }
    return 0;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The argument of a formatting escape: nothing, or optional spaces, an
 * optional sign and digits. */
static int format_arg_ok(const unsigned char *a, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == ' ')
        i++;
    if (i == n)
        return 1;
    if (a[i] == '+' || a[i] == '-')
        i++;
    if (i == n)
        return 0;
    for (; i < n; i++)
        if (a[i] < '0' || a[i] > '9')
            return 0;
    return 1;
}

/* Formatting commands of FT: what each becomes in plain text. */
static const struct {
    char name[3];
    const char *text;    /* appended, "" for dropped */
    int takes_arg;
} format_cmds[] = {
    {"br", "\n", 0}, {"sp", "\n", 1}, {"ce", "\n", 0}, {"sk", " ", 1},
    {"in", "", 1},   {"ti", "", 1},   {"fi", "", 0},   {"nf", "", 0},
};

/* One escape sequence whose body (between the escape characters) is
 * e[0..n), n >= 1, starting at raw offset off. */
static int put_escape(decoder *dc, const er7_delims *d,
                      const unsigned char *e, size_t n, size_t off,
                      socle_err *err)
{
    if (n == 1) {
        char c;
        switch (e[0]) {
        case 'F': c = d->field; break;
        case 'S': c = d->component; break;
        case 'T': c = d->subcomponent; break;
        case 'R': c = d->repetition; break;
        case 'E': c = d->escape; break;
        case 'P':
            if (d->truncation == 0)
                goto unknown;
            c = d->truncation;
            break;
        case 'H':
        case 'N':
            return 0;    /* highlighting has no plain-text form */
        default:
            goto unknown;
        }
        return put_byte(dc, (unsigned char)c, off, 0, err);
    }

    switch (e[0]) {
    case 'X':
        if ((n - 1) % 2 != 0)
            return err_set(err, SOCLE_EINVAL, "\\X escape at offset %zu: odd "
                           "number of hex digits", off);
        for (size_t i = 1; i < n; i += 2) {
            int hi = hexval(e[i]), lo = hexval(e[i + 1]);
            if (hi < 0 || lo < 0)
                return err_set(err, SOCLE_EINVAL, "\\X escape at offset %zu: "
                               "not a hex digit", off);
            if (put_byte(dc, (unsigned char)(hi << 4 | lo), off, 1, err) < 0)
                return -1;
        }
        return 0;
    case '.':
        for (size_t i = 0; i < sizeof format_cmds / sizeof format_cmds[0]; i++) {
            if (n < 3 || memcmp(e + 1, format_cmds[i].name, 2) != 0)
                continue;
            if (n > 3 && !(format_cmds[i].takes_arg &&
                           format_arg_ok(e + 3, n - 3)))
                break;
            for (const char *t = format_cmds[i].text; *t; t++)
                if (put_byte(dc, (unsigned char)*t, off, 0, err) < 0)
                    return -1;
            return 0;
        }
        return err_set(err, SOCLE_EINVAL, "unknown formatting escape at "
                       "offset %zu", off);
    case 'Z':
        return err_set(err, SOCLE_EINVAL, "locally defined escape \\Z at "
                       "offset %zu is not supported", off);
    case 'C':
    case 'M':
        return err_set(err, SOCLE_EINVAL, "character set switch \\%c at "
                       "offset %zu is not supported", e[0], off);
    default:
        break;
    }
unknown:
    if (e[0] >= 0x20 && e[0] < 0x7F)
        return err_set(err, SOCLE_EINVAL, "unknown escape sequence \\%c at "
                       "offset %zu", e[0], off);
    return err_set(err, SOCLE_EINVAL, "unknown escape sequence at offset %zu",
                   off);
}

static int unescape(const er7_delims *d, er7_charset cs, er7_slice raw,
                    buf *out, socle_err *err)
{
    const unsigned char *p = (const unsigned char *)raw.ptr;
    const unsigned char esc = (unsigned char)d->escape;
    decoder dc = {.cs = cs, .out = out};
    size_t run = 0;   /* start of the plain bytes not fed yet */

    for (size_t i = 0; i < raw.len; i++) {
        if (p[i] != esc)
            continue;
        if (put_run(&dc, p + run, i - run, run, err) < 0)
            return -1;
        const unsigned char *close = memchr(p + i + 1, esc, raw.len - i - 1);
        if (close == NULL)
            return err_set(err, SOCLE_EINVAL, "unterminated escape sequence "
                           "at offset %zu", i);
        size_t n = (size_t)(close - (p + i + 1));
        if (n == 0)
            return err_set(err, SOCLE_EINVAL, "empty escape sequence at "
                           "offset %zu", i);
        if (put_escape(&dc, d, p + i + 1, n, i, err) < 0)
            return -1;
        i += n + 1;
        run = i + 1;
    }
    if (put_run(&dc, p + run, raw.len - run, run, err) < 0)
        return -1;
    if (dc.need > 0)
        return err_set(err, SOCLE_EINVAL, "truncated UTF-8 sequence at "
                       "offset %zu", dc.seq_off);
    return 0;
}

int er7_unescape(const er7_delims *d, er7_charset cs, er7_slice raw,
                 buf *out, socle_err *err)
{
    if (raw.len == 0)
        return 0;    /* most fields of most segments */
    /* Fast path: no escape, nothing to decode. */
    const unsigned char *p = (const unsigned char *)raw.ptr;
    const unsigned char esc = (unsigned char)d->escape;
    size_t i = 0;
    while (i < raw.len && p[i] != esc && p[i] != 0 && p[i] < 0x80)
        i++;
    if (i == raw.len) {
        buf_append(out, raw.ptr, raw.len);
        return 0;
    }

    size_t mark = out->len;
    if (unescape(d, cs, raw, out, err) < 0) {
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
        return -1;
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------- */

/* Decode the code point of the valid UTF-8 sequence at s; sets *n to its
 * length. */
static unsigned utf8_decode(const unsigned char *s, size_t *n)
{
    if (s[0] < 0xE0) {
        *n = 2;
        return (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0) {
        *n = 3;
        return (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 |
               (s[2] & 0x3F);
    }
    *n = 4;
    return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3F) << 12 |
           (unsigned)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/* The byte encoding cp in cs, or -1 when cs cannot represent it. Only for
 * cp >= 0x80 and single-byte sets. */
static int encode_single(er7_charset cs, unsigned cp)
{
    if (cs == ER7_LATIN9) {
        for (size_t i = 0; i < LATIN9_NDIFF; i++) {
            if (latin9_diff[i].cp == cp)
                return latin9_diff[i].byte;
            if (latin9_diff[i].byte == cp)
                return -1;   /* ¤ ¦ ¨ ´ ¸ ¼ ½ ¾ were replaced in Latin-9 */
        }
    }
    if (cs != ER7_ASCII && cp >= 0xA0 && cp <= 0xFF)
        return (int)cp;
    return -1;
}

/* The escape for an ASCII character c, or NULL when it goes as is. */
static const char *escape_for(const er7_delims *d, unsigned char c)
{
    if (c == (unsigned char)d->field)
        return "F";
    if (c == (unsigned char)d->component)
        return "S";
    if (c == (unsigned char)d->subcomponent)
        return "T";
    if (c == (unsigned char)d->repetition)
        return "R";
    if (c == (unsigned char)d->escape)
        return "E";
    if (d->truncation && c == (unsigned char)d->truncation)
        return "P";
    if (c == '\n')
        return ".br";
    return NULL;
}

static int needs_escape(const er7_delims *d, unsigned char c)
{
    return c < 0x20 || c == 0x7F || c >= 0x80 || escape_for(d, c) != NULL;
}

static int escape(const er7_delims *d, er7_charset cs, const unsigned char *s,
                  size_t len, buf *out, socle_err *err)
{
    const char esc = d->escape;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            const char *name = escape_for(d, c);
            if (c == 0)
                return err_set(err, SOCLE_EINVAL, "NUL byte at offset %zu", i);
            if (name != NULL) {
                buf_putc(out, esc);
                buf_puts(out, name);
                buf_putc(out, esc);
            } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
                /* CR and other controls: spelt in hex, which every set
                 * decodes the same way. */
                buf_printf(out, "%cX%02X%c", esc, c, esc);
            } else {
                buf_putc(out, (char)c);
            }
            i++;
            continue;
        }
        size_t n;
        unsigned cp = utf8_decode(s + i, &n);
        if (cs == ER7_UTF8) {
            buf_append(out, s + i, n);
        } else {
            int b = encode_single(cs, cp);
            if (b < 0)
                return err_set(err, SOCLE_EINVAL, "U+%04X at offset %zu "
                               "cannot be represented in %s", cp, i,
                               er7_charset_name(cs));
            buf_putc(out, (char)b);
        }
        i += n;
    }
    return 0;
}

int er7_escape(const er7_delims *d, er7_charset cs, const char *s,
               size_t len, buf *out, socle_err *err)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && !needs_escape(d, p[i]))
        i++;
    if (i == len) {
        buf_append(out, s, len);
        return 0;
    }

    size_t bad;
    if (!utf8_valid(s, len, &bad))
        return err_set(err, SOCLE_EINVAL, "invalid UTF-8 at offset %zu", bad);
    size_t mark = out->len;
    if (escape(d, cs, p, len, out, err) < 0) {
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
        return -1;
    }
    return 0;
}
