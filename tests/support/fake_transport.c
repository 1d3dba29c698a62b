/*
 * tests/support/fake_transport.c: the scripted transport of
 * fake_transport.h.
 */
#include "tests/support/fake_transport.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fake_transport ft;

char *
ft_fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

char *
ft_read_file(const char *path)
{
	FILE *f;
	long n;
	char *buf;

	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	ck_assert_int_ge(n, 0);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

char *
ft_read_data(const char *rel)
{
	const char *root = getenv("CPI_TEST_ROOT");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/%s",
	         root != NULL ? root : ".", rel);
	return ft_read_file(path);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* With CPI_TEST_OUTDIR set, the request body is also written there for
 * tests/schemacheck (vim25 element order). */
static void
save_body(const struct vs_http_request *req, const char *op)
{
	static unsigned n;
	const char *dir = getenv("CPI_TEST_OUTDIR");
	char path[4096];
	FILE *f;

	/* sensitive: the Login body holds the password */
	if (ft.save_as[0] == '\0' || dir == NULL || dir[0] == '\0' ||
	    req->body == NULL || req->sensitive)
		return;
	snprintf(path, sizeof(path), "%s/%s-%ld-%04u-%s.xml", dir,
	         ft.save_as, (long)getpid(), n++, op);
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(req->body, 1, req->body_len, f),
	                  req->body_len);
	fclose(f);
}

/* The extra header lines, each ending in "\n"; NULL when none. */
static char *
join_headers(const char *const *headers)
{
	size_t i, n = 0;
	char *s;

	if (headers == NULL || headers[0] == NULL)
		return NULL;
	for (i = 0; headers[i] != NULL; i++)
		n += strlen(headers[i]) + 1;
	s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	s[0] = '\0';
	for (i = 0; headers[i] != NULL; i++) {
		strcat(s, headers[i]);
		strcat(s, "\n");
	}
	return s;
}

static void
record(const struct vs_http_request *req, const char *op)
{
	struct ft_req *r;
	struct stat st;

	ck_assert_uint_lt(ft.nreq, FT_MAX_REQS);
	r = &ft.req[ft.nreq++];
	r->op = strdup(op);
	r->method = dup_or_null(req->method);
	r->url = dup_or_null(req->url);
	r->content_type = dup_or_null(req->content_type);
	r->soap_action = dup_or_null(req->soap_action);
	r->time_left_s = req->time_left_s;
	r->body = req->body != NULL ? strndup(req->body, req->body_len)
	                            : NULL;
	r->upload_path = dup_or_null(req->upload_path);
	r->upload_size = -1;
	if (req->upload_path != NULL && stat(req->upload_path, &st) == 0)
		r->upload_size = (long long)st.st_size;
	r->sensitive = req->sensitive;
	r->headers = join_headers(req->headers);
}

/* What curl does while a file streams: the callback, now and then. */
static int
upload_ticks(const struct vs_http_request *req, double delay, int ticks,
             struct err *err)
{
	struct stat st;
	unsigned long long size = 0;
	int k, rc;

	if (stat(req->upload_path, &st) == 0 && st.st_size > 0)
		size = (unsigned long long)st.st_size;
	for (k = 1; k <= ticks; k++) {
		ft.clock += delay / ticks;
		rc = req->progress(req->progress_ud, size * (unsigned)k /
		                   (unsigned)ticks, size, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Logout without a queued reply for it: always answered. */
static int
logout_reply(struct vs_http_response *resp)
{
	resp->status = 200;
	resp->body = strdup(FT_ENV_HEAD "<LogoutResponse xmlns=\"urn:"
	                    "vim25\"></LogoutResponse>" FT_ENV_TAIL);
	resp->body_len = strlen(resp->body);
	return 0;
}

/* The next queued step when it answers op, or NULL (the first mismatch
 * kept in ft.mismatch). */
static struct ft_step *
next_step(const char *op)
{
	if (ft.next >= ft.nsteps || strcmp(ft.steps[ft.next].op, op) != 0) {
		if (ft.mismatch[0] == '\0')
			snprintf(ft.mismatch, sizeof(ft.mismatch),
			         "step %zu: got %s, expected %s", ft.next, op,
			         ft.next < ft.nsteps ? ft.steps[ft.next].op :
			         "nothing");
		return NULL;
	}
	return &ft.steps[ft.next++];
}

/* A step that fails the exchange: a lost connection or reply. */
static int
step_fail(const struct ft_step *s, struct err *err)
{
	int rc = err_set(err, s->rc, "fake transport failure %d to "
	                 "vc.example", s->rc);

	if (err != NULL)
		err->maybe_sent = s->sent;
	return rc;
}

/* The step's body into the request's download file. */
static void
step_download(const struct ft_step *s, const char *path)
{
	FILE *f = fopen(path, "wb");
	size_t n = s->body != NULL ? strlen(s->body) : 0;

	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(s->body != NULL ? s->body : "", 1, n, f), n);
	fclose(f);
}

static int
step_reply(const struct ft_step *s, const struct vs_http_request *req,
           struct vs_http_response *resp)
{
	resp->status = s->status;
	if (s->content_type != NULL)
		resp->content_type = strdup(s->content_type);
	if (s->download && req->download_path != NULL) {
		step_download(s, req->download_path);
		return 0;
	}
	resp->body = strdup(s->body != NULL ? s->body : "");
	resp->body_len = s->claim_len != 0 ? s->claim_len :
	                 strlen(resp->body);
	return 0;
}

static int
fake_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
               struct vs_http_response *resp, struct err *err)
{
	const char *op = req->op != NULL ? req->op : "";
	struct ft_step *s;
	double delay;
	int rc;

	(void)t;
	record(req, op);
	save_body(req, op);
	memset(resp, 0, sizeof(*resp));
	if (strcmp(op, "Logout") == 0) {
		ft.logouts++;
		if (ft.next >= ft.nsteps ||
		    strcmp(ft.steps[ft.next].op, "Logout") != 0)
			return logout_reply(resp);
	}
	s = next_step(op);
	if (s == NULL)
		return err_set(err, ERR_EREPLAY, "unexpected %s", op);
	if (s->rc < 0)
		return step_fail(s, err);
	delay = ft.delay[ft.next - 1];
	/* A server slower than the caller's time left: cut off as curl
	 * does, after the request went out. */
	if (req->time_left_s > 0 && delay > req->time_left_s) {
		ft.clock += req->time_left_s;
		rc = err_set(err, ERR_ETIMEOUT, "fake: %s timed out", op);
		if (err != NULL) {
			err->transient = true;
			err->maybe_sent = true;
		}
		return rc;
	}
	if (req->progress != NULL && req->upload_path != NULL &&
	    ft.ticks[ft.next - 1] > 0) {
		rc = upload_ticks(req, delay, ft.ticks[ft.next - 1], err);
		if (rc != 0)
			return rc;
	} else {
		ft.clock += delay;
	}
	return step_reply(s, req, resp);
}

static int
fake_finish(struct vs_transport *t, struct err *err)
{
	(void)t;
	(void)err;
	ft.finishes++;
	return 0;
}

/* The fake is static: the test reads it after the client is gone. */
static void
fake_free(struct vs_transport *t)
{
	(void)t;
	ft.frees++;
}

void
ft_clear(void)
{
	size_t i;

	for (i = 0; i < ft.nsteps; i++)
		free(ft.steps[i].body);
	for (i = 0; i < ft.nreq; i++) {
		free(ft.req[i].op);
		free(ft.req[i].method);
		free(ft.req[i].url);
		free(ft.req[i].content_type);
		free(ft.req[i].soap_action);
		free(ft.req[i].body);
		free(ft.req[i].upload_path);
		free(ft.req[i].headers);
	}
	memset(&ft, 0, sizeof(ft));
}

static int
fake_cookie(struct vs_transport *t, char **out, const char *name,
            struct err *err)
{
	(void)t;
	*out = NULL;
	if (ft.cookie[0] == '\0' || strcmp(name, "vmware_soap_session") != 0)
		return err_set(err, ERR_ENOTFOUND, "no %s cookie", name);
	*out = strdup(ft.cookie);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

static int
fake_cookie_save(struct vs_transport *t, char **out, const char *name,
                 struct err *err)
{
	(void)t;
	*out = NULL;
	ft.cookie_saves++;
	if (ft.cookie[0] == '\0' || strcmp(name, "vmware_soap_session") != 0)
		return err_set(err, ERR_ENOTFOUND, "no %s cookie", name);
	*out = ft_fmt(FT_JAR_HEAD "%s", ft.cookie);
	return 0;
}

static int
fake_cookie_load(struct vs_transport *t, const char *line, struct err *err)
{
	char *value = NULL;
	int rc;

	(void)t;
	ft.cookie_loads++;
	if (ft.cookie_load_rc < 0)
		return err_set(err, ft.cookie_load_rc, "fake: cookie not "
		               "loaded");
	rc = vs_cookie_jar_line(&value, line, "vmware_soap_session", err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(err, ERR_EPARSE, "fake: not a "
		               "vmware_soap_session jar line");
	ck_assert_uint_lt(strlen(line), sizeof(ft.cookie_line));
	ck_assert_uint_lt(strlen(value), sizeof(ft.cookie));
	snprintf(ft.cookie_line, sizeof(ft.cookie_line), "%s", line);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", value);
	free(value);
	return 0;
}

void
ft_clear_checked(void)
{
	char mismatch[sizeof(ft.mismatch)];

	memcpy(mismatch, ft.mismatch, sizeof(mismatch));
	ft_clear();
	ck_assert_msg(mismatch[0] == '\0', "%s", mismatch);
}

void
ft_reset_empty(const char *save_as)
{
	ft_clear();
	ft.base.version = VS_TRANSPORT_VERSION;
	ft.base.roundtrip = fake_roundtrip;
	ft.base.finish = fake_finish;
	ft.base.cookie = fake_cookie;
	ft.base.cookie_save = fake_cookie_save;
	ft.base.cookie_load = fake_cookie_load;
	ft.base.free = fake_free;
	ft.clock = FT_CLOCK_START;
	snprintf(ft.save_as, sizeof(ft.save_as), "%s",
	         save_as != NULL ? save_as : "");
}

void
ft_reset(const char *save_as)
{
	ft_reset_empty(save_as);
	ft_reply_file("RetrieveServiceContent",
	              "vim/01_RetrieveServiceContent.response.xml");
	ft_reply_file("Login", "vim/02_Login.response.xml");
}

struct ft_step *
ft_step(const char *op, long status)
{
	struct ft_step *s;

	ck_assert_uint_lt(ft.nsteps, FT_MAX_STEPS);
	s = &ft.steps[ft.nsteps++];
	s->op = op;
	s->status = status;
	s->body = NULL;
	s->rc = 0;
	s->sent = false;
	s->claim_len = 0;
	s->content_type = NULL;
	s->download = false;
	return s;
}

void
ft_reply(const char *op, const char *inner)
{
	ft_step(op, 200)->body = ft_fmt(FT_ENV_HEAD "<%sResponse xmlns=\""
	                                "urn:vim25\">%s</%sResponse>"
	                                FT_ENV_TAIL, op, inner, op);
}

void
ft_reply_file(const char *op, const char *rel)
{
	ft_step(op, 200)->body = ft_read_data(rel);
}

void
ft_reply_http(const char *op, long status)
{
	ft_step(op, status)->body = strdup("");
}

void
ft_reply_raw(const char *op, long status, const char *body)
{
	ft_step(op, status)->body = ft_fmt("%s", body);
}

void
ft_fail(const char *op, int rc, bool sent)
{
	struct ft_step *s = ft_step(op, 0);

	s->rc = rc;
	s->sent = sent;
}

void
ft_fault(const char *op, const char *type)
{
	ft_step(op, 500)->body = ft_fmt(FT_ENV_HEAD "<soapenv:Fault>"
	    "<faultcode>ServerFaultCode</faultcode><faultstring>%s happened"
	    "</faultstring><detail><%sFault xmlns=\"urn:vim25\" xsi:type=\""
	    "%s\"></%sFault></detail></soapenv:Fault>" FT_ENV_TAIL, type,
	    type, type, type);
}

static double
clock_now(void *ud)
{
	(void)ud;
	return ft.clock;
}

static void
clock_sleep(void *ud, double s)
{
	(void)ud;
	ft.clock += s;
}

static void
log_sink(void *ud, int level, const char *msg)
{
	(void)ud;
	(void)level;
	snprintf(ft.last_log, sizeof(ft.last_log), "%s", msg);
}

void
ft_client_opts(struct vs_client_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->url = "https://vc.example:443/sdk";
	o->user = "u";
	o->password = "p";
	o->transport = &ft.base;
	o->log = log_sink;
	o->max_retries = -1;
	o->now = clock_now;
	o->sleep = clock_sleep;
}

struct vs_client *
ft_connect_opts(const struct vs_client_opts *o)
{
	struct vs_client *c = NULL;
	struct err err;

	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, o, &err), 0);
	ck_assert_msg(vs_client_connect(c, &err) == 0, "%s", err.message);
	return c;
}

struct vs_client *
ft_connect(void)
{
	struct vs_client_opts o;

	ft_client_opts(&o);
	return ft_connect_opts(&o);
}

const struct ft_req *
ft_req_at(size_t i)
{
	ck_assert_uint_lt(i + 2, ft.nreq);
	return &ft.req[i + 2];
}

const char *
ft_op_at(size_t i)
{
	return ft_req_at(i)->op;
}

const char *
ft_body_at(size_t i)
{
	const char *b = ft_req_at(i)->body;

	return b != NULL ? b : "";
}

size_t
ft_calls(void)
{
	return ft.nreq - 2 - ft.logouts;
}

void
ft_all_used(void)
{
	ck_assert_msg(ft.mismatch[0] == '\0', "%s", ft.mismatch);
	ck_assert_uint_eq(ft.next, ft.nsteps);  /* every reply was used */
}

void
ft_finish(struct vs_client *c)
{
	vs_client_free(c);
	ft_all_used();
}

void
ft_task(const char *op, const char *result, const char *fault_type)
{
	char *r, *inner;

	ft_reply(op, "<returnval type=\"Task\">task-1</returnval>");
	if (fault_type == NULL) {
		r = result != NULL ? ft_fmt("<propSet><name>info.result"
		    "</name><val xsi:type=\"ManagedObjectReference\" "
		    "type=\"VirtualMachine\">%s</val></propSet>", result) :
		    ft_fmt("%s", "");
		inner = ft_fmt("<returnval><objects><obj type=\"Task\">task-1"
		               "</obj><propSet><name>info.state</name><val "
		               "xsi:type=\"TaskInfoState\">success</val>"
		               "</propSet>%s</objects></returnval>", r);
		ft_reply("RetrievePropertiesEx", inner);
		free(inner);
		free(r);
		return;
	}
	ft_step("RetrievePropertiesEx", 200)->body = ft_fmt(FT_ENV_HEAD
	    "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>"
	    "<objects><obj type=\"Task\">task-1</obj><propSet><name>"
	    "info.state</name><val xsi:type=\"TaskInfoState\">error</val>"
	    "</propSet><propSet><name>info.error</name><val xsi:type=\""
	    "LocalizedMethodFault\"><fault xsi:type=\"%s\"></fault>"
	    "<localizedMessage>*types.%s</localizedMessage></val></propSet>"
	    "</objects></returnval></RetrievePropertiesExResponse>"
	    FT_ENV_TAIL, fault_type, fault_type);
}
