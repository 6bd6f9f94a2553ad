/*
 * blocking.c - see blocking.h.
 */
#include "match/blocking.h"

#include "match/similarity.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a over the pass id and the values, separated so that ("AB","C")
 * and ("A","BC") differ. */
static uint64_t hash_parts(int pass, const char *s1, const char *s2, unsigned v)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (uint64_t)(pass + 1)) * 1099511628211ULL;
    for (const char *p = s1; p != NULL && *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xFFu) * 1099511628211ULL;
    for (const char *p = s2; p != NULL && *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xFEu) * 1099511628211ULL;
    for (int i = 0; i < 4; i++)
        h = (h ^ ((v >> (8 * i)) & 0xFFu)) * 1099511628211ULL;
    return h != 0 ? h : 1;
}

size_t blocking_keys(const match_record *r, uint64_t keys[BLOCKING_PASSES])
{
    memset(keys, 0, sizeof(uint64_t) * BLOCKING_PASSES);
    unsigned date = r->month != 0 && r->day != 0
                  ? (unsigned)r->year * 10000u + r->month * 100u + r->day : 0;
    /* NAME_YEAR and USED_YEAR share one key space: same pass id. */
    if (r->birth_phon[0] != '\0' && r->year != 0)
        keys[BK_NAME_YEAR] = hash_parts(BK_NAME_YEAR, r->birth_phon, NULL, r->year);
    if (r->used_phon[0] != '\0' && r->year != 0
        && strcmp(r->used_phon, r->birth_phon) != 0)
        keys[BK_USED_YEAR] = hash_parts(BK_NAME_YEAR, r->used_phon, NULL, r->year);
    if (date != 0 && r->sex != 'U')
        keys[BK_DATE_SEX] = hash_parts(BK_DATE_SEX, r->sex == 'M' ? "M" : "F", NULL, date);
    if (r->ins_state == MATCH_INS_USABLE || r->ins_state == MATCH_INS_INCONSISTENT)
        keys[BK_INS] = hash_parts(BK_INS, r->ins, NULL, 0);
    if (date != 0 && r->forenames[0] != '\0') {
        char first[MATCH_FORENAMES_MAX];
        size_t l = strcspn(r->forenames, " -");
        memcpy(first, r->forenames, l);
        first[l] = '\0';
        keys[BK_FIRST_DATE] = hash_parts(BK_FIRST_DATE, first, NULL, date);
    }
    if (r->birth_phon[0] != '\0' && r->first_phon[0] != '\0')
        keys[BK_NAME_FIRST] = hash_parts(BK_NAME_FIRST, r->birth_phon, r->first_phon, 0);
    size_t k = 0;
    for (int i = 0; i < BLOCKING_PASSES; i++)
        k += keys[i] != 0;
    return k;
}

int blocking_sort_u64(uint64_t *v, size_t n)
{
    if (n < 2)
        return 0;
    uint64_t *tmp = malloc(n * sizeof *tmp);
    if (tmp == NULL)
        return -1;
    uint64_t *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        size_t *count = calloc(65536 + 1, sizeof *count);
        if (count == NULL) {
            free(tmp);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            count[((src[i] >> shift) & 0xFFFF) + 1]++;
        if (count[((src[0] >> shift) & 0xFFFF) + 1] == n) {  /* one digit value */
            free(count);
            continue;
        }
        for (size_t d = 0; d < 65536; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xFFFF]++] = src[i];
        free(count);
        uint64_t *t = src;
        src = dst, dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
    return 0;
}

typedef struct entry {
    uint64_t key;
    uint32_t idx;
    uint32_t pass;
} entry;

/* Initials of every forename and forename part, as a bit set (A-Z; other
 * letters share one bit). */
static uint32_t initials(const char *forenames)
{
    uint32_t set = 0;
    for (const char *p = forenames; *p != '\0'; p++)
        if (p == forenames || p[-1] == ' ' || p[-1] == '-')
            set |= *p >= 'A' && *p <= 'Z' ? 1u << (*p - 'A') : 1u << 26;
    return set;
}

int blocking_pair_wanted(int pass, const match_record *a, const match_record *b)
{
    switch (pass) {
    case BK_NAME_YEAR:
    case BK_USED_YEAR:
    case BK_DATE_SEX: {
        uint32_t ia = initials(a->forenames), ib = initials(b->forenames);
        return ia == 0 || ib == 0 || (ia & ib) != 0;
    }
    case BK_NAME_FIRST:
        return match_compare_dates(a, b) != DATE_DIFF;
    default:
        return 1;
    }
}

int blocking_training_key(uint64_t key)
{
    return (key * 0x9E3779B97F4A7C15ULL) >> 61 == 0;
}

static int cmp_entry(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

typedef struct pairbuf {
    uint64_t *v;
    size_t n, cap;
} pairbuf;

static int push(pairbuf *p, uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    if (a > b) {
        uint32_t t = a;
        a = b, b = t;
    }
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 1 << 16;
        uint64_t *nv = realloc(p->v, nc * sizeof *nv);
        if (nv == NULL)
            return -1;
        p->v = nv, p->cap = nc;
    }
    p->v[p->n++] = ((uint64_t)a << 32) | b;
    return 0;
}

/* Is the pair worth comparing? pass -1: a training block, every pair. */
static int want(const match_record *recs, int pass, uint32_t a, uint32_t b,
                blocking_stats *st)
{
    if (pass < 0 || a == b || blocking_pair_wanted(pass, &recs[a], &recs[b]))
        return 1;
    st->filtered++;
    return 0;
}

/* Sorted-neighbourhood order inside an oversized block. */
static int cmp_by_names(const void *x, const void *y, void *ctx)
{
    const match_record *recs = ctx;
    const match_record *a = &recs[*(const uint32_t *)x];
    const match_record *b = &recs[*(const uint32_t *)y];
    int c = strcmp(a->birth_core, b->birth_core);
    return c != 0 ? c : strcmp(a->forenames, b->forenames);
}

int blocking_pairs(const match_record *recs, size_t n, size_t cap, size_t window,
                   match_pairs *out, blocking_stats *stats, socle_err *err)
{
    blocking_stats st = {0};
    out->v = NULL, out->n = 0;
    if (cap == 0)
        cap = BLOCKING_DEFAULT_CAP;
    if (window == 0)
        window = BLOCKING_DEFAULT_WINDOW;
    entry *e = malloc((n * BLOCKING_PASSES + 1) * sizeof *e);
    if (e == NULL)
        return err_set(err, SOCLE_EIO, "blocking: out of memory for %zu records", n);
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k[BLOCKING_PASSES];
        blocking_keys(&recs[i], k);
        for (int p = 0; p < BLOCKING_PASSES; p++)
            if (k[p] != 0)
                e[ne++] = (entry){k[p], (uint32_t)i, (uint32_t)p};
    }
    qsort(e, ne, sizeof *e, cmp_entry);

    pairbuf pb = {0};
    uint32_t *members = malloc((cap + 1) * sizeof *members);
    size_t mcap = cap + 1;
    int rc = members != NULL ? 0 : -1;
    for (size_t i = 0; i < ne && rc == 0;) {
        size_t j = i + 1;
        while (j < ne && e[j].key == e[i].key)
            j++;
        size_t sz = j - i;
        /* NAME_YEAR and USED_YEAR share keys and their filter. */
        int pass = blocking_training_key(e[i].key) ? -1 : (int)e[i].pass;
        if (sz >= 2) {
            st.blocks++;
            if (sz > st.largest)
                st.largest = sz;
            if (sz <= cap) {
                for (size_t a = i; a < j && rc == 0; a++)
                    for (size_t b = a + 1; b < j && rc == 0; b++)
                        rc = want(recs, pass, e[a].idx, e[b].idx, &st)
                           ? push(&pb, e[a].idx, e[b].idx) : 0;
            } else {
                st.capped_blocks++;
                if (sz > mcap) {
                    uint32_t *nm = realloc(members, sz * sizeof *nm);
                    if (nm == NULL) {
                        rc = -1;
                        break;
                    }
                    members = nm, mcap = sz;
                }
                for (size_t a = 0; a < sz; a++)
                    members[a] = e[i + a].idx;
                qsort_r(members, sz, sizeof *members, cmp_by_names, (void *)recs);
                for (size_t a = 0; a < sz && rc == 0; a++)
                    for (size_t b = a + 1; b < sz && b <= a + window && rc == 0; b++)
                        rc = want(recs, pass, members[a], members[b], &st)
                           ? push(&pb, members[a], members[b]) : 0;
            }
        }
        i = j;
    }
    free(members);
    free(e);
    st.raw_pairs = pb.n;
    if (rc == 0)
        rc = blocking_sort_u64(pb.v, pb.n);
    if (rc != 0) {
        free(pb.v);
        return err_set(err, SOCLE_EIO, "blocking: out of memory for the candidate pairs");
    }
    size_t u = 0;
    for (size_t i = 0; i < pb.n; i++)
        if (u == 0 || pb.v[i] != pb.v[u - 1])
            pb.v[u++] = pb.v[i];
    out->v = pb.v, out->n = u;
    if (stats != NULL)
        *stats = st;
    return 0;
}

void match_pairs_free(match_pairs *p)
{
    free(p->v);
    p->v = NULL, p->n = 0;
}
