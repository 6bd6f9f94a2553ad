/*
 * ack.h - the HL7 v2 acknowledgment of a received message: building the
 * ACK, deciding which acknowledgments the sender asked for, and checking
 * the header fields a receiver needs before it can process a message.
 *
 * The ACK (ack_build) answers in the sender's own terms:
 *
 *   MSH  delimiters as the sender used them (MSH-1/2, truncation character
 *        included when it sent one); MSH-3/4 = its MSH-5/6, each replaced
 *        by our own name when empty; MSH-5/6 = its MSH-3/4; MSH-7 = now;
 *        MSH-9 = ACK^<its trigger>^ACK; MSH-10 = our new control id;
 *        MSH-11/12 copied (P and 2.5 when it sent none); MSH-18 = the first
 *        repetition of its MSH-18, and the ACK is encoded in that set.
 *   MSA  code | its MSH-10.
 *   ERR  one per problem: ERR-2 location (PID^1^3^1^1, trailing empty
 *        parts omitted), ERR-3 code^text^HL70357, ERR-4 severity, ERR-8
 *        user text.
 *
 * Values copied from the received message (MSH-3..6, the trigger, MSH-10,
 * 11, 12, 18) are copied byte for byte: the ACK uses the sender's
 * delimiters and character set, so they mean there exactly what they
 * meant in the message. Our own texts (names, control id, ERR-8) are
 * escaped and encoded in that set.
 *
 * Character set: a message whose MSH-18 names a set er7_text.h does not
 * know is answered in ASCII with MSH-18 left empty, which is the truth
 * about the ACK's bytes. A character of ERR-8 the set cannot represent
 * (an accented letter for an ASCII sender, a euro sign in Latin-1, bytes
 * that are not UTF-8) is written as '?': the user text is a courtesy and
 * losing one letter of it beats losing the acknowledgment. Everywhere
 * else such a character is an error.
 *
 * Time: MSH-7 is YYYYMMDDHHMMSS in the local time of the server, the HL7
 * reading of a timestamp without offset (French PAM traffic is in local
 * time).
 *
 * Pure: no I/O, no global state besides the C library's time zone.
 */
#ifndef SOCLE_HL7_ACK_H
#define SOCLE_HL7_ACK_H

#include <stddef.h>
#include <time.h>

#include "hl7/er7.h"
#include "util/buf.h"
#include "util/error.h"

/* MSA-1, HL7 table 0008. AA/AE/AR answer in original mode and as the
 * application acknowledgment of enhanced mode; CA/CE/CR are the commit
 * (accept) acknowledgments of enhanced mode. */
typedef enum ack_code {
    ACK_AA = 0,   /* processed */
    ACK_AE,       /* error in the content: the sender must fix it */
    ACK_AR,       /* refused: unsupported type, version or processing id,
                     or cannot be processed now (the sender may retry) */
    ACK_CA,       /* committed to safe storage */
    ACK_CE,       /* commit error */
    ACK_CR        /* commit refused */
} ack_code;

/* "AA", "AE"...; NULL for a value outside the enum. */
const char *ack_code_name(ack_code code);

/* 1 for AA and CA, 0 for the error and refusal codes. */
int ack_code_is_success(ack_code code);

/* ERR-3, HL7 table 0357 (message error condition codes). */
typedef enum ack_errcode {
    ACK_ERR_OK               = 0,    /* Message accepted */
    ACK_ERR_SEGMENT_SEQUENCE = 100,  /* Segment sequence error */
    ACK_ERR_REQUIRED         = 101,  /* Required field missing */
    ACK_ERR_DATA_TYPE        = 102,  /* Data type error */
    ACK_ERR_TABLE_VALUE      = 103,  /* Table value not found */
    ACK_ERR_MESSAGE_TYPE     = 200,  /* Unsupported message type */
    ACK_ERR_EVENT            = 201,  /* Unsupported event code */
    ACK_ERR_PROCESSING_ID    = 202,  /* Unsupported processing id */
    ACK_ERR_VERSION          = 203,  /* Unsupported version id */
    ACK_ERR_UNKNOWN_KEY      = 204,  /* Unknown key identifier */
    ACK_ERR_DUPLICATE_KEY    = 205,  /* Duplicate key identifier */
    ACK_ERR_RECORD_LOCKED    = 206,  /* Application record locked */
    ACK_ERR_INTERNAL         = 207   /* Application internal error */
} ack_errcode;

/* The table's text for a code ("Required field missing"), NULL for a code
 * not in the list above. */
const char *ack_errcode_text(ack_errcode code);

/* ERR-4, HL7 table 0516. */
typedef enum ack_severity {
    ACK_SEV_ERROR   = 'E',
    ACK_SEV_WARNING = 'W',
    ACK_SEV_INFO    = 'I'
} ack_severity;

/* One problem, one ERR segment. */
typedef struct ack_error {
    er7_loc      where;     /* ERR-2, e.g. from er7_location(); an empty
                               where.seg_id leaves ERR-2 out */
    ack_errcode  code;      /* ERR-3 */
    ack_severity severity;  /* ERR-4 */
    const char  *text;      /* ERR-8, UTF-8, NULL for none; borrowed */
} ack_error;

typedef struct ack_params {
    ack_code         code;        /* MSA-1 */
    const ack_error *errors;      /* n_errors items, borrowed */
    size_t           n_errors;
    const char      *app;         /* our application and facility (HD-1,  */
    const char      *facility;    /* UTF-8), for an empty MSH-5/6; may be NULL */
    const char      *control_id;  /* MSH-10 of the ACK: required */
    time_t           now;         /* MSH-7 */
    /* MSH-9 of a response that is not an ACK, such as a query's
     * RSP^K22^RSP_K21 (its segments after MSA and ERR are the caller's to
     * append). NULL: ACK^<the received trigger>^ACK. */
    const char      *msg_type;
    const char      *msg_trigger;
    const char      *msg_structure;
} ack_params;

/*
 * Append to out the ACK of received, made of whole segments each ended by
 * CR. received may be NULL when the bytes could not be parsed at all: the
 * ACK then has the default delimiters, ASCII, MSH-3/4 = our names, MSH-5/6
 * empty, MSH-9 ACK^^ACK, MSA-2 empty, and code AR whatever p->code says
 * (an unreadable message is refused, not in error: HL7's AR).
 *
 * A received value that cannot be copied back (a NUL byte in it) is left
 * empty rather than costing the sender its acknowledgment.
 *
 * -1 with err (SOCLE_EINVAL) for a code outside the enums, a missing
 * control id, a location whose segment id is not a C string of at most 3
 * characters, or one of our names not representable in the sender's
 * character set. out is then left as it was.
 */
int ack_build(const er7_message *received, const ack_params *p, buf *out,
              socle_err *err);

/* MSH-15 / MSH-16 values, HL7 table 0155. */
typedef enum ack_condition {
    ACK_COND_AL = 0,   /* always */
    ACK_COND_NE,       /* never */
    ACK_COND_ER,       /* on error or refusal only */
    ACK_COND_SU        /* on success only */
} ack_condition;

typedef struct ack_mode {
    int           enhanced;     /* 0: original mode */
    ack_condition commit;       /* MSH-15, accept (commit) acknowledgment */
    ack_condition application;  /* MSH-16, application acknowledgment */
} ack_mode;

/*
 * The acknowledgment mode the message asks for. Original mode when MSH-15
 * and MSH-16 are both empty (and for a NULL message); enhanced otherwise.
 *
 * In enhanced mode v2.5 requires both fields and gives no default for a
 * missing one (v2.9 says outright: both or neither). A missing one is
 * read as what original mode implies, following the standard's note that
 * original mode is enhanced mode with MSH-15 NE and MSH-16 AL: no commit
 * acknowledgment, an application acknowledgment always.
 *
 * A value outside table 0155 (matched exactly, upper case) is read the
 * same way as a missing one, and the function returns -1 with err
 * (SOCLE_EINVAL, naming the field): *mode is still filled and usable, for
 * the caller that wants to answer the bad header with an AR.
 */
int ack_mode_read(const er7_message *m, ack_mode *mode, socle_err *err);

/* Whether the sender asked for a commit acknowledgment carrying this
 * outcome (only ack_code_is_success(code) matters). Never in original
 * mode. */
int ack_send_commit(const ack_mode *mode, ack_code code);

/* Whether the sender asked for an application acknowledgment carrying
 * this outcome. Always in original mode. */
int ack_send_application(const ack_mode *mode, ack_code code);

/*
 * Check, in this order, the header fields needed before a message can be
 * processed at all:
 *
 *   MSH-9   message type and trigger event present      else 101
 *   MSH-10  message control id present                  else 101
 *   MSH-11  processing id (MSH-11.1) present            else 101,
 *           and one of P, D, T                          else 202
 *   MSH-12  version id (MSH-12.1) present               else 101,
 *           and "2." followed by a digit                else 203
 *
 * 0 when all hold. Otherwise -1 with err (SOCLE_EINVAL, quoting the bad
 * value) and *problem filled with the first problem found: location,
 * code, severity E and a static user text. Such a message is answered AR.
 * A NULL message (unparseable) is a problem 100 at MSH: the header
 * segment is not there.
 */
int ack_check_header(const er7_message *m, ack_error *problem,
                     socle_err *err);

#endif
