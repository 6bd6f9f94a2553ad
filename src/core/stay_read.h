/*
 * stay_read.h - reads of stays for the query interfaces (FHIR Encounter):
 * one stay with its movements, its establishment and its patient, and a
 * search of stays. Reads of patient data, audited like every read
 * ("stay.read", "stay.search": the names of the criteria, never their
 * values). Both run inside the caller's transaction.
 */
#ifndef SOCLE_CORE_STAY_READ_H
#define SOCLE_CORE_STAY_READ_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

/* A stay as the read interfaces show it. */
typedef struct stay_view {
    stay_record stay;
    id_domain domain;        /* the establishment's identification domain */
    int64_t ght_id;          /* the patient: GHT identity of its local identity */
    movement *moves;         /* n_moves active INSERT rows, by effective date */
    size_t n_moves;
} stay_view;

void stay_view_free(stay_view *v);

/* 1 found, 0 not found, -1 error. *v is reset first; free it always. */
int stay_read_in_tx(struct store *st, const socle_actor *actor, int64_t stay_id,
                    stay_view *v, socle_err *err);

#define STAY_SEARCH_MAX 100
#define STAY_SEARCH_DOMAINS_MAX 16

typedef struct stay_search_criteria {
    int64_t ght_id;                  /* the patient's stays (all its local identities) */
    char nda_domain_oid[SOCLE_OID_MAX];  /* with nda; "" any domain */
    char nda[SOCLE_CODE_MAX];
    unsigned status_mask;            /* bit (1 << stay_status); 0 any */
    char from[SOCLE_TS_MAX];         /* the stay's period meets [from, to] */
    char to[SOCLE_TS_MAX];
    /* The stay's last change (updated_at) in [updated_from, updated_before):
     * UTC "YYYY-MM-DDTHH:MM:SS.mmmZ", "" = open. */
    char updated_from[SOCLE_TS_MAX];
    char updated_before[SOCLE_TS_MAX];
    /* Only stays of these domains (ids), when restrict_domains. */
    int64_t in_domains[STAY_SEARCH_DOMAINS_MAX];
    size_t n_in_domains;
    int restrict_domains;
    size_t limit;                    /* 0 or above the cap: the cap */
    int64_t after_id;                /* continuation */
    int sort;                        /* 0 by id, or +-STORE_SORT_DATE with offset */
    int64_t offset;
    int no_total;                    /* do not count the matches (total stays 0) */
} stay_search_criteria;

typedef struct stay_search_result {
    stay_view *stays;                /* count, by ascending id */
    size_t count;
    int64_t total;                   /* all pages */
    int more;                        /* another page after last_id */
    int64_t last_id;
} stay_search_result;

void stay_search_result_free(stay_search_result *r);

/* No criterion at all -> SOCLE_EINVAL (a query must not list the whole
 * repository); an unknown nda_domain_oid -> an empty result. */
int stay_search_in_tx(struct store *st, const socle_actor *actor,
                      const stay_search_criteria *c, stay_search_result *r, socle_err *err);

#endif
