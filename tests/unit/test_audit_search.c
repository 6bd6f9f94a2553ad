/*
 * test_audit_search.c - audit/: searching the trail (every filter, dates
 * including their whole day, newest first, paging, totals), the audit of
 * the search itself, the CSV export (RFC 4180, formulas kept inert) and
 * the chain's state for display.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/store.h"
#include "store_fixture.h"
#include "util/buf.h"
#include "util/csv.h"

static const socle_actor dpo = { .id = "web:dpo1", .role = "dpo" };

TestSuite(audit_search, .init = store_fixture_setup, .fini = store_fixture_teardown);

static void add(const char *at, const char *actor, const char *action, const char *type,
                const char *id, const char *outcome, const char *detail)
{
    audit_record r;
    memset(&r, 0, sizeof r);
    strcpy(r.at, at);
    strcpy(r.actor, actor);
    strcpy(r.role, "identitovigilant");
    strcpy(r.action, action);
    strcpy(r.object_type, type);
    strcpy(r.object_id, id);
    strcpy(r.outcome, outcome);
    strcpy(r.detail, detail);
    socle_err err;
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(audit_append(st, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
}

/* Six records over three days. */
static void sample(void)
{
    add("2026-03-01T08:00:00.000Z", "alice", "identity.read", "local_identity", "1", "success", "");
    add("2026-03-01T23:59:59.999Z", "bob", "identity.merge", "ght_identity", "2", "success", "");
    add("2026-03-02T00:00:00.000Z", "alice", "identity.read", "local_identity", "3", "denied", "");
    add("2026-03-02T12:00:00.000Z", "alice", "stay.read", "stay", "4", "success", "");
    add("2026-03-03T00:00:00.000Z", "bob", "identity.readonly", "local_identity", "1", "failure", "");
    add("2026-03-03T10:00:00.000Z", "carol", "structure.import", "structure", "", "success", "");
}

static audit_page search(const audit_filter *f)
{
    audit_page p;
    socle_err err = {0};
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(audit_search_in_tx(st, &dpo, f, &p, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    return p;
}

static audit_filter none(void)
{
    audit_filter f;
    memset(&f, 0, sizeof f);
    return f;
}

/* The seqs of a page as "6,5,4". */
static const char *seqs(const audit_page *p)
{
    static char out[256];
    out[0] = '\0';
    for (size_t i = 0; i < p->count; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%lld", i ? "," : "",
                 (long long)p->records[i].seq);
    return out;
}

Test(audit_search, each_filter_alone_newest_first)
{
    sample();
    audit_filter f = none();
    strcpy(f.actor, "alice");
    audit_page p = search(&f);
    cr_expect_str_eq(seqs(&p), "4,3,1");
    cr_expect_eq(p.total, 3);
    cr_expect_eq(p.more, 0);
    audit_page_free(&p);

    f = none();
    strcpy(f.action, "identity.read");
    p = search(&f);
    cr_expect_str_eq(seqs(&p), "3,1", "exact: identity.readonly is another action");
    audit_page_free(&p);

    f = none();
    strcpy(f.action, "identity.*");
    p = search(&f);
    cr_expect_str_eq(seqs(&p), "5,3,2,1");
    audit_page_free(&p);

    f = none();
    strcpy(f.object_type, "local_identity");
    strcpy(f.object_id, "1");
    p = search(&f);
    cr_expect_str_eq(seqs(&p), "5,1");
    audit_page_free(&p);

    f = none();
    strcpy(f.outcome, "denied");
    p = search(&f);
    cr_expect_str_eq(seqs(&p), "3");
    audit_page_free(&p);
}

Test(audit_search, dates_include_their_whole_day)
{
    sample();
    audit_filter f = none();
    strcpy(f.from_date, "2026-03-01");
    strcpy(f.to_date, "2026-03-01");
    audit_page p = search(&f);
    cr_expect_str_eq(seqs(&p), "2,1", "up to 23:59:59.999");
    audit_page_free(&p);

    f = none();
    strcpy(f.from_date, "2026-03-02");
    p = search(&f);
    cr_expect_str_eq(seqs(&p), "7,6,5,4,3", "with the first search (today)");
    audit_page_free(&p);

    f = none();
    strcpy(f.to_date, "2026-03-02");
    strcpy(f.actor, "alice");
    p = search(&f);
    cr_expect_str_eq(seqs(&p), "4,3,1", "criteria combine");
    audit_page_free(&p);
}

Test(audit_search, pages_follow_one_another_without_gap_or_repeat)
{
    sample();
    audit_filter f = none();
    f.limit = 4;
    audit_page p = search(&f);
    cr_expect_str_eq(seqs(&p), "6,5,4,3");
    cr_expect_eq(p.total, 6);
    cr_assert_eq(p.more, 1);
    f.before_seq = p.next_before;
    audit_page_free(&p);
    p = search(&f);
    /* The first search was audited (seq 7), after its page was read. */
    cr_expect_str_eq(seqs(&p), "2,1");
    cr_expect_eq(p.total, 7, "the trail now holds the first search too");
    cr_expect_eq(p.more, 0);
    audit_page_free(&p);

    f = none();
    strcpy(f.action, "audit.search");
    p = search(&f);
    cr_assert_eq(p.count, 2);
    cr_expect_str_eq(p.records[0].actor, dpo.id);
    cr_expect_str_eq(p.records[0].detail, "no criteria");
    audit_page_free(&p);

    f = none();
    strcpy(f.actor, "alice");
    p = search(&f);
    audit_page_free(&p);
    f = none();
    strcpy(f.action, "audit.search");
    p = search(&f);
    cr_expect_str_eq(p.records[0].detail, "criteria: actor", "names, never values");
    audit_page_free(&p);
}

Test(audit_search, malformed_filters_are_refused_with_the_field)
{
    const struct { const char *field; audit_filter f; } bad[] = {
        { "from_date", { .from_date = "2026-02-30" } },
        { "to_date", { .to_date = "03/03/2026" } },
        { "to_date", { .from_date = "2026-03-02", .to_date = "2026-03-01" } },
        { "action", { .action = "*" } },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        socle_err err = {0};
        audit_page p;
        cr_assert_eq(store_begin(st, &err), 0);
        cr_expect_eq(audit_search_in_tx(st, &dpo, &bad[i].f, &p, &err), -1, "case %zu", i);
        store_rollback(st);
        cr_expect_eq(err.code, SOCLE_EINVAL);
        cr_expect_not_null(strstr(err.msg, bad[i].field), "%s", err.msg);
        audit_page_free(&p);
    }
}

Test(audit_search, csv_export_is_rfc4180_with_the_page_columns)
{
    sample();
    add("2026-03-04T10:00:00.000Z", "dave", "identity.update", "local_identity", "9", "success",
        "reason, with \"quotes\"\nand a line");
    add("2026-03-04T11:00:00.000Z", "=HYPERLINK(\"x\")", "identity.read", "local_identity",
        "9", "success", "@SUM(A1)");
    audit_filter f = none();
    strcpy(f.from_date, "2026-03-03");
    buf out = {0};
    size_t rows = 0;
    int truncated = 1;
    socle_err err = {0};
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(audit_export_csv_in_tx(st, &dpo, &f, &out, &rows, &truncated, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    cr_expect_eq(rows, 4);
    cr_expect_eq(truncated, 0);
    const char *text = buf_cstr(&out);
    cr_expect_eq(strncmp(text, "seq,horodatage,acteur,rôle,action,type d'objet,objet,résultat,"
                               "détail\r\n", 72), 0, "%s", text);
    /* Every record ends with CRLF; a bare LF only inside a quoted field. */
    cr_expect_eq(text[out.len - 2], '\r');
    cr_expect_eq(text[out.len - 1], '\n');

    /* Read it back with the CSV reader. */
    FILE *in = fmemopen(out.data, out.len, "r");
    cr_assert_not_null(in);
    csv_reader *r = csv_reader_new(in, "export");
    cr_assert_eq(csv_next(r, &err), 1);
    cr_expect_eq(csv_field_count(r), 9);
    cr_assert_eq(csv_next(r, &err), 1);
    cr_expect_str_eq(csv_field(r, 0), "8", "newest first");
    cr_expect_str_eq(csv_field(r, 2), "'=HYPERLINK(\"x\")", "a formula stays text");
    cr_expect_str_eq(csv_field(r, 8), "'@SUM(A1)");
    cr_assert_eq(csv_next(r, &err), 1);
    cr_expect_str_eq(csv_field(r, 0), "7");
    cr_expect_str_eq(csv_field(r, 1), "2026-03-04T10:00:00.000Z");
    cr_expect_str_eq(csv_field(r, 2), "dave");
    cr_expect_str_eq(csv_field(r, 3), "identitovigilant");
    cr_expect_str_eq(csv_field(r, 4), "identity.update");
    cr_expect_str_eq(csv_field(r, 5), "local_identity");
    cr_expect_str_eq(csv_field(r, 6), "9");
    cr_expect_str_eq(csv_field(r, 7), "success");
    cr_expect_str_eq(csv_field(r, 8), "reason, with \"quotes\"\nand a line");
    cr_assert_eq(csv_next(r, &err), 1);
    cr_expect_str_eq(csv_field(r, 0), "6");
    cr_assert_eq(csv_next(r, &err), 1);
    cr_expect_str_eq(csv_field(r, 0), "5");
    cr_expect_eq(csv_next(r, &err), 0);
    csv_reader_free(r);
    fclose(in);
    buf_free(&out);

    /* The export is audited with its size. */
    audit_filter g = none();
    strcpy(g.action, "audit.export");
    audit_page p = search(&g);
    cr_assert_eq(p.count, 1);
    cr_expect_not_null(strstr(p.records[0].detail, "4 records"), "%s", p.records[0].detail);
    audit_page_free(&p);
}

/* Rewrite the file behind the application's back, as an intruder would. */
static void tamper(const char *sql)
{
    store_close(st);
    char path[128];
    snprintf(path, sizeof path, "%s/socle.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_append_only_update;", NULL,
                              NULL, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
}

static audit_chain_state check(int full)
{
    audit_chain_state cs;
    socle_err err = {0};
    cr_assert_eq(audit_chain_check(st, full, &cs, &err), 0, "%s", err.msg);
    return cs;
}

Test(audit_search, chain_state_says_how_far_it_verifies)
{
    sample();
    audit_chain_state cs = check(1);
    cr_expect_eq(cs.full, 1);
    cr_expect_eq(cs.from_seq, 1);
    cr_expect_eq(cs.last_seq, 6);
    cr_expect_eq(cs.verified_to, 6);
    cr_expect_eq(cs.first_broken, 0);
    cr_expect_neq(cs.checked_at[0], '\0');
    cr_expect_str_eq(cs.last_full_at, cs.checked_at);

    tamper("UPDATE audit SET actor = 'mallory' WHERE seq = 4;");
    cs = check(1);
    cr_expect_eq(cs.first_broken, 4);
    cr_expect_eq(cs.verified_to, 3);
    cr_expect_eq(cs.last_seq, 6);
    cr_expect_neq(cs.reason[0], '\0');
}

Test(audit_search, quick_check_verifies_what_was_appended_since_the_last_one)
{
    sample();
    audit_chain_state first = check(0);
    cr_expect_eq(first.full, 1, "no checkpoint yet: the whole chain");
    add("2026-03-05T10:00:00.000Z", "erin", "identity.read", "local_identity", "5", "success", "");
    add("2026-03-05T11:00:00.000Z", "erin", "identity.read", "local_identity", "6", "success", "");
    audit_chain_state cs = check(0);
    cr_expect_eq(cs.full, 0);
    cr_expect_eq(cs.from_seq, 7);
    cr_expect_eq(cs.verified_to, 8);
    cr_expect_eq(cs.first_broken, 0);
    cr_expect_str_eq(cs.last_full_at, first.checked_at, "the full check is remembered");

    /* A record appended since and altered is found by the quick check. */
    add("2026-03-05T12:00:00.000Z", "erin", "identity.read", "local_identity", "7", "success", "");
    tamper("UPDATE audit SET detail = 'x' WHERE seq = 9;");
    cs = check(0);
    cr_expect_eq(cs.first_broken, 9);
    cr_expect_eq(cs.verified_to, 8);
}

Test(audit_search, quick_check_finds_a_rewritten_chain_the_full_check_finds_the_rest)
{
    sample();
    check(1);
    /* Record 6 (where the last check ended) rehashed: a rewritten chain. */
    tamper("UPDATE audit SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE seq = 6;");
    audit_chain_state cs = check(0);
    cr_expect_eq(cs.first_broken, 6);
    cr_expect_not_null(strstr(cs.reason, "changed since"), "%s", cs.reason);

}

Test(audit_search, an_older_record_altered_is_left_to_the_full_check)
{
    sample();
    check(1);
    /* Altered without rehashing, behind the checkpoint (record 6): the
     * quick check does not read it, as the page says by showing the date
     * of the last full check; the full check finds it. */
    tamper("UPDATE audit SET actor = 'mallory' WHERE seq = 2;");
    audit_chain_state cs = check(0);
    cr_expect_eq(cs.full, 0);
    cr_expect_eq(cs.first_broken, 0);
    cs = check(1);
    cr_expect_eq(cs.first_broken, 2);
    cr_expect_eq(cs.verified_to, 1);

    /* Once found, the break stays in every quick check after. */
    add("2026-03-05T10:00:00.000Z", "erin", "identity.read", "local_identity", "5", "success", "");
    cs = check(0);
    cr_expect_eq(cs.first_broken, 2);
    cr_expect_eq(cs.verified_to, 1);
    cr_expect_neq(cs.reason[0], '\0');
}

Test(audit_search, empty_trail_is_intact)
{
    audit_chain_state cs = check(0);
    cr_expect_eq(cs.last_seq, 0);
    cr_expect_eq(cs.verified_to, 0);
    cr_expect_eq(cs.first_broken, 0);
    cr_expect_str_eq(cs.last_full_at, "", "nothing to remember");
}
