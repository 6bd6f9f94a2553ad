/*
 * test_serve.c - `socle serve` as an operator runs it: the banner, /health,
 * signals, the data dir lock, administrative commands next to a running
 * server, and restarts.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "harness.h"

static char root[512];
static char data[600];

static void setup(void)
{
    cr_assert_eq(h_temp_dir(root, sizeof root), 0, "mkdtemp: %s",
                 strerror(errno));
    snprintf(data, sizeof data, "%s/data", root);
}

static void teardown(void)
{
    h_server_kill_all();
    h_remove_tree(root);
}

TestSuite(serve, .init = setup, .fini = teardown, .timeout = 180);

/* ---- Helpers ----------------------------------------------------------- */

#define ASSERT_EXIT(r, code)                                               \
    cr_assert((r)->exited && !(r)->timed_out && (r)->status == (code),     \
              "expected exit %d, got %s", (code), h_describe(r))

static void start(h_server *s)
{
    char why[4096];
    cr_assert_eq(h_server_start(s, data, root, NULL, why, sizeof why), 0,
                 "%s", why);
}

static void stop_ok(h_server *s, int sig)
{
    int status;
    cr_assert_eq(h_server_stop(s, sig, H_STOP_TIMEOUT_MS, &status), 0,
                 "no exit within %d ms of signal %d; stderr:\n%s",
                 H_STOP_TIMEOUT_MS, sig, h_server_stderr(s));
    cr_assert_eq(status, 0, "exit status %d after signal %d; stderr:\n%s",
                 status, sig, h_server_stderr(s));
}

static char last_body[4096];  /* the last /health body, for messages */

/* GET /health, check its shape, return the parsed body (json_decref). */
static json_t *health(const h_server *s)
{
    h_response resp;
    char why[512];
    cr_assert_eq(h_http(s->port, "GET", "/health", &resp, why, sizeof why), 0,
                 "GET /health: %s", why);
    snprintf(last_body, sizeof last_body, "%s", resp.body);
    cr_assert_eq(resp.status, 200, "GET /health: %d %s", resp.status,
                 last_body);
    cr_assert(strncmp(resp.content_type, "application/json", 16) == 0,
              "Content-Type: %s", resp.content_type);
    json_error_t jerr;
    json_t *h = json_loads(resp.body, 0, &jerr);
    h_response_free(&resp);
    cr_assert_not_null(h, "not JSON (%s): %s", jerr.text, last_body);

    cr_assert_str_eq(json_string_value(json_object_get(h, "status")) ?
                     json_string_value(json_object_get(h, "status")) : "",
                     "ok", "%s", last_body);
    json_t *v = json_object_get(h, "version");
    cr_assert(json_is_string(v) && strcmp(json_string_value(v), "0.1.0") == 0,
              "%s", last_body);
    json_t *store = json_object_get(h, "store");
    v = json_object_get(store, "backend");
    cr_assert(json_is_string(v) && strcmp(json_string_value(v), "sqlite") == 0,
              "%s", last_body);
    v = json_object_get(store, "schema_version");
    cr_assert(json_is_integer(v) && json_integer_value(v) >= 1, "%s",
              last_body);
    json_t *counts = json_object_get(h, "counts");
    static const char *const names[] = { "structures", "domains",
        "local_identities", "ght_identities", "merges", "audit_records" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        v = json_object_get(counts, names[i]);
        cr_assert(json_is_integer(v) && json_integer_value(v) >= 0,
                  "counts.%s: %s", names[i], last_body);
    }
    return h;
}

static long long count(json_t *h, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(h, "counts"),
                                              name));
}

#define HEADER "kind,code,label,parent_code,finess,oid,valid_from,valid_to\n"
#define STRUCTS HEADER                                                      \
    "EJ,EJ1,CHU Test,,750712184,1.2.250.1.71.4.2.2.750712184,,\n"          \
    "EG,EG1,Site principal,EJ1,750000010,,2020-01-01,\n"                   \
    "POLE,P1,Pole medecine,EG1,,,,\n"                                      \
    "SERVICE,S1,\"Cardiologie, adulte\",P1,,,,\n"                          \
    "UF,UF1,Hospitalisation,S1,,,2020-01-01,2030-12-31\n"                  \
    "CHAMBRE,CH1,Chambre 1,UF1,,,,\n"                                      \
    "LIT,L1,Lit A,CH1,,,,\n"

static void import_structs(void)
{
    const char *file = h_fmt("%s/s.csv", root);
    cr_assert_eq(h_write_text(file, STRUCTS), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert(strstr(r.out, ": 7 records: 7 inserted, 0 updated, "
                     "0 unchanged") != NULL, "%s", h_describe(&r));
    h_result_free(&r);
}

/* ---- Tests ------------------------------------------------------------- */

Test(serve, creates_the_data_dir_and_answers_health)
{
    h_server s;
    start(&s);

    const char *want = h_fmt("socle 0.1.0 listening on http://127.0.0.1:%d "
                             "(store sqlite %s/socle.db)", s.port, data);
    cr_assert_str_eq(s.banner, want);

    struct stat st;
    cr_assert_eq(stat(h_fmt("%s/socle.db", data), &st), 0, "no socle.db");
    cr_assert_eq(stat(h_fmt("%s/socle.lock", data), &st), 0, "no socle.lock");
    if (stat(h_fmt("%s/jwt.key", data), &st) == 0)
        cr_assert_eq(st.st_mode & 0777, 0600, "jwt.key mode %o",
                     st.st_mode & 0777);

    json_t *h = health(&s);
    cr_assert_eq(count(h, "structures"), 0, "%s", last_body);
    cr_assert_eq(count(h, "local_identities"), 0, "%s", last_body);
    cr_assert_eq(count(h, "ght_identities"), 0, "%s", last_body);
    cr_assert_eq(count(h, "merges"), 0, "%s", last_body);
    json_decref(h);

    /* Keep-alive is not needed, but several requests in a row are. */
    for (int i = 0; i < 5; i++)
        cr_assert_eq(h_http_get(s.port, "/health", NULL), 200);

    stop_ok(&s, SIGTERM);
}

Test(serve, head_unknown_path_and_wrong_method)
{
    h_server s;
    start(&s);
    h_response resp;
    char why[512];

    cr_assert_eq(h_http(s.port, "HEAD", "/health", &resp, why, sizeof why), 0,
                 "%s", why);
    cr_assert_eq(resp.status, 200, "HEAD /health: %d", resp.status);
    h_response_free(&resp);

    const char *paths[] = { "/nope", "/health/x", "/api/v1/nothing" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        cr_assert_eq(h_http(s.port, "GET", paths[i], &resp, why, sizeof why),
                     0, "%s", why);
        cr_assert_eq(resp.status, 404, "GET %s: %d", paths[i], resp.status);
        /* Outside /fhir and /health, the workbench answers: a French page. */
        cr_assert_not_null(strstr(resp.body, "Page introuvable"), "404 body: %s", resp.body);
        h_response_free(&resp);
    }

    const char *methods[] = { "POST", "PUT", "DELETE" };
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(h_http(s.port, methods[i], "/health", &resp, why,
                            sizeof why), 0, "%s", why);
        cr_assert_eq(resp.status, 405, "%s /health: %d", methods[i],
                     resp.status);
        h_response_free(&resp);
    }

    /* Still serving after all that. */
    json_decref(health(&s));
    stop_ok(&s, SIGTERM);
}

Test(serve, sigint_stops_cleanly)
{
    h_server s;
    start(&s);
    json_decref(health(&s));
    stop_ok(&s, SIGINT);

    /* The lock went with it: the data dir is usable again at once. */
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "verify", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    start(&s);
    stop_ok(&s, SIGTERM);
}

Test(serve, second_server_on_the_same_data_dir_is_refused)
{
    h_server s;
    start(&s);

    h_result r;
    cr_assert_eq(H_RUN(&r, "serve", "--data", data, "--http", "0"), 0);
    ASSERT_EXIT(&r, 1);
    cr_assert(strstr(r.err, "already running") != NULL, "%s",
              h_describe(&r));
    cr_assert(strstr(r.out, "listening") == NULL, "%s", h_describe(&r));
    h_result_free(&r);

    /* The first one did not notice. */
    cr_assert(h_server_alive(&s), "the first server died; stderr:\n%s",
              h_server_stderr(&s));
    json_decref(health(&s));
    stop_ok(&s, SIGTERM);
}

Test(serve, admin_commands_work_next_to_a_running_server)
{
    h_server s;
    start(&s);
    json_t *before = health(&s);
    cr_assert_eq(count(before, "structures"), 0, "%s", last_body);

    import_structs();

    json_t *after = health(&s);
    cr_assert_eq(count(after, "structures"), 7, "%s", last_body);
    cr_assert_gt(count(after, "audit_records"), count(before, "audit_records"),
                 "the import is audited: %s", last_body);

    h_result r;
    cr_assert_eq(H_RUN(&r, "token", "issue", "--data", data, "--role",
                       "lecteur"), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "audit", "verify", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);

    json_decref(before);
    json_decref(after);
    stop_ok(&s, SIGTERM);
}

Test(serve, restart_keeps_the_data)
{
    h_server s;
    start(&s);
    import_structs();
    json_t *first = health(&s);
    cr_assert_eq(count(first, "structures"), 7, "%s", last_body);
    stop_ok(&s, SIGTERM);

    start(&s);
    json_t *second = health(&s);
    cr_assert(json_equal(json_object_get(first, "counts"),
                         json_object_get(second, "counts")),
              "counts changed across a restart; now %s", last_body);
    stop_ok(&s, SIGTERM);

    /* And the trail is still whole. */
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "verify", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    json_decref(first);
    json_decref(second);
}
