/*
 * test_timeutil.c - timestamps, calendar dates and durations.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "YYYY-MM-DDTHH:MM:SS" then `tail` shape: digits where the model has 'd'. */
static void assert_shape(const char *s, const char *model)
{
    cr_assert_eq(strlen(s), strlen(model), "'%s' does not look like '%s'", s, model);
    for (size_t i = 0; model[i]; i++) {
        if (model[i] == 'd')
            cr_assert(is_digit(s[i]), "'%s': digit expected at %zu", s, i);
        else
            cr_assert_eq(s[i], model[i], "'%s': '%c' expected at %zu", s, model[i], i);
    }
}

Test(time, format_iso_known_instants)
{
    char out[TIME_ISO_MAX];
    time_format_iso(0, out);
    cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
    time_format_iso(1700000000, out);
    cr_assert_str_eq(out, "2023-11-14T22:13:20Z");
    time_format_iso(951782400, out);            /* a leap day */
    cr_assert_str_eq(out, "2000-02-29T00:00:00Z");
    time_format_iso(-1, out);
    cr_assert_str_eq(out, "1969-12-31T23:59:59Z");
    /* The last four-digit year, and the first of five (written by strftime). */
    time_format_iso((time_t)253402300799, out);
    cr_assert_str_eq(out, "9999-12-31T23:59:59Z");
    time_format_iso((time_t)253402300800, out);
    cr_assert_str_eq(out, "10000-01-01T00:00:00Z");
}

Test(time, format_iso_is_utc_whatever_tz)
{
    setenv("TZ", "XYZ-14", 1);  /* UTC+14, POSIX form: no tzdata needed */
    tzset();
    char out[TIME_ISO_MAX];
    time_format_iso(1700000000, out);
    cr_assert_str_eq(out, "2023-11-14T22:13:20Z");
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    char expect[TIME_ISO_MAX];
    time_format_iso(time(NULL), expect);
    /* The date and hour agree with UTC (unless the hour just turned). */
    if (strncmp(now, expect, 13) != 0) {
        time_format_iso(time(NULL), expect);
        time_now_iso(now);
    }
    cr_assert_eq(strncmp(now, expect, 13), 0, "now %s vs %s", now, expect);
}

Test(time, now_iso_has_milliseconds_and_is_current)
{
    char before[TIME_ISO_MAX], now[TIME_ISO_MAX], after[TIME_ISO_MAX];
    time_format_iso(time(NULL), before);
    time_now_iso(now);
    time_format_iso(time(NULL), after);
    assert_shape(now, "dddd-dd-ddTdd:dd:dd.dddZ");
    /* Same second as time() around it: compare the first 19 characters. */
    cr_assert(strncmp(now, before, 19) >= 0, "%s before %s", now, before);
    cr_assert(strncmp(now, after, 19) <= 0, "%s after %s", now, after);
}

Test(time, now_iso_sorts_as_text)
{
    char a[TIME_ISO_MAX], b[TIME_ISO_MAX];
    time_now_iso(a);
    struct timespec ts = {0, 3 * 1000 * 1000};
    nanosleep(&ts, NULL);
    time_now_iso(b);
    cr_assert(strcmp(a, b) < 0, "%s then %s", a, b);
}

Test(date, valid_dates)
{
    cr_assert_eq(date_valid("2024-01-31"), 1);
    cr_assert_eq(date_valid("1800-01-01"), 1);
    cr_assert_eq(date_valid("2999-12-31"), 1);
    cr_assert_eq(date_valid("2024-02-29"), 1);   /* divisible by 4 */
    cr_assert_eq(date_valid("2000-02-29"), 1);   /* divisible by 400 */
    cr_assert_eq(date_valid("2023-04-30"), 1);
    cr_assert_eq(date_valid("1985-11-09"), 1);
}

Test(date, impossible_days)
{
    cr_assert_eq(date_valid("2023-02-29"), 0);
    cr_assert_eq(date_valid("1900-02-29"), 0);   /* divisible by 100 */
    cr_assert_eq(date_valid("2100-02-29"), 0);
    cr_assert_eq(date_valid("2024-02-30"), 0);
    cr_assert_eq(date_valid("2023-04-31"), 0);
    cr_assert_eq(date_valid("2023-06-31"), 0);
    cr_assert_eq(date_valid("2023-09-31"), 0);
    cr_assert_eq(date_valid("2023-11-31"), 0);
    cr_assert_eq(date_valid("2023-01-32"), 0);
    cr_assert_eq(date_valid("2023-01-00"), 0);
    cr_assert_eq(date_valid("2023-00-10"), 0);
    cr_assert_eq(date_valid("2023-13-01"), 0);
}

Test(date, year_range)
{
    cr_assert_eq(date_valid("1799-12-31"), 0);
    cr_assert_eq(date_valid("3000-01-01"), 0);
    cr_assert_eq(date_valid("0000-01-01"), 0);
}

Test(date, malformed)
{
    cr_assert_eq(date_valid(NULL), 0);
    cr_assert_eq(date_valid(""), 0);
    cr_assert_eq(date_valid("2024-1-01"), 0);
    cr_assert_eq(date_valid("2024-01-1"), 0);
    cr_assert_eq(date_valid("24-01-01"), 0);
    cr_assert_eq(date_valid("2024/01/01"), 0);
    cr_assert_eq(date_valid("2024-01-01T00:00:00Z"), 0);
    cr_assert_eq(date_valid("2024-01-01 "), 0);
    cr_assert_eq(date_valid(" 2024-01-01"), 0);
    cr_assert_eq(date_valid("2024-0a-01"), 0);
    cr_assert_eq(date_valid("2024--1-01"), 0);
    cr_assert_eq(date_valid("01/02/2024"), 0);
    cr_assert_eq(date_valid("20240101"), 0);
}

/* Parse s, expecting success with the given number of seconds. */
static void expect_duration(const char *s, int64_t want)
{
    int64_t got = -7;
    cr_assert_eq(duration_parse(s, &got), 0, "'%s' should parse", s);
    cr_assert_eq(got, want, "'%s': %lld seconds, expected %lld", s,
                 (long long)got, (long long)want);
}

static void expect_bad_duration(const char *s)
{
    int64_t got = -7;
    cr_assert_eq(duration_parse(s, &got), -1, "'%s' should be rejected", s);
    cr_assert_eq(got, -7, "'%s': output must not change on error", s);
}

Test(duration, units)
{
    expect_duration("30s", 30);
    expect_duration("15m", 15 * 60);
    expect_duration("8h", 8 * 3600);
    expect_duration("7d", 7 * 86400);
    expect_duration("1s", 1);
    expect_duration("90m", 5400);
    expect_duration("007s", 7);
}

Test(duration, ten_years_is_the_limit)
{
    expect_duration("3650d", (int64_t)3650 * 86400);
    expect_duration("87600h", (int64_t)3650 * 86400);
    expect_duration("315360000s", (int64_t)3650 * 86400);
    expect_bad_duration("3651d");
    expect_bad_duration("87601h");
    expect_bad_duration("315360001s");
    expect_bad_duration("5256001m");
}

Test(duration, malformed)
{
    expect_bad_duration("");
    expect_bad_duration("0s");
    expect_bad_duration("0d");
    expect_bad_duration("000m");
    expect_bad_duration("5");
    expect_bad_duration("5x");
    expect_bad_duration("5S");
    expect_bad_duration("5 m");
    expect_bad_duration("-5m");
    expect_bad_duration("+5m");
    expect_bad_duration(" 5m");
    expect_bad_duration("5m ");
    expect_bad_duration("5mm");
    expect_bad_duration("5m5s");
    expect_bad_duration("m");
    expect_bad_duration("1.5h");
    expect_bad_duration("0x10s");
    int64_t v;
    cr_assert_eq(duration_parse(NULL, &v), -1);
}

Test(duration, overflow_is_rejected)
{
    expect_bad_duration("9223372036854775807s");
    expect_bad_duration("9223372036854775808s");
    expect_bad_duration("99999999999999999999999999999999999999d");
    expect_bad_duration("18446744073709551616h");
}
