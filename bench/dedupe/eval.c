/*
 * eval.c - pairwise evaluation of a clustering (see eval.h).
 */
#include "eval.h"

#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

/* ---- a string -> dense id map (open addressing, FNV-1a) ------------- */

typedef struct strmap {
    uint32_t *slots;     /* id + 1, 0 = empty */
    size_t nslots;       /* a power of two */
    uint64_t *hashes;    /* per id */
    size_t *offs;        /* per id: key offset in text */
    uint32_t count, cap;
    char *text;
    size_t text_len, text_cap;
} strmap;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static void strmap_free(strmap *m)
{
    free(m->slots);
    free(m->hashes);
    free(m->offs);
    free(m->text);
    memset(m, 0, sizeof *m);
}

static int strmap_grow(strmap *m)
{
    size_t ns = m->nslots ? m->nslots * 2 : 1024;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t id = 0; id < m->count; id++) {
        size_t i = (size_t)m->hashes[id] & (ns - 1);
        while (slots[i])
            i = (i + 1) & (ns - 1);
        slots[i] = id + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = ns;
    return 0;
}

/* The id of key (len bytes, no NUL inside), added if new: returns 1 when
 * added, 0 when found, -1 when out of memory. */
static int strmap_intern(strmap *m, const char *key, size_t len, uint32_t *id)
{
    if ((size_t)m->count * 2 >= m->nslots && strmap_grow(m) < 0)
        return -1;
    uint64_t h = fnv1a(key, len);
    size_t i = (size_t)h & (m->nslots - 1);
    for (; m->slots[i]; i = (i + 1) & (m->nslots - 1)) {
        uint32_t cand = m->slots[i] - 1;
        const char *k = m->text + m->offs[cand];
        if (m->hashes[cand] == h && strlen(k) == len && memcmp(k, key, len) == 0) {
            *id = cand;
            return 0;
        }
    }
    if (m->count == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 1024;
        uint64_t *hs = realloc(m->hashes, cap * sizeof *hs);
        if (!hs)
            return -1;
        m->hashes = hs;
        size_t *os = realloc(m->offs, cap * sizeof *os);
        if (!os)
            return -1;
        m->offs = os;
        m->cap = cap;
    }
    if (m->text_len + len + 1 > m->text_cap) {
        size_t cap = m->text_cap ? m->text_cap * 2 : (size_t)1 << 16;
        while (cap < m->text_len + len + 1)
            cap *= 2;
        char *t = realloc(m->text, cap);
        if (!t)
            return -1;
        m->text = t;
        m->text_cap = cap;
    }
    memcpy(m->text + m->text_len, key, len);
    m->text[m->text_len + len] = '\0';
    m->offs[m->count] = m->text_len;
    m->hashes[m->count] = h;
    m->text_len += len + 1;
    m->slots[i] = m->count + 1;
    *id = m->count++;
    return 1;
}

/* ---- the arithmetic ---------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t pairs_of(uint64_t k)
{
    return k * (k - 1) / 2;
}

/* Predicted and correct pairs and false merges of a clustering, by
 * sorting (cluster, person) keys. keys is scratch of n entries. */
static void count_pairs(size_t n, const uint32_t *person, const uint32_t *cluster,
                        uint64_t *keys, uint64_t *predicted, uint64_t *correct,
                        uint64_t *false_merges, uint64_t *clusters)
{
    for (size_t i = 0; i < n; i++)
        keys[i] = ((uint64_t)cluster[i] << 32) | person[i];
    qsort(keys, n, sizeof *keys, cmp_u64);
    *predicted = *correct = *false_merges = *clusters = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t c = (uint32_t)(keys[i] >> 32);
        size_t start = i, persons = 0;
        while (i < n && (uint32_t)(keys[i] >> 32) == c) {
            size_t run = i;
            while (i < n && keys[i] == keys[run])
                i++;
            *correct += pairs_of(i - run);
            persons++;
        }
        *predicted += pairs_of(i - start);
        *false_merges += persons >= 2;
        (*clusters)++;
    }
}

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static double ratio(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : 1.0;
}

static double f1_of(double p, double r)
{
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

int eval_compute(size_t n, const uint32_t *person, const uint32_t *cluster,
                 size_t npairs, const uint32_t *pairs, eval_result *out, socle_err *err)
{
    memset(out, 0, sizeof *out);
    out->records = n;
    int rc = -1;
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    uint64_t *rp = malloc((npairs ? npairs : 1) * sizeof *rp);
    uint32_t *dense = malloc((n ? n : 1) * sizeof *dense);
    uint32_t *parent = malloc((n ? n : 1) * sizeof *parent);
    uint32_t *merged = malloc((n ? n : 1) * sizeof *merged);
    if (!keys || !rp || !dense || !parent || !merged) {
        err_set(err, SOCLE_EIO, "out of memory for %zu records", n);
        goto done;
    }

    /* True pairs and persons: sort the person ids. */
    for (size_t i = 0; i < n; i++)
        keys[i] = person[i];
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n;) {
        size_t s = i;
        while (i < n && keys[i] == keys[s])
            i++;
        out->true_pairs += pairs_of(i - s);
        out->persons++;
    }

    count_pairs(n, person, cluster, keys, &out->predicted_pairs, &out->correct_pairs,
                &out->false_merges, &out->clusters);
    out->wrong_pairs = out->predicted_pairs - out->correct_pairs;
    out->missed_pairs = out->true_pairs - out->correct_pairs;
    out->precision = ratio(out->correct_pairs, out->predicted_pairs);
    out->recall = ratio(out->correct_pairs, out->true_pairs);
    out->f1 = f1_of(out->precision, out->recall);

    /* Review: distinct unordered pairs of distinct records. */
    size_t m = 0;
    for (size_t k = 0; k < npairs; k++) {
        uint32_t a = pairs[2 * k], b = pairs[2 * k + 1];
        if (a >= n || b >= n) {
            err_set(err, SOCLE_EINVAL, "review pair %zu names record %u of %zu", k + 1,
                    a >= n ? a : b, n);
            goto done;
        }
        if (a == b)
            continue;
        rp[m++] = a < b ? ((uint64_t)a << 32) | b : ((uint64_t)b << 32) | a;
    }
    qsort(rp, m, sizeof *rp, cmp_u64);

    /* Clusters as dense indexes 0..n-1 for the union-find of the review. */
    for (size_t i = 0; i < n; i++)
        keys[i] = ((uint64_t)cluster[i] << 32) | (uint64_t)i;
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0, d = 0; i < n; i++) {
        if (i > 0 && (keys[i] >> 32) != (keys[i - 1] >> 32))
            d++;
        dense[(uint32_t)keys[i]] = (uint32_t)d;
    }
    for (size_t i = 0; i < n; i++)
        parent[i] = (uint32_t)i;

    for (size_t k = 0; k < m; k++) {
        if (k > 0 && rp[k] == rp[k - 1])
            continue;
        uint32_t a = (uint32_t)(rp[k] >> 32), b = (uint32_t)rp[k];
        out->review_pairs++;
        if (person[a] != person[b])
            continue;
        out->review_true++;
        if (cluster[a] != cluster[b]) {
            out->missed_in_review++;
            uint32_t ra = uf_find(parent, dense[a]), rb = uf_find(parent, dense[b]);
            if (ra != rb)
                parent[ra] = rb;
        }
    }
    out->review_share = ratio(out->missed_in_review, out->missed_pairs);

    for (size_t i = 0; i < n; i++)
        merged[i] = uf_find(parent, dense[i]);
    uint64_t pred2, corr2, fm2, cl2;
    count_pairs(n, person, merged, keys, &pred2, &corr2, &fm2, &cl2);
    out->precision_after_review = ratio(corr2, pred2);
    out->recall_after_review = ratio(corr2, out->true_pairs);
    rc = 0;
done:
    free(keys);
    free(rp);
    free(dense);
    free(parent);
    free(merged);
    return rc;
}

/* ---- files ------------------------------------------------------------ */

struct eval_data {
    strmap records;   /* "source\x1flocal_id" -> record index */
    strmap persons;   /* person_id -> dense id */
    strmap clusters;  /* cluster_id -> dense id */
    uint32_t *person, *cluster;
    size_t cap;
    uint32_t *pairs;
    size_t npairs, pairs_cap;
};

eval_data *eval_data_new(void)
{
    return calloc(1, sizeof(eval_data));
}

void eval_data_free(eval_data *d)
{
    if (!d)
        return;
    strmap_free(&d->records);
    strmap_free(&d->persons);
    strmap_free(&d->clusters);
    free(d->person);
    free(d->cluster);
    free(d->pairs);
    free(d);
}

#define NO_CLUSTER UINT32_MAX

/* The record key "source\x1flocal_id" into buf (the unit separator
 * cannot be in a valid CSV field of ours). */
static size_t record_key(char *buf, size_t cap, const char *source, const char *local_id)
{
    int n = snprintf(buf, cap, "%s\x1f%s", source, local_id);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

static int open_csv(FILE *in, const char *name, const char *const *cols, size_t ncols,
                    csv_reader **out, socle_err *err)
{
    csv_reader *r = csv_reader_new(in, name);
    if (!r)
        return err_set(err, SOCLE_EIO, "%s: out of memory", name);
    int got = csv_next(r, err);
    if (got == 0)
        err_set(err, SOCLE_EINVAL, "%s: empty file, expected a header", name);
    if (got <= 0 || csv_expect_header(r, cols, ncols, err) < 0) {
        csv_reader_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

/* Look a record up by the fields at i and i+1 of the current line. */
static int find_record(eval_data *d, csv_reader *r, size_t i, uint32_t *idx, socle_err *err)
{
    char key[1024];
    size_t len = record_key(key, sizeof key, csv_field(r, i), csv_field(r, i + 1));
    int added = strmap_intern(&d->records, key, len, idx);
    if (added < 0)
        return err_set(err, SOCLE_EIO, "out of memory");
    if (added == 1 || *idx >= d->cap)
        /* Interned just now: not in the truth. The map grew by one key that
         * no truth record owns; the truth is complete, so this is harmless
         * and the caller stops. */
        return csv_error(r, err, SOCLE_EINVAL, "record %s/%s is not in the truth",
                         csv_field(r, i), csv_field(r, i + 1));
    return 0;
}

int eval_load_truth(eval_data *d, FILE *in, const char *name, socle_err *err)
{
    static const char *const cols[] = { "source", "local_id", "person_id" };
    csv_reader *r;
    if (open_csv(in, name, cols, 3, &r, err) < 0)
        return -1;
    int rc = -1, got;
    while ((got = csv_next(r, err)) == 1) {
        if (csv_field_count(r) != 3) {
            csv_error(r, err, SOCLE_EINVAL, "expected 3 fields, got %zu", csv_field_count(r));
            goto done;
        }
        char key[1024];
        size_t len = record_key(key, sizeof key, csv_field(r, 0), csv_field(r, 1));
        uint32_t idx, pid;
        int added = strmap_intern(&d->records, key, len, &idx);
        if (added == 0) {
            csv_error(r, err, SOCLE_EINVAL, "record %s/%s appears twice", csv_field(r, 0),
                      csv_field(r, 1));
            goto done;
        }
        const char *p = csv_field(r, 2);
        if (added < 0 || strmap_intern(&d->persons, p, strlen(p), &pid) < 0) {
            err_set(err, SOCLE_EIO, "out of memory");
            goto done;
        }
        if (idx >= d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 1024;
            uint32_t *pe = realloc(d->person, cap * sizeof *pe);
            if (!pe) {
                err_set(err, SOCLE_EIO, "out of memory");
                goto done;
            }
            d->person = pe;
            uint32_t *cl = realloc(d->cluster, cap * sizeof *cl);
            if (!cl) {
                err_set(err, SOCLE_EIO, "out of memory");
                goto done;
            }
            d->cluster = cl;
            d->cap = cap;
        }
        d->person[idx] = pid;
        d->cluster[idx] = NO_CLUSTER;
    }
    rc = got;
done:
    /* Only truth records may own indexes below cap: keep cap exact. */
    d->cap = d->records.count;
    csv_reader_free(r);
    return rc < 0 ? -1 : 0;
}

int eval_load_clusters(eval_data *d, FILE *in, const char *name, socle_err *err)
{
    static const char *const cols[] = { "source", "local_id", "cluster_id" };
    csv_reader *r;
    if (open_csv(in, name, cols, 3, &r, err) < 0)
        return -1;
    int rc = -1, got;
    while ((got = csv_next(r, err)) == 1) {
        if (csv_field_count(r) != 3) {
            csv_error(r, err, SOCLE_EINVAL, "expected 3 fields, got %zu", csv_field_count(r));
            goto done;
        }
        uint32_t idx, cid;
        if (find_record(d, r, 0, &idx, err) < 0)
            goto done;
        if (d->cluster[idx] != NO_CLUSTER) {
            csv_error(r, err, SOCLE_EINVAL, "record %s/%s is given twice", csv_field(r, 0),
                      csv_field(r, 1));
            goto done;
        }
        const char *c = csv_field(r, 2);
        if (strmap_intern(&d->clusters, c, strlen(c), &cid) < 0) {
            err_set(err, SOCLE_EIO, "out of memory");
            goto done;
        }
        d->cluster[idx] = cid;
    }
    rc = got;
done:
    csv_reader_free(r);
    return rc < 0 ? -1 : 0;
}

int eval_load_review(eval_data *d, FILE *in, const char *name, socle_err *err)
{
    static const char *const cols[] = { "source_a", "local_id_a", "source_b", "local_id_b",
                                        "score" };
    csv_reader *r;
    if (open_csv(in, name, cols, 5, &r, err) < 0)
        return -1;
    int rc = -1, got;
    while ((got = csv_next(r, err)) == 1) {
        if (csv_field_count(r) != 5) {
            csv_error(r, err, SOCLE_EINVAL, "expected 5 fields, got %zu", csv_field_count(r));
            goto done;
        }
        uint32_t a, b;
        if (find_record(d, r, 0, &a, err) < 0 || find_record(d, r, 2, &b, err) < 0)
            goto done;
        if (d->npairs + 2 > d->pairs_cap) {
            size_t cap = d->pairs_cap ? d->pairs_cap * 2 : 1024;
            uint32_t *p = realloc(d->pairs, cap * sizeof *p);
            if (!p) {
                err_set(err, SOCLE_EIO, "out of memory");
                goto done;
            }
            d->pairs = p;
            d->pairs_cap = cap;
        }
        d->pairs[d->npairs++] = a;
        d->pairs[d->npairs++] = b;
    }
    rc = got;
done:
    csv_reader_free(r);
    return rc < 0 ? -1 : 0;
}

int eval_run(const eval_data *d, eval_result *out, socle_err *err)
{
    size_t n = d->cap;
    uint32_t *cluster = malloc((n ? n : 1) * sizeof *cluster);
    if (!cluster)
        return err_set(err, SOCLE_EIO, "out of memory");
    /* A record the clusters file lacks is a cluster of its own: ids past
     * every named cluster. */
    uint32_t next = d->clusters.count;
    uint64_t unclustered = 0;
    for (size_t i = 0; i < n; i++) {
        cluster[i] = d->cluster[i];
        if (cluster[i] == NO_CLUSTER) {
            cluster[i] = next++;
            unclustered++;
        }
    }
    int rc = eval_compute(n, d->person, cluster, d->npairs / 2, d->pairs, out, err);
    out->unclustered = unclustered;
    free(cluster);
    return rc;
}

void eval_print(const eval_result *r, int with_review, FILE *out)
{
    fprintf(out, "records            %llu (%llu persons, %llu predicted clusters)\n",
            (unsigned long long)r->records, (unsigned long long)r->persons,
            (unsigned long long)r->clusters);
    if (r->unclustered)
        fprintf(out, "WARNING            %llu records missing from the clusters file "
                "(counted as singletons)\n", (unsigned long long)r->unclustered);
    fprintf(out, "pairs              %llu true, %llu predicted, %llu correct\n",
            (unsigned long long)r->true_pairs, (unsigned long long)r->predicted_pairs,
            (unsigned long long)r->correct_pairs);
    fprintf(out, "precision          %.6f\n", r->precision);
    fprintf(out, "recall             %.6f\n", r->recall);
    fprintf(out, "f1                 %.6f\n", r->f1);
    fprintf(out, "false merges       %llu clusters holding >= 2 persons, %llu wrong pairs\n",
            (unsigned long long)r->false_merges, (unsigned long long)r->wrong_pairs);
    fprintf(out, "missed pairs       %llu\n", (unsigned long long)r->missed_pairs);
    if (with_review) {
        fprintf(out, "review             %llu distinct pairs, %llu of the same person "
                "(%.1f%%)\n", (unsigned long long)r->review_pairs,
                (unsigned long long)r->review_true,
                100.0 * (r->review_pairs ? (double)r->review_true / (double)r->review_pairs : 0));
        fprintf(out, "missed in review   %llu of %llu missed pairs (%.1f%%)\n",
                (unsigned long long)r->missed_in_review, (unsigned long long)r->missed_pairs,
                100.0 * r->review_share);
        fprintf(out, "after review       precision %.6f, recall %.6f (every true review "
                "pair accepted, clusters merged)\n",
                r->precision_after_review, r->recall_after_review);
    }
    fprintf(out, "precision=%.6f recall=%.6f f1=%.6f false_merges=%llu wrong_pairs=%llu "
            "true_pairs=%llu predicted_pairs=%llu missed_pairs=%llu",
            r->precision, r->recall, r->f1, (unsigned long long)r->false_merges,
            (unsigned long long)r->wrong_pairs, (unsigned long long)r->true_pairs,
            (unsigned long long)r->predicted_pairs, (unsigned long long)r->missed_pairs);
    if (with_review)
        fprintf(out, " review_pairs=%llu missed_in_review=%llu review_share=%.6f "
                "recall_after_review=%.6f precision_after_review=%.6f",
                (unsigned long long)r->review_pairs, (unsigned long long)r->missed_in_review,
                r->review_share, r->recall_after_review, r->precision_after_review);
    fputc('\n', out);
}
