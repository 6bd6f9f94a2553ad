/*
 * fhir_directory.h - the reads and searches of the FHIR resources that are
 * not a patient's data, so need no establishment scoping: Organization and
 * Location (structures: RIGHT_STRUCTURE_READ, as the workbench's tree),
 * Practitioner and PractitionerRole (professional directory: every role,
 * RIGHT_DIRECTORY_READ), AuditEvent (the audit trail: the dpo and admin
 * roles only, RIGHT_AUDIT_READ). fhir_api.c authenticates,
 * checks the right and opens the transaction; this runs inside it.
 */
#ifndef SOCLE_FHIR_DIRECTORY_H
#define SOCLE_FHIR_DIRECTORY_H

#include <jansson.h>

#include "core/model.h"
#include "http/router.h"
#include "util/error.h"

struct store;

typedef enum fhir_dir_type {
    FHIR_DIR_ORGANIZATION = 0,
    FHIR_DIR_LOCATION,
    FHIR_DIR_PRACTITIONER,
    FHIR_DIR_PRACTITIONER_ROLE,
    FHIR_DIR_AUDIT_EVENT,
} fhir_dir_type;

#include "http/rights.h"

/* The right a read or search of type needs. */
http_right fhir_directory_right(fhir_dir_type type);

/* A read (id not NULL) or a search (id NULL) of a resource of type, in the
 * caller's open transaction, with its audit records. Sets *status and
 * *body (new reference: the resource, a searchset Bundle or an
 * OperationOutcome). 0, or -1 on a storage failure (err; the caller rolls
 * back and answers 500). */
int fhir_directory_handle(struct store *st, const socle_actor *actor, const http_request *req,
                          fhir_dir_type type, const char *id, unsigned *status, json_t **body,
                          socle_err *err);

/* Append to the CapabilityStatement's rest.resource array what this
 * module serves (interactions and search parameters). */
void fhir_directory_capability(json_t *resources);

#endif
