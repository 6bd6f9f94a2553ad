/*
 * fhir_common.h - pieces shared by the FHIR resource mappings: the
 * OperationOutcome of an error, searchset Bundles, and the conversion of
 * the feeds' local timestamps to FHIR dateTime.
 */
#ifndef SOCLE_FHIR_COMMON_H
#define SOCLE_FHIR_COMMON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define FHIR_MIME "application/fhir+json"

/* An OperationOutcome with one error issue: code is a FHIR issue-type
 * ("invalid", "not-found", "forbidden", "login", "too-costly",
 * "not-supported", "exception"); expression (a FHIRPath, may be NULL). */
json_t *fhir_outcome(const char *code, const char *diagnostics, const char *expression);

/* A searchset Bundle with its total, the self link and (next_url not
 * NULL) the next link; entries are appended with fhir_bundle_add. */
json_t *fhir_bundle_new(long long total, const char *self_url, const char *next_url);
/* Append resource (reference stolen) with its full URL. */
void fhir_bundle_add(json_t *bundle, const char *full_url, json_t *resource);

/* A feed timestamp ("YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]", already with a
 * zone, or "") as a FHIR date/dateTime into out: a time without a zone is
 * French metropolitan local time (PAM FR), so it gets +01:00 or +02:00 by
 * the EU summer-time rule. Returns 0, or -1 when in is empty or unreadable. */
int fhir_datetime(const char *in, char *out, size_t n);

/* Append s to b percent-encoded for a query string value. */
void fhir_url_encode(buf *b, const char *s);

/* The self link of a search (its parameters as received) into self, and,
 * when cursor > 0, the next link (the same without _cursor, then
 * _cursor=cursor) into next. */
struct http_request;
void fhir_page_urls(const struct http_request *req, int64_t cursor, buf *self, buf *next);

#endif
