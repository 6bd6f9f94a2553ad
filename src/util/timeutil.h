/*
 * timeutil.h - timestamps, calendar dates and durations.
 */
#ifndef SOCLE_UTIL_TIMEUTIL_H
#define SOCLE_UTIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIME_ISO_MAX 32  /* "2026-11-23T10:09:00.123Z" + NUL, with room */

/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void time_now_iso(char out[TIME_ISO_MAX]);

/* A UTC time_t as "YYYY-MM-DDTHH:MM:SSZ". */
void time_format_iso(time_t t, char out[TIME_ISO_MAX]);

/* Returns 1 when s is a real calendar date "YYYY-MM-DD" (leap years
 * checked, year 1800..2999), 0 otherwise. */
int date_valid(const char *s);

/* Parse a duration "30s", "15m", "8h", "7d" (a positive integer and one
 * unit letter) into seconds. Returns 0 on success, -1 on a malformed or
 * out-of-range value (more than 10 years). */
int duration_parse(const char *s, int64_t *seconds);

#endif
