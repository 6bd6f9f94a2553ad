/*
 * review.c - review tasks of the identity matching and the identity cell's
 * decisions (see review.h).
 */
#include "core/review.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/history.h"
#include "core/identity.h"
#include "core/snapshot.h"
#include "store/store.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/timeutil.h"

static const char *const status_names[REVIEW_STATUS_COUNT] = {
    "open", "later", "merged", "not_duplicate", "obsolete",
};

const char *review_status_name(review_status s)
{
    return (unsigned)s < REVIEW_STATUS_COUNT ? status_names[s] : "unknown";
}

int review_status_parse(const char *name, review_status *out)
{
    for (int i = 0; i < REVIEW_STATUS_COUNT; i++)
        if (name != NULL && strcmp(name, status_names[i]) == 0) {
            *out = (review_status)i;
            return 0;
        }
    return -1;
}

int review_verdict_parse(const char *name, review_verdict *out)
{
    static const char *const names[] = { "same", "not_same", "later" };
    for (int i = 0; i < 3; i++)
        if (name != NULL && strcmp(name, names[i]) == 0) {
            *out = (review_verdict)i;
            return 0;
        }
    return -1;
}

static int audit_task(struct store *st, const socle_actor *actor, const char *action,
                      int64_t id, const char *outcome, const char *detail, socle_err *err)
{
    char oid[32];
    snprintf(oid, sizeof oid, "%" PRId64, id);
    return audit_log(st, actor, action, "review_task", oid, outcome, detail, err);
}

static void to_store_query(const review_scope *scope, unsigned status_mask,
                           store_review_query *q)
{
    memset(q, 0, sizeof *q);
    q->status_mask = status_mask;
    if (scope != NULL && scope->restricted) {
        q->restrict_domains = 1;
        for (size_t i = 0; i < scope->n && i < STORE_REVIEW_DOMAINS_MAX; i++)
            q->in_domains[q->n_in_domains++] = scope->domains[i];
    }
}

static int in_scope(const review_scope *scope, const review_task *t)
{
    if (scope == NULL || !scope->restricted)
        return 1;
    for (size_t i = 0; i < scope->n; i++)
        if (scope->domains[i] == t->domain_a || scope->domains[i] == t->domain_b)
            return 1;
    return 0;
}

/* ---- Opening ---------------------------------------------------------- */

int review_open_in_tx(struct store *st, const socle_actor *actor, review_task *t,
                      socle_err *err)
{
    if (t->local_a == t->local_b)
        return err_set(err, SOCLE_EINVAL, "a review task needs two local identities");
    if (t->local_a > t->local_b) {
        int64_t x = t->local_a; t->local_a = t->local_b; t->local_b = x;
        x = t->ght_a; t->ght_a = t->ght_b; t->ght_b = x;
        x = t->domain_a; t->domain_a = t->domain_b; t->domain_b = x;
    }
    t->status = REVIEW_OPEN;
    time_now_iso(t->created_at);
    str_copy(t->created_by, sizeof t->created_by, actor->id);
    if (store_review_insert(st, t, err) != 0
        || history_record(st, actor, "review_task", t->id, "review.create", t->reason, NULL,
                          snapshot_review(t), err) != 0)
        return -1;
    return audit_task(st, actor, "review.create", t->id, "success", t->reason, err);
}

/* ---- Reads ------------------------------------------------------------ */

typedef struct task_list {
    review_task *items;
    size_t len, cap;
} task_list;

static int collect_task(const review_task *t, void *ctx)
{
    task_list *l = ctx;
    *ARRAY_PUSH(l->items, l->len, l->cap) = *t;
    return 0;
}

void review_page_free(review_page *p)
{
    free(p->items);
    memset(p, 0, sizeof *p);
}

int review_list(struct store *st, const socle_actor *actor, const review_scope *scope,
                const review_query *q, review_page *out, socle_err *err)
{
    memset(out, 0, sizeof *out);
    store_review_query sq;
    to_store_query(scope, q->status_mask, &sq);
    sq.offset = q->offset;
    sq.limit = q->limit == 0 || q->limit > REVIEW_LIST_MAX ? REVIEW_LIST_MAX : q->limit;
    task_list l = { 0 };
    char oldest[SOCLE_TS_MAX];
    if (store_begin(st, err) != 0)
        return -1;
    if (store_review_foreach(st, &sq, collect_task, &l, err) != 0
        || store_review_count(st, &sq, &out->total, oldest, err) != 0
        || audit_log(st, actor, "review.list", "review_task", "", "success", NULL, err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        free(l.items);
        return -1;
    }
    out->items = l.items;
    out->n = l.len;
    return 0;
}

int review_stats(struct store *st, const review_scope *scope, int64_t *open,
                 char oldest[SOCLE_TS_MAX], socle_err *err)
{
    store_review_query sq;
    to_store_query(scope, 1u << REVIEW_OPEN, &sq);
    return store_review_count(st, &sq, open, oldest, err);
}

int review_get(struct store *st, const socle_actor *actor, const review_scope *scope,
               int64_t id, review_detail *out, socle_err *err)
{
    memset(out, 0, sizeof *out);
    if (store_begin(st, err) != 0)
        return -1;
    int found = store_review_get(st, id, &out->task, err);
    if (found > 0 && !in_scope(scope, &out->task))
        found = 0;
    if (found > 0) {
        int fa = store_local_get(st, out->task.local_a, &out->a, err);
        int fb = fa >= 0 ? store_local_get(st, out->task.local_b, &out->b, err) : -1;
        if (fa < 0 || fb < 0)
            found = -1;
    }
    if (found < 0
        || audit_task(st, actor, "identity.read", id, found ? "success" : "not-found", NULL,
                      err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return found;
}

/* ---- Decisions -------------------------------------------------------- */

typedef struct best_status {
    struct store *st;
    int best;
    socle_err *err;
    int failed;
} best_status;

static int best_of_link(const identity_link *l, void *ctx)
{
    best_status *b = ctx;
    local_identity li;
    int found = store_local_get(b->st, l->local_id, &li, b->err);
    if (found < 0) {
        b->failed = 1;
        return 1;
    }
    if (found && (int)li.status > b->best)
        b->best = (int)li.status;
    return 0;
}

/* The best RNIV status among the local identities of a GHT identity. */
static int ght_best_status(struct store *st, int64_t ght_id, int *best, socle_err *err)
{
    best_status b = { .st = st, .best = -1, .err = err };
    if (store_link_foreach_ght(st, ght_id, 1, best_of_link, &b, err) != 0 || b.failed)
        return -1;
    *best = b.best;
    return 0;
}

/* Merge the current GHT identities of the task's two local identities. */
static int decide_same(struct store *st, const socle_actor *actor, review_task *t,
                       socle_err *err)
{
    local_identity a, b;
    int fa = store_local_get(st, t->local_a, &a, err);
    int fb = fa > 0 ? store_local_get(st, t->local_b, &b, err) : fa;
    if (fa < 0 || fb < 0)
        return -1;
    if (!fa || !fb || a.ght_id == 0 || b.ght_id == 0)
        return err_set(err, SOCLE_ERULE, "a local identity of review task %" PRId64
                       " is no longer in use: nothing to merge", t->id);
    if (a.ght_id == b.ght_id) {
        t->status = REVIEW_OBSOLETE;  /* put together since, by another path */
        return 0;
    }
    int sa, sb;
    if (ght_best_status(st, a.ght_id, &sa, err) != 0
        || ght_best_status(st, b.ght_id, &sb, err) != 0)
        return -1;
    int64_t survivor = a.ght_id, absorbed = b.ght_id;
    if (sb > sa || (sb == sa && b.ght_id < a.ght_id)) {
        survivor = b.ght_id;
        absorbed = a.ght_id;
    }
    char why[SOCLE_REASON_MAX];
    snprintf(why, sizeof why, "review task %" PRId64 ": same person%s%.400s", t->id,
             t->comment[0] ? ": " : "", t->comment);
    t->status = REVIEW_MERGED;
    return identity_merge_in_tx(st, actor, survivor, absorbed, LINK_MANUAL, why,
                                &t->merge_id, err);
}

int review_decide(struct store *st, const socle_actor *actor, const review_scope *scope,
                  int64_t id, review_verdict verdict, const char *comment,
                  review_task *out, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    review_task t;
    int found = store_review_get(st, id, &t, err);
    if (found < 0)
        goto fail;
    if (!found || !in_scope(scope, &t)) {
        err_set(err, SOCLE_ENOTFOUND, "review task %" PRId64 " not found", id);
        goto fail;
    }
    if (t.status != REVIEW_OPEN && t.status != REVIEW_LATER) {
        err_set(err, SOCLE_ERULE, "review task %" PRId64 " was decided already (%s)", id,
                review_status_name(t.status));
        goto fail;
    }
    char *before = snapshot_review(&t);
    str_copy(t.comment, sizeof t.comment, comment ? comment : "");
    time_now_iso(t.decided_at);
    str_copy(t.decided_by, sizeof t.decided_by, actor->id);
    int rc = 0;
    switch (verdict) {
    case VERDICT_SAME:     rc = decide_same(st, actor, &t, err); break;
    case VERDICT_NOT_SAME: t.status = REVIEW_NOT_DUPLICATE; break;
    case VERDICT_LATER:    t.status = REVIEW_LATER; break;
    }
    /* The merge made this task obsolete with the others: it is "merged". */
    if (rc != 0 || store_review_update(st, &t, err) != 0) {
        free(before);
        goto fail;
    }
    if (history_record(st, actor, "review_task", t.id, "review.decide",
                       t.comment[0] ? t.comment : NULL, before, snapshot_review(&t), err) != 0
        || audit_task(st, actor, "review.decide", t.id, "success",
                      review_status_name(t.status), err) != 0
        || store_commit(st, err) != 0)
        goto fail;
    if (out != NULL)
        *out = t;
    return 0;

fail:
    store_rollback(st);
    return -1;
}
