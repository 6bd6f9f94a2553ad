/*
 * sqlite_vfs.c - the store's SQLite VFS: the system's default one, except
 * that writes to a WAL file are gathered and reach the kernel in one call.
 *
 * Why: SQLite appends each page of a commit to the WAL with two write
 * calls (its 24-byte frame header, then the page), then syncs. A message
 * commits 10 to 40 pages, so 20 to 80 system calls, which on a virtual
 * machine cost more than the SQL itself. Gathered: one call per ~29 pages. Here consecutive writes are
 * copied into a buffer and written with one pwrite when SQLite next needs
 * the file to be up to date: before a sync, a read, a size query, a
 * truncation, a file control or closing; or when the next write is not
 * contiguous or the buffer is full.
 *
 * Why that is safe: a commit's frames become visible to other connections
 * only when SQLite publishes them in the WAL index, which with
 * synchronous=FULL (the store's setting, checked at open) comes after the
 * WAL sync, hence after our flush. Frames written before a commit (a
 * spilled cache) are read back by their own connection only, through
 * xRead, which flushes first. A failed flush is the failure of the call
 * that needed it (the sync: the commit fails, nothing is acknowledged).
 * The database file and every other file go straight to the default VFS.
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

/* Flushed when a commit outgrows it. The default (unix) VFS writes at most
 * 128 KiB - 1 per call (it never gets more from SQLite itself) and reports
 * a longer write as short, "disk full": stay under that. About 29 pages of
 * 4 KiB with their headers. */
#define WALBUF_MAX (120 * 1024)

typedef struct walbuf_file {
    sqlite3_file base;          /* pMethods: ours */
    sqlite3_int64 off;          /* file offset of data[0] */
    int len;
    char *data;                 /* WALBUF_MAX bytes, allocated on first write */
    sqlite3_file real[];        /* the default VFS's file, szOsFile bytes */
} walbuf_file;

static sqlite3_vfs *base_vfs;
static sqlite3_vfs walbuf_vfs;
static sqlite3_io_methods walbuf_methods;

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((walbuf_file *)f)->real;
}

static int flush(sqlite3_file *f)
{
    walbuf_file *w = (walbuf_file *)f;
    if (w->len == 0)
        return SQLITE_OK;
    int rc = w->real->pMethods->xWrite(w->real, w->data, w->len, w->off);
    w->len = 0;   /* a failed write is reported once, by the caller's call */
    return rc;
}

static int wb_close(sqlite3_file *f)
{
    walbuf_file *w = (walbuf_file *)f;
    int rc = flush(f);
    int rc2 = w->real->pMethods->xClose(w->real);
    sqlite3_free(w->data);
    w->data = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xRead(real_of(f), p, n, off);
}

static int wb_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    walbuf_file *w = (walbuf_file *)f;
    if (w->data == NULL) {
        w->data = sqlite3_malloc(WALBUF_MAX);
        if (w->data == NULL)
            return real_of(f)->pMethods->xWrite(real_of(f), p, n, off);
    }
    if (w->len > 0 && (off != w->off + w->len || w->len + n > WALBUF_MAX)) {
        int rc = flush(f);
        if (rc != SQLITE_OK)
            return rc;
    }
    if (n > WALBUF_MAX)
        return real_of(f)->pMethods->xWrite(real_of(f), p, n, off);
    if (w->len == 0)
        w->off = off;
    memcpy(w->data + w->len, p, (size_t)n);
    w->len += n;
    return SQLITE_OK;
}

static int wb_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int wb_sync(sqlite3_file *f, int flags)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int wb_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int wb_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int wb_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int wb_check_reserved(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int wb_file_control(sqlite3_file *f, int op, void *arg)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int wb_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int wb_device_characteristics(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int wb_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
                   int *out_flags)
{
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL))
        return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
    walbuf_file *w = (walbuf_file *)f;
    memset(w, 0, sizeof *w);
    int rc = base_vfs->xOpen(base_vfs, name, w->real, flags, out_flags);
    /* On failure SQLite calls xClose only when pMethods is set. */
    if (rc == SQLITE_OK && w->real->pMethods != NULL)
        w->base.pMethods = &walbuf_methods;
    else if (w->real->pMethods != NULL)
        w->real->pMethods->xClose(w->real);
    return rc;
}

/* The rest of the VFS is the default one's. */
static int wb_delete(sqlite3_vfs *v, const char *n, int sync_dir)
{
    (void)v;
    return base_vfs->xDelete(base_vfs, n, sync_dir);
}

static int wb_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    (void)v;
    return base_vfs->xAccess(base_vfs, n, flags, out);
}

static int wb_full_pathname(sqlite3_vfs *v, const char *n, int size, char *out)
{
    (void)v;
    return base_vfs->xFullPathname(base_vfs, n, size, out);
}

static int wb_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return base_vfs->xRandomness(base_vfs, n, out);
}

static int wb_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return base_vfs->xSleep(base_vfs, us);
}

static int wb_current_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return base_vfs->xCurrentTime(base_vfs, out);
}

static int wb_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return base_vfs->xGetLastError(base_vfs, n, out);
}

static int wb_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static void *wb_dl_open(sqlite3_vfs *v, const char *n)
{
    (void)v;
    return base_vfs->xDlOpen(base_vfs, n);
}

static void wb_dl_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    base_vfs->xDlError(base_vfs, n, out);
}

static void (*wb_dl_sym(sqlite3_vfs *v, void *h, const char *n))(void)
{
    (void)v;
    return base_vfs->xDlSym(base_vfs, h, n);
}

static void wb_dl_close(sqlite3_vfs *v, void *h)
{
    (void)v;
    base_vfs->xDlClose(base_vfs, h);
}

const char *sq_vfs_register(void)
{
    base_vfs = sqlite3_vfs_find(NULL);
    if (base_vfs == NULL || base_vfs->iVersion < 2)
        return NULL;   /* unexpected: the default VFS serves then */
    walbuf_methods = (sqlite3_io_methods){
        .iVersion = 1,   /* no shared memory nor mmap on a WAL file */
        .xClose = wb_close,
        .xRead = wb_read,
        .xWrite = wb_write,
        .xTruncate = wb_truncate,
        .xSync = wb_sync,
        .xFileSize = wb_file_size,
        .xLock = wb_lock,
        .xUnlock = wb_unlock,
        .xCheckReservedLock = wb_check_reserved,
        .xFileControl = wb_file_control,
        .xSectorSize = wb_sector_size,
        .xDeviceCharacteristics = wb_device_characteristics,
    };
    walbuf_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(walbuf_file) + base_vfs->szOsFile,
        .mxPathname = base_vfs->mxPathname,
        .zName = "socle-walbuf",
        .xOpen = wb_open,
        .xDelete = wb_delete,
        .xAccess = wb_access,
        .xFullPathname = wb_full_pathname,
        .xDlOpen = wb_dl_open,
        .xDlError = wb_dl_error,
        .xDlSym = wb_dl_sym,
        .xDlClose = wb_dl_close,
        .xRandomness = wb_randomness,
        .xSleep = wb_sleep,
        .xCurrentTime = wb_current_time,
        .xGetLastError = wb_last_error,
        .xCurrentTimeInt64 = wb_current_time64,
    };
    if (sqlite3_vfs_register(&walbuf_vfs, 0) != SQLITE_OK)
        return NULL;
    return walbuf_vfs.zName;
}
