/*
 * web_support.h - what the workbench's integration suites share: accounts
 * made with `socle user add`, and a small HTTP client that keeps the
 * headers, posts forms and logs in (CSRF cookie and field, session).
 * The suites start the server in web_srv.
 */
#ifndef SOCLE_TEST_WEB_SUPPORT_H
#define SOCLE_TEST_WEB_SUPPORT_H

#include "hl7_support.h"

#define PASSWORD "Correct-Cheval-9"

extern h_server web_srv;

/* An account of this role (limited to the EJ of FINESS ej, or NULL), with
 * PASSWORD. */
void add_user(const char *login, const char *role, const char *ej);

typedef struct http_reply {
    int status;
    char *raw;                 /* headers and body */
    const char *body;
} http_reply;

void reply_free(http_reply *r);
/* One request on a new connection to web_srv, the form body posted as
 * application/x-www-form-urlencoded (NULL: none). */
http_reply request(const char *method, const char *path, const char *cookie,
                   const char *body);
/* The value of a response header (case-insensitive name), in a static
 * buffer; "" when absent. Only the first occurrence of name. */
const char *header(const http_reply *r, const char *name);
/* "name=value" of a Set-Cookie of this name, into out. */
void cookie_of(const http_reply *r, const char *name, char *out, size_t n);
/* The value of the first hidden csrf field of a page. */
void csrf_of(const char *html, char *out, size_t n);
/* Log in as who: the session cookie "socle_session=..." into cookie, the
 * CSRF token of its pages into csrf. */
void login(const char *who, char *cookie, size_t n, char *csrf, size_t cn);

typedef struct session {
    char cookie[256];
    char csrf[128];
} session;

session as(const char *who);   /* logged in */
http_reply get(const session *s, const char *path);

#endif
