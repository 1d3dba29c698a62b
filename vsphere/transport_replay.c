/*
 * vsphere/transport_replay.c: serves a recorded scenario directory
 * (format: vsphere/fixture.h; cursor and sessions: vsphere/transports.h).
 */
#include "vsphere/transports.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vsphere/fixture.h"

struct exchange {
	struct vs_fixture_entry entry;
	struct vs_fixture_meta meta;
};

struct replay {
	struct vs_transport base;
	char *dir;
	char **secrets;            /* NULL-terminated, owned copies */
	char *cursor_path;         /* NULL: none */
	struct exchange *ex;
	size_t n;
	size_t pos;                /* next exchange to serve */
	size_t end;                /* first exchange this run may not use */
	int depth;                 /* round trips in progress */
};

static void
replay_free(struct vs_transport *t)
{
	struct replay *r = (struct replay *)t;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		vs_fixture_meta_clear(&r->ex[i].meta);
	free(r->ex);
	for (i = 0; r->secrets != NULL && r->secrets[i] != NULL; i++)
		free(r->secrets[i]);
	free(r->secrets);
	free(r->cursor_path);
	free(r->dir);
	free(r);
}

static int
exchange_path(char *buf, size_t size, const struct replay *r,
              const struct exchange *e, const char *ext,
              struct err *err)
{
	int n = snprintf(buf, size, "%s/%s.%s", r->dir, e->entry.name, ext);

	if (n < 0 || (size_t)n >= size)
		return err_set(err, ERR_EIO, "replay: path too long");
	return 0;
}

/* Number to resume at: the exchange after the last one used. */
static unsigned long
next_number(const struct replay *r, size_t pos)
{
	if (pos < r->n)
		return r->ex[pos].entry.number;
	return r->n > 0 ? r->ex[r->n - 1].entry.number + 1 : 1;
}

static int
write_cursor(const struct replay *r, size_t pos, struct err *err)
{
	char tmp[PATH_MAX], text[32];
	int n, rc;

	if (r->cursor_path == NULL)
		return 0;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp", r->cursor_path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return err_set(err, ERR_EIO,
		               "replay: cursor path too long");
	n = snprintf(text, sizeof(text), "%lu\n", next_number(r, pos));
	rc = vs_fixture_write_file(tmp, text, (size_t)n, false, err);
	if (rc != 0) {
		err_prefix(err, "replay cursor");
		return rc;
	}
	if (rename(tmp, r->cursor_path) != 0)
		return err_set(err, ERR_EIO, "replay cursor: rename: %s",
		               strerror(errno));
	return 0;
}

static int
read_cursor(unsigned long *out, const char *path, struct err *err)
{
	char *text = NULL, *end;
	size_t len = 0;
	int rc = 0;
	FILE *f;

	*out = 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, ERR_EIO, "replay cursor: %s",
		               strerror(errno));
	}
	fclose(f);
	rc = vs_fixture_read_file(&text, &len, path, 64, err);
	if (rc != 0) {
		err_prefix(err, "replay cursor");
		return rc;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
	                   text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len == 0)
		goto cleanup;
	errno = 0;
	*out = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || errno != 0 || *end != '\0')
		rc = err_set(err, ERR_EREPLAY,
		             "replay cursor: not a number");
cleanup:
	free(text);
	return rc;
}

/* End of the recording session that holds pos. */
static size_t
session_end(const struct replay *r, size_t pos)
{
	size_t i;

	if (pos >= r->n)
		return r->n;
	for (i = pos + 1; i < r->n; i++) {
		if (r->ex[i].meta.session != r->ex[pos].meta.session)
			return i;
	}
	return r->n;
}

static int
mismatch(struct err *err, const struct exchange *e, const char *what,
         const char *expected, size_t elen, const char *actual, size_t alen)
{
	char diff[700];

	vs_fixture_diff(diff, sizeof(diff), expected, elen, actual, alen);
	return err_set(err, ERR_EREPLAY,
	               "replay: exchange %s: %s differs from the "
	               "recording: %s", e->entry.name, what, diff);
}

static int
compare_text(const struct replay *r, const struct exchange *e,
             const char *what, const char *expected, size_t elen,
             const char *actual, size_t alen, struct err *err)
{
	const char *const *secrets = (const char *const *)r->secrets;
	char *ce = NULL, *ca = NULL;
	size_t cel = 0, cal = 0;
	int rc;

	rc = vs_fixture_canon(&ce, &cel, expected, elen, secrets, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_fixture_canon(&ca, &cal, actual, alen, secrets, err);
	if (rc != 0)
		goto cleanup;
	if (cel != cal || memcmp(ce, ca, cel) != 0)
		rc = mismatch(err, e, what, ce, cel, ca, cal);
cleanup:
	free(ce);
	free(ca);
	return rc;
}

static int
check_request(struct replay *r, const struct exchange *e,
              const struct vs_http_request *req, struct err *err)
{
	const char *const *secrets = (const char *const *)r->secrets;
	const char *method = req->method != NULL ? req->method : "";
	const char *sa = e->meta.soap_action ? e->meta.soap_action : "";
	const char *la = req->soap_action ? req->soap_action : "";
	char path[PATH_MAX], *urlpath = NULL, *recorded = NULL;
	char *live = NULL;
	size_t rl = 0, ll = 0;
	int rc;

	if (strcmp(method, e->meta.method) != 0) {
		rc = mismatch(err, e, "method", e->meta.method,
		              strlen(e->meta.method), method, strlen(method));
		goto cleanup;
	}
	rc = vs_fixture_url_path(&urlpath, req->url, err);
	if (rc != 0)
		goto cleanup;
	rc = compare_text(r, e, "path", e->meta.path, strlen(e->meta.path),
	                  urlpath, strlen(urlpath), err);
	if (rc != 0)
		goto cleanup;
	if (strcmp(sa, la) != 0) {
		rc = mismatch(err, e, "soap_action", sa, strlen(sa), la,
		              strlen(la));
		goto cleanup;
	}
	rc = exchange_path(path, sizeof(path), r, e, "request", err);
	if (rc != 0)
		goto cleanup;
	rc = vs_fixture_read_file(&recorded, &rl, path, VS_FIXTURE_MAX_BODY,
	                          err);
	if (rc != 0)
		goto cleanup;
	rc = vs_fixture_request_text(&live, &ll, req, secrets, err);
	if (rc != 0)
		goto cleanup;
	rc = compare_text(r, e, "body", recorded, rl, live, ll, err);
cleanup:
	if (rc != 0 && err != NULL && err->code != ERR_EREPLAY)
		err_prefix(err, "replay: exchange %s", e->entry.name);
	free(urlpath);
	free(recorded);
	free(live);
	return rc;
}

static int
serve(struct replay *r, const struct exchange *e,
      const struct vs_http_request *req, struct vs_http_response *resp,
      struct err *err)
{
	char path[PATH_MAX], *data = NULL, *zeros = NULL;
	size_t len = 0;
	bool to_file;
	int rc;

	rc = exchange_path(path, sizeof(path), r, e, "response", err);
	if (rc != 0)
		return rc;
	rc = vs_fixture_read_file(&data, &len, path, VS_FIXTURE_MAX_BODY, err);
	if (rc != 0)
		goto cleanup;
	resp->status = e->meta.status;
	if (e->meta.reply_content_type != NULL) {
		resp->content_type = strdup(e->meta.reply_content_type);
		if (resp->content_type == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	if (e->meta.response == VS_FIXTURE_RESP_LEGACY_SENSITIVE)
		len = 0;  /* the recorded bytes were never written */
	if (e->meta.response == VS_FIXTURE_RESP_BINARY) {
		if (e->meta.binary_size > VS_FIXTURE_MAX_BODY) {
			rc = err_set(err, ERR_EREPLAY,
			             "replay: binary download too large");
			goto cleanup;
		}
		zeros = calloc(1, e->meta.binary_size + 1);
		if (zeros == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
		free(data);
		data = zeros;
		zeros = NULL;
		len = e->meta.binary_size;
	}
	to_file = req->download_path != NULL && resp->status >= 200 &&
	          resp->status < 300;
	if (to_file) {
		rc = vs_fixture_write_file(req->download_path, data, len,
		                           false, err);
		goto cleanup;
	}
	data[len] = '\0';
	resp->body = data;
	resp->body_len = len;
	data = NULL;
cleanup:
	if (rc != 0)
		vs_http_response_clear(resp);
	free(data);
	return rc;
}

/* An upload with a progress callback: the callback runs once, as the
 * transfer starts; the round trips it makes are served from the nested
 * exchanges recorded before the upload.  Those it does not make (a call
 * the recording's clock made due, ours not) are skipped. */
static int
upload_progress(struct replay *r, const struct vs_http_request *req,
                struct err *err)
{
	struct stat st;
	unsigned long long total = 0;
	int rc;

	if (stat(req->upload_path, &st) == 0 && st.st_size > 0)
		total = (unsigned long long)st.st_size;
	r->depth++;
	rc = vs_http_progress(req, 0, total, err);
	r->depth--;
	if (rc != 0)
		return rc;
	while (r->pos < r->end && r->ex[r->pos].meta.nested)
		r->pos++;
	return 0;
}

static int
replay_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
                 struct vs_http_response *resp, struct err *err)
{
	struct replay *r = (struct replay *)t;
	char op[VS_FIXTURE_OP_MAX + 1];
	struct exchange *e;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (req == NULL || req->url == NULL)
		return err_set(err, ERR_EINVAL, "replay: bad request");
	if (r->depth == 0 && req->progress != NULL &&
	    req->upload_path != NULL) {
		rc = upload_progress(r, req, err);
		if (rc != 0)
			return rc;
	}
	if (r->pos >= r->end) {
		vs_fixture_op_name(op, sizeof(op), req->op);
		if (r->end < r->n)
			return err_set(err, ERR_EREPLAY,
			               "replay: request %s is beyond the "
			               "recording of this process (next "
			               "exchange %s belongs to a later "
			               "one)", op,
			               r->ex[r->end].entry.name);
		return err_set(err, ERR_EREPLAY,
		               "replay: request %s is beyond the "
		               "recording (all %zu exchanges used)", op,
		               r->n);
	}
	e = &r->ex[r->pos];
	if (e->meta.nested != (r->depth > 0)) {
		vs_fixture_op_name(op, sizeof(op), req->op);
		return err_set(err, ERR_EREPLAY,
		               "replay: request %s is %s, exchange %s "
		               "was %s", op, r->depth > 0 ?
		               "made during an upload" : "not nested",
		               e->entry.name, e->meta.nested ?
		               "made during an upload" : "not nested");
	}
	rc = check_request(r, e, req, err);
	if (rc != 0)
		return rc;
	rc = serve(r, e, req, resp, err);
	if (rc != 0)
		return rc;
	r->pos++;
	rc = write_cursor(r, r->pos, err);
	if (rc != 0)
		vs_http_response_clear(resp);
	return rc;
}

/* A stand-in: requests carrying a cookie are compared redacted. */
static int
replay_cookie(struct vs_transport *t, char **out, const char *name,
              struct err *err)
{
	(void)t;
	(void)name;
	*out = strdup("replayed-session");
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

static int
replay_finish(struct vs_transport *t, struct err *err)
{
	struct replay *r = (struct replay *)t;
	size_t unused = r->end - r->pos;
	int rc;

	rc = write_cursor(r, r->end, err);
	if (rc != 0)
		return rc;
	if (unused > 0)
		return err_set(err, ERR_EREPLAY,
		               "replay: %zu recorded exchange%s not used, "
		               "next is %s", unused,
		               unused == 1 ? "" : "s",
		               r->ex[r->pos].entry.name);
	return 0;
}

static int
load(struct replay *r, struct err *err)
{
	struct vs_fixture_entry *entries = NULL;
	char path[PATH_MAX], *text = NULL;
	size_t n = 0, len, i;
	int rc;

	rc = vs_fixture_list(&entries, &n, r->dir, false, err);
	if (rc != 0)
		goto cleanup;
	r->ex = calloc(n + 1, sizeof(*r->ex));
	if (r->ex == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		r->ex[i].entry = entries[i];
		rc = exchange_path(path, sizeof(path), r, &r->ex[i], "meta",
		                   err);
		if (rc != 0)
			goto cleanup;
		rc = vs_fixture_read_file(&text, &len, path, 65536, err);
		if (rc != 0)
			goto cleanup;
		rc = vs_fixture_meta_parse(&r->ex[i].meta, text, len, err);
		free(text);
		text = NULL;
		if (rc != 0) {
			err_prefix(err, "%s", entries[i].name);
			goto cleanup;
		}
		r->n++;
	}
cleanup:
	free(entries);
	return rc;
}

int
vs_transport_replay_new(struct vs_transport **out, const char *dir,
                        const char *const *secrets, unsigned long start,
                        const char *cursor_path, struct err *err)
{
	struct replay *r = NULL;
	unsigned long from = start;
	size_t count = 0, i;
	int rc = 0;

	*out = NULL;
	if (dir == NULL || dir[0] == '\0')
		return err_set(err, ERR_EINVAL, "replay: no directory");
	while (secrets != NULL && secrets[count] != NULL)
		count++;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	r->base.version = VS_TRANSPORT_VERSION;
	r->base.roundtrip = replay_roundtrip;
	r->base.finish = replay_finish;
	r->base.cookie = replay_cookie;
	r->base.free = replay_free;
	r->dir = strdup(dir);
	r->secrets = calloc(count + 1, sizeof(*r->secrets));
	if (cursor_path != NULL)
		r->cursor_path = strdup(cursor_path);
	if (r->dir == NULL || r->secrets == NULL ||
	    (cursor_path != NULL && r->cursor_path == NULL)) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < count; i++) {
		r->secrets[i] = strdup(secrets[i]);
		if (r->secrets[i] == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	rc = load(r, err);
	if (rc != 0) {
		err_prefix(err, "replay");
		goto cleanup;
	}
	if (from == 0 && cursor_path != NULL) {
		rc = read_cursor(&from, cursor_path, err);
		if (rc != 0)
			goto cleanup;
	}
	while (r->pos < r->n && r->ex[r->pos].entry.number < from)
		r->pos++;
	if (start > 0 || cursor_path != NULL)
		r->end = session_end(r, r->pos);
	else
		r->end = r->n;
	*out = &r->base;
	r = NULL;
cleanup:
	replay_free(r != NULL ? &r->base : NULL);
	return rc;
}
