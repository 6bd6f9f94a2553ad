/*
 * libFuzzer target for the MLLP decoder: arbitrary bytes, fed in pieces
 * whose sizes come from the input itself, with a small size limit.
 */
#include <stddef.h>
#include <stdint.h>

#include "hl7/mllp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)(data[0] % 17) + 1;
    mllp_decoder d;
    mllp_decoder_init(&d, 256);
    size_t pos = 1;
    while (pos < size) {
        size_t chunk = size - pos < step ? size - pos : step;
        size_t used = 0;
        socle_err err;
        int rc = mllp_decoder_feed(&d, (const char *)data + pos, chunk, &used, &err);
        if (rc < 0)
            break;
        if (used > chunk)
            __builtin_trap();
        pos += used;
        if (rc == 1) {
            size_t len;
            const char *m = mllp_decoder_message(&d, &len);
            if (m == NULL || len > 256)
                __builtin_trap();
            mllp_decoder_next(&d);
        }
    }
    mllp_decoder_free(&d);
    return 0;
}
