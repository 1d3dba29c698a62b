/*
 * check_ruby_compat (simulator): switching from the Ruby vSphere CPI.
 * The built binary against a fresh vcsim with two datastores
 * (check_ruby_compat.flags), on a fixture set of objects as the Ruby CPI
 * leaves them (tests/support/sim_ruby.h): a disk with a Ruby cid, a VM
 * moved to another folder, a Ruby-named stemcell replica.  And the
 * wrong-config cases of issue 20: a datacenter or folder that does not
 * exist is a CloudError naming the key, never "not found".
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tests/support/sim_call.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_fixture.h"
#include "tests/support/sim_inventory.h"
#include "tests/support/sim_ruby.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define ENV_SECRET "env-Secret-40d2"


static json_t *
call_cfg(const char *config, const char *method, json_t *args)
{
	struct cpi_test_run r;
	json_t *resp;

	resp = sim_call_checked(&r, config, method, args, ENV_SECRET);
	ck_assert_msg(r.status == 0, "%s: exit status %d: %s", method,
	              r.status, r.err);
	cpi_test_run_clear(&r);
	return resp;
}

static json_t *
result_of(json_t *resp, const char *method)
{
	json_t *res;

	ck_assert_msg(sim_error_type(resp) == NULL, "%s: %s: %s", method,
	              sim_error_type(resp), json_string_value(json_object_get(
	              json_object_get(resp, "error"), "message")));
	res = json_object_get(resp, "result");
	json_incref(res);
	json_decref(resp);
	return res;
}

static json_t *
call_ok(const char *method, json_t *args)
{
	return result_of(call_cfg(sim_fx.defcfg, method, args), method);
}

/* The call with config must fail with type and a message holding want. */
static void
fails_cfg(const char *config, const char *method, json_t *args,
          const char *type, const char *want)
{
	json_t *resp = call_cfg(config, method, args);
	const char *msg;

	ck_assert_msg(sim_error_type(resp) != NULL, "%s succeeded", method);
	msg = json_string_value(json_object_get(json_object_get(resp,
	                        "error"), "message"));
	ck_assert_msg(strcmp(sim_error_type(resp), type) == 0,
	              "%s: %s (%s), expected %s", method,
	              sim_error_type(resp), msg, type);
	ck_assert_ptr_nonnull(msg);
	if (want != NULL)
		ck_assert_msg(strstr(msg, want) != NULL, "%s: '%s' lacks '%s'",
		              method, msg, want);
	json_decref(resp);
}

static bool
has_vm(const char *config, const char *cid)
{
	json_t *r = result_of(call_cfg(config, "has_vm",
	                               json_pack("[s]", cid)), "has_vm");
	bool yes;

	ck_assert(json_is_boolean(r));
	yes = json_is_true(r);
	json_decref(r);
	return yes;
}

/* defcfg with datacenters[0].<key> = value, written as name. */
static const char *
config_with(const char *name, const char *key, const char *value)
{
	static char path[4][4096];
	static int next;
	json_error_t jerr;
	json_t *root, *dc;
	char *p = path[next++ % 4];

	root = json_load_file(sim_fx.defcfg, 0, &jerr);
	ck_assert_msg(root != NULL, "%s: %s", sim_fx.defcfg, jerr.text);
	dc = json_array_get(json_object_get(json_array_get(json_object_get(
	     json_object_get(json_object_get(root, "cloud"), "properties"),
	     "vcenters"), 0), "datacenters"), 0);
	ck_assert(json_is_object(dc));
	json_object_set_new(dc, key, json_string(value));
	snprintf(p, 4096, "%s/%s.json", sim_fx.outdir, name);
	ck_assert_int_eq(json_dump_file(root, p, 0), 0);
	json_decref(root);
	return p;
}

static char *
create_vm(const char *ip, const char *datastore)
{
	json_t *nets, *res, *cp;
	char *cid;

	nets = json_pack("{s:{s:s,s:s,s:s,s:s,s:[s],s:{s:s}}}",
	                 "default", "type", "manual", "ip", ip,
	                 "netmask", "255.255.255.0", "gateway", "10.0.0.1",
	                 "dns", "10.0.0.2", "cloud_properties", "name",
	                 "BOSH-V4");
	cp = json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 256, "disk", 512);
	if (datastore != NULL)
		json_object_set_new(cp, "datastores",
		                    json_pack("[s]", datastore));
	res = call_ok("create_vm", json_pack("[s,s,o,o,[],{s:{s:s}}]",
	              "agent-ruby", sim_fx.stemcell, cp, nets, "bosh",
	              "password", ENV_SECRET));
	cid = strdup(json_string_value(json_array_get(res, 0)));
	ck_assert_ptr_nonnull(cid);
	json_decref(res);
	return cid;
}

/* The VM named cid anywhere (the test fails when there is none). */
static struct vs_moref
vm_anywhere(const char *cid)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *list = NULL;
	struct vs_moref out;
	const char *name;
	struct err e;
	size_t i, n = 0;

	memset(&out, 0, sizeof(out));
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_pc_list(&list, sim_fx.cl,
	                         &vs_client_sc(sim_fx.cl)->root_folder,
	                         "VirtualMachine", paths, &sim_fx.err) == 0,
	              "%s", sim_fx.err.message);
	for (i = 0; i < list->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&name, &list->items[i], "name",
		                      &e) == 0 && strcmp(name, cid) == 0) {
			out = list->items[i].obj;
			n++;
		}
	}
	vs_objects_free(list);
	ck_assert_msg(n == 1, "%zu VMs named %s", n, cid);
	return out;
}

/* The datastore (by name) holding "BOSH_Disks/<name>.vmdk", or "". */
static void
disk_datastore(char *out, size_t size, const char *name)
{
	static const char *const paths[] = { "summary.url", "name", NULL };
	struct vs_objects *list = NULL;
	const char *url, *ds;
	struct err e;
	struct stat st;
	char path[4096];
	size_t i, n = 0;

	out[0] = '\0';
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_pc_list(&list, sim_fx.cl,
	                         &vs_client_sc(sim_fx.cl)->root_folder,
	                         "Datastore", paths, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	for (i = 0; i < list->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&url, &list->items[i], "summary.url",
		                      &e) != 0 ||
		    vs_object_get_str(&ds, &list->items[i], "name", &e) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/BOSH_Disks/%s.vmdk", url,
		         name);
		if (stat(path, &st) == 0) {
			snprintf(out, size, "%s", ds);
			n++;
		}
	}
	vs_objects_free(list);
	ck_assert_uint_le(n, 1);
}

static struct vs_moref
datastore_ref(const char *name)
{
	struct vs_moref ds;
	char path[256];

	snprintf(path, sizeof(path), "DC0/datastore/%s", name);
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_folder_find(&ds, sim_fx.cl, path, &sim_fx.err) == 0,
	              "%s: %s", path, sim_fx.err.message);
	return ds;
}

/* --- a disk with a Ruby cid ------------------------------------------ */

START_TEST(test_ruby_disk_cid)
{
	char here[256], there[256], pattern[300], rcid[1024], now[256];
	char *vm;
	json_t *cid_j, *res;
	const char *name;

	vm = create_vm("10.0.0.31", NULL);
	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 1024, vm));
	name = json_string_value(cid_j);
	disk_datastore(here, sizeof(here), name);
	ck_assert_str_ne(here, "");
	/* the Ruby CPI's cid for this disk, its pattern naming the other
	 * datastore with a Ruby-only construct (\d, \A, \z) */
	snprintf(there, sizeof(there), "%s",
	         strcmp(here, "LocalDS_0") == 0 ? "LocalDS_1" : "LocalDS_0");
	snprintf(pattern, sizeof(pattern), "\\ALocalDS_%c\\z",
	         there[strlen(there) - 1]);
	sim_ruby_disk_cid(rcid, sizeof(rcid), name, pattern);
	res = call_ok("has_disk", json_pack("[s]", rcid));
	ck_assert(json_is_true(res));
	json_decref(res);
	/* attach honours the pattern: the disk moves where it belongs */
	res = call_ok("attach_disk", json_pack("[s,s]", vm, rcid));
	ck_assert(json_is_string(res));
	json_decref(res);
	disk_datastore(now, sizeof(now), name);
	ck_assert_str_eq(now, there);
	/* the Director knows the disk by its Ruby cid: get_disks says so
	 * (a plain name would read as a missing disk to cloud check) */
	res = call_ok("get_disks", json_pack("[s]", vm));
	ck_assert_uint_eq(json_array_size(res), 1);
	ck_assert_str_eq(json_string_value(json_array_get(res, 0)), rcid);
	json_decref(res);
	fails_cfg(sim_fx.defcfg, "delete_disk", json_pack("[s]", rcid),
	          "Bosh::Clouds::CloudError", "detach it first");
	json_decref(call_ok("detach_disk", json_pack("[s,s]", vm, rcid)));
	fails_cfg(sim_fx.defcfg, "detach_disk", json_pack("[s,s]", vm, rcid),
	          "Bosh::Clouds::DiskNotAttached", NULL);
	json_decref(call_ok("delete_disk", json_pack("[s]", rcid)));
	disk_datastore(now, sizeof(now), name);
	ck_assert_str_eq(now, "");
	res = call_ok("has_disk", json_pack("[s]", rcid));
	ck_assert(json_is_false(res));
	json_decref(res);
	fails_cfg(sim_fx.defcfg, "delete_disk", json_pack("[s]", rcid),
	          "Bosh::Clouds::DiskNotFound", NULL);
	/* a Ruby cid whose metadata is not JSON: refused, not "missing" */
	snprintf(rcid, sizeof(rcid), "%s.bm90IGpzb24", name);
	fails_cfg(sim_fx.defcfg, "attach_disk", json_pack("[s,s]", vm, rcid),
	          "Bosh::Clouds::CloudError", "not a JSON object");
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	json_decref(cid_j);
	free(vm);
}
END_TEST

/* --- a disk whose file is not where its cid says ----------------------- */

START_TEST(test_disk_elsewhere)
{
	struct vs_moref ref;
	char name[64], path[256];
	char *vm;
	json_t *res, *hint;

	vm = create_vm("10.0.0.35", NULL);
	ref = vm_anywhere(vm);
	snprintf(name, sizeof(name), "disk-%s", "6f1c2b9e-0a4d-4c3e-9b8a-"
	         "00000000e15e");
	snprintf(path, sizeof(path), "[LocalDS_0] Elsewhere/%s.vmdk", name);
	sim_ruby_attached_disk(sim_fx.cl, &ref, path);
	/* not under disk_path: found through the VM that has it */
	res = call_ok("has_disk", json_pack("[s]", name));
	ck_assert(json_is_true(res));
	json_decref(res);
	/* attached: never deleted */
	fails_cfg(sim_fx.defcfg, "delete_disk", json_pack("[s]", name),
	          "Bosh::Clouds::CloudError", "detach it first");
	/* attach again: recognised as attached (the same hint twice) */
	hint = call_ok("attach_disk", json_pack("[s,s]", vm, name));
	ck_assert(json_is_string(hint));
	res = call_ok("attach_disk", json_pack("[s,s]", vm, name));
	ck_assert(json_equal(res, hint));
	json_decref(res);
	json_decref(hint);
	json_decref(call_ok("detach_disk", json_pack("[s,s]", vm, name)));
	/* detached, in no disk_path: found on the datastores by its file
	 * name; attached and detached again; deleted */
	res = call_ok("has_disk", json_pack("[s]", name));
	ck_assert(json_is_true(res));
	json_decref(res);
	hint = call_ok("attach_disk", json_pack("[s,s]", vm, name));
	ck_assert(json_is_string(hint));
	json_decref(hint);
	json_decref(call_ok("detach_disk", json_pack("[s,s]", vm, name)));
	json_decref(call_ok("delete_disk", json_pack("[s]", name)));
	res = call_ok("has_disk", json_pack("[s]", name));
	ck_assert(json_is_false(res));
	json_decref(res);
	/* a detached one on the other datastore, never attached */
	snprintf(name, sizeof(name), "disk-%s", "6f1c2b9e-0a4d-4c3e-9b8a-"
	         "00000000e15f");
	snprintf(path, sizeof(path), "[LocalDS_1] Moved/Deeper/%s.vmdk", name);
	sim_ruby_disk_file(sim_fx.cl, path);
	res = call_ok("has_disk", json_pack("[s]", name));
	ck_assert(json_is_true(res));
	json_decref(res);
	json_decref(call_ok("delete_disk", json_pack("[s]", name)));
	res = call_ok("has_disk", json_pack("[s]", name));
	ck_assert(json_is_false(res));
	json_decref(res);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	free(vm);
}
END_TEST

/* --- a VM moved to another folder ------------------------------------ */

START_TEST(test_moved_vm)
{
	struct vs_moref ref;
	char *vm;
	json_t *cid_j, *res;

	vm = create_vm("10.0.0.32", NULL);
	ref = vm_anywhere(vm);
	sim_ruby_move_vm(sim_fx.cl, &ref, "Operators/Moved");
	ck_assert(has_vm(sim_fx.defcfg, vm));
	json_decref(call_ok("set_vm_metadata", json_pack("[s,{s:s}]", vm,
	            "name", "moved/0")));
	json_decref(call_ok("reboot_vm", json_pack("[s]", vm)));
	res = call_ok("get_disks", json_pack("[s]", vm));
	ck_assert_uint_eq(json_array_size(res), 0);
	json_decref(res);
	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 1024, vm));
	json_decref(call_ok("attach_disk", json_pack("[s,O]", vm, cid_j)));
	/* attached to a VM outside vm_folder: still never deleted */
	fails_cfg(sim_fx.defcfg, "delete_disk", json_pack("[O]", cid_j),
	          "Bosh::Clouds::CloudError", "detach it first");
	json_decref(call_ok("detach_disk", json_pack("[s,O]", vm, cid_j)));
	/* delete_vm finds it: no silent leak */
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, vm), 0);
	ck_assert(!has_vm(sim_fx.defcfg, vm));
	fails_cfg(sim_fx.defcfg, "delete_vm", json_pack("[s]", vm),
	          "Bosh::Clouds::VMNotFound", NULL);
	json_decref(call_ok("delete_disk", json_pack("[O]", cid_j)));
	json_decref(cid_j);
	free(vm);
}
END_TEST

/* --- a wrong datacenter or folder is never "gone" (issue 20.2) ------- */

START_TEST(test_wrong_config)
{
	const char *bad_dc, *bad_vmf, *bad_tf;
	char *vm, missing[64];
	json_t *res;

	vm = create_vm("10.0.0.33", NULL);
	snprintf(missing, sizeof(missing), "vm-%s", "00000000-0000-4000-"
	         "8000-000000000000");
	bad_dc = config_with("bad-dc", "name", "DC9");
	bad_vmf = config_with("bad-vmf", "vm_folder", "BOSH_VMs_renamed");
	bad_tf = config_with("bad-tf", "template_folder", "BOSH_T_renamed");

	/* a datacenter that does not exist: CloudError naming the key for
	 * a VM that exists and for one that does not */
	fails_cfg(bad_dc, "has_vm", json_pack("[s]", vm),
	          "Bosh::Clouds::CloudError", "datacenters[0].name");
	fails_cfg(bad_dc, "has_vm", json_pack("[s]", missing),
	          "Bosh::Clouds::CloudError", "datacenters[0].name");
	fails_cfg(bad_dc, "delete_vm", json_pack("[s]", vm),
	          "Bosh::Clouds::CloudError", "datacenters[0].name");
	fails_cfg(bad_dc, "reboot_vm", json_pack("[s]", vm),
	          "Bosh::Clouds::CloudError", "datacenters[0].name");
	fails_cfg(bad_dc, "set_vm_metadata", json_pack("[s,{}]", vm),
	          "Bosh::Clouds::CloudError", "datacenters[0].name");
	fails_cfg(bad_dc, "get_disks", json_pack("[s]", vm),
	          "Bosh::Clouds::CloudError", "datacenters[0].name");
	fails_cfg(bad_dc, "delete_stemcell", json_pack("[s]", sim_fx.stemcell),
	          "Bosh::Clouds::CloudError", "datacenters[0].name");
	fails_cfg(bad_dc, "has_disk", json_pack("[s]", "disk-00000000-0000-"
	          "4000-8000-000000000000"), "Bosh::Clouds::CloudError",
	          "datacenters[0].name");

	/* a renamed vm_folder: the VM that exists is still found (by
	 * name); one that does not is an error, not "gone" */
	ck_assert(has_vm(bad_vmf, vm));
	json_decref(result_of(call_cfg(bad_vmf, "set_vm_metadata",
	            json_pack("[s,{}]", vm)), "set_vm_metadata"));
	fails_cfg(bad_vmf, "has_vm", json_pack("[s]", missing),
	          "Bosh::Clouds::CloudError", "datacenters[0].vm_folder");
	fails_cfg(bad_vmf, "delete_vm", json_pack("[s]", missing),
	          "Bosh::Clouds::CloudError", "datacenters[0].vm_folder");
	fails_cfg(bad_vmf, "reboot_vm", json_pack("[s]", missing),
	          "Bosh::Clouds::CloudError", "datacenters[0].vm_folder");
	fails_cfg(bad_vmf, "set_vm_metadata", json_pack("[s,{}]", missing),
	          "Bosh::Clouds::CloudError", "datacenters[0].vm_folder");
	fails_cfg(bad_vmf, "get_disks", json_pack("[s]", missing),
	          "Bosh::Clouds::CloudError", "datacenters[0].vm_folder");

	/* a renamed template_folder: delete_stemcell is not "done" */
	fails_cfg(bad_tf, "delete_stemcell", json_pack("[s]", sim_fx.stemcell),
	          "Bosh::Clouds::CloudError", "datacenters[0].template_folder");

	/* with the right config: everything still there; a VM that does
	 * not exist is "not found" */
	ck_assert(has_vm(sim_fx.defcfg, vm));
	ck_assert(!has_vm(sim_fx.defcfg, missing));
	fails_cfg(sim_fx.defcfg, "delete_vm", json_pack("[s]", missing),
	          "Bosh::Clouds::VMNotFound", NULL);
	fails_cfg(sim_fx.defcfg, "get_disks", json_pack("[s]", missing),
	          "Bosh::Clouds::VMNotFound", NULL);
	res = call_ok("delete_vm", json_pack("[s]", vm));
	json_decref(res);
	free(vm);
}
END_TEST

/* --- a Ruby-named stemcell replica (last: deletes the stemcell) ------- */

/* Destroys every VM whose name starts with prefix (the replicas this
 * CPI made for the earlier tests), so the Ruby one is the only one. */
static void
destroy_prefixed(const char *prefix)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *list = NULL;
	const char *name;
	struct err e;
	size_t i;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_pc_list(&list, sim_fx.cl,
	                         &vs_client_sc(sim_fx.cl)->root_folder,
	                         "VirtualMachine", paths, &sim_fx.err) == 0,
	              "%s", sim_fx.err.message);
	for (i = 0; i < list->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&name, &list->items[i], "name",
		                      &e) != 0 ||
		    strncmp(name, prefix, strlen(prefix)) != 0)
			continue;
		ck_assert_msg(vs_vm_destroy(sim_fx.cl, &list->items[i].obj,
		                            &e) == 0,
		              "%s: %s", name, e.message);
	}
	vs_objects_free(list);
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, prefix), 0);
}

START_TEST(test_ruby_replica)
{
	struct vs_moref sc, ds, replica;
	struct vs_vm_info *info = NULL;
	char other[64], rname[512], prefix[160];
	char *vm;

	sc = vm_anywhere(sim_fx.stemcell);
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, &sc, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ck_assert_uint_eq(info->ndatastores, 1);
	snprintf(other, sizeof(other), "%s",
	         strcmp(info->datastores[0].name, "LocalDS_0") == 0 ?
	         "LocalDS_1" : "LocalDS_0");
	vs_vm_info_free(info);
	ds = datastore_ref(other);
	snprintf(prefix, sizeof(prefix), "%s-", sim_fx.stemcell);
	destroy_prefixed(prefix);
	sim_ruby_replica(&replica, rname, sizeof(rname), sim_fx.cl,
	                 "BOSH_Templates", sim_fx.stemcell, &ds);
	/* create_vm on that datastore clones from the Ruby replica: no
	 * replica of this CPI's naming is made */
	vm = create_vm("10.0.0.34", other);
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, prefix), 0);
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, rname), 1);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	/* delete_stemcell removes it with the original */
	json_decref(call_ok("delete_stemcell", json_pack("[s]",
	                                                 sim_fx.stemcell)));
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, sim_fx.stemcell), 0);
	free(vm);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ruby_compat");
	TCase *tc = sim_fixture_tcase(240);

	tcase_add_test(tc, test_ruby_disk_cid);
	tcase_add_test(tc, test_disk_elsewhere);
	tcase_add_test(tc, test_moved_vm);
	tcase_add_test(tc, test_wrong_config);
	tcase_add_test(tc, test_ruby_replica);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return sim_fixture_main("check_ruby_compat", true, suite);
}
