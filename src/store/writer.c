/*
 * writer.c - group commit over store.h batches (writer.h).
 *
 * The queue, the leader flag and the counters are guarded by w->lock; the
 * store handle by the caller's lock, which only a leader takes (per batch)
 * besides the handle's other users. Each waiting unit sleeps on its own
 * condition variable, under its own mutex, woken once: when its batch is
 * over, or when it is first in the queue as a batch ends (it then leads
 * the next one, the leader flag handed to it). A broadcast to every
 * waiter per batch cost more than the batch's own work once there were
 * tens of connections; and waking the units of a batch under w->lock made
 * each of them wake only to sleep again on that lock, then be woken one
 * after the other as it passed from thread to thread (two more context
 * switches per message): the leader now wakes them after releasing it.
 */
#include "store/writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

#define WRITER_MAX_BATCH 256
/* About 4 MiB of journal between checkpoints at the 1 KiB pages of a new
 * store: each one copies and syncs the database, so at 1,000 pages (1 MiB)
 * they came every ~50 messages and held back the commits. */
#define WRITER_CHECKPOINT_PAGES 4000
/* The background checkpoint copies pages while batches commit, but the
 * journal only restarts from its beginning when a batch begins with all
 * of it copied: under a load without pauses that may never happen. Past
 * this many times checkpoint_pages, the leader checkpoints itself before
 * its batch (the rest to copy is small: the background did the bulk),
 * which bounds the journal. */
#define WRITER_JOURNAL_LIMIT 16
/* With nothing to trigger it, the checkpointer still looks this often, so
 * that the journal of a server gone quiet is folded too. */
#define WRITER_CHECKPOINT_IDLE_S 5

enum { UNIT_WAITING, UNIT_LEAD, UNIT_DONE };

typedef struct unit {
    store_unit_fn fn;
    void *arg;
    pthread_mutex_t mu;         /* guards state */
    pthread_cond_t cond;        /* its thread waits here for a new state */
    int state;                  /* UNIT_* */
    int rc;                     /* set before UNIT_DONE */
    socle_err err;
    struct unit *next;          /* the queue (w->lock), then its batch */
} unit;

struct store_writer {
    store *st;
    pthread_mutex_t *store_lock;
    int max_batch;
    long checkpoint_pages;
    long next_checkpoint;       /* journal size that triggers the next one */

    pthread_mutex_t lock;
    unit *head, *tail;          /* waiting for a batch */
    long waiting;
    int leading;                /* a batch is running */
    store_writer_stats stats;

    /* Background checkpoints (cp == NULL: none). */
    store *cp;
    pthread_t cp_thread;
    pthread_cond_t cp_cond;     /* guarded by lock */
    int cp_wanted;
    int stopping;
};

/* Begin, run every unit, commit. Returns 0 or -1 with err. */
static int run_batch(store_writer *w, unit *batch, socle_err *err, long *journal)
{
    pthread_mutex_lock(w->store_lock);
    if (w->cp != NULL && store_journal_pages(w->st) >= WRITER_JOURNAL_LIMIT * w->checkpoint_pages)
        store_checkpoint(w->st, NULL, NULL);  /* a failure is the next batch's */
    int rc = store_batch_begin(w->st, err);
    if (rc == 0) {
        for (unit *u = batch; u != NULL; u = u->next) {
            u->fn(w->st, u->arg);
            /* A unit left open would otherwise join the next one. */
            if (store_in_transaction(w->st))
                store_rollback(w->st);
        }
        rc = store_batch_commit(w->st, err);
    }
    *journal = store_journal_pages(w->st);
    pthread_mutex_unlock(w->store_lock);
    return rc;
}

static void set_state(unit *u, int state)
{
    pthread_mutex_lock(&u->mu);
    u->state = state;
    pthread_cond_signal(&u->cond);
    /* The waiter may free u as soon as this unlock lets it see state. */
    pthread_mutex_unlock(&u->mu);
}

/* Lead one batch: take the waiting units (w->lock held on entry and
 * released on return; w->leading set by the caller, for us). */
static void lead(store_writer *w)
{
    unit *batch = w->head, *last = w->head;
    int n = 1;
    while (n < w->max_batch && last->next != NULL) {
        last = last->next;
        n++;
    }
    w->head = last->next;
    if (w->head == NULL)
        w->tail = NULL;
    last->next = NULL;
    w->waiting -= n;
    pthread_mutex_unlock(&w->lock);

    socle_err err;
    err_clear(&err);
    long journal = 0;
    int rc = run_batch(w, batch, &err, &journal);

    pthread_mutex_lock(&w->lock);
    w->stats.batches++;
    w->stats.units += n;
    if (rc != 0)
        w->stats.failed += n;
    /* The first waiting unit leads the next batch: the flag stays set and
     * passes to it, so that no newcomer starts a batch meanwhile. */
    unit *next_leader = w->head;
    if (next_leader == NULL)
        w->leading = 0;
    /* One checkpoint per checkpoint_pages appended: the journal keeps its
     * size until it restarts, and asking after every batch would make the
     * checkpointer sync the disk without pause. */
    if (journal < w->next_checkpoint - w->checkpoint_pages)
        w->next_checkpoint = w->checkpoint_pages;  /* it restarted */
    if (w->cp != NULL && journal >= w->next_checkpoint) {
        w->next_checkpoint = journal + w->checkpoint_pages;
        w->cp_wanted = 1;
        pthread_cond_signal(&w->cp_cond);
    }
    pthread_mutex_unlock(&w->lock);

    /* Nobody touches the batch's units but us until they are done, nor
     * the next leader until it is told (it waits in its queue place). */
    if (next_leader != NULL)
        set_state(next_leader, UNIT_LEAD);
    for (unit *u = batch, *next; u != NULL; u = next) {
        next = u->next;   /* u may be gone once done */
        u->rc = rc;
        if (rc != 0)
            u->err = err;
        set_state(u, UNIT_DONE);
    }
}

int store_writer_run(store_writer *w, store_unit_fn fn, void *arg, socle_err *err)
{
    unit u;
    memset(&u, 0, sizeof u);
    u.fn = fn;
    u.arg = arg;
    u.state = UNIT_WAITING;
    pthread_mutex_init(&u.mu, NULL);
    pthread_cond_init(&u.cond, NULL);

    pthread_mutex_lock(&w->lock);
    if (w->tail != NULL)
        w->tail->next = &u;
    else
        w->head = &u;
    w->tail = &u;
    w->waiting++;
    int leading = !w->leading;
    if (leading) {
        w->leading = 1;
        lead(w);   /* releases w->lock; our unit is at the head, so in it */
    } else {
        pthread_mutex_unlock(&w->lock);
    }

    pthread_mutex_lock(&u.mu);
    while (u.state != UNIT_DONE) {
        if (u.state == UNIT_LEAD) {
            /* Handed the flag: lead the next batch, ours among its first. */
            u.state = UNIT_WAITING;
            pthread_mutex_unlock(&u.mu);
            pthread_mutex_lock(&w->lock);
            lead(w);
            pthread_mutex_lock(&u.mu);
            continue;
        }
        pthread_cond_wait(&u.cond, &u.mu);
    }
    pthread_mutex_unlock(&u.mu);
    pthread_cond_destroy(&u.cond);
    pthread_mutex_destroy(&u.mu);
    if (u.rc != 0 && err != NULL)
        *err = u.err;
    return u.rc;
}

static void *checkpoint_main(void *arg)
{
    store_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        if (!w->cp_wanted) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += WRITER_CHECKPOINT_IDLE_S;
            int rc = 0;
            while (!w->cp_wanted && !w->stopping && rc != ETIMEDOUT)
                rc = pthread_cond_timedwait(&w->cp_cond, &w->lock, &until);
            if (w->stopping)
                break;
        }
        w->cp_wanted = 0;
        pthread_mutex_unlock(&w->lock);

        /* PASSIVE: batches keep committing while it copies. */
        socle_err err;
        err_clear(&err);
        long left = 0;
        if (store_checkpoint(w->cp, &left, &err) != 0)
            log_warn("store: background checkpoint failed: %s", err.msg);

        pthread_mutex_lock(&w->lock);
        w->stats.checkpoints++;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int store_writer_start(store_writer **out, const store_writer_config *cfg, socle_err *err)
{
    *out = NULL;
    if (cfg->st == NULL || cfg->lock == NULL)
        return err_set(err, SOCLE_EINVAL, "writer: store and lock required");
    store_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    w->st = cfg->st;
    w->store_lock = cfg->lock;
    w->max_batch = cfg->max_batch > 0 ? cfg->max_batch : WRITER_MAX_BATCH;
    w->checkpoint_pages = cfg->checkpoint_pages > 0 ? cfg->checkpoint_pages
                                                    : WRITER_CHECKPOINT_PAGES;
    w->next_checkpoint = w->checkpoint_pages;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cp_cond, NULL);

    if (cfg->checkpoint_dir != NULL) {
        if (store_open(&w->cp, cfg->checkpoint_dir, err) != 0) {
            err_prefix(err, "writer: checkpoint handle");
            store_writer_stop(w);
            return -1;
        }
        pthread_mutex_lock(w->store_lock);
        int rc = store_autocheckpoint(w->st, 0, err);
        pthread_mutex_unlock(w->store_lock);
        int trc = rc == 0 ? pthread_create(&w->cp_thread, NULL, checkpoint_main, w) : 0;
        if (rc != 0 || trc != 0) {
            if (trc != 0) {
                err_set(err, SOCLE_EIO, "writer: checkpoint thread: %s", strerror(trc));
                pthread_mutex_lock(w->store_lock);
                store_autocheckpoint(w->st, 1, NULL);
                pthread_mutex_unlock(w->store_lock);
            }
            store_close(w->cp);
            w->cp = NULL;
            store_writer_stop(w);
            return -1;
        }
    }
    *out = w;
    return 0;
}

void store_writer_stats_get(store_writer *w, store_writer_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->stats;
    out->waiting = w->waiting;
    pthread_mutex_unlock(&w->lock);
}

void store_writer_stop(store_writer *w)
{
    if (w == NULL)
        return;
    if (w->cp != NULL) {
        pthread_mutex_lock(&w->lock);
        w->stopping = 1;
        pthread_cond_signal(&w->cp_cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->cp_thread, NULL);
        store_close(w->cp);
        /* Give the handle back as it came: checkpointing itself. */
        pthread_mutex_lock(w->store_lock);
        store_autocheckpoint(w->st, 1, NULL);
        pthread_mutex_unlock(w->store_lock);
    }
    pthread_cond_destroy(&w->cp_cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
