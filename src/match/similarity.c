/*
 * similarity.c - see similarity.h.
 */
#include "match/similarity.h"

#include <stdint.h>
#include <string.h>

#define SIM_MAX 64

/* Decode (already valid) UTF-8 into code points; cut at SIM_MAX. */
static size_t decode(const char *s, uint32_t *cp)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0' && n < SIM_MAX) {
        uint32_t c = *p;
        int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (extra)
            c &= 0x3Fu >> extra;
        p++;
        while (extra-- > 0 && (*p & 0xC0) == 0x80)
            c = (c << 6) | (*p++ & 0x3Fu);
        cp[n++] = c;
    }
    return n;
}

double sim_jaro_winkler(const char *a, const char *b)
{
    uint32_t x[SIM_MAX], y[SIM_MAX];
    size_t n = decode(a, x), m = decode(b, y);
    if (n == 0 && m == 0)
        return 1.0;
    if (n == 0 || m == 0)
        return 0.0;
    size_t range = (n > m ? n : m) / 2;
    range = range > 0 ? range - 1 : 0;
    unsigned char mx[SIM_MAX] = {0}, my[SIM_MAX] = {0};
    size_t matches = 0;
    for (size_t i = 0; i < n; i++) {
        size_t lo = i > range ? i - range : 0, hi = i + range + 1 < m ? i + range + 1 : m;
        for (size_t j = lo; j < hi; j++)
            if (!my[j] && x[i] == y[j]) {
                mx[i] = my[j] = 1;
                matches++;
                break;
            }
    }
    if (matches == 0)
        return 0.0;
    size_t t = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!mx[i])
            continue;
        while (!my[k])
            k++;
        if (x[i] != y[k])
            t++;
        k++;
    }
    double md = (double)matches;
    double jaro = (md / (double)n + md / (double)m + (md - (double)t / 2.0) / md) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < n && prefix < m && x[prefix] == y[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

int sim_damerau(const char *a, const char *b)
{
    uint32_t x[SIM_MAX], y[SIM_MAX];
    size_t n = decode(a, x), m = decode(b, y);
    /* Three rolling rows of the optimal string alignment matrix. */
    int r0[SIM_MAX + 1], r1[SIM_MAX + 1], r2[SIM_MAX + 1];
    int *pp = r0, *prev = r1, *cur = r2;
    for (size_t j = 0; j <= m; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int cost = x[i - 1] == y[j - 1] ? 0 : 1;
            int v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1]
                && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
        }
        int *tmp = pp;
        pp = prev, prev = cur, cur = tmp;
    }
    return prev[m];
}

/* ---- Levels ---------------------------------------------------------- */

static const int nlevels[MF_COUNT] = {NAME_LEVELS, USED_LEVELS, FIRST_LEVELS,
                                      DATE_LEVELS, SEX_LEVELS, PLACE_LEVELS,
                                      INS_LEVELS};
static const char *const field_names[MF_COUNT] = {
    "birth_name", "used_name", "first_names", "birth_date", "sex", "birth_place", "ins"};
static const char *const level_names[MF_COUNT][MATCH_MAX_LEVELS] = {
    {"n/a", "exact", "close", "swapped", "phonetic", "different"},
    {"n/a", "equal", "different"},
    {"n/a", "exact", "same first", "partial", "close", "different"},
    {"n/a", "exact", "day/month swapped", "one digit off", "same year", "different"},
    {"n/a", "equal", "different"},
    {"n/a", "equal", "same department", "different"},
    {"n/a", "equal", "different"},
};

int match_levels(match_field f)
{
    return f < MF_COUNT ? nlevels[f] : 0;
}

const char *match_field_name(match_field f)
{
    return f < MF_COUNT ? field_names[f] : "?";
}

const char *match_level_name(match_field f, int level)
{
    if (f >= MF_COUNT || level < 0 || level >= nlevels[f])
        return "?";
    return level_names[f][level];
}

/* Close spellings: one edit on a name long enough for one edit to be a
 * typo rather than another name, or a high Jaro-Winkler. */
static int close_names(const char *a, const char *b)
{
    if (a[0] == '\0' || b[0] == '\0')
        return 0;
    size_t la = strlen(a), lb = strlen(b);
    if ((la >= 5 || lb >= 5) && sim_damerau(a, b) <= 1)
        return 1;
    return sim_jaro_winkler(a, b) >= 0.94;
}

static int same_name(const char *fa, const char *ca, const char *fb, const char *cb)
{
    return strcmp(fa, fb) == 0 || strcmp(ca, cb) == 0;
}

static int compare_birth_names(const match_record *a, const match_record *b)
{
    if (a->birth_name[0] == '\0' || b->birth_name[0] == '\0')
        return NAME_NA;
    if (same_name(a->birth_name, a->birth_core, b->birth_name, b->birth_core))
        return NAME_EXACT;
    if (close_names(a->birth_core, b->birth_core))
        return NAME_CLOSE;
    if ((b->used_name[0] != '\0'
         && (same_name(a->birth_name, a->birth_core, b->used_name, b->used_core)
             || close_names(a->birth_core, b->used_core)))
        || (a->used_name[0] != '\0'
            && (same_name(a->used_name, a->used_core, b->birth_name, b->birth_core)
                || close_names(a->used_core, b->birth_core))))
        return NAME_SWAP;
    if ((a->birth_phon[0] != '\0' && strcmp(a->birth_phon, b->birth_phon) == 0)
        || sim_jaro_winkler(a->birth_core, b->birth_core) >= 0.88)
        return NAME_PHON;
    return NAME_DIFF;
}

/* Split a forename list into tokens, and composed forenames into parts. */
typedef struct tokens {
    char buf[MATCH_FORENAMES_MAX];
    const char *tok[16];
    int n;
} tokens;

static void split(const char *s, const char *seps, tokens *t)
{
    memcpy(t->buf, s, strlen(s) + 1);
    t->n = 0;
    char *save = NULL;
    for (char *w = strtok_r(t->buf, seps, &save); w != NULL && t->n < 16;
         w = strtok_r(NULL, seps, &save))
        t->tok[t->n++] = w;
}

static int has_token(const tokens *t, const char *w)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->tok[i], w) == 0)
            return 1;
    return 0;
}

/* Is any part of one's first forename among the other's forename parts? */
static int partial_forenames(const tokens *pa, const tokens *pb,
                             const char *first_a, const char *first_b)
{
    tokens fa, fb;
    split(first_a, "-", &fa);
    split(first_b, "-", &fb);
    for (int i = 0; i < fa.n; i++)
        if (has_token(pb, fa.tok[i]))
            return 1;
    for (int i = 0; i < fb.n; i++)
        if (has_token(pa, fb.tok[i]))
            return 1;
    return 0;
}

static int close_forenames(const match_record *a, const match_record *b,
                           const char *first_a, const char *first_b)
{
    if (close_names(first_a, first_b))
        return 1;
    return a->first_phon[0] != '\0' && strcmp(a->first_phon, b->first_phon) == 0
        && sim_jaro_winkler(first_a, first_b) >= 0.85;
}

static int compare_forenames(const match_record *a, const match_record *b)
{
    if (a->forenames[0] == '\0' || b->forenames[0] == '\0')
        return FIRST_NA;
    tokens pa, pb;  /* every part, hyphen or space alike */
    split(a->forenames, " -", &pa);
    split(b->forenames, " -", &pb);
    if (pa.n == pb.n) {
        int same = 1;
        for (int i = 0; i < pa.n && same; i++)
            same = strcmp(pa.tok[i], pb.tok[i]) == 0;
        if (same)
            return FIRST_EXACT;
    }
    tokens ta, tb;
    split(a->forenames, " ", &ta);
    split(b->forenames, " ", &tb);
    if (ta.n == 0 || tb.n == 0)
        return FIRST_NA;
    if (strcmp(ta.tok[0], tb.tok[0]) == 0)
        return FIRST_FIRST;
    if (partial_forenames(&pa, &pb, ta.tok[0], tb.tok[0]))
        return FIRST_PARTIAL;
    if (close_forenames(a, b, ta.tok[0], tb.tok[0]))
        return FIRST_CLOSE;
    return FIRST_DIFF;
}

int match_forenames_differ(const match_record *a, const match_record *b)
{
    int l = compare_forenames(a, b);
    return l == FIRST_DIFF;
}

static void date_digits(const match_record *r, char d[9])
{
    static const char dig[] = "0123456789";
    int v[8] = {r->year / 1000, r->year / 100 % 10, r->year / 10 % 10, r->year % 10,
                r->month / 10, r->month % 10, r->day / 10, r->day % 10};
    for (int i = 0; i < 8; i++)
        d[i] = dig[v[i]];
    d[8] = '\0';
}

int match_compare_dates(const match_record *a, const match_record *b)
{
    if (a->year == 0 || b->year == 0)
        return DATE_NA;
    if (a->year == b->year && a->month == b->month && a->day == b->day)
        return a->month != 0 && a->day != 0 ? DATE_EXACT : DATE_YEAR;
    if (a->month == 0 || b->month == 0 || a->day == 0 || b->day == 0)
        return a->year == b->year ? DATE_YEAR : DATE_DIFF;
    if (a->year == b->year && a->month == b->day && a->day == b->month)
        return DATE_SWAP;
    char da[9], db[9];
    date_digits(a, da);
    date_digits(b, db);
    int diff = 0, first = -1;
    for (int i = 0; i < 8; i++)
        if (da[i] != db[i]) {
            if (first < 0)
                first = i;
            diff++;
        }
    if (diff == 1)
        return DATE_TYPO;
    if (diff == 2 && first < 7 && da[first] == db[first + 1]
        && da[first + 1] == db[first])
        return DATE_TYPO;
    return a->year == b->year ? DATE_YEAR : DATE_DIFF;
}

void match_compare(const match_record *a, const match_record *b, match_cmp *out)
{
    out->level[MF_NAME] = (unsigned char)compare_birth_names(a, b);
    /* A used name that only repeats the record's own birth name (some
     * establishments copy it) is no evidence of its own: comparing it would
     * count the birth name twice. */
    if (a->used_name[0] == '\0' || b->used_name[0] == '\0'
        || strcmp(a->used_core, a->birth_core) == 0
        || strcmp(b->used_core, b->birth_core) == 0)
        out->level[MF_USED] = USED_NA;
    else
        out->level[MF_USED] = (strcmp(a->used_core, b->used_core) == 0
                               || close_names(a->used_core, b->used_core))
                            ? USED_EQ : USED_DIFF;
    out->level[MF_FIRST] = (unsigned char)compare_forenames(a, b);
    out->level[MF_DATE] = (unsigned char)match_compare_dates(a, b);
    out->level[MF_SEX] = a->sex == 'U' || b->sex == 'U' ? SEX_NA
                       : a->sex == b->sex ? SEX_EQ : SEX_DIFF;
    if (a->place[0] == '\0' || b->place[0] == '\0')
        out->level[MF_PLACE] = PLACE_NA;
    else if (strcmp(a->place, b->place) == 0)
        out->level[MF_PLACE] = PLACE_EQ;
    else if (memcmp(a->place, b->place, 2) == 0 && memcmp(a->place, "99", 2) != 0)
        out->level[MF_PLACE] = PLACE_DEPT;
    else
        out->level[MF_PLACE] = PLACE_DIFF;
    if (a->ins_state != MATCH_INS_USABLE || b->ins_state != MATCH_INS_USABLE)
        out->level[MF_INS] = INS_NA;
    else
        out->level[MF_INS] = strcmp(a->ins, b->ins) == 0 ? INS_EQ : INS_DIFF;
}
