/*
 * web_form.c - form bodies and cookies (web_form.h).
 */
#include "web/web_form.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Decode n bytes into a new string; NULL on a NUL byte (never legitimate
 * in a field). A '%' not followed by two hex digits is kept as is. */
static char *decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out == NULL)
        abort();  /* as buf.h */
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '+') {
            ch = ' ';
        } else if (ch == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            ch = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        }
        if (ch == '\0') {
            free(out);
            return NULL;
        }
        out[o++] = ch;
    }
    out[o] = '\0';
    return out;
}

int web_form_parse(const char *body, size_t len, web_field *fields, size_t max, size_t *n)
{
    *n = 0;
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            if (*n == max)
                return -1;
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            const char *name_end = eq ? eq : stop;
            char *name = decode(p, (size_t)(name_end - p));
            char *value = eq ? decode(eq + 1, (size_t)(stop - eq - 1)) : decode("", 0);
            if (name == NULL || value == NULL) {
                free(name);
                free(value);
                return -1;
            }
            fields[*n].name = name;
            fields[(*n)++].value = value;
        }
        p = stop + 1;
    }
    return 0;
}

void web_form_free(web_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(fields[i].name);
        free(fields[i].value);
        fields[i].name = fields[i].value = NULL;
    }
}

void web_cookie_get(const char *header, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    if (header == NULL || n == 0)
        return;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        size_t len = strcspn(p, ";");
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = len - nl - 1;
            if (vl >= n)
                return;
            for (size_t i = 0; i < vl; i++)
                if (!isxdigit((unsigned char)p[nl + 1 + i]))
                    return;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return;
        }
        p += len;
    }
}
