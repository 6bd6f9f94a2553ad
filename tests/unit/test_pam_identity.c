/*
 * test_pam_identity.c - PID of a PAM FR message -> identity_input: what
 * each rule produces, a table of every issue (one synthetic message per
 * case, invented patients only), then the real messages of the shared
 * conformance corpus.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ins.h"
#include "hl7/er7.h"
#include "hl7/pam_identity.h"
#include "util/fsutil.h"
#include "util/buf.h"

/* Valid matricules (keys computed by hand): an invented woman born in July
 * 1985 in Paris (twice, two order numbers), a man born in March 1990
 * abroad. */
#define NIR_F  "285077505612370"
#define NIR_F2 "285077505612469"
#define NIR_M  "190039912345621"

#define AUTH_NIR "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"
#define AUTH_NIA "ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO"
#define IPP      "IPP123^^^HOSP-A&1.2.250.1.999.1&ISO^PI"
#define INS(v, auth) "~" v "^^^" auth "^INS"
#define ALL_ATTRS (RNIV_ATTR_DOUBTFUL | RNIV_ATTR_FICTITIOUS | RNIV_ATTR_HOMONYM)

static buf text;
static er7_message *msg;
static char *file_data;
static pam_identity pi;
static pam_issues is;

static void cleanup(void)
{
    buf_free(&text);
    er7_free(msg);
    msg = NULL;
    free(file_data);
    file_data = NULL;
}

TestSuite(pam_identity, .fini = cleanup);

/* The default PID: every field mapped, all valid, no issue. */
static const char *const default_pid[33] = {
    [1] = "1",
    [3] = IPP INS(NIR_F, AUTH_NIR),
    [5] = "USAGENOM^CLAIRE^^^Mme^^D~TESTNOM^ALICE^ALICE CLAIRE MARIE^^Mme^^L",
    [7] = "19850715",
    [8] = "F",
    [11] = "12 rue des Essais^Bat B^TESTVILLE^^75001^FRA^H~^^TESTVILLE^^^FRA^BDL^^75056",
    [13] = "^PRN^PH^^^^^^^^^0102030405~^NET^Internet^alice@example.org",
    [32] = "VALI",
};

#define UTF8   "UNICODE UTF-8"
#define ZFD_CN "ZFD|||||INSI|20240101|CN\r"

/*
 * Map a message in charset whose PID is the default one with some fields
 * replaced: (field, value) pairs ended by 0; a NULL value empties the
 * field. after: segments that follow PID and PV1 (CR-terminated), or "".
 */
static int map_cs(const char *charset, const char *after, ...)
{
    const char *f[33];
    memcpy(f, default_pid, sizeof f);
    va_list ap;
    va_start(ap, after);
    int field;
    while ((field = va_arg(ap, int)) != 0) {
        cr_assert(field > 0 && field < 33);
        f[field] = va_arg(ap, const char *);
    }
    va_end(ap);
    buf_reset(&text);
    buf_printf(&text, "MSH|^~\\&|SND|FAC|RCV|FAC|20250101120000||ADT^A31^ADT_A05|"
                      "1|P|2.5^FRA^2.11|||||FRA|%s\rEVN||20250101120000\rPID", charset);
    for (int i = 1; i < 33; i++) {
        buf_putc(&text, '|');
        buf_puts(&text, f[i] != NULL ? f[i] : "");
    }
    buf_printf(&text, "\rPV1|1|N\r%s", after);

    socle_err err = {0};
    er7_free(msg);
    msg = er7_parse(text.data, text.len, &err);
    cr_assert_not_null(msg, "%s", err.msg);
    return pam_identity_from_pid(msg, er7_find(msg, "PID", 0), &pi, &is);
}

#define map(...) map_cs(UTF8, ZFD_CN, __VA_ARGS__)

static void dump_issues(buf *b)
{
    for (size_t i = 0; i < is.count; i++) {
        const pam_issue *p = &is.items[i];
        buf_printf(b, "\n  %c %d %s-%zu(%zu).%zu.%zu: %s",
                   p->severity == PAM_ISSUE_ERROR ? 'E' : 'W', p->hl7_code,
                   p->where.seg_id, p->where.field, p->where.rep, p->where.comp,
                   p->where.sub, p->text);
    }
}

/* Exactly n issues. */
static void assert_issues(size_t n)
{
    if (is.count != n) {
        buf d = {0};
        dump_issues(&d);
        cr_log_error("issues:%s", buf_cstr(&d));
        buf_free(&d);
    }
    cr_assert_eq(is.count, n, "%zu issues, expected %zu", is.count, n);
}

#define E PAM_ISSUE_ERROR
#define W PAM_ISSUE_WARNING
#define ANY ((size_t)-1)

/* The first issue of that severity, code and field, at repetition rep
 * (ANY: not checked), whose text contains part (NULL: not checked). */
static const pam_issue *expect(pam_issue_severity sev, int code, size_t field,
                               size_t rep, const char *part)
{
    const pam_issue *p = NULL;
    for (size_t i = 0; p == NULL && i < is.count; i++) {
        if (is.items[i].severity == sev && is.items[i].hl7_code == code
            && is.items[i].where.field == field)
            p = &is.items[i];
    }
    if (p == NULL) {
        buf d = {0};
        dump_issues(&d);
        cr_log_error("issues:%s", buf_cstr(&d));
        buf_free(&d);
    }
    cr_assert_not_null(p, "no %c %d at field %zu", sev == E ? 'E' : 'W', code, field);
    if (rep != ANY)
        cr_assert_eq(p->where.rep, rep, "%s", p->text);
    if (part != NULL)
        cr_assert_not_null(strstr(p->text, part), "'%s' lacks '%s'", p->text, part);
    return p;
}

/* ---- what the rules produce ------------------------------------------- */

Test(pam_identity, nominal)
{
    cr_assert_eq(map(0), 0);
    assert_issues(0);
    const identity_input *in = &pi.input;
    cr_assert_str_eq(in->ipp, "IPP123");
    cr_assert_str_eq(in->domain_oid, "1.2.250.1.999.1");
    cr_assert_str_eq(pi.domain_name, "HOSP-A");
    cr_assert_str_eq(pi.domain_finess, "");
    cr_assert_str_eq(in->traits.birth_name, "TESTNOM");
    cr_assert_str_eq(in->traits.first_forename, "ALICE");
    cr_assert_str_eq(in->traits.forenames, "ALICE CLAIRE MARIE");
    cr_assert_str_eq(in->traits.used_name, "USAGENOM");
    cr_assert_str_eq(in->traits.used_forename, "CLAIRE");
    cr_assert_str_eq(in->traits.birth_date, "1985-07-15");
    cr_assert_eq(in->traits.sex, 'F');
    cr_assert_str_eq(in->traits.birth_place, "75056");
    cr_assert_str_eq(in->contact.address, "12 rue des Essais, Bat B");
    cr_assert_str_eq(in->contact.city, "TESTVILLE");
    cr_assert_str_eq(in->contact.postal_code, "75001");
    cr_assert_str_eq(in->contact.country, "FRA");
    cr_assert_str_eq(in->contact.phone, "0102030405");
    cr_assert_str_eq(in->contact.email, "alice@example.org");
    cr_assert_str_eq(in->ins, NIR_F);
    cr_assert_str_eq(in->ins_oid, INS_OID_NIR);
    cr_assert_eq(in->insi_verified, 1);
    cr_assert_str_eq(in->proof_type, "CN");
    cr_assert_eq(in->attributes, 0);
    cr_assert_eq(in->attributes_known, ALL_ATTRS);
    cr_assert_str_eq(pi.status, "VALI");
    cr_assert_eq(pi.ins_delete, 0);
    cr_assert_eq(pi.used_name_erased, 0);
}

Test(pam_identity, not_a_pid_and_unknown_charset)
{
    cr_assert_eq(map(0), 0);
    cr_assert_eq(pam_identity_from_pid(msg, 0, &pi, &is), -1);
    cr_assert_str_eq(expect(E, 100, 0, ANY, "not a PID")->where.seg_id, "MSH");
    cr_assert_eq(pam_identity_from_pid(msg, 999, &pi, &is), -1);
    cr_assert_eq(pam_identity_from_pid(NULL, 0, &pi, &is), -1);
    assert_issues(1);
    /* Nothing decoded without a known MSH-18. */
    cr_assert_eq(map_cs("KOI8-R", "", 0), -1);
    cr_assert_str_eq(expect(E, 103, 18, 1, "MSH-18")->where.seg_id, "MSH");
    assert_issues(1);
}

Test(pam_identity, latin1_decoded_to_utf8)
{
    cr_assert_eq(map_cs("8859/1", ZFD_CN, 5, "TESTNOM^H\xE9l\xE8ne^H\xE9l\xE8ne Zo\xE9^^^^L",
                        11, "1 all\xE9" "e des Tests^^B\xC9THUNE^^62400^FRA^H~^^^^^^BDL^^62119",
                        0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.traits.first_forename, "H\xC3\xA9l\xC3\xA8ne");
    cr_assert_str_eq(pi.input.traits.forenames, "H\xC3\xA9l\xC3\xA8ne Zo\xC3\xA9");
    cr_assert_str_eq(pi.input.contact.address, "1 all\xC3\xA9" "e des Tests");
    cr_assert_str_eq(pi.input.contact.city, "B\xC3\x89THUNE");
    cr_assert_str_eq(pi.input.traits.used_name, "");
    /* Escapes resolved. */
    cr_assert_eq(map(5, "TEST\\T\\NOM^ALICE^^^^^L", 0), 0);
    cr_assert_str_eq(pi.input.traits.birth_name, "TEST&NOM");
}

Test(pam_identity, too_long_is_an_error_not_a_truncation)
{
    char name[400];
    memset(name, 'A', 300);
    strcpy(name + 300, "^ALICE^^^^^L");
    cr_assert_eq(map(5, name, 0), -1);
    expect(E, 102, 5, 1, "300 bytes long, more than the 255");
    cr_assert_str_eq(pi.input.traits.birth_name, "");
    memset(name, '7', 70);
    strcpy(name + 70, "^^^HOSP-A&1.2.250.1.999.1&ISO^PI");
    cr_assert_eq(map(3, name, 0), -1);
    expect(E, 102, 3, 1, "PID-3.1 IPP is 70 bytes long");
}

Test(pam_identity, authority_forms)
{
    /* FINESS, typed M or N (ANS examples): exposed, no OID. */
    cr_assert_eq(map(3, "42^^^CHU-T&000123456&N^PI", 0), 0);
    cr_assert_str_eq(pi.domain_finess, "000123456");
    cr_assert_str_eq(pi.input.domain_oid, "");
    cr_assert_str_eq(pi.domain_name, "CHU-T");
    cr_assert_eq(map(3, "42^^^&2A0001234&M^PI", 0), 0);
    cr_assert_str_eq(pi.domain_finess, "2A0001234");
    cr_assert_str_eq(pi.domain_name, "");
    /* Namespace only: the caller decides. */
    cr_assert_eq(map(3, "42^^^HOSP-B^PI", 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.domain_name, "HOSP-B");
    cr_assert_str_eq(pi.input.domain_oid, "");
    cr_assert_str_eq(pi.domain_finess, "");
    /* A dotted OID under a local type is still an OID. */
    cr_assert_eq(map(3, "42^^^HOSP-B&1.2.250.1.999.2&L^PI", 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.domain_oid, "1.2.250.1.999.2");
    /* An unreadable universal id next to a namespace: the namespace. */
    cr_assert_eq(map(3, "42^^^HOSP-B&ABC&DNS^PI", 0), 0);
    cr_assert_str_eq(pi.domain_name, "HOSP-B");
    cr_assert_str_eq(pi.input.domain_oid, "");
    /* Two PI: the first; the same one twice says nothing. */
    cr_assert_eq(map(3, IPP "~99^^^HOSP-B&1.2.250.1.999.2&ISO^PI", 0), 0);
    cr_assert_str_eq(pi.input.ipp, "IPP123");
    cr_assert_str_eq(pi.input.domain_oid, "1.2.250.1.999.1");
    cr_assert_eq(map(3, IPP "~" IPP, 0), 0);
    assert_issues(0);
}

Test(pam_identity, ins_choice)
{
    /* NIR preferred to NIA, silently. */
    cr_assert_eq(map(3, IPP INS(NIR_F2, AUTH_NIA) INS(NIR_F, AUTH_NIR), 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.ins, NIR_F);
    cr_assert_str_eq(pi.input.ins_oid, INS_OID_NIR);
    cr_assert_eq(map(3, IPP INS(NIR_F2, AUTH_NIA), 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.ins, NIR_F2);
    cr_assert_str_eq(pi.input.ins_oid, INS_OID_NIA);
    cr_assert_eq(pi.input.insi_verified, 1);
    /* A bad NIR leaves the NIA in place, and the rest of the identity. */
    cr_assert_eq(map(3, IPP INS("285077505612344", AUTH_NIR) INS(NIR_F2, AUTH_NIA), 0), 0);
    assert_issues(1);
    cr_assert_str_eq(pi.input.ins, NIR_F2);
    cr_assert_str_eq(pi.input.proof_type, "CN");
    /* Dropped INS: nothing of it stays. */
    cr_assert_eq(map(3, IPP INS("285077505612344", AUTH_NIR), 0), 0);
    cr_assert_str_eq(pi.input.ins, "");
    cr_assert_str_eq(pi.input.ins_oid, "");
    cr_assert_eq(pi.input.insi_verified, 0);
    cr_assert_str_eq(pi.input.ipp, "IPP123");
    /* NH (billing NIR), INS-C, untyped local ids: ignored without a word. */
    cr_assert_eq(map(3, IPP "~" NIR_F "^^^ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH"
                     "~0601976981953184076967^^^ASIP-SANTE-INS-C&1.2.250.1.213.1.4.2&ISO^INS-C"
                     "~54539964^^^Agenda", 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.ins, "");
}

Test(pam_identity, ins_deletion_form)
{
    cr_assert_eq(map(3, IPP INS("\"\"", AUTH_NIR), 32, "PROV", 0), 0);
    assert_issues(0);
    cr_assert_eq(pi.ins_delete, 1);
    cr_assert_str_eq(pi.input.ins, "");
    /* Deletion and a new INS at once: the deletion wins (warned). */
    cr_assert_eq(map(3, IPP INS("\"\"", AUTH_NIR) INS(NIR_F, AUTH_NIR), 0), 0);
    cr_assert_eq(pi.ins_delete, 1);
    cr_assert_str_eq(pi.input.ins, "");
}

Test(pam_identity, names)
{
    /* Empty list: the first forename. */
    cr_assert_eq(map(5, "TESTNOM^ALICE^^^^^L", 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.traits.forenames, "ALICE");
    /* A composed first forename heading the list, in another case. */
    cr_assert_eq(map(5, "TESTNOM^Marie-Claire^MARIE-CLAIRE ANNE^^^^L", 0), 0);
    assert_issues(0);
    /* First forename not heading the list: kept as sent (and warned). */
    cr_assert_eq(map(5, "TESTNOM^CLAIRE^ALICE CLAIRE^^^^L", 0), 0);
    cr_assert_str_eq(pi.input.traits.first_forename, "CLAIRE");
    cr_assert_str_eq(pi.input.traits.forenames, "ALICE CLAIRE");
    /* D with `""` family erases the used name; empty family does not. */
    cr_assert_eq(map(5, "\"\"^CLAIRE^^^^^D~TESTNOM^ALICE^^^^^L", 0), 0);
    assert_issues(0);
    cr_assert_eq(pi.used_name_erased, 1);
    cr_assert_str_eq(pi.input.traits.used_name, "");
    cr_assert_str_eq(pi.input.traits.used_forename, "CLAIRE");
    cr_assert_eq(map(5, "^CLAIRE^^^^^D~TESTNOM^ALICE^^^^^L", 0), 0);
    cr_assert_eq(pi.used_name_erased, 0);
    cr_assert_str_eq(pi.input.traits.used_forename, "CLAIRE");
    /* Pseudonym and unspecified names are not traits: silently ignored. */
    cr_assert_eq(map(5, "TESTNOM^ALICE^^^^^L~ALIAS^BOB^^^^^S~OTHER^X^^^^^U", 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.traits.used_name, "");
    /* Two different birth names: the first. */
    cr_assert_eq(map(5, "TESTNOM^ALICE^^^^^L~AUTRENOM^ALICE^^^^^L", 0), 0);
    cr_assert_str_eq(pi.input.traits.birth_name, "TESTNOM");
}

Test(pam_identity, birth_date_and_sex)
{
    static const struct { const char *ts, *date; } ok[] = {
        { "19850715", "1985-07-15" }, { "198507151230", "1985-07-15" },
        { "19850715123059.25+0100", "1985-07-15" }, { "1985071512-0500", "1985-07-15" },
        { "20000229", "2000-02-29" },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_assert_eq(map(7, ok[i].ts, 3, IPP, 0), 0, "%s", ok[i].ts);
        assert_issues(0);
        cr_assert_str_eq(pi.input.traits.birth_date, ok[i].date);
    }
    static const char *const malformed[] = {
        "1985", "198507", "1985071", "19850715X", "1985-07-15", "19850715.5",
        "19850715123059.", "19850715+01",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        cr_assert_eq(map(7, malformed[i], 0), -1, "%s", malformed[i]);
        expect(E, 102, 7, 0, "not an HL7 TS");
    }
    static const char *const impossible[] = {
        "19850230", "19001329", "19850700", "19000229", "00000101",
    };
    for (size_t i = 0; i < sizeof impossible / sizeof impossible[0]; i++) {
        cr_assert_eq(map(7, impossible[i], 0), -1, "%s", impossible[i]);
        expect(E, 102, 7, 0, "not a real date");
    }
    static const char sexes[] = "FMUOAN", read[] = "FMUUUU";
    for (size_t i = 0; i < 6; i++) {
        char s[2] = {sexes[i], '\0'};
        cr_assert_eq(map(8, s, 3, IPP, 0), 0, "%s", s);
        cr_assert_eq(pi.input.traits.sex, read[i], "%s", s);
        assert_issues(i < 3 ? 0 : 1);  /* O, A, N: warned */
    }
}

Test(pam_identity, addresses_and_telecom)
{
    /* Untyped address used when no H; C ignored; Corsican birth place. */
    cr_assert_eq(map(11, "^^TESTVILLE^21231^21000^FRA^BDL^^2A004~3 place Test^^DIJON^^21000^FRA"
                     "~9 rue Autre^^BEAUNE^^21200^FRA^C", 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.traits.birth_place, "2A004");
    cr_assert_str_eq(pi.input.contact.address, "3 place Test");
    cr_assert_str_eq(pi.input.contact.city, "DIJON");
    /* H preferred to the untyped one; SAD.2/3 not repeated. */
    cr_assert_eq(map(11, "1 rue Sans Type^^X^^1^FRA~5 rue Test&rue Test&5^^DIJON^^21000^FRA^H", 0),
                 0);
    cr_assert_str_eq(pi.input.contact.address, "5 rue Test");
    /* Only a complement. */
    cr_assert_eq(map(11, "^Residence Test^DIJON^^21000^FRA^H", 0), 0);
    cr_assert_str_eq(pi.input.contact.address, "Residence Test");
    cr_assert_str_eq(pi.input.traits.birth_place, "");
    /* Without an INS, no birth place is no matter. */
    cr_assert_eq(map(11, NULL, 3, IPP, 0), 0);
    assert_issues(0);

    /* First phone (XTN-1, else XTN-12), first e-mail (NET or Internet). */
    cr_assert_eq(map(13, "0102030405^PRN^PH~^NET^Internet^a@example.org~^NET^Internet^b@example.org"
                     "~^PRN^CP^^^^^^^^^0601020304", 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.contact.phone, "0102030405");
    cr_assert_str_eq(pi.input.contact.email, "a@example.org");
    cr_assert_eq(map(13, "^^Internet^c@example.org~^PRN^CP^^^^^^^^^0601020304", 0), 0);
    cr_assert_str_eq(pi.input.contact.email, "c@example.org");
    cr_assert_str_eq(pi.input.contact.phone, "0601020304");
    cr_assert_eq(map(13, "^NET^Internet~^NET^Internet^d@example.org", 0), 0);
    cr_assert_str_eq(pi.input.contact.email, "d@example.org");
    cr_assert_str_eq(pi.input.contact.phone, "");
}

Test(pam_identity, reliability_and_proof)
{
    cr_assert_eq(map(32, "PROV~DOUT~HOMA~CACH~ANOM~IDVER~DOUB", 3, IPP, 0), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.status, "PROV");
    cr_assert_eq(pi.input.attributes, RNIV_ATTR_DOUBTFUL | RNIV_ATTR_HOMONYM);
    cr_assert_eq(pi.input.attributes_known, ALL_ATTRS);
    cr_assert_str_eq(pi.input.proof_type, "");  /* ZFD-7 CN not taken without VALI */
    cr_assert_eq(map(32, "VIDE~FICT", 3, IPP, 0), 0);
    cr_assert_str_eq(pi.status, "VIDE");
    cr_assert_eq(pi.input.attributes, RNIV_ATTR_FICTITIOUS);
    /* Absent: nothing known, nothing cleared. `""`: known, all cleared. */
    cr_assert_eq(map(32, NULL, 3, IPP, 0), 0);
    cr_assert_str_eq(pi.status, "");
    cr_assert_eq(pi.input.attributes_known, 0);
    cr_assert_eq(map(32, "\"\"", 3, IPP, 0), 0);
    cr_assert_eq(pi.input.attributes_known, ALL_ATTRS);
    cr_assert_eq(pi.input.attributes, 0);
    /* VALI with PROV: the weaker. */
    cr_assert_eq(map(32, "VALI~PROV", 0), 0);
    cr_assert_str_eq(pi.status, "PROV");
    cr_assert_str_eq(pi.input.proof_type, "");
    cr_assert_str_eq(pi.input.ins, "");

    /* VALI: ZFD-7 (any case), else SRC. */
    static const struct { const char *after, *proof; } proofs[] = {
        { "", "SRC" }, { "ZFD|||||INSI|20240101\r", "SRC" },
        { "ZFD|||||INSI|20240101|pa\r", "PA" },
        { "ZFD|||||INSI|20240101|XX\r", "SRC" },        /* warned */
        { "ZFD|||||INSI|20240101|PASSPORT\r", "SRC" },  /* warned */
        { "ZFD|||||INSI|20240101|AN\r", "AN" },         /* warned: low trust */
        /* The ZFD of another PID group is not this patient's. */
        { "PID|2||9^^^HOSP-A&1.2.250.1.999.1&ISO^PI\rZFD|||||INSI|20240101|PA\r", "SRC" },
    };
    for (size_t i = 0; i < sizeof proofs / sizeof proofs[0]; i++) {
        cr_assert_eq(map_cs(UTF8, proofs[i].after, 0), 0, "%zu", i);
        cr_assert_str_eq(pi.input.proof_type, proofs[i].proof, "%zu", i);
        assert_issues(i >= 3 && i <= 5 ? 1 : 0);
    }
}

/* ---- every issue ------------------------------------------------------- */

#define STR10 "7777777777"
#define DIGITS34 "0102030405060708091011121314151617"

/* One synthetic message per case: the default one with up to two fields
 * replaced (f2 0: one), mapped in charset (NULL: UTF-8). The issue sought
 * is at PID (ZFD for ZFD-7 cases, MSH for MSH-18) field, rep, comp (ANY:
 * not checked). */
static const struct issue_case {
    const char *charset;
    int f1;
    const char *v1;
    int f2;
    const char *v2;
    int rc;
    pam_issue_severity sev;
    int code;
    size_t field, rep, comp;
    const char *part;
} issue_cases[] = {
    /* Decoding: invalid bytes (0x85 is a C1 control in Latin-1: CP1252
     * text under a Latin label), unescaped '&', FN parts, lengths. */
    { "8859/1", 5, "TESTNOM^ALICE\x85^^^^^L", 0, 0, -1, E, 102, 5, 1, 2, "PID-5.2 first forename" },
    { 0, 5, "TEST\xC3(NOM^ALICE^^^^^L", 0, 0, -1, E, 102, 5, 1, 1, "PID-5.1 birth name" },
    { 0, 5, "\xFF^ALICE^^^^^D~TESTNOM^ALICE^^^^^L", 0, 0, -1, E, 102, 5, 1, 1, "used name" },
    { 0, 5, "TESTNOM^ALICE&MARIE^^^^^L", 0, 0, -1, E, 102, 5, 1, 2, "subcomponent separator" },
    { 0, 5, "TESTNOM&DE^ALICE^^^^^L", 0, 0, -1, E, 102, 5, 1, 1, "FN.2" },
    { 0, 13, "^PRN^PH^^^^^^^^^" DIGITS34, 0, 0, -1, E, 102, 13, 1, 12, "PID-13.12 phone" },
    { 0, 11, "^^X^^1^FRANCE^H", 0, 0, -1, E, 102, 11, 1, 6, "PID-11.6 country is 6 bytes" },
    /* PID-3 IPP and its authority. */
    { 0, 3, NIR_F "^^^" AUTH_NIR "^INS", 0, 0, -1, E, 101, 3, 0, 0, "no IPP" },
    { 0, 3, "42^PI", 0, 0, -1, E, 101, 3, 0, 0, "no IPP" },
    { 0, 3, "^^^HOSP-A&1.2.250.1.999.1&ISO^PI", 0, 0, -1, E, 101, 3, 1, 1, "IPP is empty" },
    { 0, 3, "\"\"^^^HOSP-A&1.2.250.1.999.1&ISO^PI", 0, 0, -1, E, 101, 3, 1, 1, "IPP is empty" },
    { 0, 3, "42^^^^PI", 0, 0, -1, E, 101, 3, 1, 4, "no assigning authority" },
    { 0, 3, "42^^^&&ISO^PI", 0, 0, -1, E, 101, 3, 1, 4, "authority is empty" },
    { 0, 3, "42^^^HOSP&1.2..3&ISO^PI", 0, 0, -1, E, 102, 3, 1, 4, "not an OID" },
    { 0, 3, "42^^^HOSP&12345&M^PI", 0, 0, -1, E, 102, 3, 1, 4, "not a FINESS" },
    { 0, 3, "42^^^&ABC&DNS^PI", 0, 0, -1, E, 102, 3, 1, 4, "neither an OID nor a FINESS" },
    { 0, 3, "42^^^HOSP-B&ABC&DNS^PI", 0, 0, 0, W, 102, 3, 1, 4, "namespace only" },
    { 0, 3, IPP "~99^^^HOSP-B&1.2.250.1.999.2&ISO^PI", 0, 0, 0, W, 102, 3, 2, 0,
      "the first one (repetition 1) is kept" },
    /* PID-3 INS: dropped, the identity kept. */
    { 0, 3, IPP INS("285077505612344", AUTH_NIR), 0, 0, 0, W, 102, 3, 2, 1,
      "INS key is 44, expected 70; dropped" },
    { 0, 3, IPP INS(NIR_F, "X&1.2.250.1.213.1.4.10&ISO"), 0, 0, 0, W, 102, 3, 2, 4, "test OID" },
    { 0, 3, IPP INS(NIR_F, "X&1.2.250.1.213.1.4.11&ISO"), 0, 0, 0, W, 102, 3, 2, 4,
      "demonstration OID" },
    { 0, 3, IPP INS(NIR_F, "X&1.2.250.1.213.1.4.2&ISO"), 0, 0, 0, W, 102, 3, 2, 4,
      "'1.2.250.1.213.1.4.2' is neither INS-NIR" },
    { 0, 3, IPP "~" NIR_F "^^^^INS", 0, 0, 0, W, 102, 3, 2, 4, "(empty)" },
    { 0, 3, IPP "~^^^" AUTH_NIR "^INS", 0, 0, 0, W, 101, 3, 2, 1, "without a value" },
    { 0, 3, IPP INS("2 85 07 75 056 123 70", AUTH_NIR), 0, 0, 0, W, 102, 3, 2, 1,
      "length is 21, expected 15" },
    { 0, 3, IPP INS(NIR_F, AUTH_NIR) INS(NIR_F2, AUTH_NIR), 0, 0, 0, W, 102, 3, 3, 1,
      "second, different INS-NIR" },
    { 0, 32, "PROV", 0, 0, 0, W, 102, 3, 2, 0, "does not say VALI" },
    { 0, 32, NULL, 0, 0, 0, W, 102, 3, 2, 0, "does not say VALI" },
    { 0, 3, IPP INS("\"\"", AUTH_NIR) INS(NIR_F, AUTH_NIR), 0, 0, 0, W, 102, 3, 3, 0,
      "deletion form" },
    { 0, 3, IPP INS(NIR_M, AUTH_NIR), 0, 0, 0, W, 102, 3, 2, 0, "sex digit is 1" },
    { 0, 7, "19860715", 0, 0, 0, W, 102, 3, 2, 0, "year digits are 85" },
    { 0, 11, "^^TESTVILLE^^^FRA^BDL", 0, 0, 0, W, 101, 11, 1, 9, "required with an INS" },
    { 0, 11, NULL, 0, 0, 0, W, 101, 11, 0, 0, "required with an INS" },
    /* PID-5. */
    { 0, 5, "USAGENOM^CLAIRE^^^^^D", 0, 0, -1, E, 101, 5, 0, 0, "no birth name" },
    { 0, 5, "TESTNOM^ALICE", 0, 0, -1, E, 101, 5, 0, 0, "no birth name" },
    { 0, 5, "TESTNOM^ALICE", 0, 0, -1, W, 103, 5, 1, 7, "(empty) is not allowed" },
    { 0, 5, "^ALICE^^^^^L", 0, 0, -1, E, 101, 5, 1, 1, "birth name" },
    { 0, 5, "\"\"^ALICE^^^^^L", 0, 0, -1, E, 101, 5, 1, 1, "birth name" },
    { 0, 5, "TESTNOM^^ALICE^^^^L", 0, 0, -1, E, 101, 5, 1, 2, "first forename" },
    { 0, 5, "TESTNOM^CLAIRE^ALICE CLAIRE^^^^L", 0, 0, 0, W, 102, 5, 1, 3,
      "does not start with the first forename" },
    { 0, 5, "TESTNOM^ALI^ALICE^^^^L", 0, 0, 0, W, 102, 5, 1, 3, "does not start" },
    { 0, 5, "TESTNOM^ALICE^^^^^L~JEUNEFILLE^ALICE^^^^^M", 0, 0, 0, W, 103, 5, 2, 7,
      "'M' is not allowed" },
    { 0, 5, "TESTNOM^ALICE^^^^^L~AUTRENOM^ALICE^^^^^L", 0, 0, 0, W, 102, 5, 2, 0,
      "second, different birth name" },
    /* PID-7, PID-8. */
    { 0, 7, NULL, 0, 0, -1, E, 101, 7, 0, 0, "birth date is missing" },
    { 0, 7, "\"\"", 0, 0, -1, E, 101, 7, 0, 0, "birth date is missing" },
    { 0, 8, NULL, 0, 0, -1, E, 101, 8, 0, 0, "sex is missing" },
    { 0, 8, "X", 0, 0, -1, E, 103, 8, 0, 0, "'X' is not F, M or U" },
    { 0, 8, "FM", 0, 0, -1, E, 103, 8, 0, 0, "'FM' is not F, M or U" },
    { 0, 8, "O", 3, IPP, 0, W, 103, 8, 0, 0, "'O' is not in PAM FR 2.11 (F, M, U); read as U" },
    /* PID-11 birth place. */
    { 0, 11, "^^TESTVILLE^^^FRA^BDL^^7505", 0, 0, -1, E, 102, 11, 1, 9, "not an INSEE code" },
    { 0, 11, "^^TESTVILLE^^^FRA^BDL^^2C004", 0, 0, -1, E, 102, 11, 1, 9, "not an INSEE code" },
    { 0, 11, "^^TESTVILLE^^^FRA^BDL^^750560", 0, 0, -1, E, 102, 11, 1, 9, "6 bytes long" },
    /* PID-32. */
    { 0, 32, "VALI~QUAL~RECUP", 0, 0, 0, W, 103, 32, 2, 1, "'QUAL' is not in table 0445 FR" },
    { 0, 32, "VALI~PROV", 0, 0, 0, W, 102, 32, 0, 0, "weaker status" },
};

Test(pam_identity, issues)
{
    for (size_t i = 0; i < sizeof issue_cases / sizeof issue_cases[0]; i++) {
        const struct issue_case *t = &issue_cases[i];
        int rc = t->f2 ? map_cs(t->charset ? t->charset : UTF8, ZFD_CN, t->f1, t->v1, t->f2,
                                t->v2, 0)
                       : map_cs(t->charset ? t->charset : UTF8, ZFD_CN, t->f1, t->v1, 0);
        cr_assert_eq(rc, t->rc, "case %zu (%s): rc %d", i, t->part, rc);
        const pam_issue *p = expect(t->sev, t->code, t->field, t->rep, t->part);
        cr_assert_str_eq(p->where.seg_id, "PID", "case %zu", i);
        cr_assert_eq(p->where.seg_seq, 1, "case %zu", i);
        if (t->comp != ANY)
            cr_assert_eq(p->where.comp, t->comp, "case %zu (%s)", i, t->part);
        cr_assert_eq(pam_issues_errors(&is) > 0, t->rc != 0, "case %zu", i);
    }
}

Test(pam_identity, zfd_issues)
{
    cr_assert_eq(map_cs(UTF8, "ZFD|||||INSI|20240101|XX\r", 0), 0);
    const pam_issue *p = expect(W, 103, 7, 1, "'XX' is not a known identity document");
    cr_assert_str_eq(p->where.seg_id, "ZFD");
    cr_assert_eq(map_cs(UTF8, "ZFD|||||INSI|20240101|AN\r", 0), 0);
    cr_assert_str_eq(expect(W, 102, 7, 1, "not a high-trust")->where.seg_id, "ZFD");
}

Test(pam_identity, issues_overflow_keeps_errors)
{
    buf codes = {0};
    for (int i = 0; i < 20; i++)
        buf_printf(&codes, "%sZZ%02d", i ? "~" : "", i);
    cr_assert_eq(map(32, buf_cstr(&codes), 8, NULL, 0), -1);
    buf_free(&codes);
    cr_assert_eq(is.count, PAM_ISSUES_MAX);
    cr_assert_eq(is.dropped, 6);  /* 20 + 1 (INS) warnings + 1 error, 16 kept */
    cr_assert_eq(pam_issues_errors(&is), 1);
    expect(E, 101, 8, 0, "sex");
}

Test(pam_identity, every_error_reported_at_once)
{
    cr_assert_eq(map(3, NULL, 5, NULL, 7, "2024", 8, "Z", 0), -1);
    expect(E, 101, 3, 0, NULL);
    expect(E, 101, 5, 0, NULL);
    expect(E, 102, 7, 0, NULL);
    expect(E, 103, 8, 0, NULL);
    cr_assert_eq(pam_issues_errors(&is), 4);
}

/* ---- conformance corpus ------------------------------------------------ */

#define CORPUS SOCLE_SOURCE_DIR "/../shared/conformance/pam-fr"

static void load_file(const char *path)
{
    free(file_data);
    file_data = NULL;
    size_t n = 0;
    socle_err err = {0};
    cr_assert_eq(fs_read_file(path, ER7_MAX_BYTES, &file_data, &n, &err), 0, "%s", err.msg);
    er7_free(msg);
    msg = er7_parse(file_data, n, &err);
    cr_assert_not_null(msg, "%s: %s", path, err.msg);
}

static DIR *open_corpus(void)
{
    DIR *dir = opendir(CORPUS);
    if (dir == NULL) {
        cr_log_warn("conformance corpus not found at %s: skipped", CORPUS);
        cr_skip_test("conformance corpus not found at %s: skipped", CORPUS);
    }
    return dir;
}

/* Map the first PID of the corpus file whose name starts with prefix. */
static int map_corpus(const char *prefix)
{
    DIR *dir = open_corpus();
    char path[4096] = "";
    struct dirent *e;
    while (path[0] == '\0' && (e = readdir(dir)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
    }
    closedir(dir);
    cr_assert_neq(path[0], '\0', "no %s* in %s", prefix, CORPUS);
    load_file(path);
    return pam_identity_from_pid(msg, er7_find(msg, "PID", 0), &pi, &is);
}

Test(pam_identity, conformance_every_message)
{
    DIR *dir = open_corpus();
    size_t files = 0, pids = 0, built = 0, warnings = 0;
    buf failed = {0};
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 4 || strcmp(e->d_name + nl - 4, ".hl7") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
        load_file(path);
        files++;
        size_t pid;
        for (size_t i = 0; (pid = er7_find(msg, "PID", i)) != ER7_NONE; i++) {
            pids++;
            if (pam_identity_from_pid(msg, pid, &pi, &is) == 0)
                built++;
            else
                buf_printf(&failed, " %.3s", e->d_name);
            warnings += is.count - pam_issues_errors(&is);
        }
    }
    closedir(dir);
    cr_log_info("conformance: %zu files, %zu PIDs, %zu identities built, %zu warnings",
                files, pids, built, warnings);
    cr_assert_gt(files, 0, "no .hl7 file in %s", CORPUS);
    /* Every PID of the corpus carries a usable identity. */
    cr_assert_eq(built, pids, "not built:%s", buf_cstr(&failed));
    buf_free(&failed);
}

/* PAM FR spec A31: a NIA with a bad key (44, expected 33) and a NIR with a
 * good one (260058815400233: 97 - 2600588154002 mod 97 = 33). */
Test(pam_identity, conformance_001_nia_bad_nir_kept)
{
    char why[64];
    cr_assert_eq(ins_check("260058815400233", why, sizeof why), 1, "%s", why);
    cr_assert_eq(map_corpus("001_"), 0);
    expect(W, 102, 3, 2, "INS key is 44, expected 33");
    assert_issues(1);
    cr_assert_str_eq(pi.input.ins, "260058815400233");
    cr_assert_str_eq(pi.input.ins_oid, INS_OID_NIR);
    cr_assert_eq(pi.input.insi_verified, 1);
    cr_assert_str_eq(pi.input.ipp, "1900068");
    cr_assert_str_eq(pi.domain_finess, "350000121");
    cr_assert_str_eq(pi.input.domain_oid, "");
    cr_assert_str_eq(pi.input.traits.birth_name, "DARK");
    cr_assert_str_eq(pi.input.traits.first_forename, "JEANNE");
    cr_assert_str_eq(pi.input.traits.forenames, "JEANNE MARIE CECILE");
    cr_assert_str_eq(pi.input.traits.used_name, "");
    cr_assert_str_eq(pi.input.traits.used_forename, "MARIE-CECILE");
    cr_assert_str_eq(pi.input.traits.birth_date, "1960-05-30");
    cr_assert_str_eq(pi.input.traits.birth_place, "88154");
    cr_assert_str_eq(pi.input.proof_type, "SRC");  /* no ZFD */
}

/* PAM FR spec A47 deleting the INS: PID-3 INS `""`, status still VALI. */
Test(pam_identity, conformance_003_ins_delete)
{
    cr_assert_eq(map_corpus("003_"), 0);
    assert_issues(0);
    cr_assert_eq(pi.ins_delete, 1);
    cr_assert_str_eq(pi.input.ins, "");
    cr_assert_eq(pi.input.insi_verified, 0);
    cr_assert_str_eq(pi.status, "VALI");
}

/* ANS DMP example: IPP authority by FINESS, INS under the test OID. */
Test(pam_identity, conformance_005_finess_and_test_oid)
{
    cr_assert_eq(map_corpus("005_"), 0);
    cr_assert_str_eq(pi.domain_finess, "000897406");
    cr_assert_str_eq(pi.domain_name, "CHU-X");
    cr_assert_str_eq(pi.input.domain_oid, "");
    cr_assert_str_eq(pi.input.ipp, "000003");
    expect(W, 102, 3, 2, "test OID");
    assert_issues(1);
    cr_assert_str_eq(pi.input.ins, "");
    cr_assert_eq(pi.input.insi_verified, 0);
    cr_assert_str_eq(pi.input.traits.birth_name, "PAT-TROIS");
    cr_assert_str_eq(pi.input.traits.birth_place, "63220");
    cr_assert_str_eq(pi.input.contact.address, "28 Av de Breteuil");
    cr_assert_str_eq(pi.input.contact.postal_code, "75007");
    cr_assert_str_eq(pi.status, "VALI");
    cr_assert_str_eq(pi.input.proof_type, "SRC");  /* ZFD-7 empty */
}

Test(pam_identity, conformance_018_prov)
{
    cr_assert_eq(map_corpus("018_"), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.status, "PROV");
    cr_assert_str_eq(pi.input.ins, "");
    cr_assert_str_eq(pi.ins_refused, "", "no INS sent, nothing refused");
    cr_assert_str_eq(pi.input.proof_type, "");
    cr_assert_str_eq(pi.input.domain_oid, "1.2.250.1.211.10.200.2");
    cr_assert_str_eq(pi.input.traits.used_name, "BUPABARPON");
    cr_assert_str_eq(pi.input.traits.birth_place, "21231");
    cr_assert_eq(pi.input.attributes_known, ALL_ATTRS);
}

/* A billing NIR (NH) under the INS-NIR OID, 10 digits: not an INS, no word. */
Test(pam_identity, conformance_033_nh_only)
{
    cr_assert_eq(map_corpus("033_"), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.ins, "");
    cr_assert_str_eq(pi.input.proof_type, "PA");
}

/* 547839633619104 with VALI: the first digit fails before the key does. */
Test(pam_identity, conformance_038_bad_ins)
{
    cr_assert_eq(map_corpus("038_"), 0);
    expect(W, 102, 3, 2, "INS sex digit is 5");
    assert_issues(1);
    cr_assert_str_eq(pi.input.ins, "");
    cr_assert(strstr(pi.ins_refused, "INS sex digit is 5") != NULL,
              "the refusal is kept for a quality alert: '%s'", pi.ins_refused);
    cr_assert_str_eq(pi.input.ipp, "900018127444");
    cr_assert_str_eq(pi.input.traits.forenames, "PRENOM ALDE-BERT BERT");
    cr_assert_str_eq(pi.input.proof_type, "PA");
}

/* Latin-1 message. Its one non-ASCII byte (0xEB) is in NK1, not in the PID:
 * the PID maps cleanly in the declared set; PID-13 e-mail and XTN-12 phone
 * come out. (Latin-1 names: latin1_decoded_to_utf8.) */
Test(pam_identity, conformance_045_latin1)
{
    cr_assert_eq(map_corpus("045_"), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.traits.birth_name, "JOSSE");
    cr_assert_str_eq(pi.input.traits.forenames, "LENA LUCY");
    cr_assert_str_eq(pi.input.contact.email, "Solene@outlook.fr");
    cr_assert_str_eq(pi.input.contact.phone, "0576977251");
    cr_assert_str_eq(pi.input.proof_type, "CN");
    cr_assert_str_eq(pi.input.ins, "");  /* NH and MR only */
}

/* Six identifiers: IPP, INS-NIR, the NIR again as NH, two Doctolib ids,
 * an INS-C. */
Test(pam_identity, conformance_135_multi_ids)
{
    cr_assert_eq(map_corpus("135_"), 0);
    assert_issues(0);
    cr_assert_str_eq(pi.input.ipp, "000059236179");
    cr_assert_str_eq(pi.input.ins, "296032116623634");
    cr_assert_str_eq(pi.input.ins_oid, INS_OID_NIR);
    cr_assert_eq(pi.input.insi_verified, 1);
    cr_assert_str_eq(pi.input.proof_type, "CN");
    cr_assert_str_eq(pi.input.traits.birth_name, "DALLA VALLE");
    cr_assert_str_eq(pi.input.traits.birth_place, "21166");
    cr_assert_str_eq(pi.input.contact.address, "58 Rue Du Test, TEST MODIF");
    cr_assert_str_eq(pi.input.contact.phone, "0666111111");
}
