/*
 * readers.h - a pool of reader handles (store.h) on one data dir, for the
 * threads that serve read-only requests.
 *
 * A thread borrows a reader for one request and gives it back; readers are
 * opened on first need, up to max, so a server that serves no reads opens
 * none. A borrower that finds every reader busy waits for one. The pool
 * needs the data dir opened (and migrated) by store_open first.
 */
#ifndef SOCLE_STORE_READERS_H
#define SOCLE_STORE_READERS_H

#include <stddef.h>

#include "store/store.h"
#include "util/error.h"

typedef struct store_readers store_readers;

int store_readers_new(store_readers **out, const char *data_dir, size_t max, socle_err *err);

/* A reader for the caller alone until store_readers_release; NULL with err
 * when none could be opened. */
store *store_readers_acquire(store_readers *p, socle_err *err);
/* Give it back. A reader left inside a transaction is rolled back first,
 * and any audit record it still holds is dropped (the borrower's bug). */
void store_readers_release(store_readers *p, store *st);

/* Close every reader. None may be borrowed. NULL is fine. */
void store_readers_free(store_readers *p);

#endif
