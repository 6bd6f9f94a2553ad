/*
 * rights.c - the table of rights (rights.h).
 *
 * Least privilege: admin runs the platform (structures, accounts, audit)
 * and reads no patient data, but may write identities and merge them (the
 * answer is the identity it wrote); dpo reads the audit trail only; flux
 * is an interface account that reads and writes but never breaks the
 * glass.
 */
#include "http/rights.h"

#include <stddef.h>

/* Rows: rights; columns: admin, identitovigilant, accueil, lecteur, flux, dpo. */
static const unsigned char table[RIGHT_COUNT][ROLE_COUNT] = {
    [RIGHT_PATIENT_READ]   = { 0, 1, 1, 1, 1, 0 },
    [RIGHT_ENCOUNTER_READ] = { 0, 1, 1, 1, 1, 0 },
    [RIGHT_BREAK_GLASS]    = { 0, 1, 1, 1, 0, 0 },
    [RIGHT_PATIENT_WRITE]  = { 1, 1, 1, 0, 1, 0 },
    [RIGHT_IDENTITY_MERGE] = { 1, 1, 0, 0, 0, 0 },
    [RIGHT_AUDIT_READ]     = { 1, 0, 0, 0, 0, 1 },
    [RIGHT_IDENTITY_UNMERGE] = { 0, 1, 0, 0, 0, 0 },
    [RIGHT_REVIEW]         = { 0, 1, 0, 0, 0, 0 },
    [RIGHT_IDENTITY_QUALIFY] = { 0, 1, 1, 0, 0, 0 },
    [RIGHT_STRUCTURE_READ] = { 1, 1, 1, 1, 0, 0 },
    [RIGHT_DASHBOARD_READ] = { 1, 1, 0, 0, 0, 1 },
    /* flux is an interface account: no person logs in with it. */
    [RIGHT_WORKBENCH]      = { 1, 1, 1, 1, 0, 1 },
    /* The professional directory is no patient's data. */
    [RIGHT_DIRECTORY_READ] = { 1, 1, 1, 1, 1, 1 },
    /* A feed is a source system's (flux) or the platform's (admin); an
     * identitovigilant may post merges only (RIGHT_IDENTITY_MERGE). */
    [RIGHT_IDENTITY_FEED]  = { 1, 0, 0, 0, 1, 0 },
};

static const char *const names[RIGHT_COUNT] = {
    "patient.read", "encounter.read", "break-glass", "patient.write", "identity.merge",
    "audit.read", "identity.unmerge", "review", "identity.qualify", "structure.read",
    "dashboard.read", "workbench", "directory.read", "identity.feed",
};

int rights_allowed(socle_role role, http_right right)
{
    if ((unsigned)role >= ROLE_COUNT || (unsigned)right >= RIGHT_COUNT)
        return 0;
    return table[right][role];
}

const char *right_name(http_right right)
{
    return (unsigned)right < RIGHT_COUNT ? names[right] : "?";
}
