/*
 * er7_writer.c - ER7 output, one value at a time.
 *
 * The writer only remembers where the last value went. Moving to the next
 * position means: at the first level where the two positions differ, one
 * separator of that level per step; below it, start from 1 again, so one
 * separator per step from 1. A 0 level ("the whole thing") is stored as
 * SIZE_MAX, past any real position, so that nothing can later be written
 * inside a value already written whole.
 */
#include "hl7/er7_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int er7w_init(er7_writer *w, buf *out, const er7_delims *d, er7_charset cs,
              socle_err *err)
{
    memset(w, 0, sizeof *w);
    if (er7_delims_check(d, err) < 0)
        return -1;
    w->out = out;
    w->delims = *d;
    w->charset = cs;
    return 0;
}

static int is_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void er7w_end(er7_writer *w)
{
    if (w->open)
        buf_putc(w->out, '\r');
    w->open = 0;
}

int er7w_segment(er7_writer *w, const char *id, socle_err *err)
{
    if (strlen(id) != 3 || !is_id_char(id[0]) || !is_id_char(id[1]) ||
        !is_id_char(id[2]))
        return err_set(err, SOCLE_EINVAL, "invalid segment id '%s'", id);
    er7w_end(w);
    buf_append(w->out, id, 3);
    w->open = 1;
    w->last[0] = 0;
    w->last[1] = w->last[2] = w->last[3] = SIZE_MAX;
    if (strcmp(id, "MSH") == 0 || strcmp(id, "FHS") == 0 ||
        strcmp(id, "BHS") == 0) {
        const er7_delims *d = &w->delims;
        char enc[6] = {d->field, d->component, d->repetition, d->escape,
                       d->subcomponent, d->truncation};
        buf_append(w->out, enc, d->truncation ? 6 : 5);
        w->last[0] = 2;
    }
    return 0;
}

/* Number of leading non-zero levels of pos (1..4); levels after a 0 are
 * ignored, as in er7_get. */
static size_t depth_of(const size_t pos[4])
{
    size_t n = 1;
    while (n < 4 && pos[n] != 0)
        n++;
    return n;
}

/* Emit the separators leading to pos and record it as the last position. */
static int advance(er7_writer *w, const size_t pos[4], socle_err *err)
{
    if (!w->open)
        return err_set(err, SOCLE_EINTERNAL, "HL7 writer: no open segment");
    if (pos[0] == 0)
        return err_set(err, SOCLE_EINTERNAL, "HL7 writer: field 0");
    size_t depth = depth_of(pos);
    for (size_t j = 0; j < depth; j++)
        if (pos[j] > ER7_MAX_FIELDS)
            return err_set(err, SOCLE_EINVAL, "HL7 writer: position %zu "
                           "above the limit of %d", pos[j], ER7_MAX_FIELDS);

    size_t k = 0;
    while (k < depth && pos[k] == w->last[k])
        k++;
    if (k == depth || pos[k] < w->last[k])
        return err_set(err, SOCLE_EINTERNAL, "HL7 writer: field %zu written "
                       "out of order", pos[0]);

    const char sep[4] = {w->delims.field, w->delims.repetition,
                         w->delims.component, w->delims.subcomponent};
    for (size_t n = pos[k] - w->last[k]; n > 0; n--)
        buf_putc(w->out, sep[k]);
    for (size_t j = k + 1; j < depth; j++)
        for (size_t n = pos[j] - 1; n > 0; n--)
            buf_putc(w->out, sep[j]);
    for (size_t j = 0; j < 4; j++)
        w->last[j] = j < depth ? pos[j] : SIZE_MAX;
    return 0;
}

/* Undo a failed put: output and position as they were. */
static int rollback(er7_writer *w, size_t mark, const size_t last[4])
{
    w->out->len = mark;
    if (w->out->data != NULL)
        w->out->data[mark] = '\0';
    memcpy(w->last, last, sizeof w->last);
    return -1;
}

int er7w_putn(er7_writer *w, size_t field, size_t rep, size_t comp,
              size_t sub, const char *text, size_t len, socle_err *err)
{
    if (text == NULL || len == 0)
        return 0;
    const size_t pos[4] = {field, rep, comp, sub};
    size_t last[4];
    memcpy(last, w->last, sizeof last);
    size_t mark = w->out->len;
    if (advance(w, pos, err) < 0)
        return -1;
    if (er7_escape(&w->delims, w->charset, text, len, w->out, err) < 0) {
        err_prefix(err, "field %zu", field);
        return rollback(w, mark, last);
    }
    return 0;
}

int er7w_put(er7_writer *w, size_t field, size_t rep, size_t comp,
             size_t sub, const char *text, socle_err *err)
{
    return er7w_putn(w, field, rep, comp, sub, text,
                     text ? strlen(text) : 0, err);
}

int er7w_put_raw(er7_writer *w, size_t field, size_t rep, size_t comp,
                 size_t sub, er7_slice raw, socle_err *err)
{
    if (raw.len == 0)
        return 0;
    const size_t pos[4] = {field, rep, comp, sub};
    /* Separators of the levels down to the position's own would change
     * the structure; those below it are the value's own. */
    const char sep[4] = {w->delims.field, w->delims.repetition,
                         w->delims.component, w->delims.subcomponent};
    size_t depth = depth_of(pos);
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.ptr[i];
        int bad = c == '\r' || c == '\n' || c == '\0';
        for (size_t j = 0; j < depth && !bad; j++)
            bad = c == sep[j];
        if (bad)
            return err_set(err, SOCLE_EINVAL, "field %zu: raw value holds a "
                           "separator or line break at offset %zu", field, i);
    }
    if (advance(w, pos, err) < 0)
        return -1;
    buf_append(w->out, raw.ptr, raw.len);
    return 0;
}

int er7w_put_null(er7_writer *w, size_t field, size_t rep, size_t comp,
                  size_t sub, socle_err *err)
{
    er7_slice null = {"\"\"", 2};
    return er7w_put_raw(w, field, rep, comp, sub, null, err);
}

int er7w_put_loc(er7_writer *w, size_t field, size_t rep, const er7_loc *loc,
                 socle_err *err)
{
    const size_t nums[5] = {loc->seg_seq, loc->field, loc->rep, loc->comp,
                            loc->sub};
    size_t last[4];
    memcpy(last, w->last, sizeof last);
    size_t mark = w->out->len;

    if (er7w_put(w, field, rep, 1, 1, loc->seg_id, err) < 0)
        return -1;
    for (size_t i = 0; i < 5; i++) {
        if (nums[i] == 0)
            continue;
        char text[24];
        snprintf(text, sizeof text, "%zu", nums[i]);
        if (er7w_put(w, field, rep, i + 2, 1, text, err) < 0)
            return rollback(w, mark, last);
    }
    return 0;
}
