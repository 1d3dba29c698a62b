/* Unit tests of vsphere/soap.c: request building, reply reading, faults
 * and hostile replies.  Replies under tests/data/soap/ were captured from
 * the vCenter simulator. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "vsphere/soap.h"

static char *
load(const char *name, size_t *len_out)
{
	const char *root = getenv("CPI_TEST_ROOT");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/soap/%s",
	         root != NULL ? root : ".", name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len_out = (size_t)n;
	return buf;
}

static char *
serialize(xmlDocPtr doc)
{
	struct err err;
	char *out = NULL;
	size_t len = 0;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_serialize(&out, &len, doc, &err), 0);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

/* --- building ------------------------------------------------------ */

static const char login_expected[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<soapenv:Envelope "
	"xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
	"<soapenv:Body><Login xmlns=\"urn:vim25\">"
	"<_this type=\"SessionManager\">SessionManager</_this>"
	"<userName>vcsim-user</userName>"
	"<password>p&amp;ss&lt;w&gt;rd\"'1</password>"
	"</Login></soapenv:Body></soapenv:Envelope>\n";

START_TEST(login_request_exact_bytes)
{
	static const struct vs_moref sm = { "SessionManager",
	                                    "SessionManager" };
	const char *password = "p&ss<w>rd\"'1";
	struct err err;
	xmlDocPtr doc, back;
	xmlNodePtr m;
	char *out, *pw;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_new(&doc, &m, "Login", &sm, &err),
	                 0);
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "userName", "vcsim-user"));
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "password", password));
	out = serialize(doc);
	ck_assert_str_eq(out, login_expected);

	/* And it reads back to the very same password. */
	back = xmlReadMemory(out, (int)strlen(out), NULL, NULL,
	                     XML_PARSE_NONET);
	ck_assert_ptr_nonnull(back);
	m = xmlDocGetRootElement(back)->children->children;
	pw = vs_xml_child_text(m, "password");
	ck_assert_str_eq(pw, password);
	xmlFree(pw);
	xmlFreeDoc(back);
	xmlFree(out);
	xmlFreeDoc(doc);
}
END_TEST

/* Another endpoint's namespace (PBM's) for the method and everything
 * under it; a SOAP header before the Body, its element unqualified; bad
 * header input is refused and leaves the request as it was. */
START_TEST(namespace_and_header)
{
	static const struct vs_moref pm = { "PbmProfileProfileManager",
	                                    "ProfileManager" };
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr m;
	char *out;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_ns(&doc, &m, VS_NS_PBM,
	                                    "PbmQueryProfile", &pm, &err), 0);
	vs_soap_add_text(vs_soap_add_obj(m, "resourceType", NULL),
	                 "resourceType", "STORAGE");
	ck_assert_int_eq(vs_soap_add_header(doc, "vcSessionCookie", "c&1",
	                                    &err), 0);
	ck_assert_int_eq(vs_soap_add_header(doc, "vcSessionCookie", "a\001b",
	                                    &err), ERR_EINVAL);
	ck_assert_int_eq(vs_soap_add_header(NULL, "x", "y", &err),
	                 ERR_EINVAL);
	ck_assert_int_eq(vs_soap_add_header(doc, NULL, "y", &err),
	                 ERR_EINVAL);
	out = serialize(doc);
	ck_assert_str_eq(strstr(out, "<soapenv:Header>"),
	                 "<soapenv:Header><vcSessionCookie>c&amp;1"
	                 "</vcSessionCookie></soapenv:Header><soapenv:Body>"
	                 "<PbmQueryProfile xmlns=\"urn:pbm\"><_this type=\""
	                 "PbmProfileProfileManager\">ProfileManager</_this>"
	                 "<resourceType><resourceType>STORAGE</resourceType>"
	                 "</resourceType></PbmQueryProfile></soapenv:Body>"
	                 "</soapenv:Envelope>\n");
	xmlFree(out);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(typed_fields)
{
	static const struct vs_moref vm = { "VirtualMachine", "vm-42" };
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr m, spec;
	char *out;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_new(&doc, &m, "ReconfigVM_Task", &vm,
	                                     &err), 0);
	spec = vs_soap_add_obj(m, "spec", "VirtualMachineConfigSpec");
	ck_assert_ptr_nonnull(spec);
	ck_assert_ptr_nonnull(vs_soap_add_long(spec, "memoryMB",
	                                       -9223372036854775807LL - 1));
	ck_assert_ptr_nonnull(vs_soap_add_bool(spec, "template", false));
	ck_assert_ptr_nonnull(vs_soap_add_bool(spec, "powerOn", true));
	ck_assert_ptr_nonnull(vs_soap_add_moref(spec, "datastore", &vm));
	ck_assert_ptr_nonnull(vs_soap_add_obj(spec, "value", "xsd:string"));
	ck_assert_ptr_nonnull(vs_soap_add_obj(spec, "plain", NULL));
	/* A NULL value is an omitted optional field. */
	ck_assert_ptr_null(vs_soap_add_text(spec, "annotation", NULL));
	out = serialize(doc);
	ck_assert_ptr_nonnull(strstr(out,
		"<ReconfigVM_Task xmlns=\"urn:vim25\">"
		"<_this type=\"VirtualMachine\">vm-42</_this>"
		"<spec xsi:type=\"VirtualMachineConfigSpec\">"
		"<memoryMB>-9223372036854775808</memoryMB>"
		"<template>false</template><powerOn>true</powerOn>"
		"<datastore type=\"VirtualMachine\">vm-42</datastore>"
		"<value xsi:type=\"xsd:string\"/><plain/></spec>"
		"</ReconfigVM_Task>"));
	ck_assert_ptr_null(strstr(out, "annotation"));
	xmlFree(out);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(bad_values_poison_the_request)
{
	static const char *const bad[] = {
		"a\001b", "tab\tok but \x1b escape", "\xff\xfe", "\xc0\xaf",
		"ok\xe2\x82", "\xed\xa0\x80", "\xef\xbf\xbf",
		"\xf4\x90\x80\x80", NULL,
	};
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr m;
	char *out;
	size_t len, i;

	for (i = 0; bad[i] != NULL; i++) {
		err_clear(&err);
		ck_assert_int_eq(vs_soap_request_new(&doc, &m, "Login", NULL,
		                                     &err), 0);
		ck_assert_ptr_nonnull(vs_soap_add_text(m, "userName", "u"));
		ck_assert_ptr_null(vs_soap_add_text(m, "password", bad[i]));
		out = (char *)1;
		ck_assert_int_eq(vs_soap_serialize(&out, &len, doc, &err),
		                 ERR_EINVAL);
		ck_assert_ptr_null(out);
		ck_assert_int_eq(err.code, ERR_EINVAL);
		/* The bad value never reaches the message. */
		ck_assert_ptr_null(strstr(err.message, bad[i]));
		xmlFreeDoc(doc);
	}
}
END_TEST

START_TEST(bad_moref_and_method)
{
	static const struct vs_moref empty = { "Folder", "" };
	struct vs_moref longref;
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr m;
	static const char *const methods[] = {
		"", "a b", "<x>", "x:y", "1abc", NULL,
	};
	size_t i;

	for (i = 0; methods[i] != NULL; i++) {
		err_clear(&err);
		doc = (xmlDocPtr)1;
		ck_assert_int_eq(vs_soap_request_new(&doc, &m, methods[i], NULL,
		                                     &err), ERR_EINVAL);
		ck_assert_ptr_null(doc);
	}
	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_new(&doc, &m, "Destroy_Task", &empty,
	                                     &err), ERR_EINVAL);
	ck_assert_ptr_null(doc);

	/* An unterminated moref is refused, not read past its end. */
	memset(&longref, 'A', sizeof(longref));
	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_new(&doc, &m, "Destroy_Task", NULL,
	                                     &err), 0);
	ck_assert_ptr_null(vs_soap_add_moref(m, "obj", &longref));
	ck_assert_int_eq(vs_soap_serialize(&(char *){ NULL }, &(size_t){ 0 },
	                                   doc, &err), ERR_EINVAL);
	xmlFreeDoc(doc);
}
END_TEST

/* --- reading ------------------------------------------------------- */

START_TEST(service_content_reply)
{
	struct err err;
	struct vs_moref ref;
	xmlDocPtr doc;
	xmlNodePtr resp, rv;
	char buf[32], small[3];
	char *body;
	size_t len;

	body = load("RetrieveServiceContent.response.xml", &len);
	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, len, NULL,
	                                     &err), 0);
	ck_assert_str_eq((const char *)resp->name,
	                 "RetrieveServiceContentResponse");
	rv = vs_xml_child(resp, "returnval");
	ck_assert_ptr_nonnull(rv);
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(rv, "rootFolder"),
	                              &err), 0);
	ck_assert_str_eq(ref.type, "Folder");
	ck_assert_str_eq(ref.value, "group-d1");
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(rv,
	                              "virtualDiskManager"), &err), 0);
	ck_assert_str_eq(ref.value, "virtualDiskManager");
	ck_assert_int_eq(vs_xml_child_copy(buf, sizeof(buf),
	                                   vs_xml_child(rv, "about"),
	                                   "apiVersion"), 0);
	ck_assert_str_eq(buf, "6.5");
	ck_assert_int_eq(vs_xml_child_copy(small, sizeof(small),
	                                   vs_xml_child(rv, "about"),
	                                   "apiType"), ERR_EPARSE);
	ck_assert_int_eq(vs_xml_child_copy(buf, sizeof(buf), rv, "nothing"),
	                 ERR_ENOTFOUND);
	/* Elements outside urn:vim25 are not found by vim25 lookups. */
	ck_assert_ptr_null(vs_xml_child(xmlDocGetRootElement(doc), "Body"));
	/* About is not a moref. */
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(rv, "about"), &err),
	                 ERR_EPARSE);
	ck_assert_str_eq(ref.value, "");
	xmlFreeDoc(doc);
	free(body);
}
END_TEST

START_TEST(odd_xsi_prefix)
{
	struct err err;
	struct vs_fault f;
	xmlDocPtr doc;
	xmlNodePtr resp, n;
	char type[64];
	char *body;
	size_t len;

	/* missingSet NotAuthenticated under XMLSchema-instance:type. */
	body = load("AfterLogout_RetrievePropertiesEx.response.xml", &len);
	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, len, NULL,
	                                     &err), 0);
	n = vs_xml_child(vs_xml_child(vs_xml_child(resp, "returnval"),
	                              "objects"), "missingSet");
	ck_assert_ptr_nonnull(n);
	vs_fault_from_node(&f, vs_xml_child(n, "fault"));
	ck_assert_str_eq(f.type, "NotAuthenticated");
	vs_xml_xsi_type(type, sizeof(type),
	                vs_xml_child(vs_xml_child(n, "fault"), "fault"));
	ck_assert_str_eq(type, "NotAuthenticated");
	xmlFreeDoc(doc);
	free(body);

	/* A task's info.error: LocalizedMethodFault with the inner fault's
	 * prefix declared on its parent. */
	body = load("DeleteDatastoreFile_Task_missing.task.response.xml", &len);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, len, NULL,
	                                     &err), 0);
	n = vs_xml_child(vs_xml_child(resp, "returnval"), "objects");
	n = vs_xml_next(vs_xml_child(n, "propSet"), "propSet");
	ck_assert_ptr_nonnull(n);
	n = vs_xml_child(n, "val");
	vs_xml_xsi_type(type, sizeof(type), n);
	ck_assert_str_eq(type, "LocalizedMethodFault");
	vs_fault_from_node(&f, n);
	ck_assert_str_eq(f.type, "FileNotFound");
	ck_assert_str_eq(f.localized, "*types.FileNotFound");
	xmlFreeDoc(doc);
	free(body);

	/* xsd:string keeps only the local part. */
	body = load("RetrieveProperties.response.xml", &len);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, len, NULL,
	                                     &err), 0);
	n = vs_xml_child(vs_xml_child(vs_xml_child(resp, "returnval"),
	                              "propSet"), "val");
	vs_xml_xsi_type(type, sizeof(type), n);
	ck_assert_str_eq(type, "string");
	xmlFreeDoc(doc);
	free(body);
	ck_assert_int_eq(err.code, 0);
}
END_TEST

START_TEST(xsi_resolved_by_uri_not_prefix)
{
	static const char reply[] =
		"<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/"
		"envelope/\"><e:Body><XResponse xmlns=\"urn:vim25\" "
		"xmlns:xsi=\"urn:not-xsi\" "
		"xmlns:q=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<a xsi:type=\"Wrong\"/><b q:type=\"q:Right\"/>"
		"<c type=\"NoNs\"/></XResponse></e:Body></e:Envelope>";
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr resp;
	char type[64];

	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, reply,
	                                     sizeof(reply) - 1, NULL, &err),
	                 0);
	vs_xml_xsi_type(type, sizeof(type), vs_xml_child(resp, "a"));
	ck_assert_str_eq(type, "");
	vs_xml_xsi_type(type, sizeof(type), vs_xml_child(resp, "b"));
	ck_assert_str_eq(type, "Right");
	vs_xml_xsi_type(type, sizeof(type), vs_xml_child(resp, "c"));
	ck_assert_str_eq(type, "");
	xmlFreeDoc(doc);
}
END_TEST

/* --- faults -------------------------------------------------------- */

struct fault_case {
	const char *file;       /* under tests/data/soap, or NULL */
	const char *inline_xml;
	const char *type;
	const char *faultstring;
	const char *localized;
	const char *message;
};

static const struct fault_case fault_cases[] = {
	{ "AfterLogout_CreateFolder.response.xml", NULL, "NotAuthenticated",
	  "", "", "NotAuthenticated" },
	{ "Login_again.response.xml", NULL, "InvalidLogin", "Login failure",
	  "", "InvalidLogin: Login failure" },
	{ "CreateFolder_dup.response.xml", NULL, "DuplicateName", "", "",
	  "DuplicateName" },
	{ "ContinueRetrievePropertiesEx.response.xml", NULL, "MethodNotFound",
	  "PropertyCollector:propertyCollector does not implement: "
	  "ContinueRetrievePropertiesEx", "",
	  "MethodNotFound: PropertyCollector:propertyCollector does not "
	  "implement: ContinueRetrievePropertiesEx" },
	{ "MakeDirectory_exists.response.xml", NULL, "FileAlreadyExists",
	  "mkdir /tmp/govcsim-DC0-LocalDS_0-4218888849/disks: file exists",
	  "", "FileAlreadyExists: mkdir /tmp/govcsim-DC0-LocalDS_0-"
	  "4218888849/disks: file exists" },
	{ "Get_destroyed.response.xml", NULL, "ManagedObjectNotFound", NULL,
	  "", NULL },
	{ "PowerOn_template.response.xml", NULL, "InvalidState", NULL, "",
	  NULL },
	/* FileNotFound as a real vCenter may send it: other prefixes, no
	 * xsi:type (type from the element name), a localizedMessage, a
	 * faultstring spanning lines. */
	{ NULL,
	  "<?xml version=\"1.0\"?><S:Envelope xmlns:S=\"http://schemas."
	  "xmlsoap.org/soap/envelope/\"><S:Body><S:Fault><faultcode>"
	  "ServerFaultCode</faultcode><faultstring>File [ds] a/b.vmdk\n"
	  "was not found</faultstring><detail><FileNotFoundFault "
	  "xmlns=\"urn:vim25\"><file>[ds] a/b.vmdk</file><localizedMessage>"
	  "File not found</localizedMessage></FileNotFoundFault></detail>"
	  "</S:Fault></S:Body></S:Envelope>",
	  "FileNotFound", "File [ds] a/b.vmdk was not found",
	  "File not found", "FileNotFound: File [ds] a/b.vmdk was not found" },
	/* xsi:type under an unusual prefix wins over the element name. */
	{ NULL,
	  "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap"
	  "/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>"
	  "ServerFaultCode</faultcode><faultstring>x</faultstring><detail>"
	  "<VimFault xmlns=\"urn:vim25\" xmlns:I=\"http://www.w3.org/2001/"
	  "XMLSchema-instance\" I:type=\"InvalidPowerState\"/></detail>"
	  "</soapenv:Fault></soapenv:Body></soapenv:Envelope>",
	  "InvalidPowerState", "x", "", "InvalidPowerState: x" },
	/* No detail at all. */
	{ NULL,
	  "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap"
	  "/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>"
	  "soapenv:Server</faultcode><faultstring>boom</faultstring>"
	  "</soapenv:Fault></soapenv:Body></soapenv:Envelope>",
	  "", "boom", "", "SOAP fault soapenv:Server: boom" },
	/* A type name that is not one is dropped (no log injection). */
	{ NULL,
	  "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap"
	  "/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-"
	  "instance\"><soapenv:Body><soapenv:Fault><faultcode>x</faultcode>"
	  "<detail><Fault xmlns=\"urn:vim25\" xsi:type=\"a b&#10;c\"/>"
	  "</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>",
	  "", "", "", "SOAP fault x: (no faultstring)" },
};

START_TEST(fault_table)
{
	const struct fault_case *fc = &fault_cases[_i];
	struct err err;
	struct vs_fault f;
	xmlDocPtr doc;
	xmlNodePtr resp;
	char *body;
	size_t len;

	if (fc->file != NULL) {
		body = load(fc->file, &len);
	} else {
		body = strdup(fc->inline_xml);
		len = strlen(body);
	}
	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, len, &f,
	                                     &err), ERR_EFAULT);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_null(resp);
	ck_assert_int_eq(err.code, ERR_EFAULT);
	ck_assert_str_eq(f.type, fc->type);
	ck_assert_str_eq(err.fault, fc->type);
	ck_assert(!err.transient);
	if (fc->faultstring != NULL)
		ck_assert_str_eq(f.faultstring, fc->faultstring);
	ck_assert_str_eq(f.localized, fc->localized);
	if (fc->message != NULL)
		ck_assert_str_eq(err.message, fc->message);
	ck_assert_ptr_null(strchr(err.message, '\n'));
	free(body);
}
END_TEST

START_TEST(fault_not_overwriting_err)
{
	struct err err;
	struct vs_fault f;
	xmlDocPtr doc;
	xmlNodePtr resp;
	char *body;
	size_t len;

	body = load("Login_again.response.xml", &len);
	err_clear(&err);
	err_set(&err, ERR_ENET, "earlier failure");
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, len, &f,
	                                     &err), ERR_EFAULT);
	ck_assert_int_eq(err.code, ERR_ENET);
	ck_assert_str_eq(err.message, "earlier failure");
	ck_assert_str_eq(err.fault, "InvalidLogin");
	ck_assert_str_eq(f.type, "InvalidLogin");
	free(body);
}
END_TEST

/* --- hostile replies ----------------------------------------------- */

static const char *const malformed[] = {
	"",
	"not xml at all",
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
	"envelope/\"><soapenv:Body><X>",
	/* Right prefix, wrong namespace. */
	"<soapenv:Envelope xmlns:soapenv=\"urn:evil\"><soapenv:Body>"
	"<LoginResponse xmlns=\"urn:vim25\"/></soapenv:Body>"
	"</soapenv:Envelope>",
	/* Empty Body. */
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
	"envelope/\"><soapenv:Body>  </soapenv:Body></soapenv:Envelope>",
	/* No Body. */
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
	"envelope/\"/>",
	/* Billion laughs. */
	"<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"aaaaaaaaaa\">"
	"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	"<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	"<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	"<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
	"<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	"<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
	"envelope/\"><soapenv:Body><soapenv:Fault><faultcode>x</faultcode>"
	"<faultstring>&i;</faultstring></soapenv:Fault></soapenv:Body>"
	"</soapenv:Envelope>",
	/* External entity. */
	"<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM "
	"\"file:///etc/passwd\">]><soapenv:Envelope xmlns:soapenv=\"http://"
	"schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault>"
	"<faultcode>x</faultcode><faultstring>&x;</faultstring>"
	"</soapenv:Fault></soapenv:Body></soapenv:Envelope>",
	/* An external DTD. */
	"<?xml version=\"1.0\"?><!DOCTYPE e SYSTEM \"http://127.0.0.1:1/x\">"
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
	"envelope/\"><soapenv:Body><R xmlns=\"urn:vim25\"/></soapenv:Body>"
	"</soapenv:Envelope>",
};

START_TEST(malformed_replies)
{
	const char *body = malformed[_i];
	struct err err;
	struct vs_fault f;
	xmlDocPtr doc = (xmlDocPtr)1;
	xmlNodePtr resp = (xmlNodePtr)1;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, strlen(body),
	                                     &f, &err), ERR_EPARSE);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_null(resp);
	ck_assert_int_eq(err.code, ERR_EPARSE);
	ck_assert_str_eq(err.fault, "");
	ck_assert_str_eq(f.type, "");
	ck_assert_ptr_null(strstr(err.message, "root:"));
	ck_assert_ptr_null(strstr(err.message, "aaaaaaaaaa"));
}
END_TEST

START_TEST(null_body)
{
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr resp;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, NULL, 0, NULL,
	                                     &err), ERR_EPARSE);
	ck_assert_str_eq(err.message, "empty SOAP reply");
}
END_TEST

START_TEST(deep_document)
{
	const size_t depth = 100000;
	static const char head[] =
		"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		"soap/envelope/\"><soapenv:Body><R xmlns=\"urn:vim25\">";
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr resp;
	char *body, *p;
	size_t i;

	body = malloc(sizeof(head) + depth * 7 + 64);
	ck_assert_ptr_nonnull(body);
	p = body + sprintf(body, "%s", head);
	for (i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	p += sprintf(p, "</R></soapenv:Body></soapenv:Envelope>");
	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body,
	                                     (size_t)(p - body), NULL, &err),
	                 ERR_EPARSE);
	ck_assert_ptr_null(doc);
	free(body);
}
END_TEST

START_TEST(huge_reply_refused_unparsed)
{
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr resp;
	size_t len = VS_SOAP_MAX_REPLY + 1;
	char *body;

	body = malloc(len);
	ck_assert_ptr_nonnull(body);
	memset(body, ' ', len);
	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, len, NULL,
	                                     &err), ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "too large"));
	free(body);
}
END_TEST

/* Two references are the same object when type and value both match. */
START_TEST(moref_equality)
{
	struct vs_moref a = { "Datastore", "datastore-1" };
	struct vs_moref b = { "Datastore", "datastore-1" };
	struct vs_moref other_value = { "Datastore", "datastore-10" };
	struct vs_moref other_type = { "StoragePod", "datastore-1" };

	ck_assert(vs_moref_eq(&a, &b));
	ck_assert(!vs_moref_eq(&a, &other_value));
	ck_assert(!vs_moref_eq(&a, &other_type));
}
END_TEST

START_TEST(moref_reading)
{
	static const char reply[] =
		"<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/"
		"envelope/\"><e:Body><XResponse xmlns=\"urn:vim25\">"
		"<ok type=\"Datastore\">/tmp/govcsim-DC0-LocalDS_0-1@folder-5"
		"</ok><notype>vm-1</notype><empty type=\"VirtualMachine\"/>"
		"<badtype type=\"a b\">x</badtype></XResponse></e:Body>"
		"</e:Envelope>";
	struct err err;
	struct vs_moref ref;
	xmlDocPtr doc;
	xmlNodePtr resp;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, reply,
	                                     sizeof(reply) - 1, NULL, &err),
	                 0);
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(resp, "ok"), &err),
	                 0);
	ck_assert_str_eq(ref.type, "Datastore");
	ck_assert_str_eq(ref.value, "/tmp/govcsim-DC0-LocalDS_0-1@folder-5");
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(resp, "notype"),
	                              &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(resp, "empty"),
	                              &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(resp, "badtype"),
	                              &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(vs_xml_moref(&ref, NULL, &err), ERR_EPARSE);
	xmlFreeDoc(doc);
}
END_TEST

/* vs_xml_first_elem and vs_xml_count_elems see elements in any
 * namespace and skip text and comments. */
START_TEST(element_children)
{
	static const char reply[] =
		"<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/"
		"envelope/\"><e:Body><XResponse xmlns=\"urn:vim25\">"
		"<list> text <!-- c --><x:a xmlns:x=\"urn:other\"/>"
		"<b/> more <c>t</c></list><none> only text </none>"
		"</XResponse></e:Body></e:Envelope>";
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr resp, list, none, first;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, reply,
	                                     sizeof(reply) - 1, NULL, &err),
	                 0);
	list = vs_xml_child(resp, "list");
	none = vs_xml_child(resp, "none");
	ck_assert_ptr_nonnull(list);
	ck_assert_ptr_nonnull(none);
	first = vs_xml_first_elem(list);
	ck_assert_ptr_nonnull(first);
	ck_assert_str_eq((const char *)first->name, "a");
	ck_assert_uint_eq(vs_xml_count_elems(list), 3);
	ck_assert_ptr_null(vs_xml_first_elem(none));
	ck_assert_uint_eq(vs_xml_count_elems(none), 0);
	ck_assert_str_eq((const char *)vs_xml_first_elem(resp)->name, "list");
	/* vs_xml_count: vim25 children by name only */
	ck_assert_uint_eq(vs_xml_count(list, "b"), 1);
	ck_assert_uint_eq(vs_xml_count(list, "a"), 0);   /* other ns */
	ck_assert_uint_eq(vs_xml_count(resp, "list"), 1);
	ck_assert_uint_eq(vs_xml_count(resp, "missing"), 0);
	ck_assert_uint_eq(vs_xml_count(NULL, "list"), 0);
	xmlFreeDoc(doc);
}
END_TEST

static Suite *
soap_suite(void)
{
	Suite *s = suite_create("soap");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, login_request_exact_bytes);
	tcase_add_test(tc, typed_fields);
	tcase_add_test(tc, namespace_and_header);
	tcase_add_test(tc, bad_values_poison_the_request);
	tcase_add_test(tc, bad_moref_and_method);
	tcase_add_test(tc, service_content_reply);
	tcase_add_test(tc, odd_xsi_prefix);
	tcase_add_test(tc, xsi_resolved_by_uri_not_prefix);
	tcase_add_loop_test(tc, fault_table, 0,
	                    sizeof(fault_cases) / sizeof(fault_cases[0]));
	tcase_add_test(tc, fault_not_overwriting_err);
	tcase_add_loop_test(tc, malformed_replies, 0,
	                    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, null_body);
	tcase_add_test(tc, deep_document);
	tcase_add_test(tc, huge_reply_refused_unparsed);
	tcase_add_test(tc, moref_reading);
	tcase_add_test(tc, moref_equality);
	tcase_add_test(tc, element_children);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(soap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
