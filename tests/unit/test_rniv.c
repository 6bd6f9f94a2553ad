/*
 * test_rniv.c - RNIV statuses, attributes, documents, trait validation and
 * normalisation, and every transition. Synthetic people only; INS keys are
 * computed by ins_compute_key.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ins.h"
#include "core/rniv.h"

/* ---- Fixtures --------------------------------------------------------- */

/* A woman born 1985-05-17 in Paris (75056). */
static identity_traits base_traits(void)
{
    identity_traits t;
    memset(&t, 0, sizeof t);
    strcpy(t.birth_name, "LEFANTOME");
    strcpy(t.first_forename, "ZELIA");
    strcpy(t.forenames, "ZELIA MAUD");
    strcpy(t.birth_date, "1985-05-17");
    t.sex = 'F';
    strcpy(t.birth_place, "75056");
    return t;
}

/* Her INS: 2 85 05 75 056 123 + key. */
static const char *base_ins(void)
{
    static char ins[INS_LEN + 1];
    int key = ins_compute_key("2850575056123");
    cr_assert_geq(key, 1);
    snprintf(ins, sizeof ins, "2850575056123%02d", key);
    return ins;
}

static void assert_invariants(const local_identity *li)
{
    socle_err err = { 0 };
    cr_assert_eq(rniv_check(li, &err), 0, "invariant broken: %s", err.msg);
    /* INS non-empty iff INSi verified, after every transition. */
    cr_assert_eq(li->ins[0] != '\0', li->insi_verified != 0);
}

static local_identity make_prov(void)
{
    local_identity li;
    memset(&li, 0, sizeof li);
    li.id = 1;
    li.domain_id = 1;
    strcpy(li.ipp, "IPP0001");
    li.traits = base_traits();
    li.status = RNIV_PROV;
    assert_invariants(&li);
    return li;
}

static local_identity make_recup(void)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_assert_eq(li.status, RNIV_RECUP);
    return li;
}

static local_identity make_vali(void)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_proof(&li, "CN", &err), 0, "%s", err.msg);
    cr_assert_eq(li.status, RNIV_VALI);
    return li;
}

static local_identity make_qual(void)
{
    local_identity li = make_recup();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_proof(&li, "PA", &err), 0, "%s", err.msg);
    cr_assert_eq(li.status, RNIV_QUAL);
    return li;
}

#define assert_unchanged(after, before) \
    cr_assert_eq(memcmp(&(after), &(before), sizeof(after)), 0, "identity changed on error")

/* ---- Status and attributes ------------------------------------------- */

Test(status, codes_and_labels)
{
    cr_expect_str_eq(rniv_status_code(RNIV_PROV), "PROV");
    cr_expect_str_eq(rniv_status_code(RNIV_RECUP), "RECUP");
    cr_expect_str_eq(rniv_status_code(RNIV_VALI), "VALI");
    cr_expect_str_eq(rniv_status_code(RNIV_QUAL), "QUAL");
    cr_expect_str_eq(rniv_status_label_fr(RNIV_PROV), "Provisoire");
    cr_expect_str_eq(rniv_status_label_fr(RNIV_RECUP), "R\xc3\xa9" "cup\xc3\xa9r\xc3\xa9" "e");
    cr_expect_str_eq(rniv_status_label_fr(RNIV_VALI), "Valid\xc3\xa9" "e");
    cr_expect_str_eq(rniv_status_label_fr(RNIV_QUAL), "Qualifi\xc3\xa9" "e");
    cr_expect_str_eq(rniv_status_code((rniv_status)9), "?");
}

Test(status, parse)
{
    rniv_status s = RNIV_PROV;
    cr_expect_eq(rniv_status_parse("QUAL", &s), 0);
    cr_expect_eq(s, RNIV_QUAL);
    cr_expect_eq(rniv_status_parse("RECUP", &s), 0);
    cr_expect_eq(s, RNIV_RECUP);
    cr_expect_eq(rniv_status_parse("vali", &s), 0);
    cr_expect_eq(s, RNIV_VALI);
    cr_expect_eq(rniv_status_parse("PROV", &s), 0);
    cr_expect_eq(s, RNIV_PROV);
    cr_expect_eq(rniv_status_parse("VIDE", &s), -1);
    cr_expect_eq(rniv_status_parse("", &s), -1);
    cr_expect_eq(rniv_status_parse(NULL, &s), -1);
    cr_expect_eq(s, RNIV_PROV);
}

Test(status, derived_from_verifications)
{
    cr_expect_eq(rniv_status_from(0, 0), RNIV_PROV);
    cr_expect_eq(rniv_status_from(1, 0), RNIV_RECUP);
    cr_expect_eq(rniv_status_from(0, 1), RNIV_VALI);
    cr_expect_eq(rniv_status_from(1, 1), RNIV_QUAL);
}

Test(attributes, parse_and_name)
{
    cr_expect_eq(rniv_attribute_parse("DOUTEUSE"), RNIV_ATTR_DOUBTFUL);
    cr_expect_eq(rniv_attribute_parse("FICTIVE"), RNIV_ATTR_FICTITIOUS);
    cr_expect_eq(rniv_attribute_parse("HOMONYME"), RNIV_ATTR_HOMONYM);
    cr_expect_eq(rniv_attribute_parse("DOUT"), RNIV_ATTR_DOUBTFUL);
    cr_expect_eq(rniv_attribute_parse("FICT"), RNIV_ATTR_FICTITIOUS);
    cr_expect_eq(rniv_attribute_parse("HOMA"), RNIV_ATTR_HOMONYM);
    cr_expect_eq(rniv_attribute_parse("homonyme"), RNIV_ATTR_HOMONYM);
    cr_expect_eq(rniv_attribute_parse("HOMD"), 0);
    cr_expect_eq(rniv_attribute_parse(""), 0);
    cr_expect_eq(rniv_attribute_parse(NULL), 0);
    cr_expect_str_eq(rniv_attribute_name(RNIV_ATTR_DOUBTFUL), "douteuse");
    cr_expect_str_eq(rniv_attribute_name(RNIV_ATTR_FICTITIOUS), "fictive");
    cr_expect_str_eq(rniv_attribute_name(RNIV_ATTR_HOMONYM), "homonyme");
    cr_expect_str_eq(rniv_attribute_name(RNIV_ATTR_DOUBTFUL | RNIV_ATTR_HOMONYM), "?");
    /* Names round-trip. */
    for (unsigned a = 1; a <= 4; a <<= 1)
        cr_expect_eq(rniv_attribute_parse(rniv_attribute_name(a)), a);
}

/* ---- Documents -------------------------------------------------------- */

Test(proof, known_and_trust)
{
    const char *high[] = { "CN", "PA", "CE", "CS" };
    const char *low[] = { "AN", "CC", "CM", "LE", "PC", "TC" };
    for (size_t i = 0; i < 4; i++) {
        cr_expect(rniv_proof_known(high[i]), "%s", high[i]);
        cr_expect(rniv_proof_high_trust(high[i]), "%s", high[i]);
    }
    for (size_t i = 0; i < 6; i++) {
        cr_expect(rniv_proof_known(low[i]), "%s", low[i]);
        cr_expect_not(rniv_proof_high_trust(low[i]), "%s", low[i]);
    }
    cr_expect_not(rniv_proof_known("XX"));
    cr_expect_not(rniv_proof_known(""));
    cr_expect_not(rniv_proof_known(NULL));
    cr_expect_not(rniv_proof_high_trust(NULL));
    cr_expect_not(rniv_proof_high_trust("CNI"));
}

/* ---- Trait names ------------------------------------------------------ */

Test(trait_names, lists)
{
    char out[128];
    rniv_trait_names(0, out, sizeof out);
    cr_expect_str_eq(out, "");
    rniv_trait_names(RNIV_TRAIT_SEX, out, sizeof out);
    cr_expect_str_eq(out, "sex");
    rniv_trait_names(RNIV_TRAIT_BIRTH_NAME | RNIV_TRAIT_SEX, out, sizeof out);
    cr_expect_str_eq(out, "birth name, sex");
    rniv_trait_names(0x3f, out, sizeof out);
    cr_expect_str_eq(out, "birth name, first forename, forename list, birth date, "
                          "sex, birth place");
}

Test(trait_names, small_buffer_keeps_whole_names)
{
    char out[16];
    rniv_trait_names(RNIV_TRAIT_BIRTH_NAME | RNIV_TRAIT_FIRST_FORENAME, out, sizeof out);
    cr_expect_str_eq(out, "birth name");
    rniv_trait_names(RNIV_TRAIT_SEX, out, 0);  /* must not write */
}

/* ---- Normalisation ---------------------------------------------------- */

static const struct { const char *in, *want; } norm_cases[] = {
    /* header example */
    { "\xc3\x89lodie d'Arc-L\xc3\xa9vy", "ELODIE D'ARC-LEVY" },
    /* accents, also already decomposed (e + combining acute) */
    { "Fran\xc3\xa7ois", "FRANCOIS" },
    { "No\xc3\xabl", "NOEL" },
    { "H\xc3\xa9l\xc3\xa8ne", "HELENE" },
    { "\xc3\x80ngel \xc3\x91u\xc3\xb1" "ez", "ANGEL NUNEZ" },
    { "Le\xcc\x81" "a", "LEA" },
    /* ligatures and letters without decomposition */
    { "\xc5\x92" "dipe", "OEDIPE" },            /* Œ */
    { "C\xc5\x93ur", "COEUR" },                 /* œ */
    { "L\xc3\xa6titia", "LAETITIA" },           /* æ */
    { "\xc3\x86lis", "AELIS" },                 /* Æ */
    { "Stra\xc3\x9f" "er", "STRASSER" },        /* ß */
    { "\xef\xac\x81n", "FIN" },                 /* ﬁ */
    { "S\xc3\xb8ren", "SOREN" },                /* ø */
    { "\xc5\x81ukasz", "LUKASZ" },              /* Ł */
    /* apostrophes */
    { "d'Arc", "D'ARC" },
    { "d\xe2\x80\x99" "Arc", "D'ARC" },         /* U+2019 */
    { "d\xca\xbc" "Arc", "D'ARC" },             /* U+02BC */
    { "O\xc2\xb4Neil", "O'NEIL" },              /* acute typed for it */
    /* hyphens; a soft hyphen is invisible and dropped */
    { "jean-pierre", "JEAN-PIERRE" },
    { "Jean\xe2\x80\x90Pierre", "JEAN-PIERRE" }, /* U+2010 */
    { "Jean\xe2\x80\x91Pierre", "JEAN-PIERRE" }, /* U+2011 */
    { "Ma\xc2\xadrie", "MARIE" },
    /* spaces collapsed and trimmed */
    { "  jean    pierre  ", "JEAN PIERRE" },
    { "\tjean\n\rpierre ", "JEAN PIERRE" },
    { "jean\xc2\xa0pierre", "JEAN PIERRE" },    /* no-break space */
    { "", "" },
    { "   ", "" },
    /* other punctuation becomes a space */
    { "Saint.Jean,(Marc)", "SAINT JEAN MARC" },
    { "Dupont_Durand/Martin", "DUPONT DURAND MARTIN" },
    { "\xc2\xab" "Zo\xc3\xa9" "\xc2\xbb", "ZOE" }, /* « Zoé » */
    { "...", "" },
    /* particles stay separate words */
    { "de la Fontaine", "DE LA FONTAINE" },
    { "van der Berg", "VAN DER BERG" },
    /* other scripts kept, upper case, marks stripped: Σοφία */
    { "\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1",
      "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91" },
};

Test(normalize, examples)
{
    for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
        char out[256];
        cr_expect_eq(rniv_normalize_name(norm_cases[i].in, out, sizeof out), 0,
                     "input '%s'", norm_cases[i].in);
        cr_expect_str_eq(out, norm_cases[i].want, "input '%s'", norm_cases[i].in);
    }
}

Test(normalize, invalid_utf8)
{
    const char *bad[] = {
        "Ren\xc3",            /* truncated */
        "\xc0\xaf",           /* overlong */
        "\xed\xa0\x80",       /* surrogate */
        "A\xff" "B",
        "\xf4\x90\x80\x80",   /* above U+10FFFF */
        NULL,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[64] = "junk";
        cr_expect_eq(rniv_normalize_name(bad[i], out, sizeof out), -1, "case %zu", i);
        cr_expect_str_eq(out, "", "case %zu", i);
    }
}

Test(normalize, output_too_small)
{
    char out[8];
    cr_expect_eq(rniv_normalize_name("abc", out, 3), -1);
    cr_expect_str_eq(out, "");
    cr_expect_eq(rniv_normalize_name("abc", out, 4), 0);
    cr_expect_str_eq(out, "ABC");
    /* Expansion counts: "Œ" is 2 bytes in, "OE" + NUL needs 3. */
    cr_expect_eq(rniv_normalize_name("\xc5\x92\xc5\x92", out, 4), -1);
    cr_expect_eq(rniv_normalize_name("\xc5\x92\xc5\x92", out, 5), 0);
    cr_expect_str_eq(out, "OEOE");
    cr_expect_eq(rniv_normalize_name("a", out, 0), -1);
    cr_expect_eq(rniv_normalize_name("a", NULL, 8), -1);
}

/* ---- Strict differences ----------------------------------------------- */

Test(strict_diff, each_trait)
{
    identity_traits a = base_traits(), b = base_traits();
    cr_expect_eq(rniv_strict_diff(&a, &b), 0);

    b = base_traits(); strcpy(b.birth_name, "LEFANTOMA");
    cr_expect_eq(rniv_strict_diff(&a, &b), RNIV_TRAIT_BIRTH_NAME);
    b = base_traits(); strcpy(b.first_forename, "MAUD");
    cr_expect_eq(rniv_strict_diff(&a, &b), RNIV_TRAIT_FIRST_FORENAME);
    b = base_traits(); strcpy(b.forenames, "ZELIA");
    cr_expect_eq(rniv_strict_diff(&a, &b), RNIV_TRAIT_FORENAMES);
    b = base_traits(); strcpy(b.birth_date, "1985-05-18");
    cr_expect_eq(rniv_strict_diff(&a, &b), RNIV_TRAIT_BIRTH_DATE);
    b = base_traits(); b.sex = 'M';
    cr_expect_eq(rniv_strict_diff(&a, &b), RNIV_TRAIT_SEX);
    b = base_traits(); strcpy(b.birth_place, "");
    cr_expect_eq(rniv_strict_diff(&a, &b), RNIV_TRAIT_BIRTH_PLACE);
}

Test(strict_diff, names_compared_normalised)
{
    identity_traits a = base_traits(), b = base_traits();
    strcpy(b.birth_name, "Lefantome");
    strcpy(b.first_forename, "Z\xc3\xa9lia");
    strcpy(b.forenames, "  Z\xc3\xa9lia   Maud ");
    cr_expect_eq(rniv_strict_diff(&a, &b), 0);
}

Test(strict_diff, complementary_traits_ignored)
{
    identity_traits a = base_traits(), b = base_traits();
    strcpy(b.used_name, "MARIVEAU");
    strcpy(b.used_forename, "ZAZA");
    cr_expect_eq(rniv_strict_diff(&a, &b), 0);
}

/* ---- Trait validation ------------------------------------------------- */

static void expect_invalid(const identity_traits *t, const char *msg_start)
{
    socle_err err = { 0 };
    cr_expect_eq(rniv_traits_validate(t, &err), -1, "expected '%s'", msg_start);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    cr_expect_eq(strncmp(err.msg, msg_start, strlen(msg_start)), 0,
                 "message '%s' does not start with '%s'", err.msg, msg_start);
}

static void expect_valid(const identity_traits *t)
{
    socle_err err = { 0 };
    cr_expect_eq(rniv_traits_validate(t, &err), 0, "%s", err.msg);
}

Test(validate, base_is_valid)
{
    identity_traits t = base_traits();
    expect_valid(&t);
    strcpy(t.birth_place, "");  /* unknown place is allowed */
    expect_valid(&t);
    strcpy(t.used_name, "Mariveau");
    strcpy(t.used_forename, "Zaza");
    expect_valid(&t);
    cr_expect_eq(rniv_traits_validate(NULL, NULL), -1);
}

Test(validate, required_traits)
{
    identity_traits t;
    t = base_traits(); t.birth_name[0] = '\0';
    expect_invalid(&t, "birth_name: missing");
    t = base_traits(); t.first_forename[0] = '\0';
    expect_invalid(&t, "first_forename: missing");
    t = base_traits(); t.forenames[0] = '\0';
    expect_invalid(&t, "forenames: missing");
    t = base_traits(); t.birth_date[0] = '\0';
    expect_invalid(&t, "birth_date: missing");
    t = base_traits(); t.sex = '\0';
    expect_invalid(&t, "sex: missing");
    t = base_traits(); strcpy(t.birth_name, "  . ");
    expect_invalid(&t, "birth_name: '  . ' is only spaces or punctuation");
}

Test(validate, sansnom_sansprenom)
{
    identity_traits t = base_traits();
    strcpy(t.birth_name, "SANSNOM");
    strcpy(t.first_forename, "SANSPRENOM");
    strcpy(t.forenames, "SANSPRENOM");
    expect_valid(&t);
}

Test(validate, utf8_each_field)
{
    identity_traits t;
    t = base_traits(); strcpy(t.birth_name, "LEFANT\xc3");
    expect_invalid(&t, "birth_name: not valid UTF-8");
    t = base_traits(); strcpy(t.first_forename, "Z\xff");
    expect_invalid(&t, "first_forename: not valid UTF-8");
    t = base_traits(); strcpy(t.forenames, "ZELIA \xc0\xaf");
    expect_invalid(&t, "forenames: not valid UTF-8");
    t = base_traits(); strcpy(t.used_name, "\xed\xa0\x80");
    expect_invalid(&t, "used_name: not valid UTF-8");
    t = base_traits(); strcpy(t.used_forename, "\x80");
    expect_invalid(&t, "used_forename: not valid UTF-8");
    t = base_traits(); strcpy(t.birth_place, "7505\xc3");
    expect_invalid(&t, "birth_place: not valid UTF-8");
}

Test(validate, unterminated_field)
{
    identity_traits t = base_traits();
    memset(t.birth_name, 'A', sizeof t.birth_name);
    expect_invalid(&t, "birth_name: longer than 255 bytes");
    t = base_traits();
    memset(t.used_forename, 'A', sizeof t.used_forename);
    expect_invalid(&t, "used_forename: longer than 127 bytes");
}

Test(validate, birth_date_format)
{
    identity_traits t;
    const char *bad[] = { "17/05/1985", "1985-5-17", "19850517", "1985/05/17",
                          "85-05-17", "1985-05-1a" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = base_traits(); strcpy(t.birth_date, bad[i]);
        char want[64];
        snprintf(want, sizeof want, "birth_date: '%s' is not YYYY-MM-DD", bad[i]);
        expect_invalid(&t, want);
    }
}

Test(validate, birth_date_real)
{
    identity_traits t;
    const char *bad[] = { "2023-02-29", "1900-02-29", "1985-13-01", "1985-00-10",
                          "1985-04-31", "1985-05-00", "1985-05-32", "0000-01-01" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = base_traits(); strcpy(t.birth_date, bad[i]);
        char want[64];
        snprintf(want, sizeof want, "birth_date: %s is not a real date", bad[i]);
        expect_invalid(&t, want);
    }
    const char *ok[] = { "2024-02-29", "2000-02-29", "1985-12-31", "1985-01-01",
                         "1899-07-14" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        t = base_traits(); strcpy(t.birth_date, ok[i]);
        expect_valid(&t);
    }
    t = base_traits(); strcpy(t.birth_date, "2025-02-30");
    expect_invalid(&t, "birth_date: 2025-02-30 is not a real date");
}

Test(validate, birth_date_not_in_future)
{
    identity_traits t = base_traits();
    strcpy(t.birth_date, "2999-01-01");
    expect_invalid(&t, "birth_date: 2999-01-01 is in the future");

    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(t.birth_date, sizeof t.birth_date, "%Y-%m-%d", &tm);
    expect_valid(&t);  /* born today (UTC) */

    time_t later = now + 2 * 86400;
    gmtime_r(&later, &tm);
    strftime(t.birth_date, sizeof t.birth_date, "%Y-%m-%d", &tm);
    expect_invalid(&t, "birth_date: ");
}

Test(validate, sex)
{
    identity_traits t = base_traits();
    t.sex = 'M'; expect_valid(&t);
    t.sex = 'U'; expect_valid(&t);
    t.sex = 'X'; expect_invalid(&t, "sex: 'X' is not M, F or U");
    t.sex = 'f'; expect_invalid(&t, "sex: 'f' is not M, F or U");
    t.sex = 'O'; expect_invalid(&t, "sex: 'O' is not M, F or U");
    t.sex = '\x01'; expect_invalid(&t, "sex: byte 0x01 is not M, F or U");
}

Test(validate, birth_place)
{
    identity_traits t;
    const char *ok[] = { "75056", "2A004", "2B033", "99134", "97411", "99999" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        t = base_traits(); strcpy(t.birth_place, ok[i]);
        expect_valid(&t);
    }
    const char *bad[] = { "7505", "2C004", "7505A", "A2004", "2a004", "75 56" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = base_traits(); strcpy(t.birth_place, bad[i]);
        char want[64];
        snprintf(want, sizeof want, "birth_place: '%s' is not an INSEE code", bad[i]);
        expect_invalid(&t, want);
    }
}

Test(validate, first_forename_starts_list)
{
    identity_traits t;
    t = base_traits(); strcpy(t.first_forename, "MAUD");
    expect_invalid(&t, "first_forename: 'MAUD' is not the first of forenames 'ZELIA MAUD'");
    t = base_traits(); strcpy(t.first_forename, "ZEL");
    expect_invalid(&t, "first_forename: 'ZEL' is not the first");
    t = base_traits(); strcpy(t.forenames, "MAUD ZELIA");
    expect_invalid(&t, "first_forename: ");
    /* Compared once normalised. */
    t = base_traits(); strcpy(t.first_forename, "Z\xc3\xa9lia");
    expect_valid(&t);
    /* A single forename, and a composed one at the head of the list. */
    t = base_traits(); strcpy(t.forenames, "ZELIA");
    expect_valid(&t);
    t = base_traits();
    strcpy(t.first_forename, "JEAN-PAUL");
    strcpy(t.forenames, "JEAN-PAUL MARC");
    expect_valid(&t);
    strcpy(t.first_forename, "JEAN");
    expect_invalid(&t, "first_forename: ");
    t = base_traits();
    strcpy(t.first_forename, "MARIE CLAIRE");
    strcpy(t.forenames, "MARIE CLAIRE ANNE");
    expect_valid(&t);
}

/* ---- Transitions: INSi and documents ---------------------------------- */

Test(transition, prov_to_recup_by_insi)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_RECUP);
    cr_expect_str_eq(li.ins, base_ins());
    cr_expect_str_eq(li.ins_oid, INS_OID_NIR);
    cr_expect_str_eq(li.insi_at, "2024-03-01T10:00:00Z");
    cr_expect_eq(li.insi_verified, 1);
    assert_invariants(&li);
}

Test(transition, insi_with_nia_oid)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIA, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_str_eq(li.ins_oid, INS_OID_NIA);
    assert_invariants(&li);
}

Test(transition, prov_to_vali_by_each_high_trust_proof)
{
    const char *high[] = { "CN", "PA", "CE", "CS", "cn" };
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++) {
        local_identity li = make_prov();
        socle_err err = { 0 };
        cr_assert_eq(rniv_record_proof(&li, high[i], &err), 0, "%s", err.msg);
        cr_expect_eq(li.status, RNIV_VALI, "%s", high[i]);
        cr_expect_str_eq(li.ins, "");
        assert_invariants(&li);
    }
    /* The code is stored in its canonical form. */
    local_identity li = make_prov();
    cr_assert_eq(rniv_record_proof(&li, "pa", NULL), 0);
    cr_expect_str_eq(li.proof_type, "PA");
}

Test(transition, recup_to_qual_by_proof)
{
    local_identity li = make_recup();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_proof(&li, "CN", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.ins, base_ins());
    assert_invariants(&li);
}

Test(transition, vali_to_qual_by_insi)
{
    local_identity li = make_vali();
    socle_err err = { 0 };
    identity_traits insi = base_traits();
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-02T08:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.proof_type, "CN");
    assert_invariants(&li);
}

Test(transition, low_trust_proof_changes_no_status)
{
    socle_err err = { 0 };
    local_identity li = make_prov();
    cr_assert_eq(rniv_record_proof(&li, "LE", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.proof_type, "LE");
    assert_invariants(&li);

    li = make_recup();
    cr_assert_eq(rniv_record_proof(&li, "PC", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_RECUP);
    cr_expect_str_eq(li.proof_type, "PC");
    assert_invariants(&li);

    /* Never replaces a high-trust document already seen. */
    li = make_vali();
    cr_assert_eq(rniv_record_proof(&li, "AN", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_VALI);
    cr_expect_str_eq(li.proof_type, "CN");
    li = make_qual();
    cr_assert_eq(rniv_record_proof(&li, "TC", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.proof_type, "PA");
    assert_invariants(&li);
}

Test(transition, unknown_proof_refused)
{
    local_identity li = make_prov(), before;
    memcpy(&before, &li, sizeof li);
    socle_err err = { 0 };
    cr_expect_eq(rniv_record_proof(&li, "XX", &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    cr_expect(strstr(err.msg, "proof_type") != NULL, "%s", err.msg);
    cr_expect_eq(rniv_record_proof(&li, NULL, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    assert_unchanged(li, before);
}

Test(transition, proof_refused_on_doubtful_or_fictitious)
{
    socle_err err = { 0 };
    local_identity li = make_prov(), before;
    li.attributes = RNIV_ATTR_DOUBTFUL;
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_record_proof(&li, "CN", &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);

    li = make_prov();
    li.attributes = RNIV_ATTR_FICTITIOUS;
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_record_proof(&li, "CN", &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);
}

/* INSi disagreeing on one blocking trait: refused, nothing changed. */
static void expect_insi_blocked(void (*alter)(identity_traits *), const char *trait)
{
    local_identity li = make_vali(), before;
    memcpy(&before, &li, sizeof li);
    identity_traits insi = base_traits();
    alter(&insi);
    socle_err err = { 0 };
    cr_expect_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), -1, "%s", trait);
    cr_expect_eq(err.code, SOCLE_ERULE, "%s: %s", trait, err.msg);
    cr_expect(strstr(err.msg, trait) != NULL, "'%s' not named in '%s'", trait, err.msg);
    assert_unchanged(li, before);
}

static void alter_birth_name(identity_traits *t) { strcpy(t->birth_name, "LEFANTOMAS"); }
static void alter_first_forename(identity_traits *t)
{
    strcpy(t->first_forename, "ZELIE");
    strcpy(t->forenames, "ZELIE MAUD");
}
static void alter_sex(identity_traits *t) { t->sex = 'U'; }
static void alter_birth_date(identity_traits *t) { strcpy(t->birth_date, "1985-05-18"); }

Test(insi, mismatch_birth_name_refused) { expect_insi_blocked(alter_birth_name, "birth name"); }
Test(insi, mismatch_first_forename_refused) { expect_insi_blocked(alter_first_forename, "first forename"); }
Test(insi, mismatch_sex_refused) { expect_insi_blocked(alter_sex, "sex"); }
Test(insi, mismatch_birth_date_refused) { expect_insi_blocked(alter_birth_date, "birth date"); }

Test(insi, forename_list_and_birth_place_overwritten)
{
    local_identity li = make_prov();
    strcpy(li.traits.used_name, "MARIVEAU");
    identity_traits insi = base_traits();
    strcpy(insi.forenames, "ZELIA MAUD ODILE");
    strcpy(insi.birth_place, "69123");
    strcpy(insi.used_name, "IGNORED");
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_RECUP);
    cr_expect_str_eq(li.traits.forenames, "ZELIA MAUD ODILE");
    cr_expect_str_eq(li.traits.birth_place, "69123");
    /* Complementary traits stay local. */
    cr_expect_str_eq(li.traits.used_name, "MARIVEAU");
    assert_invariants(&li);
}

Test(insi, spelling_differences_overwritten)
{
    local_identity li = make_prov();
    strcpy(li.traits.birth_name, "Lefantome");
    strcpy(li.traits.first_forename, "Z\xc3\xa9lia");
    strcpy(li.traits.forenames, "Z\xc3\xa9lia Maud");
    identity_traits insi = base_traits();
    socle_err err = { 0 };
    cr_assert_eq(rniv_record_insi(&li, base_ins(), INS_OID_NIR, &insi,
                                  "2024-03-01T10:00:00Z", &err), 0, "%s", err.msg);
    cr_expect_str_eq(li.traits.birth_name, "LEFANTOME");
    cr_expect_str_eq(li.traits.first_forename, "ZELIA");
}

static void expect_insi_refused(local_identity li, const char *ins, const char *oid,
                                const identity_traits *insi, const char *at,
                                socle_errcode code, const char *needle)
{
    local_identity before;
    memcpy(&before, &li, sizeof li);
    socle_err err = { 0 };
    cr_expect_eq(rniv_record_insi(&li, ins, oid, insi, at, &err), -1, "%s", needle);
    cr_expect_eq(err.code, code, "%s: %s", needle, err.msg);
    cr_expect(strstr(err.msg, needle) != NULL, "'%s' not in '%s'", needle, err.msg);
    assert_unchanged(li, before);
}

Test(insi, bad_key_refused)
{
    identity_traits insi = base_traits();
    char ins[INS_LEN + 1];
    strcpy(ins, base_ins());
    ins[14] = ins[14] == '9' ? '0' : (char)(ins[14] + 1);
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi, "2024-03-01T10:00:00Z",
                        SOCLE_EINVAL, "ins: key is");
    expect_insi_refused(make_prov(), "2850575056", INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins: length is 10");
    expect_insi_refused(make_prov(), NULL, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins:");
}

Test(insi, wrong_oid_refused)
{
    identity_traits insi = base_traits();
    expect_insi_refused(make_prov(), base_ins(), "1.2.250.1.213.1.4.2", &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins_oid:");
    expect_insi_refused(make_prov(), base_ins(), "not an oid", &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins_oid:");
    expect_insi_refused(make_prov(), base_ins(), NULL, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "ins_oid:");
}

Test(insi, test_and_demo_oid_refused)
{
    identity_traits insi = base_traits();
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR_TEST, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "test or demonstration");
    expect_insi_refused(make_vali(), base_ins(), INS_OID_NIR_DEMO, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "test or demonstration");
}

Test(insi, matricule_inconsistent_with_traits_refused)
{
    identity_traits insi = base_traits();
    /* A male matricule for a woman. */
    char ins[INS_LEN + 1];
    snprintf(ins, sizeof ins, "1850575056123%02d", ins_compute_key("1850575056123"));
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "sex digit is 1");
    /* Born in 1986 according to the matricule. */
    snprintf(ins, sizeof ins, "2860575056123%02d", ins_compute_key("2860575056123"));
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "year digits");
    /* Born in June according to the matricule. */
    snprintf(ins, sizeof ins, "2850675056123%02d", ins_compute_key("2850675056123"));
    expect_insi_refused(make_prov(), ins, INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "month digits");
}

Test(insi, refused_on_doubtful_or_fictitious)
{
    identity_traits insi = base_traits();
    local_identity li = make_prov();
    li.attributes = RNIV_ATTR_DOUBTFUL;
    expect_insi_refused(li, base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "doubtful");
    li = make_prov();
    li.attributes = RNIV_ATTR_FICTITIOUS;
    expect_insi_refused(li, base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_ERULE, "fictitious");
}

Test(insi, bad_input_refused)
{
    identity_traits insi = base_traits();
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi, "",
                        SOCLE_EINVAL, "insi_at: missing");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi, NULL,
                        SOCLE_EINVAL, "insi_at: missing");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00.000000000000000+01:00",
                        SOCLE_EINVAL, "insi_at: longer");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, NULL,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL, "INSi traits");
    strcpy(insi.birth_date, "1985-02-30");
    expect_insi_refused(make_prov(), base_ins(), INS_OID_NIR, &insi,
                        "2024-03-01T10:00:00Z", SOCLE_EINVAL,
                        "INSi traits: birth_date: 1985-02-30 is not a real date");
}

/* ---- Transitions: trait changes --------------------------------------- */

Test(traits, strict_change_on_qual_goes_back_to_prov)
{
    local_identity li = make_qual();
    identity_traits t = li.traits;
    strcpy(t.birth_date, "1985-05-16");
    int down = -1;
    socle_err err = { 0 };
    cr_assert_eq(rniv_apply_traits(&li, &t, &down, &err), 0, "%s", err.msg);
    cr_expect_eq(down, 1);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.ins, "");
    cr_expect_str_eq(li.ins_oid, "");
    cr_expect_eq(li.insi_verified, 0);
    cr_expect_str_eq(li.insi_at, "");
    cr_expect_str_eq(li.proof_type, "");
    cr_expect_str_eq(li.traits.birth_date, "1985-05-16");
    assert_invariants(&li);
}

Test(traits, strict_change_downgrades_each_verified_status)
{
    local_identity (*make[])(void) = { make_recup, make_vali, make_qual };
    for (size_t i = 0; i < 3; i++) {
        local_identity li = make[i]();
        identity_traits t = li.traits;
        strcpy(t.birth_place, "2A004");
        int down = 0;
        cr_assert_eq(rniv_apply_traits(&li, &t, &down, NULL), 0);
        cr_expect_eq(down, 1);
        cr_expect_eq(li.status, RNIV_PROV);
        assert_invariants(&li);
    }
}

Test(traits, strict_change_on_prov_stays_prov)
{
    local_identity li = make_prov();
    identity_traits t = li.traits;
    strcpy(t.birth_name, "LEFANTOMAS");
    int down = -1;
    cr_assert_eq(rniv_apply_traits(&li, &t, &down, NULL), 0);
    cr_expect_eq(down, 0);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.traits.birth_name, "LEFANTOMAS");
    assert_invariants(&li);
}

Test(traits, complementary_change_keeps_status)
{
    local_identity li = make_qual();
    identity_traits t = li.traits;
    strcpy(t.used_name, "MARIVEAU");
    strcpy(t.used_forename, "ZAZA");
    int down = -1;
    socle_err err = { 0 };
    cr_assert_eq(rniv_apply_traits(&li, &t, &down, &err), 0, "%s", err.msg);
    cr_expect_eq(down, 0);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_str_eq(li.ins, base_ins());
    cr_expect_str_eq(li.traits.used_name, "MARIVEAU");
    assert_invariants(&li);
}

Test(traits, spelling_only_change_keeps_status)
{
    local_identity li = make_qual();
    identity_traits t = li.traits;
    strcpy(t.birth_name, "Lefantome");
    cr_assert_eq(rniv_apply_traits(&li, &t, NULL, NULL), 0);
    cr_expect_eq(li.status, RNIV_QUAL);
    assert_invariants(&li);
}

Test(traits, invalid_traits_refused_unchanged)
{
    local_identity li = make_qual(), before;
    memcpy(&before, &li, sizeof li);
    identity_traits t = li.traits;
    strcpy(t.birth_date, "1985-02-30");
    socle_err err = { 0 };
    int down = -1;
    cr_expect_eq(rniv_apply_traits(&li, &t, &down, &err), -1);
    cr_expect_eq(err.code, SOCLE_EINVAL);
    cr_expect_str_eq(err.msg, "birth_date: 1985-02-30 is not a real date");
    cr_expect_eq(down, 0);
    assert_unchanged(li, before);
    cr_expect_eq(rniv_apply_traits(&li, NULL, NULL, &err), -1);
    assert_unchanged(li, before);
}

/* ---- Transitions: attributes and INS removal -------------------------- */

Test(attribute, doubtful_sets_prov_and_removes_ins)
{
    local_identity li = make_qual();
    socle_err err = { 0 };
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 1, &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_PROV);
    cr_expect_str_eq(li.ins, "");
    cr_expect_eq(li.insi_verified, 0);
    cr_expect_str_eq(li.proof_type, "");
    cr_expect(li.attributes & RNIV_ATTR_DOUBTFUL);
    assert_invariants(&li);
    /* Cleared again: the attribute goes, the status stays PROV. */
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 0, &err), 0);
    cr_expect_eq(li.attributes, 0);
    cr_expect_eq(li.status, RNIV_PROV);
    assert_invariants(&li);
}

Test(attribute, fictitious_on_prov)
{
    local_identity li = make_prov();
    socle_err err = { 0 };
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), 0, "%s", err.msg);
    cr_expect_eq(li.attributes, RNIV_ATTR_FICTITIOUS);
    assert_invariants(&li);
}

Test(attribute, fictitious_refused_on_non_prov)
{
    local_identity (*make[])(void) = { make_recup, make_vali, make_qual };
    for (size_t i = 0; i < 3; i++) {
        local_identity li = make[i](), before;
        memcpy(&before, &li, sizeof li);
        socle_err err = { 0 };
        cr_expect_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), -1);
        cr_expect_eq(err.code, SOCLE_ERULE);
        cr_expect(strstr(err.msg, "PROV") != NULL, "%s", err.msg);
        assert_unchanged(li, before);
    }
}

Test(attribute, doubtful_and_fictitious_refused)
{
    socle_err err = { 0 };
    local_identity li = make_prov(), before;
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), 0);
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 1, &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);

    li = make_prov();
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_DOUBTFUL, 1, &err), 0);
    memcpy(&before, &li, sizeof li);
    cr_expect_eq(rniv_set_attribute(&li, RNIV_ATTR_FICTITIOUS, 1, &err), -1);
    cr_expect_eq(err.code, SOCLE_ERULE);
    assert_unchanged(li, before);
}

Test(attribute, homonym_allowed_on_qual)
{
    local_identity li = make_qual();
    socle_err err = { 0 };
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_HOMONYM, 1, &err), 0, "%s", err.msg);
    cr_expect_eq(li.status, RNIV_QUAL);
    cr_expect_eq(li.attributes, RNIV_ATTR_HOMONYM);
    cr_expect_str_eq(li.ins, base_ins());
    assert_invariants(&li);
    cr_assert_eq(rniv_set_attribute(&li, RNIV_ATTR_HOMONYM, 0, &err), 0);
    cr_expect_eq(li.attributes, 0);
}

Test(attribute, unknown_attribute_refused)
{
    local_identity li = make_prov(), before;
    memcpy(&before, &li, sizeof li);
    socle_err err = { 0 };
    unsigned bad[] = { 0, 0x8, RNIV_ATTR_DOUBTFUL | RNIV_ATTR_HOMONYM };
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(rniv_set_attribute(&li, bad[i], 1, &err), -1);
        cr_expect_eq(err.code, SOCLE_EINVAL);
    }
    assert_unchanged(li, before);
    cr_expect_eq(rniv_set_attribute(NULL, RNIV_ATTR_HOMONYM, 1, &err), -1);
}

Test(remove_ins, qual_gives_vali_recup_gives_prov)
{
    local_identity li = make_qual();
    rniv_remove_ins(&li);
    cr_expect_eq(li.status, RNIV_VALI);
    cr_expect_str_eq(li.ins, "");
    cr_expect_str_eq(li.ins_oid, "");
    cr_expect_str_eq(li.proof_type, "PA");
    assert_invariants(&li);

    li = make_recup();
    rniv_remove_ins(&li);
    cr_expect_eq(li.status, RNIV_PROV);
    assert_invariants(&li);

    rniv_remove_ins(NULL);
}

/* ---- rniv_check: each broken invariant -------------------------------- */

static void expect_broken(const local_identity *li, const char *needle)
{
    socle_err err = { 0 };
    cr_expect_eq(rniv_check(li, &err), -1, "expected '%s'", needle);
    cr_expect_eq(err.code, SOCLE_EINTERNAL, "%s", err.msg);
    cr_expect(strstr(err.msg, needle) != NULL, "'%s' not in '%s'", needle, err.msg);
}

Test(check, valid_identities_pass)
{
    local_identity li;
    li = make_prov(); assert_invariants(&li);
    li = make_recup(); assert_invariants(&li);
    li = make_vali(); assert_invariants(&li);
    li = make_qual(); assert_invariants(&li);
    cr_expect_eq(rniv_check(NULL, NULL), -1);
}

Test(check, status_does_not_match_verifications)
{
    local_identity li = make_prov();
    li.status = RNIV_QUAL;
    expect_broken(&li, "status: is QUAL");
    li = make_qual();
    li.proof_type[0] = '\0';
    expect_broken(&li, "give RECUP");
    li = make_vali();
    li.status = RNIV_PROV;
    expect_broken(&li, "give VALI");
    li = make_prov();
    li.status = (rniv_status)7;
    expect_broken(&li, "status: 7");
}

Test(check, ins_and_insi)
{
    local_identity li = make_vali();
    strcpy(li.ins, base_ins());
    strcpy(li.ins_oid, INS_OID_NIR);
    expect_broken(&li, "ins: present although INSi did not verify it");

    li = make_qual();
    li.ins[0] = '\0';
    expect_broken(&li, "ins: missing although INSi verified it");

    li = make_prov();
    strcpy(li.ins_oid, INS_OID_NIR);
    expect_broken(&li, "ins_oid: present without an INS");

    li = make_qual();
    strcpy(li.ins, "260058815400244");
    expect_broken(&li, "ins: key is 44, expected 33");

    li = make_qual();
    strcpy(li.ins_oid, INS_OID_NIR_TEST);
    expect_broken(&li, "ins_oid:");

    li = make_recup();
    li.insi_at[0] = '\0';
    expect_broken(&li, "insi_at:");
}

Test(check, proof)
{
    local_identity li = make_prov();
    strcpy(li.proof_type, "ZZ");
    expect_broken(&li, "proof_type: 'ZZ'");
    li = make_prov();
    memset(li.proof_type, 'C', sizeof li.proof_type);
    expect_broken(&li, "unterminated");
}

Test(check, attributes)
{
    local_identity li = make_prov();
    li.attributes = 0x10;
    expect_broken(&li, "attributes: unknown bits 0x10");
    li = make_prov();
    li.attributes = RNIV_ATTR_DOUBTFUL | RNIV_ATTR_FICTITIOUS;
    expect_broken(&li, "doubtful and fictitious");
    li = make_qual();
    li.attributes = RNIV_ATTR_DOUBTFUL;
    expect_broken(&li, "doubtful identity must be PROV, is QUAL");
    li = make_vali();
    li.attributes = RNIV_ATTR_FICTITIOUS;
    expect_broken(&li, "fictitious identity must be PROV, is VALI");
    li = make_qual();
    li.attributes = RNIV_ATTR_HOMONYM;
    assert_invariants(&li);
}
