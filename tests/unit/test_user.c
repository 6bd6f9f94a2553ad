/*
 * Unit tests of the workbench accounts and sessions (core/user.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/user.h"
#include "store/store.h"
#include "store_fixture.h"

static const socle_actor admin = { .id = "test:admin", .role = "admin" };

TestSuite(user, .init = store_fixture_setup, .fini = store_fixture_teardown);

/* Cheap parameters: these tests check the logic, not argon2's cost. */
static void add(const char *login, const char *password, socle_role role)
{
    user_new in;
    memset(&in, 0, sizeof in);
    in.login = login;
    in.password = password;
    in.role = role;
    in.argon2 = (user_argon2){ 1, 1024, 1 };
    socle_err err;
    cr_assert_eq(user_add(st, &admin, &in, NULL, &err), 0, "%s", err.msg);
}

typedef struct audit_count {
    const char *action, *outcome;
    int n;
} audit_count;

static int count_cb(const audit_record *r, void *ctx)
{
    audit_count *c = ctx;
    if (strcmp(r->action, c->action) == 0 && strcmp(r->outcome, c->outcome) == 0)
        c->n++;
    return 0;
}

static int count_audit(const char *action, const char *outcome)
{
    audit_count c = { action, outcome, 0 };
    socle_err err;
    cr_assert_eq(store_audit_foreach(st, 1, count_cb, &c, &err), 0);
    return c.n;
}

Test(user, default_argon2_parameters_are_the_documented_ones)
{
    user_argon2 a;
    user_argon2_default(&a);
    cr_assert_eq(a.t_cost, 3);
    cr_assert_eq(a.m_kib, 65536);
    cr_assert_eq(a.parallelism, 1);
    unsetenv("SOCLE_ARGON2_TEST");
    cr_assert_eq(user_argon2_from_env(&a), 0);
    cr_assert_eq(a.m_kib, 65536);
    setenv("SOCLE_ARGON2_TEST", "1", 1);
    cr_assert_eq(user_argon2_from_env(&a), 1);
    cr_assert_lt(a.m_kib, 65536);
    unsetenv("SOCLE_ARGON2_TEST");
}

Test(user, password_rules)
{
    char why[160];
    cr_assert_eq(user_password_acceptable("marie", "", why, sizeof why), 0);
    cr_assert_eq(user_password_acceptable("marie", "Court-1", why, sizeof why), 0);
    cr_assert_eq(user_password_acceptable("marie", "toutenminuscules", why, sizeof why), 0);
    cr_assert_eq(user_password_acceptable("marie", "Xx-Marie-2024!", why, sizeof why), 0);
    cr_assert_str_eq(why, "the password must not contain the login");
    cr_assert_eq(user_password_acceptable("marie", "Correct-Cheval-9", why, sizeof why), 1);
}

Test(user, hash_verifies_only_the_right_password)
{
    user_argon2 a = { 1, 1024, 1 };
    char enc[STORE_USER_HASH_MAX];
    socle_err err;
    cr_assert_eq(user_password_hash(&a, "Correct-Cheval-9", enc, sizeof enc, &err), 0);
    cr_assert_eq(strncmp(enc, "$argon2id$", 10), 0, "%s", enc);
    cr_assert_eq(user_password_verify(enc, "Correct-Cheval-9"), 1);
    cr_assert_eq(user_password_verify(enc, "Correct-Cheval-8"), 0);
    cr_assert_eq(user_password_verify("$argon2i$garbage", "Correct-Cheval-9"), 0);
    char enc2[STORE_USER_HASH_MAX];
    cr_assert_eq(user_password_hash(&a, "Correct-Cheval-9", enc2, sizeof enc2, &err), 0);
    cr_assert_str_neq(enc, enc2, "a fresh salt each time");
}

Test(user, add_refuses_weak_password_taken_login_and_unknown_ej)
{
    add("marie", "Correct-Cheval-9", ROLE_ACCUEIL);
    user_new in;
    memset(&in, 0, sizeof in);
    in.login = "marie";
    in.password = "Correct-Cheval-9";
    in.role = ROLE_LECTEUR;
    in.argon2 = (user_argon2){ 1, 1024, 1 };
    socle_err err;
    cr_assert_eq(user_add(st, &admin, &in, NULL, &err), -1);
    cr_assert_eq(err.code, SOCLE_ECONFLICT);
    in.login = "paul";
    in.password = "weak";
    cr_assert_eq(user_add(st, &admin, &in, NULL, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    in.password = "Correct-Cheval-9";
    strcpy(in.ej[0], "750712184");
    in.n_ej = 1;
    cr_assert_eq(user_add(st, &admin, &in, NULL, &err), -1);
    cr_assert_eq(err.code, SOCLE_ENOTFOUND);
    cr_assert_eq(count_audit("user.add", "success"), 1);
}

Test(user, lockout_after_five_failures_for_fifteen_minutes)
{
    add("marie", "Correct-Cheval-9", ROLE_ACCUEIL);
    socle_err err;
    user_account u;
    user_auth_outcome o;
    int64_t now = 1000000;
    for (int i = 0; i < USER_LOCK_FAILURES - 1; i++) {
        cr_assert_eq(user_authenticate(st, "marie", "wrong", now, &u, &o, &err), 0, "%s",
                     err.msg);
        cr_assert_eq(o, USER_AUTH_FAILED);
    }
    cr_assert_eq(user_authenticate(st, "marie", "wrong", now, &u, &o, &err), 0);
    cr_assert_eq(o, USER_AUTH_LOCKED);
    /* Locked: even the right password is refused until the time is over. */
    cr_assert_eq(user_authenticate(st, "marie", "Correct-Cheval-9", now + 60, &u, &o, &err), 0);
    cr_assert_eq(o, USER_AUTH_LOCKED);
    cr_assert_eq(user_authenticate(st, "marie", "Correct-Cheval-9",
                                   now + USER_LOCK_SECONDS + 1, &u, &o, &err), 0);
    cr_assert_eq(o, USER_AUTH_OK);
    cr_assert_eq(u.failed_attempts, 0);
    cr_assert_eq(count_audit("auth.lockout", "success"), 1);
    cr_assert_eq(count_audit("auth.login", "failure"), USER_LOCK_FAILURES);
    cr_assert_eq(count_audit("auth.login", "denied"), 1);
    cr_assert_eq(count_audit("auth.login", "success"), 1);
}

Test(user, success_resets_the_failure_count)
{
    add("marie", "Correct-Cheval-9", ROLE_ACCUEIL);
    socle_err err;
    user_account u;
    user_auth_outcome o;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < USER_LOCK_FAILURES - 1; i++)
            cr_assert_eq(user_authenticate(st, "marie", "nope", 5000, &u, &o, &err), 0);
        cr_assert_eq(user_authenticate(st, "marie", "Correct-Cheval-9", 5000, &u, &o, &err), 0);
        cr_assert_eq(o, USER_AUTH_OK);
    }
    cr_assert_eq(user_authenticate(st, "nobody", "Correct-Cheval-9", 5000, &u, &o, &err), 0);
    cr_assert_eq(o, USER_AUTH_FAILED);
}

Test(user, sessions_expire_when_idle_and_end_at_logout)
{
    add("marie", "Correct-Cheval-9", ROLE_ACCUEIL);
    socle_err err;
    user_account u, su;
    user_session s;
    user_auth_outcome o;
    cr_assert_eq(user_authenticate(st, "marie", "Correct-Cheval-9", 100, &u, &o, &err), 0);
    char token[USER_TOKEN_MAX], csrf[USER_TOKEN_MAX];
    cr_assert_eq(store_begin(st, &err), 0);
    cr_assert_eq(user_session_create_in_tx(st, &u, 100, token, csrf, &err), 0);
    cr_assert_eq(strlen(token), 64);
    cr_assert_str_neq(token, csrf);
    cr_assert_eq(user_session_check_in_tx(st, token, 200, &s, &su, &err), 1);
    cr_assert_str_eq(su.login, "marie");
    cr_assert_str_eq(s.csrf, csrf);
    cr_assert_str_neq(s.token_hash, token, "only the hash is stored");
    /* Each request moves the idle limit on... */
    cr_assert_eq(user_session_check_in_tx(st, token, 200 + USER_SESSION_IDLE_SECONDS - 1, &s,
                                          &su, &err), 1);
    /* ...but not past the maximum length. */
    int64_t t = 200 + USER_SESSION_IDLE_SECONDS - 1;
    while (t + USER_SESSION_IDLE_SECONDS / 2 < 100 + USER_SESSION_MAX_SECONDS) {
        t += USER_SESSION_IDLE_SECONDS / 2;
        cr_assert_eq(user_session_check_in_tx(st, token, t, &s, &su, &err), 1);
    }
    cr_assert_eq(user_session_check_in_tx(st, token, 100 + USER_SESSION_MAX_SECONDS, &s, &su,
                                          &err), 0);
    cr_assert_eq(user_session_create_in_tx(st, &u, 1000, token, csrf, &err), 0);
    cr_assert_eq(user_session_check_in_tx(st, token, 1000 + USER_SESSION_IDLE_SECONDS, &s, &su,
                                          &err), 0, "idle too long");
    cr_assert_eq(user_session_create_in_tx(st, &u, 2000, token, csrf, &err), 0);
    socle_actor a = { .id = "web:marie", .role = "accueil" };
    cr_assert_eq(user_session_end_in_tx(st, &a, token, &err), 0);
    cr_assert_eq(user_session_check_in_tx(st, token, 2001, &s, &su, &err), 0);
    cr_assert_eq(user_session_check_in_tx(st, "short", 2001, &s, &su, &err), 0);
    cr_assert_eq(store_commit(st, &err), 0);
    cr_assert_eq(count_audit("auth.logout", "success"), 1);
}
