/*
 * gen.h - a synthetic generator of patient identity records with their
 * truth, for measuring `socle dedupe` (see bench/dedupe/README.md for the
 * model and its error rates).
 *
 * Records are written in the input format of `socle dedupe`:
 *   source,local_id,birth_name,used_name,first_names,birth_date,sex,birth_place,ins
 * and the truth as
 *   source,local_id,person_id
 * Deterministic: the same (n_records, seed) always gives the same bytes.
 * Records are shuffled, so that a file's order says nothing of who is who.
 * Every non-empty ins carries a correct key (a wrong INS is another
 * person's valid one, as happens in real life).
 */
#ifndef SOCLE_BENCH_DEDUPE_GEN_H
#define SOCLE_BENCH_DEDUPE_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

#define GEN_RECORDS_HEADER \
    "source,local_id,birth_name,used_name,first_names,birth_date,sex,birth_place,ins"
#define GEN_TRUTH_HEADER "source,local_id,person_id"

/* What was generated, for the summary and the tests. */
typedef struct gen_stats {
    unsigned long records;
    unsigned long persons;
    unsigned long true_pairs;        /* pairs of records of the same person */
    unsigned long twins;             /* persons generated as a twin of the previous */
    unsigned long homonyms;          /* persons copying another's names and sex */
    unsigned long children;          /* children who may carry a parent's NIR */
    unsigned long with_ins;          /* records with a non-empty ins */
    unsigned long parent_ins;        /* records of a child carrying the parent's NIR */
    unsigned long wrong_ins;         /* records carrying an unrelated person's NIR */
} gen_stats;

/* Generate n_records records (n_records >= 1) into records and truth (both
 * borrowed, written from their current position, not closed). stats may be
 * NULL. Returns 0, or -1 with err on a write or memory failure. */
int gen_write(unsigned long n_records, uint64_t seed, FILE *records, FILE *truth,
              gen_stats *stats, socle_err *err);

#endif
