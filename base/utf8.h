/*
 * base/utf8.h: the one UTF-8 decoder (no I/O, no allocation but
 * utf8_clean).  Strict: no overlong forms, no surrogates, nothing above
 * U+10FFFF.
 */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the valid sequence at s, which has n > 0 bytes left,
 * with its code point in *cp (may be NULL); 0 when invalid. */
size_t utf8_decode(uint32_t *cp, const unsigned char *s, size_t n);

/* True when all n bytes of s are valid UTF-8 (NUL counts as a
 * character: callers that refuse it check for it). */
bool utf8_valid(const char *s, size_t n);

/* A malloc'd copy of the NUL-terminated s with each byte that starts no
 * valid sequence replaced by '?'; NULL when out of memory. */
char *utf8_clean(const char *s);

#endif
