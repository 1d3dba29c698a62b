/*
 * cpi/disk_job.h: the steps the disk methods share (internal to
 * methods_disk.c, methods_disk_attach.c, disk_job.c and disk_env.c).
 *
 * A method fills a struct cpi_disk_job step by step and ends with
 * cpi_disk_finish(), which closes the session and frees what the job
 * holds.  Every step returns 0 or ERR_FAIL with the error in
 * job->call->err.
 */
#ifndef CPI_DISK_JOB_H
#define CPI_DISK_JOB_H

#include <stdbool.h>

#include <jansson.h>

#include "cpi/disk_cid.h"
#include "cpi/dispatch.h"
#include "vsphere/disk.h"

/* What every method holds. */
struct cpi_disk_job {
	struct cpi_call *call;
	struct vs_client *c;
	struct vs_moref dc;
	struct vs_disk_dss *dss;
	struct vs_moref near;       /* the VM's host, or the VM (has_near): */
	bool has_near;              /* what that host reaches is read with */
	struct vs_disk_reach reach; /* the datastores into reach */
	bool has_reach;
	struct vs_moref vm;
	struct vs_disk_vm *v;
	struct vs_disk_loc loc;
	struct cpi_disk_cid id;     /* the disk cid: file name, pattern */
	bool attached;              /* loc found through a VM's devices */
	const struct vs_pod_want *pods; /* create_disk: datastore clusters
	                                   read with the datastores */
};

/* --- disk_job.c ------------------------------------------------------- */

void cpi_disk_job_clear(struct cpi_disk_job *j);
/* The configured datacenter. */
const struct cpi_datacenter *cpi_disk_dc_conf(const struct cpi_disk_job *j);
/* A vsphere failure as a CloudError (ok_to_retry from the cause). */
int cpi_disk_cloud_error(struct cpi_disk_job *j, struct err *verr,
                         const char *what);
/* Session and the datacenter. */
int cpi_disk_open_dc(struct cpi_disk_job *j);
/* The datacenter's datastores into j->dss and, in the same read, what
 * j->near's host reaches (when j->has_near) into j->reach and the
 * datastore clusters of j->pods (when set; else for a disk without a cid
 * pattern, those of persistent_datastore_cluster_pattern). */
int cpi_disk_read_datastores(struct cpi_disk_job *j);
/* Where disk j->id belongs: the cid's target_datastore_pattern (a Ruby
 * CPI cid), else persistent_datastore_pattern. */
const char *cpi_disk_target_pattern(const struct cpi_disk_job *j);
/* Finds disk j->id into j->loc (cid is the Director's, for messages):
 * the datastores matching cpi_disk_target_pattern() first, then by file
 * name, then through the VMs; DiskNotFound when it is nowhere. */
int cpi_disk_locate(struct cpi_disk_job *j, const char *cid);
/* The VM into j->vm where the Ruby CPI finds it; VMNotFound. */
int cpi_disk_find_vm(struct cpi_disk_job *j, const char *cid);
/* attach_disk and detach_disk: both cids checked, the session, then the
 * VM with its devices and agent settings (j->v). */
int cpi_disk_open_vm(struct cpi_disk_job *j, const char *vm_cid,
                     const char *cid);
/* Closes the session and clears j; rc, or ERR_FAIL when closing failed. */
int cpi_disk_finish(struct cpi_disk_job *j, int rc);
/* Ends the job as cpi_disk_finish() does, then answers value (a new
 * reference, taken; NULL: out of memory) when all went well. */
int cpi_disk_answer(json_t **result, struct cpi_disk_job *j, int rc,
                    json_t *value);
int cpi_disk_nomem(struct cpi_call *call);

/* --- disk_env.c ------------------------------------------------------- */

/* The hint of device d (NULL: a new one at unit): {"id": uuid} with
 * disk.enableUUID (the device's backing uuid, else file_uuid), else the
 * unit number as a string.  New reference; NULL without a uuid. */
json_t *cpi_disk_make_hint(const struct vs_disk_vm *v,
                           const struct vs_device *d, int unit,
                           const char *file_uuid);
/* The VM's settings with disks.persistent[cid] set to hint (hint NULL:
 * removed).  *out is NULL (nothing to rewrite) when the VM has no
 * readable settings; that is logged, not an error. */
int cpi_disk_edit_settings(char **out, struct cpi_disk_job *j,
                           const char *cid, json_t *hint);
/* Rebuilds env.iso from settings and uploads it over the CD-ROM's file
 * (sensitive: never recorded). */
int cpi_disk_upload_env(struct cpi_disk_job *j, const char *settings);
/* env.iso made again from guestinfo with cid's entry set to hint (NULL:
 * removed): repairs what an earlier call left half done. */
int cpi_disk_rewrite_env(struct cpi_disk_job *j, const char *cid,
                         json_t *hint);

#endif
