/*
 * socle export identities|stays - the identity repository, or the stays,
 * as CSV on stdout.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/rniv.h"
#include "core/stay.h"
#include "util/csv.h"

static const char usage[] =
    "usage: socle export identities [--data DIR]\n"
    "       socle export stays [--data DIR]\n"
    "\n"
    "Writes every local identity as CSV (UTF-8) on standard output, with the header\n"
    "  domain,ipp,ght_id,status,birth_name,used_name,first_names,birth_date,sex,\n"
    "  birth_place,ins,active,merged_into\n"
    "domain is the EJ's assigning-authority OID, first_names the birth forenames\n"
    "(space-separated), status the RNIV status (PROV, RECUP, VALI, QUAL). Works\n"
    "while the server runs. The export is recorded in the audit trail.\n"
    "\n"
    "export stays writes every stay with the header\n"
    "  domain,nda,ipp,status,class,admit,discharge,current_uf,current_room,\n"
    "  current_bed,movements\n"
    "nda is PID-18, or the visit number when none was sent; status planned,\n"
    "in-progress, finished or cancelled; admit and discharge ISO 8601; current_*\n"
    "the structure codes of the current location; movements the movements that\n"
    "stand (not cancelled; pre-admissions and cancellations not counted).\n";

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

/* What one export is: its columns, how rows are walked, how it is audited. */
typedef struct export_kind {
    const char *const *columns;
    size_t n_columns;
    int (*walk)(store *st, export_ctx *x);
    const char *action;        /* audit action, e.g. "identity.export" */
    const char *object_type;
    const char *unit;          /* "identities" in the audit detail */
} export_kind;

/* Write the header and every row to stdout, then audit who took the copy
 * and how much of it (a failed export too). */
static int run_export(const char *data, const export_kind *k)
{
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    export_ctx x = { .st = st };
    err_clear(&x.err);
    for (size_t i = 0; i < k->n_columns; i++)
        csv_write_field(stdout, k->columns[i], i + 1 == k->n_columns);
    if (k->walk(st, &x) != 0)
        x.failed = 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        x.failed = 1;
        err_set(&x.err, SOCLE_EIO, "cannot write the export to standard output");
    }

    socle_actor actor;
    cli_actor(&actor);
    char detail[64];
    snprintf(detail, sizeof detail, "%" PRId64 " %s", x.rows, k->unit);
    socle_err aerr;
    err_clear(&aerr);
    if (store_begin(st, &aerr) != 0
        || audit_log(st, &actor, k->action, k->object_type, NULL,
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

static int walk_identities(store *st, export_ctx *x)
{
    return store_local_foreach(st, export_row, x, &x->err);
}

static int export_identities(const char *data)
{
    static const export_kind k = { columns, COLUMN_COUNT, walk_identities,
                                   "identity.export", "local_identity", "identities" };
    return run_export(data, &k);
}

/* ---- Stays ------------------------------------------------------------ */

static const char *const stay_columns[] = {
    "domain", "nda", "ipp", "status", "class", "admit", "discharge", "current_uf",
    "current_room", "current_bed", "movements",
};
#define STAY_COLUMN_COUNT (sizeof stay_columns / sizeof stay_columns[0])

static int export_stay_row(const stay_record *s, void *arg)
{
    export_ctx *x = arg;
    if (x->domain.id != s->domain_id
        && store_domain_get(x->st, s->domain_id, &x->domain, &x->err) != 1) {
        x->failed = 1;
        return 1;
    }
    local_identity li;
    int64_t n = 0;
    if (store_local_get(x->st, s->local_id, &li, &x->err) != 1
        || store_movement_count_stay(x->st, s->id, &n, &x->err) != 0) {
        x->failed = 1;
        return 1;
    }
    char count[24];
    snprintf(count, sizeof count, "%" PRId64, n);
    const char *values[STAY_COLUMN_COUNT] = {
        x->domain.oid, s->nda, li.ipp, stay_status_code(s->status), s->stay_class,
        s->admit_at, s->discharge_at, s->location.uf, s->location.room, s->location.bed,
        count,
    };
    for (size_t i = 0; i < STAY_COLUMN_COUNT; i++)
        csv_write_field(stdout, values[i], i + 1 == STAY_COLUMN_COUNT);
    x->rows++;
    return 0;
}

static int walk_stays(store *st, export_ctx *x)
{
    return store_stay_foreach(st, export_stay_row, x, &x->err);
}

static int export_stays(const char *data)
{
    static const export_kind k = { stay_columns, STAY_COLUMN_COUNT, walk_stays,
                                   "stay.export", "stay", "stays" };
    return run_export(data, &k);
}

int cli_export(int argc, char **argv)
{
    const char *data;
    if (argc >= 2 && strcmp(argv[1], "stays") == 0) {
        int status = cli_parse_action(argc, argv, "stays", usage, &data, NULL, 0);
        return status >= 0 ? status : export_stays(data);
    }
    int status = cli_parse_action(argc, argv, "identities", usage, &data, NULL, 0);
    return status >= 0 ? status : export_identities(data);
}
