/*
 * identifiers.h - checks of the structure and professional identifiers:
 * FINESS numbers and ISO OIDs.
 */
#ifndef SOCLE_CORE_IDENTIFIERS_H
#define SOCLE_CORE_IDENTIFIERS_H

#include <stddef.h>

/* FINESS: 9 characters; the first two are the department (01-95, 2A, 2B,
 * or 97/98 for overseas); all others digits; the last is a Luhn check digit
 * over the nine digits. For Corsica (2A/2B) only the format is checked: the
 * key rule there is not published. Returns 1 if valid, 0 with a reason. */
int finess_check(const char *finess, char *why, size_t why_len);

/* ISO/ITU object identifier in dotted form: at least two arcs, digits only,
 * no leading zero in an arc (except "0" itself), first arc 0, 1 or 2, at most
 * 127 characters. Returns 1 if valid, 0 with a reason. */
int oid_check(const char *oid, char *why, size_t why_len);

#endif
