/*
 * access.h - establishment scoping, shared by every HTTP interface (FHIR,
 * workbench): an account or token limited to some establishments (EJ, by
 * FINESS) sees only the patients and stays known there.
 *
 * A scope is resolved once per request from the FINESS list into the
 * identification domains of those EJs; an unknown FINESS is left out (a
 * scope naming only unknown EJs sees nobody). The rights themselves (who
 * may do what) are http/rights.h's; break-the-glass is decided by the
 * interface and audited there.
 */
#ifndef SOCLE_CORE_ACCESS_H
#define SOCLE_CORE_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/identity_search.h"
#include "core/model.h"
#include "util/error.h"

struct store;

#define ACCESS_MAX_EJ 32

typedef struct access_scope {
    int scoped;                      /* limited to establishments */
    id_domain doms[ACCESS_MAX_EJ];   /* their domains (unknown FINESS left out) */
    size_t n;
} access_scope;

/* Resolve n FINESS (n == 0: not scoped, every establishment). Above
 * ACCESS_MAX_EJ -> SOCLE_EINVAL. */
int access_scope_resolve(struct store *st, const char (*finess)[SOCLE_FINESS_MAX], size_t n,
                         access_scope *sc, socle_err *err);

/* The domain (by OID, by id) is in the scope; always 1 when not scoped. */
int access_scope_has_oid(const access_scope *sc, const char *oid);
int access_scope_has_domain(const access_scope *sc, int64_t domain_id);

/* A patient (its local identities) is known in the scope; 1 when not scoped. */
int access_scope_has_hit(const access_scope *sc, const identity_hit *h);

/* Restrict a search to the scope (no-op when not scoped). Returns 0, or
 * -1 when the scope designates no domain at all (the search would find
 * nobody: the caller answers an empty result). */
int access_scope_restrict_search(const access_scope *sc, identity_search_criteria *c);

#endif
