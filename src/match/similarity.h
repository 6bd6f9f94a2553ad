/*
 * similarity.h - string similarity and the field-by-field comparison of two
 * normalised records into graded levels (the "comparison vector" that the
 * Fellegi-Sunter model weighs).
 *
 * Strings are normalised UTF-8 (see normalize.h); the measures work on
 * code points, not bytes, so a kept non-Latin letter counts as one.
 */
#ifndef SOCLE_MATCH_SIMILARITY_H
#define SOCLE_MATCH_SIMILARITY_H

#include <stddef.h>

#include "match/normalize.h"

/* Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4).
 * Two empty strings are 1. */
double sim_jaro_winkler(const char *a, const char *b);

/* Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions, transpositions of adjacent characters).
 * Strings longer than 63 code points are cut. */
int sim_damerau(const char *a, const char *b);

/* ---- Comparison levels ----------------------------------------------- */

/* Level 0 of every field is "not comparable" (a value missing on either
 * side): it weighs nothing. */
typedef enum match_field {
    MF_NAME = 0,   /* birth name, with birth/used crossed */
    MF_USED,       /* used name */
    MF_FIRST,      /* forename list */
    MF_DATE,       /* birth date */
    MF_SEX,
    MF_PLACE,      /* birth place */
    MF_INS,
    MF_COUNT
} match_field;

enum { NAME_NA, NAME_EXACT, NAME_CLOSE, NAME_SWAP, NAME_PHON, NAME_DIFF, NAME_LEVELS };
enum { USED_NA, USED_EQ, USED_DIFF, USED_LEVELS };
enum { FIRST_NA, FIRST_EXACT, FIRST_FIRST, FIRST_PARTIAL, FIRST_CLOSE, FIRST_DIFF,
       FIRST_LEVELS };
enum { DATE_NA, DATE_EXACT, DATE_SWAP, DATE_TYPO, DATE_YEAR, DATE_DIFF, DATE_LEVELS };
enum { SEX_NA, SEX_EQ, SEX_DIFF, SEX_LEVELS };
enum { PLACE_NA, PLACE_EQ, PLACE_DEPT, PLACE_DIFF, PLACE_LEVELS };
enum { INS_NA, INS_EQ, INS_DIFF, INS_LEVELS };

#define MATCH_MAX_LEVELS 6

typedef struct match_cmp {
    unsigned char level[MF_COUNT];
} match_cmp;

/* Number of levels of a field (NA included). */
int match_levels(match_field f);
/* Short English names, for explanations and the model's JSON. */
const char *match_field_name(match_field f);
const char *match_level_name(match_field f, int level);

/* Compare two records field by field:
 *  - NAME: EXACT (full or core form equal), CLOSE (edit distance 1 or
 *    Jaro-Winkler >= 0.94), SWAP (a birth name equals or is close to the
 *    other's used name: a married name given as birth name), PHON (same
 *    phonetic code, or Jaro-Winkler >= 0.88), DIFF;
 *  - USED: EQ (equal or close), DIFF; n/a when either used name only
 *    repeats its record's birth name (a copy is no evidence of its own);
 *  - FIRST: EXACT (same list, hyphen or space alike), FIRST (same first
 *    forename, the others differ or are missing), PARTIAL (a forename of
 *    one is in the other's list, in another order, or as part of a
 *    composed forename), CLOSE (first forenames close), DIFF;
 *  - DATE: EXACT, SWAP (day and month swapped), TYPO (one digit differs or
 *    two adjacent digits swapped), YEAR (same year only), DIFF;
 *  - SEX: EQ, DIFF (U is not comparable);
 *  - PLACE: EQ, DEPT (same department, not abroad), DIFF;
 *  - INS: EQ, DIFF, only when both are MATCH_INS_USABLE. */
void match_compare(const match_record *a, const match_record *b, match_cmp *out);

/* Level of the dates alone (used by the protection rules). */
int match_compare_dates(const match_record *a, const match_record *b);

/* Is the first forename of a absent from b's list and not close to any of
 * b's forenames (and the other way round)? Both must have forenames. */
int match_forenames_differ(const match_record *a, const match_record *b);

#endif
