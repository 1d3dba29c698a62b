/*
 * cpi/methods_create_vm.c: create_vm.
 * (stub until implemented: answers NotImplemented)
 */
#include "cpi/methods.h"

int
cpi_method_create_vm(json_t **result, struct cpi_call *call)
{
	*result = NULL;
	return cpi_error_set(call->err, CPI_ERROR_NOT_IMPLEMENTED, false,
	                     "create_vm is not implemented yet");
}
