/*
 * cpi/methods_vm.c: has_vm, delete_vm, reboot_vm, set_vm_metadata.
 *
 * Each method opens one vCenter session (cpi/vcenter.h) and closes it on
 * every path.  A VM is found where the Ruby CPI finds it
 * (cpi_vm_lookup()): at its inventory path
 * "<dc>/vm/<vm_folder>[/<director_uuid>]/<vm_cid>" first (so has_vm
 * costs four round trips in the common case, whatever the size of the
 * inventory), else by name anywhere under the datacenter's VM folders.
 * "Not found" (has_vm false, VMNotFound) is answered only when the
 * datacenter and vm_folder exist: a wrong config is a CloudError naming
 * the key.  cpi/vcenter.c logs each call's round trips, logout
 * included.
 */
#include "cpi/methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpi/vcenter.h"
#include "vsphere/create.h"
#include "vsphere/disk.h"
#include "vsphere/drs.h"
#include "vsphere/vm.h"

#define MAX_CID 80              /* vCenter's limit for entity names */
#define MAX_META_KEY 255

/* A VM cid as this CPI makes them ("vm-<uuid>"): [A-Za-z0-9_.-], not
 * "." or "..", at most MAX_CID bytes. */
static int
check_cid(const char *cid, const char *method, struct cpi_error *err)
{
	size_t i, len;

	len = cid != NULL ? strnlen(cid, MAX_CID + 1) : 0;
	if (len == 0 || len > MAX_CID)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "%s: vm_cid must be 1 to %d characters",
		                     method, MAX_CID);
	for (i = 0; i < len; i++) {
		char ch = cid[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-'))
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "%s: vm_cid may only hold "
			                     "A-Z a-z 0-9 _ . -", method);
	}
	if (strcmp(cid, ".") == 0 || strcmp(cid, "..") == 0)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "%s: bad vm_cid", method);
	return 0;
}

/* A failure of the vsphere layer about the VM: VMNotFound when it is
 * gone, CloudError otherwise. */
static int
vm_error(struct cpi_call *call, const char *cid, struct vs_error *verr)
{
	if (verr->code == VS_ENOTFOUND)
		return cpi_error_set(call->err, CPI_ERROR_VM_NOT_FOUND, false,
		                     "VM '%s' not found", cid);
	vs_error_prefix(verr, "%s %s", call->method, cid);
	return cpi_error_from_vs(call->err, CPI_ERROR_CLOUD, verr);
}

/* Opens the session, validates cid and finds the VM.  On failure
 * call->err is set; *c_out may be set even then (close it). */
static int
open_and_find(struct vs_client **c_out, struct vs_moref *vm,
              struct cpi_call *call, const char *cid)
{
	int rc;

	*c_out = NULL;
	memset(vm, 0, sizeof(*vm));
	rc = check_cid(cid, call->method, call->err);
	if (rc == 0)
		rc = cpi_vcenter_open(c_out, call);
	if (rc == 0)
		rc = cpi_vm_lookup(vm, *c_out, call, cid);
	if (rc == 1)
		rc = cpi_error_set(call->err, CPI_ERROR_VM_NOT_FOUND, false,
		                   "VM '%s' not found", cid);
	return rc != 0 ? CPI_ERR : 0;
}

static int
finish(struct vs_client *c, struct cpi_call *call, int rc)
{
	if (cpi_vcenter_close(c, call) != 0)
		rc = CPI_ERR;
	return rc;
}

int
cpi_method_has_vm(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct vs_client *c = NULL;
	struct vs_moref vm;
	bool found = false;
	int rc;

	*result = NULL;
	rc = check_cid(cid, call->method, call->err);
	if (rc == 0)
		rc = cpi_vcenter_open(&c, call);
	if (rc == 0) {
		/* false only when the datacenter and vm_folder exist */
		rc = cpi_vm_lookup(&vm, c, call, cid);
		found = rc == 0;
		if (rc == 1)
			rc = 0;
	}
	rc = finish(c, call, rc);
	if (rc == 0) {
		*result = json_boolean(found);
		if (*result == NULL)
			rc = cpi_error_set(call->err, CPI_ERROR_CPI, false,
			                   "out of memory");
	}
	return rc;
}

/* "disk-<uuid>" from "[ds] BOSH_Disks/disk-<uuid>.vmdk": the last path
 * component without ".vmdk", into buf (for the log). */
static void
disk_cid(char *buf, size_t size, const char *file_name)
{
	const char *base = strrchr(file_name, '/');
	size_t len;

	if (base == NULL)
		base = strrchr(file_name, ' ');
	base = base != NULL ? base + 1 : file_name;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".vmdk") == 0)
		len -= 5;
	snprintf(buf, size, "%.*s", (int)len, base);
}

/* True when a detached (kept) disk lives under "[ds] <dir>/". */
static bool
kept_disk_under(const struct vs_vm_names *kept, const char *ds,
                const char *dir)
{
	size_t i, dslen = strlen(ds), dirlen = strlen(dir);

	for (i = 0; kept != NULL && i < kept->n; i++) {
		const char *f = kept->items[i];

		if (f[0] == '[' && strncmp(f + 1, ds, dslen) == 0 &&
		    strncmp(f + 1 + dslen, "] ", 2) == 0 &&
		    strncmp(f + 3 + dslen, dir, dirlen) == 0 &&
		    f[3 + dslen + dirlen] == '/')
			return true;
	}
	return false;
}

/* Deletes one datastore path; a missing file is fine. */
static int
delete_file(struct vs_client *c, const struct vs_moref *dc, const char *ds,
            const char *path, struct vs_error *verr)
{
	struct vs_error e = {0};
	char *p = NULL;
	int rc;

	rc = vs_ds_path_format(&p, ds, path, verr);
	if (rc != 0)
		return rc;
	rc = vs_file_delete(c, dc, p, &e);
	if (rc == VS_ENOTFOUND)
		rc = 0;
	else if (rc != 0 && !vs_error_is_set(verr))
		*verr = e;
	free(p);
	return rc;
}

/* After Destroy_Task: what may be left of the VM's directory (its env
 * files) on the datastore holding the VM's files.  The whole directory
 * "[ds] <cid>" goes unless a kept disk lives there; then only the env
 * files do. */
static int
delete_env(struct vs_client *c, struct cpi_call *call, const char *cid,
           const struct vs_vm_info *info, const struct vs_vm_names *kept,
           struct vs_error *verr)
{
	static const char *const env_files[] = { "env.iso", "env.json" };
	const char *dcname = call->config->vcenter.datacenter.name;
	struct vs_ds_path vmx = { 0 };
	struct vs_error e = {0};
	struct vs_moref dc;
	const char **dss = NULL;
	char file[MAX_CID + 16];
	size_t i, j, nds = 0;
	int rc;

	/* the datastore of the .vmx, else every datastore of the VM */
	dss = calloc(info->ndatastores + 1, sizeof(*dss));
	if (dss == NULL) {
		rc = vs_error_set(verr, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (info->vm_path_name != NULL &&
	    vs_ds_path_parse(&vmx, info->vm_path_name, &e) == 0) {
		dss[nds++] = vmx.datastore;
	} else {
		for (i = 0; i < info->ndatastores; i++) {
			if (info->datastores[i].name != NULL)
				dss[nds++] = info->datastores[i].name;
		}
	}
	if (nds == 0) {
		cpi_log_warn(call->log, "delete_vm %s: no datastore known, "
		             "env files not looked for", cid);
		rc = 0;
		goto cleanup;
	}
	rc = vs_folder_find(&dc, c, dcname, verr);
	for (i = 0; rc == 0 && i < nds; i++) {
		if (!kept_disk_under(kept, dss[i], cid)) {
			rc = delete_file(c, &dc, dss[i], cid, verr);
			continue;
		}
		for (j = 0; rc == 0 && j < 2; j++) {
			snprintf(file, sizeof(file), "%s/%s", cid,
			         env_files[j]);
			rc = delete_file(c, &dc, dss[i], file, verr);
		}
	}
cleanup:
	free(dss);
	vs_ds_path_clear(&vmx);
	return rc;
}

/* Moves every kept disk that must go back to "<disk_path>/<cid>.vmdk"
 * on its datastore; *out lists where every kept disk now lies.  A disk
 * that cannot be placed back fails the call: the VM (whose directory may
 * hold the file) is then not destroyed. */
static int
place_back(struct vs_vm_names **out, struct vs_client *c,
           struct cpi_call *call, const char *cid,
           const struct vs_disk_keeps *keeps, struct vs_error *verr)
{
	const struct cpi_datacenter *dcc = &call->config->vcenter.datacenter;
	struct vs_vm_names *kept;
	struct vs_error e = {0};
	struct vs_moref dc;
	bool have_dc = false;
	size_t i;
	int rc = 0;

	*out = NULL;
	kept = calloc(1, sizeof(*kept));
	if (kept != NULL && keeps->n > 0)
		kept->items = calloc(keeps->n, sizeof(char *));
	if (kept == NULL || (keeps->n > 0 && kept->items == NULL)) {
		vs_vm_names_free(kept);
		return vs_error_set(verr, VS_ENOMEM, "out of memory");
	}
	for (i = 0; rc == 0 && i < keeps->n; i++) {
		const struct vs_disk_keep *k = &keeps->items[i];
		char *path = NULL;

		if (!k->move) {
			path = strdup(k->file);
			if (path == NULL)
				rc = vs_error_set(verr, VS_ENOMEM,
				                  "out of memory");
		} else {
			if (!have_dc) {
				rc = vs_folder_find(&dc, c, dcc->name, verr);
				if (rc != 0)
					break;
				have_dc = true;
			}
			vs_error_clear(&e);
			rc = vs_disk_place_back(&path, c, &dc, k->file,
			                        dcc->disk_path, k->cid, &e);
			if (rc == VS_ENOTFOUND) {
				/* removed outside the CPI: nothing to keep */
				cpi_log_warn(call->log, "delete_vm %s: %s", cid,
				             e.message);
				rc = 0;
				continue;
			}
			if (rc != 0) {
				*verr = e;
				vs_error_prefix(verr, "delete_vm %s: persistent "
				                "disk %s is detached but lies at "
				                "%s; the VM is kept so that its "
				                "destruction cannot take the "
				                "disk (retry delete_vm)", cid,
				                k->cid, k->file);
				verr->transient = true;
				break;
			}
			cpi_log_info(call->log, "delete_vm %s: moved "
			             "persistent disk %s back from %s to %s",
			             cid, k->cid, k->file, path);
		}
		if (rc == 0)
			kept->items[kept->n++] = path;
	}
	if (rc != 0) {
		vs_vm_names_free(kept);
		return rc;
	}
	*out = kept;
	return 0;
}

/* One leftover: as delete_vm, minus the error mapping. */
static int
remove_leftover(struct vs_client *c, struct cpi_call *call,
                const struct vs_leftover *l, struct vs_error *verr)
{
	struct vs_disk_vm *v = NULL;
	struct vs_disk_keeps *keeps = NULL;
	struct vs_vm_names *kept = NULL;
	int rc;

	rc = vs_disk_vm_read(&v, c, &l->vm, verr);
	if (rc == 0 && v->info->power != VS_VM_POWERED_OFF)
		rc = vs_vm_power_off(c, &l->vm, verr);
	if (rc == 0)
		rc = vs_disk_vm_keeps(&keeps, v, verr);
	if (rc == 0)
		rc = vs_disk_detach_keeps(c, v, keeps, verr);
	if (rc == 0)
		rc = place_back(&kept, c, call, l->name, keeps, verr);
	if (rc == 0)
		rc = vs_vm_destroy(c, &l->vm, verr);
	if (rc == 0 && check_cid(l->name, call->method, call->err) != 0)
		cpi_error_clear(call->err);     /* no env files to name */
	else if (rc == 0)
		rc = delete_env(c, call, l->name, v->info, kept, verr);
	vs_vm_names_free(kept);
	vs_disk_keeps_free(keeps);
	vs_disk_vm_free(v);
	return rc == VS_ENOTFOUND ? 0 : rc;  /* gone meanwhile: fine */
}

void
cpi_sweep_leftovers(struct vs_client *c, struct cpi_call *call,
                    const struct vs_moref *folder)
{
	struct vs_leftovers *l = NULL;
	struct vs_error verr = {0};
	size_t i;

	if (vs_create_leftovers(&l, c, folder, (long long)time(NULL),
	                        call->config->vcenter.leftover_vm_grace_s,
	                        &verr) != 0) {
		cpi_log_warn(call->log, "%s: looking for leftover VMs: %s",
		             call->method, verr.message);
		return;
	}
	for (i = 0; i < l->n; i++) {
		vs_error_clear(&verr);
		cpi_log_info(call->log, "%s: removing %s (%s), left marked as "
		             "being created since %lld by a create_vm that "
		             "never finished", call->method, l->items[i].name,
		             l->items[i].vm.value, l->items[i].since);
		if (remove_leftover(c, call, &l->items[i], &verr) != 0)
			cpi_log_warn(call->log, "%s: leftover %s stays: %s",
			             call->method, l->items[i].name,
			             verr.message);
	}
	vs_leftovers_free(l);
}

int
cpi_method_delete_vm(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct vs_client *c = NULL;
	struct vs_disk_vm *v = NULL;
	struct vs_disk_keeps *keeps = NULL;
	struct vs_vm_names *kept = NULL;
	struct vs_error verr = {0};
	struct vs_moref vm;
	char dcid[256];
	size_t i;
	int rc;

	*result = NULL;
	rc = open_and_find(&c, &vm, call, cid);
	if (rc != 0)
		goto cleanup;
	rc = vs_disk_vm_read(&v, c, &vm, &verr);
	if (rc == 0 && v->info->power != VS_VM_POWERED_OFF)
		rc = vs_vm_power_off(c, &vm, &verr);
	if (rc != 0) {
		rc = vm_error(call, cid, &verr);
		goto cleanup;
	}
	/* Persistent disks must survive Destroy_Task, wherever Storage
	 * vMotion put their files (vsphere/disk.h): detached, then moved
	 * out of the VM's directory. */
	rc = vs_disk_vm_keeps(&keeps, v, &verr);
	if (rc == 0)
		rc = vs_disk_detach_keeps(c, v, keeps, &verr);
	if (rc != 0) {
		rc = vm_error(call, cid, &verr);
		goto cleanup;
	}
	rc = place_back(&kept, c, call, cid, keeps, &verr);
	if (rc != 0) {
		rc = cpi_error_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
		goto cleanup;
	}
	for (i = 0; i < kept->n; i++) {
		disk_cid(dcid, sizeof(dcid), kept->items[i]);
		cpi_log_info(call->log, "delete_vm %s: detached persistent "
		             "disk %s (%s)", cid, dcid, kept->items[i]);
	}
	/* DRS anti-affinity rules the VM is in lose it; a rule left empty
	 * goes (one read when the VM is in none) */
	if (v->info->has_resource_pool) {
		size_t nrules = 0;

		rc = vs_drs_rules_remove_vm(&nrules, c,
		                            &v->info->resource_pool, &vm,
		                            &verr);
		if (rc != 0) {
			rc = vm_error(call, cid, &verr);
			goto cleanup;
		}
		if (nrules > 0)
			cpi_log_info(call->log, "delete_vm %s: removed from "
			             "%zu DRS rule(s)", cid, nrules);
	}
	rc = vs_vm_destroy(c, &vm, &verr);
	if (rc != 0) {
		rc = vm_error(call, cid, &verr);
		goto cleanup;
	}
	cpi_log_info(call->log, "delete_vm %s: destroyed", cid);
	rc = delete_env(c, call, cid, v->info, kept, &verr);
	if (rc != 0) {
		vs_error_prefix(&verr, "delete_vm %s: VM destroyed, but its "
		                "env files", cid);
		rc = cpi_error_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	}
	if (rc == 0 && v->info->has_parent)
		cpi_sweep_leftovers(c, call, &v->info->parent);
cleanup:
	vs_vm_names_free(kept);
	vs_disk_keeps_free(keeps);
	vs_disk_vm_free(v);
	return finish(c, call, rc);
}

int
cpi_method_reboot_vm(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct vs_client *c = NULL;
	struct vs_error verr = {0};
	struct vs_moref vm;
	bool fallback = false;
	int rc;

	*result = NULL;
	rc = open_and_find(&c, &vm, call, cid);
	if (rc == 0 && vs_vm_reboot_guest(&fallback, c, &vm, &verr) != 0)
		rc = vm_error(call, cid, &verr);
	if (rc == 0)
		cpi_log_info(call->log, "reboot_vm %s: %s", cid, fallback ?
		             "reset (guest reboot unavailable)" :
		             "guest reboot requested");
	return finish(c, call, rc);
}

/* Metadata value as text: strings as they are, numbers and booleans in
 * their JSON spelling; anything else is refused. */
static int
meta_text(char **out, const char *key, const json_t *v,
          struct cpi_error *err)
{
	const char *s;
	size_t i;

	*out = NULL;
	if (json_is_string(v))
		*out = strdup(json_string_value(v));
	else if (json_is_number(v) || json_is_boolean(v))
		*out = json_dumps(v, JSON_ENCODE_ANY);
	else
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "set_vm_metadata: metadata '%s' must be "
		                     "a string, number or boolean", key);
	if (*out == NULL)
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "out of memory");
	for (s = *out, i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ||
		    ch == 0x7f)
			break;
	}
	if (s[i] != '\0' ||
	    (json_is_string(v) && i != json_string_length(v))) {
		free(*out);
		*out = NULL;
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "set_vm_metadata: metadata '%s' holds "
		                     "control characters", key);
	}
	return 0;
}

static int
meta_key_ok(const char *key, struct cpi_error *err)
{
	size_t i, len = strlen(key);

	if (len == 0 || len > MAX_META_KEY)
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "set_vm_metadata: metadata keys must be "
		                     "1 to %d bytes", MAX_META_KEY);
	for (i = 0; i < len; i++) {
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return cpi_error_set(err, CPI_ERROR_CPI, false,
			                     "set_vm_metadata: a metadata key "
			                     "holds control characters");
	}
	return 0;
}

int
cpi_method_set_vm_metadata(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	const json_t *md = cpi_arg_object(call, 1);
	struct vs_client *c = NULL;
	struct vs_error verr = {0};
	struct vs_moref vm;
	const char **keys = NULL;
	char **values = NULL;
	const char *key;
	const json_t *v;
	size_t i, n = 0, cap;
	int rc = 0;

	*result = NULL;
	cap = md != NULL ? json_object_size(md) : 0;
	if (cap > 0) {
		keys = calloc(cap, sizeof(*keys));
		values = calloc(cap, sizeof(*values));
		if (keys == NULL || values == NULL) {
			rc = cpi_error_set(call->err, CPI_ERROR_CPI, false,
			                   "out of memory");
			goto cleanup;
		}
	}
	/* everything is checked before vCenter is contacted */
	if (md != NULL) {
		json_object_foreach((json_t *)md, key, v) {
			if (n >= cap)
				break;
			rc = meta_key_ok(key, call->err);
			if (rc == 0)
				rc = meta_text(&values[n], key, v, call->err);
			if (rc != 0)
				goto cleanup;
			keys[n++] = key;
		}
	}
	rc = open_and_find(&c, &vm, call, cid);
	if (rc != 0)
		goto cleanup;
	if (vs_vm_set_custom_fields(c, &vm, keys,
	                            (const char *const *)values, n,
	                            &verr) != 0) {
		rc = vm_error(call, cid, &verr);
		goto cleanup;
	}
	cpi_log_info(call->log, "set_vm_metadata %s: %zu field(s) set", cid,
	             n);
cleanup:
	for (i = 0; values != NULL && i < n; i++)
		free(values[i]);
	if (values != NULL && n < cap)
		free(values[n]);    /* a value refused after strdup */
	free(values);
	free(keys);
	return finish(c, call, rc);
}
