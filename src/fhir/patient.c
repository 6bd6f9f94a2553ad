/*
 * patient.c - FHIR Patient from a GHT identity (patient.h).
 *
 * The traits, status and birth place are those of the local identity
 * that speaks for the patient (identity_hit.best); the identifiers are
 * every IPP, the GHT id and, qualified only, the INS.
 */
#include "fhir/patient.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/ins.h"

#define EXT_BIRTH_PLACE "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
#define EXT_INSEE "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
#define CS_COMMUNE "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
#define EXT_RELIABILITY \
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
#define CS_IDENTITY_STATUS "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status"
#define EXT_BIRTH_GIVEN \
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name"

static const char *const status_codes[] = { "PROV", "RECUP", "VALI", "QUAL" };

/* json_pack cannot format; build the system URI apart. */
static json_t *identifier(const char *use, const char *type_system, const char *type_code,
                          const char *oid, const char *value)
{
    char sys[SOCLE_OID_MAX + 8];
    snprintf(sys, sizeof sys, "urn:oid:%s", oid);
    return json_pack("{s:s, s:{s:[{s:s, s:s}]}, s:s, s:s}", "use", use, "type", "coding",
                     "system", type_system, "code", type_code, "system", sys, "value", value);
}

static void add_ght_id(json_t *ids, const char *ght_oid, int64_t ght_id, const char *use)
{
    if (ght_oid[0] == '\0')
        return;
    char v[24];
    snprintf(v, sizeof v, "%" PRId64, ght_id);
    json_array_append_new(ids, identifier(use, FHIR_V2_0203, "PI", ght_oid, v));
}

static json_t *base_patient(int64_t ght_id, int active)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, ght_id);
    return json_pack("{s:s, s:s, s:{s:[s]}, s:b}", "resourceType", "Patient", "id", id,
                     "meta", "profile", FHIR_PROFILE_PATIENT, "active", active);
}

static void add_traits(json_t *p, const local_identity *li)
{
    const identity_traits *t = &li->traits;
    json_t *ext = json_array();
    if (t->birth_place[0] != '\0') {
        json_t *addr = json_pack("{s:s}", "district", t->birth_place);
        /* 99xxx is a country of birth abroad, not a commune. */
        if (strncmp(t->birth_place, "99", 2) != 0)
            json_object_set_new(addr, "extension", json_pack(
                "[{s:s, s:{s:s, s:s}}]", "url", EXT_INSEE, "valueCoding", "system",
                CS_COMMUNE, "code", t->birth_place));
        json_array_append_new(ext, json_pack("{s:s, s:o}", "url", EXT_BIRTH_PLACE,
                                             "valueAddress", addr));
    }
    json_t *rel = json_pack("[{s:s, s:{s:s, s:s}}]", "url", "identityStatus", "valueCoding",
                            "system", CS_IDENTITY_STATUS, "code",
                            status_codes[(unsigned)li->status < 4 ? li->status : 0]);
    if (li->insi_verified && strlen(li->insi_at) >= 10) {
        char day[SOCLE_DATE_MAX];
        snprintf(day, sizeof day, "%.10s", li->insi_at);
        json_array_append_new(rel, json_pack("{s:s, s:s}", "url", "dateInterrogationINSi",
                                             "valueDate", day));
    }
    if (li->attributes != 0) {
        char c[64];
        snprintf(c, sizeof c, "%s%s%s",
                 li->attributes & RNIV_ATTR_DOUBTFUL ? "doubtful " : "",
                 li->attributes & RNIV_ATTR_FICTITIOUS ? "fictitious " : "",
                 li->attributes & RNIV_ATTR_HOMONYM ? "homonym " : "");
        c[strlen(c) ? strlen(c) - 1 : 0] = '\0';
        json_array_append_new(rel, json_pack("{s:s, s:s}", "url", "comment", "valueString",
                                             c));
    }
    json_array_append_new(ext, json_pack("{s:s, s:o}", "url", EXT_RELIABILITY, "extension",
                                         rel));
    json_object_set_new(p, "extension", ext);

    json_t *names = json_array();
    json_t *official = json_pack("{s:s, s:s}", "use", "official", "family", t->birth_name);
    if (t->first_forename[0] != '\0')
        json_object_set_new(official, "given", json_pack("[s]", t->first_forename));
    if (t->forenames[0] != '\0')
        json_object_set_new(official, "extension", json_pack(
            "[{s:s, s:s}]", "url", EXT_BIRTH_GIVEN, "valueString", t->forenames));
    json_array_append_new(names, official);
    if (t->used_name[0] != '\0' || t->used_forename[0] != '\0') {
        json_t *usual = json_pack("{s:s}", "use", "usual");
        if (t->used_name[0] != '\0')
            json_object_set_new(usual, "family", json_string(t->used_name));
        if (t->used_forename[0] != '\0')
            json_object_set_new(usual, "given", json_pack("[s]", t->used_forename));
        json_array_append_new(names, usual);
    }
    json_object_set_new(p, "name", names);
    const char *gender = t->sex == 'M' ? "male" : t->sex == 'F' ? "female" : "unknown";
    json_object_set_new(p, "gender", json_string(gender));
    if (t->birth_date[0] != '\0')
        json_object_set_new(p, "birthDate", json_string(t->birth_date));
}

static json_t *hit_identifiers(const identity_hit *h, const char *ght_oid)
{
    json_t *ids = json_array();
    add_ght_id(ids, ght_oid, h->ght_id, "secondary");
    for (size_t i = 0; i < h->n_locals; i++) {
        const identity_hit_local *l = &h->locals[i];
        json_t *id = identifier("usual", FHIR_V2_0203, "PI", l->domain_oid, l->li.ipp);
        if (l->domain_name[0] != '\0')
            json_object_set_new(id, "assigner", json_pack("{s:s}", "display",
                                                          l->domain_name));
        json_array_append_new(ids, id);
    }
    if (h->ins[0] != '\0') {
        int nia = ins_oid_classify(h->ins_oid) == INS_KIND_NIA;
        json_array_append_new(ids, identifier(nia ? "temp" : "official", FHIR_FR_V2_0203,
                                              nia ? "INS-NIA" : "INS-NIR", h->ins_oid,
                                              h->ins));
    }
    return ids;
}

json_t *fhir_patient_from_hit(const identity_hit *h, const char *ght_oid)
{
    json_t *p = base_patient(h->ght_id, 1);
    json_object_set_new(p, "identifier", hit_identifiers(h, ght_oid));
    if (h->n_locals > 0)
        add_traits(p, &h->locals[h->best].li);
    return p;
}

static json_t *link_to(int64_t other, const char *type)
{
    char ref[40];
    snprintf(ref, sizeof ref, "Patient/%" PRId64, other);
    return json_pack("{s:{s:s}, s:s}", "other", "reference", ref, "type", type);
}

json_t *fhir_patient_from_read(const identity_patient *p)
{
    json_t *out;
    json_t *links = json_array();
    if (p->ght.state == GHT_ACTIVE) {
        out = fhir_patient_from_hit(&p->hit, p->ght_oid);
    } else {
        /* Merged away: what it was is now its survivor's; it says so. */
        out = base_patient(p->ght.id, 0);
        json_t *ids = json_array();
        add_ght_id(ids, p->ght_oid, p->ght.id, "old");
        json_object_set_new(out, "identifier", ids);
        if (p->ght.merged_into > 0)
            json_array_append_new(links, link_to(p->ght.merged_into, "replaced-by"));
    }
    for (size_t i = 0; i < p->n_replaces; i++)
        json_array_append_new(links, link_to(p->replaces[i], "replaces"));
    if (json_array_size(links) > 0)
        json_object_set_new(out, "link", links);
    else
        json_decref(links);
    if (p->version > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", p->version);
        json_t *meta = json_object_get(out, "meta");
        json_object_set_new(meta, "versionId", json_string(v));
        json_object_set_new(meta, "lastUpdated", json_string(p->version_at));
    }
    return out;
}
