/*
 * test_dedupe.c - `socle dedupe` as a user runs it: a small generated file
 * of synthetic identities (some persons registered twice with the usual
 * errors), the output formats, malformed input with its line number, and
 * no partial output left behind.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static char root[512];

static void setup(void)
{
    cr_assert_eq(h_temp_dir(root, sizeof root), 0, "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
    h_remove_tree(root);
}

TestSuite(dedupe, .init = setup, .fini = teardown, .timeout = 180);

#define RUN(r, ...)                                                        \
    cr_assert_eq(H_RUN((r), __VA_ARGS__), 0, "cannot run %s: %s",         \
                 SOCLE_BIN, strerror(errno))

#define ASSERT_EXIT(r, code)                                               \
    cr_assert((r)->exited && !(r)->timed_out && (r)->status == (code),     \
              "expected exit %d, got %s", (code), h_describe(r))

#define HEADER "source,local_id,birth_name,used_name,first_names,birth_date,sex,birth_place,ins\n"
#define PERSONS 400

static const char *const syl[] = {"BER", "MAR", "DU", "LE", "GAR", "RO", "CHA",
                                  "PE", "VIL", "MON", "FOU", "TAR", "QUI"};
static const char *const ends[] = {"NARD", "TIN", "BOIS", "ROUX", "NIER", "CHE",
                                   "LET", "VEAU", "GNON", "ZAC", "LAIN"};
static const char *const firsts[] = {"Jean", "Marie", "Louis", "Anne", "Paul",
                                     "Claire", "Hugo", "Emma", "Lucas", "Chloe"};

/* Person p's traits, and the kind of error its second record carries. */
static void person(int p, char *name, size_t cap, const char **first, int *y,
                   int *m, int *d, char *sex)
{
    snprintf(name, cap, "%s%s%s", syl[p % 13], ends[(p / 13) % 11],
             (p / 143) % 2 ? "IER" : "");
    *first = firsts[p % 10];
    *y = 1930 + (p * 7) % 80;
    *m = 1 + p % 12;
    *d = 13 + (p * 3) % 15;  /* > 12: a swap is visible */
    *sex = p % 2 ? 'M' : 'F';
}

/* Writes the file; the first record of person p has local_id "A<p>", its
 * duplicate (one person in two) "B<p>". */
static const char *write_input(void)
{
    const char *path = h_fmt("%s/in.csv", root);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(HEADER, f);
    for (int p = 0; p < PERSONS; p++) {
        char name[64], sex;
        const char *first;
        int y, m, d;
        person(p, name, sizeof name, &first, &y, &m, &d, &sex);
        fprintf(f, "HOP1,A%d,%s,,%s Pierre,%04d-%02d-%02d,%c,75056,\n", p, name,
                first, y, m, d, sex);
        if (p % 2 != 0)
            continue;
        switch (p / 2 % 4) {
        case 0:  /* day and month swapped, second forename missing */
            fprintf(f, "HOP2,B%d,%s,,%s,%04d-%02d-%02d,%c,75056,\n", p, name, first, y, d, m,
                    sex);
            break;
        case 1: {  /* a typo in the name, accents and lower case */
            name[1] = name[1] == 'A' ? 'E' : 'A';
            fprintf(f, "HOP2,B%d,\"%s\",,%s-Pierre,%04d-%02d-%02d,%c,75056,\n", p, name,
                    first, y, m, d, sex);
            break;
        }
        case 2:  /* birth date missing */
            fprintf(f, "HOP2,B%d,%s,,%s Pierre,,%c,75056,\n", p, name, first, sex);
            break;
        default:  /* one digit of the year off */
            fprintf(f, "HOP2,B%d,%s,,%s Pierre,%04d-%02d-%02d,%c,75056,\n", p, name,
                    first, y + 1 - 2 * ((y % 10) == 9), m, d, sex);
            break;
        }
    }
    fclose(f);
    return path;
}

/* cluster of "SOURCE,ID" in the clusters file, or -1. */
static long cluster_of(const char *csv, const char *source, const char *id)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s,%s,", source, id);
    const char *p = strstr(csv, key);
    return p != NULL ? strtol(p + strlen(key), NULL, 10) : -1;
}

Test(dedupe, finds_duplicates_and_writes_the_formats)
{
    /* h_fmt's buffers rotate: keep the paths. */
    char in[600], out[600], review[600];
    snprintf(in, sizeof in, "%s", write_input());
    snprintf(out, sizeof out, "%s/clusters.csv", root);
    snprintf(review, sizeof review, "%s/review.csv", root);
    h_result r;
    /* Too few records to learn a model from: the starting model, with
     * thresholds for it. */
    RUN(&r, "dedupe", "--in", in, "--out", out, "--review", review, "--threads", "2",
        "--upper", "12", "--lower", "5");
    ASSERT_EXIT(&r, 0);
    cr_expect(strstr(r.out, "records 600") != NULL, "summary: %s", r.out);
    cr_expect(strstr(r.out, "peak memory") != NULL);
    h_result_free(&r);

    char *clusters = h_read_file(out, NULL);
    cr_assert_not_null(clusters);
    cr_expect_eq(strncmp(clusters, "source,local_id,cluster_id\n", 27), 0);
    size_t lines = 0;
    for (const char *p = clusters; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 1 + PERSONS + PERSONS / 2);

    int found = 0, merged = 0;
    for (int p = 0; p < PERSONS; p++) {
        long a = cluster_of(clusters, "HOP1", h_fmt("A%d", p));
        cr_assert_gt(a, 0, "A%d has no cluster", p);
        if (p % 2 == 0) {
            long b = cluster_of(clusters, "HOP2", h_fmt("B%d", p));
            cr_assert_gt(b, 0);
            found += a == b;
        }
        /* Different persons are never in one cluster. */
        for (int q = p + 1; q < PERSONS && q < p + 20; q++)
            merged += a == cluster_of(clusters, "HOP1", h_fmt("A%d", q));
    }
    cr_expect_eq(merged, 0, "%d false merges", merged);
    cr_expect_geq(found, PERSONS / 2 * 8 / 10, "only %d of %d duplicates found",
                  found, PERSONS / 2);
    free(clusters);

    char *rev = h_read_file(review, NULL);
    cr_assert_not_null(rev);
    cr_expect_eq(strncmp(rev, "source_a,local_id_a,source_b,local_id_b,score\n", 46), 0);
    free(rev);
}

static void expect_error(const char *content, const char *message)
{
    const char *in = h_fmt("%s/bad.csv", root);
    const char *out = h_fmt("%s/out.csv", root);
    cr_assert_eq(h_write_text(in, content), 0);
    h_result r;
    RUN(&r, "dedupe", "--in", in, "--out", out, "--review", h_fmt("%s/rev.csv", root));
    ASSERT_EXIT(&r, 1);
    cr_expect(strstr(r.err, message) != NULL, "expected '%s' in: %s", message, r.err);
    h_result_free(&r);
    cr_expect_neq(access(out, F_OK), 0, "an output file was left behind");
    cr_expect_neq(access(h_fmt("%s/rev.csv", root), F_OK), 0);
    /* Nor any temporary file. */
    char *ls = NULL;
    size_t len = 0;
    FILE *p = popen(h_fmt("ls %s", root), "r");
    cr_assert_not_null(p);
    cr_expect_neq(getline(&ls, &len, p), 0);
    free(ls);
    pclose(p);
}

Test(dedupe, malformed_input_is_refused_with_its_line)
{
    expect_error("source,local_id,birth_name\nA,1,X\n", "bad.csv:1:");
    expect_error(HEADER "A,1,DUPONT,,JEAN,1980-01-01,M,,\nA,2,DURAND,,PAUL\n",
                 "bad.csv:3: 5 fields, expected 9");
    expect_error(HEADER "A,1,DUPONT,,JEAN,1980-01-01,M,,\n\nA,2,DUR\xC3,,X,,M,,\n",
                 "bad.csv:4:");
    expect_error(HEADER ",1,DUPONT,,JEAN,1980-01-01,M,,\n", "bad.csv:2:");
    expect_error("", "bad.csv:1:");
}

Test(dedupe, usage_errors)
{
    h_result r;
    RUN(&r, "dedupe", "--in", "x.csv");
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
    RUN(&r, "dedupe", "--in", "x.csv", "--out", "y.csv", "--threads", "0");
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
    RUN(&r, "dedupe", "--help");
    ASSERT_EXIT(&r, 0);
    cr_expect(strstr(r.out, "cluster_id") != NULL);
    h_result_free(&r);
    RUN(&r, "dedupe", "--in", h_fmt("%s/missing.csv", root), "--out", h_fmt("%s/o.csv", root));
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);
}
