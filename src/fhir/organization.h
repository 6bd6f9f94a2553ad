/*
 * organization.h - FHIR Organization and Location (FR Core profiles) from
 * the structures repository, and their search parameters.
 *
 * Mapping (FR Core: Organization for the legal and internal structures,
 * Location for the physical places, fr-core-cs-v2-3307 types):
 *   EJ      -> Organization LEGAL-ENTITY, FINESS (FINEJ) and idNatSt
 *   EG      -> Organization GEOGRAPHICAL-ENTITY partOf its EJ, FINESS (FINEG)
 *   POLE, SERVICE, UF -> Organization POLE / SERVICE / UF partOf their parent
 *   CHAMBRE -> Location CHAMB (physicalType ro), managingOrganization = its UF
 *   LIT     -> Location LIT (physicalType bd) partOf its room, managed by the
 *              UF, operationalStatus O/U (v2-0116) from the stays in progress
 * Every resource carries the structure code (FHIR_SYSTEM_STRUCTURE_CODE).
 * The logical id is the structure's id: an id names an Organization or a
 * Location according to its kind, never both.
 */
#ifndef SOCLE_FHIR_ORGANIZATION_H
#define SOCLE_FHIR_ORGANIZATION_H

#include <jansson.h>

#include "core/structure_read.h"
#include "fhir/fhir_search.h"

#define FHIR_PROFILE_ORGANIZATION \
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization"
#define FHIR_PROFILE_ORGANIZATION_UF \
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization-uf"
#define FHIR_PROFILE_LOCATION "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-location"
#define FHIR_SYSTEM_FINESS "https://finess.esante.gouv.fr"
#define FHIR_SYSTEM_IDNST "urn:oid:1.2.250.1.71.4.2.2"
/* Structure codes are the GHT's own; no national system names them. */
#define FHIR_SYSTEM_STRUCTURE_CODE "urn:socle:structure-code"

/* The kinds served as Organization and as Location (bit 1 << kind). */
#define FHIR_ORGANIZATION_KINDS                                                  \
    ((1u << STRUCTURE_EJ) | (1u << STRUCTURE_EG) | (1u << STRUCTURE_POLE)          \
     | (1u << STRUCTURE_SERVICE) | (1u << STRUCTURE_UF))
#define FHIR_LOCATION_KINDS ((1u << STRUCTURE_CHAMBRE) | (1u << STRUCTURE_LIT))

/* New references. today ("YYYY-MM-DD") decides active/inactive from the
 * validity period. */
json_t *fhir_organization_from_view(const structure_view *v, const char *today);
json_t *fhir_location_from_view(const structure_view *v, const char *today);

/* Organization (location 0) or Location (1): _id identifier name partof
 * type _count (_format, _cursor). The kinds are set to the resource's. 0,
 * or -1 with e. */
int fhir_structure_params(const http_request *req, int location,
                          structure_search_criteria *c, fhir_search_error *e);

#endif
