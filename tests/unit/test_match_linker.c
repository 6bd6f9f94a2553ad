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
