/*
 * dataset.c - see dataset.h.
 */
#include "match/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

static const char *const header[DATASET_FIELDS] = {
    "source", "local_id", "birth_name", "used_name", "first_names",
    "birth_date", "sex", "birth_place", "ins"};

static int add_ids(match_dataset *ds, const char *source, const char *local_id)
{
    size_t ls = strlen(source) + 1, ll = strlen(local_id) + 1;
    if (ds->ids_len + ls + ll > ds->ids_cap) {
        size_t nc = ds->ids_cap ? ds->ids_cap : 1 << 16;
        while (ds->ids_len + ls + ll > nc)
            nc *= 2;
        char *p = realloc(ds->ids, nc);
        if (p == NULL)
            return -1;
        ds->ids = p, ds->ids_cap = nc;
    }
    ds->id_off[ds->n] = ds->ids_len;
    memcpy(ds->ids + ds->ids_len, source, ls);
    memcpy(ds->ids + ds->ids_len + ls, local_id, ll);
    ds->ids_len += ls + ll;
    return 0;
}

static int grow(match_dataset *ds)
{
    if (ds->n < ds->cap)
        return 0;
    size_t nc = ds->cap ? ds->cap * 2 : 1024;
    match_record *r = realloc(ds->rec, nc * sizeof *r);
    if (r == NULL)
        return -1;
    ds->rec = r;
    size_t *o = realloc(ds->id_off, nc * sizeof *o);
    if (o == NULL)
        return -1;
    ds->id_off = o;
    ds->cap = nc;
    return 0;
}

int dataset_read(FILE *in, const char *name, match_dataset *ds,
                 dataset_progress_fn progress, void *progress_data, socle_err *err)
{
    csv_reader *r = csv_reader_new(in, name);
    if (r == NULL)
        return err_set(err, SOCLE_EIO, "%s: out of memory", name);
    int rc = csv_next(r, err);
    if (rc == 0) {
        csv_reader_free(r);
        return err_set(err, SOCLE_EINVAL, "%s:1: empty file, expected the header", name);
    }
    if (rc == 1)
        rc = csv_expect_header(r, header, DATASET_FIELDS, err) < 0 ? -1 : 1;
    while (rc == 1 && (rc = csv_next(r, err)) == 1) {
        if (csv_field_count(r) != DATASET_FIELDS) {
            rc = csv_error(r, err, SOCLE_EINVAL, "%zu fields, expected %d",
                           csv_field_count(r), DATASET_FIELDS);
            break;
        }
        if (csv_field(r, 0)[0] == '\0' || csv_field(r, 1)[0] == '\0') {
            rc = csv_error(r, err, SOCLE_EINVAL, "source and local_id must not be empty");
            break;
        }
        if (grow(ds) < 0 || add_ids(ds, csv_field(r, 0), csv_field(r, 1)) < 0) {
            rc = err_set(err, SOCLE_EIO, "%s: out of memory", name);
            break;
        }
        match_input mi = {csv_field(r, 2), csv_field(r, 3), csv_field(r, 4),
                          csv_field(r, 5), csv_field(r, 6), csv_field(r, 7),
                          csv_field(r, 8)};
        if (match_normalize(&mi, &ds->rec[ds->n]) < 0) {
            /* The reader already refuses invalid UTF-8: a bug if reached. */
            rc = csv_error(r, err, SOCLE_EINVAL, "invalid UTF-8");
            break;
        }
        ds->n++;
        if (progress != NULL && ds->n % 65536 == 0)
            progress(progress_data, ds->n);
    }
    csv_reader_free(r);
    return rc < 0 ? -1 : 0;
}

const char *dataset_source(const match_dataset *ds, size_t i)
{
    return ds->ids + ds->id_off[i];
}

const char *dataset_local_id(const match_dataset *ds, size_t i)
{
    const char *s = ds->ids + ds->id_off[i];
    return s + strlen(s) + 1;
}

void dataset_free(match_dataset *ds)
{
    free(ds->rec);
    free(ds->id_off);
    free(ds->ids);
    memset(ds, 0, sizeof *ds);
}
