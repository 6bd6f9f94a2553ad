#include "server_context.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/structure.h"
#include "hl7/mllp_server.h"
#include "hl7/pam.h"
#include "http/ratelimit.h"
#include "http/server.h"
#include "http/token_cache.h"
#include "outbox/outbox.h"
#include "store/readers.h"
#include "store/writer.h"
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
    cfg->mllp_idle_timeout = 300;
    cfg->mllp_frame_timeout = 30;
    cfg->http_rate_limit = RATE_LIMIT_DEFAULT;
    cfg->http_threads = 32;
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
    srv->tokens = token_cache_new();
    if (srv->tokens == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    srv->rate = rate_limiter_new(cfg->http_rate_limit);
    if (srv->rate == NULL)
        return err_set(err, SOCLE_EIO, "out of memory");
    return 0;
}

/* One message as a unit of a batch (store/writer.h). */
typedef struct pam_unit {
    const pam_config *cfg;
    const char *peer;
    const char *msg;
    size_t len;
    buf *reply;
    int rc;
    socle_err err;
} pam_unit;

static void run_pam(store *st, void *arg)
{
    pam_unit *u = arg;
    u->rc = pam_handle(st, u->cfg, u->peer, u->msg, u->len, u->reply, &u->err);
}

/* Every MLLP message goes through the PAM interface, in a batch shared
 * with the messages of the other connections: its ACK leaves only once
 * the batch's commit is durable, and becomes an AR "retry later" when
 * that commit fails (nothing of the batch is then stored). */
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
    pam_unit u = { .cfg = &pam, .peer = peer, .msg = msg, .len = len, .reply = reply };
    err_clear(&u.err);
    socle_err err;
    err_clear(&err);
    if (srv->writer == NULL) {
        err_set(&err, SOCLE_EBUSY, "the store is closed");
    } else if (store_writer_run(srv->writer, run_pam, &u, &err) == 0) {
        if (u.rc != 0)
            log_error("mllp %s: message not processed: %s", peer, u.err.msg);
        /* Wake the sender only when notifications may have been queued:
         * waking it for every message costs every message a hand-off. */
        int64_t writes = store_outbox_writes(srv->store);
        if (atomic_exchange(&srv->outbox_seen, writes) != writes)
            outbox_kick(srv->outbox);
        return;
    }
    log_error("mllp %s: message not stored: %s", peer, err.msg);
    buf_reset(reply);
    pam_retry_refusal(&pam, msg, len, &err, reply);
}

int server_start(socle_server *srv, socle_err *err)
{
    store_writer_config wc = {
        .st = srv->store,
        .lock = &srv->store_lock,
        .checkpoint_dir = srv->cfg.data_dir,
    };
    if (store_writer_start(&srv->writer, &wc, err) != 0)
        return -1;
    /* Reading is CPU work, short beside the wait for the audit commit that
     * follows it: two readers per CPU keep the CPUs busy, and fewer readers
     * have warmer caches than one per thread. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t readers = cpus > 0 ? (size_t)cpus * 2 : 4;
    size_t threads = srv->cfg.http_threads ? srv->cfg.http_threads : 32;
    if (readers > threads)
        readers = threads;
    if (store_readers_new(&srv->readers, srv->cfg.data_dir, readers, err) != 0)
        return -1;
    outbox_config oc;
    outbox_config_defaults(&oc);
    if (outbox_start(&srv->outbox, srv->store, &srv->store_lock, &oc, err) != 0)
        return -1;
    if (http_server_start(&srv->http, srv, srv->cfg.bind, srv->cfg.http_port, err) != 0)
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
        .idle_timeout = srv->cfg.mllp_idle_timeout,
        .frame_timeout = srv->cfg.mllp_frame_timeout,
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
    /* Then HTTP: no request is left to use the writer or a reader. */
    if (srv->http != NULL) {
        http_server_stop(srv->http);
        srv->http = NULL;
    }
    store_readers_free(srv->readers);
    srv->readers = NULL;
    if (srv->writer != NULL) {
        store_writer_stats ws;
        store_writer_stats_get(srv->writer, &ws);
        log_info("store: %ld units in %ld commits (%ld not stored), %ld background "
                 "checkpoints", ws.units, ws.batches, ws.failed, ws.checkpoints);
    }
    store_writer_stop(srv->writer);
    srv->writer = NULL;
    rate_limiter_free(srv->rate);   /* no request is left to use it */
    srv->rate = NULL;
    token_cache_free(srv->tokens);
    srv->tokens = NULL;
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
