/*
 * identity_fixtures.c - the temporary store and the helpers shared by the
 * identity repository unit tests. See identity_fixtures.h.
 */
#include "identity_fixtures.h"

#include "core/rniv.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ins.h"
#include "core/structure.h"

/* ---- Fixture ---------------------------------------------------------- */

store *st;
const socle_actor actor = { .id = "test:unit", .role = "identitovigilant" };

static char tmpdir[64];

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void identity_setup(void)
{
    strcpy(tmpdir, "/tmp/socle-identity-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
    char data[128];
    snprintf(data, sizeof data, "%s/data", tmpdir);

    socle_err err = { 0 };
    cr_assert_eq(store_open(&st, data, &err), 0, "store_open: %s", err.msg);
    id_domain ght;
    cr_assert_eq(ght_domain_ensure(st, &actor, NULL, NULL, &ght, &err), 0,
                 "ght_domain_ensure: %s", err.msg);

    structure_node ej[2];
    memset(ej, 0, sizeof ej);
    ej[0].kind = STRUCTURE_EJ;
    strcpy(ej[0].code, "EJ-A");
    strcpy(ej[0].label, "CH TEST A");
    strcpy(ej[0].finess, "750712184");
    strcpy(ej[0].oid, OID_A);
    ej[1].kind = STRUCTURE_EJ;
    strcpy(ej[1].code, "EJ-B");
    strcpy(ej[1].label, "CH TEST B");
    strcpy(ej[1].finess, "350005179");
    strcpy(ej[1].oid, OID_B);
    structure_import_result ir;
    cr_assert_eq(structure_import(st, &actor, ej, 2, &ir, &err), 0,
                 "structure_import: %s", err.msg);
    cr_assert_eq(ir.inserted, 2);
}

void identity_teardown(void)
{
    store_close(st);
    st = NULL;
    if (tmpdir[0] != '\0')
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- Inputs ----------------------------------------------------------- */

void make_ins(char out[SOCLE_INS_MAX], char sex, const char *birth_date, int order)
{
    char prefix[14];
    snprintf(prefix, sizeof prefix, "%c%c%c%c%c75056%03d", sex == 'F' ? '2' : '1',
             birth_date[2], birth_date[3], birth_date[5], birth_date[6], order);
    int key = ins_compute_key(prefix);
    cr_assert(key >= 1 && key <= 97, "key of %s: %d", prefix, key);
    snprintf(out, SOCLE_INS_MAX, "%s%02d", prefix, key);
    cr_assert_eq(ins_check(out, NULL, 0), 1, "%s should be valid", out);
}

identity_input input(const char *oid, const char *ipp, identity_traits t)
{
    identity_input in;
    memset(&in, 0, sizeof in);
    strcpy(in.domain_oid, oid);
    strcpy(in.ipp, ipp);
    in.traits = t;
    return in;
}

void with_ins(identity_input *in, int order, int insi_verified)
{
    make_ins(in->ins, in->traits.sex, in->traits.birth_date, order);
    strcpy(in->ins_oid, INS_OID_NIR);
    in->insi_verified = insi_verified;
}

identity_traits person(const char *name, char sex, const char *birth_date)
{
    identity_traits t;
    memset(&t, 0, sizeof t);
    snprintf(t.birth_name, sizeof t.birth_name, "%s", name);
    /* Distinct people have their own forenames: the real-time matching
     * links two identities with close names, the same birth date and the
     * same forenames by itself, and these are meant to be different
     * people (or the same one the engine could not be sure of). */
    static const char *const men[] = { "LUC", "MARC", "PAUL", "HUGO", "LOUIS", "NOAH",
                                       "JULES", "ADAM", "YANIS", "TOM", "ENZO", "LEO" };
    static const char *const women[] = { "LEA", "EMMA", "JADE", "ALICE", "CHLOE", "ROSE",
                                         "ANNA", "LINA", "MILA", "ZOE", "INES", "NINA" };
    unsigned h = 0;
    for (const char *p = name; *p; p++)
        h = h * 131u + (unsigned char)*p;
    const char *first = sex == 'F' ? women[h % 12] : men[h % 12];
    strcpy(t.first_forename, first);
    snprintf(t.forenames, sizeof t.forenames, "%s %s", first, sex == 'F' ? "MARIE" : "PAUL");
    snprintf(t.birth_date, sizeof t.birth_date, "%s", birth_date);
    t.sex = sex;
    strcpy(t.birth_place, "75056");
    return t;
}

/* ---- Commands --------------------------------------------------------- */

identity_result upsert_ok(const identity_input *in)
{
    identity_result res;
    socle_err err = { 0 };
    cr_assert_eq(identity_upsert(st, &actor, in, &res, &err), 0, "upsert %s: %s",
                 in->ipp, err.msg);
    return res;
}

static identity_result create_from(const identity_input *in)
{
    identity_result res = upsert_ok(in);
    cr_assert_eq(res.outcome, IDENTITY_CREATED, "%s: outcome %d", in->ipp, res.outcome);
    return res;
}

identity_result create(const char *oid, const char *ipp, identity_traits t)
{
    identity_input in = input(oid, ipp, t);
    return create_from(&in);
}

identity_result create_with_ins(const char *oid, const char *ipp, identity_traits t,
                                int order)
{
    identity_input in = input(oid, ipp, t);
    with_ins(&in, order, 1);
    return create_from(&in);
}

/* ---- Reads of the store ----------------------------------------------- */

store_counts counts(void)
{
    store_counts c;
    socle_err err = { 0 };
    cr_assert_eq(store_counts_get(st, &c, &err), 0, "counts: %s", err.msg);
    return c;
}

void assert_counts_eq(store_counts a, store_counts b)
{
    cr_assert_eq(a.structures, b.structures);
    cr_assert_eq(a.domains, b.domains);
    cr_assert_eq(a.local_identities, b.local_identities);
    cr_assert_eq(a.ght_identities, b.ght_identities);
    cr_assert_eq(a.merges, b.merges);
    cr_assert_eq(a.audit_records, b.audit_records, "audit records %" PRId64 " vs %" PRId64,
                 a.audit_records, b.audit_records);
}

local_identity get_local(int64_t id)
{
    local_identity li;
    socle_err err = { 0 };
    cr_assert_eq(store_local_get(st, id, &li, &err), 1, "local %" PRId64 ": %s", id, err.msg);
    return li;
}

ght_identity get_ght(int64_t id)
{
    ght_identity g;
    socle_err err = { 0 };
    cr_assert_eq(store_ght_get(st, id, &g, &err), 1, "ght %" PRId64 ": %s", id, err.msg);
    return g;
}

/* The collectors: each keeps the first cap items of a list and counts all. */
static void keep(void *items, size_t size, int cap, int *n, const void *item)
{
    if (*n < cap)
        memcpy((char *)items + (size_t)*n * size, item, size);
    (*n)++;
}

static int collect_hist(const history_entry *h, void *ctx)
{
    hist_list *l = ctx;
    if (l->n < 16) {
        strcpy(l->action[l->n], h->action);
        l->has_before[l->n] = h->before_json != NULL;
        l->has_after[l->n] = h->after_json != NULL;
        strcpy(l->reason[l->n], h->reason);
    }
    l->n++;
    return 0;
}

static int collect_audit(const audit_record *r, void *ctx)
{
    audit_list *l = ctx;
    keep(l->rec, sizeof l->rec[0], 32, &l->n, r);
    return 0;
}

int collect_link(const identity_link *l, void *ctx)
{
    link_list *list = ctx;
    keep(list->l, sizeof list->l[0], 16, &list->n, l);
    return 0;
}

/* A store_*_foreach call must succeed. */
static void foreach_ok(int rc, const socle_err *err)
{
    cr_assert_eq(rc, 0, "%s", err->msg);
}

hist_list history(const char *type, int64_t id)
{
    hist_list l = { 0 };
    socle_err err = { 0 };
    foreach_ok(store_history_foreach(st, type, id, collect_hist, &l, &err), &err);
    return l;
}

audit_list audit_since(int64_t from_seq)
{
    audit_list l = { 0 };
    socle_err err = { 0 };
    foreach_ok(store_audit_foreach(st, from_seq, collect_audit, &l, &err), &err);
    return l;
}

link_list active_links_of_ght(int64_t ght_id)
{
    link_list l = { 0 };
    socle_err err = { 0 };
    foreach_ok(store_link_foreach_ght(st, ght_id, 1, collect_link, &l, &err), &err);
    return l;
}

link_list links_of_local(int64_t local_id)
{
    link_list l = { 0 };
    socle_err err = { 0 };
    foreach_ok(store_link_foreach_local(st, local_id, collect_link, &l, &err), &err);
    return l;
}

void assert_audit_intact(void)
{
    audit_verify_result vr;
    socle_err err = { 0 };
    cr_assert_eq(audit_verify(st, &vr, &err), 0, "audit_verify: %s", err.msg);
    cr_assert_eq(vr.first_broken, 0, "audit chain broken at %" PRId64 ": %s",
                 vr.first_broken, vr.reason);
    cr_assert_eq(vr.records, counts().audit_records);
    cr_assert_gt(vr.records, 0);
}

/* ---- Two sample people and small checks ---------------------------- */

/* A man born 1980-03-15 in Paris. */
identity_traits traits_m(void)
{
    identity_traits t;
    memset(&t, 0, sizeof t);
    strcpy(t.birth_name, "DUPONT-TEST");
    strcpy(t.first_forename, "JEAN");
    strcpy(t.forenames, "JEAN PIERRE");
    strcpy(t.birth_date, "1980-03-15");
    t.sex = 'M';
    strcpy(t.birth_place, "75056");
    return t;
}

/* A woman born 1992-11-02 in Rennes. */
identity_traits traits_f(void)
{
    identity_traits t;
    memset(&t, 0, sizeof t);
    strcpy(t.birth_name, "MARTIN-TEST");
    strcpy(t.first_forename, "CLAIRE");
    strcpy(t.forenames, "CLAIRE ANNE");
    strcpy(t.birth_date, "1992-11-02");
    t.sex = 'F';
    strcpy(t.birth_place, "35238");
    return t;
}

void assert_rniv_ok(const local_identity *li)
{
    socle_err err = { 0 };
    cr_assert_eq(rniv_check(li, &err), 0, "stored identity breaks RNIV: %s", err.msg);
}

void id_text(char *out, size_t n, int64_t id)
{
    snprintf(out, n, "%" PRId64, id);
}

identity_traits hurried(identity_traits t)
{
    strcpy(t.birth_name, "LEGRAND-TEST");
    strcpy(t.first_forename, "CAMILLE");
    strcpy(t.forenames, "CAMILLE");
    return t;
}
