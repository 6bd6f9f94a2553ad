/*
 * audit.h - the access trace: an append-only, hash-chained record of every
 * write and every read of patient data.
 *
 * hash(n) = SHA-256 over record n's fields (each length-prefixed, so no two
 * different records serialise alike) followed by hash(n-1); the first record
 * chains to 64 '0'. Altering, removing or reordering any record breaks every
 * hash after it, which audit_verify finds.
 */
#ifndef SOCLE_AUDIT_AUDIT_H
#define SOCLE_AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

/* Compute rec->hash from its fields and rec->prev_hash. */
void audit_hash(audit_record *rec);

/* Append a record inside the caller's open store transaction: sets seq, at,
 * prev_hash and hash. Fields left empty: outcome defaults to "success". */
int audit_append(struct store *st, audit_record *rec, socle_err *err);

/* Convenience: fill and append one record for actor. object_id may be NULL. */
int audit_log(struct store *st, const socle_actor *actor, const char *action,
              const char *object_type, const char *object_id,
              const char *outcome, const char *detail, socle_err *err);

typedef struct audit_verify_result {
    int64_t records;       /* records checked */
    int64_t first_broken;  /* seq of the first broken record, 0 if intact */
    char reason[256];      /* why it is broken */
} audit_verify_result;

/* Walk the whole chain. Returns 0 when the walk completed (intact or not:
 * see res->first_broken), -1 on a storage error. */
int audit_verify(struct store *st, audit_verify_result *res, socle_err *err);

/* ---- Reads of the trail (FHIR AuditEvent), themselves audited ----------- */

struct store_audit_query;

#define AUDIT_SEARCH_MAX 100

/* One record by seq: 1 found, 0 not, -1 error; appends an "audit.read"
 * record (after reading, so the record read is never the read itself). */
int audit_read_in_tx(struct store *st, const socle_actor *actor, int64_t seq,
                     audit_record *out, socle_err *err);

/* At most max (<= AUDIT_SEARCH_MAX) matching records into out, *total as
 * store_audit_search (NULL: not counted); appends an "audit.search"
 * record naming the criteria used (criteria_names, may be NULL). */
int audit_search_in_tx(struct store *st, const socle_actor *actor,
                       const struct store_audit_query *q, size_t max, audit_record *out,
                       size_t *n, int64_t *total, const char *criteria_names, socle_err *err);

#endif
