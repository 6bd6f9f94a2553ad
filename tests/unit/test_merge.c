/*
 * test_merge.c - merges of GHT identities, their undoing, and moving one
 * local identity to another GHT identity (relink), on a real SQLite store.
 * Links are never rewritten: every test also checks that the history of
 * links stays whole and that the audit chain is intact.
 *
 * Synthetic people only (names ending in -TEST); INS computed with
 * ins_compute_key from a prefix consistent with sex and birth date. The
 * store and the shared helpers are in identity_fixtures.c.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "identity_fixtures.h"

TestSuite(merge, .init = identity_setup, .fini = identity_teardown);

/* ---- Merge-specific helpers ------------------------------------------ */

static int64_t merge_ok(int64_t survivor, int64_t absorbed)
{
    int64_t m = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_merge(st, &actor, survivor, absorbed, "same person", &m, &err), 0,
                 "merge %" PRId64 " <- %" PRId64 ": %s", survivor, absorbed, err.msg);
    cr_assert_gt(m, 0);
    return m;
}

static void unmerge_ok(int64_t merge_id)
{
    socle_err err = { 0 };
    cr_assert_eq(identity_unmerge(st, &actor, merge_id, "not the same person", &err), 0,
                 "unmerge %" PRId64 ": %s", merge_id, err.msg);
}

/* Does the active set of a GHT identity hold exactly these locals? */
static void assert_members(int64_t ght_id, int n, const int64_t *locals)
{
    link_list l = active_links_of_ght(ght_id);
    cr_assert_eq(l.n, n, "GHT %" PRId64 " has %d active links, expected %d", ght_id, l.n, n);
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < l.n; j++)
            seen += l.l[j].local_id == locals[i];
        cr_assert_eq(seen, 1, "local %" PRId64 " on GHT %" PRId64 ": %d times", locals[i],
                     ght_id, seen);
        cr_assert_eq(get_local(locals[i]).ght_id, ght_id);
    }
}

static identity_merge_rec get_merge(int64_t id)
{
    identity_merge_rec m;
    socle_err err = { 0 };
    cr_assert_eq(store_merge_get(st, id, &m, &err), 1, "merge %" PRId64 ": %s", id, err.msg);
    return m;
}

/* ---- Merge ------------------------------------------------------------ */

Test(merge, merge_moves_every_link_to_the_survivor)
{
    identity_result a = create(OID_A, "IPP-A-1", person("ALPHA-TEST", 'M', "1970-01-20"));
    identity_result b = create(OID_B, "IPP-B-1", person("ALFA-TEST", 'M', "1970-01-20"));
    cr_assert_neq(a.ght_id, b.ght_id);
    store_counts before = counts();

    int64_t m = merge_ok(a.ght_id, b.ght_id);

    int64_t both[2] = { a.local_id, b.local_id };
    assert_members(a.ght_id, 2, both);
    cr_assert_eq(active_links_of_ght(b.ght_id).n, 0);

    ght_identity absorbed = get_ght(b.ght_id);
    cr_assert_eq(absorbed.state, GHT_MERGED);
    cr_assert_eq(absorbed.merged_into, a.ght_id);
    ght_identity survivor = get_ght(a.ght_id);
    cr_assert_eq(survivor.state, GHT_ACTIVE);
    cr_assert_eq(survivor.merged_into, 0);

    identity_merge_rec rec = get_merge(m);
    cr_assert_eq(rec.survivor_id, a.ght_id);
    cr_assert_eq(rec.absorbed_id, b.ght_id);
    cr_assert_eq(rec.undone, 0);
    cr_assert_str_eq(rec.actor, "test:unit");
    cr_assert_str_eq(rec.reason, "same person");

    store_counts after = counts();
    cr_assert_eq(after.merges, before.merges + 1);
    cr_assert_eq(after.merges, 1);
    cr_assert_eq(after.ght_identities, before.ght_identities - 1);
    cr_assert_eq(after.local_identities, before.local_identities);
    cr_assert_eq(after.audit_records, before.audit_records + 1);
    audit_list al = audit_since(before.audit_records + 1);
    cr_assert_str_eq(al.rec[0].action, "identity.merge");

    /* The moved local: its old link ended, a new manual one made by the merge. */
    link_list lb = links_of_local(b.local_id);
    cr_assert_eq(lb.n, 2);
    cr_assert_eq(lb.l[0].ght_id, b.ght_id);
    cr_assert_eq(lb.l[0].state, LINK_ENDED);
    cr_assert_str_not_empty(lb.l[0].ended_at);
    cr_assert_str_eq(lb.l[0].ended_by, "test:unit");
    cr_assert_eq(lb.l[1].ght_id, a.ght_id);
    cr_assert_eq(lb.l[1].state, LINK_ACTIVE);
    cr_assert_eq(lb.l[1].merge_id, m);
    cr_assert_eq(lb.l[1].method, LINK_MANUAL);
    /* The survivor's own local keeps its original link. */
    link_list la = links_of_local(a.local_id);
    cr_assert_eq(la.n, 1);
    cr_assert_eq(la.l[0].state, LINK_ACTIVE);

    hist_list hg = history("ght_identity", b.ght_id);
    cr_assert_str_eq(hg.action[hg.n - 1], "ght.merge");
    assert_audit_intact();
}

Test(merge, merge_refusals_write_nothing)
{
    identity_result a = create(OID_A, "IPP-A-2", person("BRAVO-TEST", 'F', "1985-06-11"));
    identity_result b = create(OID_B, "IPP-B-2", person("BRAVOS-TEST", 'F', "1985-06-11"));
    identity_result c = create(OID_B, "IPP-B-3", person("CHARLIE-TEST", 'M', "1990-09-09"));
    int64_t m = 0;
    socle_err err;
    store_counts before = counts();

    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_merge(st, &actor, a.ght_id, a.ght_id, "x", &m, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);

    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_merge(st, &actor, a.ght_id, 999999, "x", &m, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);

    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_merge(st, &actor, 999999, a.ght_id, "x", &m, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);

    merge_ok(a.ght_id, b.ght_id);
    before = counts();

    /* b is merged: neither absorbed again nor survivor. */
    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_merge(st, &actor, c.ght_id, b.ght_id, "x", &m, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_merge(st, &actor, b.ght_id, c.ght_id, "x", &m, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_merge(st, &actor, a.ght_id, b.ght_id, "x", &m, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    cr_assert_eq(store_in_transaction(st), 0);

    int64_t c_only[1] = { c.local_id };
    assert_members(c.ght_id, 1, c_only);
    cr_assert_eq(get_ght(c.ght_id).state, GHT_ACTIVE);
    assert_audit_intact();
}

/* ---- Unmerge ---------------------------------------------------------- */

Test(merge, unmerge_restores_the_previous_partition)
{
    /* G1 = {a}; G2 = {b, b2} (same INS in two establishments). */
    identity_traits tb = person("DELTA-TEST", 'F', "1978-04-30");
    identity_result a = create(OID_A, "IPP-A-4", person("DELTAS-TEST", 'F', "1978-04-30"));
    identity_result b = create_with_ins(OID_A, "IPP-A-5", tb, 451);
    identity_result b2 = create_with_ins(OID_B, "IPP-B-5", tb, 451);
    cr_assert_eq(b2.linked_by_ins, 1);
    cr_assert_eq(b2.ght_id, b.ght_id);
    int64_t g1 = a.ght_id, g2 = b.ght_id;
    store_counts before = counts();

    int64_t m = merge_ok(g1, g2);
    int64_t all[3] = { a.local_id, b.local_id, b2.local_id };
    assert_members(g1, 3, all);
    cr_assert_eq(counts().ght_identities, before.ght_identities - 1);

    store_counts mid = counts();
    unmerge_ok(m);

    int64_t only_a[1] = { a.local_id };
    int64_t bs[2] = { b.local_id, b2.local_id };
    assert_members(g1, 1, only_a);
    assert_members(g2, 2, bs);

    ght_identity g = get_ght(g2);
    cr_assert_eq(g.state, GHT_ACTIVE);
    cr_assert_eq(g.merged_into, 0);
    cr_assert_eq(get_ght(g1).state, GHT_ACTIVE);

    identity_merge_rec rec = get_merge(m);
    cr_assert_eq(rec.undone, 1);
    cr_assert_str_not_empty(rec.undone_at);
    cr_assert_str_eq(rec.undone_by, "test:unit");
    cr_assert_str_eq(rec.undo_reason, "not the same person");

    store_counts after = counts();
    cr_assert_eq(after.merges, 0);
    cr_assert_eq(after.ght_identities, before.ght_identities);
    cr_assert_eq(after.local_identities, before.local_identities);
    cr_assert_eq(after.audit_records, mid.audit_records + 1);
    cr_assert_str_eq(audit_since(mid.audit_records + 1).rec[0].action, "identity.unmerge");

    /* Every link kept: original (ended), merge link (ended), restored (active). */
    for (int i = 1; i < 3; i++) {
        link_list l = links_of_local(all[i]);
        cr_assert_eq(l.n, 3, "local %" PRId64 ": %d links", all[i], l.n);
        cr_assert_eq(l.l[0].ght_id, g2);
        cr_assert_eq(l.l[0].state, LINK_ENDED);
        cr_assert_eq(l.l[1].ght_id, g1);
        cr_assert_eq(l.l[1].state, LINK_ENDED);
        cr_assert_eq(l.l[1].merge_id, m);
        cr_assert_str_not_empty(l.l[1].end_reason);
        cr_assert_eq(l.l[2].ght_id, g2);
        cr_assert_eq(l.l[2].state, LINK_ACTIVE);
    }
    /* The survivor's own local was never moved. */
    cr_assert_eq(links_of_local(a.local_id).n, 1);

    /* All links of G1, ended ones included, are still there. */
    link_list every = { 0 };
    socle_err err = { 0 };
    cr_assert_eq(store_link_foreach_ght(st, g1, 0, collect_link, &every, &err), 0);
    cr_assert_eq(every.n, 3);

    hist_list hg = history("ght_identity", g2);
    cr_assert_str_eq(hg.action[hg.n - 1], "ght.unmerge");
    assert_audit_intact();
}

Test(merge, unmerge_twice_or_unknown_is_refused)
{
    identity_result a = create(OID_A, "IPP-A-6", person("ECHO-TEST", 'M', "1960-12-01"));
    identity_result b = create(OID_B, "IPP-B-6", person("ECKO-TEST", 'M', "1960-12-01"));
    int64_t m = merge_ok(a.ght_id, b.ght_id);
    unmerge_ok(m);
    store_counts before = counts();

    socle_err err = { 0 };
    cr_assert_eq(identity_unmerge(st, &actor, m, "again", &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);

    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_unmerge(st, &actor, m + 100, "unknown", &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);

    int64_t la[1] = { a.local_id }, lb[1] = { b.local_id };
    assert_members(a.ght_id, 1, la);
    assert_members(b.ght_id, 1, lb);
    /* Still one record of the undo, not two. */
    cr_assert_eq(get_merge(m).undone, 1);
    cr_assert_eq(links_of_local(b.local_id).n, 3);
    assert_audit_intact();
}

/* m1: A <- B, then m2: C <- A (carrying B's local). */
typedef struct chain {
    identity_result a, b, c;
    int64_t m1, m2;
    store_counts start;
} chain;

static chain make_chain(void)
{
    chain ch;
    ch.a = create(OID_A, "IPP-A-7", person("FOXTROT-TEST", 'F', "1999-02-14"));
    ch.b = create(OID_B, "IPP-B-7", person("FOXTROTT-TEST", 'F', "1999-02-14"));
    ch.c = create(OID_B, "IPP-B-8", person("FOXTROTE-TEST", 'F', "1999-02-14"));
    ch.start = counts();
    ch.m1 = merge_ok(ch.a.ght_id, ch.b.ght_id);
    ch.m2 = merge_ok(ch.c.ght_id, ch.a.ght_id);
    int64_t all[3] = { ch.a.local_id, ch.b.local_id, ch.c.local_id };
    assert_members(ch.c.ght_id, 3, all);
    cr_assert_eq(counts().merges, 2);
    cr_assert_eq(counts().ght_identities, ch.start.ght_identities - 2);
    return ch;
}

Test(merge, chained_merge_undo_first_is_refused_then_second_works)
{
    chain ch = make_chain();

    /* The first merge cannot be undone while its survivor is merged. */
    store_counts before = counts();
    socle_err err = { 0 };
    cr_assert_eq(identity_unmerge(st, &actor, ch.m1, "too early", &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    cr_assert_eq(get_merge(ch.m1).undone, 0);

    /* Undo the second: A (with B's local) comes back. */
    unmerge_ok(ch.m2);
    int64_t ab[2] = { ch.a.local_id, ch.b.local_id }, only_c[1] = { ch.c.local_id };
    assert_members(ch.a.ght_id, 2, ab);
    assert_members(ch.c.ght_id, 1, only_c);
    cr_assert_eq(get_ght(ch.a.ght_id).state, GHT_ACTIVE);
    cr_assert_eq(get_ght(ch.b.ght_id).state, GHT_MERGED);
    cr_assert_eq(get_ght(ch.b.ght_id).merged_into, ch.a.ght_id);
    cr_assert_eq(counts().merges, 1);
    cr_assert_eq(get_merge(ch.m2).undone, 1);
    cr_assert_eq(get_merge(ch.m1).undone, 0);
    assert_audit_intact();
}

/* Undoing the second merge puts B's local back on A exactly as the first
 * merge left it, so the first merge must then be undoable
 * (identity.h: "undo that first"). */
Test(merge, chained_merges_are_undone_in_reverse_order)
{
    chain ch = make_chain();
    unmerge_ok(ch.m2);

    socle_err err = { 0 };
    cr_assert_eq(identity_unmerge(st, &actor, ch.m1, "not the same person", &err), 0,
                 "unmerge of the first merge after undoing the second: %s", err.msg);
    int64_t only_a[1] = { ch.a.local_id }, only_b[1] = { ch.b.local_id },
            only_c[1] = { ch.c.local_id };
    assert_members(ch.a.ght_id, 1, only_a);
    assert_members(ch.b.ght_id, 1, only_b);
    assert_members(ch.c.ght_id, 1, only_c);
    cr_assert_eq(get_ght(ch.b.ght_id).state, GHT_ACTIVE);
    store_counts end = counts();
    cr_assert_eq(end.merges, 0);
    cr_assert_eq(end.ght_identities, ch.start.ght_identities);
    assert_audit_intact();
}

Test(merge, relink_after_merge_blocks_unmerge)
{
    identity_result a = create(OID_A, "IPP-A-9", person("GOLF-TEST", 'M', "1955-07-07"));
    identity_result b = create(OID_B, "IPP-B-9", person("GOLFE-TEST", 'M', "1955-07-07"));
    int64_t m = merge_ok(a.ght_id, b.ght_id);

    /* b's local is taken out to a GHT identity of its own. */
    int64_t fresh = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_relink(st, &actor, b.local_id, 0, "not the same", &fresh, &err), 0,
                 "%s", err.msg);
    cr_assert_gt(fresh, 0);
    store_counts before = counts();

    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_unmerge(st, &actor, m, "undo", &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    char name[64];
    snprintf(name, sizeof name, "local identity %" PRId64, b.local_id);
    cr_assert_not_null(strstr(err.msg, name), "error should name %s: %s", name, err.msg);
    assert_counts_eq(counts(), before);

    cr_assert_eq(get_merge(m).undone, 0);
    cr_assert_eq(get_ght(b.ght_id).state, GHT_MERGED);
    int64_t la[1] = { a.local_id }, lb[1] = { b.local_id };
    assert_members(a.ght_id, 1, la);
    assert_members(fresh, 1, lb);
    assert_audit_intact();
}

/* D <- E, then D's own local leaves for X: undoing the merge takes E's local
 * back to E and leaves D with nobody, so D is retired into E. */
Test(merge, unmerge_retires_a_survivor_left_empty)
{
    identity_result d = create(OID_A, "IPP-A-18", person("NOVEMBER-TEST", 'F', "1982-02-12"));
    identity_result e = create(OID_B, "IPP-B-18", person("NOVEMBRE-TEST", 'F', "1982-02-12"));
    identity_result x = create(OID_B, "IPP-B-19", person("OSCAR-TEST", 'M', "1950-05-05"));
    store_counts start = counts();
    cr_assert_eq(start.ght_identities, 3);

    int64_t m = merge_ok(d.ght_id, e.ght_id);
    int64_t de[2] = { d.local_id, e.local_id };
    assert_members(d.ght_id, 2, de);

    /* D keeps e's local, so its own may leave. */
    int64_t target = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_relink(st, &actor, d.local_id, x.ght_id, "same as X", &target,
                                 &err), 0, "%s", err.msg);
    cr_assert_eq(target, x.ght_id);
    int64_t only_e[1] = { e.local_id }, dx[2] = { x.local_id, d.local_id };
    assert_members(d.ght_id, 1, only_e);
    assert_members(x.ght_id, 2, dx);
    cr_assert_eq(get_ght(d.ght_id).state, GHT_ACTIVE);
    store_counts mid = counts();
    cr_assert_eq(mid.ght_identities, 2);

    unmerge_ok(m);

    assert_members(e.ght_id, 1, only_e);
    assert_members(x.ght_id, 2, dx);
    cr_assert_eq(active_links_of_ght(d.ght_id).n, 0);
    ght_identity ge = get_ght(e.ght_id);
    cr_assert_eq(ge.state, GHT_ACTIVE);
    cr_assert_eq(ge.merged_into, 0);
    ght_identity gd = get_ght(d.ght_id);
    cr_assert_eq(gd.state, GHT_MERGED);
    cr_assert_eq(gd.merged_into, e.ght_id);
    cr_assert_eq(get_ght(x.ght_id).state, GHT_ACTIVE);
    cr_assert_eq(get_merge(m).undone, 1);

    /* Only the active identities count: E and X, not the retired D. */
    store_counts end = counts();
    cr_assert_eq(end.ght_identities, 2);
    cr_assert_eq(end.local_identities, start.local_identities);
    cr_assert_eq(end.merges, 0);
    cr_assert_eq(end.audit_records, mid.audit_records + 1);
    cr_assert_str_eq(audit_since(mid.audit_records + 1).rec[0].action, "identity.unmerge");

    hist_list hd = history("ght_identity", d.ght_id);
    cr_assert_str_eq(hd.action[hd.n - 1], "ght.retire");
    cr_assert_str_eq(hd.reason[hd.n - 1], "left empty by the unmerge");
    hist_list he = history("ght_identity", e.ght_id);
    cr_assert_str_eq(he.action[he.n - 1], "ght.unmerge");
    /* e's local: original, merge link (ended), restored on E. */
    link_list le = links_of_local(e.local_id);
    cr_assert_eq(le.n, 3);
    cr_assert_eq(le.l[2].ght_id, e.ght_id);
    cr_assert_eq(le.l[2].state, LINK_ACTIVE);
    assert_audit_intact();
}

Test(merge, local_linked_to_survivor_after_merge_stays_there)
{
    identity_traits ta = person("HOTEL-TEST", 'F', "2001-10-05");
    identity_result a = create_with_ins(OID_A, "IPP-A-10", ta, 1001);
    identity_result b = create(OID_B, "IPP-B-10", person("HOTELL-TEST", 'F', "2001-10-05"));
    int64_t m = merge_ok(a.ght_id, b.ght_id);

    /* A new local with a's INS joins the survivor. */
    identity_result n = create_with_ins(OID_B, "IPP-B-11", ta, 1001);
    cr_assert_eq(n.linked_by_ins, 1);
    cr_assert_eq(n.ght_id, a.ght_id);
    int64_t three[3] = { a.local_id, b.local_id, n.local_id };
    assert_members(a.ght_id, 3, three);

    unmerge_ok(m);
    int64_t stay[2] = { a.local_id, n.local_id }, back[1] = { b.local_id };
    assert_members(a.ght_id, 2, stay);
    assert_members(b.ght_id, 1, back);
    cr_assert_eq(links_of_local(n.local_id).n, 1);
    cr_assert_eq(counts().merges, 0);
    assert_audit_intact();
}

Test(merge, unmerge_of_a_merge_caused_by_ins)
{
    identity_traits t = person("INDIA-TEST", 'M', "1988-08-08");
    identity_result a = create_with_ins(OID_A, "IPP-A-12", t, 1201);
    identity_result b = create(OID_B, "IPP-B-12", hurried(t));
    cr_assert_neq(a.ght_id, b.ght_id);

    identity_input in = input(OID_B, "IPP-B-12", t);
    with_ins(&in, 1201, 1);
    identity_result r = upsert_ok(&in);
    cr_assert_neq(r.merge_id, 0);
    cr_assert_eq(r.ght_id, a.ght_id);
    identity_merge_rec rec = get_merge(r.merge_id);
    cr_assert_eq(rec.survivor_id, a.ght_id);
    cr_assert_eq(rec.absorbed_id, b.ght_id);
    /* Moved by the system: an automatic link. */
    link_list lb = links_of_local(b.local_id);
    cr_assert_eq(lb.l[lb.n - 1].method, LINK_AUTO);
    cr_assert_eq(lb.l[lb.n - 1].merge_id, r.merge_id);

    unmerge_ok(r.merge_id);
    int64_t la[1] = { a.local_id }, lbb[1] = { b.local_id };
    assert_members(a.ght_id, 1, la);
    assert_members(b.ght_id, 1, lbb);
    cr_assert_eq(get_ght(b.ght_id).state, GHT_ACTIVE);
    assert_audit_intact();
}

/* ---- Relink ----------------------------------------------------------- */

Test(merge, relink_to_a_new_ght_identity)
{
    identity_traits t = person("JULIET-TEST", 'F', "1993-03-03");
    identity_result a = create_with_ins(OID_A, "IPP-A-13", t, 1301);
    identity_result b = create_with_ins(OID_B, "IPP-B-13", t, 1301);
    cr_assert_eq(a.ght_id, b.ght_id);
    store_counts before = counts();

    int64_t fresh = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_relink(st, &actor, b.local_id, 0, "two people", &fresh, &err), 0,
                 "%s", err.msg);
    cr_assert_gt(fresh, 0);
    cr_assert_neq(fresh, a.ght_id);

    int64_t la[1] = { a.local_id }, lb[1] = { b.local_id };
    assert_members(a.ght_id, 1, la);
    assert_members(fresh, 1, lb);
    cr_assert_eq(get_ght(fresh).state, GHT_ACTIVE);
    cr_assert_eq(get_ght(a.ght_id).state, GHT_ACTIVE);

    store_counts after = counts();
    cr_assert_eq(after.ght_identities, before.ght_identities + 1);
    cr_assert_eq(after.merges, before.merges);
    cr_assert_eq(after.audit_records, before.audit_records + 1);
    cr_assert_str_eq(audit_since(before.audit_records + 1).rec[0].action, "identity.relink");

    link_list l = links_of_local(b.local_id);
    cr_assert_eq(l.n, 2);
    cr_assert_eq(l.l[0].ght_id, a.ght_id);
    cr_assert_eq(l.l[0].state, LINK_ENDED);
    cr_assert_str_eq(l.l[0].end_reason, "two people");
    cr_assert_eq(l.l[1].ght_id, fresh);
    cr_assert_eq(l.l[1].state, LINK_ACTIVE);
    cr_assert_eq(l.l[1].method, LINK_MANUAL);
    cr_assert_eq(l.l[1].merge_id, 0);
    cr_assert_str_eq(l.l[1].reason, "two people");
    assert_audit_intact();
}

Test(merge, relink_of_a_lone_local_to_new_is_refused)
{
    identity_result a = create(OID_A, "IPP-A-14", person("KILO-TEST", 'M', "1944-04-04"));
    store_counts before = counts();
    int64_t fresh = -7;
    socle_err err = { 0 };
    cr_assert_eq(identity_relink(st, &actor, a.local_id, 0, "split", &fresh, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    int64_t la[1] = { a.local_id };
    assert_members(a.ght_id, 1, la);
    cr_assert_eq(links_of_local(a.local_id).n, 1);
    assert_audit_intact();
}

Test(merge, relink_of_a_lone_local_retires_its_ght_identity)
{
    identity_result a = create(OID_A, "IPP-A-15", person("LIMA-TEST", 'F', "1966-06-06"));
    identity_result b = create(OID_B, "IPP-B-15", person("LIMAS-TEST", 'F', "1966-06-06"));
    store_counts before = counts();

    int64_t target = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_relink(st, &actor, b.local_id, a.ght_id, "same person", &target,
                                 &err), 0, "%s", err.msg);
    cr_assert_eq(target, a.ght_id);

    int64_t both[2] = { a.local_id, b.local_id };
    assert_members(a.ght_id, 2, both);
    cr_assert_eq(active_links_of_ght(b.ght_id).n, 0);
    ght_identity old = get_ght(b.ght_id);
    cr_assert_eq(old.state, GHT_MERGED);
    cr_assert_eq(old.merged_into, a.ght_id);

    store_counts after = counts();
    cr_assert_eq(after.ght_identities, before.ght_identities - 1);
    cr_assert_eq(after.local_identities, before.local_identities);
    hist_list hg = history("ght_identity", b.ght_id);
    cr_assert_str_eq(hg.action[hg.n - 1], "ght.retire");
    assert_audit_intact();
}

Test(merge, relink_refusals_write_nothing)
{
    identity_result a = create(OID_A, "IPP-A-16", person("MIKE-TEST", 'M', "1977-07-17"));
    identity_result b = create(OID_B, "IPP-B-16", person("MIKES-TEST", 'M', "1977-07-17"));
    identity_result c = create(OID_B, "IPP-B-17", person("MIKEL-TEST", 'M', "1977-07-17"));
    merge_ok(a.ght_id, b.ght_id);
    store_counts before = counts();
    int64_t out = 0;
    socle_err err;

    /* Already there. */
    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_relink(st, &actor, c.local_id, c.ght_id, "x", &out, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    /* Unknown target. */
    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_relink(st, &actor, c.local_id, 888888, "x", &out, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    /* A merged target. */
    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_relink(st, &actor, c.local_id, b.ght_id, "x", &out, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    /* Unknown local. */
    memset(&err, 0, sizeof err);
    cr_assert_eq(identity_relink(st, &actor, 777777, a.ght_id, "x", &out, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND, "code %d: %s", err.code, err.msg);
    assert_counts_eq(counts(), before);
    cr_assert_eq(store_in_transaction(st), 0);

    int64_t lc[1] = { c.local_id };
    assert_members(c.ght_id, 1, lc);
    cr_assert_eq(links_of_local(c.local_id).n, 1);
    assert_audit_intact();
}
