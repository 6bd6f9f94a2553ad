/*
 * patient_parse.h - a FHIR Patient (FR Core Patient, also the legacy
 * interopsante.org URLs of FR Core 1.x) read into what core/ takes from a
 * source: traits, contact, INS with its verification, identity document.
 * Pure: JSON text in, values out; no store.
 *
 * Read: identifier (IPP candidates: any identifier with an urn:oid system
 * that is not an INS OID and whose type, if any, is PI; INS: type INS-NIR,
 * INS-NIA, or an INS OID system, never the billing NIR typed NH), name by
 * use (official, else maiden, else the first without use = birth name,
 * given[0] = first forename, the birth-list-given-name extension or all of
 * given = forename list; usual = used name and used forename), gender,
 * birthDate (a full date), the birthPlace extension (INSEE code from
 * fr-core-address-insee-code, else a 5-character district), the identity
 * reliability extension (identityStatus / identityReliability,
 * dateInterrogationINSi, validationMode), address[0], telecom.
 *
 * The INS is taken as INSi-verified (insi_verified) only when the
 * reliability extension says so: status RECUP or QUAL, VALI from the
 * legacy fr-v2-0445 system (where VALI means INS-bearing), or a
 * dateInterrogationINSi. Otherwise core/ drops it, as for PAM.
 */
#ifndef SOCLE_FHIR_PATIENT_PARSE_H
#define SOCLE_FHIR_PATIENT_PARSE_H

#include <stddef.h>

#include "core/identity.h"
#include "fhir/fhir_search.h"

#define FHIR_PATIENT_PI_MAX 8

typedef struct fhir_patient_pi {
    char oid[SOCLE_OID_MAX];      /* the system without "urn:oid:" */
    char value[SOCLE_CODE_MAX];
} fhir_patient_pi;

typedef struct fhir_patient_in {
    identity_input in;            /* domain_oid and ipp left empty */
    fhir_patient_pi pi[FHIR_PATIENT_PI_MAX];
    size_t n_pi;
    char id[64];                  /* Patient.id as sent, "" none */
} fhir_patient_in;

/* 0, or -1 with e (code "invalid" or "structure", message, FHIRPath). */
int fhir_patient_parse(const char *body, size_t len, fhir_patient_in *out,
                       fhir_search_error *e);

/* The FHIRPath of the element a core/ validation message ("birth_date:
 * ...") is about, or NULL. */
const char *fhir_patient_expression(const char *core_msg);

#endif
