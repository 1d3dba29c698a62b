/*
 * base/span.h: looking at bytes s[0..n) that need not end in a NUL (a
 * reply body, a part of one), for every scanner that works on text
 * without copying it.
 */
#ifndef BASE_SPAN_H
#define BASE_SPAN_H

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..n) starts with prefix (NUL-terminated). */
bool span_starts(const char *s, size_t n, const char *prefix);

/* The offset of the first needle (NUL-terminated, not empty) in s[0..n),
 * or n when there is none. */
size_t span_find(const char *s, size_t n, const char *needle);

#endif
