/*
 * identity_version.h - the versions of a patient (a GHT identity as the
 * FHIR interface shows it): numbered 1, 2, 3... with the time of each, and
 * what the patient looked like then (FHIR vread and history).
 *
 * How they are kept: every change of a GHT identity's view goes through
 * identity_notify_in_tx (core/notify.h) inside the change's transaction;
 * that is where the new version is recorded, for each identity the change
 * concerns (both sides of a merge or an unmerge), with a JSON snapshot of
 * the view (identity_patient: state, links, and each linked local identity
 * with its domain). The cost is one load of the view and one row per change,
 * paid whether or not anybody reads the versions. One command that changes
 * a patient twice (an update whose INS then merges it) makes two versions.
 *
 * Identities that existed before versions were kept have a version 1
 * without snapshot: that version reads as the current state while it is
 * the last one, and is not readable any more once the identity changed.
 */
#ifndef SOCLE_CORE_IDENTITY_VERSION_H
#define SOCLE_CORE_IDENTITY_VERSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/identity_search.h"
#include "util/error.h"

struct store;

/* Record the current view of ght_id as its next version. Internal to core/
 * (identity_notify_in_tx), inside the change's transaction. */
int identity_version_record_in_tx(struct store *st, int64_t ght_id, socle_err *err);

/* Version `version` of ght_id as it was: *p as identity_patient_read_in_tx
 * fills it, from the snapshot (survivor_hit left empty: access control
 * uses the current state), with p->version and p->version_at. Audited
 * "identity.read" (detail "version=N"). 1 found, 0 no such version (or not
 * recorded), -1 error. *p is reset first and must be freed. */
int identity_patient_vread_in_tx(struct store *st, const socle_actor *actor, int64_t ght_id,
                                 int version, identity_patient *p, socle_err *err);

/* Every readable version of ght_id, newest first, into *out (n of them;
 * free with identity_patient_history_free). Audited once ("identity.read",
 * detail "history"). 0 or -1. */
int identity_patient_history_in_tx(struct store *st, const socle_actor *actor,
                                   int64_t ght_id, identity_patient **out, size_t *n,
                                   socle_err *err);
void identity_patient_history_free(identity_patient *v, size_t n);

#endif
