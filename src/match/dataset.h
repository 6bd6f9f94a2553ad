/*
 * dataset.h - the records of a `socle dedupe` input file, normalised.
 *
 * Input: UTF-8 CSV with the header
 *   source,local_id,birth_name,used_name,first_names,birth_date,sex,birth_place,ins
 * Every line must have these 9 fields; source and local_id must not be
 * empty. Any other field may be empty or wrong (it is then unknown to the
 * matching, never an error).
 */
#ifndef SOCLE_MATCH_DATASET_H
#define SOCLE_MATCH_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "match/normalize.h"
#include "util/error.h"

#define DATASET_FIELDS 9

typedef struct match_dataset {
    match_record *rec;   /* n normalised records, in input order */
    size_t *id_off;      /* per record: offset in ids of "source\0local_id\0" */
    char *ids;
    size_t n, cap, ids_len, ids_cap;
} match_dataset;

typedef void (*dataset_progress_fn)(void *data, size_t records);

/* Read a whole CSV stream (borrowed) into ds (zeroed by the caller, freed
 * with dataset_free even on error). name is used in errors, which read
 * "NAME:LINE: reason" (wrong header, wrong field count, empty source or
 * local_id, invalid UTF-8). progress may be NULL. Returns 0 or -1. */
int dataset_read(FILE *in, const char *name, match_dataset *ds,
                 dataset_progress_fn progress, void *progress_data, socle_err *err);

const char *dataset_source(const match_dataset *ds, size_t i);
const char *dataset_local_id(const match_dataset *ds, size_t i);

void dataset_free(match_dataset *ds);

#endif
