/*
 * Unit tests of the professional directory (core/professional.h): the
 * validation of extract lines, the import's all-or-nothing behaviour and
 * idempotence, the EJ of an EG's FINESS, and the audited searches.
 * Every professional here is invented.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/professional.h"
#include "core/structure.h"
#include "store/store.h"

static char dir[64];
static store *st;
static const socle_actor admin = { .id = "test:admin", .role = "admin" };
static int64_t ej_id;

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

static void setup(void)
{
    strcpy(dir, "/tmp/socle-pro-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    structure_node t[2] = {
        node(STRUCTURE_EJ, "EJ-A", NULL, "750712184", "1.2.250.1.999.1"),
        node(STRUCTURE_EG, "EG-A1", "EJ-A", "350005179", NULL),
    };
    structure_import_result res;
    cr_assert_eq(structure_import(st, &admin, t, 2, &res, &err), 0, "%s", err.msg);
    structure_node ej;
    cr_assert_eq(store_structure_find(st, "EJ-A", &ej, &err), 1);
    ej_id = ej.id;
}

static void teardown(void)
{
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(professional, .init = setup, .fini = teardown);

static professional_entry entry(professional_id_type t, const char *id, const char *family,
                                const char *finess, const char *role)
{
    professional_entry e;
    memset(&e, 0, sizeof e);
    e.pro.id_type = t;
    snprintf(e.pro.id_value, sizeof e.pro.id_value, "%s", id);
    snprintf(e.pro.family, sizeof e.pro.family, "%s", family);
    snprintf(e.pro.given, sizeof e.pro.given, "Élise");
    snprintf(e.pro.civility, sizeof e.pro.civility, "DR");
    snprintf(e.role.profession_code, sizeof e.role.profession_code, "10");
    snprintf(e.role.profession_label, sizeof e.role.profession_label, "Médecin");
    snprintf(e.role.role, sizeof e.role.role, "%s", role);
    snprintf(e.ej_finess, sizeof e.ej_finess, "%s", finess);
    return e;
}

static int64_t count(int roles, const professional_search_criteria *c)
{
    professional_search_result r;
    socle_err err;
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(professional_search_in_tx(st, &admin, roles, c, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    int64_t n = r.total;
    professional_search_result_free(&r);
    return n;
}

Test(professional, import_is_idempotent_and_counts_once)
{
    professional_entry e[3] = {
        entry(PRO_ID_RPPS, "10000000001", "TESTLÉGER", "750712184", ""),
        entry(PRO_ID_RPPS, "10000000001", "TESTLÉGER", "350005179", "FON-05"),
        entry(PRO_ID_ADELI, "2A0012345", "TESTCORSE", "750712184", ""),
    };
    professional_import_result res;
    socle_err err;
    cr_assert_eq(professional_import(st, &admin, e, 3, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(res.inserted, 2);
    cr_assert_eq(res.roles_inserted, 3);
    cr_assert_eq(professional_import(st, &admin, e, 3, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(res.inserted + res.updated, 0);
    cr_assert_eq(res.unchanged, 2);
    cr_assert_eq(res.roles_unchanged, 3);

    /* The EG's FINESS gave a role of its EJ; names compare without accents. */
    professional_search_criteria c;
    memset(&c, 0, sizeof c);
    c.id_type = -1;
    c.ej_id = ej_id;
    cr_assert_eq(count(1, &c), 3);
    memset(&c, 0, sizeof c);
    c.id_type = -1;
    snprintf(c.family, sizeof c.family, "testleg");
    cr_assert_eq(count(0, &c), 1);
    memset(&c, 0, sizeof c);
    c.id_type = PRO_ID_ADELI;
    snprintf(c.id_value, sizeof c.id_value, "2A0012345");
    cr_assert_eq(count(0, &c), 1);
}

Test(professional, bad_lines_import_nothing)
{
    const struct { professional_entry e; const char *why; } cases[] = {
        { entry(PRO_ID_RPPS, "1000000000", "TESTX", "750712184", ""), "11 digits" },
        { entry(PRO_ID_ADELI, "2C0012345", "TESTX", "750712184", ""), "9 characters" },
        { entry(PRO_ID_RPPS, "10000000002", "", "750712184", ""), "family is empty" },
        { entry(PRO_ID_RPPS, "10000000002", "TESTX", "130000011", ""), "no EJ or EG" },
        { entry(PRO_ID_RPPS, "10000000002", "TEST\tX", "750712184", ""), "control" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        professional_entry e[2] = {
            entry(PRO_ID_RPPS, "10000000009", "TESTBON", "750712184", ""), cases[i].e,
        };
        professional_import_result res;
        socle_err err;
        cr_assert_eq(professional_import(st, &admin, e, 2, &res, &err), -1, "case %zu", i);
        cr_assert_eq(res.failed_index, 1);
        cr_assert(strstr(err.msg, cases[i].why), "case %zu: %s", i, err.msg);
        professional p;
        cr_assert_eq(store_professional_find(st, PRO_ID_RPPS, "10000000009", &p, &err), 0,
                     "case %zu: the good line was rolled back", i);
    }
    professional_entry e[2] = {
        entry(PRO_ID_RPPS, "10000000009", "TESTBON", "750712184", ""),
        entry(PRO_ID_RPPS, "10000000009", "TESTAUTRE", "750712184", "FON-01"),
    };
    professional_import_result res;
    socle_err err;
    cr_assert_eq(professional_import(st, &admin, e, 2, &res, &err), -1);
    cr_assert(strstr(err.msg, "other names"), "%s", err.msg);
}
