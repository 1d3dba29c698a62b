/*
 * tests/replay/vs_inventory.h: the "login + inventory query + logout"
 * sequence shared by the recorder (tests/replay/rec_vsphere.c), the
 * replay suite (tests/unit/check_replay.c) and the benchmark
 * (tests/bench/bench_vsphere.c), so all three make exactly the same
 * SOAP calls:
 *
 *   RetrieveServiceContent, Login            vs_client_connect()
 *   CreateContainerView(root, [Datacenter, ClusterComputeResource,
 *                       Datastore], recursive)
 *   RetrievePropertiesEx(name of every object in the view)
 *   DestroyView
 *   Logout                                   vs_client_close()
 *
 * Header-only (static functions) because each user is a separate
 * program and the Makefile links unit suites with tests/support only.
 * Internal vsphere/ headers are fine here: this is test code.
 */
#ifndef TEST_VS_INVENTORY_H
#define TEST_VS_INVENTORY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/vsphere.h"

struct inv_result {
	size_t datacenters;
	size_t clusters;
	size_t datastores;
	char first_datacenter[64];  /* name of the first one listed */
	unsigned roundtrips;        /* HTTP exchanges, login to logout */
};

/* The one inventory query on a connected client. */
static inline int
inv_query(struct inv_result *out, struct vs_client *c, struct err *err)
{
	static const char *const types[] = {
		"Datacenter", "ClusterComputeResource", "Datastore", NULL,
	};
	static const char *const paths[] = { "name", NULL };
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_property_spec ps[3];
	struct vs_selection_spec ts = {
		.name = "view", .type = "ContainerView", .path = "view",
	};
	struct vs_object_spec os;
	struct vs_pc_query q;
	struct vs_objects *objs = NULL;
	struct err local;
	struct vs_moref view;
	const char *name;
	size_t i;
	int rc, drc;

	rc = vs_view_create(&view, c, &sc->root_folder, types, true, err);
	if (rc < 0)
		return rc;
	memset(&q, 0, sizeof(q));
	memset(&os, 0, sizeof(os));
	for (i = 0; i < 3; i++) {
		memset(&ps[i], 0, sizeof(ps[i]));
		ps[i].type = types[i];
		ps[i].paths = paths;
	}
	os.obj = view;
	os.skip = true;
	os.select = &ts;
	os.nselect = 1;
	q.spec.props = ps;
	q.spec.nprops = 3;
	q.spec.objects = &os;
	q.spec.nobjects = 1;
	rc = vs_pc_retrieve(&objs, c, &q, err);
	for (i = 0; rc == 0 && i < objs->n; i++) {
		const struct vs_object *o = &objs->items[i];

		if (strcmp(o->obj.type, "Datacenter") == 0) {
			rc = vs_object_get_str(&name, o, "name", err);
			if (rc == 0 && out->datacenters == 0)
				snprintf(out->first_datacenter,
				         sizeof(out->first_datacenter), "%s",
				         name);
			out->datacenters++;
		} else if (strcmp(o->obj.type, "ClusterComputeResource") == 0) {
			out->clusters++;
		} else if (strcmp(o->obj.type, "Datastore") == 0) {
			out->datastores++;
		}
	}
	vs_objects_free(objs);
	err_clear(&local);
	drc = vs_view_destroy(c, &view, &local);
	if (rc == 0 && drc < 0)
		rc = err_set(err, local.code, "DestroyView: %s",
		             local.message);
	return rc;
}

/* Connect, query, close on a new client built from opts (the transport
 * is taken over, also on failure). */
static inline int
inv_run(struct inv_result *out, const struct vs_client_opts *opts,
        struct err *err)
{
	struct vs_client *c = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = vs_client_new(&c, opts, err);
	if (rc < 0)
		return rc;
	rc = vs_client_connect(c, err);
	if (rc == 0)
		rc = inv_query(out, c, err);
	if (rc == 0)
		rc = vs_client_close(c, err);
	out->roundtrips = vs_client_roundtrips(c);
	vs_client_free(c);
	return rc;
}

#endif
