/*
 * capability.h - the CapabilityStatement of GET /fhir/metadata: only what
 * is implemented (resources, interactions, search parameters).
 */
#ifndef SOCLE_FHIR_CAPABILITY_H
#define SOCLE_FHIR_CAPABILITY_H

#include <jansson.h>

json_t *fhir_capability(const char *base_url);

#endif
