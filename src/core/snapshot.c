#include "core/snapshot.h"

#include <jansson.h>
#include <stdlib.h>

#include "core/rniv.h"
#include "core/stay.h"
#include "core/structure.h"
#include "util/buf.h"
#include "util/json_writer.h"

/* Every snapshot is the text json_dumps(JSON_COMPACT | JSON_SORT_KEYS)
 * would give, so that equal states give equal texts (and the texts stored
 * before the writer replaced jansson here compare equal to new ones): the
 * keys below are written in strcmp order, nested objects too. */
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
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_string(&w, "code", n->code);
    jw_member_string(&w, "finess", n->finess);
    jw_member_int(&w, "id", n->id);
    jw_member_string(&w, "kind", structure_kind_code(n->kind));
    jw_member_string(&w, "label", n->label);
    jw_member_string(&w, "oid", n->oid);
    jw_member_string(&w, "parent_code", n->parent_code);
    jw_member_string(&w, "valid_from", n->valid_from);
    jw_member_string(&w, "valid_to", n->valid_to);
    jw_object_end(&w);
    return buf_detach(&b);
}

char *snapshot_local(const local_identity *li)
{
    const identity_traits *t = &li->traits;
    const identity_contact *c = &li->contact;
    char sex[2] = { t->sex ? t->sex : 'U', '\0' };
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_key(&w, "attributes");
    jw_array_begin(&w);
    for (unsigned bit = 1; bit <= RNIV_ATTR_HOMONYM; bit <<= 1)
        if (li->attributes & bit)
            jw_string(&w, rniv_attribute_name(bit));
    jw_array_end(&w);
    jw_key(&w, "contact");
    jw_object_begin(&w);
    jw_member_string(&w, "address", c->address);
    jw_member_string(&w, "city", c->city);
    jw_member_string(&w, "country", c->country);
    jw_member_string(&w, "email", c->email);
    jw_member_string(&w, "phone", c->phone);
    jw_member_string(&w, "postal_code", c->postal_code);
    jw_object_end(&w);
    jw_member_int(&w, "domain_id", li->domain_id);
    jw_member_int(&w, "id", li->id);
    jw_member_string(&w, "ins", li->ins);
    jw_member_string(&w, "ins_oid", li->ins_oid);
    jw_member_string(&w, "insi_at", li->insi_at);
    jw_member_bool(&w, "insi_verified", li->insi_verified);
    jw_member_string(&w, "ipp", li->ipp);
    jw_member_string(&w, "proof_type", li->proof_type);
    jw_member_string(&w, "status", rniv_status_code(li->status));
    jw_key(&w, "traits");
    jw_object_begin(&w);
    jw_member_string(&w, "birth_date", t->birth_date);
    jw_member_string(&w, "birth_name", t->birth_name);
    jw_member_string(&w, "birth_place", t->birth_place);
    jw_member_string(&w, "first_forename", t->first_forename);
    jw_member_string(&w, "forenames", t->forenames);
    jw_member_string(&w, "sex", sex);
    jw_member_string(&w, "used_forename", t->used_forename);
    jw_member_string(&w, "used_name", t->used_name);
    jw_object_end(&w);
    jw_object_end(&w);
    return buf_detach(&b);
}

char *snapshot_ght(const ght_identity *g)
{
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_int(&w, "id", g->id);
    jw_member_int(&w, "merged_into", g->merged_into);
    jw_member_string(&w, "state", g->state == GHT_MERGED ? "merged" : "active");
    jw_object_end(&w);
    return buf_detach(&b);
}

char *snapshot_link(const identity_link *l)
{
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_int(&w, "ght_id", l->ght_id);
    jw_member_int(&w, "id", l->id);
    jw_member_int(&w, "local_id", l->local_id);
    jw_member_int(&w, "merge_id", l->merge_id);
    jw_member_string(&w, "method", l->method == LINK_MANUAL ? "MANUAL" : "AUTO");
    jw_member_string(&w, "reason", l->reason);
    jw_member_string(&w, "state", l->state == LINK_ENDED ? "ENDED" : "ACTIVE");
    jw_object_end(&w);
    return buf_detach(&b);
}

/* ---- Stays and movements ---------------------------------------------- */

static void location_json(json_writer *w, const stay_location *l)
{
    jw_key(w, "location");
    jw_object_begin(w);
    jw_member_string(w, "bed", l->bed);
    jw_member_int(w, "bed_id", l->bed_id);
    jw_member_string(w, "room", l->room);
    jw_member_int(w, "room_id", l->room_id);
    jw_member_string(w, "uf", l->uf);
    jw_member_int(w, "uf_id", l->uf_id);
    jw_object_end(w);
}

/* Versions and timestamps are left out, so equal snapshots mean no change. */
char *snapshot_stay(const stay_record *s)
{
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_string(&w, "admit_at", s->admit_at);
    jw_member_string(&w, "class", s->stay_class);
    jw_member_string(&w, "discharge_at", s->discharge_at);
    jw_member_int(&w, "domain_id", s->domain_id);
    jw_member_bool(&w, "from_preadmission", s->from_preadmission);
    jw_member_int(&w, "id", s->id);
    jw_member_int(&w, "local_id", s->local_id);
    location_json(&w, &s->location);
    jw_member_string(&w, "medical_uf", s->medical_uf);
    jw_member_string(&w, "nda", s->nda);
    jw_member_bool(&w, "on_leave", s->on_leave);
    jw_member_string(&w, "status", stay_status_code(s->status));
    jw_member_string(&w, "visit_number", s->visit_number);
    jw_object_end(&w);
    return buf_detach(&b);
}

char *snapshot_movement(const movement *m)
{
    static const char *const actions[] = {"INSERT", "UPDATE", "CANCEL"};
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_string(&w, "action", actions[(unsigned)m->action < 3 ? m->action : 0]);
    jw_member_int(&w, "cancels", m->cancels);
    jw_member_string(&w, "care_uf", m->care_uf);
    jw_member_string(&w, "class", m->stay_class);
    jw_member_string(&w, "effective_at", m->effective_at);
    jw_member_bool(&w, "historic", m->historic);
    jw_member_int(&w, "id", m->id);
    location_json(&w, &m->location);
    jw_member_string(&w, "medical_uf", m->medical_uf);
    jw_member_string(&w, "movement_id", m->movement_id);
    jw_member_string(&w, "movement_ns", m->movement_ns);
    jw_member_string(&w, "nature", m->nature);
    jw_member_string(&w, "original_trigger", m->original_trigger);
    jw_member_string(&w, "state", m->state == MOVEMENT_CANCELLED ? "cancelled" : "active");
    jw_member_int(&w, "stay_id", m->stay_id);
    jw_member_string(&w, "trigger", m->trigger);
    jw_object_end(&w);
    return buf_detach(&b);
}

/* A float in it: left to jansson, whose text for doubles we do not copy
 * (reviews are rare next to identity and stay changes). */
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
