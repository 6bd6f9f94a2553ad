/*
 * organization.c - FHIR Organization and Location from structures
 * (organization.h).
 */
#include "fhir/organization.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/structure.h"
#include "util/buf.h"

_Static_assert(FHIR_COUNT_MAX <= STRUCTURE_SEARCH_MAX, "a _count the store cannot give");

#define CS_V2_3307 "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-3307"
#define CS_FR_V2_0203 "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
#define CS_LOCATION_TYPE "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-location-type"
#define CS_PHYSICAL_TYPE "http://terminology.hl7.org/CodeSystem/location-physical-type"
#define CS_V2_0116 "http://terminology.hl7.org/CodeSystem/v2-0116"

static const char *const org_types[STRUCTURE_KIND_COUNT] = {
    [STRUCTURE_EJ] = "LEGAL-ENTITY", [STRUCTURE_EG] = "GEOGRAPHICAL-ENTITY",
    [STRUCTURE_POLE] = "POLE", [STRUCTURE_SERVICE] = "SERVICE", [STRUCTURE_UF] = "UF",
};

static const char *const org_type_display[STRUCTURE_KIND_COUNT] = {
    [STRUCTURE_EJ] = "Entité juridique", [STRUCTURE_EG] = "Entité géographique",
    [STRUCTURE_POLE] = "Pôle", [STRUCTURE_SERVICE] = "Service",
    [STRUCTURE_UF] = "Unité fonctionnelle",
};

static int valid_today(const structure_node *n, const char *today)
{
    if (n->valid_from[0] != '\0' && strcmp(n->valid_from, today) > 0)
        return 0;
    return n->valid_to[0] == '\0' || strcmp(n->valid_to, today) >= 0;
}

static json_t *reference(const char *type, int64_t id)
{
    char ref[64];
    snprintf(ref, sizeof ref, "%s/%" PRId64, type, id);
    return json_pack("{s:s}", "reference", ref);
}

static json_t *code_identifier(const structure_node *n)
{
    return json_pack("{s:s, s:s, s:s}", "use", "official", "system",
                     FHIR_SYSTEM_STRUCTURE_CODE, "value", n->code);
}

json_t *fhir_organization_from_view(const structure_view *v, const char *today)
{
    const structure_node *n = &v->node;
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, n->id);
    json_t *ids = json_array();
    if (n->finess[0] != '\0') {
        const char *t = n->kind == STRUCTURE_EJ ? "FINEJ" : "FINEG";
        char idnst[16];
        snprintf(idnst, sizeof idnst, "1%s", n->finess);
        json_array_append_new(ids, json_pack("{s:s, s:{s:[{s:s, s:s}]}, s:s, s:s}", "use",
                                             "official", "type", "coding", "system",
                                             CS_FR_V2_0203, "code", t, "system",
                                             FHIR_SYSTEM_FINESS, "value", n->finess));
        json_array_append_new(ids, json_pack("{s:s, s:{s:[{s:s, s:s}]}, s:s, s:s}", "use",
                                             "official", "type", "coding", "system",
                                             CS_FR_V2_0203, "code", "IDNST", "system",
                                             FHIR_SYSTEM_IDNST, "value", idnst));
    }
    json_array_append_new(ids, code_identifier(n));
    const char *type = org_types[n->kind] ? org_types[n->kind] : "STRUCT-INTERNE";
    const char *display = org_type_display[n->kind] ? org_type_display[n->kind] : "";
    json_t *o = json_pack(
        "{s:s, s:s, s:{s:[s]}, s:o, s:b, s:[{s:[{s:s, s:s, s:s}]}], s:s}",
        "resourceType", "Organization", "id", id, "meta", "profile",
        n->kind == STRUCTURE_UF ? FHIR_PROFILE_ORGANIZATION_UF : FHIR_PROFILE_ORGANIZATION,
        "identifier", ids, "active", valid_today(n, today), "type", "coding", "system",
        CS_V2_3307, "code", type, "display", display, "name", n->label);
    if (n->parent_id > 0)
        json_object_set_new(o, "partOf", reference("Organization", n->parent_id));
    return o;
}

json_t *fhir_location_from_view(const structure_view *v, const char *today)
{
    const structure_node *n = &v->node;
    int bed = n->kind == STRUCTURE_LIT;
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, n->id);
    json_t *l = json_pack(
        "{s:s, s:s, s:{s:[s]}, s:[o], s:s, s:s, s:s, s:[{s:[{s:s, s:s, s:s}]}], "
        "s:{s:[{s:s, s:s, s:s}]}}",
        "resourceType", "Location", "id", id, "meta", "profile", FHIR_PROFILE_LOCATION,
        "identifier", code_identifier(n), "status", valid_today(n, today) ? "active"
                                                                          : "inactive",
        "name", n->label, "mode", "instance", "type", "coding", "system", CS_LOCATION_TYPE,
        "code", bed ? "LIT" : "CHAMB", "display", bed ? "Lit" : "Chambre", "physicalType",
        "coding", "system", CS_PHYSICAL_TYPE, "code", bed ? "bd" : "ro", "display",
        bed ? "Bed" : "Room");
    if (bed && v->occupancy_known)
        json_object_set_new(l, "operationalStatus",
                            json_pack("{s:s, s:s, s:s}", "system", CS_V2_0116, "code",
                                      v->occupied > 0 ? "O" : "U", "display",
                                      v->occupied > 0 ? "Occupied" : "Unoccupied"));
    if (v->uf_id > 0)
        json_object_set_new(l, "managingOrganization", reference("Organization", v->uf_id));
    if (bed && n->parent_id > 0)
        json_object_set_new(l, "partOf", reference("Location", n->parent_id));
    return l;
}

/* ---- Search parameters ------------------------------------------------- */

/* "system|value" or "value" into c; a system Socle does not issue
 * designates nothing (c->id = -1). */
static int structure_identifier(const char *v, structure_search_criteria *c,
                                const char *expr, fhir_search_error *e)
{
    const char *bar = strchr(v, '|');
    const char *value = bar ? bar + 1 : v;
    size_t sl = bar ? (size_t)(bar - v) : 0;
    if (value[0] == '\0')
        return fhir_search_fail(e, "invalid", expr, "identifier: a value is required (system|value)");
    int too_long;
    if (sl == 0) {
        too_long = str_copy(c->code_or_finess, sizeof c->code_or_finess, value);
    } else if (sl == strlen(FHIR_SYSTEM_FINESS) && !strncmp(v, FHIR_SYSTEM_FINESS, sl)) {
        too_long = str_copy(c->finess, sizeof c->finess, value);
    } else if (sl == strlen(FHIR_SYSTEM_IDNST) && !strncmp(v, FHIR_SYSTEM_IDNST, sl)) {
        /* idNatSt of an establishment: "1" then its FINESS. */
        if (value[0] != '1')
            c->id = -1;
        too_long = str_copy(c->finess, sizeof c->finess, value + 1);
    } else if (sl == strlen(FHIR_SYSTEM_STRUCTURE_CODE)
               && !strncmp(v, FHIR_SYSTEM_STRUCTURE_CODE, sl)) {
        too_long = str_copy(c->code, sizeof c->code, value);
    } else {
        c->id = -1;
        too_long = 0;
    }
    if (too_long)
        c->id = -1;   /* longer than any stored value: nothing matches */
    return 0;
}

/* A comma-separated list of [system|]code into a mask of kinds. */
static int structure_types(const char *v, int location, unsigned *mask, fhir_search_error *e)
{
    const char *system = location ? CS_LOCATION_TYPE : CS_V2_3307;
    char list[256];
    if (str_copy(list, sizeof list, v) != 0)
        return fhir_search_fail(e, "invalid", location ? "Location.type" : "Organization.type",
                   "type: too long");
    *mask = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        char *bar = strchr(t, '|');
        if (bar != NULL) {
            *bar = '\0';
            if (t[0] != '\0' && strcmp(t, system) != 0)
                continue;   /* another code system: matches nothing */
            t = bar + 1;
        }
        if (location) {
            if (strcmp(t, "CHAMB") == 0)
                *mask |= 1u << STRUCTURE_CHAMBRE;
            else if (strcmp(t, "LIT") == 0)
                *mask |= 1u << STRUCTURE_LIT;
        } else {
            for (int k = 0; k < STRUCTURE_KIND_COUNT; k++)
                if (org_types[k] != NULL && strcmp(t, org_types[k]) == 0)
                    *mask |= 1u << k;
        }
    }
    return 0;
}

int fhir_structure_params(const http_request *req, int location,
                          structure_search_criteria *c, fhir_search_error *e)
{
    memset(c, 0, sizeof *c);
    unsigned kinds = location ? FHIR_LOCATION_KINDS : FHIR_ORGANIZATION_KINDS;
    const char *type_name = location ? "Location" : "Organization";
    int nobody = 0;
    for (size_t i = 0; i < req->n_params; i++) {
        const char *n = req->params[i].name, *v = req->params[i].value;
        for (size_t k = 0; k < i; k++)
            if (strcmp(req->params[k].name, n) == 0)
                return fhir_search_fail(e, "not-supported", NULL, "%s: repeated parameter not supported",
                           n);
        if (strcmp(n, "_format") == 0)
            continue;
        if (strcmp(n, "_count") == 0) {
            if (fhir_search_count(v, &c->limit, e) != 0)
                return -1;
        } else if (strcmp(n, "_cursor") == 0) {
            if (fhir_search_cursor(v, &c->after_id, e) != 0)
                return -1;
        } else if (strcmp(n, "_id") == 0) {
            c->id = fhir_parse_id(v);
            if (c->id == 0)
                nobody = 1;
        } else if (strcmp(n, "identifier") == 0) {
            if (structure_identifier(v, c, location ? "Location.identifier"
                                                    : "Organization.identifier", e) != 0)
                return -1;
            if (c->id == -1)
                nobody = 1;
        } else if (strcmp(n, "name") == 0) {
            if (v[0] == '\0' || str_copy(c->name, sizeof c->name, v) != 0)
                return fhir_search_fail(e, "invalid", location ? "Location.name" : "Organization.name",
                           "name: empty or too long");
        } else if (strcmp(n, "partof") == 0) {
            size_t tl = strlen(type_name);
            const char *id = strncmp(v, type_name, tl) == 0 && v[tl] == '/' ? v + tl + 1 : v;
            c->parent_id = fhir_parse_id(id);
            if (c->parent_id == 0)
                return fhir_search_fail(e, "invalid", location ? "Location.partOf" : "Organization.partOf",
                           "partof: %s/<id> expected", type_name);
        } else if (strcmp(n, "type") == 0) {
            unsigned mask;
            if (structure_types(v, location, &mask, e) != 0)
                return -1;
            kinds &= mask;
            if (kinds == 0)
                nobody = 1;
        } else {
            return fhir_search_fail(e, "not-supported", NULL, "unknown or unsupported search parameter "
                       "'%s' (see /fhir/metadata)", n);
        }
    }
    c->kind_mask = kinds;
    if (nobody)
        c->id = -1;
    return 0;
}
