/*
 * pmir.h - IHE PMIR Mobile Patient Identity Feed [ITI-93], Socle as the
 * Consumer (the Patient Identity Registry of the group), for fhir_api.c
 * (private to src/fhir/).
 *
 * The request is a FHIR message: a Bundle of type message whose first
 * entry is a MessageHeader with eventUri urn:ihe:iti:pmir:2019:patient-feed
 * and focus a Bundle of type history (an entry of the message) of Patient
 * entries, each with request.method:
 *   POST  a new patient: written as FHIR create writes it (its IPP);
 *   PUT   Patient/{id}: written as FHIR update writes it (no If-Match);
 *         with active false and link {type replaced-by, other
 *         Patient/{survivor}}: a merge of {id} into the survivor (core's
 *         merge, undoable with $unmerge), nothing else of it is written;
 *   DELETE refused: Socle never deletes an identity (merge it instead).
 * All entries are written in the unit's one transaction, all or nothing;
 * core/ writes the history and the audit record of each, and the message
 * its own "identity.feed" record.
 *
 * The answer is a response message: Bundle type message, MessageHeader
 * with eventUri urn:ihe:iti:pmir:2019:patient-feed-response and response
 * {identifier: the request's MessageHeader.id, code}. Accepted (200): code
 * ok and focus a history Bundle with the response (status, location) of
 * each entry. Refused (400, 403, 404, 409, 422): code fatal-error and
 * details an OperationOutcome entry (the issue with its FHIRPath); a body
 * that is no message Bundle at all gets the OperationOutcome alone.
 */
#ifndef SOCLE_FHIR_PMIR_H
#define SOCLE_FHIR_PMIR_H

#include "fhir/patient_ops.h"

#define FHIR_PMIR_EVENT "urn:ihe:iti:pmir:2019:patient-feed"
#define FHIR_PMIR_RESPONSE_EVENT "urn:ihe:iti:pmir:2019:patient-feed-response"

/* Process the message of c->req inside the unit fhir_api.c opened, and end
 * the unit (commit, or roll back and commit the audit of the refusal).
 * may_write: the token may create and update patients through the feed;
 * may_merge: it may merge them. -1 only on a failure of the store. */
int fhir_pmir_feed(store *st, fhir_call *c, int may_write, int may_merge);

#endif
