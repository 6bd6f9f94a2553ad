/*
 * practitioner.h - FHIR Practitioner and PractitionerRole (FR Core) from
 * the professional directory, and their search parameters.
 *
 * Practitioner identifiers: the national id idNatPs (IDNPS, system
 * urn:oid:1.2.250.1.71.4.2.1, "8" + RPPS or "0" + ADELI) and, for an RPPS,
 * the RPPS number itself (system https://rpps.esante.gouv.fr).
 * PractitionerRole: practitioner, organization = the EJ (Organization, see
 * organization.h), code = the profession (TRE_G15) and the role code,
 * specialty = the savoir-faire.
 */
#ifndef SOCLE_FHIR_PRACTITIONER_H
#define SOCLE_FHIR_PRACTITIONER_H

#include <jansson.h>

#include "core/professional.h"
#include "fhir/fhir_search.h"

#define FHIR_PROFILE_PRACTITIONER \
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner"
#define FHIR_SYSTEM_IDNPS "urn:oid:1.2.250.1.71.4.2.1"
#define FHIR_SYSTEM_RPPS "https://rpps.esante.gouv.fr"

/* New references. */
json_t *fhir_practitioner_from(const professional *p);
json_t *fhir_practitioner_role_from(const pro_role_view *v);

/* Practitioner (roles 0): _id identifier family name _count; PractitionerRole
 * (roles 1): _id practitioner organization _count (both: _format,
 * _cursor). 0, or -1 with e. */
int fhir_professional_params(const http_request *req, int roles,
                             professional_search_criteria *c, fhir_search_error *e);

#endif
