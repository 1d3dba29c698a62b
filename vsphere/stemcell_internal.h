/*
 * vsphere/stemcell_internal.h: what the files behind stemcell.h share
 * (stemcell.c, stemcell_place.c, stemcell_replica.c); not for other
 * modules.
 */
#ifndef VS_STEMCELL_INTERNAL_H
#define VS_STEMCELL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/moref.h"
#include "vsphere/stemcell.h"
#include "base/err.h"

struct vs_objects;

/* What separates cid and datastore id in the Ruby CPI's replica names. */
#define VS_STEMCELL_RUBY_SEP " %2f "

/* An inventory path component list ("a/b"): non-empty parts, no control
 * characters, no "%". */
int vs_stemcell__check_rel(const char *what, const char *s,
                           struct err *err);
/* loc's datacenter (one component) and template folder. */
int vs_stemcell__check_loc(const struct vs_stemcell_loc *loc,
                           struct err *err);
/* malloc'd concatenation of the parts that are not NULL. */
char *vs_stemcell__join(const char *a, const char *b, const char *c_,
                        const char *d);
/* "<dc>/vm/<folder>", malloc'd. */
char *vs_stemcell__folder_path(const struct vs_stemcell_loc *loc);
bool vs_stemcell__moref_in(const struct vs_moref *r,
                           const struct vs_moref *list, size_t n);
/* The VMs directly in folder, with their names (one read). */
int vs_stemcell__list_folder_vms(struct vs_objects **out, struct vs_client *c,
                                 const struct vs_moref *folder,
                                 struct err *err);
/* CreateSnapshot_Task "initial" (no memory, no quiesce); *snap_out (may
 * be NULL) the snapshot. */
int vs_stemcell__take_snapshot(struct vs_moref *snap_out,
                               struct vs_client *c,
                               const struct vs_moref *vm,
                               struct err *err);

/* Where an import goes. */
struct vs_stemcell_placement {
	struct vs_moref pool;
	struct vs_moref datastore;
	char ds_name[256];
	long long free_space;
	struct vs_moref vm_folder;      /* the datacenter's vmFolder, read
	                                   with the clusters; value "": not
	                                   read */
};

/* The first cluster of imp (in order) with an accessible datastore that
 * matches imp's pattern and has need bytes free (most free space wins):
 * its datastore and pool, and the datacenter's VM folder (same read). */
int vs_stemcell__place(struct vs_stemcell_placement *pl, struct vs_client *c,
                       const struct vs_stemcell_import *imp, long long need,
                       struct err *err);

#endif
