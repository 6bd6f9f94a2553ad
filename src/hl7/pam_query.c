/*
 * pam_query.c - the query transactions of the interface (pam_job.h):
 * IHE ITI-21 Patient Demographics Query (QBP^Q22 -> RSP^K22^RSP_K21) and
 * ITI-9 PIX Query (QBP^Q23 -> RSP^K23^RSP_K23), HL7 v2.5.
 *
 * The response is built here (j->reply): MSH, MSA and the ERRs by ack.h,
 * then QAK (QPD-2 tag, status, QPD-1, hit counts), QPD echoed as sent,
 * then the patients, in the sender's delimiters and character set. The
 * query and its response are journaled by pam.c like any message (a
 * repeat of the same QBP gets the same RSP), and core/ audits the read.
 *
 * Choices (the profiles leave them open):
 *  - An unknown query name (QPD-1) is answered AE with ERR-3 103 at
 *    QPD-1 (and QAK AE): the name is a table value we do not know, and
 *    sending it again would not help, which is what AR would suggest.
 *  - PIX, identifier unknown in a known domain: AE, ERR QPD^1^3^1^1 204,
 *    QAK AE (ITI-9 case 3, which conformance tools check). Known patient
 *    without an identifier in the domains asked: AA, QAK NF, no PID
 *    (case 2). Unknown domain in QPD-3: AE, QPD^1^3^1^4 204 (case 4); in
 *    QPD-4: AE, QPD^1^4^n 204 (case 5). The identifier queried is not
 *    repeated in PID-3 (ITI-9), unless its domain is asked for.
 *  - PDQ continuation (ITI-21 Continuation Option): supported, without
 *    state. With more matches than RCP-2 asks for (or than the page cap,
 *    IHE's IDENTITY_SEARCH_MAX), the RSP ends with DSC whose pointer
 *    holds the last GHT id returned and a hash of QPD-3 and QPD-8; the
 *    consumer sends the same QBP again with that pointer in DSC-1 (a new
 *    MSH-10) and gets the next page. A pointer that does not match its
 *    query is refused (AE, 102 at DSC-1). Results come by ascending GHT
 *    id, so a page never repeats a patient, and a patient created in
 *    between appears on a later page.
 *  - PID-3 lists, for each patient, the IPPs of its local identities, its
 *    GHT id (in the GHT's domain, type PI) and its INS when qualified
 *    (type INS), restricted to the domains of QPD-8 when given; a patient
 *    with none of them is not a match. PID-5, 7, 8, 11 (birth place) and
 *    32 come from the local identity with the best RNIV status.
 *  - A name the sender's character set cannot carry is sent in its
 *    normalised form (RNIV entry rules: upper case, no diacritics), which
 *    is how PAM FR writes names anyway.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/identity_search.h"
#include "core/ins.h"
#include "core/rniv.h"
#include "hl7/er7_text.h"
#include "hl7/er7_writer.h"
#include "hl7/pam_job.h"
#include "util/random_id.h"
#include "hl7/qpd.h"

/* The response being built. */
typedef struct rsp {
    pam_job *j;
    const char *trigger, *structure;
    const char *status;            /* QAK-2: OK, NF, AE, AR */
    int64_t total, payload, remaining;  /* QAK-4..6; -1: not sent */
    buf body;                      /* the segments after QPD */
} rsp;

/* MSH, MSA, ERR, QAK, QPD, then the body, into j->reply. On failure the
 * job goes on without a reply, and pam.c answers with an ACK. */
static void finish_reply(rsp *r)
{
    pam_job *j = r->j;
    socle_err e;
    char control[17];
    random_hex_id(control, 8);
    ack_params p = {
        .code = j->code,
        .errors = j->errors,
        .n_errors = j->n_errors,
        .app = j->cfg->app,
        .facility = j->cfg->facility,
        .control_id = control,
        .now = time(NULL),
        .msg_type = "RSP",
        .msg_trigger = r->trigger,
        .msg_structure = r->structure,
    };
    buf_reset(&j->reply);
    if (ack_build(j->m, &p, &j->reply, &e) != 0) {
        buf_reset(&j->reply);
        return;
    }
    er7_charset cs;
    if (er7_message_charset(j->m, &cs, NULL) != 0)
        cs = ER7_ASCII;
    er7_writer w;
    size_t qpd = er7_find(j->m, "QPD", 0);
    if (er7w_init(&w, &j->reply, er7_delimiters(j->m), cs, &e) != 0
        || er7w_segment(&w, "QAK", &e) != 0) {
        buf_reset(&j->reply);
        return;
    }
    if (qpd != ER7_NONE)
        er7w_put_raw(&w, 1, 0, 0, 0, er7_field(j->m, qpd, 2), NULL);
    er7w_put(&w, 2, 1, 1, 1, r->status, NULL);
    if (qpd != ER7_NONE)
        er7w_put_raw(&w, 3, 0, 0, 0, er7_field(j->m, qpd, 1), NULL);
    int64_t counts[3] = { r->total, r->payload, r->remaining };
    for (size_t i = 0; i < 3; i++) {
        char n[24];
        snprintf(n, sizeof n, "%" PRId64, counts[i]);
        if (counts[i] >= 0)
            er7w_put(&w, 4 + i, 1, 1, 1, n, NULL);
    }
    er7w_end(&w);
    if (qpd != ER7_NONE) {
        er7_slice seg = er7_segment_text(j->m, qpd);
        buf_append(&j->reply, seg.ptr, seg.len);
        buf_putc(&j->reply, '\r');
    }
    buf_append(&j->reply, r->body.data, r->body.len);
    j->has_reply = 1;
}

/* End the query with an error: AE (or the code given), QAK AE, no PID. */
static void refuse(rsp *r, ack_code code, er7_loc where, ack_errcode err, const char *text)
{
    pam_reject(r->j, code, where, err, text);
    r->status = code == ACK_AR ? "AR" : "AE";
    r->total = r->payload = r->remaining = -1;
    buf_reset(&r->body);
    finish_reply(r);
}

static er7_loc qpd_loc(const pam_job *j, size_t field, size_t rep, size_t comp)
{
    size_t qpd = er7_find(j->m, "QPD", 0);
    er7_loc l = pam_loc(j, "QPD", qpd, field, rep, comp);
    return l;
}

/* ---- Writing a patient ---------------------------------------------------- */

/* Text in the sender's set; a name it cannot carry goes normalised (RNIV
 * entry form, no diacritics), and failing that is left out. */
static void put_text(er7_writer *w, size_t f, size_t r, size_t c, size_t s, const char *t)
{
    if (t == NULL || t[0] == '\0' || er7w_put(w, f, r, c, s, t, NULL) == 0)
        return;
    char norm[SOCLE_GIVENS_MAX * 2];
    if (rniv_normalize_name(t, norm, sizeof norm) == 0)
        er7w_put(w, f, r, c, s, norm, NULL);
}

/* One CX: value^^^name&oid&ISO^type. */
static void put_cx(er7_writer *w, size_t rep, const char *value, const char *name,
                   const char *oid, const char *type)
{
    put_text(w, 3, rep, 1, 0, value);
    put_text(w, 3, rep, 4, 1, name);
    put_text(w, 3, rep, 4, 2, oid);
    er7w_put(w, 3, rep, 4, 3, "ISO", NULL);
    er7w_put(w, 3, rep, 5, 0, type, NULL);
}

/* Is this OID among those asked for (all when none was)? */
static int wanted(const identity_search_criteria *c, const char *oid)
{
    if (c->n_in_domains == 0)
        return 1;
    for (size_t i = 0; i < c->n_in_domains; i++)
        if (strcmp(c->in_domains[i], oid) == 0)
            return 1;
    return 0;
}

static const char *ins_namespace(const char *oid)
{
    return ins_oid_classify(oid) == INS_KIND_NIA ? "ASIP-SANTE-INS-NIA"
                                                 : "ASIP-SANTE-INS-NIR";
}

/* PID-32 (table 0445 FR 2.11): a qualified identity travels as VALI with
 * its INS, a validated one as VALI without; récupérée as PROV. */
static void put_reliability(er7_writer *w, const local_identity *li)
{
    const char *status = li->status == RNIV_QUAL || li->status == RNIV_VALI ? "VALI" : "PROV";
    size_t rep = 1;
    er7w_put(w, 32, rep++, 1, 0, status, NULL);
    static const struct { unsigned bit; const char *code; } attrs[] = {
        { RNIV_ATTR_DOUBTFUL, "DOUT" }, { RNIV_ATTR_FICTITIOUS, "FICT" },
        { RNIV_ATTR_HOMONYM, "HOMA" },
    };
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (li->attributes & attrs[i].bit)
            er7w_put(w, 32, rep++, 1, 0, attrs[i].code, NULL);
}

static void write_pid(er7_writer *w, size_t seq, const identity_hit *h,
                      const identity_search_criteria *c, const char *ght_oid,
                      const char *ght_name)
{
    char n[24];
    er7w_segment(w, "PID", NULL);
    snprintf(n, sizeof n, "%zu", seq);
    er7w_put(w, 1, 1, 1, 0, n, NULL);
    size_t rep = 1;
    for (size_t i = 0; i < h->n_locals; i++)
        if (wanted(c, h->locals[i].domain_oid))
            put_cx(w, rep++, h->locals[i].li.ipp, h->locals[i].domain_name,
                   h->locals[i].domain_oid, "PI");
    if (ght_oid[0] != '\0' && wanted(c, ght_oid)) {
        snprintf(n, sizeof n, "%" PRId64, h->ght_id);
        put_cx(w, rep++, n, ght_name, ght_oid, "PI");
    }
    if (h->ins[0] != '\0' && wanted(c, h->ins_oid))
        put_cx(w, rep++, h->ins, ins_namespace(h->ins_oid), h->ins_oid, "INS");

    const local_identity *li = &h->locals[h->best].li;
    const identity_traits *t = &li->traits;
    put_text(w, 5, 1, 1, 1, t->birth_name);
    put_text(w, 5, 1, 2, 0, t->first_forename);
    put_text(w, 5, 1, 3, 0, t->forenames);
    er7w_put(w, 5, 1, 7, 0, "L", NULL);
    if (t->used_name[0] != '\0') {
        put_text(w, 5, 2, 1, 1, t->used_name);
        put_text(w, 5, 2, 2, 0, t->used_forename);
        er7w_put(w, 5, 2, 7, 0, "D", NULL);
    }
    if (strlen(t->birth_date) == 10) {
        char d[9];
        snprintf(d, sizeof d, "%.4s%.2s%.2s", t->birth_date, t->birth_date + 5,
                 t->birth_date + 8);
        er7w_put(w, 7, 1, 1, 0, d, NULL);
    }
    char sex[2] = { t->sex, '\0' };
    er7w_put(w, 8, 1, 1, 0, sex, NULL);
    if (t->birth_place[0] != '\0') {
        er7w_put(w, 11, 1, 7, 0, "BDL", NULL);
        er7w_put(w, 11, 1, 9, 0, t->birth_place, NULL);
    }
    put_reliability(w, li);
}

/* Does a patient carry an identifier in the domains asked for? */
static int has_wanted(const identity_hit *h, const identity_search_criteria *c,
                      const char *ght_oid)
{
    if (c->n_in_domains == 0 || (ght_oid[0] != '\0' && wanted(c, ght_oid)))
        return 1;
    if (h->ins[0] != '\0' && wanted(c, h->ins_oid))
        return 1;
    for (size_t i = 0; i < h->n_locals; i++)
        if (wanted(c, h->locals[i].domain_oid))
            return 1;
    return 0;
}

/* ---- Continuation pointer -------------------------------------------------- */

/* FNV-1a of the query's criteria as sent: a pointer belongs to them. */
static uint32_t query_hash(const er7_message *m)
{
    size_t qpd = er7_find(m, "QPD", 0);
    uint32_t h = 2166136261u;
    size_t fields[2] = { 3, 8 };
    for (size_t f = 0; f < 2; f++) {
        er7_slice s = er7_field(m, qpd, fields[f]);
        for (size_t i = 0; i < s.len; i++)
            h = (h ^ (unsigned char)s.ptr[i]) * 16777619u;
        h = (h ^ 0x1f) * 16777619u;
    }
    return h;
}

/* "K22-<last GHT id>-<hash>" -> the GHT id; -1 when not ours. */
static int64_t read_pointer(const char *ptr, uint32_t hash)
{
    long long after;
    unsigned h;
    int used = 0;
    if (sscanf(ptr, "K22-%lld-%8x%n", &after, &h, &used) != 2 || ptr[used] != '\0'
        || after < 0 || h != hash)
        return -1;
    return after;
}

/* ---- PDQ --------------------------------------------------------------- */

/* Every domain asked for (QPD-8, QPD-4) must be one we know (ITI-21;
 * ITI-9 case 5). 0, or -1 with the query answered. */
static int check_domains(rsp *r, const qpd_query *q, size_t field)
{
    socle_err e;
    err_clear(&e);
    for (size_t i = 0; i < q->crit.n_in_domains; i++) {
        identity_xid_kind kind;
        id_domain dom;
        int found = identity_domain_classify(r->j->st, q->crit.in_domains[i], &kind, &dom, &e);
        if (found < 0) {
            pam_retry_later(r->j, &e);
            return -1;
        }
        if (!found) {
            refuse(r, ACK_AE, qpd_loc(r->j, field, q->domain_reps[i], 0), ACK_ERR_UNKNOWN_KEY,
                   field == 8 ? "QPD-8: this assigning authority is not a domain known here"
                              : "QPD-4: this assigning authority is not a domain known here");
            return -1;
        }
    }
    return 0;
}

static void map_search_error(rsp *r, const qpd_query *q, const socle_err *e)
{
    pam_job *j = r->j;
    if (e->code == SOCLE_ENOTFOUND) {
        /* The domains of QPD-8 were checked: it is the IPP's authority. */
        refuse(r, ACK_AE, qpd_loc(j, 3, q->authority_rep, 0), ACK_ERR_UNKNOWN_KEY,
               "QPD-3: the assigning authority of the identifier is not a domain of an "
               "establishment known here");
        return;
    }
    if (e->code == SOCLE_EINVAL) {
        refuse(r, ACK_AE, qpd_loc(j, 3, 0, 0),
               strstr(e->msg, "no search criterion") ? ACK_ERR_REQUIRED : ACK_ERR_DATA_TYPE,
               e->msg);
        return;
    }
    pam_retry_later(j, e);
}

void pam_query_pdq(pam_job *j)
{
    rsp r = { .j = j, .trigger = "K22", .structure = "RSP_K21", .status = "OK" };
    qpd_query q;
    qpd_issue issue;
    if (qpd_parse(j->m, QPD_PDQ, &q, &issue) != 0) {
        refuse(&r, ACK_AE, issue.where, (ack_errcode)issue.code, issue.text);
        return;
    }
    uint32_t hash = query_hash(j->m);
    if (q.continuation[0] != '\0') {
        int64_t after = read_pointer(q.continuation, hash);
        if (after < 0) {
            size_t dsc = er7_find(j->m, "DSC", 0);
            refuse(&r, ACK_AE, pam_loc(j, "DSC", dsc, 1, 0, 0), ACK_ERR_DATA_TYPE,
                   "DSC-1: not a continuation pointer of this query");
            return;
        }
        q.crit.after_ght_id = after;
    }
    if (check_domains(&r, &q, 8) != 0)
        return;

    socle_actor actor;
    pam_actor(j, &actor);
    identity_search_result res;
    socle_err e;
    err_clear(&e);
    if (identity_search_in_tx(j->st, &actor, &q.crit, &res, &e) != 0) {
        identity_search_result_free(&res);
        map_search_error(&r, &q, &e);
        buf_free(&r.body);
        return;
    }

    er7_charset cs;
    if (er7_message_charset(j->m, &cs, NULL) != 0)
        cs = ER7_ASCII;
    er7_writer w;
    er7w_init(&w, &r.body, er7_delimiters(j->m), cs, NULL);
    size_t seq = 0;
    for (size_t i = 0; i < res.count; i++)
        if (has_wanted(&res.hits[i], &q.crit, res.ght_oid))
            write_pid(&w, ++seq, &res.hits[i], &q.crit, res.ght_oid, res.ght_name);
    if (res.more) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "K22-%" PRId64 "-%08x", res.last_ght_id, hash);
        er7w_segment(&w, "DSC", NULL);
        er7w_put(&w, 1, 1, 1, 0, ptr, NULL);
        er7w_put(&w, 2, 1, 1, 0, "I", NULL);
    }
    er7w_end(&w);

    r.status = seq > 0 || res.more ? "OK" : "NF";
    r.total = res.total;
    r.payload = (int64_t)seq;
    r.remaining = res.remaining;
    j->code = ACK_AA;
    snprintf(j->detail, sizeof j->detail, "PDQ: %zu patients of %" PRId64 "%s", seq,
             res.total, res.more ? ", more to continue" : "");
    identity_search_result_free(&res);
    finish_reply(&r);
    buf_free(&r.body);
}

/* ---- PIX --------------------------------------------------------------- */

void pam_query_pix(pam_job *j)
{
    rsp r = { .j = j, .trigger = "K23", .structure = "RSP_K23", .status = "OK",
              .total = -1, .payload = -1, .remaining = -1 };
    qpd_query q;
    qpd_issue issue;
    if (qpd_parse(j->m, QPD_PIX, &q, &issue) != 0) {
        refuse(&r, ACK_AE, issue.where, (ack_errcode)issue.code, issue.text);
        return;
    }

    if (check_domains(&r, &q, 4) != 0)
        return;

    socle_err e;
    err_clear(&e);
    socle_actor actor;
    pam_actor(j, &actor);
    identity_xref_result x;
    int found = identity_xref_in_tx(j->st, &actor, q.pix_oid, q.pix_value, &x, &e);
    if (found < 0) {
        identity_xref_result_free(&x);
        if (e.code == SOCLE_ENOTFOUND)
            refuse(&r, ACK_AE, qpd_loc(j, 3, 1, 4), ACK_ERR_UNKNOWN_KEY,
                   "QPD-3.4: the assigning authority is not a domain known here");
        else
            pam_retry_later(j, &e);
        return;
    }
    if (!found) {
        identity_xref_result_free(&x);
        refuse(&r, ACK_AE, qpd_loc(j, 3, 1, 1), ACK_ERR_UNKNOWN_KEY,
               "QPD-3.1: no patient with this identifier in this domain");
        return;
    }

    er7_charset cs;
    if (er7_message_charset(j->m, &cs, NULL) != 0)
        cs = ER7_ASCII;
    er7_writer w;
    er7w_init(&w, &r.body, er7_delimiters(j->m), cs, NULL);
    size_t rep = 0;
    for (size_t i = 0; i < x.count; i++) {
        const identity_xid *id = &x.ids[i];
        int queried = strcmp(id->domain_oid, q.pix_oid) == 0
                   && strcmp(id->value, q.pix_value) == 0;
        /* The identifier queried is not returned, unless its domain was
         * asked for by name. */
        if (!wanted(&q.crit, id->domain_oid) || (queried && q.crit.n_in_domains == 0))
            continue;
        if (rep == 0) {
            er7w_segment(&w, "PID", NULL);
            er7w_put(&w, 1, 1, 1, 0, "1", NULL);
        }
        put_cx(&w, ++rep, id->value, id->domain_name, id->domain_oid,
               id->kind == IDENTITY_XID_INS ? "INS" : "PI");
    }
    if (rep > 0) {
        /* ITI-9: no demographics in a PIX answer; PID-5, required, is an
         * empty name then one of type S (pseudonym). */
        er7w_put(&w, 5, 2, 7, 0, "S", NULL);
    }
    er7w_end(&w);
    r.status = rep > 0 ? "OK" : "NF";
    j->code = ACK_AA;
    snprintf(j->detail, sizeof j->detail, "PIX: GHT identity %" PRId64 ", %zu identifiers",
             x.ght_id, rep);
    identity_xref_result_free(&x);
    finish_reply(&r);
    buf_free(&r.body);
}
