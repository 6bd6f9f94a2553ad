/*
 * socle import structures - load the structures repository from CSV.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/structure.h"
#include "util/buf.h"
#include "util/array.h"
#include "util/csv.h"

static const char usage[] =
    "usage: socle import structures [--data DIR] FILE.csv\n"
    "\n"
    "Imports the group's structures, all or nothing, in one transaction.\n"
    "Columns (UTF-8, with this header):\n"
    "  kind,code,label,parent_code,finess,oid,valid_from,valid_to\n"
    "kind: EJ, EG, POLE, SERVICE, UF, CHAMBRE or LIT. Codes are unique in the\n"
    "repository; a parent comes before its children. EJ and EG need a FINESS;\n"
    "an EJ needs the OID of its IPP domain. Dates are YYYY-MM-DD or empty.\n"
    "A bad line is reported as FILE:LINE: reason and nothing is imported.\n"
    "Importing the same file again changes nothing.\n";

static const char *const columns[] = {
    "kind", "code", "label", "parent_code", "finess", "oid", "valid_from", "valid_to",
};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

/* The nodes read, each with its line in the file (for the errors). */
typedef struct node_list {
    structure_node *nodes;
    unsigned long *lines;
    size_t len, cap, lines_cap;
} node_list;

static structure_node *node_list_push(node_list *l, unsigned long line)
{
    l->lines = array_grow(l->lines, &l->lines_cap, l->len, sizeof *l->lines);
    l->lines[l->len] = line;
    structure_node *n = ARRAY_PUSH(l->nodes, l->len, l->cap);
    memset(n, 0, sizeof *n);
    return n;
}

static int read_nodes(csv_reader *r, node_list *list, socle_err *err)
{
    if (csv_read_header(r, columns, COLUMN_COUNT, err) != 0)
        return -1;
    int rc;

    while ((rc = csv_next(r, err)) == 1) {
        if (csv_field_count(r) != COLUMN_COUNT)
            return csv_error(r, err, SOCLE_EINVAL, "expected %zu fields, found %zu",
                             COLUMN_COUNT, csv_field_count(r));
        structure_node *n = node_list_push(list, csv_line(r));
        if (structure_kind_parse(csv_field(r, 0), &n->kind) != 0)
            return csv_error(r, err, SOCLE_EINVAL,
                             "unknown kind '%s' (expected EJ, EG, POLE, SERVICE, UF, CHAMBRE or LIT)",
                             csv_field(r, 0));
        if (csv_copy_field(r, columns, 1, n->code, sizeof n->code, err) != 0
            || csv_copy_field(r, columns, 2, n->label, sizeof n->label, err) != 0
            || csv_copy_field(r, columns, 3, n->parent_code, sizeof n->parent_code, err) != 0
            || csv_copy_field(r, columns, 4, n->finess, sizeof n->finess, err) != 0
            || csv_copy_field(r, columns, 5, n->oid, sizeof n->oid, err) != 0
            || csv_copy_field(r, columns, 6, n->valid_from, sizeof n->valid_from, err) != 0
            || csv_copy_field(r, columns, 7, n->valid_to, sizeof n->valid_to, err) != 0)
            return -1;
    }
    return rc < 0 ? -1 : 0;
}

static int import_structures(const char *data, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cli_fail(CLI_FAIL, "import", "%s: %s", path, strerror(errno));

    node_list list = { 0 };
    socle_err err;
    err_clear(&err);
    csv_reader *r = csv_reader_new(f, path);
    int rc = read_nodes(r, &list, &err);
    csv_reader_free(r);
    fclose(f);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        free(list.nodes);
        free(list.lines);
        return CLI_FAIL;
    }

    int status = CLI_FAIL;
    store *st = cli_open_store(data);
    if (st != NULL) {
        socle_actor actor;
        cli_actor(&actor);
        structure_import_result res;
        if (structure_import(st, &actor, list.nodes, list.len, &res, &err) == 0) {
            printf("%s: %zu records: %zu inserted, %zu updated, %zu unchanged\n", path,
                   res.records, res.inserted, res.updated, res.unchanged);
            status = CLI_OK;
        } else if (res.failed_index < list.len && err.code != SOCLE_EIO
                   && err.code != SOCLE_EBUSY) {
            fprintf(stderr, "%s:%lu: %s\n", path, list.lines[res.failed_index], err.msg);
        } else {
            fprintf(stderr, "socle import: %s\n", err.msg);
        }
        store_close(st);
    }
    free(list.nodes);
    free(list.lines);
    return status;
}

int cli_import(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "professionals") == 0)
        return cli_import_professionals(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "identities") == 0)
        return cli_import_identities(argc, argv);
    const char *data;
    char *file;
    int status = cli_parse_action(argc, argv, "structures", usage, &data, &file, 1);
    return status >= 0 ? status : import_structures(data, file);
}
