/*
 * vsphere/create_internal.h: what the files behind create.h share
 * (create.c, create_plan.c); not for other modules.
 */
#ifndef VS_CREATE_INTERNAL_H
#define VS_CREATE_INTERNAL_H

#include "vsphere/create.h"

struct vs_vm_info;

/* The reconfigure plan of a fresh clone from info, its read back: the
 * MAC addresses of req's NICs, the stemcell's NICs to remove, the system
 * disk and its controller, the ephemeral disk's unit, the CD-ROM slot. */
int vs_create__plan(struct vs_created *v, const struct vs_vm_info *info,
                    const struct vs_create_req *req, struct err *err);

#endif
