/*
 * indicators.h - the quality indicators of the identity cell's dashboard,
 * computed from the store's aggregates (store.h), for the whole group or
 * for the establishments an actor is limited to.
 *
 * Definitions (the README's dashboard section repeats them):
 *  - identities: local identities in use (an IPP of an establishment not
 *    merged away by its source), by RNIV status and by establishment;
 *  - INS qualification rate: qualified local identities (status QUAL: INS
 *    verified by INSi and a high-trust proof) over local identities;
 *  - estimated duplicate rate: suspected duplicates over active GHT
 *    identities, where a suspected duplicate is either
 *      . a GHT identity holding two or more IPPs of one establishment
 *        through active links: that person has two records in the
 *        establishment's own file, which its GAM should merge (A40); or
 *      . an open review task (core/review.h): two GHT identities the
 *        matching engine found alike but could not decide on;
 *    the two never overlap (one identity / two identities);
 *  - pending review tasks (open ones) and the age of the oldest;
 *  - merges and unmerges of GHT identities and movements, per week (Monday
 *    to Sunday, UTC) over the last INDICATORS_WEEKS weeks, the current one
 *    last;
 *  - quality alerts (invalid INS received...) per kind, open and all.
 * Aggregates hold no patient data: computing them is not audited.
 */
#ifndef SOCLE_CORE_INDICATORS_H
#define SOCLE_CORE_INDICATORS_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "util/error.h"

struct store;

#define INDICATORS_WEEKS 12
#define INDICATORS_STATUS_COUNT 4   /* RNIV_PROV .. RNIV_QUAL */

/* One establishment (its identification domain). */
typedef struct indicator_ej {
    int64_t domain_id;
    char finess[SOCLE_FINESS_MAX];
    char name[SOCLE_LABEL_MAX];
    int64_t by_status[INDICATORS_STATUS_COUNT];   /* indexed by rniv_status */
    int64_t total;
} indicator_ej;

typedef struct indicator_week {
    char monday[SOCLE_DATE_MAX];     /* its first day, "YYYY-MM-DD" */
    int64_t merges;
    int64_t unmerges;
    int64_t movements;
} indicator_week;

typedef struct indicator_alert {
    char kind[32];                   /* "invalid_ins", ... */
    int64_t open;
    int64_t all;
} indicator_alert;

typedef struct indicators {
    int scoped;                      /* limited to some establishments */
    char computed_at[SOCLE_TS_MAX];
    /* Local identities. */
    int64_t local_total;
    int64_t by_status[INDICATORS_STATUS_COUNT];
    double ins_qualified_rate;       /* 0..1; 0 when there is no identity */
    indicator_ej *ejs;               /* every EJ in scope, by domain id; owned */
    size_t n_ejs;
    /* GHT identities and duplicates. */
    int64_t ght_active;
    int64_t ght_multi_ipp;           /* two IPPs of one establishment */
    double duplicate_rate;           /* (ght_multi_ipp + review_pending) / ght_active */
    /* The review queue (always available now; the flag stays for a
     * store without one): open tasks in scope and the age of the oldest
     * in seconds (-1: none). */
    int review_available;
    int64_t review_pending;
    int64_t review_oldest_age_s;
    /* Per week, oldest first; weeks[INDICATORS_WEEKS - 1] is the current one. */
    indicator_week weeks[INDICATORS_WEEKS];
    /* Quality alerts per kind, by kind; owned. */
    indicator_alert *alerts;
    size_t n_alerts;
} indicators;

/* Compute the indicators as of now_iso ("YYYY-MM-DDTHH:MM:SS...Z"; NULL:
 * now). ej_finess NULL: the whole group; otherwise only the EJs of these
 * FINESS (n_ej of them; an unknown FINESS or none at all gives empty
 * figures, never the group's). *out is reset first; free it always. */
int indicators_compute(struct store *st, const char *const *ej_finess, size_t n_ej,
                       const char *now_iso, indicators *out, socle_err *err);
void indicators_free(indicators *ind);

/* The Monday (UTC) of the week holding day ("YYYY-MM-DD", or a timestamp
 * starting with one), moved by week_offset weeks. 0, or -1 for a bad day. */
int indicators_week_start(const char *day, int week_offset, char out[SOCLE_DATE_MAX]);

#endif
