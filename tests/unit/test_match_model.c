/*
 * test_match_model.c - Fellegi-Sunter weights, EM, term frequencies, JSON.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "match/model.h"

static match_cmp vec(int name, int used, int first, int date, int sex, int place, int ins)
{
    match_cmp c = {{(unsigned char)name, (unsigned char)used, (unsigned char)first,
                    (unsigned char)date, (unsigned char)sex, (unsigned char)place,
                    (unsigned char)ins}};
    return c;
}

Test(match_model, weights_order_and_na)
{
    match_model m;
    model_init(&m);
    cr_expect_gt(model_weight(&m, MF_NAME, NAME_EXACT), 0);
    cr_expect_lt(model_weight(&m, MF_NAME, NAME_DIFF), 0);
    cr_expect_gt(model_weight(&m, MF_DATE, DATE_EXACT), model_weight(&m, MF_DATE, DATE_TYPO));
    cr_expect_eq(model_weight(&m, MF_NAME, NAME_NA), 0);
    match_cmp all = vec(NAME_EXACT, USED_NA, FIRST_EXACT, DATE_EXACT, SEX_EQ, PLACE_EQ, INS_NA);
    match_cmp none = vec(NAME_DIFF, USED_NA, FIRST_DIFF, DATE_DIFF, SEX_EQ, PLACE_DIFF, INS_NA);
    cr_expect_gt(model_score(&m, &all), m.upper);
    cr_expect_lt(model_score(&m, &none), m.lower);
}

Test(match_model, pattern_round_trip)
{
    match_cmp c = vec(NAME_PHON, USED_DIFF, FIRST_CLOSE, DATE_YEAR, SEX_DIFF, PLACE_DEPT, INS_EQ), d;
    uint32_t p = model_pattern(&c);
    cr_expect_lt(p, MODEL_PATTERNS);
    model_unpattern(p, &d);
    cr_expect_eq(memcmp(&c, &d, sizeof c), 0);
}

/* Synthetic comparison vectors drawn from known m and u: EM must find the
 * share of matches and agreement probabilities close to the truth. */
Test(match_model, em_recovers_m_and_prior)
{
    uint64_t *counts = calloc(MODEL_PATTERNS, sizeof *counts);
    cr_assert_not_null(counts);
    uint64_t s = 42;
    size_t matches = 0, total = 200000;
    for (size_t i = 0; i < total; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        int is_match = (s >> 33) % 10 == 0;  /* 10 % */
        matches += is_match;
        int lv[MF_COUNT];
        for (int f = 0; f < MF_COUNT; f++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double r = (double)(s >> 11) / 9007199254740992.0;
            int agree = is_match ? r < 0.9 : r < 0.05;
            lv[f] = agree ? 1 : match_levels((match_field)f) - 1;
        }
        match_cmp c = vec(lv[0], lv[1], lv[2], lv[3], lv[4], lv[5], lv[6]);
        counts[model_pattern(&c)]++;
    }
    match_model m;
    model_init(&m);
    for (int f = 0; f < MF_COUNT; f++) {  /* u known (as from sampling) */
        int last = match_levels((match_field)f) - 1;
        for (int l = 1; l <= last; l++)
            m.u[f][l] = l == 1 ? 0.05 : l == last ? 0.95 : 1e-9;
    }
    int it = model_em(&m, counts, 200);
    cr_expect_gt(it, 0);
    cr_expect(fabs(m.prior - (double)matches / (double)total) < 0.01, "prior %f", m.prior);
    cr_expect(fabs(m.m[MF_NAME][NAME_EXACT] - 0.9) < 0.02, "m %f", m.m[MF_NAME][NAME_EXACT]);
    cr_expect(fabs(m.m[MF_DATE][DATE_EXACT] - 0.9) < 0.02);
    free(counts);
}

/* A training session: pairs blocked on the birth name (it agrees for all
 * of them, matches or not). EM must learn m of the other fields and the
 * session's share of matches from the sampled u, and leave the birth
 * name's m alone (its agreement says nothing in this session). */
Test(match_model, em_session_learns_the_free_fields_only)
{
    uint64_t *counts = calloc(MODEL_PATTERNS, sizeof *counts);
    cr_assert_not_null(counts);
    uint64_t s = 7;
    size_t matches = 0, total = 200000;
    for (size_t i = 0; i < total; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        int is_match = (s >> 33) % 20 == 0;  /* 5 % */
        matches += is_match;
        int lv[MF_COUNT];
        for (int f = 0; f < MF_COUNT; f++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double r = (double)(s >> 11) / 9007199254740992.0;
            int agree = f == MF_NAME ? 1 : is_match ? r < 0.9 : r < 0.02;
            lv[f] = agree ? 1 : match_levels((match_field)f) - 1;
        }
        match_cmp c = vec(lv[0], lv[1], lv[2], lv[3], lv[4], lv[5], lv[6]);
        counts[model_pattern(&c)]++;
    }
    match_model m;
    model_init(&m);
    for (int f = 0; f < MF_COUNT; f++) {
        int last = match_levels((match_field)f) - 1;
        for (int l = 1; l <= last; l++)
            m.u[f][l] = l == 1 ? 0.02 : l == last ? 0.98 : 1e-9;
    }
    double name_m = m.m[MF_NAME][NAME_EXACT], u_date = m.u[MF_DATE][DATE_EXACT];
    int learn[MF_COUNT] = {0, 1, 1, 1, 1, 1, 1};
    double prior = 0;
    int it = model_em_session(&m, counts, learn, 200, &prior);
    cr_expect_gt(it, 0);
    cr_expect(fabs(prior - (double)matches / (double)total) < 0.01, "prior %f", prior);
    cr_expect(fabs(m.m[MF_DATE][DATE_EXACT] - 0.9) < 0.02, "m %f", m.m[MF_DATE][DATE_EXACT]);
    cr_expect(fabs(m.m[MF_INS][INS_EQ] - 0.9) < 0.02, "m %f", m.m[MF_INS][INS_EQ]);
    cr_expect_eq(m.m[MF_NAME][NAME_EXACT], name_m, "a blocked field's m moved");
    cr_expect_eq(m.u[MF_DATE][DATE_EXACT], u_date, "u must stay fixed");
    free(counts);
}

static match_record rec(const char *birth, const char *first)
{
    match_record r;
    match_input in = {birth, "", first, "1980-01-01", "M", "", ""};
    cr_assert_eq(match_normalize(&in, &r), 0);
    return r;
}

Test(match_model, term_frequency_favours_rare_names)
{
    match_record recs[100];
    for (int i = 0; i < 98; i++)
        recs[i] = rec("Martin", i % 2 ? "Jean" : "Paul");
    recs[98] = rec("Kerguelen", "Yves");
    recs[99] = rec("Kerguelen", "Yves");
    match_tf *tf = tf_new(recs, 100);
    cr_assert_not_null(tf);
    match_model m;
    model_init(&m);
    m.u[MF_NAME][NAME_EXACT] = 0.01;
    match_cmp c = vec(NAME_EXACT, USED_NA, FIRST_NA, DATE_NA, SEX_NA, PLACE_NA, INS_NA);
    double common = tf_adjust(tf, &m, &recs[0], &c);
    double rare = tf_adjust(tf, &m, &recs[98], &c);
    cr_expect_lt(common, 0, "%f", common);
    cr_expect_gt(rare, common);
    c.level[MF_NAME] = NAME_CLOSE;
    cr_expect_eq(tf_adjust(tf, &m, &recs[98], &c), 0);
    tf_free(tf);
}

/* A forename common in its era but rare overall weighs less between two
 * records born the same year than between records of other eras. */
Test(match_model, forename_frequency_by_era)
{
    enum { N = 1000 };
    match_record *recs = calloc(N, sizeof *recs);
    cr_assert_not_null(recs);
    static const char *others[] = {"Lea", "Emma", "Chloe", "Manon", "Ines", "Jade"};
    for (int i = 0; i < N; i++) {
        match_input in = {"Martin", "", i < 60 ? "Nathalie" : others[i % 6],
                          i < 120 ? "1970-05-06" : "2005-05-06", "F", "", ""};
        cr_assert_eq(match_normalize(&in, &recs[i]), 0);
    }
    match_tf *tf = tf_new(recs, N);
    cr_assert_not_null(tf);
    match_model m;
    model_init(&m);
    m.u[MF_FIRST][FIRST_EXACT] = 0.01;
    match_cmp same_era = vec(NAME_NA, USED_NA, FIRST_EXACT, DATE_EXACT, SEX_NA, PLACE_NA, INS_NA);
    match_cmp other = vec(NAME_NA, USED_NA, FIRST_EXACT, DATE_DIFF, SEX_NA, PLACE_NA, INS_NA);
    double era = tf_adjust(tf, &m, &recs[0], &same_era);
    double overall = tf_adjust(tf, &m, &recs[0], &other);
    /* 60 of 120 in 1970-1979, 60 of 1000 overall. */
    cr_expect(fabs(era - log2(0.01 / 0.5)) < 1e-9, "era %f", era);
    cr_expect(fabs(overall - log2(0.01 / 0.06)) < 1e-9, "overall %f", overall);
    tf_free(tf);
    free(recs);
}

Test(match_model, thresholds_scale_with_the_population)
{
    match_model m;
    model_init(&m);
    model_scale_thresholds(&m, 5000);
    cr_expect_eq(m.upper, MODEL_DEFAULT_UPPER);
    cr_expect_eq(m.lower, MODEL_DEFAULT_LOWER);
    model_scale_thresholds(&m, 10 * (size_t)MODEL_SCALE_BASE);
    cr_expect(fabs(m.upper - (MODEL_DEFAULT_UPPER + log2(10.0))) < 1e-9, "%f", m.upper);
    cr_expect(fabs(m.lower - (MODEL_DEFAULT_LOWER + log2(10.0))) < 1e-9, "%f", m.lower);
    cr_expect_lt(m.lower, m.upper);
}

Test(match_model, json_round_trip_and_errors)
{
    match_model m, back;
    model_init(&m);
    m.m[MF_DATE][DATE_SWAP] = 0.0123;
    m.u[MF_NAME][NAME_PHON] = 0.0456;
    m.upper = 17.5;
    json_t *j = model_to_json(&m);
    cr_assert_not_null(j);
    socle_err err = {0};
    cr_assert_eq(model_from_json(j, &back, &err), 0, "%s", err.msg);
    cr_expect(fabs(back.m[MF_DATE][DATE_SWAP] - 0.0123) < 1e-12);
    cr_expect(fabs(back.u[MF_NAME][NAME_PHON] - 0.0456) < 1e-12);
    cr_expect_eq(back.upper, 17.5);
    json_object_set_new(j, "lower", json_real(99.0));
    cr_expect_eq(model_from_json(j, &back, &err), -1);
    json_decref(j);
    j = json_pack("{s:i}", "version", 2);
    cr_expect_eq(model_from_json(j, &back, &err), -1);
    cr_expect(strstr(err.msg, "version") != NULL);
    json_decref(j);
}

/* ---- Persisted term frequencies ---------------------------------------- */

typedef struct tf_dump {
    tf_count *v;
    size_t n, cap;
} tf_dump;

static int dump_one(const tf_count *c, void *ctx)
{
    tf_dump *d = ctx;
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 256;
        d->v = realloc(d->v, d->cap * sizeof *d->v);
        cr_assert_not_null(d->v);
    }
    d->v[d->n++] = *c;
    return 0;
}

/* The count of (kind, key) in the dump, as a store would answer. */
static uint64_t dump_count(const tf_dump *d, int kind, uint64_t key)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].kind == kind && d->v[i].key == key)
            return d->v[i].count;
    return 0;
}

/* For every record of a generated set (skewed name and forename
 * frequencies, births over several decades, some fields missing), the
 * small table rebuilt from the persisted counts that record needs gives
 * exactly the full table's adjustment, for every agreeing level shape. */
Test(match_model, tf_rebuilt_from_counts_equals_full_table)
{
    enum { N = 3000 };
    static const char *names[] = {"Martin", "Bernard", "Dubois", "Thomas", "Robert",
                                  "Kerguelen", "Le Goff", "De la Tour", "Nguyen", ""};
    static const char *firsts[] = {"Nathalie", "Jean Paul", "Marie-Claire", "Lea",
                                   "Yves", "Emma Louise", "", "Kevin"};
    static const char *dates[] = {"1952-03-04", "1968-11-30", "1971-07-14", "1988-01-02",
                                  "2004-09-09", "2019-12-31", "", "1890-05-05"};
    match_record *recs = calloc(N, sizeof *recs);
    cr_assert_not_null(recs);
    uint64_t x = 0x5EC1E;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r1 = (unsigned)(x >> 33), r2 = (unsigned)(x >> 45), r3 = (unsigned)(x >> 20);
        /* Skewed: the first entries are far more frequent. */
        const char *nm = names[(r1 % 100) < 50 ? 0 : r1 % 10];
        const char *fn = firsts[(r2 % 100) < 40 ? 0 : r2 % 8];
        match_input in = {nm, "", fn, dates[r3 % 8], i % 2 ? "F" : "M", "", ""};
        cr_assert_eq(match_normalize(&in, &recs[i]), 0);
    }
    match_tf *full = tf_new(recs, N);
    cr_assert_not_null(full);
    tf_dump d = { 0 };
    cr_assert_eq(tf_foreach(full, dump_one, &d), 0);
    cr_assert_gt(d.n, 3);
    cr_assert_eq(dump_count(&d, TF_TOTAL, 0), N);

    match_model m;
    model_init(&m);
    static const int name_lv[] = {NAME_EXACT, NAME_CLOSE};
    static const int first_lv[] = {FIRST_EXACT, FIRST_FIRST, FIRST_NA};
    static const int date_lv[] = {DATE_EXACT, DATE_YEAR, DATE_DIFF};
    size_t nonzero = 0;
    for (int i = 0; i < N; i++) {
        tf_count want[TF_RECORD_KEYS];
        size_t k = tf_record_keys(&recs[i], want);
        cr_assert_leq(k, TF_RECORD_KEYS);
        for (size_t j = 0; j < k; j++)
            want[j].count = dump_count(&d, want[j].kind, want[j].key);
        match_tf *small = tf_from_counts(want, k);
        cr_assert_not_null(small);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 3; c++) {
                    match_cmp v = vec(name_lv[a], USED_NA, first_lv[b], date_lv[c], SEX_NA,
                                      PLACE_NA, INS_NA);
                    double want_adj = tf_adjust(full, &m, &recs[i], &v);
                    double got_adj = tf_adjust(small, &m, &recs[i], &v);
                    cr_assert_eq(got_adj, want_adj, "record %d: %f != %f", i, got_adj,
                                 want_adj);
                    nonzero += want_adj != 0;
                }
        tf_free(small);
    }
    cr_expect_gt(nonzero, N, "the set exercises the adjustment");
    free(d.v);
    tf_free(full);
    free(recs);
}

/* Nothing persisted for a record: no adjustment. */
Test(match_model, tf_from_no_counts_adjusts_nothing)
{
    match_record r = rec("Martin", "Jean");
    tf_count want[TF_RECORD_KEYS];
    size_t k = tf_record_keys(&r, want);
    match_tf *small = tf_from_counts(want, k);
    cr_assert_not_null(small);
    match_model m;
    model_init(&m);
    match_cmp v = vec(NAME_EXACT, USED_NA, FIRST_EXACT, DATE_EXACT, SEX_NA, PLACE_NA, INS_NA);
    cr_expect_eq(tf_adjust(small, &m, &r, &v), 0);
    tf_free(small);
}
