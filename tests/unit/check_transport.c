/*
 * tests/unit/check_transport.c: fixture redaction and masking, and the
 * record and replay transports driven by the shared fake transport
 * (tests/support/fake_transport.h) as their inner one.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "tests/support/fake_transport.h"
#include "vsphere/fixture.h"
#include "vsphere/soap.h"
#include "vsphere/transport.h"
#include "vsphere/transport_fault.h"
#include "vsphere/transports.h"

#define PASSWORD "Sup3r&Secret<pw>"
#define PASSWORD_XML "Sup3r&amp;Secret&lt;pw&gt;"
#define MBUS "mbus-Pa55-w0rd"
#define KEY "89ea95bd-3361-4b76-a803-5c64416e222b"

static const char *const secrets[] = { PASSWORD, MBUS, NULL };

/* --- helpers ------------------------------------------------------ */

static char *
redact(const char *in, const char *const *sec)
{
	struct err err = { 0 };
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(vs_fixture_redact(&out, &len, in, strlen(in), sec,
	                                   &err), 0);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

static char *
mask(const char *in)
{
	struct err err = { 0 };
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(vs_fixture_mask(&out, &len, in, strlen(in), &err), 0);
	return out;
}

static void
rm_flat(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static char tmpdir[256];
static char scen[300];
static char cursor[300];
static char upfile[300];
static char downfile[300];

static void
setup_tmp(void)
{
	FILE *f;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_transport.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(scen, sizeof(scen), "%s/scen", tmpdir);
	snprintf(cursor, sizeof(cursor), "%s/cursor", tmpdir);
	snprintf(upfile, sizeof(upfile), "%s/env.json", tmpdir);
	snprintf(downfile, sizeof(downfile), "%s/down.json", tmpdir);
	f = fopen(upfile, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"mbus\":\"nats://nats:" MBUS "@10.0.0.6:4222\"}");
	fclose(f);
	ft_reset_empty(NULL);
}

static void
teardown_tmp(void)
{
	ft_clear();
	rm_flat(scen);
	rm_flat(tmpdir);
}

static bool
file_contains(const char *path, const char *needle)
{
	struct err err = { 0 };
	char *data = NULL;
	size_t len = 0, i, nl = strlen(needle);
	bool found;

	ck_assert_int_eq(vs_fixture_read_file(&data, &len, path, 1 << 24,
	                                      &err), 0);
	found = false;
	for (i = 0; !found && i + nl <= len; i++)
		found = memcmp(data + i, needle, nl) == 0;
	free(data);
	return found;
}

static char *
slurp(const char *path)
{
	struct err err = { 0 };
	char *data = NULL;
	size_t len = 0;

	ck_assert_int_eq(vs_fixture_read_file(&data, &len, path, 1 << 24,
	                                      &err), 0);
	return data;
}

/* --- redaction ---------------------------------------------------- */

static const struct {
	const char *in;
	const char *want;
} redact_cases[] = {
	/* plain and prefixed password elements */
	{ "<password>pass</password>", "<password>REDACTED</password>" },
	{ "<vim25:password>pass</vim25:password>",
	  "<vim25:password>REDACTED</vim25:password>" },
	{ "<ns1:password xsi:type=\"xsd:string\">a b</ns1:password>",
	  "<ns1:password xsi:type=\"xsd:string\">REDACTED</ns1:password>" },
	/* nested in a Login request */
	{ "<vim25:Login><vim25:_this type=\"SessionManager\">SessionManager"
	  "</vim25:_this><vim25:userName>user</vim25:userName>"
	  "<vim25:password>pass</vim25:password></vim25:Login>",
	  "<vim25:Login><vim25:_this type=\"SessionManager\">SessionManager"
	  "</vim25:_this><vim25:userName>user</vim25:userName>"
	  "<vim25:password>REDACTED</vim25:password></vim25:Login>" },
	/* XML-escaped content */
	{ "<password>a&amp;b&lt;c</password>",
	  "<password>REDACTED</password>" },
	/* CDATA holding a fake close tag */
	{ "<password><![CDATA[x</password>y]]></password><a>1</a>",
	  "<password>REDACTED</password><a>1</a>" },
	/* nested same-name element */
	{ "<password><password>x</password>y</password>z",
	  "<password>REDACTED</password>z" },
	/* truncated: everything after the open tag goes */
	{ "<password>abc", "<password>REDACTED" },
	/* a '>' inside an attribute value does not end the tag */
	{ "<password a=\"x>y\">abc</password>",
	  "<password a=\"x>y\">REDACTED</password>" },
	/* left alone */
	{ "<password/><passwordHint>h</passwordHint>",
	  "<password/><passwordHint>h</passwordHint>" },
	{ "<userName>user</userName>", "<userName>user</userName>" },
	/* secrets from the caller, raw, XML-escaped and percent-encoded */
	{ "<userName>" MBUS "</userName>", "<userName>REDACTED</userName>" },
	{ "<v>x" PASSWORD_XML "y</v>", "<v>xREDACTEDy</v>" },
	{ "/folder/a?t=Sup3r%26Secret%3Cpw%3E&dsName=ds",
	  "/folder/a?t=REDACTED&dsName=ds" },
	/* the session key of a Login reply */
	{ "<LoginResponse xmlns=\"urn:vim25\"><returnval><key>" KEY
	  "</key><userName>user</userName></returnval></LoginResponse>",
	  "<LoginResponse xmlns=\"urn:vim25\"><returnval><key>REDACTED"
	  "</key><userName>user</userName></returnval></LoginResponse>" },
	/* a UserSession property value; other keys stay */
	{ "<val xsi:type=\"UserSession\"><key>52ab</key><userName>u"
	  "</userName></val><val xsi:type=\"OptionValue\"><key>k</key>"
	  "</val>",
	  "<val xsi:type=\"UserSession\"><key>REDACTED</key><userName>u"
	  "</userName></val><val xsi:type=\"OptionValue\"><key>k</key>"
	  "</val>" },
	/* cookies */
	{ "Cookie: vmware_soap_session=\"52abc\"; Path=/",
	  "Cookie: vmware_soap_session=\"REDACTED\"; Path=/" },
	{ "vmware_soap_session=52abc-9 x",
	  "vmware_soap_session=REDACTED x" },
	/* guestinfo.userdata values; the encoding and others stay */
	{ "<extraConfig><key>guestinfo.userdata</key><value xsi:type="
	  "\"xsd:string\">c2VjcmV0</value></extraConfig><extraConfig><key>"
	  "guestinfo.userdata.encoding</key><value>base64</value>"
	  "</extraConfig><extraConfig><key>guestinfo.other</key><value>"
	  "keep</value></extraConfig>",
	  "<extraConfig><key>guestinfo.userdata</key><value xsi:type="
	  "\"xsd:string\">REDACTED</value></extraConfig><extraConfig><key>"
	  "guestinfo.userdata.encoding</key><value>base64</value>"
	  "</extraConfig><extraConfig><key>guestinfo.other</key><value>"
	  "keep</value></extraConfig>" },
	{ "<vim25:extraConfig><vim25:key>guestinfo.userdata.vendor"
	  "</vim25:key><vim25:value>x</vim25:value></vim25:extraConfig>"
	  "<vim25:value>y</vim25:value>",
	  "<vim25:extraConfig><vim25:key>guestinfo.userdata.vendor"
	  "</vim25:key><vim25:value>REDACTED</vim25:value>"
	  "</vim25:extraConfig><vim25:value>y</vim25:value>" },
	/* a value outside the key's parent is not taken */
	{ "<a><key>guestinfo.userdata</key></a><value>v</value>",
	  "<a><key>guestinfo.userdata</key></a><value>v</value>" },
};

START_TEST(test_redact_table)
{
	char *out = redact(redact_cases[_i].in, secrets);

	ck_assert_str_eq(out, redact_cases[_i].want);
	free(out);
}
END_TEST

START_TEST(test_redact_overlapping_secrets)
{
	static const char *const sec[] = { "pass", "password123", NULL };
	char *out = redact("<a>password123</a><b>pass</b>", sec);

	ck_assert_str_eq(out, "<a>REDACTED</a><b>REDACTED</b>");
	free(out);
}
END_TEST

START_TEST(test_redact_hostile_noise)
{
	static const char alphabet[] = "<>/\"'=:!-[]?x \nCDATApsword";
	char buf[600];
	char *out;
	unsigned seed = 12345;
	size_t i, at;
	int round;

	for (round = 0; round < 2000; round++) {
		for (i = 0; i < 300; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) %
			                  (sizeof(alphabet) - 1)];
		}
		buf[300] = '\0';
		at = (seed >> 8) % 280;
		memcpy(buf + at, MBUS, strlen(MBUS));
		out = redact(buf, secrets);
		ck_assert_ptr_null(strstr(out, MBUS));
		free(out);
	}
}
END_TEST

/* --- one secret in every form a recording can hold ---------------- */

/* Quotes, &<>, backslash, slash, space, %, +, a tab, U+00E9 and U+1F600:
 * every writer escapes some of these and not others. */
#define QSECRET "q\"u'o&t<e>s\\ /%+\tx\xc3\xa9\xf0\x9f\x98\x80!"

static const char *const qsecrets[] = { QSECRET, NULL };

/* Test-side encoders, written apart from fixture.c's matcher. */
enum qform { Q_GO_XML, Q_NAMED_XML, Q_DEC_XML, Q_PCT_UPPER, Q_PCT_LOWER,
             Q_FORM, Q_NFORMS };

static void
qencode(char *buf, size_t size, const char *s, enum qform f)
{
	const unsigned char *p;
	size_t n = 0;

	for (p = (const unsigned char *)s; *p != '\0' && n + 16 < size; p++) {
		const char *named = NULL;
		bool unreserved = (*p >= 'a' && *p <= 'z') ||
		                  (*p >= 'A' && *p <= 'Z') ||
		                  (*p >= '0' && *p <= '9') ||
		                  strchr("-._~", *p) != NULL;

		switch (f) {
		case Q_GO_XML:          /* Go's encoding/xml EscapeText */
			named = *p == '"' ? "&#34;" : *p == '\'' ? "&#39;" :
			        *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
			        *p == '>' ? "&gt;" : *p == '\t' ? "&#x9;" :
			        NULL;
			break;
		case Q_NAMED_XML:
			named = *p == '"' ? "&quot;" : *p == '\'' ? "&apos;" :
			        *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
			        *p == '>' ? "&gt;" : NULL;
			break;
		case Q_DEC_XML:         /* every ASCII non-alnum as &#N; */
			if (*p < 0x80 && !unreserved) {
				n += (size_t)snprintf(buf + n, size - n, "&#%d;",
				                      *p);
				continue;
			}
			break;
		case Q_PCT_UPPER:
		case Q_PCT_LOWER:
		case Q_FORM:
			if (f == Q_FORM && *p == ' ') {
				named = "+";
			} else if (!unreserved) {
				n += (size_t)snprintf(buf + n, size - n,
				                      f == Q_PCT_LOWER ? "%%%02x" :
				                      "%%%02X", *p);
				continue;
			}
			break;
		default:
			break;
		}
		if (named != NULL) {
			n += (size_t)snprintf(buf + n, size - n, "%s", named);
		} else {
			buf[n++] = (char)*p;
			buf[n] = '\0';
		}
	}
	buf[n] = '\0';
}

/* What libxml2 writes for QSECRET as element text (vs_soap_add_text)
 * and as an attribute value (vs_soap_add_obj's xsi:type), in one
 * request; the Login password element is elsewhere. */
static char *
libxml2_request(void)
{
	struct err err = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(vs_soap_request_new(&doc, &m, "Login", NULL, &err),
	                 0);
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "userName", QSECRET));
	ck_assert_ptr_nonnull(vs_soap_add_obj(m, "locale", QSECRET));
	ck_assert_ptr_nonnull(xmlNewProp(m, (const xmlChar *)"note",
	                                 (const xmlChar *)QSECRET));
	ck_assert_int_eq(vs_soap_serialize(&out, &len, doc, &err), 0);
	xmlFreeDoc(doc);
	/* libxml2 leaves the quotes of element text alone: the form the
	 * old redaction missed. */
	ck_assert_ptr_nonnull(strstr(out, "<userName>q\"u'o&amp;t&lt;e&gt;"));
	return out;
}

static bool
xml_holds(xmlNodePtr n, const char *needle)
{
	xmlAttrPtr a;

	for (; n != NULL; n = n->next) {
		if (n->content != NULL &&
		    strstr((const char *)n->content, needle) != NULL)
			return true;
		if (n->type == XML_ELEMENT_NODE) {
			for (a = n->properties; a != NULL; a = a->next)
				if (xml_holds(a->children, needle))
					return true;
			if (xml_holds(n->children, needle))
				return true;
		}
	}
	return false;
}

/* Redacts text holding QSECRET as `form`; the form is gone, REDACTED
 * took its place, and, decoded as XML or JSON when it is that, no value
 * holds the secret. */
static char *
assert_redacted(const char *what, const char *text, const char *form)
{
	char *out = redact(text, qsecrets);
	json_t *j;

	ck_assert_msg(form == NULL || strstr(text, form) != NULL,
	              "%s: the case lacks its form", what);
	ck_assert_msg(strstr(out, "REDACTED") != NULL, "%s: %s", what, out);
	ck_assert_msg(form == NULL || strstr(out, form) == NULL,
	              "%s: left in %s", what, out);
	ck_assert_msg(strstr(out, QSECRET) == NULL, "%s: %s", what, out);
	if (out[0] == '<') {
		xmlDocPtr doc = xmlReadMemory(out, (int)strlen(out), "r.xml",
		                              NULL, XML_PARSE_NONET |
		                              XML_PARSE_NOERROR |
		                              XML_PARSE_NOWARNING);

		ck_assert_msg(doc != NULL, "%s: not XML any more: %s", what,
		              out);
		ck_assert_msg(!xml_holds(xmlDocGetRootElement(doc), QSECRET),
		              "%s: a value still holds it: %s", what, out);
		xmlFreeDoc(doc);
	}
	if (out[0] == '{') {
		j = json_loads(out, 0, NULL);
		ck_assert_msg(j != NULL, "%s: not JSON any more: %s", what, out);
		ck_assert_str_eq(json_string_value(json_object_get(j, "pw")),
		                 "REDACTED");
		json_decref(j);
	}
	return out;
}

START_TEST(test_redact_every_form)
{
	static const size_t json_flags[] = {
		0, JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH,
	};
	char enc[512], text[2048], *req, *out, *dump;
	json_t *j;
	size_t i;
	int f;

	/* a request as libxml2 writes it: element text and attributes */
	req = libxml2_request();
	out = assert_redacted("libxml2 request", req, NULL);
	ck_assert_ptr_nonnull(strstr(out, "<userName>REDACTED</userName>"));
	ck_assert_ptr_nonnull(strstr(out, "xsi:type=\"REDACTED\""));
	ck_assert_ptr_nonnull(strstr(out, "note=\"REDACTED\""));
	free(out);
	free(req);
	/* a reply (Go's escaping: the simulator), other XML writers, a
	 * URL's path and query, a form body */
	for (f = 0; f < Q_NFORMS; f++) {
		qencode(enc, sizeof(enc), QSECRET, (enum qform)f);
		if (f <= Q_DEC_XML)
			snprintf(text, sizeof(text), "<r><faultstring>login "
			         "%s failed</faultstring><v a=\"%s\"/></r>",
			         enc, enc);
		else
			snprintf(text, sizeof(text), "/folder/%s/env.json?"
			         "dsName=%s&t=1", enc, enc);
		out = assert_redacted("encoded", text, enc);
		free(out);
	}
	/* JSON (a downloaded env.json, a JSON log) as jansson writes it */
	for (i = 0; i < sizeof(json_flags) / sizeof(json_flags[0]); i++) {
		j = json_pack("{s:s}", "pw", QSECRET);
		dump = json_dumps(j, json_flags[i]);
		ck_assert_ptr_nonnull(dump);
		out = assert_redacted("json", dump, NULL);
		free(out);
		free(dump);
		json_decref(j);
	}
	/* headers: a cookie and a header value, as is and quoted */
	snprintf(text, sizeof(text), "Set-Cookie: other=%s; Path=/\n"
	         "X-Note: \"%s\"\n", QSECRET, QSECRET);
	out = assert_redacted("header", text, QSECRET);
	ck_assert_str_eq(out, "Set-Cookie: other=REDACTED; Path=/\n"
	                 "X-Note: \"REDACTED\"\n");
	free(out);
	/* text around stays, and a near miss is not taken */
	out = redact("<a>q\"u'o&amp;t&lt;e&gt;s\\ /%+\tx</a>", qsecrets);
	ck_assert_str_eq(out, "<a>q\"u'o&amp;t&lt;e&gt;s\\ /%+\tx</a>");
	free(out);
}
END_TEST

/* The record transport writes no form of it: request body, URL, reply,
 * download.  The inner transport (the shared fake) answers Login with a
 * fault quoting the secret. */
START_TEST(test_record_redacts_every_form)
{
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	struct err err = { 0 };
	char url[1024], enc[512], path[4096], *data;
	struct dirent *de;
	DIR *d;
	struct ft_step *st;
	int f, files = 0;

	qencode(enc, sizeof(enc), QSECRET, Q_GO_XML);
	st = ft_step("Login", 500);
	st->body = ft_fmt("<Envelope><Body><Fault><faultstring>bad user %s"
	                  "</faultstring></Fault></Body></Envelope>", enc);
	st->content_type = "text/xml; charset=utf-8";
	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, scen, qsecrets,
	                                         &err), 0);
	memset(&req, 0, sizeof(req));
	qencode(enc, sizeof(enc), QSECRET, Q_PCT_UPPER);
	snprintf(url, sizeof(url), "https://vc:443/sdk?x=%s", enc);
	req.method = "POST";
	req.url = url;
	req.op = "Login";
	req.content_type = "text/xml; charset=utf-8";
	req.body = libxml2_request();
	req.body_len = strlen(req.body);
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	vs_http_response_clear(&resp);
	free((char *)req.body);
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
	ft_all_used();
	d = opendir(scen);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", scen, de->d_name);
		data = slurp(path);
		ck_assert_msg(strstr(data, QSECRET) == NULL, "%s", path);
		ck_assert_msg(strstr(data, "q\"u'o&amp;t&lt;e&gt;") == NULL,
		              "%s: %s", path, data);
		for (f = 0; f < Q_NFORMS; f++) {
			qencode(enc, sizeof(enc), QSECRET, (enum qform)f);
			ck_assert_msg(strstr(data, enc) == NULL, "%s: %s",
			              path, data);
		}
		free(data);
		files++;
	}
	closedir(d);
	ck_assert_int_eq(files, 3);
}
END_TEST

/* --- masking ------------------------------------------------------ */

static const struct {
	const char *in;
	const char *want;
} mask_cases[] = {
	{ "<uuid>4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b</uuid>",
	  "<uuid><uuid></uuid>" },
	{ "VM 4213A3F8-1C2D-4E5F-8A9B-0C1D2E3F4A5B!", "VM <uuid>!" },
	{ "too long: 4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b0",
	  "too long: 4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b0" },
	{ "short 12345678-1234-1234", "short 12345678-1234-1234" },
	{ "x0123456789-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
	  "x0123456789-1c2d-4e5f-8a9b-0c1d2e3f4a5b" },
	/* generated names: vm-<uuid>, sc-<uuid>.ovf, <uuid>-1 */
	{ "<name>vm-4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b</name>",
	  "<name>vm-<uuid></name>" },
	{ "sc-4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b.ovf", "sc-<uuid>.ovf" },
	{ "4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b-1", "<uuid>-1" },
	{ "<ds>/tmp/govcsim-DC0-LocalDS_0-2837461@folder-5</ds>",
	  "<ds><govcsim>@folder-5</ds>" },
	{ "/var/folders/x1/T/govcsim-DC0-LocalDS_0-99/vm/a.vmx",
	  "<govcsim>/vm/a.vmx" },
	{ "[LocalDS_0] govcsim-x_y", "[LocalDS_0] <govcsim>" },
	{ "/tmp/other/file", "/tmp/other/file" },
	{ "<t>2026-11-23T07:47:33.436444163Z</t>", "<t><time></t>" },
	{ "<t>2026-11-23T07:47:33+02:00</t>", "<t><time></t>" },
	{ "<t>2026-11-23</t>", "<t>2026-11-23</t>" },
	{ "session[89ea95bd-3361-4b76-a803-5c64416e222b]21e999c0-6b49-419f-"
	  "8fb2-d65c71d8f708</r>", "<session></r>" },
	{ "session[REDACTED]abc-1<", "<session><" },
	{ "https://127.0.0.1:8989/sdk", "https://127.0.0.1:<port>/sdk" },
	{ "http://[::1]:44321/nfc/x", "http://[::1]:<port>/nfc/x" },
	{ "https://*:443/nfc/a", "https://*:<port>/nfc/a" },
	{ "https://vc.example.com/sdk", "https://vc.example.com/sdk" },
	{ "<sensitive upload: 123 bytes>", "<sensitive upload: <n> bytes>" },
	{ "<upload: 123 bytes>", "<upload: 123 bytes>" },
	{ "<key>bosh.other</key><value>1764843123</value>",
	  "<key>bosh.other</key><value>1764843123</value>" },
	{ "", "" },
};

START_TEST(test_mask_table)
{
	char *out = mask(mask_cases[_i].in);

	ck_assert_str_eq(out, mask_cases[_i].want);
	free(out);
}
END_TEST

START_TEST(test_canon_whitespace_and_diff)
{
	struct err err = { 0 };
	const char *a = "<a>\n  <b>x y</b>\r\n</a>\n";
	const char *b = "<a><b>x y</b></a>";
	const char *c = "<a><b>x z</b></a>";
	char *ca = NULL, *cb = NULL, *cc = NULL, msg[300];
	size_t la, lb, lc;

	ck_assert_int_eq(vs_fixture_canon(&ca, &la, a, strlen(a), NULL,
	                                  &err), 0);
	ck_assert_int_eq(vs_fixture_canon(&cb, &lb, b, strlen(b), NULL,
	                                  &err), 0);
	ck_assert_int_eq(vs_fixture_canon(&cc, &lc, c, strlen(c), NULL,
	                                  &err), 0);
	ck_assert_str_eq(ca, cb);
	ck_assert(!vs_fixture_diff(msg, sizeof(msg), ca, la, cb, lb));
	ck_assert(vs_fixture_diff(msg, sizeof(msg), cb, lb, cc, lc));
	ck_assert_ptr_nonnull(strstr(msg, "line 1 col 9"));
	ck_assert_ptr_nonnull(strstr(msg, "x y"));
	ck_assert_ptr_nonnull(strstr(msg, "x z"));
	free(ca);
	free(cb);
	free(cc);
}
END_TEST

START_TEST(test_op_name_and_path)
{
	struct err err = { 0 };
	char op[VS_FIXTURE_OP_MAX + 1], *p = NULL;

	vs_fixture_op_name(op, sizeof(op), "../etc/pass wd");
	ck_assert_str_eq(op, "_._etc_pass_wd");
	ck_assert_ptr_null(strchr(op, '/'));
	vs_fixture_op_name(op, sizeof(op), NULL);
	ck_assert_str_eq(op, "exchange");
	vs_fixture_op_name(op, sizeof(op), "RetrievePropertiesEx");
	ck_assert_str_eq(op, "RetrievePropertiesEx");
	ck_assert_int_eq(vs_fixture_url_path(&p, "https://[::1]:8989/sdk",
	                                     &err), 0);
	ck_assert_str_eq(p, "/sdk");
	free(p);
	ck_assert_int_eq(vs_fixture_url_path(&p,
	                 "https://h/folder/a%20b?dsName=x", &err), 0);
	ck_assert_str_eq(p, "/folder/a%20b?dsName=x");
	free(p);
	ck_assert_int_eq(vs_fixture_url_path(&p, "https://h:1", &err), 0);
	ck_assert_str_eq(p, "/");
	free(p);
}
END_TEST

START_TEST(test_meta_roundtrip_and_hostile)
{
	struct err err = { 0 };
	struct vs_fixture_meta m = { 0 }, back;
	char *text = NULL;
	size_t len = 0;
	const char *bad = "method POST\npath /sdk\nstatus abc\n";

	snprintf(m.method, sizeof(m.method), "POST");
	m.path = "/sdk\r\nstatus 999";
	m.soap_action = "urn:vim25/8.0.0.1";
	m.status = 500;
	m.request = VS_FIXTURE_REQ_UPLOAD;
	m.response = VS_FIXTURE_RESP_BINARY;
	m.binary_size = 42;
	m.session = 7;
	m.nested = true;
	ck_assert_int_eq(vs_fixture_meta_format(&text, &len, &m, &err), 0);
	ck_assert_int_eq(vs_fixture_meta_parse(&back, text, len, &err), 0);
	ck_assert_str_eq(back.method, "POST");
	ck_assert_str_eq(back.path, "/sdk??status 999");
	ck_assert_str_eq(back.soap_action, "urn:vim25/8.0.0.1");
	ck_assert_ptr_null(back.content_type);
	ck_assert_int_eq(back.status, 500);
	ck_assert_int_eq(back.request, VS_FIXTURE_REQ_UPLOAD);
	ck_assert_int_eq(back.response, VS_FIXTURE_RESP_BINARY);
	ck_assert_uint_eq(back.binary_size, 42);
	ck_assert_uint_eq(back.session, 7);
	ck_assert(back.nested);
	vs_fixture_meta_clear(&back);
	free(text);
	text = "method POST\npath /sdk\nstatus 200\nnested no\n";
	ck_assert_int_eq(vs_fixture_meta_parse(&back, text, strlen(text),
	                                       &err), ERR_EREPLAY);
	ck_assert_int_eq(vs_fixture_meta_parse(&back, bad, strlen(bad), &err),
	                 ERR_EREPLAY);
	/* fixtures written by early versions of record still load */
	text = "method PUT\npath /folder/x\nstatus 201\nresponse sensitive\n";
	ck_assert_int_eq(vs_fixture_meta_parse(&back, text, strlen(text),
	                                       &err), 0);
	ck_assert_int_eq(back.response, VS_FIXTURE_RESP_LEGACY_SENSITIVE);
	vs_fixture_meta_clear(&back);
	vs_fixture_meta_clear(NULL);
}
END_TEST

/* --- the inner transport: the shared fake --------------------------- */

/* Queues on the shared fake what the inner transport answers to op:
 * Login hands out the session key, CreateContainerView a view named
 * after it, file-get downloads the agent env, file-put creates, and any
 * other op gets a small reply holding a time. */
static void
queue_reply(const char *op)
{
	struct ft_step *st;

	if (strcmp(op, "file-get") == 0) {
		st = ft_step(op, 200);
		st->body = ft_fmt("{\"mbus\":\"nats://nats:" MBUS
		                  "@h:4222\"}\n");
		st->download = true;
		st->content_type = "application/octet-stream";
		return;
	}
	if (strcmp(op, "file-put") == 0) {
		st = ft_step(op, 201);
		st->body = ft_fmt("%s", "");
	} else if (strcmp(op, "Login") == 0) {
		st = ft_step(op, 200);
		st->body = ft_fmt("<LoginResponse xmlns=\"urn:vim25\">"
		                  "<returnval><key>" KEY "</key><userName>user"
		                  "</userName><loginTime>2026-11-23T07:47:33.4Z"
		                  "</loginTime></returnval></LoginResponse>");
	} else if (strcmp(op, "CreateContainerView") == 0) {
		st = ft_step(op, 200);
		st->body = ft_fmt("<returnval type=\"ContainerView\">session["
		                  KEY "]21e999c0-6b49-419f-8fb2-d65c71d8f708"
		                  "</returnval>");
	} else {
		st = ft_step(op, 200);
		st->body = ft_fmt("<%sResponse><t>2026-11-23T07:47:33Z</t>"
		                  "</%sResponse>", op, op);
	}
	st->content_type = "text/xml; charset=utf-8";
}

/* The scripted requests of one "process". */
static char login_body[512];
static char props_body[512];

static void
make_bodies(const char *uuid, const char *user)
{
	snprintf(login_body, sizeof(login_body),
	         "<?xml version=\"1.0\"?>\n<Envelope><Body><Login><_this "
	         "type=\"SessionManager\">SessionManager</_this><userName>%s"
	         "</userName><password>" PASSWORD_XML "</password></Login>"
	         "</Body></Envelope>", user);
	snprintf(props_body, sizeof(props_body),
	         "<Envelope><Body><RetrievePropertiesEx><obj type=\"View\">"
	         "session[" KEY "]21e999c0-6b49-419f-8fb2-d65c71d8f708</obj>"
	         "<uuid>%s</uuid><p>/tmp/govcsim-DC0-LocalDS_0-1@folder-5</p>"
	         "</RetrievePropertiesEx></Body></Envelope>", uuid);
}

static struct vs_http_request
script(int i, const char *host)
{
	static char url[6][128];
	struct vs_http_request r;

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.soap_action = "urn:vim25/8.0.0.1";
	r.content_type = "text/xml; charset=utf-8";
	snprintf(url[i], sizeof(url[i]), "https://%s/sdk", host);
	r.url = url[i];
	switch (i) {
	case 0:
		r.op = "Login";
		r.body = login_body;
		break;
	case 1:
		r.op = "CreateContainerView";
		r.body = "<CreateContainerView/>";
		break;
	case 2:
		r.op = "RetrievePropertiesEx";
		r.body = props_body;
		break;
	case 3:
		r.op = "file-put";
		r.method = "PUT";
		r.soap_action = NULL;
		r.content_type = "application/octet-stream";
		snprintf(url[i], sizeof(url[i]), "https://%s/folder/vm-1/"
		         "env.json?dsName=ds", host);
		r.upload_path = upfile;
		r.sensitive = true;
		break;
	case 4:
		r.op = "file-get";
		r.method = "GET";
		r.soap_action = NULL;
		r.content_type = NULL;
		snprintf(url[i], sizeof(url[i]), "https://%s/folder/vm-1/"
		         "env.json?dsName=ds", host);
		r.download_path = downfile;
		break;
	default:
		r.op = "Logout";
		r.body = "<Logout/>";
		break;
	}
	if (r.body != NULL)
		r.body_len = strlen(r.body);
	return r;
}

static void
run_script(struct vs_transport *t, int from, int to, const char *host)
{
	struct err err = { 0 };
	struct vs_http_response resp;
	struct vs_http_request req;
	int i;

	for (i = from; i < to; i++) {
		req = script(i, host);
		ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0,
		              "exchange %d: %s", i, err.message);
		vs_http_response_clear(&resp);
	}
}

static void
record_all(int from, int to)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	int i;

	for (i = from; i < to; i++)
		queue_reply(script(i, "h").op);
	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, scen,
	                                         secrets, &err), 0);
	run_script(t, from, to, "127.0.0.1:8989");
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
	ft_all_used();
}

/* A replay transport over scen from exchange start (0: the first). */
static struct vs_transport *
replay_at(unsigned long start)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;

	ck_assert_msg(vs_transport_replay_new(&t, scen, secrets, start, NULL,
	              &err) == 0, "%s", err.message);
	return t;
}

static void
assert_no_secret_in_dir(const char *dir)
{
	static const char *const needles[] = { PASSWORD, PASSWORD_XML, MBUS,
	                                       KEY, NULL };
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);
	int i, files = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		for (i = 0; needles[i] != NULL; i++)
			ck_assert_msg(!file_contains(path, needles[i]),
			              "%s holds a secret", de->d_name);
		files++;
	}
	closedir(d);
	ck_assert_int_gt(files, 0);
}

START_TEST(test_record_writes_redacted_files)
{
	char path[512], *text;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 6);
	assert_no_secret_in_dir(scen);
	snprintf(path, sizeof(path), "%s/001-Login.request", scen);
	ck_assert(file_contains(path, "<password>REDACTED</password>"));
	snprintf(path, sizeof(path), "%s/001-Login.response", scen);
	ck_assert(file_contains(path, "<key>REDACTED</key>"));
	/* the key learned at Login is redacted from later MOIDs */
	snprintf(path, sizeof(path), "%s/002-CreateContainerView.response",
	         scen);
	ck_assert(file_contains(path, "session[REDACTED]21e999c0"));
	snprintf(path, sizeof(path), "%s/004-file-put.request", scen);
	text = slurp(path);
	ck_assert_str_eq(text, "<sensitive upload: 51 bytes>\n");
	free(text);
	snprintf(path, sizeof(path), "%s/005-file-get.response", scen);
	ck_assert(file_contains(path, "nats://nats:REDACTED@h:4222"));
	snprintf(path, sizeof(path), "%s/005-file-get.meta", scen);
	text = slurp(path);
	ck_assert_str_eq(text, "method GET\npath /folder/vm-1/env.json?"
	                 "dsName=ds\nstatus 200\nreply_content_type "
	                 "application/octet-stream\nrequest none\nresponse "
	                 "download\nsession 1\n");
	free(text);
	snprintf(path, sizeof(path), "%s/001-Login.meta", scen);
	text = slurp(path);
	ck_assert_str_eq(text, "method POST\npath /sdk\nsoap_action "
	                 "urn:vim25/8.0.0.1\ncontent_type text/xml; "
	                 "charset=utf-8\nstatus 200\nreply_content_type "
	                 "text/xml; charset=utf-8\nrequest body\nresponse "
	                 "body\nsession 1\n");
	free(text);
}
END_TEST

START_TEST(test_record_numbering_continues)
{
	struct vs_fixture_entry *e = NULL;
	struct err err = { 0 };
	char path[512];
	size_t n = 0;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 3);
	record_all(3, 6);
	ck_assert_int_eq(vs_fixture_list(&e, &n, scen, false, &err), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(e[0].name, "001-Login");
	ck_assert_str_eq(e[3].name, "004-file-put");
	ck_assert_str_eq(e[5].name, "006-Logout");
	free(e);
	snprintf(path, sizeof(path), "%s/003-RetrievePropertiesEx.meta",
	         scen);
	ck_assert(file_contains(path, "session 1\n"));
	snprintf(path, sizeof(path), "%s/004-file-put.meta", scen);
	ck_assert(file_contains(path, "session 4\n"));
	assert_no_secret_in_dir(scen);
}
END_TEST

START_TEST(test_record_write_failure_is_eio)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	char path[512];

	ck_assert_int_eq(mkdir(scen, 0755), 0);
	/* a stray file where the first exchange goes (no .meta: not an
	 * exchange, so numbering starts at 1) */
	snprintf(path, sizeof(path), "%s/001-Login.request", scen);
	ck_assert_int_eq(vs_fixture_write_file(path, "x", 1, true, &err), 0);
	queue_reply("Login");
	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, scen,
	                                         secrets, &err), 0);
	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	req = script(0, "h");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EIO);
	ck_assert_ptr_null(resp.body);
	ck_assert_ptr_nonnull(strstr(err.message, "001-Login"));
	vs_transport_free(t);
}
END_TEST

START_TEST(test_replay_roundtrip)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	char *text;
	int i;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 6);
	/* another run: other VM uuid, other port */
	make_bodies("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "user");
	t = replay_at(0);
	for (i = 0; i < 6; i++) {
		req = script(i, "127.0.0.1:40001");
		ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0,
		              "%d: %s", i, err.message);
		if (i == 0) {
			ck_assert_int_eq(resp.status, 200);
			ck_assert_ptr_nonnull(strstr(resp.body,
			                             "<key>REDACTED</key>"));
			ck_assert_str_eq(resp.content_type,
			                 "text/xml; charset=utf-8");
		}
		if (i == 3) {
			ck_assert_int_eq(resp.status, 201);
			ck_assert_uint_eq(resp.body_len, 0);
		}
		if (i == 4)
			ck_assert_ptr_null(resp.body);
		vs_http_response_clear(&resp);
	}
	text = slurp(downfile);
	ck_assert_str_eq(text, "{\"mbus\":\"nats://nats:REDACTED@h:4222\"}\n");
	free(text);
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
}
END_TEST

/* A vAPI REST session (vsphere/rest.h) through record: the session id
 * of the login reply is learned and redacted wherever it reappears; the
 * request headers (Authorization, the session id) are never written.
 * Replay serves the redacted reply and ignores the headers. */
#define REST_ID "a1b2c3d4-rest-session-5e6f"

static struct vs_http_request
rest_req(int i, const char *const *headers)
{
	struct vs_http_request r;

	memset(&r, 0, sizeof(r));
	r.headers = headers;
	r.url = "https://127.0.0.1:8989/rest/com/vmware/cis/session";
	r.method = i == 0 ? "POST" : i == 1 ? "GET" : "DELETE";
	r.op = i == 0 ? "rest-session" : i == 1 ? "rest-get" : "rest-logout";
	if (i == 1)
		r.url = "https://127.0.0.1:8989/rest/com/vmware/cis/session?"
		        "~action=get";
	return r;
}

START_TEST(test_record_rest_session)
{
	static const char *const login[] = {
		"Authorization: Basic dXNlcjpTdXAzciZTZWNyZXQ8cHc+",
		"Accept: application/json", NULL,
	};
	static const char *const authed[] = {
		"vmware-api-session-id: " REST_ID, NULL,
	};
	static const char *const other[] = {
		"vmware-api-session-id: REDACTED", NULL,
	};
	static const char *const needles[] = { REST_ID, "dXNlcjpT",
	                                       "Authorization", NULL };
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	struct dirent *de;
	char path[4096];
	DIR *d;
	int i, k;

	ft_reply_raw("rest-session", 200, "{\"value\":\"" REST_ID "\"}");
	ft_reply_raw("rest-get", 200, "{\"value\":{\"id\":\"" REST_ID
	             "\",\"user\":\"user\"}}");
	ft_reply_raw("rest-logout", 200, "");
	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, scen,
	                                         secrets, &err), 0);
	for (i = 0; i < 3; i++) {
		req = rest_req(i, i == 0 ? login : authed);
		ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
		vs_http_response_clear(&resp);
	}
	vs_transport_free(t);
	ft_all_used();
	d = opendir(scen);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", scen, de->d_name);
		for (k = 0; needles[k] != NULL; k++)
			ck_assert_msg(!file_contains(path, needles[k]),
			              "%s holds %s", de->d_name, needles[k]);
	}
	closedir(d);
	snprintf(path, sizeof(path), "%s/001-rest-session.response", scen);
	ck_assert(file_contains(path, "{\"value\":\"REDACTED\"}"));
	snprintf(path, sizeof(path), "%s/002-rest-get.response", scen);
	ck_assert(file_contains(path, "\"id\":\"REDACTED\""));
	snprintf(path, sizeof(path), "%s/003-rest-logout.meta", scen);
	ck_assert(file_contains(path, "method DELETE\npath /rest/com/vmware/"
	                              "cis/session\n"));
	/* replay: the redacted id comes back, other headers are fine */
	t = replay_at(0);
	for (i = 0; i < 3; i++) {
		req = rest_req(i, i == 0 ? login : other);
		ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0, "%d: %s",
		              i, err.message);
		if (i == 0)
			ck_assert_str_eq(resp.body, "{\"value\":\"REDACTED\"}");
		vs_http_response_clear(&resp);
	}
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
}
END_TEST

/* client.c sends Login with `sensitive` set: its body is never stored,
 * but the reply must be, or replay could not log in. */
START_TEST(test_sensitive_request_keeps_reply)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	char path[512], want[64], *text;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	req = script(0, "h");
	req.sensitive = true;
	queue_reply("Login");
	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, scen,
	                                         secrets, &err), 0);
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
	snprintf(path, sizeof(path), "%s/001-Login.request", scen);
	text = slurp(path);
	snprintf(want, sizeof(want), "<sensitive body: %zu bytes>\n",
	         strlen(login_body));
	ck_assert_str_eq(text, want);
	free(text);
	assert_no_secret_in_dir(scen);

	/* a different password only changes the (masked) size */
	t = replay_at(0);
	req.body = "<Login><password>other</password></Login>";
	req.body_len = strlen(req.body);
	ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(strstr(resp.body, "<key>REDACTED</key>"));
	ck_assert_ptr_nonnull(strstr(resp.body, "<userName>user</userName>"));
	vs_http_response_clear(&resp);
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_replay_changed_body)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 6);
	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "admin");
	t = replay_at(0);
	req = script(0, "h:1");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EREPLAY);
	ck_assert_ptr_null(resp.body);
	ck_assert_ptr_nonnull(strstr(err.message, "001-Login"));
	ck_assert_ptr_nonnull(strstr(err.message, "body"));
	ck_assert_ptr_nonnull(strstr(err.message, "user"));
	ck_assert_ptr_nonnull(strstr(err.message, "admin"));
	ck_assert_ptr_null(strstr(err.message, PASSWORD_XML));
	vs_transport_free(t);
}
END_TEST

START_TEST(test_replay_changed_path_method_action)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 6);
	t = replay_at(4);
	req = script(3, "h");
	req.url = "https://h/folder/vm-2/env.json?dsName=ds";
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "004-file-put: path"));
	vs_transport_free(t);

	err_clear(&err);
	t = replay_at(0);
	req = script(0, "h");
	req.method = "PUT";
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "method"));
	vs_transport_free(t);

	err_clear(&err);
	t = replay_at(0);
	req = script(0, "h");
	req.soap_action = "urn:vim25/6.5";
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "soap_action"));
	vs_transport_free(t);
}
END_TEST

START_TEST(test_replay_unused_and_extra)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 6);
	t = replay_at(0);
	run_script(t, 0, 3, "h");
	ck_assert_int_eq(t->finish(t, &err), ERR_EREPLAY);
	ck_assert_str_eq(err.message, "replay: 3 recorded exchanges not "
	                 "used, next is 004-file-put");
	vs_transport_free(t);

	err_clear(&err);
	t = replay_at(0);
	run_script(t, 0, 6, "h");
	req = script(5, "h");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "beyond the recording"));
	vs_transport_free(t);
}
END_TEST

/* Round trips made from an upload's progress callback (lease progress
 * while a disk streams): record writes them first, marked nested; replay
 * serves those the callback asks for and skips the rest. */
struct nester {
	struct vs_transport *t;
	int want;       /* nested calls per callback; < 0: fail, no message */
	int made;
};

static int
nester_cb(void *ud, unsigned long long sent, unsigned long long total,
          struct err *err)
{
	struct nester *n = ud;
	struct vs_http_response resp;
	struct vs_http_request r;
	char body[128];
	int i, rc;

	(void)sent;
	(void)total;
	if (n->want < 0)
		return ERR_FAIL;
	for (i = 0; i < n->want; i++) {
		r = script(2, "h");
		r.op = "HttpNfcLeaseProgress";
		snprintf(body, sizeof(body), "<HttpNfcLeaseProgress><percent>"
		         "%d</percent></HttpNfcLeaseProgress>", n->made);
		r.body = body;
		r.body_len = strlen(body);
		rc = n->t->roundtrip(n->t, &r, &resp, err);
		if (rc != 0)
			return rc;
		vs_http_response_clear(&resp);
		n->made++;
	}
	return 0;
}

static int
nested_upload(struct vs_transport *t, int want, bool with_cb,
              struct err *err)
{
	struct nester n = { t, want, 0 };
	struct vs_http_response resp;
	struct vs_http_request r = script(3, "h");
	int rc;

	r.op = "nfc-upload";
	r.method = "POST";
	r.sensitive = false;
	if (with_cb) {
		r.progress = nester_cb;
		r.progress_ud = &n;
	}
	rc = t->roundtrip(t, &r, &resp, err);
	if (rc == 0)
		vs_http_response_clear(&resp);
	return rc;
}

START_TEST(test_record_replay_nested)
{
	struct err err = { 0 };
	struct vs_fixture_entry *e = NULL;
	struct vs_transport *t = NULL;
	char path[600];
	size_t n = 0;

	/* the upload's callback runs once, making two nested calls */
	queue_reply("nfc-upload");
	ft.ticks[ft.nsteps - 1] = 1;
	queue_reply("HttpNfcLeaseProgress");
	queue_reply("HttpNfcLeaseProgress");
	queue_reply("Logout");
	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, scen,
	                                         secrets, &err), 0);
	ck_assert_int_eq(nested_upload(t, 2, true, &err), 0);
	run_script(t, 5, 6, "h");
	vs_transport_free(t);
	/* the nested calls finished first: numbered first, marked */
	ck_assert_int_eq(vs_fixture_list(&e, &n, scen, false, &err), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(e[0].name, "001-HttpNfcLeaseProgress");
	ck_assert_str_eq(e[1].name, "002-HttpNfcLeaseProgress");
	ck_assert_str_eq(e[2].name, "003-nfc-upload");
	ck_assert_str_eq(e[3].name, "004-Logout");
	snprintf(path, sizeof(path), "%s/%s.meta", scen, e[1].name);
	ck_assert(file_contains(path, "\nnested yes\n"));
	snprintf(path, sizeof(path), "%s/%s.meta", scen, e[2].name);
	ck_assert(!file_contains(path, "nested"));
	free(e);

	/* the callback makes both calls: served in order */
	t = replay_at(0);
	ck_assert_msg(nested_upload(t, 2, true, &err) == 0, "%s",
	              err.message);
	run_script(t, 5, 6, "h");
	ck_assert_msg(t->finish(t, &err) == 0, "%s", err.message);
	vs_transport_free(t);
	/* none (its clock said not yet): both skipped, nothing unused */
	t = replay_at(0);
	ck_assert_int_eq(nested_upload(t, 0, true, &err), 0);
	run_script(t, 5, 6, "h");
	ck_assert_msg(t->finish(t, &err) == 0, "%s", err.message);
	vs_transport_free(t);
	/* one more than recorded: the upload is not a nested exchange */
	t = replay_at(0);
	ck_assert_int_eq(nested_upload(t, 3, true, &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "HttpNfcLeaseProgress is "
	                             "made during an upload, exchange "
	                             "003-nfc-upload was not nested"));
	vs_transport_free(t);
	/* a callback failing without a message: the upload stops with a
	 * generic one */
	err_clear(&err);
	t = replay_at(0);
	ck_assert_int_eq(nested_upload(t, -1, true, &err), ERR_FAIL);
	ck_assert_str_eq(err.message, "upload stopped by its progress "
	                 "callback");
	vs_transport_free(t);
	/* a request that is no upload cannot use a nested exchange */
	err_clear(&err);
	t = replay_at(0);
	ck_assert_int_eq(nested_upload(t, 0, false, &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "exchange 001-HttpNfc"
	                             "LeaseProgress was made during an "
	                             "upload"));
	vs_transport_free(t);
}
END_TEST

START_TEST(test_replay_cursor_across_processes)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	char *text;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 3);  /* process 1: exchanges 1-3 */
	record_all(3, 6);  /* process 2: exchanges 4-6 */

	/* process 1 stops one short: finish names the unused exchange and
	 * still moves the cursor to process 2's first exchange */
	ck_assert_int_eq(vs_transport_replay_new(&t, scen, secrets, 0, cursor,
	                                         &err), 0);
	run_script(t, 0, 2, "h");
	ck_assert_int_eq(t->finish(t, &err), ERR_EREPLAY);
	ck_assert_str_eq(err.message, "replay: 1 recorded exchange not used, "
	                 "next is 003-RetrievePropertiesEx");
	vs_transport_free(t);
	text = slurp(cursor);
	ck_assert_str_eq(text, "4\n");
	free(text);

	/* process 2 from the cursor */
	err_clear(&err);
	ck_assert_int_eq(vs_transport_replay_new(&t, scen, secrets, 0, cursor,
	                                         &err), 0);
	run_script(t, 3, 6, "h");
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
	text = slurp(cursor);
	ck_assert_str_eq(text, "7\n");
	free(text);

	/* again from the start: process 1 may not run into process 2 */
	unlink(cursor);
	ck_assert_int_eq(vs_transport_replay_new(&t, scen, secrets, 0, cursor,
	                                         &err), 0);
	run_script(t, 0, 3, "h");
	req = script(3, "h");
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "beyond the recording"));
	vs_transport_free(t);
}
END_TEST

START_TEST(test_replay_start_index)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 3);
	record_all(3, 6);
	t = replay_at(4);
	run_script(t, 3, 6, "h");
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
}
END_TEST

START_TEST(test_replay_bad_fixtures)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	char path[512];

	/* missing directory */
	ck_assert_int_eq(vs_transport_replay_new(&t, scen, NULL, 0, NULL,
	                                         &err), ERR_EIO);
	ck_assert_ptr_null(t);
	/* a broken meta file */
	err_clear(&err);
	ck_assert_int_eq(mkdir(scen, 0755), 0);
	snprintf(path, sizeof(path), "%s/001-x.meta", scen);
	ck_assert_int_eq(vs_fixture_write_file(path, "method GET\n", 11, true,
	                                       &err), 0);
	ck_assert_int_eq(vs_transport_replay_new(&t, scen, NULL, 0, NULL,
	                                         &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "001-x"));
	/* the same number twice */
	err_clear(&err);
	ck_assert_int_eq(vs_fixture_write_file(path, "method GET\npath /\n"
	                                       "status 200\n", 29, false,
	                                       &err), 0);
	snprintf(path, sizeof(path), "%s/1-y.meta", scen);
	ck_assert_int_eq(vs_fixture_write_file(path, "", 0, true, &err), 0);
	ck_assert_int_eq(vs_transport_replay_new(&t, scen, NULL, 0, NULL,
	                                         &err), ERR_EREPLAY);
	ck_assert_ptr_nonnull(strstr(err.message, "used twice"));
}
END_TEST

START_TEST(test_from_env)
{
	struct err err = { 0 };
	struct vs_transport *t = NULL;

	make_bodies("4213a3f8-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "user");
	record_all(0, 3);
	unsetenv("VSPHERE_CPI_REPLAY_CURSOR");
	unsetenv("VSPHERE_CPI_REPLAY_START");
	setenv("VSPHERE_CPI_FIXTURES", "bogus:x", 1);
	ck_assert_int_eq(vs_transport_from_env(&t, NULL, secrets, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(t);

	{
		char v[400];

		snprintf(v, sizeof(v), "replay:%s", scen);
		setenv("VSPHERE_CPI_FIXTURES", v, 1);
	}
	err_clear(&err);
	ck_assert_int_eq(vs_transport_from_env(&t, NULL, secrets, &err), 0);
	run_script(t, 0, 3, "h");
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);

	setenv("VSPHERE_CPI_REPLAY_START", "2", 1);
	ck_assert_int_eq(vs_transport_from_env(&t, NULL, secrets, &err), 0);
	run_script(t, 1, 3, "h");
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
	setenv("VSPHERE_CPI_REPLAY_START", "x", 1);
	ck_assert_int_eq(vs_transport_from_env(&t, NULL, secrets, &err),
	                 ERR_EINVAL);
	unsetenv("VSPHERE_CPI_REPLAY_START");

	unsetenv("VSPHERE_CPI_FIXTURES");
	err_clear(&err);
	ck_assert_int_eq(vs_transport_from_env(&t, NULL, secrets, &err), 0);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->version, VS_TRANSPORT_VERSION);
	vs_transport_free(t);
	vs_transport_free(NULL);
	vs_http_response_clear(NULL);
}
END_TEST

/* A build without test hooks (the release) reads neither
 * VSPHERE_CPI_FIXTURES nor VSPHERE_CPI_FAULTS; this one has them. */
START_TEST(test_from_env_without_hooks)
{
	struct vs_curl_opts copts = { 0 };
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	int rc;

	ck_assert_msg(vs_transport_test_hooks(), "unit suites need a "
	              "TEST_HOOKS=1 build");
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.op = "RetrieveServiceContent";
	req.url = "http://127.0.0.1:9/sdk";     /* a closed port */
	req.body = "<x/>";
	req.body_len = 4;
	copts.connect_timeout_s = 5;
	copts.timeout_s = 5;
	/* bad values: refused with hooks, not even read without */
	setenv("VSPHERE_CPI_FIXTURES", "bogus:x", 1);
	ck_assert_int_eq(vs_transport_select(&t, &copts, secrets, true, &err),
	                 ERR_EINVAL);
	err_clear(&err);
	setenv("VSPHERE_CPI_FIXTURES", "replay:/nonexistent/scenario", 1);
	setenv("VSPHERE_CPI_FAULTS", "garbage@*", 1);
	ck_assert_msg(vs_transport_select(&t, &copts, secrets, false, &err) ==
	              0, "%s", err.message);
	/* curl, unwrapped: the closed port, not the injected garbage */
	rc = t->roundtrip(t, &req, &resp, &err);
	ck_assert_msg(rc == ERR_ENET, "rc %d: %s", rc, err.message);
	vs_transport_free(t);
	/* the same with hooks: the fault injector answers, no network */
	unsetenv("VSPHERE_CPI_FIXTURES");
	err_clear(&err);
	ck_assert_msg(vs_transport_select(&t, &copts, secrets, true, &err) ==
	              0, "%s", err.message);
	ck_assert_int_eq(t->roundtrip(t, &req, &resp, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	vs_http_response_clear(&resp);
	vs_transport_free(t);
	unsetenv("VSPHERE_CPI_FAULTS");
}
END_TEST

#define ENV_OPEN "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/" \
	"soap/envelope/\"><soapenv:Body>"
#define ENV_CLOSE "</soapenv:Body></soapenv:Envelope>"

/* The hand-written scenario in tests/data/transport/login-logout. */
START_TEST(test_replay_committed_example)
{
	static const char *const live[] = { "live-pw&1", NULL };
	static const char *const bodies[] = {
		ENV_OPEN "<RetrieveServiceContent xmlns=\"urn:vim25\"><_this "
		"type=\"ServiceInstance\">ServiceInstance</_this>"
		"</RetrieveServiceContent>" ENV_CLOSE,
		ENV_OPEN "<Login xmlns=\"urn:vim25\"><_this type=\""
		"SessionManager\">SessionManager</_this><userName>"
		"administrator@vsphere.local</userName><password>live-pw&amp;1"
		"</password></Login>" ENV_CLOSE,
		ENV_OPEN "<Logout xmlns=\"urn:vim25\"><_this type=\""
		"SessionManager\">SessionManager</_this></Logout>" ENV_CLOSE,
	};
	static const char *const ops[] = { "RetrieveServiceContent", "Login",
	                                   "Logout" };
	static const char *const want[] = { "<rootFolder type=\"Folder\">"
	                                    "group-d1</rootFolder>",
	                                    "<key>REDACTED</key>",
	                                    "<LogoutResponse" };
	const char *root = getenv("CPI_TEST_ROOT");
	struct err err = { 0 };
	struct vs_transport *t = NULL;
	struct vs_http_response resp;
	struct vs_http_request req;
	char path[512];
	int i;

	snprintf(path, sizeof(path), "%s/tests/data/transport/login-logout",
	         root != NULL ? root : ".");
	ck_assert_msg(vs_transport_replay_new(&t, path, live, 0, NULL, &err)
	              == 0, "%s", err.message);
	for (i = 0; i < 3; i++) {
		memset(&req, 0, sizeof(req));
		req.method = "POST";
		req.url = "https://vcenter.example.com:8443/sdk";
		req.soap_action = "urn:vim25/8.0.0.1";
		req.content_type = "text/xml; charset=utf-8";
		req.op = ops[i];
		req.body = bodies[i];
		req.body_len = strlen(bodies[i]);
		ck_assert_msg(t->roundtrip(t, &req, &resp, &err) == 0, "%s",
		              err.message);
		ck_assert_int_eq(resp.status, 200);
		ck_assert_ptr_nonnull(strstr(resp.body, want[i]));
		vs_http_response_clear(&resp);
	}
	ck_assert_int_eq(t->finish(t, &err), 0);
	vs_transport_free(t);
}
END_TEST


/* --- vs_transport_finish ------------------------------------------ */

static int finish_calls;

static int
counting_finish(struct vs_transport *t, struct err *err)
{
	(void)t;
	finish_calls++;
	return err_set(err, ERR_EREPLAY, "2 exchanges left unused");
}

/* Header values: printable text under 1024 bytes; a control character
 * (CR/LF would split the header) or DEL is refused. */
START_TEST(test_header_value_ok)
{
	char big[1100];

	ck_assert(vs_http_header_value_ok("text/xml; charset=utf-8"));
	ck_assert(vs_http_header_value_ok(""));
	ck_assert(!vs_http_header_value_ok("a\r\nX-Injected: 1"));
	ck_assert(!vs_http_header_value_ok("a\tb"));
	ck_assert(!vs_http_header_value_ok("a\x7f"));
	memset(big, 'a', sizeof(big) - 1);
	big[1023] = '\0';
	ck_assert(vs_http_header_value_ok(big));
	big[1023] = 'a';
	big[1024] = '\0';
	ck_assert(!vs_http_header_value_ok(big));
}
END_TEST

START_TEST(test_transport_finish)
{
	struct vs_transport none = { .version = VS_TRANSPORT_VERSION };
	struct vs_transport some = { .version = VS_TRANSPORT_VERSION,
	                             .finish = counting_finish };
	struct err err = { 0 };

	finish_calls = 0;
	ck_assert_int_eq(vs_transport_finish(&none, &err), 0);
	ck_assert_int_eq(err.code, 0);
	ck_assert_int_eq(vs_transport_finish(&some, &err), ERR_EREPLAY);
	ck_assert_int_eq(finish_calls, 1);
	ck_assert_str_eq(err.message, "2 exchanges left unused");
}
END_TEST

/* The wrapping transports take finish, the cookie and the kept session
 * from the transport they wrap (vs_transport_pass_*): the fault
 * transport all of them; record finish and the cookie, but it keeps no
 * session across processes (a fixture shows its own login), so the
 * wrapped transport's jar is never read or written through it. */
START_TEST(test_wrappers_pass_to_inner)
{
	struct vs_transport *t = NULL;
	struct err err = { 0 };
	char *v = NULL;

	snprintf(ft.cookie, sizeof(ft.cookie), "abc123");
	ck_assert_int_eq(vs_transport_fault_new(&t, &ft.base, "refused@99",
	                                        NULL, &err), 0);
	ck_assert_ptr_eq(t->inner, &ft.base);
	ck_assert_int_eq(vs_transport_cookie(t, &v, "vmware_soap_session",
	                                     &err), 0);
	ck_assert_str_eq(v, "abc123");
	free(v);
	ck_assert_int_eq(vs_transport_cookie_save(t, &v,
	                                          "vmware_soap_session",
	                                          &err), 0);
	ck_assert_str_eq(v, FT_JAR_HEAD "abc123");
	free(v);
	v = NULL;
	ck_assert_uint_eq(ft.cookie_saves, 1);
	ck_assert_int_eq(vs_transport_cookie_load(t, FT_JAR_HEAD "def456",
	                                          &err), 0);
	ck_assert_uint_eq(ft.cookie_loads, 1);
	ck_assert_str_eq(ft.cookie, "def456");
	ck_assert_str_eq(ft.cookie_line, FT_JAR_HEAD "def456");
	ck_assert_int_eq(vs_transport_finish(t, &err), 0);
	ck_assert_uint_eq(ft.finishes, 1);
	vs_transport_free(t);
	ck_assert_uint_eq(ft.frees, 1);

	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, scen, NULL,
	                                         &err), 0);
	ck_assert_ptr_eq(t->inner, &ft.base);
	ck_assert_int_eq(vs_transport_cookie(t, &v, "vmware_soap_session",
	                                     &err), 0);
	ck_assert_str_eq(v, "def456");
	free(v);
	ck_assert_int_eq(vs_transport_cookie_save(t, &v,
	                                          "vmware_soap_session",
	                                          &err), ERR_ENOTFOUND);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(vs_transport_cookie_load(t, FT_JAR_HEAD "x", &err),
	                 ERR_ENOTFOUND);
	ck_assert_uint_eq(ft.cookie_saves, 1);
	ck_assert_uint_eq(ft.cookie_loads, 1);
	ck_assert_int_eq(vs_transport_finish(t, &err), 0);
	ck_assert_uint_eq(ft.finishes, 2);
	vs_transport_free(t);
	ck_assert_uint_eq(ft.frees, 2);
	/* a transport that wraps none: finish of nothing is nothing */
	ck_assert_int_eq(vs_transport_finish(NULL, &err), 0);
}
END_TEST

static Suite *
transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc;

	tc = tcase_create("fixture");
	tcase_add_loop_test(tc, test_redact_table, 0,
	                    sizeof(redact_cases) / sizeof(redact_cases[0]));
	tcase_add_test(tc, test_redact_overlapping_secrets);
	tcase_add_test(tc, test_redact_hostile_noise);
	tcase_add_test(tc, test_redact_every_form);
	tcase_add_loop_test(tc, test_mask_table, 0,
	                    sizeof(mask_cases) / sizeof(mask_cases[0]));
	tcase_add_test(tc, test_canon_whitespace_and_diff);
	tcase_add_test(tc, test_op_name_and_path);
	tcase_add_test(tc, test_meta_roundtrip_and_hostile);
	suite_add_tcase(s, tc);

	tc = tcase_create("record_replay");
	tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
	tcase_add_test(tc, test_record_writes_redacted_files);
	tcase_add_test(tc, test_record_redacts_every_form);
	tcase_add_test(tc, test_record_numbering_continues);
	tcase_add_test(tc, test_record_write_failure_is_eio);
	tcase_add_test(tc, test_replay_roundtrip);
	tcase_add_test(tc, test_sensitive_request_keeps_reply);
	tcase_add_test(tc, test_record_rest_session);
	tcase_add_test(tc, test_replay_changed_body);
	tcase_add_test(tc, test_replay_changed_path_method_action);
	tcase_add_test(tc, test_replay_unused_and_extra);
	tcase_add_test(tc, test_record_replay_nested);
	tcase_add_test(tc, test_replay_cursor_across_processes);
	tcase_add_test(tc, test_replay_start_index);
	tcase_add_test(tc, test_replay_bad_fixtures);
	tcase_add_test(tc, test_from_env);
	tcase_add_test(tc, test_from_env_without_hooks);
	tcase_add_test(tc, test_replay_committed_example);
	tcase_add_test(tc, test_transport_finish);
	tcase_add_test(tc, test_wrappers_pass_to_inner);
	tcase_add_test(tc, test_header_value_ok);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(transport_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
