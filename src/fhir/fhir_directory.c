/*
 * fhir_directory.c - reads and searches of the directory resources
 * (fhir_directory.h).
 */
#include "fhir/fhir_directory.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/structure_read.h"
#include "fhir/auditevent.h"
#include "fhir/fhir_common.h"
#include "fhir/fhir_search.h"
#include "fhir/organization.h"
#include "fhir/practitioner.h"
#include "util/timeutil.h"

static const char *const type_names[] = {
    [FHIR_DIR_ORGANIZATION] = "Organization", [FHIR_DIR_LOCATION] = "Location",
    [FHIR_DIR_PRACTITIONER] = "Practitioner", [FHIR_DIR_PRACTITIONER_ROLE] = "PractitionerRole",
    [FHIR_DIR_AUDIT_EVENT] = "AuditEvent",
};

http_right fhir_directory_right(fhir_dir_type type)
{
    switch (type) {
    case FHIR_DIR_AUDIT_EVENT:  return RIGHT_AUDIT_READ;
    /* As the workbench's structures tree: bed occupancy tells where people are. */
    case FHIR_DIR_ORGANIZATION:
    case FHIR_DIR_LOCATION:     return RIGHT_STRUCTURE_READ;
    default:                    return RIGHT_DIRECTORY_READ;
    }
}

typedef struct reply {
    unsigned *status;
    json_t **body;
} reply;

static void set(reply *r, unsigned status, json_t *body)
{
    *r->status = status;
    *r->body = body;
}

/* A refused search: the OperationOutcome, and the refusal audited. */
static int refuse(struct store *st, const socle_actor *actor, reply *r, const char *action,
                  const char *object_type, const fhir_search_error *e, socle_err *err)
{
    set(r, 400, fhir_outcome(e->code, e->msg, e->expression));
    return audit_log(st, actor, action, object_type, NULL, "denied", e->msg, err);
}

static void today(char out[11])
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    memcpy(out, now, 10);
    out[10] = '\0';
}

static json_t *structure_resource(fhir_dir_type type, const structure_view *v, const char *day)
{
    return type == FHIR_DIR_LOCATION ? fhir_location_from_view(v, day)
                                     : fhir_organization_from_view(v, day);
}

static int structure_read(struct store *st, const socle_actor *actor, fhir_dir_type type,
                          const char *id, reply *r, socle_err *err)
{
    unsigned kinds = type == FHIR_DIR_LOCATION ? FHIR_LOCATION_KINDS : FHIR_ORGANIZATION_KINDS;
    structure_view v;
    int found = structure_read_in_tx(st, actor, fhir_parse_id(id), kinds, &v, err);
    if (found < 0)
        return -1;
    if (!found) {
        char msg[64];
        snprintf(msg, sizeof msg, "no %s with this id", type_names[type]);
        set(r, 404, fhir_outcome("not-found", msg, NULL));
        return 0;
    }
    char day[11];
    today(day);
    set(r, 200, structure_resource(type, &v, day));
    return 0;
}

static int structure_search(struct store *st, const socle_actor *actor,
                            const http_request *req, fhir_dir_type type, reply *r,
                            socle_err *err)
{
    structure_search_criteria c;
    fhir_search_error e;
    if (fhir_structure_params(req, type == FHIR_DIR_LOCATION, &c, &e) != 0)
        return refuse(st, actor, r, "structure.search", "structure", &e, err);
    structure_search_result res;
    if (structure_search_in_tx(st, actor, &c, &res, err) != 0) {
        structure_search_result_free(&res);
        return -1;
    }
    buf self = { 0 }, next = { 0 };
    fhir_page_urls(req, res.more ? res.last_id : 0, &self, &next);
    json_t *bundle = fhir_bundle_new(res.total, buf_cstr(&self),
                                     res.more ? buf_cstr(&next) : NULL);
    char day[11];
    today(day);
    for (size_t i = 0; i < res.count; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s/fhir/%s/%" PRId64, req->base, type_names[type],
                 res.views[i].node.id);
        fhir_bundle_add(bundle, full, structure_resource(type, &res.views[i], day));
    }
    buf_free(&self);
    buf_free(&next);
    structure_search_result_free(&res);
    set(r, 200, bundle);
    return 0;
}

static void not_found(reply *r, fhir_dir_type type)
{
    char msg[64];
    snprintf(msg, sizeof msg, "no %s with this id", type_names[type]);
    set(r, 404, fhir_outcome("not-found", msg, NULL));
}

static int professional_read(struct store *st, const socle_actor *actor, fhir_dir_type type,
                             const char *id, reply *r, socle_err *err)
{
    int found;
    if (type == FHIR_DIR_PRACTITIONER) {
        professional p;
        found = professional_read_in_tx(st, actor, fhir_parse_id(id), &p, err);
        if (found > 0)
            set(r, 200, fhir_practitioner_from(&p));
    } else {
        pro_role_view v;
        found = pro_role_read_in_tx(st, actor, fhir_parse_id(id), &v, err);
        if (found > 0)
            set(r, 200, fhir_practitioner_role_from(&v));
    }
    if (found == 0)
        not_found(r, type);
    return found < 0 ? -1 : 0;
}

static int professional_search(struct store *st, const socle_actor *actor,
                               const http_request *req, fhir_dir_type type, reply *r,
                               socle_err *err)
{
    int roles = type == FHIR_DIR_PRACTITIONER_ROLE;
    professional_search_criteria c;
    fhir_search_error e;
    if (fhir_professional_params(req, roles, &c, &e) != 0)
        return refuse(st, actor, r, roles ? "professional_role.search" : "professional.search",
                      roles ? "professional_role" : "professional", &e, err);
    professional_search_result res;
    if (professional_search_in_tx(st, actor, roles, &c, &res, err) != 0) {
        professional_search_result_free(&res);
        if (err->code != SOCLE_EINVAL)
            return -1;
        e.code = "invalid";
        e.expression = NULL;
        snprintf(e.msg, sizeof e.msg, "%.200s", err->msg);
        err_clear(err);
        return refuse(st, actor, r, "professional.search", "professional", &e, err);
    }
    buf self = { 0 }, next = { 0 };
    fhir_page_urls(req, res.more ? res.last_id : 0, &self, &next);
    json_t *bundle = fhir_bundle_new(res.total, buf_cstr(&self),
                                     res.more ? buf_cstr(&next) : NULL);
    for (size_t i = 0; i < res.count; i++) {
        int64_t rid = roles ? res.roles[i].role.id : res.pros[i].id;
        char full[512];
        snprintf(full, sizeof full, "%s/fhir/%s/%" PRId64, req->base, type_names[type], rid);
        fhir_bundle_add(bundle, full, roles ? fhir_practitioner_role_from(&res.roles[i])
                                            : fhir_practitioner_from(&res.pros[i]));
    }
    buf_free(&self);
    buf_free(&next);
    professional_search_result_free(&res);
    set(r, 200, bundle);
    return 0;
}

static int audit_read(struct store *st, const socle_actor *actor, const char *id, reply *r,
                      socle_err *err)
{
    audit_record rec;
    int found = audit_read_in_tx(st, actor, fhir_parse_id(id), &rec, err);
    if (found < 0)
        return -1;
    if (found)
        set(r, 200, fhir_auditevent_from(&rec));
    else
        not_found(r, FHIR_DIR_AUDIT_EVENT);
    return 0;
}

static int audit_search(struct store *st, const socle_actor *actor, const http_request *req,
                        reply *r, socle_err *err)
{
    fhir_audit_params p;
    fhir_search_error e;
    if (fhir_audit_params_parse(req, &p, &e) != 0)
        return refuse(st, actor, r, "audit.search", "audit", &e, err);
    audit_record *recs = calloc(p.limit + 1, sizeof *recs);
    if (recs == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    size_t n = 0;
    int64_t total = 0;
    if (audit_event_search_in_tx(st, actor, &p.q, p.limit + 1, recs, &n, p.count_total ? &total
                           : NULL, p.names, err) != 0) {
        free(recs);
        return -1;
    }
    int more = n > p.limit;
    if (more)
        n = p.limit;
    buf self = { 0 }, next = { 0 };
    fhir_page_urls(req, more ? recs[n - 1].seq : 0, &self, &next);
    json_t *bundle = fhir_bundle_new(total, buf_cstr(&self), more ? buf_cstr(&next) : NULL);
    if (!p.count_total)
        json_object_del(bundle, "total");
    for (size_t i = 0; i < n; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s/fhir/AuditEvent/%lld", req->base,
                 (long long)recs[i].seq);
        fhir_bundle_add(bundle, full, fhir_auditevent_from(&recs[i]));
    }
    buf_free(&self);
    buf_free(&next);
    free(recs);
    set(r, 200, bundle);
    return 0;
}

int fhir_directory_handle(struct store *st, const socle_actor *actor, const http_request *req,
                          fhir_dir_type type, const char *id, unsigned *status, json_t **body,
                          socle_err *err)
{
    reply r = { status, body };
    switch (type) {
    case FHIR_DIR_ORGANIZATION:
    case FHIR_DIR_LOCATION:
        return id ? structure_read(st, actor, type, id, &r, err)
                  : structure_search(st, actor, req, type, &r, err);
    case FHIR_DIR_PRACTITIONER:
    case FHIR_DIR_PRACTITIONER_ROLE:
        return id ? professional_read(st, actor, type, id, &r, err)
                  : professional_search(st, actor, req, type, &r, err);
    case FHIR_DIR_AUDIT_EVENT:
        return id ? audit_read(st, actor, id, &r, err) : audit_search(st, actor, req, &r, err);
    }
    return err_set(err, SOCLE_EINTERNAL, "unknown directory type %d", (int)type);
}

static json_t *param(const char *name, const char *type)
{
    return json_pack("{s:s, s:s}", "name", name, "type", type);
}

static json_t *read_search(const char *type, const char *profile)
{
    return json_pack("{s:s, s:s, s:[{s:s}, {s:s}], s:[]}", "type", type, "profile", profile,
                     "interaction", "code", "read", "code", "search-type", "searchParam");
}

void fhir_directory_capability(json_t *resources)
{
    const char *types[] = { "Organization", "Location" };
    const char *profiles[] = { FHIR_PROFILE_ORGANIZATION, FHIR_PROFILE_LOCATION };
    for (size_t i = 0; i < 2; i++) {
        json_t *r = read_search(types[i], profiles[i]);
        json_t *p = json_object_get(r, "searchParam");
        json_array_append_new(p, param("_id", "token"));
        json_array_append_new(p, param("identifier", "token"));
        json_array_append_new(p, param("name", "string"));
        json_array_append_new(p, param("partof", "reference"));
        json_array_append_new(p, param("type", "token"));
        json_array_append_new(p, param("_count", "number"));
        json_array_append_new(resources, r);
    }
    json_t *r = read_search("Practitioner", FHIR_PROFILE_PRACTITIONER);
    json_t *p = json_object_get(r, "searchParam");
    json_array_append_new(p, param("_id", "token"));
    json_array_append_new(p, param("identifier", "token"));
    json_array_append_new(p, param("family", "string"));
    json_array_append_new(p, param("name", "string"));
    json_array_append_new(p, param("_count", "number"));
    json_array_append_new(resources, r);
    r = json_pack("{s:s, s:[{s:s}, {s:s}], s:[]}", "type", "PractitionerRole", "interaction",
                  "code", "read", "code", "search-type", "searchParam");
    p = json_object_get(r, "searchParam");
    json_array_append_new(p, param("_id", "token"));
    json_array_append_new(p, param("practitioner", "reference"));
    json_array_append_new(p, param("organization", "reference"));
    json_array_append_new(p, param("_count", "number"));
    json_array_append_new(resources, r);
    r = json_pack("{s:s, s:[{s:s}, {s:s}], s:[]}", "type", "AuditEvent", "interaction",
                  "code", "read", "code", "search-type", "searchParam");
    p = json_object_get(r, "searchParam");
    const char *const audit_params[][2] = {
        { "_id", "token" }, { "date", "date" }, { "agent", "reference" },
        { "altid", "token" }, { "action", "token" }, { "subtype", "token" },
        { "entity", "reference" }, { "outcome", "token" }, { "_count", "number" },
    };
    for (size_t i = 0; i < sizeof audit_params / sizeof audit_params[0]; i++)
        json_array_append_new(p, param(audit_params[i][0], audit_params[i][1]));
    json_array_append_new(resources, r);
}
