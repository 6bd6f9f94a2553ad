/*
 * fuzz_dedupe.c - libFuzzer target for the `socle dedupe` input: the CSV
 * record reader and the normaliser behind it, then the comparison of the
 * records read (similarity, phonetic codes, blocking keys).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/blocking.h"
#include "match/dataset.h"
#include "match/similarity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const match_record *r)
{
    /* Every string of a record is terminated within its array. */
    if (memchr(r->birth_name, 0, sizeof r->birth_name) == NULL
        || memchr(r->birth_core, 0, sizeof r->birth_core) == NULL
        || memchr(r->used_name, 0, sizeof r->used_name) == NULL
        || memchr(r->forenames, 0, sizeof r->forenames) == NULL
        || memchr(r->birth_phon, 0, sizeof r->birth_phon) == NULL
        || r->month > 12 || r->day > 31
        || (r->sex != 'M' && r->sex != 'F' && r->sex != 'U'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char header[] =
        "source,local_id,birth_name,used_name,first_names,birth_date,sex,birth_place,ins\n";
    /* Half of the inputs get a valid header, so the fuzzer reaches records. */
    int with_header = size > 0 && (data[0] & 1);
    size_t hl = with_header ? sizeof header - 1 : 0;
    char *copy = malloc(hl + size + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, header, hl);
    if (size > 0)
        memcpy(copy + hl, data, size);
    copy[hl + size] = '\0';
    FILE *in = hl + size > 0 ? fmemopen(copy, hl + size, "r") : fopen("/dev/null", "r");
    if (in == NULL) {
        free(copy);
        return 0;
    }
    match_dataset ds = {0};
    socle_err err = {0};
    int rc = dataset_read(in, "fuzz.csv", &ds, NULL, NULL, &err);
    if (rc < 0 && strncmp(err.msg, "fuzz.csv:", 9) != 0)
        abort();
    for (size_t i = 0; i < ds.n; i++) {
        check_record(&ds.rec[i]);
        uint64_t keys[BLOCKING_PASSES];
        blocking_keys(&ds.rec[i], keys);
        if (i > 0) {
            match_cmp c;
            match_compare(&ds.rec[i - 1], &ds.rec[i], &c);
            for (int f = 0; f < MF_COUNT; f++)
                if (c.level[f] >= match_levels((match_field)f))
                    abort();
            double jw = sim_jaro_winkler(ds.rec[i - 1].birth_name, ds.rec[i].birth_name);
            if (jw < 0 || jw > 1.0000001)
                abort();
        }
    }
    dataset_free(&ds);
    fclose(in);
    free(copy);
    return 0;
}
