/*
 * pam_identity.c - PID (and ZFD) of a PAM FR message -> identity_input.
 *
 * The rule of thumb throughout: refuse (error) what would put a wrong
 * strict trait or a wrong key in the repository, set aside with a warning
 * what the sender got wrong in a part we can do without (an INS, a code),
 * and accept silently what deviates from the letter of PAM FR but whose
 * meaning is clear. Each choice is noted where it is made.
 *
 * Issue texts name fields and quote codes (sex, OIDs, table values) but
 * never the patient's traits: they end up in ACKs and logs.
 */
#include "hl7/pam_identity.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ins.h"
#include "core/rniv.h"
#include "hl7/er7_text.h"
#include "hl7/pam_internal.h"
#include "util/buf.h"

/* ---- issues ------------------------------------------------------------ */

er7_loc pam_at(const ctx *c, size_t field, size_t rep, size_t comp, size_t sub)
{
    return er7_location(c->m, c->pid, field, rep, comp, sub);
}

/* Errors never get lost: when the list is full, an error evicts the
 * latest warning, anything else is only counted. */
void pam_report(ctx *c, pam_issue_severity sev, int code, er7_loc where,
                  const char *fmt, ...)
{
    pam_issues *is = c->issues;
    pam_issue *slot = NULL;
    if (is->count < PAM_ISSUES_MAX)
        slot = &is->items[is->count++];
    else
        is->dropped++;
    for (size_t i = is->count; sev == PAM_ISSUE_ERROR && slot == NULL && i-- > 0;) {
        if (is->items[i].severity == PAM_ISSUE_WARNING)
            slot = &is->items[i];
    }
    if (slot == NULL)
        return;
    slot->severity = sev;
    slot->hl7_code = code;
    slot->where = where;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(slot->text, sizeof slot->text, fmt, ap);
    va_end(ap);
}

size_t pam_issues_errors(const pam_issues *issues)
{
    size_t n = 0;
    for (size_t i = 0; issues != NULL && i < issues->count; i++)
        n += issues->items[i].severity == PAM_ISSUE_ERROR;
    return n;
}

/* ---- values ------------------------------------------------------------ */

er7_slice pam_get(const ctx *c, size_t field, size_t rep, size_t comp, size_t sub)
{
    return er7_get(c->m, c->pid, field, rep, comp, sub);
}

/* No information: empty, or the HL7 null where erasing means the same as
 * not sending (the identity is sent whole each time, so an absent value
 * and an erased one both leave the field empty). */
int pam_blank(er7_slice s)
{
    return s.len == 0 || er7_is_null(s);
}

int pam_same(er7_slice a, er7_slice b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* A code from the message, fit to be quoted in an issue text: quoted
 * printable ASCII of at most 20 characters, else a description. */
const char *pam_code_text(er7_slice s, char out[32])
{
    int printable = s.len <= 20;
    for (size_t i = 0; printable && i < s.len; i++)
        printable = s.ptr[i] >= 0x20 && s.ptr[i] <= 0x7e;
    if (s.len == 0)
        snprintf(out, 32, "(empty)");
    else if (printable)
        snprintf(out, 32, "'%.*s'", (int)s.len, s.ptr);
    else
        snprintf(out, 32, "a %zu-byte value", s.len);
    return out;
}

/* Decode raw (escapes resolved, MSH-18 charset -> UTF-8) into dst of size n.
 * Blank reads as "". Invalid bytes, and text longer than the model's field,
 * are reported with severity sev and code 102 at where, and leave dst empty:
 * a value is never silently altered nor truncated. */
int pam_decode(ctx *c, pam_issue_severity sev, er7_slice raw, er7_loc where,
                  const char *what, char *dst, size_t n)
{
    dst[0] = '\0';
    if (pam_blank(raw))
        return 0;
    socle_err err = {0};
    buf_reset(&c->tmp);
    if (er7_unescape(c->d, c->cs, raw, &c->tmp, &err) != 0) {
        pam_report(c, sev, HL7_DATA_TYPE, where, "%s: %s", what, err.msg);
        return -1;
    }
    if (c->tmp.len >= n) {
        pam_report(c, sev, HL7_DATA_TYPE, where, "%s is %zu bytes long, more than the %zu "
              "it may hold", what, c->tmp.len, n - 1);
        return -1;
    }
    memcpy(dst, buf_cstr(&c->tmp), c->tmp.len + 1);
    return 0;
}

/* The text of one component of a primitive type (ST, IS, ID). It has no
 * subcomponents: a raw subcomponent separator in it is a sender's failure to
 * escape '&' as \T\, and reading either half alone would change the value, so
 * it is refused. */
int pam_component(ctx *c, size_t field, size_t rep, size_t comp,
                     const char *what, char *dst, size_t n)
{
    er7_slice raw = pam_get(c, field, rep, comp, 0);
    er7_loc where = pam_at(c, field, rep, comp, 0);
    dst[0] = '\0';
    if (memchr(raw.ptr, c->d->subcomponent, raw.len) != NULL) {
        fail(c, HL7_DATA_TYPE, where, "%s holds a subcomponent separator (an unescaped '%c')",
             what, c->d->subcomponent);
        return -1;
    }
    return pam_decode(c, PAM_ISSUE_ERROR, raw, where, what, dst, n);
}

int pam_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Dotted decimal OID: at least two arcs of digits, single dots. */
int pam_is_oid(const char *s)
{
    size_t arcs = 0, digits = 0;
    for (; *s != '\0'; s++) {
        if (pam_is_digit(*s))
            digits++;
        else if (*s == '.' && digits > 0)
            arcs++, digits = 0;
        else
            return 0;
    }
    return digits > 0 && arcs >= 1;
}

/* len digits, the first two possibly Corsica's 2A/2B: the shape of a FINESS
 * (9) and of an INSEE COG (5; 99xxx abroad, 99999 unknown), which both start
 * with the department. The FINESS check digit is not verified: its rule is
 * unconfirmed (STANDARDS §5), and the caller looks the number up among the
 * EJs it knows anyway. */
int pam_is_code(const char *s, size_t len)
{
    if (strlen(s) != len)
        return 0;
    size_t i = s[0] == '2' && (s[1] == 'A' || s[1] == 'B') ? 2 : 0;
    while (i < len && pam_is_digit(s[i]))
        i++;
    return i == len;
}

/* ---- PID-32 and ZFD-7: status, attributes, proof ------------------------ */

enum { VALI = 1, PROV = 2, VIDE = 4 };

/* Table 0445 FR. The management codes (DOUB DESA DPOT DOUA COLP COLV FILI
 * CACH ANOM IDVER RECD IDRA USUR HOMD INVA: duplicates, hidden patient,
 * anomaly...) are the sender's business, not RNIV attributes: known, so
 * not warned about, and otherwise ignored (status and attribute 0). */
static const struct {
    const char *code;
    int status;
    unsigned attribute;
} reliability_codes[] = {
    { "VALI", VALI, 0 }, { "PROV", PROV, 0 }, { "VIDE", VIDE, 0 },
    { "DOUT", 0, RNIV_ATTR_DOUBTFUL },
    { "FICT", 0, RNIV_ATTR_FICTITIOUS },
    { "HOMA", 0, RNIV_ATTR_HOMONYM },
    { "DOUB", 0, 0 }, { "DESA", 0, 0 }, { "DPOT", 0, 0 }, { "DOUA", 0, 0 },
    { "COLP", 0, 0 }, { "COLV", 0, 0 }, { "FILI", 0, 0 }, { "CACH", 0, 0 },
    { "ANOM", 0, 0 }, { "IDVER", 0, 0 }, { "RECD", 0, 0 }, { "IDRA", 0, 0 },
    { "USUR", 0, 0 }, { "HOMD", 0, 0 }, { "INVA", 0, 0 },
};

static void map_reliability(ctx *c)
{
    identity_input *in = &c->out->input;
    /* PID-32 lists the whole current state: when it is sent (even as
     * `""`), an attribute it does not list is one the patient no longer
     * has. When it is absent the sender said nothing: attributes_known
     * stays 0 and the stored ones are kept. */
    if (er7_field(c->m, c->pid, 32).len == 0)
        return;
    in->attributes_known = RNIV_ATTR_DOUBTFUL | RNIV_ATTR_FICTITIOUS | RNIV_ATTR_HOMONYM;

    int status = 0;
    size_t reps = er7_count(c->m, c->pid, 32, 0, 0);
    for (size_t r = 1; r <= reps; r++) {
        er7_slice code = pam_get(c, 32, r, 1, 0);
        size_t i = 0, n = sizeof reliability_codes / sizeof reliability_codes[0];
        while (i < n && !er7_slice_eq(code, reliability_codes[i].code))
            i++;
        if (i < n) {
            status |= reliability_codes[i].status;
            in->attributes |= reliability_codes[i].attribute;
        } else if (!pam_blank(code)) {
            char q[32];
            warn(c, HL7_TABLE_VALUE, pam_at(c, 32, r, 1, 0),
                 "PID-32: %s is not in table 0445 FR; ignored", pam_code_text(code, q));
        }
    }
    /* Doubtful together with fictitious is forbidden by RNIV; it is passed
     * on as sent and refused by core/, which owns that rule. */

    /* VALI next to PROV or VIDE contradicts itself. Believing the weaker
     * status costs a later re-validation; believing VALI could qualify an
     * identity nobody checked. */
    if ((status & VALI) && (status & (PROV | VIDE))) {
        warn(c, HL7_DATA_TYPE, pam_at(c, 32, 0, 0, 0),
             "PID-32 lists VALI together with %s; the weaker status is kept",
             status & PROV ? "PROV" : "VIDE");
        status &= ~VALI;
    }
    c->vali = (status & VALI) != 0;
    const char *code = status & VALI ? "VALI" : status & PROV ? "PROV"
                     : status & VIDE ? "VIDE" : "";
    memcpy(c->out->status, code, strlen(code) + 1);
}

/* The ZFD of this patient: after its PID, before the next PID (A40 and
 * other multi-patient messages repeat the group). */
static size_t patient_zfd(const ctx *c)
{
    for (size_t s = c->pid + 1; s < er7_segment_count(c->m); s++) {
        if (er7_segment_is(c->m, s, "PID"))
            break;
        if (er7_segment_is(c->m, s, "ZFD"))
            return s;
    }
    return ER7_NONE;
}

/* VALI says the sending desk checked a high-trust document. ZFD-7 names it
 * when the sender bothers; otherwise "SRC" records that the establishment
 * validated without saying with what. Without VALI, a ZFD-7 document is not
 * recorded: the sender itself did not consider the identity validated. */
static void map_proof(ctx *c)
{
    identity_input *in = &c->out->input;
    if (!c->vali)
        return;
    memcpy(in->proof_type, "SRC", 4);
    size_t zfd = patient_zfd(c);
    er7_slice code = zfd == ER7_NONE ? (er7_slice){"", 0} : er7_get(c->m, zfd, 7, 1, 1, 0);
    if (pam_blank(code))
        return;
    er7_loc where = er7_location(c->m, zfd, 7, 1, 1, 0);
    char q[32];
    /* Case is not significant for these codes (rniv_proof_known ignores
     * it); the stored code is the canonical upper-case one. */
    char doc[sizeof in->proof_type] = "";
    for (size_t i = 0; code.len < sizeof doc && i < code.len; i++) {
        char ch = code.ptr[i];
        doc[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    if (!rniv_proof_known(doc)) {
        warn(c, HL7_TABLE_VALUE, where, "ZFD-7: %s is not a known identity document; "
             "recorded as validated by the sender (SRC)", pam_code_text(code, q));
        return;
    }
    memcpy(in->proof_type, doc, sizeof doc);
    /* A low-trust document cannot validate an identity (RNIV). It is
     * recorded as sent; core/ will then not raise the status, and the
     * sender is told why. */
    if (!rniv_proof_high_trust(doc))
        warn(c, HL7_DATA_TYPE, where, "ZFD-7: %s is not a high-trust document although "
             "PID-32 says VALI; the identity is not validated by this message",
             pam_code_text(code, q));
}

/* ---- PID-5: names ---------------------------------------------------- */

/* The family name of an XPN: FN.1 (surname). PAM FR uses no other part of
 * FN (prefixes, spouse's name); one that is filled cannot be placed in the
 * model and is refused rather than dropped. */
static int family_name(ctx *c, size_t rep, const char *what, er7_slice *out)
{
    size_t subs = er7_count(c->m, c->pid, 5, rep, 1);
    for (size_t s = 2; s <= subs; s++) {
        if (pam_get(c, 5, rep, 1, s).len != 0) {
            fail(c, HL7_DATA_TYPE, pam_at(c, 5, rep, 1, s),
                 "%s: FN.%zu is filled; only FN.1 (surname) can be taken", what, s);
            return -1;
        }
    }
    *out = pam_get(c, 5, rep, 1, 1);
    return 0;
}

static void map_birth_name(ctx *c, size_t rep)
{
    identity_traits *t = &c->out->input.traits;
    er7_slice family;
    if (family_name(c, rep, "PID-5.1 birth name", &family) == 0) {
        if (pam_blank(family))
            fail(c, HL7_REQUIRED, pam_at(c, 5, rep, 1, 0),
                 "PID-5.1: the birth name (XPN-7 L) is missing");
        else
            pam_decode(c, PAM_ISSUE_ERROR, family, pam_at(c, 5, rep, 1, 1),
                   "PID-5.1 birth name", t->birth_name, sizeof t->birth_name);
    }

    /* RNIV writes SANSPRENOM when there is none, so an empty first
     * forename is missing data, not an absence to record. */
    if (pam_blank(pam_get(c, 5, rep, 2, 0))) {
        fail(c, HL7_REQUIRED, pam_at(c, 5, rep, 2, 0),
             "PID-5.2: the first forename (XPN-7 L) is missing");
        return;
    }
    if (pam_component(c, 5, rep, 2, "PID-5.2 first forename", t->first_forename,
                  sizeof t->first_forename) != 0)
        return;

    /* PAM FR wants every birth forename in XPN-3. Senders with a single
     * forename often leave it empty: the list is then that forename. */
    if (pam_blank(pam_get(c, 5, rep, 3, 0))) {
        memcpy(t->forenames, t->first_forename, strlen(t->first_forename) + 1);
        return;
    }
    if (pam_component(c, 5, rep, 3, "PID-5.3 forename list", t->forenames,
                  sizeof t->forenames) != 0)
        return;

    /* RNIV: the first forename starts the list. Real traffic breaks this;
     * nothing is adjusted here (which forename is right is for the
     * identity cell to say). The sender is warned at the field, and core/,
     * which owns the rule, refuses the traits; the caller reports that. The
     * comparison is the core's: normalised, on a word boundary. */
    char first[SOCLE_GIVEN_MAX * 4], list[SOCLE_GIVENS_MAX * 4];
    if (rniv_normalize_name(t->first_forename, first, sizeof first) == 0
        && rniv_normalize_name(t->forenames, list, sizeof list) == 0) {
        size_t fl = strlen(first);
        if (strncmp(list, first, fl) != 0 || (list[fl] != '\0' && list[fl] != ' '))
            warn(c, HL7_DATA_TYPE, pam_at(c, 5, rep, 3, 0), "PID-5.3: the forename list does "
                 "not start with the first forename (PID-5.2), as RNIV requires");
    }
}

static void map_used_name(ctx *c, size_t rep)
{
    identity_traits *t = &c->out->input.traits;
    er7_slice family;
    if (family_name(c, rep, "PID-5.1 used name", &family) == 0) {
        if (er7_is_null(family))
            c->out->used_name_erased = 1;
        else
            pam_decode(c, PAM_ISSUE_ERROR, family, pam_at(c, 5, rep, 1, 1),
                   "PID-5.1 used name", t->used_name, sizeof t->used_name);
    }
    pam_component(c, 5, rep, 2, "PID-5.2 used forename", t->used_forename,
              sizeof t->used_forename);
}

static void map_names(ctx *c)
{
    size_t birth = 0, used = 0;
    size_t reps = er7_count(c->m, c->pid, 5, 0, 0);
    for (size_t r = 1; r <= reps; r++) {
        if (pam_get(c, 5, r, 0, 0).len == 0)
            continue;
        er7_slice type = pam_get(c, 5, r, 7, 0);
        int is_birth = er7_slice_eq(type, "L");
        if (!is_birth && !er7_slice_eq(type, "D")) {
            char q[32];
            /* S pseudonym, U unspecified: not traits of the identity. */
            if (!er7_slice_eq(type, "S") && !er7_slice_eq(type, "U"))
                warn(c, HL7_TABLE_VALUE, pam_at(c, 5, r, 7, 0), "PID-5: name type %s is "
                     "not allowed by PAM FR (L, D, S, U); ignored", pam_code_text(type, q));
            continue;
        }
        size_t *slot = is_birth ? &birth : &used;
        if (*slot == 0) {
            *slot = r;
        } else if (!pam_same(pam_get(c, 5, r, 0, 0), pam_get(c, 5, *slot, 0, 0))) {
            /* A resend of the same name is harmless; two different ones
             * leave no way to tell which is right but the order. */
            warn(c, HL7_DATA_TYPE, pam_at(c, 5, r, 0, 0),
                 "PID-5: a second, different %s; the first one (repetition %zu) is kept",
                 is_birth ? "birth name (L)" : "used name (D)", *slot);
        }
    }
    if (birth == 0)
        fail(c, HL7_REQUIRED, pam_at(c, 5, 0, 0, 0), "PID-5: no birth name (XPN-7 L)");
    else
        map_birth_name(c, birth);
    if (used != 0)
        map_used_name(c, used);
}

/* ---- PID-7 and PID-8 ------------------------------------------------- */

/* HL7 TS: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]. The birth date
 * needs at least the day: RNIV has the desk write 01 for an unknown day or
 * month, so a sender that cuts the precision did not follow it, and guessing
 * the day here would forge a strict trait. The time, if any, is dropped (the
 * model holds a date). 0 ok, -1 malformed, -2 no such day. */
static int ts_date(er7_slice ts, char out[SOCLE_DATE_MAX])
{
    size_t n = 0, i, f = 0, z = 0;
    while (n < ts.len && pam_is_digit(ts.ptr[n]))
        n++;
    if (n != 8 && n != 10 && n != 12 && n != 14)
        return -1;
    i = n;
    if (i < ts.len && ts.ptr[i] == '.') {
        while (++i < ts.len && pam_is_digit(ts.ptr[i]))
            f++;
        if (n != 14 || f < 1 || f > 4)
            return -1;
    }
    if (i < ts.len && (ts.ptr[i] == '+' || ts.ptr[i] == '-')) {
        while (++i < ts.len && pam_is_digit(ts.ptr[i]))
            z++;
        if (z != 4)
            return -1;
    }
    if (i != ts.len)
        return -1;

    const char *p = ts.ptr;
    int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    int m = (p[4] - '0') * 10 + (p[5] - '0');
    int d = (p[6] - '0') * 10 + (p[7] - '0');
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap))
        return -2;
    snprintf(out, SOCLE_DATE_MAX, "%.4s-%.2s-%.2s", p, p + 4, p + 6);
    return 0;
}

static void map_birth_date(ctx *c)
{
    er7_slice ts = pam_get(c, 7, 1, 1, 0);
    er7_loc where = pam_at(c, 7, 0, 0, 0);
    int rc = pam_blank(ts) ? 1 : ts_date(ts, c->out->input.traits.birth_date);
    c->date_ok = rc == 0;
    if (rc == 1)
        fail(c, HL7_REQUIRED, where, "PID-7: the birth date is missing");
    else if (rc == -1)
        fail(c, HL7_DATA_TYPE, where, "PID-7: the birth date is not an HL7 TS precise "
             "to the day (YYYYMMDD[HHMM[SS[.S]]][+ZZZZ])");
    else if (rc == -2)
        fail(c, HL7_DATA_TYPE, where, "PID-7: the birth date is not a real date");
}

static void map_sex(ctx *c)
{
    er7_slice s = pam_get(c, 8, 1, 1, 0);
    er7_loc where = pam_at(c, 8, 0, 0, 0);
    char q[32], ch = s.len == 1 ? s.ptr[0] : '\0';
    if (pam_blank(s)) {
        fail(c, HL7_REQUIRED, where, "PID-8: the sex is missing");
    } else if (ch == 'F' || ch == 'M' || ch == 'U') {
        c->out->input.traits.sex = ch;
        c->sex_ok = 1;
    } else if (ch == 'O' || ch == 'A' || ch == 'N') {
        /* Other, ambiguous, not applicable: HL7 codes PAM FR 2.11 dropped.
         * Each says "neither F nor M", which is what U records. */
        c->out->input.traits.sex = 'U';
        c->sex_ok = 1;
        warn(c, HL7_TABLE_VALUE, where, "PID-8: %s is not in PAM FR 2.11 (F, M, U); "
             "read as U", pam_code_text(s, q));
    } else {
        fail(c, HL7_TABLE_VALUE, where, "PID-8: %s is not F, M or U", pam_code_text(s, q));
    }
}

/* ---- PID-11 and PID-13: birth place and contact ------------------------ */

static void map_home(ctx *c, size_t rep)
{
    identity_contact *k = &c->out->input.contact;
    /* XAD-1 is an SAD: SAD.1 is the street line as written; SAD.2 (street
     * name) and SAD.3 (number) only split that same line again. XAD-2 is
     * the complement ("bâtiment B"), joined after a comma. */
    char street[SOCLE_LABEL_MAX], other[SOCLE_LABEL_MAX];
    if (pam_decode(c, PAM_ISSUE_ERROR, pam_get(c, 11, rep, 1, 1), pam_at(c, 11, rep, 1, 1),
               "PID-11.1 street address", street, sizeof street) == 0
        && pam_component(c, 11, rep, 2, "PID-11.2 other designation", other,
                     sizeof other) == 0) {
        int n = snprintf(k->address, sizeof k->address, "%s%s%s", street,
                         street[0] && other[0] ? ", " : "", other);
        if (n < 0 || (size_t)n >= sizeof k->address) {
            k->address[0] = '\0';
            fail(c, HL7_DATA_TYPE, pam_at(c, 11, rep, 1, 0), "PID-11.1-2 address is %d bytes "
                 "long, more than the %zu it may hold", n, sizeof k->address - 1);
        }
    }
    pam_component(c, 11, rep, 3, "PID-11.3 city", k->city, sizeof k->city);
    pam_component(c, 11, rep, 5, "PID-11.5 postal code", k->postal_code,
              sizeof k->postal_code);
    pam_component(c, 11, rep, 6, "PID-11.6 country", k->country, sizeof k->country);
}

static void map_addresses(ctx *c)
{
    size_t birth = 0, home = 0, untyped = 0;
    size_t reps = er7_count(c->m, c->pid, 11, 0, 0);
    for (size_t r = 1; r <= reps; r++) {
        if (pam_get(c, 11, r, 0, 0).len == 0)
            continue;
        /* Other types (C temporary, O office, M mailing...) are not the
         * home address the model holds. */
        er7_slice type = pam_get(c, 11, r, 7, 0);
        if (er7_slice_eq(type, "BDL") && birth == 0)
            birth = r;
        else if (er7_slice_eq(type, "H") && home == 0)
            home = r;
        else if (type.len == 0 && untyped == 0)
            untyped = r;
    }
    c->bdl_rep = birth;

    /* The birth place is the INSEE code of XAD-9 only. XAD-3 and XAD-4 may
     * hold the town's name or code too, but without a reliable marker of
     * which; a strict trait is not guessed. An empty XAD-9 matters only
     * with an INS (see choose_ins). */
    char *cog = c->out->input.traits.birth_place;
    if (birth != 0
        && pam_component(c, 11, birth, 9, "PID-11.9 birth place", cog, SOCLE_COG_MAX) == 0
        && cog[0] != '\0' && !pam_is_code(cog, 5)) {
        cog[0] = '\0';
        fail(c, HL7_DATA_TYPE, pam_at(c, 11, birth, 9, 0), "PID-11.9: the birth place is "
             "not an INSEE code (5 digits, or 2A/2B and 3 digits)");
    }
    /* PAM FR types the home address H; older senders leave it untyped. */
    if (home != 0 || untyped != 0)
        map_home(c, home != 0 ? home : untyped);
}

static void map_telecom(ctx *c)
{
    identity_contact *k = &c->out->input.contact;
    int phone = 0, email = 0;
    size_t reps = er7_count(c->m, c->pid, 13, 0, 0);
    for (size_t r = 1; r <= reps; r++) {
        /* E-mail: XTN-2 NET, XTN-4. Some senders type only the equipment
         * (XTN-3 Internet): the meaning is the same. */
        if (er7_slice_eq(pam_get(c, 13, r, 2, 0), "NET")
            || er7_slice_eq(pam_get(c, 13, r, 3, 0), "Internet")) {
            if (!email && !pam_blank(pam_get(c, 13, r, 4, 0))) {
                email = 1;
                pam_component(c, 13, r, 4, "PID-13.4 e-mail address", k->email,
                          sizeof k->email);
            }
            continue;
        }
        /* Phone: XTN-1 (deprecated, still sent), else XTN-12, the
         * unformatted number PAM FR uses. The split form (XTN-5..7) is not
         * read: no sender in sight uses it. */
        size_t comp = !pam_blank(pam_get(c, 13, r, 1, 0)) ? 1 : !pam_blank(pam_get(c, 13, r, 12, 0)) ? 12 : 0;
        if (!phone && comp != 0) {
            phone = 1;
            pam_component(c, 13, r, comp, comp == 1 ? "PID-13.1 phone number"
                                                : "PID-13.12 phone number",
                      k->phone, sizeof k->phone);
        }
    }
}

/* ---- entry point ------------------------------------------------------- */

/* Reset the outputs and check what every mapping needs; -1 with the
 * error reported when the PID cannot be read at all. */
static int start(ctx *c, const er7_message *m, size_t pid_seg, pam_identity *out,
                 pam_issues *issues)
{
    memset(out, 0, sizeof *out);
    memset(issues, 0, sizeof *issues);
    memset(c, 0, sizeof *c);
    c->m = m;
    c->pid = pid_seg;
    c->out = out;
    c->issues = issues;

    if (m == NULL) {
        fail(c, HL7_SEGMENT_SEQUENCE, (er7_loc){{0}, 0, 0, 0, 0, 0}, "no message");
        return -1;
    }
    if (pid_seg >= er7_segment_count(m) || !er7_segment_is(m, pid_seg, "PID")) {
        fail(c, HL7_SEGMENT_SEQUENCE, er7_location(m, pid_seg, 0, 0, 0, 0),
             "segment %zu is not a PID", pid_seg + 1);
        return -1;
    }
    c->d = er7_delimiters(m);

    /* Nothing can be decoded without knowing what the bytes mean. */
    socle_err err = {0};
    if (er7_message_charset(m, &c->cs, &err) != 0) {
        fail(c, HL7_TABLE_VALUE, er7_location(m, 0, 18, 1, 0, 0), "MSH-18: %s", err.msg);
        return -1;
    }
    return 0;
}

int pam_identity_from_pid(const er7_message *m, size_t pid_seg,
                          pam_identity *out, pam_issues *issues)
{
    ctx c;
    if (start(&c, m, pid_seg, out, issues) != 0)
        return -1;

    /* Order matters: the INS is judged with PID-32 and the traits. */
    map_reliability(&c);
    map_proof(&c);
    map_names(&c);
    map_birth_date(&c);
    map_sex(&c);
    map_addresses(&c);
    map_telecom(&c);
    pam_map_ids(&c);

    buf_free(&c.tmp);
    return pam_issues_errors(issues) > 0 ? -1 : 0;
}

int pam_identity_ipp_from_pid(const er7_message *m, size_t pid_seg,
                              pam_identity *out, pam_issues *issues)
{
    ctx c;
    if (start(&c, m, pid_seg, out, issues) != 0)
        return -1;
    pam_map_ids(&c);
    buf_free(&c.tmp);
    /* Without the traits an INS cannot be judged: it is not this
     * function's business, and nothing it says is kept. */
    out->input.ins[0] = '\0';
    out->input.ins_oid[0] = '\0';
    out->ins_refused[0] = '\0';
    size_t kept = 0;
    for (size_t i = 0; i < issues->count; i++)
        if (issues->items[i].severity == PAM_ISSUE_ERROR)
            issues->items[kept++] = issues->items[i];
    issues->count = kept;
    return kept > 0 ? -1 : 0;
}
