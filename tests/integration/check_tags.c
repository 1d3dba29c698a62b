/*
 * check_tags (simulator): the `tags` VM cloud property end to end.  The
 * simulator serves govmomi's vAPI simulator under /rest (tests/sim/vcsim);
 * each test makes its categories and tags there through a REST session
 * of its own (vsphere/rest.h), runs create_vm through the built binary,
 * and reads the VM's tags back with list-attached-tags.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/support/sim_call.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_client.h"
#include "tests/support/sim_fixture.h"
#include "tests/support/sim_inventory.h"
#include "vsphere/rest.h"
#include "vsphere/vsphere.h"

#define ENV_SECRET "env-Secret-7a1c"

/* --- the test's own REST session ------------------------------------ */

static struct vs_rest *rest;

static void
rest_setup(void)
{
	sim_fixture_setup();
	ck_assert_msg(vs_rest_login(&rest, sim_fx.cl, sim_env("VCSIM_USER"),
	                            sim_env("VCSIM_PASSWORD"),
	                            &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
}

static void
rest_teardown(void)
{
	struct err err = { 0 };

	vs_rest_logout(rest, &err);
	rest = NULL;
	sim_fixture_teardown();
}

/* POST path with body (stolen); the reply's "value" (new reference). */
static json_t *
post(const char *path, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT), *reply = NULL;
	json_t *doc, *v;

	json_decref(body);
	ck_assert_ptr_nonnull(text);
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_rest_call(&reply, NULL, rest, "POST", path, text,
	                           "test", &sim_fx.err) == 0, "%s: %s", path,
	              sim_fx.err.message);
	free(text);
	doc = json_loads(reply, 0, NULL);
	free(reply);
	ck_assert_ptr_nonnull(doc);
	v = json_incref(json_object_get(doc, "value"));
	json_decref(doc);
	return v;
}

/* A new category (its id, malloc'd); types: a JSON array. */
static char *
make_category(const char *name, const char *cardinality, const char *types)
{
	json_t *v = post("/com/vmware/cis/tagging/category",
	                 json_pack("{s:{s:s,s:s,s:s,s:o}}", "create_spec",
	                           "name", name, "description", "test",
	                           "cardinality", cardinality,
	                           "associable_types",
	                           json_loads(types, 0, NULL)));
	char *id;

	ck_assert(json_is_string(v));
	id = strdup(json_string_value(v));
	json_decref(v);
	return id;
}

static char *
make_tag(const char *category_id, const char *name)
{
	json_t *v = post("/com/vmware/cis/tagging/tag",
	                 json_pack("{s:{s:s,s:s,s:s}}", "create_spec", "name",
	                           name, "description", "test", "category_id",
	                           category_id));
	char *id;

	ck_assert(json_is_string(v));
	id = strdup(json_string_value(v));
	json_decref(v);
	return id;
}

/* The ids of the tags attached to the VM (a JSON array). */
static json_t *
attached(const struct vs_moref *vm)
{
	json_t *v = post("/com/vmware/cis/tagging/tag-association?~action="
	                 "list-attached-tags",
	                 json_pack("{s:{s:s,s:s}}", "object_id", "id",
	                           vm->value, "type", "VirtualMachine"));

	if (v == NULL)
		v = json_array();
	ck_assert(json_is_array(v));
	return v;
}

static bool
holds(const json_t *ids, const char *id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v) {
		if (strcmp(json_string_value(v), id) == 0)
			return true;
	}
	return false;
}

/* --- create_vm ------------------------------------------------------- */

static json_t *
vm_args(json_t *tags)
{
	json_t *nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                         "cloud_properties", "name", "BOSH-V4");

	return json_pack("[s,s,{s:i,s:i,s:i,s:o},o,[],{s:{s:s}}]",
	                 "agent-tags", sim_fx.stemcell, "cpu", 1, "ram", 256,
	                 "disk", 1024, "tags", tags, nets, "bosh", "password",
	                 ENV_SECRET);
}

/* create_vm with tags (a JSON text); the response, the log in *log
 * (malloc'd) when log is not NULL. */
static json_t *
create_vm(const char *tags, char **log)
{
	struct cpi_test_run r;
	json_t *resp;

	resp = sim_call_checked(&r, sim_fx.defcfg, "create_vm",
	                        vm_args(json_loads(tags, 0, NULL)),
	                        ENV_SECRET);
	/* the vAPI session's id and credentials never reach the log */
	ck_assert_ptr_null(strstr(r.err, "vmware-api-session-id"));
	ck_assert_ptr_null(strstr(r.err, "Basic "));
	if (log != NULL)
		*log = strdup(r.err);
	cpi_test_run_clear(&r);
	return resp;
}

static void
delete_vm(const char *cid)
{
	struct cpi_test_run r;
	json_t *resp = sim_call_checked(&r, sim_fx.defcfg, "delete_vm",
	                                json_pack("[s]", cid), ENV_SECRET);

	ck_assert_ptr_null(sim_error_type(resp));
	json_decref(resp);
	cpi_test_run_clear(&r);
}

/* Tags of two categories attached, an unknown category and tag warned
 * about, a SINGLE category given two tags skipped, a category for
 * datastores only skipped; create_vm succeeds either way. */
START_TEST(test_tags_attached)
{
	char *env = make_category("bosh-env", "MULTIPLE", "[]");
	char *team = make_category("bosh-team", "SINGLE",
	                           "[\"VirtualMachine\"]");
	char *one = make_category("bosh-one", "SINGLE", "[]");
	char *ds = make_category("bosh-ds", "MULTIPLE", "[\"Datastore\"]");
	char *prod = make_tag(env, "prod"), *blue = make_tag(env, "blue");
	char *green = make_tag(env, "green"), *core = make_tag(team, "core");
	char *a = make_tag(one, "a"), *b = make_tag(one, "b");
	char *x = make_tag(ds, "x"), *log = NULL;
	json_t *resp, *ids;
	struct vs_moref vm;
	const char *cid;

	resp = create_vm("[{\"category\":\"bosh-env\",\"tag\":\"prod\"},"
	                 "{\"category\":\"bosh-team\",\"tag\":\"core\"},"
	                 "{\"category\":\"bosh-env\",\"tag\":\" blue \"},"
	                 "{\"category\":\"nope\",\"tag\":\"prod\"},"
	                 "{\"category\":\"bosh-env\",\"tag\":\"missing\"},"
	                 "{\"category\":\"bosh-one\",\"tag\":\"a\"},"
	                 "{\"category\":\"bosh-one\",\"tag\":\"b\"},"
	                 "{\"category\":\"bosh-ds\",\"tag\":\"x\"}]", &log);
	ck_assert_msg(sim_error_type(resp) == NULL, "%s", log);
	cid = json_string_value(json_array_get(json_object_get(resp,
	                        "result"), 0));
	vm = sim_vm_ref(sim_fx.cl, cid);
	ids = attached(&vm);
	ck_assert_uint_eq(json_array_size(ids), 3);
	ck_assert(holds(ids, prod));
	ck_assert(holds(ids, blue));
	ck_assert(holds(ids, core));
	ck_assert(!holds(ids, green) && !holds(ids, a) && !holds(ids, b) &&
	          !holds(ids, x));
	ck_assert_ptr_nonnull(strstr(log, "category with name 'nope'"));
	ck_assert_ptr_nonnull(strstr(log, "tag with name 'missing'"));
	ck_assert_ptr_nonnull(strstr(log, "tag category 'bosh-one' does not "
	                                  "support 'Multiple Cardinality'"));
	ck_assert_ptr_nonnull(strstr(log, "tag category 'bosh-ds' is not "
	                                  "associated"));
	ck_assert_ptr_nonnull(strstr(log, "attaching tags to vm '"));
	json_decref(ids);
	delete_vm(cid);
	json_decref(resp);
	free(log);
	free(env);
	free(team);
	free(one);
	free(ds);
	free(prod);
	free(blue);
	free(green);
	free(core);
	free(a);
	free(b);
	free(x);
}
END_TEST

/* A malformed value is refused before anything is made. */
START_TEST(test_tags_malformed)
{
	size_t before = sim_count_vms(sim_fx.cl, "vm-");
	json_t *resp = create_vm("[{\"category\":\"bosh-env\"}]", NULL);
	const json_t *e = json_object_get(resp, "error");

	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(e,
	                      "message")), "cloud_properties.tags[0]"));
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, "vm-"), before);
	json_decref(resp);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tags");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, rest_setup, rest_teardown);
	tcase_add_test(tc, test_tags_malformed);
	tcase_add_test(tc, test_tags_attached);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return sim_fixture_main("check_tags", true, suite);
}
