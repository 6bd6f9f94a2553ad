/*
 * test_fhir_validate.c - the JSON the FHIR interface emits, checked against
 * the FHIR R4 StructureDefinitions by a well-kept FHIR library rather than
 * by hand-written assertions: a server seeded here (structures, a patient
 * with a stay over MLLP, professionals) is read by
 * tests/fhir-validate/validate.mjs (Node, @medplum/core's validator; its
 * packages installed by scripts/setup.sh with npm ci). The script must
 * pass on what the server emits and fail on a deliberately broken
 * Patient. The same run checks the FR Core rules Socle claims
 * (tests/fhir-validate/frcore.mjs; the FR Core package is not reachable,
 * so these are rules written as code, not the full profiles), and fails
 * on one broken Patient per rule family.
 *
 * Every patient and professional here is invented.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hl7_support.h"

#define EJ1_OID "1.2.250.1.999.1"
#define SCRIPT_DIR SOCLE_SOURCE_DIR "/tests/fhir-validate"

static h_server srv;
static char tok_read[2048], tok_audit[2048], tok_feed[2048];

static void validate_setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/s2.csv", root);
    cr_assert_eq(h_write_text(file, HEADER
                              "UF,UF-1,UF Cardiologie,EG1,,,,\n"
                              "CHAMBRE,CH-1,Chambre 1,UF-1,,,,\n"
                              "LIT,LIT-1,Lit 1,CH-1,,,,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    file = h_fmt("%s/pros.csv", root);
    cr_assert_eq(h_write_text(file, "id_type,id,civility,family,given,profession_code,"
                              "profession_label,specialty_code,specialty_label,ej_finess,role\n"
                              "RPPS,10000000001,DR,TESTMEDECIN,Claire,10,Médecin,SM04,"
                              "Cardiologie,750712184,FON-05\n"), 0);
    cr_assert_eq(H_RUN(&r, "import", "professionals", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
    issue_token(tok_read, "lecteur", NULL, NULL);
    issue_token(tok_audit, "dpo", NULL, NULL);
    issue_token(tok_feed, "flux", NULL, NULL);
    start(&srv);
    feed(a28("V1", "IPP1^^^HOP&" EJ1_OID "&ISO^PI~285077505600195^^^ASIP-SANTE-INS-NIR&"
                   "1.2.250.1.213.1.4.8&ISO^INS||TESTVALID^ALICE^ALICE CLAIRE^^Mme^^L||19850715"
                   "|F|||^^^^^^BDL^^75056|||||||||||||||||||||VALI\rZFD|||||||CN"));
    feed("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|V2|P|2.5^FRA^2.11"
         "|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
         "PID|1||IPP1^^^HOP&" EJ1_OID "&ISO^PI||TESTVALID^ALICE^ALICE CLAIRE^^Mme^^L"
         "||19850715|F\r"
         "PV1|1|I|UF-1^CH-1^LIT-1||||||||||||||||V900^^^HOP&" EJ1_OID "&ISO^VN\r"
         "ZBE|MV1^GAM^1.2.250.1.999.1.9^ISO|20260110080000||INSERT|N||^^^^^^UF^^^UF-1||HMS\r");
}

static void validate_teardown(void)
{
    hl7_teardown();
}

TestSuite(fhir_validate, .init = validate_setup, .fini = validate_teardown, .timeout = 300);

/* Run the script (mode NULL or "--break"); its exit status, its output in
 * out (a file under root). */
static int run_script(const char *mode, const char *out)
{
    struct stat sb;
    cr_assert_eq(stat(SCRIPT_DIR "/node_modules/@medplum/core/package.json", &sb), 0,
                 "the validator's packages are not installed: run `npm ci` in "
                 "tests/fhir-validate (scripts/setup.sh does)");
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", srv.port);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || chdir(SCRIPT_DIR) != 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        /* The IHE PMIR feed and its response message (validate.mjs). */
        setenv("FEED_TOKEN", tok_feed, 1);
        setenv("FEED_OID", EJ1_OID, 1);
        const char *args[] = { "node", "validate.mjs", base, tok_read, tok_audit, mode, NULL };
        execvp("node", (char *const *)args);
        _exit(127);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "node did not exit normally");
    return WEXITSTATUS(st);
}

Test(fhir_validate, emitted_resources_are_valid_r4)
{
    const char *out = h_fmt("%s/validate.out", root);
    int rc = run_script(NULL, out);
    char *text = h_read_file(out, NULL);
    cr_assert_eq(rc, 0, "validator exit %d:\n%s", rc, text ? text : "");
    cr_assert(text && strstr(text, "AuditEvent, Bundle, CapabilityStatement, Encounter, "
                                   "Location, MessageHeader, OperationOutcome, Organization, "
                                   "Patient, Practitioner, PractitionerRole: 0 error(s)"),
              "%s", text ? text : "");
    /* The FR Core rules (tests/fhir-validate/frcore.mjs) on the Patient,
     * Encounter, Organization, Location and Practitioner resources. */
    cr_assert(text && strstr(text, "FR Core rules checked (profile, identifier, reliability, "
                                   "birthplace, name; not the full profiles) on "),
              "%s", text ? text : "");
    const char *fr = strstr(text, "FR Core rules checked");
    cr_assert(strstr(fr, " 0 resource(s)") == NULL && strstr(fr, ": 0 error(s)") != NULL,
              "%s", text);
    free(text);
}

Test(fhir_validate, a_broken_fr_core_rule_fails_each_family)
{
    const char *out = h_fmt("%s/validate-frcore.out", root);
    int rc = run_script("--break-frcore", out);
    char *text = h_read_file(out, NULL);
    cr_assert_eq(rc, 1, "the broken resources passed:\n%s", text ? text : "");
    const char *families[] = { "profile", "identifier", "reliability", "birthplace", "name" };
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        cr_assert(text && strstr(text, h_fmt("broken %s: failed as expected", families[i])),
                  "%s:\n%s", families[i], text ? text : "");
    cr_assert(text && strstr(text, "FR Core broken resources: 5 of 5 failed"), "%s",
              text ? text : "");
    /* Only the broken copies fail: what the server emits still passes. */
    cr_assert(text && strstr(text, "not the full profiles) on ") && strstr(text, ": 0 error(s)"),
              "%s", text ? text : "");
    free(text);
}

Test(fhir_validate, a_broken_resource_fails)
{
    const char *out = h_fmt("%s/validate-broken.out", root);
    int rc = run_script("--break", out);
    char *text = h_read_file(out, NULL);
    cr_assert_eq(rc, 1, "the broken Patient passed:\n%s", text ? text : "");
    cr_assert(text && strstr(text, "deliberately broken Patient"), "%s", text ? text : "");
    cr_assert(text && strstr(text, ": 1 error(s)"), "only the broken one fails:\n%s",
              text ? text : "");
    free(text);
}
