#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(socle_err *err, socle_errcode code, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void err_prefix(socle_err *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    char prefix[SOCLE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);

    /* Build "prefix: message" and keep what fits. */
    char joined[2 * SOCLE_ERR_MSG_MAX + 2];
    size_t plen = strlen(prefix), mlen = strlen(err->msg);
    memcpy(joined, prefix, plen);
    memcpy(joined + plen, ": ", 2);
    memcpy(joined + plen + 2, err->msg, mlen + 1);
    size_t total = plen + 2 + mlen;
    if (total >= sizeof err->msg)
        total = sizeof err->msg - 1;
    memcpy(err->msg, joined, total);
    err->msg[total] = '\0';
}

void err_clear(socle_err *err)
{
    if (err == NULL)
        return;
    err->code = SOCLE_OK;
    err->msg[0] = '\0';
}

const char *err_code_name(socle_errcode code)
{
    switch (code) {
    case SOCLE_OK:        return "ok";
    case SOCLE_EINVAL:    return "invalid input";
    case SOCLE_ENOTFOUND: return "not found";
    case SOCLE_ECONFLICT: return "conflict";
    case SOCLE_ERULE:     return "refused by rule";
    case SOCLE_EBUSY:     return "busy";
    case SOCLE_EIO:       return "i/o error";
    case SOCLE_EINTERNAL: return "internal error";
    }
    return "unknown error";
}
