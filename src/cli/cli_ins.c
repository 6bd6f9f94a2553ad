/*
 * socle ins check VALUE - is an INS matricule well-formed?
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/ins.h"

static const char usage[] =
    "usage: socle ins check VALUE\n"
    "\n"
    "Says whether VALUE is a well-formed 15-character INS matricule (NIR or NIA):\n"
    "length, characters, Corsica 2A/2B, key = 97 - (number mod 97).\n"
    "Exit status: 0 valid, 1 invalid, 2 usage error.\n";

int cli_ins(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc != 3) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    char why[160];
    if (ins_check(argv[2], why, sizeof why)) {
        printf("%s: valid\n", argv[2]);
        return CLI_OK;
    }
    printf("%s: invalid: %s\n", argv[2], why);
    return CLI_FAIL;
}
