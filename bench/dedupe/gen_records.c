/*
 * gen_records - write synthetic identity records and their truth for
 * `socle dedupe` (model and rates: bench/dedupe/README.md).
 *
 *   gen_records --records N [--seed S] --out records.csv --truth truth.csv
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"

static const char usage[] =
    "usage: gen_records --records N [--seed S] --out records.csv --truth truth.csv\n"
    "Writes N synthetic identity records (socle dedupe's input format) and the\n"
    "truth (source,local_id,person_id). The same N and seed give the same files.\n";

static int parse_ulong(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long n = 0, seed = 1;
    const char *out = NULL, *truth = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "gen_records: %s needs a value\n%s", a, usage);
            return 2;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--records") == 0) {
            if (parse_ulong(v, &n) < 0 || n == 0 || n > 100000000ull) {
                fprintf(stderr, "gen_records: --records must be 1..100000000, not '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0) {
            if (parse_ulong(v, &seed) < 0) {
                fprintf(stderr, "gen_records: --seed must be a non-negative integer, not '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--out") == 0) {
            out = v;
        } else if (strcmp(a, "--truth") == 0) {
            truth = v;
        } else {
            fprintf(stderr, "gen_records: unknown option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (n == 0 || !out || !truth) {
        fputs(usage, stderr);
        return 2;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    FILE *fr = fopen(out, "w");
    if (!fr) {
        fprintf(stderr, "gen_records: %s: %s\n", out, strerror(errno));
        return 1;
    }
    FILE *ft = fopen(truth, "w");
    if (!ft) {
        fprintf(stderr, "gen_records: %s: %s\n", truth, strerror(errno));
        fclose(fr);
        remove(out);
        return 1;
    }
    static char bufr[1 << 20], buft[1 << 20];
    setvbuf(fr, bufr, _IOFBF, sizeof bufr);
    setvbuf(ft, buft, _IOFBF, sizeof buft);

    gen_stats st;
    socle_err err;
    int rc = gen_write((unsigned long)n, (uint64_t)seed, fr, ft, &st, &err);
    int crc = fclose(fr);
    crc |= fclose(ft);
    if (rc < 0 || crc != 0) {
        fprintf(stderr, "gen_records: %s\n", rc < 0 ? err.msg : "error closing the output");
        remove(out);
        remove(truth);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr,
            "gen_records: %lu records of %lu persons (%.3f records/person, %lu true pairs) "
            "in %.2f s\n"
            "  twins %lu, homonyms %lu, children %lu; records with INS %lu "
            "(parent's NIR %lu, unrelated person's %lu)\n",
            st.records, st.persons, (double)st.records / (double)st.persons, st.true_pairs, secs,
            st.twins, st.homonyms, st.children, st.with_ins, st.parent_ins, st.wrong_ins);
    return 0;
}
