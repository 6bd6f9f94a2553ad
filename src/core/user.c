/*
 * user.c - workbench accounts and sessions (user.h).
 */
#include "core/user.h"

#include <argon2.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/structure.h"
#include "util/timeutil.h"

#define SALT_BYTES 16
#define HASH_BYTES 32

void user_argon2_default(user_argon2 *a)
{
    a->t_cost = USER_ARGON2_T;
    a->m_kib = USER_ARGON2_M_KIB;
    a->parallelism = USER_ARGON2_P;
}

int user_argon2_from_env(user_argon2 *a)
{
    user_argon2_default(a);
    const char *v = getenv("SOCLE_ARGON2_TEST");
    if (v == NULL || strcmp(v, "1") != 0)
        return 0;
    a->t_cost = 1;
    a->m_kib = 1024;
    a->parallelism = 1;
    return 1;
}

int user_login_valid(const char *login)
{
    size_t n = strlen(login);
    if (n == 0 || n >= STORE_USER_LOGIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)login[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@')
            return 0;
    }
    return 1;
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 0;
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

int user_password_acceptable(const char *login, const char *password, char *why, size_t n)
{
    size_t len = strlen(password);
    if (len < USER_PASSWORD_MIN) {
        snprintf(why, n, "the password must have at least %d characters", USER_PASSWORD_MIN);
        return 0;
    }
    if (len > USER_PASSWORD_MAX) {
        snprintf(why, n, "the password must have at most %d characters", USER_PASSWORD_MAX);
        return 0;
    }
    int lower = 0, upper = 0, digit = 0, other = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)password[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(why, n, "the password must not contain control characters");
            return 0;
        }
        if (islower(c)) lower = 1;
        else if (isupper(c)) upper = 1;
        else if (isdigit(c)) digit = 1;
        else other = 1;
    }
    if (lower + upper + digit + other < 3) {
        snprintf(why, n, "the password must mix at least three of: lower case, upper case, "
                 "digits, other characters");
        return 0;
    }
    if (login != NULL && contains_ci(password, login)) {
        snprintf(why, n, "the password must not contain the login");
        return 0;
    }
    return 1;
}

int user_random_hex(char *out, socle_err *err)
{
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return err_set(err, SOCLE_EIO, "no random bytes available");
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

void user_sha256_hex(const char *text, char *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
    for (unsigned i = 0; i < len && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[64] = '\0';
}

int user_password_hash(const user_argon2 *a, const char *password, char *out, size_t n,
                       socle_err *err)
{
    unsigned char salt[SALT_BYTES];
    if (RAND_bytes(salt, sizeof salt) != 1)
        return err_set(err, SOCLE_EIO, "no random bytes available");
    size_t need = argon2_encodedlen(a->t_cost, a->m_kib, a->parallelism, SALT_BYTES,
                                    HASH_BYTES, Argon2_id);
    if (need > n)
        return err_set(err, SOCLE_EINVAL, "argon2 encoded hash too long (%zu)", need);
    int rc = argon2id_hash_encoded(a->t_cost, a->m_kib, a->parallelism, password,
                                   strlen(password), salt, sizeof salt, HASH_BYTES, out, n);
    if (rc != ARGON2_OK)
        return err_set(err, SOCLE_EIO, "argon2id: %s", argon2_error_message(rc));
    return 0;
}

int user_password_verify(const char *encoded, const char *password)
{
    if (strncmp(encoded, "$argon2id$", 10) != 0)
        return 0;
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

size_t user_establishments(const user_account *u, char out[][SOCLE_FINESS_MAX], size_t max)
{
    size_t n = 0;
    const char *p = u->establishments;
    while (*p && n < max) {
        size_t len = strcspn(p, ",");
        if (len > 0 && len < SOCLE_FINESS_MAX) {
            memcpy(out[n], p, len);
            out[n++][len] = '\0';
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

int user_add(store *st, const socle_actor *actor, const user_new *in, int64_t *id,
             socle_err *err)
{
    if (!user_login_valid(in->login))
        return err_set(err, SOCLE_EINVAL, "invalid login '%s' (1 to %d characters among "
                       "letters, digits, '.', '_', '-', '@')", in->login,
                       STORE_USER_LOGIN_MAX - 1);
    if ((unsigned)in->role >= ROLE_COUNT)
        return err_set(err, SOCLE_EINVAL, "unknown role");
    char why[160];
    if (!user_password_acceptable(in->login, in->password, why, sizeof why))
        return err_set(err, SOCLE_EINVAL, "%s", why);
    if (in->n_ej > USER_MAX_EJ)
        return err_set(err, SOCLE_EINVAL, "at most %d establishments", USER_MAX_EJ);

    user_account u;
    memset(&u, 0, sizeof u);
    str_copy(u.login, sizeof u.login, in->login);
    str_copy(u.role, sizeof u.role, role_name(in->role));
    u.active = 1;
    time_now_iso(u.created_at);
    /* Hash before taking the write lock: it is the slow part. */
    if (user_password_hash(&in->argon2, in->password, u.password_hash, sizeof u.password_hash,
                           err) != 0)
        return -1;

    if (store_begin(st, err) != 0)
        return -1;
    for (size_t i = 0; i < in->n_ej; i++) {
        structure_node ej;
        int found = structure_find_ej(st, in->ej[i], &ej, err);
        if (found < 0)
            goto fail;
        if (found == 0) {
            err_set(err, SOCLE_ENOTFOUND, "unknown EJ %s: import the structures first",
                    in->ej[i]);
            goto fail;
        }
        size_t len = strlen(u.establishments);
        snprintf(u.establishments + len, sizeof u.establishments - len, "%s%s",
                 len ? "," : "", in->ej[i]);
    }
    if (store_user_insert(st, &u, err) != 0) {
        if (err->code == SOCLE_ECONFLICT)
            err_set(err, SOCLE_ECONFLICT, "login '%s' is taken", in->login);
        goto fail;
    }
    char detail[SOCLE_REASON_MAX];
    snprintf(detail, sizeof detail, "role=%s establishments=%s", u.role,
             u.establishments[0] ? u.establishments : "all");
    if (audit_log(st, actor, "user.add", "user", u.login, "success", detail, err) != 0)
        goto fail;
    if (store_commit(st, err) != 0)
        goto fail;
    if (id)
        *id = u.id;
    return 0;
fail:
    store_rollback(st);
    return -1;
}

static void login_actor(const char *login, const char *role, socle_actor *a)
{
    snprintf(a->id, sizeof a->id, "web:%.100s", login);
    str_copy(a->role, sizeof a->role, role ? role : "");
}

int user_login_lookup_in_tx(store *st, const char *login, int64_t now, user_account *out,
                            user_login_state *state, socle_err *err)
{
    memset(out, 0, sizeof *out);
    socle_actor a;
    login_actor(login, NULL, &a);
    int found = user_login_valid(login) ? store_user_find(st, login, out, err) : 0;
    if (found < 0)
        return -1;
    if (found == 0) {
        *state = USER_LOGIN_UNKNOWN;
        return audit_log(st, &a, "auth.login", "user", login, "failure", "unknown login", err);
    }
    login_actor(login, out->role, &a);
    if (!out->active) {
        *state = USER_LOGIN_INACTIVE;
        return audit_log(st, &a, "auth.login", "user", login, "denied", "account inactive",
                         err);
    }
    if (out->locked_until > now) {
        *state = USER_LOGIN_LOCKED;
        return audit_log(st, &a, "auth.login", "user", login, "denied", "account locked",
                         err);
    }
    *state = USER_LOGIN_CHECK;
    return 0;
}

int user_login_finish_in_tx(store *st, const user_account *u, int password_ok, int64_t now,
                            user_auth_outcome *outcome, socle_err *err)
{
    user_account cur;
    int found = store_user_get(st, u->id, &cur, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, SOCLE_ENOTFOUND, "account removed");
    socle_actor a;
    login_actor(cur.login, cur.role, &a);
    if (cur.locked_until > now) {
        /* Locked by a concurrent attempt while this one was hashing. */
        *outcome = USER_AUTH_LOCKED;
        return audit_log(st, &a, "auth.login", "user", cur.login, "denied", "account locked",
                         err);
    }
    if (password_ok) {
        *outcome = USER_AUTH_OK;
        if (store_user_set_lock(st, cur.id, 0, 0, err) != 0)
            return -1;
        return audit_log(st, &a, "auth.login", "user", cur.login, "success", NULL, err);
    }
    int failures = cur.failed_attempts + 1;
    int64_t until = 0;
    if (failures >= USER_LOCK_FAILURES) {
        until = now + USER_LOCK_SECONDS;
        failures = 0;
    }
    if (store_user_set_lock(st, cur.id, failures, until, err) != 0)
        return -1;
    if (audit_log(st, &a, "auth.login", "user", cur.login, "failure", "wrong password",
                  err) != 0)
        return -1;
    if (until == 0) {
        *outcome = USER_AUTH_FAILED;
        return 0;
    }
    *outcome = USER_AUTH_LOCKED;
    char detail[96];
    snprintf(detail, sizeof detail, "%d failed logins: locked for %d s", USER_LOCK_FAILURES,
             USER_LOCK_SECONDS);
    return audit_log(st, &a, "auth.lockout", "user", cur.login, "success", detail, err);
}

int user_authenticate(store *st, const char *login, const char *password, int64_t now,
                      user_account *out, user_auth_outcome *outcome, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    user_login_state state;
    if (user_login_lookup_in_tx(st, login, now, out, &state, err) != 0)
        goto fail;
    if (state == USER_LOGIN_CHECK) {
        int ok = user_password_verify(out->password_hash, password);
        if (user_login_finish_in_tx(st, out, ok, now, outcome, err) != 0)
            goto fail;
    } else {
        *outcome = state == USER_LOGIN_LOCKED ? USER_AUTH_LOCKED : USER_AUTH_FAILED;
    }
    return store_commit(st, err);
fail:
    store_rollback(st);
    return -1;
}

int user_session_create_in_tx(store *st, const user_account *u, int64_t now, char *token,
                              char *csrf, socle_err *err)
{
    if (user_random_hex(token, err) != 0 || user_random_hex(csrf, err) != 0)
        return -1;
    user_session s;
    memset(&s, 0, sizeof s);
    user_sha256_hex(token, s.token_hash);
    s.user_id = u->id;
    str_copy(s.csrf, sizeof s.csrf, csrf);
    s.created_at = now;
    s.last_seen = now;
    s.expires_at = now + USER_SESSION_IDLE_SECONDS;
    /* Sessions of others that expired go now, so the table stays small. */
    if (store_session_purge(st, now, NULL, err) != 0)
        return -1;
    return store_session_insert(st, &s, err);
}

int user_session_check_in_tx(store *st, const char *token, int64_t now, user_session *s,
                             user_account *u, socle_err *err)
{
    if (token == NULL || strlen(token) != 64)
        return 0;
    char hash[USER_TOKEN_MAX];
    user_sha256_hex(token, hash);
    int found = store_session_find(st, hash, s, err);
    if (found <= 0)
        return found;
    if (s->expires_at <= now) {
        if (store_session_delete(st, hash, err) < 0)
            return -1;
        return 0;
    }
    found = store_user_get(st, s->user_id, u, err);
    if (found <= 0)
        return found;
    if (!u->active) {
        if (store_session_delete(st, hash, err) < 0)
            return -1;
        return 0;
    }
    int64_t expires = now + USER_SESSION_IDLE_SECONDS;
    if (expires > s->created_at + USER_SESSION_MAX_SECONDS)
        expires = s->created_at + USER_SESSION_MAX_SECONDS;
    s->last_seen = now;
    s->expires_at = expires;
    if (store_session_touch(st, s->id, now, expires, err) != 0)
        return -1;
    return 1;
}

int user_session_end_in_tx(store *st, const socle_actor *actor, const char *token,
                           socle_err *err)
{
    char hash[USER_TOKEN_MAX];
    user_sha256_hex(token, hash);
    int removed = store_session_delete(st, hash, err);
    if (removed < 0)
        return -1;
    return audit_log(st, actor, "auth.logout", "session", NULL, removed ? "success" : "failure",
                     removed ? NULL : "no such session", err);
}
