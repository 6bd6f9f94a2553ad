/*
 * socle export identities - the identity repository as CSV on stdout.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/rniv.h"
#include "util/csv.h"

static const char usage[] =
    "usage: socle export identities [--data DIR]\n"
    "\n"
    "Writes every local identity as CSV (UTF-8) on standard output, with the header\n"
    "  domain,ipp,ght_id,status,birth_name,used_name,first_names,birth_date,sex,\n"
    "  birth_place,ins,active,merged_into\n"
    "domain is the EJ's assigning-authority OID, first_names the birth forenames\n"
    "(space-separated), status the RNIV status (PROV, RECUP, VALI, QUAL). Works\n"
    "while the server runs. The export is recorded in the audit trail.\n";

static const char *const columns[] = {
    "domain", "ipp", "ght_id", "status", "birth_name", "used_name", "first_names",
    "birth_date", "sex", "birth_place", "ins", "active", "merged_into",
};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

typedef struct export_ctx {
    store *st;
    id_domain domain;     /* the last domain looked up: rows come by domain */
    int64_t rows;
    socle_err err;
    int failed;
} export_ctx;

static int export_row(const local_identity *li, void *arg)
{
    export_ctx *x = arg;
    if (x->domain.id != li->domain_id
        && store_domain_get(x->st, li->domain_id, &x->domain, &x->err) != 1) {
        x->failed = 1;
        return 1;
    }
    /* A local identity merged away by its source (A40) designates the
     * survivor's patient: its row says so, with the surviving IPP. */
    local_merge_rec merge;
    local_identity survivor;
    int merged = store_local_merge_of(x->st, li->id, &merge, &x->err);
    if (merged > 0 && store_local_get(x->st, merge.survivor_local_id, &survivor, &x->err) != 1)
        merged = -1;
    if (merged < 0) {
        x->failed = 1;
        return 1;
    }
    char ght[24], sex[2] = { li->traits.sex, '\0' };
    snprintf(ght, sizeof ght, "%" PRId64, merged ? survivor.ght_id : li->ght_id);
    const char *values[COLUMN_COUNT] = {
        x->domain.oid, li->ipp, ght, rniv_status_code(li->status), li->traits.birth_name,
        li->traits.used_name, li->traits.forenames, li->traits.birth_date, sex,
        li->traits.birth_place, li->ins, merged ? "0" : "1", merged ? survivor.ipp : "",
    };
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        csv_write_field(stdout, values[i], i + 1 == COLUMN_COUNT);
    x->rows++;
    return 0;
}

static int export_identities(const char *data)
{
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    export_ctx x = { .st = st };
    err_clear(&x.err);
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        csv_write_field(stdout, columns[i], i + 1 == COLUMN_COUNT);
    if (store_local_foreach(st, export_row, &x, &x.err) != 0)
        x.failed = 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        x.failed = 1;
        err_set(&x.err, SOCLE_EIO, "cannot write the export to standard output");
    }

    /* Who took a copy of the repository, and how much of it. */
    socle_actor actor;
    cli_actor(&actor);
    char detail[64];
    snprintf(detail, sizeof detail, "%" PRId64 " identities", x.rows);
    socle_err aerr;
    err_clear(&aerr);
    if (store_begin(st, &aerr) != 0
        || audit_log(st, &actor, "identity.export", "local_identity", NULL,
                     x.failed ? "failure" : "success", detail, &aerr) != 0
        || store_commit(st, &aerr) != 0) {
        store_rollback(st);
        if (!x.failed) {
            x.failed = 1;
            x.err = aerr;
        }
    }
    store_close(st);
    if (x.failed)
        return cli_fail(CLI_FAIL, "export", "%s", x.err.msg);
    return CLI_OK;
}

int cli_export(int argc, char **argv)
{
    const char *data;
    int status = cli_parse_action(argc, argv, "identities", usage, &data, NULL, 0);
    return status >= 0 ? status : export_identities(data);
}
