/*
 * mllp.h - Minimal Lower Layer Protocol framing (HL7 v2 over TCP):
 * 0x0B, the message, 0x1C 0x0D.
 *
 * The decoder is fed whatever bytes a socket delivers, in pieces of any
 * size, and hands out complete messages. It never grows past the
 * configured maximum: a larger message is an error the caller answers
 * (AR) before closing the connection.
 */
#ifndef SOCLE_HL7_MLLP_H
#define SOCLE_HL7_MLLP_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

#define MLLP_START 0x0B
#define MLLP_END1  0x1C
#define MLLP_END2  0x0D

#define MLLP_DEFAULT_MAX (1u << 20)  /* 1 MiB */

typedef enum mllp_state {
    MLLP_IDLE = 0,   /* between frames */
    MLLP_IN_FRAME,   /* after 0x0B */
    MLLP_AFTER_FS    /* after 0x1C, waiting for 0x0D */
} mllp_state;

typedef struct mllp_decoder {
    mllp_state state;
    size_t max;          /* largest message accepted, in bytes */
    buf message;         /* the message being received (owned) */
    int complete;        /* message holds a whole message */
} mllp_decoder;

void mllp_decoder_init(mllp_decoder *d, size_t max);
void mllp_decoder_free(mllp_decoder *d);

/* Consume bytes from data[0..len). Stops as soon as a message is complete
 * (the rest is for the next call). Returns 1 when a message is complete
 * (read it with mllp_decoder_message, then call mllp_decoder_next), 0 when
 * more bytes are needed, -1 on a framing error: bytes other than CR/LF
 * between frames, 0x1C not followed by 0x0D, a new 0x0B inside a frame, or
 * a message over the maximum (err says which; the connection should be
 * closed). *consumed is always set. */
int mllp_decoder_feed(mllp_decoder *d, const char *data, size_t len, size_t *consumed,
                      socle_err *err);

/* The complete message (borrowed until mllp_decoder_next). */
const char *mllp_decoder_message(const mllp_decoder *d, size_t *len);

/* Forget the delivered message and wait for the next frame. */
void mllp_decoder_next(mllp_decoder *d);

/* 1 while part of a frame was received and not completed. */
int mllp_decoder_partial(const mllp_decoder *d);

/* Append the framed message to out. */
void mllp_frame(buf *out, const char *message, size_t len);

#endif
