/*
 * sqlite_internal.h - what the SQLite store's files share. Private to
 * src/store/sqlite/: nothing outside that folder includes it.
 */
#ifndef SOCLE_STORE_SQLITE_INTERNAL_H
#define SOCLE_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdatomic.h>

#include "store/store.h"

/* Every statement the store runs, prepared once and reused. */
typedef enum sq_stmt_id {
    SQ_BEGIN, SQ_COMMIT, SQ_ROLLBACK,
    SQ_META_GET, SQ_META_SET,
    SQ_COUNTS,
    SQ_STRUCT_FIND, SQ_STRUCT_GET, SQ_STRUCT_FIND_FINESS, SQ_STRUCT_INSERT, SQ_STRUCT_UPDATE, SQ_STRUCT_ALL,
    SQ_DOMAIN_FIND_OID, SQ_DOMAIN_FIND_STRUCT, SQ_DOMAIN_GET, SQ_DOMAIN_GHT,
    SQ_DOMAIN_INSERT, SQ_DOMAIN_UPDATE,
    SQ_LOCAL_GET, SQ_LOCAL_FIND, SQ_LOCAL_INSERT, SQ_LOCAL_UPDATE, SQ_LOCAL_BY_INS, SQ_LOCAL_ALL,
    SQ_GHT_INSERT, SQ_GHT_GET, SQ_GHT_UPDATE,
    SQ_LINK_INSERT, SQ_LINK_END, SQ_LINK_ACTIVE, SQ_LINK_BY_GHT, SQ_LINK_BY_GHT_ACTIVE,
    SQ_LINK_BY_MERGE, SQ_LINK_BY_LOCAL,
    SQ_MERGE_INSERT, SQ_MERGE_GET, SQ_MERGE_UNDONE,
    SQ_HISTORY_INSERT, SQ_HISTORY_BY_OBJECT,
    SQ_AUDIT_LAST, SQ_AUDIT_INSERT, SQ_AUDIT_FROM,
    SQ_INBOUND_INSERT, SQ_INBOUND_FIND_ACK,
    SQ_ALERT_INSERT, SQ_ALERT_BY_LOCAL, SQ_ALERT_ALL,
    SQ_LOCAL_MERGE_INSERT, SQ_LOCAL_MERGE_OF,
    SQ_STAY_FIND, SQ_STAY_GET, SQ_STAY_INSERT, SQ_STAY_UPDATE, SQ_STAY_ALL,
    SQ_MOVEMENT_FIND, SQ_MOVEMENT_INSERT, SQ_MOVEMENT_UPDATE, SQ_MOVEMENT_BY_STAY,
    SQ_MOVEMENT_COUNT, SQ_STAY_REASSIGN,
    SQ_SUB_INSERT, SQ_SUB_FIND, SQ_SUB_DELETE, SQ_SUB_ORPHAN, SQ_SUB_ALL, SQ_SUB_ACTIVE,
    SQ_OUTBOX_INSERT, SQ_OUTBOX_ALL, SQ_OUTBOX_BY_STATE, SQ_OUTBOX_DUE, SQ_OUTBOX_SENT,
    SQ_OUTBOX_FAILED, SQ_OUTBOX_RETRY, SQ_OUTBOX_COUNTS,
    SQ_UNIT_BEGIN, SQ_UNIT_RELEASE, SQ_UNIT_ROLLBACK,
    SQ_GHT_ABSORBED,
    SQ_MKEY_DELETE, SQ_MKEY_INSERT, SQ_MKEY_CANDIDATES, SQ_MKEY_CLEAR,
    SQ_MMODEL_GET, SQ_MMODEL_SET,
    SQ_REVIEW_INSERT, SQ_REVIEW_GET, SQ_REVIEW_LAST_PAIR, SQ_REVIEW_UPDATE,
    SQ_REVIEW_OBSOLETE,
    SQ_USER_INSERT, SQ_USER_FIND, SQ_USER_GET, SQ_USER_SET_LOCK, SQ_USER_ALL,
    SQ_SESSION_INSERT, SQ_SESSION_FIND, SQ_SESSION_TOUCH, SQ_SESSION_DELETE,
    SQ_SESSION_PURGE,
    SQ_BED_OCCUPANTS,
    SQ_PVERSION_INSERT, SQ_PVERSION_LAST, SQ_PVERSION_GET, SQ_PVERSION_ALL,
    SQ_MERGE_OF_ABSORBED,
    SQ_MMODEL_GENERATION, SQ_LOCAL_MAX_ID, SQ_MREC_SET, SQ_MREC_CLEAR,
    SQ_BEGIN_READ, SQ_LOCAL_BY_GHT,
    SQ_MATCH_GROUP,
    SQ_MFREQ_CLEAR, SQ_MFREQ_PUT, SQ_MFREQ_GET, SQ_MFREQ_ANY,
    SQ_STMT_COUNT
} sq_stmt_id;

#define SQ_DYN_CACHE 16

struct store {
    sqlite3 *db;
    char path[4096];
    int schema_version;
    int in_tx;              /* a transaction, or a batch's unit, is open */
    int in_batch;           /* store_batch_begin: transactions are units */
    int wal_pages;          /* WAL size after this handle's last commit */
    int reader;             /* store_open_reader: reads only, audit held */
    /* A reader's held audit records (store_audit_hold): held_count of
     * held_cap; those past held_mark belong to the open transaction. */
    audit_record *held;
    size_t held_count, held_cap, held_mark;
    /* Run-time statements kept for reuse (sq_prepare_cached), least
     * recently used first out. */
    struct sq_cached {
        char *sql;              /* NULL: free slot */
        sqlite3_stmt *stmt;
        uint64_t used;          /* dyn_clock at the last use */
        int lent;               /* between sq_prepare_cached and sq_release */
    } dyn[SQ_DYN_CACHE];
    uint64_t dyn_clock;
    /* Outbox rows inserted since open; read by other threads (see
     * store_outbox_writes), so atomic. */
    _Atomic int64_t outbox_writes;
    sqlite3_stmt *stmts[SQ_STMT_COUNT];
    /* The owner's parsed form of the persisted matching model (opaque
     * bytes, see store_match_model_cache_get): model_cache_gen is the
     * match_model row's generation it was parsed from, -2 when empty. */
    unsigned char *model_cache;
    size_t model_cache_size;
    int64_t model_cache_gen;
};

/* The cached statement id, prepared from sql on first use, reset and with
 * its bindings cleared. NULL with err on failure. */
sqlite3_stmt *sq_stmt(store *st, sq_stmt_id id, const char *sql, socle_err *err);

/* Map a SQLite failure to a socle_err ("what: sqlite message"): constraint
 * violations become SOCLE_ECONFLICT, busy/locked SOCLE_EBUSY, the rest
 * SOCLE_EIO. Returns -1. */
int sq_fail(store *st, socle_err *err, const char *what);

/* Step a statement that returns no row. */
int sq_exec_stmt(store *st, sqlite3_stmt *s, const char *what, socle_err *err);

void sq_bind_text(sqlite3_stmt *s, int idx, const char *text);
/* Copy column col into dst (always NUL-terminated; "" for NULL). */
void sq_column_copy(sqlite3_stmt *s, int col, char *dst, size_t n);

/* Register the store's VFS (sqlite_vfs.c: WAL writes gathered into one
 * system call per commit); its name for sqlite3_open_v2, or NULL to use
 * the default VFS. Once per process, before any handle is opened. */
const char *sq_vfs_register(void);

/* A statement built at run time from fixed fragments (searches with
 * optional criteria): each fragment's placeholder gets its value here,
 * so no value is ever pasted into SQL. */
#define SQ_BINDS_MAX 64
typedef struct sq_binds {
    const char *text[SQ_BINDS_MAX];   /* borrowed; NULL: the value is num[i] */
    int64_t num[SQ_BINDS_MAX];
    size_t n;
} sq_binds;

/* Append fragment (holding one `?`) to sql and remember its value. More
 * than SQ_BINDS_MAX values is a bug of the caller: it aborts. */
void sq_binds_text(sq_binds *b, buf *sql, const char *fragment, const char *v);
void sq_binds_num(sq_binds *b, buf *sql, const char *fragment, int64_t v);
/* Prepare sql (not cached: the caller finalizes *out) and bind b. */
int sq_prepare_bound(store *st, const char *sql, const sq_binds *b, const char *what,
                     sqlite3_stmt **out, socle_err *err);
/* The same, from the handle's cache of run-time statements (searches
 * repeat the same few shapes with other values; preparing costs as much as
 * running them). Give *out back with sq_release, never finalize it. */
int sq_prepare_cached(store *st, const char *sql, const sq_binds *b, const char *what,
                      sqlite3_stmt **out, socle_err *err);
void sq_release(store *st, sqlite3_stmt *s);   /* NULL is fine */
/* Finalize the cached run-time statements (store_close). */
void sq_cache_clear(store *st);

/* Run the versioned migrations up to the latest schema. */
int sq_migrate(store *st, socle_err *err);

#endif
