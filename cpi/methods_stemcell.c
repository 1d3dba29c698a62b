/*
 * cpi/methods_stemcell.c: create_stemcell, delete_stemcell.
 * (stub until implemented: answers NotImplemented)
 */
#include "cpi/methods.h"

int
cpi_method_create_stemcell(json_t **result, struct cpi_call *call)
{
	*result = NULL;
	return cpi_error_set(call->err, CPI_ERROR_NOT_IMPLEMENTED, false,
	                     "create_stemcell is not implemented yet");
}

int
cpi_method_delete_stemcell(json_t **result, struct cpi_call *call)
{
	*result = NULL;
	return cpi_error_set(call->err, CPI_ERROR_NOT_IMPLEMENTED, false,
	                     "delete_stemcell is not implemented yet");
}
