/*
 * outbox.h - the sender of identity notifications: a thread of `socle
 * serve` that delivers the outbox (store.h) to each subscriber over MLLP.
 *
 * For each active subscriber, the rows due now (store_outbox_due: the head
 * of each patient's queue, so a patient's later message never overtakes an
 * earlier one while other patients proceed) are rendered (hl7/pam_notify.h)
 * and sent on one connection, one at a time, each waiting for its ACK:
 *
 *   AA, CA                         sent (the ACK is kept)
 *   AE, CE                         failed, with the ERR text: the receiver
 *                                  refuses this content and identical bytes
 *                                  cannot fare better; the patient's next
 *                                  messages go on
 *   AR, CR, unreadable ACK,        retried with exponential back-off
 *   timeout, connection refused    (outbox_backoff_ms); a connection
 *                                  failure also holds the subscriber's other
 *                                  rows until that time
 *
 * Every state change is its own committed transaction: a row is never lost,
 * at worst sent again after a crash between the ACK and the commit (its
 * MSH-10 is the same on every attempt, so the receiver can tell). The store
 * is used under the server's store lock, never across network waits.
 */
#ifndef SOCLE_OUTBOX_OUTBOX_H
#define SOCLE_OUTBOX_OUTBOX_H

#include <pthread.h>
#include <stdint.h>

#include "util/error.h"

struct store;

typedef struct outbox_config {
    const char *app;              /* MSH-3 of the messages */
    const char *facility;         /* MSH-4 */
    int connect_timeout_ms;
    int reply_timeout_ms;         /* for the ACK of one message */
    int idle_ms;                  /* wait between scans when nothing is due */
    int batch;                    /* rows per subscriber per scan */
    int64_t backoff_initial_ms;   /* delay after the first failed attempt */
    int64_t backoff_max_ms;       /* the delay doubles up to this */
} outbox_config;

/* SOCLE/GHT, connect 5 s, ACK 30 s, idle 500 ms, batch 64, back-off 1 s
 * doubling up to 5 min. */
void outbox_config_defaults(outbox_config *cfg);

/* The delay before the next attempt after `attempts` failed ones (>= 1):
 * initial * 2^(attempts-1), at most max. */
int64_t outbox_backoff_ms(const outbox_config *cfg, int attempts);

typedef struct outbox_sender outbox_sender;

/* Start the sender thread on st, which it uses only under *store_lock
 * (both borrowed: they must outlive outbox_stop). */
int outbox_start(outbox_sender **out, struct store *st, pthread_mutex_t *store_lock,
                 const outbox_config *cfg, socle_err *err);

/* New rows may be waiting: scan now rather than after the idle wait. */
void outbox_kick(outbox_sender *s);  /* NULL is fine */

/* Stop the thread (an exchange in progress is abandoned within 100 ms; its
 * row stays pending) and free the sender. NULL is fine. */
void outbox_stop(outbox_sender *s);

#endif
