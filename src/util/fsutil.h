/*
 * fsutil.h - files and directories of the data dir.
 */
#ifndef SOCLE_UTIL_FSUTIL_H
#define SOCLE_UTIL_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* mkdir -p with the given mode for the directories it creates. */
int fs_mkdir_p(const char *path, mode_t mode, socle_err *err);

/* Returns 1 if path exists and is a directory, 0 otherwise. */
int fs_is_dir(const char *path);

/* Write data to path atomically (temporary file in the same directory,
 * fsync, rename) with the given permission bits. */
int fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
                  socle_err *err);

/* Read a whole file (at most max bytes: larger is an error). *out is owned
 * by the caller (free()), NUL-terminated; *len excludes the NUL. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len,
                 socle_err *err);

/* An exclusive advisory lock (flock) on path, created if needed, holding
 * the owner's pid as text. Returns the open descriptor (>= 0) to keep for
 * as long as the lock is held, or -1: err->code is SOCLE_EBUSY when another
 * process holds it (err->msg then names its pid), SOCLE_EIO otherwise. */
int fs_lock_exclusive(const char *path, socle_err *err);

/* Release a lock taken by fs_lock_exclusive (closes fd; the file stays). */
void fs_unlock(int fd);

#endif
