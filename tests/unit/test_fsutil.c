/*
 * test_fsutil.c - directories, atomic writes, bounded reads and the lock.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fsutil.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/socle-fsutil-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    /* Restore permissions in case a test removed them. */
    chmod(path, 0700);
    return remove(path);
}

static void remove_tmpdir(void)
{
    if (tmpdir[0] != '\0')
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(fs, .init = make_tmpdir, .fini = remove_tmpdir);

/* tmpdir/rel */
static char *in_tmp(const char *rel)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, rel);
    return p;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
    return st.st_mode & 07777;
}

/* Number of entries in a directory besides . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

Test(fs, mkdir_p_creates_nested_directories_with_mode)
{
    socle_err err = {0};
    umask(077);
    const char *deep = in_tmp("a/b/c");
    cr_assert_eq(fs_mkdir_p(deep, 0750, &err), 0, "%s", err.msg);
    cr_assert(fs_is_dir(in_tmp("a")));
    cr_assert(fs_is_dir(in_tmp("a/b")));
    cr_assert(fs_is_dir(deep));
    cr_assert_eq(mode_of(deep), 0750, "mode %o", mode_of(deep));
    cr_assert_eq(mode_of(in_tmp("a")), 0750);
    umask(022);
}

Test(fs, mkdir_p_existing_and_trailing_slashes)
{
    socle_err err = {0};
    cr_assert_eq(fs_mkdir_p(tmpdir, 0700, &err), 0, "%s", err.msg);
    cr_assert_eq(fs_mkdir_p(in_tmp("x//y/"), 0700, &err), 0, "%s", err.msg);
    cr_assert(fs_is_dir(in_tmp("x/y")));
    cr_assert_eq(fs_mkdir_p(in_tmp("x/y"), 0700, &err), 0, "%s", err.msg);
}

Test(fs, mkdir_p_relative_path)
{
    socle_err err = {0};
    char cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(chdir(tmpdir), 0);
    int rc = fs_mkdir_p("rel/sub", 0700, &err);
    cr_assert_eq(chdir(cwd), 0);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert(fs_is_dir(in_tmp("rel/sub")));
}

Test(fs, mkdir_p_through_a_file_fails)
{
    socle_err err = {0};
    FILE *f = fopen(in_tmp("plain"), "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(fs_mkdir_p(in_tmp("plain"), 0700, &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
    cr_assert_not_null(strstr(err.msg, "plain"), "%s", err.msg);
    err = (socle_err){0};
    cr_assert_eq(fs_mkdir_p(in_tmp("plain/sub"), 0700, &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
    err = (socle_err){0};
    cr_assert_eq(fs_mkdir_p("", 0700, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_eq(fs_mkdir_p(in_tmp("plain/sub"), 0700, NULL), -1);
}

Test(fs, is_dir)
{
    cr_assert_eq(fs_is_dir(tmpdir), 1);
    cr_assert_eq(fs_is_dir(in_tmp("missing")), 0);
    FILE *f = fopen(in_tmp("file"), "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(fs_is_dir(in_tmp("file")), 0);
    cr_assert_eq(fs_is_dir(NULL), 0);
}

Test(fs, write_then_read_back)
{
    socle_err err = {0};
    const char *p = in_tmp("data.bin");
    const char data[] = "line one\nline two\0with a NUL";
    cr_assert_eq(fs_write_file(p, data, sizeof data, 0600, &err), 0, "%s", err.msg);

    char *out = NULL;
    size_t len = 0;
    cr_assert_eq(fs_read_file(p, 1024, &out, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(len, sizeof data);
    cr_assert_eq(memcmp(out, data, len), 0);
    cr_assert_eq(out[len], '\0');
    free(out);
    /* Only the target is left: no temporary file behind. */
    cr_assert_eq(count_entries(tmpdir), 1);
}

Test(fs, write_mode_is_exact_whatever_the_umask)
{
    socle_err err = {0};
    umask(0777);
    cr_assert_eq(fs_write_file(in_tmp("a"), "x", 1, 0640, &err), 0, "%s", err.msg);
    umask(0);
    cr_assert_eq(fs_write_file(in_tmp("b"), "x", 1, 0600, &err), 0, "%s", err.msg);
    umask(022);
    cr_assert_eq(mode_of(in_tmp("a")), 0640, "mode %o", mode_of(in_tmp("a")));
    cr_assert_eq(mode_of(in_tmp("b")), 0600, "mode %o", mode_of(in_tmp("b")));
}

Test(fs, write_replaces_existing_content_and_mode)
{
    socle_err err = {0};
    const char *p = in_tmp("cfg");
    cr_assert_eq(fs_write_file(p, "old content, longer", 19, 0644, &err), 0);
    struct stat before;
    cr_assert_eq(stat(p, &before), 0);
    cr_assert_eq(fs_write_file(p, "new", 3, 0600, &err), 0, "%s", err.msg);
    struct stat after;
    cr_assert_eq(stat(p, &after), 0);
    /* A new inode proves it was renamed into place, not rewritten. */
    cr_assert_neq(before.st_ino, after.st_ino);
    cr_assert_eq(after.st_mode & 07777, 0600);

    char *out;
    size_t len;
    cr_assert_eq(fs_read_file(p, 100, &out, &len, &err), 0);
    cr_assert_str_eq(out, "new");
    cr_assert_eq(len, 3);
    free(out);
}

Test(fs, write_empty_file)
{
    socle_err err = {0};
    cr_assert_eq(fs_write_file(in_tmp("empty"), "", 0, 0600, &err), 0, "%s", err.msg);
    char *out;
    size_t len = 99;
    cr_assert_eq(fs_read_file(in_tmp("empty"), 0, &out, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(out, "");
    free(out);
}

Test(fs, write_relative_path)
{
    socle_err err = {0};
    char cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(chdir(tmpdir), 0);
    int rc = fs_write_file("here.txt", "abc", 3, 0600, &err);
    cr_assert_eq(chdir(cwd), 0);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(count_entries(tmpdir), 1);
    cr_assert_eq(mode_of(in_tmp("here.txt")), 0600);
}

Test(fs, write_into_missing_directory_fails)
{
    socle_err err = {0};
    cr_assert_eq(fs_write_file(in_tmp("nope/file"), "x", 1, 0600, &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
    cr_assert_not_null(strstr(err.msg, "nope/file"), "%s", err.msg);
}

Test(fs, write_over_a_directory_fails_and_leaves_no_temporary)
{
    socle_err err = {0};
    cr_assert_eq(mkdir(in_tmp("dir"), 0700), 0);
    cr_assert_eq(fs_write_file(in_tmp("dir"), "x", 1, 0600, &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
    cr_assert_eq(count_entries(tmpdir), 1, "temporary file left behind");
    err = (socle_err){0};
    cr_assert_eq(fs_write_file(in_tmp("dir/"), "x", 1, 0600, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_eq(fs_write_file("", "x", 1, 0600, &err), -1);
}

Test(fs, write_into_read_only_directory_fails)
{
    if (geteuid() == 0) {
        remove_tmpdir();    /* a skipped test does not run .fini */
        cr_skip_test("root ignores directory permissions");
    }
    socle_err err = {0};
    cr_assert_eq(mkdir(in_tmp("ro"), 0500), 0);
    cr_assert_eq(fs_write_file(in_tmp("ro/f"), "x", 1, 0600, &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
    cr_assert_not_null(strstr(err.msg, "Permission denied"), "%s", err.msg);
}

Test(fs, read_missing_file_is_not_found)
{
    socle_err err = {0};
    char *out = (char *)1;
    size_t len = 5;
    cr_assert_eq(fs_read_file(in_tmp("missing"), 10, &out, &len, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);
    cr_assert_null(out);
    cr_assert_not_null(strstr(err.msg, "missing"), "%s", err.msg);
}

Test(fs, read_enforces_the_maximum)
{
    socle_err err = {0};
    const char *p = in_tmp("big");
    static char data[20000];
    memset(data, 'k', sizeof data);
    cr_assert_eq(fs_write_file(p, data, sizeof data, 0600, &err), 0);

    char *out = NULL;
    size_t len = 0;
    /* Exactly at the limit is fine. */
    cr_assert_eq(fs_read_file(p, sizeof data, &out, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(len, sizeof data);
    free(out);
    /* One byte over is not. */
    out = NULL;
    cr_assert_eq(fs_read_file(p, sizeof data - 1, &out, &len, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_null(out);
    cr_assert_not_null(strstr(err.msg, "larger than 19999 bytes"), "%s", err.msg);
    cr_assert_eq(fs_read_file(p, 0, &out, &len, &err), -1);
}

Test(fs, read_a_directory_fails)
{
    socle_err err = {0};
    char *out;
    size_t len;
    cr_assert_eq(fs_read_file(tmpdir, 100, &out, &len, &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
}

/* The pid a lock file holds. */
static long pid_in(const char *path)
{
    char *out;
    size_t len;
    socle_err err = {0};
    cr_assert_eq(fs_read_file(path, 64, &out, &len, &err), 0, "%s", err.msg);
    long pid = strtol(out, NULL, 10);
    free(out);
    return pid;
}

Test(fs, lock_writes_pid_and_relocks_after_unlock)
{
    socle_err err = {0};
    const char *p = in_tmp("lock");
    /* Stale content from an earlier, longer pid must go. */
    cr_assert_eq(fs_write_file(p, "999999999999\n", 13, 0644, &err), 0);
    int fd = fs_lock_exclusive(p, &err);
    cr_assert_geq(fd, 0, "%s", err.msg);
    cr_assert_eq(pid_in(p), (long)getpid());

    char *out;
    size_t len;
    cr_assert_eq(fs_read_file(p, 64, &out, &len, &err), 0);
    char expect[32];
    snprintf(expect, sizeof expect, "%ld\n", (long)getpid());
    cr_assert_str_eq(out, expect);
    free(out);

    fs_unlock(fd);
    cr_assert_eq(access(p, F_OK), 0, "the lock file stays");
    fd = fs_lock_exclusive(p, &err);
    cr_assert_geq(fd, 0, "%s", err.msg);
    fs_unlock(fd);
    fs_unlock(-1);  /* harmless */
}

Test(fs, lock_second_open_in_same_process_is_busy)
{
    socle_err err = {0};
    const char *p = in_tmp("lock");
    int fd = fs_lock_exclusive(p, &err);
    cr_assert_geq(fd, 0, "%s", err.msg);

    /* flock locks belong to the open file description: a second open
     * conflicts even in the same process. */
    err = (socle_err){0};
    cr_assert_eq(fs_lock_exclusive(p, &err), -1);
    cr_assert_eq(err.code, SOCLE_EBUSY);
    char expect[64];
    snprintf(expect, sizeof expect, "locked by process %ld", (long)getpid());
    cr_assert_not_null(strstr(err.msg, expect), "%s", err.msg);
    fs_unlock(fd);
}

Test(fs, lock_held_by_child_process_is_busy_with_its_pid)
{
    const char *p = in_tmp("lock");
    int ready[2], release[2];
    cr_assert_eq(pipe(ready), 0);
    cr_assert_eq(pipe(release), 0);

    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        socle_err cerr = {0};
        int fd = fs_lock_exclusive(p, &cerr);
        char ok = fd >= 0 ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(2);
        char c;
        if (read(release[0], &c, 1) < 0)
            _exit(3);
        fs_unlock(fd);
        _exit(fd >= 0 ? 0 : 1);
    }
    close(ready[1]);
    close(release[0]);
    char ok = 0;
    cr_assert_eq(read(ready[0], &ok, 1), 1);
    cr_assert_eq(ok, 'y', "child could not lock");

    socle_err err = {0};
    cr_assert_eq(fs_lock_exclusive(p, &err), -1);
    cr_assert_eq(err.code, SOCLE_EBUSY);
    char expect[64];
    snprintf(expect, sizeof expect, "locked by process %ld", (long)child);
    cr_assert_not_null(strstr(err.msg, expect), "%s", err.msg);
    cr_assert_eq(pid_in(p), (long)child, "a failed attempt must not overwrite the pid");

    /* Once the child lets go, the lock is ours. */
    cr_assert_eq(write(release[1], "x", 1), 1);
    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    err = (socle_err){0};
    int fd = fs_lock_exclusive(p, &err);
    cr_assert_geq(fd, 0, "%s", err.msg);
    cr_assert_eq(pid_in(p), (long)getpid());
    fs_unlock(fd);
    close(ready[0]);
    close(release[1]);
}

Test(fs, lock_busy_without_a_pid_yet)
{
    /* A holder that has the lock but has not written its pid yet. */
    const char *p = in_tmp("lock");
    int other = open(p, O_RDWR | O_CREAT, 0644);
    cr_assert_geq(other, 0);
    cr_assert_eq(flock(other, LOCK_EX | LOCK_NB), 0);

    socle_err err = {0};
    cr_assert_eq(fs_lock_exclusive(p, &err), -1);
    cr_assert_eq(err.code, SOCLE_EBUSY);
    cr_assert_not_null(strstr(err.msg, "locked by another process"), "%s", err.msg);
    close(other);
}

Test(fs, lock_in_missing_directory_is_io_error)
{
    socle_err err = {0};
    cr_assert_eq(fs_lock_exclusive(in_tmp("nope/lock"), &err), -1);
    cr_assert_eq(err.code, SOCLE_EIO);
    cr_assert_not_null(strstr(err.msg, "nope/lock"), "%s", err.msg);
}
