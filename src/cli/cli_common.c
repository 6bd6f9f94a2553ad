#include "cli/cli.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/identifiers.h"
#include "core/structure.h"

store *cli_open_store(const char *data_dir)
{
    socle_err err;
    err_clear(&err);
    store *st = NULL;
    if (store_open(&st, data_dir, &err) != 0) {
        fprintf(stderr, "socle: %s\n", err.msg);
        return NULL;
    }
    socle_actor actor;
    cli_actor(&actor);
    id_domain ght;
    if (ght_domain_ensure(st, &actor, NULL, NULL, &ght, &err) != 0) {
        fprintf(stderr, "socle: %s\n", err.msg);
        store_close(st);
        return NULL;
    }
    return st;
}

void cli_actor(socle_actor *actor)
{
    const struct passwd *pw = getpwuid(geteuid());
    snprintf(actor->id, sizeof actor->id, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    snprintf(actor->role, sizeof actor->role, "admin");
}

int cli_fail(int status, const char *subcommand, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "socle %s: ", subcommand);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return status;
}

void cli_getopt_reset(void)
{
    /* glibc: optind = 0 also reinitialises its internal state. */
    optind = 0;
    opterr = 1;
}

int cli_parse_action(int argc, char **argv, const char *action, const char *usage,
                     const char **data, char **pos, int npos)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc < 2 || strcmp(argv[1], action) != 0) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    *data = CLI_DEFAULT_DATA;
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': *data = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default:  fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (argc - 1 - optind != npos) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    for (int i = 0; i < npos; i++)
        pos[i] = argv[1 + optind + i];
    return -1;
}

int cli_add_ej(const char *subcommand, const char *finess, char (*ej)[SOCLE_FINESS_MAX],
               size_t *n, size_t max)
{
    char why[160];
    if (*n == max)
        return cli_fail(CLI_FAIL, subcommand, "at most %zu --ej", max);
    if (!finess_check(finess, why, sizeof why))
        return cli_fail(CLI_FAIL, subcommand, "--ej %s: invalid FINESS: %s", finess, why);
    str_copy(ej[(*n)++], SOCLE_FINESS_MAX, finess);
    return -1;
}
