/*
 * server.h - the HTTP listener (libmicrohttpd): routing and the endpoints
 * that are not FHIR (health, later the workbench).
 */
#ifndef SOCLE_HTTP_SERVER_H
#define SOCLE_HTTP_SERVER_H

#include "util/error.h"

struct socle_server;
typedef struct http_server http_server;

/* Listen on bind:port (port 0: chosen by the system; IPv4 or IPv6 literal
 * address) with a pool of worker threads. */
int http_server_start(http_server **out, struct socle_server *srv, const char *bind,
                      int port, socle_err *err);

/* The port actually bound. */
int http_server_port(const http_server *h);

/* Stop accepting, let in-flight requests finish, free. */
void http_server_stop(http_server *h);

#endif
