/*
 * server.c - the HTTP listener on libmicrohttpd.
 *
 * Requests are answered from MHD's worker threads; each handler borrows
 * the store under the server's store lock for as short a time as it can.
 * Everything under /fhir goes to fhir/fhir_api.c as plain values
 * (http/router.h), everything else but /health to the workbench
 * (web/web.h); bodies above HTTP_BODY_MAX are refused with 413.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fhir/fhir_api.h"
#include "fhir/fhir_common.h"
#include "http/router.h"
#include "server_context.h"
#include "store/readers.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "web/web.h"

#define HTTP_CONNECTION_TIMEOUT 30          /* seconds of inactivity */
/* Per connection: headers and buffers (bodies go to our own buffer).
 * MHD zeroes it between requests, so more than needed costs every request. */
#define HTTP_CONNECTION_MEMORY (64 * 1024)
#define HTTP_PEM_MAX (1024 * 1024)           /* a certificate chain or key file */
/* GnuTLS priorities: TLS 1.2 at least, as the MLLP listener. */
#define HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct http_server {
    struct MHD_Daemon *daemon;
    socle_server *srv;
    int port;
    int tls;
    char *cert_pem;            /* kept while the daemon runs (TLS) */
    char *key_pem;
};

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL)
        return MHD_NO;
    size_t len = strlen(text);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return send_json(c, status, json_pack("{s:s}", "error", msg));
}

/* On a reader: counting a large store takes a while (whole indexes), and
 * must not hold up the writer, and so every MLLP sender, meanwhile. */
static enum MHD_Result handle_health(http_server *h, struct MHD_Connection *c)
{
    store_counts counts;
    socle_err err;
    err_clear(&err);
    int64_t outbox_pending = 0, outbox_failed = 0;
    store *rd = h->srv->readers ? store_readers_acquire(h->srv->readers, &err) : NULL;
    if (h->srv->readers == NULL)
        err_set(&err, SOCLE_EBUSY, "the store is not open");
    int rc = rd != NULL ? store_begin(rd, &err) : -1;
    if (rc == 0)
        rc = store_counts_get(rd, &counts, &err);
    if (rc == 0)
        rc = store_outbox_counts(rd, &outbox_pending, &outbox_failed, &err);
    const char *backend = rd ? store_backend(rd) : "none";
    int schema = rd ? store_schema_version(rd) : 0;
    if (rd != NULL) {
        store_rollback(rd);
        store_readers_release(h->srv->readers, rd);
    }
    if (rc != 0) {
        log_error("health: %s", err.msg);
        return send_json(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:s, s:s, s:s}", "status", "error", "version",
                                   SOCLE_VERSION, "error", "store unavailable"));
    }
    return send_json(c, MHD_HTTP_OK, json_pack(
        "{s:s, s:s, s:{s:s, s:i}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
        "status", "ok",
        "version", SOCLE_VERSION,
        "store", "backend", backend, "schema_version", schema,
        "counts",
            "structures", (json_int_t)counts.structures,
            "domains", (json_int_t)counts.domains,
            "local_identities", (json_int_t)counts.local_identities,
            "ght_identities", (json_int_t)counts.ght_identities,
            "merges", (json_int_t)counts.merges,
            "audit_records", (json_int_t)counts.audit_records,
            "inbound_messages", (json_int_t)counts.inbound_messages,
            "open_quality_alerts", (json_int_t)counts.open_alerts,
            "outbox_pending", (json_int_t)outbox_pending,
            "outbox_failed", (json_int_t)outbox_failed));
}

/* What MHD keeps for one request between its calls. */
typedef struct request_state {
    buf body;
    int too_large;
} request_state;

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request_state *rs = *req_cls;
    if (rs != NULL) {
        buf_free(&rs->body);
        free(rs);
    }
    *req_cls = NULL;
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    http_request *req = cls;
    if (req->n_params == HTTP_PARAMS_MAX) {
        req->too_many_params = 1;
        return MHD_NO;
    }
    http_param *p = &req->params[req->n_params++];
    p->name = strdup(key);
    p->value = strdup(value ? value : "");
    if (p->name == NULL || p->value == NULL)
        abort();  /* as buf.h */
    return MHD_YES;
}

/* The workbench's pages: no script or style from elsewhere, no inline
 * script, never framed. */
#define WEB_CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

static enum MHD_Result send_response(struct MHD_Connection *c, http_response *resp,
                                     const char *method)
{
    char *text;
    size_t len;
    if (resp->text != NULL) {
        text = resp->text;
        len = resp->text_len;
        resp->text = NULL;
        json_decref(resp->body);
    } else {
        text = resp->body ? json_dumps(resp->body, JSON_COMPACT) : strdup("");
        json_decref(resp->body);  /* dumped: the JSON itself is not needed any more */
        resp->body = NULL;
        if (text == NULL)
            return MHD_NO;
        len = strlen(text);
    }
    resp->body = NULL;
    /* HEAD: the headers of GET, no body. */
    struct MHD_Response *r = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0
        ? MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)
        : MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (strcmp(method, MHD_HTTP_METHOD_HEAD) == 0)
        free(text);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->content_type ? resp->content_type : "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            resp->cache_control ? resp->cache_control : "no-store");
    if (resp->security_headers) {
        MHD_add_response_header(r, "Content-Security-Policy", WEB_CSP);
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    }
    if (resp->location[0] != '\0')
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
    if (resp->disposition[0] != '\0')
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, resp->disposition);
    for (size_t i = 0; i < 2; i++)
        if (resp->set_cookie[i][0] != '\0')
            MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie[i]);
    if (resp->allow[0] != '\0')
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->www_authenticate[0] != '\0')
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, resp->www_authenticate);
    if (resp->retry_after > 0) {
        char s[16];
        snprintf(s, sizeof s, "%u", resp->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, s);
    }
    if (resp->etag[0] != '\0')
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
    if (resp->last_modified[0] != '\0')
        MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, resp->last_modified);
    enum MHD_Result ret = MHD_queue_response(c, resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle_fhir(http_server *h, struct MHD_Connection *c, const char *url,
                                   const char *method, request_state *rs)
{
    http_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = url;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, &req);
    req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_AUTHORIZATION);
    req.break_glass = MHD_lookup_connection_value(c, MHD_HEADER_KIND, FHIR_BREAK_GLASS_HEADER);
    req.accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    req.if_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MATCH);
    req.if_none_exist = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Exist");
    req.body = rs->body.len ? rs->body.data : NULL;
    req.body_len = rs->body.len;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    /* The Host header names us in links; anything odd falls back to ours. */
    const char *scheme = h->tls ? "https" : "http";
    if (host == NULL || strlen(host) > 200 || strpbrk(host, "\"<>\\ /") != NULL)
        snprintf(req.base, sizeof req.base, "%s://127.0.0.1:%d", scheme, h->port);
    else
        snprintf(req.base, sizeof req.base, "%s://%s", scheme, host);

    http_response resp;
    memset(&resp, 0, sizeof resp);
    if (rs->too_large) {
        resp.status = MHD_HTTP_CONTENT_TOO_LARGE;
        resp.content_type = FHIR_MIME;
        resp.body = fhir_outcome("too-costly", "request body too large", NULL);
    } else {
        fhir_handle(h->srv, &req, &resp);
    }
    for (size_t i = 0; i < req.n_params; i++) {
        free(req.params[i].name);
        free(req.params[i].value);
    }
    return send_response(c, &resp, method);
}

/* Everything else: the workbench (web/web.h). */
static enum MHD_Result handle_web(http_server *h, struct MHD_Connection *c, const char *url,
                                  const char *method, request_state *rs)
{
    http_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = url;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, &req);
    req.cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
    req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    req.body = rs->body.len ? rs->body.data : NULL;
    req.body_len = rs->body.len;
    http_response resp;
    memset(&resp, 0, sizeof resp);
    if (rs->too_large)
        web_too_large(&resp);
    else
        web_handle(h->srv, &req, &resp);
    for (size_t i = 0; i < req.n_params; i++) {
        free(req.params[i].name);
        free(req.params[i].value);
    }
    return send_response(c, &resp, method);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)version;
    http_server *h = cls;

    /* MHD calls us first with the headers only: refuse a declared body
     * above the limit before reading it; then collect the body up to the
     * limit (beyond, it is drained and refused), and answer on the last
     * call. */
    if (*req_cls == NULL) {
        request_state *rs = calloc(1, sizeof *rs);
        if (rs == NULL)
            return MHD_NO;
        *req_cls = rs;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > HTTP_BODY_MAX) {
            http_response resp = { .status = MHD_HTTP_CONTENT_TOO_LARGE,
                                   .content_type = FHIR_MIME,
                                   .body = fhir_outcome("too-costly", "request body too large",
                                                        NULL) };
            return send_response(c, &resp, method);
        }
        return MHD_YES;
    }
    request_state *rs = *req_cls;
    if (*upload_data_size != 0) {
        if (rs->body.len + *upload_data_size > HTTP_BODY_MAX)
            rs->too_large = 1;
        else
            buf_append(&rs->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    if (strcmp(url, "/health") == 0) {
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
        return handle_health(h, c);
    }
    if (strcmp(url, "/fhir") == 0 || strncmp(url, "/fhir/", 6) == 0)
        return handle_fhir(h, c, url, method, rs);
    return handle_web(h, c, url, method, rs);
}

int http_server_start(http_server **out, socle_server *srv, const char *bind, int port,
                      socle_err *err)
{
    *out = NULL;
    if (port < 0 || port > 65535)
        return err_set(err, SOCLE_EINVAL, "http port %d out of range", port);

    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
    if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        return err_set(err, SOCLE_EINVAL, "bind address '%s' is not an IPv4 or IPv6 address",
                       bind);
    }

    http_server *h = calloc(1, sizeof *h);
    if (h == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    h->srv = srv;
    /* TLS (--tls-cert, --tls-key): MHD over GnuTLS, from the PEM files read
     * here (a key in the certificate file when no key file is given). */
    struct MHD_OptionItem tls_opts[4] = { { MHD_OPTION_END, 0, NULL } };
    if (srv->cfg.http_tls_cert[0] != '\0') {
        const char *key = srv->cfg.http_tls_key[0] ? srv->cfg.http_tls_key
                                                   : srv->cfg.http_tls_cert;
        size_t len;
        if (fs_read_file(srv->cfg.http_tls_cert, HTTP_PEM_MAX, &h->cert_pem, &len, err) != 0
            || fs_read_file(key, HTTP_PEM_MAX, &h->key_pem, &len, err) != 0) {
            free(h->cert_pem);
            free(h);
            return -1;
        }
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            free(h->cert_pem);
            free(h->key_pem);
            free(h);
            return err_set(err, SOCLE_EINVAL, "this libmicrohttpd has no TLS support");
        }
        flags |= MHD_USE_TLS;
        h->tls = 1;
        tls_opts[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert_pem };
        tls_opts[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, h->key_pem };
        tls_opts[2] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
                                               (void *)HTTP_TLS_PRIORITIES };
        tls_opts[3] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    }
    h->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h,
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, srv->cfg.http_threads ? srv->cfg.http_threads : 32u,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_END);
    if (h->daemon == NULL) {
        free(h->cert_pem);
        free(h->key_pem);
        int tls = h->tls;
        free(h);
        return err_set(err, SOCLE_EIO, "cannot listen on %s:%d (address in use%s?)", bind, port,
                       tls ? ", or an unusable TLS certificate or key" : "");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    *out = h;
    return 0;
}

int http_server_port(const http_server *h)
{
    return h->port;
}

void http_server_stop(http_server *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->daemon);
    free(h->cert_pem);
    free(h->key_pem);
    free(h);
}
