/*
 * identity_search.h - finding patients for the query interfaces (PDQ,
 * PIX, later FHIR search): a search of the GHT identities by traits and
 * identifiers, and the cross-reference of one identifier to all the
 * others of the same patient.
 *
 * Both are reads of patient data, audited like every read: one audit
 * record per search ("identity.search": the names of the criteria used,
 * never their values, the number of results and the GHT ids disclosed) and
 * per cross-reference ("identity.xref"). The _in_tx variants run inside a
 * transaction the caller opened (the HL7 interface, which journals the
 * query in it); the others open their own.
 *
 * Results are GHT identities: a patient of the group, with each of its
 * local identities (one per establishment's IPP). Only active links are
 * followed, so a local identity moved away by a merge or a relink is
 * listed under its new GHT identity only; a GHT identity that was merged
 * is replaced by its survivor.
 *
 * The INS of an identity is disclosed only when it is qualified (RNIV:
 * only a qualified identity exchanges its INS).
 */
#ifndef SOCLE_CORE_IDENTITY_SEARCH_H
#define SOCLE_CORE_IDENTITY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

/* Hard cap of one page of results, whatever the caller asks. */
#define IDENTITY_SEARCH_MAX 100
/* Domains a search may be restricted to. */
#define IDENTITY_SEARCH_DOMAINS_MAX 16

/* What to look for: every criterion given must hold for one same local
 * identity of the patient. Text as received (UTF-8): names are normalised
 * here the way core/ indexes them (rniv_normalize_name), so "Lévy",
 * "LEVY" and "levy" find the same people. */
typedef struct identity_search_criteria {
    char family[SOCLE_NAME_MAX];     /* birth name or used name */
    int family_prefix;               /* family starts the name */
    char given[SOCLE_GIVEN_MAX];     /* one of the birth forenames */
    int given_prefix;
    char birth_date[SOCLE_DATE_MAX]; /* YYYY-MM-DD */
    /* Birth date range, bounds included (YYYY-MM-DD, "" = open). */
    char birth_from[SOCLE_DATE_MAX];
    char birth_to[SOCLE_DATE_MAX];
    int64_t ght_id;                  /* this GHT identity only (FHIR _id); 0 any */
    /* The time of its last version (identity_version.h) in [updated_from,
     * updated_before): UTC "YYYY-MM-DDTHH:MM:SS.mmmZ", "" = open. */
    char updated_from[SOCLE_TS_MAX];
    char updated_before[SOCLE_TS_MAX];
    char sex;                        /* 'M', 'F', 'U'; 0 any */
    char ipp[SOCLE_CODE_MAX];        /* with domain_oid, or in any domain */
    char domain_oid[SOCLE_OID_MAX];  /* an establishment's domain; or the GHT's,
                                        ipp then being a GHT id */
    char ins[SOCLE_INS_MAX];         /* INS matricule */
    /* Only patients with an identifier in one of these domains (OIDs of
     * establishments, of the GHT, or the INS OIDs); none: no restriction. */
    char in_domains[IDENTITY_SEARCH_DOMAINS_MAX][SOCLE_OID_MAX];
    size_t n_in_domains;
    size_t limit;                    /* page size; 0 or above the cap: the cap */
    int64_t after_ght_id;            /* continuation: the previous page's last */
    /* Order: 0 by GHT id (after_ght_id continues); else STORE_SORT_FAMILY or
     * STORE_SORT_BIRTHDATE (store.h), negative descending, offset results
     * skipped. */
    int sort;
    int64_t offset;
    int no_total;                    /* do not count the matches (total stays 0) */
} identity_search_criteria;

/* One local identity of a result, with its establishment's domain. */
typedef struct identity_hit_local {
    local_identity li;
    char domain_oid[SOCLE_OID_MAX];
    char domain_name[SOCLE_LABEL_MAX];
} identity_hit_local;

typedef struct identity_hit {
    int64_t ght_id;
    identity_hit_local *locals;  /* n_locals, owned by the result, by local id */
    size_t n_locals;
    /* The local identity that speaks for the patient (its traits and
     * status): the highest RNIV status, then the oldest. */
    size_t best;
    /* The qualified INS of the patient, "" when none. */
    char ins[SOCLE_INS_MAX];
    char ins_oid[SOCLE_OID_MAX];
} identity_hit;

typedef struct identity_search_result {
    identity_hit *hits;          /* count of them, by ascending GHT id */
    size_t count;
    int64_t total;               /* GHT identities matching, all pages */
    int64_t remaining;           /* of them, after this page */
    int more;                    /* further pages: continue after last_ght_id */
    int64_t last_ght_id;
    char ght_oid[SOCLE_OID_MAX]; /* the GHT's own domain */
    char ght_name[SOCLE_LABEL_MAX];
} identity_search_result;

void identity_search_result_free(identity_search_result *r);

/* Search. No criterion at all (in_domains, limit and after_ght_id are not
 * criteria) -> SOCLE_EINVAL: a query must not list the whole repository.
 * A domain_oid or in_domains OID that designates no domain ->
 * SOCLE_ENOTFOUND, the message naming it. *r is reset first and must be
 * freed whatever the outcome. */
int identity_search(struct store *st, const socle_actor *actor,
                    const identity_search_criteria *c, identity_search_result *r,
                    socle_err *err);
int identity_search_in_tx(struct store *st, const socle_actor *actor,
                          const identity_search_criteria *c, identity_search_result *r,
                          socle_err *err);

/* ---- Reading one patient (FHIR read) ----------------------------------- */

#define IDENTITY_REPLACES_MAX 32

/* A GHT identity as it stands, merged away or not. */
typedef struct identity_patient {
    ght_identity ght;
    /* Its local identities (active links; none once merged away). */
    identity_hit hit;
    /* Merged away: its survivor now (merges followed to the end), whose
     * local identities are in survivor_hit; else 0 and survivor_hit empty.
     * Access control uses the establishments of one or the other. */
    int64_t survivor_id;
    identity_hit survivor_hit;
    /* The GHT identities merged into this one (at most the max). */
    int64_t replaces[IDENTITY_REPLACES_MAX];
    size_t n_replaces;
    char ght_oid[SOCLE_OID_MAX];
    char ght_name[SOCLE_LABEL_MAX];
    /* Its version (core/identity_version.h) and when it was made; 0 and ""
     * when none is recorded. */
    int version;
    char version_at[SOCLE_TS_MAX];
} identity_patient;

void identity_patient_free(identity_patient *p);

/* Read GHT identity ght_id (audited "identity.read", object the GHT id).
 * 1 found, 0 not found (audited "not-found"), -1 error. *p is reset first
 * and must be freed whatever the outcome. Inside the caller's transaction. */
int identity_patient_read_in_tx(struct store *st, const socle_actor *actor, int64_t ght_id,
                                identity_patient *p, socle_err *err);

/* The same without the audit record: internal to core/ (the versions of
 * core/identity_version.c are snapshots of it), not for other modules. */
int identity_patient_load_in_tx(struct store *st, int64_t ght_id, identity_patient *p,
                                socle_err *err);

/* ---- Cross-reference (PIX) --------------------------------------------- */

typedef enum identity_xid_kind {
    IDENTITY_XID_IPP = 0,   /* an establishment's IPP */
    IDENTITY_XID_GHT,       /* the GHT identity's id in the GHT domain */
    IDENTITY_XID_INS        /* the qualified INS (NIR or NIA) */
} identity_xid_kind;

typedef struct identity_xid {
    identity_xid_kind kind;
    char value[SOCLE_CODE_MAX];
    char domain_oid[SOCLE_OID_MAX];
    char domain_name[SOCLE_LABEL_MAX];
} identity_xid;

typedef struct identity_xref_result {
    int64_t ght_id;
    identity_xid *ids;      /* count of them: IPPs by local id, the GHT id, the INS */
    size_t count;
} identity_xref_result;

void identity_xref_result_free(identity_xref_result *r);

/* Every active identifier of the patient known as value in domain_oid:
 * an establishment's OID (value = IPP), the GHT's OID (value = GHT id) or
 * an INS OID (value = INS matricule). 1 found, 0 the domain is known but
 * not the identifier, -1 error: an OID that designates no domain is
 * SOCLE_ENOTFOUND. *r is reset first and must be freed. */
int identity_xref(struct store *st, const socle_actor *actor, const char *domain_oid,
                  const char *value, identity_xref_result *r, socle_err *err);
int identity_xref_in_tx(struct store *st, const socle_actor *actor, const char *domain_oid,
                        const char *value, identity_xref_result *r, socle_err *err);

/* What an OID designates for these reads: 1 with *kind set (IPP for an
 * establishment, GHT, INS) and, for the first two, *out filled; 0 when it
 * designates nothing; -1 error. */
int identity_domain_classify(struct store *st, const char *oid, identity_xid_kind *kind,
                             id_domain *out, socle_err *err);

#endif
