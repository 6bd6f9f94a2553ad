/*
 * test_identifiers.c - FINESS numbers and OIDs.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "core/identifiers.h"

/* ---- FINESS ---- */

Test(finess, real_legal_entities)
{
    char why[128];
    cr_expect_eq(finess_check("750712184", why, sizeof why), 1, "%s", why);
    cr_expect_str_empty(why);
    cr_expect_eq(finess_check("350005179", why, sizeof why), 1, "%s", why);
}

Test(finess, synthetic_valid)
{
    char why[128];
    /* Luhn-valid synthetic numbers across the department range. */
    const char *ok[] = { "010000008", "130000011", "950000000",
                         "970000006", "980000004" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_expect_eq(finess_check(ok[i], why, sizeof why), 1, "%s: %s", ok[i], why);
}

Test(finess, bad_check_digit)
{
    char why[128];
    cr_expect_eq(finess_check("750712185", why, sizeof why), 0);
    cr_expect_str_eq(why, "check digit is 5, expected 4");
    cr_expect_eq(finess_check("350005170", why, sizeof why), 0);
    cr_expect_str_eq(why, "check digit is 0, expected 9");
    /* Two swapped neighbours are caught. */
    cr_expect_eq(finess_check("570712184", why, sizeof why), 0);
}

Test(finess, length)
{
    char why[128];
    cr_expect_eq(finess_check("75071218", why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 8, expected 9");
    cr_expect_eq(finess_check("7507121840", why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 10, expected 9");
    cr_expect_eq(finess_check("", why, sizeof why), 0);
    cr_expect_str_eq(why, "FINESS is empty");
    cr_expect_eq(finess_check(NULL, why, sizeof why), 0);
    cr_expect_str_eq(why, "FINESS is empty");
}

Test(finess, not_a_digit)
{
    char why[128];
    cr_expect_eq(finess_check("7507X2184", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'X' at position 5 is not a digit");
    cr_expect_eq(finess_check("75071218 ", why, sizeof why), 0);
    cr_expect_str_eq(why, "character ' ' at position 9 is not a digit");
    cr_expect_eq(finess_check("2C0000000", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'C' at position 2 is not a digit");
    cr_expect_eq(finess_check("\x01" "50712184", why, sizeof why), 0);
    cr_expect_str_eq(why, "byte 0x01 at position 1 is not a digit");
}

Test(finess, department)
{
    char why[128];
    cr_expect_eq(finess_check("000000000", why, sizeof why), 0);
    cr_expect_str_eq(why, "department 00 does not exist");
    cr_expect_eq(finess_check("960000008", why, sizeof why), 0);
    cr_expect_str_eq(why, "department 96 does not exist");
    cr_expect_eq(finess_check("990000002", why, sizeof why), 0);
    cr_expect_str_eq(why, "department 99 does not exist");
}

Test(finess, corsica_format_only)
{
    char why[128];
    /* No published key rule: any final digit passes. */
    cr_expect_eq(finess_check("2A0000010", why, sizeof why), 1, "%s", why);
    cr_expect_eq(finess_check("2A0000011", why, sizeof why), 1, "%s", why);
    cr_expect_eq(finess_check("2B0000017", why, sizeof why), 1, "%s", why);
    /* The format still applies. */
    cr_expect_eq(finess_check("2A00000X1", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'X' at position 8 is not a digit");
    cr_expect_eq(finess_check("2A000001", why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 8, expected 9");
    cr_expect_eq(finess_check("2a0000010", why, sizeof why), 0);
}

Test(finess, why_optional)
{
    cr_expect_eq(finess_check("750712184", NULL, 0), 1);
    cr_expect_eq(finess_check("750712185", NULL, 0), 0);
}

/* ---- OID ---- */

Test(oid, valid_forms)
{
    char why[128];
    const char *ok[] = {
        "1.2.250.1.213.1.4.8", "1.2.250.1.71.4.2.2", "2.16.840.1.113883",
        "0.0", "1.0", "2.999", "1.2.250.1.0.10",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_expect_eq(oid_check(ok[i], why, sizeof why), 1, "%s: %s", ok[i], why);
        cr_expect_str_empty(why);
    }
}

Test(oid, max_length)
{
    char why[128], oid[200];
    /* "1." then single-digit arcs: 127 characters exactly is allowed. */
    strcpy(oid, "1");
    while (strlen(oid) < 127)
        strcat(oid, ".5");
    cr_assert_eq(strlen(oid), 127);
    cr_expect_eq(oid_check(oid, why, sizeof why), 1, "%s", why);
    strcat(oid, "5");
    cr_expect_eq(oid_check(oid, why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 128, at most 127 allowed");
}

Test(oid, too_few_arcs)
{
    char why[128];
    cr_expect_eq(oid_check("1", why, sizeof why), 0);
    cr_expect_str_eq(why, "has 1 arc, expected at least 2");
    cr_expect_eq(oid_check("", why, sizeof why), 0);
    cr_expect_str_eq(why, "OID is empty");
    cr_expect_eq(oid_check(NULL, why, sizeof why), 0);
}

Test(oid, first_arc)
{
    char why[128];
    cr_expect_eq(oid_check("3.1", why, sizeof why), 0);
    cr_expect_str_eq(why, "first arc is 3, expected 0, 1 or 2");
    cr_expect_eq(oid_check("12.1", why, sizeof why), 0);
    cr_expect_str_eq(why, "first arc is 12, expected 0, 1 or 2");
}

Test(oid, leading_zero)
{
    char why[128];
    cr_expect_eq(oid_check("1.2.250.01", why, sizeof why), 0);
    cr_expect_str_eq(why, "arc 4 '01' has a leading zero");
    cr_expect_eq(oid_check("01.2", why, sizeof why), 0);
    cr_expect_str_eq(why, "arc 1 '01' has a leading zero");
}

Test(oid, empty_arcs)
{
    char why[128];
    cr_expect_eq(oid_check("1.2..3", why, sizeof why), 0);
    cr_expect_str_eq(why, "arc 3 is empty");
    cr_expect_eq(oid_check("1.2.", why, sizeof why), 0);
    cr_expect_str_eq(why, "arc 3 is empty");
    cr_expect_eq(oid_check(".1.2", why, sizeof why), 0);
    cr_expect_str_eq(why, "arc 1 is empty");
}

Test(oid, bad_characters)
{
    char why[128];
    cr_expect_eq(oid_check("1.2.25a", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'a' at position 7 is not a digit or '.'");
    cr_expect_eq(oid_check("urn:oid:1.2", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'u' at position 1 is not a digit or '.'");
    cr_expect_eq(oid_check("1.2.-3", why, sizeof why), 0);
    cr_expect_str_eq(why, "character '-' at position 5 is not a digit or '.'");
    cr_expect_eq(oid_check("1.2 ", why, sizeof why), 0);
    cr_expect_str_eq(why, "character ' ' at position 4 is not a digit or '.'");
}

Test(oid, why_optional)
{
    cr_expect_eq(oid_check("1.2.3", NULL, 0), 1);
    cr_expect_eq(oid_check("1..3", NULL, 0), 0);
}
