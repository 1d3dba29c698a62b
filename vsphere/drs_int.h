/*
 * vsphere/drs_int.h: what vsphere/drs.c shares with
 * vsphere/drs_hostgroup.c (internal to vsphere/).
 */
#ifndef VS_DRS_INT_H
#define VS_DRS_INT_H

#include "vsphere/drs.h"

bool vs_drs__has_ref(const struct vs_moref *refs, size_t n,
                     const struct vs_moref *vm);
const struct vs_drs_rule *vs_drs__rule_find(const struct vs_drs_rules *r,
                                            const char *name);
/* configurationEx of cluster: its rules, and its groups when groups is
 * not NULL (one read). */
int vs_drs__read_config(struct vs_drs_rules **out,
                        struct vs_drs_groups **groups, struct vs_client *c,
                        const struct vs_moref *cluster, struct err *err);
/* Appends a ClusterGroupSpec of the ClusterVmGroup `name` to spec: op
 * "add" / "edit" with the members, or "remove".  NULL: out of memory. */
xmlNodePtr vs_drs__add_group_spec(xmlNodePtr spec, const char *op,
                                  const char *name,
                                  const struct vs_moref *vms, size_t nvms);
/* Appends modify true to m and sends the ReconfigureComputeResource_Task
 * doc, waited for; doc is consumed.  what and name for messages. */
int vs_drs__send(struct vs_client *c, const struct vs_moref *cluster,
                 xmlDocPtr doc, xmlNodePtr m, const char *what,
                 const char *name, struct err *err);
/* fn(ctx) under the DRS lock `lock`, released on every path. */
int vs_drs__with_lock(struct vs_client *c, const char *lock,
                      int (*fn)(void *, struct err *), void *ctx,
                      struct err *err);

#endif
