/* base/words.c: see words.h. */
#include "base/words.h"

#include <string.h>

int
word_value_n(int *out, const struct word *table, size_t n, const char *s,
             size_t len)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (strlen(table[i].name) == len &&
		    memcmp(table[i].name, s, len) == 0) {
			*out = table[i].value;
			return 0;
		}
	}
	return -1;
}

int
word_value(int *out, const struct word *table, size_t n, const char *s)
{
	if (s == NULL)
		return -1;
	return word_value_n(out, table, n, s, strlen(s));
}

const char *
word_name(const struct word *table, size_t n, int value)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (table[i].value == value)
			return table[i].name;
	}
	return NULL;
}
