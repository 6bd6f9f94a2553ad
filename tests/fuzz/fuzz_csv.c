/*
 * fuzz_csv.c - libFuzzer target for the CSV reader.
 *
 * Feeds arbitrary bytes through a FILE* (as the importer does) and reads
 * until the end or the first error, touching every byte of every field so
 * that the sanitizers see any out-of-bounds or unterminated field.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* fmemopen wants a non-empty, writable-typed buffer: use a copy. */
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return 0;
    if (size > 0)
        memcpy(copy, data, size);
    copy[size] = '\0';

    FILE *in = size > 0 ? fmemopen(copy, size, "r") : fopen("/dev/null", "r");
    if (in == NULL) {
        free(copy);
        return 0;
    }
    csv_reader *r = csv_reader_new(in, "fuzz.csv");
    if (r == NULL) {
        fclose(in);
        free(copy);
        return 0;
    }

    static const char *const header[] = {"kind", "code", "label"};
    socle_err err = {0};
    volatile size_t sink = 0;
    unsigned long last_line = 0;
    int rc, first = 1;
    while ((rc = csv_next(r, &err)) == 1) {
        size_t n = csv_field_count(r);
        if (n == 0 || n > CSV_MAX_FIELDS)
            abort();
        /* Records come in order of their physical lines. */
        if (csv_line(r) <= last_line)
            abort();
        last_line = csv_line(r);
        for (size_t i = 0; i <= n; i++) {
            const char *f = csv_field(r, i);
            size_t len = strlen(f);
            if (len > CSV_MAX_RECORD)
                abort();
            for (size_t k = 0; k < len; k++)
                sink += (unsigned char)f[k];
        }
        if (first) {
            first = 0;
            (void)csv_expect_header(r, header, 3, &err);
        }
    }
    /* An error always carries the "NAME:LINE: " prefix. */
    if (rc == -1 && strncmp(err.msg, "fuzz.csv:", 9) != 0)
        abort();
    (void)sink;

    csv_reader_free(r);
    fclose(in);
    free(copy);
    return 0;
}
