/*
 * tls.h - TLS for the server's own sockets (MLLP), over OpenSSL.
 *
 * The sockets are non-blocking and driven by poll(): reads and writes
 * behave like recv/send, returning -1 with *want set to TLS_WANT_READ or
 * TLS_WANT_WRITE when the caller must poll for that before retrying (a TLS
 * read may need to write, and the other way round). The handshake is done
 * in tls_accept, within a deadline.
 *
 * TLS 1.2 at least; the certificate chain and key are PEM files. With a
 * client CA file, every peer must present a certificate signed by it
 * (mutual TLS, the usual way an interface engine knows who connects).
 */
#ifndef SOCLE_UTIL_TLS_H
#define SOCLE_UTIL_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

typedef struct tls_server tls_server;
typedef struct tls_conn tls_conn;

enum { TLS_WANT_NONE = 0, TLS_WANT_READ = 1, TLS_WANT_WRITE = 2 };

/* Load the certificate chain and key (and the client CA, may be NULL).
 * A missing or unreadable file, or a key that does not match the
 * certificate -> SOCLE_EINVAL naming the file. */
int tls_server_new(tls_server **out, const char *cert_file, const char *key_file,
                   const char *client_ca_file, socle_err *err);
void tls_server_free(tls_server *srv);  /* NULL is fine */

/* Handshake with the peer on fd (non-blocking), waiting until deadline_ms
 * (a CLOCK_MONOTONIC time in ms). On failure err says why (the peer's
 * certificate refused, not TLS, timeout). The conn does not own fd. */
int tls_accept(tls_server *srv, int fd, int64_t deadline_ms, tls_conn **out, socle_err *err);

/* >0 bytes, 0 end of stream, -1 with *want set (retry after polling), or
 * -1 with *want TLS_WANT_NONE on an error. */
ssize_t tls_read(tls_conn *c, void *data, size_t n, int *want);
ssize_t tls_write(tls_conn *c, const void *data, size_t n, int *want);
/* Bytes already decrypted and waiting: read them before polling again. */
size_t tls_pending(const tls_conn *c);
/* The peer certificate's subject, "" without one. */
const char *tls_peer_subject(const tls_conn *c);
/* Send close_notify (best effort) and free. NULL is fine. */
void tls_conn_free(tls_conn *c);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t tls_now_ms(void);

#endif
