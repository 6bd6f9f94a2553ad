/*
 * Unit tests of the verified-token cache (http/token_cache.h): the same
 * answers as token_verify, a hit re-checks the expiry, a forged or
 * altered token is never served from the cache.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/token_cache.h"

#define NOW 1800000000LL

static token_key key;

static void setup(void)
{
    for (size_t i = 0; i < TOKEN_KEY_BYTES; i++)
        key.bytes[i] = (unsigned char)(i * 7 + 3);
}

TestSuite(token_cache, .init = setup);

/* "user:N" in a rotating buffer. */
static const char *h_sub(int i)
{
    static char bufs[4][32];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "user:%d", i);
    return b;
}

static char *issue(const char *sub, socle_role role, int64_t ttl)
{
    token_claims c;
    memset(&c, 0, sizeof c);
    snprintf(c.subject, sizeof c.subject, "%s", sub);
    c.role = role;
    c.issued_at = NOW;
    c.expires_at = NOW + ttl;
    socle_err err;
    char *t = token_issue(&key, &c, &err);
    cr_assert_not_null(t, "%s", err.msg);
    return t;
}

Test(token_cache, hit_gives_the_claims_of_a_verification)
{
    token_cache *c = token_cache_new();
    cr_assert_not_null(c);
    char *t = issue("user:lecteur1", ROLE_LECTEUR, 3600);
    token_claims a, b, direct;
    socle_err err;
    cr_assert_eq(token_cache_verify(c, &key, t, NOW + 1, &a, &err), 0, "%s", err.msg);
    cr_assert_eq(token_cache_verify(c, &key, t, NOW + 2, &b, &err), 0, "%s", err.msg);
    cr_assert_eq(token_verify(&key, t, NOW + 2, &direct, &err), 0, "%s", err.msg);
    cr_expect_str_eq(b.subject, "user:lecteur1");
    cr_expect_eq(b.role, ROLE_LECTEUR);
    cr_expect_eq(memcmp(&a, &direct, sizeof a), 0);
    cr_expect_eq(memcmp(&b, &direct, sizeof b), 0);
    free(t);
    token_cache_free(c);
}

Test(token_cache, expiry_is_checked_on_every_hit)
{
    token_cache *c = token_cache_new();
    char *t = issue("user:x", ROLE_ACCUEIL, 60);
    token_claims out;
    socle_err err;
    cr_assert_eq(token_cache_verify(c, &key, t, NOW + 59, &out, &err), 0, "%s", err.msg);
    cr_expect_eq(token_cache_verify(c, &key, t, NOW + 60, &out, &err), -1,
                 "cached, but expired");
    cr_expect(strstr(err.msg, "expired") != NULL, "%s", err.msg);
    cr_expect_eq(token_cache_verify(c, &key, t, NOW + 61, &out, &err), -1);
    free(t);
    token_cache_free(c);
}

Test(token_cache, altered_or_foreign_tokens_fail_even_after_a_hit)
{
    token_cache *c = token_cache_new();
    char *t = issue("user:y", ROLE_ADMIN, 3600);
    token_claims out;
    socle_err err;
    cr_assert_eq(token_cache_verify(c, &key, t, NOW, &out, &err), 0, "%s", err.msg);
    /* A signature character changed: a different text, not a hit. */
    size_t n = strlen(t);
    t[n - 5] = t[n - 5] == 'A' ? 'B' : 'A';
    cr_expect_eq(token_cache_verify(c, &key, t, NOW, &out, &err), -1);
    cr_expect_eq(token_cache_verify(c, &key, t, NOW, &out, &err), -1, "failures are not cached");
    /* Signed with another key. */
    token_key other = key;
    other.bytes[0] ^= 1;
    token_claims cl = { .role = ROLE_ADMIN, .issued_at = NOW, .expires_at = NOW + 60 };
    snprintf(cl.subject, sizeof cl.subject, "user:z");
    char *f = token_issue(&other, &cl, &err);
    cr_assert_not_null(f);
    cr_expect_eq(token_cache_verify(c, &key, f, NOW, &out, &err), -1);
    cr_expect_eq(token_cache_verify(c, &key, "", NOW, &out, &err), -1);
    free(f);
    free(t);
    token_cache_free(c);
}

Test(token_cache, more_tokens_than_slots_each_verify_as_themselves)
{
    token_cache *c = token_cache_new();
    enum { N = 600 };
    char *t[N];
    for (int i = 0; i < N; i++)
        t[i] = issue(h_sub(i), ROLE_LECTEUR, 3600);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++) {
            token_claims out;
            socle_err err;
            cr_assert_eq(token_cache_verify(c, &key, t[i], NOW, &out, &err), 0, "%s", err.msg);
            cr_assert_str_eq(out.subject, h_sub(i));
        }
    for (int i = 0; i < N; i++)
        free(t[i]);
    token_cache_free(c);
    token_cache_free(NULL);
}
