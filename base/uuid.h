/*
 * base/uuid.h: the one source of random identifiers.
 */
#ifndef BASE_UUID_H
#define BASE_UUID_H

#include <stdbool.h>
#include <stddef.h>

#define UUID_LEN 36             /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */

/* Fills b with n bytes from the kernel's random source; -1 when it
 * gives none. */
int uuid_random_bytes(unsigned char *b, size_t n);

/* A random (version 4) UUID, lower-case, into buf (UUID_LEN + 1
 * bytes); -1 when no random bytes could be read. */
int uuid_v4(char *buf);

/* "<prefix>-<uuid_v4>" into out (size bytes; cut if too small): the
 * CPI's ids ("vm-…", "disk-…", "sc-…"); -1 as uuid_v4. */
int uuid_id(char *out, size_t size, const char *prefix);

/* True for exactly 36 characters of lower-case hex in the 8-4-4-4-12
 * form (what uuid_v4 writes). */
bool uuid_valid(const char *s);

#endif
