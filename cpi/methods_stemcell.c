/*
 * cpi/methods_stemcell.c: create_stemcell, delete_stemcell.
 *
 * create_stemcell(image_path, cloud_properties[, stemcell_tags]) unpacks
 * the image into a private directory under $TMPDIR (else /tmp), imports
 * its OVF (vsphere/stemcell.h) and answers the new cid "sc-<uuid>".  The
 * directory is removed on every path.  An unusable image and every
 * vCenter failure are Bosh::Clouds::CloudError; ok_to_retry only for
 * transient vCenter failures.
 *
 * delete_stemcell(cid) removes the stemcell and its replicas (those the
 * Ruby CPI named too); one that is already gone is success (null), but
 * only when the datacenter and template_folder exist (else CloudError
 * naming the key).
 */
#include <stdlib.h>
#include <string.h>

#include "cpi/methods.h"
#include "cpi/stemcell_image.h"
#include "cpi/vcenter.h"
#include "vsphere/stemcell.h"
#include "vsphere/vm.h"

#define STEMCELL_CLUSTERS_MAX 64

/* The template folder relative to <dc>/vm (with the director's sub
 * folder when use_sub_folder is set). */
static int
template_rel(char **out, struct cpi_call *call)
{
	return cpi_folder_rel(out, call,
	                      call->config->vcenter.datacenter.template_folder);
}

/* The import's disk provisioning for the configured default_disk_type. */
static const char *
provisioning(enum cpi_disk_type t)
{
	switch (t) {
	case CPI_DISK_THIN:
		return "thin";
	case CPI_DISK_EAGER_ZEROED_THICK:
		return "eagerZeroedThick";
	case CPI_DISK_PREALLOCATED:
	default:
		return "thick";
	}
}

static const char *
work_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && t[0] == '/' ? t : "/tmp";
}

int
cpi_method_create_stemcell(json_t **result, struct cpi_call *call)
{
	const struct cpi_config *cfg = call->config;
	const struct cpi_datacenter *dc = &cfg->vcenter.datacenter;
	struct vs_stemcell_cluster cl[STEMCELL_CLUSTERS_MAX];
	struct vs_stemcell_import imp;
	struct cpi_sc_image *img = NULL;
	struct vs_client *c = NULL;
	struct err uerr;
	struct err e;
	char cid[VS_STEMCELL_CID_MAX];
	char *rel = NULL;
	size_t i;
	int rc;

	*result = NULL;
	err_clear(&e);
	err_clear(&uerr);
	if (dc->nclusters == 0 || dc->nclusters > STEMCELL_CLUSTERS_MAX)
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_stemcell: between 1 and %d "
		                   "clusters must be configured",
		                   STEMCELL_CLUSTERS_MAX);
	rc = template_rel(&rel, call);
	if (rc != 0)
		return rc;
	rc = cpi_sc_unpack(&img, cpi_arg_string(call, 0), work_dir(), &uerr);
	if (rc != 0) {
		/* The image is unusable: a CloudError for the Director. */
		rc = cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                 "create_stemcell: %s", uerr.message);
		goto cleanup;
	}
	memset(&imp, 0, sizeof(imp));
	for (i = 0; i < dc->nclusters; i++) {
		cl[i].name = dc->clusters[i].name;
		cl[i].resource_pool = dc->clusters[i].resource_pool;
	}
	imp.loc.datacenter = dc->name;
	imp.loc.template_folder = rel;
	imp.clusters = cl;
	imp.nclusters = dc->nclusters;
	imp.datastore_pattern = dc->datastore_pattern;
	imp.pattern_key = "datacenters[0].datastore_pattern";
	imp.ovf_path = img->ovf_path;
	imp.disk_provisioning = provisioning(cfg->vcenter.default_disk_type);
	rc = cpi_vcenter_open(&c, call);
	if (rc != 0)
		goto cleanup;
	rc = vs_stemcell_create(cid, c, &imp, &e);
	if (rc != 0) {
		rc = cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &e);
		goto cleanup;
	}
	*result = json_string(cid);
	if (*result == NULL)
		rc = cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                 "out of memory");
cleanup:
	/* Close before removing the files: a failed close only reports
	 * when the call has no error yet. */
	if (c != NULL && cpi_vcenter_close(c, call) != 0 && rc == 0) {
		json_decref(*result);
		*result = NULL;
		rc = ERR_FAIL;
	}
	cpi_sc_image_free(img);
	free(rel);
	return rc;
}

int
cpi_method_delete_stemcell(json_t **result, struct cpi_call *call)
{
	const struct cpi_config *cfg = call->config;
	const char *cid = cpi_arg_string(call, 0);
	struct vs_stemcell_loc loc;
	struct vs_client *c = NULL;
	struct vs_moref dcref;
	struct err e;
	char *rel = NULL;
	bool found = false;
	int rc;

	*result = NULL;
	err_clear(&e);
	if (!vs_stemcell_cid_valid(cid))
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "delete_stemcell: not a stemcell id of "
		                   "this CPI (sc-<uuid>)");
	rc = template_rel(&rel, call);
	if (rc != 0)
		return rc;
	loc.datacenter = cfg->vcenter.datacenter.name;
	loc.template_folder = rel;
	rc = cpi_vcenter_open(&c, call);
	if (rc != 0)
		goto cleanup;
	rc = vs_stemcell_delete(&found, c, &loc, cid, &e);
	if (rc != 0) {
		rc = cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &e);
		goto cleanup;
	}
	if (found)
		goto cleanup;
	/* "already gone" only when what the lookup went through exists: a
	 * wrong datacenter or template_folder is a CloudError naming the
	 * key (the stemcell may well be in vCenter) */
	rc = cpi_datacenter_find(&dcref, c, call);
	if (rc == 0)
		rc = cpi_folder_check(c, call,
		                      cfg->vcenter.datacenter.template_folder,
		                      "template_folder");
	if (rc == 0)
		cpi_log_info(call->log, "delete_stemcell: %s was already gone",
		             cid);
cleanup:
	if (c != NULL && cpi_vcenter_close(c, call) != 0)
		rc = ERR_FAIL;
	free(rel);
	return rc;
}
