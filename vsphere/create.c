/*
 * vsphere/create.c: clone, deliver the agent settings, power on, and
 * clean up after a failure (see create.h; reading the clone back is in
 * create_plan.c, the leftovers of killed calls in create_leftovers.c).
 *
 * Round trips on the way to a running VM: CloneVM_Task + its task read,
 * one vs_vm_info, the env.iso PUT, ReconfigVM_Task + its task read,
 * UpgradeVM_Task + its task read (not when the source is at the version
 * asked for already), PowerOnVM_Task + its task read (tasks that finish
 * at once cost one read; see task.c).
 */
#include "vsphere/create.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/wipe.h"
#include "vsphere/create_internal.h"
#include "vsphere/disk.h"
#include "vsphere/drs.h"
#include "vsphere/files.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vm_remove.h"

#define KEY_DISK (-200)
#define KEY_CDROM (-201)

void
vs_created_free(struct vs_created *v)
{
	size_t i;

	if (v == NULL)
		return;
	strv_free(v->macs, v->nmacs);
	free(v->sys_file);
	free(v->sys_label);
	free(v->sys_disk_mode);
	free(v->scsi_label);
	free(v->scsi_children);
	free(v->remove_keys);
	for (i = 0; v->remove_types != NULL && i < v->nremove; i++)
		free(v->remove_types[i]);
	free(v->remove_types);
	free(v->env_path);
	free(v->disk_path);
	free(v);
}

int
vs_base64(char **out, const void *data, size_t len, struct err *err)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	const unsigned char *p = data;
	size_t i, o = 0, n;
	char *s;

	*out = NULL;
	if (len > ((size_t)-1 - 4) / 4 * 3)
		return err_set(err, ERR_EINVAL, "base64: input too large");
	n = (len + 2) / 3 * 4;
	s = malloc(n + 1);
	if (s == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
		             p[i + 2];

		s[o++] = tab[v >> 18 & 63];
		s[o++] = tab[v >> 12 & 63];
		s[o++] = tab[v >> 6 & 63];
		s[o++] = tab[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		s[o++] = tab[v >> 18 & 63];
		s[o++] = tab[v >> 12 & 63];
		s[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		s[o++] = '=';
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

/* Takes over e (a call's own error object) into err when rc failed.
 * Calls into other modules get a fresh object each, so that nothing they
 * leave in it on success can shadow a later, real failure. */
static int
take(int rc, struct err *err, const struct err *e)
{
	if (rc < 0)
		err_keep_first(err, e);
	return rc;
}

/* --- the VM folder ---------------------------------------------------- */

int
vs_create_folder(struct vs_moref *out, struct vs_client *c,
                 const struct vs_placement *p, const char *rel,
                 struct err *err)
{
	struct vs_moref parent = p->vm_folder;
	struct err e;
	char buf[1024], *comp, *next;
	size_t k = 0;
	int rc = 0;

	if (p->has_vm_folder) {
		*out = p->vm_folder;
		return 0;
	}
	if (rel == NULL || strlen(rel) >= sizeof(buf))
		return err_set(err, ERR_EINVAL, "bad VM folder path");
	strcpy(buf, rel);
	for (comp = buf; comp != NULL && rc == 0; comp = next) {
		next = strchr(comp, '/');
		if (next != NULL)
			*next++ = '\0';
		if (k++ < p->vm_folder_found)
			continue;
		err_clear(&e);
		rc = vs_folder_create(&parent, c, &parent, comp, &e);
		if (rc < 0 && strcmp(e.fault, "DuplicateName") == 0) {
			vs_client_logf(c, 1, "CreateFolder %s: made meanwhile, "
			               "looking it up", comp);
			err_clear(&e);
			rc = take(vs_folder_ensure(&parent, c, p->dc_path, rel,
			                           &e), err, &e);
			break;
		}
		if (rc < 0) {
			err_prefix(&e, "creating VM folder %s", rel);
			take(rc, err, &e);
		}
	}
	if (rc == 0)
		*out = parent;
	return rc;
}

/* --- clone ---------------------------------------------------------- */

/* One VirtualVmxnet3 per port group of req, connected at power on. */
static void
nic_changes(struct vs_device_change *changes, struct vs_device_spec *devs,
            const struct vs_connect_spec *conn,
            const struct vs_create_req *req)
{
	size_t i;

	for (i = 0; i < req->nnics; i++) {
		const struct vs_port_group *pg = &req->nics[i];
		struct vs_device_spec *d = &devs[i];

		d->type = VS_DEV_VMXNET3;
		d->key = -1 - (int)i;
		d->connectable = conn;
		d->address_type = "generated";
		if (pg->kind == VS_PG_OPAQUE) {
			d->backing = VS_BACKING_OPAQUE;
			d->opaque_id = pg->opaque_id;
			d->opaque_type = pg->opaque_type;
		} else if (pg->kind == VS_PG_DISTRIBUTED) {
			d->backing = VS_BACKING_DVPORT;
			d->switch_uuid = pg->switch_uuid;
			d->portgroup_key = pg->portgroup_key;
		} else {
			d->backing = VS_BACKING_NETWORK;
			d->device_name = pg->name;
			d->network = &pg->network;
		}
		changes[i].operation = VS_OP_ADD;
		changes[i].device = d;
	}
}

/* CloneVM_Task's request (*doc) for req with cs as its spec. */
static int
clone_request(xmlDocPtr *doc, const struct vs_create_req *req,
              const struct vs_clone_spec *cs, struct err *err)
{
	xmlNodePtr m;
	int rc;

	rc = vs_soap_request_new(doc, &m, "CloneVM_Task", req->source, err);
	if (rc < 0)
		return rc;
	if (vs_soap_add_moref(m, "folder", req->folder) == NULL ||
	    vs_soap_add_text(m, "name", req->name) == NULL)
		return err_set(err, ERR_EINVAL, "CloneVM_Task: bad folder "
		               "or name");
	return vs_add_clone_spec(m, "spec", cs, err);
}

static int
clone_call(struct vs_moref *vm_out, struct vs_client *c,
           const struct vs_create_req *req, struct err *err)
{
	struct vs_device_spec *devs = NULL;
	struct vs_device_change *changes = NULL;
	static const struct vs_connect_spec conn = {
		.start_connected = true, .allow_guest_control = true,
		.connected = true,
	};
	struct vs_config_spec cfg = {0};
	struct vs_clone_spec cs = {0};
	struct vs_task_result res = {0};
	xmlDocPtr doc = NULL;
	int rc = 0;

	if (req->nnics > 0) {
		devs = calloc(req->nnics, sizeof(*devs));
		changes = calloc(req->nnics, sizeof(*changes));
		if (devs == NULL || changes == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	nic_changes(changes, devs, &conn, req);
	cfg.num_cpus = req->num_cpus;
	cfg.memory_mb = req->memory_mb;
	cfg.changes = changes;
	cfg.nchanges = req->nnics;
	cs.location.datastore = req->datastore;
	cs.location.pool = req->pool;
	cs.location.host = req->host;
	if (req->snapshot != NULL) {
		cs.location.disk_move_type = "createNewChildDiskBacking";
		cs.snapshot = req->snapshot;
	}
	cs.config = &cfg;
	rc = clone_request(&doc, req, &cs, err);
	if (rc < 0)
		goto cleanup;
	rc = vs_task_call(&res, c, doc, VS_CREATE_TASK_TIMEOUT_S, err);
	doc = NULL;
	if (rc == 0 && strcmp(res.moref.type, "VirtualMachine") != 0)
		rc = err_set(err, ERR_EPARSE, "CloneVM_Task: the task's "
		             "result is not a VirtualMachine");
	if (rc == 0)
		*vm_out = res.moref;

cleanup:
	if (rc < 0)
		err_prefix(err, "CloneVM_Task %s", req->name);
	vs_task_result_clear(&res);
	xmlFreeDoc(doc);
	free(devs);
	free(changes);
	return rc;
}

/* SearchIndex.FindChild(folder, name): ERR_ENOTFOUND when nothing. */
static int
find_child(struct vs_moref *out, struct vs_client *c,
           const struct vs_moref *folder, const char *name,
           struct err *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r, ret;
	int rc;

	rc = vs_soap_request_new(&req, &m, "FindChild",
	                         &vs_client_sc(c)->search_index, err);
	if (rc < 0)
		goto cleanup;
	if (vs_soap_add_moref(m, "entity", folder) == NULL ||
	    vs_soap_add_text(m, "name", name) == NULL) {
		rc = err_set(err, ERR_EINVAL, "FindChild: bad arguments");
		goto cleanup;
	}
	rc = vs_client_call(c, req, &resp, &r, err);
	req = NULL;
	if (rc < 0)
		goto cleanup;
	ret = vs_xml_child(r, "returnval");
	if (ret == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "%s: not found", name);
	else
		rc = vs_xml_moref(out, ret, err);

cleanup:
	xmlFreeDoc(req);
	xmlFreeDoc(resp);
	return rc;
}

/* After a clone whose outcome is unknown (the task could not be followed
 * to its end: timeout, connection, unreadable reply), the VM may exist
 * all the same: look for it by name in its folder so that it is cleaned
 * up instead of leaked.  The name is a fresh uuid, so a VM found there is
 * this clone. */
static void
find_lost_clone(struct vs_created *v, struct vs_client *c,
                const struct vs_create_req *req, int rc)
{
	struct err e;

	/* a fault or a failed task may come after vCenter made the VM
	 * (seen: a server error for a NIC backing the VM was made with);
	 * only a request that was never sent made nothing */
	if (rc == ERR_EINVAL || rc == ERR_ENOMEM)
		return;
	vs_client_cleanup(c);
	err_clear(&e);
	if (find_child(&v->vm, c, req->folder, req->name, &e) == 0 &&
	    strcmp(v->vm.type, "VirtualMachine") == 0) {
		v->exists = true;
		vs_client_logf(c, 2, "CloneVM_Task %s: outcome unknown, but "
		               "the VM exists (%s)", req->name, v->vm.value);
	} else {
		memset(&v->vm, 0, sizeof(v->vm));
	}
}

int
vs_create_clone(struct vs_created **out, struct vs_client *c,
                const struct vs_create_req *req, struct err *err)
{
	struct vs_created *v = NULL;
	struct vs_vm_info *info = NULL;
	struct err e;
	char rel[512];
	int rc;

	*out = NULL;
	if (req->name == NULL || req->source == NULL || req->folder == NULL ||
	    req->pool == NULL || req->datastore == NULL ||
	    req->datastore_name == NULL || req->num_cpus <= 0 ||
	    req->memory_mb <= 0 || req->disk_mb <= 0 ||
	    (req->nnics > 0 && req->nics == NULL))
		return err_set(err, ERR_EINVAL, "create: bad request");
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	v->datastore = *req->datastore;
	v->disk_kb = req->disk_mb * 1024;
	v->thin = req->thin;
	snprintf(rel, sizeof(rel), "%s/env.iso", req->name);
	rc = vs_ds_path_format(&v->env_path, req->datastore_name, rel, err);
	if (rc < 0)
		goto cleanup;
	snprintf(rel, sizeof(rel), "%s/ephemeral_disk.vmdk", req->name);
	rc = vs_ds_path_format(&v->disk_path, req->datastore_name, rel, err);
	if (rc < 0)
		goto cleanup;
	rc = clone_call(&v->vm, c, req, err);
	if (rc < 0) {
		find_lost_clone(v, c, req, rc);
		goto cleanup;
	}
	v->exists = true;
	err_clear(&e);
	rc = take(vs_vm_info(&info, c, &v->vm, &e), err, &e);
	if (rc == 0)
		rc = vs_create__plan(v, info, req, err);
	if (rc < 0)
		err_prefix(err, "reading back %s (%s)", req->name,
		           v->vm.value);

cleanup:
	vs_vm_info_free(info);
	if (v != NULL && v->exists)
		*out = v;
	else
		vs_created_free(v);
	return rc;
}

/* --- finishing -------------------------------------------------------- */

/* ReconfigureComputeResource_Task(cluster, ClusterConfigSpecEx
 * {drsVmConfigSpec: [{operation add, info {key vm, enabled false}}]},
 * modify true), waited for: DRS leaves the VM where it is.
 * ClusterConfigSpecEx {ComputeResourceConfigSpec; dasConfig,
 * dasVmConfigSpec, drsConfig, drsVmConfigSpec, …};
 * ClusterDrsVmConfigSpec {ArrayUpdateSpec {operation, removeKey}; info};
 * ClusterDrsVmConfigInfo {key, enabled, behavior}. */
static int
drs_off(struct vs_client *c, const struct vs_moref *cluster,
        const struct vs_moref *vm, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr m, spec, dvs, info;
	int rc;

	rc = vs_soap_request_new(&doc, &m, "ReconfigureComputeResource_Task",
	                         cluster, err);
	if (rc < 0)
		goto cleanup;
	spec = vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx");
	dvs = spec != NULL ? vs_soap_add_obj(spec, "drsVmConfigSpec", NULL) :
	      NULL;
	info = NULL;
	if (dvs != NULL && vs_soap_add_text(dvs, "operation", "add") != NULL)
		info = vs_soap_add_obj(dvs, "info", NULL);
	if (info == NULL || vs_soap_add_moref(info, "key", vm) == NULL ||
	    vs_soap_add_bool(info, "enabled", false) == NULL ||
	    vs_soap_add_bool(m, "modify", true) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = vs_task_call(NULL, c, doc, VS_CREATE_TASK_TIMEOUT_S, err);
	doc = NULL;
cleanup:
	if (rc < 0)
		err_prefix(err, "disable_drs: ReconfigureComputeResource_"
		           "Task %s", cluster->value);
	xmlFreeDoc(doc);
	return rc;
}

static const struct vs_create_opts no_opts = {0};

/* The system disk's controller converted to opts->scsi_type (first: the
 * ephemeral disk goes on it). */
static void
change_controller(struct vs_vm_device_change *ch, const struct vs_created *v,
                  const struct vs_create_opts *opts)
{
	ch->operation = VS_OP_EDIT;
	ch->kind = VS_VM_DEV_CONTROLLER;
	ch->type_name = opts->scsi_type;
	ch->key = v->scsi_key;
	/* deviceInfo: an edit without it crashes the simulator's handler;
	 * vCenter regenerates the summary */
	ch->label = v->scsi_label != NULL ? v->scsi_label : "SCSI controller";
	ch->summary = opts->scsi_type;
	ch->controller_key = v->scsi_parent;
	ch->has_unit_number = v->scsi_has_unit;
	ch->unit_number = v->scsi_unit;
	ch->bus_number = v->scsi_bus;
	ch->shared_bus = v->scsi_shared;
	ch->child_keys = v->scsi_children;
	ch->nchild_keys = v->nscsi_children;
}

/* The system disk grown (root_disk_size_gb) and/or given the storage
 * policy. */
static void
change_system_disk(struct vs_vm_device_change *ch, const struct vs_created *v,
                   const struct vs_create_opts *opts)
{
	ch->operation = VS_OP_EDIT;
	ch->kind = VS_VM_DEV_DISK;
	ch->key = v->sys_key;
	/* deviceInfo: an edit without it crashes the simulator */
	ch->label = v->sys_label != NULL ? v->sys_label : "Hard disk 1";
	ch->summary = ch->label;
	ch->controller_key = v->disk_controller;
	ch->has_unit_number = true;
	ch->unit_number = v->system_unit;
	ch->file_name = v->sys_file;
	ch->datastore = v->sys_has_datastore ? &v->sys_datastore : NULL;
	ch->disk_mode = v->sys_disk_mode;
	ch->capacity_kb = opts->root_disk_kb > 0 ? opts->root_disk_kb :
	                  v->sys_capacity_kb;
	ch->profile_id = opts->profile_id;
}

static void
add_ephemeral_disk(struct vs_vm_device_change *ch, const struct vs_created *v)
{
	ch->operation = VS_OP_ADD;
	ch->file_operation = VS_FILEOP_CREATE;
	ch->kind = VS_VM_DEV_DISK;
	ch->key = KEY_DISK;
	ch->controller_key = v->disk_controller;
	ch->has_unit_number = true;
	ch->unit_number = v->ephemeral_unit;
	ch->file_name = v->disk_path;
	ch->datastore = &v->datastore;
	ch->capacity_kb = v->disk_kb;
	ch->thin = v->thin ? 2 : 1;
}

/* The CD-ROM on the env ISO, connected at power on.  The stemcell's
 * CD-ROM is replaced (remove + add in its slot) rather than edited: an
 * edit spec without deviceInfo crashes the simulator's handler, and both
 * forms mean the same to vCenter.  How many changes it took. */
static size_t
change_cdrom(struct vs_vm_device_change *ch, const struct vs_created *v)
{
	size_t n = 0;

	if (v->cdrom_key != 0) {
		ch[n].operation = VS_OP_REMOVE;
		ch[n].kind = VS_VM_DEV_CDROM;
		ch[n].key = v->cdrom_key;
		n++;
	}
	ch[n].operation = VS_OP_ADD;
	ch[n].kind = VS_VM_DEV_CDROM;
	ch[n].key = KEY_CDROM;
	ch[n].controller_key = v->cdrom_key != 0 ? v->cdrom_controller :
	                       v->ide_controller;
	ch[n].has_unit_number = v->cdrom_key == 0 || v->cdrom_unit >= 0;
	ch[n].unit_number = v->cdrom_key != 0 ? v->cdrom_unit : v->ide_unit;
	ch[n].has_connectable = true;
	ch[n].start_connected = true;
	ch[n].allow_guest_control = false;
	ch[n].connected = true;
	ch[n].file_name = v->env_path;
	ch[n].datastore = &v->datastore;
	return n + 1;
}

/* Every device change of the settings reconfigure, into ch (room for
 * v->nremove + 5); how many. */
static size_t
plan_changes(struct vs_vm_device_change *ch, const struct vs_created *v,
             const struct vs_create_opts *opts)
{
	size_t i, n = 0;

	if (opts->scsi_type != NULL && v->scsi_key != 0 &&
	    strcmp(opts->scsi_type, v->scsi_type) != 0)
		change_controller(&ch[n++], v, opts);
	if (opts->root_disk_kb > 0 ||
	    (opts->profile_id != NULL && v->sys_file != NULL))
		change_system_disk(&ch[n++], v, opts);
	add_ephemeral_disk(&ch[n], v);
	ch[n++].profile_id = opts->profile_id;
	n += change_cdrom(&ch[n], v);
	for (i = 0; i < v->nremove; i++) {
		ch[n].operation = VS_OP_REMOVE;
		ch[n].kind = VS_VM_DEV_NIC;
		ch[n].type_name = v->remove_types != NULL ?
		                  v->remove_types[i] : NULL;
		ch[n].key = v->remove_keys[i];
		n++;
	}
	return n;
}

/* The operator's vmx options, then the agent settings (last: a key given
 * twice would leave the later value), into extra (room for nvmx + 2). */
static void
plan_extra(struct vs_vm_option *extra, const struct vs_vm_option *vmx,
           size_t nvmx, const char *userdata)
{
	size_t i;

	for (i = 0; i < nvmx; i++)
		extra[i] = vmx[i];
	extra[nvmx].key = "guestinfo.userdata";
	extra[nvmx].value = userdata;
	extra[nvmx + 1].key = "guestinfo.userdata.encoding";
	extra[nvmx + 1].value = "base64";
}

static void
plan_options(struct vs_vm_config *cfg, const struct vs_create_opts *opts)
{
	cfg->nested_hv = opts->nested_hv ? 2 : 0;
	cfg->cpu_hot_add = opts->cpu_hot_add ? 2 : 0;
	cfg->memory_hot_add = opts->memory_hot_add ? 2 : 0;
	cfg->memory_reservation_locked = opts->memory_reservation_locked ?
	                                 2 : 0;
	cfg->has_cpu_reservation = opts->has_cpu_reservation;
	cfg->cpu_reservation_mhz = opts->cpu_reservation_mhz;
	cfg->vm_profile_id = opts->profile_id;
}

/* root_disk_size_gb: disks only grow, and only a disk with a file. */
static int
check_root_disk(const struct vs_created *v, const struct vs_create_opts *opts,
                struct err *err)
{
	if (opts->root_disk_kb <= 0)
		return 0;
	if (v->sys_file == NULL)
		return err_set(err, ERR_EINVAL, "the system disk has no "
		               "file to grow");
	if (opts->root_disk_kb < v->sys_capacity_kb)
		return err_set(err, ERR_EINVAL, "root_disk_size_gb: %lld "
		               "KB is smaller than the stemcell's system "
		               "disk (%lld KB); disks only grow",
		               opts->root_disk_kb, v->sys_capacity_kb);
	return 0;
}

int
vs_create_deliver(struct vs_client *c, struct vs_created *v,
                  const char *dc_path, const char *settings,
                  size_t settings_len, const void *iso, size_t iso_len,
                  const struct vs_create_opts *opts, struct err *err)
{
	struct vs_vm_device_change *ch = NULL;
	struct vs_vm_option *extra = NULL;
	struct vs_vm_config cfg = {0};
	struct err e;
	char *userdata = NULL;
	size_t nvmx;
	int rc;

	if (opts == NULL)
		opts = &no_opts;
	nvmx = opts->vmx != NULL ? opts->nvmx : 0;
	rc = vs_file_upload_mem(c, dc_path, v->env_path, iso, iso_len, true,
	                        err);
	if (rc < 0) {
		err_prefix(err, "uploading the agent env");
		goto cleanup;
	}
	rc = check_root_disk(v, opts, err);
	if (rc == 0)
		rc = vs_base64(&userdata, settings, settings_len, err);
	if (rc < 0)
		goto cleanup;
	ch = calloc(v->nremove + 5, sizeof(*ch));
	extra = calloc(nvmx + 2, sizeof(*extra));
	if (ch == NULL || extra == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	cfg.changes = ch;
	cfg.nchanges = plan_changes(ch, v, opts);
	plan_extra(extra, opts->vmx, nvmx, userdata);
	cfg.extra = extra;
	cfg.nextra = nvmx + 2;
	plan_options(&cfg, opts);
	err_clear(&e);
	rc = take(vs_vm_reconfigure(c, &v->vm, &cfg, &e), err, &e);

cleanup:
	wipe_free(userdata);
	free(ch);
	free(extra);
	return rc;
}

int
vs_create_start(struct vs_client *c, struct vs_created *v,
                const struct vs_create_opts *opts, struct err *err)
{
	struct err e;
	int rc;

	if (opts == NULL)
		opts = &no_opts;
	if (opts->upgrade_hw && opts->hw_version != NULL &&
	    opts->source_hw != NULL &&
	    strcmp(opts->hw_version, opts->source_hw) == 0) {
		vs_client_logf(c, 1, "%s is at %s already: no UpgradeVM_Task",
		               v->vm.value, opts->hw_version);
	} else if (opts->upgrade_hw) {
		err_clear(&e);
		rc = take(vs_vm_upgrade_hw(c, &v->vm, opts->hw_version, &e),
		          err, &e);
		if (rc < 0)
			return rc;
	}
	v->power_on_tried = true;
	err_clear(&e);
	rc = take(vs_vm_power_on(c, &v->vm, &e), err, &e);
	if (rc == 0 && opts->drs_off_cluster != NULL)
		rc = drs_off(c, opts->drs_off_cluster, &v->vm, err);
	return rc;
}

int
vs_create_finish(struct vs_client *c, struct vs_created *v,
                 const char *dc_path, const char *settings,
                 size_t settings_len, const void *iso, size_t iso_len,
                 const struct vs_create_opts *opts, struct err *err)
{
	int rc;

	rc = vs_create_deliver(c, v, dc_path, settings, settings_len, iso,
	                       iso_len, opts, err);
	if (rc == 0)
		rc = vs_create_start(c, v, opts, err);
	return rc;
}

int
vs_create_ephemeral_uuid(char **out, struct vs_client *c,
                         const struct vs_moref *dc,
                         const struct vs_created *v, struct err *err)
{
	struct vs_vm_info *info = NULL;
	struct err e;
	size_t i, k;
	int rc;

	*out = NULL;
	err_clear(&e);
	rc = take(vs_vm_info(&info, c, &v->vm, &e), err, &e);
	if (rc < 0)
		return rc;
	for (i = 0; i < info->ndevices && *out == NULL && rc == 0; i++) {
		const struct vs_device *d = &info->devices[i];
		const char *u = d->disk_uuid;

		if (d->kind != VS_VM_DEV_DISK || d->file_name == NULL ||
		    strcmp(d->file_name, v->disk_path) != 0 || u == NULL ||
		    u[0] == '\0' || strlen(u) > 64)
			continue;
		for (k = 0; u[k] != '\0'; k++) {
			if (!isxdigit((unsigned char)u[k]) && u[k] != '-' &&
			    u[k] != ' ')
				break;
		}
		if (u[k] != '\0')
			continue;   /* not a uuid: not written into JSON */
		*out = strdup(u);
		if (*out == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			break;
		}
		for (k = 0; (*out)[k] != '\0'; k++)
			(*out)[k] = (char)tolower((unsigned char)(*out)[k]);
	}
	vs_vm_info_free(info);
	if (rc == 0 && *out == NULL) {
		/* no backing uuid came back: the one vCenter reports for the
		 * file, as attach_disk's hints do */
		err_clear(&e);
		rc = take(vs_disk_query_uuid(out, c, dc, v->disk_path, &e), err,
		          &e);
	}
	return rc;
}

int
vs_create_redeliver(struct vs_client *c, struct vs_created *v,
                    const char *dc_path, const char *settings,
                    size_t settings_len, const void *iso, size_t iso_len,
                    struct err *err)
{
	struct vs_vm_option extra[2];
	struct vs_vm_config cfg = {0};
	struct err e;
	char *userdata = NULL;
	int rc;

	rc = vs_file_upload_mem(c, dc_path, v->env_path, iso, iso_len, true,
	                        err);
	if (rc < 0) {
		err_prefix(err, "uploading the agent env again");
		return rc;
	}
	rc = vs_base64(&userdata, settings, settings_len, err);
	if (rc < 0)
		return rc;
	extra[0].key = "guestinfo.userdata";
	extra[0].value = userdata;
	extra[1].key = "guestinfo.userdata.encoding";
	extra[1].value = "base64";
	cfg.extra = extra;
	cfg.nextra = 2;
	err_clear(&e);
	rc = take(vs_vm_reconfigure(c, &v->vm, &cfg, &e), err, &e);
	wipe_free(userdata);
	return rc;
}

/* --- cleanup ---------------------------------------------------------- */

int
vs_create_destroy(struct vs_client *c, const struct vs_moref *dc,
                  const struct vs_created *v, const char *datastore,
                  const char *name, struct err *err)
{
	struct vs_vm_remove_opts o = { .what = "cleanup", .gone_ok = true };
	struct err e;
	int rc = 0, r;

	if (v != NULL && v->exists && v->in_drs) {
		/* best effort: vCenter drops the VM from its rules when it goes;
		 * this only avoids leaving an emptied rule or group */
		err_clear(&e);
		if (vs_drs_rules_remove_vm(NULL, c, &v->drs_pool, &v->vm,
		                           &e) < 0)
			vs_client_logf(c, 2, "cleanup: DRS rules of %s: %s",
			               v->vm.value, e.message);
	}
	if (v != NULL && v->exists) {
		/* a fresh clone: no persistent disk, no read needed */
		o.power = v->power_on_tried ? VS_VM_REMOVE_POWER_TRY :
		          VS_VM_REMOVE_POWER_NONE;
		err_clear(&e);
		r = vs_vm_remove(NULL, c, &v->vm, &o, &e);
		if (r < 0) {
			rc = err_set(err, r, "cleanup: destroying %s: %s",
			             v->vm.value, e.message);
			if (err != NULL)
				err->transient = e.transient;
		}
	}
	if (datastore == NULL || name == NULL)
		return rc;
	err_clear(&e);
	r = vs_vm_remove_files(c, dc, &datastore, 1, name, NULL, &e);
	if (r < 0) {
		err_set(err, r, "cleanup: deleting [%s] %s: %s",
		        datastore, name, e.message);
		if (rc == 0)
			rc = r;
	}
	return rc;
}
