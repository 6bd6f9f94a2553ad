/*
 * random_id.c - unique identifiers (random_id.h).
 */
#include "util/random_id.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void random_hex_id(char *out, size_t nbytes)
{
    unsigned char r[32];
    if (nbytes > sizeof r)
        nbytes = sizeof r;
    if (getrandom(r, nbytes, 0) != (ssize_t)nbytes) {
        /* No global counter: the clock in ns, the thread and the caller's
         * buffer tell concurrent and successive calls apart. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t mix[4] = { (uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec,
                            (uint64_t)(uintptr_t)pthread_self(), (uint64_t)(uintptr_t)out };
        memset(r, 0, sizeof r);
        for (size_t i = 0; i < sizeof mix; i++)
            r[i % nbytes] ^= ((const unsigned char *)mix)[i];
    }
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 0xf];
    }
    out[2 * nbytes] = '\0';
}
