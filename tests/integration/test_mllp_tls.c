/*
 * test_mllp_tls.c - MLLP over TLS (`socle serve --mllp-tls-cert/-key/-ca`)
 * spoken to by a real OpenSSL client: the ACK comes back over TLS, a plain
 * client gets nothing, mutual TLS refuses a client without a certificate
 * of the right CA, and a bad certificate file stops the server at start.
 *
 * The certificates are made for each run with the `openssl` command (a
 * throwaway CA, a server and a client certificate), in the test's
 * temporary directory.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "hl7_support.h"

TestSuite(mllp_tls, .init = hl7_setup, .fini = hl7_teardown, .timeout = 240);

/* Run openssl with args (NULL-terminated), quietly; it must succeed. */
static void openssl_run(const char *const *args)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execvp("openssl", (char *const *)args);
        _exit(127);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "openssl %s failed (is the openssl command installed?)", args[1]);
}

static const char *path(const char *name)
{
    return h_fmt("%s/%s", root, name);
}

/* A CA, and a certificate signed by it for cn (key NAME.key, cert NAME.pem). */
static void make_ca(void)
{
    openssl_run((const char *const[]){"openssl", "req", "-x509", "-newkey", "rsa:2048",
        "-nodes", "-days", "2", "-subj", "/CN=Socle test CA", "-keyout", path("ca.key"),
        "-out", path("ca.pem"), NULL});
}

static void make_cert(const char *name, const char *cn)
{
    char key[600], csr[600], pem[600], subj[128];
    snprintf(key, sizeof key, "%s", path(h_fmt("%s.key", name)));
    snprintf(csr, sizeof csr, "%s", path(h_fmt("%s.csr", name)));
    snprintf(pem, sizeof pem, "%s", path(h_fmt("%s.pem", name)));
    snprintf(subj, sizeof subj, "/CN=%s", cn);
    openssl_run((const char *const[]){"openssl", "req", "-newkey", "rsa:2048", "-nodes",
        "-subj", subj, "-keyout", key, "-out", csr, NULL});
    char ca[600], cakey[600];
    snprintf(ca, sizeof ca, "%s", path("ca.pem"));
    snprintf(cakey, sizeof cakey, "%s", path("ca.key"));
    openssl_run((const char *const[]){"openssl", "x509", "-req", "-in", csr, "-CA", ca,
        "-CAkey", cakey, "-CAcreateserial", "-days", "2", "-out", pem, NULL});
}

static void start_tls(h_server *s, int mutual)
{
    static char cert[600], key[600], ca[600];
    snprintf(cert, sizeof cert, "%s", path("server.pem"));
    snprintf(key, sizeof key, "%s", path("server.key"));
    snprintf(ca, sizeof ca, "%s", path("ca.pem"));
    const char *const plain[] = {"--mllp-tls-cert", cert, "--mllp-tls-key", key, NULL};
    const char *const both[] = {"--mllp-tls-cert", cert, "--mllp-tls-key", key,
                                "--mllp-tls-ca", ca, NULL};
    start_args(s, mutual ? both : plain);
}

/* A TLS client trusting the test CA, with the client certificate or not.
 * Returns the connected SSL, or NULL when the handshake failed. */
static SSL *tls_connect(SSL_CTX **ctx_out, int with_client_cert)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    cr_assert_not_null(ctx);
    cr_assert_eq(SSL_CTX_load_verify_locations(ctx, path("ca.pem"), NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (with_client_cert) {
        cr_assert_eq(SSL_CTX_use_certificate_file(ctx, path("client.pem"), SSL_FILETYPE_PEM), 1);
        cr_assert_eq(SSL_CTX_use_PrivateKey_file(ctx, path("client.key"), SSL_FILETYPE_PEM), 1);
    }
    *ctx_out = ctx;
    int fd = mllp_connect();
    struct timeval tv = { .tv_sec = 10 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) != 1) {
        ERR_clear_error();
        SSL_free(ssl);
        close(fd);
        return NULL;
    }
    return ssl;
}

static void tls_close(SSL *ssl, SSL_CTX *ctx)
{
    if (ssl != NULL) {
        int fd = SSL_get_fd(ssl);
        SSL_shutdown(ssl);
        SSL_free(ssl);
        close(fd);
    }
    SSL_CTX_free(ctx);
}

/* Send one framed message, in two writes to cross a record boundary, and
 * read the framed reply. Returns the reply (free it), or NULL when the
 * server closed without one (with TLS 1.3 a refused client certificate
 * shows only here). */
static char *tls_exchange(SSL *ssl, const char *msg)
{
    size_t len = strlen(msg);
    char *frame = malloc(len + 3);
    cr_assert_not_null(frame);
    frame[0] = 0x0B;
    memcpy(frame + 1, msg, len);
    frame[len + 1] = 0x1C;
    frame[len + 2] = 0x0D;
    size_t half = (len + 3) / 2;
    int ok = SSL_write(ssl, frame, (int)half) == (int)half
          && SSL_write(ssl, frame + half, (int)(len + 3 - half)) == (int)(len + 3 - half);
    free(frame);
    if (!ok) {
        ERR_clear_error();
        return NULL;
    }
    char buf[8192];
    size_t got = 0;
    while (got < sizeof buf - 1) {
        int n = SSL_read(ssl, buf + got, (int)(sizeof buf - 1 - got));
        if (n <= 0) {
            ERR_clear_error();
            return NULL;
        }
        got += (size_t)n;
        if (got >= 2 && buf[got - 2] == 0x1C && buf[got - 1] == 0x0D)
            break;
    }
    cr_assert_eq(buf[0], 0x0B, "not an MLLP frame");
    buf[got - 2] = '\0';
    return strdup(buf + 1);
}

#define A28_MSG(control) a28(control, IPP1 "||" NAME_L "||" BIRTH)

Test(mllp_tls, ack_over_tls_and_plain_clients_get_nothing)
{
    make_ca();
    make_cert("server", "localhost");
    h_server s;
    start_tls(&s, 0);

    SSL_CTX *ctx;
    SSL *ssl = tls_connect(&ctx, 0);
    cr_assert_not_null(ssl, "TLS handshake with the server failed");
    char *text = tls_exchange(ssl, A28_MSG("TLS-1"));
    cr_assert_not_null(text, "no ACK over TLS");
    ack a;
    ack_parse(&a, text);
    expect_code(&a, "AA");
    cr_assert_str_eq(value(&a, 1, 2, 1, 1), "TLS-1");
    ack_free(&a);
    /* The connection stays usable for the next message. */
    text = tls_exchange(ssl, A28_MSG("TLS-2"));
    cr_assert_not_null(text);
    ack_parse(&a, text);
    expect_code(&a, "AA");
    ack_free(&a);
    tls_close(ssl, ctx);

    /* A plain MLLP client on the TLS port: no ACK, the server hangs up. */
    int fd = mllp_connect();
    reply r;
    const char *msg = A28_MSG("PLAIN-1");
    cr_assert_eq(exchange(fd, msg, strlen(msg), &r), -1, "a plain client got a reply");
    free(r.ack);
    close(fd);
    cr_assert_eq(health_count(&s, "inbound_messages"), 2);
    stop(&s);
}

Test(mllp_tls, mutual_tls_needs_a_client_certificate_of_the_ca)
{
    make_ca();
    make_cert("server", "localhost");
    make_cert("client", "GAM test client");
    h_server s;
    start_tls(&s, 1);

    SSL_CTX *ctx;
    SSL *ssl = tls_connect(&ctx, 0);
    char *text = ssl ? tls_exchange(ssl, A28_MSG("MTLS-0")) : NULL;
    cr_assert_null(text, "a client without certificate got an ACK");
    tls_close(ssl, ctx);

    ssl = tls_connect(&ctx, 1);
    cr_assert_not_null(ssl, "mutual TLS handshake failed");
    text = tls_exchange(ssl, A28_MSG("MTLS-1"));
    cr_assert_not_null(text);
    ack a;
    ack_parse(&a, text);
    expect_code(&a, "AA");
    ack_free(&a);
    tls_close(ssl, ctx);
    cr_assert_eq(health_count(&s, "inbound_messages"), 1);
    stop(&s);
}

Test(mllp_tls, a_bad_certificate_stops_the_server_at_start)
{
    h_result r;
    h_write_text(path("bad.pem"), "not a certificate\n");
    cr_assert_eq(H_RUN(&r, "serve", "--data", data, "--http", "0", "--mllp", "0",
                       "--mllp-tls-cert", path("bad.pem")), 0);
    ASSERT_EXIT(&r, 1);
    cr_assert_not_null(strstr(r.err, "bad.pem"), "stderr: %s", r.err);
    h_result_free(&r);

    cr_assert_eq(H_RUN(&r, "serve", "--data", data, "--mllp-tls-ca", path("bad.pem")), 0);
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
}
