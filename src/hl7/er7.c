/*
 * er7.c - zero-copy index of an ER7 message.
 *
 * Parsing records where each segment and each field starts, in an index
 * sized by a first, vectorisable pass that counts separators and line
 * ends, so that it is allocated once. Repetitions, components and
 * subcomponents are found on demand by scanning the (short) field: that
 * keeps the index small and the parse cost independent of how deep
 * callers look afterwards.
 *
 * Layout: a field is a "token" of its segment, the text between two field
 * separators. Token 0 is the segment id. In ordinary segments token n is
 * field n; in header segments (MSH, FHS, BHS) the separator after the id is
 * itself field 1, so token n is field n+1.
 */
#include "hl7/er7.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const er7_delims er7_default_delims = {'|', '^', '~', '\\', '&', 0};

typedef struct seg_index {
    uint32_t start;   /* offset of the segment id */
    uint32_t end;     /* offset of the terminator, or the message length */
    uint32_t tok;     /* index in toks of the segment's token 0 */
    uint32_t ntok;    /* id plus one token per field separator */
    uint8_t  header;  /* MSH/FHS/BHS numbering */
} seg_index;

struct er7_message {
    const char *data;   /* borrowed */
    size_t      len;
    er7_delims  delims;
    size_t      nseg;
    seg_index  *segs;   /* in the same allocation as the message */
    uint32_t   *toks;   /* start offset of every token, likewise */
};

/* Absent values point here so that ptr is never NULL. */
static const char empty_text[] = "";

static er7_slice slice_empty(void)
{
    er7_slice s = {empty_text, 0};
    return s;
}

static int is_delim_char(char c)
{
    unsigned char u = (unsigned char)c;
    if (u < 0x21 || u > 0x7E)
        return 0;
    return !((u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') ||
             (u >= 'a' && u <= 'z'));
}

int er7_delims_check(const er7_delims *d, socle_err *err)
{
    const char all[6] = {d->field, d->component, d->repetition, d->escape,
                         d->subcomponent, d->truncation};
    static const char *const names[6] = {"field separator", "component separator",
        "repetition separator", "escape character", "subcomponent separator",
        "truncation character"};
    size_t n = d->truncation ? 6 : 5;

    for (size_t i = 0; i < n; i++) {
        if (!is_delim_char(all[i]))
            return err_set(err, SOCLE_EINVAL,
                           "invalid %s 0x%02X: must be printable, "
                           "non-alphanumeric ASCII", names[i],
                           (unsigned char)all[i]);
        for (size_t k = 0; k < i; k++)
            if (all[k] == all[i])
                return err_set(err, SOCLE_EINVAL,
                               "the %s '%c' is also the %s", names[i],
                               all[i], names[k]);
    }
    return 0;
}

/* Read MSH-1 and MSH-2 at the start of data (which starts with "MSH"). */
static int read_delims(const char *data, size_t len, er7_delims *d,
                       socle_err *err)
{
    if (len < 4)
        return err_set(err, SOCLE_EINVAL, "MSH: no field separator");
    d->field = data[3];
    if (data[3] == '\r' || data[3] == '\n')
        return err_set(err, SOCLE_EINVAL, "MSH: no field separator");

    size_t n = 0;
    while (4 + n < len && data[4 + n] != d->field && data[4 + n] != '\r' &&
           data[4 + n] != '\n' && n < 6)
        n++;
    if (n != 4 && n != 5)
        return err_set(err, SOCLE_EINVAL,
                       "MSH-2: expected 4 or 5 encoding characters, got %s%zu",
                       n == 6 ? "more than " : "", n == 6 ? (size_t)5 : n);
    d->component = data[4];
    d->repetition = data[5];
    d->escape = data[6];
    d->subcomponent = data[7];
    d->truncation = n == 5 ? data[8] : 0;
    if (er7_delims_check(d, err) < 0) {
        err_prefix(err, "MSH-1/MSH-2");
        return -1;
    }
    return 0;
}

/*
 * The hot loop: find the end of the segment starting at i and record the
 * start of every field, i.e. the byte after each field separator, in
 * toks[*ntok...]. Returns the offset of the terminator (or len).
 *
 * Field separators come too often and too irregularly for a branch per
 * byte to predict well, so on little-endian machines eight bytes are
 * tested at once (SWAR): a mask of the separators and terminators in the
 * word, then one iteration per separator found. The byte loop that does
 * the tail stores a candidate at every byte and only counts it at a
 * separator, for the same reason; toks has one spare slot for it.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ER7_SWAR 1
/* High bit set in each byte of w that is zero, exactly (no borrow from a
 * neighbouring byte can set it). */
static uint64_t zero_bytes(uint64_t w)
{
    const uint64_t lo7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((w & lo7) + lo7) | w | lo7);
}
#endif

static size_t scan_segment(const char *data, size_t i, size_t len, char fs,
                           uint32_t *toks, size_t *ntok)
{
    size_t n = *ntok;
#ifdef ER7_SWAR
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t bfs = ones * (unsigned char)fs;
    const uint64_t bcr = ones * '\r', blf = ones * '\n';
    while (len - i >= 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        uint64_t end = zero_bytes(w ^ bcr) | zero_bytes(w ^ blf);
        uint64_t sep = zero_bytes(w ^ bfs);
        if (end)
            sep &= (end & (~end + 1)) - 1;   /* before the terminator */
        while (sep) {
            toks[n++] = (uint32_t)(i + ((size_t)__builtin_ctzll(sep) >> 3) + 1);
            sep &= sep - 1;
        }
        if (end) {
            *ntok = n;
            return i + ((size_t)__builtin_ctzll(end) >> 3);
        }
        i += 8;
    }
#endif
    for (; i < len; i++) {
        char c = data[i];
        if (c == '\r' || c == '\n')
            break;
        toks[n] = (uint32_t)(i + 1);
        n += c == fs;
    }
    *ntok = n;
    return i;
}

static int is_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_header_id(const char *id)
{
    return memcmp(id, "MSH", 3) == 0 || memcmp(id, "FHS", 3) == 0 ||
           memcmp(id, "BHS", 3) == 0;
}

/* Check the id of the segment just indexed and set its header flag. */
static int finish_segment(er7_message *m, seg_index *s, socle_err *err)
{
    const char *id = m->data + s->start;
    size_t idlen = (s->ntok > 1 ? m->toks[s->tok + 1] - 1 : s->end) - s->start;

    if (idlen != 3 || !is_id_char(id[0]) || !is_id_char(id[1]) ||
        !is_id_char(id[2]))
        return err_set(err, SOCLE_EINVAL,
                       "segment %zu: invalid segment id (3 characters "
                       "A-Z 0-9 expected)", m->nseg + 1);
    s->header = (uint8_t)is_header_id(id);
    /* Header segments number the separator after the id as field 1. */
    size_t fields = s->header ? s->ntok : s->ntok - 1;
    if (fields > ER7_MAX_FIELDS)
        return err_set(err, SOCLE_EINVAL,
                       "segment %zu (%.3s): more than %d fields",
                       m->nseg + 1, id, ER7_MAX_FIELDS);
    return 0;
}

er7_message *er7_parse(const char *data, size_t len, socle_err *err)
{
    if (data == NULL || len == 0) {
        err_set(err, SOCLE_EINVAL, "empty message");
        return NULL;
    }
    if (len > ER7_MAX_BYTES) {
        err_set(err, SOCLE_EINVAL, "message of %zu bytes exceeds the limit "
                "of %u", len, ER7_MAX_BYTES);
        return NULL;
    }
    if (len < 3 || memcmp(data, "MSH", 3) != 0) {
        err_set(err, SOCLE_EINVAL, "not an ER7 message: does not start "
                "with MSH");
        return NULL;
    }
    er7_delims d;
    if (read_delims(data, len, &d, err) < 0)
        return NULL;

    /* Upper bounds for the index, so that it is allocated once. */
    size_t nterm = 0, nsep = 0;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        nterm += (c == '\r') | (c == '\n');
        nsep += c == d.field;
    }
    /* More separators than the limits allow in all: some segment is too
     * long or there are too many; refuse before allocating for them. */
    if (nsep > (size_t)ER7_MAX_SEGMENTS * ER7_MAX_FIELDS) {
        err_set(err, SOCLE_EINVAL, "%zu field separators exceed the limits "
                "of %d segments of %d fields", nsep, ER7_MAX_SEGMENTS,
                ER7_MAX_FIELDS);
        return NULL;
    }
    size_t segcap = nterm + 1 < ER7_MAX_SEGMENTS ? nterm + 1 : ER7_MAX_SEGMENTS;
    /* One spare slot: the scan below stores before it counts. */
    size_t tokcap = nsep + segcap + 1;

    er7_message *m = malloc(sizeof *m + segcap * sizeof(seg_index) +
                            tokcap * sizeof(uint32_t));
    if (m == NULL) {
        err_set(err, SOCLE_EIO, "out of memory indexing a message");
        return NULL;
    }
    m->data = data;
    m->len = len;
    m->delims = d;
    m->nseg = 0;
    m->segs = (seg_index *)(m + 1);
    m->toks = (uint32_t *)(m->segs + segcap);

    const char fs = d.field;
    size_t ntok = 0;
    size_t i = 0;
    while (i < len) {
        if (data[i] == '\r' || data[i] == '\n') {
            i++;              /* CR LF, LF alone, or an empty line */
            continue;
        }
        if (m->nseg == segcap) {
            err_set(err, SOCLE_EINVAL, "more than %d segments",
                    ER7_MAX_SEGMENTS);
            goto fail;
        }
        seg_index *s = &m->segs[m->nseg];
        s->start = (uint32_t)i;
        s->tok = (uint32_t)ntok;
        m->toks[ntok++] = (uint32_t)i;
        /* The field limit is checked once the segment is done
         * (finish_segment); tokcap covers the whole message, so an
         * oversized segment cannot overflow the index meanwhile. */
        i = scan_segment(data, i, len, fs, m->toks, &ntok);
        s->end = (uint32_t)i;
        s->ntok = (uint32_t)(ntok - s->tok);
        if (finish_segment(m, s, err) < 0)
            goto fail;
        m->nseg++;
    }
    return m;

fail:
    free(m);
    return NULL;
}

void er7_free(er7_message *m)
{
    free(m);
}

const er7_delims *er7_delimiters(const er7_message *m)
{
    return &m->delims;
}

size_t er7_segment_count(const er7_message *m)
{
    return m->nseg;
}

/* Token t of segment s (t < s->ntok). */
static er7_slice token(const er7_message *m, const seg_index *s, size_t t)
{
    size_t start = m->toks[s->tok + t];
    size_t end = t + 1 < s->ntok ? m->toks[s->tok + t + 1] - 1 : s->end;
    er7_slice v = {m->data + start, end - start};
    return v;
}

er7_slice er7_segment_id(const er7_message *m, size_t seg)
{
    if (seg >= m->nseg)
        return slice_empty();
    er7_slice v = {m->data + m->segs[seg].start, 3};
    return v;
}

int er7_segment_is(const er7_message *m, size_t seg, const char *id)
{
    return seg < m->nseg && strlen(id) == 3 &&
           memcmp(m->data + m->segs[seg].start, id, 3) == 0;
}

er7_slice er7_segment_text(const er7_message *m, size_t seg)
{
    if (seg >= m->nseg)
        return slice_empty();
    const seg_index *s = &m->segs[seg];
    er7_slice v = {m->data + s->start, s->end - s->start};
    return v;
}

size_t er7_find(const er7_message *m, const char *id, size_t nth)
{
    if (strlen(id) != 3)
        return ER7_NONE;
    for (size_t i = 0; i < m->nseg; i++)
        if (memcmp(m->data + m->segs[i].start, id, 3) == 0 && nth-- == 0)
            return i;
    return ER7_NONE;
}

size_t er7_field_count(const er7_message *m, size_t seg)
{
    if (seg >= m->nseg)
        return 0;
    const seg_index *s = &m->segs[seg];
    return s->header && s->ntok > 1 ? s->ntok : s->ntok - 1;
}

int er7_field_is_delimiters(const er7_message *m, size_t seg, size_t field)
{
    return seg < m->nseg && m->segs[seg].header &&
           (field == 1 || field == 2);
}

er7_slice er7_field(const er7_message *m, size_t seg, size_t field)
{
    if (seg >= m->nseg || field == 0)
        return slice_empty();
    const seg_index *s = &m->segs[seg];
    size_t t = field;
    if (s->header) {
        if (s->ntok < 2)
            return slice_empty();
        if (field == 1) {
            er7_slice v = {m->data + s->start + 3, 1};
            return v;
        }
        t = field - 1;
    }
    if (t >= s->ntok)
        return slice_empty();
    return token(m, s, t);
}

/* Part n (1-based) of v split on sep; empty when there are fewer parts. */
static er7_slice nth_part(er7_slice v, char sep, size_t n)
{
    const char *p = v.ptr;
    const char *end = v.ptr + v.len;
    while (--n > 0) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        if (q == NULL)
            return slice_empty();
        p = q + 1;
    }
    const char *q = memchr(p, sep, (size_t)(end - p));
    er7_slice r = {p, (size_t)((q ? q : end) - p)};
    return r;
}

static size_t count_parts(er7_slice v, char sep)
{
    size_t n = 1;
    const char *p = v.ptr;
    const char *end = v.ptr + v.len;
    const char *q;
    while ((q = memchr(p, sep, (size_t)(end - p))) != NULL) {
        n++;
        p = q + 1;
    }
    return n;
}

er7_slice er7_get(const er7_message *m, size_t seg, size_t field,
                  size_t rep, size_t comp, size_t sub)
{
    er7_slice v = er7_field(m, seg, field);
    if (er7_field_is_delimiters(m, seg, field)) {
        /* MSH-1 and MSH-2 are one indivisible value. */
        if (rep > 1 || (rep && comp > 1) || (rep && comp && sub > 1))
            return slice_empty();
        return v;
    }
    if (rep == 0)
        return v;
    v = nth_part(v, m->delims.repetition, rep);
    if (comp == 0)
        return v;
    v = nth_part(v, m->delims.component, comp);
    if (sub == 0)
        return v;
    return nth_part(v, m->delims.subcomponent, sub);
}

size_t er7_count(const er7_message *m, size_t seg, size_t field,
                 size_t rep, size_t comp)
{
    if (er7_field_is_delimiters(m, seg, field))
        return 1;
    if (rep == 0)
        return count_parts(er7_field(m, seg, field), m->delims.repetition);
    if (comp == 0)
        return count_parts(er7_get(m, seg, field, rep, 0, 0),
                           m->delims.component);
    return count_parts(er7_get(m, seg, field, rep, comp, 0),
                       m->delims.subcomponent);
}

int er7_split(er7_slice *rest, char sep, er7_slice *part)
{
    if (rest->ptr == NULL)
        return 0;
    const char *q = memchr(rest->ptr, sep, rest->len);
    if (q == NULL) {
        *part = *rest;
        rest->ptr = NULL;
        rest->len = 0;
        return 1;
    }
    part->ptr = rest->ptr;
    part->len = (size_t)(q - rest->ptr);
    rest->len -= part->len + 1;
    rest->ptr = q + 1;
    return 1;
}

int er7_is_null(er7_slice s)
{
    return s.len == 2 && s.ptr[0] == '"' && s.ptr[1] == '"';
}

int er7_slice_eq(er7_slice a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && memcmp(a.ptr, s, n) == 0;
}

er7_loc er7_location(const er7_message *m, size_t seg, size_t field,
                     size_t rep, size_t comp, size_t sub)
{
    er7_loc loc = {{0}, 0, field, rep, comp, sub};
    if (seg >= m->nseg)
        return loc;
    const char *id = m->data + m->segs[seg].start;
    memcpy(loc.seg_id, id, 3);
    loc.seg_seq = 1;
    for (size_t i = 0; i < seg; i++)
        if (memcmp(m->data + m->segs[i].start, id, 3) == 0)
            loc.seg_seq++;
    return loc;
}

const char *er7_slice_show(er7_slice v, char *dst, size_t n)
{
    size_t k = 0;
    for (; k < v.len && k + 4 < n; k++) {
        unsigned char c = (unsigned char)v.ptr[k];
        dst[k] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    if (k < v.len)
        dst[k++] = '.', dst[k++] = '.', dst[k++] = '.';
    dst[k] = '\0';
    return dst;
}
