/*
 * pmir.c - IHE PMIR Mobile Patient Identity Feed [ITI-93] (pmir.h).
 *
 * Two passes over the message: the first reads and checks every entry
 * (structure, method, rights) before anything is written, so that a
 * malformed message is refused whole without touching the store; the
 * second writes the entries in order through fhir_patient_write_in_tx and
 * core's merge, and the first refusal of core/ rolls back all of them.
 */
#include "fhir/pmir.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/identity.h"
#include "fhir/fhir_common.h"
#include "fhir/fhir_search.h"
#include "fhir/patient_parse.h"
#include "util/random_id.h"
#include "util/timeutil.h"

/* Entries of one message at most: a feed is a few changes of a patient,
 * not a bulk load (that is `socle import` or the HL7 interface). */
#define FEED_MAX 64

typedef enum feed_kind { FEED_CREATE, FEED_UPDATE, FEED_MERGE } feed_kind;

typedef struct feed_entry {
    feed_kind kind;
    json_t *resource;          /* borrowed from the message */
    const char *full_url;      /* as sent, or NULL */
    int64_t id;                /* UPDATE, MERGE: the Patient named by request.url */
    int64_t survivor;          /* MERGE: link.other */
    int64_t result;            /* the patient it now is */
} feed_entry;

typedef struct feed {
    fhir_call *c;
    json_t *msg;               /* the request, owned */
    char header_id[65];        /* the request's MessageHeader.id, "" unread */
    feed_entry e[FEED_MAX];
    size_t n;
    char expr[96];             /* FHIRPath scratch for the refusals */
} feed;

static void uuid(char out[46])
{
    char h[33];
    random_hex_id(h, 16);
    for (char *p = h; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    h[12] = '4';                               /* version 4 */
    h[16] = "89ab"[h[16] % 4];                 /* the RFC 4122 variant */
    snprintf(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static void add_entry(json_t *bundle, const char *full_url, json_t *resource)
{
    json_array_append_new(json_object_get(bundle, "entry"),
                          json_pack("{s:s, s:o}", "fullUrl", full_url, "resource", resource));
}

/* The response message: code "ok" or "fatal-error"; outcome and focus
 * (stolen, either NULL) become entries that the header references. */
static json_t *response_message(const feed *f, const char *code, json_t *outcome,
                                json_t *focus)
{
    char bid[46], hid[46], at[TIME_ISO_MAX], endpoint[300];
    uuid(bid);
    uuid(hid);
    time_now_iso(at);
    snprintf(endpoint, sizeof endpoint, "%s/fhir", f->c->req->base);
    json_t *hdr = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}}",
                            "resourceType", "MessageHeader", "id", hid + 9,
                            "eventUri", FHIR_PMIR_RESPONSE_EVENT,
                            "source", "name", "Socle", "endpoint", endpoint,
                            "response", "identifier", f->header_id, "code", code);
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "resourceType", "Bundle", "id", bid + 9,
                          "type", "message", "timestamp", at, "entry");
    add_entry(b, hid, hdr);
    if (outcome != NULL) {
        char oid[46];
        uuid(oid);
        json_object_set_new(json_object_get(hdr, "response"), "details",
                            json_pack("{s:s}", "reference", oid));
        add_entry(b, oid, outcome);
    }
    if (focus != NULL) {
        char fid[46];
        uuid(fid);
        json_object_set_new(hdr, "focus", json_pack("[{s:s}]", "reference", fid));
        add_entry(b, fid, focus);
    }
    return b;
}

/* Refuse the message: roll back, audit, answer (a response message once
 * the header was read, else the OperationOutcome alone). 0, or -1. */
static int refuse(store *st, feed *f, unsigned status, const char *code, const char *expr,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int refuse(store *st, feed *f, unsigned status, const char *code, const char *expr,
                  const char *fmt, ...)
{
    char msg[SOCLE_REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (fhir_call_refuse(st, f->c, status, code, msg, expr, "identity.feed", NULL) != 0)
        return -1;
    if (f->header_id[0] != '\0')
        fhir_call_answer(f->c, status, response_message(f, "fatal-error",
                                                        json_incref(f->c->resp->body), NULL));
    return 0;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

/* "Patient/123", ".../Patient/123" or ".../Patient/123/_history/2": 123;
 * else 0. */
static int64_t patient_ref(const char *ref)
{
    const char *p = strstr(ref, "Patient/");
    if (p == NULL || (p != ref && p[-1] != '/'))
        return 0;
    char id[24];
    size_t n = strcspn(p + 8, "/");
    if (n == 0 || n >= sizeof id)
        return 0;
    memcpy(id, p + 8, n);
    id[n] = '\0';
    return fhir_parse_id(id);
}

/* The history Bundle the header's focus designates: by fullUrl, or by
 * "Bundle/{id}". NULL when none. */
static json_t *focus_bundle(json_t *entries, const char *ref)
{
    size_t i;
    json_t *en;
    json_array_foreach(entries, i, en) {
        json_t *r = json_object_get(en, "resource");
        const char *full = str(en, "fullUrl");
        size_t fl = strlen(full), rl = strlen(ref);
        int same = strcmp(full, ref) == 0
                || (fl > rl && full[fl - rl - 1] == '/' && strcmp(full + fl - rl, ref) == 0);
        if (!same && strncmp(ref, "Bundle/", 7) == 0)
            same = strcmp(str(r, "resourceType"), "Bundle") == 0
                && strcmp(str(r, "id"), ref + 7) == 0;
        if (same && i > 0)
            return r;
    }
    return NULL;
}

/* A PUT that declares a merge: active false and a replaced-by link. 1
 * (survivor set, 0 when its reference is unreadable), 0 not a merge. */
static int merge_of(json_t *patient, int64_t *survivor)
{
    if (!json_is_false(json_object_get(patient, "active")))
        return 0;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(patient, "link"), i, l)
        if (strcmp(str(l, "type"), "replaced-by") == 0) {
            *survivor = patient_ref(str(json_object_get(l, "other"), "reference"));
            return 1;
        }
    return 0;
}

/* The first pass: the message's structure, each entry's method and the
 * rights it needs. 1 fine, 0 refused, -1 error. */
static int read_message(store *st, feed *f, int may_write, int may_merge, json_t **history)
{
    const http_request *req = f->c->req;
    json_error_t je;
    f->msg = req->body != NULL ? json_loadb(req->body, req->body_len, 0, &je) : NULL;
    if (f->msg == NULL)
        return refuse(st, f, 400, "invalid", NULL, "the body is not JSON");
    if (strcmp(str(f->msg, "resourceType"), "Bundle") != 0
        || strcmp(str(f->msg, "type"), "message") != 0)
        return refuse(st, f, 400, "invalid", "Bundle.type", "a Bundle of type message is "
                      "expected (IHE PMIR ITI-93)");
    json_t *entries = json_object_get(f->msg, "entry");
    json_t *hdr = json_object_get(json_array_get(entries, 0), "resource");
    if (strcmp(str(hdr, "resourceType"), "MessageHeader") != 0)
        return refuse(st, f, 400, "invalid", "Bundle.entry[0].resource", "the first entry "
                      "of a message must be its MessageHeader");
    if (str_copy(f->header_id, sizeof f->header_id, str(hdr, "id")) != 0)
        f->header_id[0] = '\0';
    if (f->header_id[0] == '\0')
        return refuse(st, f, 400, "required", "MessageHeader.id", "MessageHeader.id is "
                      "required (the response names it)");
    if (strcmp(str(hdr, "eventUri"), FHIR_PMIR_EVENT) != 0)
        return refuse(st, f, 400, "not-supported", "MessageHeader.eventUri", "eventUri: only "
                      FHIR_PMIR_EVENT " is processed here");
    json_t *focus = json_array_get(json_object_get(hdr, "focus"), 0);
    if (focus == NULL || str(focus, "reference")[0] == '\0')
        return refuse(st, f, 400, "required", "MessageHeader.focus", "MessageHeader.focus: "
                      "the reference of the history Bundle is required");
    *history = focus_bundle(entries, str(focus, "reference"));
    if (*history == NULL || strcmp(str(*history, "resourceType"), "Bundle") != 0
        || strcmp(str(*history, "type"), "history") != 0)
        return refuse(st, f, 400, "invalid", "MessageHeader.focus", "MessageHeader.focus "
                      "must designate a Bundle of type history in the message");
    json_t *list = json_object_get(*history, "entry");
    if (json_array_size(list) == 0)
        return refuse(st, f, 400, "required", "Bundle.entry", "the history Bundle has no "
                      "entry");
    if (json_array_size(list) > FEED_MAX)
        return refuse(st, f, 413, "too-costly", "Bundle.entry", "at most %d entries a message",
                      FEED_MAX);
    size_t i;
    json_t *en;
    json_array_foreach(list, i, en) {
        feed_entry *x = &f->e[f->n++];
        memset(x, 0, sizeof *x);
        x->resource = json_object_get(en, "resource");
        x->full_url = json_string_value(json_object_get(en, "fullUrl"));
        json_t *rq = json_object_get(en, "request");
        const char *method = str(rq, "method"), *url = str(rq, "url");
        snprintf(f->expr, sizeof f->expr, "Bundle.entry[%zu]", i);
        if (strcmp(str(x->resource, "resourceType"), "Patient") != 0)
            return refuse(st, f, 400, "invalid", f->expr, "entry %zu: only Patient resources "
                          "are fed (IHE PMIR)", i);
        if (strcmp(method, "POST") == 0) {
            x->kind = FEED_CREATE;
        } else if (strcmp(method, "PUT") == 0) {
            x->kind = merge_of(x->resource, &x->survivor) ? FEED_MERGE : FEED_UPDATE;
            x->id = patient_ref(url);
            if (x->id == 0)
                return refuse(st, f, 400, "invalid", f->expr, "entry %zu: PUT needs "
                              "request.url Patient/{id} (a Socle Patient id)", i);
            if (x->kind == FEED_MERGE && x->survivor == 0)
                return refuse(st, f, 400, "invalid", f->expr, "entry %zu: link replaced-by "
                              "needs other.reference Patient/{id}", i);
        } else if (strcmp(method, "DELETE") == 0) {
            return refuse(st, f, 422, "not-supported", f->expr, "entry %zu: Socle never "
                          "deletes an identity (merge it: PUT with active false and link "
                          "replaced-by)", i);
        } else {
            return refuse(st, f, 400, "invalid", f->expr, "entry %zu: request.method POST, "
                          "PUT or DELETE expected", i);
        }
        if (x->kind == FEED_MERGE ? !may_merge : !may_write)
            return refuse(st, f, 403, "forbidden", f->expr, "entry %zu: the role of the token "
                          "may not %s patients through the feed", i,
                          x->kind == FEED_MERGE ? "merge" : "create or update");
    }
    return 1;
}

/* A merge operand: 1 active and visible, else 0 with a refusal. */
static int operand(store *st, feed *f, int64_t id, size_t i, const char *what)
{
    identity_patient p;
    int found = identity_patient_read_in_tx(st, f->c->actor, id, &p, f->c->err);
    int visible = !f->c->scoped, active = p.ght.state == GHT_ACTIVE;
    for (size_t k = 0; found > 0 && !visible && k < p.hit.n_locals; k++)
        visible = fhir_call_in_scope(f->c, p.hit.locals[k].domain_oid);
    identity_patient_free(&p);
    if (found < 0)
        return -1;
    snprintf(f->expr, sizeof f->expr, "Bundle.entry[%zu]", i);
    if (!found)
        return refuse(st, f, 404, "not-found", f->expr, "entry %zu: no %s Patient/%" PRId64,
                      i, what, id);
    if (!visible)
        return refuse(st, f, 403, "forbidden", f->expr, "entry %zu: Patient/%" PRId64 " is "
                      "not known to the establishments of the token", i, id);
    if (!active)
        return refuse(st, f, 422, "business-rule", f->expr, "entry %zu: Patient/%" PRId64
                      " was merged away already", i, id);
    return 1;
}

/* The second pass: one entry written. 1, 0 refused, -1 error. */
static int write_entry(store *st, feed *f, size_t i)
{
    feed_entry *x = &f->e[i];
    if (x->kind == FEED_MERGE) {
        int rc = operand(st, f, x->id, i, "absorbed");
        if (rc > 0)
            rc = operand(st, f, x->survivor, i, "surviving");
        if (rc <= 0)
            return rc;
        char reason[SOCLE_REASON_MAX];
        snprintf(reason, sizeof reason, "IHE PMIR feed %.64s by %s", f->header_id,
                 f->c->actor->id);
        if (identity_merge_declared_in_tx(st, f->c->actor, x->survivor, x->id, reason, NULL,
                                          f->c->err) != 0) {
            int code = f->c->err->code;
            if (code != SOCLE_ERULE && code != SOCLE_ENOTFOUND && code != SOCLE_ECONFLICT)
                return -1;
            return refuse(st, f, code == SOCLE_ECONFLICT ? 409 : 422,
                          code == SOCLE_ECONFLICT ? "conflict" : "business-rule", f->expr,
                          "entry %zu: %s", i, f->c->err->msg);
        }
        x->result = x->survivor;
        return 1;
    }
    char *text = json_dumps(x->resource, JSON_COMPACT);
    if (text == NULL)
        return err_set(f->c->err, SOCLE_EIO, "out of memory");
    fhir_patient_in pin;
    fhir_search_error e;
    int parsed = fhir_patient_parse(text, strlen(text), &pin, &e) == 0;
    free(text);
    snprintf(f->expr, sizeof f->expr, "Bundle.entry[%zu]", i);
    if (!parsed)
        return refuse(st, f, 400, e.code, f->expr, "entry %zu: %s (%s)", i, e.msg,
                      e.expression ? e.expression : "Patient");
    if (x->kind == FEED_UPDATE && pin.id[0] != '\0' && fhir_parse_id(pin.id) != x->id)
        return refuse(st, f, 400, "invalid", f->expr, "entry %zu: the resource's id is not "
                      "the id of request.url", i);
    fhir_refusal r;
    int rc = fhir_patient_write_in_tx(st, f->c, &pin, x->kind == FEED_UPDATE ? x->id : 0,
                                      &x->result, &r);
    if (rc == 0)
        return refuse(st, f, r.status, r.code, f->expr, "entry %zu: %s (%s)", i, r.msg,
                      r.expression ? r.expression : "Patient");
    return rc;
}

/* The history Bundle of the response: each entry's outcome. */
static json_t *entry_responses(const feed *f)
{
    json_t *h = json_pack("{s:s, s:s, s:[]}", "resourceType", "Bundle", "type", "history",
                          "entry");
    for (size_t i = 0; i < f->n; i++) {
        const feed_entry *x = &f->e[i];
        char loc[48], url[48];
        snprintf(loc, sizeof loc, "Patient/%" PRId64, x->result);
        if (x->kind == FEED_CREATE)
            snprintf(url, sizeof url, "Patient");
        else
            snprintf(url, sizeof url, "Patient/%" PRId64, x->id);
        /* A history entry has its request (bdl-3), then its response. */
        json_t *en = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "request", "method",
                               x->kind == FEED_CREATE ? "POST" : "PUT", "url", url,
                               "response", "status",
                               x->kind == FEED_CREATE ? "201 Created" : "200 OK",
                               "location", loc);
        if (x->full_url != NULL)
            json_object_set_new(en, "fullUrl", json_string(x->full_url));
        json_array_append_new(json_object_get(h, "entry"), en);
    }
    return h;
}

int fhir_pmir_feed(store *st, fhir_call *c, int may_write, int may_merge)
{
    feed *f = calloc(1, sizeof *f);
    if (f == NULL)
        return err_set(c->err, SOCLE_EIO, "out of memory");
    f->c = c;
    c->break_glass = NULL;   /* a write: no use here */
    json_t *history = NULL;
    int rc = read_message(st, f, may_write, may_merge, &history);
    for (size_t i = 0; rc > 0 && i < f->n; i++)
        rc = write_entry(st, f, i);
    if (rc > 0) {
        char detail[160];
        snprintf(detail, sizeof detail, "message %.64s: %zu entries", f->header_id, f->n);
        rc = audit_log(st, c->actor, "identity.feed", "message", f->header_id, "success",
                       detail, c->err) == 0 ? 1 : -1;
    }
    if (rc > 0) {
        fhir_call_answer(c, 200, response_message(f, "ok", NULL, entry_responses(f)));
        rc = store_commit(st, c->err);
    }
    json_decref(f->msg);
    free(f);
    return rc < 0 ? -1 : 0;
}
