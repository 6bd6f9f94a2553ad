/*
 * pam_notify.h - outgoing identity notifications as IHE PAM France (2.11)
 * messages, and the reading of the receiver's acknowledgment.
 *
 * The input is an outbox row's event and JSON payload (core/notify.h):
 *
 *   A28, A31   ADT^A28^ADT_A05 / ADT^A31^ADT_A05: MSH EVN PID PV1
 *   A40        ADT^A40^ADT_A39: MSH EVN PID MRG PV1
 *
 *   MSH   |^~\& ; MSH-3/4 our application and facility, MSH-5 the
 *         subscriber; MSH-7 now (local time, as ack.h); MSH-10 the row's
 *         message id (the same on every attempt); MSH-11 P; MSH-12
 *         2.5^FRA^2.11; MSH-17 FRA; MSH-18 UNICODE UTF-8.
 *   EVN   EVN-2 and EVN-6: when the change was made (local time).
 *   PID   PID-3 the GHT identity (CX-4 = GHT name & GHT OID & ISO, CX-5
 *         PI), then every linked IPP (its establishment's name & OID &
 *         ISO, PI), then the INS (ASIP-SANTE-INS-NIR or -NIA & OID & ISO,
 *         CX-5 INS) only when the identity is qualified; PID-5 birth name
 *         (L: name^first forename^forename list) and used name (D); PID-7;
 *         PID-8; PID-11 home address (H) and birth place (BDL, INSEE code
 *         in XAD-9); PID-13 phone (PRN^PH) and e-mail (NET^Internet);
 *         PID-32 status and attributes: qualified and validated -> VALI,
 *         récupérée and provisional -> PROV (PAM FR 2.11 has no other
 *         status codes), then DOUT, FICT, HOMA.
 *   MRG   MRG-1 the absorbed GHT identity (A40).
 *   PV1   PV1-2 N.
 * Every value goes through er7_writer (escaped, UTF-8).
 */
#ifndef SOCLE_HL7_PAM_NOTIFY_H
#define SOCLE_HL7_PAM_NOTIFY_H

#include <stddef.h>
#include <time.h>

#include "util/buf.h"
#include "util/error.h"

typedef struct pam_notify_config {
    const char *app;        /* MSH-3, e.g. "SOCLE" */
    const char *facility;   /* MSH-4, e.g. "GHT" */
} pam_notify_config;

/* Append the message to out. -1 with err (out unchanged) for an unknown
 * event, a payload that is not what core/notify.c writes, or a value the
 * writer refuses. */
int pam_notify_render(const pam_notify_config *cfg, const char *receiver, const char *event,
                      const char *payload, const char *control_id, time_t now, buf *out,
                      socle_err *err);

typedef enum pam_notify_outcome {
    PAM_NOTIFY_DELIVERED = 0,  /* AA, CA */
    PAM_NOTIFY_RETRY,          /* AR, CR, unreadable, or not our message's ACK */
    PAM_NOTIFY_REJECTED        /* AE, CE: the receiver refuses this content */
} pam_notify_outcome;

/* What an acknowledgment says of the message sent with control_id. detail
 * gets "AE: 103 Table value not found: <ERR-8>..." (printable ASCII). */
pam_notify_outcome pam_notify_read_ack(const char *ack, size_t len, const char *control_id,
                                       char *detail, size_t n);

#endif
