/*
 * test_outbox.c - the sender's retry schedule, and its outcomes against an
 * unreachable subscriber. Delivery itself is tested over real MLLP in
 * tests/integration/test_outbox.c.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "outbox/outbox.h"
#include "store/store.h"

Test(outbox, backoff_doubles_from_one_second_up_to_five_minutes)
{
    outbox_config c;
    outbox_config_defaults(&c);
    static const int64_t want[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000,
                                    256000, 300000, 300000 };
    for (int i = 0; i < (int)(sizeof want / sizeof want[0]); i++)
        cr_assert_eq(outbox_backoff_ms(&c, i + 1), want[i], "after %d failures: %lld", i + 1,
                     (long long)outbox_backoff_ms(&c, i + 1));
    cr_assert_eq(outbox_backoff_ms(&c, 100000), 300000, "no overflow after many failures");
    cr_assert_eq(outbox_backoff_ms(&c, 0), 1000);
}

Test(outbox, backoff_follows_the_configuration)
{
    outbox_config c;
    outbox_config_defaults(&c);
    c.backoff_initial_ms = 250;
    c.backoff_max_ms = 1500;
    cr_assert_eq(outbox_backoff_ms(&c, 1), 250);
    cr_assert_eq(outbox_backoff_ms(&c, 3), 1000);
    cr_assert_eq(outbox_backoff_ms(&c, 4), 1500);
}

/* ---- The sender on a real store, against a port nobody listens on ---- */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);   /* nobody listens there now */
    return ntohs(a.sin_port);
}

typedef struct seen {
    int n;
    outbox_state state[4];
    int attempts[4];
    char error[4][SOCLE_REASON_MAX];
} seen;

static int see(const outbox_row *r, void *ctx)
{
    seen *s = ctx;
    if (s->n < 4) {
        s->state[s->n] = r->state;
        s->attempts[s->n] = r->attempts;
        snprintf(s->error[s->n], SOCLE_REASON_MAX, "%s", r->last_error);
    }
    s->n++;
    return 0;
}

Test(outbox, unreachable_is_retried_and_unrenderable_fails)
{
    char dir[] = "/tmp/socle-outbox-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    store *st = NULL;
    socle_err err = { 0 };
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);

    subscriber sub = { .port = free_port(), .active = 1 };
    strcpy(sub.name, "DOWN");
    strcpy(sub.host, "127.0.0.1");
    strcpy(sub.created_at, "2025-01-01T00:00:00.000Z");
    outbox_row bad = { .ght_id = 1, .payload = "{}" }, good = { .ght_id = 2 };
    good.payload = "{\"event\":\"A28\",\"at\":\"2025-01-01T00:00:00.000Z\","
                   "\"ght\":{\"id\":2,\"oid\":\"1.2.250.1.999.100\",\"name\":\"G\"},"
                   "\"patient\":{\"traits\":{\"birth_name\":\"DOWN-TEST\",\"sex\":\"M\"},"
                   "\"contact\":{},\"status\":\"PROV\",\"attributes\":[]},\"identifiers\":[]}";
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(store_subscriber_insert(st, &sub, &err), 0, "%s", err.msg);
    outbox_row *rows[] = { &bad, &good };
    for (int i = 0; i < 2; i++) {
        rows[i]->subscriber_id = sub.id;
        strcpy(rows[i]->subscriber, sub.name);
        strcpy(rows[i]->event, "A28");
        strcpy(rows[i]->message_id, i ? "GOOD" : "BAD");
        strcpy(rows[i]->created_at, "2025-01-01T00:00:00.000Z");
        cr_assert_eq(store_outbox_insert(st, rows[i], &err), 0, "%s", err.msg);
    }
    cr_assert_eq(store_commit(st, &err), 0);

    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    outbox_config c;
    outbox_config_defaults(&c);
    c.idle_ms = 50;
    c.backoff_initial_ms = 60000;   /* one attempt only during the test */
    outbox_sender *s = NULL;
    cr_assert_eq(outbox_start(&s, st, &lock, &c, &err), 0, "%s", err.msg);
    seen sn = { 0 };
    for (int tries = 0; tries < 200; tries++) {
        memset(&sn, 0, sizeof sn);
        pthread_mutex_lock(&lock);
        cr_assert_eq(store_outbox_foreach(st, -1, see, &sn, &err), 0);
        pthread_mutex_unlock(&lock);
        if (sn.n == 2 && sn.attempts[1] > 0)
            break;
        usleep(50 * 1000);
    }
    outbox_stop(s);

    cr_assert_eq(sn.n, 2);
    cr_assert_eq(sn.state[0], OUTBOX_FAILED, "a payload that cannot be rendered fails");
    cr_assert(strstr(sn.error[0], "payload") != NULL, "%s", sn.error[0]);
    cr_assert_eq(sn.state[1], OUTBOX_PENDING, "an unreachable subscriber is retried");
    cr_assert_eq(sn.attempts[1], 1, "once: the back-off holds it");
    cr_assert(strstr(sn.error[1], "connect") != NULL, "%s", sn.error[1]);
    int64_t pending, failed;
    cr_assert_eq(store_outbox_counts(st, &pending, &failed, &err), 0);
    cr_assert_eq(pending, 1);
    cr_assert_eq(failed, 1);
    store_close(st);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
