/*
 * tests/support/sim_client.c: the simulator client of sim_client.h.
 */
#include "tests/support/sim_client.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/files.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/transports.h"
#include "vsphere/vm.h"

const char *
sim_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && v[0] != '\0', "%s is not set (run through "
	              "tests/sim/run.sh)", name);
	return v;
}

struct vs_client *
sim_client_connect(const char *record)
{
	char *pem = ft_read_file(sim_env("VCSIM_CA_CERT"));
	struct vs_curl_opts co = {
		.ca_cert_pem = pem, .connect_timeout_s = 10, .timeout_s = 60,
	};
	struct vs_client_opts o = {
		.url = sim_env("VCSIM_URL"), .user = sim_env("VCSIM_USER"),
		.password = sim_env("VCSIM_PASSWORD"),
	};
	const char *out = getenv("CPI_TEST_OUTDIR");
	const char *secrets[] = { o.password, NULL };
	struct vs_transport *t = NULL;
	struct vs_client *c = NULL;
	struct err e;
	char dir[4096];

	err_clear(&e);
	ck_assert_msg(vs_transport_curl_new(&t, &co, &e) == 0, "%s",
	              e.message);
	free(pem);
	if (record != NULL && out != NULL && out[0] != '\0') {
		snprintf(dir, sizeof(dir), "%s/%s", out, record);
		ck_assert_msg(vs_transport_record_new(&t, t, dir, secrets,
		              &e) == 0, "%s", e.message);
	}
	o.transport = t;
	ck_assert_msg(vs_client_new(&c, &o, &e) == 0, "%s", e.message);
	ck_assert_msg(vs_client_connect(c, &e) == 0, "%s", e.message);
	return c;
}

int
sim_move_virtual_disk(struct vs_client *cl, const char *src,
                      const char *dst, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(cl);
	struct vs_moref dc;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	int rc;

	rc = vs_folder_find(&dc, cl, "DC0", err);
	if (rc == 0)
		rc = vs_soap_request_new(&req, &m, "MoveVirtualDisk_Task",
		                         &sc->virtual_disk_manager, err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "sourceName", src);
	vs_soap_add_moref(m, "sourceDatacenter", &dc);
	vs_soap_add_text(m, "destName", dst);
	vs_soap_add_moref(m, "destDatacenter", &dc);
	vs_soap_add_bool(m, "force", false);
	return vs_task_call(NULL, cl, req, 60.0, err);
}

char *
sim_storage_vmotion_disk(struct vs_client *cl, const struct vs_moref *vm,
                         const char *disk_cid)
{
	struct vs_vm_info *info = NULL;
	const struct vs_device *d = NULL;
	struct vs_vm_device_change ch;
	struct vs_vm_config cfg;
	struct vs_ds_path vmx = { 0 }, cur = { 0 };
	struct err err;
	char want[128], rel[1024], *dst = NULL;
	const char *slash;
	size_t i;

	err_clear(&err);
	snprintf(want, sizeof(want), "/%s.vmdk", disk_cid);
	ck_assert_msg(vs_vm_info(&info, cl, vm, &err) == 0, "%s",
	              err.message);
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *x = &info->devices[i];
		size_t fl, wl = strlen(want);

		if (x->kind != VS_VM_DEV_DISK || x->file_name == NULL)
			continue;
		fl = strlen(x->file_name);
		if (fl > wl && strcmp(x->file_name + fl - wl, want) == 0)
			d = x;
	}
	ck_assert_msg(d != NULL, "disk %s is not attached", disk_cid);
	ck_assert_int_eq(vs_ds_path_parse(&vmx, info->vm_path_name, &err), 0);
	ck_assert_int_eq(vs_ds_path_parse(&cur, d->file_name, &err), 0);
	slash = strrchr(vmx.path, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(rel, sizeof(rel), "%.*s/%s_1.vmdk", (int)(slash - vmx.path),
	         vmx.path, info->name);
	ck_assert_int_eq(vs_ds_path_format(&dst, vmx.datastore, rel, &err),
	                 0);
	ck_assert_msg(sim_move_virtual_disk(cl, d->file_name, dst, &err) == 0,
	              "%s", err.message);
	memset(&ch, 0, sizeof(ch));
	ch.operation = VS_OP_EDIT;
	ch.kind = VS_VM_DEV_DISK;
	ch.type_name = d->type;
	/* vCenter's edit carries the whole device, deviceInfo included
	 * (the simulator dereferences it) */
	ch.label = d->label != NULL ? d->label : "Hard disk";
	ch.summary = "moved by Storage vMotion";
	ch.key = d->key;
	ch.controller_key = d->controller_key;
	ch.has_unit_number = d->has_unit_number;
	ch.unit_number = d->unit_number;
	ch.file_name = dst;
	ch.datastore = d->has_datastore ? &d->datastore : NULL;
	ch.disk_mode = d->disk_mode;
	ch.capacity_kb = d->capacity_kb;
	memset(&cfg, 0, sizeof(cfg));
	cfg.changes = &ch;
	cfg.nchanges = 1;
	ck_assert_msg(vs_vm_reconfigure(cl, vm, &cfg, &err) == 0, "%s",
	              err.message);
	vs_ds_path_clear(&vmx);
	vs_ds_path_clear(&cur);
	vs_vm_info_free(info);
	return dst;
}
