/*
 * base/digest.h: SHA-256 (OpenSSL's libcrypto), for the saved vCenter
 * session's names and its check of the password (cpi/session_keep.h).
 */
#ifndef BASE_DIGEST_H
#define BASE_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_LEN 64       /* SHA-256 in lower-case hex */

/* SHA-256 of the NUL-separated strings parts[0..n-1] (each followed by
 * one NUL byte, so that ("ab","c") and ("a","bc") differ) in lower-case
 * hex into hex (DIGEST_HEX_LEN + 1 bytes); -1 when libcrypto fails. */
int digest_sha256_hex(char *hex, const char *const *parts, size_t n);

#endif
