/*
 * ratelimit.c - token buckets per bearer token (ratelimit.h).
 */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RATE_SLOTS 4096      /* a power of two */
#define RATE_PROBE 8         /* slots looked at from the hash */

typedef struct bucket {
    uint64_t key;            /* hash of the token id; 0 free */
    double tokens;           /* requests still allowed now */
    int64_t last_ms;         /* when tokens was computed */
} bucket;

struct rate_limiter {
    unsigned per_minute;
    pthread_mutex_t lock;
    bucket slots[RATE_SLOTS];
};

rate_limiter *rate_limiter_new(unsigned per_minute)
{
    rate_limiter *rl = calloc(1, sizeof *rl);
    if (rl == NULL)
        return NULL;
    rl->per_minute = per_minute;
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

void rate_limiter_free(rate_limiter *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603u;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h ? h : 1;                    /* 0 marks a free slot */
}

int rate_limit_take(rate_limiter *rl, const char *key, int64_t now_ms, unsigned *retry_after)
{
    *retry_after = 0;
    if (rl == NULL || rl->per_minute == 0)
        return 1;
    uint64_t h = hash_key(key);
    double burst = rl->per_minute, per_ms = rl->per_minute / 60000.0;
    pthread_mutex_lock(&rl->lock);
    bucket *b = NULL, *oldest = NULL;
    for (size_t i = 0; i < RATE_PROBE && b == NULL; i++) {
        bucket *s = &rl->slots[(h + i) & (RATE_SLOTS - 1)];
        if (s->key == h)
            b = s;
        else if (oldest == NULL || s->key == 0
                 || (oldest->key != 0 && s->last_ms < oldest->last_ms))
            oldest = s;
    }
    if (b == NULL) {
        b = oldest;
        b->key = h;
        b->tokens = burst;
        b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * per_ms;
        if (b->tokens > burst)
            b->tokens = burst;
        b->last_ms = now_ms;
    }
    int ok = b->tokens >= 1.0;
    if (ok) {
        b->tokens -= 1.0;
    } else {
        double wait_ms = (1.0 - b->tokens) / per_ms;
        unsigned s = (unsigned)((wait_ms + 999.0) / 1000.0);   /* rounded up */
        *retry_after = s > 0 ? s : 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
