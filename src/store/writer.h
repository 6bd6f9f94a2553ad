/*
 * writer.h - group commit: the units of work of many threads made durable
 * together, by one commit (one fsync) instead of one each.
 *
 * A thread hands a unit to store_writer_run and waits. Units waiting at
 * the same time form a batch (store.h): one outer transaction, each unit
 * in its own nested unit (so one that rolls back does not affect the
 * others), one commit. store_writer_run returns only once that commit is
 * over: 0 when it is durable, -1 when it failed, in which case nothing the
 * unit wrote was kept and its caller must say so (an HL7 AR "retry
 * later"), never report success.
 *
 * There is no writer thread: the first waiting thread that finds no batch
 * running runs the next one for everybody (leader/follower), so a lone
 * sender pays no hand-off between threads, and while a batch commits the
 * next one fills up. The batch holds the store handle's lock (the one
 * every other user of the handle takes) from its begin to its commit.
 *
 * Optionally a background thread, on a second handle of its own, folds
 * the store's journal into the database (store_checkpoint) once a commit
 * leaves it larger than checkpoint_pages, so that no commit pays for it.
 */
#ifndef SOCLE_STORE_WRITER_H
#define SOCLE_STORE_WRITER_H

#include <pthread.h>

#include "store/store.h"
#include "util/error.h"

/* A unit of work: opens, writes and commits (or rolls back) its own
 * transaction with store_begin/store_commit/store_rollback, as it would
 * alone; it runs inside a batch, so its commit is not durable yet. It must
 * not keep anything it read past its end (a later unit, or the batch's
 * failure, may change or undo it). */
typedef void (*store_unit_fn)(store *st, void *arg);

typedef struct store_writer_config {
    store *st;                     /* borrowed: the handle batches run on */
    pthread_mutex_t *lock;         /* borrowed: its lock, held per batch */
    /* Data dir of st: when set, the writer opens a second handle on it and
     * checkpoints from a background thread, and st's own automatic
     * checkpoints are turned off. NULL leaves checkpoints to the store. */
    const char *checkpoint_dir;
    long checkpoint_pages;         /* journal size that triggers one; 0: 4000 */
    int max_batch;                 /* units per batch at most; 0: 256 */
} store_writer_config;

typedef struct store_writer store_writer;

int store_writer_start(store_writer **out, const store_writer_config *cfg, socle_err *err);

/* Run fn(st, arg) in the next batch and wait for the batch's commit.
 * 0: committed durably (whatever the unit itself decided to keep);
 * -1: the batch could not begin or commit (err says why): nothing of the
 * unit is stored. Called from any number of threads at once. */
int store_writer_run(store_writer *w, store_unit_fn fn, void *arg, socle_err *err);

typedef struct store_writer_stats {
    long batches;       /* batches run (committed or not) */
    long units;         /* units run */
    long failed;        /* units of batches that could not commit */
    long waiting;       /* units queued for the next batch right now */
    long checkpoints;   /* background checkpoints run */
} store_writer_stats;

void store_writer_stats_get(store_writer *w, store_writer_stats *out);

/* Stop the checkpointer and free. No store_writer_run may be running or
 * start afterwards. NULL is fine. */
void store_writer_stop(store_writer *w);

#endif
