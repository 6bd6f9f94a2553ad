/*
 * socle init - initialise (or check) a data dir and the GHT's domain.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>

#include "core/structure.h"

static const char usage[] =
    "usage: socle init [--data DIR] [--ght-oid OID] [--ght-name NAME]\n"
    "\n"
    "Creates the data dir and its database when new, migrates an older one,\n"
    "and sets the GHT's identification domain: the OID under which Socle\n"
    "issues GHT identities (default: a generated 2.25.<uuid> OID, until the\n"
    "GHT registers its own). Running it again changes nothing unless asked.\n";

int cli_init(int argc, char **argv)
{
    const char *data = CLI_DEFAULT_DATA, *oid = NULL, *name = NULL;
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "ght-oid", required_argument, NULL, 'o' },
        { "ght-name", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'o': oid = optarg; break;
        case 'n': name = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default:  fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_actor actor;
    cli_actor(&actor);
    socle_err err;
    err_clear(&err);
    id_domain ght;
    int rc = ght_domain_ensure(st, &actor, oid, name, &ght, &err);
    if (rc != 0) {
        store_close(st);
        return cli_fail(CLI_FAIL, "init", "%s", err.msg);
    }
    printf("initialised %s (schema version %d, GHT domain %s \"%s\")\n", data,
           store_schema_version(st), ght.oid, ght.name);
    store_close(st);
    return CLI_OK;
}
