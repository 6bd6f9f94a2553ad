/*
 * user.h - the workbench's local accounts and browser sessions.
 *
 * Passwords: argon2id (libargon2), stored as the encoded string, whose
 * parameters travel with it. Default parameters: t=3 passes, m=64 MiB,
 * p=1 lane (USER_ARGON2_*), near OWASP's and RFC 9106's second choice.
 * Lower parameters exist for tests only, and only when the environment
 * variable SOCLE_ARGON2_TEST=1 is set explicitly (user_argon2_from_env);
 * a hash made with them still verifies, so production must never set it.
 *
 * Acceptable password: at least USER_PASSWORD_MIN characters (bytes of
 * UTF-8), at least three of the four classes lower case, upper case,
 * digit, other, and not containing the login.
 *
 * Lock-out: USER_LOCK_FAILURES consecutive failed logins lock the account
 * for USER_LOCK_SECONDS (5 failures, 15 minutes); a locked account is
 * refused without checking the password; a success resets the count.
 *
 * Sessions: a random 256-bit token, given to the browser only (the store
 * keeps its SHA-256), and a random CSRF token stored with it. A session
 * ends after USER_SESSION_IDLE_SECONDS without a request (30 minutes) or
 * USER_SESSION_MAX_SECONDS after login (12 hours), or at logout.
 *
 * Everything is audited: "user.add", "auth.login" (success, failure,
 * denied when locked or inactive), "auth.lockout", "auth.logout".
 */
#ifndef SOCLE_CORE_USER_H
#define SOCLE_CORE_USER_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/role.h"
#include "store/store.h"
#include "util/error.h"

#define USER_ARGON2_T       3u
#define USER_ARGON2_M_KIB   65536u    /* 64 MiB */
#define USER_ARGON2_P       1u
#define USER_PASSWORD_MIN   12
#define USER_PASSWORD_MAX   256
#define USER_LOCK_FAILURES  5
#define USER_LOCK_SECONDS   (15 * 60)
#define USER_SESSION_IDLE_SECONDS (30 * 60)
#define USER_SESSION_MAX_SECONDS  (12 * 3600)
#define USER_MAX_EJ         16
#define USER_TOKEN_MAX      65        /* 64 hex digits + NUL */

typedef struct user_argon2 {
    uint32_t t_cost;
    uint32_t m_kib;
    uint32_t parallelism;
} user_argon2;

/* The documented default parameters. */
void user_argon2_default(user_argon2 *a);
/* The defaults, or, when SOCLE_ARGON2_TEST=1 is set, cheap parameters for
 * tests (t=1, m=1 MiB). Returns 1 when the test parameters were chosen. */
int user_argon2_from_env(user_argon2 *a);

/* 1 when the password may be used (see above), else 0 with why filled. */
int user_password_acceptable(const char *login, const char *password, char *why, size_t n);
/* The argon2id encoded string of password into out (a fresh random salt). */
int user_password_hash(const user_argon2 *a, const char *password, char *out, size_t n,
                       socle_err *err);
/* 1 when password matches the encoded hash, 0 otherwise (malformed too). */
int user_password_verify(const char *encoded, const char *password);

/* A login: 1 to 63 characters among a-z A-Z 0-9 . _ - @. */
int user_login_valid(const char *login);

typedef struct user_new {
    const char *login;
    socle_role role;
    char ej[USER_MAX_EJ][SOCLE_FINESS_MAX];  /* the establishments; none: every one */
    size_t n_ej;
    const char *password;
    user_argon2 argon2;
} user_new;

/* Create an account (own transaction, audited "user.add"). Invalid login
 * or unacceptable password -> SOCLE_EINVAL; an FINESS that is no imported
 * EJ -> SOCLE_ENOTFOUND; login taken -> SOCLE_ECONFLICT. */
int user_add(store *st, const socle_actor *actor, const user_new *in, int64_t *id,
             socle_err *err);

/* The establishments (FINESS) of an account, split. */
size_t user_establishments(const user_account *u, char out[][SOCLE_FINESS_MAX], size_t max);

/* ---- Login, in two steps so that the costly hash runs outside the store.
 * lookup (in a transaction), then user_password_verify, then finish (in a
 * second transaction). */

typedef enum user_login_state {
    USER_LOGIN_CHECK = 0,   /* check the password, then finish */
    USER_LOGIN_UNKNOWN,     /* no such login (audited failure) */
    USER_LOGIN_LOCKED,      /* locked out now (audited denied) */
    USER_LOGIN_INACTIVE     /* account disabled (audited denied) */
} user_login_state;

int user_login_lookup_in_tx(store *st, const char *login, int64_t now, user_account *out,
                            user_login_state *state, socle_err *err);

typedef enum user_auth_outcome {
    USER_AUTH_OK = 0,
    USER_AUTH_FAILED,       /* wrong password */
    USER_AUTH_LOCKED        /* this failure (or another meanwhile) locked the account */
} user_auth_outcome;

/* Record the password check's result for account u (re-read: another
 * attempt may have counted meanwhile): success resets the count, failure
 * counts and locks at USER_LOCK_FAILURES. Audited. */
int user_login_finish_in_tx(store *st, const user_account *u, int password_ok, int64_t now,
                            user_auth_outcome *outcome, socle_err *err);

/* Both steps in one transaction of its own (command line, tests).
 * *outcome: OK, FAILED (unknown login too) or LOCKED. */
int user_authenticate(store *st, const char *login, const char *password, int64_t now,
                      user_account *out, user_auth_outcome *outcome, socle_err *err);

/* ---- Sessions ----------------------------------------------------------- */

/* Create a session for u: token (for the cookie) and csrf receive
 * USER_TOKEN_MAX-byte hex strings. Inside the caller's transaction. */
int user_session_create_in_tx(store *st, const user_account *u, int64_t now, char *token,
                              char *csrf, socle_err *err);

/* The session of a token and its account: 1 valid (last seen and expiry
 * moved on), 0 unknown, expired (removed) or its account inactive, -1
 * error. Inside the caller's transaction. */
int user_session_check_in_tx(store *st, const char *token, int64_t now, user_session *s,
                             user_account *u, socle_err *err);

/* End the session of a token (audited "auth.logout" for actor). */
int user_session_end_in_tx(store *st, const socle_actor *actor, const char *token,
                           socle_err *err);

/* The SHA-256 of text as 64 lower-case hex digits (out: USER_TOKEN_MAX). */
void user_sha256_hex(const char *text, char *out);

/* A random 256-bit value as 64 hex digits (out: USER_TOKEN_MAX). */
int user_random_hex(char *out, socle_err *err);

#endif
