/*
 * test_cli.c - the command line, run as a user runs it: exit statuses,
 * what goes to stdout and stderr, and what ends up in the data dir.
 *
 * Exit statuses: 0 success, 1 failure or invalid input, 2 usage error.
 */
#include <criterion/criterion.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

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

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 180);

/* ---- Helpers ----------------------------------------------------------- */

#define RUN(r, ...)                                                        \
    cr_assert_eq(H_RUN((r), __VA_ARGS__), 0, "cannot run %s: %s",         \
                 SOCLE_BIN, strerror(errno))

#define ASSERT_EXIT(r, code)                                               \
    cr_assert((r)->exited && !(r)->timed_out && (r)->status == (code),     \
              "expected exit %d, got %s", (code), h_describe(r))

/* 1 when text holds a line exactly equal to line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int contains_ci(const char *text, const char *word)
{
    return text != NULL && strcasestr(text, word) != NULL;
}

/* 1 when the number appears in text on its own, not inside another one. */
static int has_number(const char *text, long value)
{
    for (const char *p = text; *p != '\0'; p++) {
        if (!isdigit((unsigned char)*p) ||
            (p > text && isdigit((unsigned char)p[-1])))
            continue;
        char *end;
        long v = strtol(p, &end, 10);
        if (v == value)
            return 1;
        p = end - 1;
    }
    return 0;
}

/* Non-empty lines. */
static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p != '\0';) {
        size_t len = strcspn(p, "\n");
        n += len > 0;
        p += len;
        if (*p == '\n')
            p++;
    }
    return n;
}

static const char *str_or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* The string member name of obj, "" when absent or not a string. */
static const char *member(json_t *obj, const char *name)
{
    return str_or_empty(json_string_value(json_object_get(obj, name)));
}

static const char *path_in_root(const char *name)
{
    return h_fmt("%s/%s", root, name);
}

static void init_data(void)
{
    h_result r;
    RUN(&r, "init", "--data", data);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

#define HEADER "kind,code,label,parent_code,finess,oid,valid_from,valid_to\n"
#define L_EJ   "EJ,EJ1,CHU Test,,750712184,1.2.250.1.71.4.2.2.750712184,,\n"
#define L_EG   "EG,EG1,Site principal,EJ1,750000010,,2020-01-01,\n"
#define L_POLE "POLE,P1,Pole medecine,EG1,,,,\n"
#define L_SVC  "SERVICE,S1,\"Cardiologie, adulte\",P1,,,,\n"
#define L_UF   "UF,UF1,Hospitalisation,S1,,,2020-01-01,2030-12-31\n"
#define L_CH   "CHAMBRE,CH1,Chambre 1,UF1,,,,\n"
#define L_LIT  "LIT,L1,Lit A,CH1,,,,\n"
#define STRUCTS HEADER L_EJ L_EG L_POLE L_SVC L_UF L_CH L_LIT

/* Import csv (written to NAME) into dir and expect success with this
 * summary. */
static void import_ok_in(const char *dir, const char *name, const char *csv,
                         int records, int inserted, int updated,
                         int unchanged)
{
    const char *file = path_in_root(name);
    cr_assert_eq(h_write_text(file, csv), 0);
    h_result r;
    RUN(&r, "import", "structures", "--data", dir, file);
    ASSERT_EXIT(&r, 0);
    const char *want = h_fmt("%s: %d records: %d inserted, %d updated, "
                             "%d unchanged", file, records, inserted,
                             updated, unchanged);
    cr_assert(has_line(r.out, want), "expected the line\n%s\ngot %s", want,
              h_describe(&r));
    h_result_free(&r);
}

static void import_ok(const char *name, const char *csv, int records,
                      int inserted, int updated, int unchanged)
{
    import_ok_in(data, name, csv, records, inserted, updated, unchanged);
}

/* Import a bad file into a fresh data dir: exit 1, "FILE:LINE:" on stderr
 * (LINE counts the header as 1; line 0 here means any line), the reason
 * if one is given. Then prove nothing of it was kept: the good file still
 * inserts all its 7 records (bad files reuse its codes; a kept record
 * would show as unchanged or updated). */
static void import_fails(const char *csv, size_t csv_len, int line,
                         const char *reason)
{
    static int cases;
    char dir[700];
    snprintf(dir, sizeof dir, "%s/case-%d", root, ++cases);
    h_result r;
    RUN(&r, "init", "--data", dir);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);

    const char *file = path_in_root(h_fmt("bad-%d.csv", cases));
    cr_assert_eq(h_write_file(file, csv, csv_len), 0);
    RUN(&r, "import", "structures", "--data", dir, file);
    ASSERT_EXIT(&r, 1);
    if (line > 0) {
        const char *where = h_fmt("%s:%d:", file, line);
        cr_assert(strstr(r.err, where) != NULL,
                  "expected \"%s\" on stderr for\n%s\ngot %s", where, csv,
                  h_describe(&r));
    } else {
        const char *where = h_fmt("%s:", file);
        const char *p = strstr(r.err, where);
        cr_assert(p != NULL && isdigit((unsigned char)p[strlen(where)]),
                  "expected \"%sLINE:\" on stderr, got %s", where,
                  h_describe(&r));
    }
    if (reason != NULL)
        cr_assert(contains_ci(r.err, reason),
                  "expected \"%s\" on stderr for\n%s\ngot %s", reason, csv,
                  h_describe(&r));
    cr_assert(strstr(r.out, "inserted") == NULL,
              "a failed import reported a summary: %s", h_describe(&r));
    h_result_free(&r);

    import_ok_in(dir, "good.csv", STRUCTS, 7, 7, 0, 0);
}

static void import_fails_text(const char *csv, int line, const char *reason)
{
    import_fails(csv, strlen(csv), line, reason);
}

/* Issue a token; returns it without its newline (free()). */
static char *issue(const char *const *extra)
{
    const char *args[32] = { "token", "issue", "--data", data };
    int n = 4;
    for (; extra != NULL && *extra != NULL; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    h_result r;
    cr_assert_eq(h_run(&r, H_CLI_TIMEOUT_MS, args), 0);
    ASSERT_EXIT(&r, 0);
    cr_assert_eq(count_lines(r.out), 1, "one line expected: %s",
                 h_describe(&r));
    char *tok = strdup(r.out);
    tok[strcspn(tok, "\r\n")] = '\0';
    h_result_free(&r);
    return tok;
}

static int is_jwt_shaped(const char *t)
{
    int parts = 1, len = 0;
    for (const char *p = t; *p != '\0'; p++) {
        if (*p == '.') {
            if (len == 0)
                return 0;
            parts++;
            len = 0;
        } else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
            len++;
        } else {
            return 0;
        }
    }
    return parts == 3 && len > 0;
}

/* ---- Usage ------------------------------------------------------------- */

Test(cli, unknown_subcommand_is_a_usage_error)
{
    h_result r;
    RUN(&r, "frobnicate");
    ASSERT_EXIT(&r, 2);
    cr_assert(contains_ci(r.err, "usage"), "usage on stderr: %s",
              h_describe(&r));
    h_result_free(&r);

    RUN(&r, "import", "frobnicate", "--data", data, "x.csv");
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);

    RUN(&r, "serve", "--no-such-option");
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
}

Test(cli, no_arguments_is_a_usage_error)
{
    h_result r;
    cr_assert_eq(h_run(&r, H_CLI_TIMEOUT_MS, (const char *const[]){ NULL }),
                 0);
    ASSERT_EXIT(&r, 2);
    cr_assert(contains_ci(r.err, "usage"), "%s", h_describe(&r));
    h_result_free(&r);
}

Test(cli, every_subcommand_has_help)
{
    const char *const cmds[][4] = {
        { "serve", "--help", NULL },
        { "init", "--help", NULL },
        { "import", "structures", "--help", NULL },
        { "ins", "check", "--help", NULL },
        { "token", "issue", "--help", NULL },
        { "token", "verify", "--help", NULL },
        { "audit", "verify", "--help", NULL },
        { "audit", "list", "--help", NULL },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        h_result r;
        /* serve --help must print and leave, not serve. */
        cr_assert_eq(h_run(&r, 10000, cmds[i]), 0);
        ASSERT_EXIT(&r, 0);
        cr_assert(contains_ci(r.out, "usage"),
                  "%s %s: usage expected on stdout: %s", cmds[i][0],
                  cmds[i][1], h_describe(&r));
        h_result_free(&r);
    }
}

/* ---- ins check ----------------------------------------------------------- */

Test(cli, ins_check_valid)
{
    const char *valid[] = { "255081416802538", "253072B07300470",
                            "184072A00400165", "169037512301208" };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        h_result r;
        RUN(&r, "ins", "check", valid[i]);
        ASSERT_EXIT(&r, 0);
        cr_assert(contains_ci(r.out, "valid") &&
                  !contains_ci(r.out, "invalid"), "%s: %s", valid[i],
                  h_describe(&r));
        h_result_free(&r);
    }
}

Test(cli, ins_check_invalid)
{
    h_result r;
    RUN(&r, "ins", "check", "260058815400244");
    ASSERT_EXIT(&r, 1);
    cr_assert(contains_ci(r.out, "invalid"), "%s", h_describe(&r));
    cr_assert(strstr(r.out, "key is 44, expected 33") != NULL, "%s",
              h_describe(&r));
    h_result_free(&r);

    const char *bad[] = { "12345", "25508141680253X", "2550814168025381",
                          "253072C07300470" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        RUN(&r, "ins", "check", bad[i]);
        ASSERT_EXIT(&r, 1);
        cr_assert(contains_ci(r.out, "invalid"), "\"%s\": %s", bad[i],
                  h_describe(&r));
        h_result_free(&r);
    }
}

Test(cli, ins_check_without_value_is_a_usage_error)
{
    h_result r;
    RUN(&r, "ins", "check");
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
}

/* ---- init ---------------------------------------------------------------- */

Test(cli, init_is_idempotent)
{
    h_result r;
    RUN(&r, "init", "--data", data);
    ASSERT_EXIT(&r, 0);
    cr_assert(strncmp(r.out, "initialised", 11) == 0 ||
              strstr(r.out, "\ninitialised") != NULL, "%s", h_describe(&r));
    h_result_free(&r);

    struct stat st;
    cr_assert_eq(stat(h_fmt("%s/socle.db", data), &st), 0,
                 "no socle.db in the data dir");

    RUN(&r, "init", "--data", data);
    ASSERT_EXIT(&r, 0);
    cr_assert(strncmp(r.out, "initialised", 11) == 0 ||
              strstr(r.out, "\ninitialised") != NULL, "%s", h_describe(&r));
    h_result_free(&r);

    RUN(&r, "init", "--data", data, "--ght-oid", "1.2.250.1.999.1",
        "--ght-name", "GHT Test");
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

Test(cli, init_refuses_a_bad_oid)
{
    const char *bad[] = { "1.2.abc", "3.1.2", "1..2", "1.02.3" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h_result r;
        RUN(&r, "init", "--data", h_fmt("%s/d%zu", root, i), "--ght-oid",
            bad[i], "--ght-name", "GHT Test");
        ASSERT_EXIT(&r, 1);
        cr_assert_neq(r.err_len, 0, "an error message on stderr");
        h_result_free(&r);
    }
}

/* ---- import structures --------------------------------------------------- */

Test(cli, import_inserts_then_is_unchanged)
{
    init_data();
    import_ok("s.csv", STRUCTS, 7, 7, 0, 0);
    import_ok("s.csv", STRUCTS, 7, 0, 0, 7);
}

Test(cli, import_updates_a_changed_label)
{
    init_data();
    import_ok("s.csv", STRUCTS, 7, 7, 0, 0);
    import_ok("s2.csv", HEADER L_EJ L_EG L_POLE
              "SERVICE,S1,\"Cardiologie, adulte et enfant\",P1,,,,\n"
              L_UF L_CH L_LIT, 7, 0, 1, 6);
    /* A new record next to known ones. */
    import_ok("s3.csv", HEADER L_EJ L_EG L_POLE
              "SERVICE,S1,\"Cardiologie, adulte et enfant\",P1,,,,\n"
              L_UF L_CH L_LIT "LIT,L2,Lit B,CH1,,,,\n", 8, 1, 0, 7);
}

Test(cli, import_audited)
{
    init_data();
    import_ok("s.csv", STRUCTS, 7, 7, 0, 0);
    h_result r;
    RUN(&r, "audit", "verify", "--data", data);
    ASSERT_EXIT(&r, 0);
    long n = -1;
    const char *p = strstr(r.out, "audit chain intact: ");
    cr_assert_not_null(p, "%s", h_describe(&r));
    n = strtol(p + strlen("audit chain intact: "), NULL, 10);
    cr_assert_geq(n, 1, "%s", h_describe(&r));
    h_result_free(&r);
}

Test(cli, import_unknown_kind)
{
    import_fails_text(HEADER L_EJ "WARD,W1,Ward,EJ1,,,,\n", 3, "unknown kind");
}

Test(cli, import_child_before_parent_is_unknown_parent)
{
    /* Parents must come first in the file: no forward references. */
    import_fails_text(HEADER L_EJ L_EG L_SVC L_POLE, 4, "unknown parent");
    import_fails_text(HEADER L_EJ "EG,EG1,Site,NOPE,750000010,,,\n", 3,
                      "unknown parent");
}

Test(cli, import_invalid_finess)
{
    import_fails_text(HEADER
                      "EJ,EJ1,CHU Test,,750712185,1.2.250.1.71.4.2.2.750712184"
                      ",,\n", 2, "invalid FINESS");
    import_fails_text(HEADER L_EJ "EG,EG1,Site,EJ1,750000011,,,\n", 3,
                      "invalid FINESS");
    import_fails_text(HEADER L_EJ "EG,EG1,Site,EJ1,75000001,,,\n", 3, NULL);
}

Test(cli, import_duplicate_code)
{
    import_fails_text(HEADER L_EJ L_EG L_POLE "POLE,EG1,Autre pole,EJ1,,,,\n",
                      5, "duplicate code");
    import_fails_text(HEADER L_EJ L_EG L_EG, 4, "duplicate code");
}

Test(cli, import_other_rules)
{
    static const struct { const char *csv; int line; } cases[] = {
        /* parent kinds */
        { HEADER L_EJ L_EG L_POLE L_SVC L_UF "LIT,L1,Lit A,UF1,,,,\n", 7 },
        { HEADER L_EJ L_EG L_POLE L_SVC "CHAMBRE,CH1,Chambre 1,S1,,,,\n", 6 },
        { HEADER L_EJ L_EG L_POLE L_SVC "POLE,P2,Pole,S1,,,,\n", 6 },
        { HEADER L_EJ L_EG "EG,EG2,Site 2,EG1,350000105,,,\n", 4 },
        { HEADER L_EJ "EJ,EJ2,CHU 2,EJ1,350005179,1.2.250.1.1,,\n", 3 },
        { HEADER L_EJ "SERVICE,S9,Svc,,,,,\n", 3 },
        /* FINESS and OID requirements */
        { HEADER "EJ,EJ1,CHU Test,,750712184,,,\n", 2 },
        { HEADER "EJ,EJ1,CHU Test,,750712184,1.2.x.4,,\n", 2 },
        { HEADER "EJ,EJ1,CHU Test,,,1.2.250.1.71.4.2.2.750712184,,\n", 2 },
        { HEADER L_EJ "EG,EG1,Site,EJ1,,,,\n", 3 },
        /* dates */
        { HEADER L_EJ "EG,EG1,Site,EJ1,750000010,,2024-02-30,\n", 3 },
        { HEADER L_EJ "EG,EG1,Site,EJ1,750000010,,01/01/2024,\n", 3 },
        { HEADER L_EJ "EG,EG1,Site,EJ1,750000010,,2024-06-01,2024-05-31\n",
          3 },
        /* shape */
        { HEADER L_EJ "EG,EG1,Site,EJ1\n", 3 },
        { HEADER L_EJ "EG,EG1,Site,EJ1,750000010,,,,\n", 3 },
        { HEADER L_EJ "EG,,Site,EJ1,750000010,,,\n", 3 },
        { "kind,code,label\n" L_EJ, 1 },
        { "code,kind,label,parent_code,finess,oid,valid_from,valid_to\n"
          L_EJ, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        import_fails_text(cases[i].csv, cases[i].line, NULL);
}

Test(cli, import_latin1_is_refused)
{
    static const char csv[] = HEADER L_EJ
        "EG,EG1,H\xf4pital principal,EJ1,750000010,,,\n";
    import_fails(csv, sizeof csv - 1, 3, "UTF-8");
}

Test(cli, import_unterminated_quote_is_refused)
{
    import_fails_text(HEADER L_EJ L_EG "POLE,P1,\"Pole medecine,EG1,,,,\n",
                      0, NULL);
}

Test(cli, import_utf8_and_quotes_are_fine)
{
    init_data();
    import_ok("u.csv", HEADER
              "EJ,EJ1,\"Hôpital \"\"Saint-Éloi\"\", Paris\",,750712184,"
              "1.2.250.1.71.4.2.2.750712184,,\n"
              "EG,EG1,\"Site \"\"Nord\"\"\",EJ1,750000010,,,\n",
              2, 2, 0, 0);
}

Test(cli, import_missing_file)
{
    init_data();
    h_result r;
    RUN(&r, "import", "structures", "--data", data,
        path_in_root("nope.csv"));
    ASSERT_EXIT(&r, 1);
    cr_assert_neq(r.err_len, 0);
    h_result_free(&r);

    RUN(&r, "import", "structures", "--data", data);
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
}

/* ---- token --------------------------------------------------------------- */

static char claims_text[4096];  /* the last claims printed, for messages */

static json_t *verify_json(const char *tok)
{
    h_result r;
    RUN(&r, "token", "verify", "--data", data, tok);
    ASSERT_EXIT(&r, 0);
    snprintf(claims_text, sizeof claims_text, "%s", r.out);
    json_error_t jerr;
    json_t *claims = json_loads(r.out, 0, &jerr);
    cr_assert_not_null(claims, "claims are not JSON (%s): %s", jerr.text,
                       h_describe(&r));
    cr_assert(json_is_object(claims), "%s", claims_text);
    h_result_free(&r);
    return claims;
}

Test(cli, token_issue_and_verify)
{
    init_data();
    import_ok("s.csv", STRUCTS, 7, 7, 0, 0);

    char *tok = issue((const char *const[]){ "--role", "accueil", "--ej",
                                            "750712184", "--ttl", "2h",
                                            "--sub", "alice", NULL });
    cr_assert(is_jwt_shaped(tok), "not a JWT: %s", tok);

    struct stat st;
    cr_assert_eq(stat(h_fmt("%s/jwt.key", data), &st), 0, "no jwt.key");
    cr_assert_eq(st.st_mode & 0777, 0600, "jwt.key mode %o",
                 st.st_mode & 0777);

    json_t *c = verify_json(tok);
    cr_assert_str_eq(member(c, "role"), "accueil");
    cr_assert_str_eq(member(c, "sub"), "alice");
    json_t *ej = json_object_get(c, "ej");
    cr_assert(json_is_array(ej) && json_array_size(ej) == 1 &&
              json_is_string(json_array_get(ej, 0)) &&
              strcmp(json_string_value(json_array_get(ej, 0)),
                     "750712184") == 0, "ej: %s", claims_text);
    json_t *exp = json_object_get(c, "exp");
    cr_assert(json_is_integer(exp), "exp: %s", claims_text);
    long long left = (long long)json_integer_value(exp) - (long long)time(NULL);
    cr_assert(left > 7200 - 120 && left <= 7200 + 5,
              "--ttl 2h gave exp in %lld s", left);
    json_decref(c);
    free(tok);
}

Test(cli, token_without_ej_or_sub)
{
    init_data();
    char *tok = issue((const char *const[]){ "--role", "admin", NULL });
    cr_assert(is_jwt_shaped(tok), "not a JWT: %s", tok);
    json_t *c = verify_json(tok);
    cr_assert_str_eq(member(c, "role"), "admin");
    const char *sub = json_string_value(json_object_get(c, "sub"));
    cr_assert(sub != NULL && sub[0] != '\0', "a default subject");
    json_t *ej = json_object_get(c, "ej");
    cr_assert(ej == NULL || (json_is_array(ej) && json_array_size(ej) == 0),
              "%s", claims_text);
    json_decref(c);
    free(tok);
}

Test(cli, token_unknown_role)
{
    init_data();
    h_result r;
    RUN(&r, "token", "issue", "--data", data, "--role", "chef");
    ASSERT_EXIT(&r, 1);
    const char *roles[] = { "admin", "identitovigilant", "accueil", "lecteur",
                            "flux", "dpo" };
    for (size_t i = 0; i < 6; i++)
        cr_assert(strstr(r.err, roles[i]) != NULL, "roles listed: %s",
                  h_describe(&r));
    cr_assert_eq(r.out_len, 0, "no token printed: %s", h_describe(&r));
    h_result_free(&r);
}

Test(cli, token_bad_ttl)
{
    init_data();
    const char *bad[] = { "10x", "", "-1h", "h" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h_result r;
        RUN(&r, "token", "issue", "--data", data, "--role", "lecteur",
            "--ttl", bad[i]);
        ASSERT_EXIT(&r, 1);
        cr_assert_eq(r.out_len, 0, "--ttl \"%s\": %s", bad[i],
                     h_describe(&r));
        h_result_free(&r);
    }
}

Test(cli, token_unknown_ej)
{
    init_data();
    import_ok("s.csv", STRUCTS, 7, 7, 0, 0);
    /* A valid FINESS that is not imported, then an EG's (not an EJ). */
    const char *bad[] = { "350005179", "750000010" };
    for (size_t i = 0; i < 2; i++) {
        h_result r;
        RUN(&r, "token", "issue", "--data", data, "--role", "accueil",
            "--ej", "750712184", "--ej", bad[i]);
        ASSERT_EXIT(&r, 1);
        cr_assert(strstr(r.err, "unknown EJ") != NULL, "%s: %s", bad[i],
                  h_describe(&r));
        cr_assert_eq(r.out_len, 0);
        h_result_free(&r);
    }
}

Test(cli, token_tampered_refused)
{
    init_data();
    char *tok = issue((const char *const[]){ "--role", "lecteur", "--sub",
                                            "bob", NULL });
    h_result r;

    /* One character of the signature changed. */
    char *bad = strdup(tok);
    char *sig = strrchr(bad, '.') + 1;
    cr_assert(strlen(sig) > 10);
    sig[4] = sig[4] == 'A' ? 'B' : 'A';
    RUN(&r, "token", "verify", "--data", data, bad);
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);

    /* The payload swapped for the payload of an admin token. */
    char *admin = issue((const char *const[]){ "--role", "admin", "--sub",
                                              "bob", NULL });
    const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    const char *a1 = strchr(admin, '.'), *a2 = strrchr(admin, '.');
    const char *forged = h_fmt("%.*s%.*s%s", (int)(d1 - tok), tok,
                               (int)(a2 - a1), a1, d2);
    RUN(&r, "token", "verify", "--data", data, forged);
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);

    RUN(&r, "token", "verify", "--data", data, "not-a-token");
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);

    /* Signed with another data dir's key. */
    char other[700];
    snprintf(other, sizeof other, "%s/other", root);
    RUN(&r, "init", "--data", other);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    RUN(&r, "token", "verify", "--data", other, tok);
    ASSERT_EXIT(&r, 1);
    h_result_free(&r);

    /* The untouched ones still verify. */
    RUN(&r, "token", "verify", "--data", data, tok);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    free(bad);
    free(admin);
    free(tok);
}

/* ---- audit --------------------------------------------------------------- */

static long audit_count(void)
{
    h_result r;
    RUN(&r, "audit", "verify", "--data", data);
    ASSERT_EXIT(&r, 0);
    const char *p = strstr(r.out, "audit chain intact: ");
    cr_assert_not_null(p, "%s", h_describe(&r));
    char *end;
    long n = strtol(p + strlen("audit chain intact: "), &end, 10);
    cr_assert(strncmp(end, " records", 8) == 0, "%s", h_describe(&r));
    h_result_free(&r);
    return n;
}

static void prepare_audit(void)
{
    init_data();
    import_ok("s.csv", STRUCTS, 7, 7, 0, 0);
    free(issue((const char *const[]){ "--role", "lecteur", NULL }));
    free(issue((const char *const[]){ "--role", "dpo", "--sub", "dpo1",
                                     NULL }));
}

Test(cli, audit_verify_and_list)
{
    prepare_audit();
    long n = audit_count();
    cr_assert_geq(n, 3, "an import and two tokens: %ld records", n);

    h_result r;
    RUN(&r, "audit", "list", "--data", data);
    ASSERT_EXIT(&r, 0);
    cr_assert_eq(count_lines(r.out), n, "%ld records listed? %s", n,
                 h_describe(&r));

    char *seen = calloc((size_t)n + 1, 1);
    int import_seen = 0, token_seen = 0;
    char *save = NULL;
    for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        int tabs = 0;
        for (char *p = line; *p; p++)
            tabs += *p == '\t';
        cr_assert_eq(tabs, 8, "9 tab-separated fields: \"%s\"", line);
        char *end;
        long seq = strtol(line, &end, 10);
        cr_assert(end != line && *end == '\t' && seq >= 1 && seq <= n &&
                  !seen[seq], "seq of \"%s\"", line);
        seen[seq] = 1;
        import_seen |= contains_ci(line, "import");
        token_seen |= contains_ci(line, "token");
    }
    cr_assert(import_seen, "the import is in the trail");
    cr_assert(token_seen, "the token issuance is in the trail");
    free(seen);
    h_result_free(&r);

    RUN(&r, "audit", "list", "--data", data, "--limit", "2");
    ASSERT_EXIT(&r, 0);
    cr_assert_eq(count_lines(r.out), 2, "%s", h_describe(&r));
    h_result_free(&r);
}

Test(cli, audit_verify_on_a_fresh_dir)
{
    init_data();
    cr_assert_geq(audit_count(), 0);
}

Test(cli, audit_tampering_is_found)
{
    prepare_audit();
    cr_assert_geq(audit_count(), 2);

    /* What someone with the file would do: get the triggers out of the
     * way, then rewrite history. */
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(h_fmt("%s/socle.db", data), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db,
                 "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                 "AND tbl_name = 'audit'", -1, &st, NULL), SQLITE_OK);
    char drops[2048] = "";
    while (sqlite3_step(st) == SQLITE_ROW)
        snprintf(drops + strlen(drops), sizeof drops - strlen(drops),
                 "DROP TRIGGER \"%s\";", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, drops, NULL, NULL, &msg), SQLITE_OK, "%s",
                 msg ? msg : "");
    cr_assert_eq(sqlite3_exec(db, "UPDATE audit SET detail = 'x' WHERE seq = 2",
                              NULL, NULL, &msg), SQLITE_OK, "%s",
                 msg ? msg : "");
    cr_assert_eq(sqlite3_changes(db), 1);
    sqlite3_close(db);

    h_result r;
    RUN(&r, "audit", "verify", "--data", data);
    ASSERT_EXIT(&r, 1);
    char *both = malloc(r.out_len + r.err_len + 2);
    sprintf(both, "%s\n%s", r.out, r.err);
    cr_assert(contains_ci(both, "broken"), "%s", h_describe(&r));
    cr_assert(has_number(both, 2), "record 2 named: %s", h_describe(&r));
    cr_assert(strstr(r.out, "intact") == NULL, "%s", h_describe(&r));
    free(both);
    h_result_free(&r);
}
