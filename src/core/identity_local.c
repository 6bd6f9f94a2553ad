/*
 * identity_local.c - what a source says about its own local identities:
 * two of its IPPs were one patient (A40 merge), two identities of any
 * domains are the same patient (A24 link) or are not (A37 unlink).
 *
 * A source speaks of local identities; the GHT identities follow. When a
 * source merges or links two local identities that sit under different
 * GHT identities, those GHT identities are merged with the ordinary,
 * undoable merge of identity_merge.c, so the identity cell sees and can
 * undo it like any other.
 */
#include "core/identity.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/notify.h"
#include "core/history.h"
#include "core/snapshot.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

static int audit_local_id(struct store *st, const socle_actor *actor, const char *action,
                          int64_t local_id, const char *detail, socle_err *err)
{
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, local_id);
    return audit_log(st, actor, action, "local_identity", id, "success", detail, err);
}

int identity_local_merged_into(struct store *st, int64_t local_id, int64_t *survivor_id,
                               socle_err *err)
{
    local_merge_rec m;
    int found = store_local_merge_of(st, local_id, &m, err);
    *survivor_id = found > 0 ? m.survivor_local_id : 0;
    return found;
}

/* The local identity (domain, IPP), still in use (not merged away). */
static int find_in_use(struct store *st, int64_t domain_id, const char *ipp, const char *what,
                       local_identity *out, socle_err *err)
{
    int found = store_local_find(st, domain_id, ipp, out, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ENOTFOUND, "%s: no local identity with this IPP in the "
                       "domain", what);
    int64_t into;
    found = identity_local_merged_into(st, out->id, &into, err);
    if (found < 0)
        return -1;
    if (found)
        return err_set(err, SOCLE_ERULE, "%s: local identity %" PRId64 " was merged into "
                       "local identity %" PRId64 " already", what, out->id, into);
    return 0;
}

/* The active link of a local identity in use. */
static int active_link(struct store *st, int64_t local_id, identity_link *out, socle_err *err)
{
    int found = store_link_active(st, local_id, out, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ERULE, "local identity %" PRId64 " is not linked to a GHT "
                       "identity (merged away?)", local_id);
    return 0;
}

int identity_local_merge_in_tx(struct store *st, const socle_actor *actor, int64_t domain_id,
                               const char *survivor_ipp, const char *absorbed_ipp,
                               const char *reason, local_merge_rec *merge_out,
                               socle_err *err)
{
    if (strcmp(survivor_ipp, absorbed_ipp) == 0)
        return err_set(err, SOCLE_ERULE, "the IPP to merge away is the surviving IPP");
    local_identity survivor, absorbed;
    if (find_in_use(st, domain_id, survivor_ipp, "surviving IPP", &survivor, err) != 0
        || find_in_use(st, domain_id, absorbed_ipp, "IPP to merge away", &absorbed, err) != 0)
        return -1;
    identity_link keep, gone;
    if (active_link(st, survivor.id, &keep, err) != 0
        || active_link(st, absorbed.id, &gone, err) != 0)
        return -1;

    char why[SOCLE_REASON_MAX];
    snprintf(why, sizeof why, "local identity %" PRId64 " merged into %" PRId64 "%s%s",
             absorbed.id, survivor.id, reason && reason[0] ? ": " : "", reason ? reason : "");

    local_merge_rec m;
    memset(&m, 0, sizeof m);
    m.survivor_local_id = survivor.id;
    m.absorbed_local_id = absorbed.id;
    if (keep.ght_id != gone.ght_id) {
        if (identity_merge_in_tx(st, actor, keep.ght_id, gone.ght_id, LINK_AUTO, why,
                                 &m.ght_merge_id, err) != 0)
            return -1;
        if (active_link(st, absorbed.id, &gone, err) != 0)  /* moved by the merge */
            return -1;
    }
    /* Its link ends with no successor: it leaves the patient's view. */
    if (identity_link_end_in_tx(st, actor, &gone, why, err) != 0)
        return -1;

    /* The visits follow the surviving patient (IHE PAM A40): later
     * movements of them name the survivor's IPP. */
    int64_t stays = 0;
    if (store_stay_reassign(st, absorbed.id, survivor.id, &stays, err) != 0)
        return -1;

    time_now_iso(m.at);
    str_copy(m.actor, sizeof m.actor, actor->id);
    str_copy(m.reason, sizeof m.reason, why);
    if (store_local_merge_insert(st, &m, err) != 0)
        return -1;
    buf after = {0};
    buf_printf(&after, "{\"merged_into\":%" PRId64 ",\"local_merge\":%" PRId64
               ",\"stays_moved\":%" PRId64 "}", survivor.id, m.id, stays);
    if (history_record(st, actor, "local_identity", absorbed.id, "local.merge", why,
                         snapshot_local(&absorbed), buf_detach(&after), err) != 0)
        return -1;
    /* Subscribers see the survivor without the IPP merged away (after the
     * A40 of the GHT merge, when there was one). */
    if (identity_notify_in_tx(st, NOTIFY_UPDATED, keep.ght_id, 0, why, err) != 0)
        return -1;
    if (merge_out != NULL)
        *merge_out = m;
    return audit_local_id(st, actor, "identity.local_merge", absorbed.id, why, err);
}

/* The active links of two different local identities in use. */
static int pair_links(struct store *st, identity_ref a, identity_ref b, local_identity *la,
                      local_identity *lb, identity_link *ka, identity_link *kb, int *which,
                      socle_err *err)
{
    int unused;
    which = which ? which : &unused;
    *which = 1;
    if (find_in_use(st, a.domain_id, a.ipp, "first patient", la, err) != 0)
        return -1;
    *which = 2;
    if (find_in_use(st, b.domain_id, b.ipp, "second patient", lb, err) != 0)
        return -1;
    *which = 0;
    if (la->id == lb->id)
        return err_set(err, SOCLE_ERULE, "the two identifiers designate the same local "
                       "identity");
    return active_link(st, la->id, ka, err) != 0 || active_link(st, lb->id, kb, err) != 0
         ? -1 : 0;
}

int identity_local_link_in_tx(struct store *st, const socle_actor *actor, identity_ref a,
                              identity_ref b, const char *reason, int64_t *merge_id,
                              int *which, socle_err *err)
{
    local_identity la, lb;
    identity_link ka, kb;
    if (pair_links(st, a, b, &la, &lb, &ka, &kb, which, err) != 0)
        return -1;
    int64_t merged = 0;
    char why[SOCLE_REASON_MAX];
    snprintf(why, sizeof why, "local identities %" PRId64 " and %" PRId64 " linked%s%s",
             la.id, lb.id, reason && reason[0] ? ": " : "", reason ? reason : "");
    if (ka.ght_id != kb.ght_id
        && identity_merge_in_tx(st, actor, ka.ght_id, kb.ght_id, LINK_MANUAL, why, &merged,
                                err) != 0)
        return -1;
    if (merge_id != NULL)
        *merge_id = merged;
    return audit_local_id(st, actor, "identity.local_link", lb.id,
                          merged ? why : "already under the same GHT identity", err);
}

int identity_local_unlink_in_tx(struct store *st, const socle_actor *actor, identity_ref a,
                                identity_ref b, const char *reason, int *which,
                                socle_err *err)
{
    local_identity la, lb;
    identity_link ka, kb;
    if (pair_links(st, a, b, &la, &lb, &ka, &kb, which, err) != 0)
        return -1;
    if (ka.ght_id != kb.ght_id)
        return err_set(err, SOCLE_ERULE, "local identities %" PRId64 " and %" PRId64
                       " are not linked: nothing to unlink", la.id, lb.id);
    char why[SOCLE_REASON_MAX];
    snprintf(why, sizeof why, "local identity %" PRId64 " unlinked from %" PRId64 "%s%s",
             lb.id, la.id, reason && reason[0] ? ": " : "", reason ? reason : "");
    int64_t fresh;
    if (identity_relink_in_tx(st, actor, lb.id, 0, why, &fresh, err) != 0)
        return -1;
    return audit_local_id(st, actor, "identity.local_unlink", lb.id, why, err);
}
