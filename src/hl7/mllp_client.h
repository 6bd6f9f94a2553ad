/*
 * mllp_client.h - the sending side of MLLP: connect to a receiver, send one
 * framed message, read its framed acknowledgment, each step with a time
 * limit. The reply is decoded with mllp.h's decoder.
 *
 * Blocking calls, made of short waits so that a caller's cancel flag (the
 * server stopping) is seen within MLLP_CLIENT_SLICE_MS.
 */
#ifndef SOCLE_HL7_MLLP_CLIENT_H
#define SOCLE_HL7_MLLP_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

#define MLLP_CLIENT_SLICE_MS 100

typedef struct mllp_client_opts {
    int connect_timeout_ms;     /* per address tried */
    int reply_timeout_ms;       /* from the end of sending to the whole reply */
    size_t max_reply;           /* largest reply accepted, bytes */
    const atomic_int *cancel;   /* when non-zero, give up (SOCLE_EBUSY); may be NULL */
} mllp_client_opts;

typedef struct mllp_client mllp_client;

/* Connect to host (name or address) and port. Failure -> SOCLE_EIO with
 * the reason ("connection refused", "timed out"...), or SOCLE_EBUSY when
 * cancelled. */
int mllp_client_connect(mllp_client **out, const char *host, int port,
                        const mllp_client_opts *opts, socle_err *err);

/* Send msg (len bytes, not framed) and append the reply's message (without
 * framing) to reply. -1 with err when the connection fails, closes or
 * times out before a whole reply came; the connection is then unusable
 * (close it). */
int mllp_client_exchange(mllp_client *c, const char *msg, size_t len, buf *reply,
                         socle_err *err);

void mllp_client_close(mllp_client *c);  /* NULL is fine */

#endif
