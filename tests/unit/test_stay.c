/*
 * test_stay.c - core/stay: every command, every refusal of the state
 * machine, the history and audit they write, and nothing left behind by a
 * refusal. Synthetic patients and structures only.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "core/stay.h"
#include "core/structure.h"
#include "identity_fixtures.h"

static int64_t dom_a, dom_b, patient, other_patient;

static void add_node(structure_node *n, structure_kind kind, const char *code,
                     const char *parent)
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
    structure_node n[6];
    add_node(&n[0], STRUCTURE_UF, "UF-A1", "EJ-A");
    add_node(&n[1], STRUCTURE_CHAMBRE, "CH-101", "UF-A1");
    add_node(&n[2], STRUCTURE_LIT, "LIT-101-1", "CH-101");
    add_node(&n[3], STRUCTURE_UF, "UF-A2", "EJ-A");
    add_node(&n[4], STRUCTURE_UF, "UF-B1", "EJ-B");
    add_node(&n[5], STRUCTURE_CHAMBRE, "CH-201", "UF-A2");
    structure_import_result ir;
    socle_err err = {0};
    cr_assert_eq(structure_import(st, &actor, n, 6, &ir, &err), 0, "%s", err.msg);
    id_domain d;
    cr_assert_eq(store_domain_find_oid(st, OID_A, &d, &err), 1);
    dom_a = d.id;
    cr_assert_eq(store_domain_find_oid(st, OID_B, &d, &err), 1);
    dom_b = d.id;
    patient = create(OID_A, "IPP-S1", traits_m()).local_id;
    other_patient = create(OID_A, "IPP-S2", traits_f()).local_id;
}

TestSuite(stay, .init = setup, .fini = identity_teardown);

/* ---- Helpers ----------------------------------------------------------- */

static stay_visit visit(const char *number)
{
    stay_visit v;
    memset(&v, 0, sizeof v);
    v.domain_id = dom_a;
    v.local_id = patient;
    strcpy(v.visit_number, number);
    return v;
}

/* A movement message: trigger, action from the trigger's usual use. */
static movement mv(const char *trigger, const char *id, const char *at, const char *uf)
{
    movement m;
    memset(&m, 0, sizeof m);
    strcpy(m.trigger, trigger);
    static const char *const cancels[] = {"A11", "A12", "A13", "A38", "A52", "A53", "A55"};
    m.action = strcmp(trigger, "Z99") == 0 ? MOVEMENT_UPDATE : MOVEMENT_INSERT;
    for (size_t i = 0; i < sizeof cancels / sizeof cancels[0]; i++)
        if (strcmp(trigger, cancels[i]) == 0)
            m.action = MOVEMENT_CANCEL;
    strcpy(m.movement_id, id);
    strcpy(m.movement_ns, "1.2.250.1.999.1.5");
    strcpy(m.effective_at, at);
    strcpy(m.stay_class, "I");
    strcpy(m.nature, "HMS");
    strcpy(m.location.uf, uf);
    return m;
}

static movement cancel(const char *trigger, const char *id, const char *orig)
{
    movement m = mv(trigger, id, "", "");
    strcpy(m.original_trigger, orig);
    return m;
}

static stay_command command(const movement *m)
{
    stay_command c;
    cr_assert_eq(stay_command_for(m->trigger, m->action, &c), 0, "%s", m->trigger);
    return c;
}

static stay_result apply_to(const stay_visit *v, const movement *m)
{
    stay_result res;
    socle_err err = {0};
    cr_assert_eq(stay_apply(st, &actor, command(m), v, m, &res, &err), 0, "%s %s: %s",
                 m->trigger, m->movement_id, err.msg);
    return res;
}

static stay_result apply_ok(const char *number, const movement *m)
{
    stay_visit v = visit(number);
    return apply_to(&v, m);
}

static stay_record get_stay(const char *number)
{
    stay_record s;
    socle_err err = {0};
    cr_assert_eq(stay_find(st, dom_a, number, &s, &err), 1, "stay %s", number);
    return s;
}

static int count_rows(const movement *m, void *ctx)
{
    (void)m;
    ++*(int *)ctx;
    return 0;
}

static int rows_of(int64_t stay_id)
{
    int n = 0;
    socle_err err = {0};
    cr_assert_eq(store_movement_foreach_stay(st, stay_id, count_rows, &n, &err), 0);
    return n;
}

/* A refused command: its code and fault, and nothing written. */
static socle_err refused_for(const stay_visit *v, const movement *m, socle_errcode code,
                             stay_field fault)
{
    store_counts before = counts();
    stay_record s_before;
    socle_err err = {0};
    int had = stay_find(st, v->domain_id, v->visit_number, &s_before, &err);
    int rows = had == 1 ? rows_of(s_before.id) : 0;

    stay_result res;
    cr_assert_eq(stay_apply(st, &actor, command(m), v, m, &res, &err), -1,
                 "%s %s accepted", m->trigger, m->movement_id);
    cr_assert_eq(err.code, code, "%s: code %d: %s", m->trigger, err.code, err.msg);
    cr_assert_eq(res.fault, fault, "%s: fault %d: %s", m->trigger, res.fault, err.msg);
    cr_assert_gt(strlen(err.msg), 10);

    assert_counts_eq(before, counts());
    stay_record s_after;
    socle_err e2 = {0};
    cr_assert_eq(stay_find(st, v->domain_id, v->visit_number, &s_after, &e2), had);
    if (had == 1) {
        cr_assert_eq(s_after.version, s_before.version, "the stay was changed");
        cr_assert_eq(rows_of(s_after.id), rows, "a movement row was written");
    }
    return err;
}

static socle_err refused(const char *number, const movement *m, socle_errcode code,
                         stay_field fault)
{
    stay_visit v = visit(number);
    return refused_for(&v, m, code, fault);
}

static void admitted(const char *number, const char *id, const char *at)
{
    movement m = mv("A01", id, at, "UF-A1");
    strcpy(m.location.room, "CH-101");
    strcpy(m.location.bed, "LIT-101-1");
    apply_ok(number, &m);
}

/* ---- Commands ---------------------------------------------------------- */

Test(stay, admit_creates_a_stay_in_progress_with_history_and_audit)
{
    int64_t seq = counts().audit_records;
    movement m = mv("A01", "M1", "2026-01-10T08:00:00", "UF-A1");
    strcpy(m.location.room, "CH-101");
    strcpy(m.location.bed, "LIT-101-1");
    strcpy(m.medical_uf, "UF-A1");
    stay_result r = apply_ok("V1", &m);
    cr_assert_eq(r.status, STAY_IN_PROGRESS);
    cr_assert_eq(r.n_notes, 0, "%s", r.notes[0].text);

    stay_record s = get_stay("V1");
    cr_assert_eq(s.id, r.stay_id);
    cr_assert_eq(s.local_id, patient);
    cr_assert_str_eq(s.nda, "V1", "no NDA sent: the visit number stands for it");
    cr_assert_str_eq(s.stay_class, "I");
    cr_assert_str_eq(s.admit_at, "2026-01-10T08:00:00");
    cr_assert_str_eq(s.discharge_at, "");
    cr_assert_str_eq(s.location.uf, "UF-A1");
    cr_assert_gt(s.location.uf_id, 0);
    cr_assert_gt(s.location.room_id, 0);
    cr_assert_gt(s.location.bed_id, 0);
    cr_assert_str_eq(s.medical_uf, "UF-A1");
    cr_assert_eq(s.from_preadmission, 0);

    hist_list h = history("stay", s.id);
    cr_assert_geq(h.n, 1);
    cr_assert_str_eq(h.action[0], "stay.create");
    cr_assert(h.has_after[0] && !h.has_before[0]);
    hist_list hm = history("movement", r.movement_row);
    cr_assert_eq(hm.n, 1);
    cr_assert_str_eq(hm.action[0], "movement.insert");

    audit_list a = audit_since(seq + 1);
    cr_assert_eq(a.n, 1);
    cr_assert_str_eq(a.rec[0].action, "stay.admit");
    cr_assert_str_eq(a.rec[0].object_type, "stay");
    cr_assert_str_eq(a.rec[0].detail, "A01 movement M1");
    assert_audit_intact();
}

Test(stay, nda_is_kept_when_sent)
{
    stay_visit v = visit("V1");
    strcpy(v.nda, "NDA-77");
    movement m = mv("A04", "M1", "2026-01-10T08:00:00", "UF-A1");
    strcpy(m.stay_class, "O");
    apply_to(&v, &m);
    stay_record s = get_stay("V1");
    cr_assert_str_eq(s.nda, "NDA-77");
    cr_assert_str_eq(s.stay_class, "O");
}

Test(stay, preadmission_admission_and_a11_back_to_planned)
{
    movement pre = mv("A05", "M0", "2026-01-09T10:00:00", "UF-A2");
    strcpy(pre.stay_class, "R");
    cr_assert_eq(apply_ok("V1", &pre).status, STAY_PLANNED);
    stay_record s = get_stay("V1");
    cr_assert_str_eq(s.location.uf, "UF-A2", "a planned stay shows its planned UF");
    cr_assert_str_eq(s.admit_at, "");

    admitted("V1", "M1", "2026-01-10T08:00:00");
    s = get_stay("V1");
    cr_assert_eq(s.status, STAY_IN_PROGRESS);
    cr_assert_eq(s.from_preadmission, 1);
    cr_assert_str_eq(s.stay_class, "I", "the admission's class overrides the planned one");
    cr_assert_str_eq(s.location.uf, "UF-A1");

    movement a11 = cancel("A11", "M1", "A01");
    cr_assert_eq(apply_ok("V1", &a11).status, STAY_PLANNED);
    s = get_stay("V1");
    cr_assert_str_eq(s.admit_at, "");
    cr_assert_str_eq(s.location.uf, "UF-A2");

    /* Planned again: it can be admitted again, with a new movement id. */
    admitted("V1", "M2", "2026-01-11T08:00:00");
    cr_assert_eq(get_stay("V1").status, STAY_IN_PROGRESS);
}

Test(stay, a11_without_preadmission_cancels_the_stay)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement a11 = cancel("A11", "M1", "A01");
    cr_assert_eq(apply_ok("V1", &a11).status, STAY_CANCELLED);
    /* A cancelled visit number is not admitted again. */
    movement again = mv("A01", "M2", "2026-01-10T09:00:00", "UF-A1");
    refused("V1", &again, SOCLE_ERULE, STAY_FIELD_VISIT);
}

Test(stay, a38_cancels_a_planned_stay_only)
{
    movement pre = mv("A05", "M0", "2026-01-09T10:00:00", "UF-A2");
    apply_ok("V1", &pre);
    movement a38 = cancel("A38", "M0", "A05");
    cr_assert_eq(apply_ok("V1", &a38).status, STAY_CANCELLED);
    cr_assert_eq(get_stay("V1").status, STAY_CANCELLED);

    /* Admitted since: the admission goes first. */
    movement pre2 = mv("A05", "M10", "2026-01-09T10:00:00", "UF-A2");
    apply_ok("V2", &pre2);
    admitted("V2", "M11", "2026-01-10T08:00:00");
    movement a38b = cancel("A38", "M10", "A05");
    a38b.historic = 1;
    refused("V2", &a38b, SOCLE_ERULE, STAY_FIELD_VISIT);
}

Test(stay, transfer_and_its_cancellation_restore_the_location)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement a02 = mv("A02", "M2", "2026-01-11T08:00:00", "UF-A2");
    strcpy(a02.location.room, "CH-201");
    apply_ok("V1", &a02);
    stay_record s = get_stay("V1");
    cr_assert_str_eq(s.location.uf, "UF-A2");
    cr_assert_str_eq(s.location.room, "CH-201");
    cr_assert_gt(s.location.room_id, 0);
    cr_assert_str_eq(s.location.bed, "");

    movement a12 = cancel("A12", "M2", "A02");
    stay_result r = apply_ok("V1", &a12);
    s = get_stay("V1");
    cr_assert_str_eq(s.location.uf, "UF-A1");
    cr_assert_str_eq(s.location.room, "CH-101");
    cr_assert_str_eq(s.location.bed, "LIT-101-1");
    hist_list h = history("movement", r.movement_row);
    cr_assert_eq(h.n, 2);
    cr_assert_str_eq(h.action[1], "movement.cancel");
    cr_assert(h.has_before[1] && h.has_after[1]);
    hist_list hs = history("stay", s.id);
    cr_assert_str_eq(hs.action[hs.n - 1], "stay.update");
    cr_assert(hs.has_before[hs.n - 1] && hs.has_after[hs.n - 1]);

    /* Cancelled already: neither cancelled again nor updated. */
    refused("V1", &a12, SOCLE_ERULE, STAY_FIELD_MOVEMENT_ID);
    movement z = mv("Z99", "M2", "2026-01-11T09:00:00", "UF-A2");
    strcpy(z.original_trigger, "A02");
    refused("V1", &z, SOCLE_ERULE, STAY_FIELD_MOVEMENT_ID);
    assert_audit_intact();
}

Test(stay, discharge_and_its_cancellation)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement a03 = mv("A03", "M2", "2026-01-12T10:00:00", "UF-A1");
    cr_assert_eq(apply_ok("V1", &a03).status, STAY_FINISHED);
    stay_record s = get_stay("V1");
    cr_assert_str_eq(s.discharge_at, "2026-01-12T10:00:00");

    /* Finished: no transfer, no leave, no second discharge. */
    movement a02 = mv("A02", "M3", "2026-01-12T11:00:00", "UF-A2");
    refused("V1", &a02, SOCLE_ERULE, STAY_FIELD_VISIT);
    movement a21 = mv("A21", "M4", "2026-01-12T11:00:00", "UF-A1");
    refused("V1", &a21, SOCLE_ERULE, STAY_FIELD_VISIT);

    movement a13 = cancel("A13", "M2", "A03");
    cr_assert_eq(apply_ok("V1", &a13).status, STAY_IN_PROGRESS);
    s = get_stay("V1");
    cr_assert_str_eq(s.discharge_at, "");
    apply_ok("V1", &a02);
}

Test(stay, admission_of_an_admitted_stay_is_refused)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement again = mv("A01", "M2", "2026-01-10T09:00:00", "UF-A1");
    socle_err e = refused("V1", &again, SOCLE_ERULE, STAY_FIELD_VISIT);
    cr_assert_not_null(strstr(e.msg, "already admitted"), "%s", e.msg);
    movement pre = mv("A05", "M3", "2026-01-10T09:00:00", "UF-A1");
    refused("V1", &pre, SOCLE_ERULE, STAY_FIELD_VISIT);
}

Test(stay, a_movement_id_is_never_reused)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement m = mv("A01", "M1", "2026-01-10T08:00:00", "UF-A1");
    socle_err e = refused("V2", &m, SOCLE_ERULE, STAY_FIELD_DUPLICATE_ID);
    cr_assert_not_null(strstr(e.msg, "never reused"), "%s", e.msg);
    movement t = mv("A02", "M1", "2026-01-11T08:00:00", "UF-A2");
    refused("V1", &t, SOCLE_ERULE, STAY_FIELD_DUPLICATE_ID);
}

Test(stay, movements_on_an_unknown_visit)
{
    movement t = mv("A02", "M1", "2026-01-11T08:00:00", "UF-A2");
    refused("NOPE", &t, SOCLE_ENOTFOUND, STAY_FIELD_VISIT);
    movement d = mv("A03", "M2", "2026-01-11T08:00:00", "UF-A2");
    refused("NOPE", &d, SOCLE_ENOTFOUND, STAY_FIELD_VISIT);
}

Test(stay, cancellations_must_name_the_right_movement)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement a02 = mv("A02", "M2", "2026-01-11T08:00:00", "UF-A2");
    apply_ok("V1", &a02);

    movement unknown = cancel("A12", "M9", "A02");
    refused("V1", &unknown, SOCLE_ENOTFOUND, STAY_FIELD_MOVEMENT_ID);
    movement wrong_orig = cancel("A12", "M2", "A01");
    refused("V1", &wrong_orig, SOCLE_ERULE, STAY_FIELD_ORIGINAL);
    movement wrong_kind = cancel("A13", "M2", "A02");
    refused("V1", &wrong_kind, SOCLE_ERULE, STAY_FIELD_ORIGINAL);
    movement other_visit = cancel("A12", "M2", "A02");
    admitted("V2", "M5", "2026-01-10T08:00:00");
    refused("V2", &other_visit, SOCLE_ERULE, STAY_FIELD_VISIT);
}

Test(stay, cancelling_a_non_last_movement_needs_the_historic_flag)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement t1 = mv("A02", "M2", "2026-01-11T08:00:00", "UF-A2");
    apply_ok("V1", &t1);
    movement t2 = mv("A02", "M3", "2026-01-12T08:00:00", "UF-A1");
    apply_ok("V1", &t2);

    movement c = cancel("A12", "M2", "A02");
    socle_err e = refused("V1", &c, SOCLE_ERULE, STAY_FIELD_HISTORIC);
    cr_assert_not_null(strstr(e.msg, "ZBE-5"), "%s", e.msg);
    c.historic = 1;
    apply_ok("V1", &c);
    cr_assert_str_eq(get_stay("V1").location.uf, "UF-A1", "the latest transfer holds");

    /* A11 with the flag takes the later movements with it. */
    movement a11 = cancel("A11", "M1", "A01");
    refused("V1", &a11, SOCLE_ERULE, STAY_FIELD_HISTORIC);
    a11.historic = 1;
    cr_assert_eq(apply_ok("V1", &a11).status, STAY_CANCELLED);
    stay_record s = get_stay("V1");
    int64_t n = -1;
    socle_err err = {0};
    cr_assert_eq(store_movement_count_stay(st, s.id, &n, &err), 0);
    cr_assert_eq(n, 0);
}

Test(stay, events_out_of_order_are_refused)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement early = mv("A02", "M2", "2026-01-09T08:00:00", "UF-A2");
    socle_err e = refused("V1", &early, SOCLE_ERULE, STAY_FIELD_DATE);
    cr_assert_not_null(strstr(e.msg, "out of order"), "%s", e.msg);

    movement t = mv("A02", "M3", "2026-01-12T08:00:00", "UF-A2");
    apply_ok("V1", &t);
    movement d = mv("A03", "M4", "2026-01-11T08:00:00", "UF-A2");
    refused("V1", &d, SOCLE_ERULE, STAY_FIELD_DATE);

    /* A back-dated transfer while in progress is placed by its date. */
    movement back = mv("A02", "M5", "2026-01-11T08:00:00", "UF-A1");
    apply_ok("V1", &back);
    cr_assert_str_eq(get_stay("V1").location.uf, "UF-A2");

    /* A correction that would put the admission after a movement. */
    movement z = mv("Z99", "M1", "2026-01-13T08:00:00", "UF-A1");
    strcpy(z.original_trigger, "A01");
    refused("V1", &z, SOCLE_ERULE, STAY_FIELD_DATE);
}

Test(stay, z99_updates_an_existing_movement)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement z = mv("Z99", "M1", "2026-01-10T07:30:00", "UF-A2");
    strcpy(z.original_trigger, "A01");
    strcpy(z.stay_class, "E");
    stay_result r = apply_ok("V1", &z);
    stay_record s = get_stay("V1");
    cr_assert_str_eq(s.admit_at, "2026-01-10T07:30:00");
    cr_assert_str_eq(s.location.uf, "UF-A2");
    cr_assert_str_eq(s.stay_class, "E");
    cr_assert_eq(rows_of(s.id), 1, "an update writes no new row");
    hist_list h = history("movement", r.movement_row);
    cr_assert_str_eq(h.action[h.n - 1], "movement.update");
    cr_assert(h.has_before[h.n - 1] && h.has_after[h.n - 1]);
    audit_list a = audit_since(counts().audit_records);
    cr_assert_str_eq(a.rec[0].action, "stay.update-movement");

    movement unknown = mv("Z99", "M9", "2026-01-10T07:30:00", "UF-A2");
    strcpy(unknown.original_trigger, "A01");
    refused("V1", &unknown, SOCLE_ENOTFOUND, STAY_FIELD_MOVEMENT_ID);
    movement mismatch = mv("Z99", "M1", "2026-01-10T07:30:00", "UF-A2");
    strcpy(mismatch.original_trigger, "A04");
    refused("V1", &mismatch, SOCLE_ERULE, STAY_FIELD_ORIGINAL);
}

Test(stay, z99_notes_a_historic_flag_contradicting_the_dates)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement t = mv("A02", "M2", "2026-01-11T08:00:00", "UF-A2");
    apply_ok("V1", &t);
    movement z = mv("Z99", "M1", "2026-01-10T08:00:00", "UF-A1");
    strcpy(z.original_trigger, "A01");
    stay_result r = apply_ok("V1", &z);
    cr_assert_eq(r.n_notes, 1);
    cr_assert_eq(r.notes[0].field, STAY_FIELD_HISTORIC);
}

Test(stay, leave_and_return_with_their_cancellations)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    movement back = mv("A22", "M2", "2026-01-11T08:00:00", "UF-A1");
    refused("V1", &back, SOCLE_ERULE, STAY_FIELD_VISIT);

    movement leave = mv("A21", "M3", "2026-01-11T08:00:00", "UF-A1");
    apply_ok("V1", &leave);
    cr_assert_eq(get_stay("V1").on_leave, 1);
    movement leave2 = mv("A21", "M4", "2026-01-11T09:00:00", "UF-A1");
    refused("V1", &leave2, SOCLE_ERULE, STAY_FIELD_VISIT);

    movement ret = mv("A22", "M5", "2026-01-12T08:00:00", "UF-A1");
    apply_ok("V1", &ret);
    cr_assert_eq(get_stay("V1").on_leave, 0);
    movement a53 = cancel("A53", "M5", "A22");
    apply_ok("V1", &a53);
    cr_assert_eq(get_stay("V1").on_leave, 1);
    movement a52 = cancel("A52", "M3", "A21");
    apply_ok("V1", &a52);
    cr_assert_eq(get_stay("V1").on_leave, 0);
}

Test(stay, class_change_doctor_change_and_their_cancellations)
{
    movement a04 = mv("A04", "M1", "2026-01-10T08:00:00", "UF-A1");
    strcpy(a04.stay_class, "E");
    apply_ok("V1", &a04);
    movement a06 = mv("A06", "M2", "2026-01-10T12:00:00", "UF-A2");
    apply_ok("V1", &a06);
    cr_assert_str_eq(get_stay("V1").stay_class, "I");
    movement c = cancel("A07", "M2", "A06");
    c.action = MOVEMENT_CANCEL;   /* A07 with ZBE-4 CANCEL: the A06 undone */
    apply_ok("V1", &c);
    cr_assert_str_eq(get_stay("V1").stay_class, "E");

    movement a54 = mv("A54", "M3", "2026-01-10T13:00:00", "UF-A1");
    apply_ok("V1", &a54);
    movement a55 = cancel("A55", "M3", "A54");
    apply_ok("V1", &a55);
    int64_t n = -1;
    socle_err err = {0};
    cr_assert_eq(store_movement_count_stay(st, get_stay("V1").id, &n, &err), 0);
    cr_assert_eq(n, 1, "only the A04 stands");
}

Test(stay, unknown_or_inconsistent_locations_are_kept_with_a_note)
{
    movement m = mv("A01", "M1", "2026-01-10T08:00:00", "UF-NONE");
    strcpy(m.location.room, "CH-201");
    strcpy(m.location.bed, "LIT-X");
    stay_result r = apply_ok("V1", &m);
    cr_assert_eq(r.n_notes, 3);
    cr_assert_eq(r.notes[0].field, STAY_FIELD_UF);
    cr_assert_eq(r.notes[1].field, STAY_FIELD_ROOM);
    cr_assert_eq(r.notes[2].field, STAY_FIELD_BED);
    stay_record s = get_stay("V1");
    cr_assert_str_eq(s.location.uf, "UF-NONE");
    cr_assert_eq(s.location.uf_id, 0);
    cr_assert_str_eq(s.location.room, "CH-201");
    cr_assert_eq(s.location.room_id, 0);

    /* A UF of another establishment; a room outside the UF. */
    movement t = mv("A02", "M2", "2026-01-11T08:00:00", "UF-B1");
    r = apply_ok("V1", &t);
    cr_assert_eq(r.n_notes, 1);
    cr_assert_not_null(strstr(r.notes[0].text, "another establishment"));
    movement t2 = mv("A02", "M3", "2026-01-12T08:00:00", "UF-A1");
    strcpy(t2.location.room, "CH-201");
    r = apply_ok("V1", &t2);
    cr_assert_eq(r.n_notes, 1);
    cr_assert_eq(r.notes[0].field, STAY_FIELD_ROOM);
    cr_assert_gt(get_stay("V1").location.uf_id, 0);
}

Test(stay, a_visit_of_another_patient_is_refused)
{
    admitted("V1", "M1", "2026-01-10T08:00:00");
    stay_visit v = visit("V1");
    v.local_id = other_patient;
    movement t = mv("A02", "M2", "2026-01-11T08:00:00", "UF-A2");
    refused_for(&v, &t, SOCLE_ERULE, STAY_FIELD_PATIENT);
    /* The same visit number in another establishment is another stay. */
    (void)dom_b;
}

Test(stay, commands_and_events)
{
    stay_command c;
    cr_assert_eq(stay_command_for("A12", MOVEMENT_INSERT, &c), -1);
    cr_assert_eq(stay_command_for("A07", MOVEMENT_CANCEL, &c), 0);
    cr_assert_eq(c, STAY_CANCEL_CHANGE_CLASS);
    cr_assert_eq(stay_command_for("A07", MOVEMENT_INSERT, &c), 0);
    cr_assert_eq(c, STAY_CHANGE_CLASS);
    cr_assert_eq(stay_command_for("Z99", MOVEMENT_UPDATE, &c), 0);
    cr_assert_eq(stay_command_for("A28", MOVEMENT_INSERT, &c), -1);

    /* Missing input. */
    stay_visit v = visit("");
    movement m = mv("A01", "M1", "2026-01-10T08:00:00", "UF-A1");
    stay_result r;
    socle_err err = {0};
    cr_assert_eq(stay_apply(st, &actor, STAY_ADMIT, &v, &m, &r, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_eq(r.fault, STAY_FIELD_VISIT);
}
