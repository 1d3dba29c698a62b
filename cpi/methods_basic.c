/*
 * cpi/methods_basic.c: the methods that need neither vCenter nor the
 * config.
 */
#include "cpi/methods.h"

int
cpi_method_info(json_t **result, struct cpi_call *call)
{
	*result = json_pack("{s:[s,s],s:i}", "stemcell_formats",
	                    "vsphere-ovf", "vsphere-ova", "api_version",
	                    CPI_API_VERSION_MAX);
	if (*result == NULL)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	return 0;
}

int
cpi_method_ping(json_t **result, struct cpi_call *call)
{
	*result = json_string("pong");
	if (*result == NULL)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	return 0;
}

/* One of ram (MiB), cpu, ephemeral_disk_size (MiB): a positive
 * integer. */
static int
positive(json_int_t *out, const json_t *obj, const char *key,
         struct err *err)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "calculate_vm_cloud_properties: "
		                   "desired_instance_size.%s: required "
		                   "positive integer", key);
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "calculate_vm_cloud_properties: "
		                   "desired_instance_size.%s: must be a "
		                   "positive integer", key);
	*out = json_integer_value(v);
	return 0;
}

int
cpi_method_calculate_vm_cloud_properties(json_t **result,
                                         struct cpi_call *call)
{
	const json_t *want = cpi_arg_object(call, 0);
	json_int_t ram = 0, cpu = 0, disk = 0;
	int rc;

	*result = NULL;
	rc = positive(&ram, want, "ram", call->err);
	if (rc == 0)
		rc = positive(&cpu, want, "cpu", call->err);
	if (rc == 0)
		rc = positive(&disk, want, "ephemeral_disk_size", call->err);
	if (rc != 0)
		return rc;
	*result = json_pack("{s:I,s:I,s:I}", "ram", ram, "cpu", cpu, "disk",
	                    disk);
	if (*result == NULL)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	cpi_log_info(call->log, "calculate_vm_cloud_properties: ram %lld "
	             "MiB, %lld cpu, disk %lld MiB", (long long)ram,
	             (long long)cpu, (long long)disk);
	return 0;
}
