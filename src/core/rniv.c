/*
 * rniv.c - the national identity-vigilance rules (RNIV) as pure functions.
 *
 * Every transition works on a copy of the identity and assigns it back only
 * once all checks passed, so a refused transition leaves nothing half done.
 * Status is always recomputed from the two verifications (INSi, high-trust
 * document) rather than set, which keeps "status matches the verifications"
 * true by construction.
 */
#include "core/rniv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <utf8proc.h>

#include "core/ins.h"

/* ---- Status and attributes ------------------------------------------- */

const char *rniv_status_code(rniv_status s)
{
    switch (s) {
    case RNIV_PROV:  return "PROV";
    case RNIV_RECUP: return "RECUP";
    case RNIV_VALI:  return "VALI";
    case RNIV_QUAL:  return "QUAL";
    }
    return "?";
}

const char *rniv_status_label_fr(rniv_status s)
{
    switch (s) {
    case RNIV_PROV:  return "Provisoire";
    case RNIV_RECUP: return "Récupérée";
    case RNIV_VALI:  return "Validée";
    case RNIV_QUAL:  return "Qualifiée";
    }
    return "?";
}

int rniv_status_parse(const char *code, rniv_status *out)
{
    static const rniv_status all[] = { RNIV_PROV, RNIV_RECUP, RNIV_VALI, RNIV_QUAL };
    if (code == NULL)
        return -1;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcasecmp(code, rniv_status_code(all[i])) == 0) {
            if (out != NULL)
                *out = all[i];
            return 0;
        }
    }
    return -1;
}

rniv_status rniv_status_from(int insi_verified, int high_trust_proof)
{
    if (insi_verified)
        return high_trust_proof ? RNIV_QUAL : RNIV_RECUP;
    return high_trust_proof ? RNIV_VALI : RNIV_PROV;
}

static const struct {
    unsigned bit;
    const char *name;  /* as returned by rniv_attribute_name */
    const char *pam;   /* PAM FR PID-32 code */
} attributes[] = {
    { RNIV_ATTR_DOUBTFUL,   "douteuse", "DOUT" },
    { RNIV_ATTR_FICTITIOUS, "fictive",  "FICT" },
    { RNIV_ATTR_HOMONYM,    "homonyme", "HOMA" },
};

#define RNIV_ATTR_ALL (RNIV_ATTR_DOUBTFUL | RNIV_ATTR_FICTITIOUS | RNIV_ATTR_HOMONYM)

unsigned rniv_attribute_parse(const char *name)
{
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < sizeof attributes / sizeof attributes[0]; i++) {
        if (strcasecmp(name, attributes[i].name) == 0
            || strcasecmp(name, attributes[i].pam) == 0)
            return attributes[i].bit;
    }
    return 0;
}

const char *rniv_attribute_name(unsigned attr)
{
    for (size_t i = 0; i < sizeof attributes / sizeof attributes[0]; i++) {
        if (attr == attributes[i].bit)
            return attributes[i].name;
    }
    return "?";
}

/* ---- Identity documents ---------------------------------------------- */

static const struct {
    const char *code;
    int high_trust;
} proofs[] = {
    { "AN", 0 }, { "CC", 0 }, { "CE", 1 }, { "CM", 0 }, { "CN", 1 },
    { "CS", 1 }, { "LE", 0 }, { "PA", 1 }, { "PC", 0 }, { "TC", 0 },
    /* Validated by the sending establishment's own desk, which says so
     * (PAM PID-32 VALI) without naming the document (no ZFD-7). */
    { "SRC", 1 },
};

/* Index in proofs[], or -1. Codes arrive from forms and HL7 alike, so case
 * is not significant; the canonical upper-case code is what gets stored. */
static int proof_index(const char *code)
{
    if (code == NULL)
        return -1;
    for (size_t i = 0; i < sizeof proofs / sizeof proofs[0]; i++) {
        if (strcasecmp(code, proofs[i].code) == 0)
            return (int)i;
    }
    return -1;
}

int rniv_proof_known(const char *code)
{
    return proof_index(code) >= 0;
}

int rniv_proof_high_trust(const char *code)
{
    int i = proof_index(code);
    return i >= 0 && proofs[i].high_trust;
}

/* ---- Name normalisation ---------------------------------------------- */

/* Applied to each code point before decomposition, so that a typographic
 * apostrophe or an acute accent typed as one is not decomposed into a
 * space and a stripped mark. */
static utf8proc_int32_t pre_map(utf8proc_int32_t cp, void *data)
{
    (void)data;
    switch (cp) {
    case 0x2019:  /* right single quotation mark, the usual typographic one */
    case 0x2018:  /* left single quotation mark */
    case 0x02BC:  /* modifier letter apostrophe */
    case 0x00B4:  /* acute accent typed in place of an apostrophe */
        return '\'';
    case 0x2010:  /* hyphen */
    case 0x2011:  /* non-breaking hyphen */
        return '-';
    }
    return cp;
}

/* Latin letters that neither decompose nor casefold to ASCII; the ones a
 * French registry meets in practice. Casefolding has already run, so only
 * lower-case forms appear here. */
static const char *latin_extra(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x00E6: return "AE";  /* æ */
    case 0x0153: return "OE";  /* œ */
    case 0x00F8: return "O";   /* ø */
    case 0x0111: return "D";   /* đ */
    case 0x00F0: return "D";   /* ð */
    case 0x0142: return "L";   /* ł */
    case 0x0131: return "I";   /* dotless i */
    case 0x0127: return "H";   /* ħ */
    case 0x0167: return "T";   /* ŧ */
    case 0x00FE: return "TH";  /* þ */
    }
    return NULL;
}

/* Normalise len bytes of in into a new NUL-terminated string (*out, to be
 * freed). Returns 0, or -1 for invalid UTF-8 or lack of memory. */
static int normalize_alloc(const char *in, size_t len, char **out)
{
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t mlen = utf8proc_map_custom(
        (const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &mapped,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK
            | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE,
        pre_map, NULL);
    if (mlen < 0)
        return -1;

    /* A code point becomes at most one separating space plus 4 bytes, so
     * 5 bytes per input byte bounds the result without any cleverness. */
    size_t cap = 5 * (size_t)mlen + 1;
    char *res = malloc(cap);
    if (res == NULL) {
        free(mapped);
        return -1;
    }

    size_t o = 0;
    int pending_space = 0;
    utf8proc_ssize_t i = 0;
    while (i < mlen) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(mapped + i, mlen - i, &cp);
        if (step <= 0) {  /* cannot happen on utf8proc's own output */
            free(mapped);
            free(res);
            return -1;
        }
        i += step;

        char ascii[4] = { 0 };
        const char *emit = NULL;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t enc_len = 0;

        if (cp >= 'a' && cp <= 'z') {
            ascii[0] = (char)(cp - 'a' + 'A');
            emit = ascii;
        } else if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                   || cp == '-' || cp == '\'') {
            ascii[0] = (char)cp;
            emit = ascii;
        } else if (cp >= 0x80 && (emit = latin_extra(cp)) == NULL) {
            /* Letters and numbers of other scripts are kept (upper case)
             * rather than lost, so such names still compare meaningfully;
             * the rest (punctuation, symbols, spaces, controls) separates
             * words. */
            switch (utf8proc_category(cp)) {
            case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
            case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
            case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
            case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
                enc_len = utf8proc_encode_char(utf8proc_toupper(cp), enc);
                break;
            default:
                break;
            }
        }

        size_t emit_len = emit != NULL ? strlen(emit) : (size_t)enc_len;
        if (emit_len == 0) {
            pending_space = 1;
            continue;
        }
        /* Spaces are only written between words: collapsed and trimmed. */
        if (pending_space && o > 0)
            res[o++] = ' ';
        pending_space = 0;
        memcpy(res + o, emit != NULL ? (const void *)emit : (const void *)enc,
               emit_len);
        o += emit_len;
    }
    res[o] = '\0';
    free(mapped);
    *out = res;
    return 0;
}

int rniv_normalize_name(const char *in, char *out, size_t n)
{
    if (out != NULL && n > 0)
        out[0] = '\0';
    if (in == NULL || out == NULL)
        return -1;

    char *norm;
    if (normalize_alloc(in, strlen(in), &norm) < 0)
        return -1;
    size_t len = strlen(norm);
    if (len >= n) {
        free(norm);
        return -1;
    }
    memcpy(out, norm, len + 1);
    free(norm);
    return 0;
}

/* Are two names the same once normalised? Invalid UTF-8 falls back to a
 * byte comparison: such text never passes validation anyway. */
static int names_equal(const char *a, const char *b)
{
    char *na = NULL, *nb = NULL;
    int eq;
    if (normalize_alloc(a, strlen(a), &na) == 0
        && normalize_alloc(b, strlen(b), &nb) == 0)
        eq = strcmp(na, nb) == 0;
    else
        eq = strcmp(a, b) == 0;
    free(na);
    free(nb);
    return eq;
}

/* ---- Traits ----------------------------------------------------------- */

static const struct {
    unsigned bit;
    const char *name;
} trait_names[] = {
    { RNIV_TRAIT_BIRTH_NAME,     "birth name" },
    { RNIV_TRAIT_FIRST_FORENAME, "first forename" },
    { RNIV_TRAIT_FORENAMES,      "forename list" },
    { RNIV_TRAIT_BIRTH_DATE,     "birth date" },
    { RNIV_TRAIT_SEX,            "sex" },
    { RNIV_TRAIT_BIRTH_PLACE,    "birth place" },
};

void rniv_trait_names(unsigned mask, char *out, size_t n)
{
    if (out == NULL || n == 0)
        return;
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof trait_names / sizeof trait_names[0]; i++) {
        if (!(mask & trait_names[i].bit))
            continue;
        const char *sep = used > 0 ? ", " : "";
        size_t sep_len = strlen(sep), name_len = strlen(trait_names[i].name);
        if (used + sep_len + name_len >= n)
            break;  /* keep whole names only */
        memcpy(out + used, sep, sep_len);
        memcpy(out + used + sep_len, trait_names[i].name, name_len + 1);
        used += sep_len + name_len;
    }
}

unsigned rniv_strict_diff(const identity_traits *a, const identity_traits *b)
{
    unsigned d = 0;
    if (!names_equal(a->birth_name, b->birth_name))
        d |= RNIV_TRAIT_BIRTH_NAME;
    if (!names_equal(a->first_forename, b->first_forename))
        d |= RNIV_TRAIT_FIRST_FORENAME;
    if (!names_equal(a->forenames, b->forenames))
        d |= RNIV_TRAIT_FORENAMES;
    if (strcmp(a->birth_date, b->birth_date) != 0)
        d |= RNIV_TRAIT_BIRTH_DATE;
    if (a->sex != b->sex)
        d |= RNIV_TRAIT_SEX;
    if (strcmp(a->birth_place, b->birth_place) != 0)
        d |= RNIV_TRAIT_BIRTH_PLACE;
    return d;
}

static int valid_utf8(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(s);
    while (len > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(p, len, &cp);
        if (step <= 0)
            return 0;
        p += step;
        len -= step;
    }
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* 1 if d is "YYYY-MM-DD"; *real is set to whether it names a real day. */
static int date_shape(const char *d, int *real)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (d[i] != '-')
                return 0;
        } else if (!is_digit(d[i])) {
            return 0;
        }
    }
    if (d[10] != '\0')
        return 0;
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[5] - '0') * 10 + (d[6] - '0');
    int day = (d[8] - '0') * 10 + (d[9] - '0');
    *real = y >= 1 && m >= 1 && m <= 12 && day >= 1
            && day <= days[m - 1] + (m == 2 && is_leap(y));
    return 1;
}

/* Today in UTC as "YYYY-MM-DD": compared as strings with a birth date. */
static void today_utc(char out[SOCLE_DATE_MAX])
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL || strftime(out, SOCLE_DATE_MAX, "%Y-%m-%d", &tm) != 10)
        memcpy(out, "9999-12-31", SOCLE_DATE_MAX);  /* never refuse on a clock failure */
}

static int valid_cog(const char *c)
{
    if (strlen(c) != 5)
        return 0;
    int start = 0;
    if (c[0] == '2' && (c[1] == 'A' || c[1] == 'B'))
        start = 2;
    for (int i = start; i < 5; i++) {
        if (!is_digit(c[i]))
            return 0;
    }
    return 1;
}

int rniv_traits_validate(const identity_traits *t, socle_err *err)
{
    if (t == NULL)
        return err_set(err, SOCLE_EINVAL, "traits: missing");

    const struct {
        const char *field;
        const char *value;
        size_t size;
        int required;
    } texts[] = {
        { "birth_name",     t->birth_name,     sizeof t->birth_name,     1 },
        { "first_forename", t->first_forename, sizeof t->first_forename, 1 },
        { "forenames",      t->forenames,      sizeof t->forenames,      1 },
        { "birth_date",     t->birth_date,     sizeof t->birth_date,     1 },
        { "birth_place",    t->birth_place,    sizeof t->birth_place,    0 },
        { "used_name",      t->used_name,      sizeof t->used_name,      0 },
        { "used_forename",  t->used_forename,  sizeof t->used_forename,  0 },
    };
    size_t count = sizeof texts / sizeof texts[0];

    /* Fields are fixed arrays filled by other code: make sure each one is
     * terminated before treating it as a string. */
    for (size_t i = 0; i < count; i++) {
        if (memchr(texts[i].value, '\0', texts[i].size) == NULL)
            return err_set(err, SOCLE_EINVAL, "%s: longer than %zu bytes",
                           texts[i].field, texts[i].size - 1);
    }
    for (size_t i = 0; i < count; i++) {
        if (!valid_utf8(texts[i].value))
            return err_set(err, SOCLE_EINVAL, "%s: not valid UTF-8", texts[i].field);
    }
    for (size_t i = 0; i < count; i++) {
        if (!texts[i].required)
            continue;
        if (texts[i].value[0] == '\0')
            return err_set(err, SOCLE_EINVAL, "%s: missing", texts[i].field);
    }
    /* A name made of spaces and punctuation only is missing too. */
    for (size_t i = 0; i < 3; i++) {
        char buf[8];
        if (rniv_normalize_name(texts[i].value, buf, sizeof buf) == 0 && buf[0] == '\0')
            return err_set(err, SOCLE_EINVAL, "%s: '%s' is only spaces or punctuation",
                           texts[i].field, texts[i].value);
    }

    int real = 0;
    if (!date_shape(t->birth_date, &real))
        return err_set(err, SOCLE_EINVAL, "birth_date: '%s' is not YYYY-MM-DD",
                       t->birth_date);
    if (!real)
        return err_set(err, SOCLE_EINVAL, "birth_date: %s is not a real date",
                       t->birth_date);
    char today[SOCLE_DATE_MAX];
    today_utc(today);
    if (strcmp(t->birth_date, today) > 0)
        return err_set(err, SOCLE_EINVAL, "birth_date: %s is in the future",
                       t->birth_date);

    if (t->sex == '\0')
        return err_set(err, SOCLE_EINVAL, "sex: missing");
    if (t->sex != 'M' && t->sex != 'F' && t->sex != 'U') {
        unsigned char s = (unsigned char)t->sex;
        if (s >= 0x20 && s < 0x7f)
            return err_set(err, SOCLE_EINVAL, "sex: '%c' is not M, F or U", t->sex);
        return err_set(err, SOCLE_EINVAL, "sex: byte 0x%02X is not M, F or U", s);
    }

    if (t->birth_place[0] != '\0' && !valid_cog(t->birth_place))
        return err_set(err, SOCLE_EINVAL,
                       "birth_place: '%s' is not an INSEE code "
                       "(5 digits, or 2A/2B and 3 digits)", t->birth_place);

    /* RNIV: the first forename is the start of the list. Compared once
     * normalised, and on a word boundary so that "MARIE CLAIRE" may be
     * kept as one composed forename at the head of "MARIE CLAIRE ANNE". */
    char *first = NULL, *list = NULL;
    int ok = 0;
    if (normalize_alloc(t->first_forename, strlen(t->first_forename), &first) == 0
        && normalize_alloc(t->forenames, strlen(t->forenames), &list) == 0) {
        size_t fl = strlen(first);
        ok = strncmp(list, first, fl) == 0 && (list[fl] == '\0' || list[fl] == ' ');
    }
    free(first);
    free(list);
    if (!ok)
        return err_set(err, SOCLE_EINVAL,
                       "first_forename: '%s' is not the first of forenames '%s'",
                       t->first_forename, t->forenames);
    return 0;
}

/* ---- Transitions ------------------------------------------------------ */

static void refresh_status(local_identity *li)
{
    li->status = rniv_status_from(li->insi_verified,
                                  rniv_proof_high_trust(li->proof_type));
}

static void clear_ins(local_identity *li)
{
    li->ins[0] = '\0';
    li->ins_oid[0] = '\0';
    li->insi_verified = 0;
    li->insi_at[0] = '\0';
}

/* Back to PROV: nothing verified any more. */
static void downgrade(local_identity *li)
{
    clear_ins(li);
    li->proof_type[0] = '\0';
    refresh_status(li);
}

static void copy_strict(identity_traits *dst, const identity_traits *src)
{
    memcpy(dst->birth_name, src->birth_name, sizeof dst->birth_name);
    memcpy(dst->first_forename, src->first_forename, sizeof dst->first_forename);
    memcpy(dst->forenames, src->forenames, sizeof dst->forenames);
    memcpy(dst->birth_date, src->birth_date, sizeof dst->birth_date);
    dst->sex = src->sex;
    memcpy(dst->birth_place, src->birth_place, sizeof dst->birth_place);
}

int rniv_apply_traits(local_identity *li, const identity_traits *t,
                      int *downgraded, socle_err *err)
{
    if (downgraded != NULL)
        *downgraded = 0;
    if (li == NULL)
        return err_set(err, SOCLE_EINVAL, "identity: missing");
    if (rniv_traits_validate(t, err) < 0)
        return -1;

    local_identity next = *li;
    int down = li->status != RNIV_PROV && rniv_strict_diff(&li->traits, t) != 0;
    next.traits = *t;
    if (down)
        downgrade(&next);
    *li = next;
    if (downgraded != NULL)
        *downgraded = down;
    return 0;
}

#define INSI_BLOCKING (RNIV_TRAIT_BIRTH_NAME | RNIV_TRAIT_FIRST_FORENAME \
                       | RNIV_TRAIT_SEX | RNIV_TRAIT_BIRTH_DATE)

int rniv_record_insi(local_identity *li, const char *ins, const char *ins_oid,
                     const identity_traits *insi_traits, const char *at,
                     socle_err *err)
{
    if (li == NULL)
        return err_set(err, SOCLE_EINVAL, "identity: missing");
    if (li->attributes & RNIV_ATTR_DOUBTFUL)
        return err_set(err, SOCLE_ERULE,
                       "INSi refused: the identity is doubtful (douteuse)");
    if (li->attributes & RNIV_ATTR_FICTITIOUS)
        return err_set(err, SOCLE_ERULE,
                       "INSi refused: the identity is fictitious (fictive)");

    char why[128];
    if (!ins_check(ins, why, sizeof why))
        return err_set(err, SOCLE_EINVAL, "ins: %s", why);

    switch (ins_oid_classify(ins_oid)) {
    case INS_KIND_NIR:
    case INS_KIND_NIA:
        break;
    case INS_KIND_NIR_TEST:
    case INS_KIND_NIR_DEMO:
        return err_set(err, SOCLE_ERULE,
                       "ins_oid: %s is a test or demonstration INS", ins_oid);
    case INS_OID_UNKNOWN:
        return err_set(err, SOCLE_EINVAL,
                       "ins_oid: '%.*s' is not INS-NIR (%s) or INS-NIA (%s)",
                       SOCLE_OID_MAX, ins_oid != NULL ? ins_oid : "",
                       INS_OID_NIR, INS_OID_NIA);
    }

    if (at == NULL || at[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "insi_at: missing");
    if (strlen(at) >= SOCLE_TS_MAX)
        return err_set(err, SOCLE_EINVAL, "insi_at: longer than %d bytes",
                       SOCLE_TS_MAX - 1);

    if (rniv_traits_validate(insi_traits, err) < 0) {
        err_prefix(err, "INSi traits");
        return -1;
    }
    if (!ins_consistent_with(ins, insi_traits->sex, insi_traits->birth_date,
                             why, sizeof why))
        return err_set(err, SOCLE_ERULE, "ins: %s", why);

    unsigned diff = rniv_strict_diff(&li->traits, insi_traits) & INSI_BLOCKING;
    if (diff != 0) {
        char names[128];
        rniv_trait_names(diff, names, sizeof names);
        return err_set(err, SOCLE_ERULE,
                       "INSi disagrees on %s: recovery of the INS is forbidden",
                       names);
    }

    /* The forename list and birth place may differ (after review by the
     * user); INSi is the reference, so its strict traits win. */
    local_identity next = *li;
    copy_strict(&next.traits, insi_traits);
    memcpy(next.ins, ins, INS_LEN + 1);
    snprintf(next.ins_oid, sizeof next.ins_oid, "%s", ins_oid);
    snprintf(next.insi_at, sizeof next.insi_at, "%s", at);
    next.insi_verified = 1;
    refresh_status(&next);
    *li = next;
    return 0;
}

int rniv_record_proof(local_identity *li, const char *doc_code, socle_err *err)
{
    if (li == NULL)
        return err_set(err, SOCLE_EINVAL, "identity: missing");
    int i = proof_index(doc_code);
    if (i < 0)
        return err_set(err, SOCLE_EINVAL,
                       "proof_type: '%.8s' is not a known document code",
                       doc_code != NULL ? doc_code : "");
    if (li->attributes & (RNIV_ATTR_DOUBTFUL | RNIV_ATTR_FICTITIOUS))
        return err_set(err, SOCLE_ERULE,
                       "proof refused: the identity is %s",
                       (li->attributes & RNIV_ATTR_DOUBTFUL) ? "doubtful (douteuse)"
                                                             : "fictitious (fictive)");

    /* A low-trust document never hides a high-trust one already seen. */
    if (!proofs[i].high_trust && rniv_proof_high_trust(li->proof_type))
        return 0;

    local_identity next = *li;
    snprintf(next.proof_type, sizeof next.proof_type, "%s", proofs[i].code);
    refresh_status(&next);
    *li = next;
    return 0;
}

void rniv_remove_ins(local_identity *li)
{
    if (li == NULL)
        return;
    clear_ins(li);
    refresh_status(li);
}

int rniv_set_attribute(local_identity *li, unsigned attr, int on, socle_err *err)
{
    if (li == NULL)
        return err_set(err, SOCLE_EINVAL, "identity: missing");
    if (attr != RNIV_ATTR_DOUBTFUL && attr != RNIV_ATTR_FICTITIOUS
        && attr != RNIV_ATTR_HOMONYM)
        return err_set(err, SOCLE_EINVAL,
                       "attribute: 0x%x is not one known attribute", attr);

    local_identity next = *li;
    if (!on) {
        next.attributes &= ~attr;
        *li = next;
        return 0;
    }

    if (attr == RNIV_ATTR_DOUBTFUL) {
        if (li->attributes & RNIV_ATTR_FICTITIOUS)
            return err_set(err, SOCLE_ERULE,
                           "attribute: a fictitious identity cannot also be doubtful");
        /* Suspected fraud: nothing verified can be trusted any more. */
        downgrade(&next);
    } else if (attr == RNIV_ATTR_FICTITIOUS) {
        if (li->attributes & RNIV_ATTR_DOUBTFUL)
            return err_set(err, SOCLE_ERULE,
                           "attribute: a doubtful identity cannot also be fictitious");
        if (li->status != RNIV_PROV)
            return err_set(err, SOCLE_ERULE,
                           "attribute: only a PROV identity can be fictitious, "
                           "this one is %s", rniv_status_code(li->status));
    }
    next.attributes |= attr;
    *li = next;
    return 0;
}

int rniv_check(const local_identity *li, socle_err *err)
{
    if (li == NULL)
        return err_set(err, SOCLE_EINVAL, "identity: missing");

    if (li->status != RNIV_PROV && li->status != RNIV_RECUP
        && li->status != RNIV_VALI && li->status != RNIV_QUAL)
        return err_set(err, SOCLE_EINTERNAL, "status: %d is not a status",
                       (int)li->status);

    if (memchr(li->ins, '\0', sizeof li->ins) == NULL
        || memchr(li->ins_oid, '\0', sizeof li->ins_oid) == NULL
        || memchr(li->insi_at, '\0', sizeof li->insi_at) == NULL
        || memchr(li->proof_type, '\0', sizeof li->proof_type) == NULL)
        return err_set(err, SOCLE_EINTERNAL, "identity: unterminated text field");

    if (li->proof_type[0] != '\0' && !rniv_proof_known(li->proof_type))
        return err_set(err, SOCLE_EINTERNAL,
                       "proof_type: '%s' is not a known document code",
                       li->proof_type);

    int high = rniv_proof_high_trust(li->proof_type);
    rniv_status want = rniv_status_from(li->insi_verified, high);
    if (li->status != want)
        return err_set(err, SOCLE_EINTERNAL,
                       "status: is %s but INSi %s and %s high-trust proof give %s",
                       rniv_status_code(li->status),
                       li->insi_verified ? "verified" : "not verified",
                       high ? "a" : "no", rniv_status_code(want));

    if (li->insi_verified && li->ins[0] == '\0')
        return err_set(err, SOCLE_EINTERNAL, "ins: missing although INSi verified it");
    if (!li->insi_verified && li->ins[0] != '\0')
        return err_set(err, SOCLE_EINTERNAL, "ins: present although INSi did not verify it");
    if (!li->insi_verified && li->ins_oid[0] != '\0')
        return err_set(err, SOCLE_EINTERNAL, "ins_oid: present without an INS");

    if (li->ins[0] != '\0') {
        char why[128];
        if (!ins_check(li->ins, why, sizeof why))
            return err_set(err, SOCLE_EINTERNAL, "ins: %s", why);
        ins_oid_kind k = ins_oid_classify(li->ins_oid);
        if (k != INS_KIND_NIR && k != INS_KIND_NIA)
            return err_set(err, SOCLE_EINTERNAL,
                           "ins_oid: '%s' is not INS-NIR or INS-NIA", li->ins_oid);
        if (li->insi_at[0] == '\0')
            return err_set(err, SOCLE_EINTERNAL, "insi_at: missing although INSi verified");
    }

    if (li->attributes & ~RNIV_ATTR_ALL)
        return err_set(err, SOCLE_EINTERNAL, "attributes: unknown bits 0x%x",
                       li->attributes & ~RNIV_ATTR_ALL);
    if ((li->attributes & RNIV_ATTR_DOUBTFUL) && (li->attributes & RNIV_ATTR_FICTITIOUS))
        return err_set(err, SOCLE_EINTERNAL,
                       "attributes: doubtful and fictitious together");
    if ((li->attributes & (RNIV_ATTR_DOUBTFUL | RNIV_ATTR_FICTITIOUS))
        && li->status != RNIV_PROV)
        return err_set(err, SOCLE_EINTERNAL,
                       "attributes: a %s identity must be PROV, is %s",
                       (li->attributes & RNIV_ATTR_DOUBTFUL) ? "doubtful" : "fictitious",
                       rniv_status_code(li->status));
    return 0;
}
