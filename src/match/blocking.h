/*
 * blocking.h - which pairs of records are worth comparing.
 *
 * Comparing every pair of a million records is 5*10^11 comparisons; a
 * block is a set of records that share a key, and only pairs within a
 * block are compared. Several passes with different keys, so that a typo
 * in one field does not hide a pair (each key is built from other fields):
 *
 *   NAME_YEAR   phonetic code of the birth name + birth year
 *   USED_YEAR   phonetic code of the used name + birth year, in the same
 *               key space as NAME_YEAR: a married name given as a birth
 *               name meets the record that has it as used name
 *   DATE_SEX    full birth date + sex
 *   INS         INS matricule (valid key only)
 *   FIRST_DATE  first forename + full birth date
 *   NAME_FIRST  phonetic codes of birth name and first forename (for a
 *               missing or wrong birth date)
 *
 * The keys of a record are a pure function of the record, so the
 * real-time linker can persist them and look up the candidates of one
 * incoming identity with the same keys.
 *
 * Bounded blocks: a block larger than cap (e.g. a very common name, or a
 * default birth date like 1900-01-01 entered for unknown dates) would make
 * the comparisons quadratic. Such a block is sorted by the records' names
 * and forenames and only records within `window` positions of each other
 * are paired (sorted neighbourhood), so its cost is linear, and records
 * that look alike are still neighbours.
 */
#ifndef SOCLE_MATCH_BLOCKING_H
#define SOCLE_MATCH_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

#include "match/normalize.h"
#include "util/error.h"

enum { BK_NAME_YEAR, BK_USED_YEAR, BK_DATE_SEX, BK_INS, BK_FIRST_DATE,
       BK_NAME_FIRST, BLOCKING_PASSES };

#define BLOCKING_DEFAULT_CAP    100
#define BLOCKING_DEFAULT_WINDOW 10

/* The blocking keys of a record, one per pass; 0 when the pass does not
 * apply (a field missing). Keys are 64-bit hashes of the pass's key space
 * and values. Returns the number of non-zero keys. */
size_t blocking_keys(const match_record *r, uint64_t keys[BLOCKING_PASSES]);

/* Pair filters: most pairs a pass brings are strangers, and a cheap test
 * drops the hopeless ones before the (costly) comparison:
 *   NAME_YEAR, USED_YEAR, DATE_SEX  the forename lists share an initial
 *                                   (of any forename or part), or one is
 *                                   unknown;
 *   NAME_FIRST                      the birth dates are compatible (equal,
 *                                   swapped, one digit, same year) or one
 *                                   is unknown: the pass is there for a
 *                                   wrong date, not for another one;
 *   INS, FIRST_DATE                 every pair.
 * Returns 1 when the pair of records a and b is worth comparing for pass.
 * The real-time linker may apply it to the candidates of a key. */
int blocking_pair_wanted(int pass, const match_record *a, const match_record *b);

/* Training blocks: one block in 8, chosen by its key, keeps all its pairs
 * unfiltered, so that the model is learned from what a pass really
 * brings (the filters above would make the strangers of a pass look like
 * matches). Returns 1 for the key of a training block. */
int blocking_training_key(uint64_t key);

/* Candidate pairs: each is (a << 32) | b with a < b, record indexes. */
typedef struct match_pairs {
    uint64_t *v;
    size_t n;
} match_pairs;

typedef struct blocking_stats {
    size_t blocks;         /* blocks of two records or more */
    size_t capped_blocks;  /* blocks larger than cap */
    size_t largest;        /* size of the largest block */
    size_t raw_pairs;      /* pairs before removing duplicates across passes */
    size_t filtered;       /* pairs dropped by blocking_pair_wanted */
} blocking_stats;

/* Build the candidate pairs of n records (sorted, without duplicates;
 * filtered by blocking_pair_wanted outside training blocks) into
 * out (free with match_pairs_free). cap and window of 0 take the defaults.
 * stats may be NULL. Returns 0, or -1 (out of memory) with err set. */
int blocking_pairs(const match_record *recs, size_t n, size_t cap, size_t window,
                   match_pairs *out, blocking_stats *stats, socle_err *err);

void match_pairs_free(match_pairs *p);

/* Sort n 64-bit values in place (LSD radix sort, for the big arrays of
 * keys and pairs). Returns 0, or -1 when the scratch buffer cannot be
 * allocated. */
int blocking_sort_u64(uint64_t *v, size_t n);

#endif
