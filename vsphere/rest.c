/*
 * vsphere/rest.c: the vAPI REST session (vsphere/rest.h).
 */
#include "vsphere/rest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/quote.h"
#include "base/redact.h"
#include "base/wipe.h"
#include "vsphere/client.h"
#include "vsphere/create.h"

#define SESSION_HEADER "vmware-api-session-id"
#define ID_MAX 256

struct vs_rest {
	struct vs_client *c;
	char header[sizeof(SESSION_HEADER) + 2 + ID_MAX];  /* "name: id" */
};

/* A non-2xx reply as ERR_EHTTP naming op, the status and the start of
 * the body. */
static int
status_error(const char *op, const struct vs_http_response *resp,
             struct err *err)
{
	char snippet[240];
	int rc;

	quote_bytes(snippet, sizeof(snippet), resp->body != NULL ?
	            resp->body : "", resp->body != NULL ? resp->body_len : 0);
	rc = err_set(err, ERR_EHTTP, "REST %s: HTTP %ld%s%s", op,
	             resp->status, snippet[0] != '\0' ? ": " : "",
	             snippet);
	if (err != NULL && err->code == ERR_EHTTP)
		err->http_status = (int)resp->status;
	return rc;
}

/* One exchange: path (from "/rest" on), the extra header lines, body
 * JSON or NULL; a 2xx reply's body into *reply. */
static int
exchange(char **reply, size_t *reply_len, struct vs_client *c,
         const char *method, const char *path, const char *const *headers,
         const char *body, const char *op, struct err *err)
{
	struct vs_http_request req;
	struct vs_http_response resp;
	int rc;

	*reply = NULL;
	if (reply_len != NULL)
		*reply_len = 0;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = path;
	req.op = op;
	req.headers = headers;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.content_type = body != NULL ? "application/json" : NULL;
	rc = vs_client_http(c, &req, &resp, err);
	if (rc != 0)
		return rc;
	if (resp.status < 200 || resp.status > 299)
		rc = status_error(op, &resp, err);
	if (rc == 0 && resp.body == NULL) {
		resp.body = calloc(1, 1);
		if (resp.body == NULL)
			rc = err_set(err, ERR_ENOMEM, "out of memory");
	}
	if (rc == 0) {
		*reply = resp.body;
		if (reply_len != NULL)
			*reply_len = resp.body_len;
		resp.body = NULL;
	}
	vs_http_response_clear(&resp);
	return rc;
}

/* "Authorization: Basic base64(user:password)", malloc'd. */
static int
basic_auth(char **out, size_t *out_len, const char *user,
           const char *password, struct err *err)
{
	char *pair = NULL, *token = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if (user == NULL || password == NULL)
		return err_set(err, ERR_EINVAL, "REST: no credentials");
	n = strlen(user) + 1 + strlen(password);
	pair = malloc(n + 1);
	if (pair == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	snprintf(pair, n + 1, "%s:%s", user, password);
	rc = vs_base64(&token, pair, n, err);
	wipe_free_n(pair, n);
	if (rc != 0)
		return rc;
	*out_len = strlen("Authorization: Basic ") + strlen(token) + 1;
	*out = malloc(*out_len);
	if (*out != NULL)
		snprintf(*out, *out_len, "Authorization: Basic %s", token);
	wipe_free_n(token, strlen(token));
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

int
vs_rest_login(struct vs_rest **out, struct vs_client *c, const char *user,
              const char *password, struct err *err)
{
	const char *headers[3] = { NULL, "Accept: application/json", NULL };
	struct vs_rest *s = NULL;
	char *auth = NULL, *reply = NULL, id[ID_MAX];
	size_t auth_len = 0, len = 0;
	int rc;

	*out = NULL;
	rc = basic_auth(&auth, &auth_len, user, password, err);
	if (rc != 0)
		return rc;
	headers[0] = auth;
	rc = exchange(&reply, &len, c, "POST", REDACT_REST_SESSION_PATH,
	              headers, NULL, "rest-session", err);
	wipe_free_n(auth, auth_len);
	if (rc != 0)
		goto cleanup;
	if (!redact_rest_session_id(id, sizeof(id), reply, len)) {
		rc = err_set(err, ERR_EPARSE, "REST rest-session: the "
		             "reply holds no session id");
		goto cleanup;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	s->c = c;
	snprintf(s->header, sizeof(s->header), "%s: %s", SESSION_HEADER, id);
	*out = s;
cleanup:
	memset(id, 0, sizeof(id));
	wipe_free_n(reply, len);
	return rc;
}

/* An exchange in session s; url from "/rest" on. */
static int
session_exchange(char **reply, size_t *reply_len, struct vs_rest *s,
                 const char *method, const char *url, const char *body,
                 const char *op, struct err *err)
{
	const char *headers[3] = { s->header, "Accept: application/json",
	                           NULL };

	return exchange(reply, reply_len, s->c, method, url, headers, body,
	                op, err);
}

int
vs_rest_call(char **reply, size_t *reply_len, struct vs_rest *s,
             const char *method, const char *path, const char *body,
             const char *op, struct err *err)
{
	struct buf url = { 0 };
	char *u = NULL;
	int rc;

	*reply = NULL;
	buf_adds(&url, "/rest");
	buf_adds(&url, path);
	if (buf_take(&u, NULL, &url) != 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = session_exchange(reply, reply_len, s, method, u, body, op, err);
	free(u);
	return rc;
}

int
vs_rest_logout(struct vs_rest *s, struct err *err)
{
	char *reply = NULL;
	int rc;

	if (s == NULL)
		return 0;
	rc = session_exchange(&reply, NULL, s, "DELETE",
	                      REDACT_REST_SESSION_PATH, NULL, "rest-logout",
	                      err);
	free(reply);
	memset(s, 0, sizeof(*s));
	free(s);
	return rc;
}

int
vs_rest_path(char **out, const char *prefix, const char *id,
             const char *suffix, struct err *err)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = { 0 };
	const unsigned char *p;

	*out = NULL;
	buf_adds(&b, prefix);
	for (p = (const unsigned char *)id; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~:", *p) != NULL) {
			buf_addc(&b, (char)*p);
			continue;
		}
		buf_addc(&b, '%');
		buf_addc(&b, hex[*p >> 4]);
		buf_addc(&b, hex[*p & 15]);
	}
	buf_adds(&b, suffix);
	if (buf_take(out, NULL, &b) != 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}
