/*
 * professional.h - the professional directory: health professionals of
 * the national directory (RPPS, or ADELI for the professions not in it
 * yet) and their roles in the group's establishments, loaded from an
 * extract (socle import professionals) and read by the FHIR interface
 * (Practitioner, PractitionerRole).
 *
 * A professional is keyed by its national id (type + value); a role by
 * (professional, EJ, profession, specialty, role code). The establishment
 * of a line is named by FINESS: an EJ's, or an EG's (the role is then the
 * EJ's, where the PractitionerRole.organization points).
 */
#ifndef SOCLE_CORE_PROFESSIONAL_H
#define SOCLE_CORE_PROFESSIONAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

const char *professional_id_type_code(professional_id_type t);  /* "RPPS", "ADELI" */
int professional_id_type_parse(const char *code, professional_id_type *out);  /* 0 or -1 */

/* One line of an extract: a professional and one of its roles. */
typedef struct professional_entry {
    professional pro;                    /* id, version, updated_at ignored */
    professional_role role;              /* ids ignored */
    char ej_finess[SOCLE_FINESS_MAX];    /* FINESS of the EJ or of one of its EG */
} professional_entry;

typedef struct professional_import_result {
    size_t records;
    size_t inserted, updated, unchanged;              /* professionals */
    size_t roles_inserted, roles_updated, roles_unchanged;
    size_t failed_index;                 /* on failure: the entry at fault */
} professional_import_result;

/* Import entries all or nothing, in one transaction with history and one
 * audit record. A professional or role that exists is updated when it
 * differs and left alone when equal, so importing the same extract twice
 * changes nothing. Two lines of one extract giving the same professional
 * different names are an error. Roles absent from the extract are kept
 * (an extract may cover part of the group). On failure nothing is written,
 * err says why (without position) and res->failed_index names the entry. */
int professional_import(struct store *st, const socle_actor *actor,
                        const professional_entry *entries, size_t n,
                        professional_import_result *res, socle_err *err);

/* ---- Reads (audited: "professional.read", "professional.search") ----- */

#define PROFESSIONAL_SEARCH_MAX 100

/* 1 found, 0 not, -1 error; inside the caller's transaction. */
int professional_read_in_tx(struct store *st, const socle_actor *actor, int64_t id,
                            professional *out, socle_err *err);

/* A role with its professional and its EJ. */
typedef struct pro_role_view {
    professional_role role;
    professional pro;
    structure_node ej;
} pro_role_view;

int pro_role_read_in_tx(struct store *st, const socle_actor *actor, int64_t id,
                        pro_role_view *out, socle_err *err);

typedef struct professional_search_criteria {
    int64_t id;                          /* a professional, or a role (roles) */
    int id_type;                         /* with id_value; -1 either */
    char id_value[SOCLE_PRO_ID_MAX];
    char family[SOCLE_NAME_MAX];         /* start of the family name (case, accents ignored) */
    char name[SOCLE_NAME_MAX];           /* start of the family or the given name */
    int64_t professional_id;             /* roles of this professional */
    int64_t ej_id;                       /* with a role in (or roles in) this EJ */
    size_t limit;                        /* 0 or above the cap: the cap */
    int64_t after_id;                    /* continuation */
} professional_search_criteria;

typedef struct professional_search_result {
    professional *pros;                  /* professionals: count of them */
    pro_role_view *roles;                /* roles: count of them */
    size_t count;
    int64_t total;
    int more;
    int64_t last_id;
} professional_search_result;

void professional_search_result_free(professional_search_result *r);

/* Professionals (roles 0) or roles (1) by ascending id. */
int professional_search_in_tx(struct store *st, const socle_actor *actor, int roles,
                              const professional_search_criteria *c,
                              professional_search_result *r, socle_err *err);

#endif
