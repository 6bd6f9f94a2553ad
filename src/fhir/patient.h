/*
 * patient.h - FHIR Patient (FR Core Patient profile) from a GHT identity.
 * Pure mapping: model values in, JSON out; no store, no audit.
 */
#ifndef SOCLE_FHIR_PATIENT_H
#define SOCLE_FHIR_PATIENT_H

#include <jansson.h>

#include "core/identity_search.h"

#define FHIR_PROFILE_PATIENT "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient"
#define FHIR_V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"
#define FHIR_FR_V2_0203 "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"

/* An active patient as a search returns it (ght_oid: the GHT's domain,
 * "" when the GHT has none). New reference. */
json_t *fhir_patient_from_hit(const identity_hit *h, const char *ght_oid);

/* A patient as read: active, or merged away (active false, link
 * replaced-by its survivor, its GHT id as an old identifier); with a
 * replaces link for each identity merged into it, and meta.versionId /
 * lastUpdated when p->version is set. New reference. */
json_t *fhir_patient_from_read(const identity_patient *p);

#endif
