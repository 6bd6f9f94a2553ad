/*
 * normalize.h - identity traits in the form the matching engine compares.
 *
 * Every text is decomposed (NFKD), stripped of its accents, folded to upper
 * case; letters of other scripts are kept (upper case) so that such names
 * still compare. Names become one run of letters without separators
 * ("Le Goff", "LE-GOFF" and "LEGOFF" are all "LEGOFF"; "d'Artagnan" is
 * "DARTAGNAN"), plus a "core" form without the leading particles (DE, DU,
 * DES, LE, LA, LES, D', L', DEL, DELLA, VAN, VON...) so that "de la
 * Fontaine" also meets "Fontaine". Forenames are a list of tokens separated
 * by one space; a composed forename keeps its hyphen and stays one token
 * ("JEAN-PIERRE MARIE").
 *
 * A record is normalised once and then compared many times, so it is a
 * fixed-size, flat structure (no pointers): an array of a million of them
 * is one allocation. Overlong values are truncated (on a code point
 * boundary); names longer than the limits are not met in registries.
 */
#ifndef SOCLE_MATCH_NORMALIZE_H
#define SOCLE_MATCH_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#define MATCH_NAME_MAX      40   /* bytes, with the NUL */
#define MATCH_FORENAMES_MAX 48
#define MATCH_PHON_MAX      8

/* The raw traits of one identity, as given (borrowed; NULL means empty). */
typedef struct match_input {
    const char *birth_name;
    const char *used_name;
    const char *first_names;  /* birth forenames, space-separated */
    const char *birth_date;   /* YYYY-MM-DD */
    const char *sex;          /* M, F, U */
    const char *birth_place;  /* INSEE code, 99xxx = abroad */
    const char *ins;          /* 15-character matricule */
} match_input;

/* What the INS of a record is worth as evidence. */
typedef enum match_ins_state {
    MATCH_INS_NONE = 0,     /* empty */
    MATCH_INS_USABLE,       /* valid key and consistent with sex/year/month */
    MATCH_INS_INCONSISTENT, /* valid key but contradicts the record's own
                             * traits: e.g. a child under a parent's NIR */
    MATCH_INS_INVALID       /* wrong length, characters or key */
} match_ins_state;

typedef struct match_record {
    char birth_name[MATCH_NAME_MAX];   /* "" when unknown */
    char birth_core[MATCH_NAME_MAX];   /* without leading particles */
    char used_name[MATCH_NAME_MAX];
    char used_core[MATCH_NAME_MAX];
    char forenames[MATCH_FORENAMES_MAX];
    char birth_phon[MATCH_PHON_MAX];   /* phonetic code of birth_core */
    char used_phon[MATCH_PHON_MAX];
    char first_phon[MATCH_PHON_MAX];   /* of the first forename */
    char ins[16];                      /* as given when 15 characters */
    char place[6];                     /* 5-character INSEE code or "" */
    uint16_t year;                     /* 0 when the date is unknown */
    uint8_t month, day;                /* 0 when unknown */
    char sex;                          /* 'M', 'F' or 'U' */
    uint8_t ins_state;                 /* match_ins_state */
} match_record;

/* Upper-case, accent-free form of a text: words (letters and digits, with
 * '-' kept inside a word when keep_hyphen) separated by one space, other
 * characters dropped or turned into separators. Writes at most cap bytes
 * (NUL included, truncating on a code point boundary). Returns 0, or -1 for
 * invalid UTF-8 (out is then ""). */
int normalize_text(const char *in, char *out, size_t cap, int keep_hyphen);

/* A family name: full (no separators) and core (leading particles removed;
 * equal to full when there are none, or when only particles remain). */
int normalize_name(const char *in, char *full, char *core, size_t cap);

/* A forename list: tokens separated by one space, composed forenames keep
 * their hyphen ("Jean - Pierre, Marie" -> "JEAN-PIERRE MARIE"). */
int normalize_forenames(const char *in, char *out, size_t cap);

/* A YYYY-MM-DD date; accepts a partial date with 00 for an unknown month
 * or day. Returns 1 and fills y/m/d when it is a plausible date, 0 (all
 * zero) otherwise. */
int normalize_date(const char *in, uint16_t *y, uint8_t *m, uint8_t *d);

/* Is the token a particle that may precede a family name? */
int normalize_is_particle(const char *token);

/* Normalise a whole identity (phonetic codes included). Never fails on
 * content: a field that cannot be read is left unknown. Returns 0, or -1
 * when a field is not valid UTF-8. */
int match_normalize(const match_input *in, match_record *out);

#endif
