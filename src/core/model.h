/*
 * model.h - the domain's data types, shared by core/ (which owns the rules)
 * and store/ (which persists them).
 *
 * Records are plain values with fixed-size, NUL-terminated text fields, so
 * they can be copied and compared freely. Lengths are in bytes of UTF-8;
 * input longer than a field is rejected by validation, never truncated.
 */
#ifndef SOCLE_CORE_MODEL_H
#define SOCLE_CORE_MODEL_H

#include <stdint.h>

#define SOCLE_CODE_MAX   64   /* structure codes, IPP */
#define SOCLE_LABEL_MAX  256
#define SOCLE_OID_MAX    128
#define SOCLE_NAME_MAX   256  /* birth name, used name (RNIV: 100 characters) */
#define SOCLE_GIVEN_MAX  128  /* one forename */
#define SOCLE_GIVENS_MAX 512  /* list of birth forenames */
#define SOCLE_DATE_MAX   11   /* YYYY-MM-DD */
#define SOCLE_TS_MAX     32   /* ISO 8601 timestamp */
#define SOCLE_FINESS_MAX 10   /* 9 characters */
#define SOCLE_INS_MAX    16   /* 15 characters */
#define SOCLE_COG_MAX    6    /* INSEE code, 5 characters */
#define SOCLE_ACTOR_MAX  128
#define SOCLE_ROLE_MAX   32
#define SOCLE_REASON_MAX 512

/* Who performs an action: a user login, a token subject, an interface
 * ("hl7:SENDER"), or the command line ("cli:USER"). */
typedef struct socle_actor {
    char id[SOCLE_ACTOR_MAX];
    char role[SOCLE_ROLE_MAX];
} socle_actor;

/* ---- Structures of the group ------------------------------------------ */

typedef enum structure_kind {
    STRUCTURE_EJ = 0,   /* entité juridique */
    STRUCTURE_EG,       /* entité géographique (établissement) */
    STRUCTURE_POLE,
    STRUCTURE_SERVICE,
    STRUCTURE_UF,       /* unité fonctionnelle */
    STRUCTURE_CHAMBRE,
    STRUCTURE_LIT,
    STRUCTURE_KIND_COUNT
} structure_kind;

typedef struct structure_node {
    int64_t id;                          /* 0 until stored */
    structure_kind kind;
    char code[SOCLE_CODE_MAX];           /* unique in the whole repository */
    char label[SOCLE_LABEL_MAX];
    int64_t parent_id;                   /* 0 for a root (EJ) */
    char parent_code[SOCLE_CODE_MAX];    /* "" for a root */
    char finess[SOCLE_FINESS_MAX];       /* required for EJ and EG */
    char oid[SOCLE_OID_MAX];             /* EJ: assigning authority of its IPPs */
    char valid_from[SOCLE_DATE_MAX];     /* "" = since always */
    char valid_to[SOCLE_DATE_MAX];       /* "" = still valid */
} structure_node;

/* ---- Identification domains ------------------------------------------ */

typedef enum domain_kind {
    DOMAIN_GHT = 0,  /* the group's own identities */
    DOMAIN_EJ        /* one establishment's local patient ids (IPP) */
} domain_kind;

typedef struct id_domain {
    int64_t id;
    domain_kind kind;
    char oid[SOCLE_OID_MAX];
    char name[SOCLE_LABEL_MAX];
    int64_t structure_id;                /* the EJ; 0 for the GHT domain */
    char finess[SOCLE_FINESS_MAX];       /* the EJ's FINESS; "" for the GHT */
} id_domain;

/* ---- Identities (RNIV) ------------------------------------------------ */

typedef enum rniv_status {
    RNIV_PROV = 0,  /* provisoire */
    RNIV_RECUP,     /* récupérée: INS from INSi, no high-trust proof */
    RNIV_VALI,      /* validée: high-trust proof, no INSi */
    RNIV_QUAL       /* qualifiée: both */
} rniv_status;

/* Identity attributes (bit set). */
#define RNIV_ATTR_DOUBTFUL   0x1u  /* identité douteuse */
#define RNIV_ATTR_FICTITIOUS 0x2u  /* identité fictive */
#define RNIV_ATTR_HOMONYM    0x4u  /* identité homonyme */

typedef struct identity_traits {
    /* strict traits */
    char birth_name[SOCLE_NAME_MAX];
    char first_forename[SOCLE_GIVEN_MAX];  /* first of the birth forenames */
    char forenames[SOCLE_GIVENS_MAX];      /* all birth forenames, space-separated */
    char birth_date[SOCLE_DATE_MAX];       /* YYYY-MM-DD */
    char sex;                              /* 'M', 'F' or 'U' */
    char birth_place[SOCLE_COG_MAX];       /* INSEE code (99xxx abroad), "" unknown */
    /* complementary traits */
    char used_name[SOCLE_NAME_MAX];
    char used_forename[SOCLE_GIVEN_MAX];
} identity_traits;

typedef struct identity_contact {
    char address[SOCLE_LABEL_MAX];
    char postal_code[16];
    char city[SOCLE_LABEL_MAX];
    char country[4];                       /* ISO 3166 alpha-3 */
    char phone[32];
    char email[SOCLE_LABEL_MAX];
} identity_contact;

/* A patient as known by one establishment: (domain, IPP). */
typedef struct local_identity {
    int64_t id;
    int64_t domain_id;
    char ipp[SOCLE_CODE_MAX];
    identity_traits traits;
    identity_contact contact;
    char ins[SOCLE_INS_MAX];               /* INS matricule (NIR or NIA), "" none */
    char ins_oid[SOCLE_OID_MAX];
    rniv_status status;
    unsigned attributes;                   /* RNIV_ATTR_* */
    int insi_verified;                     /* INS retrieved or checked by INSi */
    char insi_at[SOCLE_TS_MAX];
    char proof_type[8];                    /* identity document seen (see rniv.h) */
    int64_t ght_id;                        /* GHT identity of its active link */
    int version;                           /* optimistic concurrency */
    char created_at[SOCLE_TS_MAX];
    char updated_at[SOCLE_TS_MAX];
} local_identity;

typedef enum ght_state {
    GHT_ACTIVE = 0,
    GHT_MERGED       /* absorbed by another GHT identity (merged_into) */
} ght_state;

/* One person for the whole group, linking one or more local identities. */
typedef struct ght_identity {
    int64_t id;
    ght_state state;
    int64_t merged_into;                   /* survivor when GHT_MERGED */
    int version;
    char created_at[SOCLE_TS_MAX];
    char updated_at[SOCLE_TS_MAX];
} ght_identity;

typedef enum link_method { LINK_AUTO = 0, LINK_MANUAL } link_method;
typedef enum link_state  { LINK_ACTIVE = 0, LINK_ENDED } link_state;

/* Local identity -> GHT identity. Links are never updated in place except
 * to end them: a change of GHT identity ends one link and creates another,
 * so the history of who linked what, when and why stays whole. */
typedef struct identity_link {
    int64_t id;
    int64_t local_id;
    int64_t ght_id;
    link_method method;
    link_state state;
    int64_t merge_id;                      /* the merge that created it, or 0 */
    char created_at[SOCLE_TS_MAX];
    char created_by[SOCLE_ACTOR_MAX];
    char reason[SOCLE_REASON_MAX];
    char ended_at[SOCLE_TS_MAX];
    char ended_by[SOCLE_ACTOR_MAX];
    char end_reason[SOCLE_REASON_MAX];
} identity_link;

/* A merge of GHT identity `absorbed` into `survivor`, undoable. */
typedef struct identity_merge_rec {
    int64_t id;
    int64_t survivor_id;
    int64_t absorbed_id;
    char at[SOCLE_TS_MAX];
    char actor[SOCLE_ACTOR_MAX];
    char reason[SOCLE_REASON_MAX];
    int undone;
    char undone_at[SOCLE_TS_MAX];
    char undone_by[SOCLE_ACTOR_MAX];
    char undo_reason[SOCLE_REASON_MAX];
} identity_merge_rec;

/* A source merged local identity `absorbed` into `survivor` of the same
 * domain (PAM A40): the absorbed IPP is no longer in use. */
typedef struct local_merge_rec {
    int64_t id;
    int64_t survivor_local_id;
    int64_t absorbed_local_id;
    int64_t ght_merge_id;                  /* the GHT merge it required, or 0 */
    char at[SOCLE_TS_MAX];
    char actor[SOCLE_ACTOR_MAX];
    char reason[SOCLE_REASON_MAX];
    int undone;
} local_merge_rec;

/* One change of one object, with its state before and after (JSON). */
typedef struct history_entry {
    int64_t id;
    char object_type[32];                  /* "local_identity", "structure"... */
    int64_t object_id;
    char action[64];
    char actor[SOCLE_ACTOR_MAX];
    char at[SOCLE_TS_MAX];
    char reason[SOCLE_REASON_MAX];
    const char *before_json;               /* borrowed; NULL when created */
    const char *after_json;                /* borrowed; NULL when deleted */
} history_entry;

/* ---- Quality alerts for the identity cell ----------------------------- */

/* Something a source sent that the identity cell should look at, such as an
 * INS refused for a bad key. Open until someone closes it. */
typedef struct quality_alert {
    int64_t id;
    char raised_at[SOCLE_TS_MAX];
    char kind[32];                         /* "invalid_ins", ... */
    int64_t local_id;                      /* the identity concerned, or 0 */
    char source[SOCLE_ACTOR_MAX];          /* who sent it: "hl7:GAM^HOP" */
    char detail[SOCLE_REASON_MAX];         /* why, without patient traits */
    char closed_at[SOCLE_TS_MAX];          /* "" while open */
    char closed_by[SOCLE_ACTOR_MAX];
} quality_alert;

/* ---- Review tasks of the identity matching (core/review.h) ------------ */

typedef enum review_status {
    REVIEW_OPEN = 0,
    REVIEW_LATER,          /* looked at, decision postponed */
    REVIEW_MERGED,         /* decided: same person, GHT identities merged */
    REVIEW_NOT_DUPLICATE,  /* decided: not the same; never proposed again */
    REVIEW_OBSOLETE,       /* a merge made it moot (both in one GHT identity) */
    REVIEW_STATUS_COUNT
} review_status;

#define REVIEW_EXPLANATION_MAX 1024

/* A pair of local identities the engine was unsure of (local_a < local_b),
 * with their GHT identities and domains when the task was opened. */
typedef struct review_task {
    int64_t id;
    int64_t local_a, local_b;
    int64_t ght_a, ght_b;
    int64_t domain_a, domain_b;
    double score;
    char reason[SOCLE_REASON_MAX];         /* the engine's decision and rule */
    /* [{"field":"birth_name","level":"exact","weight":3.1},...] */
    char explanation[REVIEW_EXPLANATION_MAX];
    review_status status;
    char created_at[SOCLE_TS_MAX];
    char created_by[SOCLE_ACTOR_MAX];
    char decided_at[SOCLE_TS_MAX];         /* "" while open */
    char decided_by[SOCLE_ACTOR_MAX];
    char comment[SOCLE_REASON_MAX];
    int64_t merge_id;                      /* the merge of a "same" decision */
} review_task;

/* ---- Audit trail ------------------------------------------------------ */

#define AUDIT_HASH_HEX 65  /* SHA-256 as lowercase hex + NUL */

typedef struct audit_record {
    int64_t seq;                           /* 1, 2, 3... */
    char at[SOCLE_TS_MAX];
    char actor[SOCLE_ACTOR_MAX];
    char role[SOCLE_ROLE_MAX];
    char action[64];                       /* "identity.read", "structure.import"... */
    char object_type[32];
    char object_id[64];
    char outcome[16];                      /* "success", "failure", "denied" */
    char detail[SOCLE_REASON_MAX];
    char prev_hash[AUDIT_HASH_HEX];        /* hash of record seq-1; 64 '0' for the first */
    char hash[AUDIT_HASH_HEX];
} audit_record;

/* ---- Stays and movements (core/stay.h) -------------------------------- */

typedef enum stay_status {
    STAY_PLANNED = 0,    /* pre-admission (A05) */
    STAY_IN_PROGRESS,
    STAY_FINISHED,
    STAY_CANCELLED
} stay_status;

/* A place as the sender named it (PV1-3 .1 UF, .2 room, .3 bed codes) and
 * the structures those codes resolved to (0 when unknown or inconsistent:
 * the codes are kept all the same). */
typedef struct stay_location {
    char uf[SOCLE_CODE_MAX];
    char room[SOCLE_CODE_MAX];
    char bed[SOCLE_CODE_MAX];
    int64_t uf_id;
    int64_t room_id;
    int64_t bed_id;
} stay_location;

/* A stay (séjour) of one local identity in one establishment's domain,
 * identified there by its visit number (PV1-19). Its status, dates,
 * class, location and medical UF are derived from its active movements. */
typedef struct stay {
    int64_t id;
    int64_t domain_id;
    int64_t local_id;
    char visit_number[SOCLE_CODE_MAX];
    char nda[SOCLE_CODE_MAX];            /* PID-18; the visit number when none */
    char stay_class[4];                  /* PV1-2: I O E R ... */
    stay_status status;
    int from_preadmission;               /* admitted after an A05 */
    int on_leave;                        /* A21 without its A22 yet */
    char admit_at[SOCLE_TS_MAX];         /* "" until admitted */
    char discharge_at[SOCLE_TS_MAX];     /* "" until discharged */
    stay_location location;              /* current */
    char medical_uf[SOCLE_CODE_MAX];     /* current (ZBE-7) */
    int version;
    char created_at[SOCLE_TS_MAX];
    char updated_at[SOCLE_TS_MAX];
} stay_record;

typedef enum movement_action {
    MOVEMENT_INSERT = 0,
    MOVEMENT_UPDATE,
    MOVEMENT_CANCEL
} movement_action;

typedef enum movement_state { MOVEMENT_ACTIVE = 0, MOVEMENT_CANCELLED } movement_state;

/* One movement message applied to a stay. An INSERT row is a movement of
 * the stay, keyed by (domain, movement id); a CANCEL row records the
 * cancellation message and names the row it cancelled (cancels). Updates
 * (Z99) change the INSERT row in place, with a history entry. */
typedef struct movement {
    int64_t id;
    int64_t stay_id;
    int64_t domain_id;
    char movement_id[SOCLE_CODE_MAX];    /* ZBE-1.1 */
    char movement_ns[SOCLE_OID_MAX];     /* ZBE-1.3 OID, else ZBE-1.2 */
    char trigger[4];                     /* A01, A02... */
    movement_action action;              /* ZBE-4 */
    char effective_at[SOCLE_TS_MAX];     /* ZBE-2 */
    int historic;                        /* ZBE-5 = Y */
    char original_trigger[4];            /* ZBE-6 */
    char stay_class[4];                  /* PV1-2 as sent with it */
    char medical_uf[SOCLE_CODE_MAX];     /* ZBE-7.10 */
    char care_uf[SOCLE_CODE_MAX];        /* ZBE-8.10 */
    char nature[8];                      /* ZBE-9 as sent */
    stay_location location;              /* PV1-3 */
    movement_state state;
    int64_t cancels;                     /* CANCEL row: the row it cancelled */
    char created_at[SOCLE_TS_MAX];
    char updated_at[SOCLE_TS_MAX];
} movement;

#endif
