/*
 * capability.c - CapabilityStatement (capability.h). Keep it in step with
 * the routes and search parameters of fhir_api.c.
 */
#include "fhir/capability.h"

#include "fhir/encounter.h"
#include "fhir/fhir_directory.h"
#include "fhir/patient.h"
#include "fhir/pmir.h"

static json_t *param(const char *name, const char *type)
{
    return json_pack("{s:s, s:s}", "name", name, "type", type);
}

/* _lastUpdated: what it compares, and the prefixes it takes. */
static json_t *last_updated(const char *what)
{
    json_t *p = param("_lastUpdated", "date");
    json_object_set_new(p, "documentation", json_sprintf(
        "The time of %s; prefixes eq ge gt le lt sa eb (ne not supported); a date (YYYY, "
        "YYYY-MM, YYYY-MM-DD: a UTC period) or a dateTime with its zone, at the precision "
        "given", what));
    return p;
}

json_t *fhir_capability(const char *base_url)
{
    /* Versions: vread and history of each Patient; update needs If-Match;
     * no delete (405), so never 410. */
    json_t *patient = json_pack(
        "{s:s, s:s, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:s, s:b, s:b, s:b, s:b,"
        " s:s, s:[o, o, o, o, o, o, o, o, o]}",
        "type", "Patient", "profile", FHIR_PROFILE_PATIENT,
        "interaction", "code", "read", "code", "vread", "code", "history-instance",
        "code", "search-type", "code", "create", "code", "update",
        "versioning", "versioned-update", "readHistory", 1, "updateCreate", 0,
        "conditionalCreate", 1, "conditionalUpdate", 0, "conditionalDelete", "not-supported",
        "searchParam", param("_id", "token"), param("identifier", "token"),
        param("family", "string"), param("given", "string"), param("birthdate", "date"),
        param("gender", "token"), param("active", "token"),
        last_updated("the Patient's last version (meta.lastUpdated)"), param("_count", "number"));
    json_object_set_new(patient, "operation", json_pack(
        "[{s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s}]",
        "name", "merge", "definition", "http://hl7.org/fhir/OperationDefinition/Patient-merge",
        "name", "unmerge", "definition", "urn:socle:OperationDefinition/Patient-unmerge",
        "documentation", "Parameters source-patient (or source-patient-identifier): the "
        "Patient merged away; the latest merge that absorbed it is undone",
        "name", "ihe-pix", "definition",
        "https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix",
        "name", "match", "definition", "http://hl7.org/fhir/OperationDefinition/Patient-match"));
    json_t *encounter = json_pack(
        "{s:s, s:s, s:[{s:s}, {s:s}], s:[s], s:[o, o, o, o, o, o]}",
        "type", "Encounter", "profile", FHIR_PROFILE_ENCOUNTER,
        "interaction", "code", "read", "code", "search-type",
        "searchInclude", "Encounter:patient",
        "searchParam", param("patient", "reference"), param("identifier", "token"),
        param("status", "token"), param("date", "date"),
        last_updated("the stay's last change (meta.lastUpdated)"), param("_count", "number"));
    json_t *cs = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:[s], "
        "s:[{s:s, s:{s:s}, s:[o, o]}]}",
        "resourceType", "CapabilityStatement", "status", "active", "date", "2025-01-01",
        "kind", "instance", "software", "name", "Socle", "version", SOCLE_VERSION,
        "implementation", "description", "Socle patient identity server", "url", base_url,
        "fhirVersion", "4.0.1", "format", "json",
        "rest", "mode", "server", "security", "description",
        "Bearer JWT from `socle token issue` (HS256); roles and establishments in the "
        "token; header X-Socle-Break-Glass: <reason> to read outside them (audited)",
        "resource", patient, encounter);
    json_t *rest = json_array_get(json_object_get(cs, "rest"), 0);
    fhir_directory_capability(json_object_get(rest, "resource"));
    /* IHE PMIR ITI-93 (fhir/pmir.h): a message to $process-message. */
    json_object_set_new(rest, "operation", json_pack(
        "[{s:s, s:s, s:s}]", "name", "process-message", "definition",
        "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message",
        "documentation", "IHE PMIR Mobile Patient Identity Feed [ITI-93] only (eventUri "
        FHIR_PMIR_EVENT "); also accepted as POST [base]/Bundle"));
    json_object_set_new(cs, "messaging", json_pack(
        "[{s:[{s:s, s:s}], s:s}]", "supportedMessage", "mode", "receiver", "definition",
        "https://profiles.ihe.net/ITI/PMIR/MessageDefinition/IHE.PMIR.MessageDefinition",
        "documentation", "IHE PMIR [ITI-93], event " FHIR_PMIR_EVENT ": a history Bundle of "
        "Patient entries, POST (create), PUT Patient/{id} (update; with active false and link "
        "replaced-by: a merge); DELETE refused; all entries or none"));
    return cs;
}
