/*
 * audit.c - hashing, appending and verifying the access trace.
 */
#include "audit/audit.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

static const char zero_hash[AUDIT_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Each field goes in as "<length>:<bytes>;" so that moving bytes from one
 * field to the next changes the digest. */
static void digest_field(buf *in, const char *s)
{
    /* "%zu:" by hand: snprintf was most of the cost of the whole hash. */
    char len[24];
    size_t n = strlen(s), k = sizeof len;
    len[--k] = ':';
    size_t v = n;
    do {
        len[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    buf_append(in, len + k, sizeof len - k);
    buf_append(in, s, n);
    buf_putc(in, ';');
}

void audit_hash(audit_record *rec)
{
    char seq[24];
    snprintf(seq, sizeof seq, "%" PRId64, rec->seq);

    /* The fields gathered, then digested in one call: the same bytes as
     * one update per piece, at a third of the cost (every stored change
     * appends a record). */
    buf in = {0};
    digest_field(&in, seq);
    digest_field(&in, rec->at);
    digest_field(&in, rec->actor);
    digest_field(&in, rec->role);
    digest_field(&in, rec->action);
    digest_field(&in, rec->object_type);
    digest_field(&in, rec->object_id);
    digest_field(&in, rec->outcome);
    digest_field(&in, rec->detail);
    digest_field(&in, rec->prev_hash);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outlen = 0;
    if (EVP_Digest(in.data, in.len, out, &outlen, EVP_sha256(), NULL) != 1)
        abort();  /* only memory can fail */
    buf_free(&in);

    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < outlen && 2 * i + 1 < AUDIT_HASH_HEX; i++) {
        rec->hash[2 * i] = hex[out[i] >> 4];
        rec->hash[2 * i + 1] = hex[out[i] & 0xf];
    }
    rec->hash[AUDIT_HASH_HEX - 1] = '\0';
}

int audit_append(store *st, audit_record *rec, socle_err *err)
{
    /* Appending outside the caller's transaction would let the trace and
     * the change it records diverge. */
    if (!store_in_transaction(st))
        return err_set(err, SOCLE_EINTERNAL, "audit_append outside a transaction");
    if (rec->at[0] == '\0')
        time_now_iso(rec->at);  /* when it happened, not when it is written */
    if (rec->outcome[0] == '\0')
        str_copy(rec->outcome, sizeof rec->outcome, "success");
    /* A reader cannot write: its caller appends what it held (store.h). */
    if (store_is_reader(st))
        return store_audit_hold(st, rec, err);

    audit_record last;
    int found = store_audit_last(st, &last, err);
    if (found < 0)
        return -1;
    rec->seq = found ? last.seq + 1 : 1;
    memcpy(rec->prev_hash, found ? last.hash : zero_hash, AUDIT_HASH_HEX);
    audit_hash(rec);
    return store_audit_insert(st, rec, err);
}

int audit_append_held(store *st, audit_record *recs, size_t n, socle_err *err)
{
    if (store_is_reader(st))
        return err_set(err, SOCLE_EINTERNAL, "held audit records appended on a reader");
    for (size_t i = 0; i < n; i++)
        if (audit_append(st, &recs[i], err) != 0)
            return -1;
    return 0;
}

int audit_log(store *st, const socle_actor *actor, const char *action,
              const char *object_type, const char *object_id, const char *outcome,
              const char *detail, socle_err *err)
{
    audit_record rec;
    memset(&rec, 0, sizeof rec);
    str_copy(rec.actor, sizeof rec.actor, actor ? actor->id : "");
    str_copy(rec.role, sizeof rec.role, actor ? actor->role : "");
    str_copy(rec.action, sizeof rec.action, action);
    str_copy(rec.object_type, sizeof rec.object_type, object_type ? object_type : "");
    str_copy(rec.object_id, sizeof rec.object_id, object_id ? object_id : "");
    str_copy(rec.outcome, sizeof rec.outcome, outcome ? outcome : "");
    str_copy(rec.detail, sizeof rec.detail, detail ? detail : "");
    return audit_append(st, &rec, err);
}

typedef struct verify_walk {
    audit_verify_result *res;
    int64_t expected_seq;
    char prev_hash[AUDIT_HASH_HEX];
} verify_walk;

static int verify_one(const audit_record *rec, void *ctx)
{
    verify_walk *w = ctx;
    audit_verify_result *res = w->res;
    res->records++;

    if (rec->seq != w->expected_seq) {
        res->first_broken = w->expected_seq;
        snprintf(res->reason, sizeof res->reason,
                 "record %" PRId64 " is missing (next record is %" PRId64 ")",
                 w->expected_seq, rec->seq);
        return 1;
    }
    if (strcmp(rec->prev_hash, w->prev_hash) != 0) {
        res->first_broken = rec->seq;
        snprintf(res->reason, sizeof res->reason,
                 "previous-hash link does not match record %" PRId64, rec->seq - 1);
        return 1;
    }
    audit_record copy = *rec;
    audit_hash(&copy);
    if (strcmp(copy.hash, rec->hash) != 0) {
        res->first_broken = rec->seq;
        snprintf(res->reason, sizeof res->reason,
                 "content does not match its hash (record altered)");
        return 1;
    }
    memcpy(w->prev_hash, rec->hash, AUDIT_HASH_HEX);
    w->expected_seq++;
    return 0;
}

/* Verify the records from from_seq on, the first chaining to prev_hash. */
static int verify_from(store *st, int64_t from_seq, const char *prev_hash,
                       audit_verify_result *res, socle_err *err)
{
    memset(res, 0, sizeof *res);
    verify_walk w = { .res = res, .expected_seq = from_seq };
    memcpy(w.prev_hash, prev_hash, AUDIT_HASH_HEX);
    return store_audit_foreach(st, from_seq, verify_one, &w, err);
}

int audit_verify(store *st, audit_verify_result *res, socle_err *err)
{
    return verify_from(st, 1, zero_hash, res, err);
}

/* ---- The chain's state for display ------------------------------------ */

#define META_SEQ "audit.verified_seq"
#define META_HASH "audit.verified_hash"
#define META_FULL "audit.verified_full_at"

#define META_BROKEN_SEQ "audit.broken_seq"
#define META_BROKEN_WHY "audit.broken_reason"

/* Keep the first break found for the quick checks after it. Not being
 * able to write it (the database busy) leaves the next full check to find
 * it again: reported now all the same. */
static void remember_break(store *st, const audit_chain_state *cs)
{
    char text[32];
    socle_err ignored;
    snprintf(text, sizeof text, "%" PRId64, cs->first_broken);
    if (store_meta_set(st, META_BROKEN_SEQ, text, &ignored) == 0)
        store_meta_set(st, META_BROKEN_WHY, cs->reason, &ignored);
}

static int first_record(const audit_record *rec, void *ctx)
{
    *(audit_record *)ctx = *rec;
    return 1;
}

/* Where the last intact check ended: 1 with seq and hash, 0 none. */
static int checkpoint(store *st, int64_t last_seq, int64_t *seq, char hash[AUDIT_HASH_HEX],
                      socle_err *err)
{
    char text[32];
    int found = store_meta_get(st, META_SEQ, text, sizeof text, err);
    if (found <= 0)
        return found;
    *seq = strtoll(text, NULL, 10);
    if ((found = store_meta_get(st, META_HASH, hash, AUDIT_HASH_HEX, err)) <= 0)
        return found;
    /* A trail shorter than the checkpoint lost records: walk it all. */
    return *seq > 0 && *seq <= last_seq && strlen(hash) == AUDIT_HASH_HEX - 1;
}

int audit_chain_check(store *st, int full, audit_chain_state *out, socle_err *err)
{
    memset(out, 0, sizeof *out);
    time_now_iso(out->checked_at);
    audit_record last;
    int found = store_audit_last(st, &last, err);
    if (found < 0)
        return -1;
    out->last_seq = found ? last.seq : 0;
    if (store_meta_get(st, META_FULL, out->last_full_at, sizeof out->last_full_at, err) < 0)
        return -1;

    /* A break found once stays: the trail is append-only, nothing mends
     * it, and a quick check starting after it would not see it again. */
    char text[32];
    int found_break = store_meta_get(st, META_BROKEN_SEQ, text, sizeof text, err);
    if (found_break < 0)
        return -1;
    if (found_break && !full) {
        out->first_broken = strtoll(text, NULL, 10);
        out->verified_to = out->first_broken - 1;
        out->from_seq = 1;
        if (store_meta_get(st, META_BROKEN_WHY, out->reason, sizeof out->reason, err) < 0)
            return -1;
        return 0;
    }

    int64_t seq = 0;
    char hash[AUDIT_HASH_HEX] = "";
    int quick = 0;
    if (!full && (quick = checkpoint(st, out->last_seq, &seq, hash, err)) < 0)
        return -1;
    out->full = !quick;
    audit_verify_result res;
    if (quick) {
        audit_record at = {0};
        if (store_audit_foreach(st, seq, first_record, &at, err) != 0)
            return -1;
        if (at.seq != seq || strcmp(at.hash, hash) != 0) {
            out->from_seq = seq;
            out->first_broken = seq;
            out->verified_to = seq - 1;
            snprintf(out->reason, sizeof out->reason,
                     "record %" PRId64 " changed since it was verified (the chain was "
                     "rewritten)", seq);
            remember_break(st, out);
            return 0;
        }
        out->from_seq = seq + 1;
        if (verify_from(st, seq + 1, hash, &res, err) != 0)
            return -1;
    } else {
        out->from_seq = 1;
        if (verify_from(st, 1, zero_hash, &res, err) != 0)
            return -1;
    }
    out->first_broken = res.first_broken;
    out->verified_to = res.first_broken ? res.first_broken - 1 : out->last_seq;
    str_copy(out->reason, sizeof out->reason, res.reason);
    if (res.first_broken) {
        remember_break(st, out);
        return 0;
    }
    if (out->last_seq == 0)
        return 0;

    /* Remember where this check ended. A failure here (the database busy)
     * costs the next check time only, so it is not the caller's failure. */
    snprintf(text, sizeof text, "%" PRId64, last.seq);
    socle_err ignored;
    if (store_meta_set(st, META_SEQ, text, &ignored) == 0
        && store_meta_set(st, META_HASH, last.hash, &ignored) == 0 && out->full
        && store_meta_set(st, META_FULL, out->checked_at, &ignored) == 0)
        str_copy(out->last_full_at, sizeof out->last_full_at, out->checked_at);
    return 0;
}
