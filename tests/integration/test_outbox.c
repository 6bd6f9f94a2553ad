/*
 * test_outbox.c - identity notifications as a subscribed application sees
 * them: a small MLLP receiver in this process (a thread answering AA, AR or
 * AE as each test scripts it) registered with `socle subscriber add`, the
 * real `socle serve` fed PAM messages over MLLP, and what reaches the
 * receiver checked: events, order, PID-3, retries, durability.
 *
 * Every patient here is invented.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hl7/mllp.h"
#include "hl7_support.h"

TestSuite(outbox, .init = hl7_setup, .fini = hl7_teardown, .timeout = 240);

/* ---- A scripted MLLP receiver ------------------------------------------ */

#define RECV_MAX 32

typedef struct received {
    char *text;          /* the message, CR-separated, NUL-ended */
    char trigger[8];     /* MSH-9.2 */
    char control[64];    /* MSH-10 */
    char ipp[64];        /* the IPP of EJ1 in PID-3, "" if none */
    char answer[4];      /* what the receiver answered */
} received;

typedef struct receiver {
    int listen_fd;
    int port;
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    /* Answers, one per message received, in order; AA once they run out. */
    const char *script[8];
    /* Or: answer AR the first refuse_times times this IPP's A28 comes
     * (NULL: unused). */
    const char *refuse_ipp;
    int refuse_times;
    int refused;
    received msgs[RECV_MAX];
    int n;
} receiver;

static void text_of(er7_message *m, size_t seg, size_t field, size_t rep, size_t comp,
                    char *out, size_t n)
{
    er7_slice s = er7_get(m, seg, field, rep, comp, 0);
    snprintf(out, n, "%.*s", (int)s.len, s.ptr);
}

/* Record one message and choose its answer. */
static void take(receiver *r, const char *msg, size_t len, buf *answer)
{
    received rec;
    memset(&rec, 0, sizeof rec);
    rec.text = strndup(msg, len);
    socle_err err = { 0 };
    er7_message *m = er7_parse(rec.text, len, &err);
    if (m != NULL) {
        text_of(m, 0, 9, 1, 2, rec.trigger, sizeof rec.trigger);
        text_of(m, 0, 10, 1, 1, rec.control, sizeof rec.control);
        size_t pid = er7_find(m, "PID", 0);
        for (size_t rep = 1; pid != ER7_NONE && rep <= er7_count(m, pid, 3, 0, 0); rep++) {
            char oid[64];
            text_of(m, pid, 3, rep, 4, oid, sizeof oid);
            if (strstr(oid, "1.2.250.1.999.1&") != NULL)
                text_of(m, pid, 3, rep, 1, rec.ipp, sizeof rec.ipp);
        }
        er7_free(m);
    }
    pthread_mutex_lock(&r->lock);
    const char *code = "AA";
    if (r->n < 8 && r->script[r->n] != NULL)
        code = r->script[r->n];
    if (r->refuse_ipp && r->refused < r->refuse_times && strcmp(rec.ipp, r->refuse_ipp) == 0
        && strcmp(rec.trigger, "A28") == 0) {
        code = "AR";
        r->refused++;
    }
    snprintf(rec.answer, sizeof rec.answer, "%s", code);
    if (r->n < RECV_MAX)
        r->msgs[r->n++] = rec;
    else
        free(rec.text);
    pthread_mutex_unlock(&r->lock);

    buf text = { 0 };
    buf_printf(&text, "MSH|^~\\&|DPI|LABO|SOCLE|GHT|20250101120000||ACK^%s^ACK|R%s|P|2.5\r"
               "MSA|%s|%s\r", rec.trigger, rec.control, code, rec.control);
    if (strcmp(code, "AE") == 0)
        buf_puts(&text, "ERR||PID^1^3|103^Table value not found^HL70357|E||||Unknown patient "
                 "category\r");
    mllp_frame(answer, text.data, text.len);
    buf_free(&text);
}

static void serve_connection(receiver *r, int fd)
{
    mllp_decoder d;
    mllp_decoder_init(&d, MLLP_DEFAULT_MAX);
    char in[4096];
    while (!r->stop) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, in, sizeof in, 0);
        if (n <= 0)
            break;
        size_t used = 0, consumed;
        while (used < (size_t)n) {
            socle_err err = { 0 };
            int f = mllp_decoder_feed(&d, in + used, (size_t)n - used, &consumed, &err);
            used += consumed;
            if (f < 0)
                goto out;
            if (f == 1) {
                size_t len;
                const char *msg = mllp_decoder_message(&d, &len);
                buf framed = { 0 };
                take(r, msg, len, &framed);
                mllp_decoder_next(&d);
                send(fd, framed.data, framed.len, MSG_NOSIGNAL);
                buf_free(&framed);
            }
        }
    }
out:
    mllp_decoder_free(&d);
    close(fd);
}

static void *receiver_main(void *arg)
{
    receiver *r = arg;
    while (!r->stop) {
        struct pollfd p = { .fd = r->listen_fd, .events = POLLIN };
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept(r->listen_fd, NULL, NULL);
        if (fd >= 0)
            serve_connection(r, fd);
    }
    return NULL;
}

/* Listen on port (0: any free one, then remembered in r->port). */
static void receiver_start(receiver *r, int port)
{
    r->stop = 0;
    r->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(r->listen_fd, 0);
    int one = 1;
    setsockopt(r->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(r->listen_fd, (struct sockaddr *)&a, sizeof a), 0, "bind: %s",
                 strerror(errno));
    cr_assert_eq(listen(r->listen_fd, 8), 0);
    socklen_t len = sizeof a;
    getsockname(r->listen_fd, (struct sockaddr *)&a, &len);
    r->port = ntohs(a.sin_port);
    cr_assert_eq(pthread_create(&r->thread, NULL, receiver_main, r), 0);
}

static void receiver_stop(receiver *r)
{
    r->stop = 1;
    pthread_join(r->thread, NULL);
    close(r->listen_fd);
}

static void receiver_init(receiver *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
}

static void receiver_free(receiver *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->msgs[i].text);
    pthread_mutex_destroy(&r->lock);
}

static int received_count(receiver *r)
{
    pthread_mutex_lock(&r->lock);
    int n = r->n;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* Wait (up to 30 s) until the receiver got n messages. */
static void wait_received(receiver *r, int n)
{
    for (int i = 0; i < 600 && received_count(r) < n; i++)
        usleep(50 * 1000);
    cr_assert_geq(received_count(r), n, "the receiver got %d messages, expected %d",
                  received_count(r), n);
}

/* Wait (up to 30 s) until /health shows this many pending rows. */
static void wait_pending(const h_server *s, long long n)
{
    for (int i = 0; i < 600 && health_count(s, "outbox_pending") != n; i++)
        usleep(50 * 1000);
    cr_assert_eq(health_count(s, "outbox_pending"), n);
}

/* ---- Helpers ------------------------------------------------------------ */

static void subscribe(int port)
{
    h_result r;
    cr_assert_eq(H_RUN(&r, "subscriber", "add", "--data", data, "--name", "DPI", "--host",
                       "127.0.0.1", "--port", h_fmt("%d", port)), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

static void send_ok(const char *msg)
{
    ack a = roundtrip(msg);
    expect_code(&a, "AA");
    ack_free(&a);
}

#define IPP2  "IPP2^^^HOP&1.2.250.1.999.1&ISO^PI"
#define A31_USED(ctl, ipp) adt("UNICODE UTF-8", "ADT^A31^ADT_A05", ctl, \
    ipp "||USAGENOM^CLAIRE^^^Mme^^D~" NAME_L "||" BIRTH)

static char *outbox_list(const char *state)
{
    h_result r;
    if (state)
        cr_assert_eq(H_RUN(&r, "outbox", "list", "--data", data, "--state", state), 0);
    else
        cr_assert_eq(H_RUN(&r, "outbox", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    char *out = strdup(r.out);
    h_result_free(&r);
    return out;
}

/* ---- Tests -------------------------------------------------------------- */

Test(outbox, a28_then_a31_arrive_in_order_with_the_ght_view)
{
    receiver rc;
    receiver_init(&rc);
    receiver_start(&rc, 0);
    subscribe(rc.port);
    h_server s;
    start(&s);

    send_ok(a28("OUT-0001", IPP1 "||" NAME_L "||" BIRTH));
    send_ok(A31_USED("OUT-0002", IPP1));
    wait_received(&rc, 2);
    wait_pending(&s, 0);
    cr_assert_eq(health_count(&s, "outbox_failed"), 0);

    cr_assert_str_eq(rc.msgs[0].trigger, "A28", "%s", rc.msgs[0].text);
    cr_assert_str_eq(rc.msgs[1].trigger, "A31", "%s", rc.msgs[1].text);
    cr_assert_str_neq(rc.msgs[0].control, rc.msgs[1].control, "a fresh MSH-10 per message");
    socle_err err = { 0 };
    er7_message *m = er7_parse(rc.msgs[1].text, strlen(rc.msgs[1].text), &err);
    cr_assert_not_null(m, "%s", err.msg);
    size_t pid = er7_find(m, "PID", 0);
    char v[256];
    text_of(m, 0, 5, 1, 1, v, sizeof v);
    cr_assert_str_eq(v, "DPI");
    text_of(m, 0, 18, 1, 1, v, sizeof v);
    cr_assert_str_eq(v, "UNICODE UTF-8");
    /* PID-3: the GHT identity under the GHT's OID, then the IPP under EJ1's. */
    cr_assert_eq(er7_count(m, pid, 3, 0, 0), 2, "%s", rc.msgs[1].text);
    text_of(m, pid, 3, 1, 5, v, sizeof v);
    cr_assert_str_eq(v, "PI");
    er7_slice ght_oid = er7_get(m, pid, 3, 1, 4, 2);
    cr_assert_gt(ght_oid.len, 0);
    text_of(m, pid, 3, 2, 0, v, sizeof v);
    cr_assert_str_eq(v, "IPP1^^^CHU Test&1.2.250.1.999.1&ISO^PI");
    text_of(m, pid, 5, 2, 1, v, sizeof v);
    cr_assert_str_eq(v, "USAGENOM", "the A31 carries the change: %s", rc.msgs[1].text);
    er7_free(m);

    char *list = outbox_list("sent");
    cr_assert(strstr(list, "\tDPI\tA28\t") && strstr(list, "\tDPI\tA31\t"), "%s", list);
    free(list);
    stop(&s);
    receiver_stop(&rc);
    receiver_free(&rc);
}

Test(outbox, refused_for_now_is_retried_with_the_same_control_id)
{
    receiver rc;
    receiver_init(&rc);
    rc.script[0] = "AR";
    receiver_start(&rc, 0);
    subscribe(rc.port);
    h_server s;
    start(&s);

    send_ok(a28("OUT-0101", IPP1 "||" NAME_L "||" BIRTH));
    wait_received(&rc, 2);
    wait_pending(&s, 0);
    cr_assert_str_eq(rc.msgs[0].answer, "AR");
    cr_assert_str_eq(rc.msgs[1].answer, "AA");
    cr_assert_str_eq(rc.msgs[0].trigger, "A28");
    cr_assert_str_eq(rc.msgs[1].trigger, "A28");
    cr_assert_str_eq(rc.msgs[0].control, rc.msgs[1].control, "a retry is the same message");
    char *list = outbox_list(NULL);
    cr_assert(strstr(list, "\tsent\t2\t") != NULL, "two attempts:\n%s", list);
    free(list);
    stop(&s);
    receiver_stop(&rc);
    receiver_free(&rc);
}

Test(outbox, refused_content_fails_and_the_next_message_goes_on)
{
    receiver rc;
    receiver_init(&rc);
    rc.script[0] = "AE";
    receiver_start(&rc, 0);
    subscribe(rc.port);
    h_server s;
    start(&s);

    send_ok(a28("OUT-0201", IPP1 "||" NAME_L "||" BIRTH));
    send_ok(A31_USED("OUT-0202", IPP1));
    wait_received(&rc, 2);
    wait_pending(&s, 0);
    cr_assert_eq(health_count(&s, "outbox_failed"), 1);
    cr_assert_str_eq(rc.msgs[0].trigger, "A28");
    cr_assert_str_eq(rc.msgs[1].trigger, "A31");
    cr_assert_str_eq(rc.msgs[1].answer, "AA");
    usleep(1500 * 1000);
    cr_assert_eq(received_count(&rc), 2, "an AE is not retried");
    char *list = outbox_list("failed");
    cr_assert(strstr(list, "A28") && strstr(list, "AE: 103") && strstr(list, "Unknown patient"),
              "%s", list);
    free(list);
    stop(&s);
    receiver_stop(&rc);
    receiver_free(&rc);
}

Test(outbox, a_patient_waits_for_its_first_message_others_proceed)
{
    receiver rc;
    receiver_init(&rc);
    /* Twice: IPP1 then waits 1 s + 2 s, time enough for IPP2 to go. */
    rc.refuse_ipp = "IPP1";
    rc.refuse_times = 2;
    receiver_start(&rc, 0);
    subscribe(rc.port);
    h_server s;
    start(&s);

    send_ok(a28("OUT-0301", IPP1 "||" NAME_L "||" BIRTH));
    send_ok(a28("OUT-0302", IPP2 "||TESTAUTRE^BRUNO^BRUNO^^M.^^L||19700101|M"));
    send_ok(A31_USED("OUT-0303", IPP1));
    wait_received(&rc, 5);
    wait_pending(&s, 0);

    /* What was accepted, in order. */
    char seq[256] = "";
    int ipp1_a28_accepted = 0;
    for (int i = 0; i < rc.n; i++) {
        received *m = &rc.msgs[i];
        if (strcmp(m->ipp, "IPP1") == 0 && strcmp(m->trigger, "A31") == 0)
            cr_assert(ipp1_a28_accepted, "IPP1's A31 overtook its A28");
        if (strcmp(m->answer, "AA") != 0)
            continue;
        if (strcmp(m->ipp, "IPP1") == 0 && strcmp(m->trigger, "A28") == 0)
            ipp1_a28_accepted = 1;
        snprintf(seq + strlen(seq), sizeof seq - strlen(seq), "%s%s:%s", seq[0] ? " " : "",
                 m->ipp, m->trigger);
    }
    cr_assert_str_eq(seq, "IPP2:A28 IPP1:A28 IPP1:A31",
                     "the other patient went on while IPP1 waited for its retry");
    stop(&s);
    receiver_stop(&rc);
    receiver_free(&rc);
}

Test(outbox, delivery_resumes_when_the_receiver_is_back_even_after_a_restart)
{
    receiver rc;
    receiver_init(&rc);
    receiver_start(&rc, 0);   /* only to get a port, then down */
    int port = rc.port;
    receiver_stop(&rc);
    subscribe(port);
    h_server s;
    start(&s);

    send_ok(a28("OUT-0401", IPP1 "||" NAME_L "||" BIRTH));
    cr_assert_eq(health_count(&s, "outbox_pending"), 1);
    /* Wait for a failed attempt to be recorded. */
    char *list = NULL;
    for (int i = 0; i < 200; i++) {
        free(list);
        list = outbox_list("pending");
        if (strstr(list, "\tpending\t1\t") || strstr(list, "\tpending\t2\t"))
            break;
        usleep(50 * 1000);
    }
    cr_assert(strstr(list, "connect") != NULL, "the attempt failed on connect:\n%s", list);
    free(list);

    /* The row survives a restart of the server. */
    stop(&s);
    start(&s);
    cr_assert_eq(health_count(&s, "outbox_pending"), 1);
    receiver_start(&rc, port);
    wait_received(&rc, 1);
    wait_pending(&s, 0);
    cr_assert_str_eq(rc.msgs[0].trigger, "A28");
    cr_assert_str_eq(rc.msgs[0].ipp, "IPP1");
    stop(&s);
    receiver_stop(&rc);
    receiver_free(&rc);
}

Test(outbox, subscriber_command_line)
{
    h_result r;
    cr_assert_eq(H_RUN(&r, "subscriber", "add", "--data", data, "--name", "LAB", "--host",
                       "lab.example.invalid", "--port", "2600", "--events", "a31, A40",
                       "--ej", "750712184"), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "subscriber", "add", "--data", data, "--name", "LAB", "--host",
                       "h", "--port", "1"), 0);
    ASSERT_EXIT(&r, 1);
    cr_assert(strstr(r.err, "exists already") != NULL, "%s", r.err);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "subscriber", "add", "--data", data, "--name", "X", "--host", "h",
                       "--port", "1", "--ej", "123456789"), 0);
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);
    static const char *const bad[][14] = {
        { "subscriber", "add", "--data", NULL, "--name", "X", "--host", "h", NULL },
        { "subscriber", "add", "--data", NULL, "--name", "X", "--host", "h", "--port", "0", NULL },
        { "subscriber", "add", "--data", NULL, "--name", "X|Y", "--host", "h", "--port", "1",
          NULL },
        { "subscriber", "add", "--data", NULL, "--name", "X", "--host", "h", "--port", "1",
          "--events", "A08", NULL },
        { "subscriber", "list", "--data", NULL, "--port", "1", NULL },
        { "subscriber", "frobnicate", NULL },
        { "outbox", "list", "--data", NULL, "--state", "lost", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[14];
        for (size_t k = 0; k < 14; k++)
            args[k] = bad[i][k] == NULL && k == 3 && bad[i][2] != NULL ? data : bad[i][k];
        cr_assert_eq(h_run(&r, H_CLI_TIMEOUT_MS, args), 0);
        ASSERT_EXIT(&r, 2);
        h_result_free(&r);
    }

    cr_assert_eq(H_RUN(&r, "subscriber", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert_str_eq(r.out, "LAB\tlab.example.invalid\t2600\tactive\tA31,A40\t750712184\n");
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "subscriber", "--help"), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert(strstr(r.out, "--events") != NULL);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "subscriber", "remove", "--data", data, "--name", "LAB"), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "subscriber", "remove", "--data", data, "--name", "LAB"), 0);
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    cr_assert(strstr(r.out, "subscriber.add") && strstr(r.out, "subscriber.remove"), "%s",
              r.out);
    h_result_free(&r);
}
