/*
 * readers.c - the pool of reader handles: a stack of idle readers under a
 * mutex. Borrowing is a pop, giving back a push; the lock is held for
 * neither the opening of a reader nor its use.
 */
#include "store/readers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>


struct store_readers {
    pthread_mutex_t lock;
    pthread_cond_t idle_cond;
    char *data_dir;
    size_t max;          /* readers at most */
    size_t opened;       /* readers open (idle or borrowed) */
    store **idle;        /* max slots, n_idle used */
    size_t n_idle;
};

int store_readers_new(store_readers **out, const char *data_dir, size_t max, socle_err *err)
{
    *out = NULL;
    if (max == 0)
        return err_set(err, SOCLE_EINVAL, "a reader pool needs at least one reader");
    store_readers *p = calloc(1, sizeof *p);
    if (p == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    p->data_dir = strdup(data_dir);
    p->idle = calloc(max, sizeof *p->idle);
    if (p->data_dir == NULL || p->idle == NULL) {
        free(p->data_dir);
        free(p->idle);
        free(p);
        return err_set(err, SOCLE_EIO, "out of memory");
    }
    p->max = max;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->idle_cond, NULL);
    *out = p;
    return 0;
}

store *store_readers_acquire(store_readers *p, socle_err *err)
{
    pthread_mutex_lock(&p->lock);
    while (p->n_idle == 0 && p->opened == p->max)
        pthread_cond_wait(&p->idle_cond, &p->lock);
    if (p->n_idle > 0) {
        store *st = p->idle[--p->n_idle];
        pthread_mutex_unlock(&p->lock);
        return st;
    }
    p->opened++;  /* a slot for the reader about to be opened */
    pthread_mutex_unlock(&p->lock);

    store *st = NULL;
    if (store_open_reader(&st, p->data_dir, err) != 0) {
        pthread_mutex_lock(&p->lock);
        p->opened--;
        pthread_cond_signal(&p->idle_cond);
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    return st;
}

void store_readers_release(store_readers *p, store *st)
{
    if (st == NULL)
        return;
    store_rollback(st);
    audit_record *left = NULL;
    store_audit_take_held(st, &left);
    free(left);
    pthread_mutex_lock(&p->lock);
    p->idle[p->n_idle++] = st;
    pthread_cond_signal(&p->idle_cond);
    pthread_mutex_unlock(&p->lock);
}

void store_readers_free(store_readers *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_idle; i++)
        store_close(p->idle[i]);
    pthread_cond_destroy(&p->idle_cond);
    pthread_mutex_destroy(&p->lock);
    free(p->idle);
    free(p->data_dir);
    free(p);
}
