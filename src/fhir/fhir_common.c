/*
 * fhir_common.c - OperationOutcome, Bundle, dates (fhir_common.h).
 */
#include "fhir/fhir_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http/router.h"

json_t *fhir_outcome(const char *code, const char *diagnostics, const char *expression)
{
    json_t *issue = json_pack("{s:s, s:s, s:s}", "severity", "error", "code", code,
                              "diagnostics", diagnostics ? diagnostics : "");
    if (expression != NULL && expression[0] != '\0')
        json_object_set_new(issue, "expression", json_pack("[s]", expression));
    return json_pack("{s:s, s:[o]}", "resourceType", "OperationOutcome", "issue", issue);
}

json_t *fhir_bundle_new(long long total, const char *self_url, const char *next_url)
{
    json_t *links = json_pack("[{s:s, s:s}]", "relation", "self", "url", self_url);
    if (next_url != NULL)
        json_array_append_new(links, json_pack("{s:s, s:s}", "relation", "next", "url",
                                               next_url));
    return json_pack("{s:s, s:s, s:I, s:o, s:[]}", "resourceType", "Bundle", "type",
                     "searchset", "total", (json_int_t)total, "link", links, "entry");
}

void fhir_bundle_add(json_t *bundle, const char *full_url, json_t *resource)
{
    json_array_append_new(json_object_get(bundle, "entry"),
                          json_pack("{s:s, s:o, s:{s:s}}", "fullUrl", full_url, "resource",
                                    resource, "search", "mode", "match"));
}

/* Day of the week, 0 = Sunday (Sakamoto). */
static int weekday(int y, int m, int d)
{
    static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
    if (m < 3)
        y -= 1;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static int last_sunday(int y, int m)
{
    int d = 31;  /* March and October have 31 days */
    return d - weekday(y, m, d);
}

/* Summer time in France: from the last Sunday of March at 02:00 local to
 * the last Sunday of October at 03:00 local (the hour repeated in
 * October is taken as winter time). */
static int paris_summer(int y, int mo, int d, int h)
{
    if (mo < 3 || mo > 10)
        return 0;
    if (mo > 3 && mo < 10)
        return 1;
    int ls = last_sunday(y, mo);
    if (mo == 3)
        return d > ls || (d == ls && h >= 2);
    return d < ls || (d == ls && h < 2);
}

int fhir_datetime(const char *in, char *out, size_t n)
{
    size_t len = strlen(in);
    int y, mo, d, h = 0, mi = 0, s = 0;
    if (len == 10 && sscanf(in, "%4d-%2d-%2d", &y, &mo, &d) == 3) {
        snprintf(out, n, "%s", in);
        return 0;
    }
    if (len < 16 || sscanf(in, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5
        || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
        return -1;
    const char *rest = in + 16;
    if (rest[0] == ':' && sscanf(rest + 1, "%2d", &s) == 1)
        rest += 3;
    /* Fractions of a second are dropped. */
    while (*rest == '.' || (*rest >= '0' && *rest <= '9'))
        rest++;
    const char *zone = rest[0] == 'Z' || rest[0] == '+' || rest[0] == '-' ? rest : NULL;
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, h, mi, s,
             zone ? zone : paris_summer(y, mo, d, h) ? "+02:00" : "+01:00");
    return 0;
}

void fhir_url_encode(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.' || c == '~' || c == ':')
            buf_putc(b, (char)c);
        else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

void fhir_page_urls(const http_request *req, int64_t cursor, buf *self, buf *next)
{
    buf_printf(self, "%s%s", req->base, req->path);
    for (size_t i = 0; i < req->n_params; i++) {
        buf_putc(self, i ? '&' : '?');
        fhir_url_encode(self, req->params[i].name);
        buf_putc(self, '=');
        fhir_url_encode(self, req->params[i].value);
    }
    if (cursor <= 0)
        return;
    buf_printf(next, "%s%s?", req->base, req->path);
    for (size_t i = 0; i < req->n_params; i++) {
        if (strcmp(req->params[i].name, "_cursor") == 0)
            continue;
        fhir_url_encode(next, req->params[i].name);
        buf_putc(next, '=');
        fhir_url_encode(next, req->params[i].value);
        buf_putc(next, '&');
    }
    buf_printf(next, "_cursor=%" PRId64, cursor);
}
