/*
 * Unit tests of group commit (store/writer.h): units of many threads share
 * commits, each caller learns its batch's outcome, a failed commit keeps
 * nothing of its batch, the journal is checkpointed in the background.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/writer.h"

static char dir[64];
static store *st;
static pthread_mutex_t st_lock = PTHREAD_MUTEX_INITIALIZER;

static void setup(void)
{
    strcpy(dir, "/tmp/socle-writer-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(writer, .init = setup, .fini = teardown, .timeout = 60);

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int meta_has(const char *key)
{
    char v[16];
    socle_err err;
    pthread_mutex_lock(&st_lock);
    int rc = store_meta_get(st, key, v, sizeof v, &err);
    pthread_mutex_unlock(&st_lock);
    cr_assert_geq(rc, 0, "%s", err.msg);
    return rc;
}

/* ---- Units ------------------------------------------------------------- */

typedef struct job {
    store_writer *w;
    char key[32];
    size_t value_len;    /* 0: a short value */
    int keep;            /* commit the unit, else roll it back */
    long wait_for;       /* first unit of a batch: wait until this many are queued */
    int ran;
    int rc;              /* of store_writer_run */
    socle_err err;
} job;

static void set_key(store *s, void *arg)
{
    job *j = arg;
    j->ran++;
    if (j->wait_for > 0) {
        /* Hold the batch until the others are queued behind it. */
        store_writer_stats ws;
        long until = now_ms() + 10000;
        do {
            usleep(1000);
            store_writer_stats_get(j->w, &ws);
        } while (ws.waiting < j->wait_for && now_ms() < until);
    }
    char small[2] = "v";
    char *value = small;
    if (j->value_len > 0) {
        value = malloc(j->value_len + 1);
        memset(value, 'x', j->value_len);
        value[j->value_len] = '\0';
    }
    socle_err err;
    int ok = store_begin(s, &err) == 0 && store_meta_set(s, j->key, value, &err) == 0;
    if (ok && j->keep)
        ok = store_commit(s, &err) == 0;
    if (!ok || !j->keep)
        store_rollback(s);
    if (value != small)
        free(value);
}

static void *submit(void *arg)
{
    job *j = arg;
    err_clear(&j->err);
    j->rc = store_writer_run(j->w, set_key, j, &j->err);
    return NULL;
}

static store_writer *start_writer(const char *checkpoint_dir, long checkpoint_pages)
{
    store_writer_config cfg = {
        .st = st,
        .lock = &st_lock,
        .checkpoint_dir = checkpoint_dir,
        .checkpoint_pages = checkpoint_pages,
    };
    store_writer *w = NULL;
    socle_err err;
    cr_assert_eq(store_writer_start(&w, &cfg, &err), 0, "%s", err.msg);
    return w;
}

/* One blocking first unit, then n - 1 threads queued behind it: two
 * batches, the second holding every unit that waited. */
static void run_two_batches(store_writer *w, job *jobs, int n)
{
    pthread_t t[64];
    cr_assert_leq(n, 64);
    jobs[0].wait_for = n - 1;
    for (int i = 0; i < n; i++) {
        jobs[i].w = w;
        cr_assert_eq(pthread_create(&t[i], NULL, submit, &jobs[i]), 0);
        if (i == 0) {
            /* Make sure the blocking unit leads the first batch. */
            store_writer_stats ws;
            long until = now_ms() + 10000;
            do {
                usleep(1000);
                store_writer_stats_get(w, &ws);
            } while (jobs[0].ran == 0 && now_ms() < until);
            cr_assert_eq(jobs[0].ran, 1, "the first unit did not start");
        }
    }
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

/* ---- Tests ------------------------------------------------------------- */

enum { THREADS = 8, EACH = 25 };

/* A connection: its units one after the other. */
static void *run_each(void *arg)
{
    job *jobs = arg;
    for (int k = 0; k < EACH; k++)
        submit(&jobs[k]);
    return NULL;
}

Test(writer, every_unit_returns_committed_from_many_threads)
{
    store_writer *w = start_writer(NULL, 0);
    static job jobs[THREADS][EACH];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < EACH; k++) {
            jobs[i][k].w = w;
            jobs[i][k].keep = 1;
            snprintf(jobs[i][k].key, sizeof jobs[i][k].key, "t%d-u%d", i, k);
        }
    for (int i = 0; i < THREADS; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, run_each, jobs[i]), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);

    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < EACH; k++) {
            cr_expect_eq(jobs[i][k].rc, 0, "%s: %s", jobs[i][k].key, jobs[i][k].err.msg);
            cr_expect_eq(jobs[i][k].ran, 1);
            cr_expect_eq(meta_has(jobs[i][k].key), 1, "%s stored", jobs[i][k].key);
        }
    store_writer_stats ws;
    store_writer_stats_get(w, &ws);
    cr_expect_eq(ws.units, THREADS * EACH);
    cr_expect_leq(ws.batches, ws.units);
    cr_expect_eq(ws.failed, 0);
    cr_expect_eq(ws.waiting, 0);
    store_writer_stop(w);
}

Test(writer, waiting_units_share_one_commit_and_roll_back_alone)
{
    store_writer *w = start_writer(NULL, 0);
    enum { N = 12 };
    job jobs[N];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < N; i++) {
        snprintf(jobs[i].key, sizeof jobs[i].key, "unit-%d", i);
        jobs[i].keep = i % 3 != 2;   /* every third one rolls back */
    }
    run_two_batches(w, jobs, N);

    store_writer_stats ws;
    store_writer_stats_get(w, &ws);
    cr_expect_eq(ws.units, N);
    cr_expect_eq(ws.batches, 2, "the %d units queued behind the first share one commit "
                 "(%ld batches)", N - 1, ws.batches);
    for (int i = 0; i < N; i++) {
        cr_expect_eq(jobs[i].rc, 0, "%s: %s", jobs[i].key, jobs[i].err.msg);
        cr_expect_eq(meta_has(jobs[i].key), jobs[i].keep, "%s", jobs[i].key);
    }
    store_writer_stop(w);

    /* Durable: a new handle sees the same. */
    store_close(st);
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    for (int i = 0; i < N; i++)
        cr_expect_eq(meta_has(jobs[i].key), jobs[i].keep, "%s after reopening", jobs[i].key);
}

Test(writer, a_failed_commit_fails_every_unit_of_its_batch)
{
    /* Start from an empty journal, then forbid the files to grow past
     * 16 KiB: the batch's commit (24 KB of values) cannot append its pages to the journal
     * (disk full, as far as SQLite can tell). */
    store_close(st);
    socle_err err;
    cr_assert_eq(store_open(&st, dir, &err), 0, "%s", err.msg);
    store_writer *w = start_writer(NULL, 0);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit was, small;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
    small = was;
    small.rlim_cur = 16384;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0);

    enum { N = 5 };
    job jobs[N];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < N; i++) {
        snprintf(jobs[i].key, sizeof jobs[i].key, "lost-%d", i);
        jobs[i].keep = 1;
        jobs[i].value_len = 24000;   /* past 16 KiB whatever the page size */
    }
    run_two_batches(w, jobs, N);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &was), 0);

    store_writer_stats ws;
    store_writer_stats_get(w, &ws);
    cr_expect_eq(ws.batches, 2);
    cr_expect_eq(ws.failed, N, "every unit of both batches failed (%ld)", ws.failed);
    for (int i = 0; i < N; i++) {
        cr_expect_eq(jobs[i].ran, 1, "the unit ran");
        cr_expect_eq(jobs[i].rc, -1, "%s reported as not stored", jobs[i].key);
        cr_expect_eq(jobs[i].err.code, SOCLE_EIO, "%s: %s", jobs[i].key, jobs[i].err.msg);
        cr_expect_eq(meta_has(jobs[i].key), 0, "%s kept nothing", jobs[i].key);
    }

    /* The store goes on: the same units succeed once the disk has room. */
    for (int i = 0; i < N; i++) {
        jobs[i].value_len = 0;
        jobs[i].wait_for = 0;
        submit(&jobs[i]);
        cr_expect_eq(jobs[i].rc, 0, "%s: %s", jobs[i].key, jobs[i].err.msg);
        cr_expect_eq(meta_has(jobs[i].key), 1);
    }
    store_writer_stop(w);
}

Test(writer, the_journal_is_checkpointed_in_the_background)
{
    store_writer *w = start_writer(dir, 20);
    job j;
    memset(&j, 0, sizeof j);
    j.w = w;
    j.keep = 1;
    for (int i = 0; i < 200; i++) {
        snprintf(j.key, sizeof j.key, "k%d", i);
        submit(&j);
        cr_assert_eq(j.rc, 0, "%s", j.err.msg);
    }
    /* The journal restarts once a checkpoint has folded all of it: keep
     * writing a little until a commit finds it short again. */
    long pages = 0, until = now_ms() + 10000;
    int i = 0;
    do {
        snprintf(j.key, sizeof j.key, "more%d", i++);
        submit(&j);
        cr_assert_eq(j.rc, 0, "%s", j.err.msg);
        pthread_mutex_lock(&st_lock);
        pages = store_journal_pages(st);
        pthread_mutex_unlock(&st_lock);
        if (pages < 40)
            break;
        usleep(20000);
    } while (now_ms() < until);
    store_writer_stats ws;
    store_writer_stats_get(w, &ws);
    cr_expect_geq(ws.checkpoints, 1);
    cr_expect_lt(pages, 40, "journal bounded: %ld pages after %ld checkpoints", pages,
                 ws.checkpoints);
    store_writer_stop(w);
    cr_expect_eq(meta_has("k199"), 1);
}
