/*
 * router.h - requests and responses of the HTTP listener as plain values,
 * and the matching of a method and path against a table of routes.
 *
 * Patterns are paths whose segments are literal or "{}" (one non-empty
 * segment, captured). The handlers never see libmicrohttpd.
 */
#ifndef SOCLE_HTTP_ROUTER_H
#define SOCLE_HTTP_ROUTER_H

#include <jansson.h>
#include <stddef.h>

#define HTTP_CAPTURES_MAX 4
#define HTTP_CAPTURE_LEN  128
#define HTTP_PARAMS_MAX   32
#define HTTP_BODY_MAX     (1024 * 1024)  /* bytes; larger -> 413 */

typedef struct http_param {
    char *name;       /* owned by the request */
    char *value;      /* "" when the parameter has no value */
} http_param;

typedef struct http_request {
    const char *method;
    const char *path;          /* without the query string */
    http_param params[HTTP_PARAMS_MAX];
    size_t n_params;
    int too_many_params;       /* more than HTTP_PARAMS_MAX were sent */
    const char *authorization; /* header values, NULL when absent */
    const char *break_glass;   /* X-Socle-Break-Glass */
    const char *accept;
    const char *cookie;        /* Cookie header */
    const char *content_type;  /* Content-Type header */
    const char *if_match;      /* If-Match (versioned update) */
    const char *if_none_exist; /* If-None-Exist (conditional create) */
    const char *body;          /* body_len bytes, NULL when none */
    size_t body_len;
    char base[256];            /* "http://host:port" as the client named us */
} http_request;

typedef struct http_response {
    unsigned status;
    json_t *body;              /* owned; NULL for no body */
    const char *content_type;  /* static string */
    char allow[64];            /* Allow header for 405, "" none */
    char www_authenticate[128];
    /* Pages (web/): a text body instead of JSON, and their own headers. */
    char *text;                /* owned (malloc), text_len bytes; used when set */
    size_t text_len;
    char location[512];        /* Location header (redirects, FHIR 201), "" none */
    char disposition[160];     /* Content-Disposition header (downloads), "" none */
    char set_cookie[2][384];   /* Set-Cookie headers, "" none */
    const char *cache_control; /* static string; NULL: no-store */
    int security_headers;      /* add CSP, X-Frame-Options, nosniff, Referrer-Policy */
    unsigned retry_after;      /* Retry-After header (seconds) for 429 and 503; 0 none */
    char etag[32];             /* ETag header (FHIR versions), "" none */
    char last_modified[40];    /* Last-Modified (RFC 1123), "" none */
} http_response;

/* The first value of a parameter, or NULL. */
const char *http_param_get(const http_request *req, const char *name);

typedef struct http_route {
    const char *method;
    const char *pattern;
    int handler;               /* caller's identifier of the handler */
} http_route;

typedef struct http_match {
    int handler;
    char captures[HTTP_CAPTURES_MAX][HTTP_CAPTURE_LEN];
    size_t n_captures;
    char allow[64];            /* methods of the path, when only the method failed */
} http_match;

/* 1 matched (m filled), 0 no route for the path, -1 the path exists but
 * not with this method (m->allow lists those that do). */
int http_route_match(const http_route *routes, size_t n, const char *method, const char *path,
                     http_match *m);

#endif
