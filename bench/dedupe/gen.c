/*
 * gen.c - synthetic persons, their noisy records, and the output files
 * (see gen.h; the model and its rates are documented in
 * bench/dedupe/README.md, keep both in step).
 *
 * Persons are drawn one after the other; each gets 1..5 records in the
 * group's establishments, each record a noisy copy of the person's true
 * traits as one establishment wrote them. All records are kept in memory
 * (about 100 bytes each), shuffled, given their local ids in shuffled
 * order, then written.
 */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ins.h"
#include "gen_tables.h"
#include "gen_text.h"

/* ---- the model's rates (README.md, "Model") ------------------------- */

/* Cumulative distribution of records per person: mean 1.63. */
static const double records_cdf[5] = { 0.60, 0.85, 0.94, 0.98, 1.0 };
#define P_SAME_SOURCE      0.12   /* a further record in an establishment already holding one */
#define P_FEMALE           0.52
#define P_TWIN             0.008  /* the next person is a twin of this one */
#define P_CHILD            0.006  /* the next person is a child of this adult */
#define P_HOMONYM          0.005  /* a person copies a recent person's names and sex */
#define P_MARRIED          0.55   /* women aged 22 or more */
#define P_TABLE_SURNAME    0.25   /* else a surname built from syllables (the long tail) */
#define P_FORENAME_OTHER_ERA 0.10

/* Per record. */
#define P_MARRIED_AS_BIRTH 0.08   /* married woman: married name in birth_name */
#define P_MARRIED_SWAPPED  0.33   /*   ... of which the birth name is in used_name */
#define P_USED_IS_MARRIED  0.85   /* married woman: used_name = married name */
#define P_USED_OTHER       0.01   /* anyone: an unrelated used name */
#define P_NAME_HYPHEN      0.30   /* compound name: hyphenation changed */
#define P_NAME_TYPO        0.03
#define P_NAME_PHONETIC    0.03
#define P_NAME_MISSING     0.003
#define P_USED_TYPO        0.015
#define P_FN_ONLY_FIRST    0.25   /* two or more forenames: only the first kept */
#define P_FN_DROP_LAST     0.10   /* three forenames: the last one dropped */
#define P_FN_SWAP          0.03   /* the first two forenames in the other order */
#define P_FN_HYPHEN        0.20   /* composed first forename: hyphenation changed */
#define P_FN_TYPO          0.02
#define P_FN_PHONETIC      0.02
#define P_FN_MISSING       0.003
#define P_DATE_MISSING     0.01
#define P_DATE_SWAP        0.01   /* day and month swapped (when both <= 12) */
#define P_DATE_DIGIT       0.015  /* one digit off by one */
#define P_DATE_JAN1        0.003  /* the day and month unknown: 01-01 */
#define P_SEX_WRONG        0.005
#define P_SEX_UNKNOWN      0.005
#define P_PLACE_MISSING    0.08
#define P_PLACE_WRONG      0.01   /* another commune of the same department */
#define P_CHILD_PARENT_NIR 0.60   /* child's record with an INS: the parent's NIR */
#define P_WRONG_INS        0.01   /* record with an INS: an unrelated person's */

typedef struct source_style {
    const char *code;
    double weight;
    int strip_accents;   /* writes A for À */
    int title_forenames; /* writes Jean-Pierre, not JEAN-PIERRE */
    int copy_used;       /* writes used_name = birth_name when it is the same */
    double ins_rate;     /* records carrying the INS */
} source_style;

static const source_style sources[] = {
    { "CHU01", 0.25, 0, 0, 0, 0.40 },
    { "CH02",  0.15, 1, 0, 1, 0.30 },
    { "CH03",  0.12, 0, 1, 0, 0.35 },
    { "CH04",  0.10, 1, 1, 1, 0.20 },
    { "CH05",  0.08, 0, 0, 1, 0.30 },
    { "CH06",  0.08, 1, 0, 0, 0.15 },
    { "CL07",  0.07, 0, 1, 1, 0.25 },
    { "CL08",  0.06, 1, 1, 0, 0.10 },
    { "EH09",  0.05, 0, 0, 0, 0.30 },
    { "EH10",  0.04, 1, 0, 1, 0.05 },
};
#define N_SOURCES (int)(sizeof sources / sizeof sources[0])

/* Syllables of the long tail of surnames: onset + consonants + ending. */
static const char *const onsets[] = {
    "BOU", "CHA", "DE", "LA", "MA", "PE", "RO", "GA", "VI", "BRE", "MOU",
    "FLO", "GRI", "TRE", "JOU", "SAU", "VA", "CO", "PI", "LE", "DU", "BRO",
    "CLA", "FE", "GUI", "MAU", "NO", "QUE", "BI", "SA", "TA", "VE", "BA",
    "CHE", "DA", "FAU", "GO", "LU", "MI", "PO",
};
static const char *const middles[] = {
    "R", "N", "L", "S", "T", "M", "D", "G", "CH", "V", "B", "RN", "LL", "SS",
    "RD", "NT", "RT", "RB", "ND", "C",
};
static const char *const endings[] = {
    "ARD", "AUD", "AULT", "ET", "ON", "IN", "IER", "EAU", "OT", "AND", "ERT",
    "EL", "AS", "EUX", "ANT", "OUX", "AIN", "ARDIN", "ELIN", "ERON", "ILLON",
    "ASSE", "ERAND", "OUIN", "ICHE", "ODIN", "ENOT", "AUX", "EY", "ARRE",
    "ELLE", "IOT", "AGNE", "ESSE", "ARIN", "ONNET", "ERET", "AZE", "ONDE", "IAT",
};
#define COUNT(a) (unsigned)(sizeof a / sizeof a[0])

#define NAME_MAX_BYTES 64
#define RING 4096  /* recent persons, for homonyms, wrong INS and parents */

typedef struct person {
    uint32_t id;
    int female;
    int y, m, d;
    int married;
    char birth_name[NAME_MAX_BYTES];
    char married_name[NAME_MAX_BYTES];
    char fn[3][NAME_MAX_BYTES];
    int nfn;
    char place[6];
    char nir[INS_LEN + 1];
    char parent_nir[INS_LEN + 1];  /* "" unless a child under a parent's NIR */
} person;

/* One record before output: the strings live in the arena. */
typedef struct rec {
    uint64_t names;  /* arena offset of "birth\0used\0first_names\0" */
    uint32_t person;
    uint8_t source;
    char sex;
    char date[11];
    char place[6];
    char ins[INS_LEN + 1];
} rec;

typedef struct gen {
    gen_rng rng;
    double surname_cdf[512], fn_cdf[2][3][64], second_cdf[2][32];
    double onset_cdf[64], middle_cdf[32], ending_cdf[64];
    person ring[RING];
    uint32_t persons;
    rec *recs;
    size_t nrec;
    char *arena;
    size_t arena_len, arena_cap;
    gen_stats st;
} gen;

/* ---- sampling ------------------------------------------------------- */

/* Zipf-like weights 1/(rank+1)^s, as a cumulative distribution. */
static void zipf_cdf(double *cdf, unsigned n, double s)
{
    double sum = 0;
    for (unsigned i = 0; i < n; i++) {
        double w = pow((double)(i + 1), -s);
        sum += w;
        cdf[i] = sum;
    }
    for (unsigned i = 0; i < n; i++)
        cdf[i] /= sum;
    cdf[n - 1] = 1.0;
}

static unsigned pick(gen *g, const double *cdf, unsigned n)
{
    double u = gen_rng_unit(&g->rng);
    unsigned lo = 0, hi = n - 1;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void random_surname(gen *g, char *out)
{
    if (gen_rng_chance(&g->rng, P_TABLE_SURNAME)) {
        snprintf(out, NAME_MAX_BYTES, "%s", gen_surnames[pick(g, g->surname_cdf, gen_surname_count)]);
        return;
    }
    snprintf(out, NAME_MAX_BYTES, "%s%s%s%s",
             gen_rng_chance(&g->rng, 0.01) ? "LE " : "",
             onsets[pick(g, g->onset_cdf, COUNT(onsets))],
             middles[pick(g, g->middle_cdf, COUNT(middles))],
             endings[pick(g, g->ending_cdf, COUNT(endings))]);
}

static int era_of(int year)
{
    return year < 1960 ? 0 : year < 1990 ? 1 : 2;
}

static int has_forename(const person *p, const char *name)
{
    for (int i = 0; i < p->nfn; i++)
        if (strcmp(p->fn[i], name) == 0)
            return 1;
    return 0;
}

static void random_forenames(gen *g, person *p)
{
    int sex = p->female, era = era_of(p->y);
    if (gen_rng_chance(&g->rng, P_FORENAME_OTHER_ERA))
        era = (int)gen_rng_below(&g->rng, 3);
    double u = gen_rng_unit(&g->rng);
    int want = u < 0.35 ? 1 : u < 0.80 ? 2 : 3;
    p->nfn = 0;
    snprintf(p->fn[p->nfn++], NAME_MAX_BYTES, "%s",
             gen_forenames[sex][era][pick(g, g->fn_cdf[sex][era], gen_forename_count[sex][era])]);
    for (int tries = 0; p->nfn < want && tries < 10; tries++) {
        const char *n = gen_rng_chance(&g->rng, 0.6)
            ? gen_second_forenames[sex][pick(g, g->second_cdf[sex], gen_second_forename_count[sex])]
            : gen_forenames[sex][era][pick(g, g->fn_cdf[sex][era], gen_forename_count[sex][era])];
        if (!has_forename(p, n))
            snprintf(p->fn[p->nfn++], NAME_MAX_BYTES, "%s", n);
    }
}

static int days_in(int y, int m)
{
    static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static void random_date(gen *g, person *p, int from, int to)
{
    p->y = from + (int)gen_rng_below(&g->rng, (uint32_t)(to - from + 1));
    p->m = 1 + (int)gen_rng_below(&g->rng, 12);
    p->d = 1 + (int)gen_rng_below(&g->rng, (uint32_t)days_in(p->y, p->m));
}

static void random_place(gen *g, char *out)
{
    double u = gen_rng_unit(&g->rng);
    if (u < 0.08) {
        snprintf(out, 6, "99%s", gen_countries[gen_rng_below(&g->rng, gen_country_count)]);
        return;
    }
    const char *dept = u < 0.55 ? gen_local_depts[gen_rng_below(&g->rng, gen_local_dept_count)]
                                : gen_other_depts[gen_rng_below(&g->rng, gen_other_dept_count)];
    if (strlen(dept) == 3) {
        snprintf(out, 6, "%s%02u", dept, 1 + gen_rng_below(&g->rng, 24));
        return;
    }
    /* A third of births in the department's main town (its code derived
     * from the department so it stays the same), the rest spread out. */
    unsigned commune = gen_rng_chance(&g->rng, 0.33)
        ? 100u + ((unsigned)dept[0] * 7u + (unsigned)dept[1] * 13u) % 150u
        : 1u + gen_rng_below(&g->rng, 350);
    snprintf(out, 6, "%s%03u", dept, commune);
}

static void make_nir(gen *g, person *p)
{
    char first13[32];
    snprintf(first13, sizeof first13, "%c%02u%02u%.5s%03u", p->female ? '2' : '1',
             (unsigned)p->y % 100u, (unsigned)p->m % 100u, p->place,
             1 + gen_rng_below(&g->rng, 999));
    first13[13] = '\0';
    int key = ins_compute_key(first13);
    memcpy(p->nir, first13, 13);
    p->nir[13] = (char)('0' + (key < 0 ? 0 : key) / 10);
    p->nir[14] = (char)('0' + (key < 0 ? 0 : key) % 10);
    p->nir[15] = '\0';
}

/* ---- persons ---------------------------------------------------------- */

static const person *ring_recent(gen *g)
{
    uint32_t have = g->persons < RING ? g->persons : RING;
    return &g->ring[(g->persons - 1 - gen_rng_below(&g->rng, have)) % RING];
}

/* The next person; prev is the one just made (NULL at first), which a twin
 * or a child takes after. */
static void next_person(gen *g, person *p, const person *prev)
{
    memset(p, 0, sizeof *p);
    p->id = g->persons;
    double u = gen_rng_unit(&g->rng);
    if (prev && u < P_TWIN) {
        /* Twin: same family name, date and place; own forenames and NIR. */
        g->st.twins++;
        p->female = gen_rng_chance(&g->rng, 0.5) ? prev->female : !prev->female;
        p->y = prev->y, p->m = prev->m, p->d = prev->d;
        memcpy(p->birth_name, prev->birth_name, sizeof p->birth_name);
        memcpy(p->place, prev->place, sizeof p->place);
        do
            random_forenames(g, p);
        while (strcmp(p->fn[0], prev->fn[0]) == 0);
    } else if (prev && u < P_TWIN + P_CHILD && prev->y >= 1960 && prev->y <= 1995 &&
               prev->y + 20 <= 2024) {
        /* A minor registered under this adult's NIR. */
        g->st.children++;
        p->female = gen_rng_chance(&g->rng, P_FEMALE);
        int from = prev->y + 20 > 2007 ? prev->y + 20 : 2007;
        random_date(g, p, from, 2024);
        memcpy(p->birth_name, prev->birth_name, sizeof p->birth_name);
        random_place(g, p->place);
        random_forenames(g, p);
        memcpy(p->parent_nir, prev->nir, sizeof p->parent_nir);
    } else if (g->persons > 0 && u < P_TWIN + P_CHILD + P_HOMONYM) {
        /* Homonym: names and sex of someone else, own date and place. */
        const person *o = ring_recent(g);
        g->st.homonyms++;
        p->female = o->female;
        do
            random_date(g, p, 1930, 2024);
        while (p->y == o->y && p->m == o->m && p->d == o->d);
        memcpy(p->birth_name, o->birth_name, sizeof p->birth_name);
        memcpy(p->fn, o->fn, sizeof p->fn);
        p->nfn = o->nfn;
        random_place(g, p->place);
    } else {
        p->female = gen_rng_chance(&g->rng, P_FEMALE);
        if (gen_rng_chance(&g->rng, 0.05))
            random_date(g, p, 2019, 2024);
        else
            random_date(g, p, 1930, 2018);
        random_surname(g, p->birth_name);
        random_place(g, p->place);
        random_forenames(g, p);
    }
    make_nir(g, p);
    /* A twin's NIR differs from the other twin's by its order number. */
    while (prev && strcmp(p->nir, prev->nir) == 0)
        make_nir(g, p);
    if (p->female && p->y <= 2002 && gen_rng_chance(&g->rng, P_MARRIED)) {
        p->married = 1;
        do
            random_surname(g, p->married_name);
        while (strcmp(p->married_name, p->birth_name) == 0);
    }
    g->ring[p->id % RING] = *p;
    g->persons++;
}

/* ---- records ------------------------------------------------------------ */

static int arena_reserve(gen *g, size_t more)
{
    if (g->arena_len + more <= g->arena_cap)
        return 0;
    size_t cap = g->arena_cap ? g->arena_cap * 2 : (size_t)1 << 20;
    while (cap < g->arena_len + more)
        cap *= 2;
    char *a = realloc(g->arena, cap);
    if (!a)
        return -1;
    g->arena = a;
    g->arena_cap = cap;
    return 0;
}

/* Append one name, written in the source's style, to the arena. */
static void put_name(gen *g, gen_cps *s, const source_style *src, int forename)
{
    gen_tidy(s);
    if (src->strip_accents)
        gen_strip_accents(s);
    if (forename && src->title_forenames)
        gen_title_case(s);
    g->arena_len += gen_cps_to(s, g->arena + g->arena_len) + 1;
}

static void noisy_name(gen *g, gen_cps *s, double p_typo, double p_phon)
{
    if (gen_rng_chance(&g->rng, P_NAME_HYPHEN))
        gen_hyphenation(s, &g->rng);
    if (gen_rng_chance(&g->rng, p_typo))
        gen_typo(s, &g->rng);
    if (gen_rng_chance(&g->rng, p_phon))
        gen_phonetic(s, &g->rng);
}

static void record_names(gen *g, const person *p, const source_style *src)
{
    gen_cps birth, used, fn;
    const char *b = p->birth_name, *u = "";
    if (p->married && gen_rng_chance(&g->rng, P_MARRIED_AS_BIRTH)) {
        b = p->married_name;
        u = gen_rng_chance(&g->rng, P_MARRIED_SWAPPED) ? p->birth_name
            : gen_rng_chance(&g->rng, 0.5) ? p->married_name : "";
    } else if (p->married && gen_rng_chance(&g->rng, P_USED_IS_MARRIED)) {
        u = p->married_name;
    } else if (gen_rng_chance(&g->rng, P_USED_OTHER)) {
        u = gen_surnames[gen_rng_below(&g->rng, gen_surname_count)];
    } else if (src->copy_used) {
        u = p->birth_name;
    }
    gen_cps_from(&birth, b);
    gen_cps_from(&used, u);
    if (gen_rng_chance(&g->rng, P_NAME_MISSING))
        birth.n = 0;
    noisy_name(g, &birth, P_NAME_TYPO, P_NAME_PHONETIC);
    if (gen_rng_chance(&g->rng, P_USED_TYPO))
        gen_typo(&used, &g->rng);

    /* Forenames: which ones, in which order, then each one's spelling. */
    const char *list[3];
    int n = p->nfn;
    for (int i = 0; i < n; i++)
        list[i] = p->fn[i];
    if (n >= 2 && gen_rng_chance(&g->rng, P_FN_ONLY_FIRST))
        n = 1;
    else if (n == 3 && gen_rng_chance(&g->rng, P_FN_DROP_LAST))
        n = 2;
    if (n >= 2 && gen_rng_chance(&g->rng, P_FN_SWAP)) {
        const char *t = list[0];
        list[0] = list[1];
        list[1] = t;
    }
    if (gen_rng_chance(&g->rng, P_FN_MISSING))
        n = 0;
    fn.n = 0;
    for (int i = 0; i < n; i++) {
        gen_cps one;
        gen_cps_from(&one, list[i]);
        if (i == 0) {
            if (gen_rng_chance(&g->rng, P_FN_HYPHEN))
                gen_hyphenation(&one, &g->rng);
            if (gen_rng_chance(&g->rng, P_FN_TYPO))
                gen_typo(&one, &g->rng);
            if (gen_rng_chance(&g->rng, P_FN_PHONETIC))
                gen_phonetic(&one, &g->rng);
        }
        if (fn.n + one.n + 1 >= GEN_CP_MAX)
            break;
        if (fn.n > 0)
            fn.c[fn.n++] = ' ';
        memcpy(&fn.c[fn.n], one.c, (size_t)one.n * sizeof one.c[0]);
        fn.n += one.n;
    }
    put_name(g, &birth, src, 0);
    put_name(g, &used, src, 0);
    put_name(g, &fn, src, 1);
}

static void record_date(gen *g, const person *p, char *out)
{
    int y = p->y, m = p->m, d = p->d;
    double u = gen_rng_unit(&g->rng);
    if (u < P_DATE_MISSING) {
        out[0] = '\0';
        return;
    }
    u -= P_DATE_MISSING;
    if (u < P_DATE_SWAP) {
        if (d <= 12 && d != m) {
            int t = d;
            d = m;
            m = t;
        }
    } else if ((u -= P_DATE_SWAP) < P_DATE_DIGIT) {
        /* One of the digits that get mistyped (year's last two, month, day)
         * off by one, as long as the date stays a date. */
        for (int tries = 0; tries < 6; tries++) {
            int ny = y, nm = m, nd = d, delta = gen_rng_chance(&g->rng, 0.5) ? 1 : -1;
            switch (gen_rng_below(&g->rng, 5)) {
            case 0: ny += delta; break;
            case 1: ny += 10 * delta; break;
            case 2: nm += delta; break;
            case 3: nd += delta; break;
            default: nd += 10 * delta; break;
            }
            if (ny >= 1900 && ny <= 2024 && nm >= 1 && nm <= 12 && nd >= 1 &&
                nd <= days_in(ny, nm)) {
                y = ny, m = nm, d = nd;
                break;
            }
        }
    } else if ((u -= P_DATE_DIGIT) < P_DATE_JAN1) {
        m = 1, d = 1;
    }
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static void make_record(gen *g, const person *p, int source, rec *r)
{
    const source_style *src = &sources[source];
    r->person = p->id;
    r->source = (uint8_t)source;
    r->names = g->arena_len;
    record_names(g, p, src);
    record_date(g, p, r->date);

    double u = gen_rng_unit(&g->rng);
    r->sex = p->female ? 'F' : 'M';
    if (u < P_SEX_WRONG)
        r->sex = p->female ? 'M' : 'F';
    else if (u < P_SEX_WRONG + P_SEX_UNKNOWN)
        r->sex = 'U';

    memcpy(r->place, p->place, sizeof r->place);
    u = gen_rng_unit(&g->rng);
    if (u < P_PLACE_MISSING)
        r->place[0] = '\0';
    else if (u < P_PLACE_MISSING + P_PLACE_WRONG && strncmp(p->place, "99", 2) != 0 &&
             strlen(p->place) == 5 && p->place[2] >= '0' && p->place[2] <= '9')
        snprintf(r->place + 2, 4, "%03u", 1 + gen_rng_below(&g->rng, 350));

    r->ins[0] = '\0';
    if (gen_rng_chance(&g->rng, src->ins_rate)) {
        const char *nir = p->nir;
        if (p->parent_nir[0] && gen_rng_chance(&g->rng, P_CHILD_PARENT_NIR)) {
            nir = p->parent_nir;
            g->st.parent_ins++;
        } else if (g->persons > 1 && gen_rng_chance(&g->rng, P_WRONG_INS)) {
            const person *o = ring_recent(g);
            if (o->id != p->id) {
                nir = o->nir;
                g->st.wrong_ins++;
            }
        }
        memcpy(r->ins, nir, sizeof r->ins);
        g->st.with_ins++;
    }
}

static int pick_source(gen *g)
{
    double u = gen_rng_unit(&g->rng), acc = 0;
    for (int i = 0; i < N_SOURCES; i++) {
        acc += sources[i].weight;
        if (u < acc)
            return i;
    }
    return N_SOURCES - 1;
}

/* The person's k records, each in its own establishment unless a
 * duplicate within one. */
static void person_records(gen *g, const person *p, int k)
{
    int used[5];
    for (int i = 0; i < k; i++) {
        int s = pick_source(g);
        if (i > 0 && !gen_rng_chance(&g->rng, P_SAME_SOURCE)) {
            for (int tries = 0; tries < 20; tries++) {
                int clash = 0;
                for (int j = 0; j < i; j++)
                    clash |= used[j] == s;
                if (!clash)
                    break;
                s = pick_source(g);
            }
        }
        used[i] = s;
        make_record(g, p, s, &g->recs[g->nrec++]);
    }
}

/* ---- output --------------------------------------------------------------- */

static int write_all(gen *g, FILE *records, FILE *truth, socle_err *err)
{
    /* Shuffle, then number each establishment's records in file order. */
    for (size_t i = g->nrec; i > 1; i--) {
        size_t j = (size_t)(gen_rng_next(&g->rng) % i);
        rec t = g->recs[i - 1];
        g->recs[i - 1] = g->recs[j];
        g->recs[j] = t;
    }
    unsigned long counter[N_SOURCES] = { 0 };
    if (fputs(GEN_RECORDS_HEADER "\n", records) < 0 || fputs(GEN_TRUTH_HEADER "\n", truth) < 0)
        return err_set(err, SOCLE_EIO, "write: %s", strerror(errno));
    for (size_t i = 0; i < g->nrec; i++) {
        const rec *r = &g->recs[i];
        const char *birth = g->arena + r->names;
        const char *used = birth + strlen(birth) + 1;
        const char *fn = used + strlen(used) + 1;
        char local_id[24];
        snprintf(local_id, sizeof local_id, "%u%07lu", (unsigned)r->source + 1,
                 ++counter[r->source]);
        const char *src = sources[r->source].code;
        fprintf(records, "%s,%s,%s,%s,%s,%s,%c,%s,%s\n", src, local_id, birth, used, fn,
                r->date, r->sex, r->place, r->ins);
        fprintf(truth, "%s,%s,P%07u\n", src, local_id, r->person + 1);
    }
    if (fflush(records) != 0 || ferror(records) || fflush(truth) != 0 || ferror(truth))
        return err_set(err, SOCLE_EIO, "write: %s", strerror(errno));
    return 0;
}

static void gen_init(gen *g, uint64_t seed)
{
    gen_rng_seed(&g->rng, seed);
    zipf_cdf(g->surname_cdf, gen_surname_count, 0.5);
    for (int s = 0; s < 2; s++) {
        for (int e = 0; e < 3; e++)
            zipf_cdf(g->fn_cdf[s][e], gen_forename_count[s][e], 0.8);
        zipf_cdf(g->second_cdf[s], gen_second_forename_count[s], 1.0);
    }
    zipf_cdf(g->onset_cdf, COUNT(onsets), 0.5);
    zipf_cdf(g->middle_cdf, COUNT(middles), 0.5);
    zipf_cdf(g->ending_cdf, COUNT(endings), 0.5);
}

int gen_write(unsigned long n_records, uint64_t seed, FILE *records, FILE *truth,
              gen_stats *stats, socle_err *err)
{
    if (n_records == 0)
        return err_set(err, SOCLE_EINVAL, "the number of records must be at least 1");
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(err, SOCLE_EIO, "out of memory");
    int rc = -1;
    g->recs = malloc(n_records * sizeof *g->recs);
    if (!g->recs) {
        err_set(err, SOCLE_EIO, "out of memory for %lu records", n_records);
        goto done;
    }
    gen_init(g, seed);
    person cur, prev;
    int have_prev = 0;
    while (g->nrec < n_records) {
        next_person(g, &cur, have_prev ? &prev : NULL);
        double u = gen_rng_unit(&g->rng);
        int k = 1;
        while (k < 5 && u >= records_cdf[k - 1])
            k++;
        if ((unsigned long)k > n_records - g->nrec)
            k = (int)(n_records - g->nrec);
        /* Each record takes at most 3 names of 2 * GEN_CP_MAX bytes. */
        if (arena_reserve(g, (size_t)k * 3 * (2 * GEN_CP_MAX + 1)) < 0) {
            err_set(err, SOCLE_EIO, "out of memory after %zu records", g->nrec);
            goto done;
        }
        person_records(g, &cur, k);
        g->st.true_pairs += (unsigned long)k * (unsigned long)(k - 1) / 2;
        prev = cur;
        have_prev = 1;
    }
    g->st.records = g->nrec;
    g->st.persons = g->persons;
    rc = write_all(g, records, truth, err);
    if (rc == 0 && stats)
        *stats = g->st;
done:
    free(g->recs);
    free(g->arena);
    free(g);
    return rc;
}
