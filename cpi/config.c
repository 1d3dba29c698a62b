/*
 * cpi/config.c: the CPI config (see config.h): the file, its top level,
 * the agent hash and the secrets; vcenters[0] is read by
 * config_vcenter.c, its host by config_host.c, datacenters[0] by
 * config_datacenter.c, with the readers of config_read.h.
 */
#include "cpi/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/wipe.h"
#include "cpi/config_read.h"
#include "cpi/log.h"

#define PATH_MAX_LEN CPI_CFG_PATH_MAX

/* --- agent and secrets --------------------------------------------- */

static int
add_secret(struct cpi_config *cfg, const char *s, size_t n,
           struct err *err)
{
	char **grown;
	size_t i;

	if (s == NULL || n == 0)
		return 0;
	for (i = 0; i < cfg->nsecrets; i++)
		if (strlen(cfg->secrets[i]) == n &&
		    memcmp(cfg->secrets[i], s, n) == 0)
			return 0;
	grown = realloc(cfg->secrets, (cfg->nsecrets + 1) * sizeof(*grown));
	if (grown == NULL)
		return cpi_cfg__oom(err);
	cfg->secrets = grown;
	cfg->secrets[cfg->nsecrets] = strndup(s, n);
	if (cfg->secrets[cfg->nsecrets] == NULL)
		return cpi_cfg__oom(err);
	cfg->nsecrets++;
	return 0;
}

/* The password of a scheme://user:password@host URL. */
static int
add_url_secret(struct cpi_config *cfg, const char *url,
               struct err *err)
{
	const char *p = strstr(url, "://"), *at, *colon;

	if (p == NULL)
		return 0;
	p += 3;
	at = p + strcspn(p, "@/");
	if (*at != '@')
		return 0;
	colon = memchr(p, ':', (size_t)(at - p));
	if (colon == NULL)
		return 0;
	return add_secret(cfg, colon + 1, (size_t)(at - colon - 1), err);
}

struct secret_sink {
	struct cpi_config *cfg;
	struct err *err;
};

static int
sink_secret(void *ctx, const char *s, size_t len)
{
	struct secret_sink *k = ctx;

	return add_secret(k->cfg, s, len, k->err);
}

/* Every string under a credential-like key of v (cpi/log.h's one walk)
 * becomes a secret of cfg. */
static int
collect_secrets(struct cpi_config *cfg, const json_t *v, struct err *err)
{
	struct secret_sink k = { cfg, err };

	return cpi_json_secret_strings(v, false, 32, sink_secret, &k);
}

static int
dump_canonical(char **out, const json_t *v, struct err *err)
{
	*out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (*out == NULL)
		return cpi_cfg__oom(err);
	return 0;
}

static int
parse_agent(struct cpi_config *cfg, const json_t *props, const char *path,
            struct err *err)
{
	struct cpi_agent *ag = &cfg->agent;
	char sub[PATH_MAX_LEN];
	const json_t *agent, *ntp, *bs;
	size_t i;
	int rc;

	rc = cpi_cfg__obj(&agent, props, path, "agent", true, err);
	if (rc != 0)
		return rc;
	snprintf(sub, sizeof(sub), "%.160s.agent", path);
	/* optional, as in the Ruby CPI's schema (agent: any hash) */
	rc = cpi_cfg__str(&ag->mbus, agent, sub, "mbus", false, NULL, err);
	if (rc == 0 && ag->mbus != NULL)
		rc = add_secret(cfg, ag->mbus, strlen(ag->mbus), err);
	if (rc == 0 && ag->mbus != NULL)
		rc = add_url_secret(cfg, ag->mbus, err);
	if (rc != 0)
		return rc;
	ntp = cpi_cfg__get(agent, "ntp");
	if (ntp != NULL) {
		if (!json_is_array(ntp))
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.ntp: must be an array, got %s",
			                   sub, cpi_cfg__type_of(ntp));
		ag->ntp = calloc(json_array_size(ntp) + 1, sizeof(*ag->ntp));
		if (ag->ntp == NULL)
			return cpi_cfg__oom(err);
		for (i = 0; i < json_array_size(ntp); i++) {
			const json_t *e = json_array_get(ntp, i);

			if (!json_is_string(e))
				return cpi_err_set(err, CPI_ERROR_CPI, false,
				                   "%s.ntp[%zu]: must be a "
				                   "string, got %s", sub, i,
				                   cpi_cfg__type_of(e));
			ag->ntp[i] = strdup(json_string_value(e));
			if (ag->ntp[i] == NULL)
				return cpi_cfg__oom(err);
			ag->nntp = i + 1;
		}
	}
	rc = cpi_cfg__obj(&bs, agent, sub, "blobstore", false, err);
	if (rc == 0 && bs != NULL)
		rc = dump_canonical(&ag->blobstore_json, bs, err);
	if (rc == 0 && bs != NULL)
		rc = collect_secrets(cfg, bs, err);
	if (rc == 0)
		rc = collect_secrets(cfg, agent, err);
	if (rc == 0)
		rc = dump_canonical(&ag->json, agent, err);
	return rc;
}

/* --- top level ----------------------------------------------------- */

static bool
context_key_kept(const char *key)
{
	return strcmp(key, "director_uuid") != 0 &&
	       strcmp(key, "request_id") != 0 && strcmp(key, "vm") != 0;
}

/* root.cloud.properties, with cloud.plugin checked. */
static int
root_props(const json_t **props, const json_t *root, struct err *err)
{
	const json_t *cloud, *v;
	int rc;

	if (!json_is_object(root))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "config: must be an object, got %s",
		                   cpi_cfg__type_of(root));
	rc = cpi_cfg__obj(&cloud, root, "config", "cloud", true, err);
	if (rc != 0)
		return rc;
	v = cpi_cfg__get(cloud, "plugin");
	if (v != NULL && (!json_is_string(v) ||
	                  strcmp(json_string_value(v), "vsphere") != 0))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.plugin: must be \"vsphere\"");
	return cpi_cfg__obj(props, cloud, "cloud", "properties", true, err);
}

/* The request's context over vcenters[0] (vc0), key by key; its
 * director_uuid into cfg. */
static int
merge_context(struct cpi_config *cfg, json_t *vc0, const json_t *context,
              struct err *err)
{
	const json_t *v;
	const char *key;
	json_t *cv;

	if (context == NULL)
		return 0;
	if (json_is_object(vc0)) {
		json_object_foreach((json_t *)context, key, cv) {
			if (context_key_kept(key) &&
			    json_object_set(vc0, key, cv) != 0)
				return cpi_cfg__oom(err);
		}
	}
	v = json_object_get(context, "director_uuid");
	if (json_is_string(v))
		return cpi_cfg__dup(&cfg->director_uuid, json_string_value(v),
		                    err);
	return 0;
}

static int
parse_root(struct cpi_config *cfg, json_t *root, const json_t *context,
           struct err *err)
{
	const json_t *props, *vcs;
	json_t *vc0;
	int rc;

	rc = root_props(&props, root, err);
	if (rc != 0)
		return rc;
	vcs = cpi_cfg__get(props, "vcenters");
	if (vcs == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.properties.vcenters: required "
		                   "array");
	if (!json_is_array(vcs))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.properties.vcenters: must be an "
		                   "array, got %s", cpi_cfg__type_of(vcs));
	if (json_array_size(vcs) != 1)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.properties.vcenters: exactly one "
		                   "vCenter is supported, got %zu",
		                   json_array_size(vcs));
	vc0 = json_array_get(vcs, 0);
	rc = merge_context(cfg, vc0, context, err);
	if (rc == 0)
		rc = cpi_cfg__vcenter(&cfg->vcenter, vc0,
		                      "cloud.properties.vcenters[0]", err);
	if (rc == 0 && cfg->vcenter.password[0] != '\0')
		rc = add_secret(cfg, cfg->vcenter.password,
		                strlen(cfg->vcenter.password), err);
	if (rc == 0)
		rc = parse_agent(cfg, props, "cloud.properties", err);
	if (rc == 0 && cpi_json_is_set(cpi_cfg__get(props, "plugins")))
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "cloud.properties.plugins: not supported "
		                 "by this CPI (Ruby CPI plugins); remove it");
	return rc;
}

int
cpi_config_parse(struct cpi_config **out, const char *text, size_t len,
                 const json_t *context, struct err *err)
{
	struct cpi_config *cfg = NULL;
	json_error_t jerr;
	json_t *root = NULL;
	int rc;

	*out = NULL;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* jerr.text may quote config bytes: position only. */
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "config is not valid JSON%s (line %d, "
		                 "column %d)",
		                 json_error_code(&jerr) ==
		                 json_error_duplicate_key ?
		                 ": duplicate object key" : "",
		                 jerr.line, jerr.column);
		goto cleanup;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		rc = cpi_cfg__oom(err);
		goto cleanup;
	}
	rc = parse_root(cfg, root, context, err);
	if (rc != 0)
		goto cleanup;
	*out = cfg;
	cfg = NULL;
cleanup:
	cpi_config_free(cfg);
	json_decref(root);
	return rc;
}

int
cpi_config_load(struct cpi_config **out, const char *path,
                const json_t *context, struct err *err)
{
	char *buf = NULL;
	size_t len = 0, n;
	FILE *f = NULL;
	int rc;

	*out = NULL;
	if (path == NULL || path[0] == '\0') {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "no CPI config file given");
		goto cleanup;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "cannot open CPI config %.512s: %s", path,
		                 strerror(errno));
		goto cleanup;
	}
	buf = malloc(CPI_CONFIG_MAX + 1);
	if (buf == NULL) {
		rc = cpi_cfg__oom(err);
		goto cleanup;
	}
	while ((n = fread(buf + len, 1, CPI_CONFIG_MAX + 1 - len, f)) > 0) {
		len += n;
		if (len > CPI_CONFIG_MAX)
			break;
	}
	if (ferror(f)) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "cannot read CPI config %.512s", path);
		goto cleanup;
	}
	if (len > CPI_CONFIG_MAX) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "CPI config %.512s is larger than %zu MiB",
		                 path, CPI_CONFIG_MAX / (1024 * 1024));
		goto cleanup;
	}
	rc = cpi_config_parse(out, buf, len, context, err);
	if (rc != 0)
		err_prefix(err, "CPI config %.200s", path);
cleanup:
	if (buf != NULL)
		memset(buf, 0, len);
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

void
cpi_config_free(struct cpi_config *cfg)
{
	struct cpi_vcenter *vc;
	struct cpi_datacenter *dc;
	size_t i;

	if (cfg == NULL)
		return;
	vc = &cfg->vcenter;
	dc = &vc->datacenter;
	free(vc->host);
	free(vc->scheme);
	free(vc->url);
	free(vc->user);
	wipe_free(vc->password);
	free(vc->ca_cert);
	free(vc->vm_storage_policy_name);
	free(vc->leftover_journal_dir);
	free(vc->session_dir);
	cpi_options_free(vc->vmx_options, vc->nvmx_options);
	free(dc->name);
	free(dc->vm_folder);
	free(dc->template_folder);
	free(dc->disk_path);
	free(dc->datastore_pattern);
	free(dc->datastore_cluster_pattern);
	free(dc->persistent_datastore_pattern);
	free(dc->persistent_datastore_cluster_pattern);
	for (i = 0; i < dc->nclusters; i++) {
		free(dc->clusters[i].name);
		free(dc->clusters[i].resource_pool);
		free(dc->clusters[i].host_group);
		free(dc->clusters[i].host_group_drs_rule);
	}
	free(dc->clusters);
	strv_free(cfg->agent.ntp, cfg->agent.nntp);
	wipe_free(cfg->agent.mbus);
	wipe_free(cfg->agent.blobstore_json);
	wipe_free(cfg->agent.json);
	free(cfg->director_uuid);
	for (i = 0; i < cfg->nsecrets; i++)
		wipe_free(cfg->secrets[i]);
	free(cfg->secrets);
	free(cfg);
}

const char *
cpi_disk_type_name(enum cpi_disk_type t)
{
	switch (t) {
	case CPI_DISK_THIN:
		return "thin";
	case CPI_DISK_EAGER_ZEROED_THICK:
		return "eagerZeroedThick";
	default:
		return "preallocated";
	}
}

const char *
cpi_scsi_type_name(enum cpi_scsi_type t)
{
	switch (t) {
	case CPI_SCSI_LSI_LOGIC:
		return "lsi_logic";
	case CPI_SCSI_LSI_LOGIC_SAS:
		return "lsi_logic_sas";
	default:
		return "paravirtual";
	}
}

const char *
cpi_scsi_type_vim(enum cpi_scsi_type t)
{
	switch (t) {
	case CPI_SCSI_LSI_LOGIC:
		return "VirtualLsiLogicController";
	case CPI_SCSI_LSI_LOGIC_SAS:
		return "VirtualLsiLogicSASController";
	default:
		return "ParaVirtualSCSIController";
	}
}
