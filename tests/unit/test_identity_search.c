/*
 * test_identity_search.c - core/identity_search.h: searching identities by
 * traits and identifiers, paging, merges followed, domains restricting,
 * the INS disclosed only when qualified, the cross-reference, and the
 * audit records of these reads.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/identity_search.h"
#include "core/ins.h"
#include "identity_fixtures.h"

TestSuite(identity_search, .init = identity_setup, .fini = identity_teardown);

/* "SHAPE-N" in one of four rotating buffers. */
static const char *h_ipp(int i)
{
    static char bufs[4][16];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "SHAPE-%d", i);
    return b;
}

static identity_search_criteria crit(void)
{
    identity_search_criteria c;
    memset(&c, 0, sizeof c);
    return c;
}

static identity_search_result search_ok(const identity_search_criteria *c)
{
    identity_search_result r;
    socle_err err = { 0 };
    cr_assert_eq(identity_search(st, &actor, c, &r, &err), 0, "search: %s", err.msg);
    return r;
}

static size_t count_of(const identity_search_criteria *c)
{
    identity_search_result r = search_ok(c);
    size_t n = r.count;
    identity_search_result_free(&r);
    return n;
}

Test(identity_search, family_normalised_exact_and_prefix)
{
    identity_traits t = person("Lévy-Durand", 'F', "1990-02-02");
    identity_result a = create(OID_A, "A1", t);
    create(OID_A, "A2", person("LEVYNE-TEST", 'M', "1980-01-01"));

    identity_search_criteria c = crit();
    strcpy(c.family, "levy-durand");
    identity_search_result r = search_ok(&c);
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.total, 1);
    cr_assert_eq(r.hits[0].ght_id, a.ght_id);
    cr_assert_eq(r.hits[0].n_locals, 1);
    cr_assert_str_eq(r.hits[0].locals[0].li.ipp, "A1");
    cr_assert_str_eq(r.hits[0].locals[0].domain_oid, OID_A);
    cr_assert_str_eq(r.hits[0].locals[0].li.traits.birth_name, "Lévy-Durand");
    identity_search_result_free(&r);

    strcpy(c.family, "LEVY");
    cr_assert_eq(count_of(&c), 0, "exact: LEVY is not LEVY-DURAND");
    c.family_prefix = 1;
    cr_assert_eq(count_of(&c), 2, "prefix: both start with LEVY");
}

Test(identity_search, used_name_given_birth_date_sex)
{
    identity_traits t = person("TESTBIRTH", 'F', "1990-02-02");
    strcpy(t.used_name, "TESTEPOUSE");
    create(OID_A, "A1", t);
    create(OID_A, "A2", person("TESTBIRTH", 'M', "1990-02-02"));

    identity_search_criteria c = crit();
    strcpy(c.family, "testepouse");
    cr_assert_eq(count_of(&c), 1, "found by the used name");

    c = crit();
    strcpy(c.given, "marie");  /* the second of LEA MARIE */
    cr_assert_eq(count_of(&c), 1);
    strcpy(c.given, "MAR");
    cr_assert_eq(count_of(&c), 0, "a word, not part of one");
    c.given_prefix = 1;
    cr_assert_eq(count_of(&c), 1);

    c = crit();
    strcpy(c.birth_date, "1990-02-02");
    cr_assert_eq(count_of(&c), 2);
    c.sex = 'M';
    cr_assert_eq(count_of(&c), 1);
}

Test(identity_search, ipp_and_ins)
{
    identity_result a = create(OID_A, "SAME", person("TESTUN", 'F', "1990-02-02"));
    identity_result b = create(OID_B, "SAME", person("TESTDEUX", 'M', "1980-02-02"));
    identity_result i = create_with_ins(OID_B, "B9", person("TESTTROIS", 'F', "1970-03-03"), 5);

    identity_search_criteria c = crit();
    strcpy(c.ipp, "SAME");
    cr_assert_eq(count_of(&c), 2, "an IPP without its domain: in every domain");
    strcpy(c.domain_oid, OID_B);
    identity_search_result r = search_ok(&c);
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.hits[0].ght_id, b.ght_id);
    cr_assert_neq(r.hits[0].ght_id, a.ght_id);
    identity_search_result_free(&r);

    /* A GHT id in the GHT's domain. */
    c = crit();
    id_domain gd;
    socle_err gerr = { 0 };
    cr_assert_eq(store_domain_ght(st, &gd, &gerr), 1);
    strcpy(c.domain_oid, gd.oid);
    id_text(c.ipp, sizeof c.ipp, b.ght_id);
    r = search_ok(&c);
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.hits[0].ght_id, b.ght_id);
    identity_search_result_free(&r);
    strcpy(c.ipp, "X1");
    cr_assert_eq(count_of(&c), 0);

    c = crit();
    make_ins(c.ins, 'F', "1970-03-03", 5);
    r = search_ok(&c);
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.hits[0].ght_id, i.ght_id);
    /* Récupérée, not qualified: the INS is not disclosed. */
    cr_assert_str_eq(r.hits[0].ins, "");
    identity_search_result_free(&r);

    socle_err err = { 0 };
    cr_assert_eq(identity_record_proof(st, &actor, i.local_id, "CN", &err), 0, "%s", err.msg);
    r = search_ok(&c);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.hits[0].ins, c.ins, "qualified: the INS goes with it");
    cr_assert_str_eq(r.hits[0].ins_oid, INS_OID_NIR);
    identity_search_result_free(&r);
}

Test(identity_search, refusals)
{
    identity_search_criteria c = crit();
    identity_search_result r;
    socle_err err = { 0 };
    c.limit = 5;
    cr_assert_eq(identity_search(st, &actor, &c, &r, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL, "no criterion: %s", err.msg);
    identity_search_result_free(&r);

    strcpy(c.ipp, "X");
    strcpy(c.domain_oid, OID_UNKNOWN);
    cr_assert_eq(identity_search(st, &actor, &c, &r, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);
    identity_search_result_free(&r);

    c = crit();
    strcpy(c.family, "TEST");
    strcpy(c.in_domains[0], OID_UNKNOWN);
    c.n_in_domains = 1;
    cr_assert_eq(identity_search(st, &actor, &c, &r, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);
    cr_assert(strstr(err.msg, OID_UNKNOWN) != NULL, "%s", err.msg);
    identity_search_result_free(&r);

    c = crit();
    strcpy(c.family, ". ,");
    cr_assert_eq(identity_search(st, &actor, &c, &r, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL, "punctuation only: %s", err.msg);
    identity_search_result_free(&r);
}

Test(identity_search, pages_follow_each_other)
{
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        char ipp[8];
        snprintf(ipp, sizeof ipp, "P%d", i);
        ids[i] = create(OID_A, ipp, person("TESTPAGE", 'M', "1980-01-01")).ght_id;
    }

    identity_search_criteria c = crit();
    strcpy(c.family, "TESTPAGE");
    c.limit = 2;
    int64_t seen[5];
    size_t n = 0;
    for (int page = 0; page < 3; page++) {
        identity_search_result r = search_ok(&c);
        cr_assert_eq(r.total, 5);
        cr_assert_eq(r.count, page < 2 ? 2u : 1u, "page %d", page);
        cr_assert_eq(r.more, page < 2);
        cr_assert_eq(r.remaining, 5 - (int64_t)(n + r.count));
        for (size_t i = 0; i < r.count; i++)
            seen[n++] = r.hits[i].ght_id;
        c.after_ght_id = r.last_ght_id;
        identity_search_result_free(&r);
    }
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(seen[i], ids[i], "ascending GHT ids, each once");
}

Test(identity_search, merge_followed_and_domains)
{
    identity_result a = create(OID_A, "A1", person("TESTFUSION", 'F', "1990-02-02"));
    identity_result b = create(OID_B, "B1", hurried(person("TESTFUSION", 'F', "1990-02-02")));
    create(OID_A, "A2", person("TESTFUSION", 'M', "1960-02-02"));
    socle_err err = { 0 };
    int64_t merge_id;
    cr_assert_eq(identity_merge(st, &actor, a.ght_id, b.ght_id, "same person", &merge_id,
                                &err), 0, "%s", err.msg);

    identity_search_criteria c = crit();
    strcpy(c.family, "TESTFUSION");
    c.sex = 'F';
    identity_search_result r = search_ok(&c);
    cr_assert_eq(r.count, 1, "one patient since the merge");
    cr_assert_eq(r.hits[0].ght_id, a.ght_id);
    cr_assert_eq(r.hits[0].n_locals, 2);
    cr_assert_str_eq(r.hits[0].locals[1].domain_oid, OID_B);
    identity_search_result_free(&r);

    /* Only patients known to EJ-B. */
    c.sex = 0;
    strcpy(c.in_domains[0], OID_B);
    c.n_in_domains = 1;
    r = search_ok(&c);
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.hits[0].ght_id, a.ght_id);
    identity_search_result_free(&r);
}

Test(identity_search, audited_with_names_not_values)
{
    create(OID_A, "A1", person("TESTAUDIT", 'F', "1990-02-02"));
    store_counts before = counts();
    identity_search_criteria c = crit();
    strcpy(c.family, "TESTAUDIT");
    strcpy(c.birth_date, "1990-02-02");
    cr_assert_eq(count_of(&c), 1);
    audit_list l = audit_since(before.audit_records + 1);
    cr_assert_eq(l.n, 1);
    cr_assert_str_eq(l.rec[0].action, "identity.search");
    cr_assert(strstr(l.rec[0].detail, "criteria=family,birth_date") != NULL, "%s",
              l.rec[0].detail);
    cr_assert(strstr(l.rec[0].detail, "results=1") != NULL, "%s", l.rec[0].detail);
    cr_assert(strstr(l.rec[0].detail, "TESTAUDIT") == NULL, "%s", l.rec[0].detail);
    cr_assert(strstr(l.rec[0].detail, "1990") == NULL, "%s", l.rec[0].detail);
    assert_audit_intact();
}

/* ---- Cross-reference --------------------------------------------------- */

Test(identity_search, xref)
{
    identity_result a = create_with_ins(OID_A, "A1", person("TESTXREF", 'F', "1990-02-02"), 7);
    identity_result b = create_with_ins(OID_B, "B1", person("TESTXREF", 'F', "1990-02-02"), 7);
    cr_assert_eq(a.ght_id, b.ght_id, "linked by their INS");
    socle_err err = { 0 };
    cr_assert_eq(identity_record_proof(st, &actor, b.local_id, "PA", &err), 0, "%s", err.msg);

    store_counts before = counts();
    identity_xref_result x;
    cr_assert_eq(identity_xref(st, &actor, OID_A, "A1", &x, &err), 1, "%s", err.msg);
    cr_assert_eq(x.ght_id, a.ght_id);
    cr_assert_eq(x.count, 4, "two IPPs, the GHT id, the qualified INS");
    cr_assert_eq(x.ids[0].kind, IDENTITY_XID_IPP);
    cr_assert_str_eq(x.ids[0].value, "A1");
    cr_assert_str_eq(x.ids[1].value, "B1");
    cr_assert_str_eq(x.ids[1].domain_oid, OID_B);
    cr_assert_eq(x.ids[2].kind, IDENTITY_XID_GHT);
    char ght[24];
    id_text(ght, sizeof ght, a.ght_id);
    cr_assert_str_eq(x.ids[2].value, ght);
    cr_assert_eq(x.ids[3].kind, IDENTITY_XID_INS);
    cr_assert_str_eq(x.ids[3].domain_oid, INS_OID_NIR);
    char ins[SOCLE_INS_MAX];
    make_ins(ins, 'F', "1990-02-02", 7);
    cr_assert_str_eq(x.ids[3].value, ins);
    identity_xref_result_free(&x);

    /* By the GHT id and by the INS: the same patient. */
    id_domain gd;
    cr_assert_eq(store_domain_ght(st, &gd, &err), 1);
    cr_assert_eq(identity_xref(st, &actor, gd.oid, ght, &x, &err), 1, "%s", err.msg);
    cr_assert_eq(x.ght_id, a.ght_id);
    cr_assert_eq(x.count, 4);
    identity_xref_result_free(&x);
    cr_assert_eq(identity_xref(st, &actor, INS_OID_NIR, ins, &x, &err), 1, "%s", err.msg);
    cr_assert_eq(x.ght_id, a.ght_id);
    identity_xref_result_free(&x);

    /* Unknown identifier in a known domain; unknown domain. */
    cr_assert_eq(identity_xref(st, &actor, OID_A, "NOPE", &x, &err), 0);
    cr_assert_eq(x.count, 0);
    identity_xref_result_free(&x);
    cr_assert_eq(identity_xref(st, &actor, OID_UNKNOWN, "A1", &x, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);
    identity_xref_result_free(&x);

    /* One record per read answered; the one refused for its domain wrote
     * nothing (its transaction rolled back). */
    audit_list l = audit_since(before.audit_records + 1);
    cr_assert_eq(l.n, 4);
    for (int i = 0; i < l.n; i++)
        cr_assert_str_eq(l.rec[i].action, "identity.xref");
    cr_assert_str_eq(l.rec[3].outcome, "not-found");
}

/* The store keeps the statement of each shape of search prepared and
 * reuses it with new values: the same shape with other values, and more
 * shapes than it keeps, must each find what they ask for. */
Test(identity_search, repeated_shapes_rebind_their_values)
{
    char name[32], date[16];
    for (int i = 0; i < 24; i++) {
        snprintf(name, sizeof name, "TESTSHAPE%c", 'A' + i);
        snprintf(date, sizeof date, "19%02d-03-04", 50 + i);
        create(OID_A, h_ipp(i), person(name, i % 2 ? 'M' : 'F', date));
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 24; i++) {
            identity_search_criteria c = crit();
            snprintf(c.family, sizeof c.family, "testshape%c", 'a' + i);
            snprintf(c.birth_date, sizeof c.birth_date, "19%02d-03-04", 50 + i);
            identity_search_result r = search_ok(&c);
            cr_assert_eq(r.count, 1, "family + birth date %d", i);
            cr_assert_str_eq(r.hits[0].locals[0].li.ipp, h_ipp(i));
            identity_search_result_free(&r);
            /* A wrong date with the same shape finds nobody. */
            strcpy(c.birth_date, "2001-01-01");
            cr_assert_eq(count_of(&c), 0);
            /* Other shapes in between: prefix, prefix + sex, birth date only. */
            c = crit();
            snprintf(c.family, sizeof c.family, "testshape%c", 'a' + i);
            c.family_prefix = 1;
            cr_assert_eq(count_of(&c), 1);
            c.sex = i % 2 ? 'M' : 'F';
            cr_assert_eq(count_of(&c), 1);
            c.sex = i % 2 ? 'F' : 'M';
            cr_assert_eq(count_of(&c), 0);
        }
    }
}
