/*
 * base/redact.h: the one place that knows what a secret looks like in
 * recorded or logged text.
 *
 * Secrets come two ways:
 *   - by shape: the text of password-like elements (password,
 *     adminPassword, newPassword, oldPassword, sessionID, sessionId,
 *     privateKey, vcSessionCookie: the vim25 session cookie in the SOAP
 *     header of a PBM request), the <key> of a session (LoginResponse, UserSession,
 *     currentSession, ...), the value following a guestinfo.userdata key,
 *     the vmware_soap_session cookie, and the vAPI REST session's id and
 *     credentials where a header or cookie names them
 *     (vmware-api-session-id: ID, vmware-api-session-id=ID,
 *     Authorization: Basic TOKEN) (redact_text());
 *   - by value: strings the caller knows (a password, a learned session
 *     key), in any of the forms redact_secret_at() defines.
 *
 * Everything works on serialized text without an XML parser, so it also
 * copes with truncated or hostile input.  No I/O; functions that
 * allocate return -1 when out of memory.
 */
#ifndef BASE_REDACT_H
#define BASE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* What redact_text() puts in place of a secret. */
#define REDACT_MARK "REDACTED"

/* How the text t[0..n) spells secret at its start: the length of the
 * match, 0 when it does not (or secret is NULL or empty).  A character
 * may appear as itself, XML-escaped (named or numeric reference),
 * percent-encoded ('+' for a space) or JSON-escaped, in any mix. */
size_t redact_secret_at(const char *t, size_t n, const char *secret);

/* Replaces each of the NULL-terminated secrets (empty ones ignored;
 * longest first, so a secret holding another goes whole) in any of its
 * forms by mark.  *out is a malloc'd copy (NUL-terminated, length in
 * *out_len when not NULL) when something was replaced, NULL when the
 * text holds none of them; -1 when out of memory. */
int redact_secrets(char **out, size_t *out_len, const char *in, size_t len,
                   const char *const *secrets, const char *mark);

/* in[0..len) with the secrets by shape and by value (secrets may be
 * NULL) replaced by REDACT_MARK: *out is malloc'd (never NULL on
 * success); -1 when out of memory. */
int redact_text(char **out, size_t *out_len, const char *in, size_t len,
                const char *const *secrets);

/* True for a name (a JSON key, a property) that names credentials:
 * containing password, secret, key, token, credential, private or cert
 * in any case.  Its value is a secret as a whole. */
bool redact_secret_name(const char *name);

/* The session key of a LoginResponse / UserSession body into buf (size
 * bytes); false when there is none or it does not fit. */
bool redact_login_key(char *buf, size_t size, const char *body,
                      size_t len);

/* The path (under the vCenter's base URL) where a vAPI REST session is
 * made (POST, HTTP Basic auth) and ended (DELETE). */
#define REDACT_REST_SESSION_PATH "/rest/com/vmware/cis/session"

/* The session id of the reply to POST REDACT_REST_SESSION_PATH, the JSON
 * object {"value": "ID"} (ID without escapes), into buf (size bytes);
 * false when body is not that or ID does not fit.  The REST client reads
 * it so; record mode learns it so, to redact it by value. */
bool redact_rest_session_id(char *buf, size_t size, const char *body,
                            size_t len);

#endif
