/*
 * vsphere/moref.h: the managed object reference, xml-free so that cpi/
 * can hold one (soap.h includes this header).
 */
#ifndef VS_MOREF_H
#define VS_MOREF_H

/* A managed object reference: <x type="VirtualMachine">vm-42</x>. */
struct vs_moref {
	char type[64];
	char value[256];
};

#endif
