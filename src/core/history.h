/*
 * history.h - the history of every change of a domain object: one entry
 * per change, with the object's state before and after as JSON
 * (snapshot.h), who made it, when and why. Written by every core command
 * inside its transaction; append-only in the store.
 */
#ifndef SOCLE_CORE_HISTORY_H
#define SOCLE_CORE_HISTORY_H

#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

/* Append an entry for (object_type, object_id). Takes ownership of the two
 * JSON strings (either may be NULL: created / deleted) and frees them. */
int history_record(struct store *st, const socle_actor *actor, const char *object_type,
                   int64_t object_id, const char *action, const char *reason,
                   char *before_json, char *after_json, socle_err *err);

#endif
