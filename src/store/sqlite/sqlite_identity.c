/*
 * sqlite_identity.c - local identities, GHT identities, their links and
 * merges, and the history of every change.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

static const char *const status_codes[] = { "PROV", "RECUP", "VALI", "QUAL" };

static rniv_status status_from_text(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s != NULL && strcmp(s, status_codes[i]) == 0)
            return (rniv_status)i;
    return RNIV_PROV;
}

/* ---- Local identities ------------------------------------------------- */

#define LOCAL_FIELDS \
    "l.id, l.domain_id, l.ipp, l.birth_name, l.first_forename, l.forenames, " \
    "l.birth_date, l.sex, l.birth_place, l.used_name, l.used_forename, " \
    "l.address, l.postal_code, l.city, l.country, l.phone, l.email, " \
    "l.ins, l.ins_oid, l.status, l.attributes, l.insi_verified, l.insi_at, " \
    "l.proof_type, l.version, l.created_at, l.updated_at, "
#define LOCAL_COLUMNS LOCAL_FIELDS \
    "coalesce((SELECT k.ght_id FROM identity_link k " \
    "          WHERE k.local_id = l.id AND k.state = 'ACTIVE'), 0) " \
    "FROM local_identity l "

static void read_local(sqlite3_stmt *s, local_identity *li)
{
    memset(li, 0, sizeof *li);
    int c = 0;
    li->id = sqlite3_column_int64(s, c++);
    li->domain_id = sqlite3_column_int64(s, c++);
    sq_column_copy(s, c++, li->ipp, sizeof li->ipp);
    identity_traits *t = &li->traits;
    sq_column_copy(s, c++, t->birth_name, sizeof t->birth_name);
    sq_column_copy(s, c++, t->first_forename, sizeof t->first_forename);
    sq_column_copy(s, c++, t->forenames, sizeof t->forenames);
    sq_column_copy(s, c++, t->birth_date, sizeof t->birth_date);
    const unsigned char *sex = sqlite3_column_text(s, c++);
    t->sex = sex ? (char)sex[0] : 'U';
    sq_column_copy(s, c++, t->birth_place, sizeof t->birth_place);
    sq_column_copy(s, c++, t->used_name, sizeof t->used_name);
    sq_column_copy(s, c++, t->used_forename, sizeof t->used_forename);
    identity_contact *k = &li->contact;
    sq_column_copy(s, c++, k->address, sizeof k->address);
    sq_column_copy(s, c++, k->postal_code, sizeof k->postal_code);
    sq_column_copy(s, c++, k->city, sizeof k->city);
    sq_column_copy(s, c++, k->country, sizeof k->country);
    sq_column_copy(s, c++, k->phone, sizeof k->phone);
    sq_column_copy(s, c++, k->email, sizeof k->email);
    sq_column_copy(s, c++, li->ins, sizeof li->ins);
    sq_column_copy(s, c++, li->ins_oid, sizeof li->ins_oid);
    li->status = status_from_text((const char *)sqlite3_column_text(s, c++));
    li->attributes = (unsigned)sqlite3_column_int(s, c++);
    li->insi_verified = sqlite3_column_int(s, c++);
    sq_column_copy(s, c++, li->insi_at, sizeof li->insi_at);
    sq_column_copy(s, c++, li->proof_type, sizeof li->proof_type);
    li->version = sqlite3_column_int(s, c++);
    sq_column_copy(s, c++, li->created_at, sizeof li->created_at);
    sq_column_copy(s, c++, li->updated_at, sizeof li->updated_at);
    li->ght_id = sqlite3_column_int64(s, c++);
}

static int fetch_local(store *st, sqlite3_stmt *s, local_identity *out, socle_err *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_local(s, out);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(st, err, "read local identity");
}

int store_local_get(store *st, int64_t id, local_identity *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_GET, "SELECT " LOCAL_COLUMNS "WHERE l.id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return fetch_local(st, s, out, err);
}

int store_local_find(store *st, int64_t domain_id, const char *ipp, local_identity *out,
                     socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_FIND,
        "SELECT " LOCAL_COLUMNS "WHERE l.domain_id = ?1 AND l.ipp = ?2", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, domain_id);
    sq_bind_text(s, 2, ipp);
    return fetch_local(st, s, out, err);
}

/* Bind the 28 columns shared by insert and update, in table order. */
static void bind_local(sqlite3_stmt *s, const local_identity *li, const identity_norm *norm)
{
    const identity_traits *t = &li->traits;
    const identity_contact *k = &li->contact;
    char sex[2] = { t->sex ? t->sex : 'U', '\0' };
    int c = 1;
    sqlite3_bind_int64(s, c++, li->domain_id);
    sq_bind_text(s, c++, li->ipp);
    sq_bind_text(s, c++, t->birth_name);
    sq_bind_text(s, c++, t->first_forename);
    sq_bind_text(s, c++, t->forenames);
    sq_bind_text(s, c++, t->birth_date);
    sq_bind_text(s, c++, sex);
    sq_bind_text(s, c++, t->birth_place);
    sq_bind_text(s, c++, t->used_name);
    sq_bind_text(s, c++, t->used_forename);
    sq_bind_text(s, c++, k->address);
    sq_bind_text(s, c++, k->postal_code);
    sq_bind_text(s, c++, k->city);
    sq_bind_text(s, c++, k->country);
    sq_bind_text(s, c++, k->phone);
    sq_bind_text(s, c++, k->email);
    sq_bind_text(s, c++, li->ins);
    sq_bind_text(s, c++, li->ins_oid);
    sq_bind_text(s, c++, status_codes[li->status & 3]);
    sqlite3_bind_int(s, c++, (int)li->attributes);
    sqlite3_bind_int(s, c++, li->insi_verified ? 1 : 0);
    sq_bind_text(s, c++, li->insi_at);
    sq_bind_text(s, c++, li->proof_type);
    sq_bind_text(s, c++, norm ? norm->birth_name : "");
    sq_bind_text(s, c++, norm ? norm->used_name : "");
    sq_bind_text(s, c++, norm ? norm->forenames : "");
    sq_bind_text(s, c++, li->created_at);
    sq_bind_text(s, c++, li->updated_at);
}

int store_local_insert(store *st, local_identity *li, const identity_norm *norm,
                       socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_INSERT,
        "INSERT INTO local_identity(domain_id, ipp, birth_name, first_forename, forenames,"
        " birth_date, sex, birth_place, used_name, used_forename, address, postal_code,"
        " city, country, phone, email, ins, ins_oid, status, attributes, insi_verified,"
        " insi_at, proof_type, norm_birth_name, norm_used_name, norm_forenames,"
        " created_at, updated_at, version)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
        " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, 1)", err);
    if (s == NULL)
        return -1;
    bind_local(s, li, norm);
    if (sq_exec_stmt(st, s, "insert local identity", err) != 0)
        return -1;
    li->id = sqlite3_last_insert_rowid(st->db);
    li->version = 1;
    return 0;
}

int store_local_update(store *st, local_identity *li, const identity_norm *norm,
                       socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_UPDATE,
        "UPDATE local_identity SET domain_id = ?1, ipp = ?2, birth_name = ?3,"
        " first_forename = ?4, forenames = ?5, birth_date = ?6, sex = ?7, birth_place = ?8,"
        " used_name = ?9, used_forename = ?10, address = ?11, postal_code = ?12, city = ?13,"
        " country = ?14, phone = ?15, email = ?16, ins = ?17, ins_oid = ?18, status = ?19,"
        " attributes = ?20, insi_verified = ?21, insi_at = ?22, proof_type = ?23,"
        " norm_birth_name = ?24, norm_used_name = ?25, norm_forenames = ?26,"
        " created_at = ?27, updated_at = ?28, version = version + 1"
        " WHERE id = ?29 AND version = ?30", err);
    if (s == NULL)
        return -1;
    bind_local(s, li, norm);
    sqlite3_bind_int64(s, 29, li->id);
    sqlite3_bind_int(s, 30, li->version);
    if (sq_exec_stmt(st, s, "update local identity", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ECONFLICT,
                       "local identity %lld was changed by someone else (version %d is stale)",
                       (long long)li->id, li->version);
    li->version++;
    return 0;
}

static int foreach_local(store *st, sqlite3_stmt *s, store_local_cb cb, void *ctx,
                         socle_err *err)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        local_identity li;
        read_local(s, &li);
        if (cb(&li, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "list local identities") : 0;
}

int store_local_foreach(store *st, store_local_cb cb, void *ctx, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_ALL,
        "SELECT " LOCAL_COLUMNS "ORDER BY l.domain_id, l.ipp", err);
    if (s == NULL)
        return -1;
    return foreach_local(st, s, cb, ctx, err);
}

int store_local_foreach_ins(store *st, const char *ins, store_local_cb cb, void *ctx,
                            socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_BY_INS,
        "SELECT " LOCAL_COLUMNS "WHERE l.ins = ?1 AND l.ins <> '' ORDER BY l.id", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, ins);
    return foreach_local(st, s, cb, ctx, err);
}

int store_local_foreach_ght(store *st, int64_t ght_id, store_local_cb cb, void *ctx,
                            socle_err *err)
{
    /* A join from the links (an IN (SELECT ...) would build a temporary
     * index per call, an ORDER BY a sorter); their GHT identity is the one
     * asked for. */
    sqlite3_stmt *s = sq_stmt(st, SQ_LOCAL_BY_GHT,
        "SELECT " LOCAL_FIELDS "k.ght_id FROM identity_link k"
        " JOIN local_identity l ON l.id = k.local_id"
        " WHERE k.ght_id = ?1 AND k.state = 'ACTIVE'", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    return foreach_local(st, s, cb, ctx, err);
}

/* ---- GHT identities --------------------------------------------------- */

int store_ght_insert(store *st, ght_identity *g, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_GHT_INSERT,
        "INSERT INTO ght_identity(state, merged_into, version, created_at, updated_at)"
        " VALUES (?1, ?2, 1, ?3, ?4)", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, g->state == GHT_MERGED ? "MERGED" : "ACTIVE");
    if (g->merged_into > 0)
        sqlite3_bind_int64(s, 2, g->merged_into);
    else
        sqlite3_bind_null(s, 2);
    sq_bind_text(s, 3, g->created_at);
    sq_bind_text(s, 4, g->updated_at);
    if (sq_exec_stmt(st, s, "insert GHT identity", err) != 0)
        return -1;
    g->id = sqlite3_last_insert_rowid(st->db);
    g->version = 1;
    return 0;
}

int store_ght_get(store *st, int64_t id, ght_identity *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_GHT_GET,
        "SELECT id, state, coalesce(merged_into, 0), version, created_at, updated_at"
        " FROM ght_identity WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(s, 0);
        const char *state = (const char *)sqlite3_column_text(s, 1);
        out->state = (state && strcmp(state, "MERGED") == 0) ? GHT_MERGED : GHT_ACTIVE;
        out->merged_into = sqlite3_column_int64(s, 2);
        out->version = sqlite3_column_int(s, 3);
        sq_column_copy(s, 4, out->created_at, sizeof out->created_at);
        sq_column_copy(s, 5, out->updated_at, sizeof out->updated_at);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read GHT identity");
}

int store_ght_update(store *st, ght_identity *g, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_GHT_UPDATE,
        "UPDATE ght_identity SET state = ?1, merged_into = ?2, updated_at = ?3,"
        " version = version + 1 WHERE id = ?4 AND version = ?5", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, g->state == GHT_MERGED ? "MERGED" : "ACTIVE");
    if (g->merged_into > 0)
        sqlite3_bind_int64(s, 2, g->merged_into);
    else
        sqlite3_bind_null(s, 2);
    sq_bind_text(s, 3, g->updated_at);
    sqlite3_bind_int64(s, 4, g->id);
    sqlite3_bind_int(s, 5, g->version);
    if (sq_exec_stmt(st, s, "update GHT identity", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ECONFLICT,
                       "GHT identity %lld was changed by someone else", (long long)g->id);
    g->version++;
    return 0;
}

/* ---- Links ------------------------------------------------------------ */

#define LINK_COLUMNS \
    "id, local_id, ght_id, method, state, coalesce(merge_id, 0), created_at, created_by, " \
    "reason, ended_at, ended_by, end_reason FROM identity_link "

static void read_link(sqlite3_stmt *s, identity_link *l)
{
    memset(l, 0, sizeof *l);
    l->id = sqlite3_column_int64(s, 0);
    l->local_id = sqlite3_column_int64(s, 1);
    l->ght_id = sqlite3_column_int64(s, 2);
    const char *m = (const char *)sqlite3_column_text(s, 3);
    l->method = (m && strcmp(m, "MANUAL") == 0) ? LINK_MANUAL : LINK_AUTO;
    const char *state = (const char *)sqlite3_column_text(s, 4);
    l->state = (state && strcmp(state, "ENDED") == 0) ? LINK_ENDED : LINK_ACTIVE;
    l->merge_id = sqlite3_column_int64(s, 5);
    sq_column_copy(s, 6, l->created_at, sizeof l->created_at);
    sq_column_copy(s, 7, l->created_by, sizeof l->created_by);
    sq_column_copy(s, 8, l->reason, sizeof l->reason);
    sq_column_copy(s, 9, l->ended_at, sizeof l->ended_at);
    sq_column_copy(s, 10, l->ended_by, sizeof l->ended_by);
    sq_column_copy(s, 11, l->end_reason, sizeof l->end_reason);
}

int store_link_insert(store *st, identity_link *l, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LINK_INSERT,
        "INSERT INTO identity_link(local_id, ght_id, method, state, merge_id, created_at,"
        " created_by, reason) VALUES (?1, ?2, ?3, 'ACTIVE', ?4, ?5, ?6, ?7)", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, l->local_id);
    sqlite3_bind_int64(s, 2, l->ght_id);
    sq_bind_text(s, 3, l->method == LINK_MANUAL ? "MANUAL" : "AUTO");
    if (l->merge_id > 0)
        sqlite3_bind_int64(s, 4, l->merge_id);
    else
        sqlite3_bind_null(s, 4);
    sq_bind_text(s, 5, l->created_at);
    sq_bind_text(s, 6, l->created_by);
    sq_bind_text(s, 7, l->reason);
    if (sq_exec_stmt(st, s, "insert link", err) != 0)
        return -1;
    l->id = sqlite3_last_insert_rowid(st->db);
    l->state = LINK_ACTIVE;
    return 0;
}

int store_link_end(store *st, const identity_link *l, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LINK_END,
        "UPDATE identity_link SET state = 'ENDED', ended_at = ?1, ended_by = ?2,"
        " end_reason = ?3 WHERE id = ?4 AND state = 'ACTIVE'", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, l->ended_at);
    sq_bind_text(s, 2, l->ended_by);
    sq_bind_text(s, 3, l->end_reason);
    sqlite3_bind_int64(s, 4, l->id);
    if (sq_exec_stmt(st, s, "end link", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ECONFLICT, "link %lld is not active", (long long)l->id);
    return 0;
}

int store_link_active(store *st, int64_t local_id, identity_link *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LINK_ACTIVE,
        "SELECT " LINK_COLUMNS "WHERE local_id = ?1 AND state = 'ACTIVE'", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, local_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        read_link(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read link");
}

static int foreach_link(store *st, sqlite3_stmt *s, store_link_cb cb, void *ctx,
                        socle_err *err)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        identity_link l;
        read_link(s, &l);
        if (cb(&l, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "list links") : 0;
}

int store_link_foreach_ght(store *st, int64_t ght_id, int active_only, store_link_cb cb,
                           void *ctx, socle_err *err)
{
    sqlite3_stmt *s = active_only
        ? sq_stmt(st, SQ_LINK_BY_GHT_ACTIVE,
                  "SELECT " LINK_COLUMNS "WHERE ght_id = ?1 AND state = 'ACTIVE' ORDER BY id", err)
        : sq_stmt(st, SQ_LINK_BY_GHT,
                  "SELECT " LINK_COLUMNS "WHERE ght_id = ?1 ORDER BY id", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, ght_id);
    return foreach_link(st, s, cb, ctx, err);
}

int store_link_foreach_merge(store *st, int64_t merge_id, store_link_cb cb, void *ctx,
                             socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LINK_BY_MERGE,
        "SELECT " LINK_COLUMNS "WHERE merge_id = ?1 ORDER BY id", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, merge_id);
    return foreach_link(st, s, cb, ctx, err);
}

int store_link_foreach_local(store *st, int64_t local_id, store_link_cb cb, void *ctx,
                             socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_LINK_BY_LOCAL,
        "SELECT " LINK_COLUMNS "WHERE local_id = ?1 ORDER BY id", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, local_id);
    return foreach_link(st, s, cb, ctx, err);
}

/* ---- Merges ----------------------------------------------------------- */

int store_merge_insert(store *st, identity_merge_rec *m, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MERGE_INSERT,
        "INSERT INTO identity_merge(survivor_id, absorbed_id, at, actor, reason)"
        " VALUES (?1, ?2, ?3, ?4, ?5)", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, m->survivor_id);
    sqlite3_bind_int64(s, 2, m->absorbed_id);
    sq_bind_text(s, 3, m->at);
    sq_bind_text(s, 4, m->actor);
    sq_bind_text(s, 5, m->reason);
    if (sq_exec_stmt(st, s, "insert merge", err) != 0)
        return -1;
    m->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_merge_get(store *st, int64_t id, identity_merge_rec *out, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MERGE_GET,
        "SELECT id, survivor_id, absorbed_id, at, actor, reason, undone, undone_at,"
        " undone_by, undo_reason FROM identity_merge WHERE id = ?1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(s, 0);
        out->survivor_id = sqlite3_column_int64(s, 1);
        out->absorbed_id = sqlite3_column_int64(s, 2);
        sq_column_copy(s, 3, out->at, sizeof out->at);
        sq_column_copy(s, 4, out->actor, sizeof out->actor);
        sq_column_copy(s, 5, out->reason, sizeof out->reason);
        out->undone = sqlite3_column_int(s, 6);
        sq_column_copy(s, 7, out->undone_at, sizeof out->undone_at);
        sq_column_copy(s, 8, out->undone_by, sizeof out->undone_by);
        sq_column_copy(s, 9, out->undo_reason, sizeof out->undo_reason);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read merge");
}

int store_merge_of_absorbed(store *st, int64_t absorbed_id, int64_t *merge_id,
                            socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MERGE_OF_ABSORBED,
        "SELECT id FROM identity_merge WHERE absorbed_id = ?1 AND undone = 0"
        " ORDER BY id DESC LIMIT 1", err);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, absorbed_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *merge_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "find merge");
}

int store_merge_mark_undone(store *st, const identity_merge_rec *m, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_MERGE_UNDONE,
        "UPDATE identity_merge SET undone = 1, undone_at = ?1, undone_by = ?2,"
        " undo_reason = ?3 WHERE id = ?4 AND undone = 0", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, m->undone_at);
    sq_bind_text(s, 2, m->undone_by);
    sq_bind_text(s, 3, m->undo_reason);
    sqlite3_bind_int64(s, 4, m->id);
    if (sq_exec_stmt(st, s, "undo merge", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ECONFLICT, "merge %lld is already undone", (long long)m->id);
    return 0;
}

/* ---- History ---------------------------------------------------------- */

int store_history_append(store *st, history_entry *h, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_HISTORY_INSERT,
        "INSERT INTO history(object_type, object_id, action, actor, at, reason,"
        " before_json, after_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, h->object_type);
    sqlite3_bind_int64(s, 2, h->object_id);
    sq_bind_text(s, 3, h->action);
    sq_bind_text(s, 4, h->actor);
    sq_bind_text(s, 5, h->at);
    sq_bind_text(s, 6, h->reason);
    if (h->before_json)
        sqlite3_bind_text(s, 7, h->before_json, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 7);
    if (h->after_json)
        sqlite3_bind_text(s, 8, h->after_json, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 8);
    if (sq_exec_stmt(st, s, "append history", err) != 0)
        return -1;
    h->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_history_foreach(store *st, const char *object_type, int64_t object_id,
                          store_history_cb cb, void *ctx, socle_err *err)
{
    sqlite3_stmt *s = sq_stmt(st, SQ_HISTORY_BY_OBJECT,
        "SELECT id, object_type, object_id, action, actor, at, reason, before_json,"
        " after_json FROM history WHERE object_type = ?1 AND object_id = ?2 ORDER BY id", err);
    if (s == NULL)
        return -1;
    sq_bind_text(s, 1, object_type);
    sqlite3_bind_int64(s, 2, object_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        history_entry h;
        memset(&h, 0, sizeof h);
        h.id = sqlite3_column_int64(s, 0);
        sq_column_copy(s, 1, h.object_type, sizeof h.object_type);
        h.object_id = sqlite3_column_int64(s, 2);
        sq_column_copy(s, 3, h.action, sizeof h.action);
        sq_column_copy(s, 4, h.actor, sizeof h.actor);
        sq_column_copy(s, 5, h.at, sizeof h.at);
        sq_column_copy(s, 6, h.reason, sizeof h.reason);
        h.before_json = (const char *)sqlite3_column_text(s, 7);
        h.after_json = (const char *)sqlite3_column_text(s, 8);
        if (cb(&h, ctx) != 0)
            break;
    }
    int failed = (rc != SQLITE_ROW && rc != SQLITE_DONE);
    sqlite3_reset(s);
    return failed ? sq_fail(st, err, "read history") : 0;
}
