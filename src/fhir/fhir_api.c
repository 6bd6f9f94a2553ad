/*
 * fhir_api.c - the FHIR R4 interface (fhir_api.h): authentication,
 * rights, scoping, dispatch. Search parameters are parsed in
 * fhir_search.c; resources are mapped in patient.c and encounter.c.
 */
#include "fhir/fhir_api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/access.h"
#include "core/identity.h"
#include "fhir/capability.h"
#include "fhir/encounter.h"
#include "fhir/fhir_directory.h"
#include "fhir/fhir_common.h"
#include "fhir/fhir_search.h"
#include "fhir/patient.h"
#include "http/ratelimit.h"
#include "fhir/patient_ops.h"
#include "http/rights.h"
#include "http/token_cache.h"
#include "server_context.h"
#include "store/store.h"
#include "store/readers.h"
#include "store/writer.h"
#include "util/log.h"

enum { H_METADATA, H_PATIENT_READ, H_PATIENT_SEARCH, H_ENCOUNTER_READ, H_ENCOUNTER_SEARCH,
       H_PATIENT_VREAD, H_PATIENT_HISTORY, H_PATIENT_CREATE, H_PATIENT_UPDATE,
       H_PATIENT_MERGE, H_PATIENT_UNMERGE, H_PATIENT_PIX, H_PATIENT_MATCH,
       H_DIRECTORY };   /* last: H_DIRECTORY + fhir_dir_type * 2 + (0 search, 1 read) */
#define H_DIR(type, read) (H_DIRECTORY + (int)(type) * 2 + (read))

/* The operations come before Patient/{} (the first match wins). */
static const http_route routes[] = {
    { "GET", "/fhir/metadata", H_METADATA },
    { "POST", "/fhir/Patient/$merge", H_PATIENT_MERGE },
    { "POST", "/fhir/Patient/$unmerge", H_PATIENT_UNMERGE },
    { "POST", "/fhir/Patient/$match", H_PATIENT_MATCH },
    { "GET", "/fhir/Patient/$ihe-pix", H_PATIENT_PIX },
    { "GET", "/fhir/Patient", H_PATIENT_SEARCH },
    { "POST", "/fhir/Patient", H_PATIENT_CREATE },
    { "GET", "/fhir/Patient/{}", H_PATIENT_READ },
    { "PUT", "/fhir/Patient/{}", H_PATIENT_UPDATE },
    { "GET", "/fhir/Patient/{}/_history", H_PATIENT_HISTORY },
    { "GET", "/fhir/Patient/{}/_history/{}", H_PATIENT_VREAD },
    { "GET", "/fhir/Encounter", H_ENCOUNTER_SEARCH },
    { "GET", "/fhir/Encounter/{}", H_ENCOUNTER_READ },
    { "GET", "/fhir/Organization", H_DIR(FHIR_DIR_ORGANIZATION, 0) },
    { "GET", "/fhir/Organization/{}", H_DIR(FHIR_DIR_ORGANIZATION, 1) },
    { "GET", "/fhir/Location", H_DIR(FHIR_DIR_LOCATION, 0) },
    { "GET", "/fhir/Location/{}", H_DIR(FHIR_DIR_LOCATION, 1) },
    { "GET", "/fhir/Practitioner", H_DIR(FHIR_DIR_PRACTITIONER, 0) },
    { "GET", "/fhir/Practitioner/{}", H_DIR(FHIR_DIR_PRACTITIONER, 1) },
    { "GET", "/fhir/PractitionerRole", H_DIR(FHIR_DIR_PRACTITIONER_ROLE, 0) },
    { "GET", "/fhir/PractitionerRole/{}", H_DIR(FHIR_DIR_PRACTITIONER_ROLE, 1) },
    { "GET", "/fhir/AuditEvent", H_DIR(FHIR_DIR_AUDIT_EVENT, 0) },
    { "GET", "/fhir/AuditEvent/{}", H_DIR(FHIR_DIR_AUDIT_EVENT, 1) },
};

static void answer(http_response *resp, unsigned status, json_t *body)
{
    json_decref(resp->body);
    resp->status = status;
    resp->body = body;
    resp->content_type = FHIR_MIME;
}

static void fail(http_response *resp, unsigned status, const char *code, const char *msg,
                 const char *expression)
{
    answer(resp, status, fhir_outcome(code, msg, expression));
}

/* ---- Units of work ------------------------------------------------------ */

typedef struct fhir_unit {
    const http_request *req;
    const http_match *m;
    const token_claims *claims;   /* NULL: an audit-only unit */
    socle_actor actor;
    const char *break_glass;      /* reason, NULL when not asked */
    const char *deny_action;      /* audit-only unit: what was refused */
    const char *deny_detail;
    http_response *resp;
    int failed;
    socle_err err;
} fhir_unit;

static int audit_denied(store *st, fhir_unit *u, const char *action, const char *type,
                        const char *id, const char *detail)
{
    store_rollback(st);
    if (store_begin(st, &u->err) != 0)
        return -1;
    if (audit_log(st, &u->actor, action, type, id, "denied", detail, &u->err) != 0)
        return -1;
    return store_commit(st, &u->err);
}

static int audit_break_glass(store *st, fhir_unit *u, const char *type, const char *id)
{
    return audit_log(st, &u->actor, "access.break_glass", type, id, "success",
                     u->break_glass, &u->err);
}

static void self_url(const http_request *req, buf *out)
{
    buf_printf(out, "%s%s", req->base, req->path);
    for (size_t i = 0; i < req->n_params; i++) {
        buf_putc(out, i ? '&' : '?');
        fhir_url_encode(out, req->params[i].name);
        buf_putc(out, '=');
        fhir_url_encode(out, req->params[i].value);
    }
}

/* The next page: after the last id (_cursor), or for a sorted search
 * (sorted) at the next offset (_offset). */
static void next_url(const http_request *req, int sorted, int64_t cursor, buf *out)
{
    const char *name = sorted ? "_offset" : "_cursor";
    buf_printf(out, "%s%s?", req->base, req->path);
    for (size_t i = 0; i < req->n_params; i++) {
        if (strcmp(req->params[i].name, name) == 0)
            continue;
        fhir_url_encode(out, req->params[i].name);
        buf_putc(out, '=');
        fhir_url_encode(out, req->params[i].value);
        buf_putc(out, '&');
    }
    buf_printf(out, "%s=%" PRId64, name, cursor);
}

static int patient_read(store *st, fhir_unit *u, const access_scope *sc)
{
    const char *id = u->m->captures[0];
    int64_t ght_id = fhir_parse_id(id);
    identity_patient p;
    int found = identity_patient_read_in_tx(st, &u->actor, ght_id, &p, &u->err);
    if (found < 0) {
        identity_patient_free(&p);
        return -1;
    }
    if (!found) {
        identity_patient_free(&p);
        fail(u->resp, 404, "not-found", "no Patient with this id", NULL);
        return store_commit(st, &u->err);
    }
    const identity_hit *h = p.ght.state == GHT_ACTIVE ? &p.hit : &p.survivor_hit;
    if (sc->scoped && !access_scope_has_hit(sc, h)) {
        if (u->break_glass == NULL) {
            identity_patient_free(&p);
            fail(u->resp, 403, "forbidden", "this patient is not known to the establishments "
                 "of the token (header " FHIR_BREAK_GLASS_HEADER ": <reason> to read it "
                 "anyway, audited)", NULL);
            return audit_denied(st, u, "identity.read", "ght_identity", id,
                                "outside the token's establishments");
        }
        if (audit_break_glass(st, u, "ght_identity", id) != 0) {
            identity_patient_free(&p);
            return -1;
        }
    }
    answer(u->resp, 200, fhir_patient_from_read(&p));
    if (p.version > 0) {
        fhir_call vc = { .resp = u->resp };
        fhir_call_version_headers(&vc, p.version, p.version_at);
    }
    identity_patient_free(&p);
    return store_commit(st, &u->err);
}

static int patient_search(store *st, fhir_unit *u, const access_scope *sc)
{
    identity_search_criteria c;
    fhir_search_error e;
    int only_inactive = 0;
    if (fhir_patient_params(u->req, &c, &only_inactive, &e) != 0) {
        fail(u->resp, 400, e.code, e.msg, e.expression);
        return audit_denied(st, u, "identity.search", "ght_identity", NULL, e.msg);
    }
    int widened = sc->scoped && u->break_glass != NULL;
    int out_of_scope = !widened && access_scope_restrict_search(sc, &c) != 0;
    identity_search_result r;
    memset(&r, 0, sizeof r);
    /* A token limited to unknown establishments sees nobody; active=false
     * finds nobody (a merged-away Patient is read, not searched). */
    int nobody = out_of_scope || only_inactive;
    if (!nobody && identity_search_in_tx(st, &u->actor, &c, &r, &u->err) != 0) {
        identity_search_result_free(&r);
        if (u->err.code == SOCLE_EINVAL || u->err.code == SOCLE_ENOTFOUND) {
            fail(u->resp, 400, "invalid", u->err.msg, NULL);
            return audit_denied(st, u, "identity.search", "ght_identity", NULL, u->err.msg);
        }
        return -1;
    }
    if (nobody && audit_log(st, &u->actor, "identity.search", "ght_identity", NULL,
                            "success", "results=0 (out of scope or inactive)", &u->err) != 0)
        return -1;
    if (widened && audit_break_glass(st, u, "ght_identity", NULL) != 0) {
        identity_search_result_free(&r);
        return -1;
    }
    buf self = { 0 }, next = { 0 };
    self_url(u->req, &self);
    if (r.more)
        next_url(u->req, c.sort != 0, c.sort ? c.offset + (int64_t)(c.limit == 0
                 || c.limit > IDENTITY_SEARCH_MAX ? IDENTITY_SEARCH_MAX : c.limit)
                 : r.last_ght_id, &next);
    json_t *bundle = fhir_bundle_new(r.total, buf_cstr(&self), r.more ? buf_cstr(&next) : NULL);
    if (c.no_total)
        json_object_del(bundle, "total");
    for (size_t i = 0; i < r.count; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s/fhir/Patient/%" PRId64, u->req->base, r.hits[i].ght_id);
        fhir_bundle_add(bundle, full, fhir_patient_from_hit(&r.hits[i], r.ght_oid));
    }
    buf_free(&self);
    buf_free(&next);
    identity_search_result_free(&r);
    answer(u->resp, 200, bundle);
    return store_commit(st, &u->err);
}

static int encounter_read(store *st, fhir_unit *u, const access_scope *sc)
{
    const char *id = u->m->captures[0];
    stay_view v;
    int found = stay_read_in_tx(st, &u->actor, fhir_parse_id(id), &v, &u->err);
    if (found < 0) {
        stay_view_free(&v);
        return -1;
    }
    if (!found) {
        stay_view_free(&v);
        fail(u->resp, 404, "not-found", "no Encounter with this id", NULL);
        return store_commit(st, &u->err);
    }
    if (sc->scoped && !access_scope_has_oid(sc, v.domain.oid)) {
        if (u->break_glass == NULL) {
            stay_view_free(&v);
            fail(u->resp, 403, "forbidden", "this stay is not in the establishments of the "
                 "token (header " FHIR_BREAK_GLASS_HEADER ": <reason> to read it anyway, "
                 "audited)", NULL);
            return audit_denied(st, u, "stay.read", "stay", id,
                                "outside the token's establishments");
        }
        if (audit_break_glass(st, u, "stay", id) != 0) {
            stay_view_free(&v);
            return -1;
        }
    }
    answer(u->resp, 200, fhir_encounter_from_stay(&v));
    if (v.stay.version > 0) {
        fhir_call vc = { .resp = u->resp };
        fhir_call_version_headers(&vc, v.stay.version, v.stay.updated_at);
    }
    stay_view_free(&v);
    return store_commit(st, &u->err);
}

/* _include=Encounter:patient: each distinct patient of the page once, as an
 * entry with search.mode include. A read like any other (audited); the
 * scope applies to it too, although a stay in scope is a local identity
 * in scope, so only a broken-glass search can meet a patient outside. */
static int include_patients(store *st, fhir_unit *u, const access_scope *sc,
                            const stay_search_result *r, json_t *bundle)
{
    for (size_t i = 0; i < r->count; i++) {
        int64_t id = r->stays[i].ght_id;
        int seen = id <= 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = r->stays[k].ght_id == id;
        if (seen)
            continue;
        identity_patient p;
        int found = identity_patient_read_in_tx(st, &u->actor, id, &p, &u->err);
        if (found < 0) {
            identity_patient_free(&p);
            return -1;
        }
        const identity_hit *h = found && p.ght.state == GHT_ACTIVE ? &p.hit : &p.survivor_hit;
        if (found && (!sc->scoped || u->break_glass != NULL || access_scope_has_hit(sc, h))) {
            char full[512];
            snprintf(full, sizeof full, "%s/fhir/Patient/%" PRId64, u->req->base, id);
            json_t *entry = json_pack("{s:s, s:o, s:{s:s}}", "fullUrl", full, "resource",
                                      fhir_patient_from_read(&p), "search", "mode", "include");
            json_array_append_new(json_object_get(bundle, "entry"), entry);
        }
        identity_patient_free(&p);
    }
    return 0;
}

static int encounter_search(store *st, fhir_unit *u, const access_scope *sc)
{
    stay_search_criteria c;
    fhir_search_error e;
    if (fhir_encounter_params(u->req, &c, &e) != 0) {
        fail(u->resp, 400, e.code, e.msg, e.expression);
        return audit_denied(st, u, "stay.search", "stay", NULL, e.msg);
    }
    int widened = sc->scoped && u->break_glass != NULL;
    if (sc->scoped && !widened) {
        c.restrict_domains = 1;
        for (size_t i = 0; i < sc->n && i < STAY_SEARCH_DOMAINS_MAX; i++)
            c.in_domains[c.n_in_domains++] = sc->doms[i].id;
    }
    stay_search_result r;
    if (stay_search_in_tx(st, &u->actor, &c, &r, &u->err) != 0) {
        stay_search_result_free(&r);
        if (u->err.code == SOCLE_EINVAL) {
            fail(u->resp, 400, "invalid", u->err.msg, NULL);
            return audit_denied(st, u, "stay.search", "stay", NULL, u->err.msg);
        }
        return -1;
    }
    if (widened && audit_break_glass(st, u, "stay", NULL) != 0) {
        stay_search_result_free(&r);
        return -1;
    }
    buf self = { 0 }, next = { 0 };
    self_url(u->req, &self);
    if (r.more)
        next_url(u->req, c.sort != 0, c.sort ? c.offset + (int64_t)(c.limit == 0
                 || c.limit > STAY_SEARCH_MAX ? STAY_SEARCH_MAX : c.limit) : r.last_id, &next);
    json_t *bundle = fhir_bundle_new(r.total, buf_cstr(&self), r.more ? buf_cstr(&next) : NULL);
    if (c.no_total)
        json_object_del(bundle, "total");
    for (size_t i = 0; i < r.count; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s/fhir/Encounter/%" PRId64, u->req->base,
                 r.stays[i].stay.id);
        fhir_bundle_add(bundle, full, fhir_encounter_from_stay(&r.stays[i]));
    }
    if (http_param_get(u->req, "_include") != NULL
        && include_patients(st, u, sc, &r, bundle) != 0) {
        json_decref(bundle);
        buf_free(&self);
        buf_free(&next);
        stay_search_result_free(&r);
        return -1;
    }
    buf_free(&self);
    buf_free(&next);
    stay_search_result_free(&r);
    answer(u->resp, 200, bundle);
    return store_commit(st, &u->err);
}

static int directory(store *st, fhir_unit *u)
{
    int k = u->m->handler - H_DIRECTORY;
    json_t *body = NULL;
    unsigned status = 500;
    if (fhir_directory_handle(st, &u->actor, u->req, (fhir_dir_type)(k / 2),
                              k % 2 ? u->m->captures[0] : NULL, &status, &body, &u->err) != 0) {
        json_decref(body);
        return -1;
    }
    answer(u->resp, status, body);
    return store_commit(st, &u->err);
}

static void run_unit(store *st, void *arg)
{
    fhir_unit *u = arg;
    err_clear(&u->err);
    if (store_begin(st, &u->err) != 0) {
        u->failed = 1;
        return;
    }
    int rc;
    if (u->claims == NULL) {
        rc = audit_log(st, &u->actor, u->deny_action, "http", u->req->path, "denied",
                       u->deny_detail, &u->err);
        if (rc == 0)
            rc = store_commit(st, &u->err);
    } else if (u->m->handler >= H_DIRECTORY) {
        rc = directory(st, u);
    } else {
        access_scope sc;
        rc = access_scope_resolve(st, (const char (*)[SOCLE_FINESS_MAX])u->claims->ej,
                                  u->claims->ej_count, &sc, &u->err);
        fhir_call call = { .req = u->req, .id = u->m->captures[0],
                           .arg = u->m->n_captures > 1 ? u->m->captures[1] : NULL,
                           .actor = &u->actor, .break_glass = u->break_glass,
                           .scoped = sc.scoped, .doms = sc.doms, .n_doms = sc.n,
                           .resp = u->resp, .err = &u->err };
        if (rc == 0) {
            switch (u->m->handler) {
            case H_PATIENT_VREAD:    rc = fhir_patient_vread(st, &call); break;
            case H_PATIENT_HISTORY:  rc = fhir_patient_history(st, &call); break;
            case H_PATIENT_CREATE:   rc = fhir_patient_create(st, &call); break;
            case H_PATIENT_UPDATE:   rc = fhir_patient_update(st, &call); break;
            case H_PATIENT_MERGE:    rc = fhir_patient_merge(st, &call); break;
            case H_PATIENT_UNMERGE:  rc = fhir_patient_unmerge(st, &call); break;
            case H_PATIENT_PIX:      rc = fhir_patient_pix(st, &call); break;
            case H_PATIENT_MATCH:    rc = fhir_patient_match(st, &call); break;
            case H_PATIENT_READ:     rc = patient_read(st, u, &sc); break;
            case H_PATIENT_SEARCH:   rc = patient_search(st, u, &sc); break;
            case H_ENCOUNTER_READ:   rc = encounter_read(st, u, &sc); break;
            default:                 rc = encounter_search(st, u, &sc); break;
            }
        }
    }
    if (rc != 0) {
        store_rollback(st);
        u->failed = 1;
    }
}

/* The interactions that only read: they run on a reader (store/readers.h),
 * side by side and beside the writer, instead of queueing for the one
 * writable handle. */
static int is_read_only(int handler)
{
    switch (handler) {
    case H_PATIENT_READ:
    case H_PATIENT_SEARCH:
    case H_PATIENT_VREAD:
    case H_PATIENT_HISTORY:
    case H_PATIENT_PIX:
    case H_ENCOUNTER_READ:
    case H_ENCOUNTER_SEARCH:
        return 1;
    default:
        return handler >= H_DIRECTORY;
    }
}

/* The audit records a read left on its reader, appended as one unit of the
 * writer's next batch (store/writer.h): the reads waiting at the same
 * time share one commit. */
typedef struct held_audit {
    audit_record *recs;
    size_t n;
    int failed;
    socle_err err;
} held_audit;

static void append_held_unit(store *st, void *arg)
{
    held_audit *h = arg;
    err_clear(&h->err);
    if (store_begin(st, &h->err) != 0 || audit_append_held(st, h->recs, h->n, &h->err) != 0
        || store_commit(st, &h->err) != 0) {
        store_rollback(st);
        h->failed = 1;
    }
}

/* A read answers only once its audit records are durable: a crash may
 * lose an answer, never the trace of one that left. */
static int run_read(socle_server *srv, fhir_unit *u)
{
    socle_err err;
    err_clear(&err);
    store *rd = store_readers_acquire(srv->readers, &err);
    if (rd == NULL) {
        log_error("fhir %s %s: %s", u->req->method, u->req->path, err.msg);
        return -1;
    }
    run_unit(rd, u);
    held_audit h = { 0 };
    h.n = store_audit_take_held(rd, &h.recs);
    store_readers_release(srv->readers, rd);
    if (u->failed) {
        free(h.recs);
        log_error("fhir %s %s: %s", u->req->method, u->req->path, u->err.msg);
        return -1;
    }
    int rc = 0;
    if (h.n > 0) {
        rc = store_writer_run(srv->writer, append_held_unit, &h, &err);
        if (rc == 0 && h.failed) {
            err = h.err;
            rc = -1;
        }
    }
    free(h.recs);
    if (rc != 0)
        log_error("fhir %s %s: its audit record could not be stored: %s", u->req->method,
                  u->req->path, err.msg);
    return rc;
}

static int run(socle_server *srv, fhir_unit *u)
{
    if (u->claims != NULL && srv->readers != NULL && srv->writer != NULL
        && is_read_only(u->m->handler))
        return run_read(srv, u);

    socle_err err;
    err_clear(&err);
    int rc;
    if (srv->writer != NULL) {
        rc = store_writer_run(srv->writer, run_unit, u, &err);
    } else {
        pthread_mutex_lock(&srv->store_lock);
        if (srv->store == NULL)
            rc = err_set(&err, SOCLE_EBUSY, "the store is closed");
        else {
            run_unit(srv->store, u);
            rc = 0;
        }
        pthread_mutex_unlock(&srv->store_lock);
    }
    if (rc != 0 || u->failed) {
        log_error("fhir %s %s: %s", u->req->method, u->req->path,
                  rc != 0 ? err.msg : u->err.msg);
        return -1;
    }
    return 0;
}

/* ---- Entry ---------------------------------------------------------------- */

static void deny(socle_server *srv, const http_request *req, const socle_actor *actor,
                 const char *action, const char *detail)
{
    fhir_unit u = { .req = req, .actor = *actor, .deny_action = action,
                    .deny_detail = detail };
    run(srv, &u);  /* a failure to audit a refusal is logged; the refusal stands */
}

static int format_ok(const http_request *req)
{
    const char *f = http_param_get(req, "_format");
    return f == NULL || strcmp(f, "json") == 0 || strcmp(f, "application/fhir+json") == 0
        || strcmp(f, "application/json") == 0;
}

void fhir_handle(socle_server *srv, const http_request *req, http_response *resp)
{
    http_match m;
    int found = http_route_match(routes, sizeof routes / sizeof routes[0], req->method,
                                 req->path, &m);
    if (found == 0) {
        fail(resp, 404, "not-found", "no such FHIR endpoint (see /fhir/metadata)", NULL);
        return;
    }
    if (found < 0) {
        snprintf(resp->allow, sizeof resp->allow, "%s", m.allow);
        fail(resp, 405, "not-supported", "method not supported on this endpoint", NULL);
        return;
    }
    if (!format_ok(req)) {
        fail(resp, 406, "not-supported", "only JSON is served (_format=json)", NULL);
        return;
    }
    if (req->body != NULL && req->content_type != NULL
        && strncmp(req->content_type, "application/fhir+json", 21) != 0
        && strncmp(req->content_type, "application/json", 16) != 0) {
        fail(resp, 415, "not-supported", "the body must be application/fhir+json", NULL);
        return;
    }
    if (req->too_many_params) {
        fail(resp, 400, "too-costly", "too many parameters", NULL);
        return;
    }
    if (m.handler == H_METADATA) {
        char base[300];
        snprintf(base, sizeof base, "%s/fhir", req->base);
        answer(resp, 200, fhir_capability(base));
        return;
    }

    socle_actor anon = { .id = "anonymous", .role = "" };
    const char *auth = req->authorization;
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
        snprintf(resp->www_authenticate, sizeof resp->www_authenticate, "Bearer");
        fail(resp, 401, "login", "a bearer token is required (socle token issue)", NULL);
        deny(srv, req, &anon, "http.auth", "no bearer token");
        return;
    }
    token_claims claims;
    socle_err err;
    err_clear(&err);
    if (token_cache_verify(srv->tokens, &srv->key, auth + 7, (int64_t)time(NULL), &claims,
                           &err) != 0) {
        snprintf(resp->www_authenticate, sizeof resp->www_authenticate,
                 "Bearer error=\"invalid_token\"");
        fail(resp, 401, "login", "invalid or expired token", NULL);
        deny(srv, req, &anon, "http.auth", err.msg);
        return;
    }
    socle_actor actor;
    str_copy(actor.id, sizeof actor.id, claims.subject);
    str_copy(actor.role, sizeof actor.role, role_name(claims.role));

    /* Per token (its jti): one client cannot starve the others. */
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    if (!rate_limit_take(srv->rate, claims.id[0] ? claims.id : claims.subject,
                         (int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000,
                         &resp->retry_after)) {
        char msg[160];
        snprintf(msg, sizeof msg, "too many requests for this token (limit %u a minute); "
                 "retry after %u s", srv->cfg.http_rate_limit, resp->retry_after);
        fail(resp, 429, "throttled", msg, NULL);
        return;
    }

    http_right right;
    switch (m.handler) {
    case H_ENCOUNTER_READ:
    case H_ENCOUNTER_SEARCH: right = RIGHT_ENCOUNTER_READ; break;
    case H_PATIENT_CREATE:
    case H_PATIENT_UPDATE:   right = RIGHT_PATIENT_WRITE; break;
    case H_PATIENT_MERGE:
    case H_PATIENT_MATCH:    right = RIGHT_IDENTITY_MERGE; break;
    case H_PATIENT_UNMERGE:  right = RIGHT_IDENTITY_UNMERGE; break;
    default:
        right = m.handler >= H_DIRECTORY
              ? fhir_directory_right((fhir_dir_type)((m.handler - H_DIRECTORY) / 2))
              : RIGHT_PATIENT_READ;
        break;
    }
    if (!rights_allowed(claims.role, right)) {
        char msg[128];
        snprintf(msg, sizeof msg, "role %s lacks the right %s", actor.role, right_name(right));
        fail(resp, 403, "forbidden", msg, NULL);
        deny(srv, req, &actor, right_name(right), msg);
        return;
    }
    const char *btg = req->break_glass;
    if (btg != NULL && btg[0] == '\0')
        btg = NULL;
    if (btg != NULL && !rights_allowed(claims.role, RIGHT_BREAK_GLASS)) {
        char msg[128];
        snprintf(msg, sizeof msg, "role %s may not break the glass", actor.role);
        fail(resp, 403, "forbidden", msg, NULL);
        deny(srv, req, &actor, "access.break_glass", msg);
        return;
    }
    if (btg != NULL && strlen(btg) >= SOCLE_REASON_MAX) {
        fail(resp, 400, "invalid", FHIR_BREAK_GLASS_HEADER ": reason too long", NULL);
        return;
    }
    fhir_unit u = { .req = req, .m = &m, .claims = &claims, .actor = actor,
                    .break_glass = btg, .resp = resp };
    if (run(srv, &u) != 0) {
        /* Nothing of the answer prepared leaves: not its version either. */
        resp->etag[0] = resp->last_modified[0] = resp->location[0] = '\0';
        fail(resp, 500, "exception", "the request could not be completed", NULL);
    }
}
