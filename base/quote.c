/* base/quote.c: see quote.h. */
#include "base/quote.h"

#include <string.h>

const char *
quote_bytes(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (o + 8 >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'') {
			buf[o++] = (char)ch;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

const char *
quote_str(char *buf, size_t size, const char *s)
{
	if (s == NULL)
		s = "";
	return quote_bytes(buf, size, s, strlen(s));
}
