/*
 * mllp_server.c - the MLLP listener: one accept thread, one thread per
 * connection, plain blocking-free sockets driven by poll() with timeouts.
 *
 * Shutdown protocol: mllp_server_stop sets `stopping` under the lock,
 * wakes the accept thread through a self-pipe, then shuts down the read
 * side of every open connection. A connection blocked in poll() wakes on
 * the resulting end of file; one inside the handler finishes, writes its
 * reply (the write side is still open) and only then sees `stopping`.
 * Every thread is joined: nothing is detached, so nothing outlives stop.
 */
#include "hl7/mllp_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hl7/mllp.h"
#include "util/log.h"
#include "util/tls.h"

#define MLLP_BACKLOG 64
#define MLLP_READ_CHUNK 16384
#define MLLP_DEFAULT_IDLE 300    /* seconds */
#define MLLP_DEFAULT_FRAME 30    /* seconds */
#define MLLP_PEER_MAX (INET6_ADDRSTRLEN + 16)

typedef struct mllp_conn {
    mllp_server *s;
    int fd;                   /* -1 once closed (under s->lock) */
    tls_conn *tls;            /* NULL for plain MLLP */
    int done;                 /* the thread has finished; join it */
    pthread_t thread;
    char peer[MLLP_PEER_MAX];
    struct mllp_conn *next;
} mllp_conn;

struct mllp_server {
    int listen_fd;
    int wake[2];              /* self-pipe: a byte on wake[1] stops accepting */
    int port;
    pthread_t accept_thread;

    mllp_handler handler;
    void *ctx;
    size_t max_message;
    int64_t idle_ms;
    int64_t frame_ms;
    tls_server *tls;          /* NULL for plain MLLP */

    pthread_mutex_t lock;     /* guards everything below */
    int stopping;
    int active;               /* connections whose fd is still open */
    mllp_conn *conns;         /* every thread not yet joined */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read without the lock: every connection asks after each message, and
 * sixteen busy connections queued on one mutex for it. Written under the
 * lock (admit() reads it there), read atomically here. */
static int is_stopping(mllp_server *s)
{
    return __atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE);
}

static void format_peer(const struct sockaddr_storage *ss, char *out, size_t n)
{
    char addr[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &v4->sin_addr, addr, sizeof addr);
        snprintf(out, n, "%s:%u", addr, (unsigned)ntohs(v4->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        /* Brackets keep the port distinguishable from the address. */
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &v6->sin6_addr, addr, sizeof addr);
        snprintf(out, n, "[%s]:%u", addr, (unsigned)ntohs(v6->sin6_port));
    } else {
        str_copy(out, n, "unknown");
    }
}

/* One read or write on the connection, plain or TLS: >0 bytes, 0 end of
 * stream (reads), -1 with *want POLLIN/POLLOUT to wait for, or -1 with
 * *want 0 on an error. */
static ssize_t conn_io(mllp_conn *c, int writing, void *data, size_t len, short *want)
{
    *want = 0;
    if (c->tls != NULL) {
        int w;
        ssize_t n = writing ? tls_write(c->tls, data, len, &w) : tls_read(c->tls, data, len, &w);
        if (n < 0 && w != TLS_WANT_NONE)
            *want = w == TLS_WANT_READ ? POLLIN : POLLOUT;
        return n;
    }
    ssize_t n = writing ? send(c->fd, data, len, MSG_NOSIGNAL) : recv(c->fd, data, len, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        *want = writing ? POLLOUT : POLLIN;
    return n;
}

/* Write all of data; the socket is non-blocking so that a peer that stops
 * reading cannot hold the thread (and thus stop) forever. */
static int write_all(mllp_conn *c, const char *data, size_t len, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (len > 0) {
        short want;
        ssize_t n = conn_io(c, 1, (void *)data, len, &want);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (want == 0)
            return -1;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = { .fd = c->fd, .events = want };
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno != EINTR)
            return -1;
    }
    return 0;
}

/* Send the handler's reply, framed; an empty reply sends nothing. */
static int send_reply(mllp_conn *c, const buf *reply, buf *out)
{
    if (reply->len == 0)
        return 0;
    buf_reset(out);
    mllp_frame(out, reply->data, reply->len);
    return write_all(c, out->data, out->len, c->s->frame_ms);
}

/* Run the decoder over data and answer every complete message, in order.
 * Returns 0 to keep reading, -1 to close (*why says why, for the log). */
static int process(mllp_conn *c, mllp_decoder *d, const char *data, size_t len, int *in_frame,
                   int64_t *frame_start, buf *reply, buf *out, const char **why)
{
    mllp_server *s = c->s;
    size_t off = 0;
    while (off < len) {
        size_t used = 0;
        socle_err err;
        err_clear(&err);
        int rc = mllp_decoder_feed(d, data + off, len - off, &used, &err);
        off += used;
        if (rc == 0)
            break;
        buf_reset(reply);
        if (rc < 0) {
            log_warn("mllp: %s: framing error: %s", c->peer, err.msg);
            s->handler(s->ctx, c->peer, NULL, 0, err.msg, reply);
            send_reply(c, reply, out);
            *why = "framing error";
            return -1;
        }
        size_t mlen;
        const char *msg = mllp_decoder_message(d, &mlen);
        s->handler(s->ctx, c->peer, msg, mlen, NULL, reply);
        mllp_decoder_next(d);
        *in_frame = 0;
        if (send_reply(c, reply, out) != 0) {
            *why = "write failed";
            return -1;
        }
        /* The reply of the message in hand is sent; later ones wait for
         * a restart (the sender resends what was not acknowledged). */
        if (is_stopping(s)) {
            *why = "server stopping";
            return -1;
        }
    }
    if (mllp_decoder_partial(d) && !*in_frame) {
        *in_frame = 1;
        *frame_start = now_ms();
    }
    return 0;
}

static void *conn_main(void *arg)
{
    mllp_conn *c = arg;
    mllp_server *s = c->s;
    mllp_decoder d;
    buf reply = { 0 }, out = { 0 };
    char data[MLLP_READ_CHUNK];
    int in_frame = 0;
    int64_t frame_start = 0, last = now_ms();
    const char *why = "closed by peer";

    mllp_decoder_init(&d, s->max_message);
    log_info("mllp: connection from %s", c->peer);
    if (s->tls != NULL) {
        socle_err err;
        err_clear(&err);
        if (tls_accept(s->tls, c->fd, now_ms() + s->frame_ms, &c->tls, &err) != 0) {
            log_warn("mllp: %s: %s", c->peer, err.msg);
            why = "TLS handshake failed";
            goto closed;
        }
        if (tls_peer_subject(c->tls)[0] != '\0')
            log_info("mllp: %s: TLS peer %s", c->peer, tls_peer_subject(c->tls));
    }
    short want = POLLIN;
    for (;;) {
        if (is_stopping(s)) {
            why = "server stopping";
            break;
        }
        int64_t deadline = in_frame ? frame_start + s->frame_ms : last + s->idle_ms;
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            why = in_frame ? "frame timeout" : "idle timeout";
            break;
        }
        /* TLS may hold decrypted bytes the socket no longer signals. */
        if (c->tls == NULL || tls_pending(c->tls) == 0) {
            struct pollfd p = { .fd = c->fd, .events = want };
            int rc = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
            if (rc < 0) {
                if (errno == EINTR)
                    continue;
                why = "poll failed";
                break;
            }
            if (rc == 0)
                continue;  /* the deadline check above decides */
        }
        ssize_t n = conn_io(c, 0, data, sizeof data, &want);
        if (n < 0) {
            if (want != 0)
                continue;
            why = "read failed";
            break;
        }
        want = POLLIN;
        if (n == 0) {
            /* Also what stop's shutdown(SHUT_RD) looks like from here. */
            if (is_stopping(s))
                why = "server stopping";
            break;
        }
        if (process(c, &d, data, (size_t)n, &in_frame, &frame_start, &reply, &out, &why) != 0)
            break;
        last = now_ms();
    }
closed:
    log_info("mllp: connection from %s closed (%s)", c->peer, why);

    tls_conn_free(c->tls);
    c->tls = NULL;
    mllp_decoder_free(&d);
    buf_free(&reply);
    buf_free(&out);
    /* Close under the lock: stop shuts down fds it finds here, and must
     * never touch a number the system has already handed to someone else. */
    pthread_mutex_lock(&s->lock);
    close(c->fd);
    c->fd = -1;
    c->done = 1;
    s->active--;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Join the connection threads that have finished (lock held). Their fds
 * are already closed, so joining returns at once. */
static void reap_done(mllp_server *s)
{
    mllp_conn **pp = &s->conns;
    while (*pp != NULL) {
        mllp_conn *c = *pp;
        if (c->done) {
            *pp = c->next;
            pthread_join(c->thread, NULL);
            free(c);
        } else {
            pp = &c->next;
        }
    }
}

static void admit(mllp_server *s, int fd, const struct sockaddr_storage *ss)
{
    char peer[MLLP_PEER_MAX];
    format_peer(ss, peer, sizeof peer);

    pthread_mutex_lock(&s->lock);
    reap_done(s);
    if (s->stopping) {
        pthread_mutex_unlock(&s->lock);
        close(fd);
        return;
    }
    if (s->active >= MLLP_MAX_CONNECTIONS) {
        pthread_mutex_unlock(&s->lock);
        log_warn("mllp: connection from %s refused: %d connections already open", peer,
                 MLLP_MAX_CONNECTIONS);
        close(fd);
        return;
    }
    mllp_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        pthread_mutex_unlock(&s->lock);
        log_error("mllp: connection from %s refused: out of memory", peer);
        close(fd);
        return;
    }
    c->s = s;
    c->fd = fd;
    memcpy(c->peer, peer, sizeof peer);
    /* Created under the lock so that the thread cannot finish (and take
     * the lock to mark itself done) before it is on the list. */
    int rc = pthread_create(&c->thread, NULL, conn_main, c);
    if (rc != 0) {
        pthread_mutex_unlock(&s->lock);
        log_error("mllp: connection from %s refused: cannot create thread: %s", peer,
                  strerror(rc));
        close(fd);
        free(c);
        return;
    }
    c->next = s->conns;
    s->conns = c;
    s->active++;
    pthread_mutex_unlock(&s->lock);
}

static void *accept_main(void *arg)
{
    mllp_server *s = arg;
    for (;;) {
        struct pollfd p[2] = {
            { .fd = s->listen_fd, .events = POLLIN },
            { .fd = s->wake[0], .events = POLLIN },
        };
        int rc = poll(p, 2, -1);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            log_error("mllp: poll on the listening socket failed: %s", strerror(errno));
            break;
        }
        if (p[1].revents != 0)
            break;
        struct sockaddr_storage ss;
        socklen_t sslen = sizeof ss;
        int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &sslen,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ||
                errno == ECONNABORTED)
                continue;
            /* Out of descriptors, say: back off for a second instead of
             * spinning, but keep listening to the wake pipe. */
            log_warn("mllp: accept failed: %s", strerror(errno));
            struct pollfd w = { .fd = s->wake[0], .events = POLLIN };
            if (poll(&w, 1, 1000) > 0)
                break;
            continue;
        }
        admit(s, fd, &ss);
    }
    return NULL;
}

static int open_listener(mllp_server *s, const mllp_server_config *cfg, socle_err *err)
{
    struct sockaddr_storage addr;
    socklen_t alen;
    memset(&addr, 0, sizeof addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
    if (inet_pton(AF_INET, cfg->bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)cfg->port);
        alen = sizeof *v4;
    } else if (inet_pton(AF_INET6, cfg->bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)cfg->port);
        alen = sizeof *v6;
    } else {
        return err_set(err, SOCLE_EINVAL,
                       "mllp bind address '%s' is not an IPv4 or IPv6 address", cfg->bind);
    }

    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_set(err, SOCLE_EIO, "mllp socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, alen) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, SOCLE_EIO, "cannot bind mllp to %s:%d: %s", cfg->bind, cfg->port,
                       strerror(e));
    }
    if (listen(fd, MLLP_BACKLOG) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, SOCLE_EIO, "cannot listen on %s:%d: %s", cfg->bind, cfg->port,
                       strerror(e));
    }
    struct sockaddr_storage got;
    socklen_t glen = sizeof got;
    if (getsockname(fd, (struct sockaddr *)&got, &glen) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, SOCLE_EIO, "mllp getsockname: %s", strerror(e));
    }
    s->port = got.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&got)->sin_port)
                                       : ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
    s->listen_fd = fd;
    return 0;
}

int mllp_server_start(mllp_server **out, const mllp_server_config *cfg,
                      mllp_handler handler, void *ctx, socle_err *err)
{
    *out = NULL;
    if (cfg->bind == NULL)
        return err_set(err, SOCLE_EINVAL, "mllp bind address missing");
    if (cfg->port < 0 || cfg->port > 65535)
        return err_set(err, SOCLE_EINVAL, "mllp port %d out of range", cfg->port);
    if (cfg->idle_timeout < 0 || cfg->frame_timeout < 0)
        return err_set(err, SOCLE_EINVAL, "mllp timeouts must not be negative");
    if (handler == NULL)
        return err_set(err, SOCLE_EINVAL, "mllp handler missing");

    mllp_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    s->listen_fd = -1;
    s->handler = handler;
    s->ctx = ctx;
    s->max_message = cfg->max_message ? cfg->max_message : MLLP_DEFAULT_MAX;
    s->idle_ms = (int64_t)(cfg->idle_timeout ? cfg->idle_timeout : MLLP_DEFAULT_IDLE) * 1000;
    s->frame_ms = (int64_t)(cfg->frame_timeout ? cfg->frame_timeout : MLLP_DEFAULT_FRAME) * 1000;

    if (cfg->tls_cert != NULL && cfg->tls_cert[0] != '\0'
        && tls_server_new(&s->tls, cfg->tls_cert, cfg->tls_key ? cfg->tls_key : cfg->tls_cert,
                          cfg->tls_client_ca, err) != 0) {
        free(s);
        return -1;
    }
    if (open_listener(s, cfg, err) != 0) {
        tls_server_free(s->tls);
        free(s);
        return -1;
    }
    if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        int e = errno;
        close(s->listen_fd);
        tls_server_free(s->tls);
        free(s);
        return err_set(err, SOCLE_EIO, "mllp pipe: %s", strerror(e));
    }
    pthread_mutex_init(&s->lock, NULL);
    int rc = pthread_create(&s->accept_thread, NULL, accept_main, s);
    if (rc != 0) {
        pthread_mutex_destroy(&s->lock);
        close(s->wake[0]);
        close(s->wake[1]);
        close(s->listen_fd);
        tls_server_free(s->tls);
        free(s);
        return err_set(err, SOCLE_EIO, "mllp accept thread: %s", strerror(rc));
    }
    log_info("mllp: listening on %s port %d%s", cfg->bind, s->port,
             s->tls ? " (TLS)" : "");
    *out = s;
    return 0;
}

int mllp_server_port(const mllp_server *s)
{
    return s->port;
}

void mllp_server_stop(mllp_server *s)
{
    if (s == NULL)
        return;

    pthread_mutex_lock(&s->lock);
    __atomic_store_n(&s->stopping, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&s->lock);

    /* Stop accepting first, so that no connection appears behind us. */
    char byte = 1;
    while (write(s->wake[1], &byte, 1) < 0 && errno == EINTR)
        ;
    pthread_join(s->accept_thread, NULL);
    close(s->listen_fd);
    close(s->wake[0]);
    close(s->wake[1]);

    /* Wake the connections blocked in poll(); the write side stays open
     * so that a reply being produced can still be sent. */
    pthread_mutex_lock(&s->lock);
    mllp_conn *list = s->conns;
    s->conns = NULL;
    for (mllp_conn *c = list; c != NULL; c = c->next)
        if (c->fd >= 0)
            shutdown(c->fd, SHUT_RD);
    pthread_mutex_unlock(&s->lock);

    /* Join without the lock: finishing threads take it to mark themselves. */
    while (list != NULL) {
        mllp_conn *next = list->next;
        pthread_join(list->thread, NULL);
        free(list);
        list = next;
    }
    pthread_mutex_destroy(&s->lock);
    tls_server_free(s->tls);
    log_info("mllp: stopped");
    free(s);
}
