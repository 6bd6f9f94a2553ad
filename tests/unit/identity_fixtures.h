/*
 * identity_fixtures.h - a temporary store with two establishments and the
 * helpers shared by the identity repository unit tests (test_identity.c,
 * test_merge.c).
 *
 * Synthetic people only (names ending in -TEST); every INS is computed with
 * ins_compute_key from a prefix consistent with sex and birth date.
 */
#ifndef SOCLE_TESTS_IDENTITY_FIXTURES_H
#define SOCLE_TESTS_IDENTITY_FIXTURES_H

#include <stdint.h>

#include "audit/audit.h"
#include "core/identity.h"
#include "core/model.h"
#include "store/store.h"

/* ---- Fixture ---------------------------------------------------------- */

/* The two establishments (EJ-A, EJ-B) of the store, and an OID none declares. */
#define OID_A "1.2.250.1.999.1"
#define OID_B "1.2.250.1.999.2"
#define OID_UNKNOWN "1.2.250.1.999.77"

extern store *st;                  /* the store of the running test */
extern const socle_actor actor;    /* "test:unit", identitovigilant */

/* TestSuite .init / .fini: a fresh store in a temporary directory with the
 * GHT domain and the two establishments; closed and removed afterwards. */
void identity_setup(void);
void identity_teardown(void);

/* ---- Inputs ----------------------------------------------------------- */

/* An INS (NIR layout) consistent with sex and birth date: sex digit, year
 * mod 100, month, then department/commune "75056" and an order number. */
void make_ins(char out[SOCLE_INS_MAX], char sex, const char *birth_date, int order);

/* A source's input for (oid, ipp) with these traits and nothing else. */
identity_input input(const char *oid, const char *ipp, identity_traits t);

/* Add an INS (from make_ins, order) to the input, INSi-verified or not. */
void with_ins(identity_input *in, int order, int insi_verified);

/* A distinct synthetic person: name, sex, birth date, born in Paris. */
identity_traits person(const char *name, char sex, const char *birth_date);

/* The same person as t registered in a hurry by another establishment:
 * under another family name (a married name, or a mistake) and a usual
 * forename. Same sex and birth date, so an INS still designates the
 * person, but the real-time matching is not sure (a review at most): the
 * two stay apart until an INS, a source or the identity cell joins them. */
identity_traits hurried(identity_traits t);

/* ---- Commands --------------------------------------------------------- */

/* identity_upsert that must succeed. */
identity_result upsert_ok(const identity_input *in);

/* Create a local identity (its own new GHT identity unless an INS links
 * it); create_with_ins adds an INSi-verified INS of that order. */
identity_result create(const char *oid, const char *ipp, identity_traits t);
identity_result create_with_ins(const char *oid, const char *ipp, identity_traits t,
                                int order);

/* ---- Reads of the store (not audited) --------------------------------- */

/* The store's counts. */
store_counts counts(void);

/* Two counts must be equal: nothing was written in between. */
void assert_counts_eq(store_counts a, store_counts b);

/* A local / GHT identity that must exist. */
local_identity get_local(int64_t id);
ght_identity get_ght(int64_t id);

/* History of one object (the first 16 entries; n counts them all). */
typedef struct hist_list {
    int n;
    char action[16][64];
    int has_before[16];
    int has_after[16];
    char reason[16][SOCLE_REASON_MAX];
} hist_list;

hist_list history(const char *type, int64_t id);

/* Audit records from a seq on (the first 32; n counts them all). */
typedef struct audit_list {
    int n;
    audit_record rec[32];
} audit_list;

audit_list audit_since(int64_t from_seq);

/* Links of a GHT identity or a local identity (the first 16; n counts them
 * all). collect_link is the store_link_foreach_* callback filling one. */
typedef struct link_list {
    int n;
    identity_link l[16];
} link_list;

int collect_link(const identity_link *l, void *ctx);
link_list active_links_of_ght(int64_t ght_id);
link_list links_of_local(int64_t local_id);

/* The audit chain verifies and holds every record. */
void assert_audit_intact(void);

/* A man born 1980-03-15 in Paris; a woman born 1992-11-02 in Rennes. */
identity_traits traits_m(void);
identity_traits traits_f(void);

/* The stored identity satisfies every RNIV invariant (rniv_check). */
void assert_rniv_ok(const local_identity *li);

/* An id as the text the audit trail records. */
void id_text(char *out, size_t n, int64_t id);

#endif
