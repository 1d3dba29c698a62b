#include "cpi/vcenter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/session_keep.h"
#include "vsphere/transports.h"
#include "vsphere/vm.h"

static int
make_transport(struct vs_transport **out, struct cpi_call *call,
               struct err *verr)
{
	const struct cpi_config *cfg = call->config;
	const struct cpi_options *opts = call->opts;
	struct vs_curl_opts copts = {0};
	const char **secrets = NULL;
	size_t i;
	int rc;

	secrets = calloc(cfg->nsecrets + 1, sizeof(*secrets));
	if (secrets == NULL)
		return err_set(verr, ERR_ENOMEM, "out of memory");
	for (i = 0; i < cfg->nsecrets; i++)
		secrets[i] = cfg->secrets[i];

	copts.ca_cert_pem = cfg->vcenter.ca_cert;
	copts.insecure = cfg->vcenter.insecure;
	copts.log = cpi_log_vs;
	copts.log_ud = call->log;
	if (opts != NULL && opts->replay_dir != NULL)
		rc = vs_transport_new(out, VS_TRANSPORT_REPLAY,
		                      opts->replay_dir, &copts, secrets, verr);
	else if (opts != NULL && opts->record_dir != NULL)
		rc = vs_transport_new(out, VS_TRANSPORT_RECORD,
		                      opts->record_dir, &copts, secrets, verr);
	else
		rc = vs_transport_from_env(out, &copts, secrets, verr);
	free(secrets);
	return rc;
}

/* The client of call's config, not yet connected. */
static int
client_make(struct vs_client **out, struct cpi_call *call, bool retry,
            struct err *verr)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	struct vs_client_opts copts = {0};
	int rc;

	*out = NULL;
	rc = make_transport(&copts.transport, call, verr);
	if (rc < 0)
		return rc;
	copts.url = vc->url;
	copts.user = vc->user;
	copts.password = vc->password;
	copts.log = cpi_log_vs;
	copts.log_ud = call->log;
	copts.deadline_s = vc->deadline_seconds;
	copts.max_retries = retry ? 0 : -1;
	return vs_client_new(out, &copts, verr);
}

int
cpi_vcenter_connect(struct vs_client **out, struct cpi_call *call,
                    bool retry, struct err *verr)
{
	int rc = client_make(out, call, retry, verr);

	return rc < 0 ? rc : vs_client_connect(*out, verr);
}

int
cpi_vcenter_open(struct vs_client **out, struct cpi_call *call)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	struct vs_client *c = NULL;
	struct err verr = {0};
	int rc;

	*out = NULL;
	rc = client_make(&c, call, true, &verr);
	if (rc == 0 && cpi_session_take(c, call) != 0)
		rc = vs_client_connect(c, &verr);
	if (rc < 0) {
		err_prefix(&verr, "vCenter %s", vc->host);
		cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
		vs_client_free(c);
		return ERR_FAIL;
	}
	*out = c;
	return 0;
}

int
cpi_vcenter_close(struct vs_client *c, struct cpi_call *call)
{
	struct err verr = {0};
	int rc = 0;

	if (c == NULL)
		return 0;
	cpi_session_keep(c, call);
	rc = vs_client_close(c, &verr);
	cpi_logf(call->log, CPI_LOG_INFO, "%s: %u vCenter round trips",
	         call->method, vs_client_roundtrips(c));
	if (rc < 0 && verr.code == ERR_EREPLAY)
		/* a request that differed from the recording invalidates the
		 * whole replayed run, even one already failing (its own
		 * error may be the recorded one) */
		err_clear(call->err);
	if (rc < 0)
		cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	vs_client_free(c);
	return rc < 0 ? ERR_FAIL : 0;
}

int
cpi_folder_rel(char **out, const struct cpi_call *call, const char *folder)
{
	const struct cpi_config *cfg = call->config;
	const char *sub = NULL;
	struct err verr = {0};

	*out = NULL;
	if (cfg->vcenter.datacenter.use_sub_folder) {
		sub = cfg->director_uuid;
		if (sub == NULL || sub[0] == '\0')
			return cpi_err_set(call->err, CPI_ERROR_CPI, false,
			                   "%s: use_sub_folder needs the "
			                   "director_uuid of the request "
			                   "context", call->method);
	}
	if (vs_folder_rel_path(out, folder, sub, &verr) != 0) {
		err_prefix(&verr, "%s: folder", call->method);
		return cpi_err_from_vs(call->err, CPI_ERROR_CPI, &verr);
	}
	return 0;
}

int
cpi_datacenter_find(struct vs_moref *out, struct vs_client *c,
                    struct cpi_call *call)
{
	const char *name = call->config->vcenter.datacenter.name;
	struct err verr = {0};
	int rc;

	rc = vs_folder_find(out, c, name, &verr);
	if (rc == 0 && strcmp(out->type, "Datacenter") != 0)
		rc = err_set(&verr, ERR_ENOTFOUND, "a %s", out->type);
	if (rc == ERR_ENOTFOUND)
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "%s: datacenters[0].name: no datacenter "
		                   "'%s' in vCenter", call->method, name);
	if (rc != 0) {
		err_prefix(&verr, "%s: datacenter '%s'", call->method,
		           name);
		return cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	}
	return 0;
}

int
cpi_folder_check(struct vs_client *c, struct cpi_call *call,
                 const char *folder, const char *key)
{
	const char *dc = call->config->vcenter.datacenter.name;
	struct err verr = {0};
	struct vs_moref ref;
	char *path = NULL;
	int rc;

	rc = vs_folder_path(&path, dc, folder, &verr);
	if (rc == 0)
		rc = vs_folder_find(&ref, c, path, &verr);
	free(path);
	if (rc == 0 && strcmp(ref.type, "Folder") != 0)
		rc = err_set(&verr, ERR_ENOTFOUND, "a %s", ref.type);
	if (rc == ERR_ENOTFOUND)
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "%s: datacenters[0].%s: no folder '%s' "
		                   "in datacenter '%s'", call->method, key,
		                   folder, dc);
	if (rc != 0) {
		err_prefix(&verr, "%s: %s '%s'", call->method, key,
		           folder);
		return cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	}
	return 0;
}

int
cpi_vm_lookup(struct vs_moref *out, struct vs_client *c,
              struct cpi_call *call, const char *cid)
{
	const struct cpi_datacenter *dc = &call->config->vcenter.datacenter;
	struct err verr = {0};
	struct vs_moref dcref;
	char *rel = NULL, *path = NULL;
	bool folder_there = false;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (cpi_folder_rel(&rel, call, dc->vm_folder) != 0)
		return ERR_FAIL;
	rc = vs_vm_path(&path, dc->name, rel, cid, &verr);
	free(rel);
	if (rc == 0)
		rc = vs_vm_find(out, c, path, &verr);
	free(path);
	path = NULL;
	if (rc == 0)
		return 0;
	if (rc != ERR_ENOTFOUND) {
		err_prefix(&verr, "%s: VM '%s'", call->method, cid);
		return cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	}
	/* not at its path: the datacenter, then anywhere by name in one
	 * read from it through its vm folder, which also finds vm_folder
	 * (no lookup of "<dc>/vm" nor, when it is there, of vm_folder) */
	if (cpi_datacenter_find(&dcref, c, call) != 0)
		return ERR_FAIL;
	err_clear(&verr);
	rc = vs_vm_find_by_name_in_dc(out, &n, &folder_there, c, &dcref, cid,
	                              dc->vm_folder, &verr);
	if (rc == 0 && n > 1) {
		memset(out, 0, sizeof(*out));
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "%s: %zu VMs are named '%s' in "
		                   "datacenter '%s'", call->method, n, cid,
		                   dc->name);
	}
	if (rc == 0) {
		cpi_log_info(call->log, "%s: VM %s found outside %s (%s)",
		             call->method, cid, dc->vm_folder, out->value);
		return 0;
	}
	if (rc != ERR_ENOTFOUND) {
		err_prefix(&verr, "%s: VM '%s'", call->method, cid);
		return cpi_err_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	}
	/* not seen in the read: looked up, for the error it has today */
	if (!folder_there &&
	    cpi_folder_check(c, call, dc->vm_folder, "vm_folder") != 0)
		return ERR_FAIL;
	return 1;
}
