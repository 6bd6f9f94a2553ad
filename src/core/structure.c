/*
 * structure.c - validation and import of the structures repository.
 */
#include "core/structure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/identifiers.h"
#include "core/history.h"
#include "core/snapshot.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

static const char *const kind_codes[STRUCTURE_KIND_COUNT] = {
    [STRUCTURE_EJ] = "EJ",           [STRUCTURE_EG] = "EG",
    [STRUCTURE_POLE] = "POLE",       [STRUCTURE_SERVICE] = "SERVICE",
    [STRUCTURE_UF] = "UF",           [STRUCTURE_CHAMBRE] = "CHAMBRE",
    [STRUCTURE_LIT] = "LIT",
};

const char *structure_kind_code(structure_kind k)
{
    return (unsigned)k < STRUCTURE_KIND_COUNT ? kind_codes[k] : "?";
}

int structure_kind_parse(const char *code, structure_kind *out)
{
    for (int i = 0; i < STRUCTURE_KIND_COUNT; i++) {
        if (code != NULL && strcmp(code, kind_codes[i]) == 0) {
            *out = (structure_kind)i;
            return 0;
        }
    }
    return -1;
}

int structure_parent_allowed(structure_kind child, structure_kind parent)
{
    switch (child) {
    case STRUCTURE_EJ:      return 0;
    case STRUCTURE_EG:      return parent == STRUCTURE_EJ;
    case STRUCTURE_POLE:    return parent == STRUCTURE_EJ || parent == STRUCTURE_EG;
    case STRUCTURE_SERVICE: return parent == STRUCTURE_EJ || parent == STRUCTURE_EG
                                   || parent == STRUCTURE_POLE;
    case STRUCTURE_UF:      return parent == STRUCTURE_EJ || parent == STRUCTURE_EG
                                   || parent == STRUCTURE_POLE || parent == STRUCTURE_SERVICE;
    case STRUCTURE_CHAMBRE: return parent == STRUCTURE_UF;
    case STRUCTURE_LIT:     return parent == STRUCTURE_CHAMBRE;
    default:                return 0;
    }
}

/* ---- A set of the codes seen in one import ---------------------------- */

typedef struct code_set {
    const char **slots;  /* borrowed from the nodes being imported */
    size_t *index;       /* position of each code in the list */
    size_t cap;
} code_set;

static size_t hash_code(const char *s)
{
    size_t h = 1469598103934665603u;  /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Returns the index of an earlier node with the same code, or (size_t)-1
 * after remembering this one. */
static size_t code_set_add(code_set *set, const char *code, size_t index)
{
    size_t i = hash_code(code) & (set->cap - 1);
    while (set->slots[i] != NULL) {
        if (strcmp(set->slots[i], code) == 0)
            return set->index[i];
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = code;
    set->index[i] = index;
    return (size_t)-1;
}

/* ---- Validation of one node ------------------------------------------ */

static int check_text(const char *field, const char *v, socle_err *err)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return err_set(err, SOCLE_EINVAL, "%s contains a control character", field);
    return 0;
}

static int validate_node(const structure_node *n, socle_err *err)
{
    char why[160];
    if ((unsigned)n->kind >= STRUCTURE_KIND_COUNT)
        return err_set(err, SOCLE_EINVAL, "unknown kind");
    if (n->code[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "code is empty");
    if (n->code[0] == ' ' || n->code[strlen(n->code) - 1] == ' ')
        return err_set(err, SOCLE_EINVAL, "code '%s' has leading or trailing spaces", n->code);
    if (check_text("code", n->code, err) != 0 || check_text("label", n->label, err) != 0)
        return -1;
    if (n->label[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "label is empty for %s", n->code);

    if (n->kind == STRUCTURE_EJ && n->parent_code[0] != '\0')
        return err_set(err, SOCLE_EINVAL, "an EJ is a root: parent_code must be empty");
    if (n->kind != STRUCTURE_EJ && n->parent_code[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "a %s needs a parent_code", structure_kind_code(n->kind));

    int needs_finess = (n->kind == STRUCTURE_EJ || n->kind == STRUCTURE_EG);
    if (n->finess[0] == '\0' && needs_finess)
        return err_set(err, SOCLE_EINVAL, "a %s needs a FINESS", structure_kind_code(n->kind));
    if (n->finess[0] != '\0' && !finess_check(n->finess, why, sizeof why))
        return err_set(err, SOCLE_EINVAL, "invalid FINESS '%s': %s", n->finess, why);

    if (n->oid[0] == '\0' && n->kind == STRUCTURE_EJ)
        return err_set(err, SOCLE_EINVAL,
                       "an EJ needs an oid (the assigning authority of its IPPs)");
    if (n->oid[0] != '\0' && !oid_check(n->oid, why, sizeof why))
        return err_set(err, SOCLE_EINVAL, "invalid oid '%s': %s", n->oid, why);

    if (n->valid_from[0] != '\0' && !date_valid(n->valid_from))
        return err_set(err, SOCLE_EINVAL, "valid_from '%s' is not a date (YYYY-MM-DD)",
                       n->valid_from);
    if (n->valid_to[0] != '\0' && !date_valid(n->valid_to))
        return err_set(err, SOCLE_EINVAL, "valid_to '%s' is not a date (YYYY-MM-DD)",
                       n->valid_to);
    if (n->valid_from[0] != '\0' && n->valid_to[0] != '\0'
        && strcmp(n->valid_from, n->valid_to) > 0)
        return err_set(err, SOCLE_EINVAL, "valid_from %s is after valid_to %s",
                       n->valid_from, n->valid_to);
    return 0;
}

static int same_node(const structure_node *a, const structure_node *b)
{
    return a->kind == b->kind && a->parent_id == b->parent_id
        && strcmp(a->label, b->label) == 0 && strcmp(a->finess, b->finess) == 0
        && strcmp(a->oid, b->oid) == 0 && strcmp(a->valid_from, b->valid_from) == 0
        && strcmp(a->valid_to, b->valid_to) == 0;
}

static int write_history(struct store *st, const socle_actor *actor, const char *action,
                         const structure_node *before, const structure_node *after,
                         socle_err *err)
{
    return history_record(st, actor, "structure", after->id, action, "structures import",
                          before ? snapshot_structure(before) : NULL,
                          snapshot_structure(after), err);
}

/* Keep the EJ's identification domain in step with the EJ. */
static int sync_domain(struct store *st, const structure_node *ej, socle_err *err)
{
    id_domain d;
    int found = store_domain_find_structure(st, ej->id, &d, err);
    if (found < 0)
        return -1;
    id_domain other;
    int taken = store_domain_find_oid(st, ej->oid, &other, err);
    if (taken < 0)
        return -1;
    if (taken && (!found || other.id != d.id))
        return err_set(err, SOCLE_ECONFLICT, "oid %s is already the domain of %s",
                       ej->oid, other.name);
    if (!found) {
        memset(&d, 0, sizeof d);
        d.kind = DOMAIN_EJ;
        d.structure_id = ej->id;
    }
    str_copy(d.oid, sizeof d.oid, ej->oid);
    str_copy(d.name, sizeof d.name, ej->label);
    str_copy(d.finess, sizeof d.finess, ej->finess);
    return store_domain_save(st, &d, err);
}

static int import_one(struct store *st, const socle_actor *actor, const structure_node *in,
                      structure_import_result *res, socle_err *err)
{
    structure_node n = *in;
    if (validate_node(&n, err) != 0)
        return -1;

    n.parent_id = 0;
    if (n.parent_code[0] != '\0') {
        structure_node parent;
        int found = store_structure_find(st, n.parent_code, &parent, err);
        if (found < 0)
            return -1;
        if (!found)
            return err_set(err, SOCLE_EINVAL,
                           "unknown parent '%s' (a parent must be imported before its children)",
                           n.parent_code);
        if (!structure_parent_allowed(n.kind, parent.kind))
            return err_set(err, SOCLE_EINVAL, "a %s cannot be under a %s ('%s')",
                           structure_kind_code(n.kind), structure_kind_code(parent.kind),
                           n.parent_code);
        n.parent_id = parent.id;
    }

    structure_node old;
    int exists = store_structure_find(st, n.code, &old, err);
    if (exists < 0)
        return -1;
    if (!exists) {
        if (store_structure_insert(st, &n, err) != 0)
            return -1;
        if (write_history(st, actor, "structure.create", NULL, &n, err) != 0)
            return -1;
        res->inserted++;
    } else {
        if (old.kind != n.kind)
            return err_set(err, SOCLE_ECONFLICT, "code '%s' already exists as a %s",
                           n.code, structure_kind_code(old.kind));
        n.id = old.id;
        if (same_node(&old, &n)) {
            res->unchanged++;
            return 0;
        }
        if (store_structure_update(st, &n, err) != 0)
            return -1;
        if (write_history(st, actor, "structure.update", &old, &n, err) != 0)
            return -1;
        res->updated++;
    }
    if (n.kind == STRUCTURE_EJ && sync_domain(st, &n, err) != 0)
        return -1;
    return 0;
}

int structure_import(struct store *st, const socle_actor *actor,
                     const structure_node *nodes, size_t n,
                     structure_import_result *res, socle_err *err)
{
    memset(res, 0, sizeof *res);
    res->records = n;

    code_set set = { 0 };
    set.cap = 16;
    while (set.cap < 2 * n)
        set.cap <<= 1;
    set.slots = calloc(set.cap, sizeof *set.slots);
    set.index = calloc(set.cap, sizeof *set.index);
    if (set.slots == NULL || set.index == NULL) {
        free(set.slots);
        free(set.index);
        return err_set(err, SOCLE_EIO, "out of memory");
    }

    int rc = -1;
    if (store_begin(st, err) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        size_t first = code_set_add(&set, nodes[i].code, i);
        if (first != (size_t)-1) {
            res->failed_index = i;
            err_set(err, SOCLE_EINVAL, "duplicate code '%s' (already in record %zu)",
                    nodes[i].code, first + 1);
            goto rollback;
        }
        if (import_one(st, actor, &nodes[i], res, err) != 0) {
            res->failed_index = i;
            goto rollback;
        }
    }
    char detail[160];
    snprintf(detail, sizeof detail, "%zu records: %zu inserted, %zu updated, %zu unchanged",
             res->records, res->inserted, res->updated, res->unchanged);
    if (audit_log(st, actor, "structure.import", "structure", NULL, "success", detail, err) != 0)
        goto rollback;
    if (store_commit(st, err) != 0)
        goto rollback;
    rc = 0;
    goto out;

rollback:
    store_rollback(st);
    res->inserted = res->updated = res->unchanged = 0;
out:
    free(set.slots);
    free(set.index);
    return rc;
}

int structure_find_ej(struct store *st, const char *finess, structure_node *out,
                      socle_err *err)
{
    return store_structure_find_finess(st, STRUCTURE_EJ, finess, out, err);
}

/* ---- The GHT's own domain -------------------------------------------- */

/* "2.25." followed by a random 128-bit number in decimal. */
static int generate_uuid_oid(char *out, size_t n, socle_err *err)
{
    unsigned char bytes[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(bytes, 1, sizeof bytes, f) != sizeof bytes) {
        if (f)
            fclose(f);
        return err_set(err, SOCLE_EIO, "cannot read /dev/urandom");
    }
    fclose(f);
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);  /* UUID version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);  /* RFC 4122 variant */
    unsigned __int128 v = 0;
    for (size_t i = 0; i < sizeof bytes; i++)
        v = (v << 8) | bytes[i];
    char digits[48];
    size_t k = 0;
    do {
        digits[k++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0 && k < sizeof digits);
    if (n < k + 6)
        return err_set(err, SOCLE_EINTERNAL, "oid buffer too small");
    memcpy(out, "2.25.", 5);
    for (size_t i = 0; i < k; i++)
        out[5 + i] = digits[k - 1 - i];
    out[5 + k] = '\0';
    return 0;
}

static int ght_domain_in_tx(struct store *st, const socle_actor *actor, const char *oid,
                            const char *name, id_domain *out, socle_err *err)
{
    char why[160];
    if (oid != NULL && !oid_check(oid, why, sizeof why))
        return err_set(err, SOCLE_EINVAL, "invalid GHT oid '%s': %s", oid, why);

    id_domain d;
    int found = store_domain_ght(st, &d, err);
    if (found < 0)
        return -1;
    if (found && (oid == NULL || strcmp(oid, d.oid) == 0)
        && (name == NULL || strcmp(name, d.name) == 0)) {
        *out = d;
        return 0;
    }
    if (!found) {
        memset(&d, 0, sizeof d);
        d.kind = DOMAIN_GHT;
        str_copy(d.name, sizeof d.name, "GHT");
        if (oid == NULL && generate_uuid_oid(d.oid, sizeof d.oid, err) != 0)
            return -1;
    }
    if (oid != NULL) {
        id_domain other;
        int taken = store_domain_find_oid(st, oid, &other, err);
        if (taken < 0)
            return -1;
        if (taken && other.id != d.id)
            return err_set(err, SOCLE_ECONFLICT, "oid %s is already the domain of %s",
                           oid, other.name);
        str_copy(d.oid, sizeof d.oid, oid);
    }
    if (name != NULL && str_copy(d.name, sizeof d.name, name) != 0)
        return err_set(err, SOCLE_EINVAL, "GHT name too long");
    if (store_domain_save(st, &d, err) != 0)
        return -1;
    char detail[SOCLE_OID_MAX + SOCLE_LABEL_MAX + 8];
    snprintf(detail, sizeof detail, "%s (%s)", d.oid, d.name);
    if (audit_log(st, actor, found ? "ght.domain.update" : "ght.domain.create", "id_domain",
                  NULL, "success", detail, err) != 0)
        return -1;
    *out = d;
    return 0;
}

int ght_domain_ensure(struct store *st, const socle_actor *actor, const char *oid,
                      const char *name, id_domain *out, socle_err *err)
{
    if (store_begin(st, err) != 0)
        return -1;
    if (ght_domain_in_tx(st, actor, oid, name, out, err) != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}
