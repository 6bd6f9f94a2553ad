/*
 * identity_search.c - searches and cross-references of identities for the
 * query interfaces (identity_search.h).
 */
#include "core/identity_search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ins.h"
#include "core/rniv.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/array.h"

/* Merges chain (A into B, later B into C); a longer chain is a bug. */
#define MERGE_HOPS_MAX 32

/* ---- Domains ----------------------------------------------------------- */

int identity_domain_classify(struct store *st, const char *oid, identity_xid_kind *kind,
                             id_domain *out, socle_err *err)
{
    memset(out, 0, sizeof *out);
    ins_oid_kind ik = ins_oid_classify(oid);
    if (ik == INS_KIND_NIR || ik == INS_KIND_NIA) {
        *kind = IDENTITY_XID_INS;
        str_copy(out->oid, sizeof out->oid, oid);
        return 1;
    }
    int found = store_domain_find_oid(st, oid, out, err);
    if (found > 0)
        *kind = out->kind == DOMAIN_GHT ? IDENTITY_XID_GHT : IDENTITY_XID_IPP;
    return found;
}

/* ---- Loading one patient ----------------------------------------------- */

/* The GHT identity that id stands for now: itself, or the survivor of the
 * merges it went through. 1 found (active), 0 none, -1 error. */
static int resolve_ght(struct store *st, int64_t id, int64_t *out, socle_err *err)
{
    for (int hop = 0; hop < MERGE_HOPS_MAX; hop++) {
        ght_identity g;
        int found = store_ght_get(st, id, &g, err);
        if (found <= 0)
            return found;
        if (g.state == GHT_ACTIVE) {
            *out = g.id;
            return 1;
        }
        if (g.merged_into <= 0)
            return 0;
        id = g.merged_into;
    }
    return err_set(err, SOCLE_EINTERNAL, "GHT identity %" PRId64 ": merge chain too long", id);
}

/* Filling a hit from the local identities as the store lists them. */
typedef struct hit_fill {
    identity_hit *h;
    size_t cap;
} hit_fill;

static int add_local(const local_identity *li, void *ctx)
{
    hit_fill *f = ctx;
    identity_hit_local *x = ARRAY_PUSH(f->h->locals, f->h->n_locals, f->cap);
    memset(x, 0, sizeof *x);
    x->li = *li;
    return 0;
}

static int cmp_local_id(const void *a, const void *b)
{
    int64_t x = ((const identity_hit_local *)a)->li.id, y = ((const identity_hit_local *)b)->li.id;
    return (x > y) - (x < y);
}

/* The local identities of an active GHT identity (by id), with their
 * domains. */
static int load_hit(struct store *st, int64_t ght_id, identity_hit *h, socle_err *err)
{
    memset(h, 0, sizeof *h);
    h->ght_id = ght_id;
    hit_fill f = { .h = h };
    if (store_local_foreach_ght(st, ght_id, add_local, &f, err) != 0)
        return -1;
    if (h->locals == NULL) {   /* callers index locals[best] */
        h->locals = calloc(1, sizeof *h->locals);
        if (h->locals == NULL)
            abort();
    }
    qsort(h->locals, h->n_locals, sizeof *h->locals, cmp_local_id);   /* stable output */
    id_domain dom = { 0 };
    for (size_t i = 0; i < h->n_locals; i++) {
        identity_hit_local *x = &h->locals[i];
        int dfound = dom.id == x->li.domain_id ? 1
                   : store_domain_get(st, x->li.domain_id, &dom, err);
        if (dfound <= 0)
            return dfound < 0 ? -1 : err_set(err, SOCLE_EINTERNAL, "domain %" PRId64
                                             " of local identity %" PRId64 " not found",
                                             x->li.domain_id, x->li.id);
        str_copy(x->domain_oid, sizeof x->domain_oid, dom.oid);
        str_copy(x->domain_name, sizeof x->domain_name, dom.name);
        if (x->li.status > h->locals[h->best].li.status)
            h->best = i;
        if (h->ins[0] == '\0' && x->li.status == RNIV_QUAL && x->li.ins[0] != '\0') {
            str_copy(h->ins, sizeof h->ins, x->li.ins);
            str_copy(h->ins_oid, sizeof h->ins_oid, x->li.ins_oid);
        }
    }
    return 0;
}

static void hit_free(identity_hit *h)
{
    free(h->locals);
    h->locals = NULL;
    h->n_locals = 0;
}

/* ---- Search ------------------------------------------------------------ */

void identity_search_result_free(identity_search_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++)
        hit_free(&r->hits[i]);
    free(r->hits);
    r->hits = NULL;
    r->count = 0;
}

/* Normalise a name criterion; a trailing '*' was already taken off by the
 * caller (family_prefix). */
static int norm_criterion(const char *what, const char *in, char *out, size_t n,
                          socle_err *err)
{
    if (in[0] == '\0') {
        out[0] = '\0';
        return 0;
    }
    if (rniv_normalize_name(in, out, n) != 0)
        return err_set(err, SOCLE_EINVAL, "%s: not valid UTF-8, or too long", what);
    if (out[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "%s: only spaces or punctuation", what);
    return 0;
}

/* The store's query for c, and the names of the criteria used (for the
 * audit trail: names only, never values). */
static int build_query(struct store *st, const identity_search_criteria *c,
                       store_search_query *q, buf *names, socle_err *err)
{
    memset(q, 0, sizeof *q);
    if (norm_criterion("family", c->family, q->name, sizeof q->name, err) != 0
        || norm_criterion("given", c->given, q->given, sizeof q->given, err) != 0)
        return -1;
    q->name_prefix = c->family_prefix;
    q->given_prefix = c->given_prefix;
    str_copy(q->birth_date, sizeof q->birth_date, c->birth_date);
    str_copy(q->birth_from, sizeof q->birth_from, c->birth_from);
    str_copy(q->birth_to, sizeof q->birth_to, c->birth_to);
    q->ght_id = c->ght_id;
    q->sex = c->sex;
    str_copy(q->ipp, sizeof q->ipp, c->ipp);
    str_copy(q->ins, sizeof q->ins, c->ins);
    q->after_ght_id = c->after_ght_id;
    q->sort = c->sort;
    q->offset = c->offset;

    const struct { const char *name; int on; } used[] = {
        { "family", q->name[0] != '\0' }, { "given", q->given[0] != '\0' },
        { "birth_date", q->birth_date[0] != '\0' },
        { "birth_range", q->birth_from[0] != '\0' || q->birth_to[0] != '\0' },
        { "id", q->ght_id != 0 }, { "sex", q->sex != '\0' },
        { "ipp", q->ipp[0] != '\0' }, { "ins", q->ins[0] != '\0' },
    };
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        if (used[i].on)
            buf_printf(names, "%s%s", names->len ? "," : "", used[i].name);
    if (names->len == 0)
        return err_set(err, SOCLE_EINVAL, "no search criterion");

    id_domain dom;
    identity_xid_kind kind;
    if (c->domain_oid[0] != '\0') {
        int found = identity_domain_classify(st, c->domain_oid, &kind, &dom, err);
        if (found < 0)
            return -1;
        if (!found || kind == IDENTITY_XID_INS)
            return err_set(err, SOCLE_ENOTFOUND, "domain_oid: %s is not the domain of an "
                           "establishment nor the GHT's", c->domain_oid);
        q->domain_id = dom.id;
        if (kind == IDENTITY_XID_GHT) {
            /* A GHT id: decimal digits; anything else designates nobody. */
            int64_t id = q->ipp[0] != '\0' ? 0 : -1;
            for (const char *p = q->ipp; *p != '\0' && id >= 0; p++)
                id = *p >= '0' && *p <= '9' && id <= (INT64_MAX - 9) / 10
                   ? id * 10 + (*p - '0') : -1;
            q->ght_id = id == 0 ? -1 : id;
            q->ipp[0] = '\0';
            q->domain_id = 0;
        }
    }
    int everyone = 0;
    for (size_t i = 0; i < c->n_in_domains && i < IDENTITY_SEARCH_DOMAINS_MAX; i++) {
        int found = identity_domain_classify(st, c->in_domains[i], &kind, &dom, err);
        if (found < 0)
            return -1;
        if (!found)
            return err_set(err, SOCLE_ENOTFOUND, "in_domains: unknown domain %s",
                           c->in_domains[i]);
        if (kind == IDENTITY_XID_GHT)
            everyone = 1;   /* every patient has a GHT id */
        else if (kind == IDENTITY_XID_INS)
            q->with_ins = 1;
        else if (q->n_in_domains < STORE_SEARCH_DOMAINS_MAX)
            q->in_domains[q->n_in_domains++] = dom.id;
    }
    if (everyone) {
        q->n_in_domains = 0;
        q->with_ins = 0;
    }
    return 0;
}

static int audit_search(struct store *st, const socle_actor *actor, const char *names,
                        const identity_search_result *r, socle_err *err)
{
    buf d = { 0 };
    buf_printf(&d, "criteria=%s; results=%zu of %" PRId64 "; ght=", names, r->count,
               r->total);
    for (size_t i = 0; i < r->count; i++) {
        char one[24];
        snprintf(one, sizeof one, "%s%" PRId64, i ? "," : "", r->hits[i].ght_id);
        if (d.len + strlen(one) + 4 >= SOCLE_REASON_MAX) {
            buf_puts(&d, "...");
            break;
        }
        buf_puts(&d, one);
    }
    int rc = audit_log(st, actor, "identity.search", "ght_identity", NULL, "success",
                       buf_cstr(&d), err);
    buf_free(&d);
    return rc;
}

int identity_search_in_tx(struct store *st, const socle_actor *actor,
                          const identity_search_criteria *c, identity_search_result *r,
                          socle_err *err)
{
    memset(r, 0, sizeof *r);
    store_search_query q;
    buf names = { 0 };
    int rc = -1;
    int64_t *ids = NULL;
    if (build_query(st, c, &q, &names, err) != 0)
        goto done;

    id_domain ght;
    int found = store_domain_ght(st, &ght, err);
    if (found < 0)
        goto done;
    if (found) {
        str_copy(r->ght_oid, sizeof r->ght_oid, ght.oid);
        str_copy(r->ght_name, sizeof r->ght_name, ght.name);
    }

    size_t limit = c->limit == 0 || c->limit > IDENTITY_SEARCH_MAX ? IDENTITY_SEARCH_MAX
                                                                   : c->limit;
    /* One more than the page, to know whether another page follows. */
    ids = calloc(limit + 1, sizeof *ids);
    r->hits = calloc(limit, sizeof *r->hits);
    if (ids == NULL || r->hits == NULL)
        abort();
    size_t n = 0;
    int64_t above = 0;
    if (store_search_ght(st, &q, limit + 1, ids, &n, c->no_total ? NULL : &r->total, &above,
                         err) != 0)
        goto done;
    r->more = n > limit;
    if (r->more)
        n = limit;
    r->remaining = above > (int64_t)n ? above - (int64_t)n : 0;

    for (size_t i = 0; i < n; i++) {
        int64_t id;
        found = resolve_ght(st, ids[i], &id, err);
        if (found < 0)
            goto done;
        r->last_ght_id = ids[i];
        int seen = !found;
        for (size_t k = 0; k < r->count && !seen; k++)
            seen = r->hits[k].ght_id == id;
        if (seen)
            continue;
        if (load_hit(st, id, &r->hits[r->count], err) != 0) {
            hit_free(&r->hits[r->count]);
            goto done;
        }
        r->count++;
    }
    rc = audit_search(st, actor, buf_cstr(&names), r, err);
done:
    free(ids);
    buf_free(&names);
    return rc;
}

int identity_search(struct store *st, const socle_actor *actor,
                    const identity_search_criteria *c, identity_search_result *r,
                    socle_err *err)
{
    memset(r, 0, sizeof *r);
    if (store_begin(st, err) != 0)
        return -1;
    if (identity_search_in_tx(st, actor, c, r, err) != 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return 0;
}

/* ---- Reading one patient ----------------------------------------------- */

void identity_patient_free(identity_patient *p)
{
    if (p == NULL)
        return;
    hit_free(&p->hit);
    hit_free(&p->survivor_hit);
}

int identity_patient_load_in_tx(struct store *st, int64_t ght_id, identity_patient *p,
                                socle_err *err)
{
    memset(p, 0, sizeof *p);
    int found = ght_id > 0 ? store_ght_get(st, ght_id, &p->ght, err) : 0;
    if (found <= 0)
        return found;
    id_domain ght;
    int gfound = store_domain_ght(st, &ght, err);
    if (gfound < 0)
        return -1;
    if (gfound) {
        str_copy(p->ght_oid, sizeof p->ght_oid, ght.oid);
        str_copy(p->ght_name, sizeof p->ght_name, ght.name);
    }
    if (p->ght.state == GHT_ACTIVE) {
        if (load_hit(st, ght_id, &p->hit, err) != 0)
            return -1;
    } else {
        p->hit.ght_id = ght_id;
        int64_t survivor = 0;
        int sfound = resolve_ght(st, ght_id, &survivor, err);
        if (sfound < 0)
            return -1;
        if (sfound) {
            p->survivor_id = survivor;
            if (load_hit(st, survivor, &p->survivor_hit, err) != 0)
                return -1;
        }
    }
    if (store_ght_absorbed(st, ght_id, p->replaces, IDENTITY_REPLACES_MAX, &p->n_replaces,
                           err) != 0)
        return -1;
    patient_version v;
    found = store_patient_version_last(st, ght_id, &v, err);
    if (found < 0)
        return -1;
    if (found) {
        p->version = v.version;
        str_copy(p->version_at, sizeof p->version_at, v.at);
    }
    return 1;
}

int identity_patient_read_in_tx(struct store *st, const socle_actor *actor, int64_t ght_id,
                                identity_patient *p, socle_err *err)
{
    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, ght_id);
    int found = identity_patient_load_in_tx(st, ght_id, p, err);
    if (found < 0)
        return -1;
    if (!found) {
        if (audit_log(st, actor, "identity.read", "ght_identity", oid, "not-found", NULL,
                      err) != 0)
            return -1;
        return 0;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "state=%s; locals=%zu",
             p->ght.state == GHT_ACTIVE ? "active" : "merged", p->hit.n_locals);
    if (audit_log(st, actor, "identity.read", "ght_identity", oid, "success", detail,
                  err) != 0)
        return -1;
    return 1;
}

/* ---- Cross-reference --------------------------------------------------- */

void identity_xref_result_free(identity_xref_result *r)
{
    if (r == NULL)
        return;
    free(r->ids);
    r->ids = NULL;
    r->count = 0;
}

typedef struct ins_holder {
    int64_t ght_id;
} ins_holder;

static int first_holder(const local_identity *li, void *ctx)
{
    ins_holder *h = ctx;
    if (li->ght_id == 0)
        return 0;
    h->ght_id = li->ght_id;
    return 1;
}

/* The GHT identity the identifier designates, or 0 when none. */
static int find_source(struct store *st, identity_xid_kind kind, const id_domain *dom,
                       const char *value, int64_t *ght_id, socle_err *err)
{
    *ght_id = 0;
    if (kind == IDENTITY_XID_IPP) {
        local_identity li;
        int found = store_local_find(st, dom->id, value, &li, err);
        if (found > 0)
            *ght_id = li.ght_id;
        return found < 0 ? -1 : 0;
    }
    if (kind == IDENTITY_XID_INS) {
        ins_holder h = { 0 };
        if (store_local_foreach_ins(st, value, first_holder, &h, err) != 0)
            return -1;
        *ght_id = h.ght_id;
        return 0;
    }
    /* The GHT id: plain decimal digits, nothing else. */
    int64_t id = 0;
    for (const char *p = value; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || id > (INT64_MAX - 9) / 10)
            return 0;
        id = id * 10 + (*p - '0');
    }
    *ght_id = id;
    return 0;
}

static identity_xid *xid_add(identity_xref_result *r, size_t cap, identity_xid_kind kind,
                             const char *value, const char *oid, const char *name)
{
    if (r->count == cap)
        return NULL;
    identity_xid *x = &r->ids[r->count++];
    x->kind = kind;
    str_copy(x->value, sizeof x->value, value);
    str_copy(x->domain_oid, sizeof x->domain_oid, oid);
    str_copy(x->domain_name, sizeof x->domain_name, name);
    return x;
}

int identity_xref_in_tx(struct store *st, const socle_actor *actor, const char *domain_oid,
                        const char *value, identity_xref_result *r, socle_err *err)
{
    memset(r, 0, sizeof *r);
    id_domain dom;
    identity_xid_kind kind;
    int found = identity_domain_classify(st, domain_oid, &kind, &dom, err);
    if (found < 0)
        return -1;
    if (!found)
        return err_set(err, SOCLE_ENOTFOUND, "unknown identification domain %s", domain_oid);

    int64_t source = 0, ght_id = 0;
    if (find_source(st, kind, &dom, value, &source, err) != 0)
        return -1;
    found = source > 0 ? resolve_ght(st, source, &ght_id, err) : 0;
    if (found < 0)
        return -1;
    static const char *const kinds[] = { "ipp", "ght", "ins" };
    char detail[64];
    if (!found) {
        snprintf(detail, sizeof detail, "by %s: not found", kinds[kind]);
        if (audit_log(st, actor, "identity.xref", "ght_identity", NULL, "not-found", detail,
                      err) != 0)
            return -1;
        return 0;
    }

    identity_hit h;
    if (load_hit(st, ght_id, &h, err) != 0) {
        hit_free(&h);
        return -1;
    }
    id_domain ght;
    found = store_domain_ght(st, &ght, err);
    if (found < 0) {
        hit_free(&h);
        return -1;
    }
    size_t cap = h.n_locals + 2;
    r->ids = calloc(cap, sizeof *r->ids);
    if (r->ids == NULL)
        abort();
    r->ght_id = ght_id;
    for (size_t i = 0; i < h.n_locals; i++)
        xid_add(r, cap, IDENTITY_XID_IPP, h.locals[i].li.ipp, h.locals[i].domain_oid,
                h.locals[i].domain_name);
    if (found) {
        char id[24];
        snprintf(id, sizeof id, "%" PRId64, ght_id);
        xid_add(r, cap, IDENTITY_XID_GHT, id, ght.oid, ght.name);
    }
    if (h.ins[0] != '\0')
        xid_add(r, cap, IDENTITY_XID_INS, h.ins, h.ins_oid,
                ins_oid_classify(h.ins_oid) == INS_KIND_NIA ? "ASIP-SANTE-INS-NIA"
                                                            : "ASIP-SANTE-INS-NIR");
    hit_free(&h);

    char oid[24];
    snprintf(oid, sizeof oid, "%" PRId64, ght_id);
    snprintf(detail, sizeof detail, "by %s: identifiers=%zu", kinds[kind], r->count);
    if (audit_log(st, actor, "identity.xref", "ght_identity", oid, "success", detail,
                  err) != 0)
        return -1;
    return 1;
}

int identity_xref(struct store *st, const socle_actor *actor, const char *domain_oid,
                  const char *value, identity_xref_result *r, socle_err *err)
{
    memset(r, 0, sizeof *r);
    if (store_begin(st, err) != 0)
        return -1;
    int found = identity_xref_in_tx(st, actor, domain_oid, value, r, err);
    if (found < 0 || store_commit(st, err) != 0) {
        store_rollback(st);
        return -1;
    }
    return found;
}
