/*
 * encounter.c - FHIR Encounter from a stay (encounter.h).
 *
 * The location history is made of the movements that name a UF, in the
 * order of their effective dates: each holds until the next one, the last
 * until the discharge (or still). Locations are not FHIR resources here
 * (yet): they are logical references by structure code.
 */
#include "fhir/encounter.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/stay.h"
#include "fhir/fhir_common.h"

#define CS_ACT_CODE "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define CS_V2_0004 "http://terminology.hl7.org/CodeSystem/v2-0004"
#define CS_ID_TYPE "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identifier-type"
#define FINESS_SYSTEM "https://finess.esante.gouv.fr"

/* PV1-2 to the v3 ActCode the profile prefers; a class without an
 * equivalent keeps its HL7 v2 code (the binding is extensible). */
static json_t *encounter_class(const char *c)
{
    static const struct { const char *v2, *code, *display; } map[] = {
        { "I", "IMP", "inpatient encounter" }, { "O", "AMB", "ambulatory" },
        { "E", "EMER", "emergency" }, { "R", "AMB", "ambulatory" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(c, map[i].v2) == 0)
            return json_pack("{s:s, s:s, s:s}", "system", CS_ACT_CODE, "code", map[i].code,
                             "display", map[i].display);
    if (c[0] == '\0')
        return json_pack("{s:s, s:s}", "system",
                         "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "code", "UNK");
    return json_pack("{s:s, s:s}", "system", CS_V2_0004, "code", c);
}

static json_t *period(const char *start, const char *end)
{
    json_t *p = json_object();
    char t[40];
    if (fhir_datetime(start, t, sizeof t) == 0)
        json_object_set_new(p, "start", json_string(t));
    if (fhir_datetime(end, t, sizeof t) == 0)
        json_object_set_new(p, "end", json_string(t));
    return p;
}

static json_t *location_ref(const stay_location *l)
{
    /* The most precise place named: the bed, else the room, else the UF. */
    const char *code = l->bed[0] ? l->bed : l->room[0] ? l->room : l->uf;
    char display[3 * SOCLE_CODE_MAX + 32];
    snprintf(display, sizeof display, "UF %s%s%s%s%s", l->uf, l->room[0] ? ", room " : "",
             l->room, l->bed[0] ? ", bed " : "", l->bed);
    /* A bed or room of the repository is a Location resource (organization.h);
     * a UF is an Organization, so a place known by its UF only stays logical. */
    int64_t id = l->bed[0] ? l->bed_id : l->room[0] ? l->room_id : 0;
    if (id > 0) {
        char ref[48];
        snprintf(ref, sizeof ref, "Location/%" PRId64, id);
        return json_pack("{s:s, s:s}", "reference", ref, "display", display);
    }
    return json_pack("{s:{s:s}, s:s}", "identifier", "value", code, "display", display);
}

static json_t *locations(const stay_view *v)
{
    json_t *out = json_array();
    const movement *prev = NULL;
    for (size_t i = 0; i <= v->n_moves; i++) {
        const movement *m = i < v->n_moves ? &v->moves[i] : NULL;
        if (m != NULL && m->location.uf[0] == '\0')
            continue;
        if (prev != NULL) {
            const char *end = m ? m->effective_at : v->stay.discharge_at;
            const char *status = m || v->stay.discharge_at[0] ? "completed"
                               : v->stay.status == STAY_PLANNED ? "planned" : "active";
            json_array_append_new(out, json_pack("{s:o, s:s, s:o}", "location",
                                                 location_ref(&prev->location), "status",
                                                 status, "period",
                                                 period(prev->effective_at, end)));
        }
        prev = m;
    }
    return out;
}

json_t *fhir_encounter_from_stay(const stay_view *v)
{
    const stay_record *s = &v->stay;
    char id[24], subject[40], sys[SOCLE_OID_MAX + 8];
    snprintf(id, sizeof id, "%" PRId64, s->id);
    snprintf(subject, sizeof subject, "Patient/%" PRId64, v->ght_id);
    snprintf(sys, sizeof sys, "urn:oid:%s", v->domain.oid);
    json_t *e = json_pack(
        "{s:s, s:s, s:{s:[s]}, s:[{s:{s:[{s:s, s:s}]}, s:s, s:s}], s:s, s:o}",
        "resourceType", "Encounter", "id", id, "meta", "profile", FHIR_PROFILE_ENCOUNTER,
        "identifier", "type", "coding", "system", CS_ID_TYPE, "code", "VN", "system", sys,
        "value", s->nda, "status", stay_status_code(s->status), "class",
        encounter_class(s->stay_class));
    if (s->version > 0) {
        char ver[16];
        snprintf(ver, sizeof ver, "%d", s->version);
        json_t *meta = json_object_get(e, "meta");
        json_object_set_new(meta, "versionId", json_string(ver));
        if (s->updated_at[0] != '\0')
            json_object_set_new(meta, "lastUpdated", json_string(s->updated_at));
    }
    if (v->ght_id > 0)
        json_object_set_new(e, "subject", json_pack("{s:s}", "reference", subject));
    json_t *p = period(s->admit_at, s->discharge_at);
    if (json_object_size(p) > 0)
        json_object_set_new(e, "period", p);
    else
        json_decref(p);
    json_t *locs = locations(v);
    if (json_array_size(locs) > 0)
        json_object_set_new(e, "location", locs);
    else
        json_decref(locs);
    json_t *provider = json_pack("{s:s}", "display", v->domain.name);
    if (v->domain.finess[0] != '\0')
        json_object_set_new(provider, "identifier", json_pack("{s:s, s:s}", "system",
                                                              FINESS_SYSTEM, "value",
                                                              v->domain.finess));
    json_object_set_new(e, "serviceProvider", provider);
    return e;
}
