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

/* ---- Reader handles ---------------------------------------------------- */

/*
 * A reader is a second handle on a data dir that store_open has already
 * opened and migrated: requests that only read run on readers, side by
 * side and beside the writing handle, instead of queueing for it.
 *
 * On a reader, store_begin starts a read transaction: a snapshot of what
 * was committed when it began, taking no write lock; store_commit and
 * store_rollback end it. Any write fails (SOCLE_EIO), but for one kind:
 * audit records. Every read is audited, and a read path written for a
 * writable handle must run unchanged on a reader, so audit_append on a
 * reader gives the record to the handle instead (store_audit_hold). The
 * records held by a transaction that rolls back are dropped with it, as
 * they would be on a writable handle. The caller takes the others with
 * store_audit_take_held and appends them on the writable handle (through
 * the writer), before it answers.
 */
int store_open_reader(store **out, const char *data_dir, socle_err *err);
int store_is_reader(const store *st);
/* Keep a copy of rec (fields as audit_append received them: no seq, no
 * hash yet) until taken. Inside a transaction of a reader only. */
int store_audit_hold(store *st, const audit_record *rec, socle_err *err);
/* Hand over the records of the committed transactions (an owned array, in
 * the order they were held; free it) and forget them. Returns the count;
 * *out is NULL when it is 0. */
size_t store_audit_take_held(store *st, audit_record **out);

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

/* The page cache of this handle, in MiB (default 32): a bulk load that
 * inserts into large indexes in random order (blocking keys) gives itself
 * more, so that its pages are not written and read again. */
int store_cache_size(store *st, int mib, socle_err *err);

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

/* The local identities linked to a GHT identity now (active links), in
 * no particular order: one query, where store_link_foreach_ght then
 * store_local_get take one per local identity. */
int store_local_foreach_ght(store *st, int64_t ght_id, store_local_cb cb, void *ctx,
                            socle_err *err);

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
/* The latest merge, not undone, that absorbed GHT identity absorbed_id:
 * 1 (*merge_id set), 0 none, -1 error. */
int store_merge_of_absorbed(store *st, int64_t absorbed_id, int64_t *merge_id,
                            socle_err *err);
int store_merge_mark_undone(store *st, const identity_merge_rec *m, socle_err *err);

/* ---- Merges of local identities (PAM A40) ---------------------------- */

int store_local_merge_insert(store *st, local_merge_rec *m, socle_err *err);  /* sets id */
/* The merge (not undone) that absorbed this local identity: 1/0/-1. */
int store_local_merge_of(store *st, int64_t absorbed_local_id, local_merge_rec *out,
                         socle_err *err);
/* ---- Identity search (PDQ, PIX, FHIR search) --------------------------- */

#define STORE_SEARCH_DOMAINS_MAX 16

/* Criteria of a search of local identities: a local identity matches when
 * it meets every criterion given (an empty field is no criterion). Names
 * are compared in the normalised form the store indexes (norm_* columns,
 * see identity_norm), which the caller derives the same way. */
typedef struct store_search_query {
    char name[SOCLE_NAME_MAX];       /* normalised birth or used name */
    int name_prefix;                 /* name starts it, rather than equals it */
    char given[SOCLE_GIVEN_MAX];     /* normalised: one word of the forename list */
    int given_prefix;                /* given starts that word */
    char birth_date[SOCLE_DATE_MAX];
    /* Birth date range, bounds included ("" = open); with birth_date. */
    char birth_from[SOCLE_DATE_MAX];
    char birth_to[SOCLE_DATE_MAX];
    char sex;                        /* 'M', 'F', 'U'; 0 for any */
    char ipp[SOCLE_CODE_MAX];        /* in domain_id, or in any domain when 0 */
    int64_t domain_id;
    char ins[SOCLE_INS_MAX];
    int64_t ght_id;                  /* this GHT identity only; 0 any */
    /* The time of the GHT identity's last patient_version in
     * [updated_from, updated_before) (text comparison; "" = open). */
    char updated_from[SOCLE_TS_MAX];
    char updated_before[SOCLE_TS_MAX];
    /* Only GHT identities holding an identifier in one of these domains
     * (an active local identity there), or, with with_ins, a qualified
     * INS. Neither: no such restriction. */
    int64_t in_domains[STORE_SEARCH_DOMAINS_MAX];
    size_t n_in_domains;
    int with_ins;
    int64_t after_ght_id;            /* continuation: only GHT ids above it */
    /* Order of the results: 0 by GHT id (after_ght_id continues), else a
     * STORE_SORT_* (negative: descending; ties by GHT id) with offset
     * results skipped (after_ght_id ignored). */
    int sort;
    int64_t offset;
} store_search_query;

#define STORE_SORT_FAMILY 1          /* the least normalised birth name */
#define STORE_SORT_BIRTHDATE 2
#define STORE_SORT_DATE 3            /* stays: admission */

/* The GHT identities of the matching local identities (through their
 * active links), by ascending id above q->after_ght_id: at most max of
 * them into ids, their number in *n. When total is not NULL, *total
 * receives how many GHT identities match in all (after_ght_id aside) and
 * *above how many of them are above after_ght_id. */
int store_search_ght(store *st, const store_search_query *q, size_t max, int64_t *ids,
                     size_t *n, int64_t *total, int64_t *above, socle_err *err);

/* The GHT identities merged into ght_id (state MERGED, merged_into =
 * ght_id), by ascending id: at most max into ids, their number in *n. */
int store_ght_absorbed(store *st, int64_t ght_id, int64_t *ids, size_t max, size_t *n,
                       socle_err *err);

/* ---- Patient versions (FHIR vread and history) -------------------------- */

/* One version of a GHT identity's view. snapshot is NULL for the version
 * a pre-existing identity got at migration (not recorded). */
typedef struct patient_version {
    int64_t ght_id;
    int version;                     /* 1, 2, 3... per GHT identity */
    char at[SOCLE_TS_MAX];
    const char *snapshot;            /* borrowed (callback) or owned (get) */
} patient_version;

/* Append the next version of ght_id (the last one + 1, or 1) with its
 * snapshot (copied); *version receives its number. */
int store_patient_version_add(store *st, int64_t ght_id, const char *at,
                              const char *snapshot, int *version, socle_err *err);
/* The last version of ght_id (snapshot left NULL). 1/0/-1. */
int store_patient_version_last(store *st, int64_t ght_id, patient_version *out,
                               socle_err *err);
/* One version; out->snapshot is a malloc'd copy (or NULL) the caller
 * frees. 1/0/-1. */
int store_patient_version_get(store *st, int64_t ght_id, int version, patient_version *out,
                              socle_err *err);
typedef int (*store_patient_version_cb)(const patient_version *v, void *ctx);
/* Versions of ght_id, newest first (callback non-zero stops). */
int store_patient_version_foreach(store *st, int64_t ght_id, store_patient_version_cb cb,
                                  void *ctx, socle_err *err);

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

/* ---- Identity matching: blocking keys, model, review tasks ------------ */

/* In their own header, part of this contract: store/store_match.h. */
#include "store/store_match.h"

/* ---- Audit trail (hashing is audit/'s business) ----------------------- */

int store_audit_last(store *st, audit_record *out, socle_err *err);  /* 1/0/-1 */
int store_audit_insert(store *st, const audit_record *rec, socle_err *err);
typedef int (*store_audit_cb)(const audit_record *rec, void *ctx);
/* Records with seq >= from_seq in seq order; callback non-zero stops. */
int store_audit_foreach(store *st, int64_t from_seq, store_audit_cb cb, void *ctx,
                        socle_err *err);

#define STORE_AUDIT_LIKE_MAX 16

/* Criteria of a search of the audit trail (the journal page, FHIR
 * AuditEvent): a record matches when it meets every criterion given (""
 * or 0: no criterion). Text criteria are exact, except action_prefix (the
 * action starts with it: "identity." for every identity action).
 * Timestamps compare as text (UTC ISO 8601). */
typedef struct store_audit_query {
    int64_t seq;                     /* this record only */
    char from[SOCLE_TS_MAX];         /* at >= from */
    char to[SOCLE_TS_MAX];           /* at < to */
    char actor[SOCLE_ACTOR_MAX];
    char action[64];
    int action_prefix;
    /* The action matches one of these LIKE patterns (or, with
     * action_not_like, none of them). */
    const char *action_like[STORE_AUDIT_LIKE_MAX];
    size_t n_action_like;
    int action_not_like;
    char object_type[32];
    char object_id[64];
    char outcome[16];
    const char *outcomes[4];         /* any of these stored outcomes */
    size_t n_outcomes;
    int ascending;                   /* oldest first; default newest first */
    int64_t before_seq;              /* only seq below it; 0 none */
    int64_t after_seq;               /* continuation: seqs past it in the order */
} store_audit_query;

/* Matching records, newest first (descending seq), at most max of them
 * (max 0: no limit, for exports). When total is not NULL it receives how
 * many match in all (before_seq aside), counted up to count_cap only
 * (count_cap 0: no cap), so that a page over a long trail stays cheap. */
int store_audit_search(store *st, const store_audit_query *q, size_t max,
                       store_audit_cb cb, void *ctx, int64_t *total, int64_t count_cap,
                       socle_err *err);

/* ---- Stays and movements ---------------------------------------------- */

/* A stay by its visit number in a domain; by id. 1/0/-1. */
int store_stay_find(store *st, int64_t domain_id, const char *visit_number, stay_record *out,
                    socle_err *err);
int store_stay_get(store *st, int64_t id, stay_record *out, socle_err *err);
/* Insert s (sets s->id, s->version = 1). Visit number taken -> SOCLE_ECONFLICT. */
int store_stay_insert(store *st, stay_record *s, socle_err *err);
/* Update when the stored version is still s->version, then increment it;
 * a newer stored version -> SOCLE_ECONFLICT. */
int store_stay_update(store *st, stay_record *s, socle_err *err);

/* Give every stay of local identity from_local to to_local (PAM A40: the
 * visits follow the surviving patient); *moved gets the number of stays. */
int store_stay_reassign(store *st, int64_t from_local, int64_t to_local, int64_t *moved,
                        socle_err *err);

typedef int (*store_stay_cb)(const stay_record *s, void *ctx);
/* Every stay, by domain then id (exports). */
int store_stay_foreach(store *st, store_stay_cb cb, void *ctx, socle_err *err);

/* Criteria of a search of stays (FHIR Encounter): a stay matches when it
 * meets every criterion given (0 or "" is no criterion). */
#define STORE_STAY_DOMAINS_MAX 16
typedef struct store_stay_query {
    int64_t ght_id;                  /* stays of the local identities actively
                                        linked to this GHT identity */
    int64_t domain_id;               /* with nda: the NDA in this domain */
    char nda[SOCLE_CODE_MAX];
    unsigned status_mask;            /* bit (1 << stay_status) per status; 0 any */
    /* The stay's period [admit_at, discharge_at or open] meets
     * [from, to] (text comparison of ISO timestamps; "" = open end). A
     * stay never admitted has no period and does not match. */
    char from[SOCLE_TS_MAX];
    char to[SOCLE_TS_MAX];
    /* updated_at in [updated_from, updated_before) ("" = open). */
    char updated_from[SOCLE_TS_MAX];
    char updated_before[SOCLE_TS_MAX];
    int64_t in_domains[STORE_STAY_DOMAINS_MAX];  /* only stays of these domains */
    size_t n_in_domains;
    int restrict_domains;            /* in_domains applies (even when empty) */
    int64_t after_id;                /* continuation: only stay ids above it */
    int sort;                        /* 0, or +-STORE_SORT_DATE with offset (as above) */
    int64_t offset;
} store_stay_query;

/* Matching stay ids by ascending id above q->after_id (or in q->sort order
 * after q->offset), at most max of them into ids (*n); *total (unless
 * NULL) receives how many match in all (after_id aside). */
int store_stay_search(store *st, const store_stay_query *q, size_t max, int64_t *ids,
                      size_t *n, int64_t *total, socle_err *err);

/* The INSERT row of a movement id in a domain. 1/0/-1. */
int store_movement_find(store *st, int64_t domain_id, const char *movement_id,
                        movement *out, socle_err *err);
/* Insert m (sets m->id). An INSERT row whose movement id is taken in its
 * domain -> SOCLE_ECONFLICT. */
int store_movement_insert(store *st, movement *m, socle_err *err);
int store_movement_update(store *st, const movement *m, socle_err *err);

typedef int (*store_movement_cb)(const movement *m, void *ctx);
/* Every row of a stay (INSERT and CANCEL), by effective date then id. */
int store_movement_foreach_stay(store *st, int64_t stay_id, store_movement_cb cb,
                                void *ctx, socle_err *err);
/* Movements of a stay that count (exports): active INSERT rows, the
 * pre-admission (A05) left out. */
int store_movement_count_stay(store *st, int64_t stay_id, int64_t *out, socle_err *err);
/* ---- Aggregates for the dashboard (core/indicators.h) ---------------- */

/* The establishments a figure is restricted to: identification domain ids
 * (EJ domains). Not restricted: the whole group. */
#define STORE_SCOPE_DOMAINS_MAX 32
typedef struct store_scope {
    int64_t domains[STORE_SCOPE_DOMAINS_MAX];
    size_t n_domains;
    int restricted;                  /* domains applies (even when empty) */
} store_scope;

/* Local identities in use (not merged away by their source, PAM A40), per
 * domain and RNIV status: cb once per (domain, status) that has some. A
 * NULL scope is the whole group. */
typedef int (*store_status_count_cb)(int64_t domain_id, rniv_status status, int64_t count,
                                     void *ctx);
int store_stat_local_status(store *st, const store_scope *scope, store_status_count_cb cb,
                            void *ctx, socle_err *err);

/* GHT identities: *active the active ones (in scope: holding an active
 * local identity there), *multi those holding two or more local identities
 * of one domain through active links (two IPPs of one establishment for
 * one person: a duplicate in that establishment's own file). */
int store_stat_ght(store *st, const store_scope *scope, int64_t *active, int64_t *multi,
                   socle_err *err);

/* Daily series for the weekly charts. */
typedef enum store_series {
    STORE_SERIES_MERGES = 0,         /* GHT merges, by the day they were made */
    STORE_SERIES_UNMERGES,           /* GHT merges undone, by the day undone */
    STORE_SERIES_MOVEMENTS,          /* active movements (INSERT rows), by effective day */
    STORE_SERIES_COUNT
} store_series;

/* cb once per UTC day "YYYY-MM-DD" on or after since_day that has some,
 * in day order. In scope, a merge counts when either identity holds (or
 * held) a local identity there; a movement when its stay is there. */
typedef int (*store_day_count_cb)(const char *day, int64_t count, void *ctx);
int store_stat_daily(store *st, store_series series, const store_scope *scope,
                     const char *since_day, store_day_count_cb cb, void *ctx,
                     socle_err *err);

/* Quality alerts per kind: cb once per kind, with the open ones and all of
 * them, by kind. In scope: alerts on a local identity of the scope. */
typedef int (*store_alert_count_cb)(const char *kind, int64_t open, int64_t all, void *ctx);
int store_stat_alerts(store *st, const store_scope *scope, store_alert_count_cb cb,
                      void *ctx, socle_err *err);

/* ---- Bed occupancy (the structures page) ------------------------------ */

/* A bed held by a stay: a stay in progress whose current location resolved
 * to that bed (core/stay.c derives it from the latest movement). */
typedef struct bed_occupant {
    int64_t bed_id;
    int64_t stay_id;
    int64_t domain_id;
    int64_t local_id;
    int64_t ght_id;                  /* the patient: GHT identity of its active link, or 0 */
    char ipp[SOCLE_CODE_MAX];
    char nda[SOCLE_CODE_MAX];
    char admit_at[SOCLE_TS_MAX];
    int on_leave;                    /* temporary leave (A21): the bed is kept */
} bed_occupant;

typedef int (*store_occupant_cb)(const bed_occupant *o, void *ctx);
/* Every held bed, by bed id then stay id (a bed may, wrongly, be held by
 * two stays: both are given). */
int store_bed_occupants(store *st, store_occupant_cb cb, void *ctx, socle_err *err);

/* ---- Subscribers and the outbox (notifications) ----------------------- */

/* An application that receives identity notifications over MLLP. */
typedef struct subscriber {
    int64_t id;
    char name[SOCLE_CODE_MAX];           /* unique; also its MSH-5 */
    char host[SOCLE_LABEL_MAX];
    int port;
    int active;
    char events[128];                    /* "A28,A31,A40"; "" = every event */
    char ej_finess[SOCLE_FINESS_MAX];    /* only patients known to this EJ; "" = all */
    char created_at[SOCLE_TS_MAX];
} subscriber;

/* Insert s (sets s->id). Duplicate name -> SOCLE_ECONFLICT. */
int store_subscriber_insert(store *st, subscriber *s, socle_err *err);
int store_subscriber_find(store *st, const char *name, subscriber *out, socle_err *err);
/* Remove the subscriber by name (1 removed, 0 not found, -1 error). Its
 * rows still pending become failed ("subscriber removed"); every row keeps
 * the subscriber's name, so the queue's history stays readable. */
int store_subscriber_remove(store *st, const char *name, const char *at, socle_err *err);
typedef int (*store_subscriber_cb)(const subscriber *s, void *ctx);
/* Subscribers by name, all or active only. */
int store_subscriber_foreach(store *st, int active_only, store_subscriber_cb cb, void *ctx,
                             socle_err *err);

typedef enum outbox_state { OUTBOX_PENDING = 0, OUTBOX_SENT, OUTBOX_FAILED } outbox_state;

/* One notification for one subscriber. Timestamps are UTC ISO 8601 with
 * milliseconds ("YYYY-MM-DDTHH:MM:SS.mmmZ"), so they compare as text. */
typedef struct outbox_row {
    int64_t id;
    int64_t subscriber_id;               /* 0 once the subscriber was removed */
    char subscriber[SOCLE_CODE_MAX];     /* its name */
    int64_t ght_id;                      /* the ordering key: the patient */
    int64_t other_ght_id;                /* a second patient (merge), or 0 */
    char event[8];                       /* "A28", "A31", "A40" */
    char message_id[40];                 /* stable across retries (MSH-10) */
    const char *payload;                 /* JSON; borrowed (see below) */
    char created_at[SOCLE_TS_MAX];
    outbox_state state;
    int attempts;
    char next_attempt_at[SOCLE_TS_MAX];
    char last_error[SOCLE_REASON_MAX];
    char sent_at[SOCLE_TS_MAX];
    const char *ack;                     /* the ACK received; borrowed */
} outbox_row;

const char *outbox_state_name(outbox_state s);   /* "pending", "sent", "failed" */

/* Append a pending row (sets r->id); r->payload is copied. */
int store_outbox_insert(store *st, outbox_row *r, socle_err *err);

/* Rows (payload and ack borrowed for the duration of the callback). */
typedef int (*store_outbox_cb)(const outbox_row *r, void *ctx);
/* Every row in a state (state < 0: all), oldest first. */
int store_outbox_foreach(store *st, int state, store_outbox_cb cb, void *ctx,
                         socle_err *err);
/* The pending rows of a subscriber that may be sent now (next_attempt_at
 * <= now), at most limit, oldest first: only the head of each patient's
 * queue, i.e. a row is left out while an older pending row of the same
 * subscriber concerns one of its patients (ght_id or other_ght_id). A later
 * notification never overtakes an earlier one; other patients proceed. */
int store_outbox_due(store *st, int64_t subscriber_id, const char *now, int limit,
                     store_outbox_cb cb, void *ctx, socle_err *err);
/* After an attempt: sent (sent_at, ack), failed (last_error, ack), or
 * pending again with attempts + 1, next_attempt_at and last_error. */
int store_outbox_mark_sent(store *st, int64_t id, const char *at, const char *ack,
                           socle_err *err);
int store_outbox_mark_failed(store *st, int64_t id, const char *error, const char *ack,
                             socle_err *err);
int store_outbox_mark_retry(store *st, int64_t id, const char *next_attempt_at,
                            const char *error, socle_err *err);
/* How many outbox rows this handle has inserted since it was opened
 * (committed or not). The one store function safe to call from any thread
 * without holding the handle: a sender compares it to what it saw last, to
 * be woken only when there may be something new to send. */
int64_t store_outbox_writes(const store *st);
/* Counts of pending and failed rows (health). */
int store_outbox_counts(store *st, int64_t *pending, int64_t *failed, socle_err *err);

/* ---- Workbench accounts and sessions (core/user.h) -------------------- */

#define STORE_USER_LOGIN_MAX 64
#define STORE_USER_HASH_MAX  256
#define STORE_USER_EJ_MAX    512   /* FINESS list, comma-separated */
#define STORE_SESSION_HASH_MAX 65  /* SHA-256 hex + NUL */
#define STORE_CSRF_MAX 65

/* A local account of the workbench. */
typedef struct user_account {
    int64_t id;
    char login[STORE_USER_LOGIN_MAX];
    char password_hash[STORE_USER_HASH_MAX];   /* argon2id encoded string */
    char role[SOCLE_ROLE_MAX];                 /* role_name() */
    char establishments[STORE_USER_EJ_MAX];    /* "750712184,350005179"; "" every one */
    int failed_attempts;                       /* consecutive, since the last success */
    int64_t locked_until;                      /* seconds since the epoch; 0 not locked */
    int active;
    char created_at[SOCLE_TS_MAX];
} user_account;

/* A browser session: the token is known to the browser only; the store
 * keeps its SHA-256. Times in seconds since the epoch. */
typedef struct user_session {
    int64_t id;
    char token_hash[STORE_SESSION_HASH_MAX];
    int64_t user_id;
    char csrf[STORE_CSRF_MAX];
    int64_t created_at;
    int64_t expires_at;
    int64_t last_seen;
} user_session;

/* Insert (sets u->id). Login taken -> SOCLE_ECONFLICT. */
int store_user_insert(store *st, user_account *u, socle_err *err);
int store_user_find(store *st, const char *login, user_account *out, socle_err *err);
int store_user_get(store *st, int64_t id, user_account *out, socle_err *err);
/* Set the lock-out state of an account. */
int store_user_set_lock(store *st, int64_t id, int failed_attempts, int64_t locked_until,
                        socle_err *err);
typedef int (*store_user_cb)(const user_account *u, void *ctx);
/* Every account, by login. */
int store_user_foreach(store *st, store_user_cb cb, void *ctx, socle_err *err);

int store_session_insert(store *st, user_session *s, socle_err *err);  /* sets id */
int store_session_find(store *st, const char *token_hash, user_session *out, socle_err *err);
int store_session_touch(store *st, int64_t id, int64_t last_seen, int64_t expires_at,
                        socle_err *err);
/* Remove one session (1 removed, 0 none, -1 error). */
int store_session_delete(store *st, const char *token_hash, socle_err *err);
/* Remove the sessions expired at now; *removed may be NULL. */
int store_session_purge(store *st, int64_t now, int64_t *removed, socle_err *err);

/* ---- Directory reads (FHIR Location, Organization) -------------------- */

/* Criteria of a search of structures: a node matches every criterion
 * given (0 or "" is no criterion). */
typedef struct store_structure_query {
    int64_t id;                      /* this node only */
    unsigned kind_mask;              /* bit (1 << structure_kind) per kind; 0 any */
    char code[SOCLE_CODE_MAX];       /* exact */
    char finess[SOCLE_FINESS_MAX];   /* exact */
    char code_or_finess[SOCLE_CODE_MAX];  /* exact, either of them */
    char name[SOCLE_LABEL_MAX];      /* the label starts with it (ASCII case ignored) */
    int64_t parent_id;               /* direct children of this node */
    int64_t after_id;                /* continuation: only ids above it */
} store_structure_query;

/* Matching node ids by ascending id above q->after_id, at most max of them
 * into ids (*n); *total receives how many match in all (after_id aside). */
int store_structure_search(store *st, const store_structure_query *q, size_t max,
                           int64_t *ids, size_t *n, int64_t *total, socle_err *err);

/* How many stays in progress have bed_id as their current bed. */
int store_bed_occupancy(store *st, int64_t bed_id, int64_t *count, socle_err *err);

/* ---- Professional directory ------------------------------------------- */

/* By national id; by row id. 1/0/-1. */
int store_professional_find(store *st, professional_id_type type, const char *value,
                            professional *out, socle_err *err);
int store_professional_get(store *st, int64_t id, professional *out, socle_err *err);
/* Insert (sets id, version 1) or update (version checked, incremented:
 * a newer stored version -> SOCLE_ECONFLICT). norm_family, norm_given: the
 * names normalised for search (rniv_normalize_name). */
int store_professional_insert(store *st, professional *p, const char *norm_family,
                              const char *norm_given, socle_err *err);
int store_professional_update(store *st, professional *p, const char *norm_family,
                              const char *norm_given, socle_err *err);

/* The role of a professional with the same key (professional, EJ,
 * profession, specialty, role code). 1/0/-1. */
int store_pro_role_find(store *st, const professional_role *key, professional_role *out,
                        socle_err *err);
int store_pro_role_get(store *st, int64_t id, professional_role *out, socle_err *err);
int store_pro_role_insert(store *st, professional_role *r, socle_err *err);  /* sets id */
int store_pro_role_update(store *st, const professional_role *r, socle_err *err);

/* Criteria of a search of professionals (role 0) or of their roles (1):
 * every criterion given (0 or "") holds. */
typedef struct store_pro_query {
    int64_t id;                      /* this row only (a professional or a role) */
    int id_type;                     /* with id_value: -1 either type */
    char id_value[SOCLE_PRO_ID_MAX];
    char norm_family[SOCLE_NAME_MAX];    /* prefix of the normalised family name */
    char norm_name[SOCLE_NAME_MAX];      /* prefix of the family or the given name */
    int64_t professional_id;         /* roles of this professional */
    int64_t ej_id;                   /* with a role in (professionals) / roles in this EJ */
    int64_t after_id;
} store_pro_query;

int store_pro_search(store *st, int roles, const store_pro_query *q, size_t max, int64_t *ids,
                     size_t *n, int64_t *total, socle_err *err);


#endif
