/*
 * vsphere/ovf.h: reading a stemcell's OVF 1.x descriptor.
 *
 * The descriptor comes from an untrusted image.  vs_ovf_read() refuses
 * anything over VS_OVF_MAX_SIZE, any DOCTYPE (so no entities, internal or
 * external), never touches the network, and matches elements and
 * attributes by namespace URI, not by prefix.  What it returns is plain C
 * (no libxml2 types): the descriptor text itself (CreateImportSpec takes
 * it verbatim), the referenced files, the disks and the virtual hardware
 * items the CPI cares about.  Every href must be a plain file name and
 * must exist, as a regular file, next to the descriptor.
 */
#ifndef VS_OVF_H
#define VS_OVF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define VS_OVF_NS "http://schemas.dmtf.org/ovf/envelope/1"
#define VS_OVF_NS_RASD \
	"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/" \
	"CIM_ResourceAllocationSettingData"

#define VS_OVF_MAX_SIZE (1024 * 1024)   /* descriptor bytes */
#define VS_OVF_MAX_ENTRIES 256          /* files, disks or items */

/* CIM ResourceType values the CPI looks at. */
enum vs_ovf_rtype {
	VS_OVF_RT_CPU = 3,
	VS_OVF_RT_MEMORY = 4,
	VS_OVF_RT_IDE = 5,
	VS_OVF_RT_SCSI = 6,
	VS_OVF_RT_NIC = 10,
	VS_OVF_RT_CDROM = 15,
	VS_OVF_RT_DVD = 16,
	VS_OVF_RT_DISK = 17,
};

/* References/File */
struct vs_ovf_file {
	char *id;               /* ovf:id */
	char *href;             /* ovf:href: a validated plain file name */
	uint64_t size;          /* ovf:size, or the file's size when absent */
	bool has_size;          /* ovf:size was given (and matched) */
};

/* DiskSection/Disk */
struct vs_ovf_disk {
	char *disk_id;          /* ovf:diskId */
	char *file_ref;         /* ovf:fileRef: id of a vs_ovf_file, or NULL
	                           for a blank disk */
	uint64_t capacity;      /* ovf:capacity, as written */
	uint64_t capacity_bytes; /* capacity times capacityAllocationUnits */
};

/* VirtualHardwareSection/Item of one of the types above (5, 6, 10, 15,
 * 16, 17; CPU and memory only fill the scalars of struct vs_ovf).
 * Strings are NULL when the element is absent. */
struct vs_ovf_item {
	int resource_type;      /* enum vs_ovf_rtype */
	char *instance_id;
	char *element_name;
	char *subtype;          /* ResourceSubType: "lsilogic", "E1000" */
	char *connection;       /* NIC: network name */
	char *parent;           /* InstanceID of the controller */
	char *address;          /* Address (controllers) */
	char *address_on_parent;
	char *host_resource;    /* disk: "ovf:/disk/<diskId>" */
};

struct vs_ovf {
	char *descriptor;       /* the whole file, NUL-terminated UTF-8 */
	size_t descriptor_len;
	char *system_id;        /* VirtualSystem ovf:id */
	int num_cpus;           /* 0 when not given */
	uint64_t memory_mb;     /* 0 when not given */
	struct vs_ovf_file *files;
	size_t nfiles;
	struct vs_ovf_disk *disks;
	size_t ndisks;
	struct vs_ovf_item *items;
	size_t nitems;
	char **networks;        /* NetworkSection/Network ovf:name (the
	                           names CreateImportSpec's networkMapping
	                           maps); may be empty */
	size_t nnetworks;
};

/* Reads and checks ovf_path; referenced files are looked up in its
 * directory.  On success *out belongs to the caller. */
int vs_ovf_read(struct vs_ovf **out, const char *ovf_path,
                struct err *err);
void vs_ovf_free(struct vs_ovf *ovf);

/* Lookups (NULL when absent). */
const struct vs_ovf_file *vs_ovf_file_by_id(const struct vs_ovf *ovf,
                                            const char *id);
/* The n-th item (0-based) of resource type rt. */
const struct vs_ovf_item *vs_ovf_item_nth(const struct vs_ovf *ovf,
                                          int rt, size_t n);
size_t vs_ovf_item_count(const struct vs_ovf *ovf, int rt);

#endif
