/*
 * pam_job.h - one inbound PAM message while it is handled, shared by the
 * files of the interface: pam.c (header, journal, answer, dispatch) and one
 * file per family of events (pam_patient.c, ...). Private to src/hl7/.
 *
 * An event handler reads j->m, applies its change through core/ inside the
 * transaction pam.c opened, and sets j->code: on ACK_AA the transaction is
 * left open (pam.c journals the message in it and commits); on anything
 * else pam.c rolls it back. Errors and warnings go to the ACK's ERR
 * segments through the helpers below; texts name fields and codes, never a
 * patient's traits.
 */
#ifndef SOCLE_HL7_PAM_JOB_H
#define SOCLE_HL7_PAM_JOB_H

#include <stddef.h>

#include "core/model.h"
#include "hl7/ack.h"
#include "hl7/er7.h"
#include "hl7/pam.h"
#include "hl7/pam_identity.h"
#include "util/buf.h"
#include "util/error.h"

struct store;

#define PAM_JOB_ERRORS   (PAM_ISSUES_MAX + 6)
#define PAM_JOB_TEXTS    6
#define PAM_JOB_TEXT_MAX (SOCLE_ERR_MSG_MAX + 128)

typedef struct pam_job {
    struct store *st;
    const pam_config *cfg;
    const char *peer;
    const char *raw;
    size_t len;
    er7_message *m;              /* NULL when unreadable */
    ack_mode mode;               /* original mode until MSH-15/16 are read */
    char sender[SOCLE_LABEL_MAX];
    char control_id[SOCLE_LABEL_MAX];
    char type[32];               /* "ADT^A28", for the journal */

    ack_code code;
    ack_error errors[PAM_JOB_ERRORS];
    size_t n_errors;
    char texts[PAM_JOB_TEXTS][PAM_JOB_TEXT_MAX];  /* our texts borrowed by errors */
    size_t n_texts;
    char detail[SOCLE_REASON_MAX];  /* outcome in a few words, for the journal */

    /* Problems found by the mappings of the PID and of the visit (PV1,
     * ZBE): the errors above borrow their texts, so they live here. */
    pam_issues pid_issues;
    pam_issues visit_issues;

    int resend;                  /* found in the journal: stored holds the ACK */
    buf stored;
    /* A handler that answers with another message than an ACK (a query's
     * response) builds it here and sets has_reply; it is journaled and
     * sent instead of the ACK. */
    buf reply;
    int has_reply;
} pam_job;

/* An event handler (see the top). */
typedef void (*pam_event_fn)(pam_job *j);

void pam_add_error(pam_job *j, er7_loc where, ack_errcode code, ack_severity sev,
                   const char *text);
void pam_add_errorf(pam_job *j, er7_loc where, ack_errcode code, ack_severity sev,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Where seg (at seg_index, or ER7_NONE when absent) field/rep/comp is. */
er7_loc pam_loc(const pam_job *j, const char *seg, size_t seg_index, size_t field,
                size_t rep, size_t comp);
/* End the message with code and one error. */
void pam_reject(pam_job *j, ack_code code, er7_loc where, ack_errcode err, const char *text);
/* A failure of ours (store, bug): AR, the sender should try again later. */
void pam_retry_later(pam_job *j, const socle_err *e);
/* The issues of a mapping (pam_identity.h) as ERRs; the texts stay
 * borrowed, so issues must live as long as the job (see pid_issues). */
void pam_add_issues(pam_job *j, const pam_issues *issues);
/* A refusal by core/ of what the message asked, at where: unknown key
 * (SOCLE_ENOTFOUND) AE 204, a rule or a bad value AE 207, anything else
 * (store) AR to retry later. */
void pam_core_refused(pam_job *j, const socle_err *e, er7_loc where);
/* The actor of this message's changes: "hl7:<sender>", role flux. */
void pam_actor(const pam_job *j, socle_actor *out);

/* The patient of the message (PID): map it (issues become ERRs), resolve
 * the IPP's domain. Returns 0 with *pid, *pi and *dom filled, or -1 with
 * the message answered (AE, or AR on a store failure). */
int pam_patient_read(pam_job *j, size_t *pid, pam_identity *pi, id_domain *dom);
/* The PID-3 repetition of the IPP (first with CX-5 PI), for locations. */
size_t pam_ipp_rep(const er7_message *m, size_t pid);
/* Create or update the patient of the PID as an A31 does, inside the open
 * transaction: its warnings become ERRs and an INS refused raises the
 * quality alert. Returns 0 with *res filled, or -1 with the message
 * answered (AE, or AR on a store failure). */
int pam_patient_apply(pam_job *j, size_t pid, const pam_identity *pi, identity_result *res);

/* ---- Events (one file per family) ------------------------------------ */

/* pam_patient.c: ITI-30 identity feed. */
void pam_patient_create(pam_job *j);      /* A28 */
void pam_patient_update(pam_job *j);      /* A31 */
void pam_patient_change_id(pam_job *j);   /* A47 */
void pam_patient_merge(pam_job *j);       /* A40 */
void pam_patient_link(pam_job *j);        /* A24 */
void pam_patient_unlink(pam_job *j);      /* A37 */

/* pam_visit.c: ITI-31 stays and movements (A01 A02 A03 A04 A05 A06 A07
 * A11 A12 A13 A21 A22 A38 A52 A53 A54 A55 Z99), one handler for all: the
 * trigger and ZBE-4 choose the command. */
void pam_visit_movement(pam_job *j);

/* pam_query.c: ITI-21 PDQ and ITI-9 PIX queries, answered with an RSP
 * (j->reply) rather than an ACK. */
void pam_query_pdq(pam_job *j);           /* QBP^Q22 */
void pam_query_pix(pam_job *j);           /* QBP^Q23 */

#endif
