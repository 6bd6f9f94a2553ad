/*
 * encounter.h - FHIR Encounter (FR Core Encounter profile) from a stay.
 * Pure mapping: model values in, JSON out.
 */
#ifndef SOCLE_FHIR_ENCOUNTER_H
#define SOCLE_FHIR_ENCOUNTER_H

#include <jansson.h>

#include "core/stay_read.h"

#define FHIR_PROFILE_ENCOUNTER \
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-encounter"

/* New reference. */
json_t *fhir_encounter_from_stay(const stay_view *v);

#endif
