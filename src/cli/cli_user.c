/*
 * socle user add|list - the workbench's local accounts (core/user.h).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/user.h"
#include "util/timeutil.h"

static const char usage[] =
    "usage: socle user add [--data DIR] --login LOGIN --role ROLE [--ej FINESS]...\n"
    "       socle user list [--data DIR]\n"
    "\n"
    "add   creates a workbench account. The password is read from standard input\n"
    "      (first line), or asked twice without echo on a terminal. It needs at\n"
    "      least 12 characters, three of: lower case, upper case, digits, other\n"
    "      characters, and must not contain the login. Hashed with argon2id\n"
    "      (t=3, m=64 MiB, p=1).\n"
    "      ROLE: admin, identitovigilant, accueil, lecteur, dpo (flux is for\n"
    "      interfaces and cannot log in).\n"
    "      --ej limits the account to establishments (FINESS of an imported EJ),\n"
    "      repeatable; none means every establishment.\n"
    "list  prints the accounts: login, role, establishments, active, locked until.\n";

/* One line into out, without its end of line. Echo off on a terminal. */
static int read_password(const char *prompt, char *out, size_t n)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            tty = 0;
        }
    }
    char *got = fgets(out, (int)n, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (got == NULL)
        return -1;
    size_t len = strcspn(out, "\r\n");
    if (out[len] == '\0' && len == n - 1)
        return -1;  /* longer than the buffer */
    out[len] = '\0';
    return 0;
}

static int user_add_cmd(int argc, char **argv)
{
    const char *data = CLI_DEFAULT_DATA, *role_text = NULL, *login = NULL;
    user_new in;
    memset(&in, 0, sizeof in);
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "login", required_argument, NULL, 'l' },
        { "role", required_argument, NULL, 'r' },
        { "ej", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    char why[160];
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'l': login = optarg; break;
        case 'r': role_text = optarg; break;
        case 'e': {
            int rc = cli_add_ej("user", optarg, in.ej, &in.n_ej, USER_MAX_EJ);
            if (rc >= 0)
                return rc;
            break;
        }
        case 'h': fputs(usage, stdout); return CLI_OK;
        default:  fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc || role_text == NULL || login == NULL) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (role_parse(role_text, &in.role) != 0)
        return cli_fail(CLI_FAIL, "user", "unknown role '%s' (roles: %s)", role_text,
                        role_list());
    if (in.role == ROLE_FLUX)
        return cli_fail(CLI_FAIL, "user", "role flux is for interface accounts (tokens), "
                        "not for people");
    if (!user_login_valid(login))
        return cli_fail(CLI_FAIL, "user", "invalid login '%s'", login);

    char pw[USER_PASSWORD_MAX + 2], again[USER_PASSWORD_MAX + 2];
    if (read_password("Mot de passe : ", pw, sizeof pw) != 0)
        return cli_fail(CLI_FAIL, "user", "no password read (or longer than %d characters)",
                        USER_PASSWORD_MAX);
    if (isatty(STDIN_FILENO)) {
        if (read_password("Confirmation : ", again, sizeof again) != 0 || strcmp(pw, again)) {
            memset(pw, 0, sizeof pw);
            return cli_fail(CLI_FAIL, "user", "the two passwords differ");
        }
        memset(again, 0, sizeof again);
    }
    if (!user_password_acceptable(login, pw, why, sizeof why)) {
        memset(pw, 0, sizeof pw);
        return cli_fail(CLI_FAIL, "user", "%s", why);
    }
    in.login = login;
    in.password = pw;
    if (user_argon2_from_env(&in.argon2))
        fprintf(stderr, "socle user: SOCLE_ARGON2_TEST=1: weak argon2id parameters "
                "(tests only)\n");

    store *st = cli_open_store(data);
    if (st == NULL) {
        memset(pw, 0, sizeof pw);
        return CLI_FAIL;
    }
    socle_actor actor;
    cli_actor(&actor);
    socle_err err;
    err_clear(&err);
    int64_t id = 0;
    int rc = user_add(st, &actor, &in, &id, &err);
    memset(pw, 0, sizeof pw);
    store_close(st);
    if (rc != 0)
        return cli_fail(CLI_FAIL, "user", "%s", err.msg);
    printf("user %s added (role %s)\n", login, role_name(in.role));
    return CLI_OK;
}

static int print_user(const user_account *u, void *ctx)
{
    (void)ctx;
    char locked[SOCLE_TS_MAX] = "";
    if (u->locked_until > (int64_t)time(NULL))
        time_format_iso((time_t)u->locked_until, locked);
    printf("%s\t%s\t%s\t%s\t%s\n", u->login, u->role,
           u->establishments[0] ? u->establishments : "*", u->active ? "active" : "inactive",
           locked);
    return 0;
}

static int user_list_cmd(int argc, char **argv)
{
    const char *data = CLI_DEFAULT_DATA;
    int rc = cli_parse_action(argc, argv, "list", usage, &data, NULL, 0);
    if (rc >= 0)
        return rc;
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    rc = store_user_foreach(st, print_user, NULL, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CLI_FAIL, "user", "%s", err.msg);
    return CLI_OK;
}

int cli_user(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return user_add_cmd(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return user_list_cmd(argc, argv);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    fputs(usage, stderr);
    return CLI_USAGE;
}
