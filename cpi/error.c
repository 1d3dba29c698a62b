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
cpi_error_type_name(enum cpi_error_type t)
{
	if ((int)t < 0 || t >= CPI_ERROR_TYPE_COUNT)
		return type_names[CPI_ERROR_CPI];
	return type_names[t];
}

static void
error_fill(struct cpi_error *e, enum cpi_error_type t, bool retry)
{
	if ((int)t < 0 || t >= CPI_ERROR_TYPE_COUNT)
		t = CPI_ERROR_CPI;
	e->set = 1;
	e->type = t;
	e->ok_to_retry = retry;
}

int
cpi_error_set(struct cpi_error *e, enum cpi_error_type t, bool retry,
              const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->set)
		return CPI_ERR;
	error_fill(e, t, retry);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return CPI_ERR;
}

int
cpi_error_from_vs(struct cpi_error *e, enum cpi_error_type t,
                  const struct vs_error *vs)
{
	const char *msg;

	if (e == NULL || e->set)
		return CPI_ERR;
	if (vs == NULL || vs->code == 0)
		return cpi_error_set(e, CPI_ERROR_CPI, false,
		                     "vSphere call failed without a message");
	msg = vs->message[0] != '\0' ? vs->message : "vSphere call failed";
	if (vs->fault[0] != '\0' && strstr(msg, vs->fault) == NULL)
		return cpi_error_set(e, t, vs->transient, "%.63s: %.1000s",
		                     vs->fault, msg);
	return cpi_error_set(e, t, vs->transient, "%.1023s", msg);
}

void
cpi_error_prefix(struct cpi_error *e, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, mlen, cap;
	va_list ap;

	if (e == NULL || !e->set)
		return;
	cap = sizeof(e->message);
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	plen = strlen(prefix);
	mlen = strnlen(e->message, cap - 1);
	if (plen + mlen > cap - 1)
		mlen = cap - 1 - plen;
	memmove(e->message + plen, e->message, mlen);
	memcpy(e->message, prefix, plen);
	e->message[plen + mlen] = '\0';
}

void
cpi_error_clear(struct cpi_error *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

bool
cpi_error_is_set(const struct cpi_error *e)
{
	return e != NULL && e->set != 0;
}
