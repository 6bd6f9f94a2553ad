/*
 * patient_ops.h - the Patient interactions and operations beyond read and
 * search, for fhir_api.c (private to src/fhir/): vread, history, create,
 * update (patient_ops.c), $merge, $unmerge, IHE PIXm $ihe-pix and IHE
 * PDQm $match (patient_merge.c).
 *
 * Each runs inside the unit of work fhir_api.c opened (store_begin done,
 * authentication and the right already checked) and ends it: it commits
 * what it did, or rolls it back and commits the audit record of the
 * refusal, after filling call->resp. It returns -1 only on a failure of the
 * store (the caller rolls back and answers 500).
 */
#ifndef SOCLE_FHIR_PATIENT_OPS_H
#define SOCLE_FHIR_PATIENT_OPS_H

#include <stddef.h>

#include "core/identity_search.h"
#include "http/router.h"
#include "store/store.h"
#include "util/error.h"

typedef struct fhir_call {
    const http_request *req;
    const char *id;               /* first path capture, or NULL */
    const char *arg;              /* second path capture (a version), or NULL */
    const socle_actor *actor;
    const char *break_glass;      /* reason, or NULL */
    int scoped;                   /* the token names establishments */
    const id_domain *doms;        /* their domains */
    size_t n_doms;
    http_response *resp;
    socle_err *err;
} fhir_call;

int fhir_patient_vread(store *st, fhir_call *c);
int fhir_patient_history(store *st, fhir_call *c);
/* POST /fhir/Patient, with If-None-Exist: identifier=system|value. */
int fhir_patient_create(store *st, fhir_call *c);
/* PUT /fhir/Patient/{id}, If-Match required. */
int fhir_patient_update(store *st, fhir_call *c);

/* Why a write was refused: HTTP status, issue code, FHIRPath, message. */
typedef struct fhir_refusal {
    unsigned status;
    const char *code;
    const char *expression;
    char msg[SOCLE_REASON_MAX];
} fhir_refusal;

struct fhir_patient_in;
/* One parsed Patient written as POST (id 0: a new local identity) or PUT
 * of Patient id (no If-Match: the version is not checked) write it: the
 * same IPP, scope and INS checks, then core/'s upsert. Inside the caller's
 * transaction, which it never ends (for IHE PMIR, which writes a message's
 * entries all or nothing). 1 written (*ght_id: the patient it now is), 0
 * refused (r filled; the caller rolls back), -1 store error. */
int fhir_patient_write_in_tx(store *st, fhir_call *c, struct fhir_patient_in *pin, int64_t id,
                             int64_t *ght_id, fhir_refusal *r);

int fhir_patient_merge(store *st, fhir_call *c);
int fhir_patient_unmerge(store *st, fhir_call *c);
int fhir_patient_pix(store *st, fhir_call *c);
/* POST Patient/$match: Parameters resource, onlyCertainMatches, count. */
int fhir_patient_match(store *st, fhir_call *c);

/* Shared by the two files. */
void fhir_call_answer(fhir_call *c, unsigned status, json_t *body);
/* Answer an OperationOutcome, roll back what the unit did, and commit the
 * audit record (action, object, outcome "denied" or "failure"). */
int fhir_call_refuse(store *st, fhir_call *c, unsigned status, const char *code,
                     const char *msg, const char *expression, const char *action,
                     const char *object_id);
/* 1 when the token may see this patient (scope, or break-the-glass, which
 * is audited here); 0 when not (c->resp filled, refusal audited, unit
 * ended); -1 error. */
int fhir_call_patient_visible(store *st, fhir_call *c, const identity_hit *h,
                              const char *object_id);
int fhir_call_in_scope(const fhir_call *c, const char *domain_oid);
/* ETag W/"n" and Last-Modified of version n. */
void fhir_call_version_headers(fhir_call *c, int version, const char *at);

#endif
