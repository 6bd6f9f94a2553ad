/*
 * notify.h - identity notifications to subscribed applications, written to
 * the durable outbox inside the transaction of the change they announce:
 * the change and its notifications commit together, or neither does.
 *
 * Subscribers see the GHT-level view: one patient = one GHT identity. Each
 * outbox row carries a JSON snapshot of what the message needs (neutral
 * data; hl7/pam_notify.c turns it into PAM FR):
 *
 *   {"event": "A31", "at": "...Z", "reason": "...",
 *    "ght": {"id": 12, "oid": "GHT domain OID", "name": "..."},
 *    "patient": snapshot_local() of the local identity that speaks for it,
 *    "identifiers": [{"ipp", "domain_oid", "domain_name", "finess"}...],
 *    "merged": {"id": 7}}                          (A40 only: the absorbed)
 *
 * The local identity that gives a GHT identity its traits, among those
 * actively linked to it: the highest RNIV status (QUAL, then VALI, RECUP,
 * PROV: the most verified identity), then the most recently updated (the
 * freshest word on it), then the highest id. "identifiers" lists every
 * linked IPP with its establishment's domain, oldest link first.
 *
 * What each kind of change gives (events are the PAM FR triggers, also the
 * names subscribers filter on):
 *   NOTIFY_CREATED   ght_id is new                               A28
 *   NOTIFY_UPDATED   traits, status, INS, an IPP, or the list of
 *                    linked identities of ght_id changed         A31
 *                    ... but ght_id was retired into another
 *                    (its last member moved away)                A40 (that
 *                                                                one absorbs it)
 *   NOTIFY_MERGED    ght_id absorbed other_ght_id                A40
 *   NOTIFY_UNMERGED  ght_id is back (an undone merge), taken
 *                    from other_ght_id                           A31 for other
 *                    then A28 for ght_id; when other was left empty and
 *                    retired: A28 for ght_id, then A40 (ght_id absorbs other)
 * A37 (unlink) is not used: Socle never sends A24 (it merges GHT
 * identities, it does not link them), so an A37 would undo a link the
 * subscriber never had; a merged-away patient comes back as an A28.
 *
 * Rows go to every active subscriber whose filter accepts the event: its
 * event list (empty = all) and its EJ (the patient has an IPP in that
 * EJ's domain after the change; empty = all). Ordering key: ght_id, and
 * other_ght_id for A40, so that a patient's later message never overtakes
 * an earlier one (see store_outbox_due).
 */
#ifndef SOCLE_CORE_NOTIFY_H
#define SOCLE_CORE_NOTIFY_H

#include <stdint.h>

#include "util/error.h"

struct store;

typedef enum notify_kind {
    NOTIFY_CREATED = 0,
    NOTIFY_UPDATED,
    NOTIFY_MERGED,
    NOTIFY_UNMERGED
} notify_kind;

/* Record the new version of ght_id (and of other_ght_id when not 0: see
 * core/identity_version.h), then write the outbox rows of one change,
 * inside the caller's open transaction (on failure the caller rolls back). other_ght_id is 0 but
 * for NOTIFY_MERGED (the absorbed) and NOTIFY_UNMERGED (the former
 * survivor). reason may be NULL. Nothing is written when no subscriber
 * wants it (the versions are written all the same). */
int identity_notify_in_tx(struct store *st, notify_kind kind, int64_t ght_id,
                          int64_t other_ght_id, const char *reason, socle_err *err);

/* 1 when a subscriber's event list ("A28,A31", "" = all) accepts event. */
int notify_events_accept(const char *events, const char *event);

#endif
