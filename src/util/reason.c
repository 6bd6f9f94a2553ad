#include "util/reason.h"

#include <stdarg.h>
#include <stdio.h>

int reason_set(char *why, size_t why_len, const char *fmt, ...)
{
    if (why != NULL && why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return 0;
}

void reason_clear(char *why, size_t why_len)
{
    if (why != NULL && why_len > 0)
        why[0] = '\0';
}

void reason_describe_char(char c, char *out, size_t n)
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(out, n, "character '%c'", c);
    else
        snprintf(out, n, "byte 0x%02X", u);
}
