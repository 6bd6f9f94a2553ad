/*
 * test_http_security.c - the HTTP listener's own protections, over real
 * sockets: HTTPS with --tls-cert/--tls-key (a throwaway self-signed
 * certificate made by the openssl command for each run, checked by an
 * OpenSSL client), and the per-token rate limit (--rate-limit: 429 with
 * Retry-After and an OperationOutcome, other tokens unaffected).
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hl7_support.h"

static h_server srv;

static void sec_setup(void)
{
    hl7_setup();
}

static void sec_teardown(void)
{
    hl7_teardown();
}

TestSuite(http_security, .init = sec_setup, .fini = sec_teardown, .timeout = 240);

static void issue(char *out, size_t n, const char *sub)
{
    h_result r;
    cr_assert_eq(H_RUN(&r, "token", "issue", "--data", data, "--role", "lecteur", "--sub", sub),
                 0);
    ASSERT_EXIT(&r, 0);
    snprintf(out, n, "%s", r.out);
    out[strcspn(out, "\r\n")] = '\0';
    h_result_free(&r);
}

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* A GET over plain TCP with a bearer token: the raw response (free it). */
static char *raw_get(int port, const char *path, const char *token)
{
    int fd = connect_port(port);
    char req[4096];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nConnection: close\r\n\r\n", path, token);
    cr_assert_eq(write(fd, req, (size_t)n), n);
    size_t cap = 65536, len = 0;
    char *out = malloc(cap);
    ssize_t got;
    while ((got = read(fd, out + len, cap - 1 - len)) > 0)
        len += (size_t)got;
    out[len] = '\0';
    close(fd);
    return out;
}

Test(http_security, rate_limit_per_token)
{
    char a[2048], b[2048];
    issue(a, sizeof a, "client-a");
    issue(b, sizeof b, "client-b");
    start_args(&srv, (const char *const[]){ "--rate-limit", "5", NULL });
    /* A burst of 5 passes, the 6th is refused; refills at 5 a minute. */
    for (int i = 0; i < 5; i++) {
        char *r = raw_get(srv.port, "/fhir/Organization", a);
        cr_assert(strncmp(r, "HTTP/1.1 200", 12) == 0, "request %d: %.200s", i, r);
        free(r);
    }
    char *r = raw_get(srv.port, "/fhir/Organization", a);
    cr_assert(strncmp(r, "HTTP/1.1 429", 12) == 0, "%.300s", r);
    const char *ra = strcasestr(r, "\r\nRetry-After: ");
    cr_assert_not_null(ra, "%s", r);
    int secs = atoi(ra + 15);
    cr_assert(secs >= 1 && secs <= 13, "Retry-After %d", secs);
    cr_assert(strstr(r, "\"OperationOutcome\"") && strstr(r, "\"throttled\""), "%s", r);
    free(r);
    /* Another token is not affected. */
    r = raw_get(srv.port, "/fhir/Organization", b);
    cr_assert(strncmp(r, "HTTP/1.1 200", 12) == 0, "%.200s", r);
    free(r);
    stop(&srv);
}

Test(http_security, no_limit_with_zero)
{
    char a[2048];
    issue(a, sizeof a, "client-a");
    start_args(&srv, (const char *const[]){ "--rate-limit", "0", NULL });
    for (int i = 0; i < 30; i++) {
        char *r = raw_get(srv.port, "/fhir/Organization", a);
        cr_assert(strncmp(r, "HTTP/1.1 200", 12) == 0, "request %d: %.200s", i, r);
        free(r);
    }
    stop(&srv);
}

static void openssl_run(const char *const *args)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp("openssl", (char *const *)args);
        _exit(127);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "openssl %s failed", args[1]);
}

Test(http_security, https)
{
    const char *cert = h_fmt("%s/http-cert.pem", root);
    char key[600];
    snprintf(key, sizeof key, "%s/http-key.pem", root);
    openssl_run((const char *const[]){ "openssl", "req", "-x509", "-newkey", "rsa:2048",
                                       "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                                       "-subj", "/CN=127.0.0.1", "-addext",
                                       "subjectAltName=IP:127.0.0.1", NULL });
    char certp[600];
    snprintf(certp, sizeof certp, "%s", cert);
    start_args(&srv, (const char *const[]){ "--tls-cert", certp, "--tls-key", key, NULL });
    cr_assert(strstr(srv.banner, "https://127.0.0.1:"), "%s", srv.banner);

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    cr_assert_not_null(ctx);
    cr_assert_eq(SSL_CTX_load_verify_locations(ctx, certp, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int fd = connect_port(srv.port);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    cr_assert_eq(SSL_connect(ssl), 1, "TLS handshake failed");
    const char *req = "GET /fhir/metadata HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Connection: close\r\n\r\n";
    cr_assert_eq(SSL_write(ssl, req, (int)strlen(req)), (int)strlen(req));
    char resp[65536];
    size_t len = 0;
    int got;
    while ((got = SSL_read(ssl, resp + len, (int)(sizeof resp - 1 - len))) > 0)
        len += (size_t)got;
    resp[len] = '\0';
    cr_assert(strncmp(resp, "HTTP/1.1 200", 12) == 0, "%.300s", resp);
    cr_assert(strstr(resp, "\"CapabilityStatement\""), "%.300s", resp);
    cr_assert(strstr(resp, "\"https://127.0.0.1"), "links name the https base: %.600s", resp);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);

    /* Plain HTTP on the TLS port gets no HTTP answer. */
    h_response plain;
    char why[256];
    int rc = h_http(srv.port, "GET", "/fhir/metadata", &plain, why, sizeof why);
    cr_assert(rc != 0 || plain.status != 200, "plain HTTP answered on the TLS port");
    h_response_free(&plain);
    stop(&srv);
}
