/*
 * hl7_support.c - fixtures, MLLP client and ACK readers of the HL7
 * integration suites.
 */
#include "hl7_support.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"

char root[512];
char data[600];

void hl7_setup(void)
{
    cr_assert_eq(h_temp_dir(root, sizeof root), 0, "mkdtemp: %s", strerror(errno));
    snprintf(data, sizeof data, "%s/data", root);
    h_result r;
    cr_assert_eq(H_RUN(&r, "init", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    const char *file = h_fmt("%s/s.csv", root);
    cr_assert_eq(h_write_text(file, STRUCTS), 0);
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

void hl7_teardown(void)
{
    h_server_kill_all();
    h_remove_tree(root);
}


/* ---- Server ------------------------------------------------------------ */

int mllp_port;

/* Start the server and find its MLLP port in the line
 * "socle mllp listening on ADDR:PORT" (printed after the HTTP banner). */
void start(h_server *s)
{
    start_args(s, NULL);
}

void start_args(h_server *s, const char *const *more)
{
    const char *extra[16] = { "--mllp", "0" };
    size_t n = 2;
    for (size_t i = 0; more != NULL && more[i] != NULL; i++) {
        cr_assert_lt(n, sizeof extra / sizeof extra[0] - 1, "too many arguments");
        extra[n++] = more[i];
    }
    extra[n] = NULL;
    char why[4096];
    cr_assert_eq(h_server_start(s, data, root, extra, why, sizeof why), 0, "%s", why);
    mllp_port = 0;
    for (int tries = 0; tries < 200 && mllp_port == 0; tries++) {
        char *out = h_read_file(s->out_path, NULL);
        const char *line = out ? strstr(out, "socle mllp listening on ") : NULL;
        const char *end = line ? strchr(line, '\n') : NULL;
        if (end != NULL) {
            const char *colon = end;
            while (colon > line && *colon != ':')
                colon--;
            mllp_port = atoi(colon + 1);
        }
        free(out);
        if (mllp_port == 0)
            usleep(50 * 1000);
    }
    cr_assert_gt(mllp_port, 0, "no \"socle mllp listening on\" line; stderr:\n%s",
                 h_server_stderr(s));
}

void stop(h_server *s)
{
    int status;
    cr_assert_eq(h_server_stop(s, SIGTERM, H_STOP_TIMEOUT_MS, &status), 0,
                 "no exit; stderr:\n%s", h_server_stderr(s));
    cr_assert_eq(status, 0, "exit %d; stderr:\n%s", status, h_server_stderr(s));
}

long long health_count(const h_server *s, const char *name)
{
    char *body = NULL;
    cr_assert_eq(h_http_get(s->port, "/health", &body), 200, "GET /health");
    json_error_t jerr;
    json_t *h = json_loads(body, 0, &jerr);
    cr_assert_not_null(h, "not JSON: %s", body);
    json_t *v = json_object_get(json_object_get(h, "counts"), name);
    cr_assert(json_is_integer(v), "counts.%s: %s", name, body);
    long long n = json_integer_value(v);
    json_decref(h);
    free(body);
    return n;
}

/* ---- MLLP client ------------------------------------------------------- */

int mllp_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)mllp_port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connect: %s",
                 strerror(errno));
    return fd;
}


/*
 * Send msg framed and read one framed reply. Writing and reading are
 * interleaved (non-blocking), so that a server refusing a large message
 * before the end of it is heard even though the rest is never read.
 * Returns 0 when a whole reply came, -1 when the connection ended first.
 */
int exchange(int fd, const char *msg, size_t len, reply *r)
{
    memset(r, 0, sizeof *r);
    size_t total = len + 3, sent = 0;
    char *frame = malloc(total);
    cr_assert_not_null(frame);
    frame[0] = 0x0B;
    memcpy(frame + 1, msg, len);
    frame[len + 1] = 0x1C;
    frame[len + 2] = 0x0D;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

    size_t cap = 4096, got = 0;
    char *in = malloc(cap);
    cr_assert_not_null(in);
    int done = 0;
    time_t deadline = time(NULL) + 30;
    while (!done && time(NULL) < deadline) {
        struct pollfd p = { .fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0) };
        if (poll(&p, 1, 1000) <= 0)
            continue;
        if ((p.revents & POLLOUT) && sent < total) {
            ssize_t n = send(fd, frame + sent, total - sent, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                sent = total;   /* the peer is gone: read what it said */
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            if (got == cap)
                in = realloc(in, cap *= 2);
            ssize_t n = recv(fd, in + got, cap - got, 0);
            if (n > 0) {
                got += (size_t)n;
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                r->closed = 1;
                break;
            }
            for (size_t i = 1; i + 1 < got; i++)
                if (in[i] == 0x1C && in[i + 1] == 0x0D) {
                    cr_assert_eq(in[0], 0x0B, "reply does not start with 0x0B");
                    r->len = i - 1;
                    r->ack = malloc(r->len + 1);
                    memcpy(r->ack, in + 1, r->len);
                    r->ack[r->len] = '\0';
                    done = 1;
                    break;
                }
        }
    }
    free(frame);
    free(in);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return done ? 0 : -1;
}

/* One message on a connection of its own; returns the ACK (free it). */
char *send_one(const char *msg, size_t *ack_len)
{
    int fd = mllp_connect();
    reply r;
    cr_assert_eq(exchange(fd, msg, strlen(msg), &r), 0, "no ACK for\n%s", msg);
    close(fd);
    if (ack_len != NULL)
        *ack_len = r.len;
    return r.ack;
}

/* ---- Reading ACKs ------------------------------------------------------ */


void ack_parse(ack *a, char *text)
{
    socle_err err = {0};
    a->text = text;
    a->m = er7_parse(text, strlen(text), &err);
    cr_assert_not_null(a->m, "ACK not parseable (%s):\n%s", err.msg, text);
    cr_assert(er7_segment_is(a->m, 1, "MSA"), "no MSA:\n%s", text);
}

void ack_free(ack *a)
{
    er7_free(a->m);
    free(a->text);
}

ack roundtrip(const char *msg)
{
    ack a;
    ack_parse(&a, send_one(msg, NULL));
    return a;
}

const char *value(const ack *a, size_t seg, size_t field, size_t rep, size_t comp)
{
    static char out[4][512];
    static int k;
    char *o = out[k++ % 4];
    er7_slice s = er7_get(a->m, seg, field, rep, comp, 0);
    snprintf(o, 512, "%.*s", (int)s.len, s.ptr);
    return o;
}

void expect_code(const ack *a, const char *code)
{
    cr_assert_str_eq(value(a, 1, 1, 1, 1), code, "ACK:\n%s", a->text);
}

/* An ERR with this code, severity, segment and field (0: any field). */
int has_err(const ack *a, int code, const char *sev, const char *seg, size_t field)
{
    for (size_t n = 0;; n++) {
        size_t e = er7_find(a->m, "ERR", n);
        if (e == ER7_NONE)
            return 0;
        if (atoi(value(a, e, 3, 1, 1)) == code && strcmp(value(a, e, 4, 1, 1), sev) == 0
            && strcmp(value(a, e, 2, 1, 1), seg) == 0
            && (field == 0 || (size_t)atoi(value(a, e, 2, 1, 3)) == field))
            return 1;
    }
}

/* An ADT message; pid is what follows "PID|1||". */
const char *adt(const char *charset, const char *type, const char *control,
                const char *pid)
{
    return h_fmt("MSH|^~\\&|APPLI|FAC|SOCLE|GHT|20250101120000||%s|%s|P|2.5^FRA^2.11"
                 "|||||FRA|%s\rEVN||20250101120000\rPID|1||%s\rPV1|1|N\r",
                 type, control, charset, pid);
}

const char *a28(const char *control, const char *pid)
{
    return adt("UNICODE UTF-8", "ADT^A28^ADT_A05", control, pid);
}

void feed(const char *msg)
{
    ack a = roundtrip(msg);
    expect_code(&a, "AA");
    ack_free(&a);
}

void issue_token(char out[2048], const char *role, const char *ej, const char *sub)
{
    const char *args[12] = { "token", "issue", "--data", data, "--role", role };
    size_t n = 6;
    if (ej != NULL) {
        args[n++] = "--ej";
        args[n++] = ej;
    }
    if (sub != NULL) {
        args[n++] = "--sub";
        args[n++] = sub;
    }
    args[n] = NULL;
    h_result r;
    cr_assert_eq(h_run(&r, H_CLI_TIMEOUT_MS, args), 0);
    ASSERT_EXIT(&r, 0);
    snprintf(out, 2048, "%s", r.out);
    out[strcspn(out, "\r\n")] = '\0';
    h_result_free(&r);
}
