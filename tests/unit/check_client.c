/* Unit tests of vsphere/client.c and vsphere/files.c over a fake
 * transport: sessions, re-login, retries with injected sleeps, faults,
 * secrets kept out of logs, round-trip counting, datastore paths and
 * datastore file transfers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/files.h"
#include "vsphere/soap.h"
#include "vsphere/vsphere.h"

#define PASSWORD "s3cr&t<pw>\"'x"
#define PASSWORD_XML "s3cr&amp;t&lt;pw&gt;\"'x"
#define URL "https://vc.example:8443/sdk"

/* --- the shared fake, this suite's clock and log ------------------- */

/* The client owns its transport: the shared fake counts the frees
 * (ft.frees, also when vs_client_new fails) and finishes.  Replies come
 * from tests/data/soap. */

struct env {
	double clock;
	double sleeps[16];
	int nsleeps;
	char log[8192];
	int nwarn;
};

static struct env env;

static double
fake_now(void *ud)
{
	return ((struct env *)ud)->clock;
}

static void
fake_sleep(void *ud, double s)
{
	struct env *e = ud;

	ck_assert_int_lt(e->nsleeps, 16);
	e->sleeps[e->nsleeps++] = s;
	e->clock += s;
}

static void
capture_log(void *ud, int level, const char *msg)
{
	struct env *e = ud;
	size_t n = strlen(e->log);

	if (level == 2)
		e->nwarn++;
	snprintf(e->log + n, sizeof(e->log) - n, "%d %s\n", level, msg);
}

static void
setup(void)
{
	memset(&env, 0, sizeof(env));
	ft_reset_empty(NULL);
}

/* Every request answered what the test queued for it. */
static void
teardown(void)
{
	ft_clear_checked();
}

/* The reply to op: the file tests/data/soap/<file>. */
static void
add(const char *op, long status, const char *file)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "soap/%s", file);
	ft_step(op, status)->body = ft_read_data(rel);
}

/* add() with apiVersion 6.5 of the file replaced by api. */
static void
add_api(const char *op, const char *file, const char *api)
{
	const char *tag = "<apiVersion>6.5</apiVersion>";
	struct ft_step *st;
	char *body, *p;

	add(op, 200, file);
	st = &ft.steps[ft.nsteps - 1];
	body = st->body;
	p = strstr(body, tag);
	ck_assert_ptr_nonnull(p);
	st->body = ft_fmt("%.*s<apiVersion>%s</apiVersion>%s",
	                  (int)(p - body), body, api, p + strlen(tag));
	free(body);
}

static void
add_connect(void)
{
	add("RetrieveServiceContent", 200,
	    "RetrieveServiceContent.response.xml");
	add("Login", 200, "Login.response.xml");
}

/* Options over the shared fake with this suite's clock and log. */
static void
client_opts(struct vs_client_opts *o, int max_retries)
{
	memset(o, 0, sizeof(*o));
	o->url = URL;
	o->user = "admin";
	o->password = PASSWORD;
	o->transport = &ft.base;
	o->log = capture_log;
	o->log_ud = &env;
	o->max_retries = max_retries;
	o->now = fake_now;
	o->sleep = fake_sleep;
	o->clock_ud = &env;
}

static struct vs_client *
client_new(int max_retries)
{
	struct vs_client_opts o;
	struct vs_client *c = NULL;
	struct err err;

	client_opts(&o, max_retries);
	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* The set-up of most tests: the connect replies queued, a new client
 * connected without retries, err cleared. */
static struct vs_client *
client_connected(struct err *err)
{
	struct vs_client *c;

	add_connect();
	c = client_new(0);
	err_clear(err);
	ck_assert_int_eq(vs_client_connect(c, err), 0);
	return c;
}

static void
no_secret_in(const char *s)
{
	ck_assert_ptr_null(strstr(s, PASSWORD));
	ck_assert_ptr_null(strstr(s, PASSWORD_XML));
	ck_assert_ptr_null(strstr(s, "s3cr"));
	/* The session key of Login.response.xml. */
	ck_assert_ptr_null(strstr(s, "89ea95bd"));
}

static const struct vs_moref folder3 = { "Folder", "folder-3" };

static int
create_folder(struct vs_client *c, const char *name, struct vs_moref *out,
              struct err *err)
{
	xmlDocPtr req, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	rc = vs_soap_request_new(&req, &m, "CreateFolder", &folder3, err);
	ck_assert_int_eq(rc, 0);
	vs_soap_add_text(m, "name", name);
	rc = vs_client_call(c, req, &doc, &resp, err);
	if (rc == 0)
		rc = vs_xml_moref(out, vs_xml_child(resp, "returnval"), err);
	xmlFreeDoc(doc);
	return rc;
}

static int
retrieve(struct vs_client *c, struct err *err)
{
	static const struct vs_moref pc = { "PropertyCollector",
	                                    "propertyCollector" };
	xmlDocPtr req, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	rc = vs_soap_request_new(&req, &m, "RetrievePropertiesEx", &pc, err);
	ck_assert_int_eq(rc, 0);
	rc = vs_client_call(c, req, &doc, &resp, err);
	if (rc == 0)
		ck_assert_ptr_nonnull(vs_xml_child(resp, "returnval"));
	xmlFreeDoc(doc);
	return rc;
}

/* --- session ------------------------------------------------------- */

START_TEST(connect_and_soap_action)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref ref;
	const struct vs_service_content *sc;

	add_api("RetrieveServiceContent", "RetrieveServiceContent.response.xml",
	        "8.0.2.0");
	add("Login", 200, "Login.response.xml");
	add("CreateFolder", 200, "CreateFolder.response.xml");
	add("Logout", 200, "Logout.response.xml");
	c = client_new(0);
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), 0);
	ck_assert(vs_client_logged_in(c));
	ck_assert_uint_eq(ft.nreq, 2);
	ck_assert_str_eq(ft.req[0].op, "RetrieveServiceContent");
	ck_assert_str_eq(ft.req[0].method, "POST");
	ck_assert_str_eq(ft.req[0].url, URL);
	ck_assert_str_eq(ft.req[0].soap_action, VS_SOAP_ACTION_DEFAULT);
	ck_assert(!ft.req[0].sensitive);
	ck_assert_ptr_nonnull(strstr(ft.req[0].body,
		"<_this type=\"ServiceInstance\">ServiceInstance</_this>"));
	ck_assert_str_eq(ft.req[1].op, "Login");
	ck_assert_str_eq(ft.req[1].soap_action, "urn:vim25/8.0.2.0");
	ck_assert(ft.req[1].sensitive);
	ck_assert_ptr_nonnull(strstr(ft.req[1].body,
		"<_this type=\"SessionManager\">SessionManager</_this>"
		"<userName>admin</userName>"
		"<password>" PASSWORD_XML "</password>"));
	sc = vs_client_sc(c);
	ck_assert_str_eq(sc->root_folder.value, "group-d1");
	ck_assert_str_eq(sc->property_collector.value, "propertyCollector");
	ck_assert_str_eq(sc->file_manager.type, "FileManager");
	ck_assert_str_eq(sc->virtual_disk_manager.value,
	                 "virtualDiskManager");
	ck_assert_str_eq(sc->api_version, "8.0.2.0");
	ck_assert_str_eq(sc->api_type, "VirtualCenter");
	ck_assert_str_eq(vs_client_base_url(c), "https://vc.example:8443");
	ck_assert_uint_eq(vs_client_roundtrips(c), 2);

	ck_assert_int_eq(create_folder(c, "bosh_vms", &ref, &err), 0);
	ck_assert_str_eq(ref.value, "folder-71");
	ck_assert_str_eq(ft.req[2].soap_action, "urn:vim25/8.0.2.0");
	ck_assert(!ft.req[2].sensitive);
	ck_assert_uint_eq(vs_client_roundtrips(c), 3);

	ck_assert_int_eq(vs_client_close(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 4);
	ck_assert_str_eq(ft.req[3].op, "Logout");
	ck_assert_int_eq(ft.finishes, 1);
	ck_assert(!vs_client_logged_in(c));
	ck_assert_uint_eq(vs_client_roundtrips(c), 4);
	vs_client_free(c);      /* nothing more is sent */
	ck_assert_int_eq(ft.frees, 1);
	no_secret_in(env.log);
}
END_TEST

START_TEST(bad_api_version_keeps_default)
{
	struct vs_client *c;
	struct err err;

	add_api("RetrieveServiceContent", "RetrieveServiceContent.response.xml",
	        "8.0\"; rm -rf");
	add("Login", 200, "Login.response.xml");
	add("Logout", 200, "Logout.response.xml");
	c = client_new(0);
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), 0);
	ck_assert_str_eq(ft.req[1].soap_action, VS_SOAP_ACTION_DEFAULT);
	ck_assert_str_eq(vs_client_api_version(c), "");
	ck_assert_int_eq(env.nwarn, 1);
	vs_client_free(c);
	ck_assert_uint_eq(ft.frees, 1);
}
END_TEST

START_TEST(relogin_on_not_authenticated)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref ref;

	c = client_connected(&err);
	add("CreateFolder", 500, "AfterLogout_CreateFolder.response.xml");
	add("Login", 200, "Login.response.xml");
	add("CreateFolder", 200, "CreateFolder.response.xml");
	add("Logout", 200, "Logout.response.xml");
	ck_assert_int_eq(create_folder(c, "bosh_vms", &ref, &err), 0);
	ck_assert_int_eq(err.code, 0);
	ck_assert_str_eq(ref.value, "folder-71");
	ck_assert_uint_eq(ft.nreq, 5);
	ck_assert_str_eq(ft.req[2].op, "CreateFolder");
	ck_assert_str_eq(ft.req[3].op, "Login");
	ck_assert_str_eq(ft.req[4].op, "CreateFolder");
	ck_assert_str_eq(ft.req[2].body, ft.req[4].body);
	ck_assert_uint_eq(vs_client_roundtrips(c), 5);
	ck_assert_int_eq(env.nsleeps, 0);
	vs_client_free(c);
	ck_assert_int_eq(ft.frees, 1);
	no_secret_in(env.log);
}
END_TEST

START_TEST(second_not_authenticated_is_an_error)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref ref;

	c = client_connected(&err);
	add("CreateFolder", 500, "AfterLogout_CreateFolder.response.xml");
	add("Login", 200, "Login.response.xml");
	add("CreateFolder", 500, "AfterLogout_CreateFolder.response.xml");
	add("Login", 200, "Login.response.xml");      /* must stay unused */
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NotAuthenticated");
	ck_assert(!err.transient);
	ck_assert_ptr_nonnull(strstr(err.message,
	                             "CreateFolder: NotAuthenticated"));
	ck_assert_uint_eq(ft.nreq, 5);
	ck_assert_uint_eq(ft.next, 5);
	ck_assert_uint_eq(vs_client_roundtrips(c), 5);
	vs_client_free(c);
	no_secret_in(env.log);
	no_secret_in(err.message);
}
END_TEST

START_TEST(missing_set_not_authenticated)
{
	struct vs_client *c;
	struct err err;

	c = client_connected(&err);
	add("RetrievePropertiesEx", 200,
	    "AfterLogout_RetrievePropertiesEx.response.xml");
	add("Login", 200, "Login.response.xml");
	add("RetrievePropertiesEx", 200,
	    "RetrievePropertiesEx_datacenters.response.xml");
	add("RetrievePropertiesEx", 200,
	    "AfterLogout_RetrievePropertiesEx.response.xml");
	add("Login", 200, "Login.response.xml");
	add("RetrievePropertiesEx", 200,
	    "AfterLogout_RetrievePropertiesEx.response.xml");
	add("Logout", 200, "Logout.response.xml");
	ck_assert_int_eq(retrieve(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 5);
	ck_assert_str_eq(ft.req[3].op, "Login");
	ck_assert_str_eq(ft.req[4].op, "RetrievePropertiesEx");

	/* Refused again right after the re-login: an error, no loop. */
	ck_assert_int_eq(retrieve(c, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NotAuthenticated");
	ck_assert_uint_eq(ft.nreq, 8);
	ck_assert_uint_eq(vs_client_roundtrips(c), 8);
	vs_client_free(c);
}
END_TEST

START_TEST(retry_503_with_backoff)
{
	struct vs_client *c;
	struct err err;

	add("RetrieveServiceContent", 200,
	    "RetrieveServiceContent.response.xml");
	ft_reply_raw("Login", 503, "<html>busy</html>");
	ft_reply_raw("Login", 503, "");
	ft_fail("Login", ERR_ETIMEOUT, false);
	add("Login", 200, "Login.response.xml");
	add("Logout", 200, "Logout.response.xml");
	c = client_new(0);
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), 0);
	ck_assert_int_eq(err.code, 0);
	ck_assert_int_eq(env.nsleeps, 3);
	ck_assert(env.sleeps[0] == 0.5);
	ck_assert(env.sleeps[1] == 1.0);
	ck_assert(env.sleeps[2] == 2.0);
	ck_assert(vs_client_now(c) == 3.5);
	ck_assert_int_eq(env.nwarn, 3);
	ck_assert_ptr_nonnull(strstr(env.log, "Login: attempt 1 of 5 failed "
	                             "(HTTP 503 Service Unavailable)"));
	ck_assert_ptr_nonnull(strstr(env.log, "attempt 3 of 5"));
	ck_assert_uint_eq(vs_client_roundtrips(c), 5);
	/* Every attempt sent the same request. */
	ck_assert_str_eq(ft.req[1].body, ft.req[4].body);
	vs_client_free(c);
	no_secret_in(env.log);
}
END_TEST

START_TEST(enet_retried_up_to_max)
{
	struct vs_client *c;
	struct err err;

	add("RetrieveServiceContent", 200,
	    "RetrieveServiceContent.response.xml");
	ft_fail("Login", ERR_ENET, false);
	ft_fail("Login", ERR_ENET, false);
	ft_fail("Login", ERR_ENET, false);
	ft_fail("Login", ERR_ENET, false);   /* must stay unused */
	c = client_new(2);
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), ERR_ENET);
	ck_assert_int_eq(err.code, ERR_ENET);
	ck_assert(err.transient);
	ck_assert_uint_eq(ft.nreq, 4);
	ck_assert_int_eq(env.nsleeps, 2);
	ck_assert(env.sleeps[0] == 0.5 && env.sleeps[1] == 1.0);
	ck_assert_str_eq(err.message, "Login: gave up after 3 attempts: "
	                 "fake transport failure -4 to vc.example");
	ck_assert(!vs_client_logged_in(c));
	vs_client_free(c);      /* not logged in: no Logout */
	ck_assert_int_eq(ft.frees, 1);
}
END_TEST

/* The deadline bounds retries and waits (fake clock): the backoff is
 * cut to the time left, each exchange is told its time left, and the
 * answer is the deadline, transient. */
START_TEST(deadline_bounds_retries)
{
	struct vs_client_opts o;
	struct vs_client *c = NULL;
	struct err err;
	int i;

	add("RetrieveServiceContent", 200,
	    "RetrieveServiceContent.response.xml");
	for (i = 0; i < 5; i++)
		ft_fail("Login", ERR_ENET, false);
	client_opts(&o, 0);
	o.deadline_s = 2;
	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	ck_assert_int_eq(vs_client_connect(c, &err), ERR_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert_str_eq(err.message, "Login: deadline of 2 s exceeded "
	                 "(connection_options.deadline_seconds)");
	ck_assert_uint_eq(ft.nreq, 4);
	ck_assert_int_eq(env.nsleeps, 3);
	ck_assert(env.sleeps[0] == 0.5 && env.sleeps[1] == 1.0 &&
	          env.sleeps[2] == 0.5);
	ck_assert(ft.req[0].time_left_s == 2.0 &&
	          ft.req[2].time_left_s == 1.5 &&
	          ft.req[3].time_left_s == 0.5);
	/* the last failure is logged */
	ck_assert_ptr_nonnull(strstr(env.log, "fake transport failure -4"));
	/* no wait runs past it */
	vs_client_sleep(c, 5);
	ck_assert_int_eq(env.nsleeps, 3);
	/* cleaning up: the allowance (default min(15 s, deadline)) */
	vs_client_cleanup(c);
	vs_client_sleep(c, 5);
	ck_assert_int_eq(env.nsleeps, 4);
	ck_assert(env.sleeps[3] == 2.0);
	vs_client_free(c);
	ck_assert_int_eq(ft.frees, 1);
}
END_TEST

/* A lost reply to a request that creates something (Login here, as
 * CloneVM_Task or CreateFolder) is not sent again: a second send could
 * make a second session, VM or folder.  A read is sent again. */
START_TEST(lost_reply_not_resent_unless_idempotent)
{
	struct vs_client *c;
	struct err err;

	ft_fail("RetrieveServiceContent", ERR_ENET, true);  /* resent */
	add("RetrieveServiceContent", 200,
	    "RetrieveServiceContent.response.xml");
	ft_fail("Login", ERR_ETIMEOUT, true);     /* not resent */
	add("Login", 200, "Login.response.xml");      /* must stay unused */
	c = client_new(3);
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), ERR_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert(err.maybe_sent);
	ck_assert_uint_eq(ft.nreq, 3);
	ck_assert_str_eq(ft.req[0].op, "RetrieveServiceContent");
	ck_assert_str_eq(ft.req[1].op, "RetrieveServiceContent");
	ck_assert_str_eq(ft.req[2].op, "Login");
	ck_assert_ptr_nonnull(strstr(err.message, "Login: reply lost, not "
	                             "resent"));
	ck_assert(!vs_client_logged_in(c));
	vs_client_free(c);
}
END_TEST

START_TEST(backoff_capped)
{
	struct vs_client_opts o;
	struct vs_client *c;
	struct err err;
	int i;

	add("RetrieveServiceContent", 200,
	    "RetrieveServiceContent.response.xml");
	for (i = 0; i < 7; i++)
		ft_reply_raw("Login", 503, "");
	client_opts(&o, 6);
	o.retry_base_s = 3;
	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	ck_assert_int_eq(vs_client_connect(c, &err), ERR_EHTTP);
	ck_assert_int_eq(err.http_status, 503);
	ck_assert(err.transient);
	ck_assert_int_eq(env.nsleeps, 6);
	ck_assert(env.sleeps[0] == 3 && env.sleeps[1] == 6);
	for (i = 2; i < 6; i++)
		ck_assert(env.sleeps[i] == 8);
	ck_assert_uint_eq(vs_client_roundtrips(c), 8);
	vs_client_free(c);
}
END_TEST

START_TEST(faults_never_retried)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref ref;

	c = client_connected(&err);
	add("CreateFolder", 500, "CreateFolder_dup.response.xml");
	add("Logout", 200, "Logout.response.xml");
	ck_assert_int_eq(create_folder(c, "bosh_vms", &ref, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "DuplicateName");
	ck_assert_str_eq(err.message, "CreateFolder: DuplicateName");
	ck_assert_int_eq(err.http_status, 500);
	ck_assert(!err.transient);
	ck_assert_uint_eq(ft.nreq, 3);
	ck_assert_int_eq(env.nsleeps, 0);
	/* Logout still happens at the end, after the error. */
	vs_client_free(c);
	ck_assert_int_eq(ft.frees, 1);
}
END_TEST

START_TEST(free_logs_out_after_error)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref ref;

	c = client_connected(&err);
	ft_fail("CreateFolder", ERR_ETLS, false);
	add("Logout", 200, "Logout.response.xml");
	/* TLS failures are not transient: no retry. */
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_ETLS);
	ck_assert(!err.transient);
	ck_assert_uint_eq(ft.nreq, 3);
	ck_assert_uint_eq(ft.finishes, 0);
	vs_client_free(c);
	/* the fake outlives the client: the last request is the Logout */
	ck_assert_str_eq(ft.req[ft.nreq - 1].op, "Logout");
	ck_assert_int_eq(ft.finishes, 1);
}
END_TEST

START_TEST(logout_failure_only_logged)
{
	struct vs_client *c;
	struct err err;

	c = client_connected(&err);
	ft_fail("Logout", ERR_ETLS, false);
	vs_client_free(c);
	ck_assert_int_eq(ft.frees, 1);
	ck_assert_ptr_nonnull(strstr(env.log, "2 closing the vCenter session: "
	                             "Logout: fake transport failure"));
}
END_TEST

START_TEST(invalid_login)
{
	struct vs_client *c;
	struct err err;

	add("RetrieveServiceContent", 200,
	    "RetrieveServiceContent.response.xml");
	add("Login", 500, "Login_again.response.xml");
	c = client_new(0);
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidLogin");
	ck_assert(!err.transient);
	ck_assert_str_eq(err.message, "Login: InvalidLogin: Login failure");
	ck_assert(!vs_client_logged_in(c));
	ck_assert_uint_eq(vs_client_roundtrips(c), 2);
	ck_assert_int_eq(env.nsleeps, 0);
	vs_client_free(c);
	/* No Logout without a session. */
	ck_assert_str_eq(ft.req[ft.nreq - 1].op, "Login");
	no_secret_in(env.log);
}
END_TEST

START_TEST(relogin_failure_reported)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref ref;

	c = client_connected(&err);
	add("CreateFolder", 500, "AfterLogout_CreateFolder.response.xml");
	add("Login", 500, "Login_again.response.xml");
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidLogin");
	ck_assert_str_eq(err.message, "CreateFolder: re-login failed: Login: "
	                 "InvalidLogin: Login failure");
	ck_assert_uint_eq(ft.nreq, 4);
	ck_assert(!vs_client_logged_in(c));
	vs_client_free(c);
	no_secret_in(env.log);
}
END_TEST

START_TEST(http_errors)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref ref;

	c = client_connected(&err);
	ft_reply_raw("CreateFolder", 404, "<html>not here</html>");
	ft_reply_raw("CreateFolder", 500, "<html>oops</html>");
	ft_reply_raw("CreateFolder", 200, "<not-soap/>");
	/* wrong response element */
	add("CreateFolder", 200, "Login.response.xml");
	add("CreateFolder", 200, "CreateFolder.response.xml");
	ft.steps[ft.nsteps - 1].claim_len = VS_SOAP_MAX_REPLY + 1;
	ft_reply_raw("CreateFolder", 502, "");
	add("Logout", 200, "Logout.response.xml");

	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EHTTP);
	ck_assert_int_eq(err.http_status, 404);
	ck_assert_str_eq(err.message, "CreateFolder: HTTP status 404");
	ck_assert(!err.transient);
	err_clear(&err);
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EHTTP);
	ck_assert_int_eq(err.http_status, 500);
	err_clear(&err);
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "refused"));
	err_clear(&err);
	ck_assert_int_eq(create_folder(c, "x", &ref, &err), ERR_EHTTP);
	ck_assert_int_eq(err.http_status, 502);
	ck_assert(err.transient);
	ck_assert_int_eq(env.nsleeps, 0);
	ck_assert_uint_eq(vs_client_roundtrips(c), 8);
	vs_client_free(c);
}
END_TEST

START_TEST(new_validates)
{
	static const char *const bad_urls[] = {
		"ftp://vc/sdk", "https://user:pw@vc/sdk", "https:///sdk",
		"https://vc /sdk", "https://vc/sd\nk", "vc.example", NULL,
	};
	struct vs_client_opts o;
	struct vs_client *c;
	struct err err;
	size_t i;

	for (i = 0; bad_urls[i] != NULL; i++) {
		memset(&o, 0, sizeof(o));
		o.url = bad_urls[i];
		o.user = "u";
		o.password = "p";
		o.transport = &ft.base;
		err_clear(&err);
		c = (struct vs_client *)1;
		ck_assert_int_eq(vs_client_new(&c, &o, &err), ERR_EINVAL);
		ck_assert_ptr_null(c);
		ck_assert_uint_eq(ft.frees, i + 1);
		/* The URL may hold credentials: never echoed. */
		ck_assert_ptr_null(strstr(err.message, "pw@"));
	}
	memset(&o, 0, sizeof(o));
	o.url = URL;
	o.user = "";
	o.password = "p";
	o.transport = &ft.base;
	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), ERR_EINVAL);
	ck_assert_uint_eq(ft.frees, i + 1);
	o.transport = NULL;
	o.user = "u";
	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), ERR_EINVAL);
	vs_client_free(NULL);
}
END_TEST

START_TEST(raw_http_relative_url)
{
	struct vs_client *c;
	struct err err;
	struct vs_http_request req;
	struct vs_http_response resp;

	ft_reply_raw("file-get", 503, "");
	ft_reply_raw("file-get", 200, "hello");
	ft_reply_raw("file-get", 200, "");
	c = client_new(0);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = "/folder/x?dsName=a";
	req.op = "file-get";
	err_clear(&err);
	ck_assert_int_eq(vs_client_http(c, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body, "hello");
	vs_http_response_clear(&resp);
	ck_assert_str_eq(ft.req[0].url,
	                 "https://vc.example:8443/folder/x?dsName=a");
	ck_assert_str_eq(ft.req[1].url, ft.req[0].url);
	ck_assert_int_eq(env.nsleeps, 1);
	req.url = "https://esx.example/nfc/x/disk-0.vmdk";
	ck_assert_int_eq(vs_client_http(c, &req, &resp, &err), 0);
	ck_assert_str_eq(ft.req[2].url, req.url);
	vs_http_response_clear(&resp);
	ck_assert_uint_eq(vs_client_roundtrips(c), 3);
	vs_client_free(c);
}
END_TEST

START_TEST(default_clock)
{
	struct vs_client_opts o;
	struct vs_client *c;
	struct err err;
	double t0, t1;

	memset(&o, 0, sizeof(o));
	o.url = URL;
	o.user = "u";
	o.password = "p";
	o.transport = &ft.base;
	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	t0 = vs_client_now(c);
	vs_client_sleep(c, 0.05);
	vs_client_sleep(c, -1);
	t1 = vs_client_now(c);
	ck_assert_msg(t1 - t0 >= 0.05 && t1 - t0 < 5, "slept %f s", t1 - t0);
	vs_client_free(c);
}
END_TEST

/* --- datastore paths ----------------------------------------------- */

struct path_case {
	const char *in;
	const char *ds;     /* NULL: refused */
	const char *path;
};

static const struct path_case path_cases[] = {
	{ "[LocalDS_0] disks/sub", "LocalDS_0", "disks/sub" },
	{ "[LocalDS_0]", "LocalDS_0", "" },
	{ "[LocalDS_0] ", "LocalDS_0", "" },
	{ "[ds]dir/f.vmdk", "ds", "dir/f.vmdk" },
	{ "[datastore 1 (2)] my vm/my vm.vmx", "datastore 1 (2)",
	  "my vm/my vm.vmx" },
	{ "[ds] a/b/", "ds", "a/b" },
	{ "[ds] a [1]/b]", "ds", "a [1]/b]" },
	{ "[d\xc3\xa4t\xc3\xa4] \xe6\x97\xa5\xe6\x9c\xac/f",
	  "d\xc3\xa4t\xc3\xa4", "\xe6\x97\xa5\xe6\x9c\xac/f" },
	{ "[ds] ..x/x..", "ds", "..x/x.." },
	{ "", NULL, NULL },
	{ "ds/path", NULL, NULL },
	{ "[] path", NULL, NULL },
	{ "[ds path", NULL, NULL },
	{ "[[ds]] x", NULL, NULL },
	{ "[ ds] x", NULL, NULL },
	{ "[ds ] x", NULL, NULL },
	{ "[ds] ../etc", NULL, NULL },
	{ "[ds] a/../../b", NULL, NULL },
	{ "[ds] a/..", NULL, NULL },
	{ "[ds] ./a", NULL, NULL },
	{ "[ds] /abs", NULL, NULL },
	{ "[ds] a//b", NULL, NULL },
	{ "[ds] a\\b", NULL, NULL },
	{ "[ds] a\nb", NULL, NULL },
	{ "[ds] a\tb", NULL, NULL },
	{ "[d\x01s] a", NULL, NULL },
	{ "[ds] \xc0\xae\xc0\xae/x", NULL, NULL },
	{ "[ds] \xff", NULL, NULL },
	{ "[ds] a//", NULL, NULL },
};

START_TEST(ds_path_table)
{
	const struct path_case *pc = &path_cases[_i];
	struct vs_ds_path p;
	struct err err;
	char *s;
	int rc;

	err_clear(&err);
	rc = vs_ds_path_parse(&p, pc->in, &err);
	if (pc->ds == NULL) {
		ck_assert_int_eq(rc, ERR_EINVAL);
		ck_assert_ptr_null(p.datastore);
		ck_assert_ptr_null(p.path);
		ck_assert_ptr_null(strchr(err.message, '\n'));
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(p.datastore, pc->ds);
	ck_assert_str_eq(p.path, pc->path);
	/* Formatting gives a path that parses to the same parts. */
	ck_assert_int_eq(vs_ds_path_format(&s, p.datastore, p.path, &err), 0);
	vs_ds_path_clear(&p);
	ck_assert_int_eq(vs_ds_path_parse(&p, s, &err), 0);
	ck_assert_str_eq(p.datastore, pc->ds);
	ck_assert_str_eq(p.path, pc->path);
	free(s);
	vs_ds_path_clear(&p);
	vs_ds_path_clear(&p);
}
END_TEST

START_TEST(ds_path_format_and_url)
{
	struct vs_ds_path p;
	struct err err;
	char *s, *long_s;

	err_clear(&err);
	ck_assert_int_eq(vs_ds_path_format(&s, "ds", "a/b.vmdk", &err), 0);
	ck_assert_str_eq(s, "[ds] a/b.vmdk");
	free(s);
	ck_assert_int_eq(vs_ds_path_format(&s, "ds", NULL, &err), 0);
	ck_assert_str_eq(s, "[ds]");
	free(s);
	ck_assert_int_eq(vs_ds_path_format(&s, "d]s", "a", &err), ERR_EINVAL);
	ck_assert_ptr_null(s);
	err_clear(&err);
	ck_assert_int_eq(vs_ds_path_format(&s, "ds", "../a", &err),
	                 ERR_EINVAL);
	err_clear(&err);
	long_s = malloc(VS_DS_PATH_MAX + 10);
	memset(long_s, 'a', VS_DS_PATH_MAX + 9);
	long_s[VS_DS_PATH_MAX + 9] = '\0';
	ck_assert_int_eq(vs_ds_path_format(&s, "ds", long_s, &err),
	                 ERR_EINVAL);
	err_clear(&err);
	long_s[0] = '[';
	long_s[1] = 'x';
	long_s[2] = ']';
	ck_assert_int_eq(vs_ds_path_parse(&p, long_s, &err), ERR_EINVAL);
	free(long_s);

	err_clear(&err);
	ck_assert_int_eq(vs_ds_path_parse(&p, "[Local DS&1] my vm/a+b "
	                                  "[1]%.txt", &err), 0);
	ck_assert_int_eq(vs_ds_path_url(&s, &p, "f/DC 0?&=", &err), 0);
	ck_assert_str_eq(s, "/folder/my%20vm/a%2Bb%20%5B1%5D%25.txt"
	                 "?dcPath=f%2FDC%200%3F%26%3D&dsName=Local%20DS%261");
	free(s);
	ck_assert_int_eq(vs_ds_path_url(&s, &p, "", &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_ds_path_url(&s, &p, "D\nC", &err), ERR_EINVAL);
	vs_ds_path_clear(&p);
	err_clear(&err);
	ck_assert_int_eq(vs_ds_path_parse(&p, "[ds] \xc3\xa4", &err), 0);
	ck_assert_int_eq(vs_ds_path_url(&s, &p, "DC0", &err), 0);
	ck_assert_str_eq(s, "/folder/%C3%A4?dcPath=DC0&dsName=ds");
	free(s);
	vs_ds_path_clear(&p);
}
END_TEST

/* --- datastore files over the fake --------------------------------- */

START_TEST(file_transfers)
{
	struct vs_client *c;
	struct err err;
	char *data;
	size_t len;

	ft_reply_raw("file-put", 200, "");
	ft_reply_raw("file-put", 201, "");
	ft_reply_raw("file-get", 200, "file bytes\001\002");
	ft_reply_raw("file-get", 404, "Not Found");
	ft_reply_raw("file-put", 500, "boom");
	ft_reply_raw("file-get", 200, "");      /* must stay unused */
	c = client_new(0);
	err_clear(&err);
	ck_assert_int_eq(vs_file_upload_mem(c, "DC0",
	                                    "[LocalDS_0] a b/env.json", "{}", 2,
	                                    true, &err), 0);
	ck_assert_str_eq(ft.req[0].method, "PUT");
	ck_assert_str_eq(ft.req[0].op, "file-put");
	ck_assert_str_eq(ft.req[0].url, "https://vc.example:8443/folder/"
	                 "a%20b/env.json?dcPath=DC0&dsName=LocalDS_0");
	ck_assert(ft.req[0].sensitive);
	ck_assert_str_eq(ft.req[0].body, "{}");
	ck_assert_int_eq(vs_file_upload_mem(c, "DC0", "[LocalDS_0] x", "", 0,
	                                    false, &err), 0);
	ck_assert(!ft.req[1].sensitive);
	ck_assert_int_eq(vs_file_download_mem(&data, &len, c, "DC0",
	                                      "[LocalDS_0] x", &err), 0);
	ck_assert_str_eq(ft.req[2].method, "GET");
	ck_assert_uint_eq(len, 12);
	ck_assert_mem_eq(data, "file bytes\001\002", 12);
	free(data);
	ck_assert_int_eq(vs_file_download_mem(&data, &len, c, "DC0",
	                                      "[LocalDS_0] gone", &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(data);
	ck_assert_int_eq(err.http_status, 404);
	ck_assert_str_eq(err.message, "GET [LocalDS_0] gone: not found on "
	                 "the datastore (HTTP 404)");
	err_clear(&err);
	ck_assert_int_eq(vs_file_upload_mem(c, "DC0", "[LocalDS_0] x", "a", 1,
	                                    false, &err), ERR_EHTTP);
	ck_assert_int_eq(err.http_status, 500);
	err_clear(&err);
	/* Hostile paths never reach the transport. */
	ck_assert_int_eq(vs_file_upload_mem(c, "DC0", "[LocalDS_0] ../x",
	                                    "a", 1, false, &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_file_download_mem(&data, &len, c, "DC0",
	                                      "[LocalDS_0]", &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_file_download(c, "DC0", "[LocalDS_0] x", NULL,
	                                  &err), ERR_EINVAL);
	ck_assert_uint_eq(ft.nreq, 5);
	vs_client_free(c);
}
END_TEST

static const struct vs_moref dc0 = { "Datacenter", "datacenter-2" };

START_TEST(make_directory)
{
	struct vs_client *c;
	struct err err;

	add_connect();
	add("MakeDirectory", 200, "MakeDirectory.response.xml");
	add("MakeDirectory", 500, "MakeDirectory_exists.response.xml");
	add("MakeDirectory", 500, "CreateFolder_dup.response.xml");
	add("Logout", 200, "Logout.response.xml");
	c = client_new(0);
	err_clear(&err);
	ck_assert_int_eq(vs_file_make_directory(c, &dc0, "[LocalDS_0]disks/",
	                                        true, &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_uint_eq(ft.nreq, 0);
	ck_assert_int_eq(vs_client_connect(c, &err), 0);
	ck_assert_int_eq(vs_file_make_directory(c, &dc0, "[LocalDS_0]disks/",
	                                        true, &err), 0);
	ck_assert_ptr_nonnull(strstr(ft.req[2].body,
		"<MakeDirectory xmlns=\"urn:vim25\">"
		"<_this type=\"FileManager\">FileManager</_this>"
		"<name>[LocalDS_0] disks</name>"
		"<datacenter type=\"Datacenter\">datacenter-2</datacenter>"
		"<createParentDirectories>true</createParentDirectories>"
		"</MakeDirectory>"));
	ck_assert_int_eq(vs_file_make_directory(c, &dc0, "[LocalDS_0] disks",
	                                        false, &err), 0);
	ck_assert_int_eq(err.code, 0);
	ck_assert_ptr_nonnull(strstr(ft.req[3].body,
		"<createParentDirectories>false</createParentDirectories>"));
	ck_assert_int_eq(vs_file_make_directory(c, &dc0, "[LocalDS_0] d",
	                                        false, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "DuplicateName");
	err_clear(&err);
	ck_assert_int_eq(vs_file_make_directory(c, &dc0, "[LocalDS_0] ../d",
	                                        false, &err), ERR_EINVAL);
	ck_assert_int_eq(vs_file_make_directory(c, NULL, "[LocalDS_0] d",
	                                        false, &err), ERR_EINVAL);
	ck_assert_uint_eq(ft.nreq, 5);
	vs_client_free(c);
}
END_TEST

START_TEST(delete_file)
{
	struct vs_client *c;
	struct err err;

	c = client_connected(&err);
	add("DeleteDatastoreFile_Task", 200,
	    "DeleteDatastoreFile_Task.response.xml");
	add("RetrievePropertiesEx", 200,
	    "DeleteDatastoreFile_Task.task.response.xml");
	add("DeleteDatastoreFile_Task", 200,
	    "DeleteDatastoreFile_Task_missing.response.xml");
	add("RetrievePropertiesEx", 200,
	    "DeleteDatastoreFile_Task_missing.task.response.xml");
	add("Logout", 200, "Logout.response.xml");
	ck_assert_int_eq(vs_file_delete(c, &dc0, "[LocalDS_0] disks", &err),
	                 0);
	ck_assert_ptr_nonnull(strstr(ft.req[2].body,
		"<DeleteDatastoreFile_Task xmlns=\"urn:vim25\">"
		"<_this type=\"FileManager\">FileManager</_this>"
		"<name>[LocalDS_0] disks</name>"
		"<datacenter type=\"Datacenter\">datacenter-2</datacenter>"
		"</DeleteDatastoreFile_Task>"));
	ck_assert_str_eq(ft.req[3].op, "RetrievePropertiesEx");
	ck_assert_int_eq(vs_file_delete(c, &dc0, "[LocalDS_0] disks", &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(err.fault, "FileNotFound");
	ck_assert_ptr_nonnull(strstr(err.message, "[LocalDS_0] disks"));
	ck_assert_uint_eq(ft.nreq, 6);
	vs_client_free(c);
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("session");
	TCase *tf = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tf, setup, teardown);

	tcase_add_test(tc, connect_and_soap_action);
	tcase_add_test(tc, bad_api_version_keeps_default);
	tcase_add_test(tc, relogin_on_not_authenticated);
	tcase_add_test(tc, second_not_authenticated_is_an_error);
	tcase_add_test(tc, missing_set_not_authenticated);
	tcase_add_test(tc, retry_503_with_backoff);
	tcase_add_test(tc, enet_retried_up_to_max);
	tcase_add_test(tc, deadline_bounds_retries);
	tcase_add_test(tc, lost_reply_not_resent_unless_idempotent);
	tcase_add_test(tc, backoff_capped);
	tcase_add_test(tc, faults_never_retried);
	tcase_add_test(tc, free_logs_out_after_error);
	tcase_add_test(tc, logout_failure_only_logged);
	tcase_add_test(tc, invalid_login);
	tcase_add_test(tc, relogin_failure_reported);
	tcase_add_test(tc, http_errors);
	tcase_add_test(tc, new_validates);
	tcase_add_test(tc, raw_http_relative_url);
	tcase_add_test(tc, default_clock);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tf, ds_path_table, 0,
	                    sizeof(path_cases) / sizeof(path_cases[0]));
	tcase_add_test(tf, ds_path_format_and_url);
	tcase_add_test(tf, file_transfers);
	tcase_add_test(tf, make_directory);
	tcase_add_test(tf, delete_file);
	suite_add_tcase(s, tf);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
