/*
 * socle token issue|verify - bearer tokens for the HTTP interfaces.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/structure.h"
#include "http/token.h"
#include "util/buf.h"
#include "util/timeutil.h"

static const char usage[] =
    "usage: socle token issue [--data DIR] --role ROLE [--ej FINESS]... [--ttl DURATION]\n"
    "                         [--sub SUBJECT]\n"
    "       socle token verify [--data DIR] TOKEN\n"
    "\n"
    "issue   prints a signed bearer token (JWT, HS256; the key is DIR/jwt.key).\n"
    "        ROLE: admin, identitovigilant, accueil, lecteur, flux, dpo.\n"
    "        --ej limits the token to establishments (FINESS of an imported EJ),\n"
    "        repeatable; none means every establishment.\n"
    "        DURATION: 30s, 15m, 8h, 7d (default 8h).\n"
    "verify  checks a token and prints its claims as JSON.\n";

#define DEFAULT_TTL "8h"

static int token_issue_cmd(int argc, char **argv)
{
    const char *data = CLI_DEFAULT_DATA, *role_text = NULL, *ttl_text = DEFAULT_TTL;
    const char *sub = NULL;
    token_claims claims;
    memset(&claims, 0, sizeof claims);

    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "role", required_argument, NULL, 'r' },
        { "ej", required_argument, NULL, 'e' },
        { "ttl", required_argument, NULL, 't' },
        { "sub", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'r': role_text = optarg; break;
        case 't': ttl_text = optarg; break;
        case 's': sub = optarg; break;
        case 'e': {
            int rc = cli_add_ej("token", optarg, claims.ej, &claims.ej_count, TOKEN_MAX_EJ);
            if (rc >= 0)
                return rc;
            break;
        }
        case 'h': fputs(usage, stdout); return CLI_OK;
        default:  fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc || role_text == NULL) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (role_parse(role_text, &claims.role) != 0)
        return cli_fail(CLI_FAIL, "token", "unknown role '%s' (roles: %s)", role_text,
                        role_list());
    int64_t ttl;
    if (duration_parse(ttl_text, &ttl) != 0)
        return cli_fail(CLI_FAIL, "token",
                        "--ttl '%s': expected a duration such as 30s, 15m, 8h or 7d", ttl_text);

    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_actor actor;
    cli_actor(&actor);
    socle_err err;
    err_clear(&err);
    int status = CLI_FAIL;
    char *token = NULL;

    for (size_t i = 0; i < claims.ej_count; i++) {
        structure_node ej;
        int found = structure_find_ej(st, claims.ej[i], &ej, &err);
        if (found <= 0) {
            if (found == 0)
                cli_fail(CLI_FAIL, "token",
                         "unknown EJ %s: import the structures first (socle import structures)",
                         claims.ej[i]);
            else
                cli_fail(CLI_FAIL, "token", "%s", err.msg);
            goto out;
        }
    }
    str_copy(claims.subject, sizeof claims.subject, sub ? sub : actor.id);
    claims.issued_at = (int64_t)time(NULL);
    claims.expires_at = claims.issued_at + ttl;

    token_key key;
    if (token_key_load_or_create(data, &key, &err) != 0) {
        cli_fail(CLI_FAIL, "token", "%s", err.msg);
        goto out;
    }
    token = token_issue(&key, &claims, &err);
    if (token == NULL) {
        cli_fail(CLI_FAIL, "token", "%s", err.msg);
        goto out;
    }

    /* Trace the issuance (never the token itself) before handing it out. */
    buf detail = { 0 };
    buf_printf(&detail, "sub=%s role=%s ttl=%s jti=%s ej=", claims.subject,
               role_name(claims.role), ttl_text, claims.id);
    for (size_t i = 0; i < claims.ej_count; i++)
        buf_printf(&detail, "%s%s", i ? "," : "", claims.ej[i]);
    int logged = store_begin(st, &err) == 0
              && audit_log(st, &actor, "token.issue", "token", claims.id, "success",
                           buf_cstr(&detail), &err) == 0
              && store_commit(st, &err) == 0;
    buf_free(&detail);
    if (!logged) {
        store_rollback(st);
        cli_fail(CLI_FAIL, "token", "cannot record the issuance: %s", err.msg);
        goto out;
    }
    printf("%s\n", token);
    status = CLI_OK;
out:
    free(token);
    store_close(st);
    return status;
}

static int token_verify_cmd(int argc, char **argv)
{
    const char *data = CLI_DEFAULT_DATA;
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default:  fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    socle_err err;
    err_clear(&err);
    token_key key;
    if (token_key_load_or_create(data, &key, &err) != 0)
        return cli_fail(CLI_FAIL, "token", "%s", err.msg);
    token_claims claims;
    if (token_verify(&key, argv[optind], (int64_t)time(NULL), &claims, &err) != 0)
        return cli_fail(CLI_FAIL, "token", "invalid token: %s", err.msg);

    json_t *ej = json_array();
    for (size_t i = 0; i < claims.ej_count; i++)
        json_array_append_new(ej, json_string(claims.ej[i]));
    json_t *o = json_pack("{s:s, s:s, s:o, s:I, s:I, s:s}",
                          "sub", claims.subject, "role", role_name(claims.role), "ej", ej,
                          "iat", (json_int_t)claims.issued_at,
                          "exp", (json_int_t)claims.expires_at, "jti", claims.id);
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    printf("%s\n", text ? text : "{}");
    free(text);
    return CLI_OK;
}

int cli_token(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "issue") == 0)
        return token_issue_cmd(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return token_verify_cmd(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    fputs(usage, stderr);
    return CLI_USAGE;
}
