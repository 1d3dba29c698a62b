/*
 * vsphere/fixture.h: the fixture files shared by the record and replay
 * transports, plus the masking applied to them (the redaction is
 * base/redact's).
 *
 * Format.  A scenario is one directory; each HTTP exchange is three plain
 * files sharing the prefix NNN-<op> (NNN: decimal, zero-padded to at
 * least 3 digits, increasing in request order; op: the request's op
 * label with every byte outside [A-Za-z0-9_.-] turned into '_'):
 *
 *   NNN-<op>.request   the request body after redaction, or one line
 *                      "<upload: N bytes>" (body streamed from a file),
 *                      "<sensitive body: N bytes>" /
 *                      "<sensitive upload: N bytes>" (request marked
 *                      sensitive: the bytes are never written);
 *                      empty when the request has no body.
 *   NNN-<op>.response  the reply body (or the downloaded file when the
 *                      request had a download_path and the status was
 *                      2xx) after redaction; "<binary download: N bytes>"
 *                      when a download holds NUL or control bytes (replay
 *                      then writes N zero bytes).  A request's
 *                      `sensitive` flag does not apply to its reply.
 *   NNN-<op>.meta      "key value" lines: method, path (URL path and
 *                      query; scheme, host and port dropped), soap_action,
 *                      content_type, status, reply_content_type, request
 *                      (body|none|upload|sensitive), response
 *                      (body|download|binary N), session (the
 *                      number of the first exchange written by the same
 *                      record process), nested (present, "yes", when
 *                      the exchange was made while another one was in
 *                      progress: a call from an upload's progress
 *                      callback; it is numbered before that upload,
 *                      which finished after it).  Unknown keys are
 *                      ignored.
 *
 * The .meta file is written last: an exchange exists once it is there.
 *
 * Redaction (vs_fixture_redact, base/redact.h) works on serialized text
 * without an XML parser, so it also copes with truncated or hostile
 * input.  Masking (vs_fixture_mask) replaces values that
 * legitimately change between a recording and a later run; replay masks
 * both sides before comparing.
 */
#ifndef VS_FIXTURE_H
#define VS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/transport.h"
#include "base/err.h"

/* Largest body kept in memory or read back from a fixture file. */
#define VS_FIXTURE_MAX_BODY ((size_t)64 * 1024 * 1024)
#define VS_FIXTURE_OP_MAX 64

/* redact_text() (base/redact.h: passwords, session keys, cookies,
 * guestinfo.userdata values and every string of the NULL-terminated
 * secrets array in any of its forms) with err set when out of memory.
 * *out is malloc'd. */
int vs_fixture_redact(char **out, size_t *out_len, const char *in,
                      size_t len, const char *const *secrets,
                      struct err *err);
/* Replaces volatile values by placeholders (<uuid>, <govcsim>, <time>,
 * <session>, <port>, <n>, …). */
int vs_fixture_mask(char **out, size_t *out_len, const char *in, size_t len,
                    struct err *err);
/* redact + normalize + mask + normalize, where normalize drops
 * whitespace-only text between tags (so a body laid out by
 * vs_fixture_pretty compares equal to the compact one), CR before LF and
 * leading/trailing whitespace: the form replay compares. */
int vs_fixture_canon(char **out, size_t *out_len, const char *in, size_t len,
                     const char *const *secrets, struct err *err);
/* The XML text in[0..len) laid out one element per line (two spaces an
 * indent level), for record mode: only line breaks and indentation are
 * added, and only between two tags with nothing between them in an
 * element that holds elements only; text that is not one XML document is
 * copied unchanged.  *out is malloc'd. */
int vs_fixture_pretty(char **out, size_t *out_len, const char *in,
                      size_t len, struct err *err);
/* false when equal; otherwise describes the first difference ("line L
 * col C: expected \"…\" got \"…\"", bounded, non-printables escaped). */
bool vs_fixture_diff(char *msg, size_t size, const char *expected,
                     size_t elen, const char *actual, size_t alen);

/* The sanitized op label used in file names ("exchange" when empty). */
void vs_fixture_op_name(char *buf, size_t size, const char *op);
/* Path and query of an absolute URL ("/sdk"); "/" when it has none. */
int vs_fixture_url_path(char **out, const char *url, struct err *err);
/* What the .request file holds for req (redacted body or a marker). */
int vs_fixture_request_text(char **out, size_t *out_len,
                            const struct vs_http_request *req,
                            const char *const *secrets,
                            struct err *err);

enum vs_fixture_req_kind {
	VS_FIXTURE_REQ_NONE,
	VS_FIXTURE_REQ_BODY,
	VS_FIXTURE_REQ_UPLOAD,
	VS_FIXTURE_REQ_SENSITIVE,
};

enum vs_fixture_resp_kind {
	VS_FIXTURE_RESP_BODY,
	VS_FIXTURE_RESP_DOWNLOAD,
	VS_FIXTURE_RESP_BINARY,
	/* "response sensitive": written by early versions of record for
	 * sensitive requests; replay serves an empty body */
	VS_FIXTURE_RESP_LEGACY_SENSITIVE,
};

struct vs_fixture_meta {
	char method[16];
	char *path;
	char *soap_action;          /* NULL: none */
	char *content_type;         /* NULL: none */
	long status;
	char *reply_content_type;   /* NULL: none */
	enum vs_fixture_req_kind request;
	enum vs_fixture_resp_kind response;
	unsigned long binary_size;  /* response binary: bytes downloaded */
	unsigned long session;      /* 0: unknown */
	bool nested;                /* made during another exchange */
};

int vs_fixture_meta_format(char **out, size_t *out_len,
                           const struct vs_fixture_meta *m,
                           struct err *err);
int vs_fixture_meta_parse(struct vs_fixture_meta *m, const char *text,
                          size_t len, struct err *err);
void vs_fixture_meta_clear(struct vs_fixture_meta *m);

/* One exchange found in a scenario directory. */
struct vs_fixture_entry {
	unsigned long number;
	char name[VS_FIXTURE_OP_MAX + 24];  /* "NNN-op" */
};

/* The exchanges of dir (those with a .meta file), sorted by number.
 * A missing dir gives zero entries when missing_ok. */
int vs_fixture_list(struct vs_fixture_entry **out, size_t *n_out,
                    const char *dir, bool missing_ok, struct err *err);
/* Reads a whole file (at most max bytes, else ERR_EIO). */
int vs_fixture_read_file(char **out, size_t *len_out, const char *path,
                         size_t max, struct err *err);
/* Creates path (fails if it exists when exclusive) and writes data. */
int vs_fixture_write_file(const char *path, const char *data, size_t len,
                          bool exclusive, struct err *err);

#endif
