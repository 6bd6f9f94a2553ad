/*
 * fsutil.c - files and directories of the data dir.
 *
 * Files are replaced atomically (write a temporary, fsync, rename, fsync the
 * directory) so that a crash leaves either the old or the new content,
 * never a mix; the directory fsync makes the rename itself durable.
 */
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

/* Create one directory; an existing directory is fine. The mode is set
 * explicitly because mkdir() applies the umask. */
static int mkdir_one(const char *path, mode_t mode, socle_err *err)
{
    if (mkdir(path, mode) == 0) {
        if (chmod(path, mode) != 0)
            return err_set(err, SOCLE_EIO, "cannot set mode of %s: %s",
                           path, strerror(errno));
        return 0;
    }
    int e = errno;
    if (e == EEXIST) {
        if (fs_is_dir(path))
            return 0;
        return err_set(err, SOCLE_EIO, "cannot create directory %s: "
                       "a file of that name exists", path);
    }
    return err_set(err, SOCLE_EIO, "cannot create directory %s: %s",
                   path, strerror(e));
}

int fs_mkdir_p(const char *path, mode_t mode, socle_err *err)
{
    char tmp[PATH_MAX];

    if (path == NULL || path[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "empty directory path");
    if (str_copy(tmp, sizeof tmp, path) != 0)
        return err_set(err, SOCLE_EINVAL, "path too long: %.64s...", path);

    /* Create each ancestor in turn; the leading '/' of an absolute path is
     * not a component. */
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        int rc = mkdir_one(tmp, mode, err);
        *p = '/';
        if (rc != 0)
            return -1;
    }
    return mkdir_one(tmp, mode, err);
}

int fs_is_dir(const char *path)
{
    struct stat st;
    return path != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* write() until done: it may be partial and may be interrupted. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fsync a directory so that a rename into it survives a crash. */
static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
                  socle_err *err)
{
    char dir[PATH_MAX];
    char tmp[PATH_MAX];

    if (path == NULL || path[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "empty file path");
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    if (base[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "cannot write %s: not a file name", path);

    size_t dlen = slash == NULL ? 0 : (slash == path ? 1 : (size_t)(slash - path));
    if (dlen >= sizeof dir)
        return err_set(err, SOCLE_EINVAL, "path too long: %.64s...", path);
    if (slash == NULL) {
        strcpy(dir, ".");
    } else {
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
    }

    /* A hidden name next to the target: same file system, so rename() is
     * atomic, and a leftover after a crash is recognisable. */
    int n = snprintf(tmp, sizeof tmp, "%.*s%s.%s.tmp-XXXXXX", (int)dlen, path,
                     slash != NULL && dlen > 1 ? "/" : "", base);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return err_set(err, SOCLE_EINVAL, "path too long: %.64s...", path);

    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return err_set(err, SOCLE_EIO, "cannot create a temporary file for %s: %s",
                       path, strerror(errno));

    /* fchmod is not subject to the umask: the mode is exactly what was asked. */
    const char *what;
    if (fchmod(fd, mode) != 0)
        what = "set mode of";
    else if (write_all(fd, data, len) != 0)
        what = "write";
    else if (fsync(fd) != 0)
        what = "sync";
    else
        what = NULL;
    if (what != NULL) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return err_set(err, SOCLE_EIO, "cannot %s %s: %s", what, tmp, strerror(e));
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return err_set(err, SOCLE_EIO, "cannot write %s: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return err_set(err, SOCLE_EIO, "cannot rename %s to %s: %s", tmp, path,
                       strerror(e));
    }
    if (fsync_dir(dir) != 0)
        return err_set(err, SOCLE_EIO, "cannot sync directory %s: %s", dir,
                       strerror(errno));
    return 0;
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len,
                 socle_err *err)
{
    *out = NULL;
    if (len != NULL)
        *len = 0;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return err_set(err, e == ENOENT ? SOCLE_ENOTFOUND : SOCLE_EIO,
                       "cannot open %s: %s", path, strerror(e));
    }
    /* Read until end of file rather than trusting st_size, which may change
     * under us and is 0 for pipes; stop one byte past the limit to tell
     * "too large" apart. A directory fails here with EISDIR. */
    buf b = {0};
    char chunk[8192];
    for (;;) {
        size_t want = sizeof chunk;
        if (b.len <= max && max - b.len + 1 < want)
            want = max - b.len + 1;
        ssize_t n = read(fd, chunk, want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            buf_free(&b);
            return err_set(err, SOCLE_EIO, "cannot read %s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        buf_append(&b, chunk, (size_t)n);
        if (b.len > max) {
            close(fd);
            buf_free(&b);
            return err_set(err, SOCLE_EINVAL, "%s is larger than %zu bytes", path, max);
        }
    }
    close(fd);
    if (len != NULL)
        *len = b.len;
    *out = buf_detach(&b);
    return 0;
}

/* The pid written by the holder, or -1 when it cannot be read (the holder
 * may have the lock but not have written its pid yet). */
static long read_pid(int fd)
{
    char text[32];
    ssize_t n;
    do {
        n = pread(fd, text, sizeof text - 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    char *end;
    errno = 0;
    long pid = strtol(text, &end, 10);
    if (errno != 0 || end == text || pid <= 0)
        return -1;
    return pid;
}

int fs_lock_exclusive(const char *path, socle_err *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(err, SOCLE_EIO, "cannot open lock file %s: %s", path,
                       strerror(errno));

    int rc;
    do {
        rc = flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            long pid = read_pid(fd);
            close(fd);
            if (pid > 0)
                return err_set(err, SOCLE_EBUSY, "%s is locked by process %ld",
                               path, pid);
            return err_set(err, SOCLE_EBUSY, "%s is locked by another process",
                           path);
        }
        close(fd);
        return err_set(err, SOCLE_EIO, "cannot lock %s: %s", path, strerror(e));
    }

    /* Only the holder writes, so there is no race on the content. */
    char text[32];
    int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        return err_set(err, SOCLE_EIO, "cannot write pid to %s: %s", path,
                       strerror(e));
    }
    return fd;
}

void fs_unlock(int fd)
{
    if (fd < 0)
        return;
    /* close() alone releases the lock when this is the last descriptor of
     * the open file; an explicit unlock also covers descriptors inherited
     * by a child. */
    flock(fd, LOCK_UN);
    close(fd);
}
