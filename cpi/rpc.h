/*
 * cpi/rpc.h: the JSON-RPC envelope the Director and bosh-cli speak.
 *
 * Request (stdin, read to EOF, at most CPI_REQUEST_MAX bytes):
 *   {"method":"…","arguments":[…],"context":{…},"api_version":N}
 *   - method: non-empty string.
 *   - arguments: array, required ("Must provide 'arguments' key").
 *   - context: object; absent or null means none.
 *   - api_version: integer >= 1; absent or null means 1.  Versions above
 *     2 are answered as 2 (this CPI's info reports 2, so both callers
 *     negotiate 2 at most; the effective version is what handlers see).
 *   Duplicate object keys anywhere and trailing data are rejected, and
 *   so is, before it is parsed, a request holding more than
 *   CPI_REQUEST_MAX_ITEMS values and keys or nesting deeper than
 *   CPI_REQUEST_MAX_DEPTH (parsed, small values cost many times their
 *   text: this keeps peak memory a small multiple of the request).
 * Response (stdout, exactly one line):
 *   {"result":…,"error":null|{"type","message","ok_to_retry"},"log":"…"}
 */
#ifndef CPI_RPC_H
#define CPI_RPC_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cpi/error.h"

#define CPI_REQUEST_MAX ((size_t)16 * 1024 * 1024)
#define CPI_API_VERSION_MAX 2
#define CPI_REQUEST_MAX_ITEMS 200000
#define CPI_REQUEST_MAX_DEPTH 64

struct cpi_request {
	char *method;            /* owned */
	json_t *arguments;       /* owned reference, an array */
	json_t *context;         /* owned reference, an object, or NULL */
	int api_version;         /* effective: 1 or 2 */
	long long api_version_requested; /* as sent (1 when absent) */
	char request_id[64];     /* context.request_id, filtered; "" if none */
};

/* Reads in to EOF into a malloc'd NUL-terminated buffer.  More than limit
 * bytes: CpiError "request larger than 16 MiB" (for the default limit),
 * reading stops there.  Empty input is accepted here (parse rejects it). */
int cpi_request_read(char **out, size_t *len_out, FILE *in, size_t limit,
                     struct err *err);
/* Validates the envelope; on failure *out is NULL and err is a CpiError
 * that names what is wrong (never echoing request values). */
int cpi_request_parse(struct cpi_request **out, const char *buf, size_t len,
                      struct err *err);
void cpi_request_free(struct cpi_request *req);

/* Serializes the response as one line.  result is borrowed (NULL: null);
 * when e is set the result is written as null.  log NULL means "".
 * Strings are made valid UTF-8 first.  Returns 0, or ERR_EIO when the
 * stream could not be written. */
int cpi_response_write(FILE *out, const json_t *result,
                       const struct err *e, const char *log);
/* The same text, malloc'd with its trailing newline (tests, bench). */
char *cpi_response_dump(const json_t *result, const struct err *e,
                        const char *log);

#endif
