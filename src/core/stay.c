/*
 * stay.c - stays and movements: the state machine of stay.h.
 *
 * Each command checks what it can before writing, writes the movement,
 * then re-derives the stay from its movements (by effective date) and
 * checks the result's order; a refusal found late is still atomic since
 * the caller rolls the transaction back.
 */
#include "core/stay.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/history.h"
#include "core/snapshot.h"
#include "core/structure.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/array.h"

/* ---- Events ------------------------------------------------------------ */

typedef struct command_def {
    stay_command cmd;
    const char *trigger;
    movement_action action;
    const char *verb;        /* audit action "stay.<verb>" */
    const char *cancels[2];  /* for a CANCEL: the triggers it may cancel */
} command_def;

static const command_def commands[] = {
    {STAY_PREADMIT, "A05", MOVEMENT_INSERT, "preadmit", {NULL, NULL}},
    {STAY_CANCEL_PREADMIT, "A38", MOVEMENT_CANCEL, "cancel-preadmit", {"A05", NULL}},
    {STAY_ADMIT, "A01", MOVEMENT_INSERT, "admit", {NULL, NULL}},
    {STAY_ADMIT, "A04", MOVEMENT_INSERT, "admit", {NULL, NULL}},
    {STAY_CANCEL_ADMIT, "A11", MOVEMENT_CANCEL, "cancel-admit", {"A01", "A04"}},
    {STAY_TRANSFER, "A02", MOVEMENT_INSERT, "transfer", {NULL, NULL}},
    {STAY_CANCEL_TRANSFER, "A12", MOVEMENT_CANCEL, "cancel-transfer", {"A02", NULL}},
    {STAY_DISCHARGE, "A03", MOVEMENT_INSERT, "discharge", {NULL, NULL}},
    {STAY_CANCEL_DISCHARGE, "A13", MOVEMENT_CANCEL, "cancel-discharge", {"A03", NULL}},
    {STAY_CHANGE_CLASS, "A06", MOVEMENT_INSERT, "change-class", {NULL, NULL}},
    {STAY_CHANGE_CLASS, "A07", MOVEMENT_INSERT, "change-class", {NULL, NULL}},
    {STAY_CANCEL_CHANGE_CLASS, "A07", MOVEMENT_CANCEL, "cancel-change-class", {"A06", NULL}},
    {STAY_CANCEL_CHANGE_CLASS, "A06", MOVEMENT_CANCEL, "cancel-change-class", {"A07", NULL}},
    {STAY_LEAVE, "A21", MOVEMENT_INSERT, "leave", {NULL, NULL}},
    {STAY_CANCEL_LEAVE, "A52", MOVEMENT_CANCEL, "cancel-leave", {"A21", NULL}},
    {STAY_RETURN, "A22", MOVEMENT_INSERT, "return", {NULL, NULL}},
    {STAY_CANCEL_RETURN, "A53", MOVEMENT_CANCEL, "cancel-return", {"A22", NULL}},
    {STAY_CHANGE_DOCTOR, "A54", MOVEMENT_INSERT, "change-doctor", {NULL, NULL}},
    {STAY_CANCEL_CHANGE_DOCTOR, "A55", MOVEMENT_CANCEL, "cancel-change-doctor", {"A54", NULL}},
    {STAY_UPDATE, "Z99", MOVEMENT_UPDATE, "update-movement", {NULL, NULL}},
};
#define COMMAND_DEFS (sizeof commands / sizeof commands[0])

int stay_command_for(const char *trigger, movement_action action, stay_command *out)
{
    for (size_t i = 0; i < COMMAND_DEFS; i++)
        if (trigger != NULL && strcmp(commands[i].trigger, trigger) == 0
            && commands[i].action == action) {
            *out = commands[i].cmd;
            return 0;
        }
    return -1;
}

static const command_def *command_def_of(stay_command cmd, const char *trigger)
{
    const command_def *any = NULL;
    for (size_t i = 0; i < COMMAND_DEFS; i++)
        if (commands[i].cmd == cmd) {
            if (trigger != NULL && strcmp(commands[i].trigger, trigger) == 0)
                return &commands[i];
            if (any == NULL)
                any = &commands[i];
        }
    return any;
}

const char *stay_status_code(stay_status s)
{
    static const char *const codes[] = {"planned", "in-progress", "finished", "cancelled"};
    return (unsigned)s < 4 ? codes[s] : "?";
}

static int is_admission(const char *trigger)
{
    return strcmp(trigger, "A01") == 0 || strcmp(trigger, "A04") == 0;
}

/* ---- Results ----------------------------------------------------------- */

static void note(stay_result *res, stay_field field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(stay_result *res, stay_field field, const char *fmt, ...)
{
    if (res->n_notes == STAY_NOTES_MAX)
        return;
    stay_note *n = &res->notes[res->n_notes++];
    n->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->text, sizeof n->text, fmt, ap);
    va_end(ap);
}

static int refuse(stay_result *res, socle_err *err, socle_errcode code, stay_field field,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int refuse(stay_result *res, socle_err *err, socle_errcode code, stay_field field,
                  const char *fmt, ...)
{
    res->fault = field;
    char msg[SOCLE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, code, "%s", msg);
}

/* ---- History and audit ------------------------------------------------- */

/* ---- Locations --------------------------------------------------------- */

/* Whether node lies under the structure `ancestor` (a short walk up). */
static int under(struct store *st, const structure_node *node, int64_t ancestor, socle_err *err)
{
    structure_node cur = *node;
    for (int depth = 0; depth < 8 && cur.parent_id != 0; depth++) {
        if (cur.parent_id == ancestor)
            return 1;
        int found = store_structure_get(st, cur.parent_id, &cur, err);
        if (found <= 0)
            return found;
    }
    return 0;
}

static int resolve_location(struct store *st, int64_t domain_id, stay_location *loc,
                            stay_result *res, socle_err *err)
{
    loc->uf_id = loc->room_id = loc->bed_id = 0;
    structure_node n;
    int found;
    if (loc->uf[0] != '\0') {
        if ((found = store_structure_find(st, loc->uf, &n, err)) < 0)
            return -1;
        if (!found) {
            note(res, STAY_FIELD_UF, "PV1-3.1: UF %s is not in the structures repository: "
                 "kept as received", loc->uf);
        } else if (n.kind != STRUCTURE_UF) {
            note(res, STAY_FIELD_UF, "PV1-3.1: %s is a %s, not a UF: kept as received",
                 loc->uf, structure_kind_code(n.kind));
        } else {
            id_domain dom;
            if ((found = store_domain_get(st, domain_id, &dom, err)) < 0)
                return -1;
            int in = found && dom.structure_id != 0 ? under(st, &n, dom.structure_id, err) : 1;
            if (in < 0)
                return -1;
            if (in)
                loc->uf_id = n.id;
            else
                note(res, STAY_FIELD_UF, "PV1-3.1: UF %s belongs to another establishment: "
                     "kept as received", loc->uf);
        }
    }
    if (loc->room[0] != '\0') {
        if ((found = store_structure_find(st, loc->room, &n, err)) < 0)
            return -1;
        if (found && n.kind == STRUCTURE_CHAMBRE && loc->uf_id != 0 && n.parent_id == loc->uf_id)
            loc->room_id = n.id;
        else
            note(res, STAY_FIELD_ROOM, "PV1-3.2: room %s is %s: kept as received", loc->room,
                 !found ? "not in the structures repository"
                 : n.kind != STRUCTURE_CHAMBRE ? "not a room (CHAMBRE)" : "not in that UF");
    }
    if (loc->bed[0] != '\0') {
        if ((found = store_structure_find(st, loc->bed, &n, err)) < 0)
            return -1;
        if (found && n.kind == STRUCTURE_LIT && loc->room_id != 0 && n.parent_id == loc->room_id)
            loc->bed_id = n.id;
        else
            note(res, STAY_FIELD_BED, "PV1-3.3: bed %s is %s: kept as received", loc->bed,
                 !found ? "not in the structures repository"
                 : n.kind != STRUCTURE_LIT ? "not a bed (LIT)" : "not in that room");
    }
    return 0;
}

/* ---- The movements of a stay ------------------------------------------ */

typedef struct movement_list {
    movement *items;
    size_t n, cap;
} movement_list;

static int collect(const movement *m, void *ctx)
{
    movement_list *l = ctx;
    *ARRAY_PUSH(l->items, l->n, l->cap) = *m;
    return 0;
}

static int load_movements(struct store *st, int64_t stay_id, movement_list *l, socle_err *err)
{
    memset(l, 0, sizeof *l);
    if (store_movement_foreach_stay(st, stay_id, collect, l, err) != 0) {
        free(l->items);
        l->items = NULL;
        return -1;
    }
    return 0;
}

static int counts(const movement *m)
{
    return m->action == MOVEMENT_INSERT && m->state == MOVEMENT_ACTIVE;
}

/* The latest active movement (by date, then id), or NULL. */
static const movement *latest(const movement_list *l)
{
    for (size_t i = l->n; i-- > 0;)
        if (counts(&l->items[i]))
            return &l->items[i];
    return NULL;
}

/* Re-derive the stay from its movements (see stay.h). */
static void derive(stay_record *s, const movement_list *l)
{
    int admitted = 0, discharged = 0, preadmitted = 0;
    s->on_leave = 0;
    s->admit_at[0] = s->discharge_at[0] = '\0';
    memset(&s->location, 0, sizeof s->location);
    s->medical_uf[0] = '\0';
    /* The pre-admission first: it describes what was planned, whatever
     * date it carries, and what happened since overrides it. */
    for (size_t k = 0; k < 2 * l->n; k++) {
        const movement *m = &l->items[k % l->n];
        if (!counts(m) || (strcmp(m->trigger, "A05") == 0) != (k < l->n))
            continue;
        const char *t = m->trigger;
        if (strcmp(t, "A05") == 0) {
            preadmitted = 1;
        } else if (is_admission(t)) {
            admitted = 1;
            str_copy(s->admit_at, sizeof s->admit_at, m->effective_at);
        } else if (strcmp(t, "A03") == 0) {
            discharged = 1;
            s->on_leave = 0;
            str_copy(s->discharge_at, sizeof s->discharge_at, m->effective_at);
        } else if (strcmp(t, "A21") == 0) {
            s->on_leave = 1;
        } else if (strcmp(t, "A22") == 0) {
            s->on_leave = 0;
        }
        if (m->stay_class[0] != '\0'
            && (strcmp(t, "A05") == 0 || is_admission(t) || strcmp(t, "A06") == 0
                || strcmp(t, "A07") == 0))
            str_copy(s->stay_class, sizeof s->stay_class, m->stay_class);
        if (m->location.uf[0] != '\0')
            s->location = m->location;
        if (m->medical_uf[0] != '\0')
            str_copy(s->medical_uf, sizeof s->medical_uf, m->medical_uf);
    }
    if (!discharged)
        s->discharge_at[0] = '\0';
    s->from_preadmission = preadmitted;
    s->status = admitted ? (discharged ? STAY_FINISHED : STAY_IN_PROGRESS)
              : preadmitted ? STAY_PLANNED : STAY_CANCELLED;
}

/* Events out of order: a movement before the admission, a discharge
 * before a movement. */
static int check_order(const stay_record *s, const movement_list *l, stay_result *res, socle_err *err)
{
    for (size_t i = 0; i < l->n; i++) {
        const movement *m = &l->items[i];
        if (!counts(m) || strcmp(m->trigger, "A05") == 0 || is_admission(m->trigger))
            continue;
        if (s->admit_at[0] != '\0' && strcmp(m->effective_at, s->admit_at) < 0)
            return refuse(res, err, SOCLE_ERULE, STAY_FIELD_DATE,
                          "events out of order: movement %s (%s) is dated %s, before the "
                          "admission of the stay (%s)", m->movement_id, m->trigger,
                          m->effective_at, s->admit_at);
        if (s->discharge_at[0] != '\0' && strcmp(m->trigger, "A03") != 0
            && strcmp(m->effective_at, s->discharge_at) > 0)
            return refuse(res, err, SOCLE_ERULE, STAY_FIELD_DATE,
                          "events out of order: movement %s (%s) is dated %s, after the "
                          "discharge of the stay (%s)", m->movement_id, m->trigger,
                          m->effective_at, s->discharge_at);
    }
    return 0;
}

/* Save the re-derived stay and its history entry when it changed. */
static int save_stay(struct store *st, const socle_actor *actor, const stay_record *old, stay_record *s,
                     const char *reason, socle_err *err)
{
    char *before = snapshot_stay(old), *after = snapshot_stay(s);
    if (strcmp(before, after) == 0) {
        free(before);
        free(after);
        return 0;
    }
    time_now_iso(s->updated_at);
    if (store_stay_update(st, s, err) != 0) {
        free(before);
        free(after);
        return -1;
    }
    return history_record(st, actor, "stay", s->id, "stay.update", reason, before, after, err);
}

/* Derive, check and save the stay after its movements changed. */
static int settle(struct store *st, const socle_actor *actor, stay_record *s, const char *reason,
                  stay_result *res, socle_err *err)
{
    movement_list l;
    if (load_movements(st, s->id, &l, err) != 0)
        return -1;
    stay_record old = *s;
    derive(s, &l);
    int rc = check_order(s, &l, res, err);
    free(l.items);
    if (rc != 0)
        return -1;
    res->status = s->status;
    return save_stay(st, actor, &old, s, reason, err);
}

/* ---- Commands ---------------------------------------------------------- */

static void fill_row(movement *row, const stay_record *s, const movement *in, movement_action action)
{
    memset(row, 0, sizeof *row);
    row->stay_id = s->id;
    row->domain_id = s->domain_id;
    str_copy(row->movement_id, sizeof row->movement_id, in->movement_id);
    str_copy(row->movement_ns, sizeof row->movement_ns, in->movement_ns);
    str_copy(row->trigger, sizeof row->trigger, in->trigger);
    row->action = action;
    str_copy(row->effective_at, sizeof row->effective_at, in->effective_at);
    row->historic = in->historic;
    str_copy(row->original_trigger, sizeof row->original_trigger, in->original_trigger);
    str_copy(row->stay_class, sizeof row->stay_class, in->stay_class);
    str_copy(row->medical_uf, sizeof row->medical_uf, in->medical_uf);
    str_copy(row->care_uf, sizeof row->care_uf, in->care_uf);
    str_copy(row->nature, sizeof row->nature, in->nature);
    row->location = in->location;
    row->state = MOVEMENT_ACTIVE;
    time_now_iso(row->created_at);
    str_copy(row->updated_at, sizeof row->updated_at, row->created_at);
}

static int same_patient(const stay_record *s, const stay_visit *v, stay_result *res, socle_err *err)
{
    if (s->local_id == v->local_id)
        return 0;
    return refuse(res, err, SOCLE_ERULE, STAY_FIELD_PATIENT,
                  "visit %s belongs to another patient of the establishment: a stay moves "
                  "to another patient only by A44", s->visit_number);
}

static int insert_movement(struct store *st, const socle_actor *actor, const command_def *def,
                           const stay_visit *v, const movement *in, stay_result *res,
                           socle_err *err)
{
    movement taken;
    int found = store_movement_find(st, v->domain_id, in->movement_id, &taken, err);
    if (found < 0)
        return -1;
    if (found)
        return refuse(res, err, SOCLE_ERULE, STAY_FIELD_DUPLICATE_ID,
                      "movement id %s was already used (%s of %s): movement ids are never "
                      "reused; correct a movement with Z99", in->movement_id, taken.trigger,
                      taken.effective_at);

    stay_record s;
    found = store_stay_find(st, v->domain_id, v->visit_number, &s, err);
    if (found < 0)
        return -1;
    int create = 0;
    if (def->cmd == STAY_PREADMIT || def->cmd == STAY_ADMIT) {
        if (!found) {
            create = 1;
        } else if (def->cmd == STAY_PREADMIT || s.status != STAY_PLANNED) {
            return refuse(res, err, SOCLE_ERULE, STAY_FIELD_VISIT,
                          "%s: visit %s is already %s: a visit number is used for one stay "
                          "and one admission", in->trigger, v->visit_number,
                          s.status == STAY_PLANNED ? "pre-admitted"
                          : s.status == STAY_CANCELLED ? "cancelled" : "admitted");
        }
    } else {
        if (!found)
            return refuse(res, err, SOCLE_ENOTFOUND, STAY_FIELD_VISIT,
                          "%s: no stay with visit number %s in the establishment",
                          in->trigger, v->visit_number);
        if (s.status != STAY_IN_PROGRESS)
            return refuse(res, err, SOCLE_ERULE, STAY_FIELD_VISIT,
                          "%s: visit %s is not in progress (%s)", in->trigger,
                          v->visit_number, stay_status_code(s.status));
        if (def->cmd == STAY_LEAVE && s.on_leave)
            return refuse(res, err, SOCLE_ERULE, STAY_FIELD_VISIT,
                          "A21: the patient of visit %s is already on leave", v->visit_number);
        if (def->cmd == STAY_RETURN && !s.on_leave)
            return refuse(res, err, SOCLE_ERULE, STAY_FIELD_VISIT,
                          "A22: the patient of visit %s is not on leave (no A21)",
                          v->visit_number);
    }
    if (found && same_patient(&s, v, res, err) != 0)
        return -1;

    if (create) {
        memset(&s, 0, sizeof s);
        s.domain_id = v->domain_id;
        s.local_id = v->local_id;
        str_copy(s.visit_number, sizeof s.visit_number, v->visit_number);
        str_copy(s.nda, sizeof s.nda, v->nda[0] ? v->nda : v->visit_number);
        str_copy(s.stay_class, sizeof s.stay_class, in->stay_class);
        s.status = def->cmd == STAY_PREADMIT ? STAY_PLANNED : STAY_IN_PROGRESS;
        time_now_iso(s.created_at);
        str_copy(s.updated_at, sizeof s.updated_at, s.created_at);
        if (store_stay_insert(st, &s, err) != 0)
            return -1;
        if (history_record(st, actor, "stay", s.id, "stay.create", in->trigger, NULL,
                    snapshot_stay(&s), err) != 0)
            return -1;
    } else if (def->cmd == STAY_DISCHARGE) {
        movement_list l;
        if (load_movements(st, s.id, &l, err) != 0)
            return -1;
        const movement *last = latest(&l);
        int early = last != NULL && strcmp(in->effective_at, last->effective_at) < 0;
        char last_id[SOCLE_CODE_MAX], last_at[SOCLE_TS_MAX];
        if (early) {
            str_copy(last_id, sizeof last_id, last->movement_id);
            str_copy(last_at, sizeof last_at, last->effective_at);
        }
        free(l.items);
        if (early)
            return refuse(res, err, SOCLE_ERULE, STAY_FIELD_DATE,
                          "events out of order: the discharge is dated %s, before movement "
                          "%s (%s)", in->effective_at, last_id, last_at);
    }

    movement row;
    fill_row(&row, &s, in, MOVEMENT_INSERT);
    if (resolve_location(st, v->domain_id, &row.location, res, err) != 0)
        return -1;
    if (store_movement_insert(st, &row, err) != 0)
        return -1;
    res->stay_id = s.id;
    res->movement_row = row.id;
    if (history_record(st, actor, "movement", row.id, "movement.insert", in->trigger, NULL,
                snapshot_movement(&row), err) != 0)
        return -1;
    return settle(st, actor, &s, in->trigger, res, err);
}

/* The INSERT row a CANCEL or an UPDATE names, checked against the message. */
static int named_movement(struct store *st, const stay_visit *v, const movement *in,
                          movement *target, stay_record *s, stay_result *res, socle_err *err)
{
    int found = store_movement_find(st, v->domain_id, in->movement_id, target, err);
    if (found < 0)
        return -1;
    if (!found)
        return refuse(res, err, SOCLE_ENOTFOUND, STAY_FIELD_MOVEMENT_ID,
                      "%s: no movement with id %s in the establishment", in->trigger,
                      in->movement_id);
    if (target->state == MOVEMENT_CANCELLED)
        return refuse(res, err, SOCLE_ERULE, STAY_FIELD_MOVEMENT_ID,
                      "%s: movement %s is already cancelled", in->trigger, in->movement_id);
    found = store_stay_get(st, target->stay_id, s, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_EINTERNAL, "movement %s without its stay", in->movement_id);
    if (strcmp(s->visit_number, v->visit_number) != 0)
        return refuse(res, err, SOCLE_ERULE, STAY_FIELD_VISIT,
                      "%s: movement %s belongs to visit %s, not to visit %s", in->trigger,
                      in->movement_id, s->visit_number, v->visit_number);
    if (same_patient(s, v, res, err) != 0)
        return -1;
    if (strcmp(in->original_trigger, target->trigger) != 0)
        return refuse(res, err, SOCLE_ERULE, STAY_FIELD_ORIGINAL,
                      "%s: ZBE-6 names %s but movement %s was created by %s",
                      in->trigger, in->original_trigger[0] ? in->original_trigger : "nothing",
                      in->movement_id, target->trigger);
    return 0;
}

/* Whether target is the stay's latest active movement. */
static int is_latest(struct store *st, const movement *target, int *yes, socle_err *err)
{
    movement_list l;
    if (load_movements(st, target->stay_id, &l, err) != 0)
        return -1;
    const movement *last = latest(&l);
    *yes = last != NULL && last->id == target->id;
    free(l.items);
    return 0;
}

static int cancel_row(struct store *st, const socle_actor *actor, movement *target,
                      const char *reason, socle_err *err)
{
    char *before = snapshot_movement(target);
    target->state = MOVEMENT_CANCELLED;
    time_now_iso(target->updated_at);
    if (store_movement_update(st, target, err) != 0) {
        free(before);
        return -1;
    }
    return history_record(st, actor, "movement", target->id, "movement.cancel", reason, before,
                   snapshot_movement(target), err);
}

static int cancel_movement(struct store *st, const socle_actor *actor, const command_def *def,
                           const stay_visit *v, const movement *in, stay_result *res,
                           socle_err *err)
{
    movement target;
    stay_record s;
    if (named_movement(st, v, in, &target, &s, res, err) != 0)
        return -1;
    int kind_ok = 0;
    for (size_t i = 0; i < 2; i++)
        if (def->cancels[i] != NULL && strcmp(def->cancels[i], target.trigger) == 0)
            kind_ok = 1;
    if (!kind_ok)
        return refuse(res, err, SOCLE_ERULE, STAY_FIELD_ORIGINAL,
                      "%s cancels %s%s%s, but movement %s was created by %s", in->trigger,
                      def->cancels[0], def->cancels[1] ? " or " : "",
                      def->cancels[1] ? def->cancels[1] : "", in->movement_id, target.trigger);
    if (def->cmd == STAY_CANCEL_PREADMIT && s.status != STAY_PLANNED)
        return refuse(res, err, SOCLE_ERULE, STAY_FIELD_VISIT,
                      "A38: visit %s is %s, not planned: cancel the admission first (A11)",
                      s.visit_number, stay_status_code(s.status));
    int last;
    if (is_latest(st, &target, &last, err) != 0)
        return -1;
    if (!last && !in->historic)
        return refuse(res, err, SOCLE_ERULE, STAY_FIELD_HISTORIC,
                      "%s: movement %s is not the latest of visit %s: cancelling it needs "
                      "the historic flag (ZBE-5 Y)", in->trigger, in->movement_id,
                      s.visit_number);

    if (cancel_row(st, actor, &target, in->trigger, err) != 0)
        return -1;
    /* Without its admission nothing after it stands: those movements go
     * with it (the sender cancelled a non-last movement knowingly). */
    if (def->cmd == STAY_CANCEL_ADMIT && !last) {
        movement_list l;
        if (load_movements(st, s.id, &l, err) != 0)
            return -1;
        int rc = 0;
        for (size_t i = 0; i < l.n && rc == 0; i++) {
            movement *m = &l.items[i];
            if (counts(m) && strcmp(m->trigger, "A05") != 0
                && strcmp(m->effective_at, target.effective_at) >= 0)
                rc = cancel_row(st, actor, m, "A11: with the admission", err);
        }
        free(l.items);
        if (rc != 0)
            return -1;
    }

    movement row;
    fill_row(&row, &s, in, MOVEMENT_CANCEL);
    if (row.effective_at[0] == '\0')
        str_copy(row.effective_at, sizeof row.effective_at, target.effective_at);
    row.cancels = target.id;
    if (store_movement_insert(st, &row, err) != 0)
        return -1;
    res->stay_id = s.id;
    res->movement_row = target.id;
    if (history_record(st, actor, "movement", row.id, "movement.insert", in->trigger, NULL,
                snapshot_movement(&row), err) != 0)
        return -1;
    return settle(st, actor, &s, in->trigger, res, err);
}

static int update_movement(struct store *st, const socle_actor *actor, const stay_visit *v,
                           const movement *in, stay_result *res, socle_err *err)
{
    movement target;
    stay_record s;
    if (named_movement(st, v, in, &target, &s, res, err) != 0)
        return -1;
    int last;
    if (is_latest(st, &target, &last, err) != 0)
        return -1;
    if (last == in->historic)
        note(res, STAY_FIELD_HISTORIC, "ZBE-5 %s: movement %s is %sthe latest of its stay: "
             "the dates are followed", in->historic ? "Y" : "N", in->movement_id,
             last ? "" : "not ");

    movement row = target;
    char *before = snapshot_movement(&target);
    str_copy(row.effective_at, sizeof row.effective_at, in->effective_at);
    row.historic = in->historic;
    if (in->stay_class[0] != '\0')
        str_copy(row.stay_class, sizeof row.stay_class, in->stay_class);
    str_copy(row.medical_uf, sizeof row.medical_uf, in->medical_uf);
    str_copy(row.care_uf, sizeof row.care_uf, in->care_uf);
    str_copy(row.nature, sizeof row.nature, in->nature);
    if (in->location.uf[0] != '\0') {
        row.location = in->location;
        if (resolve_location(st, v->domain_id, &row.location, res, err) != 0) {
            free(before);
            return -1;
        }
    }
    time_now_iso(row.updated_at);
    if (store_movement_update(st, &row, err) != 0) {
        free(before);
        return -1;
    }
    res->stay_id = s.id;
    res->movement_row = row.id;
    if (history_record(st, actor, "movement", row.id, "movement.update", "Z99", before,
                snapshot_movement(&row), err) != 0)
        return -1;
    return settle(st, actor, &s, "Z99", res, err);
}

int stay_apply_in_tx(struct store *st, const socle_actor *actor, stay_command cmd,
                     const stay_visit *visit, const movement *in, stay_result *res,
                     socle_err *err)
{
    memset(res, 0, sizeof *res);
    const command_def *def = command_def_of(cmd, in->trigger);
    if (def == NULL)
        return err_set(err, SOCLE_EINVAL, "unknown stay command %d", (int)cmd);
    if (visit->visit_number[0] == '\0')
        return refuse(res, err, SOCLE_EINVAL, STAY_FIELD_VISIT, "visit number: missing");
    if (in->movement_id[0] == '\0')
        return refuse(res, err, SOCLE_EINVAL, STAY_FIELD_MOVEMENT_ID, "movement id: missing");
    if (in->effective_at[0] == '\0' && def->action == MOVEMENT_INSERT)
        return refuse(res, err, SOCLE_EINVAL, STAY_FIELD_DATE, "movement date: missing");
    if (visit->local_id <= 0 || visit->domain_id <= 0)
        return err_set(err, SOCLE_EINVAL, "stay: patient or domain missing");

    int rc;
    if (def->action == MOVEMENT_INSERT)
        rc = insert_movement(st, actor, def, visit, in, res, err);
    else if (def->action == MOVEMENT_CANCEL)
        rc = cancel_movement(st, actor, def, visit, in, res, err);
    else
        rc = update_movement(st, actor, visit, in, res, err);
    if (rc != 0)
        return -1;

    char id[32], detail[SOCLE_REASON_MAX], action[64];
    snprintf(id, sizeof id, "%" PRId64, res->stay_id);
    snprintf(detail, sizeof detail, "%s movement %s", in->trigger, in->movement_id);
    snprintf(action, sizeof action, "stay.%s", def->verb);
    return audit_log(st, actor, action, "stay", id, "success", detail, err);
}

int stay_apply(struct store *st, const socle_actor *actor, stay_command cmd,
               const stay_visit *visit, const movement *in, stay_result *res, socle_err *err)
{
    memset(res, 0, sizeof *res);
    if (store_begin(st, err) != 0)
        return -1;
    if (stay_apply_in_tx(st, actor, cmd, visit, in, res, err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

#define NAMED(name, cmd)                                                                  \
    int name(struct store *st, const socle_actor *actor, const stay_visit *v,            \
             const movement *in, stay_result *res, socle_err *err)                       \
    {                                                                                    \
        return stay_apply_in_tx(st, actor, cmd, v, in, res, err);                        \
    }
NAMED(stay_preadmit_in_tx, STAY_PREADMIT)
NAMED(stay_cancel_preadmit_in_tx, STAY_CANCEL_PREADMIT)
NAMED(stay_admit_in_tx, STAY_ADMIT)
NAMED(stay_cancel_admit_in_tx, STAY_CANCEL_ADMIT)
NAMED(stay_transfer_in_tx, STAY_TRANSFER)
NAMED(stay_cancel_transfer_in_tx, STAY_CANCEL_TRANSFER)
NAMED(stay_discharge_in_tx, STAY_DISCHARGE)
NAMED(stay_cancel_discharge_in_tx, STAY_CANCEL_DISCHARGE)
NAMED(stay_update_movement_in_tx, STAY_UPDATE)

int stay_find(struct store *st, int64_t domain_id, const char *visit_number, stay_record *out,
              socle_err *err)
{
    return store_stay_find(st, domain_id, visit_number, out, err);
}
