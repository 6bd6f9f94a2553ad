/*
 * harness.c - see harness.h.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS     64
#define MAX_SERVERS  16
#define HTTP_MAX     (16u << 20)

/* ---- Small helpers ----------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A growable byte buffer, always NUL-terminated. */
typedef struct bytes {
    char *p;
    size_t len, cap;
} bytes;

static int bytes_add(bytes *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static char *bytes_take(bytes *b, size_t *len)
{
    if (b->p == NULL)
        bytes_add(b, "", 0);
    if (len != NULL)
        *len = b->len;
    char *p = b->p;
    if (p == NULL)
        p = calloc(1, 1);
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *h_fmt(const char *fmt, ...)
{
    /* Per thread: suites with sender threads (test_crash.c) format their
     * messages concurrently, and a shared ring handed two of them the same
     * slot (one sender's message went out under another's name). */
    static _Thread_local char ring[16][1024];
    static _Thread_local int next;
    char *buf = ring[next++ % 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof ring[0], fmt, ap);
    va_end(ap);
    return buf;
}

/* ---- Files ------------------------------------------------------------- */

int h_temp_dir(char *path, size_t cap)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    if ((size_t)snprintf(path, cap, "%s/socle-it-XXXXXX", base) >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkdtemp(path) != NULL ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void h_remove_tree(const char *path)
{
    if (path != NULL && path[0] != '\0')
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int h_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return close(fd);
}

int h_write_text(const char *path, const char *text)
{
    return h_write_file(path, text, strlen(text));
}

char *h_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    bytes b = {0};
    char buf[8192];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (bytes_add(&b, buf, (size_t)n) != 0)
            break;
    }
    close(fd);
    return bytes_take(&b, len);
}

/* ---- Children ---------------------------------------------------------- */

/* In the child, between fork and exec: die with the test process, and
 * start from default signal handling whatever Criterion set up. */
static void child_setup(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
}

static int build_argv(const char *argv[], const char *const *pre,
                      const char *const *args)
{
    int n = 0;
    argv[n++] = SOCLE_BIN;
    for (; pre != NULL && *pre != NULL; pre++) {
        if (n >= MAX_ARGS - 1)
            return -1;
        argv[n++] = *pre;
    }
    for (; args != NULL && *args != NULL; args++) {
        if (n >= MAX_ARGS - 1)
            return -1;
        argv[n++] = *args;
    }
    argv[n] = NULL;
    return 0;
}

static void decode_status(int wstatus, int *exited, int *status, int *sig)
{
    if (WIFEXITED(wstatus)) {
        *exited = 1;
        *status = WEXITSTATUS(wstatus);
        *sig = 0;
    } else {
        *exited = 0;
        *status = -1;
        *sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    }
}

int h_run(h_result *r, int timeout_ms, const char *const *args)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);

    const char *argv[MAX_ARGS];
    if (build_argv(argv, NULL, args) != 0) {
        errno = E2BIG;
        return -1;
    }
    if (access(SOCLE_BIN, X_OK) != 0)
        return -1;

    int op[2], ep[2];
    if (pipe2(op, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(ep, O_CLOEXEC) != 0) {
        close(op[0]);
        close(op[1]);
        return -1;
    }

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(op[0]); close(op[1]); close(ep[0]); close(ep[1]);
        return -1;
    }
    if (pid == 0) {
        child_setup(parent);
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0)
            dup2(in, 0);
        dup2(op[1], 1);
        dup2(ep[1], 2);
        execv(SOCLE_BIN, (char *const *)argv);
        dprintf(2, "harness: cannot exec %s: %s\n", SOCLE_BIN, strerror(errno));
        _exit(127);
    }
    close(op[1]);
    close(ep[1]);

    bytes out = {0}, err = {0};
    struct pollfd fds[2] = { { op[0], POLLIN, 0 }, { ep[0], POLLIN, 0 } };
    bytes *sinks[2] = { &out, &err };
    int open_fds = 2;
    long long deadline = now_ms() + timeout_ms;
    while (open_fds > 0) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            r->timed_out = 1;
            break;
        }
        int n = poll(fds, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char buf[8192];
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else {
                bytes_add(sinks[i], buf, (size_t)got);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);

    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    decode_status(wstatus, &r->exited, &r->status, &r->signal);
    free(r->out);
    free(r->err);
    r->out = bytes_take(&out, &r->out_len);
    r->err = bytes_take(&err, &r->err_len);
    return 0;
}

void h_result_free(h_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

const char *h_describe(const h_result *r)
{
    static char buf[6144];
    char how[64];
    if (r->timed_out)
        snprintf(how, sizeof how, "timed out, killed");
    else if (r->exited)
        snprintf(how, sizeof how, "exit %d", r->status);
    else
        snprintf(how, sizeof how, "killed by signal %d", r->signal);
    snprintf(buf, sizeof buf, "[%s]\n--- stdout ---\n%.2500s\n--- stderr ---\n"
             "%.2500s", how, r->out ? r->out : "", r->err ? r->err : "");
    return buf;
}

/* ---- Servers ----------------------------------------------------------- */

static pid_t live[MAX_SERVERS];

static void live_add(pid_t pid)
{
    for (int i = 0; i < MAX_SERVERS; i++) {
        if (live[i] == 0) {
            live[i] = pid;
            return;
        }
    }
}

static void live_remove(pid_t pid)
{
    for (int i = 0; i < MAX_SERVERS; i++)
        if (live[i] == pid)
            live[i] = 0;
}

void h_server_kill_all(void)
{
    for (int i = 0; i < MAX_SERVERS; i++) {
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            while (waitpid(live[i], NULL, 0) < 0 && errno == EINTR)
                ;
            live[i] = 0;
        }
    }
}

static void server_reaped(h_server *s, int wstatus)
{
    int exited, status, sig;
    decode_status(wstatus, &exited, &status, &sig);
    s->exit_status = exited ? status : 128 + sig;
    live_remove(s->pid);
    s->pid = 0;
}

int h_server_alive(h_server *s)
{
    if (s->pid <= 0)
        return 0;
    int wstatus;
    pid_t got = waitpid(s->pid, &wstatus, WNOHANG);
    if (got == s->pid) {
        server_reaped(s, wstatus);
        return 0;
    }
    return 1;
}

const char *h_server_stderr(const h_server *s)
{
    static char buf[4096];
    char *text = h_read_file(s->err_path, NULL);
    snprintf(buf, sizeof buf, "%s", text ? text : "(unreadable)");
    free(text);
    return buf;
}

/* Finds a complete line containing "listening" and parses its port. */
static int find_banner(const char *text, h_server *s)
{
    const char *line = text;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        if (end == NULL)
            return 0;  /* incomplete: wait for the rest */
        size_t n = (size_t)(end - line);
        if (memmem(line, n, "listening", 9) != NULL) {
            if (n >= sizeof s->banner)
                n = sizeof s->banner - 1;
            memcpy(s->banner, line, n);
            s->banner[n] = '\0';
            const char *url = strstr(s->banner, "http://");
            const char *https = strstr(s->banner, "https://");
            if (url == NULL && https == NULL)
                return -1;
            const char *host = url != NULL ? url + 7 : https + 8;
            const char *colon;
            if (*host == '[') {
                const char *close = strchr(host, ']');
                colon = close ? close + 1 : NULL;
            } else {
                colon = host + strcspn(host, ": /)");
            }
            if (colon == NULL || *colon != ':')
                return -1;
            char *stop;
            long port = strtol(colon + 1, &stop, 10);
            if (stop == colon + 1 || port <= 0 || port > 65535)
                return -1;
            s->port = (int)port;
            return 1;
        }
        line = end + 1;
    }
    return 0;
}

int h_server_start(h_server *s, const char *data_dir, const char *log_dir,
                   const char *const *extra, char *why, size_t why_len)
{
    static int seq;
    memset(s, 0, sizeof *s);
    seq++;
    snprintf(s->out_path, sizeof s->out_path, "%s/serve-%d.out", log_dir, seq);
    snprintf(s->err_path, sizeof s->err_path, "%s/serve-%d.err", log_dir, seq);

    /* Every port chosen by the system, so that servers of parallel tests
     * never collide (MLLP would otherwise take 2575). */
    const char *pre[] = { "serve", "--data", data_dir, "--http", "0", "--mllp", "0", NULL };
    const char *argv[MAX_ARGS];
    if (build_argv(argv, pre, extra) != 0) {
        snprintf(why, why_len, "too many arguments");
        return -1;
    }
    if (access(SOCLE_BIN, X_OK) != 0) {
        snprintf(why, why_len, "%s: %s (not built?)", SOCLE_BIN,
                 strerror(errno));
        return -1;
    }
    int out = open(s->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = open(s->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0 || err < 0) {
        snprintf(why, why_len, "%s: cannot create logs: %s", log_dir,
                 strerror(errno));
        if (out >= 0) close(out);
        if (err >= 0) close(err);
        return -1;
    }

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_len, "fork: %s", strerror(errno));
        close(out);
        close(err);
        return -1;
    }
    if (pid == 0) {
        child_setup(parent);
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0)
            dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(SOCLE_BIN, (char *const *)argv);
        dprintf(2, "harness: cannot exec %s: %s\n", SOCLE_BIN, strerror(errno));
        _exit(127);
    }
    close(out);
    close(err);
    s->pid = pid;
    live_add(pid);

    long long deadline = now_ms() + H_SERVE_TIMEOUT_MS;
    for (;;) {
        char *text = h_read_file(s->out_path, NULL);
        int found = text ? find_banner(text, s) : 0;
        free(text);
        if (found > 0)
            return 0;
        if (found < 0) {
            snprintf(why, why_len, "no http://ADDR:PORT in the banner: %s",
                     s->banner);
            break;
        }
        if (!h_server_alive(s)) {
            snprintf(why, why_len, "serve exited (status %d) before "
                     "listening; stderr:\n%s", s->exit_status,
                     h_server_stderr(s));
            return -1;
        }
        if (now_ms() > deadline) {
            snprintf(why, why_len, "serve did not print \"listening\" "
                     "within %d ms; stderr:\n%s", H_SERVE_TIMEOUT_MS,
                     h_server_stderr(s));
            break;
        }
        sleep_ms(20);
    }
    int st;
    h_server_stop(s, SIGKILL, H_STOP_TIMEOUT_MS, &st);
    return -1;
}

int h_server_stop(h_server *s, int sig, int timeout_ms, int *status)
{
    if (s->pid <= 0) {
        *status = s->exit_status;
        return 0;
    }
    kill(s->pid, sig);
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        int wstatus;
        pid_t got = waitpid(s->pid, &wstatus, WNOHANG);
        if (got == s->pid) {
            server_reaped(s, wstatus);
            *status = s->exit_status;
            return 0;
        }
        if (now_ms() > deadline)
            break;
        sleep_ms(10);
    }
    kill(s->pid, SIGKILL);
    int wstatus;
    while (waitpid(s->pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    server_reaped(s, wstatus);
    *status = s->exit_status;
    return -1;
}

/* ---- HTTP -------------------------------------------------------------- */

static const char *find_header(const char *headers, const char *end,
                               const char *name, size_t *len)
{
    size_t nlen = strlen(name);
    const char *line = strstr(headers, "\r\n");
    while (line != NULL && line < end) {
        line += 2;
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            const char *eol = strstr(v, "\r\n");
            if (eol == NULL)
                eol = end;
            while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t'))
                eol--;
            *len = (size_t)(eol - v);
            return v;
        }
        line = strstr(line, "\r\n");
    }
    return NULL;
}

static int dechunk(const char *p, const char *end, bytes *body)
{
    for (;;) {
        char *stop;
        unsigned long size = strtoul(p, &stop, 16);
        if (stop == p)
            return -1;
        const char *data = strstr(stop, "\r\n");
        if (data == NULL)
            return -1;
        data += 2;
        if (size == 0)
            return 0;
        if ((size_t)(end - data) < size + 2)
            return -1;
        bytes_add(body, data, size);
        p = data + size + 2;
    }
}

int h_http(int port, const char *method, const char *path, h_response *resp,
           char *why, size_t why_len)
{
    return h_http_ex(port, method, path, NULL, resp, why, why_len);
}

int h_http_ex(int port, const char *method, const char *path, const char *headers,
              h_response *resp, char *why, size_t why_len)
{
    return h_http_body(port, method, path, headers, NULL, resp, why, why_len);
}

static void copy_header(const char *text, const char *hend, const char *name, char *out,
                        size_t cap)
{
    size_t vlen;
    const char *v = find_header(text, hend, name, &vlen);
    if (v == NULL)
        return;
    if (vlen >= cap)
        vlen = cap - 1;
    memcpy(out, v, vlen);
    out[vlen] = '\0';
}

int h_http_body(int port, const char *method, const char *path, const char *headers,
                const char *body_text, h_response *resp, char *why, size_t why_len)
{
    if (headers == NULL)
        headers = "";
    memset(resp, 0, sizeof *resp);
    resp->body = calloc(1, 1);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, why_len, "socket: %s", strerror(errno));
        return -1;
    }
    struct timeval tv = { 15, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(why, why_len, "connect 127.0.0.1:%d: %s", port,
                 strerror(errno));
        close(fd);
        return -1;
    }

    size_t body_len = body_text ? strlen(body_text) : 0;
    size_t cap = 8192 + body_len;
    char *req = malloc(cap);
    if (req == NULL) {
        snprintf(why, why_len, "out of memory");
        close(fd);
        return -1;
    }
    int n = snprintf(req, cap,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                     "User-Agent: socle-tests\r\nAccept: */*\r\n%s"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     method, path, port, headers, body_len, body_text ? body_text : "");
    if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) && body_text == NULL)
        n = snprintf(req, cap,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                     "User-Agent: socle-tests\r\nAccept: */*\r\n%s"
                     "Connection: close\r\n\r\n", method, path, port, headers);
    if (n < 0 || (size_t)n >= cap) {
        snprintf(why, why_len, "request too long");
        free(req);
        close(fd);
        return -1;
    }
    for (int off = 0; off < n;) {
        ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            snprintf(why, why_len, "send: %s", strerror(errno));
            free(req);
            close(fd);
            return -1;
        }
        off += (int)w;
    }
    free(req);

    bytes raw = {0};
    for (;;) {
        char buf[8192];
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            if (raw.len == 0) {
                snprintf(why, why_len, "recv: %s", strerror(errno));
                close(fd);
                return -1;
            }
            break;  /* keep what came: the parse below judges it */
        }
        if (got == 0 || bytes_add(&raw, buf, (size_t)got) != 0 ||
            raw.len > HTTP_MAX)
            break;
    }
    close(fd);

    char *text = bytes_take(&raw, NULL);
    int rc = -1;
    const char *hend = strstr(text, "\r\n\r\n");
    if (strncmp(text, "HTTP/1.", 7) != 0 || hend == NULL ||
        sscanf(text + 8, " %d", &resp->status) != 1) {
        snprintf(why, why_len, "not an HTTP response: %.200s", text);
        resp->status = 0;
        goto out;
    }
    size_t vlen;
    const char *v = find_header(text, hend, "Content-Type", &vlen);
    if (v != NULL) {
        if (vlen >= sizeof resp->content_type)
            vlen = sizeof resp->content_type - 1;
        memcpy(resp->content_type, v, vlen);
        resp->content_type[vlen] = '\0';
    }
    copy_header(text, hend, "ETag", resp->etag, sizeof resp->etag);
    copy_header(text, hend, "Location", resp->location, sizeof resp->location);

    const char *body = hend + 4;
    const char *end = text + strlen(text);
    bytes out = {0};
    v = find_header(text, hend, "Transfer-Encoding", &vlen);
    if (strcmp(method, "HEAD") == 0) {
        /* no body, whatever the headers announce */
    } else if (v != NULL && vlen >= 7 && strncasecmp(v, "chunked", 7) == 0) {
        if (dechunk(body, end, &out) != 0) {
            snprintf(why, why_len, "bad chunked body");
            free(out.p);
            goto out;
        }
    } else {
        size_t avail = (size_t)(end - body);
        v = find_header(text, hend, "Content-Length", &vlen);
        if (v != NULL) {
            size_t want = strtoul(v, NULL, 10);
            if (want < avail)
                avail = want;
        }
        bytes_add(&out, body, avail);
    }
    free(resp->body);
    resp->body = bytes_take(&out, &resp->body_len);
    rc = 0;
out:
    free(text);
    return rc;
}

int h_http_get(int port, const char *path, char **body)
{
    h_response resp;
    char why[256];
    if (body != NULL)
        *body = NULL;
    if (h_http(port, "GET", path, &resp, why, sizeof why) != 0) {
        h_response_free(&resp);
        return 0;
    }
    if (body != NULL) {
        *body = resp.body;
        resp.body = NULL;
    }
    int status = resp.status;
    h_response_free(&resp);
    return status;
}

void h_response_free(h_response *resp)
{
    free(resp->body);
    resp->body = NULL;
}
