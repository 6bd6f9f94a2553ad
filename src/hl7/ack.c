/*
 * ack.c - acknowledgments: the ACK message, the acknowledgment mode, and
 * the header checks that decide whether a message can be processed.
 *
 * The ACK is written with er7_writer in the sender's delimiters and
 * character set, so values copied from the message go back raw, and only
 * our own texts are escaped. Everything is written into out directly and
 * cut back to where it started on failure.
 */
#include "hl7/ack.h"

#include <stdio.h>
#include <string.h>

#include "hl7/er7_text.h"
#include "hl7/er7_writer.h"
#include "util/utf8.h"

static const char *const code_names[] = {"AA", "AE", "AR", "CA", "CE", "CR"};

const char *ack_code_name(ack_code code)
{
    if ((unsigned)code >= sizeof code_names / sizeof code_names[0])
        return NULL;
    return code_names[code];
}

int ack_code_is_success(ack_code code)
{
    return code == ACK_AA || code == ACK_CA;
}

const char *ack_errcode_text(ack_errcode code)
{
    switch (code) {
    case ACK_ERR_OK:               return "Message accepted";
    case ACK_ERR_SEGMENT_SEQUENCE: return "Segment sequence error";
    case ACK_ERR_REQUIRED:         return "Required field missing";
    case ACK_ERR_DATA_TYPE:        return "Data type error";
    case ACK_ERR_TABLE_VALUE:      return "Table value not found";
    case ACK_ERR_MESSAGE_TYPE:     return "Unsupported message type";
    case ACK_ERR_EVENT:            return "Unsupported event code";
    case ACK_ERR_PROCESSING_ID:    return "Unsupported processing id";
    case ACK_ERR_VERSION:          return "Unsupported version id";
    case ACK_ERR_UNKNOWN_KEY:      return "Unknown key identifier";
    case ACK_ERR_DUPLICATE_KEY:    return "Duplicate key identifier";
    case ACK_ERR_RECORD_LOCKED:    return "Application record locked";
    case ACK_ERR_INTERNAL:         return "Application internal error";
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Building the ACK                                                   */
/* ------------------------------------------------------------------ */

/* Length of the UTF-8 sequence starting at s (at most n bytes), or 1 when
 * it is not a valid one, so that a bad byte is skipped alone. */
static size_t utf8_seq_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (len > n || !utf8_valid(s, len, NULL))
        return 1;
    return len;
}

/* Escape and encode text for ERR-8, one '?' for each character the set
 * cannot take. Cannot fail: er7_escape only refuses what we replace. */
static void escape_lossy(const er7_delims *d, er7_charset cs,
                         const char *text, buf *out)
{
    size_t len = strlen(text);
    if (er7_escape(d, cs, text, len, out, NULL) == 0)
        return;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(text + i, len - i);
        if (er7_escape(d, cs, text + i, n, out, NULL) < 0)
            buf_putc(out, '?');
        i += n;
    }
}

/* Copy a received value back raw. 1 when something was written; 0 for an
 * empty value or one the writer refuses (it holds a NUL), which is
 * dropped: the sender still gets its ACK. */
static int echo(er7_writer *w, size_t field, size_t rep, size_t comp,
                er7_slice raw)
{
    return raw.len > 0 && er7w_put_raw(w, field, rep, comp, 0, raw, NULL) == 0;
}

static int check_params(const ack_params *p, socle_err *err)
{
    if (ack_code_name(p->code) == NULL)
        return err_set(err, SOCLE_EINVAL, "ACK: invalid acknowledgment "
                       "code %d", (int)p->code);
    if (p->control_id == NULL || p->control_id[0] == '\0')
        return err_set(err, SOCLE_EINVAL, "ACK: no message control id");
    if (p->n_errors > 0 && p->errors == NULL)
        return err_set(err, SOCLE_EINVAL, "ACK: %zu errors but no list",
                       p->n_errors);
    for (size_t i = 0; i < p->n_errors; i++) {
        const ack_error *e = &p->errors[i];
        if (ack_errcode_text(e->code) == NULL)
            return err_set(err, SOCLE_EINVAL, "ACK: error %zu: code %d is "
                           "not in HL7 table 0357", i + 1, (int)e->code);
        if (e->severity != ACK_SEV_ERROR && e->severity != ACK_SEV_WARNING &&
            e->severity != ACK_SEV_INFO)
            return err_set(err, SOCLE_EINVAL, "ACK: error %zu: invalid "
                           "severity %d", i + 1, (int)e->severity);
        if (memchr(e->where.seg_id, '\0', sizeof e->where.seg_id) == NULL)
            return err_set(err, SOCLE_EINVAL, "ACK: error %zu: segment id "
                           "of the location is not terminated", i + 1);
    }
    return 0;
}

/* MSH-3/4 of the ACK: the receiver named by the message, else our name. */
static int put_us(er7_writer *w, size_t field, er7_slice received,
                  const char *ours, socle_err *err)
{
    if (echo(w, field, 0, 0, received))
        return 0;
    if (er7w_put(w, field, 1, 1, 1, ours, err) < 0) {
        err_prefix(err, "ACK: MSH-%zu (our %s name)", field,
                   field == 3 ? "application" : "facility");
        return -1;
    }
    return 0;
}

static int put_msh(er7_writer *w, const er7_message *m, const ack_params *p,
                   int echo_charset, socle_err *err)
{
    static const er7_slice none = {"", 0};
    struct tm tm;
    char when[32];
    if (localtime_r(&p->now, &tm) == NULL ||
        strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm) != 14)
        return err_set(err, SOCLE_EINVAL, "ACK: time %lld out of range",
                       (long long)p->now);

    if (er7w_segment(w, "MSH", err) < 0)
        return -1;
    if (put_us(w, 3, m ? er7_field(m, 0, 5) : none, p->app, err) < 0 ||
        put_us(w, 4, m ? er7_field(m, 0, 6) : none, p->facility, err) < 0)
        return -1;
    if (m != NULL) {
        echo(w, 5, 0, 0, er7_field(m, 0, 3));
        echo(w, 6, 0, 0, er7_field(m, 0, 4));
    }
    if (er7w_put(w, 7, 1, 1, 1, when, err) < 0)
        return -1;
    if (p->msg_type != NULL) {
        if (er7w_put(w, 9, 1, 1, 1, p->msg_type, err) < 0 ||
            er7w_put(w, 9, 1, 2, 1, p->msg_trigger, err) < 0 ||
            er7w_put(w, 9, 1, 3, 1, p->msg_structure, err) < 0)
            return -1;
    } else {
        if (er7w_put(w, 9, 1, 1, 1, "ACK", err) < 0)
            return -1;
        if (m != NULL)
            echo(w, 9, 1, 2, er7_get(m, 0, 9, 1, 2, 0));
        if (er7w_put(w, 9, 1, 3, 1, "ACK", err) < 0)
            return -1;
    }
    if (er7w_put(w, 10, 1, 1, 1, p->control_id, err) < 0) {
        err_prefix(err, "ACK: control id");
        return -1;
    }

    er7_slice proc = m ? er7_field(m, 0, 11) : none;
    er7_slice vers = m ? er7_field(m, 0, 12) : none;
    if (!echo(w, 11, 0, 0, proc) && er7w_put(w, 11, 1, 1, 1, "P", err) < 0)
        return -1;
    if (!echo(w, 12, 0, 0, vers) && er7w_put(w, 12, 1, 1, 1, "2.5", err) < 0)
        return -1;
    if (echo_charset)
        echo(w, 18, 1, 0, er7_get(m, 0, 18, 1, 0, 0));
    return 0;
}

static int put_err(er7_writer *w, const er7_delims *d, er7_charset cs,
                   const ack_error *e, buf *scratch, socle_err *err)
{
    char code[16];
    char sev[2] = {(char)e->severity, '\0'};
    snprintf(code, sizeof code, "%d", (int)e->code);

    if (er7w_segment(w, "ERR", err) < 0)
        return -1;
    if (e->where.seg_id[0] != '\0' &&
        er7w_put_loc(w, 2, 1, &e->where, err) < 0)
        return -1;
    if (er7w_put(w, 3, 1, 1, 1, code, err) < 0 ||
        er7w_put(w, 3, 1, 2, 1, ack_errcode_text(e->code), err) < 0 ||
        er7w_put(w, 3, 1, 3, 1, "HL70357", err) < 0 ||
        er7w_put(w, 4, 1, 1, 1, sev, err) < 0)
        return -1;
    if (e->text != NULL && e->text[0] != '\0') {
        buf_reset(scratch);
        escape_lossy(d, cs, e->text, scratch);
        er7_slice s = {buf_cstr(scratch), scratch->len};
        if (er7w_put_raw(w, 8, 0, 0, 0, s, err) < 0)
            return -1;
    }
    return 0;
}

int ack_build(const er7_message *received, const ack_params *p, buf *out,
              socle_err *err)
{
    if (check_params(p, err) < 0)
        return -1;

    const er7_delims *d = &er7_default_delims;
    er7_charset cs = ER7_ASCII;
    int echo_charset = 0;
    ack_code code = p->code;
    if (received != NULL) {
        d = er7_delimiters(received);
        /* An unknown set: answer in ASCII, which every set the sender
         * could mean agrees on for our texts, and say so (MSH-18 empty). */
        echo_charset = er7_message_charset(received, &cs, NULL) == 0;
        if (!echo_charset)
            cs = ER7_ASCII;
    } else {
        code = ACK_AR;
    }

    size_t mark = out->len;
    buf scratch = {0};
    er7_writer w;
    int rc = -1;
    if (er7w_init(&w, out, d, cs, err) < 0 ||
        put_msh(&w, received, p, echo_charset, err) < 0)
        goto done;
    if (er7w_segment(&w, "MSA", err) < 0 ||
        er7w_put(&w, 1, 1, 1, 1, ack_code_name(code), err) < 0)
        goto done;
    if (received != NULL)
        echo(&w, 2, 0, 0, er7_field(received, 0, 10));
    for (size_t i = 0; i < p->n_errors; i++)
        if (put_err(&w, d, cs, &p->errors[i], &scratch, err) < 0) {
            err_prefix(err, "ACK: error %zu", i + 1);
            goto done;
        }
    er7w_end(&w);
    rc = 0;
done:
    buf_free(&scratch);
    if (rc < 0) {
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Acknowledgment mode                                                */
/* ------------------------------------------------------------------ */

static int read_condition(er7_slice v, ack_condition fallback,
                          ack_condition *c)
{
    static const char *const names[] = {"AL", "NE", "ER", "SU"};
    *c = fallback;
    if (v.len == 0)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (er7_slice_eq(v, names[i])) {
            *c = (ack_condition)i;
            return 0;
        }
    return -1;
}

int ack_mode_read(const er7_message *m, ack_mode *mode, socle_err *err)
{
    mode->enhanced = 0;
    mode->commit = ACK_COND_NE;
    mode->application = ACK_COND_AL;
    if (m == NULL)
        return 0;

    er7_slice accept = er7_field(m, 0, 15);
    er7_slice app = er7_field(m, 0, 16);
    if (accept.len == 0 && app.len == 0)
        return 0;
    mode->enhanced = 1;
    /* Both read before reporting, so that *mode is whole either way. */
    int bad_accept = read_condition(accept, ACK_COND_NE, &mode->commit) < 0;
    int bad_app = read_condition(app, ACK_COND_AL, &mode->application) < 0;
    char shown[24];
    if (bad_accept) {
        er7_slice_show(accept, shown, sizeof shown);
        return err_set(err, SOCLE_EINVAL, "MSH-15: accept acknowledgment "
                       "type '%s' is not AL, NE, ER or SU", shown);
    }
    if (bad_app) {
        er7_slice_show(app, shown, sizeof shown);
        return err_set(err, SOCLE_EINVAL, "MSH-16: application "
                       "acknowledgment type '%s' is not AL, NE, ER or SU",
                       shown);
    }
    return 0;
}

static int wanted(ack_condition c, ack_code code)
{
    switch (c) {
    case ACK_COND_AL: return 1;
    case ACK_COND_NE: return 0;
    case ACK_COND_ER: return !ack_code_is_success(code);
    case ACK_COND_SU: return ack_code_is_success(code);
    }
    return 1;   /* not a table value: answering is the safe side */
}

int ack_send_commit(const ack_mode *mode, ack_code code)
{
    return mode->enhanced && wanted(mode->commit, code);
}

int ack_send_application(const ack_mode *mode, ack_code code)
{
    return !mode->enhanced || wanted(mode->application, code);
}

/* ------------------------------------------------------------------ */
/* Header checks                                                      */
/* ------------------------------------------------------------------ */

static void header_problem(ack_error *problem, size_t field, size_t comp,
                          ack_errcode code, const char *text)
{
    memset(problem, 0, sizeof *problem);
    memcpy(problem->where.seg_id, "MSH", 4);
    problem->where.seg_seq = 1;
    problem->where.field = field;
    problem->where.rep = comp ? 1 : 0;
    problem->where.comp = comp;
    problem->code = code;
    problem->severity = ACK_SEV_ERROR;
    problem->text = text;
}

int ack_check_header(const er7_message *m, ack_error *problem,
                     socle_err *err)
{
    char shown[24];
    if (m == NULL) {
        header_problem(problem, 0, 0, ACK_ERR_SEGMENT_SEQUENCE,
                       "No readable MSH segment");
        return err_set(err, SOCLE_EINVAL, "no readable MSH segment");
    }

    er7_slice type = er7_get(m, 0, 9, 1, 1, 0);
    er7_slice trigger = er7_get(m, 0, 9, 1, 2, 0);
    if (type.len == 0 && trigger.len == 0) {
        header_problem(problem, 9, 0, ACK_ERR_REQUIRED,
                       "Message type missing");
        return err_set(err, SOCLE_EINVAL, "MSH-9: message type missing");
    }
    if (type.len == 0) {
        header_problem(problem, 9, 1, ACK_ERR_REQUIRED,
                       "Message code missing");
        return err_set(err, SOCLE_EINVAL, "MSH-9.1: message code missing");
    }
    if (trigger.len == 0) {
        header_problem(problem, 9, 2, ACK_ERR_REQUIRED,
                       "Trigger event missing");
        return err_set(err, SOCLE_EINVAL, "MSH-9.2: trigger event missing");
    }

    if (er7_field(m, 0, 10).len == 0) {
        header_problem(problem, 10, 0, ACK_ERR_REQUIRED,
                       "Message control id missing");
        return err_set(err, SOCLE_EINVAL, "MSH-10: message control id "
                       "missing");
    }

    er7_slice proc = er7_get(m, 0, 11, 1, 1, 0);
    if (proc.len == 0) {
        header_problem(problem, 11, 0, ACK_ERR_REQUIRED,
                       "Processing id missing");
        return err_set(err, SOCLE_EINVAL, "MSH-11: processing id missing");
    }
    if (!er7_slice_eq(proc, "P") && !er7_slice_eq(proc, "D") &&
        !er7_slice_eq(proc, "T")) {
        header_problem(problem, 11, 0, ACK_ERR_PROCESSING_ID,
                       "Processing id must be P, D or T");
        er7_slice_show(proc, shown, sizeof shown);
        return err_set(err, SOCLE_EINVAL, "MSH-11: processing id '%s' is "
                       "not P, D or T", shown);
    }

    er7_slice vers = er7_get(m, 0, 12, 1, 1, 0);
    if (vers.len == 0) {
        header_problem(problem, 12, 0, ACK_ERR_REQUIRED,
                       "Version id missing");
        return err_set(err, SOCLE_EINVAL, "MSH-12: version id missing");
    }
    if (vers.len < 3 || vers.ptr[0] != '2' || vers.ptr[1] != '.' ||
        vers.ptr[2] < '0' || vers.ptr[2] > '9') {
        header_problem(problem, 12, 0, ACK_ERR_VERSION,
                       "Version id must be 2.x");
        er7_slice_show(vers, shown, sizeof shown);
        return err_set(err, SOCLE_EINVAL, "MSH-12: version id '%s' is not "
                       "2.x", shown);
    }
    return 0;
}
