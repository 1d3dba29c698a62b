/*
 * vsphere/import.c: OVF import through an HttpNfcLease (see
 * vsphere/import.h).
 */
#include "vsphere/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/pc.h"
#include "vsphere/vim.h"
#include "vsphere/vm_remove.h"

#define LEASE_TIMEOUT_DEFAULT_S 600.0
#define PROGRESS_DEFAULT_S 5.0
#define LEASE_POLL_S 1.0
#define MAX_URL 8192

/* --- small helpers -------------------------------------------------- */

static bool
url_char_ok(char ch)
{
	unsigned char u = (unsigned char)ch;

	return u > 0x20 && u != 0x7f && ch != '"' && ch != '<' &&
	       ch != '>' && ch != '\\' && ch != '`' && ch != '{' &&
	       ch != '}' && ch != '|' && ch != '^';
}

int
vs_import_device_url(char **out, const char *lease_url,
                     const char *base_url, struct err *err)
{
	const char *scheme, *host, *path, *bhost, *bend;
	size_t scheme_len, host_len, len, i;
	char *s;

	*out = NULL;
	if (lease_url == NULL || base_url == NULL)
		return err_set(err, ERR_EINVAL, "no device URL");
	len = strnlen(lease_url, MAX_URL + 1);
	if (len > MAX_URL)
		return err_set(err, ERR_EPARSE,
		               "lease device URL too long");
	for (i = 0; i < len; i++) {
		if (!url_char_ok(lease_url[i]))
			return err_set(err, ERR_EPARSE,
			               "lease device URL holds a "
			               "forbidden character");
	}
	if (strncmp(lease_url, "https://", 8) == 0) {
		scheme_len = 5;
	} else if (strncmp(lease_url, "http://", 7) == 0) {
		scheme_len = 4;
	} else {
		return err_set(err, ERR_EPARSE,
		               "lease device URL is not http(s)");
	}
	scheme = lease_url;
	host = lease_url + scheme_len + 3;
	path = strchr(host, '/');
	if (path == NULL || path == host || path[1] == '\0')
		return err_set(err, ERR_EPARSE,
		               "lease device URL has no host or path");
	host_len = (size_t)(path - host);
	if (memchr(host, '@', host_len) != NULL)
		return err_set(err, ERR_EPARSE,
		               "lease device URL holds credentials");
	if (host_len == 1 && host[0] == '*') {
		bhost = strstr(base_url, "://");
		if (bhost == NULL)
			return err_set(err, ERR_EINVAL,
			               "bad vCenter base URL");
		bhost += 3;
		bend = strchr(bhost, '/');
		host_len = bend != NULL ? (size_t)(bend - bhost)
		                        : strlen(bhost);
		if (host_len == 0)
			return err_set(err, ERR_EINVAL,
			               "bad vCenter base URL");
		host = bhost;
	}
	len = scheme_len + 3 + host_len + strlen(path) + 1;
	s = malloc(len);
	if (s == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	snprintf(s, len, "%.*s://%.*s%s", (int)scheme_len, scheme,
	         (int)host_len, host, path);
	*out = s;
	return 0;
}

/* Appends a deep copy of src (an element of a reply) to parent under the
 * new element name (e.g. importSpec -> spec, VirtualDevice -> device).
 * The copy keeps src's xsi:type and namespace declarations. */
static int
copy_node(xmlNodePtr parent, xmlNodePtr src, const char *name,
          struct err *err)
{
	xmlNodePtr copy;

	if (parent == NULL || src == NULL)
		return err_set(err, ERR_EINVAL, "nothing to copy");
	copy = xmlDocCopyNode(src, parent->doc, 1);
	if (copy == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	xmlNodeSetName(copy, (const xmlChar *)name);
	if (xmlAddChild(parent, copy) == NULL) {
		xmlFreeNode(copy);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	return 0;
}

const struct vs_vm_remove_opts vs_import_vm_removal = {
	.power = VS_VM_REMOVE_POWER_READ,
	.gone_ok = true,
};

/* --- the import ----------------------------------------------------- */

struct file_item {
	char *device_id;
	char *path;
	bool create;                        /* fileItem.create: PUT */
	const struct vs_ovf_file *file;     /* matching OVF file */
};

struct import_state {
	xmlDocPtr spec_doc;                 /* CreateImportSpec reply */
	xmlNodePtr import_spec;
	struct file_item *items;
	size_t nitems;
	struct vs_moref lease;
	bool have_lease;
	struct vs_lease_info *info;
};

static void
import_state_clear(struct import_state *st)
{
	size_t i;

	for (i = 0; i < st->nitems; i++) {
		xmlFree(st->items[i].device_id);
		xmlFree(st->items[i].path);
	}
	free(st->items);
	xmlFreeDoc(st->spec_doc);
	vs_lease_info_free(st->info);
	memset(st, 0, sizeof(*st));
}

/* The first message of an OvfCreateImportSpecResult error/warning. */
static void
spec_fault_message(char *buf, size_t size, xmlNodePtr lmf)
{
	struct vs_fault f;

	memset(&f, 0, sizeof(f));
	vs_fault_from_node(&f, lmf);
	snprintf(buf, size, "%s%s%s", f.type,
	         f.localized[0] != '\0' ? ": " : "",
	         f.localized[0] != '\0' ? f.localized : f.faultstring);
}

static int
read_file_items(struct import_state *st, const struct vs_import_params *p,
                xmlNodePtr rv, struct err *err)
{
	xmlNodePtr fi;
	char *create;
	size_t n = vs_xml_count(rv, "fileItem"), i, k;

	if (n > VS_OVF_MAX_ENTRIES)
		return err_set(err, ERR_EPARSE,
		               "CreateImportSpec: too many file items");
	if (n == 0)
		return 0;
	st->items = calloc(n, sizeof(*st->items));
	if (st->items == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (fi = vs_xml_child(rv, "fileItem"); fi != NULL;
	     fi = vs_xml_next(fi, "fileItem")) {
		struct file_item *it = &st->items[st->nitems++];

		it->device_id = vs_xml_child_text(fi, "deviceId");
		it->path = vs_xml_child_text(fi, "path");
		create = vs_xml_child_text(fi, "create");
		it->create = create != NULL && (strcmp(create, "true") == 0 ||
		                                strcmp(create, "1") == 0);
		xmlFree(create);
		if (it->device_id == NULL || it->path == NULL ||
		    it->device_id[0] == '\0')
			return err_set(err, ERR_EPARSE,
			               "CreateImportSpec: file item "
			               "without deviceId or path");
		/* The server names the file; only files the descriptor
		 * references (validated plain names) are ever read. */
		for (k = 0; k < p->ovf->nfiles; k++) {
			if (strcmp(p->ovf->files[k].href, it->path) == 0) {
				it->file = &p->ovf->files[k];
				break;
			}
		}
		if (it->file == NULL)
			return err_set(err, ERR_EPARSE,
			               "CreateImportSpec: file item names "
			               "a file the OVF does not "
			               "reference");
		for (i = 0; i + 1 < st->nitems; i++) {
			if (strcmp(st->items[i].device_id,
			           it->device_id) == 0)
				return err_set(err, ERR_EPARSE,
				               "CreateImportSpec: "
				               "duplicate file item");
		}
	}
	return 0;
}

/* configSpec.version of the import spec set to version (inserted after
 * changeVersion and name, where vim25 orders it, when missing). */
static int
set_version(xmlNodePtr import_spec, const char *version, struct err *err)
{
	xmlNodePtr cs = vs_xml_child(import_spec, "configSpec");
	xmlNodePtr v, after = NULL, n;

	if (cs == NULL)
		return err_set(err, ERR_EPARSE, "no configSpec in the "
		               "import spec");
	v = vs_xml_child(cs, "version");
	if (v != NULL) {
		xmlNodeSetContent(v, BAD_CAST "");
		xmlNodeAddContent(v, BAD_CAST version);
		return 0;
	}
	for (n = cs->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    (xmlStrcmp(n->name, BAD_CAST "changeVersion") == 0 ||
		     xmlStrcmp(n->name, BAD_CAST "name") == 0))
			after = n;
	}
	v = xmlNewDocNode(cs->doc, cs->ns, BAD_CAST "version", NULL);
	if (v == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	xmlNodeAddContent(v, BAD_CAST version);
	if (after != NULL)
		xmlAddNextSibling(after, v);
	else if (cs->children != NULL)
		xmlAddPrevSibling(cs->children, v);
	else
		xmlAddChild(cs, v);
	return 0;
}

/* Whether a configSpec.deviceChange of the import spec adds a NIC. */
static bool
adds_nic(xmlNodePtr change)
{
	struct vs_device d;
	xmlNodePtr dev = vs_xml_child(change, "device");

	if (dev == NULL)
		return false;
	memset(&d, 0, sizeof(d));
	vs_xml_xsi_type(d.type, sizeof(d.type), dev);
	return vs_device_is_nic(&d);
}

/* The NICs vCenter put in the import spec (one per OVF network) left
 * out, so ImportVApp makes the VM without them. */
static void
strip_nics(struct vs_client *c, xmlNodePtr import_spec)
{
	xmlNodePtr cs = vs_xml_child(import_spec, "configSpec");
	xmlNodePtr ch, next;
	size_t n = 0;

	for (ch = vs_xml_child(cs, "deviceChange"); ch != NULL; ch = next) {
		next = vs_xml_next(ch, "deviceChange");
		if (!adds_nic(ch))
			continue;
		xmlUnlinkNode(ch);
		xmlFreeNode(ch);
		n++;
	}
	if (n > 0)
		vs_client_logf(c, 1, "import spec: %zu NIC(s) left out", n);
}

static int
create_import_spec(struct import_state *st, struct vs_client *c,
                   const struct vs_import_params *p, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL;
	xmlNodePtr m, cisp, rv, e, resp;
	char msg[600];
	int rc;

	rc = vs_soap_request_new(&req, &m, "CreateImportSpec",
	                         &sc->ovf_manager, err);
	if (rc != 0)
		goto cleanup;
	vs_soap_add_text(m, "ovfDescriptor", p->ovf->descriptor);
	vs_soap_add_moref(m, "resourcePool", p->pool);
	vs_soap_add_moref(m, "datastore", p->datastore);
	cisp = vs_soap_add_obj(m, "cisp", NULL);
	vs_soap_add_text(cisp, "locale", "");
	vs_soap_add_text(cisp, "deploymentOption", "");
	vs_soap_add_text(cisp, "entityName", p->name);
	/* NULL adds nothing (optional field) */
	vs_soap_add_text(cisp, "diskProvisioning", p->disk_provisioning);
	rc = vs_client_call(c, req, &st->spec_doc, &resp, err);
	req = NULL;
	if (rc != 0)
		goto cleanup;
	rv = vs_xml_child(resp, "returnval");
	if (rv == NULL) {
		rc = err_set(err, ERR_EPARSE, "empty reply");
		goto cleanup;
	}
	e = vs_xml_child(rv, "error");
	if (e != NULL) {
		spec_fault_message(msg, sizeof(msg), e);
		rc = err_set(err, ERR_FAIL, "the OVF was refused: %s",
		             msg);
		goto cleanup;
	}
	for (e = vs_xml_child(rv, "warning"); e != NULL;
	     e = vs_xml_next(e, "warning")) {
		spec_fault_message(msg, sizeof(msg), e);
		vs_client_logf(c, 2, "CreateImportSpec warning: %s", msg);
	}
	st->import_spec = vs_xml_child(rv, "importSpec");
	if (st->import_spec == NULL) {
		rc = err_set(err, ERR_EPARSE, "no importSpec in reply");
		goto cleanup;
	}
	if (p->no_nics)
		strip_nics(c, st->import_spec);
	if (p->hw_version != NULL)
		rc = set_version(st->import_spec, p->hw_version, err);
	if (rc == 0)
		rc = read_file_items(st, p, rv, err);
cleanup:
	xmlFreeDoc(req);
	if (rc != 0)
		err_prefix(err, "CreateImportSpec");
	return rc;
}

static int
import_vapp(struct import_state *st, struct vs_client *c,
            const struct vs_import_params *p, struct err *err)
{
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	rc = vs_soap_request_new(&req, &m, "ImportVApp", p->pool, err);
	if (rc == 0)
		rc = copy_node(m, st->import_spec, "spec", err);
	if (rc != 0)
		goto cleanup;
	vs_soap_add_moref(m, "folder", p->folder);
	rc = vs_client_call(c, req, &doc, &resp, err);
	req = NULL;
	if (rc == 0)
		rc = vs_xml_moref(&st->lease,
		                  vs_xml_child(resp, "returnval"), err);
	if (rc == 0)
		st->have_lease = true;
cleanup:
	xmlFreeDoc(req);
	xmlFreeDoc(doc);
	if (rc != 0)
		err_prefix(err, "ImportVApp");
	return rc;
}

/* A lease that ended before it was ready: its info kept (the VM it
 * names is removed by the caller) and its fault reported. */
static int
lease_ended(struct import_state *st, const struct vs_object *o,
            const char *state, struct err *err)
{
	struct vs_fault f;
	struct err fe;
	xmlNodePtr node;
	int rc;

	memset(&f, 0, sizeof(f));
	err_clear(&fe);
	if (vs_object_get_node(&node, o, "info", &fe) == 0)
		(void)vs_lease_info_from_node(&st->info, node, &fe);
	err_clear(&fe);
	if (vs_object_prop(o, "error") != NULL)
		(void)vs_object_get_fault(&f, o, "error", &fe);
	rc = err_set(err, ERR_FAIL, "lease ended in state %s: %s %s",
	             state, f.type[0] != '\0' ? f.type : "-",
	             f.localized);
	if (err != NULL && err->fault[0] == '\0')
		snprintf(err->fault, sizeof(err->fault), "%s", f.type);
	return rc;
}

static int
wait_lease(struct import_state *st, struct vs_client *c,
           const struct vs_import_params *p, struct err *err)
{
	static const char *const paths[] = { "state", "info", "error",
	                                     NULL };
	double timeout = p->lease_timeout_s > 0 ? p->lease_timeout_s
	                                        : LEASE_TIMEOUT_DEFAULT_S;
	double deadline = vs_client_now(c) + timeout;
	struct vs_object *o = NULL;
	const char *s;
	xmlNodePtr node;
	int state, rc;

	for (;;) {
		vs_object_free(o);
		o = NULL;
		rc = vs_get_props(&o, c, &st->lease, paths, err);
		if (rc == 0)
			rc = vs_object_get_str(&s, o, "state", err);
		if (rc == 0)
			rc = vs_lease_state_parse(&state, s, err);
		if (rc != 0)
			goto cleanup;
		if (state == VS_LEASE_READY)
			break;
		if (state == VS_LEASE_ERROR || state == VS_LEASE_DONE) {
			rc = lease_ended(st, o, s, err);
			goto cleanup;
		}
		if (vs_client_now(c) >= deadline) {
			rc = err_set(err, ERR_ETIMEOUT,
			             "lease not ready after %.0f s",
			             timeout);
			goto cleanup;
		}
		vs_client_sleep(c, LEASE_POLL_S);
	}
	rc = vs_object_get_node(&node, o, "info", err);
	if (rc == 0)
		rc = vs_lease_info_from_node(&st->info, node, err);
cleanup:
	vs_object_free(o);
	if (rc != 0)
		err_prefix(err, "HttpNfcLease");
	return rc;
}

static int
lease_call(struct vs_client *c, const char *method,
           const struct vs_moref *lease, int percent, struct err *err)
{
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp;
	int rc;

	rc = vs_soap_request_new(&req, &m, method, lease, err);
	if (rc != 0)
		return rc;
	if (percent >= 0)
		vs_soap_add_long(m, "percent", percent);
	rc = vs_client_call(c, req, &doc, &resp, err);
	xmlFreeDoc(doc);
	if (rc != 0)
		err_prefix(err, "%s", method);
	return rc;
}

/* Keeps the lease alive: HttpNfcLeaseProgress at most once per interval,
 * from the upload's progress callback while a disk streams and between
 * disks.  Percent counts the bytes of every file of the import. */
struct lease_keeper {
	struct vs_client *c;
	const struct vs_moref *lease;
	double interval;
	double last;               /* when the lease last heard from us */
	unsigned long long total;  /* bytes of all files */
	unsigned long long done;   /* bytes of the files already sent */
};

static int
keep_alive(struct lease_keeper *k, unsigned long long sent,
           struct err *err)
{
	unsigned long long pct;
	double now = vs_client_now(k->c);

	if (now - k->last < k->interval)
		return 0;
	k->last = now;
	pct = k->total > 0 ? (k->done + sent) * 100 / k->total : 0;
	return lease_call(k->c, "HttpNfcLeaseProgress", k->lease,
	                  pct > 99 ? 99 : (int)pct, err);
}

static int
on_upload_progress(void *ud, unsigned long long sent,
                   unsigned long long total, struct err *err)
{
	(void)total;
	return keep_alive(ud, sent, err);
}

static int
upload_one(struct vs_client *c, const struct vs_import_params *p,
           const struct file_item *it, const char *url,
           struct lease_keeper *k, struct err *err)
{
	struct vs_http_request req;
	struct vs_http_response resp;
	char *local = NULL;
	size_t n;
	int rc;

	n = strlen(p->dir) + strlen(it->file->href) + 2;
	local = malloc(n);
	if (local == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	snprintf(local, n, "%s/%s", p->dir, it->file->href);
	memset(&req, 0, sizeof(req));
	/* POST streams a disk into one vCenter creates; a file item marked
	 * create is a new file: PUT. */
	req.method = it->create ? "PUT" : "POST";
	req.url = url;
	req.content_type = VS_IMPORT_CONTENT_TYPE;
	req.op = "nfc-upload";
	req.upload_path = local;
	req.progress = on_upload_progress;
	req.progress_ud = k;
	vs_client_logf(c, 1, "uploading %s (%llu bytes)", it->file->href,
	               (unsigned long long)it->file->size);
	rc = vs_client_http(c, &req, &resp, err);
	if (rc == 0 && resp.status != 200 && resp.status != 201) {
		rc = err_set(err, ERR_EHTTP, "HTTP status %ld",
		             resp.status);
		err->http_status = (int)resp.status;
		err->transient = resp.status >= 500;
	}
	if (rc != 0)
		err_prefix(err, "uploading %s", it->file->href);
	vs_http_response_clear(&resp);
	free(local);
	return rc;
}

static const struct vs_lease_url *
url_for(const struct vs_lease_info *info, const char *device_id)
{
	size_t i;

	for (i = 0; i < info->nurls; i++) {
		if (info->urls[i].import_key != NULL &&
		    strcmp(info->urls[i].import_key, device_id) == 0)
			return &info->urls[i];
	}
	return NULL;
}

static int
upload_all(struct import_state *st, struct vs_client *c,
           const struct vs_import_params *p, struct err *err)
{
	struct lease_keeper k;
	const struct vs_lease_url *lu;
	char *url = NULL;
	size_t i;
	int rc = 0;

	memset(&k, 0, sizeof(k));
	k.c = c;
	k.lease = &st->lease;
	k.interval = p->progress_interval_s > 0 ? p->progress_interval_s
	                                        : PROGRESS_DEFAULT_S;
	k.last = vs_client_now(c);
	for (i = 0; i < st->nitems; i++)
		k.total += st->items[i].file->size;
	for (i = 0; i < st->nitems && rc == 0; i++) {
		lu = url_for(st->info, st->items[i].device_id);
		if (lu == NULL) {
			rc = err_set(err, ERR_EPARSE,
			             "lease has no URL for %s",
			             st->items[i].file->href);
			break;
		}
		free(url);
		url = NULL;
		rc = vs_import_device_url(&url, lu->url,
		                          vs_client_base_url(c), err);
		if (rc == 0)
			rc = upload_one(c, p, &st->items[i], url, &k, err);
		k.done += st->items[i].file->size;
		if (rc == 0 && i + 1 < st->nitems)
			rc = keep_alive(&k, 0, err);
	}
	free(url);
	return rc;
}

/* Aborts the lease and removes whatever VM the import left. */
static void
import_undo(struct import_state *st, struct vs_client *c,
            const struct vs_import_params *p)
{
	struct err e;
	struct vs_moref vm;
	char *path = NULL;
	struct vs_vm_removal gone;
	size_t n;
	bool have_vm = false;

	vs_client_cleanup(c);
	err_clear(&e);
	if (st->have_lease &&
	    lease_call(c, "HttpNfcLeaseAbort", &st->lease, -1, &e) != 0)
		vs_client_logf(c, 2, "%s", e.message);
	if (st->info != NULL && st->info->entity.value[0] != '\0') {
		vm = st->info->entity;
		have_vm = true;
	} else if (p->folder_path != NULL) {
		n = strlen(p->folder_path) + strlen(p->name) + 2;
		path = malloc(n);
		if (path != NULL) {
			snprintf(path, n, "%s/%s", p->folder_path, p->name);
			err_clear(&e);
			have_vm = vs_find_by_inventory_path(&vm, c, path,
			                                    &e) == 0;
		}
	}
	if (have_vm) {
		err_clear(&e);
		if (vs_vm_remove(&gone, c, &vm, &vs_import_vm_removal, &e) != 0)
			vs_client_logf(c, 3, "removing half-imported VM "
			               "%s: %s", vm.value, e.message);
		else if (!gone.gone)
			vs_client_logf(c, 1, "removed half-imported VM %s",
			               vm.value);
	}
	free(path);
}

int
vs_import_ovf(struct vs_moref *vm_out, struct vs_client *c,
              const struct vs_import_params *p, struct err *err)
{
	struct import_state st;
	bool attempted = false;
	int rc;

	memset(vm_out, 0, sizeof(*vm_out));
	memset(&st, 0, sizeof(st));
	if (p == NULL || p->ovf == NULL || p->dir == NULL ||
	    p->name == NULL || p->pool == NULL || p->datastore == NULL ||
	    p->folder == NULL)
		return err_set(err, ERR_EINVAL, "import: bad arguments");
	rc = create_import_spec(&st, c, p, err);
	if (rc == 0) {
		attempted = true;
		rc = import_vapp(&st, c, p, err);
	}
	if (rc == 0)
		rc = wait_lease(&st, c, p, err);
	if (rc == 0)
		rc = upload_all(&st, c, p, err);
	if (rc == 0)
		rc = lease_call(c, "HttpNfcLeaseComplete", &st.lease, -1,
		                err);
	if (rc == 0) {
		if (st.info->entity.value[0] == '\0')
			rc = err_set(err, ERR_EPARSE,
			             "lease names no VM");
		else
			*vm_out = st.info->entity;
	}
	if (rc != 0 && attempted)
		import_undo(&st, c, p);
	import_state_clear(&st);
	return rc;
}
