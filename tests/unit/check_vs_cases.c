/*
 * check_vs_cases: vsphere/ operations as data files, the way curl's
 * tests/data/testNUM files are: every .xml file of tests/data/vs-cases/ is one
 * case, run through a real client over the shared fake transport
 * (tests/support/fake_transport.h).  A case file holds
 *
 *   <vscase>
 *     <info>one line saying what the case shows</info>
 *     <operation name="power_off" obj="VirtualMachine:vm-100"/>
 *     <reply op="RebootGuest"><![CDATA[inner XML]]></reply>
 *     <reply op="RetrievePropertiesEx" file="vm/vm_info.xml"/>
 *     <fault op="PowerOnVM_Task" type="ManagedObjectNotFound"/>
 *     <task op="PowerOffVM_Task" fault="InvalidPowerState"/>
 *     <verify>
 *       <result rc="ERR_ETASK" fault="InvalidPowerState"
 *               message="Destroy_Task vm-100" value="..."/>
 *       <request op="PowerOffVM_Task"><![CDATA[exact body]]></request>
 *     </verify>
 *   </vscase>
 *
 * The replies (after connect's) are queued in file order: <reply> as
 * ft_reply (or ft_reply_file with file=, under tests/data), <fault> as
 * ft_fault, <task> as ft_task (result= a VirtualMachine, or fault=).
 * The operation is one of the fixed table ops[] below.  <result>: rc is
 * the vs_error code's name ("0" for success), fault the exact err.fault
 * (absent: ""), message a part of err.message (absent: not checked),
 * value what the operation produced (absent: not checked).  The
 * requests after connect are exactly the <request> elements, in order:
 * the same op and, byte for byte, the same body.  Every reply must be
 * used.  With CPI_TEST_OUTDIR set, request bodies are also written there
 * (vs_cases-*.xml) for tests/schemacheck.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tests/support/fake_transport.h"
#include "vsphere/pc.h"
#include "vsphere/task.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define MAX_CASES 128

static char *cases[MAX_CASES];          /* file names, sorted */
static size_t ncases;
static char case_dir[4096];

/* --- reading a case ------------------------------------------------- */

/* The attribute as a malloc'd string ("" when absent). */
static char *
attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = ft_fmt("%s", v != NULL ? (const char *)v : "");

	xmlFree(v);
	return s;
}

static bool
has_attr(xmlNodePtr n, const char *name)
{
	return xmlHasProp(n, (const xmlChar *)name) != NULL;
}

static char *
content(xmlNodePtr n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s = ft_fmt("%s", v != NULL ? (const char *)v : "");

	xmlFree(v);
	return s;
}

static bool
named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next) {
		if (named(n, name))
			return n;
	}
	return NULL;
}

/* "Type:value" into a moref. */
static void
moref_attr(struct vs_moref *out, xmlNodePtr n, const char *name)
{
	char *s = attr(n, name), *colon = strchr(s, ':');

	ck_assert_msg(colon != NULL, "%s=\"%s\": want Type:value", name, s);
	*colon = '\0';
	memset(out, 0, sizeof(*out));
	snprintf(out->type, sizeof(out->type), "%s", s);
	snprintf(out->value, sizeof(out->value), "%s", colon + 1);
	free(s);
}

/* Queues the replies of the case in file order.  The op strings live
 * as long as the fake needs them: they are kept in ops_kept. */
static char *ops_kept[FT_MAX_STEPS];
static size_t nops_kept;

static const char *
keep_op(xmlNodePtr n)
{
	ck_assert_uint_lt(nops_kept, FT_MAX_STEPS);
	ops_kept[nops_kept] = attr(n, "op");
	return ops_kept[nops_kept++];
}

static void
queue_replies(xmlNodePtr root)
{
	char *a, *b;
	xmlNodePtr n;

	for (n = root->children; n != NULL; n = n->next) {
		if (named(n, "reply") && has_attr(n, "file")) {
			a = attr(n, "file");
			ft_reply_file(keep_op(n), a);
			free(a);
		} else if (named(n, "reply")) {
			a = content(n);
			ft_reply(keep_op(n), a);
			free(a);
		} else if (named(n, "fault")) {
			a = attr(n, "type");
			ft_fault(keep_op(n), a);
			free(a);
		} else if (named(n, "task")) {
			a = has_attr(n, "result") ? attr(n, "result") : NULL;
			b = has_attr(n, "fault") ? attr(n, "fault") : NULL;
			ft_task(keep_op(n), a, b);
			free(a);
			free(b);
		}
	}
}

/* --- the operations --------------------------------------------------- */

/* An operation: the vsphere/ call a case runs, with its arguments from
 * the <operation> element; *value (malloc'd, may stay NULL) is what it
 * produced, for <result value=>. */
typedef int (*case_op)(char **value, struct vs_client *c, xmlNodePtr op,
                       struct err *err);

static int
op_power_off(char **value, struct vs_client *c, xmlNodePtr op,
             struct err *err)
{
	struct vs_moref vm;

	(void)value;
	moref_attr(&vm, op, "obj");
	return vs_vm_power_off(c, &vm, err);
}

static int
op_power_on(char **value, struct vs_client *c, xmlNodePtr op,
            struct err *err)
{
	struct vs_moref vm;

	(void)value;
	moref_attr(&vm, op, "obj");
	return vs_vm_power_on(c, &vm, err);
}

static int
op_destroy(char **value, struct vs_client *c, xmlNodePtr op,
           struct err *err)
{
	struct vs_moref vm;

	(void)value;
	moref_attr(&vm, op, "obj");
	return vs_vm_destroy(c, &vm, err);
}

/* value: "fallback" when it fell back to a reset, else "guest"; with
 * no_fallback_out="yes" the caller does not ask (NULL). */
static int
op_reboot_guest(char **value, struct vs_client *c, xmlNodePtr op,
                struct err *err)
{
	struct vs_moref vm;
	bool fb = false;
	int rc;

	moref_attr(&vm, op, "obj");
	if (has_attr(op, "no_fallback_out"))
		return vs_vm_reboot_guest(NULL, c, &vm, err);
	rc = vs_vm_reboot_guest(&fb, c, &vm, err);
	*value = ft_fmt("%s", fb ? "fallback" : "guest");
	return rc;
}

/* value: the moref found, "Type:value". */
static int
op_find_vm(char **value, struct vs_client *c, xmlNodePtr op,
           struct err *err)
{
	struct vs_moref vm;
	char *path = attr(op, "path");
	int rc;

	memset(&vm, 0, sizeof(vm));
	rc = vs_vm_find(&vm, c, path, err);
	*value = ft_fmt("%s:%s", vm.type, vm.value);
	free(path);
	return rc;
}

/* value: the task's result, "Type:value" or its text ("" when none). */
static int
op_task_wait(char **value, struct vs_client *c, xmlNodePtr op,
             struct err *err)
{
	struct vs_task_result r;
	struct vs_moref task;
	char *timeout = attr(op, "timeout");
	int rc;

	memset(&r, 0, sizeof(r));
	moref_attr(&task, op, "obj");
	rc = vs_task_wait(&r, c, &task, atof(timeout), err);
	if (r.moref.type[0] != '\0')
		*value = ft_fmt("%s:%s", r.moref.type, r.moref.value);
	else
		*value = ft_fmt("%s", r.text != NULL ? r.text : "");
	vs_task_result_clear(&r);
	free(timeout);
	return rc;
}

/* paths: space-separated; value: "path=text" of each simple property
 * that came back, space-separated, in reply order. */
static int
op_get_props(char **value, struct vs_client *c, xmlNodePtr op,
             struct err *err)
{
	const char *paths[8] = { NULL };
	struct vs_object *o = NULL;
	struct vs_moref obj;
	char *list = attr(op, "paths"), *save = NULL, *p, *v, *old;
	size_t i, n = 0;
	int rc;

	moref_attr(&obj, op, "obj");
	for (p = strtok_r(list, " ", &save); p != NULL && n < 7;
	     p = strtok_r(NULL, " ", &save))
		paths[n++] = p;
	rc = vs_get_props(&o, c, &obj, paths, err);
	v = ft_fmt("%s", "");
	for (i = 0; o != NULL && i < o->nprops; i++) {
		if (o->props[i].kind != VS_PROP_TEXT)
			continue;
		old = v;
		v = ft_fmt("%s%s%s=%s", old, old[0] != '\0' ? " " : "",
		           o->props[i].name, o->props[i].text);
		free(old);
	}
	*value = v;
	vs_object_free(o);
	free(list);
	return rc;
}

/* A ReconfigVM_Task of vm_name=, cpus=, memory_mb= and one extraConfig
 * option extra_key= / extra_value= (each absent: unchanged). */
static int
op_reconfigure(char **value, struct vs_client *c, xmlNodePtr op,
               struct err *err)
{
	struct vs_vm_config spec;
	struct vs_vm_option extra;
	struct vs_moref vm;
	char *name = attr(op, "vm_name"), *cpus = attr(op, "cpus");
	char *mem = attr(op, "memory_mb"), *key = attr(op, "extra_key");
	char *val = attr(op, "extra_value");
	int rc;

	(void)value;
	moref_attr(&vm, op, "obj");
	memset(&spec, 0, sizeof(spec));
	spec.name = name[0] != '\0' ? name : NULL;
	spec.num_cpus = atoi(cpus);
	spec.memory_mb = atoll(mem);
	extra.key = key;
	extra.value = val;
	if (key[0] != '\0') {
		spec.extra = &extra;
		spec.nextra = 1;
	}
	rc = vs_vm_reconfigure(c, &vm, &spec, err);
	free(name);
	free(cpus);
	free(mem);
	free(key);
	free(val);
	return rc;
}

static const struct {
	const char *name;
	case_op fn;
} ops[] = {
	{ "power_off", op_power_off },
	{ "power_on", op_power_on },
	{ "destroy", op_destroy },
	{ "reboot_guest", op_reboot_guest },
	{ "find_vm", op_find_vm },
	{ "task_wait", op_task_wait },
	{ "get_props", op_get_props },
	{ "reconfigure", op_reconfigure },
};

static const struct {
	const char *name;
	int code;
} codes[] = {
	{ "0", 0 }, { "ERR_FAIL", ERR_FAIL }, { "ERR_ENOMEM", ERR_ENOMEM },
	{ "ERR_EINVAL", ERR_EINVAL }, { "ERR_ENET", ERR_ENET },
	{ "ERR_ETLS", ERR_ETLS }, { "ERR_ETIMEOUT", ERR_ETIMEOUT },
	{ "ERR_EHTTP", ERR_EHTTP }, { "ERR_EPARSE", ERR_EPARSE },
	{ "ERR_EFAULT", ERR_EFAULT }, { "ERR_ETASK", ERR_ETASK },
	{ "ERR_ENOTFOUND", ERR_ENOTFOUND }, { "ERR_EREPLAY", ERR_EREPLAY },
	{ "ERR_EIO", ERR_EIO },
};

static case_op
find_op(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name) == 0)
			return ops[i].fn;
	}
	ck_abort_msg("unknown operation \"%s\"", name);
	return NULL;
}

static int
code_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (strcmp(codes[i].name, name) == 0)
			return codes[i].code;
	}
	ck_abort_msg("unknown rc \"%s\"", name);
	return 0;
}

/* --- verifying -------------------------------------------------------- */

static void
check_result(xmlNodePtr result, int rc, const struct err *err,
             const char *value, const char *file)
{
	char *want_rc = attr(result, "rc"), *fault = attr(result, "fault");
	char *s;

	ck_assert_msg(rc == code_of(want_rc), "%s: rc %d, want %s (%s)",
	              file, rc, want_rc, err->message);
	ck_assert_msg(err->code == rc, "%s: err.code %d, rc %d", file,
	              err->code, rc);
	ck_assert_msg(strcmp(err->fault, fault) == 0, "%s: fault \"%s\", "
	              "want \"%s\"", file, err->fault, fault);
	if (has_attr(result, "message")) {
		s = attr(result, "message");
		ck_assert_msg(strstr(err->message, s) != NULL, "%s: message "
		              "\"%s\" lacks \"%s\"", file, err->message, s);
		free(s);
	}
	if (has_attr(result, "value")) {
		s = attr(result, "value");
		ck_assert_msg(value != NULL && strcmp(value, s) == 0,
		              "%s: value \"%s\", want \"%s\"", file,
		              value != NULL ? value : "(none)", s);
		free(s);
	}
	free(want_rc);
	free(fault);
}

/* The requests after connect: exactly the <request> elements. */
static void
check_requests(xmlNodePtr verify, const char *file)
{
	xmlNodePtr n;
	size_t i = 0;
	char *op, *body;

	for (n = verify->children; n != NULL; n = n->next) {
		if (!named(n, "request"))
			continue;
		ck_assert_msg(i < ft_calls(), "%s: request %zu never came",
		              file, i);
		op = attr(n, "op");
		body = content(n);
		ck_assert_msg(strcmp(ft_op_at(i), op) == 0, "%s: request %zu "
		              "is %s, want %s", file, i, ft_op_at(i), op);
		ck_assert_msg(strcmp(ft_body_at(i), body) == 0, "%s: request "
		              "%zu (%s) body differs:\n%s\nwant:\n%s", file, i,
		              op, ft_body_at(i), body);
		free(op);
		free(body);
		i++;
	}
	ck_assert_msg(i == ft_calls(), "%s: %zu requests, want %zu", file,
	              ft_calls(), i);
}

START_TEST(test_case)
{
	const char *file = cases[_i];
	char path[4400], *name, *value = NULL;
	struct vs_client *c;
	struct err err;
	xmlNodePtr root, op, verify;
	xmlDocPtr doc;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", case_dir, file);
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	ck_assert_msg(doc != NULL, "%s: not well-formed", file);
	root = xmlDocGetRootElement(doc);
	ck_assert_msg(root != NULL && named(root, "vscase"), "%s: no "
	              "<vscase>", file);
	op = child(root, "operation");
	verify = child(root, "verify");
	ck_assert_msg(op != NULL && verify != NULL &&
	              child(verify, "result") != NULL, "%s: needs "
	              "<operation> and <verify><result>", file);
	queue_replies(root);
	c = ft_connect();
	err_clear(&err);
	name = attr(op, "name");
	rc = find_op(name)(&value, c, op, &err);
	check_result(child(verify, "result"), rc, &err, value, file);
	check_requests(verify, file);
	ft_finish(c);
	free(value);
	free(name);
	xmlFreeDoc(doc);
}
END_TEST

/* --- the suite -------------------------------------------------------- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_cases(void)
{
	const char *root = getenv("CPI_TEST_ROOT");
	struct dirent *de;
	size_t len;
	DIR *d;

	snprintf(case_dir, sizeof(case_dir), "%s/tests/data/vs-cases",
	         root != NULL ? root : ".");
	d = opendir(case_dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && ncases < MAX_CASES) {
		len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".xml") == 0)
			cases[ncases++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(cases, ncases, sizeof(cases[0]), name_cmp);
}

static void
setup(void)
{
	ft_reset("vs_cases");
	nops_kept = 0;
}

static void
teardown(void)
{
	size_t i;

	ft_clear();
	for (i = 0; i < nops_kept; i++)
		free(ops_kept[i]);
	nops_kept = 0;
}

/* A suite without cases is a broken checkout, not a pass. */
START_TEST(test_cases_found)
{
	ck_assert_msg(ncases >= 8, "%zu cases under %s", ncases, case_dir);
}
END_TEST

static Suite *
vs_cases_suite(void)
{
	Suite *s = suite_create("vs_cases");
	TCase *tc = tcase_create("cases");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cases_found);
	tcase_add_loop_test(tc, test_case, 0, (int)ncases);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;
	size_t i;

	load_cases();
	sr = srunner_create(vs_cases_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < ncases; i++)
		free(cases[i]);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
