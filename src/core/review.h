/*
 * review.h - the identity cell's work list: pairs of local identities the
 * matching engine was unsure of (review tasks), and the cell's decisions.
 *
 * Decisions:
 *  - same person: the two GHT identities are merged (an undoable merge,
 *    with its history, audit and notifications, like every merge); the
 *    survivor is the one whose best local identity has the better RNIV
 *    status, the older one (lower id) when equal;
 *  - not the same: recorded; the pair is never proposed again;
 *  - later: stays in the list, after the open tasks.
 * Every decision is one transaction with the task's history entry (before
 * and after) and an audit record. A merge by any path (a decision, an
 * automatic link, a source's A40/A24, an INS) makes the tasks between the
 * merged identities obsolete.
 *
 * Scope: an actor limited to some establishments (FHIR, workbench) sees a
 * task when one of its two local identities is in one of their domains.
 */
#ifndef SOCLE_CORE_REVIEW_H
#define SOCLE_CORE_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

#define REVIEW_SCOPE_MAX 16

/* Which establishments an actor may see (restricted = 0: all). */
typedef struct review_scope {
    int restricted;
    int64_t domains[REVIEW_SCOPE_MAX];   /* id_domain ids of EJ domains */
    size_t n;
} review_scope;

const char *review_status_name(review_status s);  /* "open", "later", ... */
/* Parse a status name: 0, or -1 when unknown. */
int review_status_parse(const char *name, review_status *out);

/* ---- Lists (workbench, FHIR, CLI) ------------------------------------- */

typedef struct review_query {
    unsigned status_mask;    /* bit (1 << review_status); 0: open and later */
    size_t offset;
    size_t limit;            /* 0 or above REVIEW_LIST_MAX: REVIEW_LIST_MAX */
} review_query;

#define REVIEW_LIST_MAX 500

typedef struct review_page {
    review_task *items;      /* owned: free with review_page_free */
    size_t n;
    int64_t total;           /* tasks of the query, offset and limit aside */
} review_page;

/* Open tasks first, then later ones (then decided ones when asked), most
 * likely (score) first. scope may be NULL (all). *out is reset first and
 * must be freed whatever the outcome. */
int review_list(struct store *st, const socle_actor *actor, const review_scope *scope,
                const review_query *q, review_page *out, socle_err *err);
void review_page_free(review_page *p);

/* For the dashboard: open tasks in scope and the creation time of the
 * oldest one ("" when none). */
int review_stats(struct store *st, const review_scope *scope, int64_t *open,
                 char oldest[SOCLE_TS_MAX], socle_err *err);

/* One task with both local identities as they are now (an audited read of
 * patient data). 1 found, 0 not found or out of scope, -1 error. */
typedef struct review_detail {
    review_task task;
    local_identity a, b;
} review_detail;
int review_get(struct store *st, const socle_actor *actor, const review_scope *scope,
               int64_t id, review_detail *out, socle_err *err);

/* ---- Decisions -------------------------------------------------------- */

typedef enum review_verdict { VERDICT_SAME = 0, VERDICT_NOT_SAME, VERDICT_LATER } review_verdict;

/* Parse "same", "not_same", "later": 0, or -1. */
int review_verdict_parse(const char *name, review_verdict *out);

/* Decide task id (open or later; else SOCLE_ERULE; unknown or out of
 * scope: SOCLE_ENOTFOUND), with an optional comment. out (may be NULL)
 * receives the task as decided. One transaction. */
int review_decide(struct store *st, const socle_actor *actor, const review_scope *scope,
                  int64_t id, review_verdict verdict, const char *comment,
                  review_task *out, socle_err *err);

/* ---- Inside other commands ------------------------------------------- */

/* Open task t (local_a/b, ght_a/b, domain_a/b, score, reason, explanation
 * filled; the pair is put in order here), with its history entry and
 * audit record, in the caller's transaction. Sets t->id. */
int review_open_in_tx(struct store *st, const socle_actor *actor, review_task *t,
                      socle_err *err);

#endif
