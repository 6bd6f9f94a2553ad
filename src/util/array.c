/*
 * array.c - growing arrays (array.h).
 */
#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>

void *array_grow(void *items, size_t *cap, size_t len, size_t elem_size)
{
    if (len < *cap)
        return items;
    size_t n = *cap ? 2 * *cap : 8;
    if (n < len + 1 || n > SIZE_MAX / elem_size)
        abort();
    void *p = realloc(items, n * elem_size);
    if (p == NULL)
        abort();  /* out of memory: see array.h */
    *cap = n;
    return p;
}
