/* base/span.c: see span.h. */
#include "base/span.h"

#include <string.h>

bool
span_starts(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && memcmp(s, prefix, pl) == 0;
}

size_t
span_find(const char *s, size_t n, const char *needle)
{
	size_t nl = strlen(needle), i;

	if (nl == 0 || nl > n)
		return n;
	for (i = 0; i + nl <= n; i++) {
		if (s[i] == needle[0] && memcmp(s + i, needle, nl) == 0)
			return i;
	}
	return n;
}
