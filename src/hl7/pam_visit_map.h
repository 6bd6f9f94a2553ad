/*
 * pam_visit_map.h - the stay and the movement of an ITI-31 message (PV1,
 * ZBE, PID-18), mapped to what core/stay.h takes. A pure mapping, like
 * pam_identity.h for the patient: nothing here touches the store, and
 * every problem is reported at its HL7 location. Private to src/hl7/.
 *
 * What is read:
 *   PID-18.1  NDA (optional; the stay takes its visit number when absent)
 *   PV1-2     class (I O E R N V; another code is kept with a warning 103)
 *   PV1-3     .1 UF, .2 room, .3 bed codes (an empty UF: warning 101, the
 *             movement is kept without a location)
 *   PV1-19.1  visit number (required: error 101)
 *   ZBE-1     movement id (.1 of the first repetition, required) and its
 *             namespace (.3 OID, else .2)
 *   ZBE-2     effective date-time (required), as "YYYY-MM-DDTHH:MM:SS" in
 *             the sender's time (a time zone offset is dropped)
 *   ZBE-4     INSERT / UPDATE / CANCEL (required: error 101 or 103)
 *   ZBE-5     historic flag Y / N (empty = N; another value: warning 103)
 *   ZBE-6     original trigger (required with UPDATE and CANCEL)
 *   ZBE-7/8   medical / care UF (XON-10 code)
 *   ZBE-9     nature: S H M L D SM SH MH LD HMS C. A known nature with a
 *             trailing C (MC, MHC, HMSC: a real sender's variant) is read
 *             as that nature plus a status correction, with a warning 103;
 *             another code is kept as sent with a warning 103.
 * Identifiers and codes must be plain ASCII without escapes and fit the
 * model (error 102 otherwise): they are keys, never decoded nor cut.
 */
#ifndef SOCLE_HL7_PAM_VISIT_MAP_H
#define SOCLE_HL7_PAM_VISIT_MAP_H

#include <stddef.h>

#include "core/model.h"
#include "hl7/er7.h"
#include "hl7/pam_identity.h"

typedef struct pam_visit {
    size_t pv1, zbe;                     /* segment indexes (ER7_NONE if absent) */
    char visit_number[SOCLE_CODE_MAX];
    char nda[SOCLE_CODE_MAX];
    movement mv;                         /* trigger, action, ZBE and PV1-3 values */
} pam_visit;

/* Map the message's stay and movement (trigger = MSH-9.2, pid = the PID
 * segment index) into *out; issues as in pam_identity.h. 0 when usable
 * (warnings possible), -1 when an error makes it unusable. */
int pam_visit_map(const er7_message *m, const char *trigger, size_t pid, pam_visit *out,
                  pam_issues *issues);

#endif
