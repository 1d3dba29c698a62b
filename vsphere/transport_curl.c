/*
 * vsphere/transport_curl.c: the libcurl transport.
 *
 * One easy handle per transport, kept for the whole process: connections
 * are reused and the in-memory cookie engine carries vmware_soap_session
 * from Login to every later request, /folder transfers included.  A
 * round trip made while another is in progress (from an upload's
 * progress callback: HttpNfcLeaseProgress while a disk streams) gets a
 * second easy handle, made on first use; a share object gives both
 * handles the same cookies, DNS cache and TLS sessions, so the nested
 * request carries the session and usually skips a full handshake.  No
 * redirects are followed, no "Expect: 100-continue" is sent, TLS peers
 * are verified unless the caller opted out explicitly.  Bodies, cookies
 * and headers (the request's extra ones included) are never logged.
 */
#include "vsphere/transports.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "base/buf.h"
#include "base/wipe.h"
#include "vsphere/fixture.h"
#include "vsphere/transport_curl_int.h"
#include "vsphere/vs_log.h"

#ifndef CPI_VERSION
#define CPI_VERSION "0"
#endif

#define DEFAULT_CONNECT_TIMEOUT 30L
#define STALL_SECONDS 300L

static void
logf_(struct curl_tp *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int slot_open(struct curl_tp *c, struct slot *s, struct err *err);

static void
logf_(struct curl_tp *c, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->log(c->log_ud, level, msg);
}

/* Downloads may hold secrets (agent env): owner-only. */
static FILE *
open_download(const char *path)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "wb");
	if (f == NULL)
		close(fd);
	return f;
}

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	long status = 0;

	if (!x->decided) {
		x->decided = true;
		curl_easy_getinfo(x->s->h, CURLINFO_RESPONSE_CODE, &status);
		if (x->req->download_path != NULL && status >= 200 &&
		    status < 300) {
			x->down = open_download(x->req->download_path);
			if (x->down == NULL) {
				x->down_failed = true;
				return 0;
			}
			x->opened = true;
		}
	}
	if (x->down != NULL) {
		if (fwrite(ptr, 1, n, x->down) != n) {
			x->down_failed = true;
			return 0;
		}
		return n;
	}
	if (n > x->c->max_body || x->body.len + n > x->c->max_body) {
		x->too_large = true;
		return 0;
	}
	buf_add(&x->body, ptr, n);
	if (x->body.failed) {
		x->nomem = true;
		return 0;
	}
	return n;
}

static size_t
on_read(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nitems, got;

	if (x->up != NULL) {
		got = fread(buf, 1, n, x->up);
		if (got == 0 && ferror(x->up)) {
			x->read_failed = true;
			return CURL_READFUNC_ABORT;
		}
		return got;
	}
	got = x->mem_len - x->mem_off;
	if (got > n)
		got = n;
	if (got > 0)
		memcpy(buf, x->mem + x->mem_off, got);
	x->mem_off += got;
	return got;
}

/* curl's transfer-info callback: hands upload progress to the request's
 * callback, which may make a nested round trip (on the other slot). */
static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
            curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ud;
	int rc;

	(void)dltotal;
	(void)dlnow;
	if (x->cb_failed)
		return 1;
	rc = vs_http_progress(x->req,
	                      ulnow > 0 ? (unsigned long long)ulnow : 0,
	                      ultotal > 0 ? (unsigned long long)ultotal : 0,
	                      &x->cb_err);
	if (rc == 0)
		return 0;
	x->cb_failed = true;
	return 1;
}

/* curl rewinds the body when it resends on a fresh connection. */
static int
on_seek(void *ud, curl_off_t offset, int origin)
{
	struct xfer *x = ud;

	if (origin != SEEK_SET || offset < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (x->up != NULL) {
		if (fseeko(x->up, (off_t)offset, SEEK_SET) != 0)
			return CURL_SEEKFUNC_FAIL;
		return CURL_SEEKFUNC_OK;
	}
	if ((size_t)offset > x->mem_len)
		return CURL_SEEKFUNC_FAIL;
	x->mem_off = (size_t)offset;
	return CURL_SEEKFUNC_OK;
}

/* Checks the URL; fills "host:port" for messages. */
static int
check_url(char *hostport, size_t size, const char *url, struct err *err)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	CURLU *u;
	int rc = 0;

	hostport[0] = '\0';
	if (url == NULL || strlen(url) > 8192)
		return err_set(err, ERR_EINVAL, "http: bad URL");
	u = curl_url();
	if (u == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		rc = err_set(err, ERR_EINVAL, "http: malformed URL");
		goto cleanup;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		rc = err_set(err, ERR_EINVAL,
		             "http: unsupported URL scheme \"%.16s\"",
		             scheme);
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		rc = err_set(err, ERR_EINVAL,
		             "http: URL must not carry credentials");
		goto cleanup;
	}
	snprintf(hostport, size, "%.200s:%.8s", host, port);
cleanup:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}


static int
set_method(struct xfer *x, const char *method, curl_off_t up_size,
           struct err *err)
{
	const struct vs_http_request *req = x->req;
	bool has_body = req->upload_path != NULL || req->body != NULL;
	CURL *h = x->s->h;

	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, x);
	curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
	curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
	if (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0) {
		if (has_body)
			return err_set(err, ERR_EINVAL,
			               "http: %s with a body", method);
		if (method[0] == 'D')
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
		return 0;
	}
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (req->upload_path != NULL) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
		} else {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS,
			                 req->body != NULL ? req->body : "");
		}
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, up_size);
		return 0;
	}
	if (strcmp(method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, up_size);
		return 0;
	}
	return err_set(err, ERR_EINVAL, "http: unsupported method");
}

/* Appends line to *l. */
static int
add_line(struct curl_slist **l, const char *line, struct err *err)
{
	struct curl_slist *n = curl_slist_append(*l, line);

	if (n == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	*l = n;
	return 0;
}

/* Appends "name: value" to *l, value checked (no line breaks; quoted:
 * no '"' either, and sent in quotes) and never cut.  value NULL: "name:",
 * which sends no such header, not even curl's default. */
static int
add_header(struct curl_slist **l, const char *name, const char *value,
           bool quoted, struct err *err)
{
	char line[1200];
	int len;

	if (value == NULL)
		len = snprintf(line, sizeof(line), "%s:", name);
	else if (!vs_http_header_value_ok(value) ||
	         (quoted && strchr(value, '"') != NULL))
		return err_set(err, ERR_EINVAL, "http: bad %s", name);
	else if (quoted)
		len = snprintf(line, sizeof(line), "%s: \"%s\"", name, value);
	else
		len = snprintf(line, sizeof(line), "%s: %s", name, value);
	if (len < 0 || (size_t)len >= sizeof(line))
		return err_set(err, ERR_EINVAL, "http: %s too long", name);
	return add_line(l, line, err);
}

/* The request's extra header lines ("Name: value", no line breaks)
 * appended to *l. */
static int
extra_headers(struct curl_slist **l, const char *const *headers,
              struct err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && headers != NULL && headers[i] != NULL; i++) {
		if (!vs_http_header_value_ok(headers[i]) ||
		    strchr(headers[i], ':') == NULL ||
		    headers[i][0] == ':' || headers[i][0] == ' ')
			return err_set(err, ERR_EINVAL,
			               "http: bad request header");
		rc = add_line(l, headers[i], err);
	}
	return rc;
}

static int
build_headers(struct curl_slist **out, const struct vs_http_request *req,
              struct err *err)
{
	struct curl_slist *l = NULL;
	int rc;

	*out = NULL;
	/* vCenter never answers 100-continue: waiting for it costs ~1 s */
	rc = add_header(&l, "Expect", NULL, false, err);
	/* without a type: none, not curl's form-urlencoded on POST */
	if (rc == 0)
		rc = add_header(&l, "Content-Type", req->content_type, false,
		                err);
	if (rc == 0)
		rc = extra_headers(&l, req->headers, err);
	if (rc == 0 && req->soap_action != NULL)
		rc = add_header(&l, "SOAPAction", req->soap_action, true, err);
	if (rc == 0) {
		*out = l;
		l = NULL;
	}
	curl_slist_free_all(l);
	return rc;
}

/* The whole exchange's limit: the transport's own timeout_s, cut to the
 * time the caller has left; 0: none (the stall limit still holds). */
static long
exchange_timeout_ms(const struct curl_tp *c, double time_left_s)
{
	long ms = c->timeout_s > 0 ? c->timeout_s * 1000L : 0;
	double left_ms;

	if (time_left_s > 0) {
		left_ms = ceil(time_left_s * 1000.0);
		if (left_ms < 1)
			left_ms = 1;
		if (ms == 0 || left_ms < (double)ms)
			ms = left_ms > 1e9 ? 1000000000L : (long)left_ms;
	}
	return ms;
}

/* A free slot (the outer exchange's, or the nested one's), its handle
 * made on first use. */
static int
slot_take(struct slot **out, struct curl_tp *c, struct err *err)
{
	struct slot *s = NULL;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < NSLOTS && s == NULL; i++) {
		if (!c->slots[i].busy)
			s = &c->slots[i];
	}
	if (s == NULL)
		return err_set(err, ERR_EINVAL, "http: round trips nested "
		               "more than %d deep", NSLOTS);
	if (s->h == NULL) {
		rc = slot_open(c, s, err);
		if (rc != 0)
			return rc;
	}
	*out = s;
	return 0;
}

/* The request body: the upload file opened, or the body in memory;
 * its size in *up_size. */
static int
open_upload(curl_off_t *up_size, struct xfer *x, struct err *err)
{
	const struct vs_http_request *req = x->req;
	struct stat st;

	*up_size = 0;
	if (req->upload_path != NULL) {
		x->up = fopen(req->upload_path, "rb");
		if (x->up == NULL || fstat(fileno(x->up), &st) != 0 ||
		    !S_ISREG(st.st_mode))
			return err_set(err, ERR_EIO,
			               "http: cannot open upload file: %s",
			               strerror(errno ? errno : EINVAL));
		*up_size = (curl_off_t)st.st_size;
	} else if (req->body != NULL) {
		x->mem = req->body;
		x->mem_len = req->body_len;
		*up_size = (curl_off_t)req->body_len;
	}
	return 0;
}

/* The exchange's own options on the slot's handle. */
static void
set_exchange_opts(struct xfer *x, struct curl_slist *headers)
{
	const struct vs_http_request *req = x->req;
	CURL *h = x->s->h;

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	if (req->progress != NULL && req->upload_path != NULL) {
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	} else {
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);
	}
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	                 exchange_timeout_ms(x->c, req->time_left_s));
}

/* Runs the exchange; a download file that cannot be closed is a write
 * error. */
static CURLcode
perform(struct xfer *x)
{
	CURLcode cc;

	x->s->errbuf[0] = '\0';
	errno = 0;
	cc = curl_easy_perform(x->s->h);
	if (x->down != NULL) {
		if (fclose(x->down) != 0 && cc == CURLE_OK) {
			x->down_failed = true;
			cc = CURLE_WRITE_ERROR;
		}
		x->down = NULL;
	}
	return cc;
}

/* Status, content type and body (or download file) into resp. */
static int
take_reply(struct vs_http_response *resp, struct xfer *x,
           struct err *err)
{
	const struct vs_http_request *req = x->req;
	char *ct = NULL;
	long status = 0;

	curl_easy_getinfo(x->s->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->s->h, CURLINFO_CONTENT_TYPE, &ct);
	resp->status = status;
	if (ct != NULL && vs_http_header_value_ok(ct)) {
		resp->content_type = strdup(ct);
		if (resp->content_type == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
	}
	if (req->download_path != NULL && status >= 200 && status < 300) {
		if (!x->decided) {
			/* empty 2xx body: still leave an (empty) file */
			x->down = open_download(req->download_path);
			if (x->down == NULL)
				return err_set(err, ERR_EIO,
				               "http: cannot create "
				               "downloaded file: %s",
				               strerror(errno));
		}
		buf_clear(&x->body);
		return 0;
	}
	if (buf_take(&resp->body, &resp->body_len, &x->body) != 0)
		return err_set(err, ERR_ENOMEM, "fixture: out of memory");
	return 0;
}

/* The handle must not keep pointers into the finished exchange. */
static void
slot_release(struct slot *s)
{
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(s->h, CURLOPT_READDATA, NULL);
	curl_easy_setopt(s->h, CURLOPT_SEEKDATA, NULL);
	curl_easy_setopt(s->h, CURLOPT_XFERINFODATA, NULL);
	curl_easy_setopt(s->h, CURLOPT_NOPROGRESS, 1L);
	s->busy = false;
}

static int
curl_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
               struct vs_http_response *resp, struct err *err)
{
	struct curl_tp *c = (struct curl_tp *)t;
	struct curl_slist *headers = NULL;
	struct slot *s = NULL;
	struct xfer x;
	char hostport[256];
	curl_off_t up_size = 0;
	CURLcode cc;
	int rc;

	memset(resp, 0, sizeof(*resp));
	memset(&x, 0, sizeof(x));
	if (req->method == NULL)
		return err_set(err, ERR_EINVAL, "http: no method");
	rc = check_url(hostport, sizeof(hostport), req->url, err);
	if (rc == 0)
		rc = slot_take(&s, c, err);
	if (rc == 0)
		rc = build_headers(&headers, req, err);
	if (rc != 0)
		return rc;
	s->busy = true;
	x.c = c;
	x.s = s;
	x.req = req;
	rc = open_upload(&up_size, &x, err);
	if (rc == 0)
		rc = set_method(&x, req->method, up_size, err);
	if (rc != 0)
		goto cleanup;
	set_exchange_opts(&x, headers);
	cc = perform(&x);
	if (cc != CURLE_OK || x.down_failed) {
		rc = vs_curl_map_error(c, &x, cc, hostport, err);
		logf_(c, 0, "http %s %s: failed (%d)",
		      req->op ? req->op : "-", hostport, rc);
		goto cleanup;
	}
	rc = take_reply(resp, &x, err);
	if (rc == 0)
		logf_(c, 0, "http %s %s: %ld", req->op ? req->op : "-",
		      hostport, resp->status);
cleanup:
	slot_release(s);
	if (x.down != NULL)
		fclose(x.down);
	if (rc != 0 && x.opened)
		unlink(req->download_path);  /* partial download */
	if (x.up != NULL)
		fclose(x.up);
	buf_clear(&x.body);
	curl_slist_free_all(headers);
	if (rc != 0)
		vs_http_response_clear(resp);
	return rc;
}

static int
curl_finish(struct vs_transport *t, struct err *err)
{
	(void)t;
	(void)err;
	return 0;
}

/* Cookie `name`'s whole jar line in the shared cookie engine
 * (vs_transport_cookie_save). */
static int
curl_cookie_save(struct vs_transport *t, char **out, const char *name,
                 struct err *err)
{
	struct curl_tp *c = (struct curl_tp *)t;
	struct curl_slist *list = NULL, *l;
	int rc = 0;

	*out = NULL;
	if (curl_easy_getinfo(c->slots[0].h, CURLINFO_COOKIELIST, &list) !=
	    CURLE_OK)
		list = NULL;
	for (l = list; l != NULL && !vs_cookie_jar_is(l->data, name); )
		l = l->next;
	if (l == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "no %s cookie", name);
	else if ((*out = strdup(l->data)) == NULL)
		rc = err_set(err, ERR_ENOMEM, "out of memory");
	curl_slist_free_all(list);
	return rc;
}

/* Its value (vs_transport_cookie). */
static int
curl_cookie(struct vs_transport *t, char **out, const char *name,
            struct err *err)
{
	char *line = NULL;
	int rc = curl_cookie_save(t, &line, name, err);

	if (rc == 0 && vs_cookie_jar_line(out, line, name, err) < 0)
		rc = ERR_ENOMEM;
	wipe_free(line);
	return rc;
}

/* A jar line back into the shared cookie engine. */
static int
curl_cookie_load(struct vs_transport *t, const char *line, struct err *err)
{
	struct curl_tp *c = (struct curl_tp *)t;

	if (curl_easy_setopt(c->slots[0].h, CURLOPT_COOKIELIST, line) !=
	    CURLE_OK)
		return err_set(err, ERR_ENOMEM, "http: the session cookie "
		               "was not taken");
	return 0;
}

static void
curl_free_tp(struct vs_transport *t)
{
	struct curl_tp *c = (struct curl_tp *)t;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NSLOTS; i++) {
		if (c->slots[i].h != NULL)
			curl_easy_cleanup(c->slots[i].h);
	}
	if (c->share != NULL)
		curl_share_cleanup(c->share);
	free(c->ca);
	free(c);
	curl_global_cleanup();
}

/* Peer verification and the CA certificate on a new handle. */
static int
set_tls_opts(CURL *h, const struct curl_tp *c, struct err *err)
{
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (c->ca != NULL) {
#if LIBCURL_VERSION_NUM >= 0x074D00
		struct curl_blob blob;

		/* ca_cert is the one trust anchor: neither the system's
		 * bundle (CAINFO, which the blob overrides anyway) nor its
		 * hashed directory (CAPATH, /etc/ssl/certs in Debian's
		 * libcurl, which the blob does not override) is read. */
		curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
		blob.data = c->ca;
		blob.len = strlen(c->ca);
		blob.flags = CURL_BLOB_COPY;
		if (curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob) !=
		    CURLE_OK)
			return err_set(err, ERR_ETLS, "TLS: cannot use "
			               "the CA certificate");
#else
		return err_set(err, ERR_ETLS,
		               "TLS: libcurl too old for an in-memory CA");
#endif
	}
	return 0;
}

/* Makes the slot's easy handle with the transport's options. */
static int
slot_open(struct curl_tp *c, struct slot *s, struct err *err)
{
	CURL *h;
	int rc = 0;

	h = curl_easy_init();
	if (h == NULL)
		return err_set(err, ERR_ENOMEM, "http: curl init failed");
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
	/* HTTP/1.1 only: one code path for vCenter, ESXi and the simulator */
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
	                 (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "vsphere-cpi-c/" CPI_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	                 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	                 c->connect_timeout_s > 0 ? c->connect_timeout_s
	                                          : DEFAULT_CONNECT_TIMEOUT);
	/* the whole exchange's limit (CURLOPT_TIMEOUT_MS) is set per
	 * exchange: exchange_timeout_ms() */
	if (c->timeout_s <= 0) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	}
	rc = set_tls_opts(h, c, err);
	if (rc != 0)
		goto cleanup;
	s->h = h;
	h = NULL;
cleanup:
	if (h != NULL)
		curl_easy_cleanup(h);
	return rc;
}

static const struct vs_transport curl_ops = {
	.version = VS_TRANSPORT_VERSION,
	.roundtrip = curl_roundtrip,
	.finish = curl_finish,
	.free = curl_free_tp,
	.cookie = curl_cookie,
	.cookie_save = curl_cookie_save,
	.cookie_load = curl_cookie_load,
};

int
vs_transport_curl_new(struct vs_transport **out,
                      const struct vs_curl_opts *opts, struct err *err)
{
	static const struct vs_curl_opts defaults;
	struct curl_tp *c = NULL;
	int rc = 0;

	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	/* A CPI process makes one call and ends: OpenSSL's clean-up at
	 * exit, freeing every table it built (about 1.4M instructions),
	 * buys nothing.  The option counts only with the first
	 * initialization, so it comes before curl's. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(err, ERR_FAIL, "http: curl init failed");
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		curl_global_cleanup();
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	c->base = curl_ops;
	c->log = opts->log;
	c->log_ud = opts->log_ud;
	c->max_body = opts->max_body ? opts->max_body : VS_FIXTURE_MAX_BODY;
	c->insecure = opts->insecure;
	c->connect_timeout_s = opts->connect_timeout_s;
	c->timeout_s = opts->timeout_s;
	/* No threads: the share object needs no lock callbacks. */
	c->share = curl_share_init();
	if (c->share == NULL) {
		rc = err_set(err, ERR_ENOMEM, "http: curl init failed");
		goto cleanup;
	}
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE,
	                  CURL_LOCK_DATA_SSL_SESSION);
	if (opts->ca_cert_pem != NULL && opts->ca_cert_pem[0] != '\0') {
		c->ca = strdup(opts->ca_cert_pem);
		if (c->ca == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	/* The first handle now: a bad CA fails here, not mid-call. */
	rc = slot_open(c, &c->slots[0], err);
	if (rc != 0)
		goto cleanup;
	if (opts->insecure)
		logf_(c, 2, "TLS certificate verification is disabled "
		      "(insecure)");
	*out = &c->base;
	c = NULL;
cleanup:
	curl_free_tp(c != NULL ? &c->base : NULL);
	return rc;
}
