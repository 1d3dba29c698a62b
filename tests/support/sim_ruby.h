/*
 * tests/support/sim_ruby.h: objects as the Ruby vSphere CPI leaves them
 * in a vCenter, made in the simulator for the switching tests
 * (tests/integration/check_ruby_compat.c).
 *
 *  - a disk cid of director_disk_cid.rb: "disk-<uuid>.<URL-safe base64
 *    of {"target_datastore_pattern": PATTERN}>";
 *  - a VM an operator moved to another VM folder (MoveIntoFolder_Task);
 *  - a stemcell replica named as stemcell.rb names it,
 *    "<stemcell cid> %2f <datastore moref value>", as vCenter stores that
 *    name (a '/' of the moref value escaped as %2f), with its snapshot
 *    "initial", in the template folder.
 *
 * Every function fails the running Check test on error.
 */
#ifndef TEST_SIM_RUBY_H
#define TEST_SIM_RUBY_H

#include <stddef.h>

#include "vsphere/vsphere.h"

/* The Ruby cid of disk name ("disk-<uuid>") with pattern, into out. */
void sim_ruby_disk_cid(char *out, size_t size, const char *name,
                       const char *pattern);
/* Moves VM vm into the VM folder "DC0/vm/<folder>" (made when
 * missing; folder may hold '/'). */
void sim_ruby_move_vm(struct vs_client *cl, const struct vs_moref *vm,
                      const char *folder);
/* Clones the stemcell VM "DC0/vm/<template_folder>/<stemcell_cid>" onto
 * datastore ds (a moref) under the Ruby replica name, takes snapshot
 * "initial"; out gets the replica, name (may be NULL) its name. */
void sim_ruby_replica(struct vs_moref *out, char *name, size_t name_size,
                      struct vs_client *cl, const char *template_folder,
                      const char *stemcell_cid, const struct vs_moref *ds);

/* A disk file ds_path ("[LocalDS_0] dir/disk-<uuid>.vmdk", 1 MB, thin;
 * its directory made): a detached disk whose file is not where its cid
 * says. */
void sim_ruby_disk_file(struct vs_client *cl, const char *ds_path);
/* The disk file ds_path attached to vm as an independent_persistent
 * disk of 1 MB on the first free unit of controller ctrl (a device
 * key of vm). */
void sim_ruby_attach_file(struct vs_client *cl, const struct vs_moref *vm,
                          int ctrl, const char *ds_path);
/* sim_ruby_disk_file() attached to vm (independent_persistent, a free
 * unit of the controller of its first disk): a disk whose file is not where its
 * cid says. */
void sim_ruby_attached_disk(struct vs_client *cl, const struct vs_moref *vm,
                            const char *ds_path);

#endif
