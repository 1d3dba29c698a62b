/*
 * cpi/methods.h: method handlers (see cpi/dispatch.h for the contract).
 */
#ifndef CPI_METHODS_H
#define CPI_METHODS_H

#include <jansson.h>

#include "cpi/dispatch.h"

/* cpi/methods_basic.c: no vCenter needed. */
int cpi_method_info(json_t **result, struct cpi_call *call);
int cpi_method_ping(json_t **result, struct cpi_call *call);
int cpi_method_calculate_vm_cloud_properties(json_t **result,
                                             struct cpi_call *call);

/* cpi/methods_vm.c */
int cpi_method_has_vm(json_t **result, struct cpi_call *call);
int cpi_method_delete_vm(json_t **result, struct cpi_call *call);
int cpi_method_reboot_vm(json_t **result, struct cpi_call *call);
int cpi_method_set_vm_metadata(json_t **result, struct cpi_call *call);
/* Removes the VMs of create_vm calls that were killed: the entries of
 * the leftover journal (cpi/create_journal.h) older than the config's
 * leftover_vm_grace_seconds, each VM looked up by its path and removed
 * as delete_vm removes a VM (vsphere/vm_remove.h: persistent disks
 * detached and moved back, out of DRS rules and VM groups).  No round
 * trip when no entry is old.  Never fails the call: trouble is logged. */
struct vs_client;
void cpi_sweep_leftovers(struct vs_client *c, struct cpi_call *call);

/* cpi/methods_stemcell.c */
int cpi_method_create_stemcell(json_t **result, struct cpi_call *call);
int cpi_method_delete_stemcell(json_t **result, struct cpi_call *call);

/* cpi/methods_create_vm.c */
int cpi_method_create_vm(json_t **result, struct cpi_call *call);
/* A JSON string without embedded NUL, or NULL for other values. */
const char *cpi_json_text(const json_t *v);

/* cpi/methods_disk.c */
int cpi_method_create_disk(json_t **result, struct cpi_call *call);
int cpi_method_delete_disk(json_t **result, struct cpi_call *call);
int cpi_method_has_disk(json_t **result, struct cpi_call *call);
int cpi_method_get_disks(json_t **result, struct cpi_call *call);
int cpi_method_set_disk_metadata(json_t **result, struct cpi_call *call);
int cpi_method_resize_disk(json_t **result, struct cpi_call *call);

/* cpi/methods_disk_attach.c */
int cpi_method_attach_disk(json_t **result, struct cpi_call *call);
int cpi_method_detach_disk(json_t **result, struct cpi_call *call);

#endif
