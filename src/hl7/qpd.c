/*
 * qpd.c - QPD, RCP and DSC of an IHE PDQ or PIX query (qpd.h).
 */
#include "hl7/qpd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/ins.h"
#include "hl7/er7_text.h"
#include "util/buf.h"

typedef struct parse {
    const er7_message *m;
    const er7_delims *d;
    er7_charset cs;
    size_t qpd;
    qpd_query *out;
    qpd_issue *issue;
    buf tmp;
} parse;

static int problem(parse *p, size_t seg, const char *id, size_t field, size_t rep,
                   size_t comp, size_t sub, int code, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

/* Record the issue (at segment seg, or at id when the segment is absent). */
static int problem(parse *p, size_t seg, const char *id, size_t field, size_t rep,
                   size_t comp, size_t sub, int code, const char *fmt, ...)
{
    qpd_issue *is = p->issue;
    memset(is, 0, sizeof *is);
    if (seg != ER7_NONE) {
        is->where = er7_location(p->m, seg, field, rep, comp, sub);
    } else {
        memcpy(is->where.seg_id, id, 3);
        is->where.seg_seq = 1;
    }
    is->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(is->text, sizeof is->text, fmt, ap);
    va_end(ap);
    return -1;
}

/* Decode a raw value (escapes, charset) into dst; -1 when it does not
 * decode or fit (the caller reports where). */
static int text(parse *p, er7_slice raw, char *dst, size_t n)
{
    dst[0] = '\0';
    if (raw.len == 0)
        return 0;
    buf_reset(&p->tmp);
    if (er7_unescape(p->d, p->cs, raw, &p->tmp, NULL) != 0 || p->tmp.len >= n)
        return -1;
    memcpy(dst, buf_cstr(&p->tmp), p->tmp.len + 1);
    return 0;
}

/* ---- QPD-3 of a PDQ ----------------------------------------------------- */

typedef struct pdq_ids {
    char value[SOCLE_CODE_MAX];
    size_t value_rep;
    char oid[SOCLE_OID_MAX];
    char ns[SOCLE_LABEL_MAX];
    size_t authority_rep;
} pdq_ids;

/* A name criterion: a trailing '*' makes it a prefix; one elsewhere is
 * not a pattern we offer. */
static int name_value(parse *p, size_t rep, const char *v, char *dst, size_t n, int *prefix)
{
    size_t len = strlen(v);
    const char *star = strchr(v, '*');
    if (star != NULL && star != v + len - 1)
        return problem(p, p->qpd, NULL, 3, rep, 2, 0, 102, "QPD-3 repetition %zu: '*' is "
                       "only allowed at the end of a name", rep);
    *prefix = star != NULL;
    if (len - (star != NULL) >= n)
        return problem(p, p->qpd, NULL, 3, rep, 2, 0, 102, "QPD-3 repetition %zu: the name "
                       "is too long", rep);
    memcpy(dst, v, len - (star != NULL));
    dst[len - (star != NULL)] = '\0';
    return 0;
}

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* HL7 DT/TS to YYYY-MM-DD: at least the day, a real calendar day. */
static int birth_date(parse *p, size_t rep, const char *v, char out[SOCLE_DATE_MAX])
{
    size_t n = strlen(v);
    int ok = n >= 8 && is_digits(v, 8);
    if (ok) {
        int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
        int m = (v[4] - '0') * 10 + (v[5] - '0'), d = (v[6] - '0') * 10 + (v[7] - '0');
        static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        ok = y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
        /* The time that may follow is no criterion: the model holds a date. */
        for (size_t i = 8; ok && i < n; i++)
            ok = (v[i] >= '0' && v[i] <= '9') || v[i] == '.' || v[i] == '+' || v[i] == '-';
    }
    if (!ok)
        return problem(p, p->qpd, NULL, 3, rep, 2, 0, 102, "QPD-3 repetition %zu: PID.7 is "
                       "not a date (YYYYMMDD)", rep);
    snprintf(out, SOCLE_DATE_MAX, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
    return 0;
}

/* One `@field^value` repetition of QPD-3. */
static int pdq_param(parse *p, size_t rep, pdq_ids *ids)
{
    identity_search_criteria *c = &p->out->crit;
    er7_slice name = er7_get(p->m, p->qpd, 3, rep, 1, 0);
    er7_slice raw = er7_get(p->m, p->qpd, 3, rep, 2, 0);
    if (name.len == 0 && raw.len == 0)
        return 0;
    char field[32];
    if (name.len < 2 || name.len >= sizeof field || name.ptr[0] != '@')
        return problem(p, p->qpd, NULL, 3, rep, 1, 0, 102, "QPD-3 repetition %zu: the "
                       "field is not named as @SEG.n[.n[.n]]", rep);
    memcpy(field, name.ptr + 1, name.len - 1);
    field[name.len - 1] = '\0';

    /* The authority as one HD value: ns&oid&type, subcomponents. */
    if (strcmp(field, "PID.3.4") == 0) {
        if (text(p, er7_get(p->m, p->qpd, 3, rep, 2, 1), ids->ns, sizeof ids->ns) != 0
            || text(p, er7_get(p->m, p->qpd, 3, rep, 2, 2), ids->oid, sizeof ids->oid) != 0)
            return problem(p, p->qpd, NULL, 3, rep, 2, 0, 102, "QPD-3 repetition %zu: "
                           "PID.3.4 is not a readable HD", rep);
        ids->authority_rep = rep;
        return 0;
    }
    char v[SOCLE_GIVENS_MAX];
    if (memchr(raw.ptr, p->d->subcomponent, raw.len) != NULL || text(p, raw, v, sizeof v) != 0)
        return problem(p, p->qpd, NULL, 3, rep, 2, 0, 102, "QPD-3 repetition %zu: the value "
                       "is not readable text in the declared character set, or too long",
                       rep);
    if (v[0] == '\0')
        return 0;   /* no information: no criterion */

    if (strcmp(field, "PID.3.1") == 0 || strcmp(field, "PID.3") == 0) {
        if (strlen(v) >= sizeof ids->value)
            return problem(p, p->qpd, NULL, 3, rep, 2, 0, 102, "QPD-3 repetition %zu: the "
                           "identifier is too long", rep);
        memcpy(ids->value, v, strlen(v) + 1);
        ids->value_rep = rep;
    } else if (strcmp(field, "PID.3.4.1") == 0) {
        str_copy(ids->ns, sizeof ids->ns, v);
        if (ids->authority_rep == 0)
            ids->authority_rep = rep;
    } else if (strcmp(field, "PID.3.4.2") == 0) {
        if (strlen(v) >= sizeof ids->oid)
            return problem(p, p->qpd, NULL, 3, rep, 2, 0, 102, "QPD-3 repetition %zu: the "
                           "OID is too long", rep);
        memcpy(ids->oid, v, strlen(v) + 1);
        ids->authority_rep = rep;
    } else if (strcmp(field, "PID.3.4.3") == 0 || strcmp(field, "PID.3.5") == 0
               || strcmp(field, "PID.5.7") == 0) {
        /* The authority's type, the identifier's, the name's: the OID says
         * which identifier it is, and both names are searched. */
    } else if (strcmp(field, "PID.5.1.1") == 0 || strcmp(field, "PID.5.1") == 0
               || strcmp(field, "PID.5") == 0) {
        return name_value(p, rep, v, c->family, sizeof c->family, &c->family_prefix);
    } else if (strcmp(field, "PID.5.2") == 0) {
        return name_value(p, rep, v, c->given, sizeof c->given, &c->given_prefix);
    } else if (strcmp(field, "PID.7") == 0 || strcmp(field, "PID.7.1") == 0) {
        return birth_date(p, rep, v, c->birth_date);
    } else if (strcmp(field, "PID.8") == 0) {
        if (strlen(v) != 1 || (v[0] != 'F' && v[0] != 'M' && v[0] != 'U'))
            return problem(p, p->qpd, NULL, 3, rep, 2, 0, 103, "QPD-3 repetition %zu: PID.8 "
                           "is not F, M or U", rep);
        c->sex = v[0];
    } else {
        return problem(p, p->qpd, NULL, 3, rep, 1, 0, 103, "QPD-3 repetition %zu: @%s is not "
                       "a search field of this supplier (PID.3, PID.5.1.1, PID.5.2, PID.7, "
                       "PID.8)", rep, field[0] && strlen(field) < 20 ? field : "?");
    }
    return 0;
}

static int pdq_params(parse *p)
{
    identity_search_criteria *c = &p->out->crit;
    pdq_ids ids = { .value_rep = 0 };
    size_t reps = er7_count(p->m, p->qpd, 3, 0, 0);
    for (size_t r = 1; r <= reps; r++)
        if (pdq_param(p, r, &ids) != 0)
            return -1;

    if (ids.value[0] == '\0') {
        if (ids.authority_rep != 0 && (ids.oid[0] != '\0' || ids.ns[0] != '\0'))
            return problem(p, p->qpd, NULL, 3, ids.authority_rep, 0, 0, 101, "QPD-3: an "
                           "assigning authority (PID.3.4) without an identifier (PID.3.1)");
        return 0;
    }
    p->out->authority_rep = ids.authority_rep;
    ins_oid_kind k = ins_oid_classify(ids.oid);
    if (k != INS_OID_UNKNOWN) {
        if (k != INS_KIND_NIR && k != INS_KIND_NIA)
            return problem(p, p->qpd, NULL, 3, ids.authority_rep, 2, 0, 204, "QPD-3: INS "
                           "under a test or demonstration OID; no real INS is held there");
        if (strlen(ids.value) >= sizeof c->ins)
            return problem(p, p->qpd, NULL, 3, ids.value_rep, 2, 0, 102, "QPD-3: the INS "
                           "is longer than 15 characters");
        memcpy(c->ins, ids.value, strlen(ids.value) + 1);
        return 0;
    }
    memcpy(c->ipp, ids.value, sizeof c->ipp);
    if (ids.oid[0] == '\0' && ids.ns[0] != '\0')
        return problem(p, p->qpd, NULL, 3, ids.authority_rep, 2, 0, 204, "QPD-3: the "
                       "assigning authority is given by its namespace only; send its OID "
                       "(PID.3.4.2)");
    memcpy(c->domain_oid, ids.oid, sizeof c->domain_oid);
    return 0;
}

/* ---- Domains wanted: QPD-8 (PDQ), QPD-4 (PIX) ---------------------------- */

static int domains(parse *p, size_t field)
{
    identity_search_criteria *c = &p->out->crit;
    size_t reps = er7_count(p->m, p->qpd, field, 0, 0);
    for (size_t r = 1; r <= reps; r++) {
        if (er7_get(p->m, p->qpd, field, r, 0, 0).len == 0)
            continue;
        if (c->n_in_domains == IDENTITY_SEARCH_DOMAINS_MAX)
            return problem(p, p->qpd, NULL, field, r, 0, 0, 102, "QPD-%zu: more than %d "
                           "domains", field, IDENTITY_SEARCH_DOMAINS_MAX);
        char *oid = c->in_domains[c->n_in_domains];
        if (text(p, er7_get(p->m, p->qpd, field, r, 4, 2), oid, SOCLE_OID_MAX) != 0)
            return problem(p, p->qpd, NULL, field, r, 4, 2, 102, "QPD-%zu repetition %zu: "
                           "the OID is not readable or too long", field, r);
        /* A namespace alone is kept as such: the caller will not know it
         * (domains are known by OID) and say so at this repetition. */
        if (oid[0] == '\0'
            && text(p, er7_get(p->m, p->qpd, field, r, 4, 1), oid, SOCLE_OID_MAX) != 0)
            return problem(p, p->qpd, NULL, field, r, 4, 1, 102, "QPD-%zu repetition %zu: "
                           "the namespace is not readable or too long", field, r);
        if (oid[0] == '\0')
            return problem(p, p->qpd, NULL, field, r, 4, 0, 101, "QPD-%zu repetition %zu: "
                           "no assigning authority (CX-4)", field, r);
        p->out->domain_reps[c->n_in_domains++] = r;
    }
    return 0;
}

/* ---- PIX QPD-3 ------------------------------------------------------------ */

static int pix_id(parse *p)
{
    qpd_query *q = p->out;
    er7_slice id = er7_get(p->m, p->qpd, 3, 1, 1, 0);
    if (id.len == 0)
        return problem(p, p->qpd, NULL, 3, 1, 1, 0, 101, "QPD-3.1: the patient identifier "
                       "is missing");
    if (memchr(id.ptr, p->d->subcomponent, id.len) != NULL
        || text(p, id, q->pix_value, sizeof q->pix_value) != 0)
        return problem(p, p->qpd, NULL, 3, 1, 1, 0, 102, "QPD-3.1: the identifier is not "
                       "readable text, or too long");
    if (text(p, er7_get(p->m, p->qpd, 3, 1, 4, 2), q->pix_oid, sizeof q->pix_oid) != 0)
        return problem(p, p->qpd, NULL, 3, 1, 4, 2, 102, "QPD-3.4.2: the OID is not "
                       "readable, or too long");
    if (q->pix_oid[0] == '\0'
        && text(p, er7_get(p->m, p->qpd, 3, 1, 4, 1), q->pix_oid, sizeof q->pix_oid) != 0)
        return problem(p, p->qpd, NULL, 3, 1, 4, 1, 102, "QPD-3.4.1: the namespace is not "
                       "readable, or too long");
    if (q->pix_oid[0] == '\0')
        return problem(p, p->qpd, NULL, 3, 1, 4, 0, 101, "QPD-3.4: the identifier has no "
                       "assigning authority");
    return 0;
}

/* ---- RCP and DSC ---------------------------------------------------------- */

static int rcp(parse *p)
{
    size_t seg = er7_find(p->m, "RCP", 0);
    if (seg == ER7_NONE)
        return 0;  /* QBP_Q21 requires it; its defaults (immediate, no limit) are ours */
    er7_slice prio = er7_get(p->m, seg, 1, 1, 1, 0);
    if (prio.len != 0 && !er7_slice_eq(prio, "I"))
        return problem(p, seg, NULL, 1, 1, 1, 0, 103, "RCP-1: only immediate queries (I) "
                       "are answered");
    er7_slice qty = er7_get(p->m, seg, 2, 1, 1, 0);
    er7_slice unit = er7_get(p->m, seg, 2, 1, 2, 1);
    if (qty.len == 0)
        return 0;
    if (qty.len > 6 || !is_digits(qty.ptr, qty.len))
        return problem(p, seg, NULL, 2, 1, 1, 0, 102, "RCP-2.1: the quantity is not a "
                       "number");
    if (unit.len != 0 && !er7_slice_eq(unit, "RD"))
        return problem(p, seg, NULL, 2, 1, 2, 0, 103, "RCP-2.2: only a number of records "
                       "(RD) can limit the response");
    size_t n = 0;
    for (size_t i = 0; i < qty.len; i++)
        n = n * 10 + (size_t)(qty.ptr[i] - '0');
    p->out->crit.limit = n;
    return 0;
}

static int dsc(parse *p)
{
    size_t seg = er7_find(p->m, "DSC", 0);
    if (seg == ER7_NONE)
        return 0;
    er7_slice ptr = er7_get(p->m, seg, 1, 1, 1, 0);
    if (text(p, ptr, p->out->continuation, sizeof p->out->continuation) != 0)
        return problem(p, seg, NULL, 1, 1, 1, 0, 102, "DSC-1: not a continuation pointer "
                       "of this supplier");
    return 0;
}

/* ---- Entry point ---------------------------------------------------------- */

static int query_name(parse *p, const char *want)
{
    er7_slice id = er7_get(p->m, p->qpd, 1, 1, 1, 0), name = er7_get(p->m, p->qpd, 1, 1, 2, 0);
    if (id.len == 0 && name.len == 0)
        return problem(p, p->qpd, NULL, 1, 0, 0, 0, 101, "QPD-1: the message query name is "
                       "missing");
    size_t n = strlen(want);
    int ok = (id.len == n && strncasecmp(id.ptr, want, n) == 0)
          || (name.len == n && strncasecmp(name.ptr, want, n) == 0);
    if (!ok)
        return problem(p, p->qpd, NULL, 1, 0, 0, 0, 103, "QPD-1: this message type answers "
                       "the query '%s' only", want);
    return 0;
}

int qpd_parse(const er7_message *m, qpd_kind kind, qpd_query *out, qpd_issue *issue)
{
    memset(out, 0, sizeof *out);
    memset(issue, 0, sizeof *issue);
    out->kind = kind;
    parse p = { .m = m, .out = out, .issue = issue, .qpd = ER7_NONE };
    if (m == NULL)
        return problem(&p, ER7_NONE, "MSH", 0, 0, 0, 0, 100, "no message");
    p.d = er7_delimiters(m);
    if (er7_message_charset(m, &p.cs, NULL) != 0)
        return problem(&p, 0, NULL, 18, 0, 0, 0, 103, "MSH-18: character set not supported");
    p.qpd = er7_find(m, "QPD", 0);
    if (p.qpd == ER7_NONE)
        return problem(&p, ER7_NONE, "QPD", 0, 0, 0, 0, 100, "QPD segment missing");

    int rc = -1;
    if (query_name(&p, kind == QPD_PDQ ? QPD_NAME_PDQ : QPD_NAME_PIX) != 0)
        goto done;
    if (er7_field(m, p.qpd, 2).len == 0) {
        problem(&p, p.qpd, NULL, 2, 0, 0, 0, 101, "QPD-2: the query tag is missing");
        goto done;
    }
    if (kind == QPD_PDQ ? pdq_params(&p) != 0 || domains(&p, 8) != 0
                        : pix_id(&p) != 0 || domains(&p, 4) != 0)
        goto done;
    if (rcp(&p) != 0 || dsc(&p) != 0)
        goto done;
    rc = 0;
done:
    buf_free(&p.tmp);
    return rc;
}
