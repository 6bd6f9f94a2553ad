/*
 * mllp_client.c - MLLP client: connect, frame, read the framed reply.
 */
#include "hl7/mllp_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hl7/mllp.h"

struct mllp_client {
    int fd;
    mllp_client_opts opts;
    char peer[300];
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cancelled(const mllp_client_opts *o)
{
    return o->cancel != NULL && atomic_load(o->cancel) != 0;
}

/* Wait for events on fd until deadline, in slices that watch the cancel
 * flag. 1 ready, 0 timed out, -1 cancelled or poll failed (errno). */
static int wait_fd(int fd, short events, long long deadline, const mllp_client_opts *o,
                   short *revents)
{
    for (;;) {
        if (cancelled(o)) {
            errno = ECANCELED;
            return -1;
        }
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = { .fd = fd, .events = events };
        int rc = poll(&p, 1, (int)(left < MLLP_CLIENT_SLICE_MS ? left : MLLP_CLIENT_SLICE_MS));
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc > 0) {
            *revents = p.revents;
            return 1;
        }
    }
}

static int fail_errno(socle_err *err, const mllp_client *c, const char *what, int e)
{
    if (e == ECANCELED)
        return err_set(err, SOCLE_EBUSY, "%s: %s: cancelled", c->peer, what);
    return err_set(err, SOCLE_EIO, "%s: %s: %s", c->peer, what, strerror(e));
}

/* Connect one address within the time limit. 0, or -1 with errno. */
static int connect_one(mllp_client *c, const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        short rev = 0;
        int rc = wait_fd(fd, POLLOUT, now_ms() + c->opts.connect_timeout_ms, &c->opts, &rev);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) {
            c->fd = fd;
            return 0;
        }
        int e = rc == 0 ? ETIMEDOUT : rc < 0 ? errno : soerr ? soerr : EIO;
        close(fd);
        errno = e;
        return -1;
    }
    c->fd = fd;
    return 0;
}

int mllp_client_connect(mllp_client **out, const char *host, int port,
                        const mllp_client_opts *opts, socle_err *err)
{
    *out = NULL;
    mllp_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    c->fd = -1;
    c->opts = *opts;
    snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);

    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        err_set(err, SOCLE_EIO, "%s: cannot resolve: %s", c->peer, gai_strerror(gai));
        free(c);
        return -1;
    }
    int e = EHOSTUNREACH;
    for (const struct addrinfo *ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next) {
        if (connect_one(c, ai) != 0)
            e = errno;
        if (e == ECANCELED)
            break;
    }
    freeaddrinfo(res);
    if (c->fd < 0) {
        fail_errno(err, c, "connect", e);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int mllp_client_exchange(mllp_client *c, const char *msg, size_t len, buf *reply,
                         socle_err *err)
{
    buf frame = { 0 };
    mllp_frame(&frame, msg, len);
    size_t sent = 0;
    long long deadline = now_ms() + c->opts.reply_timeout_ms;
    int rc = -1;
    while (sent < frame.len) {
        short rev = 0;
        int w = wait_fd(c->fd, POLLOUT, deadline, &c->opts, &rev);
        if (w <= 0) {
            fail_errno(err, c, "send", w == 0 ? ETIMEDOUT : errno);
            goto out;
        }
        ssize_t n = send(c->fd, frame.data + sent, frame.len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            fail_errno(err, c, "send", errno);
            goto out;
        }
        if (n > 0)
            sent += (size_t)n;
    }

    mllp_decoder d;
    mllp_decoder_init(&d, c->opts.max_reply ? c->opts.max_reply : MLLP_DEFAULT_MAX);
    char in[4096];
    for (;;) {
        short rev = 0;
        int w = wait_fd(c->fd, POLLIN, deadline, &c->opts, &rev);
        if (w <= 0) {
            fail_errno(err, c, "waiting for the acknowledgment", w == 0 ? ETIMEDOUT : errno);
            break;
        }
        ssize_t n = recv(c->fd, in, sizeof in, 0);
        if (n == 0) {
            err_set(err, SOCLE_EIO, "%s: connection closed before the acknowledgment", c->peer);
            break;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            fail_errno(err, c, "receive", errno);
            break;
        }
        size_t used = 0, consumed;
        int done = 0;
        while (used < (size_t)n) {
            int f = mllp_decoder_feed(&d, in + used, (size_t)n - used, &consumed, err);
            used += consumed;
            if (f < 0) {
                err_prefix(err, "%s: acknowledgment", c->peer);
                done = -1;
                break;
            }
            if (f == 1) {
                size_t mlen;
                const char *m = mllp_decoder_message(&d, &mlen);
                buf_append(reply, m, mlen);
                done = 1;
                break;  /* anything after the first reply is not ours */
            }
        }
        if (done != 0) {
            rc = done == 1 ? 0 : -1;
            break;
        }
    }
    mllp_decoder_free(&d);
out:
    buf_free(&frame);
    return rc;
}

void mllp_client_close(mllp_client *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}
