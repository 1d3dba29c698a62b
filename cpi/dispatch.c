#include "cpi/dispatch.h"

#include <string.h>

#include "base/quote.h"
#include "cpi/config_read.h"
#include "cpi/methods.h"

#define A(n, t) { n, t, false, false }
#define STR(n) A(n, CPI_ARG_STRING)
#define STR_NULL(n) A(n, CPI_ARG_STRING_OR_NULL)
#define INT(n) A(n, CPI_ARG_INTEGER)
#define OBJ(n) A(n, CPI_ARG_OBJECT)
#define OBJ_NULL(n) A(n, CPI_ARG_OBJECT_OR_NULL)
#define ARR_NULL(n) A(n, CPI_ARG_ARRAY_OR_NULL)
#define OPTIONAL(n, t) { n, t, true, false }
#define SECRET(n, t) { n, t, false, true }
#define END { NULL, CPI_ARG_NONE, false, false }

/* name, handler (NULL: NotImplemented), needs config, arguments. */
static const struct cpi_method methods[] = {
	{ "info", cpi_method_info, false, { END } },
	{ "ping", cpi_method_ping, false, { END } },
	{ "calculate_vm_cloud_properties",
	  cpi_method_calculate_vm_cloud_properties, false,
	  { OBJ("desired_instance_size"), END } },
	{ "current_vm_id", NULL, true, { END } },
	{ "create_stemcell", cpi_method_create_stemcell, true,
	  { STR("image_path"), OBJ_NULL("cloud_properties"),
	    OPTIONAL("stemcell_tags", CPI_ARG_OBJECT_OR_NULL), END } },
	{ "delete_stemcell", cpi_method_delete_stemcell, true,
	  { STR("stemcell_cid"), END } },
	{ "create_vm", cpi_method_create_vm, true,
	  { STR("agent_id"), STR("stemcell_cid"), OBJ_NULL("cloud_properties"),
	    OBJ("networks"), ARR_NULL("disk_cids"),
	    SECRET("env", CPI_ARG_OBJECT_OR_NULL), END } },
	{ "delete_vm", cpi_method_delete_vm, true, { STR("vm_cid"), END } },
	{ "has_vm", cpi_method_has_vm, true, { STR("vm_cid"), END } },
	{ "reboot_vm", cpi_method_reboot_vm, true, { STR("vm_cid"), END } },
	{ "set_vm_metadata", cpi_method_set_vm_metadata, true,
	  { STR("vm_cid"), OBJ("metadata"), END } },
	{ "create_disk", cpi_method_create_disk, true,
	  { INT("size"), OBJ_NULL("cloud_properties"), STR_NULL("vm_cid"),
	    END } },
	{ "delete_disk", cpi_method_delete_disk, true,
	  { STR("disk_cid"), END } },
	{ "has_disk", cpi_method_has_disk, true, { STR("disk_cid"), END } },
	{ "attach_disk", cpi_method_attach_disk, true,
	  { STR("vm_cid"), STR("disk_cid"), END } },
	{ "detach_disk", cpi_method_detach_disk, true,
	  { STR("vm_cid"), STR("disk_cid"), END } },
	{ "get_disks", cpi_method_get_disks, true, { STR("vm_cid"), END } },
	{ "set_disk_metadata", cpi_method_set_disk_metadata, true,
	  { STR("disk_cid"), OBJ("metadata"), END } },
	{ "resize_disk", cpi_method_resize_disk, true,
	  { STR("disk_cid"), INT("new_size"), END } },
	{ "update_disk", NULL, true,
	  { STR("disk_cid"), INT("new_size"), OBJ_NULL("cloud_properties"),
	    END } },
	{ "snapshot_disk", NULL, true,
	  { STR("disk_cid"), OBJ_NULL("metadata"), END } },
	{ "delete_snapshot", NULL, true, { STR("snapshot_cid"), END } },
	{ "create_network", NULL, true, { OBJ("network_definition"), END } },
	{ "delete_network", NULL, true, { STR("network_cid"), END } },
};

const struct cpi_method *
cpi_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}

const struct cpi_method *
cpi_method_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

const char *
cpi_arg_type_name(enum cpi_arg_type t)
{
	switch (t) {
	case CPI_ARG_STRING:
		return "a string";
	case CPI_ARG_STRING_OR_NULL:
		return "a string or null";
	case CPI_ARG_INTEGER:
		return "an integer";
	case CPI_ARG_OBJECT:
		return "an object";
	case CPI_ARG_OBJECT_OR_NULL:
		return "an object or null";
	case CPI_ARG_ARRAY:
		return "an array";
	case CPI_ARG_ARRAY_OR_NULL:
		return "an array or null";
	default:
		return "any value";
	}
}

/* The article before v's type name (cpi_cfg__type_of): "an" object, "a"
 * string, and none before null. */
static const char *
json_article(const json_t *v)
{
	if (json_is_null(v))
		return "";
	return strchr("aeiou", cpi_cfg__type_of(v)[0]) != NULL ? "an " : "a ";
}

static bool
arg_matches(enum cpi_arg_type t, const json_t *v)
{
	switch (t) {
	case CPI_ARG_STRING:
		return json_is_string(v);
	case CPI_ARG_STRING_OR_NULL:
		return json_is_string(v) || json_is_null(v);
	case CPI_ARG_INTEGER:
		return json_is_integer(v);
	case CPI_ARG_OBJECT:
		return json_is_object(v);
	case CPI_ARG_OBJECT_OR_NULL:
		return json_is_object(v) || json_is_null(v);
	case CPI_ARG_ARRAY:
		return json_is_array(v);
	case CPI_ARG_ARRAY_OR_NULL:
		return json_is_array(v) || json_is_null(v);
	default:
		return true;
	}
}

int
cpi_args_check(const struct cpi_method *m, const json_t *args,
               struct err *err)
{
	size_t i, n = json_array_size(args), required = 0, declared = 0;

	if (!json_is_array(args))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: arguments must be an array", m->name);
	while (declared < CPI_MAX_ARGS && m->args[declared].name != NULL) {
		if (!m->args[declared].optional)
			required = declared + 1;
		declared++;
	}
	if (n < required)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: expected %zu argument%s, got %zu: "
		                   "missing argument %zu (%s, %s)", m->name,
		                   required, required == 1 ? "" : "s", n,
		                   n + 1, m->args[n].name,
		                   cpi_arg_type_name(m->args[n].type));
	/* More than declared is refused (the Ruby CPI answers CpiError
	 * "Arguments are not correct" too): no Director or bosh-cli call
	 * sends more than the table holds, so extra ones are a caller's
	 * mistake worth seeing, not something to act on silently. */
	if (n > declared)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: expected %s%zu argument%s, got %zu",
		                   m->name, required < declared ? "at most "
		                   : "", declared, declared == 1 ? "" : "s",
		                   n);
	for (i = 0; i < n; i++) {
		const json_t *v = json_array_get(args, i);

		if (!arg_matches(m->args[i].type, v))
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s: argument %zu (%s) must be "
			                   "%s, got %s%s", m->name, i + 1,
			                   m->args[i].name,
			                   cpi_arg_type_name(m->args[i].type),
			                   json_article(v), cpi_cfg__type_of(v));
	}
	return 0;
}

static int
hide_secret_args(const struct cpi_method *m, const json_t *args,
                 struct cpi_log *log, struct err *err)
{
	size_t i;

	for (i = 0; i < CPI_MAX_ARGS && m->args[i].name != NULL; i++) {
		if (!m->args[i].secret)
			continue;
		if (cpi_log_secret_json(log, json_array_get(args, i),
		                        true) != 0)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "out of memory");
	}
	return 0;
}

int
cpi_dispatch(json_t **result, const struct cpi_request *req,
             const struct cpi_options *opts, struct cpi_log *log,
             struct err *err)
{
	const struct cpi_method *m;
	char name[68];

	*result = NULL;
	m = cpi_method_find(req->method);
	if (m == NULL) {
		quote_str(name, sizeof(name), req->method);
		return cpi_err_set(err, CPI_ERROR_NOT_IMPLEMENTED, false,
		                   "Method is not known, got '%s'", name);
	}
	return cpi_dispatch_entry(result, m, req, opts, log, err);
}

/* The config (file and request context), its secrets registered with
 * the log before anything can log them. */
static int
load_config(struct cpi_config **out, const struct cpi_request *req,
            const struct cpi_options *opts, struct cpi_log *log,
            struct err *err)
{
	struct cpi_config *cfg = NULL;
	size_t i;
	int rc;

	*out = NULL;
	rc = cpi_config_load(&cfg, opts != NULL ? opts->config_path : NULL,
	                     req->context, err);
	if (rc != 0) {
		cpi_config_free(cfg);
		return rc;
	}
	for (i = 0; i < cfg->nsecrets; i++) {
		if (cpi_log_secret(log, cfg->secrets[i]) != 0) {
			cpi_config_free(cfg);
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "out of memory");
		}
	}
	cpi_log_debug(log, "config: vCenter %s, datacenter %s, "
	              "%zu cluster(s)", cfg->vcenter.url,
	              cfg->vcenter.datacenter.name,
	              cfg->vcenter.datacenter.nclusters);
	*out = cfg;
	return 0;
}

int
cpi_dispatch_entry(json_t **result, const struct cpi_method *m,
                   const struct cpi_request *req,
                   const struct cpi_options *opts, struct cpi_log *log,
                   struct err *err)
{
	struct cpi_config *cfg = NULL;
	struct cpi_call call;
	int rc;

	*result = NULL;
	if (m->fn == NULL) {
		rc = cpi_err_set(err, CPI_ERROR_NOT_IMPLEMENTED, false,
		                 "Method '%s' is not implemented by this "
		                 "CPI", m->name);
		goto cleanup;
	}
	/* Secrets in the context (cpi-config credentials) and in secret
	 * arguments are registered before anything can log them. */
	if (cpi_log_secret_json(log, req->context, false) != 0 ||
	    hide_secret_args(m, req->arguments, log, err) != 0) {
		rc = cpi_err_set(err, CPI_ERROR_CPI, false, "out of memory");
		goto cleanup;
	}
	rc = cpi_args_check(m, req->arguments, err);
	if (rc != 0)
		goto cleanup;
	if (m->needs_config) {
		rc = load_config(&cfg, req, opts, log, err);
		if (rc != 0)
			goto cleanup;
	}
	memset(&call, 0, sizeof(call));
	call.method = m->name;
	call.args = req->arguments;
	call.context = req->context;
	call.api_version = req->api_version;
	call.config = cfg;
	call.opts = opts;
	call.log = log;
	call.err = err;
	rc = m->fn(result, &call);
	if (rc != 0) {
		/* A handler that fails must say why. */
		cpi_err_set(err, CPI_ERROR_CPI, false,
		            "%s failed without a message", m->name);
		json_decref(*result);
		*result = NULL;
	} else if (err_is_set(err)) {
		/* Nor may it report success with an error set. */
		rc = ERR_FAIL;
		json_decref(*result);
		*result = NULL;
	}
cleanup:
	cpi_config_free(cfg);
	return rc;
}

const char *
cpi_arg_string(const struct cpi_call *call, size_t i)
{
	return json_string_value(json_array_get(call->args, i));
}

const json_t *
cpi_arg_object(const struct cpi_call *call, size_t i)
{
	const json_t *v = json_array_get(call->args, i);

	return json_is_object(v) ? v : NULL;
}

long long
cpi_arg_integer(const struct cpi_call *call, size_t i)
{
	return json_integer_value(json_array_get(call->args, i));
}
