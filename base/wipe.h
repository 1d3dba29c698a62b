/*
 * base/wipe.h: freeing memory that held a secret (a password, agent
 * settings, a log line before redaction) after overwriting it, with a
 * store the compiler may not drop as dead.
 */
#ifndef BASE_WIPE_H
#define BASE_WIPE_H

#include <stddef.h>

/* Zeroes the len bytes at p and frees p; p may be NULL. */
void wipe_free_n(void *p, size_t len);

/* Zeroes the NUL-terminated string s and frees it; s may be NULL. */
void wipe_free(char *s);

#endif
