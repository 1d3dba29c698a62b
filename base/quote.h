/*
 * base/quote.h: the one way untrusted bytes are made printable for a
 * message (names from a tarball, an OVF href, a request's method).
 */
#ifndef BASE_QUOTE_H
#define BASE_QUOTE_H

#include <stddef.h>

/* Copies s[0..len) into buf (size >= 12) with every byte outside
 * printable ASCII, and '\\' and '\'', written as \xHH; cut with "..."
 * when it does not fit.  Returns buf. */
const char *quote_bytes(char *buf, size_t size, const char *s, size_t len);

/* quote_bytes over a NUL-terminated s (NULL reads as ""). */
const char *quote_str(char *buf, size_t size, const char *s);

#endif
