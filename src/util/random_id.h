/*
 * random_id.h - identifiers that must be unique, not secret: HL7 control
 * ids (MSH-10) of the messages Socle builds.
 */
#ifndef SOCLE_UTIL_RANDOM_ID_H
#define SOCLE_UTIL_RANDOM_ID_H

#include <stddef.h>

/* 2 * nbytes upper-case hex digits and a NUL into out (2 * nbytes + 1
 * bytes), from the kernel's generator; should that fail, from the clock,
 * the thread and the buffer's address (uniqueness is what matters).
 * nbytes is at most 32. */
void random_hex_id(char *out, size_t nbytes);

#endif
