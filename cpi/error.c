#include "cpi/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const type_names[CPI_ERROR_TYPE_COUNT] = {
	[CPI_ERROR_CPI] = "Bosh::Clouds::CpiError",
	[CPI_ERROR_NOT_IMPLEMENTED] = "Bosh::Clouds::NotImplemented",
	[CPI_ERROR_NOT_SUPPORTED] = "Bosh::Clouds::NotSupported",
	[CPI_ERROR_CLOUD] = "Bosh::Clouds::CloudError",
	[CPI_ERROR_VM_NOT_FOUND] = "Bosh::Clouds::VMNotFound",
	[CPI_ERROR_NETWORK_NOT_FOUND] = "Bosh::Clouds::NetworkNotFound",
	[CPI_ERROR_NO_DISK_SPACE] = "Bosh::Clouds::NoDiskSpace",
	[CPI_ERROR_DISK_NOT_ATTACHED] = "Bosh::Clouds::DiskNotAttached",
	[CPI_ERROR_DISK_NOT_FOUND] = "Bosh::Clouds::DiskNotFound",
	[CPI_ERROR_VM_CREATION_FAILED] = "Bosh::Clouds::VMCreationFailed",
};

const char *
cpi_err_type_name(enum cpi_error_type t)
{
	if ((int)t < 0 || t >= CPI_ERROR_TYPE_COUNT)
		return type_names[CPI_ERROR_CPI];
	return type_names[t];
}

int
cpi_err_set(struct err *e, enum cpi_error_type t, bool retry,
            const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || err_is_set(e))
		return ERR_FAIL;
	if ((int)t < 0 || t >= CPI_ERROR_TYPE_COUNT)
		t = CPI_ERROR_CPI;
	e->code = ERR_FAIL;
	e->type = t;
	e->ok_to_retry = retry;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return ERR_FAIL;
}

int
cpi_err_from_vs(struct err *e, enum cpi_error_type t, const struct err *vs)
{
	const char *msg;

	if (e == NULL || err_is_set(e))
		return ERR_FAIL;
	if (vs == NULL || vs->code == 0)
		return cpi_err_set(e, CPI_ERROR_CPI, false,
		                   "vSphere call failed without a message");
	msg = vs->message[0] != '\0' ? vs->message : "vSphere call failed";
	if (vs->fault[0] != '\0' && strstr(msg, vs->fault) == NULL)
		return cpi_err_set(e, t, vs->transient, "%.63s: %.1000s",
		                   vs->fault, msg);
	return cpi_err_set(e, t, vs->transient, "%.1023s", msg);
}
