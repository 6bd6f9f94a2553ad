/*
 * cli.h - the subcommands of the `socle` command line. Each takes the
 * arguments after its name (argv[0] is the subcommand's own name) and
 * returns the process exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef SOCLE_CLI_CLI_H
#define SOCLE_CLI_CLI_H

#include "core/model.h"
#include "store/store.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_import_professionals(int argc, char **argv);  /* "import professionals" */
int cli_ins(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_subscriber(int argc, char **argv);
int cli_outbox(int argc, char **argv);
int cli_dedupe(int argc, char **argv);
int cli_import_identities(int argc, char **argv);  /* socle import identities */
int cli_match(int argc, char **argv);
int cli_review(int argc, char **argv);
int cli_user(int argc, char **argv);

/* ---- Shared by the subcommands (cli_common.c) -------------------------- */

#define CLI_DEFAULT_DATA "./data"

/* Open (initialising or migrating) the store of a data dir and make sure
 * the GHT domain exists; prints the error and returns NULL on failure. */
store *cli_open_store(const char *data_dir);

/* The actor for administrative commands: "cli:USER", role admin. */
void cli_actor(socle_actor *actor);

/* Print "socle SUBCOMMAND: message" on stderr; returns status. */
int cli_fail(int status, const char *subcommand, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parse "COMMAND ACTION [--data DIR] [--help] ARG..." for the actions whose
 * only option is --data: argv[1] must be action, followed by exactly npos
 * positional arguments (stored in pos). Returns -1 when the caller goes on,
 * else the exit status to return at once (help printed, or usage error). */
int cli_parse_action(int argc, char **argv, const char *action, const char *usage,
                     const char **data, char **pos, int npos);

/* One more --ej FINESS of an account or token limited to establishments:
 * checked (Luhn key) and added to ej[*n], at most max. Returns -1 when the
 * caller goes on, else the exit status to return (the error printed). */
int cli_add_ej(const char *subcommand, const char *finess, char (*ej)[SOCLE_FINESS_MAX],
               size_t *n, size_t max);

/* Reset getopt for a new argument vector. */
void cli_getopt_reset(void);

#endif
