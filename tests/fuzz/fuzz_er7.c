/*
 * fuzz_er7.c - libFuzzer target for the ER7 parser, text decoding and
 * writer.
 *
 * Every input is parsed; when it parses, every segment, field, repetition,
 * component and subcomponent is visited, checked against the accessors and
 * unescaped in every charset. Then the values that decode in the message's
 * own charset are written again through er7_writer, the output parsed, and
 * each value must decode to the same text at the same position: the writer
 * and the reader agree on every escape and every delimiter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "hl7/er7_writer.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static int same(er7_slice a, er7_slice b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* Visit everything and cross-check the walk with er7_get / er7_count. */
static void walk(const er7_message *m, buf *tmp)
{
    const er7_delims *d = er7_delimiters(m);
    socle_err err;
    check(er7_segment_count(m) >= 1 && er7_segment_is(m, 0, "MSH"));
    for (size_t s = 0; s < er7_segment_count(m); s++) {
        check(er7_segment_id(m, s).len == 3);
        size_t nf = er7_field_count(m, s);
        check(nf <= ER7_MAX_FIELDS);
        er7_loc loc = er7_location(m, s, 1, 1, 1, 1);
        check(loc.seg_seq >= 1 && er7_find(m, loc.seg_id, loc.seg_seq - 1) == s);
        for (size_t f = 1; f <= nf + 1; f++) {
            er7_slice field = er7_field(m, s, f);
            if (er7_field_is_delimiters(m, s, f))
                continue;
            er7_slice reps = field, rep;
            size_t r = 0;
            while (er7_split(&reps, d->repetition, &rep)) {
                r++;
                check(same(rep, er7_get(m, s, f, r, 0, 0)));
                er7_slice comps = rep, comp;
                size_t c = 0;
                while (er7_split(&comps, d->component, &comp)) {
                    c++;
                    check(same(comp, er7_get(m, s, f, r, c, 0)));
                    er7_slice subs = comp, sub;
                    size_t k = 0;
                    while (er7_split(&subs, d->subcomponent, &sub)) {
                        k++;
                        check(same(sub, er7_get(m, s, f, r, c, k)));
                        for (int cs = ER7_ASCII; cs <= ER7_UTF8; cs++) {
                            size_t before = tmp->len;
                            if (er7_unescape(d, (er7_charset)cs, sub, tmp,
                                             &err) < 0)
                                check(tmp->len == before);
                            else if (tmp->len > before)
                                check(memchr(tmp->data + before, 0,
                                             tmp->len - before) == NULL);
                            buf_reset(tmp);
                        }
                    }
                    check(k == er7_count(m, s, f, r, c));
                }
                check(c == er7_count(m, s, f, r, 0));
            }
            check(r == er7_count(m, s, f, 0, 0));
        }
    }
}

/* Write every value that decodes in cs again, then parse the output and
 * compare value by value. */
static void round_trip(const er7_message *m, er7_charset cs, buf *tmp)
{
    const er7_delims *d = er7_delimiters(m);
    buf out = {0}, back = {0};
    er7_writer w;
    socle_err err;
    check(er7w_init(&w, &out, d, cs, &err) == 0);

    for (size_t s = 0; s < er7_segment_count(m); s++) {
        char id[4] = {0};
        memcpy(id, er7_segment_id(m, s).ptr, 3);
        check(er7w_segment(&w, id, &err) == 0);
        for (size_t f = 1; f <= er7_field_count(m, s); f++) {
            if (er7_field_is_delimiters(m, s, f))
                continue;
            size_t nr = er7_count(m, s, f, 0, 0);
            for (size_t r = 1; r <= nr; r++) {
                size_t nc = er7_count(m, s, f, r, 0);
                for (size_t c = 1; c <= nc; c++) {
                    size_t nk = er7_count(m, s, f, r, c);
                    for (size_t k = 1; k <= nk; k++) {
                        buf_reset(tmp);
                        if (er7_unescape(d, cs, er7_get(m, s, f, r, c, k), tmp,
                                         &err) < 0)
                            continue;
                        /* Beyond the writer's limit nothing is written. */
                        if (r > ER7_MAX_FIELDS || c > ER7_MAX_FIELDS ||
                            k > ER7_MAX_FIELDS)
                            continue;
                        check(er7w_putn(&w, f, r, c, k, tmp->data, tmp->len,
                                        &err) == 0);
                    }
                }
            }
        }
    }
    er7w_end(&w);

    er7_message *m2 = er7_parse(out.data, out.len, &err);
    check(m2 != NULL);
    check(er7_segment_count(m2) == er7_segment_count(m));
    for (size_t s = 0; s < er7_segment_count(m); s++) {
        for (size_t f = 1; f <= er7_field_count(m, s); f++) {
            if (er7_field_is_delimiters(m, s, f))
                continue;
            size_t nr = er7_count(m, s, f, 0, 0);
            for (size_t r = 1; r <= nr && r <= ER7_MAX_FIELDS; r++) {
                size_t nc = er7_count(m, s, f, r, 0);
                for (size_t c = 1; c <= nc && c <= ER7_MAX_FIELDS; c++) {
                    size_t nk = er7_count(m, s, f, r, c);
                    for (size_t k = 1; k <= nk && k <= ER7_MAX_FIELDS; k++) {
                        buf_reset(tmp);
                        if (er7_unescape(d, cs, er7_get(m, s, f, r, c, k), tmp,
                                         &err) < 0)
                            continue;
                        buf_reset(&back);
                        check(er7_unescape(d, cs, er7_get(m2, s, f, r, c, k),
                                           &back, &err) == 0);
                        check(back.len == tmp->len &&
                              memcmp(buf_cstr(&back), buf_cstr(tmp),
                                     tmp->len) == 0);
                    }
                }
            }
        }
    }
    er7_free(m2);
    buf_free(&out);
    buf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so that ASan sees any overread. */
    char *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    if (size > 0)
        memcpy(copy, data, size);

    socle_err err;
    er7_message *m = er7_parse(copy, size, &err);
    if (m == NULL) {
        check(err.code == SOCLE_EINVAL && err.msg[0] != '\0');
        free(copy);
        return 0;
    }
    buf tmp = {0};
    walk(m, &tmp);
    er7_charset cs;
    if (er7_message_charset(m, &cs, &err) == 0)
        round_trip(m, cs, &tmp);
    buf_free(&tmp);
    er7_free(m);
    free(copy);
    return 0;
}
