/*
 * pam_identity.h - the patient of an IHE PAM France (2.11) message, mapped
 * to what core/identity.h takes: a pure mapping from the PID segment (and
 * the ZFD of the same patient) to an identity_input, with every problem
 * reported at its HL7 location so that the caller can build the ACK.
 *
 * Nothing here touches the store: resolving the IPP's domain, comparing
 * with what is stored and applying the RNIV rules are the caller's and
 * core/'s business. Traits are kept as received, decoded to UTF-8 by MSH-18
 * (er7_text.h), never normalised nor truncated.
 *
 * What is read, and what it gives:
 *   PID-3   the IPP: the first repetition with CX-5 PI, and its assigning
 *           authority CX-4 (see pam_identity). The INS: repetitions with
 *           CX-5 INS under the INS-NIR or INS-NIA OID, key checked
 *           (ins_check) and consistent with PID-7/8 (ins_consistent_with);
 *           the NIR wins over the NIA. It is kept (input.ins, ins_oid,
 *           insi_verified = 1) only when PID-32 says VALI, as PAM FR sends
 *           an INS only then; otherwise, and for a test/demo/unknown OID or
 *           a bad matricule, it is dropped with a warning 102 at PID-3.
 *           NH (billing NIR), INS-C and other identifiers are ignored.
 *   PID-5   XPN-7 L: birth name (XPN-1), first forename (XPN-2), forename
 *           list (XPN-3, else XPN-2); XPN-7 D: used name and forename.
 *           Kept as sent (UTF-8, not normalised): a list that does not
 *           start with the first forename is warned about, not repaired.
 *   PID-7   birth date, precise to the day at least -> "YYYY-MM-DD".
 *   PID-8   sex F, M, U (O, A, N read as U with a warning).
 *   PID-11  birth place: XAD-9 (INSEE code) of the XAD-7 BDL repetition.
 *           Home: XAD-7 H, else the first untyped repetition: address
 *           (SAD.1 of XAD-1, then XAD-2 after ", "), city XAD-3, postal
 *           code XAD-5, country XAD-6.
 *   PID-13  first phone (XTN-1, else XTN-12), first e-mail (XTN-4 of a
 *           repetition with XTN-2 NET or XTN-3 Internet).
 *   PID-32  status VALI/PROV/VIDE and attributes DOUT, FICT, HOMA; when
 *           PID-32 is sent, attributes_known covers all three (the field
 *           lists the whole state), else 0. Management codes (DOUB, CACH,
 *           ANOM...) are ignored.
 *   ZFD-7   with VALI only: input.proof_type = the document code (upper
 *           case) when rniv_proof_known knows it, else "SRC" (validated by
 *           the sender, document not given).
 *
 * Every text field is decoded from MSH-18 to UTF-8; invalid bytes, and a
 * value longer than the model's field, are errors 102 at that field,
 * never a silent replacement nor a truncation. A missing strict trait
 * (birth name, first forename, birth date, sex), and a missing IPP or
 * IPP authority, are errors 101. Issue texts name the field and quote
 * codes, never the patient's traits (they end up in ACKs and logs).
 *
 * Severities: an ERROR makes the identity unusable (the message must be
 * answered AE and nothing stored); a WARNING means the identity is usable
 * but part of what was sent was set aside (an INS dropped, a code ignored),
 * and belongs in the ACK as an ERR with severity W.
 */
#ifndef SOCLE_HL7_PAM_IDENTITY_H
#define SOCLE_HL7_PAM_IDENTITY_H

#include <stddef.h>

#include "core/identity.h"
#include "core/model.h"
#include "hl7/er7.h"

typedef enum pam_issue_severity {
    PAM_ISSUE_ERROR = 0,
    PAM_ISSUE_WARNING
} pam_issue_severity;

#define PAM_ISSUE_TEXT_MAX 256
#define PAM_ISSUES_MAX     16

typedef struct pam_issue {
    pam_issue_severity severity;
    /* ERR-3, HL7 table 0357 (same values as ack_errcode): 100 segment
     * sequence, 101 required field missing, 102 data type, 103 table
     * value not found. */
    int hl7_code;
    er7_loc where;                    /* ERR-2 */
    char text[PAM_ISSUE_TEXT_MAX];    /* English, names the field: ERR-8 */
} pam_issue;

/* At most PAM_ISSUES_MAX problems are kept. When more occur, an error
 * takes the place of the last warning so that errors are never the ones
 * lost; dropped counts the problems that were not kept. */
typedef struct pam_issues {
    pam_issue items[PAM_ISSUES_MAX];
    size_t count;
    size_t dropped;
} pam_issues;

/* The mapped patient: identity_input plus what only the caller can
 * resolve or act upon. */
typedef struct pam_identity {
    identity_input input;
    /* Assigning authority of the IPP (PID-3 CX-4). input.domain_oid is
     * filled when CX-4 gives an OID. When it gives a FINESS (CX-4.2 of type
     * M or N, e.g. `CHU-X&000897406&N`), domain_finess is filled and
     * domain_oid left empty: the caller finds the EJ by FINESS. domain_name
     * is the namespace (CX-4.1) whenever sent; when it is the only thing
     * sent, the caller decides what it designates. */
    char domain_finess[SOCLE_FINESS_MAX];
    char domain_name[SOCLE_LABEL_MAX];
    /* PID-32 status: "VALI", "PROV", "VIDE", or "" when none was sent. */
    char status[8];
    /* PID-3 holds the INS as `""` (A47 deletion form): every INS of the
     * patient is to be removed. input.ins is then empty. */
    int ins_delete;
    /* PID-5 D came with a `""` family name: the used name is to be erased
     * (input.traits.used_name is empty, as it is when no D name is sent;
     * this flag tells the two apart for a caller that cares). */
    int used_name_erased;
    /* A valid-looking INS the sender asserted but that cannot be kept (bad
     * key, test or unknown OID, digits contradicting sex or birth date):
     * why, for a quality alert; "" when none was refused. */
    char ins_refused[PAM_ISSUE_TEXT_MAX];
} pam_identity;

/*
 * Map the patient of the PID segment at index pid_seg (see er7_find) to
 * *out, which is reset first. Every problem found is appended to *issues
 * (reset first too): mapping goes on after an error so that one answer
 * tells the sender everything.
 *
 * Returns 0 when an identity could be built (warnings possible), -1 when
 * at least one error makes it unusable (issues say why; *out is then
 * partial and must not be stored).
 */
int pam_identity_from_pid(const er7_message *m, size_t pid_seg,
                          pam_identity *out, pam_issues *issues);

/* Only the IPP and its assigning authority (PID-3) of the PID at pid_seg,
 * for messages that name patients rather than describe them (A24, A37).
 * Warnings are dropped (they concern the INS, not read here); errors make
 * it return -1. */
int pam_identity_ipp_from_pid(const er7_message *m, size_t pid_seg,
                              pam_identity *out, pam_issues *issues);

/* Number of issues of severity ERROR in issues. */
size_t pam_issues_errors(const pam_issues *issues);

#endif
