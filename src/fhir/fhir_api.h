/*
 * fhir_api.h - the FHIR R4 interface under /fhir: authentication (bearer
 * token), rights (http/rights.h), scoping by establishment with
 * break-the-glass, and the Patient and Encounter reads and searches,
 * each request one unit of the store writer (every read is audited).
 *
 * Break-the-glass: header "X-Socle-Break-Glass: <reason>" lets a token
 * limited to some establishments read a patient or stay outside them; the
 * access is audited as "access.break_glass" with the reason.
 */
#ifndef SOCLE_FHIR_API_H
#define SOCLE_FHIR_API_H

#include "http/router.h"

struct socle_server;

#define FHIR_BREAK_GLASS_HEADER "X-Socle-Break-Glass"

/* Answer a request whose path starts with /fhir (resp filled). */
void fhir_handle(struct socle_server *srv, const http_request *req, http_response *resp);

#endif
