/*
 * test_notify.c - identity notifications written to the outbox by the core
 * commands (core/notify.h), in the same transaction, and the outbox queue
 * of the store: head of each patient's queue, states, subscriber removal.
 *
 * Synthetic people only (names ending in -TEST).
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify.h"
#include "identity_fixtures.h"
#include "util/buf.h"

TestSuite(notify, .init = identity_setup, .fini = identity_teardown);

#define FINESS_A "750712184"
#define FINESS_B "350005179"

static int64_t add_sub(const char *name, const char *events, const char *ej)
{
    subscriber s;
    memset(&s, 0, sizeof s);
    strcpy(s.name, name);
    strcpy(s.host, "127.0.0.1");
    s.port = 2600;
    s.active = 1;
    strcpy(s.events, events);
    strcpy(s.ej_finess, ej);
    strcpy(s.created_at, "2025-01-01T00:00:00.000Z");
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0, "%s", err.msg);
    cr_assert_eq(store_subscriber_insert(st, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0, "%s", err.msg);
    return s.id;
}

/* The outbox rows, copied. */
typedef struct row {
    int64_t id, ght, other;
    char event[8], sub[64], state[8], message_id[40], next[40], created[40], error[512];
    int attempts;
    json_t *payload;
} row;

typedef struct rows {
    int n;
    row r[32];
} rows;

static int collect_row(const outbox_row *r, void *ctx)
{
    rows *l = ctx;
    if (l->n < 32) {
        row *o = &l->r[l->n];
        o->id = r->id;
        o->ght = r->ght_id;
        o->other = r->other_ght_id;
        strcpy(o->event, r->event);
        strcpy(o->sub, r->subscriber);
        strcpy(o->state, outbox_state_name(r->state));
        strcpy(o->message_id, r->message_id);
        strcpy(o->next, r->next_attempt_at);
        strcpy(o->created, r->created_at);
        snprintf(o->error, sizeof o->error, "%s", r->last_error);
        o->attempts = r->attempts;
        o->payload = json_loads(r->payload, 0, NULL);
        cr_assert_not_null(o->payload, "payload is not JSON: %s", r->payload);
    }
    l->n++;
    return 0;
}

static rows all_rows(void)
{
    rows l = { 0 };
    socle_err err = { 0 };
    cr_assert_eq(store_outbox_foreach(st, -1, collect_row, &l, &err), 0, "%s", err.msg);
    return l;
}

static rows due(int64_t sub, const char *now)
{
    rows l = { 0 };
    socle_err err = { 0 };
    cr_assert_eq(store_outbox_due(st, sub, now, 100, collect_row, &l, &err), 0, "%s", err.msg);
    return l;
}

static void rows_free(rows *l)
{
    for (int i = 0; i < l->n && i < 32; i++)
        json_decref(l->r[i].payload);
}

/* "A28:g1 A31:g2 A40:g1/g2" for the rows of one subscriber (all if NULL). */
static const char *summary(const rows *l, const char *sub)
{
    static char out[512];
    buf b = { 0 };
    for (int i = 0; i < l->n && i < 32; i++) {
        if (sub && strcmp(l->r[i].sub, sub) != 0)
            continue;
        buf_printf(&b, "%s%s:%lld", b.len ? " " : "", l->r[i].event, (long long)l->r[i].ght);
        if (l->r[i].other)
            buf_printf(&b, "/%lld", (long long)l->r[i].other);
    }
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

static const char *jstr(json_t *o, const char *path1, const char *path2)
{
    json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v) ? json_string_value(v) : "";
}

/* "a" or "a,b" (b == 0: one id). */
static const char *idl(int64_t a, int64_t b)
{
    static char out[4][64];
    static int k;
    char *o = out[k++ % 4];
    if (b != 0)
        snprintf(o, 64, "%lld,%lld", (long long)a, (long long)b);
    else
        snprintf(o, 64, "%lld", (long long)a);
    return o;
}

/* ---- Written with the change ------------------------------------------- */

Test(notify, nobody_subscribed_nothing_written)
{
    create(OID_A, "IPP-N-1", person("NOBODY-TEST", 'F', "1990-01-02"));
    rows l = all_rows();
    cr_assert_eq(l.n, 0);
    cr_assert_eq(notify_events_accept("", "A28"), 1);
    cr_assert_eq(notify_events_accept("A28,A40", "A40"), 1);
    cr_assert_eq(notify_events_accept("A28,A40", "A31"), 0);
    cr_assert_eq(notify_events_accept("A281", "A28"), 0);
}

Test(notify, creation_writes_an_A28_with_the_ght_view)
{
    add_sub("DPI", "", "");
    identity_result res = create(OID_A, "IPP-C-1", person("CREATE-TEST", 'F', "1990-01-02"));
    rows l = all_rows();
    cr_assert_eq(l.n, 1);
    row *r = &l.r[0];
    cr_assert_str_eq(r->event, "A28");
    cr_assert_str_eq(r->sub, "DPI");
    cr_assert_eq(r->ght, res.ght_id);
    cr_assert_eq(r->other, 0);
    cr_assert_str_eq(r->state, "pending");
    cr_assert_eq(r->attempts, 0);
    cr_assert_eq(strlen(r->message_id), 32);
    cr_assert_str_eq(r->next, r->created, "due at once");

    json_t *p = r->payload;
    cr_assert_str_eq(jstr(p, "event", NULL), "A28");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(p, "ght"), "id")), res.ght_id);
    cr_assert_str_neq(jstr(p, "ght", "oid"), "");
    json_t *ids = json_object_get(p, "identifiers");
    cr_assert_eq(json_array_size(ids), 1);
    cr_assert_str_eq(jstr(json_array_get(ids, 0), "ipp", NULL), "IPP-C-1");
    cr_assert_str_eq(jstr(json_array_get(ids, 0), "domain_oid", NULL), OID_A);
    cr_assert_str_eq(jstr(json_array_get(ids, 0), "finess", NULL), FINESS_A);
    json_t *patient = json_object_get(p, "patient");
    cr_assert_str_eq(jstr(patient, "ipp", NULL), "IPP-C-1");
    cr_assert_str_eq(jstr(patient, "traits", "birth_name"), "CREATE-TEST");
    cr_assert_str_eq(jstr(patient, "status", NULL), "PROV");
    rows_free(&l);
}

Test(notify, rows_commit_and_roll_back_with_the_change)
{
    add_sub("DPI", "", "");
    identity_input in = input(OID_A, "IPP-T-1", person("TX-TEST", 'M', "1970-05-06"));
    identity_result res;
    socle_err err = { 0 };

    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(identity_upsert_in_tx(st, &actor, &in, &res, &err), 0, "%s", err.msg);
    rows l = all_rows();
    cr_assert_eq(l.n, 1, "written inside the transaction");
    rows_free(&l);
    store_rollback(st);
    l = all_rows();
    cr_assert_eq(l.n, 0, "gone with the rollback");
    cr_assert_eq(counts().local_identities, 0);

    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(identity_upsert_in_tx(st, &actor, &in, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    l = all_rows();
    cr_assert_eq(l.n, 1);
    cr_assert_eq(l.r[0].ght, res.ght_id);
    rows_free(&l);
}

Test(notify, update_then_merge_by_ins)
{
    add_sub("DPI", "", "");
    identity_traits t = person("MERGE-TEST", 'F', "1985-07-15");
    identity_result a = create_with_ins(OID_A, "IPP-M-A", t, 1);
    identity_result b = create(OID_B, "IPP-M-B", hurried(t));
    cr_assert_neq(a.ght_id, b.ght_id);

    identity_input in = input(OID_B, "IPP-M-B", t);
    with_ins(&in, 1, 1);
    identity_result u = upsert_ok(&in);
    cr_assert_eq(u.ght_id, a.ght_id, "merged by INS");

    rows l = all_rows();
    char want[256];
    snprintf(want, sizeof want, "A28:%lld A28:%lld A31:%lld A40:%lld/%lld", (long long)a.ght_id,
             (long long)b.ght_id, (long long)b.ght_id, (long long)a.ght_id, (long long)b.ght_id);
    cr_assert_str_eq(summary(&l, NULL), want, "B's change, then the merge it causes");
    cr_assert_str_eq(l.r[2].event, "A31");
    cr_assert_eq(l.r[2].ght, b.ght_id);
    cr_assert_str_eq(l.r[3].event, "A40");
    cr_assert_eq(l.r[3].ght, a.ght_id);
    cr_assert_eq(l.r[3].other, b.ght_id);
    json_t *p = l.r[3].payload;
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(p, "merged"), "id")),
                 b.ght_id);
    cr_assert_eq(json_array_size(json_object_get(p, "identifiers")), 2,
                 "the survivor lists both IPPs");
    rows_free(&l);
}

Test(notify, subscriber_filters)
{
    add_sub("ALL", "", "");
    add_sub("MERGES", "A40", "");
    add_sub("EJB", "", FINESS_B);
    create(OID_A, "IPP-F-A", person("FILTER-TEST", 'M', "1960-02-03"));
    identity_result b = create(OID_B, "IPP-F-B", person("FILTRE-TEST", 'F', "1961-02-03"));
    rows l = all_rows();
    cr_assert_eq(l.n, 3, "%s", summary(&l, NULL));
    cr_assert_str_eq(summary(&l, "MERGES"), "");
    char want[64];
    snprintf(want, sizeof want, "A28:%lld", (long long)b.ght_id);
    cr_assert_str_eq(summary(&l, "EJB"), want);
    rows_free(&l);
}

Test(notify, unmerge_and_relink)
{
    add_sub("DPI", "", "");
    identity_result a = create(OID_A, "IPP-U-A", person("UNDO-TEST", 'M', "1950-03-04"));
    identity_result b = create(OID_B, "IPP-U-B", hurried(person("UNDO-TEST", 'M', "1950-03-04")));
    int64_t g1 = a.ght_id, g2 = b.ght_id, merge_id = 0, g3 = 0;
    socle_err err = { 0 };
    cr_assert_eq(identity_merge(st, &actor, g1, g2, "same person", &merge_id, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(identity_unmerge(st, &actor, merge_id, "not the same", &err), 0, "%s", err.msg);
    rows l = all_rows();
    char want[256];
    snprintf(want, sizeof want, "A28:%lld A28:%lld A40:%lld/%lld A31:%lld A28:%lld",
             (long long)g1, (long long)g2, (long long)g1, (long long)g2, (long long)g1,
             (long long)g2);
    cr_assert_str_eq(summary(&l, NULL), want, "unmerge: the survivor loses the IPP first");
    rows_free(&l);

    /* Merge again, then separate B into a new identity, then back. */
    cr_assert_eq(identity_merge(st, &actor, g1, g2, "same person after all", &merge_id, &err),
                 0, "%s", err.msg);
    cr_assert_eq(identity_relink(st, &actor, b.local_id, 0, "separate", &g3, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(identity_relink(st, &actor, b.local_id, g1, "rejoin", NULL, &err), 0, "%s",
                 err.msg);
    l = all_rows();
    snprintf(want, sizeof want,
             "A28:%lld A28:%lld A40:%lld/%lld A31:%lld A28:%lld"  /* as above */
             " A40:%lld/%lld A31:%lld A28:%lld"                   /* merge, separate */
             " A40:%lld/%lld A31:%lld",                           /* rejoin: g3 retired */
             (long long)g1, (long long)g2, (long long)g1, (long long)g2, (long long)g1,
             (long long)g2, (long long)g1, (long long)g2, (long long)g1, (long long)g3,
             (long long)g1, (long long)g3, (long long)g1);
    cr_assert_str_eq(summary(&l, NULL), want);
    rows_free(&l);
}

Test(notify, the_most_verified_identity_speaks_for_the_patient)
{
    add_sub("DPI", "", "");
    identity_result a = create(OID_A, "IPP-R-A", person("REPR-TEST", 'F', "1975-09-10"));
    identity_result b = create(OID_B, "IPP-R-B", hurried(person("REPR-TEST", 'F', "1975-09-10")));
    socle_err err = { 0 };
    int64_t m;
    cr_assert_eq(identity_merge(st, &actor, a.ght_id, b.ght_id, "same", &m, &err), 0);
    cr_assert_eq(identity_record_proof(st, &actor, a.local_id, "CN", &err), 0, "%s", err.msg);

    /* B changes after A, but A is validated: A still speaks. */
    identity_traits t = person("REPR-TEST", 'F', "1975-09-10");
    strcpy(t.used_name, "USAGE-TEST");
    identity_input in = input(OID_B, "IPP-R-B", t);
    upsert_ok(&in);
    rows l = all_rows();
    row *last = &l.r[l.n - 1];
    cr_assert_str_eq(last->event, "A31");
    cr_assert_eq(last->ght, a.ght_id);
    json_t *patient = json_object_get(last->payload, "patient");
    cr_assert_str_eq(jstr(patient, "ipp", NULL), "IPP-R-A");
    cr_assert_str_eq(jstr(patient, "status", NULL), "VALI");
    cr_assert_eq(json_array_size(json_object_get(last->payload, "identifiers")), 2);
    rows_free(&l);
}

/* ---- The queue ---------------------------------------------------------- */

static int64_t put_row(int64_t sub, const char *name, int64_t ght, int64_t other)
{
    outbox_row r;
    memset(&r, 0, sizeof r);
    r.subscriber_id = sub;
    strcpy(r.subscriber, name);
    r.ght_id = ght;
    r.other_ght_id = other;
    strcpy(r.event, other ? "A40" : "A31");
    strcpy(r.message_id, "0123456789ABCDEF0123456789ABCDEF");
    r.payload = "{}";
    strcpy(r.created_at, "2025-01-01T00:00:00.000Z");
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_outbox_insert(st, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    return r.id;
}

static void mark(int64_t id, const char *how, const char *next)
{
    socle_err err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    int rc = strcmp(how, "sent") == 0 ? store_outbox_mark_sent(st, id, "2025-01-01T00:00:01.000Z",
                                                                "ACK", &err)
           : strcmp(how, "failed") == 0 ? store_outbox_mark_failed(st, id, "AE: 103", "ACK", &err)
           : store_outbox_mark_retry(st, id, next, "AR", &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
}

static const char *due_ids(int64_t sub, const char *now)
{
    static char out[128];
    rows l = due(sub, now);
    buf b = { 0 };
    for (int i = 0; i < l.n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)l.r[i].id);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    rows_free(&l);
    return out;
}

Test(notify, a_patient_waits_for_its_earlier_message_others_proceed)
{
    const char *now = "2025-01-01T00:00:10.000Z";
    int64_t s1 = add_sub("S1", "", ""), s2 = add_sub("S2", "", "");
    int64_t r1 = put_row(s1, "S1", 1, 0);   /* patient 1 */
    int64_t r2 = put_row(s1, "S1", 1, 0);   /* patient 1, later */
    int64_t r3 = put_row(s1, "S1", 2, 0);   /* patient 2 */
    int64_t r4 = put_row(s1, "S1", 3, 1);   /* 3 absorbs 1: waits for 1's messages */
    int64_t r5 = put_row(s2, "S2", 1, 0);   /* another subscriber */

    cr_assert_str_eq(due_ids(s1, now), idl(r1, r3));
    cr_assert_str_eq(due_ids(s2, now), idl(r5, 0));

    mark(r1, "retry", "2025-01-01T00:01:00.000Z");
    cr_assert_str_eq(due_ids(s1, now), idl(r3, 0),
                     "patient 1 waits for its first message; patient 2 goes on");
    cr_assert_str_eq(due_ids(s1, "2025-01-01T00:01:00.000Z"), idl(r1, r3));

    mark(r1, "sent", NULL);
    cr_assert_str_eq(due_ids(s1, now), idl(r2, r3));
    mark(r2, "failed", NULL);
    cr_assert_str_eq(due_ids(s1, now), idl(r3, r4),
                     "a refused message does not hold the next ones");
    mark(r3, "sent", NULL);
    mark(r4, "sent", NULL);
    cr_assert_str_eq(due_ids(s1, now), "");

    int64_t pending = -1, failed = -1;
    socle_err err = { 0 };
    cr_assert_eq(store_outbox_counts(st, &pending, &failed, &err), 0);
    cr_assert_eq(pending, 1);
    cr_assert_eq(failed, 1);

    /* Removing S2 fails its waiting row and keeps it, with its name. */
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_subscriber_remove(st, "S2", "2025-01-02T00:00:00.000Z", &err), 1);
    cr_assert_eq(store_subscriber_remove(st, "S2", "2025-01-02T00:00:00.000Z", &err), 0);
    cr_assert_eq(store_commit(st, &err), 0);
    rows l = all_rows();
    row *last = &l.r[l.n - 1];
    cr_assert_eq(last->id, r5);
    cr_assert_str_eq(last->state, "failed");
    cr_assert_str_eq(last->sub, "S2");
    cr_assert(strstr(last->error, "subscriber removed") != NULL, "%s", last->error);
    rows_free(&l);
    cr_assert_eq(store_outbox_counts(st, &pending, &failed, &err), 0);
    cr_assert_eq(pending, 0);
    cr_assert_eq(failed, 2);
}
