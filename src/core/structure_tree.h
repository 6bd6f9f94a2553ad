/*
 * structure_tree.h - the structures of the group as one tree (EJ -> EG ->
 * pôle -> service -> UF -> chambre -> lit) with the current occupancy of
 * each bed and the number of beds, and of occupied ones, under each node:
 * what the workbench's Structures page shows.
 *
 * A bed is occupied by a stay in progress whose current location (its
 * latest movement, core/stay.c) resolved to that bed; a patient on
 * temporary leave (A21) keeps it. Which stay holds which bed is patient
 * data: loading the tree is an audited read ("structure.occupancy").
 */
#ifndef SOCLE_CORE_STRUCTURE_TREE_H
#define SOCLE_CORE_STRUCTURE_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "store/store.h"
#include "util/error.h"

#define STRUCTURE_TREE_ROOT ((size_t)-1)

typedef struct structure_tree_item {
    structure_node node;
    size_t parent;            /* index of its parent, STRUCTURE_TREE_ROOT for an EJ */
    size_t end;               /* one past its last descendant: children are [i+1, end) */
    int depth;                /* 0 for an EJ */
    int64_t beds;             /* LIT nodes in its subtree (1 for a bed itself) */
    int64_t occupied;         /* of them, held by a stay */
    /* A LIT only: how many stays hold it (more than one is an inconsistency
     * the page should show) and the first of them. */
    int occupants;
    bed_occupant occupant;
} structure_tree_item;

/* Items depth first, parents before children, siblings by id. */
typedef struct structure_tree {
    structure_tree_item *items;
    size_t n;
    int64_t beds;             /* over the whole tree */
    int64_t occupied;
} structure_tree;

void structure_tree_free(structure_tree *t);

/* Load the tree inside the caller's open transaction, and audit the read.
 * ej_finess NULL: every EJ; otherwise only the EJs of these FINESS (n_ej
 * of them). *t is reset first; free it always. */
int structure_tree_load_in_tx(struct store *st, const socle_actor *actor,
                              const char *const *ej_finess, size_t n_ej,
                              structure_tree *t, socle_err *err);

#endif
