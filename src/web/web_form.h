/*
 * web_form.h - the parsers of what a browser sends the workbench: form
 * bodies (application/x-www-form-urlencoded) and the Cookie header.
 * Plain functions over bytes, fuzzed (tests/fuzz/fuzz_web_form.c).
 */
#ifndef SOCLE_WEB_FORM_H
#define SOCLE_WEB_FORM_H

#include <stddef.h>

typedef struct web_field {
    char *name;                  /* decoded, owned */
    char *value;
} web_field;

/* Split and decode body (len bytes: name=value pairs joined by '&', '+'
 * for space, %XX escapes) into fields (at most max; *n set). A field that
 * decodes to a NUL byte, or more than max fields -> -1 (the fields already
 * parsed stay in fields, *n counting them, for web_form_free). */
int web_form_parse(const char *body, size_t len, web_field *fields, size_t max, size_t *n);
void web_form_free(web_field *fields, size_t n);

/* The value of cookie name in a Cookie header into out (n bytes), when it
 * is made of hex digits only and fits; else "". header may be NULL. */
void web_cookie_get(const char *header, const char *name, char *out, size_t n);

#endif
