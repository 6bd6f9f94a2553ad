/*
 * sqlite_stay.c - stays and movements (store.h "Stays and movements").
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

static const char *const status_codes[] = {
    "planned", "in-progress", "finished", "cancelled",
};
static const char *const action_codes[] = { "INSERT", "UPDATE", "CANCEL" };

static int code_index(const char *s, const char *const *codes, int n)
{
    for (int i = 0; i < n; i++)
        if (s != NULL && strcmp(s, codes[i]) == 0)
            return i;
    return 0;  /* unreachable: the CHECK constraints hold */
}

/* A structure id, or NULL when unresolved (0). */
static void bind_ref(sqlite3_stmt *s, int idx, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(s, idx, id);
    else
        sqlite3_bind_null(s, idx);
}

/* ---- Stays ------------------------------------------------------------ */

#define STAY_COLUMNS \
    "id, domain_id, local_id, visit_number, nda, class, status, from_preadmission," \
    " on_leave, admit_at, discharge_at, uf, room, bed, coalesce(uf_id, 0)," \
    " coalesce(room_id, 0), coalesce(bed_id, 0), medical_uf, version, created_at," \
    " updated_at FROM stay "

static void read_stay(sqlite3_stmt *q, stay_record *s)
{
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(q, 0);
    s->domain_id = sqlite3_column_int64(q, 1);
    s->local_id = sqlite3_column_int64(q, 2);
    sq_column_copy(q, 3, s->visit_number, sizeof s->visit_number);
    sq_column_copy(q, 4, s->nda, sizeof s->nda);
    sq_column_copy(q, 5, s->stay_class, sizeof s->stay_class);
    s->status = (stay_status)code_index((const char *)sqlite3_column_text(q, 6),
                                        status_codes, 4);
    s->from_preadmission = sqlite3_column_int(q, 7);
    s->on_leave = sqlite3_column_int(q, 8);
    sq_column_copy(q, 9, s->admit_at, sizeof s->admit_at);
    sq_column_copy(q, 10, s->discharge_at, sizeof s->discharge_at);
    sq_column_copy(q, 11, s->location.uf, sizeof s->location.uf);
    sq_column_copy(q, 12, s->location.room, sizeof s->location.room);
    sq_column_copy(q, 13, s->location.bed, sizeof s->location.bed);
    s->location.uf_id = sqlite3_column_int64(q, 14);
    s->location.room_id = sqlite3_column_int64(q, 15);
    s->location.bed_id = sqlite3_column_int64(q, 16);
    sq_column_copy(q, 17, s->medical_uf, sizeof s->medical_uf);
    s->version = sqlite3_column_int(q, 18);
    sq_column_copy(q, 19, s->created_at, sizeof s->created_at);
    sq_column_copy(q, 20, s->updated_at, sizeof s->updated_at);
}

static int fetch_stay(store *st, sqlite3_stmt *q, stay_record *out, socle_err *err)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        read_stay(q, out);
        sqlite3_reset(q);
        return 1;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read stay");
}

int store_stay_find(store *st, int64_t domain_id, const char *visit_number, stay_record *out,
                    socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_STAY_FIND,
        "SELECT " STAY_COLUMNS "WHERE domain_id = ?1 AND visit_number = ?2", err);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, domain_id);
    sq_bind_text(q, 2, visit_number);
    return fetch_stay(st, q, out, err);
}

int store_stay_get(store *st, int64_t id, stay_record *out, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_STAY_GET, "SELECT " STAY_COLUMNS "WHERE id = ?1", err);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, id);
    return fetch_stay(st, q, out, err);
}

static void bind_stay(sqlite3_stmt *q, const stay_record *s)
{
    sqlite3_bind_int64(q, 1, s->domain_id);
    sqlite3_bind_int64(q, 2, s->local_id);
    sq_bind_text(q, 3, s->visit_number);
    sq_bind_text(q, 4, s->nda);
    sq_bind_text(q, 5, s->stay_class);
    sq_bind_text(q, 6, status_codes[(unsigned)s->status < 4 ? s->status : 0]);
    sqlite3_bind_int(q, 7, s->from_preadmission);
    sqlite3_bind_int(q, 8, s->on_leave);
    sq_bind_text(q, 9, s->admit_at);
    sq_bind_text(q, 10, s->discharge_at);
    sq_bind_text(q, 11, s->location.uf);
    sq_bind_text(q, 12, s->location.room);
    sq_bind_text(q, 13, s->location.bed);
    bind_ref(q, 14, s->location.uf_id);
    bind_ref(q, 15, s->location.room_id);
    bind_ref(q, 16, s->location.bed_id);
    sq_bind_text(q, 17, s->medical_uf);
    sq_bind_text(q, 18, s->created_at);
    sq_bind_text(q, 19, s->updated_at);
}

int store_stay_insert(store *st, stay_record *s, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_STAY_INSERT,
        "INSERT INTO stay(domain_id, local_id, visit_number, nda, class, status,"
        " from_preadmission, on_leave, admit_at, discharge_at, uf, room, bed, uf_id, room_id,"
        " bed_id, medical_uf, created_at, updated_at, version)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19, 1)", err);
    if (q == NULL)
        return -1;
    bind_stay(q, s);
    if (sq_exec_stmt(st, q, "insert stay", err) != 0)
        return -1;
    s->id = sqlite3_last_insert_rowid(st->db);
    s->version = 1;
    return 0;
}

int store_stay_update(store *st, stay_record *s, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_STAY_UPDATE,
        "UPDATE stay SET domain_id = ?1, local_id = ?2, visit_number = ?3, nda = ?4,"
        " class = ?5, status = ?6, from_preadmission = ?7, on_leave = ?8, admit_at = ?9,"
        " discharge_at = ?10, uf = ?11, room = ?12, bed = ?13, uf_id = ?14, room_id = ?15,"
        " bed_id = ?16, medical_uf = ?17, created_at = ?18, updated_at = ?19,"
        " version = version + 1 WHERE id = ?20 AND version = ?21", err);
    if (q == NULL)
        return -1;
    bind_stay(q, s);
    sqlite3_bind_int64(q, 20, s->id);
    sqlite3_bind_int(q, 21, s->version);
    if (sq_exec_stmt(st, q, "update stay", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ECONFLICT,
                       "stay %lld was changed by someone else (version %d is stale)",
                       (long long)s->id, s->version);
    s->version++;
    return 0;
}

int store_stay_reassign(store *st, int64_t from_local, int64_t to_local, int64_t *moved,
                        socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_STAY_REASSIGN,
        "UPDATE stay SET local_id = ?2, version = version + 1 WHERE local_id = ?1", err);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, from_local);
    sqlite3_bind_int64(q, 2, to_local);
    if (sq_exec_stmt(st, q, "reassign stays", err) != 0)
        return -1;
    *moved = sqlite3_changes(st->db);
    return 0;
}

int store_stay_foreach(store *st, store_stay_cb cb, void *ctx, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_STAY_ALL,
                              "SELECT " STAY_COLUMNS "ORDER BY domain_id, id", err);
    if (q == NULL)
        return -1;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        stay_record s;
        read_stay(q, &s);
        if (cb(&s, ctx) != 0)
            break;
    }
    int failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_reset(q);
    return failed ? sq_fail(st, err, "list stays") : 0;
}

/* ---- Movements -------------------------------------------------------- */

#define MOVEMENT_COLUMNS \
    "id, stay_id, domain_id, movement_id, movement_ns, trigger_event, action," \
    " effective_at, historic, original_trigger, class, medical_uf, care_uf, nature, uf," \
    " room, bed, coalesce(uf_id, 0), coalesce(room_id, 0), coalesce(bed_id, 0), state," \
    " coalesce(cancels, 0), created_at, updated_at FROM movement "

static void read_movement(sqlite3_stmt *q, movement *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(q, 0);
    m->stay_id = sqlite3_column_int64(q, 1);
    m->domain_id = sqlite3_column_int64(q, 2);
    sq_column_copy(q, 3, m->movement_id, sizeof m->movement_id);
    sq_column_copy(q, 4, m->movement_ns, sizeof m->movement_ns);
    sq_column_copy(q, 5, m->trigger, sizeof m->trigger);
    m->action = (movement_action)code_index((const char *)sqlite3_column_text(q, 6),
                                            action_codes, 3);
    sq_column_copy(q, 7, m->effective_at, sizeof m->effective_at);
    m->historic = sqlite3_column_int(q, 8);
    sq_column_copy(q, 9, m->original_trigger, sizeof m->original_trigger);
    sq_column_copy(q, 10, m->stay_class, sizeof m->stay_class);
    sq_column_copy(q, 11, m->medical_uf, sizeof m->medical_uf);
    sq_column_copy(q, 12, m->care_uf, sizeof m->care_uf);
    sq_column_copy(q, 13, m->nature, sizeof m->nature);
    sq_column_copy(q, 14, m->location.uf, sizeof m->location.uf);
    sq_column_copy(q, 15, m->location.room, sizeof m->location.room);
    sq_column_copy(q, 16, m->location.bed, sizeof m->location.bed);
    m->location.uf_id = sqlite3_column_int64(q, 17);
    m->location.room_id = sqlite3_column_int64(q, 18);
    m->location.bed_id = sqlite3_column_int64(q, 19);
    const char *state = (const char *)sqlite3_column_text(q, 20);
    m->state = state != NULL && strcmp(state, "cancelled") == 0 ? MOVEMENT_CANCELLED
                                                                 : MOVEMENT_ACTIVE;
    m->cancels = sqlite3_column_int64(q, 21);
    sq_column_copy(q, 22, m->created_at, sizeof m->created_at);
    sq_column_copy(q, 23, m->updated_at, sizeof m->updated_at);
}

int store_movement_find(store *st, int64_t domain_id, const char *movement_id,
                        movement *out, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_MOVEMENT_FIND,
        "SELECT " MOVEMENT_COLUMNS
        "WHERE domain_id = ?1 AND movement_id = ?2 AND action = 'INSERT'", err);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, domain_id);
    sq_bind_text(q, 2, movement_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        read_movement(q, out);
        sqlite3_reset(q);
        return 1;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, err, "read movement");
}

static void bind_movement(sqlite3_stmt *q, const movement *m)
{
    sqlite3_bind_int64(q, 1, m->stay_id);
    sqlite3_bind_int64(q, 2, m->domain_id);
    sq_bind_text(q, 3, m->movement_id);
    sq_bind_text(q, 4, m->movement_ns);
    sq_bind_text(q, 5, m->trigger);
    sq_bind_text(q, 6, action_codes[(unsigned)m->action < 3 ? m->action : 0]);
    sq_bind_text(q, 7, m->effective_at);
    sqlite3_bind_int(q, 8, m->historic);
    sq_bind_text(q, 9, m->original_trigger);
    sq_bind_text(q, 10, m->stay_class);
    sq_bind_text(q, 11, m->medical_uf);
    sq_bind_text(q, 12, m->care_uf);
    sq_bind_text(q, 13, m->nature);
    sq_bind_text(q, 14, m->location.uf);
    sq_bind_text(q, 15, m->location.room);
    sq_bind_text(q, 16, m->location.bed);
    bind_ref(q, 17, m->location.uf_id);
    bind_ref(q, 18, m->location.room_id);
    bind_ref(q, 19, m->location.bed_id);
    sq_bind_text(q, 20, m->state == MOVEMENT_CANCELLED ? "cancelled" : "active");
    bind_ref(q, 21, m->cancels);
    sq_bind_text(q, 22, m->created_at);
    sq_bind_text(q, 23, m->updated_at);
}

int store_movement_insert(store *st, movement *m, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_MOVEMENT_INSERT,
        "INSERT INTO movement(stay_id, domain_id, movement_id, movement_ns, trigger_event,"
        " action, effective_at, historic, original_trigger, class, medical_uf, care_uf,"
        " nature, uf, room, bed, uf_id, room_id, bed_id, state, cancels, created_at,"
        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
        " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)", err);
    if (q == NULL)
        return -1;
    bind_movement(q, m);
    if (sq_exec_stmt(st, q, "insert movement", err) != 0)
        return -1;
    m->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_movement_update(store *st, const movement *m, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_MOVEMENT_UPDATE,
        "UPDATE movement SET stay_id = ?1, domain_id = ?2, movement_id = ?3,"
        " movement_ns = ?4, trigger_event = ?5, action = ?6, effective_at = ?7,"
        " historic = ?8, original_trigger = ?9, class = ?10, medical_uf = ?11,"
        " care_uf = ?12, nature = ?13, uf = ?14, room = ?15, bed = ?16, uf_id = ?17,"
        " room_id = ?18, bed_id = ?19, state = ?20, cancels = ?21, created_at = ?22,"
        " updated_at = ?23 WHERE id = ?24", err);
    if (q == NULL)
        return -1;
    bind_movement(q, m);
    sqlite3_bind_int64(q, 24, m->id);
    if (sq_exec_stmt(st, q, "update movement", err) != 0)
        return -1;
    if (sqlite3_changes(st->db) != 1)
        return err_set(err, SOCLE_ENOTFOUND, "movement row %lld not found", (long long)m->id);
    return 0;
}

int store_movement_foreach_stay(store *st, int64_t stay_id, store_movement_cb cb,
                                void *ctx, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_MOVEMENT_BY_STAY,
        "SELECT " MOVEMENT_COLUMNS "WHERE stay_id = ?1 ORDER BY effective_at, id", err);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, stay_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        movement m;
        read_movement(q, &m);
        if (cb(&m, ctx) != 0)
            break;
    }
    int failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_reset(q);
    return failed ? sq_fail(st, err, "list movements") : 0;
}

int store_movement_count_stay(store *st, int64_t stay_id, int64_t *out, socle_err *err)
{
    sqlite3_stmt *q = sq_stmt(st, SQ_MOVEMENT_COUNT,
        "SELECT count(*) FROM movement WHERE stay_id = ?1 AND action = 'INSERT'"
        " AND state = 'active' AND trigger_event <> 'A05'", err);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, stay_id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_reset(q);
        return sq_fail(st, err, "count movements");
    }
    *out = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return 0;
}
