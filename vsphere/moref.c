/*
 * vsphere/moref.c: managed object references (moref.h).
 */
#include "vsphere/moref.h"

#include <string.h>

bool
vs_moref_eq(const struct vs_moref *a, const struct vs_moref *b)
{
	return strcmp(a->type, b->type) == 0 &&
	       strcmp(a->value, b->value) == 0;
}
