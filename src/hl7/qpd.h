/*
 * qpd.h - the parameters of an HL7 v2.5 query by parameter (QBP_Q21) as
 * IHE profiles it: ITI-21 Patient Demographics Query (QBP^Q22) and ITI-9
 * PIX Query (QBP^Q23). A pure mapping from QPD, RCP and DSC to what
 * core/identity_search.h takes; nothing here touches the store (resolving
 * the OIDs is the caller's business).
 *
 * QPD-1 message query name: "IHE PDQ Query" or "IHE PIX Query" (in CE-1
 * or CE-2, as senders differ; case ignored). QPD-2 query tag: required.
 *
 * PDQ, QPD-3 demographics fields: repetitions of `@<field>^<value>`:
 *   @PID.3.1 (or @PID.3)    an identifier: the IPP (or the GHT id, under
 *                           the GHT's OID), or the INS when its authority
 *                           is an INS OID (PAM FR)
 *   @PID.3.4.2              its authority's OID; @PID.3.4.1 (namespace)
 *                           and @PID.3.4.3 (type) are read but only the
 *                           OID designates a domain; @PID.3.4 may carry
 *                           the whole HD (`ns&oid&ISO`); @PID.3.5 the
 *                           identifier type (PI, INS), informative
 *   @PID.5.1.1 (@PID.5.1, @PID.5)   family name (birth or used name)
 *   @PID.5.2                given name (one of the birth forenames)
 *   @PID.5.7                name type: accepted, not a criterion (both
 *                           the birth and the used name are searched)
 *   @PID.7 (@PID.7.1)       birth date, YYYYMMDD[...]
 *   @PID.8                  sex F, M, U
 * A trailing '*' in a name asks for names starting with the rest. An
 * empty value is no criterion. Any other field -> 103 at that repetition.
 * QPD-8 (PDQ) / QPD-4 (PIX) what domains returned: repetitions of CX
 * with CX-4 (`^^^ns&oid&ISO`); the OID, else the namespace, is kept for
 * the caller to resolve.
 *
 * PIX, QPD-3 the patient identifier: CX-1 with its authority CX-4 (the
 * OID, else the namespace, kept for the caller to resolve).
 *
 * RCP-1 query priority: I or empty (D, deferred, is refused: 103). RCP-2
 * quantity limited request: `N^RD` (records), kept as crit.limit. DSC-1
 * continuation pointer: kept as sent.
 *
 * The first problem found ends the parse: an ERR-2 location, an HL7 table
 * 0357 code (100 segment missing, 101 required field missing, 102 data
 * type, 103 table value not found, 204 unknown key) and an English text
 * naming the field, never quoting patient traits.
 */
#ifndef SOCLE_HL7_QPD_H
#define SOCLE_HL7_QPD_H

#include <stddef.h>

#include "core/identity_search.h"
#include "hl7/er7.h"

#define QPD_NAME_PDQ "IHE PDQ Query"
#define QPD_NAME_PIX "IHE PIX Query"

typedef enum qpd_kind {
    QPD_PDQ = 0,   /* QBP^Q22 */
    QPD_PIX        /* QBP^Q23 */
} qpd_kind;

typedef struct qpd_issue {
    er7_loc where;
    int code;              /* HL7 table 0357 */
    char text[256];
} qpd_issue;

typedef struct qpd_query {
    qpd_kind kind;
    /* PDQ criteria; for both kinds crit.in_domains holds the domains
     * wanted (QPD-8, QPD-4) and crit.limit RCP-2. */
    identity_search_criteria crit;
    /* The QPD-8 / QPD-4 repetition of each crit.in_domains entry, and
     * the QPD-3 repetition that named the IPP's authority (0: none). */
    size_t domain_reps[IDENTITY_SEARCH_DOMAINS_MAX];
    size_t authority_rep;
    /* PIX: the identifier of QPD-3 and its authority. */
    char pix_value[SOCLE_CODE_MAX];
    char pix_oid[SOCLE_OID_MAX];
    /* DSC-1, as sent; "" when none. */
    char continuation[64];
} qpd_query;

/* Map the query of m. 0 with *out filled, or -1 with *issue describing
 * the first problem (*out is then partial). */
int qpd_parse(const er7_message *m, qpd_kind kind, qpd_query *out, qpd_issue *issue);

#endif
