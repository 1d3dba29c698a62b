/*
 * vsphere/transport.h: the seam under the SOAP client.
 *
 * The client only ever calls t->roundtrip(); curl (real), record (wraps
 * another transport and writes fixtures) and replay (serves fixtures)
 * implement it, so the same code paths run in every mode.
 */
#ifndef VS_TRANSPORT_H
#define VS_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define VS_TRANSPORT_VERSION 1

struct vs_http_request {
	const char *method;        /* "POST", "GET", "PUT", "DELETE" */
	const char *url;           /* absolute: https://host[:port]/sdk */
	const char *soap_action;   /* "urn:vim25/8.0.0.1" or NULL */
	const char *content_type;  /* NULL: none */
	const char *op;            /* label for logs and fixtures: SOAP
	                              method name, "file-get", "file-put" */
	/* Extra request header lines "Name: value" (NULL-terminated), or
	 * NULL: the vAPI REST session (vsphere/rest.h).  They may hold
	 * credentials: no transport logs or records them. */
	const char *const *headers;
	const char *body;          /* request body in memory, or NULL */
	size_t body_len;
	const char *upload_path;   /* stream this local file as the body */
	const char *download_path; /* write a 2xx body to this local file */
	bool sensitive;            /* body holds secrets (agent env): record
	                              mode keeps only its size */
	bool no_resend;            /* not idempotent (creates something):
	                              the client never sends it again once
	                              it may have reached the server */
	/* Called while an upload_path streams (curl: about once a second
	 * and on every chunk; replay: once, with sent 0).  It may make
	 * other exchanges through the same transport meanwhile (a nested
	 * round trip: curl serves it on a second connection, record marks
	 * it, replay serves it from the recording).  A non-zero return
	 * stops the upload and becomes the round trip's result, with the
	 * message the callback set in err.  NULL: none. */
	int (*progress)(void *ud, unsigned long long sent,
	                unsigned long long total, struct err *err);
	void *progress_ud;
	/* Time left for this exchange, in seconds (the client's deadline);
	 * 0: only the transport's own limits.  curl fails it with
	 * ERR_ETIMEOUT once passed, connecting included. */
	double time_left_s;
};

struct vs_http_response {
	long status;               /* HTTP status */
	char *body;                /* malloc'd, NUL-terminated; NULL when
	                              download_path took it */
	size_t body_len;
	char *content_type;        /* malloc'd or NULL */
};

struct vs_transport {
	int version;               /* VS_TRANSPORT_VERSION */
	/* One HTTP exchange.  Returns 0 when any HTTP status came back (the
	 * caller judges it); a negative err_code when none did (connection,
	 * TLS, timeout, replay mismatch).  resp is filled on success and must
	 * be cleared by the caller with vs_http_response_clear(). */
	int (*roundtrip)(struct vs_transport *t,
	                 const struct vs_http_request *req,
	                 struct vs_http_response *resp, struct err *err);
	/* Called once after the last exchange: replay reports exchanges
	 * left unused here.  May be NULL. */
	int (*finish)(struct vs_transport *t, struct err *err);
	void (*free)(struct vs_transport *t);
	/* The value of the cookie `name` the transport keeps for its
	 * server (surrounding double quotes removed) into *out
	 * (malloc'd): for the SOAP endpoints that take the vim25 session
	 * as a header (PBM's vcSessionCookie).  ERR_ENOTFOUND when it
	 * holds none.  May be NULL: the transport keeps no cookies.
	 * Replay answers a stand-in (fixtures hold the cookie
	 * redacted). */
	int (*cookie)(struct vs_transport *t, char **out, const char *name,
	              struct err *err);
	/* A session kept for a later process (vsphere/session.h): cookie
	 * `name` as its whole cookie-jar line (Netscape format, as curl
	 * lists it) into *out (malloc'd; a secret), ERR_ENOTFOUND when
	 * the jar holds none; and such a line put back into the jar.
	 * May be NULL: the transport keeps no session across processes
	 * (record and replay: a fixture shows its own login). */
	int (*cookie_save)(struct vs_transport *t, char **out,
	                   const char *name, struct err *err);
	int (*cookie_load)(struct vs_transport *t, const char *line,
	                   struct err *err);
	/* A wrapping transport's (record, fault): the one it passes
	 * exchanges on to, which it owns and frees; NULL otherwise. */
	struct vs_transport *inner;
};

void vs_http_response_clear(struct vs_http_response *resp);
/* For transports: runs req->progress (set), giving its result; when the
 * callback failed without a message, err gets a generic one. */
int vs_http_progress(const struct vs_http_request *req, unsigned long long sent,
                     unsigned long long total, struct err *err);
void vs_transport_free(struct vs_transport *t);
/* t->cookie(), or ERR_ENOTFOUND when t keeps no cookies. */
int vs_transport_cookie(struct vs_transport *t, char **out,
                        const char *name, struct err *err);
/* For transports: whether v may be sent as an HTTP header value (no
 * control characters, under 1024 bytes). */
bool vs_http_header_value_ok(const char *v);
/* t->cookie_save() and t->cookie_load(); ERR_ENOTFOUND when t has
 * none. */
int vs_transport_cookie_save(struct vs_transport *t, char **out,
                             const char *name, struct err *err);
int vs_transport_cookie_load(struct vs_transport *t, const char *line,
                             struct err *err);
/* For transports: when the cookie-jar line (Netscape format, as curl
 * lists it: domain, flag, path, secure, expiry, name, value, separated
 * by tabs) is cookie `name`, its value without surrounding double
 * quotes into *out (malloc'd) and 1; 0 for another cookie or another
 * line; ERR_ENOMEM. */
int vs_cookie_jar_line(char **out, const char *line, const char *name,
                       struct err *err);
/* Whether the cookie-jar line is cookie `name`'s. */
bool vs_cookie_jar_is(const char *line, const char *name);
/* t's finish; 0 when t is NULL or has none. */
int vs_transport_finish(struct vs_transport *t, struct err *err);
/* For wrapping transports: finish, cookie and the kept session taken
 * as they are from t->inner, for the ops a wrapper does not change. */
int vs_transport_pass_finish(struct vs_transport *t, struct err *err);
int vs_transport_pass_cookie(struct vs_transport *t, char **out,
                             const char *name, struct err *err);
int vs_transport_pass_cookie_save(struct vs_transport *t, char **out,
                                  const char *name, struct err *err);
int vs_transport_pass_cookie_load(struct vs_transport *t, const char *line,
                                  struct err *err);

#endif
