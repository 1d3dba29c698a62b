/*
 * cpi/methods_disk_attach.c: attach_disk and detach_disk (see methods_disk.c
 * for the rules: Storage vMotion, agent settings, records).
 */
#include "cpi/disk_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/wipe.h"
#include "cpi/config.h"
#include "cpi/methods.h"
#include "vsphere/disk.h"
#include "vsphere/vm.h"

/* Moves the disk to a datastore the VM's host reaches when its own is
 * out of reach, or (a Ruby CPI cid) not one its target pattern names:
 * then to one matching cpi_disk_target_pattern(), as the Ruby CPI does. */
static int
bring_near(struct cpi_disk_job *j, const char *cid)
{
	const struct vs_vm_info *info = j->v->info;
	const struct vs_disk_ds *here = NULL, *there = NULL;
	struct vs_disk_loc moved = {0};
	const struct vs_disk_reach *reach = &j->reach;
	struct err verr = {0};
	bool in_target = true;
	size_t i;
	int rc = 0;

	/* j->reach came with the datastores (cpi_disk_read_datastores) */
	if (!info->has_host || !j->has_reach)
		return 0;
	for (i = 0; i < j->dss->n; i++) {
		if (strcmp(j->dss->items[i].ref.value,
		           j->loc.datastore.value) == 0)
			here = &j->dss->items[i];
	}
	if (here == NULL)
		return 0;
	if (j->id.pattern != NULL)
		rc = vs_disk_ds_wanted(&in_target, here, j->id.pattern, NULL,
		                       0, &verr);
	if (rc == 0 && vs_disk_ds_reaches(here, reach) && in_target)
		return 0;
	if (rc == 0)
		rc = vs_disk_pick_datastore(&there, j->dss,
		                            cpi_disk_target_pattern(j), NULL, 0,
		                            reach, 0, &verr);
	if (rc == 0 && !vs_disk_ds_reaches(there, reach))
		rc = err_set(&verr, ERR_ENOTFOUND, "no persistent "
		             "datastore reachable from the VM's host");
	if (rc != 0)
		return cpi_disk_cloud_error(j, &verr, "moving the disk");
	cpi_log_info(j->call->log, "attach_disk: moving %s from %s to %s",
	             cid, here->name, there->name);
	rc = vs_disk_move(&moved, j->c, &j->dc, j->loc.path, there,
	                  cpi_disk_dc_conf(j)->disk_path, j->id.name, &verr);
	if (rc == 0)
		rc = vs_disk_query_uuid(&moved.uuid, j->c, &j->dc, moved.path,
		                        &verr);
	if (rc != 0) {
		vs_disk_loc_clear(&moved);
		return cpi_disk_cloud_error(j, &verr, "moving the disk");
	}
	vs_disk_loc_clear(&j->loc);
	j->loc = moved;
	return 0;
}

/* The extraConfig entries of an attach at slot (vsphere/disk.h "Per-VM
 * disk records"): cid's record, and "" for records of other disks that
 * claim the same slot (left by a detach outside the CPI).  *n entries
 * into opts, their strings into keys/values (free them). */
#define MAX_RECS 8
static int
attach_records(struct vs_vm_option *opts, char **keys, char **values,
               size_t *n, struct cpi_disk_job *j, const char *cid, int bus,
               int unit)
{
	struct err verr = {0};
	size_t i;

	*n = 0;
	keys[0] = malloc(VS_DISK_CID_MAX + 32);
	if (keys[0] == NULL)
		return cpi_disk_nomem(j->call);
	if (!vs_disk_record_key(keys[0], VS_DISK_CID_MAX + 32, cid))
		return cpi_err_set(j->call->err, CPI_ERROR_CPI, false,
		                   "%s: no record key for '%s'",
		                   j->call->method, cid);
	if (vs_disk_record_attached(&values[0], bus, unit, j->loc.uuid,
	                            &verr) != 0)
		return cpi_disk_cloud_error(j, &verr, "disk record");
	opts[0].key = keys[0];
	opts[0].value = values[0];
	*n = 1;
	for (i = 0; i < j->v->nrecords && *n < MAX_RECS; i++) {
		const struct vs_disk_record *r = &j->v->records[i];

		if (r->detached || r->bus != bus || r->unit != unit ||
		    strcmp(r->cid, cid) == 0)
			continue;
		keys[*n] = malloc(VS_DISK_CID_MAX + 32);
		values[*n] = strdup("");
		if (keys[*n] == NULL || values[*n] == NULL ||
		    !vs_disk_record_key(keys[*n], VS_DISK_CID_MAX + 32,
		                        r->cid)) {
			free(keys[*n]);
			free(values[*n]);
			keys[*n] = values[*n] = NULL;
			return cpi_disk_nomem(j->call);
		}
		opts[*n].key = keys[*n];
		opts[*n].value = values[*n];
		(*n)++;
	}
	return 0;
}

/* The SCSI bus of the slot's controller, or -1 when unknown. */
static int
slot_bus(const struct vs_vm_info *info, const struct vs_disk_slot *slot)
{
	const struct vs_device *ctl;

	if (slot->new_controller)
		return slot->bus;
	ctl = vs_vm_info_device(info, slot->ctl_key);
	return ctl != NULL && ctl->has_bus_number ? ctl->bus_number : -1;
}

/* An attached disk without its record (attached before records
 * existed, or by a call that stopped half way): write it (one
 * reconfigure, only then). */
static int
repair_record(struct cpi_disk_job *j, const char *cid,
              const struct vs_device *d)
{
	const struct vs_disk_record *r = vs_disk_vm_record(j->v, cid);
	struct err verr = {0};
	char key[VS_DISK_CID_MAX + 32];
	char *value = NULL;
	int bus, unit, rc;

	if ((r != NULL && !r->detached) ||
	    !vs_disk_device_slot(&bus, &unit, j->v->info, d) ||
	    !vs_disk_record_key(key, sizeof(key), cid))
		return 0;
	rc = vs_disk_record_attached(&value, bus, unit, d->disk_uuid != NULL ?
	                             d->disk_uuid : j->loc.uuid, &verr);
	if (rc == 0)
		rc = vs_disk_vm_set_option(j->c, &j->vm, key, value, &verr);
	free(value);
	if (rc != 0)
		return cpi_disk_cloud_error(j, &verr, "disk record");
	cpi_log_info(j->call->log, "%s: recorded disk %s on its VM",
	             j->call->method, cid);
	return 0;
}

/* attach_disk of a disk attached already: the same answer again.  A
 * call whose reconfigure reply was lost, or whose env.iso upload failed,
 * left guestinfo right and env.iso stale: write it again. */
static int
attach_again(json_t **hint, struct cpi_disk_job *j, const char *cid,
             const char *vm_cid, const struct vs_device *d)
{
	int rc;

	cpi_log_info(j->call->log, "attach_disk: %s is already attached "
	             "to %s", cid, vm_cid);
	*hint = cpi_disk_make_hint(j->v, d, 0, j->loc.uuid);
	if (*hint == NULL)
		return cpi_err_set(j->call->err, CPI_ERROR_CLOUD, false,
		                   "attach_disk: no uuid for disk '%s'", cid);
	rc = repair_record(j, j->id.name, d);
	if (rc == 0)
		rc = cpi_disk_rewrite_env(j, cid, *hint);
	return rc;
}

/* A free SCSI unit of the VM; a new controller is of the configured
 * type, as new VMs' controllers are. */
static int
attach_slot(struct vs_disk_slot *slot, struct cpi_disk_job *j,
            const char *vm_cid)
{
	struct cpi_call *call = j->call;
	struct err verr = {0};

	if (vs_disk_pick_slot(slot, j->v->info, &verr) != 0)
		return cpi_disk_cloud_error(j, &verr, "no free SCSI unit");
	if (slot->new_controller) {
		snprintf(slot->ctl_type, sizeof(slot->ctl_type), "%s",
		         cpi_scsi_type_vim(call->config->vcenter.
		                           default_scsi_controller_type));
		cpi_log_info(call->log, "attach_disk: adding a %s on bus %d "
		             "to %s", slot->ctl_type, slot->bus, vm_cid);
	}
	return 0;
}

/* What the attach's reconfigure writes besides the disk: the settings
 * with the hint, and the disk records (struct attach_change). */
struct attach_change {
	struct vs_vm_option recs[MAX_RECS];
	char *keys[MAX_RECS];
	char *values[MAX_RECS];
	size_t nrecs;
	char *settings;
};

static void
attach_change_clear(struct attach_change *a)
{
	size_t i;

	for (i = 0; i < MAX_RECS; i++) {
		free(a->keys[i]);
		free(a->values[i]);
	}
	wipe_free(a->settings);
}

static int
attach_change(struct attach_change *a, struct cpi_disk_job *j,
              const char *cid, const char *vm_cid,
              const struct vs_disk_slot *slot, json_t *hint)
{
	int rc, bus;

	rc = cpi_disk_edit_settings(&a->settings, j, cid, hint);
	bus = slot_bus(j->v->info, slot);
	if (rc == 0 && bus >= 0)
		rc = attach_records(a->recs, a->keys, a->values, &a->nrecs, j,
		                    j->id.name, bus, slot->unit);
	else if (rc == 0)
		cpi_log_warn(j->call->log, "attach_disk: the SCSI controller "
		             "of unit %d has no bus number; %s is not "
		             "recorded on %s", slot->unit, cid, vm_cid);
	return rc;
}

/* Attaches disk j->loc at a new slot of the VM, with *hint (new). */
static int
attach_new(json_t **hint, struct cpi_disk_job *j, const char *cid,
           const char *vm_cid)
{
	struct attach_change a = { .nrecs = 0 };
	struct err verr = {0};
	struct vs_disk_slot slot;
	int rc;

	rc = bring_near(j, cid);
	if (rc == 0)
		rc = attach_slot(&slot, j, vm_cid);
	if (rc != 0)
		return rc;
	*hint = cpi_disk_make_hint(j->v, NULL, slot.unit, j->loc.uuid);
	if (*hint == NULL)
		return cpi_err_set(j->call->err, CPI_ERROR_CLOUD, false,
		                   "attach_disk: no uuid for disk '%s'", cid);
	rc = attach_change(&a, j, cid, vm_cid, &slot, *hint);
	if (rc != 0)
		goto cleanup;
	rc = vs_disk_attach(j->c, j->v->info, j->loc.path, &j->loc.datastore,
	                    &slot, a.settings, a.settings != NULL ?
	                    strlen(a.settings) : 0, a.recs, a.nrecs, &verr);
	if (rc != 0) {
		rc = cpi_disk_cloud_error(j, &verr, cid);
		goto cleanup;
	}
	if (a.settings != NULL)
		rc = cpi_disk_upload_env(j, a.settings);
	if (rc == 0)
		cpi_log_info(j->call->log, "attach_disk: %s on %s unit %d:%d",
		             cid, vm_cid, slot.ctl_key, slot.unit);
cleanup:
	attach_change_clear(&a);
	return rc;
}

/* attach_disk's and detach_disk's start: the cids (arguments 0 and 1)
 * checked, the VM with its devices (j->v) and the disk among them (*d,
 * NULL when not attached).  The vsphere layer names a disk by its file
 * name (j->id.name: "disk-<uuid>", also for a Ruby CPI cid); the agent
 * settings and messages by the Director's cid. */
static int
open_vm_disk(const struct vs_device **d, const char **vm_cid,
             const char **cid, struct cpi_disk_job *j)
{
	int rc;

	*vm_cid = cpi_arg_string(j->call, 0);
	*cid = cpi_arg_string(j->call, 1);
	*d = NULL;
	rc = cpi_disk_open_vm(j, *vm_cid, *cid);
	if (rc == 0)
		*d = vs_disk_vm_find(j->v, j->id.name);
	return rc;
}

int
cpi_method_attach_disk(json_t **result, struct cpi_call *call)
{
	const char *vm_cid, *cid;
	const struct vs_device *d;
	struct cpi_disk_job j = { .call = call };
	json_t *hint = NULL;
	int rc;

	*result = NULL;
	rc = open_vm_disk(&d, &vm_cid, &cid, &j);
	if (rc == 0)
		rc = cpi_disk_locate(&j, cid);
	if (rc != 0)
		goto cleanup;
	if (d != NULL)
		rc = attach_again(&hint, &j, cid, vm_cid, d);
	else
		rc = attach_new(&hint, &j, cid, vm_cid);
cleanup:
	rc = cpi_disk_finish(&j, rc);
	if (rc == 0 && call->api_version >= 2) {
		*result = hint;
		hint = NULL;
	}
	json_decref(hint);
	return rc;
}

/* Puts detached disk cid (file: where it lies) back at
 * "<disk_path>/<cid>.vmdk", then removes its record.  A disk that cannot
 * be placed back is a CloudError naming where it is (the record stays:
 * the next detach_disk or delete_vm tries again). */
static int
finish_move(struct cpi_disk_job *j, const char *cid, const char *file)
{
	struct err verr = {0};
	char key[VS_DISK_CID_MAX + 32];
	char *path = NULL;
	int rc;

	rc = vs_disk_place_back(&path, j->c, &j->dc, file,
	                        cpi_disk_dc_conf(j)->disk_path, cid, &verr);
	if (rc == ERR_ENOTFOUND) {
		/* removed outside the CPI meanwhile: nothing to place */
		cpi_log_warn(j->call->log, "%s: %s", j->call->method,
		             verr.message);
		err_clear(&verr);
	} else if (rc != 0) {
		err_prefix(&verr, "disk %s is detached but lies at %s",
		           cid, file);
		verr.transient = true;
		return cpi_disk_cloud_error(j, &verr, "cannot place the disk "
		                            "back (retry detach_disk)");
	}
	if (path != NULL)
		cpi_log_info(j->call->log, "%s: moved disk %s back from %s "
		             "to %s", j->call->method, cid, file, path);
	free(path);
	if (!vs_disk_record_key(key, sizeof(key), cid))
		return 0;
	if (vs_disk_vm_set_option(j->c, &j->vm, key, "", &verr) != 0)
		return cpi_disk_cloud_error(j, &verr,
		                            "removing the disk record");
	return 0;
}

/* detach_disk of a disk not attached (d NULL): an earlier detach_disk
 * that stopped before the disk was back in disk_path is finished; else
 * DiskNotAttached, after env.iso is written again from guestinfo. */
static int
detach_gone(struct cpi_disk_job *j, const char *cid, const char *vm_cid,
            const struct vs_disk_record *r)
{
	int rc;

	if (r != NULL && r->detached) {
		rc = finish_move(j, j->id.name, r->path);
		if (rc == 0)
			rc = cpi_disk_rewrite_env(j, cid, NULL);
		return rc;
	}
	/* A call whose reconfigure reply was lost, or whose env.iso upload
	 * failed, detached the disk but left env.iso naming it; the
	 * Director's retry ends here. */
	rc = cpi_disk_rewrite_env(j, cid, NULL);
	if (rc == 0)
		rc = cpi_err_set(j->call->err, CPI_ERROR_DISK_NOT_ATTACHED,
		                 true, "Disk '%s' is not attached to VM "
		                 "'%s'", cid, vm_cid);
	return rc;
}

/* The record the detach's reconfigure writes into rec (key: room for
 * it; *value malloc'd): "detached <file>" when the file must move back,
 * else the record removed ("none" over a Ruby CPI vApp property, which
 * stays: vsphere/disk.h).  Nothing when there is none to change. */
static int
detach_record(struct vs_vm_option *rec, char *key, size_t key_size,
              char **value, struct cpi_disk_job *j,
              const struct vs_disk_record *r, const char *file, bool move)
{
	struct err verr = {0};

	if ((!move && r == NULL) ||
	    !vs_disk_record_key(key, key_size, j->id.name))
		return 0;
	if (move) {
		if (vs_disk_record_detached(value, file, &verr) != 0)
			return cpi_disk_cloud_error(j, &verr, "disk record");
	} else if (r != NULL && r->by_device_key) {
		*value = strdup(VS_DISK_RECORD_NONE);
	} else {
		*value = strdup("");
	}
	if (*value == NULL)
		return cpi_disk_nomem(j->call);
	rec->key = key;
	rec->value = *value;
	return 0;
}

/* Detaches device d (file: its file) with its record and the settings
 * without it, then puts a moved file back. */
static int
detach_device(struct cpi_disk_job *j, const char *cid, const char *vm_cid,
              const struct vs_device *d, const char *file)
{
	const struct vs_disk_record *r = vs_disk_vm_record(j->v, j->id.name);
	struct vs_vm_option rec = {0};
	struct err verr = {0};
	char key[VS_DISK_CID_MAX + 32];
	char *settings = NULL, *value = NULL;
	bool move;
	int rc;

	/* moved by Storage vMotion: the record says where it lies until it
	 * is back */
	move = vs_disk_must_move(file, j->v->info->vm_path_name, j->id.name);
	rc = detach_record(&rec, key, sizeof(key), &value, j, r, file, move);
	if (rc == 0)
		rc = cpi_disk_edit_settings(&settings, j, cid, NULL);
	if (rc != 0)
		goto cleanup;
	rc = vs_disk_detach(j->c, j->v->info, d, settings, settings != NULL ?
	                    strlen(settings) : 0, &rec, rec.key != NULL ? 1 :
	                    0, &verr);
	if (rc != 0) {
		rc = cpi_disk_cloud_error(j, &verr, cid);
		goto cleanup;
	}
	if (settings != NULL)
		rc = cpi_disk_upload_env(j, settings);
	if (rc == 0)
		cpi_log_info(j->call->log, "detach_disk: %s from %s", cid,
		             vm_cid);
	if (rc == 0 && move)
		rc = finish_move(j, j->id.name, file);
cleanup:
	free(value);
	wipe_free(settings);
	return rc;
}

int
cpi_method_detach_disk(json_t **result, struct cpi_call *call)
{
	const char *vm_cid, *cid;
	const struct vs_device *d;
	struct cpi_disk_job j = { .call = call };
	char *file = NULL;
	int rc;

	*result = NULL;
	rc = open_vm_disk(&d, &vm_cid, &cid, &j);
	if (rc != 0)
		goto cleanup;
	if (d == NULL) {
		rc = detach_gone(&j, cid, vm_cid,
		                 vs_disk_vm_record(j.v, j.id.name));
		goto cleanup;
	}
	file = strdup(d->file_name);
	if (file == NULL)
		rc = cpi_disk_nomem(call);
	else
		rc = detach_device(&j, cid, vm_cid, d, file);
cleanup:
	free(file);
	return cpi_disk_finish(&j, rc);
}
