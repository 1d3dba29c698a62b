/*
 * vsphere/transport_fault.c: the fault-injecting transport (see
 * vsphere/transport_fault.h).
 */
#include "vsphere/transport_fault.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "base/words.h"

#define MAX_RULES 16
#define GARBAGE_LEN ((size_t)3 * 1024 * 1024)
#define TASK_PREFIX "task-injected-"

enum fault_kind {
	F_REFUSED = 1,
	F_RESET,
	F_TIMEOUT,
	F_503,
	F_FAULT,
	F_NOTAUTH,
	F_TASKERROR,
	F_TRUNCATED,
	F_GARBAGE,
	F_KILL,
};

static const struct word kinds[] = {
	{ "refused", F_REFUSED },     { "reset", F_RESET },
	{ "timeout", F_TIMEOUT },     { "503", F_503 },
	{ "fault", F_FAULT },         { "notauth", F_NOTAUTH },
	{ "taskerror", F_TASKERROR }, { "truncated", F_TRUNCATED },
	{ "garbage", F_GARBAGE },     { "kill", F_KILL },
};

struct rule {
	int kind;
	bool always;
	bool fired;
	unsigned long nth;      /* exchange number, or occurrence of op */
	char op[64];            /* "" when matching by number */
	unsigned long seen;     /* exchanges labelled op so far */
};

struct fault_transport {
	struct vs_transport base;    /* base.inner: the wrapped one */
	struct rule rules[MAX_RULES];
	size_t nrules;
	unsigned long count;
	unsigned long tasks;
	char *log_path;
};

static const char env_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<soapenv:Envelope"
	" xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
	" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
	"<soapenv:Body>";
static const char env_tail[] = "</soapenv:Body></soapenv:Envelope>";

static const char *
kind_name(int kind)
{
	const char *name = word_name(kinds, WORDS_N(kinds), kind);

	return name != NULL ? name : "?";
}

static int
parse_number(unsigned long *out, const char *s, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

static bool
op_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* One RULE of len bytes at s. */
static int
parse_rule(struct rule *r, const char *s, size_t len, struct err *err)
{
	const char *at = memchr(s, '@', len), *when, *hash;
	size_t klen, wlen, i;

	memset(r, 0, sizeof(*r));
	if (at == NULL)
		return err_set(err, ERR_EINVAL, "VSPHERE_CPI_FAULTS: a "
		               "rule lacks '@' (KIND@WHEN)");
	klen = (size_t)(at - s);
	if (word_value_n(&r->kind, kinds, WORDS_N(kinds), s, klen) < 0)
		return err_set(err, ERR_EINVAL, "VSPHERE_CPI_FAULTS: "
		               "unknown fault kind");
	when = at + 1;
	wlen = len - klen - 1;
	if (wlen == 1 && when[0] == '*') {
		r->always = true;
		return 0;
	}
	if (parse_number(&r->nth, when, wlen) == 0)
		return 0;
	if (wlen > 0 && when[0] >= '0' && when[0] <= '9')
		return err_set(err, ERR_EINVAL, "VSPHERE_CPI_FAULTS: an "
		               "exchange number counts from 1");
	hash = memchr(when, '#', wlen);
	r->nth = 1;
	if (hash != NULL) {
		if (parse_number(&r->nth, hash + 1,
		                 wlen - (size_t)(hash - when) - 1) != 0)
			return err_set(err, ERR_EINVAL,
			               "VSPHERE_CPI_FAULTS: bad count "
			               "after '#'");
		wlen = (size_t)(hash - when);
	}
	if (wlen == 0 || wlen >= sizeof(r->op))
		return err_set(err, ERR_EINVAL, "VSPHERE_CPI_FAULTS: bad "
		               "operation name");
	for (i = 0; i < wlen; i++) {
		if (!op_char_ok(when[i]))
			return err_set(err, ERR_EINVAL,
			               "VSPHERE_CPI_FAULTS: bad operation "
			               "name");
	}
	memcpy(r->op, when, wlen);
	r->op[wlen] = '\0';
	return 0;
}

static int
parse_spec(struct fault_transport *ft, const char *spec,
           struct err *err)
{
	const char *p = spec, *comma;
	size_t len;
	int rc;

	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (ft->nrules == MAX_RULES)
			return err_set(err, ERR_EINVAL,
			               "VSPHERE_CPI_FAULTS: more than %d "
			               "rules", MAX_RULES);
		/* An empty rule (",," or a trailing comma) lacks '@'. */
		rc = parse_rule(&ft->rules[ft->nrules], p, len, err);
		if (rc != 0)
			return rc;
		ft->nrules++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* The rule firing for this exchange, or NULL.  Every rule's occurrence
 * count of its op advances, whether or not an earlier rule wins. */
static struct rule *
match(struct fault_transport *ft, const char *op)
{
	struct rule *hit = NULL, *r;
	size_t i;
	bool now;

	for (i = 0; i < ft->nrules; i++) {
		r = &ft->rules[i];
		if (r->always) {
			now = true;
		} else if (r->op[0] != '\0') {
			if (op == NULL || strcmp(op, r->op) != 0)
				continue;
			r->seen++;
			now = !r->fired && r->seen == r->nth;
		} else {
			now = !r->fired && ft->count == r->nth;
		}
		if (now && hit == NULL)
			hit = r;
	}
	if (hit != NULL)
		hit->fired = true;
	return hit;
}

static void
note(const struct fault_transport *ft, int kind, const char *op)
{
	FILE *f;

	if (ft->log_path == NULL)
		return;
	f = fopen(ft->log_path, "a");
	if (f == NULL)
		return;
	fprintf(f, "%s %s %lu\n", kind_name(kind), op != NULL ? op : "-",
	        ft->count);
	fclose(f);
}

/* resp gets a copy of the given parts, concatenated. */
static int
reply(struct vs_http_response *resp, long status, const char *a,
      const char *b, const char *c, struct err *err)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

	resp->status = status;
	resp->body = malloc(la + lb + lc + 1);
	resp->content_type = strdup("text/xml; charset=utf-8");
	if (resp->body == NULL || resp->content_type == NULL) {
		vs_http_response_clear(resp);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	memcpy(resp->body, a, la);
	memcpy(resp->body + la, b, lb);
	memcpy(resp->body + la + lb, c, lc);
	resp->body[la + lb + lc] = '\0';
	resp->body_len = la + lb + lc;
	return 0;
}

static int
soap_fault(struct vs_http_response *resp, const char *type,
           const char *detail, struct err *err)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
	         "<faultstring>injected %s</faultstring><detail>"
	         "<%sFault xmlns=\"urn:vim25\" xsi:type=\"%s\">%s</%sFault>"
	         "</detail></soapenv:Fault>", type, type, type, detail, type);
	return reply(resp, 500, env_head, buf, env_tail, err);
}

static int
garbage(struct vs_http_response *resp, unsigned long seed,
        struct err *err)
{
	unsigned long long x = 0x9e3779b97f4a7c15ULL ^ seed;
	size_t i;

	resp->status = 200;
	resp->body = malloc(GARBAGE_LEN + 1);
	resp->content_type = strdup("text/xml; charset=utf-8");
	if (resp->body == NULL || resp->content_type == NULL) {
		vs_http_response_clear(resp);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	for (i = 0; i < GARBAGE_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		resp->body[i] = (char)(x >> 24);
	}
	resp->body[GARBAGE_LEN] = '\0';
	resp->body_len = GARBAGE_LEN;
	return 0;
}

/* The reply to a *_Task method: a made-up task. */
static int
task_reply(struct fault_transport *ft, struct vs_http_response *resp,
           const char *op, struct err *err)
{
	char buf[512];

	ft->tasks++;
	snprintf(buf, sizeof(buf), "<%sResponse xmlns=\"urn:vim25\">"
	         "<returnval type=\"Task\">" TASK_PREFIX "%lu</returnval>"
	         "</%sResponse>", op, ft->tasks, op);
	return reply(resp, 200, env_head, buf, env_tail, err);
}

/* Where ">task-injected-" starts in the request body, or NULL. */
static const char *
find_task(const struct vs_http_request *req)
{
	static const char needle[] = ">" TASK_PREFIX;
	size_t n = sizeof(needle) - 1, i;

	if (req->body == NULL || req->body_len < n)
		return NULL;
	for (i = 0; i + n <= req->body_len; i++) {
		if (memcmp(req->body + i, needle, n) == 0)
			return req->body + i;
	}
	return NULL;
}

/* Any request naming a made-up task: its info says error. */
static int
task_info(struct vs_http_response *resp, const struct vs_http_request *req,
          struct err *err)
{
	const char *p = find_task(req);
	const char *end = req->body + req->body_len;
	char id[64], buf[2048];
	size_t n = 0;

	if (p == NULL || req->op == NULL ||
	    strcmp(req->op, "RetrievePropertiesEx") != 0)
		return soap_fault(resp, "ManagedObjectNotFound", "", err);
	p++;
	while (p + n < end && n < sizeof(id) - 1 &&
	       (n < strlen(TASK_PREFIX) || (p[n] >= '0' && p[n] <= '9')))
		n++;
	memcpy(id, p, n);
	id[n] = '\0';
	snprintf(buf, sizeof(buf),
	         "<RetrievePropertiesExResponse xmlns=\"urn:vim25\">"
	         "<returnval><objects><obj type=\"Task\">%s</obj>"
	         "<propSet><name>info.state</name>"
	         "<val xsi:type=\"TaskInfoState\">error</val></propSet>"
	         "<propSet><name>info.error</name>"
	         "<val xsi:type=\"LocalizedMethodFault\">"
	         "<fault xsi:type=\"SystemError\"><reason>injected task "
	         "failure</reason></fault>"
	         "<localizedMessage>injected task failure</localizedMessage>"
	         "</val></propSet></objects></returnval>"
	         "</RetrievePropertiesExResponse>", id);
	return reply(resp, 200, env_head, buf, env_tail, err);
}

/* The session really ends on the server (as when it expires), so the
 * caller's re-login is a fresh Login: a Logout through the inner
 * transport, which carries the session cookie.  Its outcome does not
 * matter. */
static void
expire_session(struct fault_transport *ft, const struct vs_http_request *req)
{
	static const char logout[] =
		"<Logout xmlns=\"urn:vim25\"><_this type=\"SessionManager\">"
		"SessionManager</_this></Logout>";
	struct vs_http_request lr = { 0 };
	struct vs_http_response lresp = { 0 };
	struct err lerr = { 0 };
	char body[1024];

	if (req->url == NULL || strcmp(req->method, "POST") != 0)
		return;
	snprintf(body, sizeof(body), "%s%s%s", env_head, logout, env_tail);
	lr.method = "POST";
	lr.url = req->url;
	lr.soap_action = req->soap_action;
	lr.content_type = req->content_type;
	lr.op = "Logout";
	lr.body = body;
	lr.body_len = strlen(body);
	(void)ft->base.inner->roundtrip(ft->base.inner, &lr, &lresp, &lerr);
	vs_http_response_clear(&lresp);
}

/* The kinds that answer in the server's place: true when r is one, its
 * result in *rc. */
static bool
answer_instead(int *rc, struct fault_transport *ft, const struct rule *r,
               const struct vs_http_request *req,
               struct vs_http_response *resp, const char *op,
               struct err *err)
{
	size_t len;

	switch (r->kind) {
	case F_REFUSED:
		*rc = err_set(err, ERR_ENET, "%s: connection refused "
		              "(injected)", op);
		return true;
	case F_503:
		*rc = reply(resp, 503, "<html><body>503 Service Unavailable"
		            " (injected)</body></html>", "", "", err);
		return true;
	case F_FAULT:
		*rc = soap_fault(resp, "SystemError",
		                 "<reason>injected</reason>", err);
		return true;
	case F_NOTAUTH:
		expire_session(ft, req);
		*rc = soap_fault(resp, "NotAuthenticated",
		                 "<privilegeId>System.View</privilegeId>",
		                 err);
		return true;
	case F_GARBAGE:
		*rc = garbage(resp, ft->count, err);
		return true;
	case F_TASKERROR:
		len = strlen(op);
		if (len < 5 || strcmp(op + len - 5, "_Task") != 0)
			*rc = soap_fault(resp, "SystemError",
			                 "<reason>injected</reason>", err);
		else
			*rc = task_reply(ft, resp, op, err);
		return true;
	default:
		return false;
	}
}

/* The kinds that let the request reach the server and spoil its reply
 * resp. */
static int
spoil_reply(int kind, struct vs_http_response *resp, const char *op,
            struct err *err)
{
	int rc;

	switch (kind) {
	case F_KILL:
		/* kill -9 right after vCenter got the request: what a
		 * killed CPI leaves behind */
		raise(SIGKILL);
		return 0;
	case F_RESET:
		vs_http_response_clear(resp);
		rc = err_set(err, ERR_ENET, "%s: connection reset by "
		             "peer while reading the reply (injected)",
		             op);
		break;
	case F_TIMEOUT:
		vs_http_response_clear(resp);
		rc = err_set(err, ERR_ETIMEOUT, "%s: operation timed "
		             "out (injected)", op);
		break;
	case F_TRUNCATED:
		if (resp->body == NULL || resp->body_len < 2) {
			vs_http_response_clear(resp);
			rc = err_set(err, ERR_ENET, "%s: reply cut "
			             "short (injected)", op);
			break;
		}
		resp->body_len /= 2;
		resp->body[resp->body_len] = '\0';
		return 0;
	default:
		return 0;
	}
	/* The server has run the request; only its reply is lost. */
	if (err != NULL && (err->code == ERR_ENET || err->code == ERR_ETIMEOUT))
		err->maybe_sent = true;
	return rc;
}

static int
fault_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
                struct vs_http_response *resp, struct err *err)
{
	struct fault_transport *ft = (struct fault_transport *)t;
	struct vs_transport *in = t->inner;
	const char *op = req->op != NULL ? req->op : req->method;
	struct rule *r;
	int rc;

	memset(resp, 0, sizeof(*resp));
	ft->count++;
	if (ft->tasks > 0 && find_task(req) != NULL)
		return task_info(resp, req, err);
	r = match(ft, op);
	if (r == NULL)
		return in->roundtrip(in, req, resp, err);
	note(ft, r->kind, op);
	if (answer_instead(&rc, ft, r, req, resp, op, err))
		return rc;
	rc = in->roundtrip(in, req, resp, err);
	if (rc != 0)
		return rc;
	return spoil_reply(r->kind, resp, op, err);
}

static void
fault_free(struct vs_transport *t)
{
	struct fault_transport *ft = (struct fault_transport *)t;

	if (ft == NULL)
		return;
	vs_transport_free(ft->base.inner);
	free(ft->log_path);
	free(ft);
}

int
vs_transport_fault_new(struct vs_transport **out,
                       struct vs_transport *inner, const char *spec,
                       const char *log_path, struct err *err)
{
	struct fault_transport *ft = NULL;
	int rc = 0;

	*out = NULL;
	if (inner == NULL || spec == NULL) {
		rc = err_set(err, ERR_EINVAL, "fault transport: missing "
		             "argument");
		goto cleanup;
	}
	ft = calloc(1, sizeof(*ft));
	if (ft == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	ft->base.version = VS_TRANSPORT_VERSION;
	ft->base.roundtrip = fault_roundtrip;
	ft->base.finish = vs_transport_pass_finish;
	ft->base.cookie = vs_transport_pass_cookie;
	ft->base.cookie_save = vs_transport_pass_cookie_save;
	ft->base.cookie_load = vs_transport_pass_cookie_load;
	ft->base.free = fault_free;
	ft->base.inner = inner;
	inner = NULL;
	if (log_path != NULL && log_path[0] != '\0') {
		ft->log_path = strdup(log_path);
		if (ft->log_path == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	rc = parse_spec(ft, spec, err);
	if (rc != 0)
		goto cleanup;
	*out = &ft->base;
	ft = NULL;
cleanup:
	vs_transport_free(inner);
	fault_free(ft ? &ft->base : NULL);
	return rc;
}
