/*
 * vsphere/disk_attach.c: a disk's SCSI slot, attach and detach (disk.h).
 */
#include "vsphere/disk_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/wipe.h"
#include "vsphere/create.h"
#include "vsphere/devices.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"

#define SCSI_UNITS 16           /* units 0..15 per SCSI controller */
#define SCSI_SELF_UNIT 7        /* the controller's own */

/* The last path component of a "[ds] dir/file" name. */
const char *
vs_disk__base_name(const char *file_name)
{
	const char *slash = strrchr(file_name, '/');
	const char *bracket;

	if (slash != NULL)
		return slash + 1;
	bracket = strchr(file_name, ']');
	if (bracket == NULL)
		return file_name;
	bracket++;
	while (*bracket == ' ')
		bracket++;
	return bracket;
}

bool
vs_disk_device_cid(char *buf, size_t size, const struct vs_device *d)
{
	const char *b;
	size_t len;

	if (d == NULL || d->kind != VS_VM_DEV_DISK || d->file_name == NULL)
		return false;
	b = vs_disk__base_name(d->file_name);
	len = strlen(b);
	if (len <= 5 || strcmp(b + len - 5, ".vmdk") != 0 ||
	    len - 5 >= size)
		return false;
	memcpy(buf, b, len - 5);
	buf[len - 5] = '\0';
	return true;
}

const struct vs_device *
vs_disk_vm_device(const struct vs_vm_info *info, const char *cid)
{
	char buf[VS_DISK_CID_MAX + 1];
	size_t i;

	if (info == NULL || !vs_disk_cid_valid(cid))
		return NULL;
	for (i = 0; i < info->ndevices; i++) {
		if (vs_disk_device_cid(buf, sizeof(buf), &info->devices[i]) &&
		    strcmp(buf, cid) == 0)
			return &info->devices[i];
	}
	return NULL;
}

bool
vs_disk__is_scsi_controller(const struct vs_device *d)
{
	static const char *const types[] = {
		"ParaVirtualSCSIController", "VirtualLsiLogicController",
		"VirtualLsiLogicSASController", "VirtualBusLogicController",
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(d->type, types[i]) == 0)
			return true;
	}
	return false;
}

int
vs_disk_free_unit(int *ctl_key_out, int *unit_out,
                  const struct vs_vm_info *info, struct err *err)
{
	bool used[SCSI_UNITS];
	size_t i, j, nctl = 0;
	int u;

	*ctl_key_out = 0;
	*unit_out = -1;
	for (i = 0; info != NULL && i < info->ndevices; i++) {
		const struct vs_device *ctl = &info->devices[i];

		if (!vs_disk__is_scsi_controller(ctl))
			continue;
		nctl++;
		memset(used, 0, sizeof(used));
		used[SCSI_SELF_UNIT] = true;
		for (j = 0; j < info->ndevices; j++) {
			const struct vs_device *d = &info->devices[j];

			if (d->has_controller_key &&
			    d->controller_key == ctl->key &&
			    d->has_unit_number && d->unit_number >= 0 &&
			    d->unit_number < SCSI_UNITS)
				used[d->unit_number] = true;
		}
		for (u = 0; u < SCSI_UNITS; u++) {
			if (!used[u]) {
				*ctl_key_out = ctl->key;
				*unit_out = u;
				return 0;
			}
		}
	}
	if (nctl == 0)
		return err_set(err, ERR_ENOTFOUND, "VM %s has no SCSI "
		               "controller", info != NULL ?
		               info->vm.value : "?");
	return err_set(err, ERR_ENOTFOUND, "VM %s: every unit of its %zu "
	               "SCSI controller(s) is taken", info->vm.value,
	               nctl);
}

#define MAX_SCSI_CONTROLLERS 4
#define NEW_CONTROLLER_KEY (-100)

int
vs_disk_pick_slot(struct vs_disk_slot *out, const struct vs_vm_info *info,
                  struct err *err)
{
	struct err e;
	const char *type = "ParaVirtualSCSIController";
	size_t i;
	int nctl = 0, rc;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	rc = vs_disk_free_unit(&out->ctl_key, &out->unit, info, &e);
	if (rc != ERR_ENOTFOUND) {
		if (rc != 0)
			err_keep_first(err, &e);
		return rc;
	}
	for (i = 0; info != NULL && i < info->ndevices; i++) {
		if (!vs_disk__is_scsi_controller(&info->devices[i]))
			continue;
		if (nctl == 0)
			type = info->devices[i].type;
		nctl++;
	}
	if (info == NULL || nctl >= MAX_SCSI_CONTROLLERS)
		return err_set(err, ERR_ENOTFOUND, "VM %s: every unit of "
		               "its %d SCSI controllers is taken",
		               info != NULL ? info->vm.value : "?", nctl);
	out->new_controller = true;
	out->ctl_key = NEW_CONTROLLER_KEY;
	out->unit = 0;
	out->bus = nctl;
	snprintf(out->ctl_type, sizeof(out->ctl_type), "%s", type);
	return 0;
}

/* The reconfigure of attach and detach: the disk change (after a new
 * controller when ctl is not NULL) plus the settings. */
static int
disk_reconfigure(struct vs_client *c, const struct vs_vm_info *info,
                 const struct vs_vm_device_change *ctl,
                 const struct vs_vm_device_change *ch, const char *settings,
                 size_t settings_len, const struct vs_vm_option *recs,
                 size_t nrecs, struct err *err)
{
	struct vs_vm_device_change both[2];
	struct vs_vm_option *extra = NULL;
	struct vs_vm_config cfg;
	char *userdata = NULL;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.changes = ch;
	cfg.nchanges = 1;
	if (ctl != NULL) {
		both[0] = *ctl;
		both[1] = *ch;
		cfg.changes = both;
		cfg.nchanges = 2;
	}
	if (nrecs > 16)
		return err_set(err, ERR_EINVAL, "too many disk records");
	extra = calloc(nrecs + 2, sizeof(*extra));
	if (extra == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (settings != NULL) {
		rc = vs_base64(&userdata, settings, settings_len, err);
		if (rc != 0) {
			free(extra);
			return rc;
		}
		extra[0].key = "guestinfo.userdata";
		extra[0].value = userdata;
		extra[1].key = "guestinfo.userdata.encoding";
		extra[1].value = "base64";
		cfg.nextra = 2;
	}
	if (nrecs > 0)
		memcpy(&extra[cfg.nextra], recs, nrecs * sizeof(*recs));
	cfg.nextra += nrecs;
	if (cfg.nextra > 0)
		cfg.extra = extra;
	rc = vs_vm_reconfigure(c, &info->vm, &cfg, err);
	if (userdata != NULL)
		wipe_free(userdata);
	free(extra);
	return rc;
}

int
vs_disk_attach(struct vs_client *c, const struct vs_vm_info *info,
               const char *ds_path, const struct vs_moref *ds,
               const struct vs_disk_slot *slot, const char *settings,
               size_t settings_len, const struct vs_vm_option *recs,
               size_t nrecs, struct err *err)
{
	struct vs_vm_device_change ch, ctl;

	if (info == NULL || ds_path == NULL || slot == NULL ||
	    slot->unit < 0 || slot->unit >= SCSI_UNITS ||
	    slot->unit == SCSI_SELF_UNIT)
		return err_set(err, ERR_EINVAL, "attach disk: bad "
		               "arguments");
	memset(&ctl, 0, sizeof(ctl));
	if (slot->new_controller) {
		ctl.operation = VS_OP_ADD;
		ctl.kind = VS_VM_DEV_CONTROLLER;
		ctl.type_name = slot->ctl_type;
		ctl.key = slot->ctl_key;
		ctl.bus_number = slot->bus;
	}
	memset(&ch, 0, sizeof(ch));
	ch.operation = VS_OP_ADD;
	ch.file_operation = VS_FILEOP_NONE;      /* the file exists */
	ch.kind = VS_VM_DEV_DISK;
	ch.key = -1;
	ch.controller_key = slot->ctl_key;
	ch.has_unit_number = true;
	ch.unit_number = slot->unit;
	ch.file_name = ds_path;
	ch.datastore = ds;
	ch.disk_mode = "independent_persistent";
	ch.capacity_kb = 0;     /* an existing file: vCenter reads it */
	return disk_reconfigure(c, info, slot->new_controller ? &ctl : NULL,
	                        &ch, settings, settings_len, recs, nrecs, err);
}

int
vs_disk_detach(struct vs_client *c, const struct vs_vm_info *info,
               const struct vs_device *d, const char *settings,
               size_t settings_len, const struct vs_vm_option *recs,
               size_t nrecs, struct err *err)
{
	struct vs_vm_device_change ch;

	if (info == NULL || d == NULL || d->kind != VS_VM_DEV_DISK ||
	    d->file_name == NULL)
		return err_set(err, ERR_EINVAL, "detach disk: bad "
		               "arguments");
	vs_vm_disk_remove_change(&ch, d);
	return disk_reconfigure(c, info, NULL, &ch, settings, settings_len,
	                        recs, nrecs, err);
}
