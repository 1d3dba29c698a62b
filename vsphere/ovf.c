/*
 * vsphere/ovf.c: the OVF 1.x descriptor of a stemcell image.
 *
 * The file is read whole (it is small and CreateImportSpec wants its
 * text), checked for a DOCTYPE before libxml2 sees it, then parsed
 * without network access, DTD loading or entity substitution.  Only
 * elements in the OVF envelope and RASD namespaces are looked at.
 */
#include "vsphere/ovf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "base/quote.h"

#define OVF_STR_MAX 1024        /* one attribute or element text */
#define OVF_HREF_MAX 255

/* --- small helpers ------------------------------------------------ */

static bool
ovf_is(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       n->ns->href != NULL &&
	       strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr
ovf_next(xmlNodePtr n, const char *ns, const char *name)
{
	for (; n != NULL; n = n->next) {
		if (ovf_is(n, ns, name))
			return n;
	}
	return NULL;
}

static xmlNodePtr
ovf_child(xmlNodePtr parent, const char *ns, const char *name)
{
	return parent == NULL ? NULL : ovf_next(parent->children, ns, name);
}

static int
ovf_grow(void **arr, size_t n, size_t elem, struct err *err)
{
	void *p;

	if (n >= VS_OVF_MAX_ENTRIES)
		return err_set(err, ERR_EPARSE,
		               "OVF descriptor has more than %d entries "
		               "of one kind", VS_OVF_MAX_ENTRIES);
	p = realloc(*arr, (n + 1) * elem);
	if (p == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	*arr = p;
	memset((char *)p + n * elem, 0, elem);
	return 0;
}

/* Copies an xmlChar string, trimming surrounding white space. */
static int
ovf_take(char **out, xmlChar *x, const char *what, struct err *err)
{
	const char *s = (const char *)x, *e;
	size_t len;
	int rc = 0;

	*out = NULL;
	if (x == NULL)
		return 0;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		e--;
	len = (size_t)(e - s);
	if (len > OVF_STR_MAX) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF descriptor: %s is longer than %d bytes",
		             what, OVF_STR_MAX);
		goto cleanup;
	}
	*out = strndup(s, len);
	if (*out == NULL)
		rc = err_set(err, ERR_ENOMEM, "out of memory");
cleanup:
	xmlFree(x);
	return rc;
}

/* ovf:name, or a plain name= when a generator left the prefix out. */
static int
ovf_attr(char **out, xmlNodePtr n, const char *name, struct err *err)
{
	xmlChar *x;

	x = xmlGetNsProp(n, (const xmlChar *)name,
	                 (const xmlChar *)VS_OVF_NS);
	if (x == NULL)
		x = xmlGetNoNsProp(n, (const xmlChar *)name);
	return ovf_take(out, x, name, err);
}

/* Text of the first child `name` in namespace ns. */
static int
ovf_text(char **out, xmlNodePtr parent, const char *ns, const char *name,
         struct err *err)
{
	xmlNodePtr c = ovf_child(parent, ns, name);

	*out = NULL;
	if (c == NULL)
		return 0;
	return ovf_take(out, xmlNodeGetContent(c), name, err);
}

static int
ovf_u64(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 20)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* "byte", "byte * 2^N" (spaces optional) → the shift N; NULL is byte. */
static int
ovf_units_shift(unsigned *shift, const char *units)
{
	const char *p = units;
	unsigned n = 0;

	*shift = 0;
	if (units == NULL)
		return 0;
	if (strncmp(p, "byte", 4) != 0)
		return -1;
	p += 4;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	if (*p++ != '*')
		return -1;
	while (*p == ' ')
		p++;
	if (strncmp(p, "2^", 2) != 0)
		return -1;
	p += 2;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned)(*p - '0');
		if (n > 62)
			return -1;
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return -1;
	*shift = n;
	return 0;
}

/* --- reading the file --------------------------------------------- */

static int
ovf_load(char **out, size_t *len_out, const char *path, struct err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len, done = 0;
	ssize_t r;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ERR_EIO, "opening OVF descriptor: %s",
		               strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = err_set(err, ERR_EIO,
		             "OVF descriptor is not a regular file");
		goto cleanup;
	}
	if (st.st_size <= 0 || st.st_size > VS_OVF_MAX_SIZE) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF descriptor size %lld is outside 1..%d "
		             "bytes", (long long)st.st_size,
		             VS_OVF_MAX_SIZE);
		goto cleanup;
	}
	len = (size_t)st.st_size;
	buf = malloc(len + 1);
	if (buf == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	while (done < len) {
		r = read(fd, buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = err_set(err, ERR_EIO,
			             "reading OVF descriptor: %s",
			             r < 0 ? strerror(errno) :
			             "file shrank");
			goto cleanup;
		}
		done += (size_t)r;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF descriptor contains a NUL byte");
		goto cleanup;
	}
	*out = buf;
	*len_out = len;
	buf = NULL;
cleanup:
	free(buf);
	close(fd);
	return rc;
}

static int
ovf_parse(xmlDocPtr *doc_out, const char *buf, size_t len,
          struct err *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlErrorPtr xe;
	char msg[256];
	int rc = 0;
	size_t n;

	/* A descriptor has no business declaring a DTD; refusing it up
	 * front keeps entity expansion (billion laughs, external
	 * entities) out of reach whatever libxml2's defaults are. */
	if (strstr(buf, "<!DOCTYPE") != NULL ||
	    strstr(buf, "<!ENTITY") != NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF descriptor with a DOCTYPE or ENTITY "
		               "declaration refused");
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "stemcell.ovf", NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (doc == NULL) {
		xe = xmlCtxtGetLastError(ctxt);
		snprintf(msg, sizeof(msg), "%s",
		         xe != NULL && xe->message != NULL ? xe->message :
		         "unknown error");
		n = strcspn(msg, "\r\n");
		msg[n] = '\0';
		rc = err_set(err, ERR_EPARSE,
		             "OVF descriptor is not well-formed XML "
		             "(line %d: %s)", xe != NULL ? xe->line : 0,
		             msg);
		goto cleanup;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF descriptor with a DTD refused");
		goto cleanup;
	}
	if (doc->encoding != NULL &&
	    strcasecmp((const char *)doc->encoding, "UTF-8") != 0 &&
	    strcasecmp((const char *)doc->encoding, "US-ASCII") != 0) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF descriptor must be UTF-8, not %.32s",
		             (const char *)doc->encoding);
		goto cleanup;
	}
	*doc_out = doc;
	doc = NULL;
cleanup:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

/* --- sections ----------------------------------------------------- */

/* A plain file name: no separators, no URL syntax, no "." / "..". */
static int
ovf_check_href(const char *href, struct err *err)
{
	char q[160];
	size_t len = strlen(href), i;

	quote_str(q, sizeof(q), href);
	if (len == 0 || len > OVF_HREF_MAX)
		return err_set(err, ERR_EPARSE,
		               "OVF file reference '%s' has a bad length",
		               q);
	if (strcmp(href, ".") == 0 || strcmp(href, "..") == 0)
		return err_set(err, ERR_EPARSE,
		               "OVF file reference '%s' refused", q);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)href[i];

		if (ch < 0x20 || ch == 0x7f || strchr("/\\:%?#", ch) != NULL)
			return err_set(err, ERR_EPARSE,
			               "OVF file reference '%s' refused: "
			               "only a plain file name next to "
			               "the descriptor is allowed", q);
	}
	return 0;
}

/* Does a file before the last of ovf->files have this id (or href)? */
static bool
ovf_file_seen(const struct vs_ovf *ovf, const char *v, bool href)
{
	size_t i;

	for (i = 0; i + 1 < ovf->nfiles; i++) {
		if (strcmp(href ? ovf->files[i].href : ovf->files[i].id, v) == 0)
			return true;
	}
	return false;
}

/* ovf:compression, ovf:chunkSize (refused) and ovf:size of File n. */
static int
ovf_file_attrs(struct vs_ovf_file *f, xmlNodePtr n, struct err *err)
{
	char *s = NULL, q[160];
	int rc;

	quote_str(q, sizeof(q), f->href);
	rc = ovf_attr(&s, n, "compression", err);
	if (rc == 0 && s != NULL && strcmp(s, "identity") != 0)
		rc = err_set(err, ERR_EPARSE,
		             "OVF file '%s': compressed references are "
		             "not supported", q);
	free(s);
	s = NULL;
	if (rc == 0)
		rc = ovf_attr(&s, n, "chunkSize", err);
	if (rc == 0 && s != NULL)
		rc = err_set(err, ERR_EPARSE,
		             "OVF file '%s': chunked files are not "
		             "supported", q);
	free(s);
	s = NULL;
	if (rc == 0)
		rc = ovf_attr(&s, n, "size", err);
	if (rc == 0 && s != NULL) {
		if (ovf_u64(&f->size, s) < 0)
			rc = err_set(err, ERR_EPARSE,
			             "OVF file '%s': bad ovf:size", q);
		f->has_size = true;
	}
	free(s);
	return rc;
}

/* The file f names is a regular file of the image of the stated size;
 * f->size becomes its size. */
static int
ovf_file_stat(struct vs_ovf_file *f, int dirfd, struct err *err)
{
	char q[160], qid[80];
	struct stat st;

	quote_str(q, sizeof(q), f->href);
	quote_str(qid, sizeof(qid), f->id);
	if (fstatat(dirfd, f->href, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return err_set(err, ERR_ENOTFOUND,
			               "OVF references file '%s' (id "
			               "'%s') which is not in the image",
			               q, qid);
		return err_set(err, ERR_EIO, "OVF file '%s': %s", q,
		               strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return err_set(err, ERR_EPARSE,
		               "OVF file '%s' is not a regular file", q);
	if (f->has_size && (uint64_t)st.st_size != f->size)
		return err_set(err, ERR_EPARSE,
		               "OVF file '%s' is %lld bytes but the "
		               "descriptor says %llu", q,
		               (long long)st.st_size,
		               (unsigned long long)f->size);
	f->size = (uint64_t)st.st_size;
	return 0;
}

static int
ovf_file(struct vs_ovf *ovf, xmlNodePtr n, int dirfd, struct err *err)
{
	struct vs_ovf_file *f;
	char q[160], qid[80];
	int rc;

	rc = ovf_grow((void **)&ovf->files, ovf->nfiles, sizeof(*f), err);
	if (rc < 0)
		return rc;
	f = &ovf->files[ovf->nfiles++];
	rc = ovf_attr(&f->id, n, "id", err);
	if (rc == 0)
		rc = ovf_attr(&f->href, n, "href", err);
	if (rc < 0)
		return rc;
	if (f->id == NULL || f->id[0] == '\0' || f->href == NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF References/File without ovf:id or "
		               "ovf:href");
	if (ovf_file_seen(ovf, f->id, false))
		return err_set(err, ERR_EPARSE,
		               "OVF file id '%s' appears twice",
		               quote_str(qid, sizeof(qid), f->id));
	rc = ovf_check_href(f->href, err);
	if (rc < 0)
		return rc;
	if (ovf_file_seen(ovf, f->href, true))
		return err_set(err, ERR_EPARSE,
		               "OVF file '%s' is referenced twice",
		               quote_str(q, sizeof(q), f->href));
	rc = ovf_file_attrs(f, n, err);
	if (rc == 0)
		rc = ovf_file_stat(f, dirfd, err);
	return rc;
}

static int
ovf_references(struct vs_ovf *ovf, xmlNodePtr env, int dirfd,
               struct err *err)
{
	xmlNodePtr refs, n;
	int rc;

	refs = ovf_child(env, VS_OVF_NS, "References");
	if (refs == NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF descriptor has no References section");
	if (ovf_next(refs->next, VS_OVF_NS, "References") != NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF descriptor has two References "
		               "sections");
	for (n = ovf_child(refs, VS_OVF_NS, "File"); n != NULL;
	     n = ovf_next(n->next, VS_OVF_NS, "File")) {
		rc = ovf_file(ovf, n, dirfd, err);
		if (rc < 0)
			return rc;
	}
	if (ovf->nfiles == 0)
		return err_set(err, ERR_EPARSE,
		               "OVF References section lists no file");
	return 0;
}

static int
ovf_disk(struct vs_ovf *ovf, xmlNodePtr n, struct err *err)
{
	struct vs_ovf_disk *d;
	char *cap = NULL, *units = NULL, q[80];
	unsigned shift;
	size_t i;
	int rc;

	rc = ovf_grow((void **)&ovf->disks, ovf->ndisks, sizeof(*d), err);
	if (rc < 0)
		return rc;
	d = &ovf->disks[ovf->ndisks++];
	rc = ovf_attr(&d->disk_id, n, "diskId", err);
	if (rc == 0)
		rc = ovf_attr(&d->file_ref, n, "fileRef", err);
	if (rc == 0)
		rc = ovf_attr(&cap, n, "capacity", err);
	if (rc == 0)
		rc = ovf_attr(&units, n, "capacityAllocationUnits", err);
	if (rc < 0)
		goto cleanup;
	if (d->disk_id == NULL || d->disk_id[0] == '\0') {
		rc = err_set(err, ERR_EPARSE,
		             "OVF DiskSection/Disk without ovf:diskId");
		goto cleanup;
	}
	quote_str(q, sizeof(q), d->disk_id);
	for (i = 0; i + 1 < ovf->ndisks; i++) {
		if (strcmp(ovf->disks[i].disk_id, d->disk_id) == 0) {
			rc = err_set(err, ERR_EPARSE,
			             "OVF disk id '%s' appears twice", q);
			goto cleanup;
		}
	}
	if (d->file_ref != NULL && vs_ovf_file_by_id(ovf, d->file_ref) ==
	    NULL) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF disk '%s' refers to a file id not in "
		             "References", q);
		goto cleanup;
	}
	if (ovf_u64(&d->capacity, cap) < 0 ||
	    ovf_units_shift(&shift, units) < 0 ||
	    (shift > 0 && d->capacity > (UINT64_MAX >> shift))) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF disk '%s' has a missing or unsupported "
		             "capacity", q);
		goto cleanup;
	}
	d->capacity_bytes = d->capacity << shift;
cleanup:
	free(cap);
	free(units);
	return rc;
}

static int
ovf_disks(struct vs_ovf *ovf, xmlNodePtr env, struct err *err)
{
	xmlNodePtr sec, n;
	int rc;

	sec = ovf_child(env, VS_OVF_NS, "DiskSection");
	if (sec == NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF descriptor has no DiskSection");
	for (n = ovf_child(sec, VS_OVF_NS, "Disk"); n != NULL;
	     n = ovf_next(n->next, VS_OVF_NS, "Disk")) {
		rc = ovf_disk(ovf, n, err);
		if (rc < 0)
			return rc;
	}
	if (ovf->ndisks == 0)
		return err_set(err, ERR_EPARSE,
		               "OVF DiskSection lists no disk");
	return 0;
}

static int
ovf_networks(struct vs_ovf *ovf, xmlNodePtr env, struct err *err)
{
	xmlNodePtr sec, n;
	char *name = NULL;
	int rc;

	sec = ovf_child(env, VS_OVF_NS, "NetworkSection");
	for (n = ovf_child(sec, VS_OVF_NS, "Network"); n != NULL;
	     n = ovf_next(n->next, VS_OVF_NS, "Network")) {
		rc = ovf_attr(&name, n, "name", err);
		if (rc < 0)
			return rc;
		if (name == NULL || name[0] == '\0') {
			free(name);
			return err_set(err, ERR_EPARSE,
			               "OVF Network without ovf:name");
		}
		rc = ovf_grow((void **)&ovf->networks, ovf->nnetworks,
		              sizeof(*ovf->networks), err);
		if (rc < 0) {
			free(name);
			return rc;
		}
		ovf->networks[ovf->nnetworks++] = name;
		name = NULL;
	}
	return 0;
}

static bool
ovf_rtype_kept(int rt)
{
	return rt == VS_OVF_RT_IDE || rt == VS_OVF_RT_SCSI ||
	       rt == VS_OVF_RT_NIC || rt == VS_OVF_RT_CDROM ||
	       rt == VS_OVF_RT_DVD || rt == VS_OVF_RT_DISK;
}

static void
ovf_item_clear(struct vs_ovf_item *it)
{
	free(it->instance_id);
	free(it->element_name);
	free(it->subtype);
	free(it->connection);
	free(it->parent);
	free(it->address);
	free(it->address_on_parent);
	free(it->host_resource);
	memset(it, 0, sizeof(*it));
}

/* "ovf:/disk/<id>" and "ovf:/file/<id>" must name known entries. */
static int
ovf_check_host_resource(const struct vs_ovf *ovf,
                        const struct vs_ovf_item *it, struct err *err)
{
	const char *hr = it->host_resource;
	char q[160];
	size_t i;

	if (hr == NULL) {
		if (it->resource_type == VS_OVF_RT_DISK)
			return err_set(err, ERR_EPARSE,
			               "OVF disk item without "
			               "HostResource");
		return 0;
	}
	quote_str(q, sizeof(q), hr);
	if (strncmp(hr, "ovf:/disk/", 10) == 0) {
		for (i = 0; i < ovf->ndisks; i++) {
			if (strcmp(ovf->disks[i].disk_id, hr + 10) == 0)
				return 0;
		}
		return err_set(err, ERR_EPARSE,
		               "OVF item HostResource '%s' names no disk",
		               q);
	}
	if (strncmp(hr, "ovf:/file/", 10) == 0) {
		if (vs_ovf_file_by_id(ovf, hr + 10) != NULL)
			return 0;
		return err_set(err, ERR_EPARSE,
		               "OVF item HostResource '%s' names no file",
		               q);
	}
	if (it->resource_type == VS_OVF_RT_DISK)
		return err_set(err, ERR_EPARSE,
		               "OVF disk item HostResource '%s' is not "
		               "ovf:/disk/<id>", q);
	return 0;
}

/* CPU count and memory size from items 3 and 4. */
static int
ovf_scalar(struct vs_ovf *ovf, int rt, xmlNodePtr n, struct err *err)
{
	char *qty = NULL, *units = NULL;
	uint64_t v = 0;
	unsigned shift = 0;
	int rc;

	rc = ovf_text(&qty, n, VS_OVF_NS_RASD, "VirtualQuantity", err);
	if (rc == 0)
		rc = ovf_text(&units, n, VS_OVF_NS_RASD, "AllocationUnits",
		              err);
	if (rc < 0)
		goto cleanup;
	if (ovf_u64(&v, qty) < 0) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF %s item has a bad VirtualQuantity",
		             rt == VS_OVF_RT_CPU ? "CPU" : "memory");
		goto cleanup;
	}
	if (rt == VS_OVF_RT_CPU) {
		if (v == 0 || v > 4096) {
			rc = err_set(err, ERR_EPARSE,
			             "OVF CPU count %llu out of range",
			             (unsigned long long)v);
			goto cleanup;
		}
		ovf->num_cpus = (int)v;
		goto cleanup;
	}
	if (units == NULL)
		shift = 20;     /* the DMTF default for memory is MB */
	else if (ovf_units_shift(&shift, units) < 0) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF memory item has unsupported "
		             "AllocationUnits");
		goto cleanup;
	}
	if (shift >= 20) {
		if (shift > 20 && v > (UINT64_MAX >> (shift - 20)))
			v = UINT64_MAX;
		else
			v <<= (shift - 20);
	} else {
		v >>= (20 - shift);
	}
	if (v == 0 || v > (64ULL << 20)) {
		rc = err_set(err, ERR_EPARSE,
		             "OVF memory size out of range");
		goto cleanup;
	}
	ovf->memory_mb = v;
cleanup:
	free(qty);
	free(units);
	return rc;
}

static int
ovf_item(struct vs_ovf *ovf, xmlNodePtr n, struct err *err)
{
	static const char *const ns = VS_OVF_NS_RASD;
	struct vs_ovf_item it;
	char *rts = NULL;
	uint64_t rt;
	int rc;

	memset(&it, 0, sizeof(it));
	rc = ovf_text(&rts, n, ns, "ResourceType", err);
	if (rc < 0)
		return rc;
	if (ovf_u64(&rt, rts) < 0 || rt > 65535) {
		free(rts);
		return err_set(err, ERR_EPARSE,
		               "OVF hardware item without a valid "
		               "ResourceType");
	}
	free(rts);
	if (rt == VS_OVF_RT_CPU || rt == VS_OVF_RT_MEMORY)
		return ovf_scalar(ovf, (int)rt, n, err);
	if (!ovf_rtype_kept((int)rt))
		return 0;
	it.resource_type = (int)rt;
	rc = ovf_text(&it.instance_id, n, ns, "InstanceID", err);
	if (rc == 0)
		rc = ovf_text(&it.element_name, n, ns, "ElementName", err);
	if (rc == 0)
		rc = ovf_text(&it.subtype, n, ns, "ResourceSubType", err);
	if (rc == 0)
		rc = ovf_text(&it.connection, n, ns, "Connection", err);
	if (rc == 0)
		rc = ovf_text(&it.parent, n, ns, "Parent", err);
	if (rc == 0)
		rc = ovf_text(&it.address, n, ns, "Address", err);
	if (rc == 0)
		rc = ovf_text(&it.address_on_parent, n, ns, "AddressOnParent",
		              err);
	if (rc == 0)
		rc = ovf_text(&it.host_resource, n, ns, "HostResource", err);
	if (rc == 0 && it.instance_id == NULL)
		rc = err_set(err, ERR_EPARSE,
		             "OVF hardware item without InstanceID");
	if (rc == 0)
		rc = ovf_check_host_resource(ovf, &it, err);
	if (rc == 0)
		rc = ovf_grow((void **)&ovf->items, ovf->nitems, sizeof(it),
		              err);
	if (rc < 0) {
		ovf_item_clear(&it);
		return rc;
	}
	ovf->items[ovf->nitems++] = it;
	return 0;
}

static int
ovf_system(struct vs_ovf *ovf, xmlNodePtr env, struct err *err)
{
	xmlNodePtr vs, hw, n;
	int rc;

	if (ovf_child(env, VS_OVF_NS, "VirtualSystemCollection") != NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF VirtualSystemCollection (vApp) is not "
		               "supported for a stemcell");
	vs = ovf_child(env, VS_OVF_NS, "VirtualSystem");
	if (vs == NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF descriptor has no VirtualSystem");
	if (ovf_next(vs->next, VS_OVF_NS, "VirtualSystem") != NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF descriptor has more than one "
		               "VirtualSystem");
	rc = ovf_attr(&ovf->system_id, vs, "id", err);
	if (rc < 0)
		return rc;
	hw = ovf_child(vs, VS_OVF_NS, "VirtualHardwareSection");
	if (hw == NULL)
		return err_set(err, ERR_EPARSE,
		               "OVF VirtualSystem has no "
		               "VirtualHardwareSection");
	for (n = ovf_child(hw, VS_OVF_NS, "Item"); n != NULL;
	     n = ovf_next(n->next, VS_OVF_NS, "Item")) {
		rc = ovf_item(ovf, n, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The directory holding the descriptor, opened for *at() lookups. */
static int
ovf_open_dir(int *fd_out, const char *path, struct err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	*fd_out = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (*fd_out < 0)
		return err_set(err, ERR_EIO,
		               "opening the descriptor's directory: %s",
		               strerror(errno));
	return 0;
}

/* --- public ------------------------------------------------------- */

int
vs_ovf_read(struct vs_ovf **out, const char *ovf_path, struct err *err)
{
	struct vs_ovf *ovf = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr env;
	int dirfd = -1, rc = 0;

	if (out == NULL || ovf_path == NULL)
		return err_set(err, ERR_EINVAL, "missing argument");
	ovf = calloc(1, sizeof(*ovf));
	if (ovf == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = ovf_load(&ovf->descriptor, &ovf->descriptor_len, ovf_path, err);
	if (rc < 0)
		goto cleanup;
	rc = ovf_parse(&doc, ovf->descriptor, ovf->descriptor_len, err);
	if (rc < 0)
		goto cleanup;
	env = xmlDocGetRootElement(doc);
	if (!ovf_is(env, VS_OVF_NS, "Envelope")) {
		rc = err_set(err, ERR_EPARSE,
		             "not an OVF 1.x descriptor (root element is "
		             "not Envelope in %s)", VS_OVF_NS);
		goto cleanup;
	}
	rc = ovf_open_dir(&dirfd, ovf_path, err);
	if (rc < 0)
		goto cleanup;
	rc = ovf_references(ovf, env, dirfd, err);
	if (rc < 0)
		goto cleanup;
	rc = ovf_disks(ovf, env, err);
	if (rc < 0)
		goto cleanup;
	rc = ovf_networks(ovf, env, err);
	if (rc < 0)
		goto cleanup;
	rc = ovf_system(ovf, env, err);
	if (rc < 0)
		goto cleanup;
	*out = ovf;
	ovf = NULL;
cleanup:
	if (dirfd >= 0)
		close(dirfd);
	xmlFreeDoc(doc);
	vs_ovf_free(ovf);
	return rc;
}

void
vs_ovf_free(struct vs_ovf *ovf)
{
	size_t i;

	if (ovf == NULL)
		return;
	for (i = 0; i < ovf->nfiles; i++) {
		free(ovf->files[i].id);
		free(ovf->files[i].href);
	}
	for (i = 0; i < ovf->ndisks; i++) {
		free(ovf->disks[i].disk_id);
		free(ovf->disks[i].file_ref);
	}
	for (i = 0; i < ovf->nitems; i++)
		ovf_item_clear(&ovf->items[i]);
	for (i = 0; i < ovf->nnetworks; i++)
		free(ovf->networks[i]);
	free(ovf->networks);
	free(ovf->files);
	free(ovf->disks);
	free(ovf->items);
	free(ovf->descriptor);
	free(ovf->system_id);
	free(ovf);
}

const struct vs_ovf_file *
vs_ovf_file_by_id(const struct vs_ovf *ovf, const char *id)
{
	size_t i;

	if (ovf == NULL || id == NULL)
		return NULL;
	for (i = 0; i < ovf->nfiles; i++) {
		if (ovf->files[i].id != NULL &&
		    strcmp(ovf->files[i].id, id) == 0)
			return &ovf->files[i];
	}
	return NULL;
}

const struct vs_ovf_item *
vs_ovf_item_nth(const struct vs_ovf *ovf, int rt, size_t n)
{
	size_t i;

	if (ovf == NULL)
		return NULL;
	for (i = 0; i < ovf->nitems; i++) {
		if (ovf->items[i].resource_type != rt)
			continue;
		if (n == 0)
			return &ovf->items[i];
		n--;
	}
	return NULL;
}

size_t
vs_ovf_item_count(const struct vs_ovf *ovf, int rt)
{
	size_t i, n = 0;

	if (ovf == NULL)
		return 0;
	for (i = 0; i < ovf->nitems; i++) {
		if (ovf->items[i].resource_type == rt)
			n++;
	}
	return n;
}
