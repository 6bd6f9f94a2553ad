/*
 * test_match_linker.c - decisions, protection rules and batch clusters.
 * All identities and matricules are synthetic.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "core/ins.h"
#include "match/linker.h"

/* A valid matricule: 13 digits + their key. */
static const char *nir(const char *first13)
{
    static char out[4][INS_LEN + 1];
    static int k;
    k = (k + 1) % 4;
    snprintf(out[k], sizeof out[k], "%.13s%02d", first13, ins_compute_key(first13));
    return out[k];
}

static match_record rec(const char *birth, const char *used, const char *first,
                        const char *date, const char *sex, const char *ins)
{
    match_record r;
    match_input in = {birth, used, first, date, sex, "75056", ins};
    cr_assert_eq(match_normalize(&in, &r), 0);
    return r;
}

static link_decision decide(const match_model *m, const match_record *a,
                            const match_record *b, link_rule *rule)
{
    match_cmp c;
    match_compare(a, b, &c);
    return linker_decide(m, a, b, &c, model_score(m, &c), rule);
}

Test(match_linker, same_person_links)
{
    match_model m;
    model_init(&m);
    match_record a = rec("Dupont", "", "Jean Paul", "1980-03-12", "M", "");
    match_record b = rec("DUPOND", "", "Jean", "1980-03-12", "M", "");
    link_rule r;
    cr_expect_eq(decide(&m, &a, &b, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_NONE);
}

Test(match_linker, twins_are_not_linked)
{
    match_model m;
    model_init(&m);
    match_record a = rec("Dupont", "", "Lucas", "2005-06-01", "M", "");
    match_record b = rec("Dupont", "", "Hugo", "2005-06-01", "M", "");
    link_rule r;
    cr_expect_neq(decide(&m, &a, &b, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_TWINS);
}

Test(match_linker, homonyms_are_not_linked)
{
    match_model m;
    model_init(&m);
    m.upper = 5;  /* even with a very permissive threshold */
    match_record a = rec("Martin", "", "Marie", "1950-02-11", "F", "");
    match_record b = rec("Martin", "", "Marie", "1987-09-30", "F", "");
    link_rule r;
    cr_expect_neq(decide(&m, &a, &b, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_HOMONYMS);
}

Test(match_linker, child_under_parent_nir)
{
    match_model m;
    model_init(&m);
    /* The father's NIR (a man born in March 1975) on his son's record. */
    const char *father = nir("1750375056123");
    match_record dad = rec("Durand", "", "Pierre", "1975-03-04", "M", father);
    match_record son = rec("Durand", "", "Pierre", "2010-07-15", "M", father);
    cr_expect_eq(dad.ins_state, MATCH_INS_USABLE);
    cr_expect_eq(son.ins_state, MATCH_INS_INCONSISTENT);
    link_rule r;
    cr_expect_neq(decide(&m, &dad, &son, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_NIR_MISMATCH);
}

Test(match_linker, equal_ins_links_unless_traits_contradict)
{
    match_model m;
    model_init(&m);
    const char *ins = nir("2800375056123");
    /* Names badly typed, but the same certified identity. */
    match_record a = rec("Lefebvre", "", "Anne", "1980-03-12", "F", ins);
    match_record b = rec("Lefeuvre", "", "Annie", "1980-03-21", "F", ins);
    link_rule r;
    cr_expect_eq(decide(&m, &a, &b, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_INS_EQUAL);
    /* Same INS, but another sex: not automatic. */
    match_record c = rec("Lefebvre", "", "Anne", "1980-03-12", "U", ins);
    c.sex = 'M';
    cr_expect_neq(decide(&m, &a, &c, &r), MATCH_AUTO);
    /* Same INS, but nothing else in common: not automatic. */
    match_record e = rec("Moreau", "", "Sophie", "1980-03-01", "F", ins);
    cr_expect_neq(decide(&m, &a, &e, &r), MATCH_AUTO);
}

Test(match_linker, different_usable_ins_never_auto)
{
    match_model m;
    model_init(&m);
    match_record a = rec("Petit", "", "Louise", "1990-01-02", "F", nir("2900175056001"));
    match_record b = rec("Petit", "", "Louise", "1990-01-02", "F", nir("2900175056002"));
    link_rule r;
    cr_expect_neq(decide(&m, &a, &b, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_INS_DIFFERENT);
}

/* Same forenames, birth date, sex and place but two unrelated birth
 * names: strong on the score, yet only a human may link them (strangers
 * or a married name given as birth name). Not a conflict, and an equal
 * INS still links; a married name found as the other's used name is a
 * swap, not a difference. */
Test(match_linker, different_birth_names_go_to_review)
{
    match_model m;
    model_init(&m);
    match_record a = rec("Dupont", "", "Marie Claire", "1980-03-12", "F", "");
    match_record b = rec("Lefebvre", "", "Marie Claire", "1980-03-12", "F", "");
    match_cmp c;
    match_compare(&a, &b, &c);
    cr_assert_eq(c.level[MF_NAME], NAME_DIFF);
    cr_assert_geq(model_score(&m, &c), m.upper, "the score alone would link");
    cr_expect_eq(linker_conflict(&a, &b, &c), RULE_NONE);
    link_rule r;
    cr_expect_eq(decide(&m, &a, &b, &r), MATCH_REVIEW);
    cr_expect_eq(r, RULE_BIRTH_NAMES_DIFFER);
    cr_expect_str_eq(link_rule_name(r), "birth names differ");
    const char *ins = nir("2800375056123");
    a = rec("Dupont", "", "Marie Claire", "1980-03-12", "F", ins);
    b = rec("Lefebvre", "", "Marie Claire", "1980-03-12", "F", ins);
    cr_expect_eq(decide(&m, &a, &b, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_INS_EQUAL);
    a = rec("Dupont", "Lefebvre", "Marie Claire", "1980-03-12", "F", "");
    b = rec("Lefebvre", "", "Marie Claire", "1980-03-12", "F", "");
    cr_expect_eq(decide(&m, &a, &b, &r), MATCH_AUTO);
    cr_expect_eq(r, RULE_NONE);
}

/* A-B and B-C are both strong, but A and C are twins: no chain. */
Test(match_linker, clusters_do_not_chain_twins)
{
    match_record recs[6];
    recs[0] = rec("Bernard", "", "Lea", "2001-04-05", "F", "");
    recs[1] = rec("Bernard", "", "Lea Emma", "2001-04-05", "F", "");
    recs[2] = rec("Bernard", "", "Emma", "2001-04-05", "F", "");
    recs[3] = rec("Bernard", "", "Lea", "2001-04-05", "F", "");
    recs[4] = rec("Garnier", "", "Paul", "1960-10-10", "M", "");
    recs[5] = rec("Garnier", "", "Paul", "1960-10-10", "M", "");
    linker_opts o = {.threads = 2, .upper = 10, .lower = 4};
    linker_result res;
    socle_err err = {0};
    cr_assert_eq(linker_run(recs, 6, &o, &res, &err), 0, "%s", err.msg);
    cr_expect_eq(res.cluster[0], res.cluster[3]);
    cr_expect_eq(res.cluster[4], res.cluster[5]);
    cr_expect_neq(res.cluster[0], res.cluster[2], "twins Lea and Emma chained");
    cr_expect_neq(res.cluster[0], res.cluster[4]);
    cr_expect_eq(res.cluster[0], 1);  /* numbered by first record */
    cr_expect_gt(res.comparisons, 0);
    /* What was refused is left to a human. */
    cr_expect_gt(res.n_review + res.refused, 0);
    for (size_t i = 1; i < res.n_review; i++)
        cr_expect_geq(res.review[i - 1].score, res.review[i].score);
    linker_result_free(&res);
}

static match_record rec_at(const char *birth, const char *first, const char *date,
                           const char *sex, const char *place)
{
    match_record r;
    match_input in = {birth, "", first, date, sex, place, ""};
    cr_assert_eq(match_normalize(&in, &r), 0);
    return r;
}

/* A population where many strangers share a family name and a forename
 * (the name + forename pass pairs them all): learning must still see that
 * a different birth date means another person, and link the true pairs
 * without fusing the strangers. One EM over all candidates learned
 * "same name" as "same person" here. */
Test(match_linker, learning_is_not_fooled_by_shared_names)
{
    static const char *names[] = {"Martin", "Bernard", "Thomas", "Petit", "Robert",
                                  "Richard", "Durand", "Dubois", "Moreau", "Laurent",
                                  "Simon", "Michel", "Lefebvre", "Leroy", "Roux",
                                  "David", "Bertrand", "Morel", "Fournier", "Girard"};
    static const char *firsts[] = {"Jean", "Pierre", "Michel", "Alain", "Philippe",
                                   "Nicolas", "Marie", "Nathalie", "Isabelle", "Sylvie"};
    enum { PERSONS = 2500 };
    match_record *recs = calloc(2 * PERSONS, sizeof *recs);
    uint32_t *person = calloc(2 * PERSONS, sizeof *person);
    cr_assert(recs != NULL && person != NULL);
    size_t n = 0, true_pairs = 0;
    uint64_t s = 99;
    for (uint32_t p = 0; p < PERSONS; p++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = s >> 20;
        int fi = (int)(r % 10);
        const char *name = names[(r / 10) % 20];
        char date[16], first[32], place[8];
        snprintf(date, sizeof date, "%04d-%02d-%02d", 1950 + (int)(r / 200 % 30),
                 1 + (int)(r / 6000 % 12), 1 + (int)(r / 72000 % 28));
        snprintf(first, sizeof first, "%s %s", firsts[fi], firsts[(fi + 3) % 10]);
        snprintf(place, sizeof place, "35%03d", (int)(r / 2016000 % 60));
        const char *sex = fi < 6 ? "M" : "F";
        person[n] = p;
        recs[n++] = rec_at(name, first, date, sex, place);
        if (r / 120960000 % 2 == 0) {  /* a second record, second forename dropped */
            person[n] = p;
            recs[n++] = rec_at(name, firsts[fi], date, sex, place);
            true_pairs++;
        }
    }
    cr_assert_geq(n, LINKER_MIN_LEARN);
    linker_opts o = {.threads = 2};
    linker_result res;
    socle_err err = {0};
    cr_assert_eq(linker_run(recs, n, &o, &res, &err), 0, "%s", err.msg);
    cr_expect_lt(model_weight(&res.model, MF_DATE, DATE_DIFF), -4.0, "date weight %f",
                 model_weight(&res.model, MF_DATE, DATE_DIFF));
    cr_expect_gt(model_weight(&res.model, MF_DATE, DATE_EXACT), 5.0);
    size_t linked = 0, wrong = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            if (res.cluster[a] == res.cluster[b]) {
                linked++;
                wrong += person[a] != person[b];
            }
    cr_expect_eq(wrong, 0, "%zu strangers linked", wrong);
    cr_expect_geq(linked - wrong, true_pairs * 95 / 100, "%zu of %zu true pairs",
                  linked - wrong, true_pairs);
    linker_result_free(&res);
    free(recs);
    free(person);
}

Test(match_linker, empty_input)
{
    linker_result res;
    socle_err err = {0};
    cr_assert_eq(linker_run(NULL, 0, NULL, &res, &err), 0, "%s", err.msg);
    cr_expect_eq(res.n_clusters, 0);
    linker_result_free(&res);
}

Test(match_linker, rule_names)
{
    cr_expect_str_eq(link_rule_name(RULE_TWINS), "twins");
    cr_expect_str_eq(link_rule_name(RULE_NIR_MISMATCH), "NIR contradicts the traits");
}
