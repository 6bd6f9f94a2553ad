/*
 * Unit tests of the MLLP listener over real loopback sockets: framing of
 * replies, pipelined and split messages, framing errors, timeouts,
 * concurrent clients, the connection limit and a graceful stop.
 *
 * Every wait is bounded by a generous receive timeout (RECV_TIMEOUT) so
 * that a loaded machine slows the tests down instead of failing them, and
 * ordering is established by replies or by a condition variable, never by
 * sleeping.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hl7/mllp.h"
#include "hl7/mllp_server.h"

#define RECV_TIMEOUT 15  /* seconds: only reached when something is wrong */

typedef struct test_ctx {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int framing_errors;
    char last_error[256];
    int sleep_ms;       /* the handler sleeps this long for each message */
    int entered;        /* messages whose handling has started */
} test_ctx;

static test_ctx tc = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
static mllp_server *srv;

static void handler(void *ctx, const char *peer, const char *msg, size_t len,
                    const char *framing_error, buf *reply)
{
    test_ctx *t = ctx;
    (void)peer;
    if (msg == NULL) {
        pthread_mutex_lock(&t->lock);
        t->framing_errors++;
        snprintf(t->last_error, sizeof t->last_error, "%s", framing_error);
        pthread_mutex_unlock(&t->lock);
        buf_printf(reply, "ERR:%s", framing_error);
        return;
    }
    pthread_mutex_lock(&t->lock);
    t->entered++;
    int sleep_ms = t->sleep_ms;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (sleep_ms > 0) {
        struct timespec ts = { sleep_ms / 1000, (long)(sleep_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
    buf_puts(reply, "ACK:");
    buf_append(reply, msg, len);
}

static void start(size_t max_message, int idle, int frame)
{
    mllp_server_config cfg = {
        .bind = "127.0.0.1", .port = 0, .max_message = max_message,
        .idle_timeout = idle, .frame_timeout = frame,
    };
    socle_err err;
    err_clear(&err);
    cr_assert_eq(mllp_server_start(&srv, &cfg, handler, &tc, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
    mllp_server_stop(srv);
    srv = NULL;
}

TestSuite(mllp_server, .fini = teardown, .timeout = 120);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    struct timeval tv = { RECV_TIMEOUT, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_srv(void)
{
    int fd = connect_to(mllp_server_port(srv));
    cr_assert_geq(fd, 0, "connect: %s", strerror(errno));
    return fd;
}

static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_framed(int fd, const char *msg)
{
    buf b = { 0 };
    mllp_frame(&b, msg, strlen(msg));
    int rc = send_all(fd, b.data, b.len);
    buf_free(&b);
    return rc;
}

/* Read exactly one framed reply, byte by byte so that nothing of the next
 * one is swallowed. Returns 0 with the message in out, -1 on EOF, error
 * or bad framing. */
static int read_frame(int fd, buf *out)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 0);
    buf_reset(out);
    for (;;) {
        char c;
        ssize_t n = recv(fd, &c, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t used;
        int rc = mllp_decoder_feed(&d, &c, 1, &used, NULL);
        if (rc < 0)
            break;
        if (rc == 1) {
            size_t len;
            const char *m = mllp_decoder_message(&d, &len);
            buf_append(out, m, len);
            mllp_decoder_free(&d);
            return 0;
        }
    }
    mllp_decoder_free(&d);
    return -1;
}

/* 1 when the server closed the connection (EOF or reset) without sending
 * anything more; 0 on data or on the receive timeout. */
static int closed_by_server(int fd)
{
    char c;
    for (;;) {
        ssize_t n = recv(fd, &c, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
        return 0;
    }
}

static void expect_reply(int fd, const char *want)
{
    buf got = { 0 };
    cr_assert_eq(read_frame(fd, &got), 0, "no reply (want '%s')", want);
    cr_expect_str_eq(buf_cstr(&got), want);
    buf_free(&got);
}

Test(mllp_server, reports_the_port)
{
    start(0, 0, 0);
    int port = mllp_server_port(srv);
    cr_assert_gt(port, 0);
    cr_assert_lt(port, 65536);
    int fd = connect_to(port);
    cr_assert_geq(fd, 0);
    close(fd);
}

Test(mllp_server, one_message_one_reply)
{
    start(0, 0, 0);
    int fd = connect_srv();
    cr_assert_eq(send_framed(fd, "MSH|1"), 0);
    expect_reply(fd, "ACK:MSH|1");
    /* The connection stays open for the next message. */
    cr_assert_eq(send_framed(fd, "MSH|2"), 0);
    expect_reply(fd, "ACK:MSH|2");
    close(fd);
}

Test(mllp_server, two_messages_in_one_write)
{
    start(0, 0, 0);
    int fd = connect_srv();
    buf b = { 0 };
    mllp_frame(&b, "MSH|A", 5);
    mllp_frame(&b, "MSH|B", 5);
    cr_assert_eq(send_all(fd, b.data, b.len), 0);
    buf_free(&b);
    expect_reply(fd, "ACK:MSH|A");
    expect_reply(fd, "ACK:MSH|B");
    close(fd);
}

Test(mllp_server, message_split_over_writes)
{
    start(0, 0, 0);
    int fd = connect_srv();
    const char *parts[] = { "\x0bMSH|^~\\&|A", "|B|C\rPID|||1", "\x1c", "\r" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        cr_assert_eq(send_all(fd, parts[i], strlen(parts[i])), 0);
        struct timespec ts = { 0, 100 * 1000000L };  /* let each part go alone */
        nanosleep(&ts, NULL);
    }
    expect_reply(fd, "ACK:MSH|^~\\&|A|B|C\rPID|||1");
    close(fd);
}

Test(mllp_server, oversized_message_is_a_framing_error)
{
    start(64, 0, 0);
    int fd = connect_srv();
    char big[101];
    memset(big, 'X', 100);
    big[100] = '\0';
    cr_assert_eq(send_framed(fd, big), 0);
    buf got = { 0 };
    cr_assert_eq(read_frame(fd, &got), 0, "no error reply");
    cr_expect(strncmp(buf_cstr(&got), "ERR:", 4) == 0, "reply: %s", buf_cstr(&got));
    cr_expect(strstr(buf_cstr(&got), "64") != NULL, "reply: %s", buf_cstr(&got));
    buf_free(&got);
    cr_expect(closed_by_server(fd));
    close(fd);
    pthread_mutex_lock(&tc.lock);
    cr_expect_eq(tc.framing_errors, 1);
    cr_expect_eq(tc.entered, 0);
    pthread_mutex_unlock(&tc.lock);
}

Test(mllp_server, garbage_outside_a_frame)
{
    start(0, 0, 0);
    int fd = connect_srv();
    cr_assert_eq(send_all(fd, "GET / HTTP/1.0\r\n\r\n", 18), 0);
    buf got = { 0 };
    cr_assert_eq(read_frame(fd, &got), 0, "no error reply");
    cr_expect(strstr(buf_cstr(&got), "outside an MLLP frame") != NULL, "reply: %s",
              buf_cstr(&got));
    buf_free(&got);
    cr_expect(closed_by_server(fd));
    close(fd);
    pthread_mutex_lock(&tc.lock);
    cr_expect_eq(tc.framing_errors, 1);
    pthread_mutex_unlock(&tc.lock);
}

Test(mllp_server, idle_connection_is_closed)
{
    start(0, 1, 30);
    int fd = connect_srv();
    cr_assert_eq(send_framed(fd, "MSH|1"), 0);
    expect_reply(fd, "ACK:MSH|1");
    int64_t t0 = now_ms();
    cr_expect(closed_by_server(fd), "idle connection not closed");
    int64_t elapsed = now_ms() - t0;
    cr_expect_geq(elapsed, 800, "closed after %lld ms", (long long)elapsed);
    close(fd);
}

Test(mllp_server, half_frame_times_out)
{
    /* The idle timeout is far away: only the frame timeout can close. */
    start(0, 60, 1);
    int fd = connect_srv();
    int64_t t0 = now_ms();
    cr_assert_eq(send_all(fd, "\x0bMSH|half", 9), 0);
    cr_expect(closed_by_server(fd), "half frame not closed");
    int64_t elapsed = now_ms() - t0;
    cr_expect_geq(elapsed, 800, "closed after %lld ms", (long long)elapsed);
    cr_expect_lt(elapsed, RECV_TIMEOUT * 1000);
    close(fd);
    pthread_mutex_lock(&tc.lock);
    cr_expect_eq(tc.entered, 0);
    pthread_mutex_unlock(&tc.lock);
}

#define CLIENTS 8
#define MESSAGES 50

typedef struct client_arg {
    int port;
    int id;
    int failures;
} client_arg;

/* No cr_assert here: Criterion's assertions belong to the test's thread. */
static void *client_main(void *p)
{
    client_arg *a = p;
    int fd = connect_to(a->port);
    if (fd < 0) {
        a->failures = MESSAGES;
        return NULL;
    }
    buf got = { 0 };
    char msg[64], want[80];
    for (int i = 0; i < MESSAGES; i++) {
        snprintf(msg, sizeof msg, "MSH|client%d|msg%d", a->id, i);
        snprintf(want, sizeof want, "ACK:%s", msg);
        if (send_framed(fd, msg) != 0 || read_frame(fd, &got) != 0 ||
            strcmp(buf_cstr(&got), want) != 0)
            a->failures++;
    }
    buf_free(&got);
    close(fd);
    return NULL;
}

Test(mllp_server, concurrent_clients)
{
    start(0, 0, 0);
    pthread_t th[CLIENTS];
    client_arg args[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        args[i] = (client_arg){ .port = mllp_server_port(srv), .id = i };
        cr_assert_eq(pthread_create(&th[i], NULL, client_main, &args[i]), 0);
    }
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < CLIENTS; i++)
        cr_expect_eq(args[i].failures, 0, "client %d: %d failures", i, args[i].failures);
    pthread_mutex_lock(&tc.lock);
    cr_expect_eq(tc.entered, CLIENTS * MESSAGES);
    pthread_mutex_unlock(&tc.lock);
}

Test(mllp_server, connections_over_the_limit_are_closed)
{
    start(0, 0, 0);
    int fds[MLLP_MAX_CONNECTIONS];
    /* A reply proves the connection has its thread: all slots are taken. */
    for (int i = 0; i < MLLP_MAX_CONNECTIONS; i++) {
        fds[i] = connect_srv();
        cr_assert_eq(send_framed(fds[i], "MSH|x"), 0);
        expect_reply(fds[i], "ACK:MSH|x");
    }
    int extra = connect_srv();
    cr_expect(closed_by_server(extra), "connection over the limit not closed");
    close(extra);

    /* A slot freed is available again. */
    close(fds[0]);
    int again = -1;
    for (int attempt = 0; attempt < 100 && again < 0; attempt++) {
        /* The server notices the close asynchronously: retry until it has. */
        int fd = connect_srv();
        if (send_framed(fd, "MSH|y") == 0) {
            buf got = { 0 };
            if (read_frame(fd, &got) == 0 && strcmp(buf_cstr(&got), "ACK:MSH|y") == 0)
                again = fd;
            buf_free(&got);
        }
        if (again < 0) {
            close(fd);
            struct timespec ts = { 0, 50 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    cr_expect_geq(again, 0, "freed slot never reused");
    if (again >= 0)
        close(again);
    for (int i = 1; i < MLLP_MAX_CONNECTIONS; i++)
        close(fds[i]);
}

Test(mllp_server, stop_lets_the_handler_finish)
{
    tc.sleep_ms = 300;
    start(0, 0, 0);
    int fd = connect_srv();
    cr_assert_eq(send_framed(fd, "MSH|slow"), 0);

    /* Wait until the handler is running, then stop under its feet. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += RECV_TIMEOUT;
    pthread_mutex_lock(&tc.lock);
    while (tc.entered == 0) {
        if (pthread_cond_timedwait(&tc.cond, &tc.lock, &until) == ETIMEDOUT)
            break;
    }
    int entered = tc.entered;
    pthread_mutex_unlock(&tc.lock);
    cr_assert_eq(entered, 1, "handler never called");

    mllp_server_stop(srv);
    srv = NULL;
    expect_reply(fd, "ACK:MSH|slow");
    cr_expect(closed_by_server(fd));
    close(fd);
}

Test(mllp_server, stop_wakes_idle_connections)
{
    start(0, 0, 0);
    int fd = connect_srv();
    cr_assert_eq(send_framed(fd, "MSH|1"), 0);
    expect_reply(fd, "ACK:MSH|1");
    int64_t t0 = now_ms();
    mllp_server_stop(srv);
    srv = NULL;
    cr_expect_lt(now_ms() - t0, 5000, "stop waited for the idle timeout");
    cr_expect(closed_by_server(fd));
    close(fd);
}

Test(mllp_server, invalid_bind_address)
{
    mllp_server_config cfg = { .bind = "not-an-address", .port = 0 };
    socle_err err;
    err_clear(&err);
    cr_expect_eq(mllp_server_start(&srv, &cfg, handler, &tc, &err), -1);
    cr_expect_null(srv);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    cr_expect(strstr(err.msg, "not-an-address") != NULL, "%s", err.msg);

    /* A well-formed address this host does not have. */
    cfg.bind = "192.0.2.1";
    err_clear(&err);
    cr_expect_eq(mllp_server_start(&srv, &cfg, handler, &tc, &err), -1);
    cr_expect_null(srv);
    cr_expect_eq(err.code, SOCLE_EIO);

    cfg.bind = "127.0.0.1";
    cfg.port = 70000;
    cr_expect_eq(mllp_server_start(&srv, &cfg, handler, &tc, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
}

Test(mllp_server, ipv6_loopback)
{
    mllp_server_config cfg = { .bind = "::1", .port = 0 };
    socle_err err;
    err_clear(&err);
    if (mllp_server_start(&srv, &cfg, handler, &tc, &err) != 0)
        cr_skip_test("no IPv6 loopback: %s", err.msg);
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6,
                              .sin6_port = htons((uint16_t)mllp_server_port(srv)) };
    inet_pton(AF_INET6, "::1", &a.sin6_addr);
    struct timeval tv = { RECV_TIMEOUT, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(send_framed(fd, "MSH|6"), 0);
    expect_reply(fd, "ACK:MSH|6");
    close(fd);
}
