#include "network/net.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
net_error_set(struct net_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (code >= 0)
		code = NET_ERR;
	if (e == NULL || e->code != 0)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

void
net_error_prefix(struct net_error *e, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, mlen, cap;
	va_list ap;

	if (e == NULL || e->code == 0)
		return;
	cap = sizeof(e->message);
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	plen = strlen(prefix);
	if (plen > cap - 1)
		plen = cap - 1;
	mlen = strnlen(e->message, cap - 1);
	if (plen + mlen > cap - 1)
		mlen = cap - 1 - plen;
	memmove(e->message + plen, e->message, mlen);
	memcpy(e->message, prefix, plen);
	e->message[plen + mlen] = '\0';
}

void
net_error_clear(struct net_error *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

bool
net_error_is_set(const struct net_error *e)
{
	return e != NULL && e->code != 0;
}
