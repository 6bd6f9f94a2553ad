#include "core/snapshot.h"

#include <jansson.h>
#include <stdlib.h>

#include "core/rniv.h"
#include "core/stay.h"
#include "core/structure.h"

/* json_dumps with sorted keys gives a stable text for equal states. */
static char *dump(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (s == NULL)
        abort();  /* out of memory: same policy as util/buf */
    return s;
}

char *snapshot_structure(const structure_node *n)
{
    return dump(json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
        "id", (json_int_t)n->id,
        "kind", structure_kind_code(n->kind),
        "code", n->code,
        "label", n->label,
        "parent_code", n->parent_code,
        "finess", n->finess,
        "oid", n->oid,
        "valid_from", n->valid_from,
        "valid_to", n->valid_to));
}

char *snapshot_local(const local_identity *li)
{
    const identity_traits *t = &li->traits;
    const identity_contact *c = &li->contact;
    char sex[2] = { t->sex ? t->sex : 'U', '\0' };
    json_t *attrs = json_array();
    for (unsigned bit = 1; bit <= RNIV_ATTR_HOMONYM; bit <<= 1)
        if (li->attributes & bit)
            json_array_append_new(attrs, json_string(rniv_attribute_name(bit)));

    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
        " s:{s:s, s:s, s:s, s:s, s:s, s:s},"
        " s:s, s:s, s:s, s:o, s:b, s:s, s:s}",
        "id", (json_int_t)li->id,
        "domain_id", (json_int_t)li->domain_id,
        "ipp", li->ipp,
        "traits",
            "birth_name", t->birth_name,
            "first_forename", t->first_forename,
            "forenames", t->forenames,
            "birth_date", t->birth_date,
            "sex", sex,
            "birth_place", t->birth_place,
            "used_name", t->used_name,
            "used_forename", t->used_forename,
        "contact",
            "address", c->address,
            "postal_code", c->postal_code,
            "city", c->city,
            "country", c->country,
            "phone", c->phone,
            "email", c->email,
        "ins", li->ins,
        "ins_oid", li->ins_oid,
        "status", rniv_status_code(li->status),
        "attributes", attrs,
        "insi_verified", li->insi_verified,
        "insi_at", li->insi_at,
        "proof_type", li->proof_type);
    return dump(o);
}

char *snapshot_ght(const ght_identity *g)
{
    return dump(json_pack("{s:I, s:s, s:I}",
        "id", (json_int_t)g->id,
        "state", g->state == GHT_MERGED ? "merged" : "active",
        "merged_into", (json_int_t)g->merged_into));
}

char *snapshot_link(const identity_link *l)
{
    return dump(json_pack("{s:I, s:I, s:I, s:s, s:s, s:I, s:s}",
        "id", (json_int_t)l->id,
        "local_id", (json_int_t)l->local_id,
        "ght_id", (json_int_t)l->ght_id,
        "method", l->method == LINK_MANUAL ? "MANUAL" : "AUTO",
        "state", l->state == LINK_ENDED ? "ENDED" : "ACTIVE",
        "merge_id", (json_int_t)l->merge_id,
        "reason", l->reason));
}

/* ---- Stays and movements ---------------------------------------------- */

static json_t *location_json(const stay_location *l)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "uf", l->uf, "room", l->room,
                     "bed", l->bed, "uf_id", (json_int_t)l->uf_id,
                     "room_id", (json_int_t)l->room_id, "bed_id", (json_int_t)l->bed_id);
}

/* Versions and timestamps are left out, so equal snapshots mean no change. */
char *snapshot_stay(const stay_record *s)
{
    return dump(json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:o, s:s}",
        "id", (json_int_t)s->id,
        "domain_id", (json_int_t)s->domain_id,
        "local_id", (json_int_t)s->local_id,
        "visit_number", s->visit_number,
        "nda", s->nda,
        "class", s->stay_class,
        "status", stay_status_code(s->status),
        "from_preadmission", s->from_preadmission,
        "on_leave", s->on_leave,
        "admit_at", s->admit_at,
        "discharge_at", s->discharge_at,
        "location", location_json(&s->location),
        "medical_uf", s->medical_uf));
}

char *snapshot_movement(const movement *m)
{
    static const char *const actions[] = {"INSERT", "UPDATE", "CANCEL"};
    return dump(json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:I}",
        "id", (json_int_t)m->id,
        "stay_id", (json_int_t)m->stay_id,
        "movement_id", m->movement_id,
        "movement_ns", m->movement_ns,
        "trigger", m->trigger,
        "action", actions[(unsigned)m->action < 3 ? m->action : 0],
        "effective_at", m->effective_at,
        "historic", m->historic,
        "original_trigger", m->original_trigger,
        "class", m->stay_class,
        "medical_uf", m->medical_uf,
        "care_uf", m->care_uf,
        "nature", m->nature,
        "location", location_json(&m->location),
        "state", m->state == MOVEMENT_CANCELLED ? "cancelled" : "active",
        "cancels", (json_int_t)m->cancels));
}

char *snapshot_review(const review_task *t)
{
    static const char *const status[] = { "open", "later", "merged", "not_duplicate",
                                          "obsolete" };
    return dump(json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:s, s:s, s:s, s:s, s:I}",
        "id", (json_int_t)t->id,
        "local_a", (json_int_t)t->local_a,
        "local_b", (json_int_t)t->local_b,
        "ght_a", (json_int_t)t->ght_a,
        "ght_b", (json_int_t)t->ght_b,
        "score", t->score,
        "reason", t->reason,
        "status", status[(unsigned)t->status < REVIEW_STATUS_COUNT ? t->status : 0],
        "decided_by", t->decided_by,
        "comment", t->comment,
        "merge_id", (json_int_t)t->merge_id));
}
