/*
 * ins.h - the INS matricule (NIR or NIA) and its OIDs.
 *
 * A matricule is 15 characters: sex (1), year (2), month (2), department (2,
 * "2A"/"2B" for Corsica), commune or country (3), order (3), key (2).
 * key = 97 - (first 13 characters as a number mod 97), with 2A read as 19
 * and 2B as 18 for the computation. NIA has the same layout.
 */
#ifndef SOCLE_CORE_INS_H
#define SOCLE_CORE_INS_H

#include <stddef.h>

#define INS_LEN 15

#define INS_OID_NIR      "1.2.250.1.213.1.4.8"
#define INS_OID_NIA      "1.2.250.1.213.1.4.9"
#define INS_OID_NIR_TEST "1.2.250.1.213.1.4.10"
#define INS_OID_NIR_DEMO "1.2.250.1.213.1.4.11"

typedef enum ins_oid_kind {
    INS_OID_UNKNOWN = 0,
    INS_KIND_NIR,
    INS_KIND_NIA,
    INS_KIND_NIR_TEST,
    INS_KIND_NIR_DEMO
} ins_oid_kind;

/* Is the matricule well-formed? Returns 1 if valid; 0 if not, with a
 * one-line English reason in why (e.g. "key is 44, expected 33"). why may
 * be NULL. Spaces are not accepted: callers strip them first. */
int ins_check(const char *matricule, char *why, size_t why_len);

/* The key (0..97) a 13-character prefix should carry, or -1 if the prefix
 * is not 13 digits (with 2A/2B allowed at positions 6-7). */
int ins_compute_key(const char *first13);

/* Which INS an OID designates. */
ins_oid_kind ins_oid_classify(const char *oid);

/* Does a valid matricule agree with the identity's sex ('M'/'F'/'U') and
 * birth date ("YYYY-MM-DD", may be "")? Sex digit 1 = M, 2 = F (other
 * digits and sex 'U' are not checked); year digits = birth year mod 100;
 * month digits 01-12 must equal the birth month (other values mean an
 * unknown or special month and are not checked). Returns 1 when
 * consistent, 0 with a reason otherwise. */
int ins_consistent_with(const char *matricule, char sex, const char *birth_date,
                        char *why, size_t why_len);

#endif
