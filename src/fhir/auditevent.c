/*
 * auditevent.c - FHIR AuditEvent from audit records (auditevent.h).
 */
#include "fhir/auditevent.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/timeutil.h"

#define CS_DCM "http://dicom.nema.org/resources/ontology/DCM"
#define CS_SOURCE_TYPE "http://terminology.hl7.org/CodeSystem/security-source-type"

/* The kind of an action (AuditEvent.action) by the last word of its name,
 * as LIKE patterns the store can also search by. U is every other action
 * (the writes: update, merge, link...). */
static const struct kind {
    char code;
    const char *patterns[5];
} kinds[] = {
    { 'C', { "%.create", "%.import", "%.insert", "%.issue", NULL } },
    { 'R', { "%.read", "%.xref", NULL } },
    { 'D', { "%.delete", "%.cancel", "%.retire", "%.remove%", NULL } },
    { 'E', { "%.search", "http.%", "access.%", NULL } },
};

/* LIKE with '%' only (the patterns above). */
static int like(const char *p, const char *s)
{
    if (*p == '\0')
        return *s == '\0';
    if (*p == '%') {
        for (;; s++) {
            if (like(p + 1, s))
                return 1;
            if (*s == '\0')
                return 0;
        }
    }
    return *p == *s && like(p + 1, s + 1);
}

static char action_kind(const char *action)
{
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t i = 0; kinds[k].patterns[i] != NULL; i++)
            if (like(kinds[k].patterns[i], action))
                return kinds[k].code;
    return 'U';
}

/* Stored object types that are FHIR resources. */
static const struct { const char *object_type, *resource; } resources[] = {
    { "ght_identity", "Patient" }, { "stay", "Encounter" },
    { "professional", "Practitioner" }, { "professional_role", "PractitionerRole" },
    { "audit", "AuditEvent" }, { "structure", "Organization" }, { "structure", "Location" },
};

static const char *outcome_code(const char *outcome)
{
    if (strcmp(outcome, "success") == 0)
        return "0";
    if (strcmp(outcome, "failure") == 0)
        return "8";
    return "4";   /* denied, not-found: the request failed, the server did not */
}

static int all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

json_t *fhir_auditevent_from(const audit_record *rec)
{
    char id[24], action[2] = { action_kind(rec->action), '\0' };
    snprintf(id, sizeof id, "%lld", (long long)rec->seq);
    int patient = strcmp(rec->object_type, "ght_identity") == 0
               || strcmp(rec->object_type, "stay") == 0;
    const char *tcode = strncmp(rec->action, "http.auth", 9) == 0 ? "110114"
                      : patient ? "110110" : "110100";
    const char *tdisplay = tcode[5] == '4' ? "User Authentication"
                         : patient ? "Patient Record" : "Application Activity";
    json_t *agent = json_pack("{s:{s:{s:s, s:s}}, s:s, s:b}", "who", "identifier", "system",
                              FHIR_SYSTEM_ACTOR, "value", rec->actor, "altId", rec->actor,
                              "requestor", 1);
    if (rec->role[0] != '\0')
        json_object_set_new(agent, "role", json_pack("[{s:s}]", "text", rec->role));
    json_t *ev = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s}], s:s, s:s, s:s, s:[o], "
        "s:{s:{s:s}, s:[{s:s, s:s, s:s}]}}",
        "resourceType", "AuditEvent", "id", id, "type", "system", CS_DCM, "code", tcode,
        "display", tdisplay, "subtype", "system", FHIR_SYSTEM_AUDIT_ACTION, "code",
        rec->action, "action", action, "recorded", rec->at, "outcome",
        outcome_code(rec->outcome), "agent", agent, "source", "observer", "display", "Socle",
        "type", "system", CS_SOURCE_TYPE, "code", "4", "display", "Application Server");
    if (rec->detail[0] != '\0')
        json_object_set_new(ev, "outcomeDesc", json_string(rec->detail));
    if (rec->object_type[0] != '\0' || rec->object_id[0] != '\0') {
        json_t *what = NULL;
        for (size_t i = 0; i < sizeof resources / sizeof resources[0] && !what; i++)
            if (strcmp(rec->object_type, resources[i].object_type) == 0
                && strcmp(rec->object_type, "structure") != 0 && all_digits(rec->object_id)) {
                char ref[96];
                snprintf(ref, sizeof ref, "%s/%s", resources[i].resource, rec->object_id);
                what = json_pack("{s:s}", "reference", ref);
            }
        if (what == NULL)
            what = rec->object_id[0] ? json_pack("{s:{s:s}}", "identifier", "value",
                                                 rec->object_id)
                                     : json_pack("{s:s}", "display", rec->object_type);
        json_t *entity = json_pack("{s:o}", "what", what);
        if (rec->object_type[0] != '\0')
            json_object_set_new(entity, "type", json_pack("{s:s, s:s}", "system",
                                                          FHIR_SYSTEM_AUDIT_OBJECT, "code",
                                                          rec->object_type));
        json_object_set_new(ev, "entity", json_pack("[o]", entity));
    }
    return ev;
}

/* ---- Search parameters ------------------------------------------------- */

/* "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ss[.sss]Z": the stored timestamps are
 * UTC text, so a value bounds them as a prefix: "v" is the first instant
 * it covers, "v~" ('~' sorts after every character of a timestamp) the
 * first instant after it. */
static int date_value(const char *v)
{
    size_t n = strlen(v);
    char day[11];
    if (n < 10)
        return 0;
    memcpy(day, v, 10);
    day[10] = '\0';
    if (!date_valid(day))
        return 0;
    if (n == 10)
        return 1;
    if (n < 20 || v[10] != 'T' || v[n - 1] != 'Z')
        return 0;
    for (size_t i = 11; i < n - 1; i++)
        if (!((v[i] >= '0' && v[i] <= '9') || v[i] == ':' || v[i] == '.'))
            return 0;
    return 1;
}

static void bound(char *dst, const char *v, int after, int lower)
{
    char b[SOCLE_TS_MAX];
    snprintf(b, sizeof b, "%s%s", v, after ? "~" : "");
    /* Intersect: the greater lower bound, the smaller upper bound. */
    if (dst[0] == '\0' || (lower ? strcmp(b, dst) > 0 : strcmp(b, dst) < 0))
        snprintf(dst, SOCLE_TS_MAX, "%s", b);
}

static int parse_date(const char *v, store_audit_query *q, fhir_search_error *e)
{
    char prefix[3] = "eq";
    if (v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z') {
        memcpy(prefix, v, 2);
        v += 2;
    }
    if (!date_value(v) || strlen(v) >= SOCLE_TS_MAX - 1)
        return fhir_search_fail(e, "invalid", "AuditEvent.recorded", "date: YYYY-MM-DD or "
                   "YYYY-MM-DDThh:mm:ssZ expected");
    if (!strcmp(prefix, "eq")) {
        bound(q->from, v, 0, 1);
        bound(q->to, v, 1, 0);
    } else if (!strcmp(prefix, "ge")) {
        bound(q->from, v, 0, 1);
    } else if (!strcmp(prefix, "gt")) {
        bound(q->from, v, 1, 1);
    } else if (!strcmp(prefix, "le")) {
        bound(q->to, v, 1, 0);
    } else if (!strcmp(prefix, "lt")) {
        bound(q->to, v, 0, 0);
    } else {
        return fhir_search_fail(e, "not-supported", "AuditEvent.recorded",
                   "date: prefix %s not supported (eq ge gt le lt)", prefix);
    }
    return 0;
}

/* Returns 1 when the value designates nothing. */
static int parse_action(const char *v, store_audit_query *q, fhir_search_error *e)
{
    if (strlen(v) != 1 || strchr("CRUDE", v[0]) == NULL)
        return fhir_search_fail(e, "invalid", "AuditEvent.action", "action: C, R, U, D or E expected");
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (v[0] != 'U' && kinds[k].code != v[0])
            continue;
        for (size_t i = 0; kinds[k].patterns[i] != NULL; i++)
            q->action_like[q->n_action_like++] = kinds[k].patterns[i];
    }
    q->action_not_like = v[0] == 'U';
    return 0;
}

static int parse_outcome(const char *v, store_audit_query *q, fhir_search_error *e)
{
    char list[32];
    if (str_copy(list, sizeof list, v) != 0)
        return fhir_search_fail(e, "invalid", "AuditEvent.outcome", "outcome: too long");
    unsigned codes = 0;   /* bits: 0, 4, 8, 12 */
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "0") == 0)
            codes |= 1;
        else if (strcmp(t, "4") == 0)
            codes |= 2;
        else if (strcmp(t, "8") == 0)
            codes |= 4;
        else if (strcmp(t, "12") == 0)
            codes |= 8;
        else
            return fhir_search_fail(e, "invalid", "AuditEvent.outcome", "outcome: 0, 4, 8 or 12 expected");
    }
    if (codes == 0)
        return fhir_search_fail(e, "invalid", "AuditEvent.outcome", "outcome: 0, 4, 8 or 12 expected");
    if (codes & 1)
        q->outcomes[q->n_outcomes++] = "success";
    if (codes & 2) {
        q->outcomes[q->n_outcomes++] = "denied";
        q->outcomes[q->n_outcomes++] = "not-found";
    }
    if (codes & 4)
        q->outcomes[q->n_outcomes++] = "failure";
    if (q->n_outcomes == 0)
        q->seq = -1;   /* 12 (major failure) only: Socle records none */
    return 0;
}

/* "Type/id" of a resource, or a bare object id. Returns 1 when the
 * reference designates nothing. */
static int parse_entity(const char *v, store_audit_query *q)
{
    const char *slash = strchr(v, '/');
    if (slash == NULL)
        return str_copy(q->object_id, sizeof q->object_id, v) != 0;
    size_t tl = (size_t)(slash - v);
    for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++) {
        if (strlen(resources[i].resource) == tl && strncmp(v, resources[i].resource, tl) == 0) {
            str_copy(q->object_type, sizeof q->object_type, resources[i].object_type);
            return str_copy(q->object_id, sizeof q->object_id, slash + 1) != 0;
        }
    }
    return 1;
}

int fhir_audit_params_parse(const http_request *req, fhir_audit_params *p,
                            fhir_search_error *e)
{
    memset(p, 0, sizeof *p);
    p->limit = AUDIT_EVENT_PAGE;
    p->count_total = 1;
    store_audit_query *q = &p->q;
    q->ascending = 1;   /* oldest first unless _sort=-date */
    buf names = { 0 };
    int nobody = 0, rc = 0;
    for (size_t i = 0; i < req->n_params && rc == 0; i++) {
        const char *n = req->params[i].name, *v = req->params[i].value;
        int repeated = 0;
        for (size_t k = 0; k < i; k++)
            repeated |= strcmp(req->params[k].name, n) == 0;
        if (repeated && strcmp(n, "date") != 0) {
            rc = fhir_search_fail(e, "not-supported", NULL, "%s: repeated parameter not supported", n);
            break;
        }
        if (n[0] != '_' && !repeated)
            buf_printf(&names, "%s%s", names.len ? "," : "", n);
        if (strcmp(n, "_format") == 0) {
            continue;
        } else if (strcmp(n, "_count") == 0) {
            rc = fhir_search_count(v, &p->limit, e);
        } else if (strcmp(n, "_cursor") == 0) {
            rc = fhir_search_cursor(v, &q->after_seq, e);
        } else if (strcmp(n, "_sort") == 0) {
            if (strcmp(v, "-date") == 0)
                q->ascending = 0;
            else if (strcmp(v, "date") != 0)
                rc = fhir_search_fail(e, "not-supported", NULL, "_sort: date or -date only");
        } else if (strcmp(n, "_total") == 0) {
            if (strcmp(v, "none") == 0)
                p->count_total = 0;
            else if (strcmp(v, "accurate") != 0 && strcmp(v, "estimate") != 0)
                rc = fhir_search_fail(e, "invalid", NULL, "_total: none, estimate or accurate expected");
        } else if (strcmp(n, "_id") == 0) {
            q->seq = fhir_parse_id(v);
            nobody |= q->seq == 0;
        } else if (strcmp(n, "date") == 0) {
            rc = parse_date(v, q, e);
        } else if (strcmp(n, "agent") == 0 || strcmp(n, "altid") == 0) {
            if (v[0] == '\0' || str_copy(q->actor, sizeof q->actor, v) != 0)
                rc = fhir_search_fail(e, "invalid", "AuditEvent.agent", "%s: empty or too long", n);
        } else if (strcmp(n, "action") == 0) {
            rc = parse_action(v, q, e);
        } else if (strcmp(n, "subtype") == 0) {
            const char *bar = strchr(v, '|');
            size_t sl = bar ? (size_t)(bar - v) : 0;
            const char *code = bar ? bar + 1 : v;
            if (sl && (sl != strlen(FHIR_SYSTEM_AUDIT_ACTION)
                       || strncmp(v, FHIR_SYSTEM_AUDIT_ACTION, sl) != 0))
                nobody = 1;
            if (code[0] == '\0' || str_copy(q->action, sizeof q->action, code) != 0)
                nobody = 1;
        } else if (strcmp(n, "entity") == 0) {
            if (v[0] == '\0')
                rc = fhir_search_fail(e, "invalid", "AuditEvent.entity", "entity: a reference expected");
            else
                nobody |= parse_entity(v, q);
        } else if (strcmp(n, "outcome") == 0) {
            rc = parse_outcome(v, q, e);
        } else {
            rc = fhir_search_fail(e, "not-supported", NULL, "unknown or unsupported search parameter "
                     "'%s' for AuditEvent (see /fhir/metadata)", n);
        }
    }
    if (rc == 0) {
        snprintf(p->names, sizeof p->names, "%s", names.len ? buf_cstr(&names) : "");
        if (nobody)
            q->seq = -1;
    }
    buf_free(&names);
    return rc;
}
