/*
 * check_vm_methods (simulator): has_vm, delete_vm, reboot_vm and
 * set_vm_metadata through the real cpi binary (tests/support/sim_cpi.h)
 * against the fresh vcsim of tests/sim/run.sh.
 *
 * VMs are prepared with the vsphere layer directly: a clone of the
 * simulator's DC0_H0_VM0 named vm-<uuid> in DC0/vm/BOSH_VMs and, for the
 * disk case, "[LocalDS_0] BOSH_Disks/disk-<uuid>.vmdk" made with
 * CreateVirtualDisk_Task and attached with ReconfigVM_Task.  Every call's
 * stdout and stderr is checked for the config's secrets.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/sim_cpi.h"
#include "tests/support/sim_fixture.h"
#include "tests/support/sim_ruby.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"


/* "vm-<random uuid>" into buf. */
static void
new_cid(char *buf, size_t size, const char *prefix)
{
	static unsigned seq;
	unsigned long r = (unsigned long)time(NULL) ^
	                  ((unsigned long)getpid() << 16) ^ (seq++ * 7919u);

	snprintf(buf, size, "%s-%08lx-%04x-4%03x-8%03x-%012lx", prefix,
	         r & 0xffffffffUL, seq & 0xffffu, (unsigned)(r >> 3) & 0xfffu,
	         (unsigned)(r >> 7) & 0xfffu,
	         (unsigned long)((r * 2654435761UL) & 0xffffffffffffUL));
}

/* --- the cpi binary ------------------------------------------------------ */

static void
no_secrets(const struct cpi_test_run *run, const char *what)
{
	const char *secrets[] = {
		SIM_MBUS_SECRET, SIM_BLOBSTORE_SECRET,
		getenv("VCSIM_PASSWORD"),
	};
	size_t i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		ck_assert_msg(strstr(run->out, secrets[i]) == NULL,
		              "%s: secret %zu on stdout", what, i);
		ck_assert_msg(strstr(run->err, secrets[i]) == NULL,
		              "%s: secret %zu on stderr", what, i);
	}
}

/* Calls method (args stolen); the response (new reference) is checked
 * for leaks and for exit status 0. */
static json_t *
call(const char *method, json_t *args)
{
	struct cpi_test_run run = { 0 };
	const char *config = sim_config(NULL);
	json_t *resp;

	ck_assert_ptr_nonnull(config);
	ck_assert_ptr_nonnull(args);
	resp = sim_cpi_call(&run, config, method, args);
	json_decref(args);
	ck_assert_msg(resp != NULL, "%s: no response (exit %d): %s", method,
	              run.status, run.err != NULL ? run.err : "");
	no_secrets(&run, method);
	cpi_test_run_clear(&run);
	return resp;
}

static void
expect_ok(json_t *resp, const char *method)
{
	const json_t *e = json_object_get(resp, "error");

	ck_assert_msg(sim_error_type(resp) == NULL, "%s: %s: %s", method,
	              sim_error_type(resp),
	              json_string_value(json_object_get(e, "message")));
}

static void
expect_error(json_t *resp, const char *type)
{
	const char *t = sim_error_type(resp);

	ck_assert_msg(t != NULL && strcmp(t, type) == 0, "expected %s, got "
	              "%s", type, t != NULL ? t : "success");
}

static bool
has_vm(const char *cid)
{
	json_t *resp = call("has_vm", json_pack("[s]", cid));
	const json_t *r;
	bool found;

	expect_ok(resp, "has_vm");
	r = json_object_get(resp, "result");
	ck_assert(json_is_boolean(r));
	found = json_is_true(r);
	json_decref(resp);
	return found;
}

/* --- preparing VMs with the vsphere layer -------------------------------- */

static void
find_ok(struct vs_moref *out, const char *path)
{
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_folder_find(out, sim_fx.cl, path, &sim_fx.err) == 0,
	              "%s: %s", path, sim_fx.err.message);
}

/* Clones DC0_H0_VM0 into DC0/vm/BOSH_VMs as name (powered off). */
static void
make_vm(struct vs_moref *out, const char *name, bool power_on)
{
	struct vs_moref src, folder, pool, ds;
	struct vs_vm_info *info = NULL;
	struct vs_clone_spec cs;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	char path[512];

	find_ok(&src, "DC0/vm/DC0_H0_VM0");
	find_ok(&pool, "DC0/host/DC0_H0/Resources");
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_folder_ensure(&folder, sim_fx.cl, "DC0", "BOSH_VMs",
	                               &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, &src, &sim_fx.err) == 0,
	              "%s", sim_fx.err.message);
	ck_assert_uint_ge(info->ndatastores, 1);
	ds = info->datastores[0].ref;
	vs_vm_info_free(info);

	memset(&cs, 0, sizeof(cs));
	cs.location.folder = &folder;
	cs.location.datastore = &ds;
	cs.location.pool = &pool;
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "CloneVM_Task", &src,
	                                     &sim_fx.err), 0);
	vs_soap_add_moref(m, "folder", &folder);
	vs_soap_add_text(m, "name", name);
	ck_assert_int_eq(vs_add_clone_spec(m, "spec", &cs, &sim_fx.err), 0);
	ck_assert_msg(vs_task_call(NULL, sim_fx.cl, req, 60,
	                           &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	snprintf(path, sizeof(path), "DC0/vm/BOSH_VMs/%s", name);
	ck_assert_msg(vs_vm_find(out, sim_fx.cl, path, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	if (power_on)
		ck_assert_msg(vs_vm_power_on(sim_fx.cl, out, &sim_fx.err) == 0,
		              "%s", sim_fx.err.message);
}

static int
power_of(const struct vs_moref *vm)
{
	struct vs_vm_info *info = NULL;
	int p;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, vm, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	p = info->power;
	vs_vm_info_free(info);
	return p;
}

/* Attaches an existing disk file to vm's SCSI controller. */
static void
attach_disk(const struct vs_moref *vm, const char *ds_path)
{
	struct vs_vm_info *info = NULL;
	int ctrl = 0;
	size_t i;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_info(&info, sim_fx.cl, vm, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (d->kind == VS_VM_DEV_CONTROLLER &&
		    strstr(d->type, "SCSI") != NULL && ctrl == 0)
			ctrl = d->key;
	}
	vs_vm_info_free(info);
	ck_assert_int_ne(ctrl, 0);
	sim_ruby_attach_file(sim_fx.cl, vm, ctrl, ds_path);
}

/* 0 when ds_path exists (datastore HTTP GET), ERR_ENOTFOUND when not. */
static int
file_state(const char *ds_path)
{
	char *body = NULL;
	size_t len = 0;
	int rc;

	err_clear(&sim_fx.err);
	rc = vs_file_download_mem(&body, &len, sim_fx.cl, "DC0", ds_path,
	                          &sim_fx.err);
	free(body);
	ck_assert_msg(rc == 0 || rc == ERR_ENOTFOUND, "%s: %s", ds_path,
	              sim_fx.err.message);
	return rc;
}

static size_t
requests_seen(void)
{
	const char *dir = getenv("VCSIM_REQUEST_DIR");
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if (dir == NULL || dir[0] == '\0')
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".request") != NULL)
			n++;
	}
	closedir(d);
	return n;
}

/* --- tests ---------------------------------------------------------------- */

START_TEST(test_has_vm)
{
	struct vs_moref vm;
	char cid[64], missing[64], more[64];
	size_t before, after, i;

	new_cid(cid, sizeof(cid), "vm");
	new_cid(missing, sizeof(missing), "vm");
	make_vm(&vm, cid, false);
	before = requests_seen();
	ck_assert(has_vm(cid));
	after = requests_seen();
	if (getenv("VCSIM_REQUEST_DIR") == NULL) {
		ck_assert(!has_vm(missing));
		return;
	}
	/* the common case, a VM at its path: RetrieveServiceContent,
	 * Login, FindByInventoryPath, Logout */
	printf("has_vm: %zu round trips\n", after - before);
	ck_assert_uint_eq(after - before, 4);
	/* false only after the datacenter was looked up and one read from
	 * it walked its VM folders: no VM of the name, vm_folder there */
	before = requests_seen();
	ck_assert(!has_vm(missing));
	after = requests_seen();
	printf("has_vm: %zu round trips for a missing VM\n", after - before);
	ck_assert_uint_eq(after - before, 6);
	/* the same with many more VMs around */
	for (i = 0; i < 25; i++) {
		new_cid(more, sizeof(more), "vm");
		make_vm(&vm, more, false);
	}
	before = requests_seen();
	ck_assert(has_vm(cid));
	after = requests_seen();
	printf("has_vm: %zu round trips with 25 more VMs\n", after - before);
	ck_assert_uint_eq(after - before, 4);
}
END_TEST

START_TEST(test_has_vm_bad_cid)
{
	static const char *const bad[] = {
		"", "vm/../x", "vm x", "vm-1%2f", "..", "DC0_H0_VM0\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *resp = call("has_vm", json_pack("[s]", bad[i]));

		expect_error(resp, "Bosh::Clouds::CloudError");
		json_decref(resp);
	}
}
END_TEST

START_TEST(test_delete_missing_vm)
{
	char cid[64];
	json_t *resp;

	new_cid(cid, sizeof(cid), "vm");
	resp = call("delete_vm", json_pack("[s]", cid));
	expect_error(resp, "Bosh::Clouds::VMNotFound");
	json_decref(resp);
}
END_TEST

START_TEST(test_delete_keeps_persistent_disk)
{
	struct vs_moref vm;
	char cid[64], disk[64], disk_path[128], vmx[160], env_iso[160];
	json_t *resp;

	new_cid(cid, sizeof(cid), "vm");
	new_cid(disk, sizeof(disk), "disk");
	snprintf(disk_path, sizeof(disk_path),
	         "[LocalDS_0] BOSH_Disks/%s.vmdk", disk);
	snprintf(vmx, sizeof(vmx), "[LocalDS_0] %s/%s.vmx", cid, cid);
	snprintf(env_iso, sizeof(env_iso), "[LocalDS_0] %s/env.iso", cid);
	make_vm(&vm, cid, true);
	/* a disk file ("[LocalDS_0] BOSH_Disks/x.vmdk", its directory made) */
	sim_ruby_disk_file(sim_fx.cl, disk_path);
	attach_disk(&vm, disk_path);
	err_clear(&sim_fx.err);
	ck_assert_msg(vs_file_upload_mem(sim_fx.cl, "DC0", env_iso, "iso", 3,
	                                 true, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ck_assert_int_eq(file_state(disk_path), 0);
	ck_assert_int_eq(file_state(vmx), 0);
	ck_assert_int_eq(file_state(env_iso), 0);

	resp = call("delete_vm", json_pack("[s]", cid));
	expect_ok(resp, "delete_vm");
	ck_assert(json_is_null(json_object_get(resp, "result")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(resp,
	                      "log")), disk));    /* the detach is logged */
	json_decref(resp);

	ck_assert(!has_vm(cid));
	ck_assert_int_eq(file_state(disk_path), 0);     /* survived */
	ck_assert_int_eq(file_state(vmx), ERR_ENOTFOUND);
	ck_assert_int_eq(file_state(env_iso), ERR_ENOTFOUND);

	resp = call("delete_vm", json_pack("[s]", cid));
	expect_error(resp, "Bosh::Clouds::VMNotFound");
	json_decref(resp);
}
END_TEST

START_TEST(test_delete_powered_off_vm)
{
	struct vs_moref vm;
	char cid[64];
	json_t *resp;

	new_cid(cid, sizeof(cid), "vm");
	make_vm(&vm, cid, false);
	resp = call("delete_vm", json_pack("[s]", cid));
	expect_ok(resp, "delete_vm");
	json_decref(resp);
	ck_assert(!has_vm(cid));
}
END_TEST

START_TEST(test_reboot)
{
	struct vs_moref vm, off;
	char cid[64], cid_off[64], missing[64];
	json_t *resp;

	new_cid(cid, sizeof(cid), "vm");
	new_cid(cid_off, sizeof(cid_off), "vm");
	new_cid(missing, sizeof(missing), "vm");
	make_vm(&vm, cid, true);
	resp = call("reboot_vm", json_pack("[s]", cid));
	expect_ok(resp, "reboot_vm");
	/* the simulator has no RebootGuest: the reset fallback ran */
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(resp,
	                      "log")), "reset"));
	json_decref(resp);
	ck_assert_int_eq(power_of(&vm), VS_VM_POWERED_ON);

	make_vm(&off, cid_off, false);
	ck_assert_int_eq(power_of(&off), VS_VM_POWERED_OFF);
	resp = call("reboot_vm", json_pack("[s]", cid_off));
	expect_ok(resp, "reboot_vm");
	json_decref(resp);
	ck_assert_int_eq(power_of(&off), VS_VM_POWERED_ON);

	resp = call("reboot_vm", json_pack("[s]", missing));
	expect_error(resp, "Bosh::Clouds::VMNotFound");
	json_decref(resp);
}
END_TEST

static void
expect_field(const struct vs_moref *vm, const char *name, const char *want)
{
	char *v = NULL;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_vm_get_custom_field(&v, sim_fx.cl, vm, name,
	                                     &sim_fx.err) == 0,
	              "%s: %s", name, sim_fx.err.message);
	ck_assert_str_eq(v, want);
	free(v);
}

START_TEST(test_set_metadata)
{
	struct vs_moref vm;
	char cid[64], missing[64];
	json_t *resp;

	new_cid(cid, sizeof(cid), "vm");
	new_cid(missing, sizeof(missing), "vm");
	make_vm(&vm, cid, true);
	resp = call("set_vm_metadata", json_pack("[s,{s:s,s:i,s:b,s:s}]", cid,
	            "director", "first", "index", 0, "compiling", 1,
	            "name", "router/0 & <1>"));
	expect_ok(resp, "set_vm_metadata");
	json_decref(resp);
	expect_field(&vm, "director", "first");
	expect_field(&vm, "index", "0");
	expect_field(&vm, "compiling", "true");
	expect_field(&vm, "name", "router/0 & <1>");

	resp = call("set_vm_metadata", json_pack("[s,{s:s}]", cid,
	            "director", "second"));
	expect_ok(resp, "set_vm_metadata");
	json_decref(resp);
	expect_field(&vm, "director", "second");
	expect_field(&vm, "index", "0");

	resp = call("set_vm_metadata", json_pack("[s,{s:[s]}]", cid,
	            "director", "x"));
	expect_error(resp, "Bosh::Clouds::CpiError");
	json_decref(resp);
	resp = call("set_vm_metadata", json_pack("[s,{s:n}]", cid,
	            "director"));
	expect_error(resp, "Bosh::Clouds::CpiError");
	json_decref(resp);
	expect_field(&vm, "director", "second");

	resp = call("set_vm_metadata", json_pack("[s,{s:s}]", missing,
	            "director", "x"));
	expect_error(resp, "Bosh::Clouds::VMNotFound");
	json_decref(resp);
}
END_TEST

static Suite *
vm_methods_suite(void)
{
	Suite *s = suite_create("vm_methods");
	TCase *tc = sim_fixture_tcase(120);

	tcase_add_test(tc, test_has_vm);
	tcase_add_test(tc, test_has_vm_bad_cid);
	tcase_add_test(tc, test_delete_missing_vm);
	tcase_add_test(tc, test_delete_keeps_persistent_disk);
	tcase_add_test(tc, test_delete_powered_off_vm);
	tcase_add_test(tc, test_reboot);
	tcase_add_test(tc, test_set_metadata);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return sim_fixture_main("check_vm_methods", false, vm_methods_suite);
}
