/*
 * eval_clusters - pairwise precision, recall, F1 and false merges of a
 * clustering (socle dedupe's output) against the generator's truth.
 *
 *   eval_clusters --truth truth.csv --clusters clusters.csv [--review review.csv]
 *
 * The last line is machine-readable: precision=... recall=... f1=... ...
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "eval.h"

static const char usage[] =
    "usage: eval_clusters --truth truth.csv --clusters clusters.csv [--review review.csv]\n";

static int load(eval_data *d, const char *path,
                int (*fn)(eval_data *, FILE *, const char *, socle_err *))
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "eval_clusters: %s: %s\n", path, strerror(errno));
        return -1;
    }
    socle_err err;
    int rc = fn(d, f, path, &err);
    fclose(f);
    if (rc < 0)
        fprintf(stderr, "eval_clusters: %s\n", err.msg);
    return rc;
}

int main(int argc, char **argv)
{
    const char *truth = NULL, *clusters = NULL, *review = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "eval_clusters: %s needs a value\n%s", argv[i], usage);
            return 2;
        }
        if (strcmp(argv[i], "--truth") == 0)
            truth = argv[++i];
        else if (strcmp(argv[i], "--clusters") == 0)
            clusters = argv[++i];
        else if (strcmp(argv[i], "--review") == 0)
            review = argv[++i];
        else {
            fprintf(stderr, "eval_clusters: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
    }
    if (!truth || !clusters) {
        fputs(usage, stderr);
        return 2;
    }
    eval_data *d = eval_data_new();
    if (!d) {
        fputs("eval_clusters: out of memory\n", stderr);
        return 1;
    }
    int rc = 1;
    if (load(d, truth, eval_load_truth) < 0 || load(d, clusters, eval_load_clusters) < 0 ||
        (review && load(d, review, eval_load_review) < 0))
        goto done;
    eval_result r;
    socle_err err;
    if (eval_run(d, &r, &err) < 0) {
        fprintf(stderr, "eval_clusters: %s\n", err.msg);
        goto done;
    }
    eval_print(&r, review != NULL, stdout);
    rc = 0;
done:
    eval_data_free(d);
    return rc;
}
