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
 *   MSH-9                   not ADT AR 200; not A28/A31/A47 AR 201
 *   PID                     missing AE 100; mapping errors AE (every issue)
 *   IPP domain              unknown, or named by namespace only: AE 204
 *   identity_upsert_in_tx   EINVAL AE 102, ERULE AE 207, ENOTFOUND AE 204,
 *                           EBUSY/ECONFLICT AR 206, others AR 207
 *   otherwise               AA, with the warnings as ERR segments (W)
 *
 * Choices this file makes (the specifications leave them open):
 *
 *  - An A28 for an IPP we already hold is applied as an update (A31), with
 *    a warning 205 at the IPP: refusing it would leave the two systems
 *    disagreeing about a patient the sender clearly knows, and the result
 *    is the same as the A31 it should have sent. Symmetrically an A31 for
 *    an unknown IPP creates the identity, with a warning 204: the A28 was
 *    lost or predates us, and the A31 carries the whole identity anyway.
 *  - PV1 is required in ADT_A05 but carries nothing for the identity: a
 *    missing PV1 is accepted with a warning 100 (lenient mode), not an AE.
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
#include <sys/random.h>
#include <time.h>

#include "core/identity.h"
#include "core/model.h"
#include "hl7/ack.h"
#include "hl7/er7.h"
#include "hl7/pam_identity.h"
#include "store/store.h"
#include "util/timeutil.h"

#define MAX_ERRORS   (PAM_ISSUES_MAX + 6)
#define OWN_TEXTS    6
#define OWN_TEXT_MAX (SOCLE_ERR_MSG_MAX + 128)

/* One message while it is handled, and the answer being built. */
typedef struct job {
    store *st;
    const pam_config *cfg;
    const char *peer;
    const char *raw;
    size_t len;
    er7_message *m;              /* NULL when unreadable */
    ack_mode mode;               /* original mode until MSH-15/16 are read */
    char sender[SOCLE_LABEL_MAX];
    char control_id[SOCLE_LABEL_MAX];
    char type[32];               /* "ADT^A28", for the journal */

    ack_code code;
    ack_error errors[MAX_ERRORS];
    size_t n_errors;
    char texts[OWN_TEXTS][OWN_TEXT_MAX];  /* our texts borrowed by errors */
    size_t n_texts;
    char detail[SOCLE_REASON_MAX];

    int resend;                  /* found in the journal: ack holds it */
    buf stored;
} job;

/* ---- Building the answer --------------------------------------------- */

static void add_error(job *j, er7_loc where, ack_errcode code, ack_severity sev,
                      const char *text)
{
    if (j->n_errors == MAX_ERRORS)
        return;   /* issues are capped upstream; this bounds our own few */
    ack_error *e = &j->errors[j->n_errors++];
    e->where = where;
    e->code = code;
    e->severity = sev;
    e->text = text;
}

static void add_errorf(job *j, er7_loc where, ack_errcode code, ack_severity sev,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_errorf(job *j, er7_loc where, ack_errcode code, ack_severity sev,
                       const char *fmt, ...)
{
    if (j->n_texts == OWN_TEXTS)
        return;
    char *t = j->texts[j->n_texts++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t, OWN_TEXT_MAX, fmt, ap);
    va_end(ap);
    add_error(j, where, code, sev, t);
}

static er7_loc loc(const job *j, const char *seg, size_t seg_index, size_t field,
                   size_t rep, size_t comp)
{
    if (j->m != NULL && seg_index != ER7_NONE)
        return er7_location(j->m, seg_index, field, rep, comp, 0);
    er7_loc l = {{0}, 1, field, rep, comp, 0};
    memcpy(l.seg_id, seg, 3);
    return l;
}

static er7_loc msh(const job *j, size_t field, size_t comp)
{
    return loc(j, "MSH", 0, field, comp ? 1 : 0, comp);
}

static void reject(job *j, ack_code code, er7_loc where, ack_errcode err,
                   const char *text)
{
    j->code = code;
    add_errorf(j, where, err, ACK_SEV_ERROR, "%s", text);
}

/* A failure of ours (store, bug): the sender should try again later. */
static void retry_later(job *j, const socle_err *e)
{
    int busy = e->code == SOCLE_EBUSY || e->code == SOCLE_ECONFLICT;
    er7_loc none = {{0}, 0, 0, 0, 0, 0};
    j->code = ACK_AR;
    add_error(j, none, busy ? ACK_ERR_RECORD_LOCKED : ACK_ERR_INTERNAL, ACK_SEV_ERROR,
              busy ? "Record locked, retry later" : "Internal error, retry later");
    snprintf(j->detail, sizeof j->detail, "not processed: %s", e->msg);
}

/* 16 hex digits, from the kernel's generator (or the clock and a counter
 * if it fails: uniqueness is what matters, not unpredictability). */
static void new_control_id(char out[17])
{
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        static unsigned counter;
        unsigned long long v = (unsigned long long)time(NULL) << 20 ^ ++counter;
        memcpy(r, &v, sizeof r);
    }
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(out + 2 * i, 3, "%02X", r[i]);
}

static int build(const job *j, ack_code code, int with_errors, buf *out, socle_err *err)
{
    char control[17];
    new_control_id(control);
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
static int render(const job *j, buf *out, socle_err *err)
{
    if (ack_send_application(&j->mode, j->code))
        return build(j, j->code, 1, out, err);
    ack_code commit = j->code == ACK_AR ? ACK_CR : ACK_CA;
    if (ack_send_commit(&j->mode, commit))
        return build(j, commit, commit == ACK_CR, out, err);
    return 0;
}

/* ---- Journal ---------------------------------------------------------- */

static int journal(job *j, const buf *ack, socle_err *err)
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
static int finish(job *j, buf *ack_out, socle_err *err)
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
    retry_later(j, &e);
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

/* The PID-3 repetition of the IPP (first with CX-5 PI), for locations. */
static size_t ipp_rep(const er7_message *m, size_t pid)
{
    size_t n = er7_count(m, pid, 3, 0, 0);
    for (size_t r = 1; r <= n; r++)
        if (er7_slice_eq(er7_get(m, pid, 3, r, 5, 0), "PI"))
            return r;
    return 1;
}

typedef enum pam_event { EV_A28, EV_A31, EV_A47 } pam_event;

/* Map a core failure of an A47 to its answer. */
static void a47_failed(job *j, const socle_err *e, er7_loc not_found, er7_loc conflict)
{
    switch (e->code) {
    case SOCLE_ENOTFOUND:
        reject(j, ACK_AE, not_found, ACK_ERR_UNKNOWN_KEY, e->msg);
        break;
    case SOCLE_ECONFLICT:
        reject(j, ACK_AE, conflict, ACK_ERR_DUPLICATE_KEY, e->msg);
        break;
    case SOCLE_EINVAL:
    case SOCLE_ERULE:
        reject(j, ACK_AE, conflict, ACK_ERR_DATA_TYPE, e->msg);
        break;
    default:
        retry_later(j, e);
        break;
    }
}

/*
 * A47, change of an identifier named by MRG-1 (PAM FR ITI-30):
 *  - MRG-1 of type PI: the IPP in MRG-1 becomes the one in PID-3;
 *  - MRG-1 of type INS and PID-3 INS `""`: every INS of the patient is
 *    deleted (its status follows: VALI or PROV);
 *  - MRG-1 of type INS and a new INS in PID-3: recorded like an A31 (the
 *    INS is kept under the same rules), the patient must exist.
 * Returns 1 when the event was answered here, 0 when it goes on as an
 * update. The authority of MRG-1 is taken to be PID-3's (PAM FR: the same
 * assigning authority); it is not checked separately.
 */
static int apply_a47(job *j, const pam_identity *pi, size_t pid, size_t rep,
                     const id_domain *dom, const socle_actor *actor)
{
    const er7_message *m = j->m;
    size_t mrg = er7_find(m, "MRG", 0);
    if (mrg == ER7_NONE) {
        reject(j, ACK_AE, loc(j, "MRG", ER7_NONE, 0, 0, 0), ACK_ERR_SEGMENT_SEQUENCE,
               "MRG segment missing: an A47 names the prior identifier in MRG-1");
        return 1;
    }
    er7_loc at_ipp = loc(j, "PID", pid, 3, rep, 1);
    er7_slice type = er7_get(m, mrg, 1, 1, 5, 0);
    socle_err e;
    err_clear(&e);
    int64_t local_id = 0;

    if (er7_slice_eq(type, "INS")) {
        if (!pi->ins_delete) {
            local_identity li;
            int found = store_local_find(j->st, dom->id, pi->input.ipp, &li, &e);
            if (found < 0) {
                retry_later(j, &e);
                return 1;
            }
            if (!found) {
                reject(j, ACK_AE, at_ipp, ACK_ERR_UNKNOWN_KEY,
                       "A47: no local identity with this IPP in the establishment");
                return 1;
            }
            return 0;
        }
        if (identity_remove_ins_in_tx(j->st, actor, dom->id, pi->input.ipp,
                                      "A47 INS deletion", &local_id, &e) != 0) {
            a47_failed(j, &e, at_ipp, at_ipp);
            return 1;
        }
        snprintf(j->detail, sizeof j->detail, "local identity %lld: INS deleted",
                 (long long)local_id);
        j->code = ACK_AA;
        return 1;
    }

    if (er7_slice_eq(type, "PI")) {
        er7_slice old = er7_get(m, mrg, 1, 1, 1, 0);
        er7_loc at_old = loc(j, "MRG", mrg, 1, 1, 1);
        char old_ipp[SOCLE_CODE_MAX];
        if (old.len == 0 || old.len >= sizeof old_ipp
            || memchr(old.ptr, er7_delimiters(m)->escape, old.len) != NULL) {
            reject(j, ACK_AE, at_old, ACK_ERR_DATA_TYPE,
                   "MRG-1.1: the prior IPP is missing or not a plain identifier");
            return 1;
        }
        memcpy(old_ipp, old.ptr, old.len);
        old_ipp[old.len] = '\0';
        if (identity_change_ipp_in_tx(j->st, actor, dom->id, old_ipp, pi->input.ipp,
                                      &local_id, &e) != 0) {
            a47_failed(j, &e, at_old, at_ipp);
            return 1;
        }
        snprintf(j->detail, sizeof j->detail, "local identity %lld: IPP changed",
                 (long long)local_id);
        j->code = ACK_AA;
        return 1;
    }

    reject(j, ACK_AE, loc(j, "MRG", mrg, 1, 1, 5), ACK_ERR_TABLE_VALUE,
           type.len == 0 ? "MRG-1.5: the identifier type (PI or INS) is missing"
                         : "MRG-1.5: identifier type not handled by A47 (PI or INS)");
    return 1;
}

/* Apply an A28, A31 or A47. Leaves the transaction open on AA. */
static void apply(job *j, pam_event ev)
{
    int is_a28 = ev == EV_A28;
    const er7_message *m = j->m;
    size_t pid = er7_find(m, "PID", 0);
    if (pid == ER7_NONE) {
        reject(j, ACK_AE, loc(j, "PID", ER7_NONE, 0, 0, 0), ACK_ERR_SEGMENT_SEQUENCE,
               "PID segment missing");
        return;
    }

    pam_identity pi;
    pam_issues issues;
    int mapped = pam_identity_from_pid(m, pid, &pi, &issues);
    for (size_t i = 0; i < issues.count; i++) {
        const pam_issue *is = &issues.items[i];
        add_error(j, is->where, (ack_errcode)is->hl7_code,
                  is->severity == PAM_ISSUE_ERROR ? ACK_SEV_ERROR : ACK_SEV_WARNING, is->text);
    }
    if (issues.dropped > 0) {
        er7_loc none = {{0}, 0, 0, 0, 0, 0};
        add_errorf(j, none, ACK_ERR_OK, ACK_SEV_INFO, "%zu further problems not listed",
                   issues.dropped);
    }
    if (mapped != 0) {
        j->code = ACK_AE;
        return;
    }
    /* ADT_A05 (A28, A31) has a PV1; ADT_A30 (A47) has none. */
    if (ev != EV_A47 && er7_find(m, "PV1", 0) == ER7_NONE)
        add_errorf(j, loc(j, "PV1", ER7_NONE, 0, 0, 0), ACK_ERR_SEGMENT_SEQUENCE,
                   ACK_SEV_WARNING, "PV1 segment missing: accepted, only the identity is used");

    size_t rep = ipp_rep(m, pid);
    er7_loc authority = loc(j, "PID", pid, 3, rep, 4);
    er7_loc ipp = loc(j, "PID", pid, 3, rep, 1);
    socle_err e;
    err_clear(&e);
    if (pi.input.domain_oid[0] == '\0' && pi.domain_finess[0] == '\0') {
        reject(j, ACK_AE, authority, ACK_ERR_UNKNOWN_KEY,
               "PID-3.4: the assigning authority is given by its namespace only; send "
               "its OID (PID-3.4.2, type ISO) or the FINESS of its legal entity "
               "(type M)");
        return;
    }
    id_domain dom;
    int found = identity_domain_find(j->st, pi.input.domain_oid[0] ? pi.input.domain_oid : NULL,
                                     pi.domain_finess[0] ? pi.domain_finess : NULL, &dom, &e);
    if (found < 0) {
        retry_later(j, &e);
        return;
    }
    if (!found) {
        reject(j, ACK_AE, authority, ACK_ERR_UNKNOWN_KEY,
               "PID-3.4: the assigning authority of the IPP is not declared for any "
               "establishment");
        return;
    }
    str_copy(pi.input.domain_oid, sizeof pi.input.domain_oid, dom.oid);

    socle_actor actor;
    memset(&actor, 0, sizeof actor);
    snprintf(actor.id, sizeof actor.id, "hl7:%s", j->sender);
    str_copy(actor.role, sizeof actor.role, "flux");

    if (ev == EV_A47 && apply_a47(j, &pi, pid, rep, &dom, &actor))
        return;

    identity_result res;
    if (identity_upsert_in_tx(j->st, &actor, &pi.input, &res, &e) != 0) {
        er7_loc at_pid = loc(j, "PID", pid, 0, 0, 0);
        switch (e.code) {
        case SOCLE_EINVAL:
            reject(j, ACK_AE, at_pid, ACK_ERR_DATA_TYPE, e.msg);
            break;
        case SOCLE_ERULE:
            reject(j, ACK_AE, at_pid, ACK_ERR_INTERNAL, e.msg);
            break;
        case SOCLE_ENOTFOUND:
            reject(j, ACK_AE, authority, ACK_ERR_UNKNOWN_KEY,
                   "PID-3.4: the assigning authority of the IPP is not declared for any "
                   "establishment");
            break;
        default:
            retry_later(j, &e);
            break;
        }
        return;
    }

    if (is_a28 && res.outcome != IDENTITY_CREATED)
        add_error(j, ipp, ACK_ERR_DUPLICATE_KEY, ACK_SEV_WARNING,
                  "A28 for an existing IPP: treated as an update");
    if (ev == EV_A31 && res.outcome == IDENTITY_CREATED)
        add_error(j, ipp, ACK_ERR_UNKNOWN_KEY, ACK_SEV_WARNING,
                  "A31 for an unknown IPP: identity created");
    if (res.warning[0] != '\0')
        add_errorf(j, loc(j, "PID", pid, 3, 0, 0),
                   res.ins_dropped ? ACK_ERR_DATA_TYPE : ACK_ERR_OK, ACK_SEV_WARNING,
                   "%s", res.warning);

    /* An INS the sender asserted but that could not be kept is for the
     * identity cell to look at, whichever of us refused it. */
    const char *refused = pi.ins_refused[0] ? pi.ins_refused
                        : res.ins_dropped ? res.warning : NULL;
    if (refused != NULL
        && identity_alert_in_tx(j->st, &actor, res.local_id, "invalid_ins", refused, &e) != 0) {
        retry_later(j, &e);
        return;
    }

    static const char *const verbs[] = {"created", "updated", "unchanged"};
    snprintf(j->detail, sizeof j->detail, "%s local identity %lld",
             verbs[res.outcome], (long long)res.local_id);
    j->code = ACK_AA;
}

/* Everything after parsing; sets the outcome, or j->resend. */
static void process(job *j)
{
    const er7_message *m = j->m;
    socle_err e;
    err_clear(&e);

    ack_error problem;
    if (ack_check_header(m, &problem, &e) != 0) {
        j->code = ACK_AR;
        add_error(j, problem.where, problem.code, problem.severity, problem.text);
        snprintf(j->detail, sizeof j->detail, "refused: %s", e.msg);
        return;
    }
    if (ack_mode_read(m, &j->mode, &e) != 0) {
        size_t field = strncmp(e.msg, "MSH-15", 6) == 0 ? 15 : 16;
        reject(j, ACK_AR, msh(j, field, 0), ACK_ERR_TABLE_VALUE, e.msg);
        return;
    }

    er7_slice none = {"", 0};
    if (copy_raw(j->sender, sizeof j->sender, er7_field(m, 0, 3), "^",
                 er7_field(m, 0, 4)) != 0) {
        reject(j, ACK_AR, msh(j, 3, 0), ACK_ERR_DATA_TYPE,
               "MSH-3 and MSH-4 are too long, or hold a NUL byte");
        j->sender[0] = '\0';
        return;
    }
    if (copy_raw(j->control_id, sizeof j->control_id, er7_field(m, 0, 10), NULL, none) != 0) {
        reject(j, ACK_AR, msh(j, 10, 0), ACK_ERR_DATA_TYPE,
               "MSH-10 is too long, or holds a NUL byte");
        j->control_id[0] = '\0';
        return;
    }
    er7_slice type = er7_get(m, 0, 9, 1, 1, 0), trigger = er7_get(m, 0, 9, 1, 2, 0);
    char t1[12], t2[12];
    snprintf(j->type, sizeof j->type, "%s^%s", er7_slice_show(type, t1, sizeof t1),
             er7_slice_show(trigger, t2, sizeof t2));

    if (store_begin(j->st, &e) != 0) {
        retry_later(j, &e);
        return;
    }
    char code[4];
    buf raw = {0};
    int found = store_inbound_find_ack(j->st, j->sender, j->control_id, &j->stored, code,
                                       &raw, &e);
    int same = found > 0 && raw.len == j->len && memcmp(raw.data, j->raw, j->len) == 0;
    buf_free(&raw);
    if (found < 0) {
        retry_later(j, &e);
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
        add_errorf(j, msh(j, 10, 0), ACK_ERR_DUPLICATE_KEY, ACK_SEV_ERROR,
                   "MSH-10 %s was already used by this sender for a different message: "
                   "send it with a new control id", j->control_id);
        snprintf(j->detail, sizeof j->detail, "205: control id %s reused for another message",
                 j->control_id);
        j->control_id[0] = '\0';
        return;
    }

    if (!er7_slice_eq(type, "ADT")) {
        j->code = ACK_AR;
        add_errorf(j, msh(j, 9, 1), ACK_ERR_MESSAGE_TYPE, ACK_SEV_ERROR,
                   "message type %s not supported (ADT only)", t1);
        return;
    }
    pam_event ev;
    if (er7_slice_eq(trigger, "A28"))
        ev = EV_A28;
    else if (er7_slice_eq(trigger, "A31"))
        ev = EV_A31;
    else if (er7_slice_eq(trigger, "A47"))
        ev = EV_A47;
    else {
        j->code = ACK_AR;
        add_errorf(j, msh(j, 9, 2), ACK_ERR_EVENT, ACK_SEV_ERROR,
                   "event %s not supported by this version", t2);
        return;
    }
    apply(j, ev);
}

int pam_handle(struct store *st, const pam_config *cfg, const char *peer,
               const char *msg, size_t len, buf *ack_out, socle_err *err)
{
    job j;
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
        add_errorf(&j, problem.where, ACK_ERR_SEGMENT_SEQUENCE, ACK_SEV_ERROR,
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
    er7_free(j.m);
    return rc;
}

void pam_framing_refusal(const pam_config *cfg, const char *reason, buf *ack_out)
{
    char control[17];
    new_control_id(control);
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
