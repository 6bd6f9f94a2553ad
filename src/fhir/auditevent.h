/*
 * auditevent.h - FHIR AuditEvent from the records of the hash-chained
 * audit trail (audit.h), and its search parameters.
 *
 * type: DICOM 110114 User Authentication (http.auth), 110110 Patient
 * Record (records about a patient or a stay), else 110100 Application
 * Activity; subtype: Socle's action name (FHIR_SYSTEM_AUDIT_ACTION);
 * action: C R U D E from the action's last word (auditevent.c: kinds);
 * outcome: 0 success, 4 denied or not found, 8 failure; agent: the actor
 * (token subject, or the operating-system user of a command) and its
 * role; entity: the object, as a reference when it is a FHIR resource.
 */
#ifndef SOCLE_FHIR_AUDITEVENT_H
#define SOCLE_FHIR_AUDITEVENT_H

#include <jansson.h>

#include "core/model.h"
#include "fhir/fhir_search.h"
#include "store/store.h"

#define FHIR_SYSTEM_AUDIT_ACTION "urn:socle:audit-action"
#define FHIR_SYSTEM_AUDIT_OBJECT "urn:socle:audit-object-type"
#define FHIR_SYSTEM_ACTOR "urn:socle:actor"
#define AUDIT_EVENT_PAGE 50      /* records per page without _count */

/* New reference. */
json_t *fhir_auditevent_from(const audit_record *rec);

typedef struct fhir_audit_params {
    store_audit_query q;
    size_t limit;                /* 1..100 */
    int count_total;             /* _total is not none */
    char names[160];             /* the criteria used, for the audit record */
} fhir_audit_params;

/* _id date agent action subtype entity outcome _count _sort (date, -date)
 * _total (none, accurate) (_format, _cursor). 0, or -1 with e. */
int fhir_audit_params_parse(const http_request *req, fhir_audit_params *p,
                            fhir_search_error *e);

#endif
