/*
 * router.c - route matching (router.h).
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

const char *http_param_get(const http_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_params; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}

/* Whether path fits pattern, filling the captures. */
static int path_match(const char *pattern, const char *path, http_match *m)
{
    m->n_captures = 0;
    const char *p = pattern, *s = path;
    while (*p != '\0' && *s != '\0') {
        if (p[0] == '{' && p[1] == '}') {
            size_t len = strcspn(s, "/");
            if (len == 0 || len >= HTTP_CAPTURE_LEN || m->n_captures == HTTP_CAPTURES_MAX)
                return 0;
            memcpy(m->captures[m->n_captures], s, len);
            m->captures[m->n_captures++][len] = '\0';
            s += len;
            p += 2;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

int http_route_match(const http_route *routes, size_t n, const char *method, const char *path,
                     http_match *m)
{
    memset(m, 0, sizeof *m);
    int path_known = 0;
    for (size_t i = 0; i < n; i++) {
        http_match tmp;
        memset(&tmp, 0, sizeof tmp);
        if (!path_match(routes[i].pattern, path, &tmp))
            continue;
        if (strcmp(routes[i].method, method) == 0
            || (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            *m = tmp;
            m->handler = routes[i].handler;
            return 1;
        }
        if (!path_known || strstr(m->allow, routes[i].method) == NULL) {
            size_t len = strlen(m->allow);
            if (len + strlen(routes[i].method) + 3 < sizeof m->allow)
                snprintf(m->allow + len, sizeof m->allow - len, "%s%s", len ? ", " : "",
                         routes[i].method);
        }
        path_known = 1;
    }
    return path_known ? -1 : 0;
}
