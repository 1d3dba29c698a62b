/* base/wipe.c: see wipe.h. */
#include "base/wipe.h"

#include <stdlib.h>
#include <string.h>

void
wipe_free_n(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

void
wipe_free(char *s)
{
	if (s != NULL)
		wipe_free_n(s, strlen(s));
}
