/*
 * pam.h - the IHE PAM (French extension) inbound interface: one received
 * HL7 v2 message in, its acknowledgment out.
 *
 * For each message, in one store transaction: look the (sender, MSH-10)
 * pair up in the journal (a repeat gets the stored ACK again and is not
 * applied twice), apply the event through core/, build the ACK, journal the
 * raw message with its ACK, commit. The ACK is returned only after the
 * commit, so an AA always means "durably stored". A content error (AE)
 * rolls the change back but is journaled; a refusal for non-content
 * reasons (AR) is journaled without keying, so the sender may retry.
 *
 * Inside a store batch (group commit) the same steps run as one unit of
 * the batch, and "after the commit" means after the batch's commit: the
 * caller holds the ACK until then, and answers pam_retry_refusal instead
 * when that commit fails.
 *
 * The messages handled are those of the `events` table in pam.c, each in
 * its own file: pam_patient.c (A28, A31, A40, A47, A24, A37), pam_visit.c
 * (the ITI-31 movements), pam_query.c (QBP^Q22 IHE PDQ and QBP^Q23 IHE
 * PIX, answered with their RSP instead of an ACK, journaled the same way).
 * Other events of a known message type are answered AR with ERR-3 201,
 * other message types AR with 200.
 */
#ifndef SOCLE_HL7_PAM_H
#define SOCLE_HL7_PAM_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

struct store;

typedef struct pam_config {
    const char *app;        /* our MSH-3 in ACKs, e.g. "SOCLE" */
    const char *facility;   /* our MSH-4, e.g. the GHT's name */
} pam_config;

/* Handle one message (len bytes, not framed) from peer. Appends the ACK to
 * ack_out (nothing when the acknowledgment mode asks for none) and returns
 * 0, whatever the ACK code. Returns -1 when the message could not be
 * journaled (err says why); ack_out then holds an AR telling the sender to
 * retry, when one could be built. */
int pam_handle(struct store *st, const pam_config *cfg, const char *peer,
               const char *msg, size_t len, buf *ack_out, socle_err *err);

/* The answer to a message that pam_handle answered but that was not
 * stored after all: handled inside a batch (store.h) whose commit failed,
 * so neither its change nor its journal entry exists. An AR "retry later"
 * built as pam_handle builds it for a store failure (ERR-3 206 when why is
 * busy or a conflict, else 207), in the acknowledgment mode the message
 * asks for: nothing is appended when it asks for no answer to a refusal. */
void pam_retry_refusal(const pam_config *cfg, const char *msg, size_t len,
                       const socle_err *why, buf *ack_out);

/* The acknowledgment for a framing problem (message over the size limit,
 * not MLLP): an AR built without a readable message. */
void pam_framing_refusal(const pam_config *cfg, const char *reason, buf *ack_out);

#endif
