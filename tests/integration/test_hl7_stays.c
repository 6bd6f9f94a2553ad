/*
 * test_hl7_stays.c - stays and movements over real MLLP (IHE PAM ITI-31):
 * every event and its cancellation, Z99, the refusals, and the stays
 * export checked line by line. Synthetic patients and structures only.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7_support.h"

static void stays_setup(void)
{
    hl7_setup();
    const char *file = h_fmt("%s/uf.csv", root);
    cr_assert_eq(h_write_text(file, HEADER
        "UF,UF-1,Cardiologie,EG1,,,,\n"
        "CHAMBRE,CH-1,Chambre 1,UF-1,,,,\n"
        "LIT,LIT-1,Lit 1,CH-1,,,,\n"
        "UF,UF-2,Pneumologie,EG1,,,,\n"), 0);
    h_result r;
    cr_assert_eq(H_RUN(&r, "import", "structures", "--data", data, file), 0);
    ASSERT_EXIT(&r, 0);
    h_result_free(&r);
}

TestSuite(hl7_stays, .init = stays_setup, .fini = hl7_teardown, .timeout = 120);

#define DOMAIN "1.2.250.1.999.1"

/* A movement message for the patient IPP1: trigger, control id, visit
 * number (PV1-19), NDA (PID-18), class (PV1-2), location (PV1-3) and the
 * ZBE after "ZBE|". */
static const char *move(const char *trigger, const char *control, const char *visit,
                        const char *nda, const char *cls, const char *loc, const char *zbe)
{
    return h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^%s^ADT_A01|%s|P|"
                 "2.5^FRA^2.11|||||FRA|UNICODE UTF-8\rEVN||20260110120000\r"
                 "PID|1||" IPP1 "||" NAME_L "||" BIRTH "||||||||||%s\r"
                 "PV1|1|%s|%s||||||||||||||||%s^^^HOP&1.2.250.1.999.1&ISO^VN\r"
                 "ZBE|%s\r", trigger, control, nda, cls, loc, visit, zbe);
}

/* ZBE for an insert, a cancel, an update. */
static const char *ins(const char *id, const char *at, const char *nature)
{
    return h_fmt("%s^GAM^1.2.250.1.999.1.9^ISO|%s||INSERT|N||^^^^^^UF^^^UF-1||%s", id, at,
                 nature);
}

static const char *cxl(const char *id, const char *at, const char *hist, const char *orig)
{
    return h_fmt("%s^GAM^1.2.250.1.999.1.9^ISO|%s||CANCEL|%s|%s", id, at, hist, orig);
}

static const char *upd(const char *id, const char *at, const char *hist, const char *orig)
{
    return h_fmt("%s^GAM^1.2.250.1.999.1.9^ISO|%s||UPDATE|%s|%s|^^^^^^UF^^^UF-2||M", id, at,
                 hist, orig);
}

static void send_aa(const char *msg)
{
    ack a = roundtrip(msg);
    expect_code(&a, "AA");
    ack_free(&a);
}

static void send_ae(const char *msg, int code, const char *seg, size_t field)
{
    ack a = roundtrip(msg);
    expect_code(&a, "AE");
    EXPECT_ERR(&a, code, "E", seg, field);
    ack_free(&a);
}

/* The stays export, header checked, rows returned (free it). */
static char *export_rows(void)
{
    h_result r;
    cr_assert_eq(H_RUN(&r, "export", "stays", "--data", data), 0);
    ASSERT_EXIT(&r, 0);
    const char *header = "domain,nda,ipp,status,class,admit,discharge,current_uf,"
                         "current_room,current_bed,movements\n";
    cr_assert_eq(strncmp(r.out, header, strlen(header)), 0, "export:\n%s", r.out);
    char *rows = strdup(r.out + strlen(header));
    h_result_free(&r);
    return rows;
}

Test(hl7_stays, a_stay_from_preadmission_to_discharge_and_back)
{
    h_server s;
    start(&s);
    char *rows = export_rows();
    cr_assert_str_eq(rows, "", "no stay yet");
    free(rows);

    send_aa(move("A05", "S-1", "V1", "NDA1", "I", "UF-1", ins("M1", "20260109100000", "HMS")));
    send_aa(move("A01", "S-2", "V1", "NDA1", "I", "UF-1^CH-1^LIT-1",
                 ins("M2", "20260110080000", "HMS")));
    send_aa(move("A02", "S-3", "V1", "NDA1", "I", "UF-2", ins("M3", "20260111080000", "HMS")));
    rows = export_rows();
    cr_assert_str_eq(rows, DOMAIN ",NDA1,IPP1,in-progress,I,2026-01-10T08:00:00,,UF-2,,,2\n");
    free(rows);

    /* A12: back in the first bed. */
    send_aa(move("A12", "S-4", "V1", "NDA1", "I", "UF-1^CH-1^LIT-1",
                 cxl("M3", "20260111080000", "N", "A02")));
    send_aa(move("A03", "S-5", "V1", "NDA1", "I", "UF-1^CH-1^LIT-1",
                 ins("M4", "20260112100000", "HMS")));
    rows = export_rows();
    cr_assert_str_eq(rows, DOMAIN ",NDA1,IPP1,finished,I,2026-01-10T08:00:00,"
                           "2026-01-12T10:00:00,UF-1,CH-1,LIT-1,2\n");
    free(rows);

    /* A13, then A11 of the admission: planned again (it came from an A05). */
    send_aa(move("A13", "S-6", "V1", "NDA1", "I", "UF-1", cxl("M4", "20260112100000", "N",
                                                                "A03")));
    send_aa(move("A11", "S-7", "V1", "NDA1", "I", "UF-1", cxl("M2", "20260110080000", "N",
                                                                "A01")));
    rows = export_rows();
    cr_assert_str_eq(rows, DOMAIN ",NDA1,IPP1,planned,I,,,UF-1,,,0\n");
    free(rows);

    /* A38: the pre-admission cancelled. */
    send_aa(move("A38", "S-8", "V1", "NDA1", "I", "UF-1", cxl("M1", "20260109100000", "N",
                                                                "A05")));
    rows = export_rows();
    cr_assert_str_eq(rows, DOMAIN ",NDA1,IPP1,cancelled,I,,,,,,0\n");
    free(rows);
    cr_assert_eq(health_count(&s, "local_identities"), 1, "the PID made the patient");

    /* The export is traced. */
    h_result r;
    cr_assert_eq(H_RUN(&r, "audit", "list", "--data", data), 0);
    cr_assert_not_null(strstr(r.out, "stay.export"), "audit:\n%s", r.out);
    cr_assert_not_null(strstr(r.out, "stay.admit"), "audit:\n%s", r.out);
    h_result_free(&r);
    stop(&s);
}

Test(hl7_stays, leave_return_doctor_class_and_z99)
{
    h_server s;
    start(&s);
    send_aa(move("A04", "L-1", "V2", "", "E", "UF-1", ins("N1", "20260110080000", "HMS")));
    send_aa(move("A06", "L-2", "V2", "", "I", "UF-1", ins("N2", "20260110090000", "HMS")));
    send_aa(move("A21", "L-3", "V2", "", "I", "UF-1", ins("N3", "20260110100000", "MH")));
    send_aa(move("A22", "L-4", "V2", "", "I", "UF-1", ins("N4", "20260110110000", "LD")));
    send_aa(move("A53", "L-5", "V2", "", "I", "UF-1", cxl("N4", "20260110110000", "N",
                                                            "A22")));
    send_aa(move("A52", "L-6", "V2", "", "I", "UF-1", cxl("N3", "20260110100000", "N",
                                                            "A21")));
    send_aa(move("A54", "L-7", "V2", "", "I", "UF-1", ins("N5", "20260110120000", "MH")));
    send_aa(move("A55", "L-8", "V2", "", "I", "UF-1", cxl("N5", "20260110120000", "N",
                                                            "A54")));
    /* A07 with CANCEL undoes the A06: back to emergency. */
    send_aa(move("A07", "L-9", "V2", "", "E", "UF-1", cxl("N2", "20260110090000", "N",
                                                            "A06")));
    char *rows = export_rows();
    cr_assert_str_eq(rows, DOMAIN ",V2,IPP1,in-progress,E,2026-01-10T08:00:00,,UF-1,,,1\n",
                     "no NDA: the visit number stands for it");
    free(rows);

    /* Z99 moves the admission to UF-2 and earlier. */
    send_aa(move("Z99", "L-10", "V2", "", "O", "UF-2", upd("N1", "20260110073000", "N",
                                                             "A04")));
    rows = export_rows();
    cr_assert_str_eq(rows, DOMAIN ",V2,IPP1,in-progress,O,2026-01-10T07:30:00,,UF-2,,,1\n");
    free(rows);
    stop(&s);
}

Test(hl7_stays, refusals_name_the_field_at_fault_and_change_nothing)
{
    h_server s;
    start(&s);
    send_aa(move("A01", "R-1", "V3", "", "I", "UF-1", ins("P1", "20260110080000", "HMS")));
    char *before = export_rows();

    /* Cancel of an unknown movement. */
    send_ae(move("A12", "R-2", "V3", "", "I", "UF-1", cxl("P9", "20260110090000", "N", "A02")),
            204, "ZBE", 1);
    /* Out of order: a transfer before the admission. */
    send_ae(move("A02", "R-3", "V3", "", "I", "UF-2", ins("P2", "20260109080000", "HMS")),
            207, "ZBE", 2);
    /* A movement id used again. */
    send_ae(move("A02", "R-4", "V3", "", "I", "UF-2", ins("P1", "20260111080000", "HMS")),
            205, "ZBE", 1);
    /* Admitted already. */
    send_ae(move("A01", "R-5", "V3", "", "I", "UF-1", ins("P3", "20260111080000", "HMS")),
            207, "PV1", 19);
    /* ZBE-6 names another trigger than the movement's. */
    send_ae(move("A11", "R-6", "V3", "", "I", "UF-1", cxl("P1", "20260110080000", "N", "A04")),
            207, "ZBE", 6);
    /* Z99 of an unknown movement. */
    send_ae(move("Z99", "R-7", "V3", "", "I", "UF-1", upd("P8", "20260110080000", "N", "A01")),
            204, "ZBE", 1);
    /* A transfer on an unknown visit. */
    send_ae(move("A02", "R-8", "V9", "", "I", "UF-2", ins("P4", "20260111080000", "HMS")),
            204, "PV1", 19);
    /* ZBE-4 that does not go with the event. */
    send_ae(move("A12", "R-9", "V3", "", "I", "UF-1", ins("P5", "20260111080000", "HMS")),
            103, "ZBE", 4);
    /* No ZBE; no visit number. */
    send_ae(h_fmt("MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|R-10|P|2.5\r"
                  "PID|1||" IPP1 "||" NAME_L "||" BIRTH "\rPV1|1|I|UF-1||||||||||||||||V4\r"),
            100, "ZBE", 0);
    send_ae(move("A01", "R-11", "", "", "I", "UF-1", ins("P6", "20260111080000", "HMS")),
            101, "PV1", 19);

    char *after = export_rows();
    cr_assert_str_eq(after, before, "a refused message changed a stay");
    free(before);
    free(after);
    stop(&s);
}

Test(hl7_stays, warnings_for_what_is_kept_as_received)
{
    h_server s;
    start(&s);
    ack a = roundtrip(move("A01", "W-1", "V5", "", "I", "UF-X^CH-1", ins("Q1", "20260110080000",
                                                                          "HMSC")));
    expect_code(&a, "AA");
    EXPECT_ERR(&a, 103, "W", "PV1", 3);
    EXPECT_ERR(&a, 103, "W", "ZBE", 9);
    ack_free(&a);

    /* A byte-identical repeat is answered from the journal, not as a reuse. */
    const char *msg = move("A02", "W-2", "V5", "", "I", "UF-2", ins("Q2", "20260111080000",
                                                                    "H"));
    size_t l1, l2;
    char *first = send_one(msg, &l1);
    char *second = send_one(msg, &l2);
    cr_assert(l1 == l2 && memcmp(first, second, l1) == 0, "repeat answered differently");
    cr_assert_not_null(strstr(first, "MSA|AA"), "%s", first);
    free(first);
    free(second);

    char *rows = export_rows();
    cr_assert_str_eq(rows, DOMAIN ",V5,IPP1,in-progress,I,2026-01-10T08:00:00,,UF-2,,,2\n");
    free(rows);
    stop(&s);
}
