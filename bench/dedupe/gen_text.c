/*
 * gen_text.c - text edits of the synthetic generator (see gen_text.h).
 */
#include "gen_text.h"

#include <string.h>

/* ---- PRNG ------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void gen_rng_seed(gen_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gen_rng_unit(gen_rng *r)
{
    return (double)(gen_rng_next(r) >> 11) * 0x1.0p-53;
}

uint32_t gen_rng_below(gen_rng *r, uint32_t n)
{
    /* Multiply-shift: unbiased enough for a generator, and no division. */
    return (uint32_t)(((gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

int gen_rng_chance(gen_rng *r, double p)
{
    return gen_rng_unit(r) < p;
}

/* ---- code points ------------------------------------------------------ */

void gen_cps_from(gen_cps *out, const char *utf8)
{
    const unsigned char *p = (const unsigned char *)utf8;
    out->n = 0;
    while (*p && out->n < GEN_CP_MAX) {
        uint32_t c;
        if (p[0] < 0x80) {
            c = p[0];
            p += 1;
        } else if ((p[0] & 0xE0) == 0xC0 && p[1]) {
            c = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
            c = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            p += 3;
        } else {
            p += 1;  /* the tables hold nothing longer: skip */
            continue;
        }
        out->c[out->n++] = c;
    }
}

size_t gen_cps_to(const gen_cps *in, char *out)
{
    size_t k = 0;
    for (int i = 0; i < in->n; i++) {
        uint32_t c = in->c[i];
        if (c < 0x80) {
            out[k++] = (char)c;
        } else if (c < 0x800) {
            out[k++] = (char)(0xC0 | (c >> 6));
            out[k++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[k++] = (char)(0xE0 | (c >> 12));
            out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[k++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[k] = '\0';
    return k;
}

/* Base letters of U+00C0..U+00FF ('?' where there is none). */
static const char latin1_base[65] =
    "AAAAAAACEEEEIIII" "DNOOOOO?OUUUUY?S"
    "aaaaaaaceeeeiiii" "dnooooo?ouuuuy?y";

void gen_strip_accents(gen_cps *s)
{
    for (int i = 0; i < s->n; i++) {
        uint32_t c = s->c[i];
        if (c >= 0xC0 && c <= 0xFF && latin1_base[c - 0xC0] != '?')
            s->c[i] = (uint32_t)latin1_base[c - 0xC0];
    }
}

static int is_upper(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

static int is_lower(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7);
}

static int is_letter(uint32_t c)
{
    return is_upper(c) || is_lower(c);
}

void gen_title_case(gen_cps *s)
{
    int start = 1;
    for (int i = 0; i < s->n; i++) {
        uint32_t c = s->c[i];
        if (start && is_lower(c))
            s->c[i] = c - 0x20;
        else if (!start && is_upper(c))
            s->c[i] = c + 0x20;
        start = (c == ' ' || c == '-' || c == '\'');
    }
}

static void cps_remove(gen_cps *s, int at, int len)
{
    memmove(&s->c[at], &s->c[at + len], (size_t)(s->n - at - len) * sizeof s->c[0]);
    s->n -= len;
}

/* Replace len code points at `at` by the ASCII text rep (if it fits). */
static void cps_replace(gen_cps *s, int at, int len, const char *rep)
{
    int rl = (int)strlen(rep);
    if (s->n - len + rl > GEN_CP_MAX)
        return;
    memmove(&s->c[at + rl], &s->c[at + len], (size_t)(s->n - at - len) * sizeof s->c[0]);
    for (int i = 0; i < rl; i++)
        s->c[at + i] = (unsigned char)rep[i];
    s->n += rl - len;
}

static int is_sep(uint32_t c)
{
    return c == ' ' || c == '-' || c == '\'';
}

void gen_tidy(gen_cps *s)
{
    int k = 0;
    for (int i = 0; i < s->n; i++) {
        if (is_sep(s->c[i]) && (k == 0 || is_sep(s->c[k - 1])))
            continue;
        s->c[k++] = s->c[i];
    }
    while (k > 0 && is_sep(s->c[k - 1]))
        k--;
    s->n = k;
}

/* ---- errors ------------------------------------------------------------ */

void gen_typo(gen_cps *s, gen_rng *r)
{
    if (s->n < 2)
        return;
    for (int tries = 0; tries < 8; tries++) {
        int i = gen_rng_chance(r, 0.9) ? 1 + (int)gen_rng_below(r, (uint32_t)s->n - 1)
                                       : 0;
        if (!is_letter(s->c[i]))
            continue;
        switch (gen_rng_below(r, 4)) {
        case 0: {  /* substitution */
            uint32_t c = 'A' + gen_rng_below(r, 26);
            if (is_lower(s->c[i]))
                c += 0x20;
            if (c == s->c[i])
                continue;
            s->c[i] = c;
            return;
        }
        case 1: {  /* transposition with the next letter */
            if (i + 1 >= s->n || !is_letter(s->c[i + 1]) || s->c[i] == s->c[i + 1])
                continue;
            uint32_t t = s->c[i];
            s->c[i] = s->c[i + 1];
            s->c[i + 1] = t;
            return;
        }
        case 2:  /* omission */
            cps_remove(s, i, 1);
            return;
        default:  /* a letter typed twice */
            if (s->n >= GEN_CP_MAX)
                continue;
            memmove(&s->c[i + 1], &s->c[i], (size_t)(s->n - i) * sizeof s->c[0]);
            s->n++;
            return;
        }
    }
}

typedef struct rule {
    const char *from;
    const char *to;
    int at_end;  /* only at the end of the name */
} rule;

static const rule phonetic_rules[] = {
    { "PH", "F", 0 },    { "F", "PH", 0 },     { "Y", "I", 0 },     { "I", "Y", 0 },
    { "AULT", "AUD", 0 }, { "AUD", "AULT", 0 }, { "AULT", "AUT", 0 }, { "EAU", "O", 0 },
    { "AU", "O", 0 },    { "CK", "K", 0 },     { "CA", "KA", 0 },   { "CO", "KO", 0 },
    { "K", "C", 0 },     { "QU", "K", 0 },     { "TH", "T", 0 },    { "LL", "L", 0 },
    { "NN", "N", 0 },    { "TT", "T", 0 },     { "SS", "S", 0 },    { "RR", "R", 0 },
    { "MM", "M", 0 },    { "PP", "P", 0 },     { "AI", "E", 0 },    { "EI", "AI", 0 },
    { "CQ", "C", 0 },    { "Z", "S", 0 },      { "ET", "AIT", 1 },  { "S", "", 1 },
    { "T", "", 1 },      { "D", "T", 1 },      { "X", "", 1 },      { "EL", "ELLE", 1 },
    { "ICK", "IC", 1 },  { "IN", "AIN", 1 },   { "AN", "EN", 0 },   { "EN", "AN", 0 },
};
#define N_RULES (int)(sizeof phonetic_rules / sizeof phonetic_rules[0])

static int match_at(const gen_cps *s, int at, const char *pat)
{
    for (int k = 0; pat[k]; k++)
        if (at + k >= s->n || s->c[at + k] != (unsigned char)pat[k])
            return 0;
    return 1;
}

static int is_vowel(uint32_t c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y' ||
           (c >= 0xC0 && c <= 0xDD && c != 0xC7 && c != 0xD1 && c != 0xD7);
}

int gen_phonetic(gen_cps *s, gen_rng *r)
{
    int first = (int)gen_rng_below(r, N_RULES);
    for (int k = 0; k < N_RULES; k++) {
        const rule *ru = &phonetic_rules[(first + k) % N_RULES];
        int len = (int)strlen(ru->from);
        int pos[GEN_CP_MAX], np = 0;
        if (ru->at_end) {
            if (s->n > len + 1 && match_at(s, s->n - len, ru->from))
                pos[np++] = s->n - len;
        } else {
            for (int i = 0; i + len <= s->n; i++)
                if (match_at(s, i, ru->from))
                    pos[np++] = i;
        }
        if (np == 0)
            continue;
        cps_replace(s, pos[gen_rng_below(r, (uint32_t)np)], len, ru->to);
        return 1;
    }
    /* No rule fitted: double a consonant between two vowels. */
    for (int i = 1; i + 1 < s->n; i++) {
        uint32_t c = s->c[i];
        if (c < 0x80 && c != 0 && strchr("LNTSRMP", (int)c) && is_vowel(s->c[i - 1]) &&
            is_vowel(s->c[i + 1]) && s->n < GEN_CP_MAX) {
            memmove(&s->c[i + 1], &s->c[i], (size_t)(s->n - i) * sizeof s->c[0]);
            s->n++;
            return 1;
        }
    }
    return 0;
}

int gen_hyphenation(gen_cps *s, gen_rng *r)
{
    int sep = -1;
    for (int i = 1; i + 1 < s->n && sep < 0; i++)
        if (s->c[i] == '-' || s->c[i] == ' ' || s->c[i] == '\'')
            sep = i;
    if (sep < 0)
        return 0;
    uint32_t c = s->c[sep];
    uint32_t roll = gen_rng_below(r, 100);
    if (c == '\'') {                       /* D'ALMEIDA */
        if (roll < 50)
            cps_remove(s, sep, 1);         /* DALMEIDA */
        else
            s->c[sep] = ' ';               /* D ALMEIDA */
    } else if (c == '-') {                 /* JEAN-PIERRE, MARTIN-DUPONT */
        if (roll < 45)
            s->c[sep] = ' ';
        else if (roll < 70)
            cps_remove(s, sep, 1);
        else
            s->n = sep;                    /* JEAN */
    } else {                               /* LE GALL, DA SILVA */
        if (roll < 50)
            cps_remove(s, sep, 1);         /* LEGALL */
        else if (roll < 80)
            s->c[sep] = '-';               /* LE-GALL */
        else if (sep <= 3)
            cps_remove(s, 0, sep + 1);     /* GALL: the particle dropped */
        else
            s->n = sep;
    }
    return 1;
}
