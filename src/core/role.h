/*
 * role.h - the roles of Socle's users and interfaces.
 */
#ifndef SOCLE_CORE_ROLE_H
#define SOCLE_CORE_ROLE_H

typedef enum socle_role {
    ROLE_ADMIN = 0,        /* GHT IT: structures, accounts, configuration */
    ROLE_IDENTITOVIGILANT, /* identity cell: review, merge, unmerge, qualify */
    ROLE_ACCUEIL,          /* admission desk of its establishments */
    ROLE_LECTEUR,          /* read only */
    ROLE_FLUX,             /* interface account (HL7/FHIR feeds) */
    ROLE_DPO,              /* data protection: audit trail */
    ROLE_COUNT
} socle_role;

/* "admin", "identitovigilant", ... */
const char *role_name(socle_role role);

/* Returns 0 and sets *out for a known name, -1 otherwise. */
int role_parse(const char *name, socle_role *out);

/* "admin, identitovigilant, accueil, lecteur, flux, dpo" for messages. */
const char *role_list(void);

#endif
