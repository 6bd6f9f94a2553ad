/*
 * gen_tables.h - the name and place tables of the synthetic generator
 * (bench/dedupe/gen.h). Names are upper-case UTF-8 with their accents,
 * each list in decreasing order of frequency (the generator weights them
 * by rank, Zipf-like).
 */
#ifndef SOCLE_BENCH_DEDUPE_GEN_TABLES_H
#define SOCLE_BENCH_DEDUPE_GEN_TABLES_H

extern const char *const gen_surnames[];
extern const unsigned gen_surname_count;

/* [sex: 0 male, 1 female][era: 0 born before 1960, 1 1960-1989, 2 from 1990] */
extern const char *const *const gen_forenames[2][3];
extern const unsigned gen_forename_count[2][3];
/* Second and later forenames, by sex. */
extern const char *const *const gen_second_forenames[2];
extern const unsigned gen_second_forename_count[2];

/* Departments (2 characters, or 3 for overseas) of births near the
 * group's establishments, and elsewhere in France. */
extern const char *const gen_local_depts[];
extern const unsigned gen_local_dept_count;
extern const char *const gen_other_depts[];
extern const unsigned gen_other_dept_count;
/* INSEE country codes without their "99" prefix. */
extern const char *const gen_countries[];
extern const unsigned gen_country_count;

#endif
