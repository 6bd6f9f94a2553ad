/*
 * fhir_search.c - search parameters (fhir_search.h).
 */
#include "fhir/fhir_search.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/stay.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

int fhir_search_fail(fhir_search_error *e, const char *code, const char *expression,
                     const char *fmt, ...)
{
    e->code = code;
    e->expression = expression;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int64_t fhir_parse_id(const char *s)
{
    int64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 18)
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int fhir_search_count(const char *v, size_t *out, fhir_search_error *e)
{
    int64_t n = fhir_parse_id(v);
    if (n < 1 || n > FHIR_COUNT_MAX)
        return fhir_search_fail(e, "invalid", NULL, "_count: a number from 1 to %d expected",
                                FHIR_COUNT_MAX);
    *out = (size_t)n;
    return 0;
}

int fhir_search_cursor(const char *v, int64_t *out, fhir_search_error *e)
{
    *out = fhir_parse_id(v);
    return *out > 0 ? 0 : fhir_search_fail(e, "invalid", NULL, "_cursor: not a cursor of a next link");
}

/* _offset: the position of a sorted page (next links of sorted searches). */
static int parse_offset(const char *v, int64_t *out, fhir_search_error *e)
{
    *out = strcmp(v, "0") == 0 ? 0 : fhir_parse_id(v);
    return *out > 0 || strcmp(v, "0") == 0 ? 0
         : fhir_search_fail(e, "invalid", NULL, "_offset: not the offset of a next link");
}

static int parse_total(const char *v, int *no_total, fhir_search_error *e)
{
    if (strcmp(v, "none") == 0)
        *no_total = 1;
    else if (strcmp(v, "accurate") == 0 || strcmp(v, "estimate") == 0)
        *no_total = 0;
    else
        return fhir_search_fail(e, "invalid", NULL, "_total: none, estimate or accurate expected");
    return 0;
}

/* One sort key among names (with its STORE_SORT_* code in codes; 0 is the
 * natural order by id), "-" for descending. */
static int parse_sort(const char *v, const char *const *names, const int *codes, size_t n,
                      int *sort, fhir_search_error *e)
{
    int desc = v[0] == '-';
    for (size_t i = 0; i < n; i++)
        if (strcmp(v + desc, names[i]) == 0) {
            *sort = desc ? -codes[i] : codes[i];
            if (codes[i] == 0 && desc)
                break;   /* by id descending: not offered */
            return 0;
        }
    return fhir_search_fail(e, "not-supported", NULL, "_sort: '%s' not supported (see /fhir/metadata)", v);
}

/* "sys|value", "|value" or "value": *oid the OID of "urn:oid:OID" ("" none). */
static int parse_identifier(const char *v, char *oid, size_t oid_n, char *value,
                            size_t value_n, const char *expr, fhir_search_error *e)
{
    const char *bar = strchr(v, '|');
    oid[0] = '\0';
    if (bar != NULL) {
        size_t sl = (size_t)(bar - v);
        if (sl > 0) {
            if (sl <= 8 || strncmp(v, "urn:oid:", 8) != 0 || sl - 8 >= oid_n)
                return fhir_search_fail(e, "invalid", expr, "identifier: the system must be urn:oid:<OID>");
            memcpy(oid, v + 8, sl - 8);
            oid[sl - 8] = '\0';
        }
        v = bar + 1;
    }
    if (v[0] == '\0' || str_copy(value, value_n, v) != 0)
        return fhir_search_fail(e, "invalid", expr, "identifier: a value is required (system|value)");
    return 0;
}

/* A date with its prefix: eq (default), ge, le, gt, lt. */
static int parse_date(const char *name, const char *v, char prefix[3], char date[11],
                      const char *expr, fhir_search_error *e)
{
    strcpy(prefix, "eq");
    if (strlen(v) > 2 && v[0] >= 'a' && v[0] <= 'z') {
        memcpy(prefix, v, 2);
        prefix[2] = '\0';
        v += 2;
        if (strcmp(prefix, "eq") && strcmp(prefix, "ge") && strcmp(prefix, "le")
            && strcmp(prefix, "gt") && strcmp(prefix, "lt"))
            return fhir_search_fail(e, "not-supported", expr, "%s: prefix %s not supported (eq ge le gt lt)",
                       name, prefix);
    }
    if (strlen(v) != 10 || !date_valid(v))
        return fhir_search_fail(e, "invalid", expr, "%s: a date YYYY-MM-DD expected", name);
    memcpy(date, v, 11);
    return 0;
}

static void add_days(const char *d, int days, char out[11])
{
    struct tm tm = { 0 };
    sscanf(d, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday += days;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Narrow [from, to] (dates, "" open) by one prefixed date. */
static void narrow(const char *prefix, const char *d, char from[11], char to[11])
{
    char x[11];
    if (!strcmp(prefix, "eq") || !strcmp(prefix, "ge") || !strcmp(prefix, "gt")) {
        if (!strcmp(prefix, "gt"))
            add_days(d, 1, x);
        else
            memcpy(x, d, 11);
        if (from[0] == '\0' || strcmp(x, from) > 0)
            memcpy(from, x, 11);
    }
    if (!strcmp(prefix, "eq") || !strcmp(prefix, "le") || !strcmp(prefix, "lt")) {
        if (!strcmp(prefix, "lt"))
            add_days(d, -1, x);
        else
            memcpy(x, d, 11);
        if (to[0] == '\0' || strcmp(x, to) < 0)
            memcpy(to, x, 11);
    }
}

/* ---- _lastUpdated ---------------------------------------------------------
 * The value is a FHIR date or dateTime at any precision (YYYY, YYYY-MM,
 * YYYY-MM-DD, or with a time hh:mm[:ss[.fff]] and then a zone, Z or
 * +hh:mm, which FHIR requires); it stands for the interval [a, b) its
 * precision covers (a date without time is a UTC day). The target, the
 * time of the last version, is an instant t, so the prefixes narrow
 * [lo, hi): eq a <= t < b, ge t >= a, gt and sa t >= b, lt and eb t < a,
 * le t < b. Bounds are kept in milliseconds since the epoch. */

typedef struct instant_range {
    int64_t lo, hi;      /* [lo, hi) in ms; INT64_MIN / INT64_MAX: open */
} instant_range;

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* v (without prefix) as [*a, *b) in ms. 0, or -1 when it is no FHIR
 * date/dateTime. */
static int parse_instant(const char *v, int64_t *a, int64_t *b)
{
    struct tm tm = { .tm_mday = 1 };
    int year, mon = 1, day = 1, hh = 0, mm = 0, ss = 0, ms = 0, step_unit = 0, frac = 0;
    size_t n = strlen(v);
    if (n < 4 || digits(v, 4, &year) != 0 || year < 1800 || year > 2999)
        return -1;
    const char *p = v + 4;
    if (*p == '\0') {
        step_unit = 'y';
    } else if (p[0] == '-' && digits(p + 1, 2, &mon) == 0 && mon >= 1 && mon <= 12) {
        p += 3;
        if (*p == '\0') {
            step_unit = 'm';
        } else {
            char date[11];
            if (p[0] != '-' || digits(p + 1, 2, &day) != 0)
                return -1;
            memcpy(date, v, 10);
            date[10] = '\0';
            if (!date_valid(date))
                return -1;
            p += 3;
            step_unit = 'd';
        }
    } else {
        return -1;
    }
    int64_t tz_min = 0;
    if (step_unit == 'd' && *p == 'T') {
        if (digits(p + 1, 2, &hh) != 0 || p[3] != ':' || digits(p + 4, 2, &mm) != 0
            || hh > 23 || mm > 59)
            return -1;
        p += 6;
        step_unit = 'M';
        if (*p == ':') {
            if (digits(p + 1, 2, &ss) != 0 || ss > 59)
                return -1;
            p += 3;
            step_unit = 'S';
            if (*p == '.') {
                int k = 0;
                p++;
                while (p[k] >= '0' && p[k] <= '9')
                    k++;
                if (k == 0 || k > 9)
                    return -1;
                for (int i = 0; i < 3; i++)
                    ms = ms * 10 + (i < k ? p[i] - '0' : 0);
                p += k;
                step_unit = 'f';
                frac = k;   /* .2 covers 100 ms, .25 10 ms, .250 and beyond 1 ms */
            }
        }
        int th, tm_;
        if (p[0] == 'Z' && p[1] == '\0')
            tz_min = 0;
        else if ((p[0] == '+' || p[0] == '-') && digits(p + 1, 2, &th) == 0 && p[3] == ':'
                 && digits(p + 4, 2, &tm_) == 0 && p[6] == '\0' && th <= 14 && tm_ <= 59)
            tz_min = (p[0] == '+' ? 1 : -1) * (int64_t)(th * 60 + tm_);
        else
            return -1;   /* a time needs its zone */
    } else if (*p != '\0') {
        return -1;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    int64_t start = (int64_t)timegm(&tm) * 1000 + ms - tz_min * 60000;
    struct tm end = tm;
    switch (step_unit) {
    case 'y': end.tm_year++; break;
    case 'm': end.tm_mon++; break;
    case 'd': end.tm_mday++; break;
    default: break;
    }
    int64_t step = step_unit == 'M' ? 60000 : step_unit == 'S' ? 1000
                 : step_unit == 'f' ? (frac == 1 ? 100 : frac == 2 ? 10 : 1) : 0;
    *a = start;
    *b = step ? start + step : (int64_t)timegm(&end) * 1000 + ms - tz_min * 60000;
    return 0;
}

static int parse_last_updated(const char *v, const char *expr, instant_range *r,
                              fhir_search_error *e)
{
    static const char *const prefixes[] = { "eq", "gt", "ge", "lt", "le", "sa", "eb" };
    const char *prefix = "eq";
    if (v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z' && v[2] >= '0'
        && v[2] <= '9') {
        size_t k = 0;
        while (k < 7 && strncmp(v, prefixes[k], 2) != 0)
            k++;
        if (k == 7)
            return fhir_search_fail(e, "not-supported", expr, "_lastUpdated: prefix %.2s not "
                                    "supported (eq gt ge lt le sa eb)", v);
        prefix = prefixes[k];
        v += 2;
    }
    int64_t a, b;
    if (parse_instant(v, &a, &b) != 0)
        return fhir_search_fail(e, "invalid", expr, "_lastUpdated: a FHIR date or dateTime "
                                "expected (YYYY[-MM[-DD[Thh:mm[:ss[.fff]](Z|+hh:mm)]]])");
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (!strcmp(prefix, "eq")) {
        lo = a;
        hi = b;
    } else if (!strcmp(prefix, "ge")) {
        lo = a;
    } else if (!strcmp(prefix, "gt") || !strcmp(prefix, "sa")) {
        lo = b;
    } else if (!strcmp(prefix, "lt") || !strcmp(prefix, "eb")) {
        hi = a;
    } else {
        hi = b;   /* le */
    }
    if (lo > r->lo)
        r->lo = lo;
    if (hi < r->hi)
        r->hi = hi;
    return 0;
}

/* ms since the epoch as the store's timestamps: "YYYY-MM-DDTHH:MM:SS.mmmZ"
 * (text order is time order). */
static void format_ms(int64_t ms, char out[SOCLE_TS_MAX])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t k = strftime(out, SOCLE_TS_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, SOCLE_TS_MAX - k, ".%03dZ", (int)(ms - (int64_t)t * 1000));
}

/* The range as [from, before) texts ("" open); 1 when it is empty. */
static int range_texts(const instant_range *r, char from[SOCLE_TS_MAX],
                       char before[SOCLE_TS_MAX])
{
    from[0] = before[0] = '\0';
    if (r->lo != INT64_MIN)
        format_ms(r->lo, from);
    if (r->hi != INT64_MAX)
        format_ms(r->hi, before);
    return r->lo != INT64_MIN && r->hi != INT64_MAX && r->lo >= r->hi;
}

static int repeated(const http_request *req, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(req->params[k].name, req->params[i].name) == 0)
            return 1;
    return 0;
}

int fhir_patient_params(const http_request *req, identity_search_criteria *c,
                        int *only_inactive, fhir_search_error *e)
{
    memset(c, 0, sizeof *c);
    *only_inactive = 0;
    char from[11] = "", to[11] = "";
    instant_range updated = { INT64_MIN, INT64_MAX };
    for (size_t i = 0; i < req->n_params; i++) {
        const char *n = req->params[i].name, *v = req->params[i].value;
        if (strcmp(n, "birthdate") != 0 && strcmp(n, "_lastUpdated") != 0 && repeated(req, i))
            return fhir_search_fail(e, "not-supported", NULL, "%s: repeated parameter not supported", n);
        if (strcmp(n, "_format") == 0)
            continue;
        if (strcmp(n, "_count") == 0) {
            if (fhir_search_count(v, &c->limit, e) != 0)
                return -1;
        } else if (strcmp(n, "_cursor") == 0) {
            if (fhir_search_cursor(v, &c->after_ght_id, e) != 0)
                return -1;
        } else if (strcmp(n, "_offset") == 0) {
            if (parse_offset(v, &c->offset, e) != 0)
                return -1;
        } else if (strcmp(n, "_total") == 0) {
            if (parse_total(v, &c->no_total, e) != 0)
                return -1;
        } else if (strcmp(n, "_sort") == 0) {
            static const char *const names[] = { "_id", "family", "birthdate" };
            static const int codes[] = { 0, STORE_SORT_FAMILY, STORE_SORT_BIRTHDATE };
            if (parse_sort(v, names, codes, 3, &c->sort, e) != 0)
                return -1;
        } else if (strcmp(n, "_id") == 0) {
            c->ght_id = fhir_parse_id(v);
            if (c->ght_id == 0)
                c->ght_id = -1;   /* no such id: finds nobody */
        } else if (strcmp(n, "identifier") == 0) {
            char value[SOCLE_CODE_MAX];
            if (parse_identifier(v, c->domain_oid, sizeof c->domain_oid, value, sizeof value,
                                 "Patient.identifier", e) != 0)
                return -1;
            /* The INS is searched by its own criterion, the rest as IPP/GHT id. */
            if (strncmp(c->domain_oid, "1.2.250.1.213.1.4.", 18) == 0) {
                if (str_copy(c->ins, sizeof c->ins, value) != 0)
                    return fhir_search_fail(e, "invalid", "Patient.identifier", "identifier: bad INS");
                c->domain_oid[0] = '\0';
            } else {
                str_copy(c->ipp, sizeof c->ipp, value);
            }
        } else if (strcmp(n, "family") == 0 || strcmp(n, "family:exact") == 0) {
            if (str_copy(c->family, sizeof c->family, v) != 0 || v[0] == '\0')
                return fhir_search_fail(e, "invalid", "Patient.name.family", "family: empty or too long");
            c->family_prefix = strcmp(n, "family") == 0;
        } else if (strcmp(n, "given") == 0 || strcmp(n, "given:exact") == 0) {
            if (str_copy(c->given, sizeof c->given, v) != 0 || v[0] == '\0')
                return fhir_search_fail(e, "invalid", "Patient.name.given", "given: empty or too long");
            c->given_prefix = strcmp(n, "given") == 0;
        } else if (strcmp(n, "birthdate") == 0) {
            char prefix[3], d[11];
            if (parse_date(n, v, prefix, d, "Patient.birthDate", e) != 0)
                return -1;
            narrow(prefix, d, from, to);
        } else if (strcmp(n, "_lastUpdated") == 0) {
            if (parse_last_updated(v, "Patient.meta.lastUpdated", &updated, e) != 0)
                return -1;
        } else if (strcmp(n, "gender") == 0) {
            if (strcmp(v, "male") == 0)
                c->sex = 'M';
            else if (strcmp(v, "female") == 0)
                c->sex = 'F';
            else if (strcmp(v, "unknown") == 0)
                c->sex = 'U';
            else if (strcmp(v, "other") == 0)
                *only_inactive = 1;   /* Socle holds M, F, U only: nobody */
            else
                return fhir_search_fail(e, "invalid", "Patient.gender",
                           "gender: male, female, other or unknown expected");
        } else if (strcmp(n, "active") == 0) {
            if (strcmp(v, "false") == 0)
                *only_inactive = 1;
            else if (strcmp(v, "true") != 0)
                return fhir_search_fail(e, "invalid", "Patient.active", "active: true or false expected");
        } else {
            return fhir_search_fail(e, "not-supported", NULL, "unknown or unsupported search parameter "
                       "'%s' (see /fhir/metadata)", n);
        }
    }
    if (range_texts(&updated, c->updated_from, c->updated_before))
        *only_inactive = 1;   /* an empty range */
    if (from[0] != '\0' && strcmp(from, to) == 0) {
        memcpy(c->birth_date, from, 11);
    } else {
        if (from[0] != '\0' && to[0] != '\0' && strcmp(from, to) > 0)
            *only_inactive = 1;   /* an empty range */
        memcpy(c->birth_from, from, 11);
        memcpy(c->birth_to, to, 11);
    }
    return 0;
}

int fhir_encounter_params(const http_request *req, stay_search_criteria *c,
                          fhir_search_error *e)
{
    memset(c, 0, sizeof *c);
    char from[11] = "", to[11] = "";
    instant_range updated = { INT64_MIN, INT64_MAX };
    for (size_t i = 0; i < req->n_params; i++) {
        const char *n = req->params[i].name, *v = req->params[i].value;
        if (strcmp(n, "date") != 0 && strcmp(n, "_lastUpdated") != 0 && repeated(req, i))
            return fhir_search_fail(e, "not-supported", NULL, "%s: repeated parameter not supported", n);
        if (strcmp(n, "_format") == 0)
            continue;
        if (strcmp(n, "_count") == 0) {
            if (fhir_search_count(v, &c->limit, e) != 0)
                return -1;
        } else if (strcmp(n, "_cursor") == 0) {
            if (fhir_search_cursor(v, &c->after_id, e) != 0)
                return -1;
        } else if (strcmp(n, "_offset") == 0) {
            if (parse_offset(v, &c->offset, e) != 0)
                return -1;
        } else if (strcmp(n, "_total") == 0) {
            if (parse_total(v, &c->no_total, e) != 0)
                return -1;
        } else if (strcmp(n, "_sort") == 0) {
            static const char *const names[] = { "_id", "date" };
            static const int codes[] = { 0, STORE_SORT_DATE };
            if (parse_sort(v, names, codes, 2, &c->sort, e) != 0)
                return -1;
        } else if (strcmp(n, "_include") == 0) {
            /* Applied by the caller (fhir_api.c), which reads the patients. */
            if (strcmp(v, "Encounter:patient") != 0 && strcmp(v, "Encounter:subject") != 0
                && strcmp(v, "Encounter:subject:Patient") != 0)
                return fhir_search_fail(e, "not-supported", NULL, "_include: only Encounter:patient");
        } else if (strcmp(n, "patient") == 0) {
            const char *id = strncmp(v, "Patient/", 8) == 0 ? v + 8 : v;
            c->ght_id = fhir_parse_id(id);
            if (c->ght_id == 0)
                return fhir_search_fail(e, "invalid", "Encounter.subject", "patient: Patient/<id> expected");
        } else if (strcmp(n, "identifier") == 0) {
            if (parse_identifier(v, c->nda_domain_oid, sizeof c->nda_domain_oid, c->nda,
                                 sizeof c->nda, "Encounter.identifier", e) != 0)
                return -1;
        } else if (strcmp(n, "status") == 0) {
            char list[64];
            if (str_copy(list, sizeof list, v) != 0)
                return fhir_search_fail(e, "invalid", "Encounter.status", "status: too long");
            for (char *save = NULL, *t = strtok_r(list, ",", &save); t != NULL;
                 t = strtok_r(NULL, ",", &save)) {
                int k = 0;
                while (k < 4 && strcmp(t, stay_status_code((stay_status)k)) != 0)
                    k++;
                if (k == 4)
                    return fhir_search_fail(e, "invalid", "Encounter.status", "status: planned, "
                               "in-progress, finished or cancelled expected");
                c->status_mask |= 1u << k;
            }
        } else if (strcmp(n, "date") == 0) {
            char prefix[3], d[11];
            if (parse_date(n, v, prefix, d, "Encounter.period", e) != 0)
                return -1;
            narrow(prefix, d, from, to);
        } else if (strcmp(n, "_lastUpdated") == 0) {
            if (parse_last_updated(v, "Encounter.meta.lastUpdated", &updated, e) != 0)
                return -1;
        } else {
            return fhir_search_fail(e, "not-supported", NULL, "unknown or unsupported search parameter "
                       "'%s' (see /fhir/metadata)", n);
        }
    }
    /* An empty range finds nothing: the stay ids are positive. */
    if (range_texts(&updated, c->updated_from, c->updated_before))
        c->ght_id = -1;
    /* The period meets [from 00:00, to 23:59:59]: texts compare as times. */
    if (from[0] != '\0')
        memcpy(c->from, from, 11);
    if (to[0] != '\0')
        snprintf(c->to, sizeof c->to, "%sT23:59:59", to);
    return 0;
}
