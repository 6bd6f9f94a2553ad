/*
 * structure_read.h - reads of the structures repository for the query
 * interfaces (FHIR Organization and Location): one node with what its
 * resource shows (the UF that manages a room or bed, the occupancy of a
 * bed), and a search of nodes. Audited like every read of the interfaces
 * ("structure.read", "structure.search": criteria names, never values).
 * Both run inside the caller's transaction.
 */
#ifndef SOCLE_CORE_STRUCTURE_READ_H
#define SOCLE_CORE_STRUCTURE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

typedef struct structure_view {
    structure_node node;
    int64_t uf_id;          /* CHAMBRE: its UF; LIT: its room's UF; else 0 */
    int occupancy_known;    /* LIT: occupied below is meaningful */
    int64_t occupied;       /* LIT: stays in progress whose current bed it is */
} structure_view;

/* 1 found, 0 not found, -1 error. kind_mask (bit 1 << structure_kind, 0
 * any) restricts the kinds that count as found. */
int structure_read_in_tx(struct store *st, const socle_actor *actor, int64_t id,
                         unsigned kind_mask, structure_view *out, socle_err *err);

#define STRUCTURE_SEARCH_MAX 100

typedef struct structure_search_criteria {
    int64_t id;
    unsigned kind_mask;              /* 0 any */
    char code[SOCLE_CODE_MAX];       /* exact */
    char finess[SOCLE_FINESS_MAX];   /* exact */
    char code_or_finess[SOCLE_CODE_MAX];  /* exact, either */
    char name[SOCLE_LABEL_MAX];      /* the label starts with it, case ignored */
    int64_t parent_id;               /* direct children */
    size_t limit;                    /* 0 or above the cap: the cap */
    int64_t after_id;                /* continuation */
} structure_search_criteria;

typedef struct structure_search_result {
    structure_view *views;           /* count, by ascending id */
    size_t count;
    int64_t total;                   /* all pages */
    int more;                        /* another page after last_id */
    int64_t last_id;
} structure_search_result;

void structure_search_result_free(structure_search_result *r);

/* The repository is small and not patient data: no criterion is fine
 * (every node of the kinds, a page at a time). */
int structure_search_in_tx(struct store *st, const socle_actor *actor,
                           const structure_search_criteria *c, structure_search_result *r,
                           socle_err *err);

#endif
