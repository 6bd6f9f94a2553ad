/*
 * pam_internal.h - what the two files of the PID mapping share:
 * pam_identity.c (names, dates, addresses, status) and pam_identifiers.c
 * (PID-3: IPP, authority, INS). Private to src/hl7/.
 */
#ifndef SOCLE_HL7_PAM_INTERNAL_H
#define SOCLE_HL7_PAM_INTERNAL_H

#include <stddef.h>

#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "hl7/pam_identity.h"
#include "util/buf.h"

/* HL7 table 0357 (the values of ack.h's ack_errcode). */
enum {
    HL7_SEGMENT_SEQUENCE = 100,
    HL7_REQUIRED         = 101,
    HL7_DATA_TYPE        = 102,
    HL7_TABLE_VALUE      = 103
};

typedef struct ctx {
    const er7_message *m;
    const er7_delims *d;
    er7_charset cs;
    size_t pid;
    pam_identity *out;
    pam_issues *issues;
    buf tmp;             /* decoding scratch */
    int vali;            /* PID-32 says VALI, and no weaker status */
    int sex_ok;          /* PID-8 and PID-7 were read: the INS can be */
    int date_ok;         /* checked against them */
    size_t bdl_rep;      /* PID-11 repetition of the birth place, or 0 */
} ctx;

/* Where field/rep/comp/sub of the PID sits, for ERR-2. */
er7_loc pam_at(const ctx *c, size_t field, size_t rep, size_t comp, size_t sub);

/* Record an issue. Errors never get lost: when the list is full, an error
 * evicts the latest warning, anything else is only counted. */
void pam_report(ctx *c, pam_issue_severity sev, int code, er7_loc where,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define fail(c, ...) pam_report(c, PAM_ISSUE_ERROR, __VA_ARGS__)
#define warn(c, ...) pam_report(c, PAM_ISSUE_WARNING, __VA_ARGS__)

/* A value of the PID (raw, borrowed). */
er7_slice pam_get(const ctx *c, size_t field, size_t rep, size_t comp, size_t sub);
/* Empty or the HL7 null. */
int pam_blank(er7_slice s);
int pam_same(er7_slice a, er7_slice b);
/* A code fit to quote in an issue text. */
const char *pam_code_text(er7_slice s, char out[32]);
/* Decode a raw value to UTF-8 into dst (see pam_identity.c). */
int pam_decode(ctx *c, pam_issue_severity sev, er7_slice raw, er7_loc where,
               const char *what, char *dst, size_t n);
/* The text of one component of a primitive type (ST, IS, ID). */
int pam_component(ctx *c, size_t field, size_t rep, size_t comp, const char *what,
                  char *dst, size_t n);
int pam_is_digit(char ch);
/* Dotted decimal OID. */
int pam_is_oid(const char *s);
/* len digits, the first two possibly 2A/2B (FINESS, INSEE COG). */
int pam_is_code(const char *s, size_t len);

/* PID-3: the IPP with its assigning authority, and the INS. */
void pam_map_ids(ctx *c);

#endif
