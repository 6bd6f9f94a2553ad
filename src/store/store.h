/*
 * store.h - the one contract between the domain and persistence.
 *
 * core/ and audit/ call these functions; only store/ knows the database.
 * The default implementation is SQLite in the data dir (store/sqlite/); a
 * PostgreSQL implementation provides the same functions.
 *
 * Conventions:
 *  - functions return 0 on success and -1 on failure with err filled;
 *    lookups return 1 when found, 0 when not found, -1 on failure;
 *  - writes happen between store_begin() and store_commit(); a failed write
 *    leaves the transaction open for the caller to roll back;
 *  - one store handle is used by one thread at a time.
 */
#ifndef SOCLE_STORE_STORE_H
#define SOCLE_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct store store;

/* Open (creating and migrating as needed) the store of a data dir. A data
 * dir that cannot be written is an error (SOCLE_EIO), never a silent
 * read-only mode. */
int store_open(store **out, const char *data_dir, socle_err *err);
void store_close(store *st);  /* NULL is fine */

const char *store_backend(const store *st);   /* "sqlite" */
int store_schema_version(const store *st);    /* after migration */
const char *store_location(const store *st);  /* the database file */

/* ---- Transactions ----------------------------------------------------- */

/* Start a write transaction; it takes the database's write lock at once
 * (waiting up to a few seconds for another writer: then SOCLE_EBUSY). */
int store_begin(store *st, socle_err *err);
/* Commit durably: once it returns 0 the change survives a power loss
 * (inside a batch: once the batch commits, see below). */
int store_commit(store *st, socle_err *err);
void store_rollback(store *st);  /* no-op outside a transaction */
/* A transaction (or, inside a batch, a unit) is open. */
int store_in_transaction(const store *st);

/* ---- Batches (group commit) ------------------------------------------- */

/*
 * A batch is one outer transaction holding several independent units of
 * work, made durable by one commit (one fsync) instead of one each.
 *
 * While a batch is open, store_begin/store_commit/store_rollback keep their
 * meaning for the code inside (domain commands, hl7/pam.c) but act on a
 * unit nested in the batch (a SQL savepoint): store_commit keeps the
 * unit's writes in the batch, store_rollback undoes that unit only, and a
 * unit's writes are visible to the units after it. Nothing is durable
 * until store_batch_commit returns 0: a caller must not report any unit
 * as stored (an ACK, an HTTP 2xx) before that. When store_batch_commit
 * fails, or the batch is rolled back, no unit of the batch was stored.
 *
 * Units run one after the other, never nested in each other. A failure
 * that aborts the whole transaction (disk full, I/O error) makes every
 * later store_begin of the batch fail (SOCLE_EIO), and store_batch_commit
 * fail: the batch as a whole is lost.
 */
int store_batch_begin(store *st, socle_err *err);   /* write lock, as store_begin */
/* End the batch durably. On failure the batch is rolled back: nothing of
 * it is kept, and the store is out of batch mode either way. A unit left
 * open is a caller bug: it is rolled back first. */
int store_batch_commit(store *st, socle_err *err);
void store_batch_rollback(store *st);  /* no-op outside a batch */
int store_in_batch(const store *st);

/* ---- Journal maintenance (WAL checkpoints) ---------------------------- */

/*
 * Committed changes first go to a journal (SQLite's WAL) that is folded
 * back into the database file from time to time (a checkpoint). By default
 * a commit that finds the journal large does it itself, inside that
 * commit's latency. A server can turn that off on its writing handle and
 * call store_checkpoint from another handle instead, in the background:
 * then it must do so regularly, or the journal grows without bound.
 */
int store_autocheckpoint(store *st, int enabled, socle_err *err);
/* Fold into the database what no reader still needs, without blocking
 * readers or writers (SQLite PASSIVE). Any handle on the same data dir.
 * *left: pages of the journal not folded yet (may be NULL). */
int store_checkpoint(store *st, long *left, socle_err *err);
/* Pages in the journal after this handle's last commit (0 when unknown):
 * the cue for a background checkpoint. */
long store_journal_pages(const store *st);

/* ---- Settings --------------------------------------------------------- */

int store_meta_get(store *st, const char *key, char *out, size_t n, socle_err *err);
int store_meta_set(store *st, const char *key, const char *value, socle_err *err);

/* ---- Counts (health, dashboards) -------------------------------------- */

typedef struct store_counts {
    int64_t structures;
    int64_t domains;
    int64_t local_identities;
    int64_t ght_identities;       /* active ones */
    int64_t merges;               /* not undone */
    int64_t inbound_messages;
    int64_t open_alerts;          /* quality alerts not closed */
    int64_t audit_records;
} store_counts;

int store_counts_get(store *st, store_counts *out, socle_err *err);

/* ---- Structures ------------------------------------------------------- */

int store_structure_find(store *st, const char *code, structure_node *out, socle_err *err);
int store_structure_get(store *st, int64_t id, structure_node *out, socle_err *err);
/* The first node of that kind with that FINESS. */
int store_structure_find_finess(store *st, structure_kind kind, const char *finess,
                                structure_node *out, socle_err *err);
/* Insert n (n->parent_id already resolved); sets n->id. Duplicate code ->
 * SOCLE_ECONFLICT. */
int store_structure_insert(store *st, structure_node *n, socle_err *err);
int store_structure_update(store *st, const structure_node *n, socle_err *err);

typedef int (*store_structure_cb)(const structure_node *n, void *ctx);
/* Every node, parents before children (callback returns non-zero to stop). */
int store_structure_foreach(store *st, store_structure_cb cb, void *ctx, socle_err *err);

/* ---- Identification domains ------------------------------------------- */

int store_domain_find_oid(store *st, const char *oid, id_domain *out, socle_err *err);
int store_domain_find_structure(store *st, int64_t structure_id, id_domain *out, socle_err *err);
int store_domain_get(store *st, int64_t id, id_domain *out, socle_err *err);
int store_domain_ght(store *st, id_domain *out, socle_err *err);
/* Insert (d->id == 0, sets it) or update. Duplicate OID -> SOCLE_ECONFLICT. */
int store_domain_save(store *st, id_domain *d, socle_err *err);

/* ---- Local identities ------------------------------------------------- */

int store_local_get(store *st, int64_t id, local_identity *out, socle_err *err);
int store_local_find(store *st, int64_t domain_id, const char *ipp,
                     local_identity *out, socle_err *err);
/* Insert li (sets li->id, li->version = 1). Normalised forms of the names
 * are derived by the caller and passed in norm (may be NULL). */
typedef struct identity_norm {
    char birth_name[SOCLE_NAME_MAX];
    char used_name[SOCLE_NAME_MAX];
    char forenames[SOCLE_GIVENS_MAX];
} identity_norm;
int store_local_insert(store *st, local_identity *li, const identity_norm *norm,
                       socle_err *err);
/* Update li when its stored version is still li->version, then increment
 * li->version; a newer stored version -> SOCLE_ECONFLICT. */
int store_local_update(store *st, local_identity *li, const identity_norm *norm,
                       socle_err *err);

typedef int (*store_local_cb)(const local_identity *li, void *ctx);
/* Every local identity, by domain then IPP (exports). */
int store_local_foreach(store *st, store_local_cb cb, void *ctx, socle_err *err);

/* Local identities holding this INS matricule. */
int store_local_foreach_ins(store *st, const char *ins, store_local_cb cb, void *ctx,
                            socle_err *err);

/* ---- GHT identities and links ----------------------------------------- */

int store_ght_insert(store *st, ght_identity *g, socle_err *err);  /* sets id, version 1 */
int store_ght_get(store *st, int64_t id, ght_identity *out, socle_err *err);
int store_ght_update(store *st, ght_identity *g, socle_err *err);  /* version checked, incremented */

int store_link_insert(store *st, identity_link *l, socle_err *err);  /* sets id */
/* End an active link (state ENDED, ended_at/by/end_reason from l). */
int store_link_end(store *st, const identity_link *l, socle_err *err);
int store_link_active(store *st, int64_t local_id, identity_link *out, socle_err *err);

typedef int (*store_link_cb)(const identity_link *l, void *ctx);
/* Links of a GHT identity, active only or all, oldest first. */
int store_link_foreach_ght(store *st, int64_t ght_id, int active_only,
                           store_link_cb cb, void *ctx, socle_err *err);
/* Links created by a merge, oldest first. */
int store_link_foreach_merge(store *st, int64_t merge_id, store_link_cb cb,
                             void *ctx, socle_err *err);
/* All links of a local identity, oldest first. */
int store_link_foreach_local(store *st, int64_t local_id, store_link_cb cb,
                             void *ctx, socle_err *err);

int store_merge_insert(store *st, identity_merge_rec *m, socle_err *err);  /* sets id */
int store_merge_get(store *st, int64_t id, identity_merge_rec *out, socle_err *err);
int store_merge_mark_undone(store *st, const identity_merge_rec *m, socle_err *err);

/* ---- History ---------------------------------------------------------- */

int store_history_append(store *st, history_entry *h, socle_err *err);  /* sets id */
typedef int (*store_history_cb)(const history_entry *h, void *ctx);
int store_history_foreach(store *st, const char *object_type, int64_t object_id,
                          store_history_cb cb, void *ctx, socle_err *err);

/* ---- Inbound message journal ------------------------------------------ */

/* Every message received by an interface, kept raw with the acknowledgment
 * it got. Messages acknowledged AA or AE are keyed by (sender, control id):
 * a repeat gets the same acknowledgment again and is not applied twice. AR
 * ("refused, try again") is not a final answer, so it does not key. */
typedef struct inbound_message {
    int64_t id;
    char received_at[SOCLE_TS_MAX];
    char channel[16];                 /* "mllp" */
    char peer[64];                    /* remote address:port */
    char sender[SOCLE_LABEL_MAX];     /* MSH-3^MSH-4 as sent; "" if unreadable */
    char control_id[SOCLE_LABEL_MAX]; /* MSH-10; "" if unreadable */
    char message_type[32];            /* "ADT^A28"; "" if unreadable */
    const char *raw;                  /* borrowed, raw_len bytes */
    size_t raw_len;
    char ack_code[4];                 /* "AA", "AE", "AR" */
    const char *ack;                  /* borrowed, ack_len bytes */
    size_t ack_len;
    char detail[SOCLE_REASON_MAX];    /* outcome in a few words */
} inbound_message;

/* Append to the journal (sets m->id). A second AA/AE for the same sender
 * and control id -> SOCLE_ECONFLICT. */
int store_inbound_insert(store *st, inbound_message *m, socle_err *err);

/* The acknowledgment (appended to ack_out) and its code of a message with
 * this sender and control id that was acknowledged AA or AE, and the raw
 * message itself (appended to raw_out, which may be NULL), so that a repeat
 * can be told from another message reusing the control id. 1 found, 0 not
 * found, -1 error. */
int store_inbound_find_ack(store *st, const char *sender, const char *control_id,
                           buf *ack_out, char ack_code[4], buf *raw_out, socle_err *err);

/* ---- Quality alerts --------------------------------------------------- */

int store_alert_insert(store *st, quality_alert *a, socle_err *err);  /* sets id */
typedef int (*store_alert_cb)(const quality_alert *a, void *ctx);
/* Alerts of a local identity (local_id > 0) or all (0), oldest first. */
int store_alert_foreach(store *st, int64_t local_id, int open_only, store_alert_cb cb,
                        void *ctx, socle_err *err);

/* ---- Audit trail (hashing is audit/'s business) ----------------------- */

int store_audit_last(store *st, audit_record *out, socle_err *err);  /* 1/0/-1 */
int store_audit_insert(store *st, const audit_record *rec, socle_err *err);
typedef int (*store_audit_cb)(const audit_record *rec, void *ctx);
/* Records with seq >= from_seq in seq order; callback non-zero stops. */
int store_audit_foreach(store *st, int64_t from_seq, store_audit_cb cb, void *ctx,
                        socle_err *err);

#endif
