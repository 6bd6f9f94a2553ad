/*
 * page_patient_actions.c - the actions of the Fiche identité: Défusionner
 * (identity_unmerge), justificatif d'identité (identity_record_proof),
 * attribut douteuse (identity_set_attribute). Each checks that the patient
 * (and the local identity) is within the account's establishments, runs
 * the core command (one transaction with its history and audit), and
 * redirects to the record with a message (POST, then GET).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/identity.h"
#include "core/identity_search.h"
#include "core/identity_view.h"
#include "web/web_pages.h"

typedef struct action_args {
    int64_t ght_id;
    int64_t local_id;            /* 0: the patient only */
    int64_t merge_id;            /* 0: no merge to check */
    int allowed;
    const char *reason;
    const char *document;
    unsigned attr;
    int on;
    int rc;                      /* the core command's */
    socle_err cmd_err;
} action_args;

/* Is the patient (and its local identity, its merge) the account's? */
static int check_fn(store *st, web_ctx *c, void *arg)
{
    action_args *a = arg;
    identity_patient p;
    int found = identity_patient_read_in_tx(st, &c->actor, a->ght_id, &p, &c->err);
    if (found <= 0) {
        identity_patient_free(&p);
        return found;
    }
    int ok = p.ght.state == GHT_ACTIVE && access_scope_has_hit(&c->scope, &p.hit);
    if (ok && a->local_id > 0) {
        ok = 0;
        for (size_t i = 0; i < p.hit.n_locals; i++)
            if (p.hit.locals[i].li.id == a->local_id
                && access_scope_has_oid(&c->scope, p.hit.locals[i].domain_oid))
                ok = 1;
    }
    identity_patient_free(&p);
    if (ok && a->merge_id > 0) {
        identity_merge_rec m[IDENTITY_VIEW_MERGES_MAX];
        size_t n = 0;
        if (identity_merges_in_tx(st, a->ght_id, m, IDENTITY_VIEW_MERGES_MAX, &n, &c->err))
            return -1;
        ok = 0;
        for (size_t i = 0; i < n; i++)
            if (m[i].id == a->merge_id && m[i].survivor_id == a->ght_id)
                ok = 1;
    }
    a->allowed = ok;
    return 0;
}

static int unmerge_fn(store *st, web_ctx *c, void *arg)
{
    action_args *a = arg;
    a->rc = identity_unmerge(st, &c->actor, a->merge_id, a->reason, &a->cmd_err);
    return 0;
}

static int proof_fn(store *st, web_ctx *c, void *arg)
{
    action_args *a = arg;
    a->rc = identity_record_proof(st, &c->actor, a->local_id, a->document, &a->cmd_err);
    return 0;
}

static int attribute_fn(store *st, web_ctx *c, void *arg)
{
    action_args *a = arg;
    a->rc = identity_set_attribute(st, &c->actor, a->local_id, a->attr, a->on, a->reason,
                                   &a->cmd_err);
    return 0;
}

static int64_t id_param(const web_ctx *c, const char *name)
{
    const char *s = web_param(c, name);
    if (s == NULL || s[0] < '1' || s[0] > '9')
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

static void back(web_ctx *c, int64_t ght_id, const char *what, const char *value)
{
    char to[128];
    snprintf(to, sizeof to, "/patient/%" PRId64 "?%s=%s", ght_id, what, value);
    web_redirect(c, to);
}

static int act(web_ctx *c, action_args *a, web_store_fn fn, const char *done)
{
    a->ght_id = web_patient_id(c);
    if (a->ght_id <= 0) {
        web_error(c, 404, "Ce patient n'existe pas.");
        return 0;
    }
    if (web_tx(c, check_fn, a) != 0)
        return -1;
    if (!a->allowed) {
        char id[32];
        snprintf(id, sizeof id, "%" PRId64, a->ght_id);
        web_audit(c, "web.action", "ght_identity", id, "denied",
                  "outside the account's establishments, or not this patient's");
        web_error(c, 403, "Cette action ne porte pas sur un patient de vos établissements.");
        return 0;
    }
    err_clear(&a->cmd_err);
    if (web_store(c, fn, a) != 0)
        return -1;
    if (a->rc == 0) {
        back(c, a->ght_id, "fait", done);
        return 0;
    }
    switch (a->cmd_err.code) {
    case SOCLE_ERULE:     back(c, a->ght_id, "erreur", "regle"); return 0;
    case SOCLE_EINVAL:    back(c, a->ght_id, "erreur", "invalide"); return 0;
    case SOCLE_ENOTFOUND: back(c, a->ght_id, "erreur", "introuvable"); return 0;
    case SOCLE_ECONFLICT: back(c, a->ght_id, "erreur", "conflit"); return 0;
    default:
        c->err = a->cmd_err;
        return -1;
    }
}

static const char *reason_param(const web_ctx *c)
{
    const char *r = web_param(c, "motif");
    return r && r[0] && strlen(r) < SOCLE_REASON_MAX ? r : NULL;
}

int web_page_patient_unmerge(web_ctx *c)
{
    action_args a = { .merge_id = id_param(c, "fusion"), .reason = reason_param(c) };
    if (a.merge_id == 0 || a.reason == NULL) {
        int64_t g = web_patient_id(c);
        if (g > 0) {
            back(c, g, "erreur", "invalide");
            return 0;
        }
    }
    return act(c, &a, unmerge_fn, "defusion");
}

int web_page_patient_proof(web_ctx *c)
{
    action_args a = { .local_id = id_param(c, "local"), .document = web_param(c, "document") };
    if (a.local_id == 0 || a.document == NULL) {
        web_error(c, 400, "Le formulaire envoyé est incomplet.");
        return 0;
    }
    return act(c, &a, proof_fn, "preuve");
}

int web_page_patient_attribute(web_ctx *c)
{
    const char *name = web_param(c, "attribut"), *value = web_param(c, "valeur");
    action_args a = { .local_id = id_param(c, "local"), .reason = reason_param(c) };
    if (name && strcmp(name, "douteuse") == 0) a.attr = RNIV_ATTR_DOUBTFUL;
    else if (name && strcmp(name, "fictive") == 0) a.attr = RNIV_ATTR_FICTITIOUS;
    else if (name && strcmp(name, "homonyme") == 0) a.attr = RNIV_ATTR_HOMONYM;
    a.on = value && strcmp(value, "1") == 0;
    if (a.local_id == 0 || a.attr == 0 || a.reason == NULL) {
        int64_t g = web_patient_id(c);
        if (g > 0 && a.local_id != 0 && a.attr != 0) {
            back(c, g, "erreur", "invalide");
            return 0;
        }
        web_error(c, 400, "Le formulaire envoyé est incomplet.");
        return 0;
    }
    return act(c, &a, attribute_fn, "attribut");
}
