/*
 * identity.c - local identities: creation, update, RNIV actions and reads.
 */
#include "core/identity.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ins.h"
#include "core/matching.h"
#include "core/notify.h"
#include "core/rniv.h"
#include "core/history.h"
#include "core/snapshot.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

static int audit_local(struct store *st, const socle_actor *actor, const char *action,
                       int64_t local_id, const char *outcome, const char *detail,
                       socle_err *err)
{
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, local_id);
    return audit_log(st, actor, action, "local_identity", id, outcome, detail, err);
}

/* Derive the normalised names the store indexes for matching. A name that
 * does not normalise (it was validated as UTF-8 already) is indexed as "". */
static void derive_norm(const local_identity *li, identity_norm *norm)
{
    memset(norm, 0, sizeof *norm);
    if (rniv_normalize_name(li->traits.birth_name, norm->birth_name, sizeof norm->birth_name) != 0)
        norm->birth_name[0] = '\0';
    if (rniv_normalize_name(li->traits.used_name, norm->used_name, sizeof norm->used_name) != 0)
        norm->used_name[0] = '\0';
    if (rniv_normalize_name(li->traits.forenames, norm->forenames, sizeof norm->forenames) != 0)
        norm->forenames[0] = '\0';
}

static int save_local(struct store *st, local_identity *li, int insert, socle_err *err)
{
    identity_norm norm;
    derive_norm(li, &norm);
    time_now_iso(li->updated_at);
    int rc;
    if (insert) {
        str_copy(li->created_at, sizeof li->created_at, li->updated_at);
        rc = store_local_insert(st, li, &norm, err);
    } else {
        rc = store_local_update(st, li, &norm, err);
    }
    if (rc != 0)
        return -1;
    /* The blocking keys the real-time matching looks candidates up by,
     * and the normalised record it scores them with. */
    return matching_index_in_tx(st, li, err);
}

static int link_new(struct store *st, const socle_actor *actor, int64_t local_id,
                    int64_t ght_id, link_method method, int64_t merge_id, const char *reason,
                    socle_err *err)
{
    identity_link l;
    memset(&l, 0, sizeof l);
    l.local_id = local_id;
    l.ght_id = ght_id;
    l.method = method;
    l.merge_id = merge_id;
    time_now_iso(l.created_at);
    str_copy(l.created_by, sizeof l.created_by, actor->id);
    str_copy(l.reason, sizeof l.reason, reason);
    if (store_link_insert(st, &l, err) != 0)
        return -1;
    return history_record(st, actor, "identity_link", l.id, "link.create", reason, NULL,
                            snapshot_link(&l), err);
}

static int ght_new(struct store *st, const socle_actor *actor, int64_t *ght_id, socle_err *err)
{
    ght_identity g;
    memset(&g, 0, sizeof g);
    g.state = GHT_ACTIVE;
    time_now_iso(g.created_at);
    str_copy(g.updated_at, sizeof g.updated_at, g.created_at);
    if (store_ght_insert(st, &g, err) != 0)
        return -1;
    *ght_id = g.id;
    return history_record(st, actor, "ght_identity", g.id, "ght.create", NULL, NULL,
                            snapshot_ght(&g), err);
}

/* ---- Linking by INS --------------------------------------------------- */

typedef struct ins_search {
    const local_identity *self;
    int64_t ght_id;        /* GHT identity of the first agreeing holder */
    int contradicted;      /* a holder disagrees on sex or birth date */
} ins_search;

static int ins_holder(const local_identity *other, void *ctx)
{
    ins_search *s = ctx;
    if (other->id == s->self->id || other->ght_id == 0)
        return 0;
    if (other->traits.sex != s->self->traits.sex
        || strcmp(other->traits.birth_date, s->self->traits.birth_date) != 0) {
        s->contradicted = 1;
        return 1;
    }
    if (s->ght_id == 0)
        s->ght_id = other->ght_id;
    return 0;
}

/* The GHT identity that already holds li's INS with agreeing traits, or 0. */
static int find_ins_ght(struct store *st, const local_identity *li, int64_t *ght_id,
                        int *contradicted, char *warning, size_t wn, socle_err *err)
{
    *ght_id = 0;
    if (contradicted != NULL)
        *contradicted = 0;
    if (li->ins[0] == '\0')
        return 0;
    ins_search s = { .self = li };
    if (store_local_foreach_ins(st, li->ins, ins_holder, &s, err) != 0)
        return -1;
    if (s.contradicted) {
        if (contradicted != NULL)
            *contradicted = 1;
        snprintf(warning, wn, "INS %s is held by another identity with a different sex or "
                 "birth date: not linked, to be reviewed", li->ins);
        return 0;
    }
    *ght_id = s.ght_id;
    return 0;
}

/* ---- Applying what a source says ------------------------------------- */

/* Keep the first warning: it is the one that explains the others. */
static void set_warning(identity_result *res, const char *what, const char *detail)
{
    if (res->warning[0] != '\0')
        return;
    buf b = { 0 };
    buf_puts(&b, what);
    if (detail != NULL) {
        buf_puts(&b, ": ");
        buf_puts(&b, detail);
    }
    str_copy(res->warning, sizeof res->warning, buf_cstr(&b));
    buf_free(&b);
}

/* Apply the verifications and attributes the source asserts. The INS is
 * optional: when refused the identity is kept without it. */
static int apply_assertions(local_identity *li, const identity_input *in,
                            identity_result *res, socle_err *err)
{
    socle_err sub;
    err_clear(&sub);
    if (in->proof_type[0] != '\0' && rniv_record_proof(li, in->proof_type, &sub) != 0) {
        if (sub.code != SOCLE_ERULE)
            return err_set(err, sub.code, "%s", sub.msg);
        set_warning(res, "identity document not recorded", sub.msg);
    }

    if (in->ins[0] != '\0') {
        if (!in->insi_verified) {
            res->ins_dropped = 1;
            set_warning(res, "INS not kept: the source did not verify it with INSi", NULL);
        } else if (strcmp(in->ins, li->ins) != 0 || strcmp(in->ins_oid, li->ins_oid) != 0) {
            char at[TIME_ISO_MAX];
            time_now_iso(at);
            err_clear(&sub);
            if (rniv_record_insi(li, in->ins, in->ins_oid, &in->traits, at, &sub) != 0) {
                res->ins_dropped = 1;
                set_warning(res, "INS not kept", sub.msg);
            }
        }
    }

    static const unsigned attrs[] = { RNIV_ATTR_HOMONYM, RNIV_ATTR_FICTITIOUS,
                                      RNIV_ATTR_DOUBTFUL };
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        int on = (in->attributes & attrs[i]) != 0;
        if (!on && !(in->attributes_known & attrs[i]))
            continue;  /* not the source's to clear */
        if (on == ((li->attributes & attrs[i]) != 0))
            continue;
        if (rniv_set_attribute(li, attrs[i], on, err) != 0)
            return -1;
    }
    return 0;
}

/* The snapshots of a local identity before and after a change, computed
 * once: equal, they mean nothing changed (and are freed, returning 0);
 * different, they are kept for the history entry (returning 1). */
static int snapshot_change(const local_identity *old, const local_identity *li,
                           char **before, char **after)
{
    *before = snapshot_local(old);
    *after = snapshot_local(li);
    if (strcmp(*before, *after) != 0)
        return 1;
    free(*before);
    free(*after);
    *before = *after = NULL;
    return 0;
}

/* Store a changed local identity and its history entry (which takes the
 * snapshots). Snapshots leave out version and timestamps, so those taken
 * before saving describe the saved state. */
static int save_change(struct store *st, const socle_actor *actor, local_identity *li,
                       const char *action, const char *reason, char *before, char *after,
                       socle_err *err)
{
    if (save_local(st, li, 0, err) != 0) {
        free(before);
        free(after);
        return -1;
    }
    return history_record(st, actor, "local_identity", li->id, action, reason, before,
                            after, err);
}

int identity_domain_find(struct store *st, const char *oid, const char *ej_finess,
                         id_domain *out, socle_err *err)
{
    if (oid != NULL && oid[0] != '\0') {
        int found = store_domain_find_oid(st, oid, out, err);
        return found > 0 && out->kind != DOMAIN_EJ ? 0 : found;
    }
    if (ej_finess == NULL || ej_finess[0] == '\0')
        return 0;
    structure_node ej;
    int found = store_structure_find_finess(st, STRUCTURE_EJ, ej_finess, &ej, err);
    if (found <= 0)
        return found;
    return store_domain_find_structure(st, ej.id, out, err);
}

/* ---- Real-time matching of an updated identity ---------------------- */

/* Did a trait the matching compares change? */
static int matching_changed(const local_identity *old, const local_identity *li)
{
    match_record a, b;
    matching_record(&old->traits, old->ins, &a);
    matching_record(&li->traits, li->ins, &b);
    return memcmp(&a, &b, sizeof a) != 0;
}

/* Run the matching for an identity whose traits changed: a sure candidate
 * merges the two GHT identities (the older one survives), unsure ones get
 * review tasks. */
static int relink_by_matching(struct store *st, const socle_actor *actor,
                              const local_identity *li, identity_result *res, socle_err *err)
{
    matching_result mr;
    if (matching_decide_in_tx(st, li, &mr, err) != 0)
        return -1;
    res->matched = 1;
    res->match_decision = (int)mr.decision;
    int64_t ght = li->ght_id;
    if (mr.decision == MATCH_AUTO && mr.ght_id != li->ght_id) {
        int64_t survivor = mr.ght_id < li->ght_id ? mr.ght_id : li->ght_id;
        int64_t absorbed = survivor == mr.ght_id ? li->ght_id : mr.ght_id;
        if (identity_merge_in_tx(st, actor, survivor, absorbed, LINK_AUTO, mr.reason,
                                 &res->merge_id, err) != 0)
            return -1;
        ght = survivor;
        res->ght_id = survivor;
    }
    return matching_open_reviews_in_tx(st, actor, li, ght, &mr, &res->reviews_opened, err);
}

int identity_upsert_in_tx(struct store *st, const socle_actor *actor, const identity_input *in,
                          identity_result *res, socle_err *err)
{
    memset(res, 0, sizeof *res);
    id_domain dom;
    int found = store_domain_find_oid(st, in->domain_oid, &dom, err);
    if (found < 0)
        return -1;
    if (!found || dom.kind != DOMAIN_EJ)
        return err_set(err, SOCLE_ENOTFOUND,
                       "unknown identification domain %s: no establishment declares it",
                       in->domain_oid);
    if (in->ipp[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "ipp: missing");
    if (rniv_traits_validate(&in->traits, err) != 0)
        return -1;

    local_identity old, li;
    found = store_local_find(st, dom.id, in->ipp, &old, err);
    if (found < 0)
        return -1;
    int64_t into = 0;
    /* Only an identity without a GHT link can have been merged away (the
     * merge ends its link): skip the lookup on the common path. */
    if (found && old.ght_id == 0 && identity_local_merged_into(st, old.id, &into, err) != 0)
        return into ? err_set(err, SOCLE_ERULE, "this IPP was merged into local identity %"
                              PRId64 ": send the surviving IPP", into) : -1;

    if (found && in->create_only)
        return err_set(err, SOCLE_ECONFLICT, "this IPP already designates a local identity "
                       "in the domain");
    if (!found && in->update_only)
        return err_set(err, SOCLE_ENOTFOUND, "no local identity with this IPP in the domain");
    if (!found) {
        memset(&li, 0, sizeof li);
        li.domain_id = dom.id;
        str_copy(li.ipp, sizeof li.ipp, in->ipp);
        li.traits = in->traits;
        li.contact = in->contact;
        li.status = RNIV_PROV;
        if (apply_assertions(&li, in, res, err) != 0)
            return -1;
        if (save_local(st, &li, 1, err) != 0)
            return -1;
        if (history_record(st, actor, "local_identity", li.id, "identity.create", NULL,
                             NULL, snapshot_local(&li), err) != 0)
            return -1;

        int64_t ght = 0;
        int ins_contradicted = 0;
        if (find_ins_ght(st, &li, &ght, &ins_contradicted, res->warning, sizeof res->warning,
                         err) != 0)
            return -1;
        const char *why = "new identity";
        matching_result mr;
        memset(&mr, 0, sizeof mr);
        int joined = 0;
        if (ght != 0) {
            res->linked_by_ins = 1;
            joined = 1;
            why = "same INS";
        } else if (in->join_ght_id != 0) {
            ght = in->join_ght_id;
            joined = 1;
            why = "imported with its cluster";
        } else if (!in->no_matching) {
            if (matching_decide_in_tx(st, &li, &mr, err) != 0)
                return -1;
            if (ins_contradicted)  /* the warning says: to be reviewed */
                matching_downgrade(&mr, "its INS is held by a contradicting identity");
            res->matched = 1;
            res->match_decision = (int)mr.decision;
            why = mr.reason;
            if (mr.decision == MATCH_AUTO) {
                ght = mr.ght_id;
                joined = 1;
            }
        }
        if (ght == 0 && ght_new(st, actor, &ght, err) != 0)
            return -1;
        if (link_new(st, actor, li.id, ght, LINK_AUTO, 0, why, err) != 0
            || identity_notify_in_tx(st, joined ? NOTIFY_UPDATED : NOTIFY_CREATED,
                                     ght, 0, why, err) != 0
            || matching_open_reviews_in_tx(st, actor, &li, ght, &mr, &res->reviews_opened,
                                           err) != 0)
            return -1;
        res->outcome = IDENTITY_CREATED;
        res->local_id = li.id;
        res->ght_id = ght;
        return audit_local(st, actor, "identity.create", li.id, "success", in->ipp, err);
    }

    li = old;
    if (rniv_apply_traits(&li, &in->traits, &res->downgraded, err) != 0)
        return -1;
    li.contact = in->contact;
    if (apply_assertions(&li, in, res, err) != 0)
        return -1;
    res->local_id = li.id;
    res->ght_id = li.ght_id;
    char *before, *after;
    if (!snapshot_change(&old, &li, &before, &after)) {
        res->outcome = IDENTITY_UNCHANGED;
        return audit_local(st, actor, "identity.update", li.id, "unchanged", in->ipp, err);
    }
    if (save_change(st, actor, &li, "identity.update",
                    res->downgraded ? "strict trait changed: back to provisional" : NULL,
                    before, after, err) != 0
        || identity_notify_in_tx(st, NOTIFY_UPDATED, li.ght_id, 0, NULL, err) != 0)
        return -1;
    res->outcome = IDENTITY_UPDATED;

    /* A newly acquired INS held under another GHT identity: same person. */
    if (li.ins[0] != '\0' && strcmp(li.ins, old.ins) != 0) {
        int64_t ght = 0;
        if (find_ins_ght(st, &li, &ght, NULL, res->warning, sizeof res->warning, err) != 0)
            return -1;
        if (ght != 0 && ght != li.ght_id) {
            if (identity_merge_in_tx(st, actor, ght, li.ght_id, LINK_AUTO, "same INS",
                                     &res->merge_id,
                                     err) != 0)
                return -1;
            res->linked_by_ins = 1;
            res->ght_id = ght;
        }
    }
    if (!res->linked_by_ins && !in->no_matching && li.ght_id != 0
        && matching_changed(&old, &li) && relink_by_matching(st, actor, &li, res, err) != 0)
        return -1;
    return audit_local(st, actor, "identity.update", li.id, "success", in->ipp, err);
}

int identity_upsert(struct store *st, const socle_actor *actor, const identity_input *in,
                    identity_result *res, socle_err *err)
{
    memset(res, 0, sizeof *res);
    if (store_begin(st, err) != 0)
        return -1;
    if (identity_upsert_in_tx(st, actor, in, res, err) != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

/* ---- Quality alerts --------------------------------------------------- */

int identity_alert_in_tx(struct store *st, const socle_actor *actor, int64_t local_id,
                         const char *kind, const char *detail, socle_err *err)
{
    quality_alert a;
    memset(&a, 0, sizeof a);
    time_now_iso(a.raised_at);
    str_copy(a.kind, sizeof a.kind, kind);
    a.local_id = local_id;
    str_copy(a.source, sizeof a.source, actor->id);
    str_copy(a.detail, sizeof a.detail, detail ? detail : "");
    if (store_alert_insert(st, &a, err) != 0)
        return -1;
    return audit_local(st, actor, "quality.alert", local_id, "success", kind, err);
}

/* ---- Reads ------------------------------------------------------------ */

/* Run one audited read in its own transaction: the trace of a read must be
 * as durable as the trace of a write. */
static int audited_read(struct store *st, const socle_actor *actor, const char *object_type,
                        int64_t id, int found, socle_err *err)
{
    char oid[32];
    snprintf(oid, sizeof oid, "%" PRId64, id);
    return audit_log(st, actor, "identity.read", object_type, oid,
                     found ? "success" : "not-found", NULL, err);
}

int identity_get_local(struct store *st, const socle_actor *actor, int64_t local_id,
                       local_identity *out, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    int found = store_local_get(st, local_id, out, err);
    if (found < 0 || audited_read(st, actor, "local_identity", local_id, found, err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return found;
}

int identity_find_local(struct store *st, const socle_actor *actor, const char *domain_oid,
                        const char *ipp, local_identity *out, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    id_domain dom;
    int found = store_domain_find_oid(st, domain_oid, &dom, err);
    if (found > 0)
        found = store_local_find(st, dom.id, ipp, out, err);
    if (found < 0
        || audited_read(st, actor, "local_identity", found ? out->id : 0, found, err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return found;
}

int identity_get_ght(struct store *st, const socle_actor *actor, int64_t ght_id,
                     ght_identity *out, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    int found = store_ght_get(st, ght_id, out, err);
    if (found < 0 || audited_read(st, actor, "ght_identity", ght_id, found, err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return found;
}

/* ---- RNIV actions ----------------------------------------------------- */

typedef enum rniv_action_kind { ACT_INSI, ACT_PROOF, ACT_ATTR, ACT_REMOVE_INS } rniv_action_kind;

typedef struct rniv_action {
    rniv_action_kind kind;
    const char *ins, *ins_oid;
    const identity_traits *insi_traits;
    const char *doc_code;
    unsigned attr;
    int on;
    const char *reason;
} rniv_action;

static const char *action_name(rniv_action_kind k)
{
    switch (k) {
    case ACT_INSI:       return "identity.insi";
    case ACT_PROOF:      return "identity.proof";
    case ACT_ATTR:       return "identity.attribute";
    case ACT_REMOVE_INS: return "identity.remove_ins";
    }
    return "identity.action";
}

static int rniv_action_in_tx(struct store *st, const socle_actor *actor, int64_t local_id,
                             const rniv_action *a, identity_result *res, socle_err *err)
{
    local_identity old;
    int found = store_local_get(st, local_id, &old, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ENOTFOUND, "local identity %" PRId64 " not found", local_id);

    local_identity li = old;
    int rc = 0;
    switch (a->kind) {
    case ACT_INSI: {
        char at[TIME_ISO_MAX];
        time_now_iso(at);
        rc = rniv_record_insi(&li, a->ins, a->ins_oid, a->insi_traits, at, err);
        break;
    }
    case ACT_PROOF:      rc = rniv_record_proof(&li, a->doc_code, err); break;
    case ACT_ATTR:       rc = rniv_set_attribute(&li, a->attr, a->on, err); break;
    case ACT_REMOVE_INS: rniv_remove_ins(&li); break;
    }
    if (rc != 0)
        return -1;
    if (res != NULL) {
        res->local_id = li.id;
        res->ght_id = li.ght_id;
        res->outcome = IDENTITY_UNCHANGED;
    }
    char *before, *after;
    if (!snapshot_change(&old, &li, &before, &after))
        return audit_local(st, actor, action_name(a->kind), li.id, "unchanged", NULL, err);
    if (save_change(st, actor, &li, action_name(a->kind), a->reason, before, after, err) != 0
        || identity_notify_in_tx(st, NOTIFY_UPDATED, li.ght_id, 0, a->reason, err) != 0)
        return -1;
    if (res != NULL)
        res->outcome = IDENTITY_UPDATED;

    if (a->kind == ACT_INSI && res != NULL) {
        int64_t ght = 0;
        if (find_ins_ght(st, &li, &ght, NULL, res->warning, sizeof res->warning, err) != 0)
            return -1;
        if (ght != 0 && ght != li.ght_id) {
            if (identity_merge_in_tx(st, actor, ght, li.ght_id, LINK_AUTO, "same INS",
                                     &res->merge_id,
                                     err) != 0)
                return -1;
            res->linked_by_ins = 1;
            res->ght_id = ght;
        }
    }
    return audit_local(st, actor, action_name(a->kind), li.id, "success", a->reason, err);
}

static int run_rniv_action(struct store *st, const socle_actor *actor, int64_t local_id,
                           const rniv_action *a, identity_result *res, socle_err *err)
{
    if (res != NULL)
        memset(res, 0, sizeof *res);
    if (store_begin(st, err) != 0)
        return -1;
    if (rniv_action_in_tx(st, actor, local_id, a, res, err) != 0) {
        socle_err saved = *err;
        store_rollback(st);
        /* A refused action is itself worth a trace: who tried what. */
        if (saved.code == SOCLE_ERULE && store_begin(st, NULL) == 0) {
            if (audit_local(st, actor, action_name(a->kind), local_id, "denied", saved.msg,
                            NULL) == 0)
                store_commit(st, NULL);
            store_rollback(st);
        }
        *err = saved;
        return -1;
    }
    if (store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

int identity_record_insi(struct store *st, const socle_actor *actor, int64_t local_id,
                         const char *ins, const char *ins_oid,
                         const identity_traits *insi_traits, identity_result *res,
                         socle_err *err)
{
    rniv_action a = { .kind = ACT_INSI, .ins = ins, .ins_oid = ins_oid,
                      .insi_traits = insi_traits, .reason = "INSi" };
    identity_result local_res;
    return run_rniv_action(st, actor, local_id, &a, res ? res : &local_res, err);
}

int identity_record_proof(struct store *st, const socle_actor *actor, int64_t local_id,
                          const char *doc_code, socle_err *err)
{
    rniv_action a = { .kind = ACT_PROOF, .doc_code = doc_code, .reason = doc_code };
    return run_rniv_action(st, actor, local_id, &a, NULL, err);
}

int identity_set_attribute(struct store *st, const socle_actor *actor, int64_t local_id,
                           unsigned attr, int on, const char *reason, socle_err *err)
{
    rniv_action a = { .kind = ACT_ATTR, .attr = attr, .on = on, .reason = reason };
    return run_rniv_action(st, actor, local_id, &a, NULL, err);
}

int identity_remove_ins(struct store *st, const socle_actor *actor, int64_t local_id,
                        const char *reason, socle_err *err)
{
    rniv_action a = { .kind = ACT_REMOVE_INS, .reason = reason };
    return run_rniv_action(st, actor, local_id, &a, NULL, err);
}

/* ---- Identifier changes ----------------------------------------------- */

static int find_by_ipp(struct store *st, int64_t domain_id, const char *ipp,
                       local_identity *out, socle_err *err)
{
    int found = store_local_find(st, domain_id, ipp, out, err);
    if (found == 0)
        return err_set(err, SOCLE_ENOTFOUND, "no local identity with this IPP in the domain");
    if (found < 0)
        return -1;
    int64_t into = 0;
    if (out->ght_id == 0 && identity_local_merged_into(st, out->id, &into, err) != 0)
        return into ? err_set(err, SOCLE_ERULE, "this IPP was merged into local identity %"
                              PRId64 ": send the surviving IPP", into) : -1;
    return 0;
}

int identity_change_ipp_in_tx(struct store *st, const socle_actor *actor, int64_t domain_id,
                              const char *old_ipp, const char *new_ipp, int64_t *local_id,
                              socle_err *err)
{
    if (new_ipp == NULL || new_ipp[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "ipp: missing");
    local_identity old, taken;
    if (find_by_ipp(st, domain_id, old_ipp, &old, err) != 0)
        return -1;
    *local_id = old.id;
    if (strcmp(old_ipp, new_ipp) == 0)
        return audit_local(st, actor, "identity.ipp_change", old.id, "unchanged", NULL, err);
    int found = store_local_find(st, domain_id, new_ipp, &taken, err);
    if (found < 0)
        return -1;
    if (found)
        return err_set(err, SOCLE_ECONFLICT,
                       "the new IPP is already held by local identity %" PRId64, taken.id);

    local_identity li = old;
    if (str_copy(li.ipp, sizeof li.ipp, new_ipp) != 0)
        return err_set(err, SOCLE_EINVAL, "ipp: too long");
    if (save_change(st, actor, &li, "identity.ipp_change", NULL, snapshot_local(&old),
                    snapshot_local(&li), err) != 0
        || identity_notify_in_tx(st, NOTIFY_UPDATED, li.ght_id, 0, "IPP changed", err) != 0)
        return -1;
    return audit_local(st, actor, "identity.ipp_change", li.id, "success", NULL, err);
}

int identity_remove_ins_in_tx(struct store *st, const socle_actor *actor, int64_t domain_id,
                              const char *ipp, const char *reason, int64_t *local_id,
                              socle_err *err)
{
    local_identity old;
    if (find_by_ipp(st, domain_id, ipp, &old, err) != 0)
        return -1;
    *local_id = old.id;
    rniv_action a = { .kind = ACT_REMOVE_INS, .reason = reason };
    return rniv_action_in_tx(st, actor, old.id, &a, NULL, err);
}
