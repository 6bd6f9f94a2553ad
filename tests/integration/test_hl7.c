/*
 * test_hl7.c - the PAM interface as an establishment's application sees
 * it: HL7 v2 messages over MLLP to `socle serve --mllp 0`, acknowledgments
 * back, and the effect checked through /health and `socle audit list`.
 *
 * Every patient here is invented.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hl7_support.h"

TestSuite(hl7, .init = hl7_setup, .fini = hl7_teardown, .timeout = 240);

/* ---- Tests ------------------------------------------------------------- */

Test(hl7, create_resend_update_restart)
{
    h_server s;
    start(&s);
    cr_assert_eq(health_count(&s, "local_identities"), 0);

    const char *msg = a28("MSG-0001", IPP1 "||" NAME_L "||" BIRTH);
    size_t len1, len2;
    char *first = send_one(msg, &len1);
    ack a;
    ack_parse(&a, strdup(first));
    expect_code(&a, "AA");
    cr_assert_str_eq(value(&a, 1, 2, 1, 1), "MSG-0001");
    cr_assert_str_eq(value(&a, 0, 9, 1, 1), "ACK");
    cr_assert_str_eq(value(&a, 0, 9, 1, 2), "A28");
    cr_assert_str_eq(value(&a, 0, 5, 1, 1), "APPLI", "%s", a.text);
    cr_assert_eq(er7_find(a.m, "ERR", 0), ER7_NONE, "unexpected ERR:\n%s", a.text);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);
    long long journaled = health_count(&s, "inbound_messages");
    cr_assert_eq(journaled, 1);

    /* The same message again: the same ACK, byte for byte, nothing new. */
    char *second = send_one(msg, &len2);
    cr_assert(len1 == len2 && memcmp(first, second, len1) == 0,
              "resend got a different ACK:\n%s\n---\n%s", first, second);
    cr_assert_eq(health_count(&s, "local_identities"), 1);
    cr_assert_eq(health_count(&s, "inbound_messages"), journaled);
    free(first);
    free(second);

    /* A31 with a used name: applied. */
    a = roundtrip(adt("UNICODE UTF-8", "ADT^A31^ADT_A05", "MSG-0002",
                      IPP1 "||USAGENOM^CLAIRE^^^Mme^^D~" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    cr_assert_str_eq(value(&a, 1, 2, 1, 1), "MSG-0002");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);

    /* A28 for the same IPP: an update, with a warning at PID-3. */
    a = roundtrip(a28("MSG-0003", IPP1 "||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    EXPECT_ERR(&a, 205, "W", "PID", 3);
    ack_free(&a);

    /* A31 for an unknown IPP: created, with a warning. */
    a = roundtrip(adt("UNICODE UTF-8", "ADT^A31^ADT_A05", "MSG-0004",
                      "IPP2^^^HOP&1.2.250.1.999.1&ISO^PI||TESTAUTRE^BRUNO^BRUNO^^M.^^L"
                      "||19700101|M"));
    expect_code(&a, "AA");
    EXPECT_ERR(&a, 204, "W", "PID", 3);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 2);

    /* Durable: still there after a restart. */
    stop(&s);
    start(&s);
    cr_assert_eq(health_count(&s, "local_identities"), 2);
    cr_assert_eq(health_count(&s, "inbound_messages"), 4);
    stop(&s);
}

Test(hl7, bad_ins_key_is_a_warning)
{
    h_server s;
    start(&s);
    ack a = roundtrip(a28("MSG-INS", IPP1 "~285077505612344^^^ASIP-SANTE-INS-NIR"
                          "&1.2.250.1.213.1.4.8&ISO^INS||" NAME_L "||" BIRTH
                          "|||^^TESTVILLE^^^FRA^BDL^^75056|||||||||||||||||||||VALI"));
    expect_code(&a, "AA");
    EXPECT_ERR(&a, 102, "W", "PID", 3);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);
    cr_assert_eq(health_count(&s, "open_quality_alerts"), 1,
                 "a refused INS is an alert for the identity cell");

    /* An identity without INS raises nothing. */
    a = roundtrip(a28("MSG-NOINS", "IPP2^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "open_quality_alerts"), 1);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

Test(hl7, unknown_authority_is_AE_and_keyed)
{
    h_server s;
    start(&s);
    const char *msg = a28("MSG-DOM", "IPP1^^^AUTRE&1.2.250.1.999.2&ISO^PI||" NAME_L "||" BIRTH);
    size_t l1, l2;
    char *first = send_one(msg, &l1);
    ack a;
    ack_parse(&a, strdup(first));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 204, "E", "PID", 3);
    cr_assert_null(strstr(a.text, "TESTNOM"), "patient data in the ACK:\n%s", a.text);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 0);
    cr_assert_eq(health_count(&s, "inbound_messages"), 1);

    /* An AE is a final answer: a repeat gets it again. */
    char *second = send_one(msg, &l2);
    cr_assert(l1 == l2 && memcmp(first, second, l1) == 0, "different ACK on resend");
    cr_assert_eq(health_count(&s, "inbound_messages"), 1);
    free(first);
    free(second);

    /* Known by its namespace only: AE 204 too. */
    a = roundtrip(a28("MSG-NS", "IPP1^^^HOP^PI||" NAME_L "||" BIRTH));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 204, "E", "PID", 3);
    ack_free(&a);

    /* By the FINESS of the EJ: found. */
    a = roundtrip(a28("MSG-FIN", "IPP9^^^HOP&750712184&M^PI||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

Test(hl7, missing_birth_name_is_AE)
{
    h_server s;
    start(&s);
    ack a = roundtrip(a28("MSG-NAME", IPP1 "||USAGENOM^CLAIRE^^^Mme^^D||" BIRTH));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 101, "E", "PID", 5);
    ack_free(&a);

    a = roundtrip("MSH|^~\\&|APPLI|FAC|SOCLE|GHT|20250101120000||ADT^A28^ADT_A05|MSG-NOPID"
                  "|P|2.5|||||FRA|\rEVN||20250101120000\r");
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 100, "E", "PID", 0);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 0);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

Test(hl7, unsupported_types_are_AR_and_not_keyed)
{
    h_server s;
    start(&s);
    /* A08 is forbidden by PAM FR: never applied. */
    const char *a01 = adt("", "ADT^A08^ADT_A01", "MSG-A01", IPP1 "||" NAME_L "||" BIRTH);
    size_t l1, l2;
    char *first = send_one(a01, &l1);
    ack a;
    ack_parse(&a, strdup(first));
    expect_code(&a, "AR");
    EXPECT_ERR(&a, 201, "E", "MSH", 9);
    cr_assert_str_eq(value(&a, 1, 2, 1, 1), "MSG-A01");
    cr_assert(strstr(a.text, "event A08 not supported by this version") != NULL, "%s", a.text);
    ack_free(&a);

    /* AR is not final: a repeat is answered afresh (a new MSH-10). */
    char *second = send_one(a01, &l2);
    cr_assert(l1 != l2 || memcmp(first, second, l1) != 0, "AR was replayed from the journal");
    free(first);
    free(second);

    a = roundtrip("MSH|^~\\&|LABO|FAC|SOCLE|GHT|20250101120000||ORU^R01^ORU_R01|MSG-ORU"
                  "|P|2.5\rPID|1||" IPP1 "\r");
    expect_code(&a, "AR");
    EXPECT_ERR(&a, 200, "E", "MSH", 9);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 0);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

Test(hl7, garbage_in_a_frame_is_AR)
{
    h_server s;
    start(&s);
    int fd = mllp_connect();
    reply r;
    const char junk[] = "this is not an HL7 message\r";
    cr_assert_eq(exchange(fd, junk, sizeof junk - 1, &r), 0);
    ack a;
    ack_parse(&a, r.ack);
    expect_code(&a, "AR");
    cr_assert_str_eq(value(&a, 1, 2, 1, 1), "");
    EXPECT_ERR(&a, 100, "E", "MSH", 0);
    ack_free(&a);

    /* The connection is still usable. */
    const char *msg = a28("MSG-AFTER", IPP1 "||" NAME_L "||" BIRTH);
    cr_assert_eq(exchange(fd, msg, strlen(msg), &r), 0);
    ack_parse(&a, r.ack);
    expect_code(&a, "AA");
    ack_free(&a);
    close(fd);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

Test(hl7, oversized_message_is_refused_and_closed)
{
    h_server s;
    start(&s);
    size_t len = 1200 * 1024;
    char *big = malloc(len + 1);
    cr_assert_not_null(big);
    const char *head = a28("MSG-BIG", IPP1 "||" NAME_L "||" BIRTH);
    size_t hl = strlen(head);
    memcpy(big, head, hl);
    memcpy(big + hl, "NTE|1||", 7);
    memset(big + hl + 7, 'x', len - hl - 8);
    big[len - 1] = '\r';
    big[len] = '\0';

    int fd = mllp_connect();
    reply r;
    cr_assert_eq(exchange(fd, big, len, &r), 0, "no reply to an oversized message");
    free(big);
    ack a;
    ack_parse(&a, r.ack);
    expect_code(&a, "AR");
    ack_free(&a);

    /* Then the server closes the connection. */
    char c;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int closed = 0;
    for (int i = 0; i < 100 && !closed; i++) {
        if (poll(&p, 1, 100) > 0) {
            ssize_t n = recv(fd, &c, 1, 0);
            closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
        }
    }
    cr_assert(closed, "connection still open after an oversized message");
    close(fd);
    cr_assert_eq(health_count(&s, "local_identities"), 0);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

/* The number of audit lines with this action and outcome. */
static int audit_lines(const char *action, const char *outcome)
{
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    int n = 0;
    for (char *line = r.out; line && *line; ) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        /* seq at actor role action object_type object_id outcome detail */
        char *f[9] = {0};
        char *p = line;
        for (int i = 0; i < 9 && p; i++) {
            f[i] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (f[4] && f[7] && strcmp(f[4], action) == 0 && strcmp(f[7], outcome) == 0)
            n++;
        line = end ? end + 1 : NULL;
    }
    h_result_free(&r);
    return n;
}

Test(hl7, latin1_is_decoded)
{
    h_server s;
    start(&s);
    /* H\xC9L\xC8NE: HÉLÈNE in ISO 8859-1. */
    ack a = roundtrip(adt("8859/1", "ADT^A28^ADT_A05", "MSG-L1",
                          IPP1 "||TESTNOM^H\xC9L\xC8NE^H\xC9L\xC8NE^^Mme^^L||" BIRTH));
    expect_code(&a, "AA");
    cr_assert_str_eq(value(&a, 0, 18, 1, 1), "8859/1");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);

    /* The same identity in UTF-8: unchanged, so Latin-1 was read as such. */
    a = roundtrip(adt("UNICODE UTF-8", "ADT^A31^ADT_A05", "MSG-U8",
                      IPP1 "||TESTNOM^H\xC3\x89L\xC3\x88NE^H\xC3\x89L\xC3\x88NE^^Mme^^L||"
                      BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);
    cr_assert_eq(audit_lines("identity.create", "success"), 1);
    cr_assert_eq(audit_lines("identity.update", "unchanged"), 1);
    cr_assert_eq(audit_lines("identity.update", "success"), 0);

    /* A byte invalid in the declared set (C1 in Latin-1): AE 102. */
    a = roundtrip(adt("8859/1", "ADT^A31^ADT_A05", "MSG-C1",
                      IPP1 "||TESTNOM^H\x85L^H\x85L^^Mme^^L||" BIRTH));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 102, "E", "PID", 5);
    ack_free(&a);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

Test(hl7, enhanced_mode)
{
    h_server s;
    start(&s);
    /* MSH-15 AL, MSH-16 NE: the commit ACK only. */
    ack a = roundtrip("MSH|^~\\&|APPLI|FAC|SOCLE|GHT|20250101120000||ADT^A28^ADT_A05|MSG-E1"
                      "|P|2.5^FRA^2.11|||AL|NE|FRA|UNICODE UTF-8\rEVN||20250101120000\r"
                      "PID|1||" IPP1 "||" NAME_L "||" BIRTH "\rPV1|1|N\r");
    expect_code(&a, "CA");
    cr_assert_str_eq(value(&a, 1, 2, 1, 1), "MSG-E1");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);

    /* MSH-16 ER on an error: the application ACK. */
    a = roundtrip("MSH|^~\\&|APPLI|FAC|SOCLE|GHT|20250101120000||ADT^A28^ADT_A05|MSG-E2"
                  "|P|2.5^FRA^2.11|||NE|ER|FRA|UNICODE UTF-8\rEVN||20250101120000\r"
                  "PID|1||IPP3^^^X&1.2.250.1.999.9&ISO^PI||" NAME_L "||" BIRTH "\rPV1|1|N\r");
    expect_code(&a, "AE");
    ack_free(&a);

    /* A bad MSH-16 value: AR 103. */
    a = roundtrip("MSH|^~\\&|APPLI|FAC|SOCLE|GHT|20250101120000||ADT^A28^ADT_A05|MSG-E3"
                  "|P|2.5|||AL|XX\rPID|1||" IPP1 "\r");
    expect_code(&a, "AR");
    EXPECT_ERR(&a, 103, "E", "MSH", 16);
    ack_free(&a);
    stop(&s);  /* a clean exit: no leak, no sanitizer report */
}

Test(hl7, control_id_reused_for_another_message_is_AE)
{
    h_server s;
    start(&s);
    ack a = roundtrip(a28("MSG-REUSE", "IPP-R1^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);

    /* Same sender, same MSH-10, another patient: neither replayed nor applied. */
    a = roundtrip(a28("MSG-REUSE", "IPP-R2^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH));
    expect_code(&a, "AE");
    EXPECT_ERR(&a, 205, "E", "MSH", 10);
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);
    cr_assert_eq(health_count(&s, "inbound_messages"), 2, "the refusal is journaled too");

    /* The first message, repeated, still gets its own AA. */
    a = roundtrip(a28("MSG-REUSE", "IPP-R1^^^HOP&1.2.250.1.999.1&ISO^PI||" NAME_L "||" BIRTH));
    expect_code(&a, "AA");
    ack_free(&a);
    cr_assert_eq(health_count(&s, "local_identities"), 1);
    stop(&s);
}

/* ---- Connection timeouts ------------------------------------------------ */

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds until the server closes fd (end of file or reset), or -1
 * when it is still open after max_ms. */
static long long wait_closed(int fd, int max_ms)
{
    long long t0 = mono_ms();
    char b[256];
    for (;;) {
        long long left = max_ms - (mono_ms() - t0);
        if (left <= 0)
            return -1;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        ssize_t n = recv(fd, b, sizeof b, 0);
        if (n <= 0)
            return mono_ms() - t0;
    }
}

Test(hl7, idle_connections_are_closed_after_the_idle_timeout)
{
    h_server s;
    start_args(&s, (const char *const[]){ "--mllp-idle-timeout", "1", NULL });
    int idle = mllp_connect();
    int busy = mllp_connect();
    /* The busy one sends a message every 400 ms for 2 s: never idle 1 s. */
    long long t0 = mono_ms();
    for (int i = 0; mono_ms() - t0 < 2000; i++) {
        char control[32];
        snprintf(control, sizeof control, "IDLE-%d", i);
        reply r;
        const char *msg = a28(control, IPP1 "||" NAME_L "||" BIRTH);
        cr_assert_eq(exchange(busy, msg, strlen(msg), &r), 0, "busy connection closed");
        cr_assert(!r.closed, "busy connection closed after message %d", i);
        free(r.ack);
        usleep(400 * 1000);
    }
    /* The idle one was closed meanwhile (1 s, checked every poll). */
    long long waited = wait_closed(idle, 3000);
    cr_expect_neq(waited, -1, "idle connection still open after 5 s");
    close(idle);
    cr_expect_neq(wait_closed(busy, 5000), -1, "once quiet, the busy one is closed too");
    close(busy);
    stop(&s);
}

Test(hl7, a_partial_frame_is_closed_after_the_frame_timeout)
{
    h_server s;
    start_args(&s, (const char *const[]){ "--mllp-idle-timeout", "60",
                                          "--mllp-frame-timeout", "1", NULL });
    int fd = mllp_connect();
    const char *msg = a28("PARTIAL", IPP1 "||" NAME_L "||" BIRTH);
    /* A start byte and half a message, then nothing. */
    char head[64];
    head[0] = 0x0b;
    memcpy(head + 1, msg, 40);
    cr_assert_eq(send(fd, head, 41, MSG_NOSIGNAL), 41);
    long long waited = wait_closed(fd, 10000);
    cr_expect_neq(waited, -1, "a stalled frame was not closed in 10 s");
    cr_expect_geq(waited, 800, "closed after %lld ms, before the 1 s frame timeout", waited);
    close(fd);
    stop(&s);
}

Test(hl7, timeout_options_are_checked)
{
    h_result r;
    cr_assert_eq(H_RUN(&r, "serve", "--data", data, "--mllp-idle-timeout", "0"), 0);
    ASSERT_EXIT(&r, 2);
    cr_expect_not_null(strstr(r.err, "--mllp-idle-timeout"), "%s", r.err);
    h_result_free(&r);
    cr_assert_eq(H_RUN(&r, "serve", "--data", data, "--mllp-frame-timeout", "x"), 0);
    ASSERT_EXIT(&r, 2);
    h_result_free(&r);
}
