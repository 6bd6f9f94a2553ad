/*
 * harness.h - helpers for the integration tests: they drive the real socle
 * binary (SOCLE_BIN) as a user or a supervisor would, through its command
 * line, its standard streams, its exit status, signals and HTTP.
 *
 * Every child is started with PR_SET_PDEATHSIG, and every server started
 * here is remembered so that h_server_kill_all() (called from the suites'
 * fini, which Criterion runs even after a failed assertion) leaves no
 * process behind.
 */
#ifndef SOCLE_TESTS_HARNESS_H
#define SOCLE_TESTS_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#ifndef SOCLE_BIN
#error "SOCLE_BIN must name the socle binary under test"
#endif
#ifndef SOCLE_SOURCE_DIR
#error "SOCLE_SOURCE_DIR must name the source tree"
#endif

#define H_CLI_TIMEOUT_MS    30000  /* ASan makes everything slower */
#define H_SERVE_TIMEOUT_MS  20000
#define H_STOP_TIMEOUT_MS   15000

/* ---- Files ------------------------------------------------------------- */

/* Create a fresh directory under $TMPDIR (or /tmp); path receives its name.
 * Returns 0, or -1 (errno set). */
int h_temp_dir(char *path, size_t cap);

/* rm -rf path (not following symbolic links). Missing is fine. */
void h_remove_tree(const char *path);

/* Write exactly len bytes to path (created 0644, truncated). 0 or -1. */
int h_write_file(const char *path, const void *data, size_t len);

/* Same for a NUL-terminated string. */
int h_write_text(const char *path, const char *text);

/* Read a whole file; NULL if it cannot be read. free() the result. */
char *h_read_file(const char *path, size_t *len);

/* snprintf into a rotating buffer of the calling thread: handy for paths
 * and messages in tests. Up to 16 results per thread stay valid at once. */
const char *h_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Running the command line ------------------------------------------ */

typedef struct h_result {
    int exited;      /* 1 when the process exited normally */
    int status;      /* its exit status when exited, else -1 */
    int signal;      /* the signal that ended it, else 0 */
    int timed_out;   /* 1 when it had to be killed */
    char *out;       /* standard output, NUL-terminated, never NULL */
    size_t out_len;
    char *err;       /* standard error, NUL-terminated, never NULL */
    size_t err_len;
} h_result;

/* Run SOCLE_BIN with args (NULL-terminated, not including argv[0]),
 * stdin from /dev/null, capturing both output streams, killing it after
 * timeout_ms. Returns 0 when it could be run at all, -1 otherwise. */
int h_run(h_result *r, int timeout_ms, const char *const *args);

/* h_run with the default timeout and the arguments inline:
 * H_RUN(&r, "ins", "check", "255081416802538") runs
 * `socle ins check 255081416802538`. */
#define H_RUN(r, ...) \
    h_run((r), H_CLI_TIMEOUT_MS, (const char *const[]){__VA_ARGS__, NULL})

void h_result_free(h_result *r);

/* A readable account of a result for assertion messages (static buffer). */
const char *h_describe(const h_result *r);

/* ---- Running the server ------------------------------------------------ */

typedef struct h_server {
    pid_t pid;           /* 0 once reaped */
    int exit_status;     /* once reaped: exit status, or 128+signal */
    int port;
    char banner[1024];   /* the "listening" line, without its newline */
    char out_path[512];  /* where its stdout and stderr go */
    char err_path[512];
} h_server;

/* Start `socle serve --data DATA_DIR --http 0 --mllp 0 [extra args...]` with its
 * output in LOG_DIR/serve-N.{out,err}, and wait (H_SERVE_TIMEOUT_MS) for
 * the line containing "listening"; the port is parsed from its
 * "http://ADDR:PORT". extra may be NULL. On failure the process is killed
 * and why says what happened (including its stderr). */
int h_server_start(h_server *s, const char *data_dir, const char *log_dir,
                   const char *const *extra, char *why, size_t why_len);

/* Send sig and wait up to timeout_ms for the exit. Returns 0 with the exit
 * status in *status (or 128+signal when killed by a signal), -1 when it
 * did not exit in time (it is then killed with SIGKILL and reaped). */
int h_server_stop(h_server *s, int sig, int timeout_ms, int *status);

/* 1 while the server process has not exited. */
int h_server_alive(h_server *s);

/* SIGKILL and reap every server still running. For fini. */
void h_server_kill_all(void);

/* The server's captured stderr so far (static buffer), for messages. */
const char *h_server_stderr(const h_server *s);

/* ---- HTTP -------------------------------------------------------------- */

typedef struct h_response {
    int status;              /* 0 when no response could be read */
    char content_type[128];
    char etag[64];           /* ETag header, "" when none */
    char location[512];      /* Location header, "" when none */
    char *body;              /* NUL-terminated, never NULL after a call */
    size_t body_len;
} h_response;

/* One HTTP/1.1 request (Connection: close) to 127.0.0.1:port; handles
 * Content-Length, chunked and read-to-close bodies. Returns 0 when a
 * response was read, -1 otherwise (why filled). */
int h_http(int port, const char *method, const char *path, h_response *resp,
           char *why, size_t why_len);

/* The same with extra header lines (each ending in "\r\n"; NULL: none). */
int h_http_ex(int port, const char *method, const char *path, const char *headers,
              h_response *resp, char *why, size_t why_len);

/* The same with a request body (NUL-terminated; NULL: none, sent with
 * Content-Length: 0 except for GET and HEAD). */
int h_http_body(int port, const char *method, const char *path, const char *headers,
                const char *body, h_response *resp, char *why, size_t why_len);

/* GET path; returns the status code (0 on failure), body into *body if
 * body is not NULL (free() it). */
int h_http_get(int port, const char *path, char **body);

void h_response_free(h_response *resp);

#endif
