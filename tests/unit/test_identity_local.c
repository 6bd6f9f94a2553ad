/*
 * test_identity_local.c - what sources say about their own local
 * identities (core/identity_local.c): A40 merge of two IPPs, A24 link and
 * A37 unlink, on a real SQLite store. Each command runs in a transaction
 * the test opens, as hl7/pam.c does; a refusal is rolled back and must
 * leave the store as it was.
 *
 * Synthetic people only (names ending in -TEST). The store and the shared
 * helpers are in identity_fixtures.c.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <string.h>

#include "identity_fixtures.h"

TestSuite(identity_local, .init = identity_setup, .fini = identity_teardown);

static id_domain domain(const char *oid)
{
    id_domain d;
    socle_err err = { 0 };
    cr_assert_eq(store_domain_find_oid(st, oid, &d, &err), 1, "domain %s: %s", oid, err.msg);
    return d;
}

/* Run a local merge in its own transaction: 0 committed, else the error
 * code (rolled back). */
static int local_merge(const char *oid, const char *survivor, const char *absorbed,
                       local_merge_rec *rec)
{
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0, "%s", err.msg);
    if (identity_local_merge_in_tx(st, &actor, domain(oid).id, survivor, absorbed, "test",
                                   rec, &err) != 0) {
        store_rollback(st);
        return err.code;
    }
    cr_assert_eq(store_commit(st, &err), 0, "%s", err.msg);
    return 0;
}

static int last_which;   /* which side the last refusal named */

static int local_link(int link, const char *oid_a, const char *ipp_a, const char *oid_b,
                      const char *ipp_b, int64_t *merge_id)
{
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0, "%s", err.msg);
    identity_ref a = { domain(oid_a).id, ipp_a }, b = { domain(oid_b).id, ipp_b };
    int which = -1;
    int rc = link ? identity_local_link_in_tx(st, &actor, a, b, "test", merge_id, &which, &err)
                  : identity_local_unlink_in_tx(st, &actor, a, b, "test", &which, &err);
    last_which = which;
    if (rc != 0) {
        store_rollback(st);
        return err.code;
    }
    cr_assert_eq(store_commit(st, &err), 0, "%s", err.msg);
    return 0;
}

static int64_t merged_into(int64_t local_id)
{
    int64_t into = -1;
    socle_err err = { 0 };
    cr_assert_geq(identity_local_merged_into(st, local_id, &into, &err), 0, "%s", err.msg);
    return into;
}

Test(identity_local, a40_merges_two_ipps_and_their_ght_identities)
{
    identity_result s = create(OID_A, "IPP-S", person("DUPONT-TEST", 'M', "1970-01-02"));
    identity_result a = create(OID_A, "IPP-X", person("DUPOND-TEST", 'M', "1970-01-02"));
    cr_assert_neq(s.ght_id, a.ght_id);
    int64_t seq = counts().audit_records;

    local_merge_rec rec;
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-X", &rec), 0);
    cr_assert_eq(rec.survivor_local_id, s.local_id);
    cr_assert_eq(rec.absorbed_local_id, a.local_id);
    cr_assert_gt(rec.ght_merge_id, 0, "different GHT identities must be merged");

    /* The absorbed identity is out of use: no active link, recorded. */
    cr_assert_eq(get_local(a.local_id).ght_id, 0);
    cr_assert_eq(merged_into(a.local_id), s.local_id);
    cr_assert_eq(merged_into(s.local_id), 0);
    ght_identity gone = get_ght(a.ght_id);
    cr_assert_eq(gone.state, GHT_MERGED);
    cr_assert_eq(gone.merged_into, s.ght_id);
    cr_assert_eq(active_links_of_ght(s.ght_id).n, 1);

    hist_list h = history("local_identity", a.local_id);
    cr_assert_str_eq(h.action[h.n - 1], "local.merge");
    cr_assert(h.has_before[h.n - 1] && h.has_after[h.n - 1]);
    audit_list al = audit_since(seq + 1);
    int seen = 0;
    for (int i = 0; i < al.n && i < 32; i++)
        seen += strcmp(al.rec[i].action, "identity.local_merge") == 0;
    cr_assert_eq(seen, 1);
    assert_audit_intact();
}

/* The events of the outbox rows for ght_id, in order, as "A28 A31 ...". */
typedef struct events_of { int64_t ght; char list[256]; } events_of;

static int collect_event(const outbox_row *r, void *ctx)
{
    events_of *e = ctx;
    if (r->ght_id == e->ght) {
        strcat(e->list, e->list[0] ? " " : "");
        strcat(e->list, r->event);
    }
    return 0;
}

static const char *outbox_events(int64_t ght)
{
    static events_of e;
    memset(&e, 0, sizeof e);
    e.ght = ght;
    socle_err err = { 0 };
    cr_assert_eq(store_outbox_foreach(st, -1, collect_event, &e, &err), 0, "%s", err.msg);
    return e.list;
}

Test(identity_local, subscribers_hear_of_a40_a24_and_a37)
{
    subscriber sub;
    memset(&sub, 0, sizeof sub);
    strcpy(sub.name, "DPI");
    strcpy(sub.host, "127.0.0.1");
    sub.port = 2600;
    sub.active = 1;
    strcpy(sub.created_at, "2026-01-01T00:00:00.000Z");
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_subscriber_insert(st, &sub, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);

    identity_result s = create(OID_A, "IPP-S", person("PETIT-TEST", 'M', "1955-07-14"));
    identity_result x = create(OID_A, "IPP-X", person("PETIT-TEST", 'M', "1955-07-14"));
    local_merge_rec rec;
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-X", &rec), 0);
    /* The GHT merge (A40), then the survivor without the merged-away IPP. */
    cr_assert_str_eq(outbox_events(s.ght_id), "A28 A40 A31");
    cr_assert_str_eq(outbox_events(x.ght_id), "A28");

    identity_result b = create(OID_B, "IPP-B", hurried(person("PETIT-TEST", 'M', "1955-07-14")));
    int64_t merge_id;
    cr_assert_eq(local_link(1, OID_A, "IPP-S", OID_B, "IPP-B", &merge_id), 0);
    cr_assert_str_eq(outbox_events(s.ght_id), "A28 A40 A31 A40");
    cr_assert_eq(local_link(0, OID_A, "IPP-S", OID_B, "IPP-B", NULL), 0);
    cr_assert_str_eq(outbox_events(s.ght_id), "A28 A40 A31 A40 A31");
    int64_t b_ght = get_local(b.local_id).ght_id;
    cr_assert_str_eq(outbox_events(b_ght), "A28");
}

Test(identity_local, a40_within_one_ght_identity_needs_no_ght_merge)
{
    /* Same INS: one GHT identity already. */
    identity_result s = create_with_ins(OID_A, "IPP-S", traits_m(), 1);
    identity_result a = create_with_ins(OID_A, "IPP-X", traits_m(), 1);
    cr_assert_eq(s.ght_id, a.ght_id);
    local_merge_rec rec;
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-X", &rec), 0);
    cr_assert_eq(rec.ght_merge_id, 0);
    cr_assert_eq(get_ght(s.ght_id).state, GHT_ACTIVE);
    cr_assert_eq(active_links_of_ght(s.ght_id).n, 1);
}

Test(identity_local, a40_brings_the_other_establishments_along)
{
    /* IPP-X (EJ A) and IPP-B (EJ B) are one GHT identity by their INS; the
     * source of EJ A then says IPP-X is its IPP-S. */
    identity_result s = create(OID_A, "IPP-S", traits_m());
    identity_result x = create_with_ins(OID_A, "IPP-X", traits_m(), 3);
    identity_result b = create_with_ins(OID_B, "IPP-B", traits_m(), 3);
    cr_assert_eq(x.ght_id, b.ght_id);
    local_merge_rec rec;
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-X", &rec), 0);
    cr_assert_eq(get_local(b.local_id).ght_id, s.ght_id);
    cr_assert_eq(active_links_of_ght(s.ght_id).n, 2);
}

Test(identity_local, a40_refusals_leave_the_store_as_it_was)
{
    create(OID_A, "IPP-S", person("MARTIN-TEST", 'F', "1990-05-06"));
    create(OID_A, "IPP-X", person("MARTIN-TEST", 'F', "1990-05-06"));
    store_counts before = counts();
    local_merge_rec rec;
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-NONE", &rec), SOCLE_ENOTFOUND);
    cr_assert_eq(local_merge(OID_A, "IPP-NONE", "IPP-X", &rec), SOCLE_ENOTFOUND);
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-S", &rec), SOCLE_ERULE);
    cr_assert_eq(local_merge(OID_B, "IPP-S", "IPP-X", &rec), SOCLE_ENOTFOUND,
                 "the IPPs are EJ A's, not EJ B's");
    assert_counts_eq(before, counts());

    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-X", &rec), 0);
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-X", &rec), SOCLE_ERULE, "merged twice");
    cr_assert_eq(local_merge(OID_A, "IPP-X", "IPP-S", &rec), SOCLE_ERULE,
                 "a merged-away IPP cannot survive");
}

Test(identity_local, a_merged_away_ipp_is_refused_by_later_messages)
{
    identity_traits t = person("LEROY-TEST", 'M', "1961-12-31");
    create(OID_A, "IPP-S", t);
    create(OID_A, "IPP-X", t);
    local_merge_rec rec;
    cr_assert_eq(local_merge(OID_A, "IPP-S", "IPP-X", &rec), 0);

    identity_input in = input(OID_A, "IPP-X", t);
    identity_result res;
    socle_err err = { 0 };
    cr_assert_eq(identity_upsert(st, &actor, &in, &res, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE);
    cr_assert(strstr(err.msg, "merged into") != NULL, "%s", err.msg);

    int64_t local_id = 0;
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(identity_change_ipp_in_tx(st, &actor, domain(OID_A).id, "IPP-X", "IPP-Y",
                                           &local_id, &err), -1);
    cr_assert_eq(err.code, SOCLE_ERULE);
    store_rollback(st);
}

Test(identity_local, update_only_refuses_an_unknown_ipp)
{
    identity_input in = input(OID_A, "IPP-NEW", traits_f());
    in.update_only = 1;
    identity_result res;
    socle_err err = { 0 };
    store_counts before = counts();
    cr_assert_eq(identity_upsert(st, &actor, &in, &res, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);
    assert_counts_eq(before, counts());
    in.update_only = 0;
    upsert_ok(&in);
    in.update_only = 1;
    in.traits.used_name[0] = '\0';
    upsert_ok(&in);
}

Test(identity_local, a24_links_and_a37_unlinks)
{
    identity_result a = create(OID_A, "IPP-A", person("BERNARD-TEST", 'F', "1984-02-29"));
    identity_result b = create(OID_B, "IPP-B", hurried(person("BERNARD-TEST", 'F', "1984-02-29")));
    cr_assert_neq(a.ght_id, b.ght_id);

    int64_t merge_id = 0;
    cr_assert_eq(local_link(1, OID_A, "IPP-A", OID_B, "IPP-B", &merge_id), 0);
    cr_assert_gt(merge_id, 0);
    cr_assert_eq(get_local(b.local_id).ght_id, a.ght_id);
    cr_assert_eq(get_ght(b.ght_id).state, GHT_MERGED);

    /* Linked again: nothing to do, said so. */
    cr_assert_eq(local_link(1, OID_A, "IPP-A", OID_B, "IPP-B", &merge_id), 0);
    cr_assert_eq(merge_id, 0);

    cr_assert_eq(local_link(0, OID_A, "IPP-A", OID_B, "IPP-B", NULL), 0);
    int64_t b_ght = get_local(b.local_id).ght_id;
    cr_assert_neq(b_ght, a.ght_id);
    cr_assert_gt(b_ght, 0);
    cr_assert_eq(get_ght(b_ght).state, GHT_ACTIVE);
    cr_assert_eq(get_local(a.local_id).ght_id, a.ght_id);

    store_counts before = counts();
    cr_assert_eq(local_link(0, OID_A, "IPP-A", OID_B, "IPP-B", NULL), SOCLE_ERULE,
                 "not linked any more");
    cr_assert_eq(local_link(1, OID_A, "IPP-A", OID_B, "IPP-NONE", &merge_id), SOCLE_ENOTFOUND);
    cr_assert_eq(last_which, 2);
    cr_assert_eq(local_link(1, OID_B, "IPP-NONE", OID_A, "IPP-A", &merge_id), SOCLE_ENOTFOUND);
    cr_assert_eq(last_which, 1);
    cr_assert_eq(local_link(1, OID_A, "IPP-A", OID_A, "IPP-A", &merge_id), SOCLE_ERULE);
    assert_counts_eq(before, counts());
    assert_audit_intact();
}
