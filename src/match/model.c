/*
 * model.c - see model.h.
 */
#include "match/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int nlev[MF_COUNT] = {NAME_LEVELS, USED_LEVELS, FIRST_LEVELS,
                                   DATE_LEVELS, SEX_LEVELS, PLACE_LEVELS, INS_LEVELS};

#define P_MIN 1e-7

void model_init(match_model *m)
{
    /* Starting points: what a registry's data typically looks like. EM and
     * the u sampling replace them. Index 0 (n/a) is unused. */
    static const double m0[MF_COUNT][MATCH_MAX_LEVELS] = {
        {0, 0.85, 0.05, 0.05, 0.03, 0.02},
        {0, 0.80, 0.20},
        {0, 0.80, 0.08, 0.05, 0.04, 0.03},
        {0, 0.90, 0.02, 0.04, 0.02, 0.02},
        {0, 0.98, 0.02},
        {0, 0.90, 0.03, 0.07},
        {0, 0.97, 0.03},
    };
    static const double u0[MF_COUNT][MATCH_MAX_LEVELS] = {
        {0, 0.002, 0.002, 0.002, 0.01, 0.984},
        {0, 0.01, 0.99},
        {0, 0.005, 0.005, 0.005, 0.01, 0.975},
        {0, 3e-5, 1e-5, 3e-4, 0.012, 0.98765},
        {0, 0.5, 0.5},
        {0, 0.01, 0.05, 0.94},
        {0, 1e-6, 0.999999},
    };
    memset(m, 0, sizeof *m);
    memcpy(m->m, m0, sizeof m0);
    memcpy(m->u, u0, sizeof u0);
    m->prior = 0.05;
    m->upper = MODEL_DEFAULT_UPPER;
    m->lower = MODEL_DEFAULT_LOWER;
}

void model_scale_thresholds(match_model *m, size_t n)
{
    double extra = n > MODEL_SCALE_BASE ? log2((double)n / MODEL_SCALE_BASE) : 0.0;
    m->upper = MODEL_DEFAULT_UPPER + extra;
    m->lower = MODEL_DEFAULT_LOWER + extra;
}

double model_weight(const match_model *m, match_field f, int level)
{
    if (level <= 0 || f >= MF_COUNT || level >= nlev[f])
        return 0.0;
    double mm = m->m[f][level] > P_MIN ? m->m[f][level] : P_MIN;
    double uu = m->u[f][level] > P_MIN ? m->u[f][level] : P_MIN;
    return log2(mm / uu);
}

double model_score(const match_model *m, const match_cmp *c)
{
    double s = 0;
    for (int f = 0; f < MF_COUNT; f++)
        s += model_weight(m, (match_field)f, c->level[f]);
    return s;
}

uint32_t model_pattern(const match_cmp *c)
{
    uint32_t p = 0;
    for (int f = 0; f < MF_COUNT; f++)
        p = p * (uint32_t)nlev[f] + c->level[f];
    return p;
}

void model_unpattern(uint32_t pattern, match_cmp *c)
{
    for (int f = MF_COUNT - 1; f >= 0; f--) {
        c->level[f] = (unsigned char)(pattern % (uint32_t)nlev[f]);
        pattern /= (uint32_t)nlev[f];
    }
}

/* splitmix64: a small deterministic generator for the sampling. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void model_estimate_u(match_model *m, const match_record *recs, size_t n,
                      size_t samples, uint64_t seed)
{
    if (n < 2 || samples == 0)
        return;
    double count[MF_COUNT][MATCH_MAX_LEVELS] = {{0}};
    uint64_t s = seed;
    for (size_t k = 0; k < samples; k++) {
        size_t a = next_rand(&s) % n, b = next_rand(&s) % n;
        if (a == b)
            continue;
        match_cmp c;
        match_compare(&recs[a], &recs[b], &c);
        for (int f = 0; f < MF_COUNT; f++)
            count[f][c.level[f]] += 1;
    }
    for (int f = 0; f < MF_COUNT; f++) {
        double total = 0;
        for (int l = 1; l < nlev[f]; l++)
            total += count[f][l];
        if (total < 100)  /* too few comparable pairs: keep the prior */
            continue;
        for (int l = 1; l < nlev[f]; l++)
            m->u[f][l] = (count[f][l] + 0.5) / (total + 0.5 * (nlev[f] - 1));
    }
}

int model_em(match_model *m, const uint64_t *counts, int max_iter)
{
    /* The distinct patterns that occur, decoded once. */
    size_t np = 0;
    for (uint32_t p = 0; p < MODEL_PATTERNS; p++)
        np += counts[p] != 0;
    if (np == 0)
        return 0;
    uint32_t *pat = malloc(np * sizeof *pat);
    match_cmp *cmp = malloc(np * sizeof *cmp);
    if (pat == NULL || cmp == NULL) {
        free(pat);
        free(cmp);
        return 0;
    }
    np = 0;
    for (uint32_t p = 0; p < MODEL_PATTERNS; p++)
        if (counts[p] != 0) {
            pat[np] = p;
            model_unpattern(p, &cmp[np]);
            np++;
        }

    /* The non-matches among candidate pairs are not random pairs: blocking
     * made them agree on the blocking fields. EM models them with their own
     * distribution uc (started from the sampled u, learned with m); the
     * weights keep the sampled u, the population's. */
    double uc[MF_COUNT][MATCH_MAX_LEVELS];
    memcpy(uc, m->u, sizeof uc);
    int it;
    for (it = 0; it < max_iter; it++) {
        double mm[MF_COUNT][MATCH_MAX_LEVELS] = {{0}};
        double uu[MF_COUNT][MATCH_MAX_LEVELS] = {{0}};
        double sum_w = 0, sum_all = 0;
        for (size_t i = 0; i < np; i++) {
            double lm = log(m->prior), lu = log(1 - m->prior);
            for (int f = 0; f < MF_COUNT; f++) {
                int l = cmp[i].level[f];
                if (l == 0)
                    continue;
                lm += log(m->m[f][l] > P_MIN ? m->m[f][l] : P_MIN);
                lu += log(uc[f][l] > P_MIN ? uc[f][l] : P_MIN);
            }
            double w = 1.0 / (1.0 + exp(lu - lm));  /* P(match | pattern) */
            double c = (double)counts[pat[i]];
            sum_w += w * c;
            sum_all += c;
            for (int f = 0; f < MF_COUNT; f++) {
                mm[f][cmp[i].level[f]] += w * c;
                uu[f][cmp[i].level[f]] += (1 - w) * c;
            }
        }
        double moved = 0;
        double prior = sum_w / sum_all;
        if (prior < 1e-6)
            prior = 1e-6;
        if (prior > 0.999)
            prior = 0.999;
        moved = fabs(prior - m->prior);
        m->prior = prior;
        for (int f = 0; f < MF_COUNT; f++) {
            double tu = 0;
            for (int l = 1; l < nlev[f]; l++)
                tu += uu[f][l];
            for (int l = 1; l < nlev[f] && tu > 0; l++)
                uc[f][l] = (uu[f][l] + 0.01) / (tu + 0.01 * (nlev[f] - 1));
            double tot = 0;
            for (int l = 1; l < nlev[f]; l++)
                tot += mm[f][l];
            if (tot <= 0)
                continue;
            for (int l = 1; l < nlev[f]; l++) {
                /* A little smoothing: a level never seen among matches is
                 * rare, not impossible. */
                double v = (mm[f][l] + 0.01) / (tot + 0.01 * (nlev[f] - 1));
                if (fabs(v - m->m[f][l]) > moved)
                    moved = fabs(v - m->m[f][l]);
                m->m[f][l] = v;
            }
        }
        if (moved < 1e-6) {
            it++;
            break;
        }
    }
    m->em_iterations = it;
    free(pat);
    free(cmp);
    return it;
}

int model_em_session(match_model *m, const uint64_t *counts, const int learn[MF_COUNT],
                     int max_iter, double *prior_out)
{
    /* Patterns projected on the learned fields: the ignored fields are
     * set to n/a, and equal projections are counted together. */
    uint64_t *proj = calloc(MODEL_PATTERNS, sizeof *proj);
    if (proj == NULL)
        return 0;
    for (uint32_t p = 0; p < MODEL_PATTERNS; p++) {
        if (counts[p] == 0)
            continue;
        match_cmp c;
        model_unpattern(p, &c);
        for (int f = 0; f < MF_COUNT; f++)
            if (!learn[f])
                c.level[f] = 0;
        proj[model_pattern(&c)] += counts[p];
    }
    size_t np = 0;
    for (uint32_t p = 0; p < MODEL_PATTERNS; p++)
        np += proj[p] != 0;
    match_cmp *cmp = malloc((np + 1) * sizeof *cmp);
    double *cnt = malloc((np + 1) * sizeof *cnt);
    if (cmp == NULL || cnt == NULL) {
        free(proj);
        free(cmp);
        free(cnt);
        return 0;
    }
    np = 0;
    for (uint32_t p = 0; p < MODEL_PATTERNS; p++)
        if (proj[p] != 0) {
            model_unpattern(p, &cmp[np]);
            cnt[np++] = (double)proj[p];
        }
    free(proj);

    double prior = 0.1;
    int it;
    for (it = 0; it < max_iter && np > 0; it++) {
        double mm[MF_COUNT][MATCH_MAX_LEVELS] = {{0}};
        double sum_w = 0, sum_all = 0;
        for (size_t i = 0; i < np; i++) {
            double lm = log(prior), lu = log(1 - prior);
            for (int f = 0; f < MF_COUNT; f++) {
                int l = cmp[i].level[f];
                if (l == 0)
                    continue;
                lm += log(m->m[f][l] > P_MIN ? m->m[f][l] : P_MIN);
                lu += log(m->u[f][l] > P_MIN ? m->u[f][l] : P_MIN);
            }
            double w = 1.0 / (1.0 + exp(lu - lm));
            sum_w += w * cnt[i];
            sum_all += cnt[i];
            for (int f = 0; f < MF_COUNT; f++)
                mm[f][cmp[i].level[f]] += w * cnt[i];
        }
        double np_prior = sum_w / sum_all;
        np_prior = np_prior < 1e-6 ? 1e-6 : np_prior > 0.999 ? 0.999 : np_prior;
        double moved = fabs(np_prior - prior);
        prior = np_prior;
        for (int f = 0; f < MF_COUNT; f++) {
            if (!learn[f])
                continue;
            double tot = 0;
            for (int l = 1; l < nlev[f]; l++)
                tot += mm[f][l];
            if (tot <= 0)
                continue;
            for (int l = 1; l < nlev[f]; l++) {
                double v = (mm[f][l] + 0.01) / (tot + 0.01 * (nlev[f] - 1));
                if (fabs(v - m->m[f][l]) > moved)
                    moved = fabs(v - m->m[f][l]);
                m->m[f][l] = v;
            }
        }
        if (moved < 1e-6) {
            it++;
            break;
        }
    }
    m->em_iterations = it;
    if (prior_out != NULL)
        *prior_out = prior;
    free(cmp);
    free(cnt);
    return it;
}

/* ---- Term frequencies ------------------------------------------------ */

typedef struct tf_table {
    uint64_t *key;
    uint32_t *count;
    size_t mask;
} tf_table;

/* Forenames follow fashions: "NATHALIE" is rare overall and common among
 * women born around 1970. Two records born the same day are of the same
 * era, so their agreeing forename is weighed by its frequency in that era
 * (birth decade), not overall. */
#define TF_DECADES 32   /* 1800-2119 */

struct match_tf {
    tf_table names, firsts, era_firsts;
    double n;
    double era_n[TF_DECADES];  /* records with a forename, per decade */
};

/* Decade index of a birth year, or -1 when unknown or out of range. */
static int decade(uint16_t year)
{
    return year >= 1800 && year < 1800 + 10 * TF_DECADES ? (year - 1800) / 10 : -1;
}

static uint64_t era_key(uint64_t h, int d)
{
    h = (h ^ (uint64_t)(d + 1)) * 1099511628211ULL;
    return h != 0 ? h : 1;
}

static uint64_t hash_str(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h != 0 ? h : 1;
}

static int table_init(tf_table *t, size_t n, size_t min_cap)
{
    size_t cap = min_cap;
    while (cap < 2 * n)
        cap <<= 1;
    t->key = calloc(cap, sizeof *t->key);
    t->count = calloc(cap, sizeof *t->count);
    t->mask = cap - 1;
    return t->key != NULL && t->count != NULL ? 0 : -1;
}

static uint32_t *slot(const tf_table *t, uint64_t h, int insert)
{
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        if (t->key[i] == h)
            return &t->count[i];
        if (t->key[i] == 0) {
            if (!insert)
                return NULL;
            t->key[i] = h;
            return &t->count[i];
        }
    }
}

static size_t first_len(const char *forenames)
{
    return strcspn(forenames, " ");
}

match_tf *tf_new(const match_record *recs, size_t n)
{
    match_tf *tf = calloc(1, sizeof *tf);
    if (tf == NULL)
        return NULL;
    if (table_init(&tf->names, n, 1024) < 0 || table_init(&tf->firsts, n, 1024) < 0
        || table_init(&tf->era_firsts, n, 1024) < 0) {
        tf_free(tf);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const match_record *r = &recs[i];
        if (r->birth_core[0] != '\0')
            (*slot(&tf->names, hash_str(r->birth_core, strlen(r->birth_core)), 1))++;
        if (r->forenames[0] == '\0')
            continue;
        uint64_t h = hash_str(r->forenames, first_len(r->forenames));
        (*slot(&tf->firsts, h, 1))++;
        int d = decade(r->year);
        if (d >= 0) {
            (*slot(&tf->era_firsts, era_key(h, d), 1))++;
            tf->era_n[d] += 1;
        }
    }
    tf->n = n > 0 ? (double)n : 1.0;
    return tf;
}

void tf_free(match_tf *tf)
{
    if (tf == NULL)
        return;
    free(tf->names.key);
    free(tf->names.count);
    free(tf->firsts.key);
    free(tf->firsts.count);
    free(tf->era_firsts.key);
    free(tf->era_firsts.count);
    free(tf);
}

/* ---- Persisting term frequencies -------------------------------------- */

static int table_foreach(const tf_table *t, int kind,
                         int (*cb)(const tf_count *c, void *ctx), void *ctx)
{
    for (size_t i = 0; i <= t->mask; i++) {
        if (t->key[i] == 0)
            continue;
        tf_count c = { kind, t->key[i], t->count[i] };
        int rc = cb(&c, ctx);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int tf_foreach(const match_tf *tf, int (*cb)(const tf_count *c, void *ctx), void *ctx)
{
    int rc = table_foreach(&tf->names, TF_NAME, cb, ctx);
    if (rc == 0)
        rc = table_foreach(&tf->firsts, TF_FIRST, cb, ctx);
    if (rc == 0)
        rc = table_foreach(&tf->era_firsts, TF_ERA_FIRST, cb, ctx);
    tf_count c = { TF_TOTAL, 0, (uint64_t)tf->n };
    if (rc == 0)
        rc = cb(&c, ctx);
    for (int d = 0; rc == 0 && d < TF_DECADES; d++) {
        if (tf->era_n[d] <= 0)
            continue;
        c.key = (uint64_t)d + 1;
        c.count = (uint64_t)tf->era_n[d];
        rc = cb(&c, ctx);
    }
    return rc;
}

/* Mirrors the look-ups of tf_adjust: keep the two in step. */
size_t tf_record_keys(const match_record *a, tf_count out[TF_RECORD_KEYS])
{
    size_t n = 0;
    uint64_t h = hash_str(a->forenames, first_len(a->forenames));
    out[n++] = (tf_count){ TF_NAME, hash_str(a->birth_core, strlen(a->birth_core)), 0 };
    out[n++] = (tf_count){ TF_FIRST, h, 0 };
    out[n++] = (tf_count){ TF_TOTAL, 0, 0 };
    int d = decade(a->year);
    if (d >= 0) {
        out[n++] = (tf_count){ TF_ERA_FIRST, era_key(h, d), 0 };
        out[n++] = (tf_count){ TF_TOTAL, (uint64_t)d + 1, 0 };
    }
    return n;
}

match_tf *tf_from_counts(const tf_count *c, size_t n)
{
    match_tf *tf = calloc(1, sizeof *tf);
    if (tf == NULL)
        return NULL;
    /* A few entries: small tables (the probing does not depend on size). */
    if (table_init(&tf->names, n, 16) < 0 || table_init(&tf->firsts, n, 16) < 0
        || table_init(&tf->era_firsts, n, 16) < 0) {
        tf_free(tf);
        return NULL;
    }
    tf->n = 1.0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].count == 0 || (c[i].key == 0 && c[i].kind != TF_TOTAL))
            continue;  /* absent, or not a key tf_new makes (0 is "empty") */
        uint32_t count = c[i].count > UINT32_MAX ? UINT32_MAX : (uint32_t)c[i].count;
        switch (c[i].kind) {
        case TF_NAME:      *slot(&tf->names, c[i].key, 1) = count; break;
        case TF_FIRST:     *slot(&tf->firsts, c[i].key, 1) = count; break;
        case TF_ERA_FIRST: *slot(&tf->era_firsts, c[i].key, 1) = count; break;
        case TF_TOTAL:
            if (c[i].key == 0)
                tf->n = (double)c[i].count;
            else if (c[i].key <= TF_DECADES)
                tf->era_n[c[i].key - 1] = (double)c[i].count;
            break;
        default:
            break;
        }
    }
    return tf;
}

static double clamp_adj(double u, double freq)
{
    if (freq <= 0 || u <= 0)
        return 0;
    double adj = log2(u / freq);
    return adj < -6 ? -6 : adj > 4 ? 4 : adj;
}

double tf_adjust(const match_tf *tf, const match_model *m, const match_record *a,
                 const match_cmp *c)
{
    if (tf == NULL)
        return 0;
    double adj = 0;
    if (c->level[MF_NAME] == NAME_EXACT) {
        uint32_t *k = slot(&tf->names, hash_str(a->birth_core, strlen(a->birth_core)), 0);
        if (k != NULL)
            adj += clamp_adj(m->u[MF_NAME][NAME_EXACT], *k / tf->n);
    }
    if (c->level[MF_FIRST] == FIRST_EXACT || c->level[MF_FIRST] == FIRST_FIRST) {
        uint64_t h = hash_str(a->forenames, first_len(a->forenames));
        int same_era = c->level[MF_DATE] >= DATE_EXACT && c->level[MF_DATE] <= DATE_YEAR;
        int d = decade(a->year);
        uint32_t *k = same_era && d >= 0 && tf->era_n[d] >= 100
                    ? slot(&tf->era_firsts, era_key(h, d), 0) : NULL;
        if (k != NULL) {
            adj += clamp_adj(m->u[MF_FIRST][c->level[MF_FIRST]], *k / tf->era_n[d]);
        } else if ((k = slot(&tf->firsts, h, 0)) != NULL) {
            adj += clamp_adj(m->u[MF_FIRST][c->level[MF_FIRST]], *k / tf->n);
        }
    }
    return adj;
}

/* ---- JSON ------------------------------------------------------------ */

json_t *model_to_json(const match_model *m)
{
    json_t *fields = json_object();
    for (int f = 0; f < MF_COUNT && fields != NULL; f++) {
        json_t *levels = json_object();
        for (int l = 1; l < nlev[f] && levels != NULL; l++)
            json_object_set_new(levels, match_level_name((match_field)f, l),
                                json_pack("{s:f,s:f}", "m", m->m[f][l], "u", m->u[f][l]));
        json_object_set_new(fields, match_field_name((match_field)f), levels);
    }
    return json_pack("{s:i,s:f,s:f,s:f,s:o}", "version", 1, "prior", m->prior,
                     "upper", m->upper, "lower", m->lower, "fields", fields);
}

static int read_prob(const json_t *o, const char *key, double *out, socle_err *err,
                     const char *where)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL)
        return 0;
    if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
        return err_set(err, SOCLE_EINVAL, "model: %s.%s must be a number in [0, 1]",
                       where, key);
    *out = json_number_value(v);
    return 0;
}

int model_from_json(const json_t *j, match_model *m, socle_err *err)
{
    model_init(m);
    if (!json_is_object(j))
        return err_set(err, SOCLE_EINVAL, "model: not a JSON object");
    json_t *v = json_object_get(j, "version");
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        return err_set(err, SOCLE_EINVAL, "model: unsupported version");
    if (read_prob(j, "prior", &m->prior, err, "model") < 0)
        return -1;
    json_t *up = json_object_get(j, "upper"), *lo = json_object_get(j, "lower");
    if (!json_is_number(up) || !json_is_number(lo)
        || json_number_value(lo) > json_number_value(up))
        return err_set(err, SOCLE_EINVAL, "model: upper and lower must be numbers, lower <= upper");
    m->upper = json_number_value(up);
    m->lower = json_number_value(lo);
    json_t *fields = json_object_get(j, "fields");
    if (!json_is_object(fields))
        return err_set(err, SOCLE_EINVAL, "model: fields must be an object");
    for (int f = 0; f < MF_COUNT; f++) {
        json_t *levels = json_object_get(fields, match_field_name((match_field)f));
        if (levels == NULL)
            continue;
        for (int l = 1; l < nlev[f]; l++) {
            json_t *lv = json_object_get(levels, match_level_name((match_field)f, l));
            if (lv == NULL)
                continue;
            if (read_prob(lv, "m", &m->m[f][l], err, match_field_name((match_field)f)) < 0
                || read_prob(lv, "u", &m->u[f][l], err, match_field_name((match_field)f)) < 0)
                return -1;
        }
    }
    return 0;
}
