/*
 * test_match_blocking.c - blocking keys, pair filters and training blocks.
 * All identities are synthetic.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/blocking.h"

static match_record rec(const char *birth, const char *first, const char *date,
                        const char *sex)
{
    match_record r;
    match_input in = {birth, "", first, date, sex, "35238", ""};
    cr_assert_eq(match_normalize(&in, &r), 0);
    return r;
}

/* Same date and sex: worth comparing only when the forename lists share
 * an initial (of any forename or part), or one list is unknown. */
Test(match_blocking, date_sex_pairs_need_a_shared_initial)
{
    match_record a = rec("Dupont", "Jean-Pierre Marie", "1980-03-12", "M");
    match_record b = rec("Garnier", "Paul", "1980-03-12", "M");
    cr_expect(blocking_pair_wanted(BK_DATE_SEX, &a, &b), "P of Pierre");
    b = rec("Garnier", "Luc Michel", "1980-03-12", "M");
    cr_expect(blocking_pair_wanted(BK_DATE_SEX, &a, &b), "M of Marie");
    b = rec("Garnier", "Luc", "1980-03-12", "M");
    cr_expect_not(blocking_pair_wanted(BK_DATE_SEX, &a, &b));
    cr_expect_not(blocking_pair_wanted(BK_NAME_YEAR, &a, &b));
    cr_expect_not(blocking_pair_wanted(BK_USED_YEAR, &a, &b));
    b = rec("Garnier", "", "1980-03-12", "M");
    cr_expect(blocking_pair_wanted(BK_DATE_SEX, &a, &b));
    /* Passes without a filter. */
    b = rec("Garnier", "Luc", "1980-03-12", "M");
    cr_expect(blocking_pair_wanted(BK_INS, &a, &b));
    cr_expect(blocking_pair_wanted(BK_FIRST_DATE, &a, &b));
}

/* Same name and forename: worth comparing unless the birth dates are
 * both known and unrelated. */
Test(match_blocking, name_first_pairs_need_compatible_dates)
{
    match_record a = rec("Dupont", "Jean", "1980-03-12", "M");
    match_record b = rec("Dupont", "Jean", "1980-12-03", "M");
    cr_expect(blocking_pair_wanted(BK_NAME_FIRST, &a, &b), "day/month swapped");
    b = rec("Dupont", "Jean", "1981-03-12", "M");
    cr_expect(blocking_pair_wanted(BK_NAME_FIRST, &a, &b), "one digit");
    b = rec("Dupont", "Jean", "", "M");
    cr_expect(blocking_pair_wanted(BK_NAME_FIRST, &a, &b), "unknown date");
    b = rec("Dupont", "Jean", "1955-07-21", "M");
    cr_expect_not(blocking_pair_wanted(BK_NAME_FIRST, &a, &b));
}

/* About one block in 8 is a training block, by its key alone. */
Test(match_blocking, training_blocks_are_a_fixed_share)
{
    size_t training = 0, total = 80000;
    uint64_t k = 0x12345;
    for (size_t i = 0; i < total; i++) {
        k = k * 6364136223846793005ULL + 1442695040888963407ULL;
        int t = blocking_training_key(k);
        cr_assert_eq(t, blocking_training_key(k));
        training += (size_t)t;
    }
    cr_expect(training > total / 8 - total / 80 && training < total / 8 + total / 80,
              "%zu of %zu", training, total);
}

/* A block of strangers born the same day: outside a training block only
 * the pairs that share a forename initial are candidates, in a training
 * block all of them. */
Test(match_blocking, pairs_filtered_outside_training_blocks)
{
    static const char *firsts[] = {"Luc", "Paul", "Marc", "Yves", "Hugo", "Rene"};
    enum { N = 6 * 40 };
    match_record *recs = calloc(N, sizeof *recs);
    cr_assert_not_null(recs);
    /* 40 dates, 6 men each with forenames of different initials and other
     * names: within a date, the pairs share only the DATE_SEX key. */
    for (int d = 0; d < 40; d++)
        for (int i = 0; i < 6; i++) {
            char date[16], name[16];
            snprintf(date, sizeof date, "1970-%02d-%02d", 1 + d / 28, 1 + d % 28);
            snprintf(name, sizeof name, "%c%cNARD", 'B' + i, 'A' + d % 20);
            recs[d * 6 + i] = rec(name, firsts[i], date, "M");
        }
    match_pairs p;
    blocking_stats st;
    socle_err err = {0};
    cr_assert_eq(blocking_pairs(recs, N, 0, 0, &p, &st, &err), 0, "%s", err.msg);
    size_t expected = 0;
    for (int d = 0; d < 40; d++) {
        uint64_t k[BLOCKING_PASSES];
        blocking_keys(&recs[d * 6], k);
        expected += blocking_training_key(k[BK_DATE_SEX]) ? 15 : 0;
    }
    size_t same_day = 0;  /* other passes pair the same names across dates */
    for (size_t i = 0; i < p.n; i++)
        same_day += (p.v[i] >> 32) / 6 == (p.v[i] & 0xFFFFFFFFu) / 6;
    cr_expect_eq(same_day, expected, "%zu pairs, %zu expected", same_day, expected);
    cr_expect_geq(st.filtered, 40 * 15 - expected);
    cr_expect_gt(expected, 0, "no training block among 40: change the dates");
    cr_expect_lt(expected, 40 * 15);
    match_pairs_free(&p);
    free(recs);
}
