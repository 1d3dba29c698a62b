/*
 * check_storage_pods (simulator): datastore clusters, as the Ruby CPI
 * uses them (storage_picker.rb).  The simulator runs with four datastores
 * and two pods (check_storage_pods.flags, tests/sim/vcsim/pods.go):
 * SP_ON (LocalDS_1, LocalDS_2; Storage DRS on) and SP_OFF (LocalDS_3;
 * Storage DRS off).  A VM type's or disk type's datastores: [{clusters:
 * [{SP_ON: {}}]}], and the config's datastore_cluster_pattern and
 * persistent_datastore_cluster_pattern, put the VM (read back: its
 * datastores, and the stemcell replica's) and the disk on a member of
 * SP_ON; SP_OFF is left out (an error naming it when nothing else is
 * asked for), and an unknown pod is an error; no VM is made then.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/support/sim_cpi.h"
#include "tests/support/sim_fixture.h"
#include "tests/support/sim_inventory.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"
#include "vsphere/vsphere.h"

static const char *
message(const json_t *resp)
{
	const char *m = json_string_value(json_object_get(json_object_get(
	                resp, "error"), "message"));

	return m != NULL ? m : "";
}

/* A config whose datacenter has key set to value (both optional) over
 * the default datastore patterns, less the keys named in drop (NULL or
 * a space-separated list). */
static const char *
config_dc(const char *key, const char *value, const char *drop)
{
	json_t *dc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s]}",
	                       "name", "DC0", "vm_folder", "BOSH_VMs",
	                       "template_folder", "BOSH_Templates",
	                       "disk_path", "BOSH_Disks",
	                       "datastore_pattern", "^LocalDS_",
	                       "persistent_datastore_pattern", "^LocalDS_",
	                       "clusters", "DC0_C0");
	json_t *extra;
	const char *path;
	char buf[256], *tok, *save = NULL;

	ck_assert_ptr_nonnull(dc);
	if (key != NULL)
		json_object_set_new(dc, key, json_string(value));
	if (drop != NULL) {
		snprintf(buf, sizeof(buf), "%s", drop);
		for (tok = strtok_r(buf, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save))
			json_object_del(dc, tok);
	}
	extra = json_pack("{s:[o]}", "datacenters", dc);
	path = sim_config(extra);
	json_decref(extra);
	ck_assert_ptr_nonnull(path);
	return path;
}

/* datastores: [{clusters: [{pod: {}}]}], or none with pod NULL. */
static json_t *
pod_list(const char *pod)
{
	return json_pack("[{s:[{s:{}}]}]", "clusters", pod);
}

/* create_vm with datastores (stolen; NULL: none) under cfg. */
static json_t *
create_vm(const char *cfg, json_t *datastores)
{
	json_t *nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                         "cloud_properties", "name", "BOSH-V4");
	json_t *cp = json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 256, "disk",
	                       1024);
	json_t *args, *resp;

	if (datastores != NULL)
		json_object_set_new(cp, "datastores", datastores);
	args = json_pack("[s,s,o,o,[],{}]", "agent-pod", sim_fx.stemcell, cp,
	                 nets);
	resp = sim_cpi_call(NULL, cfg, "create_vm", args);
	json_decref(args);
	ck_assert_ptr_nonnull(resp);
	return resp;
}

static void
call_ok(const char *cfg, const char *method, json_t *args)
{
	json_t *resp = sim_cpi_call(NULL, cfg, method, args);

	json_decref(args);
	ck_assert_msg(sim_error_type(resp) == NULL, "%s: %s", method,
	              message(resp));
	json_decref(resp);
}

/* The names of the datastores (",a,b,") of the VMs whose name starts
 * with prefix, into buf; the count of those VMs. */
static size_t
vm_datastores(char *buf, size_t size, const char *prefix)
{
	static const char *const vm_paths[] = { "name", "datastore", NULL };
	static const char *const ds_paths[] = { "name", NULL };
	struct vs_objects *vms = NULL, *dss = NULL;
	const struct vs_moref *refs;
	const char *name;
	size_t i, j, k, n = 0, nrefs, len;
	struct err err = {0};

	ck_assert_int_eq(vs_pc_list(&vms, sim_fx.cl,
	                            &vs_client_sc(sim_fx.cl)->root_folder,
	                            "VirtualMachine", vm_paths, &err), 0);
	ck_assert_int_eq(vs_pc_list(&dss, sim_fx.cl,
	                            &vs_client_sc(sim_fx.cl)->root_folder,
	                            "Datastore", ds_paths, &err), 0);
	snprintf(buf, size, ",");
	for (i = 0; i < vms->n; i++) {
		err_clear(&err);
		if (vs_object_get_str(&name, &vms->items[i], "name",
		                      &err) != 0 ||
		    strncmp(name, prefix, strlen(prefix)) != 0 ||
		    vs_object_get_morefs(&refs, &nrefs, &vms->items[i],
		                         "datastore", &err) != 0)
			continue;
		n++;
		for (j = 0; j < nrefs; j++)
			for (k = 0; k < dss->n; k++) {
				if (strcmp(dss->items[k].obj.value,
				           refs[j].value) != 0 ||
				    vs_object_get_str(&name, &dss->items[k],
				                      "name", &err) != 0)
					continue;
				len = strlen(buf);
				snprintf(buf + len, size - len, "%s,", name);
			}
	}
	vs_objects_free(vms);
	vs_objects_free(dss);
	return n;
}

/* Every datastore in list (",a,b,") is a member of SP_ON. */
static void
assert_on_pod(const char *list)
{
	char buf[1024], *tok, *save = NULL;

	ck_assert_msg(strcmp(list, ",") != 0, "no datastore at all");
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		ck_assert_msg(strcmp(tok, "LocalDS_1") == 0 ||
		              strcmp(tok, "LocalDS_2") == 0,
		              "datastore %s is not in SP_ON (%s)", tok, list);
}

/* A created VM: on a member of SP_ON, with a stemcell replica there
 * (the clone's source lives where the VM does); then deleted. */
static void
check_vm_on_pod(const char *cfg, json_t *resp)
{
	char vm_ds[1024], sc_ds[1024], prefix[160];
	const char *cid = json_string_value(json_array_get(
	                  json_object_get(resp, "result"), 0));
	const char *tok;

	ck_assert_msg(sim_error_type(resp) == NULL, "create_vm: %s",
	              message(resp));
	ck_assert_ptr_nonnull(cid);
	ck_assert_uint_eq(vm_datastores(vm_ds, sizeof(vm_ds), cid), 1);
	assert_on_pod(vm_ds);
	snprintf(prefix, sizeof(prefix), "%s", sim_fx.stemcell);
	ck_assert_uint_ge(vm_datastores(sc_ds, sizeof(sc_ds), prefix), 1);
	/* the VM's first datastore holds a stemcell copy too */
	tok = strchr(vm_ds + 1, ',');
	ck_assert_ptr_nonnull(tok);
	snprintf(prefix, sizeof(prefix), ",%.*s,", (int)(tok - vm_ds - 1),
	         vm_ds + 1);
	ck_assert_msg(strstr(sc_ds, prefix) != NULL, "no stemcell on %s (%s)",
	              prefix, sc_ds);
	call_ok(cfg, "delete_vm", json_pack("[s]", cid));
}

/* A VM type naming SP_ON: the VM and its stemcell replica on a member. */
START_TEST(test_vm_type_pod)
{
	json_t *resp = create_vm(sim_fx.defcfg, pod_list("SP_ON"));

	check_vm_on_pod(sim_fx.defcfg, resp);
	json_decref(resp);
}
END_TEST

/* datastore_cluster_pattern alone (no datastore_pattern). */
START_TEST(test_global_pod_pattern)
{
	const char *cfg = config_dc("datastore_cluster_pattern", "^SP_",
	                            "datastore_pattern");
	json_t *resp = create_vm(cfg, NULL);

	check_vm_on_pod(cfg, resp);
	json_decref(resp);
}
END_TEST

/* Storage DRS off: left out, as Ruby leaves it out; an unknown pod is
 * an error.  No VM is made. */
START_TEST(test_vm_pod_refused)
{
	size_t before = sim_count_vms(sim_fx.cl, "vm-");
	json_t *resp = create_vm(sim_fx.defcfg, pod_list("SP_OFF"));

	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_msg(strstr(message(resp), "Storage DRS off") != NULL, "%s",
	              message(resp));
	json_decref(resp);
	resp = create_vm(sim_fx.defcfg, pod_list("NO_SUCH_POD"));
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_msg(strstr(message(resp), "datastore cluster "
	                     "'NO_SUCH_POD' not found") != NULL, "%s",
	              message(resp));
	json_decref(resp);
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, "vm-"), before);
}
END_TEST

/* create_disk on a pod: the log names the datastore; has_disk finds
 * it (the pod members are looked at first); then it is deleted. */
static void
check_disk_on_pod(const char *cfg, json_t *cp)
{
	struct cpi_test_run run = {0};
	json_t *args = json_pack("[i,o,n]", 64, cp);
	json_t *resp = sim_cpi_call(&run, cfg, "create_disk", args), *has;
	const char *cid, *log;

	json_decref(args);
	ck_assert_msg(sim_error_type(resp) == NULL, "create_disk: %s",
	              message(resp));
	cid = json_string_value(json_object_get(resp, "result"));
	log = json_string_value(json_object_get(resp, "log"));
	ck_assert_ptr_nonnull(cid);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strstr(log, " on LocalDS_1") != NULL ||
	              strstr(log, " on LocalDS_2") != NULL, "%s", log);
	args = json_pack("[s]", cid);
	has = sim_cpi_call(NULL, cfg, "has_disk", args);
	ck_assert_msg(json_is_true(json_object_get(has, "result")),
	              "has_disk: %s", message(has));
	json_decref(has);
	call_ok(cfg, "delete_disk", args);
	json_decref(resp);
	cpi_test_run_clear(&run);
}

START_TEST(test_disk_pods)
{
	const char *cfg;
	json_t *resp, *args;

	check_disk_on_pod(sim_fx.defcfg, json_pack("{s:o}", "datastores",
	                  pod_list("SP_ON")));
	cfg = config_dc("persistent_datastore_cluster_pattern", "^SP_",
	                "persistent_datastore_pattern");
	check_disk_on_pod(cfg, json_object());
	/* SP_OFF only: no datastore */
	args = json_pack("[i,{s:o},n]", 64, "datastores", pod_list("SP_OFF"));
	resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_disk", args);
	json_decref(args);
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_msg(strstr(message(resp), "Storage DRS off") != NULL, "%s",
	              message(resp));
	json_decref(resp);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("storage_pods");
	TCase *tc = sim_fixture_tcase(180);

	tcase_add_test(tc, test_vm_type_pod);
	tcase_add_test(tc, test_global_pod_pattern);
	tcase_add_test(tc, test_vm_pod_refused);
	tcase_add_test(tc, test_disk_pods);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return sim_fixture_main("check_storage_pods", true, suite);
}
