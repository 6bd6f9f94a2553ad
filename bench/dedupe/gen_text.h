/*
 * gen_text.h - text edits of the synthetic generator: names held as arrays
 * of code points (Latin-1 range is all a French name needs), typing
 * errors, phonetic spellings, hyphenation, accents and case.
 */
#ifndef SOCLE_BENCH_DEDUPE_GEN_TEXT_H
#define SOCLE_BENCH_DEDUPE_GEN_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded through splitmix64: small, fast, and the same on
 * every platform, which is what makes the output deterministic. */
typedef struct gen_rng { uint64_t s[4]; } gen_rng;

void     gen_rng_seed(gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(gen_rng *r);
double   gen_rng_unit(gen_rng *r);                 /* [0, 1) */
uint32_t gen_rng_below(gen_rng *r, uint32_t n);    /* [0, n), n >= 1 */
int      gen_rng_chance(gen_rng *r, double p);     /* 1 with probability p */

#define GEN_CP_MAX 96

typedef struct gen_cps {
    uint32_t c[GEN_CP_MAX];
    int n;
} gen_cps;

/* UTF-8 (valid, from the tables) to code points, truncated at GEN_CP_MAX. */
void gen_cps_from(gen_cps *out, const char *utf8);
/* Code points to UTF-8 into out (NUL-terminated); returns the byte length.
 * out must hold 2 * GEN_CP_MAX + 1 bytes. */
size_t gen_cps_to(const gen_cps *in, char *out);

void gen_strip_accents(gen_cps *s);
/* Title case: upper after start, space, hyphen or apostrophe, lower elsewhere. */
void gen_title_case(gen_cps *s);

/* No separator (space, hyphen, apostrophe) at either end or twice in a
 * row: an edit next to one may leave "D ALMEIDA" as " ALMEIDA". */
void gen_tidy(gen_cps *s);

/* One typing error: substitution, transposition, omission or a doubled
 * letter, away from the first letter most of the time. */
void gen_typo(gen_cps *s, gen_rng *r);
/* One phonetic respelling (PH/F, Y/I, -AULT/-AUD, double letters, C/K,
 * silent endings...). Returns 1 if a rule applied, 0 if none fitted. */
int gen_phonetic(gen_cps *s, gen_rng *r);
/* Hyphens, spaces and apostrophes of a compound name changed: hyphen to
 * space or removed, particle glued ("LE GALL" -> "LEGALL"), or only the
 * first part kept. Returns 1 if the name was compound and changed. */
int gen_hyphenation(gen_cps *s, gen_rng *r);

#endif
