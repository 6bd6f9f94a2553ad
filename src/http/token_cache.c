/*
 * token_cache.c - verified tokens in an open table indexed by a hash of
 * the token's text; a slot holds one token and its claims. The whole token
 * is compared on a hit (a hash collision is never taken for a match).
 */
#include "http/token_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_CACHE_SLOTS 256
#define TOKEN_CACHE_TEXT_MAX 2048   /* longer tokens are verified every time */

typedef struct token_slot {
    char text[TOKEN_CACHE_TEXT_MAX];   /* "" when free */
    token_claims claims;
} token_slot;

struct token_cache {
    pthread_mutex_t lock;
    token_slot slots[TOKEN_CACHE_SLOTS];
};

token_cache *token_cache_new(void)
{
    token_cache *c = calloc(1, sizeof *c);
    if (c != NULL)
        pthread_mutex_init(&c->lock, NULL);
    return c;
}

void token_cache_free(token_cache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* FNV-1a: the slot of a token. */
static size_t slot_of(const char *text, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 1099511628211ull;
    }
    return (size_t)(h % TOKEN_CACHE_SLOTS);
}

int token_cache_verify(token_cache *c, const token_key *key, const char *token, int64_t now,
                       token_claims *out, socle_err *err)
{
    size_t len = strlen(token);
    if (c == NULL || len == 0 || len >= TOKEN_CACHE_TEXT_MAX)
        return token_verify(key, token, now, out, err);
    size_t i = slot_of(token, len);
    pthread_mutex_lock(&c->lock);
    token_slot *s = &c->slots[i];
    int hit = strcmp(s->text, token) == 0;
    if (hit) {
        if (now >= s->claims.expires_at) {
            s->text[0] = '\0';   /* expired: verify again, which says so */
            hit = 0;
        } else {
            *out = s->claims;
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (hit)
        return 0;
    if (token_verify(key, token, now, out, err) != 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    memcpy(s->text, token, len + 1);
    s->claims = *out;
    pthread_mutex_unlock(&c->lock);
    return 0;
}
