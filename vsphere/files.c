/*
 * vsphere/files.c: datastore paths ("[ds] dir/file"), datastore file
 * transfers over vCenter's /folder HTTP interface, and the FileManager
 * calls MakeDirectory and DeleteDatastoreFile_Task.
 */
#include "vsphere/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"

/* --- datastore paths (pure) ----------------------------------------- */

static int
check_datastore(const char *ds, size_t len, struct err *err)
{
	if (len == 0)
		return err_set(err, ERR_EINVAL,
		               "datastore path: empty datastore name");
	if (!vs_utf8_valid(ds, len, false))
		return err_set(err, ERR_EINVAL,
		               "datastore path: datastore name holds "
		               "control characters or invalid UTF-8");
	if (memchr(ds, '[', len) != NULL || memchr(ds, ']', len) != NULL)
		return err_set(err, ERR_EINVAL,
		               "datastore path: brackets in a datastore "
		               "name are not supported");
	if (ds[0] == ' ' || ds[len - 1] == ' ')
		return err_set(err, ERR_EINVAL,
		               "datastore path: datastore name starts or "
		               "ends with a space");
	return 0;
}

static int
check_rel_path(const char *path, size_t len, struct err *err)
{
	size_t i, start = 0, clen;

	if (len == 0)
		return 0;
	if (!vs_utf8_valid(path, len, false))
		return err_set(err, ERR_EINVAL,
		               "datastore path holds control characters "
		               "or invalid UTF-8");
	if (memchr(path, '\\', len) != NULL)
		return err_set(err, ERR_EINVAL,
		               "datastore path holds a backslash");
	if (path[0] == '/')
		return err_set(err, ERR_EINVAL,
		               "datastore path must be relative to the "
		               "datastore");
	for (i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		clen = i - start;
		if (clen == 0)
			return err_set(err, ERR_EINVAL,
			               "datastore path has an empty "
			               "component");
		if ((clen == 1 && path[start] == '.') ||
		    (clen == 2 && path[start] == '.' &&
		     path[start + 1] == '.'))
			return err_set(err, ERR_EINVAL,
			               "datastore path has a '.' or '..' "
			               "component");
		start = i + 1;
	}
	return 0;
}

void
vs_ds_path_clear(struct vs_ds_path *p)
{
	if (p == NULL)
		return;
	free(p->datastore);
	free(p->path);
	p->datastore = NULL;
	p->path = NULL;
}

int
vs_ds_path_parse(struct vs_ds_path *out, const char *s,
                 struct err *err)
{
	const char *close, *path;
	size_t len, plen;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return err_set(err, ERR_EINVAL, "no datastore path");
	len = strnlen(s, VS_DS_PATH_MAX + 1);
	if (len > VS_DS_PATH_MAX)
		return err_set(err, ERR_EINVAL,
		               "datastore path longer than %d bytes",
		               VS_DS_PATH_MAX);
	if (s[0] != '[')
		return err_set(err, ERR_EINVAL,
		               "datastore path does not start with "
		               "'[datastore]'");
	close = strchr(s + 1, ']');
	if (close == NULL)
		return err_set(err, ERR_EINVAL,
		               "datastore path: no ']' after the "
		               "datastore name");
	rc = check_datastore(s + 1, (size_t)(close - s - 1), err);
	if (rc != 0)
		return rc;
	path = close + 1;
	if (*path == ' ')
		path++;
	plen = strlen(path);
	if (plen > 0 && path[plen - 1] == '/')
		plen--;         /* "[ds] dir/" names the directory */
	rc = check_rel_path(path, plen, err);
	if (rc != 0)
		return rc;
	out->datastore = strndup(s + 1, (size_t)(close - s - 1));
	out->path = strndup(path, plen);
	if (out->datastore == NULL || out->path == NULL) {
		vs_ds_path_clear(out);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	return 0;
}

int
vs_ds_path_format(char **out, const char *datastore, const char *path,
                  struct err *err)
{
	size_t dlen, plen, n;
	int rc;

	*out = NULL;
	if (datastore == NULL)
		return err_set(err, ERR_EINVAL, "no datastore name");
	if (path == NULL)
		path = "";
	dlen = strnlen(datastore, VS_DS_PATH_MAX + 1);
	plen = strnlen(path, VS_DS_PATH_MAX + 1);
	if (dlen + plen + 3 > VS_DS_PATH_MAX)
		return err_set(err, ERR_EINVAL,
		               "datastore path longer than %d bytes",
		               VS_DS_PATH_MAX);
	rc = check_datastore(datastore, dlen, err);
	if (rc == 0)
		rc = check_rel_path(path, plen, err);
	if (rc != 0)
		return rc;
	n = dlen + plen + 4;
	*out = malloc(n);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (plen == 0)
		snprintf(*out, n, "[%s]", datastore);
	else
		snprintf(*out, n, "[%s] %s", datastore, path);
	return 0;
}

/* Appends s percent-encoded: RFC 3986 unreserved bytes stay, '/' stays
 * when keep_slash, everything else becomes %XX. */
static size_t
pct_encode(char *dst, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~' || (keep_slash && ch == '/')) {
			dst[n++] = (char)ch;
		} else {
			dst[n++] = '%';
			dst[n++] = hex[ch >> 4];
			dst[n++] = hex[ch & 0x0f];
		}
	}
	dst[n] = '\0';
	return n;
}

int
vs_ds_path_url(char **out, const struct vs_ds_path *p, const char *dc_path,
               struct err *err)
{
	static const char f[] = "/folder/", q1[] = "?dcPath=",
	                  q2[] = "&dsName=";
	size_t dlen, n, pos;
	char *u;

	*out = NULL;
	if (p == NULL || p->datastore == NULL || p->path == NULL)
		return err_set(err, ERR_EINVAL, "no datastore path");
	if (dc_path == NULL || dc_path[0] == '\0')
		return err_set(err, ERR_EINVAL, "no datacenter path");
	dlen = strnlen(dc_path, VS_DS_PATH_MAX + 1);
	if (dlen > VS_DS_PATH_MAX || !vs_utf8_valid(dc_path, dlen, false))
		return err_set(err, ERR_EINVAL,
		               "datacenter path too long or holds "
		               "control characters");
	n = sizeof(f) + sizeof(q1) + sizeof(q2) +
	    3 * (strlen(p->path) + dlen + strlen(p->datastore)) + 1;
	u = malloc(n);
	if (u == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	memcpy(u, f, sizeof(f) - 1);
	pos = sizeof(f) - 1;
	pos += pct_encode(u + pos, p->path, true);
	memcpy(u + pos, q1, sizeof(q1) - 1);
	pos += sizeof(q1) - 1;
	pos += pct_encode(u + pos, dc_path, false);
	memcpy(u + pos, q2, sizeof(q2) - 1);
	pos += sizeof(q2) - 1;
	pct_encode(u + pos, p->datastore, false);
	*out = u;
	return 0;
}

/* --- HTTP transfers ------------------------------------------------- */

struct xfer {
	const char *method;         /* "PUT" or "GET" */
	const char *upload_path;
	const void *buf;
	size_t len;
	bool sensitive;
	const char *download_path;
};

static int
transfer(struct vs_http_response *resp, struct vs_client *c,
         const char *dc_path, const char *ds_path, const struct xfer *x,
         struct err *err)
{
	struct vs_http_request req;
	struct vs_ds_path p = { NULL, NULL };
	struct err e;
	char *url = NULL;
	bool put = strcmp(x->method, "PUT") == 0;
	int rc;

	memset(resp, 0, sizeof(*resp));
	err_clear(&e);
	rc = vs_ds_path_parse(&p, ds_path, &e);
	if (rc == 0 && p.path[0] == '\0')
		rc = err_set(&e, ERR_EINVAL,
		             "datastore path names no file");
	if (rc == 0)
		rc = vs_ds_path_url(&url, &p, dc_path, &e);
	if (rc != 0)
		goto cleanup;
	memset(&req, 0, sizeof(req));
	req.method = x->method;
	req.url = url;
	req.op = put ? "file-put" : "file-get";
	req.content_type = put ? "application/octet-stream" : NULL;
	req.body = x->buf;
	req.body_len = x->len;
	req.upload_path = x->upload_path;
	req.download_path = x->download_path;
	req.sensitive = x->sensitive;
	rc = vs_client_http(c, &req, resp, &e);
	if (rc != 0)
		goto cleanup;
	e.http_status = (int)resp->status;
	if (resp->status == 404) {
		rc = err_set(&e, ERR_ENOTFOUND,
		             "not found on the datastore (HTTP 404)");
	} else if (resp->status != 200 && resp->status != 201) {
		rc = err_set(&e, ERR_EHTTP, "HTTP status %ld",
		             resp->status);
		e.transient = resp->status >= 500;
	}
cleanup:
	if (rc != 0) {
		vs_http_response_clear(resp);
		if (p.datastore != NULL)
			err_prefix(&e, "%s [%s] %s", x->method,
			           p.datastore, p.path);
		else
			err_prefix(&e, "%s datastore file", x->method);
		err_keep_first(err, &e);
	}
	free(url);
	vs_ds_path_clear(&p);
	return rc;
}

int
vs_file_upload(struct vs_client *c, const char *dc_path,
               const char *ds_path, const char *local_path,
               struct err *err)
{
	struct vs_http_response resp;
	struct xfer x = { "PUT", local_path, NULL, 0, false, NULL };
	int rc;

	if (local_path == NULL || local_path[0] == '\0')
		return err_set(err, ERR_EINVAL, "no local file to upload");
	rc = transfer(&resp, c, dc_path, ds_path, &x, err);
	vs_http_response_clear(&resp);
	return rc;
}

int
vs_file_upload_mem(struct vs_client *c, const char *dc_path,
                   const char *ds_path, const void *buf, size_t len,
                   bool sensitive, struct err *err)
{
	struct vs_http_response resp;
	struct xfer x = { "PUT", NULL, buf, len, sensitive, NULL };
	int rc;

	if (buf == NULL && len > 0)
		return err_set(err, ERR_EINVAL, "no buffer to upload");
	if (buf == NULL)
		x.buf = "";
	rc = transfer(&resp, c, dc_path, ds_path, &x, err);
	vs_http_response_clear(&resp);
	return rc;
}

int
vs_file_download(struct vs_client *c, const char *dc_path,
                 const char *ds_path, const char *local_path,
                 struct err *err)
{
	struct vs_http_response resp;
	struct xfer x = { "GET", NULL, NULL, 0, false, local_path };
	int rc;

	if (local_path == NULL || local_path[0] == '\0')
		return err_set(err, ERR_EINVAL,
		               "no local file to download to");
	rc = transfer(&resp, c, dc_path, ds_path, &x, err);
	vs_http_response_clear(&resp);
	return rc;
}

int
vs_file_download_mem(char **out, size_t *len_out, struct vs_client *c,
                     const char *dc_path, const char *ds_path,
                     struct err *err)
{
	struct vs_http_response resp;
	struct xfer x = { "GET", NULL, NULL, 0, false, NULL };
	int rc;

	*out = NULL;
	*len_out = 0;
	rc = transfer(&resp, c, dc_path, ds_path, &x, err);
	if (rc != 0)
		goto cleanup;
	if (resp.body_len > VS_SOAP_MAX_REPLY) {
		rc = err_set(err, ERR_EIO, "GET %s: %zu bytes is more "
		             "than this call keeps in memory", ds_path,
		             resp.body_len);
		goto cleanup;
	}
	if (resp.body == NULL) {
		*out = calloc(1, 1);
		if (*out == NULL)
			rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	*out = resp.body;
	*len_out = resp.body_len;
	resp.body = NULL;
cleanup:
	vs_http_response_clear(&resp);
	return rc;
}

/* --- FileManager ---------------------------------------------------- */

/* A request on the FileManager with name (normalized "[ds] path") and
 * datacenter, the arguments both calls start with. */
static int
file_request(xmlDocPtr *doc_out, xmlNodePtr *m_out, struct vs_client *c,
             const char *method, const struct vs_moref *dc,
             const char *ds_path, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_ds_path p = { NULL, NULL };
	char *name = NULL;
	int rc;

	*doc_out = NULL;
	*m_out = NULL;
	if (dc == NULL || dc->value[0] == '\0')
		return err_set(err, ERR_EINVAL, "%s: no datacenter",
		               method);
	if (sc->file_manager.value[0] == '\0')
		return err_set(err, ERR_EINVAL,
		               "%s: vCenter has no FileManager (not "
		               "connected?)", method);
	rc = vs_ds_path_parse(&p, ds_path, err);
	if (rc == 0)
		rc = vs_ds_path_format(&name, p.datastore, p.path, err);
	if (rc == 0)
		rc = vs_soap_request_new(doc_out, m_out, method,
		                         &sc->file_manager, err);
	if (rc != 0) {
		err_prefix(err, "%s", method);
		goto cleanup;
	}
	vs_soap_add_text(*m_out, "name", name);
	vs_soap_add_moref(*m_out, "datacenter", dc);
cleanup:
	free(name);
	vs_ds_path_clear(&p);
	return rc;
}

int
vs_file_make_directory(struct vs_client *c, const struct vs_moref *dc,
                       const char *ds_path, bool create_parents,
                       struct err *err)
{
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp;
	struct err e;
	int rc;

	err_clear(&e);
	rc = file_request(&req, &m, c, "MakeDirectory", dc, ds_path, err);
	if (rc != 0)
		return rc;
	vs_soap_add_bool(m, "createParentDirectories", create_parents);
	rc = vs_client_call(c, req, &doc, &resp, &e);
	if (rc == ERR_EFAULT && strcmp(e.fault, "FileAlreadyExists") == 0) {
		vs_client_logf(c, 0, "MakeDirectory %s: already exists",
		               ds_path);
		rc = 0;
	} else if (rc != 0) {
		err_keep_first(err, &e);
	}
	xmlFreeDoc(doc);
	return rc;
}

int
vs_file_delete(struct vs_client *c, const struct vs_moref *dc,
               const char *ds_path, struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct err e;
	int rc;

	err_clear(&e);
	rc = file_request(&req, &m, c, "DeleteDatastoreFile_Task", dc,
	                  ds_path, err);
	if (rc != 0)
		return rc;
	rc = vs_task_call(NULL, c, req, VS_FILE_TASK_TIMEOUT_S, &e);
	if (rc != 0 && strcmp(e.fault, "FileNotFound") == 0) {
		struct err nf;

		err_clear(&nf);
		rc = err_set(&nf, ERR_ENOTFOUND,
		             "DeleteDatastoreFile %s: not found (%s)",
		             ds_path, e.message);
		snprintf(nf.fault, sizeof(nf.fault), "%s", e.fault);
		e = nf;
	}
	if (rc != 0)
		err_keep_first(err, &e);
	return rc;
}
