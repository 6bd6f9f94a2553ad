/*
 * fhir_search.h - the search parameters of the FHIR interface, parsed
 * into the criteria of core/. Unknown parameters, modifiers and prefixes
 * are errors (reported, never ignored).
 */
#ifndef SOCLE_FHIR_SEARCH_H
#define SOCLE_FHIR_SEARCH_H

#include <stdint.h>

#include "core/identity_search.h"
#include "core/stay_read.h"
#include "http/router.h"

typedef struct fhir_search_error {
    const char *code;          /* issue type: "invalid", "not-supported" */
    char msg[256];
    const char *expression;    /* FHIRPath of the element concerned, or NULL */
} fhir_search_error;

/* Fill e (issue code, FHIRPath expression or NULL, message); returns -1,
 * so that a parameter parser can `return fhir_search_fail(...)`. */
int fhir_search_fail(fhir_search_error *e, const char *code, const char *expression,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A logical id: decimal digits, 1 to 18 of them; else 0 (designates nothing). */
int64_t fhir_parse_id(const char *s);

/* The paging parameters every search takes: _count, 1 to FHIR_COUNT_MAX
 * (every resource's page limit), and _cursor, the id after which a next
 * link goes on. 0, or -1 with e filled. */
#define FHIR_COUNT_MAX 100
int fhir_search_count(const char *v, size_t *out, fhir_search_error *e);
int fhir_search_cursor(const char *v, int64_t *out, fhir_search_error *e);

/* Patient: _id identifier family given birthdate gender active _lastUpdated _count
 * (_format and the _cursor of next links). *only_inactive is set for
 * active=false. 0, or -1 with e. */
int fhir_patient_params(const http_request *req, identity_search_criteria *c,
                        int *only_inactive, fhir_search_error *e);

/* Encounter: patient identifier status date _lastUpdated _count (_format,
 * _cursor). */
int fhir_encounter_params(const http_request *req, stay_search_criteria *c,
                          fhir_search_error *e);

#endif
