/*
 * pam_visit.c - the ITI-31 events of PAM France (pam_job.h): stays and
 * movements. Each message is applied in the transaction pam.c opened:
 * first the patient of its PID, through the same path as an A31
 * (pam_patient_apply), then the movement (core/stay.h); a refusal of either
 * rolls both back.
 *
 * Choices (the specifications leave them open, the corpus README lists
 * real senders' deviations):
 *  - The trigger (MSH-9.2) and ZBE-4 together choose the command: A11, A12,
 *    A13, A38, A52, A53, A55 must say CANCEL; Z99 UPDATE; the others
 *    INSERT, except A06/A07 which may also cancel each other. Another
 *    combination is refused, AE 103 at ZBE-4: guessing would apply the
 *    opposite of what was meant.
 *  - Strict where accepting would corrupt the repository: a reused
 *    movement id on an INSERT (AE 205 at ZBE-1: the sender must use Z99;
 *    a byte-identical repeat is answered by pam.c's journal before this),
 *    a cancel or update of an unknown movement (AE 204 at ZBE-1), of a
 *    cancelled one (AE 207 at ZBE-1), of a movement of another trigger
 *    than ZBE-6 says (AE 207 at ZBE-6, e.g. a Z99 saying A01 for an A04),
 *    a visit in the wrong state (AE 207 at PV1-19, 204 when unknown),
 *    events out of order (AE 207 at ZBE-2), a non-last movement cancelled
 *    without ZBE-5 Y (AE 207 at ZBE-5), a visit of another patient (AE 207
 *    at PID-3). Missing PV1/ZBE: AE 100; missing PV1-19, ZBE-1, ZBE-2,
 *    ZBE-4, or ZBE-6 with UPDATE/CANCEL: AE 101.
 *  - Lenient where the meaning is clear, with a warning (ERR-4 W): an
 *    unknown or inconsistent UF/room/bed code (kept as received, 103 at
 *    PV1-3), a missing hosting UF (101 at PV1-3), ZBE-9 natures with a
 *    trailing C such as MC or HMSC (read as the nature plus a status
 *    correction, 103), a Z99 whose ZBE-5 contradicts the dates (207 at
 *    ZBE-5: the dates are followed), legacy movement ids with letters
 *    (taken as they are: an id is an opaque key).
 *  - A store failure is AR (pam_retry_later): the sender retries.
 */
#include <stdio.h>
#include <string.h>

#include "core/identity.h"
#include "core/stay.h"
#include "hl7/pam_job.h"
#include "hl7/pam_visit_map.h"

/* Where a core refusal or note points in the message. */
static er7_loc field_loc(const pam_job *j, const pam_visit *v, size_t pid, stay_field f)
{
    switch (f) {
    case STAY_FIELD_PATIENT:
        return pam_loc(j, "PID", pid, 3, pam_ipp_rep(j->m, pid), 1);
    case STAY_FIELD_MOVEMENT_ID:
    case STAY_FIELD_DUPLICATE_ID:
        return pam_loc(j, "ZBE", v->zbe, 1, 1, 1);
    case STAY_FIELD_DATE:
        return pam_loc(j, "ZBE", v->zbe, 2, 1, 1);
    case STAY_FIELD_HISTORIC:
        return pam_loc(j, "ZBE", v->zbe, 5, 1, 1);
    case STAY_FIELD_ORIGINAL:
        return pam_loc(j, "ZBE", v->zbe, 6, 1, 1);
    case STAY_FIELD_UF:
        return pam_loc(j, "PV1", v->pv1, 3, 1, 1);
    case STAY_FIELD_ROOM:
        return pam_loc(j, "PV1", v->pv1, 3, 1, 2);
    case STAY_FIELD_BED:
        return pam_loc(j, "PV1", v->pv1, 3, 1, 3);
    case STAY_FIELD_VISIT:
    case STAY_FIELD_NONE:
    default:
        return pam_loc(j, "PV1", v->pv1, 19, 1, 1);
    }
}

void pam_visit_movement(pam_job *j)
{
    char trigger[4] = "";
    er7_slice t = er7_get(j->m, 0, 9, 1, 2, 0);
    if (t.len == 3)
        memcpy(trigger, t.ptr, 3);

    size_t pid;
    pam_identity pi;
    id_domain dom;
    if (pam_patient_read(j, &pid, &pi, &dom) != 0)
        return;

    pam_visit v;
    if (pam_visit_map(j->m, trigger, pid, &v, &j->visit_issues) != 0) {
        pam_add_issues(j, &j->visit_issues);
        j->code = ACK_AE;
        return;
    }
    pam_add_issues(j, &j->visit_issues);

    stay_command cmd;
    if (stay_command_for(trigger, v.mv.action, &cmd) != 0) {
        static const char *const actions[] = {"INSERT", "UPDATE", "CANCEL"};
        pam_add_errorf(j, pam_loc(j, "ZBE", v.zbe, 4, 1, 1), ACK_ERR_TABLE_VALUE,
                       ACK_SEV_ERROR, "ZBE-4: %s does not go with event %s (%s)",
                       actions[v.mv.action], trigger,
                       strcmp(trigger, "Z99") == 0 ? "an update: UPDATE"
                       : strstr("A11 A12 A13 A38 A52 A53 A55", trigger) != NULL
                           ? "a cancellation: CANCEL" : "a new movement: INSERT");
        j->code = ACK_AE;
        return;
    }

    identity_result ir;
    if (pam_patient_apply(j, pid, &pi, &ir) != 0)
        return;

    stay_visit sv;
    memset(&sv, 0, sizeof sv);
    sv.domain_id = dom.id;
    sv.local_id = ir.local_id;
    str_copy(sv.visit_number, sizeof sv.visit_number, v.visit_number);
    str_copy(sv.nda, sizeof sv.nda, v.nda);

    socle_actor actor;
    pam_actor(j, &actor);
    stay_result res;
    socle_err e;
    err_clear(&e);
    if (stay_apply_in_tx(j->st, &actor, cmd, &sv, &v.mv, &res, &e) != 0) {
        er7_loc where = field_loc(j, &v, pid, res.fault);
        switch (e.code) {
        case SOCLE_ENOTFOUND:
            pam_reject(j, ACK_AE, where, ACK_ERR_UNKNOWN_KEY, e.msg);
            break;
        case SOCLE_ERULE:
            pam_reject(j, ACK_AE, where, res.fault == STAY_FIELD_DUPLICATE_ID
                       ? ACK_ERR_DUPLICATE_KEY : ACK_ERR_INTERNAL, e.msg);
            break;
        case SOCLE_EINVAL:
            pam_reject(j, ACK_AE, where, ACK_ERR_REQUIRED, e.msg);
            break;
        default:
            pam_retry_later(j, &e);
            break;
        }
        return;
    }
    for (size_t i = 0; i < res.n_notes; i++) {
        stay_field f = res.notes[i].field;
        int location = f == STAY_FIELD_UF || f == STAY_FIELD_ROOM || f == STAY_FIELD_BED;
        /* pam_add_errorf copies the text: res does not outlive us. */
        pam_add_errorf(j, field_loc(j, &v, pid, f),
                       location ? ACK_ERR_TABLE_VALUE : ACK_ERR_INTERNAL, ACK_SEV_WARNING,
                       "%s", res.notes[i].text);
    }
    snprintf(j->detail, sizeof j->detail, "%s movement %s: stay %lld %s", trigger,
             v.mv.movement_id, (long long)res.stay_id, stay_status_code(res.status));
    j->code = ACK_AA;
}
