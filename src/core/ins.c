/*
 * ins.c - the INS matricule (NIR or NIA): format, key and OIDs.
 *
 * The layout is positional, so every check below names a 1-based position:
 * that is what a clerk sees on a Vitale card or an INSi answer.
 */
#include "core/ins.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/reason.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Positions 6-7 (indexes 5-6) may be "2A" or "2B" for Corsica. */
static int is_corsica(const char *s)
{
    return s[5] == '2' && (s[6] == 'A' || s[6] == 'B');
}

/* Describe one character for a reason: printable ASCII is quoted as is,
 * anything else (control bytes, UTF-8 lead bytes) as hex, so that the
 * message stays one clean line. */
int ins_compute_key(const char *first13)
{
    if (first13 == NULL)
        return -1;

    /* Read at most 13 characters: a NUL stops us before running off a
     * short string. */
    uint64_t n = 0;
    for (int i = 0; i < 13; i++) {
        char c = first13[i];
        unsigned d;
        if (i == 6 && first13[5] == '2' && (c == 'A' || c == 'B')) {
            /* 2A counts as 19 and 2B as 18: undo the '2' already added
             * in the tens, then add the substitute department. */
            n = n / 10 * 10 + 1;
            d = c == 'A' ? 9 : 8;
        } else if (is_digit(c)) {
            d = (unsigned)(c - '0');
        } else {
            return -1;
        }
        n = n * 10 + d;
    }
    /* 13 digits fit in 44 bits: 64-bit arithmetic is exact. */
    return (int)(97 - n % 97);
}

int ins_check(const char *m, char *why, size_t why_len)
{
    reason_clear(why, why_len);
    if (m == NULL || m[0] == '\0')
        return reason_set(why, why_len, "matricule is empty");

    size_t len = strlen(m);
    if (len != INS_LEN)
        return reason_set(why, why_len, "length is %zu, expected %d", len, INS_LEN);

    int corsica = is_corsica(m);
    for (int i = 0; i < INS_LEN; i++) {
        if ((i == 5 || i == 6) && corsica)
            continue;
        if (!is_digit(m[i])) {
            char what[32];
            reason_describe_char(m[i], what, sizeof what);
            return reason_set(why, why_len, "%s at position %d is not a digit",
                           what, i + 1);
        }
    }

    switch (m[0]) {
    case '1': case '2': case '3': case '4': case '7': case '8':
        break;
    default:
        return reason_set(why, why_len,
                       "sex digit is %c, expected 1, 2, 3, 4, 7 or 8", m[0]);
    }

    int expected = ins_compute_key(m);
    int key = (m[13] - '0') * 10 + (m[14] - '0');
    if (key != expected)
        return reason_set(why, why_len, "key is %02d, expected %02d", key, expected);
    return 1;
}

ins_oid_kind ins_oid_classify(const char *oid)
{
    if (oid == NULL)
        return INS_OID_UNKNOWN;
    if (strcmp(oid, INS_OID_NIR) == 0)
        return INS_KIND_NIR;
    if (strcmp(oid, INS_OID_NIA) == 0)
        return INS_KIND_NIA;
    if (strcmp(oid, INS_OID_NIR_TEST) == 0)
        return INS_KIND_NIR_TEST;
    if (strcmp(oid, INS_OID_NIR_DEMO) == 0)
        return INS_KIND_NIR_DEMO;
    return INS_OID_UNKNOWN;
}

/* Parse "YYYY-MM-DD" loosely enough to get the year and month; the full
 * date check belongs to rniv_traits_validate. */
static int parse_year_month(const char *d, int *year, int *month)
{
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (d[i] != '-')
                return -1;
        } else if (!is_digit(d[i])) {
            return -1;
        }
    }
    if (d[10] != '\0')
        return -1;
    *year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10
          + (d[3] - '0');
    *month = (d[5] - '0') * 10 + (d[6] - '0');
    return 0;
}

int ins_consistent_with(const char *m, char sex, const char *birth_date,
                        char *why, size_t why_len)
{
    if (!ins_check(m, why, why_len))
        return 0;

    /* Only 1 and 2 carry a sex; 3/4/7/8 mark special or temporary
     * numbers whose first digit cannot be trusted for this. */
    if (m[0] == '1' && sex == 'F')
        return reason_set(why, why_len,
                       "sex digit is 1 (male) but sex is F");
    if (m[0] == '2' && sex == 'M')
        return reason_set(why, why_len,
                       "sex digit is 2 (female) but sex is M");

    if (birth_date == NULL || birth_date[0] == '\0')
        return 1;

    int year, month;
    if (parse_year_month(birth_date, &year, &month) < 0)
        return reason_set(why, why_len,
                       "birth_date: '%.10s' is not YYYY-MM-DD", birth_date);

    int ins_year = (m[1] - '0') * 10 + (m[2] - '0');
    if (ins_year != year % 100)
        return reason_set(why, why_len,
                       "year digits are %02d but birth_date year is %04d",
                       ins_year, year);

    /* Months outside 01-12 (20+, 30+, 50...) stand for an unknown month
     * at registration: nothing to compare. */
    int ins_month = (m[3] - '0') * 10 + (m[4] - '0');
    if (ins_month >= 1 && ins_month <= 12 && ins_month != month)
        return reason_set(why, why_len,
                       "month digits are %02d but birth_date month is %02d",
                       ins_month, month);
    return 1;
}
