/*
 * socle import identities - load an establishment extract of identities
 * (the `socle dedupe` input format), optionally grouped by the clusters
 * `socle dedupe` found.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/identity.h"
#include "core/ins.h"
#include "core/rniv.h"
#include "util/buf.h"
#include "util/csv.h"

static const char usage[] =
    "usage: socle import identities [--data DIR] --in records.csv [--clusters clusters.csv]\n"
    "\n"
    "Loads local identities, all or nothing per file: every line is checked\n"
    "first (a bad line is reported as FILE:LINE: reason and nothing is\n"
    "imported), then the identities are written in transactions of 10000.\n"
    "Columns (UTF-8, with this header, as for socle dedupe):\n"
    "  source,local_id,birth_name,used_name,first_names,birth_date,sex,birth_place,ins\n"
    "source designates the establishment: the OID of its IPP domain, else the\n"
    "FINESS of the EJ, else the EJ's structure code. local_id is the IPP.\n"
    "birth_name, first_names and birth_date are required; an INS is taken as\n"
    "verified by INSi at the source (dropped with a warning when invalid).\n"
    "With --clusters (socle dedupe's output: source,local_id,cluster_id) the\n"
    "records of one cluster share one GHT identity; without it, each record\n"
    "goes through the real-time matching.\n";

static const char *const columns[] = {
    "source", "local_id", "birth_name", "used_name", "first_names", "birth_date", "sex",
    "birth_place", "ins",
};
#define NCOL 9
#define BATCH 10000

/* ---- A string -> integer map (sources, record keys) -------------------- */

typedef struct smap {
    char **keys;
    int64_t *vals;
    size_t cap, n;
} smap;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int64_t *smap_slot(smap *m, const char *key, int create)
{
    if (create && (m->n + 1) * 2 > m->cap) {
        smap old = *m;
        m->cap = old.cap ? old.cap * 2 : 1024;
        m->keys = calloc(m->cap, sizeof *m->keys);
        m->vals = calloc(m->cap, sizeof *m->vals);
        if (m->keys == NULL || m->vals == NULL)
            abort();  /* out of memory */
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i] != NULL) {
                *smap_slot(m, old.keys[i], 1) = old.vals[i];
                free(old.keys[i]);
            }
        free(old.keys);
        free(old.vals);
    }
    if (m->cap == 0)
        return NULL;
    for (size_t i = fnv(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == NULL) {
            if (!create)
                return NULL;
            if ((m->keys[i] = strdup(key)) == NULL)
                abort();
            m->n++;
            m->vals[i] = 0;
            return &m->vals[i];
        }
        if (strcmp(m->keys[i], key) == 0)
            return &m->vals[i];
    }
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
}

/* ---- Reading ---------------------------------------------------------- */

typedef struct rec_list {
    identity_input *v;
    int64_t *cluster;     /* per record: cluster number, 0 none */
    size_t n, cap;
    smap index;           /* "source|local_id" -> record number + 1 */
} rec_list;

/* The domain OID of a source: a domain OID, an EJ FINESS or an EJ code.
 * Resolved once per source (the lines of an extract interleave them). */
typedef struct source_cache {
    smap index;                       /* source -> position + 1 in oids */
    char (*oids)[SOCLE_OID_MAX];
    size_t n;
} source_cache;

static int resolve_source(store *st, source_cache *c, const char *src, char *oid, size_t n,
                          socle_err *err)
{
    int64_t *known = smap_slot(&c->index, src, 0);
    if (known != NULL) {
        str_copy(oid, n, c->oids[*known - 1]);
        return 1;
    }
    id_domain d;
    int found = identity_domain_find(st, src, NULL, &d, err);
    if (found == 0)
        found = identity_domain_find(st, NULL, src, &d, err);
    if (found == 0) {
        structure_node ej;
        found = store_structure_find(st, src, &ej, err);
        if (found > 0)
            found = ej.kind == STRUCTURE_EJ ? store_domain_find_structure(st, ej.id, &d, err)
                                            : 0;
    }
    if (found > 0) {
        str_copy(oid, n, d.oid);
        c->oids = realloc(c->oids, (c->n + 1) * sizeof *c->oids);
        if (c->oids == NULL)
            abort();  /* out of memory */
        str_copy(c->oids[c->n++], SOCLE_OID_MAX, d.oid);
        *smap_slot(&c->index, src, 1) = (int64_t)c->n;
    }
    return found;
}

static int copy(csv_reader *r, size_t i, char *dst, size_t n, socle_err *err)
{
    if (str_copy(dst, n, csv_field(r, i)) != 0)
        return csv_error(r, err, SOCLE_EINVAL, "%s is too long", columns[i]);
    return 0;
}

static int read_records(store *st, FILE *f, const char *name, rec_list *l, socle_err *err)
{
    csv_reader *r = csv_reader_new(f, name);
    source_cache sources = { 0 };
    char last_src[SOCLE_OID_MAX * 2] = "", last_oid[SOCLE_OID_MAX] = "";
    int rc = csv_next(r, err);
    if (rc == 0)
        rc = err_set(err, SOCLE_EINVAL, "%s:1: empty file", name);
    else if (rc > 0)
        rc = csv_expect_header(r, columns, NCOL, err);
    while (rc == 0 && (rc = csv_next(r, err)) == 1) {
        rc = -1;
        if (csv_field_count(r) != NCOL) {
            csv_error(r, err, SOCLE_EINVAL, "expected %d fields, found %zu", NCOL,
                      csv_field_count(r));
            break;
        }
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 4096;
            l->v = realloc(l->v, l->cap * sizeof *l->v);
            l->cluster = realloc(l->cluster, l->cap * sizeof *l->cluster);
            if (l->v == NULL || l->cluster == NULL)
                abort();  /* out of memory */
        }
        identity_input *in = &l->v[l->n];
        memset(in, 0, sizeof *in);
        l->cluster[l->n] = 0;
        const char *src = csv_field(r, 0);
        if (src[0] == '\0' || csv_field(r, 1)[0] == '\0') {
            csv_error(r, err, SOCLE_EINVAL, "source and local_id are required");
            break;
        }
        if (strcmp(src, last_src) != 0) {
            int found = resolve_source(st, &sources, src, last_oid, sizeof last_oid, err);
            if (found < 0)
                break;
            if (!found) {
                csv_error(r, err, SOCLE_ENOTFOUND, "source %s: no establishment has this "
                          "domain OID, FINESS or code", src);
                break;
            }
            str_copy(last_src, sizeof last_src, src);
        }
        str_copy(in->domain_oid, sizeof in->domain_oid, last_oid);
        identity_traits *t = &in->traits;
        const char *sex = csv_field(r, 6);
        if (copy(r, 1, in->ipp, sizeof in->ipp, err) != 0
            || copy(r, 2, t->birth_name, sizeof t->birth_name, err) != 0
            || copy(r, 3, t->used_name, sizeof t->used_name, err) != 0
            || copy(r, 4, t->forenames, sizeof t->forenames, err) != 0
            || copy(r, 5, t->birth_date, sizeof t->birth_date, err) != 0
            || copy(r, 7, t->birth_place, sizeof t->birth_place, err) != 0
            || copy(r, 8, in->ins, sizeof in->ins, err) != 0)
            break;
        size_t first = strcspn(t->forenames, " ");
        if (first >= sizeof t->first_forename)
            first = sizeof t->first_forename - 1;
        memcpy(t->first_forename, t->forenames, first);
        t->first_forename[first] = '\0';
        t->sex = (sex[0] == 'M' || sex[0] == 'F') && sex[1] == '\0' ? sex[0] : 'U';
        if (in->ins[0] != '\0') {
            str_copy(in->ins_oid, sizeof in->ins_oid, INS_OID_NIR);
            in->insi_verified = 1;
        }
        socle_err v;
        err_clear(&v);
        if (rniv_traits_validate(t, &v) != 0) {
            csv_error(r, err, SOCLE_EINVAL, "%s", v.msg);
            break;
        }
        char key[SOCLE_OID_MAX * 2 + SOCLE_CODE_MAX + 2];
        snprintf(key, sizeof key, "%s|%s", src, in->ipp);
        int64_t *slot = smap_slot(&l->index, key, 1);
        if (*slot != 0) {
            csv_error(r, err, SOCLE_ECONFLICT, "%s %s appears twice in the file", src, in->ipp);
            break;
        }
        *slot = (int64_t)++l->n;
        rc = 0;
    }
    csv_reader_free(r);
    smap_free(&sources.index);
    free(sources.oids);
    return rc < 0 ? -1 : 0;
}

/* Give each record its cluster number from a `socle dedupe` output. */
static int read_clusters(FILE *f, const char *name, rec_list *l, socle_err *err)
{
    static const char *const ccols[] = { "source", "local_id", "cluster_id" };
    csv_reader *r = csv_reader_new(f, name);
    int rc = csv_next(r, err);
    if (rc == 0)
        rc = err_set(err, SOCLE_EINVAL, "%s:1: empty file", name);
    else if (rc > 0)
        rc = csv_expect_header(r, ccols, 3, err);
    while (rc == 0 && (rc = csv_next(r, err)) == 1) {
        rc = -1;
        char *end;
        long long c = strtoll(csv_field(r, 2), &end, 10);
        if (csv_field_count(r) != 3 || *end != '\0' || c <= 0) {
            csv_error(r, err, SOCLE_EINVAL, "expected source,local_id,cluster_id with a "
                      "positive cluster number");
            break;
        }
        char key[SOCLE_OID_MAX * 2 + SOCLE_CODE_MAX + 2];
        snprintf(key, sizeof key, "%s|%s", csv_field(r, 0), csv_field(r, 1));
        int64_t *slot = smap_slot(&l->index, key, 0);
        if (slot == NULL) {
            csv_error(r, err, SOCLE_EINVAL, "%s %s is not in the records file",
                      csv_field(r, 0), csv_field(r, 1));
            break;
        }
        l->cluster[*slot - 1] = c;
        rc = 0;
    }
    csv_reader_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- Writing ---------------------------------------------------------- */

static int import_all(store *st, rec_list *l, int with_clusters, socle_err *err)
{
    socle_actor actor;
    cli_actor(&actor);
    smap ght_of = { 0 };
    size_t auto_links = 0, reviews = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 0;
    for (size_t start = 0; rc == 0 && start < l->n; start += BATCH) {
        if ((rc = store_begin(st, err)) != 0)
            break;
        for (size_t i = start; rc == 0 && i < l->n && i < start + BATCH; i++) {
            identity_input *in = &l->v[i];
            int64_t *ght = NULL;
            if (with_clusters && l->cluster[i] > 0) {
                char key[32];
                snprintf(key, sizeof key, "%" PRId64, l->cluster[i]);
                ght = smap_slot(&ght_of, key, 1);
                in->join_ght_id = *ght;
                in->no_matching = 1;
            }
            identity_result res;
            rc = identity_upsert_in_tx(st, &actor, in, &res, err);
            if (rc == 0 && ght != NULL)
                *ght = res.ght_id;
            auto_links += res.match_decision == 2;
            reviews += res.reviews_opened;
        }
        if (rc == 0)
            rc = store_commit(st, err);
        if (rc != 0)
            store_rollback(st);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    smap_free(&ght_of);
    if (rc == 0)
        printf("imported %zu identities in %.1f s (%.0f/s); automatic links %zu, review "
               "tasks %zu\n", l->n, s, s > 0 ? (double)l->n / s : 0.0, auto_links, reviews);
    return rc;
}

int cli_import_identities(int argc, char **argv)
{
    const char *data = CLI_DEFAULT_DATA, *in = NULL, *clusters = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        }
        if (i + 1 >= argc)
            return cli_fail(CLI_USAGE, "import identities", "%s needs a value\n%s", argv[i],
                            usage);
        if (strcmp(argv[i], "--data") == 0)
            data = argv[++i];
        else if (strcmp(argv[i], "--in") == 0)
            in = argv[++i];
        else if (strcmp(argv[i], "--clusters") == 0)
            clusters = argv[++i];
        else
            return cli_fail(CLI_USAGE, "import identities", "unknown argument %s\n%s",
                            argv[i], usage);
    }
    if (in == NULL)
        return cli_fail(CLI_USAGE, "import identities", "--in is required\n%s", usage);
    store *st = cli_open_store(data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    rec_list l = { 0 };
    FILE *f = fopen(in, "rb");
    int rc = f == NULL ? err_set(&err, SOCLE_EIO, "%s: cannot open", in)
                       : read_records(st, f, in, &l, &err);
    if (f != NULL)
        fclose(f);
    if (rc == 0 && clusters != NULL) {
        FILE *c = fopen(clusters, "rb");
        rc = c == NULL ? err_set(&err, SOCLE_EIO, "%s: cannot open", clusters)
                       : read_clusters(c, clusters, &l, &err);
        if (c != NULL)
            fclose(c);
    }
    /* Blocking keys go into their index in random order: a large cache
     * keeps the index's pages in memory across the batches. */
    if (rc == 0)
        rc = store_cache_size(st, l.n > 100000 ? 512 : 64, &err);
    if (rc == 0)
        rc = import_all(st, &l, clusters != NULL, &err);
    free(l.v);
    free(l.cluster);
    smap_free(&l.index);
    store_close(st);
    if (rc != 0)
        return cli_fail(CLI_FAIL, "import identities", "%s", err.msg);
    return CLI_OK;
}
