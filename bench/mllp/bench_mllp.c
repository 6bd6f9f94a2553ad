/*
 * bench_mllp.c - end-to-end load generator for the MLLP listener.
 *
 *   bench_mllp PORT CONNECTIONS MESSAGES_PER_CONNECTION [DATA_DIR_FOR_FSYNC]
 *
 * Opens CONNECTIONS TCP connections to 127.0.0.1:PORT, one thread each.
 * Once every connection is open, each thread sends MESSAGES_PER_CONNECTION
 * ADT^A28 messages one after the other: send one framed message, wait for
 * its framed ACK, check MSA-1 == AA, record the round-trip latency, repeat
 * (no pipelining: at most one message in flight per connection). Every
 * message has a unique MSH-10 and a unique IPP, so each one creates an
 * identity in the store. The establishment OID 1.2.250.1.999.1 must have
 * been imported first (see run.sh).
 *
 * Prints total messages, elapsed seconds (from the moment all connections
 * are open to the last ACK), messages/s, p50/p99/max latency in ms and
 * failures (an ACK other than AA, or a message left unanswered because the
 * connection failed).
 *
 * With DATA_DIR_FOR_FSYNC, it also measures the fsync ceiling of that
 * filesystem, before the load and again after it (the server idle both
 * times): for about 2 s, write 512 bytes (appended) to a temporary file in
 * that directory and fdatasync it. It prints both, and the ratio
 * messages/s / fsyncs/s against the higher of the two: on a disk shared
 * with other work the ceiling moves, and the ratio must not flatter. Since the server commits each message durably
 * before its ACK, a server without group commit cannot exceed a ratio of
 * about 1 whatever the number of connections.
 *
 * Exit status: 0 when every message got an AA, 1 otherwise, 2 on usage or
 * set-up errors. Loopback only; synthetic names only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ACK_BUF 8192
#define MSG_BUF 1024
#define FSYNC_SECONDS 2.0

typedef struct worker {
    int index;
    int port;
    long messages;
    int fd;
    unsigned run_tag;           /* makes ids unique across runs on one store */
    pthread_barrier_t *start;
    uint64_t *lat_ns;           /* one per message answered */
    long answered;              /* ACKs received */
    long ok;                    /* ... of which MSA-1 == AA */
    long failures;
    int setup_failed;
} worker;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int connect_loopback(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Syllables and forenames of the synthetic patients: each message is a
 * different person, as on a real feed. (With one name for every message,
 * real-time matching would see thousands of IPPs of one person in one
 * establishment and open review tasks for each: not what a feed does.) */
static const char *const syllables[] = {
    "BER", "TIN", "MAR", "CHAL", "DU", "PON", "LE", "GRAND", "RO", "SEL",
    "FOU", "QUET", "GAR", "NIER", "LAM", "BERT", "VIN", "CENT", "MO", "REAU",
    "GIR", "ARD", "BON", "NET", "CAR", "RE", "PER", "RIN", "MEU", "NIER",
    "BRU", "NEL",
};
static const char *const forenames[] = {
    "ALICE", "LOUISE", "CHLOE", "JEANNE", "CAMILLE", "LEA", "MANON", "EMMA",
    "HUGO", "LOUIS", "GABRIEL", "JULES", "ARTHUR", "PAUL", "NATHAN", "LEO",
};

/* One framed ADT^A28 (0x0B ... 0x1C 0x0D); returns its length. */
static int make_message(char *out, size_t cap, const worker *w, long i)
{
    /* A mix of worker, run and message number picks the traits. */
    uint64_t h = ((uint64_t)w->run_tag << 40) ^ ((uint64_t)w->index << 32) ^ (uint64_t)i;
    h = (h ^ (h >> 31)) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    size_t ns = sizeof syllables / sizeof syllables[0];
    size_t nf = sizeof forenames / sizeof forenames[0];
    unsigned year = 1930 + (unsigned)(h % 90), month = 1 + (unsigned)((h >> 8) % 12);
    unsigned day = 1 + (unsigned)((h >> 16) % 28);
    const char *fore = forenames[(h >> 24) % nf];
    return snprintf(out, cap,
        "\x0b"
        "MSH|^~\\&|BENCH|HOP|SOCLE|GHT|20260101120000||ADT^A28^ADT_A05|"
        "B%05u-%03d-%07ld|P|2.5^FRA^2.11|||||FRA|8859/1\r"
        "EVN||20260101120000\r"
        "PID|||B%05u%03d%07ld^^^HOP&1.2.250.1.999.1&ISO^PI||"
        "%s%s%s^%s^%s^^^^L||%04u%02u%02u|%c\r"
        "PV1||N\r"
        "\x1c\r",
        w->run_tag, w->index, i, w->run_tag, w->index, i,
        syllables[(h >> 32) % ns], syllables[(h >> 40) % ns], syllables[(h >> 48) % ns],
        fore, fore, year, month, day, ((h >> 24) % nf) < nf / 2 ? 'F' : 'M');
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Position of the first 0x1C 0x0D in buf[0..len), or -1. */
static long find_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (buf[i] == '\x1c' && buf[i + 1] == '\r')
            return (long)i;
    return -1;
}

/* Reads one framed reply into buf; *have carries bytes read past a frame
 * over to the next call. Returns the frame length (end mark excluded,
 * start byte included), or -1 on error or end of file. */
static long read_frame(int fd, char *buf, size_t cap, size_t *have)
{
    for (;;) {
        long end = find_end(buf, *have);
        if (end >= 0)
            return end;
        if (*have == cap)
            return -1;          /* an ACK larger than 8 KiB: not ours */
        ssize_t k = recv(fd, buf + *have, cap - *have, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        *have += (size_t)k;
    }
}

/* MSA-1 == AA in the reply frame buf[0..len). */
static int ack_is_aa(const char *buf, size_t len)
{
    for (size_t i = 0; i + 7 <= len; i++) {
        if ((i == 0 || buf[i - 1] == '\r' || buf[i - 1] == '\x0b') &&
            memcmp(buf + i, "MSA|", 4) == 0)
            return buf[i + 4] == 'A' && buf[i + 5] == 'A' &&
                   (buf[i + 6] == '|' || buf[i + 6] == '\r' || buf[i + 6] == '^');
    }
    return 0;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    char msg[MSG_BUF];
    char ack[ACK_BUF];
    size_t have = 0;

    /* Every thread reaches the barrier, even when its connection failed,
     * so that the others are not left waiting. */
    pthread_barrier_wait(w->start);
    if (w->setup_failed) {
        w->failures = w->messages;
        return NULL;
    }
    for (long i = 0; i < w->messages; i++) {
        int n = make_message(msg, sizeof msg, w, i);
        uint64_t t0 = now_ns();
        if (n < 0 || (size_t)n >= sizeof msg || write_all(w->fd, msg, (size_t)n) != 0) {
            fprintf(stderr, "bench_mllp: connection %d: send failed: %s\n", w->index,
                    strerror(errno));
            w->failures += w->messages - i;
            break;
        }
        long len = read_frame(w->fd, ack, sizeof ack, &have);
        if (len < 0) {
            fprintf(stderr, "bench_mllp: connection %d: no ACK for message %ld\n",
                    w->index, i);
            w->failures += w->messages - i;
            break;
        }
        w->lat_ns[w->answered++] = now_ns() - t0;
        if (ack_is_aa(ack, (size_t)len)) {
            w->ok++;
        } else {
            if (w->failures == 0) {
                /* Segments on one line each, start byte dropped. */
                for (long j = 0; j < len; j++)
                    if (ack[j] == '\r')
                        ack[j] = '\n';
                int skip = len > 0 && ack[0] == '\x0b';
                fprintf(stderr, "bench_mllp: connection %d: first ACK other than AA:\n%.*s\n",
                        w->index, (int)(len - skip), ack + skip);
            }
            w->failures++;
        }
        /* Keep whatever followed the frame (nothing, with one in flight). */
        size_t used = (size_t)len + 2;
        memmove(ack, ack + used, have - used);
        have -= used;
    }
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t percentile(const uint64_t *v, long n, double p)
{
    long rank = (long)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* fdatasync ceiling of the filesystem holding dir; <0 on error. */
static double fsync_ceiling(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/.bench_fsync.XXXXXX", dir) >= (int)sizeof path)
        return -1;
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "bench_mllp: cannot create a file in %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char block[512];
    memset(block, 'x', sizeof block);
    long count = 0;
    uint64_t t0 = now_ns(), t;
    do {
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block || fdatasync(fd) != 0) {
            fprintf(stderr, "bench_mllp: write/fdatasync in %s: %s\n", dir, strerror(errno));
            close(fd);
            unlink(path);
            return -1;
        }
        count++;
        t = now_ns();
    } while ((double)(t - t0) < FSYNC_SECONDS * 1e9);
    close(fd);
    unlink(path);
    return (double)count / ((double)(t - t0) / 1e9);
}

int main(int argc, char **argv)
{
    long port, conns, per_conn;
    if ((argc != 4 && argc != 5) || parse_long(argv[1], 1, 65535, &port) != 0 ||
        parse_long(argv[2], 1, 1024, &conns) != 0 ||
        parse_long(argv[3], 1, 100000000, &per_conn) != 0) {
        fprintf(stderr,
                "usage: bench_mllp PORT CONNECTIONS MESSAGES_PER_CONNECTION "
                "[DATA_DIR_FOR_FSYNC]\n");
        return 2;
    }
    const char *fsync_dir = argc == 5 ? argv[4] : NULL;
    double ceiling_before = fsync_dir != NULL ? fsync_ceiling(fsync_dir) : -1;

    worker *w = calloc((size_t)conns, sizeof *w);
    pthread_t *tid = calloc((size_t)conns, sizeof *tid);
    pthread_barrier_t start;
    if (w == NULL || tid == NULL || pthread_barrier_init(&start, NULL, (unsigned)conns + 1) != 0) {
        fprintf(stderr, "bench_mllp: out of memory\n");
        return 2;
    }
    unsigned run_tag = (unsigned)(((uint64_t)time(NULL) * 31u + (unsigned)getpid()) % 100000u);
    int connect_failures = 0;
    for (long c = 0; c < conns; c++) {
        w[c].index = (int)c;
        w[c].port = (int)port;
        w[c].messages = per_conn;
        w[c].run_tag = run_tag;
        w[c].start = &start;
        w[c].lat_ns = calloc((size_t)per_conn, sizeof *w[c].lat_ns);
        w[c].fd = connect_loopback((int)port);
        if (w[c].lat_ns == NULL || w[c].fd < 0) {
            fprintf(stderr, "bench_mllp: connection %ld to 127.0.0.1:%ld failed: %s\n", c,
                    port, strerror(errno));
            w[c].setup_failed = 1;
            connect_failures++;
        }
    }
    for (long c = 0; c < conns; c++) {
        if (pthread_create(&tid[c], NULL, run_worker, &w[c]) != 0) {
            fprintf(stderr, "bench_mllp: cannot start thread %ld\n", c);
            return 2;
        }
    }
    pthread_barrier_wait(&start);
    uint64_t t0 = now_ns();
    for (long c = 0; c < conns; c++)
        pthread_join(tid[c], NULL);
    double elapsed = (double)(now_ns() - t0) / 1e9;

    long total = conns * per_conn, answered = 0, ok = 0, failures = 0;
    for (long c = 0; c < conns; c++) {
        answered += w[c].answered;
        ok += w[c].ok;
        failures += w[c].failures;
        if (w[c].fd >= 0)
            close(w[c].fd);
    }
    uint64_t *all = calloc((size_t)(answered > 0 ? answered : 1), sizeof *all);
    if (all == NULL) {
        fprintf(stderr, "bench_mllp: out of memory\n");
        return 2;
    }
    long k = 0;
    for (long c = 0; c < conns; c++) {
        memcpy(all + k, w[c].lat_ns, (size_t)w[c].answered * sizeof *all);
        k += w[c].answered;
        free(w[c].lat_ns);
    }
    qsort(all, (size_t)answered, sizeof *all, cmp_u64);

    /* Throughput counts the messages acknowledged AA only. */
    double rate = (double)ok / elapsed;
    printf("connections       %ld x %ld messages\n", conns, per_conn);
    printf("messages          %ld\n", total);
    printf("elapsed           %.3f s\n", elapsed);
    printf("throughput        %.0f messages/s\n", rate);
    if (answered > 0)
        printf("latency           p50 %.3f ms  p99 %.3f ms  max %.3f ms\n",
               (double)percentile(all, answered, 50) / 1e6,
               (double)percentile(all, answered, 99) / 1e6,
               (double)all[answered - 1] / 1e6);
    printf("failures          %ld%s\n", failures,
           connect_failures ? " (including connections that could not open)" : "");
    free(all);

    if (fsync_dir != NULL) {
        fflush(stdout);
        double after = fsync_ceiling(fsync_dir);
        double ceiling = after > ceiling_before ? after : ceiling_before;
        if (ceiling > 0) {
            printf("fsync ceiling     %.0f fdatasync/s (512-byte appends, %s; "
                   "before the load %.0f/s, after %.0f/s)\n",
                   ceiling, fsync_dir, ceiling_before, after);
            printf("ratio             %.2f (messages/s / fsyncs/s)\n", rate / ceiling);
        } else {
            printf("fsync ceiling     not measured\n");
        }
    }
    pthread_barrier_destroy(&start);
    free(w);
    free(tid);
    return failures == 0 ? 0 : 1;
}
