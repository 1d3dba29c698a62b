/*
 * vsphere/rest.h: the vCenter's vAPI REST endpoint (/rest/...), as the
 * Ruby CPI's tagging uses it.
 *
 * A session is made with POST /rest/com/vmware/cis/session and HTTP
 * Basic auth with the vCenter credentials; the reply {"value": "ID"}
 * gives its id, sent as the header vmware-api-session-id on every later
 * request; DELETE of the same path ends it.  Every exchange goes through
 * the client's transport (vs_client_http: the same retry policy, TLS
 * verification, deadline, record and replay).  Bodies are JSON bytes
 * moved as they are: vsphere/ never parses them (cpi/ does).  The
 * Authorization header and the session id are never logged; the
 * transports never write request headers into fixtures, and record mode
 * redacts the session id wherever it reappears (base/redact.h).
 */
#ifndef VS_REST_H
#define VS_REST_H

#include <stddef.h>

#include "base/err.h"

struct vs_client;
struct vs_rest;

/* Makes a session over c (which must outlive it) with HTTP Basic auth
 * as user / password (the vCenter credentials the client logged in
 * with).  An HTTP status other than 2xx is ERR_EHTTP (err->http_status
 * set); a reply without a session id ERR_EPARSE. */
int vs_rest_login(struct vs_rest **out, struct vs_client *c,
                  const char *user, const char *password,
                  struct err *err);

/* One exchange in the session: method "GET", "POST" or "DELETE"; path
 * under /rest ("/com/vmware/cis/tagging/category"); body JSON text or
 * NULL (none); op names the exchange in logs and fixtures.  A 2xx status
 * gives 0 and the reply body in *reply (malloc'd, NUL-terminated, maybe
 * empty; its length in *reply_len when not NULL).  Another status is
 * ERR_EHTTP, the message naming op, the status and the start of the
 * reply. */
int vs_rest_call(char **reply, size_t *reply_len, struct vs_rest *s,
                 const char *method, const char *path, const char *body,
                 const char *op, struct err *err);

/* Ends the session (DELETE) and frees s, whatever the answer; NULL is a
 * no-op. */
int vs_rest_logout(struct vs_rest *s, struct err *err);

/* *out = prefix, id percent-encoded (every byte but A-Z a-z 0-9 - . _ ~
 * and ':', which the Ruby CPI's URI escape leaves in vAPI ids), then
 * suffix: a path for vs_rest_call.  Malloc'd. */
int vs_rest_path(char **out, const char *prefix, const char *id,
                 const char *suffix, struct err *err);

#endif
