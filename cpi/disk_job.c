/*
 * cpi/disk_job.c: the steps the disk methods share: the session, the
 * datacenter, the disk (wherever it lies) and the VM (disk_job.h).
 */
#include "cpi/disk_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/vcenter.h"
#include "cpi/vm_cid.h"
#include "vsphere/disk.h"
#include "vsphere/vm.h"

void
cpi_disk_job_clear(struct cpi_disk_job *j)
{
	vs_disk_dss_free(j->dss);
	vs_disk_reach_clear(&j->reach);
	vs_disk_vm_free(j->v);
	vs_disk_loc_clear(&j->loc);
	cpi_disk_cid_clear(&j->id);
}

const struct cpi_datacenter *
cpi_disk_dc_conf(const struct cpi_disk_job *j)
{
	return &j->call->config->vcenter.datacenter;
}

/* A vsphere failure as a CloudError (ok_to_retry from the cause). */
int
cpi_disk_cloud_error(struct cpi_disk_job *j, struct err *verr,
                     const char *what)
{
	err_prefix(verr, "%s: %s", j->call->method, what);
	return cpi_err_from_vs(j->call->err, CPI_ERROR_CLOUD, verr);
}

/* Session and the datacenter. */
int
cpi_disk_open_dc(struct cpi_disk_job *j)
{
	if (cpi_vcenter_open(&j->c, j->call) != 0)
		return ERR_FAIL;
	return cpi_datacenter_find(&j->dc, j->c, j->call);
}

int
cpi_disk_read_datastores(struct cpi_disk_job *j)
{
	struct vs_pod_want global = {
		.pattern = cpi_disk_dc_conf(j)->
		           persistent_datastore_cluster_pattern,
	};
	const struct vs_pod_want *pods = j->pods;
	struct err verr = {0};

	/* a disk without a cid pattern belongs to the persistent patterns,
	 * the datastore cluster one too */
	if (pods == NULL && j->id.pattern == NULL)
		pods = &global;
	if (vs_disk_datastores_pods(&j->dss, &j->reach, &j->has_reach, j->c,
	                            &j->dc, j->has_near ? &j->near : NULL,
	                            pods, &verr) != 0)
		return cpi_disk_cloud_error(j, &verr, "datastores");
	return 0;
}

/* The disk where no "<disk_path>/<cid>.vmdk" is (moved by hand, or a
 * disk_path that changed): through the VM that has it attached,
 * anywhere in the datacenter's VM folders (1 round trip and the uuid
 * query, only on this path). */
static int
locate_attached(struct cpi_disk_job *j, struct err *verr)
{
	int rc;

	err_clear(verr);
	rc = vs_disk_find_attached(&j->loc, j->c, &j->dc, &j->dc, j->dss,
	                           j->id.name, verr);
	if (rc == 0) {
		j->attached = true;
		cpi_log_info(j->call->log, "%s: disk %s found attached as %s",
		             j->call->method, j->id.name, j->loc.path);
	}
	return rc;
}

/* Where disk j->id belongs: the cid's target_datastore_pattern (a Ruby
 * CPI cid), else persistent_datastore_pattern. */
const char *
cpi_disk_target_pattern(const struct cpi_disk_job *j)
{
	return j->id.pattern != NULL ? j->id.pattern :
	       cpi_disk_dc_conf(j)->persistent_datastore_pattern;
}

/* Finds disk j->id (cid is the Director's, for messages): the datastores
 * matching cpi_disk_target_pattern() first; DiskNotFound when it is nowhere. */
int
cpi_disk_locate(struct cpi_disk_job *j, const char *cid)
{
	struct err verr = {0};
	int rc;

	if (j->dss == NULL && cpi_disk_read_datastores(j) != 0)
		return ERR_FAIL;
	rc = vs_disk_locate(&j->loc, j->c, &j->dc, j->dss,
	                    cpi_disk_target_pattern(j),
	                    cpi_disk_dc_conf(j)->disk_path, j->id.name, &verr);
	if (rc == ERR_ENOTFOUND) {
		/* not where the cid says: by its file name on the datastores,
		 * then through the VMs (only on this path) */
		err_clear(&verr);
		rc = vs_disk_search_name(&j->loc, j->c, &j->dc, j->dss,
		                         cpi_disk_target_pattern(j), j->id.name,
		                         &verr);
		if (rc == 0)
			cpi_log_info(j->call->log, "%s: disk %s found at %s",
			             j->call->method, j->id.name, j->loc.path);
	}
	if (rc == ERR_ENOTFOUND)
		rc = locate_attached(j, &verr);
	if (rc == ERR_ENOTFOUND)
		return cpi_err_set(j->call->err, CPI_ERROR_DISK_NOT_FOUND,
		                   false, "Disk '%s' not found", cid);
	if (rc != 0)
		return cpi_disk_cloud_error(j, &verr, cid);
	return 0;
}

/* Finds the VM where the Ruby CPI finds it (cpi_vm_lookup(): its path,
 * else by name anywhere in the datacenter); VMNotFound only when the
 * datacenter and vm_folder exist. */
int
cpi_disk_find_vm(struct cpi_disk_job *j, const char *cid)
{
	int rc;

	rc = cpi_vm_lookup(&j->vm, j->c, j->call, cid);
	if (rc == 1)
		return cpi_err_set(j->call->err, CPI_ERROR_VM_NOT_FOUND,
		                   false, "VM '%s' not found", cid);
	return rc;
}

/* attach_disk and detach_disk: both cids checked, the session, then the
 * VM with its devices and agent settings (j->v). */
int
cpi_disk_open_vm(struct cpi_disk_job *j, const char *vm_cid, const char *cid)
{
	struct cpi_call *call = j->call;
	struct err verr = {0};
	int rc;

	rc = cpi_vm_cid_check(vm_cid, call->method, call->err);
	if (rc == 0)
		rc = cpi_disk_cid_parse(&j->id, cid, call->method, call->err);
	if (rc == 0)
		rc = cpi_disk_open_dc(j);
	if (rc == 0)
		rc = cpi_disk_find_vm(j, vm_cid);
	if (rc != 0)
		return rc;
	rc = vs_disk_vm_read(&j->v, j->c, &j->vm, &verr);
	if (rc == ERR_ENOTFOUND)
		return cpi_err_set(call->err, CPI_ERROR_VM_NOT_FOUND,
		                   false, "VM '%s' not found", vm_cid);
	if (rc != 0)
		return cpi_disk_cloud_error(j, &verr, vm_cid);
	j->near = j->v->info->host;
	j->has_near = j->v->info->has_host;
	return 0;
}

int
cpi_disk_finish(struct cpi_disk_job *j, int rc)
{
	if (cpi_vcenter_close(j->c, j->call) != 0)
		rc = ERR_FAIL;
	j->c = NULL;
	cpi_disk_job_clear(j);
	return rc;
}

int
cpi_disk_answer(json_t **result, struct cpi_disk_job *j, int rc,
                json_t *value)
{
	rc = cpi_disk_finish(j, rc);
	if (rc == 0 && value == NULL)
		rc = cpi_disk_nomem(j->call);
	if (rc == 0) {
		*result = value;
		value = NULL;
	}
	json_decref(value);
	return rc;
}

int
cpi_disk_nomem(struct cpi_call *call)
{
	return cpi_err_set(call->err, CPI_ERROR_CPI, false,
	                   "out of memory");
}
