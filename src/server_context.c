#include "server_context.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/structure.h"
#include "http/server.h"
#include "util/buf.h"
#include "util/fsutil.h"

void server_config_defaults(socle_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    str_copy(cfg->data_dir, sizeof cfg->data_dir, "./data");
    str_copy(cfg->bind, sizeof cfg->bind, "127.0.0.1");
    cfg->http_port = 8080;
    cfg->mllp_port = 2575;
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

int server_start(socle_server *srv, socle_err *err)
{
    return http_server_start(&srv->http, srv, srv->cfg.bind, srv->cfg.http_port, err);
}

void server_close(socle_server *srv)
{
    if (srv->http != NULL) {
        http_server_stop(srv->http);
        srv->http = NULL;
    }
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
