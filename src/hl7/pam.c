/*
 * pam.c - the IHE PAM France inbound interface (pam.h): one message in,
 * its acknowledgment out, journaled in the same transaction as the change.
 *
 * The steps, in order, each able to end the message with an answer:
 *
 *   parse (er7)             unreadable               AR 100
 *   header (ack.h)          MSH-9..12 missing/bad    AR 101/202/203
 *   MSH-15/16               not in table 0155        AR 103
 *   sender key              MSH-3^MSH-4, MSH-10 too long or with a NUL
 *                                                    AR 102
 *   journal lookup          (sender, MSH-10) answered AA/AE before: the
 *                           stored ACK again, byte for byte; nothing is
 *                           applied nor journaled a second time
 *   MSH-9                   no handler for the type AR 200, for the
 *                           trigger AR 201 (see the events table)
 *   the event's handler     its own answers (pam_patient.c, ...): AE for
 *                           content, AR for a store failure, else AA with
 *                           the warnings as ERR segments (W)
 *
 * Choices this file makes (the specifications leave them open):
 *
 *  - Processing ids D and T are applied like P: ack.h accepts the three,
 *    and a test interface is expected to point at a test data dir.
 *  - Dedupe: a byte-identical repeat gets the stored ACK; another message
 *    under an answered control id gets AE 205 (journaled unkeyed). The
 *    sender key is MSH-3^MSH-4 exactly as sent (raw bytes, escapes and all).
 *  - An INS the sender asserted but that cannot be kept (refused by the
 *    mapping or by core/) raises a quality alert "invalid_ins" for the
 *    identity cell, in the same transaction as the identity.
 *  - Acknowledgment modes. One reply per message, on the connection it
 *    came on (MLLP has no other way back to the sender). Original mode:
 *    the application ACK. Enhanced mode: the application ACK when MSH-16
 *    asks for one with this outcome; else the commit ACK when MSH-15 asks
 *    for one (CA once the message is journaled, AE outcomes included, as
 *    the message was safely received; CR with the errors for a refusal);
 *    else nothing. The reply sent, possibly empty, is what the journal
 *    keeps, so a repeat gets the same bytes.
 *  - Texts in ERRs and journal details name fields and codes, never a
 *    patient's traits. The one exception is the warning of core/ about an
 *    INS held by another identity, which quotes the INS the sender itself
 *    sent; it only goes back to that sender.
 */
#include "hl7/pam.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/model.h"
#include "hl7/ack.h"
#include "hl7/er7.h"
#include "hl7/pam_job.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/random_id.h"

/* ---- Building the answer --------------------------------------------- */

void pam_add_error(pam_job *j, er7_loc where, ack_errcode code, ack_severity sev,
                      const char *text)
{
    if (j->n_errors == PAM_JOB_ERRORS)
        return;   /* issues are capped upstream; this bounds our own few */
    ack_error *e = &j->errors[j->n_errors++];
    e->where = where;
    e->code = code;
    e->severity = sev;
    e->text = text;
}

void pam_add_errorf(pam_job *j, er7_loc where, ack_errcode code, ack_severity sev,
                       const char *fmt, ...)
{
    if (j->n_texts == PAM_JOB_TEXTS)
        return;
    char *t = j->texts[j->n_texts++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t, PAM_JOB_TEXT_MAX, fmt, ap);
    va_end(ap);
    pam_add_error(j, where, code, sev, t);
}

er7_loc pam_loc(const pam_job *j, const char *seg, size_t seg_index, size_t field,
                   size_t rep, size_t comp)
{
    if (j->m != NULL && seg_index != ER7_NONE)
        return er7_location(j->m, seg_index, field, rep, comp, 0);
    er7_loc l = {{0}, 1, field, rep, comp, 0};
    memcpy(l.seg_id, seg, 3);
    return l;
}

static er7_loc msh(const pam_job *j, size_t field, size_t comp)
{
    return pam_loc(j, "MSH", 0, field, comp ? 1 : 0, comp);
}

void pam_reject(pam_job *j, ack_code code, er7_loc where, ack_errcode err,
                   const char *text)
{
    j->code = code;
    pam_add_errorf(j, where, err, ACK_SEV_ERROR, "%s", text);
}

/* A failure of ours (store, bug): the sender should try again later. */
void pam_retry_later(pam_job *j, const socle_err *e)
{
    int busy = e->code == SOCLE_EBUSY || e->code == SOCLE_ECONFLICT;
    er7_loc none = {{0}, 0, 0, 0, 0, 0};
    j->code = ACK_AR;
    pam_add_error(j, none, busy ? ACK_ERR_RECORD_LOCKED : ACK_ERR_INTERNAL, ACK_SEV_ERROR,
              busy ? "Record locked, retry later" : "Internal error, retry later");
    snprintf(j->detail, sizeof j->detail, "not processed: %s", e->msg);
}

void pam_add_issues(pam_job *j, const pam_issues *issues)
{
    for (size_t i = 0; i < issues->count; i++) {
        const pam_issue *is = &issues->items[i];
        pam_add_error(j, is->where, (ack_errcode)is->hl7_code,
                      is->severity == PAM_ISSUE_ERROR ? ACK_SEV_ERROR : ACK_SEV_WARNING,
                      is->text);
    }
    if (issues->dropped > 0) {
        er7_loc none = {{0}, 0, 0, 0, 0, 0};
        pam_add_errorf(j, none, ACK_ERR_OK, ACK_SEV_INFO, "%zu further problems not listed",
                       issues->dropped);
    }
}

void pam_core_refused(pam_job *j, const socle_err *e, er7_loc where)
{
    switch (e->code) {
    case SOCLE_ENOTFOUND:
        pam_reject(j, ACK_AE, where, ACK_ERR_UNKNOWN_KEY, e->msg);
        break;
    case SOCLE_ERULE:
    case SOCLE_EINVAL:
        pam_reject(j, ACK_AE, where, ACK_ERR_INTERNAL, e->msg);
        break;
    default:
        pam_retry_later(j, e);
        break;
    }
}

void pam_actor(const pam_job *j, socle_actor *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "hl7:%s", j->sender);
    str_copy(out->role, sizeof out->role, "flux");
}

static int build(const pam_job *j, ack_code code, int with_errors, buf *out, socle_err *err)
{
    char control[17];
    random_hex_id(control, 8);
    ack_params p = {
        .code = code,
        .errors = with_errors ? j->errors : NULL,
        .n_errors = with_errors ? j->n_errors : 0,
        .app = j->cfg->app,
        .facility = j->cfg->facility,
        .control_id = control,
        .now = time(NULL),
    };
    return ack_build(j->m, &p, out, err);
}

/* The reply the sender asked for with this outcome (see the top). */
static int render(const pam_job *j, buf *out, socle_err *err)
{
    if (j->has_reply && j->code != ACK_AR) {
        (void)err;
        buf_append(out, j->reply.data, j->reply.len);
        return 0;
    }
    if (ack_send_application(&j->mode, j->code))
        return build(j, j->code, 1, out, err);
    ack_code commit = j->code == ACK_AR ? ACK_CR : ACK_CA;
    if (ack_send_commit(&j->mode, commit))
        return build(j, commit, commit == ACK_CR, out, err);
    return 0;
}

/* ---- Journal ---------------------------------------------------------- */

static int journal(pam_job *j, const buf *ack, socle_err *err)
{
    if (j->detail[0] == '\0') {
        const ack_error *first = NULL;
        for (size_t i = 0; i < j->n_errors && first == NULL; i++)
            if (j->errors[i].severity == ACK_SEV_ERROR)
                first = &j->errors[i];
        if (first != NULL)
            snprintf(j->detail, sizeof j->detail, "%d: %s", (int)first->code,
                     first->text ? first->text : "");
    }
    inbound_message im;
    memset(&im, 0, sizeof im);
    time_now_iso(im.received_at);
    str_copy(im.channel, sizeof im.channel, "mllp");
    str_copy(im.peer, sizeof im.peer, j->peer ? j->peer : "");
    str_copy(im.sender, sizeof im.sender, j->sender);
    str_copy(im.control_id, sizeof im.control_id, j->control_id);
    str_copy(im.message_type, sizeof im.message_type, j->type);
    im.raw = j->raw;
    im.raw_len = j->len;
    str_copy(im.ack_code, sizeof im.ack_code, ack_code_name(j->code));
    im.ack = buf_cstr(ack);
    im.ack_len = ack->len;
    str_copy(im.detail, sizeof im.detail, j->detail);
    return store_inbound_insert(j->st, &im, err);
}

/*
 * Answer and journal. An AA arrives with its transaction still open and is
 * journaled in it; AE and AR roll back whatever was done and journal in a
 * transaction of their own. The reply is handed out only after the commit.
 */
static int finish(pam_job *j, buf *ack_out, socle_err *err)
{
    buf ack = {0};
    socle_err e;
    err_clear(&e);
    if (j->code != ACK_AA)
        store_rollback(j->st);
    if (render(j, &ack, &e) == 0
        && (j->code == ACK_AA || store_begin(j->st, &e) == 0)
        && journal(j, &ack, &e) == 0 && store_commit(j->st, &e) == 0) {
        if (ack.len > 0)
            buf_append(ack_out, ack.data, ack.len);
        buf_free(&ack);
        return 0;
    }

    /* Nothing was kept: tell the sender to try again, if we can. */
    store_rollback(j->st);
    buf_free(&ack);
    j->n_errors = 0;
    j->n_texts = 0;
    pam_retry_later(j, &e);
    render(j, ack_out, NULL);
    return err_set(err, e.code, "journal: %s", e.msg);
}

/* ---- The message ------------------------------------------------------ */

/* Copy a received value as sent; -1 when it does not fit or holds a NUL
 * (the journal keys are C strings). */
static int copy_raw(char *dst, size_t n, er7_slice a, const char *sep, er7_slice b)
{
    size_t seplen = sep ? strlen(sep) : 0;
    size_t total = a.len + seplen + b.len;
    if (total >= n || memchr(a.ptr, '\0', a.len) || memchr(b.ptr, '\0', b.len))
        return -1;
    memcpy(dst, a.ptr, a.len);
    if (seplen)
        memcpy(dst + a.len, sep, seplen);
    memcpy(dst + a.len + seplen, b.ptr, b.len);
    dst[total] = '\0';
    return 0;
}

/* The messages this interface applies, by MSH-9.1 and MSH-9.2. */
typedef struct pam_event {
    const char *type;
    const char *trigger;
    pam_event_fn apply;
} pam_event;

static const pam_event events[] = {
    {"ADT", "A28", pam_patient_create},
    {"ADT", "A31", pam_patient_update},
    {"ADT", "A47", pam_patient_change_id},
    {"ADT", "A40", pam_patient_merge},
    {"ADT", "A24", pam_patient_link},
    {"ADT", "A37", pam_patient_unlink},
    {"ADT", "A01", pam_visit_movement},
    {"ADT", "A02", pam_visit_movement},
    {"ADT", "A03", pam_visit_movement},
    {"ADT", "A04", pam_visit_movement},
    {"ADT", "A05", pam_visit_movement},
    {"ADT", "A06", pam_visit_movement},
    {"ADT", "A07", pam_visit_movement},
    {"ADT", "A11", pam_visit_movement},
    {"ADT", "A12", pam_visit_movement},
    {"ADT", "A13", pam_visit_movement},
    {"ADT", "A21", pam_visit_movement},
    {"ADT", "A22", pam_visit_movement},
    {"ADT", "A38", pam_visit_movement},
    {"ADT", "A52", pam_visit_movement},
    {"ADT", "A53", pam_visit_movement},
    {"ADT", "A54", pam_visit_movement},
    {"ADT", "A55", pam_visit_movement},
    {"ADT", "Z99", pam_visit_movement},
    {"QBP", "Q22", pam_query_pdq},
    {"QBP", "Q23", pam_query_pix},
};

/* Everything after parsing; sets the outcome, or j->resend. */
static void process(pam_job *j)
{
    const er7_message *m = j->m;
    socle_err e;
    err_clear(&e);

    ack_error problem;
    if (ack_check_header(m, &problem, &e) != 0) {
        j->code = ACK_AR;
        pam_add_error(j, problem.where, problem.code, problem.severity, problem.text);
        snprintf(j->detail, sizeof j->detail, "refused: %s", e.msg);
        return;
    }
    if (ack_mode_read(m, &j->mode, &e) != 0) {
        size_t field = strncmp(e.msg, "MSH-15", 6) == 0 ? 15 : 16;
        pam_reject(j, ACK_AR, msh(j, field, 0), ACK_ERR_TABLE_VALUE, e.msg);
        return;
    }

    er7_slice none = {"", 0};
    if (copy_raw(j->sender, sizeof j->sender, er7_field(m, 0, 3), "^",
                 er7_field(m, 0, 4)) != 0) {
        pam_reject(j, ACK_AR, msh(j, 3, 0), ACK_ERR_DATA_TYPE,
               "MSH-3 and MSH-4 are too long, or hold a NUL byte");
        j->sender[0] = '\0';
        return;
    }
    if (copy_raw(j->control_id, sizeof j->control_id, er7_field(m, 0, 10), NULL, none) != 0) {
        pam_reject(j, ACK_AR, msh(j, 10, 0), ACK_ERR_DATA_TYPE,
               "MSH-10 is too long, or holds a NUL byte");
        j->control_id[0] = '\0';
        return;
    }
    er7_slice type = er7_get(m, 0, 9, 1, 1, 0), trigger = er7_get(m, 0, 9, 1, 2, 0);
    char t1[12], t2[12];
    snprintf(j->type, sizeof j->type, "%s^%s", er7_slice_show(type, t1, sizeof t1),
             er7_slice_show(trigger, t2, sizeof t2));

    if (store_begin(j->st, &e) != 0) {
        pam_retry_later(j, &e);
        return;
    }
    char code[4];
    buf raw = {0};
    int found = store_inbound_find_ack(j->st, j->sender, j->control_id, &j->stored, code,
                                       &raw, &e);
    int same = found > 0 && raw.len == j->len && memcmp(raw.data, j->raw, j->len) == 0;
    buf_free(&raw);
    if (found < 0) {
        pam_retry_later(j, &e);
        return;
    }
    if (found && same) {
        j->resend = 1;
        return;
    }
    if (found) {
        /* Another message under a control id already answered: applying it
         * would be silent if we replayed the old ACK, and dropping it would
         * lose data. Refuse it; it is journaled unkeyed, so the key keeps
         * its first answer. */
        buf_reset(&j->stored);
        j->code = ACK_AE;
        pam_add_errorf(j, msh(j, 10, 0), ACK_ERR_DUPLICATE_KEY, ACK_SEV_ERROR,
                   "MSH-10 %s was already used by this sender for a different message: "
                   "send it with a new control id", j->control_id);
        snprintf(j->detail, sizeof j->detail, "205: control id %s reused for another message",
                 j->control_id);
        j->control_id[0] = '\0';
        return;
    }

    const pam_event *ev = NULL;
    int type_known = 0;
    for (size_t i = 0; i < sizeof events / sizeof events[0] && ev == NULL; i++) {
        if (!er7_slice_eq(type, events[i].type))
            continue;
        type_known = 1;
        if (er7_slice_eq(trigger, events[i].trigger))
            ev = &events[i];
    }
    if (!type_known) {
        j->code = ACK_AR;
        pam_add_errorf(j, msh(j, 9, 1), ACK_ERR_MESSAGE_TYPE, ACK_SEV_ERROR,
                       "message type %s not supported", t1);
        return;
    }
    if (ev == NULL) {
        j->code = ACK_AR;
        pam_add_errorf(j, msh(j, 9, 2), ACK_ERR_EVENT, ACK_SEV_ERROR,
                       "event %s not supported by this version", t2);
        return;
    }
    ev->apply(j);
}

int pam_handle(struct store *st, const pam_config *cfg, const char *peer,
               const char *msg, size_t len, buf *ack_out, socle_err *err)
{
    pam_job j;
    memset(&j, 0, sizeof j);
    j.st = st;
    j.cfg = cfg;
    j.peer = peer;
    j.raw = msg;
    j.len = len;
    ack_mode_read(NULL, &j.mode, NULL);

    socle_err e;
    err_clear(&e);
    j.m = er7_parse(msg, len, &e);
    if (j.m == NULL) {
        ack_error problem;
        ack_check_header(NULL, &problem, NULL);
        j.code = ACK_AR;
        pam_add_errorf(&j, problem.where, ACK_ERR_SEGMENT_SEQUENCE, ACK_SEV_ERROR,
                   "Message not readable as HL7 v2: %s", e.msg);
        snprintf(j.detail, sizeof j.detail, "unreadable: %s", e.msg);
    } else {
        process(&j);
    }

    int rc;
    if (j.resend) {
        /* Already answered: the same bytes, nothing applied or journaled. */
        store_rollback(st);
        if (j.stored.len > 0)
            buf_append(ack_out, j.stored.data, j.stored.len);
        rc = 0;
    } else {
        rc = finish(&j, ack_out, err);
    }
    buf_free(&j.stored);
    buf_free(&j.reply);
    er7_free(j.m);
    return rc;
}

void pam_retry_refusal(const pam_config *cfg, const char *msg, size_t len,
                       const socle_err *why, buf *ack_out)
{
    pam_job j;
    memset(&j, 0, sizeof j);
    j.cfg = cfg;
    j.raw = msg;
    j.len = len;
    ack_mode_read(NULL, &j.mode, NULL);
    j.m = er7_parse(msg, len, NULL);
    /* The mode as process() reads it: only from a header it accepted. */
    ack_error problem;
    if (j.m != NULL && ack_check_header(j.m, &problem, NULL) == 0)
        ack_mode_read(j.m, &j.mode, NULL);
    socle_err unknown;
    if (why == NULL) {
        err_set(&unknown, SOCLE_EIO, "not stored");
        why = &unknown;
    }
    pam_retry_later(&j, why);
    render(&j, ack_out, NULL);
    er7_free(j.m);
}

void pam_framing_refusal(const pam_config *cfg, const char *reason, buf *ack_out)
{
    char control[17];
    random_hex_id(control, 8);
    ack_error e = {
        .code = ACK_ERR_SEGMENT_SEQUENCE,
        .severity = ACK_SEV_ERROR,
        .text = reason,
    };
    ack_params p = {
        .code = ACK_AR,
        .errors = &e,
        .n_errors = 1,
        .app = cfg->app,
        .facility = cfg->facility,
        .control_id = control,
        .now = time(NULL),
    };
    ack_build(NULL, &p, ack_out, NULL);
}
