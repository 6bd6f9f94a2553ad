/*
 * web_support.c - see web_support.h.
 */
#include "web_support.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

h_server web_srv;

void add_user(const char *login, const char *role, const char *ej)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | SOCLE_ARGON2_TEST=1 '%s' user add "
             "--data '%s' --login %s --role %s %s%s >/dev/null 2>&1", PASSWORD, SOCLE_BIN,
             data, login, role, ej ? "--ej " : "", ej ? ej : "");
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

void reply_free(http_reply *r)
{
    free(r->raw);
}

http_reply request(const char *method, const char *path, const char *cookie,
                   const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)web_srv.port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[4096];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, cookie ? "Cookie: " : "", cookie ? cookie : "",
                     cookie ? "\r\n" : "", body ? strlen(body) : 0, body ? body : "");
    cr_assert_eq(write(fd, head, (size_t)n), n);
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    ssize_t got;
    while ((got = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (cap - len < 4096) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
    }
    close(fd);
    buf[len] = '\0';
    http_reply r = { .raw = buf };
    sscanf(buf, "HTTP/1.1 %d", &r.status);
    const char *sep = strstr(buf, "\r\n\r\n");
    r.body = sep ? sep + 4 : "";
    return r;
}

/* The value of a response header (case-insensitive name), in a static
 * buffer; "" when absent. Only the first occurrence of name. */
const char *header(const http_reply *r, const char *name)
{
    static char out[1024];
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = strstr(r->raw, "\r\n"); p && p < r->body; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *v = p + 3 + nl;
            while (*v == ' ')
                v++;
            snprintf(out, sizeof out, "%.*s", (int)strcspn(v, "\r\n"), v);
            break;
        }
    }
    return out;
}

/* "name=value" of a Set-Cookie of this name, into out. */
void cookie_of(const http_reply *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = strstr(r->raw, "Set-Cookie: "); p && p < r->body;
         p = strstr(p + 1, "Set-Cookie: ")) {
        const char *v = p + 12;
        if (strncmp(v, name, nl) == 0 && v[nl] == '=') {
            snprintf(out, n, "%.*s", (int)strcspn(v, ";\r\n"), v);
            return;
        }
    }
}

/* The value of the first hidden csrf field of a page. */
void csrf_of(const char *html, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(html, "name=\"csrf\" value=\"");
    if (p != NULL) {
        p += strlen("name=\"csrf\" value=\"");
        snprintf(out, n, "%.*s", (int)strcspn(p, "\""), p);
    }
}

/* Log in as login; the session cookie "socle_session=..." into cookie. */
void login(const char *who, char *cookie, size_t n, char *csrf, size_t cn)
{
    http_reply form = request("GET", "/connexion", NULL, NULL);
    cr_assert_eq(form.status, 200);
    char pre[256], token[128];
    cookie_of(&form, "socle_pre", pre, sizeof pre);
    csrf_of(form.body, token, sizeof token);
    cr_assert(pre[0] && token[0], "the login form sets its CSRF cookie and field");
    reply_free(&form);
    http_reply r = request("POST", "/connexion", pre,
                      h_fmt("csrf=%s&login=%s&password=%s", token, who, PASSWORD));
    cr_assert_eq(r.status, 303, "login %s: %d\n%s", who, r.status, r.body);
    cookie_of(&r, "socle_session", cookie, n);
    cr_assert(cookie[0], "a session cookie");
    cr_assert_not_null(strstr(header(&r, "Set-Cookie"), "HttpOnly; SameSite=Strict; Path=/"),
                       "%s", header(&r, "Set-Cookie"));
    reply_free(&r);
    http_reply page = request("GET", "/", cookie, NULL);
    cr_assert_eq(page.status, 200);
    csrf_of(page.body, csrf, cn);
    cr_assert(csrf[0]);
    reply_free(&page);
}

session as(const char *who)
{
    session s;
    login(who, s.cookie, sizeof s.cookie, s.csrf, sizeof s.csrf);
    return s;
}

http_reply get(const session *s, const char *path)
{
    return request("GET", path, s->cookie, NULL);
}
