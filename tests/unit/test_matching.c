/*
 * test_matching.c - real-time identity matching (core/matching) and the
 * identity cell's review tasks (core/review).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/matching.h"
#include "core/review.h"
#include "identity_fixtures.h"

TestSuite(matching, .init = identity_setup, .fini = identity_teardown);

/* ---- Helpers ---------------------------------------------------------- */

/* A woman born 1975-06-21 in Lyon, with a used name. */
static identity_traits claire(void)
{
    identity_traits t;
    memset(&t, 0, sizeof t);
    strcpy(t.birth_name, "ROUSSEL-TEST");
    strcpy(t.used_name, "BERTIN-TEST");
    strcpy(t.first_forename, "CLAIRE");
    strcpy(t.forenames, "CLAIRE ANNE");
    strcpy(t.birth_date, "1975-06-21");
    t.sex = 'F';
    strcpy(t.birth_place, "69123");
    return t;
}

static review_page list_tasks(unsigned mask, const review_scope *scope)
{
    review_query q = { .status_mask = mask };
    review_page p;
    socle_err err = { 0 };
    cr_assert_eq(review_list(st, &actor, scope, &q, &p, &err), 0, "%s", err.msg);
    return p;
}

/* The only open task; there must be exactly one. */
static review_task only_open_task(void)
{
    review_page p = list_tasks(1u << REVIEW_OPEN, NULL);
    cr_assert_eq(p.n, 1, "%zu open tasks", p.n);
    review_task t = p.items[0];
    review_page_free(&p);
    return t;
}

static review_task decide_ok(int64_t id, review_verdict v, const char *comment)
{
    review_task t;
    socle_err err = { 0 };
    cr_assert_eq(review_decide(st, &actor, NULL, id, v, comment, &t, &err), 0, "%s", err.msg);
    return t;
}

static int link_reason_has(int64_t local_id, const char *text)
{
    link_list l = links_of_local(local_id);
    for (int i = 0; i < l.n && i < 16; i++)
        if (strstr(l.l[i].reason, text) != NULL)
            return 1;
    return 0;
}

/* ---- Automatic links -------------------------------------------------- */

Test(matching, same_person_with_a_typo_joins_the_ght_identity)
{
    identity_result a = create(OID_A, "IPP-A-1", claire());
    identity_traits t = claire();
    strcpy(t.birth_name, "ROUSEL-TEST");   /* a letter lost */
    identity_result b = create(OID_B, "IPP-B-1", t);

    cr_assert_eq(b.ght_id, a.ght_id);
    cr_assert_eq(b.matched, 1);
    cr_assert_eq(b.match_decision, MATCH_AUTO);
    cr_assert_eq(b.reviews_opened, 0);
    cr_assert(link_reason_has(b.local_id, "matching: auto"), "the link gives the score");
    cr_assert_eq(counts().ght_identities, 1);
    assert_audit_intact();
}

Test(matching, a_very_different_identity_gets_its_own_ght_identity)
{
    identity_result a = create(OID_A, "IPP-A-2", claire());
    identity_result b = create(OID_B, "IPP-B-2", traits_m());
    cr_assert_neq(a.ght_id, b.ght_id);
    cr_assert_eq(b.match_decision, MATCH_NONE);
    cr_assert_eq(b.reviews_opened, 0);
}

Test(matching, an_updated_identity_that_now_matches_is_merged)
{
    identity_result a = create(OID_A, "IPP-A-3", claire());
    identity_result b = create(OID_B, "IPP-B-3", hurried(claire()));
    cr_assert_neq(a.ght_id, b.ght_id);

    /* The second establishment corrects its record. */
    identity_input in = input(OID_B, "IPP-B-3", claire());
    identity_result res = upsert_ok(&in);
    cr_assert_eq(res.outcome, IDENTITY_UPDATED);
    cr_assert_eq(res.match_decision, MATCH_AUTO);
    cr_assert_neq(res.merge_id, 0);
    cr_assert_eq(get_local(a.local_id).ght_id, get_local(b.local_id).ght_id);
    /* The review task of the hurried record is moot now. */
    review_page p = list_tasks(1u << REVIEW_OBSOLETE, NULL);
    cr_assert_eq(p.n, 1);
    review_page_free(&p);
}

/* ---- Never linked automatically --------------------------------------- */

Test(matching, a_candidate_in_the_same_domain_goes_to_review)
{
    identity_result a = create(OID_A, "IPP-A-4", claire());
    identity_result b = create(OID_A, "IPP-A-5", claire());
    cr_assert_neq(a.ght_id, b.ght_id, "two IPPs of one establishment: that is for A40");
    cr_assert_eq(b.match_decision, MATCH_REVIEW);
    cr_assert_eq(b.reviews_opened, 1);
    review_task t = only_open_task();
    cr_assert_not_null(strstr(t.reason, "same IPP domain"), "%s", t.reason);
}

/* The task's score and explanation are those of the pair compared afresh
 * (matching_explain), though the task is opened from what the scoring
 * kept; a sure pair refused by the group check says it was "auto". */
Test(matching, a_review_task_explains_the_pair_as_matching_explain_does)
{
    identity_result a = create(OID_A, "IPP-A-40", claire());
    identity_result b = create(OID_B, "IPP-B-40", hurried(claire()));
    identity_result c = create(OID_A, "IPP-A-41", claire());
    cr_assert_eq(b.reviews_opened, 1);
    cr_assert_eq(c.match_decision, MATCH_REVIEW);
    review_page p = list_tasks(1u << REVIEW_OPEN, NULL);
    cr_assert_geq(p.n, 2, "%zu open tasks", p.n);
    size_t checked = 0, refused = 0;
    for (size_t i = 0; i < p.n; i++) {
        const review_task *t = &p.items[i];
        matching_explanation e;
        socle_err err = { 0 };
        cr_assert_eq(matching_explain(st, &actor, t->local_a, t->local_b, &e, &err), 0, "%s",
                     err.msg);
        char *json = matching_explanation_json(&e);
        cr_assert_str_eq(t->explanation, json);
        free(json);
        cr_assert_float_eq(t->score, e.score, 1e-9);
        char head[64];
        snprintf(head, sizeof head, "matching: %s, score", matching_decision_name(e.decision));
        cr_assert_eq(strncmp(t->reason, head, strlen(head)), 0, "%s", t->reason);
        if (strstr(t->reason, "not linked automatically") != NULL) {
            cr_assert_eq(e.decision, MATCH_AUTO, "%s", t->reason);
            refused++;
        }
        checked++;
    }
    cr_assert_eq(checked, p.n);
    review_page_free(&p);
    cr_assert_geq(refused, 1, "the same-domain pair was sure, and refused");
    (void)a;
}

Test(matching, a_ght_identity_holding_the_domain_already_is_not_joined)
{
    identity_result a = create(OID_A, "IPP-A-6", claire());
    identity_result b = create(OID_B, "IPP-B-6", claire());
    cr_assert_eq(a.ght_id, b.ght_id);
    /* A third record, in the first domain: its candidate B is in another
     * domain, but B's GHT identity holds A, of the same domain. */
    identity_result c = create(OID_A, "IPP-A-7", claire());
    cr_assert_neq(c.ght_id, a.ght_id);
    cr_assert_eq(c.match_decision, MATCH_REVIEW);
}

Test(matching, twins_are_never_linked_automatically)
{
    identity_traits t1 = claire(), t2 = claire();
    strcpy(t2.first_forename, "ELISE");
    strcpy(t2.forenames, "ELISE MARIE");
    identity_result a = create(OID_A, "IPP-A-8", t1);
    identity_result b = create(OID_B, "IPP-B-8", t2);
    cr_assert_neq(a.ght_id, b.ght_id);
    cr_assert_neq(b.match_decision, MATCH_AUTO);
}

Test(matching, homonyms_are_never_linked_automatically)
{
    identity_traits t1 = claire(), t2 = claire();
    strcpy(t2.birth_date, "1982-01-09");
    identity_result a = create(OID_A, "IPP-A-9", t1);
    identity_result b = create(OID_B, "IPP-B-9", t2);
    cr_assert_neq(a.ght_id, b.ght_id);
    cr_assert_neq(b.match_decision, MATCH_AUTO);
}

Test(matching, a_child_under_a_parents_nir_is_never_linked_automatically)
{
    /* The mother with her INS; her daughter registered elsewhere under the
     * same family name with the mother's NIR. */
    identity_result mother = create_with_ins(OID_A, "IPP-A-10", claire(), 11);
    local_identity m = get_local(mother.local_id);
    identity_traits child = claire();
    strcpy(child.used_name, "");
    strcpy(child.first_forename, "LOUISE");
    strcpy(child.forenames, "LOUISE");
    strcpy(child.birth_date, "2004-06-21");
    identity_input in = input(OID_B, "IPP-B-10", child);
    strcpy(in.ins, m.ins);
    strcpy(in.ins_oid, m.ins_oid);
    in.insi_verified = 1;
    identity_result c = upsert_ok(&in);
    /* The RNIV rules refuse the NIR (its year is not the child's)... */
    cr_assert_eq(c.ins_dropped, 1);
    cr_assert_neq(c.ght_id, mother.ght_id);
    cr_assert_eq(c.linked_by_ins, 0);
    cr_assert_neq(c.match_decision, MATCH_AUTO);

    /* ...and were it kept, the decision the real-time matching takes on
     * the pair is not an automatic link either. */
    match_record rm, rc;
    matching_record(&m.traits, m.ins, &rm);
    matching_record(&child, m.ins, &rc);
    match_model model;
    model_init(&model);
    matching_explanation e;
    matching_explain_records(&model, NULL, &rm, &rc, &e);
    cr_assert_neq(e.decision, MATCH_AUTO);
    cr_assert_eq(e.rule, RULE_NIR_MISMATCH, "%s", link_rule_name(e.rule));
}

/* ---- Review tasks and decisions ---------------------------------------- */

Test(matching, a_borderline_pair_opens_one_review_task_with_its_explanation)
{
    identity_result a = create(OID_A, "IPP-A-11", claire());
    identity_result b = create(OID_B, "IPP-B-11", hurried(claire()));
    cr_assert_neq(a.ght_id, b.ght_id);
    cr_assert_eq(b.match_decision, MATCH_REVIEW);
    cr_assert_eq(b.reviews_opened, 1);

    review_task t = only_open_task();
    cr_assert_eq(t.local_a, a.local_id);
    cr_assert_eq(t.local_b, b.local_id);
    cr_assert_eq(t.ght_a, a.ght_id);
    cr_assert_eq(t.ght_b, b.ght_id);
    cr_assert_not_null(strstr(t.explanation, "\"field\":\"birth_date\""), "%s", t.explanation);
    cr_assert_not_null(strstr(t.explanation, "\"level\":\"exact\""), "%s", t.explanation);
    cr_assert_eq(history("review_task", t.id).n, 1);

    review_detail d;
    socle_err err = { 0 };
    cr_assert_eq(review_get(st, &actor, NULL, t.id, &d, &err), 1, "%s", err.msg);
    cr_assert_str_eq(d.a.traits.birth_name, "ROUSSEL-TEST");
    cr_assert_str_eq(d.b.traits.birth_name, "LEGRAND-TEST");

    int64_t open = 0;
    char oldest[SOCLE_TS_MAX];
    cr_assert_eq(review_stats(st, NULL, &open, oldest, &err), 0, "%s", err.msg);
    cr_assert_eq(open, 1);
    cr_assert_str_eq(oldest, t.created_at);
}

Test(matching, not_the_same_is_never_proposed_again)
{
    create(OID_A, "IPP-A-12", claire());
    identity_result b = create(OID_B, "IPP-B-12", hurried(claire()));
    review_task t = decide_ok(only_open_task().id, VERDICT_NOT_SAME, "checked the documents");
    cr_assert_eq(t.status, REVIEW_NOT_DUPLICATE);
    cr_assert_str_eq(t.comment, "checked the documents");
    cr_assert_eq(history("review_task", t.id).n, 2);

    /* The second record changes, the matching runs again: no new task. */
    identity_traits changed = hurried(claire());
    strcpy(changed.forenames, "CAMILLE ANNE");
    identity_input in = input(OID_B, "IPP-B-12", changed);
    identity_result res = upsert_ok(&in);
    cr_assert_eq(res.matched, 1);
    cr_assert_eq(res.reviews_opened, 0);
    cr_assert_neq(get_local(b.local_id).ght_id, 0);
    review_page p = list_tasks(0, NULL);
    cr_assert_eq(p.n, 0, "nothing open or later");
    review_page_free(&p);

    /* Deciding it again is refused. */
    socle_err err = { 0 };
    cr_assert_eq(review_decide(st, &actor, NULL, t.id, VERDICT_SAME, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE);
}

Test(matching, later_keeps_the_task_after_the_open_ones)
{
    create(OID_A, "IPP-A-13", claire());
    create(OID_B, "IPP-B-13", hurried(claire()));
    review_task first = decide_ok(only_open_task().id, VERDICT_LATER, NULL);
    cr_assert_eq(first.status, REVIEW_LATER);
    /* A second open task: two IPPs of one establishment for one man. */
    create(OID_A, "IPP-A-14", traits_m());
    create(OID_A, "IPP-A-16", traits_m());
    review_page p = list_tasks(0, NULL);
    cr_assert_eq(p.n, 2);
    cr_assert_eq(p.items[0].status, REVIEW_OPEN);
    cr_assert_eq(p.items[1].id, first.id);
    cr_assert_eq(p.total, 2);
    review_page_free(&p);
}

Test(matching, same_merges_then_unmerge_restores_each_identity)
{
    identity_result a = create(OID_A, "IPP-A-15", claire());
    identity_result b = create(OID_B, "IPP-B-15", hurried(claire()));
    review_task t = decide_ok(only_open_task().id, VERDICT_SAME, "same person, seen at desk");
    cr_assert_eq(t.status, REVIEW_MERGED);
    cr_assert_neq(t.merge_id, 0);
    int64_t ga = get_local(a.local_id).ght_id;
    cr_assert_eq(ga, get_local(b.local_id).ght_id);
    cr_assert_eq(ga, a.ght_id, "the older GHT identity survives");
    cr_assert_eq(get_ght(b.ght_id).state, GHT_MERGED);
    hist_list h = history("review_task", t.id);
    cr_assert_eq(h.n, 2);
    cr_assert_str_eq(h.action[1], "review.decide");

    socle_err err = { 0 };
    cr_assert_eq(identity_unmerge(st, &actor, t.merge_id, "not the same after all", &err), 0,
                 "%s", err.msg);
    cr_assert_eq(get_local(a.local_id).ght_id, a.ght_id);
    cr_assert_eq(get_local(b.local_id).ght_id, b.ght_id);
    cr_assert_eq(get_ght(b.ght_id).state, GHT_ACTIVE);
    /* Each local identity's links tell the whole story. */
    cr_assert_eq(links_of_local(a.local_id).n, 1);
    cr_assert_eq(links_of_local(b.local_id).n, 3, "created, merged, given back");

    /* Merged again (a repeated merge), by another decision. */
    identity_traits changed = hurried(claire());
    strcpy(changed.forenames, "CAMILLE ANNE");
    identity_input in = input(OID_B, "IPP-B-15", changed);
    identity_result res = upsert_ok(&in);
    cr_assert_eq(res.reviews_opened, 1, "a merged pair may be proposed again once undone");
    review_task again = decide_ok(only_open_task().id, VERDICT_SAME, NULL);
    cr_assert_neq(again.merge_id, t.merge_id);
    cr_assert_eq(get_local(a.local_id).ght_id, get_local(b.local_id).ght_id);
    cr_assert_eq(links_of_local(b.local_id).n, 4);
    assert_audit_intact();
}

Test(matching, a_merge_by_another_path_makes_the_task_obsolete)
{
    identity_result a = create(OID_A, "IPP-A-16", claire());
    identity_result b = create(OID_B, "IPP-B-16", hurried(claire()));
    int64_t m = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_merge(st, &actor, a.ght_id, b.ght_id, "desk", &m, &err), 0, "%s",
                 err.msg);
    review_page p = list_tasks(1u << REVIEW_OBSOLETE, NULL);
    cr_assert_eq(p.n, 1);
    cr_assert_str_eq(p.items[0].decided_by, actor.id);
    review_page_free(&p);
}

Test(matching, an_actor_limited_to_other_establishments_does_not_see_the_task)
{
    identity_result a = create(OID_A, "IPP-A-17", claire());
    create(OID_B, "IPP-B-17", hurried(claire()));
    review_task t = only_open_task();

    review_scope none = { .restricted = 1, .n = 1, .domains = { 999 } };
    review_page p = list_tasks(0, &none);
    cr_assert_eq(p.n, 0);
    review_page_free(&p);
    review_detail d;
    socle_err err = { 0 };
    cr_assert_eq(review_get(st, &actor, &none, t.id, &d, &err), 0);
    cr_assert_eq(review_decide(st, &actor, &none, t.id, VERDICT_SAME, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);

    review_scope mine = { .restricted = 1, .n = 1,
                          .domains = { get_local(a.local_id).domain_id } };
    p = list_tasks(0, &mine);
    cr_assert_eq(p.n, 1);
    review_page_free(&p);
}

/* ---- Explain and find --------------------------------------------------- */

Test(matching, explain_and_find_score_the_stored_identities)
{
    identity_result a = create(OID_A, "IPP-A-18", claire());
    identity_result b = create(OID_B, "IPP-B-18", traits_m());
    matching_explanation e;
    socle_err err = { 0 };
    cr_assert_eq(matching_explain(st, &actor, a.local_id, b.local_id, &e, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(e.cmp.level[MF_SEX], SEX_DIFF);
    cr_assert_eq(e.decision, MATCH_NONE);
    double sum = 0;
    for (int f = 0; f < MF_COUNT; f++)
        sum += e.weight[f];
    cr_assert_float_eq(sum, e.score, 1e-9);
    cr_assert_eq(matching_explain(st, &actor, a.local_id, 999999, &e, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);

    identity_traits t = claire();
    strcpy(t.forenames, "CLAIRE");
    matching_candidate c[4];
    size_t n = 0;
    cr_assert_eq(matching_find(st, &actor, &t, NULL, 4, c, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1, "only the identity sharing a blocking key");
    cr_assert_eq(c[0].local_id, a.local_id);
    cr_assert_eq(c[0].decision, MATCH_AUTO);
}

Test(matching, the_persisted_model_is_used)
{
    identity_result a = create(OID_A, "IPP-A-19", claire());
    /* A model that links nothing automatically. */
    match_model m;
    model_init(&m);
    m.upper = 1000;
    json_t *j = model_to_json(&m);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_match_model_set(st, text, "2026-01-01T00:00:00.000Z", &err), 0, "%s",
                 err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    free(text);
    identity_result b = create(OID_B, "IPP-B-19", claire());
    cr_assert_neq(b.ght_id, a.ght_id);
    cr_assert_eq(b.match_decision, MATCH_REVIEW);
}

static void save_model(const match_model *m)
{
    json_t *j = model_to_json(m);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    /* Same trained_at both times: the generation tells the models apart. */
    cr_assert_eq(store_match_model_set(st, text, "2026-01-01T00:00:00.000Z", &err), 0, "%s",
                 err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    free(text);
}

Test(matching, a_model_saved_again_replaces_the_parsed_one)
{
    match_model m;
    model_init(&m);
    m.upper = 1000;
    save_model(&m);
    identity_result a = create(OID_A, "IPP-A-20", claire());
    identity_result b = create(OID_B, "IPP-B-20", claire());
    cr_assert_eq(b.match_decision, MATCH_REVIEW, "the handle parsed the first model");
    cr_assert_neq(b.ght_id, a.ght_id);
    model_init(&m);
    save_model(&m);
    identity_result c = create(OID_A, "IPP-A-21", claire());
    cr_assert_eq(c.match_decision, MATCH_AUTO, "the second model replaced the cached one");
}

Test(matching, a_candidate_without_a_usable_stored_record_is_read_and_normalised)
{
    identity_result a = create(OID_A, "IPP-A-22", claire());
    /* As if indexed by another build (or before records were stored): a
     * record this build does not read. */
    local_identity li;
    socle_err err = { 0 };
    cr_assert_eq(store_local_get(st, a.local_id, &li, &err), 1, "%s", err.msg);
    uint64_t keys[BLOCKING_PASSES];
    matching_keys(&li, keys);
    const unsigned char foreign[1] = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_match_keys_set(st, li.id, li.domain_id, keys, BLOCKING_PASSES, foreign,
                                      sizeof foreign, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    identity_result b = create(OID_B, "IPP-B-22", claire());
    cr_assert_eq(b.match_decision, MATCH_AUTO);
    cr_assert_eq(b.ght_id, a.ght_id);
}

/* ---- Stored matching records ------------------------------------------ */

/* The candidate's levels matching_find computes from its stored record. */
static match_cmp found_cmp(const identity_traits *probe, const char *ins, int64_t local_id)
{
    matching_candidate c[4];
    size_t n = 0;
    socle_err err = { 0 };
    cr_assert_eq(matching_find(st, &actor, probe, ins, 4, c, &n, &err), 0, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        if (c[i].local_id == local_id)
            return c[i].cmp;
    cr_assert_fail("local identity %" PRId64 " is not a candidate", local_id);
    return c[0].cmp;
}

/* A record stored in its compact form, in the form of earlier builds (the
 * struct), or in a form this build does not know (the identity is read
 * and normalised), compares as the identity normalised afresh does. */
Test(matching, the_stored_records_compare_as_the_identities_do)
{
    identity_traits t = person("DE LA FONTAINE-TEST", 'M', "1961-02-03");
    strcpy(t.used_name, "D'ARTOIS-TEST");
    strcpy(t.first_forename, "JEAN-PIERRE");
    strcpy(t.forenames, "JEAN-PIERRE LOUIS");
    identity_result a = create_with_ins(OID_A, "IPP-A-50", t, 7);
    local_identity la = get_local(a.local_id);
    cr_assert_neq(la.ins[0], '\0');

    identity_traits probe = t;
    strcpy(probe.forenames, "JEAN-PIERRE");
    strcpy(probe.birth_place, "");
    match_record ra, rp;
    matching_record(&la.traits, la.ins, &ra);
    matching_record(&probe, la.ins, &rp);
    match_model m;
    model_init(&m);
    matching_explanation fresh;
    matching_explain_records(&m, NULL, &rp, &ra, &fresh);
    cr_assert_neq(ra.used_core[0], '\0');

    match_cmp got = found_cmp(&probe, la.ins, a.local_id);
    cr_assert_arr_eq(got.level, fresh.cmp.level, MF_COUNT, "compact record");

    uint64_t keys[BLOCKING_PASSES];
    blocking_keys(&ra, keys);
    unsigned char b[1 + sizeof ra];
    b[0] = 1;  /* the struct, as written before the compact form */
    memcpy(b + 1, &ra, sizeof ra);
    socle_err err = { 0 };
    cr_assert_eq(store_match_keys_set(st, la.id, la.domain_id, keys, BLOCKING_PASSES, b,
                                      sizeof b, &err), 0, "%s", err.msg);
    got = found_cmp(&probe, la.ins, a.local_id);
    cr_assert_arr_eq(got.level, fresh.cmp.level, MF_COUNT, "record as a struct");

    b[0] = 99;  /* unknown: read the identity */
    cr_assert_eq(store_match_keys_set(st, la.id, la.domain_id, keys, BLOCKING_PASSES, b,
                                      sizeof b, &err), 0, "%s", err.msg);
    got = found_cmp(&probe, la.ins, a.local_id);
    cr_assert_arr_eq(got.level, fresh.cmp.level, MF_COUNT, "identity read back");
}

/* ---- Term frequencies -------------------------------------------------- */

typedef struct recs_of {
    match_record v[64];
    size_t n;
} recs_of;

static int collect_rec(const local_identity *li, void *ctx)
{
    recs_of *r = ctx;
    cr_assert_lt(r->n, 64);
    matching_record(&li->traits, li->ins, &r->v[r->n++]);
    return 0;
}

static int put_freq(const tf_count *c, void *ctx)
{
    (void)ctx;
    store_match_freq f = { c->kind, c->key, (int64_t)c->count };
    socle_err err = { 0 };
    cr_assert_eq(store_match_freq_put(st, &f, 1, &err), 0, "%s", err.msg);
    return 0;
}

/* The candidate local_id of matching_find for t. */
static matching_candidate find_one(const identity_traits *t, int64_t local_id)
{
    matching_candidate c[8];
    size_t n = 0;
    socle_err err = { 0 };
    cr_assert_eq(matching_find(st, &actor, t, NULL, 8, c, &n, &err), 0, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        if (c[i].local_id == local_id)
            return c[i];
    cr_assert_fail("local identity %" PRId64 " not among the %zu candidates", local_id, n);
    return c[0];
}

static identity_traits named(const char *name, const char *birth_date)
{
    identity_traits t = claire();
    strcpy(t.birth_name, name);
    t.used_name[0] = '\0';
    strcpy(t.birth_date, birth_date);
    return t;
}

/* What `socle match train` stores: the frequencies of every stored
 * identity's record (with a model, whose new generation makes the handles
 * read them). The real-time score then adds tf_adjust as batch does:
 * agreeing on a name most identities bear weighs less than on a rare one,
 * by exactly the adjustment of the full table; before, nothing changes. */
Test(matching, stored_term_frequencies_adjust_the_score_as_batch_does)
{
    for (int i = 0; i < 40; i++) {
        char ipp[32], date[16];
        snprintf(ipp, sizeof ipp, "IPP-TF-%d", i);
        snprintf(date, sizeof date, "19%02d-03-%02d", 40 + i, 1 + i % 28);
        create(OID_A, ipp, named("DURAND-TEST", date));
    }
    identity_traits common = named("DURAND-TEST", "1975-06-21");
    identity_traits rare = named("KERGUELEN-TEST", "1975-06-21");
    identity_result c = create(OID_B, "IPP-TF-C", common);
    identity_result r = create(OID_B, "IPP-TF-R", rare);

    matching_candidate c0 = find_one(&common, c.local_id);
    matching_candidate r0 = find_one(&rare, r.local_id);
    cr_assert_eq(c0.tf_adjust, 0);
    cr_assert_eq(r0.tf_adjust, 0);
    cr_assert_float_eq(c0.score, r0.score, 1e-9, "same shape, no frequencies: same score");
    matching_explanation e;
    socle_err err = { 0 };
    cr_assert_eq(matching_explain(st, &actor, c.local_id, r.local_id, &e, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(e.tf_adjust, 0);

    /* Train's writes: frequencies and the model, one transaction. */
    recs_of *all = calloc(1, sizeof *all);
    cr_assert_not_null(all);
    cr_assert_eq(store_local_foreach(st, collect_rec, all, &err), 0, "%s", err.msg);
    match_tf *full = tf_new(all->v, all->n);
    cr_assert_not_null(full);
    match_model m;
    model_init(&m);
    json_t *j = model_to_json(&m);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_match_model_set(st, text, "2026-01-01T00:00:00.000Z", &err), 0);
    cr_assert_eq(tf_foreach(full, put_freq, NULL), 0);
    cr_assert_eq(store_commit(st, &err), 0);
    free(text);

    matching_candidate c1 = find_one(&common, c.local_id);
    matching_candidate r1 = find_one(&rare, r.local_id);
    cr_assert_eq(matching_model_load(st, &m, &err), 0, "%s", err.msg);
    match_record rc, rr;
    matching_record(&common, "", &rc);
    matching_record(&rare, "", &rr);
    double want_c = tf_adjust(full, &m, &rc, &c1.cmp);
    double want_r = tf_adjust(full, &m, &rr, &r1.cmp);
    cr_assert_lt(want_c, want_r, "a common name is adjusted down more: %f %f", want_c, want_r);
    cr_assert_eq(c1.tf_adjust, want_c);
    cr_assert_eq(r1.tf_adjust, want_r);
    cr_assert_float_eq(c1.score, c0.score + want_c, 1e-9);
    cr_assert_float_eq(r1.score, r0.score + want_r, 1e-9);
    cr_assert_lt(c1.score, r1.score, "common %f, rare %f", c1.score, r1.score);

    /* explain: the adjustment of its first identity's record, in the score. */
    identity_result c2 = create(OID_A, "IPP-TF-C2", common);
    cr_assert_eq(matching_explain(st, &actor, c2.local_id, c.local_id, &e, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(e.tf_adjust, tf_adjust(full, &m, &rc, &e.cmp));
    cr_assert_lt(e.tf_adjust, 0);
    double sum = e.tf_adjust;
    for (int f = 0; f < MF_COUNT; f++)
        sum += e.weight[f];
    cr_assert_float_eq(sum, e.score, 1e-9);
    tf_free(full);
    free(all);
}
