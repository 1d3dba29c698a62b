/* base/array.c: see array.h. */
#include "base/array.h"

#include <stdint.h>
#include <stdlib.h>

int
array_grow(void **items, size_t *cap, size_t need, size_t elem,
           size_t first)
{
	size_t want;
	void *g;

	if (need <= *cap)
		return 0;
	want = *cap != 0 ? *cap : (first != 0 ? first : 1);
	while (want < need) {
		if (want > SIZE_MAX / 2)
			return -1;
		want *= 2;
	}
	if (elem != 0 && want > SIZE_MAX / elem)
		return -1;
	g = realloc(*items, want * elem);
	if (g == NULL)
		return -1;
	*items = g;
	*cap = want;
	return 0;
}

void
array_free(void *items, size_t n, size_t elem, void (*clear)(void *))
{
	size_t i;

	for (i = 0; items != NULL && i < n; i++)
		clear((char *)items + i * elem);
	free(items);
}

void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}
