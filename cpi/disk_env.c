/*
 * cpi/disk_env.c: the disk hint and the agent settings the disk
 * methods rewrite (guestinfo and env.iso; disk_job.h).
 */
#include "cpi/disk_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/wipe.h"
#include "cpi/image.h"
#include "vsphere/files.h"
#include "vsphere/vm.h"

/* The hint of device d: {"id": uuid} with disk.enableUUID (the device's
 * backing uuid, else the one vCenter reported for the file), else the
 * unit number as a string.  New reference. */
json_t *
cpi_disk_make_hint(const struct vs_disk_vm *v, const struct vs_device *d,
                   int unit, const char *file_uuid)
{
	char buf[16];
	char *uuid;
	json_t *h;
	size_t i;

	if (v->enable_uuid) {
		if (d != NULL && d->disk_uuid != NULL)
			file_uuid = d->disk_uuid;
		uuid = strdup(file_uuid != NULL ? file_uuid : "");
		if (uuid == NULL || uuid[0] == '\0') {
			free(uuid);
			return NULL;
		}
		for (i = 0; uuid[i] != '\0'; i++) {
			if (uuid[i] >= 'A' && uuid[i] <= 'Z')
				uuid[i] = (char)(uuid[i] - 'A' + 'a');
		}
		h = json_pack("{ss}", "id", uuid);
		free(uuid);
		return h;
	}
	snprintf(buf, sizeof(buf), "%d", d != NULL ? d->unit_number : unit);
	return json_string(buf);
}

/* The CD-ROM's ISO file, or NULL. */
static const char *
env_iso_path(const struct vs_vm_info *info)
{
	size_t i, len;

	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (d->kind != VS_VM_DEV_CDROM || d->file_name == NULL)
			continue;
		len = strlen(d->file_name);
		if (len >= 8 && strcmp(d->file_name + len - 8, "/env.iso") == 0)
			return d->file_name;
	}
	return NULL;
}

/* The VM's settings with disks.persistent[cid] set to hint (hint NULL:
 * removed).  *out is NULL (nothing to rewrite) when the VM has no
 * readable settings; that is logged, not an error. */
int
cpi_disk_edit_settings(char **out, struct cpi_disk_job *j, const char *cid,
                       json_t *hint)
{
	json_t *root, *disks, *pers;
	json_error_t jerr;
	int rc = 0;

	*out = NULL;
	if (j->v->settings == NULL) {
		cpi_log_warn(j->call->log, "%s: VM has no readable agent "
		             "settings; disks.persistent not updated",
		             j->call->method);
		return 0;
	}
	root = json_loadb(j->v->settings, j->v->settings_len, 0, &jerr);
	if (root == NULL || !json_is_object(root)) {
		cpi_log_warn(j->call->log, "%s: the VM's agent settings are "
		             "not a JSON object; disks.persistent not updated",
		             j->call->method);
		goto cleanup;
	}
	disks = json_object_get(root, "disks");         /* borrowed */
	if (disks == NULL) {
		disks = json_object();
		if (json_object_set_new(root, "disks", disks) != 0) {
			rc = cpi_disk_nomem(j->call);
			goto cleanup;
		}
	}
	if (!json_is_object(disks)) {
		rc = cpi_err_set(j->call->err, CPI_ERROR_CLOUD, false,
		                 "%s: the VM's agent settings hold a "
		                 "malformed disks entry", j->call->method);
		goto cleanup;
	}
	pers = json_object_get(disks, "persistent");    /* borrowed */
	if (pers == NULL || !json_is_object(pers)) {
		pers = json_object();
		if (json_object_set_new(disks, "persistent", pers) != 0) {
			rc = cpi_disk_nomem(j->call);
			goto cleanup;
		}
	}
	if (hint != NULL && json_object_set(pers, cid, hint) != 0) {
		rc = cpi_disk_nomem(j->call);
		goto cleanup;
	}
	if (hint == NULL)
		json_object_del(pers, cid);
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (*out == NULL)
		rc = cpi_disk_nomem(j->call);
cleanup:
	json_decref(root);
	return rc;
}

/* Rebuilds env.iso from settings and uploads it over the CD-ROM's file
 * (sensitive: never recorded). */
int
cpi_disk_upload_env(struct cpi_disk_job *j, const char *settings)
{
	const char *iso_path = env_iso_path(j->v->info);
	struct err verr = {0};
	unsigned char *iso = NULL;
	size_t iso_len = 0;
	int rc;

	if (iso_path == NULL) {
		cpi_log_warn(j->call->log, "%s: the VM has no env.iso CD-ROM; "
		             "only guestinfo was updated", j->call->method);
		return 0;
	}
	rc = cpi_iso_build(&iso, &iso_len, "env",
	                   (const unsigned char *)settings, strlen(settings),
	                   NULL, j->call->err);
	if (rc < 0)
		return ERR_FAIL;
	rc = vs_file_upload_mem(j->c, cpi_disk_dc_conf(j)->name, iso_path, iso,
	                                 iso_len, true, &verr);
	memset(iso, 0, iso_len);
	free(iso);
	if (rc != 0)
		return cpi_disk_cloud_error(j, &verr, "env.iso upload");
	return 0;
}

/* env.iso made again from guestinfo with cid's entry set to hint (NULL:
 * removed): repairs what an earlier call left half done.  One upload. */
int
cpi_disk_rewrite_env(struct cpi_disk_job *j, const char *cid, json_t *hint)
{
	char *settings = NULL;
	int rc;

	rc = cpi_disk_edit_settings(&settings, j, cid, hint);
	if (rc == 0 && settings != NULL)
		rc = cpi_disk_upload_env(j, settings);
	wipe_free(settings);
	return rc;
}
