#include "hl7/mllp.h"

#include <string.h>

void mllp_decoder_init(mllp_decoder *d, size_t max)
{
    memset(d, 0, sizeof *d);
    d->max = max ? max : MLLP_DEFAULT_MAX;
}

void mllp_decoder_free(mllp_decoder *d)
{
    buf_free(&d->message);
    memset(d, 0, sizeof *d);
}

int mllp_decoder_feed(mllp_decoder *d, const char *data, size_t len, size_t *consumed,
                      socle_err *err)
{
    size_t i = 0;
    *consumed = 0;
    if (d->complete)
        return 1;

    while (i < len) {
        unsigned char c = (unsigned char)data[i];
        switch (d->state) {
        case MLLP_IDLE:
            i++;
            if (c == MLLP_START) {
                d->state = MLLP_IN_FRAME;
                buf_reset(&d->message);
            } else if (c != '\r' && c != '\n') {
                /* Some senders end frames with an extra CR or LF: harmless.
                 * Anything else means we are not speaking MLLP. */
                *consumed = i;
                return err_set(err, SOCLE_EINVAL,
                               "byte 0x%02X outside an MLLP frame (expected 0x0B)", c);
            }
            break;

        case MLLP_IN_FRAME: {
            /* Copy the run of ordinary bytes in one go: this is the hot path. */
            size_t start = i;
            while (i < len && data[i] != (char)MLLP_END1 && data[i] != (char)MLLP_START)
                i++;
            size_t run = i - start;
            if (d->message.len + run > d->max) {
                *consumed = i;
                return err_set(err, SOCLE_EINVAL,
                               "message larger than the %zu-byte limit", d->max);
            }
            buf_append(&d->message, data + start, run);
            if (i < len) {
                if ((unsigned char)data[i] == MLLP_START) {
                    *consumed = i + 1;
                    return err_set(err, SOCLE_EINVAL,
                                   "start of block (0x0B) inside a frame: previous message "
                                   "not terminated");
                }
                d->state = MLLP_AFTER_FS;
                i++;
            }
            break;
        }

        case MLLP_AFTER_FS:
            i++;
            if (c != MLLP_END2) {
                *consumed = i;
                return err_set(err, SOCLE_EINVAL,
                               "end of block 0x1C followed by 0x%02X instead of 0x0D", c);
            }
            d->state = MLLP_IDLE;
            d->complete = 1;
            *consumed = i;
            return 1;
        }
    }
    *consumed = i;
    return 0;
}

const char *mllp_decoder_message(const mllp_decoder *d, size_t *len)
{
    *len = d->complete ? d->message.len : 0;
    return d->complete ? buf_cstr(&d->message) : NULL;
}

void mllp_decoder_next(mllp_decoder *d)
{
    d->complete = 0;
    buf_reset(&d->message);
}

int mllp_decoder_partial(const mllp_decoder *d)
{
    return d->state != MLLP_IDLE;
}

void mllp_frame(buf *out, const char *message, size_t len)
{
    buf_putc(out, (char)MLLP_START);
    buf_append(out, message, len);
    buf_putc(out, (char)MLLP_END1);
    buf_putc(out, (char)MLLP_END2);
}
