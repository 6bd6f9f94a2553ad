/*
 * Unit tests of the per-token rate limit (http/ratelimit.h): the burst, the
 * continuous refill, Retry-After, independent keys, no limit with 0, and a
 * bounded table under many keys.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "http/ratelimit.h"

Test(ratelimit, burst_then_refill)
{
    rate_limiter *rl = rate_limiter_new(60);   /* one a second, bursts of 60 */
    cr_assert_not_null(rl);
    unsigned retry;
    for (int i = 0; i < 60; i++)
        cr_assert_eq(rate_limit_take(rl, "a", 1000, &retry), 1, "request %d", i);
    cr_assert_eq(rate_limit_take(rl, "a", 1000, &retry), 0);
    cr_assert_eq(retry, 1);
    cr_assert_eq(rate_limit_take(rl, "b", 1000, &retry), 1, "another key has its own bucket");
    cr_assert_eq(rate_limit_take(rl, "a", 1500, &retry), 0, "half a request refilled");
    cr_assert_eq(rate_limit_take(rl, "a", 2000, &retry), 1, "one refilled after a second");
    cr_assert_eq(rate_limit_take(rl, "a", 2000, &retry), 0);
    rate_limiter_free(rl);
}

Test(ratelimit, retry_after_counts_the_wait)
{
    rate_limiter *rl = rate_limiter_new(6);    /* one every 10 s */
    unsigned retry;
    for (int i = 0; i < 6; i++)
        cr_assert_eq(rate_limit_take(rl, "k", 0, &retry), 1);
    cr_assert_eq(rate_limit_take(rl, "k", 0, &retry), 0);
    cr_assert(retry >= 10 && retry <= 11, "retry %u", retry);
    cr_assert_eq(rate_limit_take(rl, "k", 10000, &retry), 1);
    rate_limiter_free(rl);
}

Test(ratelimit, zero_means_no_limit)
{
    rate_limiter *rl = rate_limiter_new(0);
    unsigned retry;
    for (int i = 0; i < 100000; i++)
        cr_assert_eq(rate_limit_take(rl, "k", 0, &retry), 1);
    rate_limiter_free(rl);
    cr_assert_eq(rate_limit_take(NULL, "k", 0, &retry), 1);
}

Test(ratelimit, many_keys_stay_bounded)
{
    rate_limiter *rl = rate_limiter_new(2);
    unsigned retry;
    char key[32];
    /* Far more keys than slots: every new key starts with a full bucket. */
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "token-%d", i);
        cr_assert_eq(rate_limit_take(rl, key, i, &retry), 1, "key %d", i);
    }
    /* A busy key keeps its slot while quieter ones are evicted. */
    cr_assert_eq(rate_limit_take(rl, "busy", 200000, &retry), 1);
    cr_assert_eq(rate_limit_take(rl, "busy", 200000, &retry), 1);
    cr_assert_eq(rate_limit_take(rl, "busy", 200000, &retry), 0);
    rate_limiter_free(rl);
}
