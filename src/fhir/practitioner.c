/*
 * practitioner.c - FHIR Practitioner and PractitionerRole (practitioner.h).
 */
#include "fhir/practitioner.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

_Static_assert(FHIR_COUNT_MAX <= PROFESSIONAL_SEARCH_MAX, "a _count the store cannot give");

#define CS_FR_V2_0203 "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
#define CS_PROFESSION "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/" \
                      "TRE-G15-ProfessionSante"
#define CS_SAVOIR_FAIRE "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/" \
                        "TRE-R38-SpecialiteOrdinale"
#define CS_ROLE "https://mos.esante.gouv.fr/NOS/TRE_R21-Fonction/FHIR/TRE-R21-Fonction"

static json_t *typed_identifier(const char *type, const char *system, const char *value)
{
    return json_pack("{s:s, s:{s:[{s:s, s:s}]}, s:s, s:s}", "use", "official", "type",
                     "coding", "system", CS_FR_V2_0203, "code", type, "system", system,
                     "value", value);
}

/* The civility code of the extract as a name prefix. */
static const char *prefix(const char *civility)
{
    static const struct { const char *code, *text; } map[] = {
        { "M", "M." }, { "MME", "Mme" }, { "MLLE", "Mlle" }, { "DR", "Dr" }, { "PR", "Pr" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(civility, map[i].code) == 0)
            return map[i].text;
    return civility;
}

json_t *fhir_practitioner_from(const professional *p)
{
    char id[24], idnps[SOCLE_PRO_ID_MAX + 2];
    snprintf(id, sizeof id, "%" PRId64, p->id);
    snprintf(idnps, sizeof idnps, "%c%s", p->id_type == PRO_ID_RPPS ? '8' : '0', p->id_value);
    json_t *ids = json_pack("[o]", typed_identifier("IDNPS", FHIR_SYSTEM_IDNPS, idnps));
    if (p->id_type == PRO_ID_RPPS)
        json_array_append_new(ids, typed_identifier("RPPS", FHIR_SYSTEM_RPPS, p->id_value));
    json_t *name = json_pack("{s:s, s:s}", "use", "official", "family", p->family);
    if (p->given[0] != '\0')
        json_object_set_new(name, "given", json_pack("[s]", p->given));
    if (p->civility[0] != '\0')
        json_object_set_new(name, "prefix", json_pack("[s]", prefix(p->civility)));
    return json_pack("{s:s, s:s, s:{s:[s]}, s:o, s:b, s:[o]}", "resourceType", "Practitioner",
                     "id", id, "meta", "profile", FHIR_PROFILE_PRACTITIONER, "identifier", ids,
                     "active", 1, "name", name);
}

static json_t *concept(const char *system, const char *code, const char *display)
{
    json_t *c = json_pack("{s:s, s:s}", "system", system, "code", code);
    if (display != NULL && display[0] != '\0')
        json_object_set_new(c, "display", json_string(display));
    return json_pack("{s:[o]}", "coding", c);
}

json_t *fhir_practitioner_role_from(const pro_role_view *v)
{
    const professional_role *r = &v->role;
    char id[24], pref[48], oref[48], display[2 * SOCLE_NAME_MAX + 8];
    snprintf(id, sizeof id, "%" PRId64, r->id);
    snprintf(pref, sizeof pref, "Practitioner/%" PRId64, r->professional_id);
    snprintf(oref, sizeof oref, "Organization/%" PRId64, r->ej_id);
    snprintf(display, sizeof display, "%s%s%s", v->pro.given, v->pro.given[0] ? " " : "",
             v->pro.family);
    json_t *codes = json_pack("[o]", concept(CS_PROFESSION, r->profession_code,
                                             r->profession_label));
    if (r->role[0] != '\0')
        json_array_append_new(codes, concept(CS_ROLE, r->role, NULL));
    json_t *o = json_pack("{s:s, s:s, s:b, s:{s:s, s:s}, s:{s:s, s:s}, s:o}", "resourceType",
                          "PractitionerRole", "id", id, "active", 1, "practitioner",
                          "reference", pref, "display", display, "organization", "reference",
                          oref, "display", v->ej.label, "code", codes);
    if (r->specialty_code[0] != '\0')
        json_object_set_new(o, "specialty", json_pack("[o]", concept(CS_SAVOIR_FAIRE,
                                                                     r->specialty_code,
                                                                     r->specialty_label)));
    return o;
}

/* ---- Search parameters ------------------------------------------------- */

/* "system|value" or "value"; 0, or 1 when it designates nobody. */
static int practitioner_identifier(const char *v, professional_search_criteria *c)
{
    const char *bar = strchr(v, '|');
    const char *value = bar ? bar + 1 : v;
    size_t sl = bar ? (size_t)(bar - v) : 0;
    c->id_type = -1;
    if (sl == strlen(FHIR_SYSTEM_IDNPS) && strncmp(v, FHIR_SYSTEM_IDNPS, sl) == 0) {
        /* idNatPs: "8" + RPPS, "0" + ADELI. */
        if (value[0] != '8' && value[0] != '0')
            return 1;
        c->id_type = value[0] == '8' ? PRO_ID_RPPS : PRO_ID_ADELI;
        value++;
    } else if (sl == strlen(FHIR_SYSTEM_RPPS) && strncmp(v, FHIR_SYSTEM_RPPS, sl) == 0) {
        c->id_type = PRO_ID_RPPS;
    } else if (sl != 0) {
        return 1;
    }
    return str_copy(c->id_value, sizeof c->id_value, value) != 0;
}

static int64_t reference_id(const char *v, const char *type)
{
    size_t tl = strlen(type);
    return fhir_parse_id(strncmp(v, type, tl) == 0 && v[tl] == '/' ? v + tl + 1 : v);
}

int fhir_professional_params(const http_request *req, int roles,
                             professional_search_criteria *c, fhir_search_error *e)
{
    memset(c, 0, sizeof *c);
    c->id_type = -1;
    int nobody = 0;
    const char *rt = roles ? "PractitionerRole" : "Practitioner";
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
            nobody |= c->id == 0;
        } else if (!roles && strcmp(n, "identifier") == 0) {
            if (strchr(v, '|') ? v[strlen(v) - 1] == '|' : v[0] == '\0')
                return fhir_search_fail(e, "invalid", "Practitioner.identifier",
                           "identifier: a value is required (system|value)");
            nobody |= practitioner_identifier(v, c);
        } else if (!roles && (strcmp(n, "family") == 0 || strcmp(n, "name") == 0)) {
            char *dst = n[0] == 'f' ? c->family : c->name;
            if (v[0] == '\0' || str_copy(dst, SOCLE_NAME_MAX, v) != 0)
                return fhir_search_fail(e, "invalid", "Practitioner.name", "%s: empty or too long", n);
        } else if (roles && strcmp(n, "practitioner") == 0) {
            c->professional_id = reference_id(v, "Practitioner");
            if (c->professional_id == 0)
                return fhir_search_fail(e, "invalid", "PractitionerRole.practitioner",
                           "practitioner: Practitioner/<id> expected");
        } else if (roles && strcmp(n, "organization") == 0) {
            c->ej_id = reference_id(v, "Organization");
            if (c->ej_id == 0)
                return fhir_search_fail(e, "invalid", "PractitionerRole.organization",
                           "organization: Organization/<id> expected");
        } else {
            return fhir_search_fail(e, "not-supported", NULL, "unknown or unsupported search parameter "
                       "'%s' for %s (see /fhir/metadata)", n, rt);
        }
    }
    if (nobody)
        c->id = -1;
    return 0;
}
