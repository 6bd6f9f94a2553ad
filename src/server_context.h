/*
 * server_context.h - the running server's context: the one place that holds state
 * shared by the listeners (store, keys, configuration).
 */
#ifndef SOCLE_SERVER_CONTEXT_H
#define SOCLE_SERVER_CONTEXT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "http/token.h"
#include "store/store.h"
#include "util/error.h"

#define SERVER_PATH_MAX 4096

typedef struct socle_config {
    char data_dir[SERVER_PATH_MAX];
    char bind[64];
    int http_port;   /* 0: let the system choose */
    int mllp_port;            /* 0: chosen by the system; -1: no MLLP */
    size_t mllp_max_message;  /* bytes */
    /* MLLP over TLS when mllp_tls_cert is set (see mllp_server.h). */
    char mllp_tls_cert[SERVER_PATH_MAX];
    char mllp_tls_key[SERVER_PATH_MAX];
    char mllp_tls_ca[SERVER_PATH_MAX];
    int mllp_idle_timeout;    /* seconds without a byte; 0: the listener's default */
    int mllp_frame_timeout;   /* seconds to complete a started frame; 0: default */
    /* HTTPS when http_tls_cert is set (PEM; key in http_tls_key or in the
     * certificate file). */
    char http_tls_cert[SERVER_PATH_MAX];
    char http_tls_key[SERVER_PATH_MAX];
    unsigned http_rate_limit; /* requests a minute per token; 0: none */
    /* Threads answering HTTP; each may block on a commit, so they bound
     * how many requests share one (group commit). One reader each. */
    unsigned http_threads;
} socle_config;

struct http_server;
struct mllp_server;
struct outbox_sender;
struct store_writer;
struct store_readers;
struct rate_limiter;
struct token_cache;

typedef struct socle_server {
    socle_config cfg;
    int lock_fd;                 /* exclusive lock on DATA_DIR/socle.lock */
    store *store;
    /* The store handle serves one thread at a time; listeners take this
     * lock around each use. */
    pthread_mutex_t store_lock;
    /* Group commit of the MLLP messages and the HTTP writes on that
     * handle (store/writer.h): it holds store_lock per batch, like any
     * other user. */
    struct store_writer *writer;
    /* Reader handles for the HTTP requests that only read (store/readers.h):
     * they never take store_lock; their audit records go through writer. */
    struct store_readers *readers;
    token_key key;
    struct http_server *http;
    struct mllp_server *mllp;
    struct outbox_sender *outbox;  /* notifications to subscribers */
    _Atomic int64_t outbox_seen;   /* store_outbox_writes at the last kick */
    struct rate_limiter *rate;     /* per-token HTTP rate limit (http/ratelimit.h) */
    struct token_cache *tokens;    /* verified bearer tokens (http/token_cache.h) */
} socle_server;

void server_config_defaults(socle_config *cfg);

/* Lock the data dir (a second server on it is refused with SOCLE_EBUSY),
 * open and migrate the store, load the token key. */
int server_open(socle_server *srv, const socle_config *cfg, socle_err *err);

/* Start the writer and the readers, the outbox sender, then the
 * listeners (HTTP, then MLLP; mllp_port < 0 leaves MLLP off). */
int server_start(socle_server *srv, socle_err *err);

/* Stop the listeners (waiting for in-flight requests), close the store,
 * release the lock. Safe on a partly opened server. */
void server_close(socle_server *srv);

#endif
