/*
 * phonetic.h - a phonetic code for French names: Soundex2.
 *
 * Why Soundex2: it is the adaptation of Soundex to French published by
 * Frederic Brouard (1998), written for French surnames: it folds the
 * spellings French speakers actually confuse (GU/GA/CA/QU -> K, PH/PF -> F,
 * SCH -> S, KN -> N, MAC -> MC), neutralises the vowels after the first
 * letter, and drops the silent final D, T and S and the silent H, so
 * "Renaud", "Renault" and "Reno", or "Philippe" and "Filipe", share a code.
 * English Soundex (made for English and numbers the consonants) misses
 * most of these; Phonex (also French) yields a real number that is hard to
 * read or debug, and phonetic codes here are only blocking keys and one
 * comparison level, never a decision alone. Its codes are short, fixed
 * and easy to print in an explanation.
 *
 * Our reading of the published steps, applied to a normalised name
 * (upper-case A-Z; other characters are skipped):
 *   1. GUI->KI, GUE->KE, GA->KA, GO->KO, GU->K, CA->KA, CO->KO, CU->KU,
 *      Q->K, CC->K, CK->K;
 *   2. every vowel but the first letter (and but Y) becomes A;
 *   3. prefixes: MAC->MCC, ASA->AZA, KN->NN, PF->FF; SCH->SSS and
 *      PH->FF everywhere (the published text lists them with the
 *      prefixes; they are as frequent inside a name);
 *   4. H is dropped unless after C or S; Y unless after A;
 *   5. a final A, D, T or S is dropped (once);
 *   6. every A but the first letter is dropped;
 *   7. repeated letters are collapsed; the code keeps 4 letters.
 */
#ifndef SOCLE_MATCH_PHONETIC_H
#define SOCLE_MATCH_PHONETIC_H

#include <stddef.h>

#define PHONETIC_LEN 4

/* Encode name (normalised, upper case) into out (at most cap bytes with
 * the NUL, PHONETIC_LEN letters at most). An empty or letter-less name
 * gives "". Returns the code's length. */
size_t phonetic_encode(const char *name, char *out, size_t cap);

#endif
