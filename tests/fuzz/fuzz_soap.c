/*
 * fuzz_soap: SOAP reply parsing (vsphere/soap.h vs_soap_parse_reply, and
 * the streamed page reader of vsphere/soap_stream.h, each object made
 * into an ObjectContent as pc.c makes it) and the typed readers of vsphere/vim.h on what parses: every
 * returnval/objects entry as ObjectContent, and every property value,
 * returnval and fault detail through the TaskInfo, lease info, device,
 * datastore summary and LocalizedMethodFault readers, whatever its type
 * claims to be (a hostile server may send any of them anywhere).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vsphere/soap.h"
#include "vsphere/soap_stream.h"
#include "vsphere/vim.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void
readers(xmlNodePtr val)
{
	static const char *const names[] = {
		"info", "info.state", "info.error", "info.result",
	};
	struct err err = { 0 };
	struct vs_task_info ti = { 0 };
	struct vs_lease_info *li = NULL;
	struct vs_devices *devs = NULL;
	struct vs_ds_summary *ds = NULL;
	struct vs_fault f;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err_clear(&err);
		(void)vs_task_info_apply(&ti, names[i], val, &err);
	}
	vs_task_info_clear(&ti);
	err_clear(&err);
	(void)vs_lease_info_from_node(&li, val, &err);
	vs_lease_info_free(li);
	err_clear(&err);
	if (vs_devices_from_node(&devs, val, &err) == 0 && devs != NULL)
		(void)vs_devices_find_key(devs, 4000);
	vs_devices_free(devs);
	err_clear(&err);
	(void)vs_ds_summary_from_node(&ds, val, &err);
	vs_ds_summary_free(ds);
	err_clear(&err);
	(void)vs_lmf_from_node(&f, val, &err);
	vs_fault_from_node(&f, val);
}

static void
objects(xmlNodePtr returnval)
{
	static const char *const optional[] = { "summary", "info", NULL };
	struct err err = { 0 };
	struct vs_object o;
	xmlNodePtr k;
	size_t i;

	for (k = vs_xml_child(returnval, "objects"); k != NULL;
	     k = vs_xml_next(k, "objects")) {
		err_clear(&err);
		if (vs_object_from_node(&o, k, optional, &err) != 0)
			continue;
		for (i = 0; i < o.nprops; i++) {
			const struct vs_prop *p = &o.props[i];
			const char *s;
			long long l;
			bool b;

			err_clear(&err);
			(void)vs_object_get_str(&s, &o, p->name, &err);
			err_clear(&err);
			(void)vs_object_get_long(&l, &o, p->name, &err);
			err_clear(&err);
			(void)vs_object_get_bool(&b, &o, p->name, &err);
			if (p->kind == VS_PROP_NODE)
				readers(p->node);
		}
		vs_object_clear(&o);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	return 0;
}

static int
stream_object(void *ud, xmlNodePtr objects, struct err *err)
{
	struct vs_object o;

	(void)ud;
	if (vs_object_from_node(&o, objects, NULL, err) == 0)
		vs_object_clear(&o);
	err_clear(err);
	return 0;
}

static void
stream(const uint8_t *data, size_t size)
{
	struct vs_soap_stream st = { .objects = stream_object };
	struct err err = { 0 };
	bool whole;

	(void)vs_soap_stream_reply(&whole, (const char *)data, size,
	                           "RetrievePropertiesExResponse", &st, &err);
	free(st.token);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err err = { 0 };
	struct vs_fault fault = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr child = NULL, rv;
	int rc;

	rc = vs_soap_parse_reply(&doc, &child, (const char *)data, size,
	                         &fault, &err);
	if (rc == 0 && child != NULL) {
		objects(child);
		for (rv = vs_xml_child(child, "returnval"); rv != NULL;
		     rv = vs_xml_next(rv, "returnval")) {
			objects(rv);
			readers(rv);
		}
	}
	xmlFreeDoc(doc);
	stream(data, size);
	return 0;
}
