#include "server_context.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/structure.h"
#include "hl7/mllp_server.h"
#include "hl7/pam.h"
#include "http/server.h"
#include "outbox/outbox.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/log.h"

void server_config_defaults(socle_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    str_copy(cfg->data_dir, sizeof cfg->data_dir, "./data");
    str_copy(cfg->bind, sizeof cfg->bind, "127.0.0.1");
    cfg->http_port = 8080;
    cfg->mllp_port = 2575;
    cfg->mllp_max_message = 1u << 20;
}

int server_open(socle_server *srv, const socle_config *cfg, socle_err *err)
{
    memset(srv, 0, sizeof *srv);
    srv->cfg = *cfg;
    srv->lock_fd = -1;
    pthread_mutex_init(&srv->store_lock, NULL);

    if (fs_mkdir_p(cfg->data_dir, 0750, err) != 0) {
        err_prefix(err, "data dir %s", cfg->data_dir);
        return -1;
    }
    char lock_path[SERVER_PATH_MAX + 16];
    snprintf(lock_path, sizeof lock_path, "%s/socle.lock", cfg->data_dir);
    srv->lock_fd = fs_lock_exclusive(lock_path, err);
    if (srv->lock_fd < 0) {
        if (err && err->code == SOCLE_EBUSY)
            err_prefix(err, "a socle server is already running on %s", cfg->data_dir);
        return -1;
    }
    if (store_open(&srv->store, cfg->data_dir, err) != 0)
        return -1;

    socle_actor system = { .id = "system:serve", .role = "admin" };
    id_domain ght;
    if (ght_domain_ensure(srv->store, &system, NULL, NULL, &ght, err) != 0)
        return -1;
    if (token_key_load_or_create(cfg->data_dir, &srv->key, err) != 0)
        return -1;
    return 0;
}

/* Every MLLP message goes through the PAM interface, one at a time on the
 * shared store: each ends with a durable commit before its ACK leaves. */
static void on_mllp_message(void *ctx, const char *peer, const char *msg, size_t len,
                            const char *framing_error, buf *reply)
{
    socle_server *srv = ctx;
    static const pam_config pam = { .app = "SOCLE", .facility = "GHT" };
    if (msg == NULL) {
        log_warn("mllp %s: %s", peer, framing_error);
        pam_framing_refusal(&pam, framing_error, reply);
        return;
    }
    socle_err err;
    err_clear(&err);
    pthread_mutex_lock(&srv->store_lock);
    int rc = srv->store ? pam_handle(srv->store, &pam, peer, msg, len, reply, &err) : -1;
    pthread_mutex_unlock(&srv->store_lock);
    if (rc != 0)
        log_error("mllp %s: message not processed: %s", peer, err.msg);
    outbox_kick(srv->outbox);  /* it may have queued notifications */
}

int server_start(socle_server *srv, socle_err *err)
{
    if (http_server_start(&srv->http, srv, srv->cfg.bind, srv->cfg.http_port, err) != 0)
        return -1;
    outbox_config oc;
    outbox_config_defaults(&oc);
    if (outbox_start(&srv->outbox, srv->store, &srv->store_lock, &oc, err) != 0)
        return -1;
    if (srv->cfg.mllp_port < 0)
        return 0;
    mllp_server_config mc = {
        .bind = srv->cfg.bind,
        .port = srv->cfg.mllp_port,
        .max_message = srv->cfg.mllp_max_message,
        .tls_cert = srv->cfg.mllp_tls_cert,
        .tls_key = srv->cfg.mllp_tls_key[0] ? srv->cfg.mllp_tls_key : NULL,
        .tls_client_ca = srv->cfg.mllp_tls_ca[0] ? srv->cfg.mllp_tls_ca : NULL,
    };
    return mllp_server_start(&srv->mllp, &mc, on_mllp_message, srv, err);
}

void server_close(socle_server *srv)
{
    /* MLLP first: senders must not get an ACK from a closing store. */
    if (srv->mllp != NULL) {
        mllp_server_stop(srv->mllp);
        srv->mllp = NULL;
    }
    if (srv->http != NULL) {
        http_server_stop(srv->http);
        srv->http = NULL;
    }
    outbox_stop(srv->outbox);  /* before the store it uses */
    srv->outbox = NULL;
    pthread_mutex_lock(&srv->store_lock);
    store_close(srv->store);
    srv->store = NULL;
    pthread_mutex_unlock(&srv->store_lock);
    if (srv->lock_fd >= 0) {
        fs_unlock(srv->lock_fd);
        srv->lock_fd = -1;
    }
    pthread_mutex_destroy(&srv->store_lock);
}
