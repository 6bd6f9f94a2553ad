/*
 * array.h - growing arrays of any element type, the one place that
 * reallocates them. A list is three fields of the caller's own struct:
 * `T *items; size_t len, cap;`. Like util/buf, running out of memory
 * aborts: every caller would have to give up anyway, and error paths that
 * never run are where leaks and double frees hide.
 */
#ifndef SOCLE_UTIL_ARRAY_H
#define SOCLE_UTIL_ARRAY_H

#include <stddef.h>

/* items with room for at least len + 1 elements of elem_size bytes:
 * the same pointer, or a larger copy (doubling; *cap updated). */
void *array_grow(void *items, size_t *cap, size_t len, size_t elem_size);

/* Append one element slot and return its address:
 *   *ARRAY_PUSH(list.items, list.len, list.cap) = value; */
#define ARRAY_PUSH(items, len, cap) \
    ((items) = array_grow((items), &(cap), (len), sizeof *(items)), &(items)[(len)++])

#endif
