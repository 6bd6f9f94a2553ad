/*
 * pam_identifiers.c - PID-3 of a PAM FR message: the IPP with its assigning
 * authority, and the INS (NIR or NIA), kept only when valid and asserted by
 * a VALI status; everything else set aside with a warning.
 */
#include <stdio.h>
#include <string.h>

#include "core/ins.h"
#include "hl7/pam_internal.h"

/* ---- PID-3: IPP and INS ---------------------------------------------- */

/* The IPP's assigning authority, CX-4 = HD namespace & universal id & type. */
static void map_authority(ctx *c, size_t rep)
{
    pam_identity *o = c->out;
    if (pam_get(c, 3, rep, 4, 0).len == 0) {
        /* Not defaulted from MSH-3/4: one interface may carry several EJs,
         * and a wrong domain would attach the IPP to another patient. */
        fail(c, HL7_REQUIRED, pam_at(c, 3, rep, 4, 0), "PID-3.4: the IPP has no assigning "
             "authority");
        return;
    }
    pam_decode(c, PAM_ISSUE_ERROR, pam_get(c, 3, rep, 4, 1), pam_at(c, 3, rep, 4, 1),
           "PID-3.4.1 namespace", o->domain_name, sizeof o->domain_name);

    er7_slice uid = pam_get(c, 3, rep, 4, 2), type = pam_get(c, 3, rep, 4, 3);
    er7_loc where = pam_at(c, 3, rep, 4, 2);
    char u[SOCLE_OID_MAX], q[32];
    if (pam_blank(uid)) {
        if (o->domain_name[0] == '\0')
            fail(c, HL7_REQUIRED, pam_at(c, 3, rep, 4, 0),
                 "PID-3.4: the IPP's assigning authority is empty");
        return;
    }
    if (pam_decode(c, PAM_ISSUE_ERROR, uid, where, "PID-3.4.2 universal id", u, sizeof u) != 0)
        return;
    if (er7_slice_eq(type, "ISO")) {
        if (pam_is_oid(u))
            memcpy(o->input.domain_oid, u, sizeof u);
        else
            fail(c, HL7_DATA_TYPE, where, "PID-3.4.2 is not an OID although PID-3.4.3 is ISO");
    } else if (er7_slice_eq(type, "M") || er7_slice_eq(type, "N")) {
        /* FINESS of the EJ (M) or of the EG (N). Both designate the EJ's
         * IPP domain for the caller, who compares by value, not by type
         * (the ANS examples mix both for the same number). */
        if (pam_is_code(u, 9))
            memcpy(o->domain_finess, u, 10);
        else
            fail(c, HL7_DATA_TYPE, where, "PID-3.4.2 is not a FINESS number (9 characters) "
                 "although PID-3.4.3 is %s", pam_code_text(type, q));
    } else if (pam_is_oid(u)) {
        /* A dotted OID under a missing or local type (L): unambiguous. */
        memcpy(o->input.domain_oid, u, sizeof u);
    } else if (o->domain_name[0] != '\0') {
        warn(c, HL7_DATA_TYPE, pam_at(c, 3, rep, 4, 3), "PID-3.4.2 of type %s is neither an "
             "OID nor a FINESS; the authority is known by its namespace only",
             pam_code_text(type, q));
    } else {
        fail(c, HL7_DATA_TYPE, where, "PID-3.4.2 of type %s is neither an OID nor a FINESS",
             pam_code_text(type, q));
    }
}

static void map_ipp(ctx *c, size_t rep)
{
    identity_input *in = &c->out->input;
    if (pam_blank(pam_get(c, 3, rep, 1, 0)))
        fail(c, HL7_REQUIRED, pam_at(c, 3, rep, 1, 0), "PID-3.1: the IPP is empty");
    else
        pam_component(c, 3, rep, 1, "PID-3.1 IPP", in->ipp, sizeof in->ipp);
    map_authority(c, rep);
}

/* Remember why the sender's INS was refused (the warning just reported),
 * so that the caller can raise a quality alert for the identity cell. */
static void note_refusal(ctx *c)
{
    const pam_issues *is = c->issues;
    if (c->out->ins_refused[0] == '\0' && is->count > 0)
        memcpy(c->out->ins_refused, is->items[is->count - 1].text,
               sizeof c->out->ins_refused);
}

/* A valid INS seen in PID-3, before the choice between NIR and NIA. */
typedef struct ins_seen {
    size_t rep;                 /* 0: none */
    char value[SOCLE_INS_MAX];
} ins_seen;

/* One PID-3 repetition of type INS. Whatever is wrong with it drops the
 * INS only (a warning): the identity is still good without it. */
static void map_ins(ctx *c, size_t rep, ins_seen *nir, ins_seen *nia)
{
    er7_slice value = pam_get(c, 3, rep, 1, 0), raw_oid = pam_get(c, 3, rep, 4, 2);
    er7_loc value_at = pam_at(c, 3, rep, 1, 0), oid_at = pam_at(c, 3, rep, 4, 2);
    if (er7_is_null(value)) {
        c->out->ins_delete = 1;  /* A47: delete the INS, NIR and NIA alike */
        return;
    }
    if (value.len == 0) {
        warn(c, HL7_REQUIRED, value_at, "PID-3 repetition %zu: INS without a value; "
             "ignored", rep);
        return;
    }

    char oid[SOCLE_OID_MAX], q[32];
    if (pam_decode(c, PAM_ISSUE_WARNING, raw_oid, oid_at, "PID-3.4.2 INS OID", oid,
               sizeof oid) != 0)
        return;
    ins_oid_kind kind = ins_oid_classify(oid);
    if (kind == INS_KIND_NIR_TEST || kind == INS_KIND_NIR_DEMO) {
        warn(c, HL7_DATA_TYPE, oid_at, "PID-3 repetition %zu: INS under the %s OID %s; "
             "not a real INS, dropped", rep,
             kind == INS_KIND_NIR_TEST ? "test" : "demonstration", oid);
        note_refusal(c);
        return;
    }
    if (kind != INS_KIND_NIR && kind != INS_KIND_NIA) {
        warn(c, HL7_DATA_TYPE, oid_at, "PID-3 repetition %zu: INS OID %s is neither "
             "INS-NIR (%s) nor INS-NIA (%s); dropped", rep, pam_code_text(raw_oid, q),
             INS_OID_NIR, INS_OID_NIA);
        note_refusal(c);
        return;
    }

    /* Decoded with room to spare, so that a wrong length is told by
     * ins_check like any other defect. Spaces are not stripped: PAM FR
     * sends the 15 characters bare, and a matricule that needs repair is
     * not one INSi returned. */
    char m[64], why[128];
    if (pam_decode(c, PAM_ISSUE_WARNING, value, value_at, "PID-3.1 INS", m, sizeof m) != 0)
        return;
    if (!ins_check(m, why, sizeof why)) {
        warn(c, HL7_DATA_TYPE, value_at, "PID-3 repetition %zu: INS %s; dropped", rep, why);
        note_refusal(c);
        return;
    }

    ins_seen *slot = kind == INS_KIND_NIR ? nir : nia;
    if (slot->rep == 0) {
        slot->rep = rep;
        memcpy(slot->value, m, INS_LEN + 1);  /* ins_check: 15 characters */
    } else if (strcmp(slot->value, m) != 0) {
        warn(c, HL7_DATA_TYPE, value_at, "PID-3 repetition %zu: a second, different "
             "INS-%s; the first one (repetition %zu) is kept", rep,
             kind == INS_KIND_NIR ? "NIR" : "NIA", slot->rep);
    }
}

/* Decide on the INS once PID-32 and the traits are known. */
static void choose_ins(ctx *c, const ins_seen *nir, const ins_seen *nia)
{
    identity_input *in = &c->out->input;
    /* PAM FR: the NIR supersedes the NIA (an A31 after the NIR is known
     * may carry both). A valid NIA next to a NIR is not worth a warning. */
    const ins_seen *pick = nir->rep != 0 ? nir : nia;
    if (pick->rep == 0)
        return;
    er7_loc where = pam_at(c, 3, pick->rep, 0, 0);
    char why[128];
    if (c->out->ins_delete) {
        /* Deleting and setting at once: the deletion is the safe half. */
        warn(c, HL7_DATA_TYPE, where, "PID-3 carries both the INS deletion form (\"\") "
             "and an INS; the INS is dropped");
    } else if (!c->vali) {
        warn(c, HL7_DATA_TYPE, where, "PID-3 repetition %zu: INS dropped, PID-32 does not "
             "say VALI (PAM FR sends the INS only with VALI)", pick->rep);
    } else if (c->sex_ok && c->date_ok
               && !ins_consistent_with(pick->value, in->traits.sex,
                                       in->traits.birth_date, why, sizeof why)) {
        /* An INS whose sex or birth digits contradict PID-7/8 belongs to
         * someone else or goes with wrong traits: either way not stored. */
        warn(c, HL7_DATA_TYPE, where, "PID-3 repetition %zu: INS dropped, %s",
             pick->rep, why);
        note_refusal(c);
    } else {
        memcpy(in->ins, pick->value, sizeof in->ins);
        const char *oid = pick == nir ? INS_OID_NIR : INS_OID_NIA;
        memcpy(in->ins_oid, oid, strlen(oid) + 1);
        /* PAM FR: an INS with VALI was returned or checked by INSi. */
        in->insi_verified = 1;
        if (in->traits.birth_place[0] == '\0')
            warn(c, HL7_REQUIRED,
                 c->bdl_rep ? pam_at(c, 11, c->bdl_rep, 9, 0) : pam_at(c, 11, 0, 0, 0),
                 "PID-11: the birth place (XAD-7 BDL, INSEE code in XAD-9) is "
                 "required with an INS");
    }
}

void pam_map_ids(ctx *c)
{
    size_t ipp = 0;
    ins_seen nir = {0}, nia = {0};
    size_t reps = er7_count(c->m, c->pid, 3, 0, 0);
    for (size_t r = 1; r <= reps; r++) {
        er7_slice type = pam_get(c, 3, r, 5, 0);
        if (er7_slice_eq(type, "PI")) {
            if (ipp == 0) {
                ipp = r;
                map_ipp(c, r);
            } else if (!pam_same(pam_get(c, 3, r, 1, 0), pam_get(c, 3, ipp, 1, 0))
                       || !pam_same(pam_get(c, 3, r, 4, 0), pam_get(c, 3, ipp, 4, 0))) {
                warn(c, HL7_DATA_TYPE, pam_at(c, 3, r, 0, 0), "PID-3 repetition %zu: "
                     "another IPP (PI); the first one (repetition %zu) is kept", r, ipp);
            }
        } else if (er7_slice_eq(type, "INS")) {
            map_ins(c, r, &nir, &nia);
        }
        /* Ignored without a word: NH (the billing NIR, under the same OID
         * as the INS-NIR but not an INS), INS-C, AN, VN, PN, NDP, MR, and
         * untyped local ids (e.g. appointment platforms). None is ours. */
    }
    if (ipp == 0)
        fail(c, HL7_REQUIRED, pam_at(c, 3, 0, 0, 0), "PID-3: no IPP (CX-5 PI)");
    choose_ins(c, &nir, &nia);
}

