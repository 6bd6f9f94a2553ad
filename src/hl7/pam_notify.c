/*
 * pam_notify.c - identity notifications rendered as PAM FR messages, and
 * their acknowledgments read (see pam_notify.h).
 */
#include "hl7/pam_notify.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/ins.h"
#include "core/rniv.h"
#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "hl7/er7_writer.h"

/* ---- Rendering -------------------------------------------------------- */

static const char *js(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* HL7 TS in local time (the reading of a TS without offset) from a time_t. */
static int hl7_time(time_t t, char out[16])
{
    struct tm tm;
    return localtime_r(&t, &tm) != NULL && strftime(out, 16, "%Y%m%d%H%M%S", &tm) == 14 ? 0 : -1;
}

/* The same from our UTC "YYYY-MM-DDTHH:MM:SS(.mmm)Z". */
static int hl7_time_iso(const char *iso, char out[16])
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return hl7_time(timegm(&tm), out);
}

/* An identifier (CX) at repetition rep of field: id^^^name&oid&ISO^type. */
static int put_cx(er7_writer *w, size_t field, size_t rep, const char *id, const char *name,
                  const char *oid, const char *type, socle_err *err)
{
    if (er7w_put(w, field, rep, 1, 1, id, err) < 0 || er7w_put(w, field, rep, 4, 1, name, err) < 0
        || er7w_put(w, field, rep, 4, 2, oid, err) < 0
        || er7w_put(w, field, rep, 4, 3, "ISO", err) < 0
        || er7w_put(w, field, rep, 5, 1, type, err) < 0)
        return -1;
    return 0;
}

static int put_ids(er7_writer *w, const json_t *p, socle_err *err)
{
    const json_t *ght = json_object_get(p, "ght");
    const json_t *patient = json_object_get(p, "patient");
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(ght, "id")));
    size_t rep = 1;
    if (put_cx(w, 3, rep++, id, js(ght, "name"), js(ght, "oid"), "PI", err) < 0)
        return -1;
    size_t i;
    const json_t *ident;
    json_array_foreach(json_object_get(p, "identifiers"), i, ident)
        if (put_cx(w, 3, rep++, js(ident, "ipp"), js(ident, "domain_name"),
                   js(ident, "domain_oid"), "PI", err) < 0)
            return -1;
    /* PAM FR and the RNIV: the INS travels only with a qualified identity. */
    const char *ins = js(patient, "ins"), *oid = js(patient, "ins_oid");
    if (strcmp(js(patient, "status"), "QUAL") == 0 && ins[0] != '\0') {
        const char *name = strcmp(oid, INS_OID_NIA) == 0 ? "ASIP-SANTE-INS-NIA"
                                                         : "ASIP-SANTE-INS-NIR";
        if (put_cx(w, 3, rep, ins, name, oid, "INS", err) < 0)
            return -1;
    }
    return 0;
}

static int put_names(er7_writer *w, const json_t *t, socle_err *err)
{
    if (er7w_put(w, 5, 1, 1, 1, js(t, "birth_name"), err) < 0
        || er7w_put(w, 5, 1, 2, 1, js(t, "first_forename"), err) < 0
        || er7w_put(w, 5, 1, 3, 1, js(t, "forenames"), err) < 0
        || er7w_put(w, 5, 1, 7, 1, "L", err) < 0)
        return -1;
    if (js(t, "used_name")[0] != '\0'
        && (er7w_put(w, 5, 2, 1, 1, js(t, "used_name"), err) < 0
            || er7w_put(w, 5, 2, 2, 1, js(t, "used_forename"), err) < 0
            || er7w_put(w, 5, 2, 7, 1, "D", err) < 0))
        return -1;
    return 0;
}

static int put_pid(er7_writer *w, const json_t *p, socle_err *err)
{
    const json_t *patient = json_object_get(p, "patient");
    const json_t *t = json_object_get(patient, "traits");
    const json_t *c = json_object_get(patient, "contact");
    if (er7w_segment(w, "PID", err) < 0 || er7w_put(w, 1, 1, 1, 1, "1", err) < 0
        || put_ids(w, p, err) < 0 || put_names(w, t, err) < 0)
        return -1;

    char date[9] = "";
    const char *bd = js(t, "birth_date");
    if (strlen(bd) == 10)
        snprintf(date, sizeof date, "%.4s%.2s%.2s", bd, bd + 5, bd + 8);
    if (er7w_put(w, 7, 1, 1, 1, date, err) < 0 || er7w_put(w, 8, 1, 1, 1, js(t, "sex"), err) < 0)
        return -1;

    size_t rep = 1;
    if (js(c, "address")[0] || js(c, "city")[0] || js(c, "postal_code")[0]
        || js(c, "country")[0]) {
        if (er7w_put(w, 11, rep, 1, 1, js(c, "address"), err) < 0
            || er7w_put(w, 11, rep, 3, 1, js(c, "city"), err) < 0
            || er7w_put(w, 11, rep, 5, 1, js(c, "postal_code"), err) < 0
            || er7w_put(w, 11, rep, 6, 1, js(c, "country"), err) < 0
            || er7w_put(w, 11, rep, 7, 1, "H", err) < 0)
            return -1;
        rep++;
    }
    if (js(t, "birth_place")[0] != '\0'
        && (er7w_put(w, 11, rep, 7, 1, "BDL", err) < 0
            || er7w_put(w, 11, rep, 9, 1, js(t, "birth_place"), err) < 0))
        return -1;

    rep = 1;
    if (js(c, "phone")[0] != '\0') {
        if (er7w_put(w, 13, rep, 1, 1, js(c, "phone"), err) < 0
            || er7w_put(w, 13, rep, 2, 1, "PRN", err) < 0
            || er7w_put(w, 13, rep, 3, 1, "PH", err) < 0)
            return -1;
        rep++;
    }
    if (js(c, "email")[0] != '\0'
        && (er7w_put(w, 13, rep, 2, 1, "NET", err) < 0
            || er7w_put(w, 13, rep, 3, 1, "Internet", err) < 0
            || er7w_put(w, 13, rep, 4, 1, js(c, "email"), err) < 0))
        return -1;

    /* PID-32: PAM FR 2.11 knows VALI and PROV; a récupérée identity goes
     * as PROV (and without its INS, see put_ids). */
    const char *status = js(patient, "status");
    int vali = strcmp(status, "QUAL") == 0 || strcmp(status, "VALI") == 0;
    if (er7w_put(w, 32, 1, 1, 1, vali ? "VALI" : "PROV", err) < 0)
        return -1;
    static const struct { unsigned bit; const char *code; } attrs[] = {
        { RNIV_ATTR_DOUBTFUL, "DOUT" }, { RNIV_ATTR_FICTITIOUS, "FICT" },
        { RNIV_ATTR_HOMONYM, "HOMA" },
    };
    rep = 2;
    for (size_t k = 0; k < sizeof attrs / sizeof attrs[0]; k++) {
        size_t i;
        const json_t *a;
        json_array_foreach(json_object_get(patient, "attributes"), i, a)
            if (rniv_attribute_parse(json_string_value(a)) == attrs[k].bit
                && er7w_put(w, 32, rep++, 1, 1, attrs[k].code, err) < 0)
                return -1;
    }
    return 0;
}

static int render(er7_writer *w, const pam_notify_config *cfg, const char *receiver,
                  const char *event, const json_t *p, const char *control_id, time_t now,
                  socle_err *err)
{
    int merge = strcmp(event, "A40") == 0;
    char when[16], at[16];
    if (hl7_time(now, when) < 0 || hl7_time_iso(js(p, "at"), at) < 0)
        return err_set(err, SOCLE_EINVAL, "notification: bad time");
    if (er7w_segment(w, "MSH", err) < 0 || er7w_put(w, 3, 1, 1, 1, cfg->app, err) < 0
        || er7w_put(w, 4, 1, 1, 1, cfg->facility, err) < 0
        || er7w_put(w, 5, 1, 1, 1, receiver, err) < 0 || er7w_put(w, 7, 1, 1, 1, when, err) < 0
        || er7w_put(w, 9, 1, 1, 1, "ADT", err) < 0 || er7w_put(w, 9, 1, 2, 1, event, err) < 0
        || er7w_put(w, 9, 1, 3, 1, merge ? "ADT_A39" : "ADT_A05", err) < 0
        || er7w_put(w, 10, 1, 1, 1, control_id, err) < 0
        || er7w_put(w, 11, 1, 1, 1, "P", err) < 0 || er7w_put(w, 12, 1, 1, 1, "2.5", err) < 0
        || er7w_put(w, 12, 1, 2, 1, "FRA", err) < 0 || er7w_put(w, 12, 1, 3, 1, "2.11", err) < 0
        || er7w_put(w, 17, 1, 1, 1, "FRA", err) < 0
        || er7w_put(w, 18, 1, 1, 1, er7_charset_name(ER7_UTF8), err) < 0)
        return -1;
    if (er7w_segment(w, "EVN", err) < 0 || er7w_put(w, 2, 1, 1, 1, at, err) < 0
        || er7w_put(w, 6, 1, 1, 1, at, err) < 0)
        return -1;
    if (put_pid(w, p, err) < 0)
        return -1;
    if (merge) {
        const json_t *ght = json_object_get(p, "ght");
        char id[32];
        snprintf(id, sizeof id, "%lld",
                 (long long)json_integer_value(json_object_get(json_object_get(p, "merged"),
                                                               "id")));
        if (er7w_segment(w, "MRG", err) < 0
            || put_cx(w, 1, 1, id, js(ght, "name"), js(ght, "oid"), "PI", err) < 0)
            return -1;
    }
    if (er7w_segment(w, "PV1", err) < 0 || er7w_put(w, 1, 1, 1, 1, "1", err) < 0
        || er7w_put(w, 2, 1, 1, 1, "N", err) < 0)
        return -1;
    er7w_end(w);
    return 0;
}

int pam_notify_render(const pam_notify_config *cfg, const char *receiver, const char *event,
                      const char *payload, const char *control_id, time_t now, buf *out,
                      socle_err *err)
{
    if (strcmp(event, "A28") != 0 && strcmp(event, "A31") != 0 && strcmp(event, "A40") != 0)
        return err_set(err, SOCLE_EINVAL, "notification: unknown event '%s'", event);
    json_error_t jerr;
    json_t *p = json_loads(payload, 0, &jerr);
    if (p == NULL)
        return err_set(err, SOCLE_EINVAL, "notification: payload is not JSON: %s", jerr.text);
    int rc = -1;
    if (!json_is_object(json_object_get(p, "patient")) || !json_is_object(json_object_get(p, "ght"))
        || (strcmp(event, "A40") == 0 && !json_is_object(json_object_get(p, "merged")))) {
        err_set(err, SOCLE_EINVAL, "notification: payload without patient, ght or merged");
        goto done;
    }
    size_t mark = out->len;
    er7_writer w;
    if (er7w_init(&w, out, &er7_default_delims, ER7_UTF8, err) == 0
        && render(&w, cfg, receiver, event, p, control_id, now, err) == 0) {
        rc = 0;
    } else {
        err_prefix(err, "notification %s", event);
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
    }
done:
    json_decref(p);
    return rc;
}

/* ---- Reading the acknowledgment --------------------------------------- */

pam_notify_outcome pam_notify_read_ack(const char *ack, size_t len, const char *control_id,
                                       char *detail, size_t n)
{
    socle_err err;
    err_clear(&err);
    er7_message *m = er7_parse(ack, len, &err);
    if (m == NULL) {
        snprintf(detail, n, "unreadable acknowledgment: %s", err.msg);
        return PAM_NOTIFY_RETRY;
    }
    pam_notify_outcome out = PAM_NOTIFY_RETRY;
    size_t msa = er7_find(m, "MSA", 0);
    char code[8], shown[160];
    if (msa == ER7_NONE) {
        snprintf(detail, n, "acknowledgment without MSA");
        goto done;
    }
    er7_slice_show(er7_get(m, msa, 1, 1, 1, 0), code, sizeof code);
    if (!er7_slice_eq(er7_get(m, msa, 2, 1, 1, 0), control_id)) {
        snprintf(detail, n, "%s acknowledges another message (MSA-2 %s)", code,
                 er7_slice_show(er7_get(m, msa, 2, 1, 1, 0), shown, sizeof shown));
        goto done;
    }
    if (strcmp(code, "AA") == 0 || strcmp(code, "CA") == 0)
        out = PAM_NOTIFY_DELIVERED;
    else if (strcmp(code, "AE") == 0 || strcmp(code, "CE") == 0)
        out = PAM_NOTIFY_REJECTED;
    /* AR, CR and codes outside table 0008: try again later. */

    buf b = { 0 };
    buf_puts(&b, code);
    er7_slice text = er7_get(m, msa, 3, 1, 1, 0);  /* MSA-3, kept by older senders */
    if (text.len > 0) {
        buf_puts(&b, ": ");
        buf_puts(&b, er7_slice_show(text, shown, sizeof shown));
    }
    for (size_t k = 0;; k++) {
        size_t e = er7_find(m, "ERR", k);
        if (e == ER7_NONE)
            break;
        buf_puts(&b, k == 0 && text.len == 0 ? ": " : "; ");
        buf_puts(&b, er7_slice_show(er7_get(m, e, 3, 1, 1, 0), shown, sizeof shown));
        er7_slice t = er7_get(m, e, 3, 1, 2, 0);
        if (t.len > 0) {
            buf_putc(&b, ' ');
            buf_puts(&b, er7_slice_show(t, shown, sizeof shown));
        }
        er7_slice user = er7_get(m, e, 8, 1, 1, 0);
        if (user.len > 0) {
            buf_puts(&b, ": ");
            buf_puts(&b, er7_slice_show(user, shown, sizeof shown));
        }
    }
    str_copy(detail, n, buf_cstr(&b));
    buf_free(&b);
done:
    er7_free(m);
    return out;
}
