#include "cpi/vcenter.h"

#include <stdlib.h>

#include "vsphere/transports.h"
#include "vsphere/vm.h"

static int
make_transport(struct vs_transport **out, struct cpi_call *call,
               struct vs_error *verr)
{
	const struct cpi_config *cfg = call->config;
	const struct cpi_options *opts = call->opts;
	struct vs_curl_opts copts = {0};
	const char **secrets = NULL;
	size_t i;
	int rc;

	secrets = calloc(cfg->nsecrets + 1, sizeof(*secrets));
	if (secrets == NULL)
		return vs_error_set(verr, VS_ENOMEM, "out of memory");
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

int
cpi_vcenter_connect(struct vs_client **out, struct cpi_call *call,
                    bool retry, struct vs_error *verr)
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
	rc = vs_client_new(out, &copts, verr);
	if (rc < 0)
		return rc;
	return vs_client_connect(*out, verr);
}

int
cpi_vcenter_open(struct vs_client **out, struct cpi_call *call)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	struct vs_client *c = NULL;
	struct vs_error verr = {0};
	int rc;

	*out = NULL;
	rc = cpi_vcenter_connect(&c, call, true, &verr);
	if (rc < 0) {
		vs_error_prefix(&verr, "vCenter %s", vc->host);
		cpi_error_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
		vs_client_free(c);
		return CPI_ERR;
	}
	*out = c;
	return 0;
}

int
cpi_vcenter_close(struct vs_client *c, struct cpi_call *call)
{
	struct vs_error verr = {0};
	int rc = 0;

	if (c == NULL)
		return 0;
	rc = vs_client_close(c, &verr);
	cpi_logf(call->log, CPI_LOG_INFO, "%s: %u vCenter round trips",
	         call->method, vs_client_roundtrips(c));
	if (rc < 0)
		cpi_error_from_vs(call->err, CPI_ERROR_CLOUD, &verr);
	vs_client_free(c);
	return rc < 0 ? CPI_ERR : 0;
}

int
cpi_folder_rel(char **out, const struct cpi_call *call, const char *folder)
{
	const struct cpi_config *cfg = call->config;
	const char *sub = NULL;
	struct vs_error verr = {0};

	*out = NULL;
	if (cfg->vcenter.datacenter.use_sub_folder) {
		sub = cfg->director_uuid;
		if (sub == NULL || sub[0] == '\0')
			return cpi_error_set(call->err, CPI_ERROR_CPI, false,
			                     "%s: use_sub_folder needs the "
			                     "director_uuid of the request "
			                     "context", call->method);
	}
	if (vs_folder_rel_path(out, folder, sub, &verr) != 0) {
		vs_error_prefix(&verr, "%s: folder", call->method);
		return cpi_error_from_vs(call->err, CPI_ERROR_CPI, &verr);
	}
	return 0;
}
