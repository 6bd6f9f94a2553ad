/*
 * socle match train|explain and socle review list|decide - the real-time
 * matching and the identity cell's review tasks, for operators without the
 * web workbench.
 */
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/identity.h"
#include "core/matching.h"
#include "core/review.h"
#include "match/blocking.h"
#include "match/model.h"
#include "util/timeutil.h"

static const char match_usage[] =
    "usage: socle match train [--data DIR]\n"
    "       socle match explain [--data DIR] ID1 ID2\n"
    "\n"
    "train: re-indexes the blocking keys and records of every stored local\n"
    "  identity, then learns the model from them: u on random pairs of\n"
    "  identities, m by EM over the candidate pairs of the blocking keys (the\n"
    "  same keys as the real-time matching persists); persists it and prints a\n"
    "  summary. Below 1000 identities (or candidate pairs) the starting model\n"
    "  is kept. With the model it stores the identities' term frequencies\n"
    "  (birth names, first forenames), which the real-time score then uses.\n"
    "explain: the field-by-field comparison of two local identities (ids, or\n"
    "  DOMAIN_OID:IPP), their weights, the term-frequency adjustment, total\n"
    "  score, decision and rule.\n";

static const char review_usage[] =
    "usage: socle review list [--data DIR] [--status S[,S...]] [--limit N] [--offset N]\n"
    "       socle review decide [--data DIR] [--comment TEXT] ID same|not_same|later\n"
    "\n"
    "list: review tasks, open ones first, most likely first (statuses: open,\n"
    "  later, merged, not_duplicate, obsolete; default open,later), one per\n"
    "  line: id, status, score, local identities, reason; then the number of\n"
    "  tasks and the oldest open one.\n"
    "decide: same (the two GHT identities are merged), not_same (the pair is\n"
    "  never proposed again) or later.\n";

/* Options shared by both commands: --data and a few valued ones. */
typedef struct opts {
    const char *data, *status, *comment;
    size_t limit, offset;
    const char *pos[4];
    int npos;
} opts;

static int parse(int argc, char **argv, const char *cmd, const char *usage, opts *o)
{
    memset(o, 0, sizeof *o);
    o->data = CLI_DEFAULT_DATA;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        }
        if (strncmp(a, "--", 2) == 0) {
            if (i + 1 >= argc)
                return cli_fail(CLI_USAGE, cmd, "%s needs a value\n%s", a, usage);
            const char *v = argv[++i];
            char *end;
            if (strcmp(a, "--data") == 0) {
                o->data = v;
            } else if (strcmp(a, "--status") == 0) {
                o->status = v;
            } else if (strcmp(a, "--comment") == 0) {
                o->comment = v;
            } else if (strcmp(a, "--limit") == 0 || strcmp(a, "--offset") == 0) {
                errno = 0;
                unsigned long long n = strtoull(v, &end, 10);
                if (errno || *end || v[0] == '-' || v[0] == '\0')
                    return cli_fail(CLI_USAGE, cmd, "%s: not a number: %s", a, v);
                *(a[2] == 'l' ? &o->limit : &o->offset) = (size_t)n;
            } else {
                return cli_fail(CLI_USAGE, cmd, "unknown option %s\n%s", a, usage);
            }
        } else if (o->npos < 4) {
            o->pos[o->npos++] = a;
        } else {
            return cli_fail(CLI_USAGE, cmd, "too many arguments\n%s", usage);
        }
    }
    return -1;
}

/* ---- match train ------------------------------------------------------ */

typedef struct loaded {
    match_record *recs;
    int64_t *ids;
    size_t n, cap;
    int64_t *domains;
} loaded;

static int load_one(const local_identity *li, void *ctx)
{
    loaded *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4096;
        l->recs = realloc(l->recs, l->cap * sizeof *l->recs);
        l->ids = realloc(l->ids, l->cap * sizeof *l->ids);
        l->domains = realloc(l->domains, l->cap * sizeof *l->domains);
        if (l->recs == NULL || l->ids == NULL || l->domains == NULL)
            abort();  /* out of memory */
    }
    matching_record(&li->traits, li->ins, &l->recs[l->n]);
    l->domains[l->n] = li->domain_id;
    l->ids[l->n++] = li->id;
    return 0;
}

static int reindex(store *st, loaded *l, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    int rc = store_match_keys_clear(st, err);
    for (size_t i = 0; rc == 0 && i < l->n; i++)
        rc = matching_index_record_in_tx(st, l->ids[i], l->domains[i], &l->recs[i], err);
    if (rc != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

static void print_model(const match_model *m)
{
    printf("thresholds: auto >= %.1f, review >= %.1f; prior %.4f\n", m->upper, m->lower,
           m->prior);
    for (int f = 0; f < MF_COUNT; f++) {
        printf("  %-10s", match_field_name((match_field)f));
        for (int lv = 1; lv < match_levels((match_field)f); lv++)
            printf(" %s %+.1f", match_level_name((match_field)f, lv),
                   model_weight(m, (match_field)f, lv));
        putchar('\n');
    }
}

/* Term frequencies to the store, a batch of rows at a time. */
typedef struct freq_writer {
    store *st;
    socle_err *err;
    store_match_freq rows[512];
    size_t n, total;
} freq_writer;

static int freq_flush(freq_writer *w)
{
    int rc = store_match_freq_put(w->st, w->rows, w->n, w->err);
    w->total += w->n;
    w->n = 0;
    return rc;
}

static int freq_one(const tf_count *c, void *ctx)
{
    freq_writer *w = ctx;
    w->rows[w->n++] = (store_match_freq){ c->kind, c->key, (int64_t)c->count };
    return w->n == sizeof w->rows / sizeof w->rows[0] ? freq_flush(w) : 0;
}

/* Replace the stored term frequencies by those of the n records (the ones
 * the model is trained on), inside the caller's transaction: the
 * real-time score adjusts with them as batch does. None for no record. */
static int save_freq(store *st, const match_record *recs, size_t n, size_t *rows,
                     socle_err *err)
{
    *rows = 0;
    if (store_match_freq_clear(st, err) != 0)
        return -1;
    if (n == 0)
        return 0;
    match_tf *tf = tf_new(recs, n);
    if (tf == NULL)
        return err_set(err, SOCLE_EIO, "out of memory for term frequencies");
    freq_writer *w = malloc(sizeof *w);
    if (w == NULL) {
        tf_free(tf);
        return err_set(err, SOCLE_EIO, "out of memory for term frequencies");
    }
    w->st = st;
    w->err = err;
    w->n = w->total = 0;
    int rc = tf_foreach(tf, freq_one, w);
    if (rc == 0 && w->n > 0)
        rc = freq_flush(w);
    *rows = w->total;
    free(w);
    tf_free(tf);
    return rc != 0 ? -1 : 0;
}

static int train(store *st, socle_err *err)
{
    loaded l = { 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = store_local_foreach(st, load_one, &l, err);
    if (rc == 0)
        rc = reindex(st, &l, err);
    match_model m;
    model_init(&m);
    size_t n_pairs = 0, n_freq = 0;
    if (rc == 0 && l.n >= LINKER_MIN_LEARN) {
        model_estimate_u(&m, l.recs, l.n, 400000, 0x5EC1E);
        match_pairs pairs = { 0 };
        rc = blocking_pairs(l.recs, l.n, MATCHING_KEY_CAP, 0, &pairs, NULL, err);
        uint64_t *counts = rc == 0 ? calloc(MODEL_PATTERNS, sizeof *counts) : NULL;
        if (rc == 0 && counts == NULL)
            rc = err_set(err, SOCLE_EIO, "out of memory");
        for (size_t i = 0; rc == 0 && i < pairs.n; i++) {
            match_cmp c;
            match_compare(&l.recs[pairs.v[i] >> 32], &l.recs[pairs.v[i] & 0xffffffffu], &c);
            counts[model_pattern(&c)]++;
        }
        n_pairs = pairs.n;
        if (rc == 0 && pairs.n >= LINKER_MIN_LEARN)
            model_em(&m, counts, 100);
        free(counts);
        match_pairs_free(&pairs);
    }
    if (rc == 0) {
        json_t *j = model_to_json(&m);
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        char at[TIME_ISO_MAX];
        time_now_iso(at);
        socle_actor actor;
        cli_actor(&actor);
        if (text == NULL)
            rc = err_set(err, SOCLE_EIO, "out of memory");
        else if ((rc = store_begin(st, err)) == 0) {
            if (store_match_model_set(st, text, at, err) != 0
                || save_freq(st, l.recs, l.n, &n_freq, err) != 0
                || audit_log(st, &actor, "match.train", "match_model", "1", "success", NULL,
                             err) != 0
                || store_commit(st, err) != 0) {
                store_rollback(st);
                rc = -1;
            }
        }
        free(text);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == 0) {
        printf("identities %zu, candidate pairs %zu, EM iterations %d, %.1f s%s\n", l.n,
               n_pairs, m.em_iterations,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
               l.n < LINKER_MIN_LEARN || n_pairs < LINKER_MIN_LEARN
                   ? " (too few to learn from: starting values kept)" : "");
        print_model(&m);
        printf("term frequencies: %zu counts stored\n", n_freq);
    }
    free(l.recs);
    free(l.ids);
    free(l.domains);
    return rc;
}

/* ---- match explain ---------------------------------------------------- */

/* A local identity id, or DOMAIN_OID:IPP. */
static int resolve_local(store *st, const char *ref, int64_t *id, socle_err *err)
{
    char *end;
    errno = 0;
    long long v = strtoll(ref, &end, 10);
    if (!errno && *end == '\0' && v > 0) {
        *id = v;
        return 0;
    }
    const char *colon = strrchr(ref, ':');
    if (colon == NULL)
        return err_set(err, SOCLE_EINVAL, "%s: expected a local identity id or DOMAIN_OID:IPP",
                       ref);
    char oid[SOCLE_OID_MAX];
    snprintf(oid, sizeof oid, "%.*s", (int)(colon - ref), ref);
    id_domain d;
    local_identity li;
    int found = store_domain_find_oid(st, oid, &d, err);
    if (found > 0)
        found = store_local_find(st, d.id, colon + 1, &li, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ENOTFOUND, "%s: no such local identity", ref);
    *id = li.id;
    return 0;
}

static int explain(store *st, const char *r1, const char *r2, socle_err *err)
{
    int64_t a, b;
    if (resolve_local(st, r1, &a, err) != 0 || resolve_local(st, r2, &b, err) != 0)
        return -1;
    socle_actor actor;
    cli_actor(&actor);
    matching_explanation e;
    if (matching_explain(st, &actor, a, b, &e, err) != 0)
        return -1;
    printf("local identities %" PRId64 " and %" PRId64 "\n", a, b);
    for (int f = 0; f < MF_COUNT; f++)
        printf("  %-10s %-8s %+6.1f\n", match_field_name((match_field)f),
               match_level_name((match_field)f, e.cmp.level[f]), e.weight[f]);
    /* Batch's adjustment for common names, from the frequencies `match
     * train` stored (0 before any training, or when no name agrees). */
    printf("  %-10s %-8s %+6.1f\n", "term_freq", "", e.tf_adjust);
    printf("score %.1f (auto >= %.1f, review >= %.1f): %s", e.score, e.upper, e.lower,
           matching_decision_name(e.decision));
    if (e.rule != RULE_NONE)
        printf(", rule %s", link_rule_name(e.rule));
    putchar('\n');
    return 0;
}

int cli_match(int argc, char **argv)
{
    opts o;
    int status = parse(argc, argv, "match", match_usage, &o);
    if (status >= 0)
        return status;
    if (argc < 2 || (strcmp(argv[1], "train") != 0 && strcmp(argv[1], "explain") != 0))
        return cli_fail(CLI_USAGE, "match", "expected train or explain\n%s", match_usage);
    int is_train = strcmp(argv[1], "train") == 0;
    if (o.npos != (is_train ? 0 : 2))
        return cli_fail(CLI_USAGE, "match", "wrong number of arguments\n%s", match_usage);
    store *st = cli_open_store(o.data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    int rc = is_train ? train(st, &err) : explain(st, o.pos[0], o.pos[1], &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CLI_FAIL, is_train ? "match train" : "match explain", "%s", err.msg);
    return CLI_OK;
}

/* ---- review list|decide ----------------------------------------------- */

static int review_list_cmd(store *st, const opts *o, socle_err *err)
{
    review_query q = { .offset = o->offset, .limit = o->limit };
    if (o->status != NULL) {
        char copy[256];
        snprintf(copy, sizeof copy, "%s", o->status);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t != NULL;
             t = strtok_r(NULL, ",", &save)) {
            review_status s;
            if (review_status_parse(t, &s) != 0)
                return err_set(err, SOCLE_EINVAL, "unknown status %s", t);
            q.status_mask |= 1u << s;
        }
    }
    socle_actor actor;
    cli_actor(&actor);
    review_page p;
    if (review_list(st, &actor, NULL, &q, &p, err) != 0) {
        review_page_free(&p);
        return -1;
    }
    for (size_t i = 0; i < p.n; i++) {
        const review_task *t = &p.items[i];
        printf("%" PRId64 "\t%s\t%.1f\t%" PRId64 "\t%" PRId64 "\t%s\n", t->id,
               review_status_name(t->status), t->score, t->local_a, t->local_b, t->reason);
    }
    int64_t open = 0;
    char oldest[SOCLE_TS_MAX] = "";
    int rc = review_stats(st, NULL, &open, oldest, err);
    if (rc == 0)
        printf("%" PRId64 " tasks; %" PRId64 " open%s%s\n", p.total, open,
               oldest[0] ? ", oldest " : "", oldest);
    review_page_free(&p);
    return rc;
}

static int review_decide_cmd(store *st, const opts *o, socle_err *err)
{
    char *end;
    errno = 0;
    long long id = strtoll(o->pos[0], &end, 10);
    if (errno || *end || id <= 0)
        return err_set(err, SOCLE_EINVAL, "%s: not a review task id", o->pos[0]);
    review_verdict v;
    if (review_verdict_parse(o->pos[1], &v) != 0)
        return err_set(err, SOCLE_EINVAL, "%s: expected same, not_same or later", o->pos[1]);
    socle_actor actor;
    cli_actor(&actor);
    review_task t;
    if (review_decide(st, &actor, NULL, id, v, o->comment, &t, err) != 0)
        return -1;
    printf("review task %" PRId64 ": %s", t.id, review_status_name(t.status));
    if (t.merge_id != 0)
        printf(" (merge %" PRId64 ")", t.merge_id);
    putchar('\n');
    return 0;
}

int cli_review(int argc, char **argv)
{
    opts o;
    int status = parse(argc, argv, "review", review_usage, &o);
    if (status >= 0)
        return status;
    int is_list = argc >= 2 && strcmp(argv[1], "list") == 0;
    int is_decide = argc >= 2 && strcmp(argv[1], "decide") == 0;
    if ((!is_list && !is_decide) || o.npos != (is_list ? 0 : 2))
        return cli_fail(CLI_USAGE, "review", "expected list, or decide ID VERDICT\n%s",
                        review_usage);
    store *st = cli_open_store(o.data);
    if (st == NULL)
        return CLI_FAIL;
    socle_err err;
    err_clear(&err);
    int rc = is_list ? review_list_cmd(st, &o, &err) : review_decide_cmd(st, &o, &err);
    store_close(st);
    if (rc != 0)
        return cli_fail(CLI_FAIL, is_list ? "review list" : "review decide", "%s", err.msg);
    return CLI_OK;
}
