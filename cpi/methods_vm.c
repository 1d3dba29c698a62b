/*
 * cpi/methods_vm.c: has_vm, delete_vm, reboot_vm, set_vm_metadata.
 * (stub until implemented: answers NotImplemented)
 */
#include "cpi/methods.h"

int
cpi_method_has_vm(json_t **result, struct cpi_call *call)
{
	*result = NULL;
	return cpi_error_set(call->err, CPI_ERROR_NOT_IMPLEMENTED, false,
	                     "has_vm is not implemented yet");
}

int
cpi_method_delete_vm(json_t **result, struct cpi_call *call)
{
	*result = NULL;
	return cpi_error_set(call->err, CPI_ERROR_NOT_IMPLEMENTED, false,
	                     "delete_vm is not implemented yet");
}

int
cpi_method_reboot_vm(json_t **result, struct cpi_call *call)
{
	*result = NULL;
	return cpi_error_set(call->err, CPI_ERROR_NOT_IMPLEMENTED, false,
	                     "reboot_vm is not implemented yet");
}

int
cpi_method_set_vm_metadata(json_t **result, struct cpi_call *call)
{
	*result = NULL;
	return cpi_error_set(call->err, CPI_ERROR_NOT_IMPLEMENTED, false,
	                     "set_vm_metadata is not implemented yet");
}
