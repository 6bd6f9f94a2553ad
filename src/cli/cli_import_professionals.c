/*
 * socle import professionals - load the professional directory from a CSV
 * extract of the national directory (a documented subset of its columns).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/professional.h"
#include "util/buf.h"
#include "util/array.h"
#include "util/csv.h"

static const char usage[] =
    "usage: socle import professionals [--data DIR] FILE.csv\n"
    "\n"
    "Imports health professionals and their roles in the group's establishments,\n"
    "all or nothing, in one transaction. Columns (UTF-8, with this header), one\n"
    "line per role, taken from the national directory extract:\n"
    "  id_type,id,civility,family,given,profession_code,profession_label,\n"
    "  specialty_code,specialty_label,ej_finess,role\n"
    "id_type: RPPS (id: 11 digits) or ADELI (9). civility: the civility code of\n"
    "practice (M, MME, DR, PR...). family/given: names of practice. profession:\n"
    "TRE_G15 code and label (10 = Médecin). specialty: savoir-faire code and label,\n"
    "may be empty. ej_finess: FINESS of an EJ or EG already imported (the role is\n"
    "the EJ's). role: role code of the extract, may be empty.\n"
    "A bad line is reported as FILE:LINE: reason and nothing is imported.\n"
    "Importing the same file again changes nothing.\n";

static const char *const columns[] = {
    "id_type", "id", "civility", "family", "given", "profession_code", "profession_label",
    "specialty_code", "specialty_label", "ej_finess", "role",
};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

/* The entries read, each with its line in the file (for the errors). */
typedef struct entry_list {
    professional_entry *v;
    unsigned long *lines;
    size_t len, cap, lines_cap;
} entry_list;

static professional_entry *push(entry_list *l, unsigned long line)
{
    l->lines = array_grow(l->lines, &l->lines_cap, l->len, sizeof *l->lines);
    l->lines[l->len] = line;
    professional_entry *e = ARRAY_PUSH(l->v, l->len, l->cap);
    memset(e, 0, sizeof *e);
    return e;
}

static int read_entries(csv_reader *r, entry_list *list, socle_err *err)
{
    if (csv_read_header(r, columns, COLUMN_COUNT, err) != 0)
        return -1;
    int rc;
    while ((rc = csv_next(r, err)) == 1) {
        if (csv_field_count(r) != COLUMN_COUNT)
            return csv_error(r, err, SOCLE_EINVAL, "expected %zu fields, found %zu",
                             COLUMN_COUNT, csv_field_count(r));
        professional_entry *e = push(list, csv_line(r));
        if (professional_id_type_parse(csv_field(r, 0), &e->pro.id_type) != 0)
            return csv_error(r, err, SOCLE_EINVAL, "unknown id_type '%s' (RPPS or ADELI)",
                             csv_field(r, 0));
        if (csv_copy_field(r, columns, 1, e->pro.id_value, sizeof e->pro.id_value, err) != 0
            || csv_copy_field(r, columns, 2, e->pro.civility, sizeof e->pro.civility, err) != 0
            || csv_copy_field(r, columns, 3, e->pro.family, sizeof e->pro.family, err) != 0
            || csv_copy_field(r, columns, 4, e->pro.given, sizeof e->pro.given, err) != 0
            || csv_copy_field(r, columns, 5, e->role.profession_code, sizeof e->role.profession_code,
                          err) != 0
            || csv_copy_field(r, columns, 6, e->role.profession_label, sizeof e->role.profession_label,
                          err) != 0
            || csv_copy_field(r, columns, 7, e->role.specialty_code, sizeof e->role.specialty_code,
                          err) != 0
            || csv_copy_field(r, columns, 8, e->role.specialty_label, sizeof e->role.specialty_label,
                          err) != 0
            || csv_copy_field(r, columns, 9, e->ej_finess, sizeof e->ej_finess, err) != 0
            || csv_copy_field(r, columns, 10, e->role.role, sizeof e->role.role, err) != 0)
            return -1;
    }
    return rc < 0 ? -1 : 0;
}

int cli_import_professionals(int argc, char **argv)
{
    const char *data;
    char *path;
    int status = cli_parse_action(argc, argv, "professionals", usage, &data, &path, 1);
    if (status >= 0)
        return status;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cli_fail(CLI_FAIL, "import", "%s: %s", path, strerror(errno));
    entry_list list = { 0 };
    socle_err err;
    err_clear(&err);
    csv_reader *r = csv_reader_new(f, path);
    int rc = read_entries(r, &list, &err);
    csv_reader_free(r);
    fclose(f);
    status = CLI_FAIL;
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        goto out;
    }
    store *st = cli_open_store(data);
    if (st == NULL)
        goto out;
    socle_actor actor;
    cli_actor(&actor);
    professional_import_result res;
    if (professional_import(st, &actor, list.v, list.len, &res, &err) == 0) {
        printf("%s: %zu records: professionals %zu inserted, %zu updated, %zu unchanged; "
               "roles %zu inserted, %zu updated, %zu unchanged\n", path, res.records,
               res.inserted, res.updated, res.unchanged, res.roles_inserted,
               res.roles_updated, res.roles_unchanged);
        status = CLI_OK;
    } else if (res.failed_index < list.len && err.code != SOCLE_EIO
               && err.code != SOCLE_EBUSY) {
        fprintf(stderr, "%s:%lu: %s\n", path, list.lines[res.failed_index], err.msg);
    } else {
        fprintf(stderr, "socle import: %s\n", err.msg);
    }
    store_close(st);
out:
    free(list.v);
    free(list.lines);
    return status;
}
