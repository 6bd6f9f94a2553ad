/*
 * identity_merge.c - merging GHT identities, undoing merges, and moving a
 * local identity from one GHT identity to another.
 *
 * Links are never rewritten: a move ends the old link and creates a new
 * one, so "who linked this IPP to this person, when, and why" can always be
 * answered, and a merge can be undone exactly.
 */
#include "core/identity.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/notify.h"
#include "core/history.h"
#include "core/snapshot.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/array.h"

/* ---- A list of links, gathered before they are changed ---------------- */

typedef struct link_list {
    identity_link *items;
    size_t len, cap;
} link_list;

static int collect_link(const identity_link *l, void *ctx)
{
    link_list *list = ctx;
    *ARRAY_PUSH(list->items, list->len, list->cap) = *l;
    return 0;
}

static int audit_ght(struct store *st, const socle_actor *actor, const char *action,
                     int64_t ght_id, const char *detail, socle_err *err)
{
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, ght_id);
    return audit_log(st, actor, action, "ght_identity", id, "success", detail, err);
}

int identity_link_end_in_tx(struct store *st, const socle_actor *actor, const identity_link *l,
                            const char *reason, socle_err *err)
{
    identity_link ended = *l;
    time_now_iso(ended.ended_at);
    str_copy(ended.ended_by, sizeof ended.ended_by, actor->id);
    str_copy(ended.end_reason, sizeof ended.end_reason, reason);
    if (store_link_end(st, &ended, err) != 0)
        return -1;
    char *before = snapshot_link(l);
    ended.state = LINK_ENDED;
    return history_record(st, actor, "identity_link", l->id, "link.end", reason, before,
                            snapshot_link(&ended), err);
}

/* End link l and create its replacement towards ght_id. */
static int move_link(struct store *st, const socle_actor *actor, const identity_link *l,
                     int64_t ght_id, link_method method, int64_t merge_id,
                     const char *reason, socle_err *err)
{
    if (identity_link_end_in_tx(st, actor, l, reason, err) != 0)
        return -1;

    identity_link fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.local_id = l->local_id;
    fresh.ght_id = ght_id;
    fresh.method = method;
    fresh.merge_id = merge_id;
    time_now_iso(fresh.created_at);
    str_copy(fresh.created_by, sizeof fresh.created_by, actor->id);
    str_copy(fresh.reason, sizeof fresh.reason, reason);
    if (store_link_insert(st, &fresh, err) != 0)
        return -1;
    return history_record(st, actor, "identity_link", fresh.id, "link.create", reason, NULL,
                            snapshot_link(&fresh), err);
}

static int set_ght_state(struct store *st, const socle_actor *actor, ght_identity *g,
                         ght_state state, int64_t merged_into, const char *action,
                         const char *reason, socle_err *err)
{
    char *before = snapshot_ght(g);
    g->state = state;
    g->merged_into = merged_into;
    time_now_iso(g->updated_at);
    if (store_ght_update(st, g, err) != 0) {
        free(before);
        return -1;
    }
    return history_record(st, actor, "ght_identity", g->id, action, reason, before,
                            snapshot_ght(g), err);
}

static int get_active_ght(struct store *st, int64_t id, ght_identity *g, socle_err *err)
{
    int found = store_ght_get(st, id, g, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ENOTFOUND, "GHT identity %" PRId64 " not found", id);
    if (g->state != GHT_ACTIVE)
        return err_set(err, SOCLE_ERULE, "GHT identity %" PRId64 " was merged into %" PRId64,
                       id, g->merged_into);
    return 0;
}

/* ---- Merge ------------------------------------------------------------ */

int identity_merge_in_tx(struct store *st, const socle_actor *actor, int64_t survivor_id,
                         int64_t absorbed_id, link_method method, const char *reason,
                         int64_t *merge_id, socle_err *err)
{
    if (survivor_id == absorbed_id)
        return err_set(err, SOCLE_ERULE, "cannot merge GHT identity %" PRId64 " into itself",
                       survivor_id);
    ght_identity survivor, absorbed;
    if (get_active_ght(st, survivor_id, &survivor, err) != 0
        || get_active_ght(st, absorbed_id, &absorbed, err) != 0)
        return -1;

    identity_merge_rec m;
    memset(&m, 0, sizeof m);
    m.survivor_id = survivor_id;
    m.absorbed_id = absorbed_id;
    time_now_iso(m.at);
    str_copy(m.actor, sizeof m.actor, actor->id);
    str_copy(m.reason, sizeof m.reason, reason ? reason : "");
    if (store_merge_insert(st, &m, err) != 0)
        return -1;

    link_list links = { 0 };
    int rc = store_link_foreach_ght(st, absorbed_id, 1, collect_link, &links, err);
    char why[96];
    snprintf(why, sizeof why, "merge %" PRId64 " into %" PRId64, m.id, survivor_id);
    for (size_t i = 0; rc == 0 && i < links.len; i++)
        rc = move_link(st, actor, &links.items[i], survivor_id, method, m.id, why, err);
    free(links.items);
    if (rc != 0)
        return -1;

    /* Review tasks between the two are moot now (core/review.h). */
    if (set_ght_state(st, actor, &absorbed, GHT_MERGED, survivor_id, "ght.merge", why, err) != 0
        || store_review_obsolete(st, survivor_id, m.at, actor->id, NULL, err) != 0
        || identity_notify_in_tx(st, NOTIFY_MERGED, survivor_id, absorbed_id, why, err) != 0)
        return -1;
    if (merge_id != NULL)
        *merge_id = m.id;
    return audit_ght(st, actor, "identity.merge", absorbed_id, why, err);
}

int identity_merge(struct store *st, const socle_actor *actor, int64_t survivor_id,
                   int64_t absorbed_id, const char *reason, int64_t *merge_id,
                   socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    if (identity_merge_in_tx(st, actor, survivor_id, absorbed_id, LINK_MANUAL, reason,
                             merge_id, err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int identity_merge_declared_in_tx(struct store *st, const socle_actor *actor,
                                  int64_t survivor_id, int64_t absorbed_id, const char *reason,
                                  int64_t *merge_id, socle_err *err)
{
    return identity_merge_in_tx(st, actor, survivor_id, absorbed_id, LINK_MANUAL, reason,
                                merge_id, err);
}

/* ---- Unmerge ---------------------------------------------------------- */

typedef struct replaced_search {
    int64_t before_id;   /* the link created by the merge being undone */
    int64_t ght_id;      /* the absorbed identity */
    int64_t merge_id;    /* out: merge id of the link it replaced */
} replaced_search;

static int find_replaced(const identity_link *l, void *ctx)
{
    replaced_search *r = ctx;
    if (l->id >= r->before_id)
        return 1;
    if (l->ght_id == r->ght_id && l->state == LINK_ENDED)
        r->merge_id = l->merge_id;  /* the latest one before wins */
    return 0;
}

/* The merge id carried by the link that merge-created link l replaced, so
 * that undoing a later merge gives back links an earlier undo can find. */
static int replaced_merge_id(struct store *st, const identity_link *l, int64_t absorbed_id,
                             int64_t *merge_id, socle_err *err)
{
    replaced_search r = { .before_id = l->id, .ght_id = absorbed_id };
    if (store_link_foreach_local(st, l->local_id, find_replaced, &r, err) != 0)
        return -1;
    *merge_id = r.merge_id;
    return 0;
}

static int count_link(const identity_link *l, void *ctx)
{
    (void)l;
    (*(size_t *)ctx)++;
    return 0;
}

static int unmerge_in_tx(struct store *st, const socle_actor *actor, int64_t merge_id,
                         const char *reason, socle_err *err)
{
    identity_merge_rec m;
    int found = store_merge_get(st, merge_id, &m, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ENOTFOUND, "merge %" PRId64 " not found", merge_id);
    if (m.undone)
        return err_set(err, SOCLE_ERULE, "merge %" PRId64 " was already undone on %s by %s",
                       merge_id, m.undone_at, m.undone_by);

    ght_identity survivor, absorbed;
    found = store_ght_get(st, m.survivor_id, &survivor, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "merge survivor missing");
    if (survivor.state != GHT_ACTIVE)
        return err_set(err, SOCLE_ERULE,
                       "GHT identity %" PRId64 " was merged into %" PRId64
                       " since: undo that merge first", survivor.id, survivor.merged_into);
    found = store_ght_get(st, m.absorbed_id, &absorbed, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "merged identity missing");
    if (absorbed.state != GHT_MERGED || absorbed.merged_into != survivor.id)
        return err_set(err, SOCLE_EINTERNAL, "GHT identity %" PRId64 " is not merged into %"
                       PRId64, absorbed.id, survivor.id);

    link_list links = { 0 };
    if (store_link_foreach_merge(st, merge_id, collect_link, &links, err) != 0) {
        free(links.items);
        return -1;
    }
    /* A later merge and its undo leave a local with several links marked
     * with this merge: only the latest of each local counts. */
    size_t kept = 0;
    for (size_t i = 0; i < links.len; i++) {
        int superseded = 0;
        for (size_t j = i + 1; j < links.len && !superseded; j++)
            superseded = links.items[j].local_id == links.items[i].local_id;
        if (!superseded)
            links.items[kept++] = links.items[i];
    }
    links.len = kept;

    int rc = 0;
    for (size_t i = 0; i < links.len; i++) {
        if (links.items[i].state != LINK_ACTIVE) {
            rc = err_set(err, SOCLE_ERULE,
                         "local identity %" PRId64 " was relinked since merge %" PRId64
                         ": move it back first", links.items[i].local_id, merge_id);
            break;
        }
    }
    char why[96];
    snprintf(why, sizeof why, "unmerge %" PRId64, merge_id);
    for (size_t i = 0; rc == 0 && i < links.len; i++) {
        int64_t earlier = 0;
        rc = replaced_merge_id(st, &links.items[i], absorbed.id, &earlier, err);
        if (rc == 0)
            rc = move_link(st, actor, &links.items[i], absorbed.id, LINK_MANUAL, earlier, why,
                           err);
    }
    free(links.items);
    if (rc != 0)
        return -1;

    if (set_ght_state(st, actor, &absorbed, GHT_ACTIVE, 0, "ght.unmerge", reason, err) != 0)
        return -1;

    /* The survivor may have lost its own members since the merge (moved
     * away by relink): an identity left with nobody is retired into the
     * one the undo brought back, as relink does. */
    size_t left = 0;
    if (store_link_foreach_ght(st, survivor.id, 1, count_link, &left, err) != 0)
        return -1;
    if (left == 0 && set_ght_state(st, actor, &survivor, GHT_MERGED, absorbed.id, "ght.retire",
                                   "left empty by the unmerge", err) != 0)
        return -1;
    time_now_iso(m.undone_at);
    str_copy(m.undone_by, sizeof m.undone_by, actor->id);
    str_copy(m.undo_reason, sizeof m.undo_reason, reason ? reason : "");
    if (store_merge_mark_undone(st, &m, err) != 0
        || identity_notify_in_tx(st, NOTIFY_UNMERGED, absorbed.id, survivor.id, why, err) != 0)
        return -1;
    return audit_ght(st, actor, "identity.unmerge", absorbed.id, why, err);
}

int identity_unmerge(struct store *st, const socle_actor *actor, int64_t merge_id,
                     const char *reason, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    if (unmerge_in_tx(st, actor, merge_id, reason, err) != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int identity_merge_find(struct store *st, int64_t absorbed_id, int64_t *merge_id,
                        socle_err *err)
{
    return store_merge_of_absorbed(st, absorbed_id, merge_id, err);
}

/* ---- Relink ----------------------------------------------------------- */

int identity_relink_in_tx(struct store *st, const socle_actor *actor, int64_t local_id,
                          int64_t target_id, const char *reason, int64_t *new_ght_id,
                          socle_err *err)
{
    identity_link current;
    int found = store_link_active(st, local_id, &current, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ENOTFOUND, "local identity %" PRId64 " has no GHT identity",
                       local_id);
    if (current.ght_id == target_id)
        return err_set(err, SOCLE_ERULE, "local identity %" PRId64 " is already linked to %"
                       PRId64, local_id, target_id);

    size_t siblings = 0;
    if (store_link_foreach_ght(st, current.ght_id, 1, count_link, &siblings, err) != 0)
        return -1;

    ght_identity target;
    if (target_id == 0) {
        if (siblings <= 1)
            return err_set(err, SOCLE_ERULE, "local identity %" PRId64
                           " is alone in its GHT identity: nothing to separate", local_id);
        memset(&target, 0, sizeof target);
        target.state = GHT_ACTIVE;
        time_now_iso(target.created_at);
        str_copy(target.updated_at, sizeof target.updated_at, target.created_at);
        if (store_ght_insert(st, &target, err) != 0)
            return -1;
        if (history_record(st, actor, "ght_identity", target.id, "ght.create", reason, NULL,
                             snapshot_ght(&target), err) != 0)
            return -1;
    } else if (get_active_ght(st, target_id, &target, err) != 0) {
        return -1;
    }

    if (move_link(st, actor, &current, target.id, LINK_MANUAL, 0,
                  reason ? reason : "relink", err) != 0)
        return -1;

    /* A GHT identity with no local identity left is retired into the one
     * that took its last member, so references to it still lead somewhere. */
    if (siblings <= 1) {
        ght_identity old;
        if (get_active_ght(st, current.ght_id, &old, err) != 0)
            return -1;
        if (set_ght_state(st, actor, &old, GHT_MERGED, target.id, "ght.retire", reason, err) != 0)
            return -1;
    }
    /* The identity it left first (A31, or A40 when retired), then the one
     * it joined, so that the IPP is never listed on both at the receiver. */
    if (identity_notify_in_tx(st, NOTIFY_UPDATED, current.ght_id, 0, reason, err) != 0
        || identity_notify_in_tx(st, target_id == 0 ? NOTIFY_CREATED : NOTIFY_UPDATED,
                                 target.id, 0, reason, err) != 0)
        return -1;
    if (new_ght_id != NULL)
        *new_ght_id = target.id;
    char detail[96];
    snprintf(detail, sizeof detail, "local %" PRId64 " from %" PRId64 " to %" PRId64,
             local_id, current.ght_id, target.id);
    return audit_ght(st, actor, "identity.relink", target.id, detail, err);
}

int identity_relink(struct store *st, const socle_actor *actor, int64_t local_id,
                    int64_t target_ght_id, const char *reason, int64_t *new_ght_id,
                    socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    if (identity_relink_in_tx(st, actor, local_id, target_ght_id, reason, new_ght_id, err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}
