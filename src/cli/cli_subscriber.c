/*
 * socle subscriber add|list|remove - the applications that receive identity
 * notifications; socle outbox list - the notifications queued for them.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/notify.h"
#include "util/timeutil.h"

static const char usage[] =
    "usage: socle subscriber add [--data DIR] --name NAME --host HOST --port PORT\n"
    "                            [--events A28,A31,A40] [--ej FINESS]\n"
    "       socle subscriber list [--data DIR]\n"
    "       socle subscriber remove [--data DIR] --name NAME\n"
    "\n"
    "Applications that receive the GHT's identity changes as HL7 v2 PAM FR\n"
    "messages over MLLP, sent by `socle serve` from a durable outbox.\n"
    "\n"
    "  --name NAME      unique name (letters, digits, '-', '_', '.'); it is also\n"
    "                   the receiving application (MSH-5) of its messages\n"
    "  --host HOST      address or host name of its MLLP listener\n"
    "  --port PORT      its port (1-65535)\n"
    "  --events LIST    the events it wants, among A28 (new patient), A31\n"
    "                   (update) and A40 (merge); default: all\n"
    "  --ej FINESS      only patients with an IPP in this EJ (its FINESS)\n"
    "\n"
    "list prints one subscriber per line, tab-separated: name, host, port,\n"
    "active, events, ej (\"all\" when unfiltered). remove deletes the\n"
    "subscriber; its notifications still waiting are marked failed.\n";

static const char outbox_usage[] =
    "usage: socle outbox list [--data DIR] [--state pending|sent|failed]\n"
    "\n"
    "Prints the notifications of the outbox, oldest first, one per line,\n"
    "tab-separated: id, subscriber, event, ght_id, state, attempts, created_at,\n"
    "next_attempt_at (pending) or sent_at (sent), last_error.\n";

static const char *const known_events[] = { "A28", "A31", "A40" };

static int valid_name(const char *s)
{
    if (s[0] == '\0' || strlen(s) >= SOCLE_CODE_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')
              || *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static int valid_host(const char *s)
{
    if (s[0] == '\0' || strlen(s) >= SOCLE_LABEL_MAX)
        return 0;
    for (; *s; s++)
        if (*s <= ' ' || *s == '/' || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

/* Check and normalise "A28, a31" into "A28,A31". */
static int parse_events(const char *in, char *out, size_t n)
{
    buf b = { 0 };
    int ok = 1;
    const char *p = in;
    while (ok) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && *p == ' ') {
            p++;
            len--;
        }
        while (len > 0 && p[len - 1] == ' ')
            len--;
        char ev[4] = { 0 };
        if (len == 3)
            for (size_t i = 0; i < 3; i++)
                ev[i] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 'a' + 'A' : p[i]);
        int known = 0;
        for (size_t i = 0; i < sizeof known_events / sizeof known_events[0]; i++)
            known |= strcmp(ev, known_events[i]) == 0;
        if (!known) {
            ok = 0;
            break;
        }
        if (!notify_events_accept(buf_cstr(&b), ev) || b.len == 0) {
            if (b.len > 0)
                buf_putc(&b, ',');
            buf_puts(&b, ev);
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    if (ok && str_copy(out, n, buf_cstr(&b)) != 0)
        ok = 0;
    buf_free(&b);
    return ok ? 0 : -1;
}

static int audit_change(store *st, const char *action, const char *name, const char *detail,
                        socle_err *err)
{
    socle_actor actor;
    cli_actor(&actor);
    return audit_log(st, &actor, action, "subscriber", name, "success", detail, err);
}

static int add(const char *data, subscriber *sub)
{
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    int status = CLI_OK;
    if (store_begin(st, &err) != 0) {
        status = cli_fail(CLI_FAIL, "subscriber", "%s", err.msg);
        goto out;
    }
    if (sub->ej_finess[0] != '\0') {
        structure_node ej;
        int found = store_structure_find_finess(st, STRUCTURE_EJ, sub->ej_finess, &ej, &err);
        if (found <= 0) {
            store_rollback(st);
            status = found < 0 ? cli_fail(CLI_FAIL, "subscriber", "%s", err.msg)
                               : cli_fail(CLI_FAIL, "subscriber", "--ej %s: no EJ has this "
                                          "FINESS (import the structures first)", sub->ej_finess);
            goto out;
        }
    }
    char detail[SOCLE_LABEL_MAX + sizeof sub->events + 64];
    snprintf(detail, sizeof detail, "%s:%d events=%s ej=%s", sub->host, sub->port,
             sub->events[0] ? sub->events : "all", sub->ej_finess[0] ? sub->ej_finess : "all");
    if (store_subscriber_insert(st, sub, &err) != 0
        || audit_change(st, "subscriber.add", sub->name, detail, &err) != 0
        || store_commit(st, &err) != 0) {
        store_rollback(st);
        if (err.code == SOCLE_ECONFLICT)
            status = cli_fail(CLI_FAIL, "subscriber", "a subscriber named '%s' exists already",
                              sub->name);
        else
            status = cli_fail(CLI_FAIL, "subscriber", "%s", err.msg);
        goto out;
    }
    printf("subscriber %s added: %s:%d\n", sub->name, sub->host, sub->port);
out:
    store_close(st);
    return status;
}

static int remove_one(const char *data, const char *name)
{
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    char at[TIME_ISO_MAX];
    time_now_iso(at);
    int status = CLI_OK, found = 0;
    if (store_begin(st, &err) != 0
        || (found = store_subscriber_remove(st, name, at, &err)) < 0
        || (found && audit_change(st, "subscriber.remove", name, NULL, &err) != 0)
        || store_commit(st, &err) != 0) {
        store_rollback(st);
        status = cli_fail(CLI_FAIL, "subscriber", "%s", err.msg);
    } else if (!found) {
        status = cli_fail(CLI_FAIL, "subscriber", "no subscriber named '%s'", name);
    } else {
        printf("subscriber %s removed\n", name);
    }
    store_close(st);
    return status;
}

static int print_subscriber(const subscriber *s, void *ctx)
{
    (void)ctx;
    printf("%s\t%s\t%d\t%s\t%s\t%s\n", s->name, s->host, s->port,
           s->active ? "active" : "inactive", s->events[0] ? s->events : "all",
           s->ej_finess[0] ? s->ej_finess : "all");
    return 0;
}

static int list(const char *data)
{
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    int status = CLI_OK;
    if (store_subscriber_foreach(st, 0, print_subscriber, NULL, &err) != 0)
        status = cli_fail(CLI_FAIL, "subscriber", "%s", err.msg);
    store_close(st);
    return status;
}

int cli_subscriber(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    enum { ADD, LIST, REMOVE } action;
    if (strcmp(argv[1], "add") == 0)
        action = ADD;
    else if (strcmp(argv[1], "list") == 0)
        action = LIST;
    else if (strcmp(argv[1], "remove") == 0)
        action = REMOVE;
    else {
        fputs(usage, stderr);
        return CLI_USAGE;
    }

    const char *data = CLI_DEFAULT_DATA;
    subscriber sub;
    memset(&sub, 0, sizeof sub);
    sub.active = 1;
    int have_name = 0, have_host = 0, have_port = 0;
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "name", required_argument, NULL, 'n' },
        { "host", required_argument, NULL, 'H' },
        { "port", required_argument, NULL, 'p' },
        { "events", required_argument, NULL, 'e' },
        { "ej", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (c != 'd' && c != 'h' && c != '?' && (action == LIST || (action == REMOVE && c != 'n')))
            return cli_fail(CLI_USAGE, "subscriber", "%s takes only --data%s", argv[1],
                            action == REMOVE ? " and --name" : "");
        switch (c) {
        case 'd': data = optarg; break;
        case 'n':
            if (!valid_name(optarg))
                return cli_fail(CLI_USAGE, "subscriber", "--name: '%s' is not a name (1 to 63 "
                                "letters, digits, '-', '_', '.')", optarg);
            str_copy(sub.name, sizeof sub.name, optarg);
            have_name = 1;
            break;
        case 'H':
            if (!valid_host(optarg))
                return cli_fail(CLI_USAGE, "subscriber", "--host: '%s' is not a host", optarg);
            str_copy(sub.host, sizeof sub.host, optarg);
            have_host = 1;
            break;
        case 'p': {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || v < 1 || v > 65535)
                return cli_fail(CLI_USAGE, "subscriber", "--port: '%s' is not a port (1-65535)",
                                optarg);
            sub.port = (int)v;
            have_port = 1;
            break;
        }
        case 'e':
            if (parse_events(optarg, sub.events, sizeof sub.events) != 0)
                return cli_fail(CLI_USAGE, "subscriber", "--events: '%s' is not a list of "
                                "A28, A31, A40", optarg);
            break;
        case 'j':
            if (strlen(optarg) != 9)
                return cli_fail(CLI_USAGE, "subscriber", "--ej: '%s' is not a FINESS "
                                "(9 characters)", optarg);
            str_copy(sub.ej_finess, sizeof sub.ej_finess, optarg);
            break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default:  fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    switch (action) {
    case ADD:
        if (!have_name || !have_host || !have_port)
            return cli_fail(CLI_USAGE, "subscriber", "add needs --name, --host and --port");
        return add(data, &sub);
    case REMOVE:
        if (!have_name)
            return cli_fail(CLI_USAGE, "subscriber", "remove needs --name");
        return remove_one(data, sub.name);
    case LIST:
        break;
    }
    return list(data);
}

/* ---- socle outbox list ------------------------------------------------ */

static void print_clean(const char *s, int last)
{
    for (; *s; s++)
        putchar((*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
    putchar(last ? '\n' : '\t');
}

static int print_row(const outbox_row *r, void *ctx)
{
    (void)ctx;
    printf("%" PRId64 "\t%s\t%s\t%" PRId64 "\t%s\t%d\t%s\t%s\t", r->id, r->subscriber, r->event,
           r->ght_id, outbox_state_name(r->state), r->attempts, r->created_at,
           r->state == OUTBOX_PENDING ? r->next_attempt_at
           : r->state == OUTBOX_SENT ? r->sent_at : "");
    print_clean(r->last_error, 1);
    return 0;
}

int cli_outbox(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(outbox_usage, stdout);
        return CLI_OK;
    }
    if (argc < 2 || strcmp(argv[1], "list") != 0) {
        fputs(outbox_usage, stderr);
        return CLI_USAGE;
    }
    const char *data = CLI_DEFAULT_DATA;
    int state = -1;
    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "state", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 's':
            state = -1;
            for (int i = OUTBOX_PENDING; i <= OUTBOX_FAILED; i++)
                if (strcmp(optarg, outbox_state_name((outbox_state)i)) == 0)
                    state = i;
            if (state < 0)
                return cli_fail(CLI_USAGE, "outbox", "--state: '%s' is not pending, sent or "
                                "failed", optarg);
            break;
        case 'h': fputs(outbox_usage, stdout); return CLI_OK;
        default:  fputs(outbox_usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(outbox_usage, stderr);
        return CLI_USAGE;
    }
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    int status = CLI_OK;
    if (store_outbox_foreach(st, state, print_row, NULL, &err) != 0)
        status = cli_fail(CLI_FAIL, "outbox", "%s", err.msg);
    store_close(st);
    return status;
}
