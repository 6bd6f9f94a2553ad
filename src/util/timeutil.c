/*
 * timeutil.c - timestamps, calendar dates and durations.
 *
 * Everything is UTC: the repository is shared by hospitals that may not
 * agree on a local time zone, and audit timestamps must sort as text.
 */
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

/* Longest duration accepted: ten years of 365 days. Longer values are
 * almost certainly typing mistakes (a token valid for "8760h" is a year). */
#define DURATION_MAX ((int64_t)10 * 365 * 86400)

/* Write "YYYY-MM-DDTHH:MM:SS" for t; returns the length, or -1 when the time
 * is not representable (gmtime_r fails on absurd years). */
static int format_seconds(time_t t, char *out, size_t n)
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    /* Four-digit years written by hand: every stored change takes a few
     * timestamps, and strftime and snprintf were 2 % of an HL7 message's
     * CPU. Other years (and short buffers) as strftime writes them. */
    int year = tm.tm_year + 1900;
    if (year < 0 || year > 9999 || n < 20) {
        size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
        return k == 0 ? -1 : (int)k;
    }
    const int parts[6] = { year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec };
    static const char seps[6] = { '-', '-', 'T', ':', ':', '\0' };
    char *p = out;
    for (int i = 0; i < 6; i++) {
        int v = parts[i];
        if (i == 0) {
            *p++ = (char)('0' + v / 1000);
            *p++ = (char)('0' + v / 100 % 10);
        }
        *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = seps[i];
    }
    return 19;
}

void time_now_iso(char out[TIME_ISO_MAX])
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        ts.tv_sec = time(NULL);
        ts.tv_nsec = 0;
    }
    int k = format_seconds(ts.tv_sec, out, TIME_ISO_MAX);
    if (k < 0) {
        snprintf(out, TIME_ISO_MAX, "1970-01-01T00:00:00.000Z");
        return;
    }
    if ((size_t)k + 6 > TIME_ISO_MAX) {
        snprintf(out, TIME_ISO_MAX, "1970-01-01T00:00:00.000Z");
        return;
    }
    int ms = (int)(ts.tv_nsec / 1000000);
    char *p = out + k;
    *p++ = '.';
    *p++ = (char)('0' + ms / 100);
    *p++ = (char)('0' + ms / 10 % 10);
    *p++ = (char)('0' + ms % 10);
    *p++ = 'Z';
    *p = '\0';
}

void time_format_iso(time_t t, char out[TIME_ISO_MAX])
{
    int k = format_seconds(t, out, TIME_ISO_MAX);
    if (k < 0) {
        /* Callers print the result as is; an epoch is obviously wrong
         * rather than silently truncated. */
        snprintf(out, TIME_ISO_MAX, "1970-01-01T00:00:00Z");
        return;
    }
    snprintf(out + k, TIME_ISO_MAX - (size_t)k, "Z");
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_valid(const char *s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return 0;

    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1)
        return 0;
    int dim = mdays[m - 1] + (m == 2 && is_leap(y));
    return d <= dim;
}

int duration_parse(const char *s, int64_t *seconds)
{
    if (s == NULL || !is_digit(*s))
        return -1;

    /* Stop accumulating once past the limit: the value is rejected anyway,
     * and this keeps a long run of digits from overflowing. */
    int64_t v = 0;
    const char *p = s;
    for (; is_digit(*p); p++) {
        if (v <= DURATION_MAX)
            v = v * 10 + (*p - '0');
    }

    int64_t unit;
    switch (*p) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default:  return -1;
    }
    if (p[1] != '\0' || v <= 0 || v > DURATION_MAX / unit)
        return -1;
    if (seconds != NULL)
        *seconds = v * unit;
    return 0;
}
