/*
 * socle serve - run the server on a data dir until SIGTERM or SIGINT.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/mllp_server.h"
#include "http/server.h"
#include "server_context.h"
#include "util/buf.h"
#include "util/log.h"

static const char usage[] =
    "usage: socle serve [--data DIR] [--bind ADDR] [--http PORT] [--mllp PORT]\n"
    "                   [--max-message BYTES] [--mllp-idle-timeout SECONDS]\n"
    "                   [--mllp-frame-timeout SECONDS] [--mllp-tls-cert PEM\n"
    "                   [--mllp-tls-key PEM] [--mllp-tls-ca PEM]]\n"
    "                   [--tls-cert PEM [--tls-key PEM]] [--rate-limit N]\n"
    "                   [--http-threads N]\n"
    "\n"
    "Runs the Socle server on a data dir (created and initialised when new,\n"
    "migrated when older). Stops cleanly on SIGTERM or SIGINT.\n"
    "\n"
    "  --data DIR    data dir (default ./data)\n"
    "  --bind ADDR   IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
    "  --http PORT   HTTP port (default 8080; 0 = any free port)\n"
    "  --mllp PORT   HL7 v2 MLLP port (default 2575; 0 = any free port)\n"
    "  --max-message BYTES  largest HL7 message accepted (default 1048576);\n"
    "                a larger one is refused (AR) and its connection closed\n"
    "  --mllp-idle-timeout SECONDS  close an MLLP connection that sends nothing\n"
    "                for that long (default 300)\n"
    "  --mllp-frame-timeout SECONDS close an MLLP connection that does not finish\n"
    "                a message it started within that time (default 30)\n"
    "  --mllp-tls-cert PEM  serve MLLP over TLS (1.2 or later) with this\n"
    "                certificate chain\n"
    "  --mllp-tls-key PEM   its private key (default: in the certificate file)\n"
    "  --mllp-tls-ca PEM    require client certificates signed by this CA\n"
    "                (mutual TLS)\n"
    "  --tls-cert PEM  serve HTTP over TLS (HTTPS, 1.2 or later) with this\n"
    "                certificate chain\n"
    "  --tls-key PEM   its private key (default: in the certificate file)\n"
    "  --rate-limit N  HTTP requests a minute per bearer token, in bursts of up\n"
    "                to N (default 1200; 0 = no limit); beyond: 429 and Retry-After\n"
    "  --http-threads N  threads answering HTTP requests, each with its own\n"
    "                reader of the store (default 32, 1-256)\n";

/* 1 second to 1 day. */
static int parse_seconds(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 86400)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_port(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

int cli_serve(int argc, char **argv)
{
    socle_config cfg;
    server_config_defaults(&cfg);

    static const struct option opts[] = {
        { "data", required_argument, NULL, 'd' },
        { "bind", required_argument, NULL, 'b' },
        { "http", required_argument, NULL, 'H' },
        { "mllp", required_argument, NULL, 'm' },
        { "max-message", required_argument, NULL, 'M' },
        { "mllp-tls-cert", required_argument, NULL, 'C' },
        { "mllp-tls-key", required_argument, NULL, 'K' },
        { "mllp-tls-ca", required_argument, NULL, 'A' },
        { "mllp-idle-timeout", required_argument, NULL, 'I' },
        { "mllp-frame-timeout", required_argument, NULL, 'F' },
        { "tls-cert", required_argument, NULL, 'T' },
        { "tls-key", required_argument, NULL, 'k' },
        { "rate-limit", required_argument, NULL, 'R' },
        { "http-threads", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (str_copy(cfg.data_dir, sizeof cfg.data_dir, optarg) != 0)
                return cli_fail(CLI_USAGE, "serve", "--data path too long");
            break;
        case 'b':
            if (str_copy(cfg.bind, sizeof cfg.bind, optarg) != 0)
                return cli_fail(CLI_USAGE, "serve", "--bind address too long");
            break;
        case 'H':
            if (parse_port(optarg, &cfg.http_port) != 0)
                return cli_fail(CLI_USAGE, "serve", "--http: '%s' is not a port (0-65535)", optarg);
            break;
        case 'm':
            if (parse_port(optarg, &cfg.mllp_port) != 0)
                return cli_fail(CLI_USAGE, "serve", "--mllp: '%s' is not a port (0-65535)", optarg);
            break;
        case 'M': {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || v < 1024 || v > (256u << 20))
                return cli_fail(CLI_USAGE, "serve",
                                "--max-message: '%s' is not a size from 1024 to 268435456 bytes",
                                optarg);
            cfg.mllp_max_message = (size_t)v;
            break;
        }
        case 'C':
        case 'K':
        case 'A': {
            char *dst = c == 'C' ? cfg.mllp_tls_cert : c == 'K' ? cfg.mllp_tls_key
                                                              : cfg.mllp_tls_ca;
            if (str_copy(dst, SERVER_PATH_MAX, optarg) != 0)
                return cli_fail(CLI_USAGE, "serve", "TLS file path too long");
            break;
        }
        case 'I':
            if (parse_seconds(optarg, &cfg.mllp_idle_timeout) != 0)
                return cli_fail(CLI_USAGE, "serve",
                                "--mllp-idle-timeout: '%s' is not a number of seconds "
                                "from 1 to 86400", optarg);
            break;
        case 'F':
            if (parse_seconds(optarg, &cfg.mllp_frame_timeout) != 0)
                return cli_fail(CLI_USAGE, "serve",
                                "--mllp-frame-timeout: '%s' is not a number of seconds "
                                "from 1 to 86400", optarg);
            break;
        case 'T':
        case 'k':
            if (str_copy(c == 'T' ? cfg.http_tls_cert : cfg.http_tls_key, SERVER_PATH_MAX,
                         optarg) != 0)
                return cli_fail(CLI_USAGE, "serve", "TLS file path too long");
            break;
        case 'R': {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-'
                || v > 1000000)
                return cli_fail(CLI_USAGE, "serve", "--rate-limit: '%s' is not a number of "
                                "requests a minute from 0 to 1000000", optarg);
            cfg.http_rate_limit = (unsigned)v;
            break;
        }
        case 'P': {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || v < 1 || v > 256)
                return cli_fail(CLI_USAGE, "serve", "--http-threads: '%s' is not a number "
                                "from 1 to 256", optarg);
            cfg.http_threads = (unsigned)v;
            break;
        }
        case 'h':
            fputs(usage, stdout);
            return CLI_OK;
        default:
            fputs(usage, stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    if (cfg.mllp_tls_cert[0] == '\0' && (cfg.mllp_tls_key[0] || cfg.mllp_tls_ca[0]))
        return cli_fail(CLI_USAGE, "serve", "--mllp-tls-key and --mllp-tls-ca need "
                        "--mllp-tls-cert");
    if (cfg.http_tls_cert[0] == '\0' && cfg.http_tls_key[0] != '\0')
        return cli_fail(CLI_USAGE, "serve", "--tls-key needs --tls-cert");

    /* Block the stop signals before any thread starts, so that every
     * listener thread inherits the mask and only sigwait() below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Each message's store unit allocates and frees its undo log (tens of
     * KiB): with the default dynamic threshold, glibc hands that memory
     * back to the kernel after nearly every message (an madvise and a TLB
     * shootdown across CPUs each time). Keep up to 32 MiB per arena. */
    mallopt(M_TRIM_THRESHOLD, 32 << 20);

    socle_server srv;
    socle_err err;
    err_clear(&err);
    if (server_open(&srv, &cfg, &err) != 0) {
        server_close(&srv);
        return cli_fail(CLI_FAIL, "serve", "%s", err.msg);
    }
    if (server_start(&srv, &err) != 0) {
        server_close(&srv);
        return cli_fail(CLI_FAIL, "serve", "%s", err.msg);
    }

    int v6 = strchr(cfg.bind, ':') != NULL;  /* IPv6 literals go in brackets */
    char url[128];
    snprintf(url, sizeof url, "%s://%s%s%s:%d", cfg.http_tls_cert[0] ? "https" : "http",
             v6 ? "[" : "", cfg.bind, v6 ? "]" : "",
             http_server_port(srv.http));
    /* Both lines at once, once both listeners accept connections. */
    printf("socle %s listening on %s (store %s %s)\n", SOCLE_VERSION, url,
           store_backend(srv.store), store_location(srv.store));
    printf("socle mllp listening on %s%s%s:%d\n", v6 ? "[" : "", cfg.bind, v6 ? "]" : "",
           mllp_server_port(srv.mllp));
    fflush(stdout);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    log_info("received %s: finishing in-flight requests and closing the store",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server_close(&srv);
    log_info("stopped");
    return CLI_OK;
}
