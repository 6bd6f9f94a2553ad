/*
 * snapshot.h - the state of a domain object as a JSON document, for the
 * before/after of history entries. Results are owned by the caller (free()).
 */
#ifndef SOCLE_CORE_SNAPSHOT_H
#define SOCLE_CORE_SNAPSHOT_H

#include "core/model.h"

char *snapshot_structure(const structure_node *n);
char *snapshot_local(const local_identity *li);
char *snapshot_ght(const ght_identity *g);
char *snapshot_link(const identity_link *l);
/* Versions and timestamps are left out, so equal snapshots mean no change. */
char *snapshot_stay(const stay_record *s);
char *snapshot_movement(const movement *m);
/* A review task, without its explanation (kept in the task itself). */
char *snapshot_review(const review_task *t);

#endif
