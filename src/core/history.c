/*
 * history.c - the history of every change of a domain object (history.h).
 */
#include "core/history.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

int history_record(struct store *st, const socle_actor *actor, const char *object_type,
                   int64_t object_id, const char *action, const char *reason,
                   char *before_json, char *after_json, socle_err *err)
{
    history_entry h;
    memset(&h, 0, sizeof h);
    str_copy(h.object_type, sizeof h.object_type, object_type);
    h.object_id = object_id;
    str_copy(h.action, sizeof h.action, action);
    str_copy(h.actor, sizeof h.actor, actor->id);
    time_now_iso(h.at);
    str_copy(h.reason, sizeof h.reason, reason ? reason : "");
    h.before_json = before_json;
    h.after_json = after_json;
    int rc = store_history_append(st, &h, err);
    free(before_json);
    free(after_json);
    return rc;
}
