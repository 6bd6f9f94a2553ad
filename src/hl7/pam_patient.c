/*
 * pam_patient.c - the ITI-30 identity events of PAM France (pam_job.h):
 * A28 create, A31 update, A47 change of an identifier; and the upsert of
 * the PID's identity that every movement (pam_visit.c) applies first.
 *
 * Choices (the specifications leave them open):
 *  - An A28 for an IPP we already hold is applied as an update (A31), with
 *    a warning 205 at the IPP: refusing it would leave the two systems
 *    disagreeing about a patient the sender clearly knows, and the result
 *    is the same as the A31 it should have sent. Symmetrically an A31 for
 *    an unknown IPP creates the identity, with a warning 204: the A28 was
 *    lost or predates us, and the A31 carries the whole identity anyway.
 *  - PV1 is required in ADT_A05 but carries nothing for the identity: a
 *    missing PV1 is accepted with a warning 100 (lenient mode), not an AE.
 *  - An INS the sender asserted but that cannot be kept (refused by the
 *    mapping or by core/) raises a quality alert "invalid_ins" for the
 *    identity cell, in the same transaction as the identity.
 */
#include <stdio.h>
#include <string.h>

#include "core/identity.h"
#include "hl7/pam_job.h"
#include "store/store.h"

size_t pam_ipp_rep(const er7_message *m, size_t pid)
{
    size_t n = er7_count(m, pid, 3, 0, 0);
    for (size_t r = 1; r <= n; r++)
        if (er7_slice_eq(er7_get(m, pid, 3, r, 5, 0), "PI"))
            return r;
    return 1;
}

int pam_patient_read(pam_job *j, size_t *pid_out, pam_identity *pi, id_domain *dom)
{
    const er7_message *m = j->m;
    size_t pid = er7_find(m, "PID", 0);
    if (pid == ER7_NONE) {
        pam_reject(j, ACK_AE, pam_loc(j, "PID", ER7_NONE, 0, 0, 0),
                   ACK_ERR_SEGMENT_SEQUENCE, "PID segment missing");
        return -1;
    }

    pam_issues *issues = &j->pid_issues;
    int mapped = pam_identity_from_pid(m, pid, pi, issues);
    for (size_t i = 0; i < issues->count; i++) {
        const pam_issue *is = &issues->items[i];
        pam_add_error(j, is->where, (ack_errcode)is->hl7_code,
                      is->severity == PAM_ISSUE_ERROR ? ACK_SEV_ERROR : ACK_SEV_WARNING,
                      is->text);
    }
    if (issues->dropped > 0) {
        er7_loc none = {{0}, 0, 0, 0, 0, 0};
        pam_add_errorf(j, none, ACK_ERR_OK, ACK_SEV_INFO, "%zu further problems not listed",
                       issues->dropped);
    }
    if (mapped != 0) {
        j->code = ACK_AE;
        return -1;
    }

    size_t rep = pam_ipp_rep(m, pid);
    er7_loc authority = pam_loc(j, "PID", pid, 3, rep, 4);
    socle_err e;
    err_clear(&e);
    if (pi->input.domain_oid[0] == '\0' && pi->domain_finess[0] == '\0') {
        pam_reject(j, ACK_AE, authority, ACK_ERR_UNKNOWN_KEY,
                   "PID-3.4: the assigning authority is given by its namespace only; send "
                   "its OID (PID-3.4.2, type ISO) or the FINESS of its legal entity "
                   "(type M)");
        return -1;
    }
    int found = identity_domain_find(j->st, pi->input.domain_oid[0] ? pi->input.domain_oid : NULL,
                                     pi->domain_finess[0] ? pi->domain_finess : NULL, dom, &e);
    if (found < 0) {
        pam_retry_later(j, &e);
        return -1;
    }
    if (!found) {
        pam_reject(j, ACK_AE, authority, ACK_ERR_UNKNOWN_KEY,
                   "PID-3.4: the assigning authority of the IPP is not declared for any "
                   "establishment");
        return -1;
    }
    str_copy(pi->input.domain_oid, sizeof pi->input.domain_oid, dom->oid);
    *pid_out = pid;
    return 0;
}

/* Upsert the PID's identity (as an A31 does) inside the open transaction,
 * with its warnings and its quality alert (see pam_job.h). */
int pam_patient_apply(pam_job *j, size_t pid, const pam_identity *pi, identity_result *res)
{
    size_t rep = pam_ipp_rep(j->m, pid);
    er7_loc authority = pam_loc(j, "PID", pid, 3, rep, 4);
    socle_err e;
    err_clear(&e);
    socle_actor actor;
    pam_actor(j, &actor);
    if (identity_upsert_in_tx(j->st, &actor, &pi->input, res, &e) != 0) {
        er7_loc at_pid = pam_loc(j, "PID", pid, 0, 0, 0);
        switch (e.code) {
        case SOCLE_EINVAL:
            pam_reject(j, ACK_AE, at_pid, ACK_ERR_DATA_TYPE, e.msg);
            break;
        case SOCLE_ERULE:
            pam_reject(j, ACK_AE, at_pid, ACK_ERR_INTERNAL, e.msg);
            break;
        case SOCLE_ENOTFOUND:
            pam_reject(j, ACK_AE, authority, ACK_ERR_UNKNOWN_KEY,
                   "PID-3.4: the assigning authority of the IPP is not declared for any "
                   "establishment");
            break;
        default:
            pam_retry_later(j, &e);
            break;
        }
        return -1;
    }
    if (res->warning[0] != '\0')
        pam_add_errorf(j, pam_loc(j, "PID", pid, 3, 0, 0),
                   res->ins_dropped ? ACK_ERR_DATA_TYPE : ACK_ERR_OK, ACK_SEV_WARNING,
                   "%s", res->warning);

    /* An INS the sender asserted but that could not be kept is for the
     * identity cell to look at, whichever of us refused it. */
    const char *refused = pi->ins_refused[0] ? pi->ins_refused
                        : res->ins_dropped ? res->warning : NULL;
    if (refused != NULL
        && identity_alert_in_tx(j->st, &actor, res->local_id, "invalid_ins", refused, &e) != 0) {
        pam_retry_later(j, &e);
        return -1;
    }
    return 0;
}

typedef enum patient_event { EV_A28, EV_A31, EV_A47 } patient_event;

/* Map a core failure of an A47 to its answer. */
static void a47_failed(pam_job *j, const socle_err *e, er7_loc not_found, er7_loc conflict)
{
    switch (e->code) {
    case SOCLE_ENOTFOUND:
        pam_reject(j, ACK_AE, not_found, ACK_ERR_UNKNOWN_KEY, e->msg);
        break;
    case SOCLE_ECONFLICT:
        pam_reject(j, ACK_AE, conflict, ACK_ERR_DUPLICATE_KEY, e->msg);
        break;
    case SOCLE_EINVAL:
    case SOCLE_ERULE:
        pam_reject(j, ACK_AE, conflict, ACK_ERR_DATA_TYPE, e->msg);
        break;
    default:
        pam_retry_later(j, e);
        break;
    }
}
/*
 * A47, change of an identifier named by MRG-1 (PAM FR ITI-30):
 *  - MRG-1 of type PI: the IPP in MRG-1 becomes the one in PID-3;
 *  - MRG-1 of type INS and PID-3 INS `""`: every INS of the patient is
 *    deleted (its status follows: VALI or PROV);
 *  - MRG-1 of type INS and a new INS in PID-3: recorded like an A31 (the
 *    INS is kept under the same rules), the patient must exist.
 * Returns 1 when the event was answered here, 0 when it goes on as an
 * update. The authority of MRG-1 is taken to be PID-3's (PAM FR: the same
 * assigning authority); it is not checked separately.
 */
static int apply_a47(pam_job *j, const pam_identity *pi, size_t pid, size_t rep,
                     const id_domain *dom, const socle_actor *actor)
{
    const er7_message *m = j->m;
    size_t mrg = er7_find(m, "MRG", 0);
    if (mrg == ER7_NONE) {
        pam_reject(j, ACK_AE, pam_loc(j, "MRG", ER7_NONE, 0, 0, 0), ACK_ERR_SEGMENT_SEQUENCE,
               "MRG segment missing: an A47 names the prior identifier in MRG-1");
        return 1;
    }
    er7_loc at_ipp = pam_loc(j, "PID", pid, 3, rep, 1);
    er7_slice type = er7_get(m, mrg, 1, 1, 5, 0);
    socle_err e;
    err_clear(&e);
    int64_t local_id = 0;

    if (er7_slice_eq(type, "INS")) {
        if (!pi->ins_delete) {
            local_identity li;
            int found = store_local_find(j->st, dom->id, pi->input.ipp, &li, &e);
            if (found < 0) {
                pam_retry_later(j, &e);
                return 1;
            }
            if (!found) {
                pam_reject(j, ACK_AE, at_ipp, ACK_ERR_UNKNOWN_KEY,
                       "A47: no local identity with this IPP in the establishment");
                return 1;
            }
            return 0;
        }
        if (identity_remove_ins_in_tx(j->st, actor, dom->id, pi->input.ipp,
                                      "A47 INS deletion", &local_id, &e) != 0) {
            a47_failed(j, &e, at_ipp, at_ipp);
            return 1;
        }
        snprintf(j->detail, sizeof j->detail, "local identity %lld: INS deleted",
                 (long long)local_id);
        j->code = ACK_AA;
        return 1;
    }

    if (er7_slice_eq(type, "PI")) {
        er7_slice old = er7_get(m, mrg, 1, 1, 1, 0);
        er7_loc at_old = pam_loc(j, "MRG", mrg, 1, 1, 1);
        char old_ipp[SOCLE_CODE_MAX];
        if (old.len == 0 || old.len >= sizeof old_ipp
            || memchr(old.ptr, er7_delimiters(m)->escape, old.len) != NULL) {
            pam_reject(j, ACK_AE, at_old, ACK_ERR_DATA_TYPE,
                   "MRG-1.1: the prior IPP is missing or not a plain identifier");
            return 1;
        }
        memcpy(old_ipp, old.ptr, old.len);
        old_ipp[old.len] = '\0';
        if (identity_change_ipp_in_tx(j->st, actor, dom->id, old_ipp, pi->input.ipp,
                                      &local_id, &e) != 0) {
            a47_failed(j, &e, at_old, at_ipp);
            return 1;
        }
        snprintf(j->detail, sizeof j->detail, "local identity %lld: IPP changed",
                 (long long)local_id);
        j->code = ACK_AA;
        return 1;
    }

    pam_reject(j, ACK_AE, pam_loc(j, "MRG", mrg, 1, 1, 5), ACK_ERR_TABLE_VALUE,
           type.len == 0 ? "MRG-1.5: the identifier type (PI or INS) is missing"
                         : "MRG-1.5: identifier type not handled by A47 (PI or INS)");
    return 1;
}

/* Apply an A28, A31 or A47. Leaves the transaction open on AA. */
static void apply(pam_job *j, patient_event ev)
{
    int is_a28 = ev == EV_A28;
    const er7_message *m = j->m;
    size_t pid;
    pam_identity pi;
    id_domain dom;
    if (pam_patient_read(j, &pid, &pi, &dom) != 0)
        return;
    /* ADT_A05 (A28, A31) has a PV1; ADT_A30 (A47) has none. */
    if (ev != EV_A47 && er7_find(m, "PV1", 0) == ER7_NONE)
        pam_add_errorf(j, pam_loc(j, "PV1", ER7_NONE, 0, 0, 0), ACK_ERR_SEGMENT_SEQUENCE,
                       ACK_SEV_WARNING, "PV1 segment missing: accepted, only the identity is used");

    size_t rep = pam_ipp_rep(m, pid);
    er7_loc ipp = pam_loc(j, "PID", pid, 3, rep, 1);

    socle_actor actor;
    pam_actor(j, &actor);

    if (ev == EV_A47 && apply_a47(j, &pi, pid, rep, &dom, &actor))
        return;

    identity_result res;
    if (pam_patient_apply(j, pid, &pi, &res) != 0)
        return;
    if (is_a28 && res.outcome != IDENTITY_CREATED)
        pam_add_error(j, ipp, ACK_ERR_DUPLICATE_KEY, ACK_SEV_WARNING,
                  "A28 for an existing IPP: treated as an update");
    if (ev == EV_A31 && res.outcome == IDENTITY_CREATED)
        pam_add_error(j, ipp, ACK_ERR_UNKNOWN_KEY, ACK_SEV_WARNING,
                  "A31 for an unknown IPP: identity created");

    static const char *const verbs[] = {"created", "updated", "unchanged"};
    snprintf(j->detail, sizeof j->detail, "%s local identity %lld",
             verbs[res.outcome], (long long)res.local_id);
    j->code = ACK_AA;
}


void pam_patient_create(pam_job *j)    { apply(j, EV_A28); }
void pam_patient_update(pam_job *j)    { apply(j, EV_A31); }
void pam_patient_change_id(pam_job *j) { apply(j, EV_A47); }
