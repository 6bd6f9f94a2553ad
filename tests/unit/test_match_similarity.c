/*
 * test_match_similarity.c - string measures and comparison levels.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "match/similarity.h"

static match_record rec(const char *birth, const char *used, const char *first,
                        const char *date, const char *sex, const char *place)
{
    match_record r;
    match_input in = {birth, used, first, date, sex, place, ""};
    cr_assert_eq(match_normalize(&in, &r), 0);
    return r;
}

Test(match_similarity, jaro_winkler_reference_values)
{
    /* Classic textbook values. */
    cr_expect(fabs(sim_jaro_winkler("MARTHA", "MARHTA") - 0.961) < 0.001);
    cr_expect(fabs(sim_jaro_winkler("DWAYNE", "DUANE") - 0.840) < 0.001);
    cr_expect(fabs(sim_jaro_winkler("DIXON", "DICKSONX") - 0.813) < 0.001);
    cr_expect_eq(sim_jaro_winkler("", ""), 1.0);
    cr_expect_eq(sim_jaro_winkler("ABC", ""), 0.0);
    cr_expect_eq(sim_jaro_winkler("ABC", "XYZ"), 0.0);
}

Test(match_similarity, damerau_counts_code_points)
{
    cr_expect_eq(sim_damerau("MARTIN", "MARTIN"), 0);
    cr_expect_eq(sim_damerau("MARTIN", "MRATIN"), 1);   /* transposition */
    cr_expect_eq(sim_damerau("MARTIN", "MARTINE"), 1);
    cr_expect_eq(sim_damerau("KITTEN", "SITTING"), 3);
    cr_expect_eq(sim_damerau("", "ABC"), 3);
    /* One Cyrillic letter is one edit, not two bytes. */
    cr_expect_eq(sim_damerau("\xD0\x96" "OR", "\xD0\x97" "OR"), 1);
}

Test(match_similarity, birth_names)
{
    match_record a = rec("Dupont", "", "Jean", "1980-01-02", "M", "");
    match_record b = rec("DUPONT", "", "Jean", "1980-01-02", "M", "");
    match_cmp c;
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_NAME], NAME_EXACT);
    b = rec("Dupond", "", "Jean", "1980-01-02", "M", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_NAME], NAME_CLOSE);
    b = rec("de la Fontaine", "", "Jean", "", "M", "");
    a = rec("Fontaine", "", "Jean", "", "M", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_NAME], NAME_EXACT);
    cr_expect_eq(c.level[MF_DATE], DATE_NA);
    /* A married name given as the birth name. */
    a = rec("Dupont", "Lefebvre", "Marie", "", "F", "");
    b = rec("Lefebvre", "", "Marie", "", "F", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_NAME], NAME_SWAP);
    cr_expect_eq(c.level[MF_USED], USED_NA);
    a = rec("Renaud", "", "Marie", "", "F", "");
    b = rec("Reno", "", "Marie", "", "F", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_NAME], NAME_PHON);
    b = rec("Bernard", "", "Marie", "", "F", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_NAME], NAME_DIFF);
}

/* A used name that repeats the record's own birth name (a copy some
 * establishments make) is not compared: it would count the birth name
 * twice. A real used name (a married name) is. */
Test(match_similarity, copied_used_name_is_not_compared)
{
    match_record a = rec("Dupont", "Dupont", "Jean", "1980-01-02", "M", "");
    match_record b = rec("Dupont", "DUPONT", "Jean", "1980-01-02", "M", "");
    match_cmp c;
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_NAME], NAME_EXACT);
    cr_expect_eq(c.level[MF_USED], USED_NA);
    b = rec("Dupont", "", "Jean", "1980-01-02", "M", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_USED], USED_NA);
    a = rec("Martin", "Lefebvre", "Marie", "1980-01-02", "F", "");
    b = rec("Martin", "Lefebvre", "Marie", "1980-01-02", "F", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_USED], USED_EQ);
    b = rec("Martin", "Garnier", "Marie", "1980-01-02", "F", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_USED], USED_DIFF);
    /* One side a copy: nothing to compare. */
    b = rec("Martin", "Martin", "Marie", "1980-01-02", "F", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_USED], USED_NA);
}

Test(match_similarity, forename_lists)
{
    match_cmp c;
    match_record a = rec("X", "", "Jean-Pierre Marie", "", "", "");
    match_record b = rec("X", "", "Jean Pierre Marie", "", "", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_FIRST], FIRST_EXACT);
    b = rec("X", "", "Jean-Pierre", "", "", "");  /* second forename missing */
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_FIRST], FIRST_FIRST);
    b = rec("X", "", "Marie Jean-Pierre", "", "", "");  /* order */
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_FIRST], FIRST_PARTIAL);
    b = rec("X", "", "Pierre", "", "", "");  /* part of the composed one */
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_FIRST], FIRST_PARTIAL);
    a = rec("X", "", "Mathieu", "", "", "");
    b = rec("X", "", "Matthieu", "", "", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_FIRST], FIRST_CLOSE);
    b = rec("X", "", "Lucas", "", "", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_FIRST], FIRST_DIFF);
    cr_expect(match_forenames_differ(&a, &b));
    b = rec("X", "", "", "", "", "");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_FIRST], FIRST_NA);
}

Test(match_similarity, dates)
{
    match_record a = rec("X", "", "A", "1980-03-12", "", "");
    match_record b = rec("X", "", "A", "1980-12-03", "", "");
    cr_expect_eq(match_compare_dates(&a, &b), DATE_SWAP);
    b = rec("X", "", "A", "1980-03-13", "", "");
    cr_expect_eq(match_compare_dates(&a, &b), DATE_TYPO);
    b = rec("X", "", "A", "1908-03-12", "", "");  /* adjacent digits swapped */
    cr_expect_eq(match_compare_dates(&a, &b), DATE_TYPO);
    b = rec("X", "", "A", "1980-07-25", "", "");
    cr_expect_eq(match_compare_dates(&a, &b), DATE_YEAR);
    b = rec("X", "", "A", "1975-07-25", "", "");
    cr_expect_eq(match_compare_dates(&a, &b), DATE_DIFF);
    b = rec("X", "", "A", "1980-03-12", "", "");
    cr_expect_eq(match_compare_dates(&a, &b), DATE_EXACT);
    b = rec("X", "", "A", "", "", "");
    cr_expect_eq(match_compare_dates(&a, &b), DATE_NA);
}

Test(match_similarity, sex_place_and_names_of_levels)
{
    match_cmp c;
    match_record a = rec("X", "", "A", "", "M", "75056");
    match_record b = rec("X", "", "A", "", "F", "75101");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_SEX], SEX_DIFF);
    cr_expect_eq(c.level[MF_PLACE], PLACE_DEPT);
    cr_expect_eq(c.level[MF_INS], INS_NA);
    b = rec("X", "", "A", "", "U", "99100");
    a = rec("X", "", "A", "", "M", "99134");
    match_compare(&a, &b, &c);
    cr_expect_eq(c.level[MF_SEX], SEX_NA);
    cr_expect_eq(c.level[MF_PLACE], PLACE_DIFF);  /* abroad: no department */
    cr_expect_str_eq(match_level_name(MF_DATE, DATE_SWAP), "day/month swapped");
    cr_expect_str_eq(match_field_name(MF_INS), "ins");
    cr_expect_eq(match_levels(MF_NAME), NAME_LEVELS);
}
