/*
 * structure.h - the repository of the group's structures: EJ, EG, pôle,
 * service, UF, chambre, lit, as one tree with validity periods.
 *
 * Every code is unique in the repository (the import references parents by
 * code alone). Allowed parents, always of a higher level, so no cycle can
 * form: EG -> EJ; POLE -> EJ|EG; SERVICE -> EJ|EG|POLE; UF -> EJ|EG|POLE|
 * SERVICE; CHAMBRE -> UF; LIT -> CHAMBRE. An EJ is a root and carries a
 * FINESS and the OID of the identification domain of its IPPs; an EG
 * carries a FINESS.
 */
#ifndef SOCLE_CORE_STRUCTURE_H
#define SOCLE_CORE_STRUCTURE_H

#include <stddef.h>

#include "core/model.h"
#include "util/error.h"

struct store;

const char *structure_kind_code(structure_kind k);   /* "EJ", "EG", "POLE"... */
int structure_kind_parse(const char *code, structure_kind *out);  /* 0 or -1 */
/* Whether a node of kind child may hang under a node of kind parent. */
int structure_parent_allowed(structure_kind child, structure_kind parent);

typedef struct structure_import_result {
    size_t records;
    size_t inserted;
    size_t updated;
    size_t unchanged;
    size_t failed_index;  /* on failure: index of the node at fault */
} structure_import_result;

/* Import nodes (parent_code set, parent_id ignored) all or nothing, in one
 * transaction with history and one audit record. A node whose code exists
 * is updated when it differs and left alone when equal, so importing the
 * same list twice changes nothing. Parents must exist already or come
 * earlier in the list. EJ nodes create or update their identification
 * domain. On failure nothing is written, err says why (without position)
 * and res->failed_index names the node. */
int structure_import(struct store *st, const socle_actor *actor,
                     const structure_node *nodes, size_t n,
                     structure_import_result *res, socle_err *err);

/* Find an EJ by FINESS. 1 found, 0 not, -1 error. */
int structure_find_ej(struct store *st, const char *finess, structure_node *out,
                      socle_err *err);

/* Make sure the GHT's own identification domain exists. With oid NULL a
 * new domain gets a unique OID under the UUID arc 2.25 (ITU-T X.667) until
 * the GHT sets its registered one; an existing domain is kept. With an oid,
 * the domain is created or its OID and name updated. One transaction,
 * audited when it changes something. */
int ght_domain_ensure(struct store *st, const socle_actor *actor, const char *oid,
                      const char *name, id_domain *out, socle_err *err);

#endif
