/*
 * normalize.c - see normalize.h.
 */
#include "match/normalize.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "core/ins.h"
#include "match/phonetic.h"

/* Typographic apostrophes and hyphens become their ASCII forms before the
 * decomposition, so that they are not lost as symbols. */
static utf8proc_int32_t pre_map(utf8proc_int32_t cp, void *data)
{
    (void)data;
    switch (cp) {
    case 0x2019: case 0x2018: case 0x02BC: case 0x00B4:
        return '\'';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013:
        return '-';
    }
    return cp;
}

/* Latin letters that do not decompose to ASCII (lower case: casefolded). */
static const char *latin_extra(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x00E6: return "AE";
    case 0x0153: return "OE";
    case 0x00DF: return "SS";
    case 0x00F8: return "O";
    case 0x0111: case 0x00F0: return "D";
    case 0x0142: return "L";
    case 0x0131: return "I";
    case 0x0127: return "H";
    case 0x0167: return "T";
    case 0x00FE: return "TH";
    }
    return NULL;
}

/* Append bytes unless they do not fit; truncation keeps whole code points. */
typedef struct outbuf {
    char *p;
    size_t cap, len;
    int full;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
    if (o->full || o->len + n + 1 > o->cap) {
        o->full = 1;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

/* Word separators are written lazily, so they are collapsed and trimmed;
 * a hyphen is a separator too, except inside a word when keep_hyphen. */
static void emit_cp(outbuf *o, utf8proc_int32_t cp, int keep_hyphen, int *sep)
{
    char ascii[2] = {0};
    const char *s = NULL;
    size_t n = 0;
    utf8proc_uint8_t enc[4];

    if (cp >= 'a' && cp <= 'z') {
        ascii[0] = (char)(cp - 'a' + 'A');
        s = ascii, n = 1;
    } else if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
        ascii[0] = (char)cp;
        s = ascii, n = 1;
    } else if (cp == '-' && keep_hyphen) {
        if (o->len > 0)
            *sep = 2;  /* a hyphen, written only if a letter follows; it
                        * wins over spaces around it ("JEAN - PIERRE") */
        return;
    } else if (cp >= 0x80) {
        if ((s = latin_extra(cp)) != NULL) {
            n = strlen(s);
        } else {
            switch (utf8proc_category(cp)) {
            case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
            case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LO:
            case UTF8PROC_CATEGORY_ND:
                n = (size_t)utf8proc_encode_char(utf8proc_toupper(cp), enc);
                s = (const char *)enc;
                break;
            default:
                break;
            }
        }
    }
    if (s == NULL || n == 0) {
        if (*sep == 0)
            *sep = 1;  /* D'ARTAGNAN: two words, so D is seen as a particle */
        return;
    }
    if (*sep && o->len > 0)
        put(o, *sep == 2 ? "-" : " ", 1);
    *sep = 0;
    put(o, s, n);
}

int normalize_text(const char *in, char *out, size_t cap, int keep_hyphen)
{
    outbuf o = {out, cap, 0, 0};
    if (cap == 0)
        return -1;
    out[0] = '\0';
    if (in == NULL)
        return 0;
    int sep = 0;
    size_t len = strlen(in);
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)in[i] >= 0x80) {
            ascii = 0;
            break;
        }
    if (ascii) {  /* the usual case, without utf8proc's allocation */
        for (size_t i = 0; i < len && !o.full; i++)
            emit_cp(&o, (unsigned char)in[i], keep_hyphen, &sep);
        return 0;
    }
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t mlen = utf8proc_map_custom(
        (const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &mapped,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK
            | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE, pre_map, NULL);
    if (mlen < 0)
        return -1;
    utf8proc_ssize_t i = 0;
    while (i < mlen && !o.full) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(mapped + i, mlen - i, &cp);
        if (step <= 0)
            break;
        i += step;
        emit_cp(&o, cp, keep_hyphen, &sep);
    }
    free(mapped);
    return 0;
}

static const char *const particles[] = {
    "DE", "DU", "DES", "LE", "LA", "LES", "D", "L", "DEL", "DELLA", "DELLE",
    "DI", "DA", "DOS", "DAS", "VAN", "VON", "DER", "DEN", "TER", "TEN",
    "MAC", "MC", "O", "EL", "AL", "BEN", "SAINT", "ST", "STE",
};

int normalize_is_particle(const char *token)
{
    for (size_t i = 0; i < sizeof particles / sizeof particles[0]; i++)
        if (strcmp(token, particles[i]) == 0)
            return 1;
    return 0;
}

int normalize_name(const char *in, char *full, char *core, size_t cap)
{
    char words[128];
    full[0] = core[0] = '\0';
    if (normalize_text(in, words, sizeof words, 0) < 0)
        return -1;
    outbuf f = {full, cap, 0, 0}, c = {core, cap, 0, 0};
    int leading = 1;
    char *save = NULL;
    for (char *w = strtok_r(words, " ", &save); w != NULL;
         w = strtok_r(NULL, " ", &save)) {
        put(&f, w, strlen(w));
        /* Only leading particles go: "LE GOFF" -> "GOFF", but the last word
         * is always kept ("DE LA" alone stays a name). */
        if (leading && normalize_is_particle(w) && save != NULL && *save != '\0')
            continue;
        leading = 0;
        put(&c, w, strlen(w));
    }
    if (core[0] == '\0')
        memcpy(core, full, strlen(full) + 1);
    return 0;
}

int normalize_forenames(const char *in, char *out, size_t cap)
{
    return normalize_text(in, out, cap, 1);
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int normalize_date(const char *in, uint16_t *y, uint8_t *m, uint8_t *d)
{
    *y = 0, *m = 0, *d = 0;
    if (in == NULL || strlen(in) != 10 || in[4] != '-' || in[7] != '-')
        return 0;
    int v[8], k = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (in[i] < '0' || in[i] > '9')
            return 0;
        v[k++] = in[i] - '0';
    }
    int yy = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    int mm = v[4] * 10 + v[5], dd = v[6] * 10 + v[7];
    if (yy < 1850 || yy > 2200 || mm > 12)
        return 0;
    if (mm == 0 && dd != 0)
        return 0;
    if (mm > 0 && dd > days_in_month(yy, mm))
        return 0;
    *y = (uint16_t)yy, *m = (uint8_t)mm, *d = (uint8_t)dd;
    return 1;
}

/* The first forename alone, for its phonetic code. */
static void first_token(const char *list, char *out, size_t cap)
{
    size_t n = strcspn(list, " ");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, list, n);
    out[n] = '\0';
}

int match_normalize(const match_input *in, match_record *out)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    if (normalize_name(in->birth_name, out->birth_name, out->birth_core,
                       MATCH_NAME_MAX) < 0)
        rc = -1;
    if (normalize_name(in->used_name, out->used_name, out->used_core,
                       MATCH_NAME_MAX) < 0)
        rc = -1;
    if (normalize_forenames(in->first_names, out->forenames,
                            MATCH_FORENAMES_MAX) < 0)
        rc = -1;
    phonetic_encode(out->birth_core, out->birth_phon, MATCH_PHON_MAX);
    phonetic_encode(out->used_core, out->used_phon, MATCH_PHON_MAX);
    char first[MATCH_FORENAMES_MAX];
    first_token(out->forenames, first, sizeof first);
    phonetic_encode(first, out->first_phon, MATCH_PHON_MAX);

    normalize_date(in->birth_date, &out->year, &out->month, &out->day);
    const char *sx = in->sex != NULL ? in->sex : "";
    out->sex = (strcmp(sx, "M") == 0 || strcmp(sx, "m") == 0) ? 'M'
             : (strcmp(sx, "F") == 0 || strcmp(sx, "f") == 0) ? 'F' : 'U';

    const char *pl = in->birth_place != NULL ? in->birth_place : "";
    if (strlen(pl) == 5)
        memcpy(out->place, pl, 6);

    const char *ins = in->ins != NULL ? in->ins : "";
    if (ins[0] == '\0') {
        out->ins_state = MATCH_INS_NONE;
    } else if (strlen(ins) != INS_LEN || !ins_check(ins, NULL, 0)) {
        out->ins_state = MATCH_INS_INVALID;
    } else {
        memcpy(out->ins, ins, INS_LEN + 1);
        char date[11] = "";
        if (out->year != 0)
            memcpy(date, in->birth_date, 11);
        out->ins_state = ins_consistent_with(ins, out->sex, date, NULL, 0)
                       ? MATCH_INS_USABLE : MATCH_INS_INCONSISTENT;
    }
    return rc;
}
