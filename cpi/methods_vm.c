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

#include "cpi/create_journal.h"
#include "cpi/vcenter.h"
#include "cpi/vm_cid.h"
#include "vsphere/create.h"
#include "vsphere/vm.h"
#include "vsphere/vm_remove.h"

#define MAX_META_KEY 255

/* A failure of the vsphere layer about the VM: VMNotFound when it is
 * gone, CloudError otherwise. */
static int
vm_error(struct cpi_call *call, const char *cid, struct err *verr)
{
	if (verr->code == ERR_ENOTFOUND)
		return cpi_err_set(call->err, CPI_ERROR_VM_NOT_FOUND, false,
		                   "VM '%s' not found", cid);
	err_prefix(verr, "%s %s", call->method, cid);
	return cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, verr);
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
	rc = cpi_vm_cid_check(cid, call->method, call->err);
	if (rc == 0)
		rc = cpi_vcenter_open(c_out, call);
	if (rc == 0)
		rc = cpi_vm_lookup(vm, *c_out, call, cid);
	if (rc == 1)
		rc = cpi_err_set(call->err, CPI_ERROR_VM_NOT_FOUND, false,
		                 "VM '%s' not found", cid);
	return rc != 0 ? ERR_FAIL : 0;
}

static int
finish(struct vs_client *c, struct cpi_call *call, int rc)
{
	if (cpi_vcenter_close(c, call) != 0)
		rc = ERR_FAIL;
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
	rc = cpi_vm_cid_check(cid, call->method, call->err);
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
			rc = cpi_err_set(call->err, CPI_ERROR_CPI, false,
			                 "out of memory");
	}
	return rc;
}

/* The removal delete_vm and the leftover sweep share: persistent disks
 * kept, out of DRS rules and VM groups, the VM's directory cleaned (when
 * dir is set). */
static void
remove_opts(struct vs_vm_remove_opts *o, struct cpi_call *call,
            const char *what, const char *dir)
{
	const struct cpi_datacenter *dcc = &call->config->vcenter.datacenter;

	memset(o, 0, sizeof(*o));
	o->what = what;
	o->power = VS_VM_REMOVE_POWER_READ;
	o->keep_disks = true;
	o->datacenter = dcc->name;
	o->disk_path = dcc->disk_path;
	o->leave_drs = true;
	o->dir = dir;
}

/* One leftover: as delete_vm, minus the error mapping; a VM gone
 * meanwhile is fine. */
static int
remove_leftover(struct vs_client *c, struct cpi_call *call,
                const char *name, const struct vs_moref *vm,
                struct err *verr)
{
	struct vs_vm_remove_opts o;
	char what[CPI_VM_CID_MAX + 32];
	const char *dir = name;

	if (!cpi_vm_cid_ok(name))
		dir = NULL;               /* no env files to name */
	snprintf(what, sizeof(what), "%s: leftover %.*s", call->method,
	         CPI_VM_CID_MAX, name);
	remove_opts(&o, call, what, dir);
	o.gone_ok = true;
	return vs_vm_remove(NULL, c, vm, &o, verr);
}

/* One old journal entry: its VM looked up by path and removed; the
 * entry goes once nothing is left (a VM never made, or removed). */
static void
sweep_one(struct vs_client *c, struct cpi_call *call, const char *dir,
          const struct cpi_journal_entry *e)
{
	struct vs_moref vm;
	struct err verr = {0};
	char *path = NULL;
	int rc;

	rc = vs_vm_path(&path, e->datacenter, e->folder[0] != '\0' ?
	                e->folder : NULL, e->cid, &verr);
	if (rc == 0)
		rc = vs_vm_find(&vm, c, path, &verr);
	if (rc == 0) {
		cpi_log_info(call->log, "%s: removing %s (%s), left by a "
		             "create_vm started at %lld that never finished",
		             call->method, e->cid, vm.value, e->since);
		err_clear(&verr);
		rc = remove_leftover(c, call, e->cid, &vm, &verr);
	}
	if (rc == 0 || rc == ERR_ENOTFOUND)
		rc = cpi_journal_remove(dir, e->cid, call->err);
	else
		cpi_log_warn(call->log, "%s: leftover %s stays: %s",
		             call->method, e->cid, verr.message);
	if (rc < 0 && err_is_set(call->err)) {
		cpi_log_warn(call->log, "%s: %s", call->method,
		             call->err->message);
		err_clear(call->err);
	}
	free(path);
}

void
cpi_sweep_leftovers(struct vs_client *c, struct cpi_call *call)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	struct cpi_journal_entry *l = NULL;
	char *dir = NULL;
	size_t i, n = 0, bad = 0;

	if (cpi_journal_dir(&dir, vc, call->err) < 0 ||
	    cpi_journal_old(&l, &n, &bad, dir, (long long)time(NULL),
	                    cpi_journal_grace(vc), call->err) < 0) {
		cpi_log_warn(call->log, "%s: looking for leftover VMs: %s",
		             call->method, call->err->message);
		err_clear(call->err);
		free(dir);
		return;
	}
	if (bad > 0)
		cpi_log_warn(call->log, "%s: %zu unreadable file(s) in the "
		             "leftover journal %s", call->method, bad, dir);
	for (i = 0; i < n; i++) {
		/* another vCenter's entry is that vCenter's business */
		if (strcmp(l[i].vcenter, vc->url) == 0)
			sweep_one(c, call, dir, &l[i]);
	}
	free(l);
	free(dir);
}

int
cpi_method_delete_vm(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct vs_client *c = NULL;
	struct vs_vm_remove_opts o;
	struct vs_vm_removal out;
	struct err verr = {0};
	struct vs_moref vm;
	char what[CPI_VM_CID_MAX + 16];
	int rc;

	*result = NULL;
	rc = open_and_find(&c, &vm, call, cid);
	if (rc != 0)
		goto cleanup;
	/* Persistent disks survive Destroy_Task, wherever Storage vMotion
	 * put their files (vsphere/disk.h): detached, then moved out of the
	 * VM's directory; DRS rules and VM groups lose the VM. */
	snprintf(what, sizeof(what), "delete_vm %s", cid);
	remove_opts(&o, call, what, cid);
	rc = vs_vm_remove(&out, c, &vm, &o, &verr);
	if (rc != 0 && out.stage == VS_VM_REMOVE_AT_VM)
		rc = vm_error(call, cid, &verr);
	else if (rc != 0)
		rc = cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	if (rc == 0)
		cpi_sweep_leftovers(c, call);
cleanup:
	return finish(c, call, rc);
}

int
cpi_method_reboot_vm(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct vs_client *c = NULL;
	struct err verr = {0};
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
          struct err *err)
{
	const char *s;
	size_t i;

	*out = NULL;
	if (json_is_string(v))
		*out = strdup(json_string_value(v));
	else if (json_is_number(v) || json_is_boolean(v))
		*out = json_dumps(v, JSON_ENCODE_ANY);
	else
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "set_vm_metadata: metadata '%s' must be "
		                   "a string, number or boolean", key);
	if (*out == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
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
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "set_vm_metadata: metadata '%s' holds "
		                   "control characters", key);
	}
	return 0;
}

static int
meta_key_ok(const char *key, struct err *err)
{
	size_t i, len = strlen(key);

	if (len == 0 || len > MAX_META_KEY)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "set_vm_metadata: metadata keys must be "
		                   "1 to %d bytes", MAX_META_KEY);
	for (i = 0; i < len; i++) {
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
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
	struct err verr = {0};
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
			rc = cpi_err_set(call->err, CPI_ERROR_CPI, false,
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
