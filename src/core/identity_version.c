/*
 * identity_version.c - versions of a patient (identity_version.h): the
 * snapshot of the view, written and read back.
 */
#include "core/identity_version.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/store.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/json_writer.h"
#include "util/timeutil.h"

/* ---- Snapshot ------------------------------------------------------------ */

/* The snapshot is written directly (util/json_writer.h: the text jansson
 * wrote for it before, members in this order); snapshot_read parses it
 * back with jansson. */
static void local_json(json_writer *w, const identity_hit_local *x)
{
    const local_identity *li = &x->li;
    const identity_traits *t = &li->traits;
    char sex[2] = { t->sex ? t->sex : 'U', '\0' };
    jw_object_begin(w);
    jw_member_int(w, "id", li->id);
    jw_member_string(w, "ipp", li->ipp);
    jw_member_string(w, "domain_oid", x->domain_oid);
    jw_member_string(w, "domain_name", x->domain_name);
    jw_member_string(w, "birth_name", t->birth_name);
    jw_member_string(w, "first_forename", t->first_forename);
    jw_member_string(w, "forenames", t->forenames);
    jw_member_string(w, "birth_date", t->birth_date);
    jw_member_string(w, "sex", sex);
    jw_member_string(w, "birth_place", t->birth_place);
    jw_member_string(w, "used_name", t->used_name);
    jw_member_string(w, "used_forename", t->used_forename);
    jw_member_int(w, "status", (int)li->status);
    jw_member_int(w, "attributes", (int)li->attributes);
    jw_member_bool(w, "insi_verified", li->insi_verified);
    jw_member_string(w, "insi_at", li->insi_at);
    jw_member_string(w, "ins", li->ins);
    jw_member_string(w, "ins_oid", li->ins_oid);
    jw_object_end(w);
}

static char *snapshot_patient(const identity_patient *p)
{
    buf b = {0};
    json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_string(&w, "state", p->ght.state == GHT_ACTIVE ? "ACTIVE" : "MERGED");
    jw_member_int(&w, "merged_into", p->ght.merged_into);
    jw_key(&w, "replaces");
    jw_array_begin(&w);
    for (size_t i = 0; i < p->n_replaces; i++)
        jw_int(&w, p->replaces[i]);
    jw_array_end(&w);
    jw_member_string(&w, "ght_oid", p->ght_oid);
    jw_member_string(&w, "ght_name", p->ght_name);
    jw_member_int(&w, "best", (int)p->hit.best);
    jw_member_string(&w, "ins", p->hit.ins);
    jw_member_string(&w, "ins_oid", p->hit.ins_oid);
    jw_key(&w, "locals");
    jw_array_begin(&w);
    for (size_t i = 0; i < p->hit.n_locals; i++)
        local_json(&w, &p->hit.locals[i]);
    jw_array_end(&w);
    jw_object_end(&w);
    return buf_detach(&b);
}

static void copy(char *dst, size_t n, json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    str_copy(dst, n, v ? v : "");
}

/* Our own snapshot back into a view; -1 (SOCLE_EINTERNAL) when it does not
 * read, which would be a bug or a damaged store. */
static int snapshot_read(const char *text, int64_t ght_id, identity_patient *p,
                         socle_err *err)
{
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    if (o == NULL || !json_is_array(json_object_get(o, "locals")))
        goto bad;
    p->ght.id = ght_id;
    p->hit.ght_id = ght_id;
    const char *state = json_string_value(json_object_get(o, "state"));
    p->ght.state = state && strcmp(state, "MERGED") == 0 ? GHT_MERGED : GHT_ACTIVE;
    p->ght.merged_into = json_integer_value(json_object_get(o, "merged_into"));
    copy(p->ght_oid, sizeof p->ght_oid, o, "ght_oid");
    copy(p->ght_name, sizeof p->ght_name, o, "ght_name");
    copy(p->hit.ins, sizeof p->hit.ins, o, "ins");
    copy(p->hit.ins_oid, sizeof p->hit.ins_oid, o, "ins_oid");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "replaces"), i, v)
        if (p->n_replaces < IDENTITY_REPLACES_MAX)
            p->replaces[p->n_replaces++] = json_integer_value(v);
    json_t *locals = json_object_get(o, "locals");
    size_t n = json_array_size(locals);
    p->hit.locals = calloc(n ? n : 1, sizeof *p->hit.locals);
    if (p->hit.locals == NULL)
        abort();
    json_array_foreach(locals, i, v) {
        identity_hit_local *x = &p->hit.locals[i];
        local_identity *li = &x->li;
        identity_traits *t = &li->traits;
        li->id = json_integer_value(json_object_get(v, "id"));
        li->ght_id = ght_id;
        copy(li->ipp, sizeof li->ipp, v, "ipp");
        copy(x->domain_oid, sizeof x->domain_oid, v, "domain_oid");
        copy(x->domain_name, sizeof x->domain_name, v, "domain_name");
        copy(t->birth_name, sizeof t->birth_name, v, "birth_name");
        copy(t->first_forename, sizeof t->first_forename, v, "first_forename");
        copy(t->forenames, sizeof t->forenames, v, "forenames");
        copy(t->birth_date, sizeof t->birth_date, v, "birth_date");
        const char *sex = json_string_value(json_object_get(v, "sex"));
        t->sex = sex && sex[0] ? sex[0] : 'U';
        copy(t->birth_place, sizeof t->birth_place, v, "birth_place");
        copy(t->used_name, sizeof t->used_name, v, "used_name");
        copy(t->used_forename, sizeof t->used_forename, v, "used_forename");
        json_int_t status = json_integer_value(json_object_get(v, "status"));
        li->status = status >= RNIV_PROV && status <= RNIV_QUAL ? (rniv_status)status
                                                                : RNIV_PROV;
        li->attributes = (unsigned)json_integer_value(json_object_get(v, "attributes"));
        li->insi_verified = json_is_true(json_object_get(v, "insi_verified"));
        copy(li->insi_at, sizeof li->insi_at, v, "insi_at");
        copy(li->ins, sizeof li->ins, v, "ins");
        copy(li->ins_oid, sizeof li->ins_oid, v, "ins_oid");
        p->hit.n_locals++;
    }
    json_int_t best = json_integer_value(json_object_get(o, "best"));
    p->hit.best = best >= 0 && (size_t)best < p->hit.n_locals ? (size_t)best : 0;
    json_decref(o);
    return 0;
bad:
    json_decref(o);
    return err_set(err, SOCLE_EINTERNAL, "patient %" PRId64 ": unreadable version snapshot",
                   ght_id);
}

/* ---- Recording ------------------------------------------------------------ */

int identity_version_record_in_tx(struct store *st, int64_t ght_id, socle_err *err)
{
    identity_patient p;
    int found = identity_patient_load_in_tx(st, ght_id, &p, err);
    if (found <= 0) {
        identity_patient_free(&p);
        return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "GHT identity %" PRId64
                                        " missing", ght_id);
    }
    char *snap = snapshot_patient(&p);
    identity_patient_free(&p);
    char at[TIME_ISO_MAX];
    time_now_iso(at);
    int version;
    int rc = store_patient_version_add(st, ght_id, at, snap, &version, err);
    free(snap);
    return rc;
}

/* ---- Reading -------------------------------------------------------------- */

/* Version v (its snapshot owned by v) as a view into *p: 1, or 0 when it
 * has no snapshot and is not the current one. */
static int version_view(struct store *st, int64_t ght_id, const patient_version *v,
                        int current, identity_patient *p, socle_err *err)
{
    memset(p, 0, sizeof *p);
    if (v->snapshot == NULL) {
        if (v->version != current)
            return 0;
        int found = identity_patient_load_in_tx(st, ght_id, p, err);
        if (found <= 0)
            return found;
    } else if (snapshot_read(v->snapshot, ght_id, p, err) != 0) {
        return -1;
    }
    p->version = v->version;
    str_copy(p->version_at, sizeof p->version_at, v->at);
    return 1;
}

static int audit_version(struct store *st, const socle_actor *actor, int64_t ght_id,
                         int found, const char *detail, socle_err *err)
{
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, ght_id);
    return audit_log(st, actor, "identity.read", "ght_identity", oid,
                     found ? "success" : "not-found", detail, err);
}

int identity_patient_vread_in_tx(struct store *st, const socle_actor *actor, int64_t ght_id,
                                 int version, identity_patient *p, socle_err *err)
{
    memset(p, 0, sizeof *p);
    patient_version last, v;
    int found = store_patient_version_last(st, ght_id, &last, err);
    if (found > 0)
        found = store_patient_version_get(st, ght_id, version, &v, err);
    if (found < 0)
        return -1;
    if (found) {
        found = version_view(st, ght_id, &v, last.version, p, err);
        free((char *)v.snapshot);
        if (found < 0)
            return -1;
    }
    char detail[32];
    snprintf(detail, sizeof detail, "version=%d", version);
    if (audit_version(st, actor, ght_id, found, detail, err) != 0)
        return -1;
    return found;
}

typedef struct history_ctx {
    struct store *st;
    int64_t ght_id;
    int current;
    identity_patient *items;
    size_t len, cap;
    int failed;
    socle_err *err;
} history_ctx;

static int collect_version(const patient_version *v, void *arg)
{
    history_ctx *h = arg;
    if (h->current == 0)
        h->current = v->version;  /* newest first: the first is the last */
    identity_patient p;
    int found = version_view(h->st, h->ght_id, v, h->current, &p, h->err);
    if (found < 0) {
        identity_patient_free(&p);
        h->failed = 1;
        return 1;
    }
    if (found)
        *ARRAY_PUSH(h->items, h->len, h->cap) = p;
    return 0;
}

int identity_patient_history_in_tx(struct store *st, const socle_actor *actor,
                                   int64_t ght_id, identity_patient **out, size_t *n,
                                   socle_err *err)
{
    *out = NULL;
    *n = 0;
    history_ctx h = { .st = st, .ght_id = ght_id, .err = err };
    if (store_patient_version_foreach(st, ght_id, collect_version, &h, err) != 0 || h.failed) {
        identity_patient_history_free(h.items, h.len);
        return -1;
    }
    char detail[48];
    snprintf(detail, sizeof detail, "history: versions=%zu", h.len);
    if (audit_version(st, actor, ght_id, h.len > 0, detail, err) != 0) {
        identity_patient_history_free(h.items, h.len);
        return -1;
    }
    *out = h.items;
    *n = h.len;
    return 0;
}

void identity_patient_history_free(identity_patient *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        identity_patient_free(&v[i]);
    free(v);
}
