/*
 * vsphere/vm_internal.h: helpers shared by the files behind vm.h (vm.c,
 * devices.c, custom_field.c); not for other modules.
 */
#ifndef VS_VM_INTERNAL_H
#define VS_VM_INTERNAL_H

#include <stdbool.h>

#include "vsphere/vim.h"
#include "vsphere/vm.h"

/* ERR_EINVAL naming what when ref is NULL or empty. */
int vs_vm__check_ref(const struct vs_moref *ref, const char *what,
                     struct err *err);

#endif
