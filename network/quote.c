/* network/quote.c: a value quoted for network/'s messages. */
#include "network/net_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/quote.h"

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
