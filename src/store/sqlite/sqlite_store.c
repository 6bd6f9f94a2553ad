/*
 * sqlite_store.c - the embedded default store: one SQLite database in WAL
 * mode inside the data dir. Opening, transactions, settings and counts; the
 * tables of each concept live in the sibling files.
 */
#include "store/sqlite/sqlite_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fsutil.h"

#define SQ_BUSY_TIMEOUT_MS 5000

sqlite3_stmt *sq_stmt(store *st, sq_stmt_id id, const char *sql, socle_err *err)
{
    sqlite3_stmt *s = st->stmts[id];
    if (s == NULL) {
        int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
        if (rc != SQLITE_OK) {
            err_set(err, SOCLE_EINTERNAL, "prepare: %s (%s)", sqlite3_errmsg(st->db), sql);
            return NULL;
        }
        st->stmts[id] = s;
    } else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    return s;
}

int sq_fail(store *st, socle_err *err, const char *what)
{
    int rc = sqlite3_extended_errcode(st->db);
    socle_errcode code = SOCLE_EIO;
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: code = SOCLE_ECONFLICT; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:     code = SOCLE_EBUSY; break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:       code = SOCLE_EIO; break;
    default: break;
    }
    return err_set(err, code, "%s: %s", what, sqlite3_errmsg(st->db));
}

int sq_exec_stmt(store *st, sqlite3_stmt *s, const char *what, socle_err *err)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sq_fail(st, err, what);
        sqlite3_reset(s);
        return -1;
    }
    sqlite3_reset(s);
    return 0;
}

void sq_bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    sqlite3_bind_text(s, idx, text ? text : "", -1, SQLITE_TRANSIENT);
}

void sq_column_copy(sqlite3_stmt *s, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(s, col);
    str_copy(dst, n, v ? (const char *)v : "");
}

/* Run a pragma or statement that needs no caching. */
static int exec_sql(store *st, const char *sql, socle_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        socle_errcode code = SOCLE_EIO;
        int rc = sqlite3_extended_errcode(st->db) & 0xff;
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            code = SOCLE_EBUSY;
        err_set(err, code, "%s: %s", sql, msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Set once per process, before the first handle (see configure_sqlite). */
static const char *vfs_name;

/* SQLite counts every allocation under one process-wide mutex unless told
 * not to; nothing here reads those counts. Only possible before SQLite
 * initialises (else SQLITE_MISUSE, harmless: the counts stay on). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    vfs_name = sq_vfs_register();
}

static pthread_once_t configure_once = PTHREAD_ONCE_INIT;

/* Open st->path with flags on the store's VFS; on failure st is closed. */
static int open_db(store *st, int flags, socle_err *err)
{
    int rc = sqlite3_open_v2(st->path, &st->db, flags, vfs_name);
    if (rc != SQLITE_OK) {
        err_set(err, SOCLE_EIO, "cannot open %s: %s", st->path,
                st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        store_close(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, SQ_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(st->db, 1);
    return 0;
}

int store_open(store **out, const char *data_dir, socle_err *err)
{
    pthread_once(&configure_once, configure_sqlite);
    *out = NULL;
    if (fs_mkdir_p(data_dir, 0750, err) != 0) {
        err_prefix(err, "data dir %s", data_dir);
        return -1;
    }
    store *st = calloc(1, sizeof *st);
    if (st == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    if (snprintf(st->path, sizeof st->path, "%s/socle.db", data_dir) >= (int)sizeof st->path) {
        free(st);
        return err_set(err, SOCLE_EINVAL, "data dir path too long");
    }

    if (open_db(st, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err) != 0)
        return -1;
    /* SQLite silently falls back to read-only when the file is not
     * writable; a store that cannot write must refuse to start instead. */
    if (sqlite3_db_readonly(st->db, "main") == 1) {
        err_set(err, SOCLE_EIO, "%s is read-only: the data dir must be writable", st->path);
        store_close(st);
        return -1;
    }

    /* WAL lets readers and the administrative commands work beside the
     * server; synchronous=FULL makes every commit durable before we
     * acknowledge anything that depends on it. */
    /* A new store gets 1 KiB pages (an existing one keeps its own: the size
     * is fixed once the file exists). Each commit rewrites in full every
     * page it touches, and a message touches some twenty index and table
     * leaves: at 4 KiB that was ~84 KB written and synced per message, at
     * 1 KiB ~29 KB, which is what a lone sender waits for (bench/mllp). */
    if (exec_sql(st, "PRAGMA page_size=1024", err) != 0
        || exec_sql(st, "PRAGMA journal_mode=WAL", err) != 0
        || exec_sql(st, "PRAGMA synchronous=FULL", err) != 0
        || exec_sql(st, "PRAGMA foreign_keys=ON", err) != 0
        /* After a burst, give the disk space of a large WAL back when it
         * restarts (it is reused from the start once checkpointed). */
        || exec_sql(st, "PRAGMA journal_size_limit=67108864", err) != 0
        /* The undo log of a batch's unit (a savepoint) stays in memory
         * instead of a temporary file created and deleted per unit. */
        || exec_sql(st, "PRAGMA temp_store=MEMORY", err) != 0
        /* 32 MiB of pages per handle (default 2 MiB): the indexes a
         * message touches stay in memory instead of a read per page. */
        || exec_sql(st, "PRAGMA cache_size=-32768", err) != 0) {
        err_prefix(err, "cannot configure %s (is the data dir writable?)", st->path);
        store_close(st);
        return -1;
    }
    /* journal_mode=WAL answers with the mode it got; check it stuck. */
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK
        && sqlite3_step(s) == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(s, 0);
        if (mode == NULL || strcmp(mode, "wal") != 0) {
            err_set(err, SOCLE_EIO, "%s: cannot use WAL journal (got %s): is the data dir writable?",
                    st->path, mode ? mode : "nothing");
            sqlite3_finalize(s);
            store_close(st);
            return -1;
        }
    }
    sqlite3_finalize(s);

    if (sq_migrate(st, err) != 0) {
        err_prefix(err, "%s", st->path);
        store_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

/* A reader's page cache is emptied by SQLite whenever the journal changed
 * since its last read transaction, which with audited reads is nearly every
 * time: a large cache buys little. (Nor does mmap: SQLite unmaps the whole
 * file on the same occasion, and the faults to map it again cost more than
 * the reads they save.) */
#define SQ_READER_CACHE "PRAGMA cache_size=-8192"

int store_open_reader(store **out, const char *data_dir, socle_err *err)
{
    pthread_once(&configure_once, configure_sqlite);
    *out = NULL;
    store *st = calloc(1, sizeof *st);
    if (st == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    st->reader = 1;
    if (snprintf(st->path, sizeof st->path, "%s/socle.db", data_dir) >= (int)sizeof st->path) {
        free(st);
        return err_set(err, SOCLE_EINVAL, "data dir path too long");
    }
    /* Not SQLITE_OPEN_READONLY: a WAL reader still maps the shared-memory
     * index, which needs the -shm file writable. query_only forbids writes. */
    if (open_db(st, SQLITE_OPEN_READWRITE, err) != 0)
        return -1;
    if (exec_sql(st, "PRAGMA query_only=1", err) != 0
        || exec_sql(st, "PRAGMA temp_store=MEMORY", err) != 0
        || exec_sql(st, SQ_READER_CACHE, err) != 0) {
        err_prefix(err, "cannot configure a reader on %s", st->path);
        store_close(st);
        return -1;
    }
    /* The schema is the writing handle's business (store_open migrated
     * it); a reader only learns which version it reads. */
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        st->schema_version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (st->schema_version == 0) {
        err_set(err, SOCLE_EIO, "%s holds no store (open it with store_open first)", st->path);
        store_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

int store_is_reader(const store *st)
{
    return st->reader;
}

int store_audit_hold(store *st, const audit_record *rec, socle_err *err)
{
    if (!st->reader)
        return err_set(err, SOCLE_EINTERNAL, "audit records are held by reader handles only");
    if (!st->in_tx)
        return err_set(err, SOCLE_EINTERNAL, "audit record held outside a transaction");
    if (st->held_count == st->held_cap) {
        size_t cap = st->held_cap ? st->held_cap * 2 : 4;
        audit_record *h = realloc(st->held, cap * sizeof *h);
        if (h == NULL)
            return err_set(err, SOCLE_EIO, "out of memory");
        st->held = h;
        st->held_cap = cap;
    }
    st->held[st->held_count++] = *rec;
    return 0;
}

size_t store_audit_take_held(store *st, audit_record **out)
{
    /* Only what committed transactions held: an open one keeps its own. */
    size_t n = st->in_tx ? st->held_mark : st->held_count;
    *out = NULL;
    if (n == 0)
        return 0;
    audit_record *taken = malloc(n * sizeof *taken);
    if (taken == NULL)
        abort();  /* as buf.h: a few records, no recovery worth having */
    memcpy(taken, st->held, n * sizeof *taken);
    memmove(st->held, st->held + n, (st->held_count - n) * sizeof *st->held);
    st->held_count -= n;
    st->held_mark -= n;
    *out = taken;
    return n;
}

void store_close(store *st)
{
    if (st == NULL)
        return;
    if (st->in_batch)
        store_batch_rollback(st);
    if (st->in_tx)
        store_rollback(st);
    for (int i = 0; i < SQ_STMT_COUNT; i++)
        sqlite3_finalize(st->stmts[i]);
    sq_cache_clear(st);
    if (st->db != NULL) {
        /* Fold the WAL back into the database so the dir is self-contained
         * (the writing handle's job: a reader leaves the journal alone). */
        if (!st->reader)
            sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        sqlite3_close_v2(st->db);
    }
    free(st->model_cache);
    free(st->held);
    free(st);
}

const char *store_backend(const store *st)
{
    (void)st;
    return "sqlite";
}

int store_schema_version(const store *st)
{
    return st->schema_version;
}

const char *store_location(const store *st)
{
    return st->path;
}

/* The batch's outer transaction is still open: SQLite rolls a whole
 * transaction back by itself on some failures (disk full, I/O error). */
static int batch_alive(const store *st)
{
    return sqlite3_get_autocommit(st->db) == 0;
}

static int exec_cached(store *st, sq_stmt_id id, const char *sql, const char *what,
                       socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, id, sql, err);
    return s == NULL || sq_exec_stmt(st, s, what, err) != 0 ? -1 : 0;
}

int store_begin(store *st, socle_err *err)
{
    if (st->in_tx)
        return err_set(err, SOCLE_EINTERNAL, "transaction already open");
    if (st->in_batch) {
        if (!batch_alive(st))
            return err_set(err, SOCLE_EIO, "the batch's transaction was rolled back "
                           "after a storage failure");
        if (exec_cached(st, SQ_UNIT_BEGIN, "SAVEPOINT unit", "begin unit", err) != 0)
            return -1;
    } else if (st->reader) {
        /* A snapshot of what is committed now; no write lock to wait for. */
        if (exec_cached(st, SQ_BEGIN_READ, "BEGIN DEFERRED", "begin read", err) != 0)
            return -1;
        st->held_mark = st->held_count;
    } else if (exec_cached(st, SQ_BEGIN, "BEGIN IMMEDIATE", "begin", err) != 0) {
        return -1;
    }
    st->in_tx = 1;
    return 0;
}

int store_commit(store *st, socle_err *err)
{
    if (!st->in_tx)
        return err_set(err, SOCLE_EINTERNAL, "commit outside a transaction");
    if (st->in_batch) {
        /* RELEASE keeps the unit's writes in the batch's transaction. */
        if (!batch_alive(st))
            return err_set(err, SOCLE_EIO, "the batch's transaction was rolled back "
                           "after a storage failure");
        if (exec_cached(st, SQ_UNIT_RELEASE, "RELEASE unit", "commit unit", err) != 0)
            return -1;
    } else if (exec_cached(st, SQ_COMMIT, "COMMIT", "commit", err) != 0) {
        return -1;
    }
    st->held_mark = st->held_count;
    st->in_tx = 0;
    return 0;
}

void store_rollback(store *st)
{
    if (!st->in_tx)
        return;
    /* A model saved and cached in the undone transaction may come back
     * under the same generation with another content: forget it. */
    st->model_cache_size = 0;
    if (st->in_batch) {
        /* ROLLBACK TO undoes the unit but leaves its savepoint open. */
        if (batch_alive(st)) {
            exec_cached(st, SQ_UNIT_ROLLBACK, "ROLLBACK TO unit", "roll back unit", NULL);
            exec_cached(st, SQ_UNIT_RELEASE, "RELEASE unit", "end unit", NULL);
        }
    } else if (batch_alive(st)) {
        exec_cached(st, SQ_ROLLBACK, "ROLLBACK", "rollback", NULL);
    }
    st->held_count = st->held_mark;  /* what the undone transaction held goes too */
    st->in_tx = 0;
}

int store_in_transaction(const store *st)
{
    return st->in_tx;
}

int store_batch_begin(store *st, socle_err *err)
{
    if (st->in_tx || st->in_batch)
        return err_set(err, SOCLE_EINTERNAL, "transaction already open");
    if (st->reader)
        return err_set(err, SOCLE_EINTERNAL, "a reader handle runs no batch");
    if (exec_cached(st, SQ_BEGIN, "BEGIN IMMEDIATE", "begin batch", err) != 0)
        return -1;
    st->in_batch = 1;
    return 0;
}

int store_batch_commit(store *st, socle_err *err)
{
    if (!st->in_batch)
        return err_set(err, SOCLE_EINTERNAL, "batch commit outside a batch");
    store_rollback(st);  /* a unit left open is not part of the batch */
    int rc = 0;
    if (!batch_alive(st))
        rc = err_set(err, SOCLE_EIO, "the batch's transaction was rolled back after a "
                     "storage failure");
    else if (exec_cached(st, SQ_COMMIT, "COMMIT", "commit batch", err) != 0)
        rc = -1;
    if (rc != 0 && batch_alive(st))
        exec_cached(st, SQ_ROLLBACK, "ROLLBACK", "rollback batch", NULL);
    st->in_batch = 0;
    return rc;
}

void store_batch_rollback(store *st)
{
    if (!st->in_batch)
        return;
    st->in_tx = 0;
    if (batch_alive(st))
        exec_cached(st, SQ_ROLLBACK, "ROLLBACK", "rollback batch", NULL);
    st->in_batch = 0;
}

int store_in_batch(const store *st)
{
    return st->in_batch;
}

/* SQLite calls this after each commit on this handle with the WAL's size. */
static int on_wal_commit(void *ctx, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    store *st = ctx;
    st->wal_pages = pages;
    return SQLITE_OK;
}

int store_autocheckpoint(store *st, int enabled, socle_err *err)
{
    if (enabled) {
        /* sqlite3_wal_autocheckpoint installs its own hook in place of ours. */
        if (sqlite3_wal_autocheckpoint(st->db, 1000) != SQLITE_OK)
            return sq_fail(st, err, "wal autocheckpoint");
    } else {
        sqlite3_wal_hook(st->db, on_wal_commit, st);
    }
    return 0;
}

int store_checkpoint(store *st, long *left, socle_err *err)
{
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return sq_fail(st, err, "checkpoint");
    if (left != NULL)
        *left = log > done ? (long)(log - done) : 0;
    return 0;
}

long store_journal_pages(const store *st)
{
    return st->wal_pages;
}

int store_meta_get(store *st, const char *key, char *out, size_t n, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_META_GET, "SELECT value FROM meta WHERE key = ?1", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        sq_column_copy(s, 0, out, n);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(st, err, "meta get");
}

int store_meta_set(store *st, const char *key, const char *value, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_META_SET,
        "INSERT INTO meta(key, value) VALUES (?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, key);
    sq_bind_text(s, 2, value);
    return sq_exec_stmt(st, s, "meta set", err);
}

int store_counts_get(store *st, store_counts *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_COUNTS,
        "SELECT (SELECT count(*) FROM structure),"
        "       (SELECT count(*) FROM id_domain),"
        "       (SELECT count(*) FROM local_identity),"
        "       (SELECT count(*) FROM ght_identity WHERE state = 'ACTIVE'),"
        "       (SELECT count(*) FROM identity_merge WHERE undone = 0),"
        "       (SELECT coalesce(max(seq), 0) FROM audit),"
        "       (SELECT count(*) FROM inbound_message),"
        "       (SELECT count(*) FROM quality_alert WHERE closed_at = '')", err);
    if (s == NULL)
        return -1;
    if (sqlite3_step(s) != SQLITE_ROW) {
        sq_fail(st, err, "counts");
        sqlite3_reset(s);
        return -1;
    }
    out->structures = sqlite3_column_int64(s, 0);
    out->domains = sqlite3_column_int64(s, 1);
    out->local_identities = sqlite3_column_int64(s, 2);
    out->ght_identities = sqlite3_column_int64(s, 3);
    out->merges = sqlite3_column_int64(s, 4);
    out->audit_records = sqlite3_column_int64(s, 5);
    out->inbound_messages = sqlite3_column_int64(s, 6);
    out->open_alerts = sqlite3_column_int64(s, 7);
    sqlite3_reset(s);
    return 0;
}
