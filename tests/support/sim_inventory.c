/*
 * tests/support/sim_inventory.c: the inventory look-ups of
 * sim_inventory.h.
 */
#include "tests/support/sim_inventory.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"

struct vs_moref
sim_vm_ref(struct vs_client *cl, const char *cid)
{
	struct vs_moref vm;
	struct err err;
	char path[512];

	snprintf(path, sizeof(path), SIM_VM_FOLDER "/%s", cid);
	err_clear(&err);
	ck_assert_msg(vs_find_by_inventory_path(&vm, cl, path, &err) == 0,
	              "%s: %s", path, err.message);
	return vm;
}

size_t
sim_count_vms(struct vs_client *cl, const char *prefix)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *list = NULL;
	const char *name;
	struct err err;
	size_t i, n = 0;

	err_clear(&err);
	ck_assert_msg(vs_pc_list(&list, cl, &vs_client_sc(cl)->root_folder,
	                         "VirtualMachine", paths, &err) == 0, "%s",
	              err.message);
	for (i = 0; i < list->n; i++) {
		err_clear(&err);
		if (vs_object_get_str(&name, &list->items[i], "name",
		                      &err) == 0 &&
		    strncmp(name, prefix, strlen(prefix)) == 0)
			n++;
	}
	vs_objects_free(list);
	return n;
}

void
sim_cluster_config(struct vs_object **obj, xmlNodePtr *val,
                   struct vs_client *cl)
{
	static const char *const paths[] = { "configurationEx", NULL };
	struct vs_moref cluster;
	struct err err;

	err_clear(&err);
	ck_assert_msg(vs_find_by_inventory_path(&cluster, cl, SIM_CLUSTER,
	                                        &err) == 0, "%s", err.message);
	ck_assert_msg(vs_get_props(obj, cl, &cluster, paths, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(vs_object_get_node(val, *obj, "configurationEx",
	                                    &err), 0);
}
