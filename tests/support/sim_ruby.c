/*
 * tests/support/sim_ruby.c: Ruby-CPI-made objects (sim_ruby.h).
 */
#include "tests/support/sim_ruby.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/create.h"
#include "vsphere/files.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"

void
sim_ruby_disk_cid(char *out, size_t size, const char *name,
                  const char *pattern)
{
	struct err err;
	char json[512], *b64 = NULL, *p;
	const char *q;
	int n;

	/* a JSON string: '\\' and '"' escaped */
	n = snprintf(json, sizeof(json), "{\"target_datastore_pattern\":\"");
	for (q = pattern; *q != '\0' && n < (int)sizeof(json) - 4; q++) {
		if (*q == '\\' || *q == '"')
			json[n++] = '\\';
		json[n++] = *q;
	}
	ck_assert_int_lt(n, (int)sizeof(json) - 3);
	json[n++] = '"';
	json[n++] = '}';
	json[n] = '\0';
	err_clear(&err);
	ck_assert_int_eq(vs_base64(&b64, json, strlen(json), &err), 0);
	/* Ruby's Base64.urlsafe_encode64: '-' and '_', padding kept */
	for (p = b64; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	n = snprintf(out, size, "%s.%s", name, b64);
	ck_assert(n > 0 && (size_t)n < size);
	free(b64);
}

static void
run_task(struct vs_client *cl, xmlDocPtr req, struct vs_moref *result)
{
	struct vs_task_result res;
	struct err err;

	err_clear(&err);
	ck_assert_msg(vs_task_call(&res, cl, req, 120, &err) == 0, "%s",
	              err.message);
	if (result != NULL)
		*result = res.moref;
	vs_task_result_clear(&res);
}

void
sim_ruby_move_vm(struct vs_client *cl, const struct vs_moref *vm,
                 const char *folder)
{
	struct vs_moref f;
	struct err err;
	xmlDocPtr req = NULL;
	xmlNodePtr m;

	err_clear(&err);
	ck_assert_msg(vs_folder_ensure(&f, cl, "DC0", folder, &err) == 0,
	              "%s", err.message);
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "MoveIntoFolder_Task",
	                                     &f, &err), 0);
	vs_soap_add_moref(m, "list", vm);
	run_task(cl, req, NULL);
}

void
sim_ruby_replica(struct vs_moref *out, char *name, size_t name_size,
                 struct vs_client *cl, const char *template_folder,
                 const char *stemcell_cid, const struct vs_moref *ds)
{
	struct vs_moref sc, folder, pool;
	struct vs_clone_spec cs;
	struct err err;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	char path[512], rname[512];
	size_t i, n;

	/* stemcell.rb: "#{id} %2f #{datastore mo id}"; vCenter keeps the
	 * escape sequence and escapes a '/' of the id */
	n = (size_t)snprintf(rname, sizeof(rname), "%s %%2f ", stemcell_cid);
	for (i = 0; ds->value[i] != '\0' && n + 4 < sizeof(rname); i++) {
		if (ds->value[i] == '/') {
			memcpy(rname + n, "%2f", 3);
			n += 3;
		} else {
			rname[n++] = ds->value[i];
		}
	}
	ck_assert_msg(ds->value[i] == '\0', "replica name too long");
	rname[n] = '\0';
	err_clear(&err);
	snprintf(path, sizeof(path), "DC0/vm/%s/%s", template_folder,
	         stemcell_cid);
	ck_assert_msg(vs_folder_find(&sc, cl, path, &err) == 0, "%s: %s",
	              path, err.message);
	snprintf(path, sizeof(path), "DC0/vm/%s", template_folder);
	ck_assert_msg(vs_folder_find(&folder, cl, path, &err) == 0, "%s",
	              err.message);
	ck_assert_msg(vs_folder_find(&pool, cl, "DC0/host/DC0_C0/Resources",
	                             &err) == 0, "%s", err.message);
	memset(&cs, 0, sizeof(cs));
	cs.location.folder = &folder;
	cs.location.datastore = ds;
	cs.location.pool = &pool;
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "CloneVM_Task", &sc,
	                                     &err), 0);
	vs_soap_add_moref(m, "folder", &folder);
	vs_soap_add_text(m, "name", rname);
	ck_assert_int_eq(vs_add_clone_spec(m, "spec", &cs, &err), 0);
	run_task(cl, req, out);
	ck_assert_str_eq(out->type, "VirtualMachine");
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "CreateSnapshot_Task",
	                                     out, &err), 0);
	vs_soap_add_text(m, "name", "initial");
	vs_soap_add_bool(m, "memory", false);
	vs_soap_add_bool(m, "quiesce", false);
	run_task(cl, req, NULL);
	if (name != NULL)
		snprintf(name, name_size, "%s", rname);
}

void
sim_ruby_disk_file(struct vs_client *cl, const char *ds_path)
{
	const struct vs_service_content *sc = vs_client_sc(cl);
	struct vs_moref dc;
	struct err err;
	xmlDocPtr req = NULL;
	xmlNodePtr m, dspec;
	char dir[512];
	const char *slash;

	err_clear(&err);
	ck_assert_msg(vs_folder_find(&dc, cl, "DC0", &err) == 0, "%s",
	              err.message);
	slash = strrchr(ds_path, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - ds_path), ds_path);
	ck_assert_msg(vs_file_make_directory(cl, &dc, dir, true, &err) == 0,
	              "%s", err.message);
	ck_assert_int_eq(vs_soap_request_new(&req, &m,
	                 "CreateVirtualDisk_Task", &sc->virtual_disk_manager,
	                 &err), 0);
	vs_soap_add_text(m, "name", ds_path);
	vs_soap_add_moref(m, "datacenter", &dc);
	dspec = vs_soap_add_obj(m, "spec", "FileBackedVirtualDiskSpec");
	vs_soap_add_text(dspec, "diskType", "thin");
	vs_soap_add_text(dspec, "adapterType", "lsiLogic");
	vs_soap_add_long(dspec, "capacityKb", 1024);
	run_task(cl, req, NULL);
}

void
sim_ruby_attach_file(struct vs_client *cl, const struct vs_moref *vm,
                     int ctrl, const char *ds_path)
{
	struct vs_vm_info *info = NULL;
	struct vs_vm_device_change ch;
	struct vs_vm_config spec;
	struct err err;
	bool used[16] = { false };
	int unit;
	size_t i;

	err_clear(&err);
	ck_assert_msg(vs_vm_info(&info, cl, vm, &err) == 0, "%s",
	              err.message);
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (d->has_controller_key && d->controller_key == ctrl &&
		    d->has_unit_number && d->unit_number >= 0 &&
		    d->unit_number < 16)
			used[d->unit_number] = true;
	}
	used[7] = true;     /* the controller's own unit */
	for (unit = 0; unit < 16 && used[unit]; unit++)
		;
	ck_assert_int_lt(unit, 16);
	vs_vm_info_free(info);
	memset(&ch, 0, sizeof(ch));
	ch.operation = VS_OP_ADD;
	ch.kind = VS_VM_DEV_DISK;
	ch.key = -100;
	ch.controller_key = ctrl;
	ch.has_unit_number = true;
	ch.unit_number = unit;
	ch.file_name = ds_path;
	ch.capacity_kb = 1024;
	ch.disk_mode = "independent_persistent";
	memset(&spec, 0, sizeof(spec));
	spec.changes = &ch;
	spec.nchanges = 1;
	ck_assert_msg(vs_vm_reconfigure(cl, vm, &spec, &err) == 0, "%s",
	              err.message);
}

void
sim_ruby_attached_disk(struct vs_client *cl, const struct vs_moref *vm,
                       const char *ds_path)
{
	struct vs_vm_info *info = NULL;
	struct err err;
	int ctrl = 0;
	size_t i;

	sim_ruby_disk_file(cl, ds_path);
	err_clear(&err);
	ck_assert_msg(vs_vm_info(&info, cl, vm, &err) == 0, "%s",
	              err.message);
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		/* the controller of the VM's first disk */
		if (d->kind == VS_VM_DEV_DISK && d->has_controller_key &&
		    ctrl == 0)
			ctrl = d->controller_key;
	}
	vs_vm_info_free(info);
	ck_assert_int_ne(ctrl, 0);
	sim_ruby_attach_file(cl, vm, ctrl, ds_path);
}
