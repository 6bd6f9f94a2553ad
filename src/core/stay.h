/*
 * stay.h - the repository of stays (séjours) and their movements, as the
 * admission systems of each establishment describe them (IHE PAM ITI-31).
 *
 * A stay belongs to one establishment's identification domain and one of
 * its local identities; it is identified in its domain by its visit number
 * and carries its NDA (the visit number when none is given; set when the
 * stay is created: moving an account is A44's business). A movement
 * is identified in the domain by its movement id, never reused.
 *
 * A stay's status, admission and discharge dates, class, current location,
 * medical UF and leave flag are derived from its active movements taken in
 * the order of their effective dates (not of their arrival), so that a
 * cancellation restores what held before the cancelled movement and a
 * back-dated movement lands where it belongs:
 *   admitted (active A01/A04) and discharged (active A03) -> finished;
 *   admitted, not discharged                              -> in progress;
 *   not admitted, an active pre-admission (A05)           -> planned;
 *   otherwise                                             -> cancelled.
 * The class is that of the latest active A05/A01/A04/A06/A07; the
 * location that of the latest active movement that names a UF; the
 * medical UF that of the latest active movement that names one.
 *
 * Every command runs inside the caller's transaction (`_in_tx`; the plain
 * stay_apply opens its own) and writes the movement, the history entries
 * of the movement and of the stay (before/after JSON) and one audit record.
 * A refusal returns -1 with SOCLE_ERULE (or SOCLE_ENOTFOUND) and res->fault
 * naming the part of the message at fault; the caller rolls back, so a
 * refused command never leaves anything behind.
 *
 * The rules (each refusal has an English text saying what to send):
 *  - INSERT: the movement id must be new in the domain (ids are never
 *    reused; a byte-identical repeat is the interface's journal's business).
 *  - A05 needs a new visit number; A01/A04 a new visit number or a planned
 *    stay (then admitted "from pre-admission"); an admitted, finished or
 *    cancelled stay cannot be admitted again.
 *  - A02, A03, A06/A07, A21, A22, A54 need a stay in progress of the same
 *    patient, dated no earlier than its admission; A03 no earlier than its
 *    latest movement; A21 a stay not on leave, A22 one on leave.
 *  - CANCEL (A11, A12, A13, A38, A52, A53, A55, and A06/A07 cancelling each
 *    other): the movement id must exist (else ENOTFOUND), be active, belong
 *    to the visit named, be of the trigger ZBE-6 names and of the kind the
 *    event cancels. Cancelling a movement that is not the stay's latest
 *    active one needs the historic flag (ZBE-5 Y). A38 needs a planned
 *    stay. A11 also cancels the movements dated after the admission (with
 *    the historic flag); the stay goes back to planned when it came from a
 *    pre-admission, else it is cancelled. A13 puts the stay back in
 *    progress; A12 restores the location held before the transfer.
 *  - UPDATE (Z99): the movement must exist (ENOTFOUND) and be active and
 *    of the trigger ZBE-6 names; its date, class, UFs, nature and location
 *    are replaced. A historic flag that contradicts the dates is noted.
 *  - After any change, no movement may be dated before the admission and
 *    the discharge before any movement (events out of order).
 *
 * Locations: PV1-3 codes are resolved against the structures repository
 * by code (UF of kind UF under the stay's establishment; room of kind
 * CHAMBRE under that UF; bed of kind LIT in that room). An unknown or
 * inconsistent code is kept as received with a note (the movement is real:
 * refusing it would lose it), and its structure id left 0.
 */
#ifndef SOCLE_CORE_STAY_H
#define SOCLE_CORE_STAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

typedef enum stay_command {
    STAY_PREADMIT = 0,            /* A05 */
    STAY_CANCEL_PREADMIT,         /* A38 */
    STAY_ADMIT,                   /* A01 inpatient, A04 outpatient or emergency */
    STAY_CANCEL_ADMIT,            /* A11 */
    STAY_TRANSFER,                /* A02 */
    STAY_CANCEL_TRANSFER,         /* A12 */
    STAY_DISCHARGE,               /* A03 */
    STAY_CANCEL_DISCHARGE,        /* A13 */
    STAY_CHANGE_CLASS,            /* A06 (to inpatient), A07 (to outpatient) */
    STAY_CANCEL_CHANGE_CLASS,     /* A07 cancelling an A06, A06 an A07 */
    STAY_LEAVE,                   /* A21 */
    STAY_CANCEL_LEAVE,            /* A52 */
    STAY_RETURN,                  /* A22 */
    STAY_CANCEL_RETURN,           /* A53 */
    STAY_CHANGE_DOCTOR,           /* A54 */
    STAY_CANCEL_CHANGE_DOCTOR,    /* A55 */
    STAY_UPDATE,                  /* Z99 */
    STAY_COMMAND_COUNT
} stay_command;

/* The command of a trigger event with its ZBE-4 action: 0, or -1 when
 * the event does not take that action (e.g. A12 INSERT) or is unknown. */
int stay_command_for(const char *trigger, movement_action action, stay_command *out);

const char *stay_status_code(stay_status s);   /* "planned", "in-progress"... */

/* What the message says of the stay. */
typedef struct stay_visit {
    int64_t domain_id;                 /* the EJ's identification domain */
    int64_t local_id;                  /* the patient, already applied */
    char visit_number[SOCLE_CODE_MAX]; /* PV1-19 */
    char nda[SOCLE_CODE_MAX];          /* PID-18, "" when not sent */
} stay_visit;

/* The part of the message a refusal or a note is about. */
typedef enum stay_field {
    STAY_FIELD_NONE = 0,
    STAY_FIELD_VISIT,        /* PV1-19 (the stay, its state) */
    STAY_FIELD_PATIENT,      /* PID-3 (the stay is another patient's) */
    STAY_FIELD_MOVEMENT_ID,  /* ZBE-1 */
    STAY_FIELD_DUPLICATE_ID, /* ZBE-1, an id already used */
    STAY_FIELD_DATE,         /* ZBE-2 */
    STAY_FIELD_HISTORIC,     /* ZBE-5 */
    STAY_FIELD_ORIGINAL,     /* ZBE-6 */
    STAY_FIELD_UF,           /* PV1-3.1 */
    STAY_FIELD_ROOM,         /* PV1-3.2 */
    STAY_FIELD_BED           /* PV1-3.3 */
} stay_field;

#define STAY_NOTES_MAX 4
#define STAY_NOTE_MAX  256

typedef struct stay_note {
    stay_field field;
    char text[STAY_NOTE_MAX];   /* English; codes, never patient traits */
} stay_note;

typedef struct stay_result {
    int64_t stay_id;
    int64_t movement_row;       /* the movement row written or changed */
    stay_status status;         /* after the command */
    stay_field fault;           /* on a refusal: where */
    stay_note notes[STAY_NOTES_MAX];   /* accepted with these remarks */
    size_t n_notes;
} stay_result;

/*
 * Apply one movement message. in carries the movement as the message says
 * (movement_id, movement_ns, trigger = the event, action, effective_at as
 * "YYYY-MM-DDTHH:MM:SS", historic, original_trigger, stay_class, medical_uf,
 * care_uf, nature, location codes); its other fields are ignored. See the
 * top for the rules. SOCLE_EINVAL for missing input.
 */
int stay_apply_in_tx(struct store *st, const socle_actor *actor, stay_command cmd,
                     const stay_visit *visit, const movement *in, stay_result *res,
                     socle_err *err);
/* The same in a transaction of its own (committed, or rolled back). */
int stay_apply(struct store *st, const socle_actor *actor, stay_command cmd,
               const stay_visit *visit, const movement *in, stay_result *res,
               socle_err *err);

/* The commands by name, inside the caller's transaction. */
int stay_preadmit_in_tx(struct store *st, const socle_actor *actor, const stay_visit *v,
                        const movement *in, stay_result *res, socle_err *err);
int stay_cancel_preadmit_in_tx(struct store *st, const socle_actor *actor,
                               const stay_visit *v, const movement *in, stay_result *res,
                               socle_err *err);
int stay_admit_in_tx(struct store *st, const socle_actor *actor, const stay_visit *v,
                     const movement *in, stay_result *res, socle_err *err);
int stay_cancel_admit_in_tx(struct store *st, const socle_actor *actor, const stay_visit *v,
                            const movement *in, stay_result *res, socle_err *err);
int stay_transfer_in_tx(struct store *st, const socle_actor *actor, const stay_visit *v,
                        const movement *in, stay_result *res, socle_err *err);
int stay_cancel_transfer_in_tx(struct store *st, const socle_actor *actor,
                               const stay_visit *v, const movement *in, stay_result *res,
                               socle_err *err);
int stay_discharge_in_tx(struct store *st, const socle_actor *actor, const stay_visit *v,
                         const movement *in, stay_result *res, socle_err *err);
int stay_cancel_discharge_in_tx(struct store *st, const socle_actor *actor,
                                const stay_visit *v, const movement *in, stay_result *res,
                                socle_err *err);
int stay_update_movement_in_tx(struct store *st, const socle_actor *actor,
                               const stay_visit *v, const movement *in, stay_result *res,
                               socle_err *err);

/* A stay by (domain, visit number), not audited (core/ and tests). 1/0/-1. */
int stay_find(struct store *st, int64_t domain_id, const char *visit_number, stay_record *out,
              socle_err *err);

#endif
