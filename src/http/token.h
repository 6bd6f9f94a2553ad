/*
 * token.h - signed bearer tokens (JWT, HS256) for the HTTP interfaces.
 *
 * The signing key is 32 random bytes kept as hex in DATA_DIR/jwt.key with
 * mode 0600; it is created on first use. Claims: iss "socle", sub, role,
 * ej (array of EJ FINESS numbers the bearer is limited to; empty = all),
 * iat, exp, jti.
 */
#ifndef SOCLE_HTTP_TOKEN_H
#define SOCLE_HTTP_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/role.h"
#include "util/error.h"

#define TOKEN_KEY_BYTES 32
#define TOKEN_MAX_EJ    32
#define TOKEN_ID_MAX    40

typedef struct token_key {
    unsigned char bytes[TOKEN_KEY_BYTES];
} token_key;

typedef struct token_claims {
    char subject[SOCLE_ACTOR_MAX];
    socle_role role;
    char ej[TOKEN_MAX_EJ][SOCLE_FINESS_MAX];
    size_t ej_count;
    int64_t issued_at;   /* seconds since the epoch */
    int64_t expires_at;
    char id[TOKEN_ID_MAX];  /* jti: random, hex */
} token_claims;

/* Load DATA_DIR/jwt.key, creating it (mode 0600) when absent. A key file
 * readable by group or others, or not 64 hex characters, is an error. */
int token_key_load_or_create(const char *data_dir, token_key *key, socle_err *err);

/* Sign the claims (id is generated when empty). Returns a NUL-terminated
 * token owned by the caller (free()), or NULL with err. */
char *token_issue(const token_key *key, token_claims *claims, socle_err *err);

/* Verify signature (HS256 only: any other "alg", "none" included, is
 * refused), issuer, expiry against now (seconds since the epoch), role and
 * the shape of every claim. Fills *out on success. */
int token_verify(const token_key *key, const char *token, int64_t now,
                 token_claims *out, socle_err *err);

#endif
