/*
 * bench_er7.c - throughput of the ER7 parser on one core.
 *
 *   bench_er7 [MESSAGES [ROUNDS]]
 *
 * Generates MESSAGES (default 10000) synthetic ADT^A01 messages of about
 * 400 bytes, in 8859/1 with varied synthetic names (some accented, some
 * with an escape sequence), then times ROUNDS (default 50) passes of:
 *   parse     er7_parse + er7_free;
 *   walk      parse, then every field of every segment unescaped and
 *             decoded to UTF-8 (er7_unescape), then free;
 *   deep      the same down to every subcomponent.
 * Prints messages/s and ns/message for each. The checksum printed keeps
 * the compiler from optimising the work away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl7/er7.h"
#include "hl7/er7_text.h"
#include "util/buf.h"

/* Synthetic names; \xE9 \xEB \xEF are Latin-1 é ë ï. */
static const char *const families[] = {
    "MARTINEZ", "DUBOIS", "LEF\xC8VRE", "NO\xCBL", "DUPONT-LAGARDE",
    "BERNARDIN", "ROUSSEL", "O'NEILL", "GAUTHIER", "MOREL\\S\\BIS",
};
static const char *const forenames[] = {
    "CAMILLE", "H\xC9L\xC8NE", "MA\xCBLLE", "JULES", "LOUIS", "ZO\xC9",
    "NATHAN", "L\xC9\x41", "GABRIEL", "IN\xC8S",
};
#define NFAM (sizeof families / sizeof families[0])
#define NFORE (sizeof forenames / sizeof forenames[0])

static void make_message(buf *b, unsigned i)
{
    const char *fam = families[i % NFAM];
    const char *fore = forenames[(i / NFAM) % NFORE];
    buf_printf(b,
        "MSH|^~\\&|EXPEDITEUR|ETAB%03u|SOCLE|GHT|20250105%06u||ADT^A01^ADT_A01|"
        "MSG%08u|P|2.5^FRA^2.11|||||FRA|8859/1\r"
        "EVN||20250105101500\r"
        "PID|||%09u^^^HOPITAL&1.2.250.1.99.1&ISO^PI||%s^%s^%s JEANNE^^Mme^^L~"
        "%s^%s^^^^^D||19%02u%02u%02u|F|||%u rue des Tilleuls^^VILLE^^%05u^FRA^H"
        "||0600000000^PRN^CP|||||||||||||||||PROV\r"
        "PV1||I|UF%03u^CH%03u^L%u^ETAB%03u^^^^^^^D|||||||||||||||V%09u\r"
        "ZBE|MVT%09u^HOPITAL|20250105101500||INSERT|N\r",
        i % 1000, i % 1000000, i,
        100000000 + i, fam, fore, fore, fam, fore,
        40 + i % 60, 1 + i % 12, 1 + i % 28, 1 + i % 99, 10000 + i % 90000,
        i % 1000, i % 1000, i % 4, i % 1000, i, i);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum mode { PARSE, WALK, DEEP };

/* Parse (and walk) one message; returns a checksum or -1 on error. */
static long run_one(const char *data, size_t len, enum mode mode, buf *out)
{
    socle_err err;
    er7_message *m = er7_parse(data, len, &err);
    if (m == NULL) {
        fprintf(stderr, "bench_er7: %s\n", err.msg);
        return -1;
    }
    long sum = (long)er7_segment_count(m);
    er7_charset cs;
    if (mode != PARSE && er7_message_charset(m, &cs, &err) < 0) {
        fprintf(stderr, "bench_er7: %s\n", err.msg);
        er7_free(m);
        return -1;
    }
    const er7_delims *d = er7_delimiters(m);
    for (size_t s = 0; mode != PARSE && s < er7_segment_count(m); s++) {
        size_t nf = er7_field_count(m, s);
        for (size_t f = 1; f <= nf; f++) {
            if (er7_field_is_delimiters(m, s, f))
                continue;
            er7_slice field = er7_field(m, s, f);
            if (mode == WALK) {
                buf_reset(out);
                if (er7_unescape(d, cs, field, out, &err) < 0)
                    goto fail;
                sum += (long)out->len;
                continue;
            }
            er7_slice reps = field, rep;
            while (er7_split(&reps, d->repetition, &rep)) {
                er7_slice comps = rep, comp;
                while (er7_split(&comps, d->component, &comp)) {
                    er7_slice subs = comp, sub;
                    while (er7_split(&subs, d->subcomponent, &sub)) {
                        buf_reset(out);
                        if (er7_unescape(d, cs, sub, out, &err) < 0)
                            goto fail;
                        sum += (long)out->len;
                    }
                }
            }
        }
    }
    er7_free(m);
    return sum;
fail:
    fprintf(stderr, "bench_er7: %s\n", err.msg);
    er7_free(m);
    return -1;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;
    unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 50;
    if (n == 0 || rounds == 0) {
        fprintf(stderr, "usage: bench_er7 [MESSAGES [ROUNDS]]\n");
        return 2;
    }

    /* All messages in one block, as they would sit in receive buffers. */
    buf all = {0};
    size_t *off = malloc(((size_t)n + 1) * sizeof *off);
    if (off == NULL)
        return 1;
    for (unsigned i = 0; i < n; i++) {
        off[i] = all.len;
        make_message(&all, i);
    }
    off[n] = all.len;
    printf("%u messages, %.0f bytes on average, %u rounds\n", n,
           (double)all.len / n, rounds);

    static const char *const names[] = {"parse", "walk", "deep"};
    buf out = {0};
    int status = 0;
    for (int mode = PARSE; mode <= DEEP; mode++) {
        long sum = 0;
        double t0 = now();
        for (unsigned r = 0; r < rounds && status == 0; r++)
            for (unsigned i = 0; i < n; i++) {
                long c = run_one(all.data + off[i], off[i + 1] - off[i],
                                 (enum mode)mode, &out);
                if (c < 0) {
                    status = 1;
                    break;
                }
                sum += c;
            }
        double dt = now() - t0;
        double total = (double)n * rounds;
        printf("%-6s %12.0f messages/s %8.1f ns/message  (checksum %ld)\n",
               names[mode], total / dt, dt * 1e9 / total, sum);
    }
    buf_free(&out);
    buf_free(&all);
    free(off);
    return status;
}
