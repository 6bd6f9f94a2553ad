/*
 * mllp_server.h - the MLLP listener: accepts connections from the
 * establishments' applications, reads framed messages, hands each to a
 * handler and writes back the framed reply the handler produced.
 *
 * One thread per connection (a GHT has tens of interfaces, not thousands),
 * at most MLLP_MAX_CONNECTIONS at once. Messages of one connection are
 * handled in order, one at a time: a sender waits for each ACK.
 */
#ifndef SOCLE_HL7_MLLP_SERVER_H
#define SOCLE_HL7_MLLP_SERVER_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

#define MLLP_MAX_CONNECTIONS 64

/* Called for every complete message (msg, len), or for a framing problem
 * (msg NULL, framing_error says what: message over the size limit, bytes
 * outside a frame...). The handler appends its reply (an HL7 message,
 * unframed) to reply; an empty reply sends nothing. After a framing error
 * the connection is closed once the reply is sent. peer is "address:port"
 * ("[address]:port" for IPv6). The handler is called from several
 * connection threads at once: ctx must be safe for that. */
typedef void (*mllp_handler)(void *ctx, const char *peer, const char *msg, size_t len,
                             const char *framing_error, buf *reply);

typedef struct mllp_server_config {
    const char *bind;          /* IPv4 or IPv6 literal */
    int port;                  /* 0: chosen by the system */
    size_t max_message;        /* bytes; 0 = MLLP_DEFAULT_MAX */
    int idle_timeout;          /* seconds without a byte before closing; 0 = 300 */
    int frame_timeout;         /* seconds to complete a started frame; 0 = 30 */
    /* TLS (util/tls.h) when tls_cert is set: the PEM certificate chain, its
     * key (NULL: in the same file) and, for mutual TLS, the CA that signs
     * the clients' certificates (NULL: any client). The handshake must end
     * within frame_timeout. */
    const char *tls_cert;
    const char *tls_key;
    const char *tls_client_ca;
} mllp_server_config;

typedef struct mllp_server mllp_server;

int mllp_server_start(mllp_server **out, const mllp_server_config *cfg,
                      mllp_handler handler, void *ctx, socle_err *err);
int mllp_server_port(const mllp_server *s);

/* Stop accepting, let each connection finish the message it is handling
 * (its reply is sent), close every connection, join the threads, free. */
void mllp_server_stop(mllp_server *s);

#endif
