/*
 * hl7_support.h - what the HL7 integration suites share: a data dir with
 * one establishment, the server started with MLLP, an MLLP client, and
 * readers of the acknowledgments that come back.
 */
#ifndef SOCLE_TESTS_HL7_SUPPORT_H
#define SOCLE_TESTS_HL7_SUPPORT_H

#include <stddef.h>

#include "harness.h"
#include "hl7/er7.h"

extern char root[512];   /* the test's temporary directory */
extern char data[600];   /* its data dir, with the structures imported */
extern int mllp_port;    /* of the server last started */

#define HEADER "kind,code,label,parent_code,finess,oid,valid_from,valid_to\n"
#define STRUCTS HEADER                                                      \
    "EJ,EJ1,CHU Test,,750712184,1.2.250.1.999.1,,\n"                       \
    "EG,EG1,Site principal,EJ1,750000010,,2020-01-01,\n"

#define ASSERT_EXIT(r, code)                                               \
    cr_assert((r)->exited && !(r)->timed_out && (r)->status == (code),     \
              "expected exit %d, got %s", (code), h_describe(r))

/* Suite fixtures: a data dir with EJ1 (FINESS 750712184, OID
 * 1.2.250.1.999.1); every server killed and the directory removed after. */
void hl7_setup(void);
void hl7_teardown(void);

/* Start `socle serve --mllp 0` on data and read its MLLP port; stop it
 * with SIGTERM and expect a clean exit (no leak, no sanitizer report). */
void start(h_server *s);
/* The same with more arguments (NULL-terminated; NULL for none). */
void start_args(h_server *s, const char *const *more);
void stop(h_server *s);
long long health_count(const h_server *s, const char *name);

typedef struct reply {
    char *ack;       /* the message between 0x0B and 0x1C 0x0D, NUL-ended */
    size_t len;
    int closed;      /* the peer closed (EOF or reset) after or instead */
} reply;

int mllp_connect(void);
/* Send msg framed and read one framed reply (see hl7_support.c). */
int exchange(int fd, const char *msg, size_t len, reply *r);
/* One message on a connection of its own; returns the ACK (free it). */
char *send_one(const char *msg, size_t *ack_len);

typedef struct ack {
    char *text;
    er7_message *m;
} ack;

void ack_parse(ack *a, char *text);
void ack_free(ack *a);
ack roundtrip(const char *msg);
/* Send msg and require its AA (the test fails otherwise). */
void feed(const char *msg);
/* `socle token issue --role role [--ej ej] [--sub sub]` on the test's
 * data dir: the token into out (2048 bytes). ej and sub may be NULL. */
void issue_token(char out[2048], const char *role, const char *ej, const char *sub);
/* A value of the ACK, as text (one of four rotating buffers). */
const char *value(const ack *a, size_t seg, size_t field, size_t rep, size_t comp);
void expect_code(const ack *a, const char *code);
/* An ERR with this code, severity, segment and field (0: any field). */
int has_err(const ack *a, int code, const char *sev, const char *seg, size_t field);

#define EXPECT_ERR(a, code, sev, seg, field)                                   \
    cr_assert(has_err((a), (code), (sev), (seg), (field)),                     \
              "expected ERR %d %s at %s-%d in:\n%s", (code), (sev), (seg),     \
              (int)(field), (a)->text)

#define IPP1    "IPP1^^^HOP&1.2.250.1.999.1&ISO^PI"
#define NAME_L  "TESTNOM^ALICE^ALICE CLAIRE^^Mme^^L"
#define BIRTH   "19850715|F"

/* An ADT message; pid is what follows "PID|1||". An A28 in UTF-8. */
const char *adt(const char *charset, const char *type, const char *control,
                const char *pid);
const char *a28(const char *control, const char *pid);

#endif
