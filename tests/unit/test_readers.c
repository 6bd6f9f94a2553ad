/*
 * Unit tests of reader handles and their pool (store.h "Reader handles",
 * store/readers.h): a reader reads what is committed, never writes, holds
 * the audit records of its reads for a writable handle to append, and
 * drops those of a transaction that rolls back.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/readers.h"
#include "store/store.h"
#include "store_fixture.h"


TestSuite(readers, .init = store_fixture_setup, .fini = store_fixture_teardown, .timeout = 30);

static const socle_actor reader_actor = { .id = "user:lecteur1", .role = "lecteur" };

static void meta_set_committed(const char *key, const char *value)
{
    socle_err err;
    cr_assert_eq(store_begin(st, &err), 0, "%s", err.msg);
    cr_assert_eq(store_meta_set(st, key, value, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0, "%s", err.msg);
}

Test(readers, reads_committed_data_and_refuses_writes)
{
    meta_set_committed("k", "v1");
    store *rd;
    socle_err err;
    cr_assert_eq(store_open_reader(&rd, dir, &err), 0, "%s", err.msg);
    cr_expect(store_is_reader(rd));
    cr_expect_not(store_is_reader(st));
    cr_expect_eq(store_schema_version(rd), store_schema_version(st));

    char v[16];
    cr_assert_eq(store_begin(rd, &err), 0, "%s", err.msg);
    cr_expect_eq(store_meta_get(rd, "k", v, sizeof v, &err), 1);
    cr_expect_str_eq(v, "v1");
    cr_expect_eq(store_meta_set(rd, "k", "v2", &err), -1, "a reader must not write");
    store_rollback(rd);

    /* A read transaction does not block the writer, and a new one sees
     * what the writer committed meanwhile. */
    cr_assert_eq(store_begin(rd, &err), 0, "%s", err.msg);
    cr_expect_eq(store_meta_get(rd, "k", v, sizeof v, &err), 1);
    meta_set_committed("k", "v3");
    cr_expect_eq(store_meta_get(rd, "k", v, sizeof v, &err), 1);
    cr_expect_str_eq(v, "v1", "a read transaction keeps its snapshot");
    cr_assert_eq(store_commit(rd, &err), 0, "%s", err.msg);
    cr_assert_eq(store_begin(rd, &err), 0, "%s", err.msg);
    cr_expect_eq(store_meta_get(rd, "k", v, sizeof v, &err), 1);
    cr_expect_str_eq(v, "v3");
    cr_assert_eq(store_commit(rd, &err), 0, "%s", err.msg);

    cr_expect_eq(store_batch_begin(rd, &err), -1, "a reader runs no batch");
    store_close(rd);
}

Test(readers, needs_an_existing_store)
{
    store *rd = NULL;
    socle_err err;
    cr_expect_eq(store_open_reader(&rd, "/tmp/socle-readers-no-such-dir", &err), -1);
    cr_expect_null(rd);
}

static int64_t audit_count(void)
{
    store_counts c;
    socle_err err;
    cr_assert_eq(store_counts_get(st, &c, &err), 0, "%s", err.msg);
    return c.audit_records;
}

Test(readers, audit_records_are_held_then_appended_in_the_chain)
{
    store *rd;
    socle_err err;
    cr_assert_eq(store_open_reader(&rd, dir, &err), 0, "%s", err.msg);
    int64_t before = audit_count();

    /* Two reads that commit, one that rolls back. */
    cr_assert_eq(store_begin(rd, &err), 0, "%s", err.msg);
    cr_assert_eq(audit_log(rd, &reader_actor, "identity.read", "ght_identity", "1", NULL,
                           NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(rd, &err), 0, "%s", err.msg);
    cr_assert_eq(store_begin(rd, &err), 0, "%s", err.msg);
    cr_assert_eq(audit_log(rd, &reader_actor, "identity.read", "ght_identity", "2",
                           "not-found", NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(rd, &err), 0, "%s", err.msg);
    cr_assert_eq(store_begin(rd, &err), 0, "%s", err.msg);
    cr_assert_eq(audit_log(rd, &reader_actor, "identity.read", "ght_identity", "3", NULL,
                           NULL, &err), 0, "%s", err.msg);
    store_rollback(rd);
    cr_expect_eq(audit_count(), before, "a reader wrote nothing itself");

    /* Records of an open transaction stay with it. */
    cr_assert_eq(store_begin(rd, &err), 0, "%s", err.msg);
    cr_assert_eq(audit_log(rd, &reader_actor, "identity.search", "ght_identity", NULL, NULL,
                           NULL, &err), 0, "%s", err.msg);
    audit_record *held = NULL;
    size_t n = store_audit_take_held(rd, &held);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(held[0].object_id, "1");
    cr_expect_str_eq(held[0].outcome, "success");
    cr_expect_str_eq(held[1].object_id, "2");
    cr_expect_str_eq(held[1].outcome, "not-found");
    cr_expect_neq(held[0].at[0], '\0', "the time of the read is set when it is held");
    cr_expect_eq(held[0].seq, 0, "no place in the chain yet");

    cr_expect_eq(audit_append_held(rd, held, n, &err), -1, "not on a reader");
    cr_assert_eq(store_begin(st, &err), 0, "%s", err.msg);
    cr_assert_eq(audit_append_held(st, held, n, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0, "%s", err.msg);
    free(held);
    cr_expect_eq(audit_count(), before + 2);
    audit_verify_result res;
    cr_assert_eq(audit_verify(st, &res, &err), 0, "%s", err.msg);
    cr_expect_eq(res.first_broken, 0, "%s", res.reason);

    cr_assert_eq(store_commit(rd, &err), 0, "%s", err.msg);
    n = store_audit_take_held(rd, &held);
    cr_expect_eq(n, 1, "the search committed since");
    free(held);
    cr_expect_eq(store_audit_take_held(rd, &held), 0);
    cr_expect_null(held);
    store_close(rd);
}

Test(readers, hold_outside_a_reader_or_a_transaction_is_refused)
{
    audit_record rec = { .action = "identity.read" };
    socle_err err;
    cr_expect_eq(store_audit_hold(st, &rec, &err), -1);
    store *rd;
    cr_assert_eq(store_open_reader(&rd, dir, &err), 0, "%s", err.msg);
    cr_expect_eq(store_audit_hold(rd, &rec, &err), -1);
    cr_expect_eq(audit_append(rd, &rec, &err), -1, "outside a transaction");
    store_close(rd);
}

/* ---- The pool ---------------------------------------------------------- */

typedef struct borrower {
    store_readers *pool;
    int ok;
} borrower;

static void *borrow_and_read(void *arg)
{
    borrower *b = arg;
    for (int i = 0; i < 50; i++) {
        socle_err err;
        store *rd = store_readers_acquire(b->pool, &err);
        if (rd == NULL)
            return NULL;
        char v[16];
        int rc = store_begin(rd, &err) == 0 ? store_meta_get(rd, "k", v, sizeof v, &err) : -1;
        store_commit(rd, &err);
        store_readers_release(b->pool, rd);
        if (rc != 1 || strcmp(v, "v") != 0)
            return NULL;
    }
    b->ok = 1;
    return NULL;
}

Test(readers, pool_lends_at_most_max_readers_to_many_threads)
{
    meta_set_committed("k", "v");
    store_readers *pool;
    socle_err err;
    cr_expect_eq(store_readers_new(&pool, dir, 0, &err), -1);
    cr_assert_eq(store_readers_new(&pool, dir, 2, &err), 0, "%s", err.msg);

    /* Two borrowed: a third borrower waits until one comes back. */
    store *a = store_readers_acquire(pool, &err);
    store *b = store_readers_acquire(pool, &err);
    cr_assert(a != NULL && b != NULL && a != b);
    store_readers_release(pool, a);
    store *c = store_readers_acquire(pool, &err);
    cr_expect_eq(c, a, "an idle reader is reused, not a new one opened");
    store_readers_release(pool, b);
    store_readers_release(pool, c);

    /* A reader given back inside a transaction is clean for the next. */
    store *d = store_readers_acquire(pool, &err);
    cr_assert_eq(store_begin(d, &err), 0, "%s", err.msg);
    audit_record rec = { .action = "identity.read" };
    cr_assert_eq(audit_append(d, &rec, &err), 0, "%s", err.msg);
    store_readers_release(pool, d);
    store *e = store_readers_acquire(pool, &err);
    cr_expect_not(store_in_transaction(e));
    audit_record *held = NULL;
    cr_expect_eq(store_audit_take_held(e, &held), 0);
    store_readers_release(pool, e);

    pthread_t th[6];
    borrower bs[6];
    for (int i = 0; i < 6; i++) {
        bs[i] = (borrower){ .pool = pool };
        cr_assert_eq(pthread_create(&th[i], NULL, borrow_and_read, &bs[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        cr_expect(bs[i].ok, "borrower %d", i);
    }
    store_readers_free(pool);
}
