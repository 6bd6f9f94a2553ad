/*
 * pam_visit_map.c - PV1, ZBE and PID-18 to a stay and a movement (see
 * pam_visit_map.h for what is read and the choices made).
 */
#include "hl7/pam_visit_map.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/timeutil.h"

typedef struct mapper {
    const er7_message *m;
    pam_issues *issues;
    size_t errors;
} mapper;

static void report(mapper *c, pam_issue_severity sev, int code, er7_loc where,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void report(mapper *c, pam_issue_severity sev, int code, er7_loc where,
                   const char *fmt, ...)
{
    if (sev == PAM_ISSUE_ERROR)
        c->errors++;
    pam_issues *is = c->issues;
    if (is->count == PAM_ISSUES_MAX) {
        is->dropped++;
        return;
    }
    pam_issue *i = &is->items[is->count++];
    i->severity = sev;
    i->hl7_code = code;
    i->where = where;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(i->text, sizeof i->text, fmt, ap);
    va_end(ap);
}

static er7_loc at(const mapper *c, size_t seg, size_t field, size_t rep, size_t comp)
{
    return er7_location(c->m, seg, field, rep, comp, 0);
}

static er7_loc absent(const char *seg)
{
    er7_loc l = {{0}, 1, 0, 0, 0, 0};
    memcpy(l.seg_id, seg, 3);
    return l;
}

/* A key or code: plain printable ASCII, no escape, fits n. 0 empty,
 * 1 copied, -1 unusable (reported with sev). */
static int code(mapper *c, pam_issue_severity sev, er7_slice v, er7_loc where,
                const char *what, char *dst, size_t n)
{
    dst[0] = '\0';
    if (v.len == 0 || er7_is_null(v))
        return 0;
    int ok = v.len < n;
    for (size_t i = 0; ok && i < v.len; i++)
        if ((unsigned char)v.ptr[i] <= 0x20 || (unsigned char)v.ptr[i] >= 0x7F
            || v.ptr[i] == er7_delimiters(c->m)->escape)
            ok = 0;
    if (!ok) {
        report(c, sev, 102, where, "%s: not a plain code of at most %zu ASCII characters",
               what, n - 1);
        return -1;
    }
    memcpy(dst, v.ptr, v.len);
    dst[v.len] = '\0';
    return 1;
}

static int digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* HL7 TS (YYYYMMDD[HH[MM[SS[.S...]]]][+/-ZZZZ]) to "YYYY-MM-DDTHH:MM:SS". */
static int timestamp(er7_slice v, char out[SOCLE_TS_MAX])
{
    size_t n = v.len;
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] == '+' || v.ptr[i] == '-') {
            n = i;
            break;
        }
    for (size_t i = 0; i < n; i++)
        if (v.ptr[i] == '.') {
            if (i != 14 || !digits(v.ptr + 15, n - 15))
                return -1;
            n = 14;
            break;
        }
    if (n < 8 || n > 14 || n % 2 != 0 || !digits(v.ptr, n))
        return -1;
    char d[15] = "00000000000000";
    memcpy(d, v.ptr, n);
    snprintf(out, SOCLE_TS_MAX, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s", d, d + 4, d + 6, d + 8,
             d + 10, d + 12);
    char date[11];
    memcpy(date, out, 10);
    date[10] = '\0';
    int hh = (d[8] - '0') * 10 + d[9] - '0', mm = (d[10] - '0') * 10 + d[11] - '0',
        ss = (d[12] - '0') * 10 + d[13] - '0';
    return date_valid(date) && hh < 24 && mm < 60 && ss < 60 ? 0 : -1;
}

static int nature_known(const char *s)
{
    static const char *const natures[] = {"S", "H", "M", "L", "D", "SM", "SH", "MH",
                                          "LD", "HMS", "C"};
    for (size_t i = 0; i < sizeof natures / sizeof natures[0]; i++)
        if (strcmp(s, natures[i]) == 0)
            return 1;
    return 0;
}

static void map_pv1(mapper *c, pam_visit *out, size_t pid)
{
    const er7_message *m = c->m;
    size_t pv1 = out->pv1;
    code(c, PAM_ISSUE_WARNING, er7_get(m, pid, 18, 1, 1, 0), at(c, pid, 18, 1, 1),
         "PID-18.1 (NDA), ignored", out->nda, sizeof out->nda);

    if (code(c, PAM_ISSUE_ERROR, er7_get(m, pv1, 19, 1, 1, 0), at(c, pv1, 19, 1, 1),
             "PV1-19.1 (visit number)", out->visit_number, sizeof out->visit_number) == 0)
        report(c, PAM_ISSUE_ERROR, 101, at(c, pv1, 19, 1, 1),
               "PV1-19.1: the visit number is required");

    movement *mv = &out->mv;
    char cls[sizeof mv->stay_class];
    if (code(c, PAM_ISSUE_WARNING, er7_get(m, pv1, 2, 1, 1, 0), at(c, pv1, 2, 1, 1),
             "PV1-2 (patient class), ignored", cls, sizeof cls) > 0) {
        str_copy(mv->stay_class, sizeof mv->stay_class, cls);
        if (strlen(cls) != 1 || strchr("IOERNV", cls[0]) == NULL)
            report(c, PAM_ISSUE_WARNING, 103, at(c, pv1, 2, 1, 1),
                   "PV1-2: class %s is not one of I O E R N V: kept as sent", cls);
    }

    stay_location *l = &mv->location;
    code(c, PAM_ISSUE_ERROR, er7_get(m, pv1, 3, 1, 1, 0), at(c, pv1, 3, 1, 1),
         "PV1-3.1 (UF)", l->uf, sizeof l->uf);
    code(c, PAM_ISSUE_ERROR, er7_get(m, pv1, 3, 1, 2, 0), at(c, pv1, 3, 1, 2),
         "PV1-3.2 (room)", l->room, sizeof l->room);
    code(c, PAM_ISSUE_ERROR, er7_get(m, pv1, 3, 1, 3, 0), at(c, pv1, 3, 1, 3),
         "PV1-3.3 (bed)", l->bed, sizeof l->bed);
    /* PAM FR requires the hosting UF on the events that place the patient;
     * without it the movement is still real: kept, without a location. */
    static const char *const placing[] = {"A01", "A04", "A02", "A03", "A06", "A07",
                                          "A21", "A22"};
    for (size_t i = 0; i < sizeof placing / sizeof placing[0]; i++)
        if (l->uf[0] == '\0' && strcmp(mv->trigger, placing[i]) == 0)
            report(c, PAM_ISSUE_WARNING, 101, at(c, pv1, 3, 1, 1),
                   "PV1-3.1: the hosting UF is missing: movement kept without a location");
}

static void map_zbe(mapper *c, pam_visit *out)
{
    const er7_message *m = c->m;
    size_t zbe = out->zbe;
    movement *mv = &out->mv;

    if (code(c, PAM_ISSUE_ERROR, er7_get(m, zbe, 1, 1, 1, 0), at(c, zbe, 1, 1, 1),
             "ZBE-1.1 (movement id)", mv->movement_id, sizeof mv->movement_id) == 0)
        report(c, PAM_ISSUE_ERROR, 101, at(c, zbe, 1, 1, 1),
               "ZBE-1.1: the movement id is required");
    er7_slice ns = er7_get(m, zbe, 1, 1, 3, 0);
    if (ns.len == 0)
        ns = er7_get(m, zbe, 1, 1, 2, 0);
    code(c, PAM_ISSUE_WARNING, ns, at(c, zbe, 1, 1, 3), "ZBE-1.3 (movement id authority), "
         "ignored", mv->movement_ns, sizeof mv->movement_ns);

    er7_slice when = er7_get(m, zbe, 2, 1, 1, 0);
    if (when.len == 0)
        report(c, PAM_ISSUE_ERROR, 101, at(c, zbe, 2, 1, 1),
               "ZBE-2: the date of the movement is required");
    else if (timestamp(when, mv->effective_at) != 0)
        report(c, PAM_ISSUE_ERROR, 102, at(c, zbe, 2, 1, 1),
               "ZBE-2: not a date-time YYYYMMDD[HHMM[SS]]");

    er7_slice action = er7_get(m, zbe, 4, 1, 1, 0);
    if (er7_slice_eq(action, "INSERT"))
        mv->action = MOVEMENT_INSERT;
    else if (er7_slice_eq(action, "UPDATE"))
        mv->action = MOVEMENT_UPDATE;
    else if (er7_slice_eq(action, "CANCEL"))
        mv->action = MOVEMENT_CANCEL;
    else if (action.len == 0)
        report(c, PAM_ISSUE_ERROR, 101, at(c, zbe, 4, 1, 1),
               "ZBE-4: the action (INSERT, UPDATE, CANCEL) is required");
    else
        report(c, PAM_ISSUE_ERROR, 103, at(c, zbe, 4, 1, 1),
               "ZBE-4: the action is INSERT, UPDATE or CANCEL");

    er7_slice hist = er7_get(m, zbe, 5, 1, 1, 0);
    mv->historic = er7_slice_eq(hist, "Y");
    if (hist.len > 0 && !mv->historic && !er7_slice_eq(hist, "N"))
        report(c, PAM_ISSUE_WARNING, 103, at(c, zbe, 5, 1, 1),
               "ZBE-5: the historic flag is Y or N: read as N");

    int orig = code(c, PAM_ISSUE_ERROR, er7_get(m, zbe, 6, 1, 1, 0), at(c, zbe, 6, 1, 1),
                    "ZBE-6 (original trigger)", mv->original_trigger,
                    sizeof mv->original_trigger);
    if (orig == 0 && mv->action != MOVEMENT_INSERT)
        report(c, PAM_ISSUE_ERROR, 101, at(c, zbe, 6, 1, 1),
               "ZBE-6: the original trigger is required with UPDATE and CANCEL");

    code(c, PAM_ISSUE_ERROR, er7_get(m, zbe, 7, 1, 10, 0), at(c, zbe, 7, 1, 10),
         "ZBE-7.10 (medical UF)", mv->medical_uf, sizeof mv->medical_uf);
    code(c, PAM_ISSUE_ERROR, er7_get(m, zbe, 8, 1, 10, 0), at(c, zbe, 8, 1, 10),
         "ZBE-8.10 (care UF)", mv->care_uf, sizeof mv->care_uf);

    char nature[sizeof mv->nature];
    if (code(c, PAM_ISSUE_WARNING, er7_get(m, zbe, 9, 1, 1, 0), at(c, zbe, 9, 1, 1),
             "ZBE-9 (nature), ignored", nature, sizeof nature) > 0) {
        str_copy(mv->nature, sizeof mv->nature, nature);
        size_t n = strlen(nature);
        if (!nature_known(nature)) {
            char base[sizeof nature];
            str_copy(base, sizeof base, nature);
            if (n > 1 && base[n - 1] == 'C')
                base[n - 1] = '\0';
            if (n > 1 && nature[n - 1] == 'C' && nature_known(base))
                report(c, PAM_ISSUE_WARNING, 103, at(c, zbe, 9, 1, 1),
                       "ZBE-9: %s is not a nature of PAM FR 2.11: read as %s with a status "
                       "correction (C)", nature, base);
            else
                report(c, PAM_ISSUE_WARNING, 103, at(c, zbe, 9, 1, 1),
                       "ZBE-9: nature %s unknown: kept as sent", nature);
        }
    }
}

int pam_visit_map(const er7_message *m, const char *trigger, size_t pid, pam_visit *out,
                  pam_issues *issues)
{
    memset(out, 0, sizeof *out);
    memset(issues, 0, sizeof *issues);
    mapper c = { .m = m, .issues = issues };
    str_copy(out->mv.trigger, sizeof out->mv.trigger, trigger);
    out->pv1 = er7_find(m, "PV1", 0);
    out->zbe = er7_find(m, "ZBE", 0);
    if (out->pv1 == ER7_NONE)
        report(&c, PAM_ISSUE_ERROR, 100, absent("PV1"),
               "PV1 segment missing: a movement names its visit in PV1-19");
    else
        map_pv1(&c, out, pid);
    if (out->zbe == ER7_NONE)
        report(&c, PAM_ISSUE_ERROR, 100, absent("ZBE"),
               "ZBE segment missing: every ITI-31 event carries its movement in ZBE");
    else
        map_zbe(&c, out);
    return c.errors > 0 ? -1 : 0;
}
