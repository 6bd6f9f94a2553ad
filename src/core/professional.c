/*
 * professional.c - the professional directory (professional.h).
 */
#include "core/professional.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/history.h"
#include "core/rniv.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

const char *professional_id_type_code(professional_id_type t)
{
    return t == PRO_ID_ADELI ? "ADELI" : "RPPS";
}

int professional_id_type_parse(const char *code, professional_id_type *out)
{
    if (strcmp(code, "RPPS") == 0)
        *out = PRO_ID_RPPS;
    else if (strcmp(code, "ADELI") == 0)
        *out = PRO_ID_ADELI;
    else
        return -1;
    return 0;
}

/* ---- Validation ------------------------------------------------------- */

static int all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int check_text(const char *field, const char *v, socle_err *err)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return err_set(err, SOCLE_EINVAL, "%s contains a control character", field);
    return 0;
}

static int validate(const professional_entry *e, socle_err *err)
{
    const professional *p = &e->pro;
    const professional_role *r = &e->role;
    size_t len = strlen(p->id_value);
    if (p->id_type == PRO_ID_RPPS && (len != 11 || !all_digits(p->id_value)))
        return err_set(err, SOCLE_EINVAL, "an RPPS number is 11 digits, not '%s'", p->id_value);
    /* ADELI: 9 characters, the department first (2A/2B in Corsica). */
    if (p->id_type == PRO_ID_ADELI
        && (len != 9 || !(all_digits(p->id_value)
                          || (p->id_value[0] == '2'
                              && (p->id_value[1] == 'A' || p->id_value[1] == 'B')
                              && all_digits(p->id_value + 2)))))
        return err_set(err, SOCLE_EINVAL, "an ADELI number is 9 characters, not '%s'",
                       p->id_value);
    if (p->family[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "family is empty");
    if (r->profession_code[0] == '\0' || !all_digits(r->profession_code))
        return err_set(err, SOCLE_EINVAL, "profession_code '%s' is not a code (digits)",
                       r->profession_code);
    if (e->ej_finess[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "ej_finess is empty");
    const struct { const char *name, *v; } texts[] = {
        { "civility", p->civility }, { "family", p->family }, { "given", p->given },
        { "profession_label", r->profession_label }, { "specialty_code", r->specialty_code },
        { "specialty_label", r->specialty_label }, { "role", r->role },
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (check_text(texts[i].name, texts[i].v, err) != 0)
            return -1;
    return 0;
}

/* ---- Import ----------------------------------------------------------- */

static char *snapshot_pro(const professional *p)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)p->id,
                          "id_type", professional_id_type_code(p->id_type), "id_value",
                          p->id_value, "civility", p->civility, "family", p->family,
                          "given", p->given);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

static char *snapshot_role(const professional_role *r)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->id,
                          "professional_id", (json_int_t)r->professional_id, "ej_id",
                          (json_int_t)r->ej_id, "profession_code", r->profession_code,
                          "profession_label", r->profession_label, "specialty_code",
                          r->specialty_code, "specialty_label", r->specialty_label, "role",
                          r->role);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

static int same_pro(const professional *a, const professional *b)
{
    return strcmp(a->civility, b->civility) == 0 && strcmp(a->family, b->family) == 0
        && strcmp(a->given, b->given) == 0;
}

/* The EJ of a FINESS: the EJ itself, or the EJ above an EG. 1/0/-1. */
static int resolve_ej(struct store *st, const char *finess, structure_node *ej, socle_err *err)
{
    int found = store_structure_find_finess(st, STRUCTURE_EJ, finess, ej, err);
    if (found != 0)
        return found;
    structure_node eg;
    found = store_structure_find_finess(st, STRUCTURE_EG, finess, &eg, err);
    if (found <= 0)
        return found;
    return store_structure_get(st, eg.parent_id, ej, err);
}

/* The professionals met in one import, so that each counts once. */
typedef struct id_set {
    int64_t *slots;   /* 0 = free */
    size_t cap;       /* a power of two above twice the entries */
} id_set;

/* 1 when id was already in the set, else 0 after adding it. */
static int id_set_add(id_set *set, int64_t id)
{
    size_t i = ((uint64_t)id * 11400714819323198485u) & (set->cap - 1);
    while (set->slots[i] != 0) {
        if (set->slots[i] == id)
            return 1;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = id;
    return 0;
}

static int import_pro(struct store *st, const socle_actor *actor, const professional *in,
                      const char *now, id_set *seen, professional *out,
                      professional_import_result *res, socle_err *err)
{
    professional p = *in;
    char nf[SOCLE_NAME_MAX], ng[SOCLE_NAME_MAX];
    if (rniv_normalize_name(p.family, nf, sizeof nf) != 0
        || rniv_normalize_name(p.given, ng, sizeof ng) != 0)
        return err_set(err, SOCLE_EINVAL, "family or given is not valid UTF-8 or too long");
    str_copy(p.updated_at, sizeof p.updated_at, now);
    professional old;
    int found = store_professional_find(st, p.id_type, p.id_value, &old, err);
    if (found < 0)
        return -1;
    if (!found) {
        if (store_professional_insert(st, &p, nf, ng, err) != 0)
            return -1;
        id_set_add(seen, p.id);
        res->inserted++;
        *out = p;
        return history_record(st, actor, "professional", p.id, "professional.create",
                              "professionals import", NULL, snapshot_pro(&p), err);
    }
    p.id = old.id;
    p.version = old.version;
    if (same_pro(&old, &p)) {
        if (!id_set_add(seen, old.id))
            res->unchanged++;
        *out = old;
        return 0;
    }
    if (id_set_add(seen, old.id))
        return err_set(err, SOCLE_EINVAL, "%s %s has other names on an earlier line",
                       professional_id_type_code(p.id_type), p.id_value);
    if (store_professional_update(st, &p, nf, ng, err) != 0)
        return -1;
    res->updated++;
    *out = p;
    return history_record(st, actor, "professional", p.id, "professional.update",
                          "professionals import", snapshot_pro(&old), snapshot_pro(&p), err);
}

static int import_one(struct store *st, const socle_actor *actor, const professional_entry *e,
                      const char *now, id_set *seen, professional_import_result *res,
                      socle_err *err)
{
    if (validate(e, err) != 0)
        return -1;
    structure_node ej;
    int found = resolve_ej(st, e->ej_finess, &ej, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_EINVAL, "no EJ or EG with FINESS %s in the structures",
                       e->ej_finess);
    professional p = { 0 };
    if (import_pro(st, actor, &e->pro, now, seen, &p, res, err) != 0)
        return -1;
    professional_role r = e->role;
    r.id = 0;
    r.professional_id = p.id;
    r.ej_id = ej.id;
    professional_role old;
    found = store_pro_role_find(st, &r, &old, err);
    if (found < 0)
        return -1;
    if (!found) {
        if (store_pro_role_insert(st, &r, err) != 0)
            return -1;
        res->roles_inserted++;
        return history_record(st, actor, "professional_role", r.id, "professional_role.create",
                              "professionals import", NULL, snapshot_role(&r), err);
    }
    r.id = old.id;
    if (strcmp(old.profession_label, r.profession_label) == 0
        && strcmp(old.specialty_label, r.specialty_label) == 0) {
        res->roles_unchanged++;
        return 0;
    }
    if (store_pro_role_update(st, &r, err) != 0)
        return -1;
    res->roles_updated++;
    return history_record(st, actor, "professional_role", r.id, "professional_role.update",
                          "professionals import", snapshot_role(&old), snapshot_role(&r), err);
}

int professional_import(struct store *st, const socle_actor *actor,
                        const professional_entry *entries, size_t n,
                        professional_import_result *res, socle_err *err)
{
    memset(res, 0, sizeof *res);
    res->records = n;
    res->failed_index = (size_t)-1;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    id_set seen = { .cap = 16 };
    while (seen.cap < 2 * n)
        seen.cap <<= 1;
    seen.slots = calloc(seen.cap, sizeof *seen.slots);
    if (seen.slots == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    if (store_begin(st, err) != 0) {
        free(seen.slots);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (import_one(st, actor, &entries[i], now, &seen, res, err) != 0) {
            res->failed_index = i;
            store_rollback(st);
            free(seen.slots);
            return -1;
        }
    }
    free(seen.slots);
    char detail[256];
    snprintf(detail, sizeof detail, "records=%zu; professionals: %zu inserted, %zu updated, "
             "%zu unchanged; roles: %zu inserted, %zu updated, %zu unchanged", n,
             res->inserted, res->updated, res->unchanged, res->roles_inserted,
             res->roles_updated, res->roles_unchanged);
    if (audit_log(st, actor, "professional.import", "professional", NULL, "success", detail,
                  err) != 0
        || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

/* ---- Reads ------------------------------------------------------------ */

int professional_read_in_tx(struct store *st, const socle_actor *actor, int64_t id,
                            professional *out, socle_err *err)
{
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, id);
    int found = id > 0 ? store_professional_get(st, id, out, err) : 0;
    if (found < 0)
        return -1;
    if (audit_log(st, actor, "professional.read", "professional", oid,
                  found ? "success" : "not-found", NULL, err) != 0)
        return -1;
    return found;
}

static int load_role(struct store *st, int64_t id, pro_role_view *v, socle_err *err)
{
    memset(v, 0, sizeof *v);
    int found = store_pro_role_get(st, id, &v->role, err);
    if (found <= 0)
        return found;
    found = store_professional_get(st, v->role.professional_id, &v->pro, err);
    if (found <= 0)
        return found < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "role %" PRId64
                                        " without its professional", id);
    found = store_structure_get(st, v->role.ej_id, &v->ej, err);
    return found < 0 ? -1 : 1;
}

int pro_role_read_in_tx(struct store *st, const socle_actor *actor, int64_t id,
                        pro_role_view *out, socle_err *err)
{
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, id);
    int found = id > 0 ? load_role(st, id, out, err) : 0;
    if (found < 0)
        return -1;
    if (audit_log(st, actor, "professional_role.read", "professional_role", oid,
                  found ? "success" : "not-found", NULL, err) != 0)
        return -1;
    return found;
}

void professional_search_result_free(professional_search_result *r)
{
    if (r == NULL)
        return;
    free(r->pros);
    free(r->roles);
    r->pros = NULL;
    r->roles = NULL;
    r->count = 0;
}

int professional_search_in_tx(struct store *st, const socle_actor *actor, int roles,
                              const professional_search_criteria *c,
                              professional_search_result *r, socle_err *err)
{
    memset(r, 0, sizeof *r);
    store_pro_query q;
    memset(&q, 0, sizeof q);
    q.id = c->id;
    q.id_type = c->id_type;
    str_copy(q.id_value, sizeof q.id_value, c->id_value);
    if ((c->family[0] && rniv_normalize_name(c->family, q.norm_family, sizeof q.norm_family))
        || (c->name[0] && rniv_normalize_name(c->name, q.norm_name, sizeof q.norm_name)))
        return err_set(err, SOCLE_EINVAL, "a name is not valid UTF-8 or too long");
    q.professional_id = c->professional_id;
    q.ej_id = c->ej_id;
    q.after_id = c->after_id;

    size_t limit = c->limit == 0 || c->limit > PROFESSIONAL_SEARCH_MAX
                 ? PROFESSIONAL_SEARCH_MAX : c->limit;
    int64_t ids[PROFESSIONAL_SEARCH_MAX + 1];
    size_t n = 0;
    if (store_pro_search(st, roles, &q, limit + 1, ids, &n, &r->total, err) != 0)
        return -1;
    r->more = n > limit;
    if (r->more)
        n = limit;
    if (roles)
        r->roles = calloc(n ? n : 1, sizeof *r->roles);
    else
        r->pros = calloc(n ? n : 1, sizeof *r->pros);
    if (r->roles == NULL && r->pros == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        int found = roles ? load_role(st, ids[i], &r->roles[r->count], err)
                          : store_professional_get(st, ids[i], &r->pros[r->count], err);
        if (found < 0)
            return -1;
        r->last_id = ids[i];
        if (found)
            r->count++;
    }
    buf d = { 0 };
    const struct { const char *name; int on; } used[] = {
        { "_id", q.id != 0 }, { "identifier", q.id_value[0] != '\0' },
        { "family", q.norm_family[0] != '\0' }, { "name", q.norm_name[0] != '\0' },
        { "practitioner", q.professional_id != 0 }, { "organization", q.ej_id != 0 },
    };
    buf_puts(&d, "criteria=");
    int any = 0;
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        if (used[i].on)
            buf_printf(&d, "%s%s", any++ ? "," : "", used[i].name);
    buf_printf(&d, "; results=%zu of %" PRId64, r->count, r->total);
    int rc = audit_log(st, actor, roles ? "professional_role.search" : "professional.search",
                       roles ? "professional_role" : "professional", NULL, "success",
                       buf_cstr(&d), err);
    buf_free(&d);
    return rc;
}
