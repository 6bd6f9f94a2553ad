#include "cli/cli.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

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
