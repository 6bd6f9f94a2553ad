/*
 * token.c - signed bearer tokens (JWT, HS256).
 *
 * libjwt does the signing and the signature check; everything else is
 * checked here, on purpose twice for the algorithm: libjwt will happily
 * verify a token with whatever "alg" its header names (HS512 with our key,
 * or "none" with no signature at all in some versions), so the header is
 * read and judged before libjwt sees the token, and the algorithm libjwt
 * reports is judged again afterwards.
 *
 * Claims are read from the JSON libjwt hands back, through jansson, so that
 * a claim of the wrong JSON type is an error rather than a silent zero.
 */
#include "http/token.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#define KEY_FILE_NAME  "jwt.key"
#define KEY_HEX_LEN    (TOKEN_KEY_BYTES * 2)
#define JTI_BYTES      16
#define ISSUER         "socle"
/* A header is a few dozen bytes; anything much larger is not ours. */
#define HEADER_B64_MAX 1024

/* ---- Small helpers ----------------------------------------------------- */

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

/* Lowercase only: the key file is written lowercase, and a file that is
 * not exactly what we write was edited by hand, so it is worth a look. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* FINESS shape only (the Luhn key is the structure import's business):
 * 9 characters, a department of two digits or 2A/2B, then digits. */
static int finess_shaped(const char *s)
{
    if (strlen(s) != 9)
        return 0;
    int corsica = s[0] == '2' && (s[1] == 'A' || s[1] == 'B');
    for (int i = 0; i < 9; i++) {
        if (i == 1 && corsica)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

static int copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

/* Shared by issue and verify, so that we never sign what we would refuse. */
static int check_claims(const token_claims *c, socle_err *err)
{
    if (c->subject[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "token: empty subject");
    if (memchr(c->subject, '\0', sizeof c->subject) == NULL)
        return err_set(err, SOCLE_EINVAL, "token: subject too long");
    if ((unsigned)c->role >= ROLE_COUNT)
        return err_set(err, SOCLE_EINVAL, "token: unknown role");
    if (c->ej_count > TOKEN_MAX_EJ)
        return err_set(err, SOCLE_EINVAL,
                       "token: too many establishments (%zu, at most %d)",
                       c->ej_count, TOKEN_MAX_EJ);
    for (size_t i = 0; i < c->ej_count; i++) {
        if (memchr(c->ej[i], '\0', sizeof c->ej[i]) == NULL ||
            !finess_shaped(c->ej[i]))
            return err_set(err, SOCLE_EINVAL,
                           "token: establishment %zu is not a FINESS number",
                           i + 1);
    }
    return 0;
}

/* ---- Key file ---------------------------------------------------------- */

static int key_parse(const char *text, size_t len, const char *path,
                     token_key *key, socle_err *err)
{
    /* Exactly what key_create writes; a missing final newline is forgiven
     * because editors and `printf %s` differ on it. */
    if (len == KEY_HEX_LEN + 1 && text[KEY_HEX_LEN] == '\n')
        len--;
    if (len != KEY_HEX_LEN)
        return err_set(err, SOCLE_EINVAL,
                       "%s: malformed key: expected %d lowercase hex "
                       "characters and a newline", path, KEY_HEX_LEN);
    for (size_t i = 0; i < TOKEN_KEY_BYTES; i++) {
        int hi = hex_value(text[2 * i]);
        int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return err_set(err, SOCLE_EINVAL,
                           "%s: malformed key: character %zu is not a "
                           "lowercase hex digit", path,
                           hi < 0 ? 2 * i + 1 : 2 * i + 2);
        key->bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* Returns 1 when loaded, 0 when the file does not exist, -1 on error. */
static int key_load(const char *path, token_key *key, socle_err *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return err_set(err, SOCLE_EIO, "%s: %s", path, strerror(errno));
    }

    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, SOCLE_EIO, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(err, SOCLE_EINVAL, "%s: not a regular file", path);
    }
    /* The key signs every token: whoever reads it can mint an admin one. */
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return err_set(err, SOCLE_EINVAL,
                       "%s: jwt.key is %s by others (mode %04o); chmod 600 it",
                       path,
                       (st.st_mode & (S_IRGRP | S_IROTH)) ? "readable"
                                                          : "accessible",
                       (unsigned)(st.st_mode & 07777));
    }

    char buf[KEY_HEX_LEN + 2];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return err_set(err, SOCLE_EIO, "%s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf)
            break;  /* too long: key_parse says so */
    }
    close(fd);

    int rc = key_parse(buf, len, path, key, err);
    OPENSSL_cleanse(buf, sizeof buf);
    return rc == 0 ? 1 : -1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Written to a private temporary file, then link()ed into place: link
 * fails when the name exists, so two processes creating the key at once
 * both end up with the same one (the loser reads the winner's), and a
 * reader never sees a half-written key. */
static int key_create(const char *data_dir, const char *path, socle_err *err)
{
    unsigned char raw[TOKEN_KEY_BYTES];
    char text[KEY_HEX_LEN + 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return err_set(err, SOCLE_EIO, "%s: no random bytes for the key", path);
    hex_encode(raw, sizeof raw, text);
    text[KEY_HEX_LEN] = '\n';
    text[KEY_HEX_LEN + 1] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);

    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s/.jwt.key.XXXXXX", data_dir) >=
        (int)sizeof tmp)
        return err_set(err, SOCLE_EINVAL, "%s: path too long", data_dir);

    int rc = -1;
    int fd = mkstemp(tmp);  /* mode 0600 whatever the umask */
    if (fd < 0) {
        err_set(err, SOCLE_EIO, "%s: cannot create key: %s", data_dir,
                strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || write_all(fd, text, KEY_HEX_LEN + 1) != 0 ||
        fsync(fd) != 0) {
        err_set(err, SOCLE_EIO, "%s: cannot write key: %s", tmp,
                strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        err_set(err, SOCLE_EIO, "%s: cannot write key: %s", tmp,
                strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (link(tmp, path) != 0 && errno != EEXIST) {
        err_set(err, SOCLE_EIO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    unlink(tmp);

    /* Make the new name durable too: a key lost in a crash would void
     * every token handed out since. */
    int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    OPENSSL_cleanse(text, sizeof text);
    return rc;
}

int token_key_load_or_create(const char *data_dir, token_key *key,
                             socle_err *err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", data_dir, KEY_FILE_NAME) >=
        (int)sizeof path)
        return err_set(err, SOCLE_EINVAL, "%s: path too long", data_dir);

    int rc = key_load(path, key, err);
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    if (key_create(data_dir, path, err) != 0)
        return -1;
    /* Read back what is on disk: another process may have won the race. */
    rc = key_load(path, key, err);
    if (rc == 0)
        return err_set(err, SOCLE_EIO, "%s: vanished after creation", path);
    return rc > 0 ? 0 : -1;
}

/* ---- Issue ------------------------------------------------------------- */

static char *ej_grants_json(const token_claims *c)
{
    json_t *arr = json_array();
    json_t *obj = json_object();
    char *out = NULL;
    if (arr == NULL || obj == NULL)
        goto out;
    for (size_t i = 0; i < c->ej_count; i++)
        if (json_array_append_new(arr, json_string(c->ej[i])) != 0)
            goto out;
    if (json_object_set(obj, "ej", arr) != 0)
        goto out;
    out = json_dumps(obj, JSON_COMPACT);
out:
    json_decref(arr);
    json_decref(obj);
    return out;
}

char *token_issue(const token_key *key, token_claims *claims, socle_err *err)
{
    if (check_claims(claims, err) != 0)
        return NULL;
    if (claims->issued_at <= 0)
        claims->issued_at = (int64_t)time(NULL);
    if (claims->expires_at <= claims->issued_at) {
        err_set(err, SOCLE_EINVAL, "token: expires before it is issued");
        return NULL;
    }
    if (claims->id[0] == '\0') {
        unsigned char raw[JTI_BYTES];
        if (RAND_bytes(raw, sizeof raw) != 1) {
            err_set(err, SOCLE_EIO, "token: no random bytes for the id");
            return NULL;
        }
        hex_encode(raw, sizeof raw, claims->id);
    } else if (memchr(claims->id, '\0', sizeof claims->id) == NULL) {
        err_set(err, SOCLE_EINVAL, "token: id too long");
        return NULL;
    }

    jwt_t *jwt = NULL;
    char *ej = NULL;
    char *token = NULL;
    if (jwt_new(&jwt) != 0)
        goto fail;
    ej = ej_grants_json(claims);
    if (ej == NULL)
        goto fail;
    if (jwt_add_grant(jwt, "iss", ISSUER) != 0 ||
        jwt_add_grant(jwt, "sub", claims->subject) != 0 ||
        jwt_add_grant(jwt, "role", role_name(claims->role)) != 0 ||
        jwt_add_grants_json(jwt, ej) != 0 ||
        jwt_add_grant_int(jwt, "iat", (long)claims->issued_at) != 0 ||
        jwt_add_grant_int(jwt, "exp", (long)claims->expires_at) != 0 ||
        jwt_add_grant(jwt, "jti", claims->id) != 0)
        goto fail;
    if (jwt_set_alg(jwt, JWT_ALG_HS256, key->bytes, TOKEN_KEY_BYTES) != 0)
        goto fail;
    token = jwt_encode_str(jwt);
    if (token == NULL)
        goto fail;
    free(ej);
    jwt_free(jwt);
    return token;

fail:
    err_set(err, SOCLE_EINTERNAL, "token: cannot encode");
    free(ej);
    if (jwt != NULL)
        jwt_free(jwt);
    return NULL;
}

/* ---- Verify ------------------------------------------------------------ */

static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Unpadded base64url, as JWT uses. Returns the decoded length or -1. */
static long b64url_decode(const char *in, size_t n, unsigned char *out,
                          size_t cap)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)o;
}

/* Judge the header before any library does: only HS256 is ours. */
static int check_header(const char *token, socle_err *err)
{
    const char *dot = strchr(token, '.');
    if (dot == NULL || strchr(dot + 1, '.') == NULL)
        return err_set(err, SOCLE_EINVAL, "token: not a JWT");
    size_t n = (size_t)(dot - token);
    if (n == 0 || n > HEADER_B64_MAX)
        return err_set(err, SOCLE_EINVAL, "token: malformed header");

    unsigned char raw[HEADER_B64_MAX];
    long len = b64url_decode(token, n, raw, sizeof raw);
    if (len <= 0)
        return err_set(err, SOCLE_EINVAL, "token: malformed header");

    json_error_t jerr;
    json_t *hdr = json_loadb((const char *)raw, (size_t)len, 0, &jerr);
    if (hdr == NULL || !json_is_object(hdr)) {
        json_decref(hdr);
        return err_set(err, SOCLE_EINVAL, "token: malformed header");
    }
    const char *alg = json_string_value(json_object_get(hdr, "alg"));
    int ok = alg != NULL && strcmp(alg, "HS256") == 0;
    if (!ok)
        err_set(err, SOCLE_EINVAL, "token: algorithm %s%s%s refused "
                "(HS256 only)", alg ? "\"" : "", alg ? alg : "missing",
                alg ? "\"" : "");
    json_decref(hdr);
    return ok ? 0 : -1;
}

static int get_int(json_t *claims, const char *name, int64_t *out,
                   socle_err *err)
{
    json_t *v = json_object_get(claims, name);
    if (v == NULL)
        return err_set(err, SOCLE_EINVAL, "token: no \"%s\" claim", name);
    if (!json_is_integer(v))
        return err_set(err, SOCLE_EINVAL, "token: \"%s\" is not an integer",
                       name);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static const char *get_string(json_t *claims, const char *name,
                              socle_err *err)
{
    json_t *v = json_object_get(claims, name);
    if (v == NULL) {
        err_set(err, SOCLE_EINVAL, "token: no \"%s\" claim", name);
        return NULL;
    }
    if (!json_is_string(v)) {
        err_set(err, SOCLE_EINVAL, "token: \"%s\" is not a string", name);
        return NULL;
    }
    /* An embedded NUL would make the C string say less than the claim. */
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        err_set(err, SOCLE_EINVAL, "token: \"%s\" holds a NUL", name);
        return NULL;
    }
    return json_string_value(v);
}

static int read_claims(json_t *obj, int64_t now, token_claims *c,
                       socle_err *err)
{
    const char *s = get_string(obj, "iss", err);
    if (s == NULL)
        return -1;
    if (strcmp(s, ISSUER) != 0)
        return err_set(err, SOCLE_EINVAL, "token: issuer is not \"%s\"",
                       ISSUER);

    if (get_int(obj, "iat", &c->issued_at, err) != 0 ||
        get_int(obj, "exp", &c->expires_at, err) != 0)
        return -1;
    if (c->expires_at <= now)
        return err_set(err, SOCLE_EINVAL, "token: expired");

    if ((s = get_string(obj, "sub", err)) == NULL)
        return -1;
    if (s[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "token: empty subject");
    if (copy_text(c->subject, sizeof c->subject, s) != 0)
        return err_set(err, SOCLE_EINVAL, "token: subject too long");

    if ((s = get_string(obj, "role", err)) == NULL)
        return -1;
    if (role_parse(s, &c->role) != 0)
        return err_set(err, SOCLE_EINVAL, "token: unknown role");

    if ((s = get_string(obj, "jti", err)) == NULL)
        return -1;
    if (s[0] == '\0' || copy_text(c->id, sizeof c->id, s) != 0)
        return err_set(err, SOCLE_EINVAL, "token: malformed \"jti\"");

    /* No "ej" and an empty one mean the same: not limited. */
    json_t *ej = json_object_get(obj, "ej");
    c->ej_count = 0;
    if (ej != NULL) {
        if (!json_is_array(ej))
            return err_set(err, SOCLE_EINVAL, "token: \"ej\" is not an array");
        if (json_array_size(ej) > TOKEN_MAX_EJ)
            return err_set(err, SOCLE_EINVAL,
                           "token: too many establishments (%zu, at most %d)",
                           json_array_size(ej), TOKEN_MAX_EJ);
        size_t i;
        json_t *v;
        json_array_foreach(ej, i, v) {
            const char *f = json_string_value(v);
            if (f == NULL || strlen(f) != json_string_length(v) ||
                !finess_shaped(f))
                return err_set(err, SOCLE_EINVAL,
                               "token: establishment %zu is not a FINESS "
                               "number", i + 1);
            copy_text(c->ej[i], sizeof c->ej[i], f);
            c->ej_count++;
        }
    }
    return 0;
}

int token_verify(const token_key *key, const char *token, int64_t now,
                 token_claims *out, socle_err *err)
{
    if (token == NULL || token[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "token: empty");
    if (check_header(token, err) != 0)
        return -1;

    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, key->bytes, TOKEN_KEY_BYTES) != 0 ||
        jwt == NULL)
        return err_set(err, SOCLE_EINVAL, "token: bad signature or format");
    /* Belt and braces: libjwt verified with the algorithm it read. */
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        jwt_free(jwt);
        return err_set(err, SOCLE_EINVAL, "token: algorithm refused "
                       "(HS256 only)");
    }

    char *text = jwt_get_grants_json(jwt, NULL);
    jwt_free(jwt);
    if (text == NULL)
        return err_set(err, SOCLE_EINVAL, "token: no claims");
    json_error_t jerr;
    json_t *obj = json_loads(text, 0, &jerr);
    free(text);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        return err_set(err, SOCLE_EINVAL, "token: malformed claims");
    }

    token_claims c;
    memset(&c, 0, sizeof c);
    int rc = read_claims(obj, now, &c, err);
    json_decref(obj);
    if (rc != 0)
        return -1;
    *out = c;
    return 0;
}
