/*
 * test_match_normalize.c - normalisation of identity traits for matching.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "match/normalize.h"

Test(match_normalize, accents_case_and_separators)
{
    char out[64];
    cr_assert_eq(normalize_text("Éloïse  Çàvé-Brûlé", out, sizeof out, 0), 0);
    cr_expect_str_eq(out, "ELOISE CAVE BRULE");
    cr_assert_eq(normalize_text("  jean -  pierre ", out, sizeof out, 1), 0);
    cr_expect_str_eq(out, "JEAN-PIERRE");
    cr_assert_eq(normalize_text("Œdipe Æsir straße", out, sizeof out, 0), 0);
    cr_expect_str_eq(out, "OEDIPE AESIR STRASSE");
}

Test(match_normalize, names_drop_separators_and_particles)
{
    char full[MATCH_NAME_MAX], core[MATCH_NAME_MAX];
    cr_assert_eq(normalize_name("Le Goff", full, core, sizeof full), 0);
    cr_expect_str_eq(full, "LEGOFF");
    cr_expect_str_eq(core, "GOFF");
    cr_assert_eq(normalize_name("LE-GOFF", full, core, sizeof full), 0);
    cr_expect_str_eq(full, "LEGOFF");
    cr_assert_eq(normalize_name("d\xE2\x80\x99" "Artagnan", full, core, sizeof full), 0);
    cr_expect_str_eq(full, "DARTAGNAN");
    cr_expect_str_eq(core, "ARTAGNAN");
    cr_assert_eq(normalize_name("de la Fontaine", full, core, sizeof full), 0);
    cr_expect_str_eq(full, "DELAFONTAINE");
    cr_expect_str_eq(core, "FONTAINE");
    /* A name made only of particles stays itself. */
    cr_assert_eq(normalize_name("Dela", full, core, sizeof full), 0);
    cr_expect_str_eq(core, "DELA");
    cr_assert_eq(normalize_name("Le", full, core, sizeof full), 0);
    cr_expect_str_eq(core, "LE");
}

Test(match_normalize, forenames_keep_composed_hyphen)
{
    char out[MATCH_FORENAMES_MAX];
    cr_assert_eq(normalize_forenames("Jean-Pierre  Marie", out, sizeof out), 0);
    cr_expect_str_eq(out, "JEAN-PIERRE MARIE");
    cr_assert_eq(normalize_forenames("Anne–Sophie", out, sizeof out), 0);  /* en dash */
    cr_expect_str_eq(out, "ANNE-SOPHIE");
    cr_assert_eq(normalize_forenames("- Lucie -", out, sizeof out), 0);
    cr_expect_str_eq(out, "LUCIE");
}

Test(match_normalize, truncates_on_code_point_boundary)
{
    char out[6];
    cr_assert_eq(normalize_text("ABCD\xD0\x96" "EF", out, sizeof out, 0), 0);
    cr_expect_str_eq(out, "ABCD");  /* the 2-byte letter does not fit */
}

Test(match_normalize, dates)
{
    uint16_t y;
    uint8_t m, d;
    cr_expect_eq(normalize_date("1980-02-29", &y, &m, &d), 1);
    cr_expect(y == 1980 && m == 2 && d == 29);
    cr_expect_eq(normalize_date("1981-02-29", &y, &m, &d), 0);
    cr_expect_eq(y, 0);
    cr_expect_eq(normalize_date("1980-13-01", &y, &m, &d), 0);
    cr_expect_eq(normalize_date("19800101", &y, &m, &d), 0);
    cr_expect_eq(normalize_date("1975-00-00", &y, &m, &d), 1);
    cr_expect(y == 1975 && m == 0 && d == 0);
    cr_expect_eq(normalize_date("", &y, &m, &d), 0);
}

Test(match_normalize, whole_record_and_ins_states)
{
    match_record r;
    /* 2 80 03 75 056 123 + key: a woman born in March 1980. */
    match_input in = {"Dupont-Martin", "Durand", "Marie-Claire Anne", "1980-03-12",
                      "F", "75056", "280037505612363"};
    cr_assert_eq(match_normalize(&in, &r), 0);
    cr_expect_str_eq(r.birth_name, "DUPONTMARTIN");
    cr_expect_str_eq(r.forenames, "MARIE-CLAIRE ANNE");
    cr_expect_str_eq(r.place, "75056");
    cr_expect_eq(r.sex, 'F');
    cr_expect(r.year == 1980 && r.month == 3 && r.day == 12);
    cr_expect_neq(r.birth_phon[0], '\0');
    cr_expect_neq(r.first_phon[0], '\0');
    /* The key above is not the right one: the INS is invalid. */
    cr_expect_eq(r.ins_state, MATCH_INS_INVALID);

    in.ins = "";
    cr_assert_eq(match_normalize(&in, &r), 0);
    cr_expect_eq(r.ins_state, MATCH_INS_NONE);
    in.sex = "x";
    in.birth_place = "7505";
    cr_assert_eq(match_normalize(&in, &r), 0);
    cr_expect_eq(r.sex, 'U');
    cr_expect_str_eq(r.place, "");
}

Test(match_normalize, invalid_utf8_is_an_error)
{
    match_record r;
    match_input in = {"Dup\xC3", NULL, NULL, NULL, NULL, NULL, NULL};
    cr_expect_eq(match_normalize(&in, &r), -1);
}

Test(match_normalize, particles)
{
    cr_expect(normalize_is_particle("DE"));
    cr_expect(normalize_is_particle("D"));
    cr_expect(normalize_is_particle("VAN"));
    cr_expect_not(normalize_is_particle("DUPONT"));
}
