/*
 * test_crash.c - an AA means "durably stored", even across kill -9.
 *
 * Several connections send A28s (each its own IPP and MSH-10) to a real
 * `socle serve` as fast as it answers, and remember every message that got
 * an AA and the ACK's bytes. The server is killed with SIGKILL in the
 * middle of the load (messages in flight, batches committing), restarted
 * on the same data dir, and then:
 *   - every AA'd message sent again gets the very same ACK, byte for byte
 *     (it is answered from the journal: it was stored, and is not applied
 *     a second time);
 *   - `socle export identities` lists each AA'd IPP exactly once, and
 *     nothing beyond what was sent (at most the messages left in flight).
 *
 * Every patient here is invented.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hl7_support.h"

TestSuite(crash, .init = hl7_setup, .fini = hl7_teardown, .timeout = 120);

#define SENDERS 4
#define PER_SENDER_MAX 4000
#define KILL_AFTER_AA 150        /* or KILL_AFTER_MS, whichever comes first */
#define KILL_AFTER_MS 3000
#define IO_TIMEOUT_MS 10000

typedef struct sent {
    char ipp[32];
    char control[32];
    char *msg;
    char *ack;          /* NULL: no AA (unanswered, or another code) */
    size_t ack_len;
} sent;

typedef struct sender {
    int index;
    int port;
    sent msgs[PER_SENDER_MAX];
    int n_sent;         /* messages written (the last may be unanswered) */
    int n_aa;
} sender;

static atomic_int total_aa;

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Send msg framed, read one framed reply into a malloc'd string. No
 * Criterion assertion here: this runs in the sender threads, and the
 * server dying is the expected end. Returns NULL when the connection
 * fails. */
static char *mllp_call(int fd, const char *msg, size_t *reply_len)
{
    size_t len = strlen(msg);
    char *framed = malloc(len + 3);
    if (framed == NULL)
        return NULL;
    framed[0] = 0x0b;
    memcpy(framed + 1, msg, len);
    framed[len + 1] = 0x1c;
    framed[len + 2] = 0x0d;
    size_t off = 0;
    while (off < len + 3) {
        ssize_t n = send(fd, framed + off, len + 3 - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(framed);
            return NULL;
        }
        off += (size_t)n;
    }
    free(framed);

    size_t cap = 4096, have = 0;
    char *in = malloc(cap);
    while (in != NULL) {
        char *end = have >= 2 ? memmem(in, have, "\x1c\x0d", 2) : NULL;
        if (end != NULL) {
            char *start = memchr(in, 0x0b, (size_t)(end - in));
            if (start == NULL)
                break;
            size_t n = (size_t)(end - start - 1);
            memmove(in, start + 1, n);
            in[n] = '\0';
            *reply_len = n;
            return in;
        }
        if (have + 1 >= cap) {
            char *bigger = realloc(in, cap * 2);
            if (bigger == NULL)
                break;
            in = bigger;
            cap *= 2;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, IO_TIMEOUT_MS) <= 0)
            break;
        ssize_t n = recv(fd, in + have, cap - have - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    free(in);
    return NULL;
}

/* MSA-1 of an ACK is AA. */
static int is_aa(const char *text)
{
    const char *msa = strstr(text, "\rMSA|");
    return msa != NULL && strncmp(msa + 5, "AA", 2) == 0 && (msa[7] == '|' || msa[7] == '\r');
}

static void *send_until_dead(void *arg)
{
    sender *s = arg;
    int fd = connect_to(s->port);
    if (fd < 0)
        return NULL;
    for (int i = 0; i < PER_SENDER_MAX; i++) {
        sent *m = &s->msgs[i];
        snprintf(m->ipp, sizeof m->ipp, "CRASH%dX%d", s->index, i);
        snprintf(m->control, sizeof m->control, "CRASH-%d-%d", s->index, i);
        char pid[256];
        snprintf(pid, sizeof pid, "%s^^^HOP&1.2.250.1.999.1&ISO^PI||CRASHTEST^ALICE^ALICE^^^^L"
                 "||19850715|F", m->ipp);
        m->msg = strdup(a28(m->control, pid));
        s->n_sent = i + 1;
        size_t len = 0;
        char *answer = mllp_call(fd, m->msg, &len);
        if (answer == NULL)
            break;                      /* the server is gone */
        if (is_aa(answer)) {
            m->ack = answer;
            m->ack_len = len;
            s->n_aa++;
            atomic_fetch_add(&total_aa, 1);
        } else {
            free(answer);
        }
    }
    close(fd);
    return NULL;
}

/* The IPPs of export identities' CSV (domain,ipp,...) for our domain. */
static int count_ipp(const char *csv, const char *ipp)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\n1.2.250.1.999.1,%s,", ipp);
    int n = 0;
    for (const char *p = strstr(csv, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static int count_lines_with(const char *csv, const char *prefix)
{
    int n = 0;
    for (const char *p = strstr(csv, prefix); p != NULL; p = strstr(p + 1, prefix))
        n++;
    return n;
}

Test(crash, every_AA_survives_kill_9_exactly_once)
{
    static sender senders[SENDERS];
    memset(senders, 0, sizeof senders);
    atomic_store(&total_aa, 0);

    h_server s;
    start(&s);
    pthread_t t[SENDERS];
    for (int i = 0; i < SENDERS; i++) {
        senders[i].index = i;
        senders[i].port = mllp_port;
        cr_assert_eq(pthread_create(&t[i], NULL, send_until_dead, &senders[i]), 0);
    }
    long long t0 = mono_ms();
    while (atomic_load(&total_aa) < KILL_AFTER_AA && mono_ms() - t0 < KILL_AFTER_MS)
        usleep(10 * 1000);
    int status;
    cr_assert_eq(h_server_stop(&s, SIGKILL, H_STOP_TIMEOUT_MS, &status), 0);
    cr_expect_eq(status, 128 + SIGKILL, "killed, not exited (status %d)", status);
    for (int i = 0; i < SENDERS; i++)
        pthread_join(t[i], NULL);

    int aa = 0, written = 0;
    for (int i = 0; i < SENDERS; i++) {
        aa += senders[i].n_aa;
        written += senders[i].n_sent;
    }
    cr_assert_gt(aa, 0, "no message was acknowledged before the kill");
    cr_log_info("%d messages written, %d AA before kill -9", written, aa);

    /* Restart: every AA'd message sent again gets its stored ACK. */
    start(&s);
    int fd = mllp_connect();
    int replayed = 0;
    for (int i = 0; i < SENDERS; i++)
        for (int k = 0; k < senders[i].n_sent; k++) {
            sent *m = &senders[i].msgs[k];
            if (m->ack == NULL)
                continue;
            size_t len = 0;
            char *again = mllp_call(fd, m->msg, &len);
            cr_assert_not_null(again, "no answer to %s after the restart", m->control);
            cr_expect(len == m->ack_len && memcmp(again, m->ack, len) == 0,
                      "%s: not answered from the journal after the restart:\n%s",
                      m->control, again);
            free(again);
            replayed++;
        }
    close(fd);
    cr_expect_eq(replayed, aa);
    stop(&s);

    /* One local identity per AA'd IPP; none twice; none never sent. */
    h_result r;
    cr_assert_eq(H_RUN(&r, "export", "identities", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    int listed = count_lines_with(r.out, "\n1.2.250.1.999.1,CRASH");
    for (int i = 0; i < SENDERS; i++)
        for (int k = 0; k < senders[i].n_sent; k++) {
            sent *m = &senders[i].msgs[k];
            int n = count_ipp(r.out, m->ipp);
            if (m->ack != NULL)
                cr_expect_eq(n, 1, "%s (AA) listed %d times", m->ipp, n);
            else
                cr_expect_leq(n, 1, "%s listed %d times", m->ipp, n);
        }
    /* Beyond the AA'd ones, only the messages in flight at the kill (one
     * per connection at most) may have been stored. */
    cr_expect_geq(listed, aa);
    cr_expect_leq(listed, aa + SENDERS, "%d identities for %d AA", listed, aa);
    h_result_free(&r);

    for (int i = 0; i < SENDERS; i++)
        for (int k = 0; k < senders[i].n_sent; k++) {
            free(senders[i].msgs[k].msg);
            free(senders[i].msgs[k].ack);
        }
}
