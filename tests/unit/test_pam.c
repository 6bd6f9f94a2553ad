/*
 * Unit tests of the PAM interface (hl7/pam.h) inside store batches (group
 * commit): each message of a batch is answered as if alone, a repeat in the
 * same batch gets the first one's ACK from the journal, a batch that is
 * not stored keeps none of its messages, and pam_retry_refusal answers
 * them AR "retry later" in the mode each asked for.
 *
 * Synthetic identities only (names ending in TEST).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "hl7/er7.h"
#include "hl7/pam.h"
#include "identity_fixtures.h"
#include "store/store.h"

TestSuite(pam, .init = identity_setup, .fini = identity_teardown, .timeout = 60);

static const pam_config cfg = { .app = "SOCLE", .facility = "GHT" };

/* An A28 for OID_A; modes: MSH-15 and MSH-16 ("" for original mode). */
static const char *a28_mode(char *out, size_t n, const char *control, const char *ipp,
                            const char *name, const char *msh15, const char *msh16)
{
    snprintf(out, n,
             "MSH|^~\\&|APPLI|FAC|SOCLE|GHT|20250101120000||ADT^A28^ADT_A05|%s|P|"
             "2.5^FRA^2.11|||%s|%s|FRA|UNICODE UTF-8\r"
             "EVN||20250101120000\r"
             "PID|1||%s^^^HOP&" OID_A "&ISO^PI||%s^ALICE^ALICE^^^^L||19850715|F\r"
             "PV1|1|N\r",
             control, msh15, msh16, ipp, name);
    return out;
}

static const char *a28(char *out, size_t n, const char *control, const char *ipp)
{
    return a28_mode(out, n, control, ipp, "PAMTEST", "", "");
}

/* pam_handle must answer (rc 0); returns the ACK in ack. */
static void handle(const char *msg, buf *ack)
{
    socle_err err;
    err_clear(&err);
    buf_reset(ack);
    cr_assert_eq(pam_handle(st, &cfg, "127.0.0.1:1", msg, strlen(msg), ack, &err), 0,
                 "%s", err.msg);
}

/* MSA-1, MSA-2 and the first ERR-3.1 of an ACK ("" when absent). */
typedef struct answer {
    char code[8];
    char control[64];
    char err3[8];
} answer;

static answer read_ack(const buf *ack)
{
    answer a;
    memset(&a, 0, sizeof a);
    socle_err err;
    er7_message *m = er7_parse(ack->data, ack->len, &err);
    cr_assert_not_null(m, "ACK not readable: %s", err.msg);
    for (size_t seg = 0; seg < er7_segment_count(m); seg++) {
        if (er7_segment_is(m, seg, "MSA")) {
            er7_slice_show(er7_field(m, seg, 1), a.code, sizeof a.code);
            er7_slice_show(er7_field(m, seg, 2), a.control, sizeof a.control);
        } else if (er7_segment_is(m, seg, "ERR") && a.err3[0] == '\0') {
            er7_slice_show(er7_get(m, seg, 3, 1, 1, 0), a.err3, sizeof a.err3);
        }
    }
    er7_free(m);
    return a;
}

static int64_t identity_count(void)
{
    return counts().local_identities;
}

Test(pam, messages_of_one_batch_are_answered_as_alone)
{
    char m1[1024], m2[1024], m3[1024];
    a28(m1, sizeof m1, "CTL-1", "IPP-B1");
    /* No birth name: AE, rolled back alone, journaled. */
    a28_mode(m2, sizeof m2, "CTL-2", "IPP-B2", "", "", "");
    a28(m3, sizeof m3, "CTL-3", "IPP-B3");
    buf ack1 = {0}, ack2 = {0}, again = {0}, ack3 = {0};
    socle_err err;
    store_counts before = counts();

    cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
    handle(m1, &ack1);
    handle(m2, &ack2);
    handle(m1, &again);   /* a repeat inside the same batch */
    handle(m3, &ack3);
    cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);

    cr_expect_str_eq(read_ack(&ack1).code, "AA");
    cr_expect_str_eq(read_ack(&ack2).code, "AE");
    cr_expect_str_eq(read_ack(&ack3).code, "AA");
    cr_expect_eq(again.len, ack1.len, "the repeat gets the stored ACK");
    cr_expect_eq(memcmp(again.data, ack1.data, ack1.len), 0, "byte for byte");

    store_counts after = counts();
    cr_expect_eq(after.local_identities - before.local_identities, 2,
                 "IPP-B1 once and IPP-B3; the AE and the repeat add nothing");
    cr_expect_eq(after.inbound_messages - before.inbound_messages, 3,
                 "three journaled: the repeat is not");
    buf_free(&ack1);
    buf_free(&ack2);
    buf_free(&again);
    buf_free(&ack3);
}

Test(pam, a_batch_not_stored_keeps_none_of_its_messages)
{
    char m1[1024], m2[1024];
    a28(m1, sizeof m1, "CTL-L1", "IPP-L1");
    a28(m2, sizeof m2, "CTL-L2", "IPP-L2");
    buf ack = {0};
    socle_err err;
    int64_t before = identity_count();
    store_counts c0 = counts();

    cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
    handle(m1, &ack);
    cr_expect_str_eq(read_ack(&ack).code, "AA");
    handle(m2, &ack);
    cr_expect_str_eq(read_ack(&ack).code, "AA");
    /* What the writer does when the batch's commit fails. */
    store_batch_rollback(st);
    cr_expect_eq(identity_count(), before);
    cr_expect_eq(counts().inbound_messages, c0.inbound_messages, "nothing journaled");

    /* The sender retries: applied anew (no stored ACK to replay), once. */
    cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
    handle(m1, &ack);
    answer a = read_ack(&ack);
    cr_expect_str_eq(a.code, "AA");
    cr_expect_str_eq(a.err3, "", "no ERR: not a 205 duplicate");
    handle(m2, &ack);
    cr_expect_str_eq(read_ack(&ack).code, "AA");
    cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);
    cr_expect_eq(identity_count(), before + 2);
    buf_free(&ack);
}

Test(pam, retry_refusal_is_an_AR_for_that_message)
{
    char m[1024];
    a28(m, sizeof m, "CTL-R1", "IPP-R1");
    buf ack = {0};
    socle_err why;
    err_set(&why, SOCLE_EIO, "commit: disk I/O error");
    pam_retry_refusal(&cfg, m, strlen(m), &why, &ack);
    answer a = read_ack(&ack);
    cr_expect_str_eq(a.code, "AR");
    cr_expect_str_eq(a.control, "CTL-R1", "MSA-2 is the message's MSH-10");
    cr_expect_str_eq(a.err3, "207", "internal error, retry later");

    buf_reset(&ack);
    err_set(&why, SOCLE_EBUSY, "database is locked");
    pam_retry_refusal(&cfg, m, strlen(m), &why, &ack);
    cr_expect_str_eq(read_ack(&ack).err3, "206", "record locked, retry later");

    /* Nothing was stored by building it. */
    cr_expect_eq(counts().inbound_messages, 0);
    buf_free(&ack);
}

Test(pam, retry_refusal_follows_the_acknowledgment_mode)
{
    char m[1024];
    buf ack = {0};
    socle_err why;
    err_set(&why, SOCLE_EIO, "commit failed");

    /* Enhanced mode asking for nothing: nothing. */
    a28_mode(m, sizeof m, "CTL-M1", "IPP-M1", "PAMTEST", "NE", "NE");
    pam_retry_refusal(&cfg, m, strlen(m), &why, &ack);
    cr_expect_eq(ack.len, 0, "no answer asked for");

    /* Commit acknowledgments only: CR. */
    a28_mode(m, sizeof m, "CTL-M2", "IPP-M2", "PAMTEST", "AL", "NE");
    pam_retry_refusal(&cfg, m, strlen(m), &why, &ack);
    cr_expect_str_eq(read_ack(&ack).code, "CR");

    /* Application acknowledgments on errors: AR. */
    buf_reset(&ack);
    a28_mode(m, sizeof m, "CTL-M3", "IPP-M3", "PAMTEST", "NE", "ER");
    pam_retry_refusal(&cfg, m, strlen(m), &why, &ack);
    cr_expect_str_eq(read_ack(&ack).code, "AR");

    /* Unreadable: still an AR, built without the message. */
    buf_reset(&ack);
    pam_retry_refusal(&cfg, "garbage", 7, &why, &ack);
    cr_expect_str_eq(read_ack(&ack).code, "AR");
    buf_free(&ack);
}
