/*
 * rights.h - what each role may do over HTTP: the one table of rights.
 *
 * Every handler names the right it needs; nothing else in the code
 * decides by role. Reads and searches of a kind of resource are one right.
 * The README's "FHIR R4" section shows the same table.
 */
#ifndef SOCLE_HTTP_RIGHTS_H
#define SOCLE_HTTP_RIGHTS_H

#include "core/role.h"

typedef enum http_right {
    RIGHT_PATIENT_READ = 0,   /* Patient read and search */
    RIGHT_ENCOUNTER_READ,     /* Encounter read and search */
    RIGHT_BREAK_GLASS,        /* read outside the token's establishments, audited */
    RIGHT_PATIENT_WRITE,      /* Patient create/update */
    RIGHT_IDENTITY_MERGE,     /* merge (FHIR Patient/$merge), $match */
    RIGHT_AUDIT_READ,         /* audit trail: AuditEvent, workbench Journal d'accès */
    RIGHT_IDENTITY_UNMERGE,   /* undo a merge (workbench Défusionner) */
    RIGHT_REVIEW,             /* the duplicate review queue and its decisions */
    RIGHT_IDENTITY_QUALIFY,   /* RNIV status changes: INS verification, proof, attributes */
    RIGHT_STRUCTURE_READ,     /* the structures tree and bed occupancy */
    RIGHT_DASHBOARD_READ,     /* quality indicators (aggregates, no patient data) */
    RIGHT_WORKBENCH,          /* log in to the workbench at all */
    RIGHT_DIRECTORY_READ,     /* Practitioner, PractitionerRole (professional directory) */
    RIGHT_IDENTITY_FEED,      /* IHE PMIR feed: create and update (and merge) patients as a source */
    RIGHT_COUNT
} http_right;

/* 1 when role holds right, else 0 (also for out-of-range values). */
int rights_allowed(socle_role role, http_right right);

/* "patient.read", ... for audit records and messages. */
const char *right_name(http_right right);

#endif
