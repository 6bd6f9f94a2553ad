/*
 * token_cache.h - the tokens already verified, so that a client sending the
 * same bearer token on every request pays for its signature check once.
 *
 * A token's claims cannot change (they are signed) and Socle's tokens are
 * not revoked before they expire, so a cached verification stays true
 * until the expiry, which is checked again on every hit. Only successful
 * verifications are kept. The cache is a fixed table (a newer token takes
 * the slot of an older one), shared by the HTTP threads under one mutex.
 */
#ifndef SOCLE_HTTP_TOKEN_CACHE_H
#define SOCLE_HTTP_TOKEN_CACHE_H

#include <stdint.h>

#include "http/token.h"
#include "util/error.h"

typedef struct token_cache token_cache;

token_cache *token_cache_new(void);   /* NULL when out of memory */
void token_cache_free(token_cache *c); /* NULL is fine */

/* token_verify, through the cache: the same results, errors included. */
int token_cache_verify(token_cache *c, const token_key *key, const char *token, int64_t now,
                       token_claims *out, socle_err *err);

#endif
