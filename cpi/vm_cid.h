/*
 * cpi/vm_cid.h: the VM cids this CPI makes ("vm-<uuid>"), checked where
 * the Director hands one back (hostile input) and where the create_vm
 * journal names its entries after one.
 *
 * A VM cid is 1 to CPI_VM_CID_MAX (vCenter's limit for entity names) of
 * A-Z a-z 0-9 _ . -, and not "." or "..": safe as a file name and as an
 * inventory path's last element.
 */
#ifndef CPI_VM_CID_H
#define CPI_VM_CID_H

#include <stdbool.h>

#include "base/err.h"

#define CPI_VM_CID_MAX 80

/* Whether a VM cid may hold ch: A-Z a-z 0-9 _ . - */
bool cpi_vm_cid_char(char ch);
/* Whether cid (NULL is not) is a VM cid. */
bool cpi_vm_cid_ok(const char *cid);
/* 0 when cid is a VM cid, else a CloudError (ok_to_retry false) whose
 * message starts with method. */
int cpi_vm_cid_check(const char *cid, const char *method, struct err *err);

#endif
