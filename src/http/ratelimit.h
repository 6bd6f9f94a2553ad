/*
 * ratelimit.h - per-token request rate limit of the HTTP interfaces: a
 * token bucket per bearer token (its jti), refilled continuously at
 * per_minute / 60 requests a second up to a burst of per_minute. Past it
 * the request is refused (429) with the seconds until the next one fits.
 *
 * The buckets live in a fixed table (RATE_SLOTS): a key that finds no
 * slot takes the least recently used one near its hash, so memory stays
 * bounded whatever the number of tokens, at the cost of forgetting the
 * quietest ones (which then start with a full bucket). Thread-safe.
 */
#ifndef SOCLE_HTTP_RATELIMIT_H
#define SOCLE_HTTP_RATELIMIT_H

#include <stdint.h>

#define RATE_LIMIT_DEFAULT 1200   /* requests a minute per token */

typedef struct rate_limiter rate_limiter;

/* per_minute 0: no limit (rate_limit_take always allows). NULL only on
 * allocation failure. */
rate_limiter *rate_limiter_new(unsigned per_minute);
void rate_limiter_free(rate_limiter *rl);   /* NULL is fine */

/* One request of key at now_ms (a monotonic clock, milliseconds): 1
 * allowed, 0 refused with *retry_after (seconds, at least 1). */
int rate_limit_take(rate_limiter *rl, const char *key, int64_t now_ms, unsigned *retry_after);

#endif
