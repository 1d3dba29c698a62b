/*
 * tests/unit/check_session.c: the vCenter session kept between CPI
 * processes over the fake transport: vsphere/session.c (vs_session_save,
 * vs_session_resume, keeping or logging out on close, the re-login of a
 * refused session), vsphere/service_content.c's saved lines, and
 * cpi/session_keep.c (the file's name, keeping and taking it in a
 * private directory).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "base/digest.h"
#include "base/uuid.h"
#include "cpi/config.h"
#include "cpi/dispatch.h"
#include "cpi/log.h"
#include "cpi/session_keep.h"
#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/soap.h"
#include "vsphere/vsphere.h"

/* The fake's client: https://vc.example:443/sdk, user "u", password "p"
 * (ft_client_opts). */
#define BASE "https://vc.example:443"
#define COOKIE "52a1f0e2-7c1d-session"
#define JAR FT_JAR_HEAD COOKIE
#define MAX_AGE 600
#define SINCE 1700000000LL
#define NOW (SINCE + 5)

/* A saved session as vs_session_save() writes it, its service content
 * told apart from tests/data/vim's (rootFolder group-saved, API
 * 8.0.2.0), so that a test sees which one the client uses. */
#define T_MAGIC "vsphere-cpi-session 1\n"
#define T_VC "vcenter " BASE "\n"
#define T_SINCE "since 1700000000\n"
#define T_ABOUT "about VirtualCenter 8.0.2.0\n"
#define T_ROOT "moref rootFolder Folder group-saved\n"
#define T_PC "moref propertyCollector PropertyCollector propertyCollector\n"
#define T_SM "moref sessionManager SessionManager SessionManager\n"
#define T_COOKIE "cookie " JAR "\n"
#define T_REFS T_ROOT T_PC T_SM
#define T_GOOD T_MAGIC T_VC T_SINCE T_ABOUT T_REFS T_COOKIE

static void
setup(void)
{
	ft_reset_empty(NULL);
}

/* Every request answered what the test queued for it. */
static void
teardown(void)
{
	ft_clear_checked();
}

/* A new client over the fake, not connected: a new process. */
static struct vs_client *
client_new(void)
{
	struct vs_client_opts o;
	struct vs_client *c = NULL;
	struct err err;

	ft_client_opts(&o);
	err_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* RetrievePropertiesEx on the client's property collector, answered by
 * what the test queued. */
static int
retrieve(struct vs_client *c, struct err *err)
{
	xmlDocPtr req, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	rc = vs_soap_request_new(&req, &m, "RetrievePropertiesEx",
	                         &vs_client_sc(c)->property_collector, err);
	ck_assert_int_eq(rc, 0);
	rc = vs_client_call(c, req, &doc, &resp, err);
	if (rc == 0)
		ck_assert_ptr_nonnull(vs_xml_child(resp, "returnval"));
	xmlFreeDoc(doc);
	return rc;
}

static void
reply_retrieve(void)
{
	ft_reply("RetrievePropertiesEx", "<returnval><token>t-1</token>"
	         "</returnval>");
}

/* How many requests for op the fake saw. */
static size_t
count_op(const char *op)
{
	size_t i, n = 0;

	for (i = 0; i < ft.nreq; i++)
		n += strcmp(ft.req[i].op, op) == 0;
	return n;
}

/* A client that took T_GOOD: no request yet. */
static struct vs_client *
resumed(void)
{
	struct vs_client *c = client_new();
	const char *why = "unset";
	struct err err;

	err_clear(&err);
	ck_assert_int_eq(vs_session_resume(&why, c, T_GOOD, NOW, MAX_AGE,
	                                   &err), 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(err.code, 0);
	ck_assert_uint_eq(ft.nreq, 0);
	return c;
}

/* --- saving ---------------------------------------------------------- */

START_TEST(save_after_connect)
{
	struct vs_client *c;
	struct err err;
	char *text = NULL;

	ft_reset(NULL);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
	c = ft_connect();
	ck_assert(vs_client_new_session(c));
	err_clear(&err);
	ck_assert_int_eq(vs_session_save(&text, c, SINCE, &err), 0);
	ck_assert_ptr_nonnull(text);
	/* the documented lines, in order; every object of tests/data/vim's
	 * service content the CPI reads */
	ck_assert_str_eq(text,
	    "vsphere-cpi-session 1\n"
	    "vcenter https://vc.example:443\n"
	    "since 1700000000\n"
	    "about VirtualCenter 6.5\n"
	    "moref rootFolder Folder group-d1\n"
	    "moref propertyCollector PropertyCollector propertyCollector\n"
	    "moref viewManager ViewManager ViewManager\n"
	    "moref searchIndex SearchIndex SearchIndex\n"
	    "moref fileManager FileManager FileManager\n"
	    "moref virtualDiskManager VirtualDiskManager virtualDiskManager\n"
	    "moref ovfManager OvfManager OvfManager\n"
	    "moref customFieldsManager CustomFieldsManager "
	    "CustomFieldsManager\n"
	    "moref sessionManager SessionManager SessionManager\n"
	    "moref authorizationManager AuthorizationManager "
	    "AuthorizationManager\n"
	    "cookie 127.0.0.1\tFALSE\t/\tFALSE\t0\tvmware_soap_session\t"
	    COOKIE "\n");
	ck_assert_uint_eq(ft.cookie_saves, 1);
	ck_assert_uint_eq(ft.nreq, 2);          /* saving sends nothing */
	ck_assert_ptr_null(strstr(ft.last_log, COOKIE));
	free(text);
	/* saving does not keep the session: close still logs out */
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 1);
}
END_TEST

/* What one process saves, the next one takes: the same service content,
 * the same cookie, and no request. */
START_TEST(save_then_resume)
{
	struct vs_client *c;
	struct vs_service_content sc;
	const struct vs_service_content *sc2;
	const char *why = "unset";
	struct err err;
	char *text = NULL;

	ft_reset(NULL);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_session_save(&text, c, SINCE, &err), 0);
	sc = *vs_client_sc(c);
	vs_client_keep_session(c);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 0);

	ft_reset_empty(NULL);                   /* the next process */
	c = client_new();
	ck_assert_int_eq(vs_session_resume(&why, c, text, SINCE + 1, MAX_AGE,
	                                   &err), 0);
	ck_assert_ptr_null(why);
	ck_assert_str_eq(ft.cookie, COOKIE);
	ck_assert_str_eq(ft.cookie_line, JAR);
	ck_assert_uint_eq(ft.cookie_loads, 1);
	sc2 = vs_client_sc(c);
	ck_assert_str_eq(sc2->api_type, sc.api_type);
	ck_assert_str_eq(sc2->api_version, sc.api_version);
	ck_assert_str_eq(sc2->root_folder.value, sc.root_folder.value);
	ck_assert_str_eq(sc2->property_collector.type,
	                 sc.property_collector.type);
	ck_assert_str_eq(sc2->view_manager.value, sc.view_manager.value);
	ck_assert_str_eq(sc2->search_index.value, sc.search_index.value);
	ck_assert_str_eq(sc2->file_manager.value, sc.file_manager.value);
	ck_assert_str_eq(sc2->virtual_disk_manager.value,
	                 sc.virtual_disk_manager.value);
	ck_assert_str_eq(sc2->ovf_manager.value, sc.ovf_manager.value);
	ck_assert_str_eq(sc2->custom_fields_manager.value,
	                 sc.custom_fields_manager.value);
	ck_assert_str_eq(sc2->session_manager.value, sc.session_manager.value);
	ck_assert_str_eq(sc2->authorization_manager.type,
	                 sc.authorization_manager.type);
	ck_assert_uint_eq(ft.nreq, 0);
	vs_client_keep_session(c);
	ft_finish(c);
	ck_assert_uint_eq(ft.nreq, 0);
	free(text);
}
END_TEST

START_TEST(save_refused)
{
	struct vs_client *c;
	struct err err;
	char *text = (char *)"unset";

	/* no session yet */
	c = client_new();
	err_clear(&err);
	ck_assert_int_eq(vs_session_save(&text, c, SINCE, &err), ERR_EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_uint_eq(ft.cookie_saves, 0);
	vs_client_free(c);

	/* a transport that keeps no session across processes */
	ft_reset(NULL);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
	ft.base.cookie_save = NULL;
	c = ft_connect();
	text = (char *)"unset";
	err_clear(&err);
	ck_assert_int_eq(vs_session_save(&text, c, SINCE, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(text);
	ft_finish(c);

	/* no session cookie in the jar */
	ft_reset(NULL);
	c = ft_connect();
	text = (char *)"unset";
	err_clear(&err);
	ck_assert_int_eq(vs_session_save(&text, c, SINCE, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(text);
	ck_assert_uint_eq(ft.cookie_saves, 1);
	ft_finish(c);

	/* a cookie that would break the text */
	ft_reset(NULL);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", "abc\ncookie x");
	c = ft_connect();
	text = (char *)"unset";
	err_clear(&err);
	ck_assert_int_eq(vs_session_save(&text, c, SINCE, &err), ERR_EPARSE);
	ck_assert_ptr_null(text);
	ck_assert_ptr_null(strstr(err.message, "cookie x"));
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 1);
}
END_TEST

/* --- resuming -------------------------------------------------------- */

/* The saved session replaces RetrieveServiceContent and Login: the first
 * request is the call's own, with the saved API version and objects. */
START_TEST(resume_skips_connect)
{
	struct vs_client *c;
	struct err err;
	char *value = NULL;

	reply_retrieve();
	c = resumed();
	ck_assert(vs_client_logged_in(c));
	ck_assert(!vs_client_new_session(c));
	ck_assert_str_eq(ft.cookie, COOKIE);
	ck_assert_str_eq(ft.cookie_line, JAR);
	ck_assert_uint_eq(ft.cookie_loads, 1);
	ck_assert_str_eq(vs_client_api_version(c), "8.0.2.0");
	ck_assert_str_eq(vs_client_sc(c)->root_folder.value, "group-saved");
	ck_assert_str_eq(vs_client_sc(c)->api_type, "VirtualCenter");
	/* the cookie the PBM and REST sessions are made of */
	err_clear(&err);
	ck_assert_int_eq(vs_client_cookie(&value, c, "vmware_soap_session",
	                                  &err), 0);
	ck_assert_str_eq(value, COOKIE);
	free(value);
	/* connect has nothing left to do */
	ck_assert_int_eq(vs_client_connect(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 0);

	ck_assert_int_eq(retrieve(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 1);
	ck_assert_str_eq(ft.req[0].op, "RetrievePropertiesEx");
	ck_assert_str_eq(ft.req[0].soap_action, "urn:vim25/8.0.2.0");
	ck_assert_ptr_nonnull(strstr(ft.req[0].body, "<_this type=\""
	                      "PropertyCollector\">propertyCollector</_this>"));
	ck_assert_uint_eq(count_op("RetrieveServiceContent"), 0);
	ck_assert_uint_eq(count_op("Login"), 0);
	ck_assert(!vs_client_new_session(c));
	ck_assert_uint_eq(vs_client_roundtrips(c), 1);

	/* kept: closed without Logout */
	vs_client_keep_session(c);
	ck_assert_int_eq(vs_client_close(c, &err), 0);
	ck_assert_uint_eq(ft.logouts, 0);
	ck_assert_uint_eq(ft.finishes, 1);
	ck_assert_uint_eq(ft.nreq, 1);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 0);
	ck_assert_uint_eq(ft.nreq, 1);
	ck_assert_uint_eq(ft.frees, 1);
}
END_TEST

/* Not kept: a resumed session is logged out on close as any other. */
START_TEST(resume_close_logs_out)
{
	struct vs_client *c;
	struct err err;

	reply_retrieve();
	c = resumed();
	err_clear(&err);
	ck_assert_int_eq(retrieve(c, &err), 0);
	ck_assert_int_eq(vs_client_close(c, &err), 0);
	ck_assert_uint_eq(ft.logouts, 1);
	ck_assert_uint_eq(ft.nreq, 2);
	ck_assert_str_eq(ft.req[1].op, "Logout");
	ck_assert_ptr_nonnull(strstr(ft.req[1].body, "<_this type=\""
	                      "SessionManager\">SessionManager</_this>"));
	ck_assert(!vs_client_logged_in(c));
	ft_finish(c);                           /* nothing more is sent */
	ck_assert_uint_eq(ft.logouts, 1);
	ck_assert_uint_eq(ft.nreq, 2);
}
END_TEST

/* The same for a session of this process: kept, no Logout. */
START_TEST(keep_session_after_login)
{
	struct vs_client *c;
	struct err err;

	ft_reset(NULL);
	c = ft_connect();
	ck_assert(vs_client_new_session(c));
	vs_client_keep_session(c);
	err_clear(&err);
	ck_assert_int_eq(vs_client_close(c, &err), 0);
	ck_assert_uint_eq(ft.logouts, 0);
	ck_assert_uint_eq(ft.finishes, 1);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 0);
	ck_assert_uint_eq(ft.nreq, 2);
}
END_TEST

/* A session vCenter no longer knows: one Login (with the saved session
 * manager) and the call sent again; the session is then new. */
START_TEST(resume_refused_logs_in_again)
{
	struct vs_client *c;
	struct err err;

	ft_fault("RetrievePropertiesEx", "NotAuthenticated");
	ft_reply_file("Login", "vim/02_Login.response.xml");
	reply_retrieve();
	c = resumed();
	err_clear(&err);
	ck_assert_msg(retrieve(c, &err) == 0, "%s", err.message);
	ck_assert_int_eq(err.code, 0);
	ck_assert_uint_eq(ft.nreq, 3);
	ck_assert_str_eq(ft.req[0].op, "RetrievePropertiesEx");
	ck_assert_str_eq(ft.req[1].op, "Login");
	ck_assert_str_eq(ft.req[2].op, "RetrievePropertiesEx");
	ck_assert_str_eq(ft.req[0].body, ft.req[2].body);
	ck_assert_ptr_nonnull(strstr(ft.req[1].body, "<_this type=\""
	                      "SessionManager\">SessionManager</_this>"
	                      "<userName>u</userName>"));
	ck_assert_str_eq(ft.req[1].soap_action, "urn:vim25/8.0.2.0");
	ck_assert_uint_eq(count_op("RetrieveServiceContent"), 0);
	ck_assert(vs_client_logged_in(c));
	ck_assert(vs_client_new_session(c));
	/* a further call goes straight out */
	reply_retrieve();
	ck_assert_int_eq(retrieve(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 4);
	ck_assert_uint_eq(count_op("Login"), 1);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 1);
}
END_TEST

/* Refused, and the password no longer good either: the call fails, no
 * new session. */
START_TEST(resume_refused_login_fails)
{
	struct vs_client *c;
	struct err err;

	ft_fault("RetrievePropertiesEx", "NotAuthenticated");
	ft_fault("Login", "InvalidLogin");
	c = resumed();
	err_clear(&err);
	ck_assert_int_eq(retrieve(c, &err), ERR_EFAULT);
	ck_assert_ptr_nonnull(strstr(err.message, "re-login failed"));
	ck_assert_uint_eq(ft.nreq, 2);
	ck_assert(!vs_client_new_session(c));
	ck_assert(!vs_client_logged_in(c));
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 0);
}
END_TEST

/* The age limits: under max_age old and up to 60 s ahead of now (clocks
 * of two processes) are good. */
START_TEST(resume_age_bounds)
{
	static const long long nows[] = {
		SINCE, SINCE + MAX_AGE - 1, SINCE - 60,
	};
	struct vs_client *c;
	const char *why;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		ft_reset_empty(NULL);
		c = client_new();
		why = "unset";
		err_clear(&err);
		ck_assert_msg(vs_session_resume(&why, c, T_GOOD, nows[i],
		              MAX_AGE, &err) == 0, "now %lld: %s", nows[i],
		              why != NULL ? why : err.message);
		ck_assert(vs_client_logged_in(c));
		vs_client_keep_session(c);
		ft_finish(c);
	}
}
END_TEST

/* Optional objects, an empty about and extra moref lines are taken. */
START_TEST(resume_optional_lines)
{
	struct vs_client *c;
	const char *why = "unset";
	struct err err;

	c = client_new();
	err_clear(&err);
	ck_assert_int_eq(vs_session_resume(&why, c, T_MAGIC T_VC T_SINCE
	                 "about - -\n" T_REFS
	                 "moref fileManager FileManager FileManager\n"
	                 T_COOKIE, NOW, MAX_AGE, &err), 0);
	ck_assert_ptr_null(why);
	ck_assert_str_eq(vs_client_api_version(c), "");
	ck_assert_str_eq(vs_client_sc(c)->api_type, "");
	ck_assert_str_eq(vs_client_sc(c)->file_manager.type, "FileManager");
	ck_assert_str_eq(vs_client_sc(c)->view_manager.type, "");
	vs_client_free(c);
	ck_assert_uint_eq(ft.logouts, 1);

	/* no about line at all: the default SOAPAction */
	ft_reset_empty(NULL);
	reply_retrieve();
	c = client_new();
	why = "unset";
	ck_assert_int_eq(vs_session_resume(&why, c, T_MAGIC T_VC T_SINCE
	                 T_REFS T_COOKIE, NOW, MAX_AGE, &err), 0);
	ck_assert_int_eq(retrieve(c, &err), 0);
	ck_assert_str_eq(ft.req[0].soap_action, VS_SOAP_ACTION_DEFAULT);
	vs_client_keep_session(c);
	ft_finish(c);
}
END_TEST

/* Texts that cannot serve: 1, a reason, nothing taken. */
static const struct {
	const char *name;
	const char *text;
	long long now;           /* 0: NOW */
	const char *why;         /* in *why; "" any */
} bad[] = {
	{ "empty", "", 0, "a line is missing" },
	{ "only the magic", T_MAGIC, 0, "a line is missing" },
	{ "other version", "vsphere-cpi-session 2\n" T_VC T_SINCE T_ABOUT
	  T_REFS T_COOKIE, 0, "not a saved session" },
	{ "magic not first", T_VC T_MAGIC T_SINCE T_ABOUT T_REFS T_COOKIE,
	  0, "not a saved session" },
	{ "magic with CR", "vsphere-cpi-session 1\r\n" T_VC T_SINCE T_ABOUT
	  T_REFS T_COOKIE, 0, "not a saved session" },
	{ "another host", T_MAGIC "vcenter https://other.example:443\n"
	  T_SINCE T_ABOUT T_REFS T_COOKIE, 0, "another vCenter" },
	{ "another port", T_MAGIC "vcenter https://vc.example:8443\n"
	  T_SINCE T_ABOUT T_REFS T_COOKIE, 0, "another vCenter" },
	{ "the sdk URL", T_MAGIC "vcenter https://vc.example:443/sdk\n"
	  T_SINCE T_ABOUT T_REFS T_COOKIE, 0, "another vCenter" },
	{ "a second vcenter", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "vcenter https://other.example:443\n" T_COOKIE, 0,
	  "another vCenter" },
	{ "too old", T_GOOD, SINCE + MAX_AGE, "too old" },
	{ "far too old", T_GOOD, SINCE + 86400, "too old" },
	{ "from the future", T_GOOD, SINCE - 61, "" },
	{ "far in the future", T_GOOD, 1000, "" },
	{ "negative since", T_MAGIC T_VC "since -5\n" T_ABOUT T_REFS T_COOKIE,
	  0, "bad since line" },
	{ "empty since", T_MAGIC T_VC "since \n" T_ABOUT T_REFS T_COOKIE, 0,
	  "bad since line" },
	{ "since not a number", T_MAGIC T_VC "since 1700000000x\n" T_ABOUT
	  T_REFS T_COOKIE, 0, "bad since line" },
	{ "since overflows", T_MAGIC T_VC "since 99999999999999999999\n"
	  T_ABOUT T_REFS T_COOKIE, 0, "bad since line" },
	{ "no since", T_MAGIC T_VC T_ABOUT T_REFS T_COOKIE, 0,
	  "a line is missing" },
	{ "no vcenter", T_MAGIC T_SINCE T_ABOUT T_REFS T_COOKIE, 0,
	  "a line is missing" },
	{ "no cookie", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS, 0,
	  "a line is missing" },
	{ "another cookie", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "cookie 127.0.0.1\tFALSE\t/\tFALSE\t0\tJSESSIONID\t" COOKIE "\n",
	  0, "bad cookie line" },
	{ "a longer cookie name", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "cookie 127.0.0.1\tFALSE\t/\tFALSE\t0\tvmware_soap_session2\t"
	  COOKIE "\n", 0, "bad cookie line" },
	{ "cookie not a jar line", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "cookie vmware_soap_session=" COOKIE "\n", 0, "bad cookie line" },
	{ "cookie with a control character", T_MAGIC T_VC T_SINCE T_ABOUT
	  T_REFS "cookie " FT_JAR_HEAD "ab\001cd\n", 0, "bad cookie line" },
	{ "cookie with DEL", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "cookie " FT_JAR_HEAD "ab\177cd\n", 0, "bad cookie line" },
	{ "cookie with CR", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "cookie " JAR "\r\n", 0, "bad cookie line" },
	{ "moref without value", T_MAGIC T_VC T_SINCE T_ABOUT
	  "moref rootFolder Folder\n" T_PC T_SM T_COOKIE, 0,
	  "bad service content line" },
	{ "moref with an empty value", T_MAGIC T_VC T_SINCE T_ABOUT
	  "moref rootFolder Folder \n" T_PC T_SM T_COOKIE, 0,
	  "bad service content line" },
	{ "moref of nothing", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "moref sessionManager\n" T_COOKIE, 0, "bad service content line" },
	{ "moref of three words", T_MAGIC T_VC T_SINCE T_ABOUT
	  "moref rootFolder Folder group d1\n" T_PC T_SM T_COOKIE, 0,
	  "bad service content line" },
	{ "moref with a tab", T_MAGIC T_VC T_SINCE T_ABOUT
	  "moref rootFolder Folder\tgroup-d1\n" T_PC T_SM T_COOKIE, 0,
	  "bad service content line" },
	{ "moref of an unknown field", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "moref fooManager FooManager foo-1\n" T_COOKIE, 0,
	  "bad service content line" },
	{ "about of one word", T_MAGIC T_VC T_SINCE "about VirtualCenter\n"
	  T_REFS T_COOKIE, 0, "bad service content line" },
	{ "an unknown line", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  "user admin\n" T_COOKIE, 0, "unknown line" },
	{ "an empty line", T_MAGIC T_VC T_SINCE "\n" T_ABOUT T_REFS T_COOKIE,
	  0, "unknown line" },
	{ "the magic twice", T_MAGIC T_MAGIC T_VC T_SINCE T_ABOUT T_REFS
	  T_COOKIE, 0, "unknown line" },
	{ "no sessionManager", T_MAGIC T_VC T_SINCE T_ABOUT T_ROOT T_PC
	  T_COOKIE, 0, "a line is missing" },
	{ "no rootFolder", T_MAGIC T_VC T_SINCE T_ABOUT T_PC T_SM T_COOKIE,
	  0, "a line is missing" },
	{ "no propertyCollector", T_MAGIC T_VC T_SINCE T_ABOUT T_ROOT T_SM
	  T_COOKIE, 0, "a line is missing" },
	{ "last line cut", T_MAGIC T_VC T_SINCE T_ABOUT T_REFS "cookie " JAR,
	  0, "last line is cut" },
	{ "only a cut magic", "vsphere-cpi-session 1", 0, "last line is cut" },
};

START_TEST(resume_refuses_bad_text)
{
	struct vs_client *c = client_new();
	long long now = bad[_i].now != 0 ? bad[_i].now : NOW;
	const char *why = NULL;
	struct err err;
	int rc;

	err_clear(&err);
	rc = vs_session_resume(&why, c, bad[_i].text, now, MAX_AGE, &err);
	ck_assert_msg(rc == 1, "%s: rc %d", bad[_i].name, rc);
	ck_assert_msg(why != NULL, "%s: no reason", bad[_i].name);
	ck_assert_msg(strstr(why, bad[_i].why) != NULL, "%s: reason '%s' "
	              "lacks '%s'", bad[_i].name, why, bad[_i].why);
	ck_assert_int_eq(err.code, 0);
	/* nothing taken */
	ck_assert(!vs_client_logged_in(c));
	ck_assert(!vs_client_new_session(c));
	ck_assert_uint_eq(ft.cookie_loads, 0);
	ck_assert_str_eq(ft.cookie, "");
	ck_assert_str_eq(vs_client_api_version(c), "");
	ck_assert_uint_eq(ft.nreq, 0);
	/* and the client connects as usual: tests/data/vim's content */
	ft_reply_file("RetrieveServiceContent",
	              "vim/01_RetrieveServiceContent.response.xml");
	ft_reply_file("Login", "vim/02_Login.response.xml");
	ck_assert_msg(vs_client_connect(c, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(ft.nreq, 2);
	ck_assert_str_eq(ft.req[0].op, "RetrieveServiceContent");
	ck_assert_str_eq(ft.req[0].soap_action, VS_SOAP_ACTION_DEFAULT);
	ck_assert_str_eq(ft.req[1].op, "Login");
	ck_assert_str_eq(vs_client_sc(c)->root_folder.value, "group-d1");
	ck_assert_str_eq(vs_client_api_version(c), "6.5");
	ck_assert(vs_client_new_session(c));
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 1);
}
END_TEST

/* A cookie line too long for a jar line (4096 bytes and more). */
START_TEST(resume_refuses_long_cookie)
{
	struct vs_client *c = client_new();
	const char *why = NULL;
	struct err err;
	char value[4100], *text;

	memset(value, 'a', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	text = ft_fmt("%s%s%s%s%scookie %s%s\n", T_MAGIC, T_VC, T_SINCE,
	              T_ABOUT, T_REFS, FT_JAR_HEAD, value);
	err_clear(&err);
	ck_assert_int_eq(vs_session_resume(&why, c, text, NOW, MAX_AGE,
	                                   &err), 1);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "bad cookie line"));
	ck_assert_uint_eq(ft.cookie_loads, 0);
	ck_assert(!vs_client_logged_in(c));
	free(text);
	vs_client_free(c);
	ck_assert_uint_eq(ft.logouts, 0);
}
END_TEST

/* A session taken only by a client that has none. */
START_TEST(resume_into_open_client)
{
	struct vs_client *c;
	const char *why = "unset";
	struct err err;

	ft_reset(NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_session_resume(&why, c, T_GOOD, NOW, MAX_AGE,
	                                   &err), ERR_EINVAL);
	ck_assert_uint_eq(ft.cookie_loads, 0);
	ck_assert_str_eq(vs_client_sc(c)->root_folder.value, "group-d1");
	ck_assert(vs_client_new_session(c));
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 1);
}
END_TEST

/* A transport that cannot take the cookie: an error, nothing taken, and
 * the client connects as usual. */
START_TEST(resume_cookie_not_loaded)
{
	struct vs_client *c;
	const char *why = "unset";
	struct err err;

	ft.base.cookie_load = NULL;
	c = client_new();
	err_clear(&err);
	ck_assert_int_eq(vs_session_resume(&why, c, T_GOOD, NOW, MAX_AGE,
	                                   &err), ERR_ENOTFOUND);
	ck_assert(!vs_client_logged_in(c));
	ck_assert_str_eq(vs_client_api_version(c), "");
	ft_reply_file("RetrieveServiceContent",
	              "vim/01_RetrieveServiceContent.response.xml");
	ft_reply_file("Login", "vim/02_Login.response.xml");
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 2);
	ck_assert_str_eq(vs_client_sc(c)->root_folder.value, "group-d1");
	ft_finish(c);

	ft_reset_empty(NULL);
	ft.cookie_load_rc = ERR_ENOMEM;
	c = client_new();
	err_clear(&err);
	ck_assert_int_eq(vs_session_resume(&why, c, T_GOOD, NOW, MAX_AGE,
	                                   &err), ERR_ENOMEM);
	ck_assert_uint_eq(ft.cookie_loads, 1);
	ck_assert(!vs_client_logged_in(c));
	ck_assert_str_eq(vs_client_api_version(c), "");
	vs_client_free(c);
	ck_assert_uint_eq(ft.logouts, 0);
	ck_assert_uint_eq(ft.nreq, 0);
}
END_TEST

/* --- service content lines ------------------------------------------- */

static void
set_ref(struct vs_moref *r, const char *type, const char *value)
{
	snprintf(r->type, sizeof(r->type), "%s", type);
	snprintf(r->value, sizeof(r->value), "%s", value);
}

static void
refs_eq(const struct vs_moref *a, const struct vs_moref *b)
{
	ck_assert_str_eq(a->type, b->type);
	ck_assert_str_eq(a->value, b->value);
}

/* Reads text (lines ending in "\n") into *sc with
 * vs_service_content_line(); every line must be one of its. */
static void
read_lines(struct vs_service_content *sc, const char *text)
{
	char *copy = ft_fmt("%s", text), *line, *nl;
	struct err err;

	memset(sc, 0, sizeof(*sc));
	for (line = copy; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		err_clear(&err);
		ck_assert_msg(vs_service_content_line(sc, line, &err) == 1,
		              "%s: %s", line, err.message);
	}
	free(copy);
}

START_TEST(service_content_round_trip)
{
	struct vs_service_content sc, back;
	struct err err;
	char *text = NULL;

	memset(&sc, 0, sizeof(sc));
	set_ref(&sc.root_folder, "Folder", "group-d1");
	set_ref(&sc.property_collector, "PropertyCollector",
	        "propertyCollector");
	set_ref(&sc.view_manager, "ViewManager", "ViewManager");
	set_ref(&sc.search_index, "SearchIndex", "SearchIndex");
	set_ref(&sc.file_manager, "FileManager", "FileManager");
	set_ref(&sc.virtual_disk_manager, "VirtualDiskManager",
	        "virtualDiskManager");
	set_ref(&sc.ovf_manager, "OvfManager", "OvfManager");
	set_ref(&sc.custom_fields_manager, "CustomFieldsManager",
	        "CustomFieldsManager");
	set_ref(&sc.session_manager, "SessionManager", "SessionManager");
	set_ref(&sc.authorization_manager, "AuthorizationManager",
	        "AuthorizationManager");
	snprintf(sc.api_version, sizeof(sc.api_version), "%s", "8.0.2.0");
	snprintf(sc.api_type, sizeof(sc.api_type), "%s", "VirtualCenter");
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_format(&text, &sc, &err), 0);
	ck_assert_str_eq(text,
	    "about VirtualCenter 8.0.2.0\n"
	    "moref rootFolder Folder group-d1\n"
	    "moref propertyCollector PropertyCollector propertyCollector\n"
	    "moref viewManager ViewManager ViewManager\n"
	    "moref searchIndex SearchIndex SearchIndex\n"
	    "moref fileManager FileManager FileManager\n"
	    "moref virtualDiskManager VirtualDiskManager virtualDiskManager\n"
	    "moref ovfManager OvfManager OvfManager\n"
	    "moref customFieldsManager CustomFieldsManager "
	    "CustomFieldsManager\n"
	    "moref sessionManager SessionManager SessionManager\n"
	    "moref authorizationManager AuthorizationManager "
	    "AuthorizationManager\n");
	read_lines(&back, text);
	free(text);
	ck_assert_str_eq(back.api_version, sc.api_version);
	ck_assert_str_eq(back.api_type, sc.api_type);
	refs_eq(&back.root_folder, &sc.root_folder);
	refs_eq(&back.property_collector, &sc.property_collector);
	refs_eq(&back.view_manager, &sc.view_manager);
	refs_eq(&back.search_index, &sc.search_index);
	refs_eq(&back.file_manager, &sc.file_manager);
	refs_eq(&back.virtual_disk_manager, &sc.virtual_disk_manager);
	refs_eq(&back.ovf_manager, &sc.ovf_manager);
	refs_eq(&back.custom_fields_manager, &sc.custom_fields_manager);
	refs_eq(&back.session_manager, &sc.session_manager);
	refs_eq(&back.authorization_manager, &sc.authorization_manager);
	ck_assert(vs_service_content_whole(&back));
}
END_TEST

/* The three objects a service content needs, nothing else. */
static void
sc_minimal(struct vs_service_content *sc)
{
	memset(sc, 0, sizeof(*sc));
	set_ref(&sc->root_folder, "Folder", "group-d1");
	set_ref(&sc->property_collector, "PropertyCollector", "pc");
	set_ref(&sc->session_manager, "SessionManager", "sm");
}

/* Only what is set is written; an empty about reads back empty. */
START_TEST(service_content_round_trip_sparse)
{
	struct vs_service_content sc, back;
	struct err err;
	char *text = NULL;

	sc_minimal(&sc);
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_format(&text, &sc, &err), 0);
	ck_assert_str_eq(text, "about - -\n"
	                 "moref rootFolder Folder group-d1\n"
	                 "moref propertyCollector PropertyCollector pc\n"
	                 "moref sessionManager SessionManager sm\n");
	read_lines(&back, text);
	free(text);
	ck_assert_str_eq(back.api_version, "");
	ck_assert_str_eq(back.api_type, "");
	refs_eq(&back.session_manager, &sc.session_manager);
	ck_assert_str_eq(back.view_manager.type, "");
	ck_assert(vs_service_content_whole(&back));
	/* without a required object it is not whole */
	memset(&back.session_manager, 0, sizeof(back.session_manager));
	ck_assert(!vs_service_content_whole(&back));
	back.session_manager = sc.session_manager;
	memset(&back.property_collector, 0, sizeof(back.property_collector));
	ck_assert(!vs_service_content_whole(&back));
	memset(&back, 0, sizeof(back));
	ck_assert(!vs_service_content_whole(&back));
}
END_TEST

/* An object that would not read back is not written. */
START_TEST(service_content_format_refuses)
{
	static const char *const values[] = {
		"group d1", "group\nd1", "", "caf\xc3\xa9",
	};
	struct vs_service_content sc;
	struct err err;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		memset(&sc, 0, sizeof(sc));
		set_ref(&sc.root_folder, "Folder", values[i]);
		set_ref(&sc.session_manager, "SessionManager", "sm");
		text = (char *)"unset";
		err_clear(&err);
		ck_assert_int_eq(vs_service_content_format(&text, &sc, &err),
		                 ERR_EINVAL);
		ck_assert_ptr_null(text);
		ck_assert_ptr_nonnull(strstr(err.message, "rootFolder"));
	}
	memset(&sc, 0, sizeof(sc));
	set_ref(&sc.session_manager, "Session Manager", "sm");
	text = (char *)"unset";
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_format(&text, &sc, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_ptr_nonnull(strstr(err.message, "sessionManager"));
}
END_TEST

/* An apiType or apiVersion as vCenter sent it that is no word (a space,
 * a newline) is saved as unknown: the text still reads back, and the
 * newline adds no line of its own. */
START_TEST(service_content_about_not_words)
{
	struct vs_service_content sc, back;
	struct err err;
	char *text = NULL;

	sc_minimal(&sc);
	snprintf(sc.api_type, sizeof(sc.api_type), "%s", "Virtual Center");
	snprintf(sc.api_version, sizeof(sc.api_version), "%s",
	         "8.0\nmoref x");
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_format(&text, &sc, &err), 0);
	ck_assert(strncmp(text, "about - -\n", 10) == 0);
	read_lines(&back, text);
	free(text);
	ck_assert_str_eq(back.api_type, "");
	ck_assert_str_eq(back.api_version, "");
	ck_assert(vs_service_content_whole(&back));
}
END_TEST

START_TEST(service_content_line_kinds)
{
	struct vs_service_content sc;
	struct err err;

	memset(&sc, 0, sizeof(sc));
	err_clear(&err);
	/* not its lines: 0, nothing read */
	ck_assert_int_eq(vs_service_content_line(&sc, "cookie x", &err), 0);
	ck_assert_int_eq(vs_service_content_line(&sc, "vcenter https://x",
	                                         &err), 0);
	ck_assert_int_eq(vs_service_content_line(&sc, "", &err), 0);
	ck_assert_int_eq(vs_service_content_line(&sc, "morefs a b c", &err),
	                 0);
	ck_assert_int_eq(err.code, 0);
	/* its lines */
	ck_assert_int_eq(vs_service_content_line(&sc, "moref sessionManager "
	                 "SessionManager sm-1", &err), 1);
	ck_assert_str_eq(sc.session_manager.type, "SessionManager");
	ck_assert_str_eq(sc.session_manager.value, "sm-1");
	ck_assert_int_eq(vs_service_content_line(&sc, "about HostAgent 7.0",
	                                         &err), 1);
	ck_assert_str_eq(sc.api_type, "HostAgent");
	ck_assert_str_eq(sc.api_version, "7.0");
	/* a bad one: an error, that object left empty */
	ck_assert_int_eq(vs_service_content_line(&sc, "moref sessionManager "
	                 "SessionManager", &err), ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "sessionManager"));
	ck_assert_str_eq(sc.session_manager.type, "");
	ck_assert_str_eq(sc.session_manager.value, "");
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_line(&sc, "moref nosuchField "
	                 "A b", &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_line(&sc, "moref rootFolder "
	                 "Folder a b", &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_line(&sc, "about x", &err),
	                 ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(vs_service_content_line(&sc, "about a b c", &err),
	                 ERR_EPARSE);
	err_clear(&err);
	/* a field's name runs up to its space */
	ck_assert_int_eq(vs_service_content_line(&sc, "moref rootFolderX"
	                 "Folder group-d1", &err), ERR_EPARSE);
	ck_assert_str_eq(sc.root_folder.type, "");
	err_clear(&err);
	/* a prefix of a field's name is not that field */
	ck_assert_int_eq(vs_service_content_line(&sc, "moref session "
	                 "SessionManager sm", &err), ERR_EPARSE);
	ck_assert_str_eq(sc.session_manager.type, "");
}
END_TEST

/* Longer than its field: refused, not cut. */
START_TEST(service_content_line_too_long)
{
	struct vs_service_content sc;
	struct err err;
	char type[100], *line;

	memset(type, 'T', sizeof(type) - 1);
	type[sizeof(type) - 1] = '\0';
	memset(&sc, 0, sizeof(sc));
	err_clear(&err);
	line = ft_fmt("moref rootFolder %s group-d1", type);
	ck_assert_int_eq(vs_service_content_line(&sc, line, &err),
	                 ERR_EPARSE);
	ck_assert_str_eq(sc.root_folder.type, "");
	free(line);
	err_clear(&err);
	line = ft_fmt("about VirtualCenter %s", type);
	ck_assert_int_eq(vs_service_content_line(&sc, line, &err),
	                 ERR_EPARSE);
	free(line);
}
END_TEST

/* --- cpi/session_keep.c ---------------------------------------------- */

START_TEST(file_name_form)
{
	char a[80], b[80], c[80], d[80], small[70];

	ck_assert_int_eq(cpi_session_file_name(a, sizeof(a),
	                 "https://vc.example:443", "u"), 0);
	/* python3: sha256(b"https://vc.example:443\0u\0") */
	ck_assert_str_eq(a, "c8ae3b26cfcc025cb0d2b6434052e1e80a9a6e9972b38f39"
	                 "3998fe1d1fc69c11.session");
	ck_assert_uint_eq(strlen(a), DIGEST_HEX_LEN +
	                  strlen(CPI_SESSION_SUFFIX));
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), DIGEST_HEX_LEN);
	ck_assert_str_eq(a + DIGEST_HEX_LEN, CPI_SESSION_SUFFIX);
	/* stable */
	ck_assert_int_eq(cpi_session_file_name(b, sizeof(b),
	                 "https://vc.example:443", "u"), 0);
	ck_assert_str_eq(a, b);
	/* another vCenter, another user: another file */
	ck_assert_int_eq(cpi_session_file_name(c, sizeof(c),
	                 "https://vc.example:8443", "u"), 0);
	ck_assert_str_ne(a, c);
	ck_assert_int_eq(cpi_session_file_name(d, sizeof(d),
	                 "https://vc.example:443", "admin"), 0);
	ck_assert_str_ne(a, d);
	ck_assert_str_ne(c, d);
	/* the parts kept apart: ("…:44", "3u") is not ("…:443", "u") */
	ck_assert_int_eq(cpi_session_file_name(d, sizeof(d),
	                 "https://vc.example:44", "3u"), 0);
	ck_assert_str_ne(a, d);
	/* too small a buffer */
	ck_assert_int_eq(cpi_session_file_name(small, sizeof(small),
	                 "https://vc.example:443", "u"), -1);
}
END_TEST

/* A call over the fake's vCenter (ft_client_opts: user u, password p)
 * with session_dir <root>/s. */
static char root[64];
static char sdir[128];
static char url[] = "https://vc.example:443/sdk";
static char user[] = "u";
static char password[16];
static struct cpi_config cfg;
static struct cpi_options opts;
static struct cpi_call call;
static struct cpi_log *logp;

/* The session directory and what is in it removed (a failed test
 * leaves them behind: its checked teardown does not run). */
static void
remove_sdir(void)
{
	DIR *d;
	struct dirent *e;
	char path[512];

	d = opendir(sdir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", sdir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(sdir);
}

/* Unchecked (once, in the runner): <root>, the parent of session_dir. */
static void
keep_root_make(void)
{
	snprintf(root, sizeof(root), "%s", "/tmp/check_session.XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	snprintf(sdir, sizeof(sdir), "%s/s", root);
}

static void
keep_root_remove(void)
{
	remove_sdir();
	rmdir(root);
}

static void
keep_setup(void)
{
	struct err err;

	ft_reset_empty(NULL);
	remove_sdir();
	snprintf(password, sizeof(password), "%s", "p");
	memset(&cfg, 0, sizeof(cfg));
	cfg.vcenter.url = url;
	cfg.vcenter.host = (char *)"vc.example";
	cfg.vcenter.user = user;
	cfg.vcenter.password = password;
	cfg.vcenter.session_dir = sdir;
	memset(&opts, 0, sizeof(opts));
	err_clear(&err);
	ck_assert_int_eq(cpi_log_new(&logp, NULL, CPI_LOG_DEBUG, &err), 0);
	memset(&call, 0, sizeof(call));
	call.method = "has_vm";
	call.config = &cfg;
	call.opts = &opts;
	call.log = logp;
}

static void
keep_teardown(void)
{
	remove_sdir();
	cpi_log_free(logp);
	logp = NULL;
	teardown();
}

/* <session_dir>/<name of the fake's vCenter and user>. */
static const char *
session_file(void)
{
	static char path[512];
	char name[80];

	ck_assert_int_eq(cpi_session_file_name(name, sizeof(name), url, user),
	                 0);
	snprintf(path, sizeof(path), "%s/%s", sdir, name);
	return path;
}

static size_t
dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 &&
		     strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* A connected client whose session this call keeps: the file written. */
static char *
kept(void)
{
	struct vs_client *c;

	ft_reset(NULL);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
	c = ft_connect();
	cpi_session_keep(c, &call);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 0);
	return ft_read_file(session_file());
}

START_TEST(keep_writes_private_file)
{
	char salt[UUID_LEN + 1], hex[DIGEST_HEX_LEN + 1];
	const char *parts[2] = { salt, "p" };
	struct stat st;
	char *text = kept(), *nl;

	ck_assert_int_eq(stat(sdir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(session_file(), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_uint_eq(dir_entries(sdir), 1);   /* no temporary left */
	/* login <uuid> <SHA-256 of uuid and password>, then the session */
	ck_assert_int_eq(strncmp(text, "login ", 6), 0);
	memcpy(salt, text + 6, UUID_LEN);
	salt[UUID_LEN] = '\0';
	ck_assert(uuid_valid(salt));
	ck_assert_int_eq(text[6 + UUID_LEN], ' ');
	ck_assert_int_eq(digest_sha256_hex(hex, parts, 2), 0);
	ck_assert_int_eq(strncmp(text + 7 + UUID_LEN, hex, DIGEST_HEX_LEN),
	                 0);
	nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq(nl - text, 7 + UUID_LEN + DIGEST_HEX_LEN);
	ck_assert_int_eq(strncmp(nl + 1, T_MAGIC T_VC "since ",
	                         strlen(T_MAGIC T_VC "since ")), 0);
	ck_assert_ptr_nonnull(strstr(text, "\nmoref sessionManager "
	                             "SessionManager SessionManager\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n" T_COOKIE));
	ck_assert_ptr_nonnull(strstr(cpi_log_text(logp), "kept"));
	ck_assert_ptr_null(strstr(cpi_log_text(logp), COOKIE));
	free(text);
}
END_TEST

/* The file's since is when the session logged in, not when the call
 * ended: a long call does not stretch the 10 minutes. */
START_TEST(keep_since_is_login_time)
{
	struct timespec ts = { 1, 200000000L };
	struct vs_client *c;
	long long t0 = (long long)time(NULL), login, since = -1;
	char *text, *p;

	ft_reset(NULL);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
	c = ft_connect();
	login = vs_client_login_time(c);
	ck_assert(login >= t0 && login <= (long long)time(NULL));
	nanosleep(&ts, NULL);           /* the call goes on past that second */
	cpi_session_keep(c, &call);
	ft_finish(c);
	text = ft_read_file(session_file());
	p = strstr(text, "\nsince ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p + 7, "%lld", &since), 1);
	ck_assert_int_eq(since, login);
	ck_assert_int_lt(since, (long long)time(NULL));
	free(text);
}
END_TEST

/* The next call takes it: no RetrieveServiceContent, no Login, no
 * Logout, and the file is left as it was. */
START_TEST(take_then_keep)
{
	struct vs_client *c;
	struct err err;
	char *before = kept(), *after;

	ft_reset_empty(NULL);
	reply_retrieve();
	c = client_new();
	ck_assert_int_eq(cpi_session_take(c, &call), 0);
	ck_assert_uint_eq(ft.nreq, 0);
	ck_assert(vs_client_logged_in(c));
	ck_assert(!vs_client_new_session(c));
	ck_assert_str_eq(ft.cookie, COOKIE);
	ck_assert_str_eq(ft.cookie_line, JAR);
	err_clear(&err);
	ck_assert_int_eq(retrieve(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 1);
	cpi_session_keep(c, &call);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 0);
	ck_assert_uint_eq(ft.nreq, 1);
	after = ft_read_file(session_file());
	ck_assert_str_eq(before, after);
	ck_assert_ptr_nonnull(strstr(cpi_log_text(logp), "taken"));
	ck_assert_ptr_null(strstr(cpi_log_text(logp), COOKIE));
	free(before);
	free(after);
}
END_TEST

/* Taken, refused by vCenter, logged in again: the new session is
 * written for the next call. */
START_TEST(take_refused_keeps_new_session)
{
	struct vs_client *c;
	struct err err;
	char *before = kept(), *after;

	ft_reset_empty(NULL);
	ft_fault("RetrievePropertiesEx", "NotAuthenticated");
	ft_reply_file("Login", "vim/02_Login.response.xml");
	reply_retrieve();
	c = client_new();
	ck_assert_int_eq(cpi_session_take(c, &call), 0);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", "new-cookie");
	err_clear(&err);
	ck_assert_int_eq(retrieve(c, &err), 0);
	ck_assert(vs_client_new_session(c));
	cpi_session_keep(c, &call);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 0);
	after = ft_read_file(session_file());
	ck_assert_str_ne(before, after);
	ck_assert_ptr_nonnull(strstr(after, "\ncookie " FT_JAR_HEAD
	                             "new-cookie\n"));
	free(before);
	free(after);
}
END_TEST

/* Not taken: c then connects as usual. */
static void
not_taken(const char *logged)
{
	struct vs_client *c;
	struct err err;

	ft_reset_empty(NULL);
	c = client_new();
	ck_assert_int_eq(cpi_session_take(c, &call), 1);
	ck_assert_uint_eq(ft.nreq, 0);
	ck_assert_uint_eq(ft.cookie_loads, 0);
	ck_assert(!vs_client_logged_in(c));
	if (logged != NULL)
		ck_assert_msg(strstr(cpi_log_text(logp), logged) != NULL,
		              "log '%s' lacks '%s'", cpi_log_text(logp),
		              logged);
	ft_reply_file("RetrieveServiceContent",
	              "vim/01_RetrieveServiceContent.response.xml");
	ft_reply_file("Login", "vim/02_Login.response.xml");
	err_clear(&err);
	ck_assert_int_eq(vs_client_connect(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 2);
	vs_client_free(c);
	ck_assert_uint_eq(ft.logouts, 1);
	ft_all_used();
}

START_TEST(take_without_file)
{
	not_taken(NULL);
	ck_assert_ptr_null(strstr(cpi_log_text(logp), "not taken"));
	/* the directory was made for it, private */
	ck_assert_uint_eq(dir_entries(sdir), 0);
}
END_TEST

START_TEST(take_refuses_other_password)
{
	free(kept());
	snprintf(password, sizeof(password), "%s", "p2");
	not_taken("another password");
}
END_TEST

START_TEST(take_refuses_open_file)
{
	free(kept());
	ck_assert_int_eq(chmod(session_file(), 0640), 0);
	not_taken("not a private file");
}
END_TEST

START_TEST(take_refuses_old_file)
{
	char *text = kept(), *p, *changed;
	long long since;

	p = strstr(text, "\nsince ");
	ck_assert_ptr_nonnull(p);
	since = strtoll(p + 7, NULL, 10);
	*p = '\0';
	changed = ft_fmt("%s\nsince %lld%s", text,
	                 since - CPI_SESSION_MAX_AGE_S - 5,
	                 strchr(p + 1, '\n'));
	ck_assert_int_eq(unlink(session_file()), 0);
	write_file(session_file(), changed);
	ck_assert_int_eq(chmod(session_file(), 0600), 0);
	not_taken("too old");
	free(changed);
	free(text);
}
END_TEST

START_TEST(take_refuses_garbage)
{
	ck_assert_int_eq(mkdir(sdir, 0700), 0);
	write_file(session_file(), "login x y\nvsphere-cpi-session 1\n");
	ck_assert_int_eq(chmod(session_file(), 0600), 0);
	not_taken("another password");
}
END_TEST

/* A directory others may write: no session kept or taken. */
START_TEST(open_directory_not_used)
{
	struct vs_client *c;

	free(kept());
	ck_assert_int_eq(chmod(sdir, 0777), 0);
	not_taken("only this user can write");
	ft_reset(NULL);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", "other-cookie");
	c = ft_connect();
	cpi_session_keep(c, &call);
	ft_finish(c);
	ck_assert_uint_eq(ft.logouts, 1);       /* logged out as usual */
	ck_assert_uint_eq(ft.cookie_saves, 0);
	ck_assert_int_eq(chmod(sdir, 0700), 0);
}
END_TEST

/* session_dir unset, record or replay: the session is not kept. */
START_TEST(off_without_session_dir)
{
	struct vs_client *c;
	size_t k;

	for (k = 0; k < 3; k++) {
		cfg.vcenter.session_dir = k == 0 ? NULL : sdir;
		opts.replay_dir = k == 1 ? "/nonexistent/replay" : NULL;
		opts.record_dir = k == 2 ? "/nonexistent/record" : NULL;
		ft_reset(NULL);
		snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
		c = ft_connect();
		cpi_session_keep(c, &call);
		ft_finish(c);
		ck_assert_uint_eq(ft.logouts, 1);
		ck_assert_uint_eq(ft.cookie_saves, 0);
		not_taken(NULL);
	}
	ck_assert_int_eq(access(sdir, F_OK), -1);  /* never made */
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tv = tcase_create("save_resume");
	TCase *tb = tcase_create("refused");
	TCase *tl = tcase_create("service_content");
	TCase *tk = tcase_create("keep");

	tcase_add_checked_fixture(tv, setup, teardown);
	tcase_add_test(tv, save_after_connect);
	tcase_add_test(tv, save_then_resume);
	tcase_add_test(tv, save_refused);
	tcase_add_test(tv, resume_skips_connect);
	tcase_add_test(tv, resume_close_logs_out);
	tcase_add_test(tv, keep_session_after_login);
	tcase_add_test(tv, resume_refused_logs_in_again);
	tcase_add_test(tv, resume_refused_login_fails);
	tcase_add_test(tv, resume_age_bounds);
	tcase_add_test(tv, resume_optional_lines);
	tcase_add_test(tv, resume_into_open_client);
	tcase_add_test(tv, resume_cookie_not_loaded);
	suite_add_tcase(s, tv);
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_add_loop_test(tb, resume_refuses_bad_text, 0,
	                    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tb, resume_refuses_long_cookie);
	suite_add_tcase(s, tb);
	tcase_add_test(tl, service_content_round_trip);
	tcase_add_test(tl, service_content_round_trip_sparse);
	tcase_add_test(tl, service_content_format_refuses);
	tcase_add_test(tl, service_content_about_not_words);
	tcase_add_test(tl, service_content_line_kinds);
	tcase_add_test(tl, service_content_line_too_long);
	tcase_add_test(tl, file_name_form);
	suite_add_tcase(s, tl);
	tcase_add_unchecked_fixture(tk, keep_root_make, keep_root_remove);
	tcase_add_checked_fixture(tk, keep_setup, keep_teardown);
	tcase_add_test(tk, keep_writes_private_file);
	tcase_add_test(tk, keep_since_is_login_time);
	tcase_add_test(tk, take_then_keep);
	tcase_add_test(tk, take_refused_keeps_new_session);
	tcase_add_test(tk, take_without_file);
	tcase_add_test(tk, take_refuses_other_password);
	tcase_add_test(tk, take_refuses_open_file);
	tcase_add_test(tk, take_refuses_old_file);
	tcase_add_test(tk, take_refuses_garbage);
	tcase_add_test(tk, open_directory_not_used);
	tcase_add_test(tk, off_without_session_dir);
	suite_add_tcase(s, tk);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(session_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
