/*
 * sqlite_schema.c - versioned migrations of the SQLite schema.
 *
 * PRAGMA user_version holds the schema version. Each migration runs in its
 * own transaction with the version bump, so a data dir is always at one
 * well-defined version. Migrations are append-only: never edit a released
 * one, add the next.
 */
#include "store/sqlite/sqlite_internal.h"

#include <stddef.h>
#include <stdio.h>

static const char *const migrations[] = {
    /* 1: structures, identification domains, identities, links, merges,
     *    history and the audit trail. */
    "CREATE TABLE meta ("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"

    "CREATE TABLE structure ("
    "  id         INTEGER PRIMARY KEY,"
    "  kind       TEXT NOT NULL CHECK (kind IN ('EJ','EG','POLE','SERVICE','UF','CHAMBRE','LIT')),"
    "  code       TEXT NOT NULL UNIQUE,"
    "  label      TEXT NOT NULL,"
    "  parent_id  INTEGER REFERENCES structure(id),"
    "  finess     TEXT NOT NULL DEFAULT '',"
    "  oid        TEXT NOT NULL DEFAULT '',"
    "  valid_from TEXT NOT NULL DEFAULT '',"
    "  valid_to   TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX structure_parent ON structure(parent_id);"
    "CREATE INDEX structure_finess ON structure(finess) WHERE finess <> '';"

    "CREATE TABLE id_domain ("
    "  id           INTEGER PRIMARY KEY,"
    "  kind         TEXT NOT NULL CHECK (kind IN ('GHT','EJ')),"
    "  oid          TEXT NOT NULL UNIQUE,"
    "  name         TEXT NOT NULL,"
    "  structure_id INTEGER UNIQUE REFERENCES structure(id),"
    "  finess       TEXT NOT NULL DEFAULT ''"
    ");"

    "CREATE TABLE ght_identity ("
    "  id          INTEGER PRIMARY KEY,"
    "  state       TEXT NOT NULL CHECK (state IN ('ACTIVE','MERGED')),"
    "  merged_into INTEGER REFERENCES ght_identity(id),"
    "  version     INTEGER NOT NULL,"
    "  created_at  TEXT NOT NULL,"
    "  updated_at  TEXT NOT NULL"
    ");"

    "CREATE TABLE local_identity ("
    "  id              INTEGER PRIMARY KEY,"
    "  domain_id       INTEGER NOT NULL REFERENCES id_domain(id),"
    "  ipp             TEXT NOT NULL,"
    "  birth_name      TEXT NOT NULL,"
    "  first_forename  TEXT NOT NULL,"
    "  forenames       TEXT NOT NULL,"
    "  birth_date      TEXT NOT NULL,"
    "  sex             TEXT NOT NULL CHECK (sex IN ('M','F','U')),"
    "  birth_place     TEXT NOT NULL,"
    "  used_name       TEXT NOT NULL,"
    "  used_forename   TEXT NOT NULL,"
    "  address         TEXT NOT NULL,"
    "  postal_code     TEXT NOT NULL,"
    "  city            TEXT NOT NULL,"
    "  country         TEXT NOT NULL,"
    "  phone           TEXT NOT NULL,"
    "  email           TEXT NOT NULL,"
    "  ins             TEXT NOT NULL,"
    "  ins_oid         TEXT NOT NULL,"
    "  status          TEXT NOT NULL CHECK (status IN ('PROV','RECUP','VALI','QUAL')),"
    "  attributes      INTEGER NOT NULL,"
    "  insi_verified   INTEGER NOT NULL,"
    "  insi_at         TEXT NOT NULL,"
    "  proof_type      TEXT NOT NULL,"
    "  norm_birth_name TEXT NOT NULL,"
    "  norm_used_name  TEXT NOT NULL,"
    "  norm_forenames  TEXT NOT NULL,"
    "  version         INTEGER NOT NULL,"
    "  created_at      TEXT NOT NULL,"
    "  updated_at      TEXT NOT NULL,"
    "  UNIQUE (domain_id, ipp)"
    ");"
    "CREATE INDEX local_identity_ins ON local_identity(ins) WHERE ins <> '';"
    "CREATE INDEX local_identity_name ON local_identity(norm_birth_name, birth_date);"

    "CREATE TABLE identity_merge ("
    "  id          INTEGER PRIMARY KEY,"
    "  survivor_id INTEGER NOT NULL REFERENCES ght_identity(id),"
    "  absorbed_id INTEGER NOT NULL REFERENCES ght_identity(id),"
    "  at          TEXT NOT NULL,"
    "  actor       TEXT NOT NULL,"
    "  reason      TEXT NOT NULL,"
    "  undone      INTEGER NOT NULL DEFAULT 0,"
    "  undone_at   TEXT NOT NULL DEFAULT '',"
    "  undone_by   TEXT NOT NULL DEFAULT '',"
    "  undo_reason TEXT NOT NULL DEFAULT ''"
    ");"

    "CREATE TABLE identity_link ("
    "  id         INTEGER PRIMARY KEY,"
    "  local_id   INTEGER NOT NULL REFERENCES local_identity(id),"
    "  ght_id     INTEGER NOT NULL REFERENCES ght_identity(id),"
    "  method     TEXT NOT NULL CHECK (method IN ('AUTO','MANUAL')),"
    "  state      TEXT NOT NULL CHECK (state IN ('ACTIVE','ENDED')),"
    "  merge_id   INTEGER REFERENCES identity_merge(id),"
    "  created_at TEXT NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  reason     TEXT NOT NULL,"
    "  ended_at   TEXT NOT NULL DEFAULT '',"
    "  ended_by   TEXT NOT NULL DEFAULT '',"
    "  end_reason TEXT NOT NULL DEFAULT ''"
    ");"
    /* A local identity belongs to exactly one GHT identity at a time. */
    "CREATE UNIQUE INDEX identity_link_active ON identity_link(local_id) WHERE state = 'ACTIVE';"
    "CREATE INDEX identity_link_ght ON identity_link(ght_id, state);"
    "CREATE INDEX identity_link_merge ON identity_link(merge_id) WHERE merge_id IS NOT NULL;"

    "CREATE TABLE history ("
    "  id          INTEGER PRIMARY KEY,"
    "  object_type TEXT NOT NULL,"
    "  object_id   INTEGER NOT NULL,"
    "  action      TEXT NOT NULL,"
    "  actor       TEXT NOT NULL,"
    "  at          TEXT NOT NULL,"
    "  reason      TEXT NOT NULL,"
    "  before_json TEXT,"
    "  after_json  TEXT"
    ");"
    "CREATE INDEX history_object ON history(object_type, object_id, id);"

    "CREATE TABLE audit ("
    "  seq         INTEGER PRIMARY KEY,"
    "  at          TEXT NOT NULL,"
    "  actor       TEXT NOT NULL,"
    "  role        TEXT NOT NULL,"
    "  action      TEXT NOT NULL,"
    "  object_type TEXT NOT NULL,"
    "  object_id   TEXT NOT NULL,"
    "  outcome     TEXT NOT NULL,"
    "  detail      TEXT NOT NULL,"
    "  prev_hash   TEXT NOT NULL,"
    "  hash        TEXT NOT NULL"
    ");"
    /* The application never rewrites the trail; the hash chain catches
     * whoever bypasses these triggers with direct access to the file. */
    "CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
    "CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
    "CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history"
    "  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"
    "CREATE TRIGGER history_append_only_delete BEFORE DELETE ON history"
    "  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;",

    /* 2: the journal of inbound interface messages. */
    "CREATE TABLE inbound_message ("
    "  id           INTEGER PRIMARY KEY,"
    "  received_at  TEXT NOT NULL,"
    "  channel      TEXT NOT NULL,"
    "  peer         TEXT NOT NULL,"
    "  sender       TEXT NOT NULL,"
    "  control_id   TEXT NOT NULL,"
    "  message_type TEXT NOT NULL,"
    "  raw          BLOB NOT NULL,"
    "  ack_code     TEXT NOT NULL CHECK (ack_code IN ('AA','AE','AR')),"
    "  ack          BLOB NOT NULL,"
    "  detail       TEXT NOT NULL"
    ");"
    /* Final answers key the journal: a repeat is answered from here. AR
     * invites the sender to retry, so it must not block the retry. */
    "CREATE UNIQUE INDEX inbound_message_key ON inbound_message(sender, control_id)"
    "  WHERE ack_code IN ('AA','AE') AND control_id <> '';"
    "CREATE INDEX inbound_message_received ON inbound_message(received_at);",

    /* 3: quality alerts for the identity cell. */
    "CREATE TABLE quality_alert ("
    "  id          INTEGER PRIMARY KEY,"
    "  raised_at   TEXT NOT NULL,"
    "  kind        TEXT NOT NULL,"
    "  local_id    INTEGER REFERENCES local_identity(id),"
    "  source      TEXT NOT NULL,"
    "  detail      TEXT NOT NULL,"
    "  closed_at   TEXT NOT NULL DEFAULT '',"
    "  closed_by   TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX quality_alert_open ON quality_alert(kind) WHERE closed_at = '';"
    "CREATE INDEX quality_alert_local ON quality_alert(local_id);",

    /* 4: merges of local identities sent by a source (PAM A40). */
    "CREATE TABLE local_merge ("
    "  id                INTEGER PRIMARY KEY,"
    "  survivor_local_id INTEGER NOT NULL REFERENCES local_identity(id),"
    "  absorbed_local_id INTEGER NOT NULL REFERENCES local_identity(id),"
    "  ght_merge_id      INTEGER REFERENCES identity_merge(id),"
    "  at                TEXT NOT NULL,"
    "  actor             TEXT NOT NULL,"
    "  reason            TEXT NOT NULL,"
    "  undone            INTEGER NOT NULL DEFAULT 0,"
    "  undone_at         TEXT NOT NULL DEFAULT '',"
    "  undone_by         TEXT NOT NULL DEFAULT ''"
    ");"
    /* A local identity is merged away at most once at a time. */
    "CREATE UNIQUE INDEX local_merge_absorbed ON local_merge(absorbed_local_id)"
    "  WHERE undone = 0;"
    "CREATE INDEX local_merge_survivor ON local_merge(survivor_local_id);",

    /* 5: stays and movements (IHE PAM ITI-31). Codes of locations are kept
     *    as sent; the structures they resolved to may be NULL. */
    "CREATE TABLE stay ("
    "  id                INTEGER PRIMARY KEY,"
    "  domain_id         INTEGER NOT NULL REFERENCES id_domain(id),"
    "  local_id          INTEGER NOT NULL REFERENCES local_identity(id),"
    "  visit_number      TEXT NOT NULL,"
    "  nda               TEXT NOT NULL,"
    "  class             TEXT NOT NULL,"
    "  status            TEXT NOT NULL"
    "    CHECK (status IN ('planned','in-progress','finished','cancelled')),"
    "  from_preadmission INTEGER NOT NULL,"
    "  on_leave          INTEGER NOT NULL,"
    "  admit_at          TEXT NOT NULL,"
    "  discharge_at      TEXT NOT NULL,"
    "  uf                TEXT NOT NULL,"
    "  room              TEXT NOT NULL,"
    "  bed               TEXT NOT NULL,"
    "  uf_id             INTEGER REFERENCES structure(id),"
    "  room_id           INTEGER REFERENCES structure(id),"
    "  bed_id            INTEGER REFERENCES structure(id),"
    "  medical_uf        TEXT NOT NULL,"
    "  version           INTEGER NOT NULL,"
    "  created_at        TEXT NOT NULL,"
    "  updated_at        TEXT NOT NULL,"
    "  UNIQUE (domain_id, visit_number)"
    ");"
    "CREATE INDEX stay_nda ON stay(domain_id, nda);"
    "CREATE INDEX stay_local ON stay(local_id);"

    "CREATE TABLE movement ("
    "  id               INTEGER PRIMARY KEY,"
    "  stay_id          INTEGER NOT NULL REFERENCES stay(id),"
    "  domain_id        INTEGER NOT NULL REFERENCES id_domain(id),"
    "  movement_id      TEXT NOT NULL,"
    "  movement_ns      TEXT NOT NULL,"
    "  trigger_event    TEXT NOT NULL,"
    "  action           TEXT NOT NULL CHECK (action IN ('INSERT','UPDATE','CANCEL')),"
    "  effective_at     TEXT NOT NULL,"
    "  historic         INTEGER NOT NULL,"
    "  original_trigger TEXT NOT NULL,"
    "  class            TEXT NOT NULL,"
    "  medical_uf       TEXT NOT NULL,"
    "  care_uf          TEXT NOT NULL,"
    "  nature           TEXT NOT NULL,"
    "  uf               TEXT NOT NULL,"
    "  room             TEXT NOT NULL,"
    "  bed              TEXT NOT NULL,"
    "  uf_id            INTEGER REFERENCES structure(id),"
    "  room_id          INTEGER REFERENCES structure(id),"
    "  bed_id           INTEGER REFERENCES structure(id),"
    "  state            TEXT NOT NULL CHECK (state IN ('active','cancelled')),"
    "  cancels          INTEGER REFERENCES movement(id),"
    "  created_at       TEXT NOT NULL,"
    "  updated_at       TEXT NOT NULL"
    ");"
    /* Movement ids are never reused in a domain (PAM FR): one INSERT each.
     * CANCEL rows repeat the id of the movement they cancel. */
    "CREATE UNIQUE INDEX movement_key ON movement(domain_id, movement_id)"
    "  WHERE action = 'INSERT';"
    "CREATE INDEX movement_stay ON movement(stay_id, effective_at, id);",

    /* 6: subscribers to identity notifications and their durable outbox,
     *    written in the transaction of the change it announces. */
    "CREATE TABLE subscriber ("
    "  id         INTEGER PRIMARY KEY,"
    "  name       TEXT NOT NULL UNIQUE,"
    "  host       TEXT NOT NULL,"
    "  port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),"
    "  active     INTEGER NOT NULL DEFAULT 1,"
    "  events     TEXT NOT NULL DEFAULT '',"
    "  ej_finess  TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE TABLE outbox ("
    "  id              INTEGER PRIMARY KEY,"
    "  subscriber_id   INTEGER REFERENCES subscriber(id) ON DELETE SET NULL,"
    "  subscriber      TEXT NOT NULL,"
    "  ght_id          INTEGER NOT NULL,"
    "  other_ght_id    INTEGER NOT NULL DEFAULT 0,"
    "  event           TEXT NOT NULL,"
    "  message_id      TEXT NOT NULL,"
    "  payload         TEXT NOT NULL,"
    "  created_at      TEXT NOT NULL,"
    "  state           TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),"
    "  attempts        INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at TEXT NOT NULL,"
    "  last_error      TEXT NOT NULL DEFAULT '',"
    "  sent_at         TEXT NOT NULL DEFAULT '',"
    "  ack             TEXT NOT NULL DEFAULT ''"
    ");"
    /* The sender's queue: the head of each (subscriber, patient) queue. */
    "CREATE INDEX outbox_pending ON outbox(subscriber_id, ght_id, id) WHERE state = 'pending';"
    "CREATE INDEX outbox_pending_other ON outbox(subscriber_id, other_ght_id, id)"
    "  WHERE state = 'pending' AND other_ght_id <> 0;"
    "CREATE INDEX outbox_state ON outbox(state, id);",

    /* 7: the searches of the query interfaces (PDQ): by used name as by
     *    birth name (local_identity_name), and by birth date alone. */
    "CREATE INDEX local_identity_used_name ON local_identity(norm_used_name, birth_date);"
    "CREATE INDEX local_identity_birth_date ON local_identity(birth_date);",

    /* 8: the reads of the FHIR interface: the identities merged into one
     *    (Patient.link replaces), stays by status. */
    "CREATE INDEX ght_identity_merged_into ON ght_identity(merged_into)"
    "  WHERE merged_into IS NOT NULL;"
    "CREATE INDEX stay_status ON stay(status);",

    /* 9: real-time identity matching. match_key: the blocking keys of each
     *    local identity (64-bit hashes from match/blocking.h, one row per
     *    pass that applies), rewritten with every create/update; the
     *    candidates of an incoming identity are the rows of its keys.
     *    match_model: the persisted Fellegi-Sunter model (one row).
     *    review_task: the pairs the engine was unsure of, for the identity
     *    cell, with their decision. Identities stored before this version
     *    get their keys from `socle match train` (it re-indexes). */
    "CREATE TABLE match_key ("
    "  key      INTEGER NOT NULL,"
    "  local_id INTEGER NOT NULL REFERENCES local_identity(id),"
    "  PRIMARY KEY (key, local_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX match_key_local ON match_key(local_id);"
    "CREATE TABLE match_model ("
    "  id         INTEGER PRIMARY KEY CHECK (id = 1),"
    "  model_json TEXT NOT NULL,"
    "  trained_at TEXT NOT NULL"
    ");"
    "CREATE TABLE review_task ("
    "  id           INTEGER PRIMARY KEY,"
    "  local_a      INTEGER NOT NULL REFERENCES local_identity(id),"
    "  local_b      INTEGER NOT NULL REFERENCES local_identity(id),"
    "  ght_a        INTEGER NOT NULL,"
    "  ght_b        INTEGER NOT NULL,"
    "  domain_a     INTEGER NOT NULL,"
    "  domain_b     INTEGER NOT NULL,"
    "  score        REAL NOT NULL,"
    "  reason       TEXT NOT NULL,"
    "  explanation  TEXT NOT NULL,"
    "  status       TEXT NOT NULL CHECK (status IN"
    "               ('open','later','merged','not_duplicate','obsolete')),"
    "  created_at   TEXT NOT NULL,"
    "  created_by   TEXT NOT NULL,"
    "  decided_at   TEXT NOT NULL DEFAULT '',"
    "  decided_by   TEXT NOT NULL DEFAULT '',"
    "  comment      TEXT NOT NULL DEFAULT '',"
    "  merge_id     INTEGER NOT NULL DEFAULT 0,"
    "  CHECK (local_a < local_b)"
    ");"
    "CREATE INDEX review_task_pair ON review_task(local_a, local_b, id);"
    "CREATE INDEX review_task_b ON review_task(local_b);"
    "CREATE INDEX review_task_status ON review_task(status, score DESC, id);",
    /* 10: the workbench's local accounts and their sessions. Passwords are
     *    argon2id encoded strings (parameters inside); a session is kept by
     *    the SHA-256 of its token, never the token itself. Times that are
     *    compared (lock-out, expiry) are seconds since the epoch. */
    "CREATE TABLE app_user ("
    "  id              INTEGER PRIMARY KEY,"
    "  login           TEXT NOT NULL UNIQUE,"
    "  password_hash   TEXT NOT NULL,"
    "  role            TEXT NOT NULL,"
    "  establishments  TEXT NOT NULL DEFAULT '',"
    "  failed_attempts INTEGER NOT NULL DEFAULT 0,"
    "  locked_until    INTEGER NOT NULL DEFAULT 0,"
    "  active          INTEGER NOT NULL DEFAULT 1,"
    "  created_at      TEXT NOT NULL"
    ");"
    "CREATE TABLE web_session ("
    "  id          INTEGER PRIMARY KEY,"
    "  token_hash  TEXT NOT NULL UNIQUE,"
    "  user_id     INTEGER NOT NULL REFERENCES app_user(id),"
    "  csrf        TEXT NOT NULL,"
    "  created_at  INTEGER NOT NULL,"
    "  expires_at  INTEGER NOT NULL,"
    "  last_seen   INTEGER NOT NULL"
    ");"
    "CREATE INDEX web_session_user ON web_session(user_id);"
    "CREATE INDEX web_session_expires ON web_session(expires_at);",

    /* 11: the workbench's reads: dashboard counts by establishment and
     *     status (an index-only scan), merges, unmerges and movements by
     *     day, and the audit trail searched by actor, action, object and
     *     date (seq in the keys: newest first). The beds held by stays are
     *     found through stay_status (migration 8). */
    "CREATE INDEX local_identity_domain_status ON local_identity(domain_id, status);"
    "CREATE INDEX identity_merge_at ON identity_merge(at);"
    "CREATE INDEX identity_merge_undone_at ON identity_merge(undone_at) WHERE undone = 1;"
    "CREATE INDEX movement_effective ON movement(effective_at)"
    "  WHERE action = 'INSERT' AND state = 'active';"
    "CREATE INDEX audit_actor ON audit(actor, seq);"
    "CREATE INDEX audit_object ON audit(object_type, object_id, seq);"
    "CREATE INDEX audit_action ON audit(action, seq);"
    "CREATE INDEX audit_at ON audit(at);",
    /* 12: the occupancy of beds (FHIR Location.operationalStatus): the
     *     stays in progress by their current bed. */
    "CREATE INDEX stay_bed ON stay(bed_id) WHERE status = 'in-progress';",

    /* 13: the professional directory (RPPS/ADELI extract) and the roles
     *     of the professionals in the group's establishments. */
    "CREATE TABLE professional ("
    "  id          INTEGER PRIMARY KEY,"
    "  id_type     TEXT NOT NULL CHECK (id_type IN ('RPPS','ADELI')),"
    "  id_value    TEXT NOT NULL,"
    "  civility    TEXT NOT NULL,"
    "  family      TEXT NOT NULL,"
    "  given       TEXT NOT NULL,"
    "  norm_family TEXT NOT NULL,"
    "  norm_given  TEXT NOT NULL,"
    "  version     INTEGER NOT NULL,"
    "  updated_at  TEXT NOT NULL,"
    "  UNIQUE (id_type, id_value)"
    ");"
    "CREATE INDEX professional_value ON professional(id_value);"
    "CREATE INDEX professional_family ON professional(norm_family);"
    "CREATE TABLE professional_role ("
    "  id               INTEGER PRIMARY KEY,"
    "  professional_id  INTEGER NOT NULL REFERENCES professional(id),"
    "  ej_id            INTEGER NOT NULL REFERENCES structure(id),"
    "  profession_code  TEXT NOT NULL,"
    "  profession_label TEXT NOT NULL,"
    "  specialty_code   TEXT NOT NULL,"
    "  specialty_label  TEXT NOT NULL,"
    "  role             TEXT NOT NULL,"
    "  UNIQUE (professional_id, ej_id, profession_code, specialty_code, role)"
    ");"
    "CREATE INDEX professional_role_ej ON professional_role(ej_id);",

    /* 14: the versions of each patient (FHIR vread and history): one row per
     *    change of a GHT identity's view, numbered from 1, with the
     *    snapshot core/identity_version.c writes. Identities that existed
     *    before get version 1 without a snapshot (their state then is their
     *    current state until they change). */
    "CREATE TABLE patient_version ("
    "  ght_id   INTEGER NOT NULL REFERENCES ght_identity(id),"
    "  version  INTEGER NOT NULL,"
    "  at       TEXT NOT NULL,"
    "  snapshot TEXT,"
    "  PRIMARY KEY (ght_id, version)"
    ") WITHOUT ROWID;"
    "INSERT INTO patient_version(ght_id, version, at, snapshot)"
    "  SELECT id, 1, updated_at, NULL FROM ght_identity;",

    /* 15: real-time matching latency. match_model.generation grows with
     *     every save, so a handle can keep the parsed model and know when
     *     it is stale (trained_at may repeat within a second).
     *     match_record: the normalised matching record of each local
     *     identity (bytes opaque to the store, written by core/ beside the
     *     blocking keys, in the same transaction), so the candidates are
     *     read with their keys in one query, without reading each identity
     *     back nor normalising it again. Identities stored before this
     *     version have none until `socle match train` re-indexes: core/
     *     then reads and normalises them as before. */
    "ALTER TABLE match_model ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;"
    "CREATE TABLE match_record ("
    "  local_id  INTEGER PRIMARY KEY REFERENCES local_identity(id),"
    "  domain_id INTEGER NOT NULL,"
    "  rec       BLOB NOT NULL"
    ");",

    /* 16: a search by birth date and name (FHIR family + birthdate, PDQ)
     *     is answered from this index alone: the birth date narrows it to
     *     a few dozen entries whose names are checked there, without a
     *     table row read for each. It covers what the birth-date index did. */
    "CREATE INDEX local_identity_birth_names"
    "  ON local_identity(birth_date, norm_birth_name, norm_used_name);"
    "DROP INDEX local_identity_birth_date;",

    /* 17: FHIR _lastUpdated: patients by the time of their versions, stays
     *     by the time of their last change. */
    "CREATE INDEX patient_version_at ON patient_version(at);"
    "CREATE INDEX stay_updated ON stay(updated_at);",

    /* 18: real-time matching latency. The candidates of an incoming
     *    identity are a few hundred scattered local identities, each
     *    wanting the GHT identity of its active link: this index answers
     *    from its own pages (some 70 entries per page) instead of one
     *    link row (some 5 per page) per candidate. It also serves the
     *    links of a local identity (store_link_foreach_local), which had
     *    no index but the partial one on active links. */
    "CREATE INDEX identity_link_local ON identity_link(local_id, state, ght_id);",

    /* 19: term frequencies for the real-time score (written by `socle
     *     match train` with the model): (kind, key, count) triples opaque
     *     to the store (core/ and match/ give them meaning, totals
     *     included), read by (kind, key) a few at a time. */
    "CREATE TABLE match_freq ("
    "  kind  INTEGER NOT NULL,"
    "  key   INTEGER NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, key)"
    ") WITHOUT ROWID;",
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

static int read_user_version(store *st, int *version, socle_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK
        || sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return sq_fail(st, err, "read schema version");
    }
    *version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return 0;
}

static int run_migration(store *st, int index, socle_err *err)
{
    char *msg = NULL;
    char bump[64];
    snprintf(bump, sizeof bump, "PRAGMA user_version = %d", index + 1);

    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    /* Another process (a server and an admin command starting together)
     * may have run this migration while we waited for the write lock. */
    int current;
    if (read_user_version(st, &current, err) != 0) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (current > index)
        return sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    if (sqlite3_exec(st->db, migrations[index], NULL, NULL, &msg) != SQLITE_OK)
        goto fail_rollback;
    if (sqlite3_exec(st->db, bump, NULL, NULL, &msg) != SQLITE_OK)
        goto fail_rollback;
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        goto fail_rollback;
    return 0;

fail_rollback:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
fail:
    err_set(err, (sqlite3_errcode(st->db) == SQLITE_BUSY) ? SOCLE_EBUSY : SOCLE_EIO,
            "migration to schema version %d failed: %s", index + 1,
            msg ? msg : sqlite3_errmsg(st->db));
    sqlite3_free(msg);
    return -1;
}

int sq_migrate(store *st, socle_err *err)
{
    int version;
    if (read_user_version(st, &version, err) != 0)
        return -1;
    if (version > MIGRATION_COUNT)
        return err_set(err, SOCLE_EIO,
                       "schema version %d is newer than this socle (%d): upgrade socle",
                       version, MIGRATION_COUNT);
    while (version < MIGRATION_COUNT) {
        if (run_migration(st, version, err) != 0)
            return -1;
        /* Another process may have migrated concurrently: re-read. */
        if (read_user_version(st, &version, err) != 0)
            return -1;
    }
    st->schema_version = version;
    return 0;
}
