/*
 * vsphere/ipconflict.c: the address check of create_vm (see
 * ipconflict.h).
 */
#include "vsphere/ipconflict.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/vim.h"

/* Same address, IPv4 or IPv6 in any form; unparsable text compares as
 * text. */
static bool
same_ip(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return strcmp(a, b) == 0;
}

/* Whether one GuestNicInfo of network `net` lists ip. */
static bool
nic_holds(xmlNodePtr nic, const char *net, const char *ip)
{
	xmlNodePtr a;
	char *name = vs_xml_child_text(nic, "network");
	bool match = name != NULL && strcmp(name, net) == 0;

	xmlFree(name);
	if (!match)
		return false;
	for (a = vs_xml_child(nic, "ipAddress"); a != NULL;
	     a = vs_xml_next(a, "ipAddress")) {
		xmlChar *t = xmlNodeGetContent(a);

		match = t != NULL && same_ip((const char *)t, ip);
		xmlFree(t);
		if (match)
			return true;
	}
	return false;
}

/* The want (index) one VM's guest.net holds, or -1. */
static long
vm_holds(const struct vs_object *o, const struct vs_ip_want *want, size_t n)
{
	struct err local;
	xmlNodePtr val, nic;
	size_t i;

	err_clear(&local);
	if (vs_object_get_node(&val, o, "guest.net", &local) != 0)
		return -1;
	for (nic = vs_xml_child(val, "GuestNicInfo"); nic != NULL;
	     nic = vs_xml_next(nic, "GuestNicInfo")) {
		for (i = 0; i < n; i++) {
			if (nic_holds(nic, want[i].pg->name, want[i].ip))
				return (long)i;
		}
	}
	return -1;
}

/* SearchIndex.FindAllByIp(datacenter, ip, vmSearch true): appends the
 * VMs not listed yet to *vms. */
static int
find_all_by_ip(struct vs_moref **vms, size_t *nvms, struct vs_client *c,
               const struct vs_moref *dc, const char *ip,
               struct err *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r, ret;
	struct vs_moref ref, *grown;
	size_t k;
	int rc;

	rc = vs_soap_request_new(&req, &m, "FindAllByIp",
	                         &vs_client_sc(c)->search_index, err);
	if (rc < 0)
		goto cleanup;
	if ((dc != NULL && vs_soap_add_moref(m, "datacenter", dc) == NULL) ||
	    vs_soap_add_text(m, "ip", ip) == NULL ||
	    vs_soap_add_bool(m, "vmSearch", true) == NULL) {
		rc = err_set(err, ERR_EINVAL, "FindAllByIp: bad "
		             "arguments");
		goto cleanup;
	}
	rc = vs_client_call(c, req, &resp, &r, err);
	req = NULL;
	if (rc < 0)
		goto cleanup;
	for (ret = vs_xml_child(r, "returnval"); ret != NULL;
	     ret = vs_xml_next(ret, "returnval")) {
		rc = vs_xml_moref(&ref, ret, err);
		if (rc < 0)
			goto cleanup;
		for (k = 0; k < *nvms; k++) {
			if (strcmp((*vms)[k].value, ref.value) == 0)
				break;
		}
		if (k < *nvms || strcmp(ref.type, "VirtualMachine") != 0)
			continue;
		grown = realloc(*vms, (*nvms + 1) * sizeof(**vms));
		if (grown == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
		*vms = grown;
		(*vms)[(*nvms)++] = ref;
	}
cleanup:
	xmlFreeDoc(req);
	xmlFreeDoc(resp);
	return rc;
}

/* Whether the VM's `network` property lists the port group. */
static bool
vm_on(const struct vs_object *o, const struct vs_moref *net)
{
	const struct vs_moref *refs;
	struct err local;
	size_t i, n = 0;

	err_clear(&local);
	if (vs_object_get_morefs(&refs, &n, o, "network", &local) != 0)
		return false;
	for (i = 0; i < n; i++) {
		if (strcmp(refs[i].type, net->type) == 0 &&
		    strcmp(refs[i].value, net->value) == 0)
			return true;
	}
	return false;
}

/* ONE read of name, guest.net and network of the nvms VMs. */
static int
read_holders(struct vs_objects **list, struct vs_client *c,
             const struct vs_moref *vms, size_t nvms, struct err *err)
{
	static const char *const vm_paths[] = {
		"name", "guest.net", "network", NULL,
	};
	static const char *const optional[] = {
		"guest.net", "network", NULL,
	};
	const struct vs_property_spec ps = {
		.type = "VirtualMachine", .paths = vm_paths,
	};
	struct vs_object_spec *os;
	struct vs_pc_query q;
	size_t i;
	int rc;

	os = calloc(nvms, sizeof(*os));
	if (os == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i < nvms; i++)
		os[i].obj = vms[i];
	memset(&q, 0, sizeof(q));
	q.spec.props = &ps;
	q.spec.nprops = 1;
	q.spec.objects = os;
	q.spec.nobjects = nvms;
	q.optional = optional;
	rc = vs_pc_retrieve(list, c, &q, err);
	if (rc != 0)
		err_prefix(err, "reading the VMs holding the addresses");
	free(os);
	return rc;
}

/* The first VM of list holding a wanted address on its port group. */
static void
first_conflict(bool *found_out, struct vs_ip_conflict *out,
               const struct vs_objects *list, const struct vs_ip_want *want,
               size_t n)
{
	struct err local;
	const char *name;
	size_t i;
	long w;

	for (i = 0; i < list->n && !*found_out; i++) {
		w = vm_holds(&list->items[i], want, n);
		if (w < 0 || !vm_on(&list->items[i], &want[w].pg->network))
			continue;
		err_clear(&local);
		if (vs_object_get_str(&name, &list->items[i], "name",
		                      &local) != 0)
			name = list->items[i].obj.value;
		*found_out = true;
		out->want = (size_t)w;
		out->vm = list->items[i].obj;
		snprintf(out->vm_name, sizeof(out->vm_name), "%s", name);
	}
}

int
vs_ip_conflict_find(bool *found_out, struct vs_ip_conflict *out,
                    struct vs_client *c, const struct vs_moref *dc,
                    const struct vs_ip_want *want, size_t n,
                    struct err *err)
{
	struct vs_objects *list = NULL;
	struct vs_moref *vms = NULL;
	size_t i, nvms = 0;
	int rc = 0;

	*found_out = false;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		if (want[i].pg == NULL || want[i].ip == NULL ||
		    want[i].pg->name == NULL)
			return err_set(err, ERR_EINVAL, "IP conflict "
			               "check: bad request");
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = find_all_by_ip(&vms, &nvms, c, dc, want[i].ip, err);
	if (rc < 0)
		err_prefix(err, "looking for VMs by address");
	if (rc == 0 && nvms > 0)
		rc = read_holders(&list, c, vms, nvms, err);
	if (rc == 0 && nvms > 0)
		first_conflict(found_out, out, list, want, n);
	vs_objects_free(list);
	free(vms);
	return rc;
}
