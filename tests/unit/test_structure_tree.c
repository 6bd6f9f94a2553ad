/*
 * test_structure_tree.c - core/structure_tree: the tree's shape (depth,
 * parents, subtrees), the beds and occupied beds under each node, who
 * holds a bed, leave and discharge, the establishment scope, the audit.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "core/stay.h"
#include "core/structure.h"
#include "core/structure_tree.h"
#include "identity_fixtures.h"

static int64_t dom_a;

static void node(structure_node *n, structure_kind kind, const char *code, const char *parent)
{
    memset(n, 0, sizeof *n);
    n->kind = kind;
    strcpy(n->code, code);
    strcpy(n->label, code);
    strcpy(n->parent_code, parent);
}

static void setup(void)
{
    identity_setup();
    structure_node n[9];
    node(&n[0], STRUCTURE_POLE, "POLE-A", "EJ-A");
    node(&n[1], STRUCTURE_UF, "UF-A1", "POLE-A");
    node(&n[2], STRUCTURE_CHAMBRE, "CH-101", "UF-A1");
    node(&n[3], STRUCTURE_LIT, "LIT-101-1", "CH-101");
    node(&n[4], STRUCTURE_LIT, "LIT-101-2", "CH-101");
    node(&n[5], STRUCTURE_CHAMBRE, "CH-102", "UF-A1");
    node(&n[6], STRUCTURE_LIT, "LIT-102-1", "CH-102");
    node(&n[7], STRUCTURE_UF, "UF-B1", "EJ-B");
    node(&n[8], STRUCTURE_CHAMBRE, "CH-201", "UF-B1");
    structure_import_result ir;
    socle_err err = {0};
    cr_assert_eq(structure_import(st, &actor, n, 9, &ir, &err), 0, "%s", err.msg);
    structure_node bed;
    node(&bed, STRUCTURE_LIT, "LIT-201-1", "CH-201");
    cr_assert_eq(structure_import(st, &actor, &bed, 1, &ir, &err), 0, "%s", err.msg);
    id_domain d;
    cr_assert_eq(store_domain_find_oid(st, OID_A, &d, &err), 1);
    dom_a = d.id;
}

TestSuite(structure_tree, .init = setup, .fini = identity_teardown);

static void move(int64_t local_id, const char *visit, const char *trigger, const char *id,
                 const char *at, const char *room, const char *bed)
{
    stay_visit v;
    memset(&v, 0, sizeof v);
    v.domain_id = dom_a;
    v.local_id = local_id;
    strcpy(v.visit_number, visit);
    movement m;
    memset(&m, 0, sizeof m);
    strcpy(m.trigger, trigger);
    m.action = MOVEMENT_INSERT;
    strcpy(m.movement_id, id);
    strcpy(m.movement_ns, "1.2.250.1.999.1.5");
    strcpy(m.effective_at, at);
    strcpy(m.stay_class, "I");
    if (room != NULL) {
        strcpy(m.location.uf, "UF-A1");
        strcpy(m.location.room, room);
        strcpy(m.location.bed, bed);
    }
    stay_command cmd;
    cr_assert_eq(stay_command_for(trigger, MOVEMENT_INSERT, &cmd), 0);
    stay_result res;
    socle_err err = {0};
    cr_assert_eq(stay_apply(st, &actor, cmd, &v, &m, &res, &err), 0, "%s", err.msg);
}

static structure_tree load(const char *const *finess, size_t n)
{
    structure_tree t;
    socle_err err = {0};
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(structure_tree_load_in_tx(st, &actor, finess, n, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(store_commit(st, &err), 0);
    return t;
}

static const structure_tree_item *item(const structure_tree *t, const char *code)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->items[i].node.code, code) == 0)
            return &t->items[i];
    cr_assert_fail("%s is not in the tree", code);
    return NULL;
}

static size_t index_of(const structure_tree *t, const char *code)
{
    return (size_t)(item(t, code) - t->items);
}

Test(structure_tree, shape_parents_before_children_with_depths_and_subtrees)
{
    structure_tree t = load(NULL, 0);
    cr_assert_eq(t.n, 12, "two EJs and ten nodes");
    for (size_t i = 0; i < t.n; i++) {
        const structure_tree_item *it = &t.items[i];
        if (it->parent == STRUCTURE_TREE_ROOT) {
            cr_expect_eq(it->node.kind, STRUCTURE_EJ);
            cr_expect_eq(it->depth, 0);
        } else {
            cr_assert_lt(it->parent, i, "parent first");
            cr_expect_eq(t.items[it->parent].node.id, it->node.parent_id);
            cr_expect_eq(it->depth, t.items[it->parent].depth + 1);
            cr_expect_leq(it->end, t.items[it->parent].end, "inside its parent's subtree");
        }
        cr_expect_gt(it->end, i);
    }
    size_t ej_a = index_of(&t, "EJ-A"), ch101 = index_of(&t, "CH-101");
    cr_expect_eq(item(&t, "LIT-102-1")->depth, 4);
    cr_expect_eq(t.items[ej_a].end - ej_a, 8, "EJ-A and its seven descendants");
    cr_expect_eq(t.items[ch101].end - ch101, 3, "CH-101 and its two beds");
    cr_expect_eq(item(&t, "EJ-A")->beds, 3);
    cr_expect_eq(item(&t, "UF-A1")->beds, 3);
    cr_expect_eq(item(&t, "CH-102")->beds, 1);
    cr_expect_eq(item(&t, "EJ-B")->beds, 1);
    cr_expect_eq(t.beds, 4);
    cr_expect_eq(t.occupied, 0);
    structure_tree_free(&t);
}

Test(structure_tree, a_stay_in_progress_holds_its_bed_and_counts_up_the_tree)
{
    identity_result r1 = create(OID_A, "IPP-T1", traits_m());
    int64_t p1 = r1.local_id;
    int64_t p2 = create(OID_A, "IPP-T2", traits_f()).local_id;
    move(p1, "V-T1", "A01", "T1", "2026-01-10T08:00:00", "CH-101", "LIT-101-2");
    move(p2, "V-T2", "A01", "T2", "2026-01-10T09:00:00", "CH-102", "LIT-102-1");

    int64_t seq = counts().audit_records;
    structure_tree t = load(NULL, 0);
    const structure_tree_item *bed = item(&t, "LIT-101-2");
    cr_expect_eq(bed->occupied, 1);
    cr_expect_eq(bed->occupants, 1);
    cr_expect_eq(bed->occupant.local_id, p1);
    cr_expect_eq(bed->occupant.ght_id, r1.ght_id);
    cr_expect_str_eq(bed->occupant.ipp, "IPP-T1");
    cr_expect_str_eq(bed->occupant.nda, "V-T1");
    cr_expect_str_eq(bed->occupant.admit_at, "2026-01-10T08:00:00");
    cr_expect_eq(bed->occupant.on_leave, 0);
    cr_expect_eq(item(&t, "LIT-101-1")->occupied, 0);
    cr_expect_eq(item(&t, "CH-101")->occupied, 1);
    cr_expect_eq(item(&t, "UF-A1")->occupied, 2);
    cr_expect_eq(item(&t, "EJ-A")->occupied, 2);
    cr_expect_eq(item(&t, "EJ-B")->occupied, 0);
    cr_expect_eq(t.occupied, 2);
    structure_tree_free(&t);

    /* The read is audited, without patient data. */
    audit_list al = audit_since(seq + 1);
    cr_assert_eq(al.n, 1);
    cr_expect_str_eq(al.rec[0].action, "structure.occupancy");
    cr_expect_str_eq(al.rec[0].actor, actor.id);
    cr_expect_null(strstr(al.rec[0].detail, "IPP-T1"));
    assert_audit_intact();
}

Test(structure_tree, transfer_leave_and_discharge_move_or_free_the_bed)
{
    int64_t p = create(OID_A, "IPP-T3", traits_m()).local_id;
    move(p, "V-T3", "A01", "T31", "2026-01-10T08:00:00", "CH-101", "LIT-101-1");
    move(p, "V-T3", "A02", "T32", "2026-01-11T08:00:00", "CH-102", "LIT-102-1");
    structure_tree t = load(NULL, 0);
    cr_expect_eq(item(&t, "LIT-101-1")->occupied, 0, "left by the transfer");
    cr_expect_eq(item(&t, "LIT-102-1")->occupied, 1);
    structure_tree_free(&t);

    move(p, "V-T3", "A21", "T33", "2026-01-12T08:00:00", NULL, NULL);
    t = load(NULL, 0);
    cr_expect_eq(item(&t, "LIT-102-1")->occupied, 1, "kept during a leave");
    cr_expect_eq(item(&t, "LIT-102-1")->occupant.on_leave, 1);
    structure_tree_free(&t);

    move(p, "V-T3", "A22", "T34", "2026-01-12T18:00:00", NULL, NULL);
    move(p, "V-T3", "A03", "T35", "2026-01-13T08:00:00", NULL, NULL);
    t = load(NULL, 0);
    cr_expect_eq(t.occupied, 0, "freed by the discharge");
    structure_tree_free(&t);
}

Test(structure_tree, scope_keeps_the_actor_s_establishments_only)
{
    int64_t p = create(OID_A, "IPP-T4", traits_m()).local_id;
    move(p, "V-T4", "A01", "T41", "2026-01-10T08:00:00", "CH-101", "LIT-101-1");

    const char *only_b[] = { "350005179" };
    structure_tree t = load(only_b, 1);
    cr_expect_eq(t.n, 4, "EJ-B, its UF, room and bed");
    cr_expect_str_eq(t.items[0].node.code, "EJ-B");
    cr_expect_eq(t.beds, 1);
    cr_expect_eq(t.occupied, 0, "A's patient is not shown to B");
    structure_tree_free(&t);

    const char *none[] = { "999999999" };
    t = load(none, 1);
    cr_expect_eq(t.n, 0);
    structure_tree_free(&t);
}
