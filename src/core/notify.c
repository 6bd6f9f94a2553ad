/*
 * notify.c - the outbox rows of an identity change (see notify.h).
 */
#include "core/notify.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/identity_version.h"
#include "core/snapshot.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/random_id.h"
#include "util/array.h"

/* ---- Subscribers ------------------------------------------------------ */

typedef struct sub_list {
    subscriber *items;
    size_t len, cap;
} sub_list;

static int collect_sub(const subscriber *s, void *ctx)
{
    sub_list *l = ctx;
    *ARRAY_PUSH(l->items, l->len, l->cap) = *s;
    return 0;
}

int notify_events_accept(const char *events, const char *event)
{
    if (events == NULL || events[0] == '\0')
        return 1;
    size_t n = strlen(event);
    for (const char *p = events; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, event, n) == 0)
            return 1;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return 0;
}

/* ---- The GHT-level view of a patient --------------------------------- */

typedef struct id_list {
    int64_t *items;
    size_t len, cap;
} id_list;

static int collect_local_id(const identity_link *l, void *ctx)
{
    id_list *ids = ctx;
    *ARRAY_PUSH(ids->items, ids->len, ids->cap) = l->local_id;
    return 0;
}

/* The better of two local identities to speak for their GHT identity. */
static int better(const local_identity *a, const local_identity *b)
{
    if (a->status != b->status)
        return a->status > b->status;
    int c = strcmp(a->updated_at, b->updated_at);
    if (c != 0)
        return c > 0;
    return a->id > b->id;
}

/* The payload of one message about ght_id (absorbed: the A40's other). */
static int build_payload(struct store *st, const char *event, int64_t ght_id, int64_t absorbed,
                         const char *reason, const char *at, char **payload,
                         json_t **finesses, socle_err *err)
{
    id_domain ght_dom;
    int found = store_domain_ght(st, &ght_dom, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "no GHT domain");

    id_list ids = { 0 };
    if (store_link_foreach_ght(st, ght_id, 1, collect_local_id, &ids, err) != 0) {
        free(ids.items);
        return -1;
    }
    if (ids.len == 0) {
        free(ids.items);
        return err_set(err, SOCLE_EINTERNAL, "GHT identity %" PRId64 " has no local identity "
                       "to notify", ght_id);
    }

    json_t *idents = json_array();
    *finesses = json_array();
    local_identity best, li;
    memset(&best, 0, sizeof best);
    id_domain dom = { 0 };
    int rc = 0;
    for (size_t i = 0; i < ids.len && rc == 0; i++) {
        found = store_local_get(st, ids.items[i], &li, err);
        if (found <= 0) {
            rc = found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "linked local identity %"
                                          PRId64 " missing", ids.items[i]);
            break;
        }
        if (dom.id != li.domain_id && store_domain_get(st, li.domain_id, &dom, err) != 1) {
            rc = err_set(err, SOCLE_EINTERNAL, "domain %" PRId64 " missing", li.domain_id);
            break;
        }
        if (i == 0 || better(&li, &best))
            best = li;
        json_array_append_new(idents, json_pack("{s:s, s:s, s:s, s:s}",
            "ipp", li.ipp, "domain_oid", dom.oid, "domain_name", dom.name,
            "finess", dom.finess));
        json_array_append_new(*finesses, json_string(dom.finess));
    }
    free(ids.items);
    if (rc != 0) {
        json_decref(idents);
        json_decref(*finesses);
        *finesses = NULL;
        return -1;
    }

    char *snap = snapshot_local(&best);
    json_t *patient = json_loads(snap, 0, NULL);
    free(snap);
    if (patient == NULL)
        abort();  /* our own JSON always parses: only memory can fail */
    json_t *o = json_pack("{s:s, s:s, s:s, s:{s:I, s:s, s:s}, s:o, s:o}",
        "event", event,
        "at", at,
        "reason", reason ? reason : "",
        "ght", "id", (json_int_t)ght_id, "oid", ght_dom.oid, "name", ght_dom.name,
        "patient", patient,
        "identifiers", idents);
    if (o == NULL)
        abort();
    if (absorbed != 0)
        json_object_set_new(o, "merged", json_pack("{s:I}", "id", (json_int_t)absorbed));
    *payload = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (*payload == NULL)
        abort();
    return 0;
}

static int ej_accepts(const char *ej_finess, json_t *finesses)
{
    if (ej_finess[0] == '\0')
        return 1;
    size_t i;
    json_t *v;
    json_array_foreach(finesses, i, v)
        if (strcmp(json_string_value(v), ej_finess) == 0)
            return 1;
    return 0;
}

/* One message (event about ght_id, other = the absorbed of an A40) to
 * every subscriber that wants it. */
static int emit(struct store *st, const sub_list *subs, const char *event, int64_t ght_id,
                int64_t other, const char *reason, socle_err *err)
{
    size_t wanted = 0;
    for (size_t i = 0; i < subs->len; i++)
        wanted += notify_events_accept(subs->items[i].events, event);
    if (wanted == 0)
        return 0;

    char at[TIME_ISO_MAX];
    time_now_iso(at);
    char *payload = NULL;
    json_t *finesses = NULL;
    if (build_payload(st, event, ght_id, other, reason, at, &payload, &finesses, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < subs->len && rc == 0; i++) {
        const subscriber *s = &subs->items[i];
        if (!notify_events_accept(s->events, event) || !ej_accepts(s->ej_finess, finesses))
            continue;
        outbox_row r;
        memset(&r, 0, sizeof r);
        r.subscriber_id = s->id;
        str_copy(r.subscriber, sizeof r.subscriber, s->name);
        r.ght_id = ght_id;
        r.other_ght_id = other;
        str_copy(r.event, sizeof r.event, event);
        random_hex_id(r.message_id, 16);  /* MSH-10 for all its attempts */
        r.payload = payload;
        str_copy(r.created_at, sizeof r.created_at, at);
        str_copy(r.next_attempt_at, sizeof r.next_attempt_at, at);
        rc = store_outbox_insert(st, &r, err);
    }
    free(payload);
    json_decref(finesses);
    return rc;
}

/* NOTIFY_UPDATED: A31, or the A40 of a GHT identity retired into another. */
static int emit_update(struct store *st, const sub_list *subs, int64_t ght_id,
                       const char *reason, socle_err *err)
{
    ght_identity g;
    int found = store_ght_get(st, ght_id, &g, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "GHT identity %" PRId64
                                        " missing", ght_id);
    if (g.state == GHT_MERGED)
        return emit(st, subs, "A40", g.merged_into, ght_id, reason, err);
    return emit(st, subs, "A31", ght_id, 0, reason, err);
}

int identity_notify_in_tx(struct store *st, notify_kind kind, int64_t ght_id,
                          int64_t other_ght_id, const char *reason, socle_err *err)
{
    /* Every change of a patient's view comes here: its new version too. */
    if (identity_version_record_in_tx(st, ght_id, err) != 0
        || (other_ght_id != 0 && other_ght_id != ght_id
            && identity_version_record_in_tx(st, other_ght_id, err) != 0))
        return -1;

    sub_list subs = { 0 };
    if (store_subscriber_foreach(st, 1, collect_sub, &subs, err) != 0) {
        free(subs.items);
        return -1;
    }
    if (subs.len == 0)
        return 0;  /* nobody listens: nothing to build */

    int rc;
    switch (kind) {
    case NOTIFY_CREATED:
        rc = emit(st, &subs, "A28", ght_id, 0, reason, err);
        break;
    case NOTIFY_UPDATED:
        rc = emit_update(st, &subs, ght_id, reason, err);
        break;
    case NOTIFY_MERGED:
        rc = emit(st, &subs, "A40", ght_id, other_ght_id, reason, err);
        break;
    case NOTIFY_UNMERGED: {
        /* The former survivor first, so that an IPP given back is removed
         * from it before it appears on the restored patient; unless it was
         * left empty, when the restored one must exist before absorbing it. */
        ght_identity former;
        int found = store_ght_get(st, other_ght_id, &former, err);
        if (found <= 0) {
            rc = found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "GHT identity %" PRId64
                                          " missing", other_ght_id);
        } else if (former.state == GHT_ACTIVE) {
            rc = emit(st, &subs, "A31", other_ght_id, 0, reason, err);
            if (rc == 0)
                rc = emit(st, &subs, "A28", ght_id, 0, reason, err);
        } else {
            rc = emit(st, &subs, "A28", ght_id, 0, reason, err);
            if (rc == 0)
                rc = emit(st, &subs, "A40", ght_id, other_ght_id, reason, err);
        }
        break;
    }
    default:
        rc = err_set(err, SOCLE_EINTERNAL, "unknown notification kind %d", (int)kind);
    }
    free(subs.items);
    return rc;
}
