/*
 * cpi/vm_cid.c: the VM cids this CPI makes (see vm_cid.h).
 */
#include "cpi/vm_cid.h"

#include <string.h>

#include "cpi/error.h"

enum cid_fault { CID_OK, CID_SHAPE, CID_CHAR };

bool
cpi_vm_cid_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

static enum cid_fault
cid_fault(const char *cid)
{
	size_t i, len;

	len = cid != NULL ? strnlen(cid, CPI_VM_CID_MAX + 1) : 0;
	if (len == 0 || len > CPI_VM_CID_MAX || strcmp(cid, ".") == 0 ||
	    strcmp(cid, "..") == 0)
		return CID_SHAPE;
	for (i = 0; i < len; i++) {
		if (!cpi_vm_cid_char(cid[i]))
			return CID_CHAR;
	}
	return CID_OK;
}

bool
cpi_vm_cid_ok(const char *cid)
{
	return cid_fault(cid) == CID_OK;
}

int
cpi_vm_cid_check(const char *cid, const char *method, struct err *err)
{
	switch (cid_fault(cid)) {
	case CID_SHAPE:
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s: bad vm_cid", method);
	case CID_CHAR:
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s: vm_cid may only hold "
		                   "A-Z a-z 0-9 _ . -", method);
	default:
		return 0;
	}
}
