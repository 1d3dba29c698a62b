/*
 * tests/unit/check_fixture_pretty.c: record mode writes XML bodies one
 * element per line (vs_fixture_pretty) and replay, which compares
 * canonical forms (vs_fixture_canon), takes them as the compact bodies
 * they were recorded from.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "vsphere/fixture.h"
#include "vsphere/soap.h"
#include "vsphere/transports.h"

#define PASSWORD "pw&<Secret>'\""
#define SESSION_KEY "52e0a7c1-5d3a-4b1f-9e8a-0123456789ab"

static char *
pretty(const char *in)
{
	struct err err = { 0 };
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(vs_fixture_pretty(&out, &len, in, strlen(in), &err),
	                 0);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

/* in and vs_fixture_pretty(in) are equal once every blank is dropped:
 * only whitespace was added. */
static void
assert_only_blanks_added(const char *in, const char *out)
{
	size_t i = 0, o = 0;

	for (;;) {
		while (out[o] == ' ' || out[o] == '\n')
			o++;
		while (in[i] == ' ' || in[i] == '\n')
			i++;
		ck_assert_int_eq(in[i], out[o]);
		if (in[i] == '\0')
			break;
		i++;
		o++;
	}
}

START_TEST(test_pretty_layout)
{
	static const char in[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<soapenv:Envelope xmlns:soapenv=\"urn:e\"><soapenv:Body>"
		"<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">"
		"SessionManager</_this><userName>u</userName><empty></empty>"
		"<self/></Login></soapenv:Body></soapenv:Envelope>";
	static const char want[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<soapenv:Envelope xmlns:soapenv=\"urn:e\">\n"
		"  <soapenv:Body>\n"
		"    <Login xmlns=\"urn:vim25\">\n"
		"      <_this type=\"SessionManager\">SessionManager</_this>\n"
		"      <userName>u</userName>\n"
		"      <empty></empty>\n"
		"      <self/>\n"
		"    </Login>\n"
		"  </soapenv:Body>\n"
		"</soapenv:Envelope>";
	char *out = pretty(in);

	ck_assert_str_eq(out, want);
	assert_only_blanks_added(in, out);
	free(out);
}
END_TEST

/* Text is never touched: an element with any text child (even blank),
 * a comment, CDATA or a processing instruction keeps its content as it
 * is; quoted '>' and '/>' in attributes do not end a tag. */
START_TEST(test_pretty_keeps_text)
{
	static const char *const same_inside[] = {
		"<a>x<b/>y<c></c></a>",
		"<a> <b/></a>",
		"<a><b/> </a>",
		"<a><!--c--><b/></a>",
		"<a><![CDATA[<b></b>]]><b/></a>",
		"<a><?pi x?><b/></a>",
		"<a> </a>",
		"<a></a>",
		"<a/>",
		"<a>\n</a>",
	};
	char *out;
	size_t i;

	for (i = 0; i < sizeof(same_inside) / sizeof(same_inside[0]); i++) {
		out = pretty(same_inside[i]);
		ck_assert_str_eq(out, same_inside[i]);
		free(out);
	}
	out = pretty("<r><a v=\"x>y\" w='/>'><b>t &amp; &#34;u&#34;</b>"
	             "</a></r>");
	ck_assert_str_eq(out, "<r>\n  <a v=\"x>y\" w='/>'>\n"
	                 "    <b>t &amp; &#34;u&#34;</b>\n  </a>\n</r>");
	free(out);
	/* mixed content deeper down: only its own content is kept */
	out = pretty("<r><m>t<b/></m><e><f/></e></r>");
	ck_assert_str_eq(out, "<r>\n  <m>t<b/></m>\n  <e>\n    <f/>\n"
	                 "  </e>\n</r>");
	free(out);
}
END_TEST

/* Anything that is not one XML document comes back as it was. */
START_TEST(test_pretty_leaves_other_text)
{
	static const char *const same[] = {
		"",
		"{\"a\":[1,2]}",
		"<sensitive body: 12 bytes>\n",
		"<a><b></a>",
		"<a></b></c>",
		"</a><a>",
		"<a><b>",
		"<a><b",
		"<a/><b/>",
		"text<a><b/></a>",
		"<a><b/></a>tail",
		"<a><!-- open <b/></a>",
		"<!DOCTYPE a [<!ENTITY e \"x\">]><a><b/></a>",
		"  \n",
	};
	char *out;
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		out = pretty(same[i]);
		ck_assert_msg(strcmp(out, same[i]) == 0, "%zu: %s", i, out);
		free(out);
	}
	/* blanks around the root are kept, not doubled */
	out = pretty("\n<a><b/></a>\n");
	ck_assert_str_eq(out, "\n<a>\n  <b/>\n</a>\n");
	free(out);
	/* deeper than the limit: unchanged */
	{
		char deep[300 * 7 + 1];
		size_t o = 0, k;

		for (k = 0; k < 300; k++)
			o += (size_t)sprintf(deep + o, "<a>");
		for (k = 0; k < 300; k++)
			o += (size_t)sprintf(deep + o, "</a>");
		out = pretty(deep);
		ck_assert_str_eq(out, deep);
		free(out);
	}
}
END_TEST

static char *
canon(const char *in)
{
	struct err err = { 0 };
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(vs_fixture_canon(&out, &len, in, strlen(in), NULL,
	                                  &err), 0);
	return out;
}

/* Replay's comparison ignores the layout, masks included, but not
 * text. */
START_TEST(test_canon_ignores_layout)
{
	static const char in[] =
		"<r><spec><extraConfig><key>bosh.other</key><value "
		"xsi:type=\"xsd:string\">1700000000</value></extraConfig>"
		"<uuid>4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b</uuid>"
		"<name>vm one</name></spec></r>";
	char *p = pretty(in), *a = canon(in), *b = canon(p), *c;

	ck_assert_ptr_nonnull(strchr(p, '\n'));
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "<uuid>"));
	free(b);
	/* a changed text still differs */
	c = strstr(p, "vm one");
	ck_assert_ptr_nonnull(c);
	c[2] = '_';
	b = canon(p);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	free(p);
}
END_TEST

/* --- a recorded exchange ------------------------------------------ */

static char scen[256];

/* An inner transport answering every request with one Login reply. */
static int
login_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
                struct vs_http_response *resp, struct err *err)
{
	static const char body[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		"soap/envelope/\"><soapenv:Body><LoginResponse xmlns="
		"\"urn:vim25\"><returnval><key>" SESSION_KEY "</key>"
		"<userName>VSPHERE.LOCAL\\u</userName><fullName>A  B"
		"</fullName><loginTime>2024-01-02T03:04:05Z</loginTime>"
		"<locale>en</locale></returnval></LoginResponse>"
		"</soapenv:Body></soapenv:Envelope>";

	(void)t;
	(void)req;
	(void)err;
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	resp->body = strdup(body);
	resp->content_type = strdup("text/xml; charset=utf-8");
	ck_assert_ptr_nonnull(resp->body);
	resp->body_len = strlen(body);
	return 0;
}

static void
login_free(struct vs_transport *t)
{
	free(t);
}

static struct vs_transport *
login_new(void)
{
	struct vs_transport *t = calloc(1, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	t->version = VS_TRANSPORT_VERSION;
	t->roundtrip = login_roundtrip;
	t->free = login_free;
	return t;
}

/* The Login request as the CPI's own writer makes it. */
static char *
login_request(size_t *len, const char *user)
{
	struct err err = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	char *out = NULL;

	ck_assert_int_eq(vs_soap_request_new(&doc, &m, "Login", NULL, &err),
	                 0);
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "userName", user));
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "password", PASSWORD));
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "locale", "en"));
	ck_assert_int_eq(vs_soap_serialize(&out, len, doc, &err), 0);
	xmlFreeDoc(doc);
	return out;
}

static struct vs_http_request
login_req(const char *body, size_t len)
{
	struct vs_http_request req;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = "https://vc:443/sdk";
	req.soap_action = "urn:vim25/8.0.0.1";
	req.content_type = "text/xml; charset=utf-8";
	req.op = "Login";
	req.body = body;
	req.body_len = len;
	return req;
}

static char *
slurp(const char *name)
{
	struct err err = { 0 };
	char path[512], *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", scen, name);
	ck_assert_msg(vs_fixture_read_file(&text, NULL, path, 1 << 20,
	                                   &err) == 0, "%s", err.message);
	return text;
}

static void
scen_setup(void)
{
	snprintf(scen, sizeof(scen), "/tmp/check_fixture_pretty.%ld",
	         (long)getpid());
}

static void
scen_teardown(void)
{
	char path[600];
	struct dirent *de;
	DIR *d = opendir(scen);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", scen, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(scen);
}

static void
record_login(const char *const *secrets)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	size_t len = 0;
	char *body = login_request(&len, "u");

	ck_assert_int_eq(vs_transport_record_new(&t, login_new(), scen,
	                                         secrets, &err), 0);
	req = login_req(body, len);
	ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0, "%s",
	              err.message);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
	xmlFree(body);
}

START_TEST(test_record_indents_and_replays)
{
	static const char *const secrets[] = { PASSWORD, NULL };
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	xmlDocPtr doc = NULL;
	xmlNodePtr ret;
	char *text, *body, name[64];
	size_t len = 0;

	record_login(secrets);
	text = slurp("001-Login.request");
	ck_assert_ptr_nonnull(strstr(text, "\n      <userName>u</userName>\n"
	                             "      <password>REDACTED</password>\n"));
	ck_assert_ptr_null(strstr(text, "Secret"));
	free(text);
	text = slurp("001-Login.response");
	ck_assert_ptr_nonnull(strstr(text, "\n      <returnval>\n        "
	                             "<key>REDACTED</key>\n        "
	                             "<userName>VSPHERE.LOCAL\\u</userName>"
	                             "\n        <fullName>A  B</fullName>\n"));
	ck_assert_ptr_null(strstr(text, SESSION_KEY));
	free(text);
	/* the meta file is not XML: as before */
	text = slurp("001-Login.meta");
	ck_assert_ptr_nonnull(strstr(text, "method POST\npath /sdk\n"));
	free(text);

	/* replay takes the compact request the CPI sends */
	ck_assert_msg(vs_transport_replay_new(&t, scen, secrets, 0, NULL,
	                                      &err) == 0, "%s", err.message);
	body = login_request(&len, "u");
	req = login_req(body, len);
	ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(resp.status, 200);
	/* and the CPI's reader takes the laid-out reply */
	ck_assert_msg(vs_soap_parse_reply(&doc, &ret, resp.body,
	                                  resp.body_len, NULL, &err) == 0,
	              "%s", err.message);
	ret = vs_xml_child(ret, "returnval");
	ck_assert_ptr_nonnull(ret);
	ck_assert_int_eq(vs_xml_child_copy(name, sizeof(name), ret,
	                                   "userName"), 0);
	ck_assert_str_eq(name, "VSPHERE.LOCAL\\u");
	ck_assert_int_eq(vs_xml_child_copy(name, sizeof(name), ret,
	                                   "fullName"), 0);
	ck_assert_str_eq(name, "A  B");
	ck_assert_int_eq(vs_xml_child_copy(name, sizeof(name), ret, "key"),
	                 0);
	ck_assert_str_eq(name, "REDACTED");
	xmlFreeDoc(doc);
	vs_http_response_clear(&resp);
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
	xmlFree(body);
}
END_TEST

START_TEST(test_replay_of_laid_out_still_compares_text)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	size_t len = 0;
	char *body;

	record_login(NULL);
	ck_assert_int_eq(vs_transport_replay_new(&t, scen, NULL, 0, NULL,
	                                         &err), 0);
	body = login_request(&len, "someone-else");
	req = login_req(body, len);
	ck_assert_int_ne(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.message, "someone-else"));
	vs_transport_free(t);
	xmlFree(body);
}
END_TEST

static Suite *
pretty_suite(void)
{
	Suite *s = suite_create("fixture_pretty");
	TCase *tc = tcase_create("layout");
	TCase *tr = tcase_create("record");

	tcase_add_test(tc, test_pretty_layout);
	tcase_add_test(tc, test_pretty_keeps_text);
	tcase_add_test(tc, test_pretty_leaves_other_text);
	tcase_add_test(tc, test_canon_ignores_layout);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, scen_setup, scen_teardown);
	tcase_add_test(tr, test_record_indents_and_replays);
	tcase_add_test(tr, test_replay_of_laid_out_still_compares_text);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pretty_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
