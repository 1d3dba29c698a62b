/*
 * vsphere/service_content.c: the reply of RetrieveServiceContent read
 * into struct vs_service_content (vsphere/client.h).
 */
#include "vsphere/client.h"
#include "vsphere/vsphere.h"

#include <stddef.h>
#include <string.h>

/* "6.5", "8.0.2.0": digits and dots only. */
bool
vs_api_version_ok(const char *v)
{
	size_t i;

	if (v[0] == '\0' || strlen(v) > 16)
		return false;
	for (i = 0; v[i] != '\0'; i++) {
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.'))
			return false;
	}
	return true;
}

/* The managed objects of ServiceContent read into vs_service_content. */
static const struct {
	const char *name;
	size_t off;
	bool required;
} sc_refs[] = {
	{ "rootFolder",
	  offsetof(struct vs_service_content, root_folder), true },
	{ "propertyCollector",
	  offsetof(struct vs_service_content, property_collector),
	  true },
	{ "viewManager",
	  offsetof(struct vs_service_content, view_manager), false },
	{ "searchIndex",
	  offsetof(struct vs_service_content, search_index), false },
	{ "fileManager",
	  offsetof(struct vs_service_content, file_manager), false },
	{ "virtualDiskManager",
	  offsetof(struct vs_service_content, virtual_disk_manager),
	  false },
	{ "ovfManager",
	  offsetof(struct vs_service_content, ovf_manager), false },
	{ "customFieldsManager",
	  offsetof(struct vs_service_content, custom_fields_manager),
	  false },
	{ "sessionManager",
	  offsetof(struct vs_service_content, session_manager),
	  true },
	{ "authorizationManager",
	  offsetof(struct vs_service_content, authorization_manager),
	  false },
};

int
vs_service_content_read(struct vs_service_content *sc, xmlNodePtr resp,
                     struct err *err)
{
	xmlNodePtr rv, n, about;
	size_t i;
	int rc;

	memset(sc, 0, sizeof(*sc));
	rv = vs_xml_child(resp, "returnval");
	if (rv == NULL)
		return err_set(err, ERR_EPARSE,
		               "RetrieveServiceContent: no returnval");
	for (i = 0; i < sizeof(sc_refs) / sizeof(sc_refs[0]); i++) {
		n = vs_xml_child(rv, sc_refs[i].name);
		if (n == NULL && !sc_refs[i].required)
			continue;
		rc = vs_xml_moref((struct vs_moref *)((char *)sc +
		                  sc_refs[i].off), n, err);
		if (rc != 0) {
			err_prefix(err, "RetrieveServiceContent: %s",
			           sc_refs[i].name);
			return rc;
		}
	}
	about = vs_xml_child(rv, "about");
	if (vs_xml_child_copy(sc->api_version, sizeof(sc->api_version),
	                      about, "apiVersion") != 0)
		sc->api_version[0] = '\0';
	if (vs_xml_child_copy(sc->api_type, sizeof(sc->api_type), about,
	                      "apiType") != 0)
		sc->api_type[0] = '\0';
	return 0;
}
