/*
 * sqlite_version.c - the versions of each patient (store.h, "Patient
 * versions"): an append-only table keyed by (GHT id, version).
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

int store_patient_version_add(store *st, int64_t ght_id, const char *at,
                              const char *snapshot, int *version, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_PVERSION_INSERT,
        "INSERT INTO patient_version(ght_id, version, at, snapshot)"
        " SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3 FROM patient_version"
        " WHERE ght_id = ?1 RETURNING version", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    sq_bind_text(s, 2, at);
    sq_bind_text(s, 3, snapshot);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return sq_fail(st, err, "record patient version");
    }
    *version = sqlite3_column_int(s, 0);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "record patient version");
}

static void read_row(sqlite3_stmt *s, patient_version *out)
{
    memset(out, 0, sizeof *out);
    out->ght_id = sqlite3_column_int64(s, 0);
    out->version = sqlite3_column_int(s, 1);
    sq_column_copy(s, 2, out->at, sizeof out->at);
}

int store_patient_version_last(store *st, int64_t ght_id, patient_version *out,
                               socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_PVERSION_LAST,
        "SELECT ght_id, version, at FROM patient_version WHERE ght_id = ?1"
        " ORDER BY version DESC LIMIT 1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_row(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read patient version");
}

int store_patient_version_get(store *st, int64_t ght_id, int version, patient_version *out,
                              socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_PVERSION_GET,
        "SELECT ght_id, version, at, snapshot FROM patient_version"
        " WHERE ght_id = ?1 AND version = ?2", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    sqlite3_bind_int(s, 2, version);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_row(s, out);
        const char *snap = (const char *)sqlite3_column_text(s, 3);
        if (snap != NULL && (out->snapshot = strdup(snap)) == NULL)
            abort();
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read patient version");
}

int store_patient_version_foreach(store *st, int64_t ght_id, store_patient_version_cb cb,
                                  void *ctx, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_PVERSION_ALL,
        "SELECT ght_id, version, at, snapshot FROM patient_version WHERE ght_id = ?1"
        " ORDER BY version DESC", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        patient_version v;
        read_row(s, &v);
        v.snapshot = (const char *)sqlite3_column_text(s, 3);
        if (cb(&v, ctx) != 0) {
            sqlite3_reset(s);
            return 0;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "list patient versions");
}
