/*
 * matching.c - real-time identity matching (see matching.h).
 */
#include "core/matching.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/review.h"
#include "store/store.h"
#include "util/buf.h"

void matching_record(const identity_traits *t, const char *ins, match_record *out)
{
    char sex[2] = { t->sex ? t->sex : 'U', '\0' };
    match_input in = {
        .birth_name = t->birth_name,
        .used_name = t->used_name,
        .first_names = t->forenames[0] ? t->forenames : t->first_forename,
        .birth_date = t->birth_date,
        .sex = sex,
        .birth_place = t->birth_place,
        .ins = ins,
    };
    memset(out, 0, sizeof *out);  /* padding too: the record is stored as bytes */
    /* Traits were validated as UTF-8 when stored: a failure here leaves
     * the offending field unknown, which is what the engine wants. */
    (void)match_normalize(&in, out);
}

void matching_keys(const local_identity *li, uint64_t keys[BLOCKING_PASSES])
{
    match_record r;
    matching_record(&li->traits, li->ins, &r);
    blocking_keys(&r, keys);
}

/* The stored form of a record. Format 2 (written): a format byte, then
 * each text field as a length byte and its bytes (a core name equal to the
 * full one as the length REC_SAME), then year (2 bytes, little-endian),
 * month, day, sex and INS state: some 60 bytes where the struct is 260,
 * so that four times more records fit in a page (the candidates of an
 * identity are a few hundred scattered records). Format 1 (read only,
 * written before): a format byte, then the struct as the build lays it
 * out. A record of another format or size is not used: the identity is
 * read and normalised. */
#define REC_FORMAT_STRUCT 1
#define REC_FORMAT_PACKED 2
#define REC_SAME 0xFF
#define REC_STRUCT_BYTES (1 + sizeof(match_record))
#define REC_TEXTS 10
/* At most: the format byte, a length byte per text, 6 bytes of numbers,
 * and the texts themselves (each shorter than its field). */
#define REC_PACKED_MAX (1 + REC_TEXTS + 6 + sizeof(match_record))
_Static_assert(REC_STRUCT_BYTES <= STORE_MATCH_REC_MAX, "match_record outgrew its store slot");
_Static_assert(REC_PACKED_MAX <= STORE_MATCH_REC_MAX, "match_record outgrew its store slot");

/* The text fields of r, in their stored order, with their sizes. */
static void rec_texts(match_record *r, char *f[REC_TEXTS], size_t size[REC_TEXTS])
{
    char *v[REC_TEXTS] = { r->birth_name, r->birth_core, r->used_name, r->used_core,
                           r->forenames, r->birth_phon, r->used_phon, r->first_phon,
                           r->ins, r->place };
    size_t z[REC_TEXTS] = { sizeof r->birth_name, sizeof r->birth_core, sizeof r->used_name,
                            sizeof r->used_core, sizeof r->forenames, sizeof r->birth_phon,
                            sizeof r->used_phon, sizeof r->first_phon, sizeof r->ins,
                            sizeof r->place };
    memcpy(f, v, sizeof v);
    memcpy(size, z, sizeof z);
}

static size_t rec_pack(const match_record *in, unsigned char *b)
{
    match_record r = *in;
    char *f[REC_TEXTS];
    size_t size[REC_TEXTS], at = 0;
    rec_texts(&r, f, size);
    b[at++] = REC_FORMAT_PACKED;
    for (int i = 0; i < REC_TEXTS; i++) {
        size_t len = strnlen(f[i], size[i] - 1);
        if ((i == 1 || i == 3) && strcmp(f[i], f[i - 1]) == 0) {
            b[at++] = REC_SAME;  /* a core name without particles */
            continue;
        }
        b[at++] = (unsigned char)len;
        memcpy(b + at, f[i], len);
        at += len;
    }
    b[at++] = (unsigned char)(r.year & 0xFF);
    b[at++] = (unsigned char)(r.year >> 8);
    b[at++] = r.month;
    b[at++] = r.day;
    b[at++] = (unsigned char)r.sex;
    b[at++] = r.ins_state;
    return at;
}

/* 1 when b[0..n) is a packed record (into out), else 0. */
static int rec_unpack_packed(const unsigned char *b, size_t n, match_record *out)
{
    memset(out, 0, sizeof *out);
    char *f[REC_TEXTS];
    size_t size[REC_TEXTS], at = 1;
    rec_texts(out, f, size);
    for (int i = 0; i < REC_TEXTS; i++) {
        if (at >= n)
            return 0;
        size_t len = b[at++];
        if (len == REC_SAME && (i == 1 || i == 3)) {
            memcpy(f[i], f[i - 1], size[i]);
            continue;
        }
        if (len >= size[i] || len > n - at)
            return 0;
        memcpy(f[i], b + at, len);
        at += len;
    }
    if (n - at != 6)
        return 0;
    out->year = (uint16_t)(b[at] | b[at + 1] << 8);
    out->month = b[at + 2];
    out->day = b[at + 3];
    out->sex = (char)b[at + 4];
    out->ins_state = b[at + 5];
    return 1;
}

int matching_index_record_in_tx(struct store *st, int64_t local_id, int64_t domain_id,
                                const match_record *r, socle_err *err)
{
    unsigned char b[REC_PACKED_MAX];
    size_t n = rec_pack(r, b);
    uint64_t keys[BLOCKING_PASSES];
    blocking_keys(r, keys);
    return store_match_keys_set(st, local_id, domain_id, keys, BLOCKING_PASSES, b, n, err);
}

int matching_index_in_tx(struct store *st, const local_identity *li, socle_err *err)
{
    match_record r;
    matching_record(&li->traits, li->ins, &r);
    return matching_index_record_in_tx(st, li->id, li->domain_id, &r, err);
}

static int rec_unpack(const store_match_cand *c, match_record *out)
{
    if (c->rec_len > 0 && c->rec[0] == REC_FORMAT_PACKED)
        return rec_unpack_packed(c->rec, c->rec_len, out);
    if (c->rec_len != REC_STRUCT_BYTES || c->rec[0] != REC_FORMAT_STRUCT)
        return 0;
    memcpy(out, c->rec + 1, sizeof *out);
    return 1;
}

/* Raise m's thresholds for the population, as batch linking does
 * (model_scale_thresholds), as an offset: thresholds saved with the model
 * are kept and raised by the same amount as the defaults would be. */
static int scale_for_population(struct store *st, match_model *m, socle_err *err)
{
    int64_t n;
    if (store_local_count_estimate(st, &n, err) != 0)
        return -1;
    match_model d;
    model_scale_thresholds(&d, n > 0 ? (size_t)n : 0);
    m->upper += d.upper - MODEL_DEFAULT_UPPER;
    m->lower += d.lower - MODEL_DEFAULT_LOWER;
    return 0;
}

/* What the store handle keeps of the persisted model: the parsed model and
 * whether term frequencies are stored (written with the model, in its
 * transaction: the model's generation covers them too). */
typedef struct cached_model {
    match_model m;
    int has_freq;
} cached_model;

static int model_load(struct store *st, match_model *out, int *has_freq, socle_err *err)
{
    /* The parsed model is kept by the store handle (its generation says
     * when `socle match train` saved another one): parsing the JSON for
     * every incoming identity was a tenth of the real-time budget. */
    int64_t gen;
    cached_model c;
    memset(&c, 0, sizeof c);
    match_model *m = &c.m;
    int cached = store_match_model_cache_get(st, &c, sizeof c, &gen, err);
    if (cached < 0)
        return -1;
    if (!cached) {
        model_init(m);
        if (gen >= 0) {
            buf j = { 0 };
            int found = store_match_model_get(st, &j, err);
            if (found < 0) {
                buf_free(&j);
                return -1;
            }
            json_error_t jerr;
            json_t *root = found ? json_loads(buf_cstr(&j), 0, &jerr) : NULL;
            buf_free(&j);
            if (found && root == NULL)
                return err_set(err, SOCLE_EIO, "stored matching model: %s", jerr.text);
            int rc = root ? model_from_json(root, m, err) : 0;
            json_decref(root);
            if (rc != 0)
                return -1;
            if ((c.has_freq = store_match_freq_any(st, err)) < 0)
                return -1;
        }
        store_match_model_cache_put(st, gen, &c, sizeof c);
    }
    *out = c.m;
    if (has_freq != NULL)
        *has_freq = c.has_freq;
    return scale_for_population(st, out, err);
}

int matching_model_load(struct store *st, match_model *m, socle_err *err)
{
    return model_load(st, m, NULL, err);
}

/* The counts r's pairs need, in one query (see matching.h); none when
 * nothing is stored (has_freq 0: never trained), without a query. */
static int record_tf(struct store *st, int has_freq, const match_record *r, match_tf **out,
                     socle_err *err)
{
    *out = NULL;
    if (!has_freq)
        return 0;
    tf_count want[TF_RECORD_KEYS];
    store_match_freq f[TF_RECORD_KEYS];
    _Static_assert(TF_RECORD_KEYS <= STORE_MATCH_FREQ_GET_MAX, "one query per record");
    size_t n = tf_record_keys(r, want);
    for (size_t i = 0; i < n; i++)
        f[i] = (store_match_freq){ want[i].kind, want[i].key, 0 };
    if (store_match_freq_get(st, f, n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        want[i].count = f[i].count > 0 ? (uint64_t)f[i].count : 0;
    *out = tf_from_counts(want, n);
    return *out != NULL ? 0 : err_set(err, SOCLE_EIO, "matching: out of memory");
}

int matching_record_tf(struct store *st, const match_record *r, match_tf **out,
                       socle_err *err)
{
    match_model m;
    int has_freq;
    *out = NULL;
    if (model_load(st, &m, &has_freq, err) != 0)
        return -1;
    return record_tf(st, has_freq, r, out, err);
}

const char *matching_decision_name(link_decision d)
{
    switch (d) {
    case MATCH_AUTO:   return "auto";
    case MATCH_REVIEW: return "review";
    case MATCH_NONE:   break;
    }
    return "none";
}

void matching_explain_records(const match_model *m, const match_tf *tf,
                              const match_record *a, const match_record *b,
                              matching_explanation *out)
{
    memset(out, 0, sizeof *out);
    match_compare(a, b, &out->cmp);
    for (int f = 0; f < MF_COUNT; f++)
        out->weight[f] = model_weight(m, (match_field)f, out->cmp.level[f]);
    /* As batch scores (linker.c): the weights, then the adjustment. */
    out->tf_adjust = tf_adjust(tf, m, a, &out->cmp);
    out->score = model_score(m, &out->cmp) + out->tf_adjust;
    out->decision = linker_decide(m, a, b, &out->cmp, out->score, &out->rule);
    out->upper = m->upper;
    out->lower = m->lower;
}

char *matching_explanation_json(const matching_explanation *e)
{
    json_t *arr = json_array();
    for (int f = 0; f < MF_COUNT && arr != NULL; f++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:f}",
            "field", match_field_name((match_field)f),
            "level", match_level_name((match_field)f, e->cmp.level[f]),
            "weight", e->weight[f]));
    char *s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (s == NULL)
        abort();  /* out of memory: same policy as util/buf */
    return s;
}

/* ---- Candidates ------------------------------------------------------- */

typedef struct cand_set {
    matching_candidate *v;
    size_t n, cap;
} cand_set;

static int has_local(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static size_t insert_scored(const match_model *m, const match_tf *tf, const match_record *r,
                            const match_record *cr, const store_match_cand *g,
                            matching_candidate *out, size_t n, size_t max);

/* The passes in the order their candidates are taken, most selective
 * first: when MATCHING_MAX_CANDIDATES cuts, it cuts the broad blocks. */
static const int pass_order[BLOCKING_PASSES] = {
    BK_INS, BK_FIRST_DATE, BK_DATE_SEX, BK_NAME_YEAR, BK_USED_YEAR, BK_NAME_FIRST,
};
_Static_assert(BLOCKING_PASSES <= STORE_MATCH_KEYS, "a query arm per blocking pass");

/* Score every active local identity sharing a key with r (not self_id,
 * not under self_ght when non-zero) into out, best first. */
static int gather(struct store *st, const match_model *m, const match_tf *tf,
                  const match_record *r,
                  int64_t self_id, int64_t self_ght, matching_candidate *out, size_t max,
                  size_t *n_out, socle_err *err)
{
    uint64_t all[BLOCKING_PASSES], keys[BLOCKING_PASSES];
    blocking_keys(r, all);
    size_t n_keys = 0;
    for (int k = 0; k < BLOCKING_PASSES; k++)
        if (all[pass_order[k]] != 0)
            keys[n_keys++] = all[pass_order[k]];
    /* The candidates of every key in one query, with their normalised
     * record: no identity read nor normalisation per candidate. */
    enum { ROWS = BLOCKING_PASSES * MATCHING_KEY_CAP };
    store_match_cand *got = malloc(ROWS * sizeof *got);
    int64_t *ids = malloc(MATCHING_MAX_CANDIDATES * sizeof *ids);
    if (got == NULL || ids == NULL) {
        free(got);
        free(ids);
        return err_set(err, SOCLE_EIO, "matching: out of memory");
    }
    size_t n_got = 0, n_ids = 0, n = 0;
    int rc = store_match_candidates(st, keys, n_keys, self_id, MATCHING_KEY_CAP, got, ROWS,
                                    &n_got, err);
    for (size_t i = 0; rc == 0 && i < n_got && n_ids < MATCHING_MAX_CANDIDATES; i++) {
        store_match_cand *g = &got[i];
        if (has_local(ids, n_ids, g->local_id))
            continue;
        if (g->ght_id == 0 || (self_ght != 0 && g->ght_id == self_ght)) {
            ids[n_ids++] = g->local_id;
            continue;
        }
        match_record cr;
        if (!rec_unpack(g, &cr)) {
            /* Indexed before records were stored: read and normalise. */
            local_identity c;
            int found = store_local_get(st, g->local_id, &c, err);
            if (found < 0) {
                rc = -1;
                break;
            }
            if (!found)
                continue;
            g->domain_id = c.domain_id;
            matching_record(&c.traits, c.ins, &cr);
        }
        /* No pair filter (blocking_pair_wanted) here: it cost decisions
         * (at 100,000 stored, 2 automatic links and 7 reviews of 1,000
         * fewer) for a saving of a few percent of the CPU time. */
        ids[n_ids++] = g->local_id;
        n = insert_scored(m, tf, r, &cr, g, out, n, max);
    }
    free(got);
    free(ids);
    if (rc != 0)
        return -1;
    *n_out = n;
    return 0;
}

/* Score candidate g (record cr) against r and insert it into the
 * best-first list out (n entries, at most max kept); the new count. */
static size_t insert_scored(const match_model *m, const match_tf *tf, const match_record *r,
                            const match_record *cr, const store_match_cand *g,
                            matching_candidate *out, size_t n, size_t max)
{
    matching_explanation e;
    matching_explain_records(m, tf, r, cr, &e);
    matching_candidate mc = { .local_id = g->local_id, .ght_id = g->ght_id,
                              .domain_id = g->domain_id, .score = e.score,
                              .tf_adjust = e.tf_adjust,
                              .decision = e.decision, .scored = e.decision,
                              .rule = e.rule, .cmp = e.cmp };
    size_t at = n;
    while (at > 0 && out[at - 1].score < mc.score)
        at--;
    if (at >= max)
        return n;
    size_t last = n < max ? n : max - 1;
    memmove(&out[at + 1], &out[at], (last - at) * sizeof *out);
    out[at] = mc;
    return n < max ? n + 1 : n;
}

int matching_find(struct store *st, const socle_actor *actor, const identity_traits *t,
                  const char *ins, size_t max, matching_candidate *out, size_t *n,
                  socle_err *err)
{
    *n = 0;
    if (max == 0)
        return 0;
    match_record r;
    matching_record(t, ins ? ins : "", &r);
    if (store_begin(st, err) != 0)
        return -1;
    match_model m;
    match_tf *tf = NULL;
    int has_freq;
    if (model_load(st, &m, &has_freq, err) != 0
        || record_tf(st, has_freq, &r, &tf, err) != 0
        || gather(st, &m, tf, &r, 0, 0, out, max, n, err) != 0
        || audit_log(st, actor, "identity.match", "local_identity", "", "success", NULL,
                     err) != 0
        || store_commit(st, err) != 0) {
        tf_free(tf);
        store_rollback(st);
        return -1;
    }
    tf_free(tf);
    return 0;
}

int matching_explain(struct store *st, const socle_actor *actor, int64_t local_a,
                     int64_t local_b, matching_explanation *out, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    local_identity a, b;
    match_model m;
    int has_freq = 0;
    int fa = store_local_get(st, local_a, &a, err);
    int fb = fa > 0 ? store_local_get(st, local_b, &b, err) : fa;
    if (fa < 0 || fb < 0 || model_load(st, &m, &has_freq, err) != 0) {
        store_rollback(st);
        return -1;
    }
    if (!fa || !fb) {
        store_rollback(st);
        return err_set(err, SOCLE_ENOTFOUND, "local identity %" PRId64 " not found",
                       !fa ? local_a : local_b);
    }
    match_record ra, rb;
    matching_record(&a.traits, a.ins, &ra);
    matching_record(&b.traits, b.ins, &rb);
    match_tf *tf;
    if (record_tf(st, has_freq, &ra, &tf, err) != 0) {
        store_rollback(st);
        return -1;
    }
    matching_explain_records(&m, tf, &ra, &rb, out);
    tf_free(tf);
    char detail[64];
    snprintf(detail, sizeof detail, "explain %" PRId64 " %" PRId64, local_a, local_b);
    if (audit_log(st, actor, "identity.read", "local_identity", "", "success", detail,
                  err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

/* ---- The group check -------------------------------------------------- */

/* The local identities of one GHT identity (active links), normalised. */
typedef struct group {
    int64_t ids[64];
    int64_t domains[64];
    match_record recs[64];
    size_t n;
    int truncated;
} group;

/* Read from the records stored beside the blocking keys (one query), not
 * identity by identity: at 1,000,000 stored each read was a page miss. */
static int group_load(struct store *st, int64_t ght_id, group *g, socle_err *err)
{
    enum { GROUP_MAX = sizeof g->ids / sizeof g->ids[0] };
    g->n = 0;
    g->truncated = 0;
    store_match_cand *got = malloc(GROUP_MAX * sizeof *got);
    if (got == NULL)
        return err_set(err, SOCLE_EIO, "matching: out of memory");
    size_t n = 0;
    int more = 0;
    if (store_match_group(st, ght_id, GROUP_MAX, got, &n, &more, err) != 0) {
        free(got);
        return -1;
    }
    g->truncated = more;
    for (size_t i = 0; i < n; i++) {
        g->ids[i] = got[i].local_id;
        g->domains[i] = got[i].domain_id;
        if (rec_unpack(&got[i], &g->recs[i]))
            continue;
        /* Indexed before records were stored: read and normalise. */
        local_identity li;
        int found = store_local_get(st, got[i].local_id, &li, err);
        if (found <= 0) {
            free(got);
            return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "linked local identity %"
                                            PRId64 " not found", got[i].local_id);
        }
        g->domains[i] = li.domain_id;
        matching_record(&li.traits, li.ins, &g->recs[i]);
    }
    g->n = n;
    free(got);
    return 0;
}

/* Why the identities of x and y must not be put together automatically,
 * written into why; 0 when nothing stands in the way. */
static int group_conflict(const group *x, const group *y, char *why, size_t wn)
{
    if (x->truncated || y->truncated) {
        snprintf(why, wn, "a GHT identity too large to check");
        return 1;
    }
    for (size_t i = 0; i < x->n; i++)
        for (size_t j = 0; j < y->n; j++) {
            if (x->ids[i] == y->ids[j])
                continue;
            if (x->domains[i] == y->domains[j]) {
                snprintf(why, wn, "local identities %" PRId64 " and %" PRId64
                         " are in the same IPP domain", x->ids[i], y->ids[j]);
                return 1;
            }
            match_cmp c;
            match_compare(&x->recs[i], &y->recs[j], &c);
            link_rule r = linker_conflict(&x->recs[i], &y->recs[j], &c);
            if (r != RULE_NONE) {
                snprintf(why, wn, "rule %s between local identities %" PRId64 " and %"
                         PRId64, link_rule_name(r), x->ids[i], y->ids[j]);
                return 1;
            }
        }
    return 0;
}

/* One review task per GHT identity: its best pair. */
static int has_review_ght(const matching_result *r, int64_t ght_id)
{
    for (size_t i = 0; i < r->n_review; i++)
        if (r->review[i].ght_id == ght_id)
            return 1;
    return 0;
}

int matching_decide_in_tx(struct store *st, const local_identity *li, matching_result *out,
                          socle_err *err)
{
    memset(out, 0, sizeof *out);
    match_model m;
    int has_freq;
    if (model_load(st, &m, &has_freq, err) != 0)
        return -1;
    match_record r;
    matching_record(&li->traits, li->ins, &r);
    match_tf *tf;
    if (record_tf(st, has_freq, &r, &tf, err) != 0)
        return -1;
    matching_candidate *cands = malloc(MATCHING_MAX_CANDIDATES * sizeof *cands);
    group *self = malloc(sizeof *self), *other = malloc(sizeof *other);
    if (cands == NULL || self == NULL || other == NULL) {
        free(cands);
        free(self);
        free(other);
        tf_free(tf);
        return err_set(err, SOCLE_EIO, "matching: out of memory");
    }
    size_t n = 0;
    int rc = gather(st, &m, tf, &r, li->id, li->ght_id, cands, MATCHING_MAX_CANDIDATES, &n,
                    err);
    tf_free(tf);
    out->candidates = n;

    /* The incoming side of the group check: li alone while new, else every
     * local identity of its GHT identity. */
    if (rc == 0) {
        if (li->ght_id != 0) {
            rc = group_load(st, li->ght_id, self, err);
        } else {
            self->n = 1;
            self->truncated = 0;
            self->ids[0] = li->id;
            self->domains[0] = li->domain_id;
            self->recs[0] = r;
        }
    }
    int64_t refused[MATCHING_MAX_CANDIDATES];
    size_t n_refused = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        matching_candidate *c = &cands[i];
        if (c->decision == MATCH_AUTO && out->decision != MATCH_AUTO) {
            char why[SOCLE_REASON_MAX / 2];
            if (has_local(refused, n_refused, c->ght_id)) {
                c->decision = MATCH_REVIEW;  /* its GHT identity was refused already */
                str_copy(c->note, sizeof c->note, "its GHT identity cannot take this one");
            } else if ((rc = group_load(st, c->ght_id, other, err)) != 0) {
                break;
            } else if (group_conflict(self, other, why, sizeof why)) {
                refused[n_refused++] = c->ght_id;
                c->decision = MATCH_REVIEW;
                str_copy(c->note, sizeof c->note, why);
                if (out->reason[0] == '\0')
                    snprintf(out->reason, sizeof out->reason,
                             "matching: review, score %.1f with local identity %" PRId64
                             " but %s", c->score, c->local_id, why);
            } else {
                out->decision = MATCH_AUTO;
                out->best = *c;
                out->ght_id = c->ght_id;
                out->local_id = c->local_id;
                out->score = c->score;
                out->rule = c->rule;
                snprintf(out->reason, sizeof out->reason,
                         "matching: auto, score %.1f with local identity %" PRId64 "%s%s",
                         c->score, c->local_id, c->rule != RULE_NONE ? ", rule " : "",
                         c->rule != RULE_NONE ? link_rule_name(c->rule) : "");
                continue;
            }
        }
        if (c->decision == MATCH_REVIEW && out->n_review < MATCHING_MAX_REVIEWS
            && c->ght_id != out->ght_id && !has_review_ght(out, c->ght_id))
            out->review[out->n_review++] = *c;
    }
    /* Linked for sure: the other unsure candidates are other people, but
     * for those the group check refused (the cell must see why). */
    if (rc == 0 && out->decision == MATCH_AUTO) {
        size_t kept = 0;
        for (size_t i = 0; i < out->n_review; i++)
            if (out->review[i].note[0] != '\0' && out->review[i].ght_id != out->ght_id)
                out->review[kept++] = out->review[i];
        out->n_review = kept;
    }
    if (rc == 0 && out->decision != MATCH_AUTO) {
        if (out->n_review > 0) {
            out->decision = MATCH_REVIEW;
            out->score = out->review[0].score;
            out->local_id = out->review[0].local_id;
            out->rule = out->review[0].rule;
            if (out->reason[0] == '\0')
                snprintf(out->reason, sizeof out->reason,
                         "matching: review, score %.1f with local identity %" PRId64 "%s%s",
                         out->score, out->local_id, out->rule != RULE_NONE ? ", rule " : "",
                         out->rule != RULE_NONE ? link_rule_name(out->rule) : "");
        } else {
            snprintf(out->reason, sizeof out->reason,
                     "matching: none (%zu candidates)", n);
        }
    }
    free(cands);
    free(self);
    free(other);
    return rc;
}

void matching_downgrade(matching_result *r, const char *why)
{
    if (r->decision != MATCH_AUTO)
        return;
    size_t keep = r->n_review < MATCHING_MAX_REVIEWS ? r->n_review : MATCHING_MAX_REVIEWS - 1;
    memmove(&r->review[1], &r->review[0], keep * sizeof r->review[0]);
    r->review[0] = r->best;
    r->review[0].decision = MATCH_REVIEW;
    str_copy(r->review[0].note, sizeof r->review[0].note, why);
    r->n_review = keep + 1;
    r->decision = MATCH_REVIEW;
    r->ght_id = 0;
    snprintf(r->reason, sizeof r->reason, "matching: review, score %.1f with local identity %"
             PRId64 " but %s", r->best.score, r->best.local_id, why);
}

int matching_open_reviews_in_tx(struct store *st, const socle_actor *actor,
                                const local_identity *li, int64_t li_ght_id,
                                const matching_result *r, size_t *opened, socle_err *err)
{
    if (opened != NULL)
        *opened = 0;
    match_model m;
    if (r->n_review > 0 && matching_model_load(st, &m, err) != 0)
        return -1;
    for (size_t i = 0; i < r->n_review; i++) {
        const matching_candidate *c = &r->review[i];
        if (c->ght_id == li_ght_id)
            continue;
        review_task last;
        int found = store_review_last_pair(st, li->id, c->local_id, &last, err);
        if (found < 0)
            return -1;
        if (found && (last.status == REVIEW_NOT_DUPLICATE || last.status == REVIEW_OPEN
                      || last.status == REVIEW_LATER))
            continue;
        /* The explanation from what the scoring kept (levels, score, rule):
         * the candidate is not read back nor compared again. */
        matching_explanation e;
        memset(&e, 0, sizeof e);
        e.cmp = c->cmp;
        for (int f = 0; f < MF_COUNT; f++)
            e.weight[f] = model_weight(&m, (match_field)f, e.cmp.level[f]);
        e.tf_adjust = c->tf_adjust;
        e.score = c->score;
        e.decision = c->scored;
        e.rule = c->rule;
        e.upper = m.upper;
        e.lower = m.lower;

        char tfnote[48] = "";
        if (e.tf_adjust != 0)
            snprintf(tfnote, sizeof tfnote, " with term frequencies %+.1f", e.tf_adjust);
        review_task t;
        memset(&t, 0, sizeof t);
        t.local_a = li->id;
        t.ght_a = li_ght_id;
        t.domain_a = li->domain_id;
        t.local_b = c->local_id;
        t.ght_b = c->ght_id;
        t.domain_b = c->domain_id;
        t.score = e.score;
        snprintf(t.reason, sizeof t.reason,
                 "matching: %s, score %.1f%s (thresholds %.1f/%.1f)%s%s%s%s",
                 matching_decision_name(e.decision), e.score, tfnote, e.lower, e.upper,
                 e.rule != RULE_NONE ? ", rule " : "",
                 e.rule != RULE_NONE ? link_rule_name(e.rule) : "",
                 c->note[0] ? "; not linked automatically: " : "", c->note);
        char *json = matching_explanation_json(&e);
        str_copy(t.explanation, sizeof t.explanation, json);
        free(json);
        if (review_open_in_tx(st, actor, &t, err) != 0)
            return -1;
        if (opened != NULL)
            (*opened)++;
    }
    return 0;
}
