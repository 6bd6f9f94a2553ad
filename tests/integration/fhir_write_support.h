/*
 * fhir_write_support.h - what the FHIR write and operation suites share: a
 * server with two establishments and a token per role, requests with their
 * answer parsed, and synthetic FR Core Patients.
 */
#ifndef SOCLE_TEST_FHIR_WRITE_SUPPORT_H
#define SOCLE_TEST_FHIR_WRITE_SUPPORT_H

#include <jansson.h>

#include "hl7_support.h"

#define EJ1_OID "1.2.250.1.999.1"
#define EJ2_OID "1.2.250.1.999.2"
#define EJ1_FINESS "750712184"
#define EJ2_FINESS "750712192"
#define INS_OID "1.2.250.1.213.1.4.8"
#define INS_OK "285077505600195"      /* F, 1985-07, key valid */
#define INS_BADKEY "285077505600144"
#define INS_OTHER "285077505600294"     /* F, 1985-07, key valid */

extern h_server srv;   /* the server of the running test */
extern char tok_acc1[2048], tok_acc2[2048], tok_lect[2048], tok_iv[2048], tok_admin[2048],
            tok_flux[2048], tok_dpo[2048], tok_iv1[2048];

/* Suite init and fini: a second establishment, the tokens, the server. */
void fhir_write_setup(void);
void fhir_write_teardown(void);

/* j as compact JSON, in one of 8 rotating buffers (for messages). */
const char *dump(const json_t *j);

typedef struct answer {
    int status;
    json_t *body;
    char etag[64];
    char location[512];
} answer;

/* One request with a token (NULL: none), extra header lines and a body. */
answer call(const char *method, const char *path, const char *token, const char *extra,
            const char *body);

/* a is an OperationOutcome of that status, code and (unless NULL) first
 * expression; its body is freed. */
void expect_outcome(answer *a, int want, const char *code, const char *expression);

const char *version_of(json_t *p);
int has_identifier(json_t *p, const char *system, const char *value);

/* A FR Core Patient of EJ (oid) with IPP ipp; extra JSON members (with a
 * leading comma) or "". */
const char *patient_json(const char *oid, const char *ipp, const char *family,
                         const char *birth, const char *extra);

/* The INS-bearing variant: an INS, qualified (INSi and an identity card). */
const char *patient_ins_json(const char *ipp, const char *ins);

/* Create a patient of EJ1 (token acc1) and return its id. */
long long create(const char *ipp, const char *family);

/* The Parameters of $merge: source into target, as a preview or not. */
const char *merge_params(long long src, long long tgt, int preview);

#endif
