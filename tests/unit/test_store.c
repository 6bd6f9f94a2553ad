/*
 * Unit tests of the SQLite store: opening, migrations, transactions,
 * durability of reopened data, refusal of read-only data dirs.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/socle-store-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", dir, dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, open_creates_and_migrates)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_expect_str_eq(store_backend(st), "sqlite");
    cr_expect_geq(store_schema_version(st), 1);
    store_counts c;
    cr_assert_eq(store_counts_get(st, &c, &err), 0);
    cr_expect_eq(c.structures, 0);
    cr_expect_eq(c.audit_records, 0);
    store_close(st);

    char path[128];
    snprintf(path, sizeof path, "%s/socle.db", dir);
    struct stat sb;
    cr_expect_eq(stat(path, &sb), 0, "socle.db created");
}

Test(store, new_data_dir_is_created)
{
    char sub[128];
    snprintf(sub, sizeof sub, "%s/a/b/c", dir);
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, sub, &err), 0, "%s", err.msg);
    store_close(st);
}

Test(store, reopen_keeps_committed_data_and_drops_rolled_back)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0);
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_meta_set(st, "kept", "yes", &err), 0);
    cr_assert_eq(store_commit(st, &err), 0);
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_meta_set(st, "dropped", "yes", &err), 0);
    store_rollback(st);
    cr_expect_eq(store_in_transaction(st), 0);
    store_close(st);

    cr_assert_eq(store_open(&st, dir, &err), 0);
    char v[16];
    cr_expect_eq(store_meta_get(st, "kept", v, sizeof v, &err), 1);
    cr_expect_str_eq(v, "yes");
    cr_expect_eq(store_meta_get(st, "dropped", v, sizeof v, &err), 0);
    store_close(st);
}

Test(store, nested_begin_and_stray_commit_are_errors)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0);
    cr_expect_eq(store_commit(st, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINTERNAL);
    cr_assert_eq(store_begin(st, &err), 0);
    cr_expect_eq(store_begin(st, &err), -1);
    store_rollback(st);
    store_close(st);
}

Test(store, schema_newer_than_binary_is_refused)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0);
    store_close(st);

    char path[128];
    snprintf(path, sizeof path, "%s/socle.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    cr_expect_eq(store_open(&st, dir, &err), -1);
    cr_expect(strstr(err.msg, "newer") != NULL, "%s", err.msg);
}

Test(store, audit_and_history_are_append_only)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0);
    cr_assert_eq(store_begin(st, &err), 0);
    audit_record r;
    memset(&r, 0, sizeof r);
    r.seq = 1;
    strcpy(r.action, "test");
    cr_assert_eq(store_audit_insert(st, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    store_close(st);

    char path[128];
    snprintf(path, sizeof path, "%s/socle.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_expect_neq(sqlite3_exec(db, "UPDATE audit SET detail = 'x'", NULL, NULL, NULL), SQLITE_OK);
    cr_expect_neq(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

Test(store, duplicate_structure_code_is_a_conflict)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0);
    cr_assert_eq(store_begin(st, &err), 0);
    structure_node n;
    memset(&n, 0, sizeof n);
    n.kind = STRUCTURE_EJ;
    strcpy(n.code, "EJ1");
    strcpy(n.label, "Centre hospitalier");
    cr_assert_eq(store_structure_insert(st, &n, &err), 0, "%s", err.msg);
    structure_node dup = n;
    dup.id = 0;
    cr_expect_eq(store_structure_insert(st, &dup, &err), -1);
    cr_expect_eq(err.code, SOCLE_ECONFLICT, "%s", err.msg);
    store_rollback(st);
    store_close(st);
}

/* Root ignores permission bits: the open is tried as nobody, in a child
 * process so that the test's own cleanup keeps root's rights. The child
 * exits 0 when store_open refused the dir with an I/O error whose message
 * contains `needle`. */
static int open_as_nobody(const char *path, const char *needle)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        store *st = NULL;
        socle_err err;
        err_clear(&err);
        if (store_open(&st, path, &err) == 0) {
            store_close(st);
            _exit(1);
        }
        fprintf(stderr, "store_open refused: %s\n", err.msg);
        _exit(err.code == SOCLE_EIO && strstr(err.msg, needle) != NULL ? 0 : 2);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(store, read_only_existing_data_dir_is_refused)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0);
    store_close(st);
    char cmd[256];
    /* Readable by everyone, writable by no one. */
    snprintf(cmd, sizeof cmd, "chmod 0755 %s && chmod 0444 %s/socle.db && chmod 0555 %s",
             dir, dir, dir);
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(open_as_nobody(dir, "writable"), 0,
                 "a read-only data dir must be refused, saying it must be writable");
}

Test(store, data_dir_under_read_only_parent_is_refused)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "chmod 0555 %s", dir);
    cr_assert_eq(system(cmd), 0);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/data", dir);
    cr_expect_eq(open_as_nobody(sub, sub), 0, "refused with a message naming the dir");
}

static inbound_message journal_entry(const char *control_id, const char *code, const char *ack)
{
    inbound_message m;
    memset(&m, 0, sizeof m);
    strcpy(m.received_at, "2026-11-23T10:00:00.000Z");
    strcpy(m.channel, "mllp");
    strcpy(m.peer, "127.0.0.1:40000");
    strcpy(m.sender, "GAM^HOP");
    snprintf(m.control_id, sizeof m.control_id, "%s", control_id);
    strcpy(m.message_type, "ADT^A28");
    m.raw = "MSH|^~\\&|GAM|HOP\r";
    m.raw_len = strlen(m.raw);
    snprintf(m.ack_code, sizeof m.ack_code, "%s", code);
    m.ack = ack;
    m.ack_len = strlen(ack);
    strcpy(m.detail, "test");
    return m;
}

Test(store, inbound_journal_keys_final_answers_only)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_expect_geq(store_schema_version(st), 2);
    cr_assert_eq(store_begin(st, &err), 0);

    /* AR twice for the same key: the sender was told to retry. */
    inbound_message ar = journal_entry("42", "AR", "MSH|...|AR1\r");
    cr_assert_eq(store_inbound_insert(st, &ar, &err), 0, "%s", err.msg);
    ar = journal_entry("42", "AR", "MSH|...|AR2\r");
    cr_assert_eq(store_inbound_insert(st, &ar, &err), 0, "%s", err.msg);
    buf ack = { 0 };
    char code[4];
    cr_expect_eq(store_inbound_find_ack(st, "GAM^HOP", "42", &ack, code, NULL, &err), 0,
                 "an AR is not a final answer");

    inbound_message aa = journal_entry("42", "AA", "MSH|...|AA\r");
    cr_assert_eq(store_inbound_insert(st, &aa, &err), 0, "%s", err.msg);
    cr_assert_eq(store_inbound_find_ack(st, "GAM^HOP", "42", &ack, code, NULL, &err), 1);
    cr_expect_str_eq(buf_cstr(&ack), "MSH|...|AA\r");
    buf raw = { 0 };
    buf_reset(&ack);
    cr_assert_eq(store_inbound_find_ack(st, "GAM^HOP", "42", &ack, code, &raw, &err), 1);
    cr_expect_str_eq(buf_cstr(&raw), "MSH|^~\\&|GAM|HOP\r", "the raw message comes back");
    buf_free(&raw);
    cr_expect_str_eq(code, "AA");

    inbound_message again = journal_entry("42", "AE", "MSH|...|AE\r");
    cr_expect_eq(store_inbound_insert(st, &again, &err), -1, "one final answer per key");
    cr_expect_eq(err.code, SOCLE_ECONFLICT);

    buf_reset(&ack);
    cr_expect_eq(store_inbound_find_ack(st, "OTHER^HOP", "42", &ack, code, NULL, &err), 0,
                 "the key includes the sender");
    buf_free(&ack);
    store_rollback(st);

    store_counts c;
    cr_assert_eq(store_counts_get(st, &c, &err), 0);
    cr_expect_eq(c.inbound_messages, 0, "rolled back");
    store_close(st);
}

static int count_alert(const quality_alert *a, void *ctx)
{
    (void)a;
    (*(int *)ctx)++;
    return 0;
}

Test(store, quality_alerts_are_listed_and_counted)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_expect_geq(store_schema_version(st), 3);
    cr_assert_eq(store_begin(st, &err), 0);
    quality_alert a;
    memset(&a, 0, sizeof a);
    strcpy(a.raised_at, "2026-11-23T10:00:00.000Z");
    strcpy(a.kind, "invalid_ins");
    strcpy(a.source, "hl7:GAM^HOP");
    strcpy(a.detail, "INS key is 44, expected 33");
    cr_assert_eq(store_alert_insert(st, &a, &err), 0, "%s", err.msg);
    cr_expect_gt(a.id, 0);
    cr_assert_eq(store_commit(st, &err), 0);

    int n = 0;
    cr_assert_eq(store_alert_foreach(st, 0, 1, count_alert, &n, &err), 0, "%s", err.msg);
    cr_expect_eq(n, 1);
    n = 0;
    cr_assert_eq(store_alert_foreach(st, 42, 0, count_alert, &n, &err), 0);
    cr_expect_eq(n, 0, "none for another identity");
    store_counts c;
    cr_assert_eq(store_counts_get(st, &c, &err), 0);
    cr_expect_eq(c.open_alerts, 1);
    store_close(st);
}

/* ---- Batches (group commit) -------------------------------------------- */

static int meta_has(store *s, const char *key)
{
    char v[16];
    socle_err err;
    int rc = store_meta_get(s, key, v, sizeof v, &err);
    cr_assert_geq(rc, 0, "%s", err.msg);
    return rc;
}

/* One unit of a batch: begin, set key, commit or roll back. */
static void unit_set(store *s, const char *key, int keep)
{
    socle_err err;
    cr_assert_eq(store_begin(s, &err), 0, "%s", err.msg);
    cr_assert_eq(store_in_transaction(s), 1);
    cr_assert_eq(store_meta_set(s, key, "v", &err), 0, "%s", err.msg);
    if (keep)
        cr_assert_eq(store_commit(s, &err), 0, "%s", err.msg);
    else
        store_rollback(s);
    cr_assert_eq(store_in_transaction(s), 0);
}

Test(store, batch_units_commit_and_roll_back_independently)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
    cr_expect_eq(store_in_batch(st), 1);
    unit_set(st, "first", 1);
    unit_set(st, "second", 0);
    /* A later unit sees what an earlier one kept, not what it undid. */
    cr_expect_eq(meta_has(st, "first"), 1);
    cr_expect_eq(meta_has(st, "second"), 0);
    unit_set(st, "third", 1);
    cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);
    cr_expect_eq(store_in_batch(st), 0);
    store_close(st);

    cr_assert_eq(store_open(&st, dir, &err), 0);
    cr_expect_eq(meta_has(st, "first"), 1);
    cr_expect_eq(meta_has(st, "second"), 0);
    cr_expect_eq(meta_has(st, "third"), 1);
    /* Out of the batch, commits are plain transactions again. */
    unit_set(st, "fourth", 1);
    store_close(st);
    cr_assert_eq(store_open(&st, dir, &err), 0);
    cr_expect_eq(meta_has(st, "fourth"), 1);
    store_close(st);
}

Test(store, batch_rollback_drops_the_committed_units)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
    unit_set(st, "unit", 1);
    store_batch_rollback(st);
    cr_expect_eq(store_in_batch(st), 0);
    cr_expect_eq(meta_has(st, "unit"), 0);
    store_close(st);
    cr_assert_eq(store_open(&st, dir, &err), 0);
    cr_expect_eq(meta_has(st, "unit"), 0);
    store_close(st);
}

Test(store, batch_misuse_is_an_error)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_expect_eq(store_batch_commit(st, &err), -1, "commit without a batch");
    cr_assert_eq(store_batch_begin(st, &err), 0);
    cr_expect_eq(store_batch_begin(st, &err), -1, "batch inside a batch");
    cr_assert_eq(store_begin(st, &err), 0);
    cr_expect_eq(store_begin(st, &err), -1, "unit inside a unit");
    cr_assert_eq(store_meta_set(st, "left-open", "v", &err), 0);
    /* A unit left open is not part of the batch. */
    cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);
    cr_expect_eq(store_in_transaction(st), 0);
    cr_expect_eq(meta_has(st, "left-open"), 0);
    store_close(st);
}

Test(store, background_checkpoint_folds_the_journal)
{
    store *st = NULL, *cp = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_assert_eq(store_open(&cp, dir, &err), 0, "%s", err.msg);
    cr_assert_eq(store_autocheckpoint(st, 0, &err), 0, "%s", err.msg);
    char key[32];
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof key, "k%d", i);
        unit_set(st, key, 1);
    }
    long pages = store_journal_pages(st);
    cr_expect_geq(pages, 50, "one page a commit at least, got %ld", pages);
    long left = -1;
    cr_assert_eq(store_checkpoint(cp, &left, &err), 0, "%s", err.msg);
    cr_expect_eq(left, 0, "everything folded, %ld pages left", left);
    /* Once folded, the next commit starts the journal over. */
    unit_set(st, "after", 1);
    cr_expect_lt(store_journal_pages(st), pages, "journal restarted");
    store_close(cp);
    store_close(st);
}

/* The store's VFS gathers WAL writes (sqlite_vfs.c): a commit larger than
 * its buffer, read back by another handle at once and after reopening. */
Test(store, large_commits_reach_other_handles_and_the_disk)
{
    store *a = NULL, *b = NULL;
    socle_err err;
    cr_assert_eq(store_open(&a, dir, &err), 0, "%s", err.msg);
    cr_assert_eq(store_open(&b, dir, &err), 0, "%s", err.msg);
    enum { KEYS = 40, SIZE = 30000 };   /* ~1.2 MB, ~300 pages */
    static char value[SIZE + 1];
    char key[16], got[SIZE + 1];
    cr_assert_eq(store_begin(a, &err), 0, "%s", err.msg);
    for (int i = 0; i < KEYS; i++) {
        memset(value, 'a' + i % 26, SIZE);
        snprintf(key, sizeof key, "big%d", i);
        cr_assert_eq(store_meta_set(a, key, value, &err), 0, "%s", err.msg);
    }
    cr_assert_eq(store_commit(a, &err), 0, "%s", err.msg);
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "big%d", i);
        cr_assert_eq(store_meta_get(b, key, got, sizeof got, &err), 1, "%s on b", key);
        cr_expect_eq(strlen(got), SIZE);
        cr_expect_eq(got[SIZE - 1], 'a' + i % 26);
    }
    store_close(b);
    store_close(a);
    cr_assert_eq(store_open(&a, dir, &err), 0, "%s", err.msg);
    snprintf(key, sizeof key, "big%d", KEYS - 1);
    cr_assert_eq(store_meta_get(a, key, got, sizeof got, &err), 1);
    cr_expect_eq(strlen(got), SIZE);
    store_close(a);
}

Test(store, term_frequencies_put_get_clear)
{
    store *st = NULL;
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    cr_expect_eq(store_match_freq_any(st, &err), 0);
    /* Keys above INT64_MAX (hashes) must survive the signed column. */
    store_match_freq put[] = {
        {0, 0xF00DF00DF00DF00DULL, 12}, {1, 7, 3}, {3, 0, 1000}, {1, 8, 5},
    };
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_match_freq_put(st, put, 4, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    cr_expect_eq(store_match_freq_any(st, &err), 1);

    store_match_freq want[] = {
        {1, 7, -1}, {0, 0xF00DF00DF00DF00DULL, -1}, {2, 7, -1}, {3, 0, -1}, {0, 7, -1},
    };
    cr_assert_eq(store_match_freq_get(st, want, 5, &err), 0, "%s", err.msg);
    cr_expect_eq(want[0].count, 3);
    cr_expect_eq(want[1].count, 12);
    cr_expect_eq(want[2].count, 0, "another kind, same key");
    cr_expect_eq(want[3].count, 1000);
    cr_expect_eq(want[4].count, 0);
    store_match_freq many[STORE_MATCH_FREQ_GET_MAX + 1] = { 0 };
    cr_expect_eq(store_match_freq_get(st, many, STORE_MATCH_FREQ_GET_MAX + 1, &err), -1);

    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_match_freq_clear(st, &err), 0);
    cr_assert_eq(store_commit(st, &err), 0);
    cr_expect_eq(store_match_freq_any(st, &err), 0);
    cr_assert_eq(store_match_freq_get(st, want, 1, &err), 0);
    cr_expect_eq(want[0].count, 0);
    store_close(st);
}
