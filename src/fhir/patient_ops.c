/*
 * patient_ops.c - Patient vread, history, create and update
 * (patient_ops.h).
 *
 * Writes take a FR Core Patient (patient_parse.h) and apply it as a source
 * would, to the local identity of its IPP: the IPP identifier must be in
 * the domain of an establishment, and of one of the token's when the token
 * names establishments. The Patient returned is the GHT identity (its id),
 * whose traits are those of the local identity that speaks for it.
 */
#include "fhir/patient_ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/identity.h"
#include "core/identity_version.h"
#include "core/ins.h"
#include "fhir/fhir_common.h"
#include "fhir/fhir_search.h"
#include "fhir/patient.h"
#include "fhir/patient_parse.h"

/* ---- Shared helpers -------------------------------------------------------- */

void fhir_call_answer(fhir_call *c, unsigned status, json_t *body)
{
    json_decref(c->resp->body);
    c->resp->status = status;
    c->resp->body = body;
    c->resp->content_type = FHIR_MIME;
}

int fhir_call_refuse(store *st, fhir_call *c, unsigned status, const char *code,
                     const char *msg, const char *expression, const char *action,
                     const char *object_id)
{
    fhir_call_answer(c, status, fhir_outcome(code, msg, expression));
    store_rollback(st);
    if (store_begin(st, c->err) != 0)
        return -1;
    const char *outcome = status == 403 ? "denied" : "failure";
    if (audit_log(st, c->actor, action, "ght_identity", object_id, outcome, msg, c->err) != 0)
        return -1;
    return store_commit(st, c->err);
}

int fhir_call_in_scope(const fhir_call *c, const char *domain_oid)
{
    if (!c->scoped)
        return 1;
    for (size_t i = 0; i < c->n_doms; i++)
        if (strcmp(c->doms[i].oid, domain_oid) == 0)
            return 1;
    return 0;
}

int fhir_call_patient_visible(store *st, fhir_call *c, const identity_hit *h,
                              const char *object_id)
{
    if (!c->scoped)
        return 1;
    for (size_t i = 0; i < h->n_locals; i++)
        if (fhir_call_in_scope(c, h->locals[i].domain_oid))
            return 1;
    if (c->break_glass == NULL) {
        if (fhir_call_refuse(st, c, 403, "forbidden", "this patient is not known to the "
                             "establishments of the token", NULL, "identity.read",
                             object_id) != 0)
            return -1;
        return 0;
    }
    if (audit_log(st, c->actor, "access.break_glass", "ght_identity", object_id, "success",
                  c->break_glass, c->err) != 0)
        return -1;
    return 1;
}

void fhir_call_version_headers(fhir_call *c, int version, const char *at)
{
    if (version <= 0)
        return;
    snprintf(c->resp->etag, sizeof c->resp->etag, "W/\"%d\"", version);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (sscanf(at, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    struct tm g;
    if (gmtime_r(&t, &g) != NULL)
        strftime(c->resp->last_modified, sizeof c->resp->last_modified,
                 "%a, %d %b %Y %H:%M:%S GMT", &g);
}

/* The current patient, visible to the token: 1 (p filled), 0 answered
 * (404 or 403, unit ended), -1 error. *p must be freed whatever. */
static int current_patient(store *st, fhir_call *c, identity_patient *p)
{
    int64_t ght_id = fhir_parse_id(c->id);
    int found = identity_patient_read_in_tx(st, c->actor, ght_id, p, c->err);
    if (found < 0)
        return -1;
    if (!found) {
        fhir_call_answer(c, 404, fhir_outcome("not-found", "no Patient with this id", NULL));
        return store_commit(st, c->err) == 0 ? 0 : -1;
    }
    const identity_hit *h = p->ght.state == GHT_ACTIVE ? &p->hit : &p->survivor_hit;
    return fhir_call_patient_visible(st, c, h, c->id);
}

static void patient_url(const fhir_call *c, int64_t ght_id, int version, char *out, size_t n)
{
    if (version > 0)
        snprintf(out, n, "%s/fhir/Patient/%" PRId64 "/_history/%d", c->req->base, ght_id,
                 version);
    else
        snprintf(out, n, "%s/fhir/Patient/%" PRId64, c->req->base, ght_id);
}

/* ---- vread and history ----------------------------------------------------- */

/* Only _format is taken; anything else is reported, never ignored. 1 fine,
 * 0 answered, -1 error. */
static int no_params(store *st, fhir_call *c)
{
    for (size_t i = 0; i < c->req->n_params; i++)
        if (strcmp(c->req->params[i].name, "_format") != 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown parameter %.100s", c->req->params[i].name);
            return fhir_call_refuse(st, c, 400, "not-supported", msg, NULL, "identity.read",
                                    c->id) == 0 ? 0 : -1;
        }
    return 1;
}

int fhir_patient_vread(store *st, fhir_call *c)
{
    identity_patient cur, p;
    memset(&p, 0, sizeof p);
    int rc = no_params(st, c);
    if (rc <= 0)
        return rc;
    rc = current_patient(st, c, &cur);
    identity_patient_free(&cur);
    if (rc <= 0)
        return rc;
    char *end;
    long v = strtol(c->arg, &end, 10);
    int found = 0;
    if (*end == '\0' && v > 0 && v < 1000000000) {
        found = identity_patient_vread_in_tx(st, c->actor, fhir_parse_id(c->id), (int)v, &p,
                                             c->err);
        if (found < 0) {
            identity_patient_free(&p);
            return -1;
        }
    }
    if (!found)
        fhir_call_answer(c, 404, fhir_outcome("not-found", "no such version of this Patient "
                                              "(or not kept)", NULL));
    else {
        fhir_call_version_headers(c, p.version, p.version_at);
        fhir_call_answer(c, 200, fhir_patient_from_read(&p));
    }
    identity_patient_free(&p);
    return store_commit(st, c->err);
}

int fhir_patient_history(store *st, fhir_call *c)
{
    identity_patient cur;
    int rc = no_params(st, c);
    if (rc <= 0)
        return rc;
    rc = current_patient(st, c, &cur);
    identity_patient_free(&cur);
    if (rc <= 0)
        return rc;
    identity_patient *v;
    size_t n;
    int64_t ght_id = fhir_parse_id(c->id);
    if (identity_patient_history_in_tx(st, c->actor, ght_id, &v, &n, c->err) != 0)
        return -1;
    char self[512];
    snprintf(self, sizeof self, "%s%s", c->req->base, c->req->path);
    json_t *entries = json_array();
    for (size_t i = 0; i < n; i++) {
        char full[512], url[64], etag[32];
        patient_url(c, ght_id, v[i].version, full, sizeof full);
        snprintf(url, sizeof url, "Patient/%" PRId64, ght_id);
        snprintf(etag, sizeof etag, "W/\"%d\"", v[i].version);
        int first = v[i].version == 1;
        json_array_append_new(entries, json_pack(
            "{s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s, s:s}}", "fullUrl", full,
            "resource", fhir_patient_from_read(&v[i]),
            "request", "method", first ? "POST" : "PUT", "url", first ? "Patient" : url,
            "response", "status", first ? "201" : "200", "etag", etag,
            "lastModified", v[i].version_at));
    }
    identity_patient_history_free(v, n);
    fhir_call_answer(c, 200, json_pack("{s:s, s:s, s:I, s:[{s:s, s:s}], s:o}",
                                       "resourceType", "Bundle", "type", "history", "total",
                                       (json_int_t)json_array_size(entries), "link",
                                       "relation", "self", "url", self, "entry", entries));
    return store_commit(st, c->err);
}

/* ---- create and update ----------------------------------------------------- */

/* The IPP of the resource: its one identifier in an establishment's domain
 * (of the token's when scoped). 1 chosen (in->domain_oid/ipp set), 0
 * refused (answered, unit ended), -1 error. */
static int refusal(fhir_refusal *r, unsigned status, const char *code, const char *expression,
                   const char *msg)
{
    r->status = status;
    r->code = code;
    r->expression = expression;
    str_copy(r->msg, sizeof r->msg, msg);
    return 0;
}

/* Answer r, roll back and audit it: 0, or -1 on a store error. */
static int refuse(store *st, fhir_call *c, const fhir_refusal *r, const char *action,
                  const char *object_id)
{
    return fhir_call_refuse(st, c, r->status, r->code, r->msg, r->expression, action,
                            object_id) == 0 ? 0 : -1;
}

/* The IPP the write is about: the one identifier in the domain of an
 * establishment (of the token's, when it names some). 1 (pin->in filled),
 * 0 refused (r), -1 error. */
static int pick_ipp(store *st, const fhir_call *c, fhir_patient_in *pin, fhir_refusal *r)
{
    size_t chosen = 0, out_of_scope = 0;
    for (size_t i = 0; i < pin->n_pi; i++) {
        id_domain d;
        int found = identity_domain_find(st, pin->pi[i].oid, NULL, &d, c->err);
        if (found < 0)
            return -1;
        if (!found)
            continue;
        if (!fhir_call_in_scope(c, d.oid)) {
            out_of_scope++;
            continue;
        }
        if (chosen++ == 0) {
            str_copy(pin->in.domain_oid, sizeof pin->in.domain_oid, pin->pi[i].oid);
            str_copy(pin->in.ipp, sizeof pin->in.ipp, pin->pi[i].value);
        }
    }
    if (chosen == 0 && out_of_scope > 0)
        return refusal(r, 403, "forbidden", "Patient.identifier", "the IPP identifier is in "
                       "the domain of an establishment the token does not name");
    if (chosen == 0)
        return refusal(r, 422, "business-rule", "Patient.identifier", "no IPP identifier "
                       "(system urn:oid: of an establishment's domain known to Socle)");
    if (chosen > 1)
        return refusal(r, 422, "business-rule", "Patient.identifier", "several IPP "
                       "identifiers: send the one of the establishment that writes");
    return 1;
}

/* An INS sent as INSi-verified must be well-formed: a bad key is a
 * business-rule error, not a silent drop. 1 fine, 0 refused (r). */
static int ins_ok(const identity_input *in, fhir_refusal *r)
{
    char why[128];
    if (in->ins[0] == '\0' || !in->insi_verified || ins_check(in->ins, why, sizeof why))
        return 1;
    char msg[200];
    snprintf(msg, sizeof msg, "INS: %s", why);
    return refusal(r, 422, "business-rule", "Patient.identifier", msg);
}

/* Map a refusal of core/ to a status; -1 when it is not a refusal. */
static int refusal_status(int code)
{
    switch (code) {
    case SOCLE_EINVAL:    return 400;
    case SOCLE_ERULE:     return 422;
    case SOCLE_ENOTFOUND: return 422;
    case SOCLE_ECONFLICT: return 409;
    default:              return -1;
    }
}

/* Apply the parsed resource through core/. 1 applied (res filled), 0
 * refused (r; the transaction must be rolled back), -1 error. */
static int upsert(store *st, fhir_call *c, const fhir_patient_in *pin, identity_result *res,
                  fhir_refusal *r)
{
    if (identity_upsert_in_tx(st, c->actor, &pin->in, res, c->err) != 0) {
        int status = refusal_status(c->err->code);
        if (status < 0)
            return -1;
        char msg[SOCLE_REASON_MAX];
        str_copy(msg, sizeof msg, c->err->msg);
        const char *code = status == 400 ? "invalid" : status == 409 ? "conflict"
                                                                     : "business-rule";
        return refusal(r, (unsigned)status, code, fhir_patient_expression(msg), msg);
    }
    if (res->ins_dropped && pin->in.insi_verified)
        return refusal(r, 422, "business-rule", "Patient.identifier", res->warning);
    return 1;
}

/* The IPP of an update must be one of the patient's own. 1, 0 refused
 * (r), -1 error. */
static int ipp_of(store *st, fhir_call *c, const fhir_patient_in *pin, int64_t ght_id,
                  fhir_refusal *r)
{
    identity_xref_result x;
    int found = identity_xref_in_tx(st, c->actor, pin->in.domain_oid, pin->in.ipp, &x, c->err);
    int64_t owner = x.ght_id;
    identity_xref_result_free(&x);
    if (found < 0)
        return -1;
    if (found && owner == ght_id)
        return 1;
    return found ? refusal(r, 409, "conflict", "Patient.identifier",
                           "this IPP belongs to another Patient")
                 : refusal(r, 422, "business-rule", "Patient.identifier",
                           "this IPP is not one of the Patient's (create it with POST)");
}

int fhir_patient_write_in_tx(store *st, fhir_call *c, fhir_patient_in *pin, int64_t id,
                             int64_t *ght_id, fhir_refusal *r)
{
    if (id != 0) {
        identity_patient p;
        int found = identity_patient_read_in_tx(st, c->actor, id, &p, c->err);
        int visible = !c->scoped, merged = p.ght.state != GHT_ACTIVE;
        const identity_hit *h = merged ? &p.survivor_hit : &p.hit;
        for (size_t i = 0; found > 0 && !visible && i < h->n_locals; i++)
            visible = fhir_call_in_scope(c, h->locals[i].domain_oid);
        identity_patient_free(&p);
        if (found < 0)
            return -1;
        if (!found)
            return refusal(r, 404, "not-found", "Patient.id", "no Patient with this id");
        if (!visible)
            return refusal(r, 403, "forbidden", "Patient.id", "this patient is not known to "
                           "the establishments of the token");
        if (merged)
            return refusal(r, 422, "business-rule", "Patient.id", "this Patient was merged "
                           "into another: update that one");
    }
    int rc = pick_ipp(st, c, pin, r);
    if (rc > 0)
        rc = ins_ok(&pin->in, r);
    if (rc > 0 && id != 0)
        rc = ipp_of(st, c, pin, id, r);
    if (rc <= 0)
        return rc;
    pin->in.create_only = id == 0;
    pin->in.update_only = id != 0;
    identity_result res;
    rc = upsert(st, c, pin, &res, r);
    if (rc > 0)
        *ght_id = res.ght_id;
    return rc;
}

/* Answer the patient ght_id as it now stands, with status. */
static int answer_patient(store *st, fhir_call *c, int64_t ght_id, unsigned status)
{
    identity_patient p;
    int found = identity_patient_read_in_tx(st, c->actor, ght_id, &p, c->err);
    if (found <= 0) {
        identity_patient_free(&p);
        return found < 0 ? -1 : err_set(c->err, SOCLE_EINTERNAL, "patient %" PRId64
                                        " vanished", ght_id);
    }
    fhir_call_version_headers(c, p.version, p.version_at);
    if (status == 201)
        patient_url(c, ght_id, p.version, c->resp->location, sizeof c->resp->location);
    fhir_call_answer(c, status, fhir_patient_from_read(&p));
    identity_patient_free(&p);
    return store_commit(st, c->err);
}

/* If-None-Exist: "identifier=[system|]value". 1 nobody (create), 0
 * answered (200 existing, 412 several, 400), -1 error. */
static int none_exist(store *st, fhir_call *c)
{
    const char *q = c->req->if_none_exist;
    if (q == NULL || q[0] == '\0')
        return 1;
    if (strncmp(q, "identifier=", 11) != 0 || strchr(q, '&') != NULL)
        return fhir_call_refuse(st, c, 400, "not-supported", "If-None-Exist: only "
                                "identifier=system|value is supported", NULL,
                                "identity.create", NULL) == 0 ? 0 : -1;
    identity_search_criteria crit;
    memset(&crit, 0, sizeof crit);
    const char *v = q + 11, *bar = strchr(v, '|');
    char system[SOCLE_OID_MAX + 16] = "";
    if (bar != NULL)
        snprintf(system, sizeof system, "%.*s", (int)(bar - v), v);
    const char *value = bar ? bar + 1 : v;
    int bad = value[0] == '\0' || (system[0] != '\0' && strncmp(system, "urn:oid:", 8) != 0);
    if (!bad && system[0] != '\0' && ins_oid_classify(system + 8) != INS_OID_UNKNOWN)
        bad = str_copy(crit.ins, sizeof crit.ins, value) != 0;
    else if (!bad) {
        bad = str_copy(crit.ipp, sizeof crit.ipp, value) != 0;
        if (system[0] != '\0')
            str_copy(crit.domain_oid, sizeof crit.domain_oid, system + 8);
    }
    if (bad)
        return fhir_call_refuse(st, c, 400, "invalid", "If-None-Exist: identifier=urn:oid:"
                                "OID|value expected", NULL, "identity.create", NULL) == 0
               ? 0 : -1;
    /* A token limited to establishments finds only their patients. */
    for (size_t i = 0; c->scoped && i < c->n_doms && i < IDENTITY_SEARCH_DOMAINS_MAX; i++)
        str_copy(crit.in_domains[crit.n_in_domains++], SOCLE_OID_MAX, c->doms[i].oid);
    crit.limit = 2;
    identity_search_result r;
    if (identity_search_in_tx(st, c->actor, &crit, &r, c->err) != 0) {
        identity_search_result_free(&r);
        if (c->err->code != SOCLE_ENOTFOUND)
            return -1;
        return 1;  /* a domain Socle does not know holds nobody */
    }
    int64_t total = r.total, ght_id = r.count ? r.hits[0].ght_id : 0;
    identity_search_result_free(&r);
    if (total == 0 || (c->scoped && c->n_doms == 0))
        return 1;
    if (total > 1)
        return fhir_call_refuse(st, c, 412, "duplicate", "If-None-Exist matches several "
                                "patients", NULL, "identity.create", NULL) == 0 ? 0 : -1;
    return answer_patient(st, c, ght_id, 200) == 0 ? 0 : -1;
}

static int parse_body(store *st, fhir_call *c, fhir_patient_in *pin, const char *action)
{
    fhir_search_error e;
    if (fhir_patient_parse(c->req->body, c->req->body_len, pin, &e) == 0)
        return 1;
    return fhir_call_refuse(st, c, 400, e.code, e.msg, e.expression, action, c->id) == 0
           ? 0 : -1;
}

int fhir_patient_create(store *st, fhir_call *c)
{
    fhir_patient_in pin;
    int rc = parse_body(st, c, &pin, "identity.create");
    if (rc > 0)
        rc = none_exist(st, c);
    if (rc <= 0)
        return rc;
    fhir_refusal r;
    int64_t ght_id = 0;
    rc = fhir_patient_write_in_tx(st, c, &pin, 0, &ght_id, &r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return refuse(st, c, &r, "identity.create", NULL);
    return answer_patient(st, c, ght_id, 201);
}

/* If-Match: W/"n" or "n"; 0 when absent or unreadable. */
static int if_match_version(const char *h)
{
    if (h == NULL)
        return 0;
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    int v = 0;
    if (sscanf(h, "\"%d\"", &v) != 1 && sscanf(h, "%d", &v) != 1)
        return 0;
    return v > 0 ? v : 0;
}

int fhir_patient_update(store *st, fhir_call *c)
{
    /* A write needs the patient in the token's establishments (its IPP is
     * checked below): breaking the glass has no use here. */
    c->break_glass = NULL;
    fhir_patient_in pin;
    int rc = parse_body(st, c, &pin, "identity.update");
    if (rc <= 0)
        return rc;
    if (pin.id[0] != '\0' && strcmp(pin.id, c->id) != 0)
        return fhir_call_refuse(st, c, 400, "invalid", "the resource's id is not the id of "
                                "the URL", "Patient.id", "identity.update", c->id);
    int want = if_match_version(c->req->if_match);
    if (want == 0)
        return fhir_call_refuse(st, c, 428, "required", "If-Match: W/\"version\" is required "
                                "(read the Patient first)", NULL, "identity.update", c->id);
    identity_patient cur;
    rc = current_patient(st, c, &cur);
    int version = cur.version, merged = cur.ght.state != GHT_ACTIVE;
    int64_t into = cur.survivor_id;
    identity_patient_free(&cur);
    if (rc <= 0)
        return rc;
    if (merged) {
        char msg[128];
        snprintf(msg, sizeof msg, "this Patient was merged into Patient/%" PRId64
                 ": update that one", into);
        return fhir_call_refuse(st, c, 422, "business-rule", msg, NULL, "identity.update",
                                c->id);
    }
    if (want != version) {
        char msg[96];
        snprintf(msg, sizeof msg, "version %d is not the current one (%d)", want, version);
        return fhir_call_refuse(st, c, 412, "conflict", msg, NULL, "identity.update", c->id);
    }
    /* Found, visible and active (checked above, with the answers of a PUT):
     * the IPP, the INS, then core/. */
    fhir_refusal r;
    int64_t ght_id = 0;
    rc = pick_ipp(st, c, &pin, &r);
    if (rc > 0)
        rc = ins_ok(&pin.in, &r);
    if (rc > 0)
        rc = ipp_of(st, c, &pin, fhir_parse_id(c->id), &r);
    if (rc > 0) {
        pin.in.update_only = 1;
        identity_result res;
        rc = upsert(st, c, &pin, &res, &r);
        if (rc > 0)
            ght_id = res.ght_id;
    }
    if (rc < 0)
        return -1;
    if (rc == 0)
        return refuse(st, c, &r, "identity.update", c->id);
    /* An INS that made it the same person as another: now the survivor. */
    return answer_patient(st, c, ght_id, 200);
}
