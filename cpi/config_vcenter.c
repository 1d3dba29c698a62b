/*
 * cpi/config_vcenter.c: cloud.properties.vcenters[0] (its datacenter is
 * read by config_datacenter.c) and vmx_options.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpi/config_read.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define VC_BOOL(k, def) \
	{ #k, CPI_CFG_BOOL, offsetof(struct cpi_vcenter, k), NULL, def }

/* The plain keys after connection_options, in the order they are read. */
static const struct cpi_cfg_key vcenter_keys[] = {
	VC_BOOL(enable_human_readable_name, false),
	VC_BOOL(enable_auto_anti_affinity_drs_rules, false),
	VC_BOOL(cpu_reserve_full_mhz, false),
	VC_BOOL(memory_reservation_locked_to_max, false),
	VC_BOOL(upgrade_hw_version, false),
	VC_BOOL(http_logging, false),
	VC_BOOL(ensure_no_ip_conflicts, true),
	{ "vm_storage_policy_name", CPI_CFG_STR,
	  offsetof(struct cpi_vcenter, vm_storage_policy_name), NULL, false },
	{ "leftover_journal_dir", CPI_CFG_STR,
	  offsetof(struct cpi_vcenter, leftover_journal_dir), NULL, false },
	{ "session_dir", CPI_CFG_STR,
	  offsetof(struct cpi_vcenter, session_dir), NULL, false },
};

static const struct cpi_cfg_unsupported vcenter_unsupported[] = {
	{ "http_logging", "logging every vCenter HTTP exchange" },
	{ "nsx", "NSX-V" },
	{ "nsxt", "NSX-T" },
};

/* One accepted value of a string key naming an enum. */
struct name_value {
	const char *name;
	int value;
};

static const struct name_value disk_types[] = {
	{ "preallocated", CPI_DISK_PREALLOCATED },
	{ "thin", CPI_DISK_THIN },
	{ "eagerZeroedThick", CPI_DISK_EAGER_ZEROED_THICK },
};

static const struct name_value scsi_types[] = {
	{ "paravirtual", CPI_SCSI_PARAVIRTUAL },
	{ "lsi_logic", CPI_SCSI_LSI_LOGIC },
	{ "lsi_logic_sas", CPI_SCSI_LSI_LOGIC_SAS },
};

/* A string key (default: the table's first name) that must be one of
 * the n names; expected lists them for the message. */
static int
get_enum(int *out, const json_t *obj, const char *path, const char *key,
         const struct name_value *names, size_t n, const char *expected,
         struct err *err)
{
	char *s = NULL;
	size_t i;
	int rc;

	rc = cpi_cfg__str(&s, obj, path, key, false, names[0].name, err);
	if (rc != 0)
		return rc;
	for (i = 0; i < n && strcmp(s, names[i].name) != 0; i++)
		;
	if (i < n)
		*out = names[i].value;
	else
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s.%s: must be %s", path, key, expected);
	free(s);
	return rc;
}

/* A vmx option key: what .vmx files hold (letters, digits, '.', '_',
 * '-', ':'), at most 128 bytes; guestinfo.userdata* carries the agent
 * settings and belongs to the CPI. */
static const char *
vmx_key_problem(const char *key)
{
	size_t i, n = strlen(key);

	if (n == 0 || n > 128)
		return "must be 1 to 128 characters";
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)key[i]) && key[i] != '.' &&
		    key[i] != '_' && key[i] != '-' && key[i] != ':')
			return "may hold only letters, digits and . _ - :";
	}
	if (strncasecmp(key, "guestinfo.userdata", 18) == 0)
		return "is set by the CPI (the agent settings)";
	return NULL;
}

/* Refuses key (why: vmx_key_problem's answer), shown on one line
 * whatever it holds. */
static int
refuse_vmx_key(const char *key, const char *why, const char *where,
               enum cpi_error_type etype, struct err *err)
{
	char shown[65];
	size_t k;

	for (k = 0; key[k] != '\0' && k + 1 < sizeof(shown); k++)
		shown[k] = isprint((unsigned char)key[k]) ? key[k] : '?';
	shown[k] = '\0';
	return cpi_err_set(err, etype, false, "%s: key '%s' %s", where,
	                   shown, why);
}

/* The text of an option's value into o (o->value NULL on refusal). */
static int
option_value(struct cpi_option *o, const json_t *v, const char *key,
             const char *where, enum cpi_error_type etype,
             struct err *err)
{
	const char *text;
	char num[64];

	if (json_is_string(v)) {
		text = json_string_value(v);
		o->is_string = true;
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(v));
		text = num;
	} else if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		text = num;
	} else if (json_is_boolean(v)) {
		text = json_is_true(v) ? "true" : "false";
	} else {
		return cpi_err_set(err, etype, false,
		                   "%s.%.64s: must be a string, number or "
		                   "boolean, got %s", where, key,
		                   cpi_cfg__type_of(v));
	}
	o->key = strdup(key);
	o->value = strdup(text);
	if (o->key == NULL || o->value == NULL)
		return cpi_cfg__oom(err);
	return 0;
}

int
cpi_options_parse(struct cpi_option **out, size_t *n_out, const json_t *opts,
                  const char *where, enum cpi_error_type etype,
                  struct err *err)
{
	struct cpi_option *list = NULL;
	const json_t *v;
	const char *key, *why;
	size_t i = 0;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (opts == NULL)
		return 0;
	if (!json_is_object(opts))
		return cpi_err_set(err, etype, false, "%s: must be "
		                   "an object, got %s", where,
		                   cpi_cfg__type_of(opts));
	if (json_object_size(opts) == 0)
		return 0;
	list = calloc(json_object_size(opts), sizeof(*list));
	if (list == NULL)
		return cpi_cfg__oom(err);
	json_object_foreach((json_t *)opts, key, v) {
		why = vmx_key_problem(key);
		if (why != NULL) {
			rc = refuse_vmx_key(key, why, where, etype, err);
			goto cleanup;
		}
		rc = option_value(&list[i], v, key, where, etype, err);
		if (list[i].key != NULL || list[i].value != NULL)
			i++;
		if (rc != 0)
			goto cleanup;
	}
	*out = list;
	*n_out = i;
	list = NULL;
cleanup:
	cpi_options_free(list, i);
	return rc;
}

void
cpi_options_free(struct cpi_option *list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].key);
		free(list[i].value);
	}
	free(list);
}

static int
parse_vmx_options(struct cpi_vcenter *vc, const json_t *obj,
                  const char *path, struct err *err)
{
	const json_t *opts;
	char where[256];
	int rc;

	rc = cpi_cfg__obj(&opts, obj, path, "vmx_options", false, err);
	if (rc != 0)
		return rc;
	snprintf(where, sizeof(where), "%s.vmx_options", path);
	return cpi_options_parse(&vc->vmx_options, &vc->nvmx_options, opts,
	                         where, CPI_ERROR_CPI, err);
}

/* host (then parsed), user and password. */
static int
parse_login(struct cpi_vcenter *vc, const json_t *obj, const char *path,
            struct err *err)
{
	char sub[CPI_CFG_PATH_MAX], *host = NULL;
	const json_t *v;
	int rc;

	rc = cpi_cfg__str(&host, obj, path, "host", true, NULL, err);
	if (rc == 0) {
		snprintf(sub, sizeof(sub), "%.160s.host", path);
		rc = cpi_config_parse_host(vc, host, sub, err);
	}
	free(host);
	if (rc == 0)
		rc = cpi_cfg__str(&vc->user, obj, path, "user", true, NULL,
		                  err);
	if (rc != 0)
		return rc;
	v = cpi_cfg__get(obj, "password");
	if (v == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.password: required string", path);
	if (!json_is_string(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.password: must be a string, got %s",
		                   path, cpi_cfg__type_of(v));
	return cpi_cfg__dup(&vc->password, json_string_value(v), err);
}

/* connection_options: ca_cert, insecure, deadline_seconds. */
static int
parse_connection(struct cpi_vcenter *vc, const json_t *obj,
                 const char *path, struct err *err)
{
	char sub[CPI_CFG_PATH_MAX];
	const json_t *conn;
	long long deadline = CPI_DEFAULT_DEADLINE_S;
	int rc;

	vc->deadline_seconds = CPI_DEFAULT_DEADLINE_S;
	rc = cpi_cfg__obj(&conn, obj, path, "connection_options", false, err);
	if (rc != 0 || conn == NULL)
		return rc;
	snprintf(sub, sizeof(sub), "%.160s.connection_options", path);
	rc = cpi_cfg__str(&vc->ca_cert, conn, sub, "ca_cert", false, NULL,
	                  err);
	if (rc == 0 && vc->ca_cert != NULL &&
	    strstr(vc->ca_cert, "-----BEGIN CERTIFICATE-----") == NULL)
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s.ca_cert: must be PEM text "
		                 "(-----BEGIN CERTIFICATE-----)", sub);
	if (rc == 0)
		rc = cpi_cfg__bool(&vc->insecure, conn, sub, "insecure", false,
		                   err);
	if (rc != 0)
		return rc;
	/* a whole number of seconds, 1 to one day */
	if (cpi_cfg__int(&deadline, conn, "deadline_seconds", 1, 86400) < 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.deadline_seconds: must be a whole "
		                   "number of seconds from 1 to 86400", sub);
	vc->deadline_seconds = (int)deadline;
	return 0;
}

/* default_hw_version and leftover_vm_grace_seconds. */
static int
parse_numbers(struct cpi_vcenter *vc, const json_t *obj, const char *path,
              struct err *err)
{
	long long hw = 0, grace = CPI_LEFTOVER_GRACE_DEFAULT;

	if (cpi_cfg__int(&hw, obj, "default_hw_version", 1, 1000) < 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.default_hw_version: must be a "
		                   "positive integer", path);
	vc->default_hw_version = (int)hw;
	if (cpi_cfg__int(&grace, obj, "leftover_vm_grace_seconds",
	                 CPI_LEFTOVER_GRACE_MIN, 30LL * 86400) < 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.leftover_vm_grace_seconds: must be "
		                   "an integer from %d to %lld", path,
		                   CPI_LEFTOVER_GRACE_MIN, 30LL * 86400);
	vc->leftover_vm_grace_s = grace;
	return 0;
}

/* datacenters: exactly one. */
static int
parse_datacenters(struct cpi_vcenter *vc, const json_t *obj,
                  const char *path, struct err *err)
{
	char sub[CPI_CFG_PATH_MAX];
	const json_t *dcs = cpi_cfg__get(obj, "datacenters");

	if (dcs == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datacenters: required array", path);
	if (!json_is_array(dcs))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datacenters: must be an array, got %s",
		                   path, cpi_cfg__type_of(dcs));
	if (json_array_size(dcs) != 1)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datacenters: exactly one datacenter "
		                   "is supported, got %zu", path,
		                   json_array_size(dcs));
	snprintf(sub, sizeof(sub), "%.160s.datacenters[0]", path);
	return cpi_cfg__datacenter(&vc->datacenter, json_array_get(dcs, 0),
	                           sub, err);
}

int
cpi_cfg__vcenter(struct cpi_vcenter *vc, const json_t *obj,
                 const char *path, struct err *err)
{
	int disk = CPI_DISK_PREALLOCATED, scsi = CPI_SCSI_PARAVIRTUAL;
	int rc;

	if (!json_is_object(obj))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be an object, got %s", path,
		                   cpi_cfg__type_of(obj));
	rc = parse_login(vc, obj, path, err);
	if (rc == 0)
		rc = get_enum(&disk, obj, path, "default_disk_type",
		              disk_types, N(disk_types),
		              "thin, preallocated or eagerZeroedThick", err);
	if (rc == 0)
		rc = get_enum(&scsi, obj, path, "default_scsi_controller_type",
		              scsi_types, N(scsi_types),
		              "paravirtual, lsi_logic or lsi_logic_sas", err);
	if (rc != 0)
		return rc;
	vc->default_disk_type = (enum cpi_disk_type)disk;
	vc->default_scsi_controller_type = (enum cpi_scsi_type)scsi;
	rc = parse_connection(vc, obj, path, err);
	if (rc == 0)
		rc = cpi_cfg__keys(vc, vcenter_keys, N(vcenter_keys), obj,
		                   path, err);
	if (rc == 0 && vc->session_dir != NULL && vc->session_dir[0] != '/')
		rc = cpi_err_set(err, CPI_ERROR_CPI, false, "%s.session_dir: "
		                 "must be an absolute path", path);
	if (rc == 0)
		rc = parse_numbers(vc, obj, path, err);
	if (rc == 0)
		rc = parse_vmx_options(vc, obj, path, err);
	if (rc == 0)
		rc = cpi_cfg__refuse_set(obj, path, vcenter_unsupported,
		                         N(vcenter_unsupported), err);
	if (rc == 0)
		rc = parse_datacenters(vc, obj, path, err);
	return rc;
}
