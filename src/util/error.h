/*
 * error.h - errors returned with their context.
 *
 * Functions that can fail return 0 on success and -1 on failure, and fill a
 * caller-provided socle_err (which may be NULL when the caller does not care).
 * Nothing below the command line prints an error: it is returned, with enough
 * context for the top level to print it in the protocol's own form.
 */
#ifndef SOCLE_UTIL_ERROR_H
#define SOCLE_UTIL_ERROR_H

#include <stddef.h>

/* Error categories: each entry point maps them to its own form
 * (exit status, HTTP status, HL7 ACK code). */
typedef enum socle_errcode {
    SOCLE_OK = 0,
    SOCLE_EINVAL,     /* bad input: malformed, missing, out of range */
    SOCLE_ENOTFOUND,  /* the object named does not exist */
    SOCLE_ECONFLICT,  /* duplicate key, stale version, concurrent change */
    SOCLE_ERULE,      /* well-formed but refused by a business rule */
    SOCLE_EBUSY,      /* locked by another process; try again later */
    SOCLE_EIO,        /* storage or system failure */
    SOCLE_EINTERNAL   /* a bug: an invariant did not hold */
} socle_errcode;

#define SOCLE_ERR_MSG_MAX 512

typedef struct socle_err {
    socle_errcode code;
    char msg[SOCLE_ERR_MSG_MAX];
} socle_err;

/* Set code and message (printf format). err may be NULL. Always returns -1
 * so that `return err_set(err, ...);` reads naturally. */
int err_set(socle_err *err, socle_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend context to an existing message: "context: previous message". */
void err_prefix(socle_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reset to SOCLE_OK with an empty message. */
void err_clear(socle_err *err);

/* A short English name of the category ("invalid input", "not found"...). */
const char *err_code_name(socle_errcode code);

#endif
