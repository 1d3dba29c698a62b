/* base/utf8.c: see utf8.h. */
#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t
utf8_decode(uint32_t *cp_out, const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		len = 1;
		cp = s[0];
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp_out != NULL)
		*cp_out = cp;
	return len;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = utf8_decode(NULL, p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

char *
utf8_clean(const char *s)
{
	size_t n = strlen(s), i = 0, k;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	while (i < n) {
		k = utf8_decode(NULL, (const unsigned char *)s + i, n - i);
		if (k == 0) {
			out[i++] = '?';
			continue;
		}
		memcpy(out + i, s + i, k);
		i += k;
	}
	out[n] = '\0';
	return out;
}
