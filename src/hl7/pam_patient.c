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
    pam_add_issues(j, issues);
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

typedef enum patient_event { EV_A28, EV_A31, EV_A40, EV_A47 } patient_event;

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
static int apply_a47(pam_job *j, pam_identity *pi, size_t pid, size_t rep,
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
            pi->input.update_only = 1;   /* the new INS of a patient we hold */
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

int pam_patient_apply(pam_job *j, size_t pid, const pam_identity *pi, identity_result *res)
{
    size_t rep = pam_ipp_rep(j->m, pid);
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
            pam_reject(j, ACK_AE, pam_loc(j, "PID", pid, 3, rep, 1), ACK_ERR_INTERNAL, e.msg);
            break;
        case SOCLE_ENOTFOUND:
            /* The domain was resolved by pam_patient_read: only an
             * update_only identity can be missing here. */
            pam_reject(j, ACK_AE, pam_loc(j, "PID", pid, 3, rep, 1), ACK_ERR_UNKNOWN_KEY,
                       "PID-3: no local identity with this IPP in the establishment");
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

static int same_slice(er7_slice a, er7_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/*
 * A40 (ADT_A39), the source merged two of its IPPs: PID-3 is the survivor,
 * MRG-1 the IPP merged away, both of the same assigning authority (IHE
 * PAM: one PID/MRG pair per message). The PID has been applied as an
 * update of the survivor already. Returns 1 when the event was answered
 * here (an error), 0 when it went through.
 */
static int apply_a40(pam_job *j, size_t pid, const pam_identity *pi, const id_domain *dom,
                     const socle_actor *actor)
{
    const er7_message *m = j->m;
    size_t mrg = er7_find(m, "MRG", 0);
    if (mrg == ER7_NONE) {
        pam_reject(j, ACK_AE, pam_loc(j, "MRG", ER7_NONE, 0, 0, 0), ACK_ERR_SEGMENT_SEQUENCE,
                   "MRG segment missing: an A40 names the IPP merged away in MRG-1");
        return 1;
    }
    if (er7_find(m, "PID", 1) != ER7_NONE || er7_find(m, "MRG", 1) != ER7_NONE) {
        size_t second = er7_find(m, "PID", 1);
        pam_reject(j, ACK_AE, second != ER7_NONE ? pam_loc(j, "PID", second, 0, 0, 0)
                                                 : pam_loc(j, "MRG", er7_find(m, "MRG", 1), 0, 0, 0),
                   ACK_ERR_SEGMENT_SEQUENCE,
                   "one PID/MRG pair per A40 (IHE PAM): send each merge in its own message");
        return 1;
    }

    /* MRG-1: the repetition of type PI (or the first, untyped). */
    size_t reps = er7_count(m, mrg, 1, 0, 0), rep = 0;
    for (size_t r = 1; r <= reps && rep == 0; r++) {
        er7_slice type = er7_get(m, mrg, 1, r, 5, 0);
        if (type.len == 0 || er7_slice_eq(type, "PI"))
            rep = r;
    }
    er7_loc at_old = pam_loc(j, "MRG", mrg, 1, rep ? rep : 1, 1);
    er7_slice old = rep ? er7_get(m, mrg, 1, rep, 1, 0) : (er7_slice){"", 0};
    char old_ipp[SOCLE_CODE_MAX];
    if (old.len == 0 || old.len >= sizeof old_ipp
        || memchr(old.ptr, er7_delimiters(m)->escape, old.len) != NULL) {
        pam_reject(j, ACK_AE, at_old, ACK_ERR_REQUIRED,
                   "MRG-1.1: the IPP merged away is missing or not a plain identifier");
        return 1;
    }
    memcpy(old_ipp, old.ptr, old.len);
    old_ipp[old.len] = '\0';

    /* The authority, when given, must be the survivor's: an A40 merges
     * within one establishment (a merge across establishments is the
     * GHT's business, not a source's). */
    er7_slice oid = er7_get(m, mrg, 1, rep, 4, 2);
    er7_slice ns = er7_get(m, mrg, 1, rep, 4, 1);
    size_t pid_rep = pam_ipp_rep(m, pid);
    if ((oid.len > 0 && !er7_slice_eq(oid, dom->oid))
        || (oid.len == 0 && ns.len > 0 && !same_slice(ns, er7_get(m, pid, 3, pid_rep, 4, 1)))) {
        pam_reject(j, ACK_AE, pam_loc(j, "MRG", mrg, 1, rep, 4), ACK_ERR_UNKNOWN_KEY,
                   "MRG-1.4: the IPP merged away belongs to another assigning authority than "
                   "PID-3: an A40 merges two IPPs of one establishment");
        return 1;
    }

    socle_err e;
    err_clear(&e);
    local_merge_rec rec;
    if (identity_local_merge_in_tx(j->st, actor, dom->id, pi->input.ipp, old_ipp, "A40",
                                   &rec, &e) != 0) {
        pam_core_refused(j, &e, at_old);
        return 1;
    }
    snprintf(j->detail, sizeof j->detail, "local identity %lld merged into %lld%s",
             (long long)rec.absorbed_local_id, (long long)rec.survivor_local_id,
             rec.ght_merge_id ? " (GHT identities merged)" : "");
    j->code = ACK_AA;
    return 0;
}

/* Apply an A28, A31, A40 or A47. Leaves the transaction open on AA. */
static void apply(pam_job *j, patient_event ev)
{
    const er7_message *m = j->m;
    size_t pid;
    pam_identity pi;
    id_domain dom;
    if (pam_patient_read(j, &pid, &pi, &dom) != 0)
        return;
    /* ADT_A05 (A28, A31) has a PV1; ADT_A30 (A47) and ADT_A39 (A40) have
     * none that matters. */
    if ((ev == EV_A28 || ev == EV_A31) && er7_find(m, "PV1", 0) == ER7_NONE)
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
    if (ev == EV_A28 && res.outcome != IDENTITY_CREATED)
        pam_add_error(j, ipp, ACK_ERR_DUPLICATE_KEY, ACK_SEV_WARNING,
                      "A28 for an existing IPP: treated as an update");
    if ((ev == EV_A31 || ev == EV_A40) && res.outcome == IDENTITY_CREATED)
        pam_add_error(j, ipp, ACK_ERR_UNKNOWN_KEY, ACK_SEV_WARNING,
                      ev == EV_A31 ? "A31 for an unknown IPP: identity created"
                                   : "A40 for an unknown surviving IPP: identity created");
    if (ev == EV_A40) {
        apply_a40(j, pid, &pi, &dom, &actor);
        return;
    }

    static const char *const verbs[] = {"created", "updated", "unchanged"};
    snprintf(j->detail, sizeof j->detail, "%s local identity %lld",
             verbs[res.outcome], (long long)res.local_id);
    j->code = ACK_AA;
}

void pam_patient_create(pam_job *j)    { apply(j, EV_A28); }
void pam_patient_update(pam_job *j)    { apply(j, EV_A31); }
void pam_patient_change_id(pam_job *j) { apply(j, EV_A47); }
void pam_patient_merge(pam_job *j)     { apply(j, EV_A40); }

/* The IPP of the PID at index pid (its nth PID) and its domain; -1 with the
 * message answered. */
static int read_ipp(pam_job *j, size_t nth, const char *which, pam_identity *pi,
                    id_domain *dom)
{
    const er7_message *m = j->m;
    size_t pid = er7_find(m, "PID", nth);
    if (pid == ER7_NONE) {
        pam_add_errorf(j, pam_loc(j, "PID", ER7_NONE, 0, 0, 0), ACK_ERR_SEGMENT_SEQUENCE,
                       ACK_SEV_ERROR, "%s PID segment missing: an ADT_A24 names two patients",
                       which);
        j->code = ACK_AE;
        return -1;
    }
    /* The ACK borrows the issue texts: they live in the job. Only errors
     * are kept, and an error ends the message, so the second PID never
     * overwrites what the first one reported. */
    pam_issues *issues = &j->pid_issues;
    int mapped = pam_identity_ipp_from_pid(m, pid, pi, issues);
    pam_add_issues(j, issues);
    if (mapped != 0) {
        j->code = ACK_AE;
        return -1;
    }
    socle_err e;
    err_clear(&e);
    int found = identity_domain_find(j->st, pi->input.domain_oid[0] ? pi->input.domain_oid : NULL,
                                     pi->domain_finess[0] ? pi->domain_finess : NULL, dom, &e);
    if (found < 0) {
        pam_retry_later(j, &e);
        return -1;
    }
    if (!found || (pi->input.domain_oid[0] == '\0' && pi->domain_finess[0] == '\0')) {
        pam_reject(j, ACK_AE, pam_loc(j, "PID", pid, 3, pam_ipp_rep(m, pid), 4),
                   ACK_ERR_UNKNOWN_KEY, "PID-3.4: the assigning authority of the IPP is not "
                   "declared for any establishment (give its OID)");
        return -1;
    }
    return 0;
}

/*
 * A24 / A37 (ADT_A24, ADT_A37), the link option of ITI-30: the first and
 * the second PID are the same patient (A24), or are not any more (A37).
 * Only their IPPs are read: the messages name patients, their traits are
 * the business of A28/A31. Both must be known here (AE 204 otherwise).
 */
static void apply_link(pam_job *j, int link)
{
    pam_identity a, b;
    id_domain da, db;
    if (read_ipp(j, 0, "first", &a, &da) != 0 || read_ipp(j, 1, "second", &b, &db) != 0)
        return;
    socle_actor actor;
    pam_actor(j, &actor);
    identity_ref ra = { da.id, a.input.ipp }, rb = { db.id, b.input.ipp };
    socle_err e;
    err_clear(&e);
    int64_t merge_id = 0;
    int which = 0;
    int rc = link ? identity_local_link_in_tx(j->st, &actor, ra, rb, "A24", &merge_id, &which, &e)
                  : identity_local_unlink_in_tx(j->st, &actor, ra, rb, "A37", &which, &e);
    if (rc != 0) {
        size_t at = er7_find(j->m, "PID", which == 1 ? 0 : 1);
        pam_core_refused(j, &e, pam_loc(j, "PID", at, 3, pam_ipp_rep(j->m, at), 1));
        return;
    }
    snprintf(j->detail, sizeof j->detail, "%s",
             !link ? "local identities unlinked"
                   : merge_id ? "local identities linked (GHT identities merged)"
                              : "local identities linked already");
    j->code = ACK_AA;
}

void pam_patient_link(pam_job *j)   { apply_link(j, 1); }
void pam_patient_unlink(pam_job *j) { apply_link(j, 0); }
