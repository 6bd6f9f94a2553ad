/*
 * linker.c - see linker.h.
 */
#include "match/linker.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/blocking.h"

const char *link_rule_name(link_rule r)
{
    switch (r) {
    case RULE_NONE:          return "none";
    case RULE_INS_EQUAL:     return "equal INS";
    case RULE_INS_DIFFERENT: return "different INS";
    case RULE_NIR_MISMATCH:  return "NIR contradicts the traits";
    case RULE_SEX:           return "different sex";
    case RULE_TWINS:         return "twins";
    case RULE_HOMONYMS:      return "homonyms";
    case RULE_BIRTH_NAMES_DIFFER: return "birth names differ";
    }
    return "?";
}

/* First forenames that name another person: different and not close,
 * and not the same forenames in another order. */
static int forenames_conflict(const match_cmp *c, const match_record *a,
                              const match_record *b)
{
    if (c->level[MF_FIRST] == FIRST_DIFF)
        return 1;
    if (c->level[MF_FIRST] != FIRST_PARTIAL)
        return 0;
    /* PARTIAL: a reordering when each first forename is in the other's
     * list; one forename shared as a second forename is not. */
    match_record a1 = *a, b1 = *b;
    a1.forenames[strcspn(a1.forenames, " ")] = '\0';
    b1.forenames[strcspn(b1.forenames, " ")] = '\0';
    match_cmp x, y;
    match_compare(&a1, b, &x);
    match_compare(a, &b1, &y);
    return !(x.level[MF_FIRST] <= FIRST_PARTIAL && y.level[MF_FIRST] <= FIRST_PARTIAL
             && x.level[MF_FIRST] != FIRST_NA && y.level[MF_FIRST] != FIRST_NA);
}

/* 01-01 is what registries enter for an unknown day and month. */
static int placeholder_date(const match_record *r)
{
    return r->month == 1 && r->day == 1;
}

link_rule linker_conflict(const match_record *a, const match_record *b,
                          const match_cmp *c)
{
    if (c->level[MF_INS] == INS_DIFF)
        return RULE_INS_DIFFERENT;
    if (a->ins[0] != '\0' && strcmp(a->ins, b->ins) == 0
        && (a->ins_state == MATCH_INS_INCONSISTENT || b->ins_state == MATCH_INS_INCONSISTENT))
        return RULE_NIR_MISMATCH;
    if (c->level[MF_SEX] == SEX_DIFF)
        return RULE_SEX;
    /* Same birth date, other forenames: twins when the family is the same,
     * and as much two people when it is not. */
    if (c->level[MF_DATE] == DATE_EXACT && forenames_conflict(c, a, b))
        return RULE_TWINS;
    int family = c->level[MF_NAME] == NAME_EXACT || c->level[MF_NAME] == NAME_CLOSE;
    if (family
        && (c->level[MF_FIRST] == FIRST_EXACT || c->level[MF_FIRST] == FIRST_FIRST)
        && (c->level[MF_DATE] == DATE_DIFF
            || (c->level[MF_DATE] == DATE_YEAR && !placeholder_date(a)
                && !placeholder_date(b))))
        return RULE_HOMONYMS;
    return RULE_NONE;
}

link_decision linker_decide(const match_model *m, const match_record *a,
                            const match_record *b, const match_cmp *c,
                            double score, link_rule *rule)
{
    link_decision d = score >= m->upper ? MATCH_AUTO
                    : score >= m->lower ? MATCH_REVIEW : MATCH_NONE;
    link_rule r = linker_conflict(a, b, c);
    if (r == RULE_NONE && c->level[MF_INS] == INS_EQ) {
        int date_off = c->level[MF_DATE] == DATE_DIFF;
        int names_off = c->level[MF_NAME] == NAME_DIFF && c->level[MF_FIRST] == FIRST_DIFF;
        if (!date_off && !names_off) {
            d = MATCH_AUTO;
            r = RULE_INS_EQUAL;
        } else if (d == MATCH_AUTO) {
            d = MATCH_REVIEW;
        }
    } else if (r != RULE_NONE && d == MATCH_AUTO) {
        d = MATCH_REVIEW;
    } else if (r == RULE_NONE && c->level[MF_NAME] == NAME_DIFF && d == MATCH_AUTO) {
        d = MATCH_REVIEW;
        r = RULE_BIRTH_NAMES_DIFFER;
    }
    if (rule != NULL)
        *rule = r;
    return d;
}

/* ---- Parallel phases --------------------------------------------------- */

typedef struct job {
    const match_record *recs;
    const uint64_t *pairs;
    size_t n_pairs;
    uint32_t *pattern;       /* per pair */
    float *score;            /* per pair */
    uint8_t *decision;       /* per pair */
    const match_model *model;
    const match_tf *tf;
    const uint64_t *keys;    /* BLOCKING_PASSES blocking keys per record */
    atomic_size_t next;      /* next chunk to take */
    atomic_size_t done;
    int phase;               /* 0 compare, 1 score */
} job;

/* Training sessions: the candidate pairs that share the key of one
 * pass, with the fields that pass leaves free to vary (see learn_model). */
enum { SESSION_NAME_FIRST, SESSION_DATE_SEX, SESSION_NAME_YEAR, SESSIONS };

typedef struct worker {
    job *j;
    uint64_t *counts;        /* phase 0: pattern counts of this thread, all
                              * pairs then one array per session */
    pthread_t tid;
} worker;

/* The sessions whose pass put the pair (a, b) among the candidates, in a
 * training block (whose pairs were not filtered: blocking.h). */
static unsigned pair_sessions(const uint64_t *ka, const uint64_t *kb)
{
    unsigned s = 0;
    if (ka[BK_NAME_FIRST] != 0 && ka[BK_NAME_FIRST] == kb[BK_NAME_FIRST]
        && blocking_training_key(ka[BK_NAME_FIRST]))
        s |= 1u << SESSION_NAME_FIRST;
    if (ka[BK_DATE_SEX] != 0 && ka[BK_DATE_SEX] == kb[BK_DATE_SEX]
        && blocking_training_key(ka[BK_DATE_SEX]))
        s |= 1u << SESSION_DATE_SEX;
    /* NAME_YEAR and USED_YEAR share one key space. */
    for (int x = BK_NAME_YEAR; x <= BK_USED_YEAR; x++)
        for (int y = BK_NAME_YEAR; y <= BK_USED_YEAR; y++)
            if (ka[x] != 0 && ka[x] == kb[y] && blocking_training_key(ka[x]))
                s |= 1u << SESSION_NAME_YEAR;
    return s;
}

#define CHUNK 16384

static void *work(void *arg)
{
    worker *w = arg;
    job *j = w->j;
    for (;;) {
        size_t start = atomic_fetch_add(&j->next, CHUNK);
        if (start >= j->n_pairs)
            break;
        size_t end = start + CHUNK < j->n_pairs ? start + CHUNK : j->n_pairs;
        for (size_t i = start; i < end; i++) {
            const match_record *a = &j->recs[j->pairs[i] >> 32];
            const match_record *b = &j->recs[j->pairs[i] & 0xFFFFFFFFu];
            match_cmp c;
            if (j->phase == 0) {
                match_compare(a, b, &c);
                uint32_t p = model_pattern(&c);
                j->pattern[i] = p;
                w->counts[p]++;
                uint32_t ia = (uint32_t)(j->pairs[i] >> 32);
                uint32_t ib = (uint32_t)(j->pairs[i] & 0xFFFFFFFFu);
                unsigned s = pair_sessions(&j->keys[(size_t)ia * BLOCKING_PASSES],
                                           &j->keys[(size_t)ib * BLOCKING_PASSES]);
                for (int k = 0; k < SESSIONS; k++)
                    if (s & (1u << k))
                        w->counts[(size_t)(k + 1) * MODEL_PATTERNS + p]++;
            } else {
                model_unpattern(j->pattern[i], &c);
                double s = model_score(j->model, &c) + tf_adjust(j->tf, j->model, a, &c);
                j->score[i] = (float)s;
                j->decision[i] = (uint8_t)linker_decide(j->model, a, b, &c, s, NULL);
            }
        }
        atomic_fetch_add(&j->done, end - start);
    }
    return NULL;
}

static int run_parallel(job *j, int threads, uint64_t *counts, const linker_opts *o,
                        const char *phase, socle_err *err)
{
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    worker w[64];
    atomic_store(&j->next, 0);
    atomic_store(&j->done, 0);
    int started = 0, rc = 0;
    for (int t = 0; t < threads; t++) {
        w[t].j = j;
        w[t].counts = NULL;
        if (counts != NULL
            && (w[t].counts = calloc((SESSIONS + 1) * (size_t)MODEL_PATTERNS,
                                     sizeof(uint64_t))) == NULL) {
            rc = err_set(err, SOCLE_EIO, "linker: out of memory");
            break;
        }
        if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0) {
            free(w[t].counts);
            rc = err_set(err, SOCLE_EIO, "linker: cannot start a thread");
            break;
        }
        started++;
    }
    /* Report progress while the workers run (they cannot call back). */
    while (o->progress != NULL && started > 0
           && atomic_load(&j->done) < j->n_pairs && rc == 0) {
        o->progress(o->progress_data, phase, atomic_load(&j->done), j->n_pairs);
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int t = 0; t < started; t++) {
        pthread_join(w[t].tid, NULL);
        if (counts != NULL) {
            for (size_t p = 0; p < (SESSIONS + 1) * (size_t)MODEL_PATTERNS; p++)
                counts[p] += w[t].counts[p];
            free(w[t].counts);
        }
    }
    if (o->progress != NULL)
        o->progress(o->progress_data, phase, j->n_pairs, j->n_pairs);
    return rc;
}

/* ---- Learning ------------------------------------------------------------ */

/* m by EM per training session. One EM over all candidate pairs finds the
 * wrong two classes at scale: the name + forename pass brings many
 * strangers who share a name and a forename, and EM takes "same name" for
 * "same person" (the birth date then hardly counts). In a session only the
 * pairs of one pass are used, the fields that pass makes agree (or that go
 * with them: a forename implies a sex, a copied used name the birth name)
 * are left out, and u stays the sampled one; each field's m is taken from
 * a session where it varies freely among non-matches. */
static void learn_model(match_model *m, const uint64_t *counts)
{
    /* Fields: NAME USED FIRST DATE SEX PLACE INS. */
    static const int learn[SESSIONS][MF_COUNT] = {
        [SESSION_NAME_FIRST] = {0, 0, 0, 1, 0, 1, 1},
        [SESSION_DATE_SEX]   = {1, 1, 1, 0, 0, 1, 1},
        [SESSION_NAME_YEAR]  = {0, 0, 1, 0, 1, 1, 1},
    };
    static const int take[SESSIONS][MF_COUNT] = {
        [SESSION_NAME_FIRST] = {0, 0, 0, 1, 0, 0, 0},
        [SESSION_DATE_SEX]   = {1, 1, 1, 0, 0, 1, 1},
        [SESSION_NAME_YEAR]  = {0, 0, 0, 0, 1, 0, 0},
    };
    match_model base = *m;
    int iterations = 0;
    for (int k = 0; k < SESSIONS; k++) {
        const uint64_t *sc = counts + (size_t)(k + 1) * MODEL_PATTERNS;
        uint64_t total = 0;
        for (size_t p = 0; p < MODEL_PATTERNS; p++)
            total += sc[p];
        if (total < LINKER_MIN_LEARN)  /* keep model_init's m */
            continue;
        match_model s = base;
        iterations += model_em_session(&s, sc, learn[k], 200, NULL);
        for (int f = 0; f < MF_COUNT; f++)
            if (take[k][f])
                memcpy(m->m[f], s.m[f], sizeof m->m[f]);
    }
    /* The share of matches among all candidates, for the summary: the
     * weights fixed, only the share is iterated. */
    double prior = 0.1;
    for (int it = 0; it < 100; it++) {
        double w = 0, all = 0;
        for (uint32_t p = 0; p < MODEL_PATTERNS; p++) {
            if (counts[p] == 0)
                continue;
            match_cmp c;
            model_unpattern(p, &c);
            double odds = prior / (1 - prior) * exp2(model_score(m, &c));
            w += (double)counts[p] * odds / (1 + odds);
            all += (double)counts[p];
        }
        double next = all > 0 ? w / all : prior;
        int done = fabs(next - prior) < 1e-7;
        prior = next < 1e-6 ? 1e-6 : next > 0.999 ? 0.999 : next;
        if (done)
            break;
    }
    m->prior = prior;
    m->em_iterations = iterations;
}

/* ---- Clusters ---------------------------------------------------------- */

typedef struct clusters {
    uint32_t *parent, *size, *next, *tail;  /* union-find + member lists */
} clusters;

static uint32_t find(clusters *c, uint32_t x)
{
    while (c->parent[x] != x) {
        c->parent[x] = c->parent[c->parent[x]];
        x = c->parent[x];
    }
    return x;
}

/* May the clusters of roots ra and rb be one person? */
static int compatible(clusters *c, const match_record *recs, uint32_t ra, uint32_t rb)
{
    if (c->size[ra] + c->size[rb] > LINKER_MAX_CLUSTER)
        return 0;
    for (uint32_t x = ra; x != UINT32_MAX; x = c->next[x])
        for (uint32_t y = rb; y != UINT32_MAX; y = c->next[y]) {
            match_cmp cmp;
            match_compare(&recs[x], &recs[y], &cmp);
            if (linker_conflict(&recs[x], &recs[y], &cmp) != RULE_NONE)
                return 0;
        }
    return 1;
}

static void join(clusters *c, uint32_t ra, uint32_t rb)
{
    if (c->size[ra] < c->size[rb]) {
        uint32_t t = ra;
        ra = rb, rb = t;
    }
    c->parent[rb] = ra;
    c->size[ra] += c->size[rb];
    c->next[c->tail[ra]] = rb;  /* member list: head is the root */
    c->tail[ra] = c->tail[rb];
}


static int by_score_desc(const void *x, const void *y, void *ctx)
{
    const float *s = ctx;
    float a = s[*(const size_t *)x], b = s[*(const size_t *)y];
    if (a != b)
        return a > b ? -1 : 1;
    return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

static int review_desc(const void *x, const void *y)
{
    const link_review *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

int linker_run(const match_record *recs, size_t n, const linker_opts *opts,
               linker_result *out, socle_err *err)
{
    memset(out, 0, sizeof *out);
    linker_opts o = opts != NULL ? *opts : (linker_opts){0};
    model_init(&out->model);

    if (o.progress != NULL)
        o.progress(o.progress_data, "blocking", 0, n);
    match_pairs pairs;
    blocking_stats bs;
    if (blocking_pairs(recs, n, o.block_cap, o.block_window, &pairs, &bs, err) < 0)
        return -1;
    out->blocks_capped = bs.capped_blocks;
    out->comparisons = pairs.n;

    job j = {.recs = recs, .pairs = pairs.v, .n_pairs = pairs.n};
    j.pattern = malloc((pairs.n + 1) * sizeof *j.pattern);
    j.score = malloc((pairs.n + 1) * sizeof *j.score);
    j.decision = malloc(pairs.n + 1);
    uint64_t *counts = calloc((SESSIONS + 1) * (size_t)MODEL_PATTERNS, sizeof *counts);
    uint64_t *keys = malloc((n + 1) * BLOCKING_PASSES * sizeof *keys);
    clusters c = {0};
    size_t *order = NULL;
    match_tf *tf = NULL;
    int rc = -1;
    if (j.pattern == NULL || j.score == NULL || j.decision == NULL || counts == NULL
        || keys == NULL) {
        err_set(err, SOCLE_EIO, "linker: out of memory for %zu pairs", pairs.n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        blocking_keys(&recs[i], &keys[i * BLOCKING_PASSES]);
    j.keys = keys;
    j.phase = 0;
    if (run_parallel(&j, o.threads, counts, &o, "comparing", err) < 0)
        goto done;

    if (o.progress != NULL)
        o.progress(o.progress_data, "learning", 0, 1);
    /* Too few records or pairs to learn from: the starting model, whose
     * estimates would be noise otherwise. */
    if (n >= LINKER_MIN_LEARN)
        model_estimate_u(&out->model, recs, n, 400000, 0x5EC1E);
    if (pairs.n >= LINKER_MIN_LEARN)
        learn_model(&out->model, counts);
    free(keys);
    keys = NULL;
    model_scale_thresholds(&out->model, n);
    if (o.upper != 0 || o.lower != 0) {
        out->model.upper = o.upper;
        out->model.lower = o.lower;
    }
    tf = tf_new(recs, n);
    if (tf == NULL) {
        err_set(err, SOCLE_EIO, "linker: out of memory for term frequencies");
        goto done;
    }
    j.phase = 1;
    j.model = &out->model;
    j.tf = tf;
    if (run_parallel(&j, o.threads, NULL, &o, "scoring", err) < 0)
        goto done;

    /* Automatic links, best first, refused when they would chain. */
    size_t n_auto = 0, n_rev = 0;
    for (size_t i = 0; i < pairs.n; i++) {
        n_auto += j.decision[i] == MATCH_AUTO;
        n_rev += j.decision[i] == MATCH_REVIEW;
    }
    out->auto_pairs = n_auto;
    order = malloc((n_auto + 1) * sizeof *order);
    c.parent = malloc((n + 1) * sizeof(uint32_t));
    c.size = malloc((n + 1) * sizeof(uint32_t));
    c.next = malloc((n + 1) * sizeof(uint32_t));
    c.tail = malloc((n + 1) * sizeof(uint32_t));
    out->cluster = malloc((n + 1) * sizeof(uint32_t));
    if (order == NULL || c.parent == NULL || c.size == NULL || c.next == NULL
        || c.tail == NULL || out->cluster == NULL) {
        err_set(err, SOCLE_EIO, "linker: out of memory for the clusters");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        c.parent[i] = c.tail[i] = (uint32_t)i;
        c.size[i] = 1;
        c.next[i] = UINT32_MAX;
    }
    size_t k = 0;
    for (size_t i = 0; i < pairs.n; i++)
        if (j.decision[i] == MATCH_AUTO)
            order[k++] = i;
    if (o.progress != NULL)
        o.progress(o.progress_data, "clustering", 0, n_auto);
    qsort_r(order, n_auto, sizeof *order, by_score_desc, j.score);
    for (size_t i = 0; i < n_auto; i++) {
        size_t p = order[i];
        uint32_t a = (uint32_t)(pairs.v[p] >> 32), b = (uint32_t)(pairs.v[p] & 0xFFFFFFFFu);
        uint32_t ra = find(&c, a), rb = find(&c, b);
        if (ra == rb)
            continue;
        if (compatible(&c, recs, ra, rb)) {
            join(&c, ra, rb);
            out->links++;
        } else {
            j.decision[p] = MATCH_REVIEW;  /* unsure: a human decides */
            out->refused++;
            n_rev++;
        }
    }

    /* Review pairs between records that did not end in one cluster. */
    out->review = malloc((n_rev + 1) * sizeof *out->review);
    if (out->review == NULL) {
        err_set(err, SOCLE_EIO, "linker: out of memory for the review pairs");
        goto done;
    }
    for (size_t i = 0; i < pairs.n; i++) {
        if (j.decision[i] != MATCH_REVIEW)
            continue;
        uint32_t a = (uint32_t)(pairs.v[i] >> 32), b = (uint32_t)(pairs.v[i] & 0xFFFFFFFFu);
        if (find(&c, a) == find(&c, b))
            continue;
        out->review[out->n_review++] = (link_review){a, b, j.score[i]};
    }
    qsort(out->review, out->n_review, sizeof *out->review, review_desc);

    /* Cluster numbers in the order of each cluster's first record; the
     * size array is reused to hold a root's number. */
    for (size_t i = 0; i < n; i++)
        c.size[i] = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = find(&c, (uint32_t)i);
        if (c.size[r] == 0)
            c.size[r] = (uint32_t)++out->n_clusters;
        out->cluster[i] = c.size[r];
    }
    rc = 0;
done:
    if (rc != 0) {
        linker_result_free(out);
    }
    free(order);
    free(c.parent);
    free(c.size);
    free(c.next);
    free(c.tail);
    tf_free(tf);
    free(counts);
    free(keys);
    free(j.pattern);
    free(j.score);
    free(j.decision);
    match_pairs_free(&pairs);
    return rc;
}

void linker_result_free(linker_result *r)
{
    free(r->cluster);
    free(r->review);
    r->cluster = NULL;
    r->review = NULL;
    r->n_review = r->n_clusters = 0;
}
