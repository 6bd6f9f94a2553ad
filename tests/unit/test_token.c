/*
 * test_token.c - JWT issue and verification, and the key file.
 *
 * Hostile tokens are built by hand (or signed with libjwt directly) so that
 * the checks are exercised on tokens token_issue would never produce.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jwt.h>

#include "http/token.h"

static char tmpdir[256];
static token_key key;

static void setup(void)
{
    strcpy(tmpdir, "/tmp/socle-token-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    for (int i = 0; i < TOKEN_KEY_BYTES; i++)
        key.bytes[i] = (unsigned char)(i * 7 + 3);
}

static void teardown(void)
{
    DIR *d = opendir(tmpdir);
    if (d != NULL) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

TestSuite(token, .init = setup, .fini = teardown);

/* ---- Helpers ----------------------------------------------------------- */

static void claims_init(token_claims *c, socle_role role, int64_t now)
{
    memset(c, 0, sizeof *c);
    strcpy(c->subject, "jdupont");
    c->role = role;
    c->issued_at = now;
    c->expires_at = now + 3600;
}

static char *b64url(const char *in)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strlen(in);
    char *out = malloc(n * 4 / 3 + 4);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = acc << 8 | (unsigned char)in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out[o++] = alphabet[(acc << (6 - bits)) & 63];
    out[o] = '\0';
    return out;
}

/* Sign arbitrary grants with libjwt, bypassing token_issue's checks. */
static char *sign_raw(jwt_alg_t alg, const char *grants_json)
{
    jwt_t *jwt = NULL;
    cr_assert_eq(jwt_new(&jwt), 0);
    cr_assert_eq(jwt_add_grants_json(jwt, grants_json), 0, "bad grants %s",
                 grants_json);
    cr_assert_eq(jwt_set_alg(jwt, alg, key.bytes, TOKEN_KEY_BYTES), 0);
    char *t = jwt_encode_str(jwt);
    cr_assert_not_null(t);
    jwt_free(jwt);
    return t;
}

static char *grants(const char *role, const char *ej, long iat, long exp)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"iss\":\"socle\",\"sub\":\"jdupont\",\"role\":\"%s\","
             "\"ej\":%s,\"iat\":%ld,\"exp\":%ld,\"jti\":\"abc123\"}",
             role, ej, iat, exp);
    return buf;
}

static int verify(const char *tok, int64_t now, token_claims *out,
                  socle_err *err)
{
    err_clear(err);
    return token_verify(&key, tok, now, out, err);
}

static char keypath[512];

static const char *key_path(void)
{
    snprintf(keypath, sizeof keypath, "%s/jwt.key", tmpdir);
    return keypath;
}

static void write_key_file(const char *content, mode_t mode)
{
    int fd = open(key_path(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    cr_assert_eq(fchmod(fd, mode), 0);
    close(fd);
}

/* ---- Issue and verify -------------------------------------------------- */

Test(token, round_trip)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_ACCUEIL, now);
    strcpy(c.ej[0], "750712184");
    strcpy(c.ej[1], "2A0000000");
    c.ej_count = 2;

    char *tok = token_issue(&key, &c, &err);
    cr_assert_not_null(tok, "%s", err.msg);
    cr_assert_neq(c.id[0], '\0', "a jti is generated");
    cr_assert_eq(strlen(c.id), 32);

    /* three base64url parts */
    int dots = 0;
    for (const char *p = tok; *p; p++) {
        if (*p == '.')
            dots++;
        else
            cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                             "wxyz0123456789-_", *p) != NULL);
    }
    cr_assert_eq(dots, 2);

    cr_assert_eq(verify(tok, now, &out, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out.subject, "jdupont");
    cr_assert_eq(out.role, ROLE_ACCUEIL);
    cr_assert_eq(out.ej_count, 2);
    cr_assert_str_eq(out.ej[0], "750712184");
    cr_assert_str_eq(out.ej[1], "2A0000000");
    cr_assert_eq(out.issued_at, now);
    cr_assert_eq(out.expires_at, now + 3600);
    cr_assert_str_eq(out.id, c.id);
    free(tok);
}

Test(token, round_trip_without_ej_and_fresh_ids)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_ADMIN, now);
    char *a = token_issue(&key, &c, &err);
    cr_assert_not_null(a, "%s", err.msg);
    char first[TOKEN_ID_MAX];
    strcpy(first, c.id);
    c.id[0] = '\0';
    char *b = token_issue(&key, &c, &err);
    cr_assert_not_null(b);
    cr_assert_str_neq(first, c.id, "each token gets its own jti");
    cr_assert_eq(verify(a, now, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.ej_count, 0);
    cr_assert_eq(out.role, ROLE_ADMIN);
    free(a);
    free(b);
}

Test(token, wrong_key_refused)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_LECTEUR, now);
    char *tok = token_issue(&key, &c, &err);
    cr_assert_not_null(tok);

    token_key other = key;
    other.bytes[5] ^= 1;
    err_clear(&err);
    cr_assert_eq(token_verify(&other, tok, now, &out, &err), -1);
    cr_assert_eq(err.code, SOCLE_EINVAL);
    cr_assert_neq(err.msg[0], '\0');
    free(tok);
}

Test(token, tampered_payload_refused)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_LECTEUR, now);
    char *tok = token_issue(&key, &c, &err);
    cr_assert_not_null(tok);

    /* Same header and signature, payload promoting the bearer to admin. */
    char *dot1 = strchr(tok, '.');
    char *dot2 = strchr(dot1 + 1, '.');
    char *payload = b64url(grants("admin", "[]", (long)now, (long)now + 3600));
    char forged[4096];
    snprintf(forged, sizeof forged, "%.*s.%s%s", (int)(dot1 - tok), tok,
             payload, dot2);
    cr_assert_eq(verify(forged, now, &out, &err), -1);
    free(payload);
    free(tok);
}

Test(token, tampered_signature_refused)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_LECTEUR, now);
    char *tok = token_issue(&key, &c, &err);
    cr_assert_not_null(tok);

    char *sig = strrchr(tok, '.') + 1;
    cr_assert(strlen(sig) > 10);
    sig[5] = sig[5] == 'A' ? 'B' : 'A';
    cr_assert_eq(verify(tok, now, &out, &err), -1);

    /* Signature removed altogether. */
    sig[0] = '\0';
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    free(tok);
}

Test(token, expired_refused)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_LECTEUR, now - 7200);
    c.expires_at = now - 10;
    char *tok = token_issue(&key, &c, &err);
    cr_assert_not_null(tok, "%s", err.msg);
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    cr_assert(strstr(err.msg, "expired") != NULL, "%s", err.msg);
    /* Valid just before expiry, not at it. */
    cr_assert_eq(verify(tok, now - 11, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(verify(tok, now - 10, &out, &err), -1);
    free(tok);
}

Test(token, alg_none_refused)
{
    int64_t now = time(NULL);
    token_claims out;
    socle_err err;
    char *hdr = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    char *payload = b64url(grants("admin", "[]", (long)now, (long)now + 3600));
    char tok[4096];
    snprintf(tok, sizeof tok, "%s.%s.", hdr, payload);
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    cr_assert(strstr(err.msg, "none") != NULL, "%s", err.msg);

    /* Case games and a missing alg are no better. */
    free(hdr);
    hdr = b64url("{\"alg\":\"None\",\"typ\":\"JWT\"}");
    snprintf(tok, sizeof tok, "%s.%s.", hdr, payload);
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    free(hdr);
    hdr = b64url("{\"typ\":\"JWT\"}");
    snprintf(tok, sizeof tok, "%s.%s.", hdr, payload);
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    free(hdr);
    free(payload);
}

Test(token, hs512_with_same_key_refused)
{
    int64_t now = time(NULL);
    token_claims out;
    socle_err err;
    char *tok = sign_raw(JWT_ALG_HS512,
                         grants("admin", "[]", (long)now, (long)now + 3600));
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    cr_assert(strstr(err.msg, "HS512") != NULL, "%s", err.msg);
    free(tok);

    /* The same grants with HS256 pass: the algorithm is the only fault. */
    tok = sign_raw(JWT_ALG_HS256,
                   grants("admin", "[]", (long)now, (long)now + 3600));
    cr_assert_eq(verify(tok, now, &out, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out.id, "abc123");
    free(tok);
}

Test(token, unknown_role_refused)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_COUNT, now);
    err_clear(&err);
    cr_assert_null(token_issue(&key, &c, &err));
    cr_assert(strstr(err.msg, "role") != NULL, "%s", err.msg);

    char *tok = sign_raw(JWT_ALG_HS256,
                         grants("chef", "[]", (long)now, (long)now + 3600));
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    cr_assert(strstr(err.msg, "role") != NULL, "%s", err.msg);
    free(tok);
}

Test(token, too_many_ej_refused)
{
    int64_t now = time(NULL);
    token_claims c, out;
    socle_err err;
    claims_init(&c, ROLE_ACCUEIL, now);
    c.ej_count = TOKEN_MAX_EJ;
    for (int i = 0; i < TOKEN_MAX_EJ; i++)
        snprintf(c.ej[i], sizeof c.ej[i], "7500%05d", i);
    char *tok = token_issue(&key, &c, &err);
    cr_assert_not_null(tok, "the maximum itself is fine: %s", err.msg);
    cr_assert_eq(verify(tok, now, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.ej_count, TOKEN_MAX_EJ);
    cr_assert_str_eq(out.ej[TOKEN_MAX_EJ - 1], "750000031");
    free(tok);

    c.ej_count = TOKEN_MAX_EJ + 1;
    cr_assert_null(token_issue(&key, &c, &err));

    char ej[1024] = "[";
    for (int i = 0; i <= TOKEN_MAX_EJ; i++) {
        char one[16];
        snprintf(one, sizeof one, "%s\"7500%05d\"", i ? "," : "", i);
        strcat(ej, one);
    }
    strcat(ej, "]");
    tok = sign_raw(JWT_ALG_HS256, grants("accueil", ej, (long)now,
                                         (long)now + 3600));
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    cr_assert(strstr(err.msg, "too many") != NULL, "%s", err.msg);
    free(tok);
}

Test(token, malformed_claims_refused)
{
    int64_t now = time(NULL);
    long e = (long)now + 3600;
    token_claims out;
    socle_err err;
    /* ej not FINESS-shaped */
    char *tok = sign_raw(JWT_ALG_HS256,
                         grants("accueil", "[\"75071218\"]", (long)now, e));
    cr_assert_eq(verify(tok, now, &out, &err), -1);
    free(tok);

    /* exp 4102444800 is 2100-01-01. The control passes, so each case below
     * fails for its own fault only. */
    tok = sign_raw(JWT_ALG_HS256,
                   "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\","
                   "\"iat\":1,\"exp\":4102444800,\"jti\":\"x\"}");
    cr_assert_eq(verify(tok, now, &out, &err), 0, "%s", err.msg);
    free(tok);

    const char *cases[] = {
        "{\"iss\":\"other\",\"sub\":\"a\",\"role\":\"admin\",\"iat\":1,"
        "\"exp\":4102444800,\"jti\":\"x\"}",
        "{\"sub\":\"a\",\"role\":\"admin\",\"iat\":1,\"exp\":4102444800,"
        "\"jti\":\"x\"}",
        "{\"iss\":\"socle\",\"sub\":\"\",\"role\":\"admin\",\"iat\":1,"
        "\"exp\":4102444800,\"jti\":\"x\"}",
        "{\"iss\":\"socle\",\"role\":\"admin\",\"iat\":1,\"exp\":4102444800,"
        "\"jti\":\"x\"}",
        "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\","
        "\"exp\":4102444800,\"jti\":\"x\"}",
        "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\",\"iat\":1,"
        "\"jti\":\"x\",\"z\":4102444800}",
        "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\",\"iat\":\"1\","
        "\"exp\":4102444800,\"jti\":\"x\"}",
        "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\",\"iat\":1,"
        "\"exp\":4102444800,\"jti\":\"x\",\"ej\":\"750712184\"}",
        "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\",\"iat\":1,"
        "\"exp\":4102444800,\"jti\":\"x\",\"ej\":[750712184]}",
        "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\",\"iat\":1,"
        "\"exp\":4102444800,\"jti\":\"x\",\"ej\":[\"7507121840\"]}",
        "{\"iss\":\"socle\",\"sub\":\"a\",\"role\":\"admin\",\"iat\":1,"
        "\"exp\":4102444800,\"jti\":\"x\",\"ej\":[\"75071218A\"]}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tok = sign_raw(JWT_ALG_HS256, cases[i]);
        cr_assert_eq(verify(tok, now, &out, &err), -1, "accepted: %s",
                     cases[i]);
        cr_assert_eq(err.code, SOCLE_EINVAL);
        free(tok);
    }

    cr_assert_eq(verify("not a token", now, &out, &err), -1);
    cr_assert_eq(verify("a.b", now, &out, &err), -1);
    cr_assert_eq(verify("", now, &out, &err), -1);
}

Test(token, issue_refuses_bad_claims)
{
    int64_t now = time(NULL);
    token_claims c;
    socle_err err;
    claims_init(&c, ROLE_ADMIN, now);
    c.subject[0] = '\0';
    cr_assert_null(token_issue(&key, &c, &err));

    claims_init(&c, ROLE_ADMIN, now);
    strcpy(c.ej[0], "12345");
    c.ej_count = 1;
    cr_assert_null(token_issue(&key, &c, &err));

    claims_init(&c, ROLE_ADMIN, now);
    c.expires_at = now;
    cr_assert_null(token_issue(&key, &c, &err));
}

/* ---- Key file ---------------------------------------------------------- */

Test(token, key_file_created_0600_and_reloaded)
{
    token_key a, b;
    socle_err err;
    mode_t old = umask(0);  /* a permissive umask must not leak into it */
    int rc = token_key_load_or_create(tmpdir, &a, &err);
    umask(old);
    cr_assert_eq(rc, 0, "%s", err.msg);

    struct stat st;
    cr_assert_eq(stat(key_path(), &st), 0);
    cr_assert(S_ISREG(st.st_mode));
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
    cr_assert_eq(st.st_size, 65);

    char text[80] = {0};
    FILE *f = fopen(key_path(), "r");
    cr_assert_not_null(f);
    cr_assert_eq(fread(text, 1, sizeof text - 1, f), 65);
    fclose(f);
    cr_assert_eq(text[64], '\n');
    for (int i = 0; i < 64; i++)
        cr_assert(strchr("0123456789abcdef", text[i]) != NULL);
    for (int i = 0; i < TOKEN_KEY_BYTES; i++) {
        unsigned v;
        sscanf(text + 2 * i, "%2x", &v);
        cr_assert_eq(a.bytes[i], v);
    }

    cr_assert_eq(token_key_load_or_create(tmpdir, &b, &err), 0, "%s", err.msg);
    cr_assert_eq(memcmp(a.bytes, b.bytes, TOKEN_KEY_BYTES), 0);

    /* No temporary file left behind. */
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' || strlen(e->d_name) > 2)
            n++;
    closedir(d);
    cr_assert_eq(n, 1);

    /* A token signed with the loaded key verifies with the reloaded one. */
    token_claims c, out;
    claims_init(&c, ROLE_DPO, time(NULL));
    char *tok = token_issue(&a, &c, &err);
    cr_assert_not_null(tok);
    cr_assert_eq(token_verify(&b, tok, time(NULL), &out, &err), 0);
    free(tok);
}

Test(token, key_file_existing_is_used)
{
    write_key_file("000102030405060708090a0b0c0d0e0f"
                   "101112131415161718191a1b1c1d1e1f\n", 0600);
    token_key k;
    socle_err err;
    cr_assert_eq(token_key_load_or_create(tmpdir, &k, &err), 0, "%s", err.msg);
    for (int i = 0; i < TOKEN_KEY_BYTES; i++)
        cr_assert_eq(k.bytes[i], i);
}

Test(token, key_file_bad_mode_refused)
{
    write_key_file("000102030405060708090a0b0c0d0e0f"
                   "101112131415161718191a1b1c1d1e1f\n", 0644);
    token_key k;
    socle_err err;
    err_clear(&err);
    cr_assert_eq(token_key_load_or_create(tmpdir, &k, &err), -1);
    cr_assert(strstr(err.msg, "jwt.key is readable by others (mode 0644); "
                              "chmod 600 it") != NULL, "%s", err.msg);

    cr_assert_eq(chmod(key_path(), 0640), 0);
    cr_assert_eq(token_key_load_or_create(tmpdir, &k, &err), -1);
    cr_assert(strstr(err.msg, "0640") != NULL, "%s", err.msg);

    cr_assert_eq(chmod(key_path(), 0610), 0);
    cr_assert_eq(token_key_load_or_create(tmpdir, &k, &err), -1);

    cr_assert_eq(chmod(key_path(), 0602), 0);
    cr_assert_eq(token_key_load_or_create(tmpdir, &k, &err), -1);

    /* The file is left alone, not "fixed" or replaced. */
    struct stat st;
    cr_assert_eq(stat(key_path(), &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0602);

    cr_assert_eq(chmod(key_path(), 0400), 0);
    cr_assert_eq(token_key_load_or_create(tmpdir, &k, &err), 0, "%s", err.msg);
}

Test(token, key_file_malformed_refused)
{
    const char *bad[] = {
        "",
        "\n",
        "0001020304\n",
        /* uppercase */
        "000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f\n",
        /* not hex */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g\n",
        /* one character too many */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0\n",
        /* trailing garbage */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\nx",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n",
        " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_key_file(bad[i], 0600);
        token_key k;
        socle_err err;
        err_clear(&err);
        cr_assert_eq(token_key_load_or_create(tmpdir, &k, &err), -1,
                     "accepted key file %zu", i);
        cr_assert(strstr(err.msg, "malformed") != NULL, "%s", err.msg);
        /* Never silently replaced by a fresh key. */
        struct stat st;
        cr_assert_eq(stat(key_path(), &st), 0);
        cr_assert_eq((size_t)st.st_size, strlen(bad[i]));
    }
}

Test(token, key_file_missing_dir_is_an_error)
{
    char path[512];
    snprintf(path, sizeof path, "%s/nope", tmpdir);
    token_key k;
    socle_err err;
    err_clear(&err);
    cr_assert_eq(token_key_load_or_create(path, &k, &err), -1);
    cr_assert_neq(err.msg[0], '\0');
}
