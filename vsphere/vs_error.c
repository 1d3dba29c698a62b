#include "vsphere/vs_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
vs_error_set(struct vs_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code >= 0)
		code = VS_ERR;
	if (err == NULL || err->code != 0)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void
vs_error_prefix(struct vs_error *err, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, mlen, cap = sizeof(err->message);
	va_list ap;

	if (err == NULL || err->code == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	plen = strlen(prefix);
	mlen = strnlen(err->message, cap - 1);
	if (plen + mlen > cap - 1)
		mlen = cap - 1 - plen;
	memmove(err->message + plen, err->message, mlen);
	memcpy(err->message, prefix, plen);
	err->message[plen + mlen] = '\0';
}

void
vs_error_clear(struct vs_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

bool
vs_error_is_set(const struct vs_error *err)
{
	return err != NULL && err->code != 0;
}

void
vs_error_keep_first(struct vs_error *err, const struct vs_error *local)
{
	if (err != NULL && local != NULL && !vs_error_is_set(err))
		*err = *local;
}
