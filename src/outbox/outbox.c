/*
 * outbox.c - the notification sender thread (see outbox.h).
 */
#include "outbox/outbox.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl7/mllp.h"
#include "hl7/mllp_client.h"
#include "hl7/pam_notify.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/array.h"

struct outbox_sender {
    struct store *st;              /* borrowed, used under *store_lock */
    pthread_mutex_t *store_lock;
    outbox_config cfg;
    pthread_t thread;
    pthread_mutex_t wake_lock;     /* guards kicked, with wake */
    pthread_cond_t wake;
    int kicked;
    atomic_int stop;
};

void outbox_config_defaults(outbox_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->app = "SOCLE";
    cfg->facility = "GHT";
    cfg->connect_timeout_ms = 5000;
    cfg->reply_timeout_ms = 30000;
    cfg->idle_ms = 500;
    cfg->batch = 64;
    cfg->backoff_initial_ms = 1000;
    cfg->backoff_max_ms = 5 * 60 * 1000;
}

int64_t outbox_backoff_ms(const outbox_config *cfg, int attempts)
{
    int64_t d = cfg->backoff_initial_ms;
    for (int i = 1; i < attempts && d < cfg->backoff_max_ms; i++)
        d *= 2;
    return d < cfg->backoff_max_ms ? d : cfg->backoff_max_ms;
}

/* ---- Time ------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The store's timestamp form, "YYYY-MM-DDTHH:MM:SS.mmmZ", of a time in ms. */
static void iso_ms(int64_t ms, char out[SOCLE_TS_MAX])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, SOCLE_TS_MAX, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        str_copy(out, SOCLE_TS_MAX, "1970-01-01T00:00:00.000Z");
        return;
    }
    size_t k = strlen(out);
    snprintf(out + k, SOCLE_TS_MAX - k, ".%03dZ", (int)(ms % 1000));
}

/* ---- Rows ------------------------------------------------------------- */

/* A due row, copied out of the store (its payload is borrowed there). */
typedef struct due_row {
    outbox_row r;
    char *payload;
} due_row;

typedef struct due_list {
    due_row *items;
    size_t len, cap;
} due_list;

static int collect_due(const outbox_row *r, void *ctx)
{
    due_list *l = ctx;
    due_row *d = ARRAY_PUSH(l->items, l->len, l->cap);
    d->r = *r;
    d->payload = strdup(r->payload);
    if (d->payload == NULL)
        abort();
    d->r.payload = d->payload;
    d->r.ack = NULL;
    return 0;
}

static void due_free(due_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i].payload);
    free(l->items);
    memset(l, 0, sizeof *l);
}

typedef struct sub_list {
    subscriber *items;
    size_t len, cap;
} sub_list;

static int collect_sub(const subscriber *s, void *ctx)
{
    sub_list *l = ctx;
    *ARRAY_PUSH(l->items, l->len, l->cap) = *s;
    return 0;
}

/* ---- Recording an attempt --------------------------------------------- */

typedef enum attempt_result { SENT, FAILED, RETRY } attempt_result;

/* Commit the outcome of one attempt on row r. */
static void record(outbox_sender *s, const outbox_row *r, attempt_result res,
                   const char *detail, const char *ack, int64_t *retry_at)
{
    socle_err err;
    err_clear(&err);
    char at[SOCLE_TS_MAX];
    int64_t now = now_ms();
    int64_t next = now + outbox_backoff_ms(&s->cfg, r->attempts + 1);
    pthread_mutex_lock(s->store_lock);
    int rc = store_begin(s->st, &err);
    if (rc == 0) {
        switch (res) {
        case SENT:
            iso_ms(now, at);
            rc = store_outbox_mark_sent(s->st, r->id, at, ack ? ack : "", &err);
            break;
        case FAILED:
            rc = store_outbox_mark_failed(s->st, r->id, detail, ack ? ack : "", &err);
            break;
        case RETRY:
            iso_ms(next, at);
            rc = store_outbox_mark_retry(s->st, r->id, at, detail, &err);
            break;
        }
        if (rc == 0)
            rc = store_commit(s->st, &err);
        if (rc != 0)
            store_rollback(s->st);
    }
    pthread_mutex_unlock(s->store_lock);
    if (retry_at != NULL)
        *retry_at = next;
    if (rc != 0)
        log_error("outbox: row %" PRId64 " to %s: cannot record the outcome (%s): %s", r->id,
                  r->subscriber, detail && detail[0] ? detail : "sent", err.msg);
    else if (res == FAILED)
        log_warn("outbox: %s %" PRId64 " to %s failed, not retried: %s", r->event, r->id,
                 r->subscriber, detail);
    else if (res == RETRY)
        log_warn("outbox: %s %" PRId64 " to %s: attempt %d failed, next in %" PRId64 " ms: %s",
                 r->event, r->id, r->subscriber, r->attempts + 1, next - now, detail);
}

/* ---- One subscriber's turn -------------------------------------------- */

/* Deliver what is due for one subscriber. Returns the number of attempts
 * made; *down_until is set when the subscriber could not be reached. */
static int serve_subscriber(outbox_sender *s, const subscriber *sub, int64_t *down_until)
{
    char now[SOCLE_TS_MAX];
    iso_ms(now_ms(), now);
    due_list due = { 0 };
    socle_err err;
    err_clear(&err);
    pthread_mutex_lock(s->store_lock);
    int rc = store_outbox_due(s->st, sub->id, now, s->cfg.batch, collect_due, &due, &err);
    pthread_mutex_unlock(s->store_lock);
    if (rc != 0) {
        log_error("outbox: %s: cannot read the queue: %s", sub->name, err.msg);
        due_free(&due);
        return 0;
    }

    mllp_client_opts opts = {
        .connect_timeout_ms = s->cfg.connect_timeout_ms,
        .reply_timeout_ms = s->cfg.reply_timeout_ms,
        .max_reply = MLLP_DEFAULT_MAX,
        .cancel = &s->stop,
    };
    pam_notify_config pc = { .app = s->cfg.app, .facility = s->cfg.facility };
    mllp_client *conn = NULL;
    buf msg = { 0 }, ack = { 0 };
    int attempts = 0;
    for (size_t i = 0; i < due.len && !atomic_load(&s->stop); i++) {
        const outbox_row *r = &due.items[i].r;
        buf_reset(&msg);
        buf_reset(&ack);
        err_clear(&err);
        if (pam_notify_render(&pc, sub->name, r->event, r->payload, r->message_id, time(NULL),
                              &msg, &err) != 0) {
            record(s, r, FAILED, err.msg, NULL, NULL);  /* the same bytes would fail again */
            attempts++;
            continue;
        }
        if (conn == NULL
            && mllp_client_connect(&conn, sub->host, sub->port, &opts, &err) != 0) {
            if (err.code != SOCLE_EBUSY) {  /* not cancelled: a real failure */
                record(s, r, RETRY, err.msg, NULL, down_until);
                attempts++;
            }
            break;  /* the subscriber's other rows wait with this one */
        }
        if (mllp_client_exchange(conn, msg.data, msg.len, &ack, &err) != 0) {
            mllp_client_close(conn);
            conn = NULL;
            if (err.code != SOCLE_EBUSY) {
                record(s, r, RETRY, err.msg, NULL, down_until);
                attempts++;
            }
            break;
        }
        char detail[SOCLE_REASON_MAX];
        pam_notify_outcome o = pam_notify_read_ack(ack.data, ack.len, r->message_id, detail,
                                                   sizeof detail);
        record(s, r, o == PAM_NOTIFY_DELIVERED ? SENT : o == PAM_NOTIFY_REJECTED ? FAILED : RETRY,
               detail, buf_cstr(&ack), NULL);
        attempts++;
    }
    mllp_client_close(conn);
    buf_free(&msg);
    buf_free(&ack);
    due_free(&due);
    return attempts;
}

/* ---- The thread ------------------------------------------------------- */

/* Subscribers that could not be reached, until when (in memory only: after
 * a restart every subscriber is tried again at once). */
typedef struct down_list {
    int64_t *ids, *until;
    size_t len, cap;
} down_list;

static int64_t down_get(const down_list *d, int64_t id)
{
    for (size_t i = 0; i < d->len; i++)
        if (d->ids[i] == id)
            return d->until[i];
    return 0;
}

static void down_set(down_list *d, int64_t id, int64_t until)
{
    for (size_t i = 0; i < d->len; i++)
        if (d->ids[i] == id) {
            d->until[i] = until;
            return;
        }
    if (d->len == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 8;
        d->ids = realloc(d->ids, d->cap * sizeof *d->ids);
        d->until = realloc(d->until, d->cap * sizeof *d->until);
        if (d->ids == NULL || d->until == NULL)
            abort();
    }
    d->ids[d->len] = id;
    d->until[d->len++] = until;
}

static void idle(outbox_sender *s)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += s->cfg.idle_ms / 1000;
    deadline.tv_nsec += (long)(s->cfg.idle_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->wake_lock);
    while (!s->kicked && !atomic_load(&s->stop))
        if (pthread_cond_timedwait(&s->wake, &s->wake_lock, &deadline) != 0)
            break;
    s->kicked = 0;
    pthread_mutex_unlock(&s->wake_lock);
}

static void *run(void *arg)
{
    outbox_sender *s = arg;
    down_list down = { 0 };
    while (!atomic_load(&s->stop)) {
        sub_list subs = { 0 };
        socle_err err;
        err_clear(&err);
        pthread_mutex_lock(s->store_lock);
        int rc = store_subscriber_foreach(s->st, 1, collect_sub, &subs, &err);
        pthread_mutex_unlock(s->store_lock);
        if (rc != 0)
            log_error("outbox: cannot read the subscribers: %s", err.msg);
        int attempts = 0;
        int64_t now = now_ms();
        for (size_t i = 0; i < subs.len && !atomic_load(&s->stop); i++) {
            if (down_get(&down, subs.items[i].id) > now)
                continue;
            int64_t until = 0;
            attempts += serve_subscriber(s, &subs.items[i], &until);
            down_set(&down, subs.items[i].id, until);
        }
        free(subs.items);
        if (attempts == 0)
            idle(s);  /* nothing was due: wait for a kick or the next scan */
    }
    free(down.ids);
    free(down.until);
    return NULL;
}

int outbox_start(outbox_sender **out, struct store *st, pthread_mutex_t *store_lock,
                 const outbox_config *cfg, socle_err *err)
{
    *out = NULL;
    outbox_sender *s = calloc(1, sizeof *s);
    if (s == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    s->st = st;
    s->store_lock = store_lock;
    s->cfg = *cfg;
    atomic_init(&s->stop, 0);
    pthread_mutex_init(&s->wake_lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    int rc = pthread_create(&s->thread, NULL, run, s);
    if (rc != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->wake_lock);
        free(s);
        return err_set(err, SOCLE_EIO, "cannot start the outbox sender: %s", strerror(rc));
    }
    *out = s;
    return 0;
}

void outbox_kick(outbox_sender *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->wake_lock);
    s->kicked = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->wake_lock);
}

void outbox_stop(outbox_sender *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->wake_lock);
    atomic_store(&s->stop, 1);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->wake_lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->wake_lock);
    free(s);
}
