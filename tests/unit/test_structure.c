/*
 * Unit tests of the structures repository: validation rules, the import's
 * all-or-nothing behaviour, idempotence, updates and identification domains.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/structure.h"
#include "store/store.h"
#include "store_fixture.h"

static const socle_actor admin = { .id = "test:admin", .role = "admin" };

TestSuite(structure, .init = store_fixture_setup, .fini = store_fixture_teardown);

static structure_node node(structure_kind kind, const char *code, const char *parent,
                           const char *finess, const char *oid)
{
    structure_node n;
    memset(&n, 0, sizeof n);
    n.kind = kind;
    snprintf(n.code, sizeof n.code, "%s", code);
    snprintf(n.label, sizeof n.label, "Libellé %s", code);
    snprintf(n.parent_code, sizeof n.parent_code, "%s", parent ? parent : "");
    snprintf(n.finess, sizeof n.finess, "%s", finess ? finess : "");
    snprintf(n.oid, sizeof n.oid, "%s", oid ? oid : "");
    return n;
}

/* A small but complete tree: EJ, EG, pôle, service, UF, room, bed. */
static size_t sample_tree(structure_node *t)
{
    size_t n = 0;
    t[n++] = node(STRUCTURE_EJ, "EJ-A", NULL, "750712184", "1.2.250.1.999.1");
    t[n++] = node(STRUCTURE_EG, "EG-A1", "EJ-A", "350005179", NULL);
    t[n++] = node(STRUCTURE_POLE, "POLE-MED", "EG-A1", NULL, NULL);
    t[n++] = node(STRUCTURE_SERVICE, "SRV-CARDIO", "POLE-MED", NULL, NULL);
    t[n++] = node(STRUCTURE_UF, "UF-4701", "SRV-CARDIO", NULL, NULL);
    t[n++] = node(STRUCTURE_CHAMBRE, "CH-4701-04", "UF-4701", NULL, NULL);
    t[n++] = node(STRUCTURE_LIT, "LIT-4701-04-F", "CH-4701-04", NULL, NULL);
    return n;
}

static store_counts counts(void)
{
    store_counts c;
    socle_err err;
    cr_assert_eq(store_counts_get(st, &c, &err), 0);
    return c;
}

Test(structure, kind_codes_round_trip)
{
    for (int k = 0; k < STRUCTURE_KIND_COUNT; k++) {
        structure_kind back;
        cr_expect_eq(structure_kind_parse(structure_kind_code((structure_kind)k), &back), 0);
        cr_expect_eq(back, (structure_kind)k);
    }
    structure_kind k;
    cr_expect_eq(structure_kind_parse("ETAGE", &k), -1);
    cr_expect_eq(structure_kind_parse("uf", &k), -1, "kinds are upper case");
}

Test(structure, parent_rules)
{
    cr_expect(structure_parent_allowed(STRUCTURE_EG, STRUCTURE_EJ));
    cr_expect(!structure_parent_allowed(STRUCTURE_EG, STRUCTURE_EG));
    cr_expect(structure_parent_allowed(STRUCTURE_UF, STRUCTURE_EJ));
    cr_expect(structure_parent_allowed(STRUCTURE_UF, STRUCTURE_SERVICE));
    cr_expect(!structure_parent_allowed(STRUCTURE_UF, STRUCTURE_UF));
    cr_expect(structure_parent_allowed(STRUCTURE_LIT, STRUCTURE_CHAMBRE));
    cr_expect(!structure_parent_allowed(STRUCTURE_LIT, STRUCTURE_UF));
    cr_expect(!structure_parent_allowed(STRUCTURE_EJ, STRUCTURE_EJ));
    /* A parent is always of a higher level: no cycle can form. */
    for (int c = 0; c < STRUCTURE_KIND_COUNT; c++)
        for (int p = c; p < STRUCTURE_KIND_COUNT; p++)
            cr_expect(!structure_parent_allowed((structure_kind)c, (structure_kind)p));
}

Test(structure, import_inserts_tree_and_domain)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    structure_import_result res;
    socle_err err;
    cr_assert_eq(structure_import(st, &admin, t, n, &res, &err), 0, "%s", err.msg);
    cr_expect_eq(res.inserted, n);
    cr_expect_eq(res.updated, 0);
    cr_expect_eq(res.unchanged, 0);
    cr_expect_eq(counts().structures, (int64_t)n);
    cr_expect_eq(counts().audit_records, 1, "one audit record per import");

    id_domain d;
    cr_assert_eq(store_domain_find_oid(st, "1.2.250.1.999.1", &d, &err), 1);
    cr_expect_eq(d.kind, DOMAIN_EJ);
    cr_expect_str_eq(d.finess, "750712184");

    structure_node bed;
    cr_assert_eq(store_structure_find(st, "LIT-4701-04-F", &bed, &err), 1);
    cr_expect_str_eq(bed.parent_code, "CH-4701-04");
    cr_expect_str_eq(bed.label, "Libellé LIT-4701-04-F");

    structure_node ej;
    cr_expect_eq(structure_find_ej(st, "750712184", &ej, &err), 1);
    cr_expect_str_eq(ej.code, "EJ-A");
    cr_expect_eq(structure_find_ej(st, "350005179", &ej, &err), 0, "an EG is not an EJ");
}

Test(structure, reimport_changes_nothing_and_update_is_detected)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    structure_import_result res;
    socle_err err;
    cr_assert_eq(structure_import(st, &admin, t, n, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(structure_import(st, &admin, t, n, &res, &err), 0, "%s", err.msg);
    cr_expect_eq(res.inserted, 0);
    cr_expect_eq(res.updated, 0);
    cr_expect_eq(res.unchanged, n);

    snprintf(t[4].label, sizeof t[4].label, "Cardiologie interventionnelle");
    cr_assert_eq(structure_import(st, &admin, t, n, &res, &err), 0, "%s", err.msg);
    cr_expect_eq(res.updated, 1);
    cr_expect_eq(res.unchanged, n - 1);
    structure_node uf;
    cr_assert_eq(store_structure_find(st, "UF-4701", &uf, &err), 1);
    cr_expect_str_eq(uf.label, "Cardiologie interventionnelle");
}

static void expect_import_error(structure_node *t, size_t n, size_t bad, const char *needle)
{
    store_counts before = counts();
    structure_import_result res;
    socle_err err;
    err_clear(&err);
    cr_expect_eq(structure_import(st, &admin, t, n, &res, &err), -1, "should fail: %s", needle);
    cr_expect_eq(res.failed_index, bad, "failed at %zu, expected %zu (%s)", res.failed_index,
                 bad, err.msg);
    cr_expect(strstr(err.msg, needle) != NULL, "'%s' should mention '%s'", err.msg, needle);
    store_counts after = counts();
    cr_expect_eq(after.structures, before.structures, "nothing imported");
    cr_expect_eq(after.domains, before.domains);
    cr_expect_eq(after.audit_records, before.audit_records);
}

Test(structure, unknown_parent_and_parent_after_child)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    snprintf(t[3].parent_code, sizeof t[3].parent_code, "POLE-NOPE");
    expect_import_error(t, n, 3, "unknown parent");

    n = sample_tree(t);
    structure_node swapped[8];
    memcpy(swapped, t, sizeof t);
    swapped[1] = t[2];  /* POLE before its EG */
    swapped[2] = t[1];
    expect_import_error(swapped, n, 1, "unknown parent");
}

Test(structure, wrong_parent_kind)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    snprintf(t[6].parent_code, sizeof t[6].parent_code, "UF-4701");  /* bed under a UF */
    expect_import_error(t, n, 6, "cannot be under");
}

Test(structure, duplicate_code_in_one_import)
{
    structure_node t[9];
    size_t n = sample_tree(t);
    t[n] = node(STRUCTURE_UF, "UF-4701", "SRV-CARDIO", NULL, NULL);
    expect_import_error(t, n + 1, n, "duplicate code");
}

Test(structure, finess_and_oid_rules)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    snprintf(t[0].finess, sizeof t[0].finess, "750712185");  /* bad Luhn digit */
    expect_import_error(t, n, 0, "invalid FINESS");

    n = sample_tree(t);
    t[1].finess[0] = '\0';
    expect_import_error(t, n, 1, "needs a FINESS");

    n = sample_tree(t);
    t[0].oid[0] = '\0';
    expect_import_error(t, n, 0, "needs an oid");

    n = sample_tree(t);
    snprintf(t[0].oid, sizeof t[0].oid, "1.2.x");
    expect_import_error(t, n, 0, "invalid oid");
}

Test(structure, two_ej_cannot_share_an_oid)
{
    structure_node t[2];
    t[0] = node(STRUCTURE_EJ, "EJ-A", NULL, "750712184", "1.2.250.1.999.1");
    t[1] = node(STRUCTURE_EJ, "EJ-B", NULL, "350005179", "1.2.250.1.999.1");
    expect_import_error(t, 2, 1, "already the domain");
}

Test(structure, validity_dates)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    snprintf(t[4].valid_from, sizeof t[4].valid_from, "2024-02-30");
    expect_import_error(t, n, 4, "valid_from");

    n = sample_tree(t);
    snprintf(t[4].valid_from, sizeof t[4].valid_from, "2025-01-01");
    snprintf(t[4].valid_to, sizeof t[4].valid_to, "2024-12-31");
    expect_import_error(t, n, 4, "after valid_to");

    n = sample_tree(t);
    snprintf(t[4].valid_from, sizeof t[4].valid_from, "2024-01-01");
    snprintf(t[4].valid_to, sizeof t[4].valid_to, "2030-12-31");
    structure_import_result res;
    socle_err err;
    cr_expect_eq(structure_import(st, &admin, t, n, &res, &err), 0, "%s", err.msg);
}

Test(structure, root_rules_and_kind_change)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    snprintf(t[0].parent_code, sizeof t[0].parent_code, "EG-A1");
    expect_import_error(t, n, 0, "root");

    n = sample_tree(t);
    t[2].parent_code[0] = '\0';
    expect_import_error(t, n, 2, "needs a parent_code");

    n = sample_tree(t);
    structure_import_result res;
    socle_err err;
    cr_assert_eq(structure_import(st, &admin, t, n, &res, &err), 0, "%s", err.msg);
    structure_node again = node(STRUCTURE_SERVICE, "UF-4701", "POLE-MED", NULL, NULL);
    expect_import_error(&again, 1, 0, "already exists as a UF");
}

struct seen {
    char codes[16][SOCLE_CODE_MAX];
    size_t n;
};

static int collect(const structure_node *node_, void *ctx)
{
    struct seen *s = ctx;
    snprintf(s->codes[s->n++], SOCLE_CODE_MAX, "%s", node_->code);
    return 0;
}

Test(structure, foreach_lists_parents_first)
{
    structure_node t[8];
    size_t n = sample_tree(t);
    /* Insert in reverse-friendly order: a second EJ after the first tree. */
    t[n++] = node(STRUCTURE_EJ, "EJ-B", NULL, "350005179", "1.2.250.1.999.2");
    structure_import_result res;
    socle_err err;
    cr_assert_eq(structure_import(st, &admin, t, n, &res, &err), 0, "%s", err.msg);

    struct seen seen = { .n = 0 };
    cr_assert_eq(store_structure_foreach(st, collect, &seen, &err), 0);
    cr_expect_eq(seen.n, n);
    /* Every node appears after its parent. */
    for (size_t i = 0; i < n; i++) {
        if (t[i].parent_code[0] == '\0')
            continue;
        size_t child = 0, parent = 0;
        for (size_t j = 0; j < seen.n; j++) {
            if (strcmp(seen.codes[j], t[i].code) == 0) child = j;
            if (strcmp(seen.codes[j], t[i].parent_code) == 0) parent = j;
        }
        cr_expect_lt(parent, child, "%s listed before its parent", t[i].code);
    }
}


Test(structure, ght_domain_is_created_once_and_can_be_set)
{
    id_domain d1, d2;
    socle_err err;
    cr_assert_eq(ght_domain_ensure(st, &admin, NULL, NULL, &d1, &err), 0, "%s", err.msg);
    cr_expect_eq(strncmp(d1.oid, "2.25.", 5), 0, "generated OID under 2.25: %s", d1.oid);
    cr_assert_eq(ght_domain_ensure(st, &admin, NULL, NULL, &d2, &err), 0);
    cr_expect_str_eq(d1.oid, d2.oid, "the generated OID is kept");
    cr_expect_eq(counts().audit_records, 1, "nothing new to trace the second time");

    cr_assert_eq(ght_domain_ensure(st, &admin, "1.2.250.1.999.100", "GHT Test", &d2, &err), 0);
    cr_expect_str_eq(d2.oid, "1.2.250.1.999.100");
    cr_expect_eq(d2.id, d1.id);
    cr_expect_eq(ght_domain_ensure(st, &admin, "not-an-oid", NULL, &d2, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
}
