/*
 * fuzz_ins.c - libFuzzer target for the identifier checks and name
 * normalisation: any input must give an answer, never a crash.
 *
 *   fuzz_ins -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/identifiers.h"
#include "core/ins.h"
#include "core/rniv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The functions take C strings: give them a NUL-terminated copy (an
     * embedded NUL just ends the string early, as it would in production). */
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    char why[64];
    int valid = ins_check(s, why, sizeof why);
    if (valid && ins_compute_key(s) < 1)
        abort();  /* a valid matricule always has a computable key */
    ins_compute_key(s);
    ins_oid_classify(s);

    /* Sex and birth date from the input itself, so both branches run. */
    char sex = size > 0 ? (char)data[0] : 'U';
    const char *date = size > INS_LEN ? s + INS_LEN : "";
    ins_consistent_with(s, sex, date, why, sizeof why);
    ins_consistent_with(s, 'M', "1985-05-17", NULL, 0);

    finess_check(s, why, sizeof why);
    finess_check(s, NULL, 0);
    oid_check(s, why, sizeof why);
    oid_check(s, why, 1);

    /* Normalise into a buffer sized from the input, then into a tiny one
     * to exercise the "does not fit" path. */
    size_t n = 2 * size + 1;
    char *out = malloc(n);
    if (out != NULL) {
        if (rniv_normalize_name(s, out, n) == 0 && strlen(out) >= n)
            abort();
        free(out);
    }
    char tiny[4];
    rniv_normalize_name(s, tiny, sizeof tiny);

    free(s);
    return 0;
}
