/*
 * check_stemcell_methods (simulator): create_stemcell and delete_stemcell
 * through the built binary against a fresh vcsim (tests/sim/run.sh; two
 * datastores, see check_stemcell_methods.flags), and stemcell replicas
 * made by two racing processes.
 *
 * Images are made at test time by tests/stemcell/make-image.sh (a tiny
 * real stemcell) and tests/data/import/make-bad-images.sh (broken ones);
 * images/progress holds an unpacked one whose disk is 8 MiB of random
 * data (streams in many chunks).
 * Every binary run gets its own TMPDIR, which must be empty afterwards.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "vsphere/fixture.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/stemcell.h"
#include "vsphere/vim.h"
#include "vsphere/vsphere.h"

#define FOLDER "DC0/vm/BOSH_Templates"
#define SUB "d-00000000-0000-0000-0000-000000000001"  /* sim_cpi_call's */

static char images[2048];
static char defcfg[4096];       /* the default config of sim_config() */
static char tmpdir[4096];
static struct vs_client *cl;
static struct err err;

/* A fresh, empty TMPDIR for the binary. */
static void
setup(void)
{
	static unsigned seq;
	const char *out = sim_env("CPI_TEST_OUTDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%.2000s/tmp-%ld-%u", out,
	         (long)getpid(), seq++);
	ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
	ck_assert_int_eq(setenv("TMPDIR", tmpdir, 1), 0);
	err_clear(&err);
	cl = sim_client_connect(NULL);
}

static void
teardown(void)
{
	vs_client_free(cl);
	cl = NULL;
}

/* The CPI's leftover journal (cpi/create_journal.h: state, not scratch,
 * kept in $TMPDIR without leftover_journal_dir) holding no entry. */
static bool
empty_journal(const char *name)
{
	char path[sizeof(tmpdir) + 300];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (strncmp(name, "vsphere-cpi-journal-", 20) != 0 ||
	    strlen(name) > 255)
		return false;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	d = opendir(path);
	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		     strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n == 0;
}

static void
assert_tmpdir_empty(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    !empty_journal(de->d_name)) {
			fprintf(stderr, "left behind: %s/%s\n", tmpdir,
			        de->d_name);
			n++;
		}
	}
	closedir(d);
	ck_assert_int_eq(n, 0);
}

static void
assert_no_secret(const struct cpi_test_run *r)
{
	const char *secrets[] = { SIM_MBUS_SECRET, SIM_BLOBSTORE_SECRET,
	                          sim_env("VCSIM_PASSWORD"),
	                          "vmware_soap_session", NULL };
	size_t i;

	for (i = 0; secrets[i] != NULL; i++) {
		ck_assert_msg(strstr(r->out, secrets[i]) == NULL,
		              "secret %zu on stdout", i);
		ck_assert_msg(strstr(r->err, secrets[i]) == NULL,
		              "secret %zu on stderr", i);
	}
}

/* create_stemcell's round trips on a fresh vCenter (the template folder
 * made), logout included: connect 2, the cluster, its datastores and its
 * datacenter's vmFolder 2, the folder 2 (its path, CreateFolder), import
 * spec and ImportVApp 2, the lease 1, the upload 1, HttpNfcLeaseComplete
 * 1, the snapshot and its wait 2, logout 1 (issue #18: at most 15; 19
 * while the NICs were removed after the import and the folder path was
 * looked up twice, "<dc>/vm" once). */
#define ROUND_TRIP_TARGET 14

static int last_trips = -1;     /* of the last call, from its log */

/* The round trips the binary reported for method, or -1. */
static int
round_trips(const struct cpi_test_run *r, const char *method)
{
	char key[64];
	const char *p = r->err;
	unsigned n;

	snprintf(key, sizeof(key), "%s: ", method);
	while (p != NULL && (p = strstr(p, key)) != NULL) {
		p += strlen(key);
		if (sscanf(p, "%u vCenter round trips", &n) == 1)
			return (int)n;
	}
	return -1;
}

/* Runs method with args (stolen) and returns the response. */
static json_t *
call(const char *config, const char *method, json_t *args)
{
	struct cpi_test_run r;
	json_t *resp;

	resp = sim_cpi_call(&r, config, method, args);
	json_decref(args);
	ck_assert_msg(resp != NULL, "%s: no JSON response (status %d): %s",
	              method, r.status, r.err);
	assert_no_secret(&r);
	last_trips = round_trips(&r, method);
	if (sim_error_type(resp) != NULL)
		fprintf(stderr, "%s: %s\n", method,
		        json_string_value(json_object_get(json_object_get(
		        resp, "error"), "message")));
	cpi_test_run_clear(&r);
	return resp;
}

static const char *
image(const char *name)
{
	static char path[4096];

	ck_assert_uint_lt(strlen(name), 1024);
	snprintf(path, sizeof(path), "%s/%.1023s", images, name);
	return path;
}

/* create_stemcell of image file name; returns the cid (malloc'd). */
static char *
create_ok(const char *name)
{
	json_t *resp = call(defcfg, "create_stemcell",
	                    json_pack("[s,{}]", image(name)));
	const char *cid;
	char *dup;

	ck_assert_ptr_null(sim_error_type(resp));
	cid = json_string_value(json_object_get(resp, "result"));
	ck_assert_ptr_nonnull(cid);
	ck_assert_msg(vs_stemcell_cid_valid(cid), "bad cid %s", cid);
	fprintf(stderr, "create_stemcell: %d round trips (target <= %d)\n",
	        last_trips, ROUND_TRIP_TARGET);
	ck_assert_int_gt(last_trips, 0);
	ck_assert_int_le(last_trips, ROUND_TRIP_TARGET);
	dup = strdup(cid);
	json_decref(resp);
	assert_tmpdir_empty();
	return dup;
}

static void
delete_ok(const char *cid)
{
	json_t *resp = call(defcfg, "delete_stemcell",
	                    json_pack("[s]", cid));

	ck_assert_ptr_null(sim_error_type(resp));
	ck_assert(json_is_null(json_object_get(resp, "result")));
	json_decref(resp);
}

/* Names of the VMs in the template folder (0 when it does not exist). */
static size_t
folder_vms(struct vs_objects **out)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_moref folder;
	int rc;

	*out = NULL;
	err_clear(&err);
	rc = vs_find_by_inventory_path(&folder, cl, FOLDER, &err);
	if (rc == ERR_ENOTFOUND)
		return 0;
	ck_assert_msg(rc == 0, "%s", err.message);
	{
		struct vs_selection_spec ts = {
			.name = "c", .type = "Folder", .path = "childEntity",
		};
		struct vs_property_spec ps = { .type = "VirtualMachine",
		                               .paths = paths };
		struct vs_object_spec os = { .obj = folder, .skip = true,
		                             .select = &ts, .nselect = 1 };
		struct vs_pc_query q;

		memset(&q, 0, sizeof(q));
		q.spec.props = &ps;
		q.spec.nprops = 1;
		q.spec.objects = &os;
		q.spec.nobjects = 1;
		ck_assert_msg(vs_pc_retrieve(out, cl, &q, &err) == 0, "%s",
		              err.message);
	}
	return (*out)->n;
}

static size_t
count_named(const char *prefix, bool exact)
{
	struct vs_objects *list = NULL;
	struct err e;
	const char *name;
	size_t i, n = 0;

	folder_vms(&list);
	for (i = 0; list != NULL && i < list->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&name, &list->items[i], "name", &e) != 0)
			continue;
		if (exact ? strcmp(name, prefix) == 0
		          : strncmp(name, prefix, strlen(prefix)) == 0)
			n++;
	}
	vs_objects_free(list);
	return n;
}

static struct vs_object *
vm_props(const char *cid)
{
	static const char *const paths[] = {
		"config.hardware.device", "snapshot", "runtime.powerState",
		"config.template", "datastore", NULL,
	};
	struct vs_object *o = NULL;
	struct vs_moref vm;
	char path[512];

	snprintf(path, sizeof(path), FOLDER "/%s", cid);
	err_clear(&err);
	ck_assert_msg(vs_find_by_inventory_path(&vm, cl, path, &err) == 0,
	              "%s", err.message);
	ck_assert_msg(vs_get_props(&o, cl, &vm, paths, &err) == 0, "%s",
	              err.message);
	return o;
}

static bool
file_has(const char *path, const char *needle)
{
	struct err e = { 0 };
	char *text = NULL;
	size_t len;
	bool has;

	ck_assert_int_eq(vs_fixture_read_file(&text, &len, path, 65536, &e),
	                 0);
	has = strstr(text, needle) != NULL;
	free(text);
	return has;
}

static bool
vm_exists(const char *cid)
{
	struct vs_moref vm;
	char path[512];
	int rc;

	snprintf(path, sizeof(path), FOLDER "/%s", cid);
	err_clear(&err);
	rc = vs_find_by_inventory_path(&vm, cl, path, &err);
	ck_assert_msg(rc == 0 || rc == ERR_ENOTFOUND, "%s", err.message);
	return rc == 0;
}

static void
assert_stemcell_vm(const char *cid)
{
	struct vs_object *o = vm_props(cid);
	struct vs_devices *devs = NULL;
	const char *state;
	xmlNodePtr snap;
	bool tmpl = true;
	size_t i, nics = 0, cdroms = 0, disks = 0;

	ck_assert_int_eq(vs_object_get_devices(&devs, o,
	                 "config.hardware.device", &err), 0);
	for (i = 0; i < devs->n; i++) {
		if (vs_device_is_nic(&devs->items[i]))
			nics++;
		if (strcmp(devs->items[i].type, "VirtualCdrom") == 0)
			cdroms++;
		if (strcmp(devs->items[i].type, "VirtualDisk") == 0)
			disks++;
	}
	ck_assert_uint_eq(nics, 0);
	ck_assert_uint_eq(cdroms, 1);
	ck_assert_uint_eq(disks, 1);
	ck_assert_int_eq(vs_object_get_node(&snap, o, "snapshot", &err), 0);
	ck_assert_ptr_nonnull(vs_xml_child(snap, "currentSnapshot"));
	ck_assert_int_eq(vs_object_get_str(&state, o, "runtime.powerState",
	                                   &err), 0);
	ck_assert_str_eq(state, "poweredOff");
	ck_assert_int_eq(vs_object_get_bool(&tmpl, o, "config.template",
	                                    &err), 0);
	ck_assert(!tmpl);
	vs_devices_free(devs);
	vs_object_free(o);
}

START_TEST(test_create_delete)
{
	char *cid = create_ok("image");

	assert_stemcell_vm(cid);
	delete_ok(cid);
	ck_assert(!vm_exists(cid));
	/* already gone: still success */
	delete_ok(cid);
	ck_assert_uint_eq(count_named(cid, false), 0);
	free(cid);
}
END_TEST

START_TEST(test_create_ova)
{
	char *cid = create_ok("image-ova");

	assert_stemcell_vm(cid);
	delete_ok(cid);
	ck_assert(!vm_exists(cid));
	free(cid);
}
END_TEST

static const char *const bad[] = {
	"bad/not-gzip", "bad/no-ovf", "bad/missing-disk", "bad/traversal",
	"bad/truncated",
};

START_TEST(test_bad_image)
{
	size_t before = count_named("sc-", false);
	json_t *resp = call(defcfg, "create_stemcell",
	                    json_pack("[s,{}]", image(bad[_i])));
	const json_t *e = json_object_get(resp, "error");
	const char *msg;

	ck_assert_ptr_nonnull(sim_error_type(resp));
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert(json_is_false(json_object_get(e, "ok_to_retry")));
	msg = json_string_value(json_object_get(e, "message"));
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, "create_stemcell") != NULL, "%s", msg);
	ck_assert(json_object_get(resp, "result") == NULL ||
	          json_is_null(json_object_get(resp, "result")));
	json_decref(resp);
	ck_assert_uint_eq(count_named("sc-", false), before);
	assert_tmpdir_empty();
}
END_TEST

static void
create_fails_with_pattern(const char *pattern, const char *type,
                          const char *needle)
{
	size_t before = count_named("sc-", false);
	json_t *extra = json_pack("{s:[{s:s,s:s,s:s,s:s,s:s,s:s,s:[s]}]}",
	                          "datacenters", "name", "DC0",
	                          "vm_folder", "BOSH_VMs",
	                          "template_folder", "BOSH_Templates",
	                          "disk_path", "BOSH_Disks",
	                          "datastore_pattern", pattern,
	                          "persistent_datastore_pattern", "^LocalDS_",
	                          "clusters", "DC0_C0");
	const char *config = sim_config(extra);
	json_t *resp = call(config, "create_stemcell",
	                    json_pack("[s,{}]", image("image")));
	const char *msg;

	json_decref(extra);
	ck_assert_ptr_nonnull(sim_error_type(resp));
	ck_assert_str_eq(sim_error_type(resp), type);
	msg = json_string_value(json_object_get(json_object_get(resp,
	                        "error"), "message"));
	ck_assert_msg(msg != NULL && strstr(msg, needle) != NULL, "%s", msg);
	json_decref(resp);
	ck_assert_uint_eq(count_named("sc-", false), before);
	assert_tmpdir_empty();
}

START_TEST(test_bad_pattern)
{
	/* refused when the config is loaded, naming the key */
	create_fails_with_pattern("([", "Bosh::Clouds::CpiError",
	                          "datacenters[0].datastore_pattern: not a "
	                          "valid regular expression");
}
END_TEST

START_TEST(test_no_datastore)
{
	create_fails_with_pattern("^NoSuchDatastore$",
	                          "Bosh::Clouds::CloudError", "no accessible "
	                          "datastore");
}
END_TEST

START_TEST(test_delete_bad_cid)
{
	json_t *resp = call(defcfg, "delete_stemcell",
	                    json_pack("[s]", "sc-../../DC0_C0_RP0_VM0"));

	ck_assert_ptr_nonnull(sim_error_type(resp));
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	json_decref(resp);
}
END_TEST

START_TEST(test_sub_folder)
{
	json_t *extra = json_pack("{s:[{s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:b}]}",
	                          "datacenters", "name", "DC0",
	                          "vm_folder", "BOSH_VMs",
	                          "template_folder", "BOSH_Templates",
	                          "disk_path", "BOSH_Disks",
	                          "datastore_pattern", "^LocalDS_",
	                          "persistent_datastore_pattern", "^LocalDS_",
	                          "clusters", "DC0_C0", "use_sub_folder", 1);
	char config[4096], path[512];
	const char *cid;
	struct vs_moref vm;
	json_t *resp, *del;

	snprintf(config, sizeof(config), "%s", sim_config(extra));
	json_decref(extra);
	resp = call(config, "create_stemcell",
	            json_pack("[s,{}]", image("image")));
	ck_assert_ptr_null(sim_error_type(resp));
	cid = json_string_value(json_object_get(resp, "result"));
	ck_assert_ptr_nonnull(cid);
	/* in the director's sub folder, not directly in BOSH_Templates */
	ck_assert(!vm_exists(cid));
	snprintf(path, sizeof(path), FOLDER "/" SUB "/%s", cid);
	err_clear(&err);
	ck_assert_msg(vs_find_by_inventory_path(&vm, cl, path, &err) == 0,
	              "%s", err.message);
	/* create_vm finds the stemcell there and puts the VM in the
	 * director's sub folder of BOSH_VMs; delete_vm finds it again. */
	{
		json_t *cvm, *dvm;
		const char *vm_cid;
		char vm_path[512];

		cvm = call(config, "create_vm",
		           json_pack("[s,s,{s:i,s:i,s:i},{s:{s:s,s:s,s:s,"
		                     "s:s,s:[s,s],s:{s:s}}},[],{}]",
		                     "agent-1", cid, "cpu", 1, "ram", 512,
		                     "disk", 1024, "private", "type",
		                     "manual", "ip", "10.0.0.10", "netmask",
		                     "255.255.255.0", "gateway", "10.0.0.1",
		                     "default", "dns", "gateway",
		                     "cloud_properties", "name",
		                     "VM Network"));
		ck_assert_msg(sim_error_type(cvm) == NULL, "%s",
		              json_string_value(json_object_get(
		                  json_object_get(cvm, "error"), "message")));
		vm_cid = json_string_value(json_array_get(
		    json_object_get(cvm, "result"), 0));
		ck_assert_ptr_nonnull(vm_cid);
		snprintf(vm_path, sizeof(vm_path), "DC0/vm/BOSH_VMs/" SUB
		         "/%s", vm_cid);
		err_clear(&err);
		ck_assert_msg(vs_find_by_inventory_path(&vm, cl, vm_path,
		                                        &err) == 0,
		              "%s", err.message);
		dvm = call(config, "delete_vm", json_pack("[s]", vm_cid));
		ck_assert_ptr_null(sim_error_type(dvm));
		json_decref(dvm);
		json_decref(cvm);
	}
	del = call(config, "delete_stemcell", json_pack("[s]", cid));
	ck_assert_ptr_null(sim_error_type(del));
	json_decref(del);
	err_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&vm, cl, path, &err),
	                 ERR_ENOTFOUND);
	json_decref(resp);
	assert_tmpdir_empty();
}
END_TEST

/* --- replicas ---------------------------------------------------------- */

struct replica_answer {
	int rc;
	struct vs_moref vm;
	struct vs_moref snap;
	char message[256];
};

static void
replica_in_child(int fd, const char *cid, const struct vs_moref *ds,
                 const struct vs_moref *pool)
{
	struct vs_stemcell_loc loc = { "DC0", "BOSH_Templates" };
	struct replica_answer a;
	struct vs_client *c;
	struct err e;

	memset(&a, 0, sizeof(a));
	err_clear(&e);
	c = sim_client_connect(NULL);
	a.rc = vs_stemcell_replica(&a.vm, &a.snap, NULL, c, &loc, cid, ds,
	                           pool, &e);
	snprintf(a.message, sizeof(a.message), "%.255s", e.message);
	vs_client_free(c);
	if (write(fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
		_exit(2);
	_exit(0);
}

START_TEST(test_replica_race)
{
	static const char *const ds_paths[] = { "name", NULL };
	struct vs_stemcell_loc loc = { "DC0", "BOSH_Templates" };
	struct replica_answer a[2];
	struct vs_objects *dss = NULL;
	const struct vs_moref *sc_ds;
	struct vs_moref other, pool, dc, vm, snap;
	struct vs_object *o;
	char *cid = create_ok("image");
	char name[128];
	size_t nds, i;
	int fds[2][2], status;
	pid_t pid[2];

	o = vm_props(cid);
	ck_assert_int_eq(vs_object_get_morefs(&sc_ds, &nds, o, "datastore",
	                                      &err), 0);
	ck_assert_uint_eq(nds, 1);
	ck_assert_int_eq(vs_find_by_inventory_path(&dc, cl, "DC0", &err), 0);
	ck_assert_int_eq(vs_pc_list(&dss, cl, &dc, "Datastore", ds_paths,
	                            &err), 0);
	memset(&other, 0, sizeof(other));
	for (i = 0; i < dss->n; i++) {
		if (strcmp(dss->items[i].obj.value, sc_ds[0].value) != 0)
			other = dss->items[i].obj;
	}
	ck_assert_msg(other.value[0] != '\0', "needs two datastores");
	ck_assert_int_eq(vs_find_by_inventory_path(&pool, cl,
	                 "DC0/host/DC0_C0/Resources", &err), 0);

	/* On the stemcell's own datastore the stemcell itself serves. */
	err_clear(&err);
	ck_assert_msg(vs_stemcell_replica(&vm, &snap, NULL, cl, &loc, cid,
	              &sc_ds[0], &pool, &err) == 0, "%s", err.message);
	ck_assert_str_eq(vm.value, o->obj.value);
	ck_assert_str_eq(snap.type, "VirtualMachineSnapshot");

	/* Two processes race for the replica on the other datastore. */
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			close(fds[i][0]);
			replica_in_child(fds[i][1], cid, &other, &pool);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(read(fds[i][0], &a[i], sizeof(a[i])),
		                 (ssize_t)sizeof(a[i]));
		close(fds[i][0]);
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_msg(a[i].rc == 0, "child %zu: %s", i,
		              a[i].message);
	}
	ck_assert_str_eq(a[0].vm.value, a[1].vm.value);
	ck_assert_str_eq(a[0].snap.value, a[1].snap.value);
	ck_assert_str_ne(a[0].vm.value, o->obj.value);
	ck_assert_int_eq(vs_stemcell_replica_name(name, sizeof(name), cid,
	                                          other.value, &err), 0);
	ck_assert_ptr_null(strchr(name, '/'));
	ck_assert_uint_eq(count_named(name, true), 1);

	/* A third call finds it. */
	ck_assert_msg(vs_stemcell_replica(&vm, &snap, NULL, cl, &loc, cid,
	              &other, &pool, &err) == 0, "%s", err.message);
	ck_assert_str_eq(vm.value, a[0].vm.value);

	delete_ok(cid);
	ck_assert_uint_eq(count_named(cid, false), 0);
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_replica(&vm, &snap, NULL, cl, &loc, cid,
	                 &other, &pool, &err), ERR_ENOTFOUND);
	vs_objects_free(dss);
	vs_object_free(o);
	free(cid);
}
END_TEST

/* A disk streaming while the lease hears from us.  With a tiny progress
 * interval each of curl's progress callbacks sends HttpNfcLeaseProgress
 * on the transport's second connection while the upload runs on the
 * first; the simulator takes them and the import completes.  The client
 * records: the calls come out nested, numbered before the upload. */
START_TEST(test_lease_progress_during_upload)
{
	static const struct vs_stemcell_cluster cluster = { "DC0_C0", NULL };
	struct vs_stemcell_loc loc = { "DC0", "BOSH_Templates" };
	struct vs_stemcell_import imp;
	struct vs_fixture_entry *e = NULL;
	struct vs_client *rec;
	char cid[VS_STEMCELL_CID_MAX], ovf[4096], dir[4096], meta[8192];
	size_t n = 0, i, upload = 0, nested = 0;
	bool found = false;

	snprintf(ovf, sizeof(ovf), "%s/progress/image.ovf", images);
	memset(&imp, 0, sizeof(imp));
	imp.loc = loc;
	imp.clusters = &cluster;
	imp.nclusters = 1;
	imp.ovf_path = ovf;
	imp.progress_interval_s = 1e-6;
	rec = sim_client_connect("lease-progress");
	ck_assert_msg(vs_stemcell_create(cid, rec, &imp, &err) == 0, "%s",
	              err.message);
	vs_client_free(rec);

	snprintf(dir, sizeof(dir), "%s/lease-progress",
	         sim_env("CPI_TEST_OUTDIR"));
	ck_assert_int_eq(vs_fixture_list(&e, &n, dir, false, &err), 0);
	for (i = 0; i < n; i++) {
		if (strstr(e[i].name, "-nfc-upload") != NULL)
			upload = i;
	}
	ck_assert_uint_gt(upload, 0);
	for (i = 0; i < n; i++) {
		snprintf(meta, sizeof(meta), "%s/%s.meta", dir, e[i].name);
		if (!file_has(meta, "\nnested yes\n"))
			continue;
		ck_assert_msg(strstr(e[i].name, "-HttpNfcLeaseProgress") !=
		              NULL, "%s nested", e[i].name);
		ck_assert_msg(i < upload, "%s after the upload", e[i].name);
		nested++;
	}
	free(e);
	ck_assert_msg(nested >= 1, "no lease progress during the upload");
	ck_assert_int_eq(vs_stemcell_delete(&found, cl, &loc, cid, &err), 0);
	ck_assert(found);
	ck_assert(!vm_exists(cid));
}
END_TEST

static void
make_images(void)
{
	const char *root = getenv("CPI_TEST_ROOT");
	const char *out = getenv("CPI_TEST_OUTDIR");
	char cmd[16384];

	if (root == NULL)
		root = ".";
	if (strlen(root) > 2000) {
		fprintf(stderr, "CPI_TEST_ROOT too long\n");
		exit(1);
	}
	/* No ck_assert here: this runs outside any test. */
	if (out == NULL || out[0] == '\0') {
		fprintf(stderr, "CPI_TEST_OUTDIR is not set\n");
		exit(1);
	}
	snprintf(images, sizeof(images), "%.2000s/images", out);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/stemcell/make-image.sh' "
	         "'%s' && sh '%s/tests/data/import/make-bad-images.sh' "
	         "'%s/bad' '%s' && sh '%s/tests/stemcell/make-random-image.sh'"
	         " '%s/stage' '%s/progress' 8", root, images, root, images,
	         images, root, images, images);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make the test images\n");
		exit(1);
	}
}

static Suite *
suite(void)
{
	Suite *s = suite_create("stemcell_methods");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_delete);
	tcase_add_test(tc, test_create_ova);
	tcase_add_loop_test(tc, test_bad_image, 0,
	                    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_bad_pattern);
	tcase_add_test(tc, test_no_datastore);
	tcase_add_test(tc, test_delete_bad_cid);
	tcase_add_test(tc, test_sub_folder);
	tcase_add_test(tc, test_replica_race);
	tcase_add_test(tc, test_lease_progress_during_upload);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (!sim_available()) {
		fprintf(stderr, "check_stemcell_methods: no simulator "
		        "(run through tests/sim/run.sh)\n");
		return 1;
	}
	make_images();
	if (sim_config(NULL) == NULL) {
		fprintf(stderr, "cannot write the config\n");
		return 1;
	}
	snprintf(defcfg, sizeof(defcfg), "%s", sim_config(NULL));
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
