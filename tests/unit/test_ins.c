/*
 * test_ins.c - INS matricule format, key, OIDs and consistency with traits.
 * All matricules are synthetic; keys were cross-checked by hand.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "core/ins.h"

/* Build prefix + its computed key. */
static void with_key(const char *prefix13, char out[INS_LEN + 1])
{
    int key = ins_compute_key(prefix13);
    cr_assert_geq(key, 1, "prefix %s", prefix13);
    snprintf(out, INS_LEN + 1, "%.13s%02d", prefix13, key);
}

/* ---- ins_compute_key ---- */

Test(ins_key, known_values)
{
    cr_expect_eq(ins_compute_key("2550814168025"), 38);
    cr_expect_eq(ins_compute_key("2600588154002"), 33);
    cr_expect_eq(ins_compute_key("1234567890122"), 12);
    cr_expect_eq(ins_compute_key("1850575056123"), 88);
}

Test(ins_key, corsica_2b_reads_as_18)
{
    cr_expect_eq(ins_compute_key("253072B073004"), 70);
    /* The same number with 18 written out gives the same key. */
    cr_expect_eq(ins_compute_key("2530718073004"), 70);
}

Test(ins_key, corsica_2a_reads_as_19)
{
    cr_expect_eq(ins_compute_key("184032A123456"), 50);
    cr_expect_eq(ins_compute_key("1840319123456"), 50);
}

Test(ins_key, key_can_be_97)
{
    /* 1850575056211 is a multiple of 97: key 97, never 0. */
    cr_expect_eq(ins_compute_key("1850575056211"), 97);
}

Test(ins_key, uses_only_13_characters)
{
    cr_expect_eq(ins_compute_key("255081416802538"), 38);
}

Test(ins_key, rejects_bad_prefix)
{
    cr_expect_eq(ins_compute_key(NULL), -1);
    cr_expect_eq(ins_compute_key(""), -1);
    cr_expect_eq(ins_compute_key("255081416802"), -1);   /* 12 characters */
    cr_expect_eq(ins_compute_key("2550X14168025"), -1);
    cr_expect_eq(ins_compute_key("25307A2073004"), -1);  /* letter at 6 */
    cr_expect_eq(ins_compute_key("253073A073004"), -1);  /* 3A is not Corsica */
    cr_expect_eq(ins_compute_key("253072C073004"), -1);
    cr_expect_eq(ins_compute_key("2530720A73004"), -1);  /* A at 8 */
}

/* ---- ins_check ---- */

Test(ins_check, valid_values)
{
    char why[128];
    cr_expect_eq(ins_check("255081416802538", why, sizeof why), 1);
    cr_expect_str_empty(why);
    cr_expect_eq(ins_check("253072B07300470", why, sizeof why), 1);
    cr_expect_eq(ins_check("184032A12345650", why, sizeof why), 1);
    cr_expect_eq(ins_check("185057505621197", why, sizeof why), 1);
    cr_expect_eq(ins_check("260058815400233", why, sizeof why), 1);
}

Test(ins_check, spec_examples_have_bad_keys)
{
    char why[128];
    cr_expect_eq(ins_check("260058815400244", why, sizeof why), 0);
    cr_expect_str_eq(why, "key is 44, expected 33");
    cr_expect_eq(ins_check("123456789012244", why, sizeof why), 0);
    cr_expect_str_eq(why, "key is 44, expected 12");
}

Test(ins_check, corsica_wrong_key)
{
    char why[128];
    cr_expect_eq(ins_check("253072B07300436", why, sizeof why), 0);
    cr_expect_str_eq(why, "key is 36, expected 70");
}

Test(ins_check, length)
{
    char why[128];
    cr_expect_eq(ins_check("2550814168025", why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 13, expected 15");
    cr_expect_eq(ins_check("2550814168025380", why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 16, expected 15");
    cr_expect_eq(ins_check("2 55 08 14 168 025 38", why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 21, expected 15");
}

Test(ins_check, empty_or_null)
{
    char why[128];
    cr_expect_eq(ins_check("", why, sizeof why), 0);
    cr_expect_str_eq(why, "matricule is empty");
    cr_expect_eq(ins_check(NULL, why, sizeof why), 0);
    cr_expect_str_eq(why, "matricule is empty");
}

Test(ins_check, not_a_digit)
{
    char why[128];
    cr_expect_eq(ins_check("255X81416802538", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'X' at position 4 is not a digit");
    cr_expect_eq(ins_check("25508141680253 ", why, sizeof why), 0);
    cr_expect_str_eq(why, "character ' ' at position 15 is not a digit");
    /* A non-ASCII byte is shown in hex, keeping the reason one clean line. */
    cr_expect_eq(ins_check("2550\xc3\xa9" "8141680253", why, sizeof why), 0);
    cr_expect_str_eq(why, "length is 16, expected 15");
    cr_expect_eq(ins_check("2550\xc3\xa9" "141680253", why, sizeof why), 0);
    cr_expect_str_eq(why, "byte 0xC3 at position 5 is not a digit");
}

Test(ins_check, department_letters_only_2a_2b)
{
    char why[128];
    cr_expect_eq(ins_check("253072C07300470", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'C' at position 7 is not a digit");
    cr_expect_eq(ins_check("25307A207300470", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'A' at position 6 is not a digit");
    cr_expect_eq(ins_check("253073A07300470", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'A' at position 7 is not a digit");
    /* Lower case is not accepted: callers normalise. */
    cr_expect_eq(ins_check("253072b07300470", why, sizeof why), 0);
    cr_expect_str_eq(why, "character 'b' at position 7 is not a digit");
}

Test(ins_check, sex_digit)
{
    char why[128], m[INS_LEN + 1];
    const char *ok[] = { "1850575056123", "2850575056123", "3850575056123",
                         "4850575056123", "7850575056123", "8850575056123" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        with_key(ok[i], m);
        cr_expect_eq(ins_check(m, why, sizeof why), 1, "%s: %s", m, why);
    }
    const char *bad[] = { "0850575056123", "5850575056123", "6850575056123",
                          "9850575056123" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        with_key(bad[i], m);
        cr_expect_eq(ins_check(m, why, sizeof why), 0, "%s", m);
        char want[64];
        snprintf(want, sizeof want, "sex digit is %c, expected 1, 2, 3, 4, 7 or 8",
                 bad[i][0]);
        cr_expect_str_eq(why, want);
    }
}

Test(ins_check, why_optional_and_truncated)
{
    cr_expect_eq(ins_check("260058815400244", NULL, 0), 0);
    cr_expect_eq(ins_check("255081416802538", NULL, 0), 1);
    char small[8];
    cr_expect_eq(ins_check("260058815400244", small, sizeof small), 0);
    cr_expect_str_eq(small, "key is ");
}

/* ---- ins_oid_classify ---- */

Test(ins_oid, classify)
{
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4.8"), INS_KIND_NIR);
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4.9"), INS_KIND_NIA);
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4.10"), INS_KIND_NIR_TEST);
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4.11"), INS_KIND_NIR_DEMO);
    cr_expect_eq(ins_oid_classify(INS_OID_NIR), INS_KIND_NIR);
}

Test(ins_oid, unknown)
{
    cr_expect_eq(ins_oid_classify(NULL), INS_OID_UNKNOWN);
    cr_expect_eq(ins_oid_classify(""), INS_OID_UNKNOWN);
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4.2"), INS_OID_UNKNOWN);  /* INS-C */
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4.80"), INS_OID_UNKNOWN);
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4"), INS_OID_UNKNOWN);
    cr_expect_eq(ins_oid_classify("urn:oid:1.2.250.1.213.1.4.8"), INS_OID_UNKNOWN);
    cr_expect_eq(ins_oid_classify("1.2.250.1.213.1.4.8 "), INS_OID_UNKNOWN);
}

/* ---- ins_consistent_with ---- */

Test(ins_consistent, agrees)
{
    char why[128];
    /* 1 85 05 ...: male, 1985, May. */
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', "1985-05-17",
                                     why, sizeof why), 1, "%s", why);
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', "", why, sizeof why), 1);
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', NULL, why, sizeof why), 1);
    /* Year digits are the year mod 100, whatever the century. */
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', "1885-05-17",
                                     why, sizeof why), 1);
}

Test(ins_consistent, sex_mismatch)
{
    char why[128], m[INS_LEN + 1];
    cr_expect_eq(ins_consistent_with("185057505612388", 'F', "1985-05-17",
                                     why, sizeof why), 0);
    cr_expect_str_eq(why, "sex digit is 1 (male) but sex is F");
    with_key("2850575056123", m);
    cr_expect_eq(ins_consistent_with(m, 'M', "1985-05-17", why, sizeof why), 0);
    cr_expect_str_eq(why, "sex digit is 2 (female) but sex is M");
    cr_expect_eq(ins_consistent_with(m, 'F', "1985-05-17", why, sizeof why), 1);
}

Test(ins_consistent, sex_not_checked_for_u_or_special_digits)
{
    char why[128], m[INS_LEN + 1];
    cr_expect_eq(ins_consistent_with("185057505612388", 'U', "1985-05-17",
                                     why, sizeof why), 1);
    const char *special[] = { "3850575056123", "4850575056123",
                              "7850575056123", "8850575056123" };
    for (size_t i = 0; i < 4; i++) {
        with_key(special[i], m);
        cr_expect_eq(ins_consistent_with(m, 'M', "1985-05-17", why, sizeof why), 1, "%s", m);
        cr_expect_eq(ins_consistent_with(m, 'F', "1985-05-17", why, sizeof why), 1, "%s", m);
    }
}

Test(ins_consistent, year_mismatch)
{
    char why[128];
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', "1986-05-17",
                                     why, sizeof why), 0);
    cr_expect_str_eq(why, "year digits are 85 but birth_date year is 1986");
}

Test(ins_consistent, month_mismatch)
{
    char why[128];
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', "1985-06-17",
                                     why, sizeof why), 0);
    cr_expect_str_eq(why, "month digits are 05 but birth_date month is 06");
}

Test(ins_consistent, unknown_month_not_checked)
{
    char why[128], m[INS_LEN + 1];
    const char *prefixes[] = { "1852075056123", "1853175056123", "1855075056123",
                               "1850075056123", "1851375056123" };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        with_key(prefixes[i], m);
        cr_expect_eq(ins_consistent_with(m, 'M', "1985-06-17", why, sizeof why), 1,
                     "%s: %s", m, why);
    }
}

Test(ins_consistent, malformed_birth_date)
{
    char why[128];
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', "17/05/1985",
                                     why, sizeof why), 0);
    cr_expect_str_eq(why, "birth_date: '17/05/1985' is not YYYY-MM-DD");
    cr_expect_eq(ins_consistent_with("185057505612388", 'M', "1985-05",
                                     why, sizeof why), 0);
}

Test(ins_consistent, invalid_matricule)
{
    char why[128];
    cr_expect_eq(ins_consistent_with("260058815400244", 'F', "1960-05-01",
                                     why, sizeof why), 0);
    cr_expect_str_eq(why, "key is 44, expected 33");
    cr_expect_eq(ins_consistent_with(NULL, 'F', "1960-05-01", why, sizeof why), 0);
}

Test(ins_consistent, corsica)
{
    char why[128];
    cr_expect_eq(ins_consistent_with("253072B07300470", 'F', "1953-07-02",
                                     why, sizeof why), 1, "%s", why);
}
