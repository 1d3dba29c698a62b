/*
 * check_secrets (simulator): distinctive secrets go through every CPI
 * method, on success and on failure paths, while every exchange is
 * recorded (VSPHERE_CPI_FIXTURES=record:DIR).  None of them may appear
 * in stdout, stderr, the response's log field or any recorded file, in
 * clear, JSON-escaped, XML-escaped or base64 form.  The secrets: the
 * vCenter password (the harness's, which holds & < > " '), a wrong
 * password tried on purpose, the mbus and blobstore passwords of the
 * config (tests/support/sim_cpi.h) and a value in the agent env of
 * create_vm.  Recorded Login replies must hold no session key, nor the
 * PBM requests of create_vm's storage policy the session cookie, nor the
 * vAPI REST session reply of create_vm's tags its session id (and its
 * Basic auth header, base64 of the password, is never written).
 *
 *   make BUILD=build/x build/x/cpi build/x/tests/integ_check_secrets
 *   sh tests/sim/run.sh build/x build/x/tests/integ_check_secrets
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/redact.h"
#include "tests/support/sim_cpi.h"
#include "vsphere/create.h"
#include "vsphere/soap.h"

#define ENV_SECRET "env-Secret-5ec7-Zq"
#define WRONG_PASSWORD "vc-Wrong-Secret-41x"

static char defcfg[4096];
static char outdir[2048];
static char recdir[2200];
static size_t npbm;             /* PBM requests scanned */

/* Every form of every secret to look for, spelled out here on purpose:
 * an oracle independent of base/redact, which wrote the files. */
static char *forms[64];
static size_t nforms;
/* The secrets themselves, also looked for in every form base/redact
 * knows (redact_secret_at(): mixed escapes, percent-encoding). */
static const char *raw[8];
static size_t nraw;

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && v[0] != '\0', "%s is not set (run through "
	              "tests/sim/run.sh)", name);
	return v;
}

static void
add_form(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) < 6 || nforms == 64)
		return;
	for (i = 0; i < nforms; i++) {
		if (strcmp(forms[i], s) == 0)
			return;
	}
	forms[nforms] = strdup(s);
	if (forms[nforms] != NULL)
		nforms++;
}

static void
add_json_form(const char *s)
{
	json_t *j = json_string(s);
	char *t = json_dumps(j, JSON_ENCODE_ANY);
	size_t n;

	if (t != NULL) {
		n = strlen(t);
		t[n - 1] = '\0';	/* drop the quotes */
		add_form(t + 1);
	}
	free(t);
	json_decref(j);
}

static void
add_xml_form(const char *s)
{
	char out[1024];
	size_t o = 0;

	for (; *s != '\0' && o + 8 < sizeof(out); s++) {
		const char *r = NULL;

		switch (*s) {
		case '&': r = "&amp;"; break;
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '"': r = "&quot;"; break;
		case '\'': r = "&apos;"; break;
		default: break;
		}
		if (r != NULL) {
			memcpy(out + o, r, strlen(r));
			o += strlen(r);
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	add_form(out);
}

/* libxml2 escapes only & < > in element text; quotes stay. */
static void
add_xml_text_form(const char *s)
{
	char out[1024];
	size_t o = 0;

	for (; *s != '\0' && o + 8 < sizeof(out); s++) {
		const char *r = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" :
		                *s == '>' ? "&gt;" : NULL;

		if (r != NULL) {
			memcpy(out + o, r, strlen(r));
			o += strlen(r);
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	add_form(out);
}

/* libxml2's attribute values: & < > and " escaped, ' left alone; Go's
 * encoding/xml (the simulator's replies): &#34; and &#39;. */
static void
add_xml_attr_forms(const char *s)
{
	char attr[1024], go[1024];
	size_t a = 0, g = 0;

	for (; *s != '\0' && a + 8 < sizeof(attr) && g + 8 < sizeof(go);
	     s++) {
		const char *r = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" :
		                *s == '>' ? "&gt;" : NULL;
		const char *ra = r != NULL ? r : *s == '"' ? "&quot;" : NULL;
		const char *rg = r != NULL ? r : *s == '"' ? "&#34;" :
		                 *s == '\'' ? "&#39;" : NULL;

		if (ra != NULL) {
			memcpy(attr + a, ra, strlen(ra));
			a += strlen(ra);
		} else {
			attr[a++] = *s;
		}
		if (rg != NULL) {
			memcpy(go + g, rg, strlen(rg));
			g += strlen(rg);
		} else {
			go[g++] = *s;
		}
	}
	attr[a] = '\0';
	go[g] = '\0';
	add_form(attr);
	add_form(go);
}

/* The part of base64(prefix + s) that depends on s alone, for the three
 * alignments s may have inside a longer encoded text. */
static void
add_base64_forms(const char *s)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	                          "opqrstuvwxyz0123456789+/";
	unsigned char in[256];
	char out[400];
	size_t a, n, i, o;

	for (a = 0; a < 3; a++) {
		n = strlen(s);
		if (n + a > sizeof(in))
			return;
		memset(in, 'A', a);
		memcpy(in + a, s, n);
		n += a;
		o = 0;
		for (i = 0; i + 2 < n; i += 3) {
			unsigned v = (unsigned)in[i] << 16 |
			             (unsigned)in[i + 1] << 8 | in[i + 2];

			out[o++] = tab[v >> 18 & 63];
			out[o++] = tab[v >> 12 & 63];
			out[o++] = tab[v >> 6 & 63];
			out[o++] = tab[v & 63];
		}
		out[o] = '\0';
		/* Skip the group holding the prefix bytes. */
		if (a > 0 && o > 4)
			add_form(out + 4);
		else
			add_form(out);
	}
}

static void
add_secret(const char *s)
{
	if (s != NULL && nraw < sizeof(raw) / sizeof(raw[0]))
		raw[nraw++] = s;
	add_form(s);
	add_json_form(s);
	add_xml_form(s);
	add_xml_text_form(s);
	add_xml_attr_forms(s);
	add_base64_forms(s);
}

static void
scan_text(const char *text, size_t len, const char *where)
{
	size_t i, k, n;

	for (i = 0; i < nforms; i++) {
		n = strlen(forms[i]);
		for (k = 0; k + n <= len; k++) {
			ck_assert_msg(memcmp(text + k, forms[i], n) != 0,
			              "secret form %zu ('%.3s…') in %s", i,
			              forms[i], where);
		}
	}
	for (i = 0; i < nraw; i++) {
		for (k = 0; k < len; k++) {
			ck_assert_msg(redact_secret_at(text + k, len - k,
			                               raw[i]) == 0,
			              "secret %zu ('%.3s…') encoded in %s", i,
			              raw[i], where);
		}
	}
}

/* --- calls ------------------------------------------------------------ */

static json_t *
call_cfg(const char *cfg, const char *method, json_t *args)
{
	struct cpi_test_run r;
	const char *log;
	char what[128];
	json_t *resp;

	resp = sim_cpi_call(&r, cfg, method, args);
	json_decref(args);
	snprintf(what, sizeof(what), "%s stdout", method);
	scan_text(r.out, r.out_len, what);
	snprintf(what, sizeof(what), "%s stderr", method);
	scan_text(r.err, r.err_len, what);
	ck_assert_msg(resp != NULL, "%s: no JSON response: %s", method,
	              r.err);
	log = json_string_value(json_object_get(resp, "log"));
	ck_assert_ptr_nonnull(log);
	snprintf(what, sizeof(what), "%s log field", method);
	scan_text(log, strlen(log), what);
	/* The parsed error message too (stdout held it escaped). */
	if (sim_error_type(resp) != NULL) {
		const char *m = json_string_value(json_object_get(
		                json_object_get(resp, "error"), "message"));

		snprintf(what, sizeof(what), "%s error message", method);
		scan_text(m, strlen(m), what);
	}
	cpi_test_run_clear(&r);
	return resp;
}

static json_t *
call(const char *method, json_t *args)
{
	return call_cfg(defcfg, method, args);
}

static void
scan_dir(const char *dir, size_t *nfiles, size_t *nrest)
{
	char path[4400];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	ck_assert_msg(d != NULL, "cannot list %s", dir);
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		char *buf = NULL;
		ssize_t n;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan_dir(path, nfiles, nrest);
			continue;
		}
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		/* Binary files may hold NULs: read the whole file. */
		buf = malloc((size_t)st.st_size + 1);
		ck_assert_ptr_nonnull(buf);
		n = (ssize_t)fread(buf, 1, (size_t)st.st_size, f);
		fclose(f);
		ck_assert_int_eq(n, st.st_size);
		scan_text(buf, (size_t)n, path);
		if (strstr(de->d_name, "rest-session.response") != NULL) {
			buf[n] = '\0';
			/* the vAPI session id is redacted */
			ck_assert_msg(strstr(buf, "\"value\":\"REDACTED\"") !=
			              NULL, "%s: a session id", path);
			(*nrest)++;
		}
		if (strstr(de->d_name, "-Pbm") != NULL &&
		    strstr(de->d_name, ".request") != NULL) {
			buf[n] = '\0';
			/* the vim25 session cookie PBM takes is redacted */
			ck_assert_msg(strstr(buf, "<vcSessionCookie>REDACTED"
			                     "</vcSessionCookie>") != NULL,
			              "%s: a session cookie", path);
			npbm++;
		}
		if (strstr(de->d_name, "Login.response") != NULL) {
			const char *k;

			buf[n] = '\0';
			/* Every UserSession key is redacted. */
			for (k = strstr(buf, "<key>"); k != NULL;
			     k = strstr(k, "<key>")) {
				k += 5;
				ck_assert_msg(strncmp(k, "REDACTED<", 9) == 0,
				              "%s: a session key", path);
			}
		}
		free(buf);
		(*nfiles)++;
	}
	closedir(d);
}

START_TEST(test_every_method)
{
	const char *root = getenv("CPI_TEST_ROOT");
	char cmd[8192], img[4200], cid_vm[128] = "", cid_sc[128] = "";
	json_t *resp, *nets, *extra;
	const char *t;
	size_t nfiles = 0, nrest = 0;
	char wrongcfg[4096];

	if (root == NULL)
		root = ".";
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/stemcell/make-image.sh' "
	         "'%s/images' >/dev/null", root, outdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(img, sizeof(img), "%s/images/image", outdir);
	snprintf(cmd, sizeof(cmd), "record:%s", recdir);
	setenv("VSPHERE_CPI_FIXTURES", cmd, 1);

	json_decref(call("info", json_array()));
	resp = call("create_stemcell", json_pack("[s,{}]", img));
	ck_assert_ptr_null(sim_error_type(resp));
	snprintf(cid_sc, sizeof(cid_sc), "%s",
	         json_string_value(json_object_get(resp, "result")));
	json_decref(resp);

	/* create_vm: a failure before anything is made (unknown port
	 * group), then the real one. */
	nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                 "cloud_properties", "name", "no-such-pg");
	resp = call("create_vm", json_pack("[s,s,{s:i,s:i,s:i},o,[],"
	            "{s:{s:s},s:s}]", "agent-s", cid_sc, "cpu", 1, "ram",
	            256, "disk", 1024, nets, "bosh", "password", ENV_SECRET,
	            "token", ENV_SECRET));
	ck_assert_ptr_nonnull(sim_error_type(resp));
	json_decref(resp);
	nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                 "cloud_properties", "name", "BOSH-V4");
	/* tags: a vAPI REST session (Basic auth, session id); a storage
	 * policy: PBM requests (the session cookie in a SOAP header) */
	resp = call("create_vm", json_pack("[s,s,{s:i,s:i,s:i,s:[{s:s,s:s}],"
	            "s:{s:s}},o,[],{s:{s:s},s:s}]", "agent-s", cid_sc, "cpu",
	            1, "ram", 256, "disk", 1024, "tags", "category", "c",
	            "tag", "t", "storage_policy", "name",
	            "vSAN Default Storage Policy", nets, "bosh", "password",
	            ENV_SECRET, "token", ENV_SECRET));
	ck_assert_ptr_null(sim_error_type(resp));
	snprintf(cid_vm, sizeof(cid_vm), "%s", json_string_value(
	         json_array_get(json_object_get(resp, "result"), 0)));
	json_decref(resp);

	json_decref(call("has_vm", json_pack("[s]", cid_vm)));
	json_decref(call("set_vm_metadata", json_pack("[s,{s:s}]", cid_vm,
	                 "director", "d")));
	json_decref(call("reboot_vm", json_pack("[s]", cid_vm)));
	json_decref(call("get_disks", json_pack("[s]", cid_vm)));
	json_decref(call("create_disk", json_pack("[i,{},s]", 64, cid_vm)));
	json_decref(call("calculate_vm_cloud_properties",
	                 json_pack("[{s:i,s:i,s:i}]", "cpu", 1, "ram", 256,
	                           "ephemeral_disk_size", 1024)));
	json_decref(call("delete_vm", json_pack("[s]", cid_vm)));
	json_decref(call("has_vm", json_pack("[s]", cid_vm)));
	resp = call("delete_vm", json_pack("[s]", cid_vm));
	t = sim_error_type(resp);
	ck_assert_ptr_nonnull(t);
	json_decref(resp);
	json_decref(call("delete_stemcell", json_pack("[s]", cid_sc)));
	/* An unknown method and a malformed call still go through the
	 * config. */
	json_decref(call("no_such_method", json_pack("[s]", ENV_SECRET)));
	json_decref(call("create_vm", json_pack("[s]", ENV_SECRET)));

	/* A wrong password: refused without being echoed. */
	extra = json_pack("{s:s}", "password", WRONG_PASSWORD);
	snprintf(wrongcfg, sizeof(wrongcfg), "%s", sim_config(extra));
	json_decref(extra);
	resp = call_cfg(wrongcfg, "has_vm", json_pack("[s]", "vm-x"));
	ck_assert_ptr_nonnull(sim_error_type(resp));
	json_decref(resp);
	unsetenv("VSPHERE_CPI_FIXTURES");

	scan_dir(recdir, &nfiles, &nrest);
	ck_assert_msg(nfiles > 20, "only %zu recorded files", nfiles);
	ck_assert_uint_eq(nrest, 1);
	ck_assert_uint_eq(npbm, 4);
}
END_TEST

/* True when one of the forms occurs in text. */
static bool
covered(const char *text)
{
	size_t i;

	for (i = 0; i < nforms; i++)
		if (strstr(text, forms[i]) != NULL)
			return true;
	return false;
}

/* A copy of what lies between open and the next close in s. */
static char *
between(const char *s, const char *open, const char *close)
{
	const char *a = strstr(s, open), *b;
	char *copy;

	ck_assert_ptr_nonnull(a);
	a += strlen(open);
	b = strstr(a, close);
	ck_assert_ptr_nonnull(b);
	copy = strndup(a, (size_t)(b - a));
	ck_assert_ptr_nonnull(copy);
	return copy;
}

/* A Login request as the CPI's own SOAP writer (libxml2) makes it, with
 * pw as element text and as an attribute value. */
static char *
soap_with(const char *pw)
{
	struct err err = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr m, n;
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(vs_soap_request_new(&doc, &m, "Login", NULL, &err),
	                 0);
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "password", pw));
	n = vs_soap_add_obj(m, "attr", NULL);
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_nonnull(xmlNewProp(n, (const xmlChar *)"v",
	                                 (const xmlChar *)pw));
	ck_assert_int_eq(vs_soap_serialize(&out, &len, doc, &err), 0);
	xmlFreeDoc(doc);
	return out;
}

/* The form list really catches what it should: each secret as the real
 * writers encode it (the CPI's XML writer, jansson, base64 after a
 * prefix), derived from the values the run uses, not from literals. */
START_TEST(test_forms_catch_encodings)
{
	const char *pw = env("VCSIM_PASSWORD");
	const char *secrets[] = { pw, ENV_SECRET, SIM_MBUS_SECRET };
	struct err err = { 0 };
	char *xml, *b64, *elem, *attr, prefixed[512];
	json_t *j;
	char *dump;
	size_t i, k;

	/* The harness's password is there to test escaping. */
	for (k = 0; k < 5; k++)
		ck_assert_msg(strchr(pw, "&<>\"'"[k]) != NULL,
		              "VCSIM_PASSWORD lacks %c", "&<>\"'"[k]);
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		xml = soap_with(secrets[i]);
		/* element text and attribute value, each on its own */
		elem = between(xml, "<password>", "</password>");
		attr = between(xml, " v=\"", "\"");
		free(xml);
		ck_assert_msg(covered(elem), "secret %zu: XML element text "
		              "form not covered", i);
		ck_assert_msg(covered(attr), "secret %zu: XML attribute "
		              "form not covered", i);
		free(elem);
		free(attr);
		j = json_pack("{s:s}", "password", secrets[i]);
		dump = json_dumps(j, 0);
		ck_assert_msg(covered(dump), "secret %zu: JSON form not "
		              "covered", i);
		free(dump);
		json_decref(j);
		for (k = 0; k < 3; k++) {
			snprintf(prefixed, sizeof(prefixed), "%.*s%s",
			         (int)k, "{\"a", secrets[i]);
			ck_assert_int_eq(vs_base64(&b64, prefixed,
			                           strlen(prefixed), &err), 0);
			ck_assert_msg(covered(b64), "secret %zu: base64 at "
			              "offset %zu not covered", i, k);
			free(b64);
		}
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("secrets");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_forms_catch_encodings);
	tcase_add_test(tc, test_every_method);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *out = getenv("CPI_TEST_OUTDIR");
	SRunner *sr;
	int failed;
	size_t i;

	if (!sim_available() || out == NULL || strlen(out) > 2000) {
		fprintf(stderr, "check_secrets: no simulator (run through "
		        "tests/sim/run.sh)\n");
		return 1;
	}
	if (sim_config(NULL) == NULL) {
		fprintf(stderr, "cannot write the config\n");
		return 1;
	}
	snprintf(defcfg, sizeof(defcfg), "%s", sim_config(NULL));
	snprintf(outdir, sizeof(outdir), "%s", out);
	snprintf(recdir, sizeof(recdir), "%s/recorded", out);
	add_secret(getenv("VCSIM_PASSWORD"));
	add_secret(WRONG_PASSWORD);
	add_secret(SIM_MBUS_SECRET);
	add_secret(SIM_BLOBSTORE_SECRET);
	add_secret(ENV_SECRET);
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < nforms; i++)
		free(forms[i]);
	return failed == 0 ? 0 : 1;
}
