/*
 * identity_view.h - what the workbench shows of one GHT identity beyond
 * identity_search.h's read: the timeline of every change (history entries
 * of the GHT identity, of its local identities and of their links) and the
 * merges it took part in. Reads of patient data, audited
 * ("identity.history"), inside the caller's transaction.
 */
#ifndef SOCLE_CORE_IDENTITY_VIEW_H
#define SOCLE_CORE_IDENTITY_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

/* One history entry with its own copies of the JSON states. */
typedef struct timeline_entry {
    history_entry h;             /* h.before_json/after_json point into the two below */
    char *before;                /* owned, NULL when created */
    char *after;                 /* owned, NULL when deleted */
} timeline_entry;

typedef struct identity_timeline {
    timeline_entry *v;           /* n of them, most recent first */
    size_t n;
} identity_timeline;

void identity_timeline_free(identity_timeline *t);

/* The history of GHT identity ght_id and of the local identities
 * local_ids (and of every link of them). *t reset first; free it always. */
int identity_timeline_in_tx(struct store *st, const socle_actor *actor, int64_t ght_id,
                            const int64_t *local_ids, size_t n_locals, identity_timeline *t,
                            socle_err *err);

#define IDENTITY_VIEW_MERGES_MAX 32

/* The merges (undone or not) in which ght_id was the survivor or the
 * absorbed identity, as found through its links, oldest first. */
int identity_merges_in_tx(struct store *st, int64_t ght_id, identity_merge_rec *out,
                          size_t max, size_t *n, socle_err *err);

#endif
