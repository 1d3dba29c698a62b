/*
 * vsphere/moref.h: the managed object reference, xml-free so that cpi/
 * can hold one (soap.h includes this header).
 */
#ifndef VS_MOREF_H
#define VS_MOREF_H

#include <stdbool.h>

/* A managed object reference: <x type="VirtualMachine">vm-42</x>. */
struct vs_moref {
	char type[64];
	char value[256];
};

/* Whether a and b name the same object (type and value). */
bool vs_moref_eq(const struct vs_moref *a, const struct vs_moref *b);

#endif
