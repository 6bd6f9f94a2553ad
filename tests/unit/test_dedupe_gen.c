/*
 * test_dedupe_gen.c - the synthetic generator of bench/dedupe: the same
 * seed gives the same files, every field has its format, the truth
 * matches the records, and the model's shape holds (records per person,
 * noise present but not everywhere, the hard cases generated).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/dedupe/eval.h"
#include "bench/dedupe/gen.h"
#include "core/ins.h"
#include "util/csv.h"

typedef struct output {
    char *records, *truth;
    size_t records_len, truth_len;
    gen_stats st;
} output;

static void generate(unsigned long n, uint64_t seed, output *o)
{
    memset(o, 0, sizeof *o);
    FILE *fr = open_memstream(&o->records, &o->records_len);
    FILE *ft = open_memstream(&o->truth, &o->truth_len);
    cr_assert(fr && ft);
    socle_err err;
    cr_assert_eq(gen_write(n, seed, fr, ft, &o->st, &err), 0, "%s", err.msg);
    fclose(fr);
    fclose(ft);
}

static void output_free(output *o)
{
    free(o->records);
    free(o->truth);
}

Test(dedupe_gen, same_seed_same_bytes_other_seed_other_bytes)
{
    output a, b, c;
    generate(3000, 42, &a);
    generate(3000, 42, &b);
    generate(3000, 43, &c);
    cr_assert_eq(a.records_len, b.records_len);
    cr_assert_eq(memcmp(a.records, b.records, a.records_len), 0);
    cr_assert_eq(a.truth_len, b.truth_len);
    cr_assert_eq(memcmp(a.truth, b.truth, a.truth_len), 0);
    cr_assert(a.records_len != c.records_len || memcmp(a.records, c.records, a.records_len) != 0);
    output_free(&a);
    output_free(&b);
    output_free(&c);
}

Test(dedupe_gen, zero_records_is_refused)
{
    socle_err err;
    cr_assert_eq(gen_write(0, 1, stdout, stdout, NULL, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
}

static int valid_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1900 && y <= 2024 && m >= 1 && m <= 12 && d >= 1 &&
           d <= (m == 2 && !leap ? 28 : days[m - 1]);
}

static int valid_place(const char *s)
{
    if (s[0] == '\0')
        return 1;
    if (strlen(s) != 5)
        return 0;
    for (int i = 0; i < 5; i++) {
        int corsica = i == 1 && s[0] == '2' && (s[1] == 'A' || s[1] == 'B');
        if (!corsica && (s[i] < '0' || s[i] > '9'))
            return 0;
    }
    return 1;
}

/* No leading, trailing or doubled space. */
static int clean_spaces(const char *s)
{
    size_t n = strlen(s);
    return n == 0 || (s[0] != ' ' && s[n - 1] != ' ' && strstr(s, "  ") == NULL);
}

Test(dedupe_gen, every_field_has_its_format_and_the_truth_matches)
{
    const unsigned long n = 20000;
    output o;
    generate(n, 7, &o);
    FILE *fr = fmemopen(o.records, o.records_len, "r");
    FILE *ft = fmemopen(o.truth, o.truth_len, "r");
    csv_reader *rr = csv_reader_new(fr, "records.csv");
    csv_reader *rt = csv_reader_new(ft, "truth.csv");
    socle_err err;
    static const char *const rcols[] = { "source", "local_id", "birth_name", "used_name",
                                         "first_names", "birth_date", "sex", "birth_place",
                                         "ins" };
    static const char *const tcols[] = { "source", "local_id", "person_id" };
    cr_assert_eq(csv_next(rr, &err), 1);
    cr_assert_eq(csv_expect_header(rr, rcols, 9, &err), 0, "%s", err.msg);
    cr_assert_eq(csv_next(rt, &err), 1);
    cr_assert_eq(csv_expect_header(rt, tcols, 3, &err), 0, "%s", err.msg);

    unsigned long lines = 0, with_ins = 0, empty_dates = 0, sexes[3] = { 0 };
    int got;
    while ((got = csv_next(rr, &err)) == 1) {
        lines++;
        unsigned long line = csv_line(rr);
        cr_assert_eq(csv_field_count(rr), 9, "line %lu", line);
        cr_assert_eq(csv_next(rt, &err), 1, "truth ends before line %lu", line);
        cr_assert_str_eq(csv_field(rt, 0), csv_field(rr, 0));
        cr_assert_str_eq(csv_field(rt, 1), csv_field(rr, 1));
        cr_assert_eq(csv_field(rt, 2)[0], 'P');
        cr_assert_neq(csv_field(rr, 0)[0], '\0');
        cr_assert_neq(csv_field(rr, 1)[0], '\0');
        for (int f = 2; f <= 4; f++)
            cr_assert(clean_spaces(csv_field(rr, f)), "line %lu: '%s'", line, csv_field(rr, f));
        const char *date = csv_field(rr, 5);
        if (date[0] == '\0')
            empty_dates++;
        else
            cr_assert(valid_date(date), "line %lu: date '%s'", line, date);
        const char *sex = csv_field(rr, 6);
        cr_assert(strcmp(sex, "M") == 0 || strcmp(sex, "F") == 0 || strcmp(sex, "U") == 0,
                  "line %lu: sex '%s'", line, sex);
        sexes[sex[0] == 'M' ? 0 : sex[0] == 'F' ? 1 : 2]++;
        cr_assert(valid_place(csv_field(rr, 7)), "line %lu: place '%s'", line, csv_field(rr, 7));
        const char *ins = csv_field(rr, 8);
        if (ins[0]) {
            char why[128];
            with_ins++;
            cr_assert(ins_check(ins, why, sizeof why), "line %lu: ins %s: %s", line, ins, why);
        }
    }
    cr_assert_eq(got, 0, "%s", err.msg);
    cr_assert_eq(csv_next(rt, &err), 0, "truth longer than the records");
    cr_assert_eq(lines, n);
    cr_assert_eq(o.st.records, n);
    cr_assert_eq(o.st.with_ins, with_ins);
    /* Documented rates, with room for chance: INS on about 30 %, dates
     * missing on about 1 %, a few U. */
    cr_assert(with_ins > n / 5 && with_ins < n / 2, "%lu with INS", with_ins);
    cr_assert(empty_dates > 0 && empty_dates < n / 25, "%lu empty dates", empty_dates);
    cr_assert(sexes[0] > n / 3 && sexes[1] > n / 3 && sexes[2] > 0 && sexes[2] < n / 50);
    csv_reader_free(rr);
    csv_reader_free(rt);
    fclose(fr);
    fclose(ft);
    output_free(&o);
}

/* Read the truth into dense person ids (by the evaluator) and check the
 * records-per-person ratio and the true pairs against the stats. */
Test(dedupe_gen, about_1_6_records_per_person)
{
    const unsigned long n = 50000;
    output o;
    generate(n, 11, &o);
    eval_data *d = eval_data_new();
    FILE *ft = fmemopen(o.truth, o.truth_len, "r");
    socle_err err;
    cr_assert_eq(eval_load_truth(d, ft, "truth.csv", &err), 0, "%s", err.msg);
    fclose(ft);
    eval_result r;
    cr_assert_eq(eval_run(d, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.records, n);
    cr_assert_eq(r.persons, o.st.persons);
    cr_assert_eq(r.true_pairs, o.st.true_pairs);
    double ratio = (double)n / (double)r.persons;
    cr_assert(ratio > 1.5 && ratio < 1.75, "%.3f records per person", ratio);
    /* The hard cases are there, and wrong INS stay rare. */
    cr_assert_gt(o.st.twins, 0);
    cr_assert_gt(o.st.homonyms, 0);
    cr_assert_gt(o.st.children, 0);
    cr_assert_gt(o.st.wrong_ins, 0);
    cr_assert_lt(o.st.wrong_ins, o.st.with_ins / 50);
    eval_data_free(d);
    output_free(&o);
}

/* Records of one person agree mostly, not always: the noise is there. */
Test(dedupe_gen, records_of_a_person_differ_sometimes)
{
    const unsigned long n = 20000;
    output o;
    generate(n, 3, &o);
    char **first_name_seen = calloc(n + 2, sizeof *first_name_seen);
    char **first_date_seen = calloc(n + 2, sizeof *first_date_seen);
    FILE *fr = fmemopen(o.records, o.records_len, "r");
    FILE *ft = fmemopen(o.truth, o.truth_len, "r");
    csv_reader *rr = csv_reader_new(fr, "records.csv");
    csv_reader *rt = csv_reader_new(ft, "truth.csv");
    socle_err err;
    cr_assert_eq(csv_next(rr, &err), 1);
    cr_assert_eq(csv_next(rt, &err), 1);
    unsigned long same_name = 0, other_name = 0, same_date = 0, other_date = 0;
    while (csv_next(rr, &err) == 1 && csv_next(rt, &err) == 1) {
        unsigned long p = strtoul(csv_field(rt, 2) + 1, NULL, 10);
        cr_assert(p >= 1 && p <= n + 1);
        const char *name = csv_field(rr, 2), *date = csv_field(rr, 5);
        if (!first_name_seen[p]) {
            first_name_seen[p] = strdup(name);
            first_date_seen[p] = strdup(date);
            continue;
        }
        /* Case and accents differ by source: compare ASCII case-blind. */
        if (strcasecmp(first_name_seen[p], name) == 0)
            same_name++;
        else
            other_name++;
        if (strcmp(first_date_seen[p], date) == 0)
            same_date++;
        else
            other_date++;
    }
    cr_assert_gt(same_name, 3 * other_name, "%lu same, %lu other", same_name, other_name);
    cr_assert_gt(other_name, 0);
    cr_assert_gt(same_date, 10 * other_date, "%lu same, %lu other", same_date, other_date);
    cr_assert_gt(other_date, 0);
    for (unsigned long i = 0; i < n + 2; i++) {
        free(first_name_seen[i]);
        free(first_date_seen[i]);
    }
    free(first_name_seen);
    free(first_date_seen);
    csv_reader_free(rr);
    csv_reader_free(rt);
    fclose(fr);
    fclose(ft);
    output_free(&o);
}
