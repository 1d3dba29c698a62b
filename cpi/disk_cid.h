/*
 * cpi/disk_cid.h: the Director's disk cids, this CPI's and the Ruby
 * CPI's.
 *
 * A disk cid is "disk-<uuid>" (what this CPI makes, and the Ruby CPI
 * without datastore names in the disk's cloud properties) or, as the
 * Ruby CPI answers create_disk when a disk type names datastores,
 * "disk-<uuid>.<base64 of a JSON object>" (director_disk_cid.rb), e.g.
 * {"target_datastore_pattern":"^(ds1|ds2)$"}.  Either way the disk's
 * file is "<disk_path>/disk-<uuid>.vmdk".  The JSON's
 * target_datastore_pattern (a Ruby regular expression) is where the disk
 * belongs: its datastores are searched first, and attach_disk moves the
 * disk only to one of them (the Ruby CPI's choose_existing_disk_pattern).
 *
 * The cid comes from the Director: hostile input.  The suffix is at most
 * CPI_DISK_CID_SUFFIX_MAX characters of the base64 alphabets (standard
 * or URL-safe, padding optional: Ruby's urlsafe_decode64 takes both); it
 * must decode to a JSON object (jansson, duplicate keys refused); other
 * keys are ignored; target_datastore_pattern, when present, is a string
 * that compiles (vsphere/pattern.h) or the cid is refused.
 */
#ifndef CPI_DISK_CID_H
#define CPI_DISK_CID_H

#include "cpi/error.h"
#include "vsphere/disk.h"

#define CPI_DISK_CID_SUFFIX_MAX 2048

struct cpi_disk_cid {
	char name[VS_DISK_CID_MAX + 1]; /* "disk-<uuid>": the file's name */
	char *pattern;                  /* target_datastore_pattern, or NULL */
};

void cpi_disk_cid_clear(struct cpi_disk_cid *id);
/* Parses raw into out.  A cid that is neither form is a CloudError
 * (ok_to_retry false) whose message starts with method. */
int cpi_disk_cid_parse(struct cpi_disk_cid *out, const char *raw,
                       const char *method, struct err *err);

#endif
