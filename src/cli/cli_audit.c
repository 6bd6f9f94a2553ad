/*
 * socle audit verify|list - the access trace.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

static const char usage[] =
    "usage: socle audit verify [--data DIR]\n"
    "       socle audit list [--data DIR] [--from SEQ] [--limit N]\n"
    "\n"
    "verify  checks the hash chain of the audit trail; exit 1 and the first\n"
    "        broken record if it was altered.\n"
    "list    prints records, one per line, tab-separated: seq, at, actor, role,\n"
    "        action, object_type, object_id, outcome, detail.\n";

typedef struct list_ctx {
    long limit;
    long printed;
} list_ctx;

/* Tabs and line breaks inside a field would break the one-line format. */
static void print_field(const char *s, int last)
{
    for (; *s; s++)
        putchar((*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
    putchar(last ? '\n' : '\t');
}

static int print_record(const audit_record *r, void *ctx)
{
    list_ctx *l = ctx;
    if (l->limit >= 0 && l->printed >= l->limit)
        return 1;
    printf("%" PRId64 "\t", r->seq);
    print_field(r->at, 0);
    print_field(r->actor, 0);
    print_field(r->role, 0);
    print_field(r->action, 0);
    print_field(r->object_type, 0);
    print_field(r->object_id, 0);
    print_field(r->outcome, 0);
    print_field(r->detail, 1);
    l->printed++;
    return 0;
}

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0)
        return -1;
    *out = v;
    return 0;
}

int cli_audit(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    int verify = strcmp(argv[1], "verify") == 0;
    if (!verify && strcmp(argv[1], "list") != 0) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }

    const char *data = CLI_DEFAULT_DATA;
    long from = 1, limit = -1;
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "from", required_argument, NULL, 'f' },
        { "limit", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'f':
            if (verify || parse_long(optarg, &from) != 0)
                return cli_fail(CLI_USAGE, "audit", "--from takes a record number (list only)");
            break;
        case 'l':
            if (verify || parse_long(optarg, &limit) != 0)
                return cli_fail(CLI_USAGE, "audit", "--limit takes a number (list only)");
            break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default:  fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }

    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    int status = CLI_OK;
    if (verify) {
        audit_verify_result res;
        if (audit_verify(st, &res, &err) != 0) {
            status = cli_fail(CLI_FAIL, "audit", "%s", err.msg);
        } else if (res.first_broken != 0) {
            printf("audit chain broken at record %" PRId64 ": %s\n", res.first_broken,
                   res.reason);
            status = CLI_FAIL;
        } else {
            printf("audit chain intact: %" PRId64 " records\n", res.records);
        }
    } else {
        list_ctx l = { .limit = limit };
        if (store_audit_foreach(st, from, print_record, &l, &err) != 0)
            status = cli_fail(CLI_FAIL, "audit", "%s", err.msg);
    }
    store_close(st);
    return status;
}
