#include "cpi/config.h"
#include "cpi/log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsphere/pattern.h"

#define PATH_MAX_LEN 256

static const char *
type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

static int
oom(struct err *err)
{
	cpi_err_set(err, CPI_ERROR_CPI, false,
	            "out of memory reading the CPI config");
	return ERR_ENOMEM;
}

static int
dup_str(char **out, const char *s, struct err *err)
{
	*out = strdup(s);
	if (*out == NULL)
		return oom(err);
	return 0;
}

/* Present means present and not null. */
static const json_t *
get(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

/* A string key.  required: missing is an error; otherwise def (may be
 * NULL) is used.  nonempty: "" is an error (or, when optional, absent). */
static int
get_str(char **out, const json_t *obj, const char *path, const char *key,
        bool required, const char *def, struct err *err)
{
	const json_t *v = get(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: required string", path,
			                   key);
		return def != NULL ? dup_str(out, def, err) : 0;
	}
	if (!json_is_string(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.%s: must be a string, got %s", path,
		                   key, type_of(v));
	if (json_string_length(v) == 0) {
		if (required)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: must not be empty", path,
			                   key);
		return def != NULL ? dup_str(out, def, err) : 0;
	}
	return dup_str(out, json_string_value(v), err);
}

static int
get_bool(bool *out, const json_t *obj, const char *path, const char *key,
         bool def, struct err *err)
{
	const json_t *v = get(obj, key);

	*out = def;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.%s: must be a boolean, got %s", path,
		                   key, type_of(v));
	*out = json_is_true(v);
	return 0;
}

static int
get_obj(const json_t **out, const json_t *obj, const char *path,
        const char *key, bool required, struct err *err)
{
	const json_t *v = get(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: required object", path,
			                   key);
		return 0;
	}
	if (!json_is_object(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.%s: must be an object, got %s", path,
		                   key, type_of(v));
	*out = v;
	return 0;
}

/* --- host ---------------------------------------------------------- */

static bool
valid_port(int *out, const char *s, size_t n)
{
	size_t i;
	int port = 0;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535)
		return false;
	*out = port;
	return true;
}

static bool
valid_name(const char *s, size_t n)
{
	struct in_addr a4;
	char buf[64];
	bool numeric = true;
	size_t i;

	if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.' && i > 0 && s[i - 1] == '.')
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '-' || c == '_')
			numeric = false;
		else if (!((c >= '0' && c <= '9') || c == '.'))
			return false;
	}
	if (!numeric)
		return true;
	/* All digits and dots: must be a dotted quad. */
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, &a4) == 1;
}

int
cpi_config_parse_host(struct cpi_vcenter *vc, const char *value,
                      const char *what, struct err *err)
{
	const char *p = value, *end, *hs, *he, *colon;
	char scheme[8] = "https", *host = NULL, *url = NULL;
	struct in6_addr a6;
	bool is_url = false, v6 = false;
	int port = 443, rc = ERR_EINVAL;
	size_t n;

	if (value == NULL || value[0] == '\0') {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s: must not be empty", what);
		goto cleanup;
	}
	if (strncasecmp(p, "https://", 8) == 0) {
		p += 8;
		is_url = true;
	} else if (strncasecmp(p, "http://", 7) == 0) {
		p += 7;
		is_url = true;
		strcpy(scheme, "http");
		port = 80;
	} else if (strstr(p, "://") != NULL) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s: only https:// and http:// URLs are "
		                 "supported", what);
		goto cleanup;
	}
	end = p + (is_url ? strcspn(p, "/?#") : strlen(p));
	if (is_url && strcmp(end, "") != 0 && strcmp(end, "/") != 0 &&
	    strcmp(end, "/sdk") != 0 && strcmp(end, "/sdk/") != 0) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s: URL path must be empty or /sdk", what);
		goto cleanup;
	}
	if (memchr(p, '@', (size_t)(end - p)) != NULL) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s: must not contain credentials (use user "
		                 "and password)", what);
		goto cleanup;
	}
	if (p == end) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s: no host name", what);
		goto cleanup;
	}
	if (*p == '[') {
		he = memchr(p, ']', (size_t)(end - p));
		if (he == NULL) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "%s: missing ']' after IPv6 address",
			                 what);
			goto cleanup;
		}
		hs = p + 1;
		colon = he + 1;
		if (colon != end && *colon != ':') {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "%s: unexpected text after ']'",
			                 what);
			goto cleanup;
		}
		n = (size_t)(he - hs);
		host = n < 64 ? strndup(hs, n) : NULL;
		if (n >= 64 || (host != NULL &&
		                (strchr(host, '%') != NULL ||
		                 inet_pton(AF_INET6, host, &a6) != 1))) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "%s: invalid IPv6 address in "
			                 "brackets", what);
			goto cleanup;
		}
		if (host == NULL) {
			rc = oom(err);
			goto cleanup;
		}
		v6 = true;
		if (colon == end)
			colon = NULL;
	} else {
		hs = p;
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon != NULL &&
		    memchr(colon + 1, ':', (size_t)(end - colon - 1)) != NULL) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "%s: an IPv6 address must be "
			                 "enclosed in brackets, e.g. "
			                 "[2001:db8::5] or [2001:db8::5]:443",
			                 what);
			goto cleanup;
		}
		he = colon != NULL ? colon : end;
		if (!valid_name(hs, (size_t)(he - hs))) {
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "%s: invalid host name or IPv4 "
			                 "address", what);
			goto cleanup;
		}
		host = strndup(hs, (size_t)(he - hs));
		if (host == NULL) {
			rc = oom(err);
			goto cleanup;
		}
	}
	if (colon != NULL &&
	    !valid_port(&port, colon + 1, (size_t)(end - colon - 1))) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s: port must be a number from 1 to 65535",
		                 what);
		goto cleanup;
	}
	n = strlen(scheme) + strlen(host) + 32;
	url = malloc(n);
	if (url == NULL) {
		rc = oom(err);
		goto cleanup;
	}
	snprintf(url, n, "%s://%s%s%s:%d/sdk", scheme, v6 ? "[" : "", host,
	         v6 ? "]" : "", port);
	free(vc->host);
	free(vc->scheme);
	free(vc->url);
	vc->scheme = strdup(scheme);
	if (vc->scheme == NULL) {
		vc->host = NULL;
		vc->url = NULL;
		rc = oom(err);
		goto cleanup;
	}
	vc->host = host;
	vc->url = url;
	vc->port = port;
	vc->host_is_ipv6 = v6;
	host = NULL;
	url = NULL;
	rc = 0;
cleanup:
	free(host);
	free(url);
	return rc;
}

/* --- keys the Ruby CPI honours and this one does not yet ----------- */

/* Whether v is set to something else than "nothing": null, false, 0,
 * "", [] and {} count as unset. */
static bool
is_set(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return true;
}

/* A key the Ruby CPI acts on and this CPI does not: set, it is refused
 * (never read and ignored), naming the key and what it would do. */
struct unsupported {
	const char *key;
	const char *what;
};

static int
refuse_set(const json_t *obj, const char *path,
           const struct unsupported *list, size_t n, struct err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_set(json_object_get(obj, list[i].key)))
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.%s: not supported by this CPI "
			                   "(%s); remove it", path,
			                   list[i].key, list[i].what);
	}
	return 0;
}

static const struct unsupported vcenter_unsupported[] = {
	{ "http_logging", "logging every vCenter HTTP exchange" },
	{ "vm_storage_policy_name", "storage policies" },
	{ "nsx", "NSX-V" },
	{ "nsxt", "NSX-T" },
};

static const struct unsupported datacenter_unsupported[] = {
	{ "datastore_cluster_pattern", "datastore clusters" },
	{ "persistent_datastore_cluster_pattern", "datastore clusters" },
};

static const struct unsupported cluster_unsupported[] = {
	{ "host_group", "a VM group and VM-host DRS rule per cluster" },
	{ "drs_rules", "DRS rules" },
};

/* --- datacenter ---------------------------------------------------- */

static int
parse_cluster_entry(struct cpi_cluster *cl, const json_t *v,
                    const char *path, struct err *err)
{
	char sub[PATH_MAX_LEN];
	const json_t *props, *hg;
	const char *name;
	int rc;

	if (json_is_string(v)) {
		if (json_string_length(v) == 0)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s: cluster name must not be "
			                   "empty", path);
		return dup_str(&cl->name, json_string_value(v), err);
	}
	if (!json_is_object(v) || json_object_size(v) != 1)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be a cluster name or an object "
		                   "with exactly one key (the cluster name)",
		                   path);
	name = json_object_iter_key(json_object_iter((json_t *)v));
	props = json_object_iter_value(json_object_iter((json_t *)v));
	if (name[0] == '\0')
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: cluster name must not be empty",
		                   path);
	rc = dup_str(&cl->name, name, err);
	if (rc != 0)
		return rc;
	snprintf(sub, sizeof(sub), "%.160s.%.64s", path, name);
	if (json_is_null(props))
		return 0;
	if (!json_is_object(props))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be an object, got %s", sub,
		                   type_of(props));
	rc = get_str(&cl->resource_pool, props, sub, "resource_pool", false,
	             NULL, err);
	if (rc != 0)
		return rc;
	hg = get(props, "host_group");
	if (hg == NULL)
		return 0;
	if (json_is_string(hg)) {
		if (json_string_length(hg) == 0)
			return 0;
		rc = dup_str(&cl->host_group, json_string_value(hg), err);
		if (rc != 0)
			return rc;
		return dup_str(&cl->host_group_drs_rule, "SHOULD", err);
	}
	if (!json_is_object(hg))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.host_group: must be a string or an "
		                   "object, got %s", sub, type_of(hg));
	snprintf(sub, sizeof(sub), "%.160s.%.64s.host_group", path, name);
	rc = get_str(&cl->host_group, hg, sub, "name", true, NULL, err);
	if (rc != 0)
		return rc;
	rc = get_str(&cl->host_group_drs_rule, hg, sub, "drs_rule", false,
	             "SHOULD", err);
	if (rc != 0)
		return rc;
	if (strcmp(cl->host_group_drs_rule, "MUST") != 0 &&
	    strcmp(cl->host_group_drs_rule, "SHOULD") != 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.drs_rule: must be MUST or SHOULD",
		                   sub);
	return 0;
}

/* A datastore pattern is a Ruby regular expression (vsphere/pattern.h):
 * one that does not compile is refused here, naming its key, rather than
 * at the first call that needs it. */
static int
check_pattern(const char *pattern, const char *path, const char *key,
              struct err *err)
{
	struct err verr = {0};
	char full[PATH_MAX_LEN];

	if (pattern == NULL)
		return 0;
	snprintf(full, sizeof(full), "%s.%s", path, key);
	if (vs_pattern_check(pattern, full, &verr) == 0)
		return 0;
	return cpi_err_set(err, CPI_ERROR_CPI, false, "%s", verr.message);
}

/* A cluster entry, checked, then refused when it asks for what this CPI
 * does not do. */
static int
parse_cluster(struct cpi_cluster *cl, const json_t *v, const char *path,
              struct err *err)
{
	char sub[PATH_MAX_LEN];
	int rc = parse_cluster_entry(cl, v, path, err);

	if (rc != 0 || !json_is_object(v))
		return rc;
	snprintf(sub, sizeof(sub), "%.160s.%.64s", path, cl->name);
	return refuse_set(json_object_iter_value(json_object_iter(
	                  (json_t *)v)), sub, cluster_unsupported,
	                  sizeof(cluster_unsupported) /
	                  sizeof(cluster_unsupported[0]), err);
}

static int
parse_datacenter(struct cpi_datacenter *dc, const json_t *obj,
                 const char *path, struct err *err)
{
	char sub[PATH_MAX_LEN];
	const json_t *clusters;
	bool any_pool = false;
	size_t i;
	int rc;

	if (!json_is_object(obj))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be an object, got %s", path,
		                   type_of(obj));
	rc = get_str(&dc->name, obj, path, "name", true, NULL, err);
	if (rc == 0)
		rc = get_str(&dc->vm_folder, obj, path, "vm_folder", false,
		             "BOSH_VMs", err);
	if (rc == 0)
		rc = get_str(&dc->template_folder, obj, path,
		             "template_folder", false, "BOSH_Templates", err);
	if (rc == 0)
		rc = get_str(&dc->disk_path, obj, path, "disk_path", false,
		             "BOSH_Disks", err);
	if (rc == 0)
		rc = get_str(&dc->datastore_pattern, obj, path,
		             "datastore_pattern", false, NULL, err);
	if (rc == 0)
		rc = get_str(&dc->datastore_cluster_pattern, obj, path,
		             "datastore_cluster_pattern", false, NULL, err);
	if (rc == 0)
		rc = get_str(&dc->persistent_datastore_pattern, obj, path,
		             "persistent_datastore_pattern", false, NULL, err);
	if (rc == 0)
		rc = get_str(&dc->persistent_datastore_cluster_pattern, obj,
		             path, "persistent_datastore_cluster_pattern",
		             false, NULL, err);
	if (rc == 0)
		rc = get_bool(&dc->allow_mixed_datastores, obj, path,
		              "allow_mixed_datastores", true, err);
	if (rc == 0)
		rc = get_bool(&dc->use_sub_folder, obj, path,
		              "use_sub_folder", false, err);
	if (rc == 0)
		rc = refuse_set(obj, path, datacenter_unsupported,
		                sizeof(datacenter_unsupported) /
		                sizeof(datacenter_unsupported[0]), err);
	if (rc == 0 && !dc->allow_mixed_datastores)
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s.allow_mixed_datastores: false is not "
		                 "supported by this CPI (keeping ephemeral "
		                 "and persistent disks on separate "
		                 "datastores); remove it", path);
	if (rc != 0)
		return rc;
	rc = check_pattern(dc->datastore_pattern, path, "datastore_pattern",
	                   err);
	if (rc == 0)
		rc = check_pattern(dc->datastore_cluster_pattern, path,
		                   "datastore_cluster_pattern", err);
	if (rc == 0)
		rc = check_pattern(dc->persistent_datastore_pattern, path,
		                   "persistent_datastore_pattern", err);
	if (rc == 0)
		rc = check_pattern(dc->persistent_datastore_cluster_pattern,
		                   path, "persistent_datastore_cluster_pattern",
		                   err);
	if (rc != 0)
		return rc;
	if (dc->datastore_pattern == NULL &&
	    dc->datastore_cluster_pattern == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datastore_pattern: required string "
		                   "(or datastore_cluster_pattern)", path);
	if (dc->persistent_datastore_pattern == NULL &&
	    dc->persistent_datastore_cluster_pattern == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.persistent_datastore_pattern: "
		                   "required string (or "
		                   "persistent_datastore_cluster_pattern)",
		                   path);
	clusters = get(obj, "clusters");
	if (clusters == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.clusters: required array", path);
	if (!json_is_array(clusters))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.clusters: must be an array, got %s",
		                   path, type_of(clusters));
	if (json_array_size(clusters) == 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.clusters: must not be empty", path);
	dc->clusters = calloc(json_array_size(clusters),
	                      sizeof(*dc->clusters));
	if (dc->clusters == NULL)
		return oom(err);
	dc->nclusters = json_array_size(clusters);
	for (i = 0; i < dc->nclusters; i++) {
		snprintf(sub, sizeof(sub), "%.160s.clusters[%zu]", path, i);
		rc = parse_cluster(&dc->clusters[i],
		                   json_array_get(clusters, i), sub, err);
		if (rc != 0)
			return rc;
		if (dc->clusters[i].resource_pool != NULL)
			any_pool = true;
	}
	if (any_pool)
		dc->use_sub_folder = true;
	return 0;
}

/* --- vcenter ------------------------------------------------------- */

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

int
cpi_options_parse(struct cpi_option **out, size_t *n_out, const json_t *opts,
                  const char *where, enum cpi_error_type etype,
                  struct err *err)
{
	struct cpi_option *list = NULL;
	const json_t *v;
	const char *key, *text, *why;
	char num[64];
	size_t i = 0;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (opts == NULL)
		return 0;
	if (!json_is_object(opts))
		return cpi_err_set(err, etype, false, "%s: must be "
		                   "an object, got %s", where, type_of(opts));
	if (json_object_size(opts) == 0)
		return 0;
	list = calloc(json_object_size(opts), sizeof(*list));
	if (list == NULL)
		return oom(err);
	json_object_foreach((json_t *)opts, key, v) {
		struct cpi_option *o = &list[i];

		why = vmx_key_problem(key);
		if (why != NULL) {
			char shown[65];
			size_t k;

			/* one line in the message, whatever the key holds */
			for (k = 0; key[k] != '\0' && k + 1 < sizeof(shown);
			     k++)
				shown[k] = isprint((unsigned char)key[k]) ?
				           key[k] : '?';
			shown[k] = '\0';
			rc = cpi_err_set(err, etype, false,
			                 "%s: key '%s' %s", where, shown, why);
			goto cleanup;
		}
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
			rc = cpi_err_set(err, etype, false,
			                 "%s.%.64s: must be a string, number "
			                 "or boolean, got %s", where, key,
			                 type_of(v));
			goto cleanup;
		}
		i++;
		o->key = strdup(key);
		o->value = strdup(text);
		if (o->key == NULL || o->value == NULL) {
			rc = oom(err);
			goto cleanup;
		}
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

	rc = get_obj(&opts, obj, path, "vmx_options", false, err);
	if (rc != 0)
		return rc;
	snprintf(where, sizeof(where), "%s.vmx_options", path);
	return cpi_options_parse(&vc->vmx_options, &vc->nvmx_options, opts,
	                         where, CPI_ERROR_CPI, err);
}

/* connection_options.deadline_seconds: a whole number of seconds, 1 to
 * one day; absent: CPI_DEFAULT_DEADLINE_S. */
static int
get_deadline(int *out, const json_t *conn, const char *path,
             struct err *err)
{
	const json_t *v = get(conn, "deadline_seconds");

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 86400)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.deadline_seconds: must be a whole "
		                   "number of seconds from 1 to 86400",
		                   path);
	*out = (int)json_integer_value(v);
	return 0;
}

static int
parse_vcenter(struct cpi_vcenter *vc, const json_t *obj, const char *path,
              struct err *err)
{
	char sub[PATH_MAX_LEN], *s = NULL, *host = NULL;
	const json_t *conn, *dcs, *v;
	int rc;

	if (!json_is_object(obj))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be an object, got %s", path,
		                   type_of(obj));
	rc = get_str(&host, obj, path, "host", true, NULL, err);
	if (rc == 0) {
		snprintf(sub, sizeof(sub), "%.160s.host", path);
		rc = cpi_config_parse_host(vc, host, sub, err);
	}
	free(host);
	if (rc == 0)
		rc = get_str(&vc->user, obj, path, "user", true, NULL, err);
	if (rc != 0)
		return rc;
	v = get(obj, "password");
	if (v == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.password: required string", path);
	if (!json_is_string(v))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.password: must be a string, got %s",
		                   path, type_of(v));
	rc = dup_str(&vc->password, json_string_value(v), err);
	if (rc != 0)
		return rc;

	rc = get_str(&s, obj, path, "default_disk_type", false,
	             "preallocated", err);
	if (rc != 0)
		return rc;
	if (strcmp(s, "preallocated") == 0)
		vc->default_disk_type = CPI_DISK_PREALLOCATED;
	else if (strcmp(s, "thin") == 0)
		vc->default_disk_type = CPI_DISK_THIN;
	else if (strcmp(s, "eagerZeroedThick") == 0)
		vc->default_disk_type = CPI_DISK_EAGER_ZEROED_THICK;
	else
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s.default_disk_type: must be thin, "
		                 "preallocated or eagerZeroedThick", path);
	free(s);
	s = NULL;
	if (rc != 0)
		return rc;
	rc = get_str(&s, obj, path, "default_scsi_controller_type", false,
	             "paravirtual", err);
	if (rc != 0)
		return rc;
	if (strcmp(s, "paravirtual") == 0)
		vc->default_scsi_controller_type = CPI_SCSI_PARAVIRTUAL;
	else if (strcmp(s, "lsi_logic") == 0)
		vc->default_scsi_controller_type = CPI_SCSI_LSI_LOGIC;
	else if (strcmp(s, "lsi_logic_sas") == 0)
		vc->default_scsi_controller_type = CPI_SCSI_LSI_LOGIC_SAS;
	else
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s.default_scsi_controller_type: must be "
		                 "paravirtual, lsi_logic or lsi_logic_sas",
		                 path);
	free(s);
	if (rc != 0)
		return rc;

	vc->deadline_seconds = CPI_DEFAULT_DEADLINE_S;
	rc = get_obj(&conn, obj, path, "connection_options", false, err);
	if (rc == 0 && conn != NULL) {
		snprintf(sub, sizeof(sub), "%.160s.connection_options", path);
		rc = get_str(&vc->ca_cert, conn, sub, "ca_cert", false, NULL,
		             err);
		if (rc == 0 && vc->ca_cert != NULL &&
		    strstr(vc->ca_cert, "-----BEGIN CERTIFICATE-----") == NULL)
			rc = cpi_err_set(err, CPI_ERROR_CPI, false,
			                 "%s.ca_cert: must be PEM text "
			                 "(-----BEGIN CERTIFICATE-----)",
			                 sub);
		if (rc == 0)
			rc = get_bool(&vc->insecure, conn, sub, "insecure",
			              false, err);
		if (rc == 0)
			rc = get_deadline(&vc->deadline_seconds, conn, sub,
			                  err);
	}
	if (rc == 0)
		rc = get_bool(&vc->enable_human_readable_name, obj, path,
		              "enable_human_readable_name", false, err);
	if (rc == 0)
		rc = get_bool(&vc->enable_auto_anti_affinity_drs_rules, obj,
		              path, "enable_auto_anti_affinity_drs_rules",
		              false, err);
	if (rc == 0)
		rc = get_bool(&vc->cpu_reserve_full_mhz, obj, path,
		              "cpu_reserve_full_mhz", false, err);
	if (rc == 0)
		rc = get_bool(&vc->memory_reservation_locked_to_max, obj, path,
		              "memory_reservation_locked_to_max", false, err);
	if (rc == 0)
		rc = get_bool(&vc->upgrade_hw_version, obj, path,
		              "upgrade_hw_version", false, err);
	if (rc == 0)
		rc = get_bool(&vc->http_logging, obj, path, "http_logging",
		              false, err);
	if (rc == 0)
		rc = get_bool(&vc->ensure_no_ip_conflicts, obj, path,
		              "ensure_no_ip_conflicts", true, err);
	if (rc == 0)
		rc = get_str(&vc->vm_storage_policy_name, obj, path,
		             "vm_storage_policy_name", false, NULL, err);
	if (rc != 0)
		return rc;
	v = get(obj, "default_hw_version");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 1000)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.default_hw_version: must be a "
			                   "positive integer", path);
		vc->default_hw_version = (int)json_integer_value(v);
	}
	vc->leftover_vm_grace_s = CPI_LEFTOVER_GRACE_DEFAULT;
	v = get(obj, "leftover_vm_grace_seconds");
	if (v != NULL) {
		if (!json_is_integer(v) ||
		    json_integer_value(v) < CPI_LEFTOVER_GRACE_MIN ||
		    json_integer_value(v) > 30LL * 86400)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.leftover_vm_grace_seconds: must "
			                   "be an integer from %d to %lld", path,
			                   CPI_LEFTOVER_GRACE_MIN, 30LL * 86400);
		vc->leftover_vm_grace_s = json_integer_value(v);
	}
	rc = parse_vmx_options(vc, obj, path, err);
	if (rc == 0)
		rc = refuse_set(obj, path, vcenter_unsupported,
		                sizeof(vcenter_unsupported) /
		                sizeof(vcenter_unsupported[0]), err);
	if (rc != 0)
		return rc;

	dcs = get(obj, "datacenters");
	if (dcs == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datacenters: required array", path);
	if (!json_is_array(dcs))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datacenters: must be an array, got %s",
		                   path, type_of(dcs));
	if (json_array_size(dcs) != 1)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datacenters: exactly one datacenter "
		                   "is supported, got %zu", path,
		                   json_array_size(dcs));
	snprintf(sub, sizeof(sub), "%.160s.datacenters[0]", path);
	return parse_datacenter(&vc->datacenter, json_array_get(dcs, 0), sub,
	                        err);
}

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
		return oom(err);
	cfg->secrets = grown;
	cfg->secrets[cfg->nsecrets] = strndup(s, n);
	if (cfg->secrets[cfg->nsecrets] == NULL)
		return oom(err);
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

/* Every string under a credential-like key, at any depth. */
static int
collect_secrets(struct cpi_config *cfg, const json_t *v, bool under_secret,
                int depth, struct err *err)
{
	const char *key;
	json_t *child;
	size_t i;
	int rc = 0;

	if (depth > 32)
		return 0;
	if (json_is_string(v) && under_secret)
		return add_secret(cfg, json_string_value(v),
		                  strlen(json_string_value(v)), err);
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			bool hide = under_secret || cpi_secret_key(key);

			rc = collect_secrets(cfg, child, hide, depth + 1,
			                     err);
			if (rc != 0)
				return rc;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			rc = collect_secrets(cfg, child, under_secret,
			                     depth + 1, err);
			if (rc != 0)
				return rc;
		}
	}
	return rc;
}

static int
dump_canonical(char **out, const json_t *v, struct err *err)
{
	*out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (*out == NULL)
		return oom(err);
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

	rc = get_obj(&agent, props, path, "agent", true, err);
	if (rc != 0)
		return rc;
	snprintf(sub, sizeof(sub), "%.160s.agent", path);
	/* optional, as in the Ruby CPI's schema (agent: any hash) */
	rc = get_str(&ag->mbus, agent, sub, "mbus", false, NULL, err);
	if (rc == 0 && ag->mbus != NULL)
		rc = add_secret(cfg, ag->mbus, strlen(ag->mbus), err);
	if (rc == 0 && ag->mbus != NULL)
		rc = add_url_secret(cfg, ag->mbus, err);
	if (rc != 0)
		return rc;
	ntp = get(agent, "ntp");
	if (ntp != NULL) {
		if (!json_is_array(ntp))
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s.ntp: must be an array, got %s",
			                   sub, type_of(ntp));
		ag->ntp = calloc(json_array_size(ntp) + 1, sizeof(*ag->ntp));
		if (ag->ntp == NULL)
			return oom(err);
		for (i = 0; i < json_array_size(ntp); i++) {
			const json_t *e = json_array_get(ntp, i);

			if (!json_is_string(e))
				return cpi_err_set(err, CPI_ERROR_CPI, false,
				                   "%s.ntp[%zu]: must be a "
				                   "string, got %s", sub, i,
				                   type_of(e));
			ag->ntp[i] = strdup(json_string_value(e));
			if (ag->ntp[i] == NULL)
				return oom(err);
			ag->nntp = i + 1;
		}
	}
	rc = get_obj(&bs, agent, sub, "blobstore", false, err);
	if (rc == 0 && bs != NULL)
		rc = dump_canonical(&ag->blobstore_json, bs, err);
	if (rc == 0 && bs != NULL)
		rc = collect_secrets(cfg, bs, false, 0, err);
	if (rc == 0)
		rc = collect_secrets(cfg, agent, false, 0, err);
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

static int
parse_root(struct cpi_config *cfg, json_t *root, const json_t *context,
           struct err *err)
{
	const json_t *cloud, *props, *vcs, *v;
	json_t *vc0, *cv;
	const char *key;
	int rc;

	if (!json_is_object(root))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "config: must be an object, got %s",
		                   type_of(root));
	rc = get_obj(&cloud, root, "config", "cloud", true, err);
	if (rc != 0)
		return rc;
	v = get(cloud, "plugin");
	if (v != NULL && (!json_is_string(v) ||
	                  strcmp(json_string_value(v), "vsphere") != 0))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.plugin: must be \"vsphere\"");
	rc = get_obj(&props, cloud, "cloud", "properties", true, err);
	if (rc != 0)
		return rc;
	vcs = get(props, "vcenters");
	if (vcs == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.properties.vcenters: required "
		                   "array");
	if (!json_is_array(vcs))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.properties.vcenters: must be an "
		                   "array, got %s", type_of(vcs));
	if (json_array_size(vcs) != 1)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "cloud.properties.vcenters: exactly one "
		                   "vCenter is supported, got %zu",
		                   json_array_size(vcs));
	vc0 = json_array_get(vcs, 0);
	if (context != NULL && json_is_object(vc0)) {
		json_object_foreach((json_t *)context, key, cv) {
			if (context_key_kept(key) &&
			    json_object_set(vc0, key, cv) != 0)
				return oom(err);
		}
	}
	if (context != NULL) {
		v = json_object_get(context, "director_uuid");
		if (json_is_string(v)) {
			rc = dup_str(&cfg->director_uuid,
			             json_string_value(v), err);
			if (rc != 0)
				return rc;
		}
	}
	rc = parse_vcenter(&cfg->vcenter, vc0, "cloud.properties.vcenters[0]",
	                   err);
	if (rc == 0 && cfg->vcenter.password[0] != '\0')
		rc = add_secret(cfg, cfg->vcenter.password,
		                strlen(cfg->vcenter.password), err);
	if (rc == 0)
		rc = parse_agent(cfg, props, "cloud.properties", err);
	if (rc == 0 && is_set(get(props, "plugins")))
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
		rc = oom(err);
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
		rc = oom(err);
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

static void
free_str(char *s)
{
	if (s != NULL)
		memset(s, 0, strlen(s));
	free(s);
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
	free_str(vc->password);
	free(vc->ca_cert);
	free(vc->vm_storage_policy_name);
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
	for (i = 0; i < cfg->agent.nntp; i++)
		free(cfg->agent.ntp[i]);
	free(cfg->agent.ntp);
	free_str(cfg->agent.mbus);
	free_str(cfg->agent.blobstore_json);
	free_str(cfg->agent.json);
	free(cfg->director_uuid);
	for (i = 0; i < cfg->nsecrets; i++)
		free_str(cfg->secrets[i]);
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
