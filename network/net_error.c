/* network/net_error.c: the error object of network/ and the quoting of
 * values in its messages. */
#include "network/net.h"
#include "network/net_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/quote.h"

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

void
net__quote(char *out, size_t cap, const char *s)
{
	char piece[12];
	size_t o = 0, i, n;

	if (cap < 8) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	if (s == NULL) {
		snprintf(out, cap, "(null)");
		return;
	}
	out[o++] = '"';
	for (i = 0; s[i] != '\0'; i++) {
		if (o + 4 + 5 > cap) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		/* base/quote.h's bytes, but for the quotes: this quotation
		 * is in double quotes, so '"' is written \x22 and '\'' is
		 * printable */
		if (s[i] == '"')
			snprintf(piece, sizeof(piece), "\\x22");
		else if (s[i] == '\'')
			snprintf(piece, sizeof(piece), "'");
		else
			quote_bytes(piece, sizeof(piece), s + i, 1);
		n = strlen(piece);
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o++] = '"';
	out[o] = '\0';
}
