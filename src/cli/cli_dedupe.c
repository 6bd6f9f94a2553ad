/*
 * socle dedupe - batch deduplication of identity records (CSV in, clusters
 * and review pairs out). No data dir: it works on files only.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "match/dataset.h"
#include "match/linker.h"
#include "util/csv.h"

static const char usage[] =
    "usage: socle dedupe --in RECORDS.csv --out CLUSTERS.csv [--review REVIEW.csv]\n"
    "                    [--threads N] [--upper SCORE --lower SCORE]\n"
    "\n"
    "Finds the records of the same person in RECORDS.csv, whose header is\n"
    "  source,local_id,birth_name,used_name,first_names,birth_date,sex,birth_place,ins\n"
    "and writes source,local_id,cluster_id for every record to CLUSTERS.csv, and\n"
    "the pairs it is unsure of (source_a,local_id_a,source_b,local_id_b,score,\n"
    "most likely first) to REVIEW.csv. --threads parallelises the comparisons\n"
    "(default: 1). --upper/--lower replace the decision thresholds (log2 units;\n"
    "by default 18 and 12 up to 100,000 records, raised by log2(records/100,000)).\n"
    "Malformed input is reported as FILE:LINE: reason, and no output is left.\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct progress {
    int tty;
    double start, phase_start, last;
    const char *phase;
} progress;

static void show(progress *p, const char *phase, size_t done, size_t total)
{
    if (!p->tty)
        return;
    double t = now_s();
    if (p->phase == NULL || strcmp(p->phase, phase) != 0) {
        p->phase = phase;
        p->phase_start = t;
    } else if (t - p->last < 0.2 && done != total) {
        return;
    }
    p->last = t;
    double el = t - p->phase_start;
    double rate = el > 0 ? (double)done / el : 0;
    char eta[32] = "";
    if (total > 0 && done > 0 && done < total && rate > 0)
        snprintf(eta, sizeof eta, "  ETA %.0fs", (double)(total - done) / rate);
    int width = 30, fill = total > 0 ? (int)((double)done / (double)total * width) : 0;
    char bar[31];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r%-10s [%s] %zu/%zu  %.0f/s%s  %.1fs   ", phase, bar, done,
            total, rate, eta, t - p->start);
    if (done == total && total > 0)
        fputc('\n', stderr);
    fflush(stderr);
}

static void on_linker(void *data, const char *phase, size_t done, size_t total)
{
    show(data, phase, done, total);
}

static void on_read(void *data, size_t records)
{
    progress *p = data;
    if (!p->tty)
        return;
    double t = now_s();
    if (t - p->last < 0.2)
        return;
    p->last = t;
    fprintf(stderr, "\rreading    %zu records  %.0f records/s   ", records,
            records / (t - p->start + 1e-9));
    fflush(stderr);
}

/* A temporary file next to path, renamed over it at the end. */
typedef struct outfile {
    char tmp[4096];
    const char *path;
    FILE *f;
} outfile;

static int out_open(outfile *o, const char *path)
{
    o->path = path;
    o->f = NULL;
    if (snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof o->tmp)
        return -1;
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        o->tmp[0] = '\0';
        return -1;
    }
    o->f = fdopen(fd, "w");
    if (o->f == NULL) {
        close(fd);
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return -1;
    }
    return 0;
}

static void out_discard(outfile *o)
{
    if (o->f != NULL)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0] != '\0')
        unlink(o->tmp);
    o->tmp[0] = '\0';
}

static int out_close(outfile *o)
{
    int bad = ferror(o->f) != 0;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    return bad ? -1 : 0;
}

static int write_outputs(const match_dataset *ds, const linker_result *res,
                         const char *out_path, const char *review_path)
{
    outfile co = {0}, ro = {0};
    if (out_open(&co, out_path) < 0)
        return cli_fail(CLI_FAIL, "dedupe", "%s: cannot create: %s", out_path, strerror(errno));
    if (review_path != NULL && out_open(&ro, review_path) < 0) {
        int e = errno;
        out_discard(&co);
        return cli_fail(CLI_FAIL, "dedupe", "%s: cannot create: %s", review_path, strerror(e));
    }
    fputs("source,local_id,cluster_id\n", co.f);
    char num[32];
    for (size_t i = 0; i < ds->n; i++) {
        csv_write_field(co.f, dataset_source(ds, i), 0);
        csv_write_field(co.f, dataset_local_id(ds, i), 0);
        snprintf(num, sizeof num, "%u", res->cluster[i]);
        csv_write_field(co.f, num, 1);
    }
    if (ro.f != NULL) {
        fputs("source_a,local_id_a,source_b,local_id_b,score\n", ro.f);
        for (size_t i = 0; i < res->n_review; i++) {
            const link_review *v = &res->review[i];
            csv_write_field(ro.f, dataset_source(ds, v->a), 0);
            csv_write_field(ro.f, dataset_local_id(ds, v->a), 0);
            csv_write_field(ro.f, dataset_source(ds, v->b), 0);
            csv_write_field(ro.f, dataset_local_id(ds, v->b), 0);
            snprintf(num, sizeof num, "%.2f", v->score);
            csv_write_field(ro.f, num, 1);
        }
    }
    int bad = out_close(&co) < 0;
    if (ro.f != NULL)
        bad |= out_close(&ro) < 0;
    if (bad || rename(co.tmp, out_path) < 0
        || (ro.tmp[0] != '\0' && rename(ro.tmp, review_path) < 0)) {
        int e = errno;
        unlink(co.tmp);
        if (ro.tmp[0] != '\0')
            unlink(ro.tmp);
        return cli_fail(CLI_FAIL, "dedupe", "cannot write the output: %s", strerror(e));
    }
    return CLI_OK;
}

int cli_dedupe(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"in", required_argument, NULL, 'i'},
        {"out", required_argument, NULL, 'o'},
        {"review", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'},
        {"upper", required_argument, NULL, 'U'},
        {"lower", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *in_path = NULL, *out_path = NULL, *review_path = NULL;
    linker_opts lo = {.threads = 1};
    int have_upper = 0, have_lower = 0;
    cli_getopt_reset();
    int ch;
    char *end;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'i': in_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'r': review_path = optarg; break;
        case 't':
            lo.threads = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || lo.threads < 1 || lo.threads > 64)
                return cli_fail(CLI_USAGE, "dedupe", "--threads must be 1 to 64");
            break;
        case 'U': lo.upper = strtod(optarg, &end); have_upper = *end == '\0'; break;
        case 'L': lo.lower = strtod(optarg, &end); have_lower = *end == '\0'; break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default: fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (in_path == NULL || out_path == NULL || optind != argc
        || have_upper != have_lower || (have_upper && lo.lower > lo.upper)) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }

    progress pg = {.tty = isatty(2), .start = now_s()};
    FILE *in = fopen(in_path, "rb");
    if (in == NULL)
        return cli_fail(CLI_FAIL, "dedupe", "%s: %s", in_path, strerror(errno));
    match_dataset ds = {0};
    socle_err err = {0};
    int rc = dataset_read(in, in_path, &ds, on_read, &pg, &err);
    fclose(in);
    if (pg.tty)
        fputc('\n', stderr);
    if (rc < 0) {
        dataset_free(&ds);
        fprintf(stderr, "socle dedupe: %s\n", err.msg);
        return CLI_FAIL;
    }
    double t_read = now_s() - pg.start;

    lo.progress = on_linker;
    lo.progress_data = &pg;
    linker_result res;
    if (linker_run(ds.rec, ds.n, &lo, &res, &err) < 0) {
        dataset_free(&ds);
        return cli_fail(CLI_FAIL, "dedupe", "%s", err.msg);
    }
    int status = write_outputs(&ds, &res, out_path, review_path);
    if (status == CLI_OK) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("records %zu, comparisons %zu, automatic links %zu (pairs %zu, "
               "refused %zu), review pairs %zu, clusters %zu\n"
               "time %.2f s (reading %.2f s), peak memory %.1f MiB, threads %d, "
               "thresholds upper %.2f lower %.2f, match share %.4f\n",
               ds.n, res.comparisons, res.links, res.auto_pairs, res.refused,
               res.n_review, res.n_clusters, now_s() - pg.start, t_read,
               (double)ru.ru_maxrss / 1024.0, lo.threads, res.model.upper,
               res.model.lower, res.model.prior);
    }
    linker_result_free(&res);
    dataset_free(&ds);
    return status;
}
