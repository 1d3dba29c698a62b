/*
 * vsphere/transport_record.c: a transport that forwards every exchange
 * to an inner transport and writes it, redacted, as fixture files
 * (format: vsphere/fixture.h).
 */
#include "vsphere/transports.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/array.h"
#include "base/buf.h"
#include "base/dirs.h"
#include "base/redact.h"
#include "vsphere/fixture.h"

/* Session keys learned from Login replies (they reappear inside
 * per-session MOIDs such as session[<key>]…) and vAPI REST session
 * ids. */
#define MAX_LEARNED 8

struct record {
	struct vs_transport base;    /* base.inner: the recorded one */
	char *dir;
	char **secrets;          /* NULL-terminated, owned copies */
	size_t nsecrets;
	size_t learned;
	unsigned long next;      /* number of the next exchange */
	unsigned long session;   /* number of our first exchange */
	int depth;               /* exchanges in progress */
};

static void
record_free(struct vs_transport *t)
{
	struct record *r = (struct record *)t;

	if (r == NULL)
		return;
	vs_transport_free(r->base.inner);
	strv_free(r->secrets, r->nsecrets);
	free(r->dir);
	free(r);
}

static bool
is_binary(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			return true;
	}
	return false;
}

/* Whether req makes a vAPI REST session (its reply holds the id). */
static bool
is_rest_login(const struct vs_http_request *req)
{
	const char *q, *p = REDACT_REST_SESSION_PATH;
	size_t n, pl = strlen(p);

	if (req->method == NULL || strcmp(req->method, "POST") != 0 ||
	    req->url == NULL)
		return false;
	q = strchr(req->url, '?');
	n = q != NULL ? (size_t)(q - req->url) : strlen(req->url);
	return n >= pl && memcmp(req->url + n - pl, p, pl) == 0;
}

static void
learn_key(struct record *r, const struct vs_http_request *req,
          const char *body, size_t len)
{
	char key[256];
	bool found;
	size_t i;

	found = is_rest_login(req) ?
	        redact_rest_session_id(key, sizeof(key), body, len) :
	        redact_login_key(key, sizeof(key), body, len);
	/* a key too short to be one would wipe common text */
	if (r->learned >= MAX_LEARNED || !found ||
	    strlen(key) < 8 || strcmp(key, REDACT_MARK) == 0)
		return;
	for (i = 0; i < r->nsecrets; i++) {
		if (strcmp(r->secrets[i], key) == 0)
			return;
	}
	/* the array was allocated with MAX_LEARNED spare slots */
	r->secrets[r->nsecrets] = strdup(key);
	if (r->secrets[r->nsecrets] == NULL)
		return;
	r->nsecrets++;
	r->secrets[r->nsecrets] = NULL;
	r->learned++;
}

/* The .response text and its kind. */
static int
response_text(char **out, size_t *out_len, struct vs_fixture_meta *m,
              struct record *r, const struct vs_http_request *req,
              const struct vs_http_response *resp, struct err *err)
{
	struct buf b = { 0 };
	bool downloaded = req->download_path != NULL && resp->body == NULL &&
	                  resp->status >= 200 && resp->status < 300;
	const char *const *secrets = (const char *const *)r->secrets;
	char *data = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	if (downloaded) {
		if (stat(req->download_path, &st) != 0)
			return err_set(err, ERR_EIO,
			               "record: downloaded file missing");
		len = (size_t)st.st_size;
	} else {
		len = resp->body != NULL ? resp->body_len : 0;
	}
	/* `sensitive` covers the request body only: the reply (a Login
	 * reply, say) is needed by replay and is redacted like any other */
	if (!downloaded) {
		m->response = VS_FIXTURE_RESP_BODY;
		learn_key(r, req, resp->body, len);
		return vs_fixture_redact(out, out_len, resp->body, len,
		                         secrets, err);
	}
	if (len <= VS_FIXTURE_MAX_BODY) {
		rc = vs_fixture_read_file(&data, &len, req->download_path,
		                          VS_FIXTURE_MAX_BODY, err);
		if (rc != 0)
			return rc;
		if (!is_binary(data, len)) {
			m->response = VS_FIXTURE_RESP_DOWNLOAD;
			rc = vs_fixture_redact(out, out_len, data, len,
			                       secrets, err);
			free(data);
			return rc;
		}
		free(data);
	}
	m->response = VS_FIXTURE_RESP_BINARY;
	m->binary_size = (unsigned long)len;
	buf_addf(&b, "<binary download: %zu bytes>\n", len);
	if (buf_take(out, out_len, &b) != 0)
		return err_set(err, ERR_ENOMEM, "record: out of memory");
	return 0;
}

/* The .meta fields of an exchange but path and response. */
static void
fill_meta(struct vs_fixture_meta *m, const struct record *r,
          const struct vs_http_request *req,
          const struct vs_http_response *resp)
{
	snprintf(m->method, sizeof(m->method), "%s",
	         req->method != NULL ? req->method : "");
	m->soap_action = (char *)req->soap_action;
	m->content_type = (char *)req->content_type;
	m->reply_content_type = resp->content_type;
	m->status = resp->status;
	m->session = r->session;
	m->nested = r->depth > 1;
	if (req->upload_path != NULL || (req->body != NULL &&
	                                 req->body_len > 0))
		m->request = req->sensitive ? VS_FIXTURE_REQ_SENSITIVE
		           : req->upload_path != NULL ? VS_FIXTURE_REQ_UPLOAD
		           : VS_FIXTURE_REQ_BODY;
	else
		m->request = VS_FIXTURE_REQ_NONE;
}

/* The three texts of one exchange. */
struct texts {
	char *req, *resp, *meta;
	size_t reql, respl, metal;
};

/* An XML body laid out one element per line (vs_fixture_pretty), in
 * place. */
static int
lay_out(char **text, size_t *len, struct err *err)
{
	char *pretty = NULL;
	size_t pl = 0;
	int rc;

	rc = vs_fixture_pretty(&pretty, &pl, *text, *len, err);
	if (rc != 0)
		return rc;
	free(*text);
	*text = pretty;
	*len = pl;
	return 0;
}

/* The .request, .response and .meta texts of an exchange (redacted;
 * bodies laid out). */
static int
exchange_texts(struct texts *t, struct record *r,
               const struct vs_http_request *req,
               const struct vs_http_response *resp, struct err *err)
{
	const char *const *secrets = (const char *const *)r->secrets;
	struct vs_fixture_meta m;
	char *urlpath = NULL;
	int rc;

	memset(&m, 0, sizeof(m));
	fill_meta(&m, r, req, resp);
	rc = vs_fixture_request_text(&t->req, &t->reql, req, secrets, err);
	if (rc == 0 && m.request == VS_FIXTURE_REQ_BODY)
		rc = lay_out(&t->req, &t->reql, err);
	if (rc == 0)
		rc = response_text(&t->resp, &t->respl, &m, r, req, resp, err);
	if (rc == 0 && m.response == VS_FIXTURE_RESP_BODY)
		rc = lay_out(&t->resp, &t->respl, err);
	if (rc == 0)
		rc = vs_fixture_url_path(&urlpath, req->url, err);
	if (rc == 0)
		rc = vs_fixture_redact(&m.path, NULL, urlpath,
		                       strlen(urlpath), secrets, err);
	if (rc == 0)
		rc = vs_fixture_meta_format(&t->meta, &t->metal, &m, err);
	free(m.path);
	free(urlpath);
	return rc;
}

/* Writes the files of exchange num, the .meta last. */
static int
write_files(const struct record *r, unsigned long num, const char *op,
            const struct texts *t, struct err *err)
{
	const char *const ext[] = { "request", "response", "meta" };
	const char *const data[] = { t->req, t->resp, t->meta };
	const size_t len[] = { t->reql, t->respl, t->metal };
	char path[PATH_MAX];
	int rc = 0, n, i;

	for (i = 0; i < 3 && rc == 0; i++) {
		n = snprintf(path, sizeof(path), "%s/%03lu-%s.%s", r->dir,
		             num, op, ext[i]);
		if (n < 0 || (size_t)n + 16 >= sizeof(path))
			return err_set(err, ERR_EIO, "path too long");
		rc = vs_fixture_write_file(path, data[i], len[i], true, err);
	}
	return rc;
}

static int
write_exchange(struct record *r, const struct vs_http_request *req,
               const struct vs_http_response *resp, struct err *err)
{
	char op[VS_FIXTURE_OP_MAX + 1];
	struct texts t = { 0 };
	unsigned long num = r->next;
	int rc;

	vs_fixture_op_name(op, sizeof(op), req->op);
	rc = exchange_texts(&t, r, req, resp, err);
	if (rc == 0) {
		/* from here on the number is taken, even if a write fails */
		r->next++;
		rc = write_files(r, num, op, &t, err);
	}
	if (rc != 0)
		err_prefix(err, "record %03lu-%s", num, op);
	free(t.req);
	free(t.resp);
	free(t.meta);
	return rc;
}

static int
record_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
                 struct vs_http_response *resp, struct err *err)
{
	struct record *r = (struct record *)t;
	int rc;

	/* A round trip made from inside another (an upload's progress
	 * callback) finishes first and is written first, marked nested. */
	r->depth++;
	rc = r->base.inner->roundtrip(r->base.inner, req, resp, err);
	if (rc == 0) {
		rc = write_exchange(r, req, resp, err);
		if (rc != 0)
			vs_http_response_clear(resp);
	}
	r->depth--;
	return rc;
}

int
vs_transport_record_new(struct vs_transport **out,
                        struct vs_transport *inner, const char *dir,
                        const char *const *secrets, struct err *err)
{
	struct vs_fixture_entry *entries = NULL;
	struct record *r = NULL;
	size_t n = 0, count = 0, i;
	int rc = 0;

	*out = NULL;
	if (inner == NULL || dir == NULL || dir[0] == '\0') {
		rc = err_set(err, ERR_EINVAL, "record: bad arguments");
		goto cleanup;
	}
	while (secrets != NULL && secrets[count] != NULL)
		count++;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto nomem;
	r->base.version = VS_TRANSPORT_VERSION;
	r->base.roundtrip = record_roundtrip;
	r->base.finish = vs_transport_pass_finish;
	/* the inner transport's cookie (the recorded requests hold it
	 * redacted: base/redact.h) */
	r->base.cookie = vs_transport_pass_cookie;
	r->base.free = record_free;
	r->base.inner = inner;
	inner = NULL;
	r->dir = strdup(dir);
	r->secrets = calloc(count + MAX_LEARNED + 1, sizeof(*r->secrets));
	if (r->dir == NULL || r->secrets == NULL)
		goto nomem;
	for (i = 0; i < count; i++) {
		r->secrets[i] = strdup(secrets[i]);
		if (r->secrets[i] == NULL)
			goto nomem;
		r->nsecrets++;
	}
	rc = dirs_make(dir, 0755, err);
	if (rc == 0)
		rc = vs_fixture_list(&entries, &n, dir, false, err);
	if (rc != 0) {
		err_prefix(err, "record");
		goto cleanup;
	}
	r->next = n > 0 ? entries[n - 1].number + 1 : 1;
	r->session = r->next;
	*out = &r->base;
	r = NULL;
	goto cleanup;
nomem:
	rc = err_set(err, ERR_ENOMEM, "record: out of memory");
cleanup:
	free(entries);
	vs_transport_free(inner);
	record_free(r != NULL ? &r->base : NULL);
	return rc;
}
