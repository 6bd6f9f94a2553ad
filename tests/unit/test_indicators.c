/*
 * test_indicators.c - core/indicators: the dashboard's figures from
 * synthetic identities, merges, alerts and movements, for the group and
 * for one establishment, and the weekly buckets.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "core/indicators.h"
#include "core/stay.h"
#include "core/structure.h"
#include "identity_fixtures.h"
#include "util/timeutil.h"

#define FINESS_A "750712184"
#define FINESS_B "350005179"

TestSuite(indicators, .init = identity_setup, .fini = identity_teardown);

static indicators compute(const char *const *finess, size_t n, const char *now)
{
    indicators ind;
    socle_err err = {0};
    cr_assert_eq(indicators_compute(st, finess, n, now, &ind, &err), 0, "%s", err.msg);
    return ind;
}

static const indicator_ej *ej_of(const indicators *ind, const char *finess)
{
    for (size_t i = 0; i < ind->n_ejs; i++)
        if (strcmp(ind->ejs[i].finess, finess) == 0)
            return &ind->ejs[i];
    return NULL;
}

/* A fixed "now" n days after today, as a timestamp. */
static void now_plus_days(int days, char out[SOCLE_TS_MAX])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    time_format_iso(t, out);
}

Test(indicators, week_start_is_the_monday_of_the_week)
{
    char d[SOCLE_DATE_MAX];
    /* 2026-11-23 is a Monday; 2026-03-01 a Sunday; 2024-02-29 a Thursday. */
    cr_assert_eq(indicators_week_start("2026-11-23", 0, d), 0);
    cr_expect_str_eq(d, "2026-11-23");
    cr_assert_eq(indicators_week_start("2026-11-29T23:59:59Z", 0, d), 0);
    cr_expect_str_eq(d, "2026-11-23", "Sunday closes the week");
    cr_assert_eq(indicators_week_start("2026-03-01", 0, d), 0);
    cr_expect_str_eq(d, "2026-02-23");
    cr_assert_eq(indicators_week_start("2024-02-29", -1, d), 0);
    cr_expect_str_eq(d, "2024-02-19");
    cr_assert_eq(indicators_week_start("2026-12-30", 1, d), 0);
    cr_expect_str_eq(d, "2027-01-04", "across a new year");
    cr_expect_eq(indicators_week_start("2026-02-30", 0, d), -1);
    cr_expect_eq(indicators_week_start("soon", 0, d), -1);
}

Test(indicators, empty_repository_gives_zeros_and_twelve_consecutive_weeks)
{
    indicators ind = compute(NULL, 0, NULL);
    cr_expect_eq(ind.scoped, 0);
    cr_expect_eq(ind.local_total, 0);
    cr_expect_eq(ind.ins_qualified_rate, 0.0);
    cr_expect_eq(ind.ght_active, 0);
    cr_expect_eq(ind.duplicate_rate, 0.0);
    cr_expect_eq(ind.n_ejs, 2, "both establishments, with no identity yet");
    cr_expect_eq(ind.ejs[0].total + ind.ejs[1].total, 0);
    cr_expect_not_null(ej_of(&ind, FINESS_A));
    cr_expect_eq(ind.n_alerts, 0);
    cr_expect_eq(ind.review_available, 1);
    cr_expect_eq(ind.review_pending, 0);
    cr_expect_eq(ind.review_oldest_age_s, -1, "no task: no age");
    char monday[SOCLE_DATE_MAX];
    cr_assert_eq(indicators_week_start(ind.computed_at, 0, monday), 0);
    cr_expect_str_eq(ind.weeks[INDICATORS_WEEKS - 1].monday, monday);
    for (int k = 1; k < INDICATORS_WEEKS; k++) {
        char next[SOCLE_DATE_MAX];
        cr_assert_eq(indicators_week_start(ind.weeks[k - 1].monday, 1, next), 0);
        cr_expect_str_eq(ind.weeks[k].monday, next, "week %d", k);
        cr_expect_eq(ind.weeks[k].merges + ind.weeks[k].unmerges + ind.weeks[k].movements, 0);
    }
    indicators_free(&ind);
}

Test(indicators, bad_date_of_computation_is_refused)
{
    indicators ind;
    socle_err err = {0};
    cr_expect_eq(indicators_compute(st, NULL, 0, "yesterday", &ind, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    indicators_free(&ind);
}

Test(indicators, status_counts_and_qualification_rate_per_establishment)
{
    identity_input q = input(OID_A, "IPP-Q1", traits_m());
    with_ins(&q, 101, 1);
    strcpy(q.proof_type, "CN");
    cr_assert_eq(get_local(upsert_ok(&q).local_id).status, RNIV_QUAL);
    create(OID_A, "IPP-P1", person("DURAND-TEST", 'F', "1970-05-06"));
    create(OID_B, "IPP-P2", person("PETIT-TEST", 'M', "2001-07-08"));
    create(OID_B, "IPP-P3", person("ROUX-TEST", 'F', "1999-01-02"));

    indicators ind = compute(NULL, 0, NULL);
    cr_expect_eq(ind.local_total, 4);
    cr_expect_eq(ind.by_status[RNIV_QUAL], 1);
    cr_expect_eq(ind.by_status[RNIV_PROV], 3);
    cr_expect_float_eq(ind.ins_qualified_rate, 0.25, 1e-9);
    cr_assert_eq(ind.n_ejs, 2);
    const indicator_ej *a = ej_of(&ind, FINESS_A), *b = ej_of(&ind, FINESS_B);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_expect_eq(a->total, 2);
    cr_expect_eq(a->by_status[RNIV_QUAL], 1);
    cr_expect_eq(b->total, 2);
    cr_expect_eq(b->by_status[RNIV_QUAL], 0);
    cr_expect_neq(a->name[0], '\0', "the establishment is named");
    cr_expect_eq(ind.ght_active, 4);
    indicators_free(&ind);

    const char *only_b[] = { FINESS_B };
    ind = compute(only_b, 1, NULL);
    cr_expect_eq(ind.scoped, 1);
    cr_expect_eq(ind.local_total, 2);
    cr_expect_eq(ind.by_status[RNIV_QUAL], 0);
    cr_expect_eq(ind.n_ejs, 1);
    cr_expect_eq(ind.ght_active, 2, "GHT identities holding an IPP of B");
    indicators_free(&ind);

    const char *unknown[] = { "999999999" };
    ind = compute(unknown, 1, NULL);
    cr_expect_eq(ind.local_total, 0, "an unknown FINESS sees nothing, not the group");
    cr_expect_eq(ind.n_ejs, 0);
    cr_expect_eq(ind.ght_active, 0);
    indicators_free(&ind);
    ind = compute(unknown, 0, NULL);
    cr_expect_eq(ind.local_total, 0, "no establishment at all sees nothing");
    indicators_free(&ind);
}

Test(indicators, two_ipps_of_one_establishment_for_one_person_are_duplicates)
{
    /* The same INS sent under two IPPs of A links both to one person. */
    identity_result r1 = create_with_ins(OID_A, "IPP-D1", traits_m(), 7);
    identity_result r2 = create_with_ins(OID_A, "IPP-D2", traits_m(), 7);
    cr_assert_eq(r1.ght_id, r2.ght_id, "linked by their INS");
    create_with_ins(OID_B, "IPP-D3", traits_m(), 7);
    create(OID_B, "IPP-D4", traits_f());

    indicators ind = compute(NULL, 0, NULL);
    cr_expect_eq(ind.ght_active, 2);
    cr_expect_eq(ind.ght_multi_ipp, 1);
    cr_expect_float_eq(ind.duplicate_rate, 0.5, 1e-9);
    indicators_free(&ind);

    const char *only_b[] = { FINESS_B };
    ind = compute(only_b, 1, NULL);
    cr_expect_eq(ind.ght_multi_ipp, 0, "B holds one IPP of each");
    indicators_free(&ind);

    /* A's GAM merges its two IPPs (A40): the duplicate is resolved, and
     * the IPP merged away no longer counts as an identity. */
    socle_err err = {0};
    id_domain dom;
    cr_assert_eq(store_domain_find_oid(st, OID_A, &dom, &err), 1);
    local_merge_rec lm;
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(identity_local_merge_in_tx(st, &actor, dom.id, "IPP-D1", "IPP-D2", "test",
                                            &lm, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    ind = compute(NULL, 0, NULL);
    cr_expect_eq(ind.ght_multi_ipp, 0);
    cr_expect_eq(ind.local_total, 3);
    cr_expect_eq(ej_of(&ind, FINESS_A)->total, 1);
    indicators_free(&ind);
}

Test(indicators, merges_and_unmerges_fall_in_their_week)
{
    identity_result a = create(OID_A, "IPP-M1", traits_m());
    identity_result b = create(OID_A, "IPP-M2", person("DUPOND-TEST", 'M', "1980-03-15"));
    identity_result c = create(OID_A, "IPP-M3", traits_f());
    identity_result d = create(OID_A, "IPP-M4", person("MARTINE-TEST", 'F', "1992-11-02"));
    socle_err err = {0};
    int64_t m1, m2;
    cr_assert_eq(identity_merge(st, &actor, a.ght_id, b.ght_id, "test", &m1, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(identity_merge(st, &actor, c.ght_id, d.ght_id, "test", &m2, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(identity_unmerge(st, &actor, m1, "test", &err), 0, "%s", err.msg);

    indicators ind = compute(NULL, 0, NULL);
    const indicator_week *now = &ind.weeks[INDICATORS_WEEKS - 1];
    cr_expect_eq(now->merges, 2);
    cr_expect_eq(now->unmerges, 1);
    indicators_free(&ind);

    /* Three weeks later, the same merges are three weeks back. */
    char later[SOCLE_TS_MAX];
    now_plus_days(21, later);
    ind = compute(NULL, 0, later);
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 1].merges, 0);
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 4].merges, 2);
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 4].unmerges, 1);
    indicators_free(&ind);

    /* Beyond the window they are gone. */
    now_plus_days(7 * INDICATORS_WEEKS, later);
    ind = compute(NULL, 0, later);
    int64_t sum = 0;
    for (int k = 0; k < INDICATORS_WEEKS; k++)
        sum += ind.weeks[k].merges + ind.weeks[k].unmerges;
    cr_expect_eq(sum, 0);
    indicators_free(&ind);

    /* B holds none of these patients. */
    const char *only_b[] = { FINESS_B };
    ind = compute(only_b, 1, NULL);
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 1].merges, 0);
    indicators_free(&ind);
    const char *only_a[] = { FINESS_A };
    ind = compute(only_a, 1, NULL);
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 1].merges, 2);
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 1].unmerges, 1);
    indicators_free(&ind);
}

Test(indicators, quality_alerts_by_kind_open_and_all)
{
    identity_result a = create(OID_A, "IPP-AL1", traits_m());
    identity_result b = create(OID_B, "IPP-AL2", traits_f());
    socle_err err = {0};
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(identity_alert_in_tx(st, &actor, a.local_id, "invalid_ins", "PID-3: bad key",
                                      &err), 0, "%s", err.msg);
    cr_assert_eq(identity_alert_in_tx(st, &actor, b.local_id, "invalid_ins", "PID-3: bad key",
                                      &err), 0, "%s", err.msg);
    cr_assert_eq(identity_alert_in_tx(st, &actor, b.local_id, "other_kind", "test", &err), 0);
    cr_assert_eq(store_commit(st, &err), 0);

    indicators ind = compute(NULL, 0, NULL);
    cr_assert_eq(ind.n_alerts, 2);
    cr_expect_str_eq(ind.alerts[0].kind, "invalid_ins");
    cr_expect_eq(ind.alerts[0].open, 2);
    cr_expect_eq(ind.alerts[0].all, 2);
    cr_expect_str_eq(ind.alerts[1].kind, "other_kind");
    cr_expect_eq(ind.alerts[1].open, 1);
    indicators_free(&ind);

    const char *only_a[] = { FINESS_A };
    ind = compute(only_a, 1, NULL);
    cr_assert_eq(ind.n_alerts, 1);
    cr_expect_eq(ind.alerts[0].open, 1);
    indicators_free(&ind);
}

/* ---- Movements ---------------------------------------------------------- */

static void node(structure_node *n, structure_kind kind, const char *code, const char *parent)
{
    memset(n, 0, sizeof *n);
    n->kind = kind;
    strcpy(n->code, code);
    strcpy(n->label, code);
    strcpy(n->parent_code, parent);
}

static void move(int64_t local_id, int64_t domain_id, const char *trigger, const char *id,
                 const char *at)
{
    stay_visit v;
    memset(&v, 0, sizeof v);
    v.domain_id = domain_id;
    v.local_id = local_id;
    strcpy(v.visit_number, "V-IND-1");
    movement m;
    memset(&m, 0, sizeof m);
    strcpy(m.trigger, trigger);
    m.action = MOVEMENT_INSERT;
    strcpy(m.movement_id, id);
    strcpy(m.movement_ns, "1.2.250.1.999.1.5");
    strcpy(m.effective_at, at);
    strcpy(m.stay_class, "I");
    strcpy(m.location.uf, "UF-IND");
    stay_command cmd;
    cr_assert_eq(stay_command_for(trigger, MOVEMENT_INSERT, &cmd), 0);
    stay_result res;
    socle_err err = {0};
    cr_assert_eq(stay_apply(st, &actor, cmd, &v, &m, &res, &err), 0, "%s", err.msg);
}

Test(indicators, movements_per_week_leave_out_the_preadmission)
{
    structure_node uf;
    node(&uf, STRUCTURE_UF, "UF-IND", "EJ-A");
    structure_import_result ir;
    socle_err err = {0};
    cr_assert_eq(structure_import(st, &actor, &uf, 1, &ir, &err), 0, "%s", err.msg);
    id_domain dom;
    cr_assert_eq(store_domain_find_oid(st, OID_A, &dom, &err), 1);
    int64_t patient = create(OID_A, "IPP-MV1", traits_m()).local_id;

    /* 2026-01-14 is a Wednesday: its week starts on Monday 12th. */
    move(patient, dom.id, "A05", "MV0", "2026-01-02T08:00:00");
    move(patient, dom.id, "A01", "MV1", "2026-01-10T08:00:00");
    move(patient, dom.id, "A02", "MV2", "2026-01-12T00:00:00");
    move(patient, dom.id, "A02", "MV3", "2026-01-13T09:30:00");
    indicators ind = compute(NULL, 0, "2026-01-14T12:00:00Z");
    cr_expect_str_eq(ind.weeks[INDICATORS_WEEKS - 1].monday, "2026-01-12");
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 1].movements, 2);
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 2].movements, 1, "the admission of Saturday");
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 3].movements, 0, "the A05 is no movement");
    indicators_free(&ind);

    const char *only_b[] = { FINESS_B };
    ind = compute(only_b, 1, "2026-01-14T12:00:00Z");
    cr_expect_eq(ind.weeks[INDICATORS_WEEKS - 1].movements, 0);
    indicators_free(&ind);
}

/* ---- Review tasks ------------------------------------------------------- */

static void open_task(const identity_result *a, const identity_result *b, const char *at)
{
    id_domain da, db;
    socle_err err = {0};
    local_identity la = get_local(a->local_id), lb = get_local(b->local_id);
    cr_assert_eq(store_domain_get(st, la.domain_id, &da, &err), 1);
    cr_assert_eq(store_domain_get(st, lb.domain_id, &db, &err), 1);
    review_task t;
    memset(&t, 0, sizeof t);
    t.local_a = a->local_id < b->local_id ? a->local_id : b->local_id;
    t.local_b = a->local_id < b->local_id ? b->local_id : a->local_id;
    t.ght_a = t.local_a == a->local_id ? a->ght_id : b->ght_id;
    t.ght_b = t.local_a == a->local_id ? b->ght_id : a->ght_id;
    t.domain_a = t.local_a == a->local_id ? da.id : db.id;
    t.domain_b = t.local_a == a->local_id ? db.id : da.id;
    t.score = 9.5;
    strcpy(t.reason, "test");
    strcpy(t.explanation, "[]");
    t.status = REVIEW_OPEN;
    strcpy(t.created_at, at);
    strcpy(t.created_by, "test:unit");
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_review_insert(st, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
}

Test(indicators, open_review_tasks_count_as_suspected_duplicates_with_their_age)
{
    /* Four unlike people (the engine links or queues none of them); the
     * tasks are opened by hand. */
    identity_result a = create(OID_A, "IPP-R1", person("ALBERT-TEST", 'M', "1951-01-01"));
    identity_result b = create(OID_B, "IPP-R2", person("BERNARD-TEST", 'M', "1962-02-02"));
    identity_result c = create(OID_A, "IPP-R3", person("CHARLES-TEST", 'F', "1973-03-03"));
    identity_result d = create(OID_A, "IPP-R4", person("DENIS-TEST", 'F', "1984-04-04"));
    indicators before = compute(NULL, 0, NULL);
    cr_assert_eq(before.review_pending, 0);
    indicators_free(&before);
    open_task(&a, &b, "2026-01-10T08:00:00.000Z");
    open_task(&c, &d, "2026-01-12T08:00:00.000Z");

    indicators ind = compute(NULL, 0, "2026-01-14T08:00:00Z");
    cr_expect_eq(ind.review_pending, 2);
    cr_expect_eq(ind.review_oldest_age_s, 4 * 86400, "the oldest: four days");
    cr_expect_eq(ind.ght_active, 4);
    cr_expect_float_eq(ind.duplicate_rate, 0.5, 1e-9, "two suspected pairs over four");
    indicators_free(&ind);

    const char *only_b[] = { FINESS_B };
    ind = compute(only_b, 1, "2026-01-14T08:00:00Z");
    cr_expect_eq(ind.review_pending, 1, "B sees the task with one of its identities");
    indicators_free(&ind);
}
