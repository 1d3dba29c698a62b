/*
 * vsphere/client.c: the vim25 exchanges over a transport (the session's
 * own steps, Login, Logout and a session kept between processes, are in
 * session.c; the state both share in client_int.h).
 *
 * One choke point for every exchange (http_retry): transient transport
 * failures (ERR_ENET, ERR_ETIMEOUT) and HTTP 503 are retried with capped
 * exponential backoff; everything else is an answer.  vs_client_call adds
 * SOAP on top: envelope out, reply parsed, faults typed, and one re-login
 * plus one retry when the session turned out not to be authenticated
 * (a NotAuthenticated fault, or a property collector reply whose
 * missingSet holds NotAuthenticated, which is how the simulator answers).
 *
 * The password lives only in struct vs_client and in the Login request body
 * (built with vs_soap_add_text, sent with `sensitive` set); it is wiped
 * when the client is freed and never logged.
 */
#include "vsphere/client.h"
#include "vsphere/client_int.h"
#include "vsphere/vsphere.h"
#include "vsphere/soap_stream.h"
#include "vsphere/vs_log.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_BACKOFF_S 8.0
#define DEFAULT_RETRIES 4
#define DEFAULT_BASE_S 0.5
#define CLEANUP_S 15.0      /* default cleanup allowance past the deadline */
#define SOAP_CONTENT_TYPE "text/xml; charset=utf-8"

static void
propagate(struct err *dst, const struct err *src)
{
	if (dst != NULL && dst->code == 0 && src->code != 0)
		*dst = *src;
}

static double
default_now(void *ud)
{
	struct timespec ts;

	(void)ud;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
default_sleep(void *ud, double s)
{
	struct timespec ts, rem;

	(void)ud;
	if (!(s > 0))
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

double
vs_client_now(struct vs_client *c)
{
	return c->now(c->clock_ud);
}

/* Seconds left before the deadline (negative once passed); a large
 * number without one. */
static double
time_left(struct vs_client *c)
{
	if (c->deadline_s <= 0)
		return 1e9;
	return c->deadline - c->now(c->clock_ud);
}

static int
deadline_error(struct vs_client *c, struct err *err)
{
	bool was_set = err_is_set(err);
	int rc;

	rc = err_set(err, ERR_ETIMEOUT, "deadline of %.0f s%s exceeded "
	             "(connection_options.deadline_seconds)",
	             c->deadline_s, c->cleaning ? " and its cleanup "
	             "allowance" : "");
	if (err != NULL && !was_set)
		err->transient = true;
	return rc;
}

/* Waits never run past the deadline: the next exchange then fails. */
void
vs_client_sleep(struct vs_client *c, double seconds)
{
	double left = time_left(c);

	if (seconds > left)
		seconds = left;
	if (seconds > 0)
		c->sleep(c->clock_ud, seconds);
}

void
vs_client_cleanup(struct vs_client *c)
{
	if (c == NULL || c->cleaning)
		return;
	c->cleaning = true;
	if (c->deadline_s <= 0)
		return;
	if (time_left(c) <= 0)
		vs_client_logf(c, 2, "deadline of %.0f s passed: cleaning up "
		               "within %.0f s more", c->deadline_s,
		               c->cleanup_s);
	c->deadline += c->cleanup_s;
}

void
vs_client_logf(struct vs_client *c, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (c == NULL || c->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->log(c->log_ud, level, buf);
}

const struct vs_service_content *
vs_client_sc(const struct vs_client *c)
{
	return &c->sc;
}

const char *
vs_client_base_url(const struct vs_client *c)
{
	return c->base_url;
}

unsigned
vs_client_roundtrips(const struct vs_client *c)
{
	return c == NULL ? 0 : c->roundtrips;
}

bool
vs_client_logged_in(const struct vs_client *c)
{
	return c != NULL && c->logged_in;
}

const char *
vs_client_api_version(const struct vs_client *c)
{
	return c->sc.api_version;
}

/* --- construction --------------------------------------------------- */

static bool
has_ctl_or_space(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return true;
	}
	return false;
}

/* Splits "scheme://authority/path" into the base "scheme://authority".
 * Refuses other schemes, credentials in the URL and odd characters. */
static int
parse_url(char **base_out, const char *url, struct err *err)
{
	const char *auth, *slash;
	size_t n;

	*base_out = NULL;
	if (strncmp(url, "https://", 8) == 0)
		auth = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		auth = url + 7;
	else
		return err_set(err, ERR_EINVAL,
		               "vCenter URL must start with https://");
	if (has_ctl_or_space(url) || strlen(url) > 2048)
		return err_set(err, ERR_EINVAL,
		               "vCenter URL holds blanks or control "
		               "characters, or is too long");
	slash = strchr(auth, '/');
	n = slash == NULL ? strlen(auth) : (size_t)(slash - auth);
	if (n == 0)
		return err_set(err, ERR_EINVAL, "vCenter URL has no host");
	if (memchr(auth, '@', n) != NULL)
		return err_set(err, ERR_EINVAL,
		               "vCenter URL must not hold credentials");
	*base_out = strndup(url, (size_t)(auth - url) + n);
	if (*base_out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* What vs_client_new() refuses before it allocates anything. */
static int
check_opts(const struct vs_client_opts *opts, struct err *err)
{
	const struct vs_transport *t = opts == NULL ? NULL : opts->transport;

	if (opts == NULL || opts->url == NULL || t == NULL ||
	    t->roundtrip == NULL)
		return err_set(err, ERR_EINVAL,
		               "client needs a URL and a transport");
	if (t->version != VS_TRANSPORT_VERSION)
		return err_set(err, ERR_EINVAL,
		               "transport version %d, expected %d",
		               t->version, VS_TRANSPORT_VERSION);
	if (opts->user == NULL || opts->user[0] == '\0' ||
	    opts->password == NULL)
		return err_set(err, ERR_EINVAL,
		               "client needs a user and a password");
	return 0;
}

/* Retries, back-off, clock and deadline from opts (defaults and caps). */
static void
set_timing(struct vs_client *c, const struct vs_client_opts *opts)
{
	c->max_retries = opts->max_retries == 0 ? DEFAULT_RETRIES :
	                 opts->max_retries < 0 ? 0 : opts->max_retries;
	if (c->max_retries > 20)
		c->max_retries = 20;
	c->retry_base_s = opts->retry_base_s > 0 ? opts->retry_base_s :
	                  DEFAULT_BASE_S;
	if (c->retry_base_s > MAX_BACKOFF_S)
		c->retry_base_s = MAX_BACKOFF_S;
	c->now = opts->now != NULL ? opts->now : default_now;
	c->sleep = opts->sleep != NULL ? opts->sleep : default_sleep;
	c->clock_ud = opts->clock_ud;
	if (opts->deadline_s > 0) {
		c->deadline_s = opts->deadline_s;
		c->deadline = c->now(c->clock_ud) + opts->deadline_s;
		c->cleanup_s = opts->cleanup_s > 0 ? opts->cleanup_s :
		               opts->deadline_s < CLEANUP_S ? opts->deadline_s :
		               CLEANUP_S;
	}
}

int
vs_client_new(struct vs_client **out, const struct vs_client_opts *opts,
              struct err *err)
{
	struct vs_client *c = NULL;
	struct vs_transport *t = opts == NULL ? NULL : opts->transport;
	int rc;

	*out = NULL;
	rc = check_opts(opts, err);
	if (rc != 0)
		goto cleanup;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	c->transport = t;
	t = NULL;
	c->closed = false;
	rc = parse_url(&c->base_url, opts->url, err);
	if (rc != 0)
		goto cleanup;
	c->url = strdup(opts->url);
	c->user = strdup(opts->user);
	c->password_len = strlen(opts->password);
	c->password = strdup(opts->password);
	if (c->url == NULL || c->user == NULL || c->password == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	c->log = opts->log;
	c->log_ud = opts->log_ud;
	set_timing(c, opts);
	snprintf(c->soap_action, sizeof(c->soap_action), "%s",
	         VS_SOAP_ACTION_DEFAULT);
	*out = c;
	c = NULL;
cleanup:
	vs_transport_free(t);
	if (c != NULL) {
		c->closed = true;   /* never logged in: nothing to close */
		vs_client_free(c);
	}
	return rc;
}

/* --- HTTP with retries ---------------------------------------------- */

static double
backoff(const struct vs_client *c, int attempt)
{
	double d = c->retry_base_s;
	int i;

	for (i = 1; i < attempt && d < MAX_BACKOFF_S; i++)
		d *= 2;
	return d > MAX_BACKOFF_S ? MAX_BACKOFF_S : d;
}

/* The deadline passed: the answer says so (transient: the Director may
 * retry the whole call); the failure that used the last of the time is
 * only logged.  maybe_sent is kept for callers that clean up by name. */
static int
out_of_time(struct vs_client *c, const char *op, const struct err *last,
            struct err *err)
{
	struct err e;
	int rc;

	if (last != NULL && last->code != 0)
		vs_client_logf(c, 2, "%s: %s", op, last->message);
	err_clear(&e);
	rc = deadline_error(c, &e);
	e.maybe_sent = last != NULL && last->maybe_sent;
	propagate(err, &e);
	return rc;
}

static int
http_retry(struct vs_client *c, const struct vs_http_request *req,
           struct vs_http_response *resp, struct err *err)
{
	struct vs_http_request r = *req;
	struct err e;
	const char *op = req->op != NULL ? req->op : req->method;
	int attempt, tries = c->max_retries + 1, rc = 0;
	double d, left;

	memset(resp, 0, sizeof(*resp));
	err_clear(&e);
	for (attempt = 1; attempt <= tries; attempt++) {
		left = time_left(c);
		if (left <= 0)
			return out_of_time(c, op, &e, err);
		err_clear(&e);
		r.time_left_s = c->deadline_s > 0 ? left : 0;
		c->roundtrips++;
		rc = c->transport->roundtrip(c->transport, &r, resp, &e);
		if (rc == 0 && resp->status != 503)
			return 0;
		if (rc == 0) {
			vs_http_response_clear(resp);
			memset(resp, 0, sizeof(*resp));
			rc = err_set(&e, ERR_EHTTP,
			             "HTTP 503 Service Unavailable");
			e.http_status = 503;
		} else if (rc != ERR_ENET && rc != ERR_ETIMEOUT) {
			if (e.code == 0)
				err_set(&e, rc, "transport failed");
			propagate(err, &e);
			return rc;
		} else if (time_left(c) <= 0) {
			return out_of_time(c, op, &e, err);
		} else if (req->no_resend && e.maybe_sent) {
			/* It may have run: sending it again could make a
			 * second VM, folder, disk…  The caller cleans up by
			 * name and the Director retries the whole call. */
			e.transient = true;
			err_prefix(&e, "%s: reply lost, not resent", op);
			propagate(err, &e);
			return rc;
		}
		e.transient = true;
		if (attempt == tries)
			break;
		d = backoff(c, attempt);
		vs_client_logf(c, 2, "%s: attempt %d of %d failed (%s); "
		               "retrying in %.2f s", op, attempt, tries,
		               e.message, d);
		vs_client_sleep(c, d);
	}
	if (tries > 1)
		err_prefix(&e, "gave up after %d attempts", tries);
	propagate(err, &e);
	return rc;
}

int
vs_client_http(struct vs_client *c, const struct vs_http_request *req,
               struct vs_http_response *resp, struct err *err)
{
	struct vs_http_request r;
	char *abs = NULL;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (req == NULL || req->url == NULL || req->method == NULL)
		return err_set(err, ERR_EINVAL, "incomplete HTTP request");
	r = *req;
	if (req->url[0] == '/') {
		size_t n = strlen(c->base_url) + strlen(req->url) + 1;

		abs = malloc(n);
		if (abs == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		snprintf(abs, n, "%s%s", c->base_url, req->url);
		r.url = abs;
	}
	rc = http_retry(c, &r, resp, err);
	free(abs);
	return rc;
}

int
vs_client_cookie(char **out, struct vs_client *c, const char *name,
                 struct err *err)
{
	return vs_transport_cookie(c->transport, out, name, err);
}

int
vs_client_cookie_save(char **out, struct vs_client *c, const char *name,
                      struct err *err)
{
	return vs_transport_cookie_save(c->transport, out, name, err);
}

/* --- SOAP calls ----------------------------------------------------- */

/* RetrievePropertiesEx (returnval/objects/missingSet) or
 * RetrieveProperties (returnval/missingSet). */
static bool
missing_set_not_authenticated(xmlNodePtr response)
{
	xmlNodePtr rv, o;

	for (rv = vs_xml_child(response, "returnval"); rv != NULL;
	     rv = vs_xml_next(rv, "returnval")) {
		if (vs_soap_objects_not_authenticated(rv))
			return true;
		for (o = vs_xml_child(rv, "objects"); o != NULL;
		     o = vs_xml_next(o, "objects")) {
			if (vs_soap_objects_not_authenticated(o))
				return true;
		}
	}
	return false;
}

static bool
transient_status(long status)
{
	return status == 502 || status == 504;
}

/* Methods that only read, or whose repetition is harmless, may be sent
 * again after a lost reply: power changes, Destroy_Task and the delete
 * tasks answer InvalidPowerState / ManagedObjectNotFound / FileNotFound
 * the second time, which their callers take as "already done".
 * Everything else (CloneVM_Task, ReconfigVM_Task, CreateSnapshot_Task,
 * CreateFolder, ImportVApp, CreateVirtualDisk_Task, Login, …) is sent at
 * most once per attempt of the caller: a second send could make a second
 * VM, device or folder.  RemoveCustomFieldDef names a field by its key,
 * never reused: sent again it answers NotFound (vsphere/drs.c releases
 * the DRS lock with it and takes NotFound as released). */
static bool
idempotent(const char *method)
{
	static const char *const prefixes[] = {
		"Retrieve", "ContinueRetrieve", "CancelRetrieve", "Find",
		"Query", "WaitForUpdates", "CancelWaitForUpdates",
		"CreateContainerView", "CreateFilter", "DestroyPropertyFilter",
		"DestroyView", "HttpNfcLeaseProgress", "SessionIsActive",
		"CurrentTime", "Logout", "setCustomValue", "MakeDirectory",
		"PowerOnVM_Task", "PowerOffVM_Task", "Destroy_Task",
		"DeleteDatastoreFile_Task", "DeleteVirtualDisk_Task",
		"RemoveCustomFieldDef",
	};
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(method, prefixes[i], n) == 0)
			return true;
	}
	return false;
}

static void
soap_request_init(struct vs_http_request *req, const struct vs_client *c,
                  const struct vs_soap_endpoint *ep, const char *method,
                  const char *body, size_t len)
{
	memset(req, 0, sizeof(*req));
	req->method = "POST";
	req->url = ep != NULL ? ep->path : c->url;
	req->soap_action = ep != NULL ? ep->soap_action : c->soap_action;
	req->content_type = SOAP_CONTENT_TYPE;
	req->op = method;
	req->body = body;
	req->body_len = len;
	req->sensitive = strcmp(method, "Login") == 0;
	req->no_resend = !idempotent(method);
}

/* What the reply's size and HTTP status allow before parsing. */
static int
check_http_reply(const struct vs_http_response *resp, struct err *e)
{
	int rc;

	if (resp->body_len > VS_SOAP_MAX_REPLY) {
		rc = err_set(e, ERR_EPARSE,
		             "reply of %zu bytes refused (limit %zu)",
		             resp->body_len, VS_SOAP_MAX_REPLY);
		e->http_status = (int)resp->status;
		return rc;
	}
	if (resp->status != 200 && resp->status != 500) {
		rc = err_set(e, ERR_EHTTP, "HTTP status %ld",
		             resp->status);
		e->http_status = (int)resp->status;
		e->transient = transient_status(resp->status);
		return rc;
	}
	return 0;
}

/* The reply parsed: a fault, or *resp_out the <method>Response. */
static int
parse_reply(xmlDocPtr *doc_out, xmlNodePtr *resp_out, const char *method,
            const struct vs_http_response *resp, struct vs_fault *fault,
            struct err *e)
{
	xmlNodePtr child = NULL;
	char want[160];
	int rc;

	rc = vs_soap_parse_reply(doc_out, &child, resp->body, resp->body_len,
	                         fault, e);
	if (rc != 0) {
		e->http_status = (int)resp->status;
		if (rc != ERR_EFAULT && resp->status == 500) {
			err_clear(e);
			rc = err_set(e, ERR_EHTTP, "HTTP status 500 "
			             "without a SOAP fault");
			e->http_status = 500;
		}
		return rc;
	}
	snprintf(want, sizeof(want), "%sResponse", method);
	if (resp->status != 200 || strcasecmp((const char *)child->name,
	                                      want) != 0) {
		rc = err_set(e, resp->status != 200 ? ERR_EHTTP : ERR_EPARSE,
		             "unexpected reply (HTTP %ld)", resp->status);
		e->http_status = (int)resp->status;
		xmlFreeDoc(*doc_out);
		*doc_out = NULL;
		return rc;
	}
	*resp_out = child;
	return 0;
}

/* A 200 reply streamed to st (soap_stream.h); one that is not the
 * expected response is parsed whole (a fault gives its error), and its
 * objects handed over the same way. */
static int
stream_reply(xmlDocPtr *doc_out, xmlNodePtr *resp_out, const char *method,
             const struct vs_http_response *resp,
             struct vs_soap_stream *st, struct vs_fault *fault,
             struct err *e)
{
	char want[160];
	bool whole = false;
	int rc;

	snprintf(want, sizeof(want), "%sResponse", method);
	rc = vs_soap_stream_reply(&whole, resp->body, resp->body_len, want,
	                          st, e);
	if (rc != 0 || !whole)
		return rc;
	rc = parse_reply(doc_out, resp_out, method, resp, fault, e);
	if (rc == 0)
		rc = vs_soap_stream_tree(*resp_out, st, e);
	return rc;
}

/* One SOAP exchange: POST, HTTP status judged, reply parsed (or, with
 * st, a 200 reply streamed to it).  Faults give ERR_EFAULT with *fault
 * filled. */
static int
soap_exchange(struct vs_client *c, const struct vs_soap_endpoint *ep,
              const char *method, const char *body,
              size_t len, xmlDocPtr *doc_out, xmlNodePtr *resp_out,
              struct vs_soap_stream *st, struct vs_fault *fault,
              struct err *err)
{
	struct vs_http_request req;
	struct vs_http_response resp;
	struct err e;
	int rc;

	*doc_out = NULL;
	*resp_out = NULL;
	memset(fault, 0, sizeof(*fault));
	err_clear(&e);
	soap_request_init(&req, c, ep, method, body, len);
	rc = vs_client_http(c, &req, &resp, &e);
	if (rc != 0)
		goto cleanup;
	rc = check_http_reply(&resp, &e);
	if (rc == 0 && st != NULL && resp.status == 200)
		rc = stream_reply(doc_out, resp_out, method, &resp, st, fault,
		                  &e);
	else if (rc == 0)
		rc = parse_reply(doc_out, resp_out, method, &resp, fault, &e);
cleanup:
	if (rc != 0)
		err_prefix(&e, "%s", method);
	propagate(err, &e);
	vs_http_response_clear(&resp);
	return rc;
}

static const char *
method_of(xmlDocPtr req, char *buf, size_t size)
{
	xmlNodePtr root = xmlDocGetRootElement(req), n;

	snprintf(buf, size, "SOAP call");
	if (root == NULL)
		return buf;
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "Body") == 0)
			break;
	}
	n = n != NULL ? vs_xml_first_elem(n) : NULL;
	if (n != NULL)
		snprintf(buf, size, "%s", (const char *)n->name);
	return buf;
}

/* A reply (parsed whole into resp, or streamed to st) whose missing set
 * holds NotAuthenticated: the simulator's way of refusing a session. */
static bool
reply_not_authenticated(xmlNodePtr resp, const struct vs_soap_stream *st)
{
	return (st != NULL && st->not_authenticated) ||
	       (resp != NULL && missing_set_not_authenticated(resp));
}

/* A refused session: a NotAuthenticated fault, or such a reply. */
static bool
not_authenticated(int rc, const struct vs_fault *fault, xmlNodePtr resp,
                  const struct vs_soap_stream *st)
{
	return (rc == ERR_EFAULT &&
	        strcmp(fault->type, "NotAuthenticated") == 0) ||
	       (rc == 0 && reply_not_authenticated(resp, st));
}

/* Logs in again and resends body once; *doc is replaced. */
static int
relogin_resend(xmlDocPtr *doc, xmlNodePtr *resp, struct vs_client *c,
               const char *method, const char *body, size_t len,
               struct vs_soap_stream *st, struct err *e)
{
	struct err le;
	struct vs_fault fault;
	int rc;

	err_clear(&le);
	vs_client_logf(c, 1, "%s: session not authenticated; logging in "
	               "again", method);
	xmlFreeDoc(*doc);
	*doc = NULL;
	*resp = NULL;
	c->logged_in = false;
	rc = vs_client_login(c, &le);
	if (rc != 0) {
		err_prefix(&le, "%s: re-login failed", method);
		err_clear(e);
		propagate(e, &le);
		return rc;
	}
	err_clear(e);
	rc = soap_exchange(c, NULL, method, body, len, doc, resp, st, &fault,
	                   e);
	if (rc == 0 && reply_not_authenticated(*resp, st)) {
		rc = err_set(e, ERR_EFAULT, "%s: NotAuthenticated: "
		             "session refused again right after "
		             "re-login", method);
		snprintf(e->fault, sizeof(e->fault), "NotAuthenticated");
	}
	return rc;
}

/* Serializes req (always freed) and exchanges it, with the re-login rule
 * when relogin is set. */
static int
call(struct vs_client *c, const struct vs_soap_endpoint *ep, xmlDocPtr req,
     bool relogin, xmlDocPtr *doc_out, xmlNodePtr *resp_out,
     struct vs_soap_stream *st, struct err *err)
{
	struct err e;
	struct vs_fault fault;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp = NULL;
	char *body = NULL, method[128];
	size_t len = 0;
	int rc;

	*doc_out = NULL;
	*resp_out = NULL;
	err_clear(&e);
	method_of(req, method, sizeof(method));
	rc = vs_soap_serialize(&body, &len, req, &e);
	xmlFreeDoc(req);
	if (rc != 0) {
		err_prefix(&e, "%s", method);
		goto cleanup;
	}
	rc = soap_exchange(c, ep, method, body, len, &doc, &resp, st, &fault,
	                   &e);
	if (relogin && not_authenticated(rc, &fault, resp, st))
		rc = relogin_resend(&doc, &resp, c, method, body, len, st,
		                    &e);
cleanup:
	if (rc == 0) {
		*doc_out = doc;
		*resp_out = resp;
		doc = NULL;
	}
	propagate(err, &e);
	xmlFreeDoc(doc);
	if (body != NULL && (ep != NULL || strcmp(method, "Login") == 0))
		explicit_bzero(body, len);     /* the password, a session */
	xmlFree(body);
	return rc;
}

static bool
no_relogin(const char *method)
{
	return strcmp(method, "Login") == 0 ||
	       strcmp(method, "Logout") == 0 ||
	       strcmp(method, "RetrieveServiceContent") == 0;
}

int
vs_client_call_at(struct vs_client *c, const struct vs_soap_endpoint *ep,
                  xmlDocPtr req, xmlDocPtr *resp_out,
                  xmlNodePtr *response_out, struct err *err)
{
	char method[128];

	*resp_out = NULL;
	*response_out = NULL;
	if (c == NULL || req == NULL) {
		xmlFreeDoc(req);
		return err_set(err, ERR_EINVAL, "no client or request");
	}
	method_of(req, method, sizeof(method));
	return call(c, ep, req, ep == NULL && !no_relogin(method), resp_out,
	            response_out, NULL, err);
}

int
vs_client_call_stream(struct vs_client *c, xmlDocPtr req,
                      struct vs_soap_stream *st, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr resp = NULL;
	int rc;

	if (c == NULL || req == NULL || st == NULL) {
		xmlFreeDoc(req);
		return err_set(err, ERR_EINVAL, "no client or request");
	}
	rc = call(c, NULL, req, true, &doc, &resp, st, err);
	xmlFreeDoc(doc);
	return rc;
}

int
vs_client_call(struct vs_client *c, xmlDocPtr req, xmlDocPtr *resp_out,
               xmlNodePtr *response_out, struct err *err)
{
	return vs_client_call_at(c, NULL, req, resp_out, response_out, err);
}

void
vs_client_free(struct vs_client *c)
{
	struct err e;

	if (c == NULL)
		return;
	err_clear(&e);
	if (vs_client_close(c, &e) != 0)
		vs_client_logf(c, 2, "closing the vCenter session: %s",
		               e.message);
	vs_transport_free(c->transport);
	if (c->password != NULL)
		explicit_bzero(c->password, c->password_len);
	free(c->password);
	free(c->user);
	free(c->url);
	free(c->base_url);
	free(c);
}
