/*
 * identity.h - the patient identity repository: local identities (one per
 * establishment's IPP) linked to GHT identities, with the RNIV rules, their
 * history, and reversible merges.
 *
 * Every command is one store transaction that writes the change, its
 * history entries and its audit record together, or nothing. Reads of
 * patient data are audited too.
 *
 * Linking: a new local identity joins the GHT identity of the local
 * identities that hold the same INS (when sex and birth date agree); else
 * the real-time matching decides (core/matching.h): join the GHT identity
 * of a sure candidate, or a new GHT identity (with review tasks for the
 * unsure candidates). When an existing local identity acquires an INS
 * already held under another GHT identity, or its matching traits change
 * and the matching is sure of a candidate, the two GHT identities are
 * merged (an undoable merge, made by the system; the older GHT identity
 * survives). The same IPP always designates the same local identity.
 * Every create and update also rewrites the identity's blocking keys.
 */
#ifndef SOCLE_CORE_IDENTITY_H
#define SOCLE_CORE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

/* What a source says of a patient. */
typedef struct identity_input {
    char domain_oid[SOCLE_OID_MAX];  /* assigning authority of the IPP */
    char ipp[SOCLE_CODE_MAX];
    identity_traits traits;
    identity_contact contact;
    /* Optional verifications done by the source. An INS is taken only when
     * the source says INSi verified it (insi_verified); otherwise it is
     * dropped with a warning. */
    char ins[SOCLE_INS_MAX];
    char ins_oid[SOCLE_OID_MAX];
    int insi_verified;
    char proof_type[8];               /* identity document code, "" none */
    /* RNIV attributes (RNIV_ATTR_*): those in attributes_known are set or
     * cleared as attributes says; the others are left as they are, so a
     * feed that does not speak of them never erases the identity cell's. */
    unsigned attributes;
    unsigned attributes_known;
    /* Refuse (SOCLE_ENOTFOUND) instead of creating when the IPP is unknown:
     * for messages that can only be about a patient already held. */
    int update_only;
    /* Bulk loads (socle import identities --clusters) that know the
     * grouping already: a new local identity joins this GHT identity
     * (join_ght_id), or gets a new one without matching (no_matching). */
    int64_t join_ght_id;
    int no_matching;
    /* Refuse (SOCLE_ECONFLICT) instead of updating when the IPP is known:
     * for a creation that must not touch an existing identity (FHIR create). */
    int create_only;
} identity_input;

typedef enum identity_outcome {
    IDENTITY_CREATED = 0,
    IDENTITY_UPDATED,
    IDENTITY_UNCHANGED
} identity_outcome;

#define IDENTITY_WARNING_MAX 256

typedef struct identity_result {
    identity_outcome outcome;
    int64_t local_id;
    int64_t ght_id;
    int linked_by_ins;          /* joined an existing GHT identity by INS */
    int64_t merge_id;           /* a merge the INS caused, or 0 */
    int downgraded;             /* a strict trait change took it back to PROV */
    int ins_dropped;            /* the INS sent was not kept: see warning */
    /* Real-time matching (core/matching.h), when it ran: its decision
     * (0 none, 1 review, 2 auto: link_decision) and the review tasks it
     * opened. */
    int matched;
    int match_decision;
    size_t reviews_opened;
    char warning[IDENTITY_WARNING_MAX];
} identity_result;

/* Create or update the local identity (domain, IPP). Unknown domain OID ->
 * SOCLE_ENOTFOUND; invalid traits -> SOCLE_EINVAL; a refused transition
 * (e.g. fictitious and doubtful) -> SOCLE_ERULE. A bad INS is not an error:
 * the identity is stored without it and res->ins_dropped/warning say why. */
int identity_upsert(struct store *st, const socle_actor *actor, const identity_input *in,
                    identity_result *res, socle_err *err);

/* The same inside the caller's open transaction (interfaces that journal
 * the message with its outcome in that transaction). On failure the
 * caller rolls back. */
int identity_upsert_in_tx(struct store *st, const socle_actor *actor,
                          const identity_input *in, identity_result *res, socle_err *err);

/* The identification domain of an establishment, by the OID of its IPPs or,
 * when oid is NULL or empty, by the FINESS of the EJ. 1 found, 0 not
 * found, -1 error. */
int identity_domain_find(struct store *st, const char *oid, const char *ej_finess,
                         id_domain *out, socle_err *err);

/* Identifier changes (PAM A47), inside the caller's transaction. The local
 * identity is found by (domain, IPP); *local_id receives its id.
 *  - change_ipp: the IPP becomes new_ipp. Unknown old IPP -> SOCLE_ENOTFOUND;
 *    new IPP already held in the domain -> SOCLE_ECONFLICT.
 *  - remove_ins: every INS is removed (status VALI or PROV). */
int identity_change_ipp_in_tx(struct store *st, const socle_actor *actor, int64_t domain_id,
                              const char *old_ipp, const char *new_ipp, int64_t *local_id,
                              socle_err *err);
int identity_remove_ins_in_tx(struct store *st, const socle_actor *actor, int64_t domain_id,
                              const char *ipp, const char *reason, int64_t *local_id,
                              socle_err *err);

/* Record a quality alert for the identity cell about a local identity
 * (kind e.g. "invalid_ins"; detail names fields and codes, never traits),
 * inside the caller's transaction, audited. */
int identity_alert_in_tx(struct store *st, const socle_actor *actor, int64_t local_id,
                         const char *kind, const char *detail, socle_err *err);

/* Reads (audited as "identity.read"). 1 found, 0 not found, -1 error. */
int identity_get_local(struct store *st, const socle_actor *actor, int64_t local_id,
                       local_identity *out, socle_err *err);
int identity_find_local(struct store *st, const socle_actor *actor, const char *domain_oid,
                        const char *ipp, local_identity *out, socle_err *err);
int identity_get_ght(struct store *st, const socle_actor *actor, int64_t ght_id,
                     ght_identity *out, socle_err *err);

/* RNIV actions of the identity cell or the desk, by local identity id. */
int identity_record_insi(struct store *st, const socle_actor *actor, int64_t local_id,
                         const char *ins, const char *ins_oid,
                         const identity_traits *insi_traits, identity_result *res,
                         socle_err *err);
int identity_record_proof(struct store *st, const socle_actor *actor, int64_t local_id,
                          const char *doc_code, socle_err *err);
int identity_set_attribute(struct store *st, const socle_actor *actor, int64_t local_id,
                           unsigned attr, int on, const char *reason, socle_err *err);
int identity_remove_ins(struct store *st, const socle_actor *actor, int64_t local_id,
                        const char *reason, socle_err *err);

/* ---- Merges and links (identity_merge.c) ------------------------------ */

/* Merge GHT identity absorbed into survivor: every active link of absorbed
 * moves to survivor (ended and re-created, marked with the merge), absorbed
 * becomes MERGED into survivor. Both must be active and different. */
int identity_merge(struct store *st, const socle_actor *actor, int64_t survivor_id,
                   int64_t absorbed_id, const char *reason, int64_t *merge_id,
                   socle_err *err);

/* identity_merge inside a transaction the caller opened and ends (a FHIR
 * IHE PMIR message writes all its entries or none); on failure the caller
 * rolls back. */
int identity_merge_declared_in_tx(struct store *st, const socle_actor *actor,
                                  int64_t survivor_id, int64_t absorbed_id, const char *reason,
                                  int64_t *merge_id, socle_err *err);

/* The merge (not undone) that absorbed GHT identity absorbed_id, the latest
 * one: 1 with *merge_id, 0 none, -1 error. Not audited (no patient data). */
int identity_merge_find(struct store *st, int64_t absorbed_id, int64_t *merge_id,
                        socle_err *err);

/* Undo a merge: the links it moved go back to the absorbed identity, which
 * becomes active again. Refused (SOCLE_ERULE) when the merge was undone
 * already, when the survivor was itself merged since (undo that first), or
 * when a moved local identity was relinked since. */
int identity_unmerge(struct store *st, const socle_actor *actor, int64_t merge_id,
                     const char *reason, socle_err *err);

/* Move one local identity to another GHT identity (target_ght_id), or to a
 * new one (target_ght_id == 0): a MANUAL link, the old one ended. A GHT
 * identity left with no local identity is retired as MERGED into the
 * target. Sets *new_ght_id (may be NULL). */
int identity_relink(struct store *st, const socle_actor *actor, int64_t local_id,
                    int64_t target_ght_id, const char *reason, int64_t *new_ght_id,
                    socle_err *err);

/* ---- What sources send about their own identities (identity_local.c) -- */

/* PAM A40: the source merged its IPP absorbed_ipp into survivor_ipp, in the
 * same domain. The absorbed local identity stops being used: its link ends,
 * and a later message about it is refused. When the two were under
 * different GHT identities, those are merged first (an undoable merge, made
 * for the source): the source says they are one person, so every local
 * identity of both is. The absorbed identity's stays move to the survivor
 * (the local merge's history entry counts them). *merge_out receives the
 * record.
 * Unknown IPP -> SOCLE_ENOTFOUND; same IPP, or an identity already merged
 * away -> SOCLE_ERULE. */
int identity_local_merge_in_tx(struct store *st, const socle_actor *actor, int64_t domain_id,
                               const char *survivor_ipp, const char *absorbed_ipp,
                               const char *reason, local_merge_rec *merge_out,
                               socle_err *err);

/* PAM A24: the local identities a and b, each named by (domain, IPP), are
 * the same patient: they end up under one GHT identity (merging theirs,
 * undoable, when they differ; *merge_id gets that merge, or 0 when they
 * were together already).
 * PAM A37: they are not: b is separated from a into a GHT identity of its
 * own (SOCLE_ERULE when they are not together).
 * Unknown IPP -> SOCLE_ENOTFOUND; an identity merged away -> SOCLE_ERULE. */
typedef struct identity_ref {
    int64_t domain_id;
    const char *ipp;
} identity_ref;
/* On a refusal that concerns one of the two (unknown, merged away),
 * *which is set to 1 (a) or 2 (b); else to 0. */
int identity_local_link_in_tx(struct store *st, const socle_actor *actor, identity_ref a,
                              identity_ref b, const char *reason, int64_t *merge_id,
                              int *which, socle_err *err);
int identity_local_unlink_in_tx(struct store *st, const socle_actor *actor, identity_ref a,
                                identity_ref b, const char *reason, int *which,
                                socle_err *err);

/* The local identity (id) that absorbed this one, or 0 when it was not merged
 * away: 1/0/-1 like a lookup. Not audited (no patient data). */
int identity_local_merged_into(struct store *st, int64_t local_id, int64_t *survivor_id,
                               socle_err *err);

/* Internal to core/: used by identity.c, identity_merge.c and
 * identity_local.c inside an open transaction. Not for other modules. */
int identity_merge_in_tx(struct store *st, const socle_actor *actor, int64_t survivor_id,
                         int64_t absorbed_id, link_method method, const char *reason,
                         int64_t *merge_id, socle_err *err);
int identity_relink_in_tx(struct store *st, const socle_actor *actor, int64_t local_id,
                          int64_t target_ght_id, const char *reason, int64_t *new_ght_id,
                          socle_err *err);
/* End the active link l (state ENDED, by actor, for reason) with its
 * history entry; no link replaces it. */
int identity_link_end_in_tx(struct store *st, const socle_actor *actor, const identity_link *l,
                            const char *reason, socle_err *err);

#endif
