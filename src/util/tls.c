/*
 * tls.c - TLS for the server's own sockets (tls.h), over OpenSSL.
 */
#include "util/tls.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct tls_server {
    SSL_CTX *ctx;
};

struct tls_conn {
    SSL *ssl;
    char subject[256];
};

int64_t tls_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first OpenSSL error of this thread as text, the queue cleared. */
static const char *ssl_error_text(char *out, size_t n)
{
    unsigned long e = ERR_get_error();
    if (e == 0)
        snprintf(out, n, "%s", errno ? strerror(errno) : "unknown error");
    else
        ERR_error_string_n(e, out, n);
    ERR_clear_error();
    return out;
}

int tls_server_new(tls_server **out, const char *cert_file, const char *key_file,
                   const char *client_ca_file, socle_err *err)
{
    *out = NULL;
    char why[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return err_set(err, SOCLE_EIO, "TLS: %s", ssl_error_text(why, sizeof why));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* Partial writes and a moving buffer: what a poll()-driven loop needs. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        err_set(err, SOCLE_EINVAL, "TLS certificate %s: %s", cert_file,
                ssl_error_text(why, sizeof why));
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        err_set(err, SOCLE_EINVAL, "TLS key %s: %s", key_file, ssl_error_text(why, sizeof why));
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        err_set(err, SOCLE_EINVAL, "TLS key %s does not match the certificate %s", key_file,
                cert_file);
        goto fail;
    }
    if (client_ca_file != NULL && client_ca_file[0] != '\0') {
        if (SSL_CTX_load_verify_locations(ctx, client_ca_file, NULL) != 1) {
            err_set(err, SOCLE_EINVAL, "TLS client CA %s: %s", client_ca_file,
                    ssl_error_text(why, sizeof why));
            goto fail;
        }
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(client_ca_file);
        if (names != NULL)
            SSL_CTX_set_client_CA_list(ctx, names);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }

    tls_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        err_set(err, SOCLE_EIO, "TLS: out of memory");
        goto fail;
    }
    srv->ctx = ctx;
    *out = srv;
    return 0;
fail:
    SSL_CTX_free(ctx);
    return -1;
}

void tls_server_free(tls_server *srv)
{
    if (srv == NULL)
        return;
    SSL_CTX_free(srv->ctx);
    free(srv);
}

/* Map an SSL_* result to the tls.h convention. */
static ssize_t io_result(tls_conn *c, int rc, int *want)
{
    *want = TLS_WANT_NONE;
    if (rc > 0)
        return rc;
    switch (SSL_get_error(c->ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        *want = TLS_WANT_READ;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        *want = TLS_WANT_WRITE;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;   /* close_notify: the end of the stream */
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        return errno == 0 || errno == ECONNRESET ? 0 : -1;  /* EOF without close_notify */
    default:
        ERR_clear_error();
        return -1;
    }
}

int tls_accept(tls_server *srv, int fd, int64_t deadline_ms, tls_conn **out, socle_err *err)
{
    *out = NULL;
    tls_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return err_set(err, SOCLE_EIO, "TLS: out of memory");
    c->ssl = SSL_new(srv->ctx);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1) {
        char why[256];
        err_set(err, SOCLE_EIO, "TLS: %s", ssl_error_text(why, sizeof why));
        tls_conn_free(c);
        return -1;
    }
    for (;;) {
        errno = 0;
        int rc = SSL_accept(c->ssl);
        if (rc == 1)
            break;
        int e = SSL_get_error(c->ssl, rc);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            char why[256];
            if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
                snprintf(why, sizeof why, "connection closed during the handshake");
            else
                ssl_error_text(why, sizeof why);
            err_set(err, SOCLE_EINVAL, "TLS handshake failed: %s", why);
            SSL_free(c->ssl);   /* no close_notify after a failed handshake */
            free(c);
            return -1;
        }
        int64_t left = deadline_ms - tls_now_ms();
        if (left <= 0) {
            err_set(err, SOCLE_EIO, "TLS handshake timed out");
            SSL_free(c->ssl);
            free(c);
            return -1;
        }
        struct pollfd p = { .fd = fd, .events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT };
        if (poll(&p, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR) {
            err_set(err, SOCLE_EIO, "TLS handshake: poll: %s", strerror(errno));
            SSL_free(c->ssl);
            free(c);
            return -1;
        }
    }
    X509 *peer = SSL_get1_peer_certificate(c->ssl);
    if (peer != NULL) {
        X509_NAME_oneline(X509_get_subject_name(peer), c->subject, sizeof c->subject);
        X509_free(peer);
    }
    *out = c;
    return 0;
}

ssize_t tls_read(tls_conn *c, void *data, size_t n, int *want)
{
    errno = 0;
    return io_result(c, SSL_read(c->ssl, data, n > INT32_MAX ? INT32_MAX : (int)n), want);
}

ssize_t tls_write(tls_conn *c, const void *data, size_t n, int *want)
{
    errno = 0;
    ssize_t rc = io_result(c, SSL_write(c->ssl, data, n > INT32_MAX ? INT32_MAX : (int)n), want);
    return rc == 0 ? -1 : rc;   /* a write never "ends the stream" */
}

size_t tls_pending(const tls_conn *c)
{
    int n = SSL_pending(c->ssl);
    return n > 0 ? (size_t)n : 0;
}

const char *tls_peer_subject(const tls_conn *c)
{
    return c->subject;
}

void tls_conn_free(tls_conn *c)
{
    if (c == NULL)
        return;
    if (c->ssl != NULL) {
        SSL_shutdown(c->ssl);   /* one close_notify, not waiting for the peer's */
        ERR_clear_error();
        SSL_free(c->ssl);
    }
    free(c);
}
