/*
 * Unit tests of MLLP framing: messages split and joined arbitrarily by the
 * network, size limit, and every framing error.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hl7/mllp.h"

static const char msg1[] = "MSH|^~\\&|A|B|C|D|20261123||ADT^A28|1|P|2.5\rPID|||1^^^X\r";
static const char msg2[] = "MSH|^~\\&|A|B|C|D|20261123||ADT^A31|2|P|2.5\r";

/* Two framed messages back to back, as a sender pipelining would send. */
static void two_frames(buf *b)
{
    mllp_frame(b, msg1, strlen(msg1));
    mllp_frame(b, msg2, strlen(msg2));
}

/* Feed the stream in chunks of `step` bytes and collect the messages. */
static int decode_in_steps(const char *data, size_t len, size_t step, char out[][128],
                           int max_out)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 0);
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t chunk = len - pos < step ? len - pos : step;
        size_t used = 0;
        socle_err err;
        int rc = mllp_decoder_feed(&d, data + pos, chunk, &used, &err);
        cr_assert_neq(rc, -1, "unexpected error: %s", err.msg);
        pos += used;
        if (rc == 1) {
            size_t mlen;
            const char *m = mllp_decoder_message(&d, &mlen);
            cr_assert_lt(n, max_out);
            cr_assert_lt(mlen, 128);
            memcpy(out[n], m, mlen);
            out[n][mlen] = '\0';
            n++;
            mllp_decoder_next(&d);
        } else {
            cr_assert_eq(used, chunk, "all bytes consumed when more are needed");
        }
    }
    cr_expect_eq(mllp_decoder_partial(&d), 0);
    mllp_decoder_free(&d);
    return n;
}

Test(mllp, frame_layout)
{
    buf b = { 0 };
    mllp_frame(&b, "AB", 2);
    cr_assert_eq(b.len, 5);
    cr_expect_eq(b.data[0], 0x0B);
    cr_expect_eq(b.data[3], 0x1C);
    cr_expect_eq(b.data[4], 0x0D);
    buf_free(&b);
}

Test(mllp, any_split_gives_the_same_messages)
{
    buf b = { 0 };
    two_frames(&b);
    for (size_t step = 1; step <= b.len; step++) {
        char out[4][128];
        int n = decode_in_steps(b.data, b.len, step, out, 4);
        cr_assert_eq(n, 2, "step %zu", step);
        cr_expect_str_eq(out[0], msg1);
        cr_expect_str_eq(out[1], msg2);
    }
    buf_free(&b);
}

Test(mllp, cr_lf_between_frames_are_tolerated)
{
    buf b = { 0 };
    buf_puts(&b, "\r\n");
    mllp_frame(&b, msg1, strlen(msg1));
    buf_puts(&b, "\n");
    mllp_frame(&b, msg2, strlen(msg2));
    char out[4][128];
    cr_expect_eq(decode_in_steps(b.data, b.len, 7, out, 4), 2);
    buf_free(&b);
}

static int feed_all(mllp_decoder *d, const char *data, size_t len, socle_err *err)
{
    size_t used;
    return mllp_decoder_feed(d, data, len, &used, err);
}

Test(mllp, garbage_outside_a_frame)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 0);
    socle_err err;
    cr_expect_eq(feed_all(&d, "GET / HTTP/1.1\r\n", 16, &err), -1);
    cr_expect(strstr(err.msg, "0x47") != NULL, "%s", err.msg);
    mllp_decoder_free(&d);
}

Test(mllp, fs_without_cr)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 0);
    socle_err err;
    cr_expect_eq(feed_all(&d, "\x0bMSH\x1cX", 6, &err), -1);
    cr_expect(strstr(err.msg, "0x0D") != NULL, "%s", err.msg);
    mllp_decoder_free(&d);
}

Test(mllp, start_inside_a_frame)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 0);
    socle_err err;
    cr_expect_eq(feed_all(&d, "\x0bMSH|\x0bMSH", 9, &err), -1);
    cr_expect(strstr(err.msg, "not terminated") != NULL, "%s", err.msg);
    mllp_decoder_free(&d);
}

Test(mllp, size_limit)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 10);
    socle_err err;
    cr_expect_eq(feed_all(&d, "\x0b" "0123456789\x1c\r", 13, &err), 1, "exactly the limit");
    mllp_decoder_next(&d);
    cr_expect_eq(feed_all(&d, "\x0b" "01234", 6, &err), 0);
    cr_expect_eq(feed_all(&d, "56789A", 6, &err), -1, "one byte over, across two reads");
    cr_expect(strstr(err.msg, "limit") != NULL, "%s", err.msg);
    mllp_decoder_free(&d);
}

Test(mllp, partial_frame_is_visible)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 0);
    socle_err err;
    cr_expect_eq(mllp_decoder_partial(&d), 0);
    cr_expect_eq(feed_all(&d, "\x0bMSH|", 5, &err), 0);
    cr_expect_eq(mllp_decoder_partial(&d), 1, "a timeout must know a frame is pending");
    size_t len;
    cr_expect_null(mllp_decoder_message(&d, &len));
    mllp_decoder_free(&d);
}

Test(mllp, complete_message_is_kept_until_next)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 0);
    buf b = { 0 };
    two_frames(&b);
    size_t used;
    socle_err err;
    cr_assert_eq(mllp_decoder_feed(&d, b.data, b.len, &used, &err), 1);
    cr_expect_lt(used, b.len, "stops after the first message");
    size_t again;
    cr_expect_eq(mllp_decoder_feed(&d, b.data + used, b.len - used, &again, &err), 1);
    cr_expect_eq(again, 0, "nothing consumed until the message is taken");
    mllp_decoder_next(&d);
    cr_expect_eq(mllp_decoder_feed(&d, b.data + used, b.len - used, &again, &err), 1);
    size_t len;
    const char *m = mllp_decoder_message(&d, &len);
    cr_expect_eq(len, strlen(msg2));
    cr_expect_eq(memcmp(m, msg2, len), 0);
    buf_free(&b);
    mllp_decoder_free(&d);
}
