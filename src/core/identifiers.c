/*
 * identifiers.c - FINESS numbers and ISO object identifiers.
 */
#include "core/identifiers.h"

#include <stdio.h>
#include <string.h>

#include "util/reason.h"

#define FINESS_LEN 9
#define OID_MAX_LEN 127

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int finess_check(const char *f, char *why, size_t why_len)
{
    reason_clear(why, why_len);
    if (f == NULL || f[0] == '\0')
        return reason_set(why, why_len, "FINESS is empty");

    size_t len = strlen(f);
    if (len != FINESS_LEN)
        return reason_set(why, why_len, "length is %zu, expected %d",
                       len, FINESS_LEN);

    int corsica = f[0] == '2' && (f[1] == 'A' || f[1] == 'B');
    for (int i = corsica ? 2 : 0; i < FINESS_LEN; i++) {
        if (!is_digit(f[i])) {
            char what[32];
            reason_describe_char(f[i], what, sizeof what);
            return reason_set(why, why_len, "%s at position %d is not a digit",
                           what, i + 1);
        }
    }
    /* Corsican numbers carry letters, so Luhn cannot run over them and no
     * published rule says what replaces it: format only. */
    if (corsica)
        return 1;

    int dept = (f[0] - '0') * 10 + (f[1] - '0');
    if (dept < 1 || (dept > 95 && dept != 97 && dept != 98))
        return reason_set(why, why_len, "department %c%c does not exist",
                       f[0], f[1]);

    /* Luhn: from the right, every second digit is doubled (digits of the
     * product summed); the total must be a multiple of 10. */
    int sum = 0;
    for (int i = 0; i < FINESS_LEN - 1; i++) {
        int d = f[FINESS_LEN - 2 - i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    int expected = (10 - sum % 10) % 10;
    int got = f[FINESS_LEN - 1] - '0';
    if (got != expected)
        return reason_set(why, why_len, "check digit is %d, expected %d",
                       got, expected);
    return 1;
}

int oid_check(const char *oid, char *why, size_t why_len)
{
    reason_clear(why, why_len);
    if (oid == NULL || oid[0] == '\0')
        return reason_set(why, why_len, "OID is empty");

    size_t len = strlen(oid);
    if (len > OID_MAX_LEN)
        return reason_set(why, why_len, "length is %zu, at most %d allowed",
                       len, OID_MAX_LEN);

    int arcs = 0;
    const char *p = oid;
    for (;;) {
        const char *start = p;
        while (is_digit(*p))
            p++;
        size_t arc_len = (size_t)(p - start);
        arcs++;
        if (arc_len == 0) {
            if (*p == '\0' || *p == '.')
                return reason_set(why, why_len, "arc %d is empty", arcs);
            char what[32];
            reason_describe_char(*p, what, sizeof what);
            return reason_set(why, why_len, "%s at position %zu is not a digit or '.'",
                           what, (size_t)(p - oid) + 1);
        }
        if (arc_len > 1 && start[0] == '0')
            return reason_set(why, why_len, "arc %d '%.*s' has a leading zero",
                           arcs, (int)arc_len, start);
        if (arcs == 1 && (arc_len != 1 || start[0] > '2'))
            return reason_set(why, why_len,
                           "first arc is %.*s, expected 0, 1 or 2",
                           (int)arc_len, start);
        if (*p == '\0')
            break;
        if (*p != '.') {
            char what[32];
            reason_describe_char(*p, what, sizeof what);
            return reason_set(why, why_len, "%s at position %zu is not a digit or '.'",
                           what, (size_t)(p - oid) + 1);
        }
        p++;
    }
    if (arcs < 2)
        return reason_set(why, why_len, "has %d arc, expected at least 2", arcs);
    return 1;
}
