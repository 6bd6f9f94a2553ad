/*
 * audit.h - the access trace: an append-only, hash-chained record of every
 * write and every read of patient data.
 *
 * hash(n) = SHA-256 over record n's fields (each length-prefixed, so no two
 * different records serialise alike) followed by hash(n-1); the first record
 * chains to 64 '0'. Altering, removing or reordering any record breaks every
 * hash after it, which audit_verify finds.
 */
#ifndef SOCLE_AUDIT_AUDIT_H
#define SOCLE_AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;
struct buf;

/* Compute rec->hash from its fields and rec->prev_hash. */
void audit_hash(audit_record *rec);

/* Append a record inside the caller's open store transaction: sets seq, at,
 * prev_hash and hash. Fields left empty: outcome defaults to "success".
 * On a reader handle (store.h) the record, with its time set, is held by
 * the handle instead, for the caller to append with audit_append_held. */
int audit_append(struct store *st, audit_record *rec, socle_err *err);

/* Append, in their order, the n records a reader held
 * (store_audit_take_held), inside the caller's open transaction on a
 * writable handle. Their times stay those of the reads they record, so a
 * record's time may precede that of a record before it by as long as the
 * read took to reach the writer (milliseconds). */
int audit_append_held(struct store *st, audit_record *recs, size_t n, socle_err *err);

/* Convenience: fill and append one record for actor. object_id may be NULL. */
int audit_log(struct store *st, const socle_actor *actor, const char *action,
              const char *object_type, const char *object_id,
              const char *outcome, const char *detail, socle_err *err);

typedef struct audit_verify_result {
    int64_t records;       /* records checked */
    int64_t first_broken;  /* seq of the first broken record, 0 if intact */
    char reason[256];      /* why it is broken */
} audit_verify_result;

/* Walk the whole chain. Returns 0 when the walk completed (intact or not:
 * see res->first_broken), -1 on a storage error. */
int audit_verify(struct store *st, audit_verify_result *res, socle_err *err);

/* ---- Searching the trail (the DPO's journal page) --------------------- */

#define AUDIT_PAGE_MAX 200        /* records per page at most */
#define AUDIT_COUNT_CAP 10000     /* a page's total is counted up to this */
#define AUDIT_EXPORT_MAX 100000   /* records per CSV export at most */

/* What the journal page's form sends; every field optional ("" or 0). */
typedef struct audit_filter {
    char from_date[SOCLE_DATE_MAX];  /* "YYYY-MM-DD", UTC, included */
    char to_date[SOCLE_DATE_MAX];    /* included */
    char actor[SOCLE_ACTOR_MAX];
    char action[64];                 /* exact, or a prefix ending in '*' ("identity.*") */
    char object_type[32];
    char object_id[64];
    char outcome[16];                /* "success", "failure", "denied", "unchanged"... */
    int64_t before_seq;              /* next page: the previous page's next_before */
    size_t limit;                    /* 0 or above AUDIT_PAGE_MAX: AUDIT_PAGE_MAX */
} audit_filter;

typedef struct audit_page {
    audit_record *records;           /* count, newest first; owned */
    size_t count;
    int64_t total;                   /* matching records in all (up to the cap) */
    int total_capped;                /* total reached AUDIT_COUNT_CAP: "at least" */
    int more;                        /* older records follow: ask next_before */
    int64_t next_before;
} audit_page;

void audit_page_free(audit_page *p);

/* Check a filter: malformed dates, to before from, an action "*" alone ->
 * SOCLE_EINVAL with a message naming the field. Outcomes are free text
 * (modules record their own: "unchanged", "not-found"...). */
int audit_filter_check(const audit_filter *f, socle_err *err);

/* One page of matching records, inside the caller's open transaction; the
 * search itself is then audited ("audit.search", detail: the names of the
 * criteria used), after the page is read so it does not list itself. *p is
 * reset first; free it always. */
int audit_search_in_tx(struct store *st, const socle_actor *actor, const audit_filter *f,
                       audit_page *p, socle_err *err);

/* Every matching record (before_seq and limit ignored), newest first, as
 * RFC 4180 CSV appended to out: a header line, then one line per record,
 * CRLF line ends, the page's columns (seq, horodatage, acteur, rôle,
 * action, type d'objet, objet, résultat, détail). A value a spreadsheet
 * would take for a formula (starting with = + - @, a tab or CR) is
 * prefixed with a quote mark. At most AUDIT_EXPORT_MAX records: *truncated
 * says when more matched (may be NULL). Audited ("audit.export") inside
 * the caller's open transaction. */
int audit_export_csv_in_tx(struct store *st, const socle_actor *actor, const audit_filter *f,
                           struct buf *out, size_t *rows, int *truncated, socle_err *err);

/* The chain's state for display: how far it verifies.
 *
 * A full check walks the whole chain (audit_verify). A quick check starts
 * where the last successful check ended: it makes sure that record still
 * has the hash then seen, and verifies the records appended since. A
 * rewrite of the whole chain changes that record's hash, so it is found;
 * an altered record further back, left unhashed, is found by the next full
 * check only: the page shows when that was. Each intact check remembers
 * where it ended (store meta, written in the caller's transaction if one
 * is open; failing to remember only makes the next check longer). A
 * break, once found, is remembered too: the quick checks after it report
 * it (nothing mends an append-only trail). */
typedef struct audit_chain_state {
    int full;                        /* this check walked the whole chain */
    int64_t from_seq;                /* where it started verifying */
    int64_t last_seq;                /* records in the trail */
    int64_t verified_to;             /* every record checked up to this seq verifies */
    int64_t first_broken;            /* 0 when intact */
    char reason[256];                /* why it is broken */
    char checked_at[SOCLE_TS_MAX];
    char last_full_at[SOCLE_TS_MAX]; /* the last intact full check; "" never */
} audit_chain_state;

int audit_chain_check(struct store *st, int full, audit_chain_state *out, socle_err *err);
/* ---- Reads of the trail (FHIR AuditEvent), themselves audited ----------- */

struct store_audit_query;

#define AUDIT_SEARCH_MAX 100

/* One record by seq: 1 found, 0 not, -1 error; appends an "audit.read"
 * record (after reading, so the record read is never the read itself). */
int audit_read_in_tx(struct store *st, const socle_actor *actor, int64_t seq,
                     audit_record *out, socle_err *err);

/* At most max (<= AUDIT_SEARCH_MAX) matching records into out, *total as
 * store_audit_search (NULL: not counted); appends an "audit.search"
 * record naming the criteria used (criteria_names, may be NULL). */
int audit_event_search_in_tx(struct store *st, const socle_actor *actor,
                       const struct store_audit_query *q, size_t max, audit_record *out,
                       size_t *n, int64_t *total, const char *criteria_names, socle_err *err);

#endif
