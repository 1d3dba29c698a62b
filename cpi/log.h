/*
 * cpi/log.h: the CPI's logger.
 *
 * Each entry becomes one timestamped line on stderr (the Director appends
 * stderr live to the task's CPI log) and, from info up, is also kept for
 * the response's "log" field, bounded to CPI_LOG_MAX bytes.
 *
 * Secrets: the logger only takes printf-style text, never JSON values, so
 * a whole request argument (env, cloud_properties, the config) cannot be
 * logged by passing it along; log method names, cids and counts.  As a
 * second line of defence every string registered with cpi_log_secret()
 * (the vCenter password, mbus and blobstore credentials, ...) is replaced
 * by "[REDACTED]" in every line before it is written or kept, in any of
 * its forms (as is, XML-, percent- or JSON-escaped: base/redact.h).  Control
 * characters are escaped so one entry is always one line.
 */
#ifndef CPI_LOG_H
#define CPI_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cpi/error.h"
#include "vsphere/vs_log.h"

#define CPI_LOG_MAX (256 * 1024)

enum cpi_log_level {
	CPI_LOG_DEBUG = 0,
	CPI_LOG_INFO = 1,
	CPI_LOG_WARN = 2,
	CPI_LOG_ERROR = 3,
};

struct cpi_log;

/* The level CPI_LOG_LEVEL names: debug, info, warn or error in any case.
 * NULL or "" gives CPI_LOG_INFO and 0; any other text gives CPI_LOG_INFO
 * and ERR_EINVAL, so the caller can warn about it. */
int cpi_log_level_parse(enum cpi_log_level *out, const char *s);

/* stream: where lines go (stderr in the binary; NULL: nowhere).  Lines
 * below stream_level are not written to the stream.  The response log
 * always keeps info and above. */
int cpi_log_new(struct cpi_log **out, FILE *stream,
                enum cpi_log_level stream_level, struct err *err);
void cpi_log_free(struct cpi_log *log);

/* Tag printed on every line, e.g. the Director's request_id.  Characters
 * outside [A-Za-z0-9._:-] are dropped; at most 63 are kept.  NULL clears. */
void cpi_log_set_tag(struct cpi_log *log, const char *tag);
/* Registers a secret (copied).  Empty strings and NULL are ignored.
 * Returns 0 or ERR_ENOMEM (the line is then dropped rather than risked). */
int cpi_log_secret(struct cpi_log *log, const char *secret);

/* Registers strings found in v: with all, every string of at least 4
 * bytes (an argument that is secret as a whole, like create_vm's env);
 * otherwise only strings under a credential-like key (see
 * cpi_secret_key) at any depth.  Returns 0 or ERR_ENOMEM. */
int cpi_log_secret_json(struct cpi_log *log, const json_t *v, bool all);
/* True for keys that name credentials (redact_secret_name(),
 * base/redact.h: containing password, secret, key, token, credential,
 * private or cert, any case). */
bool cpi_secret_key(const char *key);
/* Masks registered secrets inside buf (NUL-terminated, size bytes),
 * e.g. an error message before it is written. */
void cpi_log_redact(const struct cpi_log *log, char *buf, size_t size);

void cpi_logf(struct cpi_log *log, enum cpi_log_level level,
              const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define cpi_log_debug(l, ...) cpi_logf((l), CPI_LOG_DEBUG, __VA_ARGS__)
#define cpi_log_info(l, ...) cpi_logf((l), CPI_LOG_INFO, __VA_ARGS__)
#define cpi_log_warn(l, ...) cpi_logf((l), CPI_LOG_WARN, __VA_ARGS__)
#define cpi_log_error(l, ...) cpi_logf((l), CPI_LOG_ERROR, __VA_ARGS__)

/* The kept lines (info and above), "" when none; borrowed from log. */
const char *cpi_log_text(const struct cpi_log *log);

/* A vs_log_fn (base/err.h) writing into the struct cpi_log passed
 * as ud; level 0 debug .. 3 error. */
void cpi_log_vs(void *ud, int level, const char *msg);

#endif
