#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
err_set(struct err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code >= 0)
		code = ERR_FAIL;
	if (err == NULL || err->code != 0)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void
err_prefix(struct err *err, const char *fmt, ...)
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
err_clear(struct err *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

bool
err_is_set(const struct err *err)
{
	return err != NULL && err->code != 0;
}

void
err_keep_first(struct err *err, const struct err *local)
{
	if (err != NULL && local != NULL && !err_is_set(err))
		*err = *local;
}
