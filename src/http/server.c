/*
 * server.c - the HTTP listener on libmicrohttpd.
 *
 * Requests are answered from MHD's worker threads; each handler borrows
 * the store under the server's store lock for as short a time as it can.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server_context.h"
#include "store/store.h"
#include "util/log.h"

#define HTTP_THREADS 4
#define HTTP_CONNECTION_TIMEOUT 30          /* seconds of inactivity */
#define HTTP_CONNECTION_MEMORY (256 * 1024)  /* per connection */

struct http_server {
    struct MHD_Daemon *daemon;
    socle_server *srv;
    int port;
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

static enum MHD_Result handle_health(http_server *h, struct MHD_Connection *c)
{
    store_counts counts;
    socle_err err;
    err_clear(&err);
    pthread_mutex_lock(&h->srv->store_lock);
    int rc = h->srv->store ? store_counts_get(h->srv->store, &counts, &err) : -1;
    int64_t outbox_pending = 0, outbox_failed = 0;
    if (rc == 0)
        rc = store_outbox_counts(h->srv->store, &outbox_pending, &outbox_failed, &err);
    const char *backend = h->srv->store ? store_backend(h->srv->store) : "none";
    int schema = h->srv->store ? store_schema_version(h->srv->store) : 0;
    pthread_mutex_unlock(&h->srv->store_lock);

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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)version;
    (void)upload_data;
    http_server *h = cls;

    /* MHD calls us first with the headers only; answer on that call for
     * the bodiless endpoints, and refuse bodies nobody asked for. */
    if (*req_cls == NULL) {
        static int marker;
        *req_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }

    if (strcmp(url, "/health") == 0) {
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
        return handle_health(h, c);
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
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
    h->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
        MHD_OPTION_END);
    if (h->daemon == NULL) {
        free(h);
        return err_set(err, SOCLE_EIO, "cannot listen on %s:%d (address in use?)", bind, port);
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
    free(h);
}
