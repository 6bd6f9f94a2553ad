/*
 * patient_merge.c - Patient/$merge, Patient/$unmerge and IHE PIXm
 * Patient/$ihe-pix (patient_ops.h).
 *
 * $merge follows the shape of FHIR's patient-merge operation (R5, used on
 * R4 servers): a Parameters resource naming the source patient (merged
 * away) and the target patient (the survivor), by reference or by
 * identifier, with preview. The merge is core's GHT-level merge
 * (identity_merge): undoable, leaving the source readable (active false,
 * link replaced-by) and the target with a link replaces. result-patient is
 * refused: the survivor's traits come from its local identities.
 *
 * $unmerge (Socle's own) takes the same source-patient (or
 * source-patient-identifier), the Patient that was merged away, and undoes
 * the latest merge that absorbed it; target-patient, when given, must be
 * that merge's survivor.
 *
 * $match (IHE PDQm ITI-119) scores a Patient against the stored identities
 * with the real-time matching engine (core/matching.h): one entry per
 * patient (its best-scoring local identity), search.score the posterior
 * probability of a match, the match-grade extension from the engine's
 * decision (automatic link: certain; review: probable; below the review
 * threshold: possible, or certainly-not when the evidence is against, which
 * is left out).
 */
#include "fhir/patient_ops.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/identity.h"
#include "core/matching.h"
#include "fhir/fhir_common.h"
#include "fhir/fhir_search.h"
#include "fhir/patient.h"
#include "fhir/patient_parse.h"

#define XP_SOURCE "Parameters.parameter.where(name='source-patient')"
#define XP_TARGET "Parameters.parameter.where(name='target-patient')"

static json_t *param(json_t *params, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(params, "parameter"), i, p)
        if (strcmp(json_string_value(json_object_get(p, "name")) ?
                   json_string_value(json_object_get(p, "name")) : "", name) == 0)
            return p;
    return NULL;
}

/* "Patient/12" or "http://host/fhir/Patient/12" -> 12; 0 when not one. */
static int64_t reference_id(const char *ref)
{
    if (ref == NULL)
        return 0;
    const char *p = strstr(ref, "Patient/");
    if (p == NULL || (p != ref && p[-1] != '/'))
        return 0;
    return fhir_parse_id(p + 8);
}

/* The GHT id named by parameter `name` (valueReference) or `name`-identifier
 * (valueIdentifier, resolved through the cross-reference). 1 found, 0 not
 * given or not found (*why says which), -1 error. */
static int resolve(store *st, fhir_call *c, json_t *params, const char *name, int64_t *id,
                   const char **why)
{
    *id = 0;
    json_t *p = param(params, name);
    if (p != NULL) {
        *id = reference_id(json_string_value(json_object_get(json_object_get(
            p, "valueReference"), "reference")));
        *why = *id ? NULL : "valueReference must be Patient/{id}";
        return *id > 0;
    }
    char idname[64];
    snprintf(idname, sizeof idname, "%s-identifier", name);
    json_t *ident = json_object_get(param(params, idname), "valueIdentifier");
    if (ident == NULL) {
        *why = "missing";
        return 0;
    }
    const char *system = json_string_value(json_object_get(ident, "system"));
    const char *value = json_string_value(json_object_get(ident, "value"));
    if (system == NULL || value == NULL || strncmp(system, "urn:oid:", 8) != 0) {
        *why = "the identifier needs an urn:oid: system and a value";
        return 0;
    }
    identity_xref_result x;
    int found = identity_xref_in_tx(st, c->actor, system + 8, value, &x, c->err);
    *id = x.ght_id;
    identity_xref_result_free(&x);
    if (found < 0 && c->err->code == SOCLE_ENOTFOUND)
        found = 0;
    else if (found < 0)
        return -1;
    *why = found ? NULL : "no patient with this identifier";
    return found;
}

static json_t *parameters_body(const char *info, json_t *result)
{
    json_t *outcome = json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "resourceType",
                                "OperationOutcome", "issue", "severity", "information",
                                "code", "informational", "diagnostics", info);
    json_t *out = json_pack("{s:s, s:[{s:s, s:o}]}", "resourceType", "Parameters",
                            "parameter", "name", "outcome", "resource", outcome);
    if (result != NULL)
        json_array_append_new(json_object_get(out, "parameter"),
                              json_pack("{s:s, s:o}", "name", "result", "resource", result));
    return out;
}

/* Read a patient of the operation, visible to the token (no break-the-glass
 * for a write). 1 (p filled), 0 answered, -1 error. */
static int operand(store *st, fhir_call *c, int64_t id, const char *action,
                   identity_patient *p)
{
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, id);
    int found = identity_patient_read_in_tx(st, c->actor, id, p, c->err);
    if (found < 0)
        return -1;
    if (!found)
        return fhir_call_refuse(st, c, 404, "not-found", "no Patient with this id", NULL,
                                action, oid) == 0 ? 0 : -1;
    fhir_call w = *c;
    w.break_glass = NULL;
    const identity_hit *h = p->ght.state == GHT_ACTIVE ? &p->hit : &p->survivor_hit;
    return fhir_call_patient_visible(st, &w, h, oid);
}

/* Parse the body as Parameters. 1, 0 answered, -1 error. */
static int read_parameters(store *st, fhir_call *c, const char *action, json_t **out)
{
    json_error_t je;
    *out = c->req->body ? json_loadb(c->req->body, c->req->body_len, 0, &je) : NULL;
    const char *rt = json_string_value(json_object_get(*out, "resourceType"));
    if (*out != NULL && rt != NULL && strcmp(rt, "Parameters") == 0)
        return 1;
    json_decref(*out);
    *out = NULL;
    return fhir_call_refuse(st, c, 400, "invalid", "a Parameters resource is expected",
                            "Parameters", action, NULL) == 0 ? 0 : -1;
}

/* Answer the patient `id` as it now stands inside Parameters. */
static int answer_result(store *st, fhir_call *c, int64_t id, const char *info)
{
    if (store_begin(st, c->err) != 0)
        return -1;
    identity_patient p;
    int found = identity_patient_read_in_tx(st, c->actor, id, &p, c->err);
    if (found <= 0) {
        identity_patient_free(&p);
        return found < 0 ? -1 : err_set(c->err, SOCLE_EINTERNAL, "patient vanished");
    }
    fhir_call_answer(c, 200, parameters_body(info, fhir_patient_from_read(&p)));
    identity_patient_free(&p);
    return store_commit(st, c->err);
}

/* A refusal of the core command run in its own transaction. */
static int core_refusal(store *st, fhir_call *c, const char *action, int64_t id)
{
    int code = c->err->code;
    if (code != SOCLE_ERULE && code != SOCLE_ENOTFOUND && code != SOCLE_ECONFLICT)
        return -1;
    char msg[SOCLE_REASON_MAX], oid[24];
    str_copy(msg, sizeof msg, c->err->msg);
    snprintf(oid, sizeof oid, "%" PRId64, id);
    return fhir_call_refuse(st, c, code == SOCLE_ECONFLICT ? 409 : 422,
                            code == SOCLE_ECONFLICT ? "conflict" : "business-rule", msg, NULL,
                            action, oid);
}

int fhir_patient_merge(store *st, fhir_call *c)
{
    json_t *params;
    int rc = read_parameters(st, c, "identity.merge", &params);
    if (rc <= 0)
        return rc;
    int64_t src = 0, tgt = 0;
    const char *why = NULL, *xp = NULL;
    char msg[160] = "";
    if (param(params, "result-patient") != NULL) {
        snprintf(msg, sizeof msg, "result-patient is not supported: the target's traits come "
                 "from its local identities");
        xp = "Parameters.parameter.where(name='result-patient')";
    } else if ((rc = resolve(st, c, params, "source-patient", &src, &why)) <= 0) {
        snprintf(msg, sizeof msg, "source-patient: %s", why ? why : "?");
        xp = XP_SOURCE;
    } else if ((rc = resolve(st, c, params, "target-patient", &tgt, &why)) <= 0) {
        snprintf(msg, sizeof msg, "target-patient: %s", why ? why : "?");
        xp = XP_TARGET;
    }
    json_t *preview = json_object_get(param(params, "preview"), "valueBoolean");
    int is_preview = json_is_true(preview);
    json_decref(params);
    if (rc < 0)
        return -1;
    if (msg[0] != '\0')
        return fhir_call_refuse(st, c, strstr(msg, "no patient") ? 404 : 400,
                                strstr(msg, "no patient") ? "not-found" : "invalid", msg, xp,
                                "identity.merge", NULL);
    identity_patient ps, pt;
    memset(&pt, 0, sizeof pt);
    rc = operand(st, c, src, "identity.merge", &ps);
    int src_merged = ps.ght.state != GHT_ACTIVE;
    identity_patient_free(&ps);
    if (rc > 0)
        rc = operand(st, c, tgt, "identity.merge", &pt);
    if (rc <= 0) {
        identity_patient_free(&pt);
        return rc;
    }
    if (is_preview) {
        const char *info = src == tgt ? "preview: refused, source and target are the same"
                         : src_merged || pt.ght.state != GHT_ACTIVE
                           ? "preview: refused, a patient was merged away already"
                           : "preview: the source would be merged into the target";
        fhir_call_answer(c, 200, parameters_body(info, fhir_patient_from_read(&pt)));
        identity_patient_free(&pt);
        return store_commit(st, c->err);
    }
    identity_patient_free(&pt);
    /* The reads and their audit records are kept; the merge is its own
     * transaction (core's command). */
    if (store_commit(st, c->err) != 0)
        return -1;
    char reason[160];
    snprintf(reason, sizeof reason, "FHIR $merge by %s", c->actor->id);
    int64_t merge_id = 0;
    if (identity_merge(st, c->actor, tgt, src, reason, &merge_id, c->err) != 0)
        return core_refusal(st, c, "identity.merge", src);
    snprintf(msg, sizeof msg, "Patient/%" PRId64 " merged into Patient/%" PRId64 " (merge %"
             PRId64 ", undo with $unmerge)", src, tgt, merge_id);
    return answer_result(st, c, tgt, msg);
}

int fhir_patient_unmerge(store *st, fhir_call *c)
{
    json_t *params;
    int rc = read_parameters(st, c, "identity.unmerge", &params);
    if (rc <= 0)
        return rc;
    int64_t src = 0, tgt = 0;
    const char *why = NULL;
    char msg[200] = "";
    rc = resolve(st, c, params, "source-patient", &src, &why);
    if (rc == 0)
        snprintf(msg, sizeof msg, "source-patient: %s", why ? why : "?");
    int has_target = rc > 0 && (param(params, "target-patient") != NULL
                                || param(params, "target-patient-identifier") != NULL);
    if (has_target && (rc = resolve(st, c, params, "target-patient", &tgt, &why)) == 0)
        snprintf(msg, sizeof msg, "target-patient: %s", why ? why : "?");
    json_decref(params);
    if (rc < 0)
        return -1;
    if (msg[0] != '\0')
        return fhir_call_refuse(st, c, strstr(msg, "no patient") ? 404 : 400,
                                strstr(msg, "no patient") ? "not-found" : "invalid", msg,
                                has_target && tgt == 0 ? XP_TARGET : XP_SOURCE,
                                "identity.unmerge", NULL);
    identity_patient ps;
    rc = operand(st, c, src, "identity.unmerge", &ps);
    int64_t survivor = ps.ght.merged_into;
    identity_patient_free(&ps);
    if (rc <= 0)
        return rc;
    int64_t merge_id = 0;
    int found = identity_merge_find(st, src, &merge_id, c->err);
    if (found < 0)
        return -1;
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, src);
    if (!found)
        return fhir_call_refuse(st, c, 422, "business-rule", "this Patient was not merged "
                                "away: nothing to undo", XP_SOURCE, "identity.unmerge", oid);
    if (tgt != 0 && tgt != survivor)
        return fhir_call_refuse(st, c, 422, "business-rule", "target-patient is not the "
                                "Patient the source was merged into", XP_TARGET,
                                "identity.unmerge", oid);
    if (store_commit(st, c->err) != 0)
        return -1;
    char reason[160];
    snprintf(reason, sizeof reason, "FHIR $unmerge by %s", c->actor->id);
    if (identity_unmerge(st, c->actor, merge_id, reason, c->err) != 0)
        return core_refusal(st, c, "identity.unmerge", src);
    snprintf(msg, sizeof msg, "merge %" PRId64 " undone: Patient/%" PRId64 " is active again",
             merge_id, src);
    return answer_result(st, c, src, msg);
}

/* ---- IHE PIXm ---------------------------------------------------------------- */

static int target_wanted(const http_request *req, const char *oid)
{
    int any = 0;
    for (size_t i = 0; i < req->n_params; i++) {
        if (strcmp(req->params[i].name, "targetSystem") != 0)
            continue;
        any = 1;
        const char *v = req->params[i].value;
        if (strncmp(v, "urn:oid:", 8) == 0 && strcmp(v + 8, oid) == 0)
            return 1;
    }
    return !any;
}

int fhir_patient_pix(store *st, fhir_call *c)
{
    const http_request *req = c->req;
    const char *source = NULL;
    for (size_t i = 0; i < req->n_params; i++) {
        const char *n = req->params[i].name;
        if (strcmp(n, "sourceIdentifier") == 0 && source == NULL)
            source = req->params[i].value;
        else if (strcmp(n, "targetSystem") == 0) {
            const char *v = req->params[i].value;
            id_domain d;
            identity_xid_kind kind;
            int found = strncmp(v, "urn:oid:", 8) == 0
                        ? identity_domain_classify(st, v + 8, &kind, &d, c->err) : 0;
            if (found < 0)
                return -1;
            if (!found)
                return fhir_call_refuse(st, c, 403, "code-invalid", "targetSystem: unknown "
                                        "domain", "targetSystem", "identity.xref", NULL);
        } else if (strcmp(n, "_format") != 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown parameter %.100s", n);
            return fhir_call_refuse(st, c, 400, "not-supported", msg, n, "identity.xref",
                                    NULL);
        }
    }
    const char *bar = source ? strchr(source, '|') : NULL;
    if (bar == NULL || strncmp(source, "urn:oid:", 8) != 0 || bar[1] == '\0')
        return fhir_call_refuse(st, c, 400, "required", "sourceIdentifier=urn:oid:OID|value "
                                "is required", "sourceIdentifier", "identity.xref", NULL);
    char oid[SOCLE_OID_MAX];
    snprintf(oid, sizeof oid, "%.*s", (int)(bar - source - 8), source + 8);
    identity_xref_result x;
    int found = identity_xref_in_tx(st, c->actor, oid, bar + 1, &x, c->err);
    if (found < 0) {
        identity_xref_result_free(&x);
        if (c->err->code != SOCLE_ENOTFOUND)
            return -1;
        return fhir_call_refuse(st, c, 404, "not-found", "sourceIdentifier: unknown "
                                "assigning authority", "sourceIdentifier", "identity.xref",
                                NULL);
    }
    json_t *out = json_pack("{s:s, s:[]}", "resourceType", "Parameters", "parameter");
    if (found) {
        int visible = !c->scoped;
        for (size_t i = 0; i < x.count && !visible; i++)
            visible = x.ids[i].kind == IDENTITY_XID_IPP
                      && fhir_call_in_scope(c, x.ids[i].domain_oid);
        char gid[24];
        snprintf(gid, sizeof gid, "%" PRId64, x.ght_id);
        if (!visible && c->break_glass == NULL) {
            identity_xref_result_free(&x);
            json_decref(out);
            return fhir_call_refuse(st, c, 403, "forbidden", "this patient is not known to "
                                    "the establishments of the token", NULL, "identity.xref",
                                    gid);
        }
        if (!visible && audit_log(st, c->actor, "access.break_glass", "ght_identity", gid,
                                  "success", c->break_glass, c->err) != 0) {
            identity_xref_result_free(&x);
            json_decref(out);
            return -1;
        }
        json_t *list = json_object_get(out, "parameter");
        for (size_t i = 0; i < x.count; i++) {
            const identity_xid *id = &x.ids[i];
            if ((strcmp(id->domain_oid, oid) == 0 && strcmp(id->value, bar + 1) == 0)
                || !target_wanted(req, id->domain_oid))
                continue;
            char sys[SOCLE_OID_MAX + 8];
            snprintf(sys, sizeof sys, "urn:oid:%s", id->domain_oid);
            json_t *vi = json_pack("{s:s, s:s}", "system", sys, "value", id->value);
            if (id->domain_name[0] != '\0')
                json_object_set_new(vi, "assigner", json_pack("{s:s}", "display",
                                                              id->domain_name));
            json_array_append_new(list, json_pack("{s:s, s:o}", "name", "targetIdentifier",
                                                  "valueIdentifier", vi));
        }
        char ref[300];
        snprintf(ref, sizeof ref, "%s/fhir/Patient/%" PRId64, req->base, x.ght_id);
        json_array_append_new(list, json_pack("{s:s, s:{s:s}}", "name", "targetId",
                                              "valueReference", "reference", ref));
    }
    identity_xref_result_free(&x);
    fhir_call_answer(c, 200, out);
    return store_commit(st, c->err);
}

/* ---- IHE PDQm $match (ITI-119) -------------------------------------------- */

#define EXT_MATCH_GRADE "http://hl7.org/fhir/StructureDefinition/match-grade"
#define XP_RESOURCE "Parameters.parameter.where(name='resource')"
#define MATCH_COUNT_DEFAULT 10
#define MATCH_COUNT_MAX 50

/* The posterior probability of a match: the score is a sum of log2(m/u),
 * i.e. the log2 of a likelihood ratio, and the model's prior gives the
 * odds before it. */
static double match_probability(double score, double prior)
{
    if (prior <= 0.0 || prior >= 1.0)
        prior = 0.01;
    double odds = prior / (1.0 - prior) * exp2(score);
    return odds / (1.0 + odds);
}

static const char *match_grade(const matching_candidate *m)
{
    switch (m->decision) {
    case MATCH_AUTO:   return "certain";
    case MATCH_REVIEW: return "probable";
    default:           return m->score >= 0.0 ? "possible" : "certainly-not";
    }
}

int fhir_patient_match(store *st, fhir_call *c)
{
    json_t *params;
    int rc = read_parameters(st, c, "identity.match", &params);
    if (rc <= 0)
        return rc;
    json_t *res = json_object_get(param(params, "resource"), "resource");
    json_t *only = json_object_get(param(params, "onlyCertainMatches"), "valueBoolean");
    json_t *count = json_object_get(param(params, "count"), "valueInteger");
    const char *msg = NULL, *xp = XP_RESOURCE;
    json_int_t want = MATCH_COUNT_DEFAULT;
    if (res == NULL)
        msg = "resource: a Patient is required";
    else if (count != NULL && (!json_is_integer(count) || json_integer_value(count) < 1)) {
        msg = "count must be a positive integer";
        xp = "Parameters.parameter.where(name='count')";
    } else if (count != NULL)
        want = json_integer_value(count) > MATCH_COUNT_MAX ? MATCH_COUNT_MAX
                                                           : json_integer_value(count);
    char *text = res ? json_dumps(res, JSON_COMPACT) : NULL;
    int only_certain = json_is_true(only);
    json_decref(params);
    if (msg != NULL) {
        free(text);
        return fhir_call_refuse(st, c, 400, "invalid", msg, xp, "identity.match", NULL);
    }
    fhir_patient_in pin;
    fhir_search_error e;
    rc = fhir_patient_parse(text, strlen(text), &pin, &e);
    free(text);
    if (rc != 0)
        return fhir_call_refuse(st, c, 400, e.code, e.msg, e.expression ? e.expression
                                : XP_RESOURCE, "identity.match", NULL);
    match_model model;
    if (matching_model_load(st, &model, c->err) != 0)
        return -1;
    /* matching_find is an audited read of its own. */
    if (store_commit(st, c->err) != 0)
        return -1;
    matching_candidate cand[MATCHING_MAX_CANDIDATES];
    size_t n = 0;
    if (matching_find(st, c->actor, &pin.in.traits, pin.in.ins, MATCHING_MAX_CANDIDATES, cand,
                      &n, c->err) != 0)
        return -1;
    if (store_begin(st, c->err) != 0)
        return -1;

    char self[512];
    snprintf(self, sizeof self, "%s%s", c->req->base, c->req->path);
    json_t *bundle = fhir_bundle_new(0, self, NULL);
    json_t *entries = json_object_get(bundle, "entry");
    int64_t seen[MATCHING_MAX_CANDIDATES];
    size_t n_seen = 0, widened = 0;
    for (size_t i = 0; i < n && (json_int_t)json_array_size(entries) < want; i++) {
        const matching_candidate *m = &cand[i];
        const char *grade = match_grade(m);
        if (strcmp(grade, "certainly-not") == 0 || (only_certain && strcmp(grade, "certain")))
            continue;
        int dup = 0;
        for (size_t k = 0; k < n_seen; k++)
            dup |= seen[k] == m->ght_id;
        if (dup)
            continue;  /* candidates come best first: the patient's best local */
        seen[n_seen++] = m->ght_id;
        identity_patient p;
        int found = identity_patient_read_in_tx(st, c->actor, m->ght_id, &p, c->err);
        if (found < 0) {
            identity_patient_free(&p);
            json_decref(bundle);
            return -1;
        }
        int visible = found && p.ght.state == GHT_ACTIVE;
        if (visible && c->scoped) {
            visible = 0;
            for (size_t k = 0; k < p.hit.n_locals; k++)
                visible |= fhir_call_in_scope(c, p.hit.locals[k].domain_oid);
            if (!visible && c->break_glass != NULL)
                visible = 2;
        }
        if (visible) {
            char full[512];
            snprintf(full, sizeof full, "%s/fhir/Patient/%" PRId64, c->req->base, m->ght_id);
            json_array_append_new(entries, json_pack(
                "{s:s, s:o, s:{s:s, s:f, s:[{s:s, s:s}]}}", "fullUrl", full,
                "resource", fhir_patient_from_read(&p), "search", "mode", "match",
                "score", match_probability(m->score, model.prior), "extension",
                "url", EXT_MATCH_GRADE, "valueCode", grade));
            widened += visible == 2;
        }
        identity_patient_free(&p);
    }
    json_object_set_new(bundle, "total", json_integer((json_int_t)json_array_size(entries)));
    if (widened && audit_log(st, c->actor, "access.break_glass", "ght_identity", NULL,
                             "success", c->break_glass, c->err) != 0) {
        json_decref(bundle);
        return -1;
    }
    fhir_call_answer(c, 200, bundle);
    return store_commit(st, c->err);
}
