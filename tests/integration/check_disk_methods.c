/*
 * check_disk_methods (simulator): the persistent disk methods through the
 * built binary against a fresh vcsim (check_disk_methods.flags: two
 * datastores).  The stemcell is made once with create_stemcell.
 *
 * The create-env disk flow end to end: create_disk near a VM, attach
 * (twice: the same hint), the agent settings read back from env.iso
 * (xorriso) and guestinfo.userdata, set_disk_metadata, delete_disk
 * refused while attached, detach (settings no longer list the disk),
 * attach to a second VM, delete_vm of both VMs with the disk attached,
 * the disk file still on the datastore, delete_disk, has_disk false; and
 * the error answers (DiskNotFound, DiskNotAttached, VMNotFound, bad
 * input, resize on a simulator without ExtendVirtualDisk_Task).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/fake_transport.h"
#include "tests/support/sim_agent_env.h"
#include "tests/support/sim_call.h"
#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_fixture.h"
#include "tests/support/sim_inventory.h"
#include "vsphere/disk.h"
#include "vsphere/client.h"
#include "vsphere/files.h"
#include "vsphere/pc.h"
#include "vsphere/transports.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define ENV_SECRET "env-Secret-5e1a"


/* Runs method (args stolen) and checks no secret leaked. */
static json_t *
call(const char *method, json_t *args)
{
	struct cpi_test_run r;
	json_t *resp;

	resp = sim_call_checked(&r, sim_fx.defcfg, method, args, ENV_SECRET);
	/* a response means exit 0 (also: memcheck's 99 under make
	 * valgrind) */
	ck_assert_msg(r.status == 0, "%s: exit status %d: %s", method,
	              r.status, r.err);
	cpi_test_run_clear(&r);
	return resp;
}

/* Runs delete_vm of vm (it must succeed); its vCenter round trips, from
 * the CPI's closing log line "delete_vm: N vCenter round trips". */
static int
delete_vm_trips(const char *vm)
{
	const char *key = "delete_vm: ", *p;
	struct cpi_test_run r;
	json_t *resp;
	unsigned n;
	int trips = -1;

	resp = sim_call_checked(&r, sim_fx.defcfg, "delete_vm",
	                        json_pack("[s]", vm), ENV_SECRET);
	ck_assert_msg(r.status == 0 && sim_error_type(resp) == NULL,
	              "delete_vm: %s", r.err);
	for (p = r.err; trips < 0 && p != NULL &&
	     (p = strstr(p, key)) != NULL; ) {
		p += strlen(key);
		if (sscanf(p, "%u vCenter round trips", &n) == 1)
			trips = (int)n;
	}
	json_decref(resp);
	cpi_test_run_clear(&r);
	return trips;
}

/* The call must succeed; its result (new reference). */
static json_t *
call_ok(const char *method, json_t *args)
{
	json_t *resp = call(method, args), *res;

	ck_assert_msg(sim_error_type(resp) == NULL, "%s: %s: %s", method,
	              sim_error_type(resp), json_string_value(json_object_get(
	              json_object_get(resp, "error"), "message")));
	res = json_object_get(resp, "result");
	json_incref(res);
	json_decref(resp);
	return res;
}

/* The call must fail with type; its message is checked for want (may be
 * NULL) and ok_to_retry for retry. */
static void
call_fails(const char *method, json_t *args, const char *type,
           const char *want, bool retry)
{
	json_t *resp = call(method, args), *e;
	const char *msg;

	ck_assert_msg(sim_error_type(resp) != NULL, "%s succeeded", method);
	ck_assert_str_eq(sim_error_type(resp), type);
	e = json_object_get(resp, "error");
	msg = json_string_value(json_object_get(e, "message"));
	ck_assert_ptr_nonnull(msg);
	if (want != NULL)
		ck_assert_msg(strstr(msg, want) != NULL, "%s: message '%s' "
		              "lacks '%s'", method, msg, want);
	ck_assert(json_is_boolean(json_object_get(e, "ok_to_retry")));
	ck_assert_int_eq(json_is_true(json_object_get(e, "ok_to_retry")),
	                 retry);
	json_decref(resp);
}
/* Datastores holding "<disk_path>/<cid>.vmdk" (vcsim keeps datastores as
 * local directories: summary.url). */
static size_t
disk_files(const char *cid)
{
	static const char *const paths[] = { "summary.url", NULL };
	struct vs_objects *list = NULL;
	const char *url;
	struct err e;
	struct stat st;
	char path[4096];
	size_t i, n = 0;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_pc_list(&list, sim_fx.cl,
	                         &vs_client_sc(sim_fx.cl)->root_folder,
	                         "Datastore", paths, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	for (i = 0; i < list->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&url, &list->items[i], "summary.url",
		                      &e) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/BOSH_Disks/%s.vmdk", url,
		         cid);
		if (stat(path, &st) == 0)
			n++;
	}
	vs_objects_free(list);
	return n;
}

/* A running VM on BOSH-V4; its cid (malloc'd). */
static char *
create_vm(const char *ip)
{
	json_t *nets, *res;
	char *cid;

	nets = json_pack("{s:{s:s,s:s,s:s,s:s,s:[s],s:{s:s}}}",
	                 "default", "type", "manual", "ip", ip,
	                 "netmask", "255.255.255.0", "gateway", "10.0.0.1",
	                 "dns", "10.0.0.2", "cloud_properties", "name",
	                 "BOSH-V4");
	res = call_ok("create_vm", json_pack("[s,s,{s:i,s:i,s:i},o,[],"
	              "{s:{s:s}}]", "agent-disk", sim_fx.stemcell, "cpu", 1,
	              "ram", 256, "disk", 512, nets, "bosh", "password",
	              ENV_SECRET));
	cid = strdup(json_string_value(json_array_get(res, 0)));
	ck_assert_ptr_nonnull(cid);
	json_decref(res);
	return cid;
}

/* The VM's agent settings from env.iso, checked equal to the ones in
 * guestinfo.userdata.  New reference. */
static json_t *
settings_of(const char *vm_cid)
{
	struct vs_moref vm = sim_vm_ref(sim_fx.cl, vm_cid);
	struct vs_vm_info *info = NULL;
	json_t *iso, *guest;
	unsigned char *dec;
	char *ud;
	size_t dlen;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, &vm, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ck_assert_ptr_nonnull(info->datastores[0].name);
	iso = sim_env_iso_settings(sim_fx.cl, sim_fx.outdir, vm_cid,
	                           info->datastores[0].name);
	/* the last entry: the simulator appends a reconfigured key
	 * instead of replacing it (vCenter keeps one) */
	ud = sim_extra_config(sim_fx.cl, &vm, "guestinfo.userdata", true);
	ck_assert_ptr_nonnull(ud);
	dec = sim_b64_decode(ud, &dlen);
	guest = json_loadb((const char *)dec, dlen, 0, NULL);
	ck_assert_ptr_nonnull(guest);
	ck_assert_msg(json_equal(guest, iso), "env.iso and guestinfo differ");
	/* nothing else was lost on the way */
	ck_assert_str_eq(json_string_value(json_object_get(iso, "agent_id")),
	                 "agent-disk");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	                 json_object_get(iso, "env"), "bosh"), "password")),
	                 ENV_SECRET);
	ck_assert(json_is_string(json_object_get(json_object_get(iso,
	          "disks"), "system")));
	json_decref(guest);
	free(dec);
	free(ud);
	vs_vm_info_free(info);
	return iso;
}

/* disks.persistent of the VM's settings (new reference). */
static json_t *
persistent_of(const char *vm_cid)
{
	json_t *s = settings_of(vm_cid);
	json_t *p = json_object_get(json_object_get(s, "disks"),
	                            "persistent");

	ck_assert_msg(json_is_object(p), "disks.persistent is not an object");
	json_incref(p);
	json_decref(s);
	return p;
}

/* The VM's persistent disk devices per the vsphere layer. */
static size_t
disk_devices(const char *vm_cid, const char *disk_cid)
{
	struct vs_moref vm = sim_vm_ref(sim_fx.cl, vm_cid);
	struct vs_vm_info *info = NULL;
	size_t i, n = 0;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, &vm, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (d->kind == VS_VM_DEV_DISK && d->file_name != NULL &&
		    strstr(d->file_name, disk_cid) != NULL) {
			ck_assert_str_eq(d->disk_mode,
			                 "independent_persistent");
			n++;
		}
	}
	vs_vm_info_free(info);
	return n;
}

/* --- cases ----------------------------------------------------------- */

START_TEST(test_create_env_flow)
{
	char *vm_a, *vm_b;
	json_t *cid_j, *hint, *hint2, *res, *pers;
	const char *cid;

	vm_a = create_vm("10.0.0.21");
	vm_b = create_vm("10.0.0.22");
	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 2048, vm_a));
	cid = json_string_value(cid_j);
	ck_assert_ptr_nonnull(cid);
	ck_assert_msg(strncmp(cid, "disk-", 5) == 0 && strlen(cid) == 41,
	              "cid %s", cid);
	ck_assert_uint_eq(disk_files(cid), 1);
	res = call_ok("has_disk", json_pack("[s]", cid));
	ck_assert(json_is_true(res));
	json_decref(res);

	/* attach: the unit number hint; settings list the disk */
	hint = call_ok("attach_disk", json_pack("[s,s]", vm_a, cid));
	ck_assert_msg(json_is_string(hint), "hint is not a string");
	ck_assert_uint_eq(disk_devices(vm_a, cid), 1);
	pers = persistent_of(vm_a);
	ck_assert_uint_eq(json_object_size(pers), 1);
	ck_assert(json_equal(json_object_get(pers, cid), hint));
	json_decref(pers);
	/* twice: a no-op with the same hint */
	hint2 = call_ok("attach_disk", json_pack("[s,s]", vm_a, cid));
	ck_assert(json_equal(hint, hint2));
	json_decref(hint2);
	ck_assert_uint_eq(disk_devices(vm_a, cid), 1);
	res = call_ok("get_disks", json_pack("[s]", vm_a));
	ck_assert_uint_eq(json_array_size(res), 1);
	ck_assert_str_eq(json_string_value(json_array_get(res, 0)), cid);
	json_decref(res);
	res = call_ok("set_disk_metadata", json_pack("[s,{s:s}]", cid,
	              "director", "d1"));
	ck_assert(json_is_null(res));
	json_decref(res);

	/* delete_disk refuses while attached, naming the VM */
	call_fails("delete_disk", json_pack("[s]", cid),
	           "Bosh::Clouds::CloudError", vm_a, false);
	ck_assert_uint_eq(disk_files(cid), 1);

	/* detach: the file stays, the settings forget it */
	res = call_ok("detach_disk", json_pack("[s,s]", vm_a, cid));
	ck_assert(json_is_null(res));
	json_decref(res);
	ck_assert_uint_eq(disk_devices(vm_a, cid), 0);
	ck_assert_uint_eq(disk_files(cid), 1);
	pers = persistent_of(vm_a);
	ck_assert_uint_eq(json_object_size(pers), 0);
	json_decref(pers);
	res = call_ok("get_disks", json_pack("[s]", vm_a));
	ck_assert(json_is_array(res));
	ck_assert_uint_eq(json_array_size(res), 0);
	json_decref(res);
	call_fails("detach_disk", json_pack("[s,s]", vm_a, cid),
	           "Bosh::Clouds::DiskNotAttached", cid, true);

	/* to the second VM, then both VMs go with the disk attached */
	hint2 = call_ok("attach_disk", json_pack("[s,s]", vm_b, cid));
	ck_assert(json_is_string(hint2));
	pers = persistent_of(vm_b);
	ck_assert(json_equal(json_object_get(pers, cid), hint2));
	json_decref(pers);
	json_decref(hint2);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm_a)));
	json_decref(call_ok("delete_vm", json_pack("[s]", vm_b)));
	ck_assert_uint_eq(disk_files(cid), 1);
	res = call_ok("has_disk", json_pack("[s]", cid));
	ck_assert(json_is_true(res));
	json_decref(res);

	/* delete_disk: gone; again: DiskNotFound */
	res = call_ok("delete_disk", json_pack("[s]", cid));
	ck_assert(json_is_null(res));
	json_decref(res);
	ck_assert_uint_eq(disk_files(cid), 0);
	res = call_ok("has_disk", json_pack("[s]", cid));
	ck_assert(json_is_false(res));
	json_decref(res);
	call_fails("delete_disk", json_pack("[s]", cid),
	           "Bosh::Clouds::DiskNotFound", cid, false);
	json_decref(hint);
	json_decref(cid_j);
	free(vm_a);
	free(vm_b);
}
END_TEST

START_TEST(test_errors)
{
	static const char *const missing =
	    "disk-00000000-0000-4000-8000-000000000000";
	json_t *cid_j, *res;
	const char *cid;
	char *vm;

	res = call_ok("has_disk", json_pack("[s]", missing));
	ck_assert(json_is_false(res));
	json_decref(res);
	res = call_ok("has_disk", json_pack("[s]", "../etc/passwd"));
	ck_assert(json_is_false(res));
	json_decref(res);
	call_fails("delete_disk", json_pack("[s]", "disk-../../x"),
	           "Bosh::Clouds::CloudError", NULL, false);
	call_fails("resize_disk", json_pack("[s,i]", missing, 4096),
	           "Bosh::Clouds::DiskNotFound", missing, false);
	call_fails("create_disk", json_pack("[i,{s:s},n]", 1024, "type",
	           "sparse"), "Bosh::Clouds::CloudError", "type", false);
	call_fails("create_disk", json_pack("[i,{},n]", 0),
	           "Bosh::Clouds::CloudError", "size", false);
	call_fails("create_disk", json_pack("[i,{s:[s]},n]", 1024,
	           "datastores", "NoSuchDS"), "Bosh::Clouds::CloudError",
	           "datastore", false);
	call_fails("attach_disk", json_pack("[s,s]",
	           "vm-00000000-0000-4000-8000-000000000000", missing),
	           "Bosh::Clouds::VMNotFound", NULL, false);
	call_fails("get_disks", json_pack("[s]",
	           "vm-00000000-0000-4000-8000-000000000000"),
	           "Bosh::Clouds::VMNotFound", NULL, false);

	/* no VM, thin, a named datastore */
	cid_j = call_ok("create_disk", json_pack("[i,{s:s,s:[s]},n]", 1024,
	                "type", "thin", "datastores", "LocalDS_1"));
	cid = json_string_value(cid_j);
	ck_assert_uint_eq(disk_files(cid), 1);
	vm = create_vm("10.0.0.23");
	call_fails("attach_disk", json_pack("[s,s]", vm, missing),
	           "Bosh::Clouds::DiskNotFound", missing, false);
	call_fails("detach_disk", json_pack("[s,s]", vm, cid),
	           "Bosh::Clouds::DiskNotAttached", NULL, true);
	/* the simulator has no ExtendVirtualDisk_Task: a clear CloudError
	 * (the replay fixture fixtures/disks covers the success) */
	call_fails("resize_disk", json_pack("[s,i]", cid, 4096),
	           "Bosh::Clouds::CloudError", "ExtendVirtualDisk_Task",
	           false);
	ck_assert_uint_eq(disk_files(cid), 1);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	ck_assert_uint_eq(disk_files(cid), 0);
	json_decref(cid_j);
	free(vm);
}
END_TEST


START_TEST(test_enable_uuid_hint)
{
	const struct vs_vm_option opt = { "disk.enableUUID", "TRUE" };
	const struct vs_vm_config spec = { .extra = &opt, .nextra = 1 };
	struct vs_moref vm;
	json_t *cid_j, *hint, *again, *pers;
	const char *cid, *id;
	char *vm_cid;
	size_t i;

	vm_cid = create_vm("10.0.0.24");
	vm = sim_vm_ref(sim_fx.cl, vm_cid);
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_reconfigure(sim_fx.cl, &vm, &spec,
	                                &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 1024, vm_cid));
	cid = json_string_value(cid_j);
	hint = call_ok("attach_disk", json_pack("[s,s]", vm_cid, cid));
	ck_assert_msg(json_is_object(hint), "hint is not {\"id\": …}");
	id = json_string_value(json_object_get(hint, "id"));
	ck_assert_ptr_nonnull(id);
	ck_assert_uint_eq(strlen(id), 36);
	for (i = 0; id[i] != '\0'; i++)
		ck_assert_msg((id[i] >= '0' && id[i] <= '9') ||
		              (id[i] >= 'a' && id[i] <= 'f') || id[i] == '-',
		              "id %s is not a lower-case uuid", id);
	pers = persistent_of(vm_cid);
	ck_assert(json_equal(json_object_get(pers, cid), hint));
	json_decref(pers);
	again = call_ok("attach_disk", json_pack("[s,s]", vm_cid, cid));
	ck_assert(json_equal(again, hint));
	json_decref(again);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm_cid)));
	ck_assert_uint_eq(disk_files(cid), 1);
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	json_decref(hint);
	json_decref(cid_j);
	free(vm_cid);
}
END_TEST


/* A new SCSI controller and the disk on it in one reconfigure (what
 * attach_disk sends when every unit is taken), accepted by the
 * simulator; detach_disk then finds the disk there. */
START_TEST(test_new_controller)
{
	const struct vs_disk_slot slot = {
		.ctl_key = -100, .unit = 0, .new_controller = true,
		.ctl_type = "ParaVirtualSCSIController", .bus = 1,
	};
	struct vs_vm_info *info = NULL;
	struct vs_disk_loc loc;
	struct vs_disk_dss *dss = NULL;
	struct vs_moref vm, dc;
	json_t *cid_j, *res;
	const char *cid;
	char *vm_cid;
	size_t i, nctl = 0, before = 0;
	int ctl_key = 0;

	vm_cid = create_vm("10.0.0.25");
	vm = sim_vm_ref(sim_fx.cl, vm_cid);
	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 1024, vm_cid));
	cid = json_string_value(cid_j);
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_find_by_inventory_path(&dc, sim_fx.cl, "DC0",
	                                        &sim_fx.err) == 0,
	              "%s", sim_fx.err.message);
	ck_assert_msg(vs_disk_datastores(&dss, sim_fx.cl, &dc,
	                                 &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ck_assert_msg(vs_disk_locate(&loc, sim_fx.cl, &dc, dss, "^LocalDS_",
	                             "BOSH_Disks", cid, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, &vm, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	for (i = 0; i < info->ndevices; i++)
		if (strstr(info->devices[i].type, "SCSIController") != NULL)
			before++;
	ck_assert_msg(vs_disk_attach(sim_fx.cl, info, loc.path, &loc.datastore,
	                             &slot, NULL, 0, NULL, 0, &sim_fx.err) == 0,
	              "%s", sim_fx.err.message);
	vs_vm_info_free(info);
	info = NULL;
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, &vm, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	for (i = 0; i < info->ndevices; i++) {
		if (strstr(info->devices[i].type, "SCSIController") != NULL)
			nctl++;
		if (strcmp(info->devices[i].type,
		           "ParaVirtualSCSIController") == 0)
			ctl_key = info->devices[i].key;     /* the last one */
	}
	ck_assert_uint_eq(nctl, before + 1);
	ck_assert_ptr_nonnull(vs_disk_vm_device(info, cid));
	ck_assert_int_eq(vs_disk_vm_device(info, cid)->controller_key,
	                 ctl_key);
	res = call_ok("get_disks", json_pack("[s]", vm_cid));
	ck_assert_uint_eq(json_array_size(res), 1);
	json_decref(res);
	json_decref(call_ok("detach_disk", json_pack("[s,s]", vm_cid, cid)));
	ck_assert_uint_eq(disk_files(cid), 1);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm_cid)));
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	vs_vm_info_free(info);
	vs_disk_loc_clear(&loc);
	vs_disk_dss_free(dss);
	json_decref(cid_j);
	free(vm_cid);
}
END_TEST

/* --- main ------------------------------------------------------------ */

/* The VM's datastore (malloc'd). */
static char *
vm_datastore(const char *vm_cid)
{
	struct vs_moref vm = sim_vm_ref(sim_fx.cl, vm_cid);
	struct vs_vm_info *info = NULL;
	char *ds;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, &vm, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ds = strdup(info->datastores[0].name);
	ck_assert_ptr_nonnull(ds);
	vs_vm_info_free(info);
	return ds;
}

/* Whether env.iso alone (not compared with guestinfo) lists cid. */
static bool
iso_lists(const char *vm_cid, const char *cid)
{
	char *ds = vm_datastore(vm_cid);
	json_t *s = sim_env_iso_settings(sim_fx.cl, sim_fx.outdir, vm_cid, ds);
	bool has = json_object_get(json_object_get(json_object_get(s,
	           "disks"), "persistent"), cid) != NULL;

	json_decref(s);
	free(ds);
	return has;
}

/* The VM's env.iso as bytes (malloc'd), or put back. */
static char *
iso_path(const char *vm_cid)
{
	char *ds = vm_datastore(vm_cid), *path = NULL;

	ck_assert_int_eq(vs_ds_path_format(&path, ds, vm_cid, &sim_fx.err), 0);
	free(ds);
	path = realloc(path, strlen(path) + sizeof("/env.iso"));
	ck_assert_ptr_nonnull(path);
	strcat(path, "/env.iso");
	return path;
}

static char *
iso_get(const char *vm_cid, size_t *len)
{
	char *path = iso_path(vm_cid), *data = NULL;

	ck_assert_msg(vs_file_download_mem(&data, len, sim_fx.cl, "DC0", path,
	              &sim_fx.err) == 0, "%s", sim_fx.err.message);
	free(path);
	return data;
}

static void
iso_put(const char *vm_cid, const char *data, size_t len)
{
	char *path = iso_path(vm_cid);

	ck_assert_msg(vs_file_upload_mem(sim_fx.cl, "DC0", path, data, len,
	                                 true, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	free(path);
}

/* A call that did its reconfigure but lost the env.iso upload (reply
 * lost, upload failed) leaves env.iso stale; the Director's retry must
 * write it again: attach_disk on an attached disk, detach_disk on a
 * detached one (which still answers DiskNotAttached). */
START_TEST(test_retry_repairs_env_iso)
{
	char *vm = create_vm("10.0.0.41"), *before, *attached;
	json_t *cid_j, *pers, *hint;
	size_t blen, alen;
	const char *cid;

	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 1024, vm));
	cid = json_string_value(cid_j);
	before = iso_get(vm, &blen);
	hint = call_ok("attach_disk", json_pack("[s,s]", vm, cid));
	attached = iso_get(vm, &alen);
	iso_put(vm, before, blen);          /* as if the upload was lost */
	ck_assert(!iso_lists(vm, cid));
	json_decref(call_ok("attach_disk", json_pack("[s,s]", vm, cid)));
	pers = persistent_of(vm);
	ck_assert_msg(json_equal(json_object_get(pers, cid), hint),
	              "env.iso not repaired by the second attach_disk");
	json_decref(pers);

	json_decref(call_ok("detach_disk", json_pack("[s,s]", vm, cid)));
	iso_put(vm, attached, alen);        /* names the detached disk */
	ck_assert(iso_lists(vm, cid));
	call_fails("detach_disk", json_pack("[s,s]", vm, cid),
	           "Bosh::Clouds::DiskNotAttached", cid, true);
	pers = persistent_of(vm);
	ck_assert_msg(json_object_get(pers, cid) == NULL,
	              "env.iso not repaired by the second detach_disk");
	json_decref(pers);

	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	free(before);
	free(attached);
	json_decref(hint);
	json_decref(cid_j);
	free(vm);
}
END_TEST

/* --- Storage vMotion ---------------------------------------------- */

/* The local directory of datastore name (vcsim: summary.url; malloc'd). */
static char *
ds_url(const char *name)
{
	static const char *const paths[] = { "name", "summary.url", NULL };
	struct vs_objects *list = NULL;
	const char *n, *url;
	struct err e;
	char *out = NULL;
	size_t i;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_pc_list(&list, sim_fx.cl,
	                         &vs_client_sc(sim_fx.cl)->root_folder,
	                         "Datastore", paths, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	for (i = 0; i < list->n && out == NULL; i++) {
		err_clear(&e);
		if (vs_object_get_str(&n, &list->items[i], "name", &e) == 0 &&
		    strcmp(n, name) == 0 &&
		    vs_object_get_str(&url, &list->items[i], "summary.url",
		                      &e) == 0)
			out = strdup(url);
	}
	vs_objects_free(list);
	ck_assert_msg(out != NULL, "no datastore %s", name);
	return out;
}

/* Whether "[ds] rel" exists as a local file of the simulator. */
static bool
ds_file_exists(const char *ds_file)
{
	struct vs_ds_path p = { 0 };
	struct stat st;
	char path[4096], *url;
	bool there;

	ck_assert_int_eq(vs_ds_path_parse(&p, ds_file, &sim_fx.err), 0);
	url = ds_url(p.datastore);
	snprintf(path, sizeof(path), "%s/%s", url, p.path);
	there = stat(path, &st) == 0;
	free(url);
	vs_ds_path_clear(&p);
	return there;
}

/* Creates (or with make false removes) "[ds] BOSH_Disks/<cid>.vmdk" and
 * its -flat file as local files: something in the way of a move back. */
static void
block_disk_path(const char *ds, const char *cid, bool make)
{
	static const char *const sfx[] = { ".vmdk", "-flat.vmdk" };
	char path[4096], *url = ds_url(ds);
	FILE *f;
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/BOSH_Disks/%s%s", url, cid,
		         sfx[i]);
		if (make) {
			f = fopen(path, "w");
			ck_assert_ptr_nonnull(f);
			fclose(f);
		} else {
			ck_assert_int_eq(unlink(path), 0);
		}
	}
	free(url);
}

/* A disk attached by the CPI, then moved by "Storage vMotion" into the
 * VM's directory under a VM-style name; *moved_out is its new file. */
static json_t *
attached_and_moved(char **moved_out, const char *vm)
{
	struct vs_moref ref = sim_vm_ref(sim_fx.cl, vm);
	json_t *cid_j, *res;
	const char *cid;

	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 1024, vm));
	cid = json_string_value(cid_j);
	json_decref(call_ok("attach_disk", json_pack("[s,s]", vm, cid)));
	*moved_out = sim_storage_vmotion_disk(sim_fx.cl, &ref, cid);
	ck_assert_msg(strstr(*moved_out, "_1.vmdk") != NULL &&
	              strstr(*moved_out, vm) != NULL, "moved to %s",
	              *moved_out);
	ck_assert_uint_eq(disk_files(cid), 0);
	ck_assert(ds_file_exists(*moved_out));
	/* the VM still knows it as the disk */
	res = call_ok("get_disks", json_pack("[s]", vm));
	ck_assert_uint_eq(json_array_size(res), 1);
	ck_assert_str_eq(json_string_value(json_array_get(res, 0)), cid);
	json_decref(res);
	return cid_j;
}

/* Round-trip budget: delete_vm with a persistent disk attached reads
 * the VM, its disk records, datacenter and cluster rules in one read:
 * login 3, the read 1, power off 2, detach 2, destroy 2, the directory
 * 2, logout 1 (16 before).  Without a disk: 11.  The disk is kept. */
START_TEST(test_delete_vm_round_trips)
{
	char *vm = create_vm("10.0.0.29"), *bare = create_vm("10.0.0.30");
	json_t *cid_j, *hint;
	const char *cid;
	int trips;

	cid_j = call_ok("create_disk", json_pack("[i,{},s]", 1024, vm));
	cid = json_string_value(cid_j);
	hint = call_ok("attach_disk", json_pack("[s,s]", vm, cid));
	trips = delete_vm_trips(vm);
	ck_assert_msg(trips > 0 && trips <= 13, "delete_vm with a disk: %d "
	              "round trips", trips);
	ck_assert_uint_eq(disk_files(cid), 1);
	trips = delete_vm_trips(bare);
	ck_assert_msg(trips > 0 && trips <= 11, "delete_vm: %d round trips",
	              trips);
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	json_decref(hint);
	json_decref(cid_j);
	free(bare);
	free(vm);
}
END_TEST

/* delete_vm after Storage vMotion keeps the disk: detached, moved back
 * under disk_path with its cid name, found, attachable, deletable. */
START_TEST(test_svmotion_delete_vm)
{
	char *vm = create_vm("10.0.0.51"), *vm2, *moved;
	json_t *cid_j, *res;
	const char *cid;

	cid_j = attached_and_moved(&moved, vm);
	cid = json_string_value(cid_j);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, vm), 0);
	ck_assert_uint_eq(disk_files(cid), 1);
	ck_assert(!ds_file_exists(moved));
	res = call_ok("has_disk", json_pack("[s]", cid));
	ck_assert(json_is_true(res));
	json_decref(res);
	vm2 = create_vm("10.0.0.52");
	json_decref(call_ok("attach_disk", json_pack("[s,s]", vm2, cid)));
	ck_assert_uint_eq(disk_devices(vm2, cid), 1);
	json_decref(call_ok("detach_disk", json_pack("[s,s]", vm2, cid)));
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	ck_assert_uint_eq(disk_files(cid), 0);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm2)));
	json_decref(cid_j);
	free(moved);
	free(vm2);
	free(vm);
}
END_TEST

/* detach_disk after Storage vMotion finds the disk by the VM's record
 * and puts it back under disk_path with its cid name. */
START_TEST(test_svmotion_detach_disk)
{
	char *vm = create_vm("10.0.0.53"), *moved, *rec;
	struct vs_moref ref;
	json_t *cid_j, *res, *pers;
	char key[128];
	const char *cid;

	cid_j = attached_and_moved(&moved, vm);
	cid = json_string_value(cid_j);
	ref = sim_vm_ref(sim_fx.cl, vm);
	snprintf(key, sizeof(key), "bosh.persistent_disk.%s", cid);
	rec = sim_extra_config(sim_fx.cl, &ref, key, true);
	ck_assert_ptr_nonnull(rec);
	ck_assert_msg(strncmp(rec, "scsi", 4) == 0, "record '%s'", rec);
	free(rec);
	res = call_ok("detach_disk", json_pack("[s,s]", vm, cid));
	ck_assert(json_is_null(res));
	json_decref(res);
	ck_assert_uint_eq(disk_files(cid), 1);
	ck_assert(!ds_file_exists(moved));
	pers = persistent_of(vm);
	ck_assert_ptr_null(json_object_get(pers, cid));
	json_decref(pers);
	/* the record is gone (the simulator appends: the last entry) */
	rec = sim_extra_config(sim_fx.cl, &ref, key, true);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(rec, "");
	free(rec);
	res = call_ok("has_disk", json_pack("[s]", cid));
	ck_assert(json_is_true(res));
	json_decref(res);
	call_fails("detach_disk", json_pack("[s,s]", vm, cid),
	           "Bosh::Clouds::DiskNotAttached", cid, true);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	ck_assert_uint_eq(disk_files(cid), 1);
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	json_decref(cid_j);
	free(moved);
	free(vm);
}
END_TEST

/* A disk that cannot be placed back is never destroyed: delete_vm fails
 * naming where the disk lies and keeps the VM; once the way is free,
 * delete_vm again finishes (the VM's record said where the disk is). */
START_TEST(test_svmotion_cannot_place_back)
{
	char *vm = create_vm("10.0.0.54"), *moved, *ds;
	json_t *cid_j, *res;
	const char *cid;

	cid_j = attached_and_moved(&moved, vm);
	cid = json_string_value(cid_j);
	ds = vm_datastore(vm);
	block_disk_path(ds, cid, true);
	call_fails("delete_vm", json_pack("[s]", vm),
	           "Bosh::Clouds::CloudError", moved, true);
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, vm), 1);
	ck_assert(ds_file_exists(moved));
	block_disk_path(ds, cid, false);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, vm), 0);
	ck_assert(!ds_file_exists(moved));
	ck_assert_uint_eq(disk_files(cid), 1);
	res = call_ok("has_disk", json_pack("[s]", cid));
	ck_assert(json_is_true(res));
	json_decref(res);
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	json_decref(cid_j);
	free(ds);
	free(moved);
	free(vm);
}
END_TEST

/* Removes "[ds] dir/x.vmdk" and its -flat file as local files. */
static void
remove_disk_files(const char *ds_file)
{
	struct vs_ds_path p = { 0 };
	char path[4096], *url;
	size_t len;

	ck_assert_int_eq(vs_ds_path_parse(&p, ds_file, &sim_fx.err), 0);
	url = ds_url(p.datastore);
	len = strlen(p.path);
	snprintf(path, sizeof(path), "%s/%s", url, p.path);
	ck_assert_int_eq(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/%.*s-flat.vmdk", url, (int)len - 5,
	         p.path);
	ck_assert_int_eq(unlink(path), 0);
	free(url);
	vs_ds_path_clear(&p);
}

/* A disk whose move back failed and that was then removed outside the
 * CPI does not block delete_vm for ever: there is nothing left to keep. */
START_TEST(test_svmotion_disk_gone)
{
	char *vm = create_vm("10.0.0.56"), *moved, *ds;
	json_t *cid_j;
	const char *cid;

	cid_j = attached_and_moved(&moved, vm);
	cid = json_string_value(cid_j);
	ds = vm_datastore(vm);
	block_disk_path(ds, cid, true);
	call_fails("delete_vm", json_pack("[s]", vm),
	           "Bosh::Clouds::CloudError", moved, true);
	block_disk_path(ds, cid, false);
	remove_disk_files(moved);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, vm), 0);
	ck_assert_uint_eq(disk_files(cid), 0);
	json_decref(cid_j);
	free(ds);
	free(moved);
	free(vm);
}
END_TEST

/* The same for detach_disk: the failed move is a CloudError naming the
 * file (ok_to_retry), and the retry finishes it. */
START_TEST(test_svmotion_detach_retry)
{
	char *vm = create_vm("10.0.0.55"), *moved, *ds;
	json_t *cid_j, *res;
	const char *cid;

	cid_j = attached_and_moved(&moved, vm);
	cid = json_string_value(cid_j);
	ds = vm_datastore(vm);
	block_disk_path(ds, cid, true);
	call_fails("detach_disk", json_pack("[s,s]", vm, cid),
	           "Bosh::Clouds::CloudError", moved, true);
	ck_assert(ds_file_exists(moved));
	block_disk_path(ds, cid, false);
	res = call_ok("detach_disk", json_pack("[s,s]", vm, cid));
	ck_assert(json_is_null(res));
	json_decref(res);
	ck_assert(!ds_file_exists(moved));
	ck_assert_uint_eq(disk_files(cid), 1);
	json_decref(call_ok("delete_vm", json_pack("[s]", vm)));
	json_decref(call_ok("delete_disk", json_pack("[s]", cid)));
	json_decref(cid_j);
	free(ds);
	free(moved);
	free(vm);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("disk_methods");
	TCase *tc = sim_fixture_tcase(180);

	tcase_add_test(tc, test_create_env_flow);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_delete_vm_round_trips);
	tcase_add_test(tc, test_enable_uuid_hint);
	tcase_add_test(tc, test_new_controller);
	tcase_add_test(tc, test_retry_repairs_env_iso);
	tcase_add_test(tc, test_svmotion_delete_vm);
	tcase_add_test(tc, test_svmotion_detach_disk);
	tcase_add_test(tc, test_svmotion_cannot_place_back);
	tcase_add_test(tc, test_svmotion_detach_retry);
	tcase_add_test(tc, test_svmotion_disk_gone);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return sim_fixture_main("check_disk_methods", true, suite);
}
