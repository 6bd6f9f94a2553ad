/*
 * fuzz_web_form.c - libFuzzer target for what a browser sends the
 * workbench: the form body parser and the Cookie header reader
 * (web/web_form.h), and the HTML escaping of what they produce.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "web/web.h"
#include "web/web_form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    web_field fields[WEB_FIELDS_MAX];
    size_t n = 0;
    web_form_parse((const char *)data, size, fields, WEB_FIELDS_MAX, &n);
    buf out = { 0 };
    for (size_t i = 0; i < n; i++) {
        web_html_escape(&out, fields[i].name);
        web_html_escape(&out, fields[i].value);
        /* Escaped text never holds a character that opens markup. */
        if (strpbrk(buf_cstr(&out), "<>\"'") != NULL)
            abort();
    }
    web_form_free(fields, n);
    buf_free(&out);

    /* The same bytes as a Cookie header (NUL-terminated copy). */
    char *header = malloc(size + 1);
    if (header == NULL)
        return 0;
    memcpy(header, data, size);
    header[size] = '\0';
    char value[65];
    web_cookie_get(header, "socle_session", value, sizeof value);
    if (strlen(value) >= sizeof value)
        abort();
    free(header);
    return 0;
}
