/*
 * main.c - the `socle` command: dispatch to the subcommands in cli/.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: socle COMMAND [ARGS]\n"
    "\n"
    "Socle: the common identity, stay and structure repository of a GHT.\n"
    "\n"
    "commands:\n"
    "  serve               run the server (HTTP; SQLite store in the data dir)\n"
    "  init                initialise or migrate a data dir, set the GHT's OID\n"
    "  import structures   load the structures repository from CSV\n"
    "  import identities   load an establishment's identities from CSV\n"
    "  ins check           check an INS matricule (NIR or NIA)\n"
    "  token issue|verify  bearer tokens for the HTTP interfaces\n"
    "  audit verify|list   the hash-chained access trace\n"
    "  export identities   the identity repository as CSV\n"
    "  subscriber add|list|remove  applications notified of identity changes\n"
    "  outbox list         the notifications waiting for them\n"
    "  user add|list       accounts of the identity-vigilance workbench\n"
    "  dedupe              find the records of the same person in a CSV file\n"
    "  match train|explain the real-time matching's model and decisions\n"
    "  review list|decide  the identity cell's review tasks\n"
    "  version             print the version\n"
    "\n"
    "Each command has --help. Exit status: 0 success, 1 failure, 2 usage error.\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    { "serve", cli_serve },
    { "init", cli_init },
    { "import", cli_import },
    { "ins", cli_ins },
    { "token", cli_token },
    { "audit", cli_audit },
    { "export", cli_export },
    { "subscriber", cli_subscriber },
    { "outbox", cli_outbox },
    { "dedupe", cli_dedupe },
    { "match", cli_match },
    { "review", cli_review },
    { "user", cli_user },
};

int main(int argc, char **argv)
{
    /* Health data: nothing Socle creates is readable by other users. */
    umask(027);
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
        printf("socle %s\n", SOCLE_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "socle: unknown command '%s'\n\n%s", name, usage);
    return CLI_USAGE;
}
